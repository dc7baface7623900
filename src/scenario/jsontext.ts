/**
 * JSON text read strictly and without recursion, for scenario and
 * expected-result files.
 *
 * JSON.parse keeps the last of two equal keys and turns `1e23` into
 * 1e+23 and 12345678901234567890 into 12345678901234567000, so a message
 * could only echo the converted value. This reader refuses a duplicate key
 * (naming the object's JSON path), can refuse keys such as `__proto__`,
 * stores every other key as an own property (a `__proto__` key never
 * becomes a prototype) and remembers the source text of each number whose
 * value does not print back the same (rawNumber()). Nesting depth is only
 * bounded by the input size: containers are kept on an explicit stack.
 *
 * jsonEqual() and jsonPreview() are iterative too, so a document nested
 * 100,000 levels deep can be compared and shown.
 */

import { InputError, escapeControl } from "../pgtable/u64.js";

export interface JsonReadOptions {
  /** Keys refused wherever they appear (an InputError naming the JSON path). */
  refuseKeys?: readonly string[];
  /** Why those keys are refused, for the message. */
  refuseWhy?: string;
}

export interface JsonDocument {
  value: unknown;
  /** Source text of the numbers that do not print back as written, by JSON path (at most RAW_NUMBERS_KEPT, down to RAW_NUMBER_DEPTH). */
  rawNumbers: ReadonlyMap<string, string>;
}

/** How many non-canonical numbers a document remembers the source text of. */
const RAW_NUMBERS_KEPT = 1000;

type Frame = { obj: Record<string, unknown>; key: string } | { arr: unknown[] };

/** Deepest level whose numbers are remembered as written (scenario fields sit a few levels down). */
const RAW_NUMBER_DEPTH = 16;

