// The combine matrix and the rules panel in Chromium: every cell's colour,
// words and open mark against combineTable() (computed here in Node), for
// FWB off and on; a click opens the right steps; the keyboard moves through
// the grid; a rule, hovered or focused, outlines exactly the cells
// src/site/rules-view.ts says it decides.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { combineIndex, combineS1S2, combineTable } from "../../src/mair/combine.js";
import { DEFAULT_MATRIX_FORM, MATRIX_S1_ROWS, TYPE_CLASSES, matrixView, typeClassOfPar, typeLabelOfPar } from "../../src/site/matrix-view.js";
import { RULES, ruleApplies, ruleById, ruleCells } from "../../src/site/rules-view.js";
import { matrixCli } from "../../src/site/cli-view.js";
import { artifactsDir, launch, openPage, pageFileUrl, setInputs, type Browser } from "./harness.js";
import { join } from "node:path";
import { mkdirSync } from "node:fs";

let b: Browser;

beforeAll(async () => {
  b = await launch();
  await openPage(b.page, pageFileUrl);
});

afterAll(async () => {
  await b?.close();
});

interface CellOnPage {
  key: string;
  s1: number;
  s2: number;
  attr: number;
  sh: number;
  cls: string;
  open: string;
  ty: string;
  shv: string;
  bg: string;
  bgImage: string;
  label: string;
}

async function cells(): Promise<CellOnPage[]> {
  return b.page.$$eval("#mx-table button.cell", (bs) =>
    bs.map((el) => {
      const cs = getComputedStyle(el);
      return {
        key: el.getAttribute("data-key") ?? "",
        s1: parseInt(el.getAttribute("data-s1") ?? "", 16),
        s2: parseInt(el.getAttribute("data-s2") ?? "", 16),
        attr: Number(el.getAttribute("data-attr")),
        sh: Number(el.getAttribute("data-sh")),
        cls: el.getAttribute("data-cls") ?? "",
        open: el.getAttribute("data-open") ?? "",
        ty: el.querySelector(".ty")?.textContent ?? "",
        shv: el.querySelector(".shv")?.textContent ?? "",
        bg: cs.backgroundColor,
        bgImage: cs.backgroundImage,
        label: el.getAttribute("aria-label") ?? "",
      };
    }),
  );
}

/** The legend's colour for each type (its swatch), as the browser computes it. */
async function legendColours(): Promise<Map<string, { bg: string; bgImage: string }>> {
  const pairs = await b.page.$$eval("#matrix ul.legend .swatch", (ss) =>
    ss.map(
      (s) =>
        [
          Array.from(s.classList)
            .find((c) => c.startsWith("t-"))
            ?.slice(2) ?? "",
          getComputedStyle(s).backgroundColor,
          getComputedStyle(s).backgroundImage,
        ] as const,
    ),
  );
  return new Map(pairs.map(([c, bg, bgImage]) => [c, { bg, bgImage }]));
}

