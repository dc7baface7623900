/**
 * The six benchmark workloads of ../shared/bench/README.md, with the
 * definitions of ../shared/bench/sol.c (the C speed-of-light baseline): same
 * names, same inputs, same set-up / timed part / verification split, same
 * units. Everything goes through s2pt's public KvmPgtable API, with the model
 * doing all of its real work: refcounts (get_page/put_page), the kernel's
 * break-before-make (the LOCKED marker, then the new entry), and every
 * maintenance event recorded in the MaintenanceLog as the kernel issues it.
 *
 *   name               set-up (untimed)            timed                               unit
 *   map4k_1g           fresh table                 262,144 one-page maps               per 4K page
 *   unmap_1g           fresh table + 1G of 4K      one unmap of the 1 GiB              per 4K page
 *   map_block_64g      512 fresh tables            one 64 GiB map into each            per 1G block
 *   walk_random_1m     fresh table + 1G of 4K      1,000,000 get_leaf, random pages    per walk
 *   wrprotect_1g       fresh table + 1G of 4K      one wrprotect of the 1 GiB          per 4K page
 *   map4k_scatter_64k  fresh table                 65,536 one-page maps, random IPAs   per call
 *
 * "Fresh table": every entry zero, the root pages' counts 1, no other table
 * page in use, an empty log. A workload builds its KvmPgtable once and
 * returns it to that state before each run by unmapping the whole IPA space
 * (untimed; checked). The table's store keeps its arena, so no timed run
 * pays for arena growth or first-touch page faults: sol.c does the same (its
 * page pool is allocated and touched before any timing), and so does the
 * kernel, whose memory cache is topped up before the walk that takes pages
 * from it.
 *
 * The timed functions are named timed_<workload> so that CPU profiles name
 * them (bench/profile-summary.ts).
 *
 * Where the model's events differ from sol.c's counters (sol.c counts TLBIs
 * and CMOs its own way; the checks here follow the kernel, pgtable.c 6.18.25):
 *   - With FWB, pgtable.c still calls mm_ops->dcache_clean_inval_poc for every
 *     new Normal leaf (stage2_map_walker_try_leaf; the host's callback is what
 *     skips the clean under FWB), so the model records one dcache event per
 *     mapped leaf with and without FWB; sol.c counts none with FWB. On unmap
 *     both skip the clean under FWB (stage2_unmap_walker checks FWB itself).
 *   - Installing a table or a leaf over an empty entry issues no TLBI in either
 *     (stage2_try_break_pte invalidates only a valid old entry), but the model
 *     stores KVM_INVALID_PTE_LOCKED first and the new entry second, as the
 *     kernel does; sol.c stores once.
 *   - unmap: one tlbi_ipa per cleared leaf (level 3 hint) and one per freed
 *     table (TLBI_TTL_UNKNOWN), as sol.c counts (262,144 + 512 + 1 here);
 *     the model also records each one's address and level, checked below.
 */

import { PROT_R, PROT_W, TLBI_TTL_UNKNOWN } from "../src/pgtable/descriptor.js";
import { EV_TLBI_IPA, type MaintenanceLog } from "../src/pgtable/events.js";
import type { Stage2Config } from "../src/pgtable/geometry.js";
import { GetLeafBatch } from "../src/pgtable/getleaf.js";
import { KvmPgtable } from "../src/pgtable/pgtable.js";
import { ACCESS_READ } from "../src/walker/fault.js";
import { S2Walker } from "../src/walker/translate.js";
import { BASE_IPA, BASE_PA, N4K, N_SCAT, N_WALK, PAGE_SIZE, scatterInputs, walkInputs, type ScatterInputs, type WalkInputs } from "./inputs.js";
import { freePagesInBumpOrder } from "./bump-order.js";
import { D_S2AP_W, D_TABLE, checkEvents, checkInvalid, checkLeaf, checkTables, fail, pageRw, template, type Template } from "./verify.js";

