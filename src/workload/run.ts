/**
 * The run loop of `s2pt bench`. For each configuration:
 *
 *   1. one counting pass (untimed): the workload on a fresh table with a
 *      store hook and a Counter, which counts the kernel's work exactly
 *      (counts.ts) and finds the first failure (-ENOMEM when the tables
 *      outgrow the page budget), before any time is spent on timed runs;
 *   2. then `warmup` untimed and `reps` timed runs, each on a fresh table
 *      through the public KvmPgtable API with no hook (a hook would turn the
 *      fast paths off), the set-up phases untimed, a full GC (when the
 *      caller can give one) before the timed window. After each, the
 *      maintenance the run's log holds per kind and the table pages in use
 *      must equal the counting pass's: a difference is a bug in s2pt.
 *
 * The configurations run one after the other: at most one table (and the
 * workload's inputs) is alive at a time.
 */

import { ENOMEM, ERRNO_NAMES } from "../pgtable/descriptor.js";
import { EVENT_NAMES, MaintenanceLog } from "../pgtable/events.js";
import { ArgumentError, checkFunction, checkInt, checkKnownKeys, checkObject, shown } from "../pgtable/args.js";
import { MAX_SCENARIO_WORK, WorkBudget, checkOpWork, opWorkBound, scenarioMaxPages } from "../scenario/limits.js";
import { KvmPgtable } from "../pgtable/pgtable.js";
import { execOp, newScenarioTable, opInputError } from "../scenario/replay.js";
import { InputError, binarySizeText } from "../pgtable/u64.js";
import { CpuWallClock, stat, type Stat } from "./clock.js";
import { Counter, MAX_FLUSH_EVENTS, countingLog, kernelFnOfOp, sumCounts, totalCalls, type Counts } from "./counts.js";
import { RunState, runCalls } from "./mmu.js";
import { isPlannedSpec, type Phase, type Refusal, type Workload, type WorkloadSpec } from "./patterns.js";
import type { BenchConfig } from "./config.js";

/** Calls run between two progress reports in the counting pass. */
const PROGRESS_CALLS = 1 << 14;

/** Most timed runs (and warm-up runs) per configuration. */
export const MAX_REPS = 99;

/**
 * Most mmu.c-level calls one runBench() of a pattern makes over the whole
 * run: every configuration's counting pass, warm-up and timed runs (2^27:
 * 64 GiB of 4K pages faulted in, counted and timed 5 times). A run that
 * would pass it is refused before anything runs.
 */
export const MAX_BENCH_RUN_CALLS = 2 ** 27;

/**
 * The same for a scenario workload, in table entries as its work budget
 * charges them (MAX_SCENARIO_WORK per pass): 8 passes of the largest
 * scenario. Known from the first counting pass; the run is refused then,
 * before any timed run.
 */
export const MAX_BENCH_RUN_WORK = 2 ** 27;

/** Refuse a run whose work (`total` of `what`) passes `limit`, naming the options that set it. */
function checkRunWork(total: number, req: BenchRequest, configs: number, what: string, limit: number): void {
  if (total <= limit) return;
  const runs = req.reps > 0 ? `the counting pass, --warmup ${req.warmup} and --reps ${req.reps}` : "the counting pass (--reps 0)";
  throw new InputError(
    `${req.reps > 0 ? `--reps ${req.reps}` : "--compare"}: ${configs} configuration${configs > 1 ? "s" : ""}, each run ${req.reps > 0 ? 1 + req.warmup + req.reps : 1} times (${runs}), ` +
      `make ${total.toLocaleString("en-US")} ${what} in all, beyond s2pt bench's limit of ${limit.toLocaleString("en-US")} per run ` +
      `(docs/reliability.md, "Resource bounds"): lower --reps, --warmup, --size or --compare`,
  );
}

/** What runBench() runs: a workload, its table's page budget, timed and warm-up runs per configuration. */
export interface BenchRequest {
  spec: WorkloadSpec;
  /** Most table pages a pattern's table may hold, root pages included (a scenario's config says its own). */
  maxTablePages: number;
  /** Timed runs per configuration (0: the counting pass only). */
  reps: number;
  /** Untimed runs before them. */
  warmup: number;
}

/** Where a run is, for a progress display: the configuration, and the counting pass or the timed runs. */
export interface Progress {
  /** Configuration index and count. */
  config: number;
  configs: number;
  stage: "count" | "time";
  /** Calls done of the counting pass, or runs done of warm-up + timed runs. */
  done: number;
  total: number;
}

/** What the caller may hook into a run (the CLI: its progress bar and a GC before each timed window). */
export interface RunHooks {
  /** Called now and then (never inside a timed window). */
  progress?: (p: Progress) => void;
  /** A full garbage collection, run before each timed window. */
  gc?: () => void;
}

