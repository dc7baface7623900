// The docs page (docs/site) in headless Chromium: set the inputs as a person
// would, read what the page shows, and compare it with the library's answer
// computed here in Node. Screenshots go to artifacts/ (git-ignored).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROT_R, PROT_RW, PROT_X, encodeLeafFast } from "../../src/pgtable/descriptor.js";
import type { Granule } from "../../src/pgtable/geometry.js";
import { decodeS2Descriptor, type DecodedDescriptor } from "../../src/walker/decode.js";
import { hex } from "../../src/pgtable/u64.js";
import { combineS1S2, configWords, type CombineOptions } from "../../src/mair/combine.js";
import { DEFAULT_EXAMPLE_PA, explainEras } from "../../src/kvm/explain.js";
import { ERA_IDS, errnoName, type FaultAccess } from "../../src/kvm/policy.js";
import { protNames } from "../../src/walker/decode.js";
import { launch, openPage, pageFileUrl, screenshot, serveSite, setInputs, type Browser } from "./harness.js";

let b: Browser;

beforeAll(async () => {
  b = await launch();
  await openPage(b.page, pageFileUrl);
});

afterAll(async () => {
  await b?.close();
});

describe("the page loads from file:// with nothing but its own files", () => {
  it("draws the panels, requests only index.html, site.css and app.js, and logs no error", async () => {
    expect(await b.page.locator("#no-bundle").count()).toBe(0);
    expect(await b.page.locator("#decoder h2").textContent()).toBe("Descriptor decoder");
    expect(await b.page.locator("#combine h2").textContent()).toBe("Stage-1 + stage-2 memory attribute combine");
    expect(await b.page.locator("#eras h2").textContent()).toBe("How KVM picks the stage-2 memory type, era by era");
    const files = b.requests.map((u) => {
      expect(u.startsWith("file://"), `request to ${u}`).toBe(true);
      return u.slice(u.lastIndexOf("/") + 1);
    });
    expect(files.sort()).toEqual(["app.js", "index.html", "site.css"]);
    expect(b.errors).toEqual([]);
  });
});

describe("accessibility basics", () => {
  it("every control has a label, every button a name, the page a language and one h1", async () => {
    const problems = await b.page.evaluate(() => {
      const out: string[] = [];
      for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select"))) {
        const named = (el.labels?.length ?? 0) > 0 || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
        if (!named) out.push(`no label: #${el.id || el.name}`);
      }
      for (const btn of Array.from(document.querySelectorAll("button")))
        if (!(btn.getAttribute("aria-label") || btn.textContent?.trim())) out.push("a button without a name");
      if (document.documentElement.lang !== "en") out.push("no lang");
      if (document.querySelectorAll("h1").length !== 1) out.push("not one h1");
      for (const s of Array.from(document.querySelectorAll("section"))) if (!s.getAttribute("aria-labelledby")) out.push(`section #${s.id} unlabelled`);
      return out;
    });
    expect(problems).toEqual([]);
  });

  it("errors are announced (role=alert) and results are live regions", async () => {
    for (const id of ["desc-error", "cmb-error", "era-error"]) expect(await b.page.getAttribute(`#${id}`, "role")).toBe("alert");
    for (const id of ["desc-out", "cmb-out", "era-out"]) expect(await b.page.getAttribute(`#${id}`, "aria-live")).toBe("polite");
  });
});

// ---- descriptor decoder ----------------------------------------------------------

interface DescCase {
  name: string;
  value: string;
  granule: Granule;
  level: number | null;
  lpa2: boolean;
  fwb: boolean;
  paBits?: number;
}

const leaf = (granule: Granule, lpa2: boolean, fwb: boolean, pa: number, level: number, prot: number): string => {
  const e = encodeLeafFast({ granule, lpa2, fwb }, pa, level, prot);
  if (typeof e === "number") throw new Error(`encodeLeafFast refused: ${e}`);
  return hex(e.value);
};

