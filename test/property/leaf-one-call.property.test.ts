// Property: GetLeafBatch.leafAt() and leaf(), get_leaf one IPA a call (the
// functions made per flat arena, GetLeafKernel.leafOver, which check the
// table's state themselves and take each table entry's next page by one
// shift), answer exactly as KvmPgtable.getLeaf() with the fast paths off
// (the generic kvm_pgtable_walk() with leaf_walker): the return code, the
// descriptor and its level, or the same error (class and message).
// Random tables of many geometries (every granule, start levels 0..3, 32-bit
// PAs whose table store base has low bits set, LPA2), built by random maps
// of pages and blocks, unmaps and owner annotations while one batch, made
// before the table grew, keeps answering; the arena made flat (and moved) at
// random points; then random words scribbled into the store's chunks: table
// descriptors pointing at the page at bump, at the arena's end, past it,
// below the store, with other high address bits (PA[51:32], OA[51:48] in
// bits 15:12, OA[51:50] in bits 9:8), and random words. Inputs: mapped pages
// and their neighbours, anywhere in the IPA space, 2^ia_bits and beyond,
// negative, fractional, NaN, infinite, and non-numbers. A destroyed table,
// and a call from inside a store hook, answer as getLeaf() does.
// Deterministic: xorshift64 from a fixed seed, printed in the test names.
import { describe, expect, it, vi } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Granule, Stage2Config } from "../../src/pgtable/geometry.js";
import { GetLeafBatch } from "../../src/pgtable/getleaf.js";
import { KvmPgtable, type GetLeafResult } from "../../src/pgtable/pgtable.js";
import { hexHalves } from "../../src/pgtable/u64.js";
import { xorshift64, type Xorshift } from "./xorshift.js";

const SEED = 0x1eaf1ca11a000001n;

// [granule, iaBits, paBits, lpa2]
const GEOMETRIES: Array<[Granule, number, number, boolean]> = [
  [4096, 40, 48, false],
  [4096, 32, 32, false],
  [4096, 36, 40, false],
  [4096, 44, 48, false],
  [4096, 48, 48, false],
  [4096, 52, 52, true],
  [16384, 36, 48, false],
  [16384, 47, 48, false],
  [16384, 32, 32, false],
  [16384, 52, 52, true],
  [65536, 40, 48, false],
  [65536, 52, 52, false],
  [65536, 32, 32, false],
];

const PROTS = [PROT_R, PROT_R | PROT_W, PROT_R | PROT_W | PROT_X, 0];

/** getLeaf() of `ipa` with the fast paths off, or what it threw. */
function reference(t: KvmPgtable, ipa: unknown): GetLeafResult | string {
  t.fastPaths = false;
  try {
    return t.getLeaf(ipa as number);
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  } finally {
    t.fastPaths = true;
  }
}

