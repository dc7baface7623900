// Raw descriptors (set_pte, the guest's `descriptors`) and the AT
// instructions (issue 18 items 1 and 3), through real walks of replayed
// scenarios. Every expected value is a literal worked out by hand in the
// comment next to it, from the Arm ASL (rems-project/sail-arm v8_base.sail:
// AArch64_S1Translate / AArch64_S1Walk, AArch64_S2Translate,
// S2DecodeMemAttrs, S2CombineS1MemAttrs, AArch64_S2ApplyFWBMemAttrs,
// EncodePARAttrs, PAREncodeShareability, EncodeLDFSC), the Arm ARM's PAR_EL1
// page (64-bit format) and ../shared/reference/arch-attributes.md sections 2,
// 3 and 5. Never from the code under test.
//
// PAR_EL1, F = 0: ATTR << 56 | PA[51:12] | NSE bit 11 (RES1 without FEAT_RME)
//                 | NS bit 9 (0: UNKNOWN for Non-secure) | SH << 7
// PAR_EL1, F = 1: S << 9 | PTW << 8 | bit 11 (RES1) | FST << 1 | 1
import { describe, expect, it } from "vitest";
import { parseScenarioText } from "../../src/scenario/format.js";
import { replay } from "../../src/scenario/replay.js";
import { S2Walker } from "../../src/walker/translate.js";

const CFG = (fwb: boolean) => ({ granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb, tlb_range: false });
// The guest's tables live in 16 pages of RAM at IPA 0x40000000.
const POOL_MAP = { op: "map", ipa: "0x40000000", size: "0x10000", pa: "0x80000000", prot: "R|W", flags: "" };
// MAIR_EL1: Attr0 0x04 (Device-nGnRE), Attr1 0xff (Normal WB RWA), Attr2 0x44 (Normal NC).
const GUEST = (extra: Record<string, unknown> = {}) => ({
  tcr: { t0sz: 25, tg0: 4096, ips: 40 },
  mair: "0x000000000044ff04",
  table_pool: { ipa: "0x40000000", size: "0x10000" },
  ...extra,
});

function run(doc: Record<string, unknown>): { ops: Array<Record<string, unknown>>; dump: Array<Record<string, unknown>> } {
  const { result } = replay(parseScenarioText(JSON.stringify(doc)));
  return { ops: result.ops, dump: result.dump as unknown as Array<Record<string, unknown>> };
}

/** A stage-2 level-3 page: PA, MemAttr[3:0], SH, S2AP RW, AF, XN. */
function s2Page(pa: number, memattr: number, sh: number): string {
  const lo = (pa % 2 ** 32) + 0x400 + (sh << 8) + 0xc0 + (memattr << 2) + 3;
  return "0x" + (BigInt(Math.floor(pa / 2 ** 32)) * 2n ** 32n + BigInt(lo) + (1n << 54n)).toString(16);
}

// Stage 1: VA 0x10000 + i * 0x1000 -> IPA 0x50000000 + i * 0x1000, Attr1 (0xff), SH ISH.
// Stage 2 (set_pte): IPA 0x50000000 + i * 0x1000 -> PA 0x90000000 + i * 0x1000, MemAttr i, SH ISH.
function memattrScenario(fwb: boolean): Record<string, unknown> {
  const ops: unknown[] = [POOL_MAP];
  for (let i = 0; i < 16; i++)
    ops.push({ op: "set_pte", ipa: "0x" + (0x50000000 + i * 0x1000).toString(16), level: 3, pte: s2Page(0x90000000 + i * 0x1000, i, 3) });
  for (let i = 0; i < 16; i++) ops.push({ op: "at", insn: "S12E1R", va: "0x" + (0x10000 + i * 0x1000).toString(16) });
  for (let i = 0; i < 16; i++) ops.push({ op: "at", insn: "S1E1R", va: "0x" + (0x10000 + i * 0x1000).toString(16) });
  return {
    name: "memattr",
    config: CFG(fwb),
    ops,
    guest: GUEST({ mappings: [{ va: "0x10000", size: "0x10000", ipa: "0x50000000", attrindx: 1, level: 3 }] }),
  };
}

