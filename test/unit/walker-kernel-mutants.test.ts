// src/walker/kernel.ts, the generated fast walk, called directly on tables
// whose every descriptor is worked out here by hand (issue 23: the mutation
// gaps of kernel.ts). Its contract (the header of kernel.ts): a walk through
// valid table descriptors to a page (or a block where the granule has
// blocks) that allows the access with nothing to update, the output inside
// VTCR_EL2.PS, gives the leaf level and the PA; anything else is -1, "not
// mine", for the complete walk. So each case below says which of the two it
// is, and the PA and the descriptor's halves where it is the kernel's.
//
// Descriptor bits (Arm ARM VMSAv8-64 stage 2; kernel-reference.md): valid [0],
// table/page [1], MemAttr [5:2] (0b1111 Normal WB = 0x3c), S2AP [7:6] (R 0x40,
// W 0x80), SH [9:8] (0x300 Inner), AF [10] (0x400), XN [54] (bit 22 of the
// high half). KVM's leaves (stage2_set_prot_attr): R|W = lo 0x7ff | PA, hi XN;
// R|X = lo 0x77f | PA (page) or 0x77d (block), hi PA[47:32] only.
// needLo: VALID | AF | S2AP[0] for a read (0x441), | S2AP[1] for a write
// (0x481), VALID | AF for a fetch (0x401); forbidHi: XN (0x400000) for a fetch.
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { buildKernel, kernelSource, LANES, type WalkKernel } from "../../src/walker/kernel.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import { PhysMemory } from "../../src/pgtable/physmem.js";
import { ImageTables, s2WalkParams } from "../../src/walker/image.js";

const READ = 0x441;
const WRITE = 0x481;
const EXEC = 0x401;
const XN = 0x400000;

const CFG4K = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false } as const;

/**
 * 4K granule, 40-bit IPA: start level 1 over two concatenated root pages.
 *   IPA 0x40203000  page  -> PA 0x87654000, R|W    (L1 [1], L2 [1], L3 [3])
 *   IPA 0x80000000  2M    -> PA 0x100000000, R|X   (L1 [2], L2 [0] block)
 *   IPA 0xc0000000  1G    -> PA 0x240000000, R|W   (L1 [3] block)
 *   IPA 0x10000000  32 pages -> PA 0x500000000 + i * 4K, R|W (L1 [0], L2 [128], L3 [0..31])
 *   IPA 0x8040000000 (root page 1, L1 [513]) page -> PA 0x7000, R
 */
function tables4k(): KvmPgtable {
  const pgt = new KvmPgtable(CFG4K);
  expect(pgt.map(0x4020_3000, 0x1000, 0x8765_4000, PROT_R | PROT_W, 0)).toBe(0);
  expect(pgt.map(0x8000_0000, 0x20_0000, 0x1_0000_0000, PROT_R | PROT_X, 0)).toBe(0);
  expect(pgt.map(0xc000_0000, 0x4000_0000, 0x2_4000_0000, PROT_R | PROT_W, 0)).toBe(0);
  expect(pgt.map(0x1000_0000, 32 * 0x1000, 0x5_0000_0000, PROT_R | PROT_W, 0)).toBe(0);
  expect(pgt.map(0x80_4000_0000, 0x1000, 0x7000, PROT_R, 0)).toBe(0);
  return pgt;
}

function kernel(pgt: KvmPgtable, lanes?: number): WalkKernel {
  const k = buildKernel(pgt, lanes);
  if (k === null) throw new Error("no kernel");
  return k;
}

/** one(): [level, PA, desc lo, desc hi]; PA and halves only where the level is >= 0. */
function one(pgt: KvmPgtable, k: WalkKernel, ipa: number, need: number, forbid = 0): number[] {
  const out = new Float64Array(3);
  const level = k.one(pgt.store.chunks, pgt.store.bump, ipa | 0, Math.floor(ipa / 2 ** 32) | 0, need, forbid, out);
  return level < 0 ? [level] : [level, out[0], out[1], out[2]];
}

