// src/pgtable/events.ts's compact storage (issue 20's design, written out in
// the module comment): a single event is one 3-double slot, a run of
// consecutive events (kind, a0 + j*step, b) two slots however it is pushed, and
// pairs (k1, a1 + r*s1, b1), (k2, a2 + r*s2, b2) three; runs hold only
// non-negative integer addresses below 2^53; the slot array grows by doubling up
// to `limit` + 2 slots. The record counts below are worked out by hand from
// those rules for hand-written event sequences (512 consecutive 4K dcache
// cleans are one run: two slots), and every log is read back against the
// events as pushed, one entry per event. White box: the slot count (`ns`) and
// the array (`rec`) are private; the memory bound they give is the property.
// Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { EV_DCACHE, EV_ICACHE, EV_TLBI_IPA, EV_TLBI_VMID, MaintenanceLog } from "../../src/pgtable/events.js";

const K = 0x1000;
const E = 2 ** 53;

type Ev = [number, number, number];

function slots(log: MaintenanceLog): number {
  return (log as unknown as { ns: number }).ns;
}
function capacity(log: MaintenanceLog): number {
  return (log as unknown as { rec: Float64Array }).rec.length / 3;
}
function triples(log: MaintenanceLog): Ev[] {
  const out: Ev[] = [];
  for (let i = 0; i < log.length; i++) out.push([log.kindAt(i), log.aAt(i), log.bAt(i)]);
  return out;
}
/** The events of a run, one entry each. */
function run(kind: number, a0: number, b: number, step: number, count: number): Ev[] {
  const out: Ev[] = [];
  for (let j = 0; j < count; j++) out.push([kind, a0 + j * step, b]);
  return out;
}
/** The events of pairs, one entry each. */
function pairs(k1: number, a1: number, b1: number, s1: number, k2: number, a2: number, b2: number, s2: number, reps: number): Ev[] {
  const out: Ev[] = [];
  for (let r = 0; r < reps; r++) out.push([k1, a1 + r * s1, b1], [k2, a2 + r * s2, b2]);
  return out;
}
/** Events per kind (index EV_*), counted from a list. */
function kinds(evs: Ev[]): number[] {
  const c = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const e of evs) c[e[0]]++;
  return c;
}

