/**
 * `s2pt/mair`: what attributes mean, and the stage-1 + stage-2 combine
 * exactly as the Arm ASL does it. MAIR_ELx Attr bytes (S1DecodeMemAttrs),
 * stage-2 MemAttr[3:0] with FEAT_S2FWB off and on (S2DecodeMemAttrs,
 * AArch64.S2ApplyFWBMemAttrs), the combine (S2CombineS1MemAttrs and its
 * helpers, AArch64.S2Translate's controls), and the result as PAR_EL1
 * reports it (EncodePARAttrs, PAREncodeShareability).
 *
 * Where the architecture leaves the answer open (a reserved encoding,
 * CONSTRAINED UNPREDICTABLE, IMPLEMENTATION DEFINED) the combine never
 * picks one: the column is -1 and the result lists the reasons and every
 * permitted outcome. combineS1S2() explains one combination step by step;
 * combineTable() and combineAttrSh() answer from a typed-array table for hot
 * paths. Results are JSON-safe.
 *
 * @module s2pt/mair
 */

export {
  combineS1S2,
  combineTable,
  combineAttr,
  combineSh,
  combineAttrSh,
  COMBINE_TABLE_SIZE,
  type CombineOptions,
  type CombineConfig,
  type CombineResult,
  type CombineStep,
  type CombineOutcome,
  type CombineTable,
  type OpenReason,
} from "./combine.js";
export { formatCombine } from "./format.js";
export { describeMairAttr, linuxMairName, LINUX_MAIR_ATTRS, type MairAttrDescription, type S1Features } from "./mair.js";
export { describeS2MemAttr, linuxS2MemAttrName, s2MemAttrShortName, decodeS2MemAttr, type S2MemAttrKind, type S2MemAttrDescription } from "./s2memattr.js";
export { parValue } from "./par.js";
export {
  MEMTYPE_DEVICE,
  MEMTYPE_NORMAL,
  DEVICE_nGnRnE,
  DEVICE_nGnRE,
  DEVICE_nGRE,
  DEVICE_GRE,
  DEVICE_TYPE_NAMES,
  MEMATTR_NC,
  MEMATTR_WT,
  MEMATTR_WB,
  MEMHINT_NO,
  MEMHINT_WA,
  MEMHINT_RA,
  MEMHINT_RWA,
  SH_NSH,
  SH_OSH,
  SH_ISH,
  SH_NAMES,
  SH_SHORT,
  TAG_UNTAGGED,
  TAG_ALLOCATION,
  TAG_CANONICAL,
  type MemoryAttributes,
  type MemAttrHints,
} from "./attrs.js";
