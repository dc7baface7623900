// src/pgtable/pgtable.ts: the kernel's generic visitors (the paths an
// operation takes with a store hook, where the fast paths stand aside), the
// undo of an operation a hook aborts, and corner cases of map, split and
// destroy, each against values worked out by hand from kernel-reference.md
// sections 5.0-5.5 (pgtable.c 6.18.25). Written for the surviving mutants of
// `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { EAGAIN, ENOMEM, PROT_R, PROT_W, PROT_X, TLBI_TTL_UNKNOWN, WALK_HANDLE_FAULT, WALK_SHARED } from "../../src/pgtable/descriptor.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable, type StoreHook } from "../../src/pgtable/pgtable.js";
import { setRawPte } from "../../src/pgtable/rawpte.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };
const K4 = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;
const NOP: StoreHook = () => undefined;

function stores(t: KvmPgtable): number[][] {
  const seen: number[][] = [];
  t.storeHook = (page, index, oldLo, oldHi, newLo, newHi) => {
    seen.push([page, index, oldLo, oldHi, newLo, newHi]);
  };
  return seen;
}

describe("the generic visitors (a store hook set: every visit through kvm_pgtable_walk's callbacks)", () => {
  it("aging: young only for a valid leaf with AF set; mkold clears it; an old leaf is not stored again", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, 2 * K4, 0x8000_0000, PROT_R, 0);
    const seen = stores(t);
    expect(t.testClearYoung(0x4000_0000, 4 * K4, true)).toBe(true);
    expect(seen.map((s) => [s[1], s[4]])).toEqual([
      [0, 0x8000_035b],
      [1, 0x8000_135b],
    ]);
    seen.length = 0;
    expect(t.testClearYoung(0x4000_0000, 4 * K4, true)).toBe(false);
    expect(seen).toEqual([]);
    t.mkyoung(0x4000_1000, 0);
    expect(seen.map((s) => [s[1], s[4]])).toEqual([[1, 0x8000_175b]]);
    expect(t.testClearYoung(0x4000_0000, 4 * K4, false)).toBe(true);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000008000175b");
  });
  it("wrprotect of a leaf already read-only stores nothing (stage2_attr_walker: no store when unchanged)", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.map(0x4000_1000, K4, 0x8000_1000, PROT_R | PROT_W, 0);
    const seen = stores(t);
    expect(t.wrprotect(0x4000_0000, 2 * K4)).toBe(0);
    expect(seen.map((s) => [s[1], s[2], s[4]])).toEqual([[1, 0x8000_17db, 0x8000_175b]]);
  });
  it("relax_perms adding X: icache of the leaf, then the store; mkyoung and relax_perms on an unmapped IPA", () => {
    const t = new KvmPgtable({ ...CFG, fwb: false });
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.log.clear();
    const seen = stores(t);
    expect(t.relaxPerms(0x4000_0000, PROT_X, 0)).toBe(0);
    expect(seen.map((s) => [s[4], s[5]])).toEqual([[0x8000_077f, 0]]);
    expect(t.log.toJson()).toEqual([
      ["icache", "0x80000000", "0x1000"],
      ["tlbi_ipa_nsh", "0x40000000", 3],
    ]);
    expect(t.relaxPerms(0x5000_0000, PROT_R, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    t.mkyoung(0x5000_0000, WALK_HANDLE_FAULT);
    expect(seen.length).toBe(1);
  });
  it("flush and unmap without FWB through the generic visitors: the same events as kernel-reference 5.2 and 5.4 give", () => {
    const t = new KvmPgtable({ ...CFG, fwb: false });
    t.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    t.map(0x4020_0000, K4, 0x9000_0000, PROT_R, 0);
    t.log.clear();
    t.storeHook = NOP;
    expect(t.flush(0x4000_0000, 2 * M2)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x80000000", "0x200000"],
      ["dcache", "0x90000000", "0x1000"],
    ]);
    t.log.clear();
    expect(t.unmap(0x4000_0000, 2 * M2)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40000000", 2],
      ["dcache", "0x80000000", "0x200000"],
      ["tlbi_ipa", "0x40200000", 3],
      ["dcache", "0x90000000", "0x1000"],
      ["tlbi_ipa", "0x40200000", TLBI_TTL_UNKNOWN],
      ["tlbi_ipa", "0x40000000", TLBI_TTL_UNKNOWN],
    ]);
    expect(t.store.inUse).toBe(2);
  });
  it("create_unlinked and mkyoung run atomically with a hook: a hook that throws leaves the table and the store as before", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    testClearOld(t);
    const inUse = t.store.inUse;
    let n = 0;
    t.storeHook = () => {
      if (++n === 3) throw new Error("stop");
    };
    expect(() => t.createUnlinked(0x8020_0000, 2, PROT_R, true)).toThrow("stop");
    expect(t.store.inUse).toBe(inUse);
    n = 0;
    t.storeHook = () => {
      if (++n === 1) throw new Error("stop");
    };
    expect(() => t.mkyoung(0x4000_0000, 0)).toThrow("stop");
    expect(() => t.relaxPerms(0x4000_0000, PROT_W, 0)).not.toThrow();
    n = 0;
    t.storeHook = () => {
      if (++n === 1) throw new Error("stop");
    };
    expect(() => t.relaxPerms(0x4000_0000, PROT_X, 0)).toThrow("stop");
    t.storeHook = null;
    // The mkyoung and the X that threw are undone; the W that did not stays: AF clear, W set, XN.
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x400000800003db");
    // With a hook that does not throw, create_unlinked gives its table of pages, or of blocks without force_pte.
    t.storeHook = NOP;
    const page = t.createUnlinked(0x8020_0000, 2, PROT_R, true);
    expect(t.entryLo(page, 1)).toBe(0x8020_175b);
    const blocks = t.createUnlinked(0x4000_0000, 1, PROT_R, false);
    expect(t.entryLo(blocks, 1)).toBe(0x4020_0759);
    expect(t.store.pageCount(blocks)).toBe(513);
  });
});

