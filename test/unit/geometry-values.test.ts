// Hand-worked geometry: kvm_granule_shift(L) = (PAGE_SHIFT - 3) * (4 - L) + 3,
// the start level and root pages of kernel-reference.md §3.4, the VTCR_EL2
// fields of kvm_get_vtcr(), and AArch64_BlockDescSupported (Arm ARM: 4K
// blocks at levels 1-2, level 0 with DS = 1; 16K at level 2, level 1 with
// DS = 1; 64K at level 2, level 1 with 52-bit PAs). Every number is written out.
import { describe, expect, it } from "vitest";
import {
  blockDescSupported,
  granuleName,
  ipaLimit,
  kvmGranuleShift,
  pageShiftOf,
  parseGranule,
  stage2Geometry,
  stage2PgdSize,
  stage2PgtableLevels,
} from "../../src/pgtable/geometry.js";
import { InputError } from "../../src/pgtable/u64.js";

describe("levels, one by one", () => {
  it("4K, 40-bit IPA: start level 1 over 2 concatenated pages", () => {
    const g = stage2Geometry({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false });
    expect([g.pageShift, g.ptrsPerPte, g.levels, g.startLevel, g.pgdPages, g.minBlockLevel]).toEqual([12, 512, 3, 1, 2, 1]);
    // kvm_granule_shift(-1..3) = 9 * (5, 4, 3, 2, 1) + 3.
    expect(g.shifts).toEqual([48, 39, 30, 21, 12]);
    expect(g.levelInfo).toEqual([
      // Level 1 indexes IPA bits 39:30 over 2 x 512 entries, all reachable; 1 GiB blocks.
      { level: 1, shift: 30, ipaBitHi: 39, ipaBitLo: 30, entries: 1024, usedEntries: 1024, leafAllowed: true, leafSize: 2 ** 30 },
      { level: 2, shift: 21, ipaBitHi: 29, ipaBitLo: 21, entries: 512, usedEntries: 512, leafAllowed: true, leafSize: 2 ** 21 },
      { level: 3, shift: 12, ipaBitHi: 20, ipaBitLo: 12, entries: 512, usedEntries: 512, leafAllowed: true, leafSize: 4096 },
    ]);
    expect(stage2PgdSize(g)).toBe(2 * 4096);
  });

  it("16K, 36-bit IPA: start level 2, one page; no level-1 blocks (KVM_PGTABLE_MIN_BLOCK_LEVEL 2)", () => {
    const g = stage2Geometry({ granule: 16384, iaBits: 36, paBits: 48, lpa2: false });
    expect([g.pageShift, g.ptrsPerPte, g.levels, g.startLevel, g.pgdPages, g.minBlockLevel]).toEqual([14, 2048, 2, 2, 1, 2]);
    expect(g.shifts).toEqual([58, 47, 36, 25, 14]);
    expect(g.levelInfo).toEqual([
      { level: 2, shift: 25, ipaBitHi: 35, ipaBitLo: 25, entries: 2048, usedEntries: 2048, leafAllowed: true, leafSize: 2 ** 25 },
      { level: 3, shift: 14, ipaBitHi: 24, ipaBitLo: 14, entries: 2048, usedEntries: 2048, leafAllowed: true, leafSize: 16384 },
    ]);
    const g48 = stage2Geometry({ granule: 16384, iaBits: 48, paBits: 48, lpa2: false });
    expect(g48.levelInfo[0]).toEqual({
      level: 1,
      shift: 36,
      ipaBitHi: 47,
      ipaBitLo: 36,
      entries: 4096,
      usedEntries: 4096,
      leafAllowed: false,
      leafSize: 2 ** 36,
    });
  });

  it("64K, 32-bit IPA: a level-2 root of which 8 entries are reachable (2^(32-29))", () => {
    const g = stage2Geometry({ granule: 65536, iaBits: 32, paBits: 48, lpa2: false });
    expect([g.pageShift, g.ptrsPerPte, g.levels, g.startLevel, g.pgdPages, g.minBlockLevel]).toEqual([16, 8192, 2, 2, 1, 2]);
    expect(g.shifts).toEqual([68, 55, 42, 29, 16]);
    expect(g.levelInfo[0]).toEqual({ level: 2, shift: 29, ipaBitHi: 31, ipaBitLo: 29, entries: 8192, usedEntries: 8, leafAllowed: true, leafSize: 2 ** 29 });
    expect(g.levelInfo[1]).toEqual({ level: 3, shift: 16, ipaBitHi: 28, ipaBitLo: 16, entries: 8192, usedEntries: 8192, leafAllowed: true, leafSize: 65536 });
    expect(stage2PgdSize(g)).toBe(65536);
  });

  it("4K, 52-bit IPA with FEAT_LPA2: start level 0 over 16 pages (no level -1: KVM concatenates)", () => {
    const g = stage2Geometry({ granule: 4096, iaBits: 52, paBits: 52, lpa2: true });
    expect([g.levels, g.startLevel, g.pgdPages, g.vtcr.sl0, g.vtcr.sl2, g.vtcr.ds]).toEqual([4, 0, 16, 2, 0, 1]);
    expect(g.levelInfo[0]).toMatchObject({ level: 0, shift: 39, ipaBitHi: 51, entries: 16 * 512, usedEntries: 8192, leafAllowed: false });
    expect(stage2PgdSize(g)).toBe(16 * 4096);
  });

  it("the helpers: PAGE_SHIFT, kvm_granule_shift, stage2_pgtable_levels", () => {
    expect([pageShiftOf(4096), pageShiftOf(16384), pageShiftOf(65536)]).toEqual([12, 14, 16]);
    expect(kvmGranuleShift(12, -1)).toBe(48);
    expect(kvmGranuleShift(16, 1)).toBe(42);
    // (ipa - 8) / (PAGE_SHIFT - 3), rounded down: 4K 40 -> 32/9 = 3; 16K 36 -> 28/11 = 2; 64K 32 -> 24/13 = 1 (KVM uses 2).
    expect([stage2PgtableLevels(12, 40), stage2PgtableLevels(14, 36), stage2PgtableLevels(16, 32), stage2PgtableLevels(12, 48)]).toEqual([3, 2, 1, 4]);
  });
});

