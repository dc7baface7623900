// src/pgtable/events.ts (the compact maintenance log) against sequences of
// events written out by hand: what push, pushRun and pushPairs record must
// read back one event at a time exactly as pushed (FORMAT.md's event forms:
// ["tlbi_ipa", ipa, level], ["tlbi_vmid"], ["dcache", pa, size], ...), the
// record limit counts the rest per kind, and cutting the log back forgets
// exactly the events after the cut. Written for the surviving mutants of
// `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import {
  DEFAULT_LOG_RECORDS,
  EVENT_NAMES,
  EV_DCACHE,
  EV_ICACHE,
  EV_TLBI_IPA,
  EV_TLBI_IPA_NSH,
  EV_TLBI_RANGE,
  EV_TLBI_VMID,
  MAX_TLBI_RANGE_PAGES,
  MaintenanceLog,
  eventJson,
} from "../../src/pgtable/events.js";

const K = 0x1000;

function triples(log: MaintenanceLog): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < log.length; i++) out.push([log.kindAt(i), log.aAt(i), log.bAt(i)]);
  return out;
}

describe("the constants are FORMAT.md's and the kernel's", () => {
  it("event kinds and names; MAX_TLBI_RANGE_PAGES = __TLBI_RANGE_PAGES(31, 3) = 32 << 16", () => {
    expect([EV_TLBI_IPA, EV_TLBI_IPA_NSH, EV_TLBI_VMID, EV_TLBI_RANGE, EV_DCACHE, EV_ICACHE].map((k) => EVENT_NAMES[k])).toEqual([
      "tlbi_ipa",
      "tlbi_ipa_nsh",
      "tlbi_vmid",
      "tlbi_range",
      "dcache",
      "icache",
    ]);
    expect(MAX_TLBI_RANGE_PAGES).toBe(32 << 16);
    expect(DEFAULT_LOG_RECORDS).toBe(2 ** 21);
  });
  it("eventJson writes each kind as FORMAT.md does, and refuses an unknown kind", () => {
    expect(eventJson(EV_TLBI_IPA, 0x4000_0000, 3)).toEqual(["tlbi_ipa", "0x40000000", 3]);
    expect(eventJson(EV_TLBI_IPA_NSH, 0x1000, 0)).toEqual(["tlbi_ipa_nsh", "0x1000", 0]);
    expect(eventJson(EV_TLBI_RANGE, 0, 512)).toEqual(["tlbi_range", "0x0", 512]);
    expect(eventJson(EV_TLBI_VMID, 0, 0)).toEqual(["tlbi_vmid"]);
    expect(eventJson(EV_DCACHE, 0x8000_0000, 0x20_0000)).toEqual(["dcache", "0x80000000", "0x200000"]);
    expect(eventJson(EV_ICACHE, 0x8000_0000, K)).toEqual(["icache", "0x80000000", "0x1000"]);
    expect(() => eventJson(7, 0, 0)).toThrow(/^unknown maintenance event kind 7$/);
    expect(() => eventJson(0, 0, 0)).toThrow(/kind 0/);
  });
});

