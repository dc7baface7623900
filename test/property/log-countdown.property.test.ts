// Property: the event log's run countdown (src/pgtable/events.ts, issue 20
// part 5). push() extends a run while a counter of the events it may still
// take is above 0, instead of testing the record limit and the exact range
// after every event; the counter is set where a run starts or is taken up
// again (a single turned into a run, pushRun(), a cut-back, recording
// switched on). This drives runs one push() at a time right up to and
// across both ends, the record limit (every limit from 0 to 40) and the end
// of the exact-integer range (2^53, and 0 for negative steps, with steps of
// one page up to 2^51 + 1 that do not divide the distance), with recording
// switched off and on and cut-backs inside runs, and compares every event
// with a reference that stores each event on its own (kind, a, b), in order,
// and its per-kind counts of what was not recorded. The expected events are
// the pushed ones: the log must read back what it was given.
// Deterministic: xorshift64 from a fixed seed, printed in the test names.
import { describe, expect, it } from "vitest";
import { EV_DCACHE, EV_TLBI_IPA, MaintenanceLog } from "../../src/pgtable/events.js";
import { xorshift64 } from "./xorshift.js";

const SEED = 0x5eed_2020_0c0d_7d01n;

class RefLog {
  ev: Array<[number, number, number]> = [];
  nr = new Float64Array(8);
  record = true;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  push(k: number, a: number, b: number): void {
    if (!this.record || this.ev.length >= this.limit) this.nr[k]++;
    else this.ev.push([k, a, b]);
  }
}

function agree(log: MaintenanceLog, ref: RefLog, where: string): void {
  expect(log.length, where).toBe(ref.ev.length);
  for (let i = 0; i < ref.ev.length; i++) {
    const [k, a, b] = ref.ev[i];
    if (log.kindAt(i) !== k || log.aAt(i) !== a || log.bAt(i) !== b) {
      expect([log.kindAt(i), log.aAt(i), log.bAt(i)], `${where}: event ${i}`).toEqual([k, a, b]);
    }
  }
  expect(Array.from(log.notRecorded), where).toEqual(Array.from(ref.nr));
}

const EXACT = 2 ** 53;
const STEPS = [0x1000, -0x1000, 0x200000, 3, -7, 2 ** 40, 2 ** 51 + 1, -(2 ** 51 + 1), 0];

describe(`property: a run pushed one event at a time stops exactly at the record limit and the exact range (seed 0x${SEED.toString(16)})`, () => {
  it("every limit from 0 to 40, runs started by push() and by pushRun()", () => {
    const r = xorshift64(SEED);
    for (let limit = 0; limit <= 40; limit++) {
      for (let round = 0; round < 12; round++) {
        const log = new MaintenanceLog(1 + r.below(4), limit);
        const ref = new RefLog(limit);
        const where = `limit ${limit} round ${round}`;
        // A few events of another kind first, so the run starts anywhere below the limit.
        const pre = r.below(limit + 3);
        for (let j = 0; j < pre; j++) {
          log.push(EV_TLBI_IPA, j * 0x1000, 3);
          ref.push(EV_TLBI_IPA, j * 0x1000, 3);
        }
        const step = r.pick(STEPS);
        let a = step < 0 ? r.pick([0x10000, 2 ** 52, 7 * 0x1000]) : r.pick([0, 0x8000_0000, EXACT - 0x5000, EXACT - 2 ** 52]);
        if (r.below(2) === 0) {
          const n = 3 + r.below(5);
          log.pushRun(EV_DCACHE, a, 0x1000, step, n);
          for (let j = 0; j < n; j++) ref.push(EV_DCACHE, a + j * step, 0x1000);
          a += n * step;
        }
        // Then one push() at a time, past the limit and, for most steps, out of the exact range.
        const n = limit + 10;
        for (let j = 0; j < n && a >= 0 && a < EXACT; j++) {
          log.push(EV_DCACHE, a, 0x1000);
          ref.push(EV_DCACHE, a, 0x1000);
          a += step;
        }
        agree(log, ref, where);
      }
    }
  });

  it("runs across 2^53 and 0 with no record limit, the last exact event included", () => {
    const r = xorshift64(SEED ^ 1n);
    for (let round = 0; round < 200; round++) {
      const log = new MaintenanceLog(4);
      const ref = new RefLog(1 << 20);
      const step = r.pick(STEPS.filter((s) => s !== 0));
      const span = step > 0 ? EXACT : 0;
      // Start a few steps before the end of the range: the run must take every event inside it, then stop.
      const before = 1 + r.below(6);
      let a = step > 0 ? span - before * step + r.below(Math.min(Math.abs(step), 1000)) : before * -step - r.below(Math.min(-step, 1000)) - 1;
      if (!(a >= 0 && a < EXACT)) a = step > 0 ? EXACT - step : -step;
      // Past the range the address pushed is the previous one plus the step as a double gives it (what
      // a run taken on would expect next, rounded beyond 2^53): the log must give back exactly that.
      let x = a;
      for (let j = 0; j < before + 4; j++) {
        log.push(EV_DCACHE, x, 0x1000);
        ref.push(EV_DCACHE, x, 0x1000);
        x += step;
      }
      agree(log, ref, `round ${round} step ${step} from 0x${a.toString(16)}`);
    }
  });

  it("recording switched off and on, and cut-backs, inside runs", () => {
    const r = xorshift64(SEED ^ 2n);
    for (const limit of [1 << 20, 25, 6]) {
      for (let round = 0; round < 80; round++) {
        const log = new MaintenanceLog(2, limit);
        const ref = new RefLog(limit);
        const step = r.pick(STEPS);
        let a = step < 0 ? 2 ** 52 : r.pick([0x4000_0000, EXACT - 40 * Math.max(1, Math.abs(step))]);
        for (let op = 0; op < 60; op++) {
          const what = r.below(10);
          const where = `limit ${limit} round ${round} op ${op} (${what})`;
          if (what === 0) {
            const on = !log.record;
            log.record = on;
            ref.record = on;
          } else if (what === 1 && ref.ev.length > 0) {
            const m = r.below(ref.ev.length + 1);
            log.length = m;
            ref.ev.length = m;
            // Take the run up again from the event after the last one kept, or go on where it was.
            if (r.below(2) === 0 && m > 0) a = ref.ev[m - 1][1] + step;
          } else {
            if (!(a >= 0 && a < EXACT)) a = 0x1000;
            log.push(EV_DCACHE, a, 0x1000);
            ref.push(EV_DCACHE, a, 0x1000);
            a += step;
          }
          agree(log, ref, where);
        }
      }
    }
  });
});
