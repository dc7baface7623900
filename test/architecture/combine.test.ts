// The stage-1 + stage-2 attribute combine against the Arm ASL, as the reference
// documents record it: every row of combine-sample.json (FEAT_XS on) and
// combine-sample-noxs.json (FEAT_XS off), the worked examples of
// arch-attributes.md section 3.5 (ASL column) and section 8 (ASL column),
// the full-table counts of section 7, and hand-worked cases for the optional
// controls (section 3.4), each citing the ASL rule.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { combineAttrSh, combineIndex, combineS1S2, combineTable, combineTableRows, type CombineOptions } from "../../src/mair/combine.js";
import { s1AttrReserved, validS1Attrs } from "../../src/mair/mair.js";
import { s2InnerReserved } from "../../src/mair/s2memattr.js";
import { fixtures, readJson } from "../helpers.js";

interface Sample {
  fields: string[];
  config: string;
  rows: number[][];
}

const samples: Array<[string, boolean]> = [
  ["combine-sample.json", true],
  ["combine-sample-noxs.json", false],
];

describe.each(samples)("%s: every row", (file, xs) => {
  const s = readJson<Sample>(join(fixtures, "reference", file));
  it("has the documented shape and configuration", () => {
    expect(s.fields).toEqual(["s1_attr", "s1_sh", "s2_memattr", "s2_sh", "fwb", "attr", "sh"]);
    expect(s.config).toContain(xs ? "FEAT_XS=1" : "FEAT_XS=0");
    expect(s.rows.length).toBe(2467);
  });
  it("the table (combineAttrSh) gives every row", () => {
    const bad: string[] = [];
    for (const [a, s1, m, s2, f, attr, sh] of s.rows) {
      const got = combineAttrSh(a, s1, m, s2, f === 1, xs);
      if (got[0] !== attr || got[1] !== sh) bad.push(`${[a, s1, m, s2, f].join(",")}: want ${attr},${sh} got ${got.join(",")}`);
    }
    expect(bad).toEqual([]);
  });
  it("the explained combine (combineS1S2) gives every row", () => {
    const bad: string[] = [];
    for (const [a, s1, m, s2, f, attr, sh] of s.rows) {
      const r = combineS1S2(a, s1, m, s2, { fwb: f === 1, xs });
      if (r.attr !== attr || r.sh !== sh) bad.push(`${[a, s1, m, s2, f].join(",")}: want ${attr},${sh} got ${r.attr},${r.sh}`);
      // An open column always names a reason and lists more than one permitted value.
      if (r.attr === -1) expect(r.open.attr.length > 0 && r.permitted.attr.length > 1).toBe(true);
      if (r.sh === -1) expect(r.open.sh.length > 0 && r.permitted.sh.length > 1).toBe(true);
    }
    expect(bad).toEqual([]);
  });
});

// arch-attributes.md 3.5, ASL column, s1_sh = s2_sh = ISH, FEAT_XS on (0x05/0x0D/0x40 are XS forms).
// A cell without SH in the document is a Device or NC/NC result: PAREncodeShareability reports OSH.
const ISH = 3;
const OSH = 2;
const OPEN = -1;
const worked0: Array<[number, Array<[number, number, number]>]> = [
  // S1 MAIR, [S2 MemAttr, attr, sh] for S2 0xF (WB), 0x5 (NC), 0x1 (nGnRE), 0x3 (GRE), 0xA (WT)
  [
    0x00,
    [
      [0xf, 0x00, OSH],
      [0x5, 0x00, OSH],
      [0x1, 0x00, OSH],
      [0x3, 0x00, OSH],
      [0xa, 0x00, OSH],
    ],
  ],
  [
    0x0c,
    [
      [0xf, 0x0c, OSH],
      [0x5, 0x0c, OSH],
      [0x1, 0x04, OSH],
      [0x3, 0x0c, OSH],
      [0xa, 0x0c, OSH],
    ],
  ],
  [
    0x44,
    [
      [0xf, 0x44, OSH],
      [0x5, 0x44, OSH],
      [0x1, 0x04, OSH],
      [0x3, 0x0c, OSH],
      [0xa, 0x44, OSH],
    ],
  ],
  [
    0x77,
    [
      [0xf, 0x77, ISH],
      [0x5, 0x40, OSH],
      [0x1, 0x05, OSH],
      [0x3, 0x0d, OSH],
      [0xa, 0x33, ISH],
    ],
  ],
  [
    0xff,
    [
      [0xf, 0xff, ISH],
      [0x5, 0x40, OSH],
      [0x1, 0x05, OSH],
      [0x3, 0x0d, OSH],
      [0xa, 0xbb, ISH],
    ],
  ],
  [
    0xf0,
    [
      [0xf, 0xf0, ISH],
      [0x5, 0x40, OSH],
      [0x1, 0x05, OSH],
      [0x3, 0x0d, OSH],
      [0xa, 0xbb, ISH],
    ],
  ],
];
const worked1: Array<[number, Array<[number, number, number]>]> = [
  // S2 6 (force WB), 5 (NC / S1 Device), 1 (nGnRE), 7 (S1), 4 (reserved: the ASL's 0b101 arm)
  [
    0x00,
    [
      [6, 0xff, OPEN],
      [5, 0x00, OSH],
      [1, 0x00, OSH],
      [7, 0x00, OSH],
      [4, 0x00, OSH],
    ],
  ],
  [
    0x44,
    [
      [6, 0xff, OPEN],
      [5, 0x44, OSH],
      [1, 0x04, OSH],
      [7, 0x44, OSH],
      [4, 0x44, OSH],
    ],
  ],
  [
    0xa0,
    [
      [6, 0xee, ISH],
      [5, 0x40, OSH],
      [1, 0x05, OSH],
      [7, 0xa0, ISH],
      [4, 0x40, OSH],
    ],
  ],
  [
    0x77,
    [
      [6, 0x77, ISH],
      [5, 0x40, OSH],
      [1, 0x05, OSH],
      [7, 0x77, ISH],
      [4, 0x40, OSH],
    ],
  ],
  [
    0xff,
    [
      [6, 0xff, ISH],
      [5, 0x40, OSH],
      [1, 0x05, OSH],
      [7, 0xff, ISH],
      [4, 0x40, OSH],
    ],
  ],
];

