// What the CLI says about its input: expected files that are input errors (duplicate and
// prototype keys, malformed hex) rather than "identical" or an internal error; messages that
// show the input as given (cut, control characters escaped, numbers as written); output lines
// that a scenario's name cannot forge; errors that name the file they are about.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { conformanceDir } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "s2pt-msg-"));
const SCN = join(conformanceDir, "scenarios", "map-page-4k-rw.json");
const EXP_TEXT = readFileSync(join(conformanceDir, "expected", "map-page-4k-rw.json"), "utf8");
const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false };

function write(name: string, text: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

function refused(argv: string[], msg: string | RegExp): void {
  const r = runCli(argv);
  expect([r.code, r.stdout], argv.join(" ")).toEqual([2, ""]);
  expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
  if (typeof msg === "string") expect(r.stderr).toBe(`s2pt: ${msg}\n`);
  else expect(r.stderr).toMatch(msg);
}

describe("replay --expected: a malformed expected file is an input error (exit 2, file and JSON path)", () => {
  const pte = /"pte": "0x[0-9a-f]+"/;
  it("the expected file is identical as given", () => {
    expect(runCli(["replay", SCN, "--expected", write("ok.json", EXP_TEXT)]).code).toBe(0);
  });
  it.each([
    ["a duplicate key", EXP_TEXT.replace('"ret": 0', '"ret": -22, "ret": 0'), "ops[0]: duplicate field 'ret' (JSON keeps only the last one)"],
    ["a duplicate key at the top", EXP_TEXT.replace('"name":', '"name": "x", "name":'), "top level: duplicate field 'name' (JSON keeps only the last one)"],
    [
      "a top-level __proto__",
      EXP_TEXT.replace("{\n", '{\n  "__proto__": {},\n'),
      "__proto__: the key '__proto__' is refused (a prototype key, never a field of a result)",
    ],
    [
      "a constructor key in an op",
      EXP_TEXT.replace('"ret": 0', '"ret": 0, "constructor": 1'),
      "ops[0].constructor: the key 'constructor' is refused (a prototype key, never a field of a result)",
    ],
    ["a pte of 0xzz", EXP_TEXT.replace(pte, '"pte": "0xzz"'), "ops[1].pte: '0xzz' is not a 0x-prefixed hex number"],
    ["a pte of 0x-1", EXP_TEXT.replace(pte, '"pte": "0x-1"'), "ops[1].pte: '0x-1' is not a 0x-prefixed hex number"],
    ["a negative pte", EXP_TEXT.replace(pte, '"pte": "-0x1"'), "ops[1].pte: '-0x1' is negative"],
    ["a pte that is no number", EXP_TEXT.replace(pte, '"pte": "zz"'), "ops[1].pte: 'zz' is not a 0x-prefixed hex number"],
    [
      "an event address over 64 bits",
      EXP_TEXT.replace('"0x80000000"', '"0x10000000000000000"'),
      "ops[0].events[0][1]: '0x10000000000000000' does not fit in 64 bits",
    ],
    ["a top-level array", "[]", "top level: expected a result object, got an array"],
    ["invalid JSON", "{", /not valid JSON: a string is not closed|not valid JSON: expected a key string or '\}', found the end of the text at line 1 column 2/],
  ])("%s", (_, text, msg) => {
    const p = write("bad.json", text);
    refused(["replay", SCN, "--expected", p], typeof msg === "string" ? `${p}: ${msg}` : msg);
  });
  it("a malformed value 100,000 levels down, or under a 100 KB key: the path is cut, the run stays fast", () => {
    const deep = write("deep-bad.json", `{"name": ${"[".repeat(100_000)}"0xzz"${"]".repeat(100_000)}}`);
    const t0 = Date.now();
    const r = runCli(["replay", SCN, "--expected", deep]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`s2pt: ${deep}: name[0][0][0][0][0][0][0]...(99981 levels)...${"[0]".repeat(12)}: '0xzz' is not a 0x-prefixed hex number\n`);
    const key = "k".repeat(100_000);
    const long = write("long-key.json", `{"${key}": "0xzz"}`);
    expect(runCli(["replay", SCN, "--expected", long]).stderr).toBe(`s2pt: ${long}: ["${"k".repeat(60)}..."]: '0xzz' is not a 0x-prefixed hex number\n`);
    const dup = write("deep-dup.json", `{"name": ${"[".repeat(50_000)}{"a": 1, "a": 2}${"]".repeat(50_000)}}`);
    expect(runCli(["replay", SCN, "--expected", dup]).stderr).toMatch(
      /^s2pt: .*deep-dup\.json: name\[0\].*\.\.\.\(49981 levels\)\.\.\.(\[0\]){12}: duplicate field 'a'/,
    );
  });
  it("hex compares by value: 0X, upper-case digits and leading zeros match the model's lower-case form", () => {
    const p = write(
      "hexforms.json",
      EXP_TEXT.replace(/"pte": "0x([0-9a-f]+)"/, (_m, h: string) => `"pte": "0X00${h.toUpperCase()}"`),
    );
    expect(runCli(["replay", SCN, "--expected", p]).code).toBe(0);
  });
  it("a real difference stays a mismatch (exit 1)", () => {
    const p = write("diff.json", EXP_TEXT.replace(/"pte": "0x([0-9a-f]+)"/, '"pte": "0x1"'));
    const r = runCli(["replay", SCN, "--expected", p]);
    expect([r.code, r.stderr]).toEqual([1, ""]);
    expect(r.stdout).toMatch(/ops\[1\] \(get_leaf ipa=0x40000000\)\.pte: expected "0x1", got "0x400000800007db"/);
  });
  it("replay --expected --json: the comparison as JSON", () => {
    const j = JSON.parse(runCli(["replay", SCN, "--expected", write("ok2.json", EXP_TEXT), "--json"]).stdout);
    expect(j).toEqual({
      scenarios: [{ scenario: SCN, expected: join(tmp, "ok2.json"), name: "map-page-4k-rw", identical: true, divergence: null }],
      identical: 1,
      total: 1,
    });
  });
});

describe("a scenario's name cannot forge output lines", () => {
  const evil = "x\nok       forged: 1 ops, identical\u001b[2K\r";
  const p = write("evil.json", JSON.stringify({ name: evil, config: CONFIG, ops: [] }));
  const escaped = "x\\nok       forged: 1 ops, identical\\x1b[2K\\r";
  it("check", () => {
    const r = runCli(["check", p]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("ok"))).toHaveLength(1);
    // No escape character may reach the terminal.
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u001b\r]/);
    expect(r.stdout).toContain(`ok       ${escaped}: 0 ops`);
  });
  it("replay --expected", () => {
    const e = write("evil-exp.json", JSON.stringify({ name: evil }));
    const r = runCli(["replay", p, "--expected", e]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("ok"))).toHaveLength(0);
    // No escape character may reach the terminal.
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).not.toMatch(/[\u001b\r]/);
    expect(r.stdout.split("\n")[0]).toBe(`MISMATCH ${escaped} (${p} vs ${e}):`);
  });
  it("a file name with a newline is escaped in a refusal", () => {
    const bad = write("bad\nok.json", "{");
    const r = runCli(["replay", bad]);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toContain("bad\\nok.json: not valid JSON");
  });
});

