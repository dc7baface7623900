// A stage-2 leaf's permissions and attributes, bit by bit, against the Arm
// ARM's descriptor layout (shared/reference/arch-attributes.md section 4):
// S2AP[1:0] bits 7:6 (01 read, 10 write), MemAttr bits 5:2, SH bits 9:8,
// AF bit 10, FnXS bit 11, DBM bit 51, Contiguous bit 52, XN[1:0] bits 54:53
// (FEAT_XNX: 00 EL0+EL1, 01 EL0 only, 10 neither, 11 EL1 only; without it bit
// 54 alone is XN). The descriptors are written out in hex, not built by s2pt.
import { describe, expect, it } from "vitest";
import { PERM_R, PERM_W, PERM_X, permNeeded, s2PermBits } from "../../src/walker/perms.js";
import { leafKind, s2LeafAttrs, SH_NAMES } from "../../src/walker/attrs.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../../src/walker/fault.js";
import { combineWithLeaf, s2LeafSh, vtcrSh0 } from "../../src/walker/memtype.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import { S2Walker } from "../../src/walker/translate.js";
import { walkIpa } from "../../src/walker/describe.js";

// The hi word's bits: DBM = bit 51 -> 1 << 19, Contiguous = bit 52 -> 1 << 20,
// XN[1:0] = bits 54:53 -> 3 << 21 (bit 53 = 0x0020_0000, bit 54 = 0x0040_0000).
const DBM = 0x0008_0000;
const CONT = 0x0010_0000;
const XN53 = 0x0020_0000;
const XN54 = 0x0040_0000;

describe("s2PermBits (AArch64_S2DirectBasePermissions, AArch64_S2ApplyOutputPerms)", () => {
  it("the permission bits are R 1, W 2, X 4", () => {
    expect([PERM_R, PERM_W, PERM_X]).toEqual([1, 2, 4]);
  });
  it("S2AP: 00 none, 01 read, 10 write, 11 read+write (XN set, no FEAT_XNX)", () => {
    expect(s2PermBits(0x00, XN54, 1, false, false)).toBe(0);
    expect(s2PermBits(0x40, XN54, 1, false, false)).toBe(1);
    expect(s2PermBits(0x80, XN54, 1, false, false)).toBe(2);
    expect(s2PermBits(0xc0, XN54, 1, false, false)).toBe(3);
    // Other low bits (MemAttr, SH, AF, valid/type) grant nothing.
    expect(s2PermBits(0x0f3f, XN54, 1, false, false)).toBe(0);
  });
  it("DBM makes the page writable only with HA and HD both set", () => {
    expect(s2PermBits(0x40, XN54 | DBM, 1, false, false)).toBe(1);
    expect(s2PermBits(0x40, XN54 | DBM, 1, false, true)).toBe(3);
    expect(s2PermBits(0x40, XN54, 1, false, true)).toBe(1);
    expect(s2PermBits(0x00, DBM, 0, false, true)).toBe(2 | 4);
  });
  it("without FEAT_XNX bit 53 is RES0 and ignored; bit 54 is XN at both ELs", () => {
    for (const el of [0, 1]) {
      expect(s2PermBits(0, 0, el, false, false)).toBe(4);
      expect(s2PermBits(0, XN53, el, false, false)).toBe(4);
      expect(s2PermBits(0, XN54, el, false, false)).toBe(0);
      expect(s2PermBits(0, XN54 | XN53, el, false, false)).toBe(0);
    }
  });
  it("with FEAT_XNX: 00 both ELs, 01 EL0 only, 10 neither, 11 EL1 only", () => {
    const x = (hi: number, el: number): number => s2PermBits(0, hi, el, true, false);
    expect([x(0, 0), x(0, 1)]).toEqual([4, 4]);
    expect([x(XN53, 0), x(XN53, 1)]).toEqual([4, 0]);
    expect([x(XN54, 0), x(XN54, 1)]).toEqual([0, 0]);
    expect([x(XN54 | XN53, 0), x(XN54 | XN53, 1)]).toEqual([0, 4]);
    // Bits beside XN[1:0] (DBM, Contiguous, bit 55) do not change the execute answer.
    expect([x(XN53 | CONT | 0x0080_0000, 0), x(XN53 | CONT | 0x0080_0000, 1)]).toEqual([4, 0]);
  });
  it("an access needs: read R, write W, fetch X", () => {
    expect(permNeeded(ACCESS_READ)).toBe(1);
    expect(permNeeded(ACCESS_WRITE)).toBe(2);
    expect(permNeeded(ACCESS_EXEC)).toBe(4);
  });
});

