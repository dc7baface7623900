// src/pgtable/pgtable.ts lines 901-1380, continued (test/unit/pgtable-runs-mutants.test.ts
// has the common cases): where the run loops must stop - at the end of the
// range, at a LOCKED marker, at a page count that reaches 0 - and the leaves
// whose PAs look like the next one's in one half only. Expected values are
// worked by hand from pgtable.c 6.18.25 as /work/shared/reference/kernel-reference.md
// sections 1, 3.2, 4 and 5 describe it; none is the model's own output. No
// store hook: with one the run loops stand aside (issue 23).
import { describe, expect, it } from "vitest";
import { EAGAIN, PROT_R, PROT_W, PROT_X, WALK_HANDLE_FAULT, WALK_SHARED } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { setRawPte } from "../../src/pgtable/rawpte.js";

const K4 = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;
const RW = PROT_R | PROT_W;
const DEV = PROT_R | PROT_W | (1 << 3);
const XN = 0x0040_0000;
const TTL = 2147483647; // TLBI_TTL_UNKNOWN (INT_MAX)

const NOFWB: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
const FWB: Stage2Config = { ...NOFWB, fwb: true };

// kernel-reference 1.4 (4K, no LPA2): low halves of Normal RW page / block without FWB, with FWB, Device RW.
const PAGE_N = 0x7ff;
const BLOCK_N = 0x7fd;
const PAGE_N_FWB = 0x7db;
const BLOCK_N_FWB = 0x7d9;
const PAGE_DEV = 0x7c7;
const BLOCK_DEV = 0x7c5;
const W_BIT = 0x80;
const LOCKED = 0x400;

type Ev = [string, string, number | string];
const hx = (n: number): string => `0x${n.toString(16)}`;
const tlbi = (ipa: number, level: number): Ev => ["tlbi_ipa", hx(ipa), level];
const nsh = (ipa: number, level: number): Ev => ["tlbi_ipa_nsh", hx(ipa), level];
const dc = (pa: number, size: number): Ev => ["dcache", hx(pa), hx(size)];
const ic = (pa: number, size: number): Ev => ["icache", hx(pa), hx(size)];
const pte = (pa: number, lo: number, hi: number): string => `0x${((BigInt(hi) << 32n) | BigInt(lo) | BigInt(pa)).toString(16)}`;

function leaf(t: KvmPgtable, ipa: number): [string | null, number | null] {
  const r = t.getLeaf(ipa);
  expect(r.ret).toBe(0);
  return [r.pte, r.level];
}

/** The table page an entry of `page` points to. */
function child(t: KvmPgtable, page: number, index: number): number {
  const lo = t.entryLo(page, index);
  expect(lo & 3).toBe(3);
  return t.childPage(lo, t.entryHi(page, index));
}

const IPA = 0x4000_0000;
const PA = 0x8000_0000;

