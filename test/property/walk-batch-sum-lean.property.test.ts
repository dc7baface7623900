// Property: S2Walker.translateBatchSum, whose lockstep groups run the lean
// flat-arena kernel (src/walker/kernel.ts, leanSumFlat: the access's checks
// as literals, the next page as x >>> PAGE_SHIFT, the upper levels lane by
// lane, the sums in int32 per group), adds up exactly what the complete walk
// (S2Walker with fast: false, which follows the ASL and is checked against
// the kernel and the Arm ARM in test/conformance/walk.test.ts and
// test/architecture/faults.test.ts) answers one IPA at a time:
//   - the fault count and Σ (PA + level) mod 2^64, over the whole input and
//     over every window of one lockstep group (16 IPAs) at every alignment,
//     so that an error in one lane cannot hide in a long sum;
//   - with VTCR_EL2.HA (and HD) on, the table memory after the walks (the
//     hardware's AF and dirty updates), against a twin table walked one IPA
//     at a time;
//   - a fractional IPA: translate() refuses it with an ArgumentError, and so
//     does the batch sum wherever the IPA falls (the lockstep groups used to
//     truncate it);
//   - the generated kernel's batchSumFlat itself, for the four compiled
//     (needLo, forbidHi) pairs and for others (the same walk with them as
//     arguments): it stops at the first group it does not take, and its sums
//     over the groups it takes are the complete walk's.
// Tables: every granule, every start level KVM uses (0, 1, 2; both the
// IPA-page-number walk, ia_bits - PAGE_SHIFT <= 31, and the IPA-halves walk
// beyond it), LPA2 and the 64K 52-bit format, a 32-bit PA (whose table store
// is not at a 2^32 boundary: the lean kernel is not built there and the
// general one runs), FWB on and off; pages and blocks at every level the
// granule has them, every prot, wrprotect, aging, split, owner annotations,
// dense runs of pages (whole lockstep groups), and the same tables with
// random descriptors scribbled over them (invalid entries, table
// descriptors pointing elsewhere, output address bits above the window,
// DBM, XN, reserved types). Deterministic: xorshift64 from a fixed seed.
import { describe, expect, it } from "vitest";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X, PTE_VALID_LO, S2AP_R_LO, S2AP_W_LO, S2_AF_LO, S2_XN_HI } from "../../src/pgtable/descriptor.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import type { Granule, Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NONE } from "../../src/walker/fault.js";
import { buildKernel, LANES, type DescriptorWords } from "../../src/walker/kernel.js";
import { S2Walker } from "../../src/walker/translate.js";
import { xorshift64, type Xorshift } from "./xorshift.js";

const SEED = 0x1ea45a3b20c0de01n;
const M64 = (1n << 64n) - 1n;

// [granule, ia_bits, pa_bits, LPA2]: start levels 2, 1, 0 of each granule.
const GEOMETRIES: Array<[Granule, number, number, boolean]> = [
  [4096, 32, 32, false],
  [4096, 32, 48, false],
  [4096, 36, 40, false],
  [4096, 40, 48, false],
  [4096, 42, 48, false],
  [4096, 44, 48, false],
  [4096, 52, 52, true],
  [16384, 36, 48, false],
  [16384, 40, 52, true],
  [16384, 47, 48, false],
  [16384, 52, 52, true],
  [65536, 40, 48, false],
  [65536, 44, 52, false],
  [65536, 47, 48, false],
  [65536, 52, 52, false],
];

const PROTS = [PROT_R, PROT_R | PROT_W, PROT_R | PROT_W | PROT_X, PROT_X, PROT_W, 0, PROT_R | PROT_DEVICE, PROT_R | PROT_W | PROT_NORMAL_NC];

