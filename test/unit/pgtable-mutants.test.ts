// src/pgtable/pgtable.ts (the kernel's stage-2 operations) against values worked
// out by hand from arch/arm64/kvm/hyp/pgtable.c 6.18.25 as
// /work/shared/reference/kernel-reference.md sections 1-5 describe it: every
// descriptor store the kernel makes (with its entry index and old value, as a
// store hook sees them), the break-before-make events, the page counts, the
// range checks at the edge of the IPA space, and an operation undone when the
// hook throws. Written for the surviving mutants of `npm run mutate` (issue 23);
// each expectation says where it comes from.
//
// The worked configuration is KVM's default VM: 4K pages, 40-bit IPA (start
// level 1, two concatenated root pages: kernel-reference 3.4), 48-bit PA, FWB on.
// Its worked leaf (kernel-reference 1.4): Normal FWB R|W at level 3 is
// PA + 0x0040_0000_0000_07DB (valid, page, MemAttr 6, S2AP R and W, SH 3, AF; XN).
import { describe, expect, it } from "vitest";
import {
  EAGAIN,
  EINVAL,
  ENOMEM,
  ERANGE,
  PROT_DEVICE,
  PROT_NORMAL_NC,
  PROT_SW0,
  PROT_SW1,
  PROT_R,
  PROT_W,
  PROT_X,
  TLBI_TTL_UNKNOWN,
  WALK_HANDLE_FAULT,
  WALK_SHARED,
} from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { setRawPte } from "../../src/pgtable/rawpte.js";

const K4 = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;
const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };

interface Store {
  page: number;
  index: number;
  oldLo: number;
  oldHi: number;
  newLo: number;
  newHi: number;
}

function hooked(t: KvmPgtable): Store[] {
  const seen: Store[] = [];
  t.storeHook = (page, index, oldLo, oldHi, newLo, newHi) => {
    seen.push({ page, index, oldLo, oldHi, newLo, newHi });
  };
  return seen;
}

/** Every non-zero entry of the store, as "page:index=hi:lo" (for comparing whole tables). */
function words(t: KvmPgtable): string[] {
  const out: string[] = [];
  for (let p = 0; p < t.store.bump; p++)
    for (let i = 0; i < t.ptrsPerPte; i++) {
      const lo = t.entryLo(p, i);
      const hi = t.entryHi(p, i);
      if ((lo | hi) !== 0) out.push(`${p}:${i}=${hi.toString(16)}:${lo.toString(16)}`);
    }
  return out;
}

function counts(t: KvmPgtable): number[] {
  const out: number[] = [];
  for (let p = 0; p < t.store.bump; p++) out.push(t.store.pageCount(p));
  return out;
}

// IPA 0x80_4060_5000: bit 39 selects root page 1 (kvm_pgd_page_idx: addr >> 39), then
// level 1 index (addr >> 30) & 511 = 1, level 2 index (addr >> 21) & 511 = 3, level 3 index
// (addr >> 12) & 511 = 5.
const IPA = 2 ** 39 + 0x4060_5000;
const PA = 0x8000_0000;
const LOCKED = 0x400;

