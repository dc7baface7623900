// Property: the operations' specialised loops (issue 20: the unmap, attribute,
// aging and flush run loops, the map's block runs, the one-page map with its
// cached last-level table and its tables made inline) are the generic walker
// exactly. Two tables get the same random operations, one with fastPaths on
// and one with every visit through the generic kvm_pgtable_walk() callbacks;
// after every operation they must agree on the return value, the decoded
// event list, the warnings, every word of table memory and every page count.
//
// Where test/property/fastpath.test.ts draws small operations, these are the
// benchmark's shapes at scale: thousands of one-page maps in sequence and at
// random (new tables on the way), whole tables unmapped and write-protected,
// blocks mapped over many entries, at unaligned starts, with Device memory and
// executable pages in the middle of a run, every walk flag, FWB and
// FEAT_TLBIRANGE, memory caches that run dry half-way, and tables tampered with
// behind the model's back (a page count below the entries it holds, LOCKED
// markers and owner annotations written in) so that the loops' stop rules are
// exercised. Deterministic: xorshift64 from a fixed seed, printed in the names.
import { describe, expect, it } from "vitest";
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
import { storeDiff } from "../helpers-pgtable.js";

const SEED = 0x2020f00dcafe5eedn;

const rng = xorshift64;

const CONFIGS: Stage2Config[] = [
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false },
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false },
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: true },
  { granule: 4096, iaBits: 48, paBits: 48, lpa2: false, fwb: false, tlbRange: true },
  { granule: 16384, iaBits: 47, paBits: 48, lpa2: false, fwb: false, tlbRange: false },
  { granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: false, tlbRange: false },
  { granule: 4096, iaBits: 52, paBits: 52, lpa2: true, fwb: false, tlbRange: false },
];

const PROTS = [PROT_R | PROT_W, PROT_R | PROT_W, PROT_R | PROT_W, PROT_R, PROT_R | PROT_W | PROT_X, PROT_R | PROT_DEVICE, PROT_R | PROT_W | PROT_NORMAL_NC, 0];
const FLAGS = [0, 0, 0, 0, WALK_SHARED, WALK_SKIP_CMO, WALK_SKIP_BBM_TLBI, WALK_HANDLE_FAULT, WALK_SHARED | WALK_SKIP_CMO];

interface Pair {
  fast: KvmPgtable;
  slow: KvmPgtable;
}

function differ(p: Pair): string | null {
  return storeDiff(p.fast.store, p.slow.store);
}

/** An op's return, or what it threw. */
function outcome(t: KvmPgtable, op: (t: KvmPgtable) => unknown): unknown {
  try {
    return op(t);
  } catch (e) {
    return { threw: String(e) };
  }
}

/** Both tables, the same call; returns and events compared. */
function both(p: Pair, what: string, op: (t: KvmPgtable) => unknown): void {
  const x = outcome(p.fast, op);
  const y = outcome(p.slow, op);
  expect(x, `${what}: return`).toEqual(y);
  expect(p.fast.log.length, `${what}: events`).toBe(p.slow.log.length);
  expect(p.fast.log.toJson(), `${what}: events`).toEqual(p.slow.log.toJson());
  expect(Array.from(p.fast.log.notRecorded), `${what}: events not recorded`).toEqual(Array.from(p.slow.log.notRecorded));
  p.fast.log.clear();
  p.slow.log.clear();
  expect(p.fast.warnings, `${what}: warnings`).toEqual(p.slow.warnings);
  const d = differ(p);
  if (d !== null) expect.fail(`${what}: ${d}`);
}

/** A table page in use (not a root page), found the same way in both tables. */
function someTablePage(t: KvmPgtable, r: ReturnType<typeof rng>): number {
  const used: number[] = [];
  for (let page = t.geom.pgdPages; page < t.store.bump; page++) if (t.store.refcount[page] > 0) used.push(page);
  return used.length === 0 ? -1 : used[r.below(used.length)];
}

/** The last-level table that maps `ipa` (-1 when the walk stops above it). */
function lastLevelTable(t: KvmPgtable, ipa: number): number {
  const g = t.geom;
  let page = t.pgd + Math.floor(ipa / (t.granuleSize(g.startLevel) * g.ptrsPerPte));
  for (let level = g.startLevel; level < 3; level++) {
    const i = Math.floor(ipa / t.granuleSize(level)) % g.ptrsPerPte;
    const lo = t.entryLo(page, i);
    if (!t.isTable(lo, level)) return -1;
    page = t.childPage(lo, t.entryHi(page, i));
  }
  return page;
}

