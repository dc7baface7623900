// Property: the lean batch sum's root cache and its group-end checks
// (src/walker/kernel.ts, leanSumFlat) answer as the complete walk.
//   - The root cache: the start level's descriptor is read once for a run of
//     IPAs inside the range it maps ([cLo, cHi) -> the next table's first
//     word) and kept across the groups of one call. The IPAs here come in
//     bursts from a few root regions, back and forth (a region left and come
//     back to, in the same group and across groups), with IPAs of unmapped
//     regions and outside the IPA space between them; and the root
//     descriptor of a region is made invalid, a block, a table pointing past
//     the store's last page, or given address bits above the page-number
//     window, so that a lane that misses the cache meets each of those.
//   - The group-end checks: the table descriptors below the root and the
//     leaves are checked once per group (an AND or OR of their words), so a
//     lane that fails one walks on; here such descriptors (invalid, block,
//     pointing past the store, high address bits, leaves without AF, without
//     the access's S2AP bit, with XN) sit at every lane of a group.
// Expected values: the complete walk (S2Walker with fast: false, which
// follows the ASL; checked against the kernel and the Arm ARM in
// test/conformance/walk.test.ts and test/architecture/faults.test.ts), one IPA
// at a time: Σ (PA + level) mod 2^64 and the fault count over windows of
// three groups at every alignment and over the whole input, or the error it
// throws (a descriptor outside the store: TableMemoryError) where it throws;
// and, for the kernel's batchSumFlat itself, where it stops: at the first
// group with an IPA the complete walk does not translate to a level-3 page
// (with HA off, so that an AF-clear leaf is a fault there too).
// Deterministic: xorshift64 from a fixed seed.
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X, PTE_VALID_LO, S2AP_R_LO, S2AP_W_LO, S2_AF_LO, S2_XN_HI } from "../../src/pgtable/descriptor.js";
import type { Granule, Stage2Config } from "../../src/pgtable/geometry.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NONE } from "../../src/walker/fault.js";
import { buildKernel, LANES } from "../../src/walker/kernel.js";
import { S2Walker } from "../../src/walker/translate.js";
import { xorshift64, type Xorshift } from "./xorshift.js";

const SEED = 0x5eed_cace_0020_0001n;
const M64 = (1n << 64n) - 1n;

// [granule, ia_bits, pa_bits, LPA2]: every start level of every granule, the IPA-page-number walk and the halves walk.
const GEOMETRIES: Array<[Granule, number, number, boolean]> = [
  [4096, 32, 48, false],
  [4096, 36, 40, false],
  [4096, 40, 48, false],
  [4096, 44, 48, false],
  [4096, 48, 48, false],
  [4096, 52, 52, true],
  [16384, 36, 48, false],
  [16384, 40, 52, true],
  [16384, 47, 48, false],
  [65536, 40, 48, false],
  [65536, 44, 52, false],
  [65536, 52, 52, false],
];

const PROTS = [PROT_R | PROT_W, PROT_R | PROT_W, PROT_R | PROT_W | PROT_X, PROT_R | PROT_W | PROT_X, PROT_R, PROT_W, PROT_X];

interface Built {
  pgt: KvmPgtable;
  /** The first of the neighbouring root regions. */
  first: number;
  /** Page-aligned IPAs of the mapped runs, by region. */
  runs: number[][];
  /** Pages mapped R|W|X, in every region. */
  open: number[];
  /** Size of the range one start-level descriptor maps. */
  rootSize: number;
}

