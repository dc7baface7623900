/**
 * Resource bounds of one call on a table: the work one operation may do.
 * Every bound is checked before the work it bounds starts, from the
 * arguments and the table's size, never by a trial run; a refusal is one
 * InputError naming what crossed the bound. The bounds of a whole scenario
 * (its work budget, the records of its result, its table memory) are
 * src/scenario/limits.ts's; docs/reliability.md ("Resource bounds") lists
 * the numbers and how each was measured.
 *
 *   - table pages: the store's cap (`maxPages`; 1 GiB of tables for a
 *     library table, less for a scenario's) and the per-op memory cache
 *     (`memcache`). Running out of either is the kernel's own allocation
 *     failure, -ENOMEM, at exactly the entry where zalloc_page() would have
 *     returned NULL (storage.ts, pgtable.ts).
 *   - leaf descriptors written by one call: at most MAX_OP_LEAVES. A call
 *     that could write more is refused (InputError naming the op) before
 *     anything is written (mapping 2^52 bytes as 4K pages is 2^40 leaves;
 *     with the default cap the kernel would fill 2^18 table pages, 2^27
 *     leaves, before its -ENOMEM). The bound is
 *       leaves written <= min(leaves the arguments ask for,
 *                             entries of every page the op can reach)
 *     where the pages it can reach are those in use plus those it may
 *     allocate, min(memcache, cap): a small memcache lets a huge map run to
 *     its -ENOMEM after a few tables, exactly as the kernel does.
 *     Ops that only rewrite existing entries (unmap, wrprotect, mkyoung,
 *     test_clear_young, relax_perms, flush, get_leaf) are bounded by the
 *     table itself; unmap's deferred range TLBI is bounded like a leaf count.
 *   - maintenance events: a MaintenanceLog keeps at most its `limit` as
 *     records (events.ts) and only counts the rest, per kind.
 */

import { KVM_MAX_OWNER_ID, PROT_DEVICE, PROT_NORMAL_NC, PROT_X, PTE_VALID_LO } from "./descriptor.js";
import { MAX_TLBI_RANGE_PAGES } from "./events.js";
import type { Geometry } from "./geometry.js";
import { InputError, alignDown, isAligned } from "./u64.js";

/** Most leaf descriptors one operation may write (2^20: 4 GiB of 4K pages, 2 TiB of 2M blocks). */
export const MAX_OP_LEAVES = 2 ** 20;

/**
 * What the bounds read of a table: its geometry, its store's use and cap,
 * and its entries (KvmPgtable is one; named here by shape, so that this
 * module and pgtable.ts, which calls it, do not import each other).
 */
export interface BoundedTable {
  readonly geom: Geometry;
  readonly store: { readonly inUse: number; readonly maxPages: number; readonly memcache: number };
  readonly tlbRange: boolean;
  readonly fwb: boolean;
  readonly destroyed: boolean;
  readonly pgd: number;
  entryLo(page: number, index: number): number;
  entryHi(page: number, index: number): number;
  isTable(lo: number, level: number): boolean;
  childPage(lo: number, hi: number): number;
  granuleSize(level: number): number;
}

/**
 * The leaves kvm_pgtable_stage2_map(addr, size, phys) writes when nothing
 * stops it. The map walker puts a leaf at the shallowest level L from
 * max(start level, KVM_PGTABLE_MIN_BLOCK_LEVEL) down where IPA and PA are
 * aligned to kvm_granule_size(L) and that size fits before the end
 * (kvm_block_mapping_supported); level 3 always fits. Runs of equal leaves
 * are counted in one step, so this takes O(levels) iterations.
 */
export function mapLeafCount(geom: Geometry, addr: number, size: number, phys: number): number {
  const page = geom.granule;
  const start = alignDown(addr, page);
  const end = Math.ceil((start + size) / page) * page;
  const top = Math.max(geom.startLevel, geom.minBlockLevel);
  const gran = (l: number): number => 2 ** geom.shifts[l + 1];
  let a = start;
  let pa = alignDown(phys, page);
  let n = 0;
  while (a < end) {
    let level = 3;
    for (let l = top; l < 3; l++) {
      const g = gran(l);
      if (g <= end - a && isAligned(a, g) && isAligned(pa, g)) {
        level = l;
        break;
      }
    }
    const g = gran(level);
    // Leaves of this size repeat until the next boundary of the level above
    // (where a larger block may start, if IPA and PA are congruent modulo
    // its size) or until fewer than g bytes are left.
    let stop = end;
    if (level > top) {
      const big = gran(level - 1);
      if (isAligned(pa - a, big)) stop = Math.min(end, alignDown(a, big) + big);
    }
    const k = Math.floor((stop - a) / g);
    n += k;
    a += k * g;
    pa += k * g;
  }
  return n;
}

/** The walk range [start, end) of kvm_pgtable_walk(addr, size), or null when it is beyond 2^ia_bits (-ERANGE). */
export function walkRange(pgt: BoundedTable, addr: number, size: number): [number, number] | null {
  const page = pgt.geom.granule;
  const start = alignDown(addr, page);
  const end = Math.ceil((start + size) / page) * page;
  const limit = 2 ** pgt.geom.iaBits;
  return start <= limit && end <= limit ? [start, end] : null;
}

/** Whether a call over [addr, addr + size) covers more pages than MAX_OP_LEAVES, so that its leaf bound must be computed. */
export function leafBoundNeeded(pgt: BoundedTable, addr: number, size: number): boolean {
  const page = pgt.geom.granule;
  const start = alignDown(addr, page);
  return Math.ceil((start + size) / page) - start / page > MAX_OP_LEAVES;
}

