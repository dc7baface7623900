/**
 * Stage-2 MemAttr[3:0] (descriptor bits 5:2) in words, with FEAT_S2FWB off
 * (ASL S2DecodeMemAttrs) and on (ASL AArch64_S2ApplyFWBMemAttrs), and the
 * Linux macro that writes each value.
 *
 *   FWB = 0                                   FWB = 1 (MemAttr[3] RES0 without FEAT_MTE_PERM)
 *   0b00dd  Device, type dd                   0b0dd  Device dd (a stricter S1 Device type wins)
 *   0bOOII  Normal, outer OO, inner II        0b100  reserved (the ASL treats it as 0b101)
 *           (01 NC, 10 WT, 11 WB)             0b101  Normal-NC (S1 Device stays Device)
 *   0bOO00  inner reserved (NC, WT or WB)     0b110  Normal Write-Back, forced
 *                                             0b111  stage-1 attributes as they are
 */

import {
  MT_S2_DEVICE_nGnRE,
  MT_S2_FWB_AS_S1,
  MT_S2_FWB_DEVICE_nGnRE,
  MT_S2_FWB_NORMAL,
  MT_S2_FWB_NORMAL_NC,
  MT_S2_FWB_NORMAL_NOTAGACCESS,
  MT_S2_NORMAL,
  MT_S2_NORMAL_NC,
  MT_S2_NORMAL_NOTAGACCESS,
} from "../pgtable/descriptor.js";

import {
  DEVICE_TYPE_NAMES,
  MEMATTR_NC,
  MEMATTR_WB,
  MEMATTR_WT,
  MEMHINT_NO,
  deviceAttrs,
  hintsOf,
  normalAttrs,
  type MemAttrHints,
  type MemoryAttributes,
} from "./attrs.js";
import { checkBool, checkInt } from "../pgtable/args.js";

export { DEVICE_TYPE_NAMES };
const CACHE_NAMES = ["(reserved)", "Non-cacheable", "Write-Through", "Write-Back"] as const;

/** A stage-2 MemAttr value in words (describeS2MemAttr). */
export interface S2MemAttrDescription {
  /** Plain words, e.g. "Normal, inner and outer Write-Back". */
  text: string;
  /** The Linux macro that writes this value for this FWB setting, if any. */
  linux: string | null;
  /** The architecture leaves (part of) this encoding reserved. */
  reserved: boolean;
  /** Short memory-type name for tables: Device-nGnRE, Normal-NC, Normal-WB, ... */
  short: string;
}

/** A MemAttr argument (0..0xf) and the FWB it is read with. */
function checkMemAttrArgs(memattr: unknown, fwb: unknown): void {
  checkInt(memattr, "memattr", 0, 0xf, "a stage-2 MemAttr (4 bits)");
  checkBool(fwb, "fwb");
}

/** The Linux asm/memory.h name of a stage-2 MemAttr value, per FWB. */
export function linuxS2MemAttrName(memattr: number, fwb: boolean): string | null {
  checkMemAttrArgs(memattr, fwb);
  if (fwb) {
    switch (memattr) {
      case MT_S2_FWB_NORMAL:
        return "MT_S2_FWB_NORMAL";
      case MT_S2_FWB_NORMAL_NC:
        return "MT_S2_FWB_NORMAL_NC";
      case MT_S2_FWB_DEVICE_nGnRE:
        return "MT_S2_FWB_DEVICE_nGnRE";
      case MT_S2_FWB_NORMAL_NOTAGACCESS:
        return "MT_S2_FWB_NORMAL_NOTAGACCESS";
      case MT_S2_FWB_AS_S1:
        return "MT_S2_FWB_AS_S1";
      default:
        return null;
    }
  }
  switch (memattr) {
    case MT_S2_NORMAL:
      return "MT_S2_NORMAL";
    case MT_S2_NORMAL_NC:
      return "MT_S2_NORMAL_NC";
    case MT_S2_DEVICE_nGnRE:
      return "MT_S2_DEVICE_nGnRE";
    case MT_S2_NORMAL_NOTAGACCESS:
      return "MT_S2_NORMAL_NOTAGACCESS";
    default:
      return null;
  }
}

