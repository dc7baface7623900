/**
 * The checks the benchmarks run after every run, never timed: the same checks
 * ../shared/bench/sol.c makes (check_leaf, check_tree, the maintenance
 * counters), against expected values written as literals from the descriptor
 * bit table, not produced by s2pt's encoder.
 *
 *   4K page, R|W, not executable, Normal Write-Back, inner shareable, AF, at PA 0:
 *     without FWB  0x00400000000007ff   MemAttr[5:2] = 0b1111
 *     with FWB     0x00400000000007db   MemAttr[5:2] = 0b0110
 *   bit 54 XN (high half 0x00400000); bits 10 AF, 9:8 SH = 0b11, 7 S2AP_W, 6 S2AP_R,
 *   bit 1 page (level 3) / 0 block, bit 0 valid.
 */

import type { KvmPgtable } from "../src/pgtable/pgtable.js";
import { EVENT_NAMES, type MaintenanceLog } from "../src/pgtable/events.js";

/** A verification failed: the benchmark's result is not trusted (exit 1). */
export class BenchCheckError extends Error {}

export function fail(msg: string): never {
  throw new BenchCheckError(msg);
}

/** Descriptor literals (sol.c page_rw / block_rw), as 64-bit values. */
export const PAGE_RW_NOFWB = 0x00400000000007ffn;
export const PAGE_RW_FWB = 0x00400000000007dbn;
/** Bit 1: page at level 3, 0 = block (D_TABLE in sol.c). */
export const D_TABLE = 0x2n;
/** Bit 7: S2AP write (D_S2AP_W in sol.c). */
export const D_S2AP_W = 0x80n;

/** A descriptor template as two unsigned 32-bit halves; OR a (page-aligned) PA into it with `desc()`. */
export interface Template {
  lo: number;
  hi: number;
}

export function template(v: bigint): Template {
  return { lo: Number(v & 0xffffffffn), hi: Number(v >> 32n) };
}

export function pageRw(fwb: boolean): bigint {
  return fwb ? PAGE_RW_FWB : PAGE_RW_NOFWB;
}

export function hex64(lo: number, hi: number): string {
  return "0x" + ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16);
}

/**
 * check_leaf(): getLeaf(ipa) finds the descriptor `t | pa` at `level`. The
 * template's address field is zero and pa < 2^48, so OR is addition per half.
 */
export function checkLeaf(pgt: KvmPgtable, ipa: number, t: Template, pa: number, level: number): void {
  const r = pgt.getLeafFast(ipa);
  if (r !== 0) fail(`getLeaf(0x${ipa.toString(16)}) returned ${r}`);
  const paLo = pa % 2 ** 32;
  const wantLo = (t.lo | paLo) >>> 0;
  const wantHi = t.hi + (pa - paLo) / 2 ** 32;
  if (pgt.leafLo !== wantLo || pgt.leafHi !== wantHi || pgt.leafLevel !== level) {
    fail(`getLeaf(0x${ipa.toString(16)}) = ${hex64(pgt.leafLo, pgt.leafHi)} level ${pgt.leafLevel}, expected ${hex64(wantLo, wantHi)} level ${level}`);
  }
}

/** check_leaf() for an entry that must be zero (unmapped) at `level`. */
export function checkInvalid(pgt: KvmPgtable, ipa: number, level: number): void {
  const r = pgt.getLeafFast(ipa);
  if (r !== 0) fail(`getLeaf(0x${ipa.toString(16)}) returned ${r}`);
  if (pgt.leafLo !== 0 || pgt.leafHi !== 0 || pgt.leafLevel !== level) {
    fail(`getLeaf(0x${ipa.toString(16)}) = ${hex64(pgt.leafLo, pgt.leafHi)} level ${pgt.leafLevel}, expected 0 level ${level}`);
  }
}

/**
 * check_table(): every page of the subtree has the kernel's page_count(), 1
 * plus one per non-zero entry (stage2_pte_is_counted: a valid entry, a
 * LOCKED marker or an owner annotation all count). Returns the pages held.
 */
function checkTable(pgt: KvmPgtable, page: number, level: number): number {
  const ptrs = pgt.ptrsPerPte;
  let n = 1;
  let pages = 1;
  for (let i = 0; i < ptrs; i++) {
    const lo = pgt.entryLo(page, i);
    if (lo === 0 && pgt.entryHi(page, i) === 0) continue;
    n++;
    if (pgt.isTable(lo, level)) pages += checkTable(pgt, pgt.childPage(lo, pgt.entryHi(page, i)), level + 1);
  }
  const count = pgt.store.pageCount(page);
  if (count !== n) fail(`table page ${page} at level ${level}: refcount ${count}, expected ${n}`);
  return pages;
}

/** check_tree(): the refcount invariant over the whole table; returns the table pages it holds (roots included). */
export function checkTree(pgt: KvmPgtable): number {
  let pages = 0;
  for (let k = 0; k < pgt.geom.pgdPages; k++) pages += checkTable(pgt, pgt.pgd + k, pgt.startLevel);
  return pages;
}

/** check_tree() == want, the store holds exactly those pages, and no kernel WARN_ON fired. */
export function checkTables(pgt: KvmPgtable, want: number, what: string): void {
  const pages = checkTree(pgt);
  if (pages !== want) fail(`${what}: the table holds ${pages} pages, expected ${want}`);
  if (pgt.store.inUse !== want) fail(`${what}: the store has ${pgt.store.inUse} pages in use, expected ${want}`);
  if (pgt.warnings.length !== 0) fail(`${what}: kernel WARN_ON: ${pgt.warnings[0]}`);
}

/** The log holds exactly these events per kind (by EVENT_NAMES name; kinds not named: none). */
export function checkEvents(log: MaintenanceLog, want: Readonly<Record<string, number>>, what: string): void {
  const counts = log.countByKind();
  for (const name of Object.keys(want)) {
    if (EVENT_NAMES.indexOf(name as (typeof EVENT_NAMES)[number]) <= 0) throw new Error(`unknown event kind ${name}`);
  }
  for (let k = 1; k < EVENT_NAMES.length; k++) {
    const name = EVENT_NAMES[k];
    const w = want[name] ?? 0;
    if (counts[k] !== w) fail(`${what}: ${counts[k]} ${name} events, expected ${w}`);
  }
}
