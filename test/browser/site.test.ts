// The docs page (docs/site) in headless Chromium: set the inputs as a person
// would, read what the page shows, and compare it with the library's answer
// computed here in Node. Screenshots go to artifacts/ (git-ignored).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROT_R, PROT_RW, PROT_X, encodeLeaf, type Granule } from "../../src/pgtable/descriptor.js";
import { decodeS2Descriptor, type DecodedDescriptor } from "../../src/pgtable/decode.js";
import { hex } from "../../src/pgtable/u64.js";
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
    const files = b.requests.map((u) => {
      expect(u.startsWith("file://"), `request to ${u}`).toBe(true);
      return u.slice(u.lastIndexOf("/") + 1);
    });
    expect(files.sort()).toEqual(["app.js", "index.html", "site.css"]);
    expect(b.errors).toEqual([]);
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
  const e = encodeLeaf({ granule, lpa2, fwb }, pa, level, prot);
  if (typeof e === "number") throw new Error(`encodeLeaf refused: ${e}`);
  return hex(e.value);
};

const DESC_CASES: DescCase[] = [
  { name: "4K R|W page, FWB (the kernel's leaf)", value: "0x400000800007db", granule: 4096, level: 3, lpa2: false, fwb: true },
  { name: "4K 2M block, no FWB", value: "0x400000800007fd", granule: 4096, level: 2, lpa2: false, fwb: false },
  { name: "16K LPA2 block at a 52-bit PA, bare hex", value: leaf(16384, true, true, 0x8000002000000, 2, PROT_R | PROT_X).slice(2), granule: 16384, level: 2, lpa2: true, fwb: true },
  { name: "owner annotation with a stray bit 40, level not known", value: "0x10000000004", granule: 4096, level: null, lpa2: false, fwb: true },
  { name: "table descriptor with ignored bit 63 set", value: "0x8000000040001003", granule: 4096, level: 1, lpa2: false, fwb: true },
  { name: "64K page beyond a 40-bit host PA", value: leaf(65536, false, true, 0xa000000010000, 3, PROT_RW), granule: 65536, level: 3, lpa2: false, fwb: true, paBits: 40 },
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
    const cells = await p.$$eval("#desc-strip td.bit", (tds) => tds.map((td) => [Number(td.getAttribute("data-bit")), Number(td.getAttribute("data-value")), td.getAttribute("data-field")] as const));
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

// ---- screenshots and a static server -------------------------------------------------

describe("artifacts and serving", () => {
  it("saves screenshots of the page", async () => {
    await setDescriptor(DESC_CASES[0]);
    const full = await screenshot(b.page, "site.png");
    await b.page.locator("#decoder").screenshot({ path: full.replace(/site\.png$/, "site-decoder.png") });
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
