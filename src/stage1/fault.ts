/**
 * Faults of a two-stage translation as the guest or the hypervisor sees them.
 *
 * A stage-1 fault (translation, address size, access flag, permission in the
 * guest's own tables) is taken to EL1 (HCR_EL2.TGE = 0): ESR_EL1 with EC
 * 0x25 / 0x21 (Data / Instruction Abort without a change of EL) for an EL1
 * access, 0x24 / 0x20 (from a lower EL) for an EL0 access, IL = 1, ISV = 0,
 * WnR for a data write, xFSC = EncodeLDFSC(type, stage-1 level); FAR_EL1 = VA.
 *
 * A stage-2 fault is taken to EL2: ESR_EL2 with EC 0x24 / 0x20, S1PTW = 1
 * when it came from the stage-2 translation of a stage-1 table entry (the
 * level is then the stage-2 walk's, and HPFAR_EL2 holds the entry's IPA for
 * every fault type: IPAValid), S1PTW = 0 for the output IPA of the access
 * (HPFAR_EL2 UNKNOWN for a Permission fault); FAR_EL2 = VA.
 *
 * WnR of an S1PTW fault: the ASL's stage-2 translation of a table entry
 * (AArch64_S2Translate / AArch64_S2CheckPermissions with AccessType_TTW)
 * does not change the fault record's write flag, which AArch64_S1Translate
 * started from the access (NoFault(accdesc)), and the Arm ARM's ESR text
 * says WnR tells "a write instruction or a read instruction"; s2pt therefore
 * reports the access's WnR. KVM does not rely on it: kvm_is_write_fault()
 * treats an S1PTW fault as a write only when it is a Permission fault.
 */

import {
  ACCESS_EXEC,
  EC_DABT_CUR,
  EC_DABT_LOW,
  EC_IABT_CUR,
  EC_IABT_LOW,
  ESR_EC_SHIFT,
  ESR_IL,
  FAULT_NAMES,
  FAULT_TITLES,
  ISS_FSC,
  ISS_WNR,
  faultIss,
  type FaultTypeName,
} from "../walker/fault.js";
import { hex } from "../pgtable/u64.js";

/** A stage-1 fault, taken to EL1: its syndrome (ESR_EL1) and FAR_EL1 (hex). */
export interface S1FaultReport {
  stage: 1;
  type: FaultTypeName;
  title: string;
  /** The stage-1 walk's level. */
  level: number;
  fsc: number;
  ec: number;
  iss: number;
  /** ESR_EL1 (bits 31:0). */
  esr: number;
  wnr: boolean;
  /** FAR_EL1: the VA (hex). */
  far: string;
}

/** ESR_ELx.EC of a stage-1 abort taken to EL1 from an access at `el`. */
export function s1AbortEc(access: number, el: number): number {
  if (access === ACCESS_EXEC) return el === 0 ? EC_IABT_LOW : EC_IABT_CUR;
  return el === 0 ? EC_DABT_LOW : EC_DABT_CUR;
}

/** Put a stage-1 fault together from the walk's numbers; `va` is the faulting VA (64 bits). */
export function s1FaultReport(type: number, level: number, access: number, el: number, write: boolean, va: bigint): S1FaultReport {
  const name = FAULT_NAMES[type];
  if (name === undefined || name === "none") throw new RangeError(`not a fault: ${type}`);
  const iss = faultIss(type, level, access, write);
  const ec = s1AbortEc(access, el);
  return {
    stage: 1,
    type: name,
    title: FAULT_TITLES[type],
    level,
    fsc: iss & ISS_FSC,
    ec,
    iss,
    esr: ((ec << ESR_EC_SHIFT) | ESR_IL | iss) >>> 0,
    wnr: (iss & ISS_WNR) !== 0,
    far: hex(va),
  };
}
