/**
 * Stage-2 geometry: levels, start level, concatenated root pages and the
 * VTCR_EL2 fields, exactly as Linux derives them.
 *
 *   kvm_get_vtcr(mmfr0, mmfr1, phys_shift)          (pgtable.c)
 *     lvls = stage2_pgtable_levels(phys_shift), at least 2
 *          = ARM64_HW_PGTABLE_LEVELS(phys_shift - 4) = (phys_shift - 8) / (PAGE_SHIFT - 3)
 *     SL0  = VTCR_EL2_LVLS_TO_SL0(lvls) = TGRAN_SL0_BASE - (4 - lvls)
 *            (TGRAN_SL0_BASE 2 for 4K, 3 for 16K and 64K); SL2 is never written
 *   __kvm_pgtable_stage2_init()
 *     start_level = TGRAN_SL0_BASE - SL0 = 4 - lvls
 *     kvm_pgd_pages(ia, sl) = kvm_pgd_page_idx(~0) + 1 = 2^max(0, ia - kvm_granule_shift(sl - 1))
 *   kvm_granule_shift(L) = ARM64_HW_PGTABLE_LEVEL_SHIFT(L) = (PAGE_SHIFT - 3) * (4 - L) + 3
 *
 *   granule | entries | shift L0 / L1 / L2 / L3 | KVM block levels (KVM_PGTABLE_MIN_BLOCK_LEVEL)
 *   4K      |   512   |  39 / 30 / 21 / 12     | L1 1G, L2 2M, L3 page (min 1)
 *   16K     |  2048   |  47 / 36 / 25 / 14     | L2 32M, L3 page (min 2)
 *   64K     |  8192   |  55 / 42 / 29 / 16     | L2 512M, L3 page (min 2)
 *
 * What KVM refuses (kvm_set_ipa_limit / kvm_arm_setup_stage2): an IPA size
 * below 32 (ARM64_MIN_PARANGE_BITS) or above the IPA limit, which is the
 * host PA range, clamped to 48 bits for 4K and 16K pages without FEAT_LPA2.
 */

import { InputError, hex } from "./u64.js";
import { ArgumentError, checkBool, checkInt, checkObject, checkOneOf, shown } from "./args.js";
import { KVM_PGTABLE_LAST_LEVEL, pteFormat, type PteFormat } from "./descriptor.js";
import { fieldPrep } from "../regs/field.js";
import { PARANGE_BITS } from "../regs/pa-size.js";
import { VTCR, VTCR_TG0_16K, VTCR_TG0_4K, VTCR_TG0_64K } from "../regs/vtcr.js";

/** The translation granules, bytes. */
export const GRANULES = [4096, 16384, 65536] as const;
/** A translation granule, bytes: 4096, 16384 or 65536. */
export type Granule = (typeof GRANULES)[number];

/** ID_AA64MMFR0_EL1.PARange encodings and the PA sizes they stand for (src/regs/pa-size.ts). */
export { PARANGE_BITS };

/** The hardware and kernel configuration a stage-2 table is built for (FORMAT.md `config`). */
export interface Stage2Config {
  granule: Granule;
  iaBits: number;
  paBits: number;
  lpa2: boolean;
  fwb: boolean;
  tlbRange: boolean;
}

/** One level of the walk: its index bits of the IPA, entries, and what one entry maps. */
export interface LevelInfo {
  level: number;
  /** kvm_granule_shift(level): log2 of the size one entry maps. */
  shift: number;
  /** Highest and lowest IPA bits that index this level (the start level indexes all of the root pages). */
  ipaBitHi: number;
  ipaBitLo: number;
  /** Entries walked at this level: PTRS_PER_PTE, or pgd_pages * PTRS_PER_PTE (of which `usedEntries` reachable) at the start level. */
  entries: number;
  usedEntries: number;
  /** kvm_level_supports_block_mapping(level) (level 3: a page). */
  leafAllowed: boolean;
  /** Size one leaf at this level maps, in bytes. */
  leafSize: number;
}

/**
 * A stage-2 table's geometry as KVM derives it from the configuration (stage2Geometry): levels, start level, concatenated root pages, the VTCR_EL2 it programs. JSON-safe.
 */
