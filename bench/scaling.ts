/**
 * Scaling: map 1, 4, 16 and 64 GiB of 4K pages, one page per map call (as
 * map4k_1g: IPA 0x40000000 + i * 4K -> PA 0x80000000 + i * 4K, R|W), each
 * into a fresh KvmPgtable with a fresh store, and report
 *   - ns per page, CPU time of the measuring thread as the workloads' figures
 *     (the whole mapping timed, arena growth and its page faults included:
 *     the store starts empty here, so this is the cost of a table that grows);
 *   - memory per mapped page: the store's typed-array bytes (store.bytes())
 *     and the process heap (heapUsed + arrayBuffers, after a full GC, minus
 *     the same measure taken before the table was made), against the bytes of
 *     the table pages the kernel would allocate for the same mapping
 *     (realTablePages() * granule, from the geometry).
 *
 * The maintenance log keeps recording (one dcache event per page without
 * FWB and with it, see workloads.ts) and is drained after every GiB, as a
 * consumer of the events would, so that its size does not grow with the
 * mapping: it is made before the baseline measure and never regrown.
 *
 * Targets (issue 9; reported, not asserted): memory within 1.25x of the real
 * table bytes; ns per page at 64 GiB within 1.3x of 1 GiB.
 */

import type { MaintenanceLog } from "../src/pgtable/events.js";
import type { Geometry } from "../src/pgtable/geometry.js";
import { KvmPgtable } from "../src/pgtable/pgtable.js";
import { BASE_IPA, BASE_PA, N4K, PAGE_SIZE } from "./inputs.js";
import { checkEvents, checkLeaf, checkTables, fail, pageRw, template } from "./verify.js";
import { settledHeap } from "./memory.js";
import { ThreadCpuClock } from "./threadcpu.js";
import { NO_STATS, newSpaceUsed, type WindowSink, type WindowStats } from "./watch.js";
import { benchConfig, mapPages } from "./workloads.js";

export const SCALING_GIB = [1, 4, 16, 64] as const;
const GIB = 2 ** 30;
const MIB2 = 2 ** 21;
export const MEMORY_TARGET = 1.25;
export const FLAT_TARGET = 1.3;
/**
 * The table pages the kernel holds for a mapping of [ipa, ipa + size) with
 * last-level leaves only: the concatenated root pages, plus, at every level
 * below the start level, one table per entry of the level above that the
 * range overlaps (kvm_granule_size(level - 1) apart).
 */
export function realTablePages(geom: Geometry, ipa: number, size: number): number {
  let pages = geom.pgdPages;
  const last = ipa + size - 1;
  for (let level = geom.startLevel + 1; level <= 3; level++) {
    const span = 2 ** geom.shifts[level]; // kvm_granule_size(level - 1), shifts[] indexed by level + 1
    pages += Math.floor(last / span) - Math.floor(ipa / span) + 1;
  }
  return pages;
}

export interface ScalingRow {
  gib: number;
  pages: number;
  /** Median over the runs. */
  nsPerPage: number;
  minNsPerPage: number;
  runs: number;
  tablePages: number;
  realBytes: number;
  storeBytes: number;
  heapBytes: number;
  /** GC pauses and CPU share inside the timed runs. */
  watch: WindowStats;
}

/**
 * The timed part: `gib` GiB of one-page maps, the log drained once per GiB.
 * Returns the events drained (the last GiB's stay in the log).
 */
function timed_scaling(p: KvmPgtable, gib: number, log: MaintenanceLog): number {
  let events = 0;
  for (let g = 0; g < gib; g++) {
    if (g !== 0) {
      events += log.length; // drain the log once per GiB
      log.clear();
    }
    // As map4k_1g: batches of 512 maps in an optimisable helper (see workloads.ts).
    for (let m = 0; m < 512; m++) mapPages(p, BASE_IPA + g * GIB + m * MIB2, BASE_PA + g * GIB + m * MIB2, 512);
  }
  return events;
}

/**
 * One timed mapping of `gib` GiB into a fresh table; returns ns per page, the
 * memory measures and the table (see runScaling for why the caller keeps it).
 */
