// The guest's stage-1 registers as the Arm ARM lays them out (TCR_EL1,
// SCTLR_EL1, HCR_EL2, MAIR_EL1, TTBRn_EL1) and the walk geometry of ASL
// AArch64_S1StartLevel / AArch64_S1TTBaseAddress / AArch64_PhysicalAddressSize.
// Every register value is assembled bit by bit in the comment beside it.
import { describe, expect, it } from "vitest";
import {
  checkTcr,
  decodeTcr,
  encodeTcr,
  hcrFieldsOf,
  mairBytes,
  mairValue,
  regionGeometry,
  regionWords,
  s1OutputBits,
  sctlrFieldsOf,
  ttbrTableBase,
  type TcrFields,
} from "../../src/stage1/config.js";
import { InputError } from "../../src/pgtable/u64.js";

// TG1 = 0b10 (4K) in bits 31:30: 0x80000000; TG0 = 0b00 (4K).
const TG1_4K = 0x8000_0000n;
const BASE: TcrFields = {
  t0sz: 25,
  t1sz: 25,
  tg0: 4096,
  tg1: 4096,
  ips: 48,
  epd0: false,
  epd1: false,
  tbi0: false,
  tbi1: false,
  hpd0: false,
  hpd1: false,
  ha: false,
  hd: false,
};

describe("decodeTcr", () => {
  it("granule encodings: TG0 00 4K, 01 64K, 10 16K; TG1 01 16K, 10 4K, 11 64K", () => {
    expect(decodeTcr(TG1_4K, "t").tg0).toBe(4096);
    expect(decodeTcr(TG1_4K | 0x4000n, "t").tg0).toBe(65536);
    expect(decodeTcr(TG1_4K | 0x8000n, "t").tg0).toBe(16384);
    expect(decodeTcr(0x4000_0000n, "t").tg1).toBe(16384);
    expect(decodeTcr(0x8000_0000n, "t").tg1).toBe(4096);
    expect(decodeTcr(0xc000_0000n, "t").tg1).toBe(65536);
  });
  it("IPS 0b000..0b110: 32, 36, 40, 42, 44, 48, 52 bits", () => {
    expect([0n, 1n, 2n, 3n, 4n, 5n, 6n].map((e) => decodeTcr(TG1_4K | (e << 32n), "t").ips)).toEqual([32, 36, 40, 42, 44, 48, 52]);
  });
  it("each flag at its bit: EPD0 7, EPD1 23, TBI0 37, TBI1 38, HA 39, HD 40, HPD0 41, HPD1 42; T0SZ 5:0, T1SZ 21:16", () => {
    const flags = ["epd0", "epd1", "tbi0", "tbi1", "ha", "hd", "hpd0", "hpd1"] as const;
    const bits = [7n, 23n, 37n, 38n, 39n, 40n, 41n, 42n];
    flags.forEach((name, i) => {
      const t = decodeTcr(TG1_4K | (1n << bits[i]), "t");
      for (const other of flags) expect(t[other], `${name} -> ${other}`).toBe(other === name);
    });
    // T0SZ 0x19 = 25 in 5:0, T1SZ 0x10 = 16 in 21:16: 0x00100019.
    const t = decodeTcr(TG1_4K | 0x0010_0019n, "t");
    expect([t.t0sz, t.t1sz]).toEqual([25, 16]);
  });
  it("refuses what it does not model, naming the bit and the field", () => {
    const cases: Array<[bigint, string]> = [
      [51n, "t: bit 51, TBID0, is set: s2pt does not model it"],
      [52n, "t: bit 52, TBID1, is set: s2pt does not model it"],
      [55n, "t: bit 55, E0PD0, is set: s2pt does not model it"],
      [56n, "t: bit 56, E0PD1, is set: s2pt does not model it"],
      [59n, "t: bit 59, DS (FEAT_LPA2), is set: s2pt does not model it"],
      [60n, "t: bit 60, MTX0, is set: s2pt does not model it"],
      [61n, "t: bit 61, MTX1, is set: s2pt does not model it"],
    ];
    for (const [b, msg] of cases) expect(() => decodeTcr(TG1_4K | (1n << b), "t")).toThrow(new InputError(msg));
    expect(() => decodeTcr(TG1_4K | 0xc000n, "tcr")).toThrow("tcr: TG0 = 0b11 is reserved");
    expect(() => decodeTcr(0n, "tcr")).toThrow("tcr: TG1 = 0b00 is reserved");
    expect(() => decodeTcr(TG1_4K | (7n << 32n), "tcr")).toThrow("tcr: IPS = 0b111 is reserved");
  });
});

