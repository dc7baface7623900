// The CLI as a real process (the built dist/src/cli/main.js) at its boundary with the system:
// what it may not read (FIFOs, devices, symlink loops, unreadable paths, oversized files), how
// it reads standard input, and what it does when its own output cannot be written. Every case:
// the right exit code, one line on stderr naming the input, no stack trace, no hang.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { conformanceDir, repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");
const tmp = mkdtempSync(join(tmpdir(), "s2pt-proc-"));
const scn = (f: string): string => join(conformanceDir, "scenarios", f);
const exp = (f: string): string => join(conformanceDir, "expected", f);
const RW = scn("map-page-4k-rw.json");

function run(args: string[], opts: { input?: string | Buffer; prefix?: string[] } = {}): SpawnSyncReturns<string> {
  const pre = opts.prefix ?? [];
  const cmd = pre.length ? pre[0] : process.execPath;
  const argv = pre.length ? [...pre.slice(1), process.execPath, bin, ...args] : [bin, ...args];
  // A hang is a failure: 20 s is far beyond any of these runs.
  return spawnSync(cmd, argv, { encoding: "utf8", input: opts.input, timeout: 20_000 });
}

function sh(script: string): SpawnSyncReturns<string> {
  return spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NODE: process.execPath, BIN: bin } });
}

