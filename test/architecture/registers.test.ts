// Register decoders against the Arm ARM's register descriptions (DDI 0487, D24.2:
// ESR_ELx, HPFAR_EL2, FAR_ELx, PAR_EL1, VTCR_EL2, VTTBR_EL2, MAIR_ELx, TCR_EL1,
// SCTLR_EL1, HCR_EL2, ID_AA64MMFR0/1/2_EL1) and Linux's asm/esr.h,
// arch/arm64/tools/sysreg and asm/kvm_arm.h. Every value is worked out here,
// bit by bit, in the comment above it; nothing is computed by the decoder
// under test.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeRegister, findRegister, nearestRegister, REGISTERS } from "../../src/kvm/registers.js";
import type { DecodedRegister } from "../../src/regs/field.js";
import { reassemble } from "../../src/regs/field.js";
import { repoRoot } from "../helpers.js";

function dec(name: string, value: bigint, xs = false): DecodedRegister {
  return decodeRegister(name, value, { xs }).decoded;
}

/** The field named `name` (the first, if a name repeats). */
function f(d: DecodedRegister, name: string): { value: string; meaning: string; problem?: string; bits: string } {
  const x = d.fields.find((y) => y.name === name);
  if (!x) throw new Error(`${d.register} ${d.value}: no field ${name} (have ${d.fields.map((y) => y.name).join(", ")})`);
  return x;
}