// S1 = MAIR 0xff (Normal WB RWA non-transient both halves), SH ISH; S2 SH ISH. Columns: ATTR, SH (null: open).
// FWB off (S2DecodeMemAttrs, then S2CombineS1MemAttrs: the weaker cacheability per half, stage-1 hints):
const NOFWB: Array<[string | null, number | null]> = [
  ["0x00", 2], // 0b0000 Device-nGnRnE wins; Device reports OSH
  ["0x04", 2], // 0b0001 Device-nGnRE
  ["0x08", 2], // 0b0010 Device-nGRE
  ["0x0c", 2], // 0b0011 Device-GRE
  [null, null], // 0b0100 outer NC, inner reserved: NC/WT/WB -> 0x44 OSH, 0x4b ISH or 0x4f ISH
  ["0x44", 2], // 0b0101 NC/NC: 0x44, forced OSH
  ["0x4b", 3], // 0b0110 outer NC, inner WT (WT non-transient RW = 0b1011)
  ["0x4f", 3], // 0b0111 outer NC, inner WB
  [null, 3], // 0b1000 outer WT, inner reserved: 0xb4/0xbb/0xbf, all ISH
  ["0xb4", 3], // 0b1001 outer WT, inner NC
  ["0xbb", 3], // 0b1010 WT/WT
  ["0xbf", 3], // 0b1011 outer WT, inner WB
  [null, 3], // 0b1100 outer WB, inner reserved: 0xf4/0xfb/0xff, all ISH
  ["0xf4", 3], // 0b1101 outer WB, inner NC
  ["0xfb", 3], // 0b1110 outer WB, inner WT
  ["0xff", 3], // 0b1111 WB/WB: the stage-1 byte
];
// FWB on (AArch64_S2ApplyFWBMemAttrs; MemAttr[3] RES0 and ignored without FEAT_MTE_PERM):
const FWB: Array<[string | null, number | null]> = [
  ["0x00", 2], // 0b000 Device-nGnRnE over stage-1 Normal
  ["0x04", 2], // 0b001 Device-nGnRE
  ["0x08", 2], // 0b010 Device-nGRE
  ["0x0c", 2], // 0b011 Device-GRE
  ["0x44", 2], // 0b100 (reserved in the text; the ASL's 0b101 arm): Normal NC over stage-1 Normal
  ["0x44", 2], // 0b101 Normal NC
  ["0xff", 3], // 0b110 forced WB keeping the stage-1 hints (RWA non-transient): 0xff; ISH and ISH give ISH
  ["0xff", 3], // 0b111 the stage-1 attributes
];

describe("every stage-2 MemAttr, FWB off and on, through set_pte, a real two-stage walk and AT S12E1R", () => {
  for (const fwb of [false, true]) {
    it(`FWB ${fwb ? "on" : "off"}: PAR_EL1 of AT S12E1R is the combined attributes, of AT S1E1R the stage-1 ones`, () => {
      const { ops } = run(memattrScenario(fwb));
      for (let i = 0; i < 16; i++) {
        const [attr, sh] = fwb ? FWB[i & 7] : NOFWB[i];
        const r = ops[17 + i];
        const pa = 0x90000000 + i * 0x1000;
        expect(r.f, `MemAttr ${i}`).toBe(0);
        expect(r.oa, `MemAttr ${i}`).toBe("0x" + pa.toString(16));
        expect(r.attr, `MemAttr ${i}`).toBe(attr);
        expect(r.sh, `MemAttr ${i}`).toBe(sh);
        if (attr !== null && sh !== null) {
          // ATTR << 56 | PA | NSE (0x800) | SH << 7
          const par = (BigInt(attr) << 56n) | BigInt(pa) | 0x800n | (BigInt(sh) << 7n);
          expect(r.par, `MemAttr ${i}`).toBe("0x" + par.toString(16));
        } else expect(r.par, `MemAttr ${i}`).toBeNull();
        // AT S1E1R on the same tables: stage 1 alone, whatever stage 2 says: IPA, 0xff, ISH.
        const s1 = ops[33 + i];
        const ipa = 0x50000000 + i * 0x1000;
        expect(s1.par, `MemAttr ${i}`).toBe("0x" + ((0xffn << 56n) | BigInt(ipa) | 0x800n | (3n << 7n)).toString(16));
      }
      // The reserved inner halves list their permitted outcomes (FWB off, MemAttr 0b0100: NC/WT/WB inner under an NC outer).
      if (!fwb) expect(ops[17 + 4].permitted).toEqual({ attr: ["0x44", "0x4b", "0x4f"], sh: [2, 3] });
    });
  }
});

