/**
 * What `npm run bench` prints and writes: the results table (speed, memory,
 * and with --sol the paired ratios and the targets), the busy-machine
 * warnings, the scaling table, and the --json file. Formatting only; no
 * measurement here.
 */

import type { MachineInfo } from "./machine.js";
import type { MemoryFigures } from "./memory.js";
import { busySummary, busyWarning, type PairedSummary } from "./paired.js";
import { FLAT_TARGET, MEMORY_TARGET, type ScalingRow } from "./scaling.js";
import type { WindowStats } from "./watch.js";

export interface WorkloadResult {
  name: string;
  unit: string;
  /** Units per timed run (of all its rounds). */
  units: number;
  /** Rounds per timed run (set-up, timed part and check each; each round paired with a sol.c run). */
  rounds: number;
  /** The sol.c workload its runs were paired with (null: none). */
  sol: string | null;
  /** Both sides' figures per unit (CPU time) and the paired ratio. */
  summary: PairedSummary;
  memory: MemoryFigures;
  /** GC pauses and allocation inside the timed runs. */
  watch: WindowStats;
}

export interface RunConfig {
  fwb: boolean;
  reps: number;
  warmup: number;
  /** Whether each s2pt timed run was paired with a sol.c run (--sol). */
  paired: boolean;
  /** What the figures are: the clock. */
  clock: string;
  command: string;
}

/**
 * Speed targets (sol median / s2pt median) of issue 20: every workload at
 * least 0.5x, the walk (get_leaf, sol.c's own work) at least 0.6x.
 */
export function speedTarget(name: string): number {
  return name.startsWith("walk_random_1m") ? 0.6 : 0.5;
}

function round3(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000;
}

/** The --json file: the machine, the configuration, and per workload every figure of the table. */
export function jsonReport(results: readonly WorkloadResult[], machine: MachineInfo, config: RunConfig): string {
  const workloads: Record<string, unknown> = {};
  const warnings: string[] = [];
  for (const r of results) {
    const s = r.summary;
    const m = r.memory;
    const warn = busyWarning(r.name, s);
    if (warn !== null) warnings.push(warn);
    workloads[r.name] = {
      unit: r.unit,
      units: r.units,
      rounds: r.rounds,
      runs: s.pairs,
      median_ns: round3(s.s2pt.medianNs),
      min_ns: round3(s.s2pt.minNs),
      max_ns: round3(s.s2pt.maxNs),
      wall_median_ns: round3(s.s2pt.wallMedianNs),
      cpu_share: round3(s.s2pt.cpuShare),
      sol_workload: s.sol === null ? null : r.sol,
      sol_median_ns: s.sol === null ? null : round3(s.sol.medianNs),
      sol_min_ns: s.sol === null ? null : round3(s.sol.minNs),
      sol_wall_median_ns: s.sol === null ? null : round3(s.sol.wallMedianNs),
      sol_cpu_share: s.sol === null ? null : round3(s.sol.cpuShare),
      ratio: round3(s.ratio),
      ratio_min: round3(s.ratioMin),
      ratio_max: round3(s.ratioMax),
      target: speedTarget(r.name),
      kernel_table_bytes: m.kernelTableBytes,
      table_bytes: m.tableBytes,
      process_bytes: m.processBytes,
      table_vs_kernel: round3(m.tableBytes / m.kernelTableBytes),
      process_vs_kernel: round3(m.processBytes / m.kernelTableBytes),
      memory_target: MEMORY_TARGET,
      gc_in_timed: r.watch.gcCount,
      alloc_per_unit: round3(r.watch.allocPerUnit),
      busy: warn !== null,
    };
  }
  const out = {
    machine: {
      cpu: machine.cpu,
      cores: machine.cores,
      node: machine.node,
      platform: machine.platform,
      load_start: machine.loadStart.map((x) => round3(x)),
      load_end: machine.loadEnd.map((x) => round3(x)),
      sol_compiler: machine.solCompiler,
    },
    config: { fwb: config.fwb, reps: config.reps, warmup: config.warmup, paired: config.paired, clock: config.clock, command: config.command },
    workloads,
    warnings,
  };
  return JSON.stringify(out, null, 2) + "\n";
}

function ns(x: number): string {
  return x >= 100 ? x.toFixed(1) : x.toFixed(2);
}

function table(head: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((s, c) => (right[c] ? s.padStart(w[c]) : s.padEnd(w[c])))
      .join("  ")
      .trimEnd();
  return [line(head), line(w.map((n) => "-".repeat(n))), ...rows.map(line)].join("\n") + "\n";
}

