/**
 * Comparing a replay result with an expected result file: the first
 * divergence, said readably (op index, field, expected vs got, and both
 * descriptors decoded field by field).
 *
 * The expected document is input: read it with readExpectedText() (a
 * duplicate key or a prototype key is refused), and a 64-bit value in it
 * that is not well-formed hex (`"0xzz"`, `"0x-1"`) is an InputError naming
 * its JSON path, never a mismatch. Hex values compare by value (`0x0400` is
 * `0x400`). Nothing here recurses, so any nesting depth is fine.
 */

import { decodeS2Descriptor, type DecodedDescriptor } from "../walker/decode.js";
import { jsonEqual, jsonPath, jsonPreview, readJson } from "./jsontext.js";
import { OP_SPECS } from "./ops.js";
import type { ReplayResult } from "./replay.js";
import type { Scenario } from "./types.js";
import { InputError, hex, parseU64 } from "../pgtable/u64.js";
import { ArgumentError, checkObject, checkString, shown } from "../pgtable/args.js";
import { checkScenarioArg } from "./args.js";

/** Keys an expected file may not hold: they name Object.prototype members, never result fields. */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype"] as const;

/** Parse an expected result file's text (errors are InputErrors; the caller adds the file name). */
export function readExpectedText(text: string): unknown {
  checkString(text, "text");
  if (text.trim() === "") throw new InputError("empty file: expected a result JSON object");
  if (text.charCodeAt(0) === 0xfeff) throw new InputError("starts with a byte-order mark (U+FEFF), which JSON does not allow");
  return readJson(text, { refuseKeys: PROTOTYPE_KEYS, refuseWhy: "a prototype key, never a field of a result" }).value;
}

const HEXISH = /^\s*[-+]?0[xX]/;
const HEX = /^0[xX][0-9a-fA-F]+$/;

/**
 * Every string of the expected document that is written as a 64-bit value
 * (it starts with 0x, or sits where the model's result has one) must be
 * one: an InputError naming the JSON path otherwise.
 */
function checkHexStrings(expected: unknown, got: unknown): void {
  // Each value keeps a link to its parent: a path is built only for the refusal (any depth, no quadratic strings).
  interface Item {
    e: unknown;
    g: unknown;
    up: Item | null;
    key: string | number;
  }
  const steps = (it: Item): Array<string | number> => {
    const out: Array<string | number> = [];
    for (let x: Item | null = it; x !== null && x.up !== null; x = x.up) out.push(x.key);
    return out.reverse();
  };
  const todo: Item[] = [{ e: expected, g: got, up: null, key: "" }];
  while (todo.length > 0) {
    const it = todo.pop() as Item;
    const { e, g } = it;
    if (typeof e === "string") {
      if (HEXISH.test(e) || (typeof g === "string" && HEX.test(g))) parseU64(e, jsonPath(steps(it)));
      continue;
    }
    if (typeof e !== "object" || e === null) continue;
    if (Array.isArray(e)) {
      const ga = Array.isArray(g) ? g : [];
      for (let k = e.length - 1; k >= 0; k--) todo.push({ e: e[k], g: ga[k], up: it, key: k });
      continue;
    }
    const go = typeof g === "object" && g !== null && !Array.isArray(g) ? (g as Record<string, unknown>) : {};
    const keys = Object.keys(e);
    for (let k = keys.length - 1; k >= 0; k--) {
      const key = keys[k];
      todo.push({ e: (e as Record<string, unknown>)[key], g: Object.prototype.hasOwnProperty.call(go, key) ? go[key] : undefined, up: it, key });
    }
  }
}

/** Two strings are the same value: equal, or both hex of the same number. */
function sameString(x: string, y: string): boolean {
  if (x === y) return true;
  return HEX.test(x) && HEX.test(y) && BigInt(x.replace(/^0X/, "0x")) === BigInt(y.replace(/^0X/, "0x"));
}

function same(a: unknown, b: unknown): boolean {
  return jsonEqual(a, b, sameString);
}

function show(v: unknown): string {
  return jsonPreview(v, 160);
}

function own(o: unknown, k: string): unknown {
  return typeof o === "object" && o !== null && Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined;
}

function decodeSideBySide(expected: unknown, got: unknown, scn: Scenario, level: number | undefined): string[] {
  const out: string[] = [];
  const one = (label: string, v: unknown): void => {
    if (typeof v !== "string" || !HEX.test(v)) return;
    let d: DecodedDescriptor;
    try {
      d = decodeS2Descriptor(BigInt(v.replace(/^0X/, "0x")), {
        granule: scn.config.granule,
        level,
        lpa2: scn.config.lpa2,
        fwb: scn.config.fwb,
        paBits: scn.config.paBits,
      });
    } catch {
      return;
    }
    out.push(`  ${label} ${d.value}: ${d.summary}`);
    for (const f of d.fields) out.push(`      ${f.name} [${f.bits}] = ${f.value}  ${f.meaning}`);
  };
  one("expected", expected);
  one("got     ", got);
  // Name the bits that differ.
  if (typeof expected === "string" && typeof got === "string" && HEX.test(expected) && HEX.test(got)) {
    const x = BigInt(expected.replace(/^0X/, "0x")) ^ BigInt(got);
    if (x !== 0n) {
      const bits: number[] = [];
      for (let i = 0; i < 64; i++) if ((x >> BigInt(i)) & 1n) bits.push(i);
      out.push(`  differing bits: ${bits.join(", ")} (xor ${hex(x)})`);
    }
  }
  return out;
}

