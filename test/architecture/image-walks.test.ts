// Walks over hand-built memory images, the answers worked by hand from the
// Arm ASL (AArch64.S2Translate / S2Walk, AArch64.S1Translate, FetchDescriptor
// -> HandleExternalTTWAbort, EncodeLDFSC, IPAValid), not computed by s2pt.
//
// examples/images/4k.json, every non-zero entry (docs/memory-images.md walks
// through it). Stage 2: VTTBR_EL2 0x1000080000000 (VMID 1, BADDR 0x80000000),
// VTCR_EL2 0x80023558 = T0SZ 24 (40-bit IPA), SL0 0b01 (start level 1, so
// 2^(40-30) = 1024 root entries: 2 concatenated 4K tables, 8K aligned),
// IRGN0/ORGN0 WBWA, SH0 Inner, TG0 4K, PS 0b010 (40 bits), HA 0, HD 0;
// HCR_EL2.FWB 0.
//   0x80000000 [1] 0x80002003          table -> 0x80002000           IPA [1G, 2G)
//              [2] 0x00400000c00007fd  1G block -> 0xc0000000, AF, SH 11, S2AP 11, MemAttr 1111, XN 1
//              [3] 0x90000003          table -> 0x90000000 (not in the image)
//   0x80001000  zeros (root table 1: IPA [512G, 1T))
//   0x80002000 [0] 0x80003003          table -> 0x80003000           IPA [1G, 1G + 2M)
//              [1] 0x0040000050200445  2M block -> 0x50200000, AF, SH 00, S2AP 01 (RO), MemAttr 0001 (Device-nGnRE), XN 1
//   0x80003000 [0] 0x600007ff          page -> 0x60000000, AF, S2AP 11, MemAttr 1111
//              [1] 0x600013ff          page -> 0x60001000, AF 0
//              [2] 0x00000100000007ff  page -> 0x10000000000 (bit 40: beyond PS)
//              [3] 0x800047ff          page -> 0x80004000 (the guest's stage-1 root)
//              [5] 0x900057ff          page -> 0x90005000 (not in the image)
//   0x80004000 stage-1 level-1 table (TTBR0_EL1 = IPA 0x40003000)
//              [0] 0x40000701          1G block -> IPA 0x40000000, AttrIndx 0, AP 00, SH 11, AF
//              [1] 0x40004003          table -> IPA 0x40004000 (unmapped at stage 2: [4] is 0)
//              [2] 0x40005003          table -> IPA 0x40005000 (-> PA 0x90005000, not in the image)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { imageFromBinary, imageFromJson } from "../../src/scenario/image.js";
import { ImageTables, s2WalkParams } from "../../src/walker/image.js";
import { S2Walker } from "../../src/walker/translate.js";
import { walkIpa } from "../../src/walker/describe.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../../src/walker/fault.js";
import { guestConfigFromRegisters } from "../../src/stage1/image.js";
import { NestedWalker } from "../../src/stage1/walk.js";
import { walkVa } from "../../src/stage1/describe.js";
import { PhysMemory } from "../../src/pgtable/physmem.js";
import { repoRoot } from "../helpers.js";

const IMAGE = readFileSync(join(repoRoot, "examples", "images", "4k.json"), "utf8");
const VTTBR = 0x1000080000000n;
const VTCR = 0x80023558n;

function s2(mem: PhysMemory, vtcr = VTCR, vttbr = VTTBR): S2Walker {
  const p = s2WalkParams({ vttbr, vtcr, fwb: false });
  return new S2Walker(new ImageTables(mem, p), { ha: p.ha, hd: p.hd });
}