export interface Geometry {
  readonly granule: Granule;
  readonly pageShift: number;
  /** PTRS_PER_PTE = 2^(PAGE_SHIFT - 3). */
  readonly ptrsPerPte: number;
  readonly iaBits: number;
  readonly paBits: number;
  readonly lpa2: boolean;
  /** Number of levels walked. */
  readonly levels: number;
  readonly startLevel: number;
  /** kvm_pgd_pages(): concatenated root pages. */
  readonly pgdPages: number;
  /** KVM_PGTABLE_MIN_BLOCK_LEVEL. */
  readonly minBlockLevel: number;
  /** kvm_granule_shift(level), indexed by level + 1 (level -1 .. 3). */
  readonly shifts: readonly number[];
  /** @internal The descriptor format (output-address masks). */
  readonly format: PteFormat;
  readonly vtcr: VtcrFields;
  readonly levelInfo: readonly LevelInfo[];
}

/** The VTCR_EL2 kvm_get_vtcr() writes, by field, and whole. */
export interface VtcrFields {
  t0sz: number;
  sl0: number;
  /** SL2 (FEAT_LPA2): KVM never writes it (it always concatenates at the start level). */
  sl2: number;
  /** TG0 encoding: 4K 0b00, 64K 0b01, 16K 0b10. */
  tg0: number;
  /** PS: the PARange encoding of pa_bits. */
  ps: number;
  /** DS: set when kvm_lpa2_is_enabled(). */
  ds: number;
  /**
   * The whole register as kvm_get_vtcr() composes it, assuming a kernel built
   * with CONFIG_ARM64_HW_AFDBM on a CPU without the AC03_CPU_38 erratum (HA=1)
   * and 16-bit VMIDs (VS=1): VTCR_EL2_FLAGS (SH0 inner, ORGN0/IRGN0 WBWA, TG0,
   * RES1 bit 31) | PS | T0SZ | SL0 | HA | DS | VS. Hex, as the kernel
   * prints it (a 64-bit register value: JSON-safe as a string).
   */
  value: string;
}

/** PAGE_SHIFT of a granule. */
export function pageShiftOf(granule: Granule): number {
  if (granule !== 4096 && granule !== 16384 && granule !== 65536) throw new ArgumentError("granule", `${shown(granule)} is not 4096, 16384 or 65536`);
  return granule === 4096 ? 12 : granule === 16384 ? 14 : 16;
}

/** kvm_granule_shift(level) = ARM64_HW_PGTABLE_LEVEL_SHIFT(level). */
export function kvmGranuleShift(pageShift: number, level: number): number {
  if (pageShift !== 12 && pageShift !== 14 && pageShift !== 16) throw new ArgumentError("pageShift", `${shown(pageShift)} is not 12, 14 or 16`);
  if (!(level === -1 || level === 0 || level === 1 || level === 2 || level === 3)) checkInt(level, "level", -1, 3, "a level");
  return (pageShift - 3) * (4 - level) + 3;
}

/** stage2_pgtable_levels(ipa) = ARM64_HW_PGTABLE_LEVELS(ipa - 4). */
export function stage2PgtableLevels(pageShift: number, iaBits: number): number {
  if (pageShift !== 12 && pageShift !== 14 && pageShift !== 16) throw new ArgumentError("pageShift", `${shown(pageShift)} is not 12, 14 or 16`);
  checkInt(iaBits, "iaBits", 32, 52, "an IPA size");
  return Math.floor((iaBits - 8) / (pageShift - 3));
}

export function parseGranule(v: string | number, what = "granule"): Granule {
  const s = String(v).trim().toLowerCase();
  const n = s === "4k" ? 4096 : s === "16k" ? 16384 : s === "64k" ? 65536 : /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (n === 4096 || n === 16384 || n === 65536) return n;
  throw new InputError(`${what}: '${v}' is not a granule (4k, 16k, 64k or 4096, 16384, 65536)`);
}

/** A granule as people write it: 4K, 16K, 64K. */
export function granuleName(g: Granule): string {
  checkOneOf(g, "g", GRANULES);
  return g === 4096 ? "4K" : g === 16384 ? "16K" : "64K";
}

/**
 * The IPA limit KVM would accept for this host (kvm_set_ipa_limit):
 * PARange, clamped to 48 for 4K/16K pages without FEAT_LPA2.
 */
export function ipaLimit(granule: Granule, paBits: number, lpa2: boolean): number {
  pageShiftOf(granule);
  checkOneOf(paBits, "paBits", PARANGE_BITS);
  checkBool(lpa2, "lpa2");
  if (granule !== 65536 && !lpa2 && paBits > 48) return 48;
  return paBits;
}

/**
 * Derive the geometry, or throw an InputError naming the field the kernel
 * would refuse.
 */
