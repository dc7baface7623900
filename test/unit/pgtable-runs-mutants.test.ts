// src/pgtable/pgtable.ts lines 901-1380: the run loops (unmapRun and its
// events, attrRun, ageFlushRun, mapRun and blockRun), kvm_tlb_flush_vmid_range,
// kvm_block_mapping_supported and the leaf written into an empty entry, against
// values worked out by hand from arch/arm64/kvm/hyp/pgtable.c 6.18.25 as
// /work/shared/reference/kernel-reference.md describes it:
//  - stage2_unmap_walker (5.2): per valid leaf tlbi_ipa(walk address, level)
//    unless deferred (FEAT_TLBIRANGE and FWB), then a dcache clean of the
//    whole leaf when it is Normal and FWB is off; an emptied table is freed
//    with tlbi_ipa(pre-descent address, TLBI_TTL_UNKNOWN); a deferred unmap
//    ends with kvm_tlb_flush_vmid_range(addr, size) as passed (5.0);
//  - stage2_attr_walker (5.3), stage2_age_walker and stage2_flush_walker (5.4);
//  - stage2_map_walker_try_leaf (5.1) with kvm_block_mapping_supported (3.2);
//  - the walker's visit order and addresses (4).
// Every expected descriptor and event list is written out below and worked
// from those rules; none is the model's own output. Written for the survivors
// of `npm run mutate -- --mutate src/pgtable/pgtable.ts:901-1380` (issue 23).
// No store hook anywhere: with one the run loops stand aside.
//
// Worked descriptors (kernel-reference 1.1, 1.4, 2.2; 4K granule, no LPA2):
//   bits 1:0 valid + page (L3) or block; MemAttr << 2 (Normal 0xF, FWB Normal
//   6, Device 1, Normal-NC 5); S2AP R 0x40, W 0x80; SH 0x300; AF 0x400;
//   XN = bit 54 (0x0040_0000 in the high half) unless PROT_X.
import { describe, expect, it } from "vitest";
import {
  EAGAIN,
  PROT_DEVICE,
  PROT_NORMAL_NC,
  PROT_R,
  PROT_W,
  PROT_X,
  TLBI_TTL_UNKNOWN,
  WALK_HANDLE_FAULT,
  WALK_SHARED,
  WALK_SKIP_BBM_TLBI,
  WALK_SKIP_CMO,
} from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";

const K4 = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;
const RW = PROT_R | PROT_W;
const RWX = PROT_R | PROT_W | PROT_X;
const DEV = PROT_R | PROT_W | PROT_DEVICE;
const XN = 0x0040_0000;
const TTL = TLBI_TTL_UNKNOWN;

// KVM's default VM (40-bit IPA: start level 1, two root pages; kernel-reference 3.4), 48-bit PA.
const NOFWB: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
const FWB: Stage2Config = { ...NOFWB, fwb: true };
const FWB_RANGE: Stage2Config = { ...NOFWB, fwb: true, tlbRange: true };
const NOFWB_RANGE: Stage2Config = { ...NOFWB, tlbRange: true };

// Descriptor low halves (kernel-reference 1.4): page / block, Normal RW without and with FWB, Device RW.
const PAGE_N = 0x7ff; // 1 | 2 | 0xF << 2 | R | W | SH | AF
const PAGE_N_FWB = 0x7db; // 1 | 2 | 6 << 2 | R | W | SH | AF
const BLOCK_N = 0x7fd; // 1 | 0xF << 2 | R | W | SH | AF
const BLOCK_N_FWB = 0x7d9; // 1 | 6 << 2 | R | W | SH | AF
const PAGE_DEV = 0x7c7; // 1 | 2 | 1 << 2 | R | W | SH | AF
const BLOCK_DEV = 0x7c5; // 1 | 1 << 2 | R | W | SH | AF
const PAGE_NC = 0x7d7; // 1 | 2 | 5 << 2 | R | W | SH | AF
const W_BIT = 0x80;
const AF = 0x400;

type Ev = [string, string, number | string] | [string];
const hx = (n: number): string => `0x${n.toString(16)}`;
const tlbi = (ipa: number, level: number): Ev => ["tlbi_ipa", hx(ipa), level];
const nsh = (ipa: number, level: number): Ev => ["tlbi_ipa_nsh", hx(ipa), level];
const dc = (pa: number, size: number): Ev => ["dcache", hx(pa), hx(size)];
const ic = (pa: number, size: number): Ev => ["icache", hx(pa), hx(size)];
const range = (ipa: number, pages: number): Ev => ["tlbi_range", hx(ipa), pages];
/** A descriptor as FORMAT.md writes it, from the PA and the attribute halves. */
const pte = (pa: number, lo: number, hi: number): string => `0x${((BigInt(hi) << 32n) | BigInt(lo) | BigInt(pa)).toString(16)}`;

function leaf(t: KvmPgtable, ipa: number): [string | null, number | null] {
  const r = t.getLeaf(ipa);
  expect(r.ret).toBe(0);
  return [r.pte, r.level];
}

function events(t: KvmPgtable): unknown[] {
  return t.log.toJson();
}

const IPA = 0x4000_0000;
const PA = 0x8000_0000;

