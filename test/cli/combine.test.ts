// s2pt combine, in-process (runCli) and as a process (the --table pipe).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { fixtures, readJson, repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");

describe("s2pt combine", () => {
  it("explains a combine step by step and gives the PAR_EL1 encoding", () => {
    // arch-attributes.md 3.5: S1 0xFF + S2 nGnRE (FWB off) -> Device-nGnRE; 0x05 with FEAT_XS (XS = 1 AND 0).
    const r = runCli(["combine", "--s1", "0xff", "--s2", "0x1", "--no-fwb", "--xs"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("MAIR Attr 0xff (MAIR_ATTR_NORMAL)");
    expect(r.stdout).toContain("MT_S2_DEVICE_nGnRE");
    expect(r.stdout).toMatch(/S2CombineS1MemAttrs: stage 1 Normal, stage 2 Device/);
    expect(r.stdout).toMatch(/EffectiveShareability: Device is always Outer Shareable: ISH -> OSH/);
    expect(r.stdout).toContain("PAR_EL1.ATTR[63:56] = 0x05, PAR_EL1.SH[8:7] = 0b10");
    const noxs = runCli(["combine", "--s1", "0xff", "--s2", "0x1", "--no-fwb"]);
    expect(noxs.stdout).toContain("PAR_EL1.ATTR[63:56] = 0x04, PAR_EL1.SH[8:7] = 0b10");
  });
  it("FWB is on by default; an IMPLEMENTATION DEFINED shareability is reported open with its reason", () => {
    const r = runCli(["combine", "--s1", "0x44", "--s2", "6"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("FWB=1");
    expect(r.stdout).toMatch(/SH {3}open \(-1\): permitted OSH, ISH/);
    expect(r.stdout).toMatch(/Apply effective shareability at stage 1/);
  });
  it("--json carries attr/sh, the steps, and the open reasons", () => {
    const j = JSON.parse(runCli(["combine", "--s1", "0x80", "--s2", "0xf", "--no-fwb", "--s1-sh", "2", "--json"]).stdout);
    expect(j.attr).toBe(-1);
    expect(j.sh).toBe(2); // OSH on stage 1 wins whatever byte 0x80 stands for
    expect(j.open.attr.map((o: { id: string }) => o.id)).toEqual(["RESMAIR"]);
    expect(j.permitted.attr).toContain(0x00);
    expect(j.permitted.attr).toContain(0xff);
    expect(j.steps.length).toBeGreaterThan(3);
    expect(j.steps[0].asl).toBe("S1DecodeMemAttrs");
  });
  it("--s1-sh/--s2-sh take 0, 2, 3 or nsh/osh/ish", () => {
    const a = JSON.parse(runCli(["combine", "--s1", "0xff", "--s2", "0xf", "--no-fwb", "--s1-sh", "nsh", "--s2-sh", "0", "--json"]).stdout);
    expect([a.attr, a.sh]).toEqual([0xff, 0]);
  });
  it("the optional controls reach the combine", () => {
    const j = JSON.parse(runCli(["combine", "--s1", "0xff", "--s2", "0xf", "--no-fwb", "--hcr-cd", "--json"]).stdout);
    expect([j.attr, j.sh]).toEqual([0x44, 2]);
  });
});

describe("s2pt combine --table", () => {
  const sample = readJson<{ rows: number[][] }>(join(fixtures, "reference", "combine-sample.json"));
  it("json: exactly {fields, rows}, 73,728 rows, every sample row present", () => {
    const r = runCli(["combine", "--table", "--xs"]);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as { fields: string[]; rows: number[][] };
    expect(Object.keys(t)).toEqual(["fields", "rows"]);
    expect(t.fields).toEqual(["s1_attr", "s1_sh", "s2_memattr", "s2_sh", "fwb", "attr", "sh"]);
    expect(t.rows.length).toBe(73728);
    expect(r.stdout.startsWith('{"fields":["s1_attr","s1_sh","s2_memattr","s2_sh","fwb","attr","sh"],"rows":[[0,0,0,0,0,')).toBe(true);
    const at = (a: number, s1: number, m: number, s2: number, f: number): number[] =>
      t.rows[(((a * 3 + [0, -1, 1, 2][s1]) * 16 + m) * 3 + [0, -1, 1, 2][s2]) * 2 + f];
    for (const row of sample.rows) expect(at(row[0], row[1], row[2], row[3], row[4])).toEqual(row);
  });
  it("csv and md", () => {
    const csv = runCli(["combine", "--table", "--format", "csv"]).stdout.trimEnd().split("\n");
    expect(csv[0]).toBe("s1_attr,s1_sh,s2_memattr,s2_sh,fwb,attr,sh");
    expect(csv.length).toBe(73729);
    const md = runCli(["combine", "--table", "--format", "md"]).stdout.trimEnd().split("\n");
    expect(md[1]).toBe("| s1_attr | s1_sh | s2_memattr | s2_sh | fwb | attr | sh |");
    expect(md.length).toBe(73731);
  });
  it("arrives whole through a pipe", () => {
    const whole = runCli(["combine", "--table"]).stdout;
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" combine --table | wc -c`], { encoding: "utf8" });
    expect(Number(r.stdout.trim())).toBe(Buffer.byteLength(whole));
  });
  it("a reader that stops early (| head) is not an error", () => {
    const err = join(mkdtempSync(join(tmpdir(), "s2pt-")), "stderr");
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" combine --table --format csv 2>"${err}" | head -1`], { encoding: "utf8" });
    expect(r.stdout).toBe("s1_attr,s1_sh,s2_memattr,s2_sh,fwb,attr,sh\n");
    expect(readFileSync(err, "utf8")).toBe("");
  });
});

describe("s2pt combine: bad input is one line and a non-zero exit", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["attr > 0xff", ["combine", "--s1", "0x100", "--s2", "0x1"], /--s1: 0x100 is not a MAIR Attr byte \(0x00\.\.0xff\)/],
    ["memattr > 0xf", ["combine", "--s1", "0xff", "--s2", "0x10"], /--s2: 0x10 is out of range \(0\.\.0xf\)/],
    ["sh 1", ["combine", "--s1", "0xff", "--s2", "0x1", "--s1-sh", "1"], /--s1-sh: SH 0b01 is reserved/],
    ["sh 4", ["combine", "--s1", "0xff", "--s2", "0x1", "--s2-sh", "4"], /--s2-sh: 4 is not 0, 2 or 3/],
    ["malformed hex", ["combine", "--s1", "0xzz", "--s2", "0x1"], /--s1: '0xzz' is not a number/],
    ["negative", ["combine", "--s1", "-1", "--s2", "0x1"], /--s1/],
    ["missing --s2", ["combine", "--s1", "0xff"], /--s1 <attr byte> and --s2 <memattr> are required/],
    ["--table with --s1", ["combine", "--table", "--s1", "0xff"], /--table prints every row: it takes no --s1/],
    ["bad format", ["combine", "--table", "--format", "xml"], /--format: 'xml' is not one of json, csv, md/],
  ];
  it.each(cases)("%s", (_, argv, msg) => {
    const r = runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
