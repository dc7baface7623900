// Property: the one-page map's way down when its last-level table is not the
// cached one (pgtable.ts mapPageMiss, compiled per geometry in mapgen.ts;
// issue 20 part 7: map4k_scatter_64k's shape) is the generic walker exactly.
// Two tables get the same random operations, one with fastPaths on and one
// with every visit through the generic kvm_pgtable_walk() callbacks (fastPaths
// off); after every operation they must agree on the return value (or what
// was thrown), the decoded event list, the events not recorded, the warnings,
// the store hook's calls, every word of table memory and every page count.
//
// The maps are one page each, mostly at IPAs scattered over the whole IPA
// space (a new last-level table, often new tables above it too), also next to
// the last one (the cached table), over what earlier operations and writes
// behind the model's back left on the way: tables, blocks, LOCKED markers,
// owner annotations, table descriptors whose page is outside the store
// (TableMemoryError), with memory caches that run dry (-ENOMEM part way
// down), SHARED and the other walk flags, PAs at and beyond 2^48, a store
// hook, unmaps that free tables under the cached one; 4K/16K/64K granules,
// LPA2 and the 64K 52-bit format (the high OA bits of a table descriptor),
// start levels -1 to 2. Expected values come from the generic path, which the
// conformance suite checks against the kernel; one case is also checked
// against hand-worked descriptor words.
// Deterministic: xorshift64 from a fixed seed, printed in the names.
import { describe, expect, it } from "vitest";
import {
  INVALID_PTE_LOCKED_LO,
  PROT_DEVICE,
  PROT_R,
  PROT_W,
  PROT_X,
  WALK_HANDLE_FAULT,
  WALK_SHARED,
  WALK_SKIP_BBM_TLBI,
  WALK_SKIP_CMO,
} from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { mapPageMissSource } from "../../src/pgtable/mapgen.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { xorshift64, type Xorshift } from "./xorshift.js";
import { both, setHook, side, type Pair } from "../helpers-pgtable.js";

const SEED = 0x5ca77e2ed0a1f00dn;