/** Where and why a workload stopped. */
export interface RunError {
  /** Index of the phase (in the workload's phases) and its title. */
  phase: number;
  phaseTitle: string;
  /** Whether that phase is part of the timed work (else the set-up). */
  timed: boolean;
  /** Index of the call in the phase, and the phase's calls. */
  call: number;
  calls: number;
  /** The kernel call that failed, with its arguments. */
  op: string;
  ret: number;
  errno: string;
  why: string;
}

/** One phase of a workload (set-up or timed): its title, its kernel calls and what they did. */
export interface PhaseResult {
  title: string;
  calls: number;
  counts: Counts;
}

/** The timed runs of one configuration: CPU and wall time of each, and per unit at the median. */
export interface Timing {
  reps: number;
  warmup: number;
  /** CPU and wall ns of the timed part of each timed run. */
  cpuNs: number[];
  wallNs: number[];
  /** CPU ns per unit (WorkloadSpec.unit) over the runs. */
  nsPerUnit: Stat;
  /** Units per CPU second and kernel calls per CPU second, at the median. */
  unitsPerSecond: number;
  callsPerSecond: number;
  /** CPU time / wall time, median over the runs. */
  cpuShare: number;
}

/** One configuration's answer: the kernel's refusal, or the exact counts and the timings. */
export interface ConfigResult {
  config: BenchConfig;
  /** The prot the workload's faults map with (null: a scenario, or refused). */
  prot: number | null;
  /** The kernel refuses the workload in this configuration (nothing ran). */
  refusal: Refusal | null;
  /** The workload stopped on a failed call (the counts are those up to it; no timed run). */
  error: RunError | null;
  /** The kernel's work over the timed phases (null when refused or stopped in the set-up). */
  counts: Counts | null;
  phases: PhaseResult[];
  /** A scenario: its kernel ops' non-zero returns, per errno name (they are results, not failures). */
  rets: Record<string, number> | null;
  timing: Timing | null;
}

/** runBench()'s answer: the request and one result per configuration. */
export interface BenchResult {
  spec: WorkloadSpec;
  maxTablePages: number;
  reps: number;
  warmup: number;
  results: ConfigResult[];
}

function errnoText(ret: number): string {
  return ret < 0 && ERRNO_NAMES[-ret] ? `-${ERRNO_NAMES[-ret]}` : String(ret);
}

/** The table a workload starts from. */
function freshTable(w: Workload, maxTablePages: number, log: MaintenanceLog): KvmPgtable {
  if (w.scenario !== null) return newScenarioTable(w.scenario, log);
  return new KvmPgtable(w.config, { maxPages: maxTablePages }, log);
}

/** Table pages the table may hold. */
function pageBudget(w: Workload, maxTablePages: number): number {
  return w.scenario !== null ? (w.scenario.maxTablePages ?? scenarioMaxPages(w.config.granule)) : maxTablePages;
}

/**
 * Run kernel ops [from, to) of a scenario phase. Counting (acct set): each op
 * is first checked against s2pt's per-op bound and the scenario's work
 * budget (as `s2pt replay` does; an op too large is an InputError naming it),
 * and a non-zero ret is recorded in `rets` (a scenario's errnos are results).
 */
function runScenarioCalls(
  pgt: KvmPgtable,
  w: Workload,
  from: number,
  to: number,
  acct: Counter | null,
  budget: WorkBudget | null,
  rets: Record<string, number> | null,
): void {
  const scn = w.scenario;
  if (scn === null) throw new Error("runScenarioCalls: no scenario");
  for (let k = from; k < to; k++) {
    const i = w.scenarioOps[k];
    const op = scn.ops[i];
    if (acct === null) {
      execOp(pgt, op, scn);
      continue;
    }
    const what = `ops[${i}] (${op.op})`;
    checkOpWork(pgt, op, scn.memcache, what);
    budget?.charge(pgt, op, scn.memcache, what);
    // flush stores nothing, so the hook cannot drain its events: their number is bounded first.
    if (op.op === "flush" && !pgt.fwb) {
      const n = opWorkBound(pgt, op, scn.memcache);
      if (n > MAX_FLUSH_EVENTS)
        throw new InputError(`${what}: may ask for ${n} dcache cleans in one call; s2pt bench counts at most ${MAX_FLUSH_EVENTS} per flush`);
    }
    acct.beforeCall();
    let r: ReturnType<typeof execOp>;
    try {
      r = execOp(pgt, op, scn);
    } catch (e) {
      throw opInputError(e, i, op);
    }
    acct.afterCall(kernelFnOfOp(op.op));
    const ret = "exec" in r ? r.exec.ret : 0;
    if (ret !== 0 && rets !== null) rets[errnoText(ret)] = (rets[errnoText(ret)] ?? 0) + 1;
  }
}

