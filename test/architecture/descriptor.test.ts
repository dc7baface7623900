// Sources of truth: the worked leaves of kernel-reference.md §1.4 and the
// descriptors NOTES.md decodes by hand (each was written by the kernel in
// an expected result). Values are the documents' literals, not the encoder's.
import { describe, expect, it } from "vitest";
import { decodeS2Descriptor } from "../../src/walker/decode.js";
import {
  EINVAL,
  PROT_DEVICE,
  PROT_NORMAL_NC,
  PROT_R,
  PROT_SW0,
  PROT_SW3,
  PROT_W,
  PROT_X,
  encodeLeafFast,
  pteFormat,
  pteToPhys,
  physToPteHi,
  physToPteLo,
  stage2PteProt,
} from "../../src/pgtable/descriptor.js";
import { encodeLeafChecked } from "../../src/pgtable/leaf.js";
import { InputError } from "../../src/pgtable/u64.js";
import type { Granule } from "../../src/pgtable/geometry.js";

function enc(granule: Granule, fwb: boolean, lpa2: boolean, pa: number, level: number, prot: number): string {
  const r = encodeLeafFast({ granule, fwb, lpa2 }, pa, level, prot);
  if (typeof r === "number") return `errno ${r}`;
  return "0x" + r.value.toString(16);
}

describe("kernel-reference §1.4: worked leaves, 4K, PA 0x80000000", () => {
  const p = 0x80000000;
  it.each([
    ["Normal, no FWB, L3, RW", false, 3, PROT_R | PROT_W, "0x400000800007ff"],
    ["Normal, FWB, L3, RW", true, 3, PROT_R | PROT_W, "0x400000800007db"],
    ["Normal, no FWB, L2 block, RW", false, 2, PROT_R | PROT_W, "0x400000800007fd"],
    ["Device-nGnRE, no FWB, L3", false, 3, PROT_R | PROT_W | PROT_DEVICE, "0x400000800007c7"],
    ["Device-nGnRE, FWB, L3", true, 3, PROT_R | PROT_W | PROT_DEVICE, "0x400000800007c7"],
    ["Normal-NC, no FWB, L3", false, 3, PROT_R | PROT_W | PROT_NORMAL_NC, "0x400000800007d7"],
    ["Normal-NC, FWB, L3", true, 3, PROT_R | PROT_W | PROT_NORMAL_NC, "0x400000800007d7"],
    ["Normal RO, no FWB, L3", false, 3, PROT_R, "0x4000008000077f"],
    ["Normal RWX, no FWB, L3", false, 3, PROT_R | PROT_W | PROT_X, "0x800007ff"],
  ] as const)("%s", (_, fwb, level, prot, want) => {
    expect(enc(4096, fwb, false, p, level, prot)).toBe(want);
  });
});

describe("NOTES.md: descriptors decoded by hand", () => {
  it("0x400000800007db: 4K page R|W with FWB", () => {
    expect(enc(4096, true, false, 0x80000000, 3, PROT_R | PROT_W)).toBe("0x400000800007db");
    const d = decodeS2Descriptor(0x400000800007dbn, { granule: 4096, level: 3, lpa2: false, fwb: true });
    const f = Object.fromEntries(d.fields.map((x) => [x.name, x.raw]));
    expect(f).toMatchObject({ VALID: "0x1", TYPE: "0x1", MemAttr: "0x6", S2AP: "0x3", SH: "0x3", AF: "0x1", XN: "0x1" });
    expect(d.oa).toBe("0x80000000");
    expect(d.kind).toBe("page");
    expect(d.prot).toBe("R|W");
  });
  it("0x800007d9: 2 MiB block R|W|X with FWB", () => {
    expect(enc(4096, true, false, 0x80000000, 2, PROT_R | PROT_W | PROT_X)).toBe("0x800007d9");
    expect(decodeS2Descriptor(0x800007d9n, { granule: 4096, level: 2, lpa2: false, fwb: true }).kind).toBe("block");
  });
  it("0x400000800057c7: R|W|DEVICE with FWB, MemAttr 0b0001", () => {
    expect(enc(4096, true, false, 0x80005000, 3, PROT_R | PROT_W | PROT_DEVICE)).toBe("0x400000800057c7");
  });
  it("0x400000800067d7: R|W|NORMAL_NC with FWB, MemAttr 0b0101", () => {
    expect(enc(4096, true, false, 0x80006000, 3, PROT_R | PROT_W | PROT_NORMAL_NC)).toBe("0x400000800067d7");
  });
  it("0x8000371b: prot X only (no S2AP, XN clear)", () => {
    expect(enc(4096, true, false, 0x80003000, 3, PROT_X)).toBe("0x8000371b");
  });
  it("0x4c00000800077db: R|W|SW0|SW3 (bits 55 and 58)", () => {
    expect(enc(4096, true, false, 0x80007000, 3, PROT_R | PROT_W | PROT_SW0 | PROT_SW3)).toBe("0x4c00000800077db");
    expect(stage2PteProt(0x800077db, 0x04c00000)).toBe(PROT_R | PROT_W | PROT_SW0 | PROT_SW3);
  });
  it("0x400000000007d9: 4K LPA2 2 MiB block at PA 0xC000000000000 (OA[51:50] in bits 9:8, no SH)", () => {
    expect(enc(4096, true, true, 0xc000000000000, 2, PROT_R | PROT_W)).toBe("0x400000000007d9");
    const d = decodeS2Descriptor(0x400000000007d9n, { granule: 4096, level: 2, lpa2: true, fwb: true });
    expect(d.oa).toBe("0xc000000000000");
    expect(d.fields.some((x) => x.name === "SH")).toBe(false);
  });
  it("0x400000020006d9: 16K LPA2 32 MiB block at PA 0x8000002000000", () => {
    expect(enc(16384, true, true, 0x8000002000000, 2, PROT_R | PROT_W)).toBe("0x400000020006d9");
  });
  it("0x4000000001a7db: 64K page at PA 0xA000000010000 (OA[51:48] in bits 15:12)", () => {
    expect(enc(65536, true, false, 0xa000000010000, 3, PROT_R | PROT_W)).toBe("0x4000000001a7db");
  });
  it("0x4: owner annotation, owner id 1", () => {
    const d = decodeS2Descriptor(0x4n, { granule: 4096, level: 3, lpa2: false, fwb: true });
    expect(d.kind).toBe("owner");
    expect(d.summary).toContain("owner id 1");
  });
  it("0x400: the locked marker", () => {
    expect(decodeS2Descriptor(0x400n, { granule: 4096, level: 3, lpa2: false, fwb: true }).kind).toBe("locked");
  });
});

