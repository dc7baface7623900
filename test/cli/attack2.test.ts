// The newest commands (memory images: walk --image, fault --image, s2pt image; s2pt at; set_pte) attacked
// as a hostile user would. The one that broke is first: a fault IPA beyond 2^53 given with --scenario
// reached the library as a rounded number and came back under the library's name ("addr:
// 18446744073709548000 ..."). The rest hold what the attack found already right: tables that loop
// terminate, every odd image is refused on one line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "s2pt-attack2-"));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A refusal: exit 2, nothing on stdout, one line on stderr matching `msg`. */
function refused(args: string[], msg: RegExp): void {
  const r = run(args);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(msg);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.status).toBe(2);
}

const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: false, tlb_range: false };
const scn = join(dir, "one-page.json");
writeFileSync(
  scn,
  JSON.stringify({ name: "one-page", config: CONFIG, ops: [{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R", flags: "" }] }),
);

const ZERO = Array<string>(512).fill("0x0");
function page(entries: Record<number, string>): string[] {
  const p = [...ZERO];
  for (const [i, v] of Object.entries(entries)) p[Number(i)] = v;
  return p;
}
function image(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
// VTCR_EL2 0x80023558: 4K, T0SZ 24 (40-bit IPA), start level 1 with 2 concatenated root pages at 0x80000000.
const REGS = ["--vttbr", "0x80000000", "--vtcr", "0x80023558"];

describe("s2pt fault --scenario: a fault IPA beyond 2^53", () => {
  it("gets the kernel's -ERANGE for the op, not the library's refusal of a rounded number", () => {
    for (const where of [
      ["--ipa", "0xffffffffffffffff"],
      ["--hpfar", "0xfffffffffffffff0"],
    ]) {
      const r = run(["fault", "--esr", "0x9200004f", ...where, "--scenario", scn]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(
        /kvm_pgtable_stage2_relax_perms\(0xf+000, R\|W, HANDLE_FAULT\|SHARED\) on the model \(Linux 6\.18\.25 pgtable\.c\): ret -ERANGE/,
      );
    }
  });
});

describe("walk --image: tables that loop terminate", () => {
  it("a table descriptor pointing at its own table, and at an ancestor", () => {
    const self = image("self.json", JSON.stringify({ "0x80000000": page({ 1: "0x80000003" }), "0x80001000": ZERO }));
    let r = run(["walk", "--image", self, ...REGS, "--ipa", "0x40000123"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/level 2: table 0x80000000 \[0\] @ 0x80000000 = 0x0 {2}empty entry/);
    expect(r.stdout).toMatch(/Translation fault, level 2/);
    const anc = image("anc.json", JSON.stringify({ "0x80000000": page({ 1: "0x80002003" }), "0x80001000": ZERO, "0x80002000": page({ 0: "0x80000003" }) }));
    r = run(["walk", "--image", anc, ...REGS, "--ipa", "0x40000123"]);
    expect(r.status).toBe(0);
    // At level 3 the ancestor's address is read as a page (bits[1:0] = 0b11): the walk ends there.
    expect(r.stdout).toMatch(/level 3: table 0x80000000 \[0\]/);
    expect(r.stdout.split("\n").filter((l) => /^ {2}level /.test(l))).toHaveLength(3);
  });
});

describe("walk --image: odd images are refused on one line", () => {
  it("the same PA written two ways, a 16K page not 16K aligned, overlapping pages, __proto__", () => {
    refused(
      ["walk", "--image", image("dup2.json", `{"0x80000000": ${JSON.stringify(ZERO)}, "0x080000000": ${JSON.stringify(ZERO)}}`), ...REGS, "--ipa", "0x0"],
      /dup2\.json: \["0x080000000"\]: overlaps another page \(the 4K frame at 0x80000000 is given twice\)/,
    );
    refused(
      ["walk", "--image", image("p16.json", JSON.stringify({ "0x80001000": Array<string>(2048).fill("0x0") })), ...REGS, "--ipa", "0x0"],
      /p16\.json: \["0x80001000"\] \(the key\): 0x80001000 is not aligned to its 16K page/,
    );
    refused(
      ["walk", "--image", image("ovl.json", JSON.stringify({ "0x80000000": Array<string>(2048).fill("0x0"), "0x80001000": ZERO })), ...REGS, "--ipa", "0x0"],
      /ovl\.json: \["0x80001000"\]: overlaps another page/,
    );
    refused(["walk", "--image", image("proto.json", `{"__proto__": ${JSON.stringify(ZERO)}}`), ...REGS, "--ipa", "0x0"], /proto\.json: __proto__ \(the key\)/);
    refused(["walk", "--image", "/dev/zero", "--base", "0x80000000", ...REGS, "--ipa", "0x0"], /\/dev\/zero: is a character device, not a regular file/);
  });
});
