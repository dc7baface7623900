// src/scenario/translate.ts and rawops.ts: the results of the translate_va
// and at ops of a replay (docs/two-stage.md, docs/raw-descriptors-and-at.md:
// {"ipa", "pa", "s1_level", "s2_level", "attr", "sh", "memtype"} or
// {"fault": {...}}). Every value is worked by hand from the Arm ASL
// (S2CombineS1MemAttrs: Device wins and reports OSH, Write-Back with
// Write-Back keeps the stage-1 byte; S2CombineS1Shareability: NSH only when
// both stages are NSH; a reserved MAIR byte is UNKNOWN, so ATTR and SH are
// open) and the Arm ARM ESR_ELx (EC 0x25 data abort at the same EL, 0x24
// from a lower EL, IL bit 25, xFSC Translation 0b0001LL), HPFAR_EL2.FIPA =
// IPA[51:12] << 4. Written for the surviving mutants of `npm run mutate`
// (issue 23).
import { describe, expect, it } from "vitest";
import { parseScenarioText } from "../../src/scenario/format.js";
import { replay } from "../../src/scenario/replay.js";

const CFG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: false, tlb_range: false };
// Guest tables in 16 pages at IPA 0x40000000 (PA 0x80000000). MAIR_EL1: Attr0 0x04, Attr1 0xff, Attr2 0x40 (reserved), Attr3 0x00.
const POOL_MAP = { op: "map", ipa: "0x40000000", size: "0x10000", pa: "0x80000000", prot: "R|W", flags: "" };
const GUEST = {
  tcr: { t0sz: 25, tg0: 4096, ips: 40 },
  mair: "0x000000000040ff04",
  table_pool: { ipa: "0x40000000", size: "0x10000" },
  mappings: [
    { va: "0x1000", size: "0x1000", ipa: "0x50000000", attrindx: 1 },
    { va: "0x2000", size: "0x1000", ipa: "0x50001000", attrindx: 0 },
    { va: "0x3000", size: "0x1000", ipa: "0x50002000", attrindx: 2 },
    { va: "0x4000", size: "0x1000", ipa: "0x50003000", attrindx: 1, sh: 0 },
    { va: "0x5000", size: "0x1000", ipa: "0x60000000", attrindx: 1 },
    { va: "0x6000", size: "0x1000", ipa: "0x50000000", attrindx: 3 },
  ],
};
// IPA 0x50003000 -> PA 0x90003000 as a raw stage-2 page: MemAttr 0xF (Normal WB, FWB off), SH 0 (NSH), S2AP RW, AF, XN:
// 0x90003000 + 0x400 + 0xc0 + 0x3c + 3 = 0x900034ff, bit 54.
const S2_NSH_PAGE = "0x400000900034ff";

function ops(list: unknown[], guest: unknown = GUEST): Array<Record<string, unknown>> {
  const doc = { name: "t", config: CFG, ops: list, ...(guest ? { guest } : {}) };
  return replay(parseScenarioText(JSON.stringify(doc))).result.ops;
}

describe("translate_va results", () => {
  it("the memory type of each mapping, ATTR and SH as PAR_EL1 gives them (null where open)", () => {
    const r = ops([
      POOL_MAP,
      { op: "map", ipa: "0x50000000", size: "0x3000", pa: "0x90000000", prot: "R|W", flags: "" },
      { op: "set_pte", ipa: "0x50003000", level: 3, pte: S2_NSH_PAGE },
      { op: "translate_va", va: "0x1000", access: "r" },
      { op: "translate_va", va: "0x2000", access: "r" },
      { op: "translate_va", va: "0x3000", access: "r" },
      { op: "translate_va", va: "0x4000", access: "r" },
      { op: "translate_va", va: "0x6000", access: "r" },
    ]);
    // WB over stage-2 WB (MemAttr 0xF), both ISH: 0xff, ISH.
    expect(r[3]).toEqual({ ipa: "0x50000000", pa: "0x90000000", s1_level: 3, s2_level: 3, attr: "0xff", sh: 3, memtype: "Normal-WB" });
    // Device-nGnRE at stage 1 wins: 0x04 (two hex digits), OSH.
    expect(r[4]).toEqual({ ipa: "0x50001000", pa: "0x90001000", s1_level: 3, s2_level: 3, attr: "0x04", sh: 2, memtype: "Device-nGnRE" });
    // A reserved MAIR byte: ATTR and SH open.
    expect(r[5]).toMatchObject({ ipa: "0x50002000", pa: "0x90002000", attr: null, sh: null });
    // Both stages NSH: SH 0, not open.
    expect(r[6]).toEqual({ ipa: "0x50003000", pa: "0x90003000", s1_level: 3, s2_level: 3, attr: "0xff", sh: 0, memtype: "Normal-WB" });
    // Device-nGnRnE at stage 1: ATTR 0x00, not open.
    expect(r[7]).toMatchObject({ attr: "0x00", sh: 2, memtype: "Device-nGnRnE" });
  });

  it("faults: stage 1 (to EL1), stage 2 on the output IPA (to EL2, HPFAR)", () => {
    const r = ops([POOL_MAP, { op: "translate_va", va: "0x9000", access: "r" }, { op: "translate_va", va: "0x5000", access: "w" }]);
    // VA 0x9000: level-3 entry 9 empty: Translation fault level 3; ESR_EL1 = 0x25 << 26 | IL | 0x07.
    expect(r[1]).toEqual({ fault: { stage: 1, type: "translation", level: 3, fsc: "0x7", esr_el1: "0x96000007" } });
    // IPA 0x60000000: stage-2 level-1 entry 1 is the pool's table, its level-2 entry 0x100 empty: level 2.
    // ESR_EL2 = 0x24 << 26 | IL | WnR (0x40) | 0x06; HPFAR = 0x60000000 >> 12 << 4.
    expect(r[2]).toEqual({
      fault: { stage: 2, type: "translation", level: 2, s1ptw: false, fsc: "0x6", esr_el2: "0x92000046", hpfar: "0x600000" },
    });
  });

  it("the guest tables written at the first op that needs them: an error there names that op, index 0 included", () => {
    // The pool is not mapped at stage 2 when the tables are written (docs/two-stage.md).
    const noPool = /: a table-pool page at IPA 0x40000000 is not mapped at stage 2 when the guest tables are written/;
    expect(() => ops([{ op: "translate_va", va: "0x1000", access: "r" }])).toThrow(new RegExp(`ops\\[0\\] translate_va${noPool.source}`));
    expect(() => ops([{ op: "at", insn: "S1E1R", va: "0x1000" }])).toThrow(new RegExp(`ops\\[0\\] at${noPool.source}`));
    expect(() =>
      ops([
        { op: "map", ipa: "0x0", size: "0x1000", pa: "0x0", prot: "R", flags: "" },
        { op: "at", insn: "S1E1R", va: "0x1000" },
      ]),
    ).toThrow(new RegExp(`ops\\[1\\] at${noPool.source}`));
  });
});
