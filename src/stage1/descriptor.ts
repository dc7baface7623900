/**
 * The stage-1 descriptor (VMSAv8-64, EL1&0 translation regime, 64-bit
 * descriptors, FEAT_LPA2 not in use: TCR_EL1.DS = 0), one definition of
 * every bit, as the Arm ASL reads it (AArch64_DecodeDescriptorType,
 * AArch64_S1NextWalkStateTable / AArch64_S1ApplyTablePerms,
 * AArch64_S1NextWalkStateLeaf / AArch64_S1ApplyOutputPerms, AArch64_LeafBase,
 * AArch64_NextTableBase). Same conventions as src/pgtable/descriptor.ts: `*_LO` masks are
 * bits 31:0, `*_HI` masks bits 63:32 shifted down by 32. Bits 0 and 1 are the
 * same bits as at stage 2 and are not defined twice (PTE_VALID_LO,
 * PTE_TYPE_LO from src/pgtable/descriptor.ts).
 *
 * Block and page descriptors (leaves):
 *
 *   63  59 58  55 54  53  52  51  50  49 48 47          PS  15  12 11 10  9 8  7 6  5  4    2 1 0
 *  +------+------+---+---+---+---+---+-----+-- ... --+------+----+--+--+----+----+--+-------+-+-+
 *  | PBHA | SW   |UXN|PXN|Con|DBM|GP |  0  | OA[47:PS] |OA    |nG |AF| SH | AP |NS|AttrIdx|T|V|
 *  |      | 3..0 |/XN|   |tig|   |   |     |          |51:48 |   |  |    |2:1 |  | [2:0] | | |
 *  +------+------+---+---+---+---+---+-----+-- ... --+------+----+--+--+----+----+--+-------+-+-+
 *
 *  bit 0      valid
 *  bit 1      1: page at level 3, table above; 0: block (where AArch64_BlockDescSupported), else invalid
 *  bits 4:2   AttrIndx[2:0]: which MAIR_EL1 Attr<n> byte gives the memory type
 *  bit 5      NS (Secure state only; ignored for Non-secure accesses)
 *  bits 7:6   AP[2:1]: 00 EL1 RW, 01 EL1+EL0 RW, 10 EL1 RO, 11 EL1+EL0 RO
 *  bits 9:8   SH[1:0]: 00 NSH, 10 OSH, 11 ISH (01 reserved)
 *  bit 10     AF, the Access flag
 *  bit 11     nG, not global (ASID-tagged)
 *  bits 15:12 OA[51:48] with the 64K granule when FEAT_LPA is implemented (s2pt: PAMax = 52)
 *  bits 47:n  OA, n = the leaf size's log2 (the page shift for a page)
 *  bit 50     GP (FEAT_BTI guarded page)
 *  bit 51     DBM (dirty bit modifier, TCR_EL1.HD)
 *  bit 52     Contiguous hint
 *  bit 53     PXN, privileged execute-never
 *  bit 54     UXN, unprivileged execute-never (XN in single-privilege regimes)
 *  bits 58:55 ignored by the hardware (software use)
 *  bits 62:59 PBHA (FEAT_HPDS2), or ignored
 *
 * Table descriptors (levels 0-2, bits 1:0 = 11): next-level table address in
 * bits 47:PS (and 15:12 as above), and the hierarchical attributes, applied
 * unless TCR_EL1.HPDx = 1 (AArch64_S1ApplyTablePerms):
 *
 *  bit 59     PXNTable: PXN for everything below
 *  bit 60     UXNTable: UXN for everything below
 *  bits 62:61 APTable: bit 61 = no EL0 access below, bit 62 = no write access below
 *  bit 63     NSTable (Secure state only)
 */

import { PTE_TYPE_LO, PTE_VALID_LO } from "../pgtable/descriptor.js";
import { InputError, alignDown, hex, hi32, lo32 } from "../pgtable/u64.js";
import { granuleName, pageShiftOf, type Granule } from "../pgtable/geometry.js";

export { PTE_TYPE_LO, PTE_VALID_LO };

