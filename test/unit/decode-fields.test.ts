// Whole decodes, field by field, of descriptors worked out by hand from the
// bit layout (kernel-reference.md §1: VALID 0, TYPE 1, MemAttr 5:2, S2AP 7:6,
// SH 9:8 or OA[51:50] with LPA2, AF 10, FnXS 11, OA[51:48] 15:12 for 64K, OA
// from PAGE_SHIFT, DBM 51, Contiguous 52, XN 54 (XN[1:0] 54:53 with
// FEAT_XNX), SW 58:55, PBHA 62:59; invalid entries: owner 9:2, locked 10) and
// the meanings of arch-attributes.md 2 and 4. The arithmetic for each value
// is in the comment above it.
import { describe, expect, it } from "vitest";
import { checkDecodeFormat, decodeS2Descriptor, formatDecoded, protNames, protOfLeaf, reencodeFields, type DecodeOptions } from "../../src/walker/decode.js";
import { InputError } from "../../src/pgtable/u64.js";

const text = (v: bigint, o: DecodeOptions): string => formatDecoded(decodeS2Descriptor(v, o));
const XNX_NEVER = "no execution at any EL (the FEAT_XNX reading; Linux 6.18.25 writes only bit 54)";
const XNX_ALL = "EL0 and EL1 may execute (the FEAT_XNX reading; Linux 6.18.25 writes only bit 54)";
const NO_DBM = "no dirty bit modifier (KVM's stage 2 never sets it)";
const NO_CONT = "no contiguous hint (KVM's stage 2 never sets it)";
const FNXS0 = "XS from the memory type (KVM never sets FnXS)";

