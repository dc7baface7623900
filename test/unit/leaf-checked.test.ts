// encodeLeafChecked / protRefusal against hand-worked values: the leaf levels
// of KVM_PGTABLE_MIN_BLOCK_LEVEL (4K: 1..3, 16K and 64K: 2..3), the leaf sizes
// 2^kvm_granule_shift(L), the PA ranges, and stage2_set_prot_attr()'s refusals
// (kernel-reference.md §1.3: -EINVAL for DEVICE|NORMAL_NC, DEVICE|X, NORMAL_NC|X).
import { describe, expect, it } from "vitest";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { encodeLeafChecked, protRefusal } from "../../src/pgtable/leaf.js";
import { InputError } from "../../src/pgtable/u64.js";

const NOFWB4K = { granule: 4096, lpa2: false, fwb: false } as const;

function refused(f: () => unknown, msg: string): void {
  expect(f).toThrow(InputError);
  // The exact message (an ArgumentError also carries its argument's name and the detail).
  expect(f).toThrow(expect.objectContaining({ message: msg }));
}

describe("encodeLeafChecked", () => {
  it("levels a leaf may be at, per granule", () => {
    refused(
      () => encodeLeafChecked(NOFWB4K, 0n, 0, PROT_R),
      "--level: KVM maps leaves at levels 1..3 with a 4K granule (KVM_PGTABLE_MIN_BLOCK_LEVEL = 1); 0 is not one",
    );
    // 4 is no level at all (-1..3): the argument check refuses it before the granule rule.
    refused(() => encodeLeafChecked(NOFWB4K, 0n, 4, PROT_R), "level: 4 is not a level in -1..3");
    refused(
      () => encodeLeafChecked({ granule: 16384, lpa2: false, fwb: false }, 0n, 1, PROT_R),
      "--level: KVM maps leaves at levels 2..3 with a 16K granule (KVM_PGTABLE_MIN_BLOCK_LEVEL = 2); 1 is not one",
    );
    refused(
      () => encodeLeafChecked({ granule: 65536, lpa2: false, fwb: false }, 0n, 1, PROT_R),
      "--level: KVM maps leaves at levels 2..3 with a 64K granule (KVM_PGTABLE_MIN_BLOCK_LEVEL = 2); 1 is not one",
    );
    // 4K level 1: a 1 GiB block, bits 1:0 = 0b01. PA 0x4000_0000 | AF | SH IS | S2AP R | MemAttr 0xf -> lo 0x4000_077d (no S2AP W).
    const r = encodeLeafChecked(NOFWB4K, 0x4000_0000n, 1, PROT_R);
    expect(r).toEqual({ lo: 0x4000_077d, hi: 0x0040_0000, value: 0x0040_0000_4000_077dn });
    // 16K and 64K level 2 blocks (32 MiB and 512 MiB).
    expect(encodeLeafChecked({ granule: 16384, lpa2: false, fwb: false }, 0x200_0000n, 2, PROT_R | PROT_W | PROT_X)).toMatchObject({ value: 0x0200_07fdn });
    expect(encodeLeafChecked({ granule: 65536, lpa2: false, fwb: false }, 0x2000_0000n, 2, PROT_R | PROT_W | PROT_X)).toMatchObject({ value: 0x2000_07fdn });
  });

  it("the PA must be aligned to the leaf size", () => {
    refused(() => encodeLeafChecked(NOFWB4K, 0x1000n, 2, PROT_R), "--pa: 0x1000 is not aligned to the level-2 leaf size 0x200000");
    refused(() => encodeLeafChecked(NOFWB4K, 0x800n, 3, PROT_R), "--pa: 0x800 is not aligned to the level-3 leaf size 0x1000");
    refused(
      () => encodeLeafChecked({ granule: 65536, lpa2: false, fwb: false }, 0x1000n, 3, PROT_R),
      "--pa: 0x1000 is not aligned to the level-3 leaf size 0x10000",
    );
  });

  it("the PA must be inside the PA range: 48 bits, or 52 where the format carries them", () => {
    refused(() => encodeLeafChecked(NOFWB4K, 1n << 48n, 3, PROT_R), "--pa: 0x1000000000000 is beyond the 48-bit PA range");
    refused(() => encodeLeafChecked({ ...NOFWB4K, paBits: 40 }, 1n << 40n, 3, PROT_R), "--pa: 0x10000000000 is beyond the 40-bit PA range");
    refused(() => encodeLeafChecked({ ...NOFWB4K, paBits: 52 }, 0n, 3, PROT_R), "--pa-bits: 52-bit PAs need FEAT_LPA2 (--lpa2) with a 4K granule");
    refused(() => encodeLeafChecked({ granule: 4096, lpa2: true, fwb: false }, 1n << 52n, 3, PROT_R), "--pa: 0x10000000000000 is beyond the 52-bit PA range");
    refused(
      () => encodeLeafChecked({ granule: 65536, lpa2: true, fwb: false }, 0n, 3, PROT_R),
      "--lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only",
    );
    // Just below the limits it encodes: 2^48 - 4K without LPA2, 2^52 - 4K with it.
    expect(encodeLeafChecked(NOFWB4K, (1n << 48n) - 0x1000n, 3, PROT_R)).toMatchObject({ lo: 0xffff_f77f, hi: 0x0040_ffff });
    // LPA2: OA[51:50] = 0b11 in bits 9:8, OA[49:48] in hi bits 17:16; SH is not written (bits 9:8 are OA).
    expect(encodeLeafChecked({ granule: 4096, lpa2: true, fwb: false }, (1n << 52n) - 0x1000n, 3, PROT_R)).toMatchObject({ lo: 0xffff_f77f, hi: 0x0043_ffff });
    // 64K: 52-bit PAs by default, OA[51:48] in bits 15:12.
    expect(encodeLeafChecked({ granule: 65536, lpa2: false, fwb: false }, 0xf_0000_0001_0000n, 3, PROT_R)).toMatchObject({ lo: 0x0001_f77f, hi: 0x0040_0000 });
  });

  it("a refused prot is a one-line message with the errno and the reason", () => {
    expect(encodeLeafChecked(NOFWB4K, 0n, 3, PROT_R | PROT_DEVICE | PROT_NORMAL_NC)).toBe(
      "prot: stage2_set_prot_attr() returns -EINVAL (-22): DEVICE and NORMAL_NC together name two memory types",
    );
    expect(encodeLeafChecked(NOFWB4K, 0n, 3, PROT_R | PROT_DEVICE | PROT_X)).toBe(
      "prot: stage2_set_prot_attr() returns -EINVAL (-22): device memory is never mapped executable",
    );
    expect(encodeLeafChecked(NOFWB4K, 0n, 3, PROT_NORMAL_NC | PROT_X)).toBe(
      "prot: stage2_set_prot_attr() returns -EINVAL (-22): Normal-NC memory is never mapped executable",
    );
  });
});

describe("protRefusal", () => {
  it("the three refusals, and nothing else", () => {
    expect(protRefusal(PROT_DEVICE | PROT_NORMAL_NC)).toBe("DEVICE and NORMAL_NC together name two memory types");
    expect(protRefusal(PROT_DEVICE | PROT_NORMAL_NC | PROT_X)).toBe("DEVICE and NORMAL_NC together name two memory types");
    expect(protRefusal(PROT_DEVICE | PROT_X)).toBe("device memory is never mapped executable");
    expect(protRefusal(PROT_NORMAL_NC | PROT_X)).toBe("Normal-NC memory is never mapped executable");
    for (const ok of [0, PROT_X, PROT_DEVICE, PROT_NORMAL_NC, PROT_R | PROT_W | PROT_X, PROT_R | PROT_W | PROT_DEVICE, PROT_R | PROT_NORMAL_NC])
      expect(protRefusal(ok)).toBeNull();
  });
});
