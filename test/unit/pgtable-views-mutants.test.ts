// src/pgtable/pgtable.ts: its read-only views (entryLo, childPage,
// granuleSize, isTable) and its one-page map's cached last-level table, against
// values worked out by hand from kernel-reference.md sections 1-3 (descriptor
// bits, kvm_phys_to_pte, kvm_granule_size) and 5.1 (a page map through tables).
// Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { TableMemoryError } from "../../src/pgtable/storage.js";

const K4 = 4096;
const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };

function argError(f: () => unknown, arg: string, msg: RegExp): void {
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

describe("the read-only views", () => {
  const t = new KvmPgtable(CFG);
  t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
  it("entryLo / entryHi refuse an index outside 0..PTRS_PER_PTE-1 and a page the store never handed out, naming which", () => {
    argError(() => t.entryLo(t.pgd, 512), "index", /^index: 512 is not an entry index in 0\.\.511/);
    argError(() => t.entryHi(t.pgd, -1), "index", /-1 is not an entry index in 0\.\.511/);
    argError(() => t.entryLo(t.pgd, 0.5), "index", /0\.5 is not an entry index/);
    argError(() => t.entryHi(t.pgd, "1" as unknown as number), "index", /not an entry index/);
    argError(() => t.entryLo(t.store.bump, 0), "page", new RegExp(`${t.store.bump} is not a page of the table's store \\(0\\.\\.${t.store.bump - 1}\\)`));
    argError(() => t.entryHi(-1, 0), "page", /-1 is not a page/);
    argError(() => t.entryLo(1.5, 0), "page", /1\.5 is not a page/);
    argError(() => t.entryHi("0" as unknown as number, 0), "page", /is not a page/);
    // The last page and the last index are readable; a page the store has is read whatever its state.
    expect(t.entryLo(t.store.bump - 1, 511)).toBe(0);
    expect(t.entryHi(t.store.bump - 1, 511)).toBe(0);
    expect(t.entryHi(t.pgd, 1)).toBe(0x8000);
    expect(t.entryLo(t.pgd, 1) & 0xfff).toBe(3);
  });
  it("childPage takes unsigned 32-bit halves: a bad low half is named `lo`, a bad high half `hi`", () => {
    argError(() => t.childPage(-1, 0), "lo", /^lo: -1 is not an unsigned 32-bit half/);
    argError(() => t.childPage(2 ** 32, 0), "lo", /4294967296/);
    argError(() => t.childPage(3, -1), "hi", /^hi: -1 is not/);
    argError(() => t.childPage(3, 0.5), "hi", /0\.5/);
    argError(() => t.childPage("3" as unknown as number, 0), "lo", /is not an unsigned/);
    argError(() => t.childPage(3, "0" as unknown as number), "hi", /is not an unsigned/);
    // Table pages are at 2^47 + page * 4K (storage.ts): the descriptor 0x8000_0000_3003 is page 3, the
    // store's last (bump 4). Pages from 4 up (0x8000_0000_4003 is page 4, 0x8000_ffff_f003 page 0xfffff,
    // 0x8001_0000_0003 page 0x100000) are not the store's: TableMemoryError (table-memory-error.test.ts).
    expect(t.store.bump).toBe(4);
    expect(t.childPage(0x3003, 0x8000)).toBe(3);
    expect(t.childPage(0x2003, 0x8000)).toBe(2);
    for (const [lo, hi] of [
      [0x4003, 0x8000],
      [0xffff_f003, 0x8000],
      [0x3, 0x8001],
    ])
      expect(() => t.childPage(lo, hi)).toThrow(TableMemoryError);
  });
  it("granuleSize(level) is kvm_granule_size: 2^((PAGE_SHIFT - 3) * (4 - level) + 3); levels outside -1..3 are refused", () => {
    expect([-1, 0, 1, 2, 3].map((l) => t.granuleSize(l))).toEqual([2 ** 48, 2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12]);
    const s = new KvmPgtable({ ...CFG, granule: 16384, iaBits: 47 });
    expect([0, 1, 2, 3].map((l) => s.granuleSize(l))).toEqual([2 ** 47, 2 ** 36, 2 ** 25, 2 ** 14]);
    const b = new KvmPgtable({ ...CFG, granule: 65536, iaBits: 42 });
    expect([1, 2, 3].map((l) => b.granuleSize(l))).toEqual([2 ** 42, 2 ** 29, 2 ** 16]);
    for (const bad of [-2, 4, 1.5, NaN]) argError(() => t.granuleSize(bad), "level", /level/);
    argError(() => t.granuleSize("1" as unknown as number), "level", /level/);
  });
  it("isTable is kvm_pte_table: valid and type bit set, below the last level", () => {
    expect(t.isTable(3, 2)).toBe(true);
    expect(t.isTable(3, -1)).toBe(true);
    expect(t.isTable(3, 3)).toBe(false);
    expect(t.isTable(1, 2)).toBe(false);
    expect(t.isTable(2, 2)).toBe(false);
    expect(t.isTable(0x8000_0003, 0)).toBe(true);
    for (const bad of [-2, 4, 0.5]) argError(() => t.isTable(3, bad), "level", /level/);
  });
});

describe("leaves above 2^48 (kvm_phys_to_pte, kernel-reference 1.2)", () => {
  it("4K with LPA2: PA[49:48] in the high half, PA[51:50] in bits 9:8, no SH", () => {
    const t = new KvmPgtable({ granule: 4096, iaBits: 52, paBits: 52, lpa2: true, fwb: true, tlbRange: false });
    // FWB R page without SH: valid, page, MemAttr 6, S2AP R, AF = 0x45B; XN.
    expect(t.map(0x4000_0000, K4, 2 ** 48 + 0x1000, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4100000000145b");
    expect(t.map(0x4000_1000, K4, 2 ** 50, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000000000055b");
    expect(t.log.toJson()).toEqual([
      ["dcache", "0x1000000001000", "0x1000"],
      ["dcache", "0x4000000000000", "0x1000"],
    ]);
  });
  it("64K with a 52-bit PA: PA[51:48] in bits 15:12", () => {
    const t = new KvmPgtable({ granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: true, tlbRange: false });
    expect(t.map(0x4000_0000, 65536, 2 ** 48 + 0x10000, PROT_R | PROT_W, 0)).toBe(0);
    // FWB R|W page with SH: 0x7DB; OA[47:16] = 0x1, OA[51:48] = 1 -> bits 15:12.
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x400000000117db", level: 3 });
    // A 512 MiB block at 2^51: OA[51:48] = 8 -> bits 15:12 = 0x8000; block type, R only: XN
    expect(t.map(0x2000_0000, 2 ** 29, 2 ** 51, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x2000_0000)).toEqual({ ret: 0, pte: "0x40000000008759", level: 2 });
  });
});

describe("the one-page map's cached last-level table follows every change of the way to it", () => {
  it("a page map after the tables on its way were freed by unmap makes them again", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0)).toBe(0);
    expect(t.unmap(0x4000_0000, K4)).toBe(0);
    expect(t.store.inUse).toBe(2);
    expect(t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4000_1000)).toEqual({ ret: 0, pte: "0x4000008000175b", level: 3 });
    expect(t.store.inUse).toBe(4);
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    const l3 = t.childPage(t.entryLo(l2, 0), t.entryHi(l2, 0));
    expect(t.store.pageCount(l3)).toBe(2);
    expect(t.store.pageCount(l2)).toBe(2);
  });
  it("a page map after a block replaced its level-3 table goes through the block's break, not into the freed table", () => {
    const t = new KvmPgtable(CFG);
    t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0);
    t.map(0x4000_0000, 2 ** 21, 0x9000_0000, PROT_R, 0);
    t.log.clear();
    expect(t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, 0)).toBe(0);
    // The block is broken (tlbi_ipa at level 2), a new level-3 table holds only the new page.
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40001000", 2],
      ["dcache", "0x80001000", "0x1000"],
    ]);
    expect(t.getLeaf(0x4000_0000)).toEqual({ ret: 0, pte: "0x0", level: 3 });
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000008000175b");
  });
  it("pages mapped across many last-level tables (the store growing under the cache) each land in their own table", () => {
    const t = new KvmPgtable(CFG);
    // One page in each of 600 level-3 tables (2 MiB apart): 600 + 2 level-2 tables + 2 root pages.
    for (let i = 0; i < 600; i++) expect(t.map(0x4000_0000 + i * 2 ** 21, K4, 0x8000_0000 + i * K4, PROT_R, 0)).toBe(0);
    // And a second page in the first table, whose cache entry is long gone.
    expect(t.map(0x4000_1000, K4, 0x9000_0000, PROT_R, 0)).toBe(0);
    expect(t.store.inUse).toBe(2 + 2 + 600);
    for (const i of [0, 1, 511, 512, 599]) expect(t.getLeaf(0x4000_0000 + i * 2 ** 21).pte).toBe(`0x400000${(0x8000_0000 + i * K4 + 0x75b).toString(16)}`);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000009000075b");
  });
  it("a run of page maps through one cached table, then a page map into an entry in use is the generic walk's (break, TLBI)", () => {
    const t = new KvmPgtable({ ...CFG, fwb: false });
    for (let i = 0; i < 4; i++) t.map(0x4000_0000 + i * K4, K4, 0x8000_0000 + i * K4, PROT_R | PROT_W, 0);
    t.log.clear();
    expect(t.map(0x4000_2000, K4, 0x9000_0000, PROT_R, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([
      ["tlbi_ipa", "0x40002000", 3],
      ["dcache", "0x90000000", "0x1000"],
    ]);
    // No FWB: Normal 0xF, R, SH, AF, page = 0x77F.
    expect(t.getLeaf(0x4000_2000).pte).toBe("0x4000009000077f");
    expect(t.getLeaf(0x4000_3000).pte).toBe("0x400000800037ff");
  });
});