describe("arch-attributes.md 3.5 worked examples (ASL column)", () => {
  for (const [fwb, table] of [
    [false, worked0],
    [true, worked1],
  ] as const) {
    for (const [s1, cells] of table) {
      for (const [s2, attr, sh] of cells) {
        it(`FWB=${fwb ? 1 : 0} S1 0x${s1.toString(16)} + S2 0x${s2.toString(16)} -> 0x${attr.toString(16)} ${sh}`, () => {
          const r = combineS1S2(s1, ISH, s2, ISH, { fwb, xs: true });
          expect([r.attr, r.sh]).toEqual([attr, sh]);
          expect(combineAttrSh(s1, ISH, s2, ISH, fwb, true)).toEqual([attr, sh]);
        });
      }
    }
  }
  it("the FWB force-WB shareability is open only for the IMPLEMENTATION DEFINED stage-1 choice", () => {
    const r = combineS1S2(0x00, ISH, 6, ISH, { fwb: true });
    expect(r.open.sh.map((o) => o.id)).toEqual(["IMPDEF_S1_SH"]);
    expect(r.permitted.sh).toEqual([OSH, ISH]);
  });
});

// arch-attributes.md section 8, "Example" column: (s1_attr, s1_sh, s2_memattr, s2_sh, fwb) -> ASL value (FEAT_XS on).
const section8: Array<[string, [number, number, number, number, number], number, number | null]> = [
  ["F1", [0x00, 0, 0xe, 2, 1], 0xff, OSH],
  ["U0", [0x00, 0, 0x6, 0, 1], 0xff, OPEN],
  ["X1", [0xff, 3, 0x1, 3, 0], 0x05, null],
  ["N1", [0x15, 0, 0x6, 0, 0], 0x41, null],
  ["F4", [0x04, 0, 0x4, 0, 1], 0x04, null],
  ["U1", [0x02, 0, 0x5, 0, 1], OPEN, null],
  ["D3", [0x14, 0, 0x2, 0, 0], 0x08, null],
  ["D1", [0x01, 0, 0x1, 0, 0], 0x01, null],
  ["U2", [0x00, 0, 0xe, 0, 1], 0xff, OPEN],
  ["F2", [0x00, 0, 0x1, 0, 1], 0x00, null],
  ["D2", [0x08, 0, 0x5, 0, 0], 0x08, null],
  ["X2", [0xe5, 0, 0xa, 0, 0], 0xa0, null],
  ["S1", [0x40, 0, 0x4, 0, 0], 0x40, OSH],
  ["N2", [0xa0, 0, 0x6, 0, 0], 0x4a, null],
  ["F3", [0xa0, 0, 0x6, 0, 1], 0xee, null],
];

describe("arch-attributes.md section 8 examples (ASL value)", () => {
  it.each(section8)("%s", (_, [a, s1, m, s2, f], attr, sh) => {
    const r = combineS1S2(a, s1, m, s2, { fwb: f === 1, xs: true });
    expect(r.attr).toBe(attr);
    if (sh !== null) expect(r.sh).toBe(sh);
  });
});