/** A one-call answer (level or code, the descriptor's halves) as getLeaf()'s result, or what it threw. */
function asResult(f: () => [number, number, number]): GetLeafResult | string {
  try {
    const [level, lo, hi] = f();
    // Levels are -1..3; anything below is the kernel's return code, with both halves 0.
    if (level < -1) return lo === 0 && hi === 0 ? { ret: level, pte: null, level: null } : `halves ${lo}, ${hi} with code ${level}`;
    return { ret: 0, pte: hexHalves(lo, hi), level };
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

/** leafAt() and leaf() calls check() made (since a test reset it). */
let calls = 0;

function check(t: KvmPgtable, b: GetLeafBatch, ipas: readonly unknown[], label: string): number {
  calls += 2 * ipas.length;
  // The bound the functions read instead of bump and flatPages: its definition (TableStore.walkWords).
  const s = t.store;
  expect(s.walkWords, `${label}: walkWords`).toBe(Math.min(s.bump, s.flatPages) * 2 ** s.wordsShift);
  const out = new Uint32Array(3);
  let answered = 0;
  for (const ipa of ipas) {
    const want = reference(t, ipa);
    if (typeof want !== "string" && want.ret === 0) answered++;
    const at = asResult(() => {
      const level = b.leafAt(ipa as number);
      return [level, b.leafLo, b.leafHi];
    });
    expect(at, `${label}: leafAt(${String(ipa)})`).toEqual(want);
    out.fill(0x5a5a5a5a);
    const one = asResult(() => {
      const level = b.leaf(ipa as number, out);
      return [level, out[0], out[1]];
    });
    expect(one, `${label}: leaf(${String(ipa)})`).toEqual(want);
    expect(out[2], `${label}: leaf() writes two elements`).toBe(0x5a5a5a5a);
  }
  return answered;
}

/** The IPAs to probe: mapped ones and their neighbours, random ones, and values getLeaf() refuses or answers -ERANGE for. */
function probes(r: Xorshift, cfg: Stage2Config, mapped: readonly number[]): unknown[] {
  const out: unknown[] = [];
  const top = 2 ** cfg.iaBits;
  for (let i = 0; i < 40 && mapped.length > 0; i++) {
    const ipa = r.pick(mapped) + (r.below(3) - 1) * cfg.granule + r.below(cfg.granule);
    if (ipa >= 0 && ipa < top) out.push(ipa);
  }
  for (let i = 0; i < 12; i++) out.push(r.below(top));
  out.push(0, top - 1, top, top + cfg.granule, 2 ** 53 - 1, 2 ** 64, 2 ** 70, -1, -cfg.granule, -0, 0.5, (mapped[0] ?? 0) + 0.25);
  out.push(Number.NaN, Infinity, -Infinity, 1e-300, Number.MIN_VALUE);
  if (r.below(4) === 0) out.push(BigInt(cfg.granule), String(cfg.granule), { valueOf: () => cfg.granule }, null, undefined, Symbol("ipa"), [cfg.granule]);
  return out;
}

/** A random operation over a window of a few blocks at `base`; returns an IPA it mapped (or null). */
function randomOp(r: Xorshift, t: KvmPgtable, cfg: Stage2Config, base: number, block: number): number | null {
  const g = cfg.granule;
  const at = base + r.below(16) * block;
  const pa = (r.below(2 ** Math.min(cfg.paBits - Math.log2(block) - 1, 12)) + 1) * block;
  const op = r.below(10);
  if (op < 6) {
    const n = 1 + r.below(12);
    const ipa = at + r.below(block / g - n) * g;
    return t.map(ipa, n * g, pa, r.pick(PROTS), 0) === 0 ? ipa : null;
  }
  if (op === 6) return t.map(at, block, pa, r.pick(PROTS), 0) === 0 ? at : null;
  if (op === 7) {
    t.unmap(at + r.below(block / g) * g, g * (1 + r.below(600)));
    return null;
  }
  if (op === 8) {
    const ipa = at + r.below(block / g) * g;
    return t.setOwner(ipa, g, 1 + r.below(3)) === 0 ? ipa : null;
  }
  t.unmap(at, block);
  return null;
}

/** Table entries (valid, table type) of the store's pages: [page, word offset of the low half]. */
function tableEntries(t: KvmPgtable): Array<[number, number]> {
  const s = t.store;
  const out: Array<[number, number]> = [];
  for (let page = 0; page < s.bump; page++) {
    const c = s.chunkOf(page);
    for (let e = 0; e < t.ptrsPerPte; e++) if ((c[s.pageOffset(page) + 2 * e] & 3) === 3) out.push([page, s.pageOffset(page) + 2 * e]);
  }
  return out;
}

/** Write a scribble into the store's chunks: mostly table entries made to point elsewhere, some random words. */
function scribble(r: Xorshift, t: KvmPgtable, cfg: Stage2Config): void {
  const s = t.store;
  const entries = tableEntries(t);
  const pageBits = Math.log2(cfg.granule);
  /** Point the entry at PA `pa` (a table descriptor: valid, table type), keeping nothing else. */
  const pointAt = (c: Int32Array, off: number, pa: number): void => {
    c[off] = ((pa % 2 ** 32) | 3) >>> 0;
    c[off + 1] = Math.floor(pa / 2 ** 32) >>> 0;
  };
  if (entries.length === 0 || r.below(6) === 0) {
    // A random word anywhere in an allocated page.
    const page = r.below(s.bump);
    const off = s.pageOffset(page) + r.below(2 * t.ptrsPerPte);
    s.chunkOf(page)[off] = (r.next() * 2 ** 32) >>> 0;
    return;
  }
  const [page, off] = r.pick(entries);
  const c = s.chunkOf(page);
  switch (r.below(10)) {
    case 0:
      pointAt(c, off, s.pagePa(s.bump)); // the page at bump (inside the arena's room, outside the store)
      return;
    case 1:
      pointAt(c, off, s.pagePa(Math.max(s.flatPages, s.bump) + r.below(3))); // at or past the arena's end
      return;
    case 2:
      pointAt(c, off, s.pagePa(0) - cfg.granule * (1 + r.below(4))); // below the store
      return;
    case 3:
      pointAt(c, off, s.pagePa(r.below(s.bump))); // another page of the store (any level)
      return;
    case 4:
      c[off + 1] ^= 1 << r.below(32); // PA[63:32] and upper attributes
      return;
    case 5:
      c[off] ^= 1 << (12 + r.below(20)); // OA[31:12]
      return;
    case 6:
      c[off] ^= 1 << (pageBits === 16 ? 12 + r.below(4) : 8 + r.below(2)); // OA[51:48] (64K) or OA[51:50] (LPA2) bits, or ignored ones
      return;
    case 7:
      c[off] = (c[off] & ~3) | r.below(3); // no longer a table
      return;
    case 8:
      pointAt(c, off, s.pagePa(r.below(s.bump)) + 2 ** (32 + r.below(20))); // a store page with a high address bit set
      return;
    default:
      c[off] = (r.next() * 2 ** 32) >>> 0;
  }
}

describe(`GetLeafBatch.leafAt() and leaf() against getLeaf() with the fast paths off (seed 0x${SEED.toString(16)})`, () => {
  it.each(GEOMETRIES)(
    "random tables, a batch made before they grew, scribbles: %i granule, %i-bit IPA, %i-bit PA, LPA2 %s",
    (granule, iaBits, paBits, lpa2) => {
      const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: false, tlbRange: false };
      const r = xorshift64(SEED ^ BigInt(granule * 1000 + iaBits * 10 + (lpa2 ? 1 : 0)) ^ (BigInt(paBits) << 40n));
      const t = new KvmPgtable(cfg);
      t.log.record = false;
      const g = t.geom;
      const blockLevel = g.minBlockLevel + (granule === 4096 ? 1 : 0); // 2M, 32M or 512M blocks
      const block = 2 ** g.shifts[blockLevel + 1];
      const base = r.below(Math.max(1, 2 ** iaBits / block - 16)) * block;
      const b = new GetLeafBatch(t);
      const slow = vi.spyOn(b, "leafAtSlow");
      calls = 0;
      const mapped: number[] = [];
      let answered = 0;
      const arenas = new Set<Int32Array>();
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 6; i++) {
          const ipa = randomOp(r, t, cfg, base, block);
          if (ipa !== null) mapped.push(ipa);
        }
        if (r.below(3) === 0) t.store.flatten();
        if (t.store.flatPages > 0) arenas.add(t.store.flat);
        answered += check(t, b, probes(r, cfg, mapped), `${granule}/${iaBits}/${paBits} round ${round}`);
      }
      t.store.flatten();
      answered += check(t, b, probes(r, cfg, mapped), `${granule}/${iaBits}/${paBits} flat`);
      for (let k = 0; k < 30; k++) {
        scribble(r, t, cfg);
        if (r.below(8) === 0) t.store.flatten();
        answered += check(t, b, probes(r, cfg, mapped), `${granule}/${iaBits}/${paBits} scribble ${k}`);
      }
      expect(answered, "probes that found an entry").toBeGreaterThan(300);
      // Most of them without the slow path (leaf() and leafAt() both count; out-of-range probes and scribbled walks take it).
      expect(slow.mock.calls.length, "calls through the slow path").toBeLessThan(calls / 2);
      expect(arenas.size, "flat arenas the batch saw").toBeGreaterThan(0);
    },
  );

  it("a table that grows past the arena the batch's functions were made for answers as getLeaf()", () => {
    const cfg: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
    const r = xorshift64(SEED ^ 0x9e0n);
    const t = new KvmPgtable(cfg);
    t.log.record = false;
    const b = new GetLeafBatch(t);
    const mapped: number[] = [];
    // Growth one last-level table at a time: pages taken beyond the arena the functions were made for.
    for (let i = 0; i < 200; i++) {
      const ipa = 2 ** 30 + i * 2 ** 21 + r.below(512) * 4096;
      expect(t.map(ipa, 4096, 2 ** 31 + i * 4096, PROT_R | PROT_W, 0)).toBe(0);
      mapped.push(ipa);
      if (i % 7 === 0) check(t, b, [ipa, mapped[r.below(mapped.length)], ipa + 2 ** 21], `grow ${i}`);
    }
    check(t, b, probes(r, cfg, mapped), "grown");
  });

  it("on a flat table, the functions answer themselves; from a store hook and after destroy() as getLeaf()", () => {
    const cfg: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
    const r = xorshift64(SEED ^ 0xf1a7n);
    const t = new KvmPgtable(cfg);
    t.log.record = false;
    const mapped: number[] = [];
    for (let i = 0; i < 4; i++) {
      const ipa = 2 ** 30 + i * 2 ** 21 + r.below(500) * 4096;
      expect(t.map(ipa, 4096 * 8, 2 ** 31 + i * 2 ** 21, PROT_R | PROT_W, 0)).toBe(0);
      mapped.push(ipa);
    }
    // One chunk: the store is flat as it is (flatPages >= bump from here on).
    expect(t.store.flatten()).toBe(true);
    const b = new GetLeafBatch(t);
    const slow = vi.spyOn(b, "leafAtSlow");
    b.leafAt(mapped[0]); // the slow path makes the functions for the arena
    slow.mockClear();
    const ipas = mapped.flatMap((ipa) => [ipa, ipa + 4096, ipa + 4096 * 8, ipa + 2 ** 21]);
    check(t, b, ipas, "flat");
    // Every probe in range answered without the slow path (leaf() included: it shares it).
    expect(slow).not.toHaveBeenCalled();
    // From inside a store hook: getLeaf() refuses (an operation is running), and so do leafAt() and leaf().
    const inHook: Array<[unknown, unknown]> = [];
    t.storeHook = () => {
      inHook.push([reference(t, mapped[0]), asResult(() => [b.leafAt(mapped[0]), b.leafLo, b.leafHi])]);
      inHook.push([reference(t, mapped[1]), asResult(() => [b.leaf(mapped[1], new Uint32Array(2)), 0, 0])]);
    };
    expect(t.unmap(mapped[0], 4096)).toBe(0);
    t.storeHook = null;
    expect(inHook.length).toBeGreaterThan(0);
    for (const [want, got] of inHook) {
      expect(typeof want, "getLeaf() inside a hook").toBe("string");
      expect(got).toEqual(want);
    }
    check(t, b, ipas, "after the hook");
    t.destroy();
    // The store is still flat and the arena the same: only the table's state says -EINVAL.
    expect(t.store.flatPages).toBeGreaterThanOrEqual(t.store.bump);
    expect(check(t, b, ipas, "destroyed"), "a destroyed table finds nothing").toBe(0);
  });
  it("after a store hook's throw undoes a page the store took, a table entry pointing at it answers as getLeaf() (TableMemoryError)", () => {
    const cfg: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
    const t = new KvmPgtable(cfg);
    t.log.record = false;
    // Root (2 pages), a level-2 table and a level-3 table: 4 pages in a first chunk of 4, then a fifth in one of 8.
    expect(t.map(2 ** 30, 4096, 2 ** 31, PROT_R | PROT_W, 0)).toBe(0);
    expect(t.map(2 ** 30 + 2 ** 21, 4096, 2 ** 31, PROT_R | PROT_W, 0)).toBe(0);
    const s = t.store;
    expect(s.flatten()).toBe(true);
    const b = new GetLeafBatch(t);
    b.leafAt(2 ** 30); // the slow path makes the functions for the arena
    const bump = s.bump;
    expect(s.flatPages, "the arena has room beyond bump").toBeGreaterThan(bump);
    // A map that needs a new last-level table: the store takes page `bump`, the hook throws, the page is given back.
    t.storeHook = () => {
      throw new Error("no");
    };
    expect(() => t.map(2 ** 30 + 2 * 2 ** 21, 4096, 2 ** 31, PROT_R | PROT_W, 0)).toThrow("no");
    t.storeHook = null;
    expect(s.bump, "the page taken is given back").toBe(bump);
    const ipas = [2 ** 30, 2 ** 30 + 2 ** 21, 2 ** 30 + 2 * 2 ** 21, 2 ** 30 + 4096];
    check(t, b, ipas, "after the undo");
    // The level-2 entry of 2^30 pointed at page `bump` (no longer the store's, still inside the arena).
    const [page, off] = tableEntries(t).filter(([p]) => p >= t.geom.pgdPages)[0];
    s.chunkOf(page)[off] = (s.pagePa(bump) % 2 ** 32) | 3;
    s.chunkOf(page)[off + 1] = Math.floor(s.pagePa(bump) / 2 ** 32);
    expect(reference(t, 2 ** 30)).toMatch(/^TableMemoryError/);
    check(t, b, ipas, "pointing at the page given back");
  });
});
