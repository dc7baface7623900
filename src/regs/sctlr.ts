/**
 * SCTLR_EL1, the System Control Register of EL1 (Arm ARM D24.2, SCTLR_EL1;
 * Linux arch/arm64/tools/sysreg). Every bit is named; the ones that change a
 * translation or its memory type are M (stage 1 on), C and I (stage-1
 * cacheability of data and instruction accesses), WXN (write implies XN),
 * EE/E0E (endianness of the table walk and data), SPAN/EPAN (PAN), nAA and
 * the LSMAOE/nTLSMD pair (Device memory and multiple loads/stores).
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldNum, res0, type DecodedRegister, type FieldDef, type Layout } from "./field.js";
import { checkBigU64 } from "../pgtable/args.js";

const TCF = {
  0: "tag check faults have no effect",
  1: "synchronous exception",
  2: "asynchronously accumulated",
  3: "asymmetric (synchronous on reads, asynchronous on writes)",
};

/** SCTLR_EL1's fields. */
export const SCTLR = {
  TIDCP: bit("TIDCP", 63, "trap IMPLEMENTATION DEFINED system instructions at EL0 (FEAT_TIDCP1)"),
  SPINTMASK: bit("SPINTMASK", 62, "SP interrupt mask (FEAT_NMI)"),
  NMI: bit("NMI", 61, "Non-maskable interrupts enabled (FEAT_NMI)"),
  ENTP2: bit("EnTP2", 60, "EL0 access to TPIDR2_EL0 (FEAT_SME)"),
  TCSO: bit("TCSO", 59, "tag checking of stores only at EL1 (FEAT_MTE_STORE_ONLY)"),
  TCSO0: bit("TCSO0", 58, "tag checking of stores only at EL0 (FEAT_MTE_STORE_ONLY)"),
  EPAN: bit("EPAN", 57, "Enhanced PAN: with PSTATE.PAN, EL1 accesses to EL0-executable pages also fault (FEAT_PAN3)"),
  ENALS: bit("EnALS", 56, "EL0 LD64B/ST64B not trapped (FEAT_LS64)"),
  ENAS0: bit("EnAS0", 55, "EL0 ST64BV0 not trapped (FEAT_LS64_ACCDATA)"),
  ENASR: bit("EnASR", 54, "EL0 ST64BV not trapped (FEAT_LS64_V)"),
  TME: bit("TME", 53, "TSTART enabled at EL1 (FEAT_TME)"),
  TME0: bit("TME0", 52, "TSTART enabled at EL0 (FEAT_TME)"),
  TMT: bit("TMT", 51, "transactions trivial at EL1 (FEAT_TME)"),
  TMT0: bit("TMT0", 50, "transactions trivial at EL0 (FEAT_TME)"),
  TWEDEL: field("TWEDEL", 49, 46, "WFE trap delay (FEAT_TWED)"),
  TWEDEN: bit("TWEDEn", 45, "WFE trap delay enable (FEAT_TWED)"),
  DSSBS: bit("DSSBS", 44, "default PSTATE.SSBS on exception entry (FEAT_SSBS)"),
  ATA: bit("ATA", 43, "Allocation Tag access at EL1 (FEAT_MTE2)"),
  ATA0: bit("ATA0", 42, "Allocation Tag access at EL0 (FEAT_MTE2)"),
  TCF: field("TCF", 41, 40, "Tag Check Fault at EL1 (FEAT_MTE2)", { values: TCF }),
  TCF0: field("TCF0", 39, 38, "Tag Check Fault at EL0 (FEAT_MTE2)", { values: TCF }),
  ITFSB: bit("ITFSB", 37, "tag check faults synchronized on exception entry (FEAT_MTE2)"),
  BT1: bit("BT1", 36, "PAC branch type compatibility at EL1 (FEAT_BTI)"),
  BT0: bit("BT0", 35, "PAC branch type compatibility at EL0 (FEAT_BTI)"),
  ENFPM: bit("EnFPM", 34, "FPMR accesses not trapped (FEAT_FPMR)"),
  MSCEN: bit("MSCEn", 33, "memory copy and set instructions enabled at EL0 (FEAT_MOPS)"),
  CMOW: bit("CMOW", 32, "cache maintenance instructions need write permission at EL0 (FEAT_CMOW)"),
  ENIA: bit("EnIA", 31, "pointer authentication with APIAKey (FEAT_PAuth)"),
  ENIB: bit("EnIB", 30, "pointer authentication with APIBKey (FEAT_PAuth)"),
  LSMAOE: bit("LSMAOE", 29, "Load Multiple and Store Multiple Atomicity and Ordering Enable (AArch32 EL0; RES1 without FEAT_LSMAOC)"),
  NTLSMD: bit("nTLSMD", 28, "no Trap Load Multiple and Store Multiple to Device memory (AArch32 EL0; RES1 without FEAT_LSMAOC)"),
  ENDA: bit("EnDA", 27, "pointer authentication with APDAKey (FEAT_PAuth)"),
  UCI: bit("UCI", 26, "EL0 cache maintenance by VA (DC CVAU, DC CIVAC, DC CVAC, DC CVAP, IC IVAU) not trapped"),
  EE: bit("EE", 25, "endianness of data accesses at EL1 and of the stage-1 table walks", { values: { 0: "little-endian", 1: "big-endian" } }),
  E0E: bit("E0E", 24, "endianness of data accesses at EL0", { values: { 0: "little-endian", 1: "big-endian" } }),
  SPAN: bit("SPAN", 23, "0: PSTATE.PAN is set on an exception to EL1 (RES1 without FEAT_PAN)"),
  EIS: bit("EIS", 22, "exception entry is context synchronizing (RES1 without FEAT_ExS)"),
  IESB: bit("IESB", 21, "implicit error synchronization event (FEAT_IESB)"),
  TSCXT: bit("TSCXT", 20, "trap EL0 SCXTNUM_EL0 access (RES1 without FEAT_CSV2_2)"),
  WXN: bit("WXN", 19, "Write permission implies XN (Execute-never) at stage 1"),
  NTWE: bit("nTWE", 18, "0: EL0 WFE traps to EL1"),
  RES0_17: res0(17),
  NTWI: bit("nTWI", 16, "0: EL0 WFI traps to EL1"),
  UCT: bit("UCT", 15, "EL0 access to CTR_EL0 not trapped"),
  DZE: bit("DZE", 14, "EL0 DC ZVA not trapped"),
  ENDB: bit("EnDB", 13, "pointer authentication with APDBKey (FEAT_PAuth)"),
  I: bit("I", 12, "stage-1 cacheability of instruction fetches"),
  EOS: bit("EOS", 11, "exception exit is context synchronizing (RES1 without FEAT_ExS)"),
  ENRCTX: bit("EnRCTX", 10, "EL0 prediction restriction instructions not trapped (FEAT_SPECRES)"),
  UMA: bit("UMA", 9, "EL0 access to PSTATE.{D,A,I,F} not trapped"),
  SED: bit("SED", 8, "SETEND disabled at AArch32 EL0"),
  ITD: bit("ITD", 7, "IT instruction disable at AArch32 EL0"),
  NAA: bit("nAA", 6, "Non-aligned access: some atomic and load-acquire/store-release instructions do not fault on misalignment (FEAT_LSE2)"),
  CP15BEN: bit("CP15BEN", 5, "CP15 barrier instructions enabled at AArch32 EL0"),
  SA0: bit("SA0", 4, "SP alignment check at EL0"),
  SA: bit("SA", 3, "SP alignment check at EL1"),
  C: bit("C", 2, "stage-1 cacheability of data accesses"),
  A: bit("A", 1, "alignment check of data accesses"),
  M: bit("M", 0, "stage-1 address translation enable of the EL1&0 regime"),
} as const;