describe("arch-attributes.md 1.3: the reserved stage-1 bytes", () => {
  const base = [0x02, 0x03, 0x06, 0x07, 0x0a, 0x0b, 0x0e, 0x0f, 0x10, 0x20, 0x30, 0x50, 0x60, 0x70, 0x80, 0x90, 0xb0, 0xc0, 0xd0, 0xe0];
  const reserved = (f: { xs: boolean; mte2: boolean }): number[] => [...Array(256).keys()].filter((a) => s1AttrReserved(a, f));
  it("FEAT_XS + FEAT_MTE2: exactly the 20 listed", () => expect(reserved({ xs: true, mte2: true })).toEqual(base));
  it("without FEAT_XS: add 0x01 0x05 0x09 0x0D 0x40 0xA0 (26)", () =>
    expect(reserved({ xs: false, mte2: true })).toEqual([...base, 0x01, 0x05, 0x09, 0x0d, 0x40, 0xa0].sort((x, y) => x - y)));
  it("without FEAT_MTE2 as well: add 0xF0 (27)", () => expect(reserved({ xs: false, mte2: false })).toHaveLength(27));
  it("validS1Attrs is the complement", () => expect(validS1Attrs({ xs: true, mte2: true })).toHaveLength(236));
});

describe("arch-attributes.md section 7: the full table (FEAT_XS on)", () => {
  const t = combineTable({ xs: true });
  const rows = [...combineTableRows(t)];
  it("73,728 rows in the documented order (fwb fastest, then s2_sh, s2_memattr, s1_sh, s1_attr)", () => {
    expect(rows).toHaveLength(73728);
    expect(rows.slice(0, 3).map((r) => r.slice(0, 5))).toEqual([
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 2, 0],
    ]);
    expect(rows[6].slice(0, 5)).toEqual([0, 0, 1, 0, 0]);
    expect(rows[6 * 16].slice(0, 5)).toEqual([0, 2, 0, 0, 0]);
    expect(rows[6 * 16 * 3].slice(0, 5)).toEqual([1, 0, 0, 0, 0]);
    expect(rows[73727].slice(0, 5)).toEqual([255, 3, 15, 3, 1]);
  });
  it("attr = -1 on 11,484 rows and sh = -1 on 2,240", () => {
    expect(rows.filter((r) => r[5] === -1).length).toBe(11484);
    expect(rows.filter((r) => r[6] === -1).length).toBe(2240);
  });
  it("80 sh = -1 rows are the FWB-0b110 IMPLEMENTATION DEFINED shareability alone", () => {
    // Rows with no reserved input (valid S1 byte, no reserved S2 cacheability): only the IMPDEF
    // "Apply effective shareability at stage 1" choice is left. By hand: FWB MemAttr 6 or 14
    // (force WB) x S1 Device or NC/NC (0x00 0x04 0x08 0x0C 0x01 0x05 0x09 0x0D 0x44 0x40 = 10)
    // x s1_sh in {NSH, ISH} x s2_sh in {NSH, ISH} (an OSH on either side is OSH both ways) = 80.
    const impdefOnly = rows.filter((r) => r[6] === -1 && !s1AttrReserved(r[0], { xs: true, mte2: true }) && (r[4] === 1 || !s2InnerReserved(r[2])));
    expect(impdefOnly.length).toBe(80);
    for (const r of impdefOnly) {
      expect(r[2] & 7).toBe(6);
      expect([0x00, 0x04, 0x08, 0x0c, 0x01, 0x05, 0x09, 0x0d, 0x44, 0x40]).toContain(r[0]);
    }
  });
  it("without FEAT_XS the same count is 40 (5 bytes: 0x01/0x05/0x09/0x0D/0x40 are reserved there; 5 x 2 x 4)", () => {
    const rows0 = [...combineTableRows(combineTable({ xs: false }))];
    expect(rows0.filter((r) => r[6] === -1 && !s1AttrReserved(r[0], { xs: false, mte2: true }) && (r[4] === 1 || !s2InnerReserved(r[2]))).length).toBe(40);
  });
  it("combineIndex addresses the same rows", () => {
    for (const r of rows.slice(0, 500)) expect(t.attr[combineIndex(r[0], r[1], r[2], r[3], r[4])]).toBe(r[5]);
  });
});

