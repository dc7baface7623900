// src/pgtable/pgtable.ts lines 901-1380, the last survivors of the first run
// (see test/unit/pgtable-runs-mutants.test.ts): a run of leaves whose PAs differ
// only in OA[51:48], a write-protect whose range ends after an empty entry, a
// table entry after an empty one in the attribute and map runs, and the PA that
// kvm_block_mapping_supported() checks for an entry after the walk's first.
// Expected values worked by hand from pgtable.c 6.18.25 as
// /work/shared/reference/kernel-reference.md sections 1.2, 3.2, 4 and 5
// describe it; none is the model's own output (issue 23).
import { describe, expect, it } from "vitest";
import { PROT_DEVICE, PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";

const K4 = 4096;
const K64 = 65536;
const M2 = 2 ** 21;
const RW = PROT_R | PROT_W;
const XN = 0x0040_0000;
const TTL = 2147483647; // TLBI_TTL_UNKNOWN

const NOFWB: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };

// kernel-reference 1.4: Normal RW page / block without FWB, Device RW page / block.
const PAGE_N = 0x7ff;
const BLOCK_N = 0x7fd;
const PAGE_DEV = 0x7c7;
const BLOCK_DEV = 0x7c5;
const W_BIT = 0x80;

type Ev = [string, string, number | string] | [string];
const hx = (n: number): string => `0x${n.toString(16)}`;
const tlbi = (ipa: number, level: number): Ev => ["tlbi_ipa", hx(ipa), level];
const dc = (pa: number, size: number): Ev => ["dcache", hx(pa), hx(size)];
const pte = (pa: number, lo: number, hi: number): string => `0x${((BigInt(hi) << 32n) | BigInt(lo) | BigInt(pa)).toString(16)}`;

function leaf(t: KvmPgtable, ipa: number): [string | null, number | null] {
  const r = t.getLeaf(ipa);
  expect(r.ret).toBe(0);
  return [r.pte, r.level];
}

const IPA = 0x4000_0000;
const PA = 0x8000_0000;

describe("unmap of 64K pages above 2^48 (kvm_pte_to_phys: OA[51:48] in bits 15:12)", () => {
  it("a page at 2^48 then one at 2^49 + 64K: the same bits 47:16 as the next PA, not the next PA", () => {
    const t = new KvmPgtable({ granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: false, tlbRange: false });
    expect(t.map(0, K64, 2 ** 48, RW, 0)).toBe(0);
    expect(t.map(K64, K64, 2 ** 49 + K64, RW, 0)).toBe(0);
    // PA 2^48: bits 51:48 = 1 -> descriptor bit 12; 2^49 + 64K: bits 51:48 = 2 -> bit 13, bit 16 in place.
    expect(leaf(t, 0)).toEqual([pte(0x1000, PAGE_N, XN), 3]);
    expect(leaf(t, K64)).toEqual([pte(0x2000 + K64, PAGE_N, XN), 3]);
    t.log.clear();
    expect(t.unmap(0, 2 * K64)).toBe(0);
    // Start level 1 (64K, 52-bit IPA): the level-3 and level-2 tables are freed.
    expect(t.log.toJson()).toEqual([tlbi(0, 3), dc(2 ** 48, K64), tlbi(K64, 3), dc(2 ** 49 + K64, K64), tlbi(0, TTL), tlbi(0, TTL)]);
  });
});

describe("stage2_attr_walker: the range ends two entries after an empty one", () => {
  it("wrprotect of pages 0..2 with page 1 empty: page 3 keeps W", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, K4, PA, RW, 0);
    t.map(IPA + 2 * K4, 2 * K4, PA + 2 * K4, RW, 0);
    expect(t.wrprotect(IPA, 3 * K4)).toBe(0);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 2 * K4)).toEqual([pte(PA + 2 * K4, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual([pte(PA + 3 * K4, PAGE_N, XN), 3]);
  });
});

describe("a table entry after an empty level-2 entry", () => {
  it("wrprotect: the walk descends into the table (the run ends at it), its pages lose W", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + M2, 2 * K4, PA, RW, 0);
    expect(t.wrprotect(IPA, 2 * M2)).toBe(0);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + M2 + K4)).toEqual([pte(PA + K4, PAGE_N & ~W_BIT, XN), 3]);
  });

  it("map of 4 MiB: a block in the empty entry, then TABLE_PRE's block over the table, whose subtree is freed", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + M2, 2 * K4, 0x9000_0000, RW, 0);
    t.log.clear();
    expect(t.map(IPA, 2 * M2, PA, RW, 0)).toBe(0);
    // Entry 0 empty: no BBM, dcache. Entry 1 a table: tlbi_vmid (no FEAT_TLBIRANGE), dcache, free_unlinked_table (no event).
    expect(t.log.toJson()).toEqual([dc(PA, M2), ["tlbi_vmid"], dc(PA + M2, M2)]);
    expect(leaf(t, IPA + M2 + K4)).toEqual([pte(PA + M2, BLOCK_N, XN), 2]);
    // The root pages and the level-2 table: the level-3 table is gone.
    expect(t.store.inUse).toBe(3);
  });
});

describe("kvm_block_mapping_supported with phys = data->phys + (ctx->addr - ctx->start) for an entry after the first", () => {
  it("a map starting one page below a Normal block, as Device: a Device page, then a Device block at PA + 2 MiB", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + M2 - K4, K4, PA + M2 - K4, RW, 0);
    t.map(IPA + M2, M2, PA + M2, RW, 0);
    t.log.clear();
    expect(t.map(IPA + M2 - K4, M2 + K4, PA + M2 - K4, RW | PROT_DEVICE, 0)).toBe(0);
    // The page: break-before-make at level 3. The block: ctx->addr = IPA + 2M, phys = PA + 2M - 4K + 4K,
    // aligned and the range covers 2M: a block again, broken and made at level 2.
    expect(t.log.toJson()).toEqual([tlbi(IPA + M2 - K4, 3), tlbi(IPA + M2, 2)]);
    expect(leaf(t, IPA + M2 - K4)).toEqual([pte(PA + M2 - K4, PAGE_DEV, XN), 3]);
    expect(leaf(t, IPA + M2 + K4)).toEqual([pte(PA + M2, BLOCK_DEV, XN), 2]);
  });
});
