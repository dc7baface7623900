/**
 * Table-page storage: every table page of a stage-2 table lives in one arena
 * of typed arrays, with the reference counts the kernel keeps through
 * `mm_ops->get_page()` / `put_page()` / `page_count()`.
 *
 * Layout
 *   - The arena is a list of chunks (Int32Array of 256 KiB each: 64 4K
 *     pages, 16 16K pages or 4 64K pages). A page is an index; its entries are
 *     words [2*i, 2*i + 1] (low, high half, as signed int32: read them with
 *     `>>> 0` for the unsigned value) at `pageOffset(page)` in
 *     `chunks[page >>> chunkShift]`. The first chunk starts one page long
 *     and doubles as pages are taken, up to a full chunk: a table of a few
 *     pages (the root pages of a table that maps only blocks) holds a few
 *     pages' bytes, not a chunk's. When it doubles, chunks[0] is a new array
 *     (`chunkGen` counts such moves: a reader that keeps a chunk across an
 *     allocation must look it up again). The other chunks are never moved or
 *     copied, so the memory stays within one chunk of the real table bytes.
 *   - `refcount` and the free stack hold one int32 per page taken so far
 *     (doubling as they grow).
 *   - `refcount[page]` is the kernel's page_count(): 1 for the page itself plus
 *     one per non-zero entry (stage2_pte_is_counted). 0 means free.
 *   - Each page has a made-up but plausible physical address,
 *     `basePa + page * granule`, so table descriptors are real descriptors and a
 *     walk turns the address back into a page with one subtraction and a shift.
 *   - Freed pages go on a free stack and are zeroed when freed, so allocation
 *     (zalloc_page) hands out a zeroed page without a memset.
 *   - The walks want the arena in one array (a page's words at
 *     `page << wordsShift` of `flat`, no chunk lookup per descriptor: see
 *     flatten()). A batch walk asks for it; the store then copies its chunks
 *     once into one array of the same size and keeps them as views of it
 *     (`chunks[i]` is `flat.subarray(...)`, so every reader and writer of a
 *     chunk reads and writes `flat`). Pages the store takes later go to new
 *     chunks beyond `flatPages` until a later walk copies again (only once
 *     they are an eighth of the store or more: all the copies of a store's
 *     life add up to about nine times its largest size). Growth itself never
 *     copies (what a growing contiguous arena would cost: docs/benchmarks.md,
 *     part 3 of issue 20). While it copies, the old chunks and the new array
 *     are both held.
 *   - Two limits, both giving allocation failure (the kernel's NULL from
 *     zalloc_page, hence -ENOMEM): the memory cache of the current operation
 *     (`memcache`, Infinity when unlimited), and a cap on the pages the whole
 *     store may hold (host memory; keeps a runaway scenario from exhausting
 *     the machine).
 */

import { ArgumentError, checkInt, checkObject, shown } from "./args.js";
import { InputError, hex, hexHalves } from "./u64.js";

/**
 * A table descriptor whose next-level table is not a page of the table's
 * store: only a direct write into the store's memory (its chunks) makes
 * one, since every table s2pt writes points at a page the store handed out.
 * The kernel would follow it into whatever memory it names
 * (kvm_pte_follow() is phys_to_virt()); the model has no memory there, so
 * the operation stops at it with this error instead of reading outside its
 * arrays. What the operation did before it reached the entry stays done.
 */
export class TableMemoryError extends InputError {
  override name = "TableMemoryError";
}

/** TableMemoryError's message for the descriptor (lo, hi: its halves) of a store whose pages are at [first, end). */
export function tableOutsideStore(lo: number, hi: number, first: number, end: number): string {
  return `the table descriptor ${hexHalves(lo, hi)} points at a next-level table outside the table store (its pages are at ${hex(first)}..${hex(end - 1)}): a descriptor written into the store's memory directly? The operation stopped at that entry`;
}

const CHUNK_BYTES = 256 * 1024;
const CHUNK_WORDS = CHUNK_BYTES >>> 2;
/** An empty free stack, shared until a store frees its first page (and the flat arena of a store without one). */
const NO_PAGES = new Int32Array(0);

/** The default cap on table memory: 1 GiB of table pages (a scenario's budget is smaller: limits.ts). */
export const DEFAULT_TABLE_BYTES = 2 ** 30;

/** Most table pages any store may hold (page indices are int32 in the hot paths). */
export const MAX_STORE_PAGES = 2 ** 31 - 1;

