/**
 * ESR_EL2 and ESR_EL1, the Exception Syndrome Registers (Arm ARM D23.2,
 * ESR_ELx; names as in the Arm ARM and Linux's asm/esr.h).
 *
 *   63      56 55            32 31    26 25  24                           0
 *  +----------+----------------+--------+---+------------------------------+
 *  |   RES0   |      ISS2      |   EC   |IL |             ISS              |
 *  +----------+----------------+--------+---+------------------------------+
 *
 * ISS of a Data Abort (EC 0x24 from a lower EL, 0x25 from the same EL):
 *
 *   24   23:22 21  20:16 15  14  13   12:11    10  9  8  7     6   5:0
 *   ISV  SAS   SSE SRT   SF  AR  VNCR LST/SET  FnV EA CM S1PTW WnR DFSC    (ISV = 1)
 *   ISV  RES0  TopLevel RES0 FnP PFV VNCR ...                                (ISV = 0)
 *
 * ISS of an Instruction Abort (EC 0x20 / 0x21):
 *
 *   24:22 21       20:16 15  14  13   12:11 10  9  8    7     6    5:0
 *   RES0  TopLevel RES0  FnP PFV RES0 SET   FnV EA RES0 S1PTW RES0 IFSC
 *
 * ISS2 of a Data Abort (bits 55:32; ISS2[n] is ESR bit 32 + n): Xs [36:32]
 * (FEAT_LS64), DirtyBit [37], Overlay [38], AssuredOnly [39], GCS [40],
 * TagAccess [41], TnD [42], HDBSSF [43], RES0 [55:44].
 *
 * IL is RES1 for an Unknown-reason exception, an Illegal Execution state,
 * an Instruction Abort, a PC or SP alignment fault, an SError, the debug
 * exceptions other than software breakpoints, and a Data Abort with ISV = 0.
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldNum, res0, type DecodedRegister, type FieldDef, type Layout } from "./field.js";
import { fscInfo, fscWords } from "./fsc.js";
import { checkBigU64, checkInt, checkOneOf } from "../pgtable/args.js";

// ---- the fields common to every class -----------------------------------------------------

/** ESR_ELx fields common to every exception class: EC, IL, ISS, ISS2. */
export const ESR = {
  RES0_63_56: res0(63, 56),
  ISS2: field("ISS2", 55, 32, "ISS2 encoding for an exception (FEAT_LS64, FEAT_MTE, FEAT_GCS, FEAT_S1POE, ...); RES0 for most classes"),
  EC: field("EC", 31, 26, "Exception Class: why the exception was taken"),
  IL: bit("IL", 25, "Instruction Length for synchronous exceptions: 0 a 16-bit T32 instruction, 1 a 32-bit instruction"),
  ISS: field("ISS", 24, 0, "Instruction Specific Syndrome, encoded per EC"),
} as const;

/** Data Abort / Instruction Abort ISS fields (absolute ESR bit positions). */
export const ABT = {
  ISV: bit("ISV", 24, "Instruction Syndrome Valid: ISS[23:14] hold a valid instruction syndrome"),
  SAS: field("SAS", 23, 22, "Syndrome Access Size", { values: { 0: "byte", 1: "halfword", 2: "word", 3: "doubleword" } }),
  SSE: bit("SSE", 21, "Syndrome Sign Extend: the loaded item must be sign-extended"),
  SRT: field("SRT", 20, 16, "Syndrome Register Transfer: the register (Xt/Wt) of the load or store"),
  SF: bit("SF", 15, "Sixty-Four: 1 the instruction loads or stores a 64-bit register (Xt), 0 a 32-bit one (Wt)"),
  AR: bit("AR", 14, "Acquire/Release semantics"),
  TOPLEVEL: bit("TopLevel", 21, "the fault was on a TopLevel descriptor (FEAT_THE)", { feature: "FEAT_THE" }),
  FNP: bit("FnP", 15, "FAR not Precise: FAR_ELx holds an address within the naturally-aligned granule that faulted (FEAT_RASv2, synchronous External aborts)", {
    feature: "FEAT_RASv2",
  }),
  PFV: bit("PFV", 14, "PFAR_ELx is valid (FEAT_PFAR, synchronous External aborts)", { feature: "FEAT_PFAR" }),
  VNCR: bit("VNCR", 13, "the fault came from the use of VNCR_EL2 by EL1 (FEAT_NV2)", { feature: "FEAT_NV2" }),
  LST: field("LST", 12, 11, "Load/Store Type (FEAT_LS64), or SET, Synchronous Error Type (FEAT_RAS), by DFSC"),
  SET: field("SET", 12, 11, "Synchronous Error Type, for a synchronous External abort (FEAT_RAS)", {
    values: { 0: "Recoverable state (UER)", 2: "Uncontainable (UC)", 3: "Restartable state (UEO)" },
  }),
  FNV: bit("FnV", 10, "FAR not Valid: 1 FAR_ELx is UNKNOWN (only for a synchronous External abort not on a table walk)"),
  EA: bit("EA", 9, "External abort type (IMPLEMENTATION DEFINED classification of External aborts; 0 for any other abort)"),
  CM: bit("CM", 8, "Cache Maintenance: the abort came from a cache maintenance or address translation instruction"),
  S1PTW: bit("S1PTW", 7, "for a stage-2 fault: the fault was on the stage-2 translation of an access made for a stage-1 table walk"),
  WNR: bit("WnR", 6, "Write not Read: the abort was caused by a write (or a cache maintenance that needs write permission)"),
  DFSC: field("DFSC", 5, 0, "Data Fault Status Code"),
  IFSC: field("IFSC", 5, 0, "Instruction Fault Status Code"),
} as const;