/** [IPA, access, PA or null, level, fault type or null, FSC, ESR_EL2 or null, HPFAR_EL2 or null] */
const STAGE2: Array<[number, number, string | null, number, string | null, number, string | null, string | null]> = [
  // L1 [1] -> L2 [0] -> L3 [0]: page 0x60000000 + 0x123.
  [0x40000123, ACCESS_READ, "0x60000123", 3, null, 0, null, null],
  // L3 [1]: AF = 0 with VTCR_EL2.HA = 0: Access flag fault, level 3 (0b001011); HPFAR valid, FIPA = IPA[51:12].
  [0x40001000, ACCESS_READ, null, 3, "access_flag", 0x0b, "0x9200000b", "0x400010"],
  // L3 [2]: output address bit 40 set, PS 40 bits: Address size fault, level 3 (0b000011).
  [0x40002000, ACCESS_READ, null, 3, "address_size", 0x03, "0x92000003", "0x400020"],
  // L2 [1]: 2M block, S2AP 01 (read only): a read gets 0x50200000 + 0x10 at level 2 ...
  [0x40200010, ACCESS_READ, "0x50200010", 2, null, 0, null, null],
  // ... a write a Permission fault, level 2 (0b001110), WnR 1, HPFAR UNKNOWN (IPAValid: not for a Permission fault).
  [0x40200000, ACCESS_WRITE, null, 2, "permission", 0x0e, "0x9200004e", null],
  // L1 [2]: 1G block at 0xc0000000: a read at level 1; an instruction fetch: XN, Permission fault level 1, EC 0x20.
  [0x80001234, ACCESS_READ, "0xc0001234", 1, null, 0, null, null],
  [0x80001234, ACCESS_EXEC, null, 1, "permission", 0x0d, "0x8200000d", null],
  // L1 [3]: table at 0x90000000, which the image does not hold: the level-2 read fails,
  // Synchronous External abort on the walk, level 2 (0b010110); HPFAR UNKNOWN (IPAValid: not for an external abort).
  [0xc0000000, ACCESS_READ, null, 2, "external_abort_walk", 0x16, "0x92000016", null],
  // L2 [2] = 0: Translation fault, level 2 (0b000110).
  [0x40400000, ACCESS_READ, null, 2, "translation", 0x06, "0x92000006", "0x404000"],
  // Root table 1, [0] = 0: Translation fault, level 1 (0b000101).
  [0x8000000000, ACCESS_READ, null, 1, "translation", 0x05, "0x92000005", "0x80000000"],
  // 2^40: beyond the 40-bit IPA (AArch64.IPAIsOutOfRange): Translation fault, level 0.
  [2 ** 40, ACCESS_READ, null, 0, "translation", 0x04, "0x92000004", "0x100000000"],
];

function checkStage2(w: S2Walker, what: string): void {
  for (const [ipa, access, pa, level, type, fsc, esr, hpfar] of STAGE2) {
    const r = walkIpa(w, ipa, access, 1);
    const at = `${what}: IPA 0x${ipa.toString(16)} access ${access}`;
    if (pa !== null) {
      expect(r.fault, at).toBeNull();
      expect([r.result?.pa, r.result?.level], at).toEqual([pa, level]);
    } else {
      expect(r.result, at).toBeNull();
      expect([r.fault?.type, r.fault?.level, r.fault?.fsc, `0x${(r.fault?.esr ?? 0).toString(16)}`, r.fault?.hpfar], at).toEqual([
        type,
        level,
        fsc,
        esr,
        hpfar,
      ]);
    }
  }
}