describe("s2LeafAttrs", () => {
  const ctx = { fwb: false, lpa2: false, vtcrSh0: 0, xnx: false, hwDirty: false };
  it("KVM's Normal RW page: MemAttr 0xf, SH ISH, S2AP 11, AF, XN", () => {
    // 0x...7ff: valid+page (bits 1:0), MemAttr 0b1111 (5:2), S2AP 11 (7:6), SH 11 (9:8), AF (10), FnXS (11).
    const a = s2LeafAttrs(0x4000_0fff, XN54 | DBM | CONT, ctx);
    expect(a).toMatchObject({
      memAttr: 0xf,
      fwb: false,
      memAttrReserved: false,
      sh: 3,
      shFrom: "descriptor",
      shName: "Inner Shareable",
      s2ap: 3,
      xn: 2,
      af: true,
      dbm: true,
      fnxs: true,
      contiguous: true,
      read: true,
      write: true,
      execEl0: false,
      execEl1: false,
    });
    expect(a.memAttrText).toMatch(/Write-Back/);
  });
  it("every field clear: MemAttr 0 (Device-nGnRnE), NSH, nothing granted but execute", () => {
    const a = s2LeafAttrs(0x0000_0003, 0, ctx);
    expect(a).toMatchObject({ memAttr: 0, sh: 0, shName: "Non-shareable", s2ap: 0, xn: 0, af: false, dbm: false, fnxs: false, contiguous: false });
    expect([a.read, a.write, a.execEl0, a.execEl1]).toEqual([false, false, true, true]);
    expect(a.memAttrText).toMatch(/nGnRnE/);
  });
  it("read-only and write-only pages are told apart; the MemAttr is read from bits 5:2 only", () => {
    // 0x47: S2AP 01, MemAttr 0b0001 (Device-nGnRE), valid page.
    const ro = s2LeafAttrs(0x0000_0447, XN54, ctx);
    expect([ro.memAttr, ro.s2ap, ro.read, ro.write, ro.af]).toEqual([1, 1, true, false, true]);
    expect(ro.memAttrText).toMatch(/nGnRE/);
    const wo = s2LeafAttrs(0x0000_0087, XN54, ctx);
    expect([wo.memAttr, wo.s2ap, wo.read, wo.write]).toEqual([1, 2, false, true]);
  });
  it("execute is by EL with FEAT_XNX (XN 01: EL0 only, 11: EL1 only)", () => {
    const x = { ...ctx, xnx: true };
    const el0 = s2LeafAttrs(0x3, XN53, x);
    expect([el0.xn, el0.execEl0, el0.execEl1]).toEqual([1, true, false]);
    const el1 = s2LeafAttrs(0x3, XN53 | XN54, x);
    expect([el1.xn, el1.execEl0, el1.execEl1]).toEqual([3, false, true]);
  });
  it("DBM counts as write with HA and HD (hwDirty)", () => {
    expect(s2LeafAttrs(0x443, DBM, { ...ctx, hwDirty: true }).write).toBe(true);
    expect(s2LeafAttrs(0x443, DBM, ctx).write).toBe(false);
  });
  it("with FEAT_LPA2 the SH is VTCR_EL2.SH0, not bits 9:8 (which hold OA[51:50])", () => {
    const a = s2LeafAttrs(0x0000_0103, 0, { ...ctx, lpa2: true, vtcrSh0: 2 });
    expect([a.sh, a.shFrom, a.shName]).toEqual([2, "VTCR_EL2.SH0", "Outer Shareable"]);
    const b = s2LeafAttrs(0x0000_0103, 0, ctx);
    expect([b.sh, b.shFrom, b.shName]).toEqual([1, "descriptor", "reserved (CONSTRAINED UNPREDICTABLE)"]);
  });
  it("with FWB the MemAttr means something else: 0b0110 is Normal Write-Back forced", () => {
    const a = s2LeafAttrs(0x0000_0018 | 3, 0, { ...ctx, fwb: true });
    expect([a.memAttr, a.fwb]).toEqual([6, true]);
    expect(a.memAttrText).toMatch(/Write-Back/);
    // Without FWB, 0b0110 is Normal outer Non-cacheable, inner Write-Through... not Device and not reserved.
    const b = s2LeafAttrs(0x0000_0018 | 3, 0, ctx);
    expect(b.memAttrText).not.toEqual(a.memAttrText);
  });
  it("FWB MemAttr 0b0100 is reserved in the Arm ARM text; the Linux name of KVM's 0b1111 is given", () => {
    expect(s2LeafAttrs(0x0000_0010 | 3, 0, { ...ctx, fwb: true }).memAttrReserved).toBe(true);
    expect(s2LeafAttrs(0x0000_003c | 3, 0, ctx).memAttrLinux).toMatch(/NORMAL/);
  });
  it("SH names: 0 Non-shareable, 2 Outer, 3 Inner", () => {
    expect(SH_NAMES).toEqual(["Non-shareable", "reserved (CONSTRAINED UNPREDICTABLE)", "Outer Shareable", "Inner Shareable"]);
  });
});

