// src/pgtable/pgtable.ts lines 401-900: the fast-path switch, the one-page
// map's cached last-level table, the constructor, the store/refcount
// primitives and their undo journal, and the generic walker
// (kvm_pgtable_walk -> _kvm_pgtable_walk -> __kvm_pgtable_walk ->
// __kvm_pgtable_visit, kernel-reference.md section 4). Every expected value is
// worked by hand below from kernel-reference.md (sections 1.1, 1.4, 3.4, 4,
// 5.0-5.5), not read back from the model. Written for the surviving mutants of
// `npm run mutate -- --mutate src/pgtable/pgtable.ts:401-900` (issue 23).
//
// The table used throughout, unless a test says otherwise: 4K granule, 40-bit
// IPA and PA, no FWB, no FEAT_TLBIRANGE. Table 3.4: start level 1, two
// concatenated root pages (pages 0 and 1 of the store; root page 0 maps IPA
// [0, 2^39), root page 1 [2^39, 2^40)); a level-1 entry maps 1 GiB, a level-2
// entry 2 MiB, a level-3 entry 4 KiB. The table store puts its pages from
// PA 2^(40 - 1) = 0x80_0000_0000 up (storage.ts), so the table descriptor of
// store page n is lo = n * 0x1000 | 0b11, hi = 0x80 (kvm_init_table_pte:
// PA | type | valid). A page leaf of Normal memory, R+W, no X, no FWB is
// PA | 0x7ff with XN (bit 54: hi 0x0040_0000) (1.4); R only is PA | 0x77f;
// R+W+X has no XN. New table pages are taken in order (pages 2, 3, ...).
import { describe, expect, it } from "vitest";
import { EAGAIN, EINVAL, ENOMEM, ERANGE, PROT_R, PROT_W, PROT_X, TLBI_TTL_UNKNOWN, WALK_HANDLE_FAULT } from "../../src/pgtable/descriptor.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { InputError } from "../../src/pgtable/u64.js";
import { MaintenanceLog } from "../../src/pgtable/events.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { setRawPte } from "../../src/pgtable/rawpte.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: false, tlbRange: false };
const K4 = 0x1000;
const M2 = 2 ** 21;
const RW = PROT_R | PROT_W;
/** The table descriptor of store page n (see the header). */
const tableLo = (n: number): number => n * K4 + 3;
const TABLE_HI = 0x80;

/** Record every store the hook sees: [page, index, oldLo, oldHi, newLo, newHi]. */
function stores(t: KvmPgtable): number[][] {
  const seen: number[][] = [];
  t.storeHook = (page, index, oldLo, oldHi, newLo, newHi) => {
    seen.push([page, index, oldLo, oldHi, newLo, newHi]);
  };
  return seen;
}

