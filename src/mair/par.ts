/**
 * How PAR_EL1 reports a translation's memory attributes (ASL EncodePARAttrs,
 * PAREncodeShareability): ATTR = PAR_EL1[63:56] in MAIR encoding, SH =
 * PAR_EL1[8:7] (the field definitions are src/regs/par.ts's).
 *
 *   AllocationTagged                 0xF0
 *   Device                           0b0000dd0x, bit 0 = NOT XS (FEAT_XS; 0 without it)
 *   Normal, XS = 0, WT/WT, outer RA
 *     non-transient                  0xA0 (the inner hints are not reported)
 *   Normal, XS = 0, NC/NC            0x40
 *   Normal otherwise                 one nibble per half: WT 0b00RW transient / 0b10RW,
 *                                    WB 0b01RW transient / 0b11RW, NC 0b0100
 *   SH                               0b10 (OSH) for Device and Normal NC/NC, else the
 *                                    combined shareability (0b00 NSH, 0b11 ISH)
 */

import { MEMATTR_NC, MEMATTR_WB, MEMATTR_WT, MEMHINT_RA, MEMTYPE_DEVICE, SH_OSH, TAG_ALLOCATION, type MemAttrHints, type MemoryAttributes } from "./attrs.js";
import { bitsText, fieldPrep } from "../regs/field.js";
import { PAR } from "../regs/par.js";
import { checkInt, checkOneOf, checkU64 } from "../pgtable/args.js";

function encodeHalf(h: MemAttrHints): number {
  if (h.attrs === MEMATTR_WT) return (h.transient ? 0b0000 : 0b1000) | h.hints;
  if (h.attrs === MEMATTR_WB) return (h.transient ? 0b0100 : 0b1100) | h.hints;
  return 0b0100;
}

/**
 * ASL EncodePARAttrs. `xs` says whether FEAT_XS is implemented: without it
 * the XS attribute is not reported (Device bytes are dd00 and the 0x40/0xA0
 * forms do not exist). FEAT_MTE_PERM is not implemented, so NoTagAccess is
 * never reported (0xE0).
 */
export function encodePARAttrs(m: MemoryAttributes, xs: boolean): number {
  if (m.tags === TAG_ALLOCATION) return 0xf0;
  if (m.memtype === MEMTYPE_DEVICE) return (m.device << 2) | (xs && m.xs === 0 ? 1 : 0);
  if (xs && m.xs === 0) {
    if (m.outer.attrs === MEMATTR_WT && m.inner.attrs === MEMATTR_WT && !m.outer.transient && m.outer.hints === MEMHINT_RA) return 0xa0;
    if (m.outer.attrs === MEMATTR_NC && m.inner.attrs === MEMATTR_NC) return 0x40;
  }
  return (encodeHalf(m.outer) << 4) | encodeHalf(m.inner);
}

/** ASL PAREncodeShareability: Device and Normal NC/NC report Outer Shareable. */
export function parEncodeShareability(m: MemoryAttributes): number {
  if (m.memtype === MEMTYPE_DEVICE || (m.inner.attrs === MEMATTR_NC && m.outer.attrs === MEMATTR_NC)) return SH_OSH;
  return m.shareability;
}

/** PAR_EL1.ATTR and PAR_EL1.SH as they sit in the register (a successful translation, F = 0, PA bits zero). */
export function parFields(attr: number, sh: number): string {
  return `PAR_EL1.ATTR[${bitsText(PAR.ATTR)}] = 0x${attr.toString(16).padStart(2, "0")}, PAR_EL1.SH[${bitsText(PAR.SH)}] = 0b${sh.toString(2).padStart(2, "0")}`;
}

/**
 * A successful PAR_EL1 with these attributes and output page (F = 0; bit 11
 * set, RES1 without FEAT_RME), as `AT S1E1R` would leave it. `pa` is the
 * output address (a number below 2^53; bits 11:0 are not reported); the
 * result is the register value.
 */
export function parValue(attr: number, sh: number, paArg: number): bigint {
  checkInt(attr, "attr", 0, 255, "a MAIR Attr byte");
  checkOneOf(sh, "sh", [0, 1, 2, 3]);
  const pa = BigInt(checkU64(paArg, "pa"));
  return (
    fieldPrep(PAR.ATTR, attr) |
    fieldPrep(PAR.PA_51_48, (pa >> 48n) & 0xfn) |
    fieldPrep(PAR.PA, (pa >> 12n) & ((1n << 36n) - 1n)) |
    fieldPrep(PAR.NSE, 1) |
    fieldPrep(PAR.SH, sh)
  );
}