const DESC_CASES: DescCase[] = [
  { name: "4K R|W page, FWB (the kernel's leaf)", value: "0x400000800007db", granule: 4096, level: 3, lpa2: false, fwb: true },
  { name: "4K 2M block, no FWB", value: "0x400000800007fd", granule: 4096, level: 2, lpa2: false, fwb: false },
  {
    name: "16K LPA2 block at a 52-bit PA, bare hex",
    value: leaf(16384, true, true, 0x8000002000000, 2, PROT_R | PROT_X).slice(2),
    granule: 16384,
    level: 2,
    lpa2: true,
    fwb: true,
  },
  { name: "owner annotation with a stray bit 40, level not known", value: "0x10000000004", granule: 4096, level: null, lpa2: false, fwb: true },
  { name: "table descriptor with ignored bit 63 set", value: "0x8000000040001003", granule: 4096, level: 1, lpa2: false, fwb: true },
  {
    name: "64K page beyond a 40-bit host PA",
    value: leaf(65536, false, true, 0xa000000010000, 3, PROT_RW),
    granule: 65536,
    level: 3,
    lpa2: false,
    fwb: true,
    paBits: 40,
  },
  { name: "level -1 table (4K, LPA2)", value: "0x40003003", granule: 4096, level: -1, lpa2: true, fwb: true },
];

const GRANULE_OPT: Record<Granule, string> = { 4096: "4k", 16384: "16k", 65536: "64k" };

async function setDescriptor(c: DescCase): Promise<void> {
  await setInputs(b.page, {
    "desc-granule": GRANULE_OPT[c.granule],
    "desc-lpa2": c.lpa2,
    "desc-fwb": c.fwb,
    "desc-level": c.level === null ? "" : String(c.level),
    "desc-pa-bits": c.paBits === undefined ? "" : String(c.paBits),
    "desc-value": c.value,
  });
}

/** Which field the strip should colour each bit with, from the library's decoded fields. */
function expectedOwners(d: DecodedDescriptor): string[] {
  const owner = new Array<string>(64).fill("");
  for (const f of d.fields) {
    if (f.view) continue;
    if (f.name === "other") {
      const stray = BigInt(f.raw);
      for (let i = 0; i < 64; i++) if ((stray >> BigInt(i)) & 1n) owner[i] = f.name;
      continue;
    }
    const [hi, lo] = f.bits.split(":").map(Number);
    for (let i = lo ?? hi; i <= hi; i++) owner[i] = f.name;
  }
  return owner;
}

describe("descriptor decoder: what the page shows is decodeS2Descriptor()", () => {
  it.each(DESC_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await setDescriptor(c);
    const value = BigInt(c.value.startsWith("0x") ? c.value : `0x${c.value}`);
    const d = decodeS2Descriptor(value, { granule: c.granule, level: c.level ?? undefined, lpa2: c.lpa2, fwb: c.fwb, paBits: c.paBits });
    const p = b.page;
    expect(await p.locator("#desc-error").isHidden()).toBe(true);
    expect(await p.textContent("#desc-summary")).toBe(d.summary);
    expect(await p.textContent("#desc-kind")).toBe(d.kind);
    expect(await p.textContent("#desc-norm")).toBe(d.value);
    if (d.prot) expect(await p.textContent("#desc-prot")).toBe(d.prot);
    const rows = await p.$$eval("#desc-fields tbody tr", (trs) =>
      trs.map((tr) => ({
        name: tr.getAttribute("data-field-name"),
        bits: tr.querySelector(".f-bits")?.textContent,
        value: tr.querySelector(".f-value")?.textContent,
        meaning: tr.querySelector(".f-meaning")?.textContent,
      })),
    );
    expect(rows.map((r) => [r.name, r.bits, r.value])).toEqual(d.fields.map((f) => [f.name, f.bits, f.value]));
    rows.forEach((r, i) => expect(r.meaning?.startsWith(d.fields[i].meaning)).toBe(true));
    expect(await p.$$eval("#desc-notes li", (lis) => lis.map((li) => li.textContent))).toEqual(d.notes);
    // The strip: 64 cells, bit 63 first; each shows its bit and the field that owns it.
    const cells = await p.$$eval("#desc-strip td.bit", (tds) =>
      tds.map((td) => [Number(td.getAttribute("data-bit")), Number(td.getAttribute("data-value")), td.getAttribute("data-field")] as const),
    );
    expect(cells.map((x) => x[0])).toEqual(Array.from({ length: 64 }, (_, i) => 63 - i));
    const owners = expectedOwners(d);
    for (const [bit, shown, field] of cells) {
      expect(shown, `bit ${bit}`).toBe(Number((value >> BigInt(bit)) & 1n));
      expect(field, `owner of bit ${bit}`).toBe(owners[bit]);
    }
  });

  it("hand-checked: the kernel's 4K R|W page 0x400000800007db", async () => {
    await setDescriptor(DESC_CASES[0]);
    const p = b.page;
    expect(await p.textContent("#desc-summary")).toMatch(/^page -> 0x80000000, Normal-WB, RW-, AF$/);
    // bits 5:2 = 0b0110 (MT_S2_FWB_NORMAL), bit 54 = XN, bits 47:12 = OA 0x80000.
    const field = (bit: number): Promise<string | null> => p.getAttribute(`#desc-strip td[data-bit='${bit}']`, "data-field");
    for (const bit of [5, 4, 3, 2]) expect(await field(bit)).toBe("MemAttr");
    expect(await p.getAttribute("#desc-strip td[data-bit='54']", "data-value")).toBe("1");
    expect(await field(54)).toBe("XN");
    expect(await field(31)).toBe("OA");
    expect(await p.textContent("#desc-fields tr[data-field-name='MemAttr'] .f-value")).toBe("0x6");
  });

  it("an example button fills in the leaf the model builds", async () => {
    await b.page.getByRole("button", { name: "2M block R|W|X, no FWB" }).click();
    const want = leaf(4096, false, false, 0x80000000, 2, PROT_R | PROT_RW | PROT_X);
    expect(await b.page.inputValue("#desc-value")).toBe(want);
    expect(await b.page.textContent("#desc-summary")).toBe(decodeS2Descriptor(BigInt(want), { granule: 4096, level: 2, lpa2: false, fwb: false }).summary);
  });

  it.each([
    ["0xzz", "4k", false, "descriptor: '0xzz' is not a 0x-prefixed hex number"],
    ["0x10000000000000000", "4k", false, "descriptor: '0x10000000000000000' does not fit in 64 bits"],
    ["0x3", "64k", true, "FEAT_LPA2: FEAT_LPA2 descriptors exist for 4K and 16K granules only"],
  ] as const)("bad input %s is refused with the library's message", async (value, granule, lpa2, message) => {
    await setInputs(b.page, { "desc-level": "", "desc-granule": granule, "desc-lpa2": lpa2, "desc-value": value });
    expect(await b.page.locator("#desc-error").isVisible()).toBe(true);
    expect(await b.page.textContent("#desc-error")).toBe(message);
    expect(await b.page.locator("#desc-out").isHidden()).toBe(true);
  });
});

