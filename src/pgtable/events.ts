/**
 * The TLB and cache maintenance a stage-2 operation asks for, recorded in
 * order (the kernel's hyp calls and mm_ops CMO callbacks), in typed arrays so
 * that recording costs no allocation per event.
 *
 *   kind            kernel call                        a            b
 *   tlbi_ipa        __kvm_tlb_flush_vmid_ipa           IPA          level (TLBI_TTL_UNKNOWN for a table)
 *   tlbi_ipa_nsh    __kvm_tlb_flush_vmid_ipa_nsh       IPA          level
 *   tlbi_vmid       __kvm_tlb_flush_vmid               -            -
 *   tlbi_range      __kvm_tlb_flush_vmid_range         IPA          pages (at most MAX_TLBI_RANGE_PAGES)
 *   dcache          mm_ops->dcache_clean_inval_poc     PA           size
 *   icache          mm_ops->icache_inval_pou           PA           size
 *
 * Compact storage. A map of a gigabyte of pages asks for a dcache clean per
 * page at consecutive PAs; an unmap, per page, a TLBI then a dcache clean,
 * both at consecutive addresses. The log stores such sequences as run
 * records and expands them only when read, so that every reader (kindAt,
 * aAt, bAt, countByKind, toJson, `length` and its truncation) sees exactly
 * the events one at a time, in the same order, as if each had been stored
 * on its own. Records live in one Float64Array of 3-double slots:
 *
 *   single   [start*16 + kind, a, b]
 *   run      [start*16 + 8 + kind, a0, b] [-1, step, 0]
 *              event j of the run: (kind, a0 + j*step, b)
 *   pairs    [start*16 + 8 + k1, a1, b1] [-(16 + k2), a2, b2] [-2, s1, s2]
 *              event 2r: (k1, a1 + r*s1, b1); event 2r + 1: (k2, a2 + r*s2, b2)
 *
 * `start` is the record's first event; its event count is the next record's
 * start minus its own (for the last record, `length` minus it). Addresses
 * in a run are non-negative integers below 2^53, so a0 + j*step is exact and
 * decodes to the very number pushed. A run takes two slots for two or more
 * events and pairs three slots for four or more, so the records never take
 * more than a slot (24 bytes) per event, as when every event was stored on
 * its own: the record bound (`limit`) still counts events, and its memory
 * bound is unchanged.
 */

import { checkBool, checkInt } from "./args.js";
import { hex } from "./u64.js";

export const EV_TLBI_IPA = 1;
export const EV_TLBI_IPA_NSH = 2;
export const EV_TLBI_VMID = 3;
export const EV_TLBI_RANGE = 4;
export const EV_DCACHE = 5;
export const EV_ICACHE = 6;

/** The maintenance events' names by kind, as FORMAT.md writes them. */
export const EVENT_NAMES = ["", "tlbi_ipa", "tlbi_ipa_nsh", "tlbi_vmid", "tlbi_range", "dcache", "icache"] as const;

/** MAX_TLBI_RANGE_PAGES = __TLBI_RANGE_PAGES(31, 3) = 32 << 16. */
export const MAX_TLBI_RANGE_PAGES = 2097152;

/** An event as FORMAT.md writes it. */
export type EventJson = [string] | [string, string, number] | [string, string, string];

/**
 * Most events a log keeps as records unless told otherwise (48 MiB of
 * records): enough for the largest single operation s2pt runs (a map of
 * MAX_OP_LEAVES leaves, a dcache and an icache event each). Events beyond
 * it are counted per kind (`notRecorded`), never lost from the counts.
 */
export const DEFAULT_LOG_RECORDS = 2 ** 21;

// Record headers (see the module comment).
const RUN = 8;
const CONT_RUN = -1;
const CONT_PAIRS_STEPS = -2;
const CONT_PAIRS_K2 = -16;
/** Runs hold addresses below this (exact integers: a0 + j*step decodes exactly). */
const EXACT = 2 ** 53;

