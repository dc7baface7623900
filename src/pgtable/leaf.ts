/**
 * Encoding one leaf from the API edge, with the checks a caller of
 * kvm_pgtable_stage2_map() relies on made explicit: a level that may hold a
 * leaf (KVM_PGTABLE_MIN_BLOCK_LEVEL..3), a PA aligned to that level's size
 * and inside the output-address range, and the kernel's own refusals of a
 * prot (stage2_set_prot_attr).
 *
 * encodeLeaf() is the public form (the PA a number below 2^53, a JSON-safe
 * result); encodeLeafChecked() the same for any 64-bit PA, naming the
 * arguments as the caller does (the CLI's --pa, --level).
 */

import { EINVAL, PROT_DEVICE, PROT_NORMAL_NC, PROT_X, encodeLeafFast, pteFormat, type EncodedLeaf } from "./descriptor.js";
import { PARANGE_BITS, granuleName, kvmGranuleShift, pageShiftOf, type Granule } from "./geometry.js";
import { InputError, hex } from "./u64.js";
import { PROT_KNOWN, PROT_KNOWN_NAMES } from "./descriptor.js";
import { ArgumentError, checkBigU64, checkBits, checkBool, checkInt, checkObject, checkOneOf, checkU64, shown } from "./args.js";

/** The format of the leaf to encode. */
export interface LeafEncodeSpec {
  /** The granule: 4096, 16384 or 65536. */
  granule: Granule;
  /** FEAT_LPA2 descriptors (4K and 16K granules only). */
  lpa2: boolean;
  /** FEAT_S2FWB in use (the MemAttr encodings differ). */
  fwb: boolean;
  /** Host PA size (default 48, or 52 when the format carries 52-bit addresses). */
  paBits?: number;
}

/** The leaf encodeLeaf() made, or the kernel's refusal: JSON-safe. */
export interface EncodeLeafResult {
  /** 0, or -EINVAL when stage2_set_prot_attr() refuses the prot. */
  ret: number;
  /** The descriptor kvm_pgtable_stage2_map() writes (hex), or null when the kernel refuses. */
  pte: string | null;
  /** Why the kernel refuses, one line with its errno (null when it does not). */
  refusal: string | null;
}

/** How encodeLeafChecked() names its arguments in a refusal. */
export interface LeafArgNames {
  pa: string;
  level: string;
  lpa2: string;
  paBits: string;
}

const CLI_NAMES: LeafArgNames = { pa: "--pa", level: "--level", lpa2: "--lpa2", paBits: "--pa-bits" };
const API_NAMES: LeafArgNames = { pa: "pa", level: "level", lpa2: "spec.lpa2", paBits: "spec.paBits" };

/**
 * The leaf kvm_pgtable_stage2_map() writes for `prot` at `level` (a leaf
 * level: KVM_PGTABLE_MIN_BLOCK_LEVEL..3) with output address `pa` (a
 * number below 2^53, aligned to the level's size, below 2^paBits): the
 * descriptor, or the kernel's -EINVAL with why. A level, alignment or
 * address no map could produce is refused (ArgumentError).
 */
export function encodeLeaf(spec: LeafEncodeSpec, pa: number, level: number, prot: number): EncodeLeafResult {
  checkObject(spec, "spec");
  checkU64(pa, "pa");
  const r = encodeLeafChecked(spec, BigInt(pa), level, prot, API_NAMES);
  if (typeof r === "string") return { ret: -EINVAL, pte: null, refusal: r };
  return { ret: 0, pte: hex(r.value), refusal: null };
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
 * @internal
 * The leaf kvm_pgtable_stage2_map() writes, or a one-line message with the
 * kernel's errno when the kernel refuses the prot, for any 64-bit PA. Throws
 * an InputError for a level, alignment or address no map could produce,
 * naming the argument as `names` says (the CLI's options by default).
 */
export function encodeLeafChecked(spec: LeafEncodeSpec, pa: bigint, level: number, prot: number, names: LeafArgNames = CLI_NAMES): EncodedLeaf | string {
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
  if (spec.lpa2 && spec.granule === 65536) throw new InputError(`${names.lpa2}: FEAT_LPA2 descriptors exist for 4K and 16K granules only`);
  if (level < minBlock || level > 3) {
    throw new InputError(
      `${names.level}: KVM maps leaves at levels ${minBlock}..3 with a ${granuleName(spec.granule)} granule (KVM_PGTABLE_MIN_BLOCK_LEVEL = ${minBlock}); ${level} is not one`,
    );
  }
  const size = 1n << BigInt(kvmGranuleShift(pageShift, level));
  if (pa % size !== 0n) throw new InputError(`${names.pa}: ${hex(pa)} is not aligned to the level-${level} leaf size ${hex(size)}`);
  const f = pteFormat(spec.granule, spec.lpa2);
  const paBits = spec.paBits ?? (f.oaLimit > 2 ** 48 ? 52 : 48);
  if (paBits > 48 && f.oaLimit <= 2 ** 48) {
    throw new InputError(`${names.paBits}: ${paBits}-bit PAs need FEAT_LPA2 (--lpa2) with a ${granuleName(spec.granule)} granule`);
  }
  if (pa >= 1n << BigInt(paBits)) throw new InputError(`${names.pa}: ${hex(pa)} is beyond the ${paBits}-bit PA range`);
  const r = encodeLeafFast(spec, Number(pa), level, prot);
  if (typeof r === "number") {
    const why = protRefusal(prot) ?? "refused";
    return `prot: stage2_set_prot_attr() returns -EINVAL (${r}): ${why}`;
  }
  return r;
}
