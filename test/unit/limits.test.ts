// Resource limits: the host cap on table pages and the memory cache give
// -ENOMEM exactly where zalloc_page() would return NULL, leaving consistent
// tables; an op too large to run (2^52 bytes of 4K pages) is refused before
// it writes anything, or ends at once in -ENOMEM when its cache is small.
// Expected values are the kernel's (enomem-map-3-tables-memcache-2) or
// counted by hand in the comments.
import { describe, expect, it } from "vitest";
import { stage2Geometry } from "../../src/pgtable/geometry.js";
import { MAX_OP_LEAVES, mapLeafCount } from "../../src/pgtable/limits.js";
import { replay, replayTable } from "../../src/scenario/replay.js";
import { opLeafBound } from "../../src/scenario/limits.js";
import { parseScenario, parseScenarioText } from "../../src/scenario/format.js";
import type { OpResult, Scenario, ScenarioOp } from "../../src/scenario/types.js";
import { InputError } from "../../src/pgtable/u64.js";
import { checkScenario } from "../../src/reliability/checked.js";
import { conformanceDir, readJson, readText } from "../helpers.js";

const G4K40 = stage2Geometry({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false });
const G16K = stage2Geometry({ granule: 16384, iaBits: 40, paBits: 48, lpa2: false });

describe("mapLeafCount: the leaves kvm_pgtable_stage2_map writes", () => {
  it.each([
    // 4K: levels 1 (1 GiB), 2 (2 MiB), 3 (4 KiB)
    ["one page", G4K40, 0x40000000, 0x1000, 0x80000000, 1],
    ["one 2 MiB block", G4K40, 0x40000000, 0x200000, 0x80000000, 1],
    ["2 MiB at a PA off by one page: 512 pages", G4K40, 0x40000000, 0x200000, 0x80001000, 512],
    // 0x40001000..0x40201000 with IPA and PA congruent: 511 pages to the 2 MiB
    // boundary, then 0x40200000..0x40201000 is one more page (no room for a block).
    ["2 MiB from one page in, congruent PA", G4K40, 0x40001000, 0x200000, 0x80001000, 512],
    // 0x1000..0x80001000 (2 GiB): 511 pages to 2 MiB, 511 blocks of 2 MiB to
    // 1 GiB, one 1 GiB block (0x40000000 + 1 GiB <= the end), one last page.
    ["2 GiB from one page in", G4K40, 0x1000, 0x80000000, 0x1000, 511 + 511 + 1 + 1],
    ["1 GiB block", G4K40, 0x40000000, 0x40000000, 0xc0000000, 1],
    // 16K: no level-1 blocks (KVM_PGTABLE_MIN_BLOCK_LEVEL 2), 32 MiB level-2 blocks
    ["1 GiB on 16K is 32 blocks of 32 MiB", G16K, 0x40000000, 0x40000000, 0x80000000, 32],
    // map-unaligned-args-round: start 0x40000000, end PAGE_ALIGN(0x40000000 + 0x1801) = 0x40002000.
    ["unaligned arguments round: 2 pages", G4K40, 0x40000800, 0x1801, 0x80000fff, 2],
    ["size 0", G4K40, 0x40000000, 0, 0x80000000, 0],
  ])("%s", (_, geom, ipa, size, pa, n) => {
    expect(mapLeafCount(geom, ipa, size, pa)).toBe(n);
  });
  it("2^52 bytes of 4K pages is 2^40 leaves (4K, LPA2, 52-bit IPA)", () => {
    const g = stage2Geometry({ granule: 4096, iaBits: 52, paBits: 52, lpa2: true });
    expect(mapLeafCount(g, 0, 2 ** 52 - 1, 0x1000)).toBe(2 ** 40);
    // With congruent PAs it is 1 GiB blocks: 2^52 / 2^30.
    expect(mapLeafCount(g, 0, 2 ** 52 - 1, 0)).toBe(2 ** 22);
  });
});

