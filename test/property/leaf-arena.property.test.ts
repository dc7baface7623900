// Property: GetLeafBatch.leaf() and leafAt(), one IPA a call, answer exactly as
// KvmPgtable.getLeafFast() (and so getLeaf()) while one batch outlives many
// moves of its table's flat arena. leaf()'s fast path is a function made for
// one flat arena (the array is a constant of it, GetLeafKernel.leafOver), so
// it must be used only while that array is the store's `flat`: the first
// chunk's doubling empties the arena, the batch walks copy it anew as the
// store grows, and pages taken since stay outside it until the next copy.
// Here a single batch per table probes after every random operation (maps of
// page runs over many last-level tables, blocks, unmaps, wrprotects), with
// the arena made flat at random points by the batch walks and by flatten(),
// and the test checks that the arena did move under the batch.
// Deterministic: xorshift64 from a fixed seed, printed in the test name.
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { GetLeafBatch } from "../../src/pgtable/getleaf.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { xorshift64, type Xorshift } from "./xorshift.js";

const SEED = 0x1eaf0a4e9a000001n;
const GIB = 2 ** 30;
const CFGS: Stage2Config[] = [
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false },
  { granule: 16384, iaBits: 47, paBits: 48, lpa2: false, fwb: true, tlbRange: false },
  { granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: false, tlbRange: true },
];

function randomOp(r: Xorshift, t: KvmPgtable, cfg: Stage2Config): unknown {
  const page = cfg.granule;
  const region = page * (page / 8); // what one last-level table maps
  const ipa = GIB + r.below((4 * GIB) / region) * region + r.below(page / 8 - 8) * page;
  const prot = [PROT_R | PROT_W, PROT_R, PROT_R | PROT_W | PROT_X][r.below(3)];
  switch (r.below(8)) {
    case 0:
      return t.unmap(ipa, region * (1 + r.below(8)));
    case 1:
      return t.wrprotect(GIB, GIB);
    case 2:
      return t.map(GIB + r.below(8) * region * 4, region * 2, 0x80000000, prot, 0);
    default:
      return t.map(ipa, (1 + r.below(6)) * page, 0x80000000 + r.below(1 << 16) * page, prot, 0);
  }
}

/** Mapped pages of the window, other pages of it, and IPAs getLeaf() refuses or finds outside the IPA space. */
function probes(t: KvmPgtable, r: Xorshift, cfg: Stage2Config): number[] {
  const out: number[] = [];
  for (let i = 0; i < 3000 && out.length < 60; i++) {
    const ipa = GIB + r.below((4 * GIB) / cfg.granule) * cfg.granule + r.below(cfg.granule);
    let hit = false;
    try {
      hit = t.getLeafFast(ipa) === 0 && (t.leafLo & 1) === 1;
    } catch {
      // a scribbled table may send the walk outside the store
    }
    if (hit) out.push(ipa);
  }
  for (let k = 0; k < 20; k++) out.push(GIB + r.below((4 * GIB) / cfg.granule) * cfg.granule);
  out.push(0, 2 ** cfg.iaBits - 1, 2 ** cfg.iaBits, 2 ** 53 - 1, 0.5, -1);
  return out;
}

function check(t: KvmPgtable, b: GetLeafBatch, ipas: readonly number[], label: string): void {
  const out = new Uint32Array(2);
  for (const ipa of ipas) {
    const want = ((): unknown => {
      try {
        const r = t.getLeafFast(ipa);
        return r === 0 ? [t.leafLo, t.leafHi, t.leafLevel] : [0, 0, r];
      } catch (e) {
        return `throws ${(e as Error).constructor.name}`;
      }
    })();
    const got = ((): unknown => {
      try {
        const level = b.leaf(ipa, out);
        return [out[0], out[1], level];
      } catch (e) {
        return `throws ${(e as Error).constructor.name}`;
      }
    })();
    expect(got, `${label}: leaf(${ipa})`).toEqual(want);
    const at = ((): unknown => {
      try {
        const level = b.leafAt(ipa);
        return [b.leafLo, b.leafHi, level];
      } catch (e) {
        return `throws ${(e as Error).constructor.name}`;
      }
    })();
    expect(at, `${label}: leafAt(${ipa})`).toEqual(want);
  }
}

