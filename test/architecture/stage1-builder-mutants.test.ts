// src/stage1/builder.ts and memory.ts: the guest's stage-1 tables as a guest
// kernel writes them, checked entry by entry in guest memory. Every expected
// descriptor is worked by hand from the Arm ARM VMSAv8-64 stage-1 formats:
// a block is bits[1:0] = 0b01, a page (level 3) or a table 0b11, AttrIndx
// bits 4:2, AP bits 7:6, SH bits 9:8, AF bit 10, nG 11, the OA from bit 12
// (4K) or 16 (64K; with a 52-bit output OA[51:48] in bits 15:12); the
// mapping defaults of a scenario's guest section are AP 0, SH 3, AF 1
// (docs/two-stage.md). Index = (VA >> shift) & (entries - 1) with shifts 12,
// 21, 30, 39 (4K) and 16, 29, 42 (64K). The table pool of test/helpers-guest.ts
// is IPA 0x40000000, 64K, at PA 0x80010000 (IPA + 0x40010000). Written for
// the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { guestJson, setup, S2_4K } from "../helpers-guest.js";
import { buildGuest } from "../../src/stage1/builder.js";
import { GuestMemory } from "../../src/stage1/memory.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { parseGuest } from "../../src/scenario/guest.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { InputError } from "../../src/pgtable/u64.js";
import type { PhysMemory } from "../../src/pgtable/physmem.js";

/** The 64-bit word at `pa` of guest memory. */
function word(mem: PhysMemory, pa: number): bigint {
  mem.read64(pa);
  return (BigInt(mem.hi) << 32n) | BigInt(mem.lo);
}
const POOL_PA = (ipa: number): number => ipa + 0x40010000;

