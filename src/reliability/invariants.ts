/**
 * Structural invariants of a stage-2 table, read from the storage itself
 * (entries, page counts, the allocator's books), never from a dump.
 *
 *   refcount   every root and table page: page_count = 1 + its non-zero
 *              entries (stage2_pte_is_counted; kernel-reference.md §5.0, the
 *              check the conformance oracle ran on every result);
 *   tree       each table page is reached once, from one table entry, below
 *              level 3; it is an allocated page and not a root;
 *   leaks      every allocated page is a root or reached from one, and the
 *              store's count of pages in use equals the pages reached;
 *   entries    a valid leaf sits at a level that may hold one
 *              (KVM_PGTABLE_MIN_BLOCK_LEVEL..3), has the page/block type bit
 *              of its level, an OA aligned to its size inside the PA range
 *              and no bit outside the fields KVM writes; a table entry
 *              carries only valid, type and the child's address; an invalid
 *              non-zero entry is an owner annotation at level 3 (1 <=
 *              owner <= KVM_MAX_OWNER_ID), never a leftover LOCKED marker;
 *              root entries beyond 2^ia_bits stay zero;
 *   free pages (deep check) free pages hold zeros, so zalloc hands out
 *              zeroed pages.
 */

import {
  ADDR_51_48_LO,
  ADDR_51_50_LPA2_LO,
  INVALID_PTE_OWNER_SHIFT,
  KVM_MAX_OWNER_ID,
  LEAF_ATTR_LO,
  PTE_TYPE_LO,
  PTE_VALID_LO,
  S2_FNXS_LO,
  S2_XN_HI,
  SW_HI,
  pteToPhys,
} from "../pgtable/descriptor.js";
import { KvmPgtable } from "../pgtable/pgtable.js";
import { checkBool, checkInstance, checkInt, checkU64 } from "../pgtable/args.js";

/** What a full check walked. */
export interface TableCensus {
  /** Table pages below the roots. */
  tables: number;
  /** Valid leaves (blocks and pages). */
  leaves: number;
  /** Owner annotations. */
  annotations: number;
}

function hx(n: number): string {
  return "0x" + n.toString(16);
}

/**
 * Check every structural invariant; returns the first violations found (at
 * most `max`) and the census. `deep` also checks that free pages are zero.
 * The cost is the whole table: every entry of every page in use.
 */
export function checkTables(pgt: KvmPgtable, deep = false, max = 8): { violations: string[]; census: TableCensus } {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  checkBool(deep, "deep");
  checkInt(max, "max", 0, 2 ** 31, "a count");
  const out: string[] = [];
  const census: TableCensus = { tables: 0, leaves: 0, annotations: 0 };
  const g = pgt.geom;
  const store = pgt.store;
  const ptrs = g.ptrsPerPte;
  const reached = new Uint8Array(store.bump);
  const fail = (m: string): void => {
    if (out.length < max) out.push(m);
  };
  walkAndCheck(pgt, 0, Infinity, reached, census, fail);

  let allocated = 0;
  for (let p = 0; p < store.bump; p++) {
    const rc = store.pageCount(p);
    if (rc < 0) fail(`page ${p}: negative page_count ${rc}`);
    if (rc > 0) {
      allocated++;
      if (!reached[p]) fail(`page ${p} is allocated (page_count ${rc}) but unreachable: leaked`);
    } else if (deep) {
      for (let i = 0; i < ptrs; i++) {
        if ((pgt.entryLo(p, i) | pgt.entryHi(p, i)) !== 0) {
          fail(`free page ${p} is not zeroed (entry ${i})`);
          break;
        }
      }
    }
  }
  if (allocated !== store.inUse) fail(`the store counts ${store.inUse} pages in use, ${allocated} have a non-zero page_count`);
  if (store.inUse !== g.pgdPages + census.tables) fail(`${store.inUse} pages in use, ${g.pgdPages} roots + ${census.tables} reachable tables`);
  return { violations: out, census };
}

