// src/pgtable/physmem.ts (the sparse physical memory the walkers read) on
// words written out by hand: 4 KiB frames keyed by PA / 4096, 64-bit
// little-endian words as (low, high) 32-bit halves, a read where no frame is
// gives false and zeroes, writes are 8-byte aligned PAs below 2^52 (the
// architecture's largest PA), frames added from a caller's array share its
// bytes, and a 16K or 64K page is one array whose words are the frames'.
// Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { FRAME_BYTES, MAX_FRAMES, PhysMemory } from "../../src/pgtable/physmem.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { InputError } from "../../src/pgtable/u64.js";

describe("a sparse memory of 4K frames", () => {
  it("the constants: 4K frames, at most 2^24 of them", () => {
    expect(FRAME_BYTES).toBe(4096);
    expect(MAX_FRAMES).toBe(16777216);
  });
  it("image: false by default, true when asked; anything but a boolean is refused", () => {
    expect(new PhysMemory().image).toBe(false);
    expect(new PhysMemory(true).image).toBe(true);
    expect(new PhysMemory(false).image).toBe(false);
    expect(() => new PhysMemory("yes" as never)).toThrow(ArgumentError);
    expect(() => new PhysMemory(1 as never)).toThrow(/^image: 1 is not a boolean/);
  });
  it("a word written reads back as its halves and as a bigint; the rest of its frame reads 0; no frame reads false", () => {
    const m = new PhysMemory();
    expect(m.frameCount).toBe(0);
    m.write64(0x1008, 0x89abcdef, 0x01234567);
    expect(m.frameCount).toBe(1);
    expect(m.read64(0x1008)).toBe(true);
    expect([m.lo, m.hi]).toEqual([0x89abcdef, 0x01234567]);
    expect(m.peek(0x1008)).toBe(0x0123456789abcdefn);
    // The same frame, another word: 0, and the read succeeds.
    expect(m.read64(0x1ff8)).toBe(true);
    expect([m.lo, m.hi]).toEqual([0, 0]);
    // After a read that set lo/hi, a read with no frame zeroes them.
    m.read64(0x1008);
    expect(m.read64(0x2000)).toBe(false);
    expect([m.lo, m.hi]).toEqual([0, 0]);
    expect(m.peek(0x0ff8)).toBe(0n);
    expect([m.holds(0x1000), m.holds(0x1fff), m.holds(0x0fff), m.holds(0x2000)]).toEqual([true, true, false, false]);
  });
  it("halves are unsigned 32-bit values; words at high PAs land in the frame PA / 4096", () => {
    const m = new PhysMemory();
    m.write64(0x10, 0xffffffff, 0x80000000);
    expect([m.lo, m.hi, m.read64(0x10), m.lo, m.hi]).toEqual([0, 0, true, 0xffffffff, 0x80000000]);
    expect(m.peek(0x10)).toBe(0x80000000ffffffffn);
    // 2^40 + 0x2ff8: frame 2^28 + 2, word 0xff8 / 8 of it.
    const pa = 2 ** 40 + 0x2ff8;
    m.write64(pa, 7, 8);
    expect(m.framePas()).toEqual([0, 2 ** 40 + 0x2000]);
    expect(m.read64(2 ** 40 + 0x2ff0)).toBe(true);
    expect([m.lo, m.hi]).toEqual([0, 0]);
    expect(m.peek(pa)).toBe((8n << 32n) | 7n);
    // The highest word below 2^52.
    m.write64(2 ** 52 - 8, 1, 2);
    expect(m.peek(2 ** 52 - 8)).toBe((2n << 32n) | 1n);
    expect(m.frameCount).toBe(3);
  });
  it("write64 refuses a PA that is negative, not 8-byte aligned, or at or above 2^52", () => {
    const m = new PhysMemory();
    for (const pa of [-8, 0x1004, 0x1001, 2 ** 52, 2 ** 53, NaN])
      expect(() => m.write64(pa, 0, 0)).toThrow(/^physical memory: .* is not an 8-byte aligned PA below 2\^52$/);
    try {
      m.write64(0x1004, 0, 0);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).toBe("physical memory: 0x1004 is not an 8-byte aligned PA below 2^52");
    }
    expect(m.frameCount).toBe(0);
  });
  it("framePas lists the frames' PAs in ascending order", () => {
    const m = new PhysMemory();
    for (const pa of [0x5008, 0x1000, 0x30000, 0x3ff8, 0x1010]) m.write64(pa, 1, 0);
    expect(m.framePas()).toEqual([0x1000, 0x3000, 0x5000, 0x30000]);
    expect(m.frameCount).toBe(4);
  });
});

