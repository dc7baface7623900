// The stage-2 walk (ASL AArch64_S2Walk, AArch64_S2Translate) through the
// paths the conformance tables do not reach: the complete walk with tracing
// (every descriptor read, in order), the batch interface without the fast
// path, table descriptors carrying OA bits above 47 (64K: OA[51:48] in bits
// 15:12; FEAT_LPA2: OA[51:50] in bits 9:8) and the hardware updates that must
// not happen. Expected values are the architecture's, worked out in comments.
import { InputError } from "../../src/pgtable/u64.js";
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { TableMemoryError } from "../../src/pgtable/storage.js";
import { PROT_DEVICE, PROT_R, PROT_W, type Stage2Config } from "../../src/index.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_ADDRESS_SIZE, FAULT_NONE, FAULT_PERMISSION, FAULT_TRANSLATION } from "../../src/walker/fault.js";
import { FAULT_STATUS, HW_SET_AF, S2Walker } from "../../src/walker/translate.js";

const CFG4K: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false };

function entryAt(pgt: KvmPgtable, ipa: number, level: number): { page: number; index: number } {
  const w = new S2Walker(pgt, { ha: false });
  w.tracing = true;
  w.translate(ipa, ACCESS_READ, 1);
  for (let s = 0; s < w.traceLen; s++) if (w.trace[s * 5] === level) return { page: w.trace[s * 5 + 1], index: w.trace[s * 5 + 2] };
  throw new Error(`no level-${level} read for ${ipa.toString(16)}`);
}
function poke(pgt: KvmPgtable, at: { page: number; index: number }, value: bigint): void {
  const chunk = pgt.store.chunkOf(at.page);
  const off = pgt.store.pageOffset(at.page) + 2 * at.index;
  chunk[off] = Number(value & 0xffffffffn);
  chunk[off + 1] = Number(value >> 32n);
}
function peekLo(pgt: KvmPgtable, at: { page: number; index: number }): number {
  return pgt.store.chunkOf(at.page)[pgt.store.pageOffset(at.page) + 2 * at.index] >>> 0;
}
/** The whole descriptor (the table store sits at PA 2^47, so table descriptors have high bits). */
function peek(pgt: KvmPgtable, at: { page: number; index: number }): bigint {
  const chunk = pgt.store.chunkOf(at.page);
  const off = pgt.store.pageOffset(at.page) + 2 * at.index;
  return (BigInt(chunk[off + 1] >>> 0) << 32n) | BigInt(chunk[off] >>> 0);
}

