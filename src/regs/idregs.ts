/**
 * ID_AA64MMFR0_EL1, ID_AA64MMFR1_EL1 and ID_AA64MMFR2_EL1, the AArch64
 * Memory Model Feature Registers (Arm ARM D24.2; field names and encodings
 * as Linux's arch/arm64/tools/sysreg). What KVM derives from them:
 *
 *   MMFR0.PARange       kvm_set_ipa_limit(): the IPA limit; kvm_get_vtcr(): VTCR_EL2.PS
 *   MMFR0.TGran*_2      the stage-2 granules (0b0000: as the stage-1 TGran* field);
 *                       0b0011 (52_BIT): kvm_lpa2_is_enabled() for 4K/16K
 *   MMFR1.VMIDBits      VTCR_EL2.VS (16-bit VMIDs)
 *   MMFR1.HAFDBS        VTCR_EL2.HA (hardware Access flag; KVM never sets HD)
 *   MMFR1.XNX           FEAT_XNX: stage-2 XN[1:0] by EL
 *   MMFR2.FWB           FEAT_S2FWB: HCR_EL2.FWB, ARM64_HAS_STAGE2_FWB
 *   MMFR2.TTL           FEAT_TTL: TLBI level hints (__tlbi_level)
 *   MMFR2.BBM           FEAT_BBM levels (block/table changes without break-before-make)
 */

import { hex } from "../pgtable/u64.js";
import { checkLayout, decodeFields, field, fieldNum, res0, type DecodedRegister, type FieldDef, type Layout } from "./field.js";
import { paSizeWords } from "./pa-size.js";
import { checkBigU64 } from "../pgtable/args.js";

const NI_IMP = { 0: "not implemented", 1: "implemented" };

/** ID_AA64MMFR0_EL1's fields (PARange, TGran*, ...). */
export const MMFR0 = {
  ECV: field("ECV", 63, 60, "Enhanced Counter Virtualization", { values: { 0: "not implemented", 1: "implemented", 2: "implemented with CNTPOFF_EL2" } }),
  FGT: field("FGT", 59, 56, "Fine-Grained Traps", { values: { 0: "not implemented", 1: "FEAT_FGT", 2: "FEAT_FGT2" } }),
  RES0_55_48: res0(55, 48),
  EXS: field("ExS", 47, 44, "disabling context-synchronizing exception entry and exit (FEAT_ExS)", {
    values: { 0: "all exception entries and exits are context synchronization events", 1: "FEAT_ExS" },
  }),
  TGRAN4_2: field("TGran4_2", 43, 40, "4K granule at stage 2", {
    values: { 0: "as TGran4 (stage 1)", 1: "not supported", 2: "supported", 3: "supported with 52-bit input and output (FEAT_LPA2)" },
  }),
  TGRAN64_2: field("TGran64_2", 39, 36, "64K granule at stage 2", { values: { 0: "as TGran64 (stage 1)", 1: "not supported", 2: "supported" } }),
  TGRAN16_2: field("TGran16_2", 35, 32, "16K granule at stage 2", {
    values: { 0: "as TGran16 (stage 1)", 1: "not supported", 2: "supported", 3: "supported with 52-bit input and output (FEAT_LPA2)" },
  }),
  TGRAN4: field("TGran4", 31, 28, "4K granule at stage 1", {
    values: { 0: "supported", 1: "supported with 52-bit input and output (FEAT_LPA2)", 0xf: "not supported" },
  }),
  TGRAN64: field("TGran64", 27, 24, "64K granule at stage 1", { values: { 0: "supported", 0xf: "not supported" } }),
  TGRAN16: field("TGran16", 23, 20, "16K granule at stage 1", {
    values: { 0: "not supported", 1: "supported", 2: "supported with 52-bit input and output (FEAT_LPA2)" },
  }),
  BIGENDEL0: field("BigEndEL0", 19, 16, "mixed-endian support at EL0 only", { values: NI_IMP }),
  SNSMEM: field("SNSMem", 15, 12, "Secure versus Non-secure memory distinction", { values: NI_IMP }),
  BIGEND: field("BigEnd", 11, 8, "mixed-endian support", { values: NI_IMP }),
  ASIDBITS: field("ASIDBits", 7, 4, "number of ASID bits", { values: { 0: "8 bits", 2: "16 bits" } }),
  PARANGE: field("PARange", 3, 0, "Physical Address range supported"),
} as const;

