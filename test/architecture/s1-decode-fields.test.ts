// Any 64-bit value read as a stage-1 descriptor (VMSAv8-64 long descriptors,
// Arm ARM D8.3): bit 0 valid; bit 1 table/page (levels 0-2 table, level 3
// page; clear at level 3 is reserved); leaf attributes AttrIndx 4:2, NS 5,
// AP[2:1] 7:6 (00 EL1 RW / EL0 none, 01 RW both, 10 EL1 RO / EL0 none, 11 RO
// both), SH 9:8, AF 10, nG 11, OA from the granule's page shift to 47 (64K
// with FEAT_LPA: OA[51:48] in 15:12), GP 50, DBM 51, Contiguous 52, PXN 53,
// UXN 54, software 58:55, PBHA 62:59; table attributes PXNTable 59,
// UXNTable 60, APTable 62:61, NSTable 63. Each value below is split into
// those fields by hand (the hex digits are annotated in the test titles).
import { describe, expect, it } from "vitest";
import { decodeS1Descriptor } from "../../src/stage1/decode.js";
import type { DecodedDescriptor } from "../../src/walker/decode.js";

const rows = (d: DecodedDescriptor): string[][] => d.fields.map((f) => [f.name, f.bits, f.value, f.raw, f.meaning]);

describe("decodeS1Descriptor, field by field", () => {
  it("4K page: AttrIndx 3 (MAIR Attr3 0x00), AP 11, SH 11, AF, nG, OA 0x10001000, PXN, UXN, SW 0xf (bits 58:55)", () => {
    const d = decodeS1Descriptor(0x07e0000010001fcfn, { granule: 4096, level: 3, mair: [255, 240, 68, 0, 4, 0, 0, 0] });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "page",
      "page -> 0x10001000, AttrIndx 3 (0x00), AP 11, SH ISH, AF, PXN, UXN",
      3,
      "4K",
      "0x10001000",
      "0x7e0000010001fcf",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "page"],
      ["AttrIndx", "4:2", "0x3", "0x3", "MAIR_EL1.Attr3 = 0x00"],
      ["NS", "5", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x3", "0x3", "EL1 and EL0 read-only"],
      ["SH", "9:8", "0x3", "0x3", "Inner Shareable"],
      ["AF", "10", "0x1", "0x1", "accessed"],
      ["nG", "11", "0x1", "0x1", "not global (tagged with the ASID)"],
      ["OA", "47:12", "0x10001000", "0x10001", "output address 0x10001000 (page of 0x1000 bytes)"],
      ["GP", "50", "0x0", "0x0", "not guarded"],
      ["DBM", "51", "0x0", "0x0", "no dirty bit modifier"],
      ["Contiguous", "52", "0x0", "0x0", "no contiguous hint"],
      ["PXN", "53", "0x1", "0x1", "no execution at EL1"],
      ["UXN", "54", "0x1", "0x1", "no execution at EL0"],
      ["SW", "58:55", "0xf", "0xf", "software bits (ignored by the hardware)"],
    ]);
  });
  it("4K page: AttrIndx 5, NS, AP 10, SH 10, AF clear, global, GP, DBM, Contiguous, PBHA 0b1010 (bits 62:59)", () => {
    const d = decodeS1Descriptor(0x501c0000876542b7n, { granule: 4096, level: 3 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "page",
      "page -> 0x87654000, AttrIndx 5, AP 10, SH OSH, AF clear",
      3,
      "4K",
      "0x87654000",
      "0x501c0000876542b7",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "page"],
      ["AttrIndx", "4:2", "0x5", "0x5", "MAIR_EL1.Attr5"],
      ["NS", "5", "0x1", "0x1", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x2", "0x2", "EL1 read-only, EL0 none"],
      ["SH", "9:8", "0x2", "0x2", "Outer Shareable"],
      ["AF", "10", "0x0", "0x0", "not accessed: an access takes a stage-1 Access flag fault (TCR_EL1.HA = 0)"],
      ["nG", "11", "0x0", "0x0", "global"],
      ["OA", "47:12", "0x87654000", "0x87654", "output address 0x87654000 (page of 0x1000 bytes)"],
      ["GP", "50", "0x1", "0x1", "guarded page (FEAT_BTI)"],
      ["DBM", "51", "0x1", "0x1", "dirty bit modifier (effective with TCR_EL1.HA and HD)"],
      ["Contiguous", "52", "0x1", "0x1", "contiguous hint"],
      ["PXN", "53", "0x0", "0x0", "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)"],
      ["UXN", "54", "0x0", "0x0", "EL0 may execute"],
      ["PBHA", "62:59", "0xa", "0xa", "page-based hardware attributes (FEAT_HPDS2) or ignored"],
    ]);
  });
  it("bit 1 clear at level 3 is reserved (a Translation fault)", () => {
    const d = decodeS1Descriptor(0x40200701n, { granule: 4096, level: 3 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "reserved",
      "reserved encoding at level 3 (bit 1 clear): the walk takes a Translation fault, AttrIndx 0, AP 00, SH ISH, AF",
      3,
      "4K",
      "0x40200000",
      "0x40200701",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x0", "0x0", "reserved at level 3: invalid"],
      ["AttrIndx", "4:2", "0x0", "0x0", "MAIR_EL1.Attr0"],
      ["NS", "5", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x0", "0x0", "EL1 read/write, EL0 none"],
      ["SH", "9:8", "0x3", "0x3", "Inner Shareable"],
      ["AF", "10", "0x1", "0x1", "accessed"],
      ["nG", "11", "0x0", "0x0", "global"],
      ["OA", "47:12", "0x40200000", "0x40200", "output address 0x40200000 (page of 0x1000 bytes)"],
      ["GP", "50", "0x0", "0x0", "not guarded"],
      ["DBM", "51", "0x0", "0x0", "no dirty bit modifier"],
      ["Contiguous", "52", "0x0", "0x0", "no contiguous hint"],
      ["PXN", "53", "0x0", "0x0", "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)"],
      ["UXN", "54", "0x0", "0x0", "EL0 may execute"],
    ]);
  });
  it("4K level-2 block: OA bits below 2M (0x3000) are ignored and noted (AArch64_LeafBase)", () => {
    const d = decodeS1Descriptor(0x40203701n, { granule: 4096, level: 2 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "block",
      "level-2 block (0x200000 bytes) -> 0x40200000, AttrIndx 0, AP 00, SH ISH, AF",
      2,
      "4K",
      "0x40200000",
      "0x40203701",
    ]);
    expect(d.notes).toEqual(["output-address bits below the block size are set (0x3000): ignored (AArch64_LeafBase)"]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x0", "0x0", "block (invalid where the granule has no blocks at this level)"],
      ["AttrIndx", "4:2", "0x0", "0x0", "MAIR_EL1.Attr0"],
      ["NS", "5", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x0", "0x0", "EL1 read/write, EL0 none"],
      ["SH", "9:8", "0x3", "0x3", "Inner Shareable"],
      ["AF", "10", "0x1", "0x1", "accessed"],
      ["nG", "11", "0x0", "0x0", "global"],
      ["OA", "47:21", "0x40200000", "0x201", "output address 0x40200000 (block of 0x200000 bytes)"],
      ["GP", "50", "0x0", "0x0", "not guarded"],
      ["DBM", "51", "0x0", "0x0", "no dirty bit modifier"],
      ["Contiguous", "52", "0x0", "0x0", "no contiguous hint"],
      ["PXN", "53", "0x0", "0x0", "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)"],
      ["UXN", "54", "0x0", "0x0", "EL0 may execute"],
      ["other", "63:0", "0x3000", "0x3000", "bits 12, 13: RES0 or ignored in this kind of entry"],
    ]);
  });
  it("4K table: PXNTable (59), APTable 01 (62:61)", () => {
    const d = decodeS1Descriptor(0x2800000040003003n, { granule: 4096, level: 0 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "table",
      "table descriptor -> next-level table at 0x40003000",
      0,
      "4K",
      "0x40003000",
      "0x2800000040003003",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "table"],
      ["next-level table", "47:12", "0x40003000", "0x40003", "table address 0x40003000"],
      ["PXNTable", "59", "0x1", "0x1", "no execution at EL1 below this table"],
      ["UXNTable", "60", "0x0", "0x0", "no restriction"],
      ["APTable", "62:61", "0x1", "0x1", "no EL0 access below"],
      ["NSTable", "63", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
    ]);
  });
  it("4K table: UXNTable (60), APTable 10", () => {
    const d = decodeS1Descriptor(0x5000000040003003n, { granule: 4096, level: 0 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "table",
      "table descriptor -> next-level table at 0x40003000",
      0,
      "4K",
      "0x40003000",
      "0x5000000040003003",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "table"],
      ["next-level table", "47:12", "0x40003000", "0x40003", "table address 0x40003000"],
      ["PXNTable", "59", "0x0", "0x0", "no restriction"],
      ["UXNTable", "60", "0x1", "0x1", "no execution at EL0 below this table"],
      ["APTable", "62:61", "0x2", "0x2", "no write access below"],
      ["NSTable", "63", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
    ]);
  });
  it("64K table with FEAT_LPA: bits 15:12 are address bits 51:48", () => {
    const d = decodeS1Descriptor(0x1234f003n, { granule: 65536, level: 2, lpa64: true });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "table",
      "table descriptor -> next-level table at 0xf000012340000",
      2,
      "64K",
      "0xf000012340000",
      "0x1234f003",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "table"],
      ["next-level table", "47:16", "0xf000012340000", "0x1234", "table address 0xf000012340000"],
      ["OA[51:48]", "15:12", "0xf", "0xf", "table address bits 51:48 (64K granule, FEAT_LPA)"],
      ["PXNTable", "59", "0x0", "0x0", "no restriction"],
      ["UXNTable", "60", "0x0", "0x0", "no restriction"],
      ["APTable", "62:61", "0x0", "0x0", "no restriction"],
      ["NSTable", "63", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
    ]);
  });
  it("64K page with FEAT_LPA: OA 0xf000012340000", () => {
    const d = decodeS1Descriptor(0x1234f443n, { granule: 65536, level: 3, lpa64: true });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "page",
      "page -> 0xf000012340000, AttrIndx 0, AP 01, SH NSH, AF",
      3,
      "64K",
      "0xf000012340000",
      "0x1234f443",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "page"],
      ["AttrIndx", "4:2", "0x0", "0x0", "MAIR_EL1.Attr0"],
      ["NS", "5", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x1", "0x1", "EL1 and EL0 read/write"],
      ["SH", "9:8", "0x0", "0x0", "Non-shareable"],
      ["AF", "10", "0x1", "0x1", "accessed"],
      ["nG", "11", "0x0", "0x0", "global"],
      ["OA[51:48]", "15:12", "0xf", "0xf", "output address bits 51:48 (64K granule, FEAT_LPA)"],
      ["OA", "47:16", "0xf000012340000", "0x1234", "output address 0xf000012340000 (page of 0x10000 bytes)"],
      ["GP", "50", "0x0", "0x0", "not guarded"],
      ["DBM", "51", "0x0", "0x0", "no dirty bit modifier"],
      ["Contiguous", "52", "0x0", "0x0", "no contiguous hint"],
      ["PXN", "53", "0x0", "0x0", "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)"],
      ["UXN", "54", "0x0", "0x0", "EL0 may execute"],
    ]);
  });
  it("64K page without FEAT_LPA: bits 15:12 are RES0", () => {
    const d = decodeS1Descriptor(0x1234f443n, { granule: 65536, level: 3 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "page",
      "page -> 0x12340000, AttrIndx 0, AP 01, SH NSH, AF",
      3,
      "64K",
      "0x12340000",
      "0x1234f443",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "page"],
      ["AttrIndx", "4:2", "0x0", "0x0", "MAIR_EL1.Attr0"],
      ["NS", "5", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x1", "0x1", "EL1 and EL0 read/write"],
      ["SH", "9:8", "0x0", "0x0", "Non-shareable"],
      ["AF", "10", "0x1", "0x1", "accessed"],
      ["nG", "11", "0x0", "0x0", "global"],
      ["OA", "47:16", "0x12340000", "0x1234", "output address 0x12340000 (page of 0x10000 bytes)"],
      ["GP", "50", "0x0", "0x0", "not guarded"],
      ["DBM", "51", "0x0", "0x0", "no dirty bit modifier"],
      ["Contiguous", "52", "0x0", "0x0", "no contiguous hint"],
      ["PXN", "53", "0x0", "0x0", "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)"],
      ["UXN", "54", "0x0", "0x0", "EL0 may execute"],
      ["other", "63:0", "0xf000", "0xf000", "bits 12, 13, 14, 15: RES0 or ignored in this kind of entry"],
    ]);
  });
  it("no level: a table and a page cannot be told apart", () => {
    const d = decodeS1Descriptor(0x403n, { granule: 16384 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "table-or-page",
      "table or page: as a page -> 0x0, AttrIndx 0, AP 00, SH NSH, AF",
      null,
      "16K",
      "0x0",
      "0x403",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x1", "0x1", "table (levels 0-2) or page (level 3)"],
      ["AttrIndx", "4:2", "0x0", "0x0", "MAIR_EL1.Attr0"],
      ["NS", "5", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x0", "0x0", "EL1 read/write, EL0 none"],
      ["SH", "9:8", "0x0", "0x0", "Non-shareable"],
      ["AF", "10", "0x1", "0x1", "accessed"],
      ["nG", "11", "0x0", "0x0", "global"],
      ["OA", "47:14", "0x0", "0x0", "output address 0x0"],
      ["GP", "50", "0x0", "0x0", "not guarded"],
      ["DBM", "51", "0x0", "0x0", "no dirty bit modifier"],
      ["Contiguous", "52", "0x0", "0x0", "no contiguous hint"],
      ["PXN", "53", "0x0", "0x0", "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)"],
      ["UXN", "54", "0x0", "0x0", "EL0 may execute"],
    ]);
  });
  it("no level: bit 1 clear is a block", () => {
    const d = decodeS1Descriptor(0x401n, { granule: 16384 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "block",
      "block -> 0x0, AttrIndx 0, AP 00, SH NSH, AF",
      null,
      "16K",
      "0x0",
      "0x401",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x1", "0x1", "valid"],
      ["TYPE", "1", "0x0", "0x0", "block (invalid where the granule has no blocks at this level)"],
      ["AttrIndx", "4:2", "0x0", "0x0", "MAIR_EL1.Attr0"],
      ["NS", "5", "0x0", "0x0", "Secure state only (ignored for Non-secure accesses)"],
      ["AP[2:1]", "7:6", "0x0", "0x0", "EL1 read/write, EL0 none"],
      ["SH", "9:8", "0x0", "0x0", "Non-shareable"],
      ["AF", "10", "0x1", "0x1", "accessed"],
      ["nG", "11", "0x0", "0x0", "global"],
      ["OA", "47:14", "0x0", "0x0", "output address 0x0"],
      ["GP", "50", "0x0", "0x0", "not guarded"],
      ["DBM", "51", "0x0", "0x0", "no dirty bit modifier"],
      ["Contiguous", "52", "0x0", "0x0", "no contiguous hint"],
      ["PXN", "53", "0x0", "0x0", "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)"],
      ["UXN", "54", "0x0", "0x0", "EL0 may execute"],
    ]);
  });
  it("0 is an empty entry", () => {
    const d = decodeS1Descriptor(0x0n, { granule: 4096 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual(["empty", "empty entry (0): invalid", null, "4K", null, "0x0"]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([["VALID", "0", "0x0", "0x0", "invalid: a walk that reads it takes a Translation fault"]]);
  });
  it("bit 0 clear with other bits set is an invalid entry, the other bits ignored", () => {
    const d = decodeS1Descriptor(0x10000000700n, { granule: 4096, level: 3 });
    expect([d.kind, d.summary, d.level, d.granule, d.oa, d.value]).toEqual([
      "invalid",
      "invalid entry (bit 0 clear; the other bits are ignored)",
      3,
      "4K",
      null,
      "0x10000000700",
    ]);
    expect(d.notes).toEqual([]);
    expect(rows(d)).toEqual([
      ["VALID", "0", "0x0", "0x0", "invalid: a walk that reads it takes a Translation fault"],
      ["other", "63:0", "0x10000000700", "0x10000000700", "bits 8, 9, 10, 40: RES0 or ignored in this kind of entry"],
    ]);
  });
});

describe("decodeS1Descriptor, kinds and options", () => {
  it("bit 0 clear is invalid whichever half holds the other bits; only all-zero is empty", () => {
    expect(decodeS1Descriptor(0x0000_1234_0000_0000n, { granule: 4096, level: 3 }).kind).toBe("invalid");
    expect(decodeS1Descriptor(0x0000_0000_0000_0700n, { granule: 4096, level: 3 }).kind).toBe("invalid");
    expect(decodeS1Descriptor(0x0000_1234_0000_0000n, { granule: 4096, level: 3 }).summary).toBe("invalid entry (bit 0 clear; the other bits are ignored)");
    expect(decodeS1Descriptor(0x0000_0000_0000_0700n, { granule: 4096, level: 3 }).summary).toBe("invalid entry (bit 0 clear; the other bits are ignored)");
    expect(decodeS1Descriptor(0n, { granule: 4096, level: 3 }).kind).toBe("empty");
  });
  it("FEAT_LPA's OA[51:48] in bits 15:12 is a 64K-granule field only", () => {
    const names = (v: bigint, level: number): string[] => decodeS1Descriptor(v, { granule: 4096, level, lpa64: true }).fields.map((f) => f.name);
    expect(names(0x0000_0000_4000_3003n, 1)).not.toContain("OA[51:48]");
    expect(names(0x0000_0000_4000_3743n, 3)).not.toContain("OA[51:48]");
    expect(decodeS1Descriptor(0x0000_0000_4000_3743n, { granule: 4096, level: 3, lpa64: true }).oa).toBe("0x40003000");
  });
  it("SH 0b01 is named as it is in the summary", () => {
    // 0x40003543: page 0b11, AttrIndx 0, AP 01, SH 01 (0x100), AF.
    expect(decodeS1Descriptor(0x0000_0000_4000_3543n, { granule: 4096, level: 3 }).summary).toBe("page -> 0x40003000, AttrIndx 0, AP 01, SH SH=01, AF");
  });
  it("names its bad argument", () => {
    expect(() => decodeS1Descriptor(-1n, { granule: 4096 })).toThrow(/^value: /);
    expect(() => decodeS1Descriptor(0n, null as never)).toThrow(/^opts: /);
    expect(() => decodeS1Descriptor(0n, { granule: 8192 as never })).toThrow(/^opts\.granule: /);
  });
});
