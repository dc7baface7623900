// The register decoders of src/regs (HPFAR_EL2, PAR_EL1, VTTBR_EL2, MAIR_ELx,
// VTCR_EL2, TCR_EL1, SCTLR_EL1, HCR_EL2, ID_AA64MMFR0/1/2_EL1) field by field
// against the Arm ARM's register descriptions (D24.2) and Linux's
// arch/arm64/tools/sysreg names (issue 23: the mutation gaps of these files).
// Every value is worked out bit by bit in the comment above it; nothing
// expected here is computed by the decoder under test.
//
// Every decode runs inside it(): StrykerJS activates a mutant per test, so
// a value decoded in a describe() body would be decoded unmutated.
import { describe, expect, it } from "vitest";
import type { DecodedRegister } from "../../src/regs/field.js";
import { decodeHpfar, hpfarIpa } from "../../src/regs/hpfar.js";
import { decodePar, parPa } from "../../src/regs/par.js";
import { decodeVttbr, vttbrBaseAddress } from "../../src/regs/vttbr.js";
import { decodeMair, mairAttr, mairFromBytes, mairLayout } from "../../src/regs/mair.js";
import { decodeVtcr, vtcrGranule, vtcrStartLevel } from "../../src/regs/vtcr.js";
import { decodeTcrRegister } from "../../src/regs/tcr.js";
import { decodeSctlr } from "../../src/regs/sctlr.js";
import { decodeHcr } from "../../src/regs/hcr.js";
import { decodeMmfr0, decodeMmfr1, decodeMmfr2 } from "../../src/regs/idregs.js";

type Row = [name: string, bits: string, value: string, meaning: string, problem?: string];

function rows(d: DecodedRegister): Row[] {
  return d.fields.map((f) => (f.problem === undefined ? [f.name, f.bits, f.value, f.meaning] : [f.name, f.bits, f.value, f.meaning, f.problem]));
}

