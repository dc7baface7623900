// The combine matrix and the rules panel without a browser
// (src/site/matrix-view.ts, src/site/rules-view.ts): every cell is
// combineTable()'s entry, coloured by the type its PAR_EL1.ATTR byte encodes;
// the rules share the matrix out cell by cell. Counts and cells worked by hand
// from the Arm ARM rules (S2CombineS1MemAttrs, AArch64.S2ApplyFWBMemAttrs).
import { describe, expect, it } from "vitest";
import { combineIndex, combineTable } from "../../src/mair/combine.js";
import { DEFAULT_MATRIX_FORM, MATRIX_S1_ROWS, matrixView, typeClassOfPar, typeLabelOfPar, type MatrixView } from "../../src/site/matrix-view.js";
import { RULES, cellKey, ruleApplies, ruleById, ruleCells, shKey } from "../../src/site/rules-view.js";

function view(fwb: boolean, s1 = "0x44", s2 = "0x5", s1Sh = "3", s2Sh = "3"): MatrixView {
  const r = matrixView({ ...DEFAULT_MATRIX_FORM, fwb, s1, s2, s1Sh, s2Sh });
  if (!r.ok) throw new Error(r.error);
  return r.view;
}

const cell = (v: MatrixView, s1: number, s2: number) => {
  const c = v.rows.find((r) => r.s1 === s1)?.cells[s2];
  if (!c) throw new Error(`no cell ${s1} ${s2}`);
  return c;
};