/** The table memory: its cap and its start. */
export interface StorageOptions {
  /**
   * Most table pages the store may hold at once, root pages included: a
   * positive integer (default: 1 GiB of table pages). Allocation beyond it
   * fails as the kernel's zalloc_page() does, with -ENOMEM.
   */
  maxPages?: number;
}

export class TableStore {
  // `declare`d fields: defined by the constructor, so V8 keeps them as numbers / objects of one class (see TableConsts in pgtable.ts).
  declare readonly granule: number;
  declare readonly pageShift: number;
  /** 2 * PTRS_PER_PTE: 32-bit words per page. */
  declare readonly wordsPerPage: number;
  declare readonly wordsShift: number;
  declare readonly chunkShift: number;
  declare readonly chunkMask: number;
  declare readonly basePa: number;
  declare readonly maxPages: number;

  chunks: Int32Array[] = [];
  /** Bumped whenever a chunk is replaced by another array (a reader that kept a chunk must look it up again). */
  chunkGen = 0;
  declare refcount: Int32Array;
  /**
   * The arena as one array, for the walks (see flatten()): the words of every
   * page below `flatPages` are at `page << wordsShift` in `flat`, which the
   * chunks holding those pages are views of. Empty (flatPages 0) until a walk
   * asks for it, and again whenever the first chunk moves.
   */
  flat: Int32Array = NO_PAGES;
  flatPages = 0;
  /**
   * min(bump, flatPages) << wordsShift: a walk over `flat` reads a page the
   * store handed out exactly where the page's first word is below this (the
   * one-IPA get_leaf, src/pgtable/getleaf.ts, reads it instead of both).
   * Kept by every change of bump and flatPages (syncWalk()). Only a bound
   * too high would give a wrong answer (one too low sends more walks to
   * getLeaf()): bump and flatPages go down only in unTake() and
   * resizeFirst().
   */
  walkWords = 0;
  /** Freed pages, zeroed (allocated when the first page is freed: a table that never frees one holds none). */
  private freeStack: Int32Array = NO_PAGES;
  private freeTop = 0;
  /** Pages ever handed out by the bump pointer (page indices below this exist). */
  bump = 0;
  /** Pages currently allocated. */
  inUse = 0;
  /** Table pages left in the current operation's memory cache (when memcacheLimited). */
  private memcacheLeft = 0;
  private memcacheLimited = false;
  /** Pages allocated since the counter was last reset (statistics). */
  allocations = 0;

  constructor(granule: number, paBits: number, opts: StorageOptions = {}) {
    if (granule !== 4096 && granule !== 16384 && granule !== 65536) throw new ArgumentError("granule", `${shown(granule)} is not 4096, 16384 or 65536`);
    checkInt(paBits, "paBits", 32, 52);
    const o = checkObject(opts, "storage");
    for (const k of Object.keys(o)) if (k !== "maxPages") throw new ArgumentError(`storage.${k}`, "unknown option (known: maxPages)");
    const maxPages = o.maxPages === undefined ? undefined : checkInt(o.maxPages, "storage.maxPages", 1, MAX_STORE_PAGES, "a whole number of table pages");
    this.granule = granule;
    this.pageShift = Math.log2(granule);
    this.wordsPerPage = granule >>> 2;
    this.wordsShift = this.pageShift - 2;
    this.chunkShift = Math.log2(CHUNK_BYTES / granule);
    this.chunkMask = (1 << this.chunkShift) - 1;
    // Table pages sit in the upper half of the PA space (below 2^48 even with
    // 52-bit PAs, so table descriptors never need the high OA fields).
    this.basePa = 2 ** (Math.min(paBits, 48) - 1);
    const fit = Math.floor(this.basePa / granule);
    const defaultMax = Math.floor(DEFAULT_TABLE_BYTES / granule);
    this.maxPages = Math.min(maxPages ?? defaultMax, fit);
    this.refcount = new Int32Array(2);
  }

  /** Word offset of a page inside its chunk. */
  pageOffset(page: number): number {
    return (page & this.chunkMask) << this.wordsShift;
  }
  chunkOf(page: number): Int32Array {
    return this.chunks[page >>> this.chunkShift];
  }
  pagePa(page: number): number {
    return this.basePa + page * this.granule;
  }
  /** The page a table descriptor's output address points at (-1 if none). */
  paToPage(pa: number): number {
    const p = (pa - this.basePa) / this.granule;
    return p >= 0 && p < this.bump && Number.isInteger(p) ? p : -1;
  }

