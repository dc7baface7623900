// Property: the compact event log (src/pgtable/events.ts: run records
// expanded on read) reads back exactly the events one at a time would have
// given. A reference log (an array of (kind, a, b), counts per kind) gets
// the same random sequences of push, pushRun, pushPairs, cut-backs
// (`length = m`), clears, recording switched off and on, and record limits;
// after every step both must agree on length, every event by kindAt / aAt /
// bAt (in order and at random positions), toJson, countByKind, notRecorded
// and the `ev` triples. Addresses include runs that leave the exact-integer
// range, negative and zero steps, and the same kind twice in a pair.
// Deterministic: xorshift64 from a fixed seed, printed in the test names.
import { describe, expect, it } from "vitest";
import { EV_DCACHE, EV_ICACHE, EV_TLBI_IPA, EV_TLBI_IPA_NSH, EV_TLBI_RANGE, EV_TLBI_VMID, MaintenanceLog, eventJson } from "../../src/pgtable/events.js";
import { xorshift64 } from "./xorshift.js";

const SEED = 0x10c0ffee2020a5a5n;

const rng = xorshift64;

const KINDS = [EV_TLBI_IPA, EV_TLBI_IPA_NSH, EV_TLBI_VMID, EV_TLBI_RANGE, EV_DCACHE, EV_ICACHE];
const STEPS = [0x1000, 0x1000, 0x200000, 0x40000000, 0, -0x1000, 3];
const BS = [3, 0x1000, 0x200000, 2];

/** The reference: every event on its own. */
class RefLog {
  ev: Array<[number, number, number]> = [];
  nr = new Float64Array(8);
  readonly limit: number;
  record: boolean;
  constructor(limit: number, record = true) {
    this.limit = limit;
    this.record = record;
  }
  push(k: number, a: number, b: number): void {
    if (!this.record || this.ev.length >= this.limit) this.nr[k]++;
    else this.ev.push([k, a, b]);
  }
}

function agree(log: MaintenanceLog, ref: RefLog, r: ReturnType<typeof rng>, where: string): void {
  expect(log.length, where).toBe(ref.ev.length);
  // In order (the cursor moving forward), then at random positions (binary search).
  for (let i = 0; i < ref.ev.length; i++) {
    const [k, a, b] = ref.ev[i];
    if (log.kindAt(i) !== k || log.aAt(i) !== a || log.bAt(i) !== b) {
      expect([log.kindAt(i), log.aAt(i), log.bAt(i)], `${where}: event ${i}`).toEqual([k, a, b]);
    }
  }
  for (let t = 0; t < 20 && ref.ev.length > 0; t++) {
    const i = r.below(ref.ev.length);
    expect([log.bAt(i), log.kindAt(i), log.aAt(i)], `${where}: event ${i} (random)`).toEqual([ref.ev[i][2], ref.ev[i][0], ref.ev[i][1]]);
  }
  expect(log.toJson(), where).toEqual(ref.ev.map(([k, a, b]) => eventJson(k, a, b)));
  const counts = ref.nr.slice();
  for (const [k] of ref.ev) counts[k]++;
  expect(Array.from(log.countByKind()), where).toEqual(Array.from(counts));
  expect(Array.from(log.notRecorded), where).toEqual(Array.from(ref.nr));
  expect(Array.from(log.ev), where).toEqual(ref.ev.flat());
}

