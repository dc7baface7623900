// src/stage1/describe.ts: one two-stage translation told in full (walkVa,
// formatNestedReport: what `s2pt walk --va` prints, nestedReportJson). The
// facts in every expected line are worked by hand here: the guest of
// test/helpers-guest.ts (4K granule, T0SZ = T1SZ = 25: 39-bit VAs, start
// level 1, shifts 30/21/12; TCR_EL1 = T0SZ 0x19 | T1SZ 0x19 << 16 | TG1 4K
// 0b10 << 30 | IPS 0b010 << 32 = 0x280190019; Linux's MAIR_EL1
// 0x40044f0ff), its table pool at IPA 0x40000000 mapped at PA 0x80010000
// (IPA + 0x40010000), the builder's tables in pool order (root, level 2,
// level 3). Syndromes per the Arm ARM ESR_ELx: EC 0x24/0x25 Data Abort from
// a lower EL / the same EL, 0x20 Instruction Abort from a lower EL, IL bit
// 25, S1PTW bit 7, WnR bit 6, xFSC Translation 0b0001LL, Permission
// 0b0011LL; HPFAR_EL2.FIPA = IPA[51:12] at bits 43:4, UNKNOWN for a stage-2
// Permission fault on the final access (ASL IPAValid). Stage 1 disabled
// (AArch64_S1DisabledOutput): Device-nGnRnE for data, Normal WT (I = 1) or
// NC (I = 0) for fetches, Outer Shareable. Written for the surviving mutants
// of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { guestJson, setup, rewalk } from "../helpers-guest.js";
import { formatNestedReport, nestedReportJson, walkVa, type NestedReport } from "../../src/stage1/describe.js";
import { NestedWalker } from "../../src/stage1/walk.js";
import { GuestMemory } from "../../src/stage1/memory.js";
import { PhysMemory } from "../../src/pgtable/physmem.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../../src/walker/fault.js";
import type { CombineResult } from "../../src/mair/combine.js";

const MAP: Array<[number, number, number, string]> = [[0x50000000, 0x1000, 0x90000000, "R|W"]];
const one = (m: Record<string, unknown> = {}, g: Record<string, unknown> = {}): Record<string, unknown> =>
  guestJson({ mappings: [{ va: "0x1000", size: "0x1000", ipa: "0x50000000", attrindx: 0, ...m }], ...g });
const combineText = (c: CombineResult): string => `COMBINE ${c.memtype}\n\nEND`;
const lines = (nw: NestedWalker, r: NestedReport): string[] => formatNestedReport(nw, r, combineText).split("\n");