// ---- combine ----------------------------------------------------------------------

interface CombineCase {
  name: string;
  /** Stage-1 Attr byte as typed, and SH. */
  s1: string;
  s1Sh: number;
  /** Stage 2: a MemAttr and SH, or a KVM prot with the MemAttr/SH stage2_set_prot_attr() writes (hand-stated from asm/memory.h). */
  s2: { memattr: number; sh: number; prot?: string };
  opts: CombineOptions;
  /** Set the stage-1 byte with the Linux-name picker instead of typing it. */
  named?: string;
  /** Hand-worked expectation (the Arm ARM rules), checked besides the library's answer. */
  hand?: { attr: number | "open"; sh: number | "open"; memtype?: string; openIds?: string[] };
}

const ISH = 3;
const OSH = 2;
const NSH = 0;

const COMBINE_CASES: CombineCase[] = [
  // FWB off: S2CombineS1MemAttrs, the stricter wins.
  {
    name: "Normal WB over stage-2 Device-nGnRE, no FWB",
    s1: "0xff",
    s1Sh: ISH,
    s2: { memattr: 0x1, sh: ISH },
    opts: { fwb: false },
    hand: { attr: 0x04, sh: OSH, memtype: "Device-nGnRE" },
  },
  {
    name: "Normal WB over stage-2 Normal WB, no FWB",
    s1: "ff",
    s1Sh: ISH,
    s2: { memattr: 0xf, sh: ISH },
    opts: { fwb: false },
    hand: { attr: 0xff, sh: ISH, memtype: "Normal-WB" },
  },
  {
    name: "Normal WB over stage-2 Normal NC, no FWB (NC wins, OSH)",
    s1: "0xff",
    s1Sh: ISH,
    s2: { memattr: 0x5, sh: ISH },
    opts: { fwb: false },
    hand: { attr: 0x44, sh: OSH, memtype: "Normal-NC" },
  },
  {
    name: "Device-nGnRnE over stage-2 Normal WB, no FWB",
    s1: "0x00",
    s1Sh: NSH,
    s2: { memattr: 0xf, sh: ISH },
    opts: { fwb: false },
    hand: { attr: 0x00, sh: OSH, memtype: "Device-nGnRnE" },
  },
  {
    name: "MAIR_ATTR_NORMAL_NC picked by name over KVM's R|W|NORMAL_NC, no FWB",
    s1: "0x44",
    named: "0x44",
    s1Sh: ISH,
    s2: { memattr: 0x5, sh: ISH, prot: "R|W|NORMAL_NC" },
    opts: { fwb: false },
    hand: { attr: 0x44, sh: OSH },
  },
  // FWB on: AArch64.S2ApplyFWBMemAttrs, stage 2 overrides.
  {
    name: "Device-nGnRE guest over KVM's R|W with FWB (forced WB; SH IMPLEMENTATION DEFINED)",
    s1: "0x04",
    s1Sh: ISH,
    s2: { memattr: 0x6, sh: ISH, prot: "R|W" },
    opts: { fwb: true },
    hand: { attr: 0xff, sh: "open", openIds: ["IMPDEF_S1_SH"] },
  },
  {
    name: "Normal WB guest over KVM's R|W|DEVICE with FWB",
    s1: "0xff",
    s1Sh: ISH,
    s2: { memattr: 0x1, sh: ISH, prot: "R|W|DEVICE" },
    opts: { fwb: true },
    hand: { attr: 0x04, sh: OSH, memtype: "Device-nGnRE" },
  },
  {
    name: "Tagged guest over FWB forced WB keeps the tag",
    s1: "0xf0",
    s1Sh: ISH,
    s2: { memattr: 0x6, sh: ISH },
    opts: { fwb: true },
    hand: { attr: 0xf0, sh: ISH },
  },
  { name: "FWB MemAttr 0b111: stage 1 as it is", s1: "0xbb", s1Sh: ISH, s2: { memattr: 0x7, sh: ISH }, opts: { fwb: true }, hand: { attr: 0xbb, sh: ISH } },
  {
    name: "FWB MemAttr 0b100 (reserved in the Arm ARM, the ASL's 0b101 arm)",
    s1: "0xff",
    s1Sh: ISH,
    s2: { memattr: 0x4, sh: ISH },
    opts: { fwb: true },
    hand: { attr: 0x44, sh: OSH },
  },
  { name: "FEAT_XS: Normal NC XS=0 byte 0x40 over Normal NC, no FWB", s1: "0x40", s1Sh: ISH, s2: { memattr: 0x5, sh: ISH }, opts: { fwb: false, xs: true } },
  { name: "instruction fetch with HCR_EL2.ID = 1, FWB", s1: "0xff", s1Sh: ISH, s2: { memattr: 0x6, sh: ISH }, opts: { fwb: true, ifetch: true, hcrID: true } },
  // Open cases: the page must say open, with reasons and permitted outcomes.
  {
    name: "reserved stage-2 inner cacheability 0b1100, no FWB",
    s1: "0xff",
    s1Sh: ISH,
    s2: { memattr: 0xc, sh: ISH },
    opts: { fwb: false },
    hand: { attr: "open", sh: ISH, openIds: ["S2RESMEMATTR"] },
  },
  {
    name: "reserved stage-1 SH 0b01, no FWB",
    s1: "0xff",
    s1Sh: 1,
    s2: { memattr: 0xf, sh: NSH },
    opts: { fwb: false },
    hand: { attr: 0xff, sh: "open", openIds: ["S1SH"] },
  },
  {
    name: "reserved MAIR byte 0x02 over FWB forced WB",
    s1: "0x02",
    s1Sh: ISH,
    s2: { memattr: 0x6, sh: ISH },
    opts: { fwb: true },
    hand: { attr: "open", sh: "open", openIds: ["RESMAIR", "IMPDEF_S1_SH"] },
  },
];