describe("leaves", () => {
  it("kernel-reference §1.4's 4K page, Normal R|W without FWB: 0x00400000_800007ff", () => {
    // lo 0x7ff: VALID, TYPE, MemAttr 0xf, S2AP 0b11, SH 0b11, AF; hi 0x0040_0000 = bit 54 (XN), bits 54:53 = 0b10.
    expect(text(0x0040_0000_8000_07ffn, { granule: 4096, level: 3, lpa2: false, fwb: false })).toBe(
      [
        "0x400000800007ff  page -> 0x80000000, Normal-WB, RW-, AF",
        "  granule 4K, level 3",
        "  VALID               [0]      0x1         valid",
        "  TYPE                [1]      0x1         page (KVM_PTE_TYPE_PAGE)",
        "  MemAttr             [5:2]    0xf         Normal, inner and outer Write-Back, MT_S2_NORMAL (read with FWB off)",
        "  S2AP                [7:6]    0x3         read, write (S2AP_R bit 6, S2AP_W bit 7)",
        "  SH                  [9:8]    0x3         Inner Shareable",
        "  AF                  [10]     0x1         accessed",
        `  FnXS                [11]     0x0         ${FNXS0}`,
        "  OA                  [47:12]  0x80000000  output address 0x80000000 (page of 0x1000 bytes)",
        `  DBM                 [51]     0x0         ${NO_DBM}`,
        `  Contiguous          [52]     0x0         ${NO_CONT}`,
        "  XN                  [54]     0x1         execute never (KVM_PTE_LEAF_ATTR_HI_S2_XN)",
        `  XN[1:0] (FEAT_XNX)  [54:53]  0x2         ${XNX_NEVER}`,
        "  SW                  [58:55]  0x0         no software bits",
        // S2AP 0b11, MemAttr 0xf (Normal-WB), XN: kvm_pgtable_prot R|W.
        "  prot R|W  (the kvm_pgtable_prot stage2_set_prot_attr() turns into these attributes)",
      ].join("\n"),
    );
    expect(decodeS2Descriptor(0x0040_0000_8000_07ffn, { granule: 4096, level: 3, lpa2: false, fwb: false }).prot).toBe("R|W");
  });

  it("a 2M block with every bit KVM never writes: FnXS, DBM, Contiguous, SW0..3, PBHA, bits 50 and 63", () => {
    // lo 0x8000_0f45: VALID, TYPE 0 (block), MemAttr (0xf45 >> 2) & 0xf = 1, S2AP 0b01, SH 0b11, AF, FnXS (bit 11).
    // hi 0xff9c_0000: bit 63, PBHA 0xf (bits 62:59), SW 0xf (58:55), XN bits 54:53 = 0, Contiguous 52, DBM 51, bit 50.
    const d = decodeS2Descriptor(0xff9c_0000_8000_0f45n, { granule: 4096, level: 2, lpa2: false, fwb: true });
    expect(formatDecoded(d)).toBe(
      [
        "0xff9c000080000f45  level-2 block (0x200000 bytes) -> 0x80000000, Device-nGnRE, R-X, AF",
        "  granule 4K, level 2",
        "  VALID               [0]      0x1                 valid",
        "  TYPE                [1]      0x0                 block (KVM_PTE_TYPE_BLOCK)",
        "  MemAttr             [5:2]    0x1                 Device-nGnRE; a stage-1 Device type that is more restrictive wins, MT_S2_FWB_DEVICE_nGnRE (read with FWB on)",
        "  S2AP                [7:6]    0x1                 read, no write (S2AP_R bit 6, S2AP_W bit 7)",
        "  SH                  [9:8]    0x3                 Inner Shareable",
        "  AF                  [10]     0x1                 accessed",
        "  FnXS                [11]     0x1                 XS attribute forced to 0 (FEAT_XS)",
        "  OA                  [47:21]  0x80000000          output address 0x80000000 (block of 0x200000 bytes)",
        "  DBM                 [51]     0x1                 dirty bit modifier set (with VTCR_EL2.HD a write sets S2AP[1] instead of faulting)",
        "  Contiguous          [52]     0x1                 contiguous hint set",
        "  XN                  [54]     0x0                 executable",
        `  XN[1:0] (FEAT_XNX)  [54:53]  0x0                 ${XNX_ALL}`,
        "  SW                  [58:55]  0xf                 software bits SW0|SW1|SW2|SW3 (KVM_PGTABLE_PROT_SW*)",
        "  PBHA                [62:59]  0xf                 page-based hardware attributes (FEAT_HPDS2); KVM never sets them",
        "  other               [63:0]   0x8004000000000000  bits 50, 63: no meaning in this kind of entry as KVM writes it",
        "  prot R|X|DEVICE|SW0|SW1|SW2|SW3  (the kvm_pgtable_prot stage2_set_prot_attr() turns into these attributes)",
        // hi 0xff9c0000 = bits 63..56 and 55, 52, 51, 50; lo 0xf45 has bit 11. Of these, pgtable.c writes
        // only SW0..SW3 (58:55) in a leaf: every other set bit is named once.
        ...[
          "11 (FnXS)",
          "50 (no field in this format)",
          "51 (DBM)",
          "52 (Contiguous)",
          "59 (PBHA)",
          "60 (PBHA)",
          "61 (PBHA)",
          "62 (PBHA)",
          "63 (no field in this format)",
        ].map((b) => `  note: bit ${b} is set: kvm_pgtable_stage2_map() never writes it in a leaf`),
      ].join("\n"),
    );
    // MemAttr 1 with FWB is MT_S2_FWB_DEVICE_nGnRE: the prot reads DEVICE; S2AP read, XN clear: R and X.
    expect(d.prot).toBe("R|X|DEVICE|SW0|SW1|SW2|SW3");
    expect(reencodeFields(d)).toBe(0xff9c_0000_8000_0f45n);
  });

  it("bit 1 clear at level 3 is reserved; a level-0 4K block needs FEAT_LPA2; OA bits below a block are RES0", () => {
    // 0x77d: VALID, TYPE 0, MemAttr 0xf, S2AP 0b01, SH 0b11, AF.
    const r = decodeS2Descriptor(0x0040_0000_8000_077dn, { granule: 4096, level: 3, lpa2: false, fwb: false });
    expect([r.kind, r.summary, r.fields[1].meaning, r.prot]).toEqual([
      "reserved",
      "reserved encoding at level 3 (bit 1 clear): the hardware takes a Translation fault, Normal-WB, R--, AF",
      "reserved at level 3 (the hardware treats it as invalid)",
      "R",
    ]);
    // Level 0, 4K, no LPA2: a 512G "block" whose OA field is bits 47:39; 0x8000_0000 (bit 31) lies below it.
    const b = decodeS2Descriptor(0x0040_0000_8000_0745n, { granule: 4096, level: 0, lpa2: false, fwb: false, paBits: 48 });
    expect(b.summary).toBe("block descriptor at level 0, where a 4K granule has no blocks: the walk takes a Translation fault, Device-nGnRE, R--, AF");
    expect(b.oa).toBe("0x0");
    expect(b.fields.find((f) => f.name === "OA")).toEqual({
      name: "OA",
      bits: "47:39",
      value: "0x0",
      raw: "0x0",
      meaning: "output address 0x0 (block of 0x8000000000 bytes)",
    });
    expect(b.notes).toEqual([
      "output-address bits below the block size are set (0x80000000): RES0 in a block descriptor",
      "AArch64_BlockDescSupported: no block at level 0 for this granule and PA size",
    ]);
    expect(b.fields.at(-1)).toEqual({
      name: "other",
      bits: "63:0",
      value: "0x80000000",
      raw: "0x80000000",
      meaning: "bit 31: no meaning in this kind of entry as KVM writes it",
    });
    // A 2M block at 0x8020_1000: bit 12 below the 2M size.
    const u = decodeS2Descriptor(0x0040_0000_8020_1745n, { granule: 4096, level: 2, lpa2: false, fwb: false });
    expect([u.oa, u.notes]).toEqual(["0x80200000", ["output-address bits below the block size are set (0x1000): RES0 in a block descriptor"]]);
    expect(u.summary).toBe("level-2 block (0x200000 bytes) -> 0x80200000, Device-nGnRE, R--, AF");
  });

  it("without a level: a table or a page, and a block of unknown size", () => {
    // 0x1003: VALID, TYPE; MemAttr 0 (Device-nGnRnE), S2AP 0, SH 0, AF 0; XN clear.
    const t = decodeS2Descriptor(0x8000_1003n, { granule: 4096, lpa2: false, fwb: false });
    expect([t.kind, t.summary, t.level, t.prot]).toEqual(["table-or-page", "table or page: as a page -> 0x80001000, Device-nGnRnE, --X, AF clear", null, null]);
    expect(t.fields[1].meaning).toBe("table (levels 0-2) or page (level 3): give the level to tell them apart");
    expect(t.fields.map((f) => f.meaning).slice(3, 6)).toEqual([
      "no read, no write (S2AP_R bit 6, S2AP_W bit 7)",
      "Non-shareable",
      "not accessed: an access takes an Access flag fault unless VTCR_EL2.HA is set",
    ]);
    expect(formatDecoded(t).split("\n")[1]).toBe("  granule 4K");
    // 0x745 block: MemAttr 1, S2AP R, SH IS, AF; XN clear.
    const b = decodeS2Descriptor(0x8000_0745n, { granule: 4096, lpa2: false, fwb: false });
    expect([b.kind, b.summary, b.prot]).toEqual(["block", "block -> 0x80000000 (give the level for its size), Device-nGnRE, R-X, AF", "R|X|DEVICE"]);
    expect(b.fields.find((f) => f.name === "OA")!.meaning).toBe("output address 0x80000000");
  });

  it("FEAT_LPA2, 16K: bits 9:8 are OA[51:50], not SH", () => {
    // lo 0x8000_4355: VALID, TYPE 0, MemAttr (0x4355 >> 2) & 0xf = 5, S2AP 0b01, bits 9:8 = 0b11, AF 0; OA 0x8000_4000.
    // hi 0x00c3_0000: OA[49:48] = 0b11, XN (bit 54), SW0 (bit 55). OA = 3 << 50 | 3 << 48 | 0x8000_4000 = 0xf_0000_8000_4000.
    const d = decodeS2Descriptor(0x00c3_0000_8000_4355n, { granule: 16384, level: 3, lpa2: true, fwb: true });
    expect(d.fields.map((f) => [f.name, f.bits, f.value, f.meaning])).toEqual([
      ["VALID", "0", "0x1", "valid"],
      ["TYPE", "1", "0x0", "reserved at level 3 (the hardware treats it as invalid)"],
      ["MemAttr", "5:2", "0x5", "Normal Non-cacheable, unless stage 1 is Device (then stage 1 stays), MT_S2_FWB_NORMAL_NC (read with FWB on)"],
      ["S2AP", "7:6", "0x1", "read, no write (S2AP_R bit 6, S2AP_W bit 7)"],
      ["OA[51:50]", "9:8", "0x3", "output address bits 51:50 (FEAT_LPA2: shareability comes from VTCR_EL2.SH0)"],
      ["AF", "10", "0x0", "not accessed: an access takes an Access flag fault unless VTCR_EL2.HA is set"],
      ["FnXS", "11", "0x0", FNXS0],
      ["OA", "49:14", "0xf000080004000", "output address 0xf000080004000 (page of 0x4000 bytes)"],
      ["DBM", "51", "0x0", NO_DBM],
      ["Contiguous", "52", "0x0", NO_CONT],
      ["XN", "54", "0x1", "execute never (KVM_PTE_LEAF_ATTR_HI_S2_XN)"],
      ["XN[1:0] (FEAT_XNX)", "54:53", "0x2", XNX_NEVER],
      ["SW", "58:55", "0x1", "software bits SW0 (KVM_PGTABLE_PROT_SW*)"],
    ]);
    expect([d.prot, d.notes, d.summary]).toEqual([
      "R|NORMAL_NC|SW0",
      [],
      "reserved encoding at level 3 (bit 1 clear): the hardware takes a Translation fault, Normal-NC, R--, AF clear",
    ]);
  });
});

