/**
 * Encoding one leaf from the API edge, with the checks a caller of
 * kvm_pgtable_stage2_map() relies on made explicit: a level that may hold a
 * leaf (KVM_PGTABLE_MIN_BLOCK_LEVEL..3), a PA aligned to that level's size
 * and inside the output-address range, and the kernel's own refusals of a
 * prot (stage2_set_prot_attr).
 */

import { EINVAL, PROT_DEVICE, PROT_NORMAL_NC, PROT_X, encodeLeaf, pteFormat, type EncodedLeaf } from "./descriptor.js";
import { PARANGE_BITS, granuleName, kvmGranuleShift, pageShiftOf, type Granule } from "./geometry.js";
import { InputError, hex } from "./u64.js";
import { ArgumentError, PROT_KNOWN, PROT_KNOWN_NAMES, checkBigU64, checkBits, checkBool, checkInt, checkObject, checkOneOf, shown } from "./args.js";

export interface LeafEncodeSpec {
  granule: Granule;
  lpa2: boolean;
  fwb: boolean;
  /** Host PA size (default 48, or 52 when the format carries 52-bit addresses). */
  paBits?: number;
}

/** Why stage2_set_prot_attr() refuses a prot, in words (null when it accepts it). */
export function protRefusal(prot: number): string | null {
  checkBits(prot, "prot", PROT_KNOWN, PROT_KNOWN_NAMES);
  if (prot & PROT_DEVICE && prot & PROT_NORMAL_NC) return "DEVICE and NORMAL_NC together name two memory types";
  if (prot & PROT_DEVICE && prot & PROT_X) return "device memory is never mapped executable";
  if (prot & PROT_NORMAL_NC && prot & PROT_X) return "Normal-NC memory is never mapped executable";
  return null;
}

/**
 * The leaf kvm_pgtable_stage2_map() writes, or a one-line message with the
 * kernel's errno when the kernel refuses the prot. Throws InputError for a
 * level, alignment or address no map could produce.
 */
export function encodeLeafChecked(spec: LeafEncodeSpec, pa: bigint, level: number, prot: number): EncodedLeaf | string {
  // The arguments' types first (args.ts): a negative or 2^64-and-above PA,
  // a fractional level or an unknown prot bit is no input of the kernel's.
  const sp = checkObject(spec, "spec");
  if (sp.granule !== 4096 && sp.granule !== 16384 && sp.granule !== 65536)
    throw new ArgumentError("spec.granule", `${shown(sp.granule)} is not 4096, 16384 or 65536`);
  checkBool(sp.lpa2, "spec.lpa2");
  checkBool(sp.fwb, "spec.fwb");
  if (sp.paBits !== undefined) checkOneOf(sp.paBits, "spec.paBits", PARANGE_BITS);
  checkBigU64(pa, "pa");
  checkInt(level, "level", -1, 3, "a level");
  checkBits(prot, "prot", PROT_KNOWN, PROT_KNOWN_NAMES);
  const pageShift = pageShiftOf(spec.granule);
  const minBlock = spec.granule === 4096 ? 1 : 2;
  if (spec.lpa2 && spec.granule === 65536) throw new InputError("--lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only");
  if (level < minBlock || level > 3) {
    throw new InputError(
      `--level: KVM maps leaves at levels ${minBlock}..3 with a ${granuleName(spec.granule)} granule (KVM_PGTABLE_MIN_BLOCK_LEVEL = ${minBlock}); ${level} is not one`,
    );
  }
  const size = 1n << BigInt(kvmGranuleShift(pageShift, level));
  if (pa % size !== 0n) throw new InputError(`--pa: ${hex(pa)} is not aligned to the level-${level} leaf size ${hex(size)}`);
  const f = pteFormat(spec.granule, spec.lpa2);
  const paBits = spec.paBits ?? (f.oaLimit > 2 ** 48 ? 52 : 48);
  if (paBits > 48 && f.oaLimit <= 2 ** 48) {
    throw new InputError(`--pa-bits: ${paBits}-bit PAs need FEAT_LPA2 (--lpa2) with a ${granuleName(spec.granule)} granule`);
  }
  if (pa >= 1n << BigInt(paBits)) throw new InputError(`--pa: ${hex(pa)} is beyond the ${paBits}-bit PA range`);
  const r = encodeLeaf(spec, Number(pa), level, prot);
  if (typeof r === "number") {
    const why = protRefusal(prot) ?? "refused";
    return `prot: stage2_set_prot_attr() returns -EINVAL (${r === -EINVAL ? -EINVAL : r}): ${why}`;
  }
  return r;
}