describe("stage2_unmap_walker over runs of leaves (kernel-reference 5.2)", () => {
  it("four Normal pages without FWB: per page tlbi_ipa(addr, 3) then dcache(PA, 4K); the emptied level-3 and level-2 tables freed with TTL_UNKNOWN", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, 4 * K4, PA, RW, 0)).toBe(0);
    t.log.clear();
    expect(t.unmap(IPA, 4 * K4)).toBe(0);
    expect(events(t)).toEqual([
      tlbi(IPA, 3),
      dc(PA, K4),
      tlbi(IPA + K4, 3),
      dc(PA + K4, K4),
      tlbi(IPA + 2 * K4, 3),
      dc(PA + 2 * K4, K4),
      tlbi(IPA + 3 * K4, 3),
      dc(PA + 3 * K4, K4),
      tlbi(IPA, TTL),
      tlbi(IPA, TTL),
    ]);
    // Both tables freed: only the two root pages remain, the level-1 entry is empty.
    expect(t.store.inUse).toBe(2);
    expect(leaf(t, IPA)).toEqual(["0x0", 1]);
  });

  it("the same without FEAT_TLBIRANGE's deferral: with FEAT_TLBIRANGE but no FWB the TLBIs stay per leaf", () => {
    const t = new KvmPgtable(NOFWB_RANGE);
    t.map(IPA, 3 * K4, PA, RW, 0);
    t.log.clear();
    expect(t.unmap(IPA, 3 * K4)).toBe(0);
    expect(events(t)).toEqual([
      tlbi(IPA, 3),
      dc(PA, K4),
      tlbi(IPA + K4, 3),
      dc(PA + K4, K4),
      tlbi(IPA + 2 * K4, 3),
      dc(PA + 2 * K4, K4),
      tlbi(IPA, TTL),
      tlbi(IPA, TTL),
    ]);
  });

  it("with FWB and no FEAT_TLBIRANGE: the per-leaf TLBIs, no dcache", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 3 * K4, PA, RW, 0);
    t.log.clear();
    expect(t.unmap(IPA, 3 * K4)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA, 3), tlbi(IPA + K4, 3), tlbi(IPA + 2 * K4, 3), tlbi(IPA, TTL), tlbi(IPA, TTL)]);
  });

  it("with FWB and FEAT_TLBIRANGE: no per-leaf event; the table frees (never deferred), then one tlbi_range over (addr, size) as passed", () => {
    const t = new KvmPgtable(FWB_RANGE);
    t.map(IPA, 3 * K4, PA, RW, 0);
    t.log.clear();
    expect(t.unmap(IPA, 3 * K4)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA, TTL), tlbi(IPA, TTL), range(IPA, 3)]);
    expect(leaf(t, IPA + 2 * K4)).toEqual(["0x0", 1]);
  });

  it("Device pages without FWB: a TLBI each and no dcache (not cacheable)", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 3 * K4, PA, DEV, 0);
    t.log.clear();
    t.unmap(IPA, 3 * K4);
    expect(events(t)).toEqual([tlbi(IPA, 3), tlbi(IPA + K4, 3), tlbi(IPA + 2 * K4, 3), tlbi(IPA, TTL), tlbi(IPA, TTL)]);
  });

  it("a Device page and a Normal-NC page inside a run of Normal pages at consecutive PAs: only the Normal ones are cleaned", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    t.map(IPA + 2 * K4, K4, PA + 2 * K4, DEV, 0);
    t.map(IPA + 3 * K4, K4, PA + 3 * K4, PROT_R | PROT_W | PROT_NORMAL_NC, 0);
    t.map(IPA + 4 * K4, 2 * K4, PA + 4 * K4, RW, 0);
    expect(leaf(t, IPA + 3 * K4)).toEqual([pte(PA + 3 * K4, PAGE_NC, XN), 3]);
    t.log.clear();
    t.unmap(IPA, 6 * K4);
    expect(events(t)).toEqual([
      tlbi(IPA, 3),
      dc(PA, K4),
      tlbi(IPA + K4, 3),
      dc(PA + K4, K4),
      tlbi(IPA + 2 * K4, 3),
      tlbi(IPA + 3 * K4, 3),
      tlbi(IPA + 4 * K4, 3),
      dc(PA + 4 * K4, K4),
      tlbi(IPA + 5 * K4, 3),
      dc(PA + 5 * K4, K4),
      tlbi(IPA, TTL),
      tlbi(IPA, TTL),
    ]);
  });

  it("pages whose PAs are not consecutive: each dcache at its own PA", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    t.map(IPA + 2 * K4, 2 * K4, PA + 0x10_0000, RW, 0);
    t.map(IPA + 4 * K4, K4, PA - K4, RW, 0);
    t.log.clear();
    t.unmap(IPA, 5 * K4);
    expect(events(t)).toEqual([
      tlbi(IPA, 3),
      dc(PA, K4),
      tlbi(IPA + K4, 3),
      dc(PA + K4, K4),
      tlbi(IPA + 2 * K4, 3),
      dc(PA + 0x10_0000, K4),
      tlbi(IPA + 3 * K4, 3),
      dc(PA + 0x10_1000, K4),
      tlbi(IPA + 4 * K4, 3),
      dc(PA - K4, K4),
      tlbi(IPA, TTL),
      tlbi(IPA, TTL),
    ]);
  });

  it("an empty entry between leaves whose PAs are consecutive: the leaf after the hole keeps its own IPA", () => {
    for (const cfg of [NOFWB, FWB]) {
      const t = new KvmPgtable(cfg);
      t.map(IPA, 2 * K4, PA, RW, 0);
      // IPA + 2 pages left empty; IPA + 3 pages maps the PA right after the second page's.
      t.map(IPA + 3 * K4, 2 * K4, PA + 2 * K4, RW, 0);
      t.log.clear();
      t.unmap(IPA, 5 * K4);
      const want: Ev[] = [];
      for (const [ipa, pa] of [
        [IPA, PA],
        [IPA + K4, PA + K4],
        [IPA + 3 * K4, PA + 2 * K4],
        [IPA + 4 * K4, PA + 3 * K4],
      ]) {
        want.push(tlbi(ipa, 3));
        if (!cfg.fwb) want.push(dc(pa, K4));
      }
      want.push(tlbi(IPA, TTL), tlbi(IPA, TTL));
      expect(events(t)).toEqual(want);
    }
  });

  it("an owner annotation between leaves whose PAs are consecutive: cleared and put, no event, and the next leaf keeps its own IPA", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    expect(t.setOwner(IPA + 2 * K4, K4, 1)).toBe(0);
    // kvm_init_invalid_leaf_owner(1) = 1 << 2.
    expect(leaf(t, IPA + 2 * K4)).toEqual(["0x4", 3]);
    t.map(IPA + 3 * K4, K4, PA + 2 * K4, RW, 0);
    t.log.clear();
    t.unmap(IPA, 4 * K4);
    expect(events(t)).toEqual([
      tlbi(IPA, 3),
      dc(PA, K4),
      tlbi(IPA + K4, 3),
      dc(PA + K4, K4),
      tlbi(IPA + 3 * K4, 3),
      dc(PA + 2 * K4, K4),
      tlbi(IPA, TTL),
      tlbi(IPA, TTL),
    ]);
    // The annotation was counted too: the level-3 table emptied and was freed.
    expect(t.store.inUse).toBe(2);
  });

  it("an unmap of part of a run: the entries after the range stay mapped and counted", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 6 * K4, PA, RW, 0);
    const l3Before = t.store.inUse;
    t.log.clear();
    t.unmap(IPA + K4, 3 * K4);
    expect(events(t)).toEqual([tlbi(IPA + K4, 3), dc(PA + K4, K4), tlbi(IPA + 2 * K4, 3), dc(PA + 2 * K4, K4), tlbi(IPA + 3 * K4, 3), dc(PA + 3 * K4, K4)]);
    expect(t.store.inUse).toBe(l3Before);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + K4)).toEqual(["0x0", 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual(["0x0", 3]);
    expect(leaf(t, IPA + 4 * K4)).toEqual([pte(PA + 4 * K4, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + 5 * K4)).toEqual([pte(PA + 5 * K4, PAGE_N, XN), 3]);
    // The level-3 table keeps three leaves (pages 0, 4 and 5): unmapping them frees it.
    t.log.clear();
    t.unmap(IPA, 6 * K4);
    expect(events(t)).toEqual([
      tlbi(IPA, 3),
      dc(PA, K4),
      tlbi(IPA + 4 * K4, 3),
      dc(PA + 4 * K4, K4),
      tlbi(IPA + 5 * K4, 3),
      dc(PA + 5 * K4, K4),
      tlbi(IPA, TTL),
      tlbi(IPA, TTL),
    ]);
    expect(t.store.inUse).toBe(2);
  });

  // kvm_pte_to_phys of consecutive leaves whose PAs cross a 4 GiB line, or do not: each dcache names its own leaf's PA.
  const crossings: Array<[string, number[]]> = [
    ["consecutive across 2^33", [0x1_ffff_e000, 0x1_ffff_f000, 0x2_0000_0000, 0x2_0000_1000]],
    ["after 0x1_ffff_f000 comes 0x1_0000_0000 (not the next PA)", [0x1_ffff_f000, 0x1_0000_0000]],
    ["after 0x1_ffff_f000 comes 0x0 (not the next PA)", [0x1_ffff_f000, 0]],
    ["after 0x1_ffff_e000, 0x1_ffff_f000 comes 0x1_0000_0000", [0x1_ffff_e000, 0x1_ffff_f000, 0x1_0000_0000]],
    ["after 0x1_ffff_e000, 0x1_ffff_f000 comes 0x0", [0x1_ffff_e000, 0x1_ffff_f000, 0]],
    ["after 0x0_ffff_f000 comes 0x2_0000_0000", [0xffff_f000, 0x2_0000_0000]],
    ["the PA's high half changes alone", [0x1_0000_0000, 0x2_0000_1000, 0x3_0000_2000]],
  ];
  for (const [name, pas] of crossings) {
    it(`the dcache PAs of a run of pages: ${name}`, () => {
      const t = new KvmPgtable(NOFWB);
      pas.forEach((pa, i) => expect(t.map(IPA + i * K4, K4, pa, RW, 0)).toBe(0));
      expect(leaf(t, IPA + (pas.length - 1) * K4)).toEqual([pte(pas[pas.length - 1], PAGE_N, XN), 3]);
      t.log.clear();
      t.unmap(IPA, pas.length * K4);
      const want: Ev[] = [];
      pas.forEach((pa, i) => want.push(tlbi(IPA + i * K4, 3), dc(pa, K4)));
      want.push(tlbi(IPA, TTL), tlbi(IPA, TTL));
      expect(events(t)).toEqual(want);
    });
  }

  it("two 1 GiB blocks at PAs 0xc000_0000 and 0x1_0000_0000 (level 1, in the root): tlbi level 1 and a dcache of the whole block each", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, 2 * G1, 0xc000_0000, RW, 0)).toBe(0);
    expect(events(t)).toEqual([dc(0xc000_0000, G1), dc(0x1_0000_0000, G1)]);
    expect(leaf(t, IPA)).toEqual([pte(0xc000_0000, BLOCK_N, XN), 1]);
    expect(leaf(t, 2 * G1)).toEqual([pte(0x1_0000_0000, BLOCK_N, XN), 1]);
    t.log.clear();
    expect(t.unmap(IPA, 2 * G1)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA, 1), dc(0xc000_0000, G1), tlbi(2 * G1, 1), dc(0x1_0000_0000, G1)]);
    expect(leaf(t, 2 * G1)).toEqual(["0x0", 1]);
  });

  it("1 GiB blocks whose PAs are not consecutive: each dcache at its own PA", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, G1, 0x1_0000_0000, RW, 0);
    t.map(2 * G1, G1, 0x4000_0000, RW, 0);
    t.map(3 * G1, G1, 0x8000_0000, RW, 0);
    t.log.clear();
    t.unmap(IPA, 3 * G1);
    expect(events(t)).toEqual([tlbi(IPA, 1), dc(0x1_0000_0000, G1), tlbi(2 * G1, 1), dc(0x4000_0000, G1), tlbi(3 * G1, 1), dc(0x8000_0000, G1)]);
  });

  // Three 2 MiB blocks at 0x4000_0000 -> 0x8000_0000, unmapped from 0x4000_1000: the first visit's ctx->addr is the unaligned walk address.
  const blocks3: Array<[string, Stage2Config, Ev[]]> = [
    ["no FWB", NOFWB, [tlbi(IPA + K4, 2), dc(PA, M2), tlbi(IPA + M2, 2), dc(PA + M2, M2), tlbi(IPA + 2 * M2, 2), dc(PA + 2 * M2, M2), tlbi(IPA + K4, TTL)]],
    ["FWB", FWB, [tlbi(IPA + K4, 2), tlbi(IPA + M2, 2), tlbi(IPA + 2 * M2, 2), tlbi(IPA + K4, TTL)]],
    // Deferred: pages = (3 * 2M - 4K) >> 12 = 1535, from the address as passed.
    ["FWB and FEAT_TLBIRANGE", FWB_RANGE, [tlbi(IPA + K4, TTL), range(IPA + K4, 1535)]],
  ];
  for (const [name, cfg, want] of blocks3) {
    it(`a run of three 2 MiB blocks unmapped from inside the first (${name}): the blocks removed whole, the emptied level-2 table freed`, () => {
      const t = new KvmPgtable(cfg);
      t.map(IPA, 3 * M2, PA, RW, 0);
      t.log.clear();
      expect(t.unmap(IPA + K4, 3 * M2 - K4)).toBe(0);
      expect(events(t)).toEqual(want);
      expect(leaf(t, IPA + 2 * M2)).toEqual(["0x0", 1]);
      expect(t.store.inUse).toBe(2);
    });
  }

  it("a single 2 MiB block unmapped from inside: tlbi at the unaligned address", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, M2, PA, RW, 0);
    t.map(IPA + M2, K4, PA + M2, RW, 0);
    t.log.clear();
    t.unmap(IPA + 0x3000, M2 - 0x3000);
    expect(events(t)).toEqual([tlbi(IPA + 0x3000, 2)]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + M2, PAGE_N_FWB, XN), 3]);
  });

  it("a block, a table of pages and a block: the run stops at the table, the walk descends, then a new run takes the last block", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.map(IPA + M2, 2 * K4, 0x9000_0000, RW, 0);
    t.map(IPA + 2 * M2, M2, PA + 2 * M2, RW, 0);
    t.log.clear();
    expect(t.unmap(IPA, 3 * M2)).toBe(0);
    expect(events(t)).toEqual([
      tlbi(IPA, 2),
      dc(PA, M2),
      tlbi(IPA + M2, 3),
      dc(0x9000_0000, K4),
      tlbi(IPA + M2 + K4, 3),
      dc(0x9000_1000, K4),
      tlbi(IPA + M2, TTL),
      tlbi(IPA + 2 * M2, 2),
      dc(PA + 2 * M2, M2),
      tlbi(IPA, TTL),
    ]);
    expect(t.store.inUse).toBe(2);
  });

  it("a run to the end of a level-3 table goes on in the next table (the walk's address after the run)", () => {
    const t = new KvmPgtable(NOFWB);
    // IPA + 2M - 2 pages .. IPA + 2M + 2 pages: the last two entries of one level-3 table, the first two of the next.
    t.map(IPA + M2 - 2 * K4, 4 * K4, PA, RW, 0);
    t.log.clear();
    t.unmap(IPA + M2 - 2 * K4, 4 * K4);
    expect(events(t)).toEqual([
      tlbi(IPA + M2 - 2 * K4, 3),
      dc(PA, K4),
      tlbi(IPA + M2 - K4, 3),
      dc(PA + K4, K4),
      tlbi(IPA + M2 - 2 * K4, TTL),
      tlbi(IPA + M2, 3),
      dc(PA + 2 * K4, K4),
      tlbi(IPA + M2 + K4, 3),
      dc(PA + 3 * K4, K4),
      tlbi(IPA + M2, TTL),
      tlbi(IPA + M2 - 2 * K4, TTL),
    ]);
  });
});

