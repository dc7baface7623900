// src/pgtable/storage.ts (the table-page arena) against values worked out by
// hand from its documented layout: pages of granule / 4 int32 words, chunks
// of 256 KiB (64 4K pages, 16 16K pages, 4 64K pages) of which the first
// starts a page long and doubles, page PAs at basePa + page * granule with
// basePa = 2^(min(paBits, 48) - 1), the kernel's page_count() as refcount
// (freed at 0, zeroed, reused first), the memory cache (-ENOMEM's NULL when
// empty), the flat arena (copied only once the pages taken since are an
// eighth of the store) and the undo steps. Written for the surviving mutants
// of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/pgtable/args.js";
import { DEFAULT_TABLE_BYTES, MAX_STORE_PAGES, TableStore } from "../../src/pgtable/storage.js";

function take(s: TableStore, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(s.zallocPage());
  return out;
}

describe("geometry and limits", () => {
  it("the constants", () => {
    expect(DEFAULT_TABLE_BYTES).toBe(1073741824);
    expect(MAX_STORE_PAGES).toBe(2147483647);
  });
  it("4K, 16K and 64K: words per page, chunk shift and mask, base PA, default page cap", () => {
    const rows: [number, number, number[]][] = [
      // granule, paBits: pageShift, wordsPerPage, wordsShift, chunkShift, chunkMask, basePa, maxPages
      [4096, 40, [12, 1024, 10, 6, 63, 2 ** 39, 262144]],
      [16384, 48, [14, 4096, 12, 4, 15, 2 ** 47, 65536]],
      [65536, 52, [16, 16384, 14, 2, 3, 2 ** 47, 16384]],
      [4096, 32, [12, 1024, 10, 6, 63, 2 ** 31, 262144]],
      [65536, 32, [16, 16384, 14, 2, 3, 2 ** 31, 16384]],
    ];
    for (const [g, pa, want] of rows) {
      const s = new TableStore(g, pa);
      expect([s.pageShift, s.wordsPerPage, s.wordsShift, s.chunkShift, s.chunkMask, s.basePa, s.maxPages], `${g} ${pa}`).toEqual(want);
      expect(s.granule).toBe(g);
    }
  });
  it("maxPages: as asked, but never pages whose PAs would leave the upper half of the PA space", () => {
    expect(new TableStore(4096, 40, { maxPages: 5 }).maxPages).toBe(5);
    // 64K pages from 2^31: 2^31 / 2^16 = 32768 fit.
    expect(new TableStore(65536, 32, { maxPages: 100000 }).maxPages).toBe(32768);
    expect(new TableStore(65536, 32, { maxPages: 32767 }).maxPages).toBe(32767);
    expect(new TableStore(4096, 40, { maxPages: MAX_STORE_PAGES }).maxPages).toBe(2 ** 27);
    expect(new TableStore(4096, 40, {}).maxPages).toBe(262144);
  });
  it("refuses a granule, PA size or storage option it does not know", () => {
    const msg = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ArgumentError);
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(msg(() => new TableStore(8192, 40))).toBe("granule: 8192 is not 4096, 16384 or 65536");
    expect(msg(() => new TableStore(4096, 31))).toBe("paBits: 31 is not an integer in 32..52");
    expect(msg(() => new TableStore(4096, 53))).toBe("paBits: 53 is not an integer in 32..52");
    expect(msg(() => new TableStore(4096, 52))).toBe("accepted");
    expect(msg(() => new TableStore(4096, 40, { maxpages: 1 } as never))).toBe("storage.maxpages: unknown option (known: maxPages)");
    expect(msg(() => new TableStore(4096, 40, { maxPages: 0 }))).toBe("storage.maxPages: 0 is not a whole number of table pages in 1..2147483647");
    expect(msg(() => new TableStore(4096, 40, { maxPages: 2 ** 31 }))).toMatch(/^storage\.maxPages: 2147483648 is not/);
    expect(msg(() => new TableStore(4096, 40, null as never))).toBe("storage: null is not an object");
  });
  it("page offsets, chunks and PAs; a PA back to its page", () => {
    const s = new TableStore(4096, 40);
    take(s, 3);
    expect([s.pageOffset(0), s.pageOffset(2), s.pageOffset(65), s.pageOffset(127)]).toEqual([0, 2048, 1024, 63 * 1024]);
    expect(s.pagePa(3)).toBe(2 ** 39 + 3 * 4096);
    expect(s.paToPage(2 ** 39)).toBe(0);
    expect(s.paToPage(2 ** 39 + 2 * 4096)).toBe(2);
    expect(s.paToPage(2 ** 39 + 3 * 4096)).toBe(-1); // not taken yet
    expect(s.paToPage(2 ** 39 - 4096)).toBe(-1);
    expect(s.paToPage(2 ** 39 - 2 * 4096)).toBe(-1);
    expect(s.paToPage(2 ** 39 + 100)).toBe(-1);
    expect(s.chunkOf(2)).toBe(s.chunks[0]);
  });
});

