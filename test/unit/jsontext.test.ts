// src/scenario/jsontext.ts, the JSON reader of scenario and expected files, against JSON.parse:
// the same value for every document JSON.parse accepts without duplicate keys, a refusal for
// every text it refuses, and what JSON.parse cannot do (duplicate keys, prototype keys, numbers
// as written, any depth).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonEqual, jsonPreview, readJson } from "../../src/scenario/jsontext.js";
import { InputError } from "../../src/pgtable/u64.js";

describe("readJson agrees with JSON.parse", () => {
  it("on any JSON value (no duplicate keys), whatever its spacing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, "\t"), (v, space) => {
        const text = JSON.stringify(v, null, space);
        expect(readJson(text).value).toEqual(JSON.parse(text));
      }),
      { numRuns: 400 },
    );
  });
  it("on mangled texts: it refuses (InputError) exactly what JSON.parse refuses", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom("", "}", "]", ",", ":", '"', "\\", "\u0001", "x", "-", "0", "e"), (v, at, ins) => {
        const t = JSON.stringify(v);
        const text = t.slice(0, at % (t.length + 1)) + ins + t.slice(at % (t.length + 1));
        let ok = true;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          ok = false;
        }
        try {
          const mine = readJson(text).value;
          expect(ok).toBe(true);
          expect(mine).toEqual(parsed);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          const dup = /duplicate field/.test((e as Error).message);
          if (!dup) expect(ok, text).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("what JSON.parse cannot do", () => {
  it("refuses a duplicate key, naming the object", () => {
    expect(() => readJson('{"a": {"b": [1, {"c": 1, "c": 2}]}}')).toThrow("a.b[1]: duplicate field 'c' (JSON keeps only the last one)");
    expect(() => readJson('{"a": 1, "a": 1}')).toThrow("top level: duplicate field 'a'");
  });
  it("refuses the keys it is told to, anywhere; otherwise __proto__ is an own key, never a prototype", () => {
    expect(() => readJson('{"x": [{"__proto__": 1}]}', { refuseKeys: ["__proto__"] })).toThrow("x[0].__proto__: the key '__proto__' is refused");
    const v = readJson('{"__proto__": {"polluted": 1}}').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__"]);
    expect((v as { polluted?: number }).polluted).toBeUndefined();
  });
  it("keeps the text of numbers that do not print back as written", () => {
    const d = readJson('{"a": [1e23, 1, 0.1, 1.0, 12345678901234567890], "b": -0}');
    expect([...d.rawNumbers]).toEqual([
      ["a[0]", "1e23"],
      ["a[3]", "1.0"],
      ["a[4]", "12345678901234567890"],
      ["b", "-0"],
    ]);
  });
  it("reads, compares and shows 1,000,000 levels of nesting without recursion", () => {
    const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    const a = readJson(deep).value;
    const b = readJson(deep).value;
    expect(jsonEqual(a, b)).toBe(true);
    expect(jsonEqual(a, readJson("[".repeat(999_999) + "1" + "]".repeat(999_999)).value)).toBe(false);
    expect(jsonPreview(a, 20)).toBe("[".repeat(20) + "...");
  });
  it("says where a syntax error is", () => {
    expect(() => readJson('{\n  "a": tru\n}')).toThrow("not valid JSON: expected a value, found 't' at line 2 column 8");
    expect(() => readJson("[1,]")).toThrow("not valid JSON: expected a value, found ']' at line 1 column 4");
    expect(() => readJson('"a\u0001"')).toThrow(/not valid JSON: a control character inside a string must be escaped, found '\\x01'/);
  });
  it("jsonEqual ignores key order; a custom string comparison", () => {
    expect(jsonEqual({ a: 1, b: [1, "x"] }, { b: [1, "x"], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual(["0x10"], ["0X010"], (x, y) => BigInt(x.toLowerCase()) === BigInt(y.toLowerCase()))).toBe(true);
  });
});
