/**
 * Running a scenario with every invariant checked after every operation:
 * the engine of the property tests, the fuzzer (tools/fuzz.ts), the
 * regression replays (test/regressions) and `s2pt check`.
 *
 * After each op, in order:
 *   1. break-before-make (bbm.ts), from the op's descriptor stores and events;
 *   2. every checker of OP_CHECKERS, each given an OpCheckContext: the
 *      table, the reference model (already advanced by the same op), the
 *      op, what pgtable.c returned and what the model predicted, and the
 *      IPAs sampled for this op.
 * The first failure throws an InvariantViolation naming the op, the check
 * and what differs.
 *
 * Extension point: a new comparison (for instance "the walker's IPA -> PA
 * translation agrees with the reference model and with get_leaf at every
 * sampled IPA") is one more OpChecker (checker.ts; walker-check.ts is one),
 * listed in OP_CHECKERS: it reads ctx.samples and compares its own answer at
 * each with ctx.model.lookup(ipa) (RefLeaf: pa, r/w/x, mem, af) and with
 * the table's get_leaf.
 */

import {
  INVALID_PTE_OWNER_SHIFT,
  MT_S2_DEVICE_nGnRE,
  MT_S2_FWB_DEVICE_nGnRE,
  MT_S2_FWB_NORMAL,
  MT_S2_FWB_NORMAL_NC,
  MT_S2_NORMAL,
  MT_S2_NORMAL_NC,
  PTE_VALID_LO,
  S2AP_R_LO,
  S2AP_W_LO,
  S2_AF_LO,
  S2_MEMATTR_SHIFT,
  S2_SH_SHIFT,
  S2_XN_HI,
  SW_HI,
  SW_SHIFT_HI,
  pteToPhys,
  type PteFormat,
} from "../pgtable/descriptor.js";
import { MaintenanceLog } from "../pgtable/events.js";
import { InputError, hexHalves } from "../pgtable/u64.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { MAX_CHECK_WORK, WorkBudget, checkOpWork, opWorkBound } from "../scenario/limits.js";
import { RecordBudget, execOp, newScenarioTable, opInputError, opResultOf, rootRefcounts, type DumpEntry } from "../scenario/replay.js";
import { type ExecResult, type OpResult } from "../scenario/types.js";
import { OP_SPECS } from "../scenario/ops.js";
import { emptyOp } from "../scenario/format.js";
import { type Scenario, type ScenarioOp } from "../scenario/types.js";
import { BbmChecker } from "./bbm.js";
import { checkInitialState, checkTables, checkTablesIn } from "./invariants.js";
import { MEM_DEVICE, MEM_NORMAL, RefModel, type RefLeaf, type RefResult } from "./refmodel.js";
import type { OpCheckContext, OpChecker } from "./checker.js";
import { walkerChecker } from "./walker-check.js";
import { checkObject } from "../pgtable/args.js";
import { checkScenarioArg } from "../scenario/args.js";

/** An invariant that did not hold: which op (index into the scenario's ops; ops.length for the final clean-up), which check, what. */
export class InvariantViolation extends Error {
  override name = "InvariantViolation";
  readonly check: string;
  readonly opIndex: number;
  constructor(check: string, opIndex: number, message: string) {
    super(`ops[${opIndex}]: ${check}: ${message}`);
    this.check = check;
    this.opIndex = opIndex;
  }
}

function hx(n: number): string {
  return "0x" + n.toString(16);
}

function expectedMemAttr(leaf: RefLeaf, fwb: boolean): number {
  if (leaf.mem === MEM_NORMAL) return fwb ? MT_S2_FWB_NORMAL : MT_S2_NORMAL;
  if (leaf.mem === MEM_DEVICE) return fwb ? MT_S2_FWB_DEVICE_nGnRE : MT_S2_DEVICE_nGnRE;
  return fwb ? MT_S2_FWB_NORMAL_NC : MT_S2_NORMAL_NC;
}

