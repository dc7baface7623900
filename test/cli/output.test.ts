// What the commands print: the help (every example runs, copies whole, uses in-repo paths), the
// --json forms of dump and check, decode as a validator (--expect, notes for bits KVM never
// writes, the prot in the text), and --format only with --table.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { runCli } from "../../src/cli/main.js";
import { decodeS2Descriptor } from "../../src/walker/decode.js";
import { InputError } from "../../src/pgtable/u64.js";
import { conformanceDir, repoRoot } from "../helpers.js";

const scn = (f: string): string => join(conformanceDir, "scenarios", f);
const bin = join(repoRoot, "dist", "src", "cli", "main.js");

describe("help", () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))("%s --help: every example on one line, described, with an in-repo path, and it runs", (name, c) => {
    const r = runCli([name, "--help"]);
    expect(r.code).toBe(0);
    // No yargs camelCase alias (--ia-bits shown as iaBits too).
    for (const o of Object.keys(c.options).filter((x) => x.includes("-")))
      expect(r.stdout).not.toContain(o.replace(/-([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase()));
    expect(c.examples.length).toBeGreaterThan(0);
    for (const [cmd, what] of c.examples) {
      expect(what, cmd).not.toBe("");
      // The example is printed whole on one line (no wrapping inside it), followed by its description.
      expect(
        r.stdout.split("\n").some((l) => l.includes(`s2pt ${cmd}`) && l.trimEnd().endsWith(what)),
        cmd,
      ).toBe(true);
      expect(cmd).not.toMatch(/\.\.\/shared/);
      // It runs from the repository root as written (through a shell, for quoting and redirection).
      const p = spawnSync("bash", ["-c", `"$NODE" "$BIN" ${cmd}`], {
        cwd: repoRoot,
        encoding: "utf8",
        maxBuffer: 64 << 20,
        env: { ...process.env, NODE: process.execPath, BIN: bin },
      });
      expect([0, 1], `${cmd}: ${p.stderr}`).toContain(p.status);
      expect(p.stdout.length, cmd).toBeGreaterThan(0);
    }
  });
  it("walk --help: the framebuffer example is the guest's framebuffer write it promises", () => {
    const ex = COMMANDS.find((c) => c.name === "walk")!.examples.find(([, w]) => /framebuffer/.test(w))!;
    const r = runCli(ex[0].split(" ").map((a) => (a.startsWith("examples/") ? join(repoRoot, a) : a)));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/fault/i);
    expect(r.stdout).toMatch(/^PA 0x1000001040$/m);
    expect(r.stdout).toMatch(/Normal-NC|Non-cacheable/);
  });
  it("s2pt --help lists every command and the conventions; --version", () => {
    const r = runCli(["--help"]);
    for (const c of COMMANDS) expect(r.stdout).toContain(`s2pt ${c.name}`);
    expect(r.stdout).toMatch(/Exit codes: 0 .* 1 .* 2 bad input, 70 internal error/);
    expect(runCli(["-h"]).stdout).toBe(r.stdout);
    expect(runCli(["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(runCli(["decode", "--help"]).stdout).not.toContain("--version");
  });
});

describe("--json everywhere", () => {
  it("dump --json: the ptdump lines as objects", () => {
    const j = JSON.parse(runCli(["dump", scn("map-page-inside-block.json"), "--json"]).stdout) as Array<Record<string, unknown>>;
    const text = runCli(["dump", scn("map-page-inside-block.json")])
      .stdout.trimEnd()
      .split("\n")
      .slice(1);
    expect(j).toHaveLength(text.length);
    expect(j).toContainEqual({
      start: "0x40001000",
      end: "0x40002000",
      size: "0x1000",
      level: 3,
      attrs: { valid: true, r: true, w: true, x: false, af: true, block: false },
      memtype: "Normal-WB",
    });
    // Runs of empty entries have no columns, as the kernel prints none.
    expect(j[0]).toMatchObject({ start: "0x0", level: 1, attrs: null, memtype: null });
    const k = JSON.parse(runCli(["dump", scn("map-page-inside-block.json"), "--json", "--kernel"]).stdout) as Array<Record<string, unknown>>;
    expect(k).toHaveLength(text.length - 1);
    expect(k[0]).not.toHaveProperty("memtype");
  });
  it("check --json: per scenario its counts, or the violation", () => {
    const r = runCli(["check", join(repoRoot, "test", "regressions"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { scenarios: Array<Record<string, unknown>>; ok: number; total: number };
    expect(j.ok).toBe(j.total);
    expect(j.scenarios.length).toBe(j.total);
    for (const s of j.scenarios)
      expect(Object.keys(s)).toEqual(["scenario", "name", "ok", "ops", "breaks", "in_place", "caller_owed_tlbis", "max_table_pages", "violation"]);
  });
  it("--format only with --table; --table takes none of the one-combine options", () => {
    expect(runCli(["combine", "--s1", "0xff", "--s2", "0x1", "--format", "csv"]).stderr).toBe(
      "s2pt: --format: only with --table (it chooses the table's format; --json gives one combine as JSON)\n",
    );
    expect(runCli(["combine", "--table", "--no-fwb"]).stderr).toBe("s2pt: --table prints every row: it takes no --fwb\n");
    expect(runCli(["combine", "--table", "--format", "CSV"]).stdout.split("\n")[0]).toBe("s1_attr,s1_sh,s2_memattr,s2_sh,fwb,attr,sh");
  });
});

describe("decode as a validator", () => {
  it("the text shows the prot the JSON shows", () => {
    const t = runCli(["decode", "0x400000800007d7", "--level", "3"]).stdout;
    const j = JSON.parse(runCli(["decode", "0x400000800007d7", "--level", "3", "--json"]).stdout);
    expect(j.prot).toBe("R|W|NORMAL_NC");
    expect(t).toMatch(/^ {2}prot R\|W\|NORMAL_NC {2}\(the kvm_pgtable_prot stage2_set_prot_attr\(\) turns into these attributes\)$/m);
    expect(runCli(["decode", "0x4000008000071b", "--level", "3"]).stdout).toMatch(/^ {2}prot "" \(none\)/m);
    expect(runCli(["decode", "0x400000800007eb", "--level", "3"]).stdout).toMatch(/^ {2}prot none: MemAttr is not a value stage2_set_prot_attr\(\) writes$/m);
  });
  it.each([
    ["DBM", "0x480000800007db", 51, "DBM"],
    ["Contiguous", "0x500000800007db", 52, "Contiguous"],
    ["FnXS", "0x40000080000fdb", 11, "FnXS"],
    ["bit 53 (XNX)", "0x600000800007db", 53, "XN[1:0] (FEAT_XNX)"],
    ["a stray bit 49 in a page", "0x420000800007db", 49, "no field in this format"],
    ["bit 50", "0x440000800007db", 50, "no field in this format"],
    ["PBHA", "0x08400000800007db", 59, "PBHA"],
    ["bit 63", "0x80400000800007db", 63, "no field in this format"],
  ])("a note for %s, which KVM never writes", (_, desc, b, field) => {
    const d = JSON.parse(runCli(["decode", desc, "--level", "3", "--json"]).stdout);
    expect(d.notes).toContain(`bit ${b} (${field}) is set: kvm_pgtable_stage2_map() never writes it in a leaf`);
    expect(runCli(["decode", desc, "--level", "3"]).stdout).toContain(`  note: bit ${b} (${field}) is set`);
  });
  it("no such note for a leaf pgtable.c writes (FWB, no FWB, LPA2, 64K, SW bits)", () => {
    for (const argv of [
      ["0x400000800007db", "--level", "3"],
      ["0x400000800007ff", "--level", "3", "--no-fwb"],
      ["0x800007fd", "--level", "2", "--no-fwb"],
      ["0x07c00000800007db", "--level", "3"],
      ["0x400000800004db", "--level", "3", "--lpa2"],
      ["0x400000000107db", "--level", "3", "--granule", "64k"],
    ]) {
      const d = JSON.parse(runCli(["decode", ...argv, "--json"]).stdout);
      expect(d.notes, argv.join(" ")).toEqual([]);
    }
  });
  it("--expect: exactly what pgtable.c writes (exit 0)", () => {
    const r = runCli(["decode", "0x400000800007db", "--level", "3", "--expect", "R|W"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("verdict: 0x400000800007db is exactly the leaf pgtable.c writes for prot R|W at level 3, PA 0x80000000");
    expect(runCli(["decode", "0x800007fd", "--level", "2", "--no-fwb", "--expect", "R|W|X"]).code).toBe(0);
    expect(runCli(["decode", "0x400000800004db", "--level", "3", "--lpa2", "--expect", "R|W"]).code).toBe(0);
  });
  it("--expect: each differing field named (exit 1)", () => {
    const r = runCli(["decode", "0x48000080000fdb", "--level", "3", "--expect", "R|W|X"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    const at = lines.findIndex((l) => l.startsWith("verdict: "));
    expect(lines[at]).toBe("verdict: 0x48000080000fdb differs from 0x800007db, the leaf pgtable.c writes for prot R|W|X at level 3, PA 0x80000000:");
    expect(lines.slice(at + 1).map((l) => l.split(":")[0].trim())).toEqual(["FnXS [11]", "DBM [51]", "XN [54]"]);
    const j = JSON.parse(runCli(["decode", "0x48000080000fdb", "--level", "3", "--expect", "R|W|X", "--json"]).stdout);
    expect(j.verdict).toMatchObject({ expected: "0x800007db", identical: false, refusal: null, prot: "R|W|X", level: 3, pa: "0x80000000" });
    expect(j.verdict.differences.map((d: { field: string; got: string; expected: string }) => [d.field, d.got, d.expected])).toEqual([
      ["FnXS", "0x1", "0x0"],
      ["DBM", "0x1", "0x0"],
      ["XN", "0x1", "0x0"],
    ]);
  });
  it("--expect: AF clear is named with the op that clears it; the PA and the memory type", () => {
    const af = runCli(["decode", "0x400000800003db", "--level", "3", "--expect", "R|W"]).stdout;
    expect(af).toMatch(
      / {2}AF \[10\]: here 0x0 \(not accessed.*\); pgtable.c writes 0x1 \(accessed\) \(a new leaf has AF set; kvm_pgtable_stage2_test_clear_young\(\) clears it later\)/,
    );
    const pa = runCli(["decode", "0x400000800007db", "--level", "3", "--expect", "R|W", "--pa", "0x90000000"]);
    expect(pa.code).toBe(1);
    expect(pa.stdout).toMatch(/ {2}OA \[47:12\]: here 0x80000000 .*; pgtable.c writes 0x90000000/);
    const dev = runCli(["decode", "0x400000800007db", "--level", "3", "--expect", "R|W|DEVICE"]).stdout;
    expect(dev).toMatch(/ {2}MemAttr \[5:2\]: here 0x6 .*; pgtable.c writes 0x1 \(Device-nGnRE/);
  });
  it("--expect: a prot the kernel refuses (exit 1), and the options it needs", () => {
    const r = runCli(["decode", "0x400000800007c7", "--level", "3", "--expect", "DEVICE|X"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/verdict: pgtable.c writes no leaf for prot X\|DEVICE at level 3, PA 0x80000000: prot: stage2_set_prot_attr\(\) returns -EINVAL/);
    expect(runCli(["decode", "0x1", "--expect", "R"]).stderr).toMatch(/^s2pt: --expect: needs --level/);
    expect(runCli(["decode", "0x1", "--pa", "0x0"]).stderr).toMatch(/^s2pt: --pa: only with --expect/);
    expect(runCli(["decode", "0x1", "--stage1", "--expect", "R"]).stderr).toMatch(/^s2pt: --expect: not with --stage1/);
    expect(runCli(["decode", "0x1", "--level", "0", "--expect", "R"]).stderr).toMatch(/^s2pt: --level: KVM maps leaves at levels 1\.\.3/);
  });
});

describe("decodeS2Descriptor checks its arguments", () => {
  const o = { granule: 4096 as const, lpa2: false, fwb: true };
  it.each([
    [2n ** 64n, /^decodeS2Descriptor: value: 0x10000000000000000 is not a 64-bit descriptor/],
    [-1n, /^decodeS2Descriptor: value: -0x1 is not a 64-bit descriptor/],
  ])("%s is refused, not decoded modulo 2^64", (v, msg) => {
    expect(() => decodeS2Descriptor(v, o)).toThrow(InputError);
    expect(() => decodeS2Descriptor(v, o)).toThrow(msg);
  });
  it("and its options", () => {
    expect(() => decodeS2Descriptor(1n, { ...o, level: 4 })).toThrow(/^decodeS2Descriptor: level: 4 is not a level/);
    expect(() => decodeS2Descriptor(1n, { ...o, granule: 8192 as 4096 })).toThrow(/^decodeS2Descriptor: granule: 8192/);
    expect(() => decodeS2Descriptor(1n, { ...o, paBits: 45 })).toThrow(/^decodeS2Descriptor: paBits: 45 is not a PARange size/);
    expect(() => decodeS2Descriptor(5 as unknown as bigint, o)).toThrow(/^decodeS2Descriptor: value: expected a bigint, got number/);
    expect(decodeS2Descriptor(2n ** 64n - 1n, o).value).toBe("0xffffffffffffffff");
  });
});
