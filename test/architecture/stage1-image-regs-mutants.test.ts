// src/stage1/image.ts: the guest's stage-1 registers read as ASL
// AArch64.S1TTWParams reads them for the EL1&0 regime, field positions from
// the Arm ARM register pages: TCR_EL1 (T0SZ 5:0, RES0 6, IRGN0 9:8, ORGN0
// 11:10, SH0 13:12, TG0 15:14, T1SZ 21:16, A1 22, IRGN1 25:24, ORGN1 27:26,
// SH1 29:28, TG1 31:30 (0b10 = 4K), IPS 34:32, RES0 35, AS 36, RES0 63:62),
// HCR_EL2 (VM 0, DC 12, FWB 46), TTBRn_EL1 (ASID 63:48, BADDR 47:1, CnP 0).
// The root table of a region (4K granule) holds 2^(64 - TnSZ - 39 + 9) entries
// of 8 bytes at start level 1 when TnSZ is 25..33: T1SZ 30 (34-bit VAs) is 16
// entries, 128 bytes, so BADDR must be 128-byte aligned. Written for the
// surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { guestConfigFromRegisters, type S1Registers } from "../../src/stage1/image.js";
import { ArgumentError } from "../../src/pgtable/args.js";

// T0SZ 25, T1SZ 30, TG0 4K (0b00), TG1 4K (0b10), IPS 0b010 (40 bits).
// = 0x2801e0019.
const TCR = 25n | (30n << 16n) | (2n << 30n) | (2n << 32n);
const REGS: S1Registers = { ttbr0: 0x40000000n, ttbr1: 0x40001000n, tcr: TCR, mair: 0xffn, sctlr: 1n, hcr: 1n };
const TAIL = ": ASIDs and the walk's own memory type, not modelled (no TLB, no caches)";

describe("guestConfigFromRegisters: what is noted, what stage 2 does, FWB", () => {
  it("the TCR_EL1 fields noted, not modelled, each from its own field", () => {
    // A1 1, AS 1, SH0 3, IRGN0 1, ORGN0 2, SH1 2, IRGN1 3, ORGN1 1.
    const tcr = TCR | (1n << 22n) | (1n << 36n) | (3n << 12n) | (1n << 8n) | (2n << 10n) | (2n << 28n) | (3n << 24n) | (1n << 26n);
    const r = guestConfigFromRegisters({ ...REGS, tcr });
    expect(r.notes).toEqual([`TCR_EL1 A1 1, AS 1, SH0/IRGN0/ORGN0 3/1/2, SH1/IRGN1/ORGN1 2/3/1${TAIL}`]);
    expect(r.stage2).toBe(true);
    expect(r.fwb).toBe(false);
    expect(r.cfg.tcr.t1sz).toBe(30);
  });

  it("HCR_EL2.FWB (bit 46) is stage 2's FWB", () => {
    expect(guestConfigFromRegisters({ ...REGS, hcr: 1n | (1n << 46n) }).fwb).toBe(true);
    expect(guestConfigFromRegisters({ ...REGS, hcr: 1n }).fwb).toBe(false);
  });

  it("VM = 0: stage 2 off, noted; VM = 0 with DC = 1: stage 2 on (DC behaves as VM = 1), noted differently; VM = 1: no note", () => {
    const off = guestConfigFromRegisters({ ...REGS, hcr: 0n });
    expect(off.stage2).toBe(false);
    expect(off.notes.slice(1)).toEqual(["HCR_EL2.VM = 0: stage 2 off, the PA is the IPA (VTTBR_EL2, VTCR_EL2 and HCR_EL2.FWB/CD/ID/PTW not used)"]);
    const dc = guestConfigFromRegisters({ ...REGS, hcr: 1n << 12n });
    expect(dc.stage2).toBe(true);
    expect(dc.cfg.hcr.dc).toBe(true);
    expect(dc.notes.slice(1)).toEqual(["HCR_EL2.VM = 0 with DC = 1: the PE behaves as if VM were 1"]);
    expect(guestConfigFromRegisters({ ...REGS, hcr: 1n | (1n << 12n) }).notes).toHaveLength(1);
    expect(guestConfigFromRegisters(REGS).notes).toHaveLength(1);
  });

  it("TTBRn_EL1 ASID and CnP are noted per register when set, and only then", () => {
    const r = guestConfigFromRegisters({ ...REGS, ttbr0: 0x40000000n | (0x12n << 48n), ttbr1: 0x40001000n | 1n });
    expect(r.notes.slice(1)).toEqual(["TTBR0_EL1 ASID 0x12, CnP 0: TLB tags, not modelled", "TTBR1_EL1 ASID 0x0, CnP 1: TLB tags, not modelled"]);
    expect(r.cfg.ttbr0).toBe(0x40000000n | (0x12n << 48n));
    expect(guestConfigFromRegisters({ ...REGS, ttbr1: 0x40001000n | (1n << 48n) }).notes.slice(1)).toEqual([
      "TTBR1_EL1 ASID 0x1, CnP 0: TLB tags, not modelled",
    ]);
  });
});

describe("guestConfigFromRegisters: refusals name the register and the field", () => {
  it("RES0 bits of TCR_EL1: one bit by its number, a field by hi:lo", () => {
    expect(() => guestConfigFromRegisters({ ...REGS, tcr: TCR | (1n << 6n) })).toThrow(/^TCR_EL1 0x2801e0059: bits 6 are RES0 and set$/);
    expect(() => guestConfigFromRegisters({ ...REGS, tcr: TCR | (1n << 35n) })).toThrow(/^TCR_EL1 0xa801e0019: bits 35 are RES0 and set$/);
    expect(() => guestConfigFromRegisters({ ...REGS, tcr: TCR | (1n << 62n) })).toThrow(/^TCR_EL1 0x40000002801e0019: bits 63:62 are RES0 and set$/);
  });

  it("a root table not aligned to its size: TTBR0 (4K, T0SZ 25: 4096 bytes) and TTBR1 (T1SZ 30: 128 bytes), each with its own TnSZ", () => {
    expect(() => guestConfigFromRegisters({ ...REGS, ttbr0: 0x40000080n })).toThrow(
      /^TTBR0_EL1 0x40000080: BADDR 0x40000080 is not aligned to the 4096-byte root table \(TCR_EL1\.T0SZ 25, 4K granule\): its low bits are RES0/,
    );
    expect(() => guestConfigFromRegisters({ ...REGS, ttbr1: 0x40000040n })).toThrow(
      /^TTBR1_EL1 0x40000040: BADDR 0x40000040 is not aligned to the 128-byte root table \(TCR_EL1\.T1SZ 30, 4K granule\)/,
    );
    expect(guestConfigFromRegisters({ ...REGS, ttbr1: 0x40000080n }).cfg.ttbr1).toBe(0x40000080n);
  });

  it("a register that is not a 64-bit bigint is refused by its name", () => {
    for (const k of ["tcr", "ttbr0", "ttbr1", "mair", "sctlr", "hcr"] as const) {
      expect(() => guestConfigFromRegisters({ ...REGS, [k]: 1 })).toThrow(new RegExp(`^regs\\.${k}: `));
      expect(() => guestConfigFromRegisters({ ...REGS, [k]: 1 })).toThrow(ArgumentError);
    }
    expect(() => guestConfigFromRegisters(null as never)).toThrow(/^regs: /);
  });
});
