// Two-stage translation (issue 7), hand-checked against the Arm ASL as
// rendered in Sail (rems-project/sail-arm arm-v9.4-a v8_base.sail):
// AArch64_FullTranslate, AArch64_S1Translate, AArch64_S1Walk,
// AArch64_S1DisabledOutput, AArch64_S1Enabled, AArch64_VAIsOutOfRange,
// AArch64_S1StartLevel, AArch64_S1TTBaseAddress, AArch64_S1ApplyTablePerms,
// AArch64_S1DirectBasePermissions, AArch64_S1CheckPermissions,
// AArch64_S2Translate / AArch64_S2CheckPermissions (AccessType_TTW, HCR_EL2.PTW),
// and the combine rules of ../shared/reference/arch-attributes.md section 3.
// Every expected value is a literal worked out in the comment next to it.
import { describe, expect, it } from "vitest";
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  FAULT_ACCESS_FLAG,
  FAULT_ADDRESS_SIZE,
  FAULT_NONE,
  FAULT_PERMISSION,
  FAULT_TRANSLATION,
  hpfarOf,
} from "../../src/walker/fault.js";
import { S1_HW_AF, S1_HW_DIRTY, S1_PERM_R, S1_PERM_W, S1_PERM_X, STAGE_1, STAGE_2, NestedWalker } from "../../src/stage1/walk.js";
import { nestedMemType } from "../../src/stage1/guest.js";
import { walkVa } from "../../src/stage1/describe.js";
import { s1FaultReport } from "../../src/stage1/fault.js";
import { decodeTcr, encodeTcr, regionGeometry } from "../../src/stage1/config.js";
import { decodeS1Descriptor } from "../../src/stage1/decode.js";
import { encodeS1Leaf, encodeS1Table, S1_AF_LO, S1_APTABLE_HI, S1_NSTABLE_HI, S1_PXNTABLE_HI, S1_UXNTABLE_HI } from "../../src/stage1/descriptor.js";
import { guestJson, rewalk, setup, tr } from "../helpers-guest.js";

const OSH = 2;
const ISH = 3;
/** The framebuffer mapping: VA 0xffffffc000000000 (TTBR1, L1 index 256) -> IPA 0x10000000, 2M of pages, Normal-NC (AttrIndx 2). */
const FB = { va: "0xffffffc000000000", size: "0x200000", ipa: "0x10000000", attrindx: 2, ap: 0, sh: 3, pxn: true, uxn: true, level: 3 };

describe("the stage-1 descriptor and TCR_EL1 encodings", () => {
  it("leaf bits sit where the Arm ARM puts them (AttrIndx 4:2, AP 7:6, SH 9:8, AF 10, nG 11, PXN 53, UXN 54)", () => {
    const w = [0, 0];
    encodeS1Leaf(4096, { oa: 0x10001000, level: 3, attrIndx: 2, ap: 0b10, sh: 3, af: true, ng: true, pxn: true, uxn: true }, w);
    // 0x10001000 | page 0b11 | AttrIndx 2 << 2 (0x8) | AP 10 << 6 (0x80) | SH 11 << 8 (0x300) | AF 0x400 | nG 0x800 = 0x10001f8b;
    // PXN bit 53 and UXN bit 54 -> high half 0x00600000.
    expect(w).toEqual([0x10001f8b, 0x00600000]);
    const d = decodeS1Descriptor(0x0060000010001f8bn, { granule: 4096, level: 3, mair: [0xff, 0xf0, 0x44, 0, 4, 0, 0, 0] });
    expect(d.kind).toBe("page");
    expect(d.summary).toBe("page -> 0x10001000, AttrIndx 2 (0x44), AP 10, SH ISH, AF, PXN, UXN");
    // A 2M block at level 2: bit 1 clear.
    encodeS1Leaf(4096, { oa: 0x40200000, level: 2, attrIndx: 0, ap: 0, sh: 3, af: true }, w);
    expect(w).toEqual([0x40200701, 0]);
    expect(() => encodeS1Leaf(4096, { oa: 0x40201000, level: 2, attrIndx: 0, ap: 0, sh: 3, af: true }, w)).toThrow(/not a 0x200000-aligned/);
  });

  it("table descriptors carry PXNTable 59, UXNTable 60, APTable 62:61, NSTable 63", () => {
    expect([S1_PXNTABLE_HI, S1_UXNTABLE_HI, S1_APTABLE_HI, S1_NSTABLE_HI]).toEqual([1 << 27, 1 << 28, 3 << 29, 2 ** 31]);
    const w = [0, 0];
    encodeS1Table(4096, 0x40002000, { pxnTable: true, uxnTable: true, apTable: 0b11, nsTable: true }, w);
    expect(w).toEqual([0x40002003, 0xf8000000]);
    const d = decodeS1Descriptor(0xf800000040002003n, { granule: 4096, level: 1 });
    expect(d.kind).toBe("table");
    expect(d.fields.find((f) => f.name === "APTable")?.meaning).toBe("no EL0 access and no write access below");
  });

  it("TCR_EL1 decodes field by field (a Linux-like value worked by hand)", () => {
    // T0SZ 25 (0x19), IRGN0 01 (0x100), ORGN0 01 (0x400), SH0 11 (0x3000): 0x3519; T1SZ 25 << 16, A1 bit 22,
    // IRGN1/ORGN1 01, SH1 11, TG1 10 (4K) << 30: 0xb5590000; IPS 101 (48) << 32, AS bit 36, TBI0 bit 37, HA bit 39: 0xb5 << 32.
    const t = decodeTcr(0x000000b5b5593519n, "tcr");
    expect(t).toEqual({
      t0sz: 25,
      t1sz: 25,
      tg0: 4096,
      tg1: 4096,
      ips: 48,
      epd0: false,
      epd1: false,
      tbi0: true,
      tbi1: false,
      hpd0: false,
      hpd1: false,
      ha: true,
      hd: false,
    });
    // encodeTcr keeps only the modelled fields: drops IRGN/ORGN/SH, A1 and AS (0x3500 + 0x75400000 + 0x10 << 32).
    expect(encodeTcr(t)).toBe(0x000000b5b5593519n & ~0x3f00n & ~0x3f400000n & ~(1n << 36n));
    expect(() => decodeTcr(1n << 59n, "tcr")).toThrow(/DS \(FEAT_LPA2\), is set/);
    expect(() => decodeTcr(3n << 14n, "tcr")).toThrow(/TG0 = 0b11 is reserved/);
  });

  it("start levels and root-table sizes (AArch64_S1StartLevel: 3 - (iasize - 1 - granulebits) DIV stride)", () => {
    const g = (tg: 4096 | 16384 | 65536, t: number) =>
      regionGeometry(
        { t0sz: t, t1sz: t, tg0: tg, tg1: tg, ips: 48, epd0: false, epd1: false, tbi0: false, tbi1: false, hpd0: false, hpd1: false, ha: false, hd: false },
        0,
      );
    // 4K, 48-bit: 3 - 35 DIV 9 = 0, 512 entries; 4K, 39-bit: 3 - 26 DIV 9 = 1, 512; 4K, 25-bit: 3 - 12 DIV 9 = 2, 16 entries.
    expect([
      g(4096, 16).startLevel,
      g(4096, 16).rootEntries,
      g(4096, 25).startLevel,
      g(4096, 25).rootEntries,
      g(4096, 39).startLevel,
      g(4096, 39).rootEntries,
    ]).toEqual([0, 512, 1, 512, 2, 16]);
    // 16K, 48-bit: 3 - 33 DIV 11 = 0, 2 entries; 16K, 39-bit: 3 - 24 DIV 11 = 1, 8 entries.
    expect([g(16384, 16).startLevel, g(16384, 16).rootEntries, g(16384, 25).startLevel, g(16384, 25).rootEntries]).toEqual([0, 2, 1, 8]);
    // 64K, 48-bit: 3 - 31 DIV 13 = 1, 64 entries; 64K, 39-bit: 3 - 22 DIV 13 = 2, 1024 entries (an 8K root table).
    expect([g(65536, 16).startLevel, g(65536, 16).rootEntries, g(65536, 25).startLevel, g(65536, 25).rootEntries, g(65536, 25).rootTableLog2]).toEqual([
      1, 64, 2, 1024, 13,
    ]);
  });
});