describe("how many record slots a sequence of events takes", () => {
  it("512 consecutive 4K dcache cleans: one run (2 slots), pushed one by one or as a run", () => {
    const a = new MaintenanceLog();
    for (let i = 0; i < 512; i++) a.push(EV_DCACHE, 0x8000_0000 + i * K, K);
    expect(slots(a)).toBe(2);
    const b = new MaintenanceLog();
    b.pushRun(EV_DCACHE, 0x8000_0000, K, K, 512);
    expect(slots(b)).toBe(2);
    expect(triples(a)).toEqual(run(EV_DCACHE, 0x8000_0000, K, K, 512));
    expect(triples(b)).toEqual(triples(a));
  });

  it("a run starting at address 0, and one whose next address is 0 (negative step)", () => {
    const a = new MaintenanceLog();
    a.pushRun(EV_DCACHE, 0, K, K, 10);
    expect(slots(a)).toBe(2);
    const b = new MaintenanceLog();
    b.push(EV_DCACHE, 0, K);
    b.push(EV_DCACHE, K, K);
    b.push(EV_DCACHE, 2 * K, K);
    expect(slots(b)).toBe(2);
    // 4K, 3K, 2K, then K and 0 continue it one push at a time; -K cannot (a new single).
    const c = new MaintenanceLog();
    c.pushRun(EV_DCACHE, 4 * K, K, -K, 3);
    c.push(EV_DCACHE, K, K);
    c.push(EV_DCACHE, 0, K);
    expect(slots(c)).toBe(2);
    c.push(EV_DCACHE, -K, K);
    expect(slots(c)).toBe(3);
    expect(triples(c)).toEqual(run(EV_DCACHE, 4 * K, K, -K, 6));
  });

  it("addresses that are not non-negative integers below 2^53 are singles", () => {
    // Fractions: three singles; the integer 1 after 0.5 starts a single too.
    const a = new MaintenanceLog();
    a.push(EV_DCACHE, 0.5, K);
    a.push(EV_DCACHE, 1.5, K);
    a.push(EV_DCACHE, 2.5, K);
    expect(slots(a)).toBe(3);
    // 0 then 0.5: the run's second address is not an integer; 1 after 0.5: its first is not.
    const b = new MaintenanceLog();
    b.push(EV_DCACHE, 0, K);
    b.push(EV_DCACHE, 0.5, K);
    b.push(EV_DCACHE, 1, K);
    expect(slots(b)).toBe(3);
    // -2K, -K: singles; 0 after -K: a single (its run would start below 0); K after 0: the single at 0 becomes a run.
    const c = new MaintenanceLog();
    for (const x of [-2 * K, -K, 0]) c.push(EV_DCACHE, x, K);
    expect(slots(c)).toBe(3);
    c.push(EV_DCACHE, K, K);
    expect(slots(c)).toBe(4);
    c.push(EV_DCACHE, 2 * K, K);
    expect(slots(c)).toBe(4);
    expect(triples(c)).toEqual(run(EV_DCACHE, -2 * K, K, K, 5));
    // 2^53 - 2K, 2^53 - K, 2^53: the second's next address (2^53) is not below 2^53, so no run forms.
    const d = new MaintenanceLog();
    for (const x of [E - 2 * K, E - K, E]) d.push(EV_DCACHE, x, K);
    expect(slots(d)).toBe(3);
    expect(triples(d)).toEqual(run(EV_DCACHE, E - 2 * K, K, K, 3));
    // A run pushed as a run up to 2^53 - 2K expects 2^53 - K, which extends it; 2^53 does not.
    const e = new MaintenanceLog();
    e.pushRun(EV_DCACHE, E - 4 * K, K, K, 3);
    e.push(EV_DCACHE, E - K, K);
    expect(slots(e)).toBe(2);
    e.push(EV_DCACHE, E, K);
    expect(slots(e)).toBe(3);
    expect(triples(e)).toEqual(run(EV_DCACHE, E - 4 * K, K, K, 5));
  });

  it("pushRun: runs of one or two events are pushed one by one; three or more are a new run record", () => {
    // A single at 0, then a 2-event run from K: one by one, the single becomes a run (2 slots).
    const a = new MaintenanceLog();
    a.push(EV_DCACHE, 0, K);
    a.pushRun(EV_DCACHE, K, K, K, 2);
    expect(slots(a)).toBe(2);
    a.pushRun(EV_DCACHE, 3 * K, K, K, 1);
    expect(slots(a)).toBe(2);
    expect(triples(a)).toEqual(run(EV_DCACHE, 0, K, K, 4));
    // A 3-event run after the same single: a run record of its own (1 + 2 slots).
    const b = new MaintenanceLog();
    b.push(EV_DCACHE, 0, K);
    b.pushRun(EV_DCACHE, K, K, K, 3);
    expect(slots(b)).toBe(3);
    expect(triples(b)).toEqual(run(EV_DCACHE, 0, K, K, 4));
    // Negative step: the same.
    const c = new MaintenanceLog();
    c.push(EV_DCACHE, 0x10000, K);
    c.pushRun(EV_DCACHE, 0xf000, K, -K, 5);
    expect(slots(c)).toBe(3);
    expect(triples(c)).toEqual(run(EV_DCACHE, 0x10000, K, -K, 6));
  });

  it("pushRun: a run that fills the log to exactly its limit is one record", () => {
    const log = new MaintenanceLog(16, 10);
    log.push(EV_DCACHE, 0, K);
    log.pushRun(EV_DCACHE, K, K, K, 9);
    expect(log.length).toBe(10);
    expect(slots(log)).toBe(3);
    expect(log.notRecordedTotal).toBe(0);
  });

  it("pushRun: a run with an address or step outside the exact integers is pushed one by one", () => {
    // 2^53 - 2K .. 2^53 + K: four singles (no two of them can start a run).
    const a = new MaintenanceLog();
    a.pushRun(EV_DCACHE, E - 2 * K, K, K, 4);
    expect(slots(a)).toBe(4);
    expect(triples(a)).toEqual(run(EV_DCACHE, E - 2 * K, K, K, 4));
    // -2K .. K: singles at -2K, -K and 0, and the one at 0 becomes a run with K.
    const b = new MaintenanceLog();
    b.pushRun(EV_DCACHE, -2 * K, K, K, 4);
    expect(slots(b)).toBe(4);
    expect(triples(b)).toEqual(run(EV_DCACHE, -2 * K, K, K, 4));
    // Step 0.5: 0, 0.5, 1 are three singles.
    const c = new MaintenanceLog();
    c.pushRun(EV_DCACHE, 0, K, 0.5, 3);
    expect(slots(c)).toBe(3);
    expect(triples(c)).toEqual(run(EV_DCACHE, 0, K, 0.5, 3));
  });

  it("pushRun continues the tail run only with the same kind, next address, operand and step", () => {
    const base = (): MaintenanceLog => {
      const log = new MaintenanceLog();
      log.pushRun(EV_DCACHE, 0, K, K, 4);
      return log;
    };
    const same = base();
    same.pushRun(EV_DCACHE, 4 * K, K, K, 4);
    expect(slots(same)).toBe(2);
    // The run's next event is then 8K: one push continues it, and the next.
    same.push(EV_DCACHE, 8 * K, K);
    same.push(EV_DCACHE, 9 * K, K);
    expect(slots(same)).toBe(2);
    expect(triples(same)).toEqual(run(EV_DCACHE, 0, K, K, 10));
    const others: [number, number, number, number][] = [
      [EV_ICACHE, 4 * K, K, K], // another kind
      [EV_DCACHE, 0x10_0000, K, K], // not the next address
      [EV_DCACHE, 4 * K, 2 * K, K], // another operand
      [EV_DCACHE, 4 * K, K, 2 * K], // another step
    ];
    for (const [kind, a0, b, step] of others) {
      const log = base();
      log.pushRun(kind, a0, b, step, 3);
      expect(slots(log)).toBe(4);
      expect(triples(log)).toEqual([...run(EV_DCACHE, 0, K, K, 4), ...run(kind, a0, b, step, 3)]);
    }
    // A new run record's next event: pushed one at a time, they continue it.
    const fresh = new MaintenanceLog();
    fresh.pushRun(EV_ICACHE, 0x20_0000, 0x40, 0x40, 3);
    for (let j = 3; j < 6; j++) fresh.push(EV_ICACHE, 0x20_0000 + j * 0x40, 0x40);
    expect(slots(fresh)).toBe(2);
    expect(triples(fresh)).toEqual(run(EV_ICACHE, 0x20_0000, 0x40, 0x40, 6));
  });

  it("pushRun after pairs whose next event it would match is a new record", () => {
    const log = new MaintenanceLog();
    log.pushPairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0x10000, K, K, 2);
    // The pairs expect (tlbi_ipa, 2K, 3) next, with step K: a run of those is still not pairs.
    log.pushRun(EV_TLBI_IPA, 2 * K, 3, K, 3);
    expect(slots(log)).toBe(5);
    expect(triples(log)).toEqual([...pairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0x10000, K, K, 2), ...run(EV_TLBI_IPA, 2 * K, 3, K, 3)]);
  });

  it("pairs pushed in two calls, then one event at a time, stay one record (3 slots)", () => {
    const log = new MaintenanceLog();
    log.pushPairs(EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0x8000_0000, K, 2 * K, 4);
    log.pushPairs(EV_TLBI_IPA, 0x4000_4000, 3, K, EV_DCACHE, 0x8000_8000, K, 2 * K, 4);
    expect(slots(log)).toBe(3);
    log.push(EV_TLBI_IPA, 0x4000_8000, 3);
    log.push(EV_DCACHE, 0x8001_0000, K);
    log.push(EV_TLBI_IPA, 0x4000_9000, 3);
    expect(slots(log)).toBe(3);
    expect(triples(log)).toEqual(pairs(EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0x8000_0000, K, 2 * K, 10).slice(0, 19));
  });

  it("pushPairs continues pairs only at a pair boundary, with the same kinds, next addresses, operands and steps", () => {
    const p0 = [EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0x10000, K, K] as const;
    const base = (): MaintenanceLog => {
      const log = new MaintenanceLog();
      log.pushPairs(...p0, 2);
      return log;
    };
    const first = pairs(...p0, 2);
    // The continuation: (tlbi_ipa, 2K, 3, K), (dcache, 0x12000, K, K).
    const cont = [EV_TLBI_IPA, 2 * K, 3, K, EV_DCACHE, 0x12000, K, K] as const;
    const ok = base();
    ok.pushPairs(...cont, 2);
    expect(slots(ok)).toBe(3);
    expect(triples(ok)).toEqual([...first, ...pairs(...cont, 2)]);
    const variants: (readonly [number, number, number, number, number, number, number, number])[] = [];
    for (let f = 0; f < 8; f++) {
      const v: number[] = [...cont];
      // Change one field: a kind to icache, an address or operand up by 0x100000, a step doubled.
      v[f] = f === 0 || f === 4 ? EV_ICACHE : f === 3 || f === 7 ? 2 * v[f] : v[f] + 0x10_0000;
      variants.push(v as unknown as readonly [number, number, number, number, number, number, number, number]);
    }
    for (const v of variants) {
      const log = base();
      log.pushPairs(...v, 2);
      expect(slots(log)).toBe(6);
      expect(triples(log)).toEqual([...first, ...pairs(...v, 2)]);
    }
    // After one more tlbi_ipa (the count is odd), pairs that would follow the next tlbi_ipa are a new record.
    const odd = base();
    odd.push(EV_TLBI_IPA, 2 * K, 3);
    odd.pushPairs(EV_TLBI_IPA, 3 * K, 3, K, EV_DCACHE, 0x12000, K, K, 2);
    expect(slots(odd)).toBe(6);
    expect(triples(odd)).toEqual([...first, [EV_TLBI_IPA, 2 * K, 3], ...pairs(EV_TLBI_IPA, 3 * K, 3, K, EV_DCACHE, 0x12000, K, K, 2)]);
    // A run after pairs keeps their next addresses; pairs that match them still do not extend the run.
    const afterRun = base();
    afterRun.pushRun(EV_TLBI_IPA, 0x100, 3, K, 4);
    afterRun.pushPairs(...cont, 2);
    expect(slots(afterRun)).toBe(8);
    expect(triples(afterRun)).toEqual([...first, ...run(EV_TLBI_IPA, 0x100, 3, K, 4), ...pairs(...cont, 2)]);
  });

  it("a single followed by an event of another kind or operand is two singles", () => {
    const a = new MaintenanceLog();
    a.push(EV_TLBI_IPA, 0, K);
    a.push(EV_DCACHE, K, K);
    a.push(EV_DCACHE, 2 * K, 2 * K);
    expect(slots(a)).toBe(3);
    expect(triples(a)).toEqual([
      [EV_TLBI_IPA, 0, K],
      [EV_DCACHE, K, K],
      [EV_DCACHE, 2 * K, 2 * K],
    ]);
    // A run, then an event of its kind off its stride: a single; then one that would continue that single.
    const b = new MaintenanceLog();
    b.pushRun(EV_DCACHE, 0, K, K, 3);
    b.push(EV_DCACHE, 5 * K, K);
    expect(slots(b)).toBe(3);
    b.push(EV_DCACHE, 6 * K, K);
    expect(slots(b)).toBe(4);
    expect(triples(b)).toEqual([...run(EV_DCACHE, 0, K, K, 3), ...run(EV_DCACHE, 5 * K, K, K, 2)]);
  });
});