describe("stage-2 SH Non-shareable (set_pte with SH = 0b00)", () => {
  // S2 MemAttr 0xf (WB/WB, FWB off), SH NSH. S2CombineS1Shareability: OSH if either is OSH, else
  // ISH if either is ISH, else NSH. Stage 1 SH NSH (VA 0x1000) -> NSH; stage 1 SH ISH (VA 0x2000) -> ISH.
  it("combines to NSH only when stage 1 is NSH too", () => {
    const { ops } = run({
      name: "nsh",
      config: CFG(false),
      ops: [
        POOL_MAP,
        { op: "set_pte", ipa: "0x50000000", level: 3, pte: s2Page(0x90000000, 0xf, 0) },
        { op: "at", insn: "S12E1R", va: "0x1000" },
        { op: "at", insn: "S12E1R", va: "0x2000" },
      ],
      guest: GUEST({
        mappings: [
          { va: "0x1000", size: "0x1000", ipa: "0x50000000", attrindx: 1, sh: 0 },
          { va: "0x2000", size: "0x1000", ipa: "0x50000000", attrindx: 1, sh: 3 },
        ],
      }),
    });
    expect(ops[2].par).toBe("0xff00000090000800"); // 0xff, SH 0b00
    expect(ops[3].par).toBe("0xff00000090000980"); // 0xff, SH 0b11 (0x180)
  });
});

describe("stage-1 Address size faults from raw guest descriptors (an OA beyond TCR_EL1.IPS = 40 bits)", () => {
  // Leaf: OA 0x100060000000 (bit 44 set) at level 3: AArch64_S1Walk checks the leaf's OA -> Address size
  // fault, level 3: FST 0b000011. Table: a level-1 table descriptor whose next table is at 2^40 ->
  // Address size fault at the table descriptor's level, 1: FST 0b000001.
  const doc = {
    name: "addrsz",
    config: CFG(true),
    ops: [POOL_MAP, { op: "at", insn: "S1E1R", va: "0x2000" }, { op: "at", insn: "S12E1W", va: "0x2000" }, { op: "at", insn: "S1E1R", va: "0x80000000" }],
    guest: GUEST({
      descriptors: [
        { va: "0x2000", level: 3, pte: "0x0000100060000743" },
        { va: "0x80000000", level: 1, pte: "0x0000010000000003" },
      ],
    }),
  };
  it("PAR_EL1 F = 1, S = 0, FST = the level of the descriptor", () => {
    const { ops } = run(doc);
    // 0x800 | 0x03 << 1 | 1
    expect(ops[1]).toMatchObject({ par: "0x807", f: 1, fst: "0x03", s: 0, ptw: 0, fault: { stage: 1, type: "address_size", level: 3 } });
    expect(ops[2]).toMatchObject({ par: "0x807", fault: { stage: 1, type: "address_size", level: 3 } });
    // 0x800 | 0x01 << 1 | 1
    expect(ops[3]).toMatchObject({ par: "0x803", fst: "0x01", fault: { stage: 1, type: "address_size", level: 1 } });
  });
});

