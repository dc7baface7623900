// Every one of the 256 stage-1 Attr bytes against arch-attributes.md section 1
// (ASL S1DecodeMemAttrs, DecodeLDFAttr, DecodeDevice): the nibble table of 1.2
// and the whole-byte encodings are written out below as literals, and each
// byte's expected decode is assembled from them, never from the decoder.
import { describe, expect, it } from "vitest";
import {
  MEMATTR_NC,
  MEMATTR_WB,
  MEMATTR_WT,
  MEMHINT_NO,
  MEMHINT_RA,
  MEMHINT_RWA,
  MEMHINT_WA,
  MEMTYPE_DEVICE,
  MEMTYPE_NORMAL,
  SH_ISH,
  TAG_ALLOCATION,
  TAG_UNTAGGED,
} from "../../src/mair/attrs.js";
import { decodeDevice, decodeLDFAttr, describeMairAttr, linuxMairName, s1AttrReserved, s1DecodeMemAttrs, validS1Attrs } from "../../src/mair/mair.js";

type Half = { attrs: number; hints: number; transient: boolean };
const h = (attrs: number, hints: number, transient: boolean): Half => ({ attrs, hints, transient });
// 1.2, one nibble: 0b00RW WT transient, 0b0100 NC, 0b01RW WB transient, 0b10RW WT, 0b11RW WB (RW: R bit 1, W bit 0).
const NIBBLE: Array<Half | null> = [
  null, // 0b0000: inner-only reserved
  h(MEMATTR_WT, MEMHINT_WA, true),
  h(MEMATTR_WT, MEMHINT_RA, true),
  h(MEMATTR_WT, MEMHINT_RWA, true),
  h(MEMATTR_NC, MEMHINT_NO, false),
  h(MEMATTR_WB, MEMHINT_WA, true),
  h(MEMATTR_WB, MEMHINT_RA, true),
  h(MEMATTR_WB, MEMHINT_RWA, true),
  h(MEMATTR_WT, MEMHINT_NO, false),
  h(MEMATTR_WT, MEMHINT_WA, false),
  h(MEMATTR_WT, MEMHINT_RA, false),
  h(MEMATTR_WT, MEMHINT_RWA, false),
  h(MEMATTR_WB, MEMHINT_NO, false),
  h(MEMATTR_WB, MEMHINT_WA, false),
  h(MEMATTR_WB, MEMHINT_RA, false),
  h(MEMATTR_WB, MEMHINT_RWA, false),
];
// 1.3: reserved with FEAT_XS and FEAT_MTE2; the feature-dependent bytes.
const RESERVED_BOTH = [0x02, 0x03, 0x06, 0x07, 0x0a, 0x0b, 0x0e, 0x0f, 0x10, 0x20, 0x30, 0x50, 0x60, 0x70, 0x80, 0x90, 0xb0, 0xc0, 0xd0, 0xe0];
const XS_ONLY = [0x01, 0x05, 0x09, 0x0d, 0x40, 0xa0];
const MTE2_ONLY = [0xf0];
const NC = h(MEMATTR_NC, MEMHINT_NO, false);

/** The expected decode of a valid byte, from the tables above (SH ISH passed through). */
function expected(a: number): object {
  if (a >> 4 === 0)
    return {
      memtype: MEMTYPE_DEVICE,
      device: (a >> 2) & 3,
      inner: NC,
      outer: NC,
      shareability: SH_ISH,
      tags: TAG_UNTAGGED,
      notagaccess: false,
      xs: a & 1 ? 0 : 1,
    };
  if (a === 0x40) return { memtype: MEMTYPE_NORMAL, device: 0, inner: NC, outer: NC, shareability: SH_ISH, tags: TAG_UNTAGGED, notagaccess: false, xs: 0 };
  if (a === 0xa0) {
    const wt = h(MEMATTR_WT, MEMHINT_RA, false);
    return { memtype: MEMTYPE_NORMAL, device: 0, inner: wt, outer: wt, shareability: SH_ISH, tags: TAG_UNTAGGED, notagaccess: false, xs: 0 };
  }
  if (a === 0xf0) {
    const wb = h(MEMATTR_WB, MEMHINT_RWA, false);
    return { memtype: MEMTYPE_NORMAL, device: 0, inner: wb, outer: wb, shareability: SH_ISH, tags: TAG_ALLOCATION, notagaccess: false, xs: 0 };
  }
  const outer = NIBBLE[a >> 4]!;
  const inner = NIBBLE[a & 15]!;
  const xs = outer.attrs === MEMATTR_WB && inner.attrs === MEMATTR_WB ? 0 : 1;
  return { memtype: MEMTYPE_NORMAL, device: 0, inner, outer, shareability: SH_ISH, tags: TAG_UNTAGGED, notagaccess: false, xs };
}