/** The error a call throws (or null). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

describe("the fast-path switch (fastPaths) and what decides the one-page map (updateFastMap)", () => {
  it("fastPaths is on for a new table, reads back what it is set to, and refuses a non-boolean naming fastPaths", () => {
    const t = new KvmPgtable(CFG);
    expect(t.fastPaths).toBe(true);
    t.fastPaths = false;
    expect(t.fastPaths).toBe(false);
    t.fastPaths = true;
    expect(t.fastPaths).toBe(true);
    const e = thrown(() => {
      t.fastPaths = 1 as unknown as boolean;
    });
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).arg).toBe("fastPaths");
    expect(t.fastPaths).toBe(true);
  });

  it("fast paths off: map, get_leaf and unmap through the generic walker give the kernel's leaves, levels and events", () => {
    const t = new KvmPgtable(CFG);
    t.fastPaths = false;
    // Two pages at 1 GiB: root page 0 entry 1 -> new level-2 table (page 2), its entry 0 -> new level-3 table (page 3).
    expect(t.map(0x4000_0000, 2 * K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.entryLo(0, 1)).toBe(tableLo(2));
    expect(t.entryHi(0, 1)).toBe(TABLE_HI);
    expect(t.entryLo(2, 0)).toBe(tableLo(3));
    expect(t.getLeaf(0x4000_1000)).toEqual({ ret: 0, pte: "0x400000800017ff", level: 3 });
    // kvm_pgtable_get_leaf() of an empty slot: 0 and the slot's level.
    expect(t.getLeaf(0x4000_2000)).toEqual({ ret: 0, pte: "0x0", level: 3 });
    expect(t.getLeaf(0x4020_0000)).toEqual({ ret: 0, pte: "0x0", level: 2 });
    expect(t.getLeaf(2 ** 39 + 0x4000_0000)).toEqual({ ret: 0, pte: "0x0", level: 1 });
    expect(t.getLeaf(2 ** 40)).toEqual({ ret: -ERANGE, pte: null, level: null });
    // New tables over empty entries: no TLBI (5.0); each Normal leaf a dcache clean, XN so no icache (5.1).
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x80000000", "0x1000"],
      ["dcache", "0x80001000", "0x1000"],
    ]);
    t.log.clear();
    // 5.2: per leaf a TLBI at the walk address and level 3 and the dcache of the old PA; then TABLE_POST frees
    // the emptied level-3 and level-2 tables, each with a TLBI at the address the walk had when it reached the entry.
    expect(t.unmap(0x4000_0000, 2 * K4)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40000000", 3],
      ["dcache", "0x80000000", "0x1000"],
      ["tlbi_ipa", "0x40001000", 3],
      ["dcache", "0x80001000", "0x1000"],
      ["tlbi_ipa", "0x40000000", TLBI_TTL_UNKNOWN],
      ["tlbi_ipa", "0x40000000", TLBI_TTL_UNKNOWN],
    ]);
    expect(t.store.inUse).toBe(2);
    expect(t.entryLo(0, 1)).toBe(0);
  });

  it("with a store hook set, a one-page map is the generic walk: the hook sees every store (LOCKED, then the new entry)", () => {
    const t = new KvmPgtable(CFG);
    const seen = stores(t);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
    // stage2_map_walk_leaf at levels 1 and 2 (a new table: break-before-make of an empty entry, then the table
    // descriptor), stage2_map_walker_try_leaf at level 3 (LOCKED, then the leaf).
    expect(seen).toEqual([
      [0, 1, 0, 0, 0x400, 0],
      [0, 1, 0x400, 0, tableLo(2), TABLE_HI],
      [2, 0, 0, 0, 0x400, 0],
      [2, 0, 0x400, 0, tableLo(3), TABLE_HI],
      [3, 0, 0, 0, 0x400, 0],
      [3, 0, 0x400, 0, 0x8000_07ff, 0x0040_0000],
    ]);
    seen.length = 0;
    // The same prot again, through existing tables: still seen.
    expect(t.map(0x4000_1000, K4, 0x8000_1000, RW, 0)).toBe(0);
    expect(seen).toEqual([
      [3, 1, 0, 0, 0x400, 0],
      [3, 1, 0x400, 0, 0x8000_17ff, 0x0040_0000],
    ]);
  });

  it("after destroy() a one-page map is -EINVAL (pgt->pgd is NULL) and allocates nothing", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
    t.destroy();
    expect(t.store.inUse).toBe(0);
    expect(t.map(0x4000_1000, K4, 0x8000_1000, RW, 0)).toBe(-EINVAL);
    expect(t.map(0x4000_2000, K4, 0x8000_2000, PROT_R, 0)).toBe(-EINVAL);
    expect(t.store.inUse).toBe(0);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: -EINVAL, pte: null, level: null });
    // Beyond the IPA space the range check comes first (-ERANGE), as in _kvm_pgtable_walk.
    expect(t.unmap(2 ** 40 - K4, 2 * K4)).toBe(-ERANGE);
  });
});

describe("the one-page map's cached last-level table follows the tables as they are in memory", () => {
  it("a table entry rewritten behind the operations' back (then tablesWritten()): the next map follows the new way", () => {
    const t = new KvmPgtable(CFG);
    // IPA 0x20_0000 is 2 MiB region 1: root page 0 entry 0 -> level-2 table page 2, its entry 1 -> level-3 table page 3.
    expect(t.map(0x20_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
    // Region 2 (IPA 0x40_0000): level-2 entry 2 -> a new level-3 table, page 4.
    expect(t.map(0x40_0000, K4, 0x8010_0000, RW, 0)).toBe(0);
    // Back to region 1: its last-level table (page 3) is the one the map uses now.
    expect(t.map(0x20_1000, K4, 0x8000_1000, RW, 0)).toBe(0);
    expect([t.entryLo(2, 1), t.entryLo(2, 2)]).toEqual([tableLo(3), tableLo(4)]);
    // Level-2 entry 1 now points at page 4 too, written straight into the table page.
    const c = t.store.chunkOf(2);
    const o = t.store.pageOffset(2);
    c[o + 2] = c[o + 4];
    c[o + 3] = c[o + 5];
    t.tablesWritten();
    // The kernel walks the table in memory: IPA 0x20_2000 goes through level-2 entry 1 to page 4, entry 2.
    expect(t.map(0x20_2000, K4, 0x8000_2000, RW, 0)).toBe(0);
    expect(t.entryLo(4, 2)).toBe(0x8000_27ff);
    expect(t.entryLo(3, 2)).toBe(0);
    expect(t.getLeaf(0x20_2000)).toEqual({ ret: 0, pte: "0x400000800027ff", level: 3 });
  });

  it("unmap frees the cached last-level table (TABLE_POST stores): the next map of that region makes new tables", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x20_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.map(0x20_1000, K4, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.store.inUse).toBe(4);
    // Both leaves go, then the emptied level-3 and level-2 tables (5.2).
    expect(t.unmap(0x20_0000, 2 * K4)).toBe(0);
    expect(t.store.inUse).toBe(2);
    expect(t.entryLo(0, 0)).toBe(0);
    expect(t.map(0x20_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.store.inUse).toBe(4);
    expect(t.getLeaf(0x20_0000)).toEqual({ ret: 0, pte: "0x400000800007ff", level: 3 });
    expect(t.getLeaf(0x20_1000)).toEqual({ ret: 0, pte: "0x0", level: 3 });
  });
});

describe("the constructor (__kvm_pgtable_stage2_init for a guest) and its refusals", () => {
  it("config, fwb and tlbRange are the ones given, for each of the four FWB x TLBIRANGE settings; FWB picks MemAttr 0b0110", () => {
    for (const fwb of [false, true]) {
      for (const tlbRange of [false, true]) {
        const t = new KvmPgtable({ ...CFG, fwb, tlbRange });
        expect(t.config).toEqual({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb, tlbRange });
        expect([t.fwb, t.tlbRange, t.iaLimit, t.startLevel, t.ptrsPerPte, t.pageSize]).toEqual([fwb, tlbRange, 2 ** 40, 1, 512, 4096]);
        expect(t.store.inUse).toBe(2);
        // 1.4: Normal R+W at level 3 is 0x7ff without FWB, 0x7db (MemAttr 6) with it.
        expect(t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
        expect(t.getLeaf(0x4000_0000).pte).toBe(fwb ? "0x400000800007db" : "0x400000800007ff");
      }
    }
  });

  it("each refused argument is named: config, config.fwb, config.tlbRange, config.lpa2, config.paBits (missing), log", () => {
    const arg = (f: () => unknown): string | null => {
      const e = thrown(f);
      return e instanceof ArgumentError ? e.arg : null;
    };
    expect(arg(() => new KvmPgtable(null as unknown as Stage2Config))).toBe("config");
    expect(arg(() => new KvmPgtable({ ...CFG, fwb: 1 as unknown as boolean }))).toBe("config.fwb");
    expect(arg(() => new KvmPgtable({ ...CFG, tlbRange: "yes" as unknown as boolean }))).toBe("config.tlbRange");
    expect(arg(() => new KvmPgtable({ ...CFG, lpa2: null as unknown as boolean }))).toBe("config.lpa2");
    const noPa = { granule: 4096, iaBits: 40, lpa2: false, fwb: false, tlbRange: false } as Stage2Config;
    const e = thrown(() => new KvmPgtable(noPa));
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).arg).toBe("config.paBits");
    expect((e as ArgumentError).detail).toMatch(/^missing/);
    const l = thrown(() => new KvmPgtable(CFG, {}, {} as MaintenanceLog));
    expect(l).toBeInstanceOf(ArgumentError);
    expect((l as ArgumentError).arg).toBe("log");
    expect((l as ArgumentError).detail).toMatch(/MaintenanceLog/);
  });

  it("storage.maxPages: the two root pages fit in 2 (then a new table is -ENOMEM), not in 1 (the refusal names the root pages)", () => {
    const t = new KvmPgtable(CFG, { maxPages: 2 });
    expect(t.store.inUse).toBe(2);
    expect(t.pgd).toBe(0);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toBe(-ENOMEM);
    const e = thrown(() => new KvmPgtable(CFG, { maxPages: 1 }));
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as ArgumentError).arg).toBe("storage.maxPages");
    expect((e as ArgumentError).detail).toMatch(/the 2 root pages/);
  });
});

describe("the store hook's view of a store and the undo journal of an operation the hook aborts", () => {
  /** Leaves at 0x4000_0000 (R+W, XN: hi 0x0040_0000) and 0x4000_1000 (R+W+X: hi 0) in level-3 table page 3. */
  function twoLeaves(): KvmPgtable {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.map(0x4000_1000, K4, 0x8000_1000, RW | PROT_X, 0)).toBe(0);
    expect([t.entryHi(3, 0), t.entryHi(3, 1)]).toEqual([0x0040_0000, 0]);
    return t;
  }

  it("the hook gets the entry's own old high half (wrprotect of the executable page next to an XN one)", () => {
    const t = twoLeaves();
    const seen = stores(t);
    expect(t.wrprotect(0x4000_1000, K4)).toBe(0);
    // stage2_attr_walker: old & ~S2AP_W (bit 7), stored in place.
    expect(seen).toEqual([[3, 1, 0x8000_17ff, 0, 0x8000_177f, 0]]);
  });

  it("a wrprotect the hook aborts at its second store gives back the first leaf as it was, high half included", () => {
    const t = twoLeaves();
    t.storeHook = (_page, index) => {
      if (index === 1) throw new Error("stop");
    };
    expect(() => t.wrprotect(0x4000_0000, 2 * K4)).toThrow("stop");
    t.storeHook = null;
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x400000800007ff");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x800017ff");
  });

  it("a wrprotect of three XN leaves aborted at the third: each of the first two gets its own old halves back", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, 3 * K4, 0x8000_0000, RW, 0)).toBe(0);
    t.storeHook = (_page, index) => {
      if (index === 2) throw new Error("stop");
    };
    expect(() => t.wrprotect(0x4000_0000, 3 * K4)).toThrow("stop");
    t.storeHook = null;
    expect([0, 1, 2].map((i) => t.getLeaf(0x4000_0000 + i * K4).pte)).toEqual(["0x400000800007ff", "0x400000800017ff", "0x400000800027ff"]);
  });

  it("a map of 600 pages aborted at its last leaf (a journal of about 1,800 entries) leaves the table, the store and the log as before", () => {
    const t = new KvmPgtable(CFG);
    // PA 0x8000_1000: IPA - PA is not a multiple of 2 MiB, so no block anywhere (3.2): 600 page leaves in two
    // level-3 tables. The last, IPA 0x4025_7000, maps PA 0x8025_8000.
    const last = (0x8025_8000 | 0x7ff) >>> 0;
    t.storeHook = (_p, _i, _ol, _oh, newLo) => {
      if (newLo === last) throw new Error("stop");
    };
    expect(() => t.map(0x4000_0000, 600 * K4, 0x8000_1000, RW, 0)).toThrow("stop");
    expect(t.store.inUse).toBe(2);
    expect(t.store.pageCount(0)).toBe(1);
    expect(t.entryLo(0, 1)).toBe(0);
    expect(t.log.length).toBe(0);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x0", level: 1 });
    // And the table works on: the same map without the hook.
    t.storeHook = null;
    expect(t.map(0x4000_0000, 600 * K4, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.getLeaf(0x4025_7000)).toEqual({ ret: 0, pte: "0x400000802587ff", level: 3 });
    expect(t.store.inUse).toBe(5);
    expect(t.log.length).toBe(600);
  });

  it("a block over a table frees the old level-3 table with its leaves; aborted later, the table and its leaves come back", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, 2 * K4, 0x8000_0000, PROT_R, 0)).toBe(0);
    expect(t.store.pageCount(3)).toBe(3);
    t.log.clear();
    // 4 MiB at PA 0x9000_0000 (2 MiB aligned): level-2 entry 0 (a table) becomes a block, the old table is freed
    // (free_unlinked_table: its entries' references, then the page); level-2 entry 1 (empty) would get the next
    // block: the hook stops the map at its LOCKED store.
    t.storeHook = (page, index, oldLo, _oh, newLo) => {
      if (page === 2 && index === 1 && oldLo === 0 && newLo === 0x400) throw new Error("stop");
    };
    expect(() => t.map(0x4000_0000, 2 * M2, 0x9000_0000, RW, 0)).toThrow("stop");
    t.storeHook = null;
    expect(t.entryLo(2, 0)).toBe(tableLo(3));
    expect(t.store.pageCount(2)).toBe(2);
    expect(t.store.pageCount(3)).toBe(3);
    expect(t.store.inUse).toBe(4);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x4000008000077f", level: 3 });
    expect(t.getLeaf(0x4000_1000)).toEqual({ ret: 0, pte: "0x4000008000177f", level: 3 });
    expect(t.log.length).toBe(0);
    expect(t.warnings).toEqual([]);
  });

  it("hookMayThrow = false: no journal, so a throw leaves exactly the stores, references and pages made before it", () => {
    const t = new KvmPgtable(CFG);
    t.hookMayThrow = false;
    let n = 0;
    // The third store of a fresh one-page map is the LOCKED marker in the new level-2 table (see above), made
    // after stage2_map_walk_leaf took the level-3 table's page (zalloc_page first, then the break).
    t.storeHook = () => {
      if (++n === 3) throw new Error("stop");
    };
    expect(() => t.map(0x4000_0000, K4, 0x8000_0000, RW, 0)).toThrow("stop");
    t.storeHook = null;
    expect(t.entryLo(0, 1)).toBe(tableLo(2));
    expect(t.store.pageCount(0)).toBe(2);
    expect(t.store.inUse).toBe(4);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x0", level: 2 });
    // An unmap of two leaves stopped at the second leaf's store: the first is gone with its reference. (The
    // level-3 table is page 4: page 3, taken by the aborted map, was never installed.)
    expect(t.map(0x4000_0000, 2 * K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.entryLo(2, 0)).toBe(tableLo(4));
    expect(t.store.pageCount(4)).toBe(3);
    n = 0;
    t.storeHook = () => {
      if (++n === 2) throw new Error("stop");
    };
    expect(() => t.unmap(0x4000_0000, 2 * K4)).toThrow("stop");
    t.storeHook = null;
    expect(t.store.pageCount(4)).toBe(2);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x0");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x400000800017ff");
  });

  it("a walk error test_clear_young only warns about (WARN_ON): -ERANGE beyond the IPA space, young false", () => {
    const t = new KvmPgtable(CFG);
    expect(t.testClearYoung(2 ** 40 - K4, 2 * K4, true)).toBe(false);
    expect(t.warnings).toEqual([`kvm_pgtable_stage2_test_clear_young: walk returned ${-ERANGE}`]);
  });
});

