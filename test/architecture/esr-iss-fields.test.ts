// ESR_ELx decoded field by field, every field of each value written out by
// hand (issue 23: the mutation gaps of src/regs/esr.ts and fsc.ts). Source:
// the Arm ARM's ESR_ELx description (D24.2; the ISS encodings of a Data
// Abort, an Instruction Abort, WFx, HVC/SMC/SVC, MSR/MRS, ERET, BRK and
// SError), its DFSC/IFSC table (ASL EncodeLDFSC, arch-attributes.md section 5,
// kernel-reference.md's fault codes) and Linux's asm/esr.h ESR_ELx_EC_*
// names. Each value's bits are worked out in the comment above it; the
// decoder under test computes nothing that is expected here.
//
// Every decode runs inside it(): StrykerJS activates a mutant per test, so
// a value decoded in a describe() body would be decoded unmutated.
import { describe, expect, it } from "vitest";
import { decodeEsr, ecInfo, esrLayout, ilIsRes1, isDataAbortEc, isInstructionAbortEc, sysregName } from "../../src/regs/esr.js";
import { fscInfo, fscWords, ldfscCode, FSC_TABLE } from "../../src/regs/fsc.js";
import type { DecodedRegister } from "../../src/regs/field.js";

type Row = [name: string, bits: string, value: string, meaning: string, problem?: string];

function rows(d: DecodedRegister): Row[] {
  return d.fields.map((f) => (f.problem === undefined ? [f.name, f.bits, f.value, f.meaning] : [f.name, f.bits, f.value, f.meaning, f.problem]));
}

