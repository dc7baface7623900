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
export { parseScenario, parseScenarioText, OP_SPECS, type Scenario, type ScenarioOp } from "./pgtable/scenario.js";
export { replay, runOp, dumpTable, formatResult, registerModelOp, ORACLE, type ReplayResult, type OpResult, type ModelOpResult, type DumpEntry } from "./pgtable/replay.js";
export { firstDivergence } from "./pgtable/compare.js";
export { ptdump } from "./pgtable/ptdump.js";
export { InputError, parseU64, hex, joinU64, splitU64 } from "./pgtable/u64.js";
export { describeS2MemAttr, linuxS2MemAttrName } from "./mair/s2memattr.js";
export * from "./walker/fault.js";
export { S2Walker, FAULT_STATUS, HW_SET_AF, HW_SET_DIRTY, blockDescSupported, type WalkerOptions } from "./walker/translate.js";
export { s2PermBits, PERM_R, PERM_W, PERM_X } from "./walker/perms.js";
export { s2LeafAttrs, type S2LeafAttrs } from "./walker/attrs.js";
export { walkIpa, formatWalkReport, walkReportJson, type WalkReport, type WalkStep, type WalkSuccess } from "./walker/describe.js";
// Registers the `translate` model op of replay.
export { runTranslateOp, replayWalker } from "./walker/op.js";