/** Clear AF of the page at 0x4000_0000 (a test_clear_young with mkold). */
function testClearOld(t: KvmPgtable): void {
  expect(t.testClearYoung(0x4000_0000, K4, true)).toBe(true);
}

describe("a store hook sees every store of a map through existing tables", () => {
  it("a page into an empty entry of an existing last-level table: LOCKED, then the leaf", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    const l3 = t.childPage(t.entryLo(l2, 0), t.entryHi(l2, 0));
    const seen = stores(t);
    expect(t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, 0)).toBe(0);
    expect(seen).toEqual([
      [l3, 1, 0, 0, 0x400, 0],
      [l3, 1, 0x400, 0, 0x8000_175b, 0x0040_0000],
    ]);
  });
  it("create_unlinked of a level-1 block with force_pte under a hook: tables of pages", () => {
    const t = new KvmPgtable(CFG);
    t.storeHook = NOP;
    const top = t.createUnlinked(0x4000_0000, 1, PROT_R, true);
    const l3 = t.childPage(t.entryLo(top, 1), t.entryHi(top, 1));
    expect(t.entryLo(l3, 2)).toBe(0x4020_275b);
  });
});

describe("map's leaf decisions (stage2_map_walker_try_leaf, kernel-reference 5.1)", () => {
  it("set_owner of the same owner again: needs_update (an invalid entry), then the in-place store of the same value", () => {
    const t = new KvmPgtable(CFG);
    t.setOwner(0x4000_0000, 2 * K4, 1);
    const seen = stores(t);
    expect(t.setOwner(0x4000_0000, 2 * K4, 1)).toBe(0);
    expect(seen.map((s) => [s[1], s[2], s[4]])).toEqual([
      [0, 4, 4],
      [1, 4, 4],
    ]);
  });
  it("a new PA that differs from the old only above bit 31: break-before-make, not an in-place store", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x1_8000_0000, PROT_R, 0);
    t.log.clear();
    expect(t.map(0x4000_0000, K4, 0x2_8000_0000, PROT_R, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40000000", 3],
      ["dcache", "0x280000000", "0x1000"],
    ]);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4000028000075b");
  });
  it("an entry holding only SW bits (set_pte), cleared by set_owner 0: the in-place store drops its reference", () => {
    const t = new KvmPgtable(CFG);
    setRawPte(t, 0x4000_0000, 3, 1n << 55n);
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    const l3 = t.childPage(t.entryLo(l2, 0), t.entryHi(l2, 0));
    expect(t.store.pageCount(l3)).toBe(2);
    const seen = stores(t);
    expect(t.setOwner(0x4000_0000, K4, 0)).toBe(0);
    expect(seen).toEqual([[l3, 0, 0, 0x0080_0000, 0, 0]]);
    expect(t.store.pageCount(l3)).toBe(1);
  });
  it("a LOCKED entry above the last level: the new table cannot be installed, its page is given back, -EAGAIN", () => {
    const t = new KvmPgtable(CFG);
    setRawPte(t, 0x4000_0000, 2, 0x400n);
    const inUse = t.store.inUse;
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0)).toBe(0);
    expect(t.store.inUse).toBe(inUse);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x400", level: 2 });
    expect(t.warnings.length).toBe(2);
  });
  it("the first map of a table (no prot kept yet) with HANDLE_FAULT maps the page and returns 0", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, WALK_HANDLE_FAULT | WALK_SHARED)).toBe(0);
    expect(t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, WALK_HANDLE_FAULT | WALK_SHARED)).toBe(0);
    expect(t.map(0x4000_2000, K4, 0x8000_2000, PROT_R | PROT_W, WALK_HANDLE_FAULT)).toBe(0);
    expect(t.getLeaf(0x4000_2000).pte).toBe("0x400000800027db");
  });
  it("64K pages with a 52-bit PA: a page at PA 2^48 exactly has OA[51:48] = 1 in bits 15:12", () => {
    const t = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 52, lpa2: false, fwb: true, tlbRange: false });
    expect(t.map(0x4000_0000, 65536, 2 ** 48, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4000000000175b");
    expect(t.map(0x4001_0000, 65536, 2 ** 48 - 65536, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4001_0000).pte).toBe("0x40ffffffff075b");
  });
  it("prot and flags must be whole numbers (0.5 is not PROT_* or WALK_* bits), on the first map too", () => {
    const t = new KvmPgtable(CFG);
    expect(() => t.map(0, K4, 0, 0.5, 0)).toThrow(ArgumentError);
    expect(() => t.map(0, K4, 0, PROT_R, 0.5)).toThrow(ArgumentError);
    expect(() => t.map(0, 2 * K4, 0, 0.5, 0)).toThrow(ArgumentError);
    expect(() => t.map(2 ** 40 - K4, K4, 2 ** 48, PROT_R, 0)).toThrow(/^phys: /);
    expect(() => t.mkyoung(0, 0.5)).toThrow(/^flags: 0\.5 is not a bit set of WALK_LEAF/);
    expect(() => t.createUnlinked(-1, 2, PROT_R, true)).toThrow(/^phys: -1 is not a u64/);
    expect(() => t.createUnlinked(0, 0, PROT_R, true)).toThrow(/^level: 0 is not a block level in 1\.\.2$/);
    expect(t.store.inUse).toBe(2);
  });
});

