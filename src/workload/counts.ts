/**
 * The kernel's work for a workload, counted exactly in one untimed pass:
 * the TLB and cache maintenance pgtable.c asks for (from the table's
 * MaintenanceLog: TLBI by IPA per level, range TLBIs with their pages,
 * VMID-wide TLBIs, dcache and icache bytes), the table pages the store
 * allocates and frees (TableStore), and, through a store hook, every
 * descriptor store and every break-before-make of a valid entry.
 *
 * Counts, not records: the log is drained into these counters after every
 * kernel call (and from inside the store hook when one call has recorded
 * many events), so a 64 GiB workload holds a few thousand records at a time.
 */

import { INVALID_PTE_LOCKED_LO, PTE_VALID_LO, TLBI_TTL_UNKNOWN } from "../pgtable/descriptor.js";
import { EV_DCACHE, EV_ICACHE, EV_TLBI_IPA, EV_TLBI_IPA_NSH, EV_TLBI_RANGE, EV_TLBI_VMID, MAX_TLBI_RANGE_PAGES, MaintenanceLog } from "../pgtable/events.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";

/** The kernel entry points a workload calls, in the order the counts list them. */
export const KERNEL_FNS = [
  "kvm_pgtable_stage2_map",
  "kvm_pgtable_stage2_unmap",
  "kvm_pgtable_stage2_wrprotect",
  "kvm_pgtable_stage2_relax_perms",
  "kvm_pgtable_stage2_split",
  "kvm_pgtable_stage2_mkyoung",
  "kvm_pgtable_stage2_test_clear_young",
  "kvm_pgtable_stage2_flush",
  "kvm_pgtable_stage2_set_owner",
  "kvm_pgtable_get_leaf",
] as const;
export type KernelFn = (typeof KERNEL_FNS)[number];

export const FN_MAP = 0;
export const FN_UNMAP = 1;
export const FN_WRPROTECT = 2;
export const FN_RELAX_PERMS = 3;
export const FN_SPLIT = 4;

/** A scenario op's kernel entry point (FORMAT.md op name -> index in KERNEL_FNS), -1 for s2pt's model ops. */
export function kernelFnOfOp(op: string): number {
  const i = ["map", "unmap", "wrprotect", "relax_perms", "split", "mkyoung", "test_clear_young", "flush", "set_owner", "get_leaf"].indexOf(op);
  return i;
}

/** TLBIs by IPA: per TTL level hint (-1..3) and with the hint TLBI_TTL_UNKNOWN (a table entry cleared). */
export interface TlbiByIpa {
  /** Index level + 1: levels -1, 0, 1, 2, 3. */
  byLevel: number[];
  ttlUnknown: number;
  total: number;
}

/** The kernel's work over a stretch of a workload (a phase, or the whole measured part). */
export interface Counts {
  /** Calls per kernel entry point (KERNEL_FNS names; those never called left out). */
  calls: Record<string, number>;
  /** __kvm_tlb_flush_vmid_ipa (inner shareable). */
  tlbiIpa: TlbiByIpa;
  /** __kvm_tlb_flush_vmid_ipa_nsh (relax_perms' local TLBI). */
  tlbiIpaNsh: TlbiByIpa;
  /** __kvm_tlb_flush_vmid_range: calls, and the pages they cover (at most MAX_TLBI_RANGE_PAGES each). */
  tlbiRange: { ops: number; pages: number };
  /** __kvm_tlb_flush_vmid: the whole VMID. */
  tlbiVmid: number;
  /** Every TLBI instruction sequence above, summed. */
  tlbiTotal: number;
  /** Of those, the ones mmu.c issues itself after a pgtable.c walk (kvm_flush_remote_tlbs_memslot() after a write-protect). */
  mmuTlbi: { vmid: number; rangeOps: number; rangePages: number };
  /**
   * dcache_clean_inval_poc as pgtable.c asks for it (ops, bytes), and the
   * bytes the host's callback then cleans through the kernel's mapping of the
   * page: clean_dcache_guest_page() -> __clean_dcache_guest_page() returns at
   * once with FWB (asm/kvm_mmu.h: "FWB implies IDC"), so 0 with FWB.
   */
  dcache: { ops: number; bytes: number; hostBytes: number };
  /**
   * icache_inval_pou as pgtable.c asks for it, and the bytes the host's
   * invalidate_icache_guest_page() invalidates by address: none with
   * CTR_EL0.DIC (icache_inval_pou() is then an ISB), else all of them (or
   * the whole I-cache past __invalidate_icache_max_range(), not modelled).
   */
  icache: { ops: number; bytes: number; hostBytes: number };
  /** Table pages (root pages included): in use at the start, allocated, freed, the most in use at once, at the end. */
  tablePages: { start: number; allocated: number; freed: number; peak: number; end: number };
  /** Descriptor stores (WRITE_ONCE / cmpxchg of a PTE), the LOCKED marker of break-before-make included. */
  descriptorStores: number;
  /** Break-before-make of a valid entry (a leaf or a table replaced through the LOCKED marker). */
  breakBeforeMake: number;
  /** Table pages taken from memory caches (every zalloc_page()), and the most one call took. */
  memcache: { pages: number; maxPerCall: number };
}