describe("unmap: leaves that look like the next of a run in one half only (stage2_unmap_walker, kvm_pte_to_phys)", () => {
  const cases: Array<[string, number[]]> = [
    ["descending PAs", [0x8000_2000, 0x8000_1000, 0x8000_0000]],
    ["the PA of the first leaf again after a consecutive one", [0x8000_0000, 0x8000_1000, 0x8000_0000, 0x8000_1000]],
    ["the next low half with a high half of 1 instead of 0", [0x8000_0000, 0x1_8000_1000]],
    ["the next low half with a high half of 1 instead of 0, after a consecutive pair", [0x8000_0000, 0x8000_1000, 0x1_8000_2000]],
    ["the next low half with the high half raised, after a consecutive pair", [0x1_0000_0000, 0x1_0000_1000, 0x2_0000_2000]],
  ];
  for (const [name, pas] of cases) {
    it(`each leaf's tlbi at its IPA and dcache at its PA: ${name}`, () => {
      const t = new KvmPgtable(NOFWB);
      pas.forEach((pa, i) => expect(t.map(IPA + i * K4, K4, pa, RW, 0)).toBe(0));
      t.log.clear();
      expect(t.unmap(IPA, pas.length * K4)).toBe(0);
      const want: Ev[] = [];
      pas.forEach((pa, i) => want.push(tlbi(IPA + i * K4, 3), dc(pa, K4)));
      expect(t.log.toJson()).toEqual([...want, tlbi(IPA, TTL), tlbi(IPA, TTL)]);
    });
  }

  it("Device then Normal-NC at consecutive PAs (neither cleaned) then a Normal page: one TLBI each, one dcache", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, K4, PA, DEV, 0);
    t.map(IPA + K4, K4, PA + K4, PROT_R | (1 << 4), 0);
    t.map(IPA + 2 * K4, K4, PA + 2 * K4, RW, 0);
    t.log.clear();
    t.unmap(IPA, 3 * K4);
    expect(t.log.toJson()).toEqual([tlbi(IPA, 3), tlbi(IPA + K4, 3), tlbi(IPA + 2 * K4, 3), dc(PA + 2 * K4, K4), tlbi(IPA, TTL), tlbi(IPA, TTL)]);
  });
});

describe("unmap with a table page's count below its entries (put_page reaching 0 frees the page: kernel-reference 5.0, 5.2)", () => {
  it("four leaves, count 4 instead of 5: the fourth put frees the level-3 table; the table entry is kept (page_count(child) != 1)", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 4 * K4, PA, RW, 0);
    const l2 = child(t, t.pgd, 1);
    const l3 = child(t, l2, 0);
    expect(t.store.pageCount(l3)).toBe(5);
    t.store.refcount[l3] = 4;
    const before = t.store.inUse;
    t.log.clear();
    expect(t.unmap(IPA, 4 * K4)).toBe(0);
    expect(t.log.toJson()).toEqual([
      tlbi(IPA, 3),
      dc(PA, K4),
      tlbi(IPA + K4, 3),
      dc(PA + K4, K4),
      tlbi(IPA + 2 * K4, 3),
      dc(PA + 2 * K4, K4),
      tlbi(IPA + 3 * K4, 3),
      dc(PA + 3 * K4, K4),
    ]);
    expect(t.store.inUse).toBe(before - 1);
    expect(t.store.pageCount(l3)).toBe(0);
    // The level-2 entry still points at the freed page; the level-2 table keeps its count.
    expect(t.entryLo(l2, 0) & 3).toBe(3);
    expect(t.store.pageCount(l2)).toBe(2);
  });

  it("a block whose level-2 table has count 1, unmapped from inside: tlbi at the unaligned address, the table freed", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    const l2 = child(t, t.pgd, 1);
    t.store.refcount[l2] = 1;
    const before = t.store.inUse;
    t.log.clear();
    expect(t.unmap(IPA + K4, M2 - K4)).toBe(0);
    expect(t.log.toJson()).toEqual([tlbi(IPA + K4, 2), dc(PA, M2)]);
    expect(t.store.inUse).toBe(before - 1);
  });
});

