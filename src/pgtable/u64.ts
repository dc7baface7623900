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

/** A parse error that names the input; the CLI prints its message as is. */
export class InputError extends Error {
  override name = "InputError";
}

/**
 * How s2pt reads a number, wherever it comes from (a command-line option or
 * operand, the docs page, a scenario or expected-result file). One rule,
 * two parsers:
 *
 * - 64-bit values (addresses, sizes, descriptors, VAs, register values):
 *   `0x` or `0X` then hex digits, below 2^64 (parseU64). Decimal is refused:
 *   the kernel, its logs and FORMAT.md write these in hex, and a hex value
 *   pasted without its prefix (dmesg prints PTEs as %016llx) must not be
 *   read as a different decimal number.
 * - Small numbers (levels, bit counts, EL, MAIR Attr bytes, MemAttr, owner
 *   ids): decimal, `0x`/`0X` hex or `0b`/`0B` binary, range-checked
 *   (parseSmallNumber); a minus sign only where the range goes below 0
 *   (--level -1). A decimal with a leading zero ("010") is refused: C would
 *   read it as octal.
 *
 * Neither takes a sign (other than that minus), underscores, inner spaces or
 * a fraction; whitespace around the value is ignored. In JSON files small
 * numbers are JSON integers (FORMAT.md) and 64-bit values are strings in the
 * 64-bit form.
 */
const HEX_RE = /^0[xX][0-9a-fA-F]+$/;

/** The first `max` characters of what a person typed, control characters escaped, for a message. */
export function showInput(text: string, max = 80): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  return escapeControl(cut) + (text.length > max ? `... (${text.length} characters)` : "");
}

/**
 * Control characters (C0, DEL, C1, the Unicode line and paragraph
 * separators, bidirectional overrides) written as escapes, so that input
 * echoed in a message cannot start a line of its own or move the cursor.
 */
export function escapeControl(text: string): string {
  // Matching control characters is what this does.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return code < 0x100 ? "\\x" + code.toString(16).padStart(2, "0") : "\\u" + code.toString(16).padStart(4, "0");
  });
}

/**
 * Parse a 64-bit unsigned value: `0x`/`0X` hex below 2^64 (the rule above).
 * `what` names the input in the error message.
 */
export function parseU64(text: string, what: string): bigint {
  if (typeof text !== "string") throw new InputError(`${typeof what === "string" ? what : "text"}: expected a 0x-prefixed hex string, got ${typeof text}`);
  const t = text.trim();
  // "-0x1" and "-5" both start with a minus and a digit.
  if (/^-[0-9]/.test(t)) throw new InputError(`${what}: '${showInput(text)}' is negative`);
  if (!HEX_RE.test(t)) throw new InputError(`${what}: '${showInput(text)}' is not a 0x-prefixed hex number`);
  const v = BigInt(t); // BigInt() reads 0x and 0X alike
  if (v >= TWO_64_BIG) throw new InputError(`${what}: '${showInput(text)}' does not fit in 64 bits`);
  return v;
}

/**
 * A small number (the rule above): decimal, 0x/0X hex or 0b/0B binary,
 * within min..max (min 0 unless given). `hexOnly` and `bareHex` are the
 * docs page's forms for its hex input boxes.
 */
