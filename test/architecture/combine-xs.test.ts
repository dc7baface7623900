// The XS attribute of a combined result, hand-worked from arch-attributes.md
// 3.1 and 3.2 (ASL S2CombineS1MemAttrs, AArch64_S2ApplyFWBMemAttrs): FWB = 0,
// XS = 0 when the result is Normal Inner-WB and Outer-WB, otherwise S1.XS AND
// S2.XS (stage 2's XS = NOT FnXS = 1 as KVM writes it); FWB = 1, forced
// Device and forced NC keep S1.XS, "use S1" keeps S1's, forced WB gives 0.
// A stage-1 byte's own XS (1.2): 0 for 0x40/0xA0/0xF0, Device dd01 and
// Normal WB/WB, else 1. Every expected value is worked out in the comment
// next to it.
import { describe, expect, it } from "vitest";
import { combineS1S2 } from "../../src/mair/combine.js";

const ISH = 3;
const xsOf = (s1: number, s2: number, fwb: boolean) => {
  const r = combineS1S2(s1, ISH, s2, ISH, { fwb, xs: true });
  return { xs: r.xs, attr: r.attr, memtype: r.memtype };
};

describe("XS of mixed Normal results, FWB = 0", () => {
  it.each([
    // S1 0xFF WB/WB (XS 0) + S2 0xA WT/WT (XS 1): WT/WT, not WB/WB -> 0 AND 1 = 0; PAR 0xBB (the 0xA0 form needs WT RA only).
    [0xff, 0xa, 0, 0xbb, "Normal-WT"],
    // S1 0xBB WT/WT RA (XS 1) + S2 0xF WB/WB: WT/WT -> 1 AND 1 = 1; PAR 0xBB.
    [0xbb, 0xf, 1, 0xbb, "Normal-WT"],
    // S1 0x4F outer NC, inner WB (XS 1) + S2 0xF: oNC/iWB -> 1; PAR 0x4F.
    [0x4f, 0xf, 1, 0x4f, "Normal-oNC/iWB"],
    // S1 0xF4 outer WB, inner NC (XS 1) + S2 0xF: oWB/iNC -> 1; PAR 0xF4.
    [0xf4, 0xf, 1, 0xf4, "Normal-oWB/iNC"],
    // S1 0xFF (XS 0) + S2 0xD outer WB, inner NC: oWB/iNC -> 0 AND 1 = 0; PAR 0xF4.
    [0xff, 0xd, 0, 0xf4, "Normal-oWB/iNC"],
    // S1 0xFF (XS 0) + S2 0x7 outer NC, inner WB: oNC/iWB -> 0; PAR 0x4F.
    [0xff, 0x7, 0, 0x4f, "Normal-oNC/iWB"],
    // S1 0xFF (XS 0) + S2 0x5 NC/NC: 0 -> PAR 0x40 (3.5).
    [0xff, 0x5, 0, 0x40, "Normal-NC"],
    // S1 0x44 NC/NC (XS 1) + S2 0x5: 1 -> PAR 0x44.
    [0x44, 0x5, 1, 0x44, "Normal-NC"],
    // S1 0x77 WB transient RWA (XS 0, both halves WB) + S2 0xF: WB/WB -> 0; PAR 0x77.
    [0x77, 0xf, 0, 0x77, "Normal-WB"],
    // S1 0x77 + S2 0xA: WT/WT with stage-1 hints, transient -> 0 AND 1 = 0; PAR 0x33 (3.5).
    [0x77, 0xa, 0, 0x33, "Normal-WT"],
    // S1 0xBF outer WT, inner WB (XS 1) + S2 0xF: oWT/iWB -> 1; PAR 0xBF.
    [0xbf, 0xf, 1, 0xbf, "Normal-oWT/iWB"],
    // S1 0xFB outer WB, inner WT (XS 1) + S2 0xE outer WB, inner WT: oWB/iWT -> 1.
    [0xfb, 0xe, 1, 0xfb, "Normal-oWB/iWT"],
    // S1 0xFF + S2 0xB outer WT, inner WB: oWT/iWB -> 0 AND 1 = 0; outer takes S1's RWA: 0xBF.
    [0xff, 0xb, 0, 0xbf, "Normal-oWT/iWB"],
    // S1 0xA0 (FEAT_XS WT RA, XS 0) + S2 0xF: WT/WT, 0 AND 1 = 0 -> the 0xA0 form again.
    [0xa0, 0xf, 0, 0xa0, "Normal-WT"],
    // S1 0x40 (XS 0) + S2 0xF: NC/NC -> 0 -> 0x40.
    [0x40, 0xf, 0, 0x40, "Normal-NC"],
  ] as const)("S1 %i + S2 MemAttr %i: XS %i", (s1, s2, xs, attr, memtype) => {
    expect(xsOf(s1, s2, false)).toEqual({ xs, attr, memtype });
  });

  it("Device results: S1.XS AND S2.XS (3.1: S1 0xFF + S2 nGnRE is Device with XS 0)", () => {
    // S1 0xFF (XS 0) + S2 0x1: Device-nGnRE, 0 AND 1 = 0 -> PAR 0x05.
    expect(xsOf(0xff, 0x1, false)).toEqual({ xs: 0, attr: 0x05, memtype: "Device-nGnRE" });
    // S1 0xBB (XS 1) + S2 0x1: 1 -> PAR 0x04.
    expect(xsOf(0xbb, 0x1, false)).toEqual({ xs: 1, attr: 0x04, memtype: "Device-nGnRE" });
    // S1 0x0D (Device GRE, XS 0) + S2 0xF: stage 1's Device kept, 0 AND 1 = 0 -> 0x0D.
    expect(xsOf(0x0d, 0xf, false)).toEqual({ xs: 0, attr: 0x0d, memtype: "Device-GRE" });
    // S1 0x0C (GRE, XS 1) + S2 0x1 (nGnRE): the more restrictive nGnRE, 1 -> 0x04.
    expect(xsOf(0x0c, 0x1, false)).toEqual({ xs: 1, attr: 0x04, memtype: "Device-nGnRE" });
  });
});