describe("the slot array's size: doubling, within limit + 2 slots", () => {
  it("capacity 1, limit 5: 1, 2, 4, 4, 7 slots after each single; nothing more past the limit", () => {
    const log = new MaintenanceLog(1, 5);
    const caps: number[] = [];
    const seq = [EV_TLBI_VMID, EV_DCACHE, EV_TLBI_VMID, EV_DCACHE, EV_TLBI_VMID, EV_DCACHE];
    expect(capacity(log)).toBe(1);
    for (const k of seq) {
      log.push(k, 0, 0);
      caps.push(capacity(log));
    }
    expect(caps).toEqual([1, 2, 4, 4, 7, 7]);
    expect(log.length).toBe(5);
    expect(slots(log)).toBe(5);
  });
  it("capacity 1, limit 100: doubling 1, 2, 4, 4, 8, 8, 8, 8, 16", () => {
    const log = new MaintenanceLog(1, 100);
    const caps: number[] = [];
    for (let i = 0; i < 9; i++) {
      log.push(i % 2 === 0 ? EV_TLBI_VMID : EV_DCACHE, 0, 0);
      caps.push(capacity(log));
    }
    expect(caps).toEqual([1, 2, 4, 4, 8, 8, 8, 8, 16]);
  });
  it("a run or pairs needing more than double: exactly the slots they need", () => {
    const a = new MaintenanceLog(1, 4);
    a.pushPairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0, K, K, 2);
    expect(capacity(a)).toBe(3);
    expect(triples(a)).toEqual(pairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0, K, K, 2));
    const b = new MaintenanceLog(1, 3);
    b.pushRun(EV_DCACHE, 0, K, K, 3);
    expect(capacity(b)).toBe(2);
    // A single that becomes a run needs a second slot.
    const c = new MaintenanceLog(1, 3);
    c.push(EV_DCACHE, 0, K);
    c.push(EV_DCACHE, K, K);
    expect(capacity(c)).toBe(2);
    expect(triples(c)).toEqual(run(EV_DCACHE, 0, K, K, 2));
  });
  it("the first allocation: the capacity asked for, at most the limit, at least one slot", () => {
    expect(capacity(new MaintenanceLog(1024, 5))).toBe(5);
    expect(capacity(new MaintenanceLog(4, 0))).toBe(1);
    expect(capacity(new MaintenanceLog(3))).toBe(3);
    expect(capacity(new MaintenanceLog())).toBe(1024);
  });
});

