// src/pgtable/limits.ts (the leaf bound of one call) against counts worked
// out by hand from kvm_block_mapping_supported() (kernel-reference 3.2: a
// leaf at the shallowest level where IPA and PA are aligned and the size
// fits), the walk range of kvm_pgtable_walk() (the start rounded down, the
// end rounded up from it; beyond 2^ia_bits -ERANGE) and
// kvm_tlb_flush_vmid_range() (size >> PAGE_SHIFT pages, MAX_TLBI_RANGE_PAGES
// at a time). Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { MAX_OP_LEAVES, checkLeafBound, leafBound, leafBoundNeeded, mapLeafCount, refuseLeaves, sizeText, walkRange } from "../../src/pgtable/limits.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { InputError } from "../../src/pgtable/u64.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };
const K4 = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;

describe("sizeText", () => {
  it("bytes in the largest unit they reach, one decimal when not whole, PiB at most", () => {
    expect(sizeText(0)).toBe("0 B");
    expect(sizeText(1023)).toBe("1023 B");
    expect(sizeText(1024)).toBe("1 KiB");
    expect(sizeText(1536)).toBe("1.5 KiB");
    expect(sizeText(2 ** 20)).toBe("1 MiB");
    expect(sizeText(3 * 2 ** 30)).toBe("3 GiB");
    expect(sizeText(2 ** 40)).toBe("1 TiB");
    expect(sizeText(2 ** 50)).toBe("1 PiB");
    expect(sizeText(2 ** 60)).toBe("1024 PiB");
  });
});

describe("walkRange and leafBoundNeeded", () => {
  const t = new KvmPgtable(CFG);
  it("the start rounds down to a page, the end is that start plus the size, rounded up; a range past 2^ia_bits is null", () => {
    expect(walkRange(t, 0x1001, 0x1000)).toEqual([0x1000, 0x2000]);
    expect(walkRange(t, 0x1001, 0x1001)).toEqual([0x1000, 0x3000]);
    expect(walkRange(t, 2 ** 40 - K4, K4)).toEqual([2 ** 40 - K4, 2 ** 40]);
    expect(walkRange(t, 2 ** 40, 0)).toEqual([2 ** 40, 2 ** 40]);
    expect(walkRange(t, 2 ** 40, 1)).toBeNull();
    expect(walkRange(t, 2 ** 40 + K4, 0)).toBeNull();
    expect(walkRange(t, 2 ** 40 - K4, K4 + 1)).toBeNull();
  });
  it("more pages than MAX_OP_LEAVES in the walk range", () => {
    expect(MAX_OP_LEAVES).toBe(2 ** 20);
    expect(leafBoundNeeded(t, 0, 2 ** 20 * K4)).toBe(false);
    expect(leafBoundNeeded(t, 0, 2 ** 20 * K4 + 1)).toBe(true);
    expect(leafBoundNeeded(t, 0x800, 2 ** 32)).toBe(false);
    expect(leafBoundNeeded(t, 0x800, 2 ** 32 + 0x801)).toBe(true);
    expect(leafBoundNeeded(t, K4, 2 ** 32)).toBe(false);
  });
});

describe("mapLeafCount: the leaves a map writes (kvm_block_mapping_supported at each step)", () => {
  const g = new KvmPgtable(CFG).geom;
  it("a 1G block, a 2M block and a page when IPA and PA are aligned", () => {
    expect(mapLeafCount(g, G1, G1 + M2 + K4, G1)).toBe(3);
    expect(mapLeafCount(g, G1, 2 * G1, G1)).toBe(2);
  });
  it("a PA aligned to 2M only: 2M blocks; a PA aligned to a page only: pages", () => {
    expect(mapLeafCount(g, G1, G1 + M2 + K4, M2)).toBe(512 + 1 + 1);
    expect(mapLeafCount(g, G1, G1 + M2 + K4, K4)).toBe(262144 + 512 + 1);
    // IPA and PA congruent modulo 2M but not 1G: 2M blocks.
    expect(mapLeafCount(g, G1 + M2, G1, 5 * M2)).toBe(512);
  });
  it("an unaligned start: pages up to the next 2M boundary, then the largest blocks", () => {
    expect(mapLeafCount(g, G1 - 2 ** 20, G1 + 2 ** 20, G1 - 2 ** 20)).toBe(256 + 1);
    expect(mapLeafCount(g, G1 - 2 ** 20, 2 ** 20 + M2, G1 - 2 ** 20)).toBe(256 + 1);
    // Pages up to the 2M boundary, 2M blocks up to the 1G boundary, then a 1G block.
    expect(mapLeafCount(g, G1 - M2 - K4, G1 + M2 + K4, G1 - M2 - K4)).toBe(1 + 1 + 1);
    // An unaligned address: the walk range is [0x1000, 0x2000) (PAGE_ALIGN of the aligned start plus the size).
    expect(mapLeafCount(g, 0x1800, 0x1000, 0x1800)).toBe(1);
    expect(mapLeafCount(g, 0x1800, 0x1001, 0x1800)).toBe(2);
    expect(mapLeafCount(g, 0, 0, 0)).toBe(0);
  });
  it("16K: blocks only at level 2 (32M)", () => {
    const s = new KvmPgtable({ ...CFG, granule: 16384, iaBits: 48 }).geom;
    expect(mapLeafCount(s, 2 ** 36, 2 ** 36, 2 ** 36)).toBe(2048);
    expect(mapLeafCount(s, 2 ** 25, 2 ** 25 + 16384, 2 ** 25)).toBe(2);
  });
});

