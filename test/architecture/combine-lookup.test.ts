// The table lookups (combineAttr, combineSh, combineAttrSh) at the edges of
// their argument ranges: each field's largest and smallest value is a row,
// not an error. Expected rows from shared/reference/arch-attributes.md 3.5
// (and the rules of 3.1/3.2 for the others). Building the default tables
// takes about a second, so stryker.vitest.config.ts runs this file last.
import { describe, expect, it } from "vitest";
import { combineAttr, combineAttrSh, combineSh } from "../../src/mair/combine.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import { ACCESS_READ } from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import { combinedOfLastWalk } from "../../src/walker/memtype.js";

describe("table lookups at the range edges", () => {
  it("0xFF ISH over MemAttr 0xF ISH, FWB 0: 0xFF ISH (3.5)", () => {
    expect(combineAttr(0xff, 3, 0xf, 3, false)).toBe(0xff);
    expect(combineSh(0xff, 3, 0xf, 3, false)).toBe(3);
    expect(combineAttrSh(0xff, 3, 0xf, 3, false)).toEqual([0xff, 3]);
  });
  it("all zero (Device-nGnRnE NSH over Device-nGnRnE NSH): 0x00, forced OSH; with FWB the same", () => {
    expect(combineAttrSh(0, 0, 0, 0, false)).toEqual([0x00, 2]);
    expect(combineAttrSh(0, 0, 0, 0, true)).toEqual([0x00, 2]);
  });
  it("FEAT_XS: 0xFF over Device-nGnRE gives 0x05 (XS 0); without FEAT_XS 0x04 (3.5)", () => {
    expect(combineAttrSh(0xff, 3, 0x1, 3, false, true)).toEqual([0x05, 2]);
    expect(combineAttrSh(0xff, 3, 0x1, 3, false, false)).toEqual([0x04, 2]);
    expect(combineAttr(0xff, 3, 0x1, 3, true, true)).toBe(0x05);
    expect(combineSh(0xff, 3, 0x1, 3, true, true)).toBe(2);
  });
  it("FWB 0b110 over 0x44: ATTR 0xFF, SH open (-1) (3.3)", () => {
    expect(combineAttrSh(0x44, 3, 6, 3, true)).toEqual([0xff, -1]);
    expect(combineSh(0x44, 3, 6, 3, true)).toBe(-1);
  });
  it("combinedOfLastWalk with controls uses the table of those controls (HCR_EL2.CD = 1: 0xFF over WB is 0x44 OSH)", () => {
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    expect(pgt.map(0x4000_0000, 0x1000, 0x8000_0000, PROT_R | PROT_W, 0)).toBe(0);
    const w = new S2Walker(pgt);
    expect(w.translate(0x4000_0000, ACCESS_READ, 1)).toBe(0);
    const out = [0, 0];
    combinedOfLastWalk(w, 0xff, 3, ACCESS_READ, out, { hcrCD: true });
    expect(out).toEqual([0x44, 2]);
  });
});
