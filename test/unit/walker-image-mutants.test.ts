// src/walker/image.ts: VTTBR_EL2 / VTCR_EL2 read as AArch64.S2TTWParams reads
// them (the whole result, its notes and every refusal word for word), and
// ImageTables over hand-written memory images (the window of pages around the
// root table, holes, pages far from it). Issue 23: the mutation gaps of
// image.ts. Every expected value is worked by hand in the comments from the
// Arm ARM's VTCR_EL2 / VTTBR_EL2 descriptions and the ASL functions named in
// image.ts's header; image-registers.test.ts has the geometry table.
import { describe, expect, it } from "vitest";
import { ImageTables, s2WalkParams, type S2WalkParams } from "../../src/walker/image.js";
import { PhysMemory } from "../../src/pgtable/physmem.js";
import { S2Walker } from "../../src/walker/translate.js";
import { ACCESS_READ } from "../../src/walker/fault.js";

/** VTCR_EL2 from fields: T0SZ, SL0, TG0, PS, extra bits; RES1 bit 31, SH0 Inner (0b11), IRGN0/ORGN0 WBWA (0b01). */
function vtcr(t0sz: number, sl0: number, tg0: number, ps: number, extra = 0n): bigint {
  return BigInt(t0sz | (sl0 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (tg0 << 14)) | (BigInt(ps) << 16n) | (1n << 31n) | extra;
}
const WALK_NOTE = (vmid: string): string =>
  `VTTBR_EL2.VMID ${vmid}; VTCR_EL2.SH0/IRGN0/ORGN0 0b11/0b01/0b01: the walk's own memory type and the TLB tags, not modelled (no TLB, no caches)`;

function params(vttbr: bigint, v: bigint, paMax?: number): S2WalkParams {
  return s2WalkParams(paMax === undefined ? { vttbr, vtcr: v, fwb: false } : { vttbr, vtcr: v, fwb: false, paMax });
}

describe("s2WalkParams: the walk of a register pair", () => {
  it("KVM's 4K, 40-bit pair (VTCR_EL2 0x80023558, VTTBR_EL2 VMID 1): every field of the result", () => {
    // 0x80023558: T0SZ 24, SL0 01, IRGN0 01, ORGN0 01, SH0 11, TG0 00, PS 010 (40), HA 0, HD 0, VS 0, RES1.
    const p = s2WalkParams({ vttbr: 0x1_0000_8000_0000n, vtcr: 0x8002_3558n, fwb: true });
    expect(p).toMatchObject({
      granule: 4096,
      iaBits: 40,
      paBits: 40,
      paMax: 40,
      ds: false,
      startLevel: 1,
      baddr: 0x8000_0000,
      vmid: 1,
      cnp: false,
      ha: false,
      hd: false,
      fwb: true,
      notes: [WALK_NOTE("1")],
    });
    expect(p.geom).toMatchObject({ granule: 4096, iaBits: 40, paBits: 40, startLevel: 1, pgdPages: 2, lpa2: false });
  });
  it("HA, HD, CnP, 16-bit VMIDs; an 8-bit VMID with bits 15:8 set is noted", () => {
    // HA [21], HD [22], VS [19]; VTTBR_EL2 VMID 0x1ff, CnP [0].
    const p = params(0x1ff_0000_8000_0001n, vtcr(24, 1, 0, 2, (1n << 21n) | (1n << 22n) | (1n << 19n)));
    expect([p.ha, p.hd, p.cnp, p.vmid]).toEqual([true, true, true, 0x1ff]);
    expect(p.notes).toEqual([WALK_NOTE("511, CnP 1")]);
    const q = params(0x1ff_0000_8000_0000n, vtcr(24, 1, 0, 2));
    expect(q.notes).toEqual(["VTTBR_EL2.VMID = 0x1ff with 8-bit VMIDs (VTCR_EL2.VS = 0): VMID[15:8] is not used", WALK_NOTE("255")]);
    // VMID 0xff fits 8 bits: no note.
    expect(params(0xff_0000_8000_0000n, vtcr(24, 1, 0, 2)).notes).toEqual([WALK_NOTE("255")]);
  });
  it("notes: RES1 bit 31 clear, the fields s2pt reads but does not model, DS with 64K, PS 52 with 4K and no DS", () => {
    const v = vtcr(24, 1, 0, 2) & ~(1n << 31n);
    expect(params(0x8000_0000n, v).notes[0]).toBe("VTCR_EL2 bit 31 is RES1 and clear (no effect on the walk; software should write 1)");
    // NSA [30], NSW [29], HWU [28:25] = 0b1010, GCSH [40].
    const n = params(0x8000_0000n, vtcr(24, 1, 0, 2, (1n << 30n) | (1n << 29n) | (0b1010n << 25n) | (1n << 40n))).notes;
    expect(n).toEqual([
      "VTCR_EL2.NSA = 1: Non-secure stage-2 translation output address space (Secure EL2 only): not modelled, no effect on a Non-secure walk here",
      "VTCR_EL2.NSW = 1: Non-secure stage-2 translation table address space (Secure EL2 only): not modelled, no effect on a Non-secure walk here",
      "VTCR_EL2.HWU62..HWU59 = 10: hardware use of descriptor bits 62:59 (FEAT_HPDS2): not modelled, no effect on a Non-secure walk here",
      "VTCR_EL2.GCSH = 1: Guarded Control Stack hardening (FEAT_GCS): not modelled, no effect on a Non-secure walk here",
      WALK_NOTE("0"),
    ]);
    // 64K (TG0 01), T0SZ 22 (42 bits), SL0 01 (level 2), PS 011 (42), DS [32] set: ignored.
    const d = params(0x8000_0000n, vtcr(22, 1, 1, 3, 1n << 32n));
    expect(d.ds).toBe(false);
    expect(d.notes[0]).toBe("VTCR_EL2.DS = 1 with the 64K granule: DS applies to the 4K and 16K granules only, ignored");
    // 4K, PS 110 (52) without DS: 48.
    const ps = params(0x8000_0000n, vtcr(24, 1, 0, 6));
    expect([ps.paBits, ps.paMax]).toEqual([48, 52]);
    expect(ps.notes[0]).toBe(
      "VTCR_EL2.PS gives 52 bits, but 4K and 16K descriptors without DS carry 48: the output size is 48 bits (AArch64.PhysicalAddressSize)",
    );
    // 16K (TG0 10) with DS, PS 52: stays 52 (LPA2 descriptors).
    const l = params(0x8000_0000n, vtcr(12, 3, 2, 6, 1n << 32n));
    expect([l.paBits, l.ds, l.startLevel, l.iaBits]).toEqual([52, true, 0, 52]);
  });
  it("PAMax: given, it bounds PS; it must be a PARange size", () => {
    const p = params(0x8000_0000n, vtcr(24, 1, 0, 2), 48);
    expect([p.paBits, p.paMax]).toEqual([40, 48]);
    expect(() => params(0x8000_0000n, vtcr(24, 1, 0, 2), 41)).toThrow(/^regs\.paMax: 41 is not a PARange size \(32, 36, 40, 42, 44, 48, 52\)$/);
    expect(() => params(0x8000_0000n, vtcr(24, 1, 0, 2), 31)).toThrow(/^regs\.paMax: 31 is not a PA size in bits in 32\.\.52$/);
    expect(() => params(0x8000_0000n, vtcr(24, 1, 0, 6), 48)).toThrow(
      "VTCR_EL2 0x80063558: PS = 0b110 (52 bits) is beyond the implemented PA size (48 bits): the PE would use 48 (AArch64.PhysicalAddressSize); give the PE's PA size, or PS <= 48",
    );
    // 64K with PAMax 48: IPAs up to 48 bits only (T0SZ 12 refused); with PAMax 52 up to 52.
    expect(() => params(0x8000_0000n, vtcr(12, 2, 1, 5), 48)).toThrow(
      "VTCR_EL2 0x8005758c: T0SZ = 12 (a 52-bit IPA) is outside 16..39 for the 64K granule: CONSTRAINED UNPREDICTABLE (the PE uses the nearest limit or faults every walk); s2pt does not guess",
    );
    expect(params(0x8000_0000n, vtcr(12, 2, 1, 5), 52).iaBits).toBe(52);
    // 4K without DS: 48 bits at most, even with a 52-bit PAMax.
    expect(() => params(0x8000_0000n, vtcr(12, 0, 0, 6), 52)).toThrow(
      "VTCR_EL2 0x8006350c: T0SZ = 12 (a 52-bit IPA) is outside 16..39 for the 4K granule: CONSTRAINED UNPREDICTABLE (the PE uses the nearest limit or faults every walk); s2pt does not guess",
    );
    // PS 48 with 4K: nothing to note about the output size.
    expect(params(0x8000_0000n, vtcr(24, 1, 0, 5)).notes).toEqual([WALK_NOTE("0")]);
    // 4K with DS: 12..39.
    expect(() => params(0x8000_0000n, vtcr(11, 0, 0, 6, (1n << 32n) | (1n << 33n)))).toThrow(
      /T0SZ = 11 \(a 53-bit IPA\) is outside 12\.\.39 for the 4K granule with DS:/,
    );
  });
  it("the argument checks name the argument", () => {
    expect(() => s2WalkParams(null as never)).toThrow(/^regs: /);
    expect(() => s2WalkParams({ vttbr: -1n, vtcr: 0n, fwb: false })).toThrow(/^regs\.vttbr: /);
    expect(() => s2WalkParams({ vttbr: 0n, vtcr: 2n ** 64n, fwb: false })).toThrow(/^regs\.vtcr: /);
    expect(() => s2WalkParams({ vttbr: 0n, vtcr: 0n, fwb: 1 as never })).toThrow(/^regs\.fwb: /);
  });
});

describe("s2WalkParams refusals, word for word", () => {
  it("every RES0 field set", () => {
    // RES0: 63:46, 43:42, 39, 24:23, 20.
    const cases: Array<[bigint, string]> = [
      [1n << 50n, "63:46"],
      [1n << 42n, "43:42"],
      [1n << 39n, "39"],
      [1n << 23n, "24:23"],
      [1n << 20n, "20"],
    ];
    for (const [bit, bits] of cases) {
      const v = vtcr(24, 1, 0, 2, bit);
      expect(() => params(0x8000_0000n, v)).toThrow(`VTCR_EL2 0x${v.toString(16)}: bits ${bits} are RES0 and set`);
    }
  });
  it("every field of a feature s2pt does not model", () => {
    const cases: Array<[number, string, string]> = [
      [38, "D128", "FEAT_D128"],
      [37, "S2POE", "FEAT_S2POE"],
      [36, "S2PIE", "FEAT_S2PIE"],
      [41, "TL0", "FEAT_THE"],
      [35, "TL1", "FEAT_THE"],
      [34, "AssuredOnly", "FEAT_THE"],
      [44, "HAFT", "FEAT_HAFT"],
      [45, "HDBSS", "FEAT_HDBSS"],
    ];
    for (const [bit, name, feat] of cases) {
      const v = vtcr(24, 1, 0, 2, 1n << BigInt(bit));
      expect(() => params(0x8000_0000n, v)).toThrow(`VTCR_EL2 0x${v.toString(16)}: ${name} (bit ${bit}, ${feat}) is set: s2pt does not model it`);
    }
  });
  it("TG0, PS, SL2, SL0 and the start level against T0SZ", () => {
    expect(() => params(0x8000_0000n, 0x8002_f558n)).toThrow("VTCR_EL2 0x8002f558: TG0 = 0b11 is reserved (4K 0b00, 64K 0b01, 16K 0b10)");
    expect(() => params(0x8000_0000n, 0x8007_3558n)).toThrow("VTCR_EL2 0x80073558: PS = 0b111 is reserved without FEAT_D128 (0b000 32 bits .. 0b110 52 bits)");
    // 16K (0x8000) with DS and SL2.
    expect(() => params(0x8000_0000n, vtcr(12, 0, 2, 6, (1n << 32n) | (1n << 33n)))).toThrow(
      "VTCR_EL2 0x38006b50c: SL2 = 1 needs the 4K granule with DS = 1 (FEAT_LPA2); here it is reserved",
    );
    // 4K, SL0 11, T0SZ 39: FEAT_TTST not modelled.
    expect(() => params(0x8000_0000n, vtcr(39, 3, 0, 2))).toThrow(
      "VTCR_EL2 0x800235e7: SL0 = 0b11 is reserved for the 4K granule without FEAT_TTST (not modelled): every walk takes a stage-2 Translation fault at level 0 (AArch64.S2InvalidSL)",
    );
    // 4K with DS and SL2, SL0 01: reserved.
    expect(() => params(0x8000_0000n, vtcr(12, 1, 0, 6, (1n << 32n) | (1n << 33n)))).toThrow(
      "VTCR_EL2 0x38006354c: SL0 = 0b01 with SL2 = 1 is reserved for the 4K granule with DS = 1: every walk takes a stage-2 Translation fault at level 0 (AArch64.S2InvalidSL)",
    );
    // 64K SL0 11: reserved.
    expect(() => params(0x8000_0000n, vtcr(22, 3, 1, 3))).toThrow(/^VTCR_EL2 0x800375d6: SL0 = 0b11 is reserved for the 64K granule: every walk/);
    // 4K, T0SZ 24 (40 bits), SL0 00: start level 2, levels = 1: 1 * 9 + 12 + 1 = 22 .. 22 + 8 + 4 = 34 bits.
    expect(() => params(0x8000_0000n, vtcr(24, 0, 0, 2))).toThrow(
      "VTCR_EL2 0x80023518: SL0 = 0b00 (start level 2) is inconsistent with T0SZ = 24 (a 40-bit IPA) and the 4K granule: level 2 resolves 22..34-bit IPAs; every walk takes a stage-2 Translation fault at level 0 (AArch64.S2InconsistentSL)",
    );
    // The bounds themselves: level 2 resolves 34 bits (T0SZ 30) but not 21 (T0SZ 43 is beyond 39 anyway); level 1
    // resolves 31 (T0SZ 33) but not 30 (T0SZ 34).
    expect(params(0x8000_0000n, vtcr(30, 0, 0, 2)).startLevel).toBe(2);
    expect(params(0x8000_0000n, vtcr(33, 1, 0, 2)).startLevel).toBe(1);
    expect(() => params(0x8000_0000n, vtcr(34, 1, 0, 2))).toThrow(/level 1 resolves 31\.\.43-bit IPAs/);
    expect(() => params(0x8000_0000n, vtcr(29, 0, 0, 2))).toThrow(/level 2 resolves 22\.\.34-bit IPAs/);
  });
  it("BADDR: aligned to the root tables, on a granule boundary, inside the output size", () => {
    // Two concatenated 4K root tables: 8K aligned; the message names the address it would be aligned down to.
    expect(() => params(0x8000_1000n, 0x8002_3558n)).toThrow(
      "VTTBR_EL2 0x80001000: BADDR 0x80001000 is not aligned to the 8192-byte root tables (concatenated): its bits below 13 are RES0 (the PE would ignore them: AArch64.S2TTBaseAddress aligns BADDR down to 0x80000000)",
    );
    // Start level 0, 40-bit IPA: 2 entries, a 16-byte table; BADDR 0x80000018 is not 16-byte aligned.
    expect(() => params(0x8000_0018n, vtcr(24, 2, 0, 2))).toThrow(
      "VTTBR_EL2 0x80000018: BADDR 0x80000018 is not aligned to the 16-byte root table: its bits below 4 are RES0 (the PE would ignore them: AArch64.S2TTBaseAddress aligns BADDR down to 0x80000010)",
    );
    expect(() => params(0x8000_0040n, vtcr(24, 2, 0, 2))).toThrow(
      "VTTBR_EL2 0x80000040: BADDR 0x80000040 puts the 16-byte root table inside a 4K page: the architecture allows it, s2pt walks root tables that start on a granule boundary",
    );
    expect(() => params(0x100_0000_0000n, 0x8002_3558n)).toThrow(
      "VTTBR_EL2 0x10000000000: BADDR 0x10000000000 is beyond the 40-bit output size: every walk takes a stage-2 Address size fault (AArch64.S2Walk, AArch64.OAOutOfRange)",
    );
    // One root page exactly (4K, 39-bit IPA, start level 1: 512 entries, 4096 bytes): "table", not "tables".
    expect(() => params(0x8000_0800n, vtcr(25, 1, 0, 2))).toThrow(
      "VTTBR_EL2 0x80000800: BADDR 0x80000800 is not aligned to the 4096-byte root table: its bits below 12 are RES0 (the PE would ignore them: AArch64.S2TTBaseAddress aligns BADDR down to 0x80000000)",
    );
    // Just inside: the last 8K below 2^40.
    expect(params(0xff_ffff_e000n, 0x8002_3558n).baddr).toBe(2 ** 40 - 0x2000);
    // A 52-bit output: 64-byte alignment at least, BADDR[5:2] are PA[51:48]. 64K, T0SZ 12, SL0 10 (level 1), PS 52:
    // 2^(52-42) = 1024 entries, 8K of root table; BADDR 0x80000004 -> PA 2^48 + 0x80000000.
    expect(params(0x8000_0004n, vtcr(12, 2, 1, 6)).baddr).toBe(2 ** 48 + 0x8000_0000);
  });
});

/** A 4K memory image: each page a list of [index, lo, hi] entries. */
function image(pages: Array<[number, Array<[number, number, number]>]>): PhysMemory {
  const mem = new PhysMemory(true);
  for (const [pa, entries] of pages) {
    const w = new Int32Array(1024);
    for (const [i, lo, hi] of entries) {
      w[2 * i] = lo | 0;
      w[2 * i + 1] = hi;
    }
    mem.addFrames(pa, w);
  }
  return mem;
}

// 4K, 40-bit IPA, PS 48 (VTCR_EL2 0x80053558): two root pages at 0x80000000.
const VTCR48 = 0x8005_3558n;

describe("ImageTables: the window of pages around the root table", () => {
  it("root pages and a hole below the last held page: not dense; page numbers from the lowest held page", () => {
    // Held: 0x7fffe000 (below the root), 0x80000000, 0x80001000 (root), 0x80003000; 0x7ffff000 and 0x80002000 are holes.
    const mem = image([
      [0x7fff_e000, []],
      [0x8000_0000, []],
      [0x8000_1000, []],
      [0x8000_3000, []],
    ]);
    const t = new ImageTables(mem, params(0x8000_0000n, VTCR48));
    // Window: pages 0x7fffe .. 0x80003 (6 pages), 4 held.
    expect([t.store.basePa, t.store.bump, t.pgd, t.dense]).toEqual([0x7fff_e000, 6, 2, false]);
    expect(t.store.pagePa(5)).toBe(0x8000_3000);
    expect([t.holdsPage(0x7fff_e000), t.holdsPage(0x7fff_f000), t.holdsPage(0x8000_2000), t.holdsPage(0x8000_3000)]).toEqual([true, false, false, true]);
    expect([t.holdsPage(0x7fff_d000), t.holdsPage(0x8000_4000)]).toEqual([false, false]);
    expect(t.store.chunks[3]).toBeDefined();
    expect(t.store.chunks[1]).toBeUndefined();
    expect([t.granuleSize(0), t.granuleSize(1), t.granuleSize(2), t.granuleSize(3)]).toEqual([2 ** 39, 2 ** 30, 2 ** 21, 4096]);
    expect([t.store.granule, t.store.pageShift, t.store.wordsShift, t.store.chunkShift, t.store.chunkMask]).toEqual([4096, 12, 10, 0, 0]);
    expect([t.fwb, t.destroyed, t.storeHook, t.fmt.granule]).toEqual([false, false, null, 4096]);
    // Without the holes the window is dense.
    const d = new ImageTables(
      image([
        [0x8000_0000, []],
        [0x8000_1000, []],
        [0x8000_2000, []],
      ]),
      params(0x8000_0000n, VTCR48),
    );
    expect([d.store.bump, d.pgd, d.dense]).toEqual([3, 0, true]);
  });
  it("a page 2^29 pages or more from the root is far: looked up by PA; a walk through it", () => {
    // Root 0x80000000 [1] = 0x40000000003 (lo 0x3, hi 0x400): a level-2 table at 2^42 (2^30 pages up, 2^30 - 2^19 >= 2^29 from the root):
    // far. Its [0] = 0x400007fd: a 2M block -> PA 0x40000000 (R|W, AF). A page 2^29 - 1 pages above the
    // root page (0x80000000 + (2^29 - 1) * 4K) is near, and widens the window.
    const far = 2 ** 42;
    const mem = image([
      [0x8000_0000, [[1, 3, far / 2 ** 32]]],
      [0x8000_1000, []],
      [far, [[0, 0x4000_07fd, 0]]],
    ]);
    const t = new ImageTables(mem, params(0x8000_0000n, VTCR48));
    expect([t.store.bump, t.dense]).toEqual([2, true]);
    expect(t.farPage(far / 4096)).toBe(2);
    expect(t.farPage(far / 4096 + 1)).toBe(-1);
    expect(t.store.pagePa(2)).toBe(far);
    expect(t.holdsPage(far)).toBe(true);
    expect(t.holdsPage(far + 4096)).toBe(false);
    // The page just above the window (page number 2 = bump) is not the far page stored after the window.
    expect(t.holdsPage(0x8000_2000)).toBe(false);
    expect(t.holdsPage(0x8000_3000)).toBe(false);
    // IPA 0x40000000 + 0x1234: root [1] -> the far table [0] -> the block.
    const w = new S2Walker(t, { ha: false });
    const pa = new Float64Array(2);
    const st = new Int32Array(2);
    expect(w.translateBatch(Float64Array.from([0x4000_1234, 0x4020_0000]), 2, ACCESS_READ, 1, pa, st)).toBe(1);
    expect([pa[0], st[0]]).toEqual([0x4000_1234, 2]);
    // [1] of the far table is 0: Translation fault, level 2 (0b000110).
    expect(st[1] & 0x3f).toBe(0x06);
    // 2^29 - 1 pages above the root page: near (the window reaches it); 2^29 pages: far.
    const edge = 0x8000_0000 + (2 ** 29 - 1) * 4096;
    const m2 = image([
      [0x8000_0000, []],
      [0x8000_1000, []],
      [edge, []],
      [edge + 4096, []],
    ]);
    const t2 = new ImageTables(m2, params(0x8000_0000n, VTCR48));
    expect(t2.store.bump).toBe(2 ** 29);
    expect(t2.farPage(edge / 4096 + 1)).toBe(2 ** 29);
    expect(t2.farPage(edge / 4096)).toBe(-1);
    expect(t2.dense).toBe(false);
  });
  it("two far pages are numbered after the window in PA order; a 64K page the image holds only in part is a hole", () => {
    const far = 2 ** 42;
    const t = new ImageTables(
      image([
        [0x8000_0000, []],
        [0x8000_1000, []],
        [far, []],
        [far + 0x1000, []],
      ]),
      params(0x8000_0000n, VTCR48),
    );
    expect([t.farPage(far / 4096), t.farPage(far / 4096 + 1)]).toEqual([2, 3]);
    expect([t.store.pagePa(2), t.store.pagePa(3)]).toEqual([far, far + 0x1000]);
    // 64K (VTCR_EL2 T0SZ 22, SL0 01: start level 2, one root page; PS 48): the root page whole (16 frames), and only
    // the first 4K frame of the 64K page at 0x80010000.
    const mem = new PhysMemory(true);
    mem.addFrames(0x8000_0000, new Int32Array(16384));
    mem.addFrames(0x8001_0000, new Int32Array(1024));
    const t64 = new ImageTables(mem, params(0x8000_0000n, vtcr(22, 1, 1, 5)));
    expect([t64.store.bump, t64.dense, t64.holdsPage(0x8000_0000), t64.holdsPage(0x8001_0000)]).toEqual([2, false, true, false]);
    expect(t64.store.chunks[1]).toBeUndefined();
    // A far 64K page held in part (one frame at 2^47: 2^31 pages up, beyond 2^29 pages of 64K) is no page at all.
    const m2 = new PhysMemory(true);
    m2.addFrames(0x8000_0000, new Int32Array(16384));
    m2.addFrames(2 ** 47, new Int32Array(1024));
    const f64 = new ImageTables(m2, params(0x8000_0000n, vtcr(22, 1, 1, 5)));
    expect([f64.farPage(2 ** 47 / 65536), f64.holdsPage(2 ** 47), f64.store.bump, f64.dense]).toEqual([-1, false, 1, true]);
    // An image without the root table: the root page is not held (every walk takes an external abort).
    const noRoot = new ImageTables(image([[0x8000_2000, []]]), params(0x8000_0000n, VTCR48));
    expect([noRoot.holdsPage(0x8000_0000), noRoot.holdsPage(0x8000_1000), noRoot.holdsPage(0x8000_2000), noRoot.dense]).toEqual([false, false, true, false]);
    expect([t64.store.wordsShift, t64.granuleSize(3), t64.granuleSize(2)]).toEqual([14, 65536, 2 ** 29]);
  });
  it("the argument checks", () => {
    const p = params(0x8000_0000n, VTCR48);
    expect(() => new ImageTables({} as never, p)).toThrow(/^mem: .* is not a PhysMemory$/);
    expect(() => new ImageTables(new PhysMemory(true), null as never)).toThrow(/^params: /);
    expect(() => new ImageTables(new PhysMemory(true), { ...p, geom: null as never })).toThrow(/^params\.geom: /);
    expect(() => new ImageTables(new PhysMemory(true), { ...p, geom: { ...p.geom, granule: 8192 as never } })).toThrow(/^params\.geom: is not a Geometry$/);
  });
});
