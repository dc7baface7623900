// One stage-2 walk told in full (walkIpa, formatWalkReport, walkReportJson):
// every descriptor read, the leaf's fields, or the fault with its syndrome.
// Every number below is worked out by hand in the comments: the table store
// sits at PA 2^47 (0x800000000000), root pages first, then each new table
// page in the order map() needs it; indices are IPA bit fields; descriptors
// are the fields of arch-attributes.md section 4 (S2AP 7:6, MemAttr 5:2,
// SH 9:8, AF 10, XN 54); FSCs, ECs, ESR and HPFAR as in section 5 (DFSC
// 0b0001LL Translation, 0b0010LL Access flag, 0b0011LL Permission; EC 0x24
// Data Abort / 0x20 Instruction Abort from a lower EL; IL bit 25; WnR bit 6;
// HPFAR_EL2.FIPA = IPA[51:12] in bits 47:4, not valid for a Permission fault).
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_DEVICE, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import { combinedJson, formatWalkReport, walkIpa, walkIpa64, walkReportJson } from "../../src/walker/describe.js";
import { combineS1S2 } from "../../src/mair/combine.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { imageFromBinary, imageFromJson } from "../../src/scenario/image.js";
import { ImageTables, s2WalkParams } from "../../src/walker/image.js";
import { repoRoot } from "../helpers.js";

const CFG = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false } as const;
// 4K, 40-bit IPA: start level 1 over two concatenated root pages (2^40 / 2^39), at 0x800000000000 and ...1000.
const HEAD = "  stage 2: 4K granule, 40-bit IPA (T0SZ 24), start level 1 (2 concatenated root tables), PS 48-bit, FWB 0";

function tables(): KvmPgtable {
  const pgt = new KvmPgtable(CFG);
  // IPA 0x40203000: L1 index 1 (IPA[38:30]), L2 index 1 (IPA[29:21]), L3 index 3 (IPA[20:12]); tables at ...2000 (L2), ...3000 (L3).
  // Leaf: PA 0x87654000 | 0x7c7 (page 0b11, MemAttr 0b0001 Device-nGnRE, S2AP 11, SH 11, AF) | XN (bit 54: hi 0x00400000).
  expect(pgt.map(0x4020_3000, 0x1000, 0x8765_4000, PROT_R | PROT_W | PROT_DEVICE, 0)).toBe(0);
  // IPA 0x80000000: L1 index 2, a new L2 table at ...4000, entry 0 a 2M block: PA 0x100000000 | 0x77d
  // (block 0b01, MemAttr 0b1111, S2AP 01 read-only, SH 11, AF), executable (no XN): 0x10000077d.
  expect(pgt.map(0x8000_0000, 0x20_0000, 0x1_0000_0000, PROT_R | PROT_X, 0)).toBe(0);
  return pgt;
}

const L1 = "  level 1: table 0x800000000000 (root 0) [1] @ 0x800000000008 = 0x800000002003  table descriptor -> next-level table at 0x800000002000";
const L2 = "  level 2: table 0x800000002000 [1] @ 0x800000002008 = 0x800000003003  table descriptor -> next-level table at 0x800000003000";
const L3 = "  level 3: table 0x800000003000 [3] @ 0x800000003018 = 0x400000876547c7  page -> 0x87654000, Device-nGnRE, RW-, AF";