describe("the complete walk, traced", () => {
  it("4K, 40-bit IPA: levels 1, 2, 3, each read recorded; a Device page translates for read but not fetch", () => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x4020_3000, 0x1000, 0x8765_4000, PROT_R | PROT_W | PROT_DEVICE, 0)).toBe(0);
    const w = new S2Walker(pgt);
    w.tracing = true;
    expect(w.translate(0x4020_3abc, ACCESS_READ, 1)).toBe(FAULT_NONE);
    // Start level 1 over 2 root pages: index IPA[39:30] = 1; level 2: IPA[29:21] = 1; level 3: IPA[20:12] = 3.
    expect(w.traceLen).toBe(3);
    expect([w.trace[0], w.trace[2], w.trace[5], w.trace[7], w.trace[10], w.trace[12]]).toEqual([1, 1, 2, 1, 3, 3]);
    // The leaf: Device-nGnRE (MemAttr 1 << 2), S2AP RW, SH IS, AF, page: 0x8765_47c7, XN.
    expect([w.trace[13] >>> 0, w.trace[14] >>> 0]).toEqual([0x8765_47c7, 0x0040_0000]);
    expect([w.pa, w.level, w.descLo, w.descHi, w.faultWrite]).toEqual([0x8765_4abc, 3, 0x8765_47c7, 0x0040_0000, false]);
    expect(w.descIndex).toBe(3);
    // XN: an instruction fetch is a Permission fault at level 3.
    expect(w.translate(0x4020_3abc, ACCESS_EXEC, 1)).toBe(FAULT_PERMISSION);
    expect(w.level).toBe(3);
    // A write afterwards: traced again from the start.
    expect(w.translate(0x4020_3000, ACCESS_WRITE, 1)).toBe(FAULT_NONE);
    expect(w.traceLen).toBe(3);
  });

  it("a fast-path success leaves no descriptor position; the complete walk and an out-of-range IPA say -1 / where", () => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x4000_0000, 0x1000, 0x8000_0000, PROT_R | PROT_W, 0)).toBe(0);
    const fast = new S2Walker(pgt);
    expect(fast.translate(0x4000_0010, ACCESS_WRITE, 1)).toBe(FAULT_NONE);
    expect([fast.pa, fast.level, fast.descPage, fast.descIndex, fast.faultWrite, fast.hwUpdate]).toEqual([0x8000_0010, 3, -1, -1, false, 0]);
    // The same walker then faults out of range (IPA 2^40): Translation, level 0, no descriptor read.
    expect(fast.translate(2 ** 40, ACCESS_WRITE, 1)).toBe(FAULT_TRANSLATION);
    expect([fast.level, fast.descPage, fast.descIndex, fast.descLo, fast.descHi, fast.faultWrite]).toEqual([0, -1, -1, 0, 0, true]);
    // The complete walk (fast: false) names the leaf's table page and index.
    const slow = new S2Walker(pgt, { fast: false });
    expect(slow.kernelSource).toBeNull();
    expect(typeof fast.kernelSource).toBe("string");
    expect(slow.translate(0x4000_0010, ACCESS_READ, 1)).toBe(FAULT_NONE);
    expect(slow.descIndex).toBe(0);
    expect(slow.descPage).toBeGreaterThanOrEqual(0);
    expect(slow.tablePa(slow.descPage)).toBe(pgt.store.pagePa(slow.descPage));
    // After a successful walk, a fault's WnR is the fault's own; after a write fault, a success reports none.
    expect(slow.translate(0x4000_1000, ACCESS_READ, 1)).toBe(FAULT_TRANSLATION);
    expect(slow.faultWrite).toBe(false);
    expect(slow.translate(0x4000_1000, ACCESS_WRITE, 1)).toBe(FAULT_TRANSLATION);
    expect(slow.faultWrite).toBe(true);
    expect(slow.translate(0x4000_0000, ACCESS_WRITE, 1)).toBe(FAULT_NONE);
    expect(slow.faultWrite).toBe(false);
  });
});

describe("translateBatch", () => {
  it("with and without the fast path: PA and level, or FAULT_STATUS | FSC and -1", () => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x4000_0000, 0x20_0000, 0x8000_0000, PROT_R, 0)).toBe(0); // a 2M block
    const ipas = new Float64Array([0x4000_1234, 0x4020_0000, 2 ** 40, 0x4000_0000]);
    for (const fast of [true, false]) {
      const w = new S2Walker(pgt, { fast });
      const pa = new Float64Array(4);
      const st = new Int32Array(4);
      // Two faults: the unmapped 0x4020_0000 (Translation, level 2: 0x06) and 2^40 (Translation, level 0: 0x04).
      expect(w.translateBatch(ipas, 4, ACCESS_READ, 1, pa, st)).toBe(2);
      expect([...pa]).toEqual([0x8000_1234, -1, -1, 0x8000_0000]);
      expect([...st]).toEqual([2, FAULT_STATUS | 0x06, FAULT_STATUS | 0x04, 2]);
      // A write to the read-only block: Permission fault at level 2 (0x0e) for the two mapped IPAs.
      expect(w.translateBatch(ipas, 4, ACCESS_WRITE, 1, pa, st)).toBe(4);
      expect([...st]).toEqual([FAULT_STATUS | 0x0e, FAULT_STATUS | 0x06, FAULT_STATUS | 0x04, FAULT_STATUS | 0x0e]);
      // n = 0 translates nothing.
      expect(w.translateBatch(ipas, 0, ACCESS_READ, 1, pa, st)).toBe(0);
    }
  });
  it("n larger than an array, or negative, is refused with the sizes (an InputError naming n, issue 15)", () => {
    const w = new S2Walker(new KvmPgtable(CFG4K));
    expect(() => w.translateBatch(new Float64Array(4), 4, ACCESS_READ, 1, new Float64Array(4), new Int32Array(3))).toThrow(
      expect.objectContaining({ name: "InputError", arg: "n", message: "n: 4 exceeds an array (ipas 4, outPa 4, outStatus 3)" }),
    );
    expect(() => w.translateBatch(new Float64Array(2), 3, ACCESS_READ, 1, new Float64Array(3), new Int32Array(3))).toThrow(InputError);
    expect(() => w.translateBatch(new Float64Array(3), 3, ACCESS_READ, 1, new Float64Array(2), new Int32Array(3))).toThrow(InputError);
    expect(() => w.translateBatch(new Float64Array(3), -1, ACCESS_READ, 1, new Float64Array(3), new Int32Array(3))).toThrow(
      expect.objectContaining({ name: "InputError", arg: "n", message: "n: -1 is not a count (a non-negative integer)" }),
    );
  });
});

