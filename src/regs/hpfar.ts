/**
 * HPFAR_EL2, the Hypervisor IPA Fault Address Register: the faulting IPA of
 * a stage-2 abort taken to EL2 (Arm ARM D23.2, HPFAR_EL2).
 *
 *   63  62      48 47          4 3    0
 *  +--+----------+-------------+------+
 *  |NS|   RES0   |    FIPA     | RES0 |
 *  +--+----------+-------------+------+
 *
 * FIPA = IPA[55:12] (bits 47:44 exist only with FEAT_D128, bits 43:40 only
 * with a 52-bit IPA, FEAT_LPA/FEAT_LPA2). It is written for Translation,
 * Access flag and Address size faults, and for any stage-2 fault on a
 * stage-1 table walk (S1PTW); for a Permission fault on the final access it
 * is UNKNOWN (ASL IPAValid; R_FKLWR), and KVM recovers the IPA by
 * translating FAR_EL2 with AT S1E1R (hyp/include/hyp/fault.h,
 * __translate_far_to_hpfar()).
 *
 * NS (FEAT_SEL2) names the IPA space of an abort taken from Secure state and
 * is RES0 for an abort from Non-secure state. KVM (6.15 and later,
 * __get_fault_info()) sets NS in its saved copy, vcpu->arch.fault.hpfar_el2,
 * as its own "HPFAR valid" marker: kvm_vcpu_get_fault_ipa() returns
 * INVALID_GPA when it is clear.
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldGet, fieldNum, res0, type DecodedRegister, type Layout } from "./field.js";
import { checkBigU64 } from "../pgtable/args.js";

/** HPFAR_EL2's fields: FIPA (IPA[51:12] at bits 43:4) and NS. */
export const HPFAR = {
  NS: bit("NS", 63, "Faulting IPA address space (FEAT_SEL2): 0 Secure, 1 Non-secure; RES0 for aborts from Non-secure state"),
  RES0_62_48: res0(62, 48),
  FIPA: field("FIPA", 47, 4, "Faulting Intermediate Physical Address: IPA[55:12] (47:44 with FEAT_D128, 43:40 with a 52-bit IPA)"),
  RES0_3_0: res0(3, 0),
} as const;

/** HPFAR_EL2, every bit. */
export const HPFAR_LAYOUT: Layout = { register: "HPFAR_EL2", width: 64, fields: [HPFAR.NS, HPFAR.RES0_62_48, HPFAR.FIPA, HPFAR.RES0_3_0] };
checkLayout(HPFAR_LAYOUT);

/** The IPA of the faulting page: FIPA << 12 (KVM: FIELD_GET(HPFAR_EL2_FIPA, hpfar) << 12). */
export function hpfarIpa(hpfar: bigint): bigint {
  return fieldGet(hpfar, HPFAR.FIPA) << 12n;
}

/** HPFAR_EL2 decoded: the faulting IPA page. */
export function decodeHpfar(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const ipa = hpfarIpa(value);
  const { fields, problems } = decodeFields(HPFAR_LAYOUT, value, (f, v) => {
    if (f === HPFAR.FIPA) {
      const hi = Number(v >> 36n);
      const words = `IPA[55:12] = ${hex(v)}: the faulting page is IPA ${hex(ipa)}`;
      if (hi & 0xf0) return { meaning: `${words}; bits 47:44 set: IPA bits 55:52 exist only with FEAT_D128` };
      if (hi & 0x0f) return { meaning: `${words} (a 52-bit IPA: FEAT_LPA or FEAT_LPA2)` };
      return { meaning: words };
    }
    if (f === HPFAR.NS) {
      return {
        meaning: v
          ? "1: Non-secure IPA space; in KVM's saved copy (vcpu->arch.fault.hpfar_el2, 6.15+) the marker that the IPA is valid"
          : "0 (RES0 for an abort from Non-secure state; Secure IPA space with FEAT_SEL2)",
      };
    }
    return undefined;
  });
  const notes = [
    "KVM's fault_ipa = FIPA << 12 (page aligned); for MMIO it ORs in FAR_EL2[11:0] (kvm_handle_guest_abort())",
    "HPFAR_EL2 is UNKNOWN for a stage-2 Permission fault on the final access (not S1PTW): KVM then translates FAR_EL2 with AT S1E1R",
  ];
  return {
    register: "HPFAR_EL2",
    value: hex(value),
    width: 64,
    summary: `faulting IPA page ${hex(ipa)}${fieldNum(value, HPFAR.NS) ? " (NS = 1)" : ""}`,
    fields,
    notes,
    problems,
  };
}