describe("leaves and tables as the guest builder writes them (4K, 39-bit VA: levels 1-3)", () => {
  it("1G + 2M + 4K: a level-1 block, a level-2 block, a level-3 page, each in the table the walk reads", () => {
    // VA = IPA = 0 .. 0x40201000: VA 0 is 1G aligned with 1G+ to go (level-1 block), VA 0x40000000 has 2M+4K to
    // go (level-2 block, index 0 of the level-2 table under root[1]), VA 0x40200000 only 4K (level-3 page, index
    // 0 of the level-3 table under that level-2 table's [1]).
    const s = setup(guestJson({ mappings: [{ va: "0x0", size: "0x40201000", ipa: "0x0", attrindx: 4 }] }), []);
    expect(s.guest.tables).toEqual([
      { region: 0, level: 1, ipa: 0x40000000, pa: 0x80010000 },
      { region: 0, level: 2, ipa: 0x40001000, pa: 0x80011000 },
      { region: 0, level: 3, ipa: 0x40002000, pa: 0x80012000 },
    ]);
    expect(s.guest.config.ttbr0).toBe(0x40000000n);
    expect(s.guest.config.ttbr1).toBe(0n);
    const m = s.guest.mem;
    // AttrIndx 4 = 0x10, SH 3 = 0x300, AF = 0x400.
    expect(word(m, 0x80010000)).toBe(0x711n); // root[0]: block, OA 0
    expect(word(m, 0x80010008)).toBe(0x40001003n); // root[1]: table at IPA 0x40001000
    expect(word(m, 0x80010010)).toBe(0n);
    expect(word(m, 0x80011000)).toBe(0x40000711n); // L2[0]: block OA 0x40000000
    expect(word(m, 0x80011008)).toBe(0x40002003n); // L2[1]: table
    expect(word(m, 0x80012000)).toBe(0x40200713n); // L3[0]: page OA 0x40200000
    expect(word(m, 0x80012008)).toBe(0n);
  });

  it("VA and IPA aligned differently: the leaf is as large as both allow (a VA 2M aligned over an IPA 4K aligned gives pages)", () => {
    const s = setup(
      guestJson({ mappings: [{ va: "0x200000", size: "0x200000", ipa: "0x1000", attrindx: 0, ap: 2, sh: 2, ng: true, pxn: true, uxn: true }] }),
      [],
    );
    expect(s.guest.tables.map((t) => t.level)).toEqual([1, 2, 3]);
    // L2[1] -> a level-3 table of 512 pages; page i maps OA 0x1000 + i*0x1000. AP 2 = 0x80, SH 2 = 0x200, AF, nG 0x800, PXN bit 53, UXN bit 54.
    const flags = 0x80n | 0x200n | 0x400n | 0x800n | 3n | (3n << 53n);
    expect(word(s.guest.mem, 0x80011008)).toBe(0x40002003n);
    expect(word(s.guest.mem, 0x80012000)).toBe(0x1000n | flags);
    expect(word(s.guest.mem, 0x80012000 + 511 * 8)).toBe(0x200000n | flags);
  });

  it("a mapping's own level: 2M blocks where 1G would fit", () => {
    const s = setup(guestJson({ mappings: [{ va: "0x0", size: "0x400000", ipa: "0x0", attrindx: 1, level: 2 }] }), []);
    expect(word(s.guest.mem, 0x80011000)).toBe(0x705n);
    expect(word(s.guest.mem, 0x80011008)).toBe(0x200705n);
    expect(word(s.guest.mem, 0x80011010)).toBe(0n);
  });

  it("TTBR1: VA 0xffffff8040000000 is offset 0x40000000 of the upper region; each region gets its own root table", () => {
    const s = setup(
      guestJson({
        mappings: [
          { va: "0x1000", size: "0x1000", ipa: "0x5000", attrindx: 0 },
          { va: "0xffffff8040000000", size: "0x1000", ipa: "0x6000", attrindx: 0 },
        ],
      }),
      [],
    );
    // TTBR0: root, L2, L3 (0x40000000..0x40002000); TTBR1: root, L2, L3 (0x40003000..0x40005000).
    expect(s.guest.tables.map((t) => [t.region, t.level, t.ipa])).toEqual([
      [0, 1, 0x40000000],
      [0, 2, 0x40001000],
      [0, 3, 0x40002000],
      [1, 1, 0x40003000],
      [1, 2, 0x40004000],
      [1, 3, 0x40005000],
    ]);
    expect([s.guest.config.ttbr0, s.guest.config.ttbr1]).toEqual([0x40000000n, 0x40003000n]);
    expect(word(s.guest.mem, POOL_PA(0x40003000) + 8)).toBe(0x40004003n); // root1[1] (offset 0x40000000 >> 30)
    expect(word(s.guest.mem, POOL_PA(0x40005000))).toBe(0x6703n);
    expect(word(s.guest.mem, POOL_PA(0x40002000) + 8)).toBe(0x5703n);
  });

  it("TTBR0 and TTBR1 given: their tables are used as roots, nothing allocated for them, the registers kept", () => {
    const s = setup(
      guestJson({
        ttbr0: "0x40008000",
        ttbr1: "0x4000a000",
        mappings: [
          { va: "0x0", size: "0x1000", ipa: "0x5000", attrindx: 0 },
          { va: "0xffffff8000000000", size: "0x1000", ipa: "0x6000", attrindx: 0 },
        ],
      }),
      [],
    );
    expect(s.guest.tables.map((t) => [t.region, t.level, t.ipa])).toEqual([
      [0, 2, 0x40000000],
      [0, 3, 0x40001000],
      [1, 2, 0x40002000],
      [1, 3, 0x40003000],
    ]);
    expect([s.guest.config.ttbr0, s.guest.config.ttbr1]).toEqual([0x40008000n, 0x4000a000n]);
    expect(word(s.guest.mem, POOL_PA(0x40008000))).toBe(0x40000003n);
    expect(word(s.guest.mem, POOL_PA(0x4000a000))).toBe(0x40002003n);
  });

  it("no mapping in a region: no root table for it, its TTBR stays 0; the spec's MAIR array is copied, not shared", () => {
    const pgt = new KvmPgtable(S2_4K);
    expect(pgt.map(0x40000000, 0x10000, 0x80010000, 7, 0)).toBe(0);
    const spec = parseGuest(guestJson({ mappings: [{ va: "0x0", size: "0x1000", ipa: "0x0", attrindx: 0 }] }), "guest", S2_4K);
    const g = buildGuest(pgt, spec, "here");
    expect(g.config.ttbr1).toBe(0n);
    expect(spec.config.ttbr0).toBe(0n);
    expect(g.config.mair).not.toBe(spec.config.mair);
    expect([...g.config.mair]).toEqual([...spec.config.mair]);
    expect(g.tables.every((t) => t.region === 0)).toBe(true);
    // A spec without raw descriptors (the field is optional).
    const pgt2 = new KvmPgtable(S2_4K);
    expect(pgt2.map(0x40000000, 0x10000, 0x80010000, 7, 0)).toBe(0);
    expect(buildGuest(pgt2, { ...spec, descriptors: undefined }, "here").tables).toHaveLength(3);
  });

  it("every new table page is zeroed (all 512 entries written), and the pool's pages are used in order", () => {
    const pgt = new KvmPgtable(S2_4K);
    expect(pgt.map(0x40000000, 0x10000, 0x80010000, 7, 0)).toBe(0);
    const spec = parseGuest(guestJson({ mappings: [{ va: "0x0", size: "0x1000", ipa: "0x0", attrindx: 0 }] }), "guest", S2_4K);
    const g = buildGuest(pgt, spec, "here");
    // The last entry of each page was written (a frame exists and reads 0): read64 is true only for a written frame.
    for (const pa of [0x80010000, 0x80011000, 0x80012000]) {
      expect(g.mem.read64(pa + 4088)).toBe(true);
      expect(g.mem.lo | g.mem.hi).toBe(0);
    }
    expect(g.mem.read64(0x80013000)).toBe(false);
  });
});

