/**
 * The bounds of a whole scenario run (replay, dump, walk, check), on top of
 * the per-call bounds of src/pgtable/limits.ts. Every bound is checked
 * before the work it bounds starts; a refusal is one InputError naming the
 * op (by index and kind) and the bound. docs/reliability.md ("Resource
 * bounds") lists the numbers and how each was measured.
 *
 *   - work: every op is charged, before it runs, the most table entries it
 *     may visit or write (opWorkBound); the sum may not pass
 *     MAX_SCENARIO_WORK (MAX_CHECK_WORK for `check`, whose reference model
 *     costs a JavaScript object per leaf). The op that would pass it is
 *     refused, named by index and kind.
 *   - records: a replay result keeps at most MAX_EVENT_RECORDS events and
 *     MAX_DUMP_RECORDS dump entries as JSON; the rest are counted per kind
 *     and the result says so (replay.ts).
 *   - table memory: SCENARIO_TABLE_BYTES of table pages by default, the
 *     most config `max_table_pages` may ask for; the guest builder's pages
 *     (src/stage1/builder.ts, at most MAX_GUEST_LEAVES leaves) count too.
 */

import { MAX_OP_LEAVES, refuseLeaves, walkRange, type LeafBound } from "../pgtable/limits.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { InputError } from "../pgtable/u64.js";
import { OP_SPECS } from "./ops.js";
import type { ScenarioOp } from "./types.js";
import { checkWorkBudget } from "./args.js";

/** Most table entries the ops of one replayed scenario may visit or write, summed (16 maps of 4 GiB as 4K pages). */
export const MAX_SCENARIO_WORK = 2 ** 24;

/** The same for `s2pt check`, whose reference model and break-before-make checker hold a JavaScript object per leaf (one op of MAX_OP_LEAVES). */
export const MAX_CHECK_WORK = 2 ** 20;

/** Most maintenance events a replay result keeps as JSON records, over all its ops; the rest are counted per kind. */
export const MAX_EVENT_RECORDS = 2 ** 16;

/** Most `dump` entries a replay result keeps; the rest are counted per kind. */
export const MAX_DUMP_RECORDS = 2 ** 16;

/** Table memory a scenario's stage-2 table may hold by default (root pages included), and the most config `max_table_pages` may ask for. */
export const SCENARIO_TABLE_BYTES = 2 ** 28;

/** The table pages a scenario's table may hold at most, for a granule. */
export function scenarioMaxPages(granule: number): number {
  return SCENARIO_TABLE_BYTES / granule;
}

/** The leaves an op may write on this table (its op table entry's `leaves`; none for the ops that write none). */
export function opLeafBound(pgt: KvmPgtable, op: ScenarioOp, memcache: number): LeafBound {
  const leaves = OP_SPECS[op.op]?.leaves;
  if (leaves !== undefined) return leaves(pgt, op, memcache);
  return { asked: 0, reach: (pgt.store.inUse + Math.min(memcache, pgt.store.maxPages)) * pgt.geom.ptrsPerPte, bound: 0, kind: "map" };
}

/** Refuse (InputError naming `what`) an op that could write more than MAX_OP_LEAVES leaves. */
export function checkOpWork(pgt: KvmPgtable, op: ScenarioOp, memcache: number, what: string): void {
  const b = opLeafBound(pgt, op, memcache);
  if (b.bound > MAX_OP_LEAVES) refuseLeaves(what, b.kind, b);
}

/**
 * The most table entries a scenario op may visit or write, for the
 * scenario's work budget: the leaf bound of the ops that write leaves; for
 * the ops that rewrite what is there, the smaller of the pages in their
 * range and the entries of every page in use; 1 for the one-page ops and
 * the model's own (translate, translate_va). At least 1, so that an op of
 * MAX_OP_LEAVES leaves is charged exactly that. Each op's entry in the op
 * table (ops.ts) says which of these it is (`work`).
 */
export function opWorkBound(pgt: KvmPgtable, op: ScenarioOp, memcache: number): number {
  const spec = OP_SPECS[op.op];
  switch (spec?.work) {
    case "leaves":
      return Math.max(1, opLeafBound(pgt, op, memcache).bound);
    case "range":
    case "range+leaves": {
      const range = walkRange(pgt, op.ipa, op.size);
      if (range === null || (op.op === "flush" && pgt.fwb)) return 1;
      const pages = (range[1] - range[0]) / pgt.geom.granule;
      const extra = spec.work === "range+leaves" ? opLeafBound(pgt, op, memcache).bound : 0;
      return Math.max(1, Math.min(pages, pgt.store.inUse * pgt.geom.ptrsPerPte) + extra);
    }
    default:
      return 1;
  }
}

/**
 * The work budget of one scenario run: each op is charged its opWorkBound()
 * before it runs; the op that would take the total past `limit` is refused
 * with one line naming it.
 */
export class WorkBudget {
  /** The most work the run may charge. */
  readonly limit: number;
  /** The work charged so far. */
  spent = 0;
  constructor(limit: number) {
    checkWorkBudget(limit, "limit");
    this.limit = limit;
  }

  /** Charge op `index` of a scenario (`what` names it), or throw the InputError that refuses it. */
  charge(pgt: KvmPgtable, op: ScenarioOp, memcache: number, what: string): void {
    const w = opWorkBound(pgt, op, memcache);
    if (this.spent + w > this.limit) {
      throw new InputError(
        `${what}: the scenario's work budget is spent: the ops before it may visit up to ${this.spent} table entries and this one up to ${w} more, ` +
          `beyond s2pt's limit of ${this.limit} per ${this.limit === MAX_CHECK_WORK ? "checked " : ""}scenario (docs/reliability.md, "Resource bounds")`,
      );
    }
    this.spent += w;
  }
}