describe("walkIpa and formatWalkReport", () => {
  it("a data read of a Device-nGnRE page, with a stage-1 0xFF ISH combined: Device-nGnRE, 0x04 OSH", () => {
    const pgt = tables();
    const w = new S2Walker(pgt);
    const r = walkIpa(w, 0x4020_3abc, ACCESS_READ, 1, { attr: 0xff, sh: 3 });
    expect(formatWalkReport(w, r).split("\n")).toEqual([
      "IPA 0x40203abc, data read at EL1",
      `${HEAD}, HA 1, HD 0, FEAT_XNX off`,
      L1,
      L2,
      L3,
      "PA 0x87654abc: level-3 page of 0x1000 bytes",
      "  MemAttr 0x1 (FWB off): Device-nGnRE, MT_S2_DEVICE_nGnRE",
      "  SH 0b11 Inner Shareable",
      "  S2AP 0b11, XN 1, AF 1, DBM 0: read yes, write yes, execute EL0 no, EL1 no",
    ]);
    const j = walkReportJson(r);
    expect(j).toMatchObject({
      ipa: "0x40203abc",
      access: "r",
      el: 1,
      vtcr: { ha: 1, hd: 0 },
      feat_xnx: false,
      result: {
        pa: "0x87654abc",
        level: 3,
        kind: "page",
        size: "0x1000",
        descriptor: "0x400000876547c7",
        hw_updates: [],
        s2: {
          memattr: "0x1",
          fwb: false,
          memattr_meaning: "Device-nGnRE",
          memattr_linux: "MT_S2_DEVICE_nGnRE",
          sh: 3,
          sh_from: "descriptor",
          s2ap: 3,
          xn: 2,
          af: true,
          dbm: false,
          read: true,
          write: true,
          exec_el0: false,
          exec_el1: false,
        },
      },
      fault: null,
      stage1: { attr: "0xff", sh: 3 },
      combined: {
        attr: "0x04",
        sh: 2,
        sh_name: "OSH",
        memtype: "Device-nGnRE",
        open: { attr: [], sh: [] },
        permitted: { attr: ["0x04"], sh: [2] },
        fwb: false,
        ifetch: false,
        notes: [],
      },
    });
    expect(j.steps).toEqual([
      {
        level: 1,
        table: "0x800000000000",
        root_page: 0,
        index: 1,
        entry: "0x800000000008",
        descriptor: "0x800000002003",
        summary: "table descriptor -> next-level table at 0x800000002000",
      },
      {
        level: 2,
        table: "0x800000002000",
        root_page: null,
        index: 1,
        entry: "0x800000002008",
        descriptor: "0x800000003003",
        summary: "table descriptor -> next-level table at 0x800000003000",
      },
      {
        level: 3,
        table: "0x800000003000",
        root_page: null,
        index: 3,
        entry: "0x800000003018",
        descriptor: "0x400000876547c7",
        summary: "page -> 0x87654000, Device-nGnRE, RW-, AF",
      },
    ]);
  });

  it("an instruction fetch at EL0 from the XN page: Permission fault level 3, IFSC 0xf, ESR 0x8200000f, HPFAR not valid", () => {
    const pgt = tables();
    const w = new S2Walker(pgt);
    const r = walkIpa(w, 0x4020_3abc, ACCESS_EXEC, 0);
    expect(formatWalkReport(w, r).split("\n")).toEqual([
      "IPA 0x40203abc, instruction fetch at EL0",
      `${HEAD}, HA 1, HD 0, FEAT_XNX off`,
      L1,
      L2,
      L3,
      "Permission fault, level 3: IFSC 0xf (descriptor 0x400000876547c7)",
      "  ESR_EL2 0x8200000f: EC 0x20 (Instruction Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, IFSC 0xf",
      "  HPFAR_EL2 UNKNOWN: not valid for a stage-2 Permission fault on the final access (ASL IPAValid); KVM translates FAR_EL2 instead",
    ]);
    expect(walkReportJson(r)).toMatchObject({
      access: "x",
      el: 0,
      result: null,
      fault: {
        type: "permission",
        level: 3,
        fsc: "0xf",
        ec: "0x20",
        iss: "0xf",
        esr_el2: "0x8200000f",
        wnr: false,
        s1ptw: false,
        isv: false,
        hpfar_valid: false,
        hpfar_el2: null,
        descriptor: "0x400000876547c7",
      },
    });
    expect("stage1" in walkReportJson(r)).toBe(false);
  });

  it("a data write to the read-only 2M block: Permission fault level 2, DFSC 0xe, WnR 1, ESR 0x9200004e", () => {
    const pgt = tables();
    const w = new S2Walker(pgt);
    const r = walkIpa(w, 0x8001_2345, ACCESS_WRITE, 1);
    expect(formatWalkReport(w, r).split("\n")).toEqual([
      "IPA 0x80012345, data write at EL1",
      `${HEAD}, HA 1, HD 0, FEAT_XNX off`,
      "  level 1: table 0x800000000000 (root 0) [2] @ 0x800000000010 = 0x800000004003  table descriptor -> next-level table at 0x800000004000",
      "  level 2: table 0x800000004000 [0] @ 0x800000004000 = 0x10000077d  level-2 block (0x200000 bytes) -> 0x100000000, Normal-WB, R-X, AF",
      "Permission fault, level 2: DFSC 0xe (descriptor 0x10000077d)",
      "  ESR_EL2 0x9200004e: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, WnR 1, DFSC 0xe",
      "  HPFAR_EL2 UNKNOWN: not valid for a stage-2 Permission fault on the final access (ASL IPAValid); KVM translates FAR_EL2 instead",
    ]);
  });

  it("a read of an unmapped 2M range: Translation fault level 2 at L2 index 128, HPFAR 0x500000", () => {
    // IPA 0x50000000: L1 index 1, L2 index IPA[29:21] = 0x80 = 128 at 0x800000002000 + 0x400; FIPA 0x50000 << 4.
    const pgt = tables();
    const w = new S2Walker(pgt);
    const r = walkIpa(w, 0x5000_0000, ACCESS_READ, 1);
    expect(formatWalkReport(w, r).split("\n").slice(3)).toEqual([
      "  level 2: table 0x800000002000 [128] @ 0x800000002400 = 0x0  empty entry (0): not counted in the table page's refcount",
      "Translation fault, level 2: DFSC 0x6 (descriptor 0x0)",
      "  ESR_EL2 0x92000006: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, WnR 0, DFSC 0x6",
      "  HPFAR_EL2 0x500000 (FIPA = IPA[51:12] = 0x50000)",
    ]);
    expect(walkReportJson(r)).toMatchObject({ fault: { type: "translation", hpfar_valid: true, hpfar_el2: "0x500000", descriptor: "0x0" } });
  });

  it("an IPA beyond the 40-bit IPA space: no descriptor read, Translation fault level 0 (AArch64_S2Walk), HPFAR 0x200000000", () => {
    const pgt = tables();
    const w = new S2Walker(pgt);
    const r = walkIpa(w, 2 ** 41, ACCESS_READ, 1);
    expect(r.steps).toEqual([]);
    expect(formatWalkReport(w, r).split("\n").slice(2)).toEqual([
      "Translation fault, level 0: DFSC 0x4 (the IPA is beyond the IPA size: AArch64_IPAIsOutOfRange)",
      "  ESR_EL2 0x92000004: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, WnR 0, DFSC 0x4",
      "  HPFAR_EL2 0x200000000 (FIPA = IPA[51:12] = 0x20000000)",
    ]);
    expect(walkReportJson(r)).toMatchObject({ fault: { descriptor: null, hpfar_el2: "0x200000000" } });
  });

  it("a leaf made old: without HA an Access flag fault (DFSC 0xb, HPFAR valid); with HA the hardware sets AF (0x3ff -> 0x7ff)", () => {
    const pgt = new KvmPgtable(CFG);
    // IPA 0x40000000: L1 index 1, L2 index 0, L3 index 0; leaf 0x90000000 | 0x7ff (page, MemAttr 0b1111, S2AP 11, SH 11, AF), no XN.
    expect(pgt.map(0x4000_0000, 0x1000, 0x9000_0000, PROT_R | PROT_W | PROT_X, 0)).toBe(0);
    expect(pgt.testClearYoung(0x4000_0000, 0x1000, true)).toBe(true); // AF cleared: 0x900003ff
    const noHa = new S2Walker(pgt, { ha: false });
    const f = walkIpa(noHa, 0x4000_0010, ACCESS_WRITE, 0);
    expect(formatWalkReport(noHa, f).split("\n").slice(1)).toEqual([
      "  stage 2: 4K granule, 40-bit IPA (T0SZ 24), start level 1 (2 concatenated root tables), PS 48-bit, FWB 0, HA 0, HD 0, FEAT_XNX off",
      "  level 1: table 0x800000000000 (root 0) [1] @ 0x800000000008 = 0x800000002003  table descriptor -> next-level table at 0x800000002000",
      "  level 2: table 0x800000002000 [0] @ 0x800000002000 = 0x800000003003  table descriptor -> next-level table at 0x800000003000",
      "  level 3: table 0x800000003000 [0] @ 0x800000003000 = 0x900003ff  page -> 0x90000000, Normal-WB, RWX, AF clear",
      "Access flag fault, level 3: DFSC 0xb (descriptor 0x900003ff)",
      "  ESR_EL2 0x9200004b: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, WnR 1, DFSC 0xb",
      "  HPFAR_EL2 0x400000 (FIPA = IPA[51:12] = 0x40000)",
    ]);
    const ha = new S2Walker(pgt);
    const ok = walkIpa(ha, 0x4000_0010, ACCESS_WRITE, 0);
    expect(ok.result?.hwUpdates).toEqual(["AF"]);
    expect(formatWalkReport(ha, ok).split("\n").slice(5)).toEqual([
      "PA 0x90000010: level-3 page of 0x1000 bytes; the hardware set AF (leaf now 0x900007ff)",
      "  MemAttr 0xf (FWB off): Normal, inner and outer Write-Back, MT_S2_NORMAL",
      "  SH 0b11 Inner Shareable",
      "  S2AP 0b11, XN 0, AF 1, DBM 0: read yes, write yes, execute EL0 yes, EL1 yes",
    ]);
    expect(walkReportJson(ok)).toMatchObject({ vtcr: { ha: 1, hd: 0 }, result: { descriptor: "0x900007ff", hw_updates: ["AF"] } });
    // With FEAT_XNX the XN field is shown as the two bits [1:0].
    const x = new S2Walker(pgt, { xnx: true });
    const xr = walkIpa(x, 0x4000_0010, ACCESS_READ, 1);
    const text = formatWalkReport(x, xr).split("\n");
    expect(text[1]).toMatch(/, FEAT_XNX on$/);
    expect(text[8]).toBe("  S2AP 0b11, XN [1:0] 0b00, AF 1, DBM 0: read yes, write yes, execute EL0 yes, EL1 yes");
    expect(walkReportJson(xr).feat_xnx).toBe(true);
  });

  it("FEAT_LPA2 and FWB: one 48-bit root table at level 0, SH from VTCR_EL2.SH0, a 1G block at PA 2^51 (OA[51:50] in bits 9:8)", () => {
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 48, paBits: 52, lpa2: true, fwb: true, tlbRange: false });
    expect(pgt.map(0x1_4000_0000, 0x4000_0000, 2 ** 51, PROT_R | PROT_W, 0)).toBe(0);
    const w = new S2Walker(pgt);
    // Stage 1 Normal NC (0x44) NSH over FWB MemAttr 0b110: forced WB RWA, 0xFF; SH open (section 3.5): OSH or ISH.
    const r = walkIpa(w, 0x1_4000_1234, ACCESS_READ, 1, { attr: 0x44, sh: 0 });
    expect(formatWalkReport(w, r).split("\n")).toEqual([
      "IPA 0x140001234, data read at EL1",
      "  stage 2: 4K granule, 48-bit IPA (T0SZ 16), start level 0, PS 52-bit, DS 1 (FEAT_LPA2), FWB 1, HA 1, HD 0, FEAT_XNX off",
      "  level 0: table 0x800000000000 [0] @ 0x800000000000 = 0x800000001003  table descriptor -> next-level table at 0x800000001000",
      // IPA[38:30] = 5; 0x6d9: block 01, MemAttr 0b0110, S2AP 11, OA[51:50] = 0b10, AF; XN bit 54.
      "  level 1: table 0x800000001000 [5] @ 0x800000001028 = 0x400000000006d9  level-1 block (0x40000000 bytes) -> 0x8000000000000, Normal-WB, RW-, AF",
      "PA 0x8000000001234: level-1 block of 0x40000000 bytes",
      "  MemAttr 0x6 (FWB on): Normal Write-Back, forced whatever stage 1 says, MT_S2_FWB_NORMAL",
      "  SH 0b11 Inner Shareable (VTCR_EL2.SH0: FEAT_LPA2 descriptors carry OA[51:50] in bits 9:8)",
      "  S2AP 0b11, XN 1, AF 1, DBM 0: read yes, write yes, execute EL0 no, EL1 no",
    ]);
    expect(walkReportJson(r)).toMatchObject({
      result: { kind: "block", size: "0x40000000", s2: { memattr: "0x6", fwb: true, sh: 3, sh_from: "VTCR_EL2.SH0" } },
      stage1: { attr: "0x44", sh: 0 },
      combined: { attr: "0xff", sh: null, sh_name: null, open: { attr: [], sh: ["IMPDEF_S1_SH"] }, permitted: { attr: ["0xff"], sh: [2, 3] }, fwb: true },
    });
  });

  it("a walk into a table page the memory image does not hold: external abort on the walk, level 2, DFSC 0x16, HPFAR not valid", () => {
    // examples/images/4k.json (test/architecture/image-walks.test.ts lists it): VTTBR_EL2 BADDR 0x80000000,
    // VTCR_EL2 0x80023558 (40-bit IPA, start level 1, PS 40 bits, HA 0). IPA 0xc0000000: L1 [3] = 0x90000003,
    // a table at 0x90000000 that is not in the image. DFSC 0b0101LL with level 2: 0x16.
    const mem = imageFromJson(readFileSync(join(repoRoot, "examples", "images", "4k.json"), "utf8"));
    const p = s2WalkParams({ vttbr: 0x1000080000000n, vtcr: 0x80023558n, fwb: false });
    const w = new S2Walker(new ImageTables(mem, p), { ha: p.ha, hd: p.hd });
    const r = walkIpa(w, 0xc000_0000, ACCESS_READ, 1);
    expect(formatWalkReport(w, r).split("\n")).toEqual([
      "IPA 0xc0000000, data read at EL1",
      "  stage 2: 4K granule, 40-bit IPA (T0SZ 24), start level 1 (2 concatenated root tables), PS 40-bit, FWB 0, HA 0, HD 0, FEAT_XNX off",
      "  level 1: table 0x80000000 (root 0) [3] @ 0x80000018 = 0x90000003  table descriptor -> next-level table at 0x90000000",
      "Synchronous External abort on translation table walk, level 2: DFSC 0x16 (the walk's read of the descriptor at PA 0x90000000 failed: the image does not hold that table page; ASL FetchDescriptor -> HandleExternalTTWAbort)",
      "  ESR_EL2 0x92000016: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, WnR 0, DFSC 0x16",
      "  HPFAR_EL2 UNKNOWN: not valid for an external abort (ASL IPAValid); ESR_EL2.EA is IMPLEMENTATION DEFINED (s2pt gives 0)",
    ]);
    expect(walkReportJson(r)).toMatchObject({
      vtcr: { ha: 0, hd: 0 },
      fault: {
        type: "external_abort_walk",
        level: 2,
        fsc: "0x16",
        esr_el2: "0x92000016",
        hpfar_valid: false,
        hpfar_el2: null,
        descriptor: null,
        abort_pa: "0x90000000",
      },
    });
    // A fault that is not an external abort has no abort_pa key.
    const t = walkIpa(new S2Walker(tables()), 0x5000_0000, ACCESS_READ, 1);
    expect("abort_pa" in (walkReportJson(t).fault as object)).toBe(false);
  });
});