describe("encodeTcr and checkTcr", () => {
  it("a Linux-like TCR: T0SZ 25, T1SZ 25, TG0 4K, TG1 4K, IPS 48, TBI0, HA, HD, EPD1, HPD0, HPD1", () => {
    // T0SZ 0x19; EPD1 bit 23 (0x800000); T1SZ 0x19 << 16 (0x190000); TG1 10 << 30: low word 0x80990019;
    // IPS 101 (bit 32, 34: 0x5), TBI0 bit 37 (0x20), HA 39 (0x80), HD 40 (0x100), HPD0 41 (0x200), HPD1 42 (0x400): 0x7a5.
    const t: TcrFields = { ...BASE, epd1: true, tbi0: true, ha: true, hd: true, hpd0: true, hpd1: true };
    expect(encodeTcr(t)).toBe(0x0000_07a5_8099_0019n);
    expect(decodeTcr(0x0000_07a5_8099_0019n, "t")).toEqual(t);
    // The other flags and granules: EPD0 bit 7, TBI1 bit 38; TG0 16K (10 << 14), TG1 64K (11 << 30), IPS 52 (110).
    const u: TcrFields = { ...BASE, tg0: 16384, tg1: 65536, ips: 52, epd0: true, tbi1: true };
    expect(encodeTcr(u)).toBe(0x0000_0046_c019_8099n);
  });
  it("checkTcr names the field that is wrong", () => {
    expect(() => checkTcr({ ...BASE, t0sz: 15 }, "tcr")).toThrow(
      new InputError("tcr.t0sz: 15 is outside 16..39 (VA sizes of 25 to 48 bits; FEAT_LVA and FEAT_TTST are not modelled)"),
    );
    expect(() => checkTcr({ ...BASE, t1sz: 40 }, "tcr")).toThrow("tcr.t1sz: 40 is outside 16..39");
    expect(() => checkTcr({ ...BASE, t0sz: 20.5 }, "tcr")).toThrow("tcr.t0sz: 20.5 is outside 16..39");
    expect(() => checkTcr({ ...BASE, ips: 47 }, "tcr")).toThrow("tcr.ips: 47 is not an IPS size (32, 36, 40, 42, 44, 48, 52)");
    expect(() => checkTcr({ ...BASE, tg1: 8192 as never }, "tcr")).toThrow("tcr.tg1: 8192 is not a granule (4096, 16384 or 65536)");
    expect(() => checkTcr({ ...BASE, hd: 1 as never }, "tcr")).toThrow("tcr.hd: 1 is not a boolean");
    expect(() => checkTcr({ ...BASE, t0sz: 16, t1sz: 39 }, "tcr")).not.toThrow();
  });
});

describe("SCTLR_EL1 and HCR_EL2 bits", () => {
  it("SCTLR_EL1: M bit 0, C bit 2, I bit 12, WXN bit 19", () => {
    expect(sctlrFieldsOf(0x1n)).toEqual({ m: true, c: false, i: false, wxn: false });
    expect(sctlrFieldsOf(0x4n)).toEqual({ m: false, c: true, i: false, wxn: false });
    expect(sctlrFieldsOf(0x1000n)).toEqual({ m: false, c: false, i: true, wxn: false });
    expect(sctlrFieldsOf(0x8_0000n)).toEqual({ m: false, c: false, i: false, wxn: true });
  });
  it("HCR_EL2: PTW bit 2, DC bit 12, CD bit 32, ID bit 33, DCT bit 57", () => {
    const none = { dc: false, dct: false, cd: false, id: false, ptw: false };
    expect(hcrFieldsOf(0x4n)).toEqual({ ...none, ptw: true });
    expect(hcrFieldsOf(0x1000n)).toEqual({ ...none, dc: true });
    expect(hcrFieldsOf(1n << 32n)).toEqual({ ...none, cd: true });
    expect(hcrFieldsOf(1n << 33n)).toEqual({ ...none, id: true });
    expect(hcrFieldsOf(1n << 57n)).toEqual({ ...none, dct: true });
  });
});