describe("the leaf bound where the shortcuts must not skip it (limits.ts via map and split)", () => {
  it("an unaligned IPA over 8 GiB is 2^21 pages: refused, though size and PA are 1 GiB multiples", () => {
    const t = new KvmPgtable(CFG);
    expect(() => t.map(K4, 2 ** 33, 0, PROT_R, 0)).toThrow(/^map: asks for 2097152 leaf descriptors/);
    expect(() => t.map(0, 2 ** 33, K4, PROT_R, 0)).toThrow(/^map: asks for 2097152 leaf descriptors/);
  });
  it("4K with LPA2 and a 52-bit IPA: 2^52 bytes of 1 GiB blocks, and 2^50 - 4K bytes (2^20 + 1021 leaves), are refused", () => {
    const t = new KvmPgtable({ granule: 4096, iaBits: 52, paBits: 52, lpa2: true, fwb: true, tlbRange: false });
    expect(() => t.map(0, 2 ** 52, 0, PROT_R, 0)).toThrow(/^map: asks for 4194304 leaf descriptors/);
    expect(() => t.map(0, 2 ** 50 - K4, 0, PROT_R, 0)).toThrow(/^map: asks for 1049597 leaf descriptors/);
    expect(t.store.inUse).toBe(t.geom.pgdPages);
  });
  it("split of five 1 GiB blocks (5 x 262144 pages) is refused before it splits any", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(G1, 5 * G1, G1, PROT_R, 0)).toBe(0);
    expect(() => t.split(G1, 5 * G1)).toThrow(/^split: asks for 1310720 leaf descriptors/);
    expect(t.getLeaf(G1).level).toBe(1);
  });
  it("split with 512 pages in the cache: one short of a full split (1 + 512), so level-2 blocks, each split while pages last", () => {
    const t = new KvmPgtable(CFG);
    t.map(G1, G1, G1, PROT_R, 0);
    t.store.memcache = 512;
    expect(t.split(G1, G1)).toBe(-ENOMEM);
    expect(t.getLeaf(G1).level).toBe(3);
    expect(t.getLeaf(G1 + 510 * M2).level).toBe(3);
    expect(t.getLeaf(G1 + 511 * M2)).toEqual({ ret: 0, pte: "0x4000007fe00759", level: 2 });
    const two = new KvmPgtable(CFG);
    two.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    two.store.memcache = 1;
    expect(two.split(0x4000_0000, K4)).toBe(0);
    expect(two.getLeaf(0x4000_0000).level).toBe(3);
    two.map(0x4020_0000, M2, 0x8020_0000, PROT_R, 0);
    two.store.memcache = 0;
    expect(two.split(0x4020_0000, K4)).toBe(-ENOMEM);
    expect(two.getLeaf(0x4020_0000).level).toBe(2);
  });
});

