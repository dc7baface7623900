// The glossary (src/site/glossary.ts) and "copy the CLI command"
// (src/site/cli-view.ts) without a browser. Every command line a panel gives
// is run through the CLI (runCli, as `npx s2pt` would) and its answer
// compared with the page's.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { GLOSSARY, filterGlossary, termSegments } from "../../src/site/glossary.js";
import { cliLine, combineCli, decodeCli, eraCli, matrixCli, registerCli, shellWord, walkCli } from "../../src/site/cli-view.js";
import { DEFAULT_REGISTER_FORM, REGISTER_CHOICES, registerView, type RegisterForm } from "../../src/site/register-view.js";
import { DEFAULT_COMBINE_FORM, combineView, type CombineForm } from "../../src/site/combine-view.js";
import { DEFAULT_DESCRIPTOR_FORM, descriptorView, type DescriptorForm } from "../../src/site/descriptor-view.js";
import { DEFAULT_ERA_FORM, eraView, type EraForm } from "../../src/site/era-view.js";
import { DEFAULT_MATRIX_FORM, matrixView } from "../../src/site/matrix-view.js";
import { DEFAULT_WALK_FORM, walkView, type WalkForm } from "../../src/site/walk-view.js";
import { bundledScenario, PASTED } from "../../src/site/scenarios.js";
import { repoRoot } from "../helpers.js";

describe("glossary", () => {
  it("has every term issue 21 names, each one sentence", () => {
    const words = GLOSSARY.flatMap((t) => [t.term, ...t.aliases]);
    for (const w of [
      "MAIR_EL1",
      "AttrIndx",
      "MemAttr",
      "FWB",
      "nGnRE",
      "Normal-NC",
      "WB",
      "WT",
      "ISH",
      "OSH",
      "NSH",
      "PAR_EL1",
      "ESR_EL2",
      "HPFAR_EL2",
      "S1PTW",
      "BBM",
      "TLBI",
      "CMO",
      "PoC",
    ])
      expect(words, w).toContain(w);
    for (const t of GLOSSARY) {
      expect(t.def.endsWith("."), t.id).toBe(true);
      // One sentence: no full stop followed by a new sentence inside.
      expect(/\.\s+[A-Z]/.test(t.def.slice(0, -1)), t.def).toBe(false);
    }
    expect(new Set(GLOSSARY.map((t) => t.id)).size).toBe(GLOSSARY.length);
  });

  it("has the register panel's terms (issue 19): every register it decodes, EC/ISS, RES0/RES1", () => {
    const words = GLOSSARY.flatMap((t) => [t.term, ...t.aliases]);
    for (const w of [
      "ESR_EL2",
      "ESR_EL1",
      "HPFAR_EL2",
      "FAR_EL2",
      "PAR_EL1",
      "VTCR_EL2",
      "VTTBR_EL2",
      "VMID",
      "MAIR_EL1",
      "TCR_EL1",
      "SCTLR_EL1",
      "HCR_EL2",
      "ID_AA64MMFR0_EL1",
      "ID_AA64MMFR1_EL1",
      "ID_AA64MMFR2_EL1",
      "EC",
      "ISS",
      "DFSC",
      "RES0",
      "RES1",
    ])
      expect(words, w).toContain(w);
    // Every register the panel offers has a glossary entry that names it (FAR_EL1 under FAR_EL2's).
    for (const r of REGISTER_CHOICES)
      expect(
        GLOSSARY.some((t) => t.term.includes(r.name) || t.aliases.includes(r.name) || t.term.includes(r.name.replace(/[012]_EL1$/, "0/1/2_EL1"))),
        r.name,
      ).toBe(true);
    expect(termSegments("VTCR_EL2 has RES1 bit 31; ESR_EL2: EC 0x24, ESR_EL2.EC").filter((x) => typeof x !== "string")).toEqual([
      { id: "vtcr", text: "VTCR_EL2" },
      { id: "res0", text: "RES1" },
      { id: "esr", text: "ESR_EL2" },
      { id: "ec-iss", text: "EC" },
    ]);
  });

  it("marks each term once per block, whole words only", () => {
    const seen = new Set<string>();
    expect(termSegments("With FWB on, FEAT_S2FWB makes MT_S2_FWB_NORMAL force Write-Back; HCR_EL2.FWB again.", seen)).toEqual([
      "With ",
      { id: "fwb", text: "FWB" },
      " on, FEAT_S2FWB makes MT_S2_FWB_NORMAL force ",
      { id: "wb-wt", text: "Write-Back" },
      "; HCR_EL2.FWB again.",
    ]);
    expect(termSegments("FWB and ISH", seen)).toEqual(["FWB and ", { id: "sh", text: "ISH" }]);
    // The longest name wins: Device-nGnRnE is one term, not "nGnRnE" inside it.
    expect(termSegments("Device-nGnRnE")).toEqual([{ id: "device", text: "Device-nGnRnE" }]);
    expect(termSegments("ESR_EL2 and HPFAR_EL2, S1PTW = 1").filter((s) => typeof s !== "string")).toEqual([
      { id: "esr", text: "ESR_EL2" },
      { id: "hpfar", text: "HPFAR_EL2" },
      { id: "s1ptw", text: "S1PTW" },
    ]);
  });

  it("filters on the term, its names and its definition", () => {
    expect(filterGlossary("").length).toBe(GLOSSARY.length);
    expect(filterGlossary("coherency").map((t) => t.id)).toEqual(["poc"]);
    expect(filterGlossary("hpfar").map((t) => t.id)).toContain("hpfar");
    expect(filterGlossary("zzzz")).toEqual([]);
  });
});

