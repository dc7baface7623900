/**
 * The stage-2 descriptor, one definition of every bit, as Linux 6.18.25 KVM
 * writes it (asm/kvm_pgtable.h, arch/arm64/kvm/hyp/pgtable.c).
 *
 * A descriptor is 64 bits; hot paths hold it as two unsigned 32-bit halves.
 * Constants named `*_LO` are masks in the low half (bits 31:0), constants
 * named `*_HI` are masks in the high half (bit n of the descriptor is bit
 * n - 32 of the high half).
 *
 *   63  59 58  55 54 53 52 51 50 49   48 47            PAGE_SHIFT  15   12 11 10 9  8 7  6 5      2 1 0
 *  +------+------+--+--+--+--+--+-------+----------------+-- ... --+-------+--+--+----+----+--------+-+-+
 *  | PBHA | SW   |XN|XN|C |DB|  | OA    | OA[47:PS]               | OA    |Fn|AF| SH |S2AP|MemAttr |T|V|
 *  |      | 3..0 |  |X0|  |M |  | 49:48 |                         | 51:48 |XS|  |    |W R |  [3:0] | | |
 *  +------+------+--+--+--+--+--+-------+----------------+-- ... --+-------+--+--+----+----+--------+-+-+
 *
 *  bit 0      KVM_PTE_VALID
 *  bit 1      KVM_PTE_TYPE: 1 = table (levels < 3) or page (level 3), 0 = block
 *  bits 5:2   KVM_PTE_LEAF_ATTR_LO_S2_MEMATTR (MT_S2_* / MT_S2_FWB_*; PTE_S2_MEMATTR(t) = t << 2)
 *  bit 6      KVM_PTE_LEAF_ATTR_LO_S2_S2AP_R
 *  bit 7      KVM_PTE_LEAF_ATTR_LO_S2_S2AP_W
 *  bits 9:8   KVM_PTE_LEAF_ATTR_LO_S2_SH (3 = inner shareable); with FEAT_LPA2 (VTCR_EL2.DS=1)
 *             these are OA[51:50] (KVM_PTE_ADDR_51_50_LPA2) and SH comes from VTCR_EL2.SH0
 *  bit 10     KVM_PTE_LEAF_ATTR_LO_S2_AF; in an invalid entry KVM_INVALID_PTE_LOCKED
 *  bit 11     FnXS (FEAT_XS); KVM never sets it
 *  bits 15:12 KVM_PTE_ADDR_51_48 (64K granule without LPA2: OA[51:48])
 *  bits 47:PS KVM_PTE_ADDR_MASK (PS = PAGE_SHIFT); with LPA2 bits 49:PS (KVM_PTE_ADDR_MASK_LPA2)
 *  bit 51     DBM (FEAT_HAFDBS dirty bit modifier); KVM's stage 2 never sets it
 *  bit 52     Contiguous hint; KVM's stage 2 never sets it
 *  bits 54:53 XN[1:0] with FEAT_XNX (TTS2UXN); Linux 6.18.25 uses bit 54 alone (KVM_PTE_LEAF_ATTR_HI_S2_XN)
 *  bits 58:55 KVM_PTE_LEAF_ATTR_HI_SW (software bits, = KVM_PGTABLE_PROT_SW0..3)
 *  bits 62:59 PBHA (FEAT_HPDS2); KVM never sets them
 *  Invalid (bit 0 = 0): 0 = empty; bits 9:2 KVM_INVALID_PTE_OWNER_MASK (owner id, set_owner);
 *  bit 10 KVM_INVALID_PTE_LOCKED (break-before-make in progress).
 */

import { joinU64, lo32, hi32, TWO_32 } from "./u64.js";

