// Accessibility as the web field tests it, and the page's cosmetic promises,
// in Chromium: axe-core (injected from node_modules) finds no serious or
// critical violation in any state the tests put the page in; every control
// is labelled and reached by Tab; colour never carries meaning alone; the
// glossary's terms open by keyboard; FWB starts on everywhere; identifiers
// never break mid-word; no bit-strip label is cut; names that are not links
// do not look like links. Screenshots of each panel go to artifacts/.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GLOSSARY } from "../../src/site/glossary.js";
import { artifactsDir, launch, openPage, pageFileUrl, screenshot, setInputs, type Browser } from "./harness.js";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let b: Browser;
const axeLog: Array<{ state: string; violations: Array<{ id: string; impact: string | null; nodes: number; help: string }> }> = [];

/** The page loaded afresh (not a same-document hash change), with axe-core in it. */
async function fresh(hash = ""): Promise<void> {
  await b.page.goto("about:blank");
  await openPage(b.page, pageFileUrl + hash);
  await b.page.addScriptTag({ content: AXE });
}

beforeAll(async () => {
  b = await launch();
  await fresh();
});

afterAll(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  writeFileSync(join(artifactsDir, "axe.json"), JSON.stringify(axeLog, null, 2) + "\n");
  await b?.close();
});

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }>;
}

async function axe(state: string): Promise<AxeResult["violations"]> {
  const r = await b.page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResult> } };
    // preload: false: axe would fetch site.css again by XHR, which file:// refuses (and logs as an error).
    return w.axe.run(document, { resultTypes: ["violations"], preload: false });
  });
  axeLog.push({ state, violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help })) });
  return r.violations;
}

