// src/pgtable/pgtable.ts lines 2101-2509: the one-page map (map() of one page
// through mapPage / mapPageMiss / mapPageLeaf and its cached last-level table,
// and mapOnePageFast / descend for a range of one page over an entry in use),
// the do* operation bodies, get_leaf, destroy and the read-only views. Every
// expected value is worked by hand from kernel-reference.md: 5.1
// (kvm_pgtable_stage2_map of one page: stage2_map_walk_leaf makes a table in
// each empty entry on the way, stage2_map_walker_try_leaf puts the leaf),
// 4 (kvm_pgtable_walk: ALIGN_DOWN / PAGE_ALIGN of the range, -ERANGE beyond
// 2^ia_bits, -EINVAL with the pgd gone; kvm_pgtable_get_leaf), 5.0 (the
// refcounts: 1 + the non-zero entries), 5.3-5.5 and the worked leaves of 1.4.
// The cache tests each give the input that tells a wrongly kept or wrongly
// trusted cached table from the kernel's walk. Written for the surviving
// mutants of `npm run mutate -- --mutate src/pgtable/pgtable.ts:2101-2509`
// (issue 23). The file's name sorts after every other `*-mutants` file on
// purpose: a focused Stryker run takes those files last in name order, so a
// mutant this file kills first is one no other test of the set kills.
//
// Worked configuration, unless a test says otherwise: 4K pages, 40-bit IPA
// (start level 1, two concatenated root pages: kernel-reference 3.4), 48-bit
// PA, no FWB. Its leaves (1.4): Normal R|W at level 3 is PA + 0x0040_0000_0000_07FF,
// Normal R 0x...077F, Normal R|W|X 0x7FF without XN (bit 54).
import { describe, expect, it } from "vitest";
import {
  EAGAIN,
  EINVAL,
  ENOMEM,
  ERANGE,
  PROT_DEVICE,
  PROT_R,
  PROT_SW0,
  PROT_W,
  PROT_X,
  WALK_HANDLE_FAULT,
  WALK_SHARED,
  WALK_SKIP_CMO,
} from "../../src/pgtable/descriptor.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { setRawPte } from "../../src/pgtable/rawpte.js";

const K4 = 4096;
const M2 = 2 ** 21;
const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
const RW = PROT_R | PROT_W;
const RWX = PROT_R | PROT_W | PROT_X;

/** The table page a table entry (page, index) points at, checking it is one (bits 1:0 = 0b11). */
function child(t: KvmPgtable, page: number, index: number): number {
  const lo = t.entryLo(page, index);
  expect(lo & 3).toBe(3);
  return t.childPage(lo, t.entryHi(page, index));
}

/** Entry (page, index) as one 64-bit hex string. */
function entry(t: KvmPgtable, page: number, index: number): string {
  return `0x${((BigInt(t.entryHi(page, index)) << 32n) | BigInt(t.entryLo(page, index))).toString(16)}`;
}

// 40-bit IPA 0x40_0000_0000 + ... : root page = IPA >> 39, level-1 index (IPA >> 30) & 511,
// level-2 index (IPA >> 21) & 511, level-3 index (IPA >> 12) & 511.
// IPA 0x4000_0000: root page 0, L1 index 1, L2 index 0, L3 index 0.
const A = 0x4000_0000;