export const WORKLOAD_NAMES = [
  "map4k_1g",
  "unmap_1g",
  "map_block_64g",
  "walk_random_1m",
  "wrprotect_1g",
  "map4k_scatter_64k",
  "walk_random_1m_hw",
  "walk_random_1m_get_leaf",
] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

const PROT_RW = PROT_R | PROT_W;
const GIB = 2 ** 30;
/** map_block_64g: 64 GiB at IPA = PA = 64 GiB, into each of 512 fresh tables. */
const BLK_IPA = 0x1000000000;
const BLK_SIZE = 64 * GIB;
const BLK_BATCH = 512;
/**
 * map_block_64g's rounds per timed run. One round (sol.c's timed run: 512
 * tables x 64 blocks) takes 0.1-0.2 ms in sol.c and 0.15-0.3 ms here: single
 * rounds spread 2x on either side on this machine, and the model's map path,
 * called only 512 times a round, was still being compiled by V8 (TurboFan,
 * synchronously under --single-threaded) inside the first timed runs after 6
 * warm-ups: 1.1 ms in one run, 8x its median. 16 rounds a run (and so 96
 * rounds of warm-up) time 2.5-5 ms a run on each side.
 */
const BLK_ROUNDS = 16;
/** The 4K-page table of 1 GiB at 1 GiB: 2 root pages + 1 level-2 table + 512 level-3 tables. */
const TABLES_1G = 2 + 1 + 512;

/** sol.c's configuration: 4K granule, 40-bit IPA (start level 1, 2 root pages), 48-bit PA, no FEAT_TLBIRANGE. */
export function benchConfig(fwb: boolean): Stage2Config {
  return { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb, tlbRange: false };
}

export interface BenchContext {
  fwb: boolean;
  /** One log for every table, reused so that its capacity is never regrown in a timed run. */
  log: MaintenanceLog;
}

export interface Workload {
  readonly name: WorkloadName;
  readonly unit: string;
  /** Elapsed time / units = the reported figure (units of one round). */
  readonly units: number;
  /**
   * Rounds per timed run: a timed run is `rounds` times (set-up, timed part,
   * check), each round paired with a sol.c run made just before it, and its
   * figure is the rounds' timed parts summed over their units summed. 1 but
   * for map_block_64g, whose timed part (0.1-0.3 ms) is too short to time
   * alone (see BLK_ROUNDS).
   */
  readonly rounds: number;
  /** The sol.c workload each timed run is paired with (null: an s2pt-only row). */
  readonly sol: string | null;
  /** Table pages the kernel would hold at the workload's peak (its memory yardstick). */
  readonly kernelTablePages: number;
  /** Typed-array bytes of the workload's table stores (store.bytes(), summed over its tables). */
  tableBytes(): number;
  /** Untimed set-up of one run. */
  setup(): void;
  /** The timed part. */
  run(): void;
  /**
   * Untimed, right before the timed part (after the set-up's full GC): read
   * the workload's table memory once, as sol.c's set-up leaves its page pool
   * just written (pool_reset()'s memset) when its timed part starts, and
   * each table's own state (the KvmPgtable, its store and their typed
   * arrays, read by one get_leaf), as sol.c's set-up leaves its struct pgt
   * just written (pgt_init()).
   */
  touch(): void;
  /** Untimed verification of the run just timed (throws BenchCheckError). */
  check(): void;
  /** Drop the workload's tables. */
  release(): void;
}

/** A KvmPgtable reused across runs, returned to the fresh state by fresh(). */
class TableSlot {
  private readonly ctx: BenchContext;
  pgt: KvmPgtable | null = null;

  constructor(ctx: BenchContext) {
    this.ctx = ctx;
  }

