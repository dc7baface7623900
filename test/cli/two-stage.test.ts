// s2pt walk --va and the translate_va op, run in-process (runCli) on the
// examples/ scenarios. Expected values worked by hand: the stage-1 indices
// from the VA, the IPAs and PAs from the mappings, the syndromes as
// EC << 26 | IL << 25 | S1PTW << 7 | WnR << 6 | xFSC, and the memory types
// from the combine rules (see test/architecture/two-stage.test.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { repoRoot } from "../helpers.js";

const ex = (f: string): string => join(repoRoot, "examples", f);
const tmp = mkdtempSync(join(tmpdir(), "s2pt-two-stage-"));
let n = 0;
function scenarioFile(doc: unknown): string {
  const p = join(tmp, `s${n++}.json`);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}
const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false };
const POOL_MAP = { op: "map", ipa: "0x40000000", size: "0x10000", pa: "0x80010000", prot: "R|W", flags: "" };
const GUEST = {
  tcr: { t0sz: 25, t1sz: 25, tg0: 4096, tg1: 4096, ips: 40 },
  mair: "0x000000040044f0ff",
  table_pool: { ipa: "0x40000000", size: "0x10000" },
  mappings: [{ va: "0xffffff8000000000", size: "0x1000", ipa: "0x40000000", attrindx: 0 }],
};

