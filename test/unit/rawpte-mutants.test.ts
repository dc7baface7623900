// src/pgtable/rawpte.ts (s2pt's model-only set_pte) against hand-worked
// values: the Arm ARM's contiguous run sizes (ContiguousSize: 16 entries for
// 4K, 32 at level 2 and 128 at level 3 for 16K, 32 for 64K), the tables
// kvm_init_table_pte() would make above the entry (VALID | TABLE | the next
// table's PA), the kernel's counting rule (a non-zero entry holds a reference
// on its table page) and every refusal the module comment lists. Written for
// the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/pgtable/args.js";
import { PROT_R } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { contiguousBits, setRawPte } from "../../src/pgtable/rawpte.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };
const M2 = 2 ** 21;

function refused(f: () => unknown, arg: string, msg: RegExp): void {
  let e: unknown = null;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(ArgumentError);
  expect((e as ArgumentError).arg).toBe(arg);
  expect((e as Error).message).toMatch(msg);
}

describe("contiguousBits (ContiguousSize)", () => {
  it("4K: 16 entries at every level; 16K: 32 at level 2, 128 at level 3; 64K: 32", () => {
    expect([0, 1, 2, 3].map((l) => contiguousBits(4096, l))).toEqual([4, 4, 4, 4]);
    expect([2, 3].map((l) => contiguousBits(16384, l))).toEqual([5, 7]);
    expect(contiguousBits(16384, 1)).toBe(7);
    expect([2, 3].map((l) => contiguousBits(65536, l))).toEqual([5, 5]);
    refused(() => contiguousBits(8192, 3), "granule", /8192/);
    refused(() => contiguousBits(4096, 4), "level", /4/);
    refused(() => contiguousBits(4096, -2), "level", /-2/);
  });
});

