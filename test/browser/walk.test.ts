// The walk panel in Chromium: every bundled scenario, at every address it
// names, drawn with the levels and the descriptor reads walkView() (and so
// walkIpa / walkVa, run here in Node) gives; the 4x4 nested walk's 24 reads
// and the S1PTW fault in the row where it happens, worked by hand.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_SCENARIOS, bundledScenario } from "../../src/site/scenarios.js";
import { DEFAULT_WALK_FORM, parseWalkScenario, scenarioAddresses, walkView, type WalkForm } from "../../src/site/walk-view.js";
import { walkCli } from "../../src/site/cli-view.js";
import { repoRoot } from "../helpers.js";
import { artifactsDir, launch, openPage, pageFileUrl, setInputs, type Browser } from "./harness.js";

let b: Browser;

beforeAll(async () => {
  b = await launch();
  await openPage(b.page, pageFileUrl);
});

afterAll(async () => {
  await b?.close();
});

const text = (id: string): string => readFileSync(join(repoRoot, bundledScenario(id)!.path), "utf8");

async function setWalk(f: Partial<WalkForm> & { scenario: string }): Promise<void> {
  const p = b.page;
  await setInputs(p, { "wk-scenario": f.scenario });
  if (f.mode) await p.check(f.mode === "va" ? "#wk-mode-va" : "#wk-mode-ipa");
  const rest: Record<string, string> = {};
  if (f.addr !== undefined) rest["wk-addr"] = f.addr;
  if (f.access !== undefined) rest["wk-access"] = f.access;
  if (f.el !== undefined) rest["wk-el"] = f.el;
  await setInputs(p, rest);
}

describe("every bundled scenario, at every address it names", () => {
  const cases = BUNDLED_SCENARIOS.flatMap((s) =>
    scenarioAddresses(parseWalkScenario(text(s.id), false)).map((a) => [`${s.id}: ${a.mode} ${a.addr} ${a.access}`, s.id, a] as const),
  );

  it.each(cases)("%s", async (_name, id, a) => {
    await setWalk({ scenario: id, mode: a.mode, addr: a.addr, access: a.access, el: "1" });
    const p = b.page;
    expect(await p.locator("#wk-error").isHidden(), (await p.textContent("#wk-error")) ?? "").toBe(true);
    const r = walkView({ ...DEFAULT_WALK_FORM, scenario: id, mode: a.mode, addr: a.addr, access: a.access }, text(id));
    if (!r.ok) throw new Error(r.error);
    const v = r.view;
    expect(Number(await p.getAttribute("#wk-reads", "data-reads"))).toBe(v.reads);
    const detail = v.va ? v.va.detail?.walk : v.ipa;
    // The stage-2 walk, level by level: one item per level read, each with its descriptor's 64-bit strip.
    const levels = await p.$$eval("#wk-levels > li", (lis) =>
      lis.map((li) => [Number(li.getAttribute("data-level")), li.querySelectorAll("td.bit").length, li.classList.contains("faulted")]),
    );
    expect(levels).toEqual((detail?.levels ?? []).map((l) => [l.level, 64, l.fault]));
    // The address bits: one box per level read, in order, then the offset or the bits not translated.
    const segs = await p.$$eval("#wk-ipa-bits .segs > .seg", (ds) =>
      ds.map((d) => [d.getAttribute("data-kind"), d.getAttribute("data-level"), Number(d.getAttribute("data-hi")), Number(d.getAttribute("data-lo"))]),
    );
    expect(segs).toEqual((detail?.segments ?? []).map((s) => [s.kind, s.level === null ? null : String(s.level), s.hi, s.lo]));
    if (v.va) {
      // The nested grid: a row per IPA stage 2 translated, a column per stage-2 level, the reads per row.
      const rows = await p.$$eval("#wk-grid tbody tr", (trs) =>
        trs.map((tr) => [tr.getAttribute("data-kind"), Number(tr.getAttribute("data-reads")), tr.querySelectorAll("td.gcell:not(.empty)").length]),
      );
      expect(rows).toEqual(v.va.rows.map((row) => [row.kind, row.reads, row.cells.filter((c) => c !== null).length]));
      expect(
        await p.$$eval(
          "#wk-grid thead th.lv0, #wk-grid thead th.lv1, #wk-grid thead th.lv2, #wk-grid thead th.lv3, #wk-grid thead th.lv-1",
          (ths) => ths.length,
        ),
      ).toBe(v.va.s2Levels.length);
    } else {
      expect(await p.locator("#wk-grid").count()).toBe(0);
    }
    if (detail?.fault || v.va?.fault) expect(await p.locator("#wk-fault").count()).toBe(1);
    else expect(await p.textContent("#wk-result .pa")).toBe(detail?.result?.[0]);
    expect(await p.textContent("#wk-cli")).toBe(walkCli({ ...DEFAULT_WALK_FORM, scenario: id, mode: a.mode, addr: a.addr, access: a.access }, text(id)).text);
    expect(await p.textContent("#wk-text")).toBe(v.cliText);
  });
});