describe("ESR_EL2 (Arm ARM ESR_ELx; asm/esr.h)", () => {
  it("0x93c08007: a stage-2 Data Abort with a valid instruction syndrome (LDR X0 from an MMIO page)", () => {
    // 1001 0011 1100 0000 1000 0000 0000 0111
    // EC [31:26] 100100 = 0x24 DABT_LOW; IL [25] 1; ISV [24] 1; SAS [23:22] 11 doubleword;
    // SSE [21] 0; SRT [20:16] 00000 X0; SF [15] 1; AR [14] 0; CM [8] 0; S1PTW [7] 0; WnR [6] 0;
    // DFSC [5:0] 000111: Translation fault, level 3.
    const d = dec("ESR_EL2", 0x93c08007n);
    expect(f(d, "EC").value).toBe("0x24");
    expect(f(d, "EC").meaning).toMatch(/Data Abort exception from a lower Exception level/);
    expect(f(d, "IL").value).toBe("0x1");
    expect(f(d, "ISV").value).toBe("0x1");
    expect(f(d, "SAS").value).toBe("0x3");
    expect(f(d, "SAS").meaning).toMatch(/doubleword/);
    expect(f(d, "SRT").meaning).toBe("X0");
    expect(f(d, "SF").value).toBe("0x1");
    expect(f(d, "WnR").value).toBe("0x0");
    expect(f(d, "DFSC").value).toBe("0x7");
    expect(f(d, "DFSC").meaning).toMatch(/Translation fault, level 3/);
    expect(d.problems).toEqual([]);
  });
  it("0x92000047: a write, no instruction syndrome (ISV = 0, so bits 23:14 are not SAS..AR)", () => {
    // EC 100100 DABT_LOW, IL 1, ISV 0; WnR [6] = 1 (0x40); DFSC 000111.
    const d = dec("esr", 0x92000047n);
    expect(f(d, "ISV").value).toBe("0x0");
    expect(d.fields.some((x) => x.name === "SAS")).toBe(false);
    expect(f(d, "WnR").value).toBe("0x1");
    expect(f(d, "DFSC").meaning).toMatch(/Translation fault, level 3/);
    expect(d.summary).toMatch(/Translation fault, level 3, write/);
  });
  it("0x8200000f: an Instruction Abort, Permission fault at level 3", () => {
    // 1000 0010 ... 0000 1111: EC 100000 = 0x20 IABT_LOW, IL 1, IFSC 001111 = 0x0F.
    const d = dec("ESR_EL2", 0x8200000fn);
    expect(f(d, "EC").value).toBe("0x20");
    expect(f(d, "IFSC").meaning).toMatch(/Permission fault, level 3/);
    expect(d.fields.some((x) => x.name === "WnR")).toBe(false); // bit 6 is RES0 for an IABT
  });
  it("0x9200008b: a stage-2 Access flag fault on the guest's stage-1 table walk (S1PTW)", () => {
    // low byte 1000 1011: S1PTW [7] 1, WnR [6] 0, DFSC 001011 = Access flag fault, level 3.
    const d = dec("ESR_EL2", 0x9200008bn);
    expect(f(d, "S1PTW").value).toBe("0x1");
    expect(f(d, "DFSC").meaning).toMatch(/Access flag fault, level 3/);
  });
  it("the FEAT_LPA2 and FEAT_D128 levels: 0x2B Translation -1, 0x29 Address size -1, 0x2A Translation -2, 0x2C Address size -2", () => {
    // DFSC 101011, 101001, 101010, 101100 (Arm ARM DFSC table; ASL EncodeLDFSC).
    expect(f(dec("esr", 0x9200002bn), "DFSC").meaning).toMatch(/Translation fault, level -1 \(FEAT_LPA2\)/);
    expect(f(dec("esr", 0x92000029n), "DFSC").meaning).toMatch(/Address size fault, level -1 \(FEAT_LPA2\)/);
    expect(f(dec("esr", 0x9200002an), "DFSC").meaning).toMatch(/Translation fault, level -2 \(FEAT_D128\)/);
    expect(f(dec("esr", 0x9200002cn), "DFSC").meaning).toMatch(/Address size fault, level -2 \(FEAT_D128\)/);
    // 0x25 (100101) is a Granule Protection Fault at level 1, the code the 6.18-era kernel's
    // ESR_ELx_FSC_ADDRSZ_nL(-1) gives by mistake (kernel-reference.md section 7).
    expect(f(dec("esr", 0x92000025n), "DFSC").meaning).toMatch(/Granule Protection Fault on a translation table walk.*level 1.*ESR_ELx_FSC_ADDRSZ_nL\(-1\)/);
  });
  it("0x5a000000 HVC #0 and 0x5e000000 SMC #0 (SMCCC calls)", () => {
    // 0101 1010 ...: EC 010110 = 0x16 HVC64, IL 1, imm16 0; 0101 1110: EC 010111 = 0x17 SMC64.
    const hvc = dec("ESR_EL2", 0x5a000000n);
    expect(f(hvc, "EC").meaning).toMatch(/HVC instruction execution in AArch64 state/);
    expect(f(hvc, "imm16").value).toBe("0x0");
    expect(hvc.summary).toBe("HVC #0 in AArch64 state");
    const smc = dec("ESR_EL2", 0x5e000000n);
    expect(f(smc, "EC").meaning).toMatch(/SMC instruction execution in AArch64 state/);
  });
  it("0x62300421: a trapped MRS X1, SCTLR_EL1 (EC 0x18)", () => {
    // EC 011000 -> 0x60000000, IL -> 0x02000000; ISS: Op0 [21:20] 11 (0x300000), Op2 [19:17] 000,
    // Op1 [16:14] 000, CRn [13:10] 0001 (0x400), Rt [9:5] 00001 (0x20), CRm [4:1] 0000, Direction [0] 1 (read).
    const d = dec("ESR_EL2", 0x62300421n);
    expect(f(d, "Op0").value).toBe("0x3");
    expect(f(d, "CRn").value).toBe("0x1");
    expect(f(d, "Rt").value).toBe("0x1");
    expect(f(d, "Direction").meaning).toMatch(/read/);
    expect(d.summary).toBe("MRS (read) S3_0_C1_C0_0 (SCTLR_EL1), Rt X1");
  });
  it("0x07e00001: a trapped WFE (EC 0x01, CV 1, COND 0b1110, TI 0b01)", () => {
    // EC 000001 -> 0x04000000, IL 0x02000000, CV [24] 0x01000000, COND [23:20] 1110 -> 0x00e00000, TI 01.
    const d = dec("ESR_EL2", 0x07e00001n);
    expect(f(d, "TI").meaning).toBe("WFE");
    expect(f(d, "COND").value).toBe("0xe");
    expect(d.summary).toBe("trapped WFE");
  });
  it("0xbe000011: an SError, asynchronous (DFSC 0b010001), AET 0 uncontainable", () => {
    // EC 101111 = 0x2F -> 0xbc000000, IL 0x02000000; IDS 0; AET [12:10] 000; DFSC 010001.
    const d = dec("ESR_EL2", 0xbe000011n);
    expect(f(d, "EC").meaning).toMatch(/SError exception/);
    expect(f(d, "AET").meaning).toMatch(/Uncontainable/);
    expect(f(d, "DFSC").meaning).toMatch(/Asynchronous SError interrupt/);
  });
  it("ISS2 of a Data Abort: 0x4092000047 has Overlay (ESR bit 38 = ISS2[6])", () => {
    // 0x40_0000_0000 = 1 << 38.
    const d = dec("ESR_EL2", 0x4092000047n);
    expect(f(d, "Overlay").value).toBe("0x1");
    expect(f(d, "Overlay").bits).toBe("38");
    expect(d.problems).toEqual([]);
  });
  it("RES0 and RES1 violations are flagged", () => {
    // 0x92800007: ISV 0 and bit 23 set: ISS[23:22] are RES0 without a syndrome.
    expect(dec("esr", 0x92800007n).problems.join()).toMatch(/RES0\[23:22\]: RES0 bits set \(0b10\)/);
    // 0x80000006: an IABT with IL (bit 25) clear: IL is RES1 for an Instruction Abort.
    expect(dec("esr", 0x80000006n).problems.join()).toMatch(/IL\[25\]: IL is RES1/);
    // 0x0a000000: EC 000010 is unallocated.
    expect(dec("esr", 0x0a000000n).problems.join()).toMatch(/EC 0x2 is unallocated/);
    // bit 56 set: ESR[63:56] are RES0.
    expect(dec("esr", 0x0100000092000047n).problems.join()).toMatch(/RES0\[63:56\]/);
  });
});

