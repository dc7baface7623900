// src/pgtable/getleaf.ts (kvm_pgtable_get_leaf() over arrays of IPAs) against
// descriptors worked out by hand: kernel-reference.md 4 ("get_leaf: the
// visited non-table entry's value and level, 0 and the level of the empty
// slot for an unmapped IPA; beyond 2^ia_bits -ERANGE") and 3.3 (4K, 40-bit
// IPA: start level 1 over two concatenated PGD pages; 48-bit: start level 0),
// the stage-2 descriptor bits (valid, table/page bit 1, MemAttr[5:2] = 0b1111
// Normal write-back, S2AP[7:6], SH[9:8] = 0b11 Inner Shareable, AF bit 10,
// XN[54:53] = 0b10 for a mapping without PROT_X). Every lane count and the
// generic path must give those answers, over a whole range and a sub-range.
// Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { GETLEAF_LANES, GetLeafBatch } from "../../src/pgtable/getleaf.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";

const ERANGE = -34;
const M2 = 0x20_0000;
const G1 = 0x4000_0000;

type Leaf = [number, number, number]; // low half, high half, level (or the error)

/**
 * A table with a read-only block at B -> PA `blockPa` and an RWX page at
 * B + block + 3 pages -> PA `pagePa`, and the answer for any IPA, by hand.
 * 4K: 2M blocks at level 2, start level 1 (40-bit IPA, two PGD pages) or 0
 * (48-bit); 64K, 45-bit IPA: 512M blocks at level 2, the start level, over
 * eight concatenated PGD pages (two 4-page chunks of the store).
 */