  fresh(): KvmPgtable {
    let p = this.pgt;
    if (p === null) {
      p = new KvmPgtable(benchConfig(this.ctx.fwb), {}, this.ctx.log);
      this.pgt = p;
    } else {
      const r = p.unmap(0, p.iaLimit);
      if (r !== 0) fail(`set-up: unmap of the whole IPA space returned ${r}`);
    }
    this.ctx.log.clear();
    checkTables(p, p.geom.pgdPages, "fresh table");
    // As sol.c after pool_reset(): the next table pages come in ascending order.
    freePagesInBumpOrder(p.store);
    return p;
  }

  bytes(): number {
    return this.pgt === null ? 0 : this.pgt.store.bytes();
  }

  touch(): void {
    if (this.pgt !== null) {
      touchChunks(this.pgt.store.chunks);
      touchState(this.pgt);
    }
  }
}

/** What touchChunks() read (kept, so that the reads are not optimised away). */
export let touched = 0;

/** Read every word of a table store's arena. */
function touchChunks(chunks: readonly Int32Array[]): void {
  let x = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i += 16) x ^= c[i];
  touched ^= x;
}

/**
 * Read a table's own state: every field of the KvmPgtable and of its store
 * (the first word of each typed array among them), then one get_leaf at
 * IPA 0 (the root page).
 */
function touchState(p: KvmPgtable): void {
  let x = 0;
  for (const o of [p, p.store]) {
    for (const v of Object.values(o)) {
      if (v instanceof Int32Array || v instanceof Float64Array || v instanceof Uint32Array) x ^= v.length === 0 ? 0 : v[0];
      else if (typeof v === "number") x ^= v;
    }
  }
  p.getLeafFast(0);
  touched ^= x ^ p.leafLo;
}

/**
 * The timed loops are split into batches, each a call of a small helper (512
 * maps, 4096 walks), so that V8 optimises the helpers as whole functions and
 * every run executes them so from its first iteration. One long loop per run
 * would instead run on on-stack-replacement code entered anew in every run,
 * its first iterations in a lower tier that boxes the address arguments. A
 * helper call per 512 map calls costs nothing measurable.
 */
const BATCH_MAP = 512;
const BATCH_WALK = 4096;
const BATCH_BLOCK = 32;

/** `n` one-page maps, IPA ipa0 + i * 4K -> PA pa0 + i * 4K, R|W. */
export function mapPages(p: KvmPgtable, ipa0: number, pa0: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const r = p.map(ipa0 + i * PAGE_SIZE, PAGE_SIZE, pa0 + i * PAGE_SIZE, PROT_RW, 0);
    if (r !== 0) fail(`map(0x${(ipa0 + i * PAGE_SIZE).toString(16)}) returned ${r}`);
  }
}

/** map_block_64g: one 64 GiB map at IPA = PA = 64 GiB into each of tables[from, to). */
function mapBlocks(tables: readonly KvmPgtable[], from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const r = tables[k].map(BLK_IPA, BLK_SIZE, BLK_IPA, PROT_RW, 0);
    if (r !== 0) fail(`map_block_64g: map of table ${k} returned ${r}`);
  }
}

/** sol.c map4k_1g_calls(): 1 GiB of 4K pages, one map call each. */
function map4k1g(p: KvmPgtable): void {
  for (let b = 0; b < N4K; b += BATCH_MAP) mapPages(p, BASE_IPA + b * PAGE_SIZE, BASE_PA + b * PAGE_SIZE, BATCH_MAP);
}

/** Scatter maps [from, to): the k-th maps PA BASE_PA + k * 4K at ipas[k]. */
function mapScatter(p: KvmPgtable, ipas: Float64Array, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    const r = p.map(ipas[k], PAGE_SIZE, BASE_PA + k * PAGE_SIZE, PROT_RW, 0);
    if (r !== 0) fail(`map(0x${ipas[k].toString(16)}) returned ${r}`);
  }
}

