/**
 * System-register fields: one definition per field, shared by every encoder
 * and decoder in s2pt (the walker's syndrome, kvm_get_vtcr(), the guest's
 * TCR_EL1, PAR_EL1, the `s2pt reg` decoders).
 *
 * A register is a Layout: fields with the Arm ARM's names and bit ranges
 * that together cover every bit of the register once, each field a value
 * field, RES0, RES1 or IMPLEMENTATION DEFINED. Decoding a value against a
 * layout gives a JSON-safe list (name, bits, value, meaning, problem), with
 * a RES0 bit set or a RES1 bit clear reported as a problem.
 *
 * This is the bottom layer: it imports nothing but the base modules u64.ts
 * and args.ts (the argument checks every public entry shares). Values are BigInt
 * here (the API edge); a hot path takes the 32-bit masks (mask32) once.
 */

import { hex } from "../pgtable/u64.js";

/** A field's kind: a value field, RES0, RES1 or IMPLEMENTATION DEFINED. */
export type FieldKind = "field" | "res0" | "res1" | "impdef";

/** One register field: its Arm ARM name, bit range, kind and meaning. */
export interface FieldDef {
  /** The Arm ARM's name (RES0 / RES1 for reserved bits). */
  readonly name: string;
  readonly hi: number;
  readonly lo: number;
  readonly kind: FieldKind;
  /** One line from the Arm ARM's description. */
  readonly doc: string;
  /** Names of the field's encodings, by value. */
  readonly values?: Readonly<Record<number, string>>;
  /** The feature that gives the field its meaning (RES0 without it), e.g. "FEAT_LPA2". */
  readonly feature?: string;
}

/** The names of a field's encodings, and the feature that gives it its meaning. */
export interface FieldOptions {
  values?: Readonly<Record<number, string>>;
  feature?: string;
}

/** A value field at bits hi:lo. */
export function field(name: string, hi: number, lo: number, doc: string, opts: FieldOptions = {}): FieldDef {
  if (!(hi >= lo && lo >= 0 && hi < 128)) throw new Error(`field ${name}: bad bit range ${hi}:${lo}`);
  return { name, hi, lo, kind: "field", doc, ...opts };
}

/** A one-bit field. */
export function bit(name: string, n: number, doc: string, opts: FieldOptions = {}): FieldDef {
  return field(name, n, n, doc, opts);
}

/** RES0 bits hi:lo. */
export function res0(hi: number, lo: number = hi, doc = "Reserved, RES0"): FieldDef {
  return { name: "RES0", hi, lo, kind: "res0", doc };
}

/** RES1 bits hi:lo. */
export function res1(hi: number, lo: number = hi, doc = "Reserved, RES1"): FieldDef {
  return { name: "RES1", hi, lo, kind: "res1", doc };
}

export function impdef(hi: number, lo: number = hi, doc = "IMPLEMENTATION DEFINED"): FieldDef {
  return { name: "IMPLEMENTATION DEFINED", hi, lo, kind: "impdef", doc };
}

export function width(f: FieldDef): number {
  return f.hi - f.lo + 1;
}

/** The field's bits in place (a 64-bit mask). */
export function fieldMask(f: FieldDef): bigint {
  return ((1n << BigInt(width(f))) - 1n) << BigInt(f.lo);
}

/** The field's value (shifted down). */
export function fieldGet(v: bigint, f: FieldDef): bigint {
  return (v >> BigInt(f.lo)) & ((1n << BigInt(width(f))) - 1n);
}

/** The field's value as a number (fields are at most 52 bits wide, so exact). */
export function fieldNum(v: bigint, f: FieldDef): number {
  return Number(fieldGet(v, f));
}

/** `x` placed in the field (FIELD_PREP); throws when it does not fit. */
export function fieldPrep(f: FieldDef, x: bigint | number): bigint {
  const b = BigInt(x);
  if (b < 0n || b >> BigInt(width(f)) !== 0n) throw new RangeError(`${f.name}[${f.hi}:${f.lo}]: ${b} does not fit in ${width(f)} bits`);
  return b << BigInt(f.lo);
}

/** The field's mask within bits 31:0, as an unsigned 32-bit number (for hot paths; the field must lie below bit 32). */
export function mask32(f: FieldDef): number {
  if (f.hi > 31) throw new RangeError(`${f.name}[${f.hi}:${f.lo}] is not within bits 31:0`);
  return Number(fieldMask(f)) >>> 0;
}

/** "31:26" or "25". */
export function bitsText(f: { hi: number; lo: number }): string {
  return f.hi === f.lo ? String(f.hi) : `${f.hi}:${f.lo}`;
}