describe("a successful two-stage read: VA 0x1000 -> IPA 0x50000000 -> PA 0x90000000", () => {
  // Built inside each test: Stryker's per-test coverage counts only what a test runs.
  const ok = (): { s: ReturnType<typeof setup>; r: NestedReport } => {
    const s = setup(one(), MAP);
    return { s, r: walkVa(s.nw, 0x1000n, ACCESS_READ, 1) };
  };
  it("the report", () => {
    const { s, r } = ok();
    expect(r).toMatchObject({ va: "0x1000", access: "r", el: 1, s1Enabled: true, s1Why: "SCTLR_EL1.M = 1", region: 0, tableBase: "0x40000000", oaBits: 40 });
    expect(r.geometry).toMatchObject({ region: 0, startLevel: 1 });
    // Level 1 [0] at IPA 0x40000000, level 2 [0] at 0x40001000, level 3 [1] at 0x40002008.
    expect(r.steps.map((x) => [x.level, x.tableIpa, x.index, x.entryIpa, x.entryPa, x.descriptor])).toEqual([
      [1, "0x40000000", 0, "0x40000000", "0x80010000", "0x40001003"],
      [2, "0x40001000", 0, "0x40001000", "0x80011000", "0x40002003"],
      [3, "0x40002000", 1, "0x40002008", "0x80012008", "0x50000703"],
    ]);
    expect(r.steps[2].summary).toMatch(/^page -> 0x50000000, AttrIndx 0 \(0xff\), AP 00, SH ISH, AF/);
    // The stage-2 walks of the entries are reads (AccessType_TTW) at EL1; the final one the access's own.
    expect(r.steps.map((x) => x.s2?.ipa)).toEqual(["0x40000000", "0x40001000", "0x40002008"]);
    expect(r.steps.map((x) => x.s2?.access)).toEqual(["r", "r", "r"]);
    expect(r.final?.ipa).toBe("0x50000000");
    expect(r.update).toBeNull();
    expect(r.hwUpdates).toEqual([]);
    expect(r.leaf).toEqual({
      level: 3,
      kind: "page",
      size: "0x1000",
      descriptor: "0x50000703",
      attrIndx: 0,
      mairAttr: 0xff,
      mairText: expect.stringMatching(/^Normal/),
      sh: 3,
      ap: 0,
      apText: expect.any(String),
      af: true,
      ng: false,
      pxn: false,
      uxn: false,
      apTable: 0,
      pxnTable: false,
      uxnTable: false,
      read: true,
      write: true,
      execute: true,
    });
    expect([r.ipa, r.pa, r.s1Attr, r.s1Sh]).toEqual(["0x50000000", "0x90000000", 0xff, 3]);
    expect(r.s1AttrFrom).toBe("MAIR_EL1.Attr0 (AttrIndx 0 of the stage-1 leaf), SH from the leaf");
    expect(r.memtype?.memtype).toBe("Normal-WB");
    expect(r.fault).toBeNull();
    // The walker is left as it was found: not tracing, no hook.
    expect(s.nw.tracing).toBe(false);
    expect(s.nw.s2Hook).toBeNull();
  });

  it("the text", () => {
    const { s, r } = ok();
    const L = lines(s.nw, r);
    expect(L.slice(0, 5)).toEqual([
      "VA 0x1000, data read at EL1",
      "  guest: SCTLR_EL1 M 1 C 1 I 1 WXN 0; HCR_EL2 DC 0 DCT 0 CD 0 ID 0 PTW 0 FWB 1",
      "         TCR_EL1 0x280190019, MAIR_EL1 0x40044f0ff, TTBR0_EL1 0x40000000, TTBR1_EL1 0x0",
      "  stage 2: 4K granule, 40-bit IPA, start level 1, PS 48-bit; VTCR_EL2.HA 1",
      "stage 1: TTBR0: 4K granule, 39-bit VA (T0SZ 25), start level 1 (512 root entries); root table at IPA 0x40000000; output size 40-bit (TCR_EL1.IPS 40)",
    ]);
    expect(L).toContain("  level 1: table IPA 0x40000000 [0] @ IPA 0x40000000");
    expect(L).toContain("  level 3: table IPA 0x40002000 [1] @ IPA 0x40002008");
    expect(L.filter((l) => l === "    stage 2 of the entry's IPA (a table-walk read):")).toHaveLength(3);
    expect(L).toContain(`    read at PA 0x80012008: 0x50000703  ${r.steps[2].summary}`);
    expect(L).toContain("    read at PA 0x80010000: 0x40001003  table descriptor -> next-level table at 0x40001000");
    // Stage-2 walk lines under each entry: indented by 4 more, no ESR/HPFAR lines, no header lines.
    const i = L.indexOf("  level 1: table IPA 0x40000000 [0] @ IPA 0x40000000");
    expect(L[i + 2]).toMatch(/^ {6}level 1: table 0x[0-9a-f]+ \(root 0\) \[1\] @ /);
    expect(L[i + 3]).toMatch(/^ {6}level 2: table 0x[0-9a-f]+ \[/);
    expect(L.some((l) => /ESR_EL2|HPFAR_EL2|^ +IPA 0x40000000, data read/.test(l))).toBe(false);
    expect(L).toContain(`  leaf: level-3 page of 0x1000 bytes; AttrIndx 0 -> MAIR_EL1.Attr0 = 0xff (${r.leaf?.mairText}); SH ISH`);
    expect(L).toContain(`        AP 00 (${r.leaf?.apText}), PXN 0, UXN 0, AF 1, nG 0: EL1 read yes, write yes, execute yes`);
    expect(L).toContain("IPA 0x50000000");
    expect(L).toContain("  stage-1 attributes: 0xff, SH ISH: MAIR_EL1.Attr0 (AttrIndx 0 of the stage-1 leaf), SH from the leaf");
    expect(L).toContain("  stage 2 of the IPA (the data read itself):");
    const j = L.indexOf("  stage 2 of the IPA (the data read itself):");
    expect(L[j + 1]).toMatch(/^ {4}level 1: table /);
    expect(L.slice(-6)).toEqual([
      "PA 0x90000000",
      "",
      "memory type (stage 1 combined with the stage-2 leaf, src/mair per the Arm ASL):",
      "  COMBINE Normal-WB",
      "",
      "  END",
    ]);
  });

  it("the JSON", () => {
    const { r } = ok();
    const j = nestedReportJson(r) as Record<string, Record<string, unknown>>;
    expect(j.stage1).toMatchObject({
      enabled: true,
      why: "SCTLR_EL1.M = 1",
      region: "TTBR0",
      granule: 4096,
      start_level: 1,
      table: "0x40000000",
      output_bits: 40,
    });
    expect((j.stage1.steps as unknown[])[2]).toMatchObject({
      level: 3,
      table_ipa: "0x40002000",
      index: 1,
      entry_ipa: "0x40002008",
      entry_pa: "0x80012008",
      descriptor: "0x50000703",
    });
    expect((j.stage1.steps as Array<Record<string, unknown>>)[2].s2).toMatchObject({ ipa: "0x40002008" });
    expect(j.stage1.leaf).toEqual({
      level: 3,
      kind: "page",
      size: "0x1000",
      descriptor: "0x50000703",
      attrindx: 0,
      mair_attr: "0xff",
      sh: 3,
      sh_name: expect.stringMatching(/Inner/),
      ap: 0,
      af: true,
      ng: false,
      pxn: false,
      uxn: false,
      ap_table: 0,
      pxn_table: false,
      uxn_table: false,
      read: true,
      write: true,
      execute: true,
    });
    expect(j).toMatchObject({ va: "0x1000", access: "r", el: 1, ipa: "0x50000000", s1_attr: "0xff", s1_sh: 3, pa: "0x90000000", update: null, fault: null });
    expect(j.s2).toMatchObject({ ipa: "0x50000000" });
    expect(j.memtype).toMatchObject({ memtype: "Normal-WB" });
  });
});

describe("faults, as the report and the text give them", () => {
  it("a stage-1 Permission fault (AP 10, read-only, written at EL1): to EL1, ESR_EL1 EC 0x25, WnR 1, DFSC 0x0f", () => {
    const s = setup(one({ ap: 2 }), MAP);
    const r = walkVa(s.nw, 0x1000n, ACCESS_WRITE, 1);
    // ESR_EL1 = 0x25 << 26 | IL | WnR | 0x0f = 0x9600004f.
    expect(r.fault).toMatchObject({ stage: 1, type: "permission", level: 3, esr: 0x9600004f, wnr: true, far: "0x1000" });
    expect(r.ipa).toBeNull();
    expect(r.pa).toBeNull();
    const L = lines(s.nw, r);
    expect(L[0]).toBe("VA 0x1000, data write at EL1");
    expect(L.at(-2)).toMatch(/^stage-1 .*, level 3: taken to EL1 \(the guest handles it\)$/);
    expect(L.at(-1)).toBe("  ESR_EL1 0x9600004f: EC 0x25 (Data Abort without a change of Exception level), IL 1, ISV 0, WnR 1, DFSC 0xf; FAR_EL1 0x1000");
    expect(nestedReportJson(r).fault).toEqual({
      stage: 1,
      type: "permission",
      level: 3,
      fsc: "0xf",
      ec: "0x25",
      esr_el1: "0x9600004f",
      wnr: true,
      far_el1: "0x1000",
    });
  });

  it("an EL0 instruction fetch the stage-1 leaf forbids (UXN): IFSC, no WnR, EC 0x20... to EL1: Instruction Abort from a lower EL", () => {
    const s = setup(one({ uxn: true, ap: 1 }), MAP);
    const r = walkVa(s.nw, 0x1000n, ACCESS_EXEC, 0);
    // EC 0x20 (from EL0): 0x20 << 26 | IL | 0x0f = 0x8200000f.
    const L = lines(s.nw, r);
    expect(L[0]).toBe("VA 0x1000, instruction fetch at EL0");
    expect(L.at(-1)).toBe("  ESR_EL1 0x8200000f: EC 0x20 (Instruction Abort from a lower Exception level), IL 1, ISV 0, IFSC 0xf; FAR_EL1 0x1000");
    expect(L).toContain(`        AP 01 (${String(r.leaf?.apText)}), PXN 0, UXN 1, AF 1, nG 0: EL0 read yes, write yes, execute no`);
  });

  it("a stage-2 fault on the stage-1 table walk (the pool write-only): to EL2, S1PTW 1, the entry's IPA in HPFAR_EL2", () => {
    const s = setup(one(), MAP, {}, { poolProt: "W" });
    const r = walkVa(s.nw, 0x1000n, ACCESS_READ, 1);
    // ESR_EL2 = 0x24 << 26 | IL | S1PTW | Permission level 3 (0x0f) = 0x9200008f; HPFAR = 0x40000000 >> 12 << 4.
    expect(r.fault).toMatchObject({
      stage: 2,
      type: "permission",
      level: 3,
      s1ptw: true,
      esr: 0x9200008f,
      far: "0x1000",
      ipa: "0x40000000",
      s1Level: 1,
      onUpdate: false,
    });
    expect(r.ipa).toBeNull();
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0].entryPa).toBeNull();
    expect(r.steps[0].descriptor).toBeNull();
    const L = lines(s.nw, r);
    expect(L.slice(-3)).toEqual([
      "stage-2 permission fault, level 3, on the stage-1 table walk (the level-1 entry at IPA 0x40000000): taken to EL2 (the hypervisor handles it)".replace(
        "permission fault",
        String(r.fault?.title),
      ),
      "  ESR_EL2 0x9200008f: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 1, WnR 0, DFSC 0xf; FAR_EL2 0x1000",
      "  HPFAR_EL2 0x400000 (FIPA = IPA[51:12] = 0x40000)",
    ]);
    expect(nestedReportJson(r).fault).toEqual({
      stage: 2,
      type: "permission",
      level: 3,
      s1ptw: true,
      on_update: false,
      s1_level: 1,
      ipa: "0x40000000",
      fsc: "0xf",
      ec: "0x24",
      esr_el2: "0x9200008f",
      wnr: false,
      hpfar_valid: true,
      hpfar_el2: "0x400000",
      far_el2: "0x1000",
    });
  });

  it("a stage-2 Permission fault on the final access (a fetch from XN memory at EL1): HPFAR_EL2 UNKNOWN; the IPA reported", () => {
    // Stage 2 maps the page R|W (no X: XN). EC 0x20 (from EL1 to EL2: a lower EL), IFSC Permission level 3.
    const s = setup(one(), MAP);
    const r = walkVa(s.nw, 0x1000n, ACCESS_EXEC, 1);
    expect(r.ipa).toBe("0x50000000");
    expect(r.s1AttrFrom).toMatch(/^MAIR_EL1\.Attr0/);
    expect(r.pa).toBeNull();
    const L = lines(s.nw, r);
    expect(L.slice(-3)).toEqual([
      `stage-2 ${r.fault?.title}, level 3 on the IPA 0x50000000: taken to EL2 (the hypervisor handles it)`,
      "  ESR_EL2 0x8200000f: EC 0x20 (Instruction Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, IFSC 0xf; FAR_EL2 0x1000",
      "  HPFAR_EL2 UNKNOWN: not valid for a stage-2 Permission fault on the final access (ASL IPAValid)",
    ]);
    expect(L).toContain("  stage 2 of the IPA (the instruction fetch itself):");
  });

  it("a stage-2 Translation fault on the output IPA (not mapped): HPFAR_EL2 valid, the write's WnR", () => {
    const s = setup(one(), []);
    const r = walkVa(s.nw, 0x1000n, ACCESS_WRITE, 1);
    expect(r.fault).toMatchObject({ stage: 2, s1ptw: false, hpfarValid: true, wnr: true });
    const L = lines(s.nw, r);
    expect(L.at(-1)).toBe("  HPFAR_EL2 0x500000 (FIPA = IPA[51:12] = 0x50000)");
    expect(L.at(-2)).toMatch(
      /^ {2}ESR_EL2 0x920000[0-9a-f]{2}: EC 0x24 \(Data Abort from a lower Exception level\), IL 1, ISV 0, S1PTW 0, WnR 1, DFSC 0x[4-7]; FAR_EL2 0x1000$/,
    );
  });
});

