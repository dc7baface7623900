/**
 * Source generation shared by the walks that are compiled per table geometry:
 * the batch kvm_pgtable_get_leaf() (src/pgtable/getleaf.ts) and the
 * hardware's stage-2 walk (src/walker/kernel.ts).
 *
 * Why generated: V8 runs a walk with the geometry in variables (shift
 * counts, masks, the root page, the table-page base) about twice as slow as
 * the same walk with those values as literals, and a walk one IPA at a time
 * leaves the CPU waiting on one cache miss after another. So each walk is
 * written once per table as JavaScript source with every geometry value a
 * literal, walking several IPAs in lockstep, and compiled with `new
 * Function`. The source holds no input data: only numbers derived from the
 * Stage2Config and the table memory's fixed layout.
 *
 * The memory seam. Everything a generated walk knows about where descriptors
 * live is in a TableMemory: how a table page number becomes a typed array
 * and a word offset (emitLoad, emitRootLoad), how a table descriptor's
 * output address becomes a page number (emitNextPage, with the guard on the
 * address bits that number does not hold), and the bound on page numbers
 * (the `bump` argument: pages below it exist). One source is the table
 * store's arena (TableStore: chunks of Int32Array, a page is an index, its
 * PA is basePa + page * granule), which can also be read as one flat array
 * (TableStore.flatten(); emitFlatLoad: page << wordsShift, no chunk lookup):
 * the batch walks of a KvmPgtable have a kernel for each layout and take the
 * flat one whenever flatArena() says the store is flat. The second source is a memory image
 * (src/walker/image.ts): its table pages are views of the image's frames,
 * one page per chunk (chunkShift 0), page = (PA - basePa) >> pageShift with
 * basePa the image's lowest page. It is the same TableMemory kind with other
 * numbers, so the walks compiled for it are the same source; a page the
 * image does not hold is a hole in its chunk list, which the complete walk
 * reports as an external abort and for which no fast walk is compiled.
 *
 * At run time the walks see a source of tables as a WalkTables (below): the
 * geometry and descriptor format, the root page, and a WalkStore (the chunk
 * list, its page bound and layout). KvmPgtable is one (its TableStore is the
 * WalkStore); ImageTables (src/walker/image.ts) is the other.
 */

import type { TableStore } from "./storage.js";
import type { Geometry } from "./geometry.js";
import type { PteFormat } from "./descriptor.js";

/** The table memory a walk reads at run time: what TableStore and an image's pages both are. */
export interface WalkStore {
  /** The table pages' words, chunk by chunk: a page's words are at ((page & chunkMask) << wordsShift) in chunks[page >>> chunkShift]; undefined: not held. */
  readonly chunks: readonly (Int32Array | undefined)[];
  /** Page numbers below this may exist (above it none does). */
  readonly bump: number;
  readonly basePa: number;
  readonly granule: number;
  readonly pageShift: number;
  readonly chunkShift: number;
  readonly chunkMask: number;
  readonly wordsShift: number;
  /** The PA of a page. */
  pagePa(page: number): number;
  /**
   * The table store's flat arena (TableStore.flatten()): every page below
   * flatPages at page << wordsShift of `flat`. Absent for an image.
   */
  readonly flat?: Int32Array;
  readonly flatPages?: number;
  /** Make the arena flat when worth it; whether it is (flatPages >= bump). */
  flatten?(): boolean;
}

/** A source of stage-2 tables for the walker: KvmPgtable, or a memory image's (src/walker/image.ts). */
export interface WalkTables {
  readonly geom: Geometry;
  /** @internal The descriptor format (output-address masks). */
  readonly fmt: PteFormat;
  /** FEAT_S2FWB (HCR_EL2.FWB): how MemAttr reads. */
  readonly fwb: boolean;
  /** @internal The first root page, as a page number of `store`. */
  readonly pgd: number;
  /** @internal The table pages. */
  readonly store: WalkStore;
  readonly destroyed: boolean;
  /** Sees each hardware update of a descriptor before it is made (KvmPgtable's hook; null for an image). */
  readonly storeHook: ((page: number, index: number, oldLo: number, oldHi: number, newLo: number, newHi: number) => void) | null;
  /** The bytes one entry at `level` maps. */
  granuleSize(level: number): number;
  /** Whether an operation is calling a store hook (KvmPgtable; the arena must not move then). */
  readonly operationRunning?: boolean;
}

/**
 * Whether the walks may read `t`'s table store as its flat arena now (making
 * it flat when worth it: TableStore.flatten()): never for an image, nor
 * while an operation is calling a store hook (the operation holds chunks).
 */
export function flatArena(t: WalkTables): boolean {
  return t.operationRunning !== true && t.store.flatten !== undefined && t.store.flatten();
}

/** Where a generated walk reads descriptors (see the header). */
export interface TableMemory {
  readonly kind: "store-chunks";
  /** Pages per chunk = 2^chunkShift; chunkMask = 2^chunkShift - 1. */
  readonly chunkShift: number;
  readonly chunkMask: number;
  /** 32-bit words per page = 2^wordsShift (two per descriptor). */
  readonly wordsShift: number;
  /** PA of page 0: page = (PA - basePa) >> pageShift. */
  readonly basePa: number;
  readonly pageShift: number;
}

/** The table store's arena (or an image's pages) as a TableMemory. */
export function storeMemory(store: WalkStore): TableMemory {
  return {
    kind: "store-chunks",
    chunkShift: store.chunkShift,
    chunkMask: store.chunkMask,
    wordsShift: store.wordsShift,
    basePa: store.basePa,
    pageShift: store.pageShift,
  };
}

/** The memory argument a walk compiled for `mem` takes (the store's chunk list). */
export function memoryArgument(store: TableStore): readonly Int32Array[] {
  return store.chunks;
}