describe("regionGeometry (AArch64_S1StartLevel: 3 - (iasize - 1 - granulebits) DIV stride)", () => {
  it("4K, T0SZ 25 (39-bit VA): start level 3 - 26 DIV 9 = 1, 2^(39-30) = 512 root entries, a 4K root table", () => {
    expect(regionGeometry(BASE, 0)).toEqual({
      region: 0,
      granule: 4096,
      pageShift: 12,
      stride: 9,
      txsz: 25,
      iaBits: 39,
      startLevel: 1,
      shifts: [39, 30, 21, 12],
      rootEntries: 512,
      rootTableLog2: 12,
      epd: false,
      tbi: false,
      hpd: false,
    });
  });
  it("16K TTBR1, T1SZ 17 (47-bit VA): start level 3 - 32 DIV 11 = 1, 2^(47-36) = 2048 entries, 16K; the region's own flags", () => {
    const g = regionGeometry({ ...BASE, tg1: 16384, t1sz: 17, epd1: true, tbi1: true, hpd1: true }, 1);
    expect(g).toMatchObject({
      region: 1,
      granule: 16384,
      pageShift: 14,
      stride: 11,
      txsz: 17,
      iaBits: 47,
      startLevel: 1,
      rootEntries: 2048,
      rootTableLog2: 14,
    });
    expect(g.shifts).toEqual([47, 36, 25, 14]);
    expect([g.epd, g.tbi, g.hpd]).toEqual([true, true, true]);
    expect(regionWords(g)).toBe("TTBR1: 16K granule, 47-bit VA (T1SZ 17), start level 1 (2048 root entries), EPD1 = 1, TBI1, HPD1");
  });
  it("64K, T0SZ 22 (42-bit VA): start level 3 - 25 DIV 13 = 2, 2^(42-29) = 8192 entries; 4K T0SZ 39: level 2, 16 entries, 128 bytes", () => {
    expect(regionGeometry({ ...BASE, tg0: 65536, t0sz: 22 }, 0)).toMatchObject({ stride: 13, startLevel: 2, rootEntries: 8192, rootTableLog2: 16 });
    const small = regionGeometry({ ...BASE, t0sz: 39 }, 0);
    expect(small).toMatchObject({ iaBits: 25, startLevel: 2, rootEntries: 16, rootTableLog2: 7 });
    expect(regionWords(small)).toBe("TTBR0: 4K granule, 25-bit VA (T0SZ 39), start level 2 (16 root entries)");
  });
});

describe("s1OutputBits (AArch64_PhysicalAddressSize) and ttbrTableBase (AArch64_S1TTBaseAddress)", () => {
  it("IPS capped at PAMax and at 48 bits unless 64K with a 52-bit PAMax", () => {
    expect(s1OutputBits(52, 65536, 52)).toBe(52);
    expect(s1OutputBits(52, 4096, 52)).toBe(48);
    expect(s1OutputBits(52, 16384, 52)).toBe(48);
    expect(s1OutputBits(52, 65536, 48)).toBe(48);
    expect(s1OutputBits(48, 4096, 40)).toBe(40);
    expect(s1OutputBits(36, 4096, 48)).toBe(36);
  });
  it("BADDR[47:1] aligned to the root table; ASID (63:48) and CnP (bit 0) are not address bits", () => {
    // 25-bit region: a 128-byte root table. 0x0001_0000_4000_00ff: ASID 1, CnP 1; 0x400000fe aligned to 128: 0x40000080.
    const g = regionGeometry({ ...BASE, t0sz: 39 }, 0);
    expect(ttbrTableBase(0x0001_0000_4000_00ffn, g, 48, 48)).toBe(0x4000_0080);
  });
  it("64K, IPS 52, PAMax 52 (FEAT_LPA): TTBR bits 5:2 are address bits 51:48; otherwise they are not", () => {
    const g = regionGeometry({ ...BASE, tg0: 65536, t0sz: 22 }, 0); // 64K root table
    // 0x8001003c: bits 5:2 = 0xf -> 0xf << 48; 0x80010000 aligned to 64K.
    expect(ttbrTableBase(0x8001_003cn, g, 52, 52)).toBe(0xf_0000_8001_0000);
    expect(ttbrTableBase(0x8001_003cn, g, 48, 52)).toBe(0x8001_0000);
    expect(ttbrTableBase(0x8001_003cn, g, 52, 48)).toBe(0x8001_0000);
    // T0SZ 36, 28-bit VA: start level 3, 2^(28-16) = 4096 entries, a 32K root table; 0x80018040 aligned down to 32K.
    const s = regionGeometry({ ...BASE, tg0: 65536, t0sz: 36 }, 0);
    expect(s.rootTableLog2).toBe(15);
    expect(ttbrTableBase(0x8001_8040n, s, 52, 52)).toBe(0x8001_8000);
  });
});