function times(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(3)}x` : "-";
}

/**
 * The results table: s2pt's median and minimum (CPU ns per unit), its CPU
 * share, GC and allocation in the timed runs, memory against the kernel's
 * table bytes; with sol: sol's median, its CPU share, the paired ratio with
 * its range over the pairs, and the target.
 */
export function resultsTable(results: readonly WorkloadResult[]): string {
  const paired = results.some((r) => r.summary.sol !== null);
  const head = ["workload", "median ns", "min ns", "unit", "cpu", "gc in timed", "alloc B", "store/kernel", "heap/kernel"];
  const right = [false, true, true, false, true, true, true, true, true];
  if (paired) {
    head.push("sol median", "sol cpu", "ratio", "ratio range", "target");
    right.push(true, true, true, false, false);
  }
  const rows = results.map((r) => {
    const s = r.summary;
    const m = r.memory;
    const row = [
      r.name,
      ns(s.s2pt.medianNs),
      ns(s.s2pt.minNs),
      r.unit,
      pct(s.s2pt.cpuShare),
      gc(r.watch),
      alloc(r.watch),
      times(m.tableBytes / m.kernelTableBytes),
      times(m.processBytes / m.kernelTableBytes),
    ];
    if (paired) {
      if (s.sol === null || s.ratio === null) row.push("-", "-", "-", "-", "-");
      else {
        const target = speedTarget(r.name);
        row.push(
          ns(s.sol.medianNs),
          pct(s.sol.cpuShare),
          `${s.ratio.toFixed(3)}x`,
          `${(s.ratioMin ?? NaN).toFixed(3)}-${(s.ratioMax ?? NaN).toFixed(3)}`,
          `>= ${target}x ${s.ratio >= target ? "PASS" : "MISS"}`,
        );
      }
    }
    return row;
  });
  let out = table(head, rows, right);
  const memWorst = Math.max(...results.map((r) => Math.max(r.memory.tableBytes, r.memory.processBytes) / r.memory.kernelTableBytes));
  if (results.length > 0)
    out += `memory, worst workload: ${times(memWorst)} of the kernel's table bytes (target <= ${MEMORY_TARGET}x) ${memWorst <= MEMORY_TARGET ? "PASS" : "MISS"}\n`;
  const busy = busySummary(results);
  if (busy !== null) out += busy + "\n";
  return out;
}

function pct(x: number): string {
  return Number.isNaN(x) ? "-" : `${Math.round(x * 100)}%`;
}

function gc(w: WindowStats): string {
  return w.gcCount === 0 ? "0" : `${w.gcCount} (${w.gcMs.toFixed(1)} ms)`;
}

/** New-space bytes allocated per unit in GC-free timed runs ("-": every run saw a GC). */
function alloc(w: WindowStats): string {
  return Number.isNaN(w.allocPerUnit) ? "-" : w.allocPerUnit.toFixed(1);
}

function perPage(bytes: number, pages: number): string {
  return (bytes / pages).toFixed(3);
}

/** The scaling table and the two scaling targets. */
export function scalingReport(rows: readonly ScalingRow[]): string {
  const head = [
    "GiB",
    "pages",
    "runs",
    "ns/page",
    "min",
    "table pages",
    "real B/page",
    "store B/page",
    "store/real",
    "heap B/page",
    "heap/real",
    "gc in timed",
    "cpu",
    "alloc B",
  ];
  const right = head.map(() => true);
  const body = rows.map((r) => [
    String(r.gib),
    String(r.pages),
    String(r.runs),
    ns(r.nsPerPage),
    ns(r.minNsPerPage),
    String(r.tablePages),
    perPage(r.realBytes, r.pages),
    perPage(r.storeBytes, r.pages),
    `${(r.storeBytes / r.realBytes).toFixed(3)}x`,
    perPage(r.heapBytes, r.pages),
    `${(r.heapBytes / r.realBytes).toFixed(3)}x`,
    gc(r.watch),
    pct(r.watch.cpuShare),
    alloc(r.watch),
  ]);
  let out = table(head, body, right);
  const first = rows.find((r) => r.gib === 1);
  const last = rows.find((r) => r.gib === 64);
  if (first && last) {
    const flat = last.nsPerPage / first.nsPerPage;
    const flatMin = last.minNsPerPage / first.minNsPerPage;
    out += `flat cost: ns/page at 64 GiB / 1 GiB = ${flat.toFixed(3)}x of the medians, ${flatMin.toFixed(3)}x of the minima (target <= ${FLAT_TARGET}x) ${flat <= FLAT_TARGET ? "PASS" : "MISS"}\n`;
  }
  if (rows.length > 0) {
    const store = Math.max(...rows.map((r) => r.storeBytes / r.realBytes));
    const heap = Math.max(...rows.map((r) => r.heapBytes / r.realBytes));
    out += `memory, worst size: store ${store.toFixed(3)}x, process heap ${heap.toFixed(3)}x of the real table bytes (target <= ${MEMORY_TARGET}x) store ${store <= MEMORY_TARGET ? "PASS" : "MISS"}, heap ${heap <= MEMORY_TARGET ? "PASS" : "MISS"}\n`;
  }
  return out;
}
