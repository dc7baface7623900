// src/pgtable/events.ts after issue 20 part 5 (the run's countdown, pairs'
// own next kind): push() extends a run (extendRun) only with the same kind,
// the next address and the same operand b, while the run may still take
// events; pairs (pushOther) only with the next pair event, below the record
// limit and while recording. The events and record counts below are worked
// by hand from the record format in the module comment (a single is one
// 3-double slot, a run two, pairs three; a run's addresses are non-negative
// integers below 2^53, event j of it a0 + j*step): every log is read back one
// event at a time against the events as pushed. White box for the slot count
// (`ns`), as in events-records-mutants.test.ts. Written for the surviving
// mutants of `npm run mutate` (issue 23, after the sp5 speed change).
import { describe, expect, it } from "vitest";
import { EV_DCACHE, EV_TLBI_IPA, MaintenanceLog } from "../../src/pgtable/events.js";

const K = 0x1000;
const P50 = 2 ** 50;

type Ev = [number, number, number];

function slots(log: MaintenanceLog): number {
  return (log as unknown as { ns: number }).ns;
}
function triples(log: MaintenanceLog): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < log.length; i++) out.push([log.kindAt(i), log.aAt(i), log.bAt(i)]);
  return out;
}

/** tlbi_ipa 0x40000, 0x41000 (level 3) paired with dcache 0x80000, 0x81000 (size 4K): 4 events, one pairs record (3 slots). */
function twoPairs(log: MaintenanceLog): void {
  log.pushPairs(EV_TLBI_IPA, 0x40000, 3, K, EV_DCACHE, 0x80000, K, K, 2);
}
const TWO_PAIRS: Ev[] = [
  [EV_TLBI_IPA, 0x40000, 3],
  [EV_DCACHE, 0x80000, K],
  [EV_TLBI_IPA, 0x41000, 3],
  [EV_DCACHE, 0x81000, K],
];

describe("a run is extended only by its next event: same kind, next address, same operand", () => {
  it("a dcache of another size at the run's next PA is a new single (push() run and pushRun() run)", () => {
    // 0x10000, 0x11000, 0x12000 (size 4K): one run, 2 slots; 0x13000 of size 8K: a single (3 slots).
    const a = new MaintenanceLog();
    for (const x of [0x10000, 0x11000, 0x12000]) a.push(EV_DCACHE, x, K);
    expect(slots(a)).toBe(2);
    a.push(EV_DCACHE, 0x13000, 2 * K);
    expect(slots(a)).toBe(3);
    expect(triples(a)).toEqual([
      [EV_DCACHE, 0x10000, K],
      [EV_DCACHE, 0x11000, K],
      [EV_DCACHE, 0x12000, K],
      [EV_DCACHE, 0x13000, 2 * K],
    ]);
    const b = new MaintenanceLog();
    b.pushRun(EV_DCACHE, 0x10000, K, K, 3);
    b.push(EV_DCACHE, 0x13000, 2 * K);
    b.push(EV_DCACHE, 0x14000, 2 * K);
    // The single at 0x13000 became a run with 0x14000 (same size, step 4K): 2 + 2 slots.
    expect(slots(b)).toBe(4);
    expect(triples(b)).toEqual([
      [EV_DCACHE, 0x10000, K],
      [EV_DCACHE, 0x11000, K],
      [EV_DCACHE, 0x12000, K],
      [EV_DCACHE, 0x13000, 2 * K],
      [EV_DCACHE, 0x14000, 2 * K],
    ]);
  });

  it("a run of step 0 pushed one event at a time stays one run (2 slots), at PA 0x5000 and at PA 0", () => {
    const a = new MaintenanceLog();
    for (let i = 0; i < 5; i++) a.push(EV_DCACHE, 0x5000, K);
    expect(slots(a)).toBe(2);
    expect(triples(a)).toEqual([
      [EV_DCACHE, 0x5000, K],
      [EV_DCACHE, 0x5000, K],
      [EV_DCACHE, 0x5000, K],
      [EV_DCACHE, 0x5000, K],
      [EV_DCACHE, 0x5000, K],
    ]);
    const b = new MaintenanceLog();
    for (let i = 0; i < 4; i++) b.push(EV_TLBI_IPA, 0, 3);
    expect(slots(b)).toBe(2);
    expect(triples(b)).toEqual([
      [EV_TLBI_IPA, 0, 3],
      [EV_TLBI_IPA, 0, 3],
      [EV_TLBI_IPA, 0, 3],
      [EV_TLBI_IPA, 0, 3],
    ]);
    // pushRun of three at 0x7000, step 0, then two more one by one: still the one run.
    const c = new MaintenanceLog();
    c.pushRun(EV_DCACHE, 0x7000, K, 0, 3);
    c.push(EV_DCACHE, 0x7000, K);
    c.push(EV_DCACHE, 0x7000, K);
    expect(slots(c)).toBe(2);
    expect(c.length).toBe(5);
    expect(triples(c).every((e) => e[0] === EV_DCACHE && e[1] === 0x7000 && e[2] === K)).toBe(true);
  });

  it("a run of step -(2^50 + 1) from 7*2^50 + 2 takes every event down to 2^50 - 4; -5 is a single", () => {
    // e_j = 7*2^50 + 2 - j*(2^50 + 1): 7*2^50 + 2, 6*2^50 + 1, 5*2^50, 4*2^50 - 1, 3*2^50 - 2,
    // 2*2^50 - 3, 2^50 - 4 (all below 2^53 = 8*2^50 and non-negative), then -5 (below 0).
    // After the first two (a single turned into a run) the run may take the five from 5*2^50 on:
    // 5*2^50 / (2^50 + 1) is just below 5, so four steps more stay at or above 0.
    const e = [7 * P50 + 2, 6 * P50 + 1, 5 * P50, 4 * P50 - 1, 3 * P50 - 2, 2 * P50 - 3, P50 - 4, -5];
    const log = new MaintenanceLog();
    for (let j = 0; j < 7; j++) {
      log.push(EV_DCACHE, e[j], K);
      expect(slots(log), `after event ${j}`).toBe(j === 0 ? 1 : 2);
    }
    log.push(EV_DCACHE, e[7], K);
    expect(slots(log)).toBe(3);
    expect(triples(log)).toEqual(e.map((x): Ev => [EV_DCACHE, x, K]));
  });
});

