/**
 * `s2pt/reliability`: the checks behind `s2pt check`, the property tests
 * and the fuzzer. A scenario replayed with every invariant checked after
 * every op: the table's structure and refcounts, break-before-make from the
 * op's own stores and TLBIs, and an independent reference model (written
 * from the kernel's documented semantics) that get_leaf, the dump and the
 * hardware walk must agree with. The first broken invariant is an
 * InvariantViolation naming the op, the check and what differs.
 *
 * @module s2pt/reliability
 */

export { checkScenario, CheckedRun, InvariantViolation, OP_CHECKERS, type CheckedRunOptions, type CheckedSummary } from "./checked.js";
export type { OpChecker, OpCheckContext } from "./checker.js";
export { RefModel, MEM_NORMAL, MEM_DEVICE, MEM_NORMAL_NC, type RefLeaf, type RefResult, type RefOp, type MemKind } from "./refmodel.js";
export { checkTables, checkTablesIn, checkInitialState, type TableCensus } from "./invariants.js";
export { BbmChecker, type BbmStats, type TlbiEvent } from "./bbm.js";
