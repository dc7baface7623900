/**
 * The stage-2 attributes of a leaf as the walk reports them, ready for the
 * stage-1 + stage-2 combination (src/mair): MemAttr read per FEAT_S2FWB, SH
 * (from the descriptor, or VTCR_EL2.SH0 when FEAT_LPA2 puts OA bits in 9:8),
 * S2AP, XN, AF, DBM, FnXS, Contiguous. Field positions come from
 * src/pgtable/descriptor.ts.
 */

import {
  PTE_TYPE_LO,
  S2AP_R_LO,
  S2AP_W_LO,
  S2_AF_LO,
  S2_CONT_HI,
  S2_DBM_HI,
  S2_FNXS_LO,
  S2_MEMATTR_LO,
  S2_MEMATTR_SHIFT,
  S2_SH_LO,
  S2_SH_SHIFT,
  S2_XNX_HI,
  S2_XNX_SHIFT_HI,
} from "../pgtable/descriptor.js";
import { describeS2MemAttr } from "../mair/s2memattr.js";
import { PERM_R, PERM_W, PERM_X, s2PermBits } from "./perms.js";

export const SH_NAMES = ["Non-shareable", "reserved (CONSTRAINED UNPREDICTABLE)", "Outer Shareable", "Inner Shareable"] as const;

/** A stage-2 leaf's attributes, field by field, and what they grant (for reports and the combine). */
export interface S2LeafAttrs {
  /** MemAttr[3:0], descriptor bits 5:2. */
  memAttr: number;
  /** HCR_EL2.FWB the MemAttr was read with. */
  fwb: boolean;
  memAttrText: string;
  memAttrShort: string;
  memAttrLinux: string | null;
  memAttrReserved: boolean;
  /** SH[1:0]: descriptor bits 9:8, or VTCR_EL2.SH0 with FEAT_LPA2 (VTCR_EL2.DS = 1). */
  sh: number;
  shFrom: "descriptor" | "VTCR_EL2.SH0";
  shName: string;
  /** S2AP[1:0], bits 7:6 (as in memory, before any DBM reading). */
  s2ap: number;
  /** Bits 54:53: XN[1:0] with FEAT_XNX; without it only bit 54 (XN) counts. */
  xn: number;
  af: boolean;
  dbm: boolean;
  fnxs: boolean;
  contiguous: boolean;
  /** What the descriptor grants, with the walker's HA/HD and FEAT_XNX: data read, data write, fetch at EL0 / EL1. */
  read: boolean;
  write: boolean;
  execEl0: boolean;
  execEl1: boolean;
}

export interface AttrContext {
  fwb: boolean;
  lpa2: boolean;
  /** VTCR_EL2.SH0 (used when lpa2). */
  vtcrSh0: number;
  xnx: boolean;
  /** VTCR_EL2.HA and HD both set. */
  hwDirty: boolean;
}

/** The stage-2 attributes of a leaf descriptor (lo, hi halves). */
export function s2LeafAttrs(lo: number, hi: number, ctx: AttrContext): S2LeafAttrs {
  const memAttr = (lo & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT;
  const mt = describeS2MemAttr(memAttr, ctx.fwb);
  const sh = ctx.lpa2 ? ctx.vtcrSh0 : (lo & S2_SH_LO) >>> S2_SH_SHIFT;
  const p0 = s2PermBits(lo, hi, 0, ctx.xnx, ctx.hwDirty);
  const p1 = s2PermBits(lo, hi, 1, ctx.xnx, ctx.hwDirty);
  return {
    memAttr,
    fwb: ctx.fwb,
    memAttrText: mt.text,
    memAttrShort: mt.short,
    memAttrLinux: mt.linux,
    memAttrReserved: mt.reserved,
    sh,
    shFrom: ctx.lpa2 ? "VTCR_EL2.SH0" : "descriptor",
    shName: SH_NAMES[sh],
    s2ap: (lo & (S2AP_R_LO | S2AP_W_LO)) >>> 6,
    xn: (hi & S2_XNX_HI) >>> S2_XNX_SHIFT_HI,
    af: (lo & S2_AF_LO) !== 0,
    dbm: (hi & S2_DBM_HI) !== 0,
    fnxs: (lo & S2_FNXS_LO) !== 0,
    contiguous: (hi & S2_CONT_HI) !== 0,
    read: (p1 & PERM_R) !== 0,
    write: (p1 & PERM_W) !== 0,
    execEl0: (p0 & PERM_X) !== 0,
    execEl1: (p1 & PERM_X) !== 0,
  };
}

/** Whether a (valid, leaf) descriptor is a page (level 3) or a block. */
export function leafKind(lo: number, level: number): "page" | "block" {
  return level === 3 && (lo & PTE_TYPE_LO) !== 0 ? "page" : "block";
}