function refusedLine(r: SpawnSyncReturns<string>, code: number, msg: RegExp | string): void {
  expect(r.error, "the process ran to its end (no timeout)").toBeUndefined();
  expect(r.status, r.stderr).toBe(code);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
  if (typeof msg === "string") expect(r.stderr).toBe(`s2pt: ${msg}\n`);
  else expect(r.stderr).toMatch(msg);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const fifo = join(tmp, "fifo.json");
const fifoDir = join(tmp, "with-fifo");
mkdirSync(fifoDir);
copyFileSync(RW, join(fifoDir, "a.json"));
expect(spawnSync("mkfifo", [fifo, join(fifoDir, "b.json")]).status).toBe(0);

afterAll(() => {
  // Leave nothing unreadable behind.
  spawnSync("chmod", ["-R", "u+rwx", tmp]);
});

describe("input files that are not regular files: refused at once, never read", () => {
  it.each([
    ["replay a FIFO", ["replay", fifo], `${fifo}: is a FIFO (named pipe), not a regular file`],
    ["check a FIFO", ["check", fifo], `${fifo}: is a FIFO (named pipe), not a regular file`],
    ["dump a FIFO", ["dump", fifo], `${fifo}: is a FIFO (named pipe), not a regular file`],
    ["walk a FIFO", ["walk", fifo, "--ipa", "0x0"], `${fifo}: is a FIFO (named pipe), not a regular file`],
    ["--expected a FIFO", ["replay", RW, "--expected", fifo], `${fifo}: is a FIFO (named pipe), not a regular file`],
    ["a FIFO inside a scenario directory (replay)", ["replay", fifoDir], `${join(fifoDir, "b.json")}: is a FIFO (named pipe), not a regular file`],
    ["a FIFO inside a scenario directory (check)", ["check", fifoDir], `${join(fifoDir, "b.json")}: is a FIFO (named pipe), not a regular file`],
    ["replay /dev/zero", ["replay", "/dev/zero"], "/dev/zero: is a character device, not a regular file"],
    ["--expected /dev/zero", ["replay", RW, "--expected", "/dev/zero"], "/dev/zero: is a character device, not a regular file"],
    ["dump /dev/null", ["dump", "/dev/null"], "/dev/null: is a character device, not a regular file"],
    ["check /dev/zero", ["check", "/dev/zero"], "/dev/zero: is a character device, not a regular file"],
  ])("%s", (_, args, msg) => refusedLine(run(args), 2, msg));
});

describe("filesystem errors: one line naming the path", () => {
  const loopA = join(tmp, "loop-a.json");
  const loopB = join(tmp, "loop-b.json");
  symlinkSync(loopB, loopA);
  symlinkSync(loopA, loopB);
  const dangling = join(tmp, "dangling.json");
  symlinkSync(join(tmp, "nowhere.json"), dangling);
  const big = join(tmp, "big.json");
  writeFileSync(big, "");
  truncateSync(big, 17 * 1024 * 1024);
  const file = join(tmp, "plain.json");
  copyFileSync(RW, file);
  const subdir = join(tmp, "has-subdir");
  mkdirSync(join(subdir, "x.json"), { recursive: true });
  it.each([
    ["a symlink loop", ["walk", loopA, "--ipa", "0x0"], `${loopA}: too many levels of symbolic links (a symlink loop)`],
    ["a symlink loop as --expected", ["replay", RW, "--expected", loopA], `${loopA}: too many levels of symbolic links (a symlink loop)`],
    ["a dangling symlink", ["dump", dangling], `${dangling}: no such file`],
    ["a path through a file", ["replay", join(file, "x.json")], `${join(file, "x.json")}: no such file (a component of the path is not a directory)`],
    ["a directory given where a file is read", ["walk", tmp, "--ipa", "0x0"], `${tmp}: is a directory`],
    ["a directory named .json inside a scenario directory", ["replay", subdir], `${join(subdir, "x.json")}: is a directory`],
    ["a file over the 16 MiB cap", ["replay", big], `${big}: 17825792 bytes, larger than 16 MiB, the limit for an input file`],
  ])("%s", (_, args, msg) => refusedLine(run(args), 2, msg));

  // EACCES: tests run as root, for whom chmod 000 denies nothing, so the CLI runs without the
  // capabilities that override file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
  const locked = join(tmp, "locked");
  mkdirSync(locked);
  copyFileSync(RW, join(locked, "a.json"));
  const secret = join(tmp, "secret.json");
  copyFileSync(RW, secret);
  chmodSync(locked, 0o000);
  chmodSync(secret, 0o000);
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"] : [];
  const canDrop =
    !asRoot ||
    spawnSync(prefix[0], [...prefix.slice(1), "cat", secret])
      .stderr?.toString()
      .includes("Permission denied");
  // Skipped only where root cannot drop those capabilities (no setpriv(1)): then no permission is ever denied.
  it.runIf(canDrop)("a file and a directory the user may not read (EACCES; as root, run through setpriv without CAP_DAC_OVERRIDE)", () => {
    refusedLine(run(["replay", secret], { prefix }), 2, `${secret}: permission denied`);
    refusedLine(run(["replay", locked], { prefix }), 2, `${locked}: permission denied`);
    refusedLine(run(["check", locked], { prefix }), 2, `${locked}: permission denied`);
    refusedLine(run(["replay", RW, "--expected", secret], { prefix }), 2, `${secret}: permission denied`);
  });
});

describe("standard input: `-`", () => {
  it("replay - reads the scenario from standard input, the same result as from the file", () => {
    const r = run(["replay", "-"], { input: readFileSync(RW) });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(readFileSync(exp("map-page-4k-rw.json"), "utf8"));
    const c = run(["replay", "-", "--expected", exp("map-page-4k-rw.json")], { input: readFileSync(RW) });
    expect([c.status, c.stdout]).toEqual([0, "ok       map-page-4k-rw: 2 ops, 3 dump entries, identical\n"]);
    expect(run(["walk", "-", "--ipa", "0x40000000"], { input: readFileSync(RW) }).stdout).toMatch(/^PA 0x80000000/m);
    expect(run(["dump", "-"], { input: readFileSync(RW) }).status).toBe(0);
  });
  it("with the same cap as a file: /dev/zero on standard input is refused, not read forever", () => {
    refusedLine(sh('"$NODE" "$BIN" replay - < /dev/zero'), 2, "standard input: larger than 16 MiB, the limit for an input file");
  });
  it("read once", () => {
    refusedLine(run(["replay", "-", "--expected", "-"], { input: readFileSync(RW) }), 2, "-: standard input can be read only once");
  });
});

describe("output that cannot be written", () => {
  it("stdout on /dev/full: one line, exit 1, no stack", () => {
    const r = sh('"$NODE" "$BIN" decode 0x1 > /dev/full');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("s2pt: cannot write the output to standard output: ENOSPC\n");
  });
  it("stderr on /dev/full: a refusal still exits 2", () => {
    expect(sh('"$NODE" "$BIN" decode zz 2> /dev/full').status).toBe(2);
    expect(sh('"$NODE" "$BIN" replay /nonexistent.json 2> /dev/full').status).toBe(2);
  });
  it("a reader that stops early (EPIPE) is not an error", () => {
    const r = sh('"$NODE" "$BIN" combine --table --format csv | head -c 10 > /dev/null; echo "${PIPESTATUS[0]}"');
    expect(r.stdout.trim()).toBe("0");
    expect(r.stderr).toBe("");
  });
});

describe("the command line as the shell passes it", () => {
  it("s2pt -- decode 0x1 runs decode; s2pt -- replay /nonexistent.json is refused", () => {
    const r = run(["--", "decode", "0x1"]);
    expect([r.status, r.stdout.split("\n")[0]]).toEqual([0, "0x1  block -> 0x0 (give the level for its size), Device-nGnRnE, --X, AF clear"]);
    refusedLine(run(["--", "replay", "/nonexistent.json"]), 2, "/nonexistent.json: no such file");
    refusedLine(run(["decode", "--fwb=1", "0x1"]), 2, "--fwb: '1' is not true or false (write --fwb, --no-fwb or --fwb=true|false)");
  });
  it("an expected file nested 100,000 levels deep: a clean mismatch, no stack overflow", () => {
    const deep = join(tmp, "deep.json");
    writeFileSync(deep, `{"name": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    const r = run(["replay", RW, "--expected", deep]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^MISMATCH map-page-4k-rw .*\n {2}name: expected \[{80,}\.\.\., got "map-page-4k-rw"\n$/);
    const top = join(tmp, "deep-array.json");
    writeFileSync(top, `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    refusedLine(run(["replay", RW, "--expected", top]), 2, `${top}: top level: expected a result object, got an array`);
    refusedLine(run(["replay", top]), 2, `${top}: top level: expected an object, got an array`);
  });
});
