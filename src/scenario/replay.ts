/**
 * Replaying a scenario (FORMAT.md) on the model and producing its result in
 * the exact form of the kernel's expected files.
 */

import { KVM_PGTABLE_LAST_LEVEL, PTE_TYPE_LO, PTE_VALID_LO, ADDR_51_48_LO, ADDR_51_50_LPA2_LO } from "../pgtable/descriptor.js";
import { EVENT_NAMES, MaintenanceLog, eventJson, type EventJson } from "../pgtable/events.js";
import { sizeText } from "../pgtable/limits.js";
import { KvmPgtable } from "../pgtable/pgtable.js";
import { ArgumentError } from "../pgtable/args.js";
import { InputError, hex, hexHalves } from "../pgtable/u64.js";
import { MAX_DUMP_RECORDS, MAX_EVENT_RECORDS, MAX_SCENARIO_WORK, SCENARIO_TABLE_BYTES, WorkBudget, checkOpWork, scenarioMaxPages } from "./limits.js";
import { OP_SPECS } from "./ops.js";
import type { ExecResult, KindCounts, ModelOpResult, OpResult, Scenario, ScenarioOp } from "./types.js";
import { checkInstance, checkInt, checkKnownKeys, checkObject, checkShape } from "../pgtable/args.js";
import { checkScenarioArg, checkWorkBudget } from "./args.js";

/** The pgtable.c whose behaviour the model reproduces (and the conformance oracle). */
export const ORACLE = "linux 6.18.25 (gregkh/linux 735d394779c92a6f31bf050233082d6e09355b09)";

/** One non-zero descriptor of the final table, as FORMAT.md's `dump` lists it. */
export interface DumpEntry {
  level: number;
  ipa: string;
  kind: "table" | "block" | "page" | "invalid";
  pte: string;
  refcount: number | null;
}

/**
 * What a result left out because of its record limits: events per kind
 * (over all ops), dump entries per kind (the dump holds the first ones, in
 * walk order), and the limits themselves. Absent when nothing was left out,
 * so that an ordinary result is byte for byte the kernel's.
 */
export interface NotRecorded {
  events?: KindCounts;
  dump?: KindCounts;
  record_limits: { events: number; dump: number };
}

/** A replay's result in the exact form of the kernel's expected files (FORMAT.md). */
export interface ReplayResult {
  name: string;
  oracle: string;
  derived: { start_level: number; pgd_pages: number };
  ops: Array<OpResult | ModelOpResult>;
  dump: DumpEntry[];
  root_refcounts: number[];
  not_recorded?: NotRecorded;
}

/** The largest record limit a RecordBudget takes (2^31 - 1: a limit, not a switch to turn the bound off). */
const MAX_RECORD_LIMIT = 2 ** 31 - 1;

/**
 * The event and dump records a replay result may still hold
 * (MAX_EVENT_RECORDS over all its ops, MAX_DUMP_RECORDS dump entries), and
 * the events it left out, per kind. One budget may serve several results
 * (the CLI's replay of a directory shares one over the run, so that the run's
 * output is bounded, not only each result's).
 */
export class RecordBudget {
  eventsLeft: number;
  readonly eventsLimit: number;
  dumpLeft: number;
  readonly dumpLimit: number;
  readonly eventsNotRecorded = new Float64Array(EVENT_NAMES.length);
  constructor(events = MAX_EVENT_RECORDS, dump = MAX_DUMP_RECORDS) {
    // Whole numbers: NaN compared false with every count and acted as no limit at all.
    checkInt(events, "events", 0, MAX_RECORD_LIMIT, "a whole number of records");
    checkInt(dump, "dump", 0, MAX_RECORD_LIMIT, "a whole number of records");
    this.eventsLimit = events;
    this.eventsLeft = events;
    this.dumpLimit = dump;
    this.dumpLeft = dump;
  }
  /** Whether any event was left out. */
  get anyNotRecorded(): boolean {
    return this.eventsNotRecorded.some((n) => n > 0);
  }
}

/**
 * Run one operation of a scenario on the table, by its entry in the op
 * table (ops.ts): a kernel op leaves its events in pgt.log (from its length
 * before the call) and returns an ExecResult; a model op returns its own
 * result as `model`.
 */
export function execOp(pgt: KvmPgtable, op: ScenarioOp, scn: Scenario): { exec: ExecResult } | { model: OpResult | ModelOpResult } {
  pgt.store.memcache = scn.memcache;
  const spec = OP_SPECS[op.op];
  if (spec === undefined) throw new Error(`no runner for operation '${op.op}'`);
  if (spec.model === true) return { model: spec.run(pgt, op, scn) };
  return { exec: spec.run(pgt, op) };
}