describe("leaf choice, continued", () => {
  it("a VA not 2M aligned over an IPA that is: pages (the VA's alignment counts too)", () => {
    const s = setup(guestJson({ mappings: [{ va: "0x1000", size: "0x400000", ipa: "0x200000", attrindx: 0 }] }), []);
    // L2[0] and L2[1] (VA 0x1000..0x200fff and on) are level-3 tables: page VA 0x1000 at L3[1] maps OA 0x200000.
    expect(word(s.guest.mem, 0x80011000)).toBe(0x40002003n);
    expect(word(s.guest.mem, 0x80012008)).toBe(0x200703n);
    expect(word(s.guest.mem, 0x80011008)).toBe(0x40003003n);
  });

  it("4K without FEAT_LPA2 (TCR_EL1.DS is not modelled): no level-0 block, even for 512G aligned VA and IPA", () => {
    // 48-bit VA (T0SZ 16, start level 0): VA = IPA = 0, 512 GiB: 512 level-1 blocks under root[0], a table.
    const tcr = { t0sz: 16, t1sz: 16, tg0: 4096, tg1: 4096, ips: 48 };
    const s = setup(guestJson({ tcr, mappings: [{ va: "0x0", size: "0x8000000000", ipa: "0x0", attrindx: 0 }] }), [], { iaBits: 48 });
    expect(word(s.guest.mem, 0x80010000)).toBe(0x40001003n);
    expect(word(s.guest.mem, 0x80011000 + 511 * 8)).toBe(0x7fc0000701n);
  });

  it("a new table page is zeroed, even where a raw descriptor wrote into it first (its IPA named by a raw table descriptor)", () => {
    // root[1] -> IPA 0x40001000, the pool's next page, where the raw block goes ([0]). The mapping at VA 0 then takes
    // that page from the pool for its level-2 table and zeroes it: [0] is its level-3 table, the block is gone.
    const s = setup(
      guestJson({
        descriptors: [
          { va: "0x40000000", level: 1, pte: "0x40001003" },
          { va: "0x40000000", level: 2, pte: "0x40000701" },
        ],
        mappings: [{ va: "0x0", size: "0x1000", ipa: "0x0", attrindx: 0 }],
      }),
      [],
    );
    expect(word(s.guest.mem, 0x80010000)).toBe(0x40001003n);
    expect(word(s.guest.mem, 0x80011000)).toBe(0x40002003n);
    expect(word(s.guest.mem, 0x80012000)).toBe(0x703n);
  });
});