describe("frames from a caller's array", () => {
  it("addFrames shares the array's bytes, frame by frame", () => {
    const m = new PhysMemory(true);
    const words = new Int32Array(2048);
    words[2] = 0x11; // frame 0x8000, word 8
    words[1024 + 1] = 0x22; // frame 0x9000, word 0 high half
    m.addFrames(0x8000, words);
    expect(m.framePas()).toEqual([0x8000, 0x9000]);
    expect(m.peek(0x8008)).toBe(0x11n);
    expect(m.peek(0x9000)).toBe(0x22n << 32n);
    m.write64(0x9ff8, 5, 6);
    expect([words[2046], words[2047]]).toEqual([5, 6]);
  });
  it("addFrames refuses PAs that are not frame-aligned, arrays that are not whole frames, frames at or above 2^52, and a frame given twice", () => {
    const m = new PhysMemory(true);
    expect(() => m.addFrames(0x800, new Int32Array(1024))).toThrow(/^physical memory: 0x800 \+ 4096 bytes is not whole 4K frames below 2\^52$/);
    expect(() => m.addFrames(-4096, new Int32Array(1024))).toThrow(/is not whole 4K frames/);
    expect(() => m.addFrames(0, new Int32Array(1000))).toThrow(/^physical memory: 0x0 \+ 4000 bytes is not whole 4K frames/);
    expect(() => m.addFrames(2 ** 52 - 4096, new Int32Array(2048))).toThrow(/is not whole 4K frames below 2\^52/);
    m.addFrames(2 ** 52 - 4096, new Int32Array(1024));
    expect(m.holds(2 ** 52 - 1)).toBe(true);
    m.addFrames(0x2000, new Int32Array(1024));
    expect(() => m.addFrames(0x1000, new Int32Array(3072))).toThrow(/^physical memory: the 4K frame at 0x2000 is given twice$/);
    // Nothing of the refused call was added.
    expect(m.framePas()).toEqual([0x2000, 2 ** 52 - 4096]);
  });
  it("addFrames refuses more frames than MAX_FRAMES before reading the array", () => {
    const m = new PhysMemory(true);
    const huge = { length: (MAX_FRAMES + 1) * 1024 } as unknown as Int32Array;
    expect(() => m.addFrames(0, huge)).toThrow(/^physical memory: more than 16777216 4K frames$/);
    expect(m.frameCount).toBe(0);
  });
});