/** Events a drain reads at once at most; the hook drains the log when it holds this many. */
const DRAIN_AT = 1 << 16;

/**
 * Most records the counting pass's log keeps before counting only: far
 * above what one call records between two descriptor stores (the hook
 * drains at DRAIN_AT), and above what a flush (which stores nothing) may
 * record: see maxFlushEvents.
 */
export const COUNT_LOG_RECORDS = 1 << 22;

/** The most events one flush may record for the counting pass to keep their sizes (the log's room above a drain). */
export const MAX_FLUSH_EVENTS = COUNT_LOG_RECORDS - DRAIN_AT;

/** A fresh log for a counting pass. */
export function countingLog(): MaintenanceLog {
  return new MaintenanceLog(4096, COUNT_LOG_RECORDS);
}

function zeroTlbi(): TlbiByIpa {
  return { byLevel: [0, 0, 0, 0, 0], ttlUnknown: 0, total: 0 };
}

export function zeroCounts(): Counts {
  return {
    calls: {},
    tlbiIpa: zeroTlbi(),
    tlbiIpaNsh: zeroTlbi(),
    tlbiRange: { ops: 0, pages: 0 },
    tlbiVmid: 0,
    tlbiTotal: 0,
    mmuTlbi: { vmid: 0, rangeOps: 0, rangePages: 0 },
    dcache: { ops: 0, bytes: 0, hostBytes: 0 },
    icache: { ops: 0, bytes: 0, hostBytes: 0 },
    tablePages: { start: 0, allocated: 0, freed: 0, peak: 0, end: 0 },
    descriptorStores: 0,
    breakBeforeMake: 0,
    memcache: { pages: 0, maxPerCall: 0 },
  };
}

/**
 * The counters of one counting pass on one table. Install it (install())
 * before the measured part; call beforeCall()/afterCall() around every
 * kernel call; phaseStart()/phaseEnd() around every phase.
 */
export class Counter {
  private readonly pgt: KvmPgtable;
  private readonly log: MaintenanceLog;
  // Running totals since install().
  private readonly calls = new Float64Array(KERNEL_FNS.length);
  /** Index level + 1 (levels -1..3), then [5] = TLBI_TTL_UNKNOWN. */
  private readonly ipa = new Float64Array(6);
  private readonly nsh = new Float64Array(6);
  private rangeOps = 0;
  private rangePages = 0;
  private vmid = 0;
  private mmuVmid = 0;
  private mmuRangeOps = 0;
  private mmuRangePages = 0;
  private dOps = 0;
  private dBytes = 0;
  private iOps = 0;
  private iBytes = 0;
  private stores = 0;
  private bbm = 0;
  private maxPerCall = 0;
  private allocAtCall = 0;
  private peak = 0;
  /** pgtable.c's events per kind (EV_*), as a timed run's log counts them (mmu.c's own TLBIs not included). */
  readonly logKinds = new Float64Array(8);
  private phase: Counts | null = null;
  private phaseAlloc0 = 0;

  /** CTR_EL0.DIC: the host's icache callback needs no invalidation by address. */
  private readonly dic: boolean;

  constructor(pgt: KvmPgtable, dic: boolean) {
    this.pgt = pgt;
    this.log = pgt.log;
    this.dic = dic;
  }

  /** Start counting: drop what the log holds (the set-up's events), hook every descriptor store. */
  install(): void {
    this.log.clear();
    this.peak = this.pgt.store.inUse;
    const store = this.pgt.store;
    this.pgt.hookMayThrow = false;
    this.pgt.storeHook = (_page, _index, oldLo, _oldHi, newLo, newHi) => {
      this.stores++;
      // stage2_try_break_pte(): the LOCKED marker over a valid leaf or table.
      if ((oldLo & PTE_VALID_LO) !== 0 && newLo === INVALID_PTE_LOCKED_LO && newHi === 0) this.bbm++;
      // A page allocated in a call is written before anything is freed: its peak shows here.
      if (store.inUse > this.peak) this.peak = store.inUse;
      if (this.log.length >= DRAIN_AT) this.drain();
    };
  }

  /** Stop counting: the hook is removed, the fast paths are back. */
  uninstall(): void {
    this.drain();
    this.pgt.storeHook = null;
  }

  beforeCall(): void {
    this.allocAtCall = this.pgt.store.allocations;
  }

