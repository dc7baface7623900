// Property: the batch walks specialised for speed answer exactly what their
// generic paths answer, IPA by IPA, on the same random inputs:
//   - GetLeafBatch (src/pgtable/getleaf.ts, the generated lockstep kernel of
//     kvm_pgtable_get_leaf) against KvmPgtable.getLeafFast() one call at a time,
//     and, on tables KVM built, against the generic kvm_pgtable_walk() with
//     leaf_walker (fastPaths off): descriptor halves, level, return code,
//     the failure count, and the checksum (descriptor + level, mod 2^64);
//     GetLeafBatch.leaf() (one IPA a call, over the flat arena) against
//     getLeafFast() on every probe, throws included; a destroyed table and a
//     call from inside a store hook answer as getLeaf() does;
//   - S2Walker.translateBatchSum and translateBatch (src/walker/kernel.ts, the
//     generated lockstep hardware walk) against the complete walk
//     (S2Walker with fast: false, checked against the kernel and the ASL in
//     test/conformance/walk.test.ts and test/architecture/faults.test.ts):
//     PA, level, fault status, fault count, the sum of (PA + level) mod 2^64,
//     and the table memory after the walks (hardware AF updates) with HA on.
// Random tables of every geometry: built by random map / unmap / wrprotect /
// aging / split / set_owner sequences, then the same tables with random
// descriptors scribbled over them. Inputs: IPAs in and around the mappings,
// anywhere in the IPA space, and values outside it (beyond 2^ia_bits,
// negative, fractional, NaN, infinite). Deterministic: xorshift64 from a
// fixed seed, printed in the test names.
import { describe, expect, it } from "vitest";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Granule, Stage2Config } from "../../src/pgtable/geometry.js";
import { GetLeafBatch } from "../../src/pgtable/getleaf.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NONE, encodeLDFSC } from "../../src/walker/fault.js";
import { FAULT_STATUS, S2Walker } from "../../src/walker/translate.js";
import { xorshift64 } from "./xorshift.js";

const SEED = 0x5eed2020c0ffee01n;
const M64 = (1n << 64n) - 1n;

/** xorshift64 (13, 7, 17), as the bench's inputs. */
const rng = xorshift64;

const GEOMETRIES: Array<[Granule, number, number, boolean]> = [
  [4096, 32, 40, false],
  [4096, 39, 48, false],
  [4096, 40, 48, false],
  [4096, 44, 48, false],
  [4096, 48, 48, false],
  [4096, 52, 52, true],
  [16384, 36, 48, false],
  [16384, 40, 48, false],
  [16384, 47, 48, false],
  [16384, 52, 52, true],
  [65536, 40, 48, false],
  [65536, 44, 48, false],
  [65536, 48, 52, false],
  [65536, 52, 52, false],
];

const PROTS = [PROT_R, PROT_R | PROT_W, PROT_R | PROT_W | PROT_X, PROT_X, PROT_W, 0, PROT_R | PROT_DEVICE, PROT_R | PROT_W | PROT_NORMAL_NC];

