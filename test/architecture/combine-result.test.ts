// The explained combine (combineS1S2's result beyond ATTR/SH), stage1ParAttrs
// and the table lookups' argument checks, against the rules of
// shared/reference/arch-attributes.md (sections 1.3, 2.1-2.3, 3, 8). Values
// are worked out in the comments.
import { describe, expect, it } from "vitest";
import { combineAttr, combineAttrSh, combineS1S2, combineSh, stage1ParAttrs } from "../../src/mair/combine.js";
import { InputError } from "../../src/pgtable/u64.js";

describe("open results: reasons, choices, description", () => {
  it("0xFF over the reserved-inner MemAttr 0b0100 with stage-2 SH 0b01: ATTR {0x44, 0x4B, 0x4F}, SH {OSH, ISH}", () => {
    // Outer: WB + NC = NC. Inner: WB + {NC, WT, WB} = NC, WT or WB with stage 1's RWA non-transient hints:
    // nibbles 0x4, 0xB, 0xF. NC/NC is forced to OSH; otherwise ISH (stage 1) with NSH/OSH/ISH gives ISH/OSH/ISH.
    const r = combineS1S2(0xff, 3, 0x4, 1, { fwb: false });
    expect([r.attr, r.sh, r.tagged, r.xs]).toEqual([-1, -1, null, null]);
    expect(r.permitted).toEqual({ attr: [0x44, 0x4b, 0x4f], sh: [2, 3] });
    expect(r.memtype).toBe("Normal-NC | Normal-oNC/iWT | Normal-oNC/iWB");
    expect(r.description).toBe(
      "open: one of Normal-NC (0x44 OSH), Normal-oNC/iWT (0x4b OSH), Normal-oNC/iWT (0x4b ISH), Normal-oNC/iWB (0x4f OSH), Normal-oNC/iWB (0x4f ISH)",
    );
    expect(r.open.attr).toEqual([
      {
        id: "S2RESMEMATTR",
        asl: "S2DecodeCacheability / Unpredictable_S2RESMEMATTR",
        text: "stage-2 MemAttr 0b0100 has the reserved inner cacheability 0b00: it is one of Non-cacheable, Write-Through or Write-Back",
      },
    ]);
    expect(r.open.sh.map((o) => o.id)).toEqual(["S2RESMEMATTR", "S2SH"]);
    expect(r.open.sh[1]).toEqual({
      id: "S2SH",
      asl: "DecodeShareability / Unpredictable_Shareability",
      text: "stage-2 SH 0b01 is reserved: it behaves as one of Non-shareable, Inner or Outer Shareable",
    });
    expect(r.outcomes.map((o) => [o.attr, o.sh, o.count])).toEqual([
      [0x44, 2, 6],
      [0x4b, 2, 2],
      [0x4b, 3, 4],
      [0x4f, 2, 2],
      [0x4f, 3, 4],
    ]);
    expect(r.outcomes[1].choices).toEqual([
      "S2 inner as WT, S2 SH as OSH, effective SH at stage 1 not applied",
      "S2 inner as WT, S2 SH as OSH, effective SH at stage 1 applied",
    ]);
    expect(r.outcomes[1].description).toBe("Normal, outer Non-cacheable, inner Write-Through Read+Write-Allocate non-transient, Outer Shareable");
    expect(r.s2).toEqual({
      memattr: 4,
      sh: 1,
      text: "Normal, outer Non-cacheable, inner reserved (CONSTRAINED UNPREDICTABLE: Non-cacheable, Write-Through or Write-Back)",
      reserved: true,
      linux: "MT_S2_NORMAL_NOTAGACCESS",
    });
    // The trace shown is the first outcome's, and its last step is the PAR encoding.
    expect(r.steps).toBe(r.outcomes[0].steps);
    expect(r.steps.at(-1)?.result).toBe("ATTR 0x44, SH 0b10 (OSH)");
  });
  it("more than eight choice combinations to one outcome: eight listed, then the count", () => {
    // Stage-1 SH 0b01 (3 values) x stage-2 inner NC x stage-2 SH 0b01 (3) x effective SH (2) = 18, all NC/NC 0x44 OSH.
    const r = combineS1S2(0xff, 1, 0x4, 1, { fwb: false });
    const nc = r.outcomes[0];
    expect([nc.attr, nc.sh, nc.count]).toEqual([0x44, 2, 18]);
    expect(nc.choices.length).toBe(9);
    expect(nc.choices[0]).toBe("S1 SH as NSH, S2 inner as NC, S2 SH as NSH, effective SH at stage 1 not applied");
    expect(nc.choices[8]).toBe("... (18 choice combinations in all)");
  });
  it("exactly six outcomes are still listed one by one: 0xFF SH 0b01 over MemAttr 0b1000 (outer WT, inner reserved) ISH", () => {
    // Outer WB + WT = WT with stage 1's RWA non-transient hints (0xB); inner WB + {NC, WT, WB} = 0x4, 0xB, 0xF;
    // SH: stage 1 NSH/OSH/ISH with ISH gives ISH/OSH/ISH. 3 ATTR x 2 SH = 6 outcomes.
    const r = combineS1S2(0xff, 1, 0x8, 3, { fwb: false });
    expect(r.outcomes.length).toBe(6);
    expect(r.description).toBe(
      "open: one of Normal-oWT/iNC (0xb4 OSH), Normal-oWT/iNC (0xb4 ISH), Normal-WT (0xbb OSH), Normal-WT (0xbb ISH), Normal-oWT/iWB (0xbf OSH), Normal-oWT/iWB (0xbf ISH)",
    );
  });
  it("exactly eight choice combinations to one outcome are all listed, with no count line", () => {
    // Reserved 0x10 over WT/WT (0b1010), NSH/NSH: the bytes 0x11, 0x15, 0x51, 0x55 (outer and inner WT or WB, Write-Allocate
    // transient) all become WT Write-Allocate transient on both halves, PAR 0x11, NSH: 4 bytes x 2 (effective SH) = 8.
    const o = combineS1S2(0x10, 0, 0xa, 0, { fwb: false }).outcomes.find((x) => x.attr === 0x11);
    expect([o?.sh, o?.count]).toEqual([0, 8]);
    expect(o?.choices).toEqual([
      "0x10 as 0x11, effective SH at stage 1 not applied",
      "0x10 as 0x11, effective SH at stage 1 applied",
      "0x10 as 0x15, effective SH at stage 1 not applied",
      "0x10 as 0x15, effective SH at stage 1 applied",
      "0x10 as 0x51, effective SH at stage 1 not applied",
      "0x10 as 0x51, effective SH at stage 1 applied",
      "0x10 as 0x55, effective SH at stage 1 not applied",
      "0x10 as 0x55, effective SH at stage 1 applied",
    ]);
  });
  it("the options object is named when it is not one", () => {
    expect(() => combineS1S2(0, 0, 0, 0, null as never)).toThrow(/^opts: null is not an object/);
  });
  it("a reserved stage-1 byte (0x10: inner 0b0000 under outer 0b0001) opens both columns with RESMAIR; many outcomes are summarised", () => {
    const r = combineS1S2(0x10, 0, 0xf, 0, { fwb: false });
    expect(r.open.attr.map((o) => o.id)).toEqual(["RESMAIR"]);
    expect(r.open.attr[0].asl).toBe("S1ConstrainUnpredictableRESMAIR / Unpredictable_RESMAIR");
    expect(r.open.attr[0].text).toMatch(
      /^stage-1 Attr 0x10 is reserved \(.+\): the access gets the attributes of some valid encoding, and software cannot rely on which$/,
    );
    expect(r.s1.reserved).toBe(true);
    // Device-nGnRnE (0x00) is one of the valid bytes it may stand for: Device, forced OSH.
    expect(r.outcomes[0]).toMatchObject({ attr: 0x00, sh: 2, memtype: "Device-nGnRnE", description: "Device-nGnRnE, Outer Shareable" });
    expect(r.outcomes[0].choices).toEqual(["0x10 as 0x00, effective SH at stage 1 not applied", "0x10 as 0x00, effective SH at stage 1 applied"]);
    expect(r.description).toMatch(/^open: one of \d+ ATTR values \(Device-nGnRnE, Device-nGnRE, Device-nGRE, Device-GRE, Normal-/);
  });
  it("only the SH column open (FWB 0b110 over NC, section 3.3): ATTR 0xFF, XS 0, untagged, 'shareability open: OSH or ISH'", () => {
    const r = combineS1S2(0x44, 3, 6, 3, { fwb: true, xs: true });
    expect([r.attr, r.sh, r.tagged, r.xs]).toEqual([0xff, -1, false, 0]);
    expect(r.description).toBe("Normal, inner and outer Write-Back Read+Write-Allocate non-transient, XS=0; shareability open: OSH or ISH");
    expect(r.open).toEqual({
      attr: [],
      sh: [
        {
          id: "IMPDEF_S1_SH",
          asl: 'AArch64.S1Translate / IMPLEMENTATION DEFINED "Apply effective shareability at stage 1"',
          text: "whether stage 1 hands stage 2 its descriptor shareability or its effective shareability (OSH for Device and Normal NC/NC) is IMPLEMENTATION DEFINED",
        },
      ],
    });
  });
  it("the stage-1 SH and S1CTAGGED reasons read as the architecture says", () => {
    expect(combineS1S2(0xff, 1, 0xf, 3, { fwb: false }).open.sh).toEqual([
      {
        id: "S1SH",
        asl: "DecodeShareability / Unpredictable_Shareability",
        text: "stage-1 SH 0b01 is reserved: it behaves as one of Non-shareable, Inner or Outer Shareable",
      },
    ]);
    expect(combineS1S2(0xf0, 3, 6, 3, { fwb: true, sctlrC: false }).open.attr).toEqual([
      {
        id: "S1CTAGGED",
        asl: "AArch64.S1Translate / Unpredictable_S1CTAGGED",
        text: "with SCTLR_EL1.C = 0 it is CONSTRAINED UNPREDICTABLE whether Tagged memory stays Tagged",
      },
    ]);
  });
});

describe("determined results: tagged, XS, notes, inputs", () => {
  it("tagged: 0xF0 over WB is Allocation Tagged; 0xFF is not", () => {
    expect(combineS1S2(0xf0, 3, 0xf, 3, { fwb: false }).tagged).toBe(true);
    expect(combineS1S2(0xff, 3, 0xf, 3, { fwb: false }).tagged).toBe(false);
  });
  it("FEAT_XS: Device-nGnRE with XS 1 on both stages keeps XS 1; PAR bit 0 = NOT XS = 0: 0x04", () => {
    const r = combineS1S2(0x04, 3, 0x1, 3, { fwb: false, xs: true });
    expect([r.attr, r.sh, r.xs, r.description]).toEqual([0x04, 2, 1, "Device-nGnRE, XS=1, Outer Shareable"]);
    expect(r.steps.at(-1)?.rule).toBe("Device 0b0000dd0x with dd = 01, bit 0 = NOT XS = 0; SH forced to OSH (Device / Normal NC-NC)");
  });
  it("FEAT_XS: WT/WT with outer RA non-transient and XS 0 reports 0xA0 (section 8)", () => {
    const r = combineS1S2(0xa0, 3, 0xa, 3, { fwb: false, xs: true });
    expect([r.attr, r.sh, r.xs]).toEqual([0xa0, 3, 0]);
    expect(r.steps.at(-1)?.rule).toBe("XS = 0 WT/WT with outer RA non-transient reports 0xA0 (inner hints not reported); SH ISH");
  });
  it("FEAT_XS: NC/NC with XS 0 reports 0x40 (FWB 0b100 over 0xFF); the reserved-0b100 note", () => {
    const r = combineS1S2(0xff, 3, 0x4, 3, { fwb: true, xs: true });
    expect([r.attr, r.sh, r.xs]).toEqual([0x40, 2, 0]);
    expect(r.steps.at(-1)?.rule).toBe("XS = 0 Normal NC/NC reports 0x40; SH forced to OSH (Device / Normal NC-NC)");
    expect(r.notes).toEqual([
      "FWB MemAttr[2:0] = 0b100 is reserved in the Arm ARM text; s2pt follows the ASL, which gives it the 0b101 behaviour (QEMU forces Device-nGnRnE, KVM at.c keeps stage 1)",
    ]);
    expect(r.s2.reserved).toBe(true);
    expect(r.s2.linux).toBeNull();
  });
  it("FWB MemAttr 0b1100: bit 3 is RES0 and ignored, so it is 0b100 (the 0b101 arm): NC/NC 0x44, both notes", () => {
    const r = combineS1S2(0xff, 3, 0xc, 3, { fwb: true });
    expect([r.attr, r.sh]).toEqual([0x44, 2]);
    expect(r.notes).toEqual([
      "FWB MemAttr[2:0] = 0b100 is reserved in the Arm ARM text; s2pt follows the ASL, which gives it the 0b101 behaviour (QEMU forces Device-nGnRnE, KVM at.c keeps stage 1)",
      "FWB MemAttr[3] is RES0 without FEAT_MTE_PERM; the ASL ignores it (QEMU forces Device-nGnRnE for 8..15)",
    ]);
    // FWB 0b1111: bit 3 ignored, 0b111 uses stage 1: 0xFF ISH, only the bit-3 note.
    const s = combineS1S2(0xff, 3, 0xf, 3, { fwb: true });
    expect([s.attr, s.sh, s.notes.length]).toEqual([0xff, 3, 1]);
  });
  it("HCR_EL2.DC = 1: the stage-1 byte is not used (a reserved byte is then not reported reserved), with a note", () => {
    // Stage 1 outputs WB RWA NSH; with stage-2 WB ISH: 0xFF ISH.
    const r = combineS1S2(0x10, 0, 0xf, 3, { fwb: false, hcrDC: true });
    expect([r.attr, r.sh]).toEqual([0xff, 3]);
    expect(r.s1.reserved).toBe(false);
    expect(r.s1.text).toMatch(/ \(not used: HCR_EL2\.DC = 1\)$/);
    expect(r.notes).toEqual(["HCR_EL2.DC = 1: the stage-1 Attr byte and SH are not used"]);
    expect(r.outcomes.map((o) => [o.count, o.choices])).toEqual([[1, []]]);
  });
});

describe("stage1ParAttrs (AT S1E1x: the stage-1 attributes alone)", () => {
  it("0xFF with SH 0b01: ATTR 0xFF, SH one of NSH, OSH, ISH (open)", () => {
    expect(stage1ParAttrs(0xff, 1)).toEqual({ attr: 0xff, sh: -1, memtype: "Normal-WB", permitted: { attr: [0xff], sh: [0, 2, 3] } });
  });
  it("Device-nGnRE ISH: 0x04 OSH; HCR_EL2.DC with DCT: Tagged WB NSH, 0xF0", () => {
    expect(stage1ParAttrs(0x04, 3)).toEqual({ attr: 0x04, sh: 2, memtype: "Device-nGnRE", permitted: { attr: [0x04], sh: [2] } });
    expect(stage1ParAttrs(0xff, 3, { hcrDC: true, hcrDCT: true })).toEqual({ attr: 0xf0, sh: 0, memtype: "Normal-WB", permitted: { attr: [0xf0], sh: [0] } });
  });
  it("the memory types of every permitted outcome, joined: a reserved byte stands for Device and Normal ones", () => {
    expect(stage1ParAttrs(0x10, 3).memtype).toMatch(/^Device-nGnRnE \| Device-nGnRE \| Device-nGRE \| Device-GRE \| Normal-/);
  });
  it("permitted values in ascending order: reserved 0x01 (Device with bits 1:0 = 01 without FEAT_XS) stands for every valid byte", () => {
    // Device bytes are OSH (2), Normal bytes keep NSH (0): SH {0, 2}.
    expect(stage1ParAttrs(0x01, 0).permitted.sh).toEqual([0, 2]);
    // An instruction fetch makes the Device bytes Normal NC (0x44); the Normal bytes keep their own ATTR, the lowest 0x11.
    const a = stage1ParAttrs(0x01, 0, { ifetch: true }).permitted.attr;
    expect(a[0]).toBe(0x11);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(a).toContain(0x44);
  });
  it("checks its arguments", () => {
    expect(() => stage1ParAttrs(256, 0)).toThrow("s1Attr: 256 is not a MAIR Attr byte in 0..255");
    expect(() => stage1ParAttrs(0, 4)).toThrow("s1Sh: 4 is not an SH value in 0..3");
    expect(() => stage1ParAttrs(0, 0, null as never)).toThrow("opts: null is not an object");
  });
});

describe("the table lookups' argument checks (the table values are test/architecture/combine.test.ts's)", () => {
  it("each argument is checked, by name", () => {
    expect(() => combineAttr(256, 0, 0, 0, false)).toThrow("s1Attr: 256 is not a MAIR Attr byte in 0..255");
    expect(() => combineAttr(-1, 0, 0, 0, false)).toThrow("s1Attr: -1 is not a MAIR Attr byte in 0..255");
    expect(() => combineSh(1.5, 0, 0, 0, false)).toThrow("s1Attr: 1.5 is not a MAIR Attr byte in 0..255");
    expect(() => combineAttrSh("1" as never, 0, 0, 0, false)).toThrow('s1Attr: "1" is not a MAIR Attr byte in 0..255');
    expect(() => combineAttr(0, 4, 0, 0, false)).toThrow("s1Sh: 4 is not an SH value in 0..3");
    expect(() => combineSh(0, 0, 16, 0, false)).toThrow("s2MemAttr: 16 is not a stage-2 MemAttr in 0..15");
    expect(() => combineAttrSh(0, 0, 0, 4, false)).toThrow("s2Sh: 4 is not an SH value in 0..3");
    expect(() => combineAttr(0, 0, 0, 0, 1 as never)).toThrow("fwb: 1 is not a boolean (true or false)");
    expect(() => combineSh(0, 0, 0, 0, false, 1 as never)).toThrow("xs: 1 is not a boolean (true or false)");
    expect(() => combineAttrSh(0, 0.5, 0, 0, false)).toThrow("s1Sh: 0.5 is not an SH value in 0..3");
    // A BigInt is not a number: refused by name, not a TypeError from the shift.
    expect(() => combineAttr(1n as never, 0, 0, 0, false)).toThrow("s1Attr: 1n is not a MAIR Attr byte in 0..255");
    expect(() => combineAttr(0, 1n as never, 0, 0, false)).toThrow("s1Sh: 1n is not an SH value in 0..3");
    expect(() => combineAttr(0, 0, 1n as never, 0, false)).toThrow("s2MemAttr: 1n is not a stage-2 MemAttr in 0..15");
    expect(() => combineAttr(0, 0, 0, 1n as never, false)).toThrow("s2Sh: 1n is not an SH value in 0..3");
    expect(() => combineSh(0, 0, -1, 0, false)).toThrow("s2MemAttr: -1 is not a stage-2 MemAttr in 0..15");
    expect(() => combineSh(0, 0, 1.5, 0, false)).toThrow("s2MemAttr: 1.5 is not a stage-2 MemAttr in 0..15");
    expect(() => combineAttr(0, 0, 2 ** 32 + 1, 0, false)).toThrow("s2MemAttr");
    expect(() => combineAttr(0, 0, 0, -1, false)).toThrow("s2Sh");
  });
  it("combineS1S2 refuses out-of-range fields with an InputError naming the field", () => {
    expect(() => combineS1S2(256, 0, 0, 0, { fwb: false })).toThrow(new InputError("stage-1 Attr 256 is not a byte (0..0xff)"));
    expect(() => combineS1S2(-1, 0, 0, 0, { fwb: false })).toThrow("stage-1 Attr -1 is not a byte (0..0xff)");
    expect(() => combineS1S2(0.5, 0, 0, 0, { fwb: false })).toThrow("stage-1 Attr 0.5 is not a byte (0..0xff)");
    expect(() => combineS1S2(0, 0, 16, 0, { fwb: false })).toThrow("stage-2 MemAttr 16 is not 4 bits (0..0xf)");
    expect(() => combineS1S2(0, 0, -1, 0, { fwb: false })).toThrow("stage-2 MemAttr -1 is not 4 bits (0..0xf)");
    expect(() => combineS1S2(0, 4, 0, 0, { fwb: false })).toThrow("stage-1 SH 4 is not 2 bits (0..3)");
    expect(() => combineS1S2(0, -1, 0, 0, { fwb: false })).toThrow("stage-1 SH -1 is not 2 bits (0..3)");
    expect(() => combineS1S2(0, 0, 0, 4, { fwb: false })).toThrow("stage-2 SH 4 is not 2 bits (0..3)");
    expect(() => combineS1S2(0, 0, 0, -1, { fwb: false })).toThrow("stage-2 SH -1 is not 2 bits (0..3)");
    // The bounds themselves are accepted.
    expect(combineS1S2(0xff, 3, 0xf, 3, { fwb: false }).attr).toBe(0xff);
    expect(combineS1S2(0, 0, 0, 0, { fwb: false }).attr).toBe(0);
  });
});