/** How a descriptor read from the table differs from the model's leaf (null: it agrees field by field). */
export function leafMismatch(fmt: PteFormat, fwb: boolean, lo: number, hi: number, level: number, leaf: RefLeaf): string | null {
  const where = (): string => `level ${level} IPA ${hx(leaf.ipa)} (${hexHalves(lo >>> 0, hi >>> 0)})`;
  if (leaf.owner !== 0) {
    const annotation = leaf.owner << INVALID_PTE_OWNER_SHIFT;
    return lo === annotation && hi === 0 && level === 3 ? null : `${where()}: the model has an owner-${leaf.owner} annotation (${hx(annotation)}) at level 3`;
  }
  if (!(lo & PTE_VALID_LO)) return `${where()}: not valid; the model maps it to PA ${hx(leaf.pa)}`;
  const pa = pteToPhys(fmt, lo, hi);
  const memattr = (lo >>> S2_MEMATTR_SHIFT) & 0xf;
  const want = expectedMemAttr(leaf, fwb);
  const sw = (hi & SW_HI) >>> SW_SHIFT_HI;
  const sh = fmt.lpa2 ? 3 : (lo >>> S2_SH_SHIFT) & 3;
  const r = (lo & S2AP_R_LO) !== 0;
  const w = (lo & S2AP_W_LO) !== 0;
  const x = (hi & S2_XN_HI) === 0;
  const af = (lo & S2_AF_LO) !== 0;
  if (
    pa === leaf.pa &&
    memattr === want &&
    sw === leaf.sw &&
    sh === 3 &&
    r === leaf.r &&
    w === leaf.w &&
    x === leaf.x &&
    af === leaf.af &&
    level === leaf.level
  ) {
    return null;
  }
  const diffs: string[] = [];
  if (pa !== leaf.pa) diffs.push(`PA ${hx(pa)} (model ${hx(leaf.pa)})`);
  if (memattr !== want) diffs.push(`MemAttr ${hx(memattr)} (model ${hx(want)})`);
  const flag = (name: string, got: boolean, exp: boolean): void => {
    if (got !== exp) diffs.push(`${name} ${got ? 1 : 0} (model ${exp ? 1 : 0})`);
  };
  flag("S2AP.R", r, leaf.r);
  flag("S2AP.W", w, leaf.w);
  flag("XN", !x, !leaf.x);
  flag("AF", af, leaf.af);
  if (sw !== leaf.sw) diffs.push(`SW ${hx(sw)} (model ${hx(leaf.sw)})`);
  if (sh !== 3) diffs.push(`SH ${sh} (KVM writes inner shareable, 3)`);
  if (level !== leaf.level) diffs.push(`level ${level} (model ${leaf.level})`);
  return `${where()}: ${diffs.join(", ")}`;
}

/** get_leaf at `ipa` on the table against the model's lookup. */
export function compareGetLeaf(pgt: KvmPgtable, model: RefModel, ipa: number): string | null {
  const ret = pgt.getLeafFast(ipa);
  const m = model.lookup(ipa);
  if (ret !== m.ret) return `get_leaf(${hx(ipa)}) returned ${ret}, the model ${m.ret}`;
  if (ret !== 0) return null;
  if (pgt.leafLevel !== m.level) return `get_leaf(${hx(ipa)}) stopped at level ${pgt.leafLevel}, the model at ${m.level}`;
  if (m.leaf) return leafMismatch(pgt.fmt, model.fwb, pgt.leafLo, pgt.leafHi, pgt.leafLevel, m.leaf);
  if ((pgt.leafLo | pgt.leafHi) !== 0) {
    return `get_leaf(${hx(ipa)}) found ${hx(pgt.leafHi * 2 ** 32 + pgt.leafLo)} at level ${pgt.leafLevel}; the model has nothing there`;
  }
  return null;
}

/**
 * The whole table against the model, as its dump (dumpTable) would be
 * compared: the same tables with the model's entry counts as refcounts, the
 * same leaves field by field, the same root counts. Read straight from the
 * table, no dump entries built: linear in the table, no allocation per entry.
 */
