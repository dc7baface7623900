/**
 * Where the timed part of the benchmarks spends its time, from a V8 CPU
 * profile, set-up and verification left out:
 *
 *   node --cpu-prof --cpu-prof-dir prof --expose-gc dist/bench/main.js --only walk_random_1m
 *   node dist/bench/profile-summary.js prof [top]
 *
 * A sample counts when a timed frame is on its stack: a workload's timed
 * function (timed_<workload> in bench/workloads.ts, timed_scaling in
 * bench/scaling.ts); the warm-up runs call the same functions and count too.
 * Per timed frame it
 * prints the functions with the most self time (V8 attributes inlined code to
 * the function it was inlined into, so a small function may not appear).
 */

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function frameName(cf: CallFrame): string {
  return `${cf.functionName || "(anonymous)"} ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber + 1}`;
}

function isTimedFrame(cf: CallFrame): boolean {
  return cf.functionName.startsWith("timed_") && (cf.url.endsWith("bench/workloads.js") || cf.url.endsWith("bench/scaling.js"));
}

export function summarise(p: CpuProfile, top: number): string {
  const byId = new Map<number, ProfileNode>(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const rootOf = new Map<number, string | null>();
  const timedRoot = (id: number): string | null => {
    const hit = rootOf.get(id);
    if (hit !== undefined) return hit;
    let r: string | null = null;
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const n = byId.get(x);
      if (n && isTimedFrame(n.callFrame)) {
        r = frameName(n.callFrame);
        break;
      }
    }
    rootOf.set(id, r);
    return r;
  };
  const total = new Map<string, number>();
  const self = new Map<string, Map<string, number>>();
  for (let i = 0; i < p.samples.length; i++) {
    const root = timedRoot(p.samples[i]);
    if (root === null) continue;
    const dt = p.timeDeltas[i] ?? 0;
    total.set(root, (total.get(root) ?? 0) + dt);
    const node = byId.get(p.samples[i]);
    if (!node) continue;
    const m = self.get(root) ?? new Map<string, number>();
    self.set(root, m);
    const k = frameName(node.callFrame);
    m.set(k, (m.get(k) ?? 0) + dt);
  }
  let out = "";
  for (const [root, t] of total) {
    out += `${root}: ${(t / 1000).toFixed(0)} ms sampled in timed runs\n`;
    const rows = [...(self.get(root) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [k, v] of rows) out += `  ${((100 * v) / t).toFixed(1).padStart(5)}%  ${k}\n`;
  }
  return out || "no samples inside timed runs (was the profile taken of dist/bench/main.js?)\n";
}

function main(argv: readonly string[]): number {
  const target = argv[0];
  if (target === undefined) {
    process.stderr.write("usage: node dist/bench/profile-summary.js <file.cpuprofile | directory> [top]\n");
    return 2;
  }
  const top = argv[1] === undefined ? 12 : Number(argv[1]);
  if (!Number.isInteger(top) || top < 1) {
    process.stderr.write(`profile-summary: top "${argv[1]}" is not a positive integer\n`);
    return 2;
  }
  let files: string[];
  try {
    files = statSync(target).isDirectory()
      ? readdirSync(target)
          .filter((f) => f.endsWith(".cpuprofile"))
          .map((f) => join(target, f))
      : [target];
  } catch (e) {
    process.stderr.write(`profile-summary: ${(e as Error).message}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`profile-summary: no .cpuprofile in ${target}\n`);
    return 2;
  }
  for (const f of files) {
    let p: CpuProfile;
    try {
      p = JSON.parse(readFileSync(f, "utf8")) as CpuProfile;
    } catch (e) {
      process.stderr.write(`profile-summary: ${f}: ${(e as Error).message}\n`);
      return 2;
    }
    process.stdout.write(`${f}\n${summarise(p, top)}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