/** Why a call failed, in words (the page budget behind an -ENOMEM). */
function failureWhy(pgt: KvmPgtable, ret: number, budget: number, granule: number): string {
  if (ret === -ENOMEM) {
    if (pgt.store.inUse >= budget) {
      return `the stage-2 tables reached the page budget, ${budget.toLocaleString("en-US")} table pages (${binarySizeText(budget * granule)}; --max-table-pages): zalloc_page() returned NULL, as when the host is out of memory`;
    }
    return "the memory cache ran out of pages";
  }
  return "the kernel call returned an error";
}

interface CountOutcome {
  counts: Counts | null;
  phases: PhaseResult[];
  error: RunError | null;
  rets: Record<string, number> | null;
  /** pgtable.c events per kind (EVENT_NAMES order) over the timed phases, and the table pages in use at the end. */
  logKinds: Float64Array;
  endPages: number;
  /** A scenario: the table entries its work budget charged (0 for a pattern). */
  work: number;
}

function countPass(w: Workload, maxTablePages: number, report: (done: number, total: number) => void): CountOutcome {
  const log = countingLog();
  const pgt = freshTable(w, maxTablePages, log);
  const budgetPages = pageBudget(w, maxTablePages);
  const st = new RunState();
  const acct = new Counter(pgt, w.config.dic);
  const rets: Record<string, number> | null = w.scenario !== null ? {} : null;
  const work = w.scenario !== null ? new WorkBudget(MAX_SCENARIO_WORK) : null;
  const phases: PhaseResult[] = [];
  let error: RunError | null = null;
  let installed = false;
  const total = w.phases.reduce((a, p) => a + p.calls, 0);
  let done = 0;
  try {
    for (let k = 0; k < w.phases.length && error === null; k++) {
      const p = w.phases[k];
      if (p.timed && !installed) {
        acct.install();
        installed = true;
      }
      if (p.timed) acct.phaseStart();
      for (let from = 0; from < p.calls; from += PROGRESS_CALLS) {
        const to = Math.min(p.calls, from + PROGRESS_CALLS);
        const a = p.timed ? acct : null;
        if (p.kind === "scenario") runScenarioCalls(pgt, w, from, to, a, work, rets);
        else if (runCalls(pgt, p, from, to, a, st) >= 0) {
          const f = st.failure;
          if (f === null) throw new Error("runCalls() stopped without a failure");
          error = {
            phase: k,
            phaseTitle: p.title,
            timed: p.timed,
            call: f.call,
            calls: p.calls,
            op: f.op,
            ret: f.ret,
            errno: errnoText(f.ret),
            why: failureWhy(pgt, f.ret, budgetPages, w.geometry.granule),
          };
          break;
        }
        done += to - from;
        report(done, total);
      }
      if (p.timed) phases.push({ title: p.title, calls: p.calls, counts: acct.phaseEnd() });
    }
  } finally {
    if (installed) acct.uninstall();
  }
  const counts = phases.length > 0 ? sumCounts(phases.map((x) => x.counts)) : null;
  return { counts, phases, error, rets, logKinds: acct.logKinds, endPages: pgt.store.inUse, work: work?.spent ?? 0 };
}

/** One timed (or warm-up) run: a fresh table, the set-up untimed, the timed phases in one window. */
function timedRun(w: Workload, maxTablePages: number, log: MaintenanceLog, want: CountOutcome, hooks: RunHooks): { cpuNs: number; wallNs: number } {
  log.clear();
  const pgt = freshTable(w, maxTablePages, log);
  const st = new RunState();
  for (const p of w.phases)
    if (!p.timed && runCalls(pgt, p, 0, p.calls, null, st) >= 0)
      throw new Error(`timed run: the set-up failed (${st.failure?.op}) where the counting pass did not`);
  log.clear();
  hooks.gc?.();
  const clock = new CpuWallClock();
  clock.start();
  for (const p of w.phases) {
    if (!p.timed) continue;
    if (p.kind === "scenario") runScenarioCalls(pgt, w, 0, p.calls, null, null, null);
    else if (runCalls(pgt, p, 0, p.calls, null, st) >= 0)
      throw new Error(`timed run: ${st.failure?.op} returned ${st.failure?.ret} where the counting pass did not fail`);
  }
  const t = clock.stop();
  // The same work as the counting pass: the maintenance per kind, the pages in use.
  const got = log.countByKind();
  for (let k = 1; k < EVENT_NAMES.length; k++) {
    if (got[k] !== want.logKinds[k]) throw new Error(`timed run: ${got[k]} ${EVENT_NAMES[k]} events, the counting pass counted ${want.logKinds[k]}`);
  }
  if (pgt.store.inUse !== want.endPages) throw new Error(`timed run: ${pgt.store.inUse} table pages in use at the end, the counting pass had ${want.endPages}`);
  return t;
}