/** Describe a stage-2 MemAttr value (0..15) with FWB off or on (FEAT_MTE_PERM not implemented). */
export function describeS2MemAttr(memattr: number, fwb: boolean): S2MemAttrDescription {
  checkMemAttrArgs(memattr, fwb);
  const linux = linuxS2MemAttrName(memattr, fwb);
  if (fwb) {
    const low = memattr & 7;
    const bit3 = memattr & 8 ? " (MemAttr[3] is RES0 without FEAT_MTE_PERM and ignored)" : "";
    if ((low & 4) === 0) {
      const t = DEVICE_TYPE_NAMES[low & 3];
      return { text: `Device-${t}; a stage-1 Device type that is more restrictive wins${bit3}`, linux, reserved: false, short: `Device-${t}` };
    }
    switch (low) {
      case 4:
        return {
          text: `reserved (the Arm ARM reserves FWB MemAttr 0b100; the ASL gives it the 0b101 behaviour)${bit3}`,
          linux,
          reserved: true,
          short: "reserved",
        };
      case 5:
        return { text: `Normal Non-cacheable, unless stage 1 is Device (then stage 1 stays)${bit3}`, linux, reserved: false, short: "Normal-NC" };
      case 6:
        return { text: `Normal Write-Back, forced whatever stage 1 says${bit3}`, linux, reserved: false, short: "Normal-WB" };
      default:
        return { text: `stage-1 attributes used unchanged${bit3}`, linux, reserved: false, short: "as stage 1" };
    }
  }
  const outer = (memattr >> 2) & 3;
  const inner = memattr & 3;
  if (outer === 0) {
    const t = DEVICE_TYPE_NAMES[inner];
    return { text: `Device-${t}`, linux, reserved: false, short: `Device-${t}` };
  }
  if (inner === 0) {
    return {
      text: `Normal, outer ${CACHE_NAMES[outer]}, inner reserved (CONSTRAINED UNPREDICTABLE: Non-cacheable, Write-Through or Write-Back)`,
      linux,
      reserved: true,
      short: "reserved",
    };
  }
  const short = inner === outer ? `Normal-${["", "NC", "WT", "WB"][inner]}` : `Normal-o${["", "NC", "WT", "WB"][outer]}/i${["", "NC", "WT", "WB"][inner]}`;
  const text = inner === outer ? `Normal, inner and outer ${CACHE_NAMES[inner]}` : `Normal, outer ${CACHE_NAMES[outer]}, inner ${CACHE_NAMES[inner]}`;
  return { text, linux, reserved: false, short };
}

/** The short memory-type name of a stage-2 MemAttr value (describeS2MemAttr's `short`): Normal-WB, Device-nGnRE, as stage 1, ... */
export function s2MemAttrShortName(memattr: number, fwb: boolean): string {
  checkMemAttrArgs(memattr, fwb);
  return describeS2MemAttr(memattr, fwb).short;
}

// ---- structured decode (ASL S2DecodeMemAttrs, S2DecodeCacheability; FWB) -----

/** Stage-2 cacheability field values (MemAttr[3:2] outer, MemAttr[1:0] inner, FWB = 0). */
export const S2_CACHE_RESERVED = 0b00;

/**
 * ASL S2DecodeCacheability for a 2-bit field: 01 NC, 10 WT, 11 WB. 00 (only
 * reachable as the inner half of Normal memory) is reserved:
 * Unpredictable_S2RESMEMATTR makes it one of NC/WT/WB, which the caller
 * passes as `choice` (a MEMATTR_* value). Stage 2 carries no allocation or
 * transient hints (the ASL leaves them UNKNOWN; the combine takes stage 1's).
 */