describe("hardware updates of the stage-1 leaf (TCR_EL1.HA/HD) and table attributes", () => {
  it("HA: an AF = 0 leaf, read: AF set by a write to the entry's IPA, translated by stage 2 first", () => {
    const s = setup(one({ af: false }, { tcr: { t0sz: 25, t1sz: 25, tg0: 4096, tg1: 4096, ips: 40, ha: true } }), MAP);
    const r = walkVa(s.nw, 0x1000n, ACCESS_READ, 1);
    expect(r.hwUpdates).toEqual(["AF"]);
    expect(r.update?.ipa).toBe("0x40002008");
    expect(r.update?.access).toBe("w");
    const L = lines(s.nw, r);
    expect(L).toContain("  hardware update of the leaf (TCR_EL1.HA): a write to its entry at IPA 0x40002008, translated by stage 2 first:");
    // The leaf as updated: 0x50000303 | AF (0x400).
    expect(L).toContain("    the hardware set AF: leaf now 0x50000703");
    const j = nestedReportJson(r);
    expect(j.update).toMatchObject({ hw_updates: ["AF"], s2: { ipa: "0x40002008" } });
  });

  it("HA/HD: a write to a DBM leaf (AP[2] = 1): AP[2] cleared, named dirty", () => {
    // DBM is bit 51 of the descriptor: given as a raw page.
    const s = setup(
      guestJson({
        tcr: { t0sz: 25, t1sz: 25, tg0: 4096, tg1: 4096, ips: 40, ha: true, hd: true },
        descriptors: [{ va: "0x1000", level: 3, pte: "0x8000050000783" }],
      }),
      MAP,
    );
    const r = walkVa(s.nw, 0x1000n, ACCESS_WRITE, 1);
    expect(r.hwUpdates).toEqual(["dirty (AP[2] cleared)"]);
    const L = lines(s.nw, r);
    expect(L).toContain("  hardware update of the leaf (TCR_EL1.HA/HD): a write to its entry at IPA 0x40002008, translated by stage 2 first:");
    expect(L).toContain("    the hardware set dirty (AP[2] cleared): leaf now 0x8000050000703");
  });

  it("APTable, PXNTable and UXNTable from a table descriptor; SCTLR_EL1.WXN shown", () => {
    // Level-1 table at IPA 0x40008000 with PXNTable (bit 59), UXNTable (60), APTable 0b01 (61): EL0 no access.
    const pte = "0x" + (0x40008003n | (1n << 59n) | (1n << 60n) | (1n << 61n)).toString(16);
    const s = setup(one({}, { descriptors: [{ va: "0x0", level: 1, pte }], sctlr: { wxn: true } }), MAP);
    const r = walkVa(s.nw, 0x1000n, ACCESS_READ, 1);
    expect(r.leaf).toMatchObject({ apTable: 1, pxnTable: true, uxnTable: true, execute: false });
    const L = lines(s.nw, r);
    expect(L).toContain(
      `        AP 00 (${r.leaf?.apText}), PXN 0, UXN 0, AF 1, nG 0; from the tables: APTable 01, PXNTable, UXNTable, SCTLR_EL1.WXN: EL1 read yes, write yes, execute no`,
    );
    expect(L[1]).toBe("  guest: SCTLR_EL1 M 1 C 1 I 1 WXN 1; HCR_EL2 DC 0 DCT 0 CD 0 ID 0 PTW 0 FWB 1");
    expect(nestedReportJson(r).stage1).toMatchObject({ leaf: { ap_table: 1, pxn_table: true, uxn_table: true } });
  });
});

