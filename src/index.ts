/**
 * s2pt: a bit-exact model of the Arm stage-2 MMU as Linux KVM/arm64 builds
 * and uses it. The library API (BigInt only here at the edge; the hot paths
 * take doubles and 32-bit halves).
 */

export * from "./pgtable/descriptor.js";
export * from "./pgtable/geometry.js";
export { TableStore, type StorageOptions } from "./pgtable/storage.js";
export { KvmPgtable, type StoreHook } from "./pgtable/pgtable.js";
export { MaintenanceLog, EVENT_NAMES, MAX_TLBI_RANGE_PAGES, type EventJson } from "./pgtable/events.js";
export { decodeS2Descriptor, formatDecoded, protOfLeaf, protNames, type DecodedDescriptor, type DecodedField } from "./pgtable/decode.js";
export { encodeLeafChecked, protRefusal } from "./pgtable/leaf.js";
export { parseScenario, parseScenarioText, formatScenario, scenarioToJson, OP_SPECS, type Scenario, type ScenarioOp } from "./pgtable/scenario.js";
export { replay, runOp, runScenarioOp, newScenarioTable, dumpTable, formatResult, registerModelOp, ORACLE, type ReplayResult, type OpResult, type DumpEntry } from "./pgtable/replay.js";
export { MAX_OP_LEAVES, mapLeafCount, opLeafBound } from "./pgtable/limits.js";
export { RefModel, type RefLeaf, type RefResult } from "./reliability/refmodel.js";
export { checkTables, checkInitialState, type TableCensus } from "./reliability/invariants.js";
export { BbmChecker, bbmSafe, BBM_SAFE_LO, BBM_SAFE_HI } from "./reliability/bbm.js";
export { CheckedRun, checkScenario, registerOpChecker, OP_CHECKERS, InvariantViolation, type OpChecker, type OpCheckContext } from "./reliability/checked.js";
export { firstDivergence } from "./pgtable/compare.js";
export { ptdump } from "./pgtable/ptdump.js";
export { InputError, parseU64, hex, joinU64, splitU64 } from "./pgtable/u64.js";
export { describeS2MemAttr, linuxS2MemAttrName } from "./mair/s2memattr.js";