describe("table descriptors with OA bits above 47 (AArch64_NextTableBase, AArch64_OAOutOfRange)", () => {
  it("64K, 48-bit PA: a table whose OA[51:48] (bits 15:12) is non-zero is beyond PS: Address size fault at its level", () => {
    const pgt = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    expect(pgt.map(0x1_0000_0000, 0x1_0000, 0x8000_0000, PROT_R, 0)).toBe(0);
    const l1 = entryAt(pgt, 0x1_0000_0000, 1);
    // Keep the table address, add OA[51:48] = 1 (bit 12): the next table is at 2^48 + its PA.
    poke(pgt, l1, peek(pgt, l1) | 0x1000n);
    const w = new S2Walker(pgt, { fast: false });
    expect(w.translate(0x1_0000_0000, ACCESS_READ, 1)).toBe(FAULT_ADDRESS_SIZE);
    expect(w.level).toBe(1);
  });
  it("64K, 52-bit PA: the same bits make a table address past what the table store holds: an error, not a walk of other memory", () => {
    const pgt = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 52, lpa2: false, fwb: false, tlbRange: false });
    expect(pgt.map(0x1_0000_0000, 0x1_0000, 0x8000_0000, PROT_R, 0)).toBe(0);
    const l1 = entryAt(pgt, 0x1_0000_0000, 1);
    poke(pgt, l1, peek(pgt, l1) | 0x1000n);
    expect(() => new S2Walker(pgt, { fast: false }).translate(0x1_0000_0000, ACCESS_READ, 1)).toThrow(TableMemoryError);
    expect(() => new S2Walker(pgt, { fast: false }).translate(0x1_0000_0000, ACCESS_READ, 1)).toThrow(/points at a next-level table outside the table store/);
  });
  it("4K FEAT_LPA2 with a 48-bit PA: OA[51:50] in a table descriptor's bits 9:8 is beyond PS", () => {
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 48, paBits: 48, lpa2: true, fwb: false, tlbRange: false });
    expect(pgt.map(0x80_0000_0000, 0x1000, 0x8000_0000, PROT_R, 0)).toBe(0);
    const l1 = entryAt(pgt, 0x80_0000_0000, 1);
    poke(pgt, l1, peek(pgt, l1) | 0x100n); // OA[50]
    const w = new S2Walker(pgt, { fast: false });
    expect(w.translate(0x80_0000_0000, ACCESS_READ, 1)).toBe(FAULT_ADDRESS_SIZE);
    expect(w.level).toBe(1);
  });
});

