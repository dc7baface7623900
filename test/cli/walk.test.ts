// s2pt walk and the translate op of s2pt replay, run in-process (runCli).
// Expected values: the kernel's descriptors in the expected files, and
// syndromes worked by hand (EC << 26 | IL << 25 | WnR << 6 | DFSC).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { conformanceDir } from "../helpers.js";

const scn = (f: string): string => join(conformanceDir, "scenarios", f);
const tmp = mkdtempSync(join(tmpdir(), "s2pt-walk-"));
function scenarioFile(name: string, doc: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

describe("s2pt walk", () => {
  it("a read through a 4K page: every level, the PA and the stage-2 attributes", () => {
    // map-page-inside-block: 0x40001000 -> 0x90000000 as a level-3 R|W page (kernel descriptor 0x400000900007db).
    const r = runCli(["walk", scn("map-page-inside-block.json"), "--ipa", "0x40001234"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("IPA 0x40001234, data read at EL1");
    expect(lines.filter((l) => /^ {2}level \d:/.test(l)).map((l) => l.slice(0, 10))).toEqual(["  level 1:", "  level 2:", "  level 3:"]);
    expect(r.stdout).toContain("= 0x400000900007db  page -> 0x90000000");
    expect(r.stdout).toContain("PA 0x90000234: level-3 page of 0x1000 bytes");
    expect(r.stdout).toMatch(/MemAttr 0x6 \(FWB on\): Normal Write-Back, forced .*MT_S2_FWB_NORMAL/);
    expect(r.stdout).toContain("SH 0b11 Inner Shareable");
    expect(r.stdout).toContain("S2AP 0b11, XN 1, AF 1, DBM 0: read yes, write yes, execute EL0 no, EL1 no");
  });

  it("an instruction fetch from an XN page: Permission fault, ESR_EL2 0x8200000f, HPFAR UNKNOWN", () => {
    const r = runCli(["walk", scn("map-page-4k-rw.json"), "--ipa", "0x40000000", "--access", "x"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Permission fault, level 3: IFSC 0xf");
    expect(r.stdout).toContain("ESR_EL2 0x8200000f: EC 0x20 (Instruction Abort from a lower Exception level)");
    expect(r.stdout).toContain("HPFAR_EL2 UNKNOWN");
  });

  it("a write to an unmapped IPA: Translation fault at level 2, WnR 1, HPFAR = IPA[51:12] << 4", () => {
    const j = JSON.parse(runCli(["walk", scn("map-page-inside-block.json"), "--ipa", "0x40201234", "--access", "w", "--json"]).stdout);
    expect(j.steps.map((s: { level: number }) => s.level)).toEqual([1, 2]);
    expect(j.steps[1].descriptor).toBe("0x0");
    expect(j.result).toBeNull();
    expect(j.fault).toEqual({
      type: "translation",
      level: 2,
      fsc: "0x6",
      ec: "0x24",
      iss: "0x46",
      esr_el2: "0x92000046",
      wnr: true,
      s1ptw: false,
      isv: false,
      hpfar_valid: true,
      hpfar_el2: "0x402010",
      descriptor: "0x0",
    });
  });

  it("an IPA beyond the IPA size, even beyond 52 bits: Translation fault at level 0, no descriptor read", () => {
    for (const ipa of ["0x10000000000", "0xffffffffffffffff"]) {
      const j = JSON.parse(runCli(["walk", scn("map-page-4k-rw.json"), "--ipa", ipa, "--json"]).stdout);
      expect(j.steps).toEqual([]);
      expect(j.fault.type).toBe("translation");
      expect(j.fault.level).toBe(0);
      expect(j.fault.esr_el2).toBe("0x92000004");
    }
    const j = JSON.parse(runCli(["walk", scn("map-page-4k-rw.json"), "--ipa", "0xffffffffffffffff", "--json"]).stdout);
    expect(j.fault.hpfar_el2).toBe("0xffffffffff0"); // IPA[51:12] only: 40 one bits, shifted left by 4
  });

  it("--no-ha turns a young-cleared page into an Access flag fault; with HA (the default) the walk sets AF", () => {
    // young-clear-and-mkyoung ends with its page young again, so build one that stays old.
    const p = scenarioFile("old.json", {
      config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false },
      ops: [
        { op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R|W", flags: "" },
        { op: "test_clear_young", ipa: "0x40000000", size: "0x1000", mkold: true },
      ],
    });
    expect(runCli(["walk", p, "--ipa", "0x40000000", "--no-ha"]).stdout).toContain("Access flag fault, level 3: DFSC 0xb");
    const r = runCli(["walk", p, "--ipa", "0x40000000"]);
    expect(r.stdout).toContain("PA 0x80000000: level-3 page of 0x1000 bytes; the hardware set AF (leaf now 0x400000800007db)");
  });

  it("--xnx reads bits 54:53 by EL", () => {
    // map-block-2m-rwx: an executable 2M block; XN[1:0] = 00 executes at both ELs.
    const r = runCli(["walk", scn("map-block-2m-rwx.json"), "--ipa", "0x40000000", "--access", "x", "--el", "0", "--xnx"]);
    expect(r.stdout).toContain("XN [1:0] 0b00");
    expect(r.stdout).toMatch(/^PA 0x80000000: level-2 block of 0x200000 bytes/m);
  });

  it("refuses bad input with one line and exit 2", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--ipa", "40001000"], /^s2pt: --ipa: '40001000' is not a 0x-prefixed hex number$/],
      [["--ipa", "0xg"], /^s2pt: --ipa: '0xg' is not a 0x-prefixed hex number$/],
      [["--ipa", "0x10000000000000000"], /^s2pt: --ipa: '0x10000000000000000' does not fit in 64 bits$/],
      [["--ipa=-0x1"], /^s2pt: --ipa: '-0x1' is negative$/],
      [[], /^s2pt: --ipa: missing/],
      [["--ipa", "0x0", "--access", "q"], /^s2pt: --access: 'q' is not r \(read\), w \(write\) or x \(execute\)$/],
      [["--ipa", "0x0", "--el", "2"], /^s2pt: --el: 2 is out of range \(0\.\.1\)$/],
      [["--ipa", "0x0", "--el", "x"], /^s2pt: --el: 'x' is not a number \(decimal, 0x-prefixed hex or 0b-prefixed binary\)$/],
    ];
    for (const [extra, msg] of cases) {
      const r = runCli(["walk", scn("map-page-4k-rw.json"), ...extra]);
      expect(r.code, extra.join(" ")).toBe(2);
      expect(r.stdout, extra.join(" ")).toBe("");
      expect(r.stderr.trimEnd(), extra.join(" ")).toMatch(msg);
      expect(r.stderr.trim().split("\n").length).toBe(1);
    }
    const missing = runCli(["walk", join(tmp, "nope.json"), "--ipa", "0x0"]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, `s2pt: ${join(tmp, "nope.json")}: no such file`]);
  });
});

describe("the translate op of s2pt replay", () => {
  const doc = {
    name: "translate-demo",
    config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false },
    ops: [
      { op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R", flags: "" },
      { op: "translate", ipa: "0x40000abc", access: "r" },
      { op: "translate", ipa: "0x40000abc", access: "w" },
      { op: "translate", ipa: "0x40001000", access: "r" },
      { op: "translate", ipa: "0x40000abc", access: "x", el: 0 },
      { op: "translate", ipa: "0x10000000000", access: "r" },
      { op: "get_leaf", ipa: "0x40000000" },
    ],
  };

  it("gives the PA and level, or the fault with its DFSC and HPFAR (null when UNKNOWN)", () => {
    const r = runCli(["replay", scenarioFile("t.json", doc)]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.ops.slice(1, 6)).toEqual([
      { pa: "0x80000abc", level: 3 },
      { fault: { type: "permission", level: 3, dfsc: "0xf", hpfar: null } },
      { fault: { type: "translation", level: 3, dfsc: "0x7", hpfar: "0x400010" } },
      { fault: { type: "permission", level: 3, dfsc: "0xf", hpfar: null } },
      { fault: { type: "translation", level: 0, dfsc: "0x4", hpfar: "0x100000000" } },
    ]);
    // The kernel ops around it are unchanged: get_leaf still sees the kernel's leaf (R only, XN).
    expect(res.ops[6]).toEqual({ ret: 0, pte: "0x4000008000075b", level: 3, events: [] });
    // One result line per op, as the expected files lay them out.
    expect(r.stdout).toContain('    {"pa": "0x80000abc", "level": 3},\n');
  });

  it("refuses a malformed translate op naming the field", () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ op: "translate", ipa: "0x0", access: "q" }, /ops\[0\]\.access: 'q' is not r \(read\), w \(write\) or x \(execute\)$/m],
      [{ op: "translate", ipa: "0x0", access: 1 }, /ops\[0\]\.access: expected "r", "w" or "x" \(or read, write, exec\), got a number/],
      [{ op: "translate", ipa: "0x0" }, /ops\[0\]: missing field 'access'/],
      [{ op: "translate", ipa: "0x0", access: "r", el: 2 }, /ops\[0\]\.el: 2 is outside 0\.\.1/],
      [{ op: "translate", ipa: "0x0", access: "r", size: "0x1000" }, /ops\[0\]: unknown field 'size'/],
      [{ op: "translate", ipa: "0x10000000000000", access: "r" }, /ops\[0\]\.ipa: '0x10000000000000' is beyond the 52-bit address space/],
    ];
    for (const [op, msg] of bad) {
      const r = runCli(["replay", scenarioFile("bad.json", { config: doc.config, ops: [op] })]);
      expect(r.code, JSON.stringify(op)).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr, JSON.stringify(op)).toMatch(msg);
    }
  });
});