/** SCTLR_EL1, every bit. */
export const SCTLR_LAYOUT: Layout = { register: "SCTLR_EL1", width: 64, fields: Object.values<FieldDef>(SCTLR) };
checkLayout(SCTLR_LAYOUT);

const WORDS: ReadonlyMap<FieldDef, readonly [string, string]> = new Map([
  [SCTLR.M, ["0: stage 1 disabled: VA = IPA, data accesses Device-nGnRnE, instruction fetches Normal (AArch64_S1DisabledOutput)", "1: stage 1 enabled"]],
  [
    SCTLR.C,
    [
      "0: stage-1 Normal data accesses are Non-cacheable (the combine with stage 2 then gives Non-cacheable without FWB)",
      "1: stage-1 data cacheability from the descriptors' MAIR attributes",
    ],
  ],
  [SCTLR.I, ["0: stage-1 instruction fetches Non-cacheable", "1: instruction fetch cacheability from the descriptors (Normal WT with M = 0)"]],
  [SCTLR.WXN, ["0", "1: any writable stage-1 region is execute-never"]],
  [SCTLR.EE, ["0: little-endian data and stage-1 table walks at EL1", "1: big-endian data and stage-1 table walks at EL1"]],
  [SCTLR.SPAN, ["0: PSTATE.PAN set on exception entry to EL1", "1: PSTATE.PAN unchanged on exception entry"]],
] as const);

/** SCTLR_EL1 decoded field by field. */
export function decodeSctlr(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const { fields, problems } = decodeFields(SCTLR_LAYOUT, value, (f, v) => {
    const w = WORDS.get(f);
    return w ? { meaning: w[Number(v)] } : undefined;
  });
  const on = (f: FieldDef): string => `${f.name}=${fieldNum(value, f)}`;
  return {
    register: "SCTLR_EL1",
    value: hex(value),
    width: 64,
    summary: `stage 1 ${fieldNum(value, SCTLR.M) ? "on" : "off"}; ${[SCTLR.C, SCTLR.I, SCTLR.WXN, SCTLR.EE, SCTLR.A].map(on).join(" ")}`,
    fields,
    notes: ["bits that are RES1 only without a feature (LSMAOE, nTLSMD, SPAN, EIS, TSCXT, EOS) are not flagged: the decoder does not know the CPU's features"],
    problems,
  };
}
