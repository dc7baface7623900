// formatCombine (src/mair/format.ts) on the shapes of result the first
// file (combine-format.test.ts) does not reach: a determined ATTR 0x00 and
// SH 0b00, an open ATTR with a determined SH, outcome lists of 3, 4, 5 and 7,
// and an outcome reached by exactly three choice combinations. Every expected
// line is worked by hand from arch-attributes.md:
//  - S2 MemAttr 0b1000 without FWB is outer Write-Through with the reserved
//    inner 0b00, which is one of NC, WT, WB (section 2.1); with S1 0xFF (WB
//    RWA both halves) each half takes the weaker cacheability with stage 1's
//    hints (3.1): outer WT-RWA (0xB), inner NC (0x4), WT-RWA (0xB) or WB-RWA
//    (0xF), so ATTR 0xB4, 0xBB or 0xBF. SH NSH with NSH is NSH, and outer WT
//    is not NC/NC, so it stays Non-shareable.
//  - A reserved S1 byte (0x01 without FEAT_XS, section 1.3) over S2 Device-GRE
//    is Device whatever it stands for: the stage-1 type when stage 1 is Device
//    (the more restrictive of it and GRE), else GRE: four outcomes, 0x00, 0x04,
//    0x08, 0x0C, all Outer Shareable (3.1). With FWB MemAttr 0b100 (the 0b101
//    arm, 2.2) a Normal stand-in gives Normal NC/NC (0x44) instead: five.
//  - HCR_EL2.DC = 1 (3.4) makes stage 1 Normal WB RWA, Non-shareable; over
//    S2 0b0100 (outer NC, inner reserved) with SH 0b01 (one of NSH, OSH, ISH):
//    inner NC gives NC/NC, Outer Shareable for all three SH choices (one
//    outcome, three choice combinations); inner WT or WB gives 0x4B or 0x4F
//    with the stage-2 SH chosen: 1 + 3 + 3 = 7 outcomes.
import { describe, expect, it } from "vitest";
import { combineS1S2 } from "../../src/mair/combine.js";
import { formatCombine } from "../../src/mair/format.js";

const S1_FF =
  "Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111)";
const EFF = (applied: boolean): string => `effective SH at stage 1 ${applied ? "applied" : "not applied"}`;

describe("formatCombine: determined results at the edges of the encodings", () => {
  it("ATTR 0x00 (Device-nGnRnE) is a determined value, not an open one", () => {
    // S1 0x00 + S2 0b0000: Device-nGnRnE either way, forced Outer Shareable (3.1, 3.5 row 0x00).
    const lines = formatCombine(combineS1S2(0x00, 3, 0x0, 3, { fwb: false })).split("\n");
    expect(lines.slice(-2)).toEqual([
      "result    Device-nGnRnE, Outer Shareable",
      "          Device-nGnRnE; PAR_EL1.ATTR[63:56] = 0x00, PAR_EL1.SH[8:7] = 0b10",
    ]);
  });

  it("SH 0b00 (Non-shareable) is a determined value, and a stage 2 with no Linux name has none in brackets", () => {
    // S1 0xFF NSH + S2 0b1010 (WT/WT, no MT_S2_* name) NSH: WT with stage 1's RWA hints, 0xBB, NSH (3.1).
    const lines = formatCombine(combineS1S2(0xff, 0, 0xa, 0, { fwb: false })).split("\n");
    expect(lines[1]).toBe("stage 2   MemAttr 0xa (FWB off): Normal, inner and outer Write-Through; SH NSH");
    expect(lines.slice(-2)).toEqual([
      "result    Normal, inner and outer Write-Through Read+Write-Allocate non-transient, Non-shareable",
      "          Normal-WT; PAR_EL1.ATTR[63:56] = 0xbb, PAR_EL1.SH[8:7] = 0b00",
    ]);
  });
});

