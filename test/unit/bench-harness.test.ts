// The benchmark harness's own pieces, without timing anything: argument
// parsing, the --json shape issue 9 specifies, and that the verification the
// bench runs after every run accepts a right table and rejects a wrong one.
// Expected descriptors are literals from ../shared/bench/README.md ("A 4K R|W
// mapping of PA 0x80000000 is 0x00400000800007ff (...7db with FWB)").
import { describe, expect, it } from "vitest";
import { DEFAULT_REPS, DEFAULT_WARMUP, parseBenchArgs } from "../../bench/args.js";
import { jsonReport } from "../../bench/report.js";
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
    expect(a).toEqual({ json: null, sol: false, fwb: false, reps: DEFAULT_REPS, warmup: DEFAULT_WARMUP, workloads: [...WORKLOAD_NAMES], scaling: true, help: false });
  });
  it("--only picks workloads (in the canonical order) and scaling; --reps, --sol, --fwb, --json", () => {
    const a = parseBenchArgs(["--only", "walk_random_1m,map4k_1g", "--only", "scaling", "--reps", "3", "--warmup", "0", "--sol", "--fwb", "--json", "out.json"]);
    expect(a.workloads).toEqual(["map4k_1g", "walk_random_1m"]);
    expect(a.scaling).toBe(true);
    expect(a).toMatchObject({ reps: 3, warmup: 0, sol: true, fwb: true, json: "out.json" });
    expect(parseBenchArgs(["--only", "scaling"]).workloads).toEqual([]);
    expect(parseBenchArgs(["--only", "unmap_1g"]).scaling).toBe(false);
  });
  it("bad arguments are one-line InputErrors", () => {
    for (const argv of [["--only", "map4k"], ["--reps", "0"], ["--reps", "100"], ["--reps", "1.5"], ["--reps"], ["--warmup", "-1"], ["--warmup", "100"], ["--json"], ["--frob"], ["--only", ","]]) {
      expect(() => parseBenchArgs(argv)).toThrow(InputError);
    }
    expect(() => parseBenchArgs(["--only", "map4k"])).toThrow(/unknown workload "map4k"/);
  });
});

describe("--json", () => {
  it("is exactly {workloads: {name: {median_ns, min_ns, unit}}}", () => {
    const text = jsonReport([{ name: "map4k_1g", unit: "per 4K page", medianNs: 12.34567, minNs: 11.1, maxNs: 20, runs: 15, units: 262144, watch: NO_STATS }]);
    expect(JSON.parse(text)).toEqual({ workloads: { map4k_1g: { median_ns: 12.346, min_ns: 11.1, unit: "per 4K page" } } });
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
