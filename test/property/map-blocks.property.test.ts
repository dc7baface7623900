// Property: map()'s direct path for a run of start-level blocks (pgtable.ts
// mapBlocks / fillBlocks, issue 20 part 6: map_block_64g's shape) is the
// generic walker exactly. Two tables get the same random operations, one with
// fastPaths on and one with every visit through the generic kvm_pgtable_walk()
// callbacks (fastPaths off); after every operation they must agree on the
// return value (or what was thrown), the decoded event list, the events not
// recorded, the warnings, the store hook's calls, every word of table memory
// and every page count.
//
// The maps are mostly block-aligned at the start level (the direct path), over
// empty entries and over what earlier operations left there (blocks, tables,
// owner annotations, LOCKED markers and stray words written behind the model's
// back, so that the path must stop at the first entry that is not empty and
// hand the rest to the walk), and also: unaligned, across root pages, beyond
// the IPA space, with PAs at and beyond 2^48 (52-bit PA), with a store hook,
// SHARED and the other walk flags, memory caches that run dry, FWB on and off,
// 4K/16K/64K granules, LPA2, start levels -1, 0, 1 and 2 (the direct path
// declines where the start level has no blocks). Expected values come from the
// generic path, which the conformance suite checks against the kernel; one
// case is also checked against hand-worked descriptor words.
// Deterministic: xorshift64 from a fixed seed, printed in the names.
import { describe, expect, it, vi } from "vitest";
import {
  INVALID_PTE_LOCKED_LO,
  PROT_DEVICE,
  PROT_NORMAL_NC,
  PROT_R,
  PROT_W,
  PROT_X,
  WALK_HANDLE_FAULT,
  WALK_SHARED,
  WALK_SKIP_BBM_TLBI,
  WALK_SKIP_CMO,
} from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { xorshift64 } from "./xorshift.js";
import { both, setHook, side, type Pair } from "../helpers-pgtable.js";

const SEED = 0x6b10c5f00d20a6e5n;