/**
 * The structural invariants of the part of the table an operation over
 * [start, end) can have changed: every entry of every table page whose span
 * overlaps the range (refcounts, descriptor bits, links), descending only
 * into those pages; no page reached twice among them. What only a whole
 * walk can see (leaks, the store's books) is left to checkTables(); the
 * cost is that of the pages visited, so a checked run stays linear in its
 * work (src/reliability/checked.ts runs the whole check on a schedule).
 */
export function checkTablesIn(pgt: KvmPgtable, start: number, end: number, max = 8): string[] {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  checkU64(start, "start");
  checkU64(end, "end");
  checkInt(max, "max", 0, 2 ** 31, "a count");
  const out: string[] = [];
  const fail = (m: string): void => {
    if (out.length < max) out.push(m);
  };
  walkAndCheck(pgt, start, end, null, { tables: 0, leaves: 0, annotations: 0 }, fail);
  return out;
}

/**
 * From the roots down through every table page whose span overlaps
 * [start, end), checking every entry of each page visited (see the module
 * comment). `reached` (one byte per page, or null for a local check that
 * keeps its own set) records the pages reached.
 */
function walkAndCheck(pgt: KvmPgtable, start: number, end: number, reached: Uint8Array | null, census: TableCensus, fail: (m: string) => void): void {
  const g = pgt.geom;
  const store = pgt.store;
  const f = pgt.fmt;
  const ptrs = g.ptrsPerPte;
  const paLimit = 2 ** g.paBits;
  const seen = reached ?? new Set<number>();
  const wasSeen = (p: number): boolean => (seen instanceof Uint8Array ? seen[p] === 1 : seen.has(p));
  const see = (p: number): void => {
    if (seen instanceof Uint8Array) seen[p] = 1;
    else seen.add(p);
  };
  // The bits KVM writes in a leaf: valid, type, MemAttr, S2AP, SH (or LPA2
  // OA[51:50]), AF, OA (plus OA[51:48] with 64K); XN and SW in the high half.
  // FnXS (bit 11) is in KVM_PTE_LEAF_ATTR_LO but KVM never sets it.
  const leafLo = ((LEAF_ATTR_LO & ~S2_FNXS_LO) | PTE_VALID_LO | PTE_TYPE_LO | f.addrLo | (f.highOa === 1 ? ADDR_51_48_LO : 0)) >>> 0;
  const leafHi = (f.addrHi | S2_XN_HI | SW_HI) >>> 0;
  const tableLo = (PTE_VALID_LO | PTE_TYPE_LO | f.addrLo | (f.highOa === 1 ? ADDR_51_48_LO : 0) | (f.highOa === 2 ? ADDR_51_50_LPA2_LO : 0)) >>> 0;
  const tableHi = f.addrHi >>> 0;

  const visit = (page: number, level: number, base: number, isRoot: boolean, rootIndex: number): void => {
    const gran = pgt.granuleSize(level);
    let nonZero = 0;
    for (let i = 0; i < ptrs; i++) {
      const lo = pgt.entryLo(page, i);
      const hi = pgt.entryHi(page, i);
      if ((lo | hi) === 0) continue;
      nonZero++;
      const ipa = base + i * gran;
      const where = (): string => `level ${level} entry ${i} (IPA ${hx(ipa)}) of page ${page}`;
      if (isRoot && (rootIndex * ptrs + i) * gran >= 2 ** pgt.geom.iaBits) fail(`${where()}: root entry beyond 2^ia_bits is not zero`);
      if (pgt.isTable(lo, level)) {
        if ((lo & ~tableLo) !== 0 || (hi & ~tableHi) !== 0) fail(`${where()}: table descriptor ${hx(hi * 2 ** 32 + lo)} has bits outside valid/type/address`);
        const child = pgt.childPage(lo, hi);
        if (!Number.isInteger(child) || child < g.pgdPages || child >= store.bump) {
          fail(`${where()}: table entry points at ${hx(pteToPhys(f, lo, hi))}, not a table page`);
          continue;
        }
        if (!store.isAllocated(child)) {
          fail(`${where()}: table entry points at free page ${child}`);
          continue;
        }
        // Descend only where the range is (the whole table when it is unbounded).
        if (ipa >= end || ipa + gran <= start) continue;
        if (wasSeen(child)) {
          fail(`${where()}: table page ${child} is reachable twice`);
          continue;
        }
        see(child);
        census.tables++;
        visit(child, level + 1, ipa, false, 0);
      } else if (lo & PTE_VALID_LO) {
        census.leaves++;
        if (level < g.minBlockLevel) fail(`${where()}: a leaf at a level that holds no block`);
        if (((lo & PTE_TYPE_LO) !== 0) !== (level === 3)) fail(`${where()}: type bit ${lo & PTE_TYPE_LO ? 1 : 0} is wrong for a leaf at this level`);
        if ((lo & ~leafLo) !== 0 || (hi & ~leafHi) !== 0) fail(`${where()}: leaf ${hx(hi * 2 ** 32 + lo)} has bits KVM never writes`);
        const pa = pteToPhys(f, lo, hi);
        if (Math.floor(pa / gran) * gran !== pa) fail(`${where()}: leaf OA ${hx(pa)} is not aligned to its size ${hx(gran)}`);
        if (pa + gran > paLimit) fail(`${where()}: leaf OA ${hx(pa)} + ${hx(gran)} is beyond the ${g.paBits}-bit PA range`);
      } else {
        census.annotations++;
        const owner = lo >>> INVALID_PTE_OWNER_SHIFT;
        if (hi !== 0 || (lo & ((1 << INVALID_PTE_OWNER_SHIFT) - 1)) !== 0 || owner < 1 || owner > KVM_MAX_OWNER_ID) {
          fail(`${where()}: invalid entry ${hx(hi * 2 ** 32 + lo)} is neither empty nor an owner annotation (a leftover LOCKED marker?)`);
        } else if (level !== 3) fail(`${where()}: owner annotation above level 3`);
      }
    }
    const rc = store.pageCount(page);
    if (rc !== 1 + nonZero) fail(`page ${page} (level ${level} table at IPA ${hx(base)}): page_count ${rc}, expected 1 + ${nonZero} non-zero entries`);
  };

  const rootSpan = pgt.granuleSize(g.startLevel) * ptrs;
  for (let r = 0; r < g.pgdPages; r++) {
    const page = pgt.pgd + r;
    if (!store.isAllocated(page)) {
      fail(`root page ${r} is not allocated`);
      continue;
    }
    if (r * rootSpan >= end || (r + 1) * rootSpan <= start) continue;
    see(page);
    visit(page, g.startLevel, r * rootSpan, true, r);
  }
}

/** The table is as a fresh one: only the roots, every entry zero, counts 1. */
export function checkInitialState(pgt: KvmPgtable): string[] {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  const out: string[] = [];
  const g = pgt.geom;
  if (pgt.store.inUse !== g.pgdPages) out.push(`${pgt.store.inUse} table pages in use after unmapping everything, ${g.pgdPages} root pages expected`);
  for (let r = 0; r < g.pgdPages; r++) {
    const page = pgt.pgd + r;
    if (pgt.store.pageCount(page) !== 1) out.push(`root page ${r}: page_count ${pgt.store.pageCount(page)} after unmapping everything, 1 expected`);
    for (let i = 0; i < g.ptrsPerPte; i++) {
      if ((pgt.entryLo(page, i) | pgt.entryHi(page, i)) !== 0) {
        out.push(`root page ${r} entry ${i} is not zero after unmapping everything`);
        break;
      }
    }
  }
  return out;
}