// ---- low half ---------------------------------------------------------------
/** KVM_PTE_VALID, bit 0. */
export const PTE_VALID_LO = 0x1;
/** KVM_PTE_TYPE, bit 1: KVM_PTE_TYPE_TABLE = KVM_PTE_TYPE_PAGE = 1, KVM_PTE_TYPE_BLOCK = 0. */
export const PTE_TYPE_LO = 0x2;
/** KVM_PTE_LEAF_ATTR_LO_S2_MEMATTR, bits 5:2. */
export const S2_MEMATTR_SHIFT = 2;
export const S2_MEMATTR_LO = 0xf << S2_MEMATTR_SHIFT;
/** KVM_PTE_LEAF_ATTR_LO_S2_S2AP_R, bit 6. */
export const S2AP_R_LO = 1 << 6;
/** KVM_PTE_LEAF_ATTR_LO_S2_S2AP_W, bit 7. */
export const S2AP_W_LO = 1 << 7;
/** KVM_PTE_LEAF_ATTR_LO_S2_SH, bits 9:8, and KVM_PTE_LEAF_ATTR_LO_S2_SH_IS = 3. */
export const S2_SH_SHIFT = 8;
export const S2_SH_LO = 0x3 << S2_SH_SHIFT;
export const S2_SH_IS = 3;
/** KVM_PTE_LEAF_ATTR_LO_S2_AF, bit 10. */
export const S2_AF_LO = 1 << 10;
/** FnXS, bit 11 (FEAT_XS): 1 = the XS attribute is 0. */
export const S2_FNXS_LO = 1 << 11;
/** KVM_PTE_ADDR_51_48, bits 15:12 (64K granule, 52-bit OA without LPA2). */
export const ADDR_51_48_SHIFT = 12;
export const ADDR_51_48_LO = 0xf << ADDR_51_48_SHIFT;
/** KVM_PTE_ADDR_51_50_LPA2, bits 9:8 (FEAT_LPA2: OA[51:50]). */
export const ADDR_51_50_LPA2_SHIFT = 8;
export const ADDR_51_50_LPA2_LO = 0x3 << ADDR_51_50_LPA2_SHIFT;
/** KVM_INVALID_PTE_OWNER_MASK, bits 9:2 of an invalid entry. */
export const INVALID_PTE_OWNER_SHIFT = 2;
export const INVALID_PTE_OWNER_LO = 0xff << INVALID_PTE_OWNER_SHIFT;
/** KVM_INVALID_PTE_LOCKED, bit 10 of an invalid entry. */
export const INVALID_PTE_LOCKED_LO = 1 << 10;
/** KVM_MAX_OWNER_ID (1 in mainline headers and in the conformance build). */
export const KVM_MAX_OWNER_ID = 1;
/** KVM_PTE_LEAF_ATTR_LO = GENMASK(11, 2). */
export const LEAF_ATTR_LO = 0xffc;

// ---- high half (bit n of the descriptor = bit n - 32 here) ------------------
/** KVM_PTE_LEAF_ATTR_HI = GENMASK(63, 50). */
export const LEAF_ATTR_HI = 0xfffc0000;
/** DBM, bit 51. */
export const S2_DBM_HI = 1 << (51 - 32);
/** Contiguous hint, bit 52. */
export const S2_CONT_HI = 1 << (52 - 32);
/** KVM_PTE_LEAF_ATTR_HI_S2_XN, bit 54 (single-bit XN of Linux 6.18.25). */
export const S2_XN_HI = 1 << (54 - 32);
/** XN[1:0] = bits 54:53 with FEAT_XNX. */
export const S2_XNX_SHIFT_HI = 53 - 32;
export const S2_XNX_HI = 0x3 << S2_XNX_SHIFT_HI;
/** KVM_PTE_LEAF_ATTR_HI_SW = GENMASK(58, 55). */
export const SW_SHIFT_HI = 55 - 32;
export const SW_HI = 0xf << SW_SHIFT_HI;
/** PBHA[3:0], bits 62:59 (FEAT_HPDS2). */
export const S2_PBHA_SHIFT_HI = 59 - 32;
export const S2_PBHA_HI = 0xf << S2_PBHA_SHIFT_HI;

/** KVM_PTE_LEAF_ATTR_S2_PERMS: S2AP_R | S2AP_W | XN, the bits a map treats as "permissions only". */
export const S2_PERMS_LO = S2AP_R_LO | S2AP_W_LO;
export const S2_PERMS_HI = S2_XN_HI;

// ---- levels -----------------------------------------------------------------
/** KVM_PGTABLE_FIRST_LEVEL (s8 levels since v6.9; -1 exists only for 52-bit 4K LPA2). */
export const KVM_PGTABLE_FIRST_LEVEL = -1;
/** KVM_PGTABLE_LAST_LEVEL. */
export const KVM_PGTABLE_LAST_LEVEL = 3;
/** TLBI_TTL_UNKNOWN = INT_MAX: the TTL hint passed when a table entry is cleared. */
export const TLBI_TTL_UNKNOWN = 2147483647;

