// A combine as text (formatCombine), for two cases worked by hand from
// arch-attributes.md: S1 0x44 (Normal NC/NC, XS 1) over S2 MemAttr 0x1
// (Device-nGnRE) without FWB is Device-nGnRE, Outer Shareable, PAR 0x04
// (section 3.5: 0x44 + 0x1 -> 0x04 OSH; XS 1 AND 1 = 1, so bit 0 = 0); and
// S1 0xFF with the reserved SH 0b01 over FWB MemAttr 6 (forced WB, stage-1
// hints kept: 0xFF) has its shareability open between OSH (S1 taken as OSH)
// and ISH (S1 taken as NSH or ISH, combined with S2 ISH) (sections 2.3, 3.1, 3.2).
import { describe, expect, it } from "vitest";
import { combineS1S2 } from "../../src/mair/combine.js";
import { formatCombine } from "../../src/mair/format.js";

const S1_44 = "Normal, outer Non-cacheable (Attr[7:4] = 0b0100), inner Non-cacheable (Attr[3:0] = 0b0100), XS=1";
const S1_FF =
  "Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111)";
const WB_BOTH = "Normal, inner and outer Write-Back Read+Write-Allocate non-transient";

describe("formatCombine", () => {
  it("a determined result: inputs, config, eight steps, PAR_EL1", () => {
    expect(formatCombine(combineS1S2(0x44, 3, 0x1, 3, { fwb: false, xs: true }))).toBe(
      [
        `stage 1   MAIR Attr 0x44 (MAIR_ATTR_NORMAL_NC): ${S1_44}; SH ISH`,
        "stage 2   MemAttr 0x1 (FWB off, MT_S2_DEVICE_nGnRE): Device-nGnRE; SH ISH",
        "config    FWB=0, FEAT_XS on, FEAT_MTE2 on, data access",
        "",
        "steps",
        `   1. S1DecodeMemAttrs: MAIR Attr 0x44 = ${S1_44}; SH ISH`,
        "      -> Normal o:NC i:NC XS=1 ISH",
        '   2. AArch64.S1Translate: IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH)',
        "      -> Normal o:NC i:NC XS=1 ISH",
        "   3. S2DecodeMemAttrs: MemAttr 0b0001 = Device-nGnRE; SH ISH; stage 2 has no allocation hints",
        "      -> Device-nGnRE XS=1 ISH",
        "   4. S2CombineS1MemAttrs: stage 1 Normal, stage 2 Device: the stage-2 attributes are taken (Device-nGnRE); the Normal side never affects the device type",
        "      -> Device-nGnRE",
        "   5. S2CombineS1Shareability: ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH",
        "      -> ISH",
        "   6. S2CombineS1MemAttrs: XS = stage-2 XS AND stage-1 XS = 1 AND 1 = 1",
        "      -> XS=1",
        "   7. EffectiveShareability: Device is always Outer Shareable: ISH -> OSH",
        "      -> Device-nGnRE XS=1 OSH",
        "   8. EncodePARAttrs / PAREncodeShareability: Device 0b0000dd0x with dd = 01, bit 0 = NOT XS = 0; SH forced to OSH (Device / Normal NC-NC)",
        "      -> ATTR 0x04, SH 0b10 (OSH)",
        "",
        "result    Device-nGnRE, XS=1, Outer Shareable",
        "          Device-nGnRE; PAR_EL1.ATTR[63:56] = 0x04, PAR_EL1.SH[8:7] = 0b10",
      ].join("\n"),
    );
  });

  it("an open shareability: the reason, both outcomes, the steps of the second", () => {
    const lines = formatCombine(combineS1S2(0xff, 1, 0x6, 3, { fwb: true })).split("\n");
    expect(lines.slice(0, 5)).toEqual([
      `stage 1   MAIR Attr 0xff (MAIR_ATTR_NORMAL): ${S1_FF}; SH SH=0b01`,
      "stage 2   MemAttr 0x6 (FWB on, MT_S2_FWB_NORMAL): Normal Write-Back, forced whatever stage 1 says; SH ISH",
      "config    FWB=1, FEAT_XS off, FEAT_MTE2 on, data access",
      "",
      "steps (for the first permitted outcome; 2 in all, below)",
    ]);
    // Steps 1..6 of the OSH outcome (S1 SH taken as OSH), then the result.
    expect(lines[5]).toBe(`   1. S1DecodeMemAttrs: MAIR Attr 0xff = ${S1_FF}; SH OSH`);
    expect(lines[9]).toBe(
      "   3. AArch64.S2ApplyFWBMemAttrs: MemAttr[2:0] = 0b110: Normal Write-Back forced; outer stage-1 hints kept (stage 1 is cacheable there), inner stage-1 hints kept (stage 1 is cacheable there); XS = 0",
    );
    expect(lines.slice(17, 30)).toEqual([
      "",
      `result    ${WB_BOTH}; shareability open: OSH or ISH`,
      "          ATTR 0xff",
      "          SH   open (-1): permitted OSH, ISH",
      "            because stage-1 SH 0b01 is reserved: it behaves as one of Non-shareable, Inner or Outer Shareable [DecodeShareability / Unpredictable_Shareability]",
      "",
      "permitted outcomes (2)",
      `  ATTR 0xff SH OSH  ${WB_BOTH}, Outer Shareable  <- S1 SH as OSH, effective SH at stage 1 not applied; S1 SH as OSH, effective SH at stage 1 applied`,
      `  ATTR 0xff SH ISH  ${WB_BOTH}, Inner Shareable  <- S1 SH as NSH, effective SH at stage 1 not applied; S1 SH as NSH, effective SH at stage 1 applied; S1 SH as ISH, effective SH at stage 1 not applied; ... (4 choice combinations)`,
      "",
      "steps for ATTR 0xff SH ISH (S1 SH as NSH, effective SH at stage 1 not applied)",
      `   1. S1DecodeMemAttrs: MAIR Attr 0xff = ${S1_FF}; SH NSH`,
      "      -> Normal o:WB-RWA i:WB-RWA NSH",
    ]);
    expect(lines.at(-1)).toBe("      -> ATTR 0xff, SH 0b11 (ISH)");
    expect(lines.at(-2)).toBe("   6. EncodePARAttrs / PAREncodeShareability: one MAIR nibble per half (outer [7:4], inner [3:0]); SH ISH");
  });

  it("an open ATTR (a reserved stage-1 byte), and the FWB notes", () => {
    const text = formatCombine(combineS1S2(0x10, 3, 0xc, 3, { fwb: true }));
    expect(text).toMatch(/^ {10}ATTR open \(-1\): permitted 0x[0-9a-f]{2}(, 0x[0-9a-f]{2})+$/m);
    expect(text).toContain("note      FWB MemAttr[3] is RES0 without FEAT_MTE_PERM; the ASL ignores it (QEMU forces Device-nGnRnE for 8..15)");
    expect(text).toContain(
      "note      FWB MemAttr[2:0] = 0b100 is reserved in the Arm ARM text; s2pt follows the ASL, which gives it the 0b101 behaviour (QEMU forces Device-nGnRnE, KVM at.c keeps stage 1)",
    );
    // No Linux name for 0x10: the stage-1 line has none in brackets.
    expect(text.split("\n")[0]).toMatch(/^stage 1 {3}MAIR Attr 0x10: reserved/);
  });
});
