// Property: the table store's flat arena (TableStore.flatten(), which the
// batch walks ask for) changes where the words live, never what they are:
//   - a table whose store is made flat at random points (by the batch walks
//     and by flatten() itself) between random operations ends every operation
//     as a twin that is never made flat: same return values, same table
//     memory and refcounts (tablesDiffer, chunk by chunk), same events;
//   - while it is flat, every chunk below flatPages is a view of `flat` and
//     holds the same words at page << wordsShift; bytes() counts each buffer
//     once (the flat arena and the chunks that are not views of it);
//   - the batch walks over the flat arena (GetLeafBatch sumFlat / intoFlat,
//     the walker's batchFlat / batchSumFlat) and over the chunks (when
//     flatten() declines: pages taken since, fewer than an eighth of the
//     store) answer exactly as one getLeafFast() / complete walk at a time;
//   - a store hook's batch walk in the middle of an operation leaves the
//     arena as it is (the operation holds chunks), and the operation exact,
//     rolled back or not; a hook of the hardware's AF update may make the
//     arena flat, and the update lands in it;
//   - the one-page map's cached last-level table follows the chunks when
//     they move.
// Deterministic: xorshift64 from a fixed seed, printed in the test names.
import { describe, expect, it } from "vitest";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { GetLeafBatch } from "../../src/pgtable/getleaf.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import type { TableStore } from "../../src/pgtable/storage.js";
import { tablesDiffer } from "../../src/reliability/checked.js";
import { ACCESS_READ, FAULT_NONE } from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import { xorshift64 } from "./xorshift.js";

const SEED = 0xf1a7a4e9a0000001n;
const M64 = (1n << 64n) - 1n;

const rng = xorshift64;

const GIB = 2 ** 30;
const CFGS: Stage2Config[] = [
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false },
  { granule: 16384, iaBits: 47, paBits: 48, lpa2: false, fwb: true, tlbRange: false },
  { granule: 65536, iaBits: 52, paBits: 52, lpa2: false, fwb: false, tlbRange: true },
];

type Op = (t: KvmPgtable) => unknown;

/** A random operation over 4 GiB from 1 GiB: page runs scattered over many last-level tables (so many chunks), blocks, unmaps. */
function randomOp(r: ReturnType<typeof rng>, cfg: Stage2Config): Op {
  const page = cfg.granule;
  const region = page * (page / 8); // what one last-level table maps
  const ipa = GIB + r.below((4 * GIB) / region) * region + r.below(page / 8 - 8) * page;
  const n = 1 + r.below(6);
  const prot = [PROT_R | PROT_W, PROT_R, PROT_R | PROT_W | PROT_X][r.below(3)];
  const pa = 0x80000000 + r.below(1 << 16) * page;
  const regions = region * (1 + r.below(8));
  const blocks = GIB + r.below(8) * region * 4;
  switch (r.below(8)) {
    case 0:
      return (t) => t.unmap(ipa, regions);
    case 1:
      return (t) => t.wrprotect(GIB, GIB);
    case 2:
      return (t) => t.map(blocks, region * 2, 0x80000000, prot, 0);
    default:
      return (t) => t.map(ipa, n * page, pa, prot, 0);
  }
}

/** The flat arena's invariants on a store. */
function checkFlat(s: TableStore, label: string): void {
  expect(s.flatPages >= 0 && s.flat.length >= s.flatPages << s.wordsShift, label).toBe(true);
  const buffers = new Set<ArrayBufferLike>([s.refcount.buffer]);
  let bytes = s.refcount.byteLength;
  const wrong: string[] = [];
  for (let page = 0; page < Math.min(s.bump, s.flatPages); page++) {
    const c = s.chunkOf(page);
    if (c.buffer !== s.flat.buffer) wrong.push(`page ${page}'s chunk is not a view of the flat arena`);
    const at = page << s.wordsShift;
    const off = s.pageOffset(page);
    for (let w = 0; w < s.wordsPerPage; w++) if (c[off + w] !== s.flat[at + w]) wrong.push(`page ${page} word ${w}`);
  }
  expect(wrong, label).toEqual([]);
  for (const c of s.chunks) {
    if (!buffers.has(c.buffer)) bytes += c.buffer.byteLength;
    buffers.add(c.buffer);
  }
  // bytes() adds the free stack (its own buffer) to the distinct buffers of the arena.
  const free = s.bytes() - bytes;
  expect(free >= 0 && free <= s.refcount.byteLength, `${label}: bytes() ${s.bytes()} against ${bytes} of arena and counts`).toBe(true);
}

/** Each table's batch get_leaf and walkers, made once (they stay valid as the table changes). */
const walkers = new WeakMap<KvmPgtable, { b: GetLeafBatch; full: S2Walker; fast: S2Walker }>();

