// s2pt reg, run as a process (the built CLI): text and JSON, --list, the
// decode hint, and bad input (one line on stderr naming it, exit 2). The
// value is a 64-bit value like any other: 0x-prefixed hex (README "Conventions").
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");

function run(argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("s2pt reg", () => {
  it("decodes ESR_EL2 field by field (esr is its short name)", () => {
    const r = run(["reg", "esr", "0x93c08007"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ESR_EL2 = 0x93c08007 {2}Data Abort from a lower EL: Translation fault, level 3, read, 8-byte access to X0\n/);
    expect(r.stdout).toMatch(/\[5:0\]\s+DFSC\s+0x7\s+0b000111: Translation fault, level 3/);
    expect(r.stdout).toMatch(/\[23:22\]\s+SAS\s+0x3\s+doubleword \(8 bytes\)/);
    // 0X, upper-case digits, leading zeros and any case of the name: the same value, the same output.
    for (const argv of [
      ["reg", "ESR_EL2", "0X93C08007"],
      ["reg", "Esr", "0x0000000093c08007"],
    ])
      expect(run(argv)).toEqual(r);
  });
  it("a crash log's bare hex digits are refused, not guessed: the value takes its 0x like every 64-bit value", () => {
    for (const v of ["93c08007", "1073741824"]) {
      const r = run(["reg", "esr", v]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`s2pt: value: '${v}' is not a 0x-prefixed hex number\n`);
    }
  });
  it("--json: the register, the value, every field with bits, value, meaning", () => {
    const r = run(["reg", "ESR_EL2", "0x92000047", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      register: string;
      value: string;
      fields: Array<{ name: string; bits: string; value: string; meaning: string }>;
      problems: string[];
    };
    expect(j.register).toBe("ESR_EL2");
    expect(j.value).toBe("0x92000047");
    expect(j.fields.find((f) => f.name === "WnR")).toMatchObject({ bits: "6", value: "0x1", meaning: "1: write" });
    expect(j.problems).toEqual([]);
  });
  it("VTCR_EL2: the fields and the geometry, as s2pt geometry prints it", () => {
    const r = run(["reg", "vtcr", "0x802a3558"]);
    expect(r.code).toBe(0);
    const geo = run(["geometry", "--granule", "4k", "--ia-bits", "40", "--pa-bits", "40"]);
    expect(r.stdout).toContain(geo.stdout.trimEnd());
    expect(r.stdout).toMatch(/this is the value kvm_get_vtcr\(\) writes/);
    const j = JSON.parse(run(["reg", "vtcr", "0x802a3558", "--json"]).stdout) as { geometry: Record<string, unknown> };
    expect(j.geometry).toEqual(JSON.parse(run(["geometry", "--granule", "4k", "--ia-bits", "40", "--pa-bits", "40", "--json"]).stdout));
  });
  it("flags RES0/RES1 violations in text", () => {
    const r = run(["reg", "HPFAR_EL2", "0x400018"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/! RES0 bits set \(0b1000\)/);
    expect(r.stdout).toMatch(/1 problem: RES0\[3:0\]/);
  });
  it("--list names every register with its short name", () => {
    const r = run(["reg", "--list"]);
    expect(r.code).toBe(0);
    for (const n of [
      "ESR_EL2",
      "ESR_EL1",
      "HPFAR_EL2",
      "FAR_EL2",
      "PAR_EL1",
      "VTCR_EL2",
      "VTTBR_EL2",
      "MAIR_EL1",
      "TCR_EL1",
      "SCTLR_EL1",
      "HCR_EL2",
      "ID_AA64MMFR0_EL1",
      "ID_AA64MMFR1_EL1",
      "ID_AA64MMFR2_EL1",
    ]) {
      expect(r.stdout).toContain(n);
    }
    expect(r.stdout).toMatch(/^ESR_EL2\s+esr\s+Exception Syndrome Register \(EL2\)$/m);
  });
  it("s2pt decode given a register name points to s2pt reg", () => {
    const r = run(["decode", "esr", "0x93c08007"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("s2pt: descriptor: 'esr' is a register name: s2pt reg ESR_EL2 <value> decodes registers\n");
    expect(run(["decode", "vttbr"]).stderr).toBe("s2pt: descriptor: 'vttbr' is a register name: s2pt reg VTTBR_EL2 <value> decodes registers\n");
  });
  it("--list --json: every register, its short names and title", () => {
    const r = run(["reg", "--list", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Array<{ name: string; aliases: string[]; title: string }>;
    expect(j.length).toBe(15);
    expect(j[0]).toEqual({ name: "ESR_EL2", aliases: ["esr"], title: "Exception Syndrome Register (EL2)" });
  });
});

describe("s2pt reg: bad input", () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      "an unknown register, with the nearest name",
      ["reg", "esr_el3", "0x1"],
      /^s2pt: register: 'esr_el3' is not a register s2pt decodes; did you mean ESR_EL2\? \(s2pt reg --list names them\)$/,
    ],
    [
      "an unknown register with no near name",
      ["reg", "frobnicator", "0x1"],
      /^s2pt: register: 'frobnicator' is not a register s2pt decodes \(s2pt reg --list names them\)$/,
    ],
    ["a value wider than the register (64 bits)", ["reg", "vtcr", "0x1ffffffffffffffff"], /^s2pt: value: '0x1ffffffffffffffff' does not fit in 64 bits$/],
    ["a value that is not hex", ["reg", "esr", "0x93g08007"], /^s2pt: value: '0x93g08007' is not a 0x-prefixed hex number$/],
    ["a value in bare hex", ["reg", "esr", "93c08007"], /^s2pt: value: '93c08007' is not a 0x-prefixed hex number$/],
    ["a negative value", ["reg", "esr", "-0x1"], /^s2pt: value: '-0x1' is negative$/],
    ["no value", ["reg", "mair"], /^s2pt: reg: missing its argument <value> \(see s2pt reg --help\)$/],
    ["no register", ["reg"], /^s2pt: reg: missing its arguments <register> <value> \(see s2pt reg --help\)$/],
    ["the value before the name", ["reg", "0x93c08007", "esr"], /^s2pt: register: '0x93c08007' is not a register s2pt decodes \(s2pt reg --list names them\)$/],
    ["a third argument", ["reg", "esr", "0x93c08007", "0x1"], /^s2pt: reg: unexpected argument '0x1' \(reg takes <register> <value>; see s2pt reg --help\)$/],
    ["--list with a name", ["reg", "esr", "--list"], /^s2pt: --list: takes no argument \('esr' given: s2pt reg --list, or s2pt reg <register> <value>\)$/],
    [
      "decode with an extra argument",
      ["decode", "0x1", "0x2"],
      /^s2pt: decode: unexpected argument '0x2' \(decode takes one <descriptor>; see s2pt decode --help\)$/,
    ],
  ];
  it.each(cases)("%s: exit 2, one line on stderr, nothing on stdout", (_n, argv, msg) => {
    const r = run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
    expect(r.stderr.trimEnd()).toMatch(msg);
  });
});
