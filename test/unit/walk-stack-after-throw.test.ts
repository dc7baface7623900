// Regression: a walk that stops with a TableMemoryError (a table descriptor
// outside the table store, written into the store's memory directly) must not
// leave the walker's explicit stack (pgtable.ts walkTable: one frame per table
// being descended, 16 slots) pushed for the next walks. Before the fix each
// such throw left a frame behind; after about 16 of them a later unmap's
// TABLE_POST visit read a frame past the end of the stack (page `undefined`,
// old descriptor 0) and so did not free the emptied tables: silently wrong
// table memory, counts and events (found by map-page-miss.property.test.ts).
//
// The expected words and events are worked by hand from the kernel's
// stage2_unmap_walker() and stage2_unmap_put_pte() (kernel-reference.md): the
// leaf is cleared with a TLBI by IPA at level 3 and, Normal memory without
// FWB, a dcache clean+invalidate of the page; then, on the way back up, each
// table whose count is back to 1 is cleared with a TLBI by IPA of unknown
// level (TLBI_TTL_UNKNOWN) and freed.
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { TableMemoryError } from "../../src/pgtable/storage.js";
import { PROT_R, PROT_W, TLBI_TTL_UNKNOWN } from "../../src/pgtable/descriptor.js";

/** 4K granule, 40-bit IPA: start level 1 over 2 root pages (pages 0 and 1); table pages from PA 2^47. */
const CFG = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false } as const;
const IPA = 0x40000000; // root page 0, level-1 index 1, level-2 index 0, level-3 index 0
const PA = 0x80000000;

/** A table with IPA mapped (tables on pages 2 and 3) and root page 0's entry 5 pointing below the store (PA 2^47 - 4K). */
function scribbled(): KvmPgtable {
  const p = new KvmPgtable(CFG);
  expect(p.map(IPA, 4096, PA, PROT_R | PROT_W, 0)).toBe(0);
  const c = p.store.chunks[0];
  // 0x00007ffffffff003: a table descriptor (bits 1:0 = 0b11) to PA 0x7ffffffff000, one page below the store.
  c[2 * 5] = 0xfffff003 | 0;
  c[2 * 5 + 1] = 0x7fff;
  p.store.refcount[0]++; // counted, as the kernel counts a non-zero entry
  p.tablesWritten();
  return p;
}

/**
 * unmap(IPA, 4K) of the only page under root entry 1: the leaf (TLBI by IPA, level 3; Normal memory without FWB:
 * the dcache clean+invalidate of the page), then level 2's and level 1's tables, each back to a count of 1, cleared
 * with a TLBI by IPA of unknown level and freed (stage2_unmap_walker, stage2_unmap_put_pte).
 */
const UNMAP_EVENTS = [
  ["tlbi_ipa", "0x40000000", 3],
  ["dcache", "0x80000000", "0x1000"],
  ["tlbi_ipa", "0x40000000", TLBI_TTL_UNKNOWN],
  ["tlbi_ipa", "0x40000000", TLBI_TTL_UNKNOWN],
];

describe("the walker's stack after a walk that threw", () => {
  it("is empty again: after 40 TableMemoryErrors from inside unmap walks, unmap frees the emptied tables with the kernel's events", () => {
    const p = scribbled();
    for (let i = 0; i < 40; i++) expect(() => p.unmap(0, p.iaLimit)).toThrow(TableMemoryError);
    // The unmaps stopped at entry 5 after clearing what came before it (entry 1's tables): map the page again.
    p.log.clear();
    expect(p.map(IPA, 4096, PA, PROT_R | PROT_W, 0)).toBe(0);
    // Take the scribble away, as it was put there.
    const c = p.store.chunks[0];
    c[2 * 5] = 0;
    c[2 * 5 + 1] = 0;
    p.store.refcount[0]--;
    p.tablesWritten();
    const tables = p.store.inUse;
    p.log.clear();
    expect(p.unmap(IPA, 4096)).toBe(0);
    expect(p.log.toJson()).toEqual(UNMAP_EVENTS);
    // Both tables freed (zeroed), the root entry cleared, the root page's count back to 1.
    expect(p.store.inUse).toBe(tables - 2);
    expect([c[2 * 1], c[2 * 1 + 1]]).toEqual([0, 0]);
    expect(p.store.pageCount(0)).toBe(1);
  });

  it("is empty again after a getLeaf that threw", () => {
    const p = scribbled();
    for (let i = 0; i < 40; i++) expect(() => p.getLeaf(5 * 2 ** 30)).toThrow(TableMemoryError);
    p.log.clear();
    expect(p.unmap(IPA, 4096)).toBe(0);
    expect(p.log.toJson()).toEqual(UNMAP_EVENTS);
    expect(p.store.pageCount(0)).toBe(2); // its own count + the scribbled entry 5
  });
});
