// The combine's rule functions one by one (arch-attributes.md 3.1: ASL
// S2CombineS1Shareability, EffectiveShareability, S2CombineS1AttrHints,
// S2CombineS1Device, S2MemTagType; 1.x EncodePARAttrs, PAREncodeShareability),
// the attribute records in words, and parseShareability. Inputs are built by
// hand from MEMATTR_* / MEMHINT_* constants; every expected value is the
// table's.
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
  SH_NSH,
  SH_OSH,
  SH_RESERVED,
  TAG_ALLOCATION,
  TAG_CANONICAL,
  TAG_UNTAGGED,
  attrsShort,
  attrsWords,
  cacheName,
  hintName,
  parseShareability,
  type MemAttrHints,
  type MemoryAttributes,
} from "../../src/mair/attrs.js";
import { combineS1S2, effectiveShareability, s2CombineS1AttrHints, s2CombineS1Device, s2CombineS1Shareability, s2MemTagType } from "../../src/mair/combine.js";
import { encodePARAttrs, parEncodeShareability, parFields } from "../../src/mair/par.js";
import { decodeLDFAttr, describeMairAttr } from "../../src/mair/mair.js";
import { InputError } from "../../src/pgtable/u64.js";

const h = (attrs: number, hints = MEMHINT_NO, transient = false): MemAttrHints => ({ attrs, hints, transient });
const NC = h(MEMATTR_NC);
function normal(outer: MemAttrHints, inner: MemAttrHints, extra: Partial<MemoryAttributes> = {}): MemoryAttributes {
  return { memtype: MEMTYPE_NORMAL, device: 0, outer, inner, shareability: SH_ISH, tags: TAG_UNTAGGED, notagaccess: false, xs: 1, ...extra };
}
function device(dev: number, extra: Partial<MemoryAttributes> = {}): MemoryAttributes {
  return { memtype: MEMTYPE_DEVICE, device: dev, outer: NC, inner: NC, shareability: SH_ISH, tags: TAG_UNTAGGED, notagaccess: false, xs: 1, ...extra };
}

describe("shareability (S2CombineS1Shareability, EffectiveShareability, PAREncodeShareability)", () => {
  it("OSH if either is OSH, else ISH if either is ISH, else NSH", () => {
    const rows: Array<[number, number, number]> = [
      [SH_NSH, SH_NSH, SH_NSH],
      [SH_NSH, SH_ISH, SH_ISH],
      [SH_ISH, SH_NSH, SH_ISH],
      [SH_ISH, SH_ISH, SH_ISH],
      [SH_OSH, SH_NSH, SH_OSH],
      [SH_NSH, SH_OSH, SH_OSH],
      [SH_ISH, SH_OSH, SH_OSH],
      [SH_OSH, SH_ISH, SH_OSH],
    ];
    for (const [a, b, r] of rows) expect(s2CombineS1Shareability(a, b), `${a} + ${b}`).toBe(r);
  });
  it("Device and Normal NC/NC are Outer Shareable; one NC half is not enough", () => {
    for (const f of [effectiveShareability, parEncodeShareability]) {
      expect(f(device(1, { shareability: SH_NSH }))).toBe(SH_OSH);
      expect(f(normal(NC, NC, { shareability: SH_NSH }))).toBe(SH_OSH);
      expect(f(normal(NC, h(MEMATTR_WB, MEMHINT_RWA), { shareability: SH_NSH }))).toBe(SH_NSH);
      expect(f(normal(h(MEMATTR_WT, MEMHINT_RA), NC, { shareability: SH_ISH }))).toBe(SH_ISH);
      expect(f(normal(h(MEMATTR_WB, MEMHINT_RWA), h(MEMATTR_WB, MEMHINT_RWA), { shareability: SH_NSH }))).toBe(SH_NSH);
    }
  });
});

describe("S2CombineS1AttrHints and S2CombineS1Device", () => {
  it("the weaker cacheability, with stage 1's hints when cacheable", () => {
    // NC with anything: NC, no hints.
    expect(s2CombineS1AttrHints(h(MEMATTR_WB, MEMHINT_RWA, true), NC)).toEqual(NC);
    expect(s2CombineS1AttrHints(NC, h(MEMATTR_WB))).toEqual(NC);
    // WT wins over WB either way; the hints and transient flag are stage 1's.
    expect(s2CombineS1AttrHints(h(MEMATTR_WB, MEMHINT_RWA, true), h(MEMATTR_WT))).toEqual(h(MEMATTR_WT, MEMHINT_RWA, true));
    expect(s2CombineS1AttrHints(h(MEMATTR_WT, MEMHINT_RA), h(MEMATTR_WB))).toEqual(h(MEMATTR_WT, MEMHINT_RA));
    expect(s2CombineS1AttrHints(h(MEMATTR_WB, MEMHINT_WA), h(MEMATTR_WB))).toEqual(h(MEMATTR_WB, MEMHINT_WA));
  });
  it("the more restrictive Device type: nGnRnE 0 > nGnRE 1 > nGRE 2 > GRE 3", () => {
    expect([s2CombineS1Device(0, 3), s2CombineS1Device(3, 1), s2CombineS1Device(2, 2)]).toEqual([0, 1, 2]);
  });
});