describe("hardware updates happen only where the ASL makes them", () => {
  it("HA + HD: a read of a clean DBM page sets AF only, never S2AP[1]; an unchanged leaf is not written", () => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x4000_0000, 0x1000, 0x8000_0000, PROT_R, 0)).toBe(0);
    const leaf = entryAt(pgt, 0x4000_0000, 3);
    // Leaf R only (S2AP 0b01), AF clear, DBM (bit 51): lo 0x8000_0000 | 0x3 | 0xf << 2 | 0x40 | 0x300 = 0x8000_037f.
    poke(pgt, leaf, (0x0048_0000n << 32n) | 0x8000_037fn);
    const writes: number[][] = [];
    pgt.storeHook = (page, index, oldLo, _oh, newLo) => writes.push([page, index, oldLo, newLo]);
    const w = new S2Walker(pgt, { ha: true, hd: true, fast: false });
    expect(w.translate(0x4000_0000, ACCESS_READ, 1)).toBe(FAULT_NONE);
    expect([w.hwUpdate, peekLo(pgt, leaf)]).toEqual([HW_SET_AF, 0x8000_077f]);
    expect(writes).toEqual([[leaf.page, leaf.index, 0x8000_037f, 0x8000_077f]]);
    // Again: AF is set now, nothing to write, the hook is not called.
    expect(w.translate(0x4000_0000, ACCESS_READ, 1)).toBe(FAULT_NONE);
    expect([w.hwUpdate, writes.length]).toEqual([0, 1]);
    // An instruction fetch: hi 0x0048_0000 has XN (bit 54) with DBM (bit 51): a Permission fault, nothing written.
    expect(w.translate(0x4000_0000, ACCESS_EXEC, 1)).toBe(FAULT_PERMISSION);
    expect(writes.length).toBe(1);
  });
  it("a stage-1 table walk (S1PTW) through a Device mapping: read with PTW = 0, Permission fault with PTW = 1", () => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x4000_0000, 0x1000, 0x8000_0000, PROT_R | PROT_W | PROT_DEVICE, 0)).toBe(0);
    expect(pgt.map(0x4000_1000, 0x1000, 0x8000_1000, PROT_R | PROT_W, 0)).toBe(0);
    const w = new S2Walker(pgt, { fast: false });
    expect(w.translateS1Walk(0x4000_0008, false)).toBe(FAULT_NONE);
    expect(w.translateS1Walk(0x4000_0008, true)).toBe(FAULT_PERMISSION);
    expect(w.level).toBe(3);
    // Normal memory: PTW changes nothing; after the PTW walk the walker is back to plain reads.
    expect(w.translateS1Walk(0x4000_1008, true)).toBe(FAULT_NONE);
    expect(w.translate(0x4000_0008, ACCESS_READ, 1)).toBe(FAULT_NONE);
    const t = new S2Walker(pgt, { fast: false });
    expect(t.translate(0x4000_0008, ACCESS_READ, 1)).toBe(FAULT_NONE);
    expect(t.pa).toBe(0x8000_0008);
  });
});

describe("the walker's defaults (KVM's VTCR_EL2: HA set, HD clear; no FEAT_XNX)", () => {
  it("a DBM read-only page is not writable by default; bit 53 alone does not forbid execution", () => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x4000_0000, 0x2000, 0x8000_0000, PROT_R, 0)).toBe(0);
    const a = entryAt(pgt, 0x4000_0000, 3);
    // Page R only (lo 0x8000_077f: MemAttr 0xf, S2AP 0b01, SH, AF), DBM (hi bit 19), XN clear.
    poke(pgt, a, (0x0008_0000n << 32n) | 0x8000_077fn);
    // The second page: R, XN[1:0] = 0b01 (bit 53 = hi bit 21): with FEAT_XNX EL1 may not execute; without, bit 53 is ignored.
    const b = entryAt(pgt, 0x4000_1000, 3);
    poke(pgt, b, (0x0020_0000n << 32n) | 0x8000_177fn);
    for (const fast of [true, false]) {
      const w = new S2Walker(pgt, { fast });
      expect(w.translate(0x4000_0000, ACCESS_WRITE, 1)).toBe(FAULT_PERMISSION);
      expect(w.translate(0x4000_1000, ACCESS_EXEC, 1)).toBe(FAULT_NONE);
      expect(new S2Walker(pgt, { fast, xnx: true }).translate(0x4000_1000, ACCESS_EXEC, 1)).toBe(FAULT_PERMISSION);
      expect(new S2Walker(pgt, { fast, xnx: true }).translate(0x4000_1000, ACCESS_EXEC, 0)).toBe(FAULT_NONE);
    }
  });
});

describe("table descriptor bits that are not address", () => {
  it("4K without LPA2: bits 9:8 of a table descriptor are ignored (no OA[51:50] there)", () => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x4000_0000, 0x1000, 0x8000_0000, PROT_R, 0)).toBe(0);
    const l2 = entryAt(pgt, 0x4000_0000, 2);
    poke(pgt, l2, peek(pgt, l2) | 0x300n);
    const w = new S2Walker(pgt, { fast: false });
    expect(w.translate(0x4000_0123, ACCESS_READ, 1)).toBe(FAULT_NONE);
    expect(w.pa).toBe(0x8000_0123);
  });
});
