/**
 * Stage-2 faults as the hardware reports them to EL2: the fault status code
 * (ASL EncodeLDFSC), the ESR_EL2 syndrome (AArch64_FaultSyndrome,
 * AArch64_AbortSyndrome), whether HPFAR_EL2 holds the faulting IPA (IPAValid)
 * and its value. Read from the Arm ASL as rendered in Sail
 * (rems-project/sail-arm arm-v9.4-a/src/v8_base.sail).
 *
 * Fault status code, DFSC / IFSC = ESR_EL2.ISS[5:0] (EncodeLDFSC):
 *
 *   fault            level 0..3        level -1 (FEAT_LPA2)   level -2 (FEAT_D128)
 *   Address size     0b0000LL 0x00+L   0b101001 0x29          0b101100 0x2C
 *   Translation      0b0001LL 0x04+L   0b101011 0x2B          0b101010 0x2A
 *   Access flag      0b0010LL 0x08+L   -                      -
 *   Permission       0b0011LL 0x0C+L   -                      -
 *
 * ESR_EL2 for a stage-2 abort taken from EL0/EL1 (bits 63:32, ISS2, are 0 for
 * the faults modelled here):
 *
 *   31    26 25 24  23      14 13 12 11 10  9  8  7     6    5      0
 *  +--------+--+---+----------+--+-----+---+--+--+-----+----+--------+
 *  |   EC   |IL|ISV|  SAS..AR |  |     |FnV|EA|CM|S1PTW|WnR | xFSC   |
 *  +--------+--+---+----------+--+-----+---+--+--+-----+----+--------+
 *   EC 0x24 Data Abort / 0x20 Instruction Abort from a lower Exception level.
 *   IL = 1: RES1 for an Instruction Abort and for a Data Abort with ISV = 0.
 *   ISV = 0: s2pt models no load/store instruction, so it gives no
 *   instruction syndrome (ISS[24:14] = 0). WnR (bit 6) exists for data
 *   aborts only (AArch64_FaultSyndrome sets it on the d_side only); an
 *   instruction abort has bit 6 = 0. S1PTW = 1 for a fault on the stage-2
 *   translation of a stage-1 table walk (src/stage1), 0 for the final access.
 *
 * HPFAR_EL2 (without FEAT_D128): FIPA, bits [43:4] = IPA[51:12]; NS bit 63 is
 * left 0 (it names the IPA space of faults from Secure state only).
 * IPAValid: for a stage-2 fault on the final access, HPFAR_EL2 holds the IPA
 * for Translation, Address size and Access flag faults, and is UNKNOWN for a
 * Permission fault (KVM then recovers the IPA by translating FAR_EL2).
 */

import { ABT, EC_CODES, ESR } from "../regs/esr.js";
import { mask32, fieldGet, fieldPrep } from "../regs/field.js";
import {
  FSC_ACCESS_L0,
  FSC_ADDRSZ_L0,
  FSC_ADDRSZ_LM1,
  FSC_ADDRSZ_LM2,
  FSC_LEVEL_MASK,
  FSC_PERM_L0,
  FSC_TRANS_L0,
  FSC_TRANS_LM1,
  FSC_TRANS_LM2,
  ldfscCode,
} from "../regs/fsc.js";
import { HPFAR } from "../regs/hpfar.js";
import { hex } from "../pgtable/u64.js";

/** The faults the stage-2 walk reports (ASL Fault_*), plus "none". */
export const FAULT_NONE = 0;
/** A Translation fault (the walk met an invalid entry, or the IPA is beyond the IPA space). */
export const FAULT_TRANSLATION = 1;
/** An Access flag fault (a leaf with AF = 0 and VTCR_EL2.HA = 0). */
export const FAULT_ACCESS_FLAG = 2;
/** A Permission fault (S2AP or XN forbid the access). */
export const FAULT_PERMISSION = 3;
/** An Address size fault (an output or table address beyond the PA size). */
export const FAULT_ADDRESS_SIZE = 4;
/**
 * A synchronous External abort on the translation table walk: the walk's
 * read of a descriptor failed (ASL FetchDescriptor -> HandleExternalTTWAbort,
 * Fault_SyncExternalOnWalk at the level of the descriptor read). Only a walk
 * over a memory image meets it: a table page the image does not hold.
 */
export const FAULT_EXTERNAL_WALK = 5;

/** A fault's name in results and JSON. */
export type FaultTypeName = "translation" | "access_flag" | "permission" | "address_size" | "external_abort_walk";

/** Names as the translate op writes them, indexed by FAULT_*. */
export const FAULT_NAMES: readonly (FaultTypeName | "none")[] = ["none", "translation", "access_flag", "permission", "address_size", "external_abort_walk"];