describe("reading back what was pushed", () => {
  it("singles, a single that becomes a run, runs and pairs, in order", () => {
    const log = new MaintenanceLog(1);
    log.push(EV_TLBI_VMID, 0, 0);
    log.push(EV_DCACHE, 0x8000_0000, K);
    log.push(EV_DCACHE, 0x8000_1000, K); // the single becomes a run of step 0x1000
    log.push(EV_DCACHE, 0x8000_2000, K);
    log.push(EV_DCACHE, 0x8000_4000, K); // off the run's stride: a new single
    log.pushRun(EV_ICACHE, 0x9000_0000, K, K, 3);
    log.pushRun(EV_ICACHE, 0x9000_3000, K, K, 2); // continues the run
    log.pushPairs(EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0xa000_0000, K, K, 2);
    log.push(EV_TLBI_IPA, 0x4000_2000, 3); // continues the pairs
    log.push(EV_DCACHE, 0xa000_2000, K);
    log.push(EV_TLBI_IPA, 0x4000_3000, 2); // not the expected level: new
    expect(triples(log)).toEqual([
      [EV_TLBI_VMID, 0, 0],
      [EV_DCACHE, 0x8000_0000, K],
      [EV_DCACHE, 0x8000_1000, K],
      [EV_DCACHE, 0x8000_2000, K],
      [EV_DCACHE, 0x8000_4000, K],
      [EV_ICACHE, 0x9000_0000, K],
      [EV_ICACHE, 0x9000_1000, K],
      [EV_ICACHE, 0x9000_2000, K],
      [EV_ICACHE, 0x9000_3000, K],
      [EV_ICACHE, 0x9000_4000, K],
      [EV_TLBI_IPA, 0x4000_0000, 3],
      [EV_DCACHE, 0xa000_0000, K],
      [EV_TLBI_IPA, 0x4000_1000, 3],
      [EV_DCACHE, 0xa000_1000, K],
      [EV_TLBI_IPA, 0x4000_2000, 3],
      [EV_DCACHE, 0xa000_2000, K],
      [EV_TLBI_IPA, 0x4000_3000, 2],
    ]);
    const c = log.countByKind();
    expect([...c]).toEqual([0, 4, 0, 1, 0, 7, 5, 0]);
    // Read backwards and at random: the same events.
    expect(log.aAt(16)).toBe(0x4000_3000);
    expect(log.aAt(2)).toBe(0x8000_1000);
    expect(log.bAt(11)).toBe(K);
    expect(log.kindAt(13)).toBe(EV_DCACHE);
    expect(log.aAt(9)).toBe(0x9000_4000);
    expect(log.aAt(0)).toBe(0);
    expect(Array.from(log.ev.subarray(36, 42))).toEqual([EV_TLBI_IPA, 0x4000_1000, 3, EV_DCACHE, 0xa000_1000, K]);
    expect(log.toJson(15, 17)).toEqual([
      ["dcache", "0xa0002000", "0x1000"],
      ["tlbi_ipa", "0x40003000", 2],
    ]);
  });
  it("runs with a zero or negative step, and a run whose next address would leave the exact integers", () => {
    const log = new MaintenanceLog();
    log.pushRun(EV_TLBI_RANGE, 0x1000, 5, 0, 3);
    log.pushRun(EV_DCACHE, 0x3000, K, -K, 3);
    log.pushRun(EV_DCACHE, 2 ** 53 - 2 * K, K, K, 2);
    log.push(EV_DCACHE, 2 ** 53 - 2 * K + 2 * K - K, K);
    expect(triples(log)).toEqual([
      [EV_TLBI_RANGE, 0x1000, 5],
      [EV_TLBI_RANGE, 0x1000, 5],
      [EV_TLBI_RANGE, 0x1000, 5],
      [EV_DCACHE, 0x3000, K],
      [EV_DCACHE, 0x2000, K],
      [EV_DCACHE, 0x1000, K],
      [EV_DCACHE, 2 ** 53 - 2 * K, K],
      [EV_DCACHE, 2 ** 53 - K, K],
      [EV_DCACHE, 2 ** 53 - K, K],
    ]);
    log.pushRun(EV_DCACHE, 0, K, K, 0);
    log.pushPairs(EV_DCACHE, 0, K, K, EV_ICACHE, 0, K, K, 0);
    expect(log.length).toBe(9);
  });
  it("kindAt, aAt and bAt refuse an index that is not an event", () => {
    const log = new MaintenanceLog();
    log.push(EV_TLBI_VMID, 0, 0);
    expect(() => log.kindAt(1)).toThrow(/^MaintenanceLog: no event 1 \(1 recorded\)$/);
    expect(() => log.aAt(-1)).toThrow(RangeError);
    expect(() => log.bAt(0.5)).toThrow(/no event 0\.5/);
    expect(log.kindAt(0)).toBe(EV_TLBI_VMID);
  });
});

describe("the record limit and recording off", () => {
  it("events beyond the limit are counted per kind, not recorded; a run or pairs that would pass it are pushed one by one", () => {
    const log = new MaintenanceLog(1, 5);
    expect(log.limit).toBe(5);
    log.pushRun(EV_DCACHE, 0, K, K, 4);
    log.pushPairs(EV_TLBI_IPA, 0, 3, K, EV_DCACHE, 0x10_0000, K, K, 2);
    log.push(EV_ICACHE, 0, K);
    expect(log.length).toBe(5);
    expect(triples(log)[4]).toEqual([EV_TLBI_IPA, 0, 3]);
    expect([...log.notRecorded]).toEqual([0, 1, 0, 0, 0, 2, 1, 0]);
    expect(log.notRecordedTotal).toBe(4);
    expect([...log.countByKind()]).toEqual([0, 2, 0, 0, 0, 6, 1, 0]);
    expect(log.counts).toBe(log.notRecorded);
    log.clear();
    expect(log.length).toBe(0);
    expect(log.notRecordedTotal).toBe(0);
    log.push(EV_ICACHE, 0, K);
    expect(triples(log)).toEqual([[EV_ICACHE, 0, K]]);
  });
  it("record = false counts every event; back on, events are recorded again", () => {
    const log = new MaintenanceLog();
    expect(log.record).toBe(true);
    log.record = false;
    expect(log.record).toBe(false);
    log.push(EV_DCACHE, 0, K);
    log.pushRun(EV_DCACHE, 0, K, K, 5);
    expect(log.length).toBe(0);
    expect(log.notRecorded[EV_DCACHE]).toBe(6);
    log.record = true;
    log.push(EV_DCACHE, 0, K);
    expect(log.length).toBe(1);
    expect(() => (log.record = 1 as never)).toThrow(/^record: /);
  });
  it("a log with limit 0 records nothing; the constructor refuses capacities and limits outside their ranges", () => {
    const log = new MaintenanceLog(1, 0);
    log.push(EV_TLBI_VMID, 0, 0);
    expect(log.length).toBe(0);
    expect(log.notRecorded[EV_TLBI_VMID]).toBe(1);
    expect(() => new MaintenanceLog(0)).toThrow(/^capacity: /);
    expect(() => new MaintenanceLog(2 ** 26 + 1)).toThrow(/^capacity: /);
    expect(() => new MaintenanceLog(1, -1)).toThrow(/^limit: /);
    expect(() => new MaintenanceLog(1, 2 ** 26 + 1)).toThrow(/^limit: /);
    expect(new MaintenanceLog(2 ** 26, 2 ** 26).limit).toBe(2 ** 26);
    expect(new MaintenanceLog().limit).toBe(DEFAULT_LOG_RECORDS);
  });
  it("a log grows past its initial capacity and keeps every event", () => {
    const log = new MaintenanceLog(1);
    for (let i = 0; i < 100; i++) log.push(i % 2 ? EV_TLBI_IPA : EV_DCACHE, i * 3, i);
    expect(log.length).toBe(100);
    for (const i of [0, 1, 50, 99]) expect([log.kindAt(i), log.aAt(i), log.bAt(i)]).toEqual([i % 2 ? EV_TLBI_IPA : EV_DCACHE, i * 3, i]);
  });
});

