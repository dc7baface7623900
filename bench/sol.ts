/**
 * The C speed-of-light baseline (../shared/bench/sol.c), driven one timed run
 * at a time so that every s2pt timed run can be paired with a sol.c run made
 * just before it (bench/paired.ts).
 *
 * sol.c has no workload selector (its CLI is `--fwb` and `--reps N`; one
 * invocation runs all six workloads), so bench/sol-driver.c compiles sol.c
 * unchanged inside a small request loop: `run NAME` does that workload's
 * set-up, timed run and check exactly as sol's main() does for one
 * repetition, and answers with the timed part's wall time and the CPU time of
 * its thread. It is built as run-sol.sh builds sol.c (`${CC:-cc} -std=c11
 * -O2`) into a temporary directory, and started once per bench run; its page
 * pool stays allocated and touched between requests, as in sol's own run.
 * Before answering it checks the inputs fingerprints against the bench's own.
 */

import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { InputError } from "../src/pgtable/u64.js";
import { scatterInputs, walkInputs } from "./inputs.js";
import type { RunSample } from "./paired.js";
import { BenchCheckError } from "./verify.js";

export interface SolHeader {
  machine: { nproc: number; cpu: string; compiler: string };
  config: {
    fwb: boolean;
    inputs: { walk_ipa_sum: string; scatter_ipa_sum: string; scatter_tables: number };
  };
}

/** The shared directory's sol.c: $S2PT_SHARED/bench, else ../shared/bench beside the repository. */
export function solSource(repoRoot: string): string {
  const shared = process.env.S2PT_SHARED ?? resolve(repoRoot, "..", "shared");
  const src = join(shared, "bench", "sol.c");
  if (!existsSync(src)) throw new InputError(`--sol: ${src} not found (set S2PT_SHARED to the shared directory)`);
  return src;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parse and shape-check the driver's first line (sol's own machine and config fields). */
export function parseSolHeader(text: string): SolHeader {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BenchCheckError(`sol: first line is not JSON (${(e as Error).message})`);
  }
  if (!isObject(v) || !isObject(v.machine) || !isObject(v.config) || !isObject(v.config.inputs)) {
    throw new BenchCheckError("sol: first line lacks machine or config.inputs");
  }
  const inp = v.config.inputs;
  if (
    typeof inp.walk_ipa_sum !== "string" ||
    typeof inp.scatter_ipa_sum !== "string" ||
    typeof inp.scatter_tables !== "number" ||
    typeof v.config.fwb !== "boolean"
  ) {
    throw new BenchCheckError("sol: config lacks fwb or an input fingerprint");
  }
  return v as unknown as SolHeader;
}

/**
 * The fingerprints sol printed for its random inputs equal those of this
 * bench's generators (which test/unit/bench-inputs.test.ts ties to the
 * documented ones): both sides do the same work.
 */
export function checkSolInputs(sol: SolHeader): void {
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

/** Parse the driver's answer to `run NAME`: "ok NAME UNITS WALL_NS CPU_NS". */
export function parseSolRun(line: string, name: string): RunSample {
  const m = /^ok (\S+) ([0-9]+) ([0-9]+) ([0-9]+)$/.exec(line);
  if (m === null || m[1] !== name) throw new BenchCheckError(`sol: unexpected answer to "run ${name}": ${JSON.stringify(line)}`);
  const r = { units: Number(m[2]), wallNs: Number(m[3]), cpuNs: Number(m[4]) };
  if (!(r.units > 0 && r.wallNs > 0)) throw new BenchCheckError(`sol: ${name}: a run of ${r.units} units in ${r.wallNs} ns`);
  return r;
}

/** A running bench/sol-driver.c. */
export class SolDriver {
  private header_: SolHeader | null = null;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly dir: string;
  private readonly lines: string[] = [];
  private partial = "";
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;
  private stderr = "";

  private constructor(child: ChildProcessByStdio<Writable, Readable, Readable>, dir: string) {
    this.child = child;
    this.dir = dir;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      this.partial += chunk;
      let nl: number;
      while ((nl = this.partial.indexOf("\n")) >= 0) {
        const line = this.partial.slice(0, nl);
        this.partial = this.partial.slice(nl + 1);
        if (this.waiting !== null) {
          const w = this.waiting;
          this.waiting = null;
          w(line);
        } else this.lines.push(line);
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => (this.stderr += chunk));
    const end = (): void => {
      this.ended = true;
      if (this.waiting !== null) {
        const w = this.waiting;
        this.waiting = null;
        w(null);
      }
    };
    child.on("close", end);
    child.on("error", (e) => {
      this.stderr += e.message + "\n";
      end();
    });
  }

  /** sol's machine and config fields (its first line). */
  get header(): SolHeader {
    if (this.header_ === null) throw new Error("sol driver not started");
    return this.header_;
  }

  /** Build the driver around `solC` and start it (FWB encodings if `fwb`). */
  static async start(repoRoot: string, solC: string, fwb: boolean): Promise<SolDriver> {
    const driver = join(repoRoot, "bench", "sol-driver.c");
    if (!existsSync(driver)) throw new InputError(`--sol: ${driver} not found`);
    const dir = mkdtempSync(join(tmpdir(), "s2pt-sol-"));
    const exe = join(dir, "sol-driver");
    const cc = process.env.CC ?? "cc";
    const b = spawnSync(cc, ["-std=c11", "-O2", "-Wall", "-Wextra", "-I", dirname(solC), "-o", exe, driver], { encoding: "utf8" });
    if (b.error || b.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      const why = b.error ? b.error.message : (b.stderr || "").trim().split("\n").slice(-1)[0] || `exit status ${b.status}`;
      throw new BenchCheckError(`sol: cannot build ${driver} with ${cc}: ${why}`);
    }
    const self = new SolDriver(spawn(exe, fwb ? ["--fwb", "--serve"] : ["--serve"], { stdio: ["pipe", "pipe", "pipe"] }), dir);
    try {
      const first = await self.next();
      if (first === null) throw new BenchCheckError(`sol: the driver ended before its first line: ${self.lastError()}`);
      const header = parseSolHeader(first);
      if (header.config.fwb !== fwb) throw new BenchCheckError(`sol: ran with fwb ${header.config.fwb}, expected ${fwb}`);
      checkSolInputs(header);
      self.header_ = header;
      return self;
    } catch (e) {
      self.close();
      throw e;
    }
  }

  private next(): Promise<string | null> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift() as string);
    if (this.ended) return Promise.resolve(null);
    return new Promise((r) => (this.waiting = r));
  }

  /** One set-up, timed run and check of sol's workload `name`. */
  async run(name: string): Promise<RunSample> {
    if (this.ended) throw new BenchCheckError(`sol: the driver has ended (${this.lastError()})`);
    this.child.stdin.write(`run ${name}\n`);
    const line = await this.next();
    if (line === null) throw new BenchCheckError(`sol: ${name}: ${this.lastError()}`);
    return parseSolRun(line, name);
  }

  private lastError(): string {
    return this.stderr.trim().split("\n").slice(-1)[0] || `exit status ${this.child.exitCode}`;
  }

  /** Stop the driver and remove its build directory. */
  close(): void {
    // The driver exits on "quit" (after finishing a run it may be in).
    if (!this.ended) this.child.stdin.end("quit\n");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