/** ID_AA64MMFR1_EL1's fields (HAFDBS, VMIDBits, XNX, ...). */
export const MMFR1 = {
  ECBHB: field("ECBHB", 63, 60, "exploitative control of the branch history buffer (FEAT_ECBHB)", { values: NI_IMP }),
  CMOW: field("CMOW", 59, 56, "cache maintenance needs write permission at EL0 (FEAT_CMOW)", { values: NI_IMP }),
  TIDCP1: field("TIDCP1", 55, 52, "EL0 IMPLEMENTATION DEFINED instruction traps (FEAT_TIDCP1)", { values: NI_IMP }),
  NTLBPA: field("nTLBPA", 51, 48, "no intermediate caching by output address in TLB walk caches (FEAT_nTLBPA)", { values: NI_IMP }),
  AFP: field("AFP", 47, 44, "alternate floating-point behavior (FEAT_AFP)", { values: NI_IMP }),
  HCX: field("HCX", 43, 40, "HCRX_EL2 (FEAT_HCX)", { values: NI_IMP }),
  ETS: field("ETS", 39, 36, "enhanced translation synchronization (FEAT_ETS2/3)", {
    values: { 0: "not implemented", 1: "FEAT_ETS (deprecated)", 2: "FEAT_ETS2", 3: "FEAT_ETS3" },
  }),
  TWED: field("TWED", 35, 32, "delayed trapping of WFE (FEAT_TWED)", { values: NI_IMP }),
  XNX: field("XNX", 31, 28, "stage-2 execute-never by EL, XN[1:0] (FEAT_XNX)", { values: NI_IMP }),
  SPECSEI: field("SpecSEI", 27, 24, "SError from speculative reads", { values: { 0: "never", 1: "possible" } }),
  PAN: field("PAN", 23, 20, "Privileged Access Never", {
    values: { 0: "not implemented", 1: "FEAT_PAN", 2: "FEAT_PAN2 (AT S1E1RP/WP)", 3: "FEAT_PAN3 (SCTLR_ELx.EPAN)" },
  }),
  LO: field("LO", 19, 16, "LORegions (FEAT_LOR)", { values: NI_IMP }),
  HPDS: field("HPDS", 15, 12, "hierarchical permission disables", { values: { 0: "not implemented", 1: "FEAT_HPDS", 2: "FEAT_HPDS2 (hardware use bits)" } }),
  VH: field("VH", 11, 8, "Virtualization Host Extensions (FEAT_VHE)", { values: NI_IMP }),
  VMIDBITS: field("VMIDBits", 7, 4, "number of VMID bits", { values: { 0: "8 bits", 2: "16 bits (FEAT_VMID16)" } }),
  HAFDBS: field("HAFDBS", 3, 0, "hardware updates of the Access flag and dirty state (FEAT_HAFDBS)", {
    values: {
      0: "not supported",
      1: "Access flag",
      2: "Access flag and dirty state",
      3: "Access flag, dirty state and table Access flag (FEAT_HAFT)",
      4: "as 3 plus the dirty state tracking structure (FEAT_HDBSS)",
    },
  }),
} as const;

/** ID_AA64MMFR2_EL1's fields (ST, ...). */
export const MMFR2 = {
  E0PD: field("E0PD", 63, 60, "TCR_ELx.E0PDn (FEAT_E0PD)", { values: NI_IMP }),
  EVT: field("EVT", 59, 56, "enhanced virtualization traps", { values: { 0: "not implemented", 1: "TID4, TICAB, TOCU", 2: "also TTLBIS, TTLBOS (FEAT_EVT)" } }),
  BBM: field("BBM", 55, 52, "changing block size without break-before-make (FEAT_BBM)", { values: { 0: "level 0", 1: "level 1", 2: "level 2" } }),
  TTL: field("TTL", 51, 48, "TLBI by address with a translation table level hint (FEAT_TTL)", { values: NI_IMP }),
  RES0_47_44: res0(47, 44),
  FWB: field("FWB", 43, 40, "Stage-2 Forced Write-Back, HCR_EL2.FWB (FEAT_S2FWB)", { values: NI_IMP }),
  IDS: field("IDS", 39, 36, "the EC of an exception from an ID register access", { values: { 0: "0x00 (Unknown reason)", 1: "0x18 (trapped MSR/MRS)" } }),
  AT: field("AT", 35, 32, "unaligned single-copy atomicity (FEAT_LSE2)", { values: NI_IMP }),
  ST: field("ST", 31, 28, "small translation tables: maximum TxSZ", { values: { 0: "39", 1: "48 (4K, 16K) or 47 (64K) (FEAT_TTST)" } }),
  NV: field("NV", 27, 24, "nested virtualization", { values: { 0: "not implemented", 1: "FEAT_NV", 2: "FEAT_NV2" } }),
  CCIDX: field("CCIDX", 23, 20, "CCSIDR_EL1 format", { values: { 0: "32-bit", 1: "64-bit (FEAT_CCIDX)" } }),
  VARANGE: field("VARange", 19, 16, "virtual address size", { values: { 0: "48 bits", 1: "52 bits with the 64K granule (FEAT_LVA)" } }),
  IESB: field("IESB", 15, 12, "SCTLR_ELx.IESB (FEAT_IESB)", { values: NI_IMP }),
  LSM: field("LSM", 11, 8, "SCTLR_ELx.LSMAOE and nTLSMD (FEAT_LSMAOC)", { values: NI_IMP }),
  UAO: field("UAO", 7, 4, "User Access Override (FEAT_UAO)", { values: NI_IMP }),
  CNP: field("CnP", 3, 0, "Common not Private translations (FEAT_TTCNP)", { values: NI_IMP }),
} as const;

