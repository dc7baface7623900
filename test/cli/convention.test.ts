// One convention across commands (README "Conventions"): the same input in each command's form
// (an option, an operand, a scenario field) gives the same value or the same refusal.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { conformanceDir } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "s2pt-conv-"));
const RW = join(conformanceDir, "scenarios", "map-page-4k-rw.json");
const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false };
let n = 0;
function scenario(ops: unknown[]): string {
  const p = join(tmp, `s${n++}.json`);
  writeFileSync(p, JSON.stringify({ name: "conv", config: CONFIG, ops }));
  return p;
}

/** Every place a 64-bit value is typed: the value goes where `v` is. */
const U64_FORMS: Array<[string, (v: string) => string[] | "scenario"]> = [
  ["decode <descriptor>", (v) => ["decode", v, "--level", "3"]],
  ["decode --pa", (v) => ["decode", "0x400000400007db", "--level", "3", "--expect", "R|W", "--pa", v]],
  ["encode --pa", (v) => ["encode", "--pa", v, "--level", "3", "--prot", "R|W"]],
  ["explain --pa", (v) => ["explain", "--vma", "anon", "--era", "mainline", "--pa", v]],
  ["walk --ipa", (v) => ["walk", RW, "--ipa", v]],
  ["walk --va", (v) => ["walk", join("examples", "guest-framebuffer-nc.json"), "--va", v]],
  ["decode --stage1 --mair", (v) => ["decode", "0x1", "--stage1", "--mair", v]],
  ["reg <value>", (v) => ["reg", "far", v]],
  ["fault --ipa", (v) => ["fault", "--esr", "0x92000007", "--ipa", v]],
  ["fault --hpfar", (v) => ["fault", "--esr", "0x92000007", "--hpfar", v]],
  ["fault --far", (v) => ["fault", "--esr", "0x92000007", "--ipa", "0x40000000", "--far", v]],
  ["fault --pa", (v) => ["fault", "--esr", "0x92000007", "--ipa", "0x40000000", "--pa", v]],
];

function u64Refusal(argv: string[] | "scenario"): string {
  const r = runCli(argv as string[]);
  expect([r.code, r.stdout]).toEqual([2, ""]);
  return r.stderr;
}

