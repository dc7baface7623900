/**
 * `s2pt/stage1`: the guest's side. Its stage-1 registers (TCR_EL1,
 * MAIR_EL1, SCTLR_EL1, HCR_EL2, TTBR0/1_EL1), the stage-1 tables the guest
 * builder writes into a guest memory over a KvmPgtable, the two-stage walk
 * of a guest VA through both (AArch64.S1Translate with every stage-1 table
 * read translated by stage 2 first), its faults (to EL1, or to EL2 with
 * S1PTW), and the memory type the access gets.
 *
 * A guest VA is a 64-bit value: a `bigint` (bits 63:52 select the TTBR
 * region and may carry a tag). walkVa() returns a JSON-safe NestedReport.
 *
 * @module s2pt/stage1
 */

export type { GuestSpec, GuestMapping, GuestDescriptor } from "./spec.js";
export { atInstruction, parFaultValue, AT_INSTRUCTIONS, type AtInstruction, type AtResult } from "./at.js";
export { buildGuest, MAX_GUEST_LEAVES, type BuiltGuest, type BuiltTable } from "./builder.js";
export { guestOf, builtGuest, nestedWalker } from "./guest.js";
export { GuestMemory } from "./memory.js";
export { guestConfigFromRegisters, type S1Registers, type S1FromRegisters } from "./image.js";
export { NestedWalker } from "./walk.js";
export {
  walkVa,
  formatNestedReport,
  nestedReportJson,
  type NestedReport,
  type NestedFault,
  type NestedS2Fault,
  type S1StepReport,
  type S1LeafReport,
} from "./describe.js";
export { decodeS1Descriptor, type S1DecodeOptions } from "./decode.js";
export type { S1FaultReport } from "./fault.js";
export {
  decodeTcr,
  encodeTcr,
  checkTcr,
  regionGeometry,
  s1OutputBits,
  mairBytes,
  mairValue,
  type TcrFields,
  type SctlrFields,
  type HcrFields,
  type GuestConfig,
  type RegionGeometry,
} from "./config.js";