describe("setRawPte", () => {
  it("makes the tables above the entry as kvm_init_table_pte() does, counting each new entry on its page", () => {
    const t = new KvmPgtable(CFG);
    const r = setRawPte(t, 2 ** 39 + 0x4060_5000, 3, 0x0040_0000_8000_07dbn);
    // Root page 1 (bit 39), level-1 entry 1 -> a level-2 table for the 1 GiB at 0x80_4000_0000; its entry 3 -> a level-3 table.
    expect(r).toEqual({
      tables: [
        { level: 2, ipa: "0x8040000000" },
        { level: 3, ipa: "0x8040600000" },
      ],
      old: "0x0",
    });
    expect(t.entryLo(t.pgd + 1, 1) & 0xfff).toBe(3);
    expect(t.entryHi(t.pgd + 1, 1)).toBe(0x8000);
    const l2 = t.childPage(t.entryLo(t.pgd + 1, 1), 0x8000);
    const l3 = t.childPage(t.entryLo(l2, 3), t.entryHi(l2, 3));
    expect([t.entryLo(l3, 5), t.entryHi(l3, 5)]).toEqual([0x8000_07db, 0x0040_0000]);
    expect([t.store.pageCount(t.pgd + 1), t.store.pageCount(l2), t.store.pageCount(l3)]).toEqual([2, 2, 2]);
    expect(t.getLeaf(2 ** 39 + 0x4060_5000)).toEqual({ ret: 0, pte: "0x400000800007db", level: 3 });
    // The same entry again: no new table, the old value reported; zero drops the reference.
    expect(setRawPte(t, 2 ** 39 + 0x4060_5000, 3, 0x400n)).toEqual({ tables: [], old: "0x400000800007db" });
    expect(t.store.pageCount(l3)).toBe(2);
    expect(setRawPte(t, 2 ** 39 + 0x4060_5000, 3, 0n)).toEqual({ tables: [], old: "0x400" });
    expect(t.store.pageCount(l3)).toBe(1);
    expect(setRawPte(t, 2 ** 39 + 0x4060_5000, 3, 0n).old).toBe("0x0");
    expect(t.store.pageCount(l3)).toBe(1);
  });
  it("the store hook sees each store, old and new halves, before it is made", () => {
    const t = new KvmPgtable(CFG);
    const seen: number[][] = [];
    t.storeHook = (page, index, oldLo, oldHi, newLo, newHi) => {
      seen.push([page, index, oldLo, oldHi, newLo, newHi]);
    };
    setRawPte(t, 0x4000_0000, 2, 0x8000_0759n);
    expect(seen.length).toBe(2);
    expect(seen[0].slice(0, 4)).toEqual([t.pgd, 1, 0, 0]);
    expect(seen[1]).toEqual([t.childPage(seen[0][4], seen[0][5]), 0, 0, 0, 0x8000_0759, 0]);
  });
  it("a map after set_pte does not go through the one-page map's stale way", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, 4096, 0x8000_0000, PROT_R, 0);
    // Unmap through set_pte (the page's entry, then the map of its neighbour must still find the table).
    setRawPte(t, 0x4000_0000, 3, 0n);
    expect(t.map(0x4000_1000, 4096, 0x8000_1000, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000008000175b");
  });
  it("refuses what the module comment lists, naming the argument, before anything changes", () => {
    const t = new KvmPgtable(CFG);
    const before = t.store.inUse;
    refused(() => setRawPte(t, 0x4000_0000, 0, 0n), "level", /^level: 0 is above the start level 1 of this geometry \(VTCR_EL2\.SL0\)$/);
    refused(() => setRawPte(t, 0x4000_0000, 4, 0n), "level", /level/);
    refused(() => setRawPte(t, 2 ** 40, 3, 0n), "ipa", /^ipa: 0x10000000000 is beyond the 40-bit IPA space \(VTCR_EL2\.T0SZ = 24\)$/);
    refused(() => setRawPte(t, 0x4000_1000, 2, 0n), "ipa", /^ipa: 0x40001000 is not aligned to the level-2 entry size 0x200000$/);
    refused(() => setRawPte(t, 0x4000_0000, 2, 0x8000_0003n), "pte", /^pte: 0x80000003 is a table descriptor \(bits\[1:0\] = 0b11 at level 2\)/);
    refused(
      () => setRawPte(t, 0x4000_0000, 3, 0x8000_0001n),
      "pte",
      /^pte: 0x80000001 is a block descriptor \(bits\[1:0\] = 0b01\) at level 3, where the 4K granule has no blocks/,
    );
    expect(t.store.inUse).toBe(before);
    // A table descriptor is a leaf (page) at level 3; an invalid entry with the type bits is stored as given.
    expect(setRawPte(t, 0x4000_0000, 3, 0x8000_0003n).old).toBe("0x0");
    expect(setRawPte(t, 0x4000_0000 + M2, 2, 0x2n).old).toBe("0x0");
  });
  it("a Contiguous leaf must sit at its run's index: OA and IPA agree in the bits the run spans", () => {
    const t = new KvmPgtable(CFG);
    const CONT = 1n << 52n;
    // 4K pages, runs of 16: IPA 0x4000_3000 is entry 3 of its run, so must the OA be.
    expect(setRawPte(t, 0x4000_3000, 3, CONT | 0x8000_37dbn).old).toBe("0x0");
    refused(() => setRawPte(t, 0x4000_4000, 3, CONT | 0x8000_57dbn), "pte", /is entry 5 of its 0x10000 run but the IPA is entry 4/);
    // Level-2 blocks, runs of 16 x 2M = 32M.
    refused(() => setRawPte(t, 0x4020_0000, 2, CONT | 0x8000_0759n), "pte", /entry 0 of its 0x2000000 run but the IPA is entry 1/);
    expect(setRawPte(t, 0x4020_0000, 2, CONT | 0x8020_0759n).old).toBe("0x0");
  });
  it("a block or an annotation above the entry, or a table at it, is refused", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, M2, 0x8000_0000, PROT_R, 0);
    refused(
      () => setRawPte(t, 0x4000_1000, 3, 0n),
      "ipa",
      /^ipa: 0x40001000 is covered by the level-2 block 0x40000080000759: set_pte makes tables only in empty entries \(unmap it first\)$/,
    );
    setRawPte(t, 0x4020_0000, 2, 0x4n);
    refused(() => setRawPte(t, 0x4020_1000, 3, 0n), "ipa", /is covered by the level-2 invalid entry 0x4:/);
    t.map(0x4040_0000, 4096, 0x8000_0000, PROT_R, 0);
    refused(() => setRawPte(t, 0x4040_0000, 2, 0n), "ipa", /^ipa: 0x40400000: the level-2 entry is a table \(a subtree of mappings\): set_pte would orphan it/);
    refused(() => setRawPte(t, 0x4000_0000, 1, 0n), "ipa", /the level-1 entry is a table/);
  });
  it("the tables still missing must fit the store's cap; a destroyed table and a non-table are refused", () => {
    const t = new KvmPgtable(CFG, { maxPages: 3 });
    refused(
      () => setRawPte(t, 0x4000_0000, 3, 0x7dbn),
      "ipa",
      /^ipa: the 2 table page\(s\) set_pte needs above level 3 would pass the table's cap of 3 pages$/,
    );
    expect(t.store.inUse).toBe(2);
    expect(setRawPte(t, 0x4000_0000, 2, 0x759n).tables).toEqual([{ level: 2, ipa: "0x40000000" }]);
    const d = new KvmPgtable(CFG);
    d.destroy();
    refused(() => setRawPte(d, 0, 3, 0n), "pgt", /^pgt: the table is destroyed$/);
    refused(() => setRawPte({} as never, 0, 3, 0n), "pgt", /pgt/);
    refused(() => setRawPte(t, -1, 3, 0n), "ipa", /ipa/);
    refused(() => setRawPte(t, 0, 3, -1n), "pte", /pte/);
  });
});

describe("setRawPte's messages and the memory cache", () => {
  it("names what it expected", () => {
    const t = new KvmPgtable(CFG);
    refused(() => setRawPte(t, 0, 7, 0n), "level", /^level: 7 is not a level \(-1\.\.3\) in -1\.\.3$/);
    refused(() => setRawPte({} as never, 0, 3, 0n), "pgt", /is not a KvmPgtable/);
    refused(() => contiguousBits(4096, 9), "level", /^level: 9 is not a level \(-1\.\.3\) in -1\.\.3$/);
  });
  it("takes its tables from the store, not the memory cache, and leaves the cache as it was", () => {
    const t = new KvmPgtable(CFG);
    t.store.memcache = 1;
    expect(setRawPte(t, 0x4000_0000, 3, 0x7dbn).tables.length).toBe(2);
    expect(t.store.memcache).toBe(1);
  });
});
