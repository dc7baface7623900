// VTTBR_EL2 / VTCR_EL2 (and the guest's TCR_EL1, TTBRn_EL1, SCTLR_EL1,
// HCR_EL2) read as AArch64.S2TTWParams / S1TTWParams read them: the start
// level (AArch64.S2StartLevel), its legality (S2InvalidSL,
// S2InconsistentSL: iasize in [levels * stride + granulebits + 1, that +
// stride - 1 + 4]), the output size (AArch64.PhysicalAddressSize), the root
// table (AArch64.S2TTBaseAddress). Every expected value is worked by hand
// from those rules here, in the comments.
import { describe, expect, it } from "vitest";
import { s2WalkParams } from "../../src/walker/image.js";
import { guestConfigFromRegisters } from "../../src/stage1/image.js";

/** VTCR_EL2 from fields: T0SZ, SL0, TG0, PS, and extra bits; RES1 bit 31, SH0 Inner, IRGN0/ORGN0 WBWA. */
function vtcr(t0sz: number, sl0: number, tg0: number, ps: number, extra = 0n): bigint {
  return BigInt(t0sz | (sl0 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (tg0 << 14)) | (BigInt(ps) << 16n) | (1n << 31n) | extra;
}
const FOURK = 0;
const SIXTYFOURK = 1;
const SIXTEENK = 2;

describe("VTCR_EL2: the geometry the architecture derives", () => {
  it.each([
    // [what, VTCR_EL2, VTTBR BADDR, start level, IPA bits, output bits, root pages]
    // 4K, T0SZ 24 (40 bits), SL0 01: level 1 resolves 31..43 bits (2*9+12+1 = 31, +8+4); 40 - 30 = 10 index bits: 2 pages.
    ["4K 40-bit from level 1", vtcr(24, 1, FOURK, 2), 0x80000000n, 1, 40, 40, 2],
    // 4K, T0SZ 24, SL0 10: level 0 resolves 40..52 bits; 40 - 39 = 1 index bit: 2 entries in one page.
    ["4K 40-bit from level 0", vtcr(24, 2, FOURK, 2), 0x80000000n, 0, 40, 40, 1],
    // 4K, T0SZ 33 (31 bits), SL0 00: level 2 resolves 22..34 bits; 31 - 21 = 10 bits: 2 pages.
    ["4K 31-bit from level 2", vtcr(33, 0, FOURK, 2), 0x80000000n, 2, 31, 40, 2],
    // 16K, T0SZ 28 (36 bits), SL0 01: level 2, stride 11: 11+14+1 = 26 .. 26+10+4 = 40; 36 - 25 = 11 bits: 1 page.
    ["16K 36-bit from level 2", vtcr(28, 1, SIXTEENK, 1), 0x80000000n, 2, 36, 36, 1],
    // 64K, T0SZ 22 (42 bits), SL0 01: level 2, stride 13: 13+16+1 = 30 .. 30+12+4 = 46; 42 - 29 = 13 bits: 1 page.
    ["64K 42-bit from level 2", vtcr(22, 1, SIXTYFOURK, 3), 0x80000000n, 2, 42, 42, 1],
    // 64K, T0SZ 12 (52 bits), PS 52 (FEAT_LPA), SL0 10: level 1: 2*13+16+1 = 43 .. 43+12+4 = 59; 52 - 42 = 10 bits: 1 page.
    ["64K 52-bit from level 1", vtcr(12, 2, SIXTYFOURK, 6), 0x80000000n, 1, 52, 52, 1],
    // 4K, DS 1, SL2 1, SL0 00: level -1; T0SZ 12 (52 bits): 4*9+12+1 = 49 .. 61; 52 - 48 = 4 bits: 16 entries, 1 page.
    ["4K LPA2 52-bit from level -1", vtcr(12, 0, FOURK, 6, (1n << 32n) | (1n << 33n)), 0x80000000n, -1, 52, 52, 1],
  ])("%s", (_, v, baddr, start, ia, pa, pages) => {
    const p = s2WalkParams({ vttbr: baddr, vtcr: v, fwb: false });
    expect([p.startLevel, p.iaBits, p.paBits, p.geom.pgdPages]).toEqual([start, ia, pa, pages]);
  });

  it("PS 52 bits with 4K and DS 0: the output size is 48 (AArch64.PhysicalAddressSize), noted", () => {
    const p = s2WalkParams({ vttbr: 0x80000000n, vtcr: vtcr(24, 1, FOURK, 6), fwb: false });
    expect(p.paBits).toBe(48);
    expect(p.notes.join(" ")).toMatch(/output size is 48 bits/);
  });

  it("with a 52-bit output, VTTBR_EL2.BADDR[5:2] are PA[51:48] (64K, PS 52)", () => {
    // BADDR field bits 5:2 = 0b0001 -> PA bit 48; the table (1 page, 64K) at 0x1_0000_8000_0000.
    const p = s2WalkParams({ vttbr: 0x80000000n | (1n << 2n), vtcr: vtcr(12, 2, SIXTYFOURK, 6), fwb: false });
    expect(p.baddr).toBe(2 ** 48 + 0x80000000);
  });
});

describe("VTCR_EL2 / VTTBR_EL2 values the architecture reserves, calls inconsistent, or leaves CONSTRAINED UNPREDICTABLE: refused by name", () => {
  it.each([
    // 4K, T0SZ 24 (40 bits), SL0 00 (level 2 resolves at most 34 bits): AArch64.S2InconsistentSL.
    [
      "SL0 inconsistent with T0SZ",
      0x80000000n,
      vtcr(24, 0, FOURK, 2),
      /SL0 = 0b00 \(start level 2\) is inconsistent with T0SZ = 24 .* 22\.\.34-bit .*AArch64\.S2InconsistentSL/,
    ],
    // 16K, SL0 11 without DS: reserved (AArch64.S2InvalidSL).
    ["SL0 reserved for 16K without DS", 0x80000000n, vtcr(28, 3, SIXTEENK, 1), /SL0 = 0b11 is reserved for the 16K granule.*AArch64\.S2InvalidSL/],
    ["SL0 11 with 4K (FEAT_TTST)", 0x80000000n, vtcr(39, 3, FOURK, 2), /SL0 = 0b11 is reserved .* without FEAT_TTST/],
    ["SL2 without DS", 0x80000000n, vtcr(24, 1, FOURK, 2, 1n << 33n), /SL2 = 1 needs the 4K granule with DS = 1/],
    ["TG0 reserved", 0x80000000n, vtcr(24, 1, 3, 2), /TG0 = 0b11 is reserved/],
    ["T0SZ below the minimum (53-bit IPA)", 0x80000000n, vtcr(11, 1, FOURK, 2), /T0SZ = 11 \(a 53-bit IPA\) is outside 16\.\.39 .*CONSTRAINED UNPREDICTABLE/],
    ["T0SZ above 39 (no FEAT_TTST)", 0x80000000n, vtcr(40, 0, FOURK, 2), /T0SZ = 40 .* is outside 16\.\.39/],
    ["PS reserved", 0x80000000n, vtcr(24, 1, FOURK, 7), /PS = 0b111 is reserved/],
    ["RES0 bit set", 0x80000000n, vtcr(24, 1, FOURK, 2, 1n << 20n), /bits 20 are RES0 and set/],
    ["D128 (not modelled)", 0x80000000n, vtcr(24, 1, FOURK, 2, 1n << 38n), /D128 \(bit 38, FEAT_D128\) is set: s2pt does not model it/],
    // Two concatenated 4K tables are 8K aligned: BADDR 0x80001000 has bit 12 set.
    ["BADDR not aligned to the concatenated root tables", 0x80001000n, vtcr(24, 1, FOURK, 2), /BADDR 0x80001000 is not aligned to the 8192-byte root tables/],
    // Start level 0, 40 bits: a 16-byte root table, which may sit inside a page; s2pt walks granule-aligned roots.
    ["BADDR inside a page", 0x80000040n, vtcr(24, 2, FOURK, 2), /puts the 16-byte root table inside a 4K page/],
    ["BADDR beyond PS", 0x10000000000n, vtcr(24, 1, FOURK, 2), /BADDR 0x10000000000 is beyond the 40-bit output size/],
  ])("%s", (_, vttbr, v, msg) => {
    expect(() => s2WalkParams({ vttbr, vtcr: v, fwb: false })).toThrow(msg);
  });

  it("PS beyond the implemented PA size (--pa-bits): the PE would use PAMax; refused with both named", () => {
    expect(() => s2WalkParams({ vttbr: 0x80000000n, vtcr: vtcr(24, 1, FOURK, 5), fwb: false, paMax: 40 })).toThrow(
      /PS = 0b101 \(48 bits\) is beyond the implemented PA size \(40 bits\).*AArch64\.PhysicalAddressSize/,
    );
  });
});

describe("the guest's registers: TCR_EL1, TTBRn_EL1, SCTLR_EL1, HCR_EL2", () => {
  const ok = { ttbr0: 0x40003000n, ttbr1: 0n, tcr: 0x280990019n, mair: 0xffn, sctlr: 0x1n, hcr: 0x1n };
  it("read: T0SZ 25 (39-bit VA from level 1), EPD1, IPS 40 bits, MAIR Attr0 0xff, M 1, HCR_EL2.FWB from bit 46", () => {
    const g = guestConfigFromRegisters({ ...ok, hcr: 0x400000000001n });
    expect([g.cfg.tcr.t0sz, g.cfg.tcr.epd1, g.cfg.tcr.ips, g.cfg.mair[0], g.cfg.sctlr.m, g.fwb]).toEqual([25, true, 40, 0xff, true, true]);
  });
  it("HCR_EL2.VM: 1 stage 2 on; 0 off; 0 with DC = 1 behaves as 1", () => {
    expect(guestConfigFromRegisters(ok).stage2).toBe(true);
    expect(guestConfigFromRegisters({ ...ok, hcr: 0n }).stage2).toBe(false);
    expect(guestConfigFromRegisters({ ...ok, hcr: 1n << 12n }).stage2).toBe(true);
  });
  it.each([
    ["TG1 reserved (0b00)", { tcr: 0x200990019n & ~(3n << 30n) }, /TG1 = 0b00 is reserved/],
    ["IPS reserved", { tcr: 0x780990019n }, /IPS = 0b111 is reserved/],
    ["TCR RES0 bit 6", { tcr: 0x280990059n }, /bits 6 are RES0 and set/],
    ["T0SZ out of range", { tcr: 0x28099000cn }, /t0sz: 12 is outside 16\.\.39/],
    ["DS (FEAT_LPA2) not modelled", { tcr: 0x280990019n | (1n << 59n) }, /DS \(FEAT_LPA2\), is set: s2pt does not model it/],
    ["TTBR0 not aligned to its root table", { ttbr0: 0x40003008n }, /TTBR0_EL1 0x40003008: BADDR 0x40003008 is not aligned to the 4096-byte root table/],
    ["HCR_EL2.TGE = 1", { hcr: 0x8000001n }, /TGE = 1/],
    ["SCTLR_EL1.EE = 1", { sctlr: 0x2000001n }, /EE = 1 \(big-endian translation table walks\) is not modelled/],
  ])("%s", (_, over, msg) => {
    expect(() => guestConfigFromRegisters({ ...ok, ...over })).toThrow(msg);
  });
});