/** Run a workload in every configuration: counts, then timed runs. */
export function runBench(req: BenchRequest, hooks: RunHooks = {}): BenchResult {
  const r = checkObject(req, "req");
  checkKnownKeys(r, "req", ["spec", "maxTablePages", "reps", "warmup"]);
  // Only a spec the planner made (and froze): a hand-made or altered one could ask for anything.
  if (!isPlannedSpec(r.spec)) throw new ArgumentError("req.spec", `${shown(r.spec)} is not a WorkloadSpec planPattern() or planScenario() made`);
  checkInt(r.maxTablePages, "req.maxTablePages", 0, 2 ** 32);
  checkInt(r.reps, "req.reps", 0, MAX_REPS);
  checkInt(r.warmup, "req.warmup", 0, MAX_REPS);
  const h = checkObject(hooks, "hooks");
  checkKnownKeys(h, "hooks", ["progress", "gc"]);
  if (h.progress !== undefined) checkFunction(h.progress, "hooks.progress");
  if (h.gc !== undefined) checkFunction(h.gc, "hooks.gc");
  const spec = req.spec;
  const n = spec.workloads.length;
  const passes = 1 + (req.reps > 0 ? req.warmup + req.reps : 0);
  // The whole run's work, before any of it runs: a pattern's calls per pass are known now.
  const patternCalls = spec.workloads.reduce((a, w) => a + (w.refusal === null && w.scenario === null ? w.phases.reduce((b, p) => b + p.calls, 0) : 0), 0);
  checkRunWork(patternCalls * passes, req, n, "kernel calls", MAX_BENCH_RUN_CALLS);
  /** A scenario's work (table entries, as its work budget charges them) so far in this run. */
  let scenarioWork = 0;
  const results: ConfigResult[] = spec.workloads.map((w, ci) => {
    const base: ConfigResult = { config: w.config, prot: w.prot, refusal: w.refusal, error: null, counts: null, phases: [], rets: null, timing: null };
    if (w.refusal !== null) return base;
    const c = countPass(w, req.maxTablePages, (done, total) => hooks.progress?.({ config: ci, configs: n, stage: "count", done, total }));
    const r: ConfigResult = { ...base, error: c.error, counts: c.counts, phases: c.phases, rets: c.rets };
    if (w.scenario !== null) {
      // A scenario's work is known from its counting pass: this configuration's runs, and as much again for each one after it.
      scenarioWork += c.work;
      checkRunWork(scenarioWork + c.work * (passes - 1) + c.work * passes * (n - 1 - ci), req, n, "table entries", MAX_BENCH_RUN_WORK);
      scenarioWork += c.work * (passes - 1);
    }
    if (c.error !== null || req.reps === 0 || c.counts === null) return r;
    const log = new MaintenanceLog();
    const cpu: number[] = [];
    const wall: number[] = [];
    const runs = req.warmup + req.reps;
    for (let i = 0; i < runs; i++) {
      hooks.progress?.({ config: ci, configs: n, stage: "time", done: i, total: runs });
      const t = timedRun(w, req.maxTablePages, log, c, hooks);
      if (i >= req.warmup) {
        cpu.push(t.cpuNs);
        wall.push(t.wallNs);
      }
    }
    hooks.progress?.({ config: ci, configs: n, stage: "time", done: runs, total: runs });
    const units = Math.max(1, spec.units);
    const cpuStat = stat(cpu);
    const seconds = cpuStat.median / 1e9;
    r.timing = {
      reps: req.reps,
      warmup: req.warmup,
      cpuNs: cpu,
      wallNs: wall,
      nsPerUnit: stat(cpu.map((x) => x / units)),
      unitsPerSecond: seconds > 0 ? spec.units / seconds : Infinity,
      callsPerSecond: seconds > 0 ? totalCalls(c.counts) / seconds : Infinity,
      cpuShare: stat(cpu.map((x, i) => (wall[i] > 0 ? x / wall[i] : 1))).median,
    };
    return r;
  });
  return { spec, maxTablePages: req.maxTablePages, reps: req.reps, warmup: req.warmup, results };
}

/** The phases a workload's timed part holds (for a description). */
export function timedPhases(w: Workload): Phase[] {
  return w.phases.filter((p) => p.timed);
}