describe("taking pages: the first chunk doubles, then 256 KiB chunks", () => {
  it("4K pages: the first chunk 1, 2, 4, 4, 8 ... 64 pages, then a second chunk; refcounts double", () => {
    const s = new TableStore(4096, 40);
    expect(s.bytes()).toBe(8); // two refcounts
    const lens: number[] = [];
    const gens: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(s.zallocPage()).toBe(i);
      lens.push(s.chunks[0].length / 1024);
      gens.push(s.chunkGen);
    }
    expect(lens).toEqual([1, 2, 4, 4, 8]);
    expect(gens).toEqual([0, 1, 2, 2, 3]);
    expect(s.refcount.length).toBe(8);
    expect(s.bytes()).toBe(8 * 4 + 8 * 4096);
    take(s, 60); // pages 5..64
    expect(s.chunks.length).toBe(2);
    expect(s.chunks[0].length).toBe(65536);
    expect(s.chunks[1].length).toBe(65536);
    expect(s.chunkGen).toBe(6);
    expect(s.refcount.length).toBe(128);
    expect(s.bump).toBe(65);
    expect(s.inUse).toBe(65);
    expect(s.allocations).toBe(65);
    expect(s.bytes()).toBe(128 * 4 + 2 * 262144);
  });
  it("64K pages: four to a chunk", () => {
    const s = new TableStore(65536, 48);
    take(s, 5);
    expect(s.chunks.map((c) => c.length / 16384)).toEqual([4, 4]);
  });
  it("a full store: -1, nothing counted", () => {
    const s = new TableStore(4096, 40, { maxPages: 3 });
    expect(take(s, 4)).toEqual([0, 1, 2, -1]);
    expect([s.bump, s.inUse, s.allocations]).toEqual([3, 3, 3]);
  });
  it("zallocPagesExact: n contiguous pages of an empty store, refused on one that is not", () => {
    const s = new TableStore(16384, 48);
    expect(s.zallocPagesExact(4)).toBe(0);
    expect([s.bump, s.inUse]).toEqual([4, 4]);
    expect(() => s.zallocPagesExact(1)).toThrow(/^zallocPagesExact on a non-empty store$/);
    const t = new TableStore(4096, 40, { maxPages: 2 });
    expect(() => t.zallocPagesExact(3)).toThrow(/^PGD pages are not contiguous$/);
  });
});