/** Walk `ipas` with the batch get_leaf and the walker's batches; compare with one call at a time. */
function checkWalks(t: KvmPgtable, ipas: Float64Array, label: string): void {
  let w = walkers.get(t);
  if (w === undefined) {
    w = { b: new GetLeafBatch(t), full: new S2Walker(t, { ha: false, fast: false }), fast: new S2Walker(t, { ha: false }) };
    walkers.set(t, w);
  }
  const { b, full, fast } = w;
  const want: number[] = [];
  let sum = 0n;
  for (const ipa of ipas) {
    const r = t.getLeafFast(ipa);
    want.push(r === 0 ? t.leafLo : 0, r === 0 ? t.leafHi : 0, r === 0 ? t.leafLevel : r);
    if (r === 0) sum += (BigInt(t.leafHi) << 32n) + BigInt(t.leafLo) + BigInt(t.leafLevel);
  }
  const lo = new Uint32Array(ipas.length);
  const hi = new Uint32Array(ipas.length);
  const lv = new Int32Array(ipas.length);
  b.leaves(ipas, 0, ipas.length, lo, hi, lv);
  const got: number[] = [];
  for (let k = 0; k < ipas.length; k++) got.push(lo[k], hi[k], lv[k]);
  expect(got, `${label}: GetLeafBatch.leaves`).toEqual(want);
  const acc = new Float64Array(2);
  b.checksum(ipas, 0, ipas.length, acc);
  expect((BigInt(acc[1]) << 32n) + BigInt(acc[0]), `${label}: GetLeafBatch.checksum`).toBe(sum & M64);
  // The walker (HA off: nothing written) against its complete walk.
  const wantPa: number[] = [];
  let wantSum = 0n;
  for (const ipa of ipas) {
    const f = full.translate(ipa, ACCESS_READ, 1);
    wantPa.push(f === FAULT_NONE ? full.pa : -1);
    if (f === FAULT_NONE) wantSum += BigInt(full.pa) + BigInt(full.level);
  }
  const outPa = new Float64Array(ipas.length);
  fast.translateBatch(ipas, ipas.length, ACCESS_READ, 1, outPa, new Int32Array(ipas.length));
  expect(Array.from(outPa), `${label}: translateBatch`).toEqual(wantPa);
  const acc2 = new Float64Array(2);
  fast.translateBatchSum(ipas, 0, ipas.length, ACCESS_READ, 1, acc2);
  expect((BigInt(acc2[1]) << 32n) + BigInt(acc2[0]), `${label}: translateBatchSum`).toBe(wantSum & M64);
}

/** IPAs over the mapped pages of the window (whole lockstep groups of hits) and around them. */
function probes(t: KvmPgtable, r: ReturnType<typeof rng>, cfg: Stage2Config): Float64Array {
  const mapped: number[] = [];
  for (let i = 0; i < 4000 && mapped.length < 200; i++) {
    const ipa = GIB + r.below((4 * GIB) / cfg.granule) * cfg.granule;
    if (t.getLeafFast(ipa) === 0 && t.leafLevel === 3 && (t.leafLo & 1) === 1) mapped.push(ipa);
  }
  const out: number[] = [];
  for (let k = 0; k < 320; k++)
    out.push(mapped.length > 0 && k % 5 !== 4 ? mapped[r.below(mapped.length)] : GIB + r.below((4 * GIB) / cfg.granule) * cfg.granule);
  return new Float64Array(out);
}

