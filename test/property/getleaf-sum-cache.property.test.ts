// Property: the get_leaf batch sum's lean kernel (src/pgtable/getleaf.ts,
// leanSumFlatSource: GetLeafBatch.checksum() over the flat arena) answers as
// kvm_pgtable_get_leaf one IPA at a time through the generic walk.
//   - The root cache: the start level's descriptor is read once for a run of
//     IPAs inside the range it maps and kept across the groups of one call.
//     The IPAs here come in bursts from a few root regions (two neighbours and
//     one anywhere), back and forth in one group and across groups, with IPAs
//     just either side of a region's edges, of unmapped regions, outside the
//     IPA space and fractional between them.
//   - The group-end checks: the table descriptors below the root are checked
//     once per group, so a lane that fails one walks on; here the root
//     descriptor of a region is made invalid, a block, a table pointing past
//     the store's last page, or given address bits above the page-number
//     window, and the same is done to table descriptors below the root, so
//     that lanes at every position of a group meet each of those.
// Expected values: KvmPgtable.getLeaf() with fastPaths off (the generic
// kvm_pgtable_walk() with leaf_walker, checked against the kernel's scenarios
// in test/conformance), one IPA at a time: Σ (descriptor + level) mod 2^64 and
// the failure count, over windows of three groups at every alignment and over
// the whole input. IPAs whose generic walk throws (a scribbled descriptor
// naming memory outside the store) are left out, as in walk-batch.
// Deterministic: xorshift64 from a fixed seed.
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Granule, Stage2Config } from "../../src/pgtable/geometry.js";
import { GetLeafBatch } from "../../src/pgtable/getleaf.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { xorshift64, type Xorshift } from "./xorshift.js";

const SEED = 0x5eed_6e71_eaf0_0020n;
const M64 = (1n << 64n) - 1n;

// [granule, ia_bits, pa_bits, LPA2]: start levels 0..2 of each granule, indices in IPA[31:0] and above it.
const GEOMETRIES: Array<[Granule, number, number, boolean]> = [
  [4096, 32, 40, false],
  [4096, 36, 40, false],
  [4096, 40, 48, false],
  [4096, 44, 48, false],
  [4096, 48, 48, false],
  [16384, 36, 48, false],
  [16384, 40, 48, false],
  [16384, 47, 48, false],
  [65536, 40, 48, false],
  [65536, 44, 48, false],
  [65536, 52, 52, false],
];

interface Built {
  pgt: KvmPgtable;
  /** The picked root regions (start-level indices). */
  regions: number[];
  /** Page-aligned IPAs mapped, by region. */
  pages: number[][];
  rootSize: number;
}

function build(cfg: Stage2Config, r: Xorshift): Built {
  const pgt = new KvmPgtable(cfg);
  pgt.log.record = false;
  const g = pgt.geom;
  const page = cfg.granule;
  const rootSize = 2 ** g.shifts[g.startLevel + 1];
  const roots = 2 ** (cfg.iaBits - g.shifts[g.startLevel + 1]);
  const first = r.below(Math.max(1, roots - 2));
  const regions = [...new Set<number>([first, Math.min(first + 1, roots - 1), r.below(roots)])];
  const pages: number[][] = [];
  const prots = [PROT_R | PROT_W, PROT_R, PROT_R | PROT_W | PROT_X];
  for (const reg of regions) {
    const at: number[] = [];
    // A run at the region's start, one at its end (its edges), and one anywhere in it.
    const runs = [0, rootSize / page - 64, Math.floor(r.below(rootSize / page - 64))];
    for (const first of runs) {
      const ipa = reg * rootSize + first * page;
      expect(pgt.map(ipa, 64 * page, (1 + r.below(2 ** 16)) * page, r.pick(prots), 0)).toBe(0);
      for (let j = 0; j < 64; j++) at.push(ipa + j * page);
    }
    pages.push(at);
  }
  return { pgt, regions, pages, rootSize };
}