describe("XS with FWB = 1", () => {
  it.each([
    // Forced WB (0b110): XS 0 whatever stage 1's; each half keeps S1's hints: S1 0xAA (WT RA, XS 1)
    // -> WB RA 0b1110 per half: 0xEE (3.5: 0xA0 -> 0xEE); S1 0xBB (WT RWA) -> 0xFF.
    [0xaa, 0x6, 0, 0xee, "Normal-WB"],
    [0xbb, 0x6, 0, 0xff, "Normal-WB"],
    // Forced NC (0b101) keeps S1.XS: S1 0xBB (1) -> 0x44; S1 0xFF (0) -> 0x40.
    [0xbb, 0x5, 1, 0x44, "Normal-NC"],
    [0xff, 0x5, 0, 0x40, "Normal-NC"],
    // Use stage 1 (0b111): S1 0x4F (1) stays 0x4F; S1 0xA0 (0) stays 0xA0.
    [0x4f, 0x7, 1, 0x4f, "Normal-oNC/iWB"],
    [0xa0, 0x7, 0, 0xa0, "Normal-WT"],
    // Forced Device (0b001) keeps S1.XS: S1 0x44 (1) -> 0x04; S1 0xFF (0) -> 0x05.
    [0x44, 0x1, 1, 0x04, "Device-nGnRE"],
    [0xff, 0x1, 0, 0x05, "Device-nGnRE"],
    // Forced NC with a stage-1 Device: stage 1 stays, type and XS: 0x05 (nGnRE, XS 0).
    [0x05, 0x5, 0, 0x05, "Device-nGnRE"],
  ] as const)("S1 %i + S2 MemAttr %i: XS %i", (s1, s2, xs, attr, memtype) => {
    expect(xsOf(s1, s2, true)).toEqual({ xs, attr, memtype });
  });
});
