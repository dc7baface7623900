/**
 * The work one scenario operation may do, bounded before it runs.
 *
 * Two limits keep s2pt exact where it runs and quick to refuse what it cannot:
 *   - table pages: the store's cap (`maxPages`, default 1 GiB of tables; a
 *     scenario may lower it with config `max_table_pages`) and the per-op
 *     memory cache (`memcache`). Running out of either is the kernel's own
 *     allocation failure, -ENOMEM, at exactly the entry where zalloc_page()
 *     would have returned NULL (storage.ts, pgtable.ts).
 *   - leaf descriptors written by one call: at most MAX_OP_LEAVES. An op that
 *     could write more is refused (InputError naming the op) before anything
 *     is written, because running it would take minutes and gigabytes of
 *     events even when it ends in -ENOMEM (mapping 2^52 bytes as 4K pages is
 *     2^40 leaves; with the default cap the kernel would fill 2^18 table
 *     pages, 2^27 leaves, before its -ENOMEM).
 *
 * The bound is an upper bound computed from the arguments and the current
 * table size, never from a trial run:
 *   leaves written <= min(leaves the arguments ask for,
 *                         entries of every page the op can reach)
 * where the pages it can reach are those in use plus those it may allocate,
 * min(memcache, cap). A small memcache therefore lets a huge map run: it
 * stops at its -ENOMEM after a few tables, exactly as the kernel does.
 * Ops that only rewrite existing entries (unmap, wrprotect, mkyoung,
 * test_clear_young, relax_perms, flush, get_leaf) are bounded by the table
 * itself and never refused.
 */

import { KVM_MAX_OWNER_ID, PROT_DEVICE, PROT_NORMAL_NC, PROT_X, PTE_VALID_LO } from "./descriptor.js";
import type { Geometry } from "./geometry.js";
import type { KvmPgtable } from "./pgtable.js";
import type { ScenarioOp } from "./scenario.js";
import { InputError, alignDown, isAligned } from "./u64.js";

/** Most leaf descriptors one scenario operation may write (2^20: 4 GiB of 4K pages, 2 TiB of 2M blocks). */
export const MAX_OP_LEAVES = 2 ** 20;

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

function inRange(pgt: KvmPgtable, addr: number, size: number): boolean {
  const page = pgt.geom.granule;
  const start = alignDown(addr, page);
  const end = Math.ceil((start + size) / page) * page;
  return start <= 2 ** pgt.geom.iaBits && end <= 2 ** pgt.geom.iaBits;
}

/**
 * The leaf descriptors `op` may write on this table: `asked` = what its
 * arguments ask for (0 when it returns before walking), `reach` = entries of
 * every page it can reach (in use, plus what it may allocate), and `bound`
 * = the smaller, the upper bound checked against MAX_OP_LEAVES.
 */
export function opLeafBound(pgt: KvmPgtable, op: ScenarioOp, memcache: number): { asked: number; reach: number; bound: number } {
  const store = pgt.store;
  const allocatable = Math.min(memcache, store.maxPages);
  const reach = (store.inUse + allocatable) * pgt.geom.ptrsPerPte;
  const page = pgt.geom.granule;
  const start = alignDown(op.ipa, page);
  const end = Math.ceil((start + op.size) / page) * page;
  let asked = 0;
  let within = reach;
  switch (op.op) {
    case "map": {
      const p = op.prot;
      // stage2_set_prot_attr() refusals and -ERANGE happen before any walk.
      if ((p & PROT_DEVICE && p & (PROT_NORMAL_NC | PROT_X)) || (p & PROT_NORMAL_NC && p & PROT_X)) break;
      if (inRange(pgt, op.ipa, op.size)) asked = mapLeafCount(pgt.geom, op.ipa, op.size, op.pa);
      break;
    }
    case "set_owner":
      if (op.owner <= KVM_MAX_OWNER_ID && inRange(pgt, op.ipa, op.size)) asked = (end - start) / page;
      break;
    case "split":
      // A split rewrites each valid block it touches as pages (at most), and
      // every leaf it writes lands in a page taken from its cache.
      if (inRange(pgt, op.ipa, op.size)) asked = blockPagesIn(pgt, start, end);
      within = allocatable * pgt.geom.ptrsPerPte;
      break;
    default:
      break;
  }
  return { asked, reach: within, bound: Math.min(asked, within) };
}

/** Pages covered by the valid blocks (leaves above level 3) overlapping [start, end). */
function blockPagesIn(pgt: KvmPgtable, start: number, end: number): number {
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
  const rootSpan = pgt.granuleSize(g.startLevel) * g.ptrsPerPte;
  for (let r = 0; r < g.pgdPages; r++) {
    const base = r * rootSpan;
    if (base + rootSpan > start && base < end) visit(pgt.pgd + r, g.startLevel, base);
  }
  return pages;
}

/** Refuse (InputError naming `what`) an op that could write more than MAX_OP_LEAVES leaves. */
export function checkOpWork(pgt: KvmPgtable, op: ScenarioOp, memcache: number, what: string): void {
  const { asked, reach, bound } = opLeafBound(pgt, op, memcache);
  if (bound <= MAX_OP_LEAVES) return;
  const capped = reach < asked ? `; the table pages it may use hold ${reach} entries, so it could write ${reach} before its -ENOMEM` : "";
  throw new InputError(
    `${what}: asks for ${asked} leaf descriptors (${sizeText(asked * 8)} of tables)${capped}; ` +
      `s2pt refuses an operation that may write more than ${MAX_OP_LEAVES} so that a scenario cannot exhaust the host ` +
      `(a small config.memcache bounds it: the kernel then stops with -ENOMEM)`,
  );
}

function sizeText(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let u = 0;
  while (bytes >= 1024 && u < units.length - 1) {
    bytes /= 1024;
    u++;
  }
  return `${Number.isInteger(bytes) ? bytes : bytes.toFixed(1)} ${units[u]}`;
}