describe("cutting back: the records left and where the next push goes", () => {
  it("a run cut to one event is a single (1 slot) that becomes a run again", () => {
    const log = new MaintenanceLog();
    log.pushRun(EV_DCACHE, 0, K, K, 4);
    log.length = 1;
    expect(slots(log)).toBe(1);
    expect([...log.countByKind()]).toEqual([0, 0, 0, 0, 0, 1, 0, 0]);
    log.push(EV_DCACHE, K, K);
    expect(slots(log)).toBe(2);
    log.push(EV_DCACHE, 2 * K, K);
    expect(slots(log)).toBe(2);
    expect(triples(log)).toEqual(run(EV_DCACHE, 0, K, K, 3));
    expect([...log.countByKind()]).toEqual(kinds(run(EV_DCACHE, 0, K, K, 3)));
  });
  it("a run cut to three events stays a run; the next push continues it", () => {
    const log = new MaintenanceLog();
    log.push(EV_TLBI_VMID, 0, 0);
    log.pushRun(EV_ICACHE, 0x40, 0x40, 0x40, 6);
    log.length = 4;
    expect(slots(log)).toBe(3);
    log.push(EV_ICACHE, 0x100, 0x40);
    log.pushRun(EV_ICACHE, 0x140, 0x40, 0x40, 3);
    expect(slots(log)).toBe(3);
    const want: Ev[] = [[EV_TLBI_VMID, 0, 0], ...run(EV_ICACHE, 0x40, 0x40, 0x40, 7)];
    expect(triples(log)).toEqual(want);
    expect([...log.countByKind()]).toEqual(kinds(want));
  });
  it("pairs cut to 1, 2, 3, 4 and 5 events: singles, or pairs the next pushes continue", () => {
    const P = [EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0x8000_0000, K, 2 * K] as const;
    const all = pairs(...P, 4);
    // Slots left after the cut: 1 and 2 events are singles; 3 or more stay pairs.
    const left = [1, 2, 3, 3, 3];
    for (let m = 1; m <= 5; m++) {
      const log = new MaintenanceLog();
      log.pushPairs(...P, 4);
      log.length = m;
      expect(slots(log)).toBe(left[m - 1]);
      expect([...log.countByKind()]).toEqual(kinds(all.slice(0, m)));
      for (let i = m; i < 8; i++) log.push(...all[i]);
      expect(triples(log)).toEqual(all);
      expect([...log.countByKind()]).toEqual(kinds(all));
      // Cut to 1 or 2: singles, and push() never makes pairs (only pushPairs does): eight singles.
      // From 3 on: the pairs continue.
      expect(slots(log)).toBe([8, 8, 3, 3, 3][m - 1]);
    }
  });
  it("at a record's start: the record before it is the tail again", () => {
    const log = new MaintenanceLog();
    log.push(EV_TLBI_VMID, 0, 0);
    log.pushRun(EV_DCACHE, 0, K, K, 4);
    log.pushPairs(EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0x8000_0000, K, K, 3);
    log.length = 5;
    expect(slots(log)).toBe(3);
    log.push(EV_DCACHE, 4 * K, K);
    expect(slots(log)).toBe(3);
    log.length = 1;
    expect(slots(log)).toBe(1);
    // The tail is the tlbi_vmid single: a dcache is a new single.
    log.push(EV_DCACHE, 0, K);
    expect(slots(log)).toBe(2);
    expect(triples(log)).toEqual([
      [EV_TLBI_VMID, 0, 0],
      [EV_DCACHE, 0, K],
    ]);
  });
  it("to 0 and clear(): nothing of the old tail is continued", () => {
    const P = [EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0x10000, K, K] as const;
    const a = new MaintenanceLog();
    a.pushPairs(...P, 2);
    a.length = 0;
    expect(slots(a)).toBe(0);
    a.pushPairs(EV_TLBI_IPA, 2 * K, 3, K, EV_DCACHE, 0x12000, K, K, 2);
    expect(slots(a)).toBe(3);
    expect(triples(a)).toEqual(pairs(EV_TLBI_IPA, 2 * K, 3, K, EV_DCACHE, 0x12000, K, K, 2));
    const b = new MaintenanceLog();
    b.pushPairs(...P, 2);
    b.clear();
    b.pushPairs(EV_TLBI_IPA, 2 * K, 3, K, EV_DCACHE, 0x12000, K, K, 2);
    expect(slots(b)).toBe(3);
    expect(triples(b)).toEqual(pairs(EV_TLBI_IPA, 2 * K, 3, K, EV_DCACHE, 0x12000, K, K, 2));
    // A run cleared: the event that would have continued it is a single.
    const c = new MaintenanceLog();
    c.pushRun(EV_DCACHE, 0, K, K, 3);
    c.clear();
    c.push(EV_DCACHE, 3 * K, K);
    expect(slots(c)).toBe(1);
    expect(triples(c)).toEqual([[EV_DCACHE, 3 * K, K]]);
    const d = new MaintenanceLog();
    d.pushRun(EV_DCACHE, 0, K, K, 3);
    d.length = 0;
    d.push(EV_DCACHE, 3 * K, K);
    expect(slots(d)).toBe(1);
    expect(triples(d)).toEqual([[EV_DCACHE, 3 * K, K]]);
  });
});

