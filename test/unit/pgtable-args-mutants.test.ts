// src/pgtable/pgtable.ts: the checks at each entry point (args.ts's
// convention: a value the kernel's C API could receive gets the kernel's
// answer, anything else an ArgumentError naming the argument, before any
// state changes), taken on both of map()'s paths: the one-page path, whose
// test is one line, and the general one. The kernel's answers are
// kernel-reference.md's (5.1 map, 5.3 relax_perms, 5.4 set_owner; -ERANGE
// beyond 2^ia_bits). Written for the surviving mutants of `npm run mutate`
// (issue 23).
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/pgtable/args.js";
import { EINVAL, ERANGE, PROT_R, PROT_SW0, PROT_W, WALK_HANDLE_FAULT, WALK_SHARED, WALK_SKIP_CMO } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: true, tlbRange: false };
const K4 = 4096;

function refused(f: () => unknown, arg: string, msg?: RegExp): void {
  let e: unknown = null;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(ArgumentError);
  expect((e as ArgumentError).arg).toBe(arg);
  if (msg) expect((e as Error).message).toMatch(msg);
}

/** A table whose last map used PROT_R, so that a one-page map with PROT_R takes the one-page path's test first. */
function primed(): KvmPgtable {
  const t = new KvmPgtable(CFG);
  expect(t.map(0x4000_0000, K4, 0x8000_0000, PROT_R, 0)).toBe(0);
  t.log.clear();
  return t;
}

