/**
 * Command line of `npm run bench -- [options]` (dist/bench/main.js).
 * A bad argument is an InputError: one line on stderr, exit 2.
 */

import { InputError } from "../src/pgtable/u64.js";
import { WORKLOAD_NAMES, type WorkloadName } from "./workloads.js";

export const SCALING = "scaling";
/** Timed runs per workload unless --reps says otherwise (sol.c's default is 7; this machine is noisy). */
export const DEFAULT_REPS = 15;
/**
 * Untimed warm-up runs per workload unless --warmup says otherwise. sol.c
 * warms up once (caches); V8 needs a few runs more to reach its optimised
 * steady state (tiering, inlining; before it, calls box their address
 * arguments: with 3 warm-up runs map4k_1g still allocated about 16 bytes a
 * page in its timed runs, with 6 none), which is what the figures are meant
 * to describe. The `alloc B` and `gc in timed` columns show whether it was
 * reached.
 */
export const DEFAULT_WARMUP = 6;

export interface BenchArgs {
  json: string | null;
  sol: boolean;
  fwb: boolean;
  reps: number;
  warmup: number;
  workloads: WorkloadName[];
  scaling: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--sol] [--fwb] [--reps N] [--warmup N] [--only NAME[,NAME...]] [--json FILE]

  --sol          pair every timed run with a timed run of the same workload of the C baseline
                 ../shared/bench/sol.c made just before it (built with cc -std=c11 -O2 around
                 bench/sol-driver.c); print the median over the pairs of sol ns / s2pt ns
  --fwb          FEAT_S2FWB encodings (as sol.c --fwb); default off, as sol.c
  --reps N       timed runs (pairs, with --sol) per workload (1..99, default ${DEFAULT_REPS})
  --warmup N     untimed warm-up runs per workload before them (0..99, default ${DEFAULT_WARMUP};
                 sol.c always warms up once)
  --only NAMES   run only these (comma-separated, or repeat --only): ${WORKLOAD_NAMES.join(", ")}, ${SCALING}
  --json FILE    also write the figures to FILE: {"machine", "config", "workloads": {"<name>":
                 {"median_ns", "min_ns", "sol_median_ns", "ratio", "table_bytes", "process_bytes",
                 "kernel_table_bytes", ...}}, "warnings"} (docs/benchmarks.md)
`;

function value(argv: readonly string[], i: number, opt: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new InputError(`${opt} needs a value`);
  return v;
}

function count(v: string, opt: string, min: number): number {
  if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > 99) throw new InputError(`${opt}: "${v}" is not an integer in ${min}..99`);
  return Number(v);
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = {
    json: null,
    sol: false,
    fwb: false,
    reps: DEFAULT_REPS,
    warmup: DEFAULT_WARMUP,
    workloads: [...WORKLOAD_NAMES],
    scaling: true,
    help: false,
  };
  let only: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "--help":
      case "-h":
        out.help = true;
        break;
      case "--sol":
        out.sol = true;
        break;
      case "--fwb":
        out.fwb = true;
        break;
      case "--json":
        out.json = value(argv, i++, a);
        break;
      case "--reps":
        out.reps = count(value(argv, i++, a), a, 1);
        break;
      case "--warmup":
        out.warmup = count(value(argv, i++, a), a, 0);
        break;
      case "--only": {
        const v = value(argv, i++, a);
        only ??= [];
        for (const name of v.split(",")) {
          const n = name.trim();
          if (n === "") continue;
          if (n !== SCALING && !(WORKLOAD_NAMES as readonly string[]).includes(n)) {
            throw new InputError(`--only: unknown workload "${n}" (known: ${WORKLOAD_NAMES.join(", ")}, ${SCALING})`);
          }
          if (!only.includes(n)) only.push(n);
        }
        if (only.length === 0) throw new InputError(`--only: no workload named in "${v}"`);
        break;
      }
      default:
        throw new InputError(`unknown argument "${a}" (see --help)`);
    }
  }
  if (only !== null) {
    const chosen = only;
    out.workloads = WORKLOAD_NAMES.filter((n) => chosen.includes(n));
    out.scaling = chosen.includes(SCALING);
  }
  return out;
}