describe("leafKind", () => {
  it("a level-3 entry with bit 1 set is a page; a level-1/2 leaf is a block", () => {
    expect(leafKind(0x3, 3)).toBe("page");
    expect(leafKind(0x1, 3)).toBe("block");
    expect(leafKind(0x1, 2)).toBe("block");
    expect(leafKind(0x3, 2)).toBe("block");
    expect(leafKind(0x1, 1)).toBe("block");
  });
});

describe("the leaf's memory type (memtype.ts)", () => {
  const cfg = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false } as const;
  it("VTCR_EL2.SH0 as KVM programs it is Inner Shareable (0b11, bits 13:12); the leaf SH is bits 9:8 unless FEAT_LPA2", () => {
    const g = new KvmPgtable(cfg).geom;
    expect(vtcrSh0(g)).toBe(3);
    // SH bits 9:8 = 0b10 in the descriptor: used without LPA2, ignored with it (SH0 instead).
    expect(s2LeafSh(0x0000_0203, g)).toBe(2);
    const g2 = new KvmPgtable({ ...cfg, iaBits: 48, paBits: 52, lpa2: true }).geom;
    expect(s2LeafSh(0x0000_0203, g2)).toBe(3);
  });
  it("combineWithLeaf checks the stage-1 inputs and passes the controls: SCTLR_EL1.C = 0 makes 0xFF Normal NC (0x44 OSH)", () => {
    const pgt = new KvmPgtable(cfg);
    expect(pgt.map(0x4000_0000, 0x1000, 0x8000_0000, PROT_R | PROT_W, 0)).toBe(0);
    const r = walkIpa(new S2Walker(pgt), 0x4000_0000, ACCESS_READ, 1);
    const attrs = r.result!.attrs;
    expect(() => combineWithLeaf(attrs, 256, 3, ACCESS_READ)).toThrow("stage-1 Attr 256 is not a byte (0..0xff)");
    expect(() => combineWithLeaf(attrs, -1, 3, ACCESS_READ)).toThrow("stage-1 Attr -1 is not a byte (0..0xff)");
    expect(() => combineWithLeaf(attrs, 0xff, 4, ACCESS_READ)).toThrow("stage-1 SH 4 is not 2 bits (0..3)");
    expect(() => combineWithLeaf(attrs, 0xff, -1, ACCESS_READ)).toThrow("stage-1 SH -1 is not 2 bits (0..3)");
    expect(() => combineWithLeaf(attrs, 0.5, 3, ACCESS_READ)).toThrow("stage-1 Attr 0.5 is not a byte (0..0xff)");
    // The stage-1 SH is checked before the leaf's fields (a hand-made leaf with MemAttr 16 is not reached).
    expect(() => combineWithLeaf({ ...attrs, memAttr: 16 }, 0xff, 4, ACCESS_READ)).toThrow("stage-1 SH 4 is not 2 bits (0..3)");
    expect(() => combineWithLeaf({ ...attrs, memAttr: 16 }, 0xff, -1, ACCESS_READ)).toThrow("stage-1 SH -1 is not 2 bits (0..3)");
    expect(() => combineWithLeaf({ ...attrs, memAttr: 16 }, 0xff, 1.5, ACCESS_READ)).toThrow("stage-1 SH 1.5 is not 2 bits (0..3)");
    expect(() => combineWithLeaf({ ...attrs, memAttr: 16 }, 0xff, 3, ACCESS_READ)).toThrow("stage-2 MemAttr 16 is not 4 bits (0..0xf)");
    // Stage 2 is KVM's Normal WB (MemAttr 0xF), ISH.
    expect([combineWithLeaf(attrs, 0xff, 3, ACCESS_READ).attr, combineWithLeaf(attrs, 0xff, 3, ACCESS_READ).sh]).toEqual([0xff, 3]);
    const nc = combineWithLeaf(attrs, 0xff, 3, ACCESS_READ, { sctlrC: false });
    expect([nc.attr, nc.sh, nc.config.sctlrC, nc.config.ifetch]).toEqual([0x44, 2, false, false]);
    // An instruction fetch is the combine's ifetch (stage-1 Device 0x00 fetched as Normal NC: 0x44 OSH).
    const f = combineWithLeaf(attrs, 0x00, 3, ACCESS_EXEC);
    expect([f.attr, f.sh, f.config.ifetch]).toEqual([0x44, 2, true]);
  });
});