/** The Arm ARM's words for each fault, indexed by FAULT_*. */
export const FAULT_TITLES: readonly string[] = [
  "no fault",
  "Translation fault",
  "Access flag fault",
  "Permission fault",
  "Address size fault",
  "Synchronous External abort on translation table walk",
];

/** A data read (the kind of access being translated). */
export const ACCESS_READ = 0;
/** A data write. */
export const ACCESS_WRITE = 1;
/** An instruction fetch. */
export const ACCESS_EXEC = 2;
/** The accesses' names by ACCESS_* value: r, w, x. */
export const ACCESS_NAMES = ["r", "w", "x"] as const;
/** An access's name: "r", "w" or "x". */
export type AccessName = (typeof ACCESS_NAMES)[number];

/** ESR_ELx.EC values for aborts taken to EL2 from a lower Exception level. */
export const EC_IABT_LOW = EC_CODES.IABT_LOW;
export const EC_DABT_LOW = EC_CODES.DABT_LOW;
/** ESR_ELx.EC for aborts taken without a change of Exception level (a stage-1 fault of an EL1 access, to EL1). */
export const EC_IABT_CUR = EC_CODES.IABT_CUR;
export const EC_DABT_CUR = EC_CODES.DABT_CUR;

/** ESR_ELx bits used here, as 32-bit masks of src/regs's fields. */
export const ESR_EC_SHIFT = ESR.EC.lo;
export const ESR_IL = mask32(ESR.IL);
export const ISS_ISV = mask32(ABT.ISV);
export const ISS_S1PTW = mask32(ABT.S1PTW);
export const ISS_WNR = mask32(ABT.WNR);
export const ISS_FSC = mask32(ABT.DFSC);

/**
 * EncodeLDFSC(statuscode, level) for the stage-2 walk's faults. Returns -1
 * for a combination the ASL marks Unreachable (an Access flag or Permission
 * fault below level 0, any fault outside levels -2..3).
 */
export function encodeLDFSC(type: number, level: number): number {
  if (type === FAULT_EXTERNAL_WALK) return ldfscCode("sea_ttw", level);
  if (level === -2) {
    if (type === FAULT_ADDRESS_SIZE) return FSC_ADDRSZ_LM2;
    if (type === FAULT_TRANSLATION) return FSC_TRANS_LM2;
    return -1;
  }
  if (level === -1) {
    if (type === FAULT_ADDRESS_SIZE) return FSC_ADDRSZ_LM1;
    if (type === FAULT_TRANSLATION) return FSC_TRANS_LM1;
    return -1;
  }
  if (level < 0 || level > 3 || (level | 0) !== level) return -1;
  switch (type) {
    case FAULT_ADDRESS_SIZE:
      return FSC_ADDRSZ_L0 | level;
    case FAULT_TRANSLATION:
      return FSC_TRANS_L0 | level;
    case FAULT_ACCESS_FLAG:
      return FSC_ACCESS_L0 | level;
    case FAULT_PERMISSION:
      return FSC_PERM_L0 | level;
    default:
      return -1;
  }
}

/**
 * FSC -> fault type and level: the inverse of encodeLDFSC for the four faults a
 * walk of KVM's tables gives; type FAULT_NONE for any other code (the
 * external abort on the walk, FAULT_EXTERNAL_WALK, included: only an image's
 * walk reports one, and nothing decodes it back).
 */
export function decodeLDFSC(fsc: number, out: { type: number; level: number }): void {
  out.type = FAULT_NONE;
  out.level = 0;
  switch (fsc) {
    case FSC_ADDRSZ_LM1:
      out.type = FAULT_ADDRESS_SIZE;
      out.level = -1;
      return;
    case FSC_TRANS_LM1:
      out.type = FAULT_TRANSLATION;
      out.level = -1;
      return;
    case FSC_ADDRSZ_LM2:
      out.type = FAULT_ADDRESS_SIZE;
      out.level = -2;
      return;
    case FSC_TRANS_LM2:
      out.type = FAULT_TRANSLATION;
      out.level = -2;
      return;
  }
  if (fsc < 0 || fsc > (FSC_PERM_L0 | FSC_LEVEL_MASK)) return;
  const base = fsc & ~FSC_LEVEL_MASK;
  out.type =
    base === FSC_ADDRSZ_L0 ? FAULT_ADDRESS_SIZE : base === FSC_TRANS_L0 ? FAULT_TRANSLATION : base === FSC_ACCESS_L0 ? FAULT_ACCESS_FLAG : FAULT_PERMISSION;
  out.level = fsc & FSC_LEVEL_MASK;
}

