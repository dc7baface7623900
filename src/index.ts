/**
 * s2pt: a bit-exact model of the Arm stage-2 MMU as Linux KVM/arm64 builds
 * and uses it.
 *
 * The root export is what most users need for the three things s2pt is for:
 * validating descriptor encodings (decodeS2Descriptor, encodeLeaf,
 * leafVerdict), benchmarking and exploring the kernel's table operations
 * (KvmPgtable, stage2Geometry, the prots), and the attribute rules (walkIpa
 * over a table, combineS1S2, explainEras), plus the conformance workflow
 * (parseScenarioText, replay). Everything else is in the subpath of its part:
 * `s2pt/pgtable`, `s2pt/regs`, `s2pt/mair`, `s2pt/walker`, `s2pt/stage1`,
 * `s2pt/kvm`, `s2pt/scenario`, `s2pt/reliability`.
 *
 * Conventions, the same everywhere: an address or a size is a `number`, a
 * non-negative integer below 2^53; a descriptor, a register value or a guest
 * VA is a `bigint`. Results are returned, JSON-safe (addresses, sizes and
 * 64-bit values as "0x" hex strings). Bad arguments are refused with an
 * ArgumentError (an InputError) naming the argument, before anything changes.
 *
 * @module s2pt
 */

export {
  KvmPgtable,
  stage2Geometry,
  encodeLeaf,
  PROT_R,
  PROT_W,
  PROT_X,
  PROT_RW,
  PROT_RWX,
  PROT_DEVICE,
  PROT_NORMAL_NC,
  ERRNO_NAMES,
  ArgumentError,
  InputError,
  TableMemoryError,
  type GetLeafResult,
  type Stage2Config,
  type Geometry,
  type Granule,
  type EncodeLeafResult,
  type LeafEncodeSpec,
} from "./pgtable/index.js";
export {
  decodeS2Descriptor,
  leafVerdict,
  S2Walker,
  walkIpa,
  ACCESS_READ,
  ACCESS_WRITE,
  ACCESS_EXEC,
  type DecodedDescriptor,
  type DecodeOptions,
  type LeafVerdict,
  type WalkReport,
} from "./walker/index.js";
export { combineS1S2, type CombineOptions, type CombineResult } from "./mair/index.js";
export { explainEras, parseEras, type ExplainOptions, type EraExplanation, type PolicyInputs } from "./kvm/index.js";
export { parseScenarioText, replay, type Scenario, type ReplayResult } from "./scenario/index.js";