function opLabel(scn: Scenario, i: number): string {
  const op = scn.ops[i];
  if (!op) return `ops[${i}]`;
  const fields = OP_SPECS[op.op]?.fields ?? {};
  const at = fields.ipa !== undefined ? ` ipa=${hex(op.ipa)}` : fields.va !== undefined ? ` va=${hex(op.va)}` : "";
  return `ops[${i}] (${op.op}${at}${fields.size !== undefined ? ` size=${hex(op.size)}` : ""})`;
}

/**
 * The first divergence between an expected result and the model's, or null
 * when they are equal. Throws an InputError (naming the JSON path) for an
 * expected document that is not a result object or holds a malformed
 * 64-bit value.
 */
export function firstDivergence(expected: unknown, got: ReplayResult, scn: Scenario): string | null {
  if (typeof expected !== "object" || expected === null || Array.isArray(expected)) {
    throw new InputError(
      `top level: expected a result object, got ${expected === null ? "null" : Array.isArray(expected) ? "an array" : `a ${typeof expected}`}`,
    );
  }
  const r = checkObject(got, "got");
  if (typeof r.name !== "string" || !Array.isArray(r.ops) || !Array.isArray(r.dump))
    throw new ArgumentError("got", `${shown(got)} is not a ReplayResult (replay() makes one)`);
  checkScenarioArg(scn);
  checkHexStrings(expected, got);
  const e = expected as Record<string, unknown>;
  const g = got as unknown as Record<string, unknown>;
  const lines: string[] = [];
  const done = (): string => lines.join("\n");

  for (const key of ["name", "derived"] as const) {
    if (!same(own(e, key), got[key])) {
      lines.push(`${key}: expected ${show(own(e, key))}, got ${show(got[key])}`);
      return done();
    }
  }
  const eops = Array.isArray(own(e, "ops")) ? (own(e, "ops") as unknown[]) : [];
  if (eops.length !== got.ops.length) {
    lines.push(`ops: expected ${eops.length} results, got ${got.ops.length}`);
    return done();
  }
  for (let i = 0; i < eops.length; i++) {
    const eo = eops[i];
    const go = got.ops[i] as Record<string, unknown>;
    if (same(eo, go)) continue;
    const eKeys = typeof eo === "object" && eo !== null && !Array.isArray(eo) ? Object.keys(eo) : [];
    const keys = [...new Set([...eKeys, ...Object.keys(go)])];
    if (eKeys.length === 0 && !(typeof eo === "object" && eo !== null && !Array.isArray(eo))) {
      lines.push(`${opLabel(scn, i)}: expected ${show(eo)}, got ${show(go)}`);
      return done();
    }
    for (const k of keys) {
      const ev = own(eo, k);
      const gv = own(go, k);
      if (k === "events" && Array.isArray(ev) && Array.isArray(gv)) {
        const n = Math.max(ev.length, gv.length);
        for (let j = 0; j < n; j++) {
          if (!same(ev[j], gv[j])) {
            lines.push(`${opLabel(scn, i)}.events[${j}]: expected ${show(ev[j])}, got ${show(gv[j])} (${ev.length} events expected, ${gv.length} got)`);
            return done();
          }
        }
      }
      if (!same(ev, gv)) {
        lines.push(`${opLabel(scn, i)}.${k}: expected ${show(ev)}, got ${show(gv)}`);
        if (k === "pte") lines.push(...decodeSideBySide(ev, gv, scn, typeof go.level === "number" ? go.level : undefined));
        return done();
      }
    }
  }
  const edump = Array.isArray(own(e, "dump")) ? (own(e, "dump") as unknown[]) : [];
  const n = Math.max(edump.length, got.dump.length);
  for (let j = 0; j < n; j++) {
    const ed = edump[j];
    const gd = got.dump[j] as unknown as Record<string, unknown> | undefined;
    if (same(ed, gd)) continue;
    lines.push(`dump[${j}]: expected ${show(ed)}, got ${show(gd)} (${edump.length} entries expected, ${got.dump.length} got)`);
    const ep = own(ed, "pte");
    const gp = own(gd, "pte");
    if (ed && gd && !same(ep, gp)) lines.push(...decodeSideBySide(ep, gp, scn, typeof gd.level === "number" ? gd.level : undefined));
    return done();
  }
  if (!same(own(e, "root_refcounts"), got.root_refcounts)) {
    lines.push(`root_refcounts: expected ${show(own(e, "root_refcounts"))}, got ${show(got.root_refcounts)}`);
    return done();
  }
  for (const k of Object.keys(e)) {
    if (!same(e[k], own(g, k))) {
      lines.push(`${k}: expected ${show(e[k])}, got ${show(own(g, k))}`);
      return done();
    }
  }
  return null;
}