describe("page_count, freeing and reuse", () => {
  it("get_page and put_page count; at 0 the page is zeroed, goes on the free stack and is taken first", () => {
    const s = new TableStore(4096, 40);
    take(s, 3);
    expect(s.pageCount(1)).toBe(1);
    s.getPage(1);
    expect(s.pageCount(1)).toBe(2);
    const c = s.chunkOf(1);
    c[s.pageOffset(1) + 5] = 0x1234;
    c[s.pageOffset(1) + 1023] = -1;
    expect(Array.from(s.copyPage(1).subarray(4, 6))).toEqual([0, 0x1234]);
    s.putPage(1);
    expect([s.pageCount(1), s.inUse, s.isAllocated(1)]).toEqual([1, 3, true]);
    const before = s.bytes();
    s.putPage(1);
    expect([s.pageCount(1), s.inUse, s.isAllocated(1)]).toEqual([0, 2, false]);
    // The free stack is allocated with the first free: as many slots as refcounts (4).
    expect(s.bytes()).toBe(before + 16);
    expect(c[s.pageOffset(1) + 5]).toBe(0);
    expect(c[s.pageOffset(1) + 1023]).toBe(0);
    expect(s.zallocPage()).toBe(1);
    expect(s.lastTakeGrew).toBe(false);
    expect(s.zallocPage()).toBe(3);
    expect(s.lastTakeGrew).toBe(true);
    expect([s.isAllocated(-1), s.isAllocated(3), s.isAllocated(4)]).toEqual([false, true, false]);
  });
  it("the free stack grows with the pages freed", () => {
    // The first free makes a stack of two (the refcounts then); seven frees later it has grown to eight.
    const s = new TableStore(4096, 40);
    take(s, 2);
    s.putPage(0);
    expect(s.bytes()).toBe(8 + 8 + 2 * 4096);
    expect(take(s, 6)).toEqual([0, 2, 3, 4, 5, 6]);
    // One free with room on the stack: it stays two slots (8 bytes), though there are 8 refcounts now.
    s.putPage(1);
    expect(s.bytes()).toBe(32 + 8 + 8 * 4096);
    expect(s.zallocPage()).toBe(1);
    for (const p of [0, 1, 2, 3, 4, 5, 6]) s.putPage(p);
    expect(s.inUse).toBe(0);
    expect(s.bytes()).toBe(32 + 32 + 8 * 4096);
    expect(take(s, 8)).toEqual([6, 5, 4, 3, 2, 1, 0, 7]);
  });
  it("the memory cache: pages left per operation, then NULL; Infinity is unlimited", () => {
    const s = new TableStore(4096, 40, { maxPages: 2 });
    expect([s.memcache, s.memcacheIsLimited]).toEqual([Infinity, false]);
    s.memcache = 3;
    expect([s.memcache, s.memcacheIsLimited]).toEqual([3, true]);
    expect(s.zallocPage()).toBe(0);
    expect(s.memcache).toBe(2);
    expect(s.zallocPage()).toBe(1);
    // The store is full: NULL, and the cache keeps its page.
    expect(s.zallocPage()).toBe(-1);
    expect(s.memcache).toBe(1);
    s.memcache = 0;
    expect(s.zallocPage()).toBe(-1);
    s.putPage(1);
    expect(s.zallocPage()).toBe(-1);
    s.memcache = Infinity;
    expect([s.memcache, s.memcacheIsLimited]).toEqual([Infinity, false]);
    expect(s.zallocPage()).toBe(1);
    expect(() => (s.memcache = -1)).toThrow(/^memcache: -1 is not a whole number of pages \(or Infinity\) in 0\.\.2147483647$/);
    expect(() => (s.memcache = 1.5)).toThrow(ArgumentError);
  });
});

describe("the flat arena", () => {
  it("one chunk: flat as it is, for the pages its length holds", () => {
    const s = new TableStore(4096, 40);
    take(s, 3);
    expect(s.flatten()).toBe(true);
    expect(s.flat).toBe(s.chunks[0]);
    expect(s.flatPages).toBe(4);
    take(s, 1); // page 3: still in the 4-page chunk
    expect(s.flatten()).toBe(true);
    take(s, 1); // page 4: the chunk doubles, the flat arena is gone
    expect([s.flat.length, s.flatPages]).toEqual([0, 0]);
    expect(s.flatten()).toBe(true);
    expect(s.flatPages).toBe(8);
  });
  it("chunks copied into one array; pages taken since are copied in only once they are an eighth of the store", () => {
    const s = new TableStore(4096, 40);
    take(s, 65);
    s.chunks[1][5] = 77; // page 64, word 5
    const gen = s.chunkGen;
    expect(s.flatten()).toBe(true);
    expect(s.chunkGen).toBe(gen + 1);
    expect(s.flat.length).toBe(131072);
    expect(s.flatPages).toBe(128);
    expect(s.flat[(64 << 10) + 5]).toBe(77);
    expect(s.chunks[1].buffer).toBe(s.flat.buffer);
    expect(s.chunks[0].buffer).toBe(s.flat.buffer);
    expect(s.bytes()).toBe(128 * 4 + 131072 * 4);
    // Writes through a chunk are writes to the flat arena.
    s.chunks[1][7] = 88;
    expect(s.flat[(64 << 10) + 7]).toBe(88);
    take(s, 63); // pages 65..127: inside the copied chunks
    expect(s.flatten()).toBe(true);
    take(s, 18); // pages 128..145: a third chunk, 18 pages: 18 * 8 < 146
    expect(s.flatten()).toBe(false);
    expect(s.flatPages).toBe(128);
    expect(s.bytes()).toBe(256 * 4 + 131072 * 4 + 262144);
    take(s, 1); // 147 pages, 19 since: 19 * 8 >= 147
    expect(s.flatten()).toBe(true);
    expect(s.flatPages).toBe(192);
    expect(s.flat.length).toBe(196608);
    expect(s.flat[(64 << 10) + 5]).toBe(77);
  });
  it("64K pages (four to a chunk): 28 flat, 4 taken since make an eighth of 32 exactly: copied", () => {
    const s = new TableStore(65536, 48);
    take(s, 28);
    expect(s.flatten()).toBe(true);
    expect(s.flatPages).toBe(28);
    take(s, 3); // 31 pages, 3 since: 24 < 31
    expect(s.flatten()).toBe(false);
    take(s, 1); // 32 pages, 4 since: 32 is not below 32
    expect(s.flatten()).toBe(true);
    expect(s.flatPages).toBe(32);
  });
});