// Section 3.4 controls. Each expected value is worked by hand from the ASL named.
describe("optional controls (arch-attributes.md 3.4), hand-worked", () => {
  const c = (s1: number, s2: number, o: CombineOptions, s1Sh = ISH, s2Sh = ISH): [number, number] => {
    const r = combineS1S2(s1, s1Sh, s2, s2Sh, o);
    const t = combineTable({ ...o });
    const i = combineIndex(s1, s1Sh, s2, s2Sh, o.fwb);
    expect([t.attr[i], t.sh[i]]).toEqual([r.attr, r.sh]);
    return [r.attr, r.sh];
  };
  it("HCR_EL2.CD=1, FWB=0: AArch64.S2Translate makes stage-2 Normal NC before S2CombineS1MemAttrs", () => {
    // 0xFF (WB) + S2 WB: S2 -> NormalNCMemAttr, combine -> NC/NC -> 0x44, forced OSH.
    expect(c(0xff, 0xf, { fwb: false, hcrCD: true })).toEqual([0x44, OSH]);
    // FEAT_XS: XS = S2.XS (1, kept from the walk) AND S1.XS (0, WB/WB) = 0 -> 0x40.
    expect(c(0xff, 0xf, { fwb: false, hcrCD: true, xs: true })).toEqual([0x40, OSH]);
    // Stage-2 Device is not Normal: untouched, Device-nGnRE.
    expect(c(0xff, 0x1, { fwb: false, hcrCD: true })).toEqual([0x04, OSH]);
  });
  it("HCR_EL2.CD=1, FWB=1: the already-combined Normal result is replaced by Normal NC", () => {
    // Force WB (XS = 0) then CD: NormalNCMemAttr with the walk's XS = 0 -> 0x40 with FEAT_XS, 0x44 without.
    expect(c(0xff, 6, { fwb: true, hcrCD: true, xs: true })).toEqual([0x40, OSH]);
    expect(c(0xff, 6, { fwb: true, hcrCD: true })).toEqual([0x44, OSH]);
    // A forced Device result stays Device.
    expect(c(0xff, 1, { fwb: true, hcrCD: true })).toEqual([0x04, OSH]);
  });
  it("HCR_EL2.DC=1: AArch64.S1DisabledOutput, Normal WB RWA NSH whatever the MAIR byte", () => {
    // S1 output WB RWA non-transient NSH; S2 WB -> 0xFF, SH = combine(NSH, ISH) = ISH.
    expect(c(0x00, 0xf, { fwb: false, hcrDC: true })).toEqual([0xff, ISH]);
    expect(c(0x80, 0xf, { fwb: false, hcrDC: true }, 2)).toEqual([0xff, ISH]); // byte and SH unused
    // DCT=1: Tagged, and S2 WB keeps it (S2MemTagType) -> 0xF0.
    expect(c(0x00, 0xf, { fwb: false, hcrDC: true, hcrDCT: true })).toEqual([0xf0, ISH]);
    // S2 NC: NC/NC -> 0x44 OSH.
    expect(c(0x00, 0x5, { fwb: false, hcrDC: true })).toEqual([0x44, OSH]);
  });
  it("SCTLR_EL1.C=0: AArch64.S1Translate treats stage-1 Normal data as NC", () => {
    expect(c(0xff, 0xf, { fwb: false, sctlrC: false })).toEqual([0x44, OSH]);
    // Device is not affected.
    expect(c(0x04, 0xf, { fwb: false, sctlrC: false })).toEqual([0x04, OSH]);
    // Tagged 0xF0 + FWB force WB: hints RWA (S1 NC) -> WB RWA; the tag is CONSTRAINED UNPREDICTABLE
    // (Unpredictable_S1CTAGGED): 0xF0 if kept, 0xFF if dropped. SH: S1 NC/NC is OSH effective or
    // ISH raw (IMPDEF) -> open as well.
    const r = combineS1S2(0xf0, ISH, 6, ISH, { fwb: true, sctlrC: false });
    expect(r.permitted.attr).toEqual([0xf0, 0xff]);
    expect(r.open.attr.map((o) => o.id)).toEqual(["S1CTAGGED"]);
    expect(r.sh).toBe(OPEN);
  });
  it("instruction fetch: Device at either stage is treated as Normal NC", () => {
    // AArch64.S2Translate: IFETCH from S2 Device -> NormalNCMemAttr; combine with WB -> NC/NC.
    expect(c(0xff, 0x1, { fwb: false, ifetch: true })).toEqual([0x44, OSH]);
    // AArch64.S1Translate: IFETCH from S1 Device -> NC; with S2 WB -> NC/NC.
    expect(c(0x04, 0xf, { fwb: false, ifetch: true })).toEqual([0x44, OSH]);
    // HCR_EL2.ID=1: S2 -> NC for every fetch.
    expect(c(0xff, 0xf, { fwb: false, ifetch: true, hcrID: true })).toEqual([0x44, OSH]);
    // SCTLR_EL1.I=0: S1 -> NC.
    expect(c(0xff, 0xf, { fwb: false, ifetch: true, sctlrI: false })).toEqual([0x44, OSH]);
    // HCR_EL2.CD does not apply to fetches: WB stays WB.
    expect(c(0xff, 0xf, { fwb: false, ifetch: true, hcrCD: true })).toEqual([0xff, ISH]);
  });
});