const CONTROL_IDS: Array<[keyof CombineOptions, string, boolean]> = [
  ["mte2", "cmb-mte2", true],
  ["ifetch", "cmb-ifetch", false],
  ["hcrCD", "cmb-hcr-cd", false],
  ["hcrID", "cmb-hcr-id", false],
  ["hcrDC", "cmb-hcr-dc", false],
  ["hcrDCT", "cmb-hcr-dct", false],
  ["sctlrC", "cmb-sctlr-c", true],
  ["sctlrI", "cmb-sctlr-i", true],
];

const byte = (v: number): string => "0x" + v.toString(16).padStart(2, "0");
const shText = (sh: number): string => `${["NSH", "SH=0b01", "OSH", "ISH"][sh]} (0b${sh.toString(2).padStart(2, "0")})`;

async function setCombine(c: CombineCase): Promise<void> {
  const p = b.page;
  if ((await p.locator("#cmb-more").getAttribute("open")) === null) await p.click("#cmb-more > summary");
  const inputs: Record<string, string | boolean> = { "cmb-fwb": c.opts.fwb, "cmb-xs": c.opts.xs ?? false };
  for (const [k, id, def] of CONTROL_IDS) inputs[id] = c.opts[k] ?? def;
  if (c.named) inputs["cmb-s1-named"] = c.named;
  else inputs["cmb-s1"] = c.s1;
  inputs["cmb-s1-sh"] = String(c.s1Sh);
  if (c.s2.prot !== undefined) {
    await p.check("#cmb-mode-prot");
    inputs["cmb-prot"] = c.s2.prot;
  } else {
    await p.check("#cmb-mode-memattr");
    inputs["cmb-s2"] = `0x${c.s2.memattr.toString(16)}`;
    inputs["cmb-s2-sh"] = String(c.s2.sh);
  }
  await setInputs(p, inputs);
}

