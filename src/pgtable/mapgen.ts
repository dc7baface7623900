/**
 * The one-page map's way down, compiled per table geometry: what
 * kvm_pgtable_stage2_map() of one page does above the last level when the
 * last-level table is not the one KvmPgtable.mapPage() keeps (the fault
 * path's miss, and nearly every call of a scattered workload such as
 * map4k_scatter_64k, which makes a new last-level table almost each time).
 *
 * For a one-page range no entry above the last level can take a leaf
 * (kvm_block_mapping_supported(): the range is smaller than the entry), so
 * kvm_pgtable_walk() with stage2_map_walker descends every table entry; an
 * empty entry on the way gets a new table (stage2_map_walk_leaf(): the leaf
 * is -E2BIG, zalloc_page() from the memory cache or -ENOMEM, then
 * break-before-make over an empty entry: the LOCKED marker in a shared walk,
 * no TLBI, no CMO, get_page and the table descriptor, kvm_init_table_pte()).
 * Below a table made here every entry is empty (zalloc_page() zeroes), so
 * they are not read. An upper entry that is neither a table nor empty, or a
 * last-level entry in use, is declined before anything changes (the generic
 * walk does those). Then the leaf (KvmPgtable.mapPageLeaf, the kernel's
 * stage2_map_walker_try_leaf()).
 *
 * Why generated (see walkgen.ts): with the geometry in variables V8 loads,
 * untags and spills a dozen constants per call and keeps the level loop;
 * with them as literals the way down is a few shifts and loads per level.
 * The source holds only numbers derived from the geometry, the descriptor
 * format and the table store's fixed layout (a function of the granule).
 *
 * The compiled function reads and writes these members of the table it is
 * given (KvmPgtable's, by name): store (chunks, bump, refcount, chunkGen,
 * zallocPage()), pgd, the last-level table cache (l3Key, l3ChunkGen, l3Tbl,
 * l3Off, l3Page), badTablePointer() (a table descriptor outside the store:
 * TableMemoryError, as followTable()) and mapPageLeaf().
 */

import { ENOMEM, INVALID_PTE_LOCKED_LO, KVM_PGTABLE_LAST_LEVEL, PTE_TYPE_LO, PTE_VALID_LO, WALK_SHARED } from "./descriptor.js";
import { ipaBits, i32 } from "./walkgen.js";

/** mapPageMiss(pgt, aLo, aHi, pLo, pHi, flags): 0, 1 (declined, nothing changed) or -ENOMEM. */
export type MapPageMissFn = (pgt: object, aLo: number, aHi: number, pLo: number, pHi: number, flags: number) => number;

/** The numbers the source is written from (KvmPgtable's TableConsts and the store's layout). */
export interface MapGenConsts {
  readonly startLevel: number;
  /** kvm_granule_shift(level), indexed by level + 1. */
  readonly shifts: Int32Array;
  /** PAGE_SHIFT - 3: index bits per level. */
  readonly stride: number;
  readonly pageShift: number;
  /** The descriptor format's OA fields (kvm_pte_follow): main field, and 0 / 1 (64K, bits 51:48 in 15:12) / 2 (LPA2, bits 51:50 in 9:8). */
  readonly oaLo: number;
  readonly oaHi: number;
  readonly highOa: number;
  readonly addr5148Lo: number;
  readonly addr5148Shift: number;
  readonly addr5150Lo: number;
  readonly addr5150Shift: number;
  /** The table store's base PA: its high half, its low half in pages; 32 - PAGE_SHIFT. */
  readonly baseHi: number;
  readonly baseLoPages: number;
  readonly hiToPage: number;
  /** The last-level region number's shifts (KvmPgtable.l3Key). */
  readonly l3Shift: number;
  readonly l3HiShift: number;
  /** The store's layout: chunk of a page, its word offset. */
  readonly chunkShift: number;
  readonly chunkMask: number;
  readonly wordsShift: number;
}

const LAST = KVM_PGTABLE_LAST_LEVEL;
/** A table descriptor's low bits (valid, type 1): written into the source as a literal. */
const TABLE = PTE_VALID_LO | PTE_TYPE_LO;