describe("tables", () => {
  it("a 4K level-1 table with bits 11 and 60 set: kvm_init_table_pte writes neither", () => {
    expect(text(0x1000_0000_8000_1803n, { granule: 4096, level: 1, lpa2: false, fwb: false })).toBe(
      [
        "0x1000000080001803  table descriptor -> next-level table at 0x80001000",
        "  granule 4K, level 1",
        "  VALID             [0]      0x1                 valid",
        "  TYPE              [1]      0x1                 table (KVM_PTE_TYPE_TABLE)",
        "  next-level table  [47:12]  0x80001000          table address 0x80001000 (kvm_pte_to_phys; the dump zeroes it because the allocator chose it)",
        "  other             [63:0]   0x1000000000000800  bits 11, 60: no meaning in this kind of entry as KVM writes it",
        "  note: bits 0x1000000000000800 are set: kvm_init_table_pte() writes only the address, TYPE and VALID (no hierarchical attributes at stage 2)",
      ].join("\n"),
    );
  });
  it("64K: OA[51:48] in bits 15:12; beyond a 48-bit PA range the walk takes an Address size fault", () => {
    // lo 0xf003: bits 15:12 = 0xf; hi 0x8000: bit 47. Table at 0xf << 48 | 1 << 47 = 0xf_8000_0000_0000.
    expect(text(0x0000_8000_0000_f003n, { granule: 65536, level: 2, lpa2: false, fwb: false, paBits: 48 })).toBe(
      [
        "0x80000000f003  table descriptor -> next-level table at 0xf800000000000",
        "  granule 64K, level 2",
        "  VALID             [0]      0x1              valid",
        "  TYPE              [1]      0x1              table (KVM_PTE_TYPE_TABLE)",
        "  next-level table  [47:16]  0xf800000000000  table address 0xf800000000000 (kvm_pte_to_phys; the dump zeroes it because the allocator chose it)",
        "  OA[51:48]         [15:12]  0xf              table address bits 51:48 (64K granule)",
        "  note: the table address is beyond the 48-bit PA range: the walk takes an Address size fault",
      ].join("\n"),
    );
    // The same with the default 52-bit range of the 64K format: no note.
    expect(decodeS2Descriptor(0x0000_8000_0000_f003n, { granule: 65536, level: 2, lpa2: false, fwb: false }).notes).toEqual([]);
  });
  it("16K FEAT_LPA2: the table address takes OA[51:50] from bits 9:8 and OA[49:48] from the high half", () => {
    // lo 0x8000_1303: bits 9:8 = 0b11, bit 12 (below the 16K address field); hi 0x0003_0000: OA[49:48] = 0b11.
    const d = decodeS2Descriptor(0x0003_0000_8000_1303n, { granule: 16384, level: 1, lpa2: true, fwb: false });
    expect([d.kind, d.oa, d.summary]).toEqual(["table", "0xf000080000000", "table descriptor -> next-level table at 0xf000080000000"]);
    expect(d.fields.map((f) => [f.name, f.bits, f.value])).toEqual([
      ["VALID", "0", "0x1"],
      ["TYPE", "1", "0x1"],
      ["next-level table", "49:14", "0xf000080000000"],
      ["OA[51:50]", "9:8", "0x3"],
      ["other", "63:0", "0x1000"],
    ]);
    expect(d.fields[3].meaning).toBe("table address bits 51:50 (FEAT_LPA2)");
    expect(d.notes).toEqual(["bits 0x1000 are set: kvm_init_table_pte() writes only the address, TYPE and VALID (no hierarchical attributes at stage 2)"]);
  });
});

