// s2pt bench's counts (src/workload), checked three ways:
//  1. small instances of every pattern against counts worked out by hand here, from NOTES.md
//     and kernel-reference.md sections 5 and 6 (each expectation says where it comes from);
//  2. the same calls written as a FORMAT.md scenario and replayed (src/pgtable/replay.ts): the
//     replay's own events, counted here, must give the bench's counts;
//  3. every conformance scenario run as a bench workload against the events and final table
//     the real kernel's pgtable.c produced for it (the expected files).
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X, TLBI_TTL_UNKNOWN, WALK_HANDLE_FAULT, WALK_SHARED } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { replay } from "../../src/scenario/replay.js";
import { emptyOp, parseScenarioText } from "../../src/scenario/format.js";
import type { Scenario, ScenarioOp } from "../../src/scenario/types.js";
import type { BenchConfig } from "../../src/workload/config.js";
import { DEFAULT_PARAMS, XorShift32, permutation, planPattern, planScenario, type PatternParams } from "../../src/workload/patterns.js";
import { runBench, type ConfigResult } from "../../src/workload/run.js";
import type { Counts } from "../../src/workload/counts.js";
import { conformanceDir, readJson, readText, scenarioNames } from "../helpers.js";

const K = 4096;
const M2 = 2 ** 21;
const G1 = 2 ** 30;
const TTL = TLBI_TTL_UNKNOWN;
/** KVM's default VM: 4K pages, 40-bit IPA (start level 1, 2 root pages), FWB off, no TLBIRANGE, no DIC. */
const CFG: BenchConfig = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false, dic: false, eagerSplit: 0 };

function bench(pattern: PatternParams["pattern"], p: Partial<PatternParams>, c: Partial<BenchConfig> = {}, maxTablePages = 65536): ConfigResult {
  const spec = planPattern({ ...DEFAULT_PARAMS, pattern, ...p }, [{ ...CFG, ...c }]);
  return runBench({ spec, maxTablePages, reps: 0, warmup: 0 }).results[0];
}

function counts(r: ConfigResult): Counts {
  expect(r.refusal).toBeNull();
  expect(r.error).toBeNull();
  expect(r.counts).not.toBeNull();
  return r.counts as Counts;
}

/** TLBI-by-IPA counts as { level: n } (levels -1..3) plus the table entries. */
function ipaLevels(c: Counts["tlbiIpa"]): Record<string, number> {
  const o: Record<string, number> = {};
  c.byLevel.forEach((n, i) => {
    if (n) o[`L${i - 1}`] = n;
  });
  if (c.ttlUnknown) o.ttl = c.ttlUnknown;
  return o;
}

