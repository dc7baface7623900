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
 * sampled IPA") is one more OpChecker (walker-check.ts); others are added with registerOpChecker() by
 * the module that provides it: it reads ctx.samples and compares its own
 * answer at each with ctx.model.lookup(ipa) (RefLeaf: pa, r/w/x, mem, af)
 * and with ctx.pgt.getLeaf(ipa).
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
import { EVENT_NAMES, type EventJson } from "../pgtable/events.js";
import { hexHalves } from "../pgtable/u64.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { dumpTable, newScenarioTable, rootRefcounts, runOp, runScenarioOp, type DumpEntry, type ModelOpResult, type OpResult } from "../pgtable/replay.js";
import { OP_SPECS, type Scenario, type ScenarioOp } from "../pgtable/scenario.js";
import { BbmChecker, type TlbiEvent } from "./bbm.js";
import { checkInitialState, checkTables } from "./invariants.js";
import { MEM_DEVICE, MEM_NORMAL, RefModel, type RefLeaf, type RefResult } from "./refmodel.js";
import { walkerChecker } from "./walker-check.js";

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

export interface OpCheckContext {
  pgt: KvmPgtable;
  model: RefModel;
  scn: Scenario;
  /** Index of the op in scn.ops (scn.ops.length for the final unmap). */
  index: number;
  op: ScenarioOp;
  /** What the model of pgtable.c returned. */
  result: OpResult;
  /** What the reference model predicts. */
  predicted: RefResult;
  /** Kernel WARN_ON()s fired by this op. */
  newWarnings: string[];
  /** Page-aligned IPAs to compare translations at (inside and around the op's range, and at leaves). */
  samples: number[];
  /** Whether this op gets the full comparisons (dump, free pages). */
  deep: boolean;
}

