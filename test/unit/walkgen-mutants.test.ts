// src/pgtable/walkgen.ts: the source fragments the per-geometry walks are
// compiled from, each evaluated here on values worked out by hand (bit
// fields of an IPA as kvm_pgtable_idx() takes them, a descriptor's word in
// the table store's chunked arena, a table descriptor's next page, sums
// modulo 2^64). Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { TableStore } from "../../src/pgtable/storage.js";
import { addSum64, emitLoad, emitNextPage, guard, i32, ipaBits, memoryArgument, rootTable, storeMemory, type TableMemory } from "../../src/pgtable/walkgen.js";

function ev(params: string[], body: string, ...args: unknown[]): unknown {
  // The fragments are compiled as the walks compile them (getleaf.ts, walker/kernel.ts).
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...params, body)(...args);
}

/** 4K pages (1024 words), two pages per chunk, table pages from 2^47. */
const MEM: TableMemory = { kind: "store-chunks", chunkShift: 1, chunkMask: 1, wordsShift: 10, basePa: 2 ** 47, pageShift: 12 };

describe("i32 and ipaBits", () => {
  it("i32 writes a mask as the int32 JavaScript's bit operators give", () => {
    expect(i32(0xffff_ffff)).toBe("-1");
    expect(i32(0x8000_0000)).toBe("-2147483648");
    expect(i32(0x1ff)).toBe("511");
  });
  // IPA 0x80_4060_5000: low half 0x4060_5000, high half 0x80.
  const bits = (shift: number, n: number, lo = 0x4060_5000, hi = 0x80): number =>
    ev(["il", "ih"], `return ${ipaBits("il", "ih", shift, n)};`, lo, hi) as number;
  it("fields inside the low half, across the halves and inside the high half", () => {
    expect(bits(12, 9)).toBe(5); // level 3 index
    expect(bits(21, 9)).toBe(3); // level 2 index
    expect(bits(30, 9)).toBe(0x201 & 511); // level 1 index: bits 38:30 = 1 (bit 39 is the root page)
    expect(bits(30, 10)).toBe(0x201); // bits 39:30 across the halves
    expect(bits(39, 1)).toBe(1); // the root page
    expect(bits(23, 9)).toBe(0x80); // bits 31:23, ending at bit 31
    expect(bits(0, 32)).toBe(0x4060_5000);
    expect(bits(32, 32, 0, 0xffff_ffff)).toBe(-1);
  });
  it("a field that starts at bit 32 reads the high half only", () => {
    expect(bits(32, 4, 0x5, 0x2)).toBe(2);
    expect(bits(36, 4, 0xffff_ffff, 0x30)).toBe(3);
  });
});