describe("MAIR_EL1", () => {
  it("Attr0 is bits 7:0, Attr7 bits 63:56", () => {
    const bytes = [0xff, 0x44, 0x00, 0x04, 0xf0, 0xbb, 0x0c, 0x40];
    expect(mairValue(bytes)).toBe(0x400c_bbf0_0400_44ffn);
    expect(mairValue(new Uint8Array(bytes))).toBe(0x400c_bbf0_0400_44ffn);
    expect([...mairBytes(0x400c_bbf0_0400_44ffn)]).toEqual(bytes);
  });
  it("eight bytes, nothing else", () => {
    expect(() => mairValue([1, 2, 3, 4, 5, 6, 7])).toThrow("is not the 8 MAIR Attr bytes");
    expect(() => mairValue("12345678" as never)).toThrow("is not the 8 MAIR Attr bytes");
  });
});

describe("argument names and the corners of the geometry", () => {
  it("each function names its bad argument", () => {
    expect(() => decodeTcr(-1n, "t")).toThrow(/^v: /);
    expect(() => decodeTcr(TG1_4K, 5 as never)).toThrow(/^what: /);
    expect(() => checkTcr(BASE, 5 as never)).toThrow(/^what: /);
    expect(() => regionGeometry(null as never, 0)).toThrow(/^t: /);
    expect(() => regionGeometry(BASE, 2 as never)).toThrow(/^region: /);
    expect(() => regionGeometry({ ...BASE, t0sz: 15 }, 0)).toThrow(/^t\.t0sz: 15 is outside 16\.\.39/);
    expect(() => s1OutputBits(65, 4096, 48)).toThrow(/^ips: 65 is not a size in bits/);
    expect(() => s1OutputBits(48, 8192 as never, 48)).toThrow(/^granule: /);
    expect(() => s1OutputBits(48, 4096, 65)).toThrow(/^paMax: 65 is not a size in bits/);
    expect(() => mairValue([1, 2])).toThrow(/^mair: /);
    expect(() => mairBytes(-1n)).toThrow(/^v: /);
  });
  it("the TTBR0 region takes EPD0/TBI0/HPD0, not the TTBR1 bits", () => {
    const g = regionGeometry({ ...BASE, epd1: true, tbi1: true, hpd1: true }, 0);
    expect([g.epd, g.tbi, g.hpd]).toEqual([false, false, false]);
    expect(regionGeometry({ ...BASE, epd0: true, tbi0: true, hpd0: true }, 0)).toMatchObject({ epd: true, tbi: true, hpd: true });
    expect(regionWords(regionGeometry({ ...BASE, epd0: true, tbi0: true, hpd0: true }, 0))).toBe(
      "TTBR0: 4K granule, 39-bit VA (T0SZ 25), start level 1 (512 root entries), EPD0 = 1, TBI0, HPD0",
    );
  });
  it("52-bit output needs the 64K granule and a 52-bit PAMax; the cap is 52 bits even for a larger IPS", () => {
    // A PAMax between 48 and 52 (not a PARange size, but within the function's contract) still caps at 48.
    expect(s1OutputBits(52, 65536, 50)).toBe(48);
    // IPS 0b111 (56 bits, FEAT_D128) with a larger PAMax: 52 at most.
    expect(s1OutputBits(56, 65536, 56)).toBe(52);
  });
  it("4K with IPS 52: TTBR bits 5:2 are not address bits (only the 64K granule uses them)", () => {
    const g = regionGeometry(BASE, 0); // a 4K root table
    expect(ttbrTableBase(0x8001_003cn, g, 52, 52)).toBe(0x8001_0000);
  });
});