describe("reading: the cursor never answers from a record that is gone or has moved", () => {
  it("after clear(), an index the old cursor held reads the new events", () => {
    const log = new MaintenanceLog();
    log.pushRun(EV_DCACHE, 0, K, K, 8);
    expect(log.aAt(5)).toBe(5 * K);
    log.clear();
    for (let i = 0; i < 8; i++) log.push(i % 2 === 0 ? EV_TLBI_VMID : EV_ICACHE, i, i);
    expect(triples(log)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i % 2 === 0 ? EV_TLBI_VMID : EV_ICACHE, i, i]));
    expect([log.kindAt(5), log.aAt(5), log.bAt(5)]).toEqual([EV_ICACHE, 5, 5]);
  });
  it("after a cut, indices inside the cursor's old record read what is left", () => {
    const log = new MaintenanceLog();
    log.push(EV_TLBI_VMID, 0, 0);
    log.pushRun(EV_DCACHE, 0, K, K, 4);
    log.pushPairs(EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0x8000_0000, K, K, 3);
    expect(log.kindAt(6)).toBe(EV_DCACHE);
    log.length = 8;
    expect([log.kindAt(7), log.aAt(7), log.bAt(7)]).toEqual([EV_TLBI_IPA, 0x4000_1000, 3]);
    expect([log.kindAt(6), log.aAt(6)]).toEqual([EV_DCACHE, 0x8000_0000]);
    log.length = 5;
    expect([log.kindAt(0), log.aAt(0), log.bAt(0)]).toEqual([EV_TLBI_VMID, 0, 0]);
    expect([log.kindAt(4), log.aAt(4), log.bAt(4)]).toEqual([EV_DCACHE, 3 * K, K]);
  });
  it("a run cut short, read, grown and followed by a new record: the new record's events", () => {
    // Slots: the run (0-1), a tlbi_vmid single (2) at event 5. Cut to 3: slot 2 still holds the old header.
    const log = new MaintenanceLog();
    log.pushRun(EV_DCACHE, 0, K, K, 5);
    log.push(EV_TLBI_VMID, 0, 0);
    log.length = 3;
    expect(log.aAt(0)).toBe(0);
    log.push(EV_DCACHE, 3 * K, K); // event 3 continues the run
    expect(log.aAt(3)).toBe(3 * K);
    log.push(EV_ICACHE, 0x40, 0x40); // event 4: a new single in slot 2
    expect([log.kindAt(4), log.aAt(4), log.bAt(4)]).toEqual([EV_ICACHE, 0x40, 0x40]);
    expect(triples(log)).toEqual([...run(EV_DCACHE, 0, K, K, 4), [EV_ICACHE, 0x40, 0x40]]);
  });
  it("forwards record by record, backwards, and jumping over records", () => {
    const want: Ev[] = [
      [EV_TLBI_VMID, 0, 0],
      ...run(EV_DCACHE, 0, K, K, 3),
      [EV_ICACHE, 0, K],
      ...pairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0x10000, K, K, 2),
      [EV_TLBI_VMID, 0, 0],
      ...run(EV_ICACHE, 0x100, 0x40, 0x40, 3),
    ];
    const log = new MaintenanceLog();
    log.push(EV_TLBI_VMID, 0, 0);
    log.pushRun(EV_DCACHE, 0, K, K, 3);
    log.push(EV_ICACHE, 0, K);
    log.pushPairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0x10000, K, K, 2);
    log.push(EV_TLBI_VMID, 0, 0);
    log.pushRun(EV_ICACHE, 0x100, 0x40, 0x40, 3);
    expect(slots(log)).toBe(10);
    const read = (i: number): Ev => [log.kindAt(i), log.aAt(i), log.bAt(i)];
    for (const order of [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
      [0, 4, 9, 12, 1, 8, 3, 10, 5, 0, 11, 2, 6, 7],
      [1, 5, 10, 2, 9, 12, 4],
    ]) {
      for (const i of order) expect(read(i)).toEqual(want[i]);
    }
  });
});