describe("combine: what the page shows is combineS1S2()", () => {
  it.each(COMBINE_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await setCombine(c);
    const p = b.page;
    const r = combineS1S2(parseInt(c.s1, 16), c.s1Sh, c.s2.memattr, c.s2.sh, c.opts);
    expect(await p.locator("#cmb-error").isHidden(), (await p.textContent("#cmb-error")) ?? "").toBe(true);
    // Inputs decoded.
    expect(await p.inputValue("#cmb-s1")).toBe(c.named ?? c.s1);
    expect(await p.textContent("#cmb-s1-text")).toContain(r.s1.text);
    expect(await p.textContent("#cmb-s2-text")).toContain(r.s2.text);
    expect(await p.textContent("#cmb-s2-text")).toContain(`MemAttr 0x${c.s2.memattr.toString(16)} `);
    if (c.s2.prot) expect(await p.textContent("#cmb-s2-from")).toContain(`MemAttr 0x${c.s2.memattr.toString(16)}, SH ${shText(c.s2.sh)}`);
    expect(await p.textContent("#cmb-config")).toBe(configWords(r.config));
    // The result, determined or open.
    const open = r.attr < 0 || r.sh < 0;
    expect(await p.getAttribute("#cmb-result", "data-open")).toBe(open ? "1" : "0");
    expect(await p.textContent("#cmb-attr")).toBe(r.attr < 0 ? "open" : byte(r.attr));
    expect(await p.textContent("#cmb-sh")).toBe(r.sh < 0 ? "open" : shText(r.sh));
    expect(await p.textContent("#cmb-memtype")).toBe(r.memtype);
    expect(await p.textContent("#cmb-description")).toBe(r.description);
    // Every rule step, in order.
    const steps = await p.$$eval("#cmb-steps > li", (lis) =>
      lis.map((li) => [li.querySelector(".asl")?.textContent, li.querySelector(".rule")?.textContent, li.querySelector(".res")?.textContent]),
    );
    expect(steps).toEqual(r.steps.map((s) => [s.asl, s.rule, `→ ${s.result}`]));
    // Open: the reasons and every permitted outcome.
    const reasons = await p.$$eval("#cmb-result .reasons li", (lis) => lis.map((li) => li.getAttribute("data-id")));
    expect(reasons).toEqual([...r.open.attr, ...r.open.sh].map((x) => x.id));
    const outcomes = await p.$$eval("#cmb-outcomes > li", (lis) => lis.map((li) => [Number(li.getAttribute("data-attr")), Number(li.getAttribute("data-sh"))]));
    expect(outcomes).toEqual(r.outcomes.length > 1 ? r.outcomes.map((o) => [o.attr, o.sh]) : []);
    expect(await p.$$eval("#cmb-notes li", (lis) => lis.map((li) => li.textContent))).toEqual(r.notes);
    // The hand-worked answer agrees too.
    if (c.hand) {
      expect(r.attr).toBe(c.hand.attr === "open" ? -1 : c.hand.attr);
      expect(r.sh).toBe(c.hand.sh === "open" ? -1 : c.hand.sh);
      if (c.hand.memtype) expect(r.memtype).toBe(c.hand.memtype);
      if (c.hand.openIds) expect(new Set(reasons)).toEqual(new Set(c.hand.openIds));
    }
  });

  it("an open case is shown as open, never as one chosen value", async () => {
    await setCombine(COMBINE_CASES.find((c) => c.s2.memattr === 0xc)!);
    const box = await b.page.textContent("#cmb-result");
    expect(box).toMatch(/^Open: the architecture does not fix one answer here\./);
    // Hand-worked: inner 0b00 under outer WB reads as NC, WT or WB; with stage-1 WB: 0xf4, 0xfb, 0xff.
    expect(box).toContain("permitted: 0xf4, 0xfb, 0xff");
    expect(await b.page.textContent("#cmb-attr")).toBe("open");
  });

  it("every example button sets a combination the page then explains (checked against the library)", async () => {
    const p = b.page;
    const buttons = await p.$$("button[data-cmb-example]");
    expect(buttons.length).toBeGreaterThanOrEqual(6);
    for (const btn of buttons) {
      await btn.click();
      const mode = (await p.isChecked("#cmb-mode-prot")) ? "prot" : "memattr";
      const fwb = await p.isChecked("#cmb-fwb");
      let memattr = parseInt(await p.inputValue("#cmb-s2"), 16);
      let s2Sh = Number(await p.inputValue("#cmb-s2-sh"));
      if (mode === "prot") {
        // The stage-2 card says what stage2_set_prot_attr() wrote; read it back and check it against the library.
        const m = /MemAttr 0x([0-9a-f]+), SH \w+ \(0b([01]+)\)/.exec((await p.textContent("#cmb-s2-from")) ?? "");
        expect(m, "prot mode shows the derived MemAttr").not.toBeNull();
        memattr = parseInt(m![1], 16);
        s2Sh = parseInt(m![2], 2);
      }
      const r = combineS1S2(parseInt(await p.inputValue("#cmb-s1"), 16), Number(await p.inputValue("#cmb-s1-sh")), memattr, s2Sh, { fwb });
      expect(await p.textContent("#cmb-attr"), (await btn.textContent()) ?? "").toBe(r.attr < 0 ? "open" : byte(r.attr));
      expect(await p.textContent("#cmb-sh")).toBe(r.sh < 0 ? "open" : shText(r.sh));
      expect(await p.textContent("#cmb-description")).toBe(r.description);
    }
  });

  it.each([
    ["cmb-s1", "0x100", "stage-1 MAIR Attr: 0x100 is out of range (0..0xff)"],
    ["cmb-prot", "R|DEVICE|X", "KVM prot R|DEVICE|X: stage2_set_prot_attr() returns -EINVAL (-22): device memory is never mapped executable"],
  ] as const)("bad input in #%s is refused with one line", async (id, value, message) => {
    if (id === "cmb-prot") await b.page.check("#cmb-mode-prot");
    await setInputs(b.page, { [id]: value });
    expect(await b.page.textContent("#cmb-error")).toBe(message);
    expect(await b.page.locator("#cmb-out").isHidden()).toBe(true);
    await setInputs(b.page, { [id]: id === "cmb-s1" ? "0xff" : "R|W" });
    expect(await b.page.locator("#cmb-out").isVisible()).toBe(true);
  });
});

