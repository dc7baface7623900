/**
 * Strict JSON field parsing shared by the scenario parsers: every refusal is
 * an InputError naming the JSON path and saying why.
 */

import { InputError, TWO_52, parseU64, showInput } from "../pgtable/u64.js";

/**
 * The source text of the numbers of the document being parsed (jsontext.ts
 * readJson), so that a refusal shows `1e23` as written rather than the
 * 1e+23 JSON.parse would make of it.
 */
let rawNumbers: ReadonlyMap<string, string> | null = null;

/** Run `body` with the raw number texts of the document it parses. */
export function withRawNumbers<T>(raw: ReadonlyMap<string, string>, body: () => T): T {
  const saved = rawNumbers;
  rawNumbers = raw;
  try {
    return body();
  } finally {
    rawNumbers = saved;
  }
}

/** A JSON number as the document wrote it. */
export function shownNumber(v: number, path: string): string {
  return rawNumbers?.get(path) ?? String(v);
}

export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function checkKeys(obj: Record<string, unknown>, path: string, allowed: readonly string[], required: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      throw new InputError(`${path}: unknown field '${showInput(k)}' (allowed: ${allowed.join(", ")})`);
    }
  }
  for (const k of required) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) throw new InputError(`${path}: missing field '${k}'`);
  }
}

/** A FORMAT.md 64-bit number: a "0x..." string. The model takes values below 2^52. */
export function parseHexField(v: unknown, path: string): number {
  const b = parseU64Field(v, path);
  if (b >= BigInt(TWO_52)) {
    throw new InputError(`${path}: '${showInput(String(v))}' is beyond the 52-bit address space (s2pt models addresses and sizes below 2^52)`);
  }
  return Number(b);
}

/**
 * Whether a JSON number's text is exactly an integer (`100`, `1e2`, `1.0`),
 * not one the conversion to a double rounded to an integer (`0.99999999999999999`).
 */
function exactIntegerText(raw: string): boolean {
  const m = /^-?([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(raw);
  if (!m) return false;
  const digits = m[1] + (m[2] ?? "");
  const exp = Number(m[3] ?? "0") - (m[2] ?? "").length;
  return exp >= 0 || /^0*$/.test(digits.slice(digits.length + exp));
}

export function parseInt32(v: unknown, path: string, lo: number, hi: number): number {
  const raw = typeof v === "number" ? rawNumbers?.get(path) : undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || (raw !== undefined && !exactIntegerText(raw)))
    throw new InputError(`${path}: expected an integer, got ${typeName(v)}${typeof v === "number" ? ` ${shownNumber(v, path)}` : ""}`);
  if (v < lo || v > hi) throw new InputError(`${path}: ${shownNumber(v, path)} is outside ${lo}..${hi}`);
  return v;
}

export function parseBool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new InputError(`${path}: expected true or false, got ${typeName(v)}`);
  return v;
}

/** A 64-bit "0x..." number, any value below 2^64 (virtual addresses, register values), as a BigInt: u64.ts parseU64, the one rule. */
export function parseU64Field(v: unknown, path: string): bigint {
  if (typeof v !== "string") throw new InputError(`${path}: expected a 0x-prefixed hex string, got ${typeName(v)}`);
  return parseU64(v, path);
}