describe("combinedJson", () => {
  it("an open ATTR is null with every permitted value in hex", () => {
    // Stage-1 Attr 0x10 is reserved (section 1.3): it stands for some valid byte, so ATTR and SH are open.
    const pgt = tables();
    const w = new S2Walker(pgt);
    const r = walkIpa(w, 0x8000_0000, ACCESS_READ, 1, { attr: 0x10, sh: 3 });
    const c = combinedJson(r.combined!);
    expect(c.attr).toBeNull();
    expect(c.sh).toBeNull();
    expect(c.sh_name).toBeNull();
    expect((c.open as { attr: string[] }).attr).toEqual(["RESMAIR"]);
    expect((c.permitted as { attr: string[] }).attr.every((a) => /^0x[0-9a-f]{2}$/.test(a))).toBe(true);
  });
});

describe("the report functions check what they are given (the field named in the message)", () => {
  it("walkIpa: walker, access, EL, stage-1 attributes and controls", () => {
    const w = new S2Walker(tables());
    expect(() => walkIpa({} as never, 0, ACCESS_READ, 1)).toThrow(/^walker: /);
    expect(() => walkIpa(w, 0, 3, 1)).toThrow(/^access: /);
    expect(() => walkIpa(w, 0, ACCESS_READ, 2)).toThrow(/^el: /);
    expect(() => walkIpa(w, 0, ACCESS_READ, 1, null as never)).toThrow(/^s1: /);
    expect(() => walkIpa(w, 0, ACCESS_READ, 1, { attr: 0xff, sh: 3, controls: 5 as never })).toThrow(/^s1\.controls: /);
    expect(() => walkIpa(w, 0, ACCESS_READ, 1, { attr: -1, sh: 3 })).toThrow(/^s1\.attr: /);
    expect(w.tracing).toBe(false);
  });
  it("formatWalkReport and walkReportJson: the report's shape, field by field", () => {
    const w = new S2Walker(tables());
    const good = walkIpa(w, 0x4020_3abc, ACCESS_READ, 1, { attr: 0xff, sh: 3 });
    expect(() => formatWalkReport({} as never, good)).toThrow(/^w: /);
    expect(() => formatWalkReport(w, null as never)).toThrow(/^r: /);
    expect(() => walkReportJson({ ...good, steps: [{ level: 1 }] } as never)).toThrow(/^r\.steps\[0\]\.summary: /);
    expect(() => walkReportJson({ ...good, steps: [{ summary: "x" }] } as never)).toThrow(/^r\.steps\[0\]\.level: /);
    expect(() => walkReportJson({ ...good, result: { pa: "0x0" } } as never)).toThrow(/^r\.result\.attrs: /);
    expect(() => walkReportJson({ ...good, result: null, fault: { type: "translation", fsc: 4, ec: 0x24, iss: 4 } } as never)).toThrow(/^r\.fault\.esr: /);
    expect(() => walkReportJson({ ...good, combined: { ...good.combined, open: { attr: [] } } } as never)).toThrow(/^r\.combined\.open\.sh: /);
    expect(() => walkReportJson({ ...good, combined: { ...good.combined, permitted: { attr: [], sh: 1 } } } as never)).toThrow(/^r\.combined\.permitted\.sh: /);
    expect(() => walkReportJson({ ...good, combined: { ...good.combined, notes: undefined } } as never)).toThrow(/^r\.combined\.notes: /);
    expect(() => combinedJson({ ...good.combined!, open: undefined } as never)).toThrow(/^c\.open: /);
    // Without stage-1 attributes the combine is not looked at.
    expect(() => walkReportJson({ ...good, stage1: null, combined: { bogus: 1 } } as never)).not.toThrow();
  });
});