// ---- low half ---------------------------------------------------------------
/** AttrIndx[2:0], bits 4:2. */
export const S1_ATTRINDX_SHIFT = 2;
export const S1_ATTRINDX_LO = 0x7 << S1_ATTRINDX_SHIFT;
/** NS, bit 5. */
export const S1_NS_LO = 1 << 5;
/** AP[2:1], bits 7:6: bit 6 = AP[1] (EL0 has access), bit 7 = AP[2] (read-only). */
export const S1_AP_SHIFT = 6;
export const S1_AP_LO = 0x3 << S1_AP_SHIFT;
export const S1_AP_EL0_LO = 1 << 6;
export const S1_AP_RO_LO = 1 << 7;
/** SH[1:0], bits 9:8. */
export const S1_SH_SHIFT = 8;
export const S1_SH_LO = 0x3 << S1_SH_SHIFT;
/** AF, bit 10. */
export const S1_AF_LO = 1 << 10;
/** nG, bit 11. */
export const S1_NG_LO = 1 << 11;
/** OA[51:48], bits 15:12 (64K granule with FEAT_LPA). */
export const S1_OA_51_48_SHIFT = 12;
export const S1_OA_51_48_LO = 0xf << S1_OA_51_48_SHIFT;

// ---- high half (bit n = bit n - 32 here) -----------------------------------------
/** OA bits 47:32 of a table or leaf. */
export const S1_OA_HI = 0xffff;
/** GP, bit 50 (FEAT_BTI). */
export const S1_GP_HI = 1 << (50 - 32);
/** DBM, bit 51. */
export const S1_DBM_HI = 1 << (51 - 32);
/** Contiguous, bit 52. */
export const S1_CONT_HI = 1 << (52 - 32);
/** PXN, bit 53. */
export const S1_PXN_HI = 1 << (53 - 32);
/** UXN, bit 54. */
export const S1_UXN_HI = 1 << (54 - 32);
/** Software bits 58:55. */
export const S1_SW_SHIFT_HI = 55 - 32;
export const S1_SW_HI = 0xf << S1_SW_SHIFT_HI;
/** PBHA, bits 62:59 of a leaf. */
export const S1_PBHA_SHIFT_HI = 59 - 32;
export const S1_PBHA_HI = 0xf << S1_PBHA_SHIFT_HI;
/** Table descriptors: PXNTable bit 59, UXNTable bit 60, APTable bits 62:61, NSTable bit 63. */
export const S1_PXNTABLE_HI = 1 << (59 - 32);
export const S1_UXNTABLE_HI = 1 << (60 - 32);
export const S1_APTABLE_SHIFT_HI = 61 - 32;
export const S1_APTABLE_HI = 0x3 << S1_APTABLE_SHIFT_HI;
export const S1_NSTABLE_HI = (1 << (63 - 32)) >>> 0;

/** APTable values (bits 62:61 after the shift). */
export const APTABLE_NO_EL0 = 0b01;
export const APTABLE_NO_WRITE = 0b10;

/** AP[2:1] in words (AArch64_S1DirectBasePermissions). */
export const AP_NAMES = ["EL1 read/write, EL0 none", "EL1 and EL0 read/write", "EL1 read-only, EL0 none", "EL1 and EL0 read-only"] as const;
export const SH1_NAMES = ["Non-shareable", "reserved (CONSTRAINED UNPREDICTABLE)", "Outer Shareable", "Inner Shareable"] as const;

/** The log2 of the size one entry at `level` maps (ASL: granulebits + stride * (FINAL_LEVEL - level)). */
export function s1LevelShift(pageShift: number, level: number): number {
  return pageShift + (pageShift - 3) * (3 - level);
}

// ---- encoding -------------------------------------------------------------------

/** The fields of a stage-1 leaf. */
export interface S1LeafFields {
  /** Output address (an IPA under stage 2), aligned to the leaf size. */
  oa: number;
  /** 0..3; level 3 is a page, others blocks. */
  level: number;
  attrIndx: number;
  /** AP[2:1], 0..3. */
  ap: number;
  /** SH[1:0], 0..3. */
  sh: number;
  af: boolean;
  ng?: boolean;
  pxn?: boolean;
  uxn?: boolean;
  contiguous?: boolean;
  dbm?: boolean;
  gp?: boolean;
}

/** The hierarchical attributes of a stage-1 table descriptor. */
export interface S1TableFields {
  pxnTable?: boolean;
  uxnTable?: boolean;
  /** APTable, 0..3. */
  apTable?: number;
  nsTable?: boolean;
}