describe("kvm_tlb_flush_vmid_range (kernel-reference 5.0): the deferred unmap's range TLBIs", () => {
  it("pages = size >> PAGE_SHIFT in steps of at most MAX_TLBI_RANGE_PAGES = 2^21, addr as passed", () => {
    const t = new KvmPgtable(FWB_RANGE);
    // Nothing mapped: the walk visits only empty root entries; the range TLBIs are issued anyway.
    expect(t.unmap(IPA, 16 * G1 + K4)).toBe(0);
    expect(events(t)).toEqual([range(IPA, 2 ** 21), range(IPA + 8 * G1, 2 ** 21), range(IPA + 16 * G1, 1)]);
    t.log.clear();
    expect(t.unmap(IPA, 8 * G1)).toBe(0);
    expect(events(t)).toEqual([range(IPA, 2 ** 21)]);
    t.log.clear();
    expect(t.unmap(IPA, 8 * G1 - K4)).toBe(0);
    expect(events(t)).toEqual([range(IPA, 2 ** 21 - 1)]);
  });

  it("a size under a page issues nothing; an unaligned address and size keep the address and truncate the page count", () => {
    const t = new KvmPgtable(FWB_RANGE);
    t.unmap(IPA, 0x800);
    expect(events(t)).toEqual([]);
    t.unmap(IPA + 0x800, 0x1800);
    expect(events(t)).toEqual([range(IPA + 0x800, 1)]);
    t.log.clear();
    t.unmap(IPA + 0x800, 0x2fff);
    expect(events(t)).toEqual([range(IPA + 0x800, 2)]);
  });

  it("the 16K granule counts 16K pages: 2^21 of them are 32 GiB", () => {
    const t = new KvmPgtable({ granule: 16384, iaBits: 42, paBits: 48, lpa2: false, fwb: true, tlbRange: true });
    expect(t.unmap(0, 2 ** 36 + 3 * 16384)).toBe(0);
    expect(events(t)).toEqual([range(0, 2 ** 21), range(2 ** 35, 2 ** 21), range(2 ** 36, 3)]);
  });

  it("a block over a table of pages breaks the table entry: tlbi_range over the aligned block, or one tlbi_vmid without FEAT_TLBIRANGE", () => {
    for (const [cfg, want] of [
      [NOFWB_RANGE, [range(IPA, 512), dc(PA, M2)]],
      [NOFWB, [["tlbi_vmid"], dc(PA, M2)]],
    ] as Array<[Stage2Config, Ev[]]>) {
      const t = new KvmPgtable(cfg);
      t.map(IPA, 2 * K4, 0x9000_0000, RW, 0);
      t.log.clear();
      expect(t.map(IPA, M2, PA, RW, 0)).toBe(0);
      expect(events(t)).toEqual(want);
      expect(leaf(t, IPA + K4)).toEqual([pte(PA, BLOCK_N, XN), 2]);
    }
  });

  it("a 1 GiB block over a table: tlbi_range of 2^18 pages", () => {
    const t = new KvmPgtable({ ...FWB_RANGE });
    t.map(IPA, K4, 0x9000_0000, RW, 0);
    t.log.clear();
    expect(t.map(IPA, G1, PA, RW, WALK_SKIP_CMO)).toBe(0);
    expect(events(t)).toEqual([range(IPA, 2 ** 18)]);
    expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_N_FWB, XN), 1]);
  });
});