describe(`the table store's flat arena (seed 0x${SEED.toString(16)})`, () => {
  it.each(CFGS)("random operations with the store made flat at random points end as a twin never made flat ($granule granule)", (cfg) => {
    const r = rng(SEED ^ BigInt(cfg.granule));
    for (let round = 0; round < 3; round++) {
      const t = new KvmPgtable(cfg);
      const twin = new KvmPgtable(cfg);
      let flattened = 0;
      let declined = 0;
      let chunkWalks = 0;
      for (let i = 0; i < 200; i++) {
        const op = randomOp(r, cfg);
        const label = `${cfg.granule} round ${round} op ${i}`;
        expect(op(t), label).toEqual(op(twin));
        if (r.below(6) === 0) {
          // A batch walk (which asks for the flat arena), or flatten() itself.
          const before = t.store.flatPages >= t.store.bump;
          const flat = r.below(3) === 0 ? t.store.flatten() : (checkWalks(t, probes(t, r, cfg), label), t.store.flatPages >= t.store.bump);
          if (flat && !before) flattened++;
          if (!flat) declined++;
          checkFlat(t.store, label);
        }
        if (t.store.flatPages > 0 && t.store.flatPages < t.store.bump && (t.store.bump - t.store.flatPages) * 8 < t.store.bump && r.below(3) === 0) {
          // Pages taken since the arena was made flat, too few to copy: the walks read the chunks.
          checkWalks(t, probes(t, r, cfg), `${label}: chunk walks`);
          expect(t.store.flatPages, label).toBeLessThan(t.store.bump);
          chunkWalks++;
        }
      }
      expect(tablesDiffer(t, twin, 0, Infinity, true), `${cfg.granule} round ${round}`).toBeNull();
      expect(tablesDiffer(t, twin, 0, Infinity, false), `${cfg.granule} round ${round}: the tree`).toBeNull();
      expect(t.log.toJson(), `${cfg.granule} round ${round}: events`).toEqual(twin.log.toJson());
      expect(flattened, `${cfg.granule} round ${round}: the store was made flat`).toBeGreaterThan(0);
      if (cfg.granule === 4096) expect(t.store.chunks.length, "several chunks").toBeGreaterThan(1);
      expect(declined + chunkWalks + flattened, `${cfg.granule} round ${round}`).toBeGreaterThan(0);
    }
  });

  it("walks over pages taken since the arena was made flat read the chunks, and agree", () => {
    const cfg = CFGS[0];
    const r = rng(SEED ^ 0x77n);
    const t = new KvmPgtable(cfg);
    t.log.record = false;
    // 300 last-level tables (5 chunks), made flat by a batch walk.
    for (let i = 0; i < 300; i++) expect(t.map(GIB + i * 0x200000, 4096 * 16, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    checkWalks(t, probes(t, r, cfg), "flat");
    expect(t.store.flatPages).toBeGreaterThanOrEqual(t.store.bump);
    const flatPages = t.store.flatPages;
    // Tables up to ten pages beyond the arena (fewer than an eighth of the store): the walks read the chunks for those.
    let i = 300;
    for (; t.store.bump < flatPages + 10; i++) expect(t.map(GIB + i * 0x200000, 4096 * 16, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    expect(t.store.flatPages).toBe(flatPages);
    checkWalks(t, probes(t, r, cfg), "chunks");
    expect(t.store.flatPages).toBe(flatPages);
    checkFlat(t.store, "chunks");
    // Many more: the next walk copies them in.
    for (i = 320; i < 420; i++) expect(t.map(GIB + i * 0x200000, 4096 * 16, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    checkWalks(t, probes(t, r, cfg), "flat again");
    expect(t.store.flatPages).toBeGreaterThanOrEqual(t.store.bump);
    checkFlat(t.store, "flat again");
    // The flat arena holds as many bytes as the chunks did: the store's bytes do not change.
    expect(t.store.flat.byteLength).toBe(t.store.chunks.length * 256 * 1024);
    for (i = 420; i < 560; i++) expect(t.map(GIB + i * 0x200000, 4096 * 16, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    const before = t.store.bytes();
    expect(t.store.flatten()).toBe(true);
    expect(t.store.bytes()).toBe(before);
  });

  it("the one-page map's cached last-level table follows the arena when it is made flat", () => {
    const cfg = CFGS[0];
    const t = new KvmPgtable(cfg);
    const twin = new KvmPgtable(cfg);
    for (let i = 0; i < 200; i++) {
      const ipa = GIB + i * 0x200000;
      expect(t.map(ipa, 4096, 0x80000000, PROT_R, 0)).toBe(twin.map(ipa, 4096, 0x80000000, PROT_R, 0));
      // The batch walk makes the store flat (the chunks move) between two maps into one last-level table.
      if (i % 50 === 49) checkWalks(t, new Float64Array([ipa, GIB]), `after ${i + 1} tables`);
      expect(t.map(ipa + 4096, 4096, 0x80001000, PROT_R, 0)).toBe(twin.map(ipa + 4096, 4096, 0x80001000, PROT_R, 0));
    }
    expect(t.store.flatPages).toBeGreaterThan(0);
    expect(tablesDiffer(t, twin, 0, Infinity, true)).toBeNull();
    expect(t.log.toJson()).toEqual(twin.log.toJson());
  });

  it("a hardware AF update whose store hook makes the arena flat lands in the flat arena", () => {
    const cfg = CFGS[0];
    const make = (): KvmPgtable => {
      const t = new KvmPgtable(cfg);
      t.log.record = false;
      // 200 last-level tables (several chunks, never made flat), every leaf with AF clear (test_clear_young).
      for (let i = 0; i < 200; i++) expect(t.map(GIB + i * 0x200000, 4096 * 4, 0x80000000 + i * 0x4000, PROT_R | PROT_W, 0)).toBe(0);
      t.testClearYoung(GIB, 200 * 0x200000, true);
      return t;
    };
    const t = make();
    const twin = make();
    expect(t.store.flatPages).toBe(0);
    const batch = new GetLeafBatch(t);
    let hooks = 0;
    t.storeHook = () => {
      // The hook's own batch walk: the first one copies the arena (the walk in progress holds a chunk).
      hooks++;
      batch.checksum(new Float64Array([GIB, GIB + 0x200000]), 0, 2, new Float64Array(2));
    };
    const w = new S2Walker(t, { ha: true, fast: false });
    const w2 = new S2Walker(twin, { ha: true, fast: false });
    for (let i = 0; i < 200; i += 7) {
      const ipa = GIB + i * 0x200000 + 4096 * (i % 4);
      expect(w.translate(ipa, ACCESS_READ, 1), `ipa ${ipa}`).toBe(w2.translate(ipa, ACCESS_READ, 1));
      expect(w.hwUpdate).toBe(w2.hwUpdate);
    }
    t.storeHook = null;
    expect(hooks).toBeGreaterThan(0);
    expect(t.store.flatPages).toBeGreaterThanOrEqual(t.store.bump);
    expect(tablesDiffer(t, twin, 0, Infinity, true)).toBeNull();
    checkWalks(
      t,
      new Float64Array(64).map((_, k) => GIB + k * 0x200000),
      "after the AF updates",
    );
  });

  it("a one-chunk store is flat as it is, until its chunk grows", () => {
    const t = new KvmPgtable(CFGS[0]);
    expect(t.store.flatten()).toBe(true);
    expect(t.store.flat).toBe(t.store.chunks[0]);
    expect(t.map(GIB, 4096, 0x80000000, PROT_R, 0)).toBe(0); // two new tables: the chunk doubles
    expect(t.store.flatPages).toBe(0);
    checkWalks(t, new Float64Array([GIB, GIB + 4096, 0, 2 * GIB]), "one chunk");
    expect(t.store.flat).toBe(t.store.chunks[0]);
  });

  it("a store hook's batch walk mid-operation leaves the arena as it is, and the operation exact", () => {
    const cfg = CFGS[0];
    const r = rng(SEED ^ 0x99n);
    for (const mayThrow of [false, true]) {
      const t = new KvmPgtable(cfg);
      const twin = new KvmPgtable(cfg);
      for (let i = 0; i < 100; i++) {
        expect(t.map(GIB + i * 0x200000, 4096, 0x80000000, PROT_R, 0)).toBe(0);
        expect(twin.map(GIB + i * 0x200000, 4096, 0x80000000, PROT_R, 0)).toBe(0);
      }
      const batch = new GetLeafBatch(t);
      const walker = new S2Walker(t, { ha: false });
      const ipas = new Float64Array(64).map((_, k) => GIB + k * 0x200000);
      let calls = 0;
      let moved = 0;
      let aborted = 0;
      t.hookMayThrow = mayThrow;
      t.storeHook = () => {
        calls++;
        const gen = t.store.chunkGen;
        const flatPages = t.store.flatPages;
        const acc = new Float64Array(2);
        batch.checksum(ipas, 0, ipas.length, acc);
        walker.translateBatchSum(ipas, 0, ipas.length, ACCESS_READ, 1, acc);
        if (t.store.chunkGen !== gen || t.store.flatPages !== flatPages) moved++;
        if (mayThrow && calls % 7 === 0) throw new Error("abort");
      };
      for (let i = 0; i < 60; i++) {
        const ipa = GIB + (100 + r.below(300)) * 0x200000 + r.below(500) * 4096;
        const size = 4096 * (1 + r.below(3));
        let a: number | string;
        try {
          a = t.map(ipa, size, 0x80000000, PROT_R | PROT_W, 0);
        } catch (e) {
          a = (e as Error).message;
        }
        if (a === "abort") {
          aborted++; // rolled back: the twin does not run it
          continue;
        }
        expect(a, `op ${i}`).toBe(twin.map(ipa, size, 0x80000000, PROT_R | PROT_W, 0));
      }
      t.storeHook = null;
      expect(calls).toBeGreaterThan(0);
      expect(moved, "the arena never moved under an operation").toBe(0);
      if (mayThrow) expect(aborted).toBeGreaterThan(0);
      expect(tablesDiffer(t, twin, 0, Infinity, true), `hook may throw ${mayThrow}`).toBeNull();
      expect(tablesDiffer(t, twin, 0, Infinity, false), `hook may throw ${mayThrow}: the tree`).toBeNull();
      // Out of the operation, the next batch walk makes it flat, and the walks agree.
      checkWalks(t, ipas, "after the hooked operations");
      expect(t.store.flatPages).toBeGreaterThanOrEqual(t.store.bump);
      checkWalks(t, ipas, "flat");
    }
  });
});