describe("ESR_EL1 (the guest's own faults)", () => {
  it("0x96000045: a kernel (EL1) write, Translation fault at level 1, the classic Linux oops syndrome", () => {
    // EC 100101 = 0x25 DABT_CUR -> 0x94000000, IL 0x02000000, WnR 0x40, DFSC 000101.
    const d = dec("ESR_EL1", 0x96000045n);
    expect(f(d, "EC").meaning).toMatch(/Data Abort exception taken without a change in Exception level/);
    expect(f(d, "WnR").value).toBe("0x1");
    expect(f(d, "DFSC").meaning).toMatch(/Translation fault, level 1/);
    expect(d.summary).toMatch(/from the same EL/);
  });
  it("0x92000004: an EL0 read, Translation fault at level 0 (EC 0x24 in ESR_EL1 is from EL0)", () => {
    const d = dec("ESR_EL1", 0x92000004n);
    expect(f(d, "EC").value).toBe("0x24");
    expect(f(d, "DFSC").meaning).toMatch(/Translation fault, level 0/);
  });
  it("0x8600000f: an EL1 instruction fetch, Permission fault at level 3 (EC 0x21)", () => {
    // EC 100001 -> 0x84000000, IL -> 0x86000000, IFSC 001111.
    const d = dec("ESR_EL1", 0x8600000fn);
    expect(f(d, "EC").value).toBe("0x21");
    expect(f(d, "IFSC").meaning).toMatch(/Permission fault, level 3/);
  });
  it("0x56000000: SVC #0 (EC 0x15)", () => {
    // EC 010101 -> 0x54000000, IL 0x02000000.
    const d = dec("ESR_EL1", 0x56000000n);
    expect(f(d, "EC").meaning).toMatch(/SVC instruction execution in AArch64 state/);
  });
  it("0xf2000800: BRK #0x800, Linux's BUG() (EC 0x3C)", () => {
    // EC 111100 -> 0xf0000000, IL 0x02000000, Comment [15:0] 0x800.
    const d = dec("ESR_EL1", 0xf2000800n);
    expect(f(d, "Comment").value).toBe("0x800");
  });
  it("S1PTW in ESR_EL1 is noted: only a hypervisor injects it", () => {
    expect(dec("ESR_EL1", 0x96000087n).notes.join()).toMatch(/injected by a hypervisor/);
  });
});

describe("HPFAR_EL2 (FIPA [47:4] = IPA[55:12], NS [63])", () => {
  it("0x400010: FIPA 0x40001, the page at IPA 0x40001000", () => {
    const d = dec("hpfar", 0x400010n);
    expect(f(d, "FIPA").value).toBe("0x40001");
    expect(d.summary).toBe("faulting IPA page 0x40001000");
  });
  it("0x0: IPA 0", () => expect(dec("HPFAR_EL2", 0n).summary).toBe("faulting IPA page 0x0"));
  it("0xfffffffff0: the top 48-bit page 0xfffffffff000", () => {
    // FIPA = 0xfffffffff0 >> 4 = 0xfffffffff; << 12 = 0xfffffffff000.
    expect(dec("HPFAR_EL2", 0xfffffffff0n).summary).toBe("faulting IPA page 0xfffffffff000");
  });
  it("0xf1234567890: a 52-bit IPA, 0xf123456789000 (FIPA[43:40] = IPA[51:48])", () => {
    const d = dec("HPFAR_EL2", 0xf1234567890n);
    expect(d.summary).toBe("faulting IPA page 0xf123456789000");
    expect(f(d, "FIPA").meaning).toMatch(/52-bit IPA/);
  });
  it("0x8000000000400010: NS set (KVM's valid marker in its saved copy)", () => {
    const d = dec("HPFAR_EL2", 0x8000000000400010n);
    expect(f(d, "NS").value).toBe("0x1");
    expect(d.summary).toBe("faulting IPA page 0x40001000 (NS = 1)");
  });
  it("RES0 [3:0] and [62:48] are checked", () => {
    expect(dec("HPFAR_EL2", 0x400018n).problems.join()).toMatch(/RES0\[3:0\]/);
    expect(dec("HPFAR_EL2", 0x1000000400010n).problems.join()).toMatch(/RES0\[62:48\]/);
  });
});

