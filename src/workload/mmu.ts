/**
 * The calls KVM's mmu.c (arch/arm64/kvm/mmu.c @7a9479eb) makes into
 * pgtable.c for a workload's phases, on the public KvmPgtable API:
 *
 *   user_mem_abort()                 one kvm_pgtable_stage2_map() or _relax_perms() per fault, walk flags
 *                                    HANDLE_FAULT|SHARED; a returned -EAGAIN is 0 (the guest retries)
 *   stage2_apply_range()             kvm_pgtable_stage2_unmap() / _wrprotect() per
 *                                    kvm_granule_size(KVM_PGTABLE_MIN_BLOCK_LEVEL) stretch (__stage2_range_addr_end)
 *   kvm_mmu_wp_memory_region()       the write-protect, then kvm_flush_remote_tlbs_memslot()
 *   kvm_mmu_split_huge_pages()       kvm_pgtable_stage2_split() per chunk, the split_page_cache topped up
 *                                    to kvm_mmu_split_nr_page_tables(chunk) pages before each
 *
 * One loop per kind of call, each a plain loop over the public API, so that a
 * timed run does what a user of the library would; with a Counter every call
 * is also accounted for (the counting pass).
 */

import { EAGAIN } from "../pgtable/descriptor.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { hex } from "../pgtable/u64.js";
import { FN_MAP, FN_RELAX_PERMS, FN_SPLIT, FN_UNMAP, FN_WRPROTECT, type Counter } from "./counts.js";
import type { Phase } from "./patterns.js";

/** Where a run stopped: the call and the kernel function's arguments, and what it returned. */
export interface CallFailure {
  /** Index of the failing call in its phase. */
  call: number;
  /** The kernel call that returned the error, with its arguments. */
  op: string;
  ret: number;
}

/** State a run keeps between calls: the eager-split cache, and the failure. */
export class RunState {
  /** mmu->split_page_cache: pages it holds (it starts empty). */
  splitCache = 0;
  failure: CallFailure | null = null;

  fail(call: number, ret: number, op: string): number {
    this.failure = { call, op, ret };
    return call;
  }
}

/**
 * __stage2_range_addr_end(addr, end, size): the next `size` boundary after
 * addr, or end.
 */
export function stage2RangeAddrEnd(addr: number, end: number, size: number): number {
  const boundary = Math.floor((addr + size) / size) * size;
  return boundary - 1 < end - 1 ? boundary : end;
}

/**
 * kvm_mmu_split_nr_page_tables(range): the table pages a split of `range`
 * bytes of blocks may need: one per PUD_SIZE (only when level-1 blocks
 * exist) and one per PMD_SIZE.
 */
export function kvmMmuSplitNrPageTables(pgt: KvmPgtable, range: number): number {
  const g = pgt.geom;
  let n = 0;
  if (g.minBlockLevel < 2) n += Math.ceil(range / pgt.granuleSize(1));
  n += Math.ceil(range / pgt.granuleSize(2));
  return n;
}

/** __unmap_stage2_range(mmu, addr, size): stage2_apply_range(kvm_pgtable_stage2_unmap). Returns the first error or 0. */
function unmapStage2Range(pgt: KvmPgtable, addr: number, end: number, apply: number, acct: Counter | null, st: RunState, call: number): number {
  while (addr !== end) {
    const next = stage2RangeAddrEnd(addr, end, apply);
    if (acct !== null) acct.beforeCall();
    const r = pgt.unmap(addr, next - addr);
    if (acct !== null) acct.afterCall(FN_UNMAP);
    if (r !== 0) return st.fail(call, r, `kvm_pgtable_stage2_unmap(${hex(addr)}, ${hex(next - addr)})`);
    addr = next;
  }
  return -1;
}

/**
 * Run calls [from, to) of a phase on `pgt` (acct: count them too). Returns
 * -1, or the index of the call that failed (st.failure says how).
 */