describe("the one-page map's cached last-level table: inputs that tell a stale or wrongly trusted cache from the kernel's walk", () => {
  it("a map after create_unlinked moved the store's first chunk (no table on the way changed) still lands in the live table", () => {
    const t = new KvmPgtable(CFG);
    // Pages 0, 1: the root; 2: the level-2 table; 3: the level-3 table (the first chunk is then 4 pages long).
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.store.bump).toBe(4);
    const gen = t.store.chunkGen;
    // A detached level-2 table of 512 pages (kernel-reference 5.5): one more page, so the first chunk doubles to 8 pages.
    const ul = t.createUnlinked(0x9000_0000, 2, RW, true);
    expect(ul).toBe(4);
    expect(t.store.chunkGen).toBeGreaterThan(gen);
    // The second page of the same last-level table: the kernel's walk finds it through the tables.
    expect(t.map(A + K4, K4, 0x8000_1000, RW, 0)).toBe(0);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    expect(l3).toBe(3);
    expect(entry(t, l3, 0)).toBe("0x400000800007ff");
    expect(entry(t, l3, 1)).toBe("0x400000800017ff");
    // page_count: 1 + two leaves.
    expect(t.store.pageCount(l3)).toBe(3);
    expect(t.getLeaf(A + K4)).toEqual({ ret: 0, pte: "0x400000800017ff", level: 3 });
    // The unlinked table is untouched by that map: entry 1 is the page at 0x9000_1000, R|W, no CMO for it.
    expect(entry(t, ul, 1)).toBe("0x400000900017ff");
    expect(t.store.pageCount(ul)).toBe(513);
  });

  it("after destroy(): a page map into the region cached before it is -EINVAL (pgt->pgd is NULL), nothing stored, no event", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.destroyed).toBe(false);
    t.destroy();
    expect(t.destroyed).toBe(true);
    expect(t.store.inUse).toBe(0);
    t.log.clear();
    expect(t.map(A + K4, K4, 0x8000_1000, RW, 0)).toBe(-EINVAL);
    expect(t.map(A + 2 * K4, 0x800, 0x8000_2000, RW, 0)).toBe(-EINVAL);
    expect(t.store.inUse).toBe(0);
    expect(t.log.toJson()).toEqual([]);
    // get_leaf: the walk's -EINVAL, outputs untouched; beyond the IPA space -ERANGE comes first.
    expect(t.getLeaf(A + K4)).toEqual({ ret: -EINVAL, pte: null, level: null });
    expect(t.getLeaf(2 ** 40)).toEqual({ ret: -ERANGE, pte: null, level: null });
    // A second destroy would free a NULL pgd.
    expect(() => t.destroy()).toThrow(ArgumentError);
    expect(() => t.destroy()).toThrow(/already destroyed/);
  });

  it("an entry in use in a table that is no longer the cached one is the generic walk's: break (tlbi_ipa at level 3), CMO, the new leaf", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    // Another last-level table (2 MiB on): the cache moves there.
    expect(t.map(A + M2, K4, 0x8800_0000, RW, 0)).toBe(0);
    t.log.clear();
    // Back to the first table, whose entry 0 holds a leaf: a new PA is break-before-make (5.1 steps 5-7).
    expect(t.map(A, K4, 0x9000_0000, RW, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40000000", 3],
      ["dcache", "0x90000000", "0x1000"],
    ]);
    const l2 = child(t, t.pgd, 1);
    const l3a = child(t, l2, 0);
    expect(entry(t, l3a, 0)).toBe("0x400000900007ff");
    // put_page for the old leaf, get_page for the new: still 1 + 1.
    expect(t.store.pageCount(l3a)).toBe(2);
    // The same leaf again, through a table just found by the walk: needs_update is false, -EAGAIN, swallowed without HANDLE_FAULT.
    expect(t.map(A + M2 + K4, K4, 0x8800_1000, RW, 0)).toBe(0);
    t.log.clear();
    expect(t.map(A, K4, 0x9000_0000, RW, 0)).toBe(0);
    expect(t.map(A, K4, 0x9000_0000, RW, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.log.toJson()).toEqual([]);
    expect(t.store.pageCount(l3a)).toBe(2);
  });

  it("in a SHARED walk the cached table's empty entry gets the leaf, an entry in use goes through break-before-make", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, WALK_SHARED | WALK_HANDLE_FAULT)).toBe(0);
    expect(t.map(A + K4, K4, 0x8000_1000, RW, WALK_SHARED | WALK_HANDLE_FAULT)).toBe(0);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    // No LOCKED marker survives the operation (kernel-reference 1.3).
    expect([entry(t, l3, 0), entry(t, l3, 1), entry(t, l3, 2)]).toEqual(["0x400000800007ff", "0x400000800017ff", "0x0"]);
    expect(t.store.pageCount(l3)).toBe(3);
    t.log.clear();
    expect(t.map(A + K4, K4, 0x8000_5000, PROT_R, WALK_SHARED)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40001000", 3],
      ["dcache", "0x80005000", "0x1000"],
    ]);
    expect(entry(t, l3, 1)).toBe("0x4000008000577f");
    expect(t.store.pageCount(l3)).toBe(3);
  });

  it("with a store hook set after the cache is hot, the hook sees the kernel's stores: LOCKED, then the leaf", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    const seen: number[][] = [];
    t.storeHook = (page, index, oldLo, oldHi, newLo, newHi) => {
      seen.push([page, index, oldLo, oldHi, newLo, newHi]);
    };
    expect(t.map(A + 2 * K4, K4, 0x8000_2000, RW, 0)).toBe(0);
    expect(seen).toEqual([
      [l3, 2, 0, 0, 0x400, 0],
      [l3, 2, 0x400, 0, 0x8000_27ff, 0x0040_0000],
    ]);
  });

  it("a map that runs the memory cache dry keeps the tables made so far (-ENOMEM); the next map makes only what is missing", () => {
    const t = new KvmPgtable(CFG);
    // Cache hot on A's last-level table.
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    // IPA 0x80_0000_0000 + 0x4000_0000: root page 1, level-1 index 1: an empty entry, then an empty level-2 entry. One page in the cache.
    const B = 2 ** 39 + 0x4000_0000;
    t.store.memcache = 1;
    expect(t.map(B, K4, 0x8800_0000, RW, 0)).toBe(-ENOMEM);
    expect(t.store.memcache).toBe(0);
    const l2b = child(t, t.pgd + 1, 1);
    // The level-2 table stayed, empty: page_count 1; the root page holds one more entry.
    expect(t.store.pageCount(l2b)).toBe(1);
    expect(t.store.pageCount(t.pgd + 1)).toBe(2);
    expect(t.entryLo(l2b, 0)).toBe(0);
    expect(t.getLeaf(B)).toEqual({ ret: 0, pte: "0x0", level: 2 });
    // A page map into the table cached before still works with the cache dry (no table to make).
    expect(t.map(A + K4, K4, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.getLeaf(A + K4).pte).toBe("0x400000800017ff");
    // With a page again: only the level-3 table is made.
    t.store.memcache = 1;
    t.log.clear();
    expect(t.map(B, K4, 0x8800_0000, RW, 0)).toBe(0);
    expect(t.store.memcache).toBe(0);
    expect(child(t, t.pgd + 1, 1)).toBe(l2b);
    const l3b = child(t, l2b, 0);
    expect(entry(t, l3b, 0)).toBe("0x400000880007ff");
    expect([t.store.pageCount(l2b), t.store.pageCount(l3b)]).toEqual([2, 2]);
    expect(t.log.toJson()).toEqual([["dcache", "0x88000000", "0x1000"]]);
  });

  it("a page at a PA above 2^32: its CMOs name the whole PA, on the way down and through the cached table", () => {
    const t = new KvmPgtable(CFG);
    // R|W|X Normal: dcache (cacheable) and icache (executable), 5.1 step 6; the leaf has no XN: 0x1_2345_6000 + 0x7FF.
    expect(t.map(A, K4, 0x1_2345_6000, RWX, 0)).toBe(0);
    expect(t.map(A + K4, K4, 0x1_2345_7000, RWX, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x123456000", "0x1000"],
      ["icache", "0x123456000", "0x1000"],
      ["dcache", "0x123457000", "0x1000"],
      ["icache", "0x123457000", "0x1000"],
    ]);
    expect(t.getLeaf(A).pte).toBe("0x1234567ff");
    expect(t.getLeaf(A + K4).pte).toBe("0x1234577ff");
  });

  it("WALK_SKIP_CMO: no dcache or icache, on the way down and through the cached table; Device pages never get CMOs", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RWX, WALK_SKIP_CMO)).toBe(0);
    expect(t.map(A + K4, K4, 0x8000_1000, RWX, WALK_SKIP_CMO)).toBe(0);
    expect(t.log.toJson()).toEqual([]);
    // Device-nGnRE R|W (1.4): 0x7C7 + XN.
    expect(t.map(A + 2 * K4, K4, 0x8000_2000, PROT_DEVICE | RW, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([]);
    // Without the flag again: both CMOs.
    expect(t.map(A + 3 * K4, K4, 0x8000_3000, RWX, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x80003000", "0x1000"],
      ["icache", "0x80003000", "0x1000"],
    ]);
    expect([t.getLeaf(A).pte, t.getLeaf(A + K4).pte, t.getLeaf(A + 2 * K4).pte]).toEqual(["0x800007ff", "0x800017ff", "0x400000800027c7"]);
  });

  it("a 32-bit IPA space (start level 2, four concatenated root pages): the root page is IPA[31:30], each page map lands under it", () => {
    // stage2_pgtable_levels(32) = 2: start level 2, 2^(32 - 21) = 2048 root entries = 4 pages (kernel-reference 3.4).
    const t = new KvmPgtable({ ...CFG, iaBits: 32, paBits: 32 });
    // IPA 0xC020_3000: root page 3, index (IPA >> 21) & 511 = 1, level-3 index 3.
    expect(t.map(0xc020_3000, K4, 0x1000_3000, RW, 0)).toBe(0);
    // IPA 0x4000_5000: root page 1, index 0, level-3 index 5.
    expect(t.map(0x4000_5000, K4, 0x1000_5000, RW, 0)).toBe(0);
    expect(t.map(0xc020_4000, K4, 0x1000_4000, RW, 0)).toBe(0);
    const a = child(t, t.pgd + 3, 1);
    const b = child(t, t.pgd + 1, 0);
    expect([entry(t, a, 3), entry(t, a, 4), entry(t, b, 5)]).toEqual(["0x400000100037ff", "0x400000100047ff", "0x400000100057ff"]);
    for (const p of [0, 2]) for (const i of [0, 1]) expect(t.entryLo(t.pgd + p, i)).toBe(0);
    expect([t.store.pageCount(t.pgd + 1), t.store.pageCount(t.pgd + 3), t.store.pageCount(a), t.store.pageCount(b)]).toEqual([2, 2, 3, 2]);
  });

  it("a 48-bit IPA space (start level 0): IPA 2^47 + 3 * 2^39 + 5 * 2^30 + 7 * 2^21 + 9 * 2^12 is indices 259, 5, 7, 9", () => {
    const t = new KvmPgtable({ ...CFG, iaBits: 48 });
    const ipa = 2 ** 47 + 3 * 2 ** 39 + 5 * 2 ** 30 + 7 * 2 ** 21 + 9 * 2 ** 12;
    expect(t.map(ipa, K4, 0x8000_0000, RW, 0)).toBe(0);
    // The next page through the cached table, and one in the next last-level table (index 8 at level 2).
    expect(t.map(ipa + K4, K4, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.map(ipa + M2, K4, 0x8000_2000, RW, 0)).toBe(0);
    const l1 = child(t, t.pgd, 259);
    const l2 = child(t, l1, 5);
    const l3 = child(t, l2, 7);
    const l3n = child(t, l2, 8);
    expect([entry(t, l3, 9), entry(t, l3, 10), entry(t, l3n, 9)]).toEqual(["0x400000800007ff", "0x400000800017ff", "0x400000800027ff"]);
    expect([t.store.pageCount(t.pgd), t.store.pageCount(l1), t.store.pageCount(l2), t.store.pageCount(l3), t.store.pageCount(l3n)]).toEqual([2, 2, 3, 3, 2]);
    expect(t.store.bump).toBe(5);
    expect(t.getLeaf(ipa + K4)).toEqual({ ret: 0, pte: "0x400000800017ff", level: 3 });
    expect(t.getLeaf(ipa + 2 * K4)).toEqual({ ret: 0, pte: "0x0", level: 3 });
    // An IPA whose level-1 table is missing: get_leaf stops at the empty root entry (level 0).
    expect(t.getLeaf(2 ** 46)).toEqual({ ret: 0, pte: "0x0", level: 0 });
  });
  it("a 34-bit IPA space (start level 2, 16 root pages): IPA 0x3_C020_3000 is root page 15 (IPA[33:30]), index 1, then 3", () => {
    const t = new KvmPgtable({ ...CFG, iaBits: 34 });
    expect(t.map(0x3_c020_3000, K4, 0x8000_3000, RW, 0)).toBe(0);
    expect(t.map(0x3_c020_4000, K4, 0x8000_4000, RW, 0)).toBe(0);
    const l3 = child(t, t.pgd + 15, 1);
    expect([entry(t, l3, 3), entry(t, l3, 4)]).toEqual(["0x400000800037ff", "0x400000800047ff"]);
    expect(t.store.bump).toBe(17);
    expect(t.getLeaf(0x3_c020_3000)).toEqual({ ret: 0, pte: "0x400000800037ff", level: 3 });
  });

  it("16K pages, 40-bit IPA (start level 2, 16 root pages): IPA 0x35_0600_4000 is root page 3 (IPA[39:36]), index 643, then 1", () => {
    const t = new KvmPgtable({ ...CFG, granule: 16384 });
    // Level-2 index (IPA >> 25) & 2047 = (0x35 * 128 + 3) & 2047 = 643; level-3 index (IPA >> 14) & 2047 = 1.
    expect(t.map(0x35_0600_4000, 16384, 0x8000_4000, RW, 0)).toBe(0);
    expect(t.map(0x35_0600_8000, 16384, 0x8000_8000, RW, 0)).toBe(0);
    const l3 = child(t, t.pgd + 3, 643);
    expect([entry(t, l3, 1), entry(t, l3, 2)]).toEqual(["0x400000800047ff", "0x400000800087ff"]);
    expect(t.store.bump).toBe(17);
    expect(t.getLeaf(0x35_0600_8000)).toEqual({ ret: 0, pte: "0x400000800087ff", level: 3 });
  });

  it("a map that failed with -ENOMEM after making a table leaves no cached table behind: the next region maps through its own tables", () => {
    const t = new KvmPgtable(CFG);
    // Pages 0-1 root, 2 level-2, 3 and 4 level-3 tables (IPA 0x4000_0000 and 0x4020_0000): the first chunk holds 8 pages.
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.map(A + M2, K4, 0x8020_0000, RW, 0)).toBe(0);
    expect(t.store.bump).toBe(5);
    t.store.memcache = 1;
    // Page 5 becomes a level-2 table under root page 1, then the cache is dry (no chunk moves: 6 pages fit in 8).
    expect(t.map(2 ** 39 + A, K4, 0x8800_0000, RW, 0)).toBe(-ENOMEM);
    t.store.memcache = Infinity;
    // IPA 0x20_1000 (root page 0, level-1 index 0, level-2 index 1, level-3 index 1): two new tables.
    expect(t.map(0x20_1000, K4, 0x8800_1000, RW, 0)).toBe(0);
    expect(t.getLeaf(0x20_1000)).toEqual({ ret: 0, pte: "0x400000880017ff", level: 3 });
    expect(t.getLeaf(A + M2 + K4)).toEqual({ ret: 0, pte: "0x0", level: 3 });
    expect(t.store.bump).toBe(8);
    expect(t.store.pageCount(4)).toBe(2);
  });
});

