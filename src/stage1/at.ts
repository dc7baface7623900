/**
 * The address translation instructions AT S1E1R, AT S1E1W (stage 1 only)
 * and AT S12E1R, AT S12E1W (stages 1 and 2) for the EL1&0 regime with stage
 * 2 enabled, and the PAR_EL1 they leave (Arm ARM PAR_EL1, 64-bit format;
 * ASL AArch64.AT over AArch64.S1Translate / AArch64.FullTranslate, the PAR
 * fields of src/regs/par.ts, the attributes encoded by src/mair:
 * EncodePARAttrs, PAREncodeShareability).
 *
 *   S1E1R/W   AArch64.AT(va, TranslationStage_1, EL1, ATAccess_Read/Write):
 *             the stage-1 walk (every table read still translated by stage 2),
 *             EL1 read or write permission; PAR.PA = the IPA, ATTR/SH = the
 *             stage-1 attributes alone
 *   S12E1R/W  AArch64.AT(va, TranslationStage_12, EL1, ...): both stages;
 *             PAR.PA = the PA, ATTR/SH = the combined attributes (src/mair)
 *
 * PAR_EL1 on success (F = 0): ATTR[63:56], PA[51:48] and PA[47:12], NSE
 * bit 11 = 1 (RES1 without FEAT_RME), NS bit 9 = 0 (UNKNOWN for a result of
 * a Non-secure translation regime: s2pt writes 0), SH[8:7].
 * On a fault (F = 1): FST[6:1] = the fault status code (EncodeLDFSC: the
 * type and the level of the walk that faulted: stage 1's, or stage 2's for
 * S = 1), PTW bit 8 = a stage-2 fault on the stage-1 table walk, S bit 9 =
 * the stage, bit 11 RES1; the IMPLEMENTATION DEFINED bits 63:48 are 0.
 * PAR_EL1 has no level field: the level is FST's.
 *
 * Where the fault is not reported in PAR_EL1 (the Arm ARM's "Exceptions to
 * reporting the fault in PAR_EL1"): an AT S1E1* executed at EL1 whose
 * stage-1 walk takes a stage-2 fault takes that fault, to EL2 (a Data Abort
 * with S1PTW = 1, CM = 1 and WnR = 1, HPFAR_EL2 as for an access), and PAR_EL1 is
 * not written; executed at EL2 (KVM's own use, __translate_far_to_hpfar())
 * the same fault is reported in PAR_EL1 with S = 1, PTW = 1. AT S12E1* is
 * an EL2 instruction (UNDEFINED at EL1 without nested virtualization).
 *
 * s2pt's choices, documented in docs/raw-descriptors-and-at.md: the walk is
 * the access's walk, hardware Access flag and dirty updates included (the
 * stage-2 walker's VTCR_EL2.HA = 1, TCR_EL1.HA/HD as the guest gives
 * them); FEAT_XS not implemented (the combine's default), so Device results
 * read dd00; a column the architecture leaves open (a reserved MAIR byte, SH
 * 0b01, a reserved stage-2 MemAttr) is reported with its permitted values
 * and no single PAR_EL1 value.
 */

import { hex } from "../pgtable/u64.js";
import { fieldPrep, mask32 } from "../regs/field.js";
import { ABT } from "../regs/esr.js";
import { PAR } from "../regs/par.js";
import { parValue } from "../mair/par.js";
import { stage1ParAttrs } from "../mair/combine.js";
import { ACCESS_READ, ACCESS_WRITE, FAULT_NAMES, FAULT_NONE, encodeLDFSC, faultEsr, hpfarOf, ipaValid } from "../walker/fault.js";
import { guestCombineOptions, nestedMemType } from "./guest.js";
import { STAGE_1, type NestedWalker } from "./walk.js";
import { ArgumentError, checkBigU64, checkInstance, checkInt, checkOneOf } from "../pgtable/args.js";
import { NestedWalker as NestedWalkerClass } from "./walk.js";

/** ESR_ELx.ISS.CM: the abort came from a cache maintenance or address translation instruction. */
const ISS_CM = mask32(ABT.CM);

/** The AT instructions modelled. */
export const AT_INSTRUCTIONS = ["S1E1R", "S1E1W", "S12E1R", "S12E1W"] as const;
/** One of them. */
export type AtInstruction = (typeof AT_INSTRUCTIONS)[number];

/** What an AT instruction left: PAR_EL1 and its fields, or the exception it took instead (JSON-safe). */
export interface AtResult {
  /** The instruction, e.g. "S12E1R". */
  insn: string;
  /** The VA translated (hex). */
  va: string;
  /** The EL the instruction ran at. */
  from_el: number;
  /** PAR_EL1 (hex); null when the instruction took an exception instead, or when ATTR/SH are open. */
  par: string | null;
  /** PAR_EL1.F: 0 success, 1 aborted; null when an exception was taken. */
  f: 0 | 1 | null;
  /** Success: the output address (the IPA for S1E1*, the PA for S12E1*), hex, bits 11:0 from the VA. */
  oa?: string;
  /** Success: PAR_EL1.ATTR (hex byte), null when the architecture leaves it open. */
  attr?: string | null;
  /** Success: PAR_EL1.SH (0, 2, 3), null when open. */
  sh?: number | null;
  /** Success: PAR_EL1.NS as s2pt writes it (0; UNKNOWN for a Non-secure regime). */
  ns?: 0;
  /** Success: the memory type in words. */
  memtype?: string;
  /** Success, when a column is open: its permitted values. */
  permitted?: { attr: string[]; sh: number[] };
  /** Fault: PAR_EL1.FST (hex), S, PTW, and the fault in words (stage, type, level). */
  fst?: string;
  s?: 0 | 1;
  ptw?: 0 | 1;
  fault?: { stage: 1 | 2; type: string; level: number };
  /** Not reported in PAR_EL1: the stage-2 fault an AT S1E1* at EL1 takes to EL2 (PAR_EL1 is not written). */
  exception?: { to_el: 2; type: string; level: number; s1ptw: true; esr_el2: string; hpfar: string | null };
}

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

