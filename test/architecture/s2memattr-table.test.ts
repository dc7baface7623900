// Source of truth: arch-attributes.md section 2 (ASL S2DecodeMemAttrs,
// S2DecodeCacheability, AArch64_S2ApplyFWBMemAttrs) and the Linux
// asm/memory.h MT_S2_* values it lists. Every one of the 16 MemAttr[3:0]
// encodings, FWB off and on, is written out here with its bits: the table is
// read from the document, never from the decoder.
import { describe, expect, it } from "vitest";
import {
  DEVICE_GRE,
  DEVICE_nGRE,
  DEVICE_nGnRE,
  DEVICE_nGnRnE,
  MEMATTR_NC,
  MEMATTR_WB,
  MEMATTR_WT,
  MEMHINT_NO,
  MEMTYPE_DEVICE,
  MEMTYPE_NORMAL,
  SH_ISH,
  SH_NSH,
  SH_OSH,
  TAG_UNTAGGED,
} from "../../src/mair/attrs.js";
import { decodeS2MemAttr, describeS2MemAttr, linuxS2MemAttrName, s2DecodeCacheability, s2DecodeMemAttrs, s2InnerReserved } from "../../src/mair/s2memattr.js";

const CU = "CONSTRAINED UNPREDICTABLE: Non-cacheable, Write-Through or Write-Back";

// §2.1, FWB = 0: 0b00dd Device dd; 0bOOII Normal outer OO inner II (01 NC, 10 WT, 11 WB); II = 00 with OO != 00 reserved.
// [MemAttr, text, short, reserved, Linux macro]
const FWB0: Array<[number, string, string, boolean, string | null]> = [
  [0b0000, "Device-nGnRnE", "Device-nGnRnE", false, null],
  [0b0001, "Device-nGnRE", "Device-nGnRE", false, "MT_S2_DEVICE_nGnRE"],
  [0b0010, "Device-nGRE", "Device-nGRE", false, null],
  [0b0011, "Device-GRE", "Device-GRE", false, null],
  [0b0100, `Normal, outer Non-cacheable, inner reserved (${CU})`, "reserved", true, "MT_S2_NORMAL_NOTAGACCESS"],
  [0b0101, "Normal, inner and outer Non-cacheable", "Normal-NC", false, "MT_S2_NORMAL_NC"],
  [0b0110, "Normal, outer Non-cacheable, inner Write-Through", "Normal-oNC/iWT", false, null],
  [0b0111, "Normal, outer Non-cacheable, inner Write-Back", "Normal-oNC/iWB", false, null],
  [0b1000, `Normal, outer Write-Through, inner reserved (${CU})`, "reserved", true, null],
  [0b1001, "Normal, outer Write-Through, inner Non-cacheable", "Normal-oWT/iNC", false, null],
  [0b1010, "Normal, inner and outer Write-Through", "Normal-WT", false, null],
  [0b1011, "Normal, outer Write-Through, inner Write-Back", "Normal-oWT/iWB", false, null],
  [0b1100, `Normal, outer Write-Back, inner reserved (${CU})`, "reserved", true, null],
  [0b1101, "Normal, outer Write-Back, inner Non-cacheable", "Normal-oWB/iNC", false, null],
  [0b1110, "Normal, outer Write-Back, inner Write-Through", "Normal-oWB/iWT", false, null],
  [0b1111, "Normal, inner and outer Write-Back", "Normal-WB", false, "MT_S2_NORMAL"],
];

// §2.2, FWB = 1: MemAttr[2:0] decides, MemAttr[3] is RES0 (FEAT_MTE_PERM not implemented) and ignored.
const RES0 = " (MemAttr[3] is RES0 without FEAT_MTE_PERM and ignored)";
const DEV_WINS = "; a stage-1 Device type that is more restrictive wins";
const FWB1_LOW: Array<[string, string, boolean]> = [
  [`Device-nGnRnE${DEV_WINS}`, "Device-nGnRnE", false],
  [`Device-nGnRE${DEV_WINS}`, "Device-nGnRE", false],
  [`Device-nGRE${DEV_WINS}`, "Device-nGRE", false],
  [`Device-GRE${DEV_WINS}`, "Device-GRE", false],
  ["reserved (the Arm ARM reserves FWB MemAttr 0b100; the ASL gives it the 0b101 behaviour)", "reserved", true],
  ["Normal Non-cacheable, unless stage 1 is Device (then stage 1 stays)", "Normal-NC", false],
  ["Normal Write-Back, forced whatever stage 1 says", "Normal-WB", false],
  ["stage-1 attributes used unchanged", "as stage 1", false],
];
// Linux names with FWB: MT_S2_FWB_DEVICE_nGnRE 1, MT_S2_FWB_NORMAL_NC 5, MT_S2_FWB_NORMAL 6, MT_S2_FWB_AS_S1 7, MT_S2_FWB_NORMAL_NOTAGACCESS 0b1110.
const FWB1_LINUX: Record<number, string> = {
  0b0001: "MT_S2_FWB_DEVICE_nGnRE",
  0b0101: "MT_S2_FWB_NORMAL_NC",
  0b0110: "MT_S2_FWB_NORMAL",
  0b0111: "MT_S2_FWB_AS_S1",
  0b1110: "MT_S2_FWB_NORMAL_NOTAGACCESS",
};