describe("the stores of a map, as the kernel makes them (stage2_map_walk_leaf, stage2_try_break_pte, stage2_make_pte)", () => {
  it("a page map on an empty table: LOCKED then a table descriptor at levels 1 and 2, LOCKED then the leaf at level 3", () => {
    const t = new KvmPgtable(CFG);
    const seen = hooked(t);
    expect(t.map(IPA, K4, PA, PROT_R | PROT_W, 0)).toBe(0);
    expect(seen.length).toBe(6);
    // Level 1, root page 1 (pgd + 1), index 1: 0 -> LOCKED -> table.
    expect(seen[0]).toEqual({ page: t.pgd + 1, index: 1, oldLo: 0, oldHi: 0, newLo: LOCKED, newHi: 0 });
    expect(seen[1].page).toBe(t.pgd + 1);
    expect(seen[1].index).toBe(1);
    expect([seen[1].oldLo, seen[1].oldHi]).toEqual([LOCKED, 0]);
    // kvm_init_table_pte(): the child's PA, type and valid (0b11), nothing else.
    expect(seen[1].newLo & 0xfff).toBe(3);
    const l2 = t.childPage(seen[1].newLo, seen[1].newHi);
    // The child is a page of the table store, whose pages sit from 2^47 up (min(pa_bits, 48) - 1).
    expect(seen[1].newHi * 2 ** 32 + (seen[1].newLo - 3)).toBe(2 ** 47 + l2 * K4);
    expect(seen[2]).toEqual({ page: l2, index: 3, oldLo: 0, oldHi: 0, newLo: LOCKED, newHi: 0 });
    expect([seen[3].page, seen[3].index, seen[3].oldLo, seen[3].oldHi]).toEqual([l2, 3, LOCKED, 0]);
    const l3 = t.childPage(seen[3].newLo, seen[3].newHi);
    expect(l3).not.toBe(l2);
    expect(seen[4]).toEqual({ page: l3, index: 5, oldLo: 0, oldHi: 0, newLo: LOCKED, newHi: 0 });
    expect(seen[5]).toEqual({ page: l3, index: 5, oldLo: LOCKED, oldHi: 0, newLo: 0x8000_07db, newHi: 0x0040_0000 });
    // Events: the dcache clean of the new Normal leaf (asked even with FWB), no icache (XN), no TLBI (old entries empty).
    expect(t.log.toJson()).toEqual([["dcache", "0x80000000", "0x1000"]]);
    // Page counts: each table page 1 + its non-zero entries.
    expect([t.store.pageCount(t.pgd), t.store.pageCount(t.pgd + 1), t.store.pageCount(l2), t.store.pageCount(l3)]).toEqual([1, 2, 2, 2]);
    expect(t.getLeaf(IPA)).toEqual({ ret: 0, pte: "0x400000800007db", level: 3 });
  });

  it("the same map without a hook leaves the same table, page counts and events (the fast paths store what the kernel stores)", () => {
    const a = new KvmPgtable(CFG);
    hooked(a);
    a.map(IPA, K4, PA, PROT_R | PROT_W, 0);
    const b = new KvmPgtable(CFG);
    b.map(IPA, K4, PA, PROT_R | PROT_W, 0);
    expect(words(b)).toEqual(words(a));
    expect(counts(b)).toEqual(counts(a));
    expect(b.log.toJson()).toEqual(a.log.toJson());
  });

  it("unmap of that page: the leaf is cleared with its TLBI, then each emptied table on the way back up with TLBI_TTL_UNKNOWN", () => {
    const t = new KvmPgtable(CFG);
    t.map(IPA, K4, PA, PROT_R | PROT_W, 0);
    const l2 = t.childPage(t.entryLo(t.pgd + 1, 1), t.entryHi(t.pgd + 1, 1));
    const l3 = t.childPage(t.entryLo(l2, 3), t.entryHi(l2, 3));
    t.log.clear();
    const seen = hooked(t);
    expect(t.unmap(IPA, K4)).toBe(0);
    // stage2_unmap_walker: the leaf (level 3), then TABLE_POST of the level-2 entry (its child's count is 1 once the
    // leaf is gone), then of the level-1 entry.
    expect(seen.map((s) => [s.page, s.index, s.newLo, s.newHi])).toEqual([
      [l3, 5, 0, 0],
      [l2, 3, 0, 0],
      [t.pgd + 1, 1, 0, 0],
    ]);
    expect(seen[0].oldLo).toBe(0x8000_07db);
    expect(seen[0].oldHi).toBe(0x0040_0000);
    // No dcache: FWB. TLBIs at ctx->addr: the walk address when each entry was reached (the IPA for all three).
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x8040605000", 3],
      ["tlbi_ipa", "0x8040605000", TLBI_TTL_UNKNOWN],
      ["tlbi_ipa", "0x8040605000", TLBI_TTL_UNKNOWN],
    ]);
    expect(t.store.pageCount(t.pgd + 1)).toBe(1);
    expect(t.store.isAllocated(l2)).toBe(false);
    expect(t.store.isAllocated(l3)).toBe(false);
  });

  it("a block map over an existing level-3 table: the table entry is broken with tlbi_vmid (no FEAT_TLBIRANGE) and the subtree freed", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, PA, PROT_R, 0);
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    const l3 = t.childPage(t.entryLo(l2, 0), t.entryHi(l2, 0));
    t.log.clear();
    const seen = hooked(t);
    expect(t.map(0x4000_0000, M2, 0x4000_0000, PROT_R | PROT_W | PROT_X, 0)).toBe(0);
    // TABLE_PRE at level 2 index 0: the 2 MiB block is allowed (kvm_block_mapping_supported), so try_leaf breaks the
    // table entry (LOCKED) and makes the block: 0x4000_0000 + 0x7D9 (block: type 0; MemAttr 6, R, W, SH, AF; X: no XN).
    expect(seen.map((s) => [s.page, s.index, s.oldLo, s.newLo, s.newHi])).toEqual([
      [l2, 0, seen[0].oldLo, LOCKED, 0],
      [l2, 0, LOCKED, 0x4000_07d9, 0],
    ]);
    // The old entry was the table descriptor of the level-3 page.
    expect(seen[0].oldLo & 0xfff).toBe(3);
    expect(t.childPage(seen[0].oldLo, seen[0].oldHi)).toBe(l3);
    expect(t.log.toJson()).toEqual([["tlbi_vmid"], ["dcache", "0x40000000", "0x200000"], ["icache", "0x40000000", "0x200000"]]);
    // free_unlinked_table: the old level-3 table is released without maintenance.
    expect(t.store.isAllocated(l3)).toBe(false);
    expect(t.store.pageCount(l2)).toBe(2);
  });

  it("with FEAT_TLBIRANGE the broken table entry is a range TLBI over the aligned 2 MiB (512 pages)", () => {
    const t = new KvmPgtable({ ...CFG, tlbRange: true });
    t.map(0x4000_3000, K4, PA, PROT_R, 0);
    t.log.clear();
    expect(t.map(0x4000_0000, M2, 0x4000_0000, PROT_R, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_range", "0x40000000", 512],
      ["dcache", "0x40000000", "0x200000"],
    ]);
  });
});