describe("S2MemTagType", () => {
  const wbRwa = h(MEMATTR_WB, MEMHINT_RWA);
  it("Tagged survives only on Normal Inner+Outer WB RWA non-transient", () => {
    expect(s2MemTagType(normal(wbRwa, wbRwa), TAG_ALLOCATION, true)).toBe(TAG_ALLOCATION);
    // Without FEAT_MTE2 nothing is tagged.
    expect(s2MemTagType(normal(wbRwa, wbRwa), TAG_ALLOCATION, false)).toBe(TAG_UNTAGGED);
    expect(s2MemTagType(normal(wbRwa, wbRwa), TAG_CANONICAL, false)).toBe(TAG_UNTAGGED);
    // Each way of not being WB RWA non-transient loses the tag.
    expect(s2MemTagType(normal(wbRwa, h(MEMATTR_WB, MEMHINT_RA)), TAG_ALLOCATION, true)).toBe(TAG_UNTAGGED);
    expect(s2MemTagType(normal(h(MEMATTR_WB, MEMHINT_RWA, true), wbRwa), TAG_ALLOCATION, true)).toBe(TAG_UNTAGGED);
    expect(s2MemTagType(normal(wbRwa, h(MEMATTR_WT, MEMHINT_RWA)), TAG_ALLOCATION, true)).toBe(TAG_UNTAGGED);
    expect(s2MemTagType(device(0, { inner: wbRwa, outer: wbRwa }), TAG_ALLOCATION, true)).toBe(TAG_UNTAGGED);
    // A stage 1 that did not ask for tags keeps what it had (Untagged, or Canonically Tagged).
    expect(s2MemTagType(normal(wbRwa, wbRwa), TAG_UNTAGGED, true)).toBe(TAG_UNTAGGED);
    expect(s2MemTagType(normal(NC, NC), TAG_CANONICAL, true)).toBe(TAG_CANONICAL);
  });
});

describe("EncodePARAttrs: the whole-byte forms", () => {
  it("0xA0 needs XS = 0, WT/WT and an outer RA non-transient half; 0x40 XS = 0 and NC/NC", () => {
    const wtRa = h(MEMATTR_WT, MEMHINT_RA);
    expect(encodePARAttrs(normal(wtRa, wtRa, { xs: 0 }), true)).toBe(0xa0);
    // The inner hints are not reported: inner WT RWA still gives 0xA0.
    expect(encodePARAttrs(normal(wtRa, h(MEMATTR_WT, MEMHINT_RWA), { xs: 0 }), true)).toBe(0xa0);
    // Outer WT RWA (0b1011), inner WT RA (0b1010): 0xBA.
    expect(encodePARAttrs(normal(h(MEMATTR_WT, MEMHINT_RWA), wtRa, { xs: 0 }), true)).toBe(0xba);
    // Outer transient WT RA (0b0010): 0x2A.
    expect(encodePARAttrs(normal(h(MEMATTR_WT, MEMHINT_RA, true), wtRa, { xs: 0 }), true)).toBe(0x2a);
    // Outer WB RA (0b1110), inner WT RA: 0xEA.
    expect(encodePARAttrs(normal(h(MEMATTR_WB, MEMHINT_RA), wtRa, { xs: 0 }), true)).toBe(0xea);
    // Outer WT RA, inner WB RA (0b1110): 0xAE.
    expect(encodePARAttrs(normal(wtRa, h(MEMATTR_WB, MEMHINT_RA), { xs: 0 }), true)).toBe(0xae);
    // XS = 1, or no FEAT_XS: the nibbles.
    expect(encodePARAttrs(normal(wtRa, wtRa, { xs: 1 }), true)).toBe(0xaa);
    expect(encodePARAttrs(normal(wtRa, wtRa, { xs: 0 }), false)).toBe(0xaa);
    expect(encodePARAttrs(normal(NC, NC, { xs: 0 }), true)).toBe(0x40);
    expect(encodePARAttrs(normal(NC, NC, { xs: 0 }), false)).toBe(0x44);
    // One NC half: nibbles (outer NC 0b0100, inner WB RWA 0b1111).
    expect(encodePARAttrs(normal(NC, h(MEMATTR_WB, MEMHINT_RWA), { xs: 0 }), true)).toBe(0x4f);
  });
  it("PAR_EL1 fields in words", () => {
    expect(parFields(0x4f, SH_ISH)).toBe("PAR_EL1.ATTR[63:56] = 0x4f, PAR_EL1.SH[8:7] = 0b11");
    expect(parFields(0x04, SH_OSH)).toBe("PAR_EL1.ATTR[63:56] = 0x04, PAR_EL1.SH[8:7] = 0b10");
  });
});