// ---- era comparison ------------------------------------------------------------------

interface EraCase {
  name: string;
  vma: "anon" | "file" | "pfnmap" | "mixedmap";
  pgprot?: "cacheable" | "tagged" | "wc" | "noncached" | "device";
  allowAnyUncached?: boolean;
  pfn?: "ram" | "io";
  fwb: boolean;
  dic?: boolean;
  access?: FaultAccess;
  /** Guest attribute: the picker's value and the MAIR byte it stands for. */
  guest?: { name: string; attr: number };
  /** Hand-stated from kernel-reference.md section 6 (the mmu.c policy per era). */
  hand?: Partial<Record<(typeof ERA_IDS)[number], { outcome?: string; hazard?: string; memattr?: number }>>;
}

const ERA_CASES: EraCase[] = [
  {
    name: "a vfio-pci BAR (VM_PFNMAP, pgprot_noncached, VM_ALLOW_ANY_UNCACHED), guest write-combining, FWB",
    vma: "pfnmap",
    pgprot: "noncached",
    allowAnyUncached: true,
    fwb: true,
    guest: { name: "normal-nc", attr: 0x44 },
    // Before the series an IO pfn is KVM_PGTABLE_PROT_DEVICE (MT_S2_FWB_DEVICE_nGnRE = 1) and Device wins the
    // combine; from v6.9 VM_ALLOW_ANY_UNCACHED makes it KVM_PGTABLE_PROT_NORMAL_NC (MT_S2_FWB_NORMAL_NC = 5).
    hand: {
      pre: { outcome: "R|W|DEVICE", hazard: "wc-lost", memattr: 0x1 },
      "v6.9": { outcome: "R|W|NORMAL_NC", memattr: 0x5 },
      mainline: { outcome: "R|W|NORMAL_NC", memattr: 0x5 },
    },
  },
  {
    name: "cacheable device memory (VM_PFNMAP, cacheable pgprot, IO pfn) without FWB",
    vma: "pfnmap",
    pgprot: "cacheable",
    fwb: false,
    // Mainline refuses a cacheable VM_PFNMAP memslot without kvm_supports_cacheable_pfnmap() (FWB and DIC).
    hand: { pre: { outcome: "R|W|DEVICE", memattr: 0x1 }, mainline: { outcome: "-EINVAL from kvm_arch_prepare_memory_region()" } },
  },
  {
    name: "anonymous RAM the guest maps Normal-NC, no FWB",
    vma: "anon",
    fwb: false,
    guest: { name: "normal-nc", attr: 0x44 },
    // RAM is MT_S2_NORMAL (0xf) in every era; the guest's NC alias of host-cacheable memory is the classic hazard.
    hand: { pre: { outcome: "R|W", memattr: 0xf, hazard: "uncached-alias" }, mainline: { outcome: "R|W", memattr: 0xf, hazard: "uncached-alias" } },
  },
  {
    name: "an instruction fetch from a device BAR, guest Normal WB",
    vma: "pfnmap",
    pgprot: "device",
    allowAnyUncached: true,
    fwb: true,
    access: "exec",
    guest: { name: "normal", attr: 0xff },
    hand: {
      pre: { outcome: "-ENOEXEC from user_mem_abort()", hazard: "exec-noexec" },
      mainline: { outcome: "-ENOEXEC from user_mem_abort()", hazard: "exec-noexec" },
    },
  },
];