describe("FAR_EL2 (VA [63:0])", () => {
  const cases: Array<[bigint, string]> = [
    // [value, region by bit 55, offset in a 4K page]
    [0n, "TTBR0 (lower) region, offset 0x0"],
    [0xffff800008001008n, "TTBR1 (upper) region, offset 0x8"],
    [0x400123n, "TTBR0 (lower) region, offset 0x123"],
    [0x0080000000000fffn, "TTBR1 (upper) region, offset 0xfff"], // bit 55 set
    [0x1234n, "TTBR0 (lower) region, offset 0x234"],
  ];
  it.each(cases)("%s", (v, words) => {
    const d = dec("far", v);
    expect(d.summary).toContain(words);
    expect(f(d, "VA").value).toBe("0x" + v.toString(16));
  });
});

describe("PAR_EL1 (F = 0: ATTR, PA, NSE, NS, SH; F = 1: S, PTW, FST)", () => {
  it("0xff00000080000b80: Normal WB, PA 0x80000000, Inner Shareable", () => {
    // ATTR [63:56] 0xff; PA[47:12] 0x80000; 0xb80 = 1011 1000 0000: NSE [11] 1, [10] 0, NS [9] 1, SH [8:7] 11, F 0.
    const d = dec("par", 0xff00000080000b80n);
    expect(f(d, "ATTR").meaning).toMatch(/^0xff: Normal-WB \(MAIR_ATTR_NORMAL\)/);
    expect(f(d, "PA").value).toBe("0x80000");
    expect(f(d, "SH").meaning).toBe("Inner Shareable");
    expect(f(d, "NS").value).toBe("0x1");
    expect(d.summary).toBe("PA 0x80000000, ATTR 0xff, Inner Shareable");
  });
  it("0x0400000009000900: Device-nGnRE, PA 0x9000000, Outer Shareable", () => {
    // 0x900 = 1001 0000 0000: NSE 1, NS 0, SH [8:7] 10 = Outer Shareable.
    const d = dec("PAR_EL1", 0x0400000009000900n);
    expect(f(d, "ATTR").meaning).toMatch(/Device-nGnRE/);
    expect(f(d, "SH").meaning).toBe("Outer Shareable");
    expect(d.summary).toBe("PA 0x9000000, ATTR 0x04, Outer Shareable");
  });
  it("0x440f000000001980: PA[51:48] = 0xf, a 52-bit output 0xf000000001000", () => {
    // PA[51:48] 0xf, PA[47:12] 0x1; 0x980 = 1001 1000 0000: NSE 1, SH 11.
    const d = dec("PAR_EL1", 0x440f000000001980n);
    expect(f(d, "PA[51:48]").value).toBe("0xf");
    expect(d.summary).toBe("PA 0xf000000001000, ATTR 0x44, Inner Shareable");
  });
  it("0x809: F = 1, stage 1, Translation fault at level 0", () => {
    // 0x809 = 1000 0000 1001: [11] RES1 1, S [9] 0, PTW [8] 0, FST [6:1] 000100, F 1.
    const d = dec("PAR_EL1", 0x809n);
    expect(f(d, "FST").meaning).toMatch(/Translation fault, level 0/);
    expect(f(d, "S").meaning).toBe("stage 1");
    expect(d.summary).toBe("aborted at stage 1: Translation fault, level 0");
  });
  it("0xb0f: F = 1, a stage-2 fault on the stage-1 walk (S 1, PTW 1), Translation level 3", () => {
    // 0xb0f = 1011 0000 1111: [11] 1, [10] 0, S [9] 1, PTW [8] 1, [7] 0, FST 000111, F 1.
    const d = dec("PAR_EL1", 0xb0fn);
    expect(d.summary).toBe("aborted at stage 2 on the stage-1 table walk (PTW): Translation fault, level 3");
    expect(d.problems).toEqual([]);
  });
  it("0x19: F = 1 with bit 11 clear breaks RES1", () => {
    // 0x19 = 0001 1001: FST 001100 Permission fault level 0, F 1; bit 11 = 0.
    const d = dec("PAR_EL1", 0x19n);
    expect(d.problems.join()).toMatch(/RES1\[11\]/);
    expect(f(d, "FST").meaning).toMatch(/Permission fault, level 0 \(FEAT_LPA2\)/);
  });
});

