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
  kind: Uint8Array;
  a: Float64Array;
  b: Float64Array;
  length = 0;
  /** When false, events are only counted (per kind), not stored. */
  record = true;
  readonly counts = new Float64Array(8);

  constructor(capacity = 1024) {
    this.kind = new Uint8Array(capacity);
    this.a = new Float64Array(capacity);
    this.b = new Float64Array(capacity);
  }

  push(kind: number, a: number, b: number): void {
    this.counts[kind]++;
    if (!this.record) return;
    const n = this.length;
    if (n === this.kind.length) this.growTo(n * 2);
    this.kind[n] = kind;
    this.a[n] = a;
    this.b[n] = b;
    this.length = n + 1;
  }

  private growTo(cap: number): void {
    const k = new Uint8Array(cap);
    k.set(this.kind);
    const a = new Float64Array(cap);
    a.set(this.a);
    const b = new Float64Array(cap);
    b.set(this.b);
    this.kind = k;
    this.a = a;
    this.b = b;
  }

  clear(): void {
    this.length = 0;
    this.counts.fill(0);
  }

  /** Events [from, to) in FORMAT.md's JSON form. */
  toJson(from = 0, to = this.length): EventJson[] {
    const out: EventJson[] = [];
    for (let i = from; i < to; i++) out.push(eventJson(this.kind[i], this.a[i], this.b[i]));
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
