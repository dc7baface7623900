// The register decoder panel (issue 19 item 3) in Chromium: choose a
// register and paste a value as a person would; the fields and the bit strip
// the page draws are `s2pt reg`'s (decodeRegister() run here in Node), and
// the hand-checked values of test/architecture/registers.test.ts come out
// with the bits written out there. Bad input is one line; a fault in the
// walk panel opens its registers here. Screenshots go to artifacts/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeRegister, REGISTERS } from "../../src/kvm/registers.js";
import { registerView } from "../../src/site/register-view.js";
import { artifactsDir, launch, openPage, pageFileUrl, setInputs, type Browser } from "./harness.js";

let b: Browser;

beforeAll(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  b = await launch();
  await openPage(b.page, pageFileUrl);
});

afterAll(async () => {
  await b?.close();
});

interface Shown {
  rows: Array<{ index: string | null; name: string | null; bits: string | null; value: string | null; meaning: string | null; bad: boolean }>;
  cells: Array<[number, number, string | null, string | null, boolean, string]>;
}

async function shown(): Promise<Shown> {
  return b.page.evaluate(() => ({
    rows: Array.from(document.querySelectorAll("#reg-fields tbody tr")).map((tr) => ({
      index: tr.getAttribute("data-index"),
      name: tr.getAttribute("data-field-name"),
      bits: tr.querySelector(".f-bits")?.textContent ?? null,
      value: tr.querySelector(".f-value")?.textContent ?? null,
      meaning: tr.querySelector(".f-meaning")?.textContent ?? null,
      bad: tr.classList.contains("bad"),
    })),
    cells: Array.from(document.querySelectorAll<HTMLElement>("#reg-strip td.bit")).map(
      (td) =>
        [
          Number(td.dataset.bit),
          Number(td.dataset.value),
          td.dataset.field ?? null,
          td.dataset.index ?? null,
          td.classList.contains("bad"),
          td.textContent ?? "",
        ] as [number, number, string | null, string | null, boolean, string],
    ),
  }));
}

async function setRegister(name: string, value: string, xs = false): Promise<void> {
  await setInputs(b.page, { "reg-name": name, "reg-xs": xs, "reg-value": value });
}

