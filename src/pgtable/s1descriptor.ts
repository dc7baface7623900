/**
 * The stage-1 descriptor (VMSAv8-64, EL1&0 translation regime, 64-bit
 * descriptors, FEAT_LPA2 not in use: TCR_EL1.DS = 0), one definition of
 * every bit, as the Arm ASL reads it (AArch64_DecodeDescriptorType,
 * AArch64_S1NextWalkStateTable / AArch64_S1ApplyTablePerms,
 * AArch64_S1NextWalkStateLeaf / AArch64_S1ApplyOutputPerms, AArch64_LeafBase,
 * AArch64_NextTableBase). Same conventions as descriptor.ts: `*_LO` masks are
 * bits 31:0, `*_HI` masks bits 63:32 shifted down by 32. Bits 0 and 1 are the
 * same bits as at stage 2 and are not defined twice (PTE_VALID_LO,
 * PTE_TYPE_LO from descriptor.ts).
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

import { PTE_TYPE_LO, PTE_VALID_LO } from "./descriptor.js";
import { InputError, alignDown, hex, hexHalves, hi32, lo32 } from "./u64.js";
import { addUncoveredBits, type DecodedDescriptor, type DecodedField, type DescriptorKind } from "./decode.js";
import { granuleName, pageShiftOf, type Granule } from "./geometry.js";

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

// ---- decoding ---------------------------------------------------------------------

export interface S1DecodeOptions {
  granule: Granule;
  /** Level the descriptor was read at; without it a table and a page cannot be told apart. */
  level?: number;
  /** MAIR_EL1 as eight bytes (Attr0 first), to name the AttrIndx entry. */
  mair?: ArrayLike<number>;
  /** 64K granule: bits 15:12 are OA[51:48] (FEAT_LPA); default false. */
  lpa64?: boolean;
}

function bitRange(h: number, l: number): string {
  return h === l ? String(h) : `${h}:${l}`;
}