export function compareDump(pgt: KvmPgtable, model: RefModel): string | null {
  const g = pgt.geom;
  let leaves = 0;
  let tables = 0;
  let why: string | null = null;
  const visit = (page: number, level: number, base: number): void => {
    const gran = pgt.granuleSize(level);
    for (let i = 0; i < g.ptrsPerPte && why === null; i++) {
      const lo = pgt.entryLo(page, i);
      const hi = pgt.entryHi(page, i);
      if ((lo | hi) === 0) continue;
      const ipa = base + i * gran;
      if (pgt.isTable(lo, level)) {
        tables++;
        if (!model.hasTable(level + 1, ipa)) {
          why = `dump has a table under the level ${level} entry at ${hx(ipa)}; the model has none`;
          return;
        }
        const child = pgt.childPage(lo, hi);
        const n = model.counts.get(model.tableKey(level + 1, ipa)) ?? 0;
        const rc = pgt.store.pageCount(child);
        if (rc !== 1 + n) {
          why = `dump: the table under the level ${level} entry at ${hx(ipa)} has refcount ${rc}; the model counts 1 + ${n} entries`;
          return;
        }
        visit(child, level + 1, ipa);
        continue;
      }
      leaves++;
      const leaf = model.leaves.get(model.leafKey(level, ipa));
      if (!leaf) {
        why = `dump has a ${dumpKind(lo, level)} at level ${level} IPA ${hx(ipa)} (${hexHalves(lo, hi)}); the model has none`;
        return;
      }
      const m = leafMismatch(pgt.fmt, model.fwb, lo, hi, level, leaf);
      if (m) {
        why = `dump: ${m}`;
        return;
      }
    }
  };
  const rootSpan = pgt.granuleSize(g.startLevel) * g.ptrsPerPte;
  for (let r = 0; r < g.pgdPages && why === null; r++) visit(pgt.pgd + r, g.startLevel, r * rootSpan);
  if (why !== null) return why;
  if (leaves !== model.leaves.size || tables !== model.tables.size) {
    for (const leaf of model.leaves.values()) {
      if (pgt.getLeafFast(leaf.ipa) !== 0 || pgt.leafLevel !== leaf.level || (pgt.leafLo | pgt.leafHi) === 0) {
        return `the model has a level ${leaf.level} ${leaf.owner ? "annotation" : "leaf"} at ${hx(leaf.ipa)}; the dump has none`;
      }
    }
    return `dump has ${leaves} leaves and ${tables} tables, the model ${model.leaves.size} and ${model.tables.size}`;
  }
  const roots = rootRefcounts(pgt);
  for (let r = 0; r < roots.length; r++) {
    const n = model.counts.get(model.rootKey(r)) ?? 0;
    if (roots[r] !== 1 + n) return `root page ${r} has refcount ${roots[r]}; the model counts 1 + ${n} entries`;
  }
  return null;
}

function dumpKind(lo: number, level: number): string {
  if (!(lo & PTE_VALID_LO)) return "invalid";
  return level === 3 ? "page" : "block";
}

/** A dump (FORMAT.md `dump` and `root_refcounts`, from the table or from a kernel result file) against the model. */
export function compareDumpEntries(dump: readonly DumpEntry[], roots: readonly number[], fmt: PteFormat, fwb: boolean, model: RefModel): string | null {
  let leaves = 0;
  let tables = 0;
  for (const d of dump) {
    const ipa = Number(BigInt(d.ipa));
    if (d.kind === "table") {
      tables++;
      if (!model.hasTable(d.level + 1, ipa)) return `dump has a table under the level ${d.level} entry at ${d.ipa}; the model has none`;
      const n = model.counts.get(model.tableKey(d.level + 1, ipa)) ?? 0;
      if (d.refcount !== 1 + n)
        return `dump: the table under the level ${d.level} entry at ${d.ipa} has refcount ${d.refcount}; the model counts 1 + ${n} entries`;
      continue;
    }
    leaves++;
    const leaf = model.leaves.get(model.leafKey(d.level, ipa));
    if (!leaf) return `dump has a ${d.kind} at level ${d.level} IPA ${d.ipa} (${d.pte}); the model has none`;
    const v = BigInt(d.pte);
    const why = leafMismatch(fmt, fwb, Number(v & 0xffffffffn), Number(v >> 32n), d.level, leaf);
    if (why) return `dump: ${why}`;
  }
  if (leaves !== model.leaves.size || tables !== model.tables.size) {
    const seen = new Set(dump.filter((d) => d.kind !== "table").map((d) => model.leafKey(d.level, Number(BigInt(d.ipa)))));
    for (const leaf of model.leaves.values()) {
      if (!seen.has(model.leafKey(leaf.level, leaf.ipa)))
        return `the model has a level ${leaf.level} ${leaf.owner ? "annotation" : "leaf"} at ${hx(leaf.ipa)}; the dump has none`;
    }
    return `dump has ${leaves} leaves and ${tables} tables, the model ${model.leaves.size} and ${model.tables.size}`;
  }
  if (roots.length !== model.pgdPages) return `${roots.length} root pages, the model has ${model.pgdPages}`;
  for (let r = 0; r < roots.length; r++) {
    const n = model.counts.get(model.rootKey(r)) ?? 0;
    if (roots[r] !== 1 + n) return `root page ${r} has refcount ${roots[r]}; the model counts 1 + ${n} entries`;
  }
  return null;
}