describe("raw descriptors (placeRaw) and the tables they make or name", () => {
  it("a raw table descriptor names where the next level lives; later descriptors and mappings go there", () => {
    const s = setup(
      guestJson({
        descriptors: [
          { va: "0x40000000", level: 1, pte: "0x40008003" },
          { va: "0x40200000", level: 2, pte: "0x200701" },
          { va: "0x40400000", level: 3, pte: "0x9703" },
        ],
        mappings: [{ va: "0x40000000", size: "0x1000", ipa: "0x7000", attrindx: 0, level: 3 }],
      }),
      [],
    );
    // Root from the pool (0x40000000); root[1] = the raw table at IPA 0x40008000; its [1] the raw block; its [2]
    // a pool table (0x40001000) holding [0] = the raw page; its [0] a pool table (0x40002000) for the mapping.
    expect(word(s.guest.mem, POOL_PA(0x40000000) + 8)).toBe(0x40008003n);
    expect(word(s.guest.mem, POOL_PA(0x40008000) + 8)).toBe(0x200701n);
    expect(word(s.guest.mem, POOL_PA(0x40008000) + 16)).toBe(0x40001003n);
    expect(word(s.guest.mem, POOL_PA(0x40001000))).toBe(0x9703n);
    expect(word(s.guest.mem, POOL_PA(0x40008000))).toBe(0x40002003n);
    expect(word(s.guest.mem, POOL_PA(0x40002000))).toBe(0x7703n);
    expect(s.guest.tables.map((t) => [t.level, t.ipa])).toEqual([
      [1, 0x40000000],
      [3, 0x40001000],
      [3, 0x40002000],
    ]);
  });

  it("36-bit VA (T0SZ 28): a 64-entry root table, and level-2 index 64 (VA 0x8000000) is not masked to 6 bits", () => {
    const s = setup(
      guestJson({
        tcr: { t0sz: 28, t1sz: 28, tg0: 4096, tg1: 4096, ips: 40 },
        descriptors: [{ va: "0x8000000", level: 2, pte: "0x8000701" }],
        mappings: [{ va: "0x8200000", size: "0x1000", ipa: "0x3000", attrindx: 0 }],
      }),
      [],
    );
    // root[0] -> L2 at 0x40001000; L2[64] = the raw block; L2[65] -> L3 at 0x40002000, [0] = the page.
    expect(word(s.guest.mem, POOL_PA(0x40001000) + 64 * 8)).toBe(0x8000701n);
    expect(word(s.guest.mem, POOL_PA(0x40001000))).toBe(0n);
    expect(word(s.guest.mem, POOL_PA(0x40001000) + 65 * 8)).toBe(0x40002003n);
    expect(word(s.guest.mem, POOL_PA(0x40002000))).toBe(0x3703n);
  });

  it("a 64K guest over a 52-bit stage 2: a raw table descriptor's OA[51:48] (bits 15:12) place the next table above 2^48", () => {
    // 64K granule, T0SZ 22 (42-bit VA): start level 2 (bits 41:29), level 3 (28:16). Stage 2: 64K, 52-bit IPA and PA.
    // The level-2 entry for VA 0: a table at IPA 2^48 (bits 15:12 = 0b0001), which stage 2 maps at PA 0x90000000.
    const s = setup(
      {
        tcr: { t0sz: 22, t1sz: 22, tg0: 65536, tg1: 65536, ips: 52 },
        mair: "0xff",
        table_pool: { ipa: "0x40000000", size: "0x20000" },
        descriptors: [
          { va: "0x0", level: 2, pte: "0x1003" },
          { va: "0x0", level: 3, pte: "0x50703" },
        ],
        mappings: [{ va: "0x10000", size: "0x10000", ipa: "0x60000", attrindx: 0 }],
      },
      [
        [0x40000000, 0x20000, 0x80000000, "R|W"],
        [2 ** 48, 0x10000, 0x90000000, "R|W"],
      ],
      { granule: 65536, iaBits: 52, paBits: 52 },
      { noPool: true },
    );
    expect(word(s.guest.mem, 0x80000000)).toBe(0x1003n);
    expect(word(s.guest.mem, 0x90000000)).toBe(0x50703n);
    expect(word(s.guest.mem, 0x90000008)).toBe(0x60703n);
  });

  it("the same over a 48-bit stage 2 (no FEAT_LPA): bits 15:12 of a 64K table descriptor are not OA bits, the table stays at IPA 0", () => {
    const s = setup(
      {
        tcr: { t0sz: 22, t1sz: 22, tg0: 65536, tg1: 65536, ips: 48 },
        mair: "0xff",
        table_pool: { ipa: "0x40000000", size: "0x20000" },
        descriptors: [
          { va: "0x0", level: 2, pte: "0x1003" },
          { va: "0x0", level: 3, pte: "0x50703" },
        ],
        mappings: [{ va: "0x10000", size: "0x10000", ipa: "0x60000", attrindx: 0 }],
      },
      [
        [0x40000000, 0x20000, 0x80000000, "R|W"],
        [0, 0x10000, 0x90000000, "R|W"],
      ],
      { granule: 65536, iaBits: 48, paBits: 48 },
      { noPool: true },
    );
    expect(word(s.guest.mem, 0x90000000)).toBe(0x50703n);
    expect(word(s.guest.mem, 0x90000008)).toBe(0x60703n);
  });

  it("refusals name the descriptor and what an earlier one wrote", () => {
    const bad =
      (descriptors: unknown[], mappings: unknown[] = []): unknown =>
      () =>
        setup(guestJson({ descriptors, mappings }), []);
    expect(
      bad([
        { va: "0x200000", level: 2, pte: "0x200701" },
        { va: "0x200000", level: 2, pte: "0x400701" },
      ]),
    ).toThrow(/^guest\.descriptors\[1\]: the level-2 entry for VA 0x200000 already holds 0x200701 \(an earlier descriptor wrote it\)$/);
    expect(
      bad([
        { va: "0x200000", level: 2, pte: "0x200701" },
        { va: "0x201000", level: 3, pte: "0x9703" },
      ]),
    ).toThrow(/^guest\.descriptors\[1\]: VA 0x201000 falls in a level-2 block an earlier descriptor wrote$/);
    expect(
      bad([
        { va: "0x200000", level: 2, pte: "0x200700" },
        { va: "0x201000", level: 3, pte: "0x9703" },
      ]),
    ).toThrow(/^guest\.descriptors\[1\]: VA 0x201000 falls in the level-2 invalid entry 0x200700 an earlier descriptor wrote$/);
    // Mappings over what raw descriptors wrote.
    expect(bad([{ va: "0x200000", level: 2, pte: "0x200701" }], [{ va: "0x201000", size: "0x1000", ipa: "0x0", attrindx: 0 }])).toThrow(
      /^guest\.mappings\[0\]: VA 0x201000 falls in a level-2 block an earlier mapping wrote$/,
    );
    expect(bad([{ va: "0x200000", level: 2, pte: "0x200700" }], [{ va: "0x201000", size: "0x1000", ipa: "0x0", attrindx: 0 }])).toThrow(
      /^guest\.mappings\[0\]: VA 0x201000 falls in the level-2 invalid entry 0x200700 a raw descriptor wrote$/,
    );
    // The VA named is the mapping's own VA of the page that collides (VA 0x1000 + 0x1000).
    expect(bad([{ va: "0x2000", level: 3, pte: "0x9703" }], [{ va: "0x1000", size: "0x2000", ipa: "0x0", attrindx: 0 }])).toThrow(
      /^guest\.mappings\[0\]: VA 0x2000 is already mapped by the guest tables \(level 3\)$/,
    );
    // The mapping's second page runs into a raw page: the VA named is the mapping's own (TTBR1: the top bits kept).
    expect(bad([{ va: "0xffffff8000001000", level: 3, pte: "0x9703" }], [{ va: "0xffffff8000000000", size: "0x2000", ipa: "0x0", attrindx: 0 }])).toThrow(
      /^guest\.mappings\[0\]: VA 0xffffff8000001000 is already mapped by the guest tables \(level 3\)$/,
    );
  });
});