export function s2DecodeCacheability(field: number, choice = -1): MemAttrHints {
  let attrs: number;
  switch (field & 3) {
    case 0b01:
      attrs = MEMATTR_NC;
      break;
    case 0b10:
      attrs = MEMATTR_WT;
      break;
    case 0b11:
      attrs = MEMATTR_WB;
      break;
    default:
      if (choice !== MEMATTR_NC && choice !== MEMATTR_WT && choice !== MEMATTR_WB) {
        throw new Error("s2DecodeCacheability: reserved 0b00 needs a CONSTRAINED UNPREDICTABLE choice");
      }
      attrs = choice;
  }
  return hintsOf(attrs, MEMHINT_NO, false);
}

/** FWB = 0: is the inner cacheability of this MemAttr reserved (0b0100, 0b1000, 0b1100)? */
export function s2InnerReserved(memattr: number): boolean {
  return (memattr & 0b1100) !== 0 && (memattr & 0b11) === 0;
}

/**
 * ASL S2DecodeMemAttrs (HCR_EL2.FWB = 0, FEAT_MTE_PERM not implemented):
 * MemAttr 0b00dd Device dd, otherwise Normal with outer = MemAttr[3:2] and
 * inner = MemAttr[1:0]. `sh` is the decoded SH (0/2/3); `innerChoice` the
 * MEMATTR_* value a reserved inner half stands for. XS = NOT FnXS = 1
 * (KVM never sets FnXS).
 */
export function s2DecodeMemAttrs(memattr: number, sh: number, innerChoice = -1): MemoryAttributes {
  const m = memattr & 0xf;
  if ((m & 0b1100) === 0) return deviceAttrs(m & 3, sh, 1);
  return normalAttrs(s2DecodeCacheability(m >> 2), s2DecodeCacheability(m, innerChoice), sh, 1);
}

/** What a stage-2 MemAttr value does, as a tagged record (FEAT_MTE_PERM not implemented). */
export type S2MemAttrKind =
  | { kind: "device"; device: number }
  | { kind: "normal"; outer: number; inner: number; innerReserved: boolean }
  | { kind: "fwb-device"; device: number }
  | { kind: "fwb-nc"; reserved0b100: boolean }
  | { kind: "fwb-force-wb" }
  | { kind: "fwb-as-s1" };

/**
 * Structured decode of MemAttr[3:0]. With FWB, MemAttr[3] is RES0 without
 * FEAT_MTE_PERM and the ASL (AArch64.S2ApplyFWBMemAttrs) looks only at
 * MemAttr[2:0]; 0b100 is reserved in the Arm ARM text but the ASL gives it the
 * 0b101 arm (Non-cacheable unless stage 1 is Device), so it decodes as
 * "fwb-nc" with `reserved0b100` set.
 */
export function decodeS2MemAttr(memattr: number, fwb: boolean): S2MemAttrKind {
  checkMemAttrArgs(memattr, fwb);
  const m = memattr & 0xf;
  if (fwb) {
    if ((m & 0b100) === 0) return { kind: "fwb-device", device: m & 3 };
    switch (m & 3) {
      case 0b00:
        return { kind: "fwb-nc", reserved0b100: true };
      case 0b01:
        return { kind: "fwb-nc", reserved0b100: false };
      case 0b10:
        return { kind: "fwb-force-wb" };
      default:
        return { kind: "fwb-as-s1" };
    }
  }
  if ((m & 0b1100) === 0) return { kind: "device", device: m & 3 };
  const outer = (m >> 2) & 3;
  const inner = m & 3;
  return {
    kind: "normal",
    outer: s2DecodeCacheability(outer).attrs,
    inner: inner === 0 ? -1 : s2DecodeCacheability(inner).attrs,
    innerReserved: inner === 0,
  };
}