describe("table attributes in raw stage-1 table descriptors (APTable, PXNTable, UXNTable), a table page at an exact IPA", () => {
  // Level-1 table descriptor for VA 0x40000000 (index 1) -> the next table at IPA 0x4000f000 (the last
  // pool page: placed by the descriptor, not by the pool), APTable = 0b10 (no write below, bit 62),
  // PXNTable (bit 59), UXNTable (bit 60): 0x580000004000f003. The mapping below it goes through that table.
  const doc = {
    name: "tableattrs",
    config: CFG(true),
    ops: [
      POOL_MAP,
      { op: "map", ipa: "0x50000000", size: "0x1000", pa: "0x90000000", prot: "R|W|X", flags: "" },
      { op: "at", insn: "S1E1R", va: "0x40000000" },
      { op: "at", insn: "S1E1W", va: "0x40000000" },
      { op: "translate_va", va: "0x40000000", access: "x", el: 1 },
      { op: "translate_va", va: "0x40000000", access: "x", el: 0 },
      { op: "at", insn: "S12E1R", va: "0x40000000" },
    ],
    guest: GUEST({
      descriptors: [{ va: "0x40000000", level: 1, pte: "0x580000004000f003" }],
      mappings: [{ va: "0x40000000", size: "0x1000", ipa: "0x50000000", attrindx: 1, ap: 1 }],
    }),
  };
  it("AT S1E1R succeeds, AT S1E1W takes a Permission fault at level 3; fetches at EL1 and EL0 fault", () => {
    const { ops } = run(doc);
    // S1E1R: IPA 0x50000000, 0xff ISH.
    expect(ops[2].par).toBe("0xff00000050000980");
    // APTable[1] removes write at every EL: Permission fault, level 3: FST 0x0f -> 0x800 | 0x1e | 1.
    expect(ops[3]).toMatchObject({ par: "0x81f", fault: { stage: 1, type: "permission", level: 3 } });
    // PXNTable: no EL1 fetch; UXNTable: no EL0 fetch (the leaf's AP 01 alone would allow EL0 read/write,
    // which also makes it PXN). Both stage-1 Permission faults at level 3.
    expect(ops[4]).toMatchObject({ fault: { stage: 1, type: "permission", level: 3 } });
    expect(ops[5]).toMatchObject({ fault: { stage: 1, type: "permission", level: 3 } });
    // Both stages: the stage-2 page (kernel map, MemAttr 0xf with FWB... FWB on: 0b110 forced WB) -> 0xff ISH.
    expect(ops[6].par).toBe("0xff00000090000980");
  });
});

describe("stage-2 faults: on the stage-1 walk (PTW) and on the output IPA; AT S1E1R at EL1 takes the walk's fault instead", () => {
  // The guest's root table page is IPA 0x40000000 (the pool's first page); its stage-2 mapping is removed
  // after the guest tables are written (the first at op writes them).
  const doc = {
    name: "s2faults",
    config: CFG(true),
    ops: [
      POOL_MAP,
      { op: "at", insn: "S12E1R", va: "0x1000" },
      { op: "unmap", ipa: "0x40000000", size: "0x1000" },
      { op: "at", insn: "S1E1R", va: "0x1000" },
      { op: "at", insn: "S1E1R", va: "0x1000", from_el: 1 },
      { op: "at", insn: "S12E1R", va: "0x1000" },
    ],
    guest: GUEST({ mappings: [{ va: "0x1000", size: "0x1000", ipa: "0x60000000", attrindx: 1 }] }),
  };
  it("PAR_EL1 S and PTW, FST of the stage-2 walk; the EL1 form as an ESR_EL2", () => {
    const { ops } = run(doc);
    // VA 0x1000 -> IPA 0x60000000, which stage 2 does not map: the stage-2 walk finds the level-1 entry
    // for IPA 0x40000000..0x7fffffff (index 1) is a table (the pool map), then level 2 index 0x100 empty:
    // Translation fault, level 2: FST 0x06. S = 1, PTW = 0: 0x200 | 0x800 | 0x0c | 1 = 0xa0d.
    expect(ops[1]).toMatchObject({ par: "0xa0d", f: 1, fst: "0x06", s: 1, ptw: 0, fault: { stage: 2, type: "translation", level: 2 } });
    // The root table's IPA now unmapped at stage 2: level-3 entry cleared (the level-3 table stays, other
    // pool pages are mapped): Translation fault, level 3, FST 0x07, S = 1, PTW = 1:
    // 0x200 | 0x100 | 0x800 | 0x0e | 1 = 0xb0f.
    expect(ops[3]).toMatchObject({ par: "0xb0f", s: 1, ptw: 1, fault: { stage: 2, type: "translation", level: 3 } });
    // From EL1: taken to EL2. ESR_EL2 = EC 0x24 << 26 | IL | CM (0x100) | S1PTW (0x80) | WnR (0x40) | 0x07
    // = 0x92000000 | 0x1c7. HPFAR_EL2 = IPA[51:12] << 4 of the entry: VA 0x1000 indexes level 1 entry 0 at
    // IPA 0x40000000 -> 0x400000.
    expect(ops[4]).toEqual({
      insn: "S1E1R",
      va: "0x1000",
      from_el: 1,
      par: null,
      f: null,
      exception: { to_el: 2, type: "translation", level: 3, s1ptw: true, esr_el2: "0x920001c7", hpfar: "0x400000" },
    });
    expect(ops[5]).toMatchObject({ par: "0xb0f" });
  });
});

