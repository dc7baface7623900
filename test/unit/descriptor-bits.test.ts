// Hand-worked descriptor values: every expected number below is written out
// from the bit layout of kernel-reference.md §1 (KVM_PTE_ADDR_MASK,
// KVM_PTE_ADDR_51_48, KVM_PTE_ADDR_51_50_LPA2, the leaf attribute masks), and
// the Linux errno numbers from include/uapi/asm-generic/errno-base.h.
import { describe, expect, it } from "vitest";
import {
  ERRNO_NAMES,
  PROT_R,
  PROT_SW0,
  PROT_SW3,
  PROT_W,
  PROT_X,
  initInvalidLeafOwnerLo,
  initTablePteLo,
  initValidLeafPteHi,
  initValidLeafPteLo,
  physToPteHi,
  physToPteLo,
  protToKernel,
  pteCacheable,
  pteExecutable,
  pteFormat,
  pteToPhys,
  stage2PteProt,
} from "../../src/pgtable/descriptor.js";
import { decodeS2Descriptor } from "../../src/walker/decode.js";

describe("the output-address format per granule and FEAT_LPA2 (kvm_phys_to_pte)", () => {
  it.each([
    // granule, lpa2, PAGE_SHIFT, KVM_PTE_ADDR_MASK low / high half, where OA bits above go, largest OA + 1
    [4096, false, 12, 0xfffff000, 0xffff, 0, 2 ** 48], // bits 47:12
    [16384, false, 14, 0xffffc000, 0xffff, 0, 2 ** 48], // bits 47:14
    [65536, false, 16, 0xffff0000, 0xffff, 1, 2 ** 52], // bits 47:16, OA[51:48] in 15:12
    [4096, true, 12, 0xfffff000, 0x3ffff, 2, 2 ** 52], // bits 49:12, OA[51:50] in 9:8
    [16384, true, 14, 0xffffc000, 0x3ffff, 2, 2 ** 52], // bits 49:14, OA[51:50] in 9:8
  ] as const)("granule %i lpa2 %s", (granule, lpa2, pageShift, addrLo, addrHi, highOa, oaLimit) => {
    expect(pteFormat(granule, lpa2)).toEqual({ granule, pageShift, lpa2, addrLo, addrHi, highOa, oaLimit });
  });

  it("64K: OA[51:48] goes to bits 15:12 and comes back", () => {
    // PA 0x000f_1234_5678_0000: bits 51:48 = 0xf, 47:32 = 0x1234, 31:16 = 0x5678.
    const f = pteFormat(65536, false);
    const pa = 0x000f_1234_5678_0000;
    expect(physToPteLo(f, pa)).toBe(0x5678_f000);
    expect(physToPteHi(f, pa)).toBe(0x1234);
    expect(pteToPhys(f, 0x5678_f000, 0x1234)).toBe(pa);
    // Bits 11:0 of the low half and the attribute bits of the high half are not address.
    expect(pteToPhys(f, 0x5678_ffff, 0xffc0_1234)).toBe(pa);
  });

  it("FEAT_LPA2: OA[49:48] in the high half, OA[51:50] in bits 9:8", () => {
    // PA 0x000f_0000_0000_1000: bits 51:50 = 0b11 -> lo bits 9:8; bits 49:48 = 0b11 -> hi bits 17:16.
    const f = pteFormat(4096, true);
    const pa = 0x000f_0000_0000_1000;
    expect(physToPteLo(f, pa)).toBe(0x1300);
    expect(physToPteHi(f, pa)).toBe(0x3_0000);
    expect(pteToPhys(f, 0x1300, 0x3_0000)).toBe(pa);
    // 0x0008_0000_0000_0000 (bit 51 alone): lo bit 9.
    expect(physToPteLo(f, 2 ** 51)).toBe(0x200);
    expect(pteToPhys(f, 0x200, 0)).toBe(2 ** 51);
    // 16K LPA2: bits 13:10 and 7:0 are not address; bits 9:8 are OA[51:50].
    expect(pteToPhys(pteFormat(16384, true), 0x0000_7cff, 0x1)).toBe(2 ** 32 + 0x4000);
    expect(pteToPhys(pteFormat(16384, true), 0x0000_4100, 0x0)).toBe(2 ** 50 + 0x4000);
    // Without LPA2, 4K has no bits above 47: bits 9:8 are SH and the high half is masked at 47.
    const f4 = pteFormat(4096, false);
    expect(physToPteLo(f4, 2 ** 51 + 0x1000)).toBe(0x1000);
    expect(physToPteHi(f4, 0x000f_1234_0000_0000)).toBe(0x1234);
    expect(pteToPhys(f4, 0x1300, 0x3_1234)).toBe(0x1234_0000_1000);
  });

  it("a 4K FEAT_LPA2 page above 2^48 decodes with its 52-bit OA and no Address size note", () => {
    // OA 2^51 + 0x1000: bit 51 -> lo bit 9; page: bits 1:0 = 0b11; MemAttr 0xf << 2 = 0x3c;
    // S2AP RW 0xc0; AF 0x400 -> lo 0x1000 | 0x200 | 0x4ff = 0x16ff; XN bit 54 -> hi 0x0040_0000.
    const d = decodeS2Descriptor(0x0040_0000_0000_16ffn, { granule: 4096, level: 3, lpa2: true, fwb: false });
    expect(d.oa).toBe("0x8000000001000");
    expect(d.kind).toBe("page");
    expect(d.notes).toEqual([]);
    // The same page with a 48-bit PA range given: beyond it.
    const d48 = decodeS2Descriptor(0x0040_0000_0000_16ffn, { granule: 4096, level: 3, lpa2: true, fwb: false, paBits: 48 });
    expect(d48.notes).toEqual(["the output address is beyond the 48-bit PA range: an access takes an Address size fault"]);
    // 64K, OA[51:48] = 1 (bits 15:12 = 0x1000): 2^48 + 0x10000, within the 52 bits 64K carries.
    const d64 = decodeS2Descriptor(0x0040_0000_0001_17ffn, { granule: 65536, level: 3, lpa2: false, fwb: false });
    expect(d64.oa).toBe("0x1000000010000");
    expect(d64.notes).toEqual([]);
  });
});