describe("stage2_attr_walker over runs (kernel-reference 5.3)", () => {
  it("wrprotect of four pages: W cleared in each, nothing else; no event", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 4 * K4, PA, RW, 0);
    t.log.clear();
    expect(t.wrprotect(IPA, 4 * K4)).toBe(0);
    for (let i = 0; i < 4; i++) expect(leaf(t, IPA + i * K4)).toEqual([pte(PA + i * K4, PAGE_N_FWB & ~W_BIT, XN), 3]);
    expect(events(t)).toEqual([]);
  });

  it("wrprotect of the first two of four pages: the two after the range keep W", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 4 * K4, PA, RW, 0);
    expect(t.wrprotect(IPA, 2 * K4)).toBe(0);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N_FWB & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 2 * K4)).toEqual([pte(PA + 2 * K4, PAGE_N_FWB, XN), 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual([pte(PA + 3 * K4, PAGE_N_FWB, XN), 3]);
  });

  it("wrprotect of one page in the middle of a run and of the last entry of a table", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + M2 - 3 * K4, 6 * K4, PA, RW, 0);
    expect(t.wrprotect(IPA + M2 - 2 * K4, K4)).toBe(0);
    expect(t.wrprotect(IPA + M2 - K4, K4)).toBe(0);
    expect(leaf(t, IPA + M2 - 3 * K4)).toEqual([pte(PA, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + M2 - 2 * K4)).toEqual([pte(PA + K4, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + M2 - K4)).toEqual([pte(PA + 2 * K4, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + 3 * K4, PAGE_N, XN), 3]);
  });

  it("wrprotect over an empty entry: -EAGAIN passed over (no HANDLE_FAULT), the pages after it still write-protected", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, K4, PA, RW, 0);
    t.map(IPA + 2 * K4, 2 * K4, PA + 2 * K4, RW, 0);
    expect(t.wrprotect(IPA, 4 * K4)).toBe(0);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N_FWB & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + K4)).toEqual(["0x0", 3]);
    expect(leaf(t, IPA + 2 * K4)).toEqual([pte(PA + 2 * K4, PAGE_N_FWB & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual([pte(PA + 3 * K4, PAGE_N_FWB & ~W_BIT, XN), 3]);
  });

  it("wrprotect across two level-3 tables: the walk goes on after the run ends at the end of the first", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA + M2 - 2 * K4, 4 * K4, PA, RW, 0);
    expect(t.wrprotect(IPA + M2 - 2 * K4, 4 * K4)).toBe(0);
    for (let i = 0; i < 4; i++) expect(leaf(t, IPA + M2 - 2 * K4 + i * K4)).toEqual([pte(PA + i * K4, PAGE_N_FWB & ~W_BIT, XN), 3]);
  });

  it("wrprotect over blocks, a table of pages and a block (level 2): the run stops at the table, every leaf loses W", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * M2, PA, RW, 0);
    t.map(IPA + 2 * M2, 2 * K4, 0x9000_0000, RW, 0);
    t.map(IPA + 3 * M2, M2, PA + 3 * M2, RW, 0);
    expect(t.wrprotect(IPA, 4 * M2)).toBe(0);
    expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_N & ~W_BIT, XN), 2]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + M2, BLOCK_N & ~W_BIT, XN), 2]);
    expect(leaf(t, IPA + 2 * M2 + K4)).toEqual([pte(0x9000_1000, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 3 * M2)).toEqual([pte(PA + 3 * M2, BLOCK_N & ~W_BIT, XN), 2]);
    // An empty level-2 entry inside the range: passed over.
    expect(t.wrprotect(IPA, 6 * M2)).toBe(0);
    expect(leaf(t, IPA + 5 * M2)).toEqual(["0x0", 2]);
  });

  it("wrprotect of a block from inside it, then of the block after a table", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.map(IPA + M2, K4, 0x9000_0000, RW, 0);
    t.map(IPA + 2 * M2, M2, PA + 2 * M2, RW, 0);
    expect(t.wrprotect(IPA + 0x5000, M2)).toBe(0);
    expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_N & ~W_BIT, XN), 2]);
    expect(leaf(t, IPA + M2)).toEqual([pte(0x9000_0000, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 2 * M2)).toEqual([pte(PA + 2 * M2, BLOCK_N, XN), 2]);
  });

  it("relax_perms adding X to a Normal block: icache of the whole block before the store, then tlbi_ipa_nsh(addr as passed, 2)", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.log.clear();
    expect(t.relaxPerms(IPA + 0x5000, PROT_R | PROT_X, 0)).toBe(0);
    expect(events(t)).toEqual([ic(PA, M2), nsh(IPA + 0x5000, 2)]);
    expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_N, 0), 2]);
    // Already executable: no change, no icache.
    t.log.clear();
    expect(t.relaxPerms(IPA, RWX, 0)).toBe(0);
    expect(events(t)).toEqual([nsh(IPA, 2)]);
  });

  it("relax_perms adding X to a page: icache of 4K at its PA; on a 1 GiB block: level 1", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 2 * K4, PA, PROT_R, 0);
    t.log.clear();
    expect(t.relaxPerms(IPA + K4, PROT_X | PROT_W, 0)).toBe(0);
    expect(events(t)).toEqual([ic(PA + K4, K4), nsh(IPA + K4, 3)]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N_FWB, 0), 3]);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N_FWB & ~W_BIT, XN), 3]);
    t.map(2 * G1, G1, 0x1_0000_0000, PROT_R, 0);
    t.log.clear();
    expect(t.relaxPerms(2 * G1 + M2, PROT_X, 0)).toBe(0);
    expect(events(t)).toEqual([ic(0x1_0000_0000, G1), nsh(2 * G1 + M2, 1)]);
  });

  it("relax_perms adding W (only the low half changes) to a page and to a block", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, K4, PA, PROT_R, 0);
    t.map(IPA + M2, M2, PA + M2, PROT_R, 0);
    t.log.clear();
    expect(t.relaxPerms(IPA, PROT_W, 0)).toBe(0);
    expect(t.relaxPerms(IPA + M2 + K4, PROT_W, 0)).toBe(0);
    expect(events(t)).toEqual([nsh(IPA, 3), nsh(IPA + M2 + K4, 2)]);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + M2, BLOCK_N, XN), 2]);
  });

  it("relax_perms on an empty entry: -EAGAIN, returned only with HANDLE_FAULT; the nsh TLBI at level 0 either way", () => {
    for (const prot of [PROT_W, PROT_X]) {
      const t = new KvmPgtable(NOFWB);
      t.map(IPA, K4, PA, PROT_R, 0);
      t.log.clear();
      expect(t.relaxPerms(IPA + K4, prot, 0)).toBe(0);
      expect(t.relaxPerms(IPA + K4, prot, WALK_HANDLE_FAULT | WALK_SHARED)).toBe(-EAGAIN);
      expect(events(t)).toEqual([nsh(IPA + K4, 0), nsh(IPA + K4, 0)]);
      expect(leaf(t, IPA + K4)).toEqual(["0x0", 3]);
      // An empty level-2 entry (no table below): the same.
      t.log.clear();
      expect(t.relaxPerms(IPA + M2, prot, WALK_HANDLE_FAULT)).toBe(-EAGAIN);
      expect(t.relaxPerms(IPA + M2, prot, 0)).toBe(0);
      expect(events(t)).toEqual([nsh(IPA + M2, 0), nsh(IPA + M2, 0)]);
    }
  });

  it("mkyoung sets AF again on a page and on a block made old; no event", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    t.map(IPA + M2, M2, PA + M2, RW, 0);
    expect(t.testClearYoung(IPA, 2 * M2, true)).toBe(true);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N_FWB & ~AF, XN), 3]);
    t.log.clear();
    t.mkyoung(IPA + K4, 0);
    t.mkyoung(IPA + M2 + 0x7000, WALK_HANDLE_FAULT | WALK_SHARED);
    expect(events(t)).toEqual([]);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N_FWB & ~AF, XN), 3]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N_FWB, XN), 3]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + M2, BLOCK_N_FWB, XN), 2]);
  });
});