describe("a guest framebuffer mapped Normal-NC over a stage-2 Normal-NC mapping", () => {
  for (const fwb of [false, true]) {
    it(`VA -> IPA -> PA and 0x44 Outer Shareable (FWB ${fwb ? "on" : "off"})`, () => {
      // Stage 2: IPA 0x10000000 -> PA 0x1000000000, 2M, R|W|NORMAL_NC (a 2M block: both are 2M aligned).
      const s = setup(guestJson({ mappings: [FB] }), [[0x10000000, 0x200000, 0x1000000000, "R|W|NORMAL_NC"]], { fwb });
      const nw = s.nw;
      // The builder placed the TTBR1 root at the pool's first page, then the level-2 and level-3 tables.
      expect(s.guest.config.ttbr1).toBe(0x40000000n);
      expect(s.guest.tables.map((t) => [t.level, t.ipa])).toEqual([
        [1, 0x40000000],
        [2, 0x40001000],
        [3, 0x40002000],
      ]);
      const r = walkVa(nw, 0xffffffc000001040n, ACCESS_WRITE, 1);
      // VA - 0xffffff8000000000 = 0x4000001040: L1 index VA[38:30] = 256 (entry IPA 0x40000800), L2 index 0
      // (0x40001000), L3 index 1 (0x40002008); IPA = 0x10000000 + 0x1040; PA = 0x1000000000 + 0x1040.
      expect(r.steps.map((x) => [x.level, x.entryIpa, x.index])).toEqual([
        [1, "0x40000800", 256],
        [2, "0x40001000", 0],
        [3, "0x40002008", 1],
      ]);
      // Each entry is read at the PA stage 2 gives its IPA: pool page n at PA 0x80010000 + n * 0x1000.
      expect(r.steps.map((x) => x.entryPa)).toEqual(["0x80010800", "0x80011000", "0x80012008"]);
      expect([r.ipa, r.pa, r.leaf?.level, r.final?.result?.level]).toEqual(["0x10001040", "0x1000001040", 3, 2]);
      // FWB off: S2DecodeMemAttrs 0b0101 NC/NC; S2CombineS1AttrHints NC + NC = NC. FWB on: AArch64.S2ApplyFWBMemAttrs
      // 0b101 with stage-1 Normal: Normal NC. Either way EffectiveShareability makes NC/NC Outer Shareable.
      expect([r.memtype?.attr, r.memtype?.sh, r.memtype?.memtype]).toEqual([0x44, OSH, "Normal-NC"]);
      expect(r.fault).toBeNull();
    });
  }
});

