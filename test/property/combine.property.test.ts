// Properties of the combine rules (fast-check): statements that follow from the
// ASL functions and must hold for every input, not only for the vectors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { combineAttr, combineAttrSh, combineS1S2, combineSh, combineTable, combineIndex } from "../../src/mair/combine.js";
import { s1AttrReserved } from "../../src/mair/mair.js";
import { s2InnerReserved } from "../../src/mair/s2memattr.js";
import { PROPERTY_SEED, SEED_TAG, propertyRuns } from "./seed.js";

const attrArb = fc.integer({ min: 0, max: 255 });
const memattrArb = fc.integer({ min: 0, max: 15 });
const shArb = fc.constantFrom(0, 2, 3);
const anyShArb = fc.integer({ min: 0, max: 3 });
const xsArb = fc.boolean();
const feats = (xs: boolean) => ({ xs, mte2: true });
const RUNS = { numRuns: propertyRuns(2000), seed: PROPERTY_SEED };

/** Cacheability rank of one PAR nibble of a Normal result: NC 0 < WT 1 < WB 2. */
function rank(nibble: number): number {
  if (nibble === 0b0100) return 0;
  return nibble & 0b0100 ? 2 : 1;
}
/** Cacheability rank of a stage-2 FWB=0 half: 01 NC, 10 WT, 11 WB. */
function s2rank(field: number): number {
  return field - 1;
}
/** Device result? (PAR 0b0000dd0x). */
const isDevice = (attr: number): boolean => attr >= 0 && (attr & 0xf0) === 0;