// What the last record is (the tail a new event may extend).
const T_NONE = 0;
const T_SINGLE = 1;
const T_RUN = 2;
const T_PAIRS = 3;

// Slots of `nx`: the next event that would extend a pairs tail (kind in `pk`), and the tail's fields.
const X_A1 = 2; // pairs: next a of the first kind
const X_B1 = 4;
const X_A2 = 5; // pairs: next a of the second kind
const X_S2 = 6;
const X_B2 = 7;

function exactAddr(a: number): boolean {
  return a >= 0 && a < EXACT && Math.floor(a) === a;
}

/**
 * The TLB and cache maintenance operations asked for, in order (FORMAT.md's events), kept as compact records in a typed array (see the module comment); `toJson()` gives them as FORMAT.md writes them.
 */
export class MaintenanceLog {
  // `declare`d fields: defined by the constructor, so V8 keeps them as numbers / objects of one class (see TableConsts in pgtable.ts).
  /** Record slots (3 doubles each); `ns` slots are in use. */
  declare private rec: Float64Array;
  private ns = 0;
  /** Events recorded. */
  private n = 0;
  /** Most events kept as records; later ones are only counted (`notRecorded`). */
  declare readonly limit: number;
  /**
   * Events counted but not kept, per kind (indexed by EV_*): those beyond
   * `limit`, or every event while `record` is false.
   */
  readonly notRecorded = new Float64Array(8);
  /** `limit` while recording, 0 while not. */
  declare private lim: number;
  private recording = true;

  // The tail: the last record (header slot, first event, what it is) and the
  // event that would extend it (a and b in na, nb): of kind nk for a run, pk
  // for pairs (0 when none).
  private tHead = -1;
  private tStart = 0;
  private tMode = T_NONE;
  private tK1 = 0;
  private tK2 = 0;
  private nk = 0;
  private pk = 0;
  /**
   * While nk is a kind: how many more events the run may take (1 at least),
   * the events to the record limit or to the end of the exact range
   * (runLeft), whichever comes first. push() counts it down instead of
   * testing both after every event (issue 20, part 5).
   */
  private left = 0;
  /** The expected event's a and b, and the run's step (of the first kind, for pairs): double fields (never Smis). */
  private na = 0.5;
  private nb = 0.5;
  private nstep = 0.5;
  private readonly nx = new Float64Array(8);

  // The read cursor: the record holding the events [cStart, cEnd), header slot cHead.
  private cHead = -1;
  private cStart = 0;
  private cEnd = 0;

  /**
   * `capacity`: records allocated up front (the array grows by doubling up
   * to `limit`); `limit`: most records kept (default DEFAULT_LOG_RECORDS).
   */
  constructor(capacity = 1024, limit = DEFAULT_LOG_RECORDS) {
    const cap = checkInt(capacity, "capacity", 1, 2 ** 26);
    this.limit = checkInt(limit, "limit", 0, 2 ** 26);
    this.rec = new Float64Array(Math.min(cap, Math.max(this.limit, 1)) * 3);
    this.lim = this.limit;
  }

  /** When false, events are only counted per kind (`notRecorded`), not stored. */
  get record(): boolean {
    return this.recording;
  }
  /** Switch recording on or off. */
  set record(on: boolean) {
    this.recording = checkBool(on, "record");
    this.lim = on ? this.limit : 0;
    // The run's countdown holds for the old limit: count again (a run is not extended while not recording).
    if (this.tMode === T_RUN) this.setNext(T_RUN, this.na);
  }

  /** @internal The events seen per kind before this one was only counted: the same as `notRecorded` (kept for callers of the old name). */
  get counts(): Float64Array {
    return this.notRecorded;
  }

  /**
   * Events recorded. Setting a smaller value forgets the events from that
   * one on (the log is cut back to where it was, as after an operation
   * whose events were taken); the not-recorded counts are not touched.
   */
  get length(): number {
    return this.n;
  }
  /** Cut the log back to its first `m` events (m at most `length`). */
  set length(m: number) {
    if (m === this.n) return;
    checkInt(m, "length", 0, this.n, "an event count (the log is only cut back)");
    this.truncate(m);
  }

