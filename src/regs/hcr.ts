/**
 * HCR_EL2, the Hypervisor Configuration Register (Arm ARM D24.2, HCR_EL2;
 * Linux asm/kvm_arm.h HCR_*). Every bit is assigned. The ones that change a
 * guest's translation or memory type: VM (stage 2 on), PTW (a stage-1 walk
 * into stage-2 Device memory faults), DC and DCT (default cacheable), CD and
 * ID (stage-2 data / instruction accesses Non-cacheable), FWB (stage 2
 * forces the final type), TGE and E2H (the host's own regime), TVM/TRVM
 * (KVM traps the guest's VM registers without FWB).
 *
 * KVM's guest value (asm/kvm_arm.h HCR_GUEST_FLAGS, vcpu_reset_hcr()): TSC,
 * TSW, TWE, TWI, VM, BSU = IS, FB, TACR, AMO, SWIO, TIDCP, RW, TLOR, FMO,
 * IMO, PTW, TID3 (TID2/TID4), plus FWB with FEAT_S2FWB or TVM without it,
 * TEA and TERR with RAS, ATA with MTE, E2H with VHE.
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldNum, type DecodedRegister, type FieldDef, type Layout } from "./field.js";
import { checkBigU64 } from "../pgtable/args.js";

/** HCR_EL2's fields. */
export const HCR = {
  TWEDEL: field("TWEDEL", 63, 60, "TWE delay (FEAT_TWED)"),
  TWEDEN: bit("TWEDEn", 59, "TWE delay enable (FEAT_TWED)"),
  TID5: bit("TID5", 58, "trap GMID_EL1 (FEAT_MTE2)"),
  DCT: bit("DCT", 57, "with DC: the default cacheable memory type is Tagged (FEAT_MTE2)"),
  ATA: bit("ATA", 56, "EL1/EL0 Allocation Tag access not trapped (FEAT_MTE2)"),
  TTLBOS: bit("TTLBOS", 55, "trap Outer Shareable TLB maintenance (FEAT_EVT)"),
  TTLBIS: bit("TTLBIS", 54, "trap Inner Shareable TLB maintenance (FEAT_EVT)"),
  ENSCXT: bit("EnSCXT", 53, "SCXTNUM_ELx access not trapped (FEAT_CSV2_2)"),
  TOCU: bit("TOCU", 52, "trap cache maintenance to the Point of Unification (FEAT_EVT)"),
  AMVOFFEN: bit("AMVOFFEN", 51, "activity monitors virtual offsets enabled (FEAT_AMUv1p1)"),
  TICAB: bit("TICAB", 50, "trap IC IALLUIS (FEAT_EVT)"),
  TID4: bit("TID4", 49, "trap cache ID group 4 registers (FEAT_EVT)"),
  GPF: bit("GPF", 48, "Granule Protection Faults routed to EL2 (FEAT_RME)"),
  FIEN: bit("FIEN", 47, "fault injection enable (FEAT_RASv1p1)"),
  FWB: bit("FWB", 46, "Forced Write-Back: stage 2 determines the final memory type (FEAT_S2FWB)"),
  NV2: bit("NV2", 45, "nested virtualization, NV2 register redirection (FEAT_NV2)"),
  AT: bit("AT", 44, "trap AT S1E0*/S1E1* (FEAT_NV)"),
  NV1: bit("NV1", 43, "nested virtualization (FEAT_NV)"),
  NV: bit("NV", 42, "nested virtualization (FEAT_NV)"),
  API: bit("API", 41, "pointer authentication instructions not trapped (FEAT_PAuth)"),
  APK: bit("APK", 40, "pointer authentication key registers not trapped (FEAT_PAuth)"),
  TME: bit("TME", 39, "TSTART enabled at EL0/EL1 (FEAT_TME)"),
  MIOCNCE: bit("MIOCNCE", 38, "mismatched inner/outer cacheable non-coherency enable"),
  TEA: bit("TEA", 37, "route synchronous External aborts to EL2 (FEAT_RAS)"),
  TERR: bit("TERR", 36, "trap error record accesses (FEAT_RAS)"),
  TLOR: bit("TLOR", 35, "trap LOR registers (FEAT_LOR)"),
  E2H: bit("E2H", 34, "EL2 host: the EL2&0 regime (FEAT_VHE)"),
  ID: bit("ID", 33, "stage-2 instruction accesses Non-cacheable"),
  CD: bit("CD", 32, "stage-2 data accesses Non-cacheable"),
  RW: bit("RW", 31, "EL1 is AArch64", { values: { 0: "EL1 AArch32", 1: "EL1 AArch64" } }),
  TRVM: bit("TRVM", 30, "trap reads of the EL1 virtual memory control registers"),
  HCD: bit("HCD", 29, "HVC instruction disable (without EL3; RES0 otherwise)"),
  TDZ: bit("TDZ", 28, "trap DC ZVA"),
  TGE: bit("TGE", 27, "trap general exceptions: EL1&0 runs as the host's EL2&0 (stage 2 off)"),
  TVM: bit("TVM", 26, "trap writes of the EL1 virtual memory control registers (KVM without FWB: until the guest enables its MMU and caches)"),
  TTLB: bit("TTLB", 25, "trap TLB maintenance instructions"),
  TPU: bit("TPU", 24, "trap cache maintenance to the Point of Unification"),
  TPCP: bit("TPCP", 23, "trap data cache maintenance to the Point of Coherency / Persistence"),
  TSW: bit("TSW", 22, "trap data cache maintenance by set/way (KVM emulates it)"),
  TACR: bit("TACR", 21, "trap ACTLR_EL1 accesses"),
  TIDCP: bit("TIDCP", 20, "trap IMPLEMENTATION DEFINED functionality"),
  TSC: bit("TSC", 19, "trap SMC instructions to EL2 (EC 0x17)"),
  TID3: bit("TID3", 18, "trap ID group 3 registers (ID_AA64*_EL1: KVM sanitises them)"),
  TID2: bit("TID2", 17, "trap ID group 2 registers (CTR_EL0, CCSIDR_EL1, CLIDR_EL1, CSSELR_EL1)"),
  TID1: bit("TID1", 16, "trap ID group 1 registers"),
  TID0: bit("TID0", 15, "trap ID group 0 registers (AArch32)"),
  TWE: bit("TWE", 14, "trap WFE (EC 0x01)"),
  TWI: bit("TWI", 13, "trap WFI (EC 0x01)"),
  DC: bit("DC", 12, "Default Cacheable: stage 1 behaves as disabled for the EL1&0 regime, its output Normal Write-Back"),
  BSU: field("BSU", 11, 10, "Barrier Shareability Upgrade", { values: { 0: "no effect", 1: "Inner Shareable", 2: "Outer Shareable", 3: "Full system" } }),
  FB: bit("FB", 9, "Force Broadcast of TLB, I-cache and branch predictor maintenance"),
  VSE: bit("VSE", 8, "virtual SError pending"),
  VI: bit("VI", 7, "virtual IRQ pending"),
  VF: bit("VF", 6, "virtual FIQ pending"),
  AMO: bit("AMO", 5, "physical SErrors routed to EL2; virtual SErrors enabled"),
  IMO: bit("IMO", 4, "physical IRQs routed to EL2; virtual IRQs enabled"),
  FMO: bit("FMO", 3, "physical FIQs routed to EL2; virtual FIQs enabled"),
  PTW: bit("PTW", 2, "Protected Table Walk: a stage-1 table walk to stage-2 Device memory takes a stage-2 Permission fault"),
  SWIO: bit("SWIO", 1, "set/way invalidation override: DC ISW acts as DC CISW"),
  VM: bit("VM", 0, "Virtualization enable: stage-2 translation of the EL1&0 regime"),
} as const;

