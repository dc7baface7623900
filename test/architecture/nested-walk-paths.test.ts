// The two-stage walk's trace, its stage-2 hook, and the stage-1 hardware
// updates (ASL AArch64_S1Walk, AArch64_S1Translate's HA/HD updates,
// AArch64_S1ApplyOutputPerms' DBM), against a hand-built guest: a 39-bit 4K
// TTBR1 region whose tables the builder puts in the pool at IPA 0x4000_0000
// (level 1), 0x4000_1000 (level 2), 0x4000_2000 (level 3), mapped at stage 2
// to PA 0x8001_0000 onwards. Every expected value is worked out in a comment.
import { describe, expect, it } from "vitest";
import { ACCESS_READ, ACCESS_WRITE, FAULT_NONE, FAULT_PERMISSION } from "../../src/walker/fault.js";
import { S1_HW_AF, S1_HW_DIRTY, S2_FOR_OUTPUT, S2_FOR_TABLE, S2_FOR_UPDATE, STAGE_1, type NestedWalker } from "../../src/stage1/walk.js";
import { guestJson, rewalk, setup, tr, type Setup } from "../helpers-guest.js";

const pageRo = { va: "0xffffff8000000000", size: "0x1000", ipa: "0x40200000", attrindx: 0, ap: 0b10, sh: 3, level: 3 };
const pageRw = { va: "0xffffff8000001000", size: "0x1000", ipa: "0x40201000", attrindx: 0, ap: 0b00, sh: 3, pxn: true, level: 3 };
const noAf = { va: "0xffffff8000002000", size: "0x1000", ipa: "0x40202000", attrindx: 0, ap: 0b00, sh: 3, af: false, level: 3 };
const maps: Array<[number, number, number, string]> = [[0x40200000, 0x200000, 0x80200000, "R|W|X"]];
const mk = (): Setup => setup(guestJson({ mappings: [pageRo, pageRw, noAf] }), maps);

/** The trace as rows [level, table, index, entry IPA, entry PA, lo, hi, stage-2 result]. */
function rows(nw: NestedWalker): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < nw.traceLen; s++) out.push(Array.from(nw.trace.subarray(s * 8, s * 8 + 8)));
  return out;
}

describe("tracing: every stage-1 entry read and every stage-2 walk", () => {
  it("VA 0xffffff80_0000_1000: levels 1, 2, 3, then the output IPA", () => {
    const s = mk();
    const calls: number[][] = [];
    s.nw.tracing = true;
    s.nw.s2Hook = (ipa, level, result, kind) => calls.push([ipa, level, result, kind]);
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    // Table descriptors: next table | 0b11. Leaf: OA 0x4020_1000 | page 0b11 | SH 0b11 << 8 | AF = 0x4020_1703, PXN (bit 53) in hi.
    expect(rows(s.nw)).toEqual([
      [1, 0x4000_0000, 0, 0x4000_0000, 0x8001_0000, 0x4000_1003, 0, FAULT_NONE],
      [2, 0x4000_1000, 0, 0x4000_1000, 0x8001_1000, 0x4000_2003, 0, FAULT_NONE],
      [3, 0x4000_2000, 1, 0x4000_2008, 0x8001_2008, 0x4020_1703, 0x0020_0000, FAULT_NONE],
    ]);
    expect(calls).toEqual([
      [0x4000_0000, 1, FAULT_NONE, S2_FOR_TABLE],
      [0x4000_1000, 2, FAULT_NONE, S2_FOR_TABLE],
      [0x4000_2008, 3, FAULT_NONE, S2_FOR_TABLE],
      [0x4020_1000, 3, FAULT_NONE, S2_FOR_OUTPUT],
    ]);
    // The stage-2 walker is left untraced.
    expect(s.s2.tracing).toBe(false);
    // A second walk starts a new trace.
    expect(tr(s.nw, 0xffffff8000000000n, ACCESS_READ)).toBe(FAULT_NONE);
    expect(s.nw.traceLen).toBe(3);
    expect(s.nw.trace[2 * 8 + 2]).toBe(0);
    // Without tracing the hook is not called.
    s.nw.tracing = false;
    calls.length = 0;
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    expect(calls).toEqual([]);
  });

  it("TCR_EL1.HA: the AF update is a stage-2 walk of its own (S2_FOR_UPDATE), made once", () => {
    const s = mk();
    const ha = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ha: true } }));
    const calls: number[][] = [];
    ha.tracing = true;
    ha.s2Hook = (ipa, level, result, kind) => calls.push([ipa, level, result, kind]);
    expect(tr(ha, 0xffffff8000002000n, ACCESS_READ)).toBe(FAULT_NONE);
    // The level-3 entry of VA ...2000 is index 2: IPA 0x4000_2010.
    expect(calls.map((c) => c[3])).toEqual([S2_FOR_TABLE, S2_FOR_TABLE, S2_FOR_TABLE, S2_FOR_UPDATE, S2_FOR_OUTPUT]);
    expect(calls[3]).toEqual([0x4000_2010, 3, FAULT_NONE, S2_FOR_UPDATE]);
    expect(ha.hwUpdate).toBe(S1_HW_AF);
    // AF is set now: no update walk, no hardware update.
    calls.length = 0;
    expect(tr(ha, 0xffffff8000002000n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([ha.hwUpdate, calls.map((c) => c[3])]).toEqual([0, [S2_FOR_TABLE, S2_FOR_TABLE, S2_FOR_TABLE, S2_FOR_OUTPUT]]);
  });
});

