/**
 * `npm run bench -- [options]`: the s2pt benchmarks (see bench/workloads.ts,
 * bench/scaling.ts and docs/benchmarks.md). One tinybench task per workload;
 * each task's beforeEach hook does the untimed set-up (then a full GC, so
 * that no garbage of the set-up is collected inside the timed part), the
 * task function is exactly the timed part, and the afterEach hook verifies
 * the run (untimed). Per workload: --warmup untimed runs (default 6; sol.c
 * does 1, but V8 needs a few to reach its steady state), then --reps timed
 * runs, figures per unit (elapsed / units) as sol.c reports them.
 *
 * Output: the table on stdout, progress on stderr. Exit 0; 1 when a
 * verification fails (the figures are not trusted); 2 on a bad argument.
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, platform } from "node:os";
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { MaintenanceLog } from "../src/pgtable/events.js";
import { InputError } from "../src/pgtable/u64.js";
import { USAGE, parseBenchArgs, type BenchArgs } from "./args.js";
import { jsonReport, resultsTable, scalingReport, type WorkloadResult } from "./report.js";
import { SETTLE_MS, runScaling, type ScalingRow } from "./scaling.js";
import { runSol, solScript, type SolResult } from "./sol.js";
import { BenchCheckError } from "./verify.js";
import { NO_STATS, TimedWatch, newSpaceUsed } from "./watch.js";
import { makeWorkloads, type BenchContext } from "./workloads.js";

/** dist/bench/main.js -> the repository root. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Events the largest workload records in one run (unmap_1g without FWB: 262,657 TLBIs + 262,144 dcache). */
const LOG_CAPACITY = 1 << 20;


function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) return m[1].trim();
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? "unknown";
}

async function runWorkloads(args: BenchArgs, ctx: BenchContext, watch: TimedWatch): Promise<WorkloadResult[]> {
  const workloads = makeWorkloads(ctx, args.workloads);
  const bench = new Bench({
    name: "s2pt",
    iterations: args.reps,
    time: 0,
    warmupIterations: args.warmup,
    warmupTime: 0,
    timestampProvider: "hrtimeNow",
    throws: true,
  });
  const results: WorkloadResult[] = [];
  for (const w of workloads) {
    let start = 0;
    let cpu0 = process.cpuUsage();
    let young0 = 0;
    bench.add(w.name, () => w.run(), {
      // The task function is synchronous: say so, or tinybench calls it once to find out.
      async: false,
      async beforeEach() {
        w.setup();
        fullGc();
        // Let the GC's concurrent sweeping finish while idle, so that its
        // helper threads do not share the CPUs with the timed part.
        await new Promise((r) => setTimeout(r, SETTLE_MS));
        young0 = newSpaceUsed();
        cpu0 = process.cpuUsage();
        start = performance.now();
      },
      afterEach(mode) {
        const end = performance.now();
        const cpu = process.cpuUsage(cpu0);
        const young = newSpaceUsed() - young0;
        if (mode === "run") watch.window(w.name, start, end, cpu.user + cpu.system, young);
        w.check();
      },
    });
    const task = bench.getTask(w.name);
    if (task === undefined) throw new Error(`tinybench lost task ${w.name}`);
    process.stderr.write(`${w.name}: ${args.warmup} warm-up and ${args.reps} timed runs...\n`);
    // Warm-up then timed runs, one workload at a time (as sol.c), so that each
    // workload's tables are live only while it runs.
    if (args.warmup > 0) await task.warmup();
    await task.run();
    w.release();
    const res = task.result;
    if (res.state !== "completed") throw new Error(`${w.name}: tinybench ended in state ${res.state}`);
    // tinybench's latencies are ms per run.
    const k = 1e6 / w.units;
    results.push({
      name: w.name,
      unit: w.unit,
      medianNs: res.latency.p50 * k,
      minNs: res.latency.min * k,
      maxNs: res.latency.max * k,
      runs: res.latency.samplesCount,
      units: w.units,
      watch: NO_STATS,
    });
    fullGc();
  }
  return results;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const script = args.sol ? solScript(repoRoot) : null;
  if (args.json !== null && !existsSync(dirname(resolve(args.json)))) throw new InputError(`--json: directory of ${args.json} does not exist`);
  if (!(globalThis as { gc?: unknown }).gc) process.stderr.write("note: run node with --expose-gc for GC-free timed runs and exact heap figures\n");

  const machine = `${cpuModel()}, ${cpus().length} cores, node ${process.version}, ${platform()} ${arch()}`;
  const what = [...args.workloads, ...(args.scaling ? ["scaling"] : [])].join(",");
  let out = `s2pt bench: 4K granule, 40-bit IPA, 48-bit PA, FWB ${args.fwb ? "on" : "off"}, FEAT_TLBIRANGE off; ${args.reps} timed runs per workload after ${args.warmup} untimed\n`;
  out += `machine: ${machine}; load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`;
  out += `command: npm run bench${argv.length ? " -- " + argv.join(" ") : ""}  (runs: ${what})\n\n`;

  let sol: SolResult | null = null;
  if (script !== null) {
    process.stderr.write(`sol: ${script} --reps ${args.reps}${args.fwb ? " --fwb" : ""}...\n`);
    sol = runSol(script, args.fwb, args.reps);
    out += `sol: ${sol.machine.compiler}, ${sol.config.reps} timed runs per workload after 1 untimed (same run, same machine)\n`;
  }

  const watch = new TimedWatch();
  const ctx: BenchContext = { fwb: args.fwb, log: new MaintenanceLog(LOG_CAPACITY) };
  const results = args.workloads.length > 0 ? await runWorkloads(args, ctx, watch) : [];
  let scaling: ScalingRow[] = [];
  if (args.scaling) {
    process.stderr.write(`scaling: 1, 4, 16, 64 GiB of 4K pages...\n`);
    scaling = await runScaling(args.fwb, ctx.log, args.reps, args.warmup, watch, (m) => process.stderr.write(m + "\n"));
  }
  await watch.collect();
  for (const r of results) r.watch = watch.stats(r.name, r.units);
  for (const r of scaling) r.watch = watch.stats(`scaling_${r.gib}g`, r.pages);

  if (results.length > 0) {
    out += resultsTable(results, sol);
    if (sol) out += "ratio = sol median / s2pt median (1.0x = as fast as the C baseline)\n";
  }
  if (scaling.length > 0) {
    out += `\nscaling: 4K pages, one map call each, into a fresh table (arena growth timed); median of the runs\n`;
    out += scalingReport(scaling);
  }
  process.stdout.write(out);
  if (args.json !== null) {
    try {
      writeFileSync(args.json, jsonReport(results));
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