// ---- memory types (asm/memory.h) ---------------------------------------------
/** MT_S2_NORMAL (FWB off): MemAttr 0b1111, Normal Inner/Outer Write-Back. */
export const MT_S2_NORMAL = 0xf;
/** MT_S2_NORMAL_NC (FWB off): MemAttr 0b0101, Normal Inner/Outer Non-cacheable. */
export const MT_S2_NORMAL_NC = 0x5;
/** MT_S2_DEVICE_nGnRE (FWB off): MemAttr 0b0001, Device-nGnRE. */
export const MT_S2_DEVICE_nGnRE = 0x1;
/** MT_S2_NORMAL_NOTAGACCESS (FWB off, FEAT_MTE_PERM): MemAttr 0b0100. */
export const MT_S2_NORMAL_NOTAGACCESS = 0x4;
/** MT_S2_FWB_NORMAL (FWB on): MemAttr 0b0110, Normal Write-Back forced. */
export const MT_S2_FWB_NORMAL = 0x6;
/** MT_S2_FWB_NORMAL_NC (FWB on): MemAttr 0b0101, Normal Non-cacheable unless stage 1 is Device. */
export const MT_S2_FWB_NORMAL_NC = 0x5;
/** MT_S2_FWB_DEVICE_nGnRE (FWB on): MemAttr 0b0001, Device-nGnRE. */
export const MT_S2_FWB_DEVICE_nGnRE = 0x1;
/** MT_S2_FWB_NORMAL_NOTAGACCESS (FWB on, FEAT_MTE_PERM): MemAttr 0b1110. */
export const MT_S2_FWB_NORMAL_NOTAGACCESS = 0xe;
/** MT_S2_FWB_AS_S1 (2026 mainline, pKVM host): stage 1 attributes pass through. */
export const MT_S2_FWB_AS_S1 = 0x7;

/** `KVM_S2_MEMATTR(pgt, NORMAL)` etc. as a MemAttr field value (not shifted). */
export function s2MemAttrNormal(fwb: boolean): number {
  return fwb ? MT_S2_FWB_NORMAL : MT_S2_NORMAL;
}
/** `KVM_S2_MEMATTR(pgt, NORMAL_NC)` as a MemAttr field value. */
export function s2MemAttrNormalNC(fwb: boolean): number {
  return fwb ? MT_S2_FWB_NORMAL_NC : MT_S2_NORMAL_NC;
}
/** `KVM_S2_MEMATTR(pgt, DEVICE_nGnRE)` as a MemAttr field value. */
export function s2MemAttrDevice(fwb: boolean): number {
  return fwb ? MT_S2_FWB_DEVICE_nGnRE : MT_S2_DEVICE_nGnRE;
}

// ---- enum kvm_pgtable_prot ----------------------------------------------------
// In s2pt a prot is a 32-bit number: bits 4:0 as in the kernel enum, and the
// four software bits at their high-half descriptor positions (bits 26:23 =
// descriptor bits 58:55), so that `prot & SW_HI` is exactly what
// `prot & KVM_PTE_LEAF_ATTR_HI_SW` selects in the kernel's 64-bit prot.
/** KVM_PGTABLE_PROT_X: executable. */
export const PROT_X = 1 << 0;
/** KVM_PGTABLE_PROT_W: writable. */
export const PROT_W = 1 << 1;
/** KVM_PGTABLE_PROT_R: readable. */
export const PROT_R = 1 << 2;
/** KVM_PGTABLE_PROT_DEVICE: Device-nGnRE memory. */
export const PROT_DEVICE = 1 << 3;
/** KVM_PGTABLE_PROT_NORMAL_NC: Normal Non-cacheable memory. */
export const PROT_NORMAL_NC = 1 << 4;
/** KVM_PGTABLE_PROT_SW0 (descriptor bit 55). */
export const PROT_SW0 = 1 << SW_SHIFT_HI;
/** KVM_PGTABLE_PROT_SW1 (descriptor bit 56). */
export const PROT_SW1 = 1 << (SW_SHIFT_HI + 1);
/** KVM_PGTABLE_PROT_SW2 (descriptor bit 57). */
export const PROT_SW2 = 1 << (SW_SHIFT_HI + 2);
/** KVM_PGTABLE_PROT_SW3 (descriptor bit 58). */
export const PROT_SW3 = 1 << (SW_SHIFT_HI + 3);
/** All four software bits. */
export const PROT_SW = SW_HI;
/** KVM_PGTABLE_PROT_RW: R | W. */
export const PROT_RW = PROT_R | PROT_W;
/** KVM_PGTABLE_PROT_RWX: R | W | X. */
export const PROT_RWX = PROT_R | PROT_W | PROT_X;