describe("leafBound per call", () => {
  it("map: what the arguments ask for, 0 for a prot stage2_set_prot_attr() refuses or a range past the IPA space", () => {
    const t = new KvmPgtable(CFG);
    const reach = (2 + 100) * 512;
    expect(leafBound(t, "map", G1, G1 + M2 + K4, G1, PROT_R, 0, 100)).toEqual({ asked: 3, reach, bound: 3, kind: "map" });
    expect(leafBound(t, "map", G1, G1, K4, PROT_R, 0, 100)).toEqual({ asked: 262144, reach, bound: reach, kind: "map" });
    for (const prot of [PROT_DEVICE | PROT_X, PROT_NORMAL_NC | PROT_X, PROT_DEVICE | PROT_NORMAL_NC])
      expect(leafBound(t, "map", 0, G1, 0, prot, 0, 100).asked).toBe(0);
    expect(leafBound(t, "map", 0, G1, 0, PROT_DEVICE, 0, 100).asked).toBe(1);
    expect(leafBound(t, "map", 0, G1, 0, PROT_NORMAL_NC, 0, 100).asked).toBe(1);
    expect(leafBound(t, "map", 2 ** 40 - K4, 2 * K4, 0, PROT_R, 0, 100).asked).toBe(0);
    // The store's cap bounds the pages it may take, as the memory cache does.
    const small = new KvmPgtable(CFG, { maxPages: 10 });
    expect(leafBound(small, "map", 0, G1, K4, PROT_R, 0, Infinity).reach).toBe((2 + 10) * 512);
  });
  it("set_owner: a page per page of the range, 0 above KVM_MAX_OWNER_ID or past the IPA space", () => {
    const t = new KvmPgtable(CFG);
    expect(leafBound(t, "set_owner", 0x1800, 0x1001, 0, 0, 1, 5).asked).toBe(2);
    expect(leafBound(t, "set_owner", 0, 8 * K4, 0, 0, 0, 5).asked).toBe(8);
    expect(leafBound(t, "set_owner", 0, 8 * K4, 0, 0, 2, 5).asked).toBe(0);
    expect(leafBound(t, "set_owner", 2 ** 40, K4, 0, 0, 1, 5).asked).toBe(0);
  });
  it("split: the pages of the valid blocks it touches, within the pages its cache holds", () => {
    const t = new KvmPgtable(CFG);
    t.map(G1, G1, G1, PROT_R, 0);
    t.map(2 * G1, M2, 2 * G1, PROT_R, 0);
    t.map(2 * G1 + M2, K4, 2 * G1, PROT_R, 0);
    // A range touching the 1G block, the 2M block and the page: 262144 + 512 (pages are not split).
    expect(leafBound(t, "split", G1 + G1 - K4, 2 * M2, 0, 0, 0, 1000)).toEqual({ asked: 262144 + 512, reach: 1000 * 512, bound: 262144 + 512, kind: "split" });
    expect(leafBound(t, "split", 2 * G1, M2, 0, 0, 0, 2).asked).toBe(512);
    // A range past the blocks and one before them.
    expect(leafBound(t, "split", 3 * G1, G1, 0, 0, 0, 2).asked).toBe(0);
    expect(leafBound(t, "split", 0, G1, 0, 0, 0, 2).asked).toBe(0);
    expect(leafBound(t, "split", 2 ** 40, K4, 0, 0, 0, 2).asked).toBe(0);
    // Blocks in the second root page (IPA 2^39 up) are found too.
    t.map(2 ** 39, G1, G1, PROT_R, 0);
    expect(leafBound(t, "split", 2 ** 39 + 5 * K4, K4, 0, 0, 0, 2).asked).toBe(262144);
    t.destroy();
    expect(leafBound(t, "split", G1, G1, 0, 0, 0, 2).asked).toBe(0);
  });
  it("unmap: the range TLBIs of the deferred invalidation, with FWB and TLBIRANGE only", () => {
    const t = new KvmPgtable({ ...CFG, tlbRange: true });
    const pages = 2 ** 21;
    expect(leafBound(t, "unmap", 0, 2 * pages * K4 + K4, 0, 0, 0, 0)).toEqual({ asked: 3, reach: 3, bound: 3, kind: "unmap" });
    expect(leafBound(t, "unmap", 0, 2 * pages * K4 + K4 - 1, 0, 0, 0, 0).asked).toBe(2);
    expect(leafBound(new KvmPgtable(CFG), "unmap", 0, 2 ** 52, 0, 0, 0, 0).asked).toBe(0);
    expect(leafBound(new KvmPgtable({ ...CFG, tlbRange: true, fwb: false }), "unmap", 0, 2 ** 52, 0, 0, 0, 0).asked).toBe(0);
  });
});

