/**
 * s2pt: a bit-exact model of the Arm stage-2 MMU as Linux KVM/arm64 builds
 * and uses it. The library API (BigInt only here at the edge; the hot paths
 * take doubles and 32-bit halves).
 */

export * from "./pgtable/descriptor.js";
export * from "./pgtable/geometry.js";
export { TableStore, type StorageOptions } from "./pgtable/storage.js";
export { KvmPgtable, type StoreHook } from "./pgtable/pgtable.js";
export { GetLeafBatch, GETLEAF_LANES, type GetLeafBatchOptions } from "./pgtable/getleaf.js";
export { MaintenanceLog, EVENT_NAMES, MAX_TLBI_RANGE_PAGES, DEFAULT_LOG_RECORDS, type EventJson } from "./pgtable/events.js";
export { decodeS2Descriptor, formatDecoded, protOfLeaf, protNames, type DecodedDescriptor, type DecodedField } from "./pgtable/decode.js";
export { encodeLeafChecked, protRefusal } from "./pgtable/leaf.js";
export { parseScenario, parseScenarioText, formatScenario, scenarioToJson, OP_SPECS, type Scenario, type ScenarioOp } from "./pgtable/scenario.js";
export {
  replay,
  replayTable,
  runOp,
  runScenarioOp,
  newScenarioTable,
  dumpTable,
  dumpTableBounded,
  formatResult,
  registerModelOp,
  ORACLE,
  type ReplayResult,
  type OpResult,
  type ModelOpResult,
  type DumpEntry,
  type NotRecorded,
} from "./pgtable/replay.js";
export {
  MAX_OP_LEAVES,
  MAX_SCENARIO_WORK,
  MAX_CHECK_WORK,
  MAX_EVENT_RECORDS,
  MAX_DUMP_RECORDS,
  SCENARIO_TABLE_BYTES,
  MAX_GUEST_LEAVES,
  WorkBudget,
  mapLeafCount,
  opLeafBound,
  opWorkBound,
} from "./pgtable/limits.js";
export { ArgumentError, PROT_KNOWN, WALK_FLAGS_KNOWN } from "./pgtable/args.js";
export { RefModel, type RefLeaf, type RefResult } from "./reliability/refmodel.js";
export { checkTables, checkTablesIn, checkInitialState, type TableCensus } from "./reliability/invariants.js";
export { BbmChecker, bbmSafe, BBM_SAFE_LO, BBM_SAFE_HI } from "./reliability/bbm.js";
export { CheckedRun, checkScenario, registerOpChecker, OP_CHECKERS, InvariantViolation, type OpChecker, type OpCheckContext } from "./reliability/checked.js";
export { firstDivergence } from "./pgtable/compare.js";
export { ptdump } from "./pgtable/ptdump.js";
export { InputError, parseU64, hex, joinU64, splitU64 } from "./pgtable/u64.js";
export { describeS2MemAttr, linuxS2MemAttrName } from "./mair/s2memattr.js";
export * from "./mair/attrs.js";
export {
  s1AttrReserved,
  validS1Attrs,
  s1DecodeMemAttrs,
  decodeLDFAttr,
  describeMairAttr,
  linuxMairName,
  LINUX_MAIR_ATTRS,
  type S1Features,
  type MairAttrDescription,
} from "./mair/mair.js";
export { s2DecodeMemAttrs, s2DecodeCacheability, s2InnerReserved, decodeS2MemAttr, type S2MemAttrKind, type S2MemAttrDescription } from "./mair/s2memattr.js";
export { encodePARAttrs, parEncodeShareability } from "./mair/par.js";
export { formatCombine } from "./mair/format.js";
export {
  combineS1S2,
  combineAttrSh,
  combineAttr,
  combineSh,
  combineTable,
  combineIndex,
  combineTableRows,
  COMBINE_TABLE_SIZE,
  resolveOptions,
  s2CombineS1MemAttrs,
  s2ApplyFWBMemAttrs,
  s2CombineS1Shareability,
  s2CombineS1Device,
  s2CombineS1AttrHints,
  s2MemTagType,
  effectiveShareability,
  type CombineOptions,
  type CombineConfig,
  type CombineResult,
  type CombineStep,
  type CombineOutcome,
  type CombineTable,
  type OpenReason,
} from "./mair/combine.js";
export {
  userMemAbortPolicy,
  kvmArchPrepareMemoryRegion,
  kvmSupportsCacheablePfnmap,
  kvmIsDevicePfn,
  parseEras,
  ERAS,
  ERA_IDS,
  type Era,
  type EraInfo,
  type PolicyInputs,
  type PolicyResult,
  type PolicyMap,
  type PolicyError,
  type FaultAccess,
} from "./kvm/policy.js";
export { kvmVmaIsCacheable, vmaInputs, PGPROTS, VMA_KIND_INFO, type VmaInputs, type VmaKind, type VmaPgprot } from "./kvm/vma.js";
export { explainEra, explainEras, explanationJson, formatExplain, type ExplainOptions, type EraExplanation } from "./kvm/explain.js";
export { HAZARD_GLOSSARY, type Hazard, type HazardId } from "./kvm/hazards.js";
export * from "./walker/fault.js";
export { S2Walker, FAULT_STATUS, HW_SET_AF, HW_SET_DIRTY, blockDescSupported, type WalkerOptions } from "./walker/translate.js";
export { s2PermBits, PERM_R, PERM_W, PERM_X } from "./walker/perms.js";
export { s2LeafAttrs, type S2LeafAttrs } from "./walker/attrs.js";
export {
  walkIpa,
  walkReportOf,
  traceSteps,
  formatWalkReport,
  walkReportJson,
  combinedJson,
  type WalkReport,
  type WalkStep,
  type WalkSuccess,
  type Stage1Attrs,
} from "./walker/describe.js";
export { combineWithLeaf, combinedOfLastWalk, s2LeafSh, vtcrSh0, type CombineControls } from "./walker/memtype.js";
// Registers the `translate` model op of replay.
export { runTranslateOp, replayWalker } from "./walker/op.js";
export * from "./pgtable/s1descriptor.js";
export { GuestMemory } from "./stage1/memory.js";
export {
  decodeTcr,
  encodeTcr,
  checkTcr,
  regionGeometry,
  s1OutputBits,
  ttbrTableBase,
  mairBytes,
  mairValue,
  type TcrFields,
  type SctlrFields,
  type HcrFields,
  type GuestConfig,
  type RegionGeometry,
} from "./stage1/config.js";
export { parseGuest, type GuestSpec, type GuestMapping } from "./stage1/scenario.js";
export { buildGuest, type BuiltGuest, type BuiltTable } from "./stage1/builder.js";
export {
  NestedWalker,
  STAGE_NONE,
  STAGE_1,
  STAGE_2,
  S1_PERM_R,
  S1_PERM_W,
  S1_PERM_X,
  S1_HW_AF,
  S1_HW_DIRTY,
  S2_FOR_TABLE,
  S2_FOR_OUTPUT,
  S2_FOR_UPDATE,
  type S2WalkHook,
} from "./stage1/walk.js";
export { guestOf, builtGuest, nestedWalker, nestedMemType, nestedMemTypeAttrSh, guestCombineOptions } from "./stage1/guest.js";
export { s1FaultReport, s1AbortEc, type S1FaultReport } from "./stage1/fault.js";
export { walkVa, formatNestedReport, nestedReportJson, type NestedReport, type NestedFault, type S1StepReport, type S1LeafReport } from "./stage1/describe.js";
// Registers the `translate_va` model op of replay.
export { runTranslateVaOp, replayNestedWalker } from "./stage1/op.js";
// System registers: one definition of every field (src/regs), pure decoders returning JSON-safe field lists.
export {
  field,
  bit,
  res0,
  res1,
  fieldGet,
  fieldNum,
  fieldPrep,
  decodeFields,
  reassemble,
  checkLayout,
  type FieldDef,
  type FieldKind,
  type Layout,
  type DecodedRegister,
  type DecodedRegField,
} from "./regs/field.js";
export { formatRegister } from "./regs/format.js";
export {
  ESR,
  ABT,
  DABT_ISS2,
  SYS64,
  SERR,
  EC_TABLE,
  EC_CODES,
  ecInfo,
  esrLayout,
  decodeEsr,
  isDataAbortEc,
  isInstructionAbortEc,
  type EcInfo,
} from "./regs/esr.js";
export { FSC_TABLE, fscInfo, fscWords, ldfscCode, type FscInfo, type FscKind } from "./regs/fsc.js";
export { HPFAR, HPFAR_LAYOUT, hpfarIpa, decodeHpfar } from "./regs/hpfar.js";
export { FAR, decodeFar } from "./regs/far.js";
export { PAR, PAR_SUCCESS_LAYOUT, PAR_FAULT_LAYOUT, parPa, decodePar } from "./regs/par.js";
export { VTCR, VTCR_LAYOUT, vtcrGranule, vtcrStartLevel, decodeVtcr } from "./regs/vtcr.js";
export { VTTBR, VTTBR_LAYOUT, vttbrBaseAddress, decodeVttbr } from "./regs/vttbr.js";
export { MAIR_ATTR, mairAttr, mairFromBytes, decodeMair } from "./regs/mair.js";
export { TCR, TCR_LAYOUT, decodeTcrRegister } from "./regs/tcr.js";
export { SCTLR, SCTLR_LAYOUT, decodeSctlr } from "./regs/sctlr.js";
export { HCR, HCR_LAYOUT, decodeHcr } from "./regs/hcr.js";
export { MMFR0, MMFR1, MMFR2, decodeMmfr0, decodeMmfr1, decodeMmfr2 } from "./regs/idregs.js";
export {
  REGISTERS,
  findRegister,
  nearestRegister,
  registerByName,
  decodeRegister,
  type RegisterInfo,
  type RegisterDecode,
  type RegisterOptions,
} from "./kvm/registers.js";
export {
  abortFacts,
  hpfarValidFor,
  kvmHandleGuestAbort,
  replayAbort,
  tableLeafAt,
  abortPathJson,
  formatAbortPath,
  type AbortRegs,
  type AbortConfig,
  type AbortFacts,
  type AbortPath,
  type AbortStep,
  type AbortOutcome,
  type AbortReplay,
  type KvmOp,
  type TableSource,
  type MemslotKind,
} from "./kvm/abort.js";
export { parValue } from "./mair/par.js";