/** Geometries and the start level the kernel gives each (stage2_pgtable_levels(); checked in the test). */
const CONFIGS: { cfg: Stage2Config; startLevel: number }[] = [
  { cfg: { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 1 },
  { cfg: { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: true }, startLevel: 1 },
  { cfg: { granule: 4096, iaBits: 32, paBits: 36, lpa2: false, fwb: false, tlbRange: false }, startLevel: 2 },
  { cfg: { granule: 4096, iaBits: 48, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 0 },
  { cfg: { granule: 4096, iaBits: 40, paBits: 52, lpa2: true, fwb: false, tlbRange: false }, startLevel: 1 },
  { cfg: { granule: 4096, iaBits: 52, paBits: 52, lpa2: true, fwb: true, tlbRange: false }, startLevel: 0 },
  { cfg: { granule: 16384, iaBits: 36, paBits: 40, lpa2: false, fwb: false, tlbRange: false }, startLevel: 2 },
  { cfg: { granule: 16384, iaBits: 47, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 1 },
  { cfg: { granule: 16384, iaBits: 52, paBits: 52, lpa2: true, fwb: false, tlbRange: false }, startLevel: 0 },
  { cfg: { granule: 65536, iaBits: 42, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 2 },
  { cfg: { granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: true, tlbRange: true }, startLevel: 1 },
];

const PROTS = [PROT_R | PROT_W, PROT_R | PROT_W, PROT_R | PROT_W, PROT_R | PROT_W, PROT_R, PROT_R | PROT_W | PROT_X, PROT_R | PROT_DEVICE];
const FLAGS = [0, 0, 0, 0, 0, 0, WALK_SHARED, WALK_SKIP_CMO, WALK_SKIP_BBM_TLBI, WALK_HANDLE_FAULT, WALK_SHARED | WALK_SKIP_CMO];

/** The table page and index of the entry at `level` on the way to `ipa`, or null where the way stops above it (read from the fast side). */
function entryOnTheWay(t: KvmPgtable, ipa: number, level: number): { page: number; index: number } | null {
  let page = t.pgd + Math.floor(ipa / (t.granuleSize(t.startLevel) * t.ptrsPerPte));
  for (let l = t.startLevel; ; l++) {
    const index = Math.floor(ipa / t.granuleSize(l)) % t.ptrsPerPte;
    if (l === level) return { page, index };
    const lo = t.entryLo(page, index);
    if ((lo & 3) !== 3) return null;
    try {
      page = t.childPage(lo, t.entryHi(page, index));
    } catch {
      return null; // a table descriptor outside the store (written by an earlier step)
    }
  }
}

function run(cfg: Stage2Config, startLevel: number, seed: bigint, steps: number): void {
  const r: Xorshift = xorshift64(seed);
  const p: Pair = { fast: side(cfg, true), slow: side(cfg, false) };
  const t0 = p.fast.t;
  expect(t0.startLevel, "start level").toBe(startLevel);
  const page = t0.pageSize;
  const pagesIn = (limit: number): number => Math.floor(limit / page);
  const iaLimit = t0.iaLimit;
  const paLimit = 2 ** cfg.paBits;
  let last = 0;
  for (let step = 0; step < steps; step++) {
    const kind = r.below(16);
    const flags = r.pick(FLAGS);
    const prot = r.chance(0.85) ? PROT_R | PROT_W : r.pick(PROTS);
    const memcache = r.chance(0.12) ? r.below(3) : Infinity;
    p.fast.t.store.memcache = memcache;
    p.slow.t.store.memcache = memcache;
    const hook = r.chance(0.05);
    setHook(p.fast, hook);
    setHook(p.slow, hook);
    const where = `step ${step}${hook ? " (hook)" : ""}${memcache !== Infinity ? ` (memcache ${memcache})` : ""}`;
    if (kind <= 9) {
      // One page: scattered over the IPA space, or next to the last one (the cached last-level table).
      const ipa = r.chance(0.7) ? r.below(pagesIn(iaLimit)) * page : Math.min(iaLimit - page, last + r.below(4) * page);
      last = ipa;
      let pa = r.below(pagesIn(Math.min(paLimit, 2 ** 48))) * page;
      if (r.chance(0.05)) pa = Math.min(paLimit, 2 ** 48) - page;
      if (r.chance(0.05) && paLimit > 2 ** 48) pa = 2 ** 48 + r.below(pagesIn(paLimit - 2 ** 48)) * page;
      both(p, `${where}: map 0x${ipa.toString(16)} -> 0x${pa.toString(16)} prot ${prot} flags ${flags}`, (t) => t.map(ipa, page, pa, prot, flags));
    } else if (kind === 10) {
      // A run of pages from a scattered IPA: the first misses, the rest hit the table it cached.
      const ipa = r.below(pagesIn(iaLimit) - 8) * page;
      const pa = r.below(pagesIn(Math.min(paLimit, 2 ** 48)) - 8) * page;
      both(p, `${where}: 8 pages from 0x${ipa.toString(16)}`, (t) => {
        const rets: number[] = [];
        for (let i = 0; i < 8; i++) rets.push(t.map(ipa + i * page, page, pa + i * page, prot, flags));
        return rets;
      });
    } else if (kind === 11) {
      // Unmap around the last page: frees its last-level table (and more) under the cached one.
      const size = r.pick([page, t0.granuleSize(2), t0.granuleSize(Math.max(1, startLevel)), iaLimit]);
      const ipa = size >= iaLimit ? 0 : Math.floor(last / size) * size;
      both(p, `${where}: unmap 0x${ipa.toString(16)} +0x${size.toString(16)}`, (t) => t.unmap(ipa, size));
    } else if (kind === 12) {
      // A block where the last page's tables are (the way down then meets a leaf above the last level).
      const level = Math.max(startLevel, t0.geom.minBlockLevel);
      const g = t0.granuleSize(level);
      const ipa = Math.floor(last / g) * g;
      const pa = r.below(Math.max(1, Math.floor(Math.min(paLimit, 2 ** 48) / g))) * g;
      both(p, `${where}: block at level ${level}, 0x${ipa.toString(16)}`, (t) => t.map(ipa, g, pa, prot, flags));
    } else {
      // Written behind the model's back (the same in both), into an entry on the way to the last page:
      // a LOCKED marker, an owner annotation, a stray invalid word, or a table descriptor whose page is
      // outside the store. An empty entry so written is counted as the kernel counts a non-zero entry.
      const level = startLevel + r.below(4 - startLevel);
      // At the last level, the page next to the last one (its entry is usually empty; the last page's is not).
      const target = level === 3 && last + page < iaLimit ? last + page : last;
      const at = entryOnTheWay(t0, target, level);
      const how = r.below(5);
      // The formats whose table descriptors carry OA bits above 47 in the low half (kvm_pte_follow):
      // 64K with 52-bit PAs, OA[51:48] in bits 15:12; LPA2, OA[51:50] in bits 9:8.
      const highOaBit = cfg.lpa2 ? 1 << 8 : cfg.granule === 65536 && cfg.paBits === 52 ? 1 << 12 : 0;
      if (at !== null) {
        const oldLo = t0.entryLo(at.page, at.index);
        const oldHi = t0.entryHi(at.page, at.index);
        // Outside for good: below the store's first page, or 2^40 above it (a page past the bump pointer
        // would become one of the store's as it grows, and the tables alias: outside what the model keeps exact).
        const base = t0.store.pagePa(0);
        const beyond = r.chance(0.5) ? base - (1 + r.below(1000)) * page : base + 2 ** 40 + r.below(1000) * page;
        let lo = how === 0 ? INVALID_PTE_LOCKED_LO : how === 1 ? (1 + r.below(3)) << 2 : how === 2 ? 0 : (beyond % 2 ** 32) + 3;
        let hi = how === 2 ? 1 << r.below(32) : how === 3 ? Math.floor(beyond / 2 ** 32) : 0;
        // 4: a table descriptor of the store's with a high OA bit set (its page then lies far outside the store).
        const highOa = how === 4 && highOaBit !== 0 && level < 3 && (oldLo & 3) === 3;
        if (highOa) {
          lo = oldLo | highOaBit;
          hi = oldHi;
        }
        const wasEmpty = oldLo === 0 && oldHi === 0;
        // A table entry overwritten would leave its child counted by nobody: only empty entries, or any entry for a pointer outside.
        if ((wasEmpty && how !== 4) || how === 3 || highOa) {
          for (const s of [p.fast, p.slow]) {
            const off = s.t.store.pageOffset(at.page) + 2 * at.index;
            s.t.store.chunkOf(at.page)[off] = lo | 0;
            s.t.store.chunkOf(at.page)[off + 1] = hi | 0;
            if (wasEmpty) s.t.store.refcount[at.page]++;
            s.t.tablesWritten();
          }
        }
      }
      both(p, `${where}: level ${level} entry on the way to 0x${target.toString(16)} written (${how}), then a map there`, (t) =>
        t.map(target, page, 0, PROT_R | PROT_W, flags),
      );
    }
    setHook(p.fast, false);
    setHook(p.slow, false);
  }
  // The table descriptors pointing outside the store make unmap of everything throw on both sides alike.
  both(p, "final unmap", (t) => t.unmap(0, iaLimit));
}

describe(`property: the one-page map's way down (mapPageMiss) = the generic walker (seed 0x${SEED.toString(16)})`, () => {
  CONFIGS.forEach(({ cfg, startLevel }, i) => {
    it(`granule ${cfg.granule} ia ${cfg.iaBits} pa ${cfg.paBits} lpa2 ${cfg.lpa2} fwb ${cfg.fwb} (start level ${startLevel})`, () => {
      // Count the calls of the compiled way down, so that the property is not vacuous.
      const proto = KvmPgtable.prototype as unknown as Record<string, (this: KvmPgtable, ...args: number[]) => number>;
      const miss = proto.mapPageMiss;
      let calls = 0;
      let made = 0;
      proto.mapPageMiss = function (this: KvmPgtable, ...args: number[]): number {
        calls++;
        const before = this.store.inUse;
        const ret = miss.apply(this, args);
        if (this.store.inUse > before) made++;
        return ret;
      };
      try {
        for (let round = 0; round < 4; round++) run(cfg, startLevel, SEED ^ BigInt(i * 16 + round), 80);
      } finally {
        proto.mapPageMiss = miss;
      }
      expect(calls, "calls of mapPageMiss").toBeGreaterThan(150);
      expect(made, "calls that made tables").toBeGreaterThan(50);
    });
  });
});

describe("mapPageMiss: hand-worked", () => {
  it("makes the tables and the leaf of a scattered page as worked out from the descriptor layout", () => {
    // 4K granule, 40-bit IPA: start level 1 over 2 concatenated root pages (pages 0 and 1 of the store);
    // the store's table pages start at PA 2^47 (storage.ts), so page n is PA 0x8000_0000_0000 + n * 4K.
    const t = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    const ipa = 0x8c_4a35_7000; // level 1 index 0x31 of root page 1 (IPA bit 39 set), level 2 index 0x51, level 3 index 0x157
    expect(t.map(ipa, 4096, 0x12_3456_7000, PROT_R | PROT_W, 0)).toBe(0);
    // Level 1, root page 1, index 0x31: a table descriptor (bits 1:0 = 3) to page 2, PA 0x8000_0000_2000.
    expect(t.entryLo(1, 0x31) >>> 0).toBe(0x0000_2003);
    expect(t.entryHi(1, 0x31) >>> 0).toBe(0x8000);
    // Level 2, page 2, index 0x51: to page 3.
    expect(t.entryLo(2, 0x51) >>> 0).toBe(0x0000_3003);
    expect(t.entryHi(2, 0x51) >>> 0).toBe(0x8000);
    // Level 3, page 3, index 0x157: the page, Normal WB (MemAttr 0b1111, stage-2 index form), S2AP RW (0b11 << 6),
    // inner shareable (0b11 << 8), AF (bit 10), page (bits 1:0 = 3); XN (bits 54:53 = 0b10 << 53) in the high half.
    expect(t.entryLo(3, 0x157) >>> 0).toBe((0x3456_7000 | (0xf << 2) | (3 << 6) | (3 << 8) | (1 << 10) | 3) >>> 0);
    expect(t.entryHi(3, 0x157) >>> 0).toBe((0x12 | (2 << 21)) >>> 0);
    // Counts: each new table holds one entry (its own page count 1 + 1), the root page one more.
    expect(t.store.pageCount(1)).toBe(2);
    expect(t.store.pageCount(2)).toBe(2);
    expect(t.store.pageCount(3)).toBe(2);
  });

  it("is written with the geometry as literals (4K, 40-bit IPA)", () => {
    const src = mapPageMissSource({
      startLevel: 1,
      shifts: Int32Array.from([48, 39, 30, 21, 12]),
      stride: 9,
      pageShift: 12,
      oaLo: 0xfffff000 | 0,
      oaHi: 0xffff,
      highOa: 0,
      addr5148Lo: 0,
      addr5148Shift: 0,
      addr5150Lo: 0,
      addr5150Shift: 0,
      baseHi: 0x8000,
      baseLoPages: 0,
      hiToPage: 20,
      l3Shift: 21,
      l3HiShift: 11,
      chunkShift: 6,
      chunkMask: 63,
      wordsShift: 10,
    });
    // The root page: IPA >> 39 (bits 38:0 are one root page's span), from the high half alone.
    expect(src).toContain("p.pgd + (aHi >>> 7)");
    // Level 1's index, IPA[38:30]; level 2's, IPA[29:21]; level 3's, IPA[20:12].
    expect(src).toContain("(((aLo >>> 30) | (aHi << 2)) & 511)");
    expect(src).toContain("((aLo >>> 21) & 511)");
    expect(src).toContain("((aLo >>> 12) & 511)");
    // kvm_pte_follow(): OA[47:12] minus the store's base, in pages.
    expect(src).toContain("((((hi & 65535) - 32768) << 20) + ((lo & -4096) >>> 12) - 0) | 0)");
    expect(src).not.toMatch(/\bk\.|shifts\[/);
  });
});

describe("mapPageMiss where code cannot be generated", () => {
  it("declines every miss (a Content-Security-Policy without unsafe-eval): map() takes the generic walk, with the same result", () => {
    // A geometry no other test in this file uses, so that its way down is compiled first here.
    const cfg: Stage2Config = { granule: 16384, iaBits: 44, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
    const real = globalThis.Function;
    globalThis.Function = function refused(): never {
      throw new EvalError("Code generation from strings disallowed for this context");
    } as unknown as FunctionConstructor;
    const p: Pair = { fast: side(cfg, true), slow: side(cfg, false) };
    const proto = KvmPgtable.prototype as unknown as Record<string, (this: KvmPgtable, ...args: number[]) => number>;
    const mapWalk = proto.mapWalk;
    let walks = 0;
    proto.mapWalk = function (this: KvmPgtable, ...args: number[]): number {
      if (this === p.fast.t) walks++;
      return mapWalk.apply(this, args);
    };
    try {
      const r = xorshift64(SEED);
      for (let i = 0; i < 40; i++) {
        const ipa = r.below(2 ** 30) * 16384;
        both(p, `map 0x${ipa.toString(16)}`, (t) => t.map(ipa, 16384, i * 16384, PROT_R | PROT_W, 0));
      }
    } finally {
      globalThis.Function = real;
      proto.mapWalk = mapWalk;
    }
    // Every scattered page missed the cached table, was declined, and went through the generic walk.
    expect(walks).toBeGreaterThan(30);
  });
});