function scenario(config: Record<string, unknown>, ops: Array<Record<string, unknown>>): Scenario {
  return parseScenario({ name: "limits", config: { granule: 4096, ia_bits: 48, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false, ...config }, ops });
}
const PAGE_MAP = { op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R|W", flags: "" };

describe("a block-aligned map over existing tables writes one leaf per block", () => {
  // stage2_map_walk_table_pre() (6.18.25 pgtable.c) installs the block in
  // place of the table entry (stage2_map_walker_try_leaf) and frees the old
  // subtree with free_removed_table(); the walk reloads the entry and does
  // not descend. So the leaf count does not depend on what lies below:
  // mapLeafCount's one leaf per block is the bound even over tables.
  it("map-1g-block-over-tables-range: the kernel writes one level-1 leaf over a level-2 table", () => {
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", "map-1g-block-over-tables-range.json"));
    const expected = readJson<{ ops: Array<{ events?: unknown[]; level?: number }> }>(conformanceDir, "expected", "map-1g-block-over-tables-range.json");
    const op = scn.ops[2] as ScenarioOp & { ipa: number; size: number; pa: number };
    // The kernel's result: one dcache clean of the whole 1 GiB (one leaf's CMO) and a level-1 leaf after it.
    expect(expected.ops[2]?.events).toEqual([
      ["tlbi_range", "0x40000000", 262144],
      ["dcache", "0xc0000000", "0x40000000"],
    ]);
    expect(expected.ops[3]?.level).toBe(1);
    expect(mapLeafCount(G4K40, op.ipa, op.size, op.pa)).toBe(1);
    // The scenario's bound for that op, on the table with the level-2 and level-3 tables below it.
    const pgt = replayTable({ ...scn, ops: scn.ops.slice(0, 2) });
    expect(opLeafBound(pgt, op, scn.memcache)).toMatchObject({ kind: "map", asked: 1, bound: 1 });
  });
});

describe("host cap on table pages (config max_table_pages)", () => {
  it("-ENOMEM at the same entry as the kernel with 2 pages left (enomem-map-3-tables-memcache-2)", () => {
    // The kernel's scenario takes 2 pages from a memory cache; a cap of
    // 3 table pages (the root + 2) leaves the same 2 for the first op.
    const kernel = parseScenarioText(readText(conformanceDir, "scenarios", "enomem-map-3-tables-memcache-2.json"));
    const expected = readJson<{ ops: unknown[] }>(conformanceDir, "expected", "enomem-map-3-tables-memcache-2.json");
    const scn: Scenario = { ...kernel, memcache: Infinity, maxTablePages: 3, ops: kernel.ops.slice(0, 2) };
    const { result } = replay(scn);
    expect(result.ops).toEqual(expected.ops.slice(0, 2));
    // The level-1 and level-2 tables stay, the level-2 one empty (refcount 1).
    expect(result.dump).toEqual([
      { level: 0, ipa: "0x0", kind: "table", pte: "0x3", refcount: 2 },
      { level: 1, ipa: "0x40000000", kind: "table", pte: "0x3", refcount: 1 },
    ]);
    checkScenario(scn, { deep: true });
  });
  it("is a total, not per op: the retry fails too until unmap frees the tables", () => {
    const scn = scenario({ max_table_pages: 3 }, [
      PAGE_MAP, // -ENOMEM: root + level 1 + level 2 = 3 pages, level 3 refused
      PAGE_MAP, // still 3 pages in use: -ENOMEM again
      { op: "unmap", ipa: "0x0", size: "0x1000000000000" }, // frees both tables
      { op: "map", ipa: "0x40000000", size: "0x40000000", pa: "0x80000000", prot: "R", flags: "" }, // a 1 GiB block needs only the level-1 table
    ]);
    const { result } = replay(scn);
    expect(result.ops.map((o) => o.ret)).toEqual([-12, -12, 0, 0]);
    expect(result.dump.map((d) => [d.level, d.kind])).toEqual([
      [0, "table"],
      [1, "block"],
    ]);
    checkScenario(scn, { deep: true });
  });
  it("split short of the cap: create_unlinked fails, frees what it built, the block stays", () => {
    // 4K, ia 40: 1 GiB blocks sit in the 2 root pages. A full split needs
    // 1 + 512 pages; a cap of 2 + 100 stops create_unlinked part way.
    const scn = scenario({ ia_bits: 40, max_table_pages: 102 }, [
      { op: "map", ipa: "0x40000000", size: "0x40000000", pa: "0x80000000", prot: "R|W", flags: "" },
      { op: "split", ipa: "0x40000000", size: "0x1000" },
      { op: "get_leaf", ipa: "0x40001000" },
    ]);
    const { result, pgt } = replay(scn);
    expect(result.ops.map((o) => o.ret)).toEqual([0, -12, 0]);
    expect(result.ops[1].events).toEqual([]);
    expect([result.ops[2].level, result.ops[2].pte]).toEqual([1, "0x400000800007d9"]);
    expect(pgt.store.inUse).toBe(2);
    checkScenario(scn, { deep: true });
  });
});

describe("the 2^52-byte map", () => {
  const LPA2_52 = { ia_bits: 52, pa_bits: 52, lpa2: true };
  const HUGE = { ...PAGE_MAP, ipa: "0x0", size: "0xfffffffffffff", pa: "0x1000" };
  it("is refused before it writes anything, naming the op", () => {
    expect(() => replay(scenario(LPA2_52, [HUGE]))).toThrow(InputError);
    expect(() => replay(scenario(LPA2_52, [HUGE]))).toThrow(/^ops\[0\] \(map\): asks for 1099511627776 leaf descriptors/);
    expect(MAX_OP_LEAVES).toBe(2 ** 20);
  });
  it("as 1 GiB blocks (2^22 leaves) is refused too", () => {
    expect(() => replay(scenario(LPA2_52, [{ ...HUGE, pa: "0x0" }]))).toThrow(/asks for 4194304 leaf descriptors/);
  });
  it("with a memory cache of 2 ends at once in -ENOMEM: the level-3 table is the third page", () => {
    const scn = scenario({ ...LPA2_52, memcache: 2 }, [HUGE]);
    const { result } = replay(scn);
    expect(result.ops[0]).toEqual({ ret: -12, events: [] });
    expect(result.dump.map((d) => [d.level, d.kind, d.refcount])).toEqual([
      [0, "table", 2],
      [1, "table", 1],
    ]);
    checkScenario(scn);
  });
  it("with a memory cache of 3 maps one level-3 table of pages (512), then -ENOMEM", () => {
    const scn = scenario({ ...LPA2_52, memcache: 3 }, [HUGE]);
    const { result } = replay(scn);
    const op = result.ops[0] as OpResult;
    expect(op.ret).toBe(-12);
    // One dcache per R|W page (Normal memory, not executable), PAs 0x1000 + 4K * i.
    expect(op.events.length).toBe(512);
    expect(op.events[511]).toEqual(["dcache", "0x200000", "0x1000"]);
    expect(result.dump.filter((d) => d.kind === "page").length).toBe(512);
    checkScenario(scn);
  });
  it("as blocks with a memory cache of 0: no level-1 table for the first block, -ENOMEM", () => {
    const scn = scenario({ ...LPA2_52, memcache: 0 }, [{ ...HUGE, pa: "0x0" }]);
    expect(replay(scn).result.ops[0]).toEqual({ ret: -12, events: [] });
    checkScenario(scn);
  });
});
