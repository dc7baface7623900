// Tables share what they can (src/pgtable/pgtable.ts: the walk scratch, the
// geometry and its constants; src/pgtable/storage.ts: a first chunk sized to
// the pages taken). None of it may leak between tables:
//   - a store hook that runs operations on other tables in the middle of its
//     own table's walk (the one way into user code while a walk runs) leaves
//     both walks exact: the hooked table ends as a twin that ran the same
//     operations alone, and so do the other tables;
//   - tables of one geometry share one frozen Geometry, and every config
//     (fwb, tlbRange) keeps its own constants;
//   - the first chunk grows as pages are taken and a rolled-back growth
//     leaves the arena as before (same arrays' sizes, same words).
// Deterministic: xorshift64 from a fixed seed, printed in the test names.
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { tablesDiffer } from "../../src/reliability/checked.js";
import { xorshift64 } from "./xorshift.js";

const SEED = 0x5ca7c4da11n;

const rng = xorshift64;

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
const GIB = 2 ** 30;

type Op = (t: KvmPgtable) => unknown;

/** A random operation over a 1 GiB window: maps (pages, blocks), unmaps, wrprotect, split, get_leaf. */
function randomOp(r: ReturnType<typeof rng>): Op {
  const page = 4096;
  const ipa = GIB + r.below(512 * 512) * page;
  const n = 1 + r.below(700);
  const prot = [PROT_R | PROT_W, PROT_R, PROT_R | PROT_W | PROT_X][r.below(3)];
  const pa = 0x80000000 + r.below(1 << 16) * page;
  const block = GIB + r.below(512) * 0x200000;
  const blocks = 0x200000 * (1 + r.below(4));
  switch (r.below(6)) {
    case 0:
      return (t) => t.map(ipa, n * page, pa, prot, 0);
    case 1:
      return (t) => t.map(block, blocks, 0x80000000, prot, 0);
    case 2:
      return (t) => t.unmap(ipa, n * page);
    case 3:
      return (t) => t.wrprotect(GIB, GIB);
    case 4:
      return (t) => t.split(GIB, GIB);
    default:
      return (t) => [t.getLeaf(ipa), t.leafLo, t.leafHi, t.leafLevel];
  }
}

describe(`shared state between tables (seed 0x${SEED.toString(16)})`, () => {
  it("a store hook that runs other tables' operations mid-walk leaves every table exact", () => {
    const r = rng(SEED);
    for (let round = 0; round < 8; round++) {
      const hooked = new KvmPgtable(CFG);
      const hookedTwin = new KvmPgtable(CFG);
      const other = new KvmPgtable(CFG);
      const otherTwin = new KvmPgtable(CFG);
      const mine: Op[] = [];
      const theirs: Op[] = [];
      for (let i = 0; i < 40; i++) mine.push(randomOp(r));
      for (let i = 0; i < 400; i++) theirs.push(randomOp(r));
      // Every few stores of `hooked`, the hook runs the next of `theirs` on `other` (fast paths, shared scratch).
      let next = 0;
      let stores = 0;
      const every = 1 + r.below(5);
      const otherResults: unknown[] = [];
      hooked.storeHook = () => {
        if (++stores % every === 0 && next < theirs.length) otherResults.push(theirs[next++](other));
      };
      hooked.hookMayThrow = r.below(2) === 0;
      const a = mine.map((op) => op(hooked));
      const b = mine.map((op) => op(hookedTwin));
      expect(a, `round ${round}: the hooked table's results`).toEqual(b);
      expect(tablesDiffer(hooked, hookedTwin, 0, Infinity, true), `round ${round}: the hooked table`).toBeNull();
      expect(hooked.log.toJson(), `round ${round}: the hooked table's events`).toEqual(hookedTwin.log.toJson());
      const c = theirs.slice(0, next).map((op) => op(otherTwin));
      expect(otherResults, `round ${round}: the other table's results (${next} ops, run from the hook)`).toEqual(c);
      expect(tablesDiffer(other, otherTwin, 0, Infinity, true), `round ${round}: the other table`).toBeNull();
      expect(next, `round ${round}: the hook ran other tables' operations`).toBeGreaterThan(0);
    }
  });

  it("tables of one geometry share a frozen Geometry; their configs and constants follow fwb and tlbRange", () => {
    const a = new KvmPgtable(CFG);
    const b = new KvmPgtable({ ...CFG, fwb: true, tlbRange: true });
    expect(a.geom).toBe(b.geom);
    expect(Object.isFrozen(a.geom) && Object.isFrozen(a.geom.levelInfo) && Object.isFrozen(a.geom.format)).toBe(true);
    expect(a.config).toEqual(CFG);
    expect(b.config).toEqual({ ...CFG, fwb: true, tlbRange: true });
    // FWB's Normal memory type (MemAttr 0b0110) is b's own: its leaf differs from a's.
    a.map(GIB, 4096, 0x80000000, PROT_R | PROT_W, 0);
    b.map(GIB, 4096, 0x80000000, PROT_R | PROT_W, 0);
    a.getLeaf(GIB);
    b.getLeaf(GIB);
    expect(a.leafLo.toString(16)).toBe("800007ff");
    expect(b.leafLo.toString(16)).toBe("800007db");
  });

  it("the first chunk grows with the pages taken, and a rolled-back growth leaves the arena as it was", () => {
    const t = new KvmPgtable(CFG);
    expect(t.store.chunks[0].length).toBe(2 * 1024); // the two root pages
    expect(t.store.bytes()).toBe(2 * 4096 + 8);
    const twin = new KvmPgtable(CFG);
    let throwAt = 3;
    t.storeHook = () => {
      if (--throwAt === 0) throw new Error("abort");
    };
    // Two new tables (pages 2 and 3: the first chunk doubles to 4 pages), then the hook throws.
    expect(() => t.map(GIB, 4096, 0x80000000, PROT_R, 0)).toThrow("abort");
    expect(t.store.chunks[0].length).toBe(2 * 1024);
    expect(tablesDiffer(t, twin, 0, Infinity, true)).toBeNull();
    t.storeHook = null;
    expect(t.map(GIB, 4096, 0x80000000, PROT_R, 0)).toBe(0);
    expect(t.store.chunks[0].length).toBe(4 * 1024);
    for (let i = 1; i < 64; i++) expect(t.map(GIB * (1 + (i % 255)) + i * 0x200000, 4096, 0x80000000, PROT_R, 0)).toBe(0);
    expect(t.store.chunks[0].length).toBe(64 * 1024);
    expect(t.store.chunks.length).toBeGreaterThan(1);
  });
});
