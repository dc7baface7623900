/**
 * What `npm run bench` prints and writes: the results table, the ratios to
 * the C baseline with the targets, the scaling table, and the JSON
 * file of --json. Formatting only; no measurement here.
 */

import { FLAT_TARGET, MEMORY_TARGET, type ScalingRow } from "./scaling.js";
import type { SolResult } from "./sol.js";
import type { WindowStats } from "./watch.js";

export interface WorkloadResult {
  name: string;
  unit: string;
  /** ns per unit, over the timed runs. */
  medianNs: number;
  minNs: number;
  maxNs: number;
  runs: number;
  /** Units per run. */
  units: number;
  /** GC pauses and CPU share inside the timed runs. */
  watch: WindowStats;
}

/** Speed targets of issue 9: s2pt at least this fraction of sol's speed (sol median / s2pt median). */
export function speedTarget(name: string): number {
  return name === "walk_random_1m" ? 0.7 : 0.5;
}

/** The --json file: exactly {"workloads": {"<name>": {"median_ns", "min_ns", "unit"}}}. */
export function jsonReport(results: readonly WorkloadResult[]): string {
  const workloads: Record<string, { median_ns: number; min_ns: number; unit: string }> = {};
  for (const r of results) workloads[r.name] = { median_ns: round3(r.medianNs), min_ns: round3(r.minNs), unit: r.unit };
  return JSON.stringify({ workloads }, null, 2) + "\n";
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
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

/** The results table: median, min, unit; with sol: sol's median, the ratio and the target. */
export function resultsTable(results: readonly WorkloadResult[], sol: SolResult | null): string {
  const head = ["workload", "median ns", "min ns", "unit", "gc in timed", "cpu", "alloc B"];
  const right = [false, true, true, false, true, true, true];
  if (sol) {
    head.push("sol median", "sol min", "ratio", "target");
    right.push(true, true, true, false);
  }
  const rows = results.map((r) => {
    const row = [r.name, ns(r.medianNs), ns(r.minNs), r.unit, gc(r.watch), cpu(r.watch), alloc(r.watch)];
    if (sol) {
      // The get_leaf variant of the walk runs sol.c's own walk workload (its get_leaf).
      const solName = r.name === "walk_random_1m_get_leaf" ? "walk_random_1m" : r.name;
      const s = sol.workloads[solName];
      if (s === undefined) row.push("-", "-", "-", "-");
      else {
        const ratio = s.median_ns / r.medianNs;
        const target = speedTarget(solName);
        row.push(ns(s.median_ns), ns(s.min_ns), `${ratio.toFixed(3)}x`, `>= ${target}x ${ratio >= target ? "PASS" : "MISS"}`);
      }
    }
    return row;
  });
  return table(head, rows, right);
}

function gc(w: WindowStats): string {
  return w.gcCount === 0 ? "0" : `${w.gcCount} (${w.gcMs.toFixed(1)} ms)`;
}

/** CPU time / wall time in the timed runs (below ~95%: preempted, the figure is inflated). */
function cpu(w: WindowStats): string {
  return Number.isNaN(w.cpuShare) ? "-" : `${Math.round(w.cpuShare * 100)}%`;
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
  const head = ["GiB", "pages", "runs", "ns/page", "min", "table pages", "real B/page", "store B/page", "store/real", "heap B/page", "heap/real", "gc in timed", "cpu", "alloc B"];
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
    cpu(r.watch),
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
