/**
 * Argument checks at the library's edge: every public function of the model
 * checks the values it is given before it touches any state, and refuses
 * what cannot be a value of the kernel's (or the architecture's) own type
 * with an ArgumentError (an InputError) that names the argument and shows
 * the value as given.
 *
 * The rule that decides between an errno and an error (docs/reliability.md,
 * "The library's arguments"): a value the kernel's C API can receive gets
 * the kernel's answer (an IPA range beyond 2^ia_bits is -ERANGE from
 * _kvm_pgtable_walk, an owner id above KVM_MAX_OWNER_ID is -EINVAL, a prot
 * with SW bits given to relax_perms is -EINVAL); a value that cannot exist in
 * C (NaN, a fraction, a negative number where the C type is u64, a string
 * for an enum) is refused here.
 *
 * The convention for addresses and sizes at the public API (the same for
 * every entry): a `number`, a non-negative integer below 2^53
 * (ADDRESS_LIMIT: every such integer is exact in a double, and every IPA
 * and PA the architecture has is below 2^52). A number at or above 2^53 is
 * refused, never rounded. A 64-bit value that is not such an address (a
 * descriptor, a register value, a guest virtual address, whose top bits
 * select the TTBR region and may carry a tag) is a `bigint` in
 * 0..2^64-1 (checkBigU64).
 *
 * The checks run once per call, at the entry, and cost no allocation on the
 * success path: the message is built only when a check fails.
 *
 * This module, with u64.ts, is the bottom of the import graph: it imports
 * only u64.ts, so that every layer (src/regs included) checks its arguments
 * the same way.
 */

import { InputError } from "./u64.js";

/** Addresses and sizes are numbers below this (2^53): non-negative safe integers. */
export const ADDRESS_LIMIT = 2 ** 53;

/** Whether `x` is an address or size the API takes: a number, a non-negative integer below 2^53 (one test, no allocation). */
export function addrOk(x: unknown): x is number {
  return typeof x === "number" && x >= 0 && x < ADDRESS_LIMIT && Math.floor(x) === x;
}

/** A refused argument: `arg` names it (as the function's parameter), `detail` says why. */
export class ArgumentError extends InputError {
  readonly arg: string;
  readonly detail: string;
  constructor(arg: string, detail: string) {
    super(`${arg}: ${detail}`);
    this.arg = arg;
    this.detail = detail;
  }
}