describe("a guest Device-nGnRE mapping over stage-2 Normal memory", () => {
  const dev = { va: "0xffffffc000000000", size: "0x1000", ipa: "0x50000000", attrindx: 4, ap: 0, sh: 3, pxn: true, uxn: true };
  it("with FWB: stage 2 forces Write-Back (MemAttr 0b110): 0xFF, the shareability IMPLEMENTATION DEFINED", () => {
    const s = setup(guestJson({ mappings: [dev] }), [[0x50000000, 0x1000, 0x90000000, "R|W"]], { fwb: true });
    expect(tr(s.nw, 0xffffffc000000008n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([s.nw.ipa, s.nw.pa, s.nw.s1Attr, s.nw.s1Sh]).toEqual([0x50000008, 0x90000008, 0x04, ISH]);
    // AArch64.S2ApplyFWBMemAttrs 0b110 over stage-1 Device: Normal WB RWA both halves = 0xFF; stage 1 hands stage 2
    // its descriptor SH (ISH) or its effective SH (Device: OSH), IMPLEMENTATION DEFINED; with stage-2 ISH: ISH or OSH.
    const m = nestedMemType(s.nw, ACCESS_READ);
    expect([m.attr, m.sh, m.permitted.sh]).toEqual([0xff, -1, [OSH, ISH]]);
  });
  it("without FWB: the stage-1 Device type is kept (S2CombineS1MemAttrs): Device-nGnRE, 0x04 OSH", () => {
    const s = setup(guestJson({ mappings: [dev] }), [[0x50000000, 0x1000, 0x90000000, "R|W"]], { fwb: false });
    expect(tr(s.nw, 0xffffffc000000008n, ACCESS_READ)).toBe(FAULT_NONE);
    const m = nestedMemType(s.nw, ACCESS_READ);
    expect([m.attr, m.sh]).toEqual([0x04, OSH]);
  });
});

describe("stage-2 faults on the stage-1 table walk (S1PTW)", () => {
  const ram = { va: "0xffffff8000000000", size: "0x200000", ipa: "0x40200000", attrindx: 0, ap: 0, sh: 3, uxn: true, level: 3 };
  const maps: Array<[number, number, number, string]> = [[0x40200000, 0x200000, 0x80200000, "R|W|X"]];

  it("a stage-1 table page not mapped at stage 2: a stage-2 Translation fault with S1PTW = 1 and HPFAR_EL2 = the entry's IPA", () => {
    const s = setup(guestJson({ mappings: [ram] }), maps);
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    // The level-3 table is the pool's third page, IPA 0x40002000 (4K stage-2 pages: PA 0x80012000).
    expect(s.pgt.unmap(0x40002000, 0x1000)).toBe(0);
    const r = tr(s.nw, 0xffffff8000001000n, ACCESS_READ);
    // AArch64_S1Walk -> AArch64_S2Translate(TTW) of IPA 0x40002008 (L3 index 1): the stage-2 level-3 entry is now
    // invalid -> Translation fault, level 3 (the stage-2 walk's level); s2fs1walk = TRUE.
    expect([r, s.nw.faultStage, s.nw.faultLevel, s.nw.s1ptw, s.nw.faultIpa, s.nw.s1Level]).toEqual([FAULT_TRANSLATION, STAGE_2, 3, true, 0x40002008, 3]);
    const rep = walkVa(s.nw, 0xffffff8000001000n, ACCESS_READ, 1);
    const f = rep.fault;
    expect(f?.stage).toBe(2);
    if (f?.stage !== 2) return;
    // ESR_EL2 = EC 0x24 << 26 | IL 1 << 25 | S1PTW 1 << 7 | DFSC 0b000111 = 0x92000087; HPFAR = IPA[51:12] << 4 = 0x400020.
    expect([f.esr, f.s1ptw, f.hpfarValid, f.hpfar, f.far]).toEqual([0x92000087, true, true, "0x400020", "0xffffff8000001000"]);
    // A write: WnR 1 too (the access's, see src/stage1/fault.ts): 0x920000c7.
    expect(walkVa(s.nw, 0xffffff8000001000n, ACCESS_WRITE, 1).fault?.esr).toBe(0x920000c7);
    // An instruction fetch: EC 0x20, no WnR: 0x82000087.
    expect(walkVa(s.nw, 0xffffff8000001000n, ACCESS_EXEC, 1).fault?.esr).toBe(0x82000087);
  });

  it("the root table not mapped: the fault comes on the first read, at the start level", () => {
    const s = setup(guestJson({ mappings: [ram] }), maps);
    expect(s.pgt.unmap(0x40000000, 0x1000)).toBe(0);
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_TRANSLATION);
    expect([s.nw.faultStage, s.nw.s1ptw, s.nw.s1Level, s.nw.faultIpa]).toEqual([STAGE_2, true, 1, 0x40000000]);
  });

  it("a table page stage 2 maps without read permission: Permission fault with S1PTW = 1, HPFAR valid (IPAValid for a walk)", () => {
    const s = setup(guestJson({ mappings: [ram] }), maps, {}, { poolProt: "R|W|X" });
    // Remap the level-2 table page write-only (S2AP 10): a table-walk read needs r_mmu (AArch64_S2CheckPermissions).
    expect(s.pgt.unmap(0x40001000, 0x1000)).toBe(0);
    expect(s.pgt.map(0x40001000, 0x1000, 0x80011000, 1 << 1, 0)).toBe(0);
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_PERMISSION);
    const f = walkVa(s.nw, 0xffffff8000001000n, ACCESS_READ, 1).fault;
    // 0x92000000 | S1PTW 0x80 | Permission level 3 0x0f = 0x9200008f; HPFAR valid although it is a Permission fault.
    expect(f?.stage === 2 ? [f.esr, f.hpfar, f.s1Level] : null).toEqual([0x9200008f, "0x400010", 2]);
  });

  it("HCR_EL2.PTW = 1: a table page stage 2 maps as Device is a Permission fault; PTW = 0 walks it (as Normal NC)", () => {
    const s = setup(guestJson({ mappings: [ram] }), maps, {}, { poolProt: "R|W|DEVICE" });
    expect(tr(s.nw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    const ptw = rewalk(s, (c) => ({ ...c, hcr: { ...c.hcr, ptw: true } }));
    expect(tr(ptw, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_PERMISSION);
    // The first read (root table, pool page 0, a stage-2 level-3 page) faults.
    expect([ptw.faultStage, ptw.s1ptw, ptw.faultLevel, ptw.s1Level, ptw.faultIpa]).toEqual([STAGE_2, true, 3, 1, 0x40000000]);
  });
});

describe("stage-1 faults (to EL1)", () => {
  const pageRo = { va: "0xffffff8000000000", size: "0x1000", ipa: "0x40200000", attrindx: 0, ap: 0b10, sh: 3, level: 3 };
  const pageRw = { va: "0xffffff8000001000", size: "0x1000", ipa: "0x40201000", attrindx: 0, ap: 0b00, sh: 3, pxn: true, level: 3 };
  const noAf = { va: "0xffffff8000002000", size: "0x1000", ipa: "0x40202000", attrindx: 0, ap: 0b00, sh: 3, af: false, level: 3 };
  const maps: Array<[number, number, number, string]> = [[0x40200000, 0x200000, 0x80200000, "R|W|X"]];
  const mk = () => setup(guestJson({ mappings: [pageRo, pageRw, noAf] }), maps);
  const fault = (nw: NestedWalker, va: bigint, access: number, el = 1): [number, number, number, number] => {
    const r = tr(nw, va, access, el);
    const esr = r === FAULT_NONE ? 0 : s1FaultReport(nw.faultType, nw.faultLevel, access, el, nw.faultWrite, va).esr;
    return [r, nw.faultStage, nw.faultLevel, esr];
  };

  it("an invalid entry: Translation fault at its level; ESR_EL1 EC 0x25 (same EL) for an EL1 access", () => {
    const s = mk();
    // VA 0xffffff8000200000: L1 index 0 (valid), L2 index 1 (never written): level 2. 0x25 << 26 | IL | 0b000110 = 0x96000006.
    expect(fault(s.nw, 0xffffff8000200000n, ACCESS_READ)).toEqual([FAULT_TRANSLATION, STAGE_1, 2, 0x96000006]);
    // VA 0xffffffc000000000: L1 index 256, invalid: level 1 -> 0x96000005.
    expect(fault(s.nw, 0xffffffc000000000n, ACCESS_READ)).toEqual([FAULT_TRANSLATION, STAGE_1, 1, 0x96000005]);
  });

  it("a VA outside both regions, and EPD1: Translation fault at level 0 (AArch64_VAIsOutOfRange, AArch64_S1EPD)", () => {
    const s = mk();
    // 39-bit regions: VA[63:39] must be all 0 (TTBR0) or all 1 (TTBR1). 0x8000000000 sets bit 39 with VA[55] = 0.
    expect(fault(s.nw, 0x8000000000n, ACCESS_READ)).toEqual([FAULT_TRANSLATION, STAGE_1, 0, 0x96000004]);
    expect(fault(s.nw, 0xffff000000000000n, ACCESS_READ)).toEqual([FAULT_TRANSLATION, STAGE_1, 0, 0x96000004]);
    // TBI1: the top byte is ignored, so 0x00ffff8000001000 (VA[55] = 1, VA[54:39] ones) is 0xffffff8000001000.
    const tbi = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, tbi1: true } }));
    expect(tr(tbi, 0x00ffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    expect(tbi.ipa).toBe(0x40201000);
    const epd = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, epd1: true } }));
    expect(fault(epd, 0xffffff8000001000n, ACCESS_READ)).toEqual([FAULT_TRANSLATION, STAGE_1, 0, 0x96000004]);
  });

  it("AF = 0: Access flag fault without TCR_EL1.HA; with HA the hardware sets AF (a write to the entry through stage 2)", () => {
    const s = mk();
    // 0x96000000 | 0b001011 = 0x9600000b.
    expect(fault(s.nw, 0xffffff8000002000n, ACCESS_READ)).toEqual([FAULT_ACCESS_FLAG, STAGE_1, 3, 0x9600000b]);
    const ha = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ha: true } }));
    expect(tr(ha, 0xffffff8000002000n, ACCESS_READ)).toBe(FAULT_NONE);
    expect(ha.hwUpdate).toBe(S1_HW_AF);
    expect(ha.leafLo & S1_AF_LO).toBe(S1_AF_LO);
    // The entry in memory now has AF: the walker without HA no longer faults.
    expect(tr(s.nw, 0xffffff8000002000n, ACCESS_READ)).toBe(FAULT_NONE);
  });

  // WnR of a stage-2 fault on the hardware update of a stage-1 descriptor (issue 16). The update is a
  // write to the entry's IPA, so stage 2 checks it as a write (v9.4 CreateAccDescTTEUpdate; v8.5
  // AArch64.CheckS2Permission with hwupdatewalk), and with the table page read-only at stage 2 that is a
  // Permission fault. But the fault record is the access's: v9.4 AArch64_S1Translate hands its own
  // FaultRecord, whose write flag NoFault(accdesc) set once from the original access, to
  // AArch64_S2Translate; v8.5 passes the access's iswrite to AArch64.SecondStageWalk(..., iswrite, ...,
  // hwupdatewalk). So WnR is the original access's, not 1.
  // ESR_EL2 (AArch64_FaultSyndrome), data abort from a lower EL:
  //   EC [31:26] = 0b100100 (0x24) -> 0x90000000; IL [25] = 1 -> 0x02000000; ISV [24] = 0 (no load/store
  //   syndrome on a stage-1 walk); S1PTW [7] = 1 -> 0x80; WnR [6] = the access's; DFSC [5:0] = Permission,
  //   stage-2 level 3 = 0b001111 (0x0f).
  // HPFAR_EL2 = the entry's IPA[51:12] << 4, valid for a stage-2 fault on the walk (IPAValid).
  describe("WnR of a stage-2 fault on a hardware AF/DBM update of a stage-1 descriptor: the original access's", () => {
    const haTcr = { t0sz: 25, t1sz: 25, tg0: 4096, tg1: 4096, ips: 40, ha: true };
    // The guest's table pages (the pool at IPA 0x40000000) are read-only at stage 2: walks read them, updates cannot write.
    const roTables = (hd = false) => setup(guestJson({ mappings: [noAf], tcr: { ...haTcr, hd } }), maps, {}, { poolProt: "R|X" });

    it("a read whose AF update faults: WnR 0, ESR_EL2 0x9200008f", () => {
      const s = roTables();
      expect(tr(s.nw, 0xffffff8000002000n, ACCESS_READ)).toBe(FAULT_PERMISSION);
      expect([s.nw.faultStage, s.nw.s1ptw, s.nw.faultLevel, s.nw.faultWrite]).toEqual([STAGE_2, true, 3, false]);
      const f = walkVa(s.nw, 0xffffff8000002000n, ACCESS_READ, 1).fault;
      // The level-3 entry of VA ...2000 (index 2) is at IPA 0x40002000 + 2 * 8 = 0x40002010; HPFAR = 0x40002 << 4 = 0x400020.
      // ESR_EL2 = 0x90000000 | 0x02000000 | S1PTW 0x80 | WnR 0 | 0x0f = 0x9200008f.
      expect(f?.stage === 2 ? [f.esr, f.wnr, f.s1ptw, f.hpfar, f.ipa, f.onUpdate] : null).toEqual([0x9200008f, false, true, "0x400020", "0x40002010", true]);
    });

    it("a write whose AF update faults: WnR 1, ESR_EL2 0x920000cf", () => {
      const s = roTables();
      expect(tr(s.nw, 0xffffff8000002000n, ACCESS_WRITE)).toBe(FAULT_PERMISSION);
      const f = walkVa(s.nw, 0xffffff8000002000n, ACCESS_WRITE, 1).fault;
      // 0x90000000 | 0x02000000 | S1PTW 0x80 | WnR 0x40 | 0x0f = 0x920000cf.
      expect(f?.stage === 2 ? [f.esr, f.wnr, f.s1ptw, f.onUpdate] : null).toEqual([0x920000cf, true, true, true]);
    });

    it("a write whose dirty-state (DBM) update faults: WnR 1, ESR_EL2 0x920000cf", () => {
      const s = roTables(true);
      // Give the leaf AF (no AF update) and DBM (bit 51) with AP 10 (read-only): only the DBM update writes the entry.
      const r0 = walkVa(s.nw, 0xffffff8000002000n, ACCESS_READ, 1);
      expect(r0.steps.map((x) => x.entryIpa)).toEqual(["0x40000000", "0x40001000", "0x40002010"]);
      const entryPa = Number(r0.steps[2].entryPa);
      s.guest.mem.read64(entryPa);
      s.guest.mem.write64(entryPa, s.guest.mem.lo | S1_AF_LO | (0b10 << 6), s.guest.mem.hi | (1 << 19));
      expect(tr(s.nw, 0xffffff8000002000n, ACCESS_READ)).toBe(FAULT_NONE);
      expect(tr(s.nw, 0xffffff8000002000n, ACCESS_WRITE)).toBe(FAULT_PERMISSION);
      expect([s.nw.faultStage, s.nw.s1ptw, s.nw.faultWrite]).toEqual([STAGE_2, true, true]);
      expect(walkVa(s.nw, 0xffffff8000002000n, ACCESS_WRITE, 1).fault?.esr).toBe(0x920000cf);
    });

    it("an instruction fetch whose AF update faults: an instruction abort, which has no WnR: ESR_EL2 0x8200008f", () => {
      const s = roTables();
      expect(tr(s.nw, 0xffffff8000002000n, ACCESS_EXEC)).toBe(FAULT_PERMISSION);
      expect([s.nw.faultStage, s.nw.s1ptw, s.nw.faultWrite]).toEqual([STAGE_2, true, false]);
      // EC 0b100000 (0x20, instruction abort from a lower EL) -> 0x80000000; IL 0x02000000; S1PTW 0x80; IFSC 0x0f.
      expect(walkVa(s.nw, 0xffffff8000002000n, ACCESS_EXEC, 1).fault?.esr).toBe(0x8200008f);
    });
  });

  it("HA + HD: a write to a DBM read-only leaf clears AP[2] instead of faulting", () => {
    const dbm = { ...pageRo, va: "0xffffff8000003000", ipa: "0x40203000" };
    const s = setup(guestJson({ mappings: [dbm] }), maps);
    // Set DBM (bit 51) in the leaf by hand: the builder has no field for it.
    const r0 = walkVa(s.nw, 0xffffff8000003000n, ACCESS_READ, 1);
    const leaf = r0.steps[r0.steps.length - 1];
    s.guest.mem.read64(Number(leaf.entryPa));
    s.guest.mem.write64(Number(leaf.entryPa), s.guest.mem.lo, s.guest.mem.hi | (1 << 19));
    expect(tr(s.nw, 0xffffff8000003000n, ACCESS_WRITE)).toBe(FAULT_PERMISSION);
    const hd = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ha: true, hd: true } }));
    expect(tr(hd, 0xffffff8000003000n, ACCESS_WRITE)).toBe(FAULT_NONE);
    expect([hd.hwUpdate, (hd.leafLo >>> 6) & 3]).toEqual([S1_HW_DIRTY, 0b00]);
  });

  it("permissions: writes to read-only, EL0 without EL0 access, fetches from PXN (ESR_EL1 EC by EL)", () => {
    const s = mk();
    // AP 10 written at EL1: Permission, WnR: 0x96000000 | 0x40 | 0x0f = 0x9600004f.
    expect(fault(s.nw, 0xffffff8000000000n, ACCESS_WRITE)).toEqual([FAULT_PERMISSION, STAGE_1, 3, 0x9600004f]);
    // AP 10 read at EL0: no EL0 access. EC 0x24 (from EL0): 0x92000000 | 0x0f = 0x9200000f.
    expect(fault(s.nw, 0xffffff8000000000n, ACCESS_READ, 0)).toEqual([FAULT_PERMISSION, STAGE_1, 3, 0x9200000f]);
    // PXN page fetched at EL1: Instruction Abort, same EL, EC 0x21: 0x86000000 | 0x0f = 0x8600000f.
    expect(fault(s.nw, 0xffffff8000001000n, ACCESS_EXEC)).toEqual([FAULT_PERMISSION, STAGE_1, 3, 0x8600000f]);
    // The read-only page executes at EL1 (PXN 0, not EL0-writable).
    expect(fault(s.nw, 0xffffff8000000000n, ACCESS_EXEC)[0]).toBe(FAULT_NONE);
  });

  it("Address size faults: a TTBR beyond the output size (level 0), a table address (the table descriptor's level), a leaf OA (its level)", () => {
    const s = mk();
    // IPS 32: TTBR1 = 2^32 is beyond it -> Address size fault, level 0: 0x96000000.
    const high = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ips: 32 }, ttbr1: 0x100000000n }));
    expect(fault(high, 0xffffff8000001000n, ACCESS_READ)).toEqual([FAULT_ADDRESS_SIZE, STAGE_1, 0, 0x96000000]);
    // With IPS 32 and the tables below 4G, a leaf with OA 0x40201000 is fine; point it at 2^32 instead.
    const r0 = walkVa(s.nw, 0xffffff8000001000n, ACCESS_READ, 1);
    const leafPa = Number(r0.steps[2].entryPa);
    const l1Pa = Number(r0.steps[0].entryPa);
    const ips32 = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, ips: 32 } }));
    expect(tr(ips32, 0xffffff8000001000n, ACCESS_READ)).toBe(FAULT_NONE);
    s.guest.mem.read64(leafPa);
    s.guest.mem.write64(leafPa, s.guest.mem.lo, 1); // OA bit 32
    expect(fault(ips32, 0xffffff8000001000n, ACCESS_READ)).toEqual([FAULT_ADDRESS_SIZE, STAGE_1, 3, 0x96000003]);
    // The level-1 table descriptor pointing at 2^32 + 0x40001000: Address size fault at level 1 (0x96000001).
    s.guest.mem.read64(l1Pa);
    s.guest.mem.write64(l1Pa, s.guest.mem.lo, 1);
    expect(fault(ips32, 0xffffff8000001000n, ACCESS_READ)).toEqual([FAULT_ADDRESS_SIZE, STAGE_1, 1, 0x96000001]);
  });

  it("a block where the granule has none, and bits 1:0 = 01 at level 3: Translation fault at that level", () => {
    const s = mk();
    const r0 = walkVa(s.nw, 0xffffff8000001000n, ACCESS_READ, 1);
    const leafPa = Number(r0.steps[2].entryPa);
    s.guest.mem.read64(leafPa);
    s.guest.mem.write64(leafPa, s.guest.mem.lo & ~2, s.guest.mem.hi);
    expect(fault(s.nw, 0xffffff8000001000n, ACCESS_READ)).toEqual([FAULT_TRANSLATION, STAGE_1, 3, 0x96000007]);
  });

  it("16K: no blocks at level 1 without FEAT_LPA2 (AArch64_BlockDescSupported)", () => {
    const g16 = guestJson({
      tcr: { t0sz: 25, t1sz: 25, tg0: 16384, tg1: 16384, ips: 40 },
      mappings: [{ va: "0xffffff8000000000", size: "0x4000", ipa: "0x40200000", attrindx: 0, sh: 3 }],
    });
    const s = setup(g16, [[0x40200000, 0x200000, 0x80200000, "R|W|X"]]);
    // 16K, 39-bit: start level 1 (8 entries), L2 index shift 25, pages of 16K: VA+0x123 -> IPA 0x40200123.
    expect(tr(s.nw, 0xffffff8000000123n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([s.nw.ipa, s.nw.leafLevel]).toEqual([0x40200123, 3]);
    const r0 = walkVa(s.nw, 0xffffff8000000123n, ACCESS_READ, 1);
    expect(r0.steps.map((x) => x.level)).toEqual([1, 2, 3]);
    // Turn the level-1 table descriptor into a block (bit 1 clear): invalid at level 1 for 16K -> Translation, level 1.
    const l1Pa = Number(r0.steps[0].entryPa);
    s.guest.mem.read64(l1Pa);
    s.guest.mem.write64(l1Pa, s.guest.mem.lo & ~2, s.guest.mem.hi);
    expect([tr(s.nw, 0xffffff8000000123n, ACCESS_READ), s.nw.faultLevel]).toEqual([FAULT_TRANSLATION, 1]);
  });

  it("64K: a 39-bit region starts at level 2 with a 1024-entry root table; 512M blocks at level 2", () => {
    const g64 = guestJson({
      tcr: { t0sz: 25, t1sz: 25, tg0: 65536, tg1: 65536, ips: 40 },
      mappings: [{ va: "0xffffff8000000000", size: "0x20000000", ipa: "0x20000000", attrindx: 0, sh: 3 }],
    });
    const s = setup(g64, [[0x20000000, 0x20000000, 0x100000000, "R|W"]], {}, {});
    // One 512M block at level 2 (index 0): VA offset 0x1234567 -> IPA 0x21234567 -> PA 0x101234567.
    expect(tr(s.nw, 0xffffff8001234567n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([s.nw.leafLevel, s.nw.ipa, s.nw.pa]).toEqual([2, 0x21234567, 0x101234567]);
  });
});

describe("the permission rules (AArch64_S1DirectBasePermissions, AArch64_S1ComputePermissions)", () => {
  // One page per AP value; PXN/UXN clear. Expected r/w/x per EL, from the ASL:
  //   AP 00: EL1 RW, EL0 none; 01: EL1 RW, EL0 RW; 10: EL1 R, EL0 none; 11: EL1 R, EL0 R;
  //   px = NOT(PXN | PXNTable | uw): an EL0-writable page (AP 01) never executes at EL1; ux = NOT(UXN | UXNTable):
  //   EL0 execution does not depend on AP at all (which is why Linux sets UXN on its kernel mappings).
  const R = S1_PERM_R;
  const W = S1_PERM_W;
  const X = S1_PERM_X;
  const table: Array<[number, number, number]> = [
    // [ap, EL1 perms, EL0 perms]
    [0b00, R | W | X, X],
    [0b01, R | W, R | W | X],
    [0b10, R | X, X],
    [0b11, R | X, R | X],
  ];
  const maps: Array<[number, number, number, string]> = [[0x40200000, 0x200000, 0x80200000, "R|W|X"]];
  const pages = table.map(([ap], i) => ({
    va: `0x${(0xffffff8000000000n + BigInt(i) * 0x1000n).toString(16)}`,
    size: "0x1000",
    ipa: `0x${(0x40200000 + i * 0x1000).toString(16)}`,
    attrindx: 0,
    ap,
    sh: 3,
    level: 3,
  }));
  const perms = (nw: NestedWalker, i: number, el: number): number => {
    const va = 0xffffff8000000000n + BigInt(i) * 0x1000n;
    let p = 0;
    for (const [acc, bit] of [
      [ACCESS_READ, R],
      [ACCESS_WRITE, W],
      [ACCESS_EXEC, X],
    ] as const)
      if (tr(nw, va, acc, el) === FAULT_NONE) p |= bit;
    return p;
  };

  it("AP[2:1] by EL, and EL0-writable implies PXN", () => {
    const s = setup(guestJson({ mappings: pages }), maps);
    table.forEach(([ap, el1, el0], i) => {
      expect(perms(s.nw, i, 1), `AP ${ap} EL1`).toBe(el1);
      expect(perms(s.nw, i, 0), `AP ${ap} EL0`).toBe(el0);
    });
  });

  it("SCTLR_EL1.WXN: a writable page does not execute", () => {
    const s = setup(guestJson({ mappings: pages }), maps);
    const wxn = rewalk(s, (c) => ({ ...c, sctlr: { ...c.sctlr, wxn: true } }));
    // AP 00 at EL1 (RW): X dropped; AP 10 (RO): X kept; AP 01 at EL0 (RW): X dropped.
    expect([perms(wxn, 0, 1), perms(wxn, 2, 1), perms(wxn, 1, 0)]).toEqual([R | W, R | X, R | W]);
  });

  it("APTable, PXNTable, UXNTable in the level-2 table descriptor restrict everything below; TCR_EL1.HPD1 ignores them", () => {
    const s = setup(guestJson({ mappings: pages }), maps);
    const r0 = walkVa(s.nw, 0xffffff8000000000n, ACCESS_READ, 1);
    const l2Pa = Number(r0.steps[1].entryPa);
    s.guest.mem.read64(l2Pa);
    const lo = s.guest.mem.lo;
    // APTable 11 (no EL0, no write) | PXNTable | UXNTable.
    s.guest.mem.write64(l2Pa, lo, (S1_APTABLE_HI | S1_PXNTABLE_HI | S1_UXNTABLE_HI) >>> 0);
    // AP 01 (EL1 RW, EL0 RW) now gives EL1 R only (PXNTable) and EL0 nothing (APTable[0], UXNTable);
    // AP 11 the same.
    expect([perms(s.nw, 1, 1), perms(s.nw, 1, 0), perms(s.nw, 3, 1), perms(s.nw, 3, 0)]).toEqual([R, 0, R, 0]);
    const hpd = rewalk(s, (c) => ({ ...c, tcr: { ...c.tcr, hpd1: true } }));
    expect([perms(hpd, 1, 1), perms(hpd, 1, 0)]).toEqual([R | W, R | W | X]);
  });
});

describe("stage 1 disabled, and the HCR_EL2 / SCTLR_EL1 controls the combine rules mention", () => {
  const wb: Array<[number, number, number, string]> = [[0x10000000, 0x200000, 0x90000000, "R|W|X"]];

  it("SCTLR_EL1.M = 0: IPA = VA; a data access is Device-nGnRnE (AArch64_S1DisabledOutput), a fetch Normal WT (SCTLR_EL1.I = 1) or NC", () => {
    const s = setup(guestJson({ sctlr: { m: false } }), wb, { fwb: false });
    expect(tr(s.nw, 0x10001040n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([s.nw.ipa, s.nw.pa, s.nw.s1Attr, s.nw.s1Sh]).toEqual([0x10001040, 0x90001040, 0x00, OSH]);
    // FWB off, stage 2 WB: S2CombineS1MemAttrs keeps stage-1 Device -> 0x00 OSH.
    expect([nestedMemType(s.nw, ACCESS_READ).attr, nestedMemType(s.nw, ACCESS_READ).sh]).toEqual([0x00, OSH]);
    // Instruction fetch: Normal Inner/Outer WT RA non-transient (0xAA), OSH; WT + WB = WT with stage 1's hints -> 0xAA OSH.
    expect(tr(s.nw, 0x10001040n, ACCESS_EXEC)).toBe(FAULT_NONE);
    expect([s.nw.s1Attr, nestedMemType(s.nw, ACCESS_EXEC).attr, nestedMemType(s.nw, ACCESS_EXEC).sh]).toEqual([0xaa, 0xaa, OSH]);
    // SCTLR_EL1.I = 0: Normal NC; NC + WB = NC -> 0x44 OSH.
    const noI = rewalk(s, (c) => ({ ...c, sctlr: { ...c.sctlr, i: false } }));
    expect(tr(noI, 0x10001040n, ACCESS_EXEC)).toBe(FAULT_NONE);
    expect([nestedMemType(noI, ACCESS_EXEC).attr, nestedMemType(noI, ACCESS_EXEC).sh]).toEqual([0x44, OSH]);
    // With FWB, stage-2 MT_S2_FWB_NORMAL (0b110) forces WB over the Device output: 0xFF, OSH (OSH + ISH).
    const f = setup(guestJson({ sctlr: { m: false } }), wb, { fwb: true });
    expect(tr(f.nw, 0x10001040n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([nestedMemType(f.nw, ACCESS_READ).attr, nestedMemType(f.nw, ACCESS_READ).sh]).toEqual([0xff, OSH]);
  });

  it("SCTLR_EL1.M = 0: a VA beyond PAMax is a stage-1 Address size fault at level 0; beyond the IPA size a stage-2 Translation fault", () => {
    const s = setup(guestJson({ sctlr: { m: false } }), wb);
    // PAMax 48: VA bit 48 set -> Address size fault, level 0, stage 1 (ESR_EL1 0x96000000).
    expect([tr(s.nw, 0x1000000000000n, ACCESS_READ), s.nw.faultStage, s.nw.faultLevel]).toEqual([FAULT_ADDRESS_SIZE, STAGE_1, 0]);
    // 2^40 <= VA < 2^48: IPA = VA is beyond the 40-bit IPA size: stage-2 Translation fault, level 0, S1PTW 0.
    expect([tr(s.nw, 0x10000000000n, ACCESS_READ), s.nw.faultStage, s.nw.faultLevel, s.nw.s1ptw]).toEqual([FAULT_TRANSLATION, STAGE_2, 0, false]);
    expect(hpfarOf(BigInt(s.nw.faultIpa))).toBe(0x100000000n);
  });

  it("HCR_EL2.DC = 1: stage 1 off even with SCTLR_EL1.M = 1; Normal WB Non-shareable combined with stage 2", () => {
    const map = { va: "0x10000000", size: "0x1000", ipa: "0x10000000", attrindx: 3, sh: 3 };
    const s = setup(guestJson({ mappings: [map], hcr: { dc: true } }), [...wb, [0x20000000, 0x1000, 0xa0000000, "R|W|DEVICE"]], { fwb: false });
    expect(s.nw.s1Enabled).toBe(false);
    expect(tr(s.nw, 0x10001040n, ACCESS_READ)).toBe(FAULT_NONE);
    // AArch64.S1DisabledOutput (DC): WB RWA NSH; FWB off, stage-2 WB ISH: WB + WB = WB, NSH + ISH = ISH -> 0xFF ISH.
    expect([nestedMemType(s.nw, ACCESS_READ).attr, nestedMemType(s.nw, ACCESS_READ).sh]).toEqual([0xff, ISH]);
    // Over stage-2 Device-nGnRE: stage 2's Device wins -> 0x04 OSH.
    expect(tr(s.nw, 0x20000000n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([nestedMemType(s.nw, ACCESS_READ).attr, nestedMemType(s.nw, ACCESS_READ).sh]).toEqual([0x04, OSH]);
  });

  it("HCR_EL2.CD = 1 and SCTLR_EL1.C = 0 make a guest Normal-WB data access Non-cacheable: 0x44 OSH", () => {
    const map = { va: "0xffffff8000000000", size: "0x1000", ipa: "0x10000000", attrindx: 0, sh: 3 };
    const s = setup(guestJson({ mappings: [map] }), wb, { fwb: false });
    expect(tr(s.nw, 0xffffff8000000010n, ACCESS_READ)).toBe(FAULT_NONE);
    expect(nestedMemType(s.nw, ACCESS_READ).attr).toBe(0xff);
    // HCR_EL2.CD: AArch64_S2Translate treats stage-2 Normal as NC: WB + NC = NC; NC/NC is OSH.
    const cd = rewalk(s, (c) => ({ ...c, hcr: { ...c.hcr, cd: true } }));
    expect(tr(cd, 0xffffff8000000010n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([nestedMemType(cd, ACCESS_READ).attr, nestedMemType(cd, ACCESS_READ).sh]).toEqual([0x44, OSH]);
    // SCTLR_EL1.C = 0: AArch64_S1Translate makes stage-1 Normal data NC: NC + WB = NC.
    const c0 = rewalk(s, (c) => ({ ...c, sctlr: { ...c.sctlr, c: false } }));
    expect(tr(c0, 0xffffff8000000010n, ACCESS_READ)).toBe(FAULT_NONE);
    expect([nestedMemType(c0, ACCESS_READ).attr, nestedMemType(c0, ACCESS_READ).sh]).toEqual([0x44, OSH]);
  });

  it("a stage-2 Permission fault on the output IPA: S1PTW 0, HPFAR_EL2 UNKNOWN (IPAValid)", () => {
    const map = { va: "0xffffff8000000000", size: "0x1000", ipa: "0x10000000", attrindx: 0, sh: 3 };
    const s = setup(guestJson({ mappings: [map] }), [[0x10000000, 0x1000, 0x90000000, "R"]]);
    expect(tr(s.nw, 0xffffff8000000010n, ACCESS_WRITE)).toBe(FAULT_PERMISSION);
    const f = walkVa(s.nw, 0xffffff8000000010n, ACCESS_WRITE, 1).fault;
    // 0x92000000 | WnR 0x40 | Permission level 3 0x0f = 0x9200004f.
    expect(f?.stage === 2 ? [f.esr, f.s1ptw, f.hpfar, f.ipa, f.far] : null).toEqual([0x9200004f, false, null, "0x10000010", "0xffffff8000000010"]);
  });
});