  /** After a call of KERNEL_FNS[fn]: its events drained, its table pages counted. */
  afterCall(fn: number): void {
    this.calls[fn]++;
    const store = this.pgt.store;
    const took = store.allocations - this.allocAtCall;
    if (took > this.maxPerCall) this.maxPerCall = took;
    if (store.inUse > this.peak) this.peak = store.inUse;
    this.drain();
  }

  /**
   * kvm_tlb_flush_vmid_range(mmu, addr, size) called by mmu.c itself
   * (kvm_flush_remote_tlbs_memslot() -> kvm_arch_flush_remote_tlbs_range()):
   * without FEAT_TLBIRANGE one __kvm_tlb_flush_vmid, with it one
   * __kvm_tlb_flush_vmid_range per MAX_TLBI_RANGE_PAGES pages. KvmPgtable
   * has this pgtable.c function only inside its operations, so the
   * counting pass counts what it would issue; a timed run does not do it.
   */
  mmuFlushVmidRange(size: number): void {
    if (!this.pgt.tlbRange) {
      this.vmid++;
      this.mmuVmid++;
      return;
    }
    let pages = Math.floor(size / this.pgt.pageSize);
    while (pages > 0) {
      const n = Math.min(pages, MAX_TLBI_RANGE_PAGES);
      this.rangeOps++;
      this.rangePages += n;
      this.mmuRangeOps++;
      this.mmuRangePages += n;
      pages -= n;
    }
  }

  /** Read every record of the log into the counters and empty it. */
  private drain(): void {
    const log = this.log;
    if (log.notRecordedTotal > 0) {
      // Never within the bounds checked before each call (MAX_FLUSH_EVENTS, the hook's drain).
      throw new Error(`counting pass: the log counted ${log.notRecordedTotal} events it could not record, so their sizes are unknown`);
    }
    const n = log.length;
    for (let i = 0; i < n; i++) {
      const kind = log.kindAt(i);
      const a = log.aAt(i);
      const b = log.bAt(i);
      this.logKinds[kind]++;
      switch (kind) {
        case EV_TLBI_IPA:
          this.ipa[b === TLBI_TTL_UNKNOWN ? 5 : b + 1]++;
          break;
        case EV_TLBI_IPA_NSH:
          this.nsh[b === TLBI_TTL_UNKNOWN ? 5 : b + 1]++;
          break;
        case EV_TLBI_VMID:
          this.vmid++;
          break;
        case EV_TLBI_RANGE:
          this.rangeOps++;
          this.rangePages += b;
          break;
        case EV_DCACHE:
          this.dOps++;
          this.dBytes += b;
          break;
        case EV_ICACHE:
          this.iOps++;
          this.iBytes += b;
          break;
        default:
          throw new Error(`counting pass: unknown event kind ${kind} (address ${a})`);
      }
    }
    log.clear();
  }

  /** The running totals as Counts (tablePages: from the pass's start; set by the phase bookkeeping). */
  private totals(): Counts {
    const c = zeroCounts();
    KERNEL_FNS.forEach((name, i) => {
      if (this.calls[i] > 0) c.calls[name] = this.calls[i];
    });
    const tlbi = (a: Float64Array): TlbiByIpa => {
      const byLevel = Array.from(a.subarray(0, 5));
      return { byLevel, ttlUnknown: a[5], total: byLevel.reduce((x, y) => x + y, 0) + a[5] };
    };
    c.tlbiIpa = tlbi(this.ipa);
    c.tlbiIpaNsh = tlbi(this.nsh);
    c.tlbiRange = { ops: this.rangeOps, pages: this.rangePages };
    c.tlbiVmid = this.vmid;
    c.tlbiTotal = c.tlbiIpa.total + c.tlbiIpaNsh.total + this.rangeOps + this.vmid;
    c.mmuTlbi = { vmid: this.mmuVmid, rangeOps: this.mmuRangeOps, rangePages: this.mmuRangePages };
    c.dcache = { ops: this.dOps, bytes: this.dBytes, hostBytes: this.pgt.fwb ? 0 : this.dBytes };
    c.icache = { ops: this.iOps, bytes: this.iBytes, hostBytes: this.dic ? 0 : this.iBytes };
    c.descriptorStores = this.stores;
    c.breakBeforeMake = this.bbm;
    return c;
  }

  /** A phase begins: its counts are taken from here. */
  phaseStart(): void {
    this.drain();
    this.phase = this.totals();
    this.phaseAlloc0 = this.pgt.store.allocations;
    this.peak = this.pgt.store.inUse;
    this.maxPerCall = 0;
    this.phase.tablePages.start = this.pgt.store.inUse;
  }