describe("DBM (AArch64_S1ApplyOutputPerms): writable only with HA and HD, dirtied only by a write", () => {
  const dbmSetup = (): Setup => {
    const s = setup(guestJson({ mappings: [{ ...pageRo, va: "0xffffff8000003000", ipa: "0x40203000" }] }), maps);
    // The level-3 entry of VA ...3000 (index 3) at PA 0x8001_2018: set DBM (bit 51 = hi bit 19).
    s.guest.mem.read64(0x8001_2018);
    s.guest.mem.write64(0x8001_2018, s.guest.mem.lo, s.guest.mem.hi | (1 << 19));
    return s;
  };
  const va = 0xffffff8000003000n;
  it("HA alone or HD alone: AP[2] stays, a write is a stage-1 Permission fault", () => {
    const s = dbmSetup();
    for (const tcr of [
      { ha: true, hd: false },
      { ha: false, hd: true },
    ]) {
      const nw = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ...tcr } }));
      expect(tr(nw, va, ACCESS_WRITE)).toBe(FAULT_PERMISSION);
      expect([nw.faultStage, nw.faultLevel]).toEqual([STAGE_1, 3]);
    }
  });
  it("HA and HD: a read changes nothing; a write clears AP[2] (AP 0b10 -> 0b00)", () => {
    const s = dbmSetup();
    const nw = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ha: true, hd: true } }));
    expect(tr(nw, va, ACCESS_READ)).toBe(FAULT_NONE);
    expect([nw.hwUpdate, (nw.leafLo >>> 6) & 3]).toEqual([0, 0b10]);
    expect(tr(nw, va, ACCESS_WRITE)).toBe(FAULT_NONE);
    expect([nw.hwUpdate, (nw.leafLo >>> 6) & 3]).toEqual([S1_HW_DIRTY, 0b00]);
  });
  it("HA and HD without DBM: a read-only leaf stays read-only", () => {
    const s = mk();
    const nw = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ha: true, hd: true } }));
    expect(tr(nw, 0xffffff8000000000n, ACCESS_WRITE)).toBe(FAULT_PERMISSION);
    expect(nw.faultStage).toBe(STAGE_1);
  });
});