describe("one(): a single walk, levels unrolled (4K, 40-bit IPA, start level 1)", () => {
  it("a level-3 page: PA and the leaf's halves; write yes; fetch no (XN)", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    expect(one(pgt, k, 0x4020_3abc, READ)).toEqual([3, 0x8765_4abc, 0x8765_47ff, XN]);
    expect(one(pgt, k, 0x4020_3fff, WRITE)).toEqual([3, 0x8765_4fff, 0x8765_47ff, XN]);
    expect(one(pgt, k, 0x4020_3000, EXEC, XN)).toEqual([-1]);
  });
  it("a 2M block at level 2 and a 1G block at level 1", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    // 2M block, R|X: lo 0x77d (block 0b01, MemAttr 1111, S2AP 01, SH 11, AF), hi 0x1 (PA[47:32]).
    expect(one(pgt, k, 0x801f_fff8, READ)).toEqual([2, 0x1_001f_fff8, 0x77d, 0x1]);
    expect(one(pgt, k, 0x8000_1234, EXEC, XN)).toEqual([2, 0x1_0000_1234, 0x77d, 0x1]);
    expect(one(pgt, k, 0x8000_1234, WRITE)).toEqual([-1]); // S2AP[1] clear: a Permission fault, not the kernel's
    // 1G block, R|W: lo 0x40000000 | 0x7fd, hi 0x2 | XN.
    expect(one(pgt, k, 0xc123_4567, READ)).toEqual([1, 0x2_4123_4567, 0x4000_07fd, 0x40_0002]);
  });
  it("the second root page, and invalid entries at every level", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    // IPA 0x8040000000: root index IPA[39:30] = 0x201 = 513 (page 1, entry 1); L2 [0]; L3 [0]. R only: lo 0x7000 | 0x77f (S2AP 01).
    expect(one(pgt, k, 0x80_4000_0010, READ)).toEqual([3, 0x7010, 0x777f, XN]);
    expect(one(pgt, k, 0x80_4000_0010, WRITE)).toEqual([-1]);
    expect(one(pgt, k, 0x80_0000_0000, READ)).toEqual([-1]); // root index 512: 0
    expect(one(pgt, k, 0x4040_0000, READ)).toEqual([-1]); // L2 [2] of the table at L1 [1]: 0
    expect(one(pgt, k, 0x4020_4000, READ)).toEqual([-1]); // L3 [4]: 0
    expect(one(pgt, k, 0x1002_0000, READ)).toEqual([-1]); // L3 [32] of the 32-page run: 0
    expect(one(pgt, k, 0x1001_f000, READ)).toEqual([3, 0x5_0001_f000, 0x0001_f7ff, XN | 0x5]);
  });
  it("an Access flag clear (after test_clear_young) is not the kernel's", () => {
    const pgt = tables4k();
    expect(pgt.testClearYoung(0x4020_3000, 0x1000, true)).toBe(true);
    const k = kernel(pgt);
    expect(one(pgt, k, 0x4020_3000, READ)).toEqual([-1]);
    expect(one(pgt, k, 0x1000_0000, READ)).toEqual([3, 0x5_0000_0000, 0x7ff, XN | 0x5]);
  });
});

/** The 32-page run's IPAs (page i, offset 8 i) and their PAs. */
const RUN_IPA = (i: number): number => 0x1000_0000 + i * 0x1000 + 8 * i;
const RUN_PA = (i: number): number => 0x5_0000_0000 + i * 0x1000 + 8 * i;