/** A random table from `seed` (the same seed builds the same table) and the IPAs to walk. */
function buildTable(cfg: Stage2Config, seed: bigint, scribbled: boolean): { pgt: KvmPgtable; ipas: number[]; dense: number[][] } {
  const r = rng(seed);
  const pgt = new KvmPgtable(cfg);
  pgt.log.record = false;
  const g = pgt.geom;
  const G = cfg.granule;
  const page = 2 ** g.pageShift;
  // The smallest block and a region of them to work in.
  const small = 2 ** g.shifts[3]; // level 2: 2M, 32M, 512M
  const span = Math.min(40, 2 ** (cfg.iaBits - Math.log2(small)) - 1);
  const base = r.below(Math.max(1, 2 ** (cfg.iaBits - Math.log2(small)) - span)) * small;
  const paBlocks = (size: number): number => (r.below(2 ** Math.min(cfg.paBits - Math.log2(size) - 1, 18)) + 1) * size;
  const ipas: number[] = [];
  // Blocks at every level the granule has them (AArch64_BlockDescSupported: level 1 for 4K, level 0 for 4K
  // with LPA2, level 1 for 16K with LPA2, level 2 always), each where the IPA space holds one.
  for (let level = g.minBlockLevel; level <= 2; level++) {
    const size = 2 ** g.shifts[level + 1];
    if (cfg.iaBits - Math.log2(size) < 2) continue;
    for (let n = 0; n < 2; n++) {
      const ipa = (1 + r.below(2 ** Math.min(cfg.iaBits - Math.log2(size), 20) - 1)) * size;
      if (pgt.map(ipa, size, paBlocks(size), r.pick(PROTS), 0) === 0) for (let j = 0; j < 6; j++) ipas.push(ipa + r.below(size));
    }
  }
  for (let i = 0; i < 40; i++) {
    const at = base + r.below(span) * small;
    const op = r.below(10);
    if (op < 5) {
      const n = 1 + r.below(24);
      const ipa = at + r.below(small / G - n) * G;
      pgt.map(ipa, n * G, paBlocks(small) + r.below(small / G - n) * G, r.pick(PROTS), 0);
      for (let j = 0; j < 4; j++) ipas.push(ipa + r.below(n * page));
    } else if (op < 7) {
      pgt.map(at, small, paBlocks(small), r.pick(PROTS), 0);
      for (let j = 0; j < 4; j++) ipas.push(at + r.below(small));
    } else if (op === 7) pgt.unmap(at + r.below(small / G) * G, G * (1 + r.below(64)));
    else if (op === 8) pgt.wrprotect(at, small * (1 + r.below(4)));
    else pgt.setOwner(at + r.below(small / G) * G, G, 1 + r.below(3));
  }
  pgt.testClearYoung(base, Math.ceil(span / 3) * small, true);
  pgt.split(base, small * 4);
  // Dense runs of pages, R|W|X, R|W, R, R|W aged, walked in order: whole lockstep groups at every alignment.
  const dense: number[][] = [];
  [PROT_R | PROT_W | PROT_X, PROT_R | PROT_W, PROT_R, PROT_R | PROT_W].forEach((prot, d) => {
    const at = base + (span - 1 - d) * small + r.below(small / G - 128) * G;
    expect(pgt.map(at, 128 * G, (2 + d) * small, prot, 0)).toBe(0);
    if (d === 3) pgt.testClearYoung(at + 32 * G, 8 * G, true);
    const run: number[] = [];
    for (let j = 0; j < 128 + r.below(40); j++) run.push(at + (j % 128) * G + r.below(G));
    ipas.push(...run);
    dense.push(run);
  });
  for (let j = 0; j < 24; j++) ipas.push(r.below(2 ** cfg.iaBits));
  // Outside the IPA space (a Translation fault, level 0).
  ipas.push(2 ** cfg.iaBits, 2 ** cfg.iaBits + G, 2 ** 53 - 1, -G, -0, Number.NaN, Infinity, -Infinity);
  if (scribbled) scribble(pgt, r);
  return { pgt, ipas, dense };
}