describe("the memory seam (emitLoad, rootTable, emitNextPage, guard)", () => {
  const chunks = [new Int32Array(2048), new Int32Array(2048)];
  // Page 3 is the second page of chunk 1: words 1024.. of it; entry 5 is words 1034, 1035.
  chunks[1][1034] = 0x1234;
  chunks[1][1035] = -7;
  // Page 2, entry 600 of the concatenation of pages 2 and 3 = page 3 entry 88: words 1200, 1201 of chunk 1.
  chunks[1][1200] = 11;
  chunks[1][1201] = 12;
  it("emitLoad reads entry idx of a page from its chunk", () => {
    const body = `let x = 0, y = 0; ${emitLoad(MEM, "m", "p", "i", "x", "y")} return [x, y];`;
    expect(ev(["m", "p", "i"], body, chunks, 3, 5)).toEqual([0x1234, -7]);
    expect(ev(["m", "p", "i"], body, chunks, 2, 0)).toEqual([0, 0]);
  });
  it("rootTable: root pages in one chunk read as one table; split over chunks, none", () => {
    const rt = rootTable(MEM, "m", "r", 2, 2);
    expect(rt).not.toBeNull();
    const body = `${rt?.decl} let x = 0, y = 0; ${rt?.load("i", "x", "y")} return [x, y];`;
    expect(ev(["m", "i"], body, chunks, 600)).toEqual([11, 12]);
    const one = rootTable(MEM, "m", "r", 3, 1);
    const body1 = `${one?.decl} let x = 0, y = 0; ${one?.load("i", "x", "y")} return [x, y];`;
    expect(ev(["m", "i"], body1, chunks, 5)).toEqual([0x1234, -7]);
    expect(rootTable(MEM, "m", "r", 1, 2)).toBeNull();
    expect(rootTable(MEM, "m", "r", 0, 2)).not.toBeNull();
  });
  it("emitNextPage: the table descriptor's PA in pages, less the base's pages, modulo 2^32", () => {
    const next = (mem: TableMemory, x: number, y: number): number => ev(["x", "y"], `return ${emitNextPage(mem, "x", "y")};`, x, y) as number;
    // 2^47 + 5 * 4K: low half 0x5003 (with the table bits), high half 0x8000.
    expect(next(MEM, 0x5003, 0x8000)).toBe(5);
    expect(next(MEM, 0xffff_f003 | 0, 0x8000)).toBe(0xfffff);
    // With table pages from 2^31 (a 32-bit PA space): page = PA / 4K - 2^19.
    const low: TableMemory = { ...MEM, basePa: 2 ** 31 };
    expect(next(low, (0x8000_0000 + 9 * 4096 + 3) | 0, 0)).toBe(9);
    // 64K pages from 2^47: PA 2^47 + 2 * 64K.
    const big: TableMemory = { ...MEM, pageShift: 16, wordsShift: 14 };
    expect(next(big, 0x2_0003, 0x8000)).toBe(2);
  });
  it("guard: the high-half address bits above the page-number window must be the base's", () => {
    // 4K: OA bits 47:32 in the high half (0xffff), window bits 43:12: bits 47:44 are checked (0xf000), base 2^47 has 0x8000.
    expect(guard(MEM, 0xffff)).toEqual({ mask: 0xf000, value: 0x8000 });
    // 64K: window bits 47:16 covers the whole high half.
    expect(guard({ ...MEM, pageShift: 16 }, 0xffff)).toEqual({ mask: 0, value: 0 });
    // Table pages from 2^35: value 8 within mask 0xf000 is 0.
    expect(guard({ ...MEM, basePa: 2 ** 35 }, 0xffff)).toEqual({ mask: 0xf000, value: 0 });
    expect(guard({ ...MEM, basePa: 2 ** 45 }, 0x3ffff)).toEqual({ mask: 0x3f000, value: 0x2000 });
  });
  it("storeMemory and memoryArgument describe the table store's arena", () => {
    const s = new TableStore(16384, 48, {});
    s.zallocPagesExact(1);
    expect(storeMemory(s)).toEqual({
      kind: "store-chunks",
      chunkShift: s.chunkShift,
      chunkMask: s.chunkMask,
      wordsShift: 12,
      basePa: 2 ** 47,
      pageShift: 14,
    });
    expect(memoryArgument(s)).toBe(s.chunks);
  });
});

describe("addSum64: (acc + part) mod 2^64 in 32-bit halves", () => {
  const add = (acc: [number, number], part: [number, number]): number[] => {
    const a = Float64Array.from(acc);
    addSum64(a, Float64Array.from(part));
    return [...a];
  };
  it("carries the low half into the high half, both ways", () => {
    expect(add([0xffff_ffff, 5], [1, 0])).toEqual([0, 6]);
    expect(add([3, 5], [2 ** 33 + 1, 7])).toEqual([4, 14]);
    expect(add([0, 0], [-1, 0])).toEqual([0xffff_ffff, 0xffff_ffff]);
    expect(add([5, 1], [-6, 0])).toEqual([0xffff_ffff, 0]);
  });
  it("wraps the high half modulo 2^32", () => {
    expect(add([0, 0xffff_ffff], [0, 1])).toEqual([0, 0]);
    expect(add([0xffff_ffff, 0xffff_ffff], [1, 0])).toEqual([0, 0]);
    expect(add([1, 2], [0, 2 ** 32 + 3])).toEqual([1, 5]);
  });
});
