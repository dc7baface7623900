// src/pgtable/pgtable.ts, the per-geometry constants (TableConsts) the
// one-page map reads: the unknown-flags mask of its entry test, and the key
// of its cached last-level table. Hand-worked from enum kvm_pgtable_walk_flags
// (LEAF BIT(0) .. SKIP_CMO BIT(6): bit 7 is no flag) and the 4K geometry of a
// 48-bit IPA space (start level 0; a last-level table maps 2 MiB, IPA[47:21]
// names it, 27 bits, so IPA 0x1000 and IPA 2^43 + 0x1000 are in different
// last-level tables at index 1 of each). Written for surviving mutants of
// `npm run mutate -- --mutate src/pgtable/pgtable.ts:1-400` (issue 23).
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 48, paBits: 48, lpa2: false, fwb: false, tlbRange: false };
/** A descriptor string's output address bits (`mask`), null for no descriptor. */
const oa = (pte: string | null, mask: bigint): bigint | null => (pte === null ? null : BigInt(pte) & mask);

describe("the one-page map's entry test and its cached last-level table", () => {
  it("a one-page map with walk flag bit 7 (no kvm_pgtable_walk_flags value) is refused with ArgumentError naming flags, nothing mapped", () => {
    const t = new KvmPgtable(CFG);
    // Make the one-page map's cache hot first: the refusal must not depend on taking the generic path.
    expect(t.map(0x0, 0x1000, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    expect(() => t.map(0x1000, 0x1000, 0x80001000, PROT_R | PROT_W, 1 << 7)).toThrow(ArgumentError);
    expect(() => t.map(0x1000, 0x1000, 0x80001000, PROT_R | PROT_W, 1 << 7)).toThrow(/flags/);
    expect(t.getLeaf(0x1000).pte).toBe("0x0");
  });

  it("IPA 0x1000 and IPA 2^43 + 0x1000 get leaves in their own last-level tables (the cache key keeps IPA bits above 32)", () => {
    const t = new KvmPgtable(CFG);
    expect(t.map(0x1000, 0x1000, 0x80001000, PROT_R | PROT_W, 0)).toBe(0);
    expect(t.map(2 ** 43 + 0x2000, 0x1000, 0x90002000, PROT_R | PROT_W, 0)).toBe(0);
    // Each leaf is a level-3 page whose output address is its own PA (bits 47:12 of the descriptor).
    const a = t.getLeaf(0x1000);
    const b = t.getLeaf(2 ** 43 + 0x2000);
    expect([a.ret, a.level, oa(a.pte, 0xfffffffff000n)]).toEqual([0, 3, 0x80001000n]);
    expect([b.ret, b.level, oa(b.pte, 0xfffffffff000n)]).toEqual([0, 3, 0x90002000n]);
    // Nothing at index 2 of IPA 0's last-level table.
    expect(t.getLeaf(0x2000).pte).toBe("0x0");
    // Two last-level tables under two level-2 tables under two level-1 tables, and the root: 7 pages.
    expect(t.store.bump).toBe(7);
  });

  it("a 32-bit PA space (PS 0b000): the table pages sit from PA 2^31 up (storage.ts: 2^(min(pa_bits, 48) - 1)), and table entries lead to them", () => {
    // 4K, 32-bit IPA: KVM walks 28 bits' worth of levels (stage2_pgtable_levels(32) = ARM64_HW_PGTABLE_LEVELS(32 - 4) = 2):
    // start level 2, a root of 2^(32 - 30) = 4 concatenated pages; IPA 0x1000 and IPA 0x200000 each need a last-level table.
    const t = new KvmPgtable({ ...CFG, iaBits: 32, paBits: 32 });
    expect(t.map(0x1000, 0x1000, 0x10001000, PROT_R | PROT_W, 0)).toBe(0);
    expect(t.map(0x200000, 0x1000, 0x10002000, PROT_R | PROT_W, 0)).toBe(0);
    expect(t.store.bump).toBe(6);
    const a = t.getLeaf(0x1000);
    const b = t.getLeaf(0x200000);
    expect([a.ret, a.level, oa(a.pte, 0xfffff000n)]).toEqual([0, 3, 0x10001000n]);
    expect([b.ret, b.level, oa(b.pte, 0xfffff000n)]).toEqual([0, 3, 0x10002000n]);
    // The root entry of IPA 0x1000 is a table descriptor (0b11) whose address is a table page at or above 2^31.
    const root = t.store.chunkOf(t.pgd);
    const lo = root[t.store.pageOffset(t.pgd)] >>> 0;
    expect(lo & 3).toBe(3);
    expect((lo & 0xfffff000) >>> 0).toBeGreaterThanOrEqual(2 ** 31);
  });

  it("a map that needs 2^20 + 1 page leaves (MAX_OP_LEAVES + 1) is refused before any store; 2^20 of them is not", () => {
    // IPA 0x1000 -> PA 0x80002000: IPA - PA is not a multiple of 2 MiB, so no block fits anywhere (kvm_block_mapping_supported()),
    // and every 4K page of the range is a leaf of its own.
    const t = new KvmPgtable(CFG);
    expect(() => t.map(0x1000, (2 ** 20 + 1) * 0x1000, 0x80002000, PROT_R | PROT_W, 0)).toThrow(/asks for 1048577 leaf descriptors/);
    expect(t.getLeaf(0x1000).pte).toBe("0x0");
    expect(t.map(0x1000, 2 ** 20 * 0x1000, 0x80002000, PROT_R | PROT_W, 0)).toBe(0);
    expect(oa(t.getLeaf(0x1000 + (2 ** 20 - 1) * 0x1000).pte, 0xfffffffff000n)).toBe(0x80002000n + BigInt(2 ** 20 - 1) * 0x1000n);
  });
});