describe("the IPA space's edge (_kvm_pgtable_walk: addr > limit || end > limit is -ERANGE)", () => {
  const LIMIT = 2 ** 40;
  it("a walk that starts exactly at 2^ia_bits with size 0 walks nothing and returns 0", () => {
    const t = new KvmPgtable(CFG);
    expect(t.unmap(LIMIT, 0)).toBe(0);
    expect(t.wrprotect(LIMIT, 0)).toBe(0);
    expect(t.map(LIMIT, 0, PA, PROT_R, 0)).toBe(0);
    expect(t.log.length).toBe(0);
  });
  it("the last page of the IPA space maps; a range one page past it is -ERANGE and changes nothing", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(LIMIT - 2 * K4, 2 * K4 + 1, PA, PROT_R, 0)).toBe(-ERANGE);
    expect(t.getLeaf(LIMIT - K4)).toEqual({ ret: 0, pte: "0x0", level: 1 });
    expect(t.map(LIMIT - K4, K4, PA, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(LIMIT - K4)).toEqual({ ret: 0, pte: "0x4000008000075b", level: 3 });
    expect(t.getLeaf(LIMIT)).toEqual({ ret: -ERANGE, pte: null, level: null });
    expect(t.unmap(LIMIT - K4, K4 + 1)).toBe(-ERANGE);
  });
  it("after destroy(): -ERANGE beyond the IPA space first, then -EINVAL (pgt->pgd is NULL)", () => {
    const t = new KvmPgtable(CFG);
    t.map(0, K4, PA, PROT_R, 0);
    t.destroy();
    expect(t.destroyed).toBe(true);
    expect(t.unmap(LIMIT + K4, K4)).toBe(-ERANGE);
    expect(t.unmap(0, K4)).toBe(-EINVAL);
    expect(t.map(0, K4, PA, PROT_R, 0)).toBe(-EINVAL);
    expect(t.getLeaf(0).ret).toBe(-EINVAL);
    expect(t.store.inUse).toBe(0);
    expect(() => t.destroy()).toThrow(/already destroyed/);
  });
});