/**
 * IPAValid(fault) for a stage-2 fault: true when HPFAR_EL2 is written with the
 * faulting IPA. On a stage-1 table walk (S1PTW) Permission faults report the
 * IPA too; on the final access they do not.
 */
export function ipaValid(type: number, s1ptw = false): boolean {
  if (s1ptw) return type === FAULT_ACCESS_FLAG || type === FAULT_PERMISSION || type === FAULT_TRANSLATION || type === FAULT_ADDRESS_SIZE;
  return type === FAULT_ACCESS_FLAG || type === FAULT_TRANSLATION || type === FAULT_ADDRESS_SIZE;
}

/** HPFAR_EL2 for an IPA: FIPA = IPA[51:12] (bits of the IPA above 51 are not reported: no FEAT_D128). */
export function hpfarOf(ipa: bigint): bigint {
  return fieldPrep(HPFAR.FIPA, (ipa >> 12n) & ((1n << 40n) - 1n));
}

/** The IPA page KVM reads back from HPFAR_EL2: FIELD_GET(HPFAR_EL2_FIPA, hpfar) << 12. */
export function ipaFromHpfar(hpfar: bigint): bigint {
  return fieldGet(hpfar, HPFAR.FIPA) << 12n;
}

/**
 * ESR_EL2.ISS of a stage-2 fault (AArch64_FaultSyndrome): xFSC, WnR on data
 * aborts, S1PTW = 1 for a fault on the stage-2 translation of a stage-1
 * table walk (FaultRecord.s2fs1walk), ISV = 0. The same for a stage-1 fault
 * reported to EL1 (s1ptw false: S1PTW is RES0 there).
 */
export function faultIss(type: number, level: number, access: number, write: boolean, s1ptw = false): number {
  const fsc = encodeLDFSC(type, level);
  if (fsc < 0) throw new RangeError(`no fault status code for ${FAULT_NAMES[type] ?? type} at level ${level}`);
  let iss = fsc;
  if (access !== ACCESS_EXEC && write) iss |= ISS_WNR;
  if (s1ptw) iss |= ISS_S1PTW;
  return iss >>> 0;
}

/** The whole ESR_EL2 (bits 31:0; ISS2 in bits 55:32 is 0 for these faults). */
export function faultEsr(type: number, level: number, access: number, write: boolean, s1ptw = false): number {
  const ec = access === ACCESS_EXEC ? EC_IABT_LOW : EC_DABT_LOW;
  return ((ec << ESR_EC_SHIFT) | ESR_IL | faultIss(type, level, access, write, s1ptw)) >>> 0;
}

/** One stage-2 fault, complete, for reports (the walk itself keeps only numbers). */
export interface S2FaultReport {
  type: FaultTypeName;
  /** ASL words, e.g. "Permission fault". */
  title: string;
  level: number;
  /** DFSC for a data access, IFSC for an instruction fetch. */
  fsc: number;
  /** ESR_ELx.EC: 0x24 or 0x20. */
  ec: number;
  iss: number;
  esr: number;
  /** WnR as reported (always false for an instruction abort). */
  wnr: boolean;
  /** The fault was on the stage-2 translation of a stage-1 table walk (ESR_EL2.S1PTW). */
  s1ptw: boolean;
  isv: false;
  /** IPAValid: HPFAR_EL2 holds the faulting IPA. */
  hpfarValid: boolean;
  /** HPFAR_EL2 when valid (hex), else null (the architecture leaves it UNKNOWN). */
  hpfar: string | null;
}

/**
 * Put a fault together from the numbers the walk produced; `ipa` is the
 * faulting IPA (the table entry's IPA for an S1PTW fault).
 */
export function faultReport(type: number, level: number, access: number, write: boolean, ipa: bigint, s1ptw = false): S2FaultReport {
  const name = FAULT_NAMES[type];
  if (name === undefined || name === "none") throw new RangeError(`not a fault: ${type}`);
  const iss = faultIss(type, level, access, write, s1ptw);
  const valid = ipaValid(type, s1ptw);
  return {
    type: name,
    title: FAULT_TITLES[type],
    level,
    fsc: iss & ISS_FSC,
    ec: access === ACCESS_EXEC ? EC_IABT_LOW : EC_DABT_LOW,
    iss,
    esr: faultEsr(type, level, access, write, s1ptw),
    wnr: (iss & ISS_WNR) !== 0,
    s1ptw,
    isv: false,
    hpfarValid: valid,
    hpfar: valid ? hex(hpfarOf(ipa)) : null,
  };
}
