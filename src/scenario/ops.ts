/**
 * The op table: every operation a scenario may hold, by name, with the
 * fields it takes (in FORMAT.md's order), how a run bounds its work, and
 * the function that runs it. The parser (format.ts), the writer, the replay
 * engine (replay.ts), the work budget (limits.ts) and the checked replay
 * (src/reliability) read this one table; nothing registers itself.
 *
 * Kernel ops are FORMAT.md's contract: each is one call of pgtable.c's API
 * on the model (src/pgtable), and its result is FORMAT.md's (ret, pte/level
 * or young, the maintenance events). Model-only ops (`model: true`) are
 * s2pt's extensions, documented in docs/walker.md and docs/two-stage.md:
 * what the hardware does with the table at that point of the scenario, with
 * a result of their own and no events. A new model op is one entry here,
 * with its runner; its fields are of the kinds types.ts lists (a field of a
 * new kind is that kind in FieldKind, its reader and writer in format.ts
 * FIELD_KINDS, and the ScenarioOp member that holds the value).
 */

import { leafBound, type LeafBound } from "../pgtable/limits.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { hexHalves } from "../pgtable/u64.js";
import { runTranslateOp, runTranslateVaOp } from "./translate.js";
import type { ExecResult, FieldKind, ModelOpResult, OpFieldName, Scenario, ScenarioOp } from "./types.js";
import { checkString } from "../pgtable/args.js";

/** How the scenario's work budget charges an op (limits.ts opWorkBound). */
export type OpWork = "leaves" | "range" | "range+leaves" | "one";

interface OpSpecBase {
  /** Field name -> kind, in the order FORMAT.md lists them. */
  readonly fields: Readonly<Partial<Record<OpFieldName, FieldKind>>>;
  /** Fields that may be left out. */
  readonly optional?: readonly OpFieldName[];
  /** Needs the scenario's `guest` section (parseScenario refuses it without one). */
  readonly guest?: boolean;
  /**
   * How the work budget charges it: by its leaf bound, by the pages of its
   * range (plus its leaf bound), or 1 (the default: one-page and model ops).
   */
  readonly work?: OpWork;
  /** The most leaf descriptors it may write on this table (ops that write leaves). */
  readonly leaves?: (pgt: KvmPgtable, op: ScenarioOp, memcache: number) => LeafBound;
}

/** A kernel entry point: runs on the table, leaves its events in pgt.log. */
export interface KernelOpSpec extends OpSpecBase {
  /** A kernel op. */
  readonly model?: false;
  /** Run the op on the table (memory cache already set). */
  readonly run: (pgt: KvmPgtable, op: ScenarioOp) => ExecResult;
}

/** An s2pt extension: what the hardware does with the table at this point. */
export interface ModelOpSpec extends OpSpecBase {
  /** Not a kernel entry point. */
  readonly model: true;
  /** Run the op; its result is its own record. */
  readonly run: (pgt: KvmPgtable, op: ScenarioOp, scn: Scenario) => ModelOpResult;
}

/** One entry of the op table. */
export type OpSpec = KernelOpSpec | ModelOpSpec;

function ret(r: number): ExecResult {
  return { ret: r };
}

/** The operations a scenario may hold: their fields, bounds and runners. */
export const OP_SPECS: Readonly<Record<string, OpSpec>> = {
  map: {
    fields: { ipa: "addr", size: "addr", pa: "addr", prot: "prot", flags: "flags" },
    work: "leaves",
    leaves: (pgt, op, mc) => leafBound(pgt, "map", op.ipa, op.size, op.pa, op.prot, op.owner, mc),
    run: (pgt, op) => ret(pgt.map(op.ipa, op.size, op.pa, op.prot, op.flags)),
  },
  unmap: {
    fields: { ipa: "addr", size: "addr" },
    work: "range+leaves",
    leaves: (pgt, op, mc) => leafBound(pgt, "unmap", op.ipa, op.size, 0, 0, 0, mc),
    run: (pgt, op) => ret(pgt.unmap(op.ipa, op.size)),
  },
  wrprotect: { fields: { ipa: "addr", size: "addr" }, work: "range", run: (pgt, op) => ret(pgt.wrprotect(op.ipa, op.size)) },
  mkyoung: {
    fields: { ipa: "addr", flags: "flags" },
    run: (pgt, op) => {
      pgt.mkyoung(op.ipa, op.flags);
      return ret(0);
    },
  },
  test_clear_young: {
    fields: { ipa: "addr", size: "addr", mkold: "bool" },
    work: "range",
    run: (pgt, op) => ({ ret: 0, young: pgt.testClearYoung(op.ipa, op.size, op.mkold) }),
  },
  relax_perms: { fields: { ipa: "addr", prot: "prot", flags: "flags" }, run: (pgt, op) => ret(pgt.relaxPerms(op.ipa, op.prot, op.flags)) },
  flush: { fields: { ipa: "addr", size: "addr" }, work: "range", run: (pgt, op) => ret(pgt.flush(op.ipa, op.size)) },
  split: {
    fields: { ipa: "addr", size: "addr" },
    work: "leaves",
    leaves: (pgt, op, mc) => leafBound(pgt, "split", op.ipa, op.size, op.pa, op.prot, op.owner, mc),
    run: (pgt, op) => ret(pgt.split(op.ipa, op.size)),
  },
  set_owner: {
    fields: { ipa: "addr", size: "addr", owner: "owner" },
    work: "leaves",
    leaves: (pgt, op, mc) => leafBound(pgt, "set_owner", op.ipa, op.size, op.pa, op.prot, op.owner, mc),
    run: (pgt, op) => ret(pgt.setOwner(op.ipa, op.size, op.owner)),
  },
  get_leaf: {
    fields: { ipa: "addr" },
    run: (pgt, op) => {
      const r = pgt.getLeafFast(op.ipa);
      return r === 0 ? { ret: r, pte: hexHalves(pgt.leafLo, pgt.leafHi), level: pgt.leafLevel } : ret(r);
    },
  },
  // The hardware's stage-2 translation of ipa for one access (docs/walker.md).
  translate: { fields: { ipa: "addr", access: "access", el: "el" }, optional: ["el"], model: true, run: runTranslateOp },
  // The two-stage translation of a guest VA (docs/two-stage.md).
  translate_va: { fields: { va: "va", access: "access", el: "el" }, optional: ["el"], model: true, guest: true, run: runTranslateVaOp },
};

/** Whether `name` is an operation of the op table. */
export function isOp(name: string): boolean {
  checkString(name, "name");
  return Object.prototype.hasOwnProperty.call(OP_SPECS, name);
}