  /**
   * @internal The events as (kind, a, b) triples, in order: a copy decoded from the
   * records (writing to it does not change the log).
   */
  get ev(): Float64Array {
    const out = new Float64Array(this.n * 3);
    for (let i = 0; i < this.n; i++) {
      this.locate(i);
      out[i * 3] = this.kindIn(i);
      out[i * 3 + 1] = this.aIn(i);
      out[i * 3 + 2] = this.bIn(i);
    }
    return out;
  }

  /** @internal Record one event (kind EV_*, its two operands). */
  push(kind: number, a: number, b: number): void {
    if (!this.extendRun(kind, a, b)) this.pushOther(kind, a, b);
  }

  /**
   * @internal
   * push()'s common case alone: when the event continues the tail's run (nk
   * is 0 unless the tail is a run with room left for one more event), it is
   * recorded and the answer is true; otherwise nothing is recorded and the
   * answer is false, and the caller calls pushOther(). For the one-page map:
   * a small method with no call, which V8 inlines whatever it did with the
   * rest of push() (a caller that inlines push() itself may stop inlining
   * once push()'s own optimised code holds the slow paths).
   */
  extendRun(kind: number, a: number, b: number): boolean {
    if (kind === this.nk && a === this.na && b === this.nb) {
      this.n++;
      this.na = a + this.nstep;
      if (--this.left === 0) this.nk = 0;
      return true;
    }
    return false;
  }

  /** @internal push() of an event that does not continue a run: the next of the tail's pairs, or pushSlow(). */
  pushOther(kind: number, a: number, b: number): void {
    const n = this.n;
    if (kind === this.pk && n < this.lim && a === this.na && b === this.nb) {
      this.n = n + 1;
      this.advancePairs();
      return;
    }
    this.pushSlow(kind, a, b);
  }

  /** push() of an event that does not continue the tail (or past the record limit). */
  private pushSlow(kind: number, a: number, b: number): void {
    if (this.n >= this.lim) {
      this.notRecorded[kind]++;
      return;
    }
    this.pushNew(kind, a, b);
  }

  /**
   * @internal
   * `count` events (kind, a0 + j*step, b), j = 0..count-1: the same as that
   * many push() calls. For the run loops of the operations.
   */
  pushRun(kind: number, a0: number, b: number, step: number, count: number): void {
    if (count <= 0) return;
    const n = this.n;
    const last = a0 + (count - 1) * step;
    if (count < 3 || n + count > this.lim || !exactAddr(a0) || !exactAddr(last) || !exactAddr(Math.abs(step))) {
      for (let j = 0; j < count; j++) this.push(kind, a0 + j * step, b);
      return;
    }
    // Extend a run the events continue.
    if (this.tMode === T_RUN && kind === this.nk && a0 === this.na && b === this.nb && step === this.nstep) {
      this.n = n + count;
      this.setNext(T_RUN, a0 + count * step);
      return;
    }
    this.room(2);
    const s = this.ns * 3;
    const r = this.rec;
    r[s] = n * 16 + RUN + kind;
    r[s + 1] = a0;
    r[s + 2] = b;
    r[s + 3] = CONT_RUN;
    r[s + 4] = step;
    r[s + 5] = 0;
    this.tHead = this.ns;
    this.ns += 2;
    this.tStart = n;
    this.n = n + count;
    this.tMode = T_RUN;
    this.tK1 = kind;
    this.nb = b;
    this.nstep = step;
    this.setNext(T_RUN, a0 + count * step);
  }