export function stage2Geometry(c: { granule: Granule; iaBits: number; paBits?: number; lpa2: boolean }): Geometry {
  checkObject(c, "config");
  checkBool(c.lpa2, "lpa2");
  const granule = c.granule;
  if (granule !== 4096 && granule !== 16384 && granule !== 65536) {
    throw new InputError(`granule: ${shown(granule)} is not 4096, 16384 or 65536`);
  }
  const iaBits = c.iaBits;
  if (!Number.isInteger(iaBits) || iaBits < 32 || iaBits > 52) {
    throw new InputError(`ia_bits: ${shown(iaBits)} is outside 32..52 (KVM refuses an IPA size below ARM64_MIN_PARANGE_BITS = 32)`);
  }
  if (c.lpa2 && granule === 65536) {
    throw new InputError("lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only (64K reaches 52 bits with FEAT_LPA)");
  }
  // Without a PA size, assume the largest the format carries when the IPA needs it.
  const paBits = c.paBits ?? (iaBits > 48 && (granule === 65536 || c.lpa2) ? 52 : 48);
  if (!Number.isInteger(paBits) || !(PARANGE_BITS as readonly number[]).includes(paBits)) {
    throw new InputError(`pa_bits: ${shown(paBits)} is not a PARange size (${PARANGE_BITS.join(", ")})`);
  }
  if (paBits === 52 && granule !== 65536 && !c.lpa2) {
    throw new InputError("pa_bits: 52-bit PAs with a 4K or 16K granule need FEAT_LPA2 (set lpa2); without it KVM clamps PARange to 48");
  }
  const limit = ipaLimit(granule, paBits, c.lpa2);
  if (iaBits > limit) {
    const why =
      granule !== 65536 && !c.lpa2 && iaBits > 48
        ? "IPAs above 48 bits with a 4K or 16K granule need FEAT_LPA2"
        : `the IPA limit is the host PA range (pa_bits ${paBits})`;
    throw new InputError(`ia_bits: ${iaBits} exceeds KVM's IPA limit of ${limit} bits: ${why}`);
  }

  const pageShift = pageShiftOf(granule);
  let levels = stage2PgtableLevels(pageShift, iaBits);
  if (levels < 2) levels = 2;
  const sl0Base = granule === 4096 ? 2 : 3;
  const sl0 = sl0Base - (4 - levels);
  const startLevel = sl0Base - sl0;
  const minBlockLevel = granule === 4096 ? 1 : 2;
  const tg0 = granule === 4096 ? VTCR_TG0_4K : granule === 65536 ? VTCR_TG0_64K : VTCR_TG0_16K;
  const ps = PARANGE_BITS.indexOf(paBits as (typeof PARANGE_BITS)[number]);
  const t0sz = 64 - iaBits;
  const ds = c.lpa2 ? 1 : 0;
  const value =
    fieldPrep(VTCR.SH0, 3) | // Inner Shareable
    fieldPrep(VTCR.ORGN0, 1) | // WBWA
    fieldPrep(VTCR.IRGN0, 1) | // WBWA
    fieldPrep(VTCR.TG0, tg0) |
    fieldPrep(VTCR.RES1_31, 1) |
    fieldPrep(VTCR.PS, ps) |
    fieldPrep(VTCR.T0SZ, t0sz) |
    fieldPrep(VTCR.SL0, sl0) |
    fieldPrep(VTCR.HA, 1) |
    fieldPrep(VTCR.VS, 1) | // 16-bit VMIDs
    fieldPrep(VTCR.DS, ds);

  return geometryAt(granule, iaBits, paBits, c.lpa2, startLevel, minBlockLevel, { t0sz, sl0, sl2: 0, tg0, ps, ds, value: hex(value) });
}