describe("the combine matrix is combineTable(), in colour and in words", () => {
  it.each([true, false])("FWB %s: every cell's type, colour, shareability and open mark", async (fwb) => {
    await setInputs(b.page, { "mx-fwb": fwb, "mx-s1-sh": "3", "mx-s2-sh": "3" });
    const t = combineTable({ xs: false, mte2: true });
    const shown = await cells();
    expect(shown).toHaveLength(MATRIX_S1_ROWS.length * 16);
    const legend = await legendColours();
    expect([...legend.keys()]).toEqual(TYPE_CLASSES.map(([c]) => c));
    // Every type has its own colour (the open pattern is a hatching, not a colour).
    const solid = TYPE_CLASSES.filter(([c]) => c !== "open").map(([c]) => legend.get(c)?.bg);
    expect(new Set(solid).size).toBe(solid.length);
    expect(legend.get("open")?.bgImage).toMatch(/^repeating-linear-gradient/);
    for (const c of shown) {
      const i = combineIndex(c.s1, 3, c.s2, 3, fwb);
      const attr = t.attr[i];
      const sh = t.sh[i];
      expect([c.key, c.attr, c.sh], c.key).toEqual([c.key, attr, sh]);
      const cls = typeClassOfPar(attr);
      expect(c.cls, c.key).toBe(cls);
      // The colour is the legend's colour of the type the table's PAR_EL1.ATTR byte encodes.
      // An open type is hatched; an open shareability keeps the type's colour and says "SH open".
      if (cls === "open") expect(c.bgImage, c.key).toMatch(/^repeating-linear-gradient/);
      else expect(c.bg, c.key).toBe(legend.get(cls)?.bg);
      // Words, not only colour: the type and the shareability, or "open".
      expect(c.ty, c.key).toBe(typeLabelOfPar(attr));
      expect(c.shv, c.key).toBe(sh < 0 ? "SH open" : ["NSH", "", "OSH", "ISH"][sh]);
      expect(c.open, c.key).toBe(attr < 0 ? (sh < 0 ? "both" : "attr") : sh < 0 ? "sh" : "none");
      if (c.open !== "none") expect(c.label, c.key).toMatch(/open/);
    }
    // The hatched cells exist in both settings (reserved MemAttr without FWB, IMPLEMENTATION DEFINED SH with it).
    expect(shown.some((c) => c.open !== "none")).toBe(true);
  });

  it("the stage-1 and stage-2 SH pickers recompute every cell", async () => {
    await setInputs(b.page, { "mx-fwb": false, "mx-s1-sh": "0", "mx-s2-sh": "2" });
    const t = combineTable({});
    for (const c of await cells())
      expect([c.attr, c.sh], c.key).toEqual([t.attr[combineIndex(c.s1, 0, c.s2, 2, false)], t.sh[combineIndex(c.s1, 0, c.s2, 2, false)]]);
    await setInputs(b.page, { "mx-s1-sh": "3", "mx-s2-sh": "3" });
  });

  it("a click opens the cell's steps in the combine panel", async () => {
    await setInputs(b.page, { "mx-fwb": true });
    // Guest Device-nGnRE over MT_S2_FWB_NORMAL with FWB: Write-Back forced, SH IMPLEMENTATION DEFINED.
    await b.page.click("#mx-table button.cell[data-key='0x04,0x6']");
    const r = combineS1S2(0x04, 3, 0x6, 3, { fwb: true });
    expect(await b.page.inputValue("#cmb-s1")).toBe("0x04");
    expect(await b.page.inputValue("#cmb-s2")).toBe("0x6");
    expect(await b.page.isChecked("#cmb-fwb")).toBe(true);
    expect(await b.page.isChecked("#cmb-mode-memattr")).toBe(true);
    const steps = await b.page.$$eval("#cmb-steps > li", (lis) =>
      lis.map((li) => [li.querySelector(".asl")?.textContent, li.querySelector(".rule")?.textContent]),
    );
    expect(steps).toEqual(r.steps.map((s) => [s.asl, s.rule]));
    expect(await b.page.textContent("#cmb-sh")).toBe("open");
    // The steps are in view and the focus is on the result.
    expect(await b.page.evaluate(() => document.activeElement?.id)).toBe("cmb-result");
    expect(await b.page.evaluate(() => Math.abs(document.getElementById("combine")!.getBoundingClientRect().top) < 5)).toBe(true);
    // The clicked cell is the matrix's selection, and the shareability matrix follows it.
    expect(await b.page.getAttribute("#mx-table button.cell.selected", "data-key")).toBe("0x04,0x6");
    const sh = await b.page.$$eval("#mx-sh td.shcell", (tds) =>
      tds.map((td) => [Number(td.getAttribute("data-s1sh")), Number(td.getAttribute("data-s2sh")), Number(td.getAttribute("data-sh"))]),
    );
    const t = combineTable({});
    expect(sh).toEqual(sh.map(([x, y]) => [x, y, t.sh[combineIndex(0x04, x, 0x6, y, true)]]));
    expect(await b.page.textContent("#mx-cli")).toBe(matrixCli({ ...DEFAULT_MATRIX_FORM, s1: "0x04", s2: "0x6" }).text);
  });

  it("the grid is one tab stop; arrow keys move the selection; Enter opens the steps", async () => {
    const p = b.page;
    expect(await p.$$eval("#mx-table button.cell[tabindex='0']", (bs) => bs.map((x) => x.getAttribute("data-key")))).toEqual(["0x04,0x6"]);
    await p.focus("#mx-table button.cell[data-key='0x04,0x6']");
    await p.keyboard.press("ArrowDown");
    await p.keyboard.press("ArrowRight");
    expect(await p.evaluate(() => document.activeElement?.getAttribute("data-key"))).toBe("0x08,0x7");
    expect(await p.getAttribute("#mx-table button.cell.selected", "data-key")).toBe("0x08,0x7");
    expect(await p.textContent("#mx-selected-result")).toBe(combineS1S2(0x08, 3, 0x7, 3, { fwb: true }).description);
    await p.keyboard.press("End");
    expect(await p.evaluate(() => document.activeElement?.getAttribute("data-key"))).toBe("0x08,0xf");
    await p.keyboard.press("Enter");
    expect([await p.inputValue("#cmb-s1"), await p.inputValue("#cmb-s2")]).toEqual(["0x08", "0xf"]);
  });
});