describe("a hand-built 4K image (examples/images/4k.json), stage 2", () => {
  it("every leaf and fault as the ASL gives it", () => {
    checkStage2(s2(imageFromJson(IMAGE)), "JSON");
  });

  it("the external abort names the PA the walk could not read (the level-2 entry at 0x90000000)", () => {
    const r = walkIpa(s2(imageFromJson(IMAGE)), 0xc0000000, ACCESS_READ, 1);
    expect(r.fault?.abortPa).toBe("0x90000000");
    expect(r.fault?.title).toBe("Synchronous External abort on translation table walk");
    expect(r.steps.map((s) => s.entryPa)).toEqual(["0x80000018"]);
  });

  it("the same pages as a raw little-endian binary at base 0x80000000 walk the same", () => {
    const bytes = new Uint8Array(5 * 4096);
    const dv = new DataView(bytes.buffer);
    const put = (pa: number, v: bigint): void => dv.setBigUint64(pa - 0x80000000, v, true);
    put(0x80000008, 0x80002003n);
    put(0x80000010, 0x00400000c00007fdn);
    put(0x80000018, 0x90000003n);
    put(0x80002000, 0x80003003n);
    put(0x80002008, 0x0040000050200445n);
    put(0x80003000, 0x600007ffn);
    put(0x80003008, 0x600013ffn);
    put(0x80003010, 0x00000100000007ffn);
    put(0x80003018, 0x800047ffn);
    put(0x80003028, 0x900057ffn);
    checkStage2(s2(imageFromBinary(bytes, 0x80000000, "raw")), "raw");
  });

  it("VTCR_EL2.HA = 1 (0x80223558): the AF = 0 page is walked, and the hardware sets AF in the image", () => {
    const mem = imageFromJson(IMAGE);
    const r = walkIpa(s2(mem, 0x80223558n), 0x40001008, ACCESS_READ, 1);
    expect([r.result?.pa, r.result?.hwUpdates, r.result?.descriptor]).toEqual(["0x60001008", ["AF"], "0x600017ff"]);
    expect(mem.peek(0x80003008)).toBe(0x600017ffn);
  });

  it("SL0 0b10 (start level 0, 0x80023598): one 16-byte root table; the same image walked from BADDR 0x80001000 with a level-0 table finds nothing", () => {
    // Start level 0 with a 40-bit IPA: IPA[39] indexes a 2-entry table. Root at 0x80001000 (all zeros): level-0 Translation fault.
    const r = walkIpa(s2(imageFromJson(IMAGE), 0x80023598n, 0x1000080001000n), 0x40000000, ACCESS_READ, 1);
    expect([r.fault?.type, r.fault?.level, r.fault?.fsc]).toEqual(["translation", 0, 0x04]);
  });

  it("a table far from the root table (127 TiB away, PS 48 bits): found, and its missing neighbour is an external abort", () => {
    // VTCR_EL2 0x80053558: as above with PS 0b101 (48 bits). Root [4] -> table 0x7f0000000000, whose [0] is a 2M block -> 0x40000000;
    // root [5] -> table 0x7e0000000000, not in the image.
    const zeros = (): string[] => Array.from({ length: 512 }, () => "0x0");
    const root = zeros();
    root[4] = "0x7f0000000003";
    root[5] = "0x7e0000000003";
    const far = zeros();
    far[0] = "0x400007fd";
    const mem = imageFromJson(JSON.stringify({ "0x80000000": root, "0x80001000": zeros(), "0x7f0000000000": far }));
    const w = s2(mem, 0x80053558n);
    const ok = walkIpa(w, 0x100001234, ACCESS_READ, 1);
    expect([ok.result?.pa, ok.result?.level, ok.steps.map((s) => s.tablePa)]).toEqual(["0x40001234", 2, ["0x80000000", "0x7f0000000000"]]);
    const ab = walkIpa(w, 0x140000000, ACCESS_READ, 1);
    expect([ab.fault?.type, ab.fault?.level, ab.fault?.fsc, ab.fault?.abortPa]).toEqual(["external_abort_walk", 2, 0x16, "0x7e0000000000"]);
  });

  it("the root table not in the image: every walk takes an external abort at the start level", () => {
    const r = walkIpa(s2(imageFromJson(IMAGE), VTCR, 0x1000100000000n), 0x40000000, ACCESS_READ, 1);
    expect([r.fault?.type, r.fault?.level, r.fault?.fsc, r.fault?.abortPa]).toEqual(["external_abort_walk", 1, 0x15, "0x100000008"]);
  });
});

