// The invariant checkers catch what they claim to: each test breaks one
// invariant on purpose (by writing the table storage or calling the store
// hook directly) and expects the checker to name it. Expected messages are
// the invariant in words; the corrupted values are chosen by hand.
import { describe, expect, it } from "vitest";
import {
  INVALID_PTE_LOCKED_LO,
  S2AP_W_LO,
  S2_AF_LO,
  S2_DBM_HI,
  SW_SHIFT_HI,
  TLBI_TTL_UNKNOWN,
  WALK_SKIP_BBM_TLBI,
  PROT_R,
  PROT_W,
} from "../../src/pgtable/descriptor.js";
import { EV_TLBI_IPA, EV_TLBI_IPA_NSH, EV_TLBI_RANGE, EV_TLBI_VMID } from "../../src/pgtable/events.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { parseScenario } from "../../src/scenario/format.js";
import { BbmChecker, type TlbiEvent } from "../../src/reliability/bbm.js";
import { CheckedRun, InvariantViolation } from "../../src/reliability/checked.js";
import { checkTables } from "../../src/reliability/invariants.js";

// 4K granule, 40-bit IPA: start level 1, two concatenated root pages.
const CFG = { granule: 4096 as const, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };
const PAGE_IPA = 0x40000000;
const BLOCK_IPA = 0x40200000;