describe("stage 1 disabled, and stage 2 off", () => {
  const mk = (): ReturnType<typeof setup> => setup(one(), [[0x1000, 0x1000, 0x91000000, "R|W|X"]]);
  it("SCTLR_EL1.M = 0: IPA = VA; a data access is Device-nGnRnE, a fetch Normal WT (I = 1) or NC (I = 0)", () => {
    const s = mk();
    const nw = rewalk(s, (c) => ({ ...c, sctlr: { ...c.sctlr, m: false } }));
    const r = walkVa(nw, 0x1000n, ACCESS_READ, 1);
    expect(r).toMatchObject({ s1Enabled: false, region: null, geometry: null, tableBase: null, oaBits: null, leaf: null, ipa: "0x1000", pa: "0x91000000" });
    expect(r.steps).toEqual([]);
    expect(r.s1Why).toBe("SCTLR_EL1.M = 0: stage 1 disabled (AArch64_S1Enabled)");
    expect(r.s1AttrFrom).toBe("AArch64_S1DisabledOutput for a data access: Device-nGnRnE, Outer Shareable (as MAIR byte 0x00)");
    const L = lines(nw, r);
    expect(L).toContain("stage 1 disabled (SCTLR_EL1.M = 0: stage 1 disabled (AArch64_S1Enabled)): IPA = VA (AArch64_S1DisabledOutput)");
    expect(L).toContain("  stage-1 attributes: 0x00, SH OSH: AArch64_S1DisabledOutput for a data access: Device-nGnRnE, Outer Shareable (as MAIR byte 0x00)");
    expect(nestedReportJson(r)).toMatchObject({ stage1: { enabled: false, region: null, granule: null, start_level: null, leaf: null }, s1_attr: "0x00" });
    expect(walkVa(nw, 0x1000n, ACCESS_EXEC, 1).s1AttrFrom).toBe(
      "AArch64_S1DisabledOutput for an instruction fetch: Normal Write-Through Read-Allocate (SCTLR_EL1.I = 1), as MAIR byte 0xaa, Outer Shareable",
    );
    const noI = rewalk(s, (c) => ({ ...c, sctlr: { ...c.sctlr, m: false, i: false } }));
    expect(walkVa(noI, 0x1000n, ACCESS_EXEC, 1).s1AttrFrom).toBe(
      "AArch64_S1DisabledOutput for an instruction fetch: Normal Non-cacheable (SCTLR_EL1.I = 0), as MAIR byte 0x44, Outer Shareable",
    );
  });

  it("HCR_EL2.DC = 1: stage 1 behaves as disabled, its output Normal Write-Back Non-shareable", () => {
    const s = mk();
    const nw = rewalk(s, (c) => ({ ...c, hcr: { ...c.hcr, dc: true } }));
    const r = walkVa(nw, 0x1000n, ACCESS_READ, 1);
    expect(r.s1Why).toBe("HCR_EL2.DC = 1: stage 1 behaves as disabled (AArch64_S1Enabled)");
    expect(r.s1AttrFrom).toBe("HCR_EL2.DC = 1: AArch64_S1DisabledOutput gives Normal Write-Back, Non-shareable (the combine's DC rule)");
  });

  it("stage 2 off (HCR_EL2.VM = 0): the tables read at their IPAs as PAs; the memory type is stage 1's alone", () => {
    const s = mk();
    // Hand-written memory: root at 0x40000000, [0] a 1G block at 0 (AttrIndx 0, SH ISH, AF): 0x701.
    const mem = new GuestMemory();
    mem.write64(0x40000000, 0x701, 0);
    const cfg = { ...s.guest.config, ttbr0: 0x40000000n };
    const nw = new NestedWalker(null, mem, cfg, 48);
    const r = walkVa(nw, 0x123n, ACCESS_READ, 1);
    expect(r).toMatchObject({ ipa: "0x123", pa: "0x123", memtype: null, final: null });
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ s2: null, entryPa: "0x40000000", descriptor: "0x701" });
    const L = lines(nw, r);
    expect(L[1]).toBe("  guest: SCTLR_EL1 M 1 C 1 I 1 WXN 0; HCR_EL2 DC 0 DCT 0 CD 0 ID 0 PTW 0, VM 0");
    expect(L[3]).toBe("  stage 2: off (HCR_EL2.VM 0): the PA is the IPA; PAMax 48-bit");
    expect(L).toContain("    stage 2 off: the entry's PA is its IPA");
    expect(L.slice(-3)).toEqual(["PA 0x123", "", `memory type: stage 1's alone (stage 2 off): MAIR Attr 0xff (${r.leaf?.mairText}), SH ISH`]);
    expect(nestedReportJson(r)).toMatchObject({ s2: null, memtype: null, pa: "0x123" });
    // SCTLR_EL1.C = 0: a Normal data access is Non-cacheable; I = 0: a fetch.
    const noC = new NestedWalker(null, mem, { ...cfg, sctlr: { ...cfg.sctlr, c: false } }, 48);
    expect(lines(noC, walkVa(noC, 0x123n, ACCESS_READ, 1)).at(-1)).toMatch(/, SH ISH; SCTLR_EL1\.C = 0 makes a Normal data access Non-cacheable$/);
    const noI = new NestedWalker(null, mem, { ...cfg, sctlr: { ...cfg.sctlr, i: false } }, 48);
    expect(lines(noI, walkVa(noI, 0x123n, ACCESS_EXEC, 1)).at(-1)).toMatch(/, SH ISH; SCTLR_EL1\.I = 0 makes a Normal instruction fetch Non-cacheable$/);
    expect(lines(noI, walkVa(noI, 0x123n, ACCESS_READ, 1)).at(-1)).toMatch(/, SH ISH$/);
    // A walk whose entry is not in memory image... a guest memory reads zero: a Translation fault at level 1, to EL1.
    const miss = walkVa(nw, 0x40000000n, ACCESS_READ, 1);
    expect(miss.fault).toMatchObject({ stage: 1, type: "translation", level: 1 });
    expect(miss.steps[0]).toMatchObject({ entryPa: "0x40000008", descriptor: "0x0" });
  });
});

