// Stage-1 MAIR Attr and stage-2 MemAttr decoding against arch-attributes.md
// sections 1 and 2 (ASL S1DecodeMemAttrs, DecodeLDFAttr, S2DecodeMemAttrs,
// S2DecodeCacheability, AArch64.S2ApplyFWBMemAttrs) and PAR encoding (EncodePARAttrs).
import { describe, expect, it } from "vitest";
import { MEMATTR_NC, MEMATTR_WB, MEMATTR_WT, MEMTYPE_DEVICE, MEMTYPE_NORMAL, TAG_ALLOCATION } from "../../src/mair/attrs.js";
import { decodeLDFAttr, describeMairAttr, s1DecodeMemAttrs } from "../../src/mair/mair.js";
import { decodeS2MemAttr, describeS2MemAttr, s2DecodeMemAttrs, s2InnerReserved } from "../../src/mair/s2memattr.js";
import { encodePARAttrs } from "../../src/mair/par.js";

const XS = { xs: true, mte2: true };
const NOXS = { xs: false, mte2: true };

describe("DecodeLDFAttr (1.2): one nibble", () => {
  // [nibble, cacheability, R/W hints (bit1 R, bit0 W), transient] by the table of 1.2.
  const table: Array<[number, number, number, boolean]> = [
    [0b0001, MEMATTR_WT, 0b01, true],
    [0b0010, MEMATTR_WT, 0b10, true],
    [0b0011, MEMATTR_WT, 0b11, true],
    [0b0100, MEMATTR_NC, 0, false],
    [0b0101, MEMATTR_WB, 0b01, true],
    [0b0110, MEMATTR_WB, 0b10, true],
    [0b0111, MEMATTR_WB, 0b11, true],
    [0b1000, MEMATTR_WT, 0b00, false],
    [0b1010, MEMATTR_WT, 0b10, false],
    [0b1011, MEMATTR_WT, 0b11, false],
    [0b1100, MEMATTR_WB, 0b00, false],
    [0b1110, MEMATTR_WB, 0b10, false],
    [0b1111, MEMATTR_WB, 0b11, false],
  ];
  it.each(table)("0b%s", (n, attrs, hints, transient) => {
    const h = decodeLDFAttr(n);
    expect(h.attrs).toBe(attrs);
    if (attrs !== MEMATTR_NC) expect([h.hints, h.transient]).toEqual([hints, transient]);
  });
});

describe("S1DecodeMemAttrs (1.1, 1.2, 1.4)", () => {
  it("Device bytes: type from dd, XS = 1; dd01 is the FEAT_XS form with XS = 0", () => {
    for (const [a, dev, xs] of [
      [0x00, 0, 1],
      [0x04, 1, 1],
      [0x08, 2, 1],
      [0x0c, 3, 1],
      [0x01, 0, 0],
      [0x0d, 3, 0],
    ]) {
      const m = s1DecodeMemAttrs(a, 0, XS);
      expect([m.memtype, m.device, m.xs]).toEqual([MEMTYPE_DEVICE, dev, xs]);
    }
  });
  it("XS of a nibble-decoded Normal byte: 0 only when both halves are Write-Back", () => {
    expect(s1DecodeMemAttrs(0xff, 0, XS).xs).toBe(0);
    expect(s1DecodeMemAttrs(0x77, 0, XS).xs).toBe(0); // WB transient both halves
    expect(s1DecodeMemAttrs(0xbb, 0, XS).xs).toBe(1);
    expect(s1DecodeMemAttrs(0x44, 0, XS).xs).toBe(1);
    expect(s1DecodeMemAttrs(0xf4, 0, XS).xs).toBe(1);
  });
  it("0x40, 0xA0 (FEAT_XS) and 0xF0 (Tagged)", () => {
    const nc = s1DecodeMemAttrs(0x40, 0, XS);
    expect([nc.inner.attrs, nc.outer.attrs, nc.xs]).toEqual([MEMATTR_NC, MEMATTR_NC, 0]);
    const wt = s1DecodeMemAttrs(0xa0, 0, XS);
    expect([wt.inner.attrs, wt.inner.hints, wt.outer.attrs, wt.outer.hints, wt.xs]).toEqual([MEMATTR_WT, 0b10, MEMATTR_WT, 0b10, 0]);
    const t = s1DecodeMemAttrs(0xf0, 0, XS);
    expect([t.memtype, t.inner.attrs, t.inner.hints, t.outer.attrs, t.tags, t.xs]).toEqual([MEMTYPE_NORMAL, MEMATTR_WB, 0b11, MEMATTR_WB, TAG_ALLOCATION, 0]);
  });
  it("a reserved byte has no single decode", () => {
    expect(() => s1DecodeMemAttrs(0x80, 0, XS)).toThrow(/reserved/);
    expect(() => s1DecodeMemAttrs(0x40, 0, NOXS)).toThrow(/reserved/);
  });
  it("describeMairAttr names Linux's bytes", () => {
    expect(describeMairAttr(0x04, NOXS)).toMatchObject({ short: "Device-nGnRE", linux: "MAIR_ATTR_DEVICE_nGnRE", reserved: false });
    expect(describeMairAttr(0x44, NOXS)).toMatchObject({ short: "Normal-NC", linux: "MAIR_ATTR_NORMAL_NC" });
    expect(describeMairAttr(0xff, NOXS)).toMatchObject({ short: "Normal-WB", linux: "MAIR_ATTR_NORMAL" });
    expect(describeMairAttr(0xf0, NOXS).text).toMatch(/Allocation Tagged/);
    expect(describeMairAttr(0x0e, NOXS)).toMatchObject({ reserved: true, short: "reserved" });
    expect(describeMairAttr(0xa0, NOXS).text).toMatch(/reserved without FEAT_XS/);
  });
});