describe("stage2_age_walker and stage2_flush_walker over runs (kernel-reference 5.4)", () => {
  it("test_clear_young over fresh pages: young, AF cleared in each; again: not young", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 4 * K4, PA, RW, 0);
    expect(t.testClearYoung(IPA, 4 * K4, true)).toBe(true);
    for (let i = 0; i < 4; i++) expect(leaf(t, IPA + i * K4)).toEqual([pte(PA + i * K4, PAGE_N_FWB & ~AF, XN), 3]);
    expect(t.testClearYoung(IPA, 4 * K4, true)).toBe(false);
    expect(t.testClearYoung(IPA, 4 * K4, false)).toBe(false);
    expect(events(t)).toEqual([dc(PA, K4), dc(PA + K4, K4), dc(PA + 2 * K4, K4), dc(PA + 3 * K4, K4)]);
  });

  it("test_clear_young without mkold: young, nothing stored", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    expect(t.testClearYoung(IPA, 2 * K4, false)).toBe(true);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N_FWB, XN), 3]);
    expect(t.testClearYoung(IPA, 2 * K4, false)).toBe(true);
  });

  it("an empty entry and an old page before a young one: young, only the young one cleared", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA + K4, 3 * K4, PA + K4, RW, 0);
    expect(t.testClearYoung(IPA + K4, K4, true)).toBe(true);
    expect(t.testClearYoung(IPA, 3 * K4, true)).toBe(true);
    expect(leaf(t, IPA + 2 * K4)).toEqual([pte(PA + 2 * K4, PAGE_N_FWB & ~AF, XN), 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual([pte(PA + 3 * K4, PAGE_N_FWB, XN), 3]);
    // Only old pages and empty entries: not young.
    expect(t.testClearYoung(IPA, 3 * K4, true)).toBe(false);
  });

  it("aging across a block, a table of pages and a block: the run stops at the table, every leaf is seen", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.map(IPA + M2, 2 * K4, 0x9000_0000, RW, 0);
    t.map(IPA + 2 * M2, M2, PA + 2 * M2, RW, 0);
    expect(t.testClearYoung(IPA, 3 * M2, true)).toBe(true);
    expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_N & ~AF, XN), 2]);
    expect(leaf(t, IPA + M2 + K4)).toEqual([pte(0x9000_1000, PAGE_N & ~AF, XN), 3]);
    expect(leaf(t, IPA + 2 * M2)).toEqual([pte(PA + 2 * M2, BLOCK_N & ~AF, XN), 2]);
    // Only the last block young again: seen after the table.
    t.mkyoung(IPA + 2 * M2, 0);
    expect(t.testClearYoung(IPA, 3 * M2, false)).toBe(true);
    expect(t.testClearYoung(IPA, 2 * M2, false)).toBe(false);
  });

  it("aging across two level-3 tables: the young page in the second is seen", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + M2 - K4, 2 * K4, PA, RW, 0);
    expect(t.testClearYoung(IPA + M2 - K4, K4, true)).toBe(true);
    expect(t.testClearYoung(IPA + M2 - K4, 2 * K4, true)).toBe(true);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + K4, PAGE_N & ~AF, XN), 3]);
  });

  it("flush without FWB: a dcache per Normal leaf (the whole block), Device and Normal-NC leaves and empty entries skipped", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    t.map(IPA + 2 * K4, K4, PA + 0x10_0000, DEV, 0);
    t.map(IPA + 3 * K4, K4, PA + 0x20_0000, PROT_R | PROT_NORMAL_NC, 0);
    t.map(IPA + 5 * K4, K4, PA + 0x30_0000, RWX, 0);
    t.map(IPA + M2, M2, PA + M2, RW, 0);
    t.map(IPA + 2 * M2, K4, PA + 0x40_0000, RW, 0);
    t.log.clear();
    expect(t.flush(IPA, 3 * M2)).toBe(0);
    expect(events(t)).toEqual([dc(PA, K4), dc(PA + K4, K4), dc(PA + 0x30_0000, K4), dc(PA + M2, M2), dc(PA + 0x40_0000, K4)]);
  });

  it("flush from inside a block: the whole block's PA once", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * M2, PA, RW, 0);
    t.log.clear();
    expect(t.flush(IPA + 0x1000, M2)).toBe(0);
    expect(events(t)).toEqual([dc(PA, M2), dc(PA + M2, M2)]);
  });

  it("flush with FWB: nothing (no walk)", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    t.log.clear();
    expect(t.flush(IPA, 2 * K4)).toBe(0);
    expect(events(t)).toEqual([]);
  });
});

