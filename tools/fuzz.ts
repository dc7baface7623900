/**
 * `npm run fuzz -- --seconds N [--seed S] [--runs R] [--max-ops M] [--out DIR]`
 *
 * A fuzz campaign: one random scenario per seed (S, S+1, S+2, ...), each run
 * with every invariant checked after every op (src/reliability/checked.ts),
 * until N seconds have passed or R seeds have run. Prints progress, the op
 * count and the seed range covered. On the first failure it lets fast-check
 * shrink the scenario, then prints the seed, the invariant that broke and
 * the minimal scenario in FORMAT.md form, and writes that scenario to
 * DIR/fuzz-seed-S.json (DIR defaults to ./artifacts): moving the file into
 * test/regressions/ makes it a regression test. Exit 1 on a failure.
 *
 * `npm run fuzz -- --seed S --runs 1` reruns exactly the scenario of seed S.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { CheckedRun, InvariantViolation, type CheckedSummary } from "../src/reliability/checked.js";
import { formatScenario } from "../src/scenario/format.js";
import { type Scenario } from "../src/scenario/types.js";
import { concretize, rawScenarioArb, type RawScenario } from "./fuzz/arbitraries.js";
import { runRaw } from "./fuzz/property.js";

interface Args {
  seconds: number;
  seed: number;
  runs: number;
  maxOps: number;
  out: string;
}

function usage(msg: string): never {
  // One line, like the CLI's own errors: what was wrong, then the usage.
  process.stderr.write(`fuzz: ${msg} (usage: npm run fuzz -- --seconds N [--seed S] [--runs R] [--max-ops M] [--out DIR])\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seconds: 60, seed: Date.now() % 2 ** 31, runs: Infinity, maxOps: 80, out: "artifacts" };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const num = (lo: number, hi: number): number => {
      if (v === undefined || !/^[0-9]+$/.test(v)) usage(`${k} needs a whole number, got ${v === undefined ? "nothing" : `'${v}'`}`);
      const n = Number(v);
      if (n < lo || n > hi) usage(`${k} ${n} is outside ${lo}..${hi}`);
      i++;
      return n;
    };
    switch (k) {
      case "--seconds":
        a.seconds = num(1, 7 * 24 * 3600);
        break;
      case "--seed":
        a.seed = num(0, 2 ** 31 - 1);
        break;
      case "--runs":
        a.runs = num(1, 2 ** 31 - 1);
        if (!argv.includes("--seconds")) a.seconds = 7 * 24 * 3600;
        break;
      case "--max-ops":
        a.maxOps = num(1, 10000);
        break;
      case "--out":
        if (v === undefined) usage("--out needs a directory");
        a.out = v;
        i++;
        break;
      default:
        usage(`unknown argument '${k}'`);
    }
  }
  return a;
}

/** The check a concrete scenario breaks (null if none). */
function failure(scn: Scenario, raw: RawScenario): { check: string; opIndex: number; message: string } | null {
  try {
    new CheckedRun(scn, { sampleSeed: raw.sampleSeed + 1, destroyWithoutUnmap: raw.destroyWithoutUnmap, workBudget: Infinity }).run();
    return null;
  } catch (e) {
    if (e instanceof InvariantViolation) return { check: e.check, opIndex: e.opIndex, message: e.message };
    const message = e instanceof Error ? e.message : String(e);
    return { check: message, opIndex: scn.ops.length, message };
  }
}

/**
 * After fast-check's shrinking, on the concrete scenario: drop the ops after
 * the failing one, then every single op whose removal keeps the same check
 * failing, until none can go.
 */
function minimise(scn: Scenario, raw: RawScenario): { scn: Scenario; message: string } {
  const f = failure(scn, raw);
  if (f === null) return { scn, message: "(the shrunk scenario no longer fails)" };
  let best = scn;
  let message = f.message;
  const tryOps = (ops: Scenario["ops"]): boolean => {
    const cand = { ...best, ops };
    const g = failure(cand, raw);
    if (g === null || g.check !== f.check) return false;
    best = cand;
    message = g.message;
    return true;
  };
  if (f.opIndex + 1 < scn.ops.length) tryOps(scn.ops.slice(0, f.opIndex + 1));
  for (let changed = true; changed;) {
    changed = false;
    for (let i = best.ops.length - 1; i >= 0 && best.ops.length > 1; i--) {
      if (tryOps(best.ops.filter((_, j) => j !== i))) changed = true;
    }
  }
  return { scn: best, message };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const arb = rawScenarioArb(args.maxOps);
  const t0 = Date.now();
  const totals = { scenarios: 0, ops: 0, breaks: 0, inPlace: 0, callerOwed: 0, maxTables: 0 };
  const add = (s: CheckedSummary): void => {
    totals.scenarios++;
    totals.ops += s.ops;
    totals.breaks += s.breaks;
    totals.inPlace += s.inPlace;
    totals.callerOwed += s.callerOwed;
    totals.maxTables = Math.max(totals.maxTables, s.maxTables);
  };
  const line = (seed: number): string =>
    `seeds ${args.seed}..${seed} | ${totals.scenarios} scenarios, ${totals.ops} ops (${Math.round(totals.ops / ((Date.now() - t0) / 1000))}/s) | ` +
    `${totals.breaks} breaks, ${totals.inPlace} in-place changes, ${totals.callerOwed} SKIP_BBM_TLBI caller TLBIs | most table pages ${totals.maxTables}`;
  console.log(`fuzz: seed ${args.seed}, up to ${args.maxOps} ops per scenario, ${Number.isFinite(args.runs) ? `${args.runs} seeds` : `${args.seconds} s`}`);
  let lastReport = Date.now();
  let seed = args.seed;
  for (let n = 0; n < args.runs && Date.now() - t0 < args.seconds * 1000; n++, seed++) {
    let firstRun = true;
    const prop = fc.property(arb, (raw: RawScenario) => {
      const { summary } = runRaw(raw);
      if (firstRun) add(summary);
      firstRun = false;
    });
    const out = fc.check(prop, { seed, numRuns: 1 });
    if (out.failed) {
      const raw = out.counterexample?.[0];
      let err = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
      console.log(`\nFAILED at seed ${seed} after ${line(seed)}`);
      if (raw) {
        const min = minimise(concretize(raw, `fuzz-seed-${seed}`), raw);
        err = min.message;
        console.log(`invariant: ${err}`);
        console.log(`shrunk by fast-check in ${out.numShrinks} steps, then op by op, to:`);
        const text = formatScenario(min.scn);
        console.log(text);
        mkdirSync(args.out, { recursive: true });
        const file = join(args.out, `fuzz-seed-${seed}.json`);
        writeFileSync(file, text);
        console.log(`written to ${file}; to keep it as a regression test: mv ${file} test/regressions/`);
      } else {
        console.log(`invariant: ${err}`);
      }
      console.log(`rerun: npm run fuzz -- --seed ${seed} --runs 1`);
      process.exitCode = 1;
      return;
    }
    if (Date.now() - lastReport >= 10000) {
      console.log(`${Math.round((Date.now() - t0) / 1000)} s: ${line(seed)}`);
      lastReport = Date.now();
    }
  }
  console.log(`done in ${Math.round((Date.now() - t0) / 1000)} s: ${line(seed - 1)}; no invariant broken`);
}

main();