describe("stage-2 MemAttr, FWB = 0 (arch-attributes.md 2.1, ASL S2DecodeMemAttrs)", () => {
  it.each(FWB0)("MemAttr %i: %s", (m, text, short, reserved, linux) => {
    expect(describeS2MemAttr(m, false)).toEqual({ text, short, reserved, linux });
    expect(linuxS2MemAttrName(m, false)).toBe(linux);
  });

  it("the structured decode: 0b00dd Device dd, 0bOOII Normal with each half its own cacheability", () => {
    const half = (f: number): number => [-1, MEMATTR_NC, MEMATTR_WT, MEMATTR_WB][f];
    for (let m = 0; m < 16; m++) {
      const oo = (m >> 2) & 3;
      const ii = m & 3;
      const want = oo === 0 ? { kind: "device", device: ii } : { kind: "normal", outer: half(oo), inner: half(ii), innerReserved: ii === 0 };
      expect(decodeS2MemAttr(m, false), `MemAttr ${m.toString(2).padStart(4, "0")}`).toEqual(want);
      expect(s2InnerReserved(m)).toBe(oo !== 0 && ii === 0);
    }
    // A value wider than MemAttr[3:0] is a caller's mistake, refused by name (issue 15), not masked.
    expect(() => decodeS2MemAttr(0x10 | 0b0001, false)).toThrow(/^memattr: 17 is not a stage-2 MemAttr \(4 bits\) in 0\.\.15/);
    expect(() => decodeS2MemAttr(0xf0 | 0b0110, false)).toThrow(/^memattr: 246 /);
  });

  it("S2DecodeMemAttrs: Device types 0b0000..0b0011, and Normal halves with no hints, XS 1", () => {
    const dev = [DEVICE_nGnRnE, DEVICE_nGnRE, DEVICE_nGRE, DEVICE_GRE];
    for (let m = 0; m < 4; m++) {
      const nc = { attrs: MEMATTR_NC, hints: MEMHINT_NO, transient: false };
      expect(s2DecodeMemAttrs(m, SH_OSH)).toEqual({
        memtype: MEMTYPE_DEVICE,
        device: dev[m],
        inner: nc,
        outer: nc,
        shareability: SH_OSH,
        tags: TAG_UNTAGGED,
        notagaccess: false,
        xs: 1,
      });
    }
    // 0b1001: outer WT, inner NC; stage 2 carries no allocation or transient hint.
    expect(s2DecodeMemAttrs(0b1001, SH_NSH)).toEqual({
      memtype: MEMTYPE_NORMAL,
      device: 0,
      outer: { attrs: MEMATTR_WT, hints: MEMHINT_NO, transient: false },
      inner: { attrs: MEMATTR_NC, hints: MEMHINT_NO, transient: false },
      shareability: SH_NSH,
      tags: TAG_UNTAGGED,
      notagaccess: false,
      xs: 1,
    });
    // 0b0111: outer NC, inner WB.
    const n = s2DecodeMemAttrs(0b0111, SH_ISH);
    expect([n.memtype, n.outer.attrs, n.inner.attrs, n.shareability]).toEqual([MEMTYPE_NORMAL, MEMATTR_NC, MEMATTR_WB, SH_ISH]);
    // A reserved inner half stands for the CONSTRAINED UNPREDICTABLE choice given.
    expect(s2DecodeMemAttrs(0b0100, SH_ISH, MEMATTR_WT).inner.attrs).toBe(MEMATTR_WT);
    expect(s2DecodeMemAttrs(0b1100, SH_ISH, MEMATTR_NC).inner.attrs).toBe(MEMATTR_NC);
  });

  it("S2DecodeCacheability: 01 NC, 10 WT, 11 WB; 00 only with a choice among the three", () => {
    expect(s2DecodeCacheability(0b01)).toEqual({ attrs: MEMATTR_NC, hints: MEMHINT_NO, transient: false });
    expect(s2DecodeCacheability(0b10)).toEqual({ attrs: MEMATTR_WT, hints: MEMHINT_NO, transient: false });
    expect(s2DecodeCacheability(0b11)).toEqual({ attrs: MEMATTR_WB, hints: MEMHINT_NO, transient: false });
    for (const choice of [MEMATTR_NC, MEMATTR_WT, MEMATTR_WB]) expect(s2DecodeCacheability(0b00, choice).attrs).toBe(choice);
    // No choice, or something that is not NC/WT/WB (0b01 is not a MEMATTR_* value).
    expect(() => s2DecodeCacheability(0b00)).toThrow("s2DecodeCacheability: reserved 0b00 needs a CONSTRAINED UNPREDICTABLE choice");
    expect(() => s2DecodeCacheability(0b00, 0b01)).toThrow(/CONSTRAINED UNPREDICTABLE/);
  });
});

describe("stage-2 MemAttr, FWB = 1 (arch-attributes.md 2.2, ASL AArch64_S2ApplyFWBMemAttrs)", () => {
  it.each(Array.from({ length: 16 }, (_, m) => [m]))("MemAttr %i", (m) => {
    const [text, short, reserved] = FWB1_LOW[m & 7];
    const linux = FWB1_LINUX[m] ?? null;
    expect(describeS2MemAttr(m, true)).toEqual({ text: text + (m & 8 ? RES0 : ""), short, reserved, linux });
    expect(linuxS2MemAttrName(m, true)).toBe(linux);
  });

  it("the structured decode looks at MemAttr[2:0] only", () => {
    const want = [
      { kind: "fwb-device", device: DEVICE_nGnRnE },
      { kind: "fwb-device", device: DEVICE_nGnRE },
      { kind: "fwb-device", device: DEVICE_nGRE },
      { kind: "fwb-device", device: DEVICE_GRE },
      { kind: "fwb-nc", reserved0b100: true },
      { kind: "fwb-nc", reserved0b100: false },
      { kind: "fwb-force-wb" },
      { kind: "fwb-as-s1" },
    ];
    for (let m = 0; m < 16; m++) expect(decodeS2MemAttr(m, true), `MemAttr ${m}`).toEqual(want[m & 7]);
  });
});