const serious = (vs: AxeResult["violations"]): string[] =>
  vs
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(", ")}`,
    );

describe("axe-core: no serious or critical violation", () => {
  it("the page as it opens", async () => {
    expect(serious(await axe("as it opens"))).toEqual([]);
  });

  it("with open results, a pinned rule, a faulting two-stage walk, a filtered glossary and a popover", async () => {
    const p = b.page;
    await p.click("#rules button.rule[data-rule='on-wb']");
    await setInputs(p, { "cmb-s1": "0x02", "cmb-s2": "0x6" });
    await setInputs(p, { "wk-scenario": "guest-s1ptw-fault" });
    await setInputs(p, { "gl-filter": "sh" });
    await setInputs(p, { "reg-name": "VTCR_EL2", "reg-value": "0x002af558" });
    await p.focus("#intro a.term");
    expect(serious(await axe("results open"))).toEqual([]);
    await setInputs(p, { "wk-scenario": "map-page-4k-rw", "wk-access": "x" });
    await setInputs(p, { "cmb-s1": "0xzz", "desc-value": "0xq", "reg-value": "93c08007" });
    expect(serious(await axe("errors shown"))).toEqual([]);
    await fresh();
  });
});

describe("every control labelled and reached by the keyboard", () => {
  it("every input, select and textarea has a label; every button and link a name", async () => {
    const problems = await b.page.evaluate(() => {
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea"))) {
        if (!((el.labels?.length ?? 0) > 0 || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby"))) out.push(`no label: #${el.id}`);
      }
      for (const el of Array.from(document.querySelectorAll("button, a")))
        if (!(el.getAttribute("aria-label") || el.textContent?.trim())) out.push(`no name: ${el.outerHTML.slice(0, 80)}`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it("Tab reaches every enabled control (the matrix is one stop: arrows move in it)", async () => {
    const p = b.page;
    // Shown, enabled, in the tab order; of a radio group, the checked one (arrows move between them).
    await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const want = await p.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>("input, select, textarea, button, a[href], summary"))
        .filter(
          (el) =>
            !(el as HTMLButtonElement).disabled &&
            el.tabIndex >= 0 &&
            el.checkVisibility() &&
            !(el instanceof HTMLInputElement && el.type === "radio" && !el.checked),
        )
        .map((el, i) => el.id || el.getAttribute("data-key") || el.getAttribute("data-rule") || `#${i}:${el.tagName}:${el.textContent?.slice(0, 20)}`),
    );
    const seen = new Set<string>();
    for (let i = 0; i < want.length + 50; i++) {
      await p.keyboard.press("Tab");
      const id = await p.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return "";
        const all = Array.from(document.querySelectorAll<HTMLElement>("input, select, textarea, button, a[href], summary")).filter(
          (el) =>
            !(el as HTMLButtonElement).disabled &&
            el.tabIndex >= 0 &&
            el.checkVisibility() &&
            !(el instanceof HTMLInputElement && el.type === "radio" && !el.checked),
        );
        return el.id || el.getAttribute("data-key") || el.getAttribute("data-rule") || `#${all.indexOf(el)}:${el.tagName}:${el.textContent?.slice(0, 20)}`;
      });
      if (id === "" && i > 0) break;
      seen.add(id);
    }
    const missed = want.filter((w) => !seen.has(w));
    expect(missed).toEqual([]);
    // The matrix grid is a single tab stop.
    expect(want.filter((w) => /^0x[0-9a-f]{2},0x[0-9a-f]$/.test(w))).toHaveLength(1);
  });

  it("a term: its definition pops up on focus, Escape closes it, Enter goes to the glossary entry", async () => {
    const p = b.page;
    const term = p.locator("#matrix a.term[data-term='fwb']").first();
    await term.focus();
    const fwb = GLOSSARY.find((t) => t.id === "fwb")!;
    expect(await p.isVisible("#term-tip")).toBe(true);
    expect(await p.textContent("#term-tip")).toBe(`FWB: ${fwb.def}`);
    // Its accessible description is the glossary's line.
    expect(await term.getAttribute("aria-describedby")).toBe("gd-fwb");
    expect(await p.textContent("#gd-fwb")).toBe(fwb.def);
    mkdirSync(artifactsDir, { recursive: true });
    await p.screenshot({ path: join(artifactsDir, "site-term-popover.png") });
    await p.keyboard.press("Escape");
    expect(await p.isVisible("#term-tip")).toBe(false);
    await term.focus();
    await p.keyboard.press("Enter");
    expect(await p.evaluate(() => document.activeElement?.id)).toBe("g-fwb");
    expect(await p.evaluate(() => location.hash)).toBe("#view=glossary");
  });

  it("every term of the issue's list is marked somewhere on the page, and listed", async () => {
    const marked = new Set(await b.page.$$eval("a.term", (as) => as.map((a) => a.getAttribute("data-term"))));
    for (const id of ["mair", "attrindx", "memattr", "fwb", "device", "normal-nc", "wb-wt", "sh", "par", "impdef", "unpred"]) expect(marked, id).toContain(id);
    // The walk's fault and events mark the rest once a walk shows them.
    await setInputs(b.page, { "wk-scenario": "guest-s1ptw-fault" });
    await b.page.click("#wk-ops > summary");
    const more = new Set(await b.page.$$eval("a.term", (as) => as.map((a) => a.getAttribute("data-term"))));
    for (const id of ["esr", "hpfar", "s1ptw", "bbm", "tlbi", "cmo", "poc"]) expect(more, id).toContain(id);
    expect(await b.page.$$eval("#gl-list dt", (dts) => dts.length)).toBe(GLOSSARY.length);
  });
});