/** HCR_EL2, every bit. */
export const HCR_LAYOUT: Layout = { register: "HCR_EL2", width: 64, fields: Object.values<FieldDef>(HCR) };
checkLayout(HCR_LAYOUT);

const WORDS: ReadonlyMap<FieldDef, readonly [string, string]> = new Map([
  [HCR.VM, ["0: stage 2 disabled: IPA = PA", "1: stage-2 translation enabled"]],
  [HCR.FWB, ["0: the final memory type combines stage 1 and stage 2 (the weaker wins)", "1: stage 2's MemAttr forces Write-Back or the type (FEAT_S2FWB)"]],
  [HCR.DC, ["0", "1: stage 1 acts as disabled, data accesses Normal Write-Back (AArch64_S1DisabledOutput with HCR_EL2.DC)"]],
  [HCR.CD, ["0", "1: stage-2 data accesses to Normal memory are Non-cacheable"]],
  [HCR.ID, ["0", "1: stage-2 instruction fetches are Non-cacheable"]],
  [HCR.PTW, ["0", "1: a stage-1 walk that stage 2 maps as Device takes a stage-2 Permission fault (KVM sets it)"]],
  [HCR.TGE, ["0: a guest runs at EL1&0", "1: the host's EL2&0 (with E2H); stage 2 is off"]],
] as const);

/** HCR_EL2 decoded field by field. */
export function decodeHcr(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const { fields, problems } = decodeFields(HCR_LAYOUT, value, (f, v) => {
    const w = WORDS.get(f);
    return w ? { meaning: w[Number(v)] } : undefined;
  });
  const set = [HCR.VM, HCR.FWB, HCR.PTW, HCR.DC, HCR.CD, HCR.ID, HCR.TVM, HCR.TGE, HCR.E2H, HCR.RW].filter((f) => fieldNum(value, f)).map((f) => f.name);
  return {
    register: "HCR_EL2",
    value: hex(value),
    width: 64,
    summary: `set: ${set.length ? set.join(" ") : "none of VM FWB PTW DC CD ID TVM TGE E2H RW"}`,
    fields,
    notes: [],
    problems,
  };
}