describe("a store hook that throws: the operation is undone (atomic())", () => {
  for (let at = 0; at < 6; at++) {
    it(`throw at store ${at} of a three-level page map: the table, counts, log and warnings are as before`, () => {
      const t = new KvmPgtable(CFG);
      t.map(0, K4, 0x1000, PROT_R, 0);
      const before = { w: words(t), c: counts(t), log: t.log.length, inUse: t.store.inUse };
      let n = 0;
      const err = new Error("hook");
      t.storeHook = () => {
        if (n++ === at) throw err;
      };
      expect(() => t.map(IPA, K4, PA, PROT_R | PROT_W, WALK_SHARED)).toThrow(err);
      expect(words(t)).toEqual(before.w);
      expect(counts(t).slice(0, before.c.length)).toEqual(before.c);
      expect(t.log.length).toBe(before.log);
      expect(t.store.inUse).toBe(before.inUse);
      // The same map then runs to completion and gives the worked leaf.
      t.storeHook = null;
      expect(t.map(IPA, K4, PA, PROT_R | PROT_W, WALK_SHARED)).toBe(0);
      expect(t.getLeaf(IPA).pte).toBe("0x400000800007db");
    });
  }
});

describe("attribute walks and their events (stage2_update_leaf_attrs, kernel-reference 5.3)", () => {
  it("relax_perms adding X to a non-executable leaf: icache of the leaf's PA before the store, then tlbi_ipa_nsh at the level", () => {
    const t = new KvmPgtable({ ...CFG, fwb: false });
    t.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    t.log.clear();
    expect(t.relaxPerms(0x4001_2345, PROT_R | PROT_W | PROT_X, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["icache", "0x80000000", "0x200000"],
      ["tlbi_ipa_nsh", "0x40012345", 2],
    ]);
    // Normal no FWB (MemAttr 0xF), R, W, SH, AF, block; XN cleared.
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x800007fd");
  });
  it("relax_perms on an unmapped IPA: -EAGAIN ignored (0), tlbi_ipa_nsh at level 0; with HANDLE_FAULT -EAGAIN and level 0 too", () => {
    const t = new KvmPgtable(CFG);
    expect(t.relaxPerms(0x4000_0000, PROT_R, 0)).toBe(0);
    expect(t.relaxPerms(0x4000_0000, PROT_R, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa_nsh", "0x40000000", 0],
      ["tlbi_ipa_nsh", "0x40000000", 0],
    ]);
  });
  it("wrprotect clears S2AP W of pages and blocks only; mkyoung sets AF on the one page's leaf", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, M2, 0x8000_0000, PROT_R | PROT_W, 0);
    t.map(0x4020_0000, K4, 0x9000_0000, PROT_R | PROT_W | PROT_DEVICE, 0);
    expect(t.wrprotect(0x4000_0000, 2 * M2)).toBe(0);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x40000080000759");
    // Device-nGnRE (MemAttr 1) page R|W -> R: 0x7C7 - 0x80.
    expect(t.getLeaf(0x4020_0000).pte).toBe("0x40000090000747");
    expect(t.testClearYoung(0x4000_0000, 2 * M2, true)).toBe(true);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x40000080000359");
    expect(t.getLeaf(0x4020_0000).pte).toBe("0x40000090000347");
    expect(t.testClearYoung(0x4000_0000, 2 * M2, false)).toBe(false);
    t.mkyoung(0x4020_0000, 0);
    expect(t.getLeaf(0x4020_0000).pte).toBe("0x40000090000747");
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x40000080000359");
    t.mkyoung(0x4000_0000, 0);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x40000080000759");
    // No maintenance from any of these but the map's own CMOs.
    expect(t.log.toJson()).toEqual([["dcache", "0x80000000", "0x200000"]]);
  });
});