describe("VTCR_EL2 (kvm_get_vtcr)", () => {
  it("16K, 52-bit IPA and PA, FEAT_LPA2: TG0 0b10, PS 0b110, T0SZ 12, SL0 3, DS (bit 32)", () => {
    const g = stage2Geometry({ granule: 16384, iaBits: 52, paBits: 52, lpa2: true });
    expect(g.vtcr).toEqual({ t0sz: 12, sl0: 3, sl2: 0, tg0: 2, ps: 6, ds: 1, value: "0x1802eb5cc" });
    // = DS 1<<32 | RES1 1<<31 | HA 1<<21 | VS 1<<19 | PS 6<<16 | TG0 2<<14 | SH0 3<<12 | ORGN0 1<<10 | IRGN0 1<<8 | SL0 3<<6 | T0SZ 12
    expect(BigInt(g.vtcr.value)).toBe(
      (1n << 32n) | (1n << 31n) | (1n << 21n) | (1n << 19n) | (6n << 16n) | (2n << 14n) | (3n << 12n) | (1n << 10n) | (1n << 8n) | (3n << 6n) | 12n,
    );
  });
  it("64K, 42-bit IPA, 44-bit PA: TG0 0b01, PS 0b100, SL0 1", () => {
    const g = stage2Geometry({ granule: 65536, iaBits: 42, paBits: 44, lpa2: false });
    expect(g.vtcr).toEqual({
      t0sz: 22,
      sl0: 1,
      sl2: 0,
      tg0: 1,
      ps: 4,
      ds: 0,
      value: "0x802c7556",
    });
    expect(BigInt(g.vtcr.value)).toBe(
      (1n << 31n) | (1n << 21n) | (1n << 19n) | (4n << 16n) | (1n << 14n) | (3n << 12n) | (1n << 10n) | (1n << 8n) | (1n << 6n) | 22n,
    );
  });
  it("without pa_bits: 52 when the IPA needs it and the format carries it, else 48", () => {
    expect(stage2Geometry({ granule: 4096, iaBits: 52, lpa2: true }).paBits).toBe(52);
    expect(stage2Geometry({ granule: 65536, iaBits: 50, lpa2: false }).paBits).toBe(52);
    expect(stage2Geometry({ granule: 4096, iaBits: 48, lpa2: true }).paBits).toBe(48);
    expect(stage2Geometry({ granule: 16384, iaBits: 40, lpa2: false }).paBits).toBe(48);
  });
});