describe("where the builder has nowhere to write, or no room", () => {
  it("a pool page stage 2 does not map (an invalid leaf): refused, naming the IPA", () => {
    expect(() => setup(guestJson({ mappings: [{ va: "0x0", size: "0x1000", ipa: "0x0", attrindx: 0 }] }), [], {}, { noPool: true })).toThrow(
      /^test: a table-pool page at IPA 0x40000000 is not mapped at stage 2 when the guest tables are written \(map it before the first translate_va\)$/,
    );
  });

  it("a raw table descriptor naming an IPA stage 2 does not map: the stage-1 table page read is refused", () => {
    expect(() =>
      setup(
        guestJson({
          descriptors: [
            { va: "0x0", level: 1, pte: "0x50000003" },
            { va: "0x0", level: 2, pte: "0x701" },
          ],
        }),
        [],
      ),
    ).toThrow(/^test: a stage-1 table page at IPA 0x50000000 is not mapped/);
  });

  it("the pool runs out: 16 pages, the 17th table named", () => {
    // Each mapping of one page 1G apart needs a level-2 and a level-3 table: root + 2 * 7 = 15 pages, the 8th mapping's level-3 table is the 17th.
    const mappings = Array.from({ length: 8 }, (_, i) => ({ va: `0x${(i * 0x40000000).toString(16)}`, size: "0x1000", ipa: "0x0", attrindx: 0 }));
    expect(() => setup(guestJson({ mappings }), [])).toThrow(
      /^test: the table pool \(0x40000000, 0x10000 bytes\) is exhausted after 16 table pages \(needed for guest\.mappings\[7\] at level 3\)$/,
    );
    // 7 mappings: exactly 15 pages, the pool not exhausted.
    expect(setup(guestJson({ mappings: mappings.slice(0, 7) }), []).guest.tables.length).toBe(15);
    // Raw descriptors' tables and the TTBR1 root come from the pool too, and are named.
    const tiny = { ipa: "0x40000000", size: "0x1000" };
    expect(() => setup(guestJson({ table_pool: tiny, descriptors: [{ va: "0x1000", level: 3, pte: "0x703" }] }), [])).toThrow(
      /is exhausted after 1 table pages \(needed for guest\.descriptors\[0\] at level 2\)$/,
    );
    expect(() => setup(guestJson({ table_pool: tiny, descriptors: [{ va: "0xffffff8000000000", level: 1, pte: "0x0" }] }), [])).not.toThrow();
    expect(() =>
      setup(
        guestJson({
          table_pool: tiny,
          descriptors: [
            { va: "0x0", level: 1, pte: "0x0" },
            { va: "0xffffff8000000000", level: 1, pte: "0x0" },
          ],
        }),
        [],
      ),
    ).toThrow(/is exhausted after 1 table pages \(needed for the TTBR1 root table\)$/);
    // The root table itself: a pool of less than a page.
    expect(() => setup(guestJson({ table_pool: { ipa: "0x40000000", size: "0x1000" }, mappings: mappings.slice(0, 1) }), [])).toThrow(
      /the table pool \(0x40000000, 0x1000 bytes\) is exhausted after 1 table pages \(needed for guest\.mappings\[0\] at level 2\)/,
    );
  });

  it("the table memory: the guest's pages count with the stage-2 table's against the store's cap", () => {
    // Stage 2 (4K, 40-bit IPA, start level 1): 2 root pages + a level-2 + a level-3 table for the pool = 4 pages in use.
    // A cap of 6 pages (24 KiB) leaves room for 2 guest pages: the third (the level-3 table) is refused.
    const pgt = new KvmPgtable(S2_4K, { maxPages: 6 });
    expect(pgt.map(0x40000000, 0x10000, 0x80010000, 7, 0)).toBe(0);
    expect(pgt.store.inUse).toBe(4);
    const spec = parseGuest(guestJson({ mappings: [{ va: "0x0", size: "0x1000", ipa: "0x0", attrindx: 0 }] }), "guest", S2_4K);
    expect(() => buildGuest(pgt, spec, "at op 3")).toThrow(
      /^at op 3: the guest's table pages \(2 placed, 8 KiB\) and the stage-2 table's \(4, 16 KiB\) would pass the scenario's table memory of 24 KiB \(needed for guest\.mappings\[0\] at level 3\)$/,
    );
    const pgt7 = new KvmPgtable(S2_4K, { maxPages: 7 });
    expect(pgt7.map(0x40000000, 0x10000, 0x80010000, 7, 0)).toBe(0);
    expect(buildGuest(pgt7, spec, "x").tables.length).toBe(3);
  });
});