describe("leaf and table entries, bit by bit", () => {
  it("kvm_init_valid_leaf_pte keeps only KVM_PTE_LEAF_ATTR_LO (11:2) and _HI (63:50) of the attributes", () => {
    const f = pteFormat(4096, false);
    // Page at level 3: VALID | TYPE | attr & 0xffc | PA 0x8000_0000.
    expect(initValidLeafPteLo(f, 0x8000_0000, 0xffff_ffff, 3)).toBe(0x8000_0fff);
    // Block at level 2: TYPE clear.
    expect(initValidLeafPteLo(f, 0x8000_0000, 0, 2)).toBe(0x8000_0001);
    expect(initValidLeafPteHi(f, 0x1_2345_6000, 0xffff_ffff)).toBe(0xfffc_0001);
    expect(initValidLeafPteHi(f, 0x1_2345_6000, 0x0003_ffff)).toBe(0x0000_0001);
  });
  it("kvm_init_table_pte: address, TYPE and VALID only; an owner annotation is bits 9:2", () => {
    expect(initTablePteLo(pteFormat(4096, false), 0x8123_4000)).toBe(0x8123_4003);
    expect(initTablePteLo(pteFormat(65536, false), 0x000f_0000_8123_0000)).toBe(0x8123_f003);
    expect(initInvalidLeafOwnerLo(1)).toBe(0b100);
    expect(initInvalidLeafOwnerLo(0xff)).toBe(0x3fc);
    expect(initInvalidLeafOwnerLo(0x1ff)).toBe(0x3fc); // the id is 8 bits
  });
});

describe("predicates and prot read-back (pgtable.c)", () => {
  it("kvm_pgtable_stage2_pte_prot: an invalid entry gives its SW bits only, never R/W/X", () => {
    // lo 0xc0: S2AP RW but VALID clear; hi bit 23 = descriptor bit 55 = SW0.
    expect(stage2PteProt(0xc0, 0x0080_0000)).toBe(PROT_SW0);
    expect(stage2PteProt(0x0, 0x0)).toBe(0);
    // Valid, S2AP RW, XN clear: R|W|X; XN (hi bit 22) set: R|W.
    expect(stage2PteProt(0xc1, 0)).toBe(PROT_R | PROT_W | PROT_X);
    expect(stage2PteProt(0x41, 0x0040_0000)).toBe(PROT_R);
    expect(stage2PteProt(0x81, 0x0440_0000)).toBe(PROT_W | PROT_SW3); // hi bit 26 = bit 58 = SW3
  });
  it("stage2_pte_cacheable / stage2_pte_executable need a valid entry", () => {
    // MemAttr 0xf (MT_S2_NORMAL) in bits 5:2 = 0x3c; FWB MT_S2_FWB_NORMAL 6 = 0x18.
    expect(pteCacheable(0x3d, false)).toBe(true);
    expect(pteCacheable(0x3c, false)).toBe(false);
    expect(pteCacheable(0x19, true)).toBe(true);
    expect(pteCacheable(0x18, true)).toBe(false);
    expect(pteCacheable(0x19, false)).toBe(false);
    expect(pteCacheable(0x15, false)).toBe(false); // MT_S2_NORMAL_NC
    expect(pteExecutable(0x1, 0)).toBe(true);
    expect(pteExecutable(0x0, 0)).toBe(false);
    expect(pteExecutable(0x1, 0x0040_0000)).toBe(false);
  });
  it("the kernel's 64-bit prot: bits 4:0 as they are, SW0..3 at bits 58:55", () => {
    // R|W = 0b110; SW0 bit 55 = 0x0080_0000_0000_0000, SW3 bit 58 = 0x0400_0000_0000_0000.
    expect(protToKernel(PROT_R | PROT_W | PROT_SW0 | PROT_SW3)).toBe(0x0480_0000_0000_0006n);
    expect(protToKernel(0x20 | PROT_X)).toBe(1n); // bit 5 is no prot bit
  });
});

describe("errno names (include/uapi/asm-generic/errno-base.h)", () => {
  it("every errno the model returns has its name", () => {
    expect(ERRNO_NAMES).toEqual({ 1: "EPERM", 2: "ENOENT", 7: "E2BIG", 8: "ENOEXEC", 11: "EAGAIN", 12: "ENOMEM", 14: "EFAULT", 22: "EINVAL", 34: "ERANGE" });
  });
});