/** ISS2 of a Data Abort (absolute ESR bit positions). */
export const DABT_ISS2 = {
  RES0: res0(55, 44),
  HDBSSF: bit("HDBSSF", 43, "the fault was caused by the HDBSS (FEAT_HDBSS)", { feature: "FEAT_HDBSS" }),
  TND: bit("TnD", 42, "Tag not Data: a stage-1 Permission fault of an Allocation Tag access (FEAT_MTE_STORE_ONLY)", { feature: "FEAT_MTE_STORE_ONLY" }),
  TAGACCESS: bit("TagAccess", 41, "the Permission fault is due to the NoTagAccess memory attribute (FEAT_MTE_PERM)", { feature: "FEAT_MTE_PERM" }),
  GCS: bit("GCS", 40, "the fault is from a Guarded Control Stack data access (FEAT_GCS)", { feature: "FEAT_GCS" }),
  ASSUREDONLY: bit("AssuredOnly", 39, "a stage-2 Permission fault from the AssuredOnly check (FEAT_THE)", { feature: "FEAT_THE" }),
  OVERLAY: bit("Overlay", 38, "a Permission fault due to a permission overlay (FEAT_S1POE / FEAT_S2POE)", { feature: "FEAT_S1POE" }),
  DIRTYBIT: bit("DirtyBit", 37, "a Permission fault with Indirect Permissions on a write to a not-dirty page (FEAT_S1PIE / FEAT_S2PIE)", {
    feature: "FEAT_S1PIE",
  }),
  XS: field("Xs", 36, 32, "the register of the status result of ST64BV / ST64BV0 (FEAT_LS64)", { feature: "FEAT_LS64" }),
} as const;

// ---- exception classes --------------------------------------------------------------------

/** One exception class: its code, name, and how its ISS reads. */
export interface EcInfo {
  ec: number;
  /** Linux's ESR_ELx_EC_* suffix. */
  linux: string;
  /** The Arm ARM's words. */
  title: string;
  feature?: string;
  /** What KVM does with it when taken to EL2 from a guest (arch/arm64/kvm/handle_exit.c). */
  kvm?: string;
}