describe("map of one page over a range smaller than a page (kvm_pgtable_walk rounds it to whole pages)", () => {
  it("an invalid entry holding only high bits (SW0, written by set_pte) is an entry in use: break-before-make drops its reference", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    // Entries 5 and 8 of A's last-level table: 0x0080_0000_0000_0000 (bit 55 only; low half 0), their neighbours 4 and 7 empty.
    setRawPte(t, A + 5 * K4, 3, 0x0080_0000_0000_0000n);
    setRawPte(t, A + 8 * K4, 3, 0x0080_0000_0000_0000n);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    // page_count: 1 + three non-zero entries (kernel-reference 5.0).
    expect(t.store.pageCount(l3)).toBe(4);
    t.log.clear();
    // A page map over entry 5 (5.1): needs_update (old invalid); not the SW-bits-only case (the low halves differ), so
    // stage2_try_break_pte (LOCKED, no TLBI for an invalid entry, put_page as it was counted), the dcache, stage2_make_pte (get_page).
    expect(t.map(A + 5 * K4, K4, 0x8000_5000, RW, 0)).toBe(0);
    expect(entry(t, l3, 5)).toBe("0x400000800057ff");
    expect(t.store.pageCount(l3)).toBe(4);
    // The same over entry 8 with a half page.
    expect(t.map(A + 8 * K4 + 0x800, 0x800, 0x8000_8000, RW, 0)).toBe(0);
    expect(entry(t, l3, 8)).toBe("0x400000800087ff");
    expect(t.store.pageCount(l3)).toBe(4);
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x80005000", "0x1000"],
      ["dcache", "0x80008000", "0x1000"],
    ]);
  });

  it("half pages at IPA 0x1000 and at 2^36 map those IPAs, not an entry of the other's last-level table", () => {
    const t = new KvmPgtable(CFG);
    // 2^36: root page 0, level-1 index 64, level-2 index 0; entry 1 of its last-level table mapped, entry 0 empty.
    expect(t.map(2 ** 36 + K4, K4, 0x9000_1000, RW, 0)).toBe(0);
    expect(t.map(0x1000, 0x800, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.getLeaf(0x1000)).toEqual({ ret: 0, pte: "0x400000800017ff", level: 3 });
    expect(t.getLeaf(2 ** 36)).toEqual({ ret: 0, pte: "0x0", level: 3 });
    expect(t.getLeaf(2 ** 36 + K4).pte).toBe("0x400000900017ff");
    // And a half page at 2^36 maps 2^36 (entry 0 of its table), leaving IPA 0x1000 alone.
    expect(t.map(2 ** 36, 0x800, 0xa000_0000, RW, 0)).toBe(0);
    expect(t.getLeaf(2 ** 36)).toEqual({ ret: 0, pte: "0x400000a00007ff", level: 3 });
    expect(t.getLeaf(0x1000).pte).toBe("0x400000800017ff");
  });

  it("a size-0 map walks nothing: 0, nothing stored, even where a last-level table exists and at 2^ia_bits", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    t.log.clear();
    expect(t.map(A + K4, 0, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.map(2 ** 40, 0, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.getLeaf(A + K4).pte).toBe("0x0");
    expect(t.log.toJson()).toEqual([]);
    expect(t.store.bump).toBe(4);
  });

  it("a half page at an unaligned IPA maps the page that holds it, at ALIGN_DOWN(phys); past 2^ia_bits it is -ERANGE", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    t.log.clear();
    // start = 0x4000_1000, end = PAGE_ALIGN(start + 0x800) = 0x4000_2000: one page, PA 0x8000_1000.
    expect(t.map(A + 0x1800, 0x800, 0x8000_1800, RW, 0)).toBe(0);
    expect(t.getLeaf(A + K4).pte).toBe("0x400000800017ff");
    expect(t.log.toJson()).toEqual([["dcache", "0x80001000", "0x1000"]]);
    // The last page of the IPA space, through tables the walk makes.
    expect(t.map(2 ** 40 - 0x800, 0x800, 0x8000_2000, RW, 0)).toBe(0);
    expect(t.getLeaf(2 ** 40 - K4)).toEqual({ ret: 0, pte: "0x400000800027ff", level: 3 });
    const bump = t.store.bump;
    t.log.clear();
    expect(t.map(2 ** 40, 0x800, 0x8000_3000, RW, 0)).toBe(-ERANGE);
    expect(t.store.bump).toBe(bump);
    expect(t.log.toJson()).toEqual([]);
  });

  it("a half page over a leaf in use, after a walk below it: the break names the walk address (the page), the PA is the new one", () => {
    const t = new KvmPgtable(CFG);
    for (let i = 0; i < 4; i++) expect(t.map(A + i * K4, K4, 0x8000_0000 + i * K4, RW, 0)).toBe(0);
    // A walk over a range below first (unmap of page 0: its walk started and ended below the page mapped next).
    expect(t.unmap(A, K4)).toBe(0);
    t.log.clear();
    expect(t.map(A + 0x2800, 0x100, 0x9000_0000, PROT_R, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40002000", 3],
      ["dcache", "0x90000000", "0x1000"],
    ]);
    expect(t.getLeaf(A + 2 * K4).pte).toBe("0x4000009000077f");
    const l3 = child(t, child(t, t.pgd, 1), 0);
    // Pages 1, 2, 3: 1 + 3.
    expect(t.store.pageCount(l3)).toBe(4);
    expect(t.warnings).toEqual([]);
    // The same leaf again: -EAGAIN, swallowed (0) without HANDLE_FAULT, returned with it; no event.
    t.log.clear();
    expect(t.map(A + 0x2800, 0x100, 0x9000_0000, PROT_R, 0)).toBe(0);
    expect(t.map(A + 0x2800, 0x100, 0x9000_0000, PROT_R, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    // Permissions only (R -> R|W): also -EAGAIN, the leaf unchanged (relax_perms' business).
    expect(t.map(A + 0x2000, 0x800, 0x9000_0000, RW, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.getLeaf(A + 2 * K4).pte).toBe("0x4000009000077f");
    expect(t.log.toJson()).toEqual([]);
    // A half page into the empty entry of page 0, at a PA above 2^32: PA[47:32] in the high half.
    expect(t.map(A + 0x800, 0x800, 0x1_2345_4800, RW, 0)).toBe(0);
    expect(t.getLeaf(A).pte).toBe("0x400001234547ff");
    expect(t.log.toJson()).toEqual([["dcache", "0x123454000", "0x1000"]]);
  });

  it("64K pages with a 52-bit PA: a half page at PA 2^48 into an empty entry of an existing table has OA[51:48] = 1 in bits 15:12", () => {
    const t = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 52, lpa2: false, fwb: false, tlbRange: false });
    expect(t.map(A, 0x10000, 0x1000_0000, RW, 0)).toBe(0);
    t.log.clear();
    expect(t.map(A + 0x10000, 0x8000, 2 ** 48, RW, 0)).toBe(0);
    expect(t.getLeaf(A + 0x10000)).toEqual({ ret: 0, pte: "0x400000000017ff", level: 3 });
    expect(t.log.toJson()).toEqual([["dcache", "0x1000000000000", "0x10000"]]);
  });

  it("a half page under an existing block breaks the block at level 2 (tlbi_ipa at the walk address) and maps one page", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, M2, 0x8000_0000, RW, 0)).toBe(0);
    t.log.clear();
    expect(t.map(A + 0x3400, 0x400, 0x9000_0000, RW, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40003000", 2],
      ["dcache", "0x90000000", "0x1000"],
    ]);
    expect(t.getLeaf(A + 3 * K4)).toEqual({ ret: 0, pte: "0x400000900007ff", level: 3 });
    expect(t.getLeaf(A)).toEqual({ ret: 0, pte: "0x0", level: 3 });
  });
});