describe("VTCR_EL2 (and the geometry it implies: kernel-reference.md 3.3, 3.4)", () => {
  const geo = (v: bigint): Record<string, unknown> => decodeRegister("vtcr", v).extra;
  it("0x802a3558: KVM's 4K, 40-bit IPA, 40-bit PS, start level 1", () => {
    // T0SZ [5:0] 011000 = 24; SL0 [7:6] 01; IRGN0 01, ORGN0 01, SH0 11 (0x3500); TG0 00 (4K);
    // PS [18:16] 010 = 40 bits (0x20000); VS [19] 1 (0x80000); HA [21] 1 (0x200000); RES1 [31].
    const r = decodeRegister("VTCR_EL2", 0x802a3558n);
    const d = r.decoded;
    expect(f(d, "T0SZ").meaning).toMatch(/^24: 40-bit IPA/);
    expect(f(d, "SL0").meaning).toMatch(/starts at level 1/);
    expect(f(d, "TG0").meaning).toBe("4K");
    expect(f(d, "PS").meaning).toMatch(/40 bits/);
    expect(f(d, "SH0").meaning).toBe("Inner Shareable");
    expect(d.problems).toEqual([]);
    // kernel-reference.md 3.4: 4K, IPA 40 -> start level 1, 2 concatenated root pages, SL0 1.
    expect(r.geometry?.startLevel).toBe(1);
    expect(r.geometry?.pgdPages).toBe(2);
    expect(geo(0x802a3558n).kvm_differences).toEqual([]);
  });
  it("0x802db590: 16K, 48-bit IPA, PS 48, SL0 0b10 = start level 1", () => {
    // T0SZ 16 (0x10), SL0 10 (0x80), 0x3500, TG0 10 = 16K (0x8000), PS 101 (0x50000), VS, HA, RES1.
    const r = decodeRegister("vtcr", 0x802db590n);
    expect(f(r.decoded, "TG0").meaning).toBe("16K");
    expect(f(r.decoded, "SL0").meaning).toMatch(/starts at level 1/);
    // 3.4: 16K, IPA 48 -> 1/2/2.
    expect([r.geometry?.startLevel, r.geometry?.pgdPages]).toEqual([1, 2]);
  });
  it("0x802e758c: 64K, 52-bit IPA and PS, start level 1", () => {
    // T0SZ 12 (0xc), SL0 10 (0x80), 0x3500, TG0 01 = 64K (0x4000), PS 110 = 52 (0x60000), VS, HA, RES1.
    const r = decodeRegister("vtcr", 0x802e758cn);
    expect(f(r.decoded, "PS").meaning).toMatch(/52 bits/);
    expect([r.geometry?.startLevel, r.geometry?.pgdPages]).toEqual([1, 1]);
  });
  it("0x1802e358c: 4K with FEAT_LPA2 (DS [32] = 1), 52-bit IPA, start level 0 with 16 root pages", () => {
    // T0SZ 12, SL0 10 -> level 0 (4K), TG0 00, PS 110, VS, HA, RES1, DS (1 << 32).
    const r = decodeRegister("vtcr", 0x1802e358cn);
    expect(f(r.decoded, "DS").value).toBe("0x1");
    expect(f(r.decoded, "SL0").meaning).toMatch(/starts at level 0/);
    expect([r.geometry?.startLevel, r.geometry?.pgdPages, r.geometry?.lpa2]).toEqual([0, 16, true]);
  });
  it("problems: RES1 bit 31 clear, TG0 0b11, a reserved SL0, an SL0 KVM would not write", () => {
    expect(dec("vtcr", 0x002a3558n).problems.join()).toMatch(/RES1\[31\]/);
    expect(dec("vtcr", 0x802af558n).problems.join()).toMatch(/TG0 = 0b11 is reserved/); // TG0 bits 15:14 = 11
    expect(dec("vtcr", 0x802e75ccn).problems.join()).toMatch(/SL0\[7:6\]: a reserved starting level/); // 64K with SL0 11
    // 0x802a3598: 4K 40-bit IPA but SL0 10 (start level 0): a valid encoding KVM never writes for 40 bits.
    expect((geo(0x802a3598n).kvm_differences as string[]).join()).toMatch(/SL0 is 2, kvm_get_vtcr\(\) writes 1/);
  });
});

