// Source of truth: ../shared/reference/kernel-reference.md §3.4, the start
// level / concatenated PGD pages / SL0 that kvm_get_vtcr() and
// kvm_pgd_pages() give for each granule and IPA size, and NOTES.md's geometry
// table (every cell the conformance results exercise agrees with it).
import { describe, expect, it } from "vitest";
import { stage2Geometry, type Granule } from "../../src/pgtable/geometry.js";
import { InputError } from "../../src/pgtable/u64.js";

// IPA | 4K | 16K | 64K, each "start level/PGD pages/SL0", transcribed from §3.4.
const TABLE = `
32 | 2/4/0 | 2/1/1 | 2/1/1
33 | 2/8/0 | 2/1/1 | 2/1/1
34 | 2/16/0 | 2/1/1 | 2/1/1
35 | 1/1/1 | 2/1/1 | 2/1/1
36 | 1/1/1 | 2/1/1 | 2/1/1
37 | 1/1/1 | 2/2/1 | 2/1/1
38 | 1/1/1 | 2/4/1 | 2/1/1
39 | 1/1/1 | 2/8/1 | 2/1/1
40 | 1/2/1 | 2/16/1 | 2/1/1
41 | 1/4/1 | 1/1/2 | 2/1/1
42 | 1/8/1 | 1/1/2 | 2/1/1
43 | 1/16/1 | 1/1/2 | 2/2/1
44 | 0/1/2 | 1/1/2 | 2/4/1
45 | 0/1/2 | 1/1/2 | 2/8/1
46 | 0/1/2 | 1/1/2 | 2/16/1
47 | 0/1/2 | 1/1/2 | 1/1/2
48 | 0/1/2 | 1/2/2 | 1/1/2
49 | 0/2/2 | 1/4/2 | 1/1/2
50 | 0/4/2 | 1/8/2 | 1/1/2
51 | 0/8/2 | 1/16/2 | 1/1/2
52 | 0/16/2 | 0/1/3 | 1/1/2
`;

const GRANULES: Granule[] = [4096, 16384, 65536];
const cells: Array<{ granule: Granule; ia: number; sl: number; pgd: number; sl0: number }> = [];
for (const line of TABLE.trim().split("\n")) {
  const [ia, ...cols] = line.split("|").map((s) => s.trim());
  cols.forEach((c, i) => {
    const [sl, pgd, sl0] = c.split("/").map(Number);
    cells.push({ granule: GRANULES[i], ia: Number(ia), sl, pgd, sl0 });
  });
}

