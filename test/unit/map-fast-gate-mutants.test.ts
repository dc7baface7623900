// src/pgtable/pgtable.ts after issue 20 part 5: map()'s one-page test (the
// IPA's high half against fastIaHi, 0 while the path is closed or before the
// first prot; the PA's against k.paHiLimit) and the one-page leaf's CMO
// events (mapPageLeaf, push() inlined as extendRun/pushOther). Expected
// values: args.ts's convention (an address is a non-negative integer below
// 2^53, anything else an ArgumentError naming it, before any state changes);
// kernel-reference.md 2.3 (stage2_set_prot_attr: PROT_X alone on Normal
// memory without FWB and LPA2 is MemAttr 0x3C, SH 3 in bits 9:8, AF bit 10,
// no S2AP, no XN: with the page type bits 1:0 = 0b11, PA | 0x73f) and the
// CMOs of stage2_map_walker_try_leaf (a dcache clean of a cacheable page, an
// icache invalidation of an executable one, each of PAGE_SIZE at the PA); the
// event log's record format (events.ts module comment: consecutive dcache
// cleans of one size are one run, two slots; white box as in
// events-records-mutants.test.ts). Written for the surviving mutants of
// `npm run mutate` (issue 23, after the sp5 speed change).
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { refused, tableState } from "../helpers-pgtable.js";

const K4 = 4096;
const RW = PROT_R | PROT_W;
const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: false, tlbRange: false };

function logSlots(t: KvmPgtable): number {
  return (t.log as unknown as { ns: number }).ns;
}

describe("map() before the first prot: the one-page path stays closed", () => {
  it("prot -1 is refused after fastPaths or storeHook was set on a fresh table", () => {
    const a = new KvmPgtable(CFG);
    a.fastPaths = true;
    const before = tableState(a);
    refused(() => a.map(0x4000_0000, K4, 0x8000_0000, -1, 0), "prot");
    expect(tableState(a)).toBe(before);
    const b = new KvmPgtable(CFG);
    b.storeHook = null;
    refused(() => b.map(0x4000_0000, K4, 0x8000_0000, -1, 0), "prot");
    expect(b.getLeaf(0x4000_0000).pte).toBe("0x0");
  });

  it("a first map with PROT_X alone writes PROT_X's leaf: PA | 0x73f, a dcache clean and an icache invalidation", () => {
    for (const setFast of [false, true]) {
      const t = new KvmPgtable(CFG);
      if (setFast) t.fastPaths = true;
      expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_X, 0)).toBe(0);
      const leaf = t.getLeaf(0x4000_0000);
      expect(leaf.level).toBe(3);
      expect(leaf.pte).toBe("0x8000073f");
      expect(t.log.toJson()).toEqual([
        ["dcache", "0x80000000", "0x1000"],
        ["icache", "0x80000000", "0x1000"],
      ]);
    }
  });
});

describe("map(): -2^31 and -(2^32 + 2^31) are refused as any negative address is", () => {
  it("as the IPA and as the PA, with the one-page path open", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
    const before = tableState(t);
    for (const bad of [-(2 ** 31), -(2 ** 32 + 2 ** 31)]) {
      refused(() => t.map(bad, K4, 0x8000_1000, RW, 0), "addr");
      refused(() => t.map(0x4000_1000, K4, bad, RW, 0), "phys");
    }
    expect(tableState(t)).toBe(before);
    // IPA 0x80000000 (what -2^31's low half reads unsigned) was not mapped.
    expect(t.getLeaf(0x8000_0000).pte).toBe("0x0");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x0");
  });
});

describe("the one-page leaf's dcache cleans", () => {
  it("four pages at PAs above 4 GiB: four dcache cleans at those PAs, one run record (2 slots)", () => {
    const t = new KvmPgtable(CFG);
    for (let i = 0; i < 4; i++) expect(t.map(0x4000_0000 + i * K4, K4, 0x1_0000_1000 + i * K4, RW, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x100001000", "0x1000"],
      ["dcache", "0x100002000", "0x1000"],
      ["dcache", "0x100003000", "0x1000"],
      ["dcache", "0x100004000", "0x1000"],
    ]);
    expect(logSlots(t)).toBe(2);
    // RW: S2AP bits 7:6 = 0b11 besides 0x73f (0x7ff), and XN (bit 54: X clear) in the high half.
    expect(t.getLeaf(0x4000_3000).pte).toBe("0x400001000047ff");
  });

  it("four pages below 4 GiB: one run record (2 slots)", () => {
    const t = new KvmPgtable(CFG);
    for (let i = 0; i < 4; i++) expect(t.map(0x4000_0000 + i * K4, K4, 0x8000_0000 + i * K4, RW, 0)).toBe(0);
    expect(t.log.length).toBe(4);
    expect(logSlots(t)).toBe(2);
    expect(t.log.toJson()[3]).toEqual(["dcache", "0x80003000", "0x1000"]);
  });
});