/** Runs of pages in a few root regions (the same seed builds the same table). */
function build(cfg: Stage2Config, r: Xorshift): Built {
  const pgt = new KvmPgtable(cfg);
  pgt.log.record = false;
  const g = pgt.geom;
  const page = 2 ** g.pageShift;
  const rootSize = 2 ** g.shifts[g.startLevel + 1];
  const roots = 2 ** (cfg.iaBits - g.shifts[g.startLevel + 1]);
  // Neighbouring regions (a range one off either way would take the other's IPAs), and one anywhere.
  const first = r.below(Math.max(1, roots - 2));
  const picked = new Set<number>([first, Math.min(first + 1, roots - 1), r.below(roots)]);
  const runs: number[][] = [];
  const open: number[] = [];
  for (const root of picked) {
    const run: number[] = [];
    for (let j = 0; j < 3; j++) {
      const n = 24 + r.below(40);
      const at = root * rootSize + r.below(rootSize / page - n) * page;
      const pa = (1 + r.below(2 ** Math.min(cfg.paBits - g.pageShift - 2, 20))) * page;
      const rwx = j === 0;
      if (pgt.map(at, n * page, pa, rwx ? PROT_R | PROT_W | PROT_X : r.pick(PROTS), 0) !== 0) continue;
      for (let i = 0; i < n; i++) run.push(at + i * page);
      if (rwx) for (let i = 0; i < n; i++) open.push(at + i * page);
    }
    if (run.length > 0) runs.push(run);
  }
  expect(pgt.store.flatten?.()).toBe(true);
  return { pgt, first, runs, open, rootSize };
}

/** Bursts of IPAs from the runs, back and forth, with unmapped and out-of-range IPAs between them. */
function walkInput(b: Built, cfg: Stage2Config, r: Xorshift, n: number): number[] {
  const page = 2 ** b.pgt.geom.pageShift;
  const out: number[] = [];
  // First groups whose every IPA any access may take (over every region, back and forth), then bursts and the rest.
  for (let i = 0; i < 6 * LANES; i++) out.push(b.open[r.below(b.open.length)] + r.below(page));
  while (out.length < n) {
    const u = r.below(20);
    if (u === 0) out.push(r.below(2 ** cfg.iaBits));
    else if (u === 2) {
      // The regions around the neighbours, at their edges and inside (mapped or not).
      const root = b.first - 1 + r.below(4);
      const at = root * b.rootSize + r.pick([0, page - 1, b.rootSize - 1, b.rootSize - page, r.below(b.rootSize)]);
      if (at >= 0 && at < 2 ** cfg.iaBits) out.push(at);
    } else if (u === 1) out.push(r.pick([2 ** cfg.iaBits, 2 ** cfg.iaBits + page, -page, Number.NaN, Infinity, 2 ** 53]));
    else {
      const run = r.pick(b.runs);
      const len = 1 + r.below(r.chance(0.5) ? 4 : 2 * LANES);
      for (let i = 0; i < len; i++) out.push(run[r.below(run.length)] + r.below(page));
    }
  }
  return out;
}

/** The complete walk's trace steps of `ipa`: [page, index] of each descriptor read. */
function descriptors(pgt: KvmPgtable, ipa: number): Array<[number, number]> {
  const w = new S2Walker(pgt, { ha: false, fast: false });
  w.tracing = true;
  try {
    w.translate(ipa, ACCESS_READ, 1);
  } catch {
    return []; // through a descriptor changed before, outside the store: leave this one
  }
  const out: Array<[number, number]> = [];
  for (let s = 0; s < w.traceLen; s++) out.push([w.trace[s * 5 + 1], w.trace[s * 5 + 2]]);
  return out;
}

/** Change one descriptor (low and high halves) in the store's memory; `next` the table page it names (or -1). */
function corrupt(pgt: KvmPgtable, where: [number, number], next: number, how: number, r: Xorshift): void {
  const store = pgt.store;
  const chunk = store.chunkOf(where[0]);
  const off = store.pageOffset(where[0]) + 2 * where[1];
  switch (how) {
    case 0:
      chunk[off] = 0; // invalid
      break;
    case 1:
      chunk[off] &= ~2; // a table turned block (a reserved type at the last level)
      break;
    case 2: {
      // The next table past the store's last page (a table), or elsewhere (a leaf); where the arena has room there,
      // with a copy of the table it named (memory the complete walk does not read: outside the store).
      const past = store.bump + r.below(4);
      const flat = store.flat;
      const words = 2 ** store.wordsShift;
      if (next >= 0 && flat !== null && flat !== undefined && (past + 1) * words <= flat.length)
        flat.copyWithin(past * words, next * words, (next + 1) * words);
      chunk[off] = (chunk[off] & (2 ** pgt.geom.pageShift - 1)) | ((store.pagePa(past) % 2 ** 32) & -(2 ** pgt.geom.pageShift));
      break;
    }
    case 3:
      chunk[off + 1] ^= 1 << r.below(20); // address bits 32..51
      break;
    case 4:
      chunk[off] &= ~S2_AF_LO; // AF clear
      break;
    case 5:
      chunk[off] &= ~(r.chance(0.5) ? S2AP_R_LO : S2AP_W_LO); // no read or no write
      break;
    default:
      chunk[off + 1] ^= r.pick([S2_XN_HI, 1 << 21, 1 << 22]); // XN (XN[1:0] with FEAT_XNX)
  }
}