describe("records in words", () => {
  const wbRwa = h(MEMATTR_WB, MEMHINT_RWA);
  it("attrsWords", () => {
    expect(attrsWords(device(2, { xs: 0, shareability: SH_OSH }), { xs: true, withSh: true })).toBe("Device-nGRE, XS=0, Outer Shareable");
    expect(attrsWords(normal(wbRwa, wbRwa, { tags: TAG_ALLOCATION, xs: 0 }), { xs: false, withSh: true })).toBe(
      "Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Allocation Tagged, Inner Shareable",
    );
    // Same cacheability, different hints: each half on its own.
    expect(attrsWords(normal(wbRwa, h(MEMATTR_WB, MEMHINT_WA, true), { tags: TAG_CANONICAL }), { xs: true, withSh: false })).toBe(
      "Normal, outer Write-Back Read+Write-Allocate non-transient, inner Write-Back Write-Allocate transient, Canonically Tagged, XS=1",
    );
    expect(attrsWords(normal(h(MEMATTR_WT, MEMHINT_RA), h(MEMATTR_WT, MEMHINT_RA, true)), { xs: false, withSh: false })).toBe(
      "Normal, outer Write-Through Read-Allocate non-transient, inner Write-Through Read-Allocate transient",
    );
    expect(attrsWords(normal(h(MEMATTR_WT), NC, { shareability: SH_NSH }), { xs: false, withSh: true })).toBe(
      "Normal, outer Write-Through no allocate non-transient, inner Non-cacheable, Non-shareable",
    );
    expect(attrsWords(normal(NC, NC, { shareability: SH_RESERVED }), { xs: false, withSh: true })).toBe("Normal, inner and outer Non-cacheable, reserved");
  });
  it("attrsShort", () => {
    expect(attrsShort(normal(wbRwa, h(MEMATTR_WT, MEMHINT_RA, true), { xs: 0 }), { xs: true, withSh: true })).toBe(
      "Normal o:WB-RWA i:WT-RA-transient XS=0 ISH",
    );
    expect(attrsShort(normal(NC, h(MEMATTR_WB, MEMHINT_NO)), { xs: false, withSh: false })).toBe("Normal o:NC i:WB-no-alloc");
    expect(attrsShort(normal(h(MEMATTR_WT, MEMHINT_WA), wbRwa, { tags: TAG_ALLOCATION }), { xs: false, withSh: false })).toBe("Normal o:WT-WA i:WB-RWA Tagged");
    expect(attrsShort(device(3, { shareability: SH_OSH }), { xs: false, withSh: true })).toBe("Device-GRE OSH");
  });
  it("names of cacheability and hints", () => {
    expect([MEMATTR_WB, MEMATTR_WT, MEMATTR_NC].map(cacheName)).toEqual(["Write-Back", "Write-Through", "Non-cacheable"]);
    expect([MEMHINT_NO, MEMHINT_WA, MEMHINT_RA, MEMHINT_RWA].map(hintName)).toEqual(["no allocate", "Write-Allocate", "Read-Allocate", "Read+Write-Allocate"]);
  });
  it("the FEAT_XS and FEAT_MTE2 whole bytes in words; nibble 0b0000 is not transient", () => {
    const f = { xs: true, mte2: true };
    expect(describeMairAttr(0x40, f).text).toBe("Normal, inner and outer Non-cacheable, XS=0");
    expect(describeMairAttr(0xa0, f).text).toBe("Normal, inner and outer Write-Through Read-Allocate non-transient, XS=0");
    expect(describeMairAttr(0xf0, { xs: false, mte2: true }).text).toBe(
      "Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Allocation Tagged",
    );
    // 1.2: transient is only defined for RW != 00; the vectors take RW = 00 as non-transient.
    expect(decodeLDFAttr(0b0000).transient).toBe(false);
  });
});