describe("pageWords: a 16K or 64K page as one array", () => {
  it("a 4K page is its frame; a missing frame gives null", () => {
    const m = new PhysMemory();
    m.write64(0x4000, 3, 4);
    const p = m.pageWords(0x4000, 4096);
    expect(p?.length).toBe(1024);
    expect([p?.[0], p?.[1]]).toEqual([3, 4]);
    expect(m.pageWords(0x5000, 4096)).toBeNull();
    expect(m.pageWords(0x8000, 16384)).toBeNull();
    // The first frame is there, the third is not.
    m.write64(0x8000, 1, 0);
    m.write64(0x9000, 1, 0);
    m.write64(0xb000, 1, 0);
    expect(m.pageWords(0x8000, 16384)).toBeNull();
  });
  it("frames that are consecutive in one array: a view of that array, no copy", () => {
    const m = new PhysMemory(true);
    const words = new Int32Array(4096); // four frames: a 16K page that ends the array
    words[1024 * 3 + 6] = 9; // frame 3, word 3's low half
    m.addFrames(0x10000, words);
    const p = m.pageWords(0x10000, 16384) as Int32Array;
    expect(p.buffer).toBe(words.buffer);
    expect(p.byteOffset).toBe(0);
    expect(p.length).toBe(4096);
    expect(p[3078]).toBe(9);
  });
  it("frames written one by one: copied into one page array, which the frames then view", () => {
    const m = new PhysMemory();
    m.write64(0x20000, 1, 2);
    m.write64(0x21008, 3, 4);
    m.write64(0x22010, 5, 6);
    m.write64(0x23ff8, 7, 8);
    const p = m.pageWords(0x20000, 16384) as Int32Array;
    expect(p.length).toBe(4096);
    expect([p[0], p[1], p[1026], p[1027], p[2052], p[2053], p[4094], p[4095]]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // A write through the memory is seen in the page, and one into the page by a read.
    m.write64(0x22000, 0x55, 0);
    expect(p[2048]).toBe(0x55);
    p[1024] = 0x66;
    expect(m.peek(0x21000)).toBe(0x66n);
    // Asked again: a view of the same array.
    expect((m.pageWords(0x20000, 16384) as Int32Array).buffer).toBe(p.buffer);
  });
  it("frames of one array in the wrong order, or of two arrays, are copied", () => {
    const m = new PhysMemory(true);
    const buf = new Int32Array(2048);
    buf[0] = 0x10; // will be frame 0x31000
    buf[1024] = 0x20; // will be frame 0x30000
    m.addFrames(0x30000, buf.subarray(1024, 2048));
    m.addFrames(0x31000, buf.subarray(0, 1024));
    // 0x30000 and 0x31000 are two frames of an 8K range of a 16K page at 0x30000: the other two come from another array.
    m.addFrames(0x32000, new Int32Array(2048));
    const p = m.pageWords(0x30000, 16384) as Int32Array;
    expect(p.buffer).not.toBe(buf.buffer);
    expect([p[0], p[1024]]).toEqual([0x20, 0x10]);
    // Two arrays, each holding its frames in order: copied too.
    const a = new Int32Array(1024);
    const b = new Int32Array(1024);
    a[0] = 1;
    b[0] = 2;
    m.addFrames(0x40000, a);
    m.addFrames(0x41000, b);
    m.addFrames(0x42000, new Int32Array(2048));
    const q = m.pageWords(0x40000, 16384) as Int32Array;
    expect(q.buffer).not.toBe(a.buffer);
    expect([q[0], q[1024]]).toEqual([1, 2]);
  });
  it("a 64K page from a 16K-page-aligned array that holds it: a view at its offset", () => {
    const m = new PhysMemory(true);
    const words = new Int32Array(1024 * 20); // frames 0x100000 .. 0x113000
    words[1024 * 4] = 0x77; // frame 0x104000
    m.addFrames(0x100000, words);
    const p = m.pageWords(0x104000, 65536) as Int32Array;
    expect(p.buffer).toBe(words.buffer);
    expect(p.byteOffset).toBe(4 * 4096);
    expect(p.length).toBe(16384);
    expect(p[0]).toBe(0x77);
  });
});

describe("edges", () => {
  it("PA 0 is a PA; a frame added just below a held one is not a frame given twice", () => {
    const m = new PhysMemory(true);
    m.write64(0, 0x12, 0x34);
    expect(m.peek(0)).toBe(0x3400000012n);
    m.addFrames(0x3000, new Int32Array(1024));
    m.addFrames(0x2000, new Int32Array(1024));
    expect(m.framePas()).toEqual([0, 0x2000, 0x3000]);
  });
  it("a 4K page is the frame itself, the same array each time", () => {
    const m = new PhysMemory();
    m.write64(0x4000, 1, 2);
    expect(m.pageWords(0x4000, 4096)).toBe(m.pageWords(0x4000, 4096));
  });
  it("a page whose first frame's array could hold the page, but whose other frames are elsewhere, is copied", () => {
    const m = new PhysMemory(true);
    // Frame 0x50000 is the first quarter of a 16K array; frames 0x51000.. come from another array.
    const big = new Int32Array(4096);
    big[1024] = 0xaa;
    const other = new Int32Array(3072);
    other[0] = 0xbb;
    m.addFrames(0x50000, big.subarray(0, 1024));
    m.addFrames(0x51000, other);
    expect((m.pageWords(0x50000, 16384) as Int32Array)[1024]).toBe(0xbb);
    // The same, the other frames at the very offsets they would have in the first array.
    const big2 = new Int32Array(4096);
    big2[1024] = 0xaa;
    const other2 = new Int32Array(4096);
    other2[1024] = 0xcc;
    m.addFrames(0x60000, big2.subarray(0, 1024));
    m.addFrames(0x61000, other2.subarray(1024));
    expect((m.pageWords(0x60000, 16384) as Int32Array)[1024]).toBe(0xcc);
    // One array, the frames out of its order: copied.
    const buf = new Int32Array(8192);
    buf[1024] = 0xdd; // not a frame of the page
    buf[2048] = 0xee; // frame 0x71000
    m.addFrames(0x70000, buf.subarray(0, 1024));
    m.addFrames(0x71000, buf.subarray(2048, 5120));
    const p = m.pageWords(0x70000, 16384) as Int32Array;
    expect([p[1024], p.buffer === buf.buffer]).toEqual([0xee, false]);
  });
});
