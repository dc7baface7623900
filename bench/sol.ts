/**
 * The C speed-of-light baseline (../shared/bench/sol.c), run through its
 * run-sol.sh (which builds it with the system C compiler at -O2) in the same
 * benchmark run, so that s2pt's speed is quoted as a ratio measured on the
 * same machine at the same time.
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../src/pgtable/u64.js";
import { scatterInputs, walkInputs } from "./inputs.js";
import { BenchCheckError } from "./verify.js";

export interface SolWorkload {
  median_ns: number;
  min_ns: number;
  max_ns: number;
  unit: string;
}

export interface SolResult {
  machine: { nproc: number; cpu: string; compiler: string };
  config: {
    fwb: boolean;
    reps: number;
    inputs: { walk_ipa_sum: string; scatter_ipa_sum: string; scatter_tables: number };
  };
  workloads: Record<string, SolWorkload>;
}

/** run-sol.sh: $S2PT_SHARED/bench, else ../shared/bench beside the repository. */
export function solScript(repoRoot: string): string {
  const shared = process.env.S2PT_SHARED ?? resolve(repoRoot, "..", "shared");
  const script = join(shared, "bench", "run-sol.sh");
  if (!existsSync(script)) throw new InputError(`--sol: ${script} not found (set S2PT_SHARED to the shared directory)`);
  return script;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parse and shape-check sol's JSON. */
export function parseSolJson(text: string): SolResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BenchCheckError(`sol: output is not JSON (${(e as Error).message})`);
  }
  if (!isObject(v) || !isObject(v.machine) || !isObject(v.config) || !isObject(v.config.inputs) || !isObject(v.workloads)) {
    throw new BenchCheckError("sol: output lacks machine, config.inputs or workloads");
  }
  for (const [name, w] of Object.entries(v.workloads)) {
    if (!isObject(w) || typeof w.median_ns !== "number" || typeof w.min_ns !== "number" || typeof w.unit !== "string") {
      throw new BenchCheckError(`sol: workload ${name} lacks median_ns, min_ns or unit`);
    }
  }
  return v as unknown as SolResult;
}

/**
 * The fingerprints sol printed for its random inputs equal those of this
 * bench's generators (which test/unit/bench-inputs.test.ts ties to the
 * documented ones): both sides do the same work.
 */
export function checkSolInputs(sol: SolResult): void {
  const inp = sol.config.inputs;
  const walk = walkInputs();
  const scatter = scatterInputs();
  const pairs: Array<[string, string, string]> = [
    ["walk_ipa_sum", inp.walk_ipa_sum, "0x" + walk.ipaSum.toString(16)],
    ["scatter_ipa_sum", inp.scatter_ipa_sum, "0x" + scatter.ipaSum.toString(16)],
    ["scatter_tables", String(inp.scatter_tables), String(scatter.tables)],
  ];
  for (const [what, theirs, ours] of pairs) {
    if (theirs !== ours) throw new BenchCheckError(`sol: input fingerprint ${what} is ${theirs}, s2pt's bench has ${ours}`);
  }
}

/** Build and run sol.c with the same FWB setting and repetitions. */
export function runSol(script: string, fwb: boolean, reps: number): SolResult {
  const args = ["--reps", String(reps)];
  if (fwb) args.push("--fwb");
  const r = spawnSync(script, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.error) throw new BenchCheckError(`sol: cannot run ${script}: ${r.error.message}`);
  if (r.status !== 0) {
    const why = (r.stderr || "").trim().split("\n").slice(-1)[0] || `exit status ${r.status}`;
    throw new BenchCheckError(`sol: ${script} failed: ${why}`);
  }
  const sol = parseSolJson(r.stdout);
  if (sol.config.fwb !== fwb) throw new BenchCheckError(`sol: ran with fwb ${sol.config.fwb}, expected ${fwb}`);
  checkSolInputs(sol);
  return sol;
}