describe("batch() and batchFlat(): 16 lanes in lockstep, the rest lane by lane", () => {
  function inputs(): { ipas: Float64Array; pas: number[]; levels: number[] } {
    // 0..31: the run (two whole groups of level-3 pages); 32: a 2M block (level 2); 33: the 1G block;
    // 34: unmapped; 35: beyond the IPA space; 36: negative; 37: NaN; 38: root page 1.
    const ipas: number[] = [];
    const pas: number[] = [];
    const levels: number[] = [];
    for (let i = 0; i < 32; i++) {
      ipas.push(RUN_IPA(i));
      pas.push(RUN_PA(i));
      levels.push(3);
    }
    ipas.push(0x8000_0040, 0xc000_0008, 0x4040_0000, 2 ** 40, -4096, NaN, 0x80_4000_0100);
    pas.push(0x1_0000_0040, 0x2_4000_0008, -1, -1, -1, -1, 0x7100);
    levels.push(2, 1, -1, -1, -1, -1, 3);
    return { ipas: Float64Array.from(ipas), pas, levels };
  }
  it("batch over the chunks: the PAs and levels of the kernel's walks, -1 and a count for the rest", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    const { ipas, pas, levels } = inputs();
    const n = ipas.length;
    const outPa = new Float64Array(n).fill(-1);
    const outStatus = new Int32Array(n);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, n, outPa, outStatus, READ, 0)).toBe(4);
    expect([...outStatus]).toEqual(levels);
    expect([...outPa]).toEqual(pas);
    // A write: the 2M block is read-only (S2AP 01) and root page 1's page too.
    const wStatus = new Int32Array(n);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, n, new Float64Array(n), wStatus, WRITE, 0)).toBe(6);
    expect(wStatus[32]).toBe(-1);
    expect(wStatus[38]).toBe(-1);
    expect(wStatus[31]).toBe(3);
    // A fetch: only the R|X block.
    const xStatus = new Int32Array(n);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, n, new Float64Array(n), xStatus, EXEC, XN)).toBe(38);
    expect(xStatus[32]).toBe(2);
  });
  it("batchFlat over the flat arena gives the same answers", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    expect(k.batchFlat).not.toBeNull();
    expect(pgt.store.flatten()).toBe(true);
    const { ipas, pas, levels } = inputs();
    const n = ipas.length;
    const outPa = new Float64Array(n).fill(-1);
    const outStatus = new Int32Array(n);
    expect(k.batchFlat?.(pgt.store.flat, pgt.store.chunks, pgt.store.bump, ipas, n, outPa, outStatus, READ, 0)).toBe(4);
    expect([...outStatus]).toEqual(levels);
    expect([...outPa]).toEqual(pas);
  });
  it("a group with one lane the kernel does not take is walked lane by lane", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    // 16 IPAs of the run, lane 7 replaced by the 2M block's IPA (a level-2 leaf: not a group's level-3 page).
    const ipas = Float64Array.from({ length: 16 }, (_, i) => (i === 7 ? 0x8000_0000 : RUN_IPA(i)));
    const outPa = new Float64Array(16);
    const outStatus = new Int32Array(16);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, 16, outPa, outStatus, READ, 0)).toBe(0);
    expect(outStatus[7]).toBe(2);
    expect(outPa[7]).toBe(0x1_0000_0000);
    expect(outPa[8]).toBe(RUN_PA(8));
    // Fewer IPAs than a group: lane by lane.
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, 3, outPa, outStatus, READ, 0)).toBe(0);
    expect(outPa[2]).toBe(RUN_PA(2));
  });
  it("lane(): the IPA range check, then one()", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    const out = new Float64Array(3);
    const ipas = Float64Array.from([0x4020_3abc, 2 ** 40, -1, 2 ** 40 - 1, 0x80_4000_0010]);
    expect(k.lane(pgt.store.chunks, pgt.store.bump, ipas, 0, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0x8765_4abc);
    expect(k.lane(pgt.store.chunks, pgt.store.bump, ipas, 1, READ, 0, out)).toBe(-1);
    expect(k.lane(pgt.store.chunks, pgt.store.bump, ipas, 2, READ, 0, out)).toBe(-1);
    expect(k.lane(pgt.store.chunks, pgt.store.bump, ipas, 3, READ, 0, out)).toBe(-1); // the top page: root page 1's last entry is 0
    expect(k.lane(pgt.store.chunks, pgt.store.bump, ipas, 4, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0x7010);
  });
});

describe("batchSum() and batchSumFlat(): the groups' Σ PA[31:0] + level and Σ PA[63:32]", () => {
  // The 32 pages: PA[31:0] = i * 0x1008 (sum 0x1008 * 496 = 2031616 + 3968 = 2035584), level 3 each (96);
  // PA[63:32] = 5 each (160).
  const SUM_LO = 0x1008 * 496 + 96;
  it("two whole groups, then the stop: at `to` less than a group, or at the first group it does not take", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    const ipas = Float64Array.from({ length: 40 }, (_, i) => (i < 32 ? RUN_IPA(i) : 0x4040_0000));
    const acc = Float64Array.from([7, 1]);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 40, READ, 0, acc)).toBe(32);
    expect([...acc]).toEqual([7 + SUM_LO, 1 + 160]);
    // From 16 to 31: less than a group, nothing taken.
    const acc2 = new Float64Array(2);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 16, 31, READ, 0, acc2)).toBe(16);
    expect([...acc2]).toEqual([0, 0]);
    // The second group holds an unmapped lane (index 20 made 0x40400000): the kernel stops at 16.
    ipas[20] = 0x4040_0000;
    const acc3 = new Float64Array(2);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 32, READ, 0, acc3)).toBe(16);
    // Pages 0..15: PA[31:0] = i * 0x1008, sum 0x1008 * 120; level 3 each.
    expect([...acc3]).toEqual([0x1008 * 120 + 48, 80]);
    // A write is allowed, a fetch is not (XN).
    ipas[20] = RUN_IPA(20);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 32, WRITE, 0, new Float64Array(2))).toBe(32);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 32, EXEC, XN, new Float64Array(2))).toBe(0);
    // An IPA beyond the IPA space in a group stops it.
    ipas[3] = 2 ** 40;
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 32, READ, 0, new Float64Array(2))).toBe(0);
  });
  it("batchSumFlat over the flat arena", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    expect(pgt.store.flatten()).toBe(true);
    const ipas = Float64Array.from({ length: 32 }, (_, i) => RUN_IPA(i));
    const acc = new Float64Array(2);
    expect(k.batchSumFlat?.(pgt.store.flat, pgt.store.bump, ipas, 0, 32, READ, 0, acc)).toBe(32);
    expect([...acc]).toEqual([SUM_LO, 160]);
  });
  it("S2Walker.translateBatchSum and translateBatch through the kernel: the same sums and PAs", () => {
    const pgt = tables4k();
    const w = new S2Walker(pgt);
    const ipas = Float64Array.from({ length: 32 }, (_, i) => RUN_IPA(i));
    const acc = new Float64Array(2);
    expect(w.translateBatchSum(ipas, 0, 32, ACCESS_READ, 1, acc)).toBe(0);
    expect([...acc]).toEqual([SUM_LO, 160]);
    const outPa = new Float64Array(32);
    const outStatus = new Int32Array(32);
    expect(w.translateBatch(ipas, 32, ACCESS_WRITE, 1, outPa, outStatus)).toBe(0);
    expect([...outPa]).toEqual(Array.from({ length: 32 }, (_, i) => RUN_PA(i)));
    expect(w.translateBatch(ipas, 32, ACCESS_EXEC, 1, outPa, outStatus)).toBe(32);
    // Permission fault, level 3: FAULT_STATUS | 0b001111.
    expect(outStatus[0] & 0x3f).toBe(0x0f);
  });
});