/** Source of mapPageMiss for these constants (exported for inspection and tests). */
export function mapPageMissSource(c: MapGenConsts): string {
  const stride = c.stride;
  const rootShift = c.shifts[c.startLevel + 1] + stride;
  // kvm_pgd_page_idx(): the root page (the IPA is below 2^ia_bits, so no mask).
  const rootPage = rootShift >= 32 ? `(aHi >>> ${rootShift - 32})` : rootShift === 0 ? "aLo" : `((aLo >>> ${rootShift}) | (aHi << ${32 - rootShift}))`;
  // kvm_pte_follow(): as KvmPgtable.follow(), modulo 2^32 pages.
  let hiPart = `(hi & ${i32(c.oaHi)})`;
  if (c.highOa === 1) hiPart = `(${hiPart} + (((lo & ${i32(c.addr5148Lo)}) >>> ${c.addr5148Shift}) << 16))`;
  else if (c.highOa === 2) hiPart = `(${hiPart} + (((lo & ${i32(c.addr5150Lo)}) >>> ${c.addr5150Shift}) << 18))`;
  const follow = `((((${hiPart} - ${c.baseHi}) << ${c.hiToPage}) + ((lo & ${i32(c.oaLo)}) >>> ${c.pageShift}) - ${c.baseLoPages}) | 0)`;
  const chunk = (page: string): string => `chunks[${page} >>> ${c.chunkShift}]`;
  const word = (page: string): string => `((${page} & ${c.chunkMask}) << ${c.wordsShift})`;
  const s: string[] = [];
  s.push(`"use strict";`);
  s.push(`// s2pt one-page map, the way down: start level ${c.startLevel}, PAGE_SHIFT ${c.pageShift}`);
  s.push(`return function mapPageMiss(p, aLo, aHi, pLo, pHi, flags) {`);
  s.push(`  const store = p.store;`);
  s.push(`  const chunks = store.chunks;`);
  s.push(`  let page = p.pgd + ${rootPage};`);
  s.push(`  let made = false, tbl, off, lo, hi;`);
  for (let level = c.startLevel; level < LAST; level++) {
    s.push(`  // level ${level}`);
    s.push(`  tbl = ${chunk("page")};`);
    s.push(`  off = ${word("page")} + (${ipaBits("aLo", "aHi", c.shifts[level + 1], stride)} << 1);`);
    // Below a table made here, the entry is empty without reading it.
    const readIt = level === c.startLevel ? "" : "if (!made) ";
    s.push(`  ${readIt}{`);
    s.push(`    lo = tbl[off]; hi = tbl[off + 1];`);
    // A table descriptor (valid, type 1; no table at the last level): down into its page (followTable()).
    s.push(`    if ((lo & ${TABLE}) === ${TABLE}) { page = ${follow}; if (page >>> 0 >= store.bump) p.badTablePointer(lo, hi); }`);
    s.push(`    else if ((lo | hi) !== 0) return 1;`);
    s.push(`    else made = true;`);
    s.push(`  }`);
    // stage2_map_walk_leaf() over an empty entry: a new table.
    s.push(`  if (made) {`);
    s.push(`    const child = store.zallocPage();`);
    s.push(`    if (child < 0) return ${-ENOMEM};`);
    s.push(`    p.l3Key = -1;`);
    // zallocPage() may have grown the store: chunks[0] and the counts may be new arrays.
    s.push(`    tbl = ${chunk("page")};`);
    s.push(`    if ((flags & ${WALK_SHARED}) !== 0) tbl[off] = ${INVALID_PTE_LOCKED_LO};`);
    s.push(`    store.refcount[page]++;`);
    // kvm_init_table_pte(): the child's PA (basePa + child * PAGE_SIZE, below 2^48) in int32 halves, as follow() reads it back.
    s.push(`    const pages = child + ${c.baseLoPages};`);
    s.push(`    tbl[off] = (pages << ${c.pageShift}) | ${TABLE};`);
    s.push(`    tbl[off + 1] = ${c.baseHi} + (pages >>> ${c.hiToPage});`);
    s.push(`    page = child;`);
    s.push(`  }`);
  }
  s.push(`  // the last level: cache its table (l3Key), then the leaf`);
  s.push(`  tbl = ${chunk("page")};`);
  s.push(`  const base = ${word("page")};`);
  s.push(`  p.l3Key = (aLo >>> ${c.l3Shift}) | (aHi << ${c.l3HiShift});`);
  s.push(`  p.l3ChunkGen = store.chunkGen;`);
  s.push(`  p.l3Tbl = tbl;`);
  s.push(`  p.l3Off = base;`);
  s.push(`  p.l3Page = page;`);
  s.push(`  off = base + (${ipaBits("aLo", "aHi", c.shifts[LAST + 1], stride)} << 1);`);
  // A table just made is zeroed: its entry is empty without reading it.
  s.push(`  if (!made && (tbl[off] | tbl[off + 1]) !== 0) return 1;`);
  s.push(`  p.mapPageLeaf(tbl, off, page, pLo, pHi, flags);`);
  s.push(`  return 0;`);
  s.push(`};`);
  return s.join("\n");
}

/** Where code cannot be generated: every miss declined, so map() takes the generic walk (the same result, slower). */
export const declineMapPageMiss: MapPageMissFn = () => 1;

/** mapPageMiss compiled for these constants, or declineMapPageMiss where code generation is refused (a CSP without unsafe-eval). */
export function compileMapPageMiss(c: MapGenConsts): MapPageMissFn {
  try {
    // Code generation is the point (see the header).
    // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
    return new Function(mapPageMissSource(c))() as MapPageMissFn;
  } catch (e) {
    if (e instanceof EvalError) return declineMapPageMiss;
    throw e;
  }
}
