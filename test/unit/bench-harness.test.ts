// The benchmark harness's own pieces, without timing anything: argument
// parsing, the --json shape issues 9 and 20 specify, and that the verification the
// bench runs after every run accepts a right table and rejects a wrong one.
// Expected descriptors are literals from ../shared/bench/README.md ("A 4K R|W
// mapping of PA 0x80000000 is 0x00400000800007ff (...7db with FWB)").
import { describe, expect, it } from "vitest";
import { DEFAULT_REPS, DEFAULT_WARMUP, parseBenchArgs } from "../../bench/args.js";
import type { MachineInfo } from "../../bench/machine.js";
import { summarisePairs } from "../../bench/paired.js";
import { jsonReport, resultsTable, type RunConfig, type WorkloadResult } from "../../bench/report.js";
import { NO_STATS } from "../../bench/watch.js";
import { BenchCheckError, checkLeaf, checkTables, checkEvents, pageRw, template } from "../../bench/verify.js";
import { WORKLOAD_NAMES, benchConfig } from "../../bench/workloads.js";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import { MaintenanceLog } from "../../src/pgtable/events.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { InputError } from "../../src/pgtable/u64.js";

describe("bench arguments", () => {
  it("defaults: every workload and the scaling study, no sol, FWB off", () => {
    const a = parseBenchArgs([]);
    expect(a).toEqual({
      json: null,
      sol: false,
      fwb: false,
      reps: DEFAULT_REPS,
      warmup: DEFAULT_WARMUP,
      workloads: [...WORKLOAD_NAMES],
      scaling: true,
      help: false,
    });
  });
  it("--only picks workloads (in the canonical order) and scaling; --reps, --sol, --fwb, --json", () => {
    const a = parseBenchArgs([
      "--only",
      "walk_random_1m,map4k_1g",
      "--only",
      "scaling",
      "--reps",
      "3",
      "--warmup",
      "0",
      "--sol",
      "--fwb",
      "--json",
      "out.json",
    ]);
    expect(a.workloads).toEqual(["map4k_1g", "walk_random_1m"]);
    expect(a.scaling).toBe(true);
    expect(a).toMatchObject({ reps: 3, warmup: 0, sol: true, fwb: true, json: "out.json" });
    expect(parseBenchArgs(["--only", "scaling"]).workloads).toEqual([]);
    expect(parseBenchArgs(["--only", "unmap_1g"]).scaling).toBe(false);
  });
  it("bad arguments are one-line InputErrors", () => {
    for (const argv of [
      ["--only", "map4k"],
      ["--reps", "0"],
      ["--reps", "100"],
      ["--reps", "1.5"],
      ["--reps"],
      ["--warmup", "-1"],
      ["--warmup", "100"],
      ["--json"],
      ["--frob"],
      ["--only", ","],
    ]) {
      expect(() => parseBenchArgs(argv)).toThrow(InputError);
    }
    expect(() => parseBenchArgs(["--only", "map4k"])).toThrow(/unknown workload "map4k"/);
  });
});