describe("split and create_unlinked (kernel-reference 5.5)", () => {
  it("create_unlinked of a level-2 block with force_pte: a table of 512 pages at phys + i * 4K, no maintenance", () => {
    const t = new KvmPgtable(CFG);
    const page = t.createUnlinked(0x8020_0000, 2, PROT_R | PROT_W, true);
    expect(page).toBeGreaterThanOrEqual(0);
    // Each entry: the FWB R|W page leaf 0x7DB (XN in the high half) at phys + i * 4K.
    for (const i of [0, 1, 255, 511]) {
      expect(t.entryLo(page, i)).toBe(0x8020_0000 + i * K4 + 0x7db);
      expect(t.entryHi(page, i)).toBe(0x0040_0000);
    }
    // The table page: 1 for itself and one per entry. Nothing else was taken.
    expect(t.store.pageCount(page)).toBe(513);
    expect(t.store.inUse).toBe(3);
    expect(t.log.length).toBe(0);
    expect(t.warnings).toEqual([]);
  });
  it("create_unlinked of a level-1 block without force_pte: 512 level-2 blocks; with it, 512 tables of pages", () => {
    const t = new KvmPgtable({ ...CFG, fwb: false });
    const page = t.createUnlinked(0x4000_0000, 1, PROT_R | PROT_X, false);
    // Normal no FWB (0xF), R, SH, AF, block (type 0), executable: 0x77D, high half 0.
    expect(t.entryLo(page, 0)).toBe(0x4000_077d);
    expect(t.entryLo(page, 511)).toBe(0x4000_0000 + 511 * M2 + 0x77d);
    expect(t.entryHi(page, 511)).toBe(0);
    expect(t.store.pageCount(page)).toBe(513);
    const deep = t.createUnlinked(0x8000_0000, 1, PROT_R, true);
    const l3 = t.childPage(t.entryLo(deep, 7), t.entryHi(deep, 7));
    expect(t.entryLo(deep, 7) & 0xfff).toBe(3);
    expect(t.entryLo(l3, 3)).toBe(0x8000_0000 + 7 * M2 + 3 * K4 + 0x77f);
    expect(t.entryHi(l3, 3)).toBe(0x0040_0000);
    expect(t.store.pageCount(l3)).toBe(513);
    expect(t.store.inUse).toBe(2 + 1 + 1 + 512);
  });
  it("create_unlinked: a phys not aligned to the level is -EINVAL, a prot stage2_set_prot_attr refuses is -EINVAL, an empty cache -ENOMEM", () => {
    const t = new KvmPgtable(CFG);
    expect(t.createUnlinked(0x8000_1000, 2, PROT_R, true)).toBe(-EINVAL);
    expect(t.createUnlinked(0x4000_0000 + M2, 1, PROT_R, true)).toBe(-EINVAL);
    expect(t.createUnlinked(0x8000_0000, 2, PROT_DEVICE | PROT_X, true)).toBe(-EINVAL);
    t.store.memcache = 0;
    expect(t.createUnlinked(0x8000_0000, 2, PROT_R, true)).toBe(-ENOMEM);
    // Force_pte at level 1 with one page: the second table fails, the partial tree is freed.
    t.store.memcache = 1;
    expect(t.createUnlinked(0x4000_0000, 1, PROT_R, true)).toBe(-ENOMEM);
    expect(t.store.inUse).toBe(2);
    expect(t.warnings).toEqual([]);
  });
  it("split of a Device level-2 block: pages of Normal memory (pte_prot has no memory type), AF set, one TLBI of the block", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, M2, 0x9000_0000, PROT_R | PROT_W | PROT_DEVICE, 0);
    t.log.clear();
    expect(t.split(0x4000_5000, K4)).toBe(0);
    expect(t.log.toJson()).toEqual([["tlbi_ipa", "0x40005000", 2]]);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x400000900007db", level: 3 });
    expect(t.getLeaf(0x401f_f000)).toEqual({ ret: 0, pte: "0x400000901ff7db", level: 3 });
  });
  it("split of a level-1 block: 513 pages in the cache split it to pages; fewer split it to blocks, then each block while pages last", () => {
    const full = new KvmPgtable(CFG);
    full.map(G1, G1, G1, PROT_R, 0);
    full.store.memcache = 513;
    expect(full.split(G1, K4)).toBe(0);
    // PA 0x4000_0000 + 5 * 2M + 7 * 4K = 0x40a0_7000; the FWB R page 0x75B, XN.
    expect(full.getLeaf(G1 + 5 * M2 + 7 * K4)).toEqual({ ret: 0, pte: "0x40000040a0775b", level: 3 });
    const some = new KvmPgtable(CFG);
    some.map(G1, G1, G1, PROT_R, 0);
    some.store.memcache = 3;
    // One page for the level-2 table, then two of its blocks split before the cache runs dry.
    expect(some.split(G1, G1)).toBe(-ENOMEM);
    expect(some.getLeaf(G1).level).toBe(3);
    expect(some.getLeaf(G1 + M2).level).toBe(3);
    expect(some.getLeaf(G1 + 2 * M2)).toEqual({ ret: 0, pte: "0x40000040400759", level: 2 });
    const none = new KvmPgtable(CFG);
    none.map(G1, G1, G1, PROT_R, 0);
    none.store.memcache = 0;
    expect(none.split(G1, K4)).toBe(-ENOMEM);
    expect(none.getLeaf(G1).level).toBe(1);
  });
  it("split leaves pages and invalid entries alone", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.store.memcache = 0;
    expect(t.split(0, 2 * G1)).toBe(0);
    expect(t.log.length).toBe(1);
  });
});