/** The word pair (chunk, offset) of entry `i` of table page `p`. */
function entry(pgt: KvmPgtable, p: number, i: number): [Int32Array, number] {
  return [pgt.store.chunkOf(p), pgt.store.pageOffset(p) + 2 * i];
}

/** The table page a table descriptor (chunk, off) names, or -1. */
function nextPage(pgt: KvmPgtable, chunk: Int32Array, off: number): number {
  if ((chunk[off] & 3) !== 3) return -1;
  const pa = (chunk[off] >>> 0) - ((chunk[off] >>> 0) % pgt.geom.granule) + (chunk[off + 1] & 0xffff) * 2 ** 32;
  const p = (pa - pgt.store.basePa) / pgt.geom.granule;
  return Number.isInteger(p) && p >= 0 && p < pgt.store.bump ? p : -1;
}

/** Spoil one table descriptor: invalid, a block, a table past the store, address bits above the page window, or a stray low bit. */
function spoil(chunk: Int32Array, off: number, kind: number, r: Xorshift): void {
  if (kind === 0) chunk[off] = 0;
  else if (kind === 1) chunk[off] &= ~2;
  else if (kind === 2)
    chunk[off] ^= 1 << 29; // the next page far beyond bump
  else if (kind === 3)
    chunk[off + 1] ^= 1 << r.below(16); // OA bits 47:32
  else chunk[off] ^= 1 << (2 + r.below(10)); // attribute bits of a table descriptor: ignored
}

/** Spoil the root descriptor of one region and some table descriptors below the roots. */
function scribble(b: Built, r: Xorshift): void {
  const { pgt } = b;
  const g = pgt.geom;
  const per = pgt.ptrsPerPte;
  const reg = r.pick(b.regions);
  const [rc, ro] = entry(pgt, pgt.pgd + Math.floor(reg / per), reg % per);
  spoil(rc, ro, r.below(5), r);
  for (let n = 0; n < 3; n++) {
    // Down a random mapped page's walk to a random table level below the root.
    const ipa = r.pick(r.pick(b.pages));
    const ri = Math.floor(ipa / b.rootSize);
    let [c, o] = entry(pgt, pgt.pgd + Math.floor(ri / per), ri % per);
    const depth = 1 + r.below(Math.max(1, 2 - g.startLevel));
    for (let level = g.startLevel + 1, d = 0; level < 3 && d < depth; level++, d++) {
      const p = nextPage(pgt, c, o);
      if (p < 0) break;
      [c, o] = entry(pgt, p, Math.floor(ipa / 2 ** g.shifts[level + 1]) % per);
    }
    if (nextPage(pgt, c, o) >= 0) spoil(c, o, r.below(5), r);
  }
}

/** IPAs in bursts from the regions, across their edges, with a few that leave them. */
function inputs(b: Built, r: Xorshift, iaBits: number, n: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const k = r.below(b.regions.length);
    const burst = 1 + r.below(40);
    for (let j = 0; j < burst; j++) {
      const x = r.below(20);
      if (x < 14) out.push(r.pick(b.pages[k]) + r.below(2 ** 12));
      else if (x === 14)
        out.push((b.regions[k] + 1) * b.rootSize - 1 - r.below(4096)); // just below the edge
      else if (x === 15)
        out.push((b.regions[k] + 1) * b.rootSize + r.below(4096)); // just above it
      else if (x === 16) out.push(r.below(2 ** iaBits));
      else if (x === 17) out.push(r.pick(r.pick(b.pages)));
      else if (x === 18 && r.chance(0.3)) out.push(r.pick([2 ** iaBits, -1, 0.5 + r.pick(b.pages[k]), Number.NaN, 2 ** iaBits + 4096]));
      else out.push(b.regions[k] * b.rootSize + r.below(b.rootSize));
    }
  }
  return out;
}

