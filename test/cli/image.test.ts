// s2pt walk --image and s2pt image as the user runs them: walks over
// examples/images/4k.json (JSON pages) and the same bytes raw with --base,
// the writer's image walked to the same report as the scenario's own table,
// and bad images and registers: each refused with one line naming the input,
// exit 2, nothing on stdout, no stack trace (also through the built process).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync, openSync, ftruncateSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { repoRoot } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "s2pt-image-"));
const IMG = join(repoRoot, "examples", "images", "4k.json");
const REGS = ["--vttbr", "0x1000080000000", "--vtcr", "0x80023558"];
const GUEST = ["--tcr", "0x280990019", "--mair", "0xff", "--sctlr", "0x5", "--ttbr0", "0x40003000"];
const scn = (f: string): string => join(repoRoot, "test", "fixtures", "shared", "conformance", "scenarios", f);

function put(name: string, body: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}
const zeros = (n: number): string[] => Array.from({ length: n }, () => "0x0");
/** The 4K image's root pages as raw bytes (a valid raw image at 0x80000000). */
function rawRoot(): Uint8Array {
  const b = new Uint8Array(8192);
  new DataView(b.buffer).setBigUint64(8, 0x80002003n, true);
  return b;
}

describe("s2pt walk --image", () => {
  it("a stage-2 walk over JSON pages: the levels, then the PA; the registers' notes last", () => {
    const r = runCli(["walk", "--image", IMG, ...REGS, "--ipa", "0x40000123"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^image .*4k\.json: 5 4K frames in 0x80000000\.\.0x80005000; stage-2 root table at 0x80000000\n/);
    expect(r.stdout).toContain("level 3: table 0x80003000 [0] @ 0x80003000 = 0x600007ff");
    expect(r.stdout).toContain("PA 0x60000123: level-3 page of 0x1000 bytes");
    expect(r.stdout).toMatch(/note: VTTBR_EL2\.VMID 1/);
  });

  it("the external abort on the walk, in JSON: type, level, FSC, the PA not in the image", () => {
    const r = runCli(["walk", "--image", IMG, ...REGS, "--ipa", "0xc0000000", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { fault: Record<string, unknown>; notes: string[] };
    expect([j.fault.type, j.fault.level, j.fault.fsc, j.fault.esr_el2, j.fault.hpfar_valid, j.fault.abort_pa]).toEqual([
      "external_abort_walk",
      2,
      "0x16",
      "0x92000016",
      false,
      "0x90000000",
    ]);
    expect(j.notes.length).toBeGreaterThan(0);
  });

  it("raw bytes with --base walk as the same pages do", () => {
    const p = put("root.bin", rawRoot());
    const r = runCli(["walk", "--image", p, "--base", "0x80000000", ...REGS, "--ipa", "0x40000000"]);
    expect(r.code).toBe(0);
    // Root [1] -> 0x80002000, which this image does not hold: external abort at level 2.
    expect(r.stdout).toContain(
      "Synchronous External abort on translation table walk, level 2: DFSC 0x16 (the walk's read of the descriptor at PA 0x80002000 failed",
    );
  });

  it("HCR_EL2.VM = 0: stage 1 alone, its root table at PA 0x80004000; the PA is the IPA, the memory type stage 1's", () => {
    const argv = ["walk", "--image", IMG, "--tcr", "0x280990019", "--mair", "0xff", "--sctlr", "0x5", "--ttbr0", "0x80004000", "--hcr", "0x0"];
    const r = runCli([...argv, "--va", "0x123"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("stage 2: off (HCR_EL2.VM 0): the PA is the IPA");
    expect(r.stdout).toContain("\nPA 0x40000123\n");
    expect(r.stdout).toContain("memory type: stage 1's alone (stage 2 off): MAIR Attr 0xff");
    // Entry [1] -> table at PA 0x40004000, not in the image: a stage-1 external abort on the walk, level 2.
    const f = JSON.parse(runCli([...argv, "--va", "0x40000000", "--json"]).stdout) as { fault: { stage: number; type: string; level: number } };
    expect([f.fault.stage, f.fault.type, f.fault.level]).toEqual([1, "external_abort_walk", 2]);
  });

  it("a guest VA through both stages (--va with the stage-1 registers)", () => {
    const r = runCli(["walk", "--image", IMG, ...REGS, ...GUEST, "--va", "0x123", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ipa: string; pa: string };
    expect([j.ipa, j.pa]).toEqual(["0x40000123", "0x60000123"]);
  });
});

describe("s2pt fault --image: KVM's abort path over a memory image's tables (walked, the op not replayed)", () => {
  it("a Translation fault at level 2: the walk agrees with the ESR, the map is named and not replayed", () => {
    const r = runCli(["fault", "--esr", "0x92000006", "--hpfar", "0x404000", "--image", IMG, ...REGS, "--pa", "0x70000000", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      table: string;
      paths: Array<{ op: { op: string }; replay: { before: { agrees_with_esr: boolean }; op: unknown; notes: string[] } }>;
    };
    expect(j.table).toMatch(/^image .*4k\.json$/);
    const p = j.paths[0];
    expect([p.op.op, p.replay.before.agrees_with_esr, p.replay.op]).toEqual(["map", true, null]);
    expect(p.replay.notes.join(" ")).toMatch(/not replayed: a memory image/);
  });
  it("a write to the read-only 2M block: the leaf the image holds makes it relax_perms", () => {
    const r = runCli(["fault", "--esr", "0x9200004e", "--ipa", "0x40200000", "--image", IMG, ...REGS]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("op: kvm_pgtable_stage2_relax_perms(0x40200000, R|W, HANDLE_FAULT|SHARED)");
    expect(r.stdout).toContain("the walk takes the fault the ESR reports (Permission fault, level 2)");
  });
  it.each([
    [["--granule", "16k"], /--granule: with --image, VTCR_EL2 \(--vtcr\) sets it/],
    [["--no-fwb"], /--fwb\/--no-fwb: with --image, HCR_EL2\.FWB \(--hcr\) sets it/],
    [["--scenario", scn("map-page-4k-rw.json")], /--image: not with --scenario/],
  ])("refused: %s", (extra, msg) => {
    const r = runCli(["fault", "--esr", "0x92000006", "--hpfar", "0x404000", "--image", IMG, ...REGS, ...extra]);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(msg);
  });
});

describe("s2pt image: the image of a scenario walks as the scenario's table (the CLI's JSON reports, step for step)", () => {
  it.each([
    ["map-page-inside-block.json", ["0x40001234", "0x40201234", "0x40000000", "0x7fffffffff"]],
    ["map-page-4k-rw.json", ["0x40000000", "0x40001000"]],
  ])("%s", (f, ipas) => {
    const img = runCli(["image", scn(f)]);
    expect(img.code).toBe(0);
    const path = put(f, img.stdout);
    const regs = runCli(["image", scn(f), "--registers", "--json"]);
    const r = JSON.parse(regs.stdout) as Record<string, string>;
    for (const ipa of ipas) {
      for (const access of ["r", "w", "x"]) {
        const want = JSON.parse(runCli(["walk", scn(f), "--ipa", ipa, "--access", access, "--json"]).stdout) as Record<string, unknown>;
        const got = JSON.parse(
          runCli(["walk", "--image", path, "--vttbr", r.vttbr, "--vtcr", r.vtcr, "--hcr", r.hcr, "--ipa", ipa, "--access", access, "--json"]).stdout,
        ) as Record<string, unknown>;
        delete got.notes;
        expect(got, `${f} ${ipa} ${access}`).toEqual(want);
      }
    }
  });

  it("a guest's image: the VA walk's JSON is the scenario's", () => {
    const f = join(repoRoot, "examples", "guest-framebuffer-nc.json");
    const path = put("guest.json", runCli(["image", f]).stdout);
    const r = JSON.parse(runCli(["image", f, "--registers", "--json"]).stdout) as Record<string, string>;
    const want = JSON.parse(runCli(["walk", f, "--va", "0xffffffc000001040", "--access", "w", "--json"]).stdout) as Record<string, unknown>;
    const argv = ["walk", "--image", path, "--vttbr", r.vttbr, "--vtcr", r.vtcr, "--hcr", r.hcr, "--ttbr0", r.ttbr0, "--ttbr1", r.ttbr1];
    const got = JSON.parse(
      runCli([...argv, "--tcr", r.tcr, "--mair", r.mair, "--sctlr", r.sctlr, "--va", "0xffffffc000001040", "--access", "w", "--json"]).stdout,
    ) as Record<string, unknown>;
    delete got.notes;
    expect(got).toEqual(want);
  });
});

// Bad images and registers: [what, argv, what stderr must say].
const subdir = join(dir, "a-directory");
mkdirSync(subdir);
const big = join(dir, "big.bin");
{
  const fd = openSync(big, "w");
  ftruncateSync(fd, 16 * 1024 * 1024 + 4096);
  closeSync(fd);
}
const page = (n: number): string[] => zeros(n);
const CASES: Array<[string, string[], RegExp]> = [
  [
    "VTCR SL0 inconsistent with T0SZ and granule",
    ["walk", "--image", IMG, "--vttbr", "0x80000000", "--vtcr", "0x80023518", "--ipa", "0x0"],
    /VTCR_EL2 0x80023518: SL0 = 0b00 \(start level 2\) is inconsistent with T0SZ = 24/,
  ],
  ["VTCR TG0 reserved", ["walk", "--image", IMG, "--vttbr", "0x80000000", "--vtcr", "0x8002f558", "--ipa", "0x0"], /TG0 = 0b11 is reserved/],
  ["VTCR T0SZ out of range", ["walk", "--image", IMG, "--vttbr", "0x80000000", "--vtcr", "0x80023568", "--ipa", "0x0"], /T0SZ = 40 .* is outside 16\.\.39/],
  [
    "VTCR PS beyond the implemented PA size",
    ["walk", "--image", IMG, ...REGS.slice(0, 2), "--vtcr", "0x80053558", "--pa-bits", "40", "--ipa", "0x0"],
    /PS = 0b101 \(48 bits\) is beyond the implemented PA size \(40 bits\)/,
  ],
  ["VTCR PS reserved", ["walk", "--image", IMG, "--vttbr", "0x80000000", "--vtcr", "0x80073558", "--ipa", "0x0"], /PS = 0b111 is reserved/],
  [
    "VTTBR BADDR not aligned",
    ["walk", "--image", IMG, "--vttbr", "0x80001000", "--vtcr", "0x80023558", "--ipa", "0x0"],
    /VTTBR_EL2 0x80001000: BADDR 0x80001000 is not aligned to the 8192-byte root tables/,
  ],
  [
    "VTTBR BADDR beyond the PA range",
    ["walk", "--image", IMG, "--vttbr", "0x10000000000", "--vtcr", "0x80023558", "--ipa", "0x0"],
    /BADDR 0x10000000000 is beyond the 40-bit output size/,
  ],
  [
    "TCR_EL1 reserved IPS",
    ["walk", "--image", IMG, ...REGS, ...GUEST.slice(2), "--tcr", "0x780990019", "--va", "0x0"],
    /TCR_EL1 0x780990019: IPS = 0b111 is reserved/,
  ],
  ["TCR_EL1 reserved TG1", ["walk", "--image", IMG, ...REGS, ...GUEST.slice(2), "--tcr", "0x990019", "--va", "0x0"], /TG1 = 0b00 is reserved/],
  [
    "base PA not aligned",
    ["walk", "--image", put("r1.bin", rawRoot()), "--base", "0x80000800", ...REGS, "--ipa", "0x0"],
    /--base 0x80000800: not aligned to 4 KiB/,
  ],
  [
    "a truncated raw image",
    ["walk", "--image", put("trunc.bin", new Uint8Array(5000).fill(1)), "--base", "0x80000000", ...REGS, "--ipa", "0x0"],
    /trunc\.bin: 5000 bytes is not a whole number of 4 KiB frames \(truncated\?/,
  ],
  ["an empty raw image", ["walk", "--image", put("empty.bin", new Uint8Array(0)), "--base", "0x80000000", ...REGS, "--ipa", "0x0"], /empty\.bin: is empty/],
  [
    "an oversize image",
    ["walk", "--image", big, "--base", "0x80000000", ...REGS, "--ipa", "0x0"],
    /big\.bin: 16781312 bytes, larger than 16 MiB, the limit for an input file/,
  ],
  ["a directory as the image", ["walk", "--image", subdir, ...REGS, "--ipa", "0x0"], /a-directory: is a directory/],
  ["a device as the image", ["walk", "--image", "/dev/null", ...REGS, "--ipa", "0x0"], /\/dev\/null: is a character device/],
  ["a missing image", ["walk", "--image", join(dir, "nope.json"), ...REGS, "--ipa", "0x0"], /nope\.json: no such file/],
  [
    "a JSON page with the wrong count",
    ["walk", "--image", put("count.json", JSON.stringify({ "0x80000000": page(100) })), ...REGS, "--ipa", "0x0"],
    /count\.json: \["0x80000000"\]: 100 descriptors: a page holds 512 \(4K\), 2048 \(16K\) or 8192 \(64K\)/,
  ],
  [
    "a JSON descriptor that is not hex",
    ["walk", "--image", put("nothex.json", JSON.stringify({ "0x80000000": [...page(511), "12"] })), ...REGS, "--ipa", "0x0"],
    /nothex\.json: \["0x80000000"\]\[511\]: '12' is not a 0x-prefixed hex number/,
  ],
  [
    "a JSON key that is not hex",
    ["walk", "--image", put("key.json", JSON.stringify({ "80000000": page(512) })), ...REGS, "--ipa", "0x0"],
    /key\.json: \["80000000"\] \(the key\): '80000000' is not a 0x-prefixed hex number/,
  ],
  [
    "a JSON page not aligned to its size",
    ["walk", "--image", put("align.json", JSON.stringify({ "0x80001000": page(2048) })), ...REGS, "--ipa", "0x0"],
    /align\.json: \["0x80001000"\] \(the key\): 0x80001000 is not aligned to its 16K page/,
  ],
  [
    "overlapping JSON pages",
    ["walk", "--image", put("overlap.json", JSON.stringify({ "0x80000000": page(2048), "0x80001000": page(512) })), ...REGS, "--ipa", "0x0"],
    /overlap\.json: \["0x80001000"\]: overlaps another page/,
  ],
  [
    "a JSON image that is not an object",
    ["walk", "--image", put("arr.json", "[1, 2]"), ...REGS, "--ipa", "0x0"],
    /arr\.json: top level: expected a JSON object/,
  ],
  [
    "JSON pages given a --base",
    ["walk", "--image", IMG, "--base", "0x80000000", ...REGS, "--ipa", "0x0"],
    /4k\.json: is JSON pages \(text\), not a raw image: give it without --base/,
  ],
  ["a raw image without --base", ["walk", "--image", put("r2.bin", rawRoot()), ...REGS, "--ipa", "0x0"], /r2\.bin: is binary: a raw image needs --base/],
  ["--vttbr missing", ["walk", "--image", IMG, "--vtcr", "0x80023558", "--ipa", "0x0"], /--vttbr: missing: a walk over --image needs VTTBR_EL2 and VTCR_EL2/],
  ["--va without TCR_EL1", ["walk", "--image", IMG, ...REGS, "--va", "0x0"], /--tcr: missing: --va over --image needs the guest's TCR_EL1/],
  [
    "a scenario and --image",
    ["walk", scn("map-page-4k-rw.json"), "--image", IMG, ...REGS, "--ipa", "0x0"],
    /map-page-4k-rw\.json: a scenario and --image: give one/,
  ],
  ["--vtcr without --image", ["walk", scn("map-page-4k-rw.json"), "--vtcr", "0x80023558", "--ipa", "0x0"], /--vtcr: only with --image/],
  ["--ha with --image", ["walk", "--image", IMG, ...REGS, "--no-ha", "--ipa", "0x0"], /--ha: with --image, VTCR_EL2\.HA and HD come from --vtcr/],
  ["HCR_EL2.TGE = 1 for a guest VA", ["walk", "--image", IMG, ...REGS, ...GUEST, "--hcr", "0x8000001", "--va", "0x0"], /HCR_EL2 0x8000001: TGE = 1/],
  [
    "VTCR value over 64 bits",
    ["walk", "--image", IMG, "--vttbr", "0x80000000", "--vtcr", "0x1ffffffffffffffff", "--ipa", "0x0"],
    /--vtcr: '0x1ffffffffffffffff' does not fit in 64 bits/,
  ],
];

describe("bad images and registers: one line naming the input, exit 2, nothing on stdout", () => {
  it("covers at least 25 cases", () => expect(CASES.length).toBeGreaterThanOrEqual(25));
  it.each(CASES)("%s", (_, argv, msg) => {
    const r = runCli(argv);
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });
  it("through the built process too: exit 2, one line", () => {
    const bin = join(repoRoot, "dist", "src", "cli", "main.js");
    for (const i of [0, 10, 12, 16, 17]) {
      const r = spawnSync(process.execPath, [bin, ...CASES[i][1]], { encoding: "utf8" });
      expect([r.status, r.stdout], CASES[i][0]).toEqual([2, ""]);
      expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
      expect(r.stderr).toMatch(CASES[i][2]);
    }
  });
});