/** The geometry of a walk from `startLevel`, the level-1..3 blocks from `minBlockLevel` on (values already checked). */
function geometryAt(granule: Granule, iaBits: number, paBits: number, lpa2: boolean, startLevel: number, minBlockLevel: number, vtcr: VtcrFields): Geometry {
  const pageShift = pageShiftOf(granule);
  const ptrsPerPte = 1 << (pageShift - 3);
  const shifts: number[] = [];
  for (let l = -1; l <= 3; l++) shifts.push(kvmGranuleShift(pageShift, l));
  // The bits one root page resolves: shift(start) + stride (level start - 1 may be -2, where kvm_granule_shift has no value).
  const pgdShift = kvmGranuleShift(pageShift, startLevel) + pageShift - 3;
  const pgdPages = 2 ** Math.max(0, iaBits - pgdShift);
  const levelInfo: LevelInfo[] = [];
  for (let l = startLevel; l <= KVM_PGTABLE_LAST_LEVEL; l++) {
    const shift = kvmGranuleShift(pageShift, l);
    const top = l === startLevel ? iaBits - 1 : shift + pageShift - 3 - 1;
    const entries = l === startLevel ? pgdPages * ptrsPerPte : ptrsPerPte;
    levelInfo.push({
      level: l,
      shift,
      ipaBitHi: top,
      ipaBitLo: shift,
      entries,
      usedEntries: l === startLevel ? Math.min(entries, 2 ** (iaBits - shift)) : ptrsPerPte,
      leafAllowed: l >= minBlockLevel,
      leafSize: 2 ** shift,
    });
  }
  return {
    granule,
    pageShift,
    ptrsPerPte,
    iaBits,
    paBits,
    lpa2,
    levels: KVM_PGTABLE_LAST_LEVEL - startLevel + 1,
    startLevel,
    pgdPages,
    minBlockLevel,
    shifts,
    format: pteFormat(granule, lpa2),
    vtcr,
    levelInfo,
  };
}

/**
 * The geometry of a stage-2 walk as a VTCR_EL2 value defines it
 * (src/walker/image.ts's AArch64.S2TTWParams), not as KVM would choose it:
 * any start level the register gives (AArch64.S2StartLevel), hence any
 * number of concatenated root tables (one page when the start level
 * resolves fewer bits than a page holds), any IPA size, blocks wherever the
 * architecture allows them (AArch64.BlockDescSupported, level 1 or 2 is
 * minBlockLevel), and `vtcr` the register's own fields. The caller has
 * checked the values against the architecture (S2InconsistentSL and the
 * rest); this only checks their types and ranges.
 */
export function s2WalkGeometry(c: { granule: Granule; iaBits: number; paBits: number; lpa2: boolean; startLevel: number; vtcr: VtcrFields }): Geometry {
  checkObject(c, "config");
  checkOneOf(c.granule, "granule", GRANULES);
  checkInt(c.iaBits, "iaBits", 16, 52, "an IPA size in bits");
  checkInt(c.paBits, "paBits", 32, 52, "a PA size in bits");
  checkBool(c.lpa2, "lpa2");
  checkInt(c.startLevel, "startLevel", -1, 3, "a start level");
  checkObject(c.vtcr, "vtcr");
  let minBlock = 3;
  for (let l = 2; l >= -1; l--) if (blockDescSupported(c.granule, c.lpa2, c.paBits, l)) minBlock = l;
  return geometryAt(c.granule, c.iaBits, c.paBits, c.lpa2, c.startLevel, minBlock, c.vtcr);
}

/**
 * AArch64_BlockDescSupported for 64-bit descriptors: where the architecture
 * allows a block descriptor at all (KVM uses fewer: KVM_PGTABLE_MIN_BLOCK_LEVEL).
 * 4K blocks at levels 1 and 2 (level 0 too with DS = 1), 16K at level 2
 * (level 1 with DS = 1), 64K at level 2 (level 1 when the PE supports 52-bit
 * PAs: PAMax >= 52, taken as the table's pa_bits, the PARange KVM writes to
 * VTCR_EL2.PS). Never at level -1 or 3 (a level-3 descriptor with bit 1
 * clear is invalid).
 */
export function blockDescSupported(granule: number, ds: boolean, paMax: number, level: number): boolean {
  if (!(
    typeof level === "number" &&
    level >= -1 &&
    level <= 3 &&
    (level | 0) === level &&
    typeof ds === "boolean" &&
    typeof paMax === "number" &&
    (granule === 4096 || granule === 16384 || granule === 65536)
  )) {
    pageShiftOf(granule as Granule);
    checkBool(ds, "ds");
    checkInt(paMax, "paMax", 32, 52, "a PA size");
    checkInt(level, "level", -1, 3, "a level");
  }
  if (granule === 4096) return level === 1 || level === 2 || (level === 0 && ds);
  if (granule === 16384) return level === 2 || (level === 1 && ds);
  return level === 2 || (level === 1 && paMax >= 52);
}

/** kvm_pgtable_stage2_pgd_size(vtcr). */
export function stage2PgdSize(g: Geometry): number {
  if (!(typeof g === "object" && g !== null && typeof g.pgdPages === "number" && typeof g.granule === "number"))
    throw new ArgumentError("g", `${shown(g)} is not a Geometry (stage2Geometry() makes one)`);
  return g.pgdPages * g.granule;
}
