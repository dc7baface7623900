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

/**
 * The TLB and cache maintenance operations asked for, in order (FORMAT.md's events), kept in typed arrays; `toJson()` gives them as FORMAT.md writes them.
 */
export class MaintenanceLog {
  /** @internal Events as (kind, a, b) triples, in order; `length` events are valid. */
  ev: Float64Array;
  /** How many events are recorded. */
  length = 0;
  /** Most events kept as records; later ones are only counted (`notRecorded`). */
  readonly limit: number;
  /**
   * Events counted but not kept, per kind (indexed by EV_*): those beyond
   * `limit`, or every event while `record` is false.
   */
  readonly notRecorded = new Float64Array(8);
  /** Events the typed array can take before it must grow (0 while `record` is false). */
  private room: number;
  private recording = true;

  /**
   * `capacity`: records allocated up front (the array grows by doubling up
   * to `limit`); `limit`: most records kept (default DEFAULT_LOG_RECORDS).
   */
  constructor(capacity = 1024, limit = DEFAULT_LOG_RECORDS) {
    const cap = checkInt(capacity, "capacity", 1, 2 ** 26);
    this.limit = checkInt(limit, "limit", 0, 2 ** 26);
    this.ev = new Float64Array(Math.min(cap, Math.max(this.limit, 1)) * 3);
    this.room = this.limit === 0 ? 0 : this.ev.length / 3;
  }

  /** When false, events are only counted per kind (`notRecorded`), not stored. */
  get record(): boolean {
    return this.recording;
  }
  /** Switch recording on or off. */
  set record(on: boolean) {
    this.recording = checkBool(on, "record");
    this.room = on ? Math.min(this.ev.length / 3, this.limit) : 0;
  }

  /** @internal The events seen per kind before this one was only counted: the same as `notRecorded` (kept for callers of the old name). */
  get counts(): Float64Array {
    return this.notRecorded;
  }

  /** @internal Record one event (kind EV_*, its two operands). */
  push(kind: number, a: number, b: number): void {
    if (this.length >= this.room && !this.makeRoom()) {
      this.notRecorded[kind]++;
      return;
    }
    const at = this.length * 3;
    const ev = this.ev;
    ev[at] = kind;
    ev[at + 1] = a;
    ev[at + 2] = b;
    this.length++;
  }

  /** Room for one more record: grow the array (doubling, up to `limit`), or false. */
  private makeRoom(): boolean {
    if (!this.recording || this.length >= this.limit) return false;
    if (this.length * 3 === this.ev.length) {
      const next = new Float64Array(Math.min(this.ev.length * 2, this.limit * 3));
      next.set(this.ev);
      this.ev = next;
    }
    this.room = Math.min(this.ev.length / 3, this.limit);
    return this.length < this.room;
  }

  /** Forget every event; the capacity stays, so a reused log costs no allocation. */
  clear(): void {
    this.length = 0;
    this.notRecorded.fill(0);
  }

  /** Events counted but not recorded, all kinds. */
  get notRecordedTotal(): number {
    let n = 0;
    for (let k = 0; k < this.notRecorded.length; k++) n += this.notRecorded[k];
    return n;
  }

  /** @internal The kind (EV_*) of event `i`. */
  kindAt(i: number): number {
    return this.ev[i * 3];
  }
  /** @internal The first operand of event `i` (an IPA or PA). */
  aAt(i: number): number {
    return this.ev[i * 3 + 1];
  }
  /** @internal The second operand of event `i` (a level, pages or a size). */
  bAt(i: number): number {
    return this.ev[i * 3 + 2];
  }

  /** How many events of each kind were seen: the records plus those only counted. */
  countByKind(): Float64Array {
    const c = this.notRecorded.slice();
    for (let i = 0; i < this.length; i++) c[this.ev[i * 3]]++;
    return c;
  }

  /** Events [from, to) in FORMAT.md's JSON form. */
  toJson(from = 0, to = this.length): EventJson[] {
    const out: EventJson[] = [];
    for (let i = from; i < to; i++) out.push(eventJson(this.ev[i * 3], this.ev[i * 3 + 1], this.ev[i * 3 + 2]));
    return out;
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