describe("the rules light up the cells they decide", () => {
  async function lit(): Promise<{ main: string[]; sh: string[] }> {
    return {
      main: (await b.page.$$eval("#mx-table button.cell.hl", (bs) => bs.map((x) => x.getAttribute("data-key") ?? ""))).sort(),
      sh: (await b.page.$$eval("#mx-sh td.shcell.hl", (ts) => ts.map((x) => x.getAttribute("data-key") ?? ""))).sort(),
    };
  }

  it.each([true, false])("FWB %s: focusing each rule outlines its cells (and only while focused)", async (fwb) => {
    await setInputs(b.page, { "mx-fwb": fwb });
    // The pointer off the page's content: a rule under it (after the page scrolls to a focused rule) would light instead.
    await b.page.mouse.move(0, 0);
    const v = matrixView({ ...DEFAULT_MATRIX_FORM, fwb, s1: "0x08", s2: "0xf" });
    if (!v.ok) throw new Error(v.error);
    for (const rule of RULES) {
      await b.page.focus(`#rules button.rule[data-rule='${rule.id}']`);
      const want = ruleCells(rule, v.view);
      expect(await lit(), rule.id).toEqual({ main: [...want.main].sort(), sh: [...want.sh].sort() });
      expect(Number(await b.page.getAttribute(`#rules button.rule[data-rule='${rule.id}']`, "data-count"))).toBe(want.main.length);
      // The small copy beside the rules shows the same cells.
      expect((await b.page.$$eval("#rules-map .mini.hl", (ms) => ms.map((m) => m.getAttribute("data-key") ?? ""))).sort()).toEqual([...want.main].sort());
      if (ruleApplies(rule, fwb) && want.main.length) {
        // A lit cell is marked by a dot and a frame, not only a colour.
        const after = await b.page.$eval("#mx-table button.cell.hl", (el) => getComputedStyle(el, "::after").content);
        expect(after).toBe('"●"');
      }
    }
    await b.page.focus("#mx-fwb");
    expect(await lit()).toEqual({ main: [], sh: [] });
  });

  it("hovering works like focusing; pressing pins; a rule of the other FWB setting switches the matrix", async () => {
    await setInputs(b.page, { "mx-fwb": true });
    await b.page.hover("#rules button.rule[data-rule='on-wb']");
    expect((await lit()).main).toHaveLength(MATRIX_S1_ROWS.length * 2);
    await b.page.click("#rules button.rule[data-rule='off-s2-device']");
    expect(await b.page.isChecked("#mx-fwb")).toBe(false);
    expect(await b.page.getAttribute("#rules button.rule[data-rule='off-s2-device']", "aria-pressed")).toBe("true");
    await b.page.mouse.move(0, 0);
    await b.page.focus("#mx-s1-sh");
    // Pinned: 9 Normal rows over the 4 Device columns stay lit.
    expect((await lit()).main).toHaveLength(9 * 4);
    expect(ruleById("off-s2-device")?.fwb).toBe("off");
    const shot = join(artifactsDir, "site-rules.png");
    mkdirSync(artifactsDir, { recursive: true });
    await b.page.locator("#rules").screenshot({ path: shot });
    await b.page.locator("#matrix").screenshot({ path: join(artifactsDir, "site-matrix-rule-lit.png") });
    await b.page.click("#rules button.rule[data-rule='off-s2-device']");
    await b.page.mouse.move(0, 0);
    await b.page.focus("#mx-s1-sh");
    expect((await lit()).main).toEqual([]);
  });

  it("logged no error", () => {
    expect(b.errors).toEqual([]);
  });
});