describe("s2pt walk --va", () => {
  it("the framebuffer example: every stage-1 level with its stage-2 walk, the IPA, the PA, and 0x44 Outer Shareable", () => {
    const r = runCli(["walk", ex("guest-framebuffer-nc.json"), "--va", "0xffffffc000001040", "--access", "w"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const t = r.stdout;
    expect(t).toContain("VA 0xffffffc000001040, data write at EL1");
    expect(t).toContain("stage 1: TTBR1: 4K granule, 39-bit VA (T1SZ 25), start level 1 (512 root entries); root table at IPA 0x40000000");
    // L1 index VA[38:30] = 256 -> entry IPA 0x40000800; its stage-2 walk ends in the 2M block of guest RAM at PA 0x80000000.
    expect(t).toContain("  level 1: table IPA 0x40000000 [256] @ IPA 0x40000800");
    expect(t).toContain("    read at PA 0x80000800: 0x40002003  table descriptor -> next-level table at 0x40002000");
    expect(t).toContain("read at PA 0x80003008: 0x6000001000170b  page -> 0x10001000, AttrIndx 2 (0x44), AP 00, SH ISH, AF, PXN, UXN");
    expect(t).toMatch(/^IPA 0x10001040$/m);
    expect(t).toMatch(/^PA 0x1000001040$/m);
    expect(t).toContain("AArch64.S2ApplyFWBMemAttrs: MemAttr[2:0] = 0b101: stage 1 is Normal, so the result is Normal Inner+Outer Non-cacheable");
    expect(t).toContain("Normal-NC; PAR_EL1.ATTR[63:56] = 0x44, PAR_EL1.SH[8:7] = 0b10");
    const j = JSON.parse(runCli(["walk", ex("guest-framebuffer-nc.json"), "--va", "0xffffffc000001040", "--access", "w", "--json"]).stdout);
    expect(j.stage1.steps.map((s: { level: number; entry_ipa: string; entry_pa: string }) => [s.level, s.entry_ipa, s.entry_pa])).toEqual([
      [1, "0x40000800", "0x80000800"],
      [2, "0x40002000", "0x80002000"],
      [3, "0x40003008", "0x80003008"],
    ]);
    expect(j.stage1.leaf).toMatchObject({
      level: 3,
      attrindx: 2,
      mair_attr: "0x44",
      sh: 3,
      ap: 0,
      pxn: true,
      uxn: true,
      read: true,
      write: true,
      execute: false,
    });
    expect([j.ipa, j.pa, j.s1_attr, j.s1_sh]).toEqual(["0x10001040", "0x1000001040", "0x44", 3]);
    expect(j.s2.result).toMatchObject({ pa: "0x1000001040", level: 2 });
    expect(j.memtype).toMatchObject({ attr: "0x44", sh: 2, memtype: "Normal-NC", fwb: true });
    expect(j.fault).toBeNull();
  });

  it("the Device-over-FWB example: a guest Device-nGnRE mapping becomes Normal WB, the shareability IMPLEMENTATION DEFINED", () => {
    const j = JSON.parse(runCli(["walk", ex("guest-device-fwb.json"), "--va", "0xffffffc000000008", "--json"]).stdout);
    expect([j.ipa, j.pa, j.s1_attr]).toEqual(["0x50000008", "0x90000008", "0x04"]);
    expect(j.memtype).toMatchObject({ attr: "0xff", sh: null, open: { attr: [], sh: ["IMPDEF_S1_SH"] }, permitted: { attr: ["0xff"], sh: [2, 3] } });
  });

  it("the S1PTW example: the last-level table page is unmapped at stage 2 -> stage-2 Translation fault, S1PTW = 1", () => {
    const r = runCli(["walk", ex("guest-s1ptw-fault.json"), "--va", "0xffffff8000001000"]);
    expect(r.stdout).toContain("stage-2 Translation fault, level 3, on the stage-1 table walk (the level-3 entry at IPA 0x40002008)");
    // EC 0x24 << 26 | IL | S1PTW 0x80 | DFSC 0b000111.
    expect(r.stdout).toContain(
      "ESR_EL2 0x92000087: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 1, WnR 0, DFSC 0x7; FAR_EL2 0xffffff8000001000",
    );
    expect(r.stdout).toContain("HPFAR_EL2 0x400020 (FIPA = IPA[51:12] = 0x40002)");
    const j = JSON.parse(runCli(["walk", ex("guest-s1ptw-fault.json"), "--va", "0xffffff8000001000", "--access", "x", "--json"]).stdout);
    expect(j.ipa).toBeNull();
    expect(j.fault).toEqual({
      stage: 2,
      type: "translation",
      level: 3,
      s1ptw: true,
      on_update: false,
      s1_level: 3,
      ipa: "0x40002008",
      fsc: "0x7",
      ec: "0x20",
      esr_el2: "0x82000087",
      wnr: false,
      hpfar_valid: true,
      hpfar_el2: "0x400020",
      far_el2: "0xffffff8000001000",
    });
  });

  it("a stage-1 fault is reported to EL1 with ESR_EL1 and FAR_EL1", () => {
    // VA 0xffffff8000200000: L2 index 1 was never written: Translation fault, level 2; 0x25 << 26 | IL | 0b000110.
    const j = JSON.parse(runCli(["walk", ex("guest-framebuffer-nc.json"), "--va", "0xffffff8000200000", "--json"]).stdout);
    expect(j.fault).toEqual({
      stage: 1,
      type: "translation",
      level: 2,
      fsc: "0x6",
      ec: "0x25",
      esr_el1: "0x96000006",
      wnr: false,
      far_el1: "0xffffff8000200000",
    });
    const t = runCli(["walk", ex("guest-framebuffer-nc.json"), "--va", "0xffffff8000200000", "--el", "0"]).stdout;
    expect(t).toContain("stage-1 Translation fault, level 2: taken to EL1 (the guest handles it)");
    expect(t).toContain("ESR_EL1 0x92000006: EC 0x24 (Data Abort from a lower Exception level)");
  });

  it("stage 1 disabled: IPA = VA, and the Device-nGnRnE output of AArch64_S1DisabledOutput", () => {
    const p = scenarioFile({ config: CONFIG, ops: [POOL_MAP], guest: { ...GUEST, mappings: [], sctlr: { m: false } } });
    const j = JSON.parse(runCli(["walk", p, "--va", "0x40000010", "--json"]).stdout);
    expect([j.stage1.enabled, j.ipa, j.pa, j.s1_attr, j.s1_sh]).toEqual([false, "0x40000010", "0x80010010", "0x00", 2]);
    // FWB 0b110 (KVM's Normal) forces WB over the Device output: 0xFF; OSH + ISH = OSH.
    expect(j.memtype).toMatchObject({ attr: "0xff", sh: 2 });
  });

  it("refuses bad input with one line and exit 2", () => {
    const fb = ex("guest-framebuffer-nc.json");
    const noGuest = scenarioFile({ config: CONFIG, ops: [POOL_MAP] });
    const cases: Array<[string[], RegExp]> = [
      [[fb, "--va", "0x1", "--ipa", "0x1"], /^s2pt: --ipa and --va: give one, not both/],
      [[fb], /^s2pt: --ipa: missing: give --ipa <IPA> \(a stage-2 walk\) or --va <VA>/],
      [[fb, "--va", "ffff"], /^s2pt: --va: 'ffff' is not a 0x-prefixed hex number$/],
      [[fb, "--va", "0x10000000000000000"], /^s2pt: --va: '0x10000000000000000' does not fit in 64 bits$/],
      [[fb, "--va", "0x0", "--s1-attr", "0x44"], /^s2pt: --s1-attr: not with --va/],
      [[noGuest, "--va", "0x0"], /--va needs a scenario with a 'guest' section/],
    ];
    for (const [argv, msg] of cases) {
      const r = runCli(["walk", ...argv]);
      expect([r.code, r.stdout], argv.join(" ")).toEqual([2, ""]);
      expect(r.stderr.trimEnd(), argv.join(" ")).toMatch(msg);
      expect(r.stderr.trim().split("\n").length).toBe(1);
    }
  });
});

describe("the translate_va op of s2pt replay", () => {
  it("the examples' results", () => {
    const fb = JSON.parse(runCli(["replay", ex("guest-framebuffer-nc.json")]).stdout);
    expect(fb.ops.slice(2)).toEqual([
      { ipa: "0x10001040", pa: "0x1000001040", s1_level: 3, s2_level: 2, attr: "0x44", sh: 2, memtype: "Normal-NC" },
      // The kernel's linear map: a 2M block (level 2) of Normal WB (AttrIndx 0, 0xff) over KVM's FWB Normal: 0xff ISH.
      { ipa: "0x40010000", pa: "0x80010000", s1_level: 2, s2_level: 2, attr: "0xff", sh: 3, memtype: "Normal-WB" },
    ]);
    const pt = JSON.parse(runCli(["replay", ex("guest-s1ptw-fault.json")]).stdout);
    expect(pt.ops.slice(2)).toEqual([
      { ipa: "0x40201000", pa: "0x80201000", s1_level: 3, s2_level: 2, attr: "0xff", sh: 3, memtype: "Normal-WB" },
      { ret: 0, events: [["tlbi_ipa", "0x40002000", 3]] },
      { fault: { stage: 2, type: "translation", level: 3, s1ptw: true, fsc: "0x7", esr_el2: "0x92000087", hpfar: "0x400020" } },
      // A write: WnR set as well (0x40).
      { fault: { stage: 2, type: "translation", level: 3, s1ptw: true, fsc: "0x7", esr_el2: "0x920000c7", hpfar: "0x400020" } },
    ]);
    // The kernel ops are unaffected: the dump is the table the kernel would have built.
    expect(pt.dump.length).toBeGreaterThan(0);
  });

  it("a stage-1 fault result", () => {
    const p = scenarioFile({ config: CONFIG, ops: [POOL_MAP, { op: "translate_va", va: "0xffffff8000000000", access: "w", el: 0 }], guest: GUEST });
    // AP 00 (no EL0 access), EL0 write: Permission, level 3; EC 0x24: 0x92000000 | WnR 0x40 | 0x0f.
    const j = JSON.parse(runCli(["replay", p]).stdout);
    expect(j.ops[1]).toEqual({ fault: { stage: 1, type: "permission", level: 3, fsc: "0xf", esr_el1: "0x9200004f" } });
  });

  it("refuses a bad guest section or translate_va op, naming the JSON path", () => {
    const m0 = GUEST.mappings[0];
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ guest: { ...GUEST, foo: 1 } }, /^s2pt: .*: guest: unknown field 'foo' \(allowed: tcr, mair, sctlr, hcr, ttbr0, ttbr1, table_pool, mappings\)$/],
      [{ guest: { ...GUEST, mair: undefined } }, /guest: missing field 'mair'/],
      [{ guest: { ...GUEST, tcr: { ...GUEST.tcr, t0sz: 12 } } }, /guest\.tcr\.t0sz: 12 is outside 16\.\.39/],
      [{ guest: { ...GUEST, tcr: { ...GUEST.tcr, ips: 50 } } }, /guest\.tcr\.ips: 50 is not an IPS size/],
      [{ guest: { ...GUEST, tcr: { ...GUEST.tcr, tg0: 8192 } } }, /guest\.tcr\.tg0: expected 4096, 16384 or 65536, got 8192/],
      [{ guest: { ...GUEST, tcr: "0x800000000000000" } }, /guest\.tcr: bit 59, DS \(FEAT_LPA2\), is set: s2pt does not model it/],
      [{ guest: { ...GUEST, sctlr: { m: "yes" } } }, /guest\.sctlr\.m: expected true or false, got a string/],
      [{ guest: { ...GUEST, hcr: { dct: true } } }, /guest\.hcr\.dct: HCR_EL2\.DCT has an effect only with DC = 1/],
      [{ guest: { ...GUEST, table_pool: undefined } }, /guest: mappings need a table_pool/],
      [{ guest: { ...GUEST, table_pool: { ipa: "0x40000800", size: "0x1000" } } }, /guest\.table_pool: ipa and size must be non-zero multiples of 4K/],
      [
        { guest: { ...GUEST, mappings: [{ ...m0, va: "0xffff000000000000" }] } },
        /guest\.mappings\[0\]: VA 0xffff000000000000\.\.0xffff000000000fff is outside the TTBR1 region 0xffffff8000000000\.\.0xffffffffffffffff/,
      ],
      [
        { guest: { ...GUEST, mappings: [{ ...m0, ipa: "0x40000800" }] } },
        /guest\.mappings\[0\]: va, size and ipa must be multiples of the TTBR1 granule \(4K\)/,
      ],
      [{ guest: { ...GUEST, mappings: [{ ...m0, attrindx: 8 }] } }, /guest\.mappings\[0\]\.attrindx: 8 is outside 0\.\.7/],
      [
        { guest: { ...GUEST, mappings: [{ ...m0, ipa: "0x10000000000" }] } },
        /guest\.mappings\[0\]: IPA 0x10000000000\.\.0x10000000fff is beyond the 40-bit stage-1 output size/,
      ],
      [
        { guest: { ...GUEST, mappings: [{ ...m0, level: 1 }] } },
        /guest\.mappings\[0\]\.level: va, size and ipa must be multiples of 0x40000000 for level-1 blocks/,
      ],
      [{ guest: { ...GUEST, mappings: [{ ...m0, colour: 1 }] } }, /guest\.mappings\[0\]: unknown field 'colour'/],
      [{ ops: [POOL_MAP, { op: "translate_va", va: "0x0", access: "r" }], guest: undefined }, /ops\[1\]: translate_va needs a top-level 'guest' section/],
      [{ ops: [POOL_MAP, { op: "translate_va", va: "0xzz", access: "r" }] }, /ops\[1\]\.va: '0xzz' is not a 0x-prefixed hex number/],
      [{ ops: [POOL_MAP, { op: "translate_va", va: "0x0", access: "r", ipa: "0x0" }] }, /ops\[1\]: unknown field 'ipa'/],
      // Built at the first translate_va: the pool must be mapped at stage 2 by then.
      [
        { ops: [{ op: "translate_va", va: "0x0", access: "r" }] },
        /ops\[0\] translate_va: a table-pool page at IPA 0x40000000 is not mapped at stage 2 when the guest tables are written/,
      ],
      [
        { guest: { ...GUEST, mappings: [m0, { ...m0 }] }, ops: [POOL_MAP, { op: "translate_va", va: "0x0", access: "r" }] },
        /guest\.mappings\[1\]: VA 0x0 is already mapped by the guest tables \(level 3\)/,
      ],
      [
        { guest: { ...GUEST, table_pool: { ipa: "0x40000000", size: "0x2000" } }, ops: [POOL_MAP, { op: "translate_va", va: "0x0", access: "r" }] },
        /ops\[1\] translate_va: the table pool \(0x40000000, 0x2000 bytes\) is exhausted after 2 table pages/,
      ],
    ];
    for (const [over, msg] of bad) {
      const doc: Record<string, unknown> = {
        config: CONFIG,
        ops: [POOL_MAP, { op: "translate_va", va: "0xffffff8000000000", access: "r" }],
        guest: GUEST,
        ...over,
      };
      const r = runCli(["replay", scenarioFile(doc)]);
      expect([r.code, r.stdout], JSON.stringify(over)).toEqual([2, ""]);
      expect(r.stderr.trimEnd(), JSON.stringify(over)).toMatch(msg);
    }
  });
});