describe("cutting the log back (length = m)", () => {
  function filled(): MaintenanceLog {
    const log = new MaintenanceLog();
    log.push(EV_TLBI_VMID, 0, 0); // 0
    log.pushRun(EV_DCACHE, 0, K, K, 4); // 1..4
    log.pushPairs(EV_TLBI_IPA, 0x4000_0000, 3, K, EV_DCACHE, 0x8000_0000, K, K, 3); // 5..10
    return log;
  }
  it("into a run: one event left is a single, more stay a run that continues", () => {
    const a = filled();
    a.length = 2;
    expect(triples(a)).toEqual([
      [EV_TLBI_VMID, 0, 0],
      [EV_DCACHE, 0, K],
    ]);
    a.push(EV_DCACHE, K, K);
    a.push(EV_DCACHE, 2 * K, K);
    expect(triples(a).slice(1)).toEqual([
      [EV_DCACHE, 0, K],
      [EV_DCACHE, K, K],
      [EV_DCACHE, 2 * K, K],
    ]);
    const b = filled();
    b.length = 4;
    b.push(EV_DCACHE, 3 * K, K);
    b.push(EV_DCACHE, 4 * K, K);
    expect(triples(b).slice(1)).toEqual([0, 1, 2, 3, 4].map((i) => [EV_DCACHE, i * K, K]));
    expect([...b.countByKind()]).toEqual([0, 0, 0, 1, 0, 5, 0, 0]);
  });
  it("into pairs: one or two events left are singles; more stay pairs that continue where they stopped", () => {
    for (const m of [6, 7, 8, 9]) {
      const log = filled();
      log.length = m;
      const want = filled();
      expect(triples(log)).toEqual(triples(want).slice(0, m));
      // Push the events that followed: the log reads as the full one again.
      for (let i = m; i < 11; i++) log.push(want.kindAt(i), want.aAt(i), want.bAt(i));
      expect(triples(log)).toEqual(triples(want));
      expect([...log.countByKind()]).toEqual([...want.countByKind()]);
    }
  });
  it("at a record's start, to 0, to the same length; never longer", () => {
    const log = filled();
    log.length = 5;
    expect(log.length).toBe(5);
    expect(log.aAt(4)).toBe(3 * K);
    log.push(EV_DCACHE, 4 * K, K);
    expect(log.aAt(5)).toBe(4 * K);
    log.length = 6;
    expect(log.length).toBe(6);
    log.length = 1;
    expect(triples(log)).toEqual([[EV_TLBI_VMID, 0, 0]]);
    log.length = 0;
    expect(log.length).toBe(0);
    log.push(EV_ICACHE, 0, K);
    expect(triples(log)).toEqual([[EV_ICACHE, 0, K]]);
    expect(() => (log.length = 2)).toThrow(/^length: /);
    expect(() => (log.length = -1)).toThrow(/^length: /);
  });
  it("the not-recorded counts survive a cut", () => {
    const log = new MaintenanceLog(1, 2);
    log.push(EV_DCACHE, 0, K);
    log.push(EV_DCACHE, K, K);
    log.push(EV_DCACHE, 2 * K, K);
    log.length = 1;
    expect(log.notRecorded[EV_DCACHE]).toBe(1);
    expect(log.length).toBe(1);
  });
});