/** A random table KVM could build, from `seed` (the same seed builds the same table), and IPAs to probe it with. */
function buildTable(cfg: Stage2Config, seed: bigint): { pgt: KvmPgtable; probes: number[]; dense: number[] } {
  const r = rng(seed);
  const pgt = new KvmPgtable(cfg);
  pgt.log.record = false;
  const g = pgt.geom;
  const blockLevel = g.minBlockLevel + (cfg.granule === 4096 ? 1 : 0); // 2M, 32M or 512M blocks
  const block = 2 ** g.shifts[blockLevel + 1];
  const span = Math.min(48, 2 ** (cfg.iaBits - Math.log2(block)) - 1);
  const base = r.below(Math.max(1, 2 ** (cfg.iaBits - Math.log2(block)) - span)) * block;
  const probes: number[] = [];
  for (let i = 0; i < 48; i++) {
    const at = base + r.below(span) * block;
    const pa = (r.below(2 ** Math.min(cfg.paBits - Math.log2(block) - 1, 20)) + 1) * block;
    const op = r.below(10);
    if (op < 5) {
      const n = 1 + r.below(24);
      const ipa = at + r.below(block / cfg.granule - n) * cfg.granule;
      pgt.map(ipa, n * cfg.granule, pa, r.pick(PROTS), 0);
      probes.push(ipa);
    } else if (op < 7) {
      pgt.map(at, block * (1 + r.below(2)), pa, r.pick(PROTS), 0);
      probes.push(at);
    } else if (op === 7) {
      pgt.unmap(at + r.below(block / cfg.granule) * cfg.granule, cfg.granule * (1 + r.below(64)));
    } else if (op === 8) {
      pgt.wrprotect(at, block * (1 + r.below(4)));
    } else {
      // An owner annotation: a non-zero invalid entry get_leaf must report as it is.
      const ipa = at + r.below(block / cfg.granule) * cfg.granule;
      pgt.setOwner(ipa, cfg.granule, 1 + r.below(3));
      probes.push(ipa);
    }
  }
  pgt.testClearYoung(base, Math.ceil(span / 3) * block, true);
  pgt.split(base, block * 4);
  // Dense runs of last-level pages (R|W|X, R|W, R), each probed in order:
  // whole lockstep groups of table walks down to the last level (the
  // kernels' fast loop), at every group alignment; the walker's groups
  // then pass or fail its permission checks as a whole.
  const out: number[] = [];
  const dense: number[] = [];
  [PROT_R | PROT_W | PROT_X, PROT_R | PROT_W, PROT_R].forEach((prot, d) => {
    const at = base + (span - 1 - d) * block + r.below(block / cfg.granule - 128) * cfg.granule;
    expect(pgt.map(at, 128 * cfg.granule, (2 + d) * block, prot, 0)).toBe(0);
    dense.push(at);
    for (let j = 0; j < 128 + r.below(40); j++) out.push(at + (j % 128) * cfg.granule + r.below(cfg.granule));
  });
  for (const ipa of probes) for (let j = 0; j < 4; j++) out.push(ipa + r.below(block));
  for (let j = 0; j < 32; j++) out.push(r.below(2 ** cfg.iaBits));
  for (let j = 0; j < 32; j++) out.push(base + r.below(span * block));
  // Outside the IPA space, and not integers.
  out.push(2 ** cfg.iaBits, 2 ** cfg.iaBits + cfg.granule, 2 ** 53 - 1, -cfg.granule, -0.5, Number.NaN, Infinity, -Infinity, base + 0.5, 1e-300);
  return { pgt, probes: out, dense };
}

/** Random descriptors over random entries of every allocated table page. */
function scribble(pgt: KvmPgtable, seed: bigint): number {
  const r = rng(seed);
  const store = pgt.store;
  let n = 0;
  for (let page = 0; page < store.bump; page++) {
    if (!store.isAllocated(page)) continue;
    for (let k = 0; k < 8; k++) {
      const i = r.below(pgt.ptrsPerPte);
      const chunk = store.chunkOf(page);
      const off = store.pageOffset(page) + 2 * i;
      if (chunk[off] === 0 && chunk[off + 1] === 0 && r.next() < 0.6) continue;
      const kind = r.below(6);
      if (kind === 0) chunk[off] ^= 1 << r.below(12);
      else if (kind === 1) chunk[off + 1] ^= 1 << r.below(32);
      else if (kind === 2)
        chunk[off] = (chunk[off] ^ (1 << (12 + r.below(20)))) >>> 0; // OA bits 31:12: a table pointing elsewhere
      else if (kind === 3)
        chunk[off] = (chunk[off] | 3) >>> 0; // a block or page turned table (or page)
      else if (kind === 4)
        chunk[off + 1] = (chunk[off + 1] ^ (1 << r.below(16))) >>> 0; // OA bits 47:32
      else chunk[off] = (r.next() * 2 ** 32) >>> 0;
      n++;
    }
  }
  return n;
}

/** The outcome of a call: its value, or the class of what it threw (a scribbled table may point outside the store). */
function outcome<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    return `throws ${(e as Error).constructor.name}`;
  }
}

/** getLeaf() of each IPA, one call at a time: [lo, hi, level or return code] or a throw. */
function oneByOne(pgt: KvmPgtable, ipas: readonly number[]): Array<[number, number, number] | string> {
  return ipas.map((ipa) =>
    outcome((): [number, number, number] => {
      const r = pgt.getLeafFast(ipa);
      return r === 0 ? [pgt.leafLo, pgt.leafHi, pgt.leafLevel] : [0, 0, r];
    }),
  );
}