function setup(granule: 4096 | 65536, iaBits: number, B: number): { pgt: KvmPgtable; want: (ipa: number) => Leaf; blk: number; pg: number } {
  const pgt = new KvmPgtable({ granule, iaBits, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
  const pg = granule;
  const blk = granule === 4096 ? M2 : 2 ** 29;
  const blockPa = granule === 4096 ? 0x8000_0000 : 0x2000_0000;
  const pagePa = granule === 4096 ? 0x9000_5000 : 0x9005_0000;
  expect(pgt.map(B, blk, blockPa, PROT_R, 0)).toBe(0);
  expect(pgt.map(B + blk + 3 * pg, pg, pagePa, PROT_R | PROT_W | PROT_X, 0)).toBe(0);
  const block: Leaf = [(blockPa | 0x1 | 0x3c | 0x40 | 0x300 | 0x400) >>> 0, 0x0040_0000, 2];
  const page: Leaf = [(pagePa | 0x3 | 0x3c | 0xc0 | 0x300 | 0x400) >>> 0, 0, 3];
  const start = granule === 65536 ? 2 : iaBits === 40 ? 1 : 0;
  const want = (ipa: number): Leaf => {
    if (ipa >= 2 ** iaBits) return [0, 0, ERANGE];
    if (ipa >= B && ipa < B + blk) return block;
    if (ipa >= B + blk + 3 * pg && ipa < B + blk + 4 * pg) return page;
    if (ipa >= B + blk && ipa < B + 2 * blk) return [0, 0, 3]; // the level-3 table's other entries
    if (start === 2) return [0, 0, 2]; // the start level's other entries
    if (ipa >= B && ipa < B + G1) return [0, 0, 2]; // the level-2 table's other entries
    // Level 1: a table only for B's 512G region (48-bit) or, with start level 1, nothing else.
    if (start === 0 && Math.floor(ipa / 2 ** 39) !== Math.floor(B / 2 ** 39)) return [0, 0, 0];
    return [0, 0, 1];
  };
  return { pgt, want, blk, pg };
}

/** IPAs: a group of 16 consecutive pages of the level-3 table (the lockstep path), mixed groups, the rest. */
function ipaList(iaBits: number, B: number, blk: number, pg: number): number[] {
  const l: number[] = [];
  const t = B + blk; // the level-3 table's range
  for (let k = 0; k < 16; k++) l.push(t + k * pg);
  l.push(B, B + blk - pg, t + 4 * pg - 1, t + 3 * pg + 8, B + 3 * blk, B + G1 - pg, B + G1, 0, 2 ** iaBits - pg);
  l.push(2 ** iaBits, 2 ** 52, t + 3 * pg, B - pg, B + 0x123000, 2 ** 39, 2 ** 39 - 1);
  for (let k = 0; k < 16; k++) l.push(t + ((k * 7) % 32) * pg);
  l.push(B + 0x8, t + 4 * pg - 8, t + pg);
  return l;
}

function checksumOf(want: Leaf[]): [number, number, number] {
  let sum = 0n;
  let failed = 0;
  for (const [lo, hi, level] of want) {
    if (level < -1) failed++;
    else sum += (BigInt(hi) << 32n) + BigInt(lo) + BigInt(level);
  }
  sum &= (1n << 64n) - 1n;
  return [Number(sum & 0xffffffffn), Number(sum >> 32n), failed];
}

describe("get_leaf over arrays, against hand-worked descriptors", () => {
  for (const [granule, iaBits, B] of [
    [4096, 40, 0x80_4000_0000], // in the second concatenated PGD page
    [4096, 48, 0x8_4000_0000], // above 2^32: the index of level 1 needs the IPA's high half
    [65536, 45, 2 ** 44 + 3 * 2 ** 29], // in the fifth of eight PGD pages, which span two chunks
  ] as const) {
    it(`${granule} granule, ${iaBits}-bit IPA, block at 0x${B.toString(16)}: every lane count, and the generic path`, () => {
      const { pgt, want, blk, pg } = setup(granule, iaBits, B);
      const ipas = ipaList(iaBits, B, blk, pg);
      const wants = ipas.map(want);
      const n = ipas.length;
      const arr = Float64Array.from(ipas);
      const [sumLo, sumHi, failed] = checksumOf(wants);
      expect(failed).toBe(2);
      for (const opts of [{}, { lanes: 1 }, { lanes: 5 }, { lanes: 16 }, { lanes: 64 }, { fast: false }]) {
        const b = new GetLeafBatch(pgt, opts);
        const lo = new Uint32Array(n);
        const hi = new Uint32Array(n);
        const lv = new Int32Array(n);
        expect(b.leaves(arr, 0, n, lo, hi, lv), JSON.stringify(opts)).toBe(2);
        const got = ipas.map((_, k): Leaf => [lo[k], hi[k], lv[k]]);
        expect(got, JSON.stringify(opts)).toEqual(wants);
        // A sub-range: only [3, n - 2) written.
        lo.fill(7);
        hi.fill(7);
        lv.fill(7);
        expect(b.leaves(arr, 3, n - 2, lo, hi, lv)).toBe(wants.slice(3, n - 2).filter((w) => w[2] < -1).length);
        expect([lo[2], hi[2], lv[2], lo[n - 2], hi[n - 2], lv[n - 2]]).toEqual([7, 7, 7, 7, 7, 7]);
        expect(ipas.map((_, k): Leaf => [lo[k], hi[k], lv[k]]).slice(3, n - 2)).toEqual(wants.slice(3, n - 2));
        // The checksum: acc += the sum modulo 2^64, as halves.
        const acc = new Float64Array(2);
        expect(b.checksum(arr, 0, n, acc)).toBe(2);
        expect([acc[0], acc[1]]).toEqual([sumLo, sumHi]);
        // One at a time.
        const out = new Uint32Array(2);
        for (let k = 0; k < n; k++) {
          out[0] = 5;
          out[1] = 5;
          const r = b.leaf(ipas[k], out);
          expect([out[0], out[1], r], `leaf(0x${ipas[k].toString(16)})`).toEqual(wants[k]);
        }
        // An empty range: nothing written, nothing added.
        expect(b.leaves(arr, 4, 4, lo, hi, lv)).toBe(0);
        expect(b.checksum(arr, 4, 4, acc)).toBe(0);
        expect([acc[0], acc[1]]).toEqual([sumLo, sumHi]);
      }
    });
  }

  it("the checksum carries into acc's high half and wraps at 2^64", () => {
    const { pgt, want } = setup(4096, 40, 0x80_4000_0000);
    const ipa = 0x80_4000_0000 + M2 + 0x3000; // the page: 0x900057ff + level 3
    const [lo, hi, level] = want(ipa);
    expect([lo, hi, level]).toEqual([0x9000_57ff, 0, 3]);
    const arr = new Float64Array(3).fill(ipa);
    const acc = new Float64Array([0xffff_fff0, 0xffff_ffff]);
    expect(new GetLeafBatch(pgt).checksum(arr, 0, 3, acc)).toBe(0);
    // (2^64 - 16) + 3 * 0x9000_5802 = 2^64 + 0x1_b001_0806 - 16 = 0x1_b001_07f6 (mod 2^64): low 0xb00107f6, high 1.
    expect([acc[0], acc[1]]).toEqual([0xb001_07f6, 1]);
  });
});

describe("construction and refusals", () => {
  const pgt = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
  it("lanes: an integer in 1..64, default GETLEAF_LANES (16)", () => {
    expect(GETLEAF_LANES).toBe(16);
    for (const lanes of [1, 64]) expect(new GetLeafBatch(pgt, { lanes }).kernelSource).toContain(`${lanes} lanes`);
    expect(new GetLeafBatch(pgt).kernelSource).toContain("4096 granule, 40-bit IPA, start level 1, 16 lanes");
    for (const lanes of [0, 65, 1.5, NaN]) expect(() => new GetLeafBatch(pgt, { lanes })).toThrow(`GetLeafBatch: lanes ${lanes} is not an integer in 1..64`);
    expect(new GetLeafBatch(pgt, { fast: false }).kernelSource).toBeNull();
    expect(() => new GetLeafBatch({} as never)).toThrow(/^pgt: an object is not a KvmPgtable$/);
    expect(() => new GetLeafBatch(pgt, null as never)).toThrow(/^opts: null is not an object$/);
  });
  it("ranges and outputs that do not fit: RangeError naming the call", () => {
    const b = new GetLeafBatch(pgt);
    const ipas = new Float64Array(8);
    const u = (n: number): Uint32Array => new Uint32Array(n);
    expect(() => b.leaves(ipas, 0, 9, u(9), u(9), new Int32Array(9))).toThrow("GetLeafBatch.leaves: [0, 9) is not a range of the 8 IPAs");
    expect(() => b.leaves(ipas, -1, 2, u(8), u(8), new Int32Array(8))).toThrow("GetLeafBatch.leaves: [-1, 2) is not a range of the 8 IPAs");
    expect(() => b.leaves(ipas, 3, 2, u(8), u(8), new Int32Array(8))).toThrow(RangeError);
    expect(() => b.leaves(ipas, 0, 2.5, u(8), u(8), new Int32Array(8))).toThrow(RangeError);
    expect(() => b.leaves(ipas, 0, 8, u(8), u(7), new Int32Array(8))).toThrow("GetLeafBatch.leaves: an output array of 7 is shorter than 8");
    expect(() => b.leaves(ipas, 0, 8, u(8), u(8), new Int32Array(6))).toThrow("GetLeafBatch.leaves: an output array of 6 is shorter than 8");
    // Outputs as long as `to`, shorter than the IPAs: fine.
    expect(b.leaves(ipas, 0, 4, u(4), u(4), new Int32Array(4))).toBe(0);
    expect(() => b.checksum(ipas, 0, 9, new Float64Array(2))).toThrow("GetLeafBatch.checksum: [0, 9) is not a range of the 8 IPAs");
    expect(() => b.checksum(ipas, 0, 8, new Float64Array(1))).toThrow("GetLeafBatch.checksum: acc needs 2 elements");
  });
});

describe("what the kernel leaves to getLeaf()", () => {
  it("a fraction among IPAs the lockstep path would take: getLeaf()'s ArgumentError, in every lane count", () => {
    const { pgt } = setup(4096, 40, 0x80_4000_0000);
    const t = 0x80_4000_0000 + M2;
    for (const lanes of [1, 4, 16]) {
      const b = new GetLeafBatch(pgt, { lanes });
      const ipas = new Float64Array(16);
      for (let k = 0; k < 16; k++) ipas[k] = t + k * 0x1000;
      ipas[5] += 0.5;
      const u = (): Uint32Array => new Uint32Array(16);
      expect(() => b.leaves(ipas, 0, 16, u(), u(), new Int32Array(16))).toThrow(/^addr: /);
      expect(() => b.checksum(ipas, 0, 16, new Float64Array(2))).toThrow(/^addr: /);
      expect(() => b.leaf(ipas[5], new Uint32Array(2))).toThrow(/^addr: /);
    }
  });
  it("where the engine forbids code generation (EvalError): no kernel, the same answers; any other error is thrown", () => {
    const { pgt, want } = setup(4096, 40, 0x80_4000_0000);
    const saved = globalThis.Function;
    let b: GetLeafBatch;
    try {
      globalThis.Function = function () {
        throw new EvalError("code generation from strings disallowed");
      } as unknown as FunctionConstructor;
      b = new GetLeafBatch(pgt);
      globalThis.Function = function () {
        throw new TypeError("something else");
      } as unknown as FunctionConstructor;
      expect(() => new GetLeafBatch(pgt)).toThrow(/^something else$/);
    } finally {
      globalThis.Function = saved;
    }
    expect(b.kernelSource).toBeNull();
    const ipa = 0x80_4000_0000 + M2 + 0x3000;
    const out = new Uint32Array(2);
    expect(b.leaf(ipa, out)).toBe(3);
    expect([out[0], out[1], 3]).toEqual(want(ipa));
  });
});