describe("stage-2 MemAttr (2.1 FWB off, 2.2 FWB on)", () => {
  it("FWB off: 0b00dd Device, 0bOOII Normal, II = 00 reserved", () => {
    expect(s2DecodeMemAttrs(0x1, 0)).toMatchObject({ memtype: MEMTYPE_DEVICE, device: 1 });
    const n = s2DecodeMemAttrs(0xe, 3);
    expect([n.outer.attrs, n.inner.attrs]).toEqual([MEMATTR_WB, MEMATTR_WT]);
    expect([0x4, 0x8, 0xc].every(s2InnerReserved)).toBe(true);
    expect([0x0, 0x5, 0xf].some(s2InnerReserved)).toBe(false);
    expect(() => s2DecodeMemAttrs(0x8, 3)).toThrow(/CONSTRAINED UNPREDICTABLE/);
    expect(s2DecodeMemAttrs(0x8, 3, MEMATTR_WB).outer.attrs).toBe(MEMATTR_WT); // the outer half keeps its meaning
    expect(decodeS2MemAttr(0xc, false)).toEqual({ kind: "normal", outer: MEMATTR_WB, inner: -1, innerReserved: true });
  });
  it("FWB on: [2:0] only (MemAttr[3] RES0 without FEAT_MTE_PERM), 0b100 reserved but decoded as 0b101", () => {
    expect(decodeS2MemAttr(0x1, true)).toEqual({ kind: "fwb-device", device: 1 });
    expect(decodeS2MemAttr(0x9, true)).toEqual({ kind: "fwb-device", device: 1 });
    expect(decodeS2MemAttr(0x4, true)).toEqual({ kind: "fwb-nc", reserved0b100: true });
    expect(decodeS2MemAttr(0x5, true)).toEqual({ kind: "fwb-nc", reserved0b100: false });
    expect(decodeS2MemAttr(0xe, true)).toEqual({ kind: "fwb-force-wb" });
    expect(decodeS2MemAttr(0x7, true)).toEqual({ kind: "fwb-as-s1" });
    expect(describeS2MemAttr(0x4, true).reserved).toBe(true);
  });
});

describe("EncodePARAttrs", () => {
  it("reports every valid stage-1 byte as itself (FEAT_XS on and off)", () => {
    for (const f of [XS, NOXS]) {
      for (let a = 0; a < 256; a++) {
        if (describeMairAttr(a, f).reserved) continue;
        expect(encodePARAttrs(s1DecodeMemAttrs(a, 0, f), f.xs)).toBe(a);
      }
    }
  });
});