describe("colour is never the only carrier", () => {
  it("every matrix cell, legend entry, shareability cell, address segment and register problem says what it is in words", async () => {
    await setInputs(b.page, { "reg-name": "VTCR_EL2", "reg-value": "0x002af558" });
    expect(await b.page.locator("#reg-strip td.bit.bad").count()).toBe(5);
    const empty = await b.page.evaluate(() =>
      [
        ...Array.from(document.querySelectorAll("#mx-table button.cell")).filter(
          (el) => !el.querySelector(".ty")?.textContent?.trim() || !el.querySelector(".shv")?.textContent?.trim(),
        ),
        ...Array.from(document.querySelectorAll("#matrix ul.legend li")).filter((el) => !el.textContent?.trim()),
        ...Array.from(document.querySelectorAll("#mx-sh td.shcell")).filter((el) => !el.textContent?.trim()),
        ...Array.from(document.querySelectorAll("#walk .seg:not(.dot)")).filter((el) => !el.querySelector(".seg-label")?.textContent?.trim()),
        ...Array.from(document.querySelectorAll("#walk .gcell.fault")).filter((el) => !el.textContent?.includes("fault")),
        // A register bit that breaks RES0/RES1 is marked "!" and says which rule; a field's row says "problem".
        ...Array.from(document.querySelectorAll("#reg-strip td.bit.bad")).filter(
          (el) => !el.textContent?.includes("!") || !/must be [01]|reserved/.test(el.textContent ?? ""),
        ),
        ...Array.from(document.querySelectorAll("#reg-fields tr.bad")).filter((el) => !el.textContent?.includes("problem:")),
      ].map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(empty).toEqual([]);
  });
});

describe("the cosmetic points of issue 21", () => {
  it("FWB starts on in every panel, as in the CLI", async () => {
    await fresh();
    for (const id of ["mx-fwb", "cmb-fwb", "era-fwb", "desc-fwb"]) expect(await b.page.isChecked(`#${id}`), id).toBe(true);
  });

  it.each([1280, 1024])("no identifier breaks mid-word in the era cards (%ipx wide)", async (width) => {
    await b.page.setViewportSize({ width, height: 900 });
    const broken = await b.page.evaluate(() => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.getElementById("era-details")!, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? "";
        for (const m of text.matchAll(/[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?:\(\))?|[a-z0-9_]+\(\)/g)) {
          const r = document.createRange();
          r.setStart(n, m.index ?? 0);
          r.setEnd(n, (m.index ?? 0) + m[0].length);
          const tops = new Set(Array.from(r.getClientRects()).map((x) => Math.round(x.top)));
          if (tops.size > 1) out.push(m[0]);
        }
      }
      return out;
    });
    expect(broken).toEqual([]);
    await b.page.setViewportSize({ width: 1280, height: 900 });
  });

  it("no bit-strip label is cut (Contiguous, FnXS, VALID: whole, written vertically when narrow)", async () => {
    await setInputs(b.page, { "desc-value": "0x70000080000fff", "desc-level": "3" });
    const cut = await b.page.$$eval("#desc-strip td[data-label], #walk td[data-label]", (tds) =>
      tds
        .filter((td) => {
          const s = td.querySelector("span")!.getBoundingClientRect();
          const t = td.getBoundingClientRect();
          return s.left < t.left - 1 || s.right > t.right + 1 || s.top < t.top - 1 || s.bottom > t.bottom + 1;
        })
        .map((td) => td.getAttribute("data-label")),
    );
    expect(cut).toEqual([]);
    const labels = await b.page.$$eval("#desc-strip td[data-label]", (tds) => tds.map((td) => td.textContent));
    expect(labels).toContain("Contiguous");
  });

  it("ASL and kernel function names are not in the link colour; the footer links no raw markdown", async () => {
    const p = b.page;
    const link = await p.$eval("#nav a", (a) => getComputedStyle(a).color);
    for (const sel of ["#cmb-steps .asl", "#era-details .policy-steps code", "#rules .rule-meta code"]) {
      expect(await p.$eval(sel, (el) => getComputedStyle(el).color), sel).not.toBe(link);
      expect(await p.$eval(sel, (el) => el.closest("a")), sel).toBeNull();
    }
    expect(await p.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")).filter((h) => h !== null && /\.md(#|$)/.test(h)))).toEqual([]);
  });
});

describe("screenshots of each panel", () => {
  it("writes them to artifacts/", async () => {
    expect(b.errors).toEqual([]);
    await fresh("#view=matrix");
    await screenshot(b.page, "site-full.png");
    for (const id of ["matrix", "combine", "walk", "eras", "decoder", "registers", "glossary"])
      await b.page.locator(`#${id}`).screenshot({ path: join(artifactsDir, `site-${id}.png`) });
    expect(b.errors).toEqual([]);
  });
});