describe("the operation bodies (kernel-reference 5.2-5.5)", () => {
  it("set_owner over 2 MiB aligned: force_pte, so 512 page-level annotations (1 << 2) in a new table, not a level-2 one; owner 2 is -EINVAL", () => {
    const t = new KvmPgtable(CFG);
    expect(t.setOwner(A, M2, 1)).toBe(0);
    expect(t.getLeaf(A)).toEqual({ ret: 0, pte: "0x4", level: 3 });
    expect(t.getLeaf(A + M2 - K4)).toEqual({ ret: 0, pte: "0x4", level: 3 });
    const l3 = child(t, child(t, t.pgd, 1), 0);
    expect(t.store.pageCount(l3)).toBe(513);
    expect(t.log.toJson()).toEqual([]);
    // KVM_MAX_OWNER_ID is 1.
    expect(t.setOwner(A, K4, 2)).toBe(-EINVAL);
    expect(t.getLeaf(A).pte).toBe("0x4");
  });

  it("set_owner after a map with other attributes: the annotation carries no attribute or address bits", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RWX | PROT_SW0, 0)).toBe(0);
    t.log.clear();
    expect(t.setOwner(A + K4, K4, 1)).toBe(0);
    expect(t.getLeaf(A + K4).pte).toBe("0x4");
    expect(t.log.toJson()).toEqual([]);
  });

  it("test_clear_young beyond the IPA space: false, and the walk's -ERANGE is a WARN", () => {
    const t = new KvmPgtable(CFG);
    expect(t.testClearYoung(2 ** 40, K4, true)).toBe(false);
    expect(t.warnings).toEqual(["kvm_pgtable_stage2_test_clear_young: walk returned -34"]);
  });

  it("test_clear_young: young again after a second test only when the first did not mkold", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.testClearYoung(A, K4, false)).toBe(true);
    expect(t.testClearYoung(A, K4, true)).toBe(true);
    expect(t.testClearYoung(A, K4, true)).toBe(false);
    // AF (bit 10) cleared: 0x7FF - 0x400.
    expect(t.getLeaf(A).pte).toBe("0x400000800003ff");
    expect(t.warnings).toEqual([]);
  });

  it("flush with FWB returns 0 without a walk (not even the range check); without FWB beyond the space it is -ERANGE", () => {
    const f = new KvmPgtable({ ...CFG, fwb: true });
    expect(f.flush(2 ** 40, K4)).toBe(0);
    const t = new KvmPgtable(CFG);
    expect(t.flush(2 ** 40, K4)).toBe(-ERANGE);
  });

  it("relax_perms: R and W set S2AP, X clears XN with an icache of the page; SW bits are -EINVAL before any walk or event", () => {
    const t = new KvmPgtable(CFG);
    // Two prot-0 pages: MemAttr F, SH, AF, XN (0x73F), no S2AP.
    expect(t.map(A, 2 * K4, 0x8000_0000, 0, 0)).toBe(0);
    t.log.clear();
    expect(t.relaxPerms(A, PROT_SW0, 0)).toBe(-EINVAL);
    expect(t.log.toJson()).toEqual([]);
    expect(t.getLeaf(A).pte).toBe("0x4000008000073f");
    // W alone on the first (bit 7), R alone on the second (bit 6): neither gets the other bit or loses XN.
    expect(t.relaxPerms(A, PROT_W, 0)).toBe(0);
    expect(t.relaxPerms(A + K4, PROT_R, 0)).toBe(0);
    expect([t.getLeaf(A).pte, t.getLeaf(A + K4).pte]).toEqual(["0x400000800007bf", "0x4000008000177f"]);
    // X alone on the first: XN cleared, the icache of its page before the store.
    expect(t.relaxPerms(A, PROT_X, 0)).toBe(0);
    expect(t.getLeaf(A).pte).toBe("0x800007bf");
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa_nsh", "0x40000000", 3],
      ["tlbi_ipa_nsh", "0x40001000", 3],
      ["icache", "0x80000000", "0x1000"],
      ["tlbi_ipa_nsh", "0x40000000", 3],
    ]);
  });

  it("relax_perms beyond the IPA space: the walk's -ERANGE is returned with no TLBI (only 0 and -EAGAIN get one)", () => {
    const t = new KvmPgtable(CFG);
    expect(t.relaxPerms(2 ** 40, PROT_R, 0)).toBe(-ERANGE);
    expect(t.relaxPerms(2 ** 40, PROT_R, WALK_HANDLE_FAULT)).toBe(-ERANGE);
    expect(t.log.toJson()).toEqual([]);
  });

  it("wrprotect clears W of the leaves in range only; mkyoung sets AF of the one page", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, 2 * K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.testClearYoung(A, 2 * K4, true)).toBe(true);
    expect(t.wrprotect(A + K4, K4)).toBe(0);
    expect([t.getLeaf(A).pte, t.getLeaf(A + K4).pte]).toEqual(["0x400000800003ff", "0x4000008000137f"]);
    t.mkyoung(A + K4 + 0x10, 0);
    expect([t.getLeaf(A).pte, t.getLeaf(A + K4).pte]).toEqual(["0x400000800003ff", "0x4000008000177f"]);
  });

  it("create_unlinked: a PA at 2^pa_bits is refused (ArgumentError, phys); a level-1 block without force_pte under a hook is 512 level-2 blocks", () => {
    const t = new KvmPgtable(CFG);
    expect(() => t.createUnlinked(2 ** 48, 2, RW, false)).toThrow(ArgumentError);
    expect(() => t.createUnlinked(2 ** 48, 2, RW, false)).toThrow(/beyond the 48-bit PA range/);
    expect(t.store.bump).toBe(2);
    const ul = t.createUnlinked(2 ** 48 - M2, 2, RW, false);
    expect(entry(t, ul, 511)).toBe("0x40fffffffff7ff");
    let stores = 0;
    t.storeHook = () => {
      stores++;
    };
    const u1 = t.createUnlinked(0x4000_0000, 1, PROT_R, false);
    // Each entry: break-before-make of an empty entry, LOCKED then the block (5.0): 2 x 512 stores.
    expect(stores).toBe(1024);
    // A level-2 block: no page bit: 0x77F - 0x2 = 0x77D.
    expect(entry(t, u1, 0)).toBe("0x4000004000077d");
    expect(entry(t, u1, 1)).toBe("0x4000004020077d");
    expect(t.store.pageCount(u1)).toBe(513);
  });
});

