// The memory type a walk's leaf gives a stage-1 Attr byte and SH (issue 6):
// the leaf found by the stage-2 walk, combined with stage 1 by src/mair.
// Expected values are worked by hand from the ASL rules named in each case
// (S1DecodeMemAttrs, S2DecodeMemAttrs, S2CombineS1MemAttrs,
// AArch64.S2ApplyFWBMemAttrs, S2CombineS1Shareability, EffectiveShareability,
// AArch64.S1Translate, EncodePARAttrs / PAREncodeShareability) and
// ../shared/reference/arch-attributes.md section 3.
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { type Stage2Config } from "../../src/pgtable/geometry.js";
import { ACCESS_EXEC, ACCESS_READ, FAULT_NONE } from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import { walkIpa } from "../../src/walker/describe.js";
import { combinedOfLastWalk } from "../../src/walker/memtype.js";

const OSH = 2;
const ISH = 3;

function cfg(fwb: boolean, lpa2 = false): Stage2Config {
  return lpa2
    ? { granule: 4096, iaBits: 52, paBits: 52, lpa2: true, fwb, tlbRange: false }
    : { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb, tlbRange: false };
}

/** Map one 4K page at IPA 0x40000000 -> PA 0x80000000 with `prot`, walk it, combine with (s1Attr, s1Sh). */
function combined(
  c: Stage2Config,
  prot: number,
  s1Attr: number,
  s1Sh: number,
  access = ACCESS_READ,
): { attr: number; sh: number; permitted: number[]; cheap: number[]; memAttr: number } {
  const pgt = new KvmPgtable(c);
  expect(pgt.map(0x40000000, 0x1000, 0x80000000, prot, 0)).toBe(0);
  const w = new S2Walker(pgt);
  const rep = walkIpa(w, 0x40000123, access, 1, { attr: s1Attr, sh: s1Sh });
  expect(rep.result).not.toBeNull();
  expect(rep.combined).not.toBeNull();
  // The cheap path (combine table) for the same leaf, after a translate() of its own.
  expect(w.translate(0x40000123, access, 1)).toBe(FAULT_NONE);
  const out = new Int32Array(2);
  combinedOfLastWalk(w, s1Attr, s1Sh, access, out);
  return { attr: rep.combined!.attr, sh: rep.combined!.sh, permitted: rep.combined!.permitted.sh, cheap: [out[0], out[1]], memAttr: rep.result!.attrs.memAttr };
}

describe("the walk's leaf combined with stage-1 attributes", () => {
  it("a Normal-NC stage-2 page (FWB off, MT_S2_NORMAL_NC 0x5) under a guest Normal-NC mapping (0x44): 0x44, Outer Shareable", () => {
    // S2DecodeMemAttrs 0b0101: Normal, outer NC, inner NC. S2CombineS1AttrHints: NC + NC = NC per half.
    // S2CombineS1Shareability ISH + ISH = ISH, then EffectiveShareability: Normal Inner+Outer NC is OSH.
    // EncodePARAttrs: NC nibbles 0b0100 -> 0x44 (FEAT_XS off); PAREncodeShareability: OSH (0b10).
    const r = combined(cfg(false), PROT_R | PROT_W | PROT_NORMAL_NC, 0x44, ISH);
    expect(r.memAttr).toBe(0x5);
    expect([r.attr, r.sh]).toEqual([0x44, OSH]);
    expect(r.cheap).toEqual([0x44, OSH]);
  });

  it("FWB Normal-WB stage 2 (MT_S2_FWB_NORMAL 0x6) under a guest Device-nGnRnE mapping (0x00): 0xFF with the shareability open (IMPLEMENTATION DEFINED)", () => {
    // AArch64.S2ApplyFWBMemAttrs MemAttr[2:0] = 0b110: Normal WB forced; stage 1 is Device, so both halves
    // take RWA non-transient -> 0xFF. Shareability: stage 1 hands stage 2 either its descriptor SH (ISH)
    // or its effective SH (Device -> OSH), IMPLEMENTATION DEFINED ("Apply effective shareability at
    // stage 1"); S2CombineS1Shareability with stage-2 ISH gives ISH or OSH; WB/WB is not forced to OSH.
    const r = combined(cfg(true), PROT_R | PROT_W, 0x00, ISH);
    expect(r.memAttr).toBe(0x6);
    expect(r.attr).toBe(0xff);
    expect(r.sh).toBe(-1);
    expect(r.permitted).toEqual([OSH, ISH]);
    expect(r.cheap).toEqual([0xff, -1]);
  });

  it("a guest Normal-WB mapping (0xFF) over stage-2 Device (PROT_DEVICE): Device-nGnRE, 0x04 OSH, with FWB on and off", () => {
    // FWB off: S2DecodeMemAttrs 0b0001 = Device-nGnRE; S2CombineS1MemAttrs takes stage 2's Device attributes
    // when stage 1 is Normal. FWB on: AArch64.S2ApplyFWBMemAttrs MemAttr[2] = 0 forces Device-nGnRE.
    // EncodePARAttrs: Device 0b0000dd00 with dd = 01 -> 0x04; PAREncodeShareability: Device is OSH.
    for (const fwb of [false, true]) {
      const r = combined(cfg(fwb), PROT_R | PROT_W | PROT_DEVICE, 0xff, ISH);
      expect(r.memAttr, `fwb ${fwb}`).toBe(0x1);
      expect([r.attr, r.sh], `fwb ${fwb}`).toEqual([0x04, OSH]);
      expect(r.cheap, `fwb ${fwb}`).toEqual([0x04, OSH]);
    }
  });

  it("an instruction fetch uses the combine's instruction-fetch rule: guest Device (0x00) over stage-2 Normal-WB executes as Normal-NC, 0x44 OSH", () => {
    // AArch64.S1Translate: an instruction fetch from stage-1 Device memory is treated as Normal NC.
    // FWB off, S2 MemAttr 0xF (WB/WB): S2CombineS1AttrHints NC + WB = NC per half -> 0x44;
    // EffectiveShareability: Normal NC/NC is OSH. (A data read of the same page stays Device-nGnRnE, 0x00.)
    const x = combined(cfg(false), PROT_R | PROT_X, 0x00, ISH, ACCESS_EXEC);
    expect(x.memAttr).toBe(0xf);
    expect([x.attr, x.sh]).toEqual([0x44, OSH]);
    expect(x.cheap).toEqual([0x44, OSH]);
    const d = combined(cfg(false), PROT_R | PROT_X, 0x00, ISH, ACCESS_READ);
    expect([d.attr, d.sh]).toEqual([0x00, OSH]);
  });

  it("with FEAT_LPA2 the stage-2 SH is VTCR_EL2.SH0 (Inner Shareable as KVM programs it), not descriptor bits 9:8", () => {
    // AArch64_S2NextWalkStateLeaf: s2_sh = walkparams.sh when DS = 1. Guest Normal-WB ISH over FWB WB:
    // 0b110 keeps stage 1's RWA hints -> 0xFF; ISH + ISH = ISH.
    const r = combined(cfg(true, true), PROT_R | PROT_W, 0xff, ISH);
    expect([r.attr, r.sh]).toEqual([0xff, ISH]);
    expect(r.cheap).toEqual([0xff, ISH]);
  });

  it("no memory type after a fault", () => {
    const pgt = new KvmPgtable(cfg(true));
    const rep = walkIpa(new S2Walker(pgt), 0x40000000, ACCESS_READ, 1, { attr: 0xff, sh: ISH });
    expect(rep.fault).not.toBeNull();
    expect(rep.combined).toBeNull();
  });
});