describe("invalid entries", () => {
  const o: DecodeOptions = { granule: 4096, level: 3, lpa2: false, fwb: false };
  it("empty, locked, owner, other", () => {
    expect(text(0n, o)).toBe(
      [
        "0x0  empty entry (0): not counted in the table page's refcount",
        "  granule 4K, level 3",
        "  VALID  [0]  0x0  invalid: the hardware ignores every other bit",
      ].join("\n"),
    );
    const locked = decodeS2Descriptor(0x400n, o);
    expect([locked.kind, locked.summary, locked.fields[1]]).toEqual([
      "locked",
      "invalid, locked by a walker doing break-before-make (KVM_INVALID_PTE_LOCKED)",
      {
        name: "KVM_INVALID_PTE_LOCKED",
        bits: "10",
        value: "0x1",
        raw: "0x1",
        meaning: "break-before-make in progress (stage2_try_break_pte wrote it; stage2_make_pte replaces it)",
      },
    ]);
    // Owner id in bits 9:2: 0x8 -> 2, nothing else set.
    const owner = decodeS2Descriptor(0x8n, o);
    expect([owner.kind, owner.summary, owner.fields[1].meaning, owner.notes]).toEqual([
      "owner",
      "invalid, owner annotation: owner id 2",
      "owner id 2 (kvm_pgtable_stage2_set_owner annotation; counted in the refcount)",
      [],
    ]);
    // Owner 1 (0x4) with bit 40 set too.
    const junk = decodeS2Descriptor(0x100_0000_0004n, o);
    expect([junk.kind, junk.notes, junk.fields.at(-1)!.meaning]).toEqual([
      "owner",
      ["bits outside the owner field are set: KVM never writes such an invalid entry"],
      "bit 40: no meaning in this kind of entry as KVM writes it",
    ]);
    // Owner 1 with bit 1 set (the TYPE bit of an invalid entry).
    expect(decodeS2Descriptor(0x6n, o).notes).toEqual(["bits outside the owner field are set: KVM never writes such an invalid entry"]);
    const other = decodeS2Descriptor(0x1000n, o);
    expect([other.kind, other.summary, other.notes]).toEqual([
      "invalid",
      "invalid entry with ignored bits set (counted in the refcount: stage2_pte_is_counted is pte != 0)",
      ["KVM never writes this invalid value (not empty, no owner id, not locked)"],
    ]);
    // Only the high half set: still not empty.
    expect(decodeS2Descriptor(0x1_0000_0000n, o).kind).toBe("invalid");
  });
});