/**
 * Walks [from, to) one GetLeafBatch.leafAt() call each (the descriptor's
 * halves read back from the batch's leafLo and leafHi), adding descriptor +
 * level into acc as walkBatch does (a failed walk's negative code would
 * spoil the checksum, which the check compares).
 */
function leafCalls(b: GetLeafBatch, ipas: Float64Array, from: number, to: number, acc: Float64Array): void {
  let lo = 0;
  let hi = 0;
  // from | 0: an int32 counter, as a loop from a literal 0 has (a counter started from a parameter stays a
  // tagged small integer in V8, about 6 instructions a walk of the harness's own, issue 20 part 7).
  for (let k = from | 0; k < to; k++) {
    const level = b.leafAt(ipas[k]);
    lo += b.leafLo + level;
    hi += b.leafHi;
  }
  acc[0] += lo;
  acc[1] += hi;
}

/** sol.c check_1g(): every page maps, at level 3, to its PA with descriptor `t`; 515 table pages. */
function check1g(p: KvmPgtable, t: Template, what: string): void {
  for (let i = 0; i < N4K; i++) checkLeaf(p, BASE_IPA + i * PAGE_SIZE, t, BASE_PA + i * PAGE_SIZE, 3);
  checkTables(p, TABLES_1G, what);
}

function need(p: KvmPgtable | null): KvmPgtable {
  if (p === null) throw new Error("benchmark run before its set-up");
  return p;
}

function map4k1gWorkload(ctx: BenchContext): Workload {
  const slot = new TableSlot(ctx);
  const page = template(pageRw(ctx.fwb));
  return {
    name: "map4k_1g",
    sol: "map4k_1g",
    kernelTablePages: TABLES_1G,
    tableBytes: () => slot.bytes(),
    touch: () => slot.touch(),
    unit: "per 4K page",
    units: N4K,
    rounds: 1,
    setup() {
      slot.fresh();
    },
    run: function timed_map4k_1g() {
      map4k1g(need(slot.pgt));
    },
    check() {
      const p = need(slot.pgt);
      check1g(p, page, "map4k_1g");
      // One dcache per new Normal leaf (with FWB too: see the header); no TLBI.
      checkEvents(ctx.log, { dcache: N4K }, "map4k_1g");
    },
    release() {
      slot.pgt = null;
    },
  };
}

function unmap1gWorkload(ctx: BenchContext): Workload {
  const slot = new TableSlot(ctx);
  return {
    name: "unmap_1g",
    sol: "unmap_1g",
    kernelTablePages: TABLES_1G,
    tableBytes: () => slot.bytes(),
    touch: () => slot.touch(),
    unit: "per 4K page",
    units: N4K,
    rounds: 1,
    setup() {
      map4k1g(slot.fresh());
      ctx.log.clear();
    },
    run: function timed_unmap_1g() {
      const r = need(slot.pgt).unmap(BASE_IPA, N4K * PAGE_SIZE);
      if (r !== 0) fail(`unmap returned ${r}`);
    },
    check() {
      const p = need(slot.pgt);
      checkTables(p, p.geom.pgdPages, "unmap_1g");
      for (let k = 0; k < p.geom.pgdPages; k++) {
        if (p.store.pageCount(p.pgd + k) !== 1) fail(`unmap_1g: root page ${k} has refcount ${p.store.pageCount(p.pgd + k)}`);
      }
      // stage2_unmap_put_pte(): a TLBI per cleared leaf (level 3) and per freed
      // table (TLBI_TTL_UNKNOWN): 262,144 + 512 level-3 tables + 1 level-2 table.
      // The clean of unmapped Normal memory only without FWB.
      checkEvents(ctx.log, { tlbi_ipa: N4K + 512 + 1, dcache: ctx.fwb ? 0 : N4K }, "unmap_1g");
      let leaf = 0;
      let table = 0;
      const log = ctx.log;
      for (let i = 0; i < log.length; i++) {
        if (log.kindAt(i) !== EV_TLBI_IPA) continue;
        if (log.bAt(i) === 3) leaf++;
        else if (log.bAt(i) === TLBI_TTL_UNKNOWN) table++;
      }
      if (leaf !== N4K || table !== 513) fail(`unmap_1g: ${leaf} leaf TLBIs and ${table} table TLBIs, expected ${N4K} and 513`);
      checkInvalid(p, BASE_IPA + 12345 * PAGE_SIZE, 1);
    },
    release() {
      slot.pgt = null;
    },
  };
}

