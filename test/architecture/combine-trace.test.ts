// The combine's step-by-step trace (combineS1S2().steps), one case per arm of
// the ASL functions it mirrors: S2CombineS1MemAttrs (Device/Device,
// Device/Normal, Normal/Device, Normal/Normal, XS, tags), S2ApplyFWBMemAttrs
// (each MemAttr[2:0] arm), AArch64.S1Translate / S1DisabledOutput (HCR_EL2.DC,
// instruction fetch, SCTLR_EL1.C/I) and AArch64.S2Translate (HCR_EL2.CD/ID,
// fetch from stage-2 Device). Each line is "ASL function | rule | result".
// Every value in a line (the device type that wins, the cacheability of each
// half, whose hints are kept, the XS arithmetic, the shareability before and
// after EffectiveShareability, the PAR ATTR/SH) was worked by hand from
// shared/reference/arch-attributes.md sections 2-3 (rules and the worked
// examples of 3.5, which the final ATTR of each case matches), not taken from
// the code; the wording around the values is the trace's documented form.
import { describe, expect, it } from "vitest";
import { combineS1S2, type CombineOptions } from "../../src/mair/combine.js";

function trace(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, opts: CombineOptions): string[] {
  return combineS1S2(s1Attr, s1Sh, s2MemAttr, s2Sh, opts).steps.map((s) => `${s.asl} | ${s.rule} | ${s.result}`);
}