function meaning(v: bigint, name: string): string {
  const f = decodeEsr(v).fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name}`);
  return f.meaning;
}

function problemOf(v: bigint, name: string): string | undefined {
  return decodeEsr(v).fields.find((x) => x.name === name)?.problem;
}

const TOP: Row = ["RES0", "63:56", "0x0", "Reserved, RES0"];
/** A Data Abort's ISS2 (ESR bits 55:32) with every bit clear. */
const DABT_ISS2_ZERO: Row[] = [
  ["RES0", "55:44", "0x0", "Reserved, RES0"],
  ["HDBSSF", "43", "0x0", "0"],
  ["TnD", "42", "0x0", "0"],
  ["TagAccess", "41", "0x0", "0"],
  ["GCS", "40", "0x0", "0"],
  ["AssuredOnly", "39", "0x0", "0"],
  ["Overlay", "38", "0x0", "0"],
  ["DirtyBit", "37", "0x0", "0"],
  ["Xs", "36:32", "0x0", "0b00000"],
];
const ISS2_ZERO: Row = ["ISS2", "55:32", "0x0", "0"];
const KVM_ABORT = "KVM: kvm_handle_guest_abort(): a stage-2 fault of the guest (s2pt fault)";
const EL2_SELF = "an abort taken from EL2 itself (the hypervisor), not from the guest: KVM's kvm_handle_guest_abort() does not see it";
const SEA = "Synchronous External abort, not on a translation table walk or hardware update of a translation table";
const S1PTW_1 =
  "1: a stage-2 fault on the stage-2 translation of the guest's stage-1 table walk (HPFAR_EL2 holds the table entry's IPA; FAR_EL2 the VA being translated)";
const S1PTW_0 = "0: not on a stage-1 table walk (a stage-2 fault on the access's output IPA, or a stage-1 fault)";

describe("Data Abort, ISV = 1 (ISS[23:14] = SAS SSE SRT SF AR)", () => {
  it("0x93c08007: LDR X0, a stage-2 Translation fault at level 3", () => {
    // 1001 0011 1100 0000 1000 0000 0000 0111
    // EC [31:26] 100100 = 0x24 DABT_LOW; IL [25] 1; ISV [24] 1; SAS [23:22] 11 (doubleword);
    // SSE 0; SRT [20:16] 0 (X0, SF = 1); SF [15] 1; AR 0; VNCR 0; LST [12:11] 00; FnV, EA, CM,
    // S1PTW, WnR 0; DFSC 000111 = Translation fault, level 3.
    const d = decodeEsr(0x93c08007n);
    expect(d.register).toBe("ESR_EL2");
    expect(d.value).toBe("0x93c08007");
    expect(d.width).toBe(64);
    expect(rows(d)).toEqual([
      TOP,
      ...DABT_ISS2_ZERO,
      ["EC", "31:26", "0x24", "0x24: Data Abort exception from a lower Exception level [ESR_ELx_EC_DABT_LOW]"],
      ["IL", "25", "0x1", "1: a 32-bit instruction"],
      ["ISV", "24", "0x1", "1: ISS[23:14] hold the instruction syndrome (a single-register load or store)"],
      ["SAS", "23:22", "0x3", "doubleword (8 bytes)"],
      ["SSE", "21", "0x0", "0: no sign extension"],
      ["SRT", "20:16", "0x0", "X0"],
      ["SF", "15", "0x1", "1: 64-bit register (Xt)"],
      ["AR", "14", "0x0", "0"],
      ["VNCR", "13", "0x0", "0"],
      ["LST", "12:11", "0x0", "LST 0b00: not an LS64 instruction"],
      ["FnV", "10", "0x0", "0: FAR_ELx holds the faulting virtual address"],
      ["EA", "9", "0x0", "0"],
      ["CM", "8", "0x0", "0: not a cache maintenance instruction"],
      ["S1PTW", "7", "0x0", S1PTW_0],
      ["WnR", "6", "0x0", "0: read"],
      ["DFSC", "5:0", "0x7", "0b000111: Translation fault, level 3"],
    ]);
    expect(d.summary).toBe("Data Abort from a lower EL: Translation fault, level 3, read, 8-byte access to X0");
    expect(d.notes).toEqual([KVM_ABORT]);
    expect(d.problems).toEqual([]);
  });

  it("0x45973f73cf: a byte load-acquire into W31 from EL2 itself, every flag set, ISS2 Overlay and Xs", () => {
    // Bits 39:32 = 0x45 = 0100 0101: Xs [36:32] = 00101, DirtyBit [37] 0, Overlay [38] 1, AssuredOnly [39] 0.
    // 0x973f73cf = 1001 0111 0011 1111 0111 0011 1100 1111:
    // EC 100101 = 0x25 DABT_CUR; IL 1; ISV 1; SAS 00 byte; SSE [21] 1; SRT 11111 (31, SF 0: W31);
    // SF [15] 0; AR [14] 1; VNCR [13] 1; LST [12:11] 10 (LD64B or ST64B for a Permission fault);
    // FnV [10] 0; EA [9] 1; CM [8] 1; S1PTW [7] 1; WnR [6] 1; DFSC 001111 Permission fault, level 3.
    const v = 0x45_973f_73cfn;
    const d = decodeEsr(v);
    expect(rows(d)).toEqual([
      TOP,
      ["RES0", "55:44", "0x0", "Reserved, RES0"],
      ["HDBSSF", "43", "0x0", "0"],
      ["TnD", "42", "0x0", "0"],
      ["TagAccess", "41", "0x0", "0"],
      ["GCS", "40", "0x0", "0"],
      ["AssuredOnly", "39", "0x0", "0"],
      ["Overlay", "38", "0x1", "1"],
      ["DirtyBit", "37", "0x0", "0"],
      ["Xs", "36:32", "0x5", "0b00101"],
      ["EC", "31:26", "0x25", "0x25: Data Abort exception taken without a change in Exception level [ESR_ELx_EC_DABT_CUR]"],
      ["IL", "25", "0x1", "1: a 32-bit instruction"],
      ["ISV", "24", "0x1", "1: ISS[23:14] hold the instruction syndrome (a single-register load or store)"],
      ["SAS", "23:22", "0x0", "byte (1 byte)"],
      ["SSE", "21", "0x1", "1: sign-extend"],
      ["SRT", "20:16", "0x1f", "W31 (XZR/WZR)"],
      ["SF", "15", "0x0", "0: 32-bit register (Wt)"],
      ["AR", "14", "0x1", "1: acquire/release semantics"],
      ["VNCR", "13", "0x1", "1: the access was through VNCR_EL2 (FEAT_NV2)"],
      ["LST", "12:11", "0x2", "LST: LD64B or ST64B (FEAT_LS64)"],
      ["FnV", "10", "0x0", "0: FAR_ELx holds the faulting virtual address"],
      ["EA", "9", "0x1", "1 (IMPLEMENTATION DEFINED External abort classification)"],
      ["CM", "8", "0x1", "1: a cache maintenance or address translation instruction (DC, IC, AT)"],
      ["S1PTW", "7", "0x1", S1PTW_1],
      ["WnR", "6", "0x1", "1: write"],
      ["DFSC", "5:0", "0xf", "0b001111: Permission fault, level 3"],
    ]);
    expect(d.summary).toBe("Data Abort from the same EL: Permission fault, level 3, write, on a stage-1 table walk (S1PTW), 1-byte access to W31");
    // EC 0x25 has no KVM handler line; taken at EL2 from EL2.
    expect(d.notes).toEqual([EL2_SELF]);
    expect(d.problems).toEqual([]);
    // The same syndrome in ESR_EL1: S1PTW there is only ever injected by a hypervisor.
    const e1 = decodeEsr(v, 1);
    expect(e1.register).toBe("ESR_EL1");
    expect(e1.notes).toEqual(["S1PTW = 1 in ESR_EL1: only a stage-2 fault reports it, so this syndrome was injected by a hypervisor (nested virtualization)"]);
    expect(esrLayout(v, 1).register).toBe("ESR_EL1");
    expect(esrLayout(v).register).toBe("ESR_EL2");
  });

  it("SAS 01 halfword and 10 word; SRT 5 with SF 1 is X5, SRT 30 without the zero-register note", () => {
    // 0x93458007: EC 0x24, IL, ISV; SAS [23:22] 01; SRT [20:16] 00101; SF [15] 1; DFSC 0x07.
    expect(meaning(0x93458007n, "SAS")).toBe("halfword (2 bytes)");
    expect(decodeEsr(0x93458007n).summary).toBe("Data Abort from a lower EL: Translation fault, level 3, read, 2-byte access to X5");
    // 0x939e0047: SAS 10 word; SRT 11110 = 30; SF 0; WnR [6] 1.
    expect(meaning(0x939e0047n, "SAS")).toBe("word (4 bytes)");
    expect(meaning(0x939e0047n, "SRT")).toBe("W30");
    expect(decodeEsr(0x939e0047n).summary).toBe("Data Abort from a lower EL: Translation fault, level 3, write, 4-byte access to W30");
  });

  it("LST by DFSC: the LS64 instruction for Translation/Access flag/Permission faults, RES0 for the others", () => {
    // LST [12:11] = 01 (0x800), 10 (0x1000), 11 (0x1800) on 0x93c08000 (EC 0x24, ISV 1, SAS 11, SF 1).
    expect(meaning(0x93c08805n, "LST")).toBe("LST: ST64BV (FEAT_LS64)"); // DFSC 000101 Translation, level 1
    expect(meaning(0x93c0900bn, "LST")).toBe("LST: LD64B or ST64B (FEAT_LS64)"); // DFSC 001011 Access flag, level 3
    expect(meaning(0x93c0980en, "LST")).toBe("LST: ST64BV0 (FEAT_LS64)"); // DFSC 001110 Permission, level 2
    // DFSC 100001 Alignment: LST/SET are RES0.
    expect(meaning(0x93c08021n, "LST")).toBe("0 (RES0 for this DFSC)");
    expect(meaning(0x93c09021n, "LST")).toBe("0b10");
    expect(problemOf(0x93c09021n, "LST")).toBe("LST/SET are RES0 for this fault status code");
    expect(problemOf(0x93c08021n, "LST")).toBeUndefined();
    expect(meaning(0x93c08821n, "LST")).toBe("0b01"); // LST 01, two binary digits
    // A reserved DFSC (111111): no code, LST RES0.
    expect(meaning(0x93c0803fn, "LST")).toBe("0 (RES0 for this DFSC)");
    // Alignment is a data-only code: a DFSC without a problem.
    expect(meaning(0x93c08021n, "DFSC")).toBe("0b100001: Alignment fault");
    expect(problemOf(0x93c08021n, "DFSC")).toBeUndefined();
  });
});

describe("Data Abort, ISV = 0 (ISS[23:14] = RES0 TopLevel RES0 FnP PFV)", () => {
  it("0x9020cc10: a synchronous External abort, IL clear (RES1 here) and SET 0b01 reserved", () => {
    // 1001 0000 0010 0000 1100 1100 0001 0000:
    // EC 100100 DABT_LOW; IL [25] 0 (RES1 for ISV = 0); ISV 0; [23:22] 00; TopLevel [21] 1;
    // [20:16] 0; FnP [15] 1; PFV [14] 1; VNCR 0; LST/SET [12:11] 01; FnV [10] 1; EA, CM, S1PTW, WnR 0;
    // DFSC 010000 synchronous External abort, not on a walk: bits 12:11 are SET.
    const d = decodeEsr(0x9020cc10n);
    expect(rows(d)).toEqual([
      TOP,
      ...DABT_ISS2_ZERO,
      ["EC", "31:26", "0x24", "0x24: Data Abort exception from a lower Exception level [ESR_ELx_EC_DABT_LOW]"],
      ["IL", "25", "0x0", "16-bit instruction", "IL is RES1 for this class (a Data Abort with ISV = 0)"],
      ["ISV", "24", "0x0", "0: no instruction syndrome (KVM cannot emulate an MMIO access from it)"],
      ["RES0", "23:22", "0x0", "Reserved, RES0"],
      ["TopLevel", "21", "0x1", "1"],
      ["RES0", "20:16", "0x0", "Reserved, RES0"],
      ["FnP", "15", "0x1", "1"],
      ["PFV", "14", "0x1", "1"],
      ["VNCR", "13", "0x0", "0"],
      ["LST", "12:11", "0x1", "SET: 0b01 reserved", "SET = 0b01 is reserved"],
      ["FnV", "10", "0x1", "1: FAR_ELx is not valid (UNKNOWN)"],
      ["EA", "9", "0x0", "0"],
      ["CM", "8", "0x0", "0: not a cache maintenance instruction"],
      ["S1PTW", "7", "0x0", S1PTW_0],
      ["WnR", "6", "0x0", "0: read"],
      ["DFSC", "5:0", "0x10", `0b010000: ${SEA}`],
    ]);
    expect(d.summary).toBe(`Data Abort from a lower EL: ${SEA}, read`);
    expect(d.notes).toEqual([KVM_ABORT]);
    expect(d.problems).toEqual(["IL[25]: IL is RES1 for this class (a Data Abort with ISV = 0)", "LST[12:11]: SET = 0b01 is reserved"]);
  });

  it("SET of a synchronous External abort or a parity/ECC error: 00 UER, 10 UC, 11 UEO", () => {
    // 0x92000010 + SET << 11: EC 0x24, IL 1, ISV 0, DFSC 010000 (SEA) or 011000 (ECC).
    expect(meaning(0x92000010n, "LST")).toBe("SET: Recoverable state (UER)");
    expect(meaning(0x92001010n, "LST")).toBe("SET: Uncontainable (UC)");
    expect(meaning(0x92001818n, "LST")).toBe("SET: Restartable state (UEO)");
    expect(meaning(0x92001818n, "DFSC")).toBe(
      "0b011000: Synchronous parity or ECC error on a memory access, not on a translation table walk (without FEAT_RAS)",
    );
    // IL 1 with ISV 0: RES1, and set.
    expect(meaning(0x92000010n, "IL")).toBe("1 (RES1 for this class)");
  });

  it("levels -1 and -2 are noted; levels 0..3 are not", () => {
    // 0x9200002b: DFSC 101011 Translation fault, level -1; 0x9200002a: 101010, level -2.
    expect(decodeEsr(0x9200002bn).notes).toEqual([
      KVM_ABORT,
      "a level -1 fault: the walk started at level -1 (4K granule with FEAT_LPA2, 52-bit input); KVM's own stage 2 never starts there (it concatenates root tables instead)",
    ]);
    expect(decodeEsr(0x9200002an).notes).toEqual([
      KVM_ABORT,
      "a level -2 fault: the walk started at level -2 (FEAT_D128); KVM's own stage 2 never starts there (it concatenates root tables instead)",
    ]);
    // DFSC 000101 (level 1), 000110 (level 2), 000111 (level 3): only the KVM line.
    for (const v of [0x92000005n, 0x92000006n, 0x92000007n]) expect(decodeEsr(v).notes).toEqual([KVM_ABORT]);
    // ESR_EL1 carries no KVM line.
    expect(decodeEsr(0x92000007n, 1).notes).toEqual([]);
  });
});

describe("Instruction Abort (ISS: TopLevel FnP PFV SET FnV EA S1PTW IFSC, the rest RES0)", () => {
  it("0x186001010: EL2's own fetch, a synchronous External abort, SET 10 Uncontainable, ISS2 not decoded", () => {
    // Bit 32 set: ISS2 = 1 (an Instruction Abort's ISS2 is one field).
    // 0x86001010: EC 100001 = 0x21 IABT_CUR; IL 1 (RES1 here); SET [12:11] 10; IFSC 010000.
    const d = decodeEsr(0x1_8600_1010n);
    expect(rows(d)).toEqual([
      TOP,
      ["ISS2", "55:32", "0x1", "0x1 (not decoded field by field for this EC)"],
      ["EC", "31:26", "0x21", "0x21: Instruction Abort taken without a change in Exception level [ESR_ELx_EC_IABT_CUR]"],
      ["IL", "25", "0x1", "1 (RES1 for this class)"],
      ["RES0", "24:22", "0x0", "Reserved, RES0"],
      ["TopLevel", "21", "0x0", "0"],
      ["RES0", "20:16", "0x0", "Reserved, RES0"],
      ["FnP", "15", "0x0", "0"],
      ["PFV", "14", "0x0", "0"],
      ["RES0", "13", "0x0", "Reserved, RES0"],
      ["SET", "12:11", "0x2", "Uncontainable (UC)"],
      ["FnV", "10", "0x0", "0: FAR_ELx holds the faulting virtual address"],
      ["EA", "9", "0x0", "0"],
      ["RES0", "8", "0x0", "Reserved, RES0"],
      ["S1PTW", "7", "0x0", S1PTW_0],
      ["RES0", "6", "0x0", "Reserved, RES0"],
      ["IFSC", "5:0", "0x10", `0b010000: ${SEA}`],
    ]);
    expect(d.summary).toBe(`Instruction Abort from the same EL: ${SEA}`);
    expect(d.notes).toEqual([EL2_SELF]);
    expect(d.problems).toEqual([]);
    // SET 01 of an SEA is reserved; 11 is UEO.
    expect(meaning(0x86000810n, "SET")).toBe("0b01 reserved");
    expect(problemOf(0x86000810n, "SET")).toBe("SET = 0b01 is reserved");
    expect(meaning(0x86001810n, "SET")).toBe("Restartable state (UEO)");
    expect(meaning(0x86001818n, "SET")).toBe("Restartable state (UEO)"); // 011000 parity/ECC
  });

  it("0x80000821: IL 0, SET 01 on an Alignment IFSC (a Data Abort only code)", () => {
    // EC 100000 = 0x20 IABT_LOW; IL 0 (RES1); SET [12:11] 01; IFSC 100001.
    const d = decodeEsr(0x80000821n);
    expect(rows(d)).toEqual([
      TOP,
      ISS2_ZERO,
      ["EC", "31:26", "0x20", "0x20: Instruction Abort from a lower Exception level [ESR_ELx_EC_IABT_LOW]"],
      ["IL", "25", "0x0", "16-bit instruction", "IL is RES1 for this class"],
      ["RES0", "24:22", "0x0", "Reserved, RES0"],
      ["TopLevel", "21", "0x0", "0"],
      ["RES0", "20:16", "0x0", "Reserved, RES0"],
      ["FnP", "15", "0x0", "0"],
      ["PFV", "14", "0x0", "0"],
      ["RES0", "13", "0x0", "Reserved, RES0"],
      ["SET", "12:11", "0x1", "0b01", "SET is RES0 unless the IFSC is a synchronous External abort"],
      ["FnV", "10", "0x0", "0: FAR_ELx holds the faulting virtual address"],
      ["EA", "9", "0x0", "0"],
      ["RES0", "8", "0x0", "Reserved, RES0"],
      ["S1PTW", "7", "0x0", S1PTW_0],
      ["RES0", "6", "0x0", "Reserved, RES0"],
      ["IFSC", "5:0", "0x21", "0b100001: Alignment fault (defined for a Data Abort only)", "0b100001 is not an IFSC encoding"],
    ]);
    expect(d.summary).toBe("Instruction Abort from a lower EL: Alignment fault");
    expect(d.notes).toEqual([KVM_ABORT]);
    expect(d.problems).toEqual([
      "IL[25]: IL is RES1 for this class",
      "SET[12:11]: SET is RES0 unless the IFSC is a synchronous External abort",
      "IFSC[5:0]: 0b100001 is not an IFSC encoding",
    ]);
    // SET 00 for a non-SEA IFSC: RES0 and clear.
    expect(meaning(0x8200000fn, "SET")).toBe("0 (RES0 for this IFSC)");
  });

  it("a reserved IFSC 111111 and an S1PTW instruction abort", () => {
    // 0x8200003f: IABT_LOW, IL 1, IFSC 111111 (reserved).
    const d = decodeEsr(0x8200003fn);
    expect(d.summary).toBe("Instruction Abort from a lower EL: reserved FSC 0x3f");
    expect(d.problems).toEqual(["IFSC[5:0]: fault status code 0b111111 is reserved"]);
    // 0x82000087: S1PTW [7] 1, IFSC 000111 Translation, level 3.
    expect(decodeEsr(0x82000087n).summary).toBe("Instruction Abort from a lower EL: Translation fault, level 3, on a stage-1 table walk (S1PTW)");
  });
});

describe("the other exception classes", () => {
  it("0x02000000: EC 0 Unknown reason, no syndrome", () => {
    const d = decodeEsr(0x02000000n);
    expect(rows(d)).toEqual([
      TOP,
      ISS2_ZERO,
      ["EC", "31:26", "0x0", "0x00: Unknown reason [ESR_ELx_EC_UNKNOWN]"],
      ["IL", "25", "0x1", "1 (RES1 for this class)"],
      ["RES0", "24:0", "0x0", "Reserved, RES0 (this class has no syndrome)"],
    ]);
    expect(d.summary).toBe("EC 0x00 Unknown reason");
    expect(d.notes).toEqual(["KVM: kvm_handle_unknown_ec(): injects an UNDEFINED exception"]);
    expect(decodeEsr(0x02000000n, 1).notes).toEqual([]);
  });

  it("0x0e Illegal Execution state, 0x22 PC alignment and 0x26 SP alignment have no syndrome either", () => {
    for (const ec of [0x0en, 0x22n, 0x26n]) {
      const d = decodeEsr((ec << 26n) | (1n << 25n) | 0x5n);
      expect(d.fields.at(-1)).toMatchObject({ name: "RES0", bits: "24:0", value: "0x5", problem: expect.stringMatching(/^RES0 bits set/) as unknown });
      expect(d.fields.find((f) => f.name === "IL")?.meaning).toBe("1 (RES1 for this class)");
    }
  });

  it("0x07e00001: a trapped WFE (CV 1, COND 1110, TI 01)", () => {
    // 0000 0111 1110 0000 ... 0001: EC 000001, IL 1, CV [24] 1, COND [23:20] 1110, TI [1:0] 01.
    const d = decodeEsr(0x07e00001n);
    expect(rows(d)).toEqual([
      TOP,
      ISS2_ZERO,
      ["EC", "31:26", "0x1", "0x01: Trapped WFI, WFE, WFIT or WFET instruction [ESR_ELx_EC_WFx]"],
      ["IL", "25", "0x1", "1: a 32-bit instruction"],
      ["CV", "24", "0x1", "1"],
      ["COND", "23:20", "0xe", "0b1110"],
      ["RES0", "19:10", "0x0", "Reserved, RES0"],
      ["RN", "9:5", "0x0", "0b00000"],
      ["RES0", "4:3", "0x0", "Reserved, RES0"],
      ["RV", "2", "0x0", "0"],
      ["TI", "1:0", "0x1", "WFE"],
    ]);
    expect(d.summary).toBe("trapped WFE");
    expect(d.notes).toEqual(["KVM: kvm_handle_wfx(): blocks the vCPU (WFI) or yields (WFE)"]);
    // TI 00 WFI, 10 WFIT, 11 WFET.
    expect(decodeEsr(0x07e00000n).summary).toBe("trapped WFI");
    expect(decodeEsr(0x07e00002n).summary).toBe("trapped WFIT");
    expect(decodeEsr(0x07e00003n).summary).toBe("trapped WFET");
    expect(meaning(0x07e00003n, "TI")).toBe("WFET");
    expect(meaning(0x07e00002n, "TI")).toBe("WFIT");
    expect(meaning(0x07e00000n, "TI")).toBe("WFI");
    // The field docs (the Arm ARM's words, shown by docs/registers.md).
    const l = esrLayout(0x07e00001n).fields;
    expect(l.find((f) => f.name === "CV")?.doc).toMatch(/^Condition code valid/);
    expect(l.find((f) => f.name === "COND")?.doc).toMatch(/condition code/);
    expect(l.find((f) => f.name === "RN")).toMatchObject({ doc: expect.stringMatching(/WFET\/WFIT/) as unknown, feature: "FEAT_WFxT" });
    expect(l.find((f) => f.name === "RV")).toMatchObject({ doc: expect.stringMatching(/valid register number/) as unknown, feature: "FEAT_WFxT" });
    expect(l.find((f) => f.name === "TI")?.doc).toBe("Trapped Instruction");
  });

  it("HVC, SMC and SVC: imm16, the summary names the instruction", () => {
    // 0x5a000000: EC 010110 = 0x16 HVC64, IL 1, imm16 0; 0x5e001234: EC 0x17 SMC64, imm16 0x1234 = 4660.
    const h = decodeEsr(0x5a000000n);
    expect(rows(h).slice(2)).toEqual([
      ["EC", "31:26", "0x16", "0x16: HVC instruction execution in AArch64 state (EL2 and above) [ESR_ELx_EC_HVC64]"],
      ["IL", "25", "0x1", "1: a 32-bit instruction"],
      ["RES0", "24:16", "0x0", "Reserved, RES0"],
      ["imm16", "15:0", "0x0", "0x0"],
    ]);
    expect(h.summary).toBe("HVC #0 in AArch64 state");
    expect(decodeEsr(0x5e001234n).summary).toBe("SMC #4660 in AArch64 state");
    // 0x56000000: EC 010101 = 0x15 SVC64: no special summary.
    expect(decodeEsr(0x56000000n).summary).toBe("EC 0x15 SVC instruction execution in AArch64 state");
    // The imm16 doc names the instruction of each class (0x11 SVC32, 0x12 HVC32, 0x15 SVC64, 0x16 HVC64, 0x17 SMC64).
    const imm = (ec: bigint): string => esrLayout(ec << 26n).fields.find((f) => f.name === "imm16")?.doc ?? "";
    expect(imm(0x17n)).toBe("the immediate of the SMC instruction (0 for SMCCC calls)");
    expect(imm(0x16n)).toMatch(/^the immediate of the HVC instruction/);
    expect(imm(0x12n)).toMatch(/^the immediate of the HVC instruction/);
    expect(imm(0x15n)).toBe("the immediate of the SVC instruction");
    expect(imm(0x11n)).toBe("the immediate of the SVC instruction");
  });

  it("0x4e000000: SMC in AArch32 state (CV, COND, CCKNOWNPASS, RES0 18:0)", () => {
    // EC 010011 = 0x13, IL 1.
    const l = esrLayout(0x4e000000n).fields.filter((f) => f.hi < 25);
    expect(l.map((f) => [f.name, f.hi, f.lo])).toEqual([
      ["CV", 24, 24],
      ["COND", 23, 20],
      ["CCKNOWNPASS", 19, 19],
      ["RES0", 18, 0],
    ]);
    expect(l[2].doc).toMatch(/condition code check/);
  });

  it("0x62300421 MRS X1, SCTLR_EL1; 0x62300420 MSR; an encoding with no name", () => {
    // EC 011000 = 0x18, IL 1; Op0 [21:20] 11; Op2 000; Op1 000; CRn [13:10] 0001; Rt [9:5] 00001; CRm 0000;
    // Direction [0] 1 read.
    expect(decodeEsr(0x62300421n).summary).toBe("MRS (read) S3_0_C1_C0_0 (SCTLR_EL1), Rt X1");
    expect(decodeEsr(0x62300420n).summary).toBe("MSR (write) S3_0_C1_C0_0 (SCTLR_EL1), Rt X1");
    // 0x62300041: Op0 3, everything else 0 (MIDR_EL1, not in the name list), Rt 2, read.
    expect(decodeEsr(0x62300041n).summary).toBe("MRS (read) S3_0_C0_C0_0, Rt X2");
    expect(sysregName(0x62300040n)).toBe("S3_0_C0_C0_0");
    // 0x6230e418: Op0 [21:20] 11 (0x300000), Op2 [19:17] 000, Op1 [16:14] 011 (0xc000), CRn [13:10] 1001
    // (0x2400), Rt 0, CRm [4:1] 1100 (0x18): PMCR_EL0 (op0 3, op1 3, CRn 9, CRm 12, op2 0).
    expect(sysregName(0x6230e418n)).toBe("S3_3_C9_C12_0 (PMCR_EL0)");
  });

  it("0x6a000003: ERETAB (ERET 1, ERETA 1)", () => {
    // EC 011010 = 0x1a, IL 1; ERET [1] 1, ERETA [0] 1.
    const d = decodeEsr(0x6a000003n);
    expect(rows(d).slice(2)).toEqual([
      ["EC", "31:26", "0x1a", "0x1a: Trapped ERET, ERETAA or ERETAB instruction execution (FEAT_NV / FEAT_FGT) [ESR_ELx_EC_ERET]"],
      ["IL", "25", "0x1", "1: a 32-bit instruction"],
      ["RES0", "24:2", "0x0", "Reserved, RES0"],
      ["ERET", "1", "0x1", "1"],
      ["ERETA", "0", "0x1", "1"],
    ]);
    const l = esrLayout(0x6a000003n).fields;
    expect(l.find((f) => f.name === "ERET")?.doc).toMatch(/ERETAA or ERETAB/);
    expect(l.find((f) => f.name === "ERETA")?.doc).toMatch(/ERETAB \(B key\)/);
  });

  it("0xf2000800: BRK #0x800 (Comment [15:0])", () => {
    const d = decodeEsr(0xf2000800n);
    expect(rows(d).slice(-2)).toEqual([
      ["RES0", "24:16", "0x0", "Reserved, RES0"],
      ["Comment", "15:0", "0x800", "0x800"],
    ]);
    expect(esrLayout(0xf2000800n).fields.at(-1)?.doc).toMatch(/^the immediate of the BRK instruction/);
  });

  it("SError: IDS 0 the architected syndrome (IESB, AET, EA, DFSC), IDS 1 an IMPLEMENTATION DEFINED one", () => {
    // 0xbe000011: EC 101111 = 0x2f, IL 1, IDS [24] 0, AET [12:10] 000, DFSC 010001.
    const d = decodeEsr(0xbe000011n);
    expect(rows(d).slice(2)).toEqual([
      ["EC", "31:26", "0x2f", "0x2f: SError exception [ESR_ELx_EC_SERROR]"],
      ["IL", "25", "0x1", "1 (RES1 for this class)"],
      ["IDS", "24", "0x0", "0"],
      ["RES0", "23:14", "0x0", "Reserved, RES0"],
      ["IESB", "13", "0x0", "0"],
      ["AET", "12:10", "0x0", "Uncontainable (UC)"],
      ["EA", "9", "0x0", "0"],
      ["RES0", "8:6", "0x0", "Reserved, RES0"],
      ["DFSC", "5:0", "0x11", "Asynchronous SError interrupt"],
    ]);
    expect(d.summary).toBe("EC 0x2f SError exception");
    expect(d.notes).toEqual(["KVM: kvm_handle_guest_serror() / handle_exit(): a physical SError while the guest ran"]);
    // AET 001 UEU (0x400), 010 UEO (0x800), 011 UER (0xc00), 110 CE (0x1800), 100 unnamed; DFSC 0 uncategorized.
    const aet = (v: bigint): string => decodeEsr(v).fields.find((f) => f.name === "AET")?.meaning ?? "";
    expect(aet(0xbe000400n)).toBe("Unrecoverable state (UEU)");
    expect(aet(0xbe000800n)).toBe("Restartable state (UEO)");
    expect(aet(0xbe000c00n)).toBe("Recoverable state (UER)");
    expect(aet(0xbe001800n)).toBe("Corrected (CE)");
    expect(aet(0xbe001000n)).toBe("0b100");
    expect(decodeEsr(0xbe000000n).fields.at(-1)?.meaning).toBe("Uncategorized error");
    const l = esrLayout(0xbe000011n).fields;
    expect(l.find((f) => f.name === "IESB")).toMatchObject({ doc: expect.stringMatching(/Implicit Error Synchronization/) as unknown, feature: "FEAT_IESB" });
    expect(l.find((f) => f.name === "AET")?.doc).toMatch(/^Asynchronous Error Type/);
    expect(l.find((f) => f.name === "EA")?.doc).toMatch(/^External abort type/);
    expect(l.find((f) => f.name === "DFSC")?.doc).toBe("Data Fault Status Code");
    // 0xbf000123: IDS [24] 1: bits 23:0 one IMPLEMENTATION DEFINED field.
    const i = decodeEsr(0xbf000123n);
    expect(rows(i).slice(4)).toEqual([
      ["IDS", "24", "0x1", "1"],
      ["ISS", "23:0", "0x123", "0x123"],
    ]);
    expect(esrLayout(0xbf000123n).fields.at(-1)?.doc).toBe("IMPLEMENTATION DEFINED syndrome");
  });

  it("a class with no named ISS (0x07 FP/ASIMD): one ISS field; ISS2 non-zero shown in hex", () => {
    // 0x31e001234: ISS2 = 0x3; EC 000111 = 0x07, IL 1, ISS 0x1234.
    const d = decodeEsr(0x3_1e00_1234n);
    expect(rows(d).slice(1)).toEqual([
      ["ISS2", "55:32", "0x3", "0x3 (not decoded field by field for this EC)"],
      [
        "EC",
        "31:26",
        "0x7",
        "0x07: Access to SME, SVE, Advanced SIMD or floating-point functionality trapped by CPACR_EL1.FPEN, CPTR_EL2.FPEN/TFP or CPTR_EL3.TFP [ESR_ELx_EC_FP_ASIMD]",
      ],
      ["IL", "25", "0x1", "1: a 32-bit instruction"],
      ["ISS", "24:0", "0x1234", "0x1234 (not decoded field by field for this EC)"],
    ]);
    // 0x1e000000: the same class with ISS 0 and ISS2 0.
    expect(rows(decodeEsr(0x1e000000n)).at(-1)).toEqual(["ISS", "24:0", "0x0", "0x0 (not decoded field by field for this EC)"]);
  });

  it("an unallocated EC (0x02) is a problem; IL 0 is a 16-bit instruction where IL is not RES1", () => {
    // 0x0a000000: EC 000010, IL 1.
    const d = decodeEsr(0x0a000000n);
    expect(d.fields[2]).toMatchObject({ name: "EC", meaning: "0x02: unallocated", problem: "EC 0x2 is unallocated" });
    expect(d.summary).toBe("EC 0x02 unallocated");
    expect(d.notes).toEqual([]);
    // 0x54000000: SVC64 with IL 0 (an AArch32 16-bit SVC would be 0x11; IL is a field here).
    expect(meaning(0x54000000n, "IL")).toBe("0: a 16-bit T32 instruction");
    // 0xc8000000: EC 110010 = 0x32 Software Step from a lower EL, IL 0: RES1 broken.
    expect(problemOf(0xc8000000n, "IL")).toBe("IL is RES1 for this class");
  });

  it("IL is RES1 for exactly the classes the Arm ARM lists", () => {
    // Unknown, Illegal state, Instruction Aborts, PC/SP alignment, SError, breakpoints, software step,
    // watchpoints; a Data Abort with ISV = 0.
    const res1 = [0x00, 0x0e, 0x20, 0x21, 0x22, 0x26, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35];
    for (let ec = 0; ec < 64; ec++) {
      const data = ec === 0x24 || ec === 0x25;
      expect(ilIsRes1(ec, 0n)).toBe(res1.includes(ec) || data);
      expect(ilIsRes1(ec, 1n << 24n)).toBe(res1.includes(ec)); // ISV = 1
      expect(isDataAbortEc(ec)).toBe(data);
      expect(isInstructionAbortEc(ec)).toBe(ec === 0x20 || ec === 0x21);
    }
  });

  it("argument checks name the argument", () => {
    expect(() => ecInfo(64)).toThrow(/^ec: 64 is not an exception class \(6 bits\) in 0\.\.63$/);
    expect(() => decodeEsr(-1n)).toThrow(/^value: /);
    expect(() => decodeEsr(0n, 3 as never)).toThrow(/^el: /);
    expect(() => fscInfo(64)).toThrow(/^code: 64 is not a fault status code \(6 bits\) in 0\.\.63$/);
  });
});

describe("fault status codes (ASL EncodeLDFSC; the Arm ARM's DFSC table)", () => {
  it("ldfscCode for every kind with a level", () => {
    // Levels 0..3: BASE | level. -1 and -2 have their own codes; Unreachable is -1.
    const lv = [-2, -1, 0, 1, 2, 3];
    expect(lv.map((l) => ldfscCode("address_size", l))).toEqual([0b101100, 0b101001, 0, 1, 2, 3]);
    expect(lv.map((l) => ldfscCode("translation", l))).toEqual([0b101010, 0b101011, 4, 5, 6, 7]);
    expect(lv.map((l) => ldfscCode("access_flag", l))).toEqual([-1, -1, 8, 9, 10, 11]);
    expect(lv.map((l) => ldfscCode("permission", l))).toEqual([-1, -1, 12, 13, 14, 15]);
    expect(lv.map((l) => ldfscCode("sea_ttw", l))).toEqual([0b010010, 0b010011, 0x14, 0x15, 0x16, 0x17]);
    expect(lv.map((l) => ldfscCode("ecc_ttw", l))).toEqual([-1, 0b011011, 0x1c, 0x1d, 0x1e, 0x1f]);
    expect(lv.map((l) => ldfscCode("gpf_ttw", l))).toEqual([0b100010, 0b100011, 0x24, 0x25, 0x26, 0x27]);
    expect(ldfscCode("sea", 0)).toBe(-1);
    for (const bad of [-3, 4, 1.5]) expect(ldfscCode("translation", bad)).toBe(-1);
  });

  it("every code of the table with its kind, level and feature", () => {
    // [code, kind, level, feature, dataOnly], ascending (the header table of fsc.ts, checked against the Arm ARM).
    const want: Array<[number, string, number | null, string | undefined, boolean | undefined]> = [
      [0x00, "address_size", 0, undefined, undefined],
      [0x01, "address_size", 1, undefined, undefined],
      [0x02, "address_size", 2, undefined, undefined],
      [0x03, "address_size", 3, undefined, undefined],
      [0x04, "translation", 0, undefined, undefined],
      [0x05, "translation", 1, undefined, undefined],
      [0x06, "translation", 2, undefined, undefined],
      [0x07, "translation", 3, undefined, undefined],
      [0x08, "access_flag", 0, "FEAT_LPA2", undefined],
      [0x09, "access_flag", 1, undefined, undefined],
      [0x0a, "access_flag", 2, undefined, undefined],
      [0x0b, "access_flag", 3, undefined, undefined],
      [0x0c, "permission", 0, "FEAT_LPA2", undefined],
      [0x0d, "permission", 1, undefined, undefined],
      [0x0e, "permission", 2, undefined, undefined],
      [0x0f, "permission", 3, undefined, undefined],
      [0x10, "sea", null, undefined, undefined],
      [0x11, "tag_check", null, "FEAT_MTE2", true],
      [0x12, "sea_ttw", -2, "FEAT_D128", undefined],
      [0x13, "sea_ttw", -1, "FEAT_LPA2", undefined],
      [0x14, "sea_ttw", 0, undefined, undefined],
      [0x15, "sea_ttw", 1, undefined, undefined],
      [0x16, "sea_ttw", 2, undefined, undefined],
      [0x17, "sea_ttw", 3, undefined, undefined],
      [0x18, "ecc", null, "without FEAT_RAS", undefined],
      [0x1b, "ecc_ttw", -1, "without FEAT_RAS, FEAT_LPA2", undefined],
      [0x1c, "ecc_ttw", 0, "without FEAT_RAS", undefined],
      [0x1d, "ecc_ttw", 1, "without FEAT_RAS", undefined],
      [0x1e, "ecc_ttw", 2, "without FEAT_RAS", undefined],
      [0x1f, "ecc_ttw", 3, "without FEAT_RAS", undefined],
      [0x21, "alignment", null, undefined, true],
      [0x22, "gpf_ttw", -2, "FEAT_RME, FEAT_D128", undefined],
      [0x23, "gpf_ttw", -1, "FEAT_RME, FEAT_LPA2", undefined],
      [0x24, "gpf_ttw", 0, "FEAT_RME", undefined],
      [0x25, "gpf_ttw", 1, "FEAT_RME", undefined],
      [0x26, "gpf_ttw", 2, "FEAT_RME", undefined],
      [0x27, "gpf_ttw", 3, "FEAT_RME", undefined],
      [0x28, "gpf", null, "FEAT_RME", undefined],
      [0x29, "address_size", -1, "FEAT_LPA2", undefined],
      [0x2a, "translation", -2, "FEAT_D128", undefined],
      [0x2b, "translation", -1, "FEAT_LPA2", undefined],
      [0x2c, "address_size", -2, "FEAT_D128", undefined],
      [0x30, "tlb_conflict", null, undefined, undefined],
      [0x31, "atomic_hw_update", null, "FEAT_HAFDBS", true],
      [0x34, "impdef_lockdown", null, undefined, undefined],
      [0x35, "impdef_exclusive", null, undefined, true],
    ];
    expect(FSC_TABLE.map((i) => [i.code, i.kind, i.level, i.feature, i.dataOnly])).toEqual(want);
    for (let c = 0; c < 64; c++) expect(fscInfo(c)?.code ?? null).toBe(want.some((w) => w[0] === c) ? c : null);
  });

  it("titles and words", () => {
    expect(fscInfo(0x13)?.title).toBe("Synchronous External abort on a translation table walk or hardware update of a translation table, level -1");
    expect(fscInfo(0x11)?.title).toBe("Synchronous Tag Check Fault");
    expect(fscInfo(0x1d)?.title).toBe("Synchronous parity or ECC error on a memory access on a translation table walk or hardware update, level 1");
    expect(fscInfo(0x28)?.title).toBe("Granule Protection Fault, not on a translation table walk or hardware update");
    expect(fscInfo(0x30)?.title).toBe("TLB conflict abort");
    expect(fscInfo(0x31)?.title).toBe("Unsupported atomic hardware update fault");
    expect(fscInfo(0x34)?.title).toBe("IMPLEMENTATION DEFINED fault (Lockdown)");
    expect(fscInfo(0x35)?.title).toBe("IMPLEMENTATION DEFINED fault (Unsupported Exclusive or Atomic access)");
    expect(fscInfo(0x21)?.title).toBe("Alignment fault");
    expect(fscWords(0x11, true)).toEqual({ meaning: "0b010001: Synchronous Tag Check Fault (FEAT_MTE2)" });
    expect(fscWords(0x11, false)).toEqual({
      meaning: "0b010001: Synchronous Tag Check Fault (defined for a Data Abort only)",
      problem: "0b010001 is not an IFSC encoding",
    });
    expect(fscWords(0x05, false)).toEqual({ meaning: "0b000101: Translation fault, level 1" });
    expect(fscWords(0x3f, true)).toEqual({ meaning: "0b111111: reserved", problem: "fault status code 0b111111 is reserved" });
    // 0b100101: the note on the 6.18-era kernel's ESR_ELx_FSC_ADDRSZ_nL(-1); 0b100100 (level 0) has none.
    expect(fscWords(0x25, true).meaning).toBe(
      "0b100101: Granule Protection Fault on a translation table walk or hardware update of a translation table, level 1 (FEAT_RME); note: the 6.18-era kernel's ESR_ELx_FSC_ADDRSZ_nL(-1) wrongly gives this code for an Address size fault at level -1 (architecturally 0b101001; fixed upstream by b877075d0baa)",
    );
    expect(fscWords(0x24, true)).toEqual({
      meaning: "0b100100: Granule Protection Fault on a translation table walk or hardware update of a translation table, level 0 (FEAT_RME)",
    });
  });
});