/** PAR_EL1 for an aborted translation: F, FST, PTW, S, the RES1 bit 11. */
export function parFaultValue(fst: number, s: 0 | 1, ptw: 0 | 1): bigint {
  checkInt(fst, "fst", 0, 0x3f, "a fault status code");
  checkOneOf(s, "s", [0, 1]);
  checkOneOf(ptw, "ptw", [0, 1]);
  return fieldPrep(PAR.F, 1) | fieldPrep(PAR.FST, fst) | fieldPrep(PAR.PTW, ptw) | fieldPrep(PAR.S, s) | fieldPrep(PAR.RES1_11, 1);
}

/**
 * Run one AT instruction for `va` on the guest of nested walker `w`, executed
 * at `fromEl` (1: the guest, 2: the hypervisor). Throws ArgumentError for an
 * instruction that is not one of AT_INSTRUCTIONS, or S12E1* at EL1.
 */
export function atInstruction(w: NestedWalker, insn: string, va: bigint, fromEl: number): AtResult {
  checkInstance(w, "w", NestedWalkerClass, "a NestedWalker");
  checkOneOf(insn, "insn", AT_INSTRUCTIONS);
  checkBigU64(va, "va");
  checkOneOf(fromEl, "fromEl", [1, 2]);
  const stage12 = insn.startsWith("S12");
  if (stage12 && fromEl === 1) {
    throw new ArgumentError(
      "from_el",
      `AT ${insn} at EL1 is UNDEFINED (trapped to EL2 only with nested virtualization, HCR_EL2.NV = 1): it is an EL2 instruction (from_el 2)`,
    );
  }
  const access = insn.endsWith("W") ? ACCESS_WRITE : ACCESS_READ;
  const base = { insn, va: hex(va), from_el: fromEl };
  w.s1Only = !stage12;
  let r: number;
  try {
    r = w.translate(Number(va & 0xffffffffn), Number(va >> 32n), access, 1);
  } finally {
    w.s1Only = false;
  }
  if (r === FAULT_NONE) {
    const oa = stage12 ? w.pa : w.ipa;
    let attr: number;
    let sh: number;
    let memtype: string;
    let permitted: { attr: number[]; sh: number[] };
    if (stage12) {
      const m = nestedMemType(w, access);
      ({ attr, sh, memtype, permitted } = m);
    } else {
      const o = guestCombineOptions(w.cfg, false, access);
      const m = stage1ParAttrs(w.s1Attr, w.s1Sh, { hcrDC: o.hcrDC, hcrDCT: o.hcrDCT, sctlrC: o.sctlrC, sctlrI: o.sctlrI });
      ({ attr, sh, memtype, permitted } = m);
    }
    const out: AtResult = {
      ...base,
      par: attr >= 0 && sh >= 0 ? hex(parValue(attr, sh, oa)) : null,
      f: 0,
      oa: hex(oa),
      attr: attr >= 0 ? hex2(attr) : null,
      sh: sh >= 0 ? sh : null,
      ns: 0,
      memtype,
    };
    if (attr < 0 || sh < 0) out.permitted = { attr: permitted.attr.map(hex2), sh: permitted.sh };
    return out;
  }
  if (w.faultStage === STAGE_1) {
    const fst = encodeLDFSC(w.faultType, w.faultLevel);
    return {
      ...base,
      par: hex(parFaultValue(fst, 0, 0)),
      f: 1,
      fst: hex2(fst),
      s: 0,
      ptw: 0,
      fault: { stage: 1, type: FAULT_NAMES[w.faultType], level: w.faultLevel },
    };
  }
  // A stage-2 fault: on the stage-1 table walk (S1PTW), or (S12E1*) on the output IPA.
  if (w.s1ptw && !stage12 && fromEl === 1) {
    return {
      ...base,
      par: null,
      f: null,
      exception: {
        to_el: 2,
        type: FAULT_NAMES[w.faultType],
        level: w.faultLevel,
        s1ptw: true,
        // A fault from an AT instruction: CM = 1, and WnR = 1 whatever the
        // instruction (arch-attributes 5: "DC/IC/AT report 1").
        esr_el2: hex((faultEsr(w.faultType, w.faultLevel, ACCESS_WRITE, true, true) | ISS_CM) >>> 0),
        hpfar: ipaValid(w.faultType, true) ? hex(hpfarOf(BigInt(w.faultIpa))) : null,
      },
    };
  }
  const fst = encodeLDFSC(w.faultType, w.faultLevel);
  const ptw = w.s1ptw ? 1 : 0;
  return {
    ...base,
    par: hex(parFaultValue(fst, 1, ptw)),
    f: 1,
    fst: hex2(fst),
    s: 1,
    ptw,
    fault: { stage: 2, type: FAULT_NAMES[w.faultType], level: w.faultLevel },
  };
}
