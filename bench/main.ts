/**
 * `npm run bench -- [options]`: the s2pt benchmarks (see bench/workloads.ts,
 * bench/scaling.ts and docs/benchmarks.md).
 *
 * Per workload, one at a time (as sol.c): --warmup untimed runs (default 6;
 * sol.c does 1, V8 needs a few to reach its steady state), then --reps timed
 * runs. Each timed run: the untimed set-up, a full GC, a read of the
 * workload's tables, the timed part, the untimed verification. With --sol every timed run
 * is paired with one timed run of the same sol.c workload made just before
 * it (bench/sol.ts drives sol.c one run at a time; bench/paired.ts). Figures
 * are CPU time per unit of the measuring thread: node runs with
 * --single-threaded (this script restarts itself with it), so V8 has no
 * helper threads, and bench/threadcpu.ts takes what node's other threads ran
 * out of process.cpuUsage(); sol's is CLOCK_THREAD_CPUTIME_ID. Wall time is
 * kept beside it for the CPU share.
 *
 * Output: the table on stdout, progress on stderr. Exit 0; 1 when a
 * verification fails (the figures are not trusted); 2 on a bad argument.
 */

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { MaintenanceLog } from "../src/pgtable/events.js";
import { InputError } from "../src/pgtable/u64.js";
import { USAGE, parseBenchArgs, type BenchArgs } from "./args.js";
import { PAGE_SIZE } from "./inputs.js";
import { loadNow, machineInfo } from "./machine.js";
import { fullGc, settledDataHeap } from "./memory.js";
import { addRuns, summarisePairs, type Pair, type RunSample } from "./paired.js";
import { jsonReport, resultsTable, scalingReport, type RunConfig, type WorkloadResult } from "./report.js";
import { runScaling, type ScalingRow } from "./scaling.js";
import { SolDriver, solSource } from "./sol.js";
import { BenchCheckError } from "./verify.js";
import { ThreadCpuClock } from "./threadcpu.js";
import { TimedWatch, newSpaceUsed } from "./watch.js";
import { makeWorkloads, type BenchContext, type Workload } from "./workloads.js";

/** dist/bench/main.js -> the repository root. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Events the largest workload records in one run (unmap_1g without FWB: 262,657 TLBIs + 262,144 dcache). */
const LOG_CAPACITY = 1 << 20;

/** The V8 flags the figures assume: no V8 helper threads (CPU time is the main thread's), and gc(). */
export const NODE_FLAGS = ["--single-threaded", "--expose-gc"] as const;

export const CLOCK =
  "CPU time of the measuring thread: s2pt process.cpuUsage() minus the other threads' /proc schedstat, node --single-threaded (no V8 helper threads); sol CLOCK_THREAD_CPUTIME_ID";

/**
 * Restart under NODE_FLAGS unless already running with them; returns the
 * child's exit status, or null when this process is the one to measure.
 */
