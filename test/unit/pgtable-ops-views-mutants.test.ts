// src/pgtable/pgtable.ts: the read-only views' argument checks (entryLo,
// entryHi, childPage, granuleSize, isTable and their entryOk / badEntry
// helpers), for the survivors of the `m6` Stryker run over lines 2331-2427
// and 2490-2541 of 7286940 (issue 23). The library's rule for a bad argument
// (docs/reliability.md "The library's arguments", src/pgtable/args.ts) is an
// ArgumentError that names the argument and shows the value as given; a BigInt is the one value that tells a type test left out
// from one kept, because `1n | 0` and `1n >>> 0` throw a TypeError where the
// type test would have refused the value first. The ranges are the documented
// ones: a level is -1..3 (kvm_granule_size, kernel-reference 3), an entry index
// 0..PTRS_PER_PTE-1 (512 entries of a 4K table), a page one of the store's.
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/pgtable/args.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };

function argError(f: () => unknown, arg: string, msg: string): void {
  let e: unknown = null;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(ArgumentError);
  expect((e as ArgumentError).arg).toBe(arg);
  expect((e as Error).message).toBe(msg);
}

const big = (v: bigint): number => v as unknown as number;

describe("the read-only views refuse a BigInt with an ArgumentError naming the argument", () => {
  it("entryLo / entryHi: a BigInt page or index is refused as that argument, not a TypeError", () => {
    const t = new KvmPgtable(CFG);
    // Two root pages (40-bit IPA, start level 1: kernel-reference 3.4): the store holds pages 0 and 1.
    argError(() => t.entryLo(big(0n), 0), "page", "page: 0n is not a page of the table's store (0..1)");
    argError(() => t.entryHi(big(1n), 5), "page", "page: 1n is not a page of the table's store (0..1)");
    argError(() => t.entryLo(0, big(3n)), "index", "index: 3n is not an entry index in 0..511");
    argError(() => t.entryHi(1, big(0n)), "index", "index: 0n is not an entry index in 0..511");
    // A BigInt for both: the index is named first.
    argError(() => t.entryLo(big(0n), big(0n)), "index", "index: 0n is not an entry index in 0..511");
  });

  it("childPage: a BigInt high half is named `hi`, a BigInt low half `lo`", () => {
    const t = new KvmPgtable(CFG);
    argError(() => t.childPage(0x5003, big(0x8000n)), "hi", "hi: 32768n is not an unsigned 32-bit half of a descriptor");
    argError(() => t.childPage(0x5003, big(0n)), "hi", "hi: 0n is not an unsigned 32-bit half of a descriptor");
  });

  it("granuleSize / isTable: a BigInt level is refused as `level`, the range -1..3 in the message", () => {
    const t = new KvmPgtable(CFG);
    argError(() => t.granuleSize(big(1n)), "level", "level: 1n is not an integer in -1..3");
    argError(() => t.granuleSize(big(3n)), "level", "level: 3n is not an integer in -1..3");
    argError(() => t.isTable(3, big(2n)), "level", "level: 2n is not an integer in -1..3");
    argError(() => t.isTable(3, big(-1n)), "level", "level: -1n is not an integer in -1..3");
  });

  it("granuleSize / isTable: a number outside -1..3 names the whole range -1..3", () => {
    const t = new KvmPgtable(CFG);
    argError(() => t.granuleSize(4), "level", "level: 4 is not an integer in -1..3");
    argError(() => t.granuleSize(-2), "level", "level: -2 is not an integer in -1..3");
    argError(() => t.isTable(3, 0.5), "level", "level: 0.5 is not an integer in -1..3");
    argError(() => t.isTable(3, -2), "level", "level: -2 is not an integer in -1..3");
    // Inside the range the answers are kvm_granule_size (4K: 2^(9 * (4 - level) + 3)) and kvm_pte_table.
    expect(t.granuleSize(-1)).toBe(2 ** 48);
    expect(t.granuleSize(3)).toBe(4096);
    expect(t.isTable(3, -1)).toBe(true);
    expect(t.isTable(3, 3)).toBe(false);
  });
});