/** The calls whose leaves are bounded. */
export type LeafBoundKind = "map" | "set_owner" | "split" | "unmap";

/** A call's leaf bound: what its arguments ask for, what the pages it can reach hold, the smaller of the two, and the call. */
export interface LeafBound {
  asked: number;
  reach: number;
  bound: number;
  kind: LeafBoundKind;
}

/**
 * The leaf descriptors one call may write on this table: `asked` = what its
 * arguments ask for (0 when it returns before walking), `reach` = entries of
 * every page it can reach (in use, plus what it may allocate), and `bound`
 * = the smaller, the upper bound checked against MAX_OP_LEAVES. For unmap,
 * the range TLBIs its deferred invalidation issues (FWB with TLBIRANGE).
 */
export function leafBound(
  pgt: BoundedTable,
  kind: LeafBoundKind,
  addr: number,
  size: number,
  phys: number,
  prot: number,
  owner: number,
  memcache: number,
): LeafBound {
  const store = pgt.store;
  const allocatable = Math.min(memcache, store.maxPages);
  let within = (store.inUse + allocatable) * pgt.geom.ptrsPerPte;
  const range = walkRange(pgt, addr, size);
  let asked = 0;
  switch (kind) {
    case "map": {
      // stage2_set_prot_attr() refusals and -ERANGE happen before any walk.
      if ((prot & PROT_DEVICE && prot & (PROT_NORMAL_NC | PROT_X)) || (prot & PROT_NORMAL_NC && prot & PROT_X)) break;
      if (range) asked = mapLeafCount(pgt.geom, addr, size, phys);
      break;
    }
    case "set_owner":
      if (owner <= KVM_MAX_OWNER_ID && range) asked = (range[1] - range[0]) / pgt.geom.granule;
      break;
    case "split":
      // A split rewrites each valid block it touches as pages (at most), and
      // every leaf it writes lands in a page taken from its cache.
      if (range) asked = blockPagesIn(pgt, range[0], range[1]);
      within = allocatable * pgt.geom.ptrsPerPte;
      break;
    case "unmap":
      // kvm_tlb_flush_vmid_range(): size >> PAGE_SHIFT pages, MAX_TLBI_RANGE_PAGES at a time.
      if (pgt.tlbRange && pgt.fwb) asked = Math.ceil(Math.floor(size / pgt.geom.granule) / MAX_TLBI_RANGE_PAGES);
      within = asked;
      break;
  }
  return { asked, reach: within, bound: Math.min(asked, within), kind };
}

/** Pages covered by the valid blocks (leaves above level 3) overlapping [start, end). */
function blockPagesIn(pgt: BoundedTable, start: number, end: number): number {
  const g = pgt.geom;
  let pages = 0;
  const visit = (page: number, level: number, base: number): void => {
    const gran = pgt.granuleSize(level);
    const first = Math.max(0, Math.floor((start - base) / gran));
    for (let i = first; i < g.ptrsPerPte; i++) {
      const ipa = base + i * gran;
      if (ipa >= end) break;
      const lo = pgt.entryLo(page, i);
      if (pgt.isTable(lo, level)) visit(pgt.childPage(lo, pgt.entryHi(page, i)), level + 1, ipa);
      else if (lo & PTE_VALID_LO && level < 3) pages += gran / pgt.geom.granule;
    }
  };
  if (pgt.destroyed) return 0;
  const rootSpan = pgt.granuleSize(g.startLevel) * g.ptrsPerPte;
  for (let r = 0; r < g.pgdPages; r++) {
    const base = r * rootSpan;
    if (base + rootSpan > start && base < end) visit(pgt.pgd + r, g.startLevel, base);
  }
  return pages;
}

/** The InputError refusing a call (`what`) whose leaf bound `b` passes MAX_OP_LEAVES. */
export function refuseLeaves(what: string, kind: LeafBoundKind, b: { asked: number; reach: number }): never {
  if (kind === "unmap") {
    throw new InputError(
      `${what}: its deferred TLB invalidation (FWB with TLBIRANGE) asks for ${b.asked} range TLBIs; s2pt refuses an operation that may issue more than ${MAX_OP_LEAVES}`,
    );
  }
  const capped = b.reach < b.asked ? `; the table pages it may use hold ${b.reach} entries, so it could write ${b.reach} before its -ENOMEM` : "";
  throw new InputError(
    `${what}: asks for ${b.asked} leaf descriptors (${sizeText(b.asked * 8)} of tables)${capped}; ` +
      `s2pt refuses an operation that may write more than ${MAX_OP_LEAVES} so that a scenario cannot exhaust the host ` +
      `(a small config.memcache bounds it: the kernel then stops with -ENOMEM)`,
  );
}

/** Refuse (InputError naming `what`) a call that could write more than MAX_OP_LEAVES leaves. */
export function checkLeafBound(
  pgt: BoundedTable,
  kind: LeafBoundKind,
  addr: number,
  size: number,
  phys: number,
  prot: number,
  owner: number,
  what: string,
): void {
  const b = leafBound(pgt, kind, addr, size, phys, prot, owner, pgt.store.memcache);
  if (b.bound > MAX_OP_LEAVES) refuseLeaves(what, kind, b);
}

/** Bytes in words (B, KiB, MiB, ...), for messages. */
export function sizeText(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let u = 0;
  while (bytes >= 1024 && u < units.length - 1) {
    bytes /= 1024;
    u++;
  }
  return `${Number.isInteger(bytes) ? bytes : bytes.toFixed(1)} ${units[u]}`;
}