describe("set_owner, SW bits and LOCKED entries (kernel-reference 5.1, 5.4)", () => {
  it("set_owner 1 over a mapped page: the page is broken (tlbi_ipa at level 3) and becomes the annotation 1 << 2; owner 0 clears it in place", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.log.clear();
    expect(t.setOwner(0x4000_0000, 2 * K4, 1)).toBe(0);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4");
    expect(t.log.toJson()).toEqual([["tlbi_ipa", "0x40000000", 3]]);
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    const l3 = t.childPage(t.entryLo(l2, 0), t.entryHi(l2, 0));
    expect(t.store.pageCount(l3)).toBe(3);
    expect(t.setOwner(0x4000_0000, K4, 0)).toBe(0);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x0");
    expect(t.store.pageCount(l3)).toBe(2);
    expect(t.setOwner(0x4000_0000, K4, 2)).toBe(-EINVAL);
    // unmap of the annotation: cleared, its reference dropped, no TLBI for it; the tables it leaves empty are freed.
    t.log.clear();
    expect(t.unmap(0x4000_1000, K4)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40001000", TLBI_TTL_UNKNOWN],
      ["tlbi_ipa", "0x40001000", TLBI_TTL_UNKNOWN],
    ]);
    expect(t.getLeaf(0x4000_1000)).toEqual({ ret: 0, pte: "0x0", level: 1 });
  });
  it("a map that changes only SW bits is stored in place outside a shared walk (no LOCKED, no TLBI, no CMO), through break-before-make in one", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.log.clear();
    const seen = hooked(t);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R | PROT_SW0, 0)).toBe(0);
    expect(seen.map((s) => [s.oldLo, s.newLo, s.newHi])).toEqual([[0x8000_075b, 0x8000_075b, 0x00c0_0000]]);
    expect(t.log.length).toBe(0);
    seen.length = 0;
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R | PROT_SW1, WALK_SHARED)).toBe(0);
    expect(seen.map((s) => [s.newLo, s.newHi])).toEqual([
      [LOCKED, 0],
      [0x8000_075b, 0x0140_0000],
    ]);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40000000", 3],
      ["dcache", "0x80000000", "0x1000"],
    ]);
  });
  it("the same leaf again, or one that differs only in permissions, is left alone: 0, or -EAGAIN under HANDLE_FAULT", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.log.clear();
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0)).toBe(0);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R | PROT_W | PROT_X, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4000008000075b");
    expect(t.log.length).toBe(0);
  });
  it("a map over a LOCKED entry (break-before-make in progress): -EAGAIN, with a WARN outside a shared walk", () => {
    const t = new KvmPgtable(CFG);
    setRawPte(t, 0x4000_0000, 3, 0x400n);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.warnings).toEqual(["stage2_try_break_pte on a locked entry outside a shared walk"]);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, WALK_HANDLE_FAULT | WALK_SHARED)).toBe(-EAGAIN);
    expect(t.warnings.length).toBe(1);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x400");
    expect(t.log.length).toBe(0);
  });
});