/** The checkers run after every op, in order. */
export const OP_CHECKERS: OpChecker[] = [
  {
    name: "table structure",
    check: (ctx) => {
      // The whole table on a deep op; else the part the op's range can have changed.
      const v = ctx.deep ? checkTables(ctx.pgt, true).violations : checkTablesIn(ctx.pgt, ctx.range[0], ctx.range[1]);
      return v.length ? v.join("; ") : null;
    },
  },
  {
    name: "reference model",
    check: (ctx) =>
      (ctx.deep ? ctx.model.selfCheck() : null) ??
      (ctx.model.pagesInUse() === ctx.pgt.store.inUse ? null : `the table holds ${ctx.pgt.store.inUse} pages, the model ${ctx.model.pagesInUse()}`),
  },
  {
    name: "kernel WARN_ON",
    check: (ctx) =>
      ctx.newWarnings.length === ctx.predicted.warnings
        ? null
        : `${ctx.newWarnings.length} WARN_ON (${ctx.newWarnings.join("; ")}), the model expects ${ctx.predicted.warnings}`,
  },
  {
    name: "return value",
    check: (ctx) => {
      const { result: r, predicted: p } = ctx;
      if (r.ret !== p.ret) return `${ctx.op.op} returned ${r.ret}, the model predicts ${p.ret}`;
      if (p.young !== undefined && r.young !== p.young) return `test_clear_young returned young=${r.young}, the model predicts ${p.young}`;
      if (ctx.op.op === "get_leaf" && r.ret === 0) {
        if (r.level !== p.level) return `get_leaf returned level ${r.level}, the model ${p.level}`;
        const v = BigInt(r.pte ?? "0x0");
        if (p.leaf) return leafMismatch(ctx.pgt.fmt, ctx.model.fwb, Number(v & 0xffffffffn), Number(v >> 32n), r.level ?? -9, p.leaf);
        if (v !== 0n) return `get_leaf returned ${r.pte}; the model has nothing there`;
      }
      return null;
    },
  },
  {
    name: "get_leaf agrees with the model",
    check: (ctx) => {
      for (const ipa of ctx.samples) {
        const why = compareGetLeaf(ctx.pgt, ctx.model, ipa);
        if (why) return why;
      }
      return null;
    },
  },
  {
    name: "dump agrees with the model",
    check: (ctx) => (ctx.deep ? compareDump(ctx.pgt, ctx.model) : null),
  },
  walkerChecker,
];

/** A small deterministic generator for sampling (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/** How checkScenario() and CheckedRun check. */
export interface CheckedRunOptions {
  /** Full comparisons after every op (default: while the table is small, then on a schedule linear in the work; see CheckedRun). */
  deep?: boolean;
  /** Seed of the IPA sampling (default 1). */
  sampleSeed?: number;
  /** Random extra samples per op (default 8). */
  randomSamples?: number;
  /** End with kvm_pgtable_stage2_destroy() on the table as it is, instead of unmapping everything first. */
  destroyWithoutUnmap?: boolean;
  /**
   * The scenario's work budget (limits.ts opWorkBound, summed over the ops):
   * default MAX_CHECK_WORK; the fuzzer, whose scenarios are bounded by
   * construction, passes Infinity.
   */
  workBudget?: number;
}

/** What a checked run did: ops, break-before-make sequences, in-place changes, TLBIs left to the caller, the most table pages in use. */
export interface CheckedSummary {
  ops: number;
  breaks: number;
  inPlace: number;
  callerOwed: number;
  maxTables: number;
}

/** Events a checked table's log keeps as records: more than any op within MAX_CHECK_WORK asks for (the break-before-make check reads them all). */
export const CHECK_LOG_RECORDS = 2 ** 23;