export function parseSmallNumber(text: string, what: string, max: number, opts: { min?: number; hexOnly?: boolean; bareHex?: boolean } = {}): number {
  const t = text.trim();
  const min = opts.min ?? 0;
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (opts.bareHex && /^[0-9a-f]+$/i.test(t)) v = parseInt(t, 16);
  else if (!opts.hexOnly && /^0b[01]+$/i.test(t)) v = parseInt(t.slice(2), 2);
  else if (!opts.hexOnly && /^-?(0|[1-9][0-9]*)$/.test(t) && (min < 0 || !t.startsWith("-"))) v = parseInt(t, 10);
  else if (/^-(0x[0-9a-f]+|0b[01]+|[0-9]+)$/i.test(t) && min >= 0) throw new InputError(`${what}: '${showInput(text)}' is negative`);
  else {
    const forms = opts.bareHex ? "hex (0x-prefixed or bare)" : opts.hexOnly ? "0x-prefixed hex" : "a number (decimal, 0x-prefixed hex or 0b-prefixed binary)";
    const why = !opts.hexOnly && /^-?0[0-9]+$/.test(t) ? " (a leading 0 would make it octal in C: write it without)" : "";
    throw new InputError(`${what}: '${showInput(text)}' is not ${forms}${why}`);
  }
  if (!(v >= min && v <= max)) {
    // A field's mask (0xf, 0xff) is shown in hex, a count or a level in decimal.
    const range = `${min}..${max >= 0xf && Number.isInteger(Math.log2(max + 1)) ? "0x" + max.toString(16) : max}`;
    throw new InputError(`${what}: ${showInput(text.trim())} is out of range (${range})`);
  }
  return v;
}

/**
 * A 64-bit value typed by a person. `bareHex` (the docs page's descriptor
 * box) also takes hex digits without the prefix; the CLI never does.
 */
export function parseHexText(s: string, what: string, bareHex: boolean): bigint {
  const t = s.trim();
  if (bareHex && /^[0-9a-fA-F]+$/.test(t)) return parseU64("0x" + t, what);
  return parseU64(s, what);
}

/** Binary unit suffixes of a byte size: k = KiB, m = MiB, g = GiB, t = TiB. */
const SIZE_UNITS = "kmgt";

/** A power-of-1024 multiple as a person reads it ("1 TiB", "4 PiB"); other values in 0x hex. */
export function binarySizeText(bytes: number): string {
  const names = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let u = 0;
  let v = bytes;
  while (v >= 1024 && v % 1024 === 0 && u < names.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 && bytes !== 1 ? `0x${bytes.toString(16)} bytes` : `${v} ${u === 0 ? "byte" : names[u]}`;
}

/**
 * A byte size as a person writes it (the one size syntax of the CLI:
 * `fault --map-size`, `bench --size`, ...): a count of KiB, MiB, GiB or TiB
 * with its binary unit letter (4k, 2m, 64g, 1t; case-insensitive), or a byte
 * count in the 64-bit form, 0x-prefixed hex. A bare decimal is refused like
 * every 64-bit value (is 2097152 bytes or pages?). `noun` names the kind of
 * size in a refusal; sizes outside 1..max are refused.
 */
export function parseByteSize(text: string, what: string, noun: string, max: number): number {
  if (typeof what !== "string" || typeof noun !== "string" || typeof max !== "number" || !(max > 0)) {
    throw new InputError("parseByteSize: what and noun are strings, max a positive number");
  }
  if (typeof text !== "string") throw new InputError(`${what}: expected a size such as 4k or 0x1000, got ${typeof text}`);
  const t = text.trim();
  const m = /^([1-9][0-9]{0,6})([kmgt])$/i.exec(t);
  let v: number;
  if (m) {
    v = Number(m[1]) * 1024 ** (SIZE_UNITS.indexOf(m[2].toLowerCase()) + 1);
  } else {
    if (!HEX_RE.test(t)) throw new InputError(`${what}: '${showInput(text)}' is not a ${noun} (4k, 2m, 1g, ... or a 0x-prefixed byte count)`);
    const b = parseU64(t, what);
    v = b > BigInt(max) ? Infinity : Number(b);
  }
  if (v === 0 || v > max) throw new InputError(`${what}: ${showInput(t)} is not a ${noun} (1 byte .. ${binarySizeText(max)})`);
  return v;
}

/** A 64-bit value from its unsigned 32-bit halves (lo = bits 31:0, hi = bits 63:32). */
export function joinU64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Lower-case hex, `0x` prefix, no leading zeros (FORMAT.md's form for every 64-bit number). */
export function hex(v: bigint | number): string {
  if (typeof v !== "bigint" && typeof v !== "number") throw new InputError(`v: expected a number or a bigint, got ${typeof v}`);
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