describe(`combine properties${SEED_TAG}`, () => {
  it("FWB MemAttr 0b111 (and 0b1111, MemAttr[3] ignored) returns the stage-1 attributes unchanged", () => {
    fc.assert(
      fc.property(attrArb, shArb, fc.constantFrom(7, 15), shArb, xsArb, (a, s1, m, s2, xs) => {
        fc.pre(!s1AttrReserved(a, feats(xs)));
        expect(combineAttr(a, s1, m, s2, true, xs)).toBe(a);
      }),
      RUNS,
    );
  });

  it("FWB ignores MemAttr[3] without FEAT_MTE_PERM: m and m ^ 8 give the same row", () => {
    fc.assert(
      fc.property(attrArb, anyShArb, memattrArb, anyShArb, xsArb, (a, s1, m, s2, xs) => {
        expect(combineAttrSh(a, s1, m, s2, true, xs)).toEqual(combineAttrSh(a, s1, m ^ 8, s2, true, xs));
      }),
      RUNS,
    );
  });

  it("a Device result is never less restrictive than either Device input (FWB off and on)", () => {
    fc.assert(
      fc.property(attrArb, shArb, memattrArb, shArb, fc.boolean(), xsArb, (a, s1, m, s2, fwb, xs) => {
        fc.pre(!s1AttrReserved(a, feats(xs)));
        const r = combineAttr(a, s1, m, s2, fwb, xs);
        if (!isDevice(r)) return;
        const dd = (r >> 2) & 3; // 0 nGnRnE (most restrictive) .. 3 GRE
        if ((a & 0xf0) === 0) expect(dd).toBeLessThanOrEqual((a >> 2) & 3);
        const s2Device = fwb ? (m & 4) === 0 : (m & 0xc) === 0;
        if (s2Device) expect(dd).toBeLessThanOrEqual(m & 3);
      }),
      RUNS,
    );
  });

  it("FWB off: Device at either stage gives Device (and the Normal side never changes the type)", () => {
    fc.assert(
      fc.property(attrArb, shArb, memattrArb, shArb, xsArb, (a, s1, m, s2, xs) => {
        fc.pre(!s1AttrReserved(a, feats(xs)));
        const s1Dev = (a & 0xf0) === 0;
        const s2Dev = (m & 0xc) === 0;
        const r = combineAttr(a, s1, m, s2, false, xs);
        if (s1Dev || s2Dev) {
          expect(isDevice(r)).toBe(true);
          if (s1Dev && !s2Dev) expect((r >> 2) & 3).toBe((a >> 2) & 3);
          if (s2Dev && !s1Dev) expect((r >> 2) & 3).toBe(m & 3);
        }
      }),
      RUNS,
    );
  });

  it("FWB off: the result's cacheability is never stronger than either stage's, half by half", () => {
    fc.assert(
      fc.property(attrArb, shArb, memattrArb, shArb, xsArb, (a, s1, m, s2, xs) => {
        fc.pre(!s1AttrReserved(a, feats(xs)) && (a & 0xf0) !== 0 && (m & 0xc) !== 0 && !s2InnerReserved(m));
        const r = combineAttr(a, s1, m, s2, false, xs);
        expect(r).toBeGreaterThanOrEqual(0);
        // FEAT_XS whole-byte forms: 0x40 is NC/NC; 0xA0 is WT/WT.
        const outR = r === 0x40 ? 0 : r === 0xa0 ? 1 : r === 0xf0 ? 2 : rank(r >> 4);
        const inR = r === 0x40 ? 0 : r === 0xa0 ? 1 : r === 0xf0 ? 2 : rank(r & 15);
        const s1Out = a === 0x40 ? 0 : a === 0xa0 ? 1 : a === 0xf0 ? 2 : rank(a >> 4);
        const s1In = a === 0x40 ? 0 : a === 0xa0 ? 1 : a === 0xf0 ? 2 : rank(a & 15);
        expect(outR).toBeLessThanOrEqual(Math.min(s1Out, s2rank(m >> 2)));
        expect(inR).toBeLessThanOrEqual(Math.min(s1In, s2rank(m & 3)));
        // ... and equal to the weaker one (S2CombineS1AttrHints).
        expect(outR).toBe(Math.min(s1Out, s2rank(m >> 2)));
        expect(inR).toBe(Math.min(s1In, s2rank(m & 3)));
      }),
      RUNS,
    );
  });

  it("Tagged survives only for stage-1 0xF0 over a Write-Back stage 2", () => {
    fc.assert(
      fc.property(attrArb, shArb, memattrArb, shArb, fc.boolean(), xsArb, (a, s1, m, s2, fwb, xs) => {
        const r = combineAttr(a, s1, m, s2, fwb, xs);
        if (r !== 0xf0) return;
        if (!s1AttrReserved(a, feats(xs))) expect(a).toBe(0xf0);
        if (fwb) expect([6, 7]).toContain(m & 7);
        else expect(m).toBe(0xf);
      }),
      RUNS,
    );
  });

  it("Device and Normal NC/NC results are Outer Shareable; otherwise OSH > ISH > NSH of the two stages", () => {
    fc.assert(
      fc.property(attrArb, shArb, memattrArb, shArb, xsArb, (a, s1, m, s2, xs) => {
        fc.pre(!s1AttrReserved(a, feats(xs)) && !s2InnerReserved(m));
        const [r, sh] = combineAttrSh(a, s1, m, s2, false, xs);
        if (isDevice(r) || r === 0x44 || r === 0x40) expect(sh).toBe(2);
        else expect(sh).toBe(s1 === 2 || s2 === 2 ? 2 : s1 === 3 || s2 === 3 ? 3 : 0);
      }),
      RUNS,
    );
  });

  it("FWB off: swapping the two SH inputs changes nothing (S2CombineS1Shareability is symmetric)", () => {
    fc.assert(
      fc.property(attrArb, anyShArb, memattrArb, anyShArb, xsArb, (a, s1, m, s2, xs) => {
        expect(combineSh(a, s1, m, s2, false, xs)).toBe(combineSh(a, s2, m, s1, false, xs));
      }),
      RUNS,
    );
  });

  it("a reserved stage-1 byte is open or agrees with every valid byte", () => {
    fc.assert(
      fc.property(attrArb, shArb, memattrArb, shArb, fc.boolean(), xsArb, (a, s1, m, s2, fwb, xs) => {
        fc.pre(s1AttrReserved(a, feats(xs)));
        const [r, sh] = combineAttrSh(a, s1, m, s2, fwb, xs);
        for (let b = 0; b < 256; b++) {
          if (s1AttrReserved(b, feats(xs))) continue;
          const [rb, shb] = combineAttrSh(b, s1, m, s2, fwb, xs);
          if (r !== -1) expect(rb).toBe(r);
          if (sh !== -1) expect(shb).toBe(sh);
        }
      }),
      { numRuns: propertyRuns(200), seed: PROPERTY_SEED },
    );
  });

  it("the table agrees with the explained combine, SH 0b01 and the optional controls included", () => {
    // A handful of configurations (each table is built once and cached), FWB drawn separately.
    const ctl = fc
      .record({
        fwb: fc.boolean(),
        rest: fc.constantFrom(
          {},
          { xs: true },
          { mte2: false },
          { hcrCD: true, xs: true },
          { hcrDC: true, hcrDCT: true },
          { sctlrC: false },
          { ifetch: true, hcrID: true },
          { ifetch: true, sctlrI: false, xs: true },
        ),
      })
      .map(({ fwb, rest }) => ({ fwb, ...rest }));
    fc.assert(
      fc.property(attrArb, anyShArb, memattrArb, anyShArb, ctl, (a, s1, m, s2, o) => {
        const r = combineS1S2(a, s1, m, s2, o);
        const t = combineTable(o);
        const i = combineIndex(a, s1, m, s2, o.fwb);
        expect([t.attr[i], t.sh[i]]).toEqual([r.attr, r.sh]);
        expect(r.permitted.attr.length > 1).toBe(r.attr === -1);
        expect(r.permitted.sh.length > 1).toBe(r.sh === -1);
        expect(r.outcomes.length).toBeGreaterThan(0);
      }),
      { numRuns: propertyRuns(300), seed: PROPERTY_SEED },
    );
  });
});
