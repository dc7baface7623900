// The stage-1 descriptor's bits (src/stage1/descriptor.ts) against the Arm
// ARM's VMSAv8-64 descriptor formats (D8.3, 64-bit descriptors, DS = 0): every
// descriptor below is worked out by hand, bit by bit, in the comment beside it.
//   leaf:  bit 0 valid, bit 1 page (level 3) / block, AttrIndx 4:2, NS 5,
//          AP[2:1] 7:6, SH 9:8, AF 10, nG 11, OA[51:48] 15:12 (64K, FEAT_LPA),
//          OA 47:n, GP 50, DBM 51, Contiguous 52, PXN 53, UXN 54
//   table: bits 1:0 = 11, address 47:PS, PXNTable 59, UXNTable 60,
//          APTable 62:61, NSTable 63
// Level shifts (ASL: granulebits + stride * (3 - level), stride = granulebits - 3):
// 4K 39/30/21/12, 16K 47/36/25/14, 64K 42/29/16 (levels 1, 2, 3).
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/pgtable/u64.js";
import { encodeS1Leaf, encodeS1Table, s1DescAddress, s1LevelShift, type S1LeafFields } from "../../src/stage1/descriptor.js";
import type { Granule } from "../../src/pgtable/geometry.js";

function leaf(granule: Granule, f: S1LeafFields): [number, number] {
  const out = [0, 0];
  encodeS1Leaf(granule, f, out);
  return [out[0], out[1]];
}

function table(granule: Granule, t: number, f: Parameters<typeof encodeS1Table>[2]): [number, number] {
  const out = new Uint32Array(2);
  encodeS1Table(granule, t, f, out);
  return [out[0], out[1]];
}

describe("s1LevelShift: the size one entry maps", () => {
  it("4K: 39, 30, 21, 12; 16K: 47, 36, 25, 14; 64K: 42, 29, 16", () => {
    expect([0, 1, 2, 3].map((l) => s1LevelShift(12, l))).toEqual([39, 30, 21, 12]);
    expect([0, 1, 2, 3].map((l) => s1LevelShift(14, l))).toEqual([47, 36, 25, 14]);
    expect([1, 2, 3].map((l) => s1LevelShift(16, l))).toEqual([42, 29, 16]);
  });
});

describe("encodeS1Leaf", () => {
  it("a 4K level-1 block: 1 GiB at 0x40000000, AttrIndx 0, EL1 RW, ISH, AF", () => {
    // 0x40000000 | valid 0x1 | SH 0b11 << 8 = 0x300 | AF 0x400 = 0x40000701; bit 1 clear (block).
    expect(leaf(4096, { oa: 0x40000000, level: 1, attrIndx: 0, ap: 0, sh: 3, af: true })).toEqual([0x40000701, 0]);
  });

  it("a 4K page above 4 GiB with every low and execute-never field set", () => {
    // OA 0x812345000: lo 0x12345000, hi 0x8. Low bits: valid+page 0x3, AttrIndx 4 << 2 = 0x10,
    // AP 0b01 << 6 = 0x40, SH 0b10 << 8 = 0x200, AF 0x400, nG 0x800 -> 0xe53.
    // High: PXN bit 53 -> 1 << 21 = 0x200000, UXN bit 54 -> 1 << 22 = 0x400000.
    expect(leaf(4096, { oa: 0x812345000, level: 3, attrIndx: 4, ap: 1, sh: 2, af: true, ng: true, pxn: true, uxn: true })).toEqual([0x12345e53, 0x600008]);
  });

  it("GP (bit 50), DBM (bit 51) and Contiguous (bit 52), each on its own", () => {
    const base = { oa: 0x200000, level: 2, attrIndx: 7, ap: 3, sh: 0, af: false } as const;
    // 0x200000 | valid 0x1 | AttrIndx 7 << 2 = 0x1c | AP 0b11 << 6 = 0xc0 -> 0x2000dd.
    expect(leaf(4096, base)).toEqual([0x2000dd, 0]);
    expect(leaf(4096, { ...base, gp: true })).toEqual([0x2000dd, 1 << 18]);
    expect(leaf(4096, { ...base, dbm: true })).toEqual([0x2000dd, 1 << 19]);
    expect(leaf(4096, { ...base, contiguous: true })).toEqual([0x2000dd, 1 << 20]);
    expect(leaf(4096, { ...base, pxn: true })).toEqual([0x2000dd, 1 << 21]);
    expect(leaf(4096, { ...base, uxn: true })).toEqual([0x2000dd, 1 << 22]);
    expect(leaf(4096, { ...base, ng: true })).toEqual([0x2000dd | 0x800, 0]);
  });

  it("64K: OA[51:48] go in bits 15:12", () => {
    // OA 0xf000000010000 = 0xf << 48 | 0x10000: lo 0x10000 | 0xf << 12 = 0xf000 | valid+page 0x3; hi32 & 0xffff = 0.
    expect(leaf(65536, { oa: 0xf000000010000, level: 3, attrIndx: 0, ap: 0, sh: 0, af: false })).toEqual([0x1f003, 0]);
    // 16K keeps bits 15:12 for the OA itself (they are address bits above 14): OA 0x4000 -> lo 0x4003.
    expect(leaf(16384, { oa: 0x4000, level: 3, attrIndx: 0, ap: 0, sh: 0, af: false })).toEqual([0x4003, 0]);
  });

  it("refuses an OA that is misaligned for the level or beyond the granule's OA size", () => {
    const f = { level: 2, attrIndx: 0, ap: 0, sh: 0, af: true };
    expect(() => leaf(4096, { ...f, oa: 0x201000 })).toThrow(new InputError("output address 0x201000 is not a 0x200000-aligned address below 0x1000000000000"));
    expect(() => leaf(4096, { ...f, level: 3, oa: 2 ** 48 })).toThrow(
      new InputError("output address 0x1000000000000 is not a 0x1000-aligned address below 0x1000000000000"),
    );
    expect(() => leaf(4096, { ...f, level: 3, oa: -0x1000 })).toThrow(InputError);
    expect(leaf(4096, { ...f, level: 3, oa: 2 ** 48 - 0x1000 })).toEqual([0xfffff403, 0xffff]);
    expect(() => leaf(65536, { ...f, level: 3, oa: 2 ** 52 })).toThrow(
      new InputError("output address 0x10000000000000 is not a 0x10000-aligned address below 0x10000000000000"),
    );
    // 2^48 with 64K: OA[51:48] = 1 -> bit 12; OA[47:16] = 0; valid+page 0x3, AF 0x400 -> 0x1403.
    expect(leaf(65536, { ...f, level: 3, oa: 2 ** 48 })).toEqual([0x1403, 0]);
  });

  it("refuses fields out of range, naming them", () => {
    const f = { oa: 0, level: 3, attrIndx: 0, ap: 0, sh: 0, af: true };
    expect(() => leaf(4096, { ...f, level: 4 })).toThrow(new InputError("level: 4 is outside 0..3"));
    expect(() => leaf(4096, { ...f, level: -1 })).toThrow(new InputError("level: -1 is outside 0..3"));
    expect(() => leaf(4096, { ...f, attrIndx: 8 })).toThrow(new InputError("AttrIndx: 8 is outside 0..7"));
    expect(() => leaf(4096, { ...f, ap: 4 })).toThrow(new InputError("AP: 4 is outside 0..3"));
    expect(() => leaf(4096, { ...f, sh: 1.5 })).toThrow(new InputError("SH: 1.5 is outside 0..3"));
    expect(leaf(4096, { ...f, attrIndx: 7, ap: 3, sh: 3 })).toEqual([0x7df, 0]);
  });
});