describe("paste a value: the fields and the bit strip are s2pt reg's", () => {
  const CASES: Array<[string, string]> = [
    ["ESR_EL2", "0x93c08007"],
    ["ESR_EL2", "0x0100000092800007"],
    ["ESR_EL1", "0x96000045"],
    ["HPFAR_EL2", "0xf1234567890"],
    ["FAR_EL2", "0xffff800008001008"],
    ["FAR_EL1", "0x400123"],
    ["PAR_EL1", "0x0400000009000900"],
    ["VTCR_EL2", "0x1802e358c"],
    ["VTTBR_EL2", "0x00ff000080000001"],
    ["MAIR_EL1", "0x000000040044f0ff"],
    ["TCR_EL1", "0x1d5b5193519"],
    ["SCTLR_EL1", "0x30d0199d"],
    ["HCR_EL2", "0x400c807c663f"],
    ["ID_AA64MMFR0_EL1", "0x30010101126"],
    ["ID_AA64MMFR1_EL1", "0x10312122"],
    ["ID_AA64MMFR2_EL1", "0x21010002000001"],
  ];

  it("every register the CLI knows is in the picker, with its short forms; each is checked below", async () => {
    const options = await b.page.$$eval("#reg-name option", (os) => os.map((o) => [o.getAttribute("value"), o.textContent]));
    expect(options).toEqual(REGISTERS.map((r) => [r.name, `${r.name}${r.aliases.length ? ` (${r.aliases.join(", ")})` : ""}: ${r.title}`]));
    expect(new Set(CASES.map(([n]) => n))).toEqual(new Set(REGISTERS.map((r) => r.name)));
  });

  it.each(CASES)("%s %s", async (name, value) => {
    await setRegister(name, value);
    const r = decodeRegister(name, BigInt(value));
    const d = r.decoded;
    const p = b.page;
    expect(await p.locator("#reg-error").isHidden()).toBe(true);
    expect(await p.textContent("#reg-summary")).toBe(d.summary);
    expect(await p.textContent("#reg-norm")).toBe(d.value);
    const s = await shown();
    expect(s.rows.map((x) => [x.name, x.bits, x.value])).toEqual(d.fields.map((f) => [f.name, f.bits, f.value]));
    s.rows.forEach((x, i) => {
      const f = d.fields[i];
      expect(x.meaning?.startsWith(f.meaning), `${f.name}: ${x.meaning}`).toBe(true);
      // A problem is said in words in its row, not only coloured.
      expect(x.bad).toBe(f.problem !== undefined);
      if (f.problem) expect(x.meaning).toContain(`⚠ problem: ${f.problem}`);
    });
    // The strip: 64 cells, bit 63 first, each with its bit's value and the field that owns it.
    expect(s.cells.map((c) => c[0])).toEqual(Array.from({ length: 64 }, (_, i) => 63 - i));
    for (const [bit, v, field, index] of s.cells) {
      expect(v, `bit ${bit}`).toBe(Number((BigInt(value) >> BigInt(bit)) & 1n));
      const owner = d.fields.findIndex((f) => f.lo <= bit && bit <= f.hi);
      expect([field, index], `owner of bit ${bit}`).toEqual([d.fields[owner].name, String(owner)]);
    }
    const problems = await p.$$eval("#reg-problems li", (lis) => lis.map((li) => li.textContent));
    expect(problems).toEqual(d.problems);
    expect(await p.$$eval("#reg-extra li", (lis) => lis.map((li) => li.textContent))).toEqual(r.extraLines);
    expect(await p.locator("#reg-geometry .geometry").count()).toBe(r.geometry ? 1 : 0);
    expect(await p.textContent("#reg-cli")).toBe(`npx s2pt reg ${name} ${d.value}`);
  });

  it("hand-checked: ESR_EL2 0x93c08007, a stage-2 Data Abort (LDR X0 from an MMIO page)", async () => {
    await setRegister("ESR_EL2", "0x93c08007");
    // 1001 0011 1100 0000 1000 0000 0000 0111: EC [31:26] 100100 = 0x24, IL [25] 1, ISV [24] 1, SAS [23:22] 11,
    // SRT [20:16] 00000 (X0), SF [15] 1, WnR [6] 0, DFSC [5:0] 000111 Translation fault level 3.
    const s = await shown();
    expect(
      s.cells
        .slice(32)
        .map((c) => c[1])
        .join(""),
    ).toBe("10010011110000001000000000000111");
    const owner = (bit: number): string | null => s.cells[63 - bit][2];
    expect([31, 26, 25, 24, 23, 22, 15, 6, 5, 0].map(owner)).toEqual(["EC", "EC", "IL", "ISV", "SAS", "SAS", "SF", "WnR", "DFSC", "DFSC"]);
    const row = (name: string): Shown["rows"][number] => s.rows.find((r) => r.name === name)!;
    expect([row("EC").bits, row("EC").value]).toEqual(["31:26", "0x24"]);
    expect([row("SAS").bits, row("SAS").value]).toEqual(["23:22", "0x3"]);
    expect(row("DFSC").meaning).toMatch(/Translation fault, level 3/);
    expect(await b.page.textContent("#reg-no-problem")).toMatch(/^No RES0 bit set, no RES1 bit clear/);
    // The strip labels the fields under their bits.
    const labels = await b.page.$$eval("#reg-strip td[data-label]", (tds) => tds.map((td) => td.getAttribute("data-label")));
    for (const l of ["EC", "IL", "ISV", "SAS", "SRT", "DFSC", "RES0"]) expect(labels).toContain(l);
    await b.page.locator("#registers").screenshot({ path: join(artifactsDir, "site-registers-esr.png") });
  });

  it("hand-checked: VTCR_EL2 0x802a3558 and the stage 2 it implies (4K, 40-bit IPA: start level 1, 2 root pages)", async () => {
    await setRegister("VTCR_EL2", "0x802a3558");
    const p = b.page;
    expect(await p.textContent("#reg-geo-title")).toBe("4K granule, 40-bit IPA, 40-bit PA");
    expect(await p.textContent("#reg-geo-shape")).toBe("3 levels, start level 1, 2 concatenated root pages (8 KiB PGD)");
    // 4K: level 3 indexes IPA bits 20:12, level 2 29:21, level 1 39:30 (2 x 512 entries concatenated).
    const levels = await p.$$eval("#reg-geo-levels tbody tr", (trs) => trs.map((tr) => Array.from(tr.children).map((c) => c.textContent)));
    expect(levels).toEqual([
      ["1", "39:30", "1024", "block 1 GiB"],
      ["2", "29:21", "512", "block 2 MiB"],
      ["3", "20:12", "512", "page 4 KiB"],
    ]);
    expect(await p.textContent("#reg-geo-cli")).toBe("npx s2pt geometry --granule 4k --ia-bits 40 --pa-bits 40");
    expect(await p.textContent("#reg-extra")).toContain("this is the value kvm_get_vtcr() writes");
    await p.locator("#registers").screenshot({ path: join(artifactsDir, "site-registers-vtcr.png") });
  });

  it("a RES0 violation is flagged in words, on the bit that breaks it, and marked on the strip", async () => {
    // 0x92800007: ISV [24] 0, so ISS[23:22] are RES0; bit 23 is set (0b10).
    await setRegister("ESR_EL2", "0x92800007");
    const p = b.page;
    expect(await p.textContent("#reg-problems strong")).toBe("⚠ 1 problem: the value breaks the architecture's rules");
    expect(await p.textContent("#reg-problems li")).toMatch(/^RES0\[23:22\]: RES0 bits set \(0b10\)/);
    const bad = (await shown()).cells.filter((c) => c[4]);
    // Only bit 23 (bit 22 is 0, as RES0 wants): its cell says so in text, not only by its outline.
    expect(bad.map((c) => [c[0], c[5]])).toEqual([[23, "1! (RES0 bit set: must be 0)"]]);
    expect(await p.getAttribute("#reg-strip td[data-bit='23']", "title")).toBe("bit 23 = 1: RES0, RES0 bit set: must be 0");
    expect(await p.textContent("#reg-fields tr.bad .f-problem")).toMatch(/^⚠ problem: RES0 bits set/);
    await b.page.locator("#registers").screenshot({ path: join(artifactsDir, "site-registers-problem.png") });
  });

  it("FEAT_XS changes what MAIR byte 0x40 is (reserved without it)", async () => {
    await setRegister("MAIR_EL1", "0x40");
    expect(await b.page.$$eval("#reg-problems li", (lis) => lis.length)).toBe(1);
    await setInputs(b.page, { "reg-xs": true });
    expect(await b.page.$$eval("#reg-problems li", (lis) => lis.length)).toBe(0);
    expect(await b.page.textContent("#reg-cli")).toBe("npx s2pt reg MAIR_EL1 0x40 --xs");
    await setInputs(b.page, { "reg-xs": false });
  });

  it("hovering or focusing a field's row outlines its bits (one RES0 field of several)", async () => {
    await setRegister("ESR_EL2", "0x93c08007");
    const p = b.page;
    const hl = (): Promise<number[]> => p.$$eval("#reg-strip td.bit.hl", (tds) => tds.map((td) => Number(td.getAttribute("data-bit"))));
    // Field 1 of ESR_EL2 is RES0 [55:44]; RES0 [63:56] (field 0) stays unmarked.
    expect(await p.textContent("#reg-fields tr[data-index='1'] .f-bits")).toBe("55:44");
    await p.hover("#reg-fields tr[data-index='1']");
    expect(await hl()).toEqual(Array.from({ length: 12 }, (_, i) => 55 - i));
    await p.hover("#reg-value");
    expect(await hl()).toEqual([]);
    // By keyboard: focus DFSC's row (the scroll may bring another row under the mouse, and outline its bits too).
    await p.focus("#reg-fields tr[data-field-name='DFSC']");
    expect(await p.$$eval("#reg-strip td.bit.hl[data-field='DFSC']", (tds) => tds.map((td) => Number(td.getAttribute("data-bit"))))).toEqual([
      5, 4, 3, 2, 1, 0,
    ]);
    await p.focus("#reg-value");
  });

  it("typing a value, then moving the focus to a field row, keeps the focus there (this panel and the descriptor decoder)", async () => {
    // The text box's `change` on blur must not redraw the rows the focus moves to.
    const p = b.page;
    for (const [input, value, row] of [
      ["#reg-value", "0x92000047", "#reg-fields tr[data-index='2']"],
      ["#desc-value", "0x400000800007fd", "#desc-fields tr[data-index='2']"],
    ]) {
      await p.fill(input, value);
      await p.focus(row);
      expect(await p.evaluate(() => [document.activeElement?.tagName, document.activeElement?.getAttribute("data-index")]), input).toEqual(["TR", "2"]);
    }
  });

  it("an example button sets the register and the value", async () => {
    await b.page.getByRole("button", { name: "HPFAR_EL2: the fault's IPA page" }).click();
    expect(await b.page.inputValue("#reg-name")).toBe("HPFAR_EL2");
    expect(await b.page.inputValue("#reg-value")).toBe("0x400010");
    expect(await b.page.textContent("#reg-summary")).toBe("faulting IPA page 0x40001000");
  });
});