describe("what the walk leaves behind, and the corners of the VA space", () => {
  it("tracing traces the stage-2 walks too, and leaves them untraced afterwards; no hook is no call", () => {
    const s = mk();
    const s2Levels: number[] = [];
    s.nw.tracing = true;
    s.nw.s2Hook = (_ipa, _level, _r, kind) => {
      if (kind === S2_FOR_TABLE) s2Levels.push(s.s2.traceLen);
    };
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    // Stage 2 is 4K with a 40-bit IPA: levels 1, 2, 3 for each table entry's IPA.
    expect(s2Levels).toEqual([3, 3, 3]);
    s.nw.s2Hook = null;
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    // An untraced walk leaves both walkers untraced.
    const plain = mk();
    expect(tr(plain.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([plain.nw.tracing, plain.s2.tracing, plain.nw.traceLen, plain.nw.s1ptw]).toEqual([false, false, 0, false]);
  });
  it("a traced stage-2 fault on a table entry: entry PA -1 in the trace", () => {
    const s = mk();
    expect(s.pgt.unmap(0x4000_2000, 0x1000)).toBe(0);
    s.nw.tracing = true;
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).not.toBe(FAULT_NONE);
    expect(s.nw.trace[2 * 8 + 4]).toBe(-1);
    expect([s.nw.s1ptw, s.nw.attrIndx]).toEqual([true, -1]);
  });
  it("VAs outside both regions, and bit 63 against bit 55: Translation fault, level 0", () => {
    const s = mk();
    // TTBR0 region, T0SZ 25: VA 2^39 is beyond it; so is a VA with bit 63 set and bit 55 clear.
    for (const va of [0x80_0000_0000n, 0x8000_0000_0000_1000n, 0xffff_ff00_0000_0000n]) {
      expect(tr(s.nw, va, ACCESS_READ), va.toString(16)).toBe(1);
      expect([s.nw.faultStage, s.nw.faultLevel]).toEqual([STAGE_1, 0]);
    }
  });
  it("EL0 instruction fetches obey UXN", () => {
    const ux = { va: "0xffffff8000004000", size: "0x1000", ipa: "0x40204000", attrindx: 0, ap: 0b00, sh: 3, uxn: true, level: 3 };
    const s = setup(guestJson({ mappings: [ux, pageRo] }), maps);
    expect(tr(s.nw, 0xffffff8000004000n, 2, 0)).toBe(FAULT_PERMISSION);
    expect(tr(s.nw, 0xffffff8000004000n, 2, 1)).toBe(FAULT_NONE);
    // The read-only page has no UXN: EL0 may fetch from it.
    expect(tr(s.nw, 0xffffff8000000000n, 2, 0)).toBe(FAULT_NONE);
  });
  it("stage 1 off: IPA = VA below the PA size (region -1), an Address size fault above; HCR_EL2.DC gives Normal WB NSH", () => {
    const s = mk();
    const off = rewalk(s, (c) => ({ ...c, sctlr: { ...c.sctlr, m: false } }));
    expect(tr(off, 0x4020_1008n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([off.region, off.ipa, off.pa]).toEqual([-1, 0x4020_1008, 0x8020_1008]);
    // Stage 2's PA size is 48 bits: VA 2^48 is beyond it.
    expect(tr(off, 0x1_0000_0000_0000n, ACCESS_READ)).toBe(1 + 3); // FAULT_ADDRESS_SIZE
    expect([off.faultStage, off.faultLevel]).toEqual([STAGE_1, 0]);
    const dc = rewalk(s, (c) => ({ ...c, hcr: { ...c.hcr, dc: true } }));
    expect(tr(dc, 0x4020_1008n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([dc.s1Attr, dc.s1Sh]).toEqual([0xff, 0]);
    expect(tr(off, 0x4020_1008n, ACCESS_READ)).toBe(FAULT_NONE);
    expect(off.s1Attr).not.toBe(0xff);
  });
  it("a TTBR exactly at the output size with a non-zero root index is beyond it", () => {
    const s = mk();
    // IPS 32, TTBR1 = 2^32; VA 0xffffffc0_0000_0000 has level-1 index 256 (entry 2^32 + 0x800): Address size, level 0.
    const high = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ips: 32 }, ttbr1: 0x1_0000_0000n }));
    expect(tr(high, 0xffffffc000000000n, ACCESS_READ)).toBe(4);
    expect([high.faultStage, high.faultLevel]).toEqual([STAGE_1, 0]);
  });
});