function mapBlock64gWorkload(ctx: BenchContext): Workload {
  let slots: TableSlot[] = [];
  const tables: KvmPgtable[] = [];
  const block = template(pageRw(ctx.fwb) & ~D_TABLE);
  return {
    name: "map_block_64g",
    sol: "map_block_64g",
    kernelTablePages: BLK_BATCH * 2,
    tableBytes: () => slots.reduce((n, t) => n + t.bytes(), 0),
    touch: () => {
      for (const t of slots) t.touch();
    },
    unit: "per 1G block",
    units: 64 * BLK_BATCH,
    rounds: BLK_ROUNDS,
    setup() {
      if (slots.length === 0) for (let k = 0; k < BLK_BATCH; k++) slots.push(new TableSlot(ctx));
      for (let k = 0; k < BLK_BATCH; k++) tables[k] = slots[k].fresh();
      ctx.log.clear();
    },
    run: function timed_map_block_64g() {
      for (let k = 0; k < BLK_BATCH; k += BATCH_BLOCK) mapBlocks(tables, k, k + BATCH_BLOCK);
    },
    check() {
      for (let k = 0; k < BLK_BATCH; k++) {
        const p = tables[k];
        for (let g = 0; g < 64; g++) checkLeaf(p, BLK_IPA + g * GIB + 0x1234000, block, BLK_IPA + g * GIB, 1);
        checkInvalid(p, BLK_IPA + BLK_SIZE, 1);
        checkTables(p, 2, "map_block_64g");
        if (p.store.pageCount(p.pgd) !== 1 + 64) fail(`map_block_64g: root refcount ${p.store.pageCount(p.pgd)}, expected 65`);
      }
      checkEvents(ctx.log, { dcache: 64 * BLK_BATCH }, "map_block_64g");
    },
    release() {
      slots = [];
      tables.length = 0;
    },
  };
}

/** The expected walk checksum: sum of (descriptor + level) over the walks, mod 2^64 (sol.c walk_want). */
export function walkChecksum(inputs: WalkInputs, fwb: boolean): bigint {
  const t = template(pageRw(fwb));
  let lo = 0; // < 1M * 2^32: exact
  for (let k = 0; k < inputs.pages.length; k++) lo += ((t.lo | (BASE_PA + inputs.pages[k] * PAGE_SIZE)) >>> 0) + 3;
  return ((BigInt(t.hi * inputs.pages.length) << 32n) + BigInt(lo)) & 0xffffffffffffffffn;
}

/** The expected sum of (PA + level) over the walks (every IPA maps a 4K page at level 3). */
export function walkPaChecksum(inputs: WalkInputs): number {
  let sum = 0; // < 1M * 2^41: exact in a double
  for (let k = 0; k < inputs.pages.length; k++) sum += BASE_PA + inputs.pages[k] * PAGE_SIZE + 3;
  return sum;
}

/** A walk row: the map4k_1g table, 1,000,000 walks at sol.c's random pages, one checksum. */
interface WalkRow<T> {
  name: WorkloadName;
  /** What the walks must sum to, mod 2^64. */
  want: bigint;
  /** What walks the table (made once, at the first set-up). */
  make(p: KvmPgtable): T;
  /** The timed part (a function named timed_<workload>): walks into acc[0] (low half) and acc[1]; returns the failed walks. */
  timed(t: T, acc: Float64Array): number;
}