describe("the matrix is combineTable()", () => {
  it.each([false, true])("FWB %s: 13 stage-1 types by 16 MemAttr values, each cell the table's PAR_EL1.ATTR and SH", (fwb) => {
    const v = view(fwb);
    const t = combineTable({ xs: false, mte2: true });
    expect(v.rows.map((r) => r.s1)).toEqual([...MATRIX_S1_ROWS]);
    expect(v.columns.map((c) => c.s2)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    for (const row of v.rows) {
      for (const c of row.cells) {
        const i = combineIndex(row.s1, 3, c.s2, 3, fwb);
        expect([c.attr, c.sh]).toEqual([t.attr[i], t.sh[i]]);
        // The explained result says the same.
        expect([c.result.attr, c.result.sh]).toEqual([t.attr[i], t.sh[i]]);
        expect(c.open).toBe(c.attr < 0 ? (c.sh < 0 ? "both" : "attr") : c.sh < 0 ? "sh" : "none");
        expect(c.cls).toBe(typeClassOfPar(c.attr));
      }
    }
  });

  it("hand-worked cells", () => {
    const off = view(false);
    const on = view(true);
    // FWB off, guest Normal WB over stage-2 Device-nGnRE: Device wins, Device is OSH.
    expect([cell(off, 0xff, 0x1).cls, cell(off, 0xff, 0x1).label, cell(off, 0xff, 0x1).shLabel, cell(off, 0xff, 0x1).attr]).toEqual([
      "device-ngnre",
      "nGnRE",
      "OSH",
      0x04,
    ]);
    // FWB off, both Normal: WB with WT gives WT; hints from stage 1 (0xff RWA -> 0xbb).
    expect([cell(off, 0xff, 0xa).cls, cell(off, 0xff, 0xa).attr]).toEqual(["normal-wt", 0xbb]);
    // FWB off, reserved inner cacheability 0b1100 under a Normal guest: open; under a Device guest: Device stays.
    expect([cell(off, 0xff, 0xc).open, cell(off, 0xff, 0xc).cls, cell(off, 0xff, 0xc).label]).toEqual(["attr", "open", "open"]);
    expect(cell(off, 0x04, 0xc).cls).toBe("device-ngnre");
    // FWB on, a Device guest over MT_S2_FWB_NORMAL (0b110): Write-Back forced, shareability IMPLEMENTATION DEFINED.
    expect([cell(on, 0x00, 0x6).cls, cell(on, 0x00, 0x6).open, cell(on, 0x00, 0x6).shLabel]).toEqual(["normal-wb", "sh", "SH open"]);
    // FWB on, guest write-combining over MT_S2_FWB_NORMAL_NC (0b101): Normal-NC, OSH.
    expect([cell(on, 0x44, 0x5).cls, cell(on, 0x44, 0x5).attr, cell(on, 0x44, 0x5).sh]).toEqual(["normal-nc", 0x44, 2]);
    // FWB on, MemAttr[3] ignored: 0x9 reads as 0x1, Device-nGnRE forced.
    for (const row of on.rows) for (let m = 0; m < 8; m++) expect([row.cells[m + 8].attr, row.cells[m + 8].sh]).toEqual([row.cells[m].attr, row.cells[m].sh]);
    // Tagged survives FWB forced WB (0xf0 over 0b110).
    expect([cell(on, 0xf0, 0x6).cls, cell(on, 0xf0, 0x6).label]).toEqual(["tagged", "WB Tagged"]);
    // Mixed halves: outer NC inner WB over stage-2 Normal WB, no FWB.
    expect([cell(off, 0x4f, 0xf).cls, cell(off, 0x4f, 0xf).label]).toEqual(["normal-mixed", "oNC/iWB"]);
  });

  it("names the type of every valid PAR_EL1.ATTR byte", () => {
    expect([0x00, 0x04, 0x08, 0x0c, 0x44, 0xbb, 0xaa, 0xff, 0x77, 0xf4, 0xf0, -1].map(typeClassOfPar)).toEqual([
      "device-ngnrne",
      "device-ngnre",
      "device-ngre",
      "device-gre",
      "normal-nc",
      "normal-wt",
      "normal-wt",
      "normal-wb",
      "normal-wb",
      "normal-mixed",
      "tagged",
      "open",
    ]);
    expect([0x00, 0x0c, 0x44, 0xf4, -1].map(typeLabelOfPar)).toEqual(["nGnRnE", "GRE", "NC", "oWB/iNC", "open"]);
  });

  it("the shareability matrix: every stage-1 SH by every stage-2 SH of the selected cell", () => {
    // Guest Normal WB over stage-2 Normal WB, no FWB: the wider wins; 0b01 is open unless the other side is OSH.
    const v = view(false, "0xff", "0xf");
    const sh = v.sh.map((row) => row.map((c) => c.sh));
    expect(sh).toEqual([
      [0, -1, 2, 3],
      [-1, -1, 2, -1],
      [2, 2, 2, 2],
      [3, -1, 2, 3],
    ]);
    const t = combineTable({});
    for (const row of v.sh) for (const c of row) expect(c.sh).toBe(t.sh[combineIndex(0xff, c.s1Sh, 0xf, c.s2Sh, false)]);
    // A Device result is OSH whatever the fields say.
    expect(
      view(false, "0x04", "0x1")
        .sh.flat()
        .every((c) => c.sh === 2),
    ).toBe(true);
  });

  it("refuses a form it cannot read, in one line", () => {
    expect(matrixView({ ...DEFAULT_MATRIX_FORM, s1Sh: "1" })).toEqual({ ok: false, error: "stage-1 SH: '1' is not 0 (NSH), 2 (OSH) or 3 (ISH)" });
    expect(matrixView({ ...DEFAULT_MATRIX_FORM, s2: "0x10" })).toEqual({ ok: false, error: "selected stage-2 MemAttr: 0x10 is out of range (0..0xf)" });
  });
});

describe("the rules decide the matrix", () => {
  const count = (id: string, v: MatrixView): number => ruleCells(ruleById(id)!, v).main.length;

  it("FWB off: the four type rules share the 208 cells out, each cell to exactly one (4 Device and 9 Normal rows; 4 Device and 12 Normal columns)", () => {
    const v = view(false);
    const ids = ["off-device-device", "off-s1-device", "off-s2-device", "off-normal"];
    expect(ids.map((id) => count(id, v))).toEqual([4 * 4, 4 * 12, 9 * 4, 9 * 12]);
    for (const row of v.rows)
      for (const c of row.cells)
        expect(
          ids.filter((id) => ruleById(id)!.decides(c.result)),
          cellKey(c.s1, c.s2),
        ).toHaveLength(1);
    // The reserved inner cacheability opens the Normal rows' three reserved columns (0x4, 0x8, 0xc), except where the
    // guest's inner half is Non-cacheable already (0x44, 0xf4): the weaker of NC and anything is NC.
    expect(count("off-reserved-inner", v)).toBe(7 * 3);
    // 0x4f (outer NC, inner WB) over 0b0100 or 0b1000 (inner reserved): the outer half is NC either way, the inner NC,
    // WT or WB, and when it is NC the result is NC/NC and so Outer Shareable: the shareability is open too. Over
    // 0b1100 with a WB outer guest half (0xff) only the type is open (WB/WB, WB/WT or WB/NC are all ISH).
    expect([cell(v, 0x44, 0xc).open, cell(v, 0xf4, 0x8).open, cell(v, 0x4f, 0x4).open, cell(v, 0x4f, 0x8).open, cell(v, 0xff, 0xc).open]).toEqual([
      "none",
      "none",
      "both",
      "both",
      "attr",
    ]);
    // Tagged: the 0xf0 row.
    expect(ruleCells(ruleById("tag")!, v).main).toEqual(Array.from({ length: 16 }, (_, m) => cellKey(0xf0, m)));
  });

  it("FWB on: MemAttr[2:0] decides, MemAttr[3] ignored", () => {
    const v = view(true);
    const ids = ["on-device", "on-nc", "on-wb", "on-as-s1"];
    // 0b0xx: 8 columns; 0b10x: 4 (0x4, 0x5, 0xc, 0xd); 0b110: 2; 0b111: 2.
    expect(ids.map((id) => count(id, v))).toEqual([13 * 8, 13 * 4, 13 * 2, 13 * 2]);
    for (const row of v.rows) for (const c of row.cells) expect(ids.filter((id) => ruleById(id)!.decides(c.result))).toHaveLength(1);
    expect(ruleCells(ruleById("on-bit3")!, v).main).toHaveLength(13 * 8);
    // A rule of the other setting decides nothing here.
    expect(ruleCells(ruleById("off-normal")!, v)).toEqual({ main: [], sh: [] });
    expect(ruleApplies(ruleById("off-normal")!, true)).toBe(false);
  });

  it("shareability: forced OSH or the wider of the two for every determined cell; open cells by their reason", () => {
    for (const fwb of [false, true]) {
      const v = view(fwb);
      const forced = new Set(ruleCells(ruleById("sh-forced-osh")!, v).main);
      const wider = new Set(ruleCells(ruleById("sh-wider")!, v).main);
      for (const row of v.rows) {
        for (const c of row.cells) {
          const k = cellKey(c.s1, c.s2);
          if (c.sh < 0) expect(forced.has(k) || wider.has(k)).toBe(false);
          else expect(Number(forced.has(k)) + Number(wider.has(k))).toBe(1);
          if (forced.has(k)) expect(c.sh).toBe(2);
        }
      }
    }
    // FWB on, WB forced over a Device or NC guest: the IMPLEMENTATION DEFINED stage-1 shareability opens SH.
    // Rows whose stage-1 effective SH is OSH (Device 0x00, 0x04, 0x08, 0x0c and Normal NC/NC 0x44; not 0x4f, whose inner half is WB), columns 0x6 and 0xe.
    const impdef = ruleCells(ruleById("sh-impdef")!, view(true)).main.sort();
    expect(impdef).toEqual([0x00, 0x04, 0x08, 0x0c, 0x44].flatMap((a) => [cellKey(a, 6), cellKey(a, 0xe)]).sort());
    // Reserved SH 0b01 opens cells of the shareability matrix, never of the ISH/ISH matrix.
    const v = view(false, "0xff", "0xf");
    const res = ruleCells(ruleById("sh-reserved")!, v);
    expect(res.main).toEqual([]);
    expect(res.sh.sort()).toEqual([shKey(0, 1), shKey(1, 0), shKey(1, 1), shKey(1, 3), shKey(3, 1)].sort());
  });

  it("every rule decides some cell in one of the matrices it applies to", () => {
    const views = [view(false), view(true), view(false, "0xff", "0xf"), view(true, "0x00", "0x6")];
    for (const r of RULES) {
      const n = views.filter((v) => ruleApplies(r, v.fwb)).reduce((a, v) => a + ruleCells(r, v).main.length + ruleCells(r, v).sh.length, 0);
      expect(n, r.id).toBeGreaterThan(0);
    }
  });
});