describe(`property: the compact event log reads back every event as pushed (seed 0x${SEED.toString(16)})`, () => {
  for (const limit of [1 << 20, 37, 0]) {
    it(`limit ${limit}`, () => {
      const r = rng(SEED ^ BigInt(limit));
      for (let round = 0; round < 60; round++) {
        const log = new MaintenanceLog(1 + r.below(8), limit);
        const ref = new RefLog(limit);
        let a = r.pick([0, 0x40000000, 0x80000000, 2 ** 52 - 0x3000, 2 ** 53 - 0x2000, 2 ** 60]);
        // The last pushPairs() (to continue its pattern one push() at a time).
        let pairs: number[] | null = null;
        for (let step = 0; step < 40; step++) {
          const what = r.below(13);
          const where = `round ${round} step ${step} (op ${what})`;
          if (what <= 3) {
            // push(): often continuing the last event's pattern.
            const k = r.below(3) === 0 ? r.pick(KINDS) : EV_DCACHE;
            const b = r.below(4) === 0 ? r.pick(BS) : 0x1000;
            const n = 1 + r.below(6);
            const s = r.pick(STEPS);
            const peek = r.below(2) === 0;
            for (let j = 0; j < n; j++) {
              const kj = r.below(4) === 0 ? EV_ICACHE : k;
              log.push(kj, a, b);
              ref.push(kj, a, b);
              a += s;
              // A reader in the middle of an op (the break-before-make checker reads the log from its store hook).
              if (peek && r.below(2) === 0 && ref.ev.length > 0) {
                const i = ref.ev.length - 1 - r.below(Math.min(3, ref.ev.length));
                expect([log.kindAt(i), log.aAt(i), log.bAt(i)], `round ${round} step ${step}: peek at ${i}`).toEqual(ref.ev[i]);
              }
            }
          } else if (what <= 5) {
            const k = r.pick(KINDS);
            const b = r.pick(BS);
            const s = r.pick(STEPS);
            const n = r.below(9);
            log.pushRun(k, a, b, s, n);
            for (let j = 0; j < n; j++) ref.push(k, a + j * s, b);
            if (r.below(2) === 0) a += n * s;
          } else if (what <= 7) {
            const k1 = r.below(4) === 0 ? r.pick(KINDS) : EV_TLBI_IPA;
            const k2 = r.below(4) === 0 ? r.pick(KINDS) : EV_DCACHE;
            const b1 = r.below(3) === 0 ? r.pick(BS) : 3;
            const b2 = r.below(3) === 0 ? r.pick(BS) : 0x1000;
            const s1 = r.pick(STEPS);
            const s2 = r.below(2) === 0 ? s1 : r.pick(STEPS);
            const a2 = r.below(2) === 0 ? a + 0x40000000 : r.pick([0, 2 ** 53 - 0x1000, 7]);
            const n = r.below(7);
            log.pushPairs(k1, a, b1, s1, k2, a2, b2, s2, n);
            for (let j = 0; j < n; j++) {
              ref.push(k1, a + j * s1, b1);
              ref.push(k2, a2 + j * s2, b2);
            }
            pairs = [k1, a + n * s1, b1, s1, k2, a2 + n * s2, b2, s2];
            if (r.below(2) === 0) a += n * s1;
          } else if (what === 12) {
            // The last pairs' pattern continued by push(), sometimes stopping half-way through a pair.
            if (pairs !== null) {
              const [k1, a1, b1, s1, k2, a2, b2, s2] = pairs;
              const n = r.below(5);
              for (let j = 0; j < n; j++) {
                log.push(k1, a1 + j * s1, b1);
                ref.push(k1, a1 + j * s1, b1);
                if (j === n - 1 && r.below(3) === 0) break;
                log.push(k2, a2 + j * s2, b2);
                ref.push(k2, a2 + j * s2, b2);
              }
            }
          } else if (what === 8) {
            const m = r.below(ref.ev.length + 1);
            log.length = m;
            ref.ev.length = m;
          } else if (what === 9) {
            if (r.below(4) === 0) {
              log.clear();
              ref.ev = [];
              ref.nr.fill(0);
            }
          } else if (what === 10) {
            const on = r.below(3) !== 0;
            log.record = on;
            ref.record = on;
          } else {
            a = r.pick([0, 0x1000, 0x40000000, 2 ** 40, 2 ** 53 - 0x1000, 2 ** 64 - 2 ** 12, a + 0x1000]);
          }
          agree(log, ref, r, where);
        }
      }
    });
  }

  it("runs take a record each, however they are pushed (record slots: white box)", () => {
    const slots = (log: MaintenanceLog): number => (log as unknown as { ns: number }).ns;
    const log = new MaintenanceLog(16);
    // map4k: a dcache clean per page, one push() each.
    for (let i = 0; i < 100000; i++) log.push(EV_DCACHE, 0x80000000 + i * 0x1000, 0x1000);
    expect(slots(log)).toBe(2);
    // unmap: pairs from a run loop, continued by single pushes, then by the run loop again.
    log.clear();
    log.pushPairs(EV_TLBI_IPA, 0x40000000, 3, 0x1000, EV_DCACHE, 0x80000000, 0x1000, 0x1000, 512);
    for (let i = 512; i < 1000; i++) {
      log.push(EV_TLBI_IPA, 0x40000000 + i * 0x1000, 3);
      log.push(EV_DCACHE, 0x80000000 + i * 0x1000, 0x1000);
    }
    log.pushPairs(EV_TLBI_IPA, 0x40000000 + 1000 * 0x1000, 3, 0x1000, EV_DCACHE, 0x80000000 + 1000 * 0x1000, 0x1000, 0x1000, 24);
    expect(slots(log)).toBe(3);
    expect(log.length).toBe(2048);
    // Different steps for the two kinds, continued one event at a time.
    log.clear();
    log.pushPairs(EV_TLBI_IPA, 0, 3, 0x1000, EV_DCACHE, 0x10000, 0x2000, 0x2000, 2);
    for (let i = 2; i < 50; i++) {
      log.push(EV_TLBI_IPA, i * 0x1000, 3);
      log.push(EV_DCACHE, 0x10000 + i * 0x2000, 0x2000);
    }
    expect(slots(log)).toBe(3);
    log.pushRun(EV_DCACHE, 0x5000, 0x1000, 0x1000, 10);
    log.pushRun(EV_DCACHE, 0x5000 + 10 * 0x1000, 0x1000, 0x1000, 10);
    log.push(EV_DCACHE, 0x5000 + 20 * 0x1000, 0x1000);
    expect(slots(log)).toBe(5);
    expect(log.aAt(120)).toBe(0x5000 + 20 * 0x1000);
  });

  it("cutting back refuses to grow the log", () => {
    const log = new MaintenanceLog();
    log.push(EV_DCACHE, 0x1000, 0x1000);
    expect(() => {
      log.length = 2;
    }).toThrow(/^length: 2 is not an event count/);
    expect(() => log.kindAt(1)).toThrow(RangeError);
  });
});
