// The CLI attacked as a hostile or careless user would (issue 15's rule): every input below was
// once answered wrongly (a file named "-", a rounded address echoed under a library name, a time
// per op over no op, hours of work accepted). Each now gets one line on stderr naming the input,
// nothing on stdout and exit 2, before any work is done.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "s2pt-attack-"));

function run(args: string[], opts: { input?: string; cwd?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", input: opts.input, cwd: opts.cwd, timeout: 60_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A refusal: exit 2, nothing on stdout, one line on stderr matching `msg`. */
function refused(args: string[], msg: RegExp, opts: { input?: string; cwd?: string } = {}): void {
  const r = run(args, opts);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(msg);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.status).toBe(2);
}

const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false };

function scenarioFile(name: string, ops: unknown[]): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({ name, config: CONFIG, ops }));
  return p;
}

describe("s2pt bench: the whole run is bounded before it starts", () => {
  it("huge --reps, --warmup and --compare of a large pattern are refused at once, with the total and the limit", () => {
    refused(
      [
        "bench",
        "mmu-notifier",
        "--size",
        "64g",
        "--ranges",
        "1048576",
        "--range-size",
        "64g",
        "--reps",
        "99",
        "--warmup",
        "99",
        "--compare",
        "fwb,dic,tlb-range",
      ],
      /^s2pt: --reps 99: 8 configurations, each run 199 times \(the counting pass, --warmup 99 and --reps 99\), make 28,378,660,864 kernel calls in all, beyond s2pt bench's limit of 134,217,728 per run/,
    );
    refused(
      ["bench", "fault-in", "--size", "128g", "--compare", "fwb,tlb-range,dic", "--reps", "0"],
      /^s2pt: --compare: 8 configurations, .* 268,435,456 kernel calls/,
    );
  });
  it("a scenario's work is known from its first counting pass: the timed runs are refused before they start", () => {
    // 16 maps of 4 GiB as 4K pages (the PA is not 2 MiB aligned): 2^24 table entries, the most one scenario may charge.
    const ops = Array.from({ length: 16 }, (_, i) => ({
      op: "map",
      ipa: `0x${(0x40000000 + i * 2 ** 32).toString(16)}`,
      size: "0x100000000",
      pa: `0x${(0x80001000 + i * 2 ** 32).toString(16)}`,
      prot: "R|W",
      flags: "",
    }));
    refused(
      ["bench", scenarioFile("heavy.json", ops), "--reps", "8", "--warmup", "0"],
      /^s2pt: --reps 8: 1 configuration, each run 9 times .* 150,994,944 table entries in all/,
    );
  }, 60_000);
  it("a scenario with no kernel op is refused: a time per op over no op would be the clock's noise", () => {
    const p = scenarioFile("no-ops.json", [{ op: "translate", ipa: "0x40000000", access: "r" }]);
    refused(["bench", p], new RegExp(`^s2pt: ${p.replace(/[.]/g, "\\.")}: ops: no kernel op \\(map, unmap, \\.\\.\\.\\) to benchmark$`, "m"));
    refused(["bench", "-", "--reps", "0"], /^s2pt: standard input: ops: no kernel op/, { input: JSON.stringify({ name: "x", config: CONFIG, ops: [] }) });
  });
});

describe("s2pt bench: addresses and paths", () => {
  it("--ipa and --pa at or above 2^53 are refused by the option's name, with the value as typed (not params.ipa 18446744073709552000)", () => {
    refused(
      ["bench", "fault-in", "--ipa", "0xffffffffffffffff", "--reps", "0"],
      /^s2pt: --ipa: 0xffffffffffffffff is beyond 2\^53: no IPA or PA has more than 52 bits$/m,
    );
    refused(["bench", "fault-in", "--pa", "0x20000000000000", "--reps", "0"], /^s2pt: --pa: 0x20000000000000 is beyond 2\^53/);
  });
  it("--plot - is refused, not written to a file named '-' in the current directory", () => {
    const cwd = mkdtempSync(join(tmpdir(), "s2pt-attack-cwd-"));
    refused(["bench", "fault-in", "--size", "4k", "--reps", "0", "--plot", "-"], /^s2pt: --plot: '-' is not a file name here/, { cwd });
    expect(existsSync(join(cwd, "-"))).toBe(false);
  });
  it("--ia-bits 52 without --lpa2 names --ia-bits, the option given, not --pa-bits", () => {
    refused(
      ["bench", "fault-in", "--ia-bits", "52", "--size", "4k", "--reps", "0"],
      /^s2pt: --ia-bits 52 \(the PA size is then 52 bits\): 52-bit PAs with a 4K granule need FEAT_LPA2/,
    );
  });
});