describe("destroy (stage2_free_walker): a reference dropped per counted entry, and per table entry for its child", () => {
  it("leaves whose PAs are table pages' addresses do not drop those pages' references; every page ends at 0", () => {
    const t = new KvmPgtable(CFG);
    // Table pages sit at 2^47 + page * 4K (storage.ts): map pages and a block at such PAs.
    for (let i = 0; i < 8; i++) t.map(0x4000_0000 + i * K4, K4, 2 ** 47 + i * K4, PROT_R, 0);
    t.map(0x8000_0000, M2, 2 ** 47, PROT_R, 0);
    const pages = t.store.bump;
    t.destroy();
    for (let p = 0; p < pages; p++) expect(t.store.pageCount(p)).toBe(0);
    expect(t.store.inUse).toBe(0);
    expect(t.warnings).toEqual([]);
  });
  it("a block above the last level is not followed as a table, whatever its output address (set_pte: one at its own table page's PA)", () => {
    const t = new KvmPgtable(CFG);
    // The level-2 table set_pte makes is page 2 (after the two root pages): a block whose OA is that page's PA.
    setRawPte(t, 0x4000_0000, 2, BigInt(2 ** 47 + 2 * K4) | 0x759n);
    expect(t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1))).toBe(2);
    t.destroy();
    for (let p = 0; p < 3; p++) expect(t.store.pageCount(p)).toBe(0);
    expect(t.store.inUse).toBe(0);
  });
});

describe("the undo of an operation a hook aborts (rollback)", () => {
  it("the memory cache gets back the pages the operation took", () => {
    const t = new KvmPgtable(CFG);
    t.store.memcache = 2;
    let n = 0;
    t.storeHook = () => {
      if (++n === 5) throw new Error("stop");
    };
    expect(() => t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0)).toThrow("stop");
    expect(t.store.memcache).toBe(2);
    t.storeHook = null;
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0)).toBe(0);
    expect(t.store.memcache).toBe(0);
  });
  it("the events only counted (record off) are uncounted", () => {
    const t = new KvmPgtable(CFG);
    t.log.record = false;
    let n = 0;
    t.storeHook = () => {
      if (++n === 6) throw new Error("stop");
    };
    // The dcache clean is asked before the leaf's store (the sixth), which throws.
    expect(() => t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0)).toThrow("stop");
    expect(t.log.notRecordedTotal).toBe(0);
    t.storeHook = null;
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    expect(t.log.notRecordedTotal).toBe(1);
  });
  it("the one-page map's cached table is forgotten: a later page map in another region lands in its own table", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.storeHook = () => {
      throw new Error("stop");
    };
    expect(() => t.unmap(0x4000_0000, K4)).toThrow("stop");
    t.storeHook = null;
    // Region 1 of the last-level tables: IPA 0x20_0000 (2 MiB); entry 1 of its table, empty in every table.
    expect(t.map(0x20_1000, K4, 0x9000_0000, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x20_1000)).toEqual({ ret: 0, pte: "0x4000009000075b", level: 3 });
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4000008000075b");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x0");
  });
  it("a hook that runs another table's operation in the middle of its own walk leaves both walks exact", () => {
    const a = new KvmPgtable(CFG);
    const b = new KvmPgtable(CFG);
    let once = false;
    a.storeHook = () => {
      if (!once) {
        once = true;
        expect(b.map(0x7000_0000, M2, 0x9000_0000, PROT_R, 0)).toBe(0);
      }
    };
    expect(a.map(0x4000_0000, 2 * K4, 0x8000_0000, PROT_R, 0)).toBe(0);
    expect(a.getLeaf(0x4000_1000)).toEqual({ ret: 0, pte: "0x4000008000175b", level: 3 });
    expect(b.getLeaf(0x7000_0000)).toEqual({ ret: 0, pte: "0x40000090000759", level: 2 });
    expect(a.log.toJson()).toEqual([
      ["dcache", "0x80000000", "0x1000"],
      ["dcache", "0x80001000", "0x1000"],
    ]);
  });
});