/** One step of a JSON path as written: `.key`, `["odd key"]` or `[3]` (a key cut at 60 characters). */
function pathStep(key: string | number, first: boolean): string {
  if (typeof key === "number") return `[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) && key.length <= 60) return first ? key : `.${key}`;
  const q = JSON.stringify(key.length > 60 ? key.slice(0, 60) : key);
  return `[${escapeControl(key.length > 60 ? q.slice(0, -1) + '..."' : q)}]`;
}

/**
 * A JSON path from its steps (`ops[3].ipa`; "top level" for none). A path
 * deeper than 24 steps is shown by its first 8 and last 12, so that a
 * message about a value nested 100,000 levels down stays one short line.
 */
export function jsonPath(steps: ReadonlyArray<string | number>): string {
  if (steps.length === 0) return "top level";
  const show = (xs: ReadonlyArray<string | number>, first: boolean): string => xs.map((k, i) => pathStep(k, first && i === 0)).join("");
  if (steps.length <= 24) return show(steps, true);
  return `${show(steps.slice(0, 8), true)}...(${steps.length - 20} levels)...${show(steps.slice(-12), false)}`;
}

function pathOf(stack: readonly Frame[], upTo = stack.length): string {
  const steps: Array<string | number> = [];
  for (let d = 0; d < upTo; d++) {
    const f = stack[d];
    steps.push("arr" in f ? f.arr.length : f.key);
  }
  return jsonPath(steps);
}

function setOwn(obj: Record<string, unknown>, key: string, v: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
  else obj[key] = v;
}

/** Parse JSON text. Syntax errors say where (line and column) and what was found. */
export function readJson(text: string, opts: JsonReadOptions = {}): JsonDocument {
  const refuse = opts.refuseKeys ?? [];
  const rawNumbers = new Map<string, string>();
  const n = text.length;
  let i = 0;
  const stack: Frame[] = [];

  const fail = (what: string): never => {
    let line = 1;
    let col = 1;
    for (let j = 0; j < i && j < n; j++) {
      if (text.charCodeAt(j) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    const found = i >= n ? "the end of the text" : `'${escapeControl(text[i])}'`;
    throw new InputError(`not valid JSON: ${what}, found ${found} at line ${line} column ${col}`);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const str = (): string => {
    // text[i] is the opening quote.
    i++;
    let out = "";
    let from = i;
    for (;;) {
      if (i >= n) fail("a string is not closed");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(from, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("a control character inside a string must be escaped");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(from, i);
      const e = text[i + 1];
      const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e !== undefined && Object.prototype.hasOwnProperty.call(simple, e)) {
        out += simple[e];
        i += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        i++;
        fail("an invalid escape in a string");
      }
      from = i;
    }
  };
  const num = (): number => {
    const start = i;
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else if (text[i] !== undefined && text[i] >= "1" && text[i] <= "9") while (text[i] >= "0" && text[i] <= "9") i++;
    else fail("a number needs digits");
    if (text[i] === ".") {
      i++;
      if (!(text[i] >= "0" && text[i] <= "9")) fail("a number needs digits after its '.'");
      while (text[i] >= "0" && text[i] <= "9") i++;
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (!(text[i] >= "0" && text[i] <= "9")) fail("a number needs digits in its exponent");
      while (text[i] >= "0" && text[i] <= "9") i++;
    }
    const raw = text.slice(start, i);
    const v = Number(raw);
    if (String(v) !== raw && rawNumbers.size < RAW_NUMBERS_KEPT && stack.length <= RAW_NUMBER_DEPTH) rawNumbers.set(pathOf(stack), raw);
    return v;
  };
  const word = (w: string, v: unknown): unknown => {
    if (text.startsWith(w, i)) {
      i += w.length;
      return v;
    }
    return fail("expected a value");
  };
  /** Read an object key and its ':' (text[i] is the opening quote). */
  const key = (obj: Record<string, unknown>): string => {
    const k = str();
    if (refuse.includes(k)) {
      const steps: Array<string | number> = stack.slice(0, -1).map((f) => ("arr" in f ? f.arr.length : f.key));
      throw new InputError(`${jsonPath([...steps, k])}: the key '${escapeControl(k)}' is refused${opts.refuseWhy ? ` (${opts.refuseWhy})` : ""}`);
    }
    if (Object.prototype.hasOwnProperty.call(obj, k)) {
      throw new InputError(`${pathOf(stack, stack.length - 1)}: duplicate field '${escapeControl(k)}' (JSON keeps only the last one)`);
    }
    ws();
    if (text[i] !== ":") fail("expected ':' after an object key");
    i++;
    return k;
  };

  let root: unknown;
  ws();
  for (;;) {
    // A value starts here.
    let v: unknown;
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      const obj: Record<string, unknown> = {};
      if (text[i] === "}") {
        i++;
        v = obj;
      } else {
        if (text[i] !== '"') fail("expected a key string or '}'");
        stack.push({ obj, key: "" });
        (stack[stack.length - 1] as { key: string }).key = key(obj);
        ws();
        continue;
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        v = [];
      } else {
        stack.push({ arr: [] });
        continue;
      }
    } else if (c === '"') v = str();
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) v = num();
    else if (c === "t") v = word("true", true);
    else if (c === "f") v = word("false", false);
    else if (c === "n") v = word("null", null);
    else fail("expected a value");

    // Attach the value; close every container that ends here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        root = v;
        ws();
        if (i < n) fail("unexpected text after the JSON value");
        return { value: root, rawNumbers };
      }
      ws();
      if ("arr" in top) {
        top.arr.push(v);
        if (text[i] === ",") {
          i++;
          ws();
          break;
        }
        if (text[i] !== "]") fail("expected ',' or ']' in an array");
        i++;
        stack.pop();
        v = top.arr;
      } else {
        setOwn(top.obj, top.key, v);
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] !== '"') fail("expected a key string after ','");
          top.key = key(top.obj);
          ws();
          break;
        }
        if (text[i] !== "}") fail("expected ',' or '}' in an object");
        i++;
        stack.pop();
        v = top.obj;
      }
    }
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Deep equality of two JSON values (object key order ignored), without
 * recursion. `sameString` decides for two strings (default: ===).
 */
export function jsonEqual(a: unknown, b: unknown, sameString?: (x: string, y: string) => boolean): boolean {
  const todo: Array<[unknown, unknown]> = [[a, b]];
  while (todo.length > 0) {
    const [x, y] = todo.pop() as [unknown, unknown];
    if (x === y) continue;
    if (sameString && typeof x === "string" && typeof y === "string") {
      if (sameString(x, y)) continue;
      return false;
    }
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ya = y as unknown[];
      if (x.length !== ya.length) return false;
      for (let k = 0; k < x.length; k++) todo.push([x[k], ya[k]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const xk = Object.keys(xo);
    if (xk.length !== Object.keys(yo).length) return false;
    for (const k of xk) {
      if (!Object.prototype.hasOwnProperty.call(yo, k)) return false;
      todo.push([xo[k], yo[k]]);
    }
  }
  return true;
}

/**
 * A JSON value as compact text, cut after `max` characters ("..." marks the
 * cut): what a message shows of a value, whatever its size or depth.
 */
export function jsonPreview(v: unknown, max = 80): string {
  let out = "";
  // Work items: a value to write, or literal text (closing brackets, separators).
  const todo: Array<{ v: unknown } | { t: string }> = [{ v }];
  while (todo.length > 0 && out.length <= max) {
    const item = todo.pop() as { v: unknown } | { t: string };
    if ("t" in item) {
      out += item.t;
      continue;
    }
    const x = item.v;
    if (Array.isArray(x)) {
      out += "[";
      todo.push({ t: "]" });
      for (let k = x.length - 1; k >= 0; k--) {
        todo.push({ v: x[k] });
        if (k > 0) todo.push({ t: "," });
      }
    } else if (isObj(x)) {
      out += "{";
      todo.push({ t: "}" });
      const keys = Object.keys(x);
      for (let k = keys.length - 1; k >= 0; k--) {
        todo.push({ v: x[keys[k]] });
        todo.push({ t: `${JSON.stringify(keys[k])}:` });
        if (k > 0) todo.push({ t: "," });
      }
    } else if (x === undefined) out += "(absent)";
    else out += JSON.stringify(x);
  }
  const cut = out.length > max || todo.length > 0;
  return escapeControl(cut ? out.slice(0, max) + "..." : out);
}