type Outcome = bigint | null | string;

function completeOne(w: S2Walker, ipa: number, access: number, el: number): Outcome {
  try {
    return w.translate(ipa, access, el) === FAULT_NONE ? BigInt(w.pa) + BigInt(w.level) : null;
  } catch (e) {
    return `throws ${(e as Error).constructor.name}`;
  }
}

/** Σ over [from, to) of the complete walk's answers, or the first error in that order (translateBatchSum's order). */
function wantSum(want: readonly Outcome[], from: number, to: number): [number, bigint] | string {
  let faults = 0;
  let sum = 0n;
  for (let k = from; k < to; k++) {
    const v = want[k];
    if (typeof v === "string") return v;
    if (v === null) faults++;
    else sum += v;
  }
  return [faults, sum & M64];
}

function gotSum(w: S2Walker, input: Float64Array, from: number, to: number, access: number, el: number): [number, bigint] | string {
  const acc = new Float64Array(2);
  try {
    const faults = w.translateBatchSum(input, from, to, access, el, acc);
    return [faults, (BigInt(acc[1]) << 32n) + BigInt(acc[0])];
  } catch (e) {
    return `throws ${(e as Error).constructor.name}`;
  }
}

/** S2Walker's needLo() and forbidHi() (translate.ts). */
function needLo(access: number): number {
  return PTE_VALID_LO | S2_AF_LO | (access === ACCESS_READ ? S2AP_R_LO : access === ACCESS_WRITE ? S2AP_W_LO : 0);
}
function forbidHi(access: number, xnx: boolean): number {
  return access !== ACCESS_EXEC ? 0 : xnx ? 0x3 << 21 : S2_XN_HI;
}