describe("parseShareability", () => {
  it("names and numbers; 0b01 only where reserved values are allowed", () => {
    expect(["nsh", " OSH ", "Ish", "0", "2", "3"].map((t) => parseShareability(t, "sh"))).toEqual([SH_NSH, SH_OSH, SH_ISH, SH_NSH, SH_OSH, SH_ISH]);
    expect(parseShareability("1", "sh", true)).toBe(SH_RESERVED);
    expect(parseShareability("0b01", "sh", true)).toBe(SH_RESERVED);
    expect(() => parseShareability("0b01", "--s1-sh")).toThrow(
      new InputError("--s1-sh: SH 0b01 is reserved (CONSTRAINED UNPREDICTABLE); give 0 (NSH), 2 (OSH) or 3 (ISH)"),
    );
    expect(() => parseShareability("1", "--s2-sh")).toThrow(InputError);
    expect(() => parseShareability("4", "sh")).toThrow(new InputError("sh: 4 is not 0, 2 or 3"));
    expect(() => parseShareability("12", "sh")).toThrow(new InputError("sh: 12 is not 0, 2 or 3"));
    expect(() => parseShareability("inner", "sh")).toThrow(new InputError("sh: 'inner' is not 0, 2, 3 (or nsh, osh, ish)"));
    expect(() => parseShareability("x3", "sh")).toThrow(new InputError("sh: 'x3' is not 0, 2, 3 (or nsh, osh, ish)"));
    expect(() => parseShareability("toString", "sh")).toThrow(InputError);
  });
});

describe("the steps of S2CombineS1MemAttrs, in words (arch-attributes.md 3.1)", () => {
  const step = (s1: number, s2: number, asl: string, xs = true) => combineS1S2(s1, 3, s2, 3, { fwb: false, xs }).steps.filter((s) => s.asl === asl);
  it("both Device: the more restrictive type", () => {
    expect(step(0x0c, 0x1, "S2CombineS1Device")).toEqual([
      {
        asl: "S2CombineS1Device",
        rule: "both stages Device: the more restrictive type wins (nGnRnE > nGnRE > nGRE > GRE): GRE and nGnRE give nGnRE",
        result: "Device-nGnRE",
      },
    ]);
    // Stage 1 Device, stage 2 Normal: stage 1 kept.
    expect(step(0x0c, 0xf, "S2CombineS1MemAttrs", false)).toEqual([
      { asl: "S2CombineS1MemAttrs", rule: "stage 1 Device, stage 2 Normal: the stage-1 attributes are kept (Device-GRE)", result: "Device-GRE" },
    ]);
  });
  it("both Normal: half by half, hints from stage 1 when cacheable; XS; effective shareability", () => {
    expect(step(0xff, 0xa, "S2CombineS1AttrHints")).toEqual([
      {
        asl: "S2CombineS1AttrHints",
        rule: "both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WT -> WT (stage-1 hints kept); inner WB + WT -> WT (stage-1 hints kept)",
        result: "Normal-WT",
      },
    ]);
    // 0xFF is WB/WB (XS 0); stage 2 XS 1; the WT/WT result is not WB/WB: 1 AND 0 = 0.
    expect(step(0xff, 0xa, "S2CombineS1MemAttrs")).toEqual([
      { asl: "S2CombineS1MemAttrs", rule: "XS = stage-2 XS AND stage-1 XS = 1 AND 0 = 0", result: "XS=0" },
    ]);
    expect(step(0xff, 0xa, "S2CombineS1MemAttrs", false)).toEqual([]);
    expect(step(0xff, 0xa, "EffectiveShareability")[0].rule).toBe("ISH stays (only Device and Normal NC/NC are forced to OSH)");
    expect(step(0xff, 0x5, "S2CombineS1AttrHints")[0].rule).toBe(
      "both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + NC -> NC; inner WB + NC -> NC",
    );
    expect(step(0xff, 0x5, "EffectiveShareability")[0].rule).toBe("Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH");
    expect(step(0x0c, 0x1, "EffectiveShareability")[0].rule).toBe("Device is always Outer Shareable: ISH -> OSH");
    // WB/WB: XS 0 by the rule itself.
    expect(step(0xff, 0xf, "S2CombineS1MemAttrs")).toEqual([
      { asl: "S2CombineS1MemAttrs", rule: "XS: the result is Normal Inner+Outer Write-Back, so XS = 0", result: "XS=0" },
    ]);
    expect(step(0xff, 0xf, "S2CombineS1MemAttrs", false)).toEqual([]);
  });
  it("tags: kept over WB, lost otherwise, no step when nothing is tagged", () => {
    expect(step(0xf0, 0xf, "S2MemTagType")).toEqual([
      { asl: "S2MemTagType", rule: "stage 1 Allocation Tagged: the result is Allocation Tagged", result: "Allocation Tagged" },
    ]);
    expect(step(0xf0, 0xa, "S2MemTagType")).toEqual([
      {
        asl: "S2MemTagType",
        rule: "stage 1 Allocation Tagged: the result is Untagged (Tagged needs a Normal Inner+Outer WB RWA non-transient result)",
        result: "Untagged",
      },
    ]);
    expect(step(0xff, 0xf, "S2MemTagType")).toEqual([]);
  });
});