describe("hand-computed counts for small instances of every pattern (4K pages, 40-bit IPA)", () => {
  it("fault-in 2 MiB by 4K pages: 512 maps, a level-2 and a level-3 table, one dcache per page without FWB", () => {
    const c = counts(bench("fault-in", { size: M2 }));
    expect(c.calls).toEqual({ kvm_pgtable_stage2_map: 512 });
    expect(c.tlbiTotal).toBe(0); // new leaves in empty entries: break-before-make of 0 issues no TLBI (NOTES 3)
    expect(c.dcache).toEqual({ ops: 512, bytes: 512 * K, hostBytes: 512 * K }); // Normal, FWB off: dcache per leaf
    expect(c.icache).toEqual({ ops: 0, bytes: 0, hostBytes: 0 }); // R|W: XN set
    expect(c.tablePages).toEqual({ start: 2, allocated: 2, freed: 0, peak: 4, end: 4 });
    // Each leaf and table entry goes through stage2_try_break_pte (LOCKED) then stage2_make_pte: 2 stores each.
    expect(c.descriptorStores).toBe(2 * 512 + 2 * 2);
    expect(c.breakBeforeMake).toBe(0);
    expect(c.memcache).toEqual({ pages: 2, maxPerCall: 2 });
  });
  it("fault-in with FWB: pgtable.c still asks for the dcache clean, the host's callback does nothing", () => {
    const c = counts(bench("fault-in", { size: M2 }, { fwb: true }));
    expect(c.dcache).toEqual({ ops: 512, bytes: 512 * K, hostBytes: 0 });
  });
  it("fault-in with CTR_EL0.DIC: RAM faults get X, so an icache invalidation per page, none done by address", () => {
    const r = bench("fault-in", { size: M2 }, { dic: true });
    expect(r.prot).toBe(PROT_R | PROT_W | PROT_X);
    expect(counts(r).icache).toEqual({ ops: 512, bytes: 512 * K, hostBytes: 0 });
  });
  it("fault-in in a random order: the same counts as in order", () => {
    const seq = counts(bench("fault-in", { size: 2 * M2 }));
    const rnd = counts(bench("fault-in", { size: 2 * M2, order: "random" }));
    expect(rnd).toEqual(seq);
  });
  it("thp 4 MiB: two 2 MiB blocks under one new level-2 table", () => {
    const c = counts(bench("thp", { size: 2 * M2 }, { fwb: true }));
    expect(c.calls).toEqual({ kvm_pgtable_stage2_map: 2 });
    expect(c.dcache).toEqual({ ops: 2, bytes: 2 * M2, hostBytes: 0 });
    expect(c.tablePages).toEqual({ start: 2, allocated: 1, freed: 0, peak: 3, end: 3 });
    expect(c.descriptorStores).toBe(2 + 2 * 2);
  });
  it("hugetlb-1g 2 GiB: two level-1 blocks in the root page, no table page", () => {
    const c = counts(bench("hugetlb-1g", { size: 2 * G1 }));
    expect(c.calls).toEqual({ kvm_pgtable_stage2_map: 2 });
    expect(c.dcache).toEqual({ ops: 2, bytes: 2 * G1, hostBytes: 2 * G1 });
    expect(c.tablePages).toEqual({ start: 2, allocated: 0, freed: 0, peak: 2, end: 2 });
    expect(c.descriptorStores).toBe(4);
  });
  describe("teardown: 512 pages of 4K mapped, then unmapped (NOTES 1 and 7)", () => {
    it("without TLBIRANGE: 512 TLBI by IPA at level 3 plus one per table page freed (TTL unknown); dcache per page without FWB", () => {
      const c = counts(bench("teardown", { size: M2 }));
      expect(c.calls).toEqual({ kvm_pgtable_stage2_unmap: 1 });
      expect(ipaLevels(c.tlbiIpa)).toEqual({ L3: 512, ttl: 2 });
      expect(c.tlbiRange).toEqual({ ops: 0, pages: 0 });
      expect(c.tlbiTotal).toBe(514);
      expect(c.dcache).toEqual({ ops: 512, bytes: 512 * K, hostBytes: 512 * K });
      expect(c.tablePages).toEqual({ start: 4, allocated: 0, freed: 2, peak: 4, end: 2 });
      expect(c.descriptorStores).toBe(514); // every leaf and both table entries cleared once
    });
    it("FWB without TLBIRANGE: the same TLBIs, no dcache (not cacheable-and-!FWB)", () => {
      const c = counts(bench("teardown", { size: M2 }, { fwb: true }));
      expect(ipaLevels(c.tlbiIpa)).toEqual({ L3: 512, ttl: 2 });
      expect(c.dcache.ops).toBe(0);
    });
    it("TLBIRANGE without FWB: no deferral", () => {
      const c = counts(bench("teardown", { size: M2 }, { tlbRange: true }));
      expect(ipaLevels(c.tlbiIpa)).toEqual({ L3: 512, ttl: 2 });
      expect(c.tlbiRange.ops).toBe(0);
      expect(c.dcache.ops).toBe(512);
    });
    it("FWB and TLBIRANGE: the leaf TLBIs deferred to one range TLBI of 512 pages; the table TLBIs stay", () => {
      const c = counts(bench("teardown", { size: M2 }, { fwb: true, tlbRange: true }));
      expect(ipaLevels(c.tlbiIpa)).toEqual({ ttl: 2 });
      expect(c.tlbiRange).toEqual({ ops: 1, pages: 512 });
      expect(c.tlbiTotal).toBe(3);
      expect(c.dcache.ops).toBe(0);
    });
    it("2 GiB of 2 MiB blocks across a 1 GiB boundary: stage2_apply_range unmaps per 1 GiB, one range TLBI each", () => {
      const plain = counts(bench("teardown", { size: 2 * G1, pageSize: M2 }, { fwb: true }));
      expect(plain.calls).toEqual({ kvm_pgtable_stage2_unmap: 2 });
      expect(ipaLevels(plain.tlbiIpa)).toEqual({ L2: 1024, ttl: 2 });
      const range = counts(bench("teardown", { size: 2 * G1, pageSize: M2 }, { fwb: true, tlbRange: true }));
      expect(ipaLevels(range.tlbiIpa)).toEqual({ ttl: 2 });
      expect(range.tlbiRange).toEqual({ ops: 2, pages: 2 * 262144 });
    });
  });
  describe("dirty-log: 4 MiB in two 2 MiB blocks, every page written once", () => {
    it("no eager split: write-protect, mmu.c's VMID flush, then each block broken by its first write fault and its pages mapped", () => {
      const c = counts(bench("dirty-log", { size: 2 * M2 }));
      expect(c.calls).toEqual({ kvm_pgtable_stage2_wrprotect: 1, kvm_pgtable_stage2_map: 1024 });
      // Block broken inside the map (NOTES 6): tlbi_ipa at level 2, once per block; then the pages (PAGE_SIZE, force_pte).
      expect(ipaLevels(c.tlbiIpa)).toEqual({ L2: 2 });
      // kvm_flush_remote_tlbs_memslot() without FEAT_TLBIRANGE: __kvm_tlb_flush_vmid.
      expect(c.tlbiVmid).toBe(1);
      expect(c.mmuTlbi).toEqual({ vmid: 1, rangeOps: 0, rangePages: 0 });
      expect(c.tlbiTotal).toBe(3);
      expect(c.dcache).toEqual({ ops: 1024, bytes: 1024 * K, hostBytes: 1024 * K });
      expect(c.tablePages).toEqual({ start: 3, allocated: 2, freed: 0, peak: 5, end: 5 });
      // wrprotect: 2 in-place stores; per block: LOCKED + table entry; per page: LOCKED + leaf.
      expect(c.descriptorStores).toBe(2 + 2 * 2 + 1024 * 2);
      expect(c.breakBeforeMake).toBe(2);
      expect(c.memcache).toEqual({ pages: 2, maxPerCall: 1 });
    });
    it("eager split 2m: each block split in its own chunk (no CMOs, a level-2 TLBI), then relax_perms per page with a local TLBI", () => {
      const r = bench("dirty-log", { size: 2 * M2 }, { eagerSplit: M2 });
      const c = counts(r);
      expect(c.calls).toEqual({ kvm_pgtable_stage2_wrprotect: 1, kvm_pgtable_stage2_split: 2, kvm_pgtable_stage2_relax_perms: 1024 });
      expect(ipaLevels(c.tlbiIpa)).toEqual({ L2: 2 });
      expect(ipaLevels(c.tlbiIpaNsh)).toEqual({ L3: 1024 }); // NOTES 10: relax_perms ends with tlbi_ipa_nsh at the leaf level
      expect(c.tlbiVmid).toBe(1);
      expect(c.dcache.ops).toBe(0); // split: SKIP_CMO; relax_perms adds W only
      expect(c.tablePages).toEqual({ start: 3, allocated: 2, freed: 0, peak: 5, end: 5 });
      // per block: 512 x (LOCKED + leaf) into the unlinked table, LOCKED over the block, the table entry.
      expect(c.descriptorStores).toBe(2 + 2 * (1024 + 2) + 1024);
      expect(c.breakBeforeMake).toBe(2);
      expect(r.phases.map((p) => p.calls)).toEqual([1, 1, 1024]);
      expect(r.phases[1].counts.memcache).toEqual({ pages: 2, maxPerCall: 1 });
    });
    it("FWB and TLBIRANGE: mmu.c's flush after the write-protect is one range TLBI over the memslot", () => {
      const c = counts(bench("dirty-log", { size: 2 * M2 }, { fwb: true, tlbRange: true, eagerSplit: M2 }));
      expect(c.tlbiVmid).toBe(0);
      expect(c.tlbiRange).toEqual({ ops: 1, pages: 1024 });
      expect(c.mmuTlbi).toEqual({ vmid: 0, rangeOps: 1, rangePages: 1024 });
    });
    it("4K-backed memory: eager splitting has nothing to split; each write is relax_perms", () => {
      const c = counts(bench("dirty-log", { size: M2, pageSize: K }, { eagerSplit: M2 }));
      expect(c.calls).toEqual({ kvm_pgtable_stage2_wrprotect: 1, kvm_pgtable_stage2_split: 1, kvm_pgtable_stage2_relax_perms: 512 });
      expect(c.breakBeforeMake).toBe(0);
      expect(c.tablePages.allocated).toBe(0);
    });
    it("eager split of 1 GiB blocks by 2 MiB chunks: the cache holds 2 pages per chunk, so each chunk builds one level then splits its block", () => {
      // kvm_mmu_split_nr_page_tables(2 MiB) = 1 (PUD) + 1 (PMD). NOTES 15: short of 513 pages, the level-1 block
      // becomes a table of 512 blocks (1 page), then the 2 MiB block in range is split (1 page).
      const c = counts(bench("dirty-log", { size: G1, pageSize: G1, dirty: 1 }, { eagerSplit: M2 }));
      expect(c.calls.kvm_pgtable_stage2_split).toBe(512);
      expect(c.tablePages.allocated).toBe(1 + 512);
      expect(ipaLevels(c.tlbiIpa)).toEqual({ L1: 1, L2: 512 });
      expect(c.breakBeforeMake).toBe(513);
    });
  });
  it("mmu-notifier: two invalidations of the whole 4 MiB (one range's only place): the first unmaps everything, the second nothing", () => {
    const r = bench("mmu-notifier", { size: 2 * M2, ranges: 2, rangeSize: 2 * M2 });
    const c = counts(r);
    expect(c.calls).toEqual({ kvm_pgtable_stage2_unmap: 2 });
    expect(ipaLevels(c.tlbiIpa)).toEqual({ L3: 1024, ttl: 3 }); // two level-3 tables and the level-2 table freed
    expect(c.tablePages).toEqual({ start: 5, allocated: 0, freed: 3, peak: 5, end: 2 });
  });
  describe("vfio-bar: 64 GiB, 1 GiB blocks (get_vma_page_shift of an aligned BAR)", () => {
    it("nc (vfio-pci, VM_ALLOW_ANY_UNCACHED): Normal-NC, 64 blocks, no cache maintenance with or without FWB", () => {
      for (const fwb of [false, true]) {
        const r = bench("vfio-bar", { size: 64 * G1 }, { fwb });
        expect(r.prot).toBe(PROT_R | PROT_W | 16); // KVM_PGTABLE_PROT_NORMAL_NC
        const c = counts(r);
        expect(c.calls).toEqual({ kvm_pgtable_stage2_map: 64 });
        expect(c.dcache.ops + c.icache.ops).toBe(0);
        expect(c.tablePages.allocated).toBe(0);
      }
    });
    it("device: Device-nGnRE, no cache maintenance", () => {
      const r = bench("vfio-bar", { size: 64 * G1, bar: "device" });
      expect(r.prot).toBe(PROT_R | PROT_W | 8); // KVM_PGTABLE_PROT_DEVICE
      expect(counts(r).dcache.ops).toBe(0);
    });
    it("cacheable without FWB (or without DIC): refused by kvm_arch_prepare_memory_region() with -EINVAL, nothing runs", () => {
      for (const c of [
        { fwb: false, dic: true },
        { fwb: true, dic: false },
      ]) {
        const r = bench("vfio-bar", { size: 64 * G1, bar: "cacheable" }, c);
        expect(r.refusal).toMatchObject({ errno: -22, where: "kvm_arch_prepare_memory_region()" });
        expect(r.refusal?.why).toMatch(/kvm_supports_cacheable_pfnmap/);
        expect(r.counts).toBeNull();
      }
    });
    it("cacheable with FWB and DIC: Normal with X; pgtable.c asks for 64 GiB of dcache and icache, the host does neither by address", () => {
      const r = bench("vfio-bar", { size: 64 * G1, bar: "cacheable" }, { fwb: true, dic: true });
      expect(r.prot).toBe(PROT_R | PROT_W | PROT_X);
      const c = counts(r);
      expect(c.dcache).toEqual({ ops: 64, bytes: 64 * G1, hostBytes: 0 });
      expect(c.icache).toEqual({ ops: 64, bytes: 64 * G1, hostBytes: 0 });
    });
  });
  it("the page budget: 2 MiB of 4K pages with room for one table page beyond the roots stops with -ENOMEM at the first fault", () => {
    const r = bench("fault-in", { size: M2 }, {}, 3);
    expect(r.error).toMatchObject({ ret: -12, errno: "-ENOMEM", call: 0, calls: 512, timed: true });
    expect(r.error?.why).toMatch(/page budget, 3 table pages/);
    // The map installed the level-2 table before its allocation of the level-3 one failed (NOTES 15).
    expect(r.counts?.tablePages).toMatchObject({ allocated: 1, end: 3 });
    expect(r.timing).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------
// The same calls as a scenario: replay's events, counted here, give the bench's counts.
// ------------------------------------------------------------------------------------------

const FAULT = WALK_HANDLE_FAULT | WALK_SHARED;

function op(kind: string, f: Partial<ScenarioOp>): ScenarioOp {
  return { ...emptyOp(kind), ...f };
}

function stage2(c: BenchConfig): Stage2Config {
  return { granule: c.granule, iaBits: c.iaBits, paBits: c.paBits, lpa2: c.lpa2, fwb: c.fwb, tlbRange: c.tlbRange };
}

interface Tally {
  calls: number;
  ipa: Record<string, number>;
  nsh: Record<string, number>;
  range: { ops: number; pages: number };
  vmid: number;
  dcacheBytes: number;
  icacheBytes: number;
  endPages: number;
}

/** Replay `ops` after `setup` (whose events are not counted) and tally the events of `ops` from the result. */
function replayTally(config: Stage2Config, setup: ScenarioOp[], ops: ScenarioOp[], memcache = Infinity): Tally {
  const scn: Scenario = { name: "bench-equivalent", config, memcache, ops: [...setup, ...ops], guest: null };
  const { result, pgt } = replay(scn, { eventRecords: 1 << 22 });
  const t: Tally = { calls: ops.length, ipa: {}, nsh: {}, range: { ops: 0, pages: 0 }, vmid: 0, dcacheBytes: 0, icacheBytes: 0, endPages: pgt.store.inUse };
  for (const o of result.ops.slice(setup.length) as Array<{ events: Array<[string, string?, (string | number)?]> }>) {
    for (const [kind, a, b] of o.events) {
      expect(a === undefined || typeof a === "string").toBe(true);
      const lvl = (n: unknown): string => (n === TTL ? "ttl" : `L${n as number}`);
      if (kind === "tlbi_ipa") t.ipa[lvl(b)] = (t.ipa[lvl(b)] ?? 0) + 1;
      else if (kind === "tlbi_ipa_nsh") t.nsh[lvl(b)] = (t.nsh[lvl(b)] ?? 0) + 1;
      else if (kind === "tlbi_range") {
        t.range.ops++;
        t.range.pages += b as number;
      } else if (kind === "tlbi_vmid") t.vmid++;
      else if (kind === "dcache") t.dcacheBytes += Number(b);
      else if (kind === "icache") t.icacheBytes += Number(b);
    }
  }
  return t;
}

function benchTally(r: ConfigResult, endPages: number): Tally {
  const c = counts(r);
  return {
    calls: Object.values(c.calls).reduce((a, b) => a + b, 0),
    ipa: ipaLevels(c.tlbiIpa),
    nsh: ipaLevels(c.tlbiIpaNsh),
    range: { ops: c.tlbiRange.ops - c.mmuTlbi.rangeOps, pages: c.tlbiRange.pages - c.mmuTlbi.rangePages },
    vmid: c.tlbiVmid - c.mmuTlbi.vmid,
    dcacheBytes: c.dcache.bytes,
    icacheBytes: c.icache.bytes,
    endPages,
  };
}

const faults = (base: number, n: number, size: number, pa: number, prot: number, order?: Uint32Array): ScenarioOp[] =>
  Array.from({ length: n }, (_, i) => {
    const k = order ? order[i] : i;
    return op("map", { ipa: base + k * size, size, pa: pa + k * size, prot, flags: FAULT });
  });

describe("the same calls replayed as a scenario give the same counts", () => {
  const RW = PROT_R | PROT_W;
  const IPA = 0x40000000;
  const PA = 0x80000000;
  it("fault-in in a random order (the order from the same seed)", () => {
    const r = bench("fault-in", { size: 4 * M2, order: "random", seed: 7 });
    const order = permutation(2048, new XorShift32(7));
    const t = replayTally(stage2(CFG), [], faults(IPA, 2048, K, PA, RW, order));
    expect(benchTally(r, t.endPages)).toEqual(t);
    expect(r.counts?.tablePages.end).toBe(t.endPages);
  });
  it("teardown across 1 GiB boundaries with FWB and TLBIRANGE (unmap per 1 GiB)", () => {
    const cfg = { ...CFG, fwb: true, tlbRange: true };
    const r = bench("teardown", { size: 3 * G1, pageSize: M2, ipa: 0x60000000, pa: 0x60000000 }, cfg);
    const setup = faults(0x60000000, 1536, M2, 0x60000000, RW);
    const unmaps = [
      op("unmap", { ipa: 0x60000000, size: 0x20000000 }),
      op("unmap", { ipa: 0x80000000, size: G1 }),
      op("unmap", { ipa: 0xc0000000, size: G1 }),
      op("unmap", { ipa: 0x100000000, size: 0x20000000 }),
    ];
    const t = replayTally(stage2(cfg), setup, unmaps);
    expect(benchTally(r, t.endPages)).toEqual(t);
  });
  it("dirty-log with eager split by 2 MiB chunks (the split cache as config memcache 2), half the pages dirtied at random", () => {
    const cfg = { ...CFG, eagerSplit: M2 };
    const r = bench("dirty-log", { size: 2 * M2, dirty: 50, order: "random", seed: 3 }, cfg);
    const dirtied = permutation(1024, new XorShift32(3)).slice(0, 512);
    const setup = faults(IPA, 2, M2, PA, RW);
    const ops = [
      op("wrprotect", { ipa: IPA, size: 2 * M2 }),
      op("split", { ipa: IPA, size: M2 }),
      op("split", { ipa: IPA + M2, size: M2 }),
      ...Array.from(dirtied, (k) => op("relax_perms", { ipa: IPA + k * K, prot: RW, flags: FAULT })),
    ];
    const t = replayTally(stage2(cfg), setup, ops, 2);
    expect(benchTally(r, t.endPages)).toEqual(t);
  });
  it("dirty-log without eager split (the write faults map pages into the broken blocks)", () => {
    const r = bench("dirty-log", { size: 2 * M2, dirty: 25, seed: 5 });
    const dirtied = permutation(1024, new XorShift32(5)).slice(0, 256).sort();
    const setup = faults(IPA, 2, M2, PA, RW);
    const ops = [
      op("wrprotect", { ipa: IPA, size: 2 * M2 }),
      ...Array.from(dirtied, (k) => op("map", { ipa: IPA + k * K, size: K, pa: PA + k * K, prot: RW, flags: FAULT })),
    ];
    const t = replayTally(stage2(CFG), setup, ops);
    expect(benchTally(r, t.endPages)).toEqual(t);
  });
  it("mmu-notifier: random 64 KiB ranges (the offsets from the same seed)", () => {
    const r = bench("mmu-notifier", { size: 2 * M2, ranges: 40, rangeSize: 16 * K, seed: 11 });
    const rng = new XorShift32(11);
    const slots = (2 * M2 - 16 * K) / K + 1;
    const ranges = Array.from({ length: 40 }, () => op("unmap", { ipa: IPA + rng.below(slots) * K, size: 16 * K }));
    const t = replayTally(stage2(CFG), faults(IPA, 1024, K, PA, RW), ranges);
    expect(benchTally(r, t.endPages)).toEqual(t);
  });
  it("vfio-bar, cacheable with FWB and DIC, in a random order", () => {
    const cfg = { ...CFG, fwb: true, dic: true };
    const r = bench("vfio-bar", { size: 8 * G1, bar: "cacheable", order: "random", seed: 9 }, cfg);
    const t = replayTally(stage2(cfg), [], faults(2 ** 39, 8, G1, 2 ** 46, PROT_R | PROT_W | PROT_X, permutation(8, new XorShift32(9))));
    expect(benchTally(r, t.endPages)).toEqual(t);
  });
});

// ------------------------------------------------------------------------------------------
// Every conformance scenario as a bench workload, against the real kernel's results.
// ------------------------------------------------------------------------------------------

interface Expected {
  derived: { pgd_pages: number };
  ops: Array<{ events: Array<[string, string?, (string | number)?]> }>;
  dump: Array<{ kind: string }>;
}

describe("every conformance scenario: the bench's counts are the kernel's events and final table", () => {
  it.each(scenarioNames())("%s", (file) => {
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", file));
    const exp = readJson<Expected>(conformanceDir, "expected", file);
    const spec = planScenario(scn, [{ ...scn.config, dic: false, eagerSplit: 0 }]);
    const r = runBench({ spec, maxTablePages: 0, reps: 0, warmup: 0 }).results[0];
    const c = counts(r);
    const t: Tally = {
      calls: scn.ops.length,
      ipa: {},
      nsh: {},
      range: { ops: 0, pages: 0 },
      vmid: 0,
      dcacheBytes: 0,
      icacheBytes: 0,
      endPages: exp.derived.pgd_pages,
    };
    for (const o of exp.ops) {
      for (const [kind, , b] of o.events) {
        const lvl = b === TTL ? "ttl" : `L${b as number}`;
        if (kind === "tlbi_ipa") t.ipa[lvl] = (t.ipa[lvl] ?? 0) + 1;
        else if (kind === "tlbi_ipa_nsh") t.nsh[lvl] = (t.nsh[lvl] ?? 0) + 1;
        else if (kind === "tlbi_range") {
          t.range.ops++;
          t.range.pages += b as number;
        } else if (kind === "tlbi_vmid") t.vmid++;
        else if (kind === "dcache") t.dcacheBytes += Number(b);
        else if (kind === "icache") t.icacheBytes += Number(b);
      }
    }
    t.endPages += exp.dump.filter((d) => d.kind === "table").length;
    expect(benchTally(r, c.tablePages.end)).toEqual(t);
  });
});