function checkGeometry(granule: Granule, iaBits: number, paBits: number, lpa2: boolean, round: number): number {
  const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: round % 2 === 1, tlbRange: false };
  const r = xorshift64(SEED ^ BigInt(granule * 1000 + iaBits * 10 + round));
  const b = build(cfg, r);
  const { pgt } = b;
  const label = `${granule}/${iaBits}/${paBits}${lpa2 ? "/LPA2" : ""} round ${round}`;
  const ipas = walkInput(b, cfg, r, 40 * LANES);
  // Round 0: KVM's tables. Later rounds: descriptors changed at every level on the walks of a few IPAs (the
  // first of them the start level's), whole groups of lanes meeting them.
  if (round > 0) {
    const victims = [r.pick(b.runs)[0], ...Array.from({ length: 6 }, () => r.pick(ipas))];
    victims.forEach((ipa, i) => {
      const steps = descriptors(pgt, ipa);
      if (steps.length === 0) return;
      const level = i === 0 ? 0 : r.below(steps.length);
      const how = level < steps.length - 1 ? r.below(4) : r.below(7);
      corrupt(pgt, steps[level], level + 1 < steps.length ? steps[level + 1][0] : -1, how, r);
    });
  }
  const input = new Float64Array(ipas);
  let taken = 0;
  for (const xnx of [false, true]) {
    for (const access of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC]) {
      const ctx = `${label} access ${access} xnx ${xnx}`;
      const full = new S2Walker(pgt, { ha: false, xnx, fast: false });
      const fast = new S2Walker(pgt, { ha: false, xnx });
      const want = ipas.map((ipa) => completeOne(full, ipa, access, 1));
      expect(gotSum(fast, input, 0, input.length, access, 1), `${ctx}: whole`).toEqual(wantSum(want, 0, input.length));
      const span = 3 * LANES;
      for (let k = 0; k + span <= input.length; k += 5) {
        const got = gotSum(fast, input, k, k + span, access, 1);
        const exp = wantSum(want, k, k + span);
        if (
          JSON.stringify(got, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) !==
          JSON.stringify(exp, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))
        )
          expect(got, `${ctx}: window [${k}, ${k + span})`).toEqual(exp);
      }
      // The kernel itself: it stops at the first group with an IPA that is not a level-3 page allowing the access.
      const kernel = buildKernel(pgt);
      if (kernel === null || kernel.batchSumFlat === null) throw new Error("no kernel");
      const take = ipas.map((ipa, k) => typeof want[k] === "bigint" && full.translate(ipa, access, 1) === FAULT_NONE && full.level === 3);
      for (let from = 0; from + LANES <= ipas.length; from += LANES) {
        let stop = from;
        while (stop + LANES <= ipas.length && take.slice(stop, stop + LANES).every(Boolean)) stop += LANES;
        const acc = new Float64Array(2);
        const flat = pgt.store.flat;
        if (flat === undefined || flat === null) throw new Error("no flat arena");
        const got = kernel.batchSumFlat(flat, pgt.store.bump, input, from, ipas.length, needLo(access), forbidHi(access, xnx), acc);
        // KVM's tables: exactly there. Changed descriptors: never beyond (the kernel may leave a group it could take
        // to the complete walk, e.g. a table descriptor with address bits above the output size, which the
        // complete walk ignores and the kernel does not follow), at a group boundary.
        if (round === 0) expect(got, `${ctx}: stop from ${from}`).toBe(stop);
        else expect(got <= stop && (got - from) % LANES === 0, `${ctx}: stop ${got} from ${from}, at most ${stop}`).toBe(true);
        stop = got;
        let sum = 0n;
        for (let k = from; k < stop; k++) sum += want[k] as bigint;
        expect(((BigInt(acc[1]) << 32n) + BigInt(acc[0])) & M64, `${ctx}: sum from ${from}`).toBe(sum & M64);
        taken += (stop - from) / LANES;
      }
    }
  }
  return taken;
}

describe(`translateBatchSum's lean kernel: the root cache and the group-end checks against the complete walk (seed 0x${SEED.toString(16)})`, () => {
  it.each(GEOMETRIES)("%i granule, %i-bit IPA, %i-bit PA, LPA2 %s: KVM's tables, IPAs in bursts over a few root regions", (granule, iaBits, paBits, lpa2) => {
    expect(checkGeometry(granule, iaBits, paBits, lpa2, 0), `${granule}/${iaBits}: groups the lockstep kernel took`).toBeGreaterThan(0);
  });

  it.each(GEOMETRIES)(
    "%i granule, %i-bit IPA, %i-bit PA, LPA2 %s: descriptors changed at every level, the start level's first",
    (granule, iaBits, paBits, lpa2) => {
      for (let round = 1; round <= 4; round++) checkGeometry(granule, iaBits, paBits, lpa2, round);
    },
  );
});