  /** The phase ends (also after a failed call): its counts. */
  phaseEnd(): Counts {
    this.drain();
    const before = this.phase;
    if (before === null) throw new Error("Counter.phaseEnd without phaseStart");
    const store = this.pgt.store;
    const now = this.totals();
    const d = subtractCounts(now, before);
    const allocated = store.allocations - this.phaseAlloc0;
    const end = store.inUse;
    d.tablePages = { start: before.tablePages.start, allocated, freed: before.tablePages.start + allocated - end, peak: Math.max(this.peak, end), end };
    d.memcache = { pages: allocated, maxPerCall: this.maxPerCall };
    this.phase = null;
    return d;
  }
}

/** a - b, field by field (tablePages and memcache are set by the caller). */
function subtractCounts(a: Counts, b: Counts): Counts {
  const d = zeroCounts();
  for (const [k, v] of Object.entries(a.calls)) {
    const x = v - (b.calls[k] ?? 0);
    if (x > 0) d.calls[k] = x;
  }
  const tlbi = (x: TlbiByIpa, y: TlbiByIpa): TlbiByIpa => ({
    byLevel: x.byLevel.map((v, i) => v - y.byLevel[i]),
    ttlUnknown: x.ttlUnknown - y.ttlUnknown,
    total: x.total - y.total,
  });
  d.tlbiIpa = tlbi(a.tlbiIpa, b.tlbiIpa);
  d.tlbiIpaNsh = tlbi(a.tlbiIpaNsh, b.tlbiIpaNsh);
  d.tlbiRange = { ops: a.tlbiRange.ops - b.tlbiRange.ops, pages: a.tlbiRange.pages - b.tlbiRange.pages };
  d.tlbiVmid = a.tlbiVmid - b.tlbiVmid;
  d.tlbiTotal = a.tlbiTotal - b.tlbiTotal;
  d.mmuTlbi = {
    vmid: a.mmuTlbi.vmid - b.mmuTlbi.vmid,
    rangeOps: a.mmuTlbi.rangeOps - b.mmuTlbi.rangeOps,
    rangePages: a.mmuTlbi.rangePages - b.mmuTlbi.rangePages,
  };
  d.dcache = { ops: a.dcache.ops - b.dcache.ops, bytes: a.dcache.bytes - b.dcache.bytes, hostBytes: a.dcache.hostBytes - b.dcache.hostBytes };
  d.icache = { ops: a.icache.ops - b.icache.ops, bytes: a.icache.bytes - b.icache.bytes, hostBytes: a.icache.hostBytes - b.icache.hostBytes };
  d.descriptorStores = a.descriptorStores - b.descriptorStores;
  d.breakBeforeMake = a.breakBeforeMake - b.breakBeforeMake;
  return d;
}

/** The counts of consecutive phases as one stretch: sums, with the table pages of the first start and last end and the highest peak. */
export function sumCounts(parts: readonly Counts[]): Counts {
  const s = zeroCounts();
  if (parts.length === 0) return s;
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.calls)) s.calls[k] = (s.calls[k] ?? 0) + v;
    for (const [x, y] of [
      [s.tlbiIpa, p.tlbiIpa],
      [s.tlbiIpaNsh, p.tlbiIpaNsh],
    ] as const) {
      x.byLevel = x.byLevel.map((v, i) => v + y.byLevel[i]);
      x.ttlUnknown += y.ttlUnknown;
      x.total += y.total;
    }
    s.tlbiRange.ops += p.tlbiRange.ops;
    s.tlbiRange.pages += p.tlbiRange.pages;
    s.tlbiVmid += p.tlbiVmid;
    s.tlbiTotal += p.tlbiTotal;
    s.mmuTlbi.vmid += p.mmuTlbi.vmid;
    s.mmuTlbi.rangeOps += p.mmuTlbi.rangeOps;
    s.mmuTlbi.rangePages += p.mmuTlbi.rangePages;
    for (const k of ["dcache", "icache"] as const) {
      s[k].ops += p[k].ops;
      s[k].bytes += p[k].bytes;
      s[k].hostBytes += p[k].hostBytes;
    }
    s.descriptorStores += p.descriptorStores;
    s.breakBeforeMake += p.breakBeforeMake;
    s.tablePages.allocated += p.tablePages.allocated;
    s.tablePages.freed += p.tablePages.freed;
    s.tablePages.peak = Math.max(s.tablePages.peak, p.tablePages.peak);
    s.memcache.pages += p.memcache.pages;
    s.memcache.maxPerCall = Math.max(s.memcache.maxPerCall, p.memcache.maxPerCall);
  }
  s.tablePages.start = parts[0].tablePages.start;
  s.tablePages.end = parts[parts.length - 1].tablePages.end;
  return s;
}

/** Total kernel calls of a stretch. */
export function totalCalls(c: Counts): number {
  return Object.values(c.calls).reduce((a, b) => a + b, 0);
}