describe("combine trace, every arm of the ASL", () => {
  it("FWB 0, both Device: S1 Device-nGnRE (0x04) with S2 Device-nGRE (0b0010) gives the more restrictive nGnRE, OSH: ATTR 0x04", () => {
    expect(trace(0x04, 3, 0b0010, 3, { fwb: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x04 = Device-nGnRE; SH ISH | Device-nGnRE ISH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Device-nGnRE ISH',
      "S2DecodeMemAttrs | MemAttr 0b0010 = Device-nGRE; SH ISH; stage 2 has no allocation hints | Device-nGRE ISH",
      "S2CombineS1Device | both stages Device: the more restrictive type wins (nGnRnE > nGnRE > nGRE > GRE): nGnRE and nGRE give nGnRE | Device-nGnRE",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Device is always Outer Shareable: ISH -> OSH | Device-nGnRE OSH",
      "EncodePARAttrs / PAREncodeShareability | Device 0b0000dd0x with dd = 01; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x04, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 0, stage 1 Device-nGnRE over stage-2 Normal WB (0b1111): stage 1 kept, 0x04 OSH", () => {
    expect(trace(0x04, 3, 0b1111, 3, { fwb: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x04 = Device-nGnRE; SH ISH | Device-nGnRE ISH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Device-nGnRE ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1MemAttrs | stage 1 Device, stage 2 Normal: the stage-1 attributes are kept (Device-nGnRE) | Device-nGnRE",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Device is always Outer Shareable: ISH -> OSH | Device-nGnRE OSH",
      "EncodePARAttrs / PAREncodeShareability | Device 0b0000dd0x with dd = 01; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x04, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 0, FEAT_XS: 0xFF over Device-nGnRE (0b0001) takes stage 2, XS = 1 AND 0 = 0: ATTR 0x05 (section 3.1)", () => {
    expect(trace(0xff, 3, 0b0001, 3, { fwb: false, xs: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111), XS=0; SH ISH | Normal o:WB-RWA i:WB-RWA XS=0 ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA XS=0 ISH',
      "S2DecodeMemAttrs | MemAttr 0b0001 = Device-nGnRE; SH ISH; stage 2 has no allocation hints | Device-nGnRE XS=1 ISH",
      "S2CombineS1MemAttrs | stage 1 Normal, stage 2 Device: the stage-2 attributes are taken (Device-nGnRE); the Normal side never affects the device type | Device-nGnRE",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "S2CombineS1MemAttrs | XS = stage-2 XS AND stage-1 XS = 1 AND 0 = 0 | XS=0",
      "EffectiveShareability | Device is always Outer Shareable: ISH -> OSH | Device-nGnRE XS=0 OSH",
      "EncodePARAttrs / PAREncodeShareability | Device 0b0000dd0x with dd = 01, bit 0 = NOT XS = 1; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x05, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 0, Tagged 0xF0 over WT/WT (0b1010): WT with stage-1 hints, the tag is lost: 0xBB ISH (section 3.5)", () => {
    expect(trace(0xf0, 3, 0b1010, 3, { fwb: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xf0 = Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Allocation Tagged; SH ISH | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA Tagged ISH',
      "S2DecodeMemAttrs | MemAttr 0b1010 = Normal, inner and outer Write-Through; SH ISH; stage 2 has no allocation hints | Normal o:WT-no-alloc i:WT-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WT -> WT (stage-1 hints kept); inner WB + WT -> WT (stage-1 hints kept) | Normal-WT",
      "S2MemTagType | stage 1 Allocation Tagged: the result is Untagged (Tagged needs a Normal Inner+Outer WB RWA non-transient result) | Untagged",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WT-RWA i:WT-RWA ISH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH ISH | ATTR 0xbb, SH 0b11 (ISH)",
    ]);
  });
  it("FWB 0, Tagged 0xF0 over WB/WB (0b1111): stays Tagged, 0xF0 ISH", () => {
    expect(trace(0xf0, 3, 0b1111, 3, { fwb: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xf0 = Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Allocation Tagged; SH ISH | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA Tagged ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WB -> WB (stage-1 hints kept); inner WB + WB -> WB (stage-1 hints kept) | Normal-WB",
      "S2MemTagType | stage 1 Allocation Tagged: the result is Allocation Tagged | Allocation Tagged",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      "EncodePARAttrs / PAREncodeShareability | Allocation Tagged reports 0xF0; SH ISH | ATTR 0xf0, SH 0b11 (ISH)",
    ]);
  });
  it("FWB 0, Normal NC 0x44 NSH over WB/WB NSH: NC + WB -> NC, no hints kept; NC/NC is forced to OSH", () => {
    expect(trace(0x44, 0, 0b1111, 0, { fwb: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x44 = Normal, outer Non-cacheable (Attr[7:4] = 0b0100), inner Non-cacheable (Attr[3:0] = 0b0100); SH NSH | Normal o:NC i:NC NSH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s NSH goes to stage 2 (the other choice gives OSH) | Normal o:NC i:NC NSH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH NSH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc NSH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer NC + WB -> NC; inner NC + WB -> NC | Normal-NC",
      "S2CombineS1Shareability | NSH (stage 1) with NSH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | NSH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: NSH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 0, FEAT_XS: WB/WB result has XS = 0", () => {
    expect(trace(0xff, 3, 0b1111, 3, { fwb: false, xs: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111), XS=0; SH ISH | Normal o:WB-RWA i:WB-RWA XS=0 ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA XS=0 ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc XS=1 ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WB -> WB (stage-1 hints kept); inner WB + WB -> WB (stage-1 hints kept) | Normal-WB",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "S2CombineS1MemAttrs | XS: the result is Normal Inner+Outer Write-Back, so XS = 0 | XS=0",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA XS=0 ISH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH ISH | ATTR 0xff, SH 0b11 (ISH)",
    ]);
  });
  it("FWB 0, FEAT_XS: a WT result has XS = S2 XS AND S1 XS = 1 AND 0; ISH with NSH gives ISH", () => {
    expect(trace(0xff, 3, 0b1010, 0, { fwb: false, xs: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111), XS=0; SH ISH | Normal o:WB-RWA i:WB-RWA XS=0 ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA XS=0 ISH',
      "S2DecodeMemAttrs | MemAttr 0b1010 = Normal, inner and outer Write-Through; SH NSH; stage 2 has no allocation hints | Normal o:WT-no-alloc i:WT-no-alloc XS=1 NSH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WT -> WT (stage-1 hints kept); inner WB + WT -> WT (stage-1 hints kept) | Normal-WT",
      "S2CombineS1Shareability | ISH (stage 1) with NSH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "S2CombineS1MemAttrs | XS = stage-2 XS AND stage-1 XS = 1 AND 0 = 0 | XS=0",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WT-RWA i:WT-RWA XS=0 ISH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH ISH | ATTR 0xbb, SH 0b11 (ISH)",
    ]);
  });
  it("FWB 0: OSH with NSH gives OSH", () => {
    expect(trace(0xff, 2, 0b1111, 0, { fwb: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH OSH | Normal o:WB-RWA i:WB-RWA OSH",
      'AArch64.S1Translate | stage-1 shareability OSH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA OSH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH NSH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc NSH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WB -> WB (stage-1 hints kept); inner WB + WB -> WB (stage-1 hints kept) | Normal-WB",
      "S2CombineS1Shareability | OSH (stage 1) with NSH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | OSH",
      "EffectiveShareability | OSH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH OSH | ATTR 0xff, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b000 over stage-1 Device-nGnRnE: nGnRnE, NSH forced to OSH", () => {
    expect(trace(0x00, 0, 0b0000, 0, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x00 = Device-nGnRnE; SH NSH | Device-nGnRnE NSH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s NSH goes to stage 2 (the other choice gives OSH) | Device-nGnRnE NSH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2] = 0: stage 2 forces Device-nGnRnE; stage 1 is Device-nGnRnE, so the more restrictive (S2CombineS1Device) wins: nGnRnE; XS from stage 1 | Device-nGnRnE",
      "S2CombineS1Shareability | NSH (stage 1) with NSH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | NSH",
      "EffectiveShareability | Device is always Outer Shareable: NSH -> OSH | Device-nGnRnE OSH",
      "EncodePARAttrs / PAREncodeShareability | Device 0b0000dd0x with dd = 00; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x00, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b010 (nGRE) over stage-1 Device-nGnRE: the more restrictive nGnRE; XS from stage 1 (1): ATTR 0x04", () => {
    expect(trace(0x04, 3, 0b0010, 3, { fwb: true, xs: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x04 = Device-nGnRE, XS=1; SH ISH | Device-nGnRE XS=1 ISH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Device-nGnRE XS=1 ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2] = 0: stage 2 forces Device-nGRE; stage 1 is Device-nGnRE, so the more restrictive (S2CombineS1Device) wins: nGnRE; XS from stage 1 | Device-nGnRE",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Device is always Outer Shareable: ISH -> OSH | Device-nGnRE XS=1 OSH",
      "EncodePARAttrs / PAREncodeShareability | Device 0b0000dd0x with dd = 01, bit 0 = NOT XS = 0; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x04, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b001 over stage-1 0xFF: Device-nGnRE with stage 1 XS (0): ATTR 0x05 (section 3.5)", () => {
    expect(trace(0xff, 3, 0b0001, 3, { fwb: true, xs: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111), XS=0; SH ISH | Normal o:WB-RWA i:WB-RWA XS=0 ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA XS=0 ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2] = 0: stage 2 forces Device-nGnRE over stage-1 Normal memory; XS from stage 1 | Device-nGnRE",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Device is always Outer Shareable: ISH -> OSH | Device-nGnRE XS=0 OSH",
      "EncodePARAttrs / PAREncodeShareability | Device 0b0000dd0x with dd = 01, bit 0 = NOT XS = 1; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x05, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b111: stage 1 unchanged, 0xFF ISH", () => {
    expect(trace(0xff, 3, 0b0111, 3, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b111: the stage-1 attributes are used unchanged | Normal-WB",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA ISH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH ISH | ATTR 0xff, SH 0b11 (ISH)",
    ]);
  });
  it("FWB 1, MemAttr 0b110 over WB transient 0x77: forced WB keeps the stage-1 hints, 0x77 ISH (section 3.5)", () => {
    expect(trace(0x77, 3, 0b0110, 3, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x77 = Normal, outer Write-Back Read+Write-Allocate transient (Attr[7:4] = 0b0111), inner Write-Back Read+Write-Allocate transient (Attr[3:0] = 0b0111); SH ISH | Normal o:WB-RWA-transient i:WB-RWA-transient ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA-transient i:WB-RWA-transient ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b110: Normal Write-Back forced; outer stage-1 hints kept (stage 1 is cacheable there), inner stage-1 hints kept (stage 1 is cacheable there); XS = 0 | Normal-WB",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA-transient i:WB-RWA-transient ISH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH ISH | ATTR 0x77, SH 0b11 (ISH)",
    ]);
  });
  it("FWB 1, MemAttr 0b110 over NC 0x44: forced WB RWA non-transient, 0xFF; the first outcome applies effective shareability at stage 1 (OSH)", () => {
    expect(trace(0x44, 3, 0b0110, 3, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x44 = Normal, outer Non-cacheable (Attr[7:4] = 0b0100), inner Non-cacheable (Attr[3:0] = 0b0100); SH ISH | Normal o:NC i:NC ISH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": applied, ISH -> OSH (the other choice gives ISH) | Normal o:NC i:NC OSH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b110: Normal Write-Back forced; outer RWA non-transient (stage 1 is Device or Non-cacheable there), inner RWA non-transient (stage 1 is Device or Non-cacheable there); XS = 0 | Normal-WB",
      "S2CombineS1Shareability | OSH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | OSH",
      "EffectiveShareability | OSH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH OSH | ATTR 0xff, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b101 over stage-1 Device-nGnRE: stage 1 kept, 0x04 OSH", () => {
    expect(trace(0x04, 3, 0b0101, 3, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x04 = Device-nGnRE; SH ISH | Device-nGnRE ISH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Device-nGnRE ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b101: Non-cacheable unless stage 1 is Device; stage 1 is Device-nGnRE, so stage 1 is kept | Device-nGnRE",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Device is always Outer Shareable: ISH -> OSH | Device-nGnRE OSH",
      "EncodePARAttrs / PAREncodeShareability | Device 0b0000dd0x with dd = 01; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x04, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b101 over 0xFF with FEAT_XS: Normal NC/NC with XS 0 reports 0x40 OSH (section 3.5)", () => {
    expect(trace(0xff, 3, 0b0101, 3, { fwb: true, xs: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111), XS=0; SH ISH | Normal o:WB-RWA i:WB-RWA XS=0 ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA XS=0 ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b101: stage 1 is Normal, so the result is Normal Inner+Outer Non-cacheable; XS from stage 1 | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC XS=0 OSH",
      "EncodePARAttrs / PAREncodeShareability | XS = 0 Normal NC/NC reports 0x40; SH forced to OSH (Device / Normal NC-NC) | ATTR 0x40, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b100 (reserved in the Arm ARM text) takes the 0b101 arm: 0x44 OSH", () => {
    expect(trace(0xff, 3, 0b0100, 3, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b100 (reserved in the Arm ARM text; the ASL takes the 0b101 arm): stage 1 is Normal, so the result is Normal Inner+Outer Non-cacheable; XS from stage 1 | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 1, MemAttr 0b110 over Tagged 0xF0: forced WB RWA keeps the tag, 0xF0 ISH", () => {
    expect(trace(0xf0, 3, 0b0110, 3, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xf0 = Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Allocation Tagged; SH ISH | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA Tagged ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b110: Normal Write-Back forced; outer stage-1 hints kept (stage 1 is cacheable there), inner stage-1 hints kept (stage 1 is cacheable there); XS = 0 | Normal-WB",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "S2MemTagType | stage 1 Allocation Tagged: the result is Allocation Tagged | Allocation Tagged",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      "EncodePARAttrs / PAREncodeShareability | Allocation Tagged reports 0xF0; SH ISH | ATTR 0xf0, SH 0b11 (ISH)",
    ]);
  });
  it("FWB 1, MemAttr 0b101 over Tagged 0xF0: NC, the tag is lost, 0x44 OSH", () => {
    expect(trace(0xf0, 3, 0b0101, 3, { fwb: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xf0 = Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Allocation Tagged; SH ISH | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA Tagged ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b101: stage 1 is Normal, so the result is Normal Inner+Outer Non-cacheable; XS from stage 1 | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "S2MemTagType | stage 1 Allocation Tagged: the result is Untagged (Tagged needs a Normal Inner+Outer WB RWA non-transient result) | Untagged",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("HCR_EL2.DC = 1 and DCT = 1: stage 1 outputs WB RWA NSH Tagged; with stage-2 WB ISH: 0xF0 ISH", () => {
    expect(trace(0xff, 3, 0b1111, 3, { fwb: false, hcrDC: true, hcrDCT: true })).toEqual([
      "AArch64.S1DisabledOutput | HCR_EL2.DC = 1: stage 1 is disabled and the MAIR byte is not used; its output is Normal Inner+Outer WB RWA non-transient, Non-shareable, Tagged (HCR_EL2.DCT = 1), XS = 0 | Normal o:WB-RWA i:WB-RWA Tagged NSH",
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WB -> WB (stage-1 hints kept); inner WB + WB -> WB (stage-1 hints kept) | Normal-WB",
      "S2MemTagType | stage 1 Allocation Tagged: the result is Allocation Tagged | Allocation Tagged",
      "S2CombineS1Shareability | NSH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      "EncodePARAttrs / PAREncodeShareability | Allocation Tagged reports 0xF0; SH ISH | ATTR 0xf0, SH 0b11 (ISH)",
    ]);
  });
  it("HCR_EL2.DC = 1, DCT = 0: WB RWA NSH untagged; with stage-2 WB ISH: 0xFF ISH", () => {
    expect(trace(0xff, 3, 0b1111, 3, { fwb: false, hcrDC: true })).toEqual([
      "AArch64.S1DisabledOutput | HCR_EL2.DC = 1: stage 1 is disabled and the MAIR byte is not used; its output is Normal Inner+Outer WB RWA non-transient, Non-shareable, XS = 0 | Normal o:WB-RWA i:WB-RWA NSH",
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + WB -> WB (stage-1 hints kept); inner WB + WB -> WB (stage-1 hints kept) | Normal-WB",
      "S2CombineS1Shareability | NSH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA ISH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH ISH | ATTR 0xff, SH 0b11 (ISH)",
    ]);
  });
  it("instruction fetch from stage-1 Device-nGnRnE: Normal NC; over WB: 0x44 OSH", () => {
    expect(trace(0x00, 3, 0b1111, 3, { fwb: false, ifetch: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0x00 = Device-nGnRnE; SH ISH | Device-nGnRnE ISH",
      "AArch64.S1Translate | instruction fetch from stage-1 Device memory: treated as Normal Non-cacheable (XS kept) | Normal o:NC i:NC OSH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Normal o:NC i:NC ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer NC + WB -> NC; inner NC + WB -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("instruction fetch with SCTLR_EL1.I = 0: stage 1 Normal NC: 0x44 OSH", () => {
    expect(trace(0xff, 3, 0b1111, 3, { fwb: false, ifetch: true, sctlrI: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      "AArch64.S1Translate | instruction fetch from stage 1 with SCTLR_EL1.I = 0: treated as Normal Non-cacheable (XS kept) | Normal o:NC i:NC OSH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Normal o:NC i:NC ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer NC + WB -> NC; inner NC + WB -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("instruction fetch from stage-2 Device-nGnRE: stage 2 treated as Normal NC OSH: 0x44 OSH", () => {
    expect(trace(0xff, 3, 0b0001, 3, { fwb: false, ifetch: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA ISH',
      "S2DecodeMemAttrs | MemAttr 0b0001 = Device-nGnRE; SH ISH; stage 2 has no allocation hints | Device-nGnRE ISH",
      "AArch64.S2Translate | an instruction fetch from stage-2 Device memory (which may instead be a Permission fault, Unpredictable_INSTRDEVICE): the stage-2 attributes are treated as Normal Non-cacheable, Outer Shareable, Untagged (NormalNCMemAttr, XS kept) | Normal o:NC i:NC OSH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + NC -> NC; inner WB + NC -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with OSH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | OSH",
      "EffectiveShareability | OSH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("instruction fetch with HCR_EL2.ID = 1: stage 2 treated as Normal NC: 0x44 OSH", () => {
    expect(trace(0xff, 3, 0b1111, 3, { fwb: false, ifetch: true, hcrID: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "AArch64.S2Translate | HCR_EL2.ID = 1: the stage-2 attributes are treated as Normal Non-cacheable, Outer Shareable, Untagged (NormalNCMemAttr, XS kept) | Normal o:NC i:NC OSH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + NC -> NC; inner WB + NC -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with OSH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | OSH",
      "EffectiveShareability | OSH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("data access with HCR_EL2.CD = 1 and FWB 0: stage-2 Normal treated as NC before the combine: 0x44 OSH", () => {
    expect(trace(0xff, 3, 0b1111, 3, { fwb: false, hcrCD: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "AArch64.S2Translate | HCR_EL2.CD = 1 on Normal memory: the stage-2 attributes are treated as Normal Non-cacheable, Outer Shareable, Untagged (NormalNCMemAttr, XS kept) | Normal o:NC i:NC OSH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + NC -> NC; inner WB + NC -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with OSH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | OSH",
      "EffectiveShareability | OSH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("data access with HCR_EL2.CD = 1 and FWB 1: the combined result is replaced by Normal NC: 0x44 OSH", () => {
    expect(trace(0xff, 3, 0b0111, 3, { fwb: true, hcrCD: true })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA ISH',
      "AArch64.S2ApplyFWBMemAttrs | MemAttr[2:0] = 0b111: the stage-1 attributes are used unchanged | Normal-WB",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | ISH stays (only Device and Normal NC/NC are forced to OSH) | Normal o:WB-RWA i:WB-RWA ISH",
      "AArch64.S2Translate | HCR_EL2.CD = 1 on Normal memory: the stage-2 attributes are treated as Normal Non-cacheable, Outer Shareable, Untagged (NormalNCMemAttr, XS kept); with FWB this replaces the already-combined result | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("SCTLR_EL1.C = 0: a Normal data access is NC at stage 1: 0x44 OSH", () => {
    expect(trace(0xff, 3, 0b1111, 3, { fwb: false, sctlrC: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      "AArch64.S1Translate | SCTLR_EL1.C = 0: a Normal data access is treated as Normal Non-cacheable (XS kept) | Normal o:NC i:NC OSH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Normal o:NC i:NC ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer NC + WB -> NC; inner NC + WB -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("SCTLR_EL1.C = 0 with Tagged 0xF0: the first outcome drops the tag (CONSTRAINED UNPREDICTABLE)", () => {
    expect(trace(0xf0, 3, 0b1111, 3, { fwb: false, sctlrC: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xf0 = Normal, inner and outer Write-Back Read+Write-Allocate non-transient, Allocation Tagged; SH ISH | Normal o:WB-RWA i:WB-RWA Tagged ISH",
      "AArch64.S1Translate | SCTLR_EL1.C = 0: a Normal data access is treated as Normal Non-cacheable (XS kept); Tagged is CONSTRAINED UNPREDICTABLE (Unpredictable_S1CTAGGED), here dropped | Normal o:NC i:NC OSH",
      'AArch64.S1Translate | IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": not applied, the descriptor\'s ISH goes to stage 2 (the other choice gives OSH) | Normal o:NC i:NC ISH',
      "S2DecodeMemAttrs | MemAttr 0b1111 = Normal, inner and outer Write-Back; SH ISH; stage 2 has no allocation hints | Normal o:WB-no-alloc i:WB-no-alloc ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer NC + WB -> NC; inner NC + WB -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
  it("FWB 0, MemAttr 0b0100 (reserved inner half): the first outcome takes the inner half as NC", () => {
    expect(trace(0xff, 3, 0b0100, 3, { fwb: false })).toEqual([
      "S1DecodeMemAttrs | MAIR Attr 0xff = Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111); SH ISH | Normal o:WB-RWA i:WB-RWA ISH",
      'AArch64.S1Translate | stage-1 shareability ISH (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here) | Normal o:WB-RWA i:WB-RWA ISH',
      "S2DecodeMemAttrs | MemAttr 0b0100 = Normal, outer Non-cacheable, inner reserved (CONSTRAINED UNPREDICTABLE: Non-cacheable, Write-Through or Write-Back); the reserved inner half taken as NC (one permitted choice, S2DecodeCacheability, Unpredictable_S2RESMEMATTR); SH ISH; stage 2 has no allocation hints | Normal o:NC i:NC ISH",
      "S2CombineS1AttrHints | both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: outer WB + NC -> NC; inner WB + NC -> NC | Normal-NC",
      "S2CombineS1Shareability | ISH (stage 1) with ISH (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH | ISH",
      "EffectiveShareability | Normal Inner+Outer Non-cacheable is always Outer Shareable: ISH -> OSH | Normal o:NC i:NC OSH",
      "EncodePARAttrs / PAREncodeShareability | one MAIR nibble per half (outer [7:4], inner [3:0]); SH forced to OSH (Device / Normal NC-NC) | ATTR 0x44, SH 0b10 (OSH)",
    ]);
  });
});