/** Random descriptors over random entries of every allocated table page. */
function scribble(pgt: KvmPgtable, r: Xorshift): void {
  const store = pgt.store;
  for (let page = 0; page < store.bump; page++) {
    if (!store.isAllocated(page)) continue;
    for (let k = 0; k < 8; k++) {
      const i = r.below(pgt.ptrsPerPte);
      const chunk = store.chunkOf(page);
      const off = store.pageOffset(page) + 2 * i;
      if (chunk[off] === 0 && chunk[off + 1] === 0 && r.chance(0.5)) continue;
      switch (r.below(9)) {
        case 0:
          chunk[off] ^= 1 << r.below(12); // type, attributes, S2AP, AF, SH
          break;
        case 1:
          chunk[off + 1] ^= 1 << r.below(32); // OA bits 47:32 and above, DBM, XN[1:0], software bits
          break;
        case 2:
          chunk[off] = (chunk[off] ^ (1 << (12 + r.below(20)))) >>> 0; // OA bits 31:12: a table pointing elsewhere
          break;
        case 3:
          chunk[off] = (chunk[off] | 3) >>> 0; // a block or page turned table (or page)
          break;
        case 4:
          chunk[off] = (chunk[off] & ~2) >>> 0; // a table turned block (or a reserved type at the last level)
          break;
        case 5:
          chunk[off] = 0; // invalid
          break;
        case 6:
          chunk[off + 1] = (chunk[off + 1] | (1 << (16 + r.below(4)))) >>> 0; // bits 51:48 of the high half
          break;
        case 7:
          chunk[off + 1] = (chunk[off + 1] ^ ((1 << 19) | (3 << 21))) >>> 0; // DBM and XN[1:0]
          break;
        default:
          chunk[off] = (r.next() * 2 ** 32) >>> 0;
          chunk[off + 1] = (r.next() * 2 ** 32) >>> 0;
      }
    }
  }
}

function rng(seed: bigint): Xorshift {
  return xorshift64(seed === 0n ? 1n : seed);
}

/** The outcome of a call: its value, or the class of what it threw. */
function outcome<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    return `throws ${(e as Error).constructor.name}`;
  }
}

/** One at a time through the complete walk: PA + level of each IPA, or null for a fault. */
function oneByOne(w: S2Walker, ipas: readonly number[], access: number, el: number): Array<bigint | null> {
  return ipas.map((ipa) => (w.translate(ipa, access, el) === FAULT_NONE ? BigInt(w.pa) + BigInt(w.level) : null));
}

function sumOf(want: ReadonlyArray<bigint | null>, from: number, to: number): [number, bigint] {
  let faults = 0;
  let sum = 0n;
  for (let k = from; k < to; k++) {
    const v = want[k];
    if (v === null) faults++;
    else sum += v;
  }
  return [faults, sum & M64];
}

function batchSum(w: S2Walker, input: Float64Array, from: number, to: number, access: number, el: number): [number, bigint] {
  const acc = new Float64Array(2);
  const faults = w.translateBatchSum(input, from, to, access, el, acc);
  return [faults, (BigInt(acc[1]) << 32n) + BigInt(acc[0])];
}

function tableWords(pgt: KvmPgtable): number[] {
  const out: number[] = [];
  for (let page = 0; page < pgt.store.bump; page++) for (let i = 0; i < pgt.ptrsPerPte; i++) out.push(pgt.entryLo(page, i), pgt.entryHi(page, i));
  return out;
}

const ACCESSES = [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC];