/** The ipas a table walk can answer (a scribbled table may send getLeaf outside the store: that is compared separately). */
function answerable(pgt: KvmPgtable, ipas: readonly number[]): number[] {
  const byOne = oneByOne(pgt, ipas);
  return ipas.filter((_, k) => typeof byOne[k] !== "string");
}

function checkGetLeaf(pgt: KvmPgtable, probes: readonly number[], label: string, kvmBuilt: boolean): void {
  // Anything the one-at-a-time path throws on, the batch throws on too.
  for (const ipa of probes) {
    const one = outcome(() => pgt.getLeafFast(ipa));
    if (typeof one === "string") {
      const b = new GetLeafBatch(pgt);
      const acc = new Float64Array(2);
      expect(
        outcome(() => b.checksum(new Float64Array([ipa]), 0, 1, acc)),
        `${label} ipa ${ipa}`,
      ).toBe(one);
    }
  }
  // GetLeafBatch.leaf(), one IPA a call, answers every probe as getLeafFast() does (a throw included).
  const one = new GetLeafBatch(pgt);
  const out = new Uint32Array(3).fill(7);
  for (const ipa of probes) {
    const want = outcome(() => {
      const r = pgt.getLeafFast(ipa);
      return r === 0 ? [pgt.leafLo, pgt.leafHi, pgt.leafLevel] : [0, 0, r];
    });
    const got = outcome(() => {
      const level = one.leaf(ipa, out);
      return [out[0], out[1], level];
    });
    expect(got, `${label}: leaf(${ipa})`).toEqual(want);
    expect(out[2], `${label}: leaf() writes two elements`).toBe(7);
  }
  const ipas = answerable(pgt, probes);
  expect(ipas.length, label).toBeGreaterThan(40);
  const want = oneByOne(pgt, ipas) as Array<[number, number, number]>;
  if (kvmBuilt) {
    // The generic kvm_pgtable_walk() with leaf_walker gives the same answers.
    pgt.fastPaths = false;
    try {
      expect(oneByOne(pgt, ipas), `${label}: fastPaths off`).toEqual(want);
    } finally {
      pgt.fastPaths = true;
    }
  }
  const input = new Float64Array(ipas);
  let wantSum = 0n;
  let wantFailed = 0;
  for (const [lo, hi, level] of want) {
    if (level < -1) wantFailed++;
    else wantSum += (BigInt(hi) << 32n) + BigInt(lo) + BigInt(level);
  }
  for (const lanes of [1, 3, 8, 16]) {
    const b = new GetLeafBatch(pgt, { lanes });
    expect(b.kernelSource, label).not.toBeNull();
    const lo = new Uint32Array(ipas.length);
    const hi = new Uint32Array(ipas.length);
    const lv = new Int32Array(ipas.length);
    const failed = b.leaves(input, 0, input.length, lo, hi, lv);
    const got = ipas.map((_, k) => [lo[k], hi[k], lv[k]]);
    expect(got, `${label}: leaves, ${lanes} lanes`).toEqual(want);
    expect(failed, `${label}: failures, ${lanes} lanes`).toBe(wantFailed);
    // A sub-range: outputs outside it are not touched.
    const from = Math.min(5, ipas.length);
    const to = Math.max(from, ipas.length - 7);
    const lv2 = new Int32Array(ipas.length).fill(99);
    b.leaves(input, from, to, new Uint32Array(ipas.length), new Uint32Array(ipas.length), lv2);
    expect(Array.from(lv2.subarray(0, from)).every((v) => v === 99) && Array.from(lv2.subarray(to)).every((v) => v === 99), label).toBe(true);
    expect(Array.from(lv2.subarray(from, to)), `${label}: sub-range levels`).toEqual(want.slice(from, to).map((w) => w[2]));
    // The checksum, whole and in two pieces added into one accumulator.
    const acc = new Float64Array(2);
    expect(b.checksum(input, 0, input.length, acc), label).toBe(wantFailed);
    expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), `${label}: checksum, ${lanes} lanes`).toBe(wantSum & M64);
    const acc2 = new Float64Array(2);
    const mid = ipas.length >> 1;
    b.checksum(input, 0, mid, acc2);
    b.checksum(input, mid, input.length, acc2);
    expect([acc2[0], acc2[1]], `${label}: checksum in two calls`).toEqual([acc[0], acc[1]]);
  }
  // The batch's own generic path (no kernel) is the same.
  const slow = new GetLeafBatch(pgt, { fast: false });
  expect(slow.kernelSource).toBeNull();
  const acc = new Float64Array(2);
  slow.checksum(input, 0, input.length, acc);
  expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), `${label}: checksum without the kernel`).toBe(wantSum & M64);
}