describe("s2pt bench: an option that would change nothing is refused, not ignored", () => {
  it("--warmup with --reps 0 (no timed run to warm up for)", () => {
    refused(["bench", "fault-in", "--size", "4k", "--reps", "0", "--warmup", "3"], /^s2pt: --warmup: applies to timed runs, and --reps 0 asks for none$/m);
  });
  it("--seed where nothing is random: teardown, a sequential fault-in, dirty-log of every page in order", () => {
    refused(["bench", "teardown", "--size", "4m", "--reps", "0", "--seed", "5"], /^s2pt: --seed: does not apply to teardown/);
    refused(["bench", "fault-in", "--size", "4m", "--reps", "0", "--seed", "5"], /^s2pt: --seed: applies to --order random/);
    refused(["bench", "dirty-log", "--size", "4m", "--reps", "0", "--seed", "5"], /^s2pt: --seed: applies to dirty-log with --dirty below 100/);
    for (const ok of [
      ["fault-in", "--order", "random"],
      ["dirty-log", "--dirty", "10"],
      ["mmu-notifier", "--ranges", "4", "--range-size", "64k"],
    ]) {
      const r = run(["bench", ...ok, "--size", "4m", "--reps", "0", "--seed", "5"]);
      expect([r.status, r.stderr]).toEqual([0, ""]);
    }
  });
});

describe("s2pt bench --plot: a file whose directory takes no new file", () => {
  it.skipIf(!existsSync("/proc/version"))(
    "/proc/version is a regular file in /proc: exit 1, and the message says the directory refused the file (was 'no such file')",
    () => {
      const r = run(["bench", "fault-in", "--size", "4k", "--reps", "0", "--plot", "/proc/version"]);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(
        /^s2pt: --plot: \/proc\/version: cannot be written: its directory takes no new file \(\/proc\/\.version\.\d+\.tmp: no such file\)\n$/,
      );
      expect(r.status).toBe(1);
    },
  );
});

describe("s2pt bench <scenario>: a geometry the switches make impossible names the scenario's config field, not --pa-bits", () => {
  const sc = join(repoRoot, "test", "fixtures", "shared", "conformance", "scenarios");
  it("a 52-bit LPA2 scenario with --no-lpa2 or --compare lpa2; a 64K scenario with --lpa2", () => {
    refused(
      ["bench", join(sc, "geom-4k-ia52-lpa2.json"), "--no-lpa2", "--reps", "0"],
      /geom-4k-ia52-lpa2\.json: config\.pa_bits: 52-bit PAs .* \(with --no-lpa2\)$/m,
    );
    refused(
      ["bench", join(sc, "geom-4k-ia52-lpa2.json"), "--compare", "lpa2", "--reps", "0"],
      /: config\.pa_bits: .* \(in one of --compare lpa2's configurations\)$/m,
    );
    refused(
      ["bench", join(sc, "geom-64k-ia48.json"), "--lpa2", "--reps", "0"],
      /geom-64k-ia48\.json: config\.lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only .* \(with --lpa2\)$/m,
    );
  });
});

describe("--era: a prototype name is no era", () => {
  it("explain --era constructor and fault --era __proto__ are refused naming --era and the word (were 'eras[0]: a function ...' and 'era: an object ...')", () => {
    refused(["explain", "--vma", "anon", "--era", "constructor"], /^s2pt: --era: 'constructor' is not one of pre, v1, v6\.9, mainline, all$/m);
    refused(
      ["fault", "--esr", "0x92000047", "--ipa", "0x40001000", "--era", "__proto__"],
      /^s2pt: --era: '__proto__' is not one of pre, v1, v6\.9, mainline, all$/m,
    );
  });
});