describe("s2pt decode --stage1", () => {
  it("decodes a guest's stage-1 descriptor, naming the MAIR byte of its AttrIndx", () => {
    // The framebuffer leaf: page 0x10001000, AttrIndx 2, AP 00, SH 11, AF, PXN (bit 53), UXN (bit 54).
    const r = runCli(["decode", "0x6000001000170b", "--stage1", "--level", "3", "--mair", "0x000000040044f0ff"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("0x6000001000170b  page -> 0x10001000, AttrIndx 2 (0x44), AP 00, SH ISH, AF, PXN, UXN");
    expect(r.stdout).toMatch(/AttrIndx +\[4:2\] +0x2 +MAIR_EL1\.Attr2 = 0x44/);
    const j = JSON.parse(runCli(["decode", "0xf800000040002003", "--stage1", "--level", "1", "--json"]).stdout);
    expect(j.kind).toBe("table");
    expect(j.fields.map((f: { name: string }) => f.name)).toEqual(["VALID", "TYPE", "next-level table", "PXNTable", "UXNTable", "APTable", "NSTable"]);
    expect(runCli(["decode", "0x1", "--mair", "0x1"]).stderr).toMatch(/^s2pt: --mair: only with --stage1/);
    expect(runCli(["decode", "0x1", "--stage1", "--level", "-1"]).stderr).toMatch(/^s2pt: --level: -1 is out of range \(0\.\.3\)/);
  });
});
