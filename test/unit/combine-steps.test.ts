// The step-by-step explanation: every step names the ASL function it mirrors,
// and each kind of combine goes through the functions the ASL calls for it.
import { describe, expect, it } from "vitest";
import { combineS1S2 } from "../../src/mair/combine.js";

const ASL = new Set([
  "S1DecodeMemAttrs",
  "AArch64.S1Translate",
  "AArch64.S1DisabledOutput",
  "S2DecodeMemAttrs",
  "AArch64.S2ApplyFWBMemAttrs",
  "AArch64.S2Translate",
  "S2CombineS1MemAttrs",
  "S2CombineS1Device",
  "S2CombineS1AttrHints",
  "S2MemTagType",
  "S2CombineS1Shareability",
  "EffectiveShareability",
  "EncodePARAttrs / PAREncodeShareability",
]);
const names = (s1: number, s2: number, fwb: boolean, extra = {}): string[] => combineS1S2(s1, 3, s2, 3, { fwb, ...extra }).steps.map((s) => s.asl);

describe("combine steps", () => {
  it("every step of every outcome cites a known ASL function and says what it produced", () => {
    for (const [s1, s2, fwb] of [
      [0xff, 0xf, false],
      [0x80, 0x4, false],
      [0x00, 0x6, true],
      [0xf0, 0x7, true],
    ] as const) {
      for (const o of combineS1S2(s1, 3, s2, 3, { fwb }).outcomes) {
        for (const st of o.steps) {
          expect(ASL.has(st.asl), st.asl).toBe(true);
          expect(st.rule.length).toBeGreaterThan(10);
          expect(st.result.length).toBeGreaterThan(0);
        }
      }
    }
  });
  it("FWB off, both Normal: decode both, S2CombineS1AttrHints, shareability, effective, PAR", () => {
    expect(names(0xff, 0xa, false)).toEqual([
      "S1DecodeMemAttrs",
      "AArch64.S1Translate",
      "S2DecodeMemAttrs",
      "S2CombineS1AttrHints",
      "S2CombineS1Shareability",
      "EffectiveShareability",
      "EncodePARAttrs / PAREncodeShareability",
    ]);
  });
  it("FWB off, both Device: S2CombineS1Device", () => {
    expect(names(0x0c, 0x1, false)).toContain("S2CombineS1Device");
  });
  it("FWB on: AArch64.S2ApplyFWBMemAttrs instead of S2DecodeMemAttrs/S2CombineS1MemAttrs", () => {
    const n = names(0xff, 0x6, true);
    expect(n).toContain("AArch64.S2ApplyFWBMemAttrs");
    expect(n).not.toContain("S2DecodeMemAttrs");
    expect(n).not.toContain("S2CombineS1AttrHints");
  });
  it("Tagged memory brings in S2MemTagType, and says when the tag is lost", () => {
    const r = combineS1S2(0xf0, 3, 0xa, 3, { fwb: false });
    const tag = r.steps.find((s) => s.asl === "S2MemTagType");
    expect(tag?.result).toBe("Untagged");
    expect(tag?.rule).toMatch(/WB RWA non-transient/);
  });
  it("HCR_EL2.CD shows as an AArch64.S2Translate step", () => {
    expect(names(0xff, 0xf, false, { hcrCD: true })).toContain("AArch64.S2Translate");
    expect(names(0xff, 0xf, false, { hcrDC: true })[0]).toBe("AArch64.S1DisabledOutput");
  });
  it("a reserved input is named in the first step of each outcome", () => {
    const r = combineS1S2(0x10, 0, 0xf, 0, { fwb: false });
    expect(r.outcomes.every((o) => /reserved byte 0x10 taken as 0x[0-9a-f]{2}/.test(o.steps[0].rule))).toBe(true);
  });
});
