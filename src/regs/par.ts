/**
 * PAR_EL1, the Physical Address Register: the result of an AT instruction
 * (Arm ARM D24.2.142, PAR_EL1, 64-bit format without FEAT_D128). F (bit 0)
 * chooses the form.
 *
 * F = 0, a successful translation:
 *   63:56 ATTR (MAIR encoding, the combined stage-1 + stage-2 attributes)
 *   55:52 RES0   51:48 PA[51:48] (FEAT_LPA)   47:12 PA[47:12]
 *   11 NSE (FEAT_RME; RES1 otherwise)   10 IMPLEMENTATION DEFINED   9 NS
 *   8:7 SH   6:1 RES0   0 F
 *
 * F = 1, an aborted translation:
 *   63:48 IMPLEMENTATION DEFINED (three fields)   47:16 RES0
 *   15 DirtyBit (FEAT_S1PIE/S2PIE)   14 Overlay (FEAT_S1POE/S2POE)
 *   13 TopLevel (FEAT_THE)   12 AssuredOnly (FEAT_THE)   11 RES1   10 RES0
 *   9 S (0 stage 1, 1 stage 2)   8 PTW (a stage-2 fault on the stage-1 walk)
 *   7 RES0   6:1 FST (the DFSC encoding)   0 F
 *
 * src/mair/par.ts encodes ATTR and SH (ASL EncodePARAttrs,
 * PAREncodeShareability) into these fields.
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldNum, impdef, res0, res1, type DecodedRegister, type Layout } from "./field.js";
import { fscInfo, fscWords } from "./fsc.js";
import { checkBigU64, checkFunction } from "../pgtable/args.js";

export const SH_VALUES = { 0: "Non-shareable", 1: "reserved", 2: "Outer Shareable", 3: "Inner Shareable" } as const;

/** PAR_EL1's fields, success (F = 0) and fault (F = 1) forms. */
export const PAR = {
  F: bit("F", 0, "0: the address translation completed, 1: it aborted"),
  // F = 0
  ATTR: field("ATTR", 63, 56, "memory attributes of the output address, in MAIR_ELx Attr<n> encoding"),
  RES0_55_52: res0(55, 52),
  PA_51_48: field("PA[51:48]", 51, 48, "output address bits 51:48 (FEAT_LPA, 52-bit addresses; RES0 otherwise)", { feature: "FEAT_LPA" }),
  PA: field("PA", 47, 12, "output address bits 47:12"),
  NSE: bit("NSE", 11, "the NSE attribute of an EL3-regime result (FEAT_RME); RES1 without FEAT_RME", { feature: "FEAT_RME" }),
  IMPDEF_10: impdef(10),
  NS: bit("NS", 9, "Non-secure attribute of a Secure-regime result; UNKNOWN for a Non-secure regime"),
  SH: field("SH", 8, 7, "shareability of the output address (0b10 for any Device or Normal Non-cacheable memory)", { values: SH_VALUES }),
  RES0_6_1: res0(6, 1),
  // F = 1
  IMPDEF_63_56: impdef(63, 56),
  IMPDEF_55_52: impdef(55, 52),
  IMPDEF_51_48: impdef(51, 48),
  RES0_47_16: res0(47, 16),
  DIRTYBIT: bit("DirtyBit", 15, "a Permission fault with Indirect Permissions due to dirty state (FEAT_S1PIE/FEAT_S2PIE)", { feature: "FEAT_S1PIE" }),
  OVERLAY: bit("Overlay", 14, "a Permission fault due to Overlay Permissions (FEAT_S1POE/FEAT_S2POE)", { feature: "FEAT_S1POE" }),
  TOPLEVEL: bit("TopLevel", 13, "the fault was due to TopLevel (FEAT_THE)", { feature: "FEAT_THE" }),
  ASSUREDONLY: bit("AssuredOnly", 12, "a stage-2 fault due to AssuredOnly (FEAT_THE)", { feature: "FEAT_THE" }),
  RES1_11: res1(11),
  RES0_10: res0(10),
  S: bit("S", 9, "the stage that aborted", { values: { 0: "stage 1", 1: "stage 2" } }),
  PTW: bit("PTW", 8, "1: a stage-2 fault during the stage-1 table walk"),
  RES0_7: res0(7),
  FST: field("FST", 6, 1, "Fault status code, as the DFSC of a Data Abort"),
} as const;