describe("formats that do not exist, and the prot read back", () => {
  it("checkDecodeFormat", () => {
    expect(() => checkDecodeFormat({ granule: 65536, lpa2: true })).toThrow(new InputError("--lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only"));
    expect(() => checkDecodeFormat({ granule: 16384, lpa2: true, level: -1 })).toThrow(
      new InputError("--level: level -1 exists only with a 4K granule and FEAT_LPA2"),
    );
    expect(() => checkDecodeFormat({ granule: 4096, lpa2: false, level: -1 })).toThrow(InputError);
    expect(() => checkDecodeFormat({ granule: 65536, lpa2: false, level: 0 }, { lpa2: "lpa2", level: "level" })).toThrow(
      new InputError("level: a 64K granule has no level 0 (its tables are levels 1..3)"),
    );
    expect(() => checkDecodeFormat({ granule: 4096, lpa2: true, level: -1 })).not.toThrow();
    expect(() => checkDecodeFormat({ granule: 16384, lpa2: false, level: 0 })).not.toThrow();
    expect(() => checkDecodeFormat({ granule: 65536, lpa2: false, level: 1 })).not.toThrow();
  });
  it("protOfLeaf: MemAttr names DEVICE or NORMAL_NC, per FWB; any other MemAttr is no prot KVM writes", () => {
    // S2AP RW (0xc0), VALID, XN set (hi bit 22): R|W plus the memory type.
    const lo = (memattr: number): number => 0xc1 | (memattr << 2);
    const XN = 0x40_0000;
    expect(protOfLeaf(lo(0xf), XN, false)).toBe(0b110); // R|W
    expect(protNames(protOfLeaf(lo(0x1), XN, false))).toBe("R|W|DEVICE");
    expect(protNames(protOfLeaf(lo(0x5), XN, false))).toBe("R|W|NORMAL_NC");
    expect(protNames(protOfLeaf(lo(0x6), XN, true))).toBe("R|W");
    expect(protNames(protOfLeaf(lo(0x1), XN, true))).toBe("R|W|DEVICE");
    expect(protNames(protOfLeaf(lo(0x5), XN, true))).toBe("R|W|NORMAL_NC");
    expect(protOfLeaf(lo(0xf), XN, true)).toBe(-1); // 0xf is not MT_S2_FWB_NORMAL
    expect(protOfLeaf(lo(0x6), XN, false)).toBe(-1);
    expect(protNames(-1)).toBeNull();
    expect(protNames(0)).toBe("");
  });
});