/**
 * An op's result in FORMAT.md's form: ret, pte/level or young, then the
 * events from log position `first` on, as many as `records` still allows
 * (the rest counted per kind in `events_not_recorded`). The log is then
 * cut back to `first`.
 */
export function opResultOf(pgt: KvmPgtable, e: ExecResult, first: number, records: RecordBudget): OpResult {
  const log = pgt.log;
  const stored = log.length - first;
  const keep = Math.min(stored, records.eventsLeft);
  records.eventsLeft -= keep;
  const events: EventJson[] = [];
  for (let i = first; i < first + keep; i++) events.push(eventJson(log.kindAt(i), log.aAt(i), log.bAt(i)));
  // Left out: the stored events past the budget, and those the log only counted.
  const left = new Float64Array(EVENT_NAMES.length);
  for (let i = first + keep; i < log.length; i++) left[log.kindAt(i)]++;
  for (let k = 0; k < left.length; k++) left[k] += log.notRecorded[k];
  log.length = first;
  log.notRecorded.fill(0);
  // Keep FORMAT.md's key order: ret, pte/level or young, events.
  const res: OpResult =
    e.pte !== undefined
      ? { ret: e.ret, pte: e.pte, level: e.level, events }
      : e.young !== undefined
        ? { ret: e.ret, young: e.young, events }
        : { ret: e.ret, events };
  const nr = kindCounts(left, EVENT_NAMES);
  if (nr !== null) {
    res.events_not_recorded = nr;
    for (let k = 0; k < left.length; k++) records.eventsNotRecorded[k] += left[k];
  }
  return res;
}

function kindCounts(counts: ArrayLike<number>, names: readonly string[]): KindCounts | null {
  let out: KindCounts | null = null;
  for (let k = 0; k < names.length; k++) {
    if (counts[k] > 0) {
      out ??= {};
      out[names[k]] = counts[k];
    }
  }
  return out;
}

/**
 * Run one operation; its events are those it recorded (at most the
 * records `records` still allows, MAX_EVENT_RECORDS for a fresh budget).
 * The log's not-recorded counts are consumed by the op.
 */
export function runOp(pgt: KvmPgtable, op: ScenarioOp, scn: Scenario, records: RecordBudget = new RecordBudget()): OpResult | ModelOpResult {
  const first = pgt.log.length;
  pgt.log.notRecorded.fill(0);
  const r = execOp(pgt, op, scn);
  if ("model" in r) return r.model;
  return opResultOf(pgt, r.exec, first, records);
}

const DUMP_KINDS = ["table", "block", "page", "invalid"] as const;

/**
 * The final table: every non-zero descriptor in walk order (FORMAT.md
 * `dump`), the first `max` of them as entries and the rest counted per
 * kind (`notRecorded`, null when none was left out).
 */
export function dumpTableBounded(pgt: KvmPgtable, max: number): { dump: DumpEntry[]; notRecorded: KindCounts | null } {
  const out: DumpEntry[] = [];
  const left = new Float64Array(DUMP_KINDS.length);
  const g = pgt.geom;
  const f = pgt.fmt;
  // The output-address bits a table descriptor carries, zeroed in the dump.
  const oaLo = (f.addrLo | (f.highOa === 1 ? ADDR_51_48_LO : 0) | (f.highOa === 2 ? ADDR_51_50_LPA2_LO : 0)) >>> 0;
  const oaHi = f.addrHi;
  const add = (e: DumpEntry): void => {
    if (out.length < max) out.push(e);
    else left[DUMP_KINDS.indexOf(e.kind)]++;
  };
  const visit = (page: number, level: number, baseIpa: number): void => {
    const gran = pgt.granuleSize(level);
    for (let i = 0; i < g.ptrsPerPte; i++) {
      const lo = pgt.entryLo(page, i);
      const hi = pgt.entryHi(page, i);
      if ((lo | hi) === 0) continue;
      const ipa = baseIpa + i * gran;
      if (pgt.isTable(lo, level)) {
        const child = pgt.childPage(lo, hi);
        if (out.length < max)
          add({ level, ipa: hex(ipa), kind: "table", pte: hexHalves((lo & ~oaLo) >>> 0, (hi & ~oaHi) >>> 0), refcount: pgt.store.pageCount(child) });
        else left[0]++;
        visit(child, level + 1, ipa);
      } else {
        let kind: DumpEntry["kind"];
        if (!(lo & PTE_VALID_LO)) kind = "invalid";
        else if (level === KVM_PGTABLE_LAST_LEVEL) kind = "page";
        else kind = lo & PTE_TYPE_LO ? "table" : "block";
        // Past the limit only the count: no strings are built.
        if (out.length < max) add({ level, ipa: hex(ipa), kind, pte: hexHalves(lo, hi), refcount: null });
        else left[DUMP_KINDS.indexOf(kind)]++;
      }
    }
  };
  if (!pgt.destroyed) {
    const rootSpan = pgt.granuleSize(g.startLevel) * g.ptrsPerPte;
    for (let r = 0; r < g.pgdPages; r++) visit(pgt.pgd + r, g.startLevel, r * rootSpan);
  }
  return { dump: out, notRecorded: kindCounts(left, DUMP_KINDS) };
}