describe("other geometries", () => {
  it("64K, 52-bit PA (FEAT_LPA): OA[51:48] in descriptor bits 15:12", () => {
    // 64K, 52-bit IPA: levels 1..3 (shifts 42, 29, 16), start level 1, one root page of 1024 entries.
    const pgt = new KvmPgtable({ granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: false, tlbRange: false });
    // 16 pages at IPA 0x10000 -> PA 2^51 + 0x10000 + i * 64K: descriptor lo = PA[47:16] | 0x8000 (PA[51:48] = 0b1000) | 0x7ff.
    expect(pgt.map(0x1_0000, 16 * 0x1_0000, 2 ** 51 + 0x1_0000, PROT_R | PROT_W, 0)).toBe(0);
    // A 512M block at level 2 (IPA 0x20000000) -> PA 2^49: lo 0x2000 (PA[51:48] = 0b0010) | 0x7fd.
    expect(pgt.map(0x2000_0000, 0x2000_0000, 2 ** 49, PROT_R | PROT_W, 0)).toBe(0);
    const k = kernel(pgt);
    expect(one(pgt, k, 0x1_0123, READ)).toEqual([3, 2 ** 51 + 0x1_0123, 0x1_87ff, XN]);
    expect(one(pgt, k, 0x2000_0456, READ)).toEqual([2, 2 ** 49 + 0x456, 0x27fd, XN]);
    const ipas = Float64Array.from({ length: 16 }, (_, i) => 0x1_0000 + i * 0x1_0000 + i);
    const outPa = new Float64Array(16);
    const outStatus = new Int32Array(16);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, 16, outPa, outStatus, READ, 0)).toBe(0);
    expect([...outPa]).toEqual(Array.from({ length: 16 }, (_, i) => 2 ** 51 + 0x1_0000 + i * 0x1_0000 + i));
    expect([...outStatus]).toEqual(Array(16).fill(3));
    // Σ PA[31:0] = Σ (0x10000 (i + 1) + i) = 0x10000 * 136 + 120; Σ PA[63:32] = 16 * 2^19.
    const acc = new Float64Array(2);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 16, READ, 0, acc)).toBe(16);
    expect([...acc]).toEqual([0x1_0000 * 136 + 120 + 48, 16 * 2 ** 19]);
  });
  it("4K with FEAT_LPA2, 52-bit PA: OA[51:50] in descriptor bits 9:8", () => {
    // 4K, 48-bit IPA, LPA2: start level 0. A 1G block at IPA 0x140000000 -> PA 2^51: lo = 0x0 | (0b10 << 8) | block 0x1,
    // MemAttr 0x3c, S2AP RW 0xc0, AF 0x400 = 0x6fd (no SH field with LPA2: bits 9:8 hold OA[51:50]); hi XN.
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 48, paBits: 52, lpa2: true, fwb: false, tlbRange: false });
    expect(pgt.map(0x1_4000_0000, 0x4000_0000, 2 ** 51, PROT_R | PROT_W, 0)).toBe(0);
    // 16 pages at IPA 0x200000 -> PA 2^50 + i * 4K: lo = i * 4K | 0b01 << 8 | 0x4ff.
    expect(pgt.map(0x20_0000, 16 * 0x1000, 2 ** 50, PROT_R | PROT_W, 0)).toBe(0);
    const k = kernel(pgt);
    expect(kernelSource(pgt).split("\n")[1]).toBe("// s2pt stage-2 walk kernel: 4096 granule, 48-bit IPA, start level 0, 52-bit PA, LPA2, 16 lanes");
    expect(one(pgt, k, 0x1_4000_0abc, READ)).toEqual([1, 2 ** 51 + 0xabc, 0x6fd, XN]);
    expect(one(pgt, k, 0x20_5008, READ)).toEqual([3, 2 ** 50 + 0x5008, 0x5000 | 0x1ff | 0x400, XN]);
    const ipas = Float64Array.from({ length: 16 }, (_, i) => 0x20_0000 + i * 0x1000);
    const outPa = new Float64Array(16);
    const outStatus = new Int32Array(16);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, 16, outPa, outStatus, WRITE, 0)).toBe(0);
    expect([...outPa]).toEqual(Array.from({ length: 16 }, (_, i) => 2 ** 50 + i * 0x1000));
  });
  it("4K, 32-bit IPA (no index above bit 31 below the root), 40-bit PA", () => {
    // KVM concatenates: ARM64_HW_PGTABLE_LEVELS(32 - 4) = 2 levels, start level 2 over 4 root pages
    // (IPA[31:21]); level 3 indexes IPA[20:12]: no index reads the IPA's high half.
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 32, paBits: 40, lpa2: false, fwb: false, tlbRange: false });
    expect(pgt.map(0xffff_0000, 16 * 0x1000, 0xff_0000_0000, PROT_R | PROT_W, 0)).toBe(0);
    const k = kernel(pgt);
    expect(kernelSource(pgt)).toContain("// s2pt stage-2 walk kernel: 4096 granule, 32-bit IPA, start level 2, 40-bit PA, 16 lanes");
    const ipas = Float64Array.from({ length: 16 }, (_, i) => 0xffff_0000 + i * 0x1000 + 0xfff);
    const outPa = new Float64Array(16);
    const outStatus = new Int32Array(16);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, 16, outPa, outStatus, READ, 0)).toBe(0);
    expect([...outPa]).toEqual(Array.from({ length: 16 }, (_, i) => 0xff_0000_0000 + i * 0x1000 + 0xfff));
    expect(one(pgt, k, 0xffff_f000, READ)).toEqual([3, 0xff_0000_f000, 0xf7ff, XN | 0xff]);
  });
  it("16K, 47-bit IPA: start level 1 over 1 root page; 32M blocks at level 2", () => {
    // 16K: shifts 14, 25, 36, 47; 47-bit IPA: start level 1 (2048 entries, one 16K page).
    const pgt = new KvmPgtable({ granule: 16384, iaBits: 47, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    expect(pgt.map(0x2_0000_0000, 0x200_0000, 0x8000_0000, PROT_R | PROT_X, 0)).toBe(0);
    expect(pgt.map(0x10_0000, 16 * 0x4000, 0x4000_0000, PROT_R | PROT_W, 0)).toBe(0);
    const k = kernel(pgt);
    expect(one(pgt, k, 0x2_0123_4567, EXEC, XN)).toEqual([2, 0x8123_4567, 0x8000_077d, 0]);
    const ipas = Float64Array.from({ length: 16 }, (_, i) => 0x10_0000 + i * 0x4000 + 2 * i);
    const outPa = new Float64Array(16);
    const outStatus = new Int32Array(16);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, 16, outPa, outStatus, READ, 0)).toBe(0);
    expect([...outPa]).toEqual(Array.from({ length: 16 }, (_, i) => 0x4000_0000 + i * 0x4000 + 2 * i));
  });
  it("fewer lanes, the source's geometry line, and no kernel for a walk that starts at level -1", () => {
    const pgt = tables4k();
    const k4 = kernel(pgt, 4);
    expect(k4.lanes).toBe(4);
    expect(LANES).toBe(16);
    expect(k4.source.split("\n")[1]).toBe("// s2pt stage-2 walk kernel: 4096 granule, 40-bit IPA, start level 1, 48-bit PA, 4 lanes");
    const ipas = Float64Array.from({ length: 8 }, (_, i) => RUN_IPA(i));
    const acc = new Float64Array(2);
    expect(k4.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 8, READ, 0, acc)).toBe(8);
    expect([...acc]).toEqual([0x1008 * 28 + 24, 40]);
    // KVM never starts at level -1 (it concatenates); an image can: VTCR_EL2 0x38006000c = T0SZ 12 (52-bit),
    // SL0 00, TG0 4K, PS 110 (52 bits), RES1, DS [32], SL2 [33]: start level -1, a 16-entry root table (128 bytes).
    const mem = new PhysMemory(true);
    mem.addFrames(0x8000_0000, new Int32Array(1024));
    const deep = new ImageTables(mem, s2WalkParams({ vttbr: 0x8000_0000n, vtcr: 0x3_8006_000cn, fwb: false }));
    expect(deep.geom.startLevel).toBe(-1);
    expect(buildKernel(deep)).toBeNull();
    expect(() => kernelSource(deep)).toThrow(/^no kernel for start level -1$/);
  });
});

