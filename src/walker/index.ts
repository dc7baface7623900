/**
 * `s2pt/walker`: the hardware's stage-2 walk (AArch64.S2Walk,
 * AArch64.S2CheckPermissions, the hardware AF/dirty updates of
 * AArch64.S2Translate) over a KvmPgtable, its faults with their ESR_EL2
 * syndrome and HPFAR_EL2, the leaf's stage-2 attributes and their combine
 * with stage 1; and any 64-bit value read as a stage-2 descriptor, field by
 * field (decode), or compared with the leaf pgtable.c writes (leafVerdict).
 *
 * walkIpa() walks one IPA (a number below 2^53) and returns a JSON-safe
 * WalkReport. S2Walker.translateBatch() is the fast path: caller-owned
 * typed arrays in (Float64Array of IPAs) and out (PAs, statuses).
 *
 * @module s2pt/walker
 */

export { S2Walker, FAULT_STATUS, HW_SET_AF, HW_SET_DIRTY, type WalkerOptions } from "./translate.js";
export { ImageTables, s2WalkParams, type S2WalkParams, type S2Registers } from "./image.js";
export {
  walkIpa,
  formatWalkReport,
  walkReportJson,
  combinedJson,
  type WalkReport,
  type WalkStep,
  type WalkSuccess,
  type WalkFault,
  type Stage1Attrs,
} from "./describe.js";
export {
  decodeS2Descriptor,
  formatDecoded,
  leafVerdict,
  formatLeafVerdict,
  protNames,
  type DecodeOptions,
  type DecodedDescriptor,
  type DecodedField,
  type DescriptorKind,
  type LeafVerdict,
  type LeafDifference,
} from "./decode.js";
export {
  FAULT_NONE,
  FAULT_TRANSLATION,
  FAULT_ACCESS_FLAG,
  FAULT_PERMISSION,
  FAULT_ADDRESS_SIZE,
  FAULT_NAMES,
  FAULT_TITLES,
  ACCESS_READ,
  ACCESS_WRITE,
  ACCESS_EXEC,
  ACCESS_NAMES,
  type AccessName,
  type FaultTypeName,
  type S2FaultReport,
} from "./fault.js";
export type { S2LeafAttrs } from "./attrs.js";
export type { CombineControls } from "./memtype.js";