/** Names as FORMAT.md writes them, in the order the kernel enum lists them. */
export const PROT_NAMES: ReadonlyArray<readonly [string, number]> = [
  ["R", PROT_R],
  ["W", PROT_W],
  ["X", PROT_X],
  ["DEVICE", PROT_DEVICE],
  ["NORMAL_NC", PROT_NORMAL_NC],
  ["SW0", PROT_SW0],
  ["SW1", PROT_SW1],
  ["SW2", PROT_SW2],
  ["SW3", PROT_SW3],
];

/** The kernel's 64-bit `enum kvm_pgtable_prot` value of an s2pt prot. */
export function protToKernel(prot: number): bigint {
  return BigInt(prot & 0x1f) | (BigInt((prot & SW_HI) >>> 0) << 32n);
}

// ---- enum kvm_pgtable_walk_flags -------------------------------------------------
/** KVM_PGTABLE_WALK_LEAF: visit leaves (set by the operations themselves). */
export const WALK_LEAF = 1 << 0;
/** KVM_PGTABLE_WALK_TABLE_PRE: visit table entries before their children (set by the operations). */
export const WALK_TABLE_PRE = 1 << 1;
/** KVM_PGTABLE_WALK_TABLE_POST: visit table entries after their children (set by the operations). */
export const WALK_TABLE_POST = 1 << 2;
/** KVM_PGTABLE_WALK_SHARED: the walk runs under the read lock, in parallel with others (atomic updates, break-before-make with the LOCKED marker). */
export const WALK_SHARED = 1 << 3;
/** KVM_PGTABLE_WALK_HANDLE_FAULT: the walk handles a guest fault (an existing leaf is an -EAGAIN race). */
export const WALK_HANDLE_FAULT = 1 << 4;
/** KVM_PGTABLE_WALK_SKIP_BBM_TLBI: leave the break-before-make TLBI to the caller. */
export const WALK_SKIP_BBM_TLBI = 1 << 5;
/** KVM_PGTABLE_WALK_SKIP_CMO: leave the cache maintenance to the caller. */
export const WALK_SKIP_CMO = 1 << 6;

/** The flags a caller may pass (FORMAT.md); LEAF/TABLE_PRE/TABLE_POST are set by each operation. */
export const WALK_FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ["SHARED", WALK_SHARED],
  ["HANDLE_FAULT", WALK_HANDLE_FAULT],
  ["SKIP_BBM_TLBI", WALK_SKIP_BBM_TLBI],
  ["SKIP_CMO", WALK_SKIP_CMO],
];

/** Every prot bit the kernel's enum kvm_pgtable_prot defines: X, W, R, DEVICE, NORMAL_NC, SW0..SW3. */
export const PROT_KNOWN = (PROT_X | PROT_W | PROT_R | PROT_DEVICE | PROT_NORMAL_NC | PROT_SW) >>> 0;
/** PROT_KNOWN by name, for messages. */
export const PROT_KNOWN_NAMES = "PROT_X, PROT_W, PROT_R, PROT_DEVICE, PROT_NORMAL_NC, PROT_SW0..3";
/** Every walk flag of enum kvm_pgtable_walk_flags. */
export const WALK_FLAGS_KNOWN = WALK_LEAF | WALK_TABLE_PRE | WALK_TABLE_POST | WALK_SHARED | WALK_HANDLE_FAULT | WALK_SKIP_BBM_TLBI | WALK_SKIP_CMO;
/** WALK_FLAGS_KNOWN by name, for messages. */
export const WALK_FLAGS_KNOWN_NAMES = "WALK_LEAF, WALK_TABLE_PRE, WALK_TABLE_POST, WALK_SHARED, WALK_HANDLE_FAULT, WALK_SKIP_BBM_TLBI, WALK_SKIP_CMO";

// ---- errno --------------------------------------------------------------------
/** ENOENT (2). */
export const ENOENT = 2;
/** E2BIG (7). */
export const E2BIG = 7;
/** EAGAIN (11): a parallel walker changed the entry; the caller retries. */
export const EAGAIN = 11;
/** ENOMEM (12): the memory cache or the page budget is empty. */
export const ENOMEM = 12;
/** EFAULT (14). */
export const EFAULT = 14;
/** EINVAL (22). */
export const EINVAL = 22;
/** ERANGE (34): the range is beyond the IPA space. */
export const ERANGE = 34;
/** ENOEXEC (8). */
export const ENOEXEC = 8;
/** EPERM (1). */
export const EPERM = 1;