/** Every EC the Arm ARM allocates (asm/esr.h ESR_ELx_EC_*); the rest are unallocated. */
export const EC_TABLE: readonly EcInfo[] = [
  { ec: 0x00, linux: "UNKNOWN", title: "Unknown reason", kvm: "kvm_handle_unknown_ec(): injects an UNDEFINED exception" },
  { ec: 0x01, linux: "WFx", title: "Trapped WFI, WFE, WFIT or WFET instruction", kvm: "kvm_handle_wfx(): blocks the vCPU (WFI) or yields (WFE)" },
  { ec: 0x03, linux: "CP15_32", title: "Trapped MCR or MRC access with coproc 0b1111 (AArch32)", kvm: "kvm_handle_cp15_32()" },
  { ec: 0x04, linux: "CP15_64", title: "Trapped MCRR or MRRC access with coproc 0b1111 (AArch32)", kvm: "kvm_handle_cp15_64()" },
  { ec: 0x05, linux: "CP14_MR", title: "Trapped MCR or MRC access with coproc 0b1110 (AArch32)", kvm: "kvm_handle_cp14_32()" },
  { ec: 0x06, linux: "CP14_LS", title: "Trapped LDC or STC access (AArch32)", kvm: "kvm_handle_cp14_load_store()" },
  {
    ec: 0x07,
    linux: "FP_ASIMD",
    title: "Access to SME, SVE, Advanced SIMD or floating-point functionality trapped by CPACR_EL1.FPEN, CPTR_EL2.FPEN/TFP or CPTR_EL3.TFP",
    kvm: "kvm_handle_fpasimd(): an UNDEFINED exception unless the guest has FP",
  },
  { ec: 0x08, linux: "CP10_ID", title: "Trapped VMRS access, from ID group traps (AArch32, EL2 only)", kvm: "kvm_handle_cp10_id()" },
  {
    ec: 0x09,
    linux: "PAC",
    title: "Trapped use of a Pointer authentication instruction (HCR_EL2.API = 0)",
    feature: "FEAT_PAuth",
    kvm: "kvm_handle_ptrauth()",
  },
  {
    ec: 0x0a,
    linux: "OTHER",
    title: "Trapped LD64B, ST64B, ST64BV or ST64BV0 instruction, or other trapped instructions (ISS[24:0] says which)",
    feature: "FEAT_LS64",
  },
  { ec: 0x0c, linux: "CP14_64", title: "Trapped MRRC access with coproc 0b1110 (AArch32)", kvm: "kvm_handle_cp14_64()" },
  { ec: 0x0d, linux: "BTI", title: "Branch Target Exception", feature: "FEAT_BTI" },
  { ec: 0x0e, linux: "ILL", title: "Illegal Execution state" },
  { ec: 0x11, linux: "SVC32", title: "SVC instruction execution in AArch32 state" },
  { ec: 0x12, linux: "HVC32", title: "HVC instruction execution in AArch32 state (EL2 only)", kvm: "handle_hvc(): the hypercall (PSCI, SMCCC)" },
  {
    ec: 0x13,
    linux: "SMC32",
    title: "SMC instruction execution in AArch32 state (EL2 and above)",
    kvm: "handle_smc(): SMCCC forwarding or an UNDEFINED exception",
  },
  { ec: 0x15, linux: "SVC64", title: "SVC instruction execution in AArch64 state" },
  {
    ec: 0x16,
    linux: "HVC64",
    title: "HVC instruction execution in AArch64 state (EL2 and above)",
    kvm: "handle_hvc(): kvm_smccc_call_handler() (PSCI, SMCCC, vendor hypercalls)",
  },
  {
    ec: 0x17,
    linux: "SMC64",
    title: "SMC instruction execution in AArch64 state (EL2 and above), trapped by HCR_EL2.TSC",
    kvm: "handle_smc(): kvm_smccc_call_handler(), the instruction skipped",
  },
  {
    ec: 0x18,
    linux: "SYS64",
    title: "Trapped MSR, MRS or System instruction execution in AArch64 state",
    kvm: "kvm_handle_sys_reg(): emulates the access (sys_regs.c) or injects an UNDEFINED exception",
  },
  {
    ec: 0x19,
    linux: "SVE",
    title: "Access to SVE functionality trapped by CPACR_EL1.ZEN, CPTR_EL2.ZEN/TZ or CPTR_EL3.EZ",
    feature: "FEAT_SVE",
    kvm: "handle_sve()",
  },
  {
    ec: 0x1a,
    linux: "ERET",
    title: "Trapped ERET, ERETAA or ERETAB instruction execution",
    feature: "FEAT_NV / FEAT_FGT",
    kvm: "kvm_handle_eret(): nested virtualization",
  },
  { ec: 0x1b, linux: "TME", title: "Exception from an access to a TSTART instruction (withdrawn FEAT_TME)", feature: "FEAT_TME" },
  { ec: 0x1c, linux: "FPAC", title: "Exception from a Pointer Authentication instruction authentication failure", feature: "FEAT_FPAC" },
  {
    ec: 0x1d,
    linux: "SME",
    title: "Access to SME functionality trapped by CPACR_EL1.SMEN, CPTR_EL2.SMEN/TSM or CPTR_EL3.ESM",
    feature: "FEAT_SME",
    kvm: "handle_sme()",
  },
  { ec: 0x1f, linux: "IMP_DEF", title: "IMPLEMENTATION DEFINED exception taken to EL3" },
  {
    ec: 0x20,
    linux: "IABT_LOW",
    title: "Instruction Abort from a lower Exception level",
    kvm: "kvm_handle_guest_abort(): a stage-2 fault of the guest (s2pt fault)",
  },
  { ec: 0x21, linux: "IABT_CUR", title: "Instruction Abort taken without a change in Exception level" },
  { ec: 0x22, linux: "PC_ALIGN", title: "PC alignment fault exception" },
  {
    ec: 0x24,
    linux: "DABT_LOW",
    title: "Data Abort exception from a lower Exception level",
    kvm: "kvm_handle_guest_abort(): a stage-2 fault of the guest (s2pt fault)",
  },
  { ec: 0x25, linux: "DABT_CUR", title: "Data Abort exception taken without a change in Exception level" },
  { ec: 0x26, linux: "SP_ALIGN", title: "SP alignment fault exception" },
  { ec: 0x27, linux: "MOPS", title: "Memory Operation Exception", feature: "FEAT_MOPS" },
  { ec: 0x28, linux: "FP_EXC32", title: "Trapped floating-point exception taken from AArch32 state" },
  { ec: 0x2c, linux: "FP_EXC64", title: "Trapped floating-point exception taken from AArch64 state" },
  { ec: 0x2d, linux: "GCS", title: "GCS exception", feature: "FEAT_GCS" },
  { ec: 0x2f, linux: "SERROR", title: "SError exception", kvm: "kvm_handle_guest_serror() / handle_exit(): a physical SError while the guest ran" },
  { ec: 0x30, linux: "BREAKPT_LOW", title: "Breakpoint exception from a lower Exception level", kvm: "kvm_handle_guest_debug()" },
  { ec: 0x31, linux: "BREAKPT_CUR", title: "Breakpoint exception taken without a change in Exception level" },
  { ec: 0x32, linux: "SOFTSTP_LOW", title: "Software Step exception from a lower Exception level", kvm: "kvm_handle_guest_debug()" },
  { ec: 0x33, linux: "SOFTSTP_CUR", title: "Software Step exception taken without a change in Exception level" },
  { ec: 0x34, linux: "WATCHPT_LOW", title: "Watchpoint exception from a lower Exception level", kvm: "kvm_handle_guest_debug()" },
  { ec: 0x35, linux: "WATCHPT_CUR", title: "Watchpoint exception taken without a change in Exception level" },
  { ec: 0x38, linux: "BKPT32", title: "BKPT instruction execution in AArch32 state", kvm: "kvm_handle_guest_debug()" },
  { ec: 0x3a, linux: "VECTOR32", title: "Vector Catch exception from AArch32 state (EL2 only)" },
  { ec: 0x3c, linux: "BRK64", title: "BRK instruction execution in AArch64 state", kvm: "kvm_handle_guest_debug()" },
  { ec: 0x3d, linux: "PMU", title: "PMU exception", feature: "FEAT_EBEP" },
];