/** One comparison run after every op: returns null, or what is wrong. */
export interface OpChecker {
  name: string;
  check(ctx: OpCheckContext): string | null;
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
  if (pa === leaf.pa && memattr === want && sw === leaf.sw && sh === 3 && r === leaf.r && w === leaf.w && x === leaf.x && af === leaf.af && level === leaf.level) {
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
  const ret = pgt.getLeaf(ipa);
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

/** The whole dump (dumpTable) against the model: same tables with the model's entry counts, same leaves field by field, same root counts. */
export function compareDump(pgt: KvmPgtable, model: RefModel): string | null {
  return compareDumpEntries(dumpTable(pgt), rootRefcounts(pgt), pgt.fmt, model.fwb, model);
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
      if (d.refcount !== 1 + n) return `dump: the table under the level ${d.level} entry at ${d.ipa} has refcount ${d.refcount}; the model counts 1 + ${n} entries`;
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
      if (!seen.has(model.leafKey(leaf.level, leaf.ipa))) return `the model has a level ${leaf.level} ${leaf.owner ? "annotation" : "leaf"} at ${hx(leaf.ipa)}; the dump has none`;
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
      const v = checkTables(ctx.pgt, ctx.deep).violations;
      return v.length ? v.join("; ") : null;
    },
  },
  {
    name: "reference model",
    check: (ctx) => (ctx.deep ? ctx.model.selfCheck() : null) ?? (ctx.model.pagesInUse() === ctx.pgt.store.inUse ? null : `the table holds ${ctx.pgt.store.inUse} pages, the model ${ctx.model.pagesInUse()}`),
  },
  {
    name: "kernel WARN_ON",
    check: (ctx) => (ctx.newWarnings.length === ctx.predicted.warnings ? null : `${ctx.newWarnings.length} WARN_ON (${ctx.newWarnings.join("; ")}), the model expects ${ctx.predicted.warnings}`),
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

/** Add a checker run after every op (see the module comment). */
export function registerOpChecker(c: OpChecker): void {
  OP_CHECKERS.push(c);
}

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

export interface CheckedRunOptions {
  /** Full dump comparison after every op (default: when the table is small, and every 16th op). */
  deep?: boolean;
  /** Seed of the IPA sampling (default 1). */
  sampleSeed?: number;
  /** Random extra samples per op (default 8). */
  randomSamples?: number;
  /** End with kvm_pgtable_stage2_destroy() on the table as it is, instead of unmapping everything first. */
  destroyWithoutUnmap?: boolean;
}

export interface CheckedSummary {
  ops: number;
  breaks: number;
  inPlace: number;
  callerOwed: number;
  maxTables: number;
}

/** A scenario being run with every check (see the module comment). */
/** Where the fast-path table differs from the checked one (null: nowhere). */
function sameAsFast(checked: KvmPgtable, fast: KvmPgtable, checkedResult: OpResult, fastRaw: OpResult | ModelOpResult): string | null {
  const a = JSON.stringify(checkedResult);
  const b = JSON.stringify(typeof fastRaw.ret === "number" && Array.isArray(fastRaw.events) ? fastRaw : { ret: 0, events: [] });
  if (a !== b) return `result ${a} with every visit generic, ${b} with the fast paths`;
  const x = checked.store;
  const y = fast.store;
  if (x.bump !== y.bump || x.inUse !== y.inUse) return `table pages: ${x.inUse} of ${x.bump} generic, ${y.inUse} of ${y.bump} fast`;
  for (let c = 0; c < x.chunks.length; c++) {
    if (Buffer.compare(Buffer.from(x.chunks[c].buffer), Buffer.from(y.chunks[c].buffer)) !== 0) return `table memory differs in chunk ${c}`;
  }
  if (Buffer.compare(Buffer.from(x.refcount.buffer, 0, x.bump * 4), Buffer.from(y.refcount.buffer, 0, y.bump * 4)) !== 0) return "refcounts differ";
  return null;
}

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
  private maxTables = 0;

  constructor(scn: Scenario, opts: CheckedRunOptions = {}) {
    this.scn = scn;
    this.opts = opts;
    this.pgt = newScenarioTable(scn);
    this.fast = newScenarioTable(scn);
    this.model = new RefModel(scn.config, scn.memcache, this.pgt.store.maxPages);
    this.bbm.attach(this.pgt);
    this.random = rng(opts.sampleSeed ?? 1);
  }

  /** Run every op, then unmap everything and destroy the table, checking all the way. */
  run(): CheckedSummary {
    for (let i = 0; i < this.scn.ops.length; i++) this.step(i);
    this.finish();
    const s = this.bbm.stats;
    return { ops: this.scn.ops.length, breaks: s.breaks, inPlace: s.inPlacePerms + s.inPlaceAf + s.inPlaceSw, callerOwed: s.callerOwed, maxTables: this.maxTables };
  }

  /** Run op `i` of the scenario and check it. */
  step(i: number): OpResult {
    const result = this.checkedOp(i, this.scn.ops[i], () => runScenarioOp(this.pgt, this.scn, i));
    const fast = runOp(this.fast, this.scn.ops[i], this.scn);
    const why = sameAsFast(this.pgt, this.fast, this.results[this.results.length - 1], fast);
    if (why !== null) throw new InvariantViolation("fast paths agree", i, why);
    return result;
  }

  private checkedOp(index: number, op: ScenarioOp, run: () => OpResult | ModelOpResult): OpResult {
    const pgt = this.pgt;
    const warnBefore = pgt.warnings.length;
    const firstLog = pgt.log.length;
    this.bbm.beginOp(op.op === "map" || op.op === "relax_perms" || op.op === "mkyoung" ? op.flags : 0);
    const raw = run();
    // A model-only op's result has its own fields and no ret or events: it
    // reads the table and asks for no maintenance.
    const result: OpResult = typeof raw.ret === "number" && Array.isArray(raw.events) ? (raw as OpResult) : { ret: 0, events: [] };
    // Model-only ops (OP_SPECS[..].model, e.g. a translation) read the table and
    // change nothing; the checker their module registers judges their answers.
    const predicted: RefResult = OP_SPECS[op.op]?.model === true ? { ret: result.ret, warnings: 0 } : this.model.apply(op);
    this.results.push(result);
    this.maxTables = Math.max(this.maxTables, pgt.store.inUse);

    const bbm = this.bbm.endOp(result.events.map(toTlbiEvent), firstLog);
    if (bbm.length) throw new InvariantViolation("break-before-make", index, bbm.join("; "));

    const ctx: OpCheckContext = {
      pgt,
      model: this.model,
      scn: this.scn,
      index,
      op,
      result,
      predicted,
      newWarnings: pgt.warnings.slice(warnBefore),
      samples: this.samplesFor(op),
      deep: this.opts.deep ?? (this.model.leaves.size + this.model.tables.size <= 2048 || index % 16 === 15),
    };
    for (const c of OP_CHECKERS) {
      const why = c.check(ctx);
      if (why !== null) throw new InvariantViolation(c.name, index, why);
    }
    return result;
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
      const all = leaves.size <= 64 ? [...leaves.values()] : null;
      for (let k = 0; k < (all ? all.length : n); k++) {
        let leaf: RefLeaf | undefined;
        if (all) leaf = all[k];
        else {
          // A random leaf without materialising the map: walk a random distance into it.
          const skip = Math.floor(this.random() * Math.min(leaves.size, 4096));
          let j = 0;
          for (const l of leaves.values()) if (j++ === skip) { leaf = l; break; }
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
      const op: ScenarioOp = { op: "unmap", ipa: lo, size: hi - lo, pa: 0, prot: 0, flags: 0, owner: 0, mkold: false, va: 0n, access: "r", el: 1, attr: -1, sh: -1 };
      this.checkedOp(index, op, () => runOp(this.pgt, op, this.scn));
    }
    if (!this.opts.destroyWithoutUnmap) {
      const initial = checkInitialState(this.pgt);
      if (this.model.leaves.size || this.model.tables.size) initial.push(`the model still holds ${this.model.leaves.size} leaves and ${this.model.tables.size} tables`);
      if (initial.length) throw new InvariantViolation("unmap everything", index, initial.join("; "));
    }
    const warnBefore = this.pgt.warnings.length;
    this.pgt.destroy();
    const store = this.pgt.store;
    if (store.inUse !== 0 || this.pgt.warnings.length !== warnBefore) {
      throw new InvariantViolation("destroy", index, `${store.inUse} pages still in use after kvm_pgtable_stage2_destroy (warnings: ${this.pgt.warnings.slice(warnBefore).join("; ")})`);
    }
    this.bbm.detach();
  }
}

function toTlbiEvent(ev: EventJson): TlbiEvent {
  const kind = (EVENT_NAMES as readonly string[]).indexOf(ev[0]);
  if (ev.length === 1) return { kind, a: 0, b: 0 };
  return { kind, a: Number(BigInt(ev[1])), b: typeof ev[2] === "number" ? ev[2] : Number(BigInt(ev[2])) };
}

/** Replay a scenario with every check; throws InvariantViolation (or InputError for a refused op). */
export function checkScenario(scn: Scenario, opts: CheckedRunOptions = {}): CheckedSummary {
  return new CheckedRun(scn, opts).run();
}