function checkField(v: number, max: number, what: string): void {
  if (!(Number.isInteger(v) && v >= 0 && v <= max)) throw new InputError(`${what}: ${v} is outside 0..${max}`);
}

/** The OA bits of an address in a descriptor (47:pageShift, and 51:48 in 15:12 for 64K). */
function oaLo(pa: number, pageShift: number): number {
  let lo = lo32(pa) & ~((1 << pageShift) - 1);
  if (pageShift === 16) lo |= (Math.floor(pa / 2 ** 48) & 0xf) << S1_OA_51_48_SHIFT;
  return lo >>> 0;
}

/**
 * A stage-1 block or page descriptor, into out[0] (bits 31:0) and out[1]
 * (bits 63:32). Throws InputError for a misaligned OA or an out-of-range field.
 */
export function encodeS1Leaf(granule: Granule, f: S1LeafFields, out: Uint32Array | number[]): void {
  const pageShift = pageShiftOf(granule);
  checkField(f.level, 3, "level");
  checkField(f.attrIndx, 7, "AttrIndx");
  checkField(f.ap, 3, "AP");
  checkField(f.sh, 3, "SH");
  const size = 2 ** s1LevelShift(pageShift, f.level);
  const limit = pageShift === 16 ? 2 ** 52 : 2 ** 48;
  if (!(f.oa >= 0 && f.oa < limit) || alignDown(f.oa, size) !== f.oa)
    throw new InputError(`output address ${hex(f.oa)} is not a ${hex(size)}-aligned address below ${hex(limit)}`);
  let lo = oaLo(f.oa, pageShift) | PTE_VALID_LO | (f.level === 3 ? PTE_TYPE_LO : 0);
  lo |= (f.attrIndx << S1_ATTRINDX_SHIFT) | (f.ap << S1_AP_SHIFT) | (f.sh << S1_SH_SHIFT);
  if (f.af) lo |= S1_AF_LO;
  if (f.ng) lo |= S1_NG_LO;
  let hi = hi32(f.oa) & S1_OA_HI;
  if (f.gp) hi |= S1_GP_HI;
  if (f.dbm) hi |= S1_DBM_HI;
  if (f.contiguous) hi |= S1_CONT_HI;
  if (f.pxn) hi |= S1_PXN_HI;
  if (f.uxn) hi |= S1_UXN_HI;
  out[0] = lo >>> 0;
  out[1] = hi >>> 0;
}

/** A stage-1 table descriptor pointing at `table` (granule-aligned), into out[0..1]. */
export function encodeS1Table(granule: Granule, table: number, f: S1TableFields, out: Uint32Array | number[]): void {
  const pageShift = pageShiftOf(granule);
  const limit = pageShift === 16 ? 2 ** 52 : 2 ** 48;
  if (!(table >= 0 && table < limit) || alignDown(table, granule) !== table)
    throw new InputError(`table address ${hex(table)} is not a ${granuleName(granule)}-aligned address below ${hex(limit)}`);
  checkField(f.apTable ?? 0, 3, "APTable");
  let hi = hi32(table) & S1_OA_HI;
  if (f.pxnTable) hi |= S1_PXNTABLE_HI;
  if (f.uxnTable) hi |= S1_UXNTABLE_HI;
  hi |= (f.apTable ?? 0) << S1_APTABLE_SHIFT_HI;
  if (f.nsTable) hi |= S1_NSTABLE_HI;
  out[0] = (oaLo(table, pageShift) | PTE_VALID_LO | PTE_TYPE_LO) >>> 0;
  out[1] = hi >>> 0;
}

/**
 * AArch64_NextTableBase / AArch64_LeafBase without the leaf-size alignment:
 * the address bits of a descriptor (47:pageShift, plus 51:48 from bits 15:12
 * with the 64K granule when `lpa64` says FEAT_LPA is implemented).
 */
export function s1DescAddress(lo: number, hi: number, pageShift: number, lpa64: boolean): number {
  let a = (hi & S1_OA_HI) * 4294967296 + ((lo & ~((1 << pageShift) - 1)) >>> 0);
  if (pageShift === 16 && lpa64) a += ((lo & S1_OA_51_48_LO) >>> S1_OA_51_48_SHIFT) * 2 ** 48;
  return a;
}