/** PAR_EL1 with F = 0: PA, ATTR, SH, NS, every bit. */
export const PAR_SUCCESS_LAYOUT: Layout = {
  register: "PAR_EL1",
  width: 64,
  fields: [PAR.ATTR, PAR.RES0_55_52, PAR.PA_51_48, PAR.PA, PAR.NSE, PAR.IMPDEF_10, PAR.NS, PAR.SH, PAR.RES0_6_1, PAR.F],
};
/** PAR_EL1 with F = 1: FST, PTW, S, every bit. */
export const PAR_FAULT_LAYOUT: Layout = {
  register: "PAR_EL1",
  width: 64,
  fields: [
    PAR.IMPDEF_63_56,
    PAR.IMPDEF_55_52,
    PAR.IMPDEF_51_48,
    PAR.RES0_47_16,
    PAR.DIRTYBIT,
    PAR.OVERLAY,
    PAR.TOPLEVEL,
    PAR.ASSUREDONLY,
    PAR.RES1_11,
    PAR.RES0_10,
    PAR.S,
    PAR.PTW,
    PAR.RES0_7,
    PAR.FST,
    PAR.F,
  ],
};
checkLayout(PAR_SUCCESS_LAYOUT);
checkLayout(PAR_FAULT_LAYOUT);

/** The output address of a successful PAR_EL1 (PA[51:48]:PA[47:12], page aligned). */
export function parPa(par: bigint): bigint {
  return (BigInt(fieldNum(par, PAR.PA_51_48)) << 48n) | (BigInt(fieldNum(par, PAR.PA)) << 12n);
}

/**
 * Decode PAR_EL1. `describeAttr` words the ATTR byte (the caller passes the
 * MAIR decoder of src/mair, which this layer cannot import).
 */
export function decodePar(value: bigint, describeAttr?: (attr: number) => string): DecodedRegister {
  checkBigU64(value, "value");
  if (describeAttr !== undefined) checkFunction(describeAttr, "describeAttr");
  const fault = fieldNum(value, PAR.F) === 1;
  const layout = fault ? PAR_FAULT_LAYOUT : PAR_SUCCESS_LAYOUT;
  const { fields, problems } = decodeFields(layout, value, (f, v) => {
    const n = Number(v);
    if (f === PAR.F) return { meaning: n ? "1: the translation aborted (fault form)" : "0: the translation succeeded" };
    if (f === PAR.FST) return fscWords(n, true);
    if (f === PAR.ATTR) return { meaning: `0x${n.toString(16).padStart(2, "0")}${describeAttr ? `: ${describeAttr(n)}` : ""}` };
    if (f === PAR.SH && n === 1) return { meaning: "0b01 reserved", problem: "SH = 0b01 is reserved" };
    if (f === PAR.PA) return { meaning: `PA[47:12]: the output page is PA ${hex(parPa(value))}` };
    if (f === PAR.NSE) return { meaning: n ? "1 (RES1 without FEAT_RME)" : "0: with FEAT_RME the NSE attribute; without FEAT_RME this bit is RES1" };
    if (f === PAR.NS) return { meaning: n ? "1: Non-secure" : "0 (UNKNOWN for a Non-secure translation regime)" };
    return undefined;
  });
  const notes: string[] = [];
  let summary: string;
  if (fault) {
    const fst = fieldNum(value, PAR.FST);
    const fi = fscInfo(fst);
    summary = `aborted at stage ${fieldNum(value, PAR.S) + 1}${fieldNum(value, PAR.PTW) ? " on the stage-1 table walk (PTW)" : ""}: ${fi ? fi.title : `reserved FST 0x${fst.toString(16)}`}`;
    notes.push("KVM's __translate_far_to_hpfar() treats F = 1 as 'back to the guest': the fault is retried");
  } else {
    summary = `PA ${hex(parPa(value))}, ATTR 0x${fieldNum(value, PAR.ATTR).toString(16).padStart(2, "0")}, ${SH_VALUES[fieldNum(value, PAR.SH) as 0 | 1 | 2 | 3]}`;
    notes.push("ATTR and SH may report the resulting attributes (after implementation choices) rather than the descriptors' values (Arm ARM, PAR_EL1)");
  }
  return { register: "PAR_EL1", value: hex(value), width: 64, summary, fields, notes, problems };
}