async function setEras(c: EraCase): Promise<void> {
  await setInputs(b.page, {
    "era-vma": c.vma,
    "era-pfn": c.pfn ?? "",
    "era-fwb": c.fwb,
    "era-dic": c.dic ?? false,
    "era-access": c.access ?? "read",
    "era-guest": c.guest?.name ?? "",
  });
  if (c.vma === "pfnmap" || c.vma === "mixedmap")
    await setInputs(b.page, { "era-pgprot": c.pgprot ?? "", "era-allow-any-uncached": c.allowAnyUncached ?? false });
  if (c.guest) await setInputs(b.page, { "era-guest-sh": "3" });
}

describe("era comparison: what the page shows is explainEras()", () => {
  it.each(ERA_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await setEras(c);
    const p = b.page;
    expect(await p.locator("#era-error").isHidden(), (await p.textContent("#era-error")) ?? "").toBe(true);
    const driver = c.vma === "pfnmap" || c.vma === "mixedmap";
    const v = {
      vma: c.vma,
      pgprot: c.pgprot ?? (driver ? "device" : "cacheable"),
      allowAnyUncached: c.allowAnyUncached ?? false,
      pfnRam: c.pfn === undefined ? !driver : c.pfn === "ram",
    } as const;
    const xs = explainEras(
      ERA_IDS,
      { ...v, fwb: c.fwb, dic: c.dic ?? false, access: c.access ?? "read" },
      {
        granule: 4096,
        lpa2: false,
        pa: DEFAULT_EXAMPLE_PA,
        level: 3,
        guest: c.guest ? { attr: c.guest.attr, sh: 3 } : null,
      },
    );
    // Eras side by side, oldest first.
    expect(await p.$$eval("#era-table thead th[data-era]", (ths) => ths.map((th) => th.getAttribute("data-era")))).toEqual([...ERA_IDS]);
    const cellText = (era: string, row: string): Promise<string | null> => p.textContent(`#era-table td[data-era='${era}'][data-row='${row}']`);
    let prev: (typeof xs)[number] | null = null;
    for (const x of xs) {
      const era = x.era.id;
      const pol = x.policy;
      const outcome = (await cellText(era, "outcome")) ?? "";
      expect(outcome.startsWith(pol.ok ? (protNames(pol.prot) ?? "") : `${errnoName(pol.errno)} from ${pol.where}`), `${era}: ${outcome}`).toBe(true);
      const desc = (await cellText(era, "descriptor")) ?? "";
      expect(desc.startsWith(x.leaf ? x.leaf.pte : "-"), `${era}: ${desc}`).toBe(true);
      const memattr = (await cellText(era, "memattr")) ?? "";
      expect(memattr.startsWith(x.s2MemAttr === null ? "-" : `0x${x.s2MemAttr.toString(16)} `), `${era}: ${memattr}`).toBe(true);
      if (c.guest) {
        const eff = (await cellText(era, "effective")) ?? "";
        if (x.combine) {
          expect(eff).toContain(x.combine.memtype);
          expect(eff).toContain(`PAR_EL1.ATTR ${x.combine.attr >= 0 ? byte(x.combine.attr) : "open"}`);
        } else expect(eff.startsWith("-")).toBe(true);
      } else expect(await p.locator(`#era-table td[data-era='${era}'][data-row='effective']`).count()).toBe(0);
      expect(await p.getAttribute(`#era-table td[data-era='${era}'][data-row='hazards']`, "data-hazards")).toBe(x.hazards.map((z) => z.id).join(" "));
      // A changed descriptor is marked as changed, an unchanged one is not.
      if (prev) {
        const changed = (prev.leaf ? prev.leaf.pte : "-") !== (x.leaf ? x.leaf.pte : "-");
        expect(await p.locator(`#era-table td[data-era='${era}'][data-row='descriptor'].differs`).count(), `${era} descriptor marked`).toBe(changed ? 1 : 0);
      }
      // The per-era card lists the policy's steps, with the kernel function of each.
      const steps = await p.$$eval(`#era-details .card[data-era='${era}'] .policy-steps li`, (lis) => lis.map((li) => li.textContent));
      expect(steps).toEqual(pol.steps.map((s) => `${s.fn}: ${s.text}`));
      const hand = c.hand?.[era];
      if (hand?.outcome) expect(outcome.startsWith(hand.outcome), `${era} hand: ${outcome}`).toBe(true);
      if (hand?.memattr !== undefined) expect(x.s2MemAttr).toBe(hand.memattr);
      if (hand?.hazard) expect(x.hazards.map((z) => z.id)).toContain(hand.hazard);
      prev = x;
    }
  });

  it("a leaf's decode button opens it in the descriptor decoder", async () => {
    await setEras(ERA_CASES[0]);
    const want = (await b.page.textContent("#era-table td[data-era='mainline'][data-row='descriptor'] code")) ?? "";
    await b.page.click("button[data-decode='mainline']");
    expect(await b.page.inputValue("#desc-value")).toBe(want);
    expect(await b.page.textContent("#desc-summary")).toBe(decodeS2Descriptor(BigInt(want), { granule: 4096, level: 3, lpa2: false, fwb: true }).summary);
  });

  it("refuses a VMA combination no kernel has, in one line", async () => {
    await setInputs(b.page, { "era-vma": "anon", "era-pfn": "io" });
    expect(await b.page.textContent("#era-error")).toMatch(/^--pfn io: an anonymous VMA is backed by RAM pages only/);
    expect(await b.page.locator("#era-out").isHidden()).toBe(true);
    await setInputs(b.page, { "era-pfn": "" });
    expect(await b.page.locator("#era-out").isVisible()).toBe(true);
  });
});

// ---- screenshots and a static server -------------------------------------------------

describe("artifacts and serving", () => {
  it("saves screenshots of the page", async () => {
    await setDescriptor(DESC_CASES[0]);
    await setCombine(COMBINE_CASES[5]);
    await setEras(ERA_CASES[0]);
    const full = await screenshot(b.page, "site.png");
    for (const panel of ["combine", "eras", "decoder"]) {
      await b.page.locator(`#${panel}`).screenshot({ path: full.replace(/site\.png$/, `site-${panel}.png`) });
    }
    expect(b.errors).toEqual([]);
  });

  it("works the same from a static HTTP server", async () => {
    const srv = await serveSite();
    const page = await b.context.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    try {
      await openPage(page, srv.url);
      await page.fill("#desc-value", "0x400000800007db");
      expect(await page.textContent("#desc-summary")).toBe(decodeS2Descriptor(0x400000800007dbn, { granule: 4096, level: 3, lpa2: false, fwb: true }).summary);
      for (const u of requests) expect(u.startsWith(srv.url), `request to ${u}`).toBe(true);
    } finally {
      await page.close();
      await srv.close();
    }
  });
});
