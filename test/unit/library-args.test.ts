// The library's arguments (issue 15, part 4): every public entry point checks
// what it is given before it touches the table. A value the kernel's C API
// can receive gets the kernel's answer (6.18.25 pgtable.c: _kvm_pgtable_walk
// returns -ERANGE for a range beyond BIT(ia_bits) and -EINVAL once
// kvm_pgtable_stage2_destroy() has set pgt->pgd to NULL; set_owner returns
// -EINVAL for an owner id above KVM_MAX_OWNER_ID; relax_perms -EINVAL for SW
// bits); a value that cannot exist in C (NaN, a fraction, a negative u64, a
// string for an enum) is an InputError naming the argument, and the table,
// its log and its warnings are exactly as before the call.
import { describe, expect, it } from "vitest";
import { EINVAL, ERANGE, PROT_R, PROT_SW0, PROT_W, PROT_X, WALK_HANDLE_FAULT } from "../../src/pgtable/descriptor.js";
import { MaintenanceLog } from "../../src/pgtable/events.js";
import { stage2Geometry, type Stage2Config } from "../../src/pgtable/geometry.js";
import { encodeLeafChecked } from "../../src/pgtable/leaf.js";
import { MAX_OP_LEAVES } from "../../src/pgtable/limits.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { InputError } from "../../src/pgtable/u64.js";
import { tablesDiffer } from "../../src/reliability/checked.js";
import { checkTables } from "../../src/reliability/invariants.js";
import { walkIpa } from "../../src/walker/describe.js";
import { ACCESS_READ } from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import { explainEra } from "../../src/kvm/explain.js";
import { userMemAbortPolicy, type PolicyInputs } from "../../src/kvm/policy.js";

const CFG: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };
const RW = PROT_R | PROT_W;

/** A table with one 2 MiB block and one page mapped, and a twin that gets the same. */
function pair(): [KvmPgtable, KvmPgtable] {
  const make = (): KvmPgtable => {
    const p = new KvmPgtable(CFG);
    expect(p.map(0x40000000, 0x200000, 0x80000000, RW, 0)).toBe(0);
    expect(p.map(0x80001000, 0x1000, 0x90000000, RW, 0)).toBe(0);
    p.log.clear();
    return p;
  };
  return [make(), make()];
}