describe("all 256 Attr bytes, per feature set (arch-attributes.md 1.1-1.3)", () => {
  it.each([
    [true, true, RESERVED_BOTH],
    [false, true, [...RESERVED_BOTH, ...XS_ONLY]],
    [true, false, [...RESERVED_BOTH, ...MTE2_ONLY]],
    [false, false, [...RESERVED_BOTH, ...XS_ONLY, ...MTE2_ONLY]],
  ])("FEAT_XS %s, FEAT_MTE2 %s", (xs, mte2, reserved) => {
    const f = { xs, mte2 };
    const res = new Set(reserved);
    for (let a = 0; a < 256; a++) {
      const what = `Attr 0x${a.toString(16)}`;
      expect(s1AttrReserved(a, f), what).toBe(res.has(a));
      const d = describeMairAttr(a, f);
      expect(d.reserved, what).toBe(res.has(a));
      if (res.has(a)) {
        expect(() => s1DecodeMemAttrs(a, SH_ISH, f), what).toThrow(`s1DecodeMemAttrs: 0x${a.toString(16)} is reserved`);
        expect(d.attrs).toBeNull();
        expect(d.short).toBe("reserved");
      } else {
        expect(s1DecodeMemAttrs(a, SH_ISH, f), what).toEqual(expected(a));
      }
    }
    expect(validS1Attrs(f)).toHaveLength(256 - res.size);
  });

  it("DecodeLDFAttr, nibble by nibble (0b0000 aside)", () => {
    for (let n = 1; n < 16; n++) expect(decodeLDFAttr(n), `nibble ${n}`).toEqual(NIBBLE[n]);
    // Only the low four bits are a nibble.
    expect(decodeLDFAttr(0xf4)).toEqual(NC);
  });
  it("DecodeDevice: dd 00 nGnRnE, 01 nGnRE, 10 nGRE, 11 GRE", () => {
    expect([0, 1, 2, 3, 4, 7].map(decodeDevice)).toEqual([0, 1, 2, 3, 0, 3]);
  });
});

describe("a byte in words", () => {
  const both = { xs: true, mte2: true };
  it("why each kind of reserved byte is reserved", () => {
    const why = (a: number, f = both): string | null => describeMairAttr(a, f).note;
    expect(why(0x02)).toBe("Attr 0b0000dd1x is reserved");
    expect(why(0x05, { xs: false, mte2: true })).toBe("Attr 0b0000dd01 is the FEAT_XS Device form (XS = 0); reserved without FEAT_XS");
    expect(why(0x40, { xs: false, mte2: true })).toBe("0x40 is a FEAT_XS encoding (XS = 0); reserved without FEAT_XS");
    expect(why(0xa0, { xs: false, mte2: true })).toBe("0xa0 is a FEAT_XS encoding (XS = 0); reserved without FEAT_XS");
    expect(why(0xf0, { xs: true, mte2: false })).toBe("0xF0 is Tagged Normal memory (FEAT_MTE2); reserved without FEAT_MTE2");
    expect(why(0x80)).toBe("an inner nibble of 0b0000 under a non-zero outer nibble is reserved");
    expect(describeMairAttr(0x80, both).text).toBe(
      "reserved (an inner nibble of 0b0000 under a non-zero outer nibble is reserved): CONSTRAINED UNPREDICTABLE, the access gets the attributes of some valid encoding (S1ConstrainUnpredictableRESMAIR, Unpredictable_RESMAIR)",
    );
  });
  it("notes on the feature encodings; none on plain bytes", () => {
    expect(describeMairAttr(0x05, both).note).toBe("FEAT_XS Device form: XS = 0");
    expect(describeMairAttr(0x40, both).note).toBe("FEAT_XS whole-byte encoding: XS = 0");
    expect(describeMairAttr(0xa0, both).note).toBe("FEAT_XS whole-byte encoding: XS = 0");
    expect(describeMairAttr(0xf0, both).note).toBe("FEAT_MTE2 Tagged memory");
    for (const a of [0x00, 0x04, 0x44, 0xff, 0xbb]) expect(describeMairAttr(a, both).note).toBeNull();
  });
  it("Device and Normal text, XS shown only with FEAT_XS", () => {
    expect(describeMairAttr(0x04, both).text).toBe("Device-nGnRE, XS=1");
    expect(describeMairAttr(0x0d, both).text).toBe("Device-GRE, XS=0");
    expect(describeMairAttr(0x08, { xs: false, mte2: true }).text).toBe("Device-nGRE");
    expect(describeMairAttr(0x4f, { xs: false, mte2: true }).text).toBe(
      "Normal, outer Non-cacheable (Attr[7:4] = 0b0100), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111)",
    );
    expect(describeMairAttr(0x37, both).text).toBe(
      "Normal, outer Write-Through Read+Write-Allocate transient (Attr[7:4] = 0b0011), inner Write-Back Read+Write-Allocate transient (Attr[3:0] = 0b0111), XS=1",
    );
    expect(describeMairAttr(0xff, both)).toMatchObject({ short: "Normal-WB", linux: "MAIR_ATTR_NORMAL" });
    expect(describeMairAttr(0x4f, both).short).toBe("Normal-oNC/iWB");
  });
  it("Linux's names (sysreg.h), the older kernels' note dropped", () => {
    expect([0x00, 0x04, 0x0c, 0x44, 0xbb, 0xf0, 0xff, 0x08].map(linuxMairName)).toEqual([
      "MAIR_ATTR_DEVICE_nGnRnE",
      "MAIR_ATTR_DEVICE_nGnRE",
      "MAIR_ATTR_DEVICE_GRE",
      "MAIR_ATTR_NORMAL_NC",
      "MAIR_ATTR_NORMAL_WT",
      "MAIR_ATTR_NORMAL_TAGGED",
      "MAIR_ATTR_NORMAL",
      null,
    ]);
  });
});
