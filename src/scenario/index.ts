/**
 * `s2pt/scenario`: scenario files (../shared/conformance/FORMAT.md, the
 * kernel's contract, plus s2pt's model-only ops and guest section), read
 * strictly, replayed on the model, and the result in the exact form of the
 * kernel's expected files; the first divergence from an expected result.
 *
 * The op table (OP_SPECS) names every op a scenario may hold, kernel and
 * model-only, with its fields, its work bound and its runner. A replay is
 * bounded as a whole (work, records, table memory): an op beyond a bound is
 * refused with one InputError naming it. Results are JSON (FORMAT.md).
 *
 * @module s2pt/scenario
 */

export type { Scenario, ScenarioOp, OpFieldName, FieldKind, OpResult, ModelOpResult, ExecResult, KindCounts } from "./types.js";
export { parseScenario, parseScenarioText, formatScenario, scenarioToJson, opToJson, FIELD_KINDS, type FieldKindSpec } from "./format.js";
export { parseGuest } from "./guest.js";
export { imageFromJson, imageFromBinary, imageToJson, imageToBinary, imageOfScenario, type ImageRegisters, type ScenarioImage } from "./image.js";
export { OP_SPECS, isOp, type OpSpec, type KernelOpSpec, type ModelOpSpec, type OpWork } from "./ops.js";
export { replay, replayTable, formatResult, RecordBudget, ORACLE, type ReplayResult, type DumpEntry, type NotRecorded } from "./replay.js";
export { firstDivergence, readExpectedText } from "./compare.js";
export { MAX_SCENARIO_WORK, MAX_CHECK_WORK, MAX_EVENT_RECORDS, MAX_DUMP_RECORDS, SCENARIO_TABLE_BYTES, WorkBudget } from "./limits.js";