function restartWithFlags(): number | null {
  const missing = NODE_FLAGS.filter((f) => !process.execArgv.includes(f));
  if (missing.length === 0) return null;
  const r = spawnSync(process.execPath, [...process.execArgv, ...missing, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const clock = new ThreadCpuClock();

/**
 * One timed s2pt run: set-up, GC, a read of the tables, the timed part with
 * both clocks, verification. As sol.c's run (bench/sol-driver.c: set-up,
 * then the timed part at once), the timed part follows its set-up without a
 * pause: the full GC (V8's own, so that no garbage of the set-up is
 * collected in the timed part) is done synchronously under --single-threaded,
 * and touch() reads back the tables and table state the GC walked past. (An
 * idle pause after the GC, once there to let V8's concurrent sweeper threads
 * finish, did nothing else once node ran --single-threaded, but left the CPU
 * idle before the timed part: a 20 ms pause made map_block_64g's timed part
 * 7.3 -> 12.4 ns a block in a scratch harness; docs/benchmarks.md, part 6.)
 */
function timedRun(w: Workload, watch: TimedWatch): RunSample {
  w.setup();
  fullGc();
  w.touch();
  const young0 = newSpaceUsed();
  clock.start();
  const start = performance.now();
  w.run();
  const end = performance.now();
  const cpuNs = clock.stop();
  const young = newSpaceUsed() - young0;
  watch.window(w.name, start, end, cpuNs / 1e3, young);
  w.check();
  return { units: w.units, wallNs: (end - start) * 1e6, cpuNs };
}

async function runWorkload(w: Workload, args: BenchArgs, sol: SolDriver | null, watch: TimedWatch): Promise<WorkloadResult> {
  const solName = sol === null ? null : w.sol;
  const rounds = w.rounds > 1 ? ` of ${w.rounds} rounds` : "";
  process.stderr.write(
    `${w.name}: ${args.warmup} warm-up and ${args.reps} timed runs${rounds}${solName ? `, each round after a timed sol.c ${solName} run` : ""}...\n`,
  );
  if (solName !== null && sol !== null) await sol.run(solName); // sol.c's own untimed warm-up run
  // Warm-up runs are timed runs whose figures are dropped: the same set-up,
  // GC and read of the tables, so that the code the timed runs execute is the code
  // the warm-ups settled on (a first full GC drops V8's on-stack-compiled
  // code of a long loop, and the next run recompiles it).
  const discard = new TimedWatch();
  for (let i = 0; i < args.warmup * w.rounds; i++) timedRun(w, discard);
  await discard.collect();
  const pairs: Pair[] = [];
  for (let i = 0; i < args.reps; i++) {
    // A timed run of several rounds: each round's s2pt part right after a sol.c run, both summed.
    let s: RunSample | null = null;
    let t: RunSample | null = null;
    for (let r = 0; r < w.rounds; r++) {
      if (solName !== null && sol !== null) s = addRuns(s, await sol.run(solName));
      t = addRuns(t, timedRun(w, watch));
    }
    pairs.push({ sol: s, s2pt: t as RunSample });
  }
  const tableBytes = w.tableBytes();
  const withTables = settledDataHeap();
  w.release();
  const memory = { kernelTableBytes: w.kernelTablePages * PAGE_SIZE, tableBytes, processBytes: withTables - settledDataHeap() };
  return {
    name: w.name,
    unit: w.unit,
    units: w.units * w.rounds,
    rounds: w.rounds,
    sol: w.sol,
    summary: summarisePairs(pairs),
    memory,
    watch: { gcCount: 0, gcMs: 0, cpuShare: NaN, allocPerUnit: NaN },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const solC = args.sol ? solSource(repoRoot) : null;
  if (args.json !== null && !existsSync(dirname(resolve(args.json)))) throw new InputError(`--json: directory of ${args.json} does not exist`);
  const restarted = restartWithFlags();
  if (restarted !== null) return restarted;

  const machine = machineInfo();
  const what = [...args.workloads, ...(args.scaling ? ["scaling"] : [])].join(",");
  const command = `npm run bench${argv.length ? " -- " + argv.join(" ") : ""}`;
  let out = `s2pt bench: 4K granule, 40-bit IPA, 48-bit PA, FWB ${args.fwb ? "on" : "off"}, FEAT_TLBIRANGE off; ${args.reps} timed runs per workload after ${args.warmup} untimed\n`;
  out += `machine: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.platform}; load average at start ${machine.loadStart.map((x) => x.toFixed(2)).join(" ")}\n`;
  out += `command: ${command}  (runs: ${what})\n`;
  out += `clock: ${CLOCK}\n`;

  const overhead = clock.calibrate();
  out += `clock overhead: ${(overhead / 1e3).toFixed(1)} us of CPU time per empty window, taken off every timed run\n\n`;
  const sol = solC === null ? null : await SolDriver.start(repoRoot, solC, args.fwb);
  const watch = new TimedWatch();
  const results: WorkloadResult[] = [];
  let scaling: ScalingRow[] = [];
  const ctx: BenchContext = { fwb: args.fwb, log: new MaintenanceLog(LOG_CAPACITY) };
  try {
    if (sol !== null) {
      machine.solCompiler = sol.header.machine.compiler;
      out += `sol: ${sol.header.machine.compiler}, shared/bench/sol.c driven one run at a time (bench/sol-driver.c): each s2pt timed run paired with the sol.c run just before it; 1 untimed sol run per workload first\n`;
    }
    for (const w of makeWorkloads(ctx, args.workloads)) results.push(await runWorkload(w, args, sol, watch));
  } finally {
    sol?.close();
  }
  if (args.scaling) {
    process.stderr.write(`scaling: 1, 4, 16, 64 GiB of 4K pages...\n`);
    scaling = runScaling(args.fwb, ctx.log, args.reps, args.warmup, watch, (m) => process.stderr.write(m + "\n"));
  }
  await watch.collect();
  for (const r of results) r.watch = watch.stats(r.name, r.units / r.rounds);
  for (const r of scaling) r.watch = watch.stats(`scaling_${r.gib}g`, r.pages);
  machine.loadEnd = loadNow();

  if (results.length > 0) {
    out += resultsTable(results);
    out += "figures: CPU ns per unit, median (and min) over the timed runs; cpu = CPU time / wall time of the timed runs\n";
    out += "store/kernel, heap/kernel: the table stores' bytes and the process's growth over the workload, against the table bytes the kernel would hold\n";
    if (sol !== null) out += "ratio = median over the pairs of (sol ns / s2pt ns) (1.0x = as fast as the C baseline); range = lowest and highest pair\n";
  }
  if (scaling.length > 0) {
    out += `\nscaling: 4K pages, one map call each, into a fresh table (arena growth timed); median of the runs\n`;
    out += scalingReport(scaling);
  }
  out += `load average at end ${machine.loadEnd.map((x) => x.toFixed(2)).join(" ")}\n`;
  process.stdout.write(out);
  if (args.json !== null) {
    const config: RunConfig = { fwb: args.fwb, reps: args.reps, warmup: args.warmup, paired: sol !== null, clock: CLOCK, command };
    try {
      writeFileSync(args.json, jsonReport(results, machine, config));
    } catch (e) {
      throw new InputError(`--json: cannot write ${args.json}: ${(e as Error).message}`);
    }
    process.stderr.write(`wrote ${args.json}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof InputError) {
      process.stderr.write(`s2pt bench: ${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof BenchCheckError) {
      process.stderr.write(`s2pt bench: check failed: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      throw e;
    }
  },
);