/** The names of the errnos pgtable.c returns, by (positive) number. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  [EPERM]: "EPERM",
  [ENOENT]: "ENOENT",
  [E2BIG]: "E2BIG",
  [ENOEXEC]: "ENOEXEC",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EFAULT]: "EFAULT",
  [EINVAL]: "EINVAL",
  [ERANGE]: "ERANGE",
};

// ---- output address format (kvm_phys_to_pte / kvm_pte_to_phys) ---------------------

/** How an output address sits in a descriptor: depends on the granule and on FEAT_LPA2 only. */
export interface PteFormat {
  readonly granule: number;
  readonly pageShift: number;
  readonly lpa2: boolean;
  /** KVM_PTE_ADDR_MASK(_LPA2), low half: bits 31:PAGE_SHIFT. */
  readonly addrLo: number;
  /** KVM_PTE_ADDR_MASK(_LPA2), high half: bits 47:32, or 49:32 with LPA2. */
  readonly addrHi: number;
  /** Where OA bits above the main mask go: 0 none (4K/16K without LPA2), 1 = 64K bits 15:12, 2 = LPA2 bits 9:8. */
  readonly highOa: 0 | 1 | 2;
  /** Largest OA + 1 the format can carry: 2^48, or 2^52. */
  readonly oaLimit: number;
}

export function pteFormat(granule: number, lpa2: boolean): PteFormat {
  const pageShift = granule === 4096 ? 12 : granule === 16384 ? 14 : 16;
  const highOa = lpa2 ? 2 : pageShift === 16 ? 1 : 0;
  return {
    granule,
    pageShift,
    lpa2,
    addrLo: ~(granule - 1) >>> 0,
    addrHi: lpa2 ? 0x3ffff : 0xffff,
    highOa,
    oaLimit: highOa === 0 ? 2 ** 48 : 2 ** 52,
  };
}

/** kvm_phys_to_pte(pa): the descriptor bits that hold `pa` (pa page-aligned, below 2^52). */
export function physToPteLo(f: PteFormat, pa: number): number {
  let lo = lo32(pa) & f.addrLo;
  if (f.highOa === 1) lo |= (Math.floor(pa / 2 ** 48) & 0xf) << ADDR_51_48_SHIFT;
  else if (f.highOa === 2) lo |= (Math.floor(pa / 2 ** 50) & 0x3) << ADDR_51_50_LPA2_SHIFT;
  return lo >>> 0;
}
export function physToPteHi(f: PteFormat, pa: number): number {
  return hi32(pa) & f.addrHi;
}

/** kvm_pte_to_phys(pte) as an exact double. */
export function pteToPhys(f: PteFormat, lo: number, hi: number): number {
  let pa = (hi & f.addrHi) * TWO_32 + ((lo & f.addrLo) >>> 0);
  if (f.highOa === 1) pa += ((lo >>> ADDR_51_48_SHIFT) & 0xf) * 2 ** 48;
  else if (f.highOa === 2) pa += ((lo >>> ADDR_51_50_LPA2_SHIFT) & 0x3) * 2 ** 50;
  return pa;
}

// ---- predicates (pgtable.c) --------------------------------------------------------

/** stage2_pte_cacheable: valid and MemAttr == KVM_S2_MEMATTR(pgt, NORMAL). */
export function pteCacheable(lo: number, fwb: boolean): boolean {
  return (lo & PTE_VALID_LO) !== 0 && (lo & S2_MEMATTR_LO) === s2MemAttrNormal(fwb) << S2_MEMATTR_SHIFT;
}
/** stage2_pte_executable: valid and XN clear. */
export function pteExecutable(lo: number, hi: number): boolean {
  return (lo & PTE_VALID_LO) !== 0 && (hi & S2_XN_HI) === 0;
}

// ---- leaf construction ------------------------------------------------------------

/**
 * stage2_set_prot_attr(): the attribute bits of a leaf for `prot`, written to
 * out[0] (low half) and out[1] (high half). Returns 0, or -EINVAL where the
 * kernel refuses (DEVICE|NORMAL_NC, DEVICE|X, NORMAL_NC|X).
 */