describe("formatCombine: open results", () => {
  it("an open ATTR with a determined SH 0b00: the reason, the SH in binary, three outcomes and the steps of the last two", () => {
    const lines = formatCombine(combineS1S2(0xff, 0, 0x8, 0, { fwb: false })).split("\n");
    expect(lines.slice(0, 5)).toEqual([
      `stage 1   MAIR Attr 0xff (MAIR_ATTR_NORMAL): ${S1_FF}; SH NSH`,
      "stage 2   MemAttr 0x8 (FWB off): Normal, outer Write-Through, inner reserved (CONSTRAINED UNPREDICTABLE: Non-cacheable, Write-Through or Write-Back); SH NSH",
      "config    FWB=0, FEAT_XS off, FEAT_MTE2 on, data access",
      "",
      "steps (for the first permitted outcome; 3 in all, below)",
    ]);
    const at = lines.indexOf("result    open: one of Normal-oWT/iNC (0xb4 NSH), Normal-WT (0xbb NSH), Normal-oWT/iWB (0xbf NSH)");
    expect(at).toBeGreaterThan(5);
    expect(lines.slice(at + 1, at + 10)).toEqual([
      "          ATTR open (-1): permitted 0xb4, 0xbb, 0xbf",
      "            because stage-2 MemAttr 0b1000 has the reserved inner cacheability 0b00: it is one of Non-cacheable, Write-Through or Write-Back [S2DecodeCacheability / Unpredictable_S2RESMEMATTR]",
      "          SH   0b00 (Non-shareable)",
      "",
      "permitted outcomes (3)",
      `  ATTR 0xb4 SH NSH  Normal, outer Write-Through Read+Write-Allocate non-transient, inner Non-cacheable, Non-shareable  <- S2 inner as NC, ${EFF(false)}; S2 inner as NC, ${EFF(true)}`,
      `  ATTR 0xbb SH NSH  Normal, inner and outer Write-Through Read+Write-Allocate non-transient, Non-shareable  <- S2 inner as WT, ${EFF(false)}; S2 inner as WT, ${EFF(true)}`,
      `  ATTR 0xbf SH NSH  Normal, outer Write-Through Read+Write-Allocate non-transient, inner Write-Back Read+Write-Allocate non-transient, Non-shareable  <- S2 inner as WB, ${EFF(false)}; S2 inner as WB, ${EFF(true)}`,
      "",
    ]);
    expect(lines.filter((l) => l.startsWith("steps for "))).toEqual([
      `steps for ATTR 0xbb SH NSH (S2 inner as WT, ${EFF(false)})`,
      `steps for ATTR 0xbf SH NSH (S2 inner as WB, ${EFF(false)})`,
    ]);
    expect(lines.at(-1)).toBe("      -> ATTR 0xbf, SH 0b00 (NSH)");
  });

  it("an open ATTR with a determined SH 0b10 over stage-2 Device: four outcomes, each with its steps after the first", () => {
    const text = formatCombine(combineS1S2(0x01, 0, 0x3, 0, { fwb: false }));
    const lines = text.split("\n");
    expect(lines).toContain("          SH   0b10 (Outer Shareable)");
    expect(lines).toContain("permitted outcomes (4)");
    expect(lines.filter((l) => l.startsWith("steps for "))).toEqual([
      `steps for ATTR 0x04 SH OSH (0x01 as 0x04, ${EFF(false)})`,
      `steps for ATTR 0x08 SH OSH (0x01 as 0x08, ${EFF(false)})`,
      `steps for ATTR 0x0c SH OSH (0x01 as 0x0c, ${EFF(false)})`,
    ]);
  });

  it("five outcomes: the outcomes listed, no per-outcome steps", () => {
    const lines = formatCombine(combineS1S2(0x01, 0, 0x4, 0, { fwb: true })).split("\n");
    expect(lines).toContain("permitted outcomes (5)");
    expect(lines.filter((l) => l.startsWith("  ATTR ")).map((l) => l.slice(0, 17))).toEqual([
      "  ATTR 0x00 SH OS",
      "  ATTR 0x04 SH OS",
      "  ATTR 0x08 SH OS",
      "  ATTR 0x0c SH OS",
      "  ATTR 0x44 SH OS",
    ]);
    expect(lines.filter((l) => l.startsWith("steps for "))).toEqual([]);
  });

  it("an outcome reached by exactly three choice combinations lists all three and no count", () => {
    const lines = formatCombine(combineS1S2(0xff, 0, 0x4, 1, { fwb: false, hcrDC: true })).split("\n");
    expect(lines).toContain("permitted outcomes (7)");
    expect(lines).toContain(
      "  ATTR 0x44 SH OSH  Normal, inner and outer Non-cacheable, Outer Shareable  <- S2 inner as NC, S2 SH as NSH; S2 inner as NC, S2 SH as OSH; S2 inner as NC, S2 SH as ISH",
    );
    expect(lines).toContain(
      "  ATTR 0x4b SH NSH  Normal, outer Non-cacheable, inner Write-Through Read+Write-Allocate non-transient, Non-shareable  <- S2 inner as WT, S2 SH as NSH",
    );
    expect(lines.filter((l) => l.startsWith("steps for "))).toEqual([]);
    expect(lines.at(-1)).toBe("note      HCR_EL2.DC = 1: the stage-1 Attr byte and SH are not used");
  });
});

describe("formatCombine: its argument", () => {
  it("refuses a result that is not an object, naming the argument", () => {
    expect(() => formatCombine(null as never)).toThrow(/^r: null is not an object$/);
  });
});