function walkWorkload<T>(ctx: BenchContext, row: WalkRow<T>): Workload {
  const slot = new TableSlot(ctx);
  const acc = new Float64Array(2);
  let walker: T | null = null;
  let failed = 0;
  return {
    name: row.name,
    unit: "per walk",
    units: N_WALK,
    rounds: 1,
    sol: "walk_random_1m",
    kernelTablePages: TABLES_1G,
    tableBytes: () => slot.bytes(),
    touch: () => slot.touch(),
    setup() {
      const p = slot.fresh();
      map4k1g(p);
      walker ??= row.make(p);
      ctx.log.clear();
    },
    run() {
      if (walker === null) throw new Error("benchmark run before its set-up");
      acc[0] = 0;
      acc[1] = 0;
      failed = row.timed(walker, acc);
    },
    check() {
      if (failed !== 0) fail(`${row.name}: ${failed} walks failed`);
      const got = ((BigInt(acc[1]) << 32n) + BigInt(acc[0])) & 0xffffffffffffffffn;
      if (got !== row.want) fail(`${row.name}: checksum 0x${got.toString(16)}, expected 0x${row.want.toString(16)}`);
      // A walk changes nothing (the walker's HA is on, but every leaf already has AF set).
      checkEvents(ctx.log, {}, row.name);
    },
    release() {
      slot.pgt = null;
      walker = null;
    },
  };
}

/**
 * walk_random_1m: sol.c's work, kvm_pgtable_get_leaf() (descriptor and
 * level) of 1,000,000 random pages, summed as sol.c sums them (descriptor +
 * level, mod 2^64), in one call of the batch get_leaf (src/pgtable/getleaf.ts,
 * GetLeafBatch.checksum: the walks and the sum in one generated kernel).
 * Checked against sol.c's checksum computed from the literal descriptor.
 */
function walkRandom1mWorkload(ctx: BenchContext, inputs: WalkInputs): Workload {
  return walkWorkload(ctx, {
    name: "walk_random_1m",
    want: walkChecksum(inputs, ctx.fwb),
    make: (p) => new GetLeafBatch(p),
    timed: function timed_walk_random_1m(b: GetLeafBatch, acc: Float64Array): number {
      return b.checksum(inputs.ipas, 0, N_WALK, acc);
    },
  });
}

/**
 * walk_random_1m_hw: the hardware's stage-2 walk (src/walker, S2Walker
 * batch, read accesses at EL1) over the same 1,000,000 pages, a row of its
 * own (it does more than sol.c's get_leaf: the ASL's checks of the leaf and
 * its permissions). The walker answers with the PA and the level, so the
 * check is the sum of (PA + level) against the PA every page must give.
 * Paired with sol.c's walk_random_1m for scale.
 */
function walkRandom1mHwWorkload(ctx: BenchContext, inputs: WalkInputs): Workload {
  return walkWorkload(ctx, {
    name: "walk_random_1m_hw",
    want: BigInt(walkPaChecksum(inputs)),
    make: (p) => new S2Walker(p),
    timed: function timed_walk_random_1m_hw(w: S2Walker, acc: Float64Array): number {
      return w.translateBatchSum(inputs.ipas, 0, N_WALK, ACCESS_READ, 1, acc);
    },
  });
}

/**
 * walk_random_1m_get_leaf: the same walks and checksum as walk_random_1m, one
 * call per walk (the one-at-a-time API, as sol.c calls its get_leaf):
 * GetLeafBatch.leafAt(), which answers as KvmPgtable.getLeaf() with the
 * level returned and the descriptor's halves left in the batch (leafLo,
 * leafHi; C's out-parameters). The cost of a call per walk beside the batch.
 */
