/**
 * `s2pt/kvm`: what KVM/arm64 does around the page table. The memory type
 * user_mem_abort() picks for a mapping in each kernel era (before and after
 * the 2023 write-combining / cacheable-IO series: `s2pt explain`), the
 * hazards each choice carries; the path of a guest's stage-2 abort through
 * kvm_handle_guest_abort() (`s2pt fault`), replayed on a table; and the
 * registers `s2pt reg` decodes, by name.
 *
 * Register values from a crash log (ESR_EL2, FAR_EL2, HPFAR_EL2) are
 * `bigint`s; addresses are numbers below 2^53; results are JSON-safe.
 *
 * @module s2pt/kvm
 */

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
  type PolicyStep,
  type FaultAccess,
  type CpuInputs,
} from "./policy.js";
export {
  kvmVmaIsCacheable,
  vmaInputs,
  PGPROTS,
  VMA_KIND_INFO,
  type VmaInputs,
  type VmaKind,
  type VmaPgprot,
  type VmaKindInfo,
  type PgprotInfo,
} from "./vma.js";
export {
  explainEra,
  explainEras,
  explanationJson,
  formatExplain,
  DEFAULT_EXAMPLE_PA,
  type ExplainOptions,
  type EraExplanation,
  type ExplainedLeaf,
} from "./explain.js";
export { HAZARD_GLOSSARY, type Hazard, type HazardId, type EffectiveClass } from "./hazards.js";
export { GUEST_ATTR_NAMES, type GuestChoice, type GuestAttrName } from "./guest.js";
export {
  REGISTERS,
  findRegister,
  nearestRegister,
  registerByName,
  decodeRegister,
  type RegisterInfo,
  type RegisterDecode,
  type RegisterOptions,
} from "./registers.js";
export {
  abortFacts,
  kvmHandleGuestAbort,
  replayAbort,
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
  type LeafLookup,
  type OutcomeKind,
  type WalkSummary,
} from "./abort.js";