function layoutOf(register: string, fields: Readonly<Record<string, FieldDef>>): Layout {
  const l: Layout = { register, width: 64, fields: Object.values(fields) };
  checkLayout(l);
  return l;
}

/** ID_AA64MMFR0_EL1, every bit. */
export const MMFR0_LAYOUT = layoutOf("ID_AA64MMFR0_EL1", MMFR0);
/** ID_AA64MMFR1_EL1, every bit. */
export const MMFR1_LAYOUT = layoutOf("ID_AA64MMFR1_EL1", MMFR1);
/** ID_AA64MMFR2_EL1, every bit. */
export const MMFR2_LAYOUT = layoutOf("ID_AA64MMFR2_EL1", MMFR2);

function unnamed(f: FieldDef, v: bigint): { meaning: string; problem: string } | undefined {
  if (!f.values || f.values[Number(v)] !== undefined) return undefined;
  return { meaning: `0b${Number(v).toString(2).padStart(4, "0")}: reserved`, problem: `${f.name} = ${Number(v)} is not an encoding the Arm ARM defines` };
}

/** ID_AA64MMFR0_EL1 decoded field by field. */
export function decodeMmfr0(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const { fields, problems } = decodeFields(MMFR0_LAYOUT, value, (f, v) => {
    if (f === MMFR0.PARANGE) return paSizeWords(Number(v));
    return unnamed(f, v);
  });
  const pa = paSizeWords(fieldNum(value, MMFR0.PARANGE)).bits;
  const s2 = (f: FieldDef, stage1: FieldDef, g: string): string => {
    const n = fieldNum(value, f);
    if (n === 0) return `${g} ${fieldNum(value, stage1) === (g === "16K" ? 0 : 0xf) ? "no" : "yes (as stage 1)"}`;
    return `${g} ${n === 1 ? "no" : n === 3 ? "yes, 52-bit" : "yes"}`;
  };
  return {
    register: "ID_AA64MMFR0_EL1",
    value: hex(value),
    width: 64,
    summary: `PARange ${pa ?? "reserved"} bits; stage-2 granules: ${s2(MMFR0.TGRAN4_2, MMFR0.TGRAN4, "4K")}, ${s2(MMFR0.TGRAN16_2, MMFR0.TGRAN16, "16K")}, ${s2(MMFR0.TGRAN64_2, MMFR0.TGRAN64, "64K")}`,
    fields,
    notes: [
      "KVM: kvm_set_ipa_limit() takes the IPA limit from PARange (clamped to 48 bits for 4K/16K without LPA2) and refuses a PAGE_SIZE that TGran*_2 does not support at stage 2",
    ],
    problems,
  };
}

/** ID_AA64MMFR1_EL1 decoded field by field. */
export function decodeMmfr1(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const { fields, problems } = decodeFields(MMFR1_LAYOUT, value, unnamed);
  return {
    register: "ID_AA64MMFR1_EL1",
    value: hex(value),
    width: 64,
    summary: `VMIDBits ${fieldNum(value, MMFR1.VMIDBITS) === 2 ? 16 : 8}, HAFDBS ${MMFR1.HAFDBS.values?.[fieldNum(value, MMFR1.HAFDBS)] ?? "reserved"}, XNX ${fieldNum(value, MMFR1.XNX) ? "yes" : "no"}, VHE ${fieldNum(value, MMFR1.VH) ? "yes" : "no"}`,
    fields,
    notes: ["KVM: 16-bit VMIDs set VTCR_EL2.VS; HAFDBS >= 1 lets kvm_get_vtcr() set VTCR_EL2.HA (unless the AC03_CPU_38 erratum)"],
    problems,
  };
}

/** ID_AA64MMFR2_EL1 decoded field by field. */
export function decodeMmfr2(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const { fields, problems } = decodeFields(MMFR2_LAYOUT, value, unnamed);
  return {
    register: "ID_AA64MMFR2_EL1",
    value: hex(value),
    width: 64,
    summary: `FWB ${fieldNum(value, MMFR2.FWB) ? "yes" : "no"}, TTL ${fieldNum(value, MMFR2.TTL) ? "yes" : "no"}, BBM level ${fieldNum(value, MMFR2.BBM)}, NV ${MMFR2.NV.values?.[fieldNum(value, MMFR2.NV)] ?? "reserved"}`,
    fields,
    notes: ["KVM: FWB = 1 is ARM64_HAS_STAGE2_FWB (HCR_EL2.FWB, the stage-2 MemAttr FWB encodings); TTL = 1 gives TLBI level hints"],
    problems,
  };
}
