/**
 * What a check run after every op of a checked replay (checked.ts) is
 * given and returns. A checker is a plain object: checked.ts lists the
 * checkers it runs (OP_CHECKERS), and a module that provides one
 * (walker-check.ts) imports only these types.
 */

import type { KvmPgtable } from "../pgtable/pgtable.js";
import type { OpResult, Scenario, ScenarioOp } from "../scenario/types.js";
import type { RefModel, RefResult } from "./refmodel.js";

/** Everything a checker may look at after one op. */
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
  /**
   * Whether this op gets the full comparisons (the whole table's structure,
   * the dump, free pages, the fast table's whole arena): every op with
   * `--deep` or while the table is small, else on a schedule that keeps a
   * checked run linear in its work (CheckedRun).
   */
  deep: boolean;
  /** The IPA range [start, end) the op can have changed (page-aligned, clamped to the IPA space). */
  range: [number, number];
}

/** One comparison run after every op: returns null, or what is wrong. */
export interface OpChecker {
  name: string;
  /** Check after one op: null, or what is wrong (one line). */
  check(ctx: OpCheckContext): string | null;
}