/** A table the size of which is at most this many leaves and tables gets the full checks after every op. */
const SMALL_TABLE = 2048;

/**
 * Where two tables run through the same ops differ, over the part of the
 * table [start, end) reaches (every page whose span overlaps it, word for
 * word, and its refcount), or everywhere when `whole`; also the store's
 * counters. Null: nowhere. The tables allocate pages in the same order, so
 * equal tables have equal page numbers.
 */
export function tablesDiffer(a: KvmPgtable, b: KvmPgtable, start: number, end: number, whole: boolean): string | null {
  const x = a.store;
  const y = b.store;
  if (x.bump !== y.bump || x.inUse !== y.inUse) return `table pages: ${x.inUse} of ${x.bump} in one, ${y.inUse} of ${y.bump} in the other`;
  if (whole) {
    // The chunks that hold pages below bump (a rolled-back growth may leave a spare one).
    const chunks = Math.ceil(x.bump / (x.chunkMask + 1));
    for (let c = 0; c < chunks; c++) {
      // A chunk may be a view of the store's flat arena (TableStore.flatten()): its own words only.
      const xc = x.chunks[c];
      const yc = y.chunks[c];
      if (Buffer.compare(Buffer.from(xc.buffer, xc.byteOffset, xc.byteLength), Buffer.from(yc.buffer, yc.byteOffset, yc.byteLength)) !== 0) {
        return `table memory differs in chunk ${c}`;
      }
    }
    if (Buffer.compare(Buffer.from(x.refcount.buffer, 0, x.bump * 4), Buffer.from(y.refcount.buffer, 0, y.bump * 4)) !== 0) return "refcounts differ";
    return null;
  }
  const g = a.geom;
  const words = x.wordsPerPage;
  let why: string | null = null;
  const visit = (page: number, level: number, base: number): void => {
    const xo = x.pageOffset(page);
    const xc = x.chunkOf(page);
    const yc = y.chunkOf(page);
    for (let w = 0; w < words; w++) {
      if (xc[xo + w] !== yc[xo + w]) {
        why = `table page ${page} (level ${level} at IPA ${hx(base)}) differs at entry ${w >>> 1}: ${hexHalves(xc[xo + (w & ~1)] >>> 0, xc[xo + (w | 1)] >>> 0)} and ${hexHalves(yc[xo + (w & ~1)] >>> 0, yc[xo + (w | 1)] >>> 0)}`;
        return;
      }
    }
    if (x.pageCount(page) !== y.pageCount(page)) {
      why = `table page ${page} (level ${level} at IPA ${hx(base)}): refcount ${x.pageCount(page)} and ${y.pageCount(page)}`;
      return;
    }
    if (level === 3) return;
    const gran = a.granuleSize(level);
    const first = Math.max(0, Math.floor((start - base) / gran));
    for (let i = first; i < g.ptrsPerPte && why === null; i++) {
      const ipa = base + i * gran;
      if (ipa >= end) break;
      const lo = a.entryLo(page, i);
      if (a.isTable(lo, level)) visit(a.childPage(lo, a.entryHi(page, i)), level + 1, ipa);
    }
  };
  const rootSpan = a.granuleSize(g.startLevel) * g.ptrsPerPte;
  for (let r = 0; r < g.pgdPages && why === null; r++) {
    if (r * rootSpan < end && (r + 1) * rootSpan > start) visit(a.pgd + r, g.startLevel, r * rootSpan);
  }
  return why;
}

/** Where an op's outcome on the checked table differs from the fast table's (returns and events, event by event). */
function outcomesDiffer(checked: KvmPgtable, fast: KvmPgtable, a: ExecResult, b: ExecResult): string | null {
  if (a.ret !== b.ret || a.young !== b.young || a.pte !== b.pte || a.level !== b.level) {
    return `result ${JSON.stringify(a)} with every visit generic, ${JSON.stringify(b)} with the fast paths`;
  }
  const x = checked.log;
  const y = fast.log;
  if (x.length !== y.length || x.notRecordedTotal !== y.notRecordedTotal) return `${x.length} events with every visit generic, ${y.length} with the fast paths`;
  for (let i = 0; i < x.length; i++) {
    if (x.kindAt(i) !== y.kindAt(i) || x.aAt(i) !== y.aAt(i) || x.bAt(i) !== y.bAt(i))
      return `event ${i} differs: ${x.kindAt(i)}/${hx(x.aAt(i))}/${x.bAt(i)} with every visit generic, ${y.kindAt(i)}/${hx(y.aAt(i))}/${y.bAt(i)} with the fast paths`;
  }
  return null;
}