describe("bad input gives a one-line message", () => {
  it.each(["93c08007", "0x10000000000000000", "0xq", "", "-0x1"])("'%s'", async (value) => {
    await setRegister("ESR_EL2", value);
    const p = b.page;
    const want = registerView({ name: "ESR_EL2", value, xs: false });
    if (want.ok) throw new Error("accepted");
    expect(await p.locator("#reg-error").isVisible()).toBe(true);
    const text = (await p.textContent("#reg-error")) ?? "";
    expect(text).toBe(want.error);
    expect(text).not.toContain("\n");
    // One line on screen, too.
    expect(await p.$eval("#reg-error", (el) => el.getClientRects().length)).toBe(1);
    expect(
      await p.$eval("#reg-error", (el) => Math.round(el.getBoundingClientRect().height) <= Math.ceil(parseFloat(getComputedStyle(el).lineHeight)) + 1),
    ).toBe(true);
    expect(await p.locator("#reg-out").isHidden()).toBe(true);
    expect(await p.isDisabled("#reg-cli-copy")).toBe(true);
    expect(await p.textContent("#reg-cli-note")).toBe("fix the input first");
  });

  it("and a good value brings the fields back", async () => {
    await setRegister("ESR_EL2", "0x93c08007");
    expect(await b.page.locator("#reg-error").isHidden()).toBe(true);
    expect(await b.page.locator("#reg-fields tbody tr").count()).toBeGreaterThan(10);
  });
});