describe("hand-written images: DBM and the hardware dirty state, a write-only page, root pages above held pages", () => {
  // Four 4K frames from PA 0x7fffe000: two zero frames below the root, then the two concatenated root pages at
  // 0x80000000 (VTTBR_EL2 BADDR; VTCR_EL2 0x80023558: 40-bit IPA, start level 1). Root [0]: a 1G block -> 0x40000000,
  // MemAttr 0b1111, S2AP 01 (read-only), SH 11, DBM (bit 51); AF as given. Root [1]: a 1G block -> 0x80000000,
  // MemAttr 0b1010 (Normal WT, no Linux name), S2AP 10 (write-only), AF: 0x80000000 | 0x400 | 0x80 | 0x28 | 0x1 = 0x800004a9.
  function walker(af: boolean, ha: boolean, hd: boolean): S2Walker {
    const bytes = new Uint8Array(4 * 4096);
    const dv = new DataView(bytes.buffer);
    dv.setBigUint64(0x2000, 0x0008_0000_4000_037dn | (af ? 0x400n : 0n), true);
    dv.setBigUint64(0x2008, 0x8000_04a9n, true);
    const p = s2WalkParams({ vttbr: 0x80000000n, vtcr: 0x80023558n, fwb: false });
    return new S2Walker(new ImageTables(imageFromBinary(bytes, 0x7fffe000, "img"), p), { ha, hd });
  }
  it("HA and HD: a write to a DBM read-only leaf with AF clear sets AF and S2AP[1] (0x37d -> 0x7fd)", () => {
    const w = walker(false, true, true);
    const r = walkIpa(w, 0x1000, ACCESS_WRITE, 1);
    expect(r.result?.hwUpdates).toEqual(["AF", "dirty"]);
    expect(formatWalkReport(w, r).split("\n")[3]).toBe(
      "PA 0x40001000: level-1 block of 0x40000000 bytes; the hardware set AF and dirty (leaf now 0x80000400007fd)",
    );
    expect(walkReportJson(r)).toMatchObject({ vtcr: { ha: 1, hd: 1 }, result: { hw_updates: ["AF", "dirty"], descriptor: "0x80000400007fd" } });
  });
  it("DBM counts as writable only with HA and HD both set", () => {
    const both = walkIpa(walker(true, true, true), 0x1000, ACCESS_READ, 1).result!.attrs;
    expect([both.s2ap, both.dbm, both.read, both.write]).toEqual([1, true, true, true]);
    const haOnly = walkIpa(walker(true, true, false), 0x1000, ACCESS_READ, 1).result!.attrs;
    expect([haOnly.s2ap, haOnly.dbm, haOnly.write]).toEqual([1, true, false]);
    const hdOnly = walkIpa(walker(true, false, true), 0x1000, ACCESS_READ, 1).result!.attrs;
    expect([hdOnly.s2ap, hdOnly.dbm, hdOnly.write]).toEqual([1, true, false]);
  });
  it("a write to the write-only WT block: read no, write yes; no Linux name for MemAttr 0b1010", () => {
    const w = walker(true, true, false);
    const r = walkIpa(w, 0x4000_1000, ACCESS_WRITE, 1);
    expect(formatWalkReport(w, r).split("\n").slice(3)).toEqual([
      "PA 0x80001000: level-1 block of 0x40000000 bytes",
      "  MemAttr 0xa (FWB off): Normal, inner and outer Write-Through",
      "  SH 0b00 Non-shareable",
      "  S2AP 0b10, XN 0, AF 1, DBM 0: read no, write yes, execute EL0 yes, EL1 yes",
    ]);
  });
  it("root pages are numbered from the root table, not from the lowest page held", () => {
    const w = walker(true, false, false);
    expect(walkIpa(w, 0x1000, ACCESS_READ, 1).steps[0]).toMatchObject({ rootPage: 0, tablePa: "0x80000000" });
    const r = walkIpa(w, 2 ** 39 + 0x1000, ACCESS_READ, 1);
    expect(r.steps[0]).toMatchObject({ rootPage: 1, tablePa: "0x80001000", index: 0 });
    expect(formatWalkReport(w, r).split("\n")[2]).toMatch(/^ {2}level 1: table 0x80001000 \(root 1\) \[0\]/);
  });
});

