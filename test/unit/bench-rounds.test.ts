/**
 * A timed run of several rounds (bench/workloads.ts Workload.rounds, used by
 * map_block_64g): each round is one set-up, timed part and check; the run's
 * figure is the rounds' summed time over their summed units, on each side,
 * and the pair's ratio is taken between those sums. Hand-worked values.
 */
import { describe, expect, it } from "vitest";
import { addRuns, summarisePairs } from "../../bench/paired.js";
import { makeWorkloads } from "../../bench/workloads.js";
import { MaintenanceLog } from "../../src/pgtable/events.js";

describe("addRuns", () => {
  it("sums units and both clocks of the rounds", () => {
    let r = addRuns(null, { units: 32768, wallNs: 200_000, cpuNs: 190_000 });
    r = addRuns(r, { units: 32768, wallNs: 5_000_000, cpuNs: 250_000 });
    r = addRuns(r, { units: 32768, wallNs: 150_000, cpuNs: 150_000 });
    expect(r).toEqual({ units: 98304, wallNs: 5_350_000, cpuNs: 590_000 });
  });

  it("does not alias the first round it is given", () => {
    const first = { units: 10, wallNs: 100, cpuNs: 100 };
    const r = addRuns(null, first);
    const r2 = addRuns(r, { units: 10, wallNs: 50, cpuNs: 50 });
    expect(first).toEqual({ units: 10, wallNs: 100, cpuNs: 100 });
    expect(r2).toEqual({ units: 20, wallNs: 150, cpuNs: 150 });
  });

  it("refuses a round that took no wall time or no units", () => {
    expect(() => addRuns(null, { units: 0, wallNs: 100, cpuNs: 100 })).toThrow(RangeError);
    expect(() => addRuns(null, { units: 10, wallNs: 0, cpuNs: 0 })).toThrow(RangeError);
  });

  it("makes a pair's ratio the ratio of the sums, not a mean of the rounds' ratios", () => {
    // s2pt rounds: 1000 units in 4000 ns and 1000 in 12000 ns: 16000 / 2000 = 8 ns a unit.
    // sol rounds: 1000 in 3000 and 1000 in 1000: 4000 / 2000 = 2 ns a unit. Ratio 2 / 8 = 0.25
    // (the rounds' own ratios, 0.75 and 0.0833, average 0.4167).
    const s2pt = addRuns(addRuns(null, { units: 1000, wallNs: 4000, cpuNs: 4000 }), { units: 1000, wallNs: 12000, cpuNs: 12000 });
    const sol = addRuns(addRuns(null, { units: 1000, wallNs: 3000, cpuNs: 3000 }), { units: 1000, wallNs: 1000, cpuNs: 1000 });
    const s = summarisePairs([{ s2pt, sol }]);
    expect(s.s2pt.medianNs).toBe(8);
    expect(s.sol?.medianNs).toBe(2);
    expect(s.ratio).toBe(0.25);
  });
});

describe("rounds per workload", () => {
  it("times map_block_64g over 16 rounds of sol.c's 512 tables x 64 blocks a run, every other workload over one", () => {
    const ws = makeWorkloads({ fwb: false, log: new MaintenanceLog(16) }, ["map4k_1g", "map_block_64g", "unmap_1g"]);
    expect(ws.map((w) => [w.name, w.units, w.rounds])).toEqual([
      ["map4k_1g", 262144, 1],
      ["map_block_64g", 512 * 64, 16],
      ["unmap_1g", 262144, 1],
    ]);
  });
});
