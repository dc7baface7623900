// Helpers shared by the tests of the library's refusals (args.ts's rule: a bad
// argument is refused with an ArgumentError naming it, before any state changes).
import { expect } from "vitest";
import { ArgumentError } from "../src/pgtable/args.js";
import type { Stage2Config } from "../src/pgtable/geometry.js";
import { KvmPgtable } from "../src/pgtable/pgtable.js";
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

/** One side of a differential property: a table and the store hook's calls while it is set (page, index, old halves, new halves). */
export interface Side {
  t: KvmPgtable;
  hooked: number[][];
}

/** The table with its fast paths on, and its twin with every visit through the generic kvm_pgtable_walk(). */
export interface Pair {
  fast: Side;
  slow: Side;
}

/** A table of `cfg` with fast paths on or off. */
export function side(cfg: Stage2Config, fast: boolean): Side {
  const t = new KvmPgtable(cfg);
  t.fastPaths = fast;
  return { t, hooked: [] };
}

/** Record the store hook's calls into s.hooked (on), or no hook (off). */
export function setHook(s: Side, on: boolean): void {
  s.t.storeHook = on ? (page, index, oldLo, oldHi, newLo, newHi) => void s.hooked.push([page, index, oldLo, oldHi, newLo, newHi]) : null;
}

/** What `op` returned, or what it threw (as text). */
export function outcome(t: KvmPgtable, op: (t: KvmPgtable) => unknown): unknown {
  try {
    return op(t);
  } catch (e) {
    return { threw: String(e) };
  }
}

/**
 * Both tables, the same call; everything observable compared: the return value (or what was thrown), the
 * decoded event list, the events not recorded, the warnings, the store hook's calls, every word and count.
 */
export function both(p: Pair, what: string, op: (t: KvmPgtable) => unknown): void {
  const x = outcome(p.fast.t, op);
  const y = outcome(p.slow.t, op);
  expect(x, `${what}: return`).toEqual(y);
  expect(p.fast.t.log.length, `${what}: events`).toBe(p.slow.t.log.length);
  expect(p.fast.t.log.toJson(), `${what}: events`).toEqual(p.slow.t.log.toJson());
  expect(Array.from(p.fast.t.log.notRecorded), `${what}: events not recorded`).toEqual(Array.from(p.slow.t.log.notRecorded));
  p.fast.t.log.clear();
  p.slow.t.log.clear();
  expect(p.fast.t.warnings, `${what}: warnings`).toEqual(p.slow.t.warnings);
  expect(p.fast.hooked, `${what}: store hook calls`).toEqual(p.slow.hooked);
  p.fast.hooked.length = 0;
  p.slow.hooked.length = 0;
  const d = storeDiff(p.fast.t.store, p.slow.t.store);
  if (d !== null) expect.fail(`${what}: ${d}`);
}