/** ESR_ELx.EC values s2pt's walker and KVM's abort path use. */
export const EC_CODES = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  HVC64: 0x16,
  SMC64: 0x17,
  SYS64: 0x18,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  SERROR: 0x2f,
} as const;

const EC_BY_CODE: ReadonlyArray<EcInfo | undefined> = (() => {
  const t: Array<EcInfo | undefined> = Array.from({ length: 64 }, () => undefined);
  for (const e of EC_TABLE) t[e.ec] = e;
  return t;
})();

/** The exception class `ec` (0..0x3f), or null for an unallocated one. */
export function ecInfo(ec: number): EcInfo | null {
  checkInt(ec, "ec", 0, 0x3f, "an exception class (6 bits)");
  return EC_BY_CODE[ec & 0x3f] ?? null;
}

/** Whether EC is a Data Abort (0x24 or 0x25). */
export function isDataAbortEc(ec: number): boolean {
  return ec === EC_CODES.DABT_LOW || ec === EC_CODES.DABT_CUR;
}

/** Whether EC is an Instruction Abort (0x20 or 0x21). */
export function isInstructionAbortEc(ec: number): boolean {
  return ec === EC_CODES.IABT_LOW || ec === EC_CODES.IABT_CUR;
}

// ---- ISS layouts per class ------------------------------------------------------------------

