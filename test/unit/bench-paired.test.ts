// The paired-measurement harness's pure parts (bench/paired.ts, the sol
// driver's protocol in bench/sol.ts, the free-page order of
// bench/bump-order.ts), without timing anything. Expected values are worked
// by hand from the definitions in bench/paired.ts's header: per-unit figures
// are total ns / units; the ratio is taken per pair (sol / s2pt) and its
// median quoted; the median of an even count is the mean of the two middle
// values, as sol.c takes it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { freePagesInBumpOrder } from "../../bench/bump-order.js";
import { BUSY_SHARE, busySummary, busyWarning, median, pairRatios, summarisePairs, summariseSide, type Pair } from "../../bench/paired.js";
import { SolDriver, parseSolHeader, parseSolRun } from "../../bench/sol.js";
import { BenchCheckError } from "../../bench/verify.js";
import { benchConfig } from "../../bench/workloads.js";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { repoRoot } from "../helpers.js";

const run = (units: number, wallNs: number, cpuNs: number) => ({ units, wallNs, cpuNs });

describe("median", () => {
  it("is the middle value, the mean of the two middle values for an even count, NaN for none", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
    const xs = [5, 1, 4];
    median(xs);
    expect(xs).toEqual([5, 1, 4]); // the input is not reordered
  });
});

describe("one side's figures", () => {
  it("are CPU ns per unit (median, min, max), wall ns per unit, and the median CPU share", () => {
    const s = summariseSide([run(1000, 20_000, 10_000), run(1000, 12_000, 12_000), run(1000, 30_000, 15_000)]);
    expect(s).toEqual({ runs: 3, medianNs: 12, minNs: 10, maxNs: 15, wallMedianNs: 20, cpuShare: 0.5 });
  });
  it("refuses no runs and impossible samples", () => {
    expect(() => summariseSide([])).toThrow(RangeError);
    expect(() => summariseSide([run(0, 1, 1)])).toThrow(RangeError);
    expect(() => summariseSide([run(1, 0, 1)])).toThrow(RangeError);
    expect(() => summariseSide([run(1, 1, -1)])).toThrow(RangeError);
  });
});

describe("pairs", () => {
  // Three pairs in which the machine changes speed between pairs: the ratio
  // within each pair is 0.5, 0.25 and 0.5; the ratio of the two medians
  // (10 / 40 = 0.25) would be another figure.
  const pairs: Pair[] = [
    { sol: run(100, 1000, 1000), s2pt: run(100, 2000, 2000) }, // 10 / 20
    { sol: run(100, 1000, 1000), s2pt: run(100, 4000, 4000) }, // 10 / 40
    { sol: run(100, 3000, 3000), s2pt: run(100, 6000, 6000) }, // 30 / 60
  ];
  it("the ratio is sol ns / s2pt ns within each pair, per unit of each", () => {
    expect(pairRatios(pairs)).toEqual([0.5, 0.25, 0.5]);
    // Different unit counts per side are per-unit figures first.
    expect(pairRatios([{ sol: run(10, 100, 100), s2pt: run(1000, 40_000, 40_000) }])).toEqual([0.25]);
  });
  it("the summary quotes the median of the per-pair ratios and its range", () => {
    const s = summarisePairs(pairs);
    expect(s.ratio).toBe(0.5);
    expect(s.ratioMin).toBe(0.25);
    expect(s.ratioMax).toBe(0.5);
    expect(s.pairs).toBe(3);
    expect(s.s2pt.medianNs).toBe(40);
    expect(s.sol?.medianNs).toBe(10);
    // Not the ratio of the medians.
    expect((s.sol?.medianNs ?? 0) / s.s2pt.medianNs).toBe(0.25);
  });
  it("without sol runs there is no ratio; a mix of paired and unpaired runs is refused", () => {
    const alone = summarisePairs([{ sol: null, s2pt: run(10, 100, 50) }]);
    expect(alone).toMatchObject({ sol: null, ratio: null, ratioMin: null, ratioMax: null, pairs: 1 });
    expect(() => summarisePairs([{ sol: null, s2pt: run(10, 100, 50) }, pairs[0]])).toThrow(/1 of 2 pairs/);
    expect(() => summarisePairs([])).toThrow(RangeError);
  });
  it("warns when either side's median CPU share is below BUSY_SHARE, naming the side", () => {
    expect(BUSY_SHARE).toBe(0.9);
    expect(busyWarning("w", summarisePairs(pairs))).toBeNull();
    const busy = summarisePairs([{ sol: run(1, 100, 100), s2pt: run(1, 100, 50) }]);
    expect(busyWarning("w", busy)).toMatch(/^warning: w: the machine was busy \(CPU share of the timed runs s2pt 50%, below 90%\)/);
    const solBusy = summarisePairs([{ sol: run(1, 100, 80), s2pt: run(1, 100, 100) }]);
    expect(busyWarning("w", solBusy)).toMatch(/sol 80%/);
    expect(busyWarning("w", summarisePairs([{ sol: run(1, 100, 90), s2pt: run(1, 100, 90) }]))).toBeNull();
    // The text report's one line for all of them.
    expect(busySummary([{ name: "a", summary: summarisePairs(pairs) }])).toBeNull();
    expect(
      busySummary([
        { name: "a", summary: busy },
        { name: "b", summary: summarisePairs(pairs) },
        { name: "c", summary: solBusy },
      ]),
    ).toMatch(/^warning: the machine was busy \(CPU share of the timed runs below 90%: a s2pt 50%; c sol 80%\): /);
  });
});

