// Test helpers for two-stage translation: a stage-2 table built with the
// kernel operations, a guest section parsed and built over it, a nested walker.
import { expect } from "vitest";
import { KvmPgtable } from "../src/pgtable/pgtable.js";
import { parseNames } from "../src/scenario/names.js";
import { PROT_NAMES } from "../src/pgtable/descriptor.js";
import { type Stage2Config } from "../src/pgtable/geometry.js";
import { S2Walker, type WalkerOptions } from "../src/walker/translate.js";
import { parseGuest } from "../src/scenario/guest.js";
import { buildGuest, type BuiltGuest } from "../src/stage1/builder.js";
import { NestedWalker } from "../src/stage1/walk.js";
import type { GuestConfig } from "../src/stage1/config.js";

export const S2_4K: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };

/** Linux's MAIR_EL1: Attr0 0xff (MT_NORMAL), Attr1 0xf0 (TAGGED), Attr2 0x44 (NC), Attr3 0x00 (nGnRnE), Attr4 0x04 (nGnRE). */
export const LINUX_MAIR = "0x000000040044f0ff";

/** A 39-bit, 4K-granule guest (T0SZ = T1SZ = 25, IPS 40) with its table pool at IPA 0x40000000. */
export function guestJson(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tcr: { t0sz: 25, t1sz: 25, tg0: 4096, tg1: 4096, ips: 40 },
    mair: LINUX_MAIR,
    table_pool: { ipa: "0x40000000", size: "0x10000" },
    mappings: [],
    ...over,
  };
}

export interface Setup {
  pgt: KvmPgtable;
  s2: S2Walker;
  guest: BuiltGuest;
  nw: NestedWalker;
}

/**
 * Map the stage-2 ranges ([ipa, size, pa, prot names]) with kvm_pgtable_stage2_map,
 * the table pool first (0x40000000, 64K of 4K pages at PA 0x80010000, R|W|X unless
 * `poolProt` says otherwise), then parse and build the guest.
 */
export function setup(
  guest: Record<string, unknown>,
  maps: Array<[number, number, number, string]>,
  s2cfg: Partial<Stage2Config> = {},
  opts: { poolProt?: string; walker?: WalkerOptions; noPool?: boolean } = {},
): Setup {
  const cfg: Stage2Config = { ...S2_4K, ...s2cfg };
  const pgt = new KvmPgtable(cfg);
  const all: Array<[number, number, number, string]> = opts.noPool ? maps : [[0x40000000, 0x10000, 0x80010000, opts.poolProt ?? "R|W|X"], ...maps];
  for (const [ipa, size, pa, prot] of all) expect(pgt.map(ipa, size, pa, parseNames(prot, "prot", PROT_NAMES, "prot"), 0), `map ${ipa.toString(16)}`).toBe(0);
  const spec = parseGuest(guest, "guest", cfg);
  const built = buildGuest(pgt, spec, "test");
  const s2 = new S2Walker(pgt, opts.walker ?? {});
  return { pgt, s2, guest: built, nw: new NestedWalker(s2, built.mem, built.config) };
}

/** A walker over the same tables and memory with some registers changed. */
export function rewalk(s: Setup, change: (c: GuestConfig) => GuestConfig): NestedWalker {
  return new NestedWalker(s.s2, s.guest.mem, change(s.guest.config));
}

export function tr(nw: NestedWalker, va: bigint, access: number, el = 1): number {
  return nw.translate(Number(va & 0xffffffffn), Number(va >> 32n), access, el);
}