describe("kvm_pgtable_walk and _kvm_pgtable_walk: rounding, the range check, the concatenated root pages (section 4)", () => {
  it("the start rounds down to a page, the end is that start + size rounded up: (0x4000_0800, 0x1000) is one page, (0x4000_1800, 0x1001) two", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, 4 * K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.wrprotect(0x4000_0800, K4)).toBe(0);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4000008000077f");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x400000800017ff");
    expect(t.wrprotect(0x4000_1800, K4 + 1)).toBe(0);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000008000177f");
    expect(t.getLeaf(0x4000_2000).pte).toBe("0x4000008000277f");
    expect(t.getLeaf(0x4000_3000).pte).toBe("0x400000800037ff");
  });

  it("an end at 2^ia_bits is allowed, an end beyond it is -ERANGE with nothing visited, a start at 2^ia_bits with size 0 is 0", () => {
    const t = new KvmPgtable(CFG);
    const top = 2 ** 40 - K4;
    expect(t.map(top - K4, 2 * K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.wrprotect(top, K4)).toBe(0);
    expect(t.getLeaf(top).pte).toBe("0x4000008000177f");
    expect(t.wrprotect(top - K4, 3 * K4)).toBe(-ERANGE);
    expect(t.getLeaf(top - K4).pte).toBe("0x400000800007ff");
    expect(t.unmap(2 ** 40, 0)).toBe(0);
    expect(t.flush(2 ** 40, 0)).toBe(0);
    expect(t.unmap(2 ** 40, K4)).toBe(-ERANGE);
    expect(t.getLeaf(top).pte).toBe("0x4000008000177f");
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x80000000", "0x1000"],
      ["dcache", "0x80001000", "0x1000"],
    ]);
  });

  it("a range across the two root pages is walked in both; an -EAGAIN with HANDLE_FAULT in the first stops the walk", () => {
    const t = new KvmPgtable(CFG);
    const b = 2 ** 39;
    // IPA 2^39 - 4K: root page 0, entry 511; IPA 2^39: root page 1, entry 0.
    expect(t.map(b - K4, 2 * K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.getLeaf(b - K4)).toEqual({ ret: 0, pte: "0x400000800007ff", level: 3 });
    expect(t.getLeaf(b)).toEqual({ ret: 0, pte: "0x400000800017ff", level: 3 });
    expect(t.entryLo(0, 511)).toBe(tableLo(2));
    expect(t.entryLo(1, 0)).toBe(tableLo(4));
    expect(t.unmap(b - K4, 2 * K4)).toBe(0);
    expect(t.store.inUse).toBe(2);
    // The first page already mapped the same way: try_leaf's -EAGAIN (5.1 step 3) stops a HANDLE_FAULT walk.
    expect(t.map(b - K4, K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.map(b - K4, 2 * K4, 0x8000_0000, RW, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.getLeaf(b)).toEqual({ ret: 0, pte: "0x0", level: 1 });
    expect(t.getLeaf(2 ** 40 - K4)).toEqual({ ret: 0, pte: "0x0", level: 1 });
    expect(t.store.inUse).toBe(4);
    // Without HANDLE_FAULT the -EAGAIN is swallowed and the walk goes on into root page 1.
    expect(t.map(b - K4, 2 * K4, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.getLeaf(b)).toEqual({ ret: 0, pte: "0x400000800017ff", level: 3 });
  });
});

describe("__kvm_pgtable_walk and __kvm_pgtable_visit: the order of visits, the stop rules, the run loops' ranges", () => {
  it("an -EAGAIN with HANDLE_FAULT in one level-3 table stops the whole walk: the next level-2 entry is not visited", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, K4, 0x8000_1000, RW, 0)).toBe(0);
    // 2 MiB + 4K over two level-3 tables, the first page identical: -EAGAIN, nothing else changes.
    expect(t.map(0x4000_0000, M2 + K4, 0x8000_1000, RW, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.getLeaf(0x4000_1000)).toEqual({ ret: 0, pte: "0x0", level: 3 });
    expect(t.getLeaf(0x4020_0000)).toEqual({ ret: 0, pte: "0x0", level: 2 });
    expect(t.store.inUse).toBe(4);
    // relax_perms of an unmapped IPA with HANDLE_FAULT: the attribute walker's -EAGAIN, then the local TLBI at level 0 (5.3).
    t.log.clear();
    expect(t.relaxPerms(0x5000_0000, PROT_R, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.log.toJson()).toEqual([["tlbi_ipa_nsh", "0x50000000", 0]]);
  });

  it("a LOCKED level-3 entry at the start of a two-page HANDLE_FAULT map: one visit, one WARN, -EAGAIN, nothing mapped", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_2000, K4, 0x8000_2000, RW, 0)).toBe(0);
    setRawPte(t, 0x4000_0000, 3, 0x400n);
    // stage2_try_break_pte() on a LOCKED entry outside a shared walk: WARN, false; try_leaf is -EAGAIN, which
    // stops a HANDLE_FAULT walk at that entry (5.0, 5.1 step 5, 4.6).
    expect(t.map(0x4000_0000, 2 * K4, 0x8000_0000, RW, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
    expect(t.warnings).toEqual(["stage2_try_break_pte on a locked entry outside a shared walk"]);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x400");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x0");
  });

  it("a range that ends inside a level-3 table leaves the entries after it; one that crosses into the next table reaches it", () => {
    const t = new KvmPgtable(CFG);
    // Four pages from 0x401f_e000: entries 510 and 511 of one level-3 table (page 3), 0 and 1 of the next (page 5;
    // page 4 in between is the level-3 table of IPA 0x4060_0000, with one leaf at its entry 0).
    expect(t.map(0x401f_e000, 2 * K4, 0x8000_1000, RW, 0)).toBe(0);
    expect(t.map(0x4060_0000, K4, 0x9000_0000, RW, 0)).toBe(0);
    expect(t.map(0x4020_0000, 2 * K4, 0x8000_3000, RW, 0)).toBe(0);
    expect([t.entryLo(2, 0), t.entryLo(2, 1), t.entryLo(2, 3)]).toEqual([tableLo(3), tableLo(5), tableLo(4)]);
    t.log.clear();
    expect(t.flush(0x401f_e000, 4 * K4)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x80001000", "0x1000"],
      ["dcache", "0x80002000", "0x1000"],
      ["dcache", "0x80003000", "0x1000"],
      ["dcache", "0x80004000", "0x1000"],
    ]);
    t.log.clear();
    expect(t.unmap(0x401f_f000, 2 * K4)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x401ff000", 3],
      ["dcache", "0x80002000", "0x1000"],
      ["tlbi_ipa", "0x40200000", 3],
      ["dcache", "0x80003000", "0x1000"],
    ]);
    expect(t.getLeaf(0x401f_e000).pte).toBe("0x400000800017ff");
    expect(t.getLeaf(0x4020_1000).pte).toBe("0x400000800047ff");
    expect(t.getLeaf(0x4020_2000).pte).toBe("0x0");
    expect(t.getLeaf(0x4060_0000).pte).toBe("0x400000900007ff");
  });

  it("a walk that starts inside a block visits it once at the unaligned address, moves on to the next block, then frees the table", () => {
    const t = new KvmPgtable(CFG);
    // Two 2 MiB blocks (PA 2 MiB aligned): level-2 entries 0 and 1; a Normal R+W block is 0x7fd (1.4).
    expect(t.map(0x4000_0000, 2 * M2, 0x8000_0000, RW, 0)).toBe(0);
    expect(t.getLeaf(0x4020_0000)).toEqual({ ret: 0, pte: "0x400000802007fd", level: 2 });
    t.log.clear();
    expect(t.unmap(0x4000_1000, M2)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40001000", 2],
      ["dcache", "0x80000000", "0x200000"],
      ["tlbi_ipa", "0x40200000", 2],
      ["dcache", "0x80200000", "0x200000"],
      // The level-2 table is empty now: TABLE_POST of root entry 1 frees it, TLBI at the walk's address then.
      ["tlbi_ipa", "0x40001000", TLBI_TTL_UNKNOWN],
    ]);
  });

  it("only leaves are visited by the attribute, aging and flush walkers: table descriptors keep exactly PA | 0b11", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, 2 * K4, 0x8000_0000, PROT_R, 0)).toBe(0);
    expect(t.relaxPerms(0x4000_0000, RW | PROT_X, 0)).toBe(0);
    t.mkyoung(0x4000_1000, 0);
    expect(t.testClearYoung(0x4000_0000, 2 * K4, true)).toBe(true);
    expect(t.wrprotect(0x4000_0000, 2 * K4)).toBe(0);
    expect(t.flush(0x4000_0000, 2 * K4)).toBe(0);
    expect([t.entryLo(0, 1), t.entryHi(0, 1), t.entryLo(2, 0), t.entryHi(2, 0)]).toEqual([tableLo(2), TABLE_HI, tableLo(3), TABLE_HI]);
    // The leaves: R+W+X then W cleared, AF cleared by test_clear_young (page 0: 0x7ff - W - AF = 0x37f, no XN).
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x8000037f");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000008000137f");
  });

  it("split of a level-2 block: create_unlinked walks the new table at level 3 (512 pages, AF set, one TLBI of the block)", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, M2, 0x8000_0000, RW, 0)).toBe(0);
    t.log.clear();
    expect(t.split(0x4000_0000, M2)).toBe(0);
    expect(t.log.toJson()).toEqual([["tlbi_ipa", "0x40000000", 2]]);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x400000800007ff", level: 3 });
    expect(t.getLeaf(0x401f_f000)).toEqual({ ret: 0, pte: "0x400000801ff7ff", level: 3 });
    expect(t.store.pageCount(t.childPage(t.entryLo(2, 0), t.entryHi(2, 0)))).toBe(513);
    expect(t.warnings).toEqual([]);
  });
});