function checkGeometry(granule: Granule, iaBits: number, paBits: number, lpa2: boolean, fwb: boolean, scribbled: boolean): void {
  const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb, tlbRange: false };
  const seed = SEED ^ BigInt(granule * 1000 + iaBits * 10 + (fwb ? 1 : 0)) ^ (scribbled ? 0xabcdn : 0n);
  const label = `${granule}/${iaBits}/${paBits}${lpa2 ? "/LPA2" : ""} fwb ${fwb}${scribbled ? " scribbled" : ""}`;
  const { pgt, ipas: probes } = buildTable(cfg, seed, scribbled);
  // A scribbled table descriptor may send the complete walk outside the table store (an Error: the model has no
  // memory there); the batch refuses those too (test/property/walker-fastpath.test.ts), here they are left out.
  const probe = new S2Walker(pgt, { ha: false, fast: false });
  const ipas = probes.filter((ipa) => typeof outcome(() => probe.translate(ipa, ACCESS_READ, 1)) !== "string");
  expect(ipas.length, label).toBeGreaterThan(300);
  const input = new Float64Array(ipas);
  let lockstepGroups = 0;

  // HA and HD off: the walks change nothing, one table serves every access, EL and XNX.
  for (const xnx of [false, true]) {
    for (const access of ACCESSES) {
      for (const el of [0, 1]) {
        const ctx = `${label} access ${access} el ${el} xnx ${xnx}`;
        const want = oneByOne(new S2Walker(pgt, { ha: false, xnx, fast: false }), ipas, access, el);
        const fast = new S2Walker(pgt, { ha: false, xnx });
        expect(fast.kernelSource, ctx).not.toBeNull();
        expect(batchSum(fast, input, 0, input.length, access, el), `${ctx}: whole`).toEqual(sumOf(want, 0, input.length));
        // Every window of one group, at every alignment (each IPA in every lane).
        for (let k = 0; k + LANES <= input.length; k++) {
          const got = batchSum(fast, input, k, k + LANES, access, el);
          const exp = sumOf(want, k, k + LANES);
          if (got[0] !== exp[0] || got[1] !== exp[1]) expect(got, `${ctx}: window [${k}, ${k + LANES})`).toEqual(exp);
        }
        // How many of those windows the generated kernel took whole (the lockstep path ran, not only the lanes).
        const kernel = buildKernel(pgt);
        if (kernel === null || kernel.batchSumFlat === null) throw new Error("no kernel");
        for (let k = 0; k + LANES <= input.length; k += LANES) {
          if (
            kernel.batchSumFlat(pgt.store.flat, pgt.store.bump, input, k, k + LANES, needLo(access), forbidHi(access, xnx), new Float64Array(2)) ===
            k + LANES
          )
            lockstepGroups++;
        }
      }
    }
  }
  expect(lockstepGroups, `${label}: groups the lockstep kernel took`).toBeGreaterThan(scribbled ? 0 : 20);

  // HA on, HD off and on: the hardware's updates, in walk order, on twin tables.
  for (const [ha, hd] of [
    [true, false],
    [true, true],
  ]) {
    for (const access of [ACCESS_WRITE, ACCESS_READ]) {
      const ctx = `${label} HA ${ha} HD ${hd} access ${access}`;
      const a = buildTable(cfg, seed, scribbled).pgt;
      const b = buildTable(cfg, seed, scribbled).pgt;
      const want = oneByOne(new S2Walker(b, { ha, hd, fast: false }), ipas, access, 1);
      expect(batchSum(new S2Walker(a, { ha, hd }), input, 0, input.length, access, 1), ctx).toEqual(sumOf(want, 0, input.length));
      expect(tableWords(a), `${ctx}: table memory after the walks`).toEqual(tableWords(b));
    }
  }
}

/** S2Walker's needLo() and forbidHi() (translate.ts): VALID, AF and the access's S2AP bit; XN (XN[1:0] with XNX) for a fetch. */
function needLo(access: number): number {
  return PTE_VALID_LO | S2_AF_LO | (access === ACCESS_READ ? S2AP_R_LO : access === ACCESS_WRITE ? S2AP_W_LO : 0);
}
function forbidHi(access: number, xnx: boolean): number {
  return access !== ACCESS_EXEC ? 0 : xnx ? 0x3 << 21 : S2_XN_HI;
}