describe("encodeS1Table", () => {
  it("every hierarchical attribute: PXNTable 59, UXNTable 60, APTable 62:61, NSTable 63", () => {
    // 0x81234000 | 0b11 = 0x81234003. High: 1 << 27 | 1 << 28 | 0b11 << 29 | 1 << 31 = 0xf8000000.
    expect(table(4096, 0x81234000, { pxnTable: true, uxnTable: true, apTable: 3, nsTable: true })).toEqual([0x81234003, 0xf8000000]);
    expect(table(4096, 0x81234000, {})).toEqual([0x81234003, 0]);
    // A table at address 0 is a table like any other.
    expect(table(4096, 0, {})).toEqual([0x3, 0]);
    expect(table(4096, 0x1000, { pxnTable: true })).toEqual([0x1003, 0x08000000]);
    expect(table(4096, 0x1000, { uxnTable: true })).toEqual([0x1003, 0x10000000]);
    expect(table(4096, 0x1000, { apTable: 1 })).toEqual([0x1003, 0x20000000]);
    expect(table(4096, 0x1000, { apTable: 2 })).toEqual([0x1003, 0x40000000]);
    expect(table(4096, 0x1000, { nsTable: true })).toEqual([0x1003, 0x80000000]);
  });

  it("a 16K table above 4 GiB, and a 64K table above 2^48 (OA[51:48] in bits 15:12)", () => {
    expect(table(16384, 0x100004000, {})).toEqual([0x4003, 0x1]);
    expect(table(65536, 0x3000000020000, {})).toEqual([0x23003, 0]);
  });

  it("refuses a misaligned or too-high table address and an APTable out of range", () => {
    expect(() => table(16384, 0x1000, {})).toThrow(new InputError("table address 0x1000 is not a 16K-aligned address below 0x1000000000000"));
    expect(() => table(4096, 2 ** 48, {})).toThrow(new InputError("table address 0x1000000000000 is not a 4K-aligned address below 0x1000000000000"));
    expect(() => table(4096, -4096, {})).toThrow(InputError);
    expect(() => table(65536, 2 ** 52, {})).toThrow(new InputError("table address 0x10000000000000 is not a 64K-aligned address below 0x10000000000000"));
    expect(() => table(4096, 0x1000, { apTable: 4 })).toThrow(new InputError("APTable: 4 is outside 0..3"));
  });
});

describe("s1DescAddress: the address bits of a descriptor", () => {
  it("bits 47:PS, the lower bits dropped", () => {
    // lo 0x12345e53 with 4K keeps 31:12 = 0x12345000; hi 0x600008 keeps 47:32 = 0x8.
    expect(s1DescAddress(0x12345e53, 0x600008, 12, false)).toBe(0x812345000);
    // 16K drops 13:0: 0x12344000.
    expect(s1DescAddress(0x12345e53, 0x600008, 14, false)).toBe(0x812344000);
    // 64K drops 15:0.
    expect(s1DescAddress(0x12345e53, 0x600008, 16, false)).toBe(0x812340000);
    // Bits 63:48 of the high half are not address bits.
    expect(s1DescAddress(0x1000, 0xffff0001, 12, false)).toBe(0x100001000);
  });

  it("64K with FEAT_LPA: bits 15:12 are OA[51:48]; without it, or with another granule, they are not", () => {
    expect(s1DescAddress(0x1f003, 0, 16, true)).toBe(0xf000000010000);
    expect(s1DescAddress(0x1f003, 0, 16, false)).toBe(0x10000);
    expect(s1DescAddress(0x1f003, 0, 14, true)).toBe(0x1c000);
  });
});