describe("arguments", () => {
  // Built inside each test: Stryker's per-test coverage counts only what a test runs.
  const ok = (): { s: ReturnType<typeof setup>; r: NestedReport } => {
    const s = setup(one(), MAP);
    return { s, r: walkVa(s.nw, 0x1000n, ACCESS_READ, 1) };
  };
  it("walkVa, formatNestedReport and nestedReportJson refuse what they cannot read, by name", () => {
    const { s, r } = ok();
    expect(() => walkVa({} as never, 0n, 0, 1)).toThrow(/^w: /);
    expect(() => walkVa(s.nw, 1 as never, 0, 1)).toThrow(/^va: /);
    expect(() => walkVa(s.nw, 0n, 3, 1)).toThrow(/^access: /);
    expect(() => walkVa(s.nw, 0n, 0, 2)).toThrow(/^el: /);
    expect(() => formatNestedReport({} as never, r, combineText)).toThrow(/^w: /);
    expect(() => formatNestedReport(s.nw, null as never, combineText)).toThrow(/^r: /);
    expect(() => formatNestedReport(s.nw, r, null as never)).toThrow(/^combineText: /);
    expect(() => nestedReportJson({} as never)).toThrow(/^r\.va: .*walkVa\(\)/);
    expect(() => nestedReportJson({ ...r, region: 2 } as never)).toThrow(/^r\.region: /);
    expect(() => nestedReportJson({ ...r, steps: [{ level: "1", s2: null }] } as never)).toThrow(/^r\.steps\[0\]\.level: .*walkVa\(\)/);
    expect(() => nestedReportJson({ ...r, steps: [{ level: 1, s2: 5 }] } as never)).toThrow(/^r\.steps\[0\]\.s2: /);
    expect(() => nestedReportJson({ ...r, leaf: { mairAttr: 1 } } as never)).toThrow(/^r\.leaf\.sh: .*walkVa\(\)/);
    expect(() => nestedReportJson({ ...r, leaf: { sh: 1 } } as never)).toThrow(/^r\.leaf\.mairAttr: /);
    expect(() => nestedReportJson({ ...r, fault: { stage: 1, fsc: 1, ec: 1 } } as never)).toThrow(/^r\.fault\.esr: .*walkVa\(\)/);
    expect(() => nestedReportJson({ ...r, fault: { fsc: 1, ec: 1, esr: 1 } } as never)).toThrow(/^r\.fault\.stage: /);
    expect(() => nestedReportJson({ ...r, fault: { stage: 1, ec: 1, esr: 1 } } as never)).toThrow(/^r\.fault\.fsc: /);
    expect(() => nestedReportJson({ ...r, fault: { stage: 1, fsc: 1, esr: 1 } } as never)).toThrow(/^r\.fault\.ec: /);
    expect(() => nestedReportJson({ ...r, hwUpdates: null } as never)).toThrow(/^r\.hwUpdates: /);
    expect(nestedReportJson({ ...r, region: null }).stage1).toMatchObject({ region: null });
  });
});