describe("the sol driver's protocol", () => {
  const header = {
    machine: { nproc: 2, cpu: "x", compiler: "gcc 12.2.0" },
    config: { impl: "shared/bench/sol.c", fwb: false, inputs: { walk_ipa_sum: "0x5b8e286771000", scatter_ipa_sum: "0x40265592095000", scatter_tables: 58448 } },
  };
  it("reads the first line's machine, FWB and input fingerprints", () => {
    expect(parseSolHeader(JSON.stringify(header)).config.inputs.scatter_tables).toBe(58448);
    expect(() => parseSolHeader("{")).toThrow(BenchCheckError);
    expect(() => parseSolHeader(JSON.stringify({ machine: {}, config: { inputs: {} } }))).toThrow(/fingerprint/);
  });
  it("reads a run's answer: units, wall ns, CPU ns of the timed part", () => {
    expect(parseSolRun("ok map4k_1g 262144 2336761 2339805", "map4k_1g")).toEqual({ units: 262144, wallNs: 2336761, cpuNs: 2339805 });
    expect(() => parseSolRun("ok unmap_1g 262144 1 1", "map4k_1g")).toThrow(BenchCheckError);
    expect(() => parseSolRun("ok map4k_1g 262144 0 1", "map4k_1g")).toThrow(BenchCheckError);
    expect(() => parseSolRun("sol: check failed", "map4k_1g")).toThrow(BenchCheckError);
  });

  const solC = resolve(process.env.S2PT_SHARED ?? resolve(repoRoot, "..", "shared"), "bench", "sol.c");
  const cc = spawnSync(process.env.CC ?? "cc", ["--version"]).status === 0;
  it.skipIf(!existsSync(solC) || !cc)(
    "builds around ../shared/bench/sol.c and answers one timed run of a workload (skipped without it or a C compiler)",
    async () => {
      const d = await SolDriver.start(repoRoot, solC, false);
      try {
        expect(d.header.config.fwb).toBe(false);
        const r = await d.run("map_block_64g");
        expect(r.units).toBe(512 * 64);
        expect(r.wallNs).toBeGreaterThan(0);
        await expect(d.run("no_such_workload")).rejects.toThrow(BenchCheckError);
      } finally {
        d.close();
      }
    },
  );
  it("the driver source is in the repository", () => {
    expect(existsSync(join(repoRoot, "bench", "sol-driver.c"))).toBe(true);
  });
});

describe("free pages in bump order", () => {
  it("after a full unmap, a reused store hands out its pages lowest first, as sol.c's pool after a reset", () => {
    const p = new KvmPgtable(benchConfig(false));
    p.log.record = false;
    // Map pages so that the tables are made in one order and freed in another.
    const ipas = [5, 1, 9, 3].map((g) => g * 2 ** 30 + 0x200000 * g);
    for (const ipa of ipas) expect(p.map(ipa, 4096, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    const held = p.store.inUse;
    expect(held).toBe(2 + 2 * ipas.length);
    expect(p.unmap(0, p.iaLimit)).toBe(0);
    expect(p.store.inUse).toBe(2);
    freePagesInBumpOrder(p.store);
    expect(p.store.inUse).toBe(2);
    const got: number[] = [];
    for (let i = 0; i < held - 2; i++) got.push(p.store.zallocPage());
    expect(got).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    // Nothing grew, every page handed out is zero.
    expect(p.store.bump).toBe(held);
    for (const page of got) for (let i = 0; i < 512; i++) expect(p.entryLo(page, i) | p.entryHi(page, i)).toBe(0);
  });
});