function cv(): FieldDef[] {
  return [
    bit("CV", 24, "Condition code valid (exceptions from AArch32)"),
    field("COND", 23, 20, "the condition code of the trapped instruction (0b1110 for AArch64)"),
  ];
}

/** The MSR/MRS/System instruction ISS (EC 0x18). */
export const SYS64 = {
  OP0: field("Op0", 21, 20, "Op0 of the trapped instruction"),
  OP2: field("Op2", 19, 17, "Op2 of the trapped instruction"),
  OP1: field("Op1", 16, 14, "Op1 of the trapped instruction"),
  CRN: field("CRn", 13, 10, "CRn of the trapped instruction"),
  RT: field("Rt", 9, 5, "the general-purpose register of the transfer"),
  CRM: field("CRm", 4, 1, "CRm of the trapped instruction"),
  DIRECTION: bit("Direction", 0, "direction of the trapped instruction", { values: { 0: "write (MSR, or a System instruction)", 1: "read (MRS, or SYSL)" } }),
} as const;

/** The SError ISS (EC 0x2F). */
export const SERR = {
  IDS: bit("IDS", 24, "IMPLEMENTATION DEFINED syndrome: 0 the architected syndrome below"),
} as const;

/** ISS layouts that name their bits (ESR bits 24:0), by EC; any other EC's ISS is one field. */
function issLayout(ec: number, value: bigint): FieldDef[] {
  switch (ec) {
    case 0x00:
    case 0x0e:
    case 0x22:
    case 0x26:
      return [res0(24, 0, "Reserved, RES0 (this class has no syndrome)")];
    case 0x01:
      return [
        ...cv(),
        res0(19, 10),
        field("RN", 9, 5, "the register holding the timeout of a WFET/WFIT (FEAT_WFxT)", { feature: "FEAT_WFxT" }),
        res0(4, 3),
        bit("RV", 2, "RN holds a valid register number (FEAT_WFxT)", { feature: "FEAT_WFxT" }),
        field("TI", 1, 0, "Trapped Instruction", { values: { 0: "WFI", 1: "WFE", 2: "WFIT", 3: "WFET" } }),
      ];
    case 0x11:
    case 0x12:
    case 0x15:
    case 0x16:
    case 0x17:
      return [
        res0(24, 16),
        field(
          "imm16",
          15,
          0,
          ec === 0x17
            ? "the immediate of the SMC instruction (0 for SMCCC calls)"
            : ec === 0x16 || ec === 0x12
              ? "the immediate of the HVC instruction (0 for SMCCC calls; KVM: kvm_vcpu_hvc_get_imm())"
              : "the immediate of the SVC instruction",
        ),
      ];
    case 0x13:
      return [...cv(), bit("CCKNOWNPASS", 19, "the instruction might have failed its condition code check"), res0(18, 0)];
    case 0x18:
      return [res0(24, 22), SYS64.OP0, SYS64.OP2, SYS64.OP1, SYS64.CRN, SYS64.RT, SYS64.CRM, SYS64.DIRECTION];
    case 0x1a:
      return [res0(24, 2), bit("ERET", 1, "0: ERET, 1: ERETAA or ERETAB"), bit("ERETA", 0, "with ERET = 1: 0 ERETAA (A key), 1 ERETAB (B key)")];
    case 0x3c:
      return [res0(24, 16), field("Comment", 15, 0, "the immediate of the BRK instruction (Linux: BUG() 0x800, KASAN 0x900.., UBSAN 0x5500.., CFI 0x8000..)")];
    case 0x2f:
      return fieldNum(value, SERR.IDS) === 1
        ? [SERR.IDS, field("ISS", 23, 0, "IMPLEMENTATION DEFINED syndrome")]
        : [
            SERR.IDS,
            res0(23, 14),
            bit("IESB", 13, "the SError was synchronized by an Implicit Error Synchronization event (FEAT_IESB)", { feature: "FEAT_IESB" }),
            field("AET", 12, 10, "Asynchronous Error Type (FEAT_RAS)", {
              values: {
                0: "Uncontainable (UC)",
                1: "Unrecoverable state (UEU)",
                2: "Restartable state (UEO)",
                3: "Recoverable state (UER)",
                6: "Corrected (CE)",
              },
            }),
            bit("EA", 9, "External abort type (IMPLEMENTATION DEFINED)"),
            res0(8, 6),
            field("DFSC", 5, 0, "Data Fault Status Code", { values: { 0: "Uncategorized error", 0x11: "Asynchronous SError interrupt" } }),
          ];
    case 0x20:
    case 0x21:
      return [res0(24, 22), ABT.TOPLEVEL, res0(20, 16), ABT.FNP, ABT.PFV, res0(13), ABT.SET, ABT.FNV, ABT.EA, res0(8), ABT.S1PTW, res0(6), ABT.IFSC];
    case 0x24:
    case 0x25: {
      const isv = fieldNum(value, ABT.ISV) === 1;
      const head = isv ? [ABT.ISV, ABT.SAS, ABT.SSE, ABT.SRT, ABT.SF, ABT.AR] : [ABT.ISV, res0(23, 22), ABT.TOPLEVEL, res0(20, 16), ABT.FNP, ABT.PFV];
      return [...head, ABT.VNCR, ABT.LST, ABT.FNV, ABT.EA, ABT.CM, ABT.S1PTW, ABT.WNR, ABT.DFSC];
    }
    default:
      return [ESR.ISS];
  }
}