/** `call` on a fresh table throws an InputError whose message starts with `arg: `, and changes nothing. */
function refused(call: (p: KvmPgtable) => unknown, arg: string, why?: RegExp): void {
  const [p, twin] = pair();
  let err: unknown = null;
  try {
    call(p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(InputError);
  const msg = (err as Error).message;
  expect(msg.startsWith(`${arg}: `), msg).toBe(true);
  if (why) expect(msg).toMatch(why);
  expect(msg).not.toContain("\n");
  expect(tablesDiffer(p, twin, 0, Infinity, true)).toBeNull();
  expect(p.log.length).toBe(0);
  expect(p.warnings).toEqual([]);
}

describe("KvmPgtable: values that cannot exist in C are refused, naming the argument, before anything changes", () => {
  it.each<[string, (p: KvmPgtable) => unknown, string, RegExp?]>([
    ["map(-4096, 0x2000, ...): a negative u64", (p) => p.map(-4096, 0x2000, 0x1000, RW, 0), "addr", /-4096 is not a u64/],
    ["map(NaN, ...)", (p) => p.map(Number.NaN, 0x1000, 0x1000, RW, 0), "addr", /NaN/],
    ["map with a fractional size", (p) => p.map(0x1000, 0.5, 0x1000, RW, 0), "size"],
    ["map with a string PA", (p) => p.map(0x1000, 0x1000, "0x1000" as unknown as number, RW, 0), "phys", /"0x1000"/],
    ["map with a PA of 2^64", (p) => p.map(0x1000, 0x1000, 2 ** 64, RW, 0), "phys"],
    ["map with an unknown prot bit", (p) => p.map(0x1000, 0x1000, 0x1000, 0x20, 0), "prot", /bits outside the known ones \(0x20/],
    ["map with a walk flag that does not exist", (p) => p.map(0x1000, 0x1000, 0x1000, RW, 0x80), "flags"],
    ["map with a PA beyond the 48-bit PA range", (p) => p.map(0x1000, 0x1000, 2 ** 48, RW, 0), "phys", /beyond the 48-bit PA range/],
    // Addresses and sizes are numbers below 2^53 (args.ts): a range can no longer wrap past 2^64, its size is refused first.
    ["map of a size of 2^64 - 0x800 from inside the IPA space", (p) => p.map(0x1000, 2 ** 64 - 0x800, 0x1000, RW, 0), "size", /is not a u64 below 2\^53/],
    [
      "map(2^60, ...): an address at or above 2^53 is no number the API takes",
      (p) => p.map(2 ** 60, 0x2000, 0x1000, RW, 0),
      "addr",
      /is not a u64 below 2\^53/,
    ],
    ["unmap(2^63, ...)", (p) => p.unmap(2 ** 63, 0x1000), "addr", /is not a u64 below 2\^53/],
    ["getLeaf(2^53)", (p) => p.getLeaf(2 ** 53), "addr", /is not a u64 below 2\^53/],
    ["unmap(NaN, NaN)", (p) => p.unmap(Number.NaN, Number.NaN), "addr"],
    ["unmap with a bigint", (p) => p.unmap(0x1000n as unknown as number, 0x1000), "addr", /4096n/],
    ["wrprotect(Infinity, 1)", (p) => p.wrprotect(Infinity, 1), "addr"],
    ["flush with a negative size", (p) => p.flush(0, -1), "size"],
    ["split(0, 1.5)", (p) => p.split(0, 1.5), "size"],
    ['relaxPerms(0, "W")', (p) => p.relaxPerms(0, "W" as unknown as number, 0), "prot", /"W"/],
    ["relaxPerms with fractional flags", (p) => p.relaxPerms(0, PROT_R, 0.5), "flags"],
    ["mkyoung(-1, 0)", (p) => p.mkyoung(-1, 0), "addr"],
    ["testClearYoung with mkold 1", (p) => p.testClearYoung(0, 0x1000, 1 as unknown as boolean), "mkold"],
    ["setOwner(..., 0.5)", (p) => p.setOwner(0x40000000, 0x1000, 0.5), "ownerId"],
    ["setOwner(a, 0x1000, -1): the C type is u8", (p) => p.setOwner(0x40000000, 0x1000, -1), "ownerId", /-1 is not an owner id/],
    ["setOwner with owner 256: wider than KVM_INVALID_PTE_OWNER_MASK", (p) => p.setOwner(0x40000000, 0x1000, 256), "ownerId"],
    ["getLeaf(NaN)", (p) => p.getLeaf(Number.NaN), "addr"],
    ["createUnlinked at level 3 (no block there)", (p) => p.createUnlinked(0x80000000, 3, RW, true), "level"],
    ['createUnlinked with forcePte "yes"', (p) => p.createUnlinked(0x80000000, 2, RW, "yes" as unknown as boolean), "forcePte"],
    ["entryLo of a page the store does not have", (p) => p.entryLo(10 ** 6, 0), "page"],
    ["entryLo at index 512", (p) => p.entryLo(p.pgd, 512), "index"],
    ["granuleSize(4)", (p) => p.granuleSize(4), "level"],
    ["a store hook that is not a function", (p) => (p.storeHook = 42 as unknown as null), "storeHook"],
  ])("%s", (_, call, arg, why) => refused(call, arg, why));
});

describe("KvmPgtable: values the kernel's API can receive get the kernel's answer", () => {
  it("an IPA beyond the IPA space is -ERANGE, up to the largest address the API takes (kvm_pgtable_walk)", () => {
    const [p, twin] = pair();
    expect(p.map(2 ** 40, 0x1000, 0x1000, RW, 0)).toBe(-ERANGE);
    expect(p.map(2 ** 52, 0x2000, 0x1000, RW, 0)).toBe(-ERANGE);
    expect(p.map(2 ** 53 - 4096, 0x2000, 0x1000, RW, 0)).toBe(-ERANGE);
    expect(p.unmap(2 ** 52, 0x1000)).toBe(-ERANGE);
    expect(p.getLeaf(2 ** 52).ret).toBe(-ERANGE);
    expect(tablesDiffer(p, twin, 0, Infinity, true)).toBeNull();
  });
  it("an owner id above KVM_MAX_OWNER_ID is -EINVAL; SW bits given to relax_perms are -EINVAL", () => {
    const [p] = pair();
    expect(p.setOwner(0x40000000, 0x1000, 2)).toBe(-EINVAL);
    expect(p.setOwner(0x40000000, 0x1000, 255)).toBe(-EINVAL);
    expect(p.relaxPerms(0x40000000, PROT_SW0, 0)).toBe(-EINVAL);
  });
  it("a PA beyond the PA range is no refusal when nothing would be mapped (size 0, or -ERANGE)", () => {
    const [p] = pair();
    expect(p.map(0x1000, 0, 2 ** 50, RW, 0)).toBe(0);
    expect(p.map(2 ** 41, 0x1000, 2 ** 50, RW, 0)).toBe(-ERANGE);
  });
  it("after destroy(): every op returns the kernel's answer for pgt->pgd == NULL and writes nothing; destroy() again is refused", () => {
    const [p] = pair();
    p.destroy();
    expect(p.destroyed).toBe(true);
    expect(p.store.inUse).toBe(0);
    expect(p.map(0, 0x2000, 0x1000, RW, 0)).toBe(-EINVAL);
    expect(p.map(2 ** 41, 0x1000, 0x1000, RW, 0)).toBe(-ERANGE);
    expect(p.setOwner(0, 0x1000, 1)).toBe(-EINVAL);
    expect(p.unmap(0, 0x1000)).toBe(-EINVAL);
    expect(p.relaxPerms(0, PROT_X, WALK_HANDLE_FAULT)).toBe(-EINVAL);
    expect(p.getLeaf(0).ret).toBe(-EINVAL);
    expect(p.split(0, 0x1000)).toBe(-EINVAL);
    // FWB: kvm_pgtable_stage2_flush() returns 0 before it walks.
    expect(p.flush(0, 0x1000)).toBe(0);
    // Nothing was allocated or written: the store is still empty.
    expect(p.store.inUse).toBe(0);
    expect(p.log.length).toBe(0);
    expect(() => p.destroy()).toThrow(/^this: the table is already destroyed/);
    expect(() => new S2Walker(p)).toThrow(/^pgt: the table is destroyed/);
  });
});

describe("KvmPgtable: constructor options", () => {
  it.each<[string, () => unknown, RegExp]>([
    [
      "maxPages NaN (used to switch the page budget off)",
      () => new KvmPgtable(CFG, { maxPages: Number.NaN }),
      /^storage\.maxPages: NaN is not a whole number of table pages/,
    ],
    ["maxPages Infinity", () => new KvmPgtable(CFG, { maxPages: Infinity }), /^storage\.maxPages: /],
    ["maxPages 0", () => new KvmPgtable(CFG, { maxPages: 0 }), /^storage\.maxPages: /],
    ["maxPages below the root pages", () => new KvmPgtable({ ...CFG, iaBits: 42 }, { maxPages: 4 }), /^storage\.maxPages: 4 cannot hold the 8 root pages/],
    ["an unknown storage option", () => new KvmPgtable(CFG, { maxpages: 8 } as unknown as { maxPages: number }), /^storage\.maxpages: unknown option/],
    ['fwb: "no" (truthy)', () => new KvmPgtable({ ...CFG, fwb: "no" as unknown as boolean }), /^config\.fwb: "no" is not a boolean/],
    ["tlbRange: 1", () => new KvmPgtable({ ...CFG, tlbRange: 1 as unknown as boolean }), /^config\.tlbRange: 1 is not a boolean/],
    ["lpa2 undefined", () => new KvmPgtable({ ...CFG, lpa2: undefined as unknown as boolean }), /^config\.lpa2: undefined is not a boolean/],
    ["ia_bits 40.5", () => new KvmPgtable({ ...CFG, iaBits: 40.5 }), /^ia_bits: 40\.5 is outside 32\.\.52/],
    ["a log that is not a MaintenanceLog", () => new KvmPgtable(CFG, {}, {} as MaintenanceLog), /^log: an object is not a MaintenanceLog/],
  ])("%s", (_, make, why) => {
    expect(make).toThrow(InputError);
    expect(make).toThrow(why);
  });
  it("stage2Geometry refuses a truthy non-boolean lpa2", () => {
    expect(() => stage2Geometry({ granule: 4096, iaBits: 40, paBits: 48, lpa2: "false" as unknown as boolean })).toThrow(/^lpa2: "false" is not a boolean/);
  });
});

describe("KvmPgtable: an op's work is bounded before it starts, its event records too", () => {
  it("map(0, 2**47, 0x1000, PROT_R, 0) is refused at once (it asked for 2^35 leaves, 35 s and 4 GB before)", () => {
    const p = new KvmPgtable({ ...CFG, iaBits: 48 });
    const twin = new KvmPgtable({ ...CFG, iaBits: 48 });
    const t = Date.now();
    expect(() => p.map(0, 2 ** 47, 0x1000, PROT_R, 0)).toThrow(
      /^map: asks for 34359738368 leaf descriptors .*; s2pt refuses an operation that may write more than 1048576/,
    );
    // A refusal is computed from the arguments, not by a trial run (a hang guard, not a speed test).
    expect(Date.now() - t).toBeLessThan(5000);
    expect(tablesDiffer(p, twin, 0, Infinity, true)).toBeNull();
  });
  it("set_owner and split have the same bound; a small memory cache lets the kernel's -ENOMEM come first", () => {
    const [p] = pair();
    expect(() => p.setOwner(0, 2 ** 40, 1)).toThrow(/^setOwner: asks for 268435456 leaf descriptors/);
    p.store.memcache = 2;
    expect(p.map(0, 2 ** 40, 0x1000, PROT_R, 0)).toBe(-12);
  });
  it("a map of MAX_OP_LEAVES pages runs; its events are bounded by the log's record limit and counted beyond it", () => {
    const log = new MaintenanceLog(1024, 1000);
    const p = new KvmPgtable(CFG, {}, log);
    expect(p.map(0, MAX_OP_LEAVES * 0x1000, 0x1000, RW, 0)).toBe(0);
    expect(log.length).toBe(1000);
    expect(log.notRecorded[5]).toBe(MAX_OP_LEAVES - 1000); // dcache, one per page
    expect(log.countByKind()[5]).toBe(MAX_OP_LEAVES);
    expect(checkTables(p).violations).toEqual([]);
  });
  it("MaintenanceLog checks its own arguments", () => {
    expect(() => new MaintenanceLog(0)).toThrow(/^capacity: 0 is not an integer in 1\.\./);
    expect(() => new MaintenanceLog(16, -1)).toThrow(/^limit: /);
    expect(() => {
      new MaintenanceLog().record = "no" as unknown as boolean;
    }).toThrow(/^record: "no" is not a boolean/);
  });
});

describe("the rest of the library", () => {
  const spec = { granule: 4096 as const, lpa2: false, fwb: true };
  it("encodeLeafChecked(spec, -4096n, 3, R) is refused (it returned a descriptor)", () => {
    expect(() => encodeLeafChecked(spec, -4096n, 3, PROT_R)).toThrow(/^pa: -4096n is not a 64-bit unsigned value/);
    expect(() => encodeLeafChecked(spec, 2n ** 64n, 3, PROT_R)).toThrow(/^pa: /);
    expect(() => encodeLeafChecked(spec, 0x1000 as unknown as bigint, 3, PROT_R)).toThrow(/^pa: 4096 is not/);
    expect(() => encodeLeafChecked(spec, 0x1000n, 2.5, PROT_R)).toThrow(/^level: 2\.5 is not a level/);
    expect(() => encodeLeafChecked(spec, 0x1000n, 3, 1 << 30)).toThrow(/^prot: /);
    expect(() => encodeLeafChecked({ ...spec, fwb: "yes" as unknown as boolean }, 0x1000n, 3, PROT_R)).toThrow(/^spec\.fwb: /);
    expect(() => encodeLeafChecked({ ...spec, granule: 8192 as 4096 }, 0x1000n, 3, PROT_R)).toThrow(/^spec\.granule: 8192/);
    // The kernel's own refusal of a prot stays a message with its errno.
    expect(encodeLeafChecked(spec, 0x1000n, 3, PROT_X | (1 << 3))).toMatch(/-EINVAL/);
  });
  it("S2Walker and walkIpa", () => {
    const [p] = pair();
    expect(() => new S2Walker({} as KvmPgtable)).toThrow(/^pgt: an object is not a KvmPgtable/);
    expect(() => new S2Walker(p, { ha: "yes" as unknown as boolean })).toThrow(/^opts\.ha: "yes" is not a boolean/);
    expect(() => new S2Walker(p, { hA: true } as unknown as { ha: boolean })).toThrow(/^opts\.hA: unknown option/);
    const w = new S2Walker(p);
    expect(() => w.translate(1073741824.5, ACCESS_READ, 1)).toThrow(/^ipa: 1073741824\.5 is not an IPA/);
    expect(() => w.translate("0x40000000" as unknown as number, ACCESS_READ, 1)).toThrow(/^ipa: /);
    expect(() => w.translate(0x40000000, 3, 1)).toThrow(/^access: 3 is not ACCESS_READ/);
    expect(() => w.translate(0x40000000, ACCESS_READ, 2)).toThrow(/^el: 2 is not an EL/);
    expect(() => w.translateBatch(new Float64Array(2), 1.5, ACCESS_READ, 1, new Float64Array(2), new Int32Array(2))).toThrow(/^n: 1\.5/);
    expect(() => w.translateBatch([0] as unknown as Float64Array, 1, ACCESS_READ, 1, new Float64Array(2), new Int32Array(2))).toThrow(
      /^ipas: an array is not a Float64Array/,
    );
    expect(() => walkIpa(w, -1, ACCESS_READ, 1)).toThrow(/^ipa: -1 is not a u64 below 2\^53/);
    expect(() => walkIpa(w, 0x40000000n as unknown as number, ACCESS_READ, 1)).toThrow(/^ipa: 1073741824n is not a u64 below 2\^53/);
    expect(() => walkIpa(w, 2 ** 53, ACCESS_READ, 1)).toThrow(/^ipa: /);
    expect(() => walkIpa(w, 0x40000000, ACCESS_READ, 1, { attr: 0x100, sh: 3 })).toThrow(/^s1\.attr: 256 is not a MAIR Attr byte/);
    expect(() => walkIpa(w, 0x40000000, ACCESS_READ, 1, { attr: 0x44, sh: 1 })).toThrow(/^s1\.sh: 1 is not one of 0, 2, 3/);
    expect(walkIpa(w, 0x40000000, ACCESS_READ, 1).result?.pa).toBe("0x80000000");
  });
  it("the KVM policy and explain entry points", () => {
    const p: PolicyInputs = { vma: "pfnmap", pgprot: "device", allowAnyUncached: false, pfnRam: false, fwb: true, dic: true, access: "read" };
    expect(userMemAbortPolicy("mainline", p).ok).toBe(true);
    expect(() => userMemAbortPolicy("v7" as "mainline", p)).toThrow(/^era: "v7" is not one of "pre", "v1", "v6\.9", "mainline"/);
    expect(() => userMemAbortPolicy("mainline", { ...p, fwb: "no" as unknown as boolean })).toThrow(/^p\.fwb: "no" is not a boolean/);
    expect(() => userMemAbortPolicy("mainline", { ...p, vma: "heap" as "anon" })).toThrow(/^p\.vma: "heap"/);
    const o = { granule: 4096 as const, lpa2: false, pa: 0x80000000, level: 3, guest: null };
    expect(explainEra("mainline", p, o).policy.ok).toBe(true);
    expect(() => explainEra("mainline", p, { ...o, pa: 0x80000000n as unknown as number })).toThrow(/^o\.pa: /);
    expect(() => explainEra("mainline", p, { ...o, guest: { attr: 0x44, sh: 1 } })).toThrow(/^o\.guest\.sh: 1/);
  });
});