describe(`GetLeafBatch.leaf() while the flat arena moves (seed 0x${SEED.toString(16)})`, () => {
  it.each(CFGS)("one batch answers as getLeafFast() after every random operation ($granule granule)", (cfg) => {
    const r = xorshift64(SEED ^ BigInt(cfg.granule));
    const t = new KvmPgtable(cfg);
    t.log.record = false;
    const b = new GetLeafBatch(t);
    const arenas = new Set<Int32Array>();
    let emptied = 0;
    for (let i = 0; i < 250; i++) {
      const label = `${cfg.granule} op ${i}`;
      randomOp(r, t, cfg);
      if (r.below(4) === 0) {
        // A batch walk (which asks for the flat arena), or flatten() itself.
        if (r.below(2) === 0) t.store.flatten();
        else b.checksum(new Float64Array(probes(t, r, cfg).filter((a) => a >= 0 && a < 2 ** cfg.iaBits)), 0, 10, new Float64Array(2));
      }
      if (t.store.flatPages === 0) emptied++;
      check(t, b, probes(t, r, cfg), label);
      if (t.store.flatPages > 0) arenas.add(t.store.flat);
    }
    // The batch saw its arena replaced, and emptied by the first chunk's doubling, and still answered as getLeaf().
    expect(arenas.size, `${cfg.granule}: flat arenas under one batch`).toBeGreaterThan(2);
    // (The 64K table's first chunk, 4 pages, is full after its first operations, before any probe of this seed.)
    if (cfg.granule !== 65536) expect(emptied, `${cfg.granule}: walks right after the arena was emptied`).toBeGreaterThan(0);
  });

  it.each(CFGS)("a scribbled table: table descriptors with other high address bits answer as getLeafFast() ($granule granule)", (cfg) => {
    const r = xorshift64(SEED ^ 0x5c81bn ^ BigInt(cfg.granule));
    const t = new KvmPgtable(cfg);
    t.log.record = false;
    for (let i = 0; i < 60; i++) randomOp(r, t, cfg);
    const s = t.store;
    /** The table entries (valid, table type; and last-level pages): "page:word offset". */
    const tableEntries = (): Set<string> => {
      const out = new Set<string>();
      for (let page = 0; page < s.bump; page++) {
        const c = s.chunkOf(page);
        for (let e = 0; e < cfg.granule / 8; e++) if ((c[s.pageOffset(page) + 2 * e] & 3) === 3) out.add(`${page}:${s.pageOffset(page) + 2 * e}`);
      }
      return out;
    };
    const before = tableEntries();
    // 48 pages (three lockstep groups) mapped at 6 GiB, beyond the random operations' window, over several
    // last-level tables, for the batch get_leaf: the table entries this adds are on their walks.
    const mapped = new Float64Array(48).map((_, k) => 6 * GIB + k * 64 * cfg.granule);
    for (const ipa of mapped) expect(t.map(ipa, cfg.granule, 0x80000000 + ipa / 2, PROT_R | PROT_W, 0)).toBe(0);
    const all = [...tableEntries()];
    const onPaths = all.filter((e) => !before.has(e));
    const split = (e: string): [number, number] => e.split(":").map(Number) as [number, number];
    const tables = all.map(split);
    // Of those, the entries that point at a table page of the store (not the mapped pages' leaves).
    const pathTables = onPaths.map(split).filter(([page, off]) => {
      const c = s.chunkOf(page);
      return s.paToPage((c[off + 1] >>> 0) * 2 ** 32 + ((c[off] >>> 0) & ~(cfg.granule - 1))) >= 0;
    });
    expect(pathTables.length, `${cfg.granule}: table entries on the mapped pages' walks`).toBeGreaterThan(0);
    const b = new GetLeafBatch(t);
    expect(tables.length, `${cfg.granule}: table entries`).toBeGreaterThan(5);

    let changed = 0;
    for (let i = 0; i < 40; i++) {
      // A table entry's high half (PA bits 63:32): one bit flipped, or a random value. (A last-level
      // entry of type 3 is a page: its high half is only read back, which the comparison covers too.)
      const [page, off] = i % 2 === 0 ? pathTables[r.below(pathTables.length)] : tables[r.below(tables.length)];
      const c = s.chunkOf(page);
      c[off + 1] = r.below(2) === 0 ? c[off + 1] ^ (1 << r.below(32)) : Math.floor(r.next() * 2 ** 32) | 0;
      const label = `${cfg.granule} scribble ${i}`;
      check(t, b, probes(t, r, cfg), label);
      // The batch over the pages mapped before: what getLeafFast() answers, or its throw where one of them throws.
      const want: number[] = [];
      let threw: string | null = null;
      for (const ipa of mapped) {
        try {
          const res = t.getLeafFast(ipa);
          want.push(res === 0 ? t.leafLo : 0, res === 0 ? t.leafHi : 0, res === 0 ? t.leafLevel : res);
        } catch (e) {
          threw ??= `throws ${(e as Error).constructor.name}`;
        }
      }
      if (threw !== null || want.some((v, k) => k % 3 === 2 && v !== 3)) changed++;
      const lo = new Uint32Array(mapped.length);
      const hi = new Uint32Array(mapped.length);
      const lv = new Int32Array(mapped.length);
      const got = ((): unknown => {
        try {
          b.leaves(mapped, 0, mapped.length, lo, hi, lv);
          return Array.from(mapped, (_, k) => [lo[k], hi[k], lv[k]]).flat();
        } catch (e) {
          return `throws ${(e as Error).constructor.name}`;
        }
      })();
      expect(got, `${label}: leaves()`).toEqual(threw ?? want);
    }
    expect(changed, `${cfg.granule}: scribbles that changed the mapped pages' walks`).toBeGreaterThan(0);
  });

  it("a destroyed table answers -EINVAL through a batch whose arena function is made", () => {
    const t = new KvmPgtable(CFGS[0]);
    expect(t.map(GIB, 4096 * 4, 2 ** 31, PROT_R | PROT_W, 0)).toBe(0);
    const b = new GetLeafBatch(t);
    const out = new Uint32Array(2);
    // Level 3, the descriptor of PA 2^31 R|W, non-executable: 0x0040000080000_7ff (hand-worked, as sol.c's page_rw()).
    expect(b.leaf(GIB + 4096, out)).toBe(3);
    expect([out[0], out[1]]).toEqual([0x800017ff, 0x00400000]);
    expect(b.leafAt(GIB + 4096)).toBe(3);
    expect([b.leafLo, b.leafHi]).toEqual([0x800017ff, 0x00400000]);
    // An unmapped page of the same level-3 table: the empty entry at level 3; an empty level-1 entry at level 1.
    expect(b.leafAt(GIB + 4096 * 8)).toBe(3);
    expect([b.leafLo, b.leafHi]).toEqual([0, 0]);
    expect(b.leafAt(8 * GIB)).toBe(1);
    t.destroy();
    out.fill(9);
    expect(b.leaf(GIB + 4096, out)).toBe(-22);
    expect([out[0], out[1]]).toEqual([0, 0]);
    expect(b.leafAt(GIB + 4096)).toBe(-22);
    expect([b.leafLo, b.leafHi]).toEqual([0, 0]);
  });

  it("leafAt() refuses what getLeaf() refuses, and answers -ERANGE beyond the IPA space", () => {
    const t = new KvmPgtable(CFGS[0]);
    const b = new GetLeafBatch(t);
    const sneaky = { valueOf: () => 4096 };
    for (const bad of [2n ** 30n, Symbol("ipa"), "4096", sneaky, null, undefined, -1, 0.5, NaN, 2 ** 64]) {
      expect(() => b.leafAt(bad as unknown as number), typeof bad).toThrow(ArgumentError);
    }
    // 2^40 on a 40-bit table: kvm_pgtable_walk()'s -ERANGE (34).
    expect(b.leafAt(2 ** 40)).toBe(-34);
    expect([b.leafLo, b.leafHi]).toEqual([0, 0]);
  });
});