describe("the leaf count bound: at most MAX_GUEST_LEAVES (2^20) stage-1 leaves, counted before anything is written", () => {
  const bound = /s2pt's guest builder writes at most 1048576 per scenario \(docs\/reliability\.md, "Resource bounds"\)$/;
  it("a mapping of level-3 pages: 2^20 + 1 refused with the level and sizes, 2^20 passes the count (the small pool then runs out)", () => {
    const m = (size: string): Record<string, unknown> => guestJson({ mappings: [{ va: "0x0", size, ipa: "0x0", attrindx: 0, level: 3 }] });
    expect(() => setup(m("0x100001000"), [])).toThrow(/^test: guest\.mappings\[0\] asks for 1048577 stage-1 leaves \(level 3, 4 KiB each, over 4\.0 GiB\); /);
    expect(() => setup(m("0x100001000"), [])).toThrow(bound);
    expect(() => setup(m("0x100000000"), [])).toThrow(/table pool .* is exhausted/);
  });

  it("the largest leaves the alignment allows, counted in runs: 2M blocks (VA 1G aligned, IPA only 2M) up to the limit", () => {
    // 48-bit VA (T0SZ 16, levels 0-3). VA 0, IPA 0x200000: never both 1G aligned, so 2M blocks, 512 per 1G of VA.
    const tcr = { t0sz: 16, t1sz: 16, tg0: 4096, tg1: 4096, ips: 48 };
    const m = (size: number): Record<string, unknown> =>
      guestJson({ tcr, mappings: [{ va: "0x0", size: `0x${size.toString(16)}`, ipa: "0x200000", attrindx: 0 }] });
    // 2^20 blocks pass the count; one more is refused (the last run is the 2M left: 2048 * 512 + 1). With a whole
    // 1G more, the count stops at the end of the first run past the limit: 2049 * 512.
    expect(() => setup(m(2 ** 41), [], { iaBits: 48 })).toThrow(/table pool .* is exhausted/);
    expect(() => setup(m(2 ** 41 + 2 ** 21), [], { iaBits: 48 })).toThrow(/^test: guest\.mappings\[0\] asks for 1048577 stage-1 leaves; s2pt's/);
    expect(() => setup(m(2 ** 41 + 2 ** 30), [], { iaBits: 48 })).toThrow(/^test: guest\.mappings\[0\] asks for 1049088 stage-1 leaves; s2pt's/);
  });

  it("pages counted from an unaligned start: the first run ends at the VA's next 2M boundary", () => {
    // VA 0x1ff000, IPA 0x1000: pages throughout (the IPA is never 2M aligned where the VA is). Runs: 1 page to 0x200000, then 512 a run.
    // 2^20 pages: 1 + 2047 * 512 + 511: passes; 2^20 + 1 refused, counted 1 + 2048 * 512.
    const m = (size: number): Record<string, unknown> =>
      guestJson({ mappings: [{ va: "0x1ff000", size: `0x${size.toString(16)}`, ipa: "0x1000", attrindx: 0 }] });
    expect(() => setup(m(2 ** 32), [])).toThrow(/table pool .* is exhausted/);
    expect(() => setup(m(2 ** 32 + 4096), [])).toThrow(/^test: guest\.mappings\[0\] asks for 1048577 stage-1 leaves; /);
  });

  it("the bound is over all mappings: the one that crosses it is named, with its own count", () => {
    const mappings = [
      { va: "0x0", size: "0x80000000", ipa: "0x0", attrindx: 0, level: 3 },
      { va: "0x100000000", size: "0x80001000", ipa: "0x0", attrindx: 0, level: 3 },
    ];
    expect(() => setup(guestJson({ mappings }), [])).toThrow(
      /^test: guest\.mappings\[1\] asks for 524289 stage-1 leaves \(level 3, 4 KiB each, over 2\.0 GiB\); /,
    );
    expect(() => setup(guestJson({ mappings: [mappings[0], { ...mappings[1], size: "0x80000000" }] }), [])).toThrow(/table pool .* is exhausted/);
  });
});

describe("the leaf count with leaves of several sizes (runs end at the next boundary of the level above)", () => {
  // 48-bit VA (T0SZ 16). VA 0x1ff000, IPA 0x3ff000: one page to VA 0x200000, then 2M blocks (VA and IPA 2M aligned
  // together, never 1G aligned together: they differ by 2M); runs of 511 blocks to VA 1G, then 512 per 1G.
  const tcr = { t0sz: 16, t1sz: 16, tg0: 4096, tg1: 4096, ips: 48 };
  const m = (size: number, va = "0x1ff000", ipa = "0x3ff000"): Record<string, unknown> =>
    guestJson({ tcr, mappings: [{ va, size: `0x${size.toString(16)}`, ipa, attrindx: 0 }] });
  const BLK = 2 ** 21;
  it("a page, 2^20 - 2 blocks and two pages: 2^20 + 1 leaves, refused; one page less passes the count", () => {
    expect(() => setup(m(0x1000 + (2 ** 20 - 2) * BLK + 0x2000), [], { iaBits: 48 })).toThrow(/^test: guest\.mappings\[0\] asks for 1048577 stage-1 leaves; /);
    expect(() => setup(m(0x1000 + (2 ** 20 - 2) * BLK + 0x1000), [], { iaBits: 48 })).toThrow(/table pool .* is exhausted/);
  });
  it("the count stops at the end of the first run past the limit: a page, 2^20 - 1 blocks, then a whole 1G run of 512", () => {
    // After the page and 511 + 2047 * 512 blocks, n = 2^20 at VA 2^41 (1G aligned): the next run is 512 blocks.
    expect(() => setup(m(0x1000 + 2 ** 41 + 2 ** 31), [], { iaBits: 48 })).toThrow(/^test: guest\.mappings\[0\] asks for 1049088 stage-1 leaves; /);
  });
  it("VA = IPA from 0x1ff000, 4G + 2M: a page, 2M blocks to 1G, 1G blocks, then pages: few leaves, built", () => {
    const s = setup(guestJson({ mappings: [{ va: "0x1ff000", size: "0x100200000", ipa: "0x1ff000", attrindx: 0 }] }), []);
    // Root: [0] a table (the page and the 2M blocks), [1]..[3] 1G blocks, [4] a table (2M blocks and the last pages).
    expect(word(s.guest.mem, 0x80010008)).toBe(0x40000701n);
    expect(word(s.guest.mem, 0x80010018)).toBe(0xc0000701n);
    expect(word(s.guest.mem, 0x80010020) & 3n).toBe(3n);
  });
});

describe("buildGuest's arguments", () => {
  const pgt = (): KvmPgtable => new KvmPgtable(S2_4K);
  const spec = parseGuest(guestJson(), "guest", S2_4K);
  it("refused by name, before anything is built", () => {
    expect(() => buildGuest({} as never, spec, "w")).toThrow(/^pgt: .* is not a KvmPgtable$/);
    expect(() => buildGuest(pgt(), null as never, "w")).toThrow(/^spec: /);
    expect(() => buildGuest(pgt(), { ...spec, mappings: {} } as never, "w")).toThrow(/^spec: .* is not a GuestSpec \(parseGuest\(\) makes one\)$/);
    expect(() => buildGuest(pgt(), { ...spec, config: 1 } as never, "w")).toThrow(/^spec: .* is not a GuestSpec/);
    expect(() => buildGuest(pgt(), { ...spec, config: null } as never, "w")).toThrow(/^spec: .* is not a GuestSpec/);
    expect(() => buildGuest(pgt(), spec, 5 as never)).toThrow(/^where: 5 is not a string$/);
    const d = pgt();
    d.destroy();
    expect(() => buildGuest(d, spec, "w")).toThrow(/^pgt: the table is destroyed$/);
    expect(() => buildGuest(d, spec, "w")).toThrow(ArgumentError);
    expect(() => buildGuest(pgt(), spec, "w")).not.toThrow();
    // A spec with mappings and no pool (parseGuest refuses it): the builder says the pool is none.
    const withMap = parseGuest(guestJson({ mappings: [{ va: "0x0", size: "0x1000", ipa: "0x0", attrindx: 0 }] }), "guest", S2_4K);
    expect(() => buildGuest(pgt(), { ...withMap, pool: null }, "w")).toThrow(
      /^w: the table pool \(none\) is exhausted after 0 table pages \(needed for the TTBR0 root table\)$/,
    );
    expect(() => setup(guestJson({ mappings: [{ va: "0x0", size: "0x1000", ipa: "0x0", attrindx: 0 }] }), [], {}, { noPool: true })).toThrow(InputError);
  });
});

describe("GuestMemory (memory.ts)", () => {
  it("is not a memory image: memory nobody wrote reads as zero for the walk, not as an external abort", () => {
    const m = new GuestMemory();
    expect(m.image).toBe(false);
    expect(m.read64(0x1000)).toBe(false);
    expect([m.lo, m.hi]).toEqual([0, 0]);
  });
});