/** The final table: every non-zero descriptor in walk order (FORMAT.md `dump`), all of them. */
export function dumpTable(pgt: KvmPgtable): DumpEntry[] {
  return dumpTableBounded(pgt, Infinity).dump;
}

export function rootRefcounts(pgt: KvmPgtable): number[] {
  const out: number[] = [];
  for (let r = 0; r < pgt.geom.pgdPages; r++) out.push(pgt.store.pageCount(pgt.pgd + r));
  return out;
}

/**
 * The table a scenario starts from: its storage cap is the scenario's
 * (config `max_table_pages`) or SCENARIO_TABLE_BYTES of table pages, which
 * is also the most a scenario may ask for. `log`: the log to record into.
 */
export function newScenarioTable(scn: Scenario, log?: MaintenanceLog): KvmPgtable {
  const most = scenarioMaxPages(scn.config.granule);
  if (scn.maxTablePages !== undefined && scn.maxTablePages > most) {
    throw new InputError(
      `config.max_table_pages: ${scn.maxTablePages} is above s2pt's limit of ${most} table pages (${sizeText(SCENARIO_TABLE_BYTES)} of ${scn.config.granule / 1024}K tables) for a scenario`,
    );
  }
  return new KvmPgtable(scn.config, { maxPages: scn.maxTablePages ?? most }, log);
}

/**
 * Run op `index` of a scenario after checking that it fits s2pt's per-op
 * work limit and the scenario's work budget (limits.ts): an op too large
 * to run is refused with an InputError naming it, before anything is
 * written. A library argument the op's fields give and the library refuses
 * (a PA beyond the PA range) is named by its field.
 */
export function runScenarioOp(pgt: KvmPgtable, scn: Scenario, index: number, budget?: WorkBudget, records?: RecordBudget): OpResult | ModelOpResult {
  const op = scn.ops[index];
  const what = `ops[${index}] (${op.op})`;
  checkOpWork(pgt, op, scn.memcache, what);
  budget?.charge(pgt, op, scn.memcache, what);
  try {
    return runOp(pgt, op, scn, records);
  } catch (e) {
    throw opInputError(e, index, op);
  }
}

/** The op's own field for a library argument. */
const FIELD_OF: Readonly<Record<string, string>> = { addr: "ipa", phys: "pa", ownerId: "owner" };

/** An ArgumentError of the library as the scenario's field (`ops[3].pa: ...`); anything else as it is. */
export function opInputError(e: unknown, index: number, op: ScenarioOp): unknown {
  if (e instanceof ArgumentError) return new InputError(`ops[${index}].${FIELD_OF[e.arg] ?? e.arg} (${op.op}): ${e.detail}`);
  return e;
}

/**
 * Build the table for a scenario and run its operations, within the
 * scenario's work budget (MAX_SCENARIO_WORK unless `workBudget` says
 * otherwise), without building any result: what `s2pt dump` and `s2pt
 * walk` need. Events are counted, not recorded.
 */
export function replayTable(scn: Scenario, workBudget = MAX_SCENARIO_WORK): KvmPgtable {
  checkScenarioArg(scn);
  checkWorkBudget(workBudget, "workBudget");
  const pgt = newScenarioTable(scn, new MaintenanceLog(1024, 0));
  const budget = new WorkBudget(workBudget);
  for (let i = 0; i < scn.ops.length; i++) {
    const op = scn.ops[i];
    const what = `ops[${i}] (${op.op})`;
    checkOpWork(pgt, op, scn.memcache, what);
    budget.charge(pgt, op, scn.memcache, what);
    try {
      execOp(pgt, op, scn);
    } catch (e) {
      throw opInputError(e, i, op);
    }
    pgt.log.clear();
  }
  return pgt;
}