describe("pgtable.ts lines 1-400: the shared per-geometry constants (geometryOf) as a table sees them", () => {
  it("the geometry is frozen all the way down and shared by the tables of that geometry", () => {
    const cfg: Stage2Config = { granule: 16384, iaBits: 37, paBits: 40, lpa2: false, fwb: true, tlbRange: true };
    const t = new KvmPgtable(cfg);
    // Table 3.4, 16K IPA 37: start level 2, two concatenated root pages.
    expect([t.geom.startLevel, t.geom.pgdPages]).toEqual([2, 2]);
    expect(new KvmPgtable({ ...cfg, fwb: false }).geom).toBe(t.geom);
    expect(Object.isFrozen(t.geom)).toBe(true);
    expect(Object.isFrozen(t.geom.shifts)).toBe(true);
    expect(Object.isFrozen(t.geom.format)).toBe(true);
    expect(Object.isFrozen(t.geom.vtcr)).toBe(true);
    expect(Object.isFrozen(t.geom.levelInfo)).toBe(true);
    expect(t.geom.levelInfo.every((l) => Object.isFrozen(l))).toBe(true);
    expect(Object.isFrozen(t.config)).toBe(true);
    expect(() => {
      (t.geom.shifts as number[])[3] = 0;
    }).toThrow(TypeError);
  });

  it("an IPA size given as a string is refused even when a table of the same numbers exists (the cache key is typed)", () => {
    const t = new KvmPgtable(CFG);
    expect(t.iaLimit).toBe(2 ** 40);
    const e = thrown(() => new KvmPgtable({ ...CFG, iaBits: "40" as unknown as number }));
    expect(e).toBeInstanceOf(InputError);
  });
});