export function runCalls(pgt: KvmPgtable, ph: Phase, from: number, to: number, acct: Counter | null, st: RunState): number {
  const store = pgt.store;
  // The fault path's memory cache (the vCPU's mmu_page_cache) is topped up to
  // kvm_mmu_cache_min_pages() before each fault, enough for any one map: never short.
  store.memcache = Infinity;
  const apply = pgt.granuleSize(pgt.geom.minBlockLevel);
  switch (ph.kind) {
    case "fault": {
      const base = ph.base;
      const step = ph.step;
      const order = ph.order;
      const size = ph.size;
      const paDelta = ph.paDelta;
      const prot = ph.prot;
      const flags = ph.flags;
      for (let i = from; i < to; i++) {
        const ipa = base + (order === null ? i : order[i]) * step;
        if (acct !== null) acct.beforeCall();
        const r = pgt.map(ipa, size, ipa + paDelta, prot, flags);
        if (acct !== null) acct.afterCall(FN_MAP);
        if (r !== 0 && r !== -EAGAIN) return st.fail(i, r, `kvm_pgtable_stage2_map(${hex(ipa)}, ${hex(size)}, ${hex(ipa + paDelta)}, ...)`);
      }
      return -1;
    }
    case "relax": {
      const base = ph.base;
      const step = ph.step;
      const order = ph.order;
      const prot = ph.prot;
      const flags = ph.flags;
      for (let i = from; i < to; i++) {
        const ipa = base + (order === null ? i : order[i]) * step;
        if (acct !== null) acct.beforeCall();
        const r = pgt.relaxPerms(ipa, prot, flags);
        if (acct !== null) acct.afterCall(FN_RELAX_PERMS);
        if (r !== 0 && r !== -EAGAIN) return st.fail(i, r, `kvm_pgtable_stage2_relax_perms(${hex(ipa)}, ...)`);
      }
      return -1;
    }
    case "unmap": {
      for (let i = from; i < to; i++) {
        const addr = ph.base + (ph.offsets !== null ? ph.offsets[i] : i * ph.step);
        const f = unmapStage2Range(pgt, addr, addr + ph.size, apply, acct, st, i);
        if (f >= 0) return f;
      }
      return -1;
    }
    case "wp": {
      // kvm_mmu_wp_memory_region(): kvm_stage2_wp_range(), then kvm_flush_remote_tlbs_memslot().
      for (let i = from; i < to; i++) {
        let addr = ph.base;
        const end = ph.base + ph.size;
        while (addr !== end) {
          const next = stage2RangeAddrEnd(addr, end, apply);
          if (acct !== null) acct.beforeCall();
          const r = pgt.wrprotect(addr, next - addr);
          if (acct !== null) acct.afterCall(FN_WRPROTECT);
          if (r !== 0) return st.fail(i, r, `kvm_pgtable_stage2_wrprotect(${hex(addr)}, ${hex(next - addr)})`);
          addr = next;
        }
        if (acct !== null) acct.mmuFlushVmidRange(ph.size);
      }
      return -1;
    }
    case "split": {
      // kvm_mmu_split_huge_pages(): before each chunk, need_split_memcache_topup_or_resched() tops the
      // cache up to its capacity whenever it holds fewer than kvm_mmu_split_nr_page_tables(chunk).
      const cap = kvmMmuSplitNrPageTables(pgt, ph.chunk);
      for (let i = from; i < to; i++) {
        let addr = ph.base;
        const end = ph.base + ph.size;
        while (addr !== end) {
          if (st.splitCache < cap) st.splitCache = cap;
          const next = stage2RangeAddrEnd(addr, end, ph.chunk);
          store.memcache = st.splitCache;
          if (acct !== null) acct.beforeCall();
          const r = pgt.split(addr, next - addr);
          if (acct !== null) acct.afterCall(FN_SPLIT);
          st.splitCache = store.memcache;
          store.memcache = Infinity;
          if (r !== 0) return st.fail(i, r, `kvm_pgtable_stage2_split(${hex(addr)}, ${hex(next - addr)})`);
          addr = next;
        }
      }
      return -1;
    }
    case "scenario":
      throw new Error("runCalls: a scenario phase runs through runScenarioCalls");
  }
}
