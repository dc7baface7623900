/**
 * 64-bit values at the API edge.
 *
 * Hot paths never see a BigInt: a descriptor is a pair of unsigned 32-bit
 * halves (lo = bits 31:0, hi = bits 63:32), and an address is a double.
 * Addresses are at most 52 bits wide (IPA and PA both), and every integer
 * below 2^53 is exact in a double (Number.isSafeInteger(2 ** 52 - 1) holds),
 * so `hi * 2^32 + lo` is exact for any address. A descriptor with bit 53 or
 * above set is *not* exact as a double: keep descriptors as halves, and
 * convert to BigInt only where a human or a JSON file sees them.
 */

export const TWO_32 = 4294967296;
export const TWO_52 = 4503599627370496;
export const TWO_64_BIG = 1n << 64n;
const MASK_32_BIG = 0xffffffffn;

/** A parse error that names the input; the CLI prints its message as is. */
export class InputError extends Error {
  override name = "InputError";
}

const HEX_RE = /^0x[0-9a-fA-F]+$/;
const DEC_RE = /^[0-9]+$/;

/**
 * Parse a 64-bit unsigned value written as `0x...` hex (or plain decimal
 * when `allowDecimal`). Refuses signs, underscores, empty digits and values
 * of 2^64 or more. `what` names the input in the error message.
 */
export function parseU64(text: string, what: string, allowDecimal = true): bigint {
  const t = text.trim();
  let v: bigint;
  if (HEX_RE.test(t)) {
    v = BigInt(t);
  } else if (allowDecimal && DEC_RE.test(t)) {
    v = BigInt(t);
  } else {
    throw new InputError(`${what}: '${text}' is not a ${allowDecimal ? "number (0x-prefixed hex or decimal)" : "0x-prefixed hex number"}`);
  }
  if (v >= TWO_64_BIG) throw new InputError(`${what}: '${text}' does not fit in 64 bits`);
  return v;
}

/**
 * A small unsigned field typed by a person (a MAIR byte, a MemAttr): 0x-prefixed
 * hex, 0b-prefixed binary or decimal, at most `max`; `hexOnly` refuses the
 * decimal and binary forms, `bareHex` also takes hex digits without the prefix.
 */
export function parseSmallNumber(text: string, what: string, max: number, opts: { hexOnly?: boolean; bareHex?: boolean } = {}): number {
  const t = text.trim();
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (opts.bareHex && /^[0-9a-f]+$/i.test(t)) v = parseInt(t, 16);
  else if (!opts.hexOnly && /^0b[01]+$/i.test(t)) v = parseInt(t.slice(2), 2);
  else if (!opts.hexOnly && /^[0-9]+$/.test(t)) v = parseInt(t, 10);
  else {
    const forms = opts.bareHex ? "hex (0x-prefixed or bare)" : opts.hexOnly ? "0x-prefixed hex" : "a number (0x-prefixed hex, 0b-prefixed binary or decimal)";
    throw new InputError(`${what}: '${text}' is not ${forms}`);
  }
  if (!(v <= max)) throw new InputError(`${what}: ${text} is out of range (0..0x${max.toString(16)})`);
  return v;
}

/**
 * A 64-bit value typed by a person: 0x-prefixed hex, or bare hex digits when
 * `bareHex` (a descriptor pasted from a log). Shared by the CLI and the docs page.
 */
export function parseHexText(s: string, what: string, bareHex: boolean): bigint {
  const t = s.trim();
  if (bareHex && /^[0-9a-fA-F]+$/.test(t)) return parseU64("0x" + t, what, false);
  if (/^-/.test(t)) throw new InputError(`${what}: '${s}' is negative`);
  return parseU64(t, what, false);
}

/** Parse an address (at most 52 bits) into an exact double. */
export function parseAddr(text: string, what: string, allowDecimal = true): number {
  const v = parseU64(text, what, allowDecimal);
  if (v >= 1n << 52n) throw new InputError(`${what}: '${text}' is beyond the 52-bit address space`);
  return Number(v);
}

/** Split a 64-bit value into unsigned 32-bit halves. */
export function splitU64(v: bigint, out: Uint32Array | number[], at = 0): void {
  out[at] = Number(v & MASK_32_BIG);
  out[at + 1] = Number((v >> 32n) & MASK_32_BIG);
}

export function joinU64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Lower-case hex, `0x` prefix, no leading zeros (FORMAT.md's form for every 64-bit number). */
export function hex(v: bigint | number): string {
  return "0x" + v.toString(16);
}

export function hexHalves(lo: number, hi: number): string {
  return hex(joinU64(lo, hi));
}

/**
 * Exact low 32 bits of a non-negative integer-valued double below 2^53
 * (ToUint32 is the value modulo 2^32, and V8 does it without a call).
 */
export function lo32(x: number): number {
  return x >>> 0;
}

// Alignment of addresses held in doubles. `%` on doubles is a runtime call
// (fmod) in V8, so these divide and multiply by a power of two instead,
// which is exact for every integer below 2^53.

/** ALIGN_DOWN(x, size) for a power-of-two size. */
export function alignDown(x: number, size: number): number {
  return Math.floor(x / size) * size;
}

/** IS_ALIGNED(x, size) for a power-of-two size. */
export function isAligned(x: number, size: number): boolean {
  return Math.floor(x / size) * size === x;
}

/** Exact bits 52:32 of a non-negative integer-valued double below 2^53. */
export function hi32(x: number): number {
  return Math.floor(x / TWO_32) >>> 0;
}