/** A table with one R|W page at 0x40000000 (PA 0x80000000) and one 2 MiB R|W block at 0x40200000 (PA 0x80200000). */
function table(): KvmPgtable {
  const pgt = new KvmPgtable(CFG);
  expect(pgt.map(PAGE_IPA, 0x1000, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
  expect(pgt.map(BLOCK_IPA, 0x200000, 0x80200000, PROT_R | PROT_W, 0)).toBe(0);
  return pgt;
}

/** Table pages on the way to `ipa`: [root page, level-2 table, level-3 table]. */
function path(pgt: KvmPgtable, ipa: number): number[] {
  const pages = [pgt.pgd + Math.floor(ipa / 2 ** 39)];
  for (let level = 1; level < 3; level++) {
    const page = pages[pages.length - 1];
    const i = Math.floor(ipa / pgt.granuleSize(level)) % 512;
    const lo = pgt.entryLo(page, i);
    if (!pgt.isTable(lo, level)) break;
    pages.push(pgt.childPage(lo, pgt.entryHi(page, i)));
  }
  return pages;
}

function poke(pgt: KvmPgtable, page: number, index: number, lo: number, hi: number): void {
  const off = pgt.store.pageOffset(page) + 2 * index;
  pgt.store.chunkOf(page)[off] = lo;
  pgt.store.chunkOf(page)[off + 1] = hi;
}

describe("structural checker", () => {
  it("passes the table the operations built: 2 tables, 2 leaves", () => {
    const r = checkTables(table(), true);
    expect(r.violations).toEqual([]);
    expect(r.census).toEqual({ tables: 2, leaves: 2, annotations: 0 });
  });
  it("a page_count one too high", () => {
    const pgt = table();
    const l3 = path(pgt, PAGE_IPA)[2];
    pgt.store.refcount[l3]++;
    expect(checkTables(pgt).violations.join()).toMatch(new RegExp(`page ${l3} \\(level 3 table at IPA 0x40000000\\): page_count 3, expected 1 \\+ 1`));
  });
  it("an allocated page no table entry reaches (a leak)", () => {
    const pgt = table();
    const p = pgt.store.zallocPage();
    expect(checkTables(pgt).violations.join()).toMatch(new RegExp(`page ${p} is allocated \\(page_count 1\\) but unreachable: leaked`));
  });
  it("a table page linked from two entries", () => {
    const pgt = table();
    const [root] = path(pgt, PAGE_IPA);
    // Root entry 1 (IPA 0x40000000) holds the level-2 table; copy it into entry 2.
    poke(pgt, root, 2, pgt.entryLo(root, 1), pgt.entryHi(root, 1));
    pgt.store.refcount[root]++;
    expect(checkTables(pgt).violations.join()).toMatch(/table page \d+ is reachable twice/);
  });
  it("a LOCKED marker left behind", () => {
    const pgt = table();
    const l3 = path(pgt, PAGE_IPA)[2];
    poke(pgt, l3, 5, INVALID_PTE_LOCKED_LO, 0);
    pgt.store.refcount[l3]++;
    expect(checkTables(pgt).violations.join()).toMatch(/level 3 entry 5 .*neither empty nor an owner annotation/);
  });
  it("a leaf with DBM (bit 51) set, which KVM never writes", () => {
    const pgt = table();
    const l3 = path(pgt, PAGE_IPA)[2];
    poke(pgt, l3, 0, pgt.entryLo(l3, 0), pgt.entryHi(l3, 0) | S2_DBM_HI);
    expect(checkTables(pgt).violations.join()).toMatch(/leaf 0x48000080000[0-9a-f]+ has bits KVM never writes/);
  });
  it("a level-3 leaf without the page type bit", () => {
    const pgt = table();
    const l3 = path(pgt, PAGE_IPA)[2];
    poke(pgt, l3, 0, pgt.entryLo(l3, 0) & ~2, pgt.entryHi(l3, 0));
    expect(checkTables(pgt).violations.join()).toMatch(/type bit 0 is wrong for a leaf at this level/);
  });
  it("a root entry beyond 2^ia_bits (4K, ia 36: one root page, 64 entries of 1 GiB in use)", () => {
    const pgt = new KvmPgtable({ ...CFG, iaBits: 36 });
    poke(pgt, pgt.pgd, 64, 0x4, 0);
    pgt.store.refcount[pgt.pgd]++;
    expect(checkTables(pgt).violations.join()).toMatch(/level 1 entry 64 \(IPA 0x1000000000\).*root entry beyond 2\^ia_bits/);
  });
  it("a free page that is not zeroed (deep check)", () => {
    const pgt = table();
    const p = pgt.store.zallocPage();
    pgt.store.putPage(p);
    poke(pgt, p, 7, 1, 0);
    expect(checkTables(pgt, false).violations).toEqual([]);
    expect(checkTables(pgt, true).violations.join()).toMatch(new RegExp(`free page ${p} is not zeroed \\(entry 7\\)`));
  });
});

describe("break-before-make checker", () => {
  /** A table, a checker attached, and helpers that store through the hook and log events. */
  function rig(flags = 0) {
    const pgt = table();
    const bbm = new BbmChecker();
    bbm.attach(pgt);
    const first = pgt.log.length;
    bbm.beginOp(flags);
    const store = (page: number, index: number, lo: number, hi: number): void => {
      pgt.storeHook?.(page, index, pgt.entryLo(page, index), pgt.entryHi(page, index), lo, hi);
      poke(pgt, page, index, lo, hi);
    };
    const end = (): string[] => {
      const ev: TlbiEvent[] = [];
      for (let i = first; i < pgt.log.length; i++) ev.push({ kind: pgt.log.kindAt(i), a: pgt.log.aAt(i), b: pgt.log.bAt(i) });
      return bbm.endOp(ev, first);
    };
    const [, l2, l3] = path(pgt, PAGE_IPA);
    const page = { lo: pgt.entryLo(l3, 0), hi: pgt.entryHi(l3, 0) };
    return { pgt, bbm, store, end, l2, l3, page };
  }

  it("refuses a valid page replaced in place by one with another PA", () => {
    const { store, end, l3, page } = rig();
    store(l3, 0, page.lo + 0x1000, page.hi); // PA 0x80001000 (0x400000800007db is map-page-4k-rw's leaf, NOTES.md)
    expect(end().join()).toMatch(
      /level 3 entry for IPA 0x40000000: valid leaf 0x400000800007db replaced in place by 0x400000800017db: bits 12 need break-before-make/,
    );
  });
  it("allows S2AP, AF and SW changes in place, and counts them", () => {
    const { store, end, l3, page, bbm } = rig();
    store(l3, 0, page.lo & ~S2AP_W_LO, page.hi);
    store(l3, 0, page.lo & ~S2AP_W_LO & ~S2_AF_LO, page.hi);
    store(l3, 0, page.lo & ~S2AP_W_LO & ~S2_AF_LO, (page.hi | (1 << SW_SHIFT_HI)) >>> 0);
    expect(end()).toEqual([]);
    expect([bbm.stats.inPlacePerms, bbm.stats.inPlaceAf, bbm.stats.inPlaceSw]).toEqual([1, 1, 1]);
  });
  it("refuses make after break without a TLBI", () => {
    const { store, end, l3, page } = rig();
    store(l3, 0, INVALID_PTE_LOCKED_LO, 0);
    store(l3, 0, page.lo + 0x1000, page.hi);
    expect(end().join()).toMatch(/made valid \(0x400000800017db\) while the level 3 leaf at 0x40000000 it replaces has had no TLB invalidation/);
  });
  it.each([
    ["tlbi_ipa with the leaf's level", EV_TLBI_IPA, PAGE_IPA + 0x800, 3, true],
    ["tlbi_ipa with TTL unknown", EV_TLBI_IPA, PAGE_IPA, TLBI_TTL_UNKNOWN, true],
    ["tlbi_ipa with a wrong TTL hint (2 for a page)", EV_TLBI_IPA, PAGE_IPA, 2, false],
    ["tlbi_ipa of another page", EV_TLBI_IPA, PAGE_IPA + 0x1000, 3, false],
    ["tlbi_ipa_nsh (one CPU only)", EV_TLBI_IPA_NSH, PAGE_IPA, 3, false],
    ["tlbi_range over the page", EV_TLBI_RANGE, PAGE_IPA, 1, true],
    ["tlbi_range ending just before it", EV_TLBI_RANGE, PAGE_IPA - 0x2000, 2, false],
    ["tlbi_vmid", EV_TLBI_VMID, 0, 0, true],
  ])("break, %s, make", (_, kind, a, b, ok) => {
    const { pgt, store, end, l3, page } = rig();
    store(l3, 0, INVALID_PTE_LOCKED_LO, 0);
    pgt.log.push(kind, a, b);
    store(l3, 0, page.lo + 0x1000, page.hi);
    expect(end().length === 0).toBe(ok);
  });
  it("under SKIP_BBM_TLBI the missing TLBI is the caller's: counted, not refused", () => {
    const { store, end, l3, page, bbm } = rig(WALK_SKIP_BBM_TLBI);
    store(l3, 0, INVALID_PTE_LOCKED_LO, 0);
    store(l3, 0, page.lo + 0x1000, page.hi);
    expect(end()).toEqual([]);
    expect(bbm.stats.callerOwed).toBe(1);
  });
  it("refuses a leaf cleared without any TLBI by the end of the op", () => {
    const { store, end, l3 } = rig();
    store(l3, 0, 0, 0);
    expect(end().join()).toMatch(/the level 3 leaf for IPA 0x40000000 was made invalid but its TLB entries were never invalidated/);
  });
  it("a table with a live subtree needs a TLBI over its whole span", () => {
    for (const [kind, a, b, ok] of [
      [EV_TLBI_IPA, PAGE_IPA, TLBI_TTL_UNKNOWN, false],
      [EV_TLBI_RANGE, PAGE_IPA, 256, false],
      [EV_TLBI_RANGE, PAGE_IPA, 512, true],
      [EV_TLBI_VMID, 0, 0, true],
    ] as const) {
      const { pgt, store, end, l2, page } = rig();
      store(l2, 0, INVALID_PTE_LOCKED_LO, 0);
      pgt.log.push(kind, a, b);
      store(l2, 0, (page.lo & ~2 & ~0x1ff000) >>> 0, page.hi); // a 2 MiB block at PA 0x80000000
      expect(end().length === 0, `event ${kind} ${a} ${b}`).toBe(ok);
    }
  });
  it("refuses a table replaced by a block without an invalid entry in between", () => {
    const { store, end, l2, page } = rig();
    store(l2, 0, (page.lo & ~2 & ~0x1ff000) >>> 0, page.hi);
    expect(end().join()).toMatch(/level 2 entry for IPA 0x40000000: valid table replaced by a valid leaf without an invalid entry in between/);
  });
  it("ignores stores into a table not linked into the live tree (create_unlinked)", () => {
    const { pgt, store, end, page } = rig();
    const detached = pgt.store.zallocPage();
    store(detached, 0, page.lo, page.hi);
    store(detached, 0, page.lo + 0x1000, page.hi);
    expect(end()).toEqual([]);
  });
});

describe("the reference-model comparisons", () => {
  const scn = parseScenario({
    name: "tamper",
    config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false },
    ops: [
      { op: "map", ipa: "0x40000000", size: "0x200000", pa: "0x80000000", prot: "R|W", flags: "" },
      { op: "get_leaf", ipa: "0x40001000" },
    ],
  });
  it("pass when nothing is tampered with", () => {
    expect(new CheckedRun(scn, { deep: true }).run().ops).toBe(2);
  });
  it("catch a change the model did not see (the table write-protected behind its back)", () => {
    const run = new CheckedRun(scn, { deep: true });
    run.step(0);
    run.pgt.wrprotect(0x40000000, 0x200000);
    expect(() => run.step(1)).toThrow(InvariantViolation);
    expect(() => new CheckedRun(scn, { deep: true }).step(0)).not.toThrow();
  });
  it("name the field that differs", () => {
    const run = new CheckedRun(scn, { deep: true });
    run.step(0);
    run.pgt.wrprotect(0x40000000, 0x200000);
    let msg = "";
    try {
      run.step(1);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/^ops\[1\]: return value: level 2 IPA 0x40000000 \(0x40000080000[0-9a-f]+\): S2AP\.W 0 \(model 1\)$/);
  });
});

describe("a finding: unmap's deferred TLBI and sizes that are not page multiples", () => {
  // kernel-reference.md §4 and §5.2: the walk ends at PAGE_ALIGN(ALIGN_DOWN(addr) + size),
  // but with FEAT_TLBIRANGE and FWB the one deferred kvm_tlb_flush_vmid_range(addr, size)
  // covers size >> PAGE_SHIFT pages (truncated). unmap(0x40000000, 0x800) clears the
  // page at 0x40000000 and asks for no TLBI at all: the old translation can stay in
  // the TLB. mmu.c only ever passes page-aligned ranges, so this is a caller contract
  // of kvm_pgtable_stage2_unmap(), which the checker makes visible.
  const scn = (size: string, tlbRange: boolean) =>
    parseScenario({
      name: "unmap-unaligned",
      config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: tlbRange },
      ops: [
        { op: "map", ipa: "0x40000000", size: "0x2000", pa: "0x80000000", prot: "R|W", flags: "" },
        { op: "unmap", ipa: "0x40000000", size },
      ],
    });
  it("size 0x800 with FEAT_TLBIRANGE and FWB: the page is cleared, no TLBI is asked for", () => {
    const run = new CheckedRun(scn("0x800", true));
    run.step(0);
    expect(() => run.step(1)).toThrow(
      /ops\[1\]: break-before-make: the level 3 leaf for IPA 0x40000000 was made invalid but its TLB entries were never invalidated/,
    );
    expect(run.results[1].events).toEqual([]);
  });
  it("size 0x1800: two pages cleared, the range TLBI covers one", () => {
    expect(() => new CheckedRun(scn("0x1800", true)).run()).toThrow(
      /the level 3 leaf for IPA 0x40001000 was made invalid but its TLB entries were never invalidated/,
    );
  });
  it("without FEAT_TLBIRANGE each leaf gets its own tlbi_ipa: no stale entry", () => {
    expect(new CheckedRun(scn("0x1800", false)).run().breaks).toBeGreaterThan(0);
  });
  it("page-aligned sizes (what mmu.c passes) are covered", () => {
    expect(() => new CheckedRun(scn("0x2000", true)).run()).not.toThrow();
  });
});