describe("input shown as given", () => {
  it("a valid UTF-8 scenario holding U+FFFD is accepted; invalid UTF-8 is refused", () => {
    const p = write("fffd.json", JSON.stringify({ name: "a\ufffdb", config: CONFIG, ops: [] }));
    const r = runCli(["replay", p]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe("a\ufffdb");
    refused(["replay", write("latin1.json", Buffer.from('{"name": "\xe9"}', "latin1"))], `${join(tmp, "latin1.json")}: is not UTF-8 text`);
  });
  it.each([
    ["1e23", "ops[0].owner: 1e23 is outside 0..255"],
    ["12345678901234567890", "ops[0].owner: 12345678901234567890 is outside 0..255"],
    ["0.99999999999999999", "ops[0].owner: expected an integer, got a number 0.99999999999999999"],
    ["1e400", "ops[0].owner: expected an integer, got a number 1e400"],
    ["-0.5e1", "ops[0].owner: -0.5e1 is outside 0..255"],
  ])("a JSON number is echoed as written: %s", (num, msg) => {
    const p = write("num.json", `{"config": ${JSON.stringify(CONFIG)}, "ops": [{"op": "set_owner", "ipa": "0x0", "size": "0x1000", "owner": ${num}}]}`);
    refused(["replay", p], `${p}: ${msg}`);
  });
  it("1e0 and 1.0 are the integer 1", () => {
    for (const num of ["1e0", "1.0"]) {
      const p = write("one.json", `{"config": ${JSON.stringify(CONFIG)}, "ops": [{"op": "set_owner", "ipa": "0x0", "size": "0x1000", "owner": ${num}}]}`);
      expect(runCli(["replay", p]).code).toBe(0);
    }
  });
  it("a 100 KB argument is cut in the message", () => {
    const long = "0x" + "f".repeat(100_000);
    const r = runCli(["decode", long]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`s2pt: descriptor: '0x${"f".repeat(78)}... (100002 characters)' is too long for a value\n`);
    const path = runCli(["replay", "/" + "d".repeat(100_000)]);
    expect(path.stderr.length).toBeLessThan(300);
    expect(path.stderr).toMatch(/^s2pt: \/d+\.\.\.d+: (the path is too long|no such file)\n$/);
  });
  it("an option value with control characters is escaped, not obeyed", () => {
    const r = runCli(["walk", SCN, "--ipa", "0x0", "--access", "r\nok"]);
    expect(r.stderr).toBe("s2pt: --access: 'r\\nok' is not r (read), w (write) or x (execute)\n");
    expect(runCli(["explain", "--vma", "anon\u001b[31m"]).stderr).toBe("s2pt: --vma: 'anon\\x1b[31m' is not one of anon, file, pfnmap, mixedmap\n");
  });
});

describe("errors name the scenario file", () => {
  it("walk: an op the replay refuses", () => {
    const p = write(
      "huge.json",
      JSON.stringify({ config: { ...CONFIG, ia_bits: 48 }, ops: [{ op: "map", ipa: "0x0", size: "0x1000000000000", pa: "0x1000", prot: "R", flags: "" }] }),
    );
    const r = runCli(["walk", p, "--ipa", "0x0"]);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`s2pt: ${p}: ops[0] (map): `)).toBe(true);
  });
  it("walk --va: a scenario without a guest section", () => {
    const p = write("noguest.json", JSON.stringify({ config: CONFIG, ops: [] }));
    refused(["walk", p, "--va", "0x0"], `${p}: --va needs a scenario with a 'guest' section (docs/two-stage.md)`);
  });
  it("a scenario on standard input is named so", () => {
    const r = runCli(["replay", "-"], { stdin: () => Buffer.from("{") });
    expect(r.stderr).toMatch(/^s2pt: standard input: not valid JSON/);
  });
});