  /**
   * @internal
   * `reps` pairs of events (k1, a1 + r*s1, b1), (k2, a2 + r*s2, b2), r =
   * 0..reps-1, in that order: the same as that many pairs of push() calls.
   * An unmap's page asks for a TLBI then a dcache clean, for instance.
   */
  pushPairs(k1: number, a1: number, b1: number, s1: number, k2: number, a2: number, b2: number, s2: number, reps: number): void {
    if (reps <= 0) return;
    const n = this.n;
    const l1 = a1 + (reps - 1) * s1;
    const l2 = a2 + (reps - 1) * s2;
    if (
      reps < 2 ||
      n + 2 * reps > this.lim ||
      !exactAddr(a1) ||
      !exactAddr(a2) ||
      !exactAddr(l1) ||
      !exactAddr(l2) ||
      !exactAddr(Math.abs(s1)) ||
      !exactAddr(Math.abs(s2))
    ) {
      for (let r = 0; r < reps; r++) {
        this.push(k1, a1 + r * s1, b1);
        this.push(k2, a2 + r * s2, b2);
      }
      return;
    }
    const x = this.nx;
    if (
      this.tMode === T_PAIRS &&
      ((n - this.tStart) & 1) === 0 &&
      this.tK1 === k1 &&
      this.tK2 === k2 &&
      a1 === x[X_A1] &&
      b1 === x[X_B1] &&
      s1 === this.nstep &&
      a2 === x[X_A2] &&
      b2 === x[X_B2] &&
      s2 === x[X_S2]
    ) {
      this.n = n + 2 * reps;
      x[X_A1] = a1 + reps * s1;
      x[X_A2] = a2 + reps * s2;
      this.expectPairs();
      return;
    }
    this.room(3);
    const s = this.ns * 3;
    const r = this.rec;
    r[s] = n * 16 + RUN + k1;
    r[s + 1] = a1;
    r[s + 2] = b1;
    r[s + 3] = CONT_PAIRS_K2 - k2;
    r[s + 4] = a2;
    r[s + 5] = b2;
    r[s + 6] = CONT_PAIRS_STEPS;
    r[s + 7] = s1;
    r[s + 8] = s2;
    this.tHead = this.ns;
    this.ns += 3;
    this.tStart = n;
    this.n = n + 2 * reps;
    this.tMode = T_PAIRS;
    this.tK1 = k1;
    this.tK2 = k2;
    x[X_B1] = b1;
    this.nstep = s1;
    x[X_B2] = b2;
    x[X_S2] = s2;
    x[X_A1] = a1 + reps * s1;
    x[X_A2] = a2 + reps * s2;
    this.expectPairs();
  }

  /** Pairs, after an event that extended them: the next event that would. */
  private advancePairs(): void {
    const x = this.nx;
    // The event just added was the first kind of a pair (the count now odd) or the second.
    if (((this.n - this.tStart) & 1) === 1) x[X_A1] += this.nstep;
    else x[X_A2] += x[X_S2];
    this.expectPairs();
  }

  /** The run's next event is at `a` (none when it would leave the exact range or the record limit). */
  private setNext(mode: number, a: number): void {
    this.pk = 0;
    // na is the run's next address even when the run takes no more (the record setter counts from it).
    this.na = a;
    const left = mode === T_RUN ? this.runLeft() : 0;
    if (left > 0) {
      this.nk = this.tK1;
      this.left = left;
    } else {
      this.nk = 0;
    }
  }

  /**
   * How many events the run at its step may still take from `a` on: those
   * at a, a + step, a + 2 step, ... while they stay non-negative integers
   * below 2^53 (so that a0 + j*step decodes exactly) and, at most, the
   * `lim - n` the record limit leaves. `a` is na, read here rather than
   * passed: V8 does not inline this, and a double argument to a call is a
   * new heap number each time.
   */
  private runLeft(): number {
    const a = this.na;
    const cap = this.lim - this.n;
    if (cap <= 0 || !exactAddr(a)) return 0;
    const step = this.nstep;
    // Both ends inside the exact range, so every event between them is (rounding is monotonic: an
    // end outside the range is not computed inside it).
    if (exactAddr(a + (cap - 1) * step)) return cap;
    // The range ends first (step is not 0): the count to its end, from the quotient, then made exact.
    let c = step > 0 ? Math.floor((EXACT - 1 - a) / step) + 1 : Math.floor(a / -step) + 1;
    if (c > cap) c = cap;
    while (c > 1 && !exactAddr(a + (c - 1) * step)) c--;
    while (c < cap && exactAddr(a + c * step)) c++;
    return c;
  }