  private grow(): boolean {
    if (this.bump >= this.maxPages) return false;
    const page = this.bump;
    const c = page >>> this.chunkShift;
    if (c === 0 && this.chunks.length === 0) {
      // The first chunk starts a page long (see the header), in a list of one (a list grown by push() holds room for 17).
      this.chunks = [new Int32Array(this.wordsPerPage)];
    } else if (c >= this.chunks.length) {
      this.chunks.push(new Int32Array(CHUNK_WORDS));
    } else if (c === 0 && page << this.wordsShift >= this.chunks[0].length) {
      this.resizeFirst(Math.min(this.chunks[0].length * 2, CHUNK_WORDS));
    }
    if (page >= this.refcount.length) {
      const rc = new Int32Array(this.refcount.length * 2);
      rc.set(this.refcount);
      this.refcount = rc;
    }
    this.bump++;
    this.syncWalk();
    return true;
  }

  private syncWalk(): void {
    this.walkWords = Math.min(this.bump, this.flatPages) << this.wordsShift;
  }

  /** Push a free page (the stack grows to the pages taken so far, which it never holds more of). */
  private pushFree(page: number): void {
    if (this.freeTop === this.freeStack.length) {
      const fs = new Int32Array(this.refcount.length);
      fs.set(this.freeStack);
      this.freeStack = fs;
    }
    this.freeStack[this.freeTop++] = page;
  }

  /** chunks[0] as a new array of `words` words with the old one's words (as many as fit). */
  private resizeFirst(words: number): void {
    const old = this.chunks[0];
    const next = new Int32Array(words);
    next.set(words >= old.length ? old : old.subarray(0, words));
    this.chunks[0] = next;
    this.chunkGen++;
    // The flat arena held the old first chunk's words.
    this.flat = NO_PAGES;
    this.flatPages = 0;
    // (walkWords: both callers, grow() and unTake(), sync it next.)
  }

  /**
   * Make every page readable at `page << wordsShift` of `flat`, when that is
   * worth a copy; returns whether it holds now (flatPages >= bump). A store
   * of one chunk is flat as it is (`flat` is that chunk). Otherwise the
   * chunks are copied into one new array of their total size, in order, and
   * each chunk is replaced by the view of its words in it (chunkGen counts
   * the move: a reader that kept a chunk looks it up again). Pages taken
   * after that live in new chunks beyond flatPages; they are copied in by a
   * later call only once they are an eighth of the store or more, so that
   * the copies of a store's life add up to about nine times its largest
   * size; until then the answer is false and the walks read the chunks. An arena
   * of 2^31 words or more is never flat (its word offsets would leave int32).
   */
  flatten(): boolean {
    if (this.flatPages >= this.bump) return true;
    const chunks = this.chunks;
    if (chunks.length === 1) {
      this.flat = chunks[0];
      this.flatPages = chunks[0].length >>> this.wordsShift;
      this.syncWalk();
      return this.flatPages >= this.bump;
    }
    if (this.flatPages !== 0 && (this.bump - this.flatPages) * 8 < this.bump) return false;
    let words = 0;
    for (const c of chunks) words += c.length;
    if (words >= 2 ** 31) return false;
    const flat = new Int32Array(words);
    const chunkWords = (this.chunkMask + 1) << this.wordsShift;
    for (let i = 0; i < chunks.length; i++) {
      const at = i * chunkWords;
      flat.set(chunks[i], at);
      chunks[i] = flat.subarray(at, at + chunks[i].length);
    }
    this.chunkGen++;
    this.flat = flat;
    this.flatPages = words >>> this.wordsShift;
    this.syncWalk();
    return true;
  }

  /** Whether the last page taken came from the bump pointer (for undoing it: unTake). */
  lastTakeGrew = false;

  /** A zeroed page with count 1, ignoring the memory cache; -1 when the store is full. */
  private take(): number {
    this.lastTakeGrew = this.freeTop === 0;
    let page: number;
    if (this.freeTop !== 0) page = this.freeStack[--this.freeTop];
    else if (this.grow()) page = this.bump - 1;
    else return -1;
    this.refcount[page] = 1;
    this.inUse++;
    this.allocations++;
    return page;
  }

  /** Table pages in the current operation's memory cache (mc->nobjs); Infinity when unlimited. */
  get memcache(): number {
    return this.memcacheLimited ? this.memcacheLeft : Infinity;
  }
  set memcache(n: number) {
    if (n !== Infinity) checkInt(n, "memcache", 0, MAX_STORE_PAGES, "a whole number of pages (or Infinity)");
    this.memcacheLimited = n !== Infinity;
    this.memcacheLeft = this.memcacheLimited ? n : 0;
  }

