// A table descriptor pointing outside the table store (only a direct write
// into the store's memory makes one): every operation that would follow it
// stops with a TableMemoryError naming the descriptor, never a TypeError from
// reading past the store's arrays, and never a silent count change on a page
// that does not exist. Expected words are worked by hand from
// kernel-reference.md (kvm_init_table_pte(): the next table's PA | TABLE |
// VALID; table pages from PA 2^47 up for a 48-bit PA space, storage.ts).
import { describe, expect, it } from "vitest";
import { GetLeafBatch } from "../../src/pgtable/getleaf.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { TableMemoryError } from "../../src/pgtable/storage.js";
import { InputError } from "../../src/pgtable/u64.js";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";

const RW = PROT_R | PROT_W;
/** 4K granule, 40-bit IPA: start level 1 over 2 root pages (pages 0 and 1 of the store). */
const CFG = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false } as const;

/** The word offset of entry `index` of store page `page` in the store's first chunk (4K: 1024 words a page). */
function at(page: number, index: number): number {
  return page * 1024 + 2 * index;
}

/**
 * A table with IPA 0x40000000 mapped (level-1 entry 1 of root page 0 -> level-2 table page 2 -> level-3
 * table page 3), whose level-1 entry is then rewritten, as another agent writing the memory would, to
 * point at page `page` (PA 2^47 + page * 4K).
 */
function scribbled(page: number): KvmPgtable {
  const p = new KvmPgtable(CFG);
  expect(p.map(0x40000000, 4096, 0x80000000, RW, 0)).toBe(0);
  const c = p.store.chunks[0];
  // kvm_init_table_pte(page 2): 0x0000800000002003, as the kernel writes it.
  expect([c[at(0, 1)] >>> 0, c[at(0, 1) + 1] >>> 0]).toEqual([0x00002003, 0x00008000]);
  c[at(0, 1)] = ((page << 12) | 3) >>> 0;
  // What a direct store must tell the table (its one-page map caches the way down).
  p.tablesWritten();
  return p;
}

function stopsAt(f: () => unknown, descriptor: string): void {
  let e: unknown = null;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(TableMemoryError);
  expect(e).toBeInstanceOf(InputError);
  const m = (e as Error).message;
  expect(m).toContain(`the table descriptor ${descriptor} points at a next-level table outside the table store`);
  // Pages 0..3 are the store's (bump 4): PA 0x800000000000 .. 0x800000003fff.
  expect(m).toContain("(its pages are at 0x800000000000..0x800000003fff)");
  expect(m).not.toContain("\n");
}