describe("the attribute walker stops at the end of the range (stage2_attr_walker, kernel-reference 5.3)", () => {
  it("wrprotect of a page and an empty entry: the page after the range keeps W", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, K4, PA, RW, 0);
    t.map(IPA + 2 * K4, K4, PA + 2 * K4, RW, 0);
    expect(t.wrprotect(IPA, 2 * K4)).toBe(0);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N_FWB & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 2 * K4)).toEqual([pte(PA + 2 * K4, PAGE_N_FWB, XN), 3]);
  });

  it("wrprotect of the first of two blocks: the second keeps W", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, 2 * M2, PA, RW, 0);
    expect(t.wrprotect(IPA, M2)).toBe(0);
    expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_N_FWB & ~W_BIT, XN), 2]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA + M2, BLOCK_N_FWB, XN), 2]);
  });

  it("relax_perms X on one page or block: the next leaf keeps XN (relax_perms covers one page)", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * K4, PA, PROT_R, 0);
    t.map(IPA + M2, 2 * M2, PA + M2, PROT_R, 0);
    t.log.clear();
    expect(t.relaxPerms(IPA, PROT_X, 0)).toBe(0);
    expect(t.relaxPerms(IPA + M2, PROT_X, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([ic(PA, K4), nsh(IPA, 3), ic(PA + M2, M2), nsh(IPA + M2, 2)]);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N & ~W_BIT, 0), 3]);
    expect(leaf(t, IPA + K4)).toEqual([pte(PA + K4, PAGE_N & ~W_BIT, XN), 3]);
    expect(leaf(t, IPA + 2 * M2)).toEqual([pte(PA + 2 * M2, BLOCK_N & ~W_BIT, XN), 2]);
  });

  it("relax_perms W|X on a page already executable: W added, no icache (X was not added)", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, K4, PA, PROT_R | PROT_X, 0);
    t.log.clear();
    expect(t.relaxPerms(IPA, PROT_W | PROT_X, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([nsh(IPA, 3)]);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N, 0), 3]);
  });
});

describe("aging and flush skip invalid entries whatever their bits (stage2_age_walker, stage2_flush_walker)", () => {
  it("a LOCKED marker (bit 10, the AF position) is not young and is not stored", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, K4, PA, RW, 0);
    setRawPte(t, IPA + K4, 3, BigInt(LOCKED));
    expect(t.testClearYoung(IPA, K4, true)).toBe(true);
    expect(t.testClearYoung(IPA, 2 * K4, true)).toBe(false);
    expect(leaf(t, IPA + K4)).toEqual([hx(LOCKED), 3]);
  });

  it("an invalid entry with the Normal MemAttr bits is not cleaned", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, K4, PA, RW, 0);
    setRawPte(t, IPA + K4, 3, 0x3cn | BigInt(PA + K4));
    t.map(IPA + 2 * K4, K4, PA + 2 * K4, RW, 0);
    t.log.clear();
    expect(t.flush(IPA, 3 * K4)).toBe(0);
    expect(t.log.toJson()).toEqual([dc(PA, K4), dc(PA + 2 * K4, K4)]);
  });

  it("flush of pages above 4 GiB after one below: each dcache at its own PA", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, K4, PA, RW, 0);
    t.map(IPA + K4, K4, 0x1_0000_0000, RW, 0);
    t.map(IPA + 2 * K4, K4, 0x2_4000_0000, RW, 0);
    t.map(IPA + M2, M2, 0x3_0000_0000, RW, 0);
    t.log.clear();
    expect(t.flush(IPA, 2 * M2)).toBe(0);
    expect(t.log.toJson()).toEqual([dc(PA, K4), dc(0x1_0000_0000, K4), dc(0x2_4000_0000, K4), dc(0x3_0000_0000, M2)]);
  });
});