describe("VTTBR_EL2 (VMID [63:48], BADDR [47:1], CnP [0])", () => {
  it("0x0001000080000000: VMID 1, root table at 0x80000000", () => {
    const d = dec("vttbr", 0x0001000080000000n);
    expect(f(d, "VMID").value).toBe("0x1");
    expect(d.summary).toBe("VMID 1, stage-2 root table at 0x80000000");
  });
  it("0x00ff000080000001: VMID 255, CnP", () => {
    expect(dec("vttbr", 0x00ff000080000001n).summary).toBe("VMID 255, stage-2 root table at 0x80000000, CnP");
  });
  it("0xffff0000fffff000: VMID 0xffff needs 16-bit VMIDs", () => {
    expect(f(dec("vttbr", 0xffff0000fffff000n), "VMID").meaning).toMatch(/65535 \(needs 16-bit VMIDs/);
  });
  it("0x0: VMID 0, root 0", () => expect(dec("VTTBR_EL2", 0n).summary).toBe("VMID 0, stage-2 root table at 0x0"));
  it("0x000200008000003c: BADDR[5:2] = 0b1111 read as PA[51:48] with a 52-bit output", () => {
    // low byte 0011 1100: bits 5:2 = 1111 -> PA[51:48] = 0xf under phys_to_ttbr(); 48-bit reading 0x8000003c.
    expect(f(dec("vttbr", 0x000200008000003cn), "BADDR").meaning).toMatch(/0x8000003c with a 48-bit output, or 0xf000080000000 with a 52-bit output/);
  });
});

describe("MAIR_EL1 (Attr<n> = bits [8n+7:8n]; src/mair describes the bytes)", () => {
  // Linux's MAIR_EL1: MT_NORMAL 0 = 0xff, MT_NORMAL_TAGGED 1 = 0xf0, MT_NORMAL_NC 2 = 0x44,
  // MT_DEVICE_nGnRnE 3 = 0x00, MT_DEVICE_nGnRE 4 = 0x04 -> 0x000000040044f0ff.
  const d = dec("mair", 0x000000040044f0ffn);
  it("Attr0 = 0xff Normal WB", () => expect(f(d, "Attr0").meaning).toMatch(/^0xff: Normal-WB \(MAIR_ATTR_NORMAL\)/));
  it("Attr1 = 0xf0 Tagged", () => expect(f(d, "Attr1").meaning).toMatch(/^0xf0: .*MAIR_ATTR_NORMAL_TAGGED.*Allocation Tagged/));
  it("Attr2 = 0x44 Normal-NC", () => expect(f(d, "Attr2").meaning).toMatch(/^0x44: Normal-NC \(MAIR_ATTR_NORMAL_NC\)/));
  it("Attr3 = 0x00 Device-nGnRnE", () => expect(f(d, "Attr3").meaning).toBe("0x00: Device-nGnRnE (MAIR_ATTR_DEVICE_nGnRnE)"));
  it("Attr4 = 0x04 Device-nGnRE, bits 39:32", () => {
    expect(f(d, "Attr4").meaning).toBe("0x04: Device-nGnRE (MAIR_ATTR_DEVICE_nGnRE)");
    expect(f(d, "Attr4").bits).toBe("39:32");
  });
  it("reserved bytes are problems: 0x02 (Device dd1x), 0x40 without FEAT_XS but not with it", () => {
    expect(dec("mair", 0x02n).problems.join()).toMatch(/Attr0\[7:0\]: 0x02 is a reserved MAIR encoding/);
    expect(dec("mair", 0x40n).problems).toHaveLength(1);
    expect(dec("mair", 0x40n, true).problems).toEqual([]);
  });
});

describe("TCR_EL1", () => {
  // T0SZ 25 (0x19), IRGN0 01, ORGN0 01, SH0 11 -> 0x3519; T1SZ 25 (0x190000); IRGN1 01 (0x1000000),
  // ORGN1 01 (0x4000000), SH1 11 (0x30000000), TG1 10 = 4K (0x80000000); IPS 101 (0x5 << 32),
  // AS 1 (bit 36), TBI1 1 (bit 38), HA 1 (bit 39), HD 1 (bit 40): 0x1d5b5193519.
  const v = 0x1d5b5193519n;
  it("T0SZ 25: 39-bit VA", () => expect(f(dec("tcr", v), "T0SZ").meaning).toBe("25: 39-bit VA region"));
  it("TG0 0b00 4K, TG1 0b10 4K (the two encodings differ)", () => {
    expect(f(dec("tcr", v), "TG0").meaning).toBe("4K");
    expect(f(dec("tcr", v), "TG1").meaning).toBe("4K");
  });
  it("IPS 0b101: 48 bits", () => expect(f(dec("tcr", v), "IPS").meaning).toMatch(/48 bits/));
  it("AS 1: 16-bit ASID; TBI1 1", () => {
    expect(f(dec("tcr", v), "AS").meaning).toBe("16-bit ASID");
    expect(f(dec("tcr", v), "TBI1").value).toBe("0x1");
  });
  it("HA and HD", () => {
    expect(f(dec("tcr", v), "HA").meaning).toMatch(/hardware sets AF/);
    expect(f(dec("tcr", v), "HD").value).toBe("0x1");
  });
  it("the walk s2pt's stage-1 model derives (TTBR0 39-bit, 4K: start level 1)", () => {
    expect((decodeRegister("TCR_EL1", v).extra.regions as string[])[0]).toBe("TTBR0: 4K granule, 39-bit VA (T0SZ 25), start level 1 (512 root entries)");
  });
  it("problems: TG1 0b00 reserved, RES0 bit 6", () => {
    expect(dec("tcr", 0x19n).problems.join()).toMatch(/TG1 = 0b00 is reserved/);
    expect(dec("tcr", v | 0x40n).problems.join()).toMatch(/RES0\[6\]/);
  });
});

describe("SCTLR_EL1", () => {
  // 0x30d0199d: 3:0 1101 M 1, A 0, C 1, SA 1; 7:4 1001 SA0 1, ITD 1; 11:8 1001 SED 1, EOS 1;
  // 15:12 0001 I 1; 19:16 0000 WXN 0; 23:20 1101 TSCXT 1, EIS 1, SPAN 1; 27:24 0000 EE 0; 31:28 0011 nTLSMD 1, LSMAOE 1.
  const d = dec("sctlr", 0x30d0199dn);
  it("M 1: stage 1 on", () => expect(f(d, "M").meaning).toBe("1: stage 1 enabled"));
  it("C 1", () => expect(f(d, "C").value).toBe("0x1"));
  it("I 1", () => expect(f(d, "I").value).toBe("0x1"));
  it("WXN 0, EE 0 (little-endian walks)", () => {
    expect(f(d, "WXN").value).toBe("0x0");
    expect(f(d, "EE").meaning).toMatch(/little-endian/);
  });
  it("SPAN 1, LSMAOE 1, nTLSMD 1", () => {
    expect(f(d, "SPAN").value).toBe("0x1");
    expect(f(d, "LSMAOE").value).toBe("0x1");
    expect(f(d, "nTLSMD").value).toBe("0x1");
  });
  it("as a scenario's guest.sctlr, and RES0 bit 17", () => {
    expect(decodeRegister("sctlr", 0x30d0199dn).extra.guest_sctlr).toEqual({ m: true, c: true, i: true, wxn: false });
    expect(dec("sctlr", 0x20000n).problems.join()).toMatch(/RES0\[17\]/);
  });
});

describe("HCR_EL2", () => {
  // KVM's HCR_GUEST_FLAGS (asm/kvm_arm.h) with FWB and VHE: VM 0, SWIO 1, PTW 2, FMO 3, IMO 4, AMO 5 -> 0x3f;
  // FB 9 (0x200), BSU [11:10] 01 (0x400); TWI 13, TWE 14 (0x6000); TID3 18, TSC 19, TIDCP 20, TACR 21, TSW 22 (0x7c0000);
  // RW 31; E2H 34, TLOR 35, FWB 46 -> 0x400c807c663f.
  const d = dec("hcr", 0x400c807c663fn);
  it("VM 1", () => expect(f(d, "VM").meaning).toBe("1: stage-2 translation enabled"));
  it("PTW 1", () => expect(f(d, "PTW").value).toBe("0x1"));
  it("FWB 1 (bit 46)", () => expect(f(d, "FWB").bits).toBe("46"));
  it("BSU 0b01 Inner Shareable", () => expect(f(d, "BSU").meaning).toBe("Inner Shareable"));
  it("E2H 1, TGE 0, DC 0", () => {
    expect(f(d, "E2H").value).toBe("0x1");
    expect(f(d, "TGE").value).toBe("0x0");
    expect(f(d, "DC").value).toBe("0x0");
  });
  it("DC (bit 12) as the scenario guest section takes it", () => {
    expect(decodeRegister("hcr", 0x80001001n).extra.guest_hcr).toEqual({ dc: true, dct: false, cd: false, id: false, ptw: false });
  });
});

describe("ID_AA64MMFR0_EL1, ID_AA64MMFR1_EL1, ID_AA64MMFR2_EL1 (arch/arm64/tools/sysreg)", () => {
  // MMFR0 0x101125: PARange [3:0] 0101 = 48; ASIDBits [7:4] 0010 = 16; BigEnd [11:8] 1; SNSMem [15:12] 1;
  // TGran16 [23:20] 0001 supported; TGran64 [27:24] 0 supported; TGran4 [31:28] 0 supported; TGran*_2 0: as stage 1.
  it("MMFR0 0x101125", () => {
    const d = dec("mmfr0", 0x101125n);
    expect(f(d, "PARange").meaning).toMatch(/48 bits/);
    expect(f(d, "ASIDBits").meaning).toBe("16 bits");
    expect(f(d, "TGran16").meaning).toBe("supported");
    expect(f(d, "TGran4_2").meaning).toBe("as TGran4 (stage 1)");
    expect(d.summary).toBe("PARange 48 bits; stage-2 granules: 4K yes (as stage 1), 16K yes (as stage 1), 64K yes (as stage 1)");
  });
  it("MMFR0 0x30010101126: FEAT_LPA2, TGran4 0b0001 and TGran4_2 0b0011 (52-bit), PARange 52", () => {
    // + TGran4 [31:28] 0001 (0x10000000), TGran4_2 [43:40] 0011 (0x30000000000), PARange 0110.
    const d = dec("ID_AA64MMFR0_EL1", 0x30010101126n);
    expect(f(d, "TGran4_2").meaning).toMatch(/52-bit/);
    expect(f(d, "PARange").meaning).toMatch(/52 bits/);
  });
  it("MMFR1 0x10312122: HAFDBS 2, VMIDBits 16, VH, HPDS2, LO, PAN3, XNX", () => {
    // HAFDBS [3:0] 0010; VMIDBits [7:4] 0010; VH [11:8] 0001; HPDS [15:12] 0010; LO [19:16] 0001;
    // PAN [23:20] 0011; XNX [31:28] 0001.
    const d = dec("mmfr1", 0x10312122n);
    expect(f(d, "HAFDBS").meaning).toBe("Access flag and dirty state");
    expect(f(d, "VMIDBits").meaning).toMatch(/16 bits/);
    expect(f(d, "XNX").meaning).toBe("implemented");
    expect(f(d, "PAN").meaning).toMatch(/FEAT_PAN3/);
  });
  it("MMFR2 0x21010002000001: FWB, TTL, BBM level 2, NV2, CnP", () => {
    // BBM [55:52] 0010 (bit 53), TTL [51:48] 0001 (bit 48), FWB [43:40] 0001 (bit 40), NV [27:24] 0010 (bit 25), CnP 1.
    const d = dec("mmfr2", 0x21010002000001n);
    expect(f(d, "FWB").meaning).toBe("implemented");
    expect(f(d, "TTL").meaning).toBe("implemented");
    expect(f(d, "BBM").meaning).toBe("level 2");
    expect(f(d, "NV").meaning).toBe("FEAT_NV2");
    expect(f(d, "CnP").meaning).toBe("implemented");
  });
  it("reserved encodings and RES0 bits are problems", () => {
    expect(dec("mmfr2", 1n << 44n).problems.join()).toMatch(/RES0\[47:44\]/);
    expect(dec("mmfr1", 0x30n).problems.join()).toMatch(/VMIDBits = 3 is not an encoding/);
    // PARange 0b0111 is 56 bits (FEAT_D128); 0b1000 is no encoding.
    expect(dec("mmfr0", 0x7n).problems).toEqual([]);
    expect(dec("mmfr0", 0x8n).problems.join()).toMatch(/PARange\[3:0\]: 8 is not a PA size encoding/);
  });
});

describe("every register decodes every bit once", () => {
  // Random values through every decoder: the fields put back together give the value (no bit lost or doubled).
  const values = [0n, (1n << 64n) - 1n, 0x93c08007n, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan];
  let x = 0x243f6a8885a308d3n;
  for (let i = 0; i < 64; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    values.push(x);
  }
  // And every EC class of ESR, with and without ISV.
  for (let ec = 0; ec < 64; ec++) for (const iss of [0n, 0x1ffffffn]) values.push((BigInt(ec) << 26n) | iss);
  it.each(REGISTERS.map((r) => [r.name] as const))("%s", (name) => {
    for (const v of values) {
      const d = dec(name, v);
      expect(reassemble(d.fields), `${name} ${d.value}`).toBe(v);
    }
  });
});

describe("names", () => {
  it("are case-insensitive with short forms", () => {
    expect(findRegister("esr")?.name).toBe("ESR_EL2");
    expect(findRegister("Vtcr_El2")?.name).toBe("VTCR_EL2");
    expect(findRegister("MMFR1")?.name).toBe("ID_AA64MMFR1_EL1");
  });
  it("an unknown name gets the nearest known one", () => {
    expect(nearestRegister("esr_el3")).toBe("ESR_EL2");
    expect(nearestRegister("vtrc")).toBe("VTCR_EL2");
    expect(nearestRegister("qwertyuiop")).toBeNull();
  });
});

describe("src/regs is the bottom layer", () => {
  // Above it only the base modules every layer shares: u64.ts (64-bit values, InputError) and
  // args.ts (the argument checks of every public entry, which imports only u64.ts). test/layers.test.ts
  // checks the whole graph.
  it("imports nothing but its own modules and the base modules src/pgtable/u64.ts and args.ts", () => {
    const dir = join(repoRoot, "src", "regs");
    for (const file of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const m of text.matchAll(/\bfrom\s+"([^"]+)"/g)) {
        expect(m[1], `src/regs/${file} imports ${m[1]}`).toMatch(/^(\.\/[a-z0-9-]+\.js|\.\.\/pgtable\/(u64|args)\.js)$/);
      }
    }
  });
});