describe("set_pte: the walk, get_leaf and the dump meet the raw entry; the tables above it are kvm_init_table_pte()'s", () => {
  it("a Device-GRE block with the Contiguous bit and DBM, then unmapped by the kernel's own unmap", () => {
    // IPA 0x60000000 level 2 (2M): PA 0xa0000000, MemAttr 0b0011 (FWB off: Device-GRE), SH OSH (0x200), AF,
    // S2AP RW, block (0b01): lo 0xa00006cd; DBM bit 51, Contiguous bit 52, XN bit 54: hi 0x00580000.
    // Contiguous run of 16 2M entries: IPA index (0x60000000 >> 21) % 16 = 0, OA index (0xa0000000 >> 21) % 16 = 0.
    const pte = "0x580000a00006cd";
    const { ops, dump } = run({
      name: "block",
      config: CFG(false),
      ops: [
        { op: "set_pte", ipa: "0x60000000", level: 2, pte },
        { op: "translate", ipa: "0x60012345", access: "r" },
        { op: "get_leaf", ipa: "0x60012345" },
        { op: "translate", ipa: "0x60012345", access: "x" },
        { op: "unmap", ipa: "0x60000000", size: "0x200000" },
        { op: "translate", ipa: "0x60012345", access: "r" },
      ],
    });
    // The level-1 table (start level 1, 2 concatenated root pages) made above it.
    expect(ops[0]).toEqual({ old: "0x0", tables: [{ level: 2, ipa: "0x40000000" }] });
    expect(ops[1]).toEqual({ pa: "0xa0012345", level: 2 });
    expect(ops[2]).toEqual({ ret: 0, pte, level: 2, events: [] });
    // XN: Permission fault, level 2, DFSC 0x0e, no HPFAR (IPAValid false for a final Permission fault).
    expect(ops[3]).toEqual({ fault: { type: "permission", level: 2, dfsc: "0xe", hpfar: null } });
    // The kernel's unmap (stage2_unmap_walker): TLBI of the block (level 2), no dcache for a Device leaf
    // (stage2_pte_cacheable false); then, the level-2 table left empty (page count 1), its table entry is
    // cleared and invalidated with TTL unknown (INT_MAX) and the page freed.
    expect(ops[4]).toEqual({
      ret: 0,
      events: [
        ["tlbi_ipa", "0x60000000", 2],
        ["tlbi_ipa", "0x60000000", 2147483647],
      ],
    });
    // Nothing left at level 1: Translation fault, level 1, DFSC 0x05; HPFAR_EL2 = (0x60012345 >> 12) << 4.
    expect(ops[5]).toEqual({ fault: { type: "translation", level: 1, dfsc: "0x5", hpfar: "0x600120" } });
    expect(dump).toEqual([]);
  });

  it("the walker's fast path and its complete walk agree on raw leaves", () => {
    const ops: unknown[] = [];
    const descs = ["0x400000900004eb", "0x40000090001003", "0x4000009000270b", "0x600000900034c3", "0x18000090004403", "0x0000100060005443"];
    descs.forEach((p, i) => ops.push({ op: "set_pte", ipa: "0x" + (0x50000000 + i * 0x1000).toString(16), level: 3, pte: p }));
    const { pgt } = replay(parseScenarioText(JSON.stringify({ name: "fast", config: CFG(false), ops })));
    const fast = new S2Walker(pgt, { ha: false });
    const slow = new S2Walker(pgt, { ha: false, fast: false });
    for (let i = 0; i < descs.length; i++) {
      for (const access of [0, 1, 2]) {
        const ipa = 0x50000000 + i * 0x1000 + 0x10;
        const a = fast.translate(ipa, access, 1);
        const b = slow.translate(ipa, access, 1);
        expect([a, fast.level, a === 0 ? fast.pa : -1], `${descs[i]} access ${access}`).toEqual([b, slow.level, b === 0 ? slow.pa : -1]);
      }
    }
  });
});