describe("report edge cases", () => {
  it("a Translation fault in the root page itself still shows the descriptor (0x0), and the walker is left untraced", () => {
    const w = new S2Walker(tables());
    const r = walkIpa(w, 0x1000, ACCESS_READ, 1);
    expect(w.tracing).toBe(false);
    expect(r.fault).toMatchObject({ type: "translation", level: 1, descriptor: "0x0" });
  });
  it("a read of the read-only block: write no", () => {
    const w = new S2Walker(tables());
    const r = walkIpa(w, 0x8001_2345, ACCESS_READ, 1);
    expect(formatWalkReport(w, r).split("\n").at(-1)).toBe("  S2AP 0b01, XN 0, AF 1, DBM 0: read yes, write no, execute EL0 yes, EL1 yes");
  });
  it("a report with neither a result nor a fault prints its header and steps only", () => {
    const w = new S2Walker(tables());
    const r = walkIpa(w, 0x4020_3abc, ACCESS_READ, 1);
    expect(formatWalkReport(w, { ...r, result: null, fault: null }).split("\n").length).toBe(5);
  });
  it("HPFAR_EL2 is printed only when it is valid and has a value", () => {
    const w = new S2Walker(tables());
    const r = walkIpa(w, 0x5000_0000, ACCESS_READ, 1);
    const f = r.fault!;
    expect(
      formatWalkReport(w, { ...r, fault: { ...f, hpfarValid: true, hpfar: null } })
        .split("\n")
        .at(-1),
    ).toMatch(/^ {2}HPFAR_EL2 UNKNOWN/);
    expect(
      formatWalkReport(w, { ...r, fault: { ...f, hpfarValid: false, hpfar: "0x500000" } })
        .split("\n")
        .at(-1),
    ).toMatch(/^ {2}HPFAR_EL2 UNKNOWN/);
  });
  it("combinedJson: ATTR 0x00 and SH 0 (NSH) are values, not 'open'", () => {
    // Device-nGnRnE over Device-nGnRnE: 0x00 OSH. 0xFF NSH over WB NSH: 0xFF NSH.
    expect(combinedJson(combineS1S2(0x00, 2, 0x0, 2, { fwb: false }))).toMatchObject({ attr: "0x00", sh: 2, sh_name: "OSH" });
    expect(combinedJson(combineS1S2(0xff, 0, 0xf, 0, { fwb: false }))).toMatchObject({ attr: "0xff", sh: 0, sh_name: "NSH" });
  });
  it("walkIpa and formatWalkReport name a walker that is not an S2Walker; walkIpa64 checks the 64-bit IPA", () => {
    const w = new S2Walker(tables());
    expect(() => walkIpa({} as never, 0, ACCESS_READ, 1)).toThrow(/^walker: .* is not an S2Walker/);
    expect(() => formatWalkReport({} as never, walkIpa(w, 0, ACCESS_READ, 1))).toThrow(/^w: .* is not an S2Walker/);
    expect(() => walkIpa64(w, -1n, ACCESS_READ, 1)).toThrow(/^ipa: /);
    expect(walkIpa64(w, 2n ** 60n, ACCESS_READ, 1).ipa).toBe("0x1000000000000000");
  });
});