describe("64-bit values: 0x or 0X hex, nothing else, everywhere", () => {
  it.each(U64_FORMS)("%s: 0x, 0X and leading zeros give the same answer", (_, form) => {
    const a = runCli(form("0x40000000") as string[]);
    expect(a.code).toBe(0);
    expect(runCli(form("0X40000000") as string[])).toEqual(a);
    expect(runCli(form("0x0040000000") as string[])).toEqual(a);
    expect(runCli(form("0x40000000".toUpperCase().replace("0X", "0x")) as string[])).toEqual(a);
  });
  const refusals: Array<[string, string]> = [
    ["40000000", "is not a 0x-prefixed hex number"],
    ["1073741824", "is not a 0x-prefixed hex number"],
    ["0x4000_0000", "is not a 0x-prefixed hex number"],
    ["+0x40000000", "is not a 0x-prefixed hex number"],
    ["0x", "is not a 0x-prefixed hex number"],
    ["0b1", "is not a 0x-prefixed hex number"],
    ["-0x40000000", "is negative"],
    ["0x10000000000000000", "does not fit in 64 bits"],
  ];
  it.each(refusals)("'%s' is refused by every form with the same words", (v, why) => {
    for (const [label, form] of U64_FORMS) {
      const what = label
        .split(" ")
        .pop()!
        .replace(/^<(.*)>$/, "$1");
      expect(u64Refusal(form(v)), label).toBe(`s2pt: ${what}: '${v}' ${why}\n`);
    }
    // ... and by the scenario reader, naming the JSON path.
    const p = scenario([{ op: "get_leaf", ipa: v }]);
    expect(runCli(["replay", p]).stderr).toBe(`s2pt: ${p}: ops[0].ipa: '${v}' ${why}\n`);
  });
  it("a scenario's 0X form is the same value as its 0x form", () => {
    const lower = runCli(["replay", scenario([{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R", flags: "" }])]);
    const upper = runCli(["replay", scenario([{ op: "map", ipa: "0X40000000", size: "0X1000", pa: "0X80000000", prot: "R", flags: "" }])]);
    expect(lower.code).toBe(0);
    expect(upper).toEqual(lower);
  });
});

describe("small numbers: decimal, 0x hex or 0b binary, everywhere", () => {
  const same = (forms: string[], argv: (v: string) => string[]): void => {
    const first = runCli(argv(forms[0]));
    expect(first.code, argv(forms[0]).join(" ")).toBe(0);
    for (const f of forms.slice(1)) expect(runCli(argv(f)), f).toEqual(first);
  };
  it("--level in decode, encode and explain", () => {
    for (const argv of [
      (v: string) => ["decode", "0x400000800007db", "--level", v],
      (v: string) => ["encode", "--pa", "0x80000000", "--level", v, "--prot", "R"],
      (v: string) => ["explain", "--vma", "anon", "--level", v],
    ]) {
      same(["3", "0x3", "0X3", "0b11", " 3 "], argv);
      expect(runCli(argv("03")).stderr).toBe(
        "s2pt: --level: '03' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary) (a leading 0 would make it octal in C: write it without)\n",
      );
      expect(runCli(argv("4")).stderr).toBe("s2pt: --level: 4 is out of range (-1..3)\n");
      expect(runCli(argv("3.0")).stderr).toMatch(/^s2pt: --level: '3\.0' is not a number/);
    }
  });
  it("--ia-bits and --pa-bits in geometry, decode and encode", () => {
    same(["40", "0x28", "0b101000"], (v) => ["geometry", "--ia-bits", v]);
    same(["44", "0x2c"], (v) => ["decode", "0x400000800007db", "--pa-bits", v]);
    same(["44", "0x2c"], (v) => ["encode", "--pa", "0x80000000", "--level", "3", "--prot", "R", "--pa-bits", v]);
    for (const argv of [
      (v: string) => ["geometry", "--pa-bits", v],
      (v: string) => ["decode", "0x1", "--pa-bits", v],
      (v: string) => ["encode", "--pa", "0x0", "--level", "3", "--prot", "R", "--pa-bits", v],
    ]) {
      expect(runCli(argv("33")).stderr).toBe("s2pt: --pa-bits: 33 is not a PARange size (32, 36, 40, 42, 44, 48, 52)\n");
      expect(runCli(argv("31")).stderr).toBe("s2pt: --pa-bits: 31 is out of range (32..52)\n");
      expect(runCli(argv("0")).stderr).toBe("s2pt: --pa-bits: 0 is out of range (32..52)\n");
      expect(runCli(argv("52")).stderr).toBe("s2pt: --pa-bits: 52-bit PAs with a 4K granule need FEAT_LPA2 (--lpa2); without it KVM clamps PARange to 48\n");
      expect(runCli([...argv("52"), "--lpa2"]).code).toBe(0);
    }
  });
  it("--el", () => same(["1", "0x1", "0b1"], (v) => ["walk", RW, "--ipa", "0x40000000", "--el", v]));
  it("a MAIR Attr byte, by number or by name, in combine --s1, walk --s1-attr and explain --guest", () => {
    const forms = ["0x44", "0X44", "68", "0b1000100", "wc", "nc", "normal-nc", "MAIR_ATTR_NORMAL_NC", "mair_attr_normal_nc"];
    same(forms, (v) => ["combine", "--s1", v, "--s2", "0x5"]);
    same(forms, (v) => ["walk", RW, "--ipa", "0x40000000", "--s1-attr", v]);
    same(forms, (v) => ["explain", "--vma", "pfnmap", "--guest", v]);
    for (const [argv, opt] of [
      [(v: string) => ["combine", "--s1", v, "--s2", "0x5"], "--s1"],
      [(v: string) => ["walk", RW, "--ipa", "0x40000000", "--s1-attr", v], "--s1-attr"],
      [(v: string) => ["explain", "--vma", "pfnmap", "--guest", v], "--guest"],
    ] as const) {
      expect(runCli(argv("0x100")).stderr).toBe(`s2pt: ${opt}: 0x100 is not a MAIR Attr byte (0x00..0xff)\n`);
      expect(runCli(argv("256")).stderr).toBe(`s2pt: ${opt}: 256 is not a MAIR Attr byte (0x00..0xff)\n`);
      expect(runCli(argv("writeback")).stderr).toMatch(new RegExp(`^s2pt: ${opt}: 'writeback' is neither a MAIR Attr byte`));
    }
  });
  it("a stage-2 MemAttr, by number or by its asm/memory.h name (of the FWB mode in use)", () => {
    const fwb = runCli(["combine", "--s1", "0xff", "--s2", "6", "--json"]);
    for (const v of ["0x6", "0b0110", "MT_S2_FWB_NORMAL", "mt_s2_fwb_normal"]) expect(runCli(["combine", "--s1", "0xff", "--s2", v, "--json"])).toEqual(fwb);
    const nofwb = runCli(["combine", "--s1", "0xff", "--s2", "0xf", "--no-fwb", "--json"]);
    expect(runCli(["combine", "--s1", "0xff", "--s2", "MT_S2_NORMAL", "--no-fwb", "--json"])).toEqual(nofwb);
    expect(runCli(["combine", "--s1", "0xff", "--s2", "MT_S2_DEVICE_nGnRE", "--no-fwb", "--json"])).toEqual(
      runCli(["combine", "--s1", "0xff", "--s2", "1", "--no-fwb", "--json"]),
    );
    expect(runCli(["combine", "--s1", "0xff", "--s2", "MT_S2_NORMAL"]).stderr).toBe(
      "s2pt: --s2: MT_S2_NORMAL (0xf) is the MemAttr Linux writes with FWB off; with FWB on it writes MT_S2_FWB_NORMAL (0x6) (or give --no-fwb)\n",
    );
    expect(runCli(["combine", "--s1", "0xff", "--s2", "MT_S2_FWB_NORMAL", "--no-fwb"]).stderr).toMatch(
      /^s2pt: --s2: MT_S2_FWB_NORMAL \(0x6\) is the MemAttr Linux writes with FWB on; with FWB off it writes MT_S2_NORMAL \(0xf\)/,
    );
  });
});

describe("names: one vocabulary", () => {
  it("--access r|w|x|read|write|exec in walk and explain; the scenario's access field too", () => {
    for (const [short, long] of [
      ["r", "read"],
      ["w", "write"],
      ["x", "exec"],
      ["x", "execute"],
      ["w", "WRITE"],
    ]) {
      const w = runCli(["walk", RW, "--ipa", "0x40000000", "--access", short]);
      expect(runCli(["walk", RW, "--ipa", "0x40000000", "--access", long])).toEqual(w);
      const e = runCli(["explain", "--vma", "anon", "--access", short]);
      expect(runCli(["explain", "--vma", "anon", "--access", long])).toEqual(e);
      const op = (a: string): string =>
        scenario([
          { op: "map", ipa: "0x0", size: "0x1000", pa: "0x0", prot: "R", flags: "" },
          { op: "translate", ipa: "0x0", access: a },
        ]);
      expect(runCli(["replay", op(long)]).stdout).toBe(runCli(["replay", op(short)]).stdout);
    }
    expect(runCli(["walk", RW, "--ipa", "0x0", "--access", "fetch"]).stderr).toBe("s2pt: --access: 'fetch' is not r (read), w (write) or x (execute)\n");
    expect(runCli(["explain", "--vma", "anon", "--access", "fetch"]).stderr).toBe("s2pt: --access: 'fetch' is not r (read), w (write) or x (execute)\n");
  });
  it("prots: short names, KVM_PGTABLE_PROT_* names, any case, in encode, decode --expect and scenarios", () => {
    const want = runCli(["encode", "--pa", "0x80000000", "--level", "3", "--prot", "R|W"]);
    for (const p of ["KVM_PGTABLE_PROT_R|KVM_PGTABLE_PROT_W", "r|w", "W|R", "R | W", "kvm_pgtable_prot_r|W"])
      expect(runCli(["encode", "--pa", "0x80000000", "--level", "3", "--prot", p])).toEqual(want);
    expect(runCli(["decode", "0x400000800007db", "--level", "3", "--expect", "KVM_PGTABLE_PROT_R|KVM_PGTABLE_PROT_W"]).code).toBe(0);
    const map = (prot: string, flags: string): string => scenario([{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot, flags }]);
    expect(runCli(["replay", map("KVM_PGTABLE_PROT_R|KVM_PGTABLE_PROT_X", "KVM_PGTABLE_WALK_SHARED")]).stdout).toBe(
      runCli(["replay", map("R|X", "SHARED")]).stdout,
    );
  });
});

describe("exit codes: one table for every command", () => {
  it("1: the kernel refuses (encode and explain agree), a verdict or a comparison says no", () => {
    expect(runCli(["encode", "--pa", "0x80000000", "--level", "3", "--prot", "DEVICE|X"]).code).toBe(1);
    expect(runCli(["explain", "--vma", "pfnmap", "--access", "exec", "--era", "mainline"]).code).toBe(1);
    expect(runCli(["decode", "0x400000800007db", "--level", "3", "--expect", "R"]).code).toBe(1);
    expect(runCli(["replay", RW, "--expected", join(conformanceDir, "expected", "map-page-inside-block.json")]).code).toBe(1);
  });
  it("0: an answer, even a fault or an errno inside a replayed scenario", () => {
    expect(runCli(["walk", RW, "--ipa", "0x50000000"]).code).toBe(0);
    expect(runCli(["replay", join(conformanceDir, "scenarios", "enomem-map-3-tables-memcache-2.json")]).code).toBe(0);
    expect(runCli(["decode", "0x400000800007db", "--level", "3", "--expect", "R|W"]).code).toBe(0);
  });
});