describe("a fault in the walk panel opens its registers here", () => {
  it("the decode button of ESR_EL2 and HPFAR_EL2", async () => {
    const p = b.page;
    await setInputs(p, { "wk-scenario": "guest-s1ptw-fault" });
    const esr = await p.textContent("#wk-fault tr[data-name='ESR_EL2'] code");
    expect(esr).toMatch(/^0x[0-9a-f]+$/);
    await p.click("#wk-fault tr[data-name='ESR_EL2'] button[data-decode-reg]");
    expect(await p.inputValue("#reg-name")).toBe("ESR_EL2");
    expect(await p.inputValue("#reg-value")).toBe(esr);
    expect(await p.evaluate(() => document.activeElement?.id)).toBe("reg-value");
    expect(new URLSearchParams((await p.evaluate(() => location.hash)).slice(1)).get("view")).toBe("registers");
    // A stage-2 fault on the guest's walk: S1PTW = 1 in the decoded syndrome.
    expect(await p.textContent("#reg-fields tr[data-field-name='S1PTW'] .f-value")).toBe("0x1");
    await p.click("#wk-fault tr[data-name='HPFAR_EL2'] button[data-decode-reg]");
    expect(await p.inputValue("#reg-name")).toBe("HPFAR_EL2");
    expect(await p.textContent("#reg-summary")).toMatch(/^faulting IPA page 0x/);
  });
});

describe("screenshot", () => {
  it("site-registers.png, and no error logged", async () => {
    await setRegister("ESR_EL2", "0x93c08007");
    await b.page.locator("#registers").screenshot({ path: join(artifactsDir, "site-registers.png") });
    expect(b.errors).toEqual([]);
  });
});
