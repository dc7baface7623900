// Helpers shared by the tests of the library's refusals (args.ts's rule: a bad
// argument is refused with an ArgumentError naming it, before any state changes).
import { expect } from "vitest";
import { ArgumentError } from "../src/pgtable/args.js";
import type { KvmPgtable } from "../src/pgtable/pgtable.js";
import type { TableStore } from "../src/pgtable/storage.js";

/** `f` throws an ArgumentError that names `arg`. */
export function refused(f: () => unknown, arg: string): void {
  let e: unknown = null;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(ArgumentError);
  expect((e as ArgumentError).arg).toBe(arg);
}

/** Every word of the table's arena, its page counts and the events so far: what a refused call must leave as it was. */
export function tableState(t: KvmPgtable): string {
  const words = t.store.chunks.map((c) => Array.from(c).join(",")).join(";");
  return `${words}|${Array.from(t.store.refcount.subarray(0, t.store.bump)).join(",")}|${t.log.length}|${t.store.inUse}`;
}

/**
 * Where two tables' stores differ (page counts, then every word of every page), or null: the fast path
 * against the generic walk in the differential property tests.
 */
export function storeDiff(a: TableStore, b: TableStore): string | null {
  if (a.bump !== b.bump || a.inUse !== b.inUse) return `pages: ${a.inUse}/${a.bump} fast, ${b.inUse}/${b.bump} generic`;
  // Whole chunks first (memcmp); page by page only to say where they differ.
  let same = a.chunks.length === b.chunks.length && Buffer.compare(Buffer.from(a.refcount.buffer), Buffer.from(b.refcount.buffer)) === 0;
  for (let c = 0; same && c < a.chunks.length; c++) same = Buffer.compare(Buffer.from(a.chunks[c].buffer), Buffer.from(b.chunks[c].buffer)) === 0;
  if (same) return null;
  for (let page = 0; page < a.bump; page++) {
    if (a.refcount[page] !== b.refcount[page]) return `page ${page}: count ${a.refcount[page]} fast, ${b.refcount[page]} generic`;
    const ca = a.chunkOf(page);
    const cb = b.chunkOf(page);
    const oa = a.pageOffset(page);
    const ob = b.pageOffset(page);
    for (let w = 0; w < a.wordsPerPage; w++) {
      if (ca[oa + w] !== cb[ob + w]) return `page ${page} word ${w}: ${ca[oa + w] >>> 0} fast, ${cb[ob + w] >>> 0} generic`;
    }
  }
  return "the arenas differ beyond the pages in use";
}