describe("refuseLeaves", () => {
  it("unmap names its range TLBIs; the others their leaves, and the -ENOMEM the table's pages would reach first", () => {
    expect(() => refuseLeaves("ops[3] unmap", "unmap", { asked: 2 ** 31, reach: 2 ** 31 })).toThrow(
      new InputError(
        "ops[3] unmap: its deferred TLB invalidation (FWB with TLBIRANGE) asks for 2147483648 range TLBIs; s2pt refuses an operation that may issue more than 1048576",
      ),
    );
    expect(() => refuseLeaves("map", "map", { asked: 2 ** 21, reach: 2 ** 22 })).toThrow(
      /^map: asks for 2097152 leaf descriptors \(16 MiB of tables\); s2pt refuses an operation that may write more than 1048576 so that a scenario cannot exhaust the host \(a small config\.memcache bounds it: the kernel then stops with -ENOMEM\)$/,
    );
    expect(() => refuseLeaves("split", "split", { asked: 2 ** 22, reach: 2 ** 21 })).toThrow(
      /^split: asks for 4194304 leaf descriptors \(32 MiB of tables\); the table pages it may use hold 2097152 entries, so it could write 2097152 before its -ENOMEM; s2pt refuses/,
    );
  });
  it("a map refused by KvmPgtable itself names the op and leaves the table untouched", () => {
    const t = new KvmPgtable(CFG);
    expect(() => t.map(0, 2 ** 33, K4, PROT_R, 0)).toThrow(/^map: asks for 2097152 leaf descriptors/);
    expect(t.store.inUse).toBe(2);
    t.store.memcache = 3;
    expect(() => t.map(0, 2 ** 33, K4, PROT_R, 0)).not.toThrow();
  });
});

describe("the bound's edges", () => {
  const t = new KvmPgtable(CFG);
  it("leafBoundNeeded counts the pages of the range from an unaligned start", () => {
    expect(leafBoundNeeded(t, K4, 2 ** 32 + K4)).toBe(true);
    expect(leafBoundNeeded(t, 3 * K4, 2 ** 32)).toBe(false);
  });
  it("split over the whole IPA space walks every root page's entries and no further", () => {
    const s = new KvmPgtable(CFG);
    s.map(2 ** 39 + G1, G1, G1, PROT_R, 0);
    expect(leafBound(s, "split", 0, 2 ** 40, 0, 0, 0, 2).asked).toBe(262144);
  });
  it("a bound of exactly MAX_OP_LEAVES passes; the refusal says capped only when the reach is below the ask", () => {
    expect(() => checkLeafBound(t, "set_owner", 0, 2 ** 32, 0, 0, 1, "set_owner")).not.toThrow();
    expect(() => checkLeafBound(t, "set_owner", 0, 2 ** 32 + K4, 0, 0, 1, "set_owner")).toThrow(/^set_owner: asks for 1048577 leaf/);
    expect(() => refuseLeaves("map", "map", { asked: 2 ** 21, reach: 2 ** 21 })).toThrow(
      /^map: asks for 2097152 leaf descriptors \(16 MiB of tables\); s2pt refuses/,
    );
  });
});