function field(d: DecodedRegister, name: string): { value: string; meaning: string; problem?: string } {
  const f = d.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${d.register}: no field ${name}`);
  return f.problem === undefined ? { value: f.value, meaning: f.meaning } : { value: f.value, meaning: f.meaning, problem: f.problem };
}

const WB_RAWA = "Normal Write-Back Read-Allocate Write-Allocate Cacheable";

describe("HPFAR_EL2 (NS [63], RES0 [62:48], FIPA [47:4] = IPA[55:12], RES0 [3:0])", () => {
  const HPFAR_NOTES = [
    "KVM's fault_ipa = FIPA << 12 (page aligned); for MMIO it ORs in FAR_EL2[11:0] (kvm_handle_guest_abort())",
    "HPFAR_EL2 is UNKNOWN for a stage-2 Permission fault on the final access (not S1PTW): KVM then translates FAR_EL2 with AT S1E1R",
  ];
  it("0x400010: FIPA 0x40001, the page at IPA 0x40001000", () => {
    const d = decodeHpfar(0x400010n);
    expect(d).toMatchObject({ register: "HPFAR_EL2", value: "0x400010", width: 64, summary: "faulting IPA page 0x40001000", notes: HPFAR_NOTES, problems: [] });
    expect(rows(d)).toEqual([
      ["NS", "63", "0x0", "0 (RES0 for an abort from Non-secure state; Secure IPA space with FEAT_SEL2)"],
      ["RES0", "62:48", "0x0", "Reserved, RES0"],
      ["FIPA", "47:4", "0x40001", "IPA[55:12] = 0x40001: the faulting page is IPA 0x40001000"],
      ["RES0", "3:0", "0x0", "Reserved, RES0"],
    ]);
    expect(hpfarIpa(0x400010n)).toBe(0x40001000n);
  });
  it("NS set (KVM's valid marker), a 52-bit IPA, and FIPA[47:44] (FEAT_D128 only)", () => {
    const ns = decodeHpfar(0x8000_0000_0040_0010n);
    expect(ns.summary).toBe("faulting IPA page 0x40001000 (NS = 1)");
    expect(field(ns, "NS").meaning).toBe("1: Non-secure IPA space; in KVM's saved copy (vcpu->arch.fault.hpfar_el2, 6.15+) the marker that the IPA is valid");
    // 0xf1234567890: FIPA = 0xf123456789 (bits 43:40 = 0xf: IPA[51:48]), IPA 0xf123456789000.
    expect(field(decodeHpfar(0xf1234567890n), "FIPA").meaning).toBe(
      "IPA[55:12] = 0xf123456789: the faulting page is IPA 0xf123456789000 (a 52-bit IPA: FEAT_LPA or FEAT_LPA2)",
    );
    // Bit 47 alone: FIPA = 2^43 = 0x80000000000, IPA 2^55 = 0x80000000000000.
    expect(field(decodeHpfar(0x8000_0000_0000n), "FIPA").meaning).toBe(
      "IPA[55:12] = 0x80000000000: the faulting page is IPA 0x80000000000000; bits 47:44 set: IPA bits 55:52 exist only with FEAT_D128",
    );
    expect(() => decodeHpfar(-1n)).toThrow(/^value: /);
  });
});

describe("PAR_EL1 (F = 0: ATTR PA NSE NS SH; F = 1: S PTW FST)", () => {
  it("0xff00000080000b80: a successful translation, every field", () => {
    // ATTR [63:56] 0xff; PA [47:12] 0x80000 (PA 0x80000000); 0xb80 = 1011 1000 0000: NSE [11] 1,
    // [10] 0, NS [9] 1, SH [8:7] 11 Inner Shareable, [6:1] 0, F 0.
    const d = decodePar(0xff00000080000b80n, (a) => `attr ${a}`);
    expect(rows(d)).toEqual([
      ["ATTR", "63:56", "0xff", "0xff: attr 255"],
      ["RES0", "55:52", "0x0", "Reserved, RES0"],
      ["PA[51:48]", "51:48", "0x0", "0b0000"],
      ["PA", "47:12", "0x80000", "PA[47:12]: the output page is PA 0x80000000"],
      ["NSE", "11", "0x1", "1 (RES1 without FEAT_RME)"],
      ["IMPLEMENTATION DEFINED", "10", "0x0", "IMPLEMENTATION DEFINED"],
      ["NS", "9", "0x1", "1: Non-secure"],
      ["SH", "8:7", "0x3", "Inner Shareable"],
      ["RES0", "6:1", "0x0", "Reserved, RES0"],
      ["F", "0", "0x0", "0: the translation succeeded"],
    ]);
    expect(d).toMatchObject({ register: "PAR_EL1", summary: "PA 0x80000000, ATTR 0xff, Inner Shareable", problems: [] });
    expect(d.notes).toEqual([
      "ATTR and SH may report the resulting attributes (after implementation choices) rather than the descriptors' values (Arm ARM, PAR_EL1)",
    ]);
    // Without a describer the ATTR is the byte alone.
    expect(field(decodePar(0xff00000080000b80n), "ATTR").meaning).toBe("0xff");
  });
  it("0x12345080: NSE 0, NS 0, SH 0b01 reserved", () => {
    // PA [47:12] 0x12345; 0x080: SH [8:7] 01.
    const d = decodePar(0x12345080n);
    expect(field(d, "NSE").meaning).toBe("0: with FEAT_RME the NSE attribute; without FEAT_RME this bit is RES1");
    expect(field(d, "NS").meaning).toBe("0 (UNKNOWN for a Non-secure translation regime)");
    expect(field(d, "SH")).toEqual({ value: "0x1", meaning: "0b01 reserved", problem: "SH = 0b01 is reserved" });
    expect(d.summary).toBe("PA 0x12345000, ATTR 0x00, reserved");
    // ATTR 0x04 (Device-nGnRE): two hex digits.
    expect(field(decodePar(0x0400_0000_1234_5000n), "ATTR").meaning).toBe("0x04");
    expect(d.problems).toEqual(["SH[8:7]: SH = 0b01 is reserved"]);
    expect(parPa(0xf_0000_0000_1000n)).toBe(0xf_0000_0000_1000n); // PA[51:48] = 0xf, PA[47:12] = 1
  });
  it("0xb0f: an aborted translation, stage 2 on the stage-1 walk, Translation fault level 3", () => {
    // 0xb0f = 1011 0000 1111: RES1 [11] 1, [10] 0, S [9] 1, PTW [8] 1, [7] 0, FST [6:1] 000111, F 1.
    const d = decodePar(0xb0fn);
    expect(rows(d)).toEqual([
      ["IMPLEMENTATION DEFINED", "63:56", "0x0", "IMPLEMENTATION DEFINED"],
      ["IMPLEMENTATION DEFINED", "55:52", "0x0", "IMPLEMENTATION DEFINED"],
      ["IMPLEMENTATION DEFINED", "51:48", "0x0", "IMPLEMENTATION DEFINED"],
      ["RES0", "47:16", "0x0", "Reserved, RES0"],
      ["DirtyBit", "15", "0x0", "0"],
      ["Overlay", "14", "0x0", "0"],
      ["TopLevel", "13", "0x0", "0"],
      ["AssuredOnly", "12", "0x0", "0"],
      ["RES1", "11", "0x1", "Reserved, RES1"],
      ["RES0", "10", "0x0", "Reserved, RES0"],
      ["S", "9", "0x1", "stage 2"],
      ["PTW", "8", "0x1", "1"],
      ["RES0", "7", "0x0", "Reserved, RES0"],
      ["FST", "6:1", "0x7", "0b000111: Translation fault, level 3"],
      ["F", "0", "0x1", "1: the translation aborted (fault form)"],
    ]);
    expect(d.summary).toBe("aborted at stage 2 on the stage-1 table walk (PTW): Translation fault, level 3");
    expect(d.notes).toEqual(["KVM's __translate_far_to_hpfar() treats F = 1 as 'back to the guest': the fault is retried"]);
    expect(d.problems).toEqual([]);
  });
  it("FST is a DFSC: Alignment (data only) is no problem; a reserved FST is named", () => {
    // 0x843: RES1 [11], FST [6:1] = 100001 (0x21 << 1 = 0x42), F 1.
    const a = decodePar(0x843n);
    expect(field(a, "FST")).toEqual({ value: "0x21", meaning: "0b100001: Alignment fault" });
    expect(a.summary).toBe("aborted at stage 1: Alignment fault");
    // 0x87f: FST 111111 (reserved).
    expect(decodePar(0x87fn).summary).toBe("aborted at stage 1: reserved FST 0x3f");
    expect(() => decodePar(-1n)).toThrow(/^value: /);
    expect(() => decodePar(0n, 5 as never)).toThrow(/^describeAttr: /);
  });
});

describe("VTTBR_EL2 (VMID [63:48], BADDR [47:1], CnP [0])", () => {
  const NOTE = "the root table must be aligned to its size (with concatenated root tables, to the whole PGD): low BADDR bits below that alignment are RES0";
  it("0x0001000080000000: VMID 1, root table at 0x80000000, private", () => {
    // BADDR [47:1] = 0x80000000 >> 1 = 0x40000000.
    const d = decodeVttbr(0x0001000080000000n);
    expect(rows(d)).toEqual([
      ["VMID", "63:48", "0x1", "1"],
      ["BADDR", "47:1", "0x40000000", "root table at PA 0x80000000"],
      ["CnP", "0", "0x0", "0: private"],
    ]);
    expect(d).toMatchObject({ register: "VTTBR_EL2", summary: "VMID 1, stage-2 root table at 0x80000000", notes: [NOTE], problems: [] });
  });
  it("VMID 0xff fits 8 bits, 0x100 needs 16; CnP 1; BADDR[5:2] as PA[51:48]", () => {
    expect(field(decodeVttbr(0x00ff000000000000n), "VMID").meaning).toBe("255");
    expect(field(decodeVttbr(0x0100000000000000n), "VMID").meaning).toBe("256 (needs 16-bit VMIDs, VTCR_EL2.VS = 1)");
    const c = decodeVttbr(0x00ff000080000001n);
    expect(field(c, "CnP").meaning).toBe("1: shared (KVM sets it when every CPU has FEAT_TTCNP)");
    expect(c.summary).toBe("VMID 255, stage-2 root table at 0x80000000, CnP");
    // 0x000200008000003c: BADDR bits 5:2 = 1111. 48-bit: 0x8000003c; 52-bit: 0x80000000 | 0xf << 48.
    expect(field(decodeVttbr(0x000200008000003cn), "BADDR").meaning).toBe(
      "root table at PA 0x8000003c with a 48-bit output, or 0xf000080000000 with a 52-bit output (bits 5:2 are PA[51:48])",
    );
    expect(vttbrBaseAddress(0x000200008000003cn, true)).toBe(0xf000080000000n);
    expect(vttbrBaseAddress(0x000200008000003dn, false)).toBe(0x8000003cn); // CnP is not an address bit
    expect(() => decodeVttbr(-1n)).toThrow(/^value: /);
  });
});

describe("MAIR_ELx (Attr<n> = bits [8n+7:8n])", () => {
  const describe1 = (a: number): { text: string; reserved: boolean } => ({ text: `t${a}`, reserved: a === 2 });
  it("0x0706050403020100: Attr<n> = n, Attr7 first; a reserved byte is a problem", () => {
    const d = decodeMair(0x0706050403020100n, describe1);
    expect(rows(d)).toEqual([
      ["Attr7", "63:56", "0x7", "0x07: t7"],
      ["Attr6", "55:48", "0x6", "0x06: t6"],
      ["Attr5", "47:40", "0x5", "0x05: t5"],
      ["Attr4", "39:32", "0x4", "0x04: t4"],
      ["Attr3", "31:24", "0x3", "0x03: t3"],
      ["Attr2", "23:16", "0x2", "0x02: t2", "0x02 is a reserved MAIR encoding (CONSTRAINED UNPREDICTABLE)"],
      ["Attr1", "15:8", "0x1", "0x01: t1"],
      ["Attr0", "7:0", "0x0", "0x00: t0"],
    ]);
    expect(d).toMatchObject({ register: "MAIR_EL1", width: 64, summary: "Attr0..Attr7 = 00 01 02 03 04 05 06 07", notes: [] });
    expect(d.problems).toEqual(["Attr2[23:16]: 0x02 is a reserved MAIR encoding (CONSTRAINED UNPREDICTABLE)"]);
    expect(decodeMair(0xffn, describe1, 2).register).toBe("MAIR_EL2");
    expect(mairLayout(2).register).toBe("MAIR_EL2");
    expect(mairLayout().register).toBe("MAIR_EL1");
    expect(mairAttr(0x0706050403020100n, 5)).toBe(5);
    expect(mairFromBytes([0xff, 0x44, 0x100, 0, 0, 0, 0, 0x04])).toBe(0x04000000000044ffn); // bytes masked to 8 bits
    expect(() => decodeMair(-1n, describe1)).toThrow(/^value: /);
    expect(() => decodeMair(0n, 5 as never)).toThrow(/^describeAttr: /);
    expect(() => decodeMair(0n, describe1, 3 as never)).toThrow(/^el: /);
  });
});

describe("VTCR_EL2 (Arm ARM VTCR_EL2; the start level of AArch64.S2StartLevel)", () => {
  it("0x802a3558: KVM's 4K, 40-bit IPA, PS 40, start level 1, HA, 16-bit VMIDs: every field", () => {
    // 0x3558 = 0011 0101 0101 1000: T0SZ [5:0] 011000 = 24; SL0 [7:6] 01; IRGN0 [9:8] 01; ORGN0 [11:10] 01;
    // SH0 [13:12] 11; TG0 [15:14] 00. 0x2a = 0010 1010 in bits 23:16: PS [18:16] 010, VS [19] 1, HA [21] 1.
    // RES1 [31] 1.
    const d = decodeVtcr(0x802a3558n);
    expect(rows(d)).toEqual([
      ["RES0", "63:46", "0x0", "Reserved, RES0"],
      ["HDBSS", "45", "0x0", "0"],
      ["HAFT", "44", "0x0", "0"],
      ["RES0", "43:42", "0x0", "Reserved, RES0"],
      ["TL0", "41", "0x0", "0"],
      ["GCSH", "40", "0x0", "0"],
      ["RES0", "39", "0x0", "Reserved, RES0"],
      ["D128", "38", "0x0", "0"],
      ["S2POE", "37", "0x0", "0"],
      ["S2PIE", "36", "0x0", "0"],
      ["TL1", "35", "0x0", "0"],
      ["AssuredOnly", "34", "0x0", "0"],
      ["SL2", "33", "0x0", "0"],
      ["DS", "32", "0x0", "0: 48-bit descriptors (52 bits only with 64K and FEAT_LPA)"],
      ["RES1", "31", "0x1", "Reserved, RES1"],
      ["NSA", "30", "0x0", "0"],
      ["NSW", "29", "0x0", "0"],
      ["HWU62..HWU59", "28:25", "0x0", "0b0000"],
      ["RES0", "24:23", "0x0", "Reserved, RES0"],
      ["HD", "22", "0x0", "0: no hardware dirty state"],
      ["HA", "21", "0x1", "1: the hardware sets AF (KVM sets it when built with CONFIG_ARM64_HW_AFDBM)"],
      ["RES0", "20", "0x0", "Reserved, RES0"],
      ["VS", "19", "0x1", "16-bit VMID (VTTBR_EL2[63:48])"],
      ["PS", "18:16", "0x2", "0b010: 40 bits (1 TB)"],
      ["TG0", "15:14", "0x0", "4K"],
      ["SH0", "13:12", "0x3", "Inner Shareable"],
      ["ORGN0", "11:10", "0x1", WB_RAWA],
      ["IRGN0", "9:8", "0x1", WB_RAWA],
      ["SL0", "7:6", "0x1", "0b01: the walk starts at level 1"],
      ["T0SZ", "5:0", "0x18", "24: 40-bit IPA space (0x10000000000 bytes)"],
    ]);
    expect(d).toMatchObject({ register: "VTCR_EL2", summary: "4K granule, 40-bit IPA, start level 1, PS 40-bit output, 16-bit VMID", notes: [], problems: [] });
  });
  it("4K with DS and SL2 but SL0 01: a reserved start level; HD 1, HA 0, SH0 01", () => {
    // T0SZ 12 (0x0c, 52-bit), SL0 01 (0x40), SH0 01 (0x1000), PS 110 (0x60000), HD [22] (0x400000),
    // RES1 [31], DS [32], SL2 [33].
    const d = decodeVtcr(0x3_8046_104cn);
    expect(field(d, "SL0")).toEqual({
      value: "0x1",
      meaning: "0b01: reserved for TG0 4K, DS = 1, SL2 = 1",
      problem: "a reserved starting level (a Translation fault at level 0 on every walk)",
    });
    expect(field(d, "SH0")).toEqual({ value: "0x1", meaning: "0b01 reserved", problem: "SH0 = 0b01 is reserved" });
    expect(field(d, "DS").meaning).toBe("1: FEAT_LPA2 descriptors (OA[51:50] in bits 9:8, shareability from SH0)");
    expect(field(d, "HD").meaning).toBe("1: hardware dirty state through DBM (KVM never sets it)");
    expect(field(d, "HA").meaning).toBe("0: an access to a leaf with AF = 0 takes an Access flag fault (KVM: handle_access_fault())");
    expect(d.summary).toBe("4K granule, 52-bit IPA, start level reserved, PS 52-bit output, DS (FEAT_LPA2), 8-bit VMID");
  });
  it("TG0 0b11 reserved, PS 0b111, 4K SL0 0b11 (level 3, FEAT_TTST), 16K SL0 0b11 without DS", () => {
    // TG0 11 (0xc000), SL0 00, T0SZ 25 (0x19), PS 111 (0x70000), RES1.
    const r = decodeVtcr(0x8007_c019n);
    expect(field(r, "TG0")).toEqual({ value: "0x3", meaning: "0b11 reserved", problem: "TG0 = 0b11 is reserved" });
    expect(field(r, "SL0").meaning).toBe("0b00: reserved for TG0 reserved");
    expect(r.summary).toBe("reserved granule, 39-bit IPA, start level reserved, PS ?-bit output, 8-bit VMID");
    // 4K, SL0 11 (0xc0), T0SZ 0x20 (32-bit).
    expect(field(decodeVtcr(0x8000_00e0n), "SL0").meaning).toBe("0b11: the walk starts at level 3 (FEAT_TTST)");
    // 16K (TG0 10 = 0x8000), SL0 11, T0SZ 0x19.
    expect(field(decodeVtcr(0x8000_80d9n), "SL0").meaning).toBe("0b11: reserved for TG0 16K");
    // 64K (TG0 01 = 0x4000), SL0 10 (start level 1), T0SZ 0x0c (52-bit), PS 110.
    expect(decodeVtcr(0x8006_008cn | 0x4000n).summary).toBe("64K granule, 52-bit IPA, start level 1, PS 52-bit output, 8-bit VMID");
    // 16K, SL0 00 (start 3), T0SZ 0x1c (36-bit), PS 001 (36 bits).
    expect(decodeVtcr(0x8001_801cn).summary).toBe("16K granule, 36-bit IPA, start level 3, PS 36-bit output, 8-bit VMID");
    expect(() => decodeVtcr(-1n)).toThrow(/^value: /);
  });
  it("vtcrStartLevel: the Arm ARM's SL0 table per granule, and vtcrGranule", () => {
    // TG0: 0 4K, 1 64K, 2 16K, 3 reserved. 4K: SL0 00 -> 2 (-1 with DS and SL2), 01 -> 1, 10 -> 0, 11 -> 3.
    expect([0, 1, 2, 3].map((s) => vtcrStartLevel(0, s, 0, 0))).toEqual([2, 1, 0, 3]);
    expect([0, 1, 2, 3].map((s) => vtcrStartLevel(0, s, 1, 1))).toEqual([-1, null, null, null]);
    expect([0, 1, 2, 3].map((s) => vtcrStartLevel(0, s, 1, 0))).toEqual([2, 1, 0, 3]); // SL2 counts only with DS
    // 16K: 00 -> 3, 01 -> 2, 10 -> 1, 11 -> 0 with DS only; SL2 reserved.
    expect([0, 1, 2, 3].map((s) => vtcrStartLevel(2, s, 0, 0))).toEqual([3, 2, 1, null]);
    expect(vtcrStartLevel(2, 3, 0, 1)).toBe(0);
    expect(vtcrStartLevel(2, 0, 1, 1)).toBeNull();
    // 64K: 00 -> 3, 01 -> 2, 10 -> 1, 11 reserved even with DS.
    expect([0, 1, 2, 3].map((s) => vtcrStartLevel(1, s, 0, 1))).toEqual([3, 2, 1, null]);
    expect(vtcrStartLevel(1, 0, 1, 0)).toBeNull();
    // TG0 11: no granule.
    expect([0, 1, 2, 3].map((s) => vtcrStartLevel(3, s, 0, 0))).toEqual([null, null, null, null]);
    expect([0, 1, 2, 3].map(vtcrGranule)).toEqual([4096, 65536, 16384, null]);
  });
});

describe("TCR_EL1", () => {
  it("0x1d5b5193519: 39-bit TTBR0 and TTBR1, 4K, IPS 48, AS, TBI1, HA, HD: every field", () => {
    // Low half 0xb5193519: T0SZ [5:0] 25; IRGN0 01, ORGN0 01, SH0 11, TG0 00; T1SZ [21:16] 25; A1 0, EPD1 0;
    // IRGN1 [25:24] 01, ORGN1 [27:26] 01, SH1 [29:28] 11, TG1 [31:30] 10 (4K).
    // High half 0x1d5 = 1 1101 0101: IPS [34:32] 101, RES0 [35] 0, AS [36] 1, TBI0 [37] 0, TBI1 [38] 1,
    // HA [39] 1, HD [40] 1.
    const d = decodeTcrRegister(0x1d5_b519_3519n);
    expect(rows(d)).toEqual([
      ["RES0", "63:62", "0x0", "Reserved, RES0"],
      ["MTX1", "61", "0x0", "0"],
      ["MTX0", "60", "0x0", "0"],
      ["DS", "59", "0x0", "0"],
      ["TCMA1", "58", "0x0", "0"],
      ["TCMA0", "57", "0x0", "0"],
      ["E0PD1", "56", "0x0", "0"],
      ["E0PD0", "55", "0x0", "0"],
      ["NFD1", "54", "0x0", "0"],
      ["NFD0", "53", "0x0", "0"],
      ["TBID1", "52", "0x0", "0"],
      ["TBID0", "51", "0x0", "0"],
      ["HWU162..HWU159", "50:47", "0x0", "0b0000"],
      ["HWU062..HWU059", "46:43", "0x0", "0b0000"],
      ["HPD1", "42", "0x0", "0"],
      ["HPD0", "41", "0x0", "0"],
      ["HD", "40", "0x1", "1: with HA, hardware dirty state through DBM"],
      ["HA", "39", "0x1", "1: the hardware sets AF in stage-1 descriptors"],
      ["TBI1", "38", "0x1", "1"],
      ["TBI0", "37", "0x0", "0"],
      ["AS", "36", "0x1", "16-bit ASID"],
      ["RES0", "35", "0x0", "Reserved, RES0"],
      ["IPS", "34:32", "0x5", "0b101: 48 bits (256 TB)"],
      ["TG1", "31:30", "0x2", "4K"],
      ["SH1", "29:28", "0x3", "Inner Shareable"],
      ["ORGN1", "27:26", "0x1", WB_RAWA],
      ["IRGN1", "25:24", "0x1", WB_RAWA],
      ["EPD1", "23", "0x0", "0"],
      ["A1", "22", "0x0", "TTBR0_EL1.ASID"],
      ["T1SZ", "21:16", "0x19", "25: 39-bit VA region"],
      ["TG0", "15:14", "0x0", "4K"],
      ["SH0", "13:12", "0x3", "Inner Shareable"],
      ["ORGN0", "11:10", "0x1", WB_RAWA],
      ["IRGN0", "9:8", "0x1", WB_RAWA],
      ["EPD0", "7", "0x0", "0"],
      ["RES0", "6", "0x0", "Reserved, RES0"],
      ["T0SZ", "5:0", "0x19", "25: 39-bit VA region"],
    ]);
    expect(d).toMatchObject({ register: "TCR_EL1", summary: "TTBR0: 39-bit VA, 4K; TTBR1: 39-bit VA, 4K; IPS 48 bits", notes: [], problems: [] });
  });
  it("0x710a0d090: reserved TG0, TG1, SH0, SH1; walks disabled; IPS 0b111", () => {
    // Low half 0x10a0d090: T0SZ 010000 = 16 (48-bit); EPD0 [7] 1; SH0 [13:12] 01; TG0 [15:14] 11;
    // T1SZ [21:16] 100000 = 32; EPD1 [23] 1; SH1 [29:28] 01; TG1 [31:30] 00. IPS [34:32] 111.
    const d = decodeTcrRegister(0x7_10a0_d090n);
    expect(field(d, "TG0")).toEqual({ value: "0x3", meaning: "0b11 reserved", problem: "TG0 = 0b11 is reserved" });
    expect(field(d, "TG1")).toEqual({ value: "0x0", meaning: "0b00 reserved", problem: "TG1 = 0b00 is reserved" });
    expect(field(d, "SH0")).toEqual({ value: "0x1", meaning: "0b01 reserved", problem: "SH0 = 0b01 is reserved" });
    expect(field(d, "SH1")).toEqual({ value: "0x1", meaning: "0b01 reserved", problem: "SH1 = 0b01 is reserved" });
    expect(field(d, "HA").meaning).toBe("0: AF = 0 takes an Access flag fault to EL1");
    expect(field(d, "HD").meaning).toBe("0");
    expect(field(d, "T1SZ").meaning).toBe("32: 32-bit VA region");
    expect(d.summary).toBe("TTBR0: 48-bit VA, reserved (walks disabled); TTBR1: 32-bit VA, reserved (walks disabled); IPS ? bits");
    expect(d.problems).toEqual([
      "TG1[31:30]: TG1 = 0b00 is reserved",
      "SH1[29:28]: SH1 = 0b01 is reserved",
      "TG0[15:14]: TG0 = 0b11 is reserved",
      "SH0[13:12]: SH0 = 0b01 is reserved",
    ]);
    expect(() => decodeTcrRegister(-1n)).toThrow(/^value: /);
  });
});

describe("SCTLR_EL1", () => {
  const NOTE =
    "bits that are RES1 only without a feature (LSMAOE, nTLSMD, SPAN, EIS, TSCXT, EOS) are not flagged: the decoder does not know the CPU's features";
  it("0x30d01805: M C I on, SPAN, EIS, EOS, TSCXT, LSMAOE, nTLSMD", () => {
    // Bits 0 M, 2 C, 11 EOS, 12 I (0x1805); 20 TSCXT, 22 EIS, 23 SPAN (0xd00000); 28 nTLSMD, 29 LSMAOE.
    const d = decodeSctlr(0x30d01805n);
    expect(field(d, "M").meaning).toBe("1: stage 1 enabled");
    expect(field(d, "C").meaning).toBe("1: stage-1 data cacheability from the descriptors' MAIR attributes");
    expect(field(d, "I").meaning).toBe("1: instruction fetch cacheability from the descriptors (Normal WT with M = 0)");
    expect(field(d, "WXN").meaning).toBe("0");
    expect(field(d, "EE").meaning).toBe("0: little-endian data and stage-1 table walks at EL1");
    expect(field(d, "E0E").meaning).toBe("little-endian");
    expect(field(d, "SPAN").meaning).toBe("1: PSTATE.PAN unchanged on exception entry");
    expect(field(d, "LSMAOE")).toEqual({ value: "0x1", meaning: "1" });
    expect(d).toMatchObject({ register: "SCTLR_EL1", width: 64, summary: "stage 1 on; C=1 I=1 WXN=0 EE=0 A=0", notes: [NOTE], problems: [] });
  });
  it("0x020a0002: M off, A, WXN, EE big-endian, RES0 bit 17 set", () => {
    // Bits 1 A (0x2), 17 RES0 (0x20000), 19 WXN (0x80000), 25 EE (0x2000000).
    const d = decodeSctlr(0x020a0002n);
    expect(field(d, "M").meaning).toBe("0: stage 1 disabled: VA = IPA, data accesses Device-nGnRnE, instruction fetches Normal (AArch64_S1DisabledOutput)");
    expect(field(d, "C").meaning).toBe("0: stage-1 Normal data accesses are Non-cacheable (the combine with stage 2 then gives Non-cacheable without FWB)");
    expect(field(d, "I").meaning).toBe("0: stage-1 instruction fetches Non-cacheable");
    expect(field(d, "WXN").meaning).toBe("1: any writable stage-1 region is execute-never");
    expect(field(d, "EE").meaning).toBe("1: big-endian data and stage-1 table walks at EL1");
    expect(field(d, "SPAN").meaning).toBe("0: PSTATE.PAN set on exception entry to EL1");
    expect(d.summary).toBe("stage 1 off; C=0 I=0 WXN=1 EE=1 A=1");
    expect(d.problems).toEqual(["RES0[17]: RES0 bit set (1): software must write 0, the value is not one the architecture defines"]);
    expect(() => decodeSctlr(-1n)).toThrow(/^value: /);
  });
});

describe("HCR_EL2", () => {
  it("0x400480000005: VM, PTW, RW, E2H, FWB", () => {
    // Bits 0 VM, 2 PTW (0x5), 31 RW (0x80000000), 34 E2H (0x4_0000_0000), 46 FWB (0x4000_0000_0000).
    const d = decodeHcr(0x4004_8000_0005n);
    expect(field(d, "VM").meaning).toBe("1: stage-2 translation enabled");
    expect(field(d, "FWB").meaning).toBe("1: stage 2's MemAttr forces Write-Back or the type (FEAT_S2FWB)");
    expect(field(d, "PTW").meaning).toBe("1: a stage-1 walk that stage 2 maps as Device takes a stage-2 Permission fault (KVM sets it)");
    expect(field(d, "DC").meaning).toBe("0");
    expect(field(d, "CD").meaning).toBe("0");
    expect(field(d, "ID").meaning).toBe("0");
    expect(field(d, "TGE").meaning).toBe("0: a guest runs at EL1&0");
    expect(field(d, "RW").meaning).toBe("EL1 AArch64");
    expect(d).toMatchObject({ register: "HCR_EL2", width: 64, summary: "set: VM FWB PTW E2H RW", notes: [], problems: [] });
  });
  it("0x30c001000: DC, TVM, TGE, CD, ID; and nothing set", () => {
    // Bits 12 DC (0x1000), 26 TVM (0x4000000), 27 TGE (0x8000000), 32 CD, 33 ID (0x3_0000_0000).
    const d = decodeHcr(0x3_0c00_1000n);
    expect(field(d, "VM").meaning).toBe("0: stage 2 disabled: IPA = PA");
    expect(field(d, "FWB").meaning).toBe("0: the final memory type combines stage 1 and stage 2 (the weaker wins)");
    expect(field(d, "DC").meaning).toBe("1: stage 1 acts as disabled, data accesses Normal Write-Back (AArch64_S1DisabledOutput with HCR_EL2.DC)");
    expect(field(d, "CD").meaning).toBe("1: stage-2 data accesses to Normal memory are Non-cacheable");
    expect(field(d, "ID").meaning).toBe("1: stage-2 instruction fetches are Non-cacheable");
    expect(field(d, "PTW").meaning).toBe("0");
    expect(field(d, "TGE").meaning).toBe("1: the host's EL2&0 (with E2H); stage 2 is off");
    expect(d.summary).toBe("set: DC CD ID TVM TGE");
    expect(decodeHcr(0n).summary).toBe("set: none of VM FWB PTW DC CD ID TVM TGE E2H RW");
    expect(() => decodeHcr(-1n)).toThrow(/^value: /);
  });
});

describe("ID_AA64MMFR0/1/2_EL1 (arch/arm64/tools/sysreg)", () => {
  it("MMFR0: the stage-2 granules, from TGran*_2 or (0b0000) from the stage-1 field", () => {
    const NOTE =
      "KVM: kvm_set_ipa_limit() takes the IPA limit from PARange (clamped to 48 bits for 4K/16K without LPA2) and refuses a PAGE_SIZE that TGran*_2 does not support at stage 2";
    // 0x101125: PARange 0101 (48), ASIDBits 0010, BigEnd 1, SNSMem 1, TGran16 [23:20] 0001 (supported),
    // TGran64 0000 (supported), TGran4 0000 (supported), TGran*_2 0000 (as stage 1).
    const a = decodeMmfr0(0x101125n);
    expect(a).toMatchObject({
      register: "ID_AA64MMFR0_EL1",
      summary: "PARange 48 bits; stage-2 granules: 4K yes (as stage 1), 16K yes (as stage 1), 64K yes (as stage 1)",
      notes: [NOTE],
      problems: [],
    });
    // 0xff000000: TGran4 1111 and TGran64 1111 (not supported), TGran16 0000 (not supported), PARange 0 (32).
    expect(decodeMmfr0(0xff000000n).summary).toBe("PARange 32 bits; stage-2 granules: 4K no, 16K no, 64K no");
    // 0x12300000006: TGran4_2 [43:40] 0001 (no), TGran64_2 [39:36] 0010 (yes), TGran16_2 [35:32] 0011 (52-bit), PARange 0110.
    expect(decodeMmfr0(0x123_0000_0006n).summary).toBe("PARange 52 bits; stage-2 granules: 4K no, 16K yes, 52-bit, 64K yes");
    // PARange 1111: not a size.
    expect(decodeMmfr0(0x10112fn).summary).toMatch(/^PARange reserved bits;/);
    // ASIDBits 0001 is not an encoding.
    expect(field(decodeMmfr0(0x15n), "ASIDBits")).toEqual({
      value: "0x1",
      meaning: "0b0001: reserved",
      problem: "ASIDBits = 1 is not an encoding the Arm ARM defines",
    });
    expect(() => decodeMmfr0(-1n)).toThrow(/^value: /);
  });
  it("MMFR1: VMIDBits, HAFDBS, XNX, VH", () => {
    // 0x10312122: HAFDBS 0010, VMIDBits 0010 (16), VH 0001, HPDS 0010, LO 0001, PAN 0011, SpecSEI 0, XNX 0001.
    const d = decodeMmfr1(0x10312122n);
    expect(d).toMatchObject({
      register: "ID_AA64MMFR1_EL1",
      summary: "VMIDBits 16, HAFDBS Access flag and dirty state, XNX yes, VHE yes",
      notes: ["KVM: 16-bit VMIDs set VTCR_EL2.VS; HAFDBS >= 1 lets kvm_get_vtcr() set VTCR_EL2.HA (unless the AC03_CPU_38 erratum)"],
      problems: [],
    });
    expect(decodeMmfr1(0n).summary).toBe("VMIDBits 8, HAFDBS not supported, XNX no, VHE no");
    // HAFDBS 0101: reserved.
    expect(decodeMmfr1(0x5n).summary).toBe("VMIDBits 8, HAFDBS reserved, XNX no, VHE no");
    expect(() => decodeMmfr1(-1n)).toThrow(/^value: /);
  });
  it("MMFR2: FWB, TTL, BBM, NV", () => {
    // 0x21010002000001: BBM [55:52] 0010, TTL [51:48] 0001, FWB [43:40] 0001, NV [27:24] 0010, CnP 0001.
    const d = decodeMmfr2(0x21010002000001n);
    expect(d).toMatchObject({
      register: "ID_AA64MMFR2_EL1",
      summary: "FWB yes, TTL yes, BBM level 2, NV FEAT_NV2",
      notes: ["KVM: FWB = 1 is ARM64_HAS_STAGE2_FWB (HCR_EL2.FWB, the stage-2 MemAttr FWB encodings); TTL = 1 gives TLBI level hints"],
      problems: [],
    });
    expect(decodeMmfr2(0n).summary).toBe("FWB no, TTL no, BBM level 0, NV not implemented");
    // NV 0011: reserved.
    expect(decodeMmfr2(0x3000000n).summary).toBe("FWB no, TTL no, BBM level 0, NV reserved");
    expect(() => decodeMmfr2(-1n)).toThrow(/^value: /);
  });
});