/** Any 64-bit value read as a stage-1 descriptor, field by field. */
export function decodeS1Descriptor(value: bigint, opts: S1DecodeOptions): DecodedDescriptor {
  const lo = Number(value & 0xffffffffn);
  const hi = Number((value >> 32n) & 0xffffffffn);
  const pageShift = pageShiftOf(opts.granule);
  const level = opts.level ?? null;
  const lpa64 = opts.lpa64 ?? false;
  const fields: DecodedField[] = [];
  const notes: string[] = [];
  const add = (name: string, hiBit: number, loBit: number, v: number | bigint, meaning: string): void => {
    const raw = (value >> BigInt(loBit)) & ((1n << BigInt(hiBit - loBit + 1)) - 1n);
    fields.push({ name, bits: bitRange(hiBit, loBit), value: hex(v), raw: hex(raw), meaning });
  };
  const out = (kind: DescriptorKind, summary: string, oa: string | null): DecodedDescriptor => {
    addUncoveredBits(value, fields, "RES0 or ignored in this kind of entry");
    return { value: hexHalves(lo, hi), prot: null, kind, summary, level, granule: granuleName(opts.granule), oa, fields, notes };
  };

  add("VALID", 0, 0, lo & PTE_VALID_LO, lo & PTE_VALID_LO ? "valid" : "invalid: a walk that reads it takes a Translation fault");
  if (!(lo & PTE_VALID_LO))
    return out(
      lo === 0 && hi === 0 ? "empty" : "invalid",
      lo === 0 && hi === 0 ? "empty entry (0): invalid" : "invalid entry (bit 0 clear; the other bits are ignored)",
      null,
    );

  const typeBit = (lo & PTE_TYPE_LO) >>> 1;
  let kind: DescriptorKind;
  if (typeBit) kind = level === null ? "table-or-page" : level === 3 ? "page" : "table";
  else kind = level === 3 ? "reserved" : "block";
  add(
    "TYPE",
    1,
    1,
    typeBit,
    typeBit
      ? level === null
        ? "table (levels 0-2) or page (level 3)"
        : level === 3
          ? "page"
          : "table"
      : level === 3
        ? "reserved at level 3: invalid"
        : "block (invalid where the granule has no blocks at this level)",
  );
  const addr = s1DescAddress(lo, hi, pageShift, lpa64);

  if (kind === "table") {
    add("next-level table", 47, pageShift, addr, `table address ${hex(addr)}`);
    if (pageShift === 16 && lpa64) add("OA[51:48]", 15, 12, (lo & S1_OA_51_48_LO) >>> 12, "table address bits 51:48 (64K granule, FEAT_LPA)");
    const pxnT = (hi & S1_PXNTABLE_HI) !== 0;
    const uxnT = (hi & S1_UXNTABLE_HI) !== 0;
    const apT = (hi & S1_APTABLE_HI) >>> S1_APTABLE_SHIFT_HI;
    add("PXNTable", 59, 59, pxnT ? 1 : 0, pxnT ? "no execution at EL1 below this table" : "no restriction");
    add("UXNTable", 60, 60, uxnT ? 1 : 0, uxnT ? "no execution at EL0 below this table" : "no restriction");
    add("APTable", 62, 61, apT, ["no restriction", "no EL0 access below", "no write access below", "no EL0 access and no write access below"][apT]);
    add("NSTable", 63, 63, (hi >>> 31) & 1, "Secure state only (ignored for Non-secure accesses)");
    return out("table", `table descriptor -> next-level table at ${hex(addr)}`, hex(addr));
  }

  const attrIndx = (lo & S1_ATTRINDX_LO) >>> S1_ATTRINDX_SHIFT;
  const mairByte = opts.mair ? opts.mair[attrIndx] : null;
  add("AttrIndx", 4, 2, attrIndx, `MAIR_EL1.Attr${attrIndx}${mairByte !== null ? ` = 0x${mairByte.toString(16).padStart(2, "0")}` : ""}`);
  add("NS", 5, 5, (lo & S1_NS_LO) >>> 5, "Secure state only (ignored for Non-secure accesses)");
  const ap = (lo & S1_AP_LO) >>> S1_AP_SHIFT;
  add("AP[2:1]", 7, 6, ap, AP_NAMES[ap]);
  const sh = (lo & S1_SH_LO) >>> S1_SH_SHIFT;
  add("SH", 9, 8, sh, SH1_NAMES[sh]);
  add("AF", 10, 10, (lo & S1_AF_LO) >>> 10, lo & S1_AF_LO ? "accessed" : "not accessed: an access takes a stage-1 Access flag fault (TCR_EL1.HA = 0)");
  add("nG", 11, 11, (lo & S1_NG_LO) >>> 11, lo & S1_NG_LO ? "not global (tagged with the ASID)" : "global");
  if (pageShift === 16 && lpa64) add("OA[51:48]", 15, 12, (lo & S1_OA_51_48_LO) >>> 12, "output address bits 51:48 (64K granule, FEAT_LPA)");
  const leafShift = level === null ? pageShift : s1LevelShift(pageShift, level);
  const oa = alignDown(addr, 2 ** leafShift);
  add("OA", 47, leafShift, oa, `output address ${hex(oa)}${level !== null ? ` (${kind === "block" ? "block" : "page"} of ${hex(2 ** leafShift)} bytes)` : ""}`);
  if (oa !== addr) notes.push(`output-address bits below the block size are set (${hex(addr - oa)}): ignored (AArch64_LeafBase)`);
  add("GP", 50, 50, (hi & S1_GP_HI) >>> 18, hi & S1_GP_HI ? "guarded page (FEAT_BTI)" : "not guarded");
  add("DBM", 51, 51, (hi & S1_DBM_HI) >>> 19, hi & S1_DBM_HI ? "dirty bit modifier (effective with TCR_EL1.HA and HD)" : "no dirty bit modifier");
  add("Contiguous", 52, 52, (hi & S1_CONT_HI) >>> 20, hi & S1_CONT_HI ? "contiguous hint" : "no contiguous hint");
  const pxn = (hi & S1_PXN_HI) !== 0;
  const uxn = (hi & S1_UXN_HI) !== 0;
  add("PXN", 53, 53, pxn ? 1 : 0, pxn ? "no execution at EL1" : "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)");
  add("UXN", 54, 54, uxn ? 1 : 0, uxn ? "no execution at EL0" : "EL0 may execute");
  const sw = (hi & S1_SW_HI) >>> S1_SW_SHIFT_HI;
  if (sw) add("SW", 58, 55, sw, "software bits (ignored by the hardware)");
  const pbha = (hi & S1_PBHA_HI) >>> S1_PBHA_SHIFT_HI;
  if (pbha) add("PBHA", 62, 59, pbha, "page-based hardware attributes (FEAT_HPDS2) or ignored");

  let summary: string;
  if (kind === "page") summary = `page -> ${hex(oa)}`;
  else if (kind === "block") summary = level !== null ? `level-${level} block (${hex(2 ** leafShift)} bytes) -> ${hex(oa)}` : `block -> ${hex(oa)}`;
  else if (kind === "reserved") summary = "reserved encoding at level 3 (bit 1 clear): the walk takes a Translation fault";
  else summary = `table or page: as a page -> ${hex(oa)}`;
  summary += `, AttrIndx ${attrIndx}${mairByte !== null ? ` (0x${mairByte.toString(16).padStart(2, "0")})` : ""}, AP ${ap.toString(2).padStart(2, "0")}, SH ${["NSH", "SH=01", "OSH", "ISH"][sh]}${lo & S1_AF_LO ? ", AF" : ", AF clear"}${pxn ? ", PXN" : ""}${uxn ? ", UXN" : ""}`;
  return out(kind, summary, hex(oa));
}