describe("the same image, two stages: the guest's stage-1 tables inside it", () => {
  // TCR_EL1 0x280990019: T0SZ 25 (39-bit VA, 4K: start level 1, 512 entries), EPD1, TG1 4K, T1SZ 25, IPS 0b010 (40 bits).
  const cfg = guestConfigFromRegisters({ ttbr0: 0x40003000n, ttbr1: 0n, tcr: 0x280990019n, mair: 0xffn, sctlr: 0x1n, hcr: 0x1n });
  const nested = (): NestedWalker => {
    const mem = imageFromJson(IMAGE);
    return new NestedWalker(s2(mem), mem, cfg.cfg);
  };

  it("VA 0x123: the stage-1 entry at IPA 0x40003000 is at PA 0x80004000; its 1G block gives IPA 0x40000123, stage 2 PA 0x60000123; the memory type with SCTLR_EL1.C 0 and 1", () => {
    const r = walkVa(nested(), 0x123n, ACCESS_READ, 1);
    expect([r.ipa, r.pa, r.fault]).toEqual(["0x40000123", "0x60000123", null]);
    expect(r.steps.map((s) => [s.entryIpa, s.entryPa, s.descriptor])).toEqual([["0x40003000", "0x80004000", "0x40000701"]]);
    // SCTLR_EL1 0x1: M 1, C 0: the data access is Non-cacheable at stage 1 (AArch64.S1Translate: Normal NC, Outer Shareable),
    // and Normal NC over stage-2 Normal WB stays NC (S2CombineS1MemAttrs): 0x44, OSH.
    expect([r.memtype?.attr, r.memtype?.sh]).toEqual([0x44, 2]);
    // SCTLR_EL1 0x5 (M, C): MAIR Attr0 0xff, SH ISH, over Normal WB, SH ISH: 0xff, ISH.
    const mem = imageFromJson(IMAGE);
    const c = guestConfigFromRegisters({ ttbr0: 0x40003000n, ttbr1: 0n, tcr: 0x280990019n, mair: 0xffn, sctlr: 0x5n, hcr: 0x1n });
    const rc = walkVa(new NestedWalker(s2(mem), mem, c.cfg), 0x123n, ACCESS_READ, 1);
    expect([rc.memtype?.attr, rc.memtype?.sh]).toEqual([0xff, 3]);
  });

  it("VA 0x40000000: the level-2 table at IPA 0x40004000 is unmapped at stage 2: stage-2 Translation fault level 3, S1PTW 1, HPFAR 0x400040", () => {
    const r = walkVa(nested(), 0x40000000n, ACCESS_READ, 1);
    expect([r.fault?.stage, r.fault?.type, r.fault?.level, `0x${(r.fault?.esr ?? 0).toString(16)}`]).toEqual([2, "translation", 3, "0x92000087"]);
    expect(r.fault?.stage === 2 ? r.fault.hpfar : null).toBe("0x400040");
  });

  it("VA 0x80000000: stage 2 puts the level-2 entry at PA 0x90005000, which the image does not hold: a stage-1 external abort on the walk, level 2, to EL1", () => {
    const r = walkVa(nested(), 0x80000000n, ACCESS_READ, 1);
    expect([r.fault?.stage, r.fault?.type, r.fault?.level, r.fault?.fsc, `0x${(r.fault?.esr ?? 0).toString(16)}`]).toEqual([
      1,
      "external_abort_walk",
      2,
      0x16,
      "0x96000016",
    ]);
    expect(r.steps.map((s) => [s.entryPa, s.descriptor])).toEqual([
      ["0x80004010", "0x40005003"],
      ["0x90005000", null],
    ]);
  });
});

describe("the same image with stage 2 off (HCR_EL2.VM = 0): the guest's tables read at their IPAs as PAs", () => {
  // TTBR0_EL1 = 0x80004000, the stage-1 root's PA; PAMax 48.
  const cfg = guestConfigFromRegisters({ ttbr0: 0x80004000n, ttbr1: 0n, tcr: 0x280990019n, mair: 0xffn, sctlr: 0x5n, hcr: 0n });
  const walker = (): NestedWalker => new NestedWalker(null, imageFromJson(IMAGE), cfg.cfg, 48);

  it("VA 0x123: [0] is a 1G block -> 0x40000000, so PA 0x40000123 (AArch64.FullTranslate without S2Translate), no combine", () => {
    expect(cfg.stage2).toBe(false);
    const r = walkVa(walker(), 0x123n, ACCESS_READ, 1);
    expect([r.ipa, r.pa, r.memtype, r.s1Attr, r.steps.map((s) => [s.entryPa, s.s2])]).toEqual(["0x40000123", "0x40000123", null, 0xff, [["0x80004000", null]]]);
  });

  it("VA 0x40000000: [1] -> a table at PA 0x40004000, not in the image: a stage-1 external abort on the walk, level 2", () => {
    const r = walkVa(walker(), 0x40000000n, ACCESS_READ, 1);
    expect([r.fault?.stage, r.fault?.type, r.fault?.level, `0x${(r.fault?.esr ?? 0).toString(16)}`]).toEqual([1, "external_abort_walk", 2, "0x96000016"]);
    expect(r.steps.map((s) => s.entryPa)).toEqual(["0x80004008", "0x40004000"]);
  });
});