/**
 * A scenario being run with every check (see the module comment).
 *
 * Cost. Every op gets the checks of the part of the table its range can
 * have changed (structure of the pages over the range, get_leaf and the
 * walker at sampled IPAs, the fast table over the range, break-before-make
 * of every store): linear in the op's work. The whole-table checks (the
 * structure and leaks of every page, the dump against the model, free
 * pages, the fast table's whole arena) run after every op while the table
 * is small (SMALL_TABLE), with `deep`, at the end, and otherwise when the
 * work done since the last whole check (the ops' work bounds and samples)
 * reaches the table's size: their total cost is then at most the work of
 * the ops, so a checked run is linear in its work, not quadratic in its ops.
 */
export class CheckedRun {
  readonly scn: Scenario;
  readonly pgt: KvmPgtable;
  readonly model: RefModel;
  readonly bbm = new BbmChecker();
  readonly results: OpResult[] = [];
  /**
   * The same scenario on a table with no store hook, so with the model's fast
   * paths (run visitors, one-page map, get_leaf descent) that the checked
   * table, observed through its hook, never takes: after every op both must
   * agree word for word (returns, events, arena, refcounts).
   */
  readonly fast: KvmPgtable;
  private readonly opts: CheckedRunOptions;
  private readonly random: () => number;
  private readonly budget: WorkBudget;
  private readonly records = new RecordBudget();
  private maxTables = 0;
  /** Work (opWorkBound, plus the samples) done since the last whole-table check. */
  private workSinceFull = 0;
  /** A round-robin walk over the model's leaves, for sampling (live: it sees leaves added later). */
  private leafIter: Iterator<RefLeaf> | null = null;

  constructor(scn: Scenario, opts: CheckedRunOptions = {}) {
    checkScenarioArg(scn);
    checkObject(opts, "opts");
    // The reference model knows the kernel's operations only: a raw store (set_pte) has no place in it.
    scn.ops.forEach((op, i) => {
      if (OP_SPECS[op.op]?.model === true && (OP_SPECS[op.op] as { writes?: boolean }).writes === true)
        throw new InputError(
          `ops[${i}] (${op.op}): s2pt check compares the table with a reference model of pgtable.c's operations, and a raw descriptor store has no place in it (replay the scenario instead)`,
        );
    });
    this.scn = scn;
    this.opts = opts;
    this.pgt = newScenarioTable(scn, new MaintenanceLog(1024, CHECK_LOG_RECORDS));
    this.fast = newScenarioTable(scn, new MaintenanceLog(1024, CHECK_LOG_RECORDS));
    this.model = new RefModel(scn.config, scn.memcache, this.pgt.store.maxPages);
    this.bbm.attach(this.pgt);
    this.random = rng(opts.sampleSeed ?? 1);
    this.budget = new WorkBudget(opts.workBudget ?? MAX_CHECK_WORK);
  }

  /** Run every op, then unmap everything and destroy the table, checking all the way. */
  run(): CheckedSummary {
    for (let i = 0; i < this.scn.ops.length; i++) this.step(i);
    this.finish();
    const s = this.bbm.stats;
    return {
      ops: this.scn.ops.length,
      breaks: s.breaks,
      inPlace: s.inPlacePerms + s.inPlaceAf + s.inPlaceSw,
      callerOwed: s.callerOwed,
      maxTables: this.maxTables,
    };
  }

  /** Run op `i` of the scenario and check it (an op over s2pt's limits is an InputError naming it). */
  step(i: number): OpResult {
    const op = this.scn.ops[i];
    const what = `ops[${i}] (${op.op})`;
    checkOpWork(this.pgt, op, this.scn.memcache, what);
    const work = opWorkBound(this.pgt, op, this.scn.memcache);
    this.budget.charge(this.pgt, op, this.scn.memcache, what);
    this.fast.log.clear();
    let fastOut: ReturnType<typeof execOp>;
    try {
      fastOut = execOp(this.fast, op, this.scn);
    } catch (e) {
      throw opInputError(e, i, op);
    }
    const { result, deep, range, fastWhy } = this.checkedOp(i, op, work, undefined, "exec" in fastOut ? fastOut.exec : null);
    const why = fastWhy ?? tablesDiffer(this.pgt, this.fast, range[0], range[1], deep);
    if (why !== null) throw new InvariantViolation("fast paths agree", i, why);
    this.pgt.log.clear();
    this.fast.log.clear();
    return result;
  }