/** Walker results one at a time with the complete walk: [status, PA] as translateBatch reports them. */
function completeWalks(w: S2Walker, ipas: readonly number[], access: number, el: number): Array<[number, number]> {
  return ipas.map((ipa): [number, number] => {
    const r = w.translate(ipa, access, el);
    return r === FAULT_NONE ? [w.level, w.pa] : [FAULT_STATUS | encodeLDFSC(r, w.level), -1];
  });
}

function tableWords(pgt: KvmPgtable): number[] {
  const out: number[] = [];
  for (let page = 0; page < pgt.store.bump; page++) for (let i = 0; i < pgt.ptrsPerPte; i++) out.push(pgt.entryLo(page, i), pgt.entryHi(page, i));
  return out;
}

function checkWalker(cfg: Stage2Config, seed: bigint, scribbleSeed: bigint | null, label: string): void {
  const make = (): { pgt: KvmPgtable; probes: number[] } => {
    const t = buildTable(cfg, seed);
    if (scribbleSeed !== null) {
      scribble(t.pgt, scribbleSeed);
      // The table entry above the R|W run's last-level table gets an output
      // address bit above the table store's 32-bit page-number window (PA bit
      // pageShift + 32): the complete walk follows the whole address (an
      // Address size fault where it is beyond PS, or outside the store); the
      // kernel must not take it for a store page.
      const w = new S2Walker(t.pgt, { ha: false, fast: false });
      w.tracing = true;
      if (w.translate(t.dense[1], ACCESS_READ, 1) === FAULT_NONE && w.traceLen >= 2) {
        const at = (w.traceLen - 2) * 5;
        const page = w.trace[at + 1];
        const off = t.pgt.store.pageOffset(page) + 2 * w.trace[at + 2];
        t.pgt.store.chunkOf(page)[off + 1] ^= 1 << t.pgt.geom.pageShift;
      }
    }
    return t;
  };
  const { pgt, probes } = make();
  // IPAs whose complete walk stays inside the table store (a scribbled table descriptor may leave it: the
  // complete walk refuses that with an Error, and so does the batch; test/property/walker-fastpath.test.ts).
  const probe = new S2Walker(pgt, { ha: false, fast: false });
  const ipas = probes.filter((ipa) => typeof outcome(() => probe.translate(ipa, ACCESS_READ, 1)) !== "string");
  expect(ipas.length, label).toBeGreaterThan(40);
  const input = new Float64Array(ipas);
  for (const xnx of [false, true]) {
    for (const access of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC]) {
      for (const el of [0, 1]) {
        const ctx = `${label} access ${access} el ${el} xnx ${xnx}`;
        // HA off: the walks write nothing, one table serves both.
        const full = new S2Walker(pgt, { ha: false, xnx, fast: false });
        const want = completeWalks(full, ipas, access, el);
        const fast = new S2Walker(pgt, { ha: false, xnx });
        expect(fast.kernelSource, ctx).not.toBeNull();
        const outPa = new Float64Array(ipas.length);
        const outSt = new Int32Array(ipas.length);
        const nf = fast.translateBatch(input, input.length, access, el, outPa, outSt);
        expect(
          ipas.map((_, k) => [outSt[k], outPa[k]]),
          `${ctx}: translateBatch`,
        ).toEqual(want);
        const faults = want.filter(([st]) => st >= FAULT_STATUS).length;
        expect(nf, ctx).toBe(faults);
        let sum = 0n;
        for (const [st, pa] of want) if (st < FAULT_STATUS) sum += BigInt(pa) + BigInt(st);
        const acc = new Float64Array(2);
        expect(fast.translateBatchSum(input, 0, input.length, access, el, acc), ctx).toBe(faults);
        expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), `${ctx}: translateBatchSum`).toBe(sum & M64);
      }
    }
  }
  // HA on: the hardware sets AF on the leaves it walks; the batch sum on one
  // table and the complete walks one at a time on an identical table must
  // leave the same memory and give the same sum.
  const a = make();
  const b = make();
  const batch = new S2Walker(a.pgt, { ha: true });
  const one = new S2Walker(b.pgt, { ha: true, fast: false });
  const acc = new Float64Array(2);
  const faults = batch.translateBatchSum(input, 0, input.length, ACCESS_WRITE, 1, acc);
  const want = completeWalks(one, ipas, ACCESS_WRITE, 1);
  let sum = 0n;
  for (const [st, pa] of want) if (st < FAULT_STATUS) sum += BigInt(pa) + BigInt(st);
  expect(faults, `${label}: HA faults`).toBe(want.filter(([st]) => st >= FAULT_STATUS).length);
  expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), `${label}: HA sum`).toBe(sum & M64);
  expect(tableWords(a.pgt), `${label}: table memory after HA walks`).toEqual(tableWords(b.pgt));
}