describe("map(): the one-page path refuses what the general path refuses", () => {
  it("an address or PA that is not a whole number below 2^53", () => {
    const t = primed();
    refused(() => t.map(0x4000_1000 + 0.5, K4, 0x8000_1000, PROT_R, 0), "addr");
    refused(() => t.map(-K4, K4, 0x8000_1000, PROT_R, 0), "addr");
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000 + 0.25, PROT_R, 0), "phys");
    refused(() => t.map(0x4000_1000, K4, -K4, PROT_R, 0), "phys");
    refused(() => t.map("0x40001000" as never, K4, 0x8000_1000, PROT_R, 0), "addr");
    refused(() => t.map(0x4000_1000, K4, "0" as never, PROT_R, 0), "phys");
    refused(() => t.map(0x4000_1000, K4.toString() as never, 0x8000_1000, PROT_R, 0), "size");
    expect(t.store.inUse).toBe(4);
    expect(t.log.length).toBe(0);
  });
  it("flags that are not a bit set of the walk flags", () => {
    const t = primed();
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, 1 << 7), "flags", /has bits outside the known ones \(0x80; known: WALK_LEAF/);
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, -1), "flags", /is not a bit set of WALK_LEAF/);
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, 0.5), "flags");
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, 2 ** 32), "flags");
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, "8" as never), "flags");
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x0");
  });
  it("a prot that is not a bit set of the prot bits", () => {
    const t = primed();
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, 1 << 5, 0), "prot", /has bits outside the known ones \(0x20; known: PROT_X/);
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, -1, 0), "prot");
    refused(() => t.map(0x4000_1000, K4, 0x8000_1000, 2 ** 32, 0), "prot");
  });
  it("a page past the IPA space is -ERANGE; the last page maps", () => {
    const t = primed();
    expect(t.map(2 ** 40, K4, 0x8000_1000, PROT_R, 0)).toBe(-ERANGE);
    expect(t.map(2 ** 40 - K4, K4, 0x8000_1000, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(2 ** 40 - K4).pte).toBe("0x4000008000175b");
  });
  it("a PA beyond the 40-bit PA range: refused when a leaf would be written, the kernel's answer when none is", () => {
    const t = primed();
    refused(() => t.map(0x4000_1000, K4, 2 ** 40, PROT_R, 0), "phys", /^phys: 1099511627776 is beyond the 40-bit PA range \(no host page has that address\)$/);
    refused(() => t.map(0x4000_1000, 2 * K4, 2 ** 40, PROT_R, 0), "phys");
    expect(t.map(0x4000_1000, 0, 2 ** 40, PROT_R, 0)).toBe(0);
    expect(t.map(2 ** 40, K4, 2 ** 40, PROT_R, 0)).toBe(-ERANGE);
    expect(t.map(2 ** 40 - K4, 2 * K4, 2 ** 40, PROT_R, 0)).toBe(-ERANGE);
    // The last PA of the range maps.
    expect(t.map(0x4000_1000, K4, 2 ** 40 - K4, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000fffffff75b");
    expect(t.log.length).toBe(1);
  });
  it("the flags reach the leaf: SKIP_CMO drops the dcache, SHARED and HANDLE_FAULT change nothing for an empty entry", () => {
    const t = primed();
    expect(t.map(0x4000_1000, K4, 0x8000_1000, PROT_R, WALK_SKIP_CMO)).toBe(0);
    expect(t.map(0x4000_2000, K4, 0x8000_2000, PROT_R, WALK_SHARED | WALK_HANDLE_FAULT)).toBe(0);
    expect(t.log.toJson()).toEqual([["dcache", "0x80002000", "0x1000"]]);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x4000008000175b");
    expect(t.getLeaf(0x4000_2000).pte).toBe("0x4000008000275b");
  });
  it("a different prot after the first: its own attributes, not the last map's", () => {
    const t = primed();
    expect(t.map(0x4000_1000, K4, 0x8000_1000, PROT_R | PROT_W, 0)).toBe(0);
    expect(t.map(0x4000_2000, K4, 0x8000_2000, PROT_R, 0)).toBe(0);
    expect(t.getLeaf(0x4000_1000).pte).toBe("0x400000800017db");
    expect(t.getLeaf(0x4000_2000).pte).toBe("0x4000008000275b");
  });
});

describe("the other entry points", () => {
  const t = primed();
  it("set_owner: ids 0..255 (u8); above KVM_MAX_OWNER_ID the kernel's -EINVAL", () => {
    refused(() => t.setOwner(0, K4, 256), "ownerId", /^ownerId: 256 is not an owner id/);
    refused(() => t.setOwner(0, K4, -1), "ownerId");
    refused(() => t.setOwner(0.5, K4, 1), "addr");
    refused(() => t.setOwner(0, -1, 1), "size");
    expect(t.setOwner(0, K4, 255)).toBe(-EINVAL);
  });
  it("relax_perms: SW bits are the kernel's -EINVAL; bits outside the prot bits and bad flags are refused", () => {
    expect(t.relaxPerms(0x4000_0000, PROT_R | PROT_SW0, 0)).toBe(-EINVAL);
    expect(t.log.length).toBe(0);
    refused(() => t.relaxPerms(0x4000_0000, 1 << 5, 0), "prot");
    refused(() => t.relaxPerms(0x4000_0000, -1, 0), "prot");
    refused(() => t.relaxPerms(0x4000_0000, PROT_R, 1 << 7), "flags");
    refused(() => t.relaxPerms(0x4000_0000, PROT_R, -1), "flags");
    refused(() => t.relaxPerms(-1, PROT_R, 0), "addr");
  });
  it("mkyoung, test_clear_young, wrprotect, flush, unmap, split: each names its bad argument", () => {
    refused(() => t.mkyoung(0x4000_0000, 1 << 7), "flags");
    refused(() => t.mkyoung(0x4000_0000, -1), "flags");
    refused(() => t.mkyoung(0.5, 0), "addr");
    refused(() => t.testClearYoung(0x4000_0000, K4, 1 as never), "mkold");
    refused(() => t.testClearYoung(0x4000_0000, 0.5, true), "size");
    refused(() => t.wrprotect(-1, K4), "addr");
    refused(() => t.flush(0, 2 ** 53), "size");
    refused(() => t.unmap(2 ** 53, 0), "addr");
    refused(() => t.split(0, -K4), "size");
    refused(() => t.getLeafFast(2 ** 53), "addr");
    refused(() => t.createUnlinked(2 ** 40, 2, PROT_R, true), "phys", /^phys: 1099511627776 is beyond the 40-bit PA range$/);
    refused(() => t.createUnlinked(0, 2, 1 << 5, true), "prot");
    refused(() => t.createUnlinked(0, 0, PROT_R, true), "level");
    expect(t.getLeaf(0x4000_0000).pte).toBe("0x4000008000075b");
  });
  it("the store hook: a function or null; not set or read-modified from inside an operation", () => {
    const h = new KvmPgtable(CFG);
    refused(() => (h.storeHook = 1 as never), "storeHook", /^storeHook: 1 is not a function or null$/);
    let inner: unknown = null;
    h.storeHook = () => {
      try {
        h.storeHook = null;
      } catch (e) {
        inner = e;
      }
    };
    expect(h.map(0, K4, 0, PROT_R, 0)).toBe(0);
    expect(String(inner)).toMatch(/KvmPgtable\.storeHook: called from inside a store hook while an operation runs/);
    let nested: unknown = null;
    h.storeHook = () => {
      try {
        h.unmap(0, K4);
      } catch (e) {
        nested = e;
      }
    };
    expect(h.map(K4, K4, K4, PROT_R, 0)).toBe(0);
    expect(String(nested)).toMatch(/KvmPgtable\.unmap: called from inside a store hook/);
    let leaf: unknown = null;
    h.storeHook = () => {
      try {
        h.getLeaf(0);
      } catch (e) {
        leaf = e;
      }
    };
    h.map(2 * K4, K4, 2 * K4, PROT_R, 0);
    expect(String(leaf)).toMatch(/KvmPgtable\.getLeaf: called from inside a store hook/);
    expect(h.storeHook).not.toBeNull();
    h.storeHook = null;
    expect(h.storeHook).toBeNull();
    expect(h.getLeaf(0).pte).toBe("0x4000000000075b");
  });
  it("the constructor: config fields and storage checked; storage too small for the root pages refused", () => {
    refused(() => new KvmPgtable({ ...CFG, fwb: 1 as never }), "config.fwb");
    refused(() => new KvmPgtable({ ...CFG, tlbRange: "no" as never }), "config.tlbRange");
    refused(() => new KvmPgtable({ ...CFG, lpa2: undefined as never }), "config.lpa2");
    refused(() => new KvmPgtable({ ...CFG, paBits: undefined as never }), "config.paBits", /missing \(the host PA size: 32, 36, 40, 42, 44, 48 or 52\)/);
    refused(() => new KvmPgtable(null as never), "config");
    refused(() => new KvmPgtable(CFG, {}, {} as never), "log");
    // 4K with a 34-bit IPA: 16 concatenated root pages (kernel-reference 3.4).
    refused(
      () => new KvmPgtable({ ...CFG, iaBits: 34 }, { maxPages: 15 }),
      "storage.maxPages",
      /^storage\.maxPages: 15 cannot hold the 16 root pages of this geometry \(kvm_init_stage2_mmu would fail with -ENOMEM\)$/,
    );
    const ok = new KvmPgtable({ ...CFG, iaBits: 34 }, { maxPages: 16 });
    expect(ok.store.inUse).toBe(16);
    expect(ok.startLevel).toBe(2);
    expect(ok.ptrsPerPte).toBe(512);
    expect(ok.pageSize).toBe(4096);
    expect(ok.iaLimit).toBe(2 ** 34);
    expect(ok.config).toEqual({ granule: 4096, iaBits: 34, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
    expect(Object.isFrozen(ok.config)).toBe(true);
    expect(Object.isFrozen(ok.geom)).toBe(true);
    expect(new KvmPgtable({ ...CFG, fwb: false, tlbRange: true }).config).toMatchObject({ fwb: false, tlbRange: true });
  });
});