  /** The page-aligned range [start, end) an op can change, clamped to the IPA space (a split: widened to the blocks it may rewrite). */
  private rangeOf(op: ScenarioOp): [number, number] {
    const page = this.pgt.geom.granule;
    const limit = 2 ** this.pgt.geom.iaBits;
    let s = Math.floor(op.ipa / page) * page;
    let e = Math.max(s + page, Math.ceil((s + op.size) / page) * page);
    if (op.op === "split" || op.op === "unmap") {
      // A split rebuilds, an unmap removes, whole blocks that only overlap the range.
      const big = this.pgt.granuleSize(Math.max(this.pgt.geom.startLevel, this.pgt.geom.minBlockLevel));
      s = Math.floor(s / big) * big;
      e = Math.ceil(e / big) * big;
    }
    return [Math.min(s, limit), Math.min(e, limit)];
  }

  /**
   * Run one op on the checked table and check it. `fast`: the same op's
   * outcome on the fast table (run just before), compared here before the
   * checked table's events are turned into records; the difference, if
   * any, is returned to be reported after the other checks.
   */
  private checkedOp(
    index: number,
    op: ScenarioOp,
    work: number,
    runner?: () => ReturnType<typeof execOp>,
    fast: ExecResult | null = null,
  ): { result: OpResult; deep: boolean; range: [number, number]; fastWhy: string | null } {
    const pgt = this.pgt;
    const warnBefore = pgt.warnings.length;
    pgt.log.clear();
    this.bbm.beginOp(op.op === "map" || op.op === "relax_perms" || op.op === "mkyoung" ? op.flags : 0);
    let raw: ReturnType<typeof execOp>;
    try {
      raw = runner ? runner() : execOp(pgt, op, this.scn);
    } catch (e) {
      throw opInputError(e, index, op);
    }
    // A model-only op's result has its own fields and no ret or events: it
    // reads the table and asks for no maintenance.
    const exec = "exec" in raw ? raw.exec : null;
    if (pgt.log.notRecordedTotal > 0) {
      throw new InputError(
        `ops[${index}] (${op.op}): asked for more maintenance events than the checker holds (${CHECK_LOG_RECORDS}): its break-before-make check cannot be made`,
      );
    }
    // The break-before-make check and the fast table read the events from the log, before opResultOf() consumes them.
    const bbm = this.bbm.endOpFromLog(pgt.log, 0);
    const fastWhy = exec !== null && fast !== null ? outcomesDiffer(pgt, this.fast, exec, fast) : null;
    const result: OpResult = exec !== null ? opResultOf(pgt, exec, 0, this.records) : { ret: 0, events: [] };
    // Model-only ops (OP_SPECS[..].model, e.g. a translation) read the table and
    // change nothing; the checker their module registers judges their answers.
    const predicted: RefResult = OP_SPECS[op.op]?.model === true ? { ret: result.ret, warnings: 0 } : this.model.apply(op);
    this.results.push(result);
    this.maxTables = Math.max(this.maxTables, pgt.store.inUse);
    if (bbm.length) throw new InvariantViolation("break-before-make", index, bbm.join("; "));

    const samples = this.samplesFor(op);
    this.workSinceFull += work + samples.length;
    const size = this.model.leaves.size + this.model.tables.size;
    const wholeCost = pgt.store.inUse * pgt.geom.ptrsPerPte + size;
    const deep = this.opts.deep ?? (size <= SMALL_TABLE || index >= this.scn.ops.length || this.workSinceFull >= wholeCost);
    if (deep) this.workSinceFull = 0;
    const range = this.rangeOf(op);
    const ctx: OpCheckContext = {
      pgt,
      model: this.model,
      scn: this.scn,
      index,
      op,
      result,
      predicted,
      newWarnings: pgt.warnings.slice(warnBefore),
      samples,
      deep,
      range,
    };
    for (const c of OP_CHECKERS) {
      const why = c.check(ctx);
      if (why !== null) throw new InvariantViolation(c.name, index, why);
    }
    return { result, deep, range, fastWhy };
  }