export function stage2SetProtAttr(prot: number, fwb: boolean, lpa2: boolean, out: Uint32Array | number[]): number {
  let memattr: number;
  switch (prot & (PROT_DEVICE | PROT_NORMAL_NC)) {
    case PROT_DEVICE | PROT_NORMAL_NC:
      return -EINVAL;
    case PROT_DEVICE:
      if (prot & PROT_X) return -EINVAL;
      memattr = s2MemAttrDevice(fwb);
      break;
    case PROT_NORMAL_NC:
      if (prot & PROT_X) return -EINVAL;
      memattr = s2MemAttrNormalNC(fwb);
      break;
    default:
      memattr = s2MemAttrNormal(fwb);
  }
  let lo = memattr << S2_MEMATTR_SHIFT;
  let hi = 0;
  if (!(prot & PROT_X)) hi |= S2_XN_HI;
  if (prot & PROT_R) lo |= S2AP_R_LO;
  if (prot & PROT_W) lo |= S2AP_W_LO;
  if (!lpa2) lo |= S2_SH_IS << S2_SH_SHIFT;
  lo |= S2_AF_LO;
  hi |= prot & SW_HI;
  out[0] = lo >>> 0;
  out[1] = hi >>> 0;
  return 0;
}

/** kvm_pgtable_stage2_pte_prot(): R/W/X and SW bits of a descriptor (never DEVICE or NORMAL_NC). */
export function stage2PteProt(lo: number, hi: number): number {
  let prot = hi & SW_HI;
  if (!(lo & PTE_VALID_LO)) return prot >>> 0;
  if (lo & S2AP_R_LO) prot |= PROT_R;
  if (lo & S2AP_W_LO) prot |= PROT_W;
  if (!(hi & S2_XN_HI)) prot |= PROT_X;
  return prot >>> 0;
}

/** kvm_init_valid_leaf_pte(pa, attr, level), low half. */
export function initValidLeafPteLo(f: PteFormat, pa: number, attrLo: number, level: number): number {
  const type = level === KVM_PGTABLE_LAST_LEVEL ? PTE_TYPE_LO : 0;
  return (physToPteLo(f, pa) | (attrLo & LEAF_ATTR_LO) | type | PTE_VALID_LO) >>> 0;
}
/** kvm_init_valid_leaf_pte(pa, attr, level), high half. */
export function initValidLeafPteHi(f: PteFormat, pa: number, attrHi: number): number {
  return (physToPteHi(f, pa) | (attrHi & LEAF_ATTR_HI)) >>> 0;
}
/** kvm_init_table_pte(child): low half (the high half is physToPteHi of the child). */
export function initTablePteLo(f: PteFormat, childPa: number): number {
  return (physToPteLo(f, childPa) | PTE_TYPE_LO | PTE_VALID_LO) >>> 0;
}
/** kvm_init_invalid_leaf_owner(owner_id). */
export function initInvalidLeafOwnerLo(ownerId: number): number {
  return ((ownerId & 0xff) << INVALID_PTE_OWNER_SHIFT) >>> 0;
}

// ---- the whole leaf -----------------------------------------------------------------------

/** The format of a leaf: granule, FEAT_LPA2, FEAT_S2FWB. */
export interface LeafSpec {
  granule: number;
  lpa2: boolean;
  fwb: boolean;
}

/** A leaf as its unsigned 32-bit halves, and the whole 64-bit value. */
export interface EncodedLeaf {
  lo: number;
  hi: number;
  value: bigint;
}

/**
 * @internal
 * Encode a leaf from (pa, level, prot) exactly as kvm_pgtable_stage2_map()
 * would write it: stage2_set_prot_attr() then kvm_init_valid_leaf_pte().
 * Returns the kernel's negative errno where it refuses the prot.
 * No argument checks: alignment and level range are the caller's business
 * (the public form, with every check, is leaf.ts encodeLeaf).
 */
export function encodeLeafFast(spec: LeafSpec, pa: number, level: number, prot: number): EncodedLeaf | number {
  const attr = [0, 0];
  const r = stage2SetProtAttr(prot, spec.fwb, spec.lpa2, attr);
  if (r) return r;
  const f = pteFormat(spec.granule, spec.lpa2);
  const lo = initValidLeafPteLo(f, pa, attr[0], level);
  const hi = initValidLeafPteHi(f, pa, attr[1]);
  return { lo, hi, value: joinU64(lo, hi) };
}
