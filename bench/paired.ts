/**
 * Paired measurement, the arithmetic only (no clock, no I/O; unit-tested in
 * test/unit/bench-paired.test.ts).
 *
 * With `--sol`, every timed s2pt run is paired with a timed sol.c run of the
 * same workload made just before it (bench/main.ts), so that both halves of a
 * pair see the same machine: the same other load, the same CPU frequency, the
 * same neighbours in the caches. Each run is timed with two clocks: the CPU
 * time of the measuring thread (s2pt: process.cpuUsage() of a node running
 * with --single-threaded, so no V8 helper thread adds to it; sol:
 * CLOCK_THREAD_CPUTIME_ID) and wall time. Figures are CPU time: a run that
 * was preempted is not charged for the time it spent off the CPU. The ratio
 * is taken per pair (sol ns / s2pt ns: the fraction of C's speed s2pt
 * reaches) and the median of those ratios is the figure quoted; a ratio of
 * two medians taken at different moments would mix machine states.
 *
 * CPU share (CPU time / wall time of a timed run) says how busy the machine
 * was: below BUSY_SHARE the run was preempted, so it also shared caches and
 * memory bandwidth with other work and even its CPU time is inflated.
 */

/** One timed run: its unit count and the two clocks over the timed part, in total ns. */
export interface RunSample {
  units: number;
  wallNs: number;
  cpuNs: number;
}

/** A timed s2pt run and the sol.c run made just before it (null without --sol or for an s2pt-only row). */
export interface Pair {
  s2pt: RunSample;
  sol: RunSample | null;
}

/** Per-unit figures of one side over its timed runs (CPU clock unless named wall). */
export interface SideSummary {
  runs: number;
  medianNs: number;
  minNs: number;
  maxNs: number;
  wallMedianNs: number;
  /** Median over the runs of CPU time / wall time. */
  cpuShare: number;
}

export interface PairedSummary {
  s2pt: SideSummary;
  sol: SideSummary | null;
  /** Median over the pairs of (sol ns / s2pt ns), CPU clock; null without sol runs. */
  ratio: number | null;
  ratioMin: number | null;
  ratioMax: number | null;
  pairs: number;
}

/** Below this CPU share (of either side, median over the runs) the figures are flagged: the machine was busy. */
export const BUSY_SHARE = 0.9;

/** The median as sol.c takes it: the middle value, or the mean of the two middle values. NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function checkSample(r: RunSample, what: string): void {
  if (!(r.units > 0) || !(r.cpuNs >= 0) || !(r.wallNs > 0))
    throw new RangeError(`${what}: a run needs units > 0, cpuNs >= 0 and wallNs > 0 (got ${JSON.stringify(r)})`);
}

/**
 * A timed run of several rounds (bench/workloads.ts, Workload.rounds): the
 * rounds' units and both clocks summed, so that its figure per unit is the
 * rounds' total time over their total units. `a` null: the first round.
 */
export function addRuns(a: RunSample | null, b: RunSample): RunSample {
  checkSample(b, "round");
  return a === null ? { ...b } : { units: a.units + b.units, wallNs: a.wallNs + b.wallNs, cpuNs: a.cpuNs + b.cpuNs };
}

/** ns per unit of one side's runs. */
export function summariseSide(runs: readonly RunSample[]): SideSummary {
  if (runs.length === 0) throw new RangeError("summariseSide: no runs");
  runs.forEach((r, i) => checkSample(r, `run ${i}`));
  const cpu = runs.map((r) => r.cpuNs / r.units);
  return {
    runs: runs.length,
    medianNs: median(cpu),
    minNs: Math.min(...cpu),
    maxNs: Math.max(...cpu),
    wallMedianNs: median(runs.map((r) => r.wallNs / r.units)),
    cpuShare: median(runs.map((r) => r.cpuNs / r.wallNs)),
  };
}

/** sol ns per unit / s2pt ns per unit of each pair that has a sol run. */
export function pairRatios(pairs: readonly Pair[]): number[] {
  const out: number[] = [];
  for (const p of pairs) {
    if (p.sol === null) continue;
    const s2pt = p.s2pt.cpuNs / p.s2pt.units;
    const sol = p.sol.cpuNs / p.sol.units;
    if (!(s2pt > 0)) throw new RangeError("pairRatios: an s2pt run took no CPU time");
    out.push(sol / s2pt);
  }
  return out;
}

/**
 * Both sides' figures and the paired ratio. Either every pair has a sol run
 * or none has (a mixed list is a harness bug).
 */
export function summarisePairs(pairs: readonly Pair[]): PairedSummary {
  if (pairs.length === 0) throw new RangeError("summarisePairs: no pairs");
  const withSol = pairs.filter((p) => p.sol !== null).length;
  if (withSol !== 0 && withSol !== pairs.length) throw new RangeError(`summarisePairs: ${withSol} of ${pairs.length} pairs have a sol run`);
  const s2pt = summariseSide(pairs.map((p) => p.s2pt));
  if (withSol === 0) return { s2pt, sol: null, ratio: null, ratioMin: null, ratioMax: null, pairs: pairs.length };
  const sol = summariseSide(pairs.map((p) => p.sol as RunSample));
  const ratios = pairRatios(pairs);
  return { s2pt, sol, ratio: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios), pairs: pairs.length };
}

/** A one-line warning when either side's CPU share says the machine was busy, else null. */
export function busyWarning(name: string, s: PairedSummary): string | null {
  const low: string[] = [];
  if (s.s2pt.cpuShare < BUSY_SHARE) low.push(`s2pt ${pct(s.s2pt.cpuShare)}`);
  if (s.sol !== null && s.sol.cpuShare < BUSY_SHARE) low.push(`sol ${pct(s.sol.cpuShare)}`);
  if (low.length === 0) return null;
  return `warning: ${name}: the machine was busy (CPU share of the timed runs ${low.join(", ")}, below ${pct(BUSY_SHARE)}): the CPU-time figures exclude the time off the CPU but not the shared caches; rerun on a quiet machine before quoting them`;
}

/**
 * The text report's one line for every busy workload at once (null when
 * none was): "warning: the machine was busy (...): w1 s2pt 50%; w2 sol 80%: ...".
 */
export function busySummary(rows: ReadonlyArray<{ name: string; summary: PairedSummary }>): string | null {
  const parts: string[] = [];
  for (const r of rows) {
    const low: string[] = [];
    if (r.summary.s2pt.cpuShare < BUSY_SHARE) low.push(`s2pt ${pct(r.summary.s2pt.cpuShare)}`);
    if (r.summary.sol !== null && r.summary.sol.cpuShare < BUSY_SHARE) low.push(`sol ${pct(r.summary.sol.cpuShare)}`);
    if (low.length > 0) parts.push(`${r.name} ${low.join(", ")}`);
  }
  if (parts.length === 0) return null;
  return `warning: the machine was busy (CPU share of the timed runs below ${pct(BUSY_SHARE)}: ${parts.join("; ")}): the CPU-time figures exclude the time off the CPU but not the shared caches; rerun on a quiet machine before quoting them`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