  /** IPAs to compare at: the op's range edges and middle, just outside it, random pages in and near it, and leaves of the model. */
  private samplesFor(op: ScenarioOp): number[] {
    const page = this.pgt.geom.granule;
    const limit = 2 ** this.pgt.geom.iaBits;
    const down = (x: number): number => Math.floor(x / page) * page;
    const s = down(op.ipa);
    const e = Math.max(s + page, Math.ceil((s + op.size) / page) * page);
    const out = new Set<number>([s, e - page, down((s + e) / 2), s - page, e]);
    const n = this.opts.randomSamples ?? 8;
    for (let k = 0; k < n; k++) {
      out.add(down(s + this.random() * (e - s)));
      out.add(down(s - 2 ** 30 + this.random() * (e - s + 2 ** 31)));
    }
    const leaves = this.model.leaves;
    if (leaves.size > 0) {
      // Every leaf of a small table; else the next few of a round-robin walk
      // over them (Map iterators are live), so that over the run every leaf
      // is sampled, at a constant cost per op.
      const want = leaves.size <= 64 ? leaves.size : n;
      const values = leaves.size <= 64 ? leaves.values() : null;
      for (let k = 0; k < want; k++) {
        let leaf: RefLeaf | undefined;
        if (values) leaf = values.next().value;
        else {
          this.leafIter ??= leaves.values();
          let r = this.leafIter.next();
          if (r.done) {
            this.leafIter = leaves.values();
            r = this.leafIter.next();
          }
          leaf = r.done ? undefined : r.value;
        }
        if (!leaf) continue;
        out.add(leaf.ipa);
        out.add(leaf.ipa + this.model.gran(leaf.level) - page);
      }
    }
    return [...out].filter((x) => x >= 0 && x < limit);
  }

  /**
   * Unmap everything (over the span the roots' entries hold), check the
   * storage is as it started, then destroy the table and check every page
   * is free.
   */
  finish(): void {
    const index = this.scn.ops.length;
    const g = this.pgt.geom;
    const span = this.pgt.granuleSize(g.startLevel);
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < g.pgdPages && !this.opts.destroyWithoutUnmap; r++) {
      for (let i = 0; i < g.ptrsPerPte; i++) {
        if ((this.pgt.entryLo(this.pgt.pgd + r, i) | this.pgt.entryHi(this.pgt.pgd + r, i)) === 0) continue;
        const ipa = (r * g.ptrsPerPte + i) * span;
        lo = Math.min(lo, ipa);
        hi = Math.max(hi, ipa + span);
      }
    }
    if (lo < hi) {
      const op: ScenarioOp = { ...emptyOp("unmap"), ipa: lo, size: hi - lo };
      // The clean-up is the checker's, not the scenario's: outside its work budget.
      this.checkedOp(index, op, opWorkBound(this.pgt, op, this.scn.memcache), () => execOp(this.pgt, op, this.scn));
      this.pgt.log.clear();
    }
    if (!this.opts.destroyWithoutUnmap) {
      const initial = checkInitialState(this.pgt);
      if (this.model.leaves.size || this.model.tables.size)
        initial.push(`the model still holds ${this.model.leaves.size} leaves and ${this.model.tables.size} tables`);
      if (initial.length) throw new InvariantViolation("unmap everything", index, initial.join("; "));
    }
    const warnBefore = this.pgt.warnings.length;
    this.pgt.destroy();
    const store = this.pgt.store;
    if (store.inUse !== 0 || this.pgt.warnings.length !== warnBefore) {
      throw new InvariantViolation(
        "destroy",
        index,
        `${store.inUse} pages still in use after kvm_pgtable_stage2_destroy (warnings: ${this.pgt.warnings.slice(warnBefore).join("; ")})`,
      );
    }
    this.bbm.detach();
  }
}

/** Replay a scenario with every check; throws InvariantViolation (or InputError for a refused op). */
export function checkScenario(scn: Scenario, opts: CheckedRunOptions = {}): CheckedSummary {
  checkScenarioArg(scn);
  checkObject(opts, "opts");
  return new CheckedRun(scn, opts).run();
}