/** A literal for a 32-bit mask, written as the int32 JavaScript's bit operators produce. */
export function i32(v: number): string {
  return String(v | 0);
}

/** IPA bits [shift + bits - 1 : shift] of (il, ih) as an int32 expression. */
export function ipaBits(il: string, ih: string, shift: number, bits: number): string {
  const mask = bits >= 32 ? -1 : (1 << bits) - 1;
  if (shift >= 32) return `((${ih} >>> ${shift - 32}) & ${i32(mask)})`;
  if (shift + bits <= 32) return `((${il} >>> ${shift}) & ${i32(mask)})`;
  return `(((${il} >>> ${shift}) | (${ih} << ${32 - shift})) & ${i32(mask)})`;
}

/**
 * Statement: x = low half, y = high half of descriptor `idx` of table page
 * `page` (int32 expressions), read from the memory argument `memVar`.
 */
export function emitLoad(mem: TableMemory, memVar: string, page: string, idx: string, x: string, y: string): string {
  return `{ const c = ${memVar}[${page} >>> ${mem.chunkShift}]; const o = ((${page} & ${mem.chunkMask}) << ${mem.wordsShift}) + (${idx} << 1); ${x} = c[o]; ${y} = c[o + 1]; }`;
}

/**
 * emitLoad() for a memory whose every page is in one array, `flatVar` (the
 * table store's flat arena, TableStore.flatten()): page `page`'s words start
 * at page << wordsShift. The caller keeps `page` below the flat arena's
 * pages (below bump, with flatPages >= bump), so every read is inside it.
 */
export function emitFlatLoad(mem: TableMemory, flatVar: string, page: string, idx: string, x: string, y: string): string {
  return `{ const o = (${page} << ${mem.wordsShift}) + (${idx} << 1); ${x} = ${flatVar}[o]; ${y} = ${flatVar}[o + 1]; }`;
}

/** The root pages' entry `index` (the start level's whole index) in the flat arena `flatVar`. */
export function emitFlatRootLoad(mem: TableMemory, flatVar: string, pgd: number, index: string, x: string, y: string): string {
  const base = pgd << mem.wordsShift;
  return `{ const o = ${base === 0 ? "" : `${base} + `}(${index} << 1); ${x} = ${flatVar}[o]; ${y} = ${flatVar}[o + 1]; }`;
}

/**
 * The concatenated root pages pgd .. pgd + pgdPages - 1 seen as one table
 * indexed by the start level's whole index, when the memory keeps them in one
 * typed array: `decl` declares `rootVar` (once per call of the walk), and
 * load(index, x, y) reads entry `index` of that table. Null when the root
 * pages are split (the walk then uses emitLoad per root page).
 */
export function rootTable(
  mem: TableMemory,
  memVar: string,
  rootVar: string,
  pgd: number,
  pgdPages: number,
): { decl: string; load: (index: string, x: string, y: string) => string } | null {
  if (pgd >>> mem.chunkShift !== (pgd + pgdPages - 1) >>> mem.chunkShift) return null;
  // Pages of 2^(wordsShift - 1) entries, contiguous: entry `index` of the
  // concatenation is word (pgd & chunkMask) << wordsShift + 2 * index.
  const base = (pgd & mem.chunkMask) << mem.wordsShift;
  return {
    decl: `const ${rootVar} = ${memVar}[${pgd >>> mem.chunkShift}];`,
    load: (index, x, y) => `{ const o = ${base === 0 ? "" : `${base} + `}(${index} << 1); ${x} = ${rootVar}[o]; ${y} = ${rootVar}[o + 1]; }`,
  };
}

/**
 * A table descriptor's next-level page number, modulo 2^32, as an int32
 * expression: ((PA >> pageShift) - (basePa >> pageShift)) over the address
 * bits [pageShift + 31 : pageShift] of (x, y). Exact for every page of the
 * memory: the bits above that window are basePa's (see guard()), and a page
 * number at or above `bump` is refused by the caller.
 */
export function emitNextPage(mem: TableMemory, x: string, y: string): string {
  const PS = mem.pageShift;
  const baseLo = ((mem.basePa / 2 ** PS) % 4294967296) | 0;
  return `((((${x} >>> ${PS}) | (${y} << ${32 - PS})) - ${baseLo}) | 0)`;
}

/**
 * The guard on the address bits above emitNextPage's window: with the
 * descriptor format's address mask `addrHi` (high half), the bits of y that
 * must equal basePa's for the descriptor to point into this memory.
 */
export function guard(mem: TableMemory, addrHi: number): { mask: number; value: number } {
  const mask = addrHi & ~((1 << mem.pageShift) - 1);
  return { mask, value: Math.floor(mem.basePa / 4294967296) & mask };
}

const TWO_32 = 4294967296;

/**
 * The walks' sums: acc = (acc + part) mod 2^64, each held as two 32-bit
 * halves in doubles (acc[0] the low half, acc[1] the high half, both kept in
 * [0, 2^32)). part[0] (any sign, |part[0]| < 2^53) carries into the high half.
 */
export function addSum64(acc: Float64Array, part: Float64Array): void {
  const lo = acc[0] + part[0];
  const carry = Math.floor(lo / TWO_32);
  acc[0] = lo - carry * TWO_32;
  const hi = (acc[1] + part[1] + carry) % TWO_32;
  acc[1] = hi < 0 ? hi + TWO_32 : hi;
}

/**
 * IPAs per kernel call of a summing batch: the kernel's double sums of
 * 32-bit halves stay exact (SUM_SPAN * 2^32 < 2^53) before addSum64 folds them.
 */
export const SUM_SPAN = 1 << 16;