describe("get_leaf, destroy and the hooks' limits", () => {
  it("get_leaf at 2^ia_bits is -ERANGE with no outputs, fast paths on or off; the last page is found", () => {
    for (const fast of [true, false]) {
      const t = new KvmPgtable(CFG);
      t.fastPaths = fast;
      expect(t.map(2 ** 40 - K4, K4, 0x8000_0000, RW, 0)).toBe(0);
      expect(t.getLeaf(2 ** 40)).toEqual({ ret: -ERANGE, pte: null, level: null });
      expect(t.getLeaf(2 ** 40 - 1)).toEqual({ ret: 0, pte: "0x400000800007ff", level: 3 });
      // The first page of the last level-3 table, and the page below it (level-2 entry 510, empty).
      expect(t.getLeaf(2 ** 40 - M2)).toEqual({ ret: 0, pte: "0x0", level: 3 });
      expect(t.getLeaf(2 ** 40 - M2 - 1)).toEqual({ ret: 0, pte: "0x0", level: 2 });
      expect(t.getLeaf(2 ** 39 - 1)).toEqual({ ret: 0, pte: "0x0", level: 1 });
    }
  });

  it("leafLo and leafHi are the unsigned halves of the entry the last getLeafFast() found; a failed call leaves them", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0xfedc_b000, RWX | PROT_SW0, 0)).toBe(0);
    // Another table's walk in between (its get_leaf finds an empty entry).
    const other = new KvmPgtable(CFG);
    other.fastPaths = false;
    for (const fast of [true, false]) {
      t.fastPaths = fast;
      expect(t.getLeafFast(A)).toBe(0);
      // SW0 is bit 55: high half bit 23. No XN.
      expect([t.leafLo, t.leafHi, t.leafLevel]).toEqual([0xfedc_b7ff, 0x0080_0000, 3]);
      expect(other.getLeafFast(A)).toBe(0);
      expect(t.getLeafFast(2 ** 40)).toBe(-ERANGE);
      expect([t.leafLo, t.leafHi, t.leafLevel]).toEqual([0xfedc_b7ff, 0x0080_0000, 3]);
    }
  });

  it("a store hook may read entries but not call get_leaf or destroy while an operation runs", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    t.storeHook = () => {
      t.getLeaf(A);
    };
    expect(() => t.map(A + K4, K4, 0x8000_1000, RW, 0)).toThrow(/KvmPgtable\.getLeaf: called from inside a store hook/);
    t.storeHook = () => {
      t.destroy();
    };
    expect(() => t.map(A + K4, K4, 0x8000_1000, RW, 0)).toThrow(/KvmPgtable\.destroy: called from inside a store hook/);
    t.storeHook = null;
    // Both operations undone: the page is still unmapped, the table alive.
    expect(t.destroyed).toBe(false);
    expect(t.getLeaf(A + K4).pte).toBe("0x0");
    expect(t.getLeaf(A).pte).toBe("0x400000800007ff");
  });

  it("destroy of a table that never made a table frees its two root pages", () => {
    const t = new KvmPgtable(CFG);
    expect(t.store.inUse).toBe(2);
    t.destroy();
    expect(t.store.inUse).toBe(0);
    expect([t.store.pageCount(0), t.store.pageCount(1)]).toEqual([0, 0]);
    expect(t.warnings).toEqual([]);
  });

  it("destroy leaves a table create_unlinked made (it is no part of the table: the free walker never reaches it)", () => {
    const t = new KvmPgtable(CFG);
    // Page 2, right after the two root pages: a level-2 block's table of 512 pages (count 1 + 512).
    const ul = t.createUnlinked(0x9000_0000, 2, RW, true);
    expect(ul).toBe(2);
    t.destroy();
    expect(t.store.pageCount(ul)).toBe(513);
    expect(t.store.inUse).toBe(1);
    expect([t.store.pageCount(0), t.store.pageCount(1)]).toEqual([0, 0]);
  });

  it("destroy frees both root pages and every table, each page's count to 0", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(A, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.map(2 ** 39, K4, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.store.inUse).toBe(6);
    t.destroy();
    expect(t.store.inUse).toBe(0);
    for (let p = 0; p < t.store.bump; p++) expect(t.store.pageCount(p)).toBe(0);
    expect(t.warnings).toEqual([]);
  });
});