  /** Pairs: the next event is the first kind of a pair when the count is even, else the second. */
  private expectPairs(): void {
    const x = this.nx;
    this.nk = 0;
    if (((this.n - this.tStart) & 1) === 0) {
      this.pk = exactAddr(x[X_A1]) ? this.tK1 : 0;
      this.na = x[X_A1];
      this.nb = x[X_B1];
    } else {
      this.pk = exactAddr(x[X_A2]) ? this.tK2 : 0;
      this.na = x[X_A2];
      this.nb = x[X_B2];
    }
  }

  /** An event that does not extend the tail run: a new single, or a single turned into a run. */
  private pushNew(kind: number, a: number, b: number): void {
    const n = this.n;
    const r = this.rec;
    if (this.tMode === T_SINGLE && this.tK1 === kind) {
      const h = this.tHead * 3;
      const a0 = r[h + 1];
      const step = a - a0;
      if (r[h + 2] === b && exactAddr(a0) && exactAddr(a) && exactAddr(a + step)) {
        // The second event of a run: the single becomes a run.
        this.room(1);
        const rr = this.rec;
        rr[h] += RUN;
        const s = this.ns * 3;
        rr[s] = CONT_RUN;
        rr[s + 1] = step;
        rr[s + 2] = 0;
        this.ns++;
        this.n = n + 1;
        this.tMode = T_RUN;
        this.nb = b;
        this.nstep = step;
        this.setNext(T_RUN, a + step);
        return;
      }
    }
    this.room(1);
    const s = this.ns * 3;
    const rr = this.rec;
    rr[s] = n * 16 + kind;
    rr[s + 1] = a;
    rr[s + 2] = b;
    this.tHead = this.ns;
    this.ns++;
    this.tStart = n;
    this.n = n + 1;
    this.tMode = T_SINGLE;
    this.tK1 = kind;
    this.nk = 0;
    this.pk = 0;
  }

  /** Room for k more slots (slots never outnumber events, so this stays within `limit` slots and two). */
  private room(k: number): void {
    const need = (this.ns + k) * 3;
    if (need <= this.rec.length) return;
    const most = (Math.max(this.limit, 1) + 2) * 3;
    const next = new Float64Array(Math.min(Math.max(this.rec.length * 2, need), Math.max(most, need)));
    next.set(this.rec.subarray(0, this.ns * 3));
    this.rec = next;
  }

  /** Forget every event; the capacity stays, so a reused log costs no allocation. */
  clear(): void {
    this.n = 0;
    this.ns = 0;
    this.tHead = -1;
    this.tMode = T_NONE;
    this.nk = 0;
    this.pk = 0;
    this.cHead = -1;
    this.cStart = 0;
    this.cEnd = 0;
    this.notRecorded.fill(0);
  }

  /** Events counted but not recorded, all kinds. */
  get notRecordedTotal(): number {
    let n = 0;
    for (let k = 0; k < this.notRecorded.length; k++) n += this.notRecorded[k];
    return n;
  }

  // ------------------------------------------------------------------------------
  // Reading: records expanded one event at a time
  // ------------------------------------------------------------------------------

  /** The header slot of the record slot `s` belongs to. */
  private headOf(s: number): number {
    const r = this.rec;
    while (r[s * 3] < 0) s--;
    return s;
  }

  /** Slots of the record whose header is at slot h. */
  private widthOf(h: number): number {
    const r = this.rec;
    if (h + 1 >= this.ns) return 1;
    const c = r[(h + 1) * 3];
    return c === CONT_RUN ? 2 : c <= CONT_PAIRS_K2 ? 3 : 1;
  }