describe("stage2_map_walker_try_leaf over runs of empty entries (kernel-reference 5.1, 3.2)", () => {
  it("four Normal RWX pages without FWB: dcache then icache per page; each page count rises", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, 4 * K4, PA, RWX, 0)).toBe(0);
    expect(events(t)).toEqual([
      dc(PA, K4),
      ic(PA, K4),
      dc(PA + K4, K4),
      ic(PA + K4, K4),
      dc(PA + 2 * K4, K4),
      ic(PA + 2 * K4, K4),
      dc(PA + 3 * K4, K4),
      ic(PA + 3 * K4, K4),
    ]);
    for (let i = 0; i < 4; i++) expect(leaf(t, IPA + i * K4)).toEqual([pte(PA + i * K4, PAGE_N, 0), 3]);
    // Root page 0: 1 + the level-1 entry; level-2 table: 1 + 1; level-3 table: 1 + 4.
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    const l3 = t.childPage(t.entryLo(l2, 0), t.entryHi(l2, 0));
    expect([t.store.pageCount(t.pgd), t.store.pageCount(l2), t.store.pageCount(l3)]).toEqual([2, 2, 5]);
  });

  it("executable Device is refused; Device and Normal-NC pages get no CMO; under SKIP_CMO Normal RWX gets none", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, 2 * K4, PA, DEV, 0)).toBe(0);
    expect(t.map(IPA + 2 * K4, 2 * K4, PA + 2 * K4, PROT_R | PROT_NORMAL_NC, 0)).toBe(0);
    expect(t.map(IPA + 4 * K4, 2 * K4, PA + 4 * K4, RWX, WALK_SKIP_CMO)).toBe(0);
    expect(events(t)).toEqual([]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_DEV, XN), 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual([pte(PA + 3 * K4, PAGE_NC & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 5 * K4)).toEqual([pte(PA + 5 * K4, PAGE_N, 0), 3]);
  });

  it("Normal RW pages with FWB: the dcache is still asked for (pgtable.c asks; the callback skips it)", () => {
    const t = new KvmPgtable(FWB);
    expect(t.map(IPA, 2 * K4, PA, RW, WALK_SHARED)).toBe(0);
    expect(events(t)).toEqual([dc(PA, K4), dc(PA + K4, K4)]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N_FWB, XN), 3]);
  });

  it("3 MiB at 2 MiB-aligned IPA and PA: one 2 MiB block, then 256 pages", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, 3 * (M2 / 2), PA, RW, 0)).toBe(0);
    const ev = events(t);
    expect(ev.length).toBe(257);
    expect(ev[0]).toEqual(dc(PA, M2));
    expect(ev[1]).toEqual(dc(PA + M2, K4));
    expect(ev[256]).toEqual(dc(PA + M2 + 255 * K4, K4));
    expect(leaf(t, IPA + 0x1f_f000)).toEqual([pte(PA, BLOCK_N, XN), 2]);
    expect(leaf(t, IPA + M2 + 255 * K4)).toEqual([pte(PA + M2 + 255 * K4, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + M2 + 256 * K4)).toEqual(["0x0", 3]);
  });

  it("2 MiB at an aligned IPA and a PA one page off: 512 pages (the PA is not aligned to the block)", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, M2, PA + K4, RW, 0)).toBe(0);
    expect(events(t).length).toBe(512);
    expect(leaf(t, IPA)).toEqual([pte(PA + K4, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + M2 - K4)).toEqual([pte(PA + M2, PAGE_N, XN), 3]);
  });

  it("2 MiB at an IPA one page off and an aligned PA: 511 pages in one table and one in the next", () => {
    const t = new KvmPgtable(FWB);
    expect(t.map(IPA + K4, M2, PA, RW, WALK_SKIP_CMO)).toBe(0);
    expect(leaf(t, IPA)).toEqual(["0x0", 3]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA, PAGE_N_FWB, XN), 3]);
    expect(leaf(t, IPA + M2 - K4)).toEqual([pte(PA + M2 - 2 * K4, PAGE_N_FWB, XN), 3]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + M2 - K4, PAGE_N_FWB, XN), 3]);
    expect(leaf(t, IPA + M2 + K4)).toEqual(["0x0", 3]);
  });

  it("4 MiB across the end of a level-2 table: a block at its last entry and one at the first entry of the next", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(2 * G1 - M2, 2 * M2, PA, RW, 0)).toBe(0);
    expect(events(t)).toEqual([dc(PA, M2), dc(PA + M2, M2)]);
    expect(leaf(t, 2 * G1 - M2)).toEqual([pte(PA, BLOCK_N, XN), 2]);
    expect(leaf(t, 2 * G1)).toEqual([pte(PA + M2, BLOCK_N, XN), 2]);
    expect(leaf(t, 2 * G1 + M2)).toEqual(["0x0", 2]);
  });

  it("three blocks: the level-2 table's count is 1 + 3", () => {
    const t = new KvmPgtable(FWB);
    expect(t.map(IPA, 3 * M2, PA, RW, 0)).toBe(0);
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    expect(t.store.pageCount(l2)).toBe(4);
    expect(t.store.pageCount(t.pgd)).toBe(2);
    expect(leaf(t, IPA + 3 * M2)).toEqual(["0x0", 2]);
  });

  it("pages whose PA crosses 2^33 in a run: the OA's low half carries into the high half", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, 3 * K4, 0x1_ffff_f000, RW, 0)).toBe(0);
    expect(leaf(t, IPA)).toEqual([pte(0x1_ffff_f000, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + K4)).toEqual([pte(0x2_0000_0000, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + 2 * K4)).toEqual([pte(0x2_0000_1000, PAGE_N, XN), 3]);
    expect(events(t)).toEqual([dc(0x1_ffff_f000, K4), dc(0x2_0000_0000, K4), dc(0x2_0000_1000, K4)]);
  });

  it("1 GiB blocks at PAs 0xc000_0000 .. 0x1_4000_0000 (level 1)", () => {
    const t = new KvmPgtable(FWB);
    expect(t.map(IPA, 3 * G1, 0xc000_0000, RWX, 0)).toBe(0);
    expect(events(t)).toEqual([
      dc(0xc000_0000, G1),
      ic(0xc000_0000, G1),
      dc(0x1_0000_0000, G1),
      ic(0x1_0000_0000, G1),
      dc(0x1_4000_0000, G1),
      ic(0x1_4000_0000, G1),
    ]);
    expect(leaf(t, 3 * G1)).toEqual([pte(0x1_4000_0000, BLOCK_N_FWB, 0), 1]);
  });

  it("the last page below 2^48 and a block ending at 2^48: the OA field's top bits", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.map(IPA, 2 * M2, 2 ** 48 - 2 * M2, RW, WALK_SKIP_CMO)).toBe(0);
    expect(leaf(t, IPA + M2)).toEqual([pte(2 ** 48 - M2, BLOCK_N, XN), 2]);
    expect(t.map(2 * G1, 2 * K4, 2 ** 48 - 2 * K4, RW, 0)).toBe(0);
    expect(leaf(t, 2 * G1 + K4)).toEqual([pte(2 ** 48 - K4, PAGE_N, XN), 3]);
    expect(events(t)).toEqual([dc(2 ** 48 - 2 * K4, K4), dc(2 ** 48 - K4, K4)]);
  });

  it("64K granule, 52-bit PA: a 512 MiB block below 2^48 and one at 2^48 (OA[51:48] in bits 15:12)", () => {
    const t = new KvmPgtable({ granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: false, tlbRange: false });
    const M512 = 2 ** 29;
    expect(t.map(M512, 2 * M512, 2 ** 48 - M512, RW, 0)).toBe(0);
    expect(events(t)).toEqual([dc(2 ** 48 - M512, M512), dc(2 ** 48, M512)]);
    // Block below 2^48: OA in bits 47:16. At 2^48: bit 48 of the PA goes to bit 12 of the descriptor.
    expect(leaf(t, M512)).toEqual([pte(2 ** 48 - M512, BLOCK_N, XN), 2]);
    expect(leaf(t, 2 * M512)).toEqual([pte(0x1000, BLOCK_N, XN), 2]);
    t.log.clear();
    expect(t.unmap(M512, 2 * M512)).toBe(0);
    expect(events(t)).toEqual([tlbi(M512, 2), dc(2 ** 48 - M512, M512), tlbi(2 * M512, 2), dc(2 ** 48, M512), tlbi(M512, TTL)]);
  });

  it("64K pages at PAs from 2^48 - 64K: the pages at and above 2^48 take OA[51:48] in bits 15:12", () => {
    const t = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 52, lpa2: false, fwb: false, tlbRange: false });
    const K64 = 65536;
    expect(t.map(0, 3 * K64, 2 ** 48 - K64, RW, 0)).toBe(0);
    expect(leaf(t, 0)).toEqual([pte(2 ** 48 - K64, PAGE_N, XN), 3]);
    expect(leaf(t, K64)).toEqual([pte(0x1000, PAGE_N, XN), 3]);
    expect(leaf(t, 2 * K64)).toEqual([pte(0x1000 + K64, PAGE_N, XN), 3]);
    t.log.clear();
    t.unmap(0, 3 * K64);
    expect(events(t)).toEqual([
      tlbi(0, 3),
      dc(2 ** 48 - K64, K64),
      tlbi(K64, 3),
      dc(2 ** 48, K64),
      tlbi(2 * K64, 3),
      dc(2 ** 48 + K64, K64),
      tlbi(0, TTL),
      tlbi(0, TTL),
    ]);
  });

  it("4K with a 44-bit IPA (start level 0): 512 GiB at 0 is 512 blocks of 1 GiB at level 1, none at level 0", () => {
    const t = new KvmPgtable({ granule: 4096, iaBits: 44, paBits: 48, lpa2: false, fwb: true, tlbRange: false });
    expect(t.map(0, 2 ** 39, 0, RW, WALK_SKIP_CMO)).toBe(0);
    expect(leaf(t, 0)).toEqual([pte(0, BLOCK_N_FWB, XN), 1]);
    expect(leaf(t, 2 ** 39 - G1)).toEqual([pte(2 ** 39 - G1, BLOCK_N_FWB, XN), 1]);
    expect(leaf(t, 2 ** 39)).toEqual(["0x0", 0]);
  });

  it("16K with a 42-bit IPA (start level 1): 64 GiB at 0 is 2048 blocks of 32 MiB at level 2, none at level 1", () => {
    const t = new KvmPgtable({ granule: 16384, iaBits: 42, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    const M32 = 2 ** 25;
    expect(t.map(0, 2 ** 36, 0, RW, 0)).toBe(0);
    const ev = events(t);
    expect(ev.length).toBe(2048);
    expect(ev[0]).toEqual(dc(0, M32));
    expect(ev[2047]).toEqual(dc(2 ** 36 - M32, M32));
    expect(leaf(t, 0)).toEqual([pte(0, BLOCK_N, XN), 2]);
    expect(leaf(t, 2 ** 36 - M32)).toEqual([pte(2 ** 36 - M32, BLOCK_N, XN), 2]);
  });

  it("set_owner on empty entries: annotations (owner << 2), no block and no CMO", () => {
    const t = new KvmPgtable(NOFWB);
    expect(t.setOwner(IPA, M2, 1)).toBe(0);
    expect(events(t)).toEqual([]);
    expect(leaf(t, IPA)).toEqual(["0x4", 3]);
    expect(leaf(t, IPA + M2 - K4)).toEqual(["0x4", 3]);
  });
});