describe("pairs are extended only by their next event, below the record limit, while recording", () => {
  it("a tlbi_ipa of the pairs' level at another IPA is a new single, not the next pair", () => {
    const log = new MaintenanceLog();
    twoPairs(log);
    expect(slots(log)).toBe(3);
    // The next pair would start with tlbi_ipa 0x42000 level 3; 0x50000 level 3 is not it.
    log.push(EV_TLBI_IPA, 0x50000, 3);
    expect(slots(log)).toBe(4);
    expect(triples(log)).toEqual([...TWO_PAIRS, [EV_TLBI_IPA, 0x50000, 3]]);
    // Once extended by the right one, the second kind at another PA is a single as well.
    const b = new MaintenanceLog();
    twoPairs(b);
    b.push(EV_TLBI_IPA, 0x42000, 3);
    expect(slots(b)).toBe(3);
    b.push(EV_DCACHE, 0x90000, K);
    expect(slots(b)).toBe(4);
    expect(triples(b)).toEqual([...TWO_PAIRS, [EV_TLBI_IPA, 0x42000, 3], [EV_DCACHE, 0x90000, K]]);
  });

  it("limit 4: two pairs fill the log; the next pair event is only counted", () => {
    const log = new MaintenanceLog(16, 4);
    twoPairs(log);
    expect(log.length).toBe(4);
    log.push(EV_TLBI_IPA, 0x42000, 3);
    log.push(EV_DCACHE, 0x82000, K);
    expect(log.length).toBe(4);
    expect(slots(log)).toBe(3);
    expect(triples(log)).toEqual(TWO_PAIRS);
    expect(log.notRecorded[EV_TLBI_IPA]).toBe(1);
    expect(log.notRecorded[EV_DCACHE]).toBe(1);
    expect(log.notRecordedTotal).toBe(2);
  });

  it("recording off: the next pair event is only counted; back on, the pairs go on from there", () => {
    const log = new MaintenanceLog();
    twoPairs(log);
    log.record = false;
    log.push(EV_TLBI_IPA, 0x42000, 3);
    expect(log.length).toBe(4);
    expect(log.notRecorded[EV_TLBI_IPA]).toBe(1);
    log.record = true;
    // The log holds 4 events: the pairs still expect tlbi_ipa 0x42000 (the counted one was not recorded).
    log.push(EV_TLBI_IPA, 0x42000, 3);
    log.push(EV_DCACHE, 0x82000, K);
    expect(slots(log)).toBe(3);
    expect(triples(log)).toEqual([...TWO_PAIRS, [EV_TLBI_IPA, 0x42000, 3], [EV_DCACHE, 0x82000, K]]);
    expect(log.notRecordedTotal).toBe(1);
  });
});
