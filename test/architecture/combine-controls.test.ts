// The combine's controls and open choices, against the ASL as
// shared/reference/arch-attributes.md section 3 states it: SCTLR_EL1.C = 0
// affects Normal stage-1 data only (and leaves whether Tagged stays Tagged
// CONSTRAINED UNPREDICTABLE, Unpredictable_S1CTAGGED); HCR_EL2.CD affects
// Normal stage-2 data only; an instruction fetch of Normal memory is not made
// Non-cacheable; stage-1 SH 0b01 behaves as one of NSH/ISH/OSH. Expected
// values are worked out in the comments.
import { describe, expect, it } from "vitest";
import { combineS1S2, configWords, resolveOptions, stage1ParAttrs } from "../../src/mair/combine.js";

describe("combine options", () => {
  it("defaults: FEAT_XS off, FEAT_MTE2 on, SCTLR_EL1.C and I set, HCR_EL2 CD/DC/DCT/ID clear, a data access", () => {
    expect(resolveOptions({ fwb: true })).toEqual({
      fwb: true,
      xs: false,
      mte2: true,
      hcrCD: false,
      hcrDC: false,
      hcrDCT: false,
      sctlrC: true,
      ifetch: false,
      hcrID: false,
      sctlrI: true,
    });
  });
  it("configWords names FWB, the features, the access and every non-default control", () => {
    expect(configWords(resolveOptions({ fwb: true }))).toBe("FWB=1, FEAT_XS off, FEAT_MTE2 on, data access");
    expect(
      configWords(
        resolveOptions({ fwb: false, xs: true, mte2: false, hcrCD: true, hcrDC: true, hcrDCT: true, sctlrC: false, ifetch: true, hcrID: true, sctlrI: false }),
      ),
    ).toBe("FWB=0, FEAT_XS on, FEAT_MTE2 off, instruction fetch, HCR_EL2.CD=1, HCR_EL2.DC=1 DCT=1, SCTLR_EL1.C=0, HCR_EL2.ID=1, SCTLR_EL1.I=0");
    expect(configWords(resolveOptions({ fwb: false, hcrDC: true }))).toBe("FWB=0, FEAT_XS off, FEAT_MTE2 on, data access, HCR_EL2.DC=1");
  });
});

describe("controls that apply to Normal memory only", () => {
  it("SCTLR_EL1.C = 0 leaves stage-1 Device data alone: 0x04 over stage-2 WB stays Device-nGnRE, 0x04 OSH", () => {
    const r = combineS1S2(0x04, 3, 0xf, 3, { fwb: false, sctlrC: false });
    expect([r.attr, r.sh, r.memtype]).toEqual([0x04, 2, "Device-nGnRE"]);
  });
  it("HCR_EL2.CD = 1 leaves stage-2 Device alone: 0xFF over Device-nGnRE (0b0001) is Device-nGnRE, 0x04 OSH", () => {
    const r = combineS1S2(0xff, 3, 0x1, 3, { fwb: false, hcrCD: true });
    expect([r.attr, r.sh, r.memtype]).toEqual([0x04, 2, "Device-nGnRE"]);
  });
  it("an instruction fetch of Normal WB over stage-2 WB (SCTLR_EL1.I = 1, HCR_EL2.ID = 0) stays WB: 0xFF ISH", () => {
    const r = combineS1S2(0xff, 3, 0xf, 3, { fwb: false, ifetch: true });
    expect([r.attr, r.sh, r.memtype]).toEqual([0xff, 3, "Normal-WB"]);
  });
});

describe("SCTLR_EL1.C = 0 and a Tagged stage 1 (Unpredictable_S1CTAGGED)", () => {
  it("AT S1E1R alone: Normal NC either way; Tagged kept reports 0xF0, dropped 0x44; NC/NC is OSH", () => {
    expect(stage1ParAttrs(0xf0, 3, { sctlrC: false })).toMatchObject({ attr: -1, sh: 2, permitted: { attr: [0x44, 0xf0], sh: [2] } });
  });
  it("with FWB MemAttr 0b110 the tag shows: forced WB RWA keeps a kept tag (0xF0) and not a dropped one (0xFF)", () => {
    // Stage 1 is NC (C = 0): its effective SH is OSH, its descriptor SH ISH (IMPLEMENTATION DEFINED which goes on);
    // forced WB RWA non-transient: Tagged stays Tagged when the tag was kept. ATTR {0xF0, 0xFF} x SH {OSH, ISH}.
    const r = combineS1S2(0xf0, 3, 6, 3, { fwb: true, sctlrC: false });
    expect([r.attr, r.sh, r.tagged, r.xs]).toEqual([-1, -1, null, null]);
    expect(r.permitted).toEqual({ attr: [0xf0, 0xff], sh: [2, 3] });
    expect(r.open.attr.map((o) => o.id)).toEqual(["S1CTAGGED"]);
    expect(r.open.sh.map((o) => o.id)).toEqual(["IMPDEF_S1_SH"]);
    expect(r.outcomes.map((o) => [o.attr, o.sh, o.count, o.choices])).toEqual([
      [0xf0, 2, 1, ["effective SH at stage 1 applied, tag kept"]],
      [0xf0, 3, 1, ["effective SH at stage 1 not applied, tag kept"]],
      [0xff, 2, 1, ["effective SH at stage 1 applied, tag dropped"]],
      [0xff, 3, 1, ["effective SH at stage 1 not applied, tag dropped"]],
    ]);
    expect(r.outcomes[0].steps[1].rule).toBe(
      "SCTLR_EL1.C = 0: a Normal data access is treated as Normal Non-cacheable (XS kept); Tagged is CONSTRAINED UNPREDICTABLE (Unpredictable_S1CTAGGED), here kept",
    );
    expect(r.outcomes[2].steps[1].rule).toMatch(/, here dropped$/);
  });
  it("the tag choice exists only for a data access with stage 1 enabled: an instruction fetch or HCR_EL2.DC = 1 has no such choice", () => {
    // A fetch ignores SCTLR_EL1.C: Tagged WB with FWB 0b110 stays Tagged, 0xF0 ISH; the only choice is the stage-1 SH one.
    const f = combineS1S2(0xf0, 3, 6, 3, { fwb: true, sctlrC: false, ifetch: true });
    expect(f.outcomes.map((o) => [o.attr, o.sh, o.count, o.choices])).toEqual([
      [0xf0, 3, 2, ["effective SH at stage 1 not applied", "effective SH at stage 1 applied"]],
    ]);
    // HCR_EL2.DC: stage 1 is disabled, no choice at all.
    const d = combineS1S2(0xff, 3, 0xf, 3, { fwb: false, hcrDC: true, sctlrC: false });
    expect(d.outcomes.map((o) => [o.attr, o.sh, o.count, o.choices])).toEqual([[0xff, 3, 1, []]]);
  });
});

describe("stage-1 SH 0b01 (reserved: one of NSH, ISH, OSH)", () => {
  it("0xFF SH 0b01 over WB ISH: NSH or ISH give ISH, OSH gives OSH: the SH column is open (S1SH)", () => {
    const r = combineS1S2(0xff, 1, 0xf, 3, { fwb: false });
    expect([r.attr, r.sh]).toEqual([0xff, -1]);
    expect(r.permitted.sh).toEqual([2, 3]);
    expect(r.open.sh.map((o) => o.id)).toEqual(["S1SH"]);
    expect(r.outcomes.map((o) => [o.sh, o.count])).toEqual([
      [2, 2],
      [3, 4],
    ]);
  });
});
