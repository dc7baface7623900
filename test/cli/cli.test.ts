// The command line, run in-process (runCli) and, where the process boundary
// matters (exit codes, pipes), as a real child process of the built CLI.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { conformanceDir, readText, repoRoot } from "../helpers.js";

const scn = (f: string): string => join(conformanceDir, "scenarios", f);
const exp = (f: string): string => join(conformanceDir, "expected", f);
const bin = join(repoRoot, "dist", "src", "cli", "main.js");

describe("s2pt decode / encode / geometry", () => {
  it("decode names every field of a kernel leaf", () => {
    const r = runCli(["decode", "0x400000800007db", "--level", "3"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("page -> 0x80000000");
    expect(r.stdout).toMatch(/MemAttr\s+\[5:2\]\s+0x6\s+Normal Write-Back, forced .*MT_S2_FWB_NORMAL/);
    expect(r.stdout).toMatch(/XN\s+\[54\]\s+0x1/);
  });
  it("decode reads MemAttr per FWB (0x5 with FWB is MT_S2_FWB_NORMAL_NC)", () => {
    expect(runCli(["decode", "0x400000800007d7", "--level", "3"]).stdout).toMatch(/Normal Non-cacheable.*MT_S2_FWB_NORMAL_NC/);
    expect(runCli(["decode", "0x400000800007ff", "--level", "3", "--no-fwb"]).stdout).toMatch(/inner and outer Write-Back, MT_S2_NORMAL /);
  });
  it("decode --json", () => {
    const d = JSON.parse(runCli(["decode", "0x4", "--json"]).stdout);
    expect(d.kind).toBe("owner");
  });
  it("encode gives the kernel's leaf", () => {
    const r = runCli(["encode", "--pa", "0x80000000", "--level", "3", "--prot", "R|W"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("0x400000800007db");
    expect(JSON.parse(runCli(["encode", "--pa", "0x80000000", "--level", "2", "--prot", "R|W", "--no-fwb", "--json"]).stdout).descriptor).toBe(
      "0x400000800007fd",
    );
  });
  it("encode reports the kernel's -EINVAL for DEVICE|X with a non-zero exit", () => {
    const r = runCli(["encode", "--pa", "0x80000000", "--level", "3", "--prot", "DEVICE|X"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^s2pt: prot: stage2_set_prot_attr\(\) returns -EINVAL \(-22\): device memory/);
  });
  it("geometry", () => {
    const r = runCli(["geometry", "--granule", "4k", "--ia-bits", "40"]);
    expect(r.stdout).toContain("start level 1, 2 concatenated root pages");
    const j = JSON.parse(runCli(["geometry", "--granule", "16k", "--ia-bits", "52", "--lpa2", "--json"]).stdout);
    expect([j.start_level, j.pgd_pages, j.vtcr.sl0, j.vtcr.ds]).toEqual([0, 1, 3, 1]);
    const all = JSON.parse(runCli(["geometry", "--granule", "64k", "--json"]).stdout);
    expect(all.length).toBe(21);
  });
});

describe("s2pt replay / dump", () => {
  it("replay prints the kernel's expected file byte for byte", () => {
    const r = runCli(["replay", scn("map-page-inside-block.json")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readText(conformanceDir, "expected", "map-page-inside-block.json"));
  });
  it("replay --expected on the whole directory: all identical, exit 0", () => {
    const r = runCli(["replay", join(conformanceDir, "scenarios"), "--expected", join(conformanceDir, "expected")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("69 of 69 scenarios identical");
  });
  it("replay --expected against the wrong file: the first divergence, decoded, exit 1", () => {
    const r = runCli(["replay", scn("prot-variants-fwb.json"), "--expected", exp("prot-variants-nofwb.json")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH/);
    expect(r.stdout).toMatch(/name: expected "prot-variants-nofwb"/);
  });
  it("dump prints ptdump lines with a memory-type column", () => {
    const r = runCli(["dump", scn("map-page-inside-block.json")]);
    expect(r.stdout.split("\n")).toContain("0x0000000040001000-0x0000000040002000           4K 3   R W NX AF       Normal-WB");
    const k = runCli(["dump", scn("map-page-inside-block.json"), "--kernel"]);
    expect(k.stdout).not.toContain("Normal-WB");
    // The kernel never flushes the last run.
    expect(k.stdout).not.toContain("0x0000010000000000");
  });
});

describe("bad input: one line on stderr, non-zero exit, nothing on stdout", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["malformed hex", ["decode", "0xzz"], /descriptor: '0xzz' is not a 0x-prefixed hex number/],
    ["over 64 bits", ["decode", "0x10000000000000000"], /does not fit in 64 bits/],
    ["unknown prot", ["encode", "--pa", "0x0", "--level", "3", "--prot", "R|Q"], /unknown prot name 'Q'/],
    ["IPA size out of range", ["geometry", "--ia-bits", "60"], /--ia-bits: 60 is out of range \(32\.\.52\)/],
    ["unaligned PA", ["encode", "--pa", "0x80001000", "--level", "2", "--prot", "R"], /not aligned to the level-2 leaf size 0x200000/],
    ["unknown option", ["decode", "0x1", "--frob"], /decode: unknown option '--frob'/],
    ["unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["missing scenario file", ["replay", "/nonexistent.json"], /\/nonexistent\.json: no such file/],
    ["bad granule", ["geometry", "--granule", "8k"], /--granule: '8k' is not a granule/],
  ];
  it.each(cases)("%s", (_, argv, msg) => {
    const r = runCli(argv);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(msg);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the built CLI as a process", () => {
  it("--help exits 0", () => {
    const r = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("s2pt replay <scenario>");
  });
  it("bad input exits 2 with one line", () => {
    const r = spawnSync(process.execPath, [bin, "decode", "nothex!"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
  it("a large output arrives whole through a pipe", () => {
    // The 32 MiB split writes 2048 dump entries; pipe it through a child that counts bytes.
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" replay "${scn("split-32m-block-16k.json")}" | wc -c`], { encoding: "utf8" });
    expect(Number(r.stdout.trim())).toBe(Buffer.byteLength(readText(conformanceDir, "expected", "split-32m-block-16k.json")));
  });
});
