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

export const DEVICE_TYPE_NAMES = ["nGnRnE", "nGnRE", "nGRE", "GRE"] as const;
const CACHE_NAMES = ["(reserved)", "Non-cacheable", "Write-Through", "Write-Back"] as const;

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

/** The Linux asm/memory.h name of a stage-2 MemAttr value, per FWB. */
export function linuxS2MemAttrName(memattr: number, fwb: boolean): string | null {
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