describe("flush and unmap without FWB (kernel-reference 5.2, 5.4)", () => {
  it("flush cleans Normal leaves only, the whole block at its PA; with FWB it does nothing", () => {
    const t = new KvmPgtable({ ...CFG, fwb: false });
    t.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    t.map(0x4020_0000, K4, 0x9000_0000, PROT_R | PROT_DEVICE, 0);
    t.map(0x4020_1000, K4, 0x9000_1000, PROT_R | PROT_NORMAL_NC, 0);
    t.map(0x4020_2000, K4, 0x9000_2000, PROT_R, 0);
    t.log.clear();
    expect(t.flush(0x4010_0000, M2)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x80000000", "0x200000"],
      ["dcache", "0x90002000", "0x1000"],
    ]);
    const f = new KvmPgtable(CFG);
    f.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    f.log.clear();
    expect(f.flush(0x4000_0000, M2)).toBe(0);
    expect(f.flush(2 ** 41, M2)).toBe(0);
    expect(f.log.length).toBe(0);
  });
  it("unmap of part of a block removes the whole block: TLBI at the walk address, dcache of the block's PA and size", () => {
    const t = new KvmPgtable({ ...CFG, fwb: false });
    t.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    t.map(0x4020_0000, K4, 0x9000_0000, PROT_R | PROT_DEVICE, 0);
    t.log.clear();
    expect(t.unmap(0x4010_0000, M2)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40100000", 2],
      ["dcache", "0x80000000", "0x200000"],
      ["tlbi_ipa", "0x40200000", 3],
      ["tlbi_ipa", "0x40200000", TLBI_TTL_UNKNOWN],
      // The level-2 table is empty now: freed at its level-1 entry's TABLE_POST, at the walk address it was reached at.
      ["tlbi_ipa", "0x40100000", TLBI_TTL_UNKNOWN],
    ]);
  });
  it("FWB with FEAT_TLBIRANGE defers the TLBI: one range over (addr, size) as passed after the walk", () => {
    const t = new KvmPgtable({ ...CFG, tlbRange: true });
    t.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    t.log.clear();
    expect(t.unmap(0x4000_0000, M2 + 0x1800)).toBe(0);
    // The emptied level-2 table's TLBI is never deferred; the range is (2M + 0x1800) >> 12 = 513 pages (truncating).
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40000000", TLBI_TTL_UNKNOWN],
      ["tlbi_range", "0x40000000", 513],
    ]);
  });
});