/** A value as the caller gave it, cut to a sane length, for messages. */
export function shown(v: unknown): string {
  let s: string;
  if (typeof v === "string") s = JSON.stringify(v);
  else if (typeof v === "bigint") s = `${v}n`;
  else if (typeof v === "number") s = Object.is(v, -0) ? "-0" : String(v);
  else if (v === null || v === undefined || typeof v === "boolean") s = String(v);
  else if (typeof v === "function") s = "a function";
  else if (typeof v === "symbol") s = "a symbol";
  else if (Array.isArray(v)) s = "an array";
  else s = "an object";
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A u64 argument that is an address or a size: a number, a non-negative integer below 2^53 (ADDRESS_LIMIT). */
export function checkU64(v: unknown, arg: string): number {
  if (addrOk(v)) return v;
  throw new ArgumentError(arg, `${shown(v)} is not a u64 below 2^53 (addresses and sizes are numbers: non-negative integers below 2^53)`);
}

/** An integer in [min, max]. */
export function checkInt(v: unknown, arg: string, min: number, max: number, what = "an integer"): number {
  if (typeof v === "number" && v >= min && v <= max && Math.floor(v) === v) return v;
  throw new ArgumentError(arg, `${shown(v)} is not ${what} in ${min}..${max}`);
}

/** A bit set (an enum of flags) with no bit outside `known`. */
export function checkBits(v: unknown, arg: string, known: number, names: string): number {
  if (typeof v === "number" && v >= 0 && v <= 0xffffffff && Math.floor(v) === v && (v & ~known) === 0) return v;
  if (typeof v === "number" && v >= 0 && v <= 0xffffffff && Math.floor(v) === v) {
    throw new ArgumentError(arg, `${shown(v)} has bits outside the known ones (0x${((v & ~known) >>> 0).toString(16)}; known: ${names})`);
  }
  throw new ArgumentError(arg, `${shown(v)} is not a bit set of ${names} (an unsigned integer)`);
}

/** A boolean (a truthy string such as "no" is refused, not taken as true). */
export function checkBool(v: unknown, arg: string): boolean {
  if (typeof v === "boolean") return v;
  throw new ArgumentError(arg, `${shown(v)} is not a boolean (true or false)`);
}

/** An optional boolean: undefined gives `dflt`. */
export function optBool(v: unknown, arg: string, dflt: boolean): boolean {
  return v === undefined ? dflt : checkBool(v, arg);
}

/** A 64-bit unsigned value given as a bigint. */
export function checkBigU64(v: unknown, arg: string): bigint {
  if (typeof v === "bigint" && v >= 0n && v < 1n << 64n) return v;
  throw new ArgumentError(arg, `${shown(v)} is not a 64-bit unsigned value (a bigint in 0..2^64-1)`);
}

/** A string argument. */
export function checkString(v: unknown, arg: string): string {
  if (typeof v === "string") return v;
  throw new ArgumentError(arg, `${shown(v)} is not a string`);
}

/** A function argument (a callback). */
export function checkFunction<T>(v: T, arg: string): T {
  if (typeof v === "function") return v;
  throw new ArgumentError(arg, `${shown(v)} is not a function`);
}

/** An array argument. */
export function checkArray(v: unknown, arg: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new ArgumentError(arg, `${shown(v)} is not an array`);
}

/** An object argument (options, a spec): not null, not an array. */
export function checkObject(v: unknown, arg: string): Record<string, unknown> {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new ArgumentError(arg, `${shown(v)} is not an object`);
}

/** One of a few values. */
export function checkOneOf<T>(v: unknown, arg: string, allowed: readonly T[]): T {
  if ((allowed as readonly unknown[]).includes(v)) return v as T;
  throw new ArgumentError(arg, `${shown(v)} is not one of ${allowed.map((a) => shown(a)).join(", ")}`);
}

/** An instance of a class. */
export function checkInstance<T>(v: unknown, arg: string, cls: abstract new (...a: never[]) => T, what: string): T {
  if (v instanceof cls) return v;
  throw new ArgumentError(arg, `${shown(v)} is not ${what}`);
}

/**
 * An options object holds only the fields its type names: a misspelt one
 * (`{ XS: true }` for `{ xs: true }`) would otherwise be ignored and the
 * default silently used.
 */
export function checkKnownKeys(v: Record<string, unknown>, arg: string, known: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (!known.includes(k))
      throw new ArgumentError(`${arg}.${k.length > 40 ? `${k.slice(0, 37)}...` : k}`, `is not a field of ${arg} (its fields: ${known.join(", ")})`);
  }
}

/** What a field of a result object must be: a typeof, "array", "object" (non-null) or "object?" (an object or null). */
export type FieldShape = "string" | "number" | "boolean" | "bigint" | "array" | "object" | "object?";

/**
 * A result object handed back to a formatter (a report, a decoded
 * descriptor): an object whose fields the formatter reads have the types its
 * maker gives them, so that `{}` is refused by the field it lacks rather than
 * by a TypeError from inside. `maker` names what makes one.
 */
export function checkShape(v: unknown, arg: string, shape: Readonly<Record<string, FieldShape>>, maker: string): Record<string, unknown> {
  const o = checkObject(v, arg);
  for (const k in shape) {
    const want = shape[k];
    const x = o[k];
    const ok =
      want === "array"
        ? Array.isArray(x)
        : want === "object"
          ? typeof x === "object" && x !== null
          : want === "object?"
            ? typeof x === "object"
            : typeof x === want;
    if (!ok) {
      const what = want === "array" ? "an array" : want === "object" ? "an object" : want === "object?" ? "an object or null" : `a ${want}`;
      throw new ArgumentError(`${arg}.${k}`, `${shown(x)} is not ${what} (${maker} makes this argument)`);
    }
  }
  return o;
}