describe("s2pt walk --s1-attr --s1-sh: the combined memory type (issue 6)", () => {
  const nc = (fwb: boolean, prot: string): string =>
    scenarioFile(`leaf-${fwb}-${prot.replace(/\|/g, "_")}.json`, {
      config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb, tlb_range: false },
      ops: [{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot, flags: "" }],
    });

  it("a Normal-NC stage-2 page (FWB off) with a guest 0x44 mapping: the steps, then 0x44 Outer Shareable", () => {
    // S2CombineS1AttrHints NC + NC = NC; EffectiveShareability: Normal NC/NC is OSH.
    const r = runCli(["walk", nc(false, "R|W|NORMAL_NC"), "--ipa", "0x40000010", "--s1-attr", "0x44", "--s1-sh", "3"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("stage 1 MAIR Attr 0x44, SH ISH combined with this leaf");
    expect(r.stdout).toMatch(/S2CombineS1AttrHints: both Normal/);
    expect(r.stdout).toMatch(/EffectiveShareability: Normal Inner\+Outer Non-cacheable is always Outer Shareable: ISH -> OSH/);
    expect(r.stdout).toContain("PAR_EL1.ATTR[63:56] = 0x44, PAR_EL1.SH[8:7] = 0b10");
    const j = JSON.parse(runCli(["walk", nc(false, "R|W|NORMAL_NC"), "--ipa", "0x40000010", "--s1-attr", "0x44", "--s1-sh", "3", "--json"]).stdout);
    expect(j.stage1).toEqual({ attr: "0x44", sh: 3 });
    expect(j.combined).toMatchObject({ attr: "0x44", sh: 2, sh_name: "OSH", memtype: "Normal-NC", open: { attr: [], sh: [] }, fwb: false, ifetch: false });
    expect(j.combined.steps.map((s: { asl: string }) => s.asl)).toContain("S2CombineS1AttrHints");
  });

  it("FWB Normal-WB stage 2 with a guest 0x00 mapping: ATTR 0xff, SH open (IMPLEMENTATION DEFINED)", () => {
    // AArch64.S2ApplyFWBMemAttrs 0b110 forces WB; "Apply effective shareability at stage 1" is IMPDEF.
    const j = JSON.parse(runCli(["walk", nc(true, "R|W"), "--ipa", "0x40000010", "--s1-attr", "0x00", "--s1-sh", "3", "--json"]).stdout);
    expect(j.combined).toMatchObject({ attr: "0xff", sh: null, open: { attr: [], sh: ["IMPDEF_S1_SH"] }, permitted: { attr: ["0xff"], sh: [2, 3] } });
    const t = runCli(["walk", nc(true, "R|W"), "--ipa", "0x40000010", "--s1-attr", "0x00"]).stdout;
    expect(t).toContain("SH   open (-1): permitted OSH, ISH");
  });

  it("a guest 0xff mapping over stage-2 Device: Device-nGnRE, 0x04 OSH (--s1-sh defaults to 3)", () => {
    const j = JSON.parse(runCli(["walk", nc(true, "R|W|DEVICE"), "--ipa", "0x40000010", "--s1-attr", "0xff", "--json"]).stdout);
    expect(j.stage1).toEqual({ attr: "0xff", sh: 3 });
    expect(j.combined).toMatchObject({ attr: "0x04", sh: 2, memtype: "Device-nGnRE" });
  });

  it("an instruction fetch combines with the instruction-fetch rule", () => {
    // AArch64.S1Translate: a fetch from stage-1 Device is Normal NC; NC + WB = NC -> 0x44 OSH.
    const j = JSON.parse(runCli(["walk", nc(false, "R|X"), "--ipa", "0x40000010", "--access", "x", "--s1-attr", "0x00", "--json"]).stdout);
    expect(j.combined).toMatchObject({ attr: "0x44", sh: 2, ifetch: true });
  });

  it("a fault has no memory type; bad --s1-attr / --s1-sh are refused", () => {
    const f = runCli(["walk", nc(true, "R|W"), "--ipa", "0x50000000", "--s1-attr", "0xff"]);
    expect(f.stdout).toContain("none: the walk faulted");
    expect(JSON.parse(runCli(["walk", nc(true, "R|W"), "--ipa", "0x50000000", "--s1-attr", "0xff", "--json"]).stdout).combined).toBeNull();
    const cases: Array<[string[], RegExp]> = [
      [["--s1-attr", "0x100"], /^s2pt: --s1-attr: 0x100 is not a MAIR Attr byte \(0x00\.\.0xff\)$/],
      [["--s1-attr", "zz"], /^s2pt: --s1-attr: 'zz' is neither a MAIR Attr byte \(0x00\.\.0xff, decimal or 0b binary\) nor one of device-ngnrne/],
      [["--s1-attr", "0x44", "--s1-sh", "1"], /^s2pt: --s1-sh: SH 0b01 is reserved/],
      [["--s1-attr", "0x44", "--s1-sh", "4"], /^s2pt: --s1-sh: 4 is not 0, 2 or 3$/],
      [["--s1-sh", "3"], /^s2pt: --s1-sh needs --s1-attr/],
    ];
    for (const [extra, msg] of cases) {
      const r = runCli(["walk", nc(true, "R|W"), "--ipa", "0x40000000", ...extra]);
      expect([r.code, r.stdout], extra.join(" ")).toEqual([2, ""]);
      expect(r.stderr.trimEnd(), extra.join(" ")).toMatch(msg);
    }
  });
});