// The clean-page scan: once the page the cached root descriptor names has served its entries / LANES groups in a
// row, it is scanned once, and while it stays the cached page its table descriptors' high halves are not read. Long
// runs of groups in one root region, then IPAs through an entry of that page whose high half was changed before the
// call (the scan must find it), and IPAs of another region between (the cache leaves the page and comes back).
function checkScan(granule: Granule, iaBits: number, paBits: number, lpa2: boolean, dirty: number): void {
  const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: false, tlbRange: false };
  const r = xorshift64(SEED ^ BigInt(granule * 7 + iaBits * 131 + dirty));
  const pgt = new KvmPgtable(cfg);
  pgt.log.record = false;
  const g = pgt.geom;
  const page = 2 ** g.pageShift;
  const rootSize = 2 ** g.shifts[g.startLevel + 1];
  const midSize = 2 ** g.shifts[g.startLevel + 2];
  const root = r.below(2 ** (iaBits - g.shifts[g.startLevel + 1]) - 1);
  // Three runs under three entries of the page the root descriptor names, and one run in the next root region.
  const entries = new Set<number>();
  while (entries.size < 3) entries.add(r.below(rootSize / midSize));
  const runs: number[][] = [];
  for (const e of [...entries, -1]) {
    const at = e < 0 ? (root + 1) * rootSize + r.below(rootSize / page - 64) * page : root * rootSize + e * midSize + r.below(midSize / page - 64) * page;
    expect(pgt.map(at, 64 * page, (1 + r.below(1 << 12)) * 64 * page, PROT_R | PROT_W | PROT_X, 0)).toBe(0);
    runs.push(Array.from({ length: 64 }, (_, i) => at + i * page));
  }
  expect(pgt.store.flatten?.()).toBe(true);
  // The entry of the third run: its high half changed (dirty 1: one bit of the address window; 2: every entry of the
  // page that is not a table gets a high half the store does not have, which changes nothing a walk reads).
  const steps = descriptors(pgt, runs[2][0]);
  const [tablePage, tableIndex] = steps[1];
  const chunk = pgt.store.chunkOf(tablePage);
  const off = pgt.store.pageOffset(tablePage);
  if (dirty === 1) chunk[off + 2 * tableIndex + 1] ^= 1 << r.below(32 - g.pageShift);
  if (dirty === 2) for (let i = 0; i < pgt.ptrsPerPte; i++) if ((chunk[off + 2 * i] & 3) !== 3) chunk[off + 2 * i + 1] = 0x12345;
  const groups = Math.ceil(pgt.ptrsPerPte / LANES) + 24;
  const ipas: number[] = [];
  for (let i = 0; i < groups * LANES; i++) ipas.push(r.pick(runs.slice(0, 2))[r.below(64)] + r.below(page));
  // Then the third run and the next region, in bursts.
  for (let i = 0; i < 16 * LANES; i++) {
    const run = i % 40 < 30 ? r.pick(runs.slice(0, 3)) : runs[3];
    ipas.push(run[r.below(64)] + r.below(page));
  }
  const input = new Float64Array(ipas);
  for (const [access, xnx] of [
    [ACCESS_READ, false],
    [ACCESS_WRITE, false],
    [ACCESS_EXEC, true],
  ] as Array<[number, boolean]>) {
    const ctx = `${granule}/${iaBits}/${paBits} dirty ${dirty} access ${access}`;
    const full = new S2Walker(pgt, { ha: false, xnx, fast: false });
    const want = ipas.map((ipa) => completeOne(full, ipa, access, 1));
    const fast = new S2Walker(pgt, { ha: false, xnx });
    expect(gotSum(fast, input, 0, input.length, access, 1), `${ctx}: whole`).toEqual(wantSum(want, 0, input.length));
    for (let k = 0; k + 4 * LANES <= input.length; k += 3 * LANES + 5) {
      expect(gotSum(fast, input, k, input.length, access, 1), `${ctx}: from ${k}`).toEqual(wantSum(want, k, input.length));
    }
    if (dirty !== 1) {
      // Every IPA translates: the kernel takes every group.
      const kernel = buildKernel(pgt);
      const flat = pgt.store.flat;
      if (kernel === null || kernel.batchSumFlat === null || flat === undefined || flat === null) throw new Error("no kernel");
      const n = input.length - (input.length % LANES);
      expect(kernel.batchSumFlat(flat, pgt.store.bump, input, 0, n, needLo(access), forbidHi(access, xnx), new Float64Array(2)), ctx).toBe(n);
    }
  }
}

describe(`translateBatchSum's lean kernel: the clean-page scan against the complete walk (seed 0x${SEED.toString(16)})`, () => {
  it.each(GEOMETRIES.filter(([granule, iaBits]) => !(granule === 4096 && iaBits === 32) && !(granule === 16384 && iaBits === 36)))(
    "%i granule, %i-bit IPA, %i-bit PA, LPA2 %s: clean, a walked entry's high half changed, other entries' high halves changed",
    (granule, iaBits, paBits, lpa2) => {
      for (const dirty of [0, 1, 2]) checkScan(granule, iaBits, paBits, lpa2, dirty);
    },
  );
});