describe("hand-worked walks", () => {
  it("four levels by four: 24 descriptor reads in 5 rows of the grid", async () => {
    await setWalk({ scenario: "guest-4x4", mode: "va", addr: "0x765432101040", access: "r" });
    const p = b.page;
    expect(await p.getAttribute("#wk-reads", "data-reads")).toBe("24");
    expect(await p.textContent("#wk-reads")).toContain("4×4 + 4 + 4 = 24");
    expect(await p.$$eval("#wk-grid tbody tr", (trs) => trs.map((tr) => tr.getAttribute("data-reads")))).toEqual(["5", "5", "5", "5", "4"]);
    expect(await p.$$eval("#wk-grid tbody td.gcell:not(.empty)", (tds) => tds.length)).toBe(20);
    expect(await p.$$eval("#wk-levels > li", (lis) => lis.length)).toBe(4);
    expect(await p.textContent("#wk-memtype-words")).toBe("Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Inner Shareable");
    await p.locator("#walk").screenshot({ path: join(artifactsDir, "site-walk-4x4.png") });
  });

  it("S1PTW: the fault in the row of the stage-1 level-3 entry, at stage-2 level 3, with its syndrome", async () => {
    await setWalk({ scenario: "guest-s1ptw-fault", mode: "va", addr: "0xffffff8000001000", access: "r" });
    const p = b.page;
    const faultCell = await p.$$eval("#wk-grid tbody td.gcell.fault", (tds) =>
      tds.map((td) => [
        td.closest("tr")?.getAttribute("data-kind"),
        td.closest("tr")?.getAttribute("data-s1-level"),
        td.getAttribute("data-level"),
        td.textContent?.includes("S1PTW"),
      ]),
    );
    expect(faultCell).toEqual([["s1", "3", "3", true]]);
    // No output row: stage 1 never finished.
    expect(await p.locator("#wk-grid tbody tr[data-kind='output']").count()).toBe(0);
    const reg = Object.fromEntries(
      await p.$$eval("#wk-fault tbody tr", (trs) => trs.map((tr) => [tr.getAttribute("data-name"), tr.querySelector("td code")?.textContent])),
    );
    // EC 0x24 << 26 | IL << 25 | S1PTW << 7 | DFSC 0x07 (Translation, level 3); HPFAR_EL2 = IPA 0x40002008 >> 12 << 4.
    expect(reg).toMatchObject({ ESR_EL2: "0x92000087", S1PTW: "1", WnR: "0", DFSC: "0x7", HPFAR_EL2: "0x400020" });
    expect(await p.textContent("#wk-fault h4")).toBe("✖ Translation fault, level 3 (stage 2)");
    await p.locator("#walk").screenshot({ path: join(artifactsDir, "site-walk-s1ptw.png") });
  });

  it("an IPA: a page in a broken block, then a fetch from an XN page (Permission fault, HPFAR_EL2 UNKNOWN)", async () => {
    const p = b.page;
    await setWalk({ scenario: "map-page-inside-block", mode: "ipa", addr: "0x40001234", access: "r" });
    expect(await p.$$eval("#wk-ipa-bits .seg .seg-value", (ds) => ds.map((d) => d.textContent))).toEqual(["0x1", "0x0", "0x1", "0x234"]);
    expect(await p.textContent("#wk-result .pa")).toBe("PA 0x90000234: level-3 page of 0x1000 bytes");
    await p.locator("#walk").screenshot({ path: join(artifactsDir, "site-walk-ipa.png") });
    await setWalk({ scenario: "map-page-4k-rw", mode: "ipa", addr: "0x40000000", access: "x" });
    const reg = Object.fromEntries(
      await p.$$eval("#wk-fault tbody tr", (trs) => trs.map((tr) => [tr.getAttribute("data-name"), tr.querySelector("td code")?.textContent])),
    );
    expect(reg).toMatchObject({ ESR_EL2: "0x8200000f", IFSC: "0xf", HPFAR_EL2: "UNKNOWN" });
    expect(await p.$$eval("#wk-levels > li.faulted", (lis) => lis.map((li) => li.getAttribute("data-level")))).toEqual(["3"]);
  });

  it("a pasted scenario walks, and a bad one is refused in one line", async () => {
    const p = b.page;
    await setInputs(p, { "wk-scenario": "paste" });
    expect(await p.locator("#wk-paste").isVisible()).toBe(true);
    await p.fill("#wk-paste", text("guest-device-fwb"));
    // The page picks the first address the pasted scenario names.
    expect(await p.inputValue("#wk-addr")).toBe("0xffffffc000000008");
    expect(await p.getAttribute("#wk-reads", "data-reads")).toBe("12");
    expect(await p.textContent("#wk-cli")).toBe("npx s2pt walk scenario.json --va 0xffffffc000000008 --access r");
    expect(await p.textContent("#wk-cli-note")).toBe("save the pasted scenario as scenario.json first");
    await p.fill("#wk-paste", "{ nope");
    expect(await p.textContent("#wk-error")).toMatch(/^pasted scenario: not valid JSON: /);
    expect(await p.locator("#wk-out").isHidden()).toBe(true);
    expect(await p.isDisabled("#wk-cli-copy")).toBe(true);
    await setInputs(p, { "wk-scenario": "guest-framebuffer-nc" });
    expect(await p.locator("#wk-paste").isVisible()).toBe(false);
  });

  it("the memory type opens in the combine panel", async () => {
    await setWalk({ scenario: "guest-framebuffer-nc", mode: "va", addr: "0xffffffc000001040", access: "w" });
    await b.page.click("#wk-open-steps");
    expect([await b.page.inputValue("#cmb-s1"), await b.page.inputValue("#cmb-s2"), await b.page.isChecked("#cmb-fwb")]).toEqual(["0x44", "0x5", true]);
    expect(await b.page.textContent("#cmb-memtype")).toBe("Normal-NC");
  });

  it("logged no error", () => {
    expect(b.errors).toEqual([]);
  });
});
