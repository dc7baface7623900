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

import { hex } from "./u64.js";

export const EV_TLBI_IPA = 1;
export const EV_TLBI_IPA_NSH = 2;
export const EV_TLBI_VMID = 3;
export const EV_TLBI_RANGE = 4;
export const EV_DCACHE = 5;
export const EV_ICACHE = 6;

export const EVENT_NAMES = ["", "tlbi_ipa", "tlbi_ipa_nsh", "tlbi_vmid", "tlbi_range", "dcache", "icache"] as const;

/** MAX_TLBI_RANGE_PAGES = __TLBI_RANGE_PAGES(31, 3) = 32 << 16. */
export const MAX_TLBI_RANGE_PAGES = 2097152;

/** An event as FORMAT.md writes it. */
export type EventJson = [string] | [string, string, number] | [string, string, string];

export class MaintenanceLog {
  /** Events as (kind, a, b) triples, in order; `length` events are valid. */
  ev: Float64Array;
  length = 0;
  /** When false, events are only counted per kind (`counts`), not stored. */
  record = true;
  readonly counts = new Float64Array(8);

  constructor(capacity = 1024) {
    this.ev = new Float64Array(capacity * 3);
  }

  push(kind: number, a: number, b: number): void {
    if (!this.record) {
      this.counts[kind]++;
      return;
    }
    const at = this.length * 3;
    if (at === this.ev.length) this.grow();
    const ev = this.ev;
    ev[at] = kind;
    ev[at + 1] = a;
    ev[at + 2] = b;
    this.length++;
  }

  private grow(): void {
    const next = new Float64Array(this.ev.length * 2);
    next.set(this.ev);
    this.ev = next;
  }

  /** Forget every event; the capacity stays, so a reused log costs no allocation. */
  clear(): void {
    this.length = 0;
    this.counts.fill(0);
  }

  kindAt(i: number): number {
    return this.ev[i * 3];
  }
  aAt(i: number): number {
    return this.ev[i * 3 + 1];
  }
  bAt(i: number): number {
    return this.ev[i * 3 + 2];
  }

  /** How many events of each kind (stored ones, or counted ones when not recording). */
  countByKind(): Float64Array {
    if (!this.record) return this.counts.slice();
    const c = new Float64Array(8);
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