describe(`translateBatchSum's lean lockstep kernel against the complete walk (seed 0x${SEED.toString(16)})`, () => {
  it.each(GEOMETRIES)("%i granule, %i-bit IPA, %i-bit PA, LPA2 %s: KVM's tables, FWB off and on", (granule, iaBits, paBits, lpa2) => {
    checkGeometry(granule, iaBits, paBits, lpa2, false, false);
    checkGeometry(granule, iaBits, paBits, lpa2, true, false);
  });

  it.each(GEOMETRIES)("%i granule, %i-bit IPA, %i-bit PA, LPA2 %s: scribbled tables", (granule, iaBits, paBits, lpa2) => {
    checkGeometry(granule, iaBits, paBits, lpa2, iaBits % 2 === 0, true);
  });

  it.each(GEOMETRIES)(
    "%i granule, %i-bit IPA, %i-bit PA, LPA2 %s: a table descriptor's address bits around the page-number window, one at a time",
    (granule, iaBits, paBits, lpa2) => {
      const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: false, tlbRange: false };
      const seed = SEED ^ BigInt(granule + iaBits);
      const { pgt, dense } = buildTable(cfg, seed, false);
      const run = dense[1];
      // The table descriptor above the run's last-level table, and the leaf of the run's first IPA (the complete walk's trace).
      const w = new S2Walker(pgt, { ha: false, fast: false });
      w.tracing = true;
      expect(w.translate(run[0], ACCESS_READ, 1)).toBe(FAULT_NONE);
      const where = (step: number): [DescriptorWords, number] => [
        pgt.store.chunkOf(w.trace[step * 5 + 1]),
        pgt.store.pageOffset(w.trace[step * 5 + 1]) + 2 * w.trace[step * 5 + 2],
      ];
      // High half: bits 0..19 (PA bits 32..51: inside the 32-bit page-number window, the bits above it the store's
      // base fixes, bits beyond PS, and bits 51:48, RES0 or OA by format). Low half: bits 8, 9 (LPA2's OA[51:50])
      // and 12..15 (64K's OA[51:48]).
      const edits: Array<[number, number]> = [];
      for (let b = 0; b < 20; b++) edits.push([1, b]);
      for (const b of [8, 9, 12, 13, 14, 15]) edits.push([0, b]);
      for (const [what, step] of [
        ["table", w.traceLen - 2],
        ["leaf", w.traceLen - 1],
      ] as const) {
        const [chunk, off] = where(step);
        for (const [half, bit] of edits) {
          const ctx = `${granule}/${iaBits}/${paBits}${lpa2 ? "/LPA2" : ""}: ${what} ${half === 1 ? "high" : "low"} half bit ${bit}`;
          chunk[off + half] ^= 1 << bit;
          for (const access of ACCESSES) {
            // Each whole group of the run, then the run (with its tail): the sum, or what the complete walk throws.
            for (let k = 0; k <= run.length; k += LANES) {
              const ipas = k + LANES <= run.length ? run.slice(k, k + LANES) : run;
              const full = new S2Walker(pgt, { ha: false, fast: false });
              const want = outcome(() => sumOf(oneByOne(full, ipas, access, 1), 0, ipas.length));
              const got = outcome(() => batchSum(new S2Walker(pgt, { ha: false }), new Float64Array(ipas), 0, ipas.length, access, 1));
              expect(got, `${ctx} access ${access} IPAs ${k}..`).toEqual(want);
            }
          }
          chunk[off + half] ^= 1 << bit;
        }
      }
    },
  );

  it("a fractional IPA is an ArgumentError wherever it falls, as translate() says", () => {
    const pgt = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
    expect(pgt.map(0x40000000, 64 * 4096, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    const fast = new S2Walker(pgt);
    const full = new S2Walker(pgt, { fast: false });
    expect(() => full.translate(0x40000000 + 0.5, ACCESS_READ, 1)).toThrow(ArgumentError);
    for (const lane of [0, 5, LANES - 1, LANES + 3]) {
      const ipas = new Float64Array(2 * LANES).map((_, k) => 0x40000000 + k * 4096);
      ipas[lane] += 0.5;
      for (const w of [fast, full]) {
        let thrown: unknown = null;
        try {
          w.translateBatchSum(ipas, 0, ipas.length, ACCESS_READ, 1, new Float64Array(2));
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `lane ${lane}`).toBeInstanceOf(ArgumentError);
        expect((thrown as Error).message, `lane ${lane}`).toMatch(/ipa/);
      }
    }
  });

  it("the kernel's batchSumFlat: the compiled pairs and any other (needLo, forbidHi) take the same groups and sum as the complete walk", () => {
    const r = rng(SEED ^ 0x77n);
    for (const [granule, iaBits, paBits, lpa2] of [
      [4096, 40, 48, false],
      [16384, 47, 48, false],
      [65536, 44, 52, false],
    ] as Array<[Granule, number, number, boolean]>) {
      const pgt = new KvmPgtable({ granule, iaBits, paBits, lpa2, fwb: false, tlbRange: false });
      pgt.log.record = false;
      const at = 2 ** (iaBits - 2);
      expect(pgt.map(at, 256 * granule, 2 ** 33, PROT_R | PROT_W, 0)).toBe(0);
      expect(pgt.map(at + 256 * granule, 64 * granule, 2 ** 34, PROT_R | PROT_X, 0)).toBe(0);
      const ipas = new Float64Array(320).map((_, k) => at + k * granule + r.below(granule));
      expect(pgt.store.flatten?.()).toBe(true);
      const kernel = buildKernel(pgt);
      if (kernel === null || kernel.batchSumFlat === null) throw new Error("no kernel");
      // Leaf bits 31:0 required, bits 63:32 forbidden: the four pairs S2Walker passes, then others.
      const pairs: Array<[number, number]> = [
        [needLo(ACCESS_READ), 0],
        [needLo(ACCESS_WRITE), 0],
        [needLo(ACCESS_EXEC), forbidHi(ACCESS_EXEC, false)],
        [needLo(ACCESS_EXEC), forbidHi(ACCESS_EXEC, true)],
        [PTE_VALID_LO, 0],
        [PTE_VALID_LO | S2AP_R_LO | S2AP_W_LO, 0],
        [needLo(ACCESS_READ), 1 << 19],
      ];
      for (const [nl, fh] of pairs) {
        const ctx = `${granule}: needLo 0x${nl.toString(16)} forbidHi 0x${fh.toString(16)}`;
        // The descriptor the complete walk ends at for each IPA (its trace): the lockstep kernel's case is a level-3
        // page with nl and without fh; its PA is the descriptor's output address (bits 47:12, below 2^48 here) and
        // the IPA's offset in the page.
        const full = new S2Walker(pgt, { ha: false, fast: false });
        full.tracing = true;
        const mine = Array.from(ipas, (ipa) => {
          full.translate(ipa, ACCESS_READ, 1);
          const leaf = (full.traceLen - 1) * 5;
          const lo = full.trace[leaf + 3] >>> 0;
          const hi = full.trace[leaf + 4] >>> 0;
          const pa = (hi & 0xffff) * 2 ** 32 + ((lo & -granule) >>> 0) + (ipa % granule);
          return { take: full.trace[leaf] === 3 && (lo & 2) !== 0 && (lo & nl) === nl && (hi & fh) === 0, pa };
        });
        const acc = new Float64Array(2);
        const stop = kernel.batchSumFlat(pgt.store.flat, pgt.store.bump, ipas, 0, ipas.length, nl, fh, acc);
        let want = 0;
        while (want + LANES <= ipas.length && mine.slice(want, want + LANES).every((m) => m.take)) want += LANES;
        expect(stop, ctx).toBe(want);
        let sum = 0n;
        for (let k = 0; k < stop; k++) sum += BigInt(mine[k].pa) + 3n;
        expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), ctx).toBe(sum);
      }
    }
  });
});