describe("a hand-written memory image: an output beyond PS, a table outside the pages held", () => {
  it("4K, 40-bit IPA and PS: the kernel leaves an output address at or above 2^40 to the complete walk", () => {
    // VTCR_EL2 0x80023558 (T0SZ 24, SL0 01 start level 1, 4K, PS 010 40 bits); VTTBR_EL2 BADDR 0x80000000.
    // Root 0x80000000 [1] = 0x80002003 -> L2 at 0x80002000 [0] = 0x80003003 -> L3 at 0x80003000:
    //   [0] = 0x600007ff  page -> 0x60000000 (R|W, AF)
    //   [1] = 0x10000000007ff  page -> 0x10000000000 = 2^40: beyond PS
    //   [2..17] = pages -> 0x61000000 + i * 4K (for a whole group)
    //   [18] = 0x90000003 (a table descriptor at level 3 is a page: 0b11) -> 0x90000000, AF clear: not the kernel's
    // Root [2] = 0x90000003: a table in a page the image does not hold.
    const mem = new PhysMemory(true);
    const page = (pa: number, entries: Array<[number, number, number]>): void => {
      const w = new Int32Array(1024);
      for (const [i, lo, hi] of entries) {
        w[2 * i] = lo | 0;
        w[2 * i + 1] = hi;
      }
      mem.addFrames(pa, w);
    };
    page(0x8000_0000, [
      [1, 0x8000_2003, 0],
      [2, 0x9000_0003, 0],
    ]);
    page(0x8000_1000, []);
    page(0x8000_2000, [[0, 0x8000_3003, 0]]);
    const l3: Array<[number, number, number]> = [
      [0, 0x6000_07ff, 0],
      [1, 0x7ff, 0x100],
    ];
    for (let i = 2; i < 18; i++) l3.push([i, 0x6100_0000 + (i - 2) * 0x1000 + 0x7ff, 0]);
    l3.push([18, 0x9000_0003, 0]);
    page(0x8000_3000, l3);
    const p = s2WalkParams({ vttbr: 0x1_0000_8000_0000n, vtcr: 0x8002_3558n, fwb: false });
    const t = new ImageTables(mem, p);
    expect(t.dense).toBe(true);
    const k = buildKernel(t);
    if (k === null) throw new Error("no kernel");
    const out = new Float64Array(3);
    const ch = t.store.chunks;
    // IPA 0x40000000: L1 [1], L2 [0], L3 [0].
    expect(k.one(ch, t.store.bump, 0x4000_0123, 0, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0x6000_0123);
    expect(k.one(ch, t.store.bump, 0x4000_1000, 0, READ, 0, out)).toBe(-1); // 2^40: beyond PS
    expect(k.one(ch, t.store.bump, 0x4001_2000, 0, READ, 0, out)).toBe(-1); // AF clear
    expect(k.one(ch, t.store.bump, 0x8000_0000, 0, READ, 0, out)).toBe(-1); // the table at 0x90000000 is not held
    // A group of 16 pages (L3 [2..17]), then the same group with lane 0 on the beyond-PS page.
    const ipas = Float64Array.from({ length: 16 }, (_, i) => 0x4000_2000 + i * 0x1000 + i);
    const outPa = new Float64Array(16);
    const outStatus = new Int32Array(16);
    expect(k.batch(ch, t.store.bump, ipas, 16, outPa, outStatus, READ, 0)).toBe(0);
    expect([...outPa]).toEqual(Array.from({ length: 16 }, (_, i) => 0x6100_0000 + i * 0x1000 + i));
    expect(k.batchSum(ch, t.store.bump, ipas, 0, 16, READ, 0, new Float64Array(2))).toBe(16);
    ipas[0] = 0x4000_1000;
    expect(k.batchSum(ch, t.store.bump, ipas, 0, 16, READ, 0, new Float64Array(2))).toBe(0);
    expect(k.batch(ch, t.store.bump, ipas, 16, outPa, outStatus, READ, 0)).toBe(1);
    expect(outStatus[0]).toBe(-1);
    expect(k.batchFlat).toBeNull(); // an image has no flat arena
    expect(k.batchSumFlat).toBeNull();
    // The complete walk: Address size fault, level 3 (0b000011), for the beyond-PS page.
    const w = new S2Walker(t, { ha: p.ha, hd: p.hd });
    const st = new Int32Array(1);
    expect(w.translateBatch(Float64Array.from([0x4000_1000]), 1, ACCESS_READ, 1, new Float64Array(1), st)).toBe(1);
    expect(st[0] & 0x3f).toBe(0x03);
  });
});

/** A memory image of `granule`-sized pages, each a list of [index, lo, hi] entries. */
function imageOf(granule: number, pages: Array<[number, Array<[number, number, number]>]>): PhysMemory {
  const mem = new PhysMemory(true);
  for (const [pa, entries] of pages) {
    const w = new Int32Array(granule / 4);
    for (const [i, lo, hi] of entries) {
      w[2 * i] = lo | 0;
      w[2 * i + 1] = hi;
    }
    mem.addFrames(pa, w);
  }
  return mem;
}

/** VTCR_EL2 from fields: T0SZ, SL0, TG0, PS, extra bits; RES1 bit 31, SH0 Inner, IRGN0/ORGN0 WBWA. */
function vtcrOf(t0sz: number, sl0: number, tg0: number, ps: number, extra = 0n): bigint {
  return BigInt(t0sz | (sl0 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (tg0 << 14)) | (BigInt(ps) << 16n) | (1n << 31n) | extra;
}

function imageKernel(mem: PhysMemory, vtcr: bigint, paMax?: number): { t: ImageTables; k: WalkKernel } {
  const p = paMax === undefined ? s2WalkParams({ vttbr: 0x8000_0000n, vtcr, fwb: false }) : s2WalkParams({ vttbr: 0x8000_0000n, vtcr, fwb: false, paMax });
  const t = new ImageTables(mem, p);
  const k = buildKernel(t);
  if (k === null) throw new Error("no kernel");
  return { t, k };
}

describe("hand-written images: table descriptors the kernel must not follow, outputs it must not give", () => {
  it("64K, PS 48: OA[51:48] (bits 15:12) of a table or a page descriptor is an address beyond PS", () => {
    // VTCR_EL2: T0SZ 22 (42-bit IPA), SL0 01 (start level 2: 2^13 entries, one 64K page), TG0 01 (64K), PS 101 (48).
    // Root (L2) at 0x80000000: [0] = 0x80010003 -> L3 at 0x80010000; [1] = 0x80011003 (bits 15:12 = 0001):
    // a table at 2^48 + 0x80010000, beyond PS (not a table in the image the kernel may read).
    // L3 [i] for i < 16: page -> 0x90000000 + i * 64K (lo | 0x7ff); [3] also has bits 15:12 = 0001: OA 2^48 + ...
    const l3: Array<[number, number, number]> = [];
    for (let i = 0; i < 16; i++) l3.push([i, (0x9000_0000 + i * 0x1_0000 + 0x7ff) | (i === 3 ? 0x1000 : 0), 0]);
    const mem = imageOf(65536, [
      [
        0x8000_0000,
        [
          [0, 0x8001_0003, 0],
          [1, 0x8001_1003, 0],
        ],
      ],
      [0x8001_0000, l3],
    ]);
    const { t, k } = imageKernel(mem, vtcrOf(22, 1, 1, 5));
    const out = new Float64Array(3);
    const ch = t.store.chunks;
    expect(k.one(ch, t.store.bump, 0x1_0123, 0, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0x9001_0123);
    expect(k.one(ch, t.store.bump, 0x3_0000, 0, READ, 0, out)).toBe(-1); // L3 [3]: beyond PS
    expect(k.one(ch, t.store.bump, 0x2000_0000, 0, READ, 0, out)).toBe(-1); // L2 [1]: a table beyond PS
    // A group of the 16 pages stops at once (lane 3); without lane 3 it is taken.
    const ipas = Float64Array.from({ length: 16 }, (_, i) => i * 0x1_0000 + 4 * i);
    expect(k.batchSum(ch, t.store.bump, ipas, 0, 16, READ, 0, new Float64Array(2))).toBe(0);
    ipas[3] = 0x2_0000;
    const acc = new Float64Array(2);
    expect(k.batchSum(ch, t.store.bump, ipas, 0, 16, READ, 0, acc)).toBe(16);
    // Σ PA[31:0]: 0x90000000 * 16 + 0x10000 * (120 - 3 + 2) + 4 * (120 - 3) + 16 * 3 levels; PA[63:32] 0.
    // 0x90000000 * 16 = 2^32 * 9: the sum is a double, not taken modulo 2^32 here.
    expect([...acc]).toEqual([0x9000_0000 * 16 + 0x1_0000 * 119 + 4 * 117 + 48, 0]);
    // The complete walk: Address size fault, level 3, for lane 3's page.
    const w = new S2Walker(t, { ha: false });
    const st = new Int32Array(1);
    expect(w.translateBatch(Float64Array.from([0x3_0000]), 1, ACCESS_READ, 1, new Float64Array(1), st)).toBe(1);
    expect(st[0] & 0x3f).toBe(0x03);
  });
  it("4K with DS (FEAT_LPA2): NLTA[51:50] in a table descriptor's bits 9:8 puts the next table beyond the image's window", () => {
    // VTCR_EL2: T0SZ 16 (48-bit), SL0 10 (start level 0), 4K, PS 110 (52), DS [32].
    // L0 0x80000000 [0] -> L1 0x80001000 [0] -> L2 0x80002000: [0] = 0x80003103: a table at 2^50 + 0x80003000 (not held);
    // [1] = 0x80003003: the table at 0x80003000, whose [0] is a page -> 0x60000000 (lo 0x600004ff: no SH bits with DS).
    const mem = imageOf(4096, [
      [0x8000_0000, [[0, 0x8000_1003, 0]]],
      [0x8000_1000, [[0, 0x8000_2003, 0]]],
      [
        0x8000_2000,
        [
          [0, 0x8000_3103, 0],
          [1, 0x8000_3003, 0],
        ],
      ],
      [0x8000_3000, [[0, 0x6000_04ff, 0]]],
    ]);
    const { t, k } = imageKernel(mem, vtcrOf(16, 2, 0, 6, 1n << 32n));
    const out = new Float64Array(3);
    expect(k.one(t.store.chunks, t.store.bump, 0x20_0123, 0, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0x6000_0123);
    expect(k.one(t.store.chunks, t.store.bump, 0x123, 0, READ, 0, out)).toBe(-1);
  });
  it("4K without DS: a table descriptor's bits 9:8 are ignored; a start level 3 kernel (64K, 25-bit IPA)", () => {
    // VTCR_EL2 0x80023558-like with PS 40: root 0x80000000 [1] = 0x80002303 (bits 9:8 set, IGNORED in a table
    // descriptor) -> L2 0x80002000 [0] = 0x80003003 -> L3 0x80003000 [0] = page 0x600007ff.
    // Root [2] = 0x80002003 as well (root index 2: a bit of the index other than bit 0 and bit 9).
    const mem = imageOf(4096, [
      [
        0x8000_0000,
        [
          [1, 0x8000_2303, 0],
          [2, 0x8000_2003, 0],
        ],
      ],
      [0x8000_1000, []],
      [0x8000_2000, [[0, 0x8000_3003, 0]]],
      [0x8000_3000, [[0, 0x6000_07ff, 0]]],
    ]);
    const { t, k } = imageKernel(mem, vtcrOf(24, 1, 0, 2));
    const out = new Float64Array(3);
    expect(k.one(t.store.chunks, t.store.bump, 0x4000_0123, 0, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0x6000_0123);
    expect(k.one(t.store.chunks, t.store.bump, 0x8000_0456, 0, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0x6000_0456);
    // 64K, T0SZ 39 (25-bit IPA), SL0 00: start level 3, 2^(25-16) = 512 entries in one page; [5] -> 0xa0000000.
    const m3 = imageOf(65536, [[0x8000_0000, [[5, 0xa000_07ff, 0]]]]);
    const s3 = imageKernel(m3, vtcrOf(39, 0, 1, 5));
    expect(s3.k.source.split("\n")[1]).toBe("// s2pt stage-2 walk kernel: 65536 granule, 25-bit IPA, start level 3, 48-bit PA, 16 lanes");
    expect(s3.k.one(s3.t.store.chunks, s3.t.store.bump, 0x5_0123, 0, READ, 0, out)).toBe(3);
    expect(out[0]).toBe(0xa000_0123);
    expect(s3.k.one(s3.t.store.chunks, s3.t.store.bump, 0x4_0000, 0, READ, 0, out)).toBe(-1);
  });
  it("a group of negative IPAs stops the groups, though their int32 low halves would walk to a page", () => {
    // IPA 0x3ffff000: L1 [0], L2 [511], L3 [511]. -4096 + 8 i as int32 is 0xfffff008 + ...: the same indices.
    const pgt = tables4k();
    expect(pgt.map(0x3fff_f000, 0x1000, 0x9000_0000, PROT_R | PROT_W, 0)).toBe(0);
    const k = kernel(pgt);
    const ipas = Float64Array.from({ length: 16 }, (_, i) => -4096 + 8 * i);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ipas, 0, 16, READ, 0, new Float64Array(2))).toBe(0);
    const outStatus = new Int32Array(16);
    expect(k.batch(pgt.store.chunks, pgt.store.bump, ipas, 16, new Float64Array(16), outStatus, READ, 0)).toBe(16);
    expect([...outStatus]).toEqual(Array(16).fill(-1));
    // The page itself, in range: a whole group.
    const ok = Float64Array.from({ length: 16 }, (_, i) => 0x3fff_f000 + 8 * i);
    expect(k.batchSum(pgt.store.chunks, pgt.store.bump, ok, 0, 16, READ, 0, new Float64Array(2))).toBe(16);
  });
  it("lane() refuses an IPA beyond the IPA space whose low bits would walk to a page; the source is strict", () => {
    const pgt = tables4k();
    const k = kernel(pgt);
    const out = new Float64Array(3);
    // 2^40 + 0x40203000: IPA[39:0] is the mapped page, but the IPA is outside the 40-bit space.
    expect(k.lane(pgt.store.chunks, pgt.store.bump, Float64Array.from([2 ** 40 + 0x4020_3000]), 0, READ, 0, out)).toBe(-1);
    expect(k.source.split("\n")[0]).toBe('"use strict";');
  });
});