describe("more leaves, permissions and paths of the text", () => {
  it("a level-1 block (stage 2 off, hand-written memory): kind block, its size; MAIR Attr 0xf0 is Tagged (FEAT_MTE2), 0x04 printed with two digits", () => {
    const mem = new GuestMemory();
    // root[0]: 1G block at 0, AttrIndx 1 (MAIR 0xf0), SH ISH, AF: 0x705. root[1]: AttrIndx 4 (0x04): 0x40000711.
    mem.write64(0x40000000, 0x705, 0);
    mem.write64(0x40000008, 0x40000711, 0);
    const s = setup(one(), MAP);
    const cfg = { ...s.guest.config, ttbr0: 0x40000000n };
    const nw = new NestedWalker(null, mem, cfg, 48);
    const r = walkVa(nw, 0x123n, ACCESS_READ, 1);
    expect(r.leaf).toMatchObject({ level: 1, kind: "block", size: "0x40000000", mairAttr: 0xf0 });
    expect(r.leaf?.mairText).toMatch(/Tagged/);
    expect(r.leaf?.mairText).not.toMatch(/reserved/i);
    expect(lines(nw, r).at(-1)).toMatch(/^memory type: stage 1's alone \(stage 2 off\): MAIR Attr 0xf0 \(.*Tagged.*\), SH ISH$/);
    expect(lines(nw, r).at(-1)).not.toMatch(/reserved/);
    const d = walkVa(nw, 0x40000123n, ACCESS_READ, 1);
    const L = lines(nw, d);
    expect(L).toContain(`  leaf: level-1 block of 0x40000000 bytes; AttrIndx 4 -> MAIR_EL1.Attr4 = 0x04 (${d.leaf?.mairText}); SH ISH`);
    expect(L.at(-1)).toMatch(/^memory type: stage 1's alone \(stage 2 off\): MAIR Attr 0x04 \(/);
    expect(nestedReportJson(d).stage1).toMatchObject({ leaf: { mair_attr: "0x04", kind: "block" } });
  });

  it("a walk the image cannot finish: the entry's read fails, a stage-1 external abort on the walk (level 2), ESR_EL1 DFSC 0x16", () => {
    // A memory image holding only the root table: root[0] -> a level-2 table at 0x50000000 the image does not hold.
    const img = new PhysMemory(true);
    img.write64(0x40000000, 0x50000003, 0);
    const s = setup(one(), MAP);
    const nw = new NestedWalker(null, img, { ...s.guest.config, ttbr0: 0x40000000n }, 48);
    const r = walkVa(nw, 0x1000n, ACCESS_READ, 1);
    expect(r.steps.map((x) => [x.level, x.entryPa, x.descriptor])).toEqual([
      [1, "0x40000000", "0x50000003"],
      [2, "0x50000000", null],
    ]);
    expect(r.leaf).toBeNull();
    const L = lines(nw, r);
    expect(L).toContain("    read at PA 0x50000000: failed, the image does not hold it");
    // ESR_EL1 = 0x25 << 26 | IL | 0x16 (synchronous external abort on a walk, level 2).
    expect(L.slice(-3)).toEqual([
      `stage-1 ${String(r.fault?.title)}, level 2: taken to EL1 (the guest handles it)`,
      "  ESR_EL1 0x96000016: EC 0x25 (Data Abort without a change of Exception level), IL 1, ISV 0, WnR 0, DFSC 0x16; FAR_EL1 0x1000",
      "  the walk's read of the entry failed: the image holds no memory at its PA (ASL FetchDescriptor -> HandleExternalTTWAbort); ESR.EA is IMPLEMENTATION DEFINED (0 here)",
    ]);
  });

  it("a stage-1 fault of a walk with stage 2 off is told as a fault, not as a PA; no leaf where the walk found none", () => {
    const mem = new GuestMemory();
    const s = setup(one(), MAP);
    const nw = new NestedWalker(null, mem, { ...s.guest.config, ttbr0: 0x40000000n }, 48);
    const r = walkVa(nw, 0x1000n, ACCESS_READ, 1);
    expect(r.leaf).toBeNull();
    const L = lines(nw, r);
    expect(L.at(-1)).toMatch(/^ {2}ESR_EL1 0x96000005: /);
    expect(L.some((l) => l.startsWith("PA ") || l.startsWith("memory type"))).toBe(false);
  });

  it("EL1 fetch from a PXN page: EC 0x21 (Instruction Abort without a change of EL); the leaf's descriptor with bits above 31 read whole", () => {
    const s = setup(one({ pxn: true, ng: true }), MAP);
    const r = walkVa(s.nw, 0x1000n, ACCESS_EXEC, 1);
    // PXN bit 53, nG 0x800, AF, SH 3, page: 0x20000050000f03.
    expect(r.steps[2].descriptor).toBe("0x20000050000f03");
    expect(r.leaf).toMatchObject({ pxn: true, ng: true, execute: false, read: true });
    expect(lines(s.nw, r).at(-1)).toBe(
      "  ESR_EL1 0x8600000f: EC 0x21 (Instruction Abort without a change of Exception level), IL 1, ISV 0, IFSC 0xf; FAR_EL1 0x1000",
    );
    // The stage-1 fault: no IPA line.
    expect(lines(s.nw, r).some((l) => l.startsWith("IPA "))).toBe(false);
  });

  it("an EL0 read of an EL1-only page (AP 00): no read; a read-only page (AP 10): no write; an Access flag fault leaves AF 0", () => {
    const s = setup(one(), MAP);
    expect(walkVa(s.nw, 0x1000n, ACCESS_READ, 0).leaf).toMatchObject({ read: false, write: false });
    const ro = setup(one({ ap: 2 }), MAP);
    expect(walkVa(ro.nw, 0x1000n, ACCESS_READ, 1).leaf).toMatchObject({ read: true, write: false });
    const af = setup(one({ af: false }), MAP);
    const r = walkVa(af.nw, 0x1000n, ACCESS_READ, 1);
    expect(r.fault).toMatchObject({ stage: 1, type: "access_flag" });
    expect(r.leaf?.af).toBe(false);
  });

  it("the stage-2 walks: table reads are reads at EL1 (AccessType_TTW) whatever the access; the final walk the access's own, at its EL", () => {
    const s = setup(one({ ap: 1 }), MAP);
    const r = walkVa(s.nw, 0x1000n, ACCESS_WRITE, 0);
    expect(r.steps.map((x) => [x.s2?.access, x.s2?.el])).toEqual([
      ["r", 1],
      ["r", 1],
      ["r", 1],
    ]);
    expect([r.final?.access, r.final?.el]).toEqual(["w", 0]);
    const rd = walkVa(s.nw, 0x1000n, ACCESS_READ, 1);
    expect([rd.final?.access, rd.final?.el]).toEqual(["r", 1]);
  });

  it("table attributes one at a time: PXNTable alone, APTable alone", () => {
    const t = (bits: bigint): string => "0x" + (0x40008003n | bits).toString(16);
    const pxn = setup(one({}, { descriptors: [{ va: "0x0", level: 1, pte: t(1n << 59n) }] }), MAP);
    const rp = walkVa(pxn.nw, 0x1000n, ACCESS_READ, 1);
    expect(lines(pxn.nw, rp).find((l) => l.startsWith("        AP "))).toMatch(/, nG 0; from the tables: APTable 00, PXNTable: EL1 read yes/);
    const ap = setup(one({}, { descriptors: [{ va: "0x0", level: 1, pte: t(1n << 62n) }] }), MAP);
    const ra = walkVa(ap.nw, 0x1000n, ACCESS_READ, 1);
    // APTable 0b10: no write at any EL.
    expect(lines(ap.nw, ra).find((l) => l.startsWith("        AP "))).toMatch(/, nG 0; from the tables: APTable 10: EL1 read yes, write no, execute yes$/);
  });

  it("the stage-2 lines under the update and under a faulting table walk; a fault on the update; AF and dirty together", () => {
    // HA/HD, a DBM page with AF 0 and AP[2] 1 (0x8000050000383), written: both updated, one walk for the update.
    const tcr = { t0sz: 25, t1sz: 25, tg0: 4096, tg1: 4096, ips: 40, ha: true, hd: true };
    const both = setup(guestJson({ tcr, descriptors: [{ va: "0x1000", level: 3, pte: "0x8000050000383" }] }), MAP);
    const r = walkVa(both.nw, 0x1000n, ACCESS_WRITE, 1);
    const L = lines(both.nw, r);
    const u = L.findIndex((l) => l.startsWith("  hardware update of the leaf"));
    expect(L[u + 1]).toMatch(/^ {6}level 1: table /);
    expect(L).toContain("    the hardware set AF and dirty (AP[2] cleared): leaf now 0x8000050000703");
    // The pool read-only at stage 2: the update's write to the level-3 entry faults (S1PTW, on the update).
    const ro = setup(guestJson({ tcr, descriptors: [{ va: "0x1000", level: 3, pte: "0x8000050000383" }] }), MAP, {}, { poolProt: "R" });
    const f = walkVa(ro.nw, 0x1000n, ACCESS_WRITE, 1);
    expect(f.hwUpdates).toEqual([]);
    const F = lines(ro.nw, f);
    expect(F.some((l) => l.includes("the hardware set"))).toBe(false);
    expect(F.at(-3)).toMatch(/, on the stage-1 table walk \(the hardware update of the level-3 entry at IPA 0x40002008\): taken to EL2/);
    expect(nestedReportJson(f).fault).toMatchObject({ on_update: true, s1_level: 3 });
    // A faulting stage-2 table walk: its syndrome lines are not repeated under the step, only once at the end.
    const w = setup(one(), MAP, {}, { poolProt: "W" });
    const W = lines(w.nw, walkVa(w.nw, 0x1000n, ACCESS_READ, 1));
    expect(W.filter((l) => l.includes("ESR_EL2")).length).toBe(1);
    expect(W.filter((l) => l.includes("HPFAR_EL2")).length).toBe(1);
    expect(W.some((l) => l.startsWith("    read at PA"))).toBe(false);
  });

  it("a report formatted with another walker: the walker's stage 2 decides how the stage-2 parts are told", () => {
    const on = setup(one(), MAP);
    const rOn = walkVa(on.nw, 0x1000n, ACCESS_READ, 1);
    const mem = new GuestMemory();
    mem.write64(0x40000000, 0x705, 0);
    const off = new NestedWalker(null, mem, { ...on.guest.config, ttbr0: 0x40000000n }, 48);
    const rOff = walkVa(off, 0x123n, ACCESS_READ, 1);
    // A stage-2-off walker over a stage-2-on report: the entries said read at their IPAs, no stage-2 lines.
    const a = lines(off, rOn);
    expect(a.filter((l) => l === "    stage 2 off: the entry's PA is its IPA")).toHaveLength(3);
    expect(a.some((l) => l.includes("stage 2 of the IPA"))).toBe(true);
    // A stage-2-on walker over a stage-2-off report.
    const b = lines(on.nw, rOff);
    expect(b).toContain("    stage 2 off: the entry's PA is its IPA");
    // Its PA is not told as a stage-1-alone memory type by a walker with stage 2 on.
    expect(b.some((l) => l.startsWith("PA ") || l.startsWith("memory type"))).toBe(false);
    // An update report under a stage-2-off walker: the update's stage-2 walk is not told.
    const tcr = { t0sz: 25, t1sz: 25, tg0: 4096, tg1: 4096, ips: 40, ha: true };
    const ha = setup(one({ af: false }, { tcr }), MAP);
    const rHa = walkVa(ha.nw, 0x1000n, ACCESS_READ, 1);
    const c = lines(off, rHa);
    const u = c.findIndex((l) => l.startsWith("  hardware update of the leaf"));
    expect(c[u + 1]).toBe("    the hardware set AF: leaf now 0x50000703");
    // A report with stage 1 on but no geometry: no stage-1 line.
    expect(lines(on.nw, { ...rOn, geometry: null }).some((l) => l.startsWith("stage 1"))).toBe(false);
  });

  it("argument messages name the type expected", () => {
    expect(() => walkVa({} as never, 0n, 0, 1)).toThrow(/^w: .*a NestedWalker/);
    const s = setup(one(), MAP);
    expect(() => formatNestedReport({} as never, walkVa(s.nw, 0x1000n, ACCESS_READ, 1), combineText)).toThrow(/^w: .*a NestedWalker/);
  });
});
