// src/pgtable/pgtable.ts, map()'s one-page test (issue 20, part 5): the IPA
// and the PA are split into int32 halves, and the high half is compared with
// its limit unsigned. An address that is a negative multiple of 2^32 splits
// into halves that give it back exactly (lo 0, hi negative), so the round
// trip alone does not refuse it: before this test's fix, map(-2^32, ...) with
// the path open threw a TypeError from inside the table walk, and
// map(ipa, 4K, -2^32, ...) mapped a leaf and returned 0. args.ts's convention
// (an address is a non-negative integer below 2^53; anything else is an
// ArgumentError naming it, before any state changes) and kernel-reference.md
// (-ERANGE for an IPA at or beyond 2^ia_bits; a PA must be a host PA, below
// 2^pa_bits) give the expected answers, whatever path map() takes.
import { describe, expect, it } from "vitest";
import { ERANGE, PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { refused, tableState } from "../helpers-pgtable.js";

const K4 = 4096;
const TWO_32 = 2 ** 32;
const RW = PROT_R | PROT_W;

function table(cfg: Stage2Config, fast: boolean): KvmPgtable {
  const t = new KvmPgtable(cfg);
  t.fastPaths = fast;
  // The first map sets the prot's attributes (and, with the fast paths on, opens the one-page path)
  // and makes the tables of IPA 1 GiB's last-level region (cached for the next one-page map there).
  expect(t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
  return t;
}

const CFGS: Stage2Config[] = [
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false },
  { granule: 4096, iaBits: 32, paBits: 32, lpa2: false, fwb: false, tlbRange: false },
  { granule: 16384, iaBits: 48, paBits: 48, lpa2: false, fwb: true, tlbRange: false },
];

describe("map(): negative multiples of 2^32 are refused as any negative address is", () => {
  for (const cfg of CFGS) {
    for (const fast of [true, false]) {
      it(`granule ${cfg.granule}, ${cfg.iaBits}-bit IPA, ${cfg.paBits}-bit PA, fast paths ${fast ? "on" : "off"}`, () => {
        const t = table(cfg, fast);
        const before = tableState(t);
        for (const bad of [-TWO_32, -2 * TWO_32, -255 * TWO_32, -(2 ** 52)]) {
          refused(() => t.map(bad, K4, 0x8000_1000, RW, 0), "addr");
          refused(() => t.map(0x4000_1000, K4, bad, RW, 0), "phys");
          refused(() => t.map(bad, K4, bad, RW, 0), "addr");
        }
        expect(tableState(t)).toBe(before);
        // The table still maps as before: the next page of the same last-level table.
        expect(t.map(0x4000_1000, K4, 0x8000_1000, RW, 0)).toBe(0);
        const leaf = t.getLeaf(0x4000_1000);
        expect(leaf.ret).toBe(0);
        expect(leaf.level).toBe(3);
      });
    }
  }
});

describe("map(): the high halves' limits", () => {
  for (const cfg of CFGS) {
    it(`granule ${cfg.granule}, ${cfg.iaBits}-bit IPA, ${cfg.paBits}-bit PA`, () => {
      const t = table(cfg, true);
      const g = cfg.granule;
      const ia = 2 ** cfg.iaBits;
      const pa = 2 ** cfg.paBits;
      // The last page below 2^ia_bits maps (return 0, a level-3 leaf); the first page at 2^ia_bits is -ERANGE.
      expect(t.map(ia - g, g, 0x8000_0000, RW, 0)).toBe(0);
      expect(t.getLeaf(ia - g).level).toBe(3);
      const n = t.log.length;
      expect(t.map(ia, g, 0x8000_0000, RW, 0)).toBe(-ERANGE);
      expect(t.map(ia + TWO_32, g, 0x8000_0000, RW, 0)).toBe(-ERANGE);
      expect(t.log.length).toBe(n);
      // The last page below 2^pa_bits maps; the first one at 2^pa_bits is refused (not a host PA).
      expect(t.map(ia - 2 * g, g, pa - g, RW, 0)).toBe(0);
      refused(() => t.map(ia - 3 * g, g, pa, RW, 0), "phys");
      expect(t.getLeaf(ia - 3 * g).pte).toBe("0x0");
    });
  }
});

describe("map(): a prot of -1 before the first map", () => {
  it("is refused (the last prot's slot holds -1 until a map sets it)", () => {
    const t = new KvmPgtable(CFGS[0]);
    const before = tableState(t);
    refused(() => t.map(0x4000_0000, K4, 0x8000_0000, -1, 0), "prot");
    expect(tableState(t)).toBe(before);
  });
});