describe("stage2_map_walker_try_leaf entry by entry after the first non-empty entry (kernel-reference 5.1)", () => {
  it("an identical leaf in the middle, HANDLE_FAULT: -EAGAIN stops the walk; the pages after it stay empty", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + K4, K4, PA + K4, RW, 0);
    t.log.clear();
    expect(t.map(IPA, 4 * K4, PA, RW, WALK_HANDLE_FAULT | WALK_SHARED)).toBe(-EAGAIN);
    expect(events(t)).toEqual([dc(PA, K4)]);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + 2 * K4)).toEqual(["0x0", 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual(["0x0", 3]);
  });

  it("the same without HANDLE_FAULT: -EAGAIN passed over, the empty entries after it get their leaves with their CMOs", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + K4, K4, PA + K4, RW, 0);
    const l2 = t.childPage(t.entryLo(t.pgd, 1), t.entryHi(t.pgd, 1));
    const l3 = t.childPage(t.entryLo(l2, 0), t.entryHi(l2, 0));
    t.log.clear();
    expect(t.map(IPA, 4 * K4, PA, RWX, 0)).toBe(0);
    // Page 1 differs only in XN (a permission): left for relax_perms, no event.
    expect(events(t)).toEqual([dc(PA, K4), ic(PA, K4), dc(PA + 2 * K4, K4), ic(PA + 2 * K4, K4), dc(PA + 3 * K4, K4), ic(PA + 3 * K4, K4)]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + 2 * K4)).toEqual([pte(PA + 2 * K4, PAGE_N, 0), 3]);
    expect(leaf(t, IPA + 3 * K4)).toEqual([pte(PA + 3 * K4, PAGE_N, 0), 3]);
    expect(t.store.pageCount(l3)).toBe(5);
  });

  it("after a non-empty entry: empty entries under SKIP_CMO, Device, Normal-NC and with FWB", () => {
    const cases: Array<[Stage2Config, number, number, Ev[], number, number]> = [
      [NOFWB, RWX, WALK_SKIP_CMO, [], PAGE_N, 0],
      [NOFWB, DEV, 0, [], PAGE_DEV, XN],
      [NOFWB, PROT_R | PROT_W | PROT_NORMAL_NC, 0, [], PAGE_NC, XN],
      [FWB, RW, 0, [dc(PA + 2 * K4, K4), dc(PA + 3 * K4, K4)], PAGE_N_FWB, XN],
      [FWB, RWX, WALK_SHARED, [dc(PA + 2 * K4, K4), ic(PA + 2 * K4, K4), dc(PA + 3 * K4, K4), ic(PA + 3 * K4, K4)], PAGE_N_FWB, 0],
    ];
    for (const [cfg, prot, flags, want, lo, hi] of cases) {
      const t = new KvmPgtable(cfg);
      // An owner annotation at page 1: counted, not empty; the map replaces it (no TLBI: it is invalid).
      t.setOwner(IPA + K4, K4, 1);
      t.map(IPA, K4, PA, prot, flags);
      t.log.clear();
      expect(t.map(IPA, 4 * K4, PA, prot, flags)).toBe(0);
      const cmoOf1 = want.length === 0 ? [] : prot & PROT_X ? [dc(PA + K4, K4), ic(PA + K4, K4)] : [dc(PA + K4, K4)];
      expect(events(t)).toEqual([...cmoOf1, ...want]);
      for (let i = 0; i < 4; i++) expect(leaf(t, IPA + i * K4)).toEqual([pte(PA + i * K4, lo, hi), 3]);
    }
  });

  it("remapping Normal pages as Device: break-before-make per page (tlbi_ipa level 3), no CMO; under SKIP_BBM_TLBI no TLBI", () => {
    for (const [flags, want] of [
      [0, [tlbi(IPA, 3), tlbi(IPA + K4, 3), tlbi(IPA + 2 * K4, 3)]],
      [WALK_SKIP_BBM_TLBI, []],
    ] as Array<[number, Ev[]]>) {
      const t = new KvmPgtable(FWB);
      t.map(IPA, 3 * K4, PA, RW, 0);
      t.log.clear();
      expect(t.map(IPA, 3 * K4, PA, DEV, flags)).toBe(0);
      expect(events(t)).toEqual(want);
      expect(leaf(t, IPA + 2 * K4)).toEqual([pte(PA + 2 * K4, PAGE_DEV, XN), 3]);
    }
  });

  it("a Normal block remapped as a Device block of exactly its size: allowed (gran(L) <= end - addr), tlbi_ipa level 2", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.log.clear();
    expect(t.map(IPA, M2, PA, DEV, 0)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA, 2)]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA, BLOCK_DEV, XN), 2]);
  });

  it("a Normal block remapped as Device at a PA one page off: the block is broken (tlbi level 2) and pages made", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.log.clear();
    expect(t.map(IPA, M2, PA + K4, DEV, 0)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA, 2)]);
    expect(leaf(t, IPA)).toEqual([pte(PA + K4, PAGE_DEV, XN), 3]);
    expect(leaf(t, IPA + M2 - K4)).toEqual([pte(PA + M2, PAGE_DEV, XN), 3]);
  });

  it("a Normal block remapped as Device over its first 1 MiB: broken, 256 Device pages, the rest of the block gone", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.log.clear();
    expect(t.map(IPA, M2 / 2, PA, DEV, 0)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA, 2)]);
    expect(leaf(t, IPA + M2 / 2 - K4)).toEqual([pte(PA + M2 / 2 - K4, PAGE_DEV, XN), 3]);
    expect(leaf(t, IPA + M2 / 2)).toEqual(["0x0", 3]);
  });

  it("a Normal block remapped as Device from one page into it, at an aligned PA: broken at the unaligned address, pages", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.log.clear();
    expect(t.map(IPA + K4, M2, PA, DEV, 0)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA + K4, 2)]);
    expect(leaf(t, IPA)).toEqual(["0x0", 3]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA, PAGE_DEV, XN), 3]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + M2 - K4, PAGE_DEV, XN), 3]);
  });

  it("a block then a table entry: the block replaced in the run, the table left to TABLE_PRE (block over table)", () => {
    for (const [cfg, want] of [
      [NOFWB, [tlbi(IPA, 2), ["tlbi_vmid"]]],
      [NOFWB_RANGE, [tlbi(IPA, 2), range(IPA + M2, 512)]],
    ] as Array<[Stage2Config, Ev[]]>) {
      const t = new KvmPgtable(cfg);
      t.map(IPA, M2, PA, RW, 0);
      t.map(IPA + M2, 2 * K4, PA + M2, RW, 0);
      t.log.clear();
      expect(t.map(IPA, 2 * M2, PA, DEV, 0)).toBe(0);
      expect(events(t)).toEqual(want);
      expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_DEV, XN), 2]);
      expect(leaf(t, IPA + M2 + K4)).toEqual([pte(PA + M2, BLOCK_DEV, XN), 2]);
      // The detached level-3 table is freed: the root pages and the level-2 table remain.
      expect(t.store.inUse).toBe(3);
    }
  });

  it("two Normal blocks remapped as Device blocks, the second at a PA not consecutive with the first", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 2 * M2, PA, RW, 0);
    t.log.clear();
    expect(t.map(IPA, 2 * M2, PA + 4 * M2, DEV, 0)).toBe(0);
    expect(events(t)).toEqual([tlbi(IPA, 2), tlbi(IPA + M2, 2)]);
    expect(leaf(t, IPA)).toEqual([pte(PA + 4 * M2, BLOCK_DEV, XN), 2]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + 5 * M2, BLOCK_DEV, XN), 2]);
  });
});