  /** mm_ops->zalloc_page(mc): a zeroed page from the memory cache, or -1 (NULL). */
  zallocPage(): number {
    if (this.memcacheLimited) {
      if (this.memcacheLeft <= 0) return -1;
      const page = this.take();
      if (page >= 0) this.memcacheLeft--;
      return page;
    }
    return this.take();
  }

  /**
   * mm_ops->zalloc_pages_exact(n * PAGE_SIZE): n physically contiguous zeroed
   * pages (the concatenated PGD). Only ever called on an empty store, where
   * the bump pointer gives contiguous pages.
   */
  zallocPagesExact(n: number): number {
    if (this.bump !== 0 || this.freeTop !== 0) throw new Error("zallocPagesExact on a non-empty store");
    for (let i = 0; i < n; i++) {
      if (this.take() !== i) throw new Error("PGD pages are not contiguous");
    }
    return 0;
  }

  /** mm_ops->get_page(). */
  getPage(page: number): void {
    this.refcount[page]++;
  }

  /** mm_ops->put_page(): the page is freed when its count reaches 0. */
  putPage(page: number): void {
    if (--this.refcount[page] === 0) this.freePage(page);
  }

  /** mm_ops->page_count(). */
  pageCount(page: number): number {
    return this.refcount[page];
  }

  private freePage(page: number): void {
    const off = this.pageOffset(page);
    this.chunkOf(page).fill(0, off, off + this.wordsPerPage);
    this.pushFree(page);
    this.inUse--;
  }

  // ------------------------------------------------------------------------------
  // Undo (KvmPgtable's rollback of an operation a store hook aborted): each
  // is the exact inverse of one step, applied in reverse order.
  // ------------------------------------------------------------------------------

  /** Undo a zallocPage() that returned `page` (`grew`: lastTakeGrew then; `fromCache`: it used the memory cache). */
  unTake(page: number, grew: boolean, fromCache: boolean): void {
    this.refcount[page] = 0;
    this.inUse--;
    this.allocations--;
    if (fromCache && this.memcacheLimited) this.memcacheLeft++;
    if (grew && page === this.bump - 1) {
      // Back to before grow(): the page never existed (nor the chunk grow() added for it,
      // nor the first chunk's doubling: its size is the power of two of pages that holds bump).
      this.bump--;
      if ((page & this.chunkMask) === 0 && this.chunks.length - 1 === page >>> this.chunkShift) {
        this.chunks.pop();
        // A chunk pushed again later is a new array, not the flat arena's view.
        if (this.flatPages > page) this.flatPages = page;
      } else if (page >>> this.chunkShift === 0 && page > 0 && (page & (page - 1)) === 0) this.resizeFirst(page << this.wordsShift);
      this.syncWalk();
    } else {
      this.pushFree(page);
    }
  }

  /** Undo the putPage() that freed `page`, whose words were `content` before freePage() zeroed them. */
  unFree(page: number, content: Int32Array): void {
    if (this.freeTop === 0 || this.freeStack[this.freeTop - 1] !== page) throw new Error(`TableStore.unFree(${page}): not the last page freed`);
    this.freeTop--;
    this.inUse++;
    this.refcount[page] = 1;
    this.chunkOf(page).set(content, this.pageOffset(page));
  }

  /** A copy of a page's words. */
  copyPage(page: number): Int32Array {
    const off = this.pageOffset(page);
    return this.chunkOf(page).slice(off, off + this.wordsPerPage);
  }

  /** Whether zallocPage() takes from a limited memory cache now. */
  get memcacheIsLimited(): boolean {
    return this.memcacheLimited;
  }

  /** Typed-array bytes held by the store (arena, counts, free stack). */
  bytes(): number {
    let n = this.refcount.byteLength + this.freeStack.byteLength;
    // The flat arena once, and the chunks that are not views of it.
    const flat = this.flatPages > 0 ? this.flat.buffer : null;
    if (flat !== null) n += flat.byteLength;
    for (const c of this.chunks) if (c.buffer !== flat) n += c.byteLength;
    return n;
  }

  /** Whether a page index is currently allocated. */
  isAllocated(page: number): boolean {
    return page >= 0 && page < this.bump && this.refcount[page] > 0;
  }
}