function runOnce(gib: number, fwb: boolean, log: MaintenanceLog, sink: WindowSink, label: string, clock: ThreadCpuClock) {
  const before = settledHeap();
  const p = new KvmPgtable(benchConfig(fwb), {}, log);
  log.clear();
  const young0 = newSpaceUsed();
  clock.start();
  const start = performance.now();
  let events = timed_scaling(p, gib, log);
  const end = performance.now();
  const cpuNs = clock.stop();
  sink.window(label, start, end, cpuNs / 1e3, newSpaceUsed() - young0);
  const pages = gib * N4K;
  // Verify (untimed): the last GiB's events, the total, the tables, a sample of leaves.
  checkEvents(log, { dcache: N4K }, `scaling ${gib} GiB`);
  events += log.length;
  if (events !== pages) fail(`scaling ${gib} GiB: ${events} events, expected ${pages}`);
  const tablePages = realTablePages(p.geom, BASE_IPA, pages * PAGE_SIZE);
  checkTables(p, tablePages, `scaling ${gib} GiB`);
  const t = template(pageRw(fwb));
  for (let i = 0; i < pages; i += 4093) checkLeaf(p, BASE_IPA + i * PAGE_SIZE, t, BASE_PA + i * PAGE_SIZE, 3);
  checkLeaf(p, BASE_IPA + (pages - 1) * PAGE_SIZE, t, BASE_PA + (pages - 1) * PAGE_SIZE, 3);
  log.clear();
  const heapBytes = settledHeap() - before;
  const storeBytes = p.store.bytes();
  return { ns: cpuNs / pages, tablePages, realBytes: tablePages * p.geom.granule, storeBytes, heapBytes, table: p };
}

/** Timed runs of a size: more for the small sizes, whose runs are short (at most `reps`). */
export function scalingRuns(gib: number, reps: number): number {
  return Math.min(reps, gib === 1 ? 11 : gib === 4 ? 5 : 3);
}

/**
 * The scaling study, size by size: untimed warm-up runs of 1 GiB (`warmup`,
 * at least one), then scalingRuns() timed runs; memory figures from the last.
 *
 * Every table of a size stays alive until the size is done. When a dropped
 * KvmPgtable is collected, V8 discards the model's optimised code (trace-deopt
 * reason "weak objects"; keeping the table alive prevents it, keeping any of
 * its fields does not), and a run that starts right after such a GC spends
 * its first part re-optimising: about 2x the steady ns/page for a 1 GiB run,
 * amortised in a 64 GiB one. That would make the flat-cost comparison measure
 * the JIT, not the table. So the GCs before a timed run (the memory baseline)
 * collect no table of the same size, and each size warms up again after the
 * previous size's tables are let go.
 */
export function runScaling(fwb: boolean, log: MaintenanceLog, reps: number, warmup: number, sink: WindowSink, progress: (msg: string) => void): ScalingRow[] {
  const rows: ScalingRow[] = [];
  const clock = new ThreadCpuClock();
  clock.calibrate();
  for (const gib of SCALING_GIB) {
    const alive: KvmPgtable[] = [];
    for (let w = 0; w < Math.max(1, warmup); w++) alive.push(runOnce(1, fwb, log, { window() {} }, "warm-up", clock).table);
    const ns: number[] = [];
    const runs = scalingRuns(gib, reps);
    let last: ReturnType<typeof runOnce> | null = null;
    for (let r = 0; r < runs; r++) {
      last = runOnce(gib, fwb, log, sink, `scaling_${gib}g`, clock);
      alive.push(last.table);
      ns.push(last.ns);
    }
    if (last === null) throw new Error("scaling: no run");
    ns.sort((a, b) => a - b);
    const mid = ns.length >> 1;
    rows.push({
      gib,
      pages: gib * N4K,
      nsPerPage: ns.length % 2 ? ns[mid] : (ns[mid - 1] + ns[mid]) / 2,
      minNsPerPage: ns[0],
      runs,
      tablePages: last.tablePages,
      realBytes: last.realBytes,
      storeBytes: last.storeBytes,
      heapBytes: last.heapBytes,
      watch: NO_STATS,
    });
    alive.length = 0;
    progress(`scaling ${gib} GiB: ${rows[rows.length - 1].nsPerPage.toFixed(2)} ns/page`);
  }
  return rows;
}