describe("prot refusals (stage2_set_prot_attr)", () => {
  it.each([
    ["DEVICE|X", PROT_DEVICE | PROT_X],
    ["NORMAL_NC|X", PROT_NORMAL_NC | PROT_X],
    ["DEVICE|NORMAL_NC", PROT_DEVICE | PROT_NORMAL_NC],
  ])("%s is -EINVAL", (_, prot) => {
    expect(encodeLeafFast({ granule: 4096, fwb: true, lpa2: false }, 0x80000000, 3, prot)).toBe(-EINVAL);
    expect(encodeLeafChecked({ granule: 4096, fwb: true, lpa2: false }, 0x80000000n, 3, prot)).toMatch(/-EINVAL \(-22\)/);
  });
  it("prot '' still makes a valid descriptor: AF, SH, XN, MemAttr, no S2AP (NOTES 12)", () => {
    expect(enc(4096, true, false, 0x80000000, 3, 0)).toBe("0x4000008000071b");
  });
});

describe("leaf checks at the API edge", () => {
  const spec = { granule: 4096 as Granule, fwb: true, lpa2: false };
  it("refuses a level that holds no leaf", () => {
    expect(() => encodeLeafChecked(spec, 0n, 0, PROT_R)).toThrow(/KVM_PGTABLE_MIN_BLOCK_LEVEL = 1/);
    expect(() => encodeLeafChecked({ ...spec, granule: 16384 }, 0n, 1, PROT_R)).toThrow(/levels 2\.\.3/);
  });
  it("refuses an unaligned PA", () => {
    expect(() => encodeLeafChecked(spec, 0x80001000n, 2, PROT_R)).toThrow(InputError);
  });
  it("refuses a PA beyond the PA range or the format", () => {
    expect(() => encodeLeafChecked(spec, 1n << 48n, 3, PROT_R)).toThrow(/beyond the 48-bit PA range/);
    expect(() => encodeLeafChecked({ ...spec, paBits: 40 }, 1n << 40n, 3, PROT_R)).toThrow(/40-bit/);
  });
});

describe("kvm_phys_to_pte / kvm_pte_to_phys round trip", () => {
  const cases: Array<[Granule, boolean, number]> = [
    [4096, false, 0xfffff_ffff000],
    [16384, false, 0xffff_ffffc000],
    [65536, false, 0xf_ffff_ffff_0000],
    [4096, true, 0xf_ffff_ffff_f000],
    [16384, true, 0xf_ffff_ffff_c000],
  ];
  it.each(cases)("granule %d lpa2 %s", (g, lpa2, pa) => {
    const f = pteFormat(g, lpa2);
    const lim = f.oaLimit;
    for (const x of [0, g, pa % lim, lim - g, 0x80000000, 0x123456789 * g]) {
      const v = (x % lim) - ((x % lim) % g);
      expect(pteToPhys(f, physToPteLo(f, v), physToPteHi(f, v))).toBe(v);
    }
  });
});

describe("decode: a block where the architecture has none (AArch64_BlockDescSupported)", () => {
  it.each([
    ["4K level 0 without LPA2", 4096, false, 48, 0, false],
    ["4K level 0 with LPA2", 4096, true, 52, 0, true],
    ["4K level -1 with LPA2", 4096, true, 52, -1, false],
    ["16K level 1 without LPA2", 16384, false, 48, 1, false],
    ["16K level 1 with LPA2", 16384, true, 52, 1, true],
    ["64K level 1, 48-bit PA", 65536, false, 48, 1, false],
    ["64K level 1, 52-bit PA", 65536, false, 52, 1, true],
    ["4K level 2", 4096, false, 48, 2, true],
  ] as const)("%s", (_, granule, lpa2, paBits, level, allowed) => {
    const d = decodeS2Descriptor(0x1n, { granule, level, lpa2, fwb: true, paBits });
    expect(d.kind).toBe("block");
    expect(d.summary.includes("has no blocks")).toBe(!allowed);
  });
});