/** The class of what f() throws, or null. */
function thrown(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

/** Σ (descriptor + level) mod 2^64 and failures, one IPA at a time through getLeaf() with fastPaths off; null where it throws. */
function generic(pgt: KvmPgtable, ipas: readonly number[]): Array<[bigint, number] | null> {
  pgt.fastPaths = false;
  try {
    return ipas.map((ipa) => {
      if (thrown(() => pgt.getLeaf(ipa)) !== null) return null;
      const res = pgt.getLeaf(ipa);
      return res.ret === 0 ? [BigInt(res.pte ?? "x") + BigInt(res.level ?? 0), 0] : [0n, 1];
    });
  } finally {
    pgt.fastPaths = true;
  }
}

function check(b: Built, ipas: number[], label: string): void {
  const want = generic(b.pgt, ipas);
  const kept = ipas.filter((_, i) => want[i] !== null);
  const w = want.filter((x) => x !== null);
  expect(kept.length, label).toBeGreaterThan(ipas.length / 5);
  const input = new Float64Array(kept);
  // An IPA whose walk leaves the store (a table descriptor naming memory outside it), at each position of a group
  // of IPAs that the walk answers: the batch throws what getLeaf() throws.
  // The other lanes walk to the last level (a group the lockstep path takes but for that IPA).
  const bad = ipas.filter((_, i) => want[i] === null);
  b.pgt.fastPaths = false;
  const deep = kept.filter((ipa) => b.pgt.getLeaf(ipa).level === 3);
  b.pgt.fastPaths = true;
  // (A scribble may have left too few: the group is then not made.)
  if (deep.length >= 32)
    bad.slice(-16).forEach((ipa, j) => {
      b.pgt.fastPaths = false;
      const cls = thrown(() => b.pgt.getLeaf(ipa));
      b.pgt.fastPaths = true;
      const group = new Float64Array(deep.slice(j, j + 16));
      group[j % 16] = ipa;
      const acc = new Float64Array(2);
      expect(
        thrown(() => new GetLeafBatch(b.pgt).checksum(group, 0, 16, acc)),
        `${label}: a group with ${ipa} at ${j % 16}`,
      ).toBe(cls);
    });
  for (const lanes of [16, 4]) {
    const batch = new GetLeafBatch(b.pgt, { lanes });
    const span = 3 * lanes;
    for (let s = 0; s + span <= input.length; s += s < 2 * lanes ? 1 : span + 1) {
      const acc = new Float64Array(2);
      let sum = 0n;
      let failed = 0;
      for (let i = s; i < s + span; i++) {
        sum += w[i][0];
        failed += w[i][1];
      }
      expect(batch.checksum(input, s, s + span, acc), `${label}: failures in [${s}, ${s + span}), ${lanes} lanes`).toBe(failed);
      expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), `${label}: sum of [${s}, ${s + span}), ${lanes} lanes`).toBe(sum & M64);
    }
    const acc = new Float64Array(2);
    const failed = w.reduce((n, x) => n + x[1], 0);
    const sum = w.reduce((t, x) => t + x[0], 0n);
    expect(batch.checksum(input, 0, input.length, acc), `${label}: failures, ${lanes} lanes`).toBe(failed);
    expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), `${label}: sum, ${lanes} lanes`).toBe(sum & M64);
  }
}

describe("get_leaf batch sum, root cache and group-end checks, against getLeaf() with fastPaths off", () => {
  GEOMETRIES.forEach(([granule, iaBits, paBits, lpa2], gi) => {
    it(`${granule} granule, ${iaBits}-bit IPA: clean tables and scribbled ones`, () => {
      const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: false, tlbRange: false };
      const r = xorshift64((SEED + BigInt(gi) * 0x9e3779b97f4a7c15n) & M64);
      const b = build(cfg, r);
      check(b, inputs(b, r, iaBits, 1200), "clean");
      // Every page a lane reads is mapped: whole groups through the lean path.
      const dense: number[] = [];
      for (let i = 0; i < 800; i++) dense.push(r.pick(r.pick(b.pages)) + r.below(granule));
      check(b, dense, "dense");
      for (let round = 0; round < 6; round++) {
        const t = build(cfg, r);
        scribble(t, r);
        check(t, inputs(t, r, iaBits, 800), `scribbled ${round}`);
      }
    });
  });
});