/**
 * Build the table for a scenario and run its operations (within the work
 * budget, as replayTable), and its result: FORMAT.md's, with at most
 * MAX_EVENT_RECORDS events and MAX_DUMP_RECORDS dump entries as records
 * and a `not_recorded` summary when anything was left out.
 */
export function replay(
  scn: Scenario,
  opts: { workBudget?: number; eventRecords?: number; dumpRecords?: number; records?: RecordBudget } = {},
): { result: ReplayResult; pgt: KvmPgtable } {
  checkScenarioArg(scn);
  checkReplayOpts(opts);
  const pgt = newScenarioTable(scn);
  const budget = new WorkBudget(opts.workBudget ?? MAX_SCENARIO_WORK);
  // The events this result left out are its own, even with a budget shared over several results.
  const records = opts.records ?? new RecordBudget(opts.eventRecords ?? MAX_EVENT_RECORDS, opts.dumpRecords ?? MAX_DUMP_RECORDS);
  const notBefore = records.eventsNotRecorded.slice();
  const ops = scn.ops.map((_, i) => runScenarioOp(pgt, scn, i, budget, records));
  const { dump, notRecorded } = dumpTableBounded(pgt, records.dumpLeft);
  records.dumpLeft -= dump.length;
  const result: ReplayResult = {
    name: scn.name,
    oracle: ORACLE,
    derived: { start_level: pgt.geom.startLevel, pgd_pages: pgt.geom.pgdPages },
    ops,
    dump,
    root_refcounts: rootRefcounts(pgt),
  };
  const events = kindCounts(
    records.eventsNotRecorded.map((n, k) => n - notBefore[k]),
    EVENT_NAMES,
  );
  if (events !== null || notRecorded !== null) {
    const nr: NotRecorded = { record_limits: { events: records.eventsLimit, dump: records.dumpLimit } };
    if (events !== null) nr.events = events;
    if (notRecorded !== null) nr.dump = notRecorded;
    // Key order: what was left out, then the limits.
    result.not_recorded = { ...(nr.events ? { events: nr.events } : {}), ...(nr.dump ? { dump: nr.dump } : {}), record_limits: nr.record_limits };
  }
  return { result, pgt };
}

/** replay()'s options: known fields of their types; `records` (a shared budget) replaces the two limits, which are then refused as changing nothing. */
function checkReplayOpts(opts: unknown): void {
  const o = checkObject(opts, "opts");
  checkKnownKeys(o, "opts", ["workBudget", "eventRecords", "dumpRecords", "records"]);
  if (o.workBudget !== undefined) checkWorkBudget(o.workBudget, "opts.workBudget");
  if (o.eventRecords !== undefined) checkInt(o.eventRecords, "opts.eventRecords", 0, MAX_RECORD_LIMIT, "a whole number of records");
  if (o.dumpRecords !== undefined) checkInt(o.dumpRecords, "opts.dumpRecords", 0, MAX_RECORD_LIMIT, "a whole number of records");
  if (o.records === undefined) return;
  checkInstance(o.records, "opts.records", RecordBudget, "a RecordBudget");
  for (const k of ["eventRecords", "dumpRecords"])
    if (o[k] !== undefined) throw new ArgumentError(`opts.${k}`, `changes nothing with opts.records (the shared budget's own limits apply)`);
}

/** JSON.stringify on one line with ", " and ": " (the layout of the expected files). */
export function inlineJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(inlineJson).join(", ") + "]";
  return (
    "{" +
    Object.entries(v)
      .map(([k, x]) => JSON.stringify(k) + ": " + inlineJson(x))
      .join(", ") +
    "}"
  );
}

/** A result as text, laid out like the kernel's expected files (one op or dump entry per line). */
export function formatResult(r: ReplayResult | Record<string, unknown>): string {
  // A result of replay(): {} used to give "{\n}".
  checkShape(r, "r", { name: "string", oracle: "string", derived: "object", ops: "array", dump: "array", root_refcounts: "array" }, "replay()");
  const lines: string[] = ["{"];
  const entries = Object.entries(r);
  entries.forEach(([k, v], i) => {
    const comma = i < entries.length - 1 ? "," : "";
    if (Array.isArray(v) && (k === "ops" || k === "dump")) {
      lines.push(`  ${JSON.stringify(k)}: [`);
      v.forEach((x, j) => lines.push(`    ${inlineJson(x)}${j < v.length - 1 ? "," : ""}`));
      lines.push(`  ]${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(k)}: ${inlineJson(v)}${comma}`);
    }
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}