describe("undo: each step's exact inverse", () => {
  it("unTake of a page the bump pointer gave: the page, its chunk or the first chunk's doubling never existed", () => {
    const s = new TableStore(4096, 40);
    take(s, 2);
    expect(s.zallocPage()).toBe(2); // the first chunk doubles to 4 pages
    expect(s.chunkGen).toBe(2);
    s.unTake(2, true, false);
    expect([s.bump, s.inUse, s.allocations, s.chunks[0].length, s.chunkGen]).toEqual([2, 2, 2, 2048, 3]);
    expect(take(s, 2)).toEqual([2, 3]);
    s.unTake(3, true, false); // 3 is not a power of two: the chunk keeps its size
    expect([s.bump, s.chunks[0].length]).toEqual([3, 4096]);
    // The first page of a new chunk: the chunk goes too, and the flat arena ends before it.
    const t = new TableStore(4096, 40);
    take(t, 65);
    expect(t.flatten()).toBe(true);
    t.unTake(64, true, false);
    expect([t.bump, t.chunks.length, t.flatPages]).toEqual([64, 1, 64]);
    expect(t.zallocPage()).toBe(64);
    expect(t.chunks.length).toBe(2);
    expect(t.chunks[1].buffer).not.toBe(t.flat.buffer);
    // A one-page store made flat, its page undone: no page, no chunk, and the flat arena's bytes are not counted.
    const v = new TableStore(4096, 40);
    take(v, 1);
    expect(v.flatten()).toBe(true);
    expect(v.bytes()).toBe(8 + 4096);
    v.unTake(0, true, false);
    expect([v.bump, v.chunks.length, v.flatPages, v.bytes()]).toEqual([0, 0, 0, 8]);
    // Never made flat: still not flat after the undo.
    const u = new TableStore(4096, 40);
    take(u, 65);
    u.unTake(64, true, false);
    expect([u.bump, u.chunks.length, u.flatPages]).toEqual([64, 1, 0]);
  });
  it("unTake of a page from the free stack, or not the last one grown: back on the free stack; the cache gets its page back", () => {
    const s = new TableStore(4096, 40);
    take(s, 3);
    s.putPage(1);
    s.memcache = 5;
    expect(s.zallocPage()).toBe(1);
    expect(s.memcache).toBe(4);
    s.unTake(1, false, true);
    expect([s.memcache, s.inUse, s.pageCount(1), s.bump]).toEqual([5, 2, 0, 3]);
    expect(s.zallocPage()).toBe(1);
    // Grown, but not the last page: freed instead.
    s.unTake(0, true, false);
    expect(s.bump).toBe(3);
    expect(s.memcache).toBe(4); // not from the cache: nothing given back
    expect(s.zallocPage()).toBe(0);
    expect(s.memcache).toBe(3);
    // From the cache while the cache is unlimited: nothing to give back.
    s.memcache = Infinity;
    s.unTake(2, false, true);
    expect(s.memcache).toBe(Infinity);
  });
  it("unFree: the last page freed, with its words back and a count of 1", () => {
    const s = new TableStore(4096, 40);
    take(s, 3);
    const c = s.chunkOf(2);
    c[s.pageOffset(2) + 9] = 99;
    const words = s.copyPage(2);
    s.putPage(1);
    s.putPage(2);
    expect(() => s.unFree(1, words)).toThrow(/^TableStore\.unFree\(1\): not the last page freed$/);
    s.unFree(2, words);
    expect([s.pageCount(2), s.inUse, c[s.pageOffset(2) + 9]]).toEqual([1, 2, 99]);
    s.unFree(1, new Int32Array(1024));
    expect(() => s.unFree(0, new Int32Array(1024))).toThrow(/not the last page freed/);
    expect(s.zallocPage()).toBe(3);
  });
});