describe("map: the entry-by-entry part of the run (stage2_map_walker_try_leaf, stage2_try_break_pte, stage2_make_pte)", () => {
  it("over an owner annotation with HANDLE_FAULT: the annotation replaced (no TLBI: invalid), the rest mapped, 0", () => {
    const t = new KvmPgtable(NOFWB);
    t.setOwner(IPA + K4, K4, 1);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    expect(t.store.pageCount(l3)).toBe(2);
    t.log.clear();
    expect(t.map(IPA, 4 * K4, PA, RW, WALK_HANDLE_FAULT | WALK_SHARED)).toBe(0);
    expect(t.log.toJson()).toEqual([dc(PA, K4), dc(PA + K4, K4), dc(PA + 2 * K4, K4), dc(PA + 3 * K4, K4)]);
    for (let i = 0; i < 4; i++) expect(leaf(t, IPA + i * K4)).toEqual([pte(PA + i * K4, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + 4 * K4)).toEqual(["0x0", 3]);
    expect(t.store.pageCount(l3)).toBe(5);
    expect(t.warnings).toEqual([]);
  });

  it("over a LOCKED marker: stage2_try_break_pte fails, -EAGAIN (a WARN outside a shared walk), the marker stays", () => {
    for (const [flags, ret, warns] of [
      [0, 0, 1],
      [WALK_SHARED, 0, 0],
      [WALK_HANDLE_FAULT | WALK_SHARED, -EAGAIN, 0],
    ]) {
      const t = new KvmPgtable(NOFWB);
      setRawPte(t, IPA + K4, 3, BigInt(LOCKED));
      const l3 = child(t, child(t, t.pgd, 1), 0);
      t.log.clear();
      expect(t.map(IPA, 3 * K4, PA, RW, flags)).toBe(ret);
      expect(t.warnings.length).toBe(warns);
      expect(leaf(t, IPA + K4)).toEqual([hx(LOCKED), 3]);
      if (ret === 0) {
        expect(t.log.toJson()).toEqual([dc(PA, K4), dc(PA + 2 * K4, K4)]);
        expect(t.store.pageCount(l3)).toBe(4);
      } else {
        expect(t.log.toJson()).toEqual([dc(PA, K4)]);
        expect(leaf(t, IPA + 2 * K4)).toEqual(["0x0", 3]);
        expect(t.store.pageCount(l3)).toBe(3);
      }
    }
  });

  it("over an invalid entry whose low half is 0 (XN only): replaced with its reference put and the new one taken", () => {
    const t = new KvmPgtable(NOFWB);
    setRawPte(t, IPA, 3, 1n << 54n);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    expect(t.store.pageCount(l3)).toBe(2);
    t.log.clear();
    expect(t.map(IPA, 2 * K4, PA, RW, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([dc(PA, K4), dc(PA + K4, K4)]);
    expect(t.store.pageCount(l3)).toBe(3);
    expect(leaf(t, IPA)).toEqual([pte(PA, PAGE_N, XN), 3]);
    expect(t.warnings).toEqual([]);
  });

  it("set_owner 0 over a valid page: broken (tlbi level 3), 0 stored, the reference dropped and not taken again", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, 2 * K4, PA, RW, 0);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    t.log.clear();
    expect(t.setOwner(IPA, K4, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([tlbi(IPA, 3)]);
    expect(leaf(t, IPA)).toEqual(["0x0", 3]);
    expect(t.store.pageCount(l3)).toBe(2);
  });

  it("a 1 GiB block remapped as Device: a level-1 block again (level 1 supports blocks with 4K), tlbi level 1", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, G1, PA, RW, 0);
    t.log.clear();
    expect(t.map(IPA, G1, PA, DEV, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([tlbi(IPA, 1)]);
    expect(leaf(t, IPA + M2)).toEqual([pte(PA, BLOCK_DEV, XN), 1]);
    expect(t.store.inUse).toBe(2);
  });

  it("entry by entry to the end of a level-3 table, then a new table: each table counts its own leaves", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA + M2 - 2 * K4, K4, PA, RW, 0);
    t.log.clear();
    expect(t.map(IPA + M2 - 2 * K4, 4 * K4, PA, RW, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([dc(PA + K4, K4), dc(PA + 2 * K4, K4), dc(PA + 3 * K4, K4)]);
    const l2 = child(t, t.pgd, 1);
    expect(t.store.pageCount(l2)).toBe(3);
    expect(t.store.pageCount(child(t, l2, 0))).toBe(3);
    expect(t.store.pageCount(child(t, l2, 1))).toBe(3);
    expect(leaf(t, IPA + M2 + K4)).toEqual([pte(PA + 3 * K4, PAGE_N, XN), 3]);
    expect(leaf(t, IPA + M2 + 2 * K4)).toEqual(["0x0", 3]);
  });

  it("Device pages over Normal ones after an identical first page: one TLBI per replaced page, the counts unchanged", () => {
    const t = new KvmPgtable(FWB);
    t.map(IPA, K4, PA, DEV, 0);
    t.map(IPA + K4, 2 * K4, PA + K4, RW, 0);
    const l3 = child(t, child(t, t.pgd, 1), 0);
    t.log.clear();
    expect(t.map(IPA, 4 * K4, PA, DEV, 0)).toBe(0);
    expect(t.log.toJson()).toEqual([tlbi(IPA + K4, 3), tlbi(IPA + 2 * K4, 3)]);
    expect(t.store.pageCount(l3)).toBe(5);
    for (let i = 0; i < 4; i++) expect(leaf(t, IPA + i * K4)).toEqual([pte(PA + i * K4, PAGE_DEV, XN), 3]);
  });
});

describe("kvm_pgtable_stage2_create_unlinked: force_pte builds pages under every level-2 entry (kernel-reference 5.5)", () => {
  it("level 1 with force_pte: 512 table entries, each over 512 pages; without: 512 blocks; no event", () => {
    const t = new KvmPgtable(FWB);
    const p = t.createUnlinked(0x4000_0000, 1, RW, true);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(t.store.pageCount(p)).toBe(513);
    const c0 = child(t, p, 0);
    const c511 = child(t, p, 511);
    expect(t.store.pageCount(c511)).toBe(513);
    expect(pte(0, t.entryLo(c0, 0), t.entryHi(c0, 0))).toBe(pte(0x4000_0000, PAGE_N_FWB, XN));
    expect(pte(0, t.entryLo(c511, 511), t.entryHi(c511, 511))).toBe(pte(0x4000_0000 + G1 - K4, PAGE_N_FWB, XN));
    const q = t.createUnlinked(0x4000_0000, 1, RW, false);
    expect(t.store.pageCount(q)).toBe(513);
    expect(pte(0, t.entryLo(q, 5), t.entryHi(q, 5))).toBe(pte(0x4000_0000 + 5 * M2, BLOCK_N_FWB, XN));
    expect(t.log.toJson()).toEqual([]);
  });

  it("level 2 with force_pte: 512 pages", () => {
    const t = new KvmPgtable(NOFWB);
    const p = t.createUnlinked(PA + M2, 2, RW | PROT_X, true);
    expect(t.store.pageCount(p)).toBe(513);
    expect(pte(0, t.entryLo(p, 3), t.entryHi(p, 3))).toBe(pte(PA + M2 + 3 * K4, PAGE_N, 0));
    expect(t.log.toJson()).toEqual([]);
  });
});

describe("dcache sizes of blocks in the entry-by-entry part (kvm_granule_size of the entry's level)", () => {
  it("two Device blocks then a Normal block remapped in one map after a first identical block", () => {
    const t = new KvmPgtable(NOFWB);
    t.map(IPA, M2, PA, RW, 0);
    t.map(IPA + M2, 2 * M2, PA + M2, DEV, 0);
    t.log.clear();
    expect(t.map(IPA, 3 * M2, PA, RW | PROT_X, 0)).toBe(0);
    // Block 0 differs only in XN: -EAGAIN, passed over. Blocks 1 and 2: broken, cleaned and invalidated as 2 MiB blocks.
    expect(t.log.toJson()).toEqual([tlbi(IPA + M2, 2), dc(PA + M2, M2), ic(PA + M2, M2), tlbi(IPA + 2 * M2, 2), dc(PA + 2 * M2, M2), ic(PA + 2 * M2, M2)]);
    expect(leaf(t, IPA)).toEqual([pte(PA, BLOCK_N, XN), 2]);
    expect(leaf(t, IPA + 2 * M2)).toEqual([pte(PA + 2 * M2, BLOCK_N, 0), 2]);
  });
});