describe("geometry: kernel-reference §3.4, every granule x IPA size", () => {
  it.each(cells)("$granule ia $ia -> start $sl, $pgd root pages, SL0 $sl0", ({ granule, ia, sl, pgd, sl0 }) => {
    // IPAs above 48 bits need 52-bit PAs: LPA2 with 4K/16K, FEAT_LPA with 64K.
    const lpa2 = ia > 48 && granule !== 65536;
    const g = stage2Geometry({ granule, iaBits: ia, paBits: ia > 48 ? 52 : 48, lpa2 });
    expect([g.startLevel, g.pgdPages, g.vtcr.sl0]).toEqual([sl, pgd, sl0]);
    expect(g.vtcr.t0sz).toBe(64 - ia);
    expect(g.levels).toBe(4 - sl);
    // kvm_pgtable_stage2_pgd_size = pages * PAGE_SIZE; the root entries cover exactly the IPA space or more.
    const rootEntries = g.levelInfo[0].usedEntries;
    expect(rootEntries * 2 ** g.levelInfo[0].shift).toBe(2 ** ia);
  });

  it("the same cells with FEAT_LPA2 below 48 bits (LPA2 changes descriptors, not geometry)", () => {
    for (const c of cells.filter((x) => x.granule !== 65536 && x.ia <= 48)) {
      const g = stage2Geometry({ granule: c.granule, iaBits: c.ia, paBits: 52, lpa2: true });
      expect([g.startLevel, g.pgdPages]).toEqual([c.sl, c.pgd]);
      expect(g.vtcr.ds).toBe(1);
    }
  });

  it("NOTES.md: the cells the conformance results exercise", () => {
    const notes: Array<[Granule, number, number, number]> = [
      [4096, 32, 2, 4],
      [4096, 33, 2, 8],
      [4096, 36, 1, 1],
      [4096, 39, 1, 1],
      [4096, 40, 1, 2],
      [4096, 42, 1, 8],
      [4096, 44, 0, 1],
      [4096, 47, 0, 1],
      [4096, 48, 0, 1],
      [4096, 52, 0, 16],
      [16384, 32, 2, 1],
      [16384, 36, 2, 1],
      [16384, 39, 2, 8],
      [16384, 40, 2, 16],
      [16384, 42, 1, 1],
      [16384, 48, 1, 2],
      [16384, 52, 0, 1],
      [65536, 32, 2, 1],
      [65536, 42, 2, 1],
      [65536, 44, 2, 4],
      [65536, 47, 1, 1],
      [65536, 48, 1, 1],
      [65536, 52, 1, 1],
    ];
    for (const [granule, ia, sl, pgd] of notes) {
      const g = stage2Geometry({ granule, iaBits: ia, paBits: ia > 48 ? 52 : 48, lpa2: ia > 48 && granule !== 65536 });
      expect([granule, ia, g.startLevel, g.pgdPages]).toEqual([granule, ia, sl, pgd]);
    }
  });

  it("TG0, PS and the VTCR_EL2 value for the conformance default (4K, 40-bit IPA, 48-bit PA)", () => {
    const g = stage2Geometry({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false });
    expect(g.vtcr.tg0).toBe(0);
    expect(g.vtcr.ps).toBe(5);
    // T0SZ 24 | SL0 1<<6 | IRGN0 1<<8 | ORGN0 1<<10 | SH0 3<<12 | PS 5<<16 | VS 1<<19 | HA 1<<21 | RES1 1<<31
    expect(BigInt(g.vtcr.value)).toBe(0x80000000n | 0x200000n | 0x80000n | 0x50000n | 0x3000n | 0x400n | 0x100n | 0x40n | 24n);
    expect(stage2Geometry({ granule: 16384, iaBits: 40, paBits: 48, lpa2: false }).vtcr.tg0).toBe(2);
    expect(stage2Geometry({ granule: 65536, iaBits: 40, paBits: 48, lpa2: false }).vtcr.tg0).toBe(1);
  });

  it("levels, shifts and block sizes per granule (kvm_granule_shift, KVM_PGTABLE_MIN_BLOCK_LEVEL)", () => {
    const g4 = stage2Geometry({ granule: 4096, iaBits: 48, paBits: 48, lpa2: false });
    expect(g4.levelInfo.map((l) => [l.level, l.shift, l.leafAllowed])).toEqual([
      [0, 39, false],
      [1, 30, true],
      [2, 21, true],
      [3, 12, true],
    ]);
    const g16 = stage2Geometry({ granule: 16384, iaBits: 48, paBits: 48, lpa2: false });
    expect(g16.levelInfo.map((l) => [l.level, l.shift, l.leafAllowed])).toEqual([
      [1, 36, false],
      [2, 25, true],
      [3, 14, true],
    ]);
    const g64 = stage2Geometry({ granule: 65536, iaBits: 48, paBits: 48, lpa2: false });
    expect(g64.levelInfo.map((l) => [l.level, l.shift, l.leafAllowed, l.usedEntries])).toEqual([
      [1, 42, false, 64],
      [2, 29, true, 8192],
      [3, 16, true, 8192],
    ]);
  });
});

describe("geometry: combinations KVM refuses", () => {
  const refused: Array<[string, Parameters<typeof stage2Geometry>[0], RegExp]> = [
    ["IPA below 32 bits", { granule: 4096, iaBits: 31, paBits: 48, lpa2: false }, /ia_bits: 31 is outside 32..52/],
    ["IPA above 52 bits", { granule: 65536, iaBits: 53, paBits: 52, lpa2: false }, /ia_bits: 53/],
    ["52-bit IPA on 4K without LPA2", { granule: 4096, iaBits: 52, paBits: 48, lpa2: false }, /need FEAT_LPA2/],
    ["52-bit PA on 16K without LPA2", { granule: 16384, iaBits: 48, paBits: 52, lpa2: false }, /need FEAT_LPA2/],
    ["IPA beyond the PA range", { granule: 4096, iaBits: 44, paBits: 40, lpa2: false }, /IPA limit of 40 bits/],
    ["LPA2 with 64K", { granule: 65536, iaBits: 48, paBits: 52, lpa2: true }, /4K and 16K granules only/],
    ["a PA size that is no PARange", { granule: 4096, iaBits: 40, paBits: 46, lpa2: false }, /not a PARange size/],
  ];
  it.each(refused)("%s", (_, cfg, msg) => {
    expect(() => stage2Geometry(cfg)).toThrow(InputError);
    expect(() => stage2Geometry(cfg)).toThrow(msg);
  });
});