function poke(t: KvmPgtable, page: number, index: number, lo: number, hi: number): void {
  const off = t.store.pageOffset(page) + 2 * index;
  t.store.chunkOf(page)[off] = lo;
  t.store.chunkOf(page)[off + 1] = hi;
}

function run(cfg: Stage2Config, seed: bigint, steps: number): void {
  const r = rng(seed);
  const p: Pair = { fast: new KvmPgtable(cfg), slow: new KvmPgtable(cfg) };
  p.slow.fastPaths = false;
  const page = p.fast.pageSize;
  const l2 = p.fast.granuleSize(2);
  const iaLimit = 2 ** cfg.iaBits;
  // A window of 64 level-2 blocks (so that runs, tables and blocks meet), somewhere in the IPA space.
  const windowSize = 64 * l2;
  const window = Math.floor(r.below(Math.floor(iaLimit / windowSize)) * windowSize);
  const pa0 = 0x40000000 * (1 + r.below(4));
  const inWindow = (span: number): number => window + r.below(Math.max(1, Math.floor((windowSize - span) / page))) * page;
  for (let step = 0; step < steps; step++) {
    const kind = r.below(15);
    const flags = r.pick(FLAGS);
    const prot = r.pick(PROTS);
    const memcache = r.chance(0.15) ? r.below(3) : Infinity;
    p.fast.store.memcache = memcache;
    p.slow.store.memcache = memcache;
    const where = `step ${step}`;
    if (kind <= 3) {
      // One-page maps in sequence (map4k_1g's shape), sometimes over what is there.
      const n = 1 + r.below(kind === 0 ? 2000 : 300);
      const ipa = inWindow(n * page);
      const pa = pa0 + r.below(1 << 16) * page;
      both(p, `${where}: ${n} one-page maps at 0x${ipa.toString(16)} prot ${prot} flags ${flags}`, (t) => {
        const rets: number[] = [];
        for (let i = 0; i < n; i++) rets.push(t.map(ipa + i * page, page, pa + i * page, prot, flags));
        return rets;
      });
    } else if (kind <= 5) {
      // One-page maps at random (map4k_scatter_64k's shape), some at unaligned addresses or beyond the IPA space.
      const n = 1 + r.below(200);
      const ipas: number[] = [];
      for (let i = 0; i < n; i++) {
        let ipa = r.chance(0.7) ? inWindow(page) : r.below(Math.floor(iaLimit / page)) * page;
        if (r.chance(0.05)) ipa += r.below(page);
        if (r.chance(0.02)) ipa = iaLimit + r.below(4) * page;
        ipas.push(ipa);
      }
      const sizes = ipas.map(() => (r.chance(0.05) ? page - 1 : page));
      both(p, `${where}: ${n} scattered one-page maps prot ${prot} flags ${flags}`, (t) =>
        ipas.map((ipa, i) => t.map(ipa, sizes[i], pa0 + i * page, prot, flags)),
      );
    } else if (kind <= 7) {
      // A map of many entries: blocks where they fit, pages elsewhere (map_block_64g's shape when aligned).
      const blocks = r.chance(0.7);
      // Unaligned, a map is pages: at most 2048 of them (the generic walk of 2^18 64K pages is slow).
      const size = blocks ? r.pick([l2, 16 * l2, 3 * l2 + 5 * page, 600 * page, windowSize / 2]) : r.pick([l2, 600 * page, 2048 * page]);
      const ipa = r.chance(0.6) ? window + r.below(32) * l2 : inWindow(size);
      const pa = blocks ? pa0 + r.below(64) * l2 : pa0 + (1 + 2 * r.below(1 << 15)) * page;
      both(p, `${where}: map 0x${ipa.toString(16)} +0x${size.toString(16)} -> 0x${pa.toString(16)} prot ${prot} flags ${flags}`, (t) =>
        t.map(ipa, size, pa, prot, flags),
      );
    } else if (kind <= 9) {
      // Unmap of a range: whole tables, parts of them, unaligned ends.
      const size = r.pick([windowSize, l2, 7 * l2, 513 * page, page, 0x1800, r.below(windowSize)]);
      const ipa = r.chance(0.5) ? window : inWindow(size) + (r.chance(0.1) ? r.below(page) : 0);
      both(p, `${where}: unmap 0x${ipa.toString(16)} +0x${size.toString(16)}`, (t) => t.unmap(ipa, size));
    } else if (kind === 10) {
      const size = r.pick([windowSize, l2, 300 * page]);
      const ipa = r.chance(0.5) ? window : inWindow(size);
      both(p, `${where}: wrprotect 0x${ipa.toString(16)} +0x${size.toString(16)}`, (t) => t.wrprotect(ipa, size));
    } else if (kind === 11) {
      const ipa = inWindow(page);
      const how = r.below(4);
      const mkold = r.chance(0.5);
      both(p, `${where}: attribute op ${how} at 0x${ipa.toString(16)} flags ${flags}`, (t) => {
        if (how === 0) return t.relaxPerms(ipa, prot, flags);
        if (how === 1) {
          t.mkyoung(ipa, flags);
          return 0;
        }
        if (how === 2) return t.testClearYoung(window, windowSize, mkold);
        return t.flush(window, windowSize);
      });
    } else if (kind === 12) {
      const size = r.pick([l2, 4 * l2]);
      const ipa = window + r.below(32) * l2;
      both(p, `${where}: split 0x${ipa.toString(16)} +0x${size.toString(16)}`, (t) => t.split(ipa, size));
    } else if (kind === 13) {
      const ipa = inWindow(page);
      both(p, `${where}: getLeaf 0x${ipa.toString(16)}`, (t) => [t.getLeaf(ipa), t.leafLo, t.leafHi, t.leafLevel]);
    } else {
      const ipa = inWindow(4 * page);
      const owner = 1 + r.below(3);
      both(p, `${where}: setOwner 0x${ipa.toString(16)} owner ${owner}`, (t) => t.setOwner(ipa, 4 * page, owner));
    }
  }
  // Tampering, the same in both: a page count below the entries held (unmap's stop rule), or a
  // LOCKED marker / an owner annotation written into an entry (uncounted). Then an unmap over the
  // window, and the run ends: the table may now hold a freed page still linked, and what follows
  // from that is not the loops' business.
  if (r.chance(0.7)) {
    // A dense last-level table first (a one-page-map run through the window), then one of its pages.
    const n = 2 * p.fast.ptrsPerPte;
    const ipa = inWindow(n * page);
    both(p, `dense pages at 0x${ipa.toString(16)} before tampering`, (t) => {
      for (let i = 0; i < n; i++) t.map(ipa + i * page, page, pa0 + i * page, PROT_R | PROT_W, 0);
      return 0;
    });
    const tp = r.chance(0.8) ? lastLevelTable(p.fast, ipa + r.below(n) * page) : someTablePage(p.fast, r);
    if (tp >= 0) {
      const how = r.below(4);
      const held = p.fast.store.refcount[tp] - 1;
      const lower = 1 + r.below(Math.max(1, held));
      for (let m = how <= 1 ? 1 : 1 + r.below(4); m > 0; m--) {
        const index = r.below(p.fast.ptrsPerPte);
        for (const t of [p.fast, p.slow]) {
          if (how <= 1) t.store.refcount[tp] = Math.max(1, t.store.refcount[tp] - lower);
          else if (how === 2) poke(t, tp, index, INVALID_PTE_LOCKED_LO, 0);
          else poke(t, tp, index, 3 << 2, 0);
        }
      }
      both(p, `tampered (${how}) page ${tp}, then unmap of the window`, (t) => t.unmap(window, windowSize));
      return;
    }
  }
  // Everything unmapped: both tables back to their root pages.
  both(p, "final unmap", (t) => t.unmap(0, iaLimit));
}

describe(`property: the specialised loops = the generic walker, at the benchmark's scale (seed 0x${SEED.toString(16)})`, () => {
  CONFIGS.forEach((cfg, i) => {
    it(`granule ${cfg.granule} ia ${cfg.iaBits} pa ${cfg.paBits} lpa2 ${cfg.lpa2} fwb ${cfg.fwb} tlb_range ${cfg.tlbRange}`, () => {
      for (let round = 0; round < (cfg.granule === 65536 ? 2 : 3); round++) run(cfg, SEED ^ BigInt(i * 16 + round), 60);
    });
  });
});