/** A Data Abort's ISS2 (ESR bits 55:32), field by field, high to low. */
export const DABT_ISS2_LAYOUT: readonly FieldDef[] = [
  DABT_ISS2.RES0,
  DABT_ISS2.HDBSSF,
  DABT_ISS2.TND,
  DABT_ISS2.TAGACCESS,
  DABT_ISS2.GCS,
  DABT_ISS2.ASSUREDONLY,
  DABT_ISS2.OVERLAY,
  DABT_ISS2.DIRTYBIT,
  DABT_ISS2.XS,
];

/** ISS2 layout by EC: the Data Abort's named bits, otherwise one field. */
function iss2Layout(ec: number): FieldDef[] {
  if (isDataAbortEc(ec)) return [...DABT_ISS2_LAYOUT];
  return [ESR.ISS2];
}

/** The whole layout for this value (its EC and, for a Data Abort, its ISV choose the ISS fields). */
export function esrLayout(value: bigint, el: 1 | 2 = 2): Layout {
  const ec = fieldNum(value, ESR.EC);
  const l: Layout = { register: `ESR_EL${el}`, width: 64, fields: [ESR.RES0_63_56, ...iss2Layout(ec), ESR.EC, ESR.IL, ...issLayout(ec, value)] };
  checkLayout(l);
  return l;
}

/** Does IL have to be 1 for this syndrome (RES1)? */
export function ilIsRes1(ec: number, value: bigint): boolean {
  if ([0x00, 0x0e, 0x20, 0x21, 0x22, 0x26, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35].includes(ec)) return true;
  return isDataAbortEc(ec) && fieldNum(value, ABT.ISV) === 0;
}

const SAS_BYTES = [1, 2, 4, 8];

/** A few system registers by encoding (op0, op1, CRn, CRm, op2), for the MSR/MRS ISS. */
const SYSREG_NAMES: ReadonlyArray<readonly [string, string]> = [
  ["3,0,1,0,0", "SCTLR_EL1"],
  ["3,0,2,0,0", "TTBR0_EL1"],
  ["3,0,2,0,1", "TTBR1_EL1"],
  ["3,0,2,0,2", "TCR_EL1"],
  ["3,0,5,2,0", "ESR_EL1"],
  ["3,0,6,0,0", "FAR_EL1"],
  ["3,0,7,4,0", "PAR_EL1"],
  ["3,0,10,2,0", "MAIR_EL1"],
  ["3,0,10,3,0", "AMAIR_EL1"],
  ["3,0,13,0,1", "CONTEXTIDR_EL1"],
  ["3,0,0,7,0", "ID_AA64MMFR0_EL1"],
  ["3,0,0,7,1", "ID_AA64MMFR1_EL1"],
  ["3,0,0,7,2", "ID_AA64MMFR2_EL1"],
  ["3,0,0,4,0", "ID_AA64PFR0_EL1"],
  ["3,3,0,0,1", "CTR_EL0"],
  ["3,3,14,0,0", "CNTFRQ_EL0"],
  ["3,3,14,0,2", "CNTVCT_EL0"],
  ["3,3,9,12,0", "PMCR_EL0"],
  ["3,0,12,12,5", "ICC_SRE_EL1"],
  ["3,0,12,11,5", "ICC_SGI1R_EL1"],
  ["1,0,7,6,1", "DC IVAC"],
  ["1,0,7,6,2", "DC ISW"],
  ["1,0,7,10,2", "DC CSW"],
  ["1,0,7,14,2", "DC CISW"],
];