describe("the fields and notes the first cases leave out", () => {
  const f = (v: bigint, o: DecodeOptions) => decodeS2Descriptor(v, o);
  it("kinds and field names of invalid entries; the FEAT_XNX reading is a view over XN", () => {
    expect(f(0n, { granule: 4096, level: 3, lpa2: false, fwb: false }).kind).toBe("empty");
    expect(f(0x4n, { granule: 4096, level: 3, lpa2: false, fwb: false }).fields[1]).toEqual({
      name: "KVM_INVALID_PTE_OWNER_MASK",
      bits: "9:2",
      value: "0x1",
      raw: "0x1",
      meaning: "owner id 1 (kvm_pgtable_stage2_set_owner annotation; counted in the refcount)",
    });
    const page = f(0x0040_0000_8000_07ffn, { granule: 4096, level: 3, lpa2: false, fwb: false });
    expect(page.fields.filter((x) => x.view).map((x) => x.name)).toEqual(["XN[1:0] (FEAT_XNX)"]);
    expect(page.fields.find((x) => x.name === "XN")!.view).toBeUndefined();
  });
  it("XN[1:0] = 0b01 and 0b11 (arch-attributes.md 4: EL0 only, EL1 only)", () => {
    // hi bit 21 = descriptor bit 53; bits 54:53 = 0b01: EL1 XN. 0b11 (hi 0x0060_0000): EL0 XN.
    const xnx = (hi: number): string =>
      f((BigInt(hi) << 32n) | 0x8000_07ffn, { granule: 4096, level: 3, lpa2: false, fwb: false }).fields.find((x) => x.name === "XN[1:0] (FEAT_XNX)")!.meaning;
    expect(xnx(0x0020_0000)).toBe("EL0 may execute, EL1 may not (PXN) (the FEAT_XNX reading; Linux 6.18.25 writes only bit 54)");
    expect(xnx(0x0060_0000)).toBe("EL1 may execute, EL0 may not (UXN) (the FEAT_XNX reading; Linux 6.18.25 writes only bit 54)");
  });
  it("MemAttr with no Linux macro: the text alone", () => {
    // 0x8000_1003 with no level: MemAttr 0 (Device-nGnRnE), which Linux never writes.
    expect(f(0x8000_1003n, { granule: 4096, lpa2: false, fwb: false }).fields[2].meaning).toBe("Device-nGnRnE (read with FWB off)");
    // 0x19 = MemAttr 6 with FWB off (Normal, outer NC, inner WT).
    expect(f(0x8000_0419n, { granule: 4096, level: 2, lpa2: false, fwb: false }).fields[2].meaning).toBe(
      "Normal, outer Non-cacheable, inner Write-Through (read with FWB off)",
    );
  });
  it("64K leaf: the OA[51:48] field, and OA exactly 2^48 with a 48-bit PA range is beyond it", () => {
    // lo 0x0001_17ff: bits 15:12 = 1 -> OA[51:48] = 1, bit 16: OA 2^48 + 0x1_0000.
    expect(f(0x0040_0000_0001_17ffn, { granule: 65536, level: 3, lpa2: false, fwb: false }).fields.find((x) => x.name === "OA[51:48]")).toEqual({
      name: "OA[51:48]",
      bits: "15:12",
      value: "0x1",
      raw: "0x1",
      meaning: "output address bits 51:48 (64K granule, FEAT_LPA)",
    });
    // lo 0x0000_17ff: OA exactly 2^48.
    const edge = f(0x0040_0000_0000_17ffn, { granule: 65536, level: 3, lpa2: false, fwb: false, paBits: 48 });
    expect([edge.oa, edge.notes]).toEqual(["0x1000000000000", ["the output address is beyond the 48-bit PA range: an access takes an Address size fault"]]);
    // A table at exactly 2^48.
    const t = f(0x0000_0000_0000_1003n, { granule: 65536, level: 2, lpa2: false, fwb: false, paBits: 48 });
    expect([t.oa, t.notes]).toEqual(["0x1000000000000", ["the table address is beyond the 48-bit PA range: the walk takes an Address size fault"]]);
  });
  it("16K without LPA2: bits 13:12 of a table descriptor are below the address, and noted", () => {
    const t = f(0x8000_5003n, { granule: 16384, level: 2, lpa2: false, fwb: false });
    expect([t.oa, t.notes]).toEqual([
      "0x80004000",
      ["bits 0x1000 are set: kvm_init_table_pte() writes only the address, TYPE and VALID (no hierarchical attributes at stage 2)"],
    ]);
  });
  it("a 16K FEAT_LPA2 block at level 0: no blocks there, and the summary says FEAT_LPA2", () => {
    const b = f(0x0040_0000_0000_0745n, { granule: 16384, level: 0, lpa2: true, fwb: false });
    expect(b.summary).toBe(
      "block descriptor at level 0, where a 16K granule with FEAT_LPA2 has no blocks: the walk takes a Translation fault, Device-nGnRE, R--, AF",
    );
  });
});