describe(`batch get_leaf and the walker's batch against their generic paths (seed 0x${SEED.toString(16)})`, () => {
  it.each(GEOMETRIES)("get_leaf: %i granule, %i-bit IPA, %i-bit PA, LPA2 %s", (granule, iaBits, paBits, lpa2) => {
    const r = rng(SEED ^ BigInt(granule * 1000 + iaBits));
    const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: r.next() < 0.5, tlbRange: false };
    const seed = BigInt(Math.floor(r.next() * 2 ** 52)) | 1n;
    const { pgt, probes } = buildTable(cfg, seed);
    checkGetLeaf(pgt, probes, `KVM table (seed 0x${seed.toString(16)})`, true);
    expect(scribble(pgt, seed ^ 0xabcdefn)).toBeGreaterThan(0);
    checkGetLeaf(pgt, probes, `scribbled table (seed 0x${seed.toString(16)})`, false);
  });

  it("leaf() checks its out array; a destroyed table and a store hook's call answer as getLeaf() does", () => {
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    expect(pgt.map(2 ** 30, 4096 * 64, 2 ** 31, PROT_R | PROT_W, 0)).toBe(0);
    const b = new GetLeafBatch(pgt);
    const out = new Uint32Array(2);
    expect(b.leaf(2 ** 30 + 4096, out)).toBe(3);
    expect([out[0], out[1]]).toEqual([(2 ** 31 + 4096 + 0x7ff) >>> 0, 0x00400000]);
    for (const bad of [new Int32Array(2), new Uint32Array(1), [0, 0], null, undefined, new Float64Array(2)]) {
      expect(() => b.leaf(2 ** 30, bad as unknown as Uint32Array), String(bad)).toThrow(/^out: .* is not a Uint32Array of at least 2 elements/);
    }
    expect(() => b.leaf(2 ** 30 + 0.5, out)).toThrow(/addr/);
    // Values that are not numbers: getLeaf()'s ArgumentError, and no valueOf() called.
    let called = 0;
    const sneaky = { valueOf: () => (called++, 2 ** 30) };
    for (const bad of [2n ** 30n, Symbol("ipa"), "1073741824", sneaky, null, undefined]) {
      const want = outcome(() => pgt.getLeafFast(bad as unknown as number));
      expect(want, typeof bad).toBe("throws ArgumentError");
      expect(
        outcome(() => b.leaf(bad as unknown as number, out)),
        typeof bad,
      ).toBe(want);
    }
    expect(called).toBe(0);
    expect(b.leaf(2 ** 40, out)).toBe(pgt.getLeafFast(2 ** 40));
    expect([out[0], out[1]]).toEqual([0, 0]);
    // Inside a store hook's call, as getLeaf(): refused.
    let inHook: unknown = null;
    pgt.storeHook = () => {
      inHook ??= outcome(() => b.leaf(2 ** 30, out));
    };
    expect(pgt.unmap(2 ** 30, 4096)).toBe(0);
    pgt.storeHook = null;
    expect(inHook).toBe("throws Error");
    // A destroyed table: -EINVAL for every IPA, one at a time and in the batches.
    pgt.destroy();
    const want = pgt.getLeafFast(2 ** 30 + 4096);
    expect(want).toBeLessThan(-1);
    expect(b.leaf(2 ** 30 + 4096, out)).toBe(want);
    const lv = new Int32Array(1);
    expect(b.leaves(new Float64Array([2 ** 30 + 4096]), 0, 1, new Uint32Array(1), new Uint32Array(1), lv)).toBe(1);
    expect(lv[0]).toBe(want);
    expect(b.checksum(new Float64Array([2 ** 30 + 4096]), 0, 1, new Float64Array(2))).toBe(1);
  });

  it.each(GEOMETRIES)("walker: %i granule, %i-bit IPA, %i-bit PA, LPA2 %s", (granule, iaBits, paBits, lpa2) => {
    const r = rng(SEED ^ BigInt(granule * 1000 + iaBits + 7));
    const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: r.next() < 0.5, tlbRange: false };
    const seed = BigInt(Math.floor(r.next() * 2 ** 52)) | 1n;
    checkWalker(cfg, seed, null, `KVM table (seed 0x${seed.toString(16)})`);
    checkWalker(cfg, seed, seed ^ 0x1234567n, `scribbled table (seed 0x${seed.toString(16)})`);
  });

  it("the sums wrap modulo 2^64 and carry across calls", () => {
    // 4K pages whose descriptors have bit 63 set (not settable through prot:
    // written into the table), walked 70,000 times: the sum exceeds 2^64.
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    pgt.log.record = false;
    expect(pgt.map(0x40000000, 64 * 4096, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    const ipas = new Float64Array(70_000);
    for (let k = 0; k < ipas.length; k++) ipas[k] = 0x40000000 + (k % 64) * 4096;
    // Set bits 63 and 62 of every leaf (the level-3 table found by a traced
    // walk): get_leaf reports the descriptor as it is.
    const w = new S2Walker(pgt, { ha: false, fast: false });
    w.tracing = true;
    w.translate(0x40000000, ACCESS_READ, 1);
    const leafPage = w.trace[(w.traceLen - 1) * 5 + 1];
    const chunk = pgt.store.chunkOf(leafPage);
    for (let i = 0; i < 64; i++) chunk[pgt.store.pageOffset(leafPage) + 2 * i + 1] |= 0xc0000000;
    const want = oneByOne(pgt, Array.from(ipas)) as Array<[number, number, number]>;
    let sum = 0n;
    for (const [lo, hi, level] of want) sum += (BigInt(hi) << 32n) + BigInt(lo) + BigInt(level);
    expect(sum > M64).toBe(true);
    const acc = new Float64Array(2);
    new GetLeafBatch(pgt).checksum(ipas, 0, ipas.length, acc);
    expect((BigInt(acc[1]) << 32n) + BigInt(acc[0])).toBe(sum & M64);
    expect(acc[0] >= 0 && acc[0] < 2 ** 32 && acc[1] >= 0 && acc[1] < 2 ** 32).toBe(true);
  });

  it("refuses ranges and outputs that do not fit, before touching anything", () => {
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    const b = new GetLeafBatch(pgt);
    const ipas = new Float64Array(8);
    const acc = new Float64Array(2);
    expect(() => b.checksum(ipas, 0, 9, acc)).toThrow(RangeError);
    expect(() => b.checksum(ipas, 5, 4, acc)).toThrow(RangeError);
    expect(() => b.checksum(ipas, 0.5, 4, acc)).toThrow(RangeError);
    expect(() => b.checksum(ipas, 0, 8, new Float64Array(1))).toThrow(RangeError);
    expect(() => b.leaves(ipas, 0, 8, new Uint32Array(7), new Uint32Array(8), new Int32Array(8))).toThrow(RangeError);
    expect(() => new GetLeafBatch(pgt, { lanes: 0 })).toThrow(RangeError);
    const w = new S2Walker(pgt);
    expect(() => w.translateBatchSum(ipas, 0, 9, ACCESS_READ, 1, acc)).toThrow(RangeError);
    expect(() => w.translateBatchSum(ipas, 0, 8, ACCESS_READ, 1, new Float64Array(1))).toThrow(RangeError);
    expect([acc[0], acc[1]]).toEqual([0, 0]);
  });
});