  /** Point the cursor at the record holding event i (0 <= i < length). */
  private locate(i: number): void {
    if (i >= this.cStart && i < this.cEnd) return;
    const r = this.rec;
    let h = this.cHead;
    if (h >= 0 && i >= this.cStart) {
      // The cursor's record may have grown since (it was the tail), or i is in the next one.
      const next = h + this.widthOf(h);
      const end = next < this.ns ? Math.floor(r[next * 3] / 16) : this.n;
      if (i < end) {
        this.cEnd = end;
        return;
      }
      h = next < this.ns && i === end ? next : -1;
    } else {
      h = -1;
    }
    if (h < 0) {
      // The last header whose record starts at or before i.
      let lo = 0;
      let hi = this.ns - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        const hm = this.headOf(mid);
        if (Math.floor(r[hm * 3] / 16) <= i) lo = mid;
        else hi = hm - 1;
      }
      h = this.headOf(lo);
    }
    const w = this.widthOf(h);
    this.cHead = h;
    this.cStart = Math.floor(r[h * 3] / 16);
    this.cEnd = h + w < this.ns ? Math.floor(r[(h + w) * 3] / 16) : this.n;
  }

  // Event i of the cursor's record (locate(i) first).
  private kindIn(i: number): number {
    const r = this.rec;
    const h = this.cHead * 3;
    const code = r[h] - this.cStart * 16;
    if (code < RUN) return code;
    const k1 = code - RUN;
    if (r[h + 3] === CONT_RUN) return k1;
    return ((i - this.cStart) & 1) === 0 ? k1 : CONT_PAIRS_K2 - r[h + 3];
  }
  private aIn(i: number): number {
    const r = this.rec;
    const h = this.cHead * 3;
    const code = r[h] - this.cStart * 16;
    if (code < RUN) return r[h + 1];
    const j = i - this.cStart;
    if (r[h + 3] === CONT_RUN) return r[h + 1] + j * r[h + 4];
    const rep = Math.floor(j / 2);
    return (j & 1) === 0 ? r[h + 1] + rep * r[h + 7] : r[h + 4] + rep * r[h + 8];
  }
  private bIn(i: number): number {
    const r = this.rec;
    const h = this.cHead * 3;
    const code = r[h] - this.cStart * 16;
    if (code < RUN || r[h + 3] === CONT_RUN || ((i - this.cStart) & 1) === 0) return r[h + 2];
    return r[h + 5];
  }

  private checkIndex(i: number): void {
    if (!(i >= 0 && i < this.n && Math.floor(i) === i)) throw new RangeError(`MaintenanceLog: no event ${String(i)} (${this.n} recorded)`);
  }

  /** @internal The kind (EV_*) of event `i`. */
  kindAt(i: number): number {
    this.checkIndex(i);
    this.locate(i);
    return this.kindIn(i);
  }
  /** @internal The first operand of event `i` (an IPA or PA). */
  aAt(i: number): number {
    this.checkIndex(i);
    this.locate(i);
    return this.aIn(i);
  }
  /** @internal The second operand of event `i` (a level, pages or a size). */
  bAt(i: number): number {
    this.checkIndex(i);
    this.locate(i);
    return this.bIn(i);
  }

  /** How many events of each kind were seen: the records plus those only counted. */
  countByKind(): Float64Array {
    const c = this.notRecorded.slice();
    const r = this.rec;
    for (let h = 0; h < this.ns;) {
      const w = this.widthOf(h);
      const start = Math.floor(r[h * 3] / 16);
      const end = h + w < this.ns ? Math.floor(r[(h + w) * 3] / 16) : this.n;
      const code = r[h * 3] - start * 16;
      const count = end - start;
      if (w === 1) c[code]++;
      else if (w === 2) c[code - RUN] += count;
      else {
        c[code - RUN] += Math.ceil(count / 2);
        c[CONT_PAIRS_K2 - r[(h + 1) * 3]] += Math.floor(count / 2);
      }
      h += w;
    }
    return c;
  }

  /** Events [from, to) in FORMAT.md's JSON form. */
  toJson(from = 0, to = this.n): EventJson[] {
    const out: EventJson[] = [];
    for (let i = from; i < to; i++) out.push(eventJson(this.kindAt(i), this.aAt(i), this.bAt(i)));
    return out;
  }

  // ------------------------------------------------------------------------------
  // Cutting back (length = m)
  // ------------------------------------------------------------------------------

  private truncate(m: number): void {
    this.locate(m);
    const h = this.cHead;
    const start = this.cStart;
    const r = this.rec;
    const w = this.widthOf(h);
    if (m === start) {
      this.ns = h;
    } else if (w === 2) {
      // A run cut to m - start events: one event is a single again.
      if (m - start === 1) {
        r[h * 3] -= RUN;
        this.ns = h + 1;
      } else {
        this.ns = h + 2;
      }
    } else if (w === 3) {
      const k1 = r[h * 3] - start * 16 - RUN;
      const k2 = CONT_PAIRS_K2 - r[(h + 1) * 3];
      if (m - start <= 2) {
        // One or two events left: singles (a record never takes more slots than events).
        r[h * 3] = start * 16 + k1;
        this.ns = h + 1;
        if (m - start === 2) {
          const s = (h + 1) * 3;
          const a2 = r[s + 1];
          const b2 = r[s + 2];
          r[s] = (start + 1) * 16 + k2;
          r[s + 1] = a2;
          r[s + 2] = b2;
          this.ns = h + 2;
        }
      } else {
        this.ns = h + 3;
      }
    }
    this.n = m;
    this.cHead = -1;
    this.cStart = 0;
    this.cEnd = 0;
    this.retail();
  }

  /** The tail state from the last record (after cutting back). */
  private retail(): void {
    this.nk = 0;
    this.pk = 0;
    if (this.ns === 0) {
      this.tHead = -1;
      this.tMode = T_NONE;
      return;
    }
    const r = this.rec;
    const h = this.headOf(this.ns - 1);
    const start = Math.floor(r[h * 3] / 16);
    const code = r[h * 3] - start * 16;
    const w = this.widthOf(h);
    const count = this.n - start;
    const x = this.nx;
    this.tHead = h;
    this.tStart = start;
    if (w === 1) {
      this.tMode = T_SINGLE;
      this.tK1 = code;
    } else if (w === 2) {
      this.tMode = T_RUN;
      this.tK1 = code - RUN;
      this.nb = r[h * 3 + 2];
      this.nstep = r[h * 3 + 4];
      this.setNext(T_RUN, r[h * 3 + 1] + count * r[h * 3 + 4]);
    } else {
      this.tMode = T_PAIRS;
      this.tK1 = code - RUN;
      this.tK2 = CONT_PAIRS_K2 - r[(h + 1) * 3];
      x[X_B1] = r[h * 3 + 2];
      x[X_B2] = r[(h + 1) * 3 + 2];
      this.nstep = r[(h + 2) * 3 + 1];
      x[X_S2] = r[(h + 2) * 3 + 2];
      x[X_A1] = r[h * 3 + 1] + Math.ceil(count / 2) * this.nstep;
      x[X_A2] = r[(h + 1) * 3 + 1] + Math.floor(count / 2) * x[X_S2];
      this.expectPairs();
    }
  }
}

/** @internal An event as FORMAT.md writes it. */
export function eventJson(kind: number, a: number, b: number): EventJson {
  switch (kind) {
    case EV_TLBI_IPA:
    case EV_TLBI_IPA_NSH:
    case EV_TLBI_RANGE:
      return [EVENT_NAMES[kind], hex(a), b];
    case EV_TLBI_VMID:
      return [EVENT_NAMES[kind]];
    case EV_DCACHE:
    case EV_ICACHE:
      return [EVENT_NAMES[kind], hex(a), hex(b)];
    default:
      throw new Error(`unknown maintenance event kind ${kind}`);
  }
}