/** Run a page's line through the CLI; the walk's scenario path is relative to the repository. */
function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  const a = argv[0] === "walk" ? [argv[0], join(repoRoot, argv[1]), ...argv.slice(2)] : argv;
  return runCli(a);
}

describe("copy the CLI command: every line runs, and says what the page says", () => {
  it("quotes only what a shell would split", () => {
    expect(["0x44", "--fwb", "R|W", "it's", ""].map(shellWord)).toEqual(["0x44", "--fwb", "'R|W'", `'it'\\''s'`, "''"]);
    expect(cliLine(["combine", "--s1", "0x44"]).text).toBe("npx s2pt combine --s1 0x44");
  });

  const COMBINE: Array<Partial<CombineForm>> = [
    {},
    { s1: "0x44", s2: "0x5", fwb: false },
    { s1: "ff", s1Sh: "0", s2: "0xc", s2Sh: "2", fwb: false },
    { s1: "0x04", s2Mode: "prot", prot: "R|W", fwb: true },
    { s1: "0xf0", s2: "0x6", mte2: false, xs: true, hcrCD: true, sctlrC: false, ifetch: true, hcrID: true, sctlrI: false },
    { s1: "0xff", hcrDC: true, hcrDCT: true },
  ];

  it.each(COMBINE.map((f) => [JSON.stringify(f), f] as const))("combine %s", (_n, part) => {
    const f = { ...DEFAULT_COMBINE_FORM, ...part };
    const line = combineCli(f);
    expect(line.argv).not.toBeNull();
    expect(line.argv).toContain(f.fwb ? "--fwb" : "--no-fwb");
    const r = run([...line.argv!, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as { attr: number; sh: number; description: string };
    const page = combineView(f);
    if (!page.ok) throw new Error(page.error);
    expect([cli.attr, cli.sh, cli.description]).toEqual([page.view.result.attr, page.view.result.sh, page.view.result.description]);
    if (f.s2Mode === "prot") expect(line.note).toMatch(/^the CLI takes the MemAttr: stage2_set_prot_attr\(R\|W\) writes MemAttr 0x6, SH 3$/);
  });

  it("combine: the reserved SH 0b01 has no CLI line, and says why", () => {
    const line = combineCli({ ...DEFAULT_COMBINE_FORM, s1Sh: "1" });
    expect(line).toEqual({ argv: null, text: "", note: "the CLI takes SH 0 (NSH), 2 (OSH) or 3 (ISH): the reserved 0b01 is on this page only" });
    expect(combineCli({ ...DEFAULT_COMBINE_FORM, s1: "zz" }).argv).toBeNull();
  });

  it("matrix: the selected cell", () => {
    for (const f of [DEFAULT_MATRIX_FORM, { ...DEFAULT_MATRIX_FORM, fwb: false, s1: "0x00", s2: "0xc", s1Sh: "0", s2Sh: "2" }]) {
      const line = matrixCli(f);
      const r = run([...line.argv!, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const cli = JSON.parse(r.stdout) as { attr: number; sh: number };
      const v = matrixView(f);
      if (!v.ok) throw new Error(v.error);
      expect([cli.attr, cli.sh]).toEqual([v.view.selected.attr, v.view.selected.sh]);
    }
    expect(matrixCli(DEFAULT_MATRIX_FORM).text).toBe("npx s2pt combine --s1 0x44 --s2 0x5 --fwb");
  });

  const WALKS: Array<Partial<WalkForm>> = [
    {},
    { scenario: "guest-s1ptw-fault", mode: "va", addr: "0xffffff8000001000", access: "r" },
    { scenario: "guest-4x4", mode: "va", addr: "0x765432101040", access: "r", el: "0" },
    { scenario: "map-page-4k-rw", mode: "ipa", addr: "0x40000000", access: "x" },
    { scenario: "map-page-inside-block", mode: "ipa", addr: "0x40001234", access: "w", s1Attr: "0x44", s1Sh: "2" },
  ];

  it.each(WALKS.map((f) => [JSON.stringify(f), f] as const))("walk %s", (_n, part) => {
    const f = { ...DEFAULT_WALK_FORM, ...part };
    const text = readFileSync(join(repoRoot, bundledScenario(f.scenario)!.path), "utf8");
    const line = walkCli(f, text);
    expect(line.argv?.[1]).toBe(bundledScenario(f.scenario)!.path);
    expect(line.argv).toContain("--access");
    const r = run(line.argv!);
    expect(r.code, r.stderr).toBe(0);
    const page = walkView(f, text);
    if (!page.ok) throw new Error(page.error);
    // The CLI prints the walk the page prints under "as s2pt walk prints it".
    expect(r.stdout.trimEnd().startsWith(page.view.cliText.split("\n\n")[0])).toBe(true);
  });

  it("walk: a pasted scenario names the file to save it as", () => {
    const text = readFileSync(join(repoRoot, "examples", "guest-device-fwb.json"), "utf8");
    const line = walkCli({ ...DEFAULT_WALK_FORM, scenario: PASTED, paste: text, mode: "va", addr: "0xffffffc000000008", access: "r" }, text);
    expect(line.text).toBe("npx s2pt walk scenario.json --va 0xffffffc000000008 --access r");
    expect(line.note).toBe("save the pasted scenario as scenario.json first");
  });

  const ERAS: Array<Partial<EraForm>> = [
    {},
    { vma: "anon", pgprot: "", allowAnyUncached: false, guest: "normal-nc", fwb: false },
    { vma: "pfnmap", pgprot: "cacheable", allowAnyUncached: false, guest: "", fwb: false, dic: true, pfn: "io" },
    { vma: "pfnmap", pgprot: "device", guest: "normal", guestSh: "2", access: "exec" },
  ];

  it.each(ERAS.map((f) => [JSON.stringify(f), f] as const))("explain %s", (_n, part) => {
    const f = { ...DEFAULT_ERA_FORM, ...part };
    const line = eraCli(f);
    const r = run([...line.argv!, "--json"]);
    const page = eraView(f);
    if (!page.ok) throw new Error(page.error);
    // The same refusals per era as the page shows; exit 1 when any era refuses (README's exit-code table).
    const cli = JSON.parse(r.stdout) as Array<{ era: string; error: { errno: number } | null }>;
    expect(cli.map((e) => [e.era, e.error?.errno ?? null])).toEqual(page.view.columns.map((c) => [c.x.era.id, c.x.policy.ok ? null : c.x.policy.errno]));
    expect(r.code, r.stderr).toBe(cli.some((e) => e.error !== null) ? 1 : 0);
    expect(line.argv).toContain(f.fwb ? "--fwb" : "--no-fwb");
  });

  const DECODES: Array<Partial<DescriptorForm>> = [
    {},
    { value: "400000800007fd", level: "2", fwb: false },
    { value: "0x40003003", level: "-1", lpa2: true },
    { value: "0xa000000010703", granule: "64k", level: "3", paBits: "40" },
    { value: "0x4", level: "" },
  ];

  it.each(DECODES.map((f) => [JSON.stringify(f), f] as const))("decode %s", (_n, part) => {
    const f = { ...DEFAULT_DESCRIPTOR_FORM, ...part };
    const line = decodeCli(f);
    expect(line.argv?.[1]).toMatch(/^0x[0-9a-f]+$/);
    const r = run([...line.argv!, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const page = descriptorView(f);
    if (!page.ok) throw new Error(page.error);
    expect((JSON.parse(r.stdout) as { summary: string }).summary).toBe(page.view.decoded.summary);
  });
});

describe("copy the CLI command: the register panel", () => {
  const REGS: Array<Partial<RegisterForm>> = [
    {},
    { name: "vtcr", value: "0x802a3558" },
    { name: "VTCR_EL2", value: "0x1802e358c" },
    { name: "mair", value: "0x40", xs: true },
    { name: "mair", value: "0x000000040044f0ff" },
    { name: "PAR_EL1", value: "0xff00000080000b80" },
    { name: "esr", value: "0x92800007" },
    { name: "ESR_EL1", value: "0x96000045" },
    { name: "mmfr0", value: "0x101125" },
    { name: "tcr", value: "0x1d5b5193519" },
    { name: "hcr", value: "0x400c807c663f" },
    { name: "vttbr", value: "0x0001000080000000" },
  ];

  it.each(REGS.map((f) => [JSON.stringify(f), f] as const))("reg %s", (_n, part) => {
    const f = { ...DEFAULT_REGISTER_FORM, ...part };
    const line = registerCli(f);
    const page = registerView(f);
    if (!page.ok) throw new Error(page.error);
    // The catalogue's name, the value as the page read it, --xs when set.
    expect(line.argv).toEqual(["reg", page.view.name, page.view.decoded.value, ...(f.xs ? ["--xs"] : [])]);
    const r = run([...line.argv!, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as {
      summary: string;
      fields: unknown[];
      problems: string[];
      notes: string[];
      geometry?: { start_level: number; pgd_pages: number; level_info: Array<{ level: number; ipa_bits: string; entries: number; used_entries: number }> };
    };
    expect(cli.summary).toBe(page.view.decoded.summary);
    expect(cli.fields).toEqual(page.view.decoded.fields);
    expect([cli.problems, cli.notes]).toEqual([page.view.decoded.problems, page.view.decoded.notes]);
    // The lines the page shows under "what s2pt makes of it" are the CLI's.
    const text = run(line.argv!);
    for (const l of page.view.extraLines) expect(text.stdout).toContain(`\n  ${l}`);
    const g = page.view.geometry;
    expect(cli.geometry === undefined).toBe(g === null);
    if (g && cli.geometry) {
      expect([cli.geometry.start_level, cli.geometry.pgd_pages]).toEqual([g.geometry.startLevel, g.geometry.pgdPages]);
      expect(cli.geometry.level_info.map((l) => [l.level, l.ipa_bits, l.entries, l.used_entries])).toEqual(
        g.levels.map((l) => [l.level, l.ipaBits, l.entries, l.usedEntries]),
      );
      // And the page's `s2pt geometry` line gives the same stage 2.
      const geo = run([...g.argv, "--json"]);
      expect(geo.code, geo.stderr).toBe(0);
      expect(JSON.parse(geo.stdout)).toEqual(cli.geometry);
    }
  });

  it("an abort the guest took: the note gives the s2pt fault line, which runs once HPFAR_EL2 is filled in", () => {
    const line = registerCli(DEFAULT_REGISTER_FORM);
    expect(line.text).toBe("npx s2pt reg ESR_EL2 0x93c08007");
    expect(line.note).toBe("what KVM does with this abort: npx s2pt fault --esr 0x93c08007 --hpfar <HPFAR_EL2>");
    const r = run(["fault", "--esr", "0x93c08007", "--hpfar", "0x400010"]);
    expect(r.code, r.stderr).toBe(0);
    // Not for an HVC, nor for ESR_EL1 (the guest's own fault), nor for an abort taken from EL2 itself (EC 0x25).
    expect(registerCli({ ...DEFAULT_REGISTER_FORM, value: "0x5a000000" }).note).toBeNull();
    expect(registerCli({ ...DEFAULT_REGISTER_FORM, name: "ESR_EL1", value: "0x92000004" }).note).toBeNull();
    expect(registerCli({ ...DEFAULT_REGISTER_FORM, value: "0x96000045" }).note).toBeNull();
  });

  it("no line for a value the page refuses", () => {
    expect(registerCli({ ...DEFAULT_REGISTER_FORM, value: "93c08007" })).toEqual({ argv: null, text: "", note: "fix the input first" });
  });
});