describe("AT with stage 1 off, HCR_EL2.DC and SCTLR_EL1.C = 0: the stage-1 attributes AArch64_S1Translate leaves", () => {
  // Stage 2: the kernel's map of 64K of RAM at IPA 0x40000000 -> PA 0x80000000, R|W, FWB off: MemAttr 0xf
  // (WB/WB), SH ISH. VA 0x40001000 with stage 1 off is IPA 0x40001000 -> PA 0x80001000.
  const base = (guest: Record<string, unknown>, va: string) => ({
    name: "s1",
    config: CFG(false),
    ops: [POOL_MAP, { op: "at", insn: "S1E1R", va }, { op: "at", insn: "S12E1R", va }],
    guest: { tcr: { t0sz: 25, tg0: 4096, ips: 40 }, mair: "0x000000000044ff04", ...guest },
  });
  it("SCTLR_EL1.M = 0: Device-nGnRnE, OSH (AArch64_S1DisabledOutput); over stage-2 WB it stays Device", () => {
    const { ops } = run(base({ sctlr: { m: false } }, "0x40001000"));
    expect(ops[1].par).toBe("0x40001900"); // ATTR 0x00, IPA 0x40001000, 0x800, SH 0b10 (0x100)
    expect(ops[2].par).toBe("0x80001900"); // Device-nGnRnE wins over WB: 0x00, OSH
  });
  it("HCR_EL2.DC = 1: stage 1 off, its output Normal WB RWA Non-shareable; combined with stage-2 ISH: ISH", () => {
    const { ops } = run(base({ hcr: { dc: true } }, "0x40001000"));
    expect(ops[1].par).toBe("0xff00000040001800"); // 0xff, SH 0b00
    expect(ops[2].par).toBe("0xff00000080001980"); // 0xff, SH 0b11
  });
  it("SCTLR_EL1.C = 0: a Normal data access is Non-cacheable at stage 1, 0x44 OSH, and so combined", () => {
    const doc = base(
      {
        sctlr: { m: true, c: false },
        table_pool: { ipa: "0x40000000", size: "0x10000" },
        mappings: [{ va: "0x1000", size: "0x1000", ipa: "0x40002000", attrindx: 1 }],
      },
      "0x1000",
    );
    const { ops } = run(doc);
    expect(ops[1].par).toBe("0x4400000040002900"); // IPA 0x40002000, 0x44, SH 0b10
    expect(ops[2].par).toBe("0x4400000080002900"); // NC over WB: NC/NC, 0x44, OSH
  });
});

describe("set_pte in the other descriptor formats: 64K with OA[51:48] in bits 15:12, 4K LPA2 with OA[51:50] in bits 9:8", () => {
  it("64K granule, 52-bit PA: a level-2 (512M) block at PA 2^48", () => {
    // lo: OA[51:48] = 1 in bits 15:12 (0x1000) | AF 0x400 | SH ISH 0x300 | S2AP RW 0xc0 | MemAttr 0xf << 2 | block 0b01
    // = 0x17fd; hi: XN (bit 54). IPA 0x20001234 -> 2^48 + 0x1234, level 2.
    const { ops } = run({
      name: "64k",
      config: { granule: 65536, ia_bits: 48, pa_bits: 52, lpa2: false, fwb: true, tlb_range: false },
      ops: [
        { op: "set_pte", ipa: "0x20000000", level: 2, pte: "0x400000000017fd" },
        { op: "translate", ipa: "0x20001234", access: "r" },
      ],
    });
    expect(ops[1]).toEqual({ pa: "0x1000000001234", level: 2 });
  });
  it("4K granule with FEAT_LPA2, 52-bit IPA and PA: a level-0 (512G) block at PA 2^50, in a concatenated root", () => {
    // lo: OA[51:50] = 0b01 in bits 9:8 (0x100) | AF 0x400 | S2AP RW 0xc0 | MemAttr 0xf << 2 | block 0b01 = 0x5fd;
    // hi: XN. KVM starts a 52-bit IPA at level 0 with 16 concatenated root pages (the geom-4k-ia52-lpa2
    // conformance result), so the level-0 entry is in a root page: no table is made. FEAT_LPA2 has level-0 blocks.
    const { ops } = run({
      name: "lpa2",
      config: { granule: 4096, ia_bits: 52, pa_bits: 52, lpa2: true, fwb: true, tlb_range: false },
      ops: [
        { op: "set_pte", ipa: "0x8000000000", level: 0, pte: "0x400000000005fd" },
        { op: "translate", ipa: "0x8000001234", access: "r" },
      ],
    });
    expect(ops[0]).toEqual({ old: "0x0", tables: [] });
    expect(ops[1]).toEqual({ pa: "0x4000000001234", level: 0 });
  });
});