export function sysregName(value: bigint): string {
  const [op0, op1, crn, crm, op2] = [SYS64.OP0, SYS64.OP1, SYS64.CRN, SYS64.CRM, SYS64.OP2].map((f) => fieldNum(value, f));
  const name = SYSREG_NAMES.find(([k]) => k === `${op0},${op1},${crn},${crm},${op2}`)?.[1];
  const enc = `S${op0}_${op1}_C${crn}_C${crm}_${op2}`;
  return name ? `${enc} (${name})` : enc;
}

/**
 * Decode an ESR_EL1 or ESR_EL2 value. Every bit is accounted for: the ISS
 * fields are those of the value's EC (and, for a Data Abort, of its ISV).
 */
export function decodeEsr(value: bigint, el: 1 | 2 = 2): DecodedRegister {
  checkBigU64(value, "value");
  checkOneOf(el, "el", [1, 2]);
  const layout = esrLayout(value, el);
  const ec = fieldNum(value, ESR.EC);
  const info = ecInfo(ec);
  const data = isDataAbortEc(ec);
  const abort = data || isInstructionAbortEc(ec);
  const isv = data && fieldNum(value, ABT.ISV) === 1;
  const fsc = Number(value & 0x3fn);
  const fi = abort ? fscInfo(fsc) : null;
  const { fields, problems } = decodeFields(layout, value, (f, v) => {
    const n = Number(v);
    switch (f) {
      case ESR.EC:
        return info
          ? { meaning: `0x${n.toString(16).padStart(2, "0")}: ${info.title}${info.feature ? ` (${info.feature})` : ""} [ESR_ELx_EC_${info.linux}]` }
          : { meaning: `0x${n.toString(16).padStart(2, "0")}: unallocated`, problem: `EC 0x${n.toString(16)} is unallocated` };
      case ESR.IL:
        if (n === 0 && ilIsRes1(ec, value))
          return { meaning: "16-bit instruction", problem: `IL is RES1 for this class${data ? " (a Data Abort with ISV = 0)" : ""}` };
        return { meaning: n ? (ilIsRes1(ec, value) ? "1 (RES1 for this class)" : "1: a 32-bit instruction") : "0: a 16-bit T32 instruction" };
      case ABT.DFSC:
      case ABT.IFSC:
        return fscWords(n, f === ABT.DFSC);
      case ABT.ISV:
        return {
          meaning: n
            ? "1: ISS[23:14] hold the instruction syndrome (a single-register load or store)"
            : "0: no instruction syndrome (KVM cannot emulate an MMIO access from it)",
        };
      case ABT.SAS:
        return { meaning: `${f.values?.[n]} (${SAS_BYTES[n]} byte${n ? "s" : ""})` };
      case ABT.SRT:
        return { meaning: `${fieldNum(value, ABT.SF) ? "X" : "W"}${n}${n === 31 ? " (XZR/WZR)" : ""}` };
      case ABT.SF:
        return { meaning: n ? "1: 64-bit register (Xt)" : "0: 32-bit register (Wt)" };
      case ABT.SSE:
        return { meaning: n ? "1: sign-extend" : "0: no sign extension" };
      case ABT.AR:
        return { meaning: n ? "1: acquire/release semantics" : "0" };
      case ABT.LST: {
        if (fi && (fi.kind === "sea" || fi.kind === "ecc")) {
          const set = ABT.SET.values?.[n];
          return set ? { meaning: `SET: ${set}` } : { meaning: `SET: 0b${n.toString(2).padStart(2, "0")} reserved`, problem: "SET = 0b01 is reserved" };
        }
        if (fi && (fi.kind === "translation" || fi.kind === "access_flag" || fi.kind === "permission")) {
          const lst = ["an instruction other than the ones below", "ST64BV", "LD64B or ST64B", "ST64BV0"][n];
          return { meaning: n === 0 ? "LST 0b00: not an LS64 instruction" : `LST: ${lst} (FEAT_LS64)` };
        }
        return n === 0
          ? { meaning: "0 (RES0 for this DFSC)" }
          : { meaning: `0b${n.toString(2).padStart(2, "0")}`, problem: "LST/SET are RES0 for this fault status code" };
      }
      case ABT.SET:
        if (fi && (fi.kind === "sea" || fi.kind === "ecc")) {
          const set = ABT.SET.values?.[n];
          return set ? { meaning: set } : { meaning: "0b01 reserved", problem: "SET = 0b01 is reserved" };
        }
        return n === 0
          ? { meaning: "0 (RES0 for this IFSC)" }
          : { meaning: `0b${n.toString(2).padStart(2, "0")}`, problem: "SET is RES0 unless the IFSC is a synchronous External abort" };
      case ABT.FNV:
        return { meaning: n ? "1: FAR_ELx is not valid (UNKNOWN)" : "0: FAR_ELx holds the faulting virtual address" };
      case ABT.EA:
        return { meaning: n ? "1 (IMPLEMENTATION DEFINED External abort classification)" : "0" };
      case ABT.CM:
        return { meaning: n ? "1: a cache maintenance or address translation instruction (DC, IC, AT)" : "0: not a cache maintenance instruction" };
      case ABT.S1PTW:
        return {
          meaning: n
            ? "1: a stage-2 fault on the stage-2 translation of the guest's stage-1 table walk (HPFAR_EL2 holds the table entry's IPA; FAR_EL2 the VA being translated)"
            : "0: not on a stage-1 table walk (a stage-2 fault on the access's output IPA, or a stage-1 fault)",
        };
      case ABT.WNR:
        return { meaning: n ? "1: write" : "0: read" };
      case ABT.VNCR:
        return { meaning: n ? "1: the access was through VNCR_EL2 (FEAT_NV2)" : "0" };
      case ESR.ISS:
        return { meaning: `${hex(v)} (not decoded field by field for this EC)` };
      case ESR.ISS2:
        return { meaning: n === 0 ? "0" : `${hex(v)} (not decoded field by field for this EC)` };
      default:
        break;
    }
    return undefined;
  });
  const notes: string[] = [];
  let summary = `EC 0x${ec.toString(16).padStart(2, "0")} ${info ? info.title : "unallocated"}`;
  if (abort) {
    const wnr = data && fieldNum(value, ABT.WNR) === 1;
    const s1ptw = fieldNum(value, ABT.S1PTW) === 1;
    summary = `${data ? "Data Abort" : "Instruction Abort"} ${ec === EC_CODES.DABT_LOW || ec === EC_CODES.IABT_LOW ? "from a lower EL" : "from the same EL"}: ${fi ? fi.title : `reserved FSC 0x${fsc.toString(16)}`}${data ? (wnr ? ", write" : ", read") : ""}${s1ptw ? ", on a stage-1 table walk (S1PTW)" : ""}${isv ? `, ${SAS_BYTES[fieldNum(value, ABT.SAS)]}-byte access to ${fieldNum(value, ABT.SF) ? "X" : "W"}${fieldNum(value, ABT.SRT)}` : ""}`;
    if (el === 2 && (ec === EC_CODES.DABT_CUR || ec === EC_CODES.IABT_CUR))
      notes.push("an abort taken from EL2 itself (the hypervisor), not from the guest: KVM's kvm_handle_guest_abort() does not see it");
    if (el === 1 && s1ptw)
      notes.push("S1PTW = 1 in ESR_EL1: only a stage-2 fault reports it, so this syndrome was injected by a hypervisor (nested virtualization)");
  } else if (ec === 0x18) {
    summary = `${fieldNum(value, SYS64.DIRECTION) ? "MRS (read)" : "MSR (write)"} ${sysregName(value)}, Rt X${fieldNum(value, SYS64.RT)}`;
  } else if (ec === 0x16 || ec === 0x17) {
    summary = `${ec === 0x16 ? "HVC" : "SMC"} #${Number(value & 0xffffn)} in AArch64 state`;
  } else if (ec === 0x01) {
    summary = `trapped ${["WFI", "WFE", "WFIT", "WFET"][Number(value & 3n)]}`;
  }
  if (info?.kvm && el === 2) notes.push(`KVM: ${info.kvm}`);
  if (fi?.level === -1 || fi?.level === -2)
    notes.push(
      `a level ${fi.level} fault: the walk started at level ${fi.level} (${fi.level === -1 ? "4K granule with FEAT_LPA2, 52-bit input" : "FEAT_D128"}); KVM's own stage 2 never starts there (it concatenates root tables instead)`,
    );
  return { register: `ESR_EL${el}`, value: hex(value), width: 64, summary, fields, notes, problems };
}