/** A register layout: fields (highest first) that cover bits width-1..0 exactly once. */
export interface Layout {
  readonly register: string;
  readonly width: number;
  readonly fields: readonly FieldDef[];
}

/**
 * Check that a layout's fields are disjoint and cover every bit; throws an
 * Error naming the first overlap or hole (a definition bug, not bad input).
 */
export function checkLayout(l: Layout): void {
  let covered = 0n;
  for (const f of l.fields) {
    const m = fieldMask(f);
    if (f.hi >= l.width) throw new Error(`${l.register}.${f.name}[${bitsText(f)}] is beyond bit ${l.width - 1}`);
    if (covered & m) throw new Error(`${l.register}.${f.name}[${bitsText(f)}] overlaps another field`);
    covered |= m;
  }
  const all = (1n << BigInt(l.width)) - 1n;
  if (covered !== all) {
    const holes: number[] = [];
    for (let i = 0; i < l.width; i++) if (!((covered >> BigInt(i)) & 1n)) holes.push(i);
    throw new Error(`${l.register}: bits ${holes.join(", ")} belong to no field`);
  }
}

// ---- decoding ------------------------------------------------------------------------------

/** One field of a decoded register: JSON-safe (numbers and strings only). */
export interface DecodedRegField {
  name: string;
  /** "31:26" or "25". */
  bits: string;
  hi: number;
  lo: number;
  kind: FieldKind;
  /** The field's value, hex, shifted down to bit 0. */
  value: string;
  /** What the value means. */
  meaning: string;
  /** Set when the value breaks the architecture's rules: a RES0 bit set, a RES1 bit clear, a reserved encoding. */
  problem?: string;
}

/** A register value decoded field by field: JSON-safe. */
export interface DecodedRegister {
  register: string;
  /** The whole value, hex. */
  value: string;
  width: number;
  /** One line: what the value is. */
  summary: string;
  fields: DecodedRegField[];
  /** Things a reader should notice that are not a field's own problem. */
  notes: string[];
  /** Every field problem, as "NAME[bits]: problem" (RES0/RES1 violations, reserved encodings). */
  problems: string[];
}

/** How a register decoder words one field value; undefined: the field's `values` name, or the hex value. */
export type FieldWords = (f: FieldDef, v: bigint) => { meaning?: string; problem?: string } | undefined;

/** A field value in binary, as wide as the field ("0b0101"), or hex above 8 bits. */
export function fieldLiteral(f: FieldDef, v: bigint): string {
  const w = width(f);
  if (w === 1) return String(v);
  if (w <= 8) return "0b" + v.toString(2).padStart(w, "0");
  return hex(v);
}

/**
 * Decode `value` field by field. RES0 and RES1 fields are checked here;
 * `words` gives the meaning of the value fields (and may report a
 * reserved encoding as a problem).
 */
export function decodeFields(layout: Layout, value: bigint, words?: FieldWords): { fields: DecodedRegField[]; problems: string[] } {
  const fields: DecodedRegField[] = [];
  const problems: string[] = [];
  for (const f of layout.fields) {
    const v = fieldGet(value, f);
    let meaning: string;
    let problem: string | undefined;
    if (f.kind === "res0") {
      meaning = f.doc;
      if (v !== 0n)
        problem = `RES0 bit${width(f) > 1 ? "s" : ""} set (${fieldLiteral(f, v)}): software must write 0, the value is not one the architecture defines`;
    } else if (f.kind === "res1") {
      meaning = f.doc;
      const ones = (1n << BigInt(width(f))) - 1n;
      if (v !== ones) problem = `RES1 bit${width(f) > 1 ? "s" : ""} clear (${fieldLiteral(f, v)}): software must write 1`;
    } else {
      const w = words?.(f, v);
      const named = f.values?.[Number(v)];
      meaning = w?.meaning ?? named ?? (f.kind === "impdef" ? f.doc : fieldLiteral(f, v));
      problem = w?.problem;
    }
    const d: DecodedRegField = { name: f.name, bits: bitsText(f), hi: f.hi, lo: f.lo, kind: f.kind, value: hex(v), meaning };
    if (problem !== undefined) {
      d.problem = problem;
      problems.push(`${f.name}[${bitsText(f)}]: ${problem}`);
    }
    fields.push(d);
  }
  return { fields, problems };
}

/** Put a decoded register's fields back together (the inverse of decodeFields, for checking a decoder). */
export function reassemble(fields: readonly DecodedRegField[]): bigint {
  let v = 0n;
  for (const f of fields) v |= BigInt(f.value) << BigInt(f.lo);
  return v;
}

/** "FEAT_X: " prefix for a field that exists only with a feature. */
export function featureNote(f: FieldDef): string {
  return f.feature ? ` (${f.feature})` : "";
}