/** Geometries and the start level the kernel gives each (checked in the test, from stage2_pgtable_levels()). */
const CONFIGS: { cfg: Stage2Config; startLevel: number }[] = [
  { cfg: { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 1 },
  { cfg: { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: true }, startLevel: 1 },
  { cfg: { granule: 4096, iaBits: 36, paBits: 40, lpa2: false, fwb: false, tlbRange: false }, startLevel: 1 },
  { cfg: { granule: 4096, iaBits: 32, paBits: 36, lpa2: false, fwb: false, tlbRange: true }, startLevel: 2 },
  { cfg: { granule: 4096, iaBits: 48, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 0 },
  { cfg: { granule: 4096, iaBits: 40, paBits: 52, lpa2: true, fwb: false, tlbRange: false }, startLevel: 1 },
  { cfg: { granule: 4096, iaBits: 52, paBits: 52, lpa2: true, fwb: true, tlbRange: false }, startLevel: 0 },
  { cfg: { granule: 16384, iaBits: 36, paBits: 40, lpa2: false, fwb: false, tlbRange: false }, startLevel: 2 },
  { cfg: { granule: 16384, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false }, startLevel: 2 },
  { cfg: { granule: 16384, iaBits: 47, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 1 },
  { cfg: { granule: 65536, iaBits: 42, paBits: 48, lpa2: false, fwb: false, tlbRange: false }, startLevel: 2 },
  { cfg: { granule: 65536, iaBits: 44, paBits: 52, lpa2: false, fwb: true, tlbRange: true }, startLevel: 2 },
];

const PROTS = [PROT_R | PROT_W, PROT_R | PROT_W, PROT_R | PROT_W, PROT_R, PROT_R | PROT_W | PROT_X, PROT_R | PROT_DEVICE, PROT_R | PROT_W | PROT_NORMAL_NC, 0];
const FLAGS = [0, 0, 0, 0, 0, WALK_SHARED, WALK_SKIP_CMO, WALK_SKIP_BBM_TLBI, WALK_HANDLE_FAULT, WALK_SKIP_CMO | WALK_HANDLE_FAULT];

function poke(t: KvmPgtable, page: number, index: number, lo: number, hi: number): void {
  const off = t.store.pageOffset(page) + 2 * index;
  t.store.chunkOf(page)[off] = lo;
  t.store.chunkOf(page)[off + 1] = hi;
}

function run(cfg: Stage2Config, startLevel: number, seed: bigint, steps: number): void {
  const r = xorshift64(seed);
  const p: Pair = { fast: side(cfg, true), slow: side(cfg, false) };
  const t0 = p.fast.t;
  expect(t0.startLevel, "start level").toBe(startLevel);
  const page = t0.pageSize;
  const ptrs = t0.ptrsPerPte;
  const iaLimit = t0.iaLimit;
  // The block the direct path writes: the start level's, or the first level with blocks when that is lower.
  const blockLevel = Math.max(startLevel, t0.geom.minBlockLevel);
  const g = t0.granuleSize(blockLevel);
  // The span of one root page (entries of the start level).
  const rootSpan = t0.granuleSize(startLevel) * ptrs;
  const paLimit = 2 ** cfg.paBits;
  // A block of the next level: unaligned maps and set_owner go by these (a whole block of pages through the generic walk is slow).
  const sub = t0.granuleSize(Math.min(blockLevel + 1, 3));
  const blocksIn = (limit: number): number => Math.max(1, Math.floor(limit / g));
  for (let step = 0; step < steps; step++) {
    const kind = r.below(20);
    const flags = r.pick(FLAGS);
    const prot = r.pick(PROTS);
    const memcache = r.chance(0.15) ? r.below(3) : Infinity;
    p.fast.t.store.memcache = memcache;
    p.slow.t.store.memcache = memcache;
    const hook = r.chance(0.1);
    setHook(p.fast, hook);
    setHook(p.slow, hook);
    const where = `step ${step}${hook ? " (hook)" : ""}`;
    if (kind <= 9) {
      // A block-aligned map: n blocks from a block-aligned IPA, mostly inside one root page.
      const n = r.chance(0.5) ? 1 + r.below(Math.min(ptrs, 80)) : 1 + r.below(Math.min(ptrs, blocksIn(iaLimit)));
      let ipa = r.below(blocksIn(iaLimit)) * g;
      if (r.chance(0.6)) {
        // Inside the root page that holds ipa, where the entries allow.
        const rootStart = Math.floor(ipa / rootSpan) * rootSpan;
        const room = Math.max(0, Math.floor(Math.min(rootSpan, iaLimit - rootStart) / g) - n);
        ipa = rootStart + r.below(room + 1) * g;
      }
      let pa = r.below(blocksIn(Math.min(paLimit, 2 ** 48))) * g;
      if (r.chance(0.1)) pa = Math.max(0, Math.min(paLimit, 2 ** 48) - r.below(n + 1) * g);
      if (r.chance(0.05) && paLimit > 2 ** 48) pa = 2 ** 48 + r.below(blocksIn(paLimit - 2 ** 48)) * g;
      const size = n * g;
      both(p, `${where}: map 0x${ipa.toString(16)} +0x${size.toString(16)} -> 0x${pa.toString(16)} prot ${prot} flags ${flags}`, (t) =>
        t.map(ipa, size, pa, prot, flags),
      );
    } else if (kind <= 11) {
      // Unaligned: the IPA, the size or the PA off the block, by blocks of the next level, and by pages
      // only in a range shorter than a block (a block's worth of pages through the generic walk is slow).
      const big = r.chance(0.5);
      const ipa = r.below(blocksIn(iaLimit)) * g + (r.chance(0.5) ? r.below(4) * sub : 0) + (!big && r.chance(0.5) ? r.below(3) * page : 0);
      const size = big ? g + r.below(3) * sub + r.below(3) * page : 1 + r.below(3) * sub + r.below(5) * page;
      const pa = r.below(blocksIn(Math.min(paLimit, 2 ** 48))) * g + (r.chance(0.5) ? r.below(4) * sub : 0) + (!big && r.chance(0.2) ? page : 0);
      both(p, `${where}: unaligned map 0x${ipa.toString(16)} +0x${size.toString(16)} -> 0x${pa.toString(16)} prot ${prot} flags ${flags}`, (t) =>
        t.map(ipa, size, pa, prot, flags),
      );
    } else if (kind === 12) {
      // A few pages inside a block's range: a table (or more) in an entry a later block map meets.
      const ipa = r.below(blocksIn(iaLimit)) * g + r.below(16) * page;
      const pa = r.below(1 << 16) * page;
      both(p, `${where}: pages at 0x${ipa.toString(16)}`, (t) => {
        const rets: number[] = [];
        for (let i = 0; i < 3; i++) rets.push(t.map(ipa + i * page, page, pa + i * page, prot, flags));
        return rets;
      });
    } else if (kind === 13) {
      const ipa = r.below(blocksIn(iaLimit)) * g;
      const size = r.pick([g, 3 * g, page, 5 * page, rootSpan]);
      both(p, `${where}: unmap 0x${ipa.toString(16)} +0x${size.toString(16)}`, (t) => t.unmap(ipa, size));
    } else if (kind === 14) {
      const ipa = r.below(blocksIn(iaLimit)) * g + (r.chance(0.5) ? r.below(8) * page : 0);
      const owner = 1 + r.below(3);
      // set_owner writes pages (force_pte): a block of the next level at most.
      const size = r.chance(0.5) ? sub : page;
      both(p, `${where}: setOwner 0x${ipa.toString(16)} +0x${size.toString(16)} owner ${owner}`, (t) => t.setOwner(ipa, size, owner));
    } else if (kind === 15) {
      // Written behind the model's back (the same in both), into an empty root entry: a LOCKED marker,
      // an owner annotation or a stray invalid word, counted as the kernel counts a non-zero entry (an
      // uncounted one would let a later put free a root page still in use), so that a block map meets
      // an entry that is not empty.
      const root = r.below(t0.geom.pgdPages);
      const index = r.below(ptrs);
      const how = r.below(3);
      const lo = how === 0 ? INVALID_PTE_LOCKED_LO : how === 1 ? (1 + r.below(3)) << 2 : 0;
      const hi = how === 2 ? 1 << r.below(32) : 0;
      if (p.fast.t.entryLo(t0.pgd + root, index) === 0 && p.fast.t.entryHi(t0.pgd + root, index) === 0) {
        for (const s of [p.fast, p.slow]) {
          poke(s.t, s.t.pgd + root, index, lo, hi);
          s.t.store.refcount[s.t.pgd + root]++;
          s.t.tablesWritten();
        }
      }
      both(p, `${where}: root ${root} entry ${index} written (${how}), then nothing`, () => 0);
    } else if (kind === 16 && g / page <= 8192) {
      // A split makes pages of a whole block: only where a block holds few enough.
      const ipa = r.below(blocksIn(iaLimit)) * g;
      both(p, `${where}: split 0x${ipa.toString(16)} +0x${g.toString(16)}`, (t) => t.split(ipa, g));
    } else if (kind === 17) {
      // Beyond the IPA space, or ending beyond it.
      const ipa = r.chance(0.5) ? iaLimit : iaLimit - g;
      const size = r.pick([g, 2 * g]);
      both(p, `${where}: map beyond the IPA space 0x${ipa.toString(16)} +0x${size.toString(16)}`, (t) => t.map(ipa, size, 0, prot, flags));
    } else if (kind === 18) {
      // The same map twice: the second meets its own blocks (-EAGAIN, or a change of attributes).
      const ipa = r.below(blocksIn(iaLimit)) * g;
      const pa = r.below(blocksIn(Math.min(paLimit, 2 ** 48))) * g;
      const prot2 = r.pick(PROTS);
      both(p, `${where}: map 0x${ipa.toString(16)} twice, prot ${prot} then ${prot2}`, (t) => [
        t.map(ipa, 2 * g, pa, prot, flags),
        t.map(ipa, 2 * g, pa, prot2, flags),
      ]);
    } else if (kind === 19) {
      both(p, `${where}: unmap of everything`, (t) => t.unmap(0, iaLimit));
    }
    setHook(p.fast, false);
    setHook(p.slow, false);
  }
  both(p, "final unmap", (t) => t.unmap(0, iaLimit));
  if (r.chance(0.5)) {
    both(p, "destroy", (t) => {
      t.destroy();
      return 0;
    });
    both(p, "map after destroy", (t) => t.map(0, g, 0, PROT_R | PROT_W, 0));
  }
}

describe(`property: map() of start-level blocks = the generic walker (seed 0x${SEED.toString(16)})`, () => {
  CONFIGS.forEach(({ cfg, startLevel }, i) => {
    it(`granule ${cfg.granule} ia ${cfg.iaBits} pa ${cfg.paBits} lpa2 ${cfg.lpa2} fwb ${cfg.fwb} (start level ${startLevel})`, () => {
      // Count how often the direct path ran (mapBlocks did not decline: 1), and how often it handed the
      // rest of its range to the walk (mapWalk called from inside it), so that neither case goes untested.
      const proto = KvmPgtable.prototype as unknown as Record<string, (this: KvmPgtable, ...args: number[]) => number>;
      const mapBlocks = proto.mapBlocks;
      const mapWalk = proto.mapWalk;
      let inside = false;
      let direct = 0;
      let handedOn = 0;
      proto.mapBlocks = function (this: KvmPgtable, ...args: number[]): number {
        inside = true;
        try {
          const ret = mapBlocks.apply(this, args);
          if (ret !== 1) direct++;
          return ret;
        } finally {
          inside = false;
        }
      };
      proto.mapWalk = function (this: KvmPgtable, ...args: number[]): number {
        if (inside) handedOn++;
        return mapWalk.apply(this, args);
      };
      try {
        for (let round = 0; round < 6; round++) run(cfg, startLevel, SEED ^ BigInt(i * 16 + round), 50);
      } finally {
        proto.mapBlocks = mapBlocks;
        proto.mapWalk = mapWalk;
      }
      // The direct path writes blocks of the start level: none where that level has no blocks.
      const minBlockLevel = cfg.granule === 4096 ? 1 : 2;
      if (startLevel >= minBlockLevel) {
        expect(direct, "maps through the direct path").toBeGreaterThan(20);
        expect(handedOn, "direct maps that handed the rest to the walk").toBeGreaterThan(0);
      } else {
        expect(direct, "maps through the direct path").toBe(0);
      }
    });
  });
});

describe("map() of start-level blocks: the direct path", () => {
  it("is taken for map_block_64g's call, and writes the hand-worked blocks, counts and events", () => {
    const cfg: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
    const t = new KvmPgtable(cfg);
    const proto = KvmPgtable.prototype as unknown as Record<string, (...args: number[]) => number>;
    const spy = vi.spyOn(proto, "mapBlocks");
    const walk = vi.spyOn(proto, "walk");
    try {
      expect(t.map(0x1000000000, 64 * 2 ** 30, 0x1000000000, PROT_R | PROT_W, 0)).toBe(0);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.results[0].value).toBe(0);
      expect(walk).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      walk.mockRestore();
    }
    // 40-bit IPA, 4K: start level 1, two root pages of 512 1G entries; 0x1000000000 is entry 64 of page 0.
    // Block descriptor (Arm ARM D8.3, stage 2; kvm_init_valid_leaf_pte): OA | AF (bit 10) | SH = inner
    // shareable (0b11 << 8) | S2AP RW (0b11 << 6) | MemAttr Normal WB (0b1111 << 2) | block, valid (0b01);
    // high half: XN (bit 54: 1 << 22) and OA bits 47:32.
    for (let i = 0; i < 512; i++) {
      const lo = t.entryLo(t.pgd, i);
      const hi = t.entryHi(t.pgd, i);
      if (i < 64 || i >= 128) {
        expect([lo, hi], `entry ${i}`).toEqual([0, 0]);
        continue;
      }
      const b = i - 64;
      expect([lo, hi], `entry ${i}`).toEqual([(((b & 3) << 30) | 0x7fd) >>> 0, ((0x10 + (b >> 2)) | (1 << 22)) >>> 0]);
    }
    expect(t.store.pageCount(t.pgd)).toBe(1 + 64);
    expect(t.store.pageCount(t.pgd + 1)).toBe(1);
    // One dcache clean per block (Normal memory without FWB; not executable: no icache), in IPA order.
    const ev = t.log.toJson();
    expect(ev.length).toBe(64);
    ev.forEach((e, i) => expect(e).toEqual(["dcache", `0x${(0x1000000000 + i * 2 ** 30).toString(16)}`, "0x40000000"]));
    expect(t.warnings).toEqual([]);
  });
});