describe("a table descriptor outside the table store", () => {
  // (Page 4 is only outside the store until the store takes its next page: the first chunk then grows
  // to hold page 4, and the entry points at the new page. Each check below uses a fresh table.)
  it("the page just past the store (page 4, bump 4): every reader and writer that follows it stops with TableMemoryError", () => {
    const d = "0x800000004003";
    stopsAt(() => scribbled(4).getLeaf(0x40000000), d);
    stopsAt(() => scribbled(4).getLeafFast(0x40000000), d);
    stopsAt(() => new GetLeafBatch(scribbled(4)).leafAt(0x40000000), d);
    stopsAt(() => new GetLeafBatch(scribbled(4)).checksum(new Float64Array([0, 0x40000000]), 0, 2, new Float64Array(2)), d);
    stopsAt(() => new GetLeafBatch(scribbled(4)).leaf(0x40000000, new Uint32Array(2)), d);
    stopsAt(() => scribbled(4).map(0x40001000, 4096, 0x80001000, RW, 0), d);
    stopsAt(() => scribbled(4).map(0x40000000, 0x200000, 0x80000000, RW, 0), d);
    stopsAt(() => scribbled(4).unmap(0x40000000, 4096), d);
    stopsAt(() => scribbled(4).wrprotect(0x40000000, 0x200000), d);
    stopsAt(() => scribbled(4).destroy(), d);
  });

  it("a page far past the store's arrays (page 0x7ff00)", () => {
    stopsAt(() => scribbled(0x7ff00).getLeaf(0x40000000), "0x80007ff00003");
    stopsAt(() => scribbled(0x7ff00).unmap(0, 2 ** 40), "0x80007ff00003");
    stopsAt(() => new GetLeafBatch(scribbled(0x7ff00)).leafAt(0x40000000), "0x80007ff00003");
  });

  it("a read that stops changes nothing: the words, the counts and the log are as they were", () => {
    const p = scribbled(4);
    const words = Array.from(p.store.chunks[0]);
    const counts = Array.from(p.store.refcount.subarray(0, p.store.bump));
    const events = p.log.length;
    expect(() => p.getLeaf(0x40000000)).toThrow(TableMemoryError);
    expect(() => p.wrprotect(0x40000000, 0x200000)).toThrow(TableMemoryError);
    expect(Array.from(p.store.chunks[0])).toEqual(words);
    expect(Array.from(p.store.refcount.subarray(0, p.store.bump))).toEqual(counts);
    expect(p.log.length).toBe(events);
    // Other entries are still walked: IPA 0 is under level-1 entry 0, empty (level 1, descriptor 0).
    expect(p.getLeaf(0)).toEqual(expect.objectContaining({ ret: 0, level: 1 }));
  });

  it("a page the store freed (below its bump pointer) is zeroed store memory and reads as such", () => {
    const p = new KvmPgtable(CFG);
    expect(p.map(0x40000000, 4096, 0x80000000, RW, 0)).toBe(0); // pages 2 (level 2), 3 (level 3)
    expect(p.map(0x80000000, 4096, 0x90000000, RW, 0)).toBe(0); // pages 4 (level 2), 5 (level 3)
    expect(p.unmap(0x80000000, 4096)).toBe(0); // both emptied tables freed (stage2_unmap_walker put_page)
    expect(p.store.bump).toBe(6);
    expect(p.store.inUse).toBe(4);
    const c = p.store.chunks[0];
    c[at(0, 1)] = (4 << 12) | 3;
    p.tablesWritten();
    // Level 2, entry 0 of page 4: zero (an invalid entry ends the walk there).
    const r = p.getLeaf(0x40000000);
    expect(r.ret).toBe(0);
    expect(r.level).toBe(2);
    expect(r.pte).toBe("0x0");
  });
});

describe("the read-only views over a table descriptor outside the table store", () => {
  it("ptdump and the leaf bound's count stop at it with the same TableMemoryError", async () => {
    const { ptdump } = await import("../../src/pgtable/ptdump.js");
    stopsAt(() => ptdump(scribbled(4)), "0x800000004003");
    // A split too large to take without counting the block pages it would write (limits.ts) counts
    // them first, through the table's entries, before anything changes.
    const p = scribbled(0x7ff00);
    const words = Array.from(p.store.chunks[0]);
    const events = p.log.length;
    stopsAt(() => p.split(0, 2 ** 39), "0x80007ff00003");
    expect(Array.from(p.store.chunks[0])).toEqual(words);
    expect(p.log.length).toBe(events);
    stopsAt(() => scribbled(4).childPage(0x00004003, 0x00008000), "0x800000004003");
    expect(scribbled(4).childPage(0x00002003, 0x00008000)).toBe(2);
  });
});

describe("the hardware walker over a table descriptor outside the table store", () => {
  it("translate() and the batch stop with the same TableMemoryError (an image's walk takes an external abort instead)", async () => {
    const { S2Walker } = await import("../../src/walker/translate.js");
    const { ACCESS_READ } = await import("../../src/walker/fault.js");
    stopsAt(() => new S2Walker(scribbled(0x7ff00)).translate(0x40000000, ACCESS_READ, 1), "0x80007ff00003");
    const w = new S2Walker(scribbled(0x7ff00));
    stopsAt(() => w.translateBatch(new Float64Array([0x40000000]), 1, ACCESS_READ, 1, new Float64Array(1), new Int32Array(1)), "0x80007ff00003");
  });
});
