/**
 * The descriptor decoder panel of the docs page, without the DOM: a form's
 * values in, decodeS2Descriptor()'s answer out, plus which field owns each of
 * the 64 bits (for the highlighted bit strip). No rule is restated here; the
 * fields, their bit ranges and meanings all come from src/walker/decode.ts.
 */

import { checkDecodeFormat, decodeS2Descriptor, type DecodedDescriptor } from "../walker/decode.js";
import { PARANGE_BITS, parseGranule } from "../pgtable/geometry.js";
import { InputError, parseHexText } from "../pgtable/u64.js";

/** The panel's inputs, as the form holds them (strings from text boxes and selects). */
export interface DescriptorForm {
  /** The descriptor: 0x-prefixed or bare hex. */
  value: string;
  /** "4k", "16k" or "64k". */
  granule: string;
  /** "" (not known: a table and a page look alike), or "-1".."3". */
  level: string;
  lpa2: boolean;
  fwb: boolean;
  /** "" for the default, or a PARange size. */
  paBits: string;
}

/** One bit of the strip: its value and the decoded field it belongs to (-1: none). */
export interface BitCell {
  bit: number;
  value: 0 | 1;
  field: number;
}

/** A run of adjacent bits owned by one field (how the strip is labelled). */
export interface BitSpan {
  field: number;
  hi: number;
  lo: number;
}

export interface DescriptorView {
  decoded: DecodedDescriptor;
  /** Bits 63 down to 0. */
  bits: BitCell[];
  /** Runs of bits 63 down to 0; field -1 marks bits no field covers. */
  spans: BitSpan[];
}

export type DescriptorResult = { ok: true; view: DescriptorView } | { ok: false; error: string };

export const DEFAULT_DESCRIPTOR_FORM: DescriptorForm = {
  value: "0x400000800007db",
  granule: "4k",
  level: "3",
  lpa2: false,
  fwb: true,
  paBits: "",
};

/** "5:2" -> [5, 2]; "10" -> [10, 10]. */
export function parseBits(bits: string): [number, number] {
  const [h, l] = bits.split(":").map(Number);
  return [h, l ?? h];
}

/** Which field owns each bit. A second reading of bits (view) owns none; "other" owns the stray bits it lists. */
export function bitOwners(d: DecodedDescriptor): number[] {
  const owner = new Array<number>(64).fill(-1);
  d.fields.forEach((f, i) => {
    if (f.view) return;
    const [hi, lo] = parseBits(f.bits);
    if (f.name === "other") {
      // decode.ts gives the stray bits as a 63:0 field whose value is exactly those bits.
      const rest = BigInt(f.raw);
      for (let b = 0; b < 64; b++) if ((rest >> BigInt(b)) & 1n) owner[b] = i;
      return;
    }
    for (let b = lo; b <= hi; b++) owner[b] = i;
  });
  return owner;
}

export function descriptorView(form: DescriptorForm): DescriptorResult {
  try {
    if (form.value.trim() === "") throw new InputError("descriptor: type a 64-bit value (0x-prefixed or bare hex)");
    const value = parseHexText(form.value, "descriptor", true);
    const granule = parseGranule(form.granule, "granule");
    let level: number | undefined;
    if (form.level !== "") {
      level = Number(form.level);
      if (!Number.isInteger(level) || level < -1 || level > 3) throw new InputError(`level: '${form.level}' is not -1..3`);
    }
    checkDecodeFormat({ granule, lpa2: form.lpa2, level }, { lpa2: "FEAT_LPA2", level: "level" });
    let paBits: number | undefined;
    if (form.paBits !== "") {
      paBits = Number(form.paBits);
      if (!(PARANGE_BITS as readonly number[]).includes(paBits))
        throw new InputError(`PA bits: '${form.paBits}' is not a PARange size (${PARANGE_BITS.join(", ")})`);
    }
    const decoded = decodeS2Descriptor(value, { granule, level, lpa2: form.lpa2, fwb: form.fwb, paBits });
    const owner = bitOwners(decoded);
    const bits: BitCell[] = [];
    const spans: BitSpan[] = [];
    for (let b = 63; b >= 0; b--) {
      bits.push({ bit: b, value: (value >> BigInt(b)) & 1n ? 1 : 0, field: owner[b] });
      const last = spans[spans.length - 1];
      if (last && last.field === owner[b]) last.lo = b;
      else spans.push({ field: owner[b], hi: b, lo: b });
    }
    return { ok: true, view: { decoded, bits, spans } };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}
