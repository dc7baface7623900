/**
 * Strict JSON field parsing shared by the scenario parsers: every refusal is
 * an InputError naming the JSON path and saying why.
 */

import { InputError, TWO_52 } from "./u64.js";

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
      throw new InputError(`${path}: unknown field '${k}' (allowed: ${allowed.join(", ")})`);
    }
  }
  for (const k of required) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) throw new InputError(`${path}: missing field '${k}'`);
  }
}

const HEX_RE = /^0x[0-9a-fA-F]+$/;

/** A FORMAT.md 64-bit number: a "0x..." string. The model takes values below 2^52. */
export function parseHexField(v: unknown, path: string): number {
  const b = parseU64Field(v, path);
  if (b >= BigInt(TWO_52)) {
    throw new InputError(`${path}: '${String(v)}' is beyond the 52-bit address space (s2pt models addresses and sizes below 2^52)`);
  }
  return Number(b);
}

export function parseInt32(v: unknown, path: string, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new InputError(`${path}: expected an integer, got ${typeName(v)}${typeof v === "number" ? ` ${v}` : ""}`);
  if (v < lo || v > hi) throw new InputError(`${path}: ${v} is outside ${lo}..${hi}`);
  return v;
}

export function parseBool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") throw new InputError(`${path}: expected true or false, got ${typeName(v)}`);
  return v;
}


/** A 64-bit "0x..." number, any value below 2^64 (virtual addresses, register values), as a BigInt. */
export function parseU64Field(v: unknown, path: string): bigint {
  if (typeof v !== "string") throw new InputError(`${path}: expected a 0x-prefixed hex string, got ${typeName(v)}`);
  if (!HEX_RE.test(v)) {
    const why = /^-/.test(v.trim()) ? "negative: addresses and sizes are unsigned" : v === "0x" ? "has no digits" : "is not a 0x-prefixed hex number";
    throw new InputError(`${path}: '${v}' ${why}`);
  }
  const b = BigInt(v);
  if (b >= 1n << 64n) throw new InputError(`${path}: '${v}' does not fit in 64 bits`);
  return b;
}