describe("what KVM refuses, message by message", () => {
  const refuse = (c: Parameters<typeof stage2Geometry>[0], msg: string): void => {
    expect(() => stage2Geometry(c)).toThrow(InputError);
    expect(() => stage2Geometry(c)).toThrow(new InputError(msg));
  };
  it("granule, IPA size, LPA2, PA size", () => {
    refuse({ granule: 8192 as 4096, iaBits: 40, lpa2: false }, "granule: 8192 is not 4096, 16384 or 65536");
    refuse({ granule: 4096, iaBits: 40.5, lpa2: false }, "ia_bits: 40.5 is outside 32..52 (KVM refuses an IPA size below ARM64_MIN_PARANGE_BITS = 32)");
    refuse({ granule: 4096, iaBits: 53, lpa2: true }, "ia_bits: 53 is outside 32..52 (KVM refuses an IPA size below ARM64_MIN_PARANGE_BITS = 32)");
    refuse({ granule: 65536, iaBits: 40, lpa2: true }, "lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only (64K reaches 52 bits with FEAT_LPA)");
    refuse({ granule: 4096, iaBits: 40, paBits: 40.5, lpa2: false }, "pa_bits: 40.5 is not a PARange size (32, 36, 40, 42, 44, 48, 52)");
    refuse({ granule: 4096, iaBits: 40, paBits: 50, lpa2: false }, "pa_bits: 50 is not a PARange size (32, 36, 40, 42, 44, 48, 52)");
    refuse(
      { granule: 16384, iaBits: 40, paBits: 52, lpa2: false },
      "pa_bits: 52-bit PAs with a 4K or 16K granule need FEAT_LPA2 (set lpa2); without it KVM clamps PARange to 48",
    );
  });
  it("the IPA limit, with the reason that applies", () => {
    refuse(
      { granule: 4096, iaBits: 49, paBits: 48, lpa2: false },
      "ia_bits: 49 exceeds KVM's IPA limit of 48 bits: IPAs above 48 bits with a 4K or 16K granule need FEAT_LPA2",
    );
    refuse(
      { granule: 16384, iaBits: 52, lpa2: false },
      "ia_bits: 52 exceeds KVM's IPA limit of 48 bits: IPAs above 48 bits with a 4K or 16K granule need FEAT_LPA2",
    );
    refuse(
      { granule: 4096, iaBits: 50, paBits: 48, lpa2: true },
      "ia_bits: 50 exceeds KVM's IPA limit of 48 bits: the IPA limit is the host PA range (pa_bits 48)",
    );
    refuse(
      { granule: 65536, iaBits: 49, paBits: 48, lpa2: false },
      "ia_bits: 49 exceeds KVM's IPA limit of 48 bits: the IPA limit is the host PA range (pa_bits 48)",
    );
    refuse(
      { granule: 4096, iaBits: 44, paBits: 40, lpa2: false },
      "ia_bits: 44 exceeds KVM's IPA limit of 40 bits: the IPA limit is the host PA range (pa_bits 40)",
    );
    // 48 bits is not "above 48": a 48-bit IPA over a 44-bit PA range is refused for the PA range.
    refuse(
      { granule: 4096, iaBits: 48, paBits: 44, lpa2: false },
      "ia_bits: 48 exceeds KVM's IPA limit of 44 bits: the IPA limit is the host PA range (pa_bits 44)",
    );
    // Exactly at the limit is accepted.
    expect(stage2Geometry({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false }).iaBits).toBe(40);
    expect(stage2Geometry({ granule: 4096, iaBits: 32, paBits: 32, lpa2: false }).iaBits).toBe(32);
  });
  it("kvm_set_ipa_limit: PARange, clamped to 48 for 4K and 16K without FEAT_LPA2", () => {
    expect(ipaLimit(4096, 52, false)).toBe(48);
    expect(ipaLimit(16384, 52, false)).toBe(48);
    expect(ipaLimit(4096, 52, true)).toBe(52);
    expect(ipaLimit(65536, 52, false)).toBe(52);
    expect(ipaLimit(4096, 44, false)).toBe(44);
    expect(ipaLimit(4096, 48, false)).toBe(48);
  });
});

describe("granule names", () => {
  it("parseGranule takes 4k/16k/64k and the byte counts, in any case and spacing", () => {
    expect(parseGranule("4096")).toBe(4096);
    expect(parseGranule(" 16K ")).toBe(16384);
    expect(parseGranule("64k")).toBe(65536);
    expect(parseGranule("4K")).toBe(4096);
    expect(parseGranule(65536)).toBe(65536);
    expect(parseGranule("16384")).toBe(16384);
  });
  it("anything else is refused, naming the input", () => {
    expect(() => parseGranule("8k")).toThrow(new InputError("granule: '8k' is not a granule (4k, 16k, 64k or 4096, 16384, 65536)"));
    expect(() => parseGranule("8192", "--granule")).toThrow(new InputError("--granule: '8192' is not a granule (4k, 16k, 64k or 4096, 16384, 65536)"));
    expect(() => parseGranule("0x1000")).toThrow(InputError);
    expect(() => parseGranule("")).toThrow(InputError);
  });
  it("granuleName", () => {
    expect([granuleName(4096), granuleName(16384), granuleName(65536)]).toEqual(["4K", "16K", "64K"]);
  });
});

describe("AArch64_BlockDescSupported, every granule x DS x level", () => {
  it.each([
    // granule, ds, paMax, levels -1..3 with a block
    [4096, false, 48, [false, false, true, true, false]],
    [4096, true, 52, [false, true, true, true, false]],
    [16384, false, 48, [false, false, false, true, false]],
    [16384, true, 52, [false, false, true, true, false]],
    // 16K level-1 blocks follow DS, not the PA size (that rule is 64K's).
    [16384, true, 48, [false, false, true, true, false]],
    [16384, false, 52, [false, false, false, true, false]],
    [65536, false, 48, [false, false, false, true, false]],
    [65536, false, 52, [false, false, true, true, false]],
  ] as const)("granule %i DS %s PAMax %i", (granule, ds, paMax, want) => {
    expect([-1, 0, 1, 2, 3].map((l) => blockDescSupported(granule, ds, paMax, l))).toEqual(want);
  });
});