describe("more record counts worked by hand: edges of the exact range, pushes that fall back, cuts away from slot 0", () => {
  it("a run whose next address is 2^53 expects nothing: neither 2^53 nor the address an earlier run expected continues it", () => {
    const a = new MaintenanceLog();
    a.pushRun(EV_DCACHE, 0, K, K, 3); // expects 3K
    a.pushRun(EV_DCACHE, E - 3 * K, K, K, 3); // a new run up to 2^53 - K: expects nothing
    a.push(EV_DCACHE, 3 * K, K);
    expect(slots(a)).toBe(5);
    expect(triples(a)).toEqual([...run(EV_DCACHE, 0, K, K, 3), ...run(EV_DCACHE, E - 3 * K, K, K, 3), [EV_DCACHE, 3 * K, K]]);
    const b = new MaintenanceLog();
    b.pushRun(EV_DCACHE, E - 3 * K, K, K, 3);
    b.push(EV_DCACHE, E, K);
    expect(slots(b)).toBe(3);
    expect(triples(b)).toEqual(run(EV_DCACHE, E - 3 * K, K, K, 4));
  });
  it("a run or pairs whose last address is the last exact one is a record; a tail single of the kind is not extended", () => {
    const a = new MaintenanceLog();
    a.push(EV_DCACHE, E - 5 * K, K);
    a.pushRun(EV_DCACHE, E - 4 * K, K, K, 4); // last: 2^53 - K
    expect(slots(a)).toBe(3);
    expect(triples(a)).toEqual(run(EV_DCACHE, E - 5 * K, K, K, 5));
    const b = new MaintenanceLog();
    b.pushPairs(EV_TLBI_IPA, E - 2 * K, 3, K, EV_DCACHE, 0, K, K, 2); // last tlbi_ipa at 2^53 - K
    expect(slots(b)).toBe(3);
    const c = new MaintenanceLog();
    c.pushPairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, E - 2 * K, K, K, 2); // last dcache at 2^53 - K
    expect(slots(c)).toBe(3);
    expect(triples(c)).toEqual(pairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, E - 2 * K, K, K, 2));
  });
  it("pairs with an address past the exact range, or a single pair, are pushed one by one (singles)", () => {
    const a = new MaintenanceLog();
    a.pushPairs(EV_TLBI_IPA, E - K, 3, K, EV_DCACHE, 0, K, K, 2); // the second tlbi_ipa would be 2^53
    expect(slots(a)).toBe(4);
    expect(triples(a)).toEqual([
      [EV_TLBI_IPA, E - K, 3],
      [EV_DCACHE, 0, K],
      [EV_TLBI_IPA, E, 3],
      [EV_DCACHE, K, K],
    ]);
    const b = new MaintenanceLog();
    b.pushPairs(EV_TLBI_IPA, 0, 3, 2 * K, EV_DCACHE, 0x10000, K, 3 * K, 1);
    expect(slots(b)).toBe(2);
    expect(triples(b)).toEqual(pairs(EV_TLBI_IPA, 0, 3, 2 * K, EV_DCACHE, 0x10000, K, 3 * K, 1));
  });
  it("2^53 - 2K, 2^53 - K, then back down by K: the run forms from 2^53 - K down, not up", () => {
    const log = new MaintenanceLog();
    for (const x of [E - 2 * K, E - K, E - 2 * K, E - 3 * K]) log.push(EV_DCACHE, x, K);
    // Singles at 2^53 - 2K; 2^53 - K, which becomes a run with step -K: 1 + 2 slots.
    expect(slots(log)).toBe(3);
    expect(triples(log).map((e) => e[1])).toEqual([E - 2 * K, E - K, E - 2 * K, E - 3 * K]);
  });
  it("cuts of records that do not start the log: a run to one event, pairs to one, two or three, with records after them", () => {
    // tlbi_vmid (slot 0), a dcache run of 4 (slots 1-2) cut to one event: two singles.
    const a = new MaintenanceLog();
    a.push(EV_TLBI_VMID, 0, 0);
    a.pushRun(EV_DCACHE, 0, K, K, 4);
    a.length = 2;
    expect(slots(a)).toBe(2);
    expect([...a.countByKind()]).toEqual([0, 0, 0, 1, 0, 1, 0, 0]);
    a.push(EV_DCACHE, K, K); // the single becomes a run again
    expect(slots(a)).toBe(3);
    expect(triples(a)).toEqual([[EV_TLBI_VMID, 0, 0], ...run(EV_DCACHE, 0, K, K, 2)]);
    // tlbi_vmid, pairs of 3 (slots 1-3), an icache single (slot 4).
    const P = [EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0x8000_0000, 0x40, 2 * K] as const;
    const all: Ev[] = [[EV_TLBI_VMID, 0, 0], ...pairs(...P, 3)];
    const make = (): MaintenanceLog => {
      const log = new MaintenanceLog();
      log.push(EV_TLBI_VMID, 0, 0);
      log.pushPairs(...P, 3);
      log.push(EV_ICACHE, 0, K);
      return log;
    };
    for (const [m, left] of [
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 4],
    ]) {
      const log = make();
      log.length = m;
      expect(slots(log), `cut to ${m}`).toBe(left);
      expect([...log.countByKind()], `cut to ${m}`).toEqual(kinds(all.slice(0, m)));
      expect(triples(log)).toEqual(all.slice(0, m));
    }
    // Cut to 4 (three events of the pairs): the pairs continue, one event at a time.
    const c = make();
    c.length = 4;
    for (let i = 4; i < 7; i++) c.push(...all[i]);
    expect(slots(c)).toBe(4);
    expect(triples(c)).toEqual(all);
    // Cut to 5: the same.
    const d = make();
    d.length = 5;
    for (let i = 5; i < 7; i++) d.push(...all[i]);
    d.push(EV_TLBI_IPA, 0x4000_3000, 3);
    expect(slots(d)).toBe(4);
  });
  it("cutting back to a longer length is refused with its message", () => {
    const log = new MaintenanceLog();
    log.push(EV_DCACHE, 0, K);
    expect(() => (log.length = 2)).toThrow(/^length: 2 is not an event count \(the log is only cut back\) in 0\.\.1$/);
  });
});