function walkRandom1mGetLeafWorkload(ctx: BenchContext, inputs: WalkInputs): Workload {
  return walkWorkload(ctx, {
    name: "walk_random_1m_get_leaf",
    want: walkChecksum(inputs, ctx.fwb),
    make: (p) => new GetLeafBatch(p),
    timed: function timed_walk_random_1m_get_leaf(b: GetLeafBatch, acc: Float64Array): number {
      for (let k = 0; k < N_WALK; k += BATCH_WALK) leafCalls(b, inputs.ipas, k, Math.min(k + BATCH_WALK, N_WALK), acc);
      return 0;
    },
  });
}

function wrprotect1gWorkload(ctx: BenchContext): Workload {
  const slot = new TableSlot(ctx);
  const page = template(pageRw(ctx.fwb) & ~D_S2AP_W);
  return {
    name: "wrprotect_1g",
    sol: "wrprotect_1g",
    kernelTablePages: TABLES_1G,
    tableBytes: () => slot.bytes(),
    touch: () => slot.touch(),
    unit: "per 4K page",
    units: N4K,
    rounds: 1,
    setup() {
      map4k1g(slot.fresh());
      ctx.log.clear();
    },
    run: function timed_wrprotect_1g() {
      const r = need(slot.pgt).wrprotect(BASE_IPA, N4K * PAGE_SIZE);
      if (r !== 0) fail(`wrprotect returned ${r}`);
    },
    check() {
      check1g(need(slot.pgt), page, "wrprotect_1g");
      // kvm_pgtable_stage2_wrprotect() issues no TLBI (the caller flushes) and no CMO.
      checkEvents(ctx.log, {}, "wrprotect_1g");
    },
    release() {
      slot.pgt = null;
    },
  };
}

function scatterWorkload(ctx: BenchContext, inputs: ScatterInputs): Workload {
  const slot = new TableSlot(ctx);
  const page = template(pageRw(ctx.fwb));
  return {
    name: "map4k_scatter_64k",
    sol: "map4k_scatter_64k",
    kernelTablePages: 2 + inputs.tables,
    tableBytes: () => slot.bytes(),
    touch: () => slot.touch(),
    unit: "per call",
    units: N_SCAT,
    rounds: 1,
    setup() {
      slot.fresh();
    },
    run: function timed_map4k_scatter_64k() {
      const p = need(slot.pgt);
      for (let k = 0; k < N_SCAT; k += BATCH_MAP) mapScatter(p, inputs.ipas, k, k + BATCH_MAP);
    },
    check() {
      const p = need(slot.pgt);
      for (let k = 0; k < N_SCAT; k++) checkLeaf(p, inputs.ipas[k], page, BASE_PA + k * PAGE_SIZE, 3);
      checkTables(p, 2 + inputs.tables, "map4k_scatter_64k");
      checkEvents(ctx.log, { dcache: N_SCAT }, "map4k_scatter_64k");
    },
    release() {
      slot.pgt = null;
    },
  };
}

/** The workloads named, in the order given (random inputs generated here, untimed). */
export function makeWorkloads(ctx: BenchContext, names: readonly WorkloadName[]): Workload[] {
  let walk: WalkInputs | null = null;
  let scatter: ScatterInputs | null = null;
  return names.map((name) => {
    switch (name) {
      case "map4k_1g":
        return map4k1gWorkload(ctx);
      case "unmap_1g":
        return unmap1gWorkload(ctx);
      case "map_block_64g":
        return mapBlock64gWorkload(ctx);
      case "walk_random_1m":
        walk ??= walkInputs();
        return walkRandom1mWorkload(ctx, walk);
      case "wrprotect_1g":
        return wrprotect1gWorkload(ctx);
      case "map4k_scatter_64k":
        scatter ??= scatterInputs();
        return scatterWorkload(ctx, scatter);
      case "walk_random_1m_hw":
        walk ??= walkInputs();
        return walkRandom1mHwWorkload(ctx, walk);
      case "walk_random_1m_get_leaf":
        walk ??= walkInputs();
        return walkRandom1mGetLeafWorkload(ctx, walk);
    }
  });
}