describe("--json", () => {
  const machine: MachineInfo = {
    cpu: "Test CPU",
    cores: 2,
    node: "v20.20.2",
    platform: "linux x64",
    loadStart: [0.5, 0.25, 0.125],
    loadEnd: [1, 0.5, 0.25],
    solCompiler: "gcc 12.2.0",
  };
  const config: RunConfig = { fwb: false, reps: 3, warmup: 6, paired: true, clock: "thread CPU", command: "npm run bench -- --sol" };
  const memory = { kernelTableBytes: 515 * 4096, tableBytes: 9 * 262144 + 2048, processBytes: 2_400_000 };
  const paired: WorkloadResult = {
    name: "map4k_1g",
    unit: "per 4K page",
    units: 1000,
    rounds: 1,
    sol: "map4k_1g",
    // Pairs (s2pt, sol) per unit: (20, 10), (40, 10), (30, 15): ratios 0.5, 0.25, 0.5.
    summary: summarisePairs([
      { s2pt: { units: 1000, wallNs: 20_000, cpuNs: 20_000 }, sol: { units: 1000, wallNs: 10_000, cpuNs: 10_000 } },
      { s2pt: { units: 1000, wallNs: 80_000, cpuNs: 40_000 }, sol: { units: 1000, wallNs: 10_000, cpuNs: 10_000 } },
      { s2pt: { units: 1000, wallNs: 30_000, cpuNs: 30_000 }, sol: { units: 1000, wallNs: 15_000, cpuNs: 15_000 } },
    ]),
    memory,
    watch: { ...NO_STATS, allocPerUnit: 0.25 },
  };
  it("gives the machine, the configuration and per workload both sides' figures, the paired ratio and the memory", () => {
    const j = JSON.parse(jsonReport([paired], machine, config));
    expect(j.machine).toEqual({
      cpu: "Test CPU",
      cores: 2,
      node: "v20.20.2",
      platform: "linux x64",
      load_start: [0.5, 0.25, 0.125],
      load_end: [1, 0.5, 0.25],
      sol_compiler: "gcc 12.2.0",
    });
    expect(j.config).toEqual({ fwb: false, reps: 3, warmup: 6, paired: true, clock: "thread CPU", command: "npm run bench -- --sol" });
    expect(j.workloads.map4k_1g).toEqual({
      unit: "per 4K page",
      units: 1000,
      rounds: 1,
      runs: 3,
      median_ns: 30,
      min_ns: 20,
      max_ns: 40,
      wall_median_ns: 30,
      cpu_share: 1,
      sol_workload: "map4k_1g",
      sol_median_ns: 10,
      sol_min_ns: 10,
      sol_wall_median_ns: 10,
      sol_cpu_share: 1,
      ratio: 0.5,
      ratio_min: 0.25,
      ratio_max: 0.5,
      target: 0.5,
      kernel_table_bytes: 2109440,
      table_bytes: 2361344,
      process_bytes: 2400000,
      table_vs_kernel: 1.119,
      process_vs_kernel: 1.138,
      memory_target: 1.25,
      gc_in_timed: 0,
      alloc_per_unit: 0.25,
      busy: false,
    });
    expect(j.warnings).toEqual([]);
  });
  it("without sol the sol fields and the ratio are null; a busy run is flagged and warned about", () => {
    const alone: WorkloadResult = { ...paired, name: "walk_random_1m", summary: summarisePairs([{ s2pt: { units: 10, wallNs: 200, cpuNs: 100 }, sol: null }]) };
    const j = JSON.parse(jsonReport([alone], { ...machine, solCompiler: null }, { ...config, paired: false }));
    const w = j.workloads.walk_random_1m;
    expect([w.sol_workload, w.sol_median_ns, w.sol_min_ns, w.sol_wall_median_ns, w.sol_cpu_share, w.ratio, w.ratio_min, w.ratio_max]).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(w.target).toBe(0.6);
    expect(w.cpu_share).toBe(0.5);
    expect(w.busy).toBe(true);
    expect(w.alloc_per_unit).toBe(0.25);
    expect(j.warnings).toHaveLength(1);
    expect(j.warnings[0]).toMatch(/walk_random_1m: the machine was busy/);
    expect(j.machine.sol_compiler).toBeNull();
  });
  it("the text table has memory per workload and, paired, the ratio and its range", () => {
    const t = resultsTable([paired]);
    expect(t).toMatch(/store\/kernel +heap\/kernel/);
    expect(t).toMatch(/1\.119x +1\.138x/);
    expect(t).toMatch(/0\.500x +0\.250-0\.500 +>= 0\.5x PASS/);
    expect(t).toMatch(/memory, worst workload: 1\.138x .* PASS/);
  });
});

describe("bench verification", () => {
  function mapped(): KvmPgtable {
    const p = new KvmPgtable(benchConfig(false), {}, new MaintenanceLog());
    expect(p.map(0x80000000, 4096, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    return p;
  }
  it("accepts the descriptor README.md gives for a 4K R|W page of PA 0x80000000", () => {
    const p = mapped();
    expect(pageRw(false)).toBe(0x00400000000007ffn);
    checkLeaf(p, 0x80000000, template(pageRw(false)), 0x80000000, 3);
    expect(p.leafLo).toBe(0x800007ff);
    expect(p.leafHi).toBe(0x00400000);
    // 2 root pages + a level-2 and a level-3 table.
    checkTables(p, 4, "one page");
    checkEvents(p.log, { dcache: 1 }, "one page");
  });
  it("rejects a wrong descriptor, a wrong level, a wrong refcount, a wrong page count, wrong events", () => {
    const p = mapped();
    expect(() => checkLeaf(p, 0x80000000, template(pageRw(true)), 0x80000000, 3)).toThrow(BenchCheckError);
    expect(() => checkLeaf(p, 0x80000000, template(pageRw(false)), 0x80001000, 3)).toThrow(BenchCheckError);
    expect(() => checkLeaf(p, 0x80000000, template(pageRw(false)), 0x80000000, 2)).toThrow(BenchCheckError);
    expect(() => checkTables(p, 5, "one page")).toThrow(/holds 4 pages, expected 5/);
    expect(() => checkEvents(p.log, {}, "one page")).toThrow(/1 dcache events, expected 0/);
    p.store.refcount[p.pgd + 1]++;
    expect(() => checkTables(p, 4, "one page")).toThrow(/refcount 2, expected 1/);
  });
});
