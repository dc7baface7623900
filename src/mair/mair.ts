/**
 * Stage-1 MAIR_ELx Attr<n> byte decode (AArch64 stage 1), as the ASL does it:
 * S1ConstrainUnpredictableRESMAIR, S1DecodeMemAttrs, DecodeLDFAttr, DecodeDevice.
 *
 *   Attr[7:4]  Attr[3:0]
 *   0000       dd00        Device, type dd (00 nGnRnE, 01 nGnRE, 10 nGRE, 11 GRE), XS = 1
 *   0000       dd01        FEAT_XS: the same Device type with XS = 0 (reserved without FEAT_XS)
 *   0000       dd1x        reserved
 *   oooo       iiii        Normal: outer = Attr[7:4], inner = Attr[3:0], each a DecodeLDFAttr nibble
 *                          (the inner nibble 0000 is reserved except in the three bytes below)
 *   0x40                   FEAT_XS: Normal Inner/Outer Non-cacheable, XS = 0
 *   0xA0                   FEAT_XS: Normal Inner/Outer Write-Through RA non-transient, XS = 0
 *   0xF0                   FEAT_MTE2: Tagged Normal Inner/Outer Write-Back RWA non-transient, XS = 0
 *
 *   DecodeLDFAttr nibble:  0b00RW (RW != 00) WT transient, 0b0100 NC, 0b01RW (RW != 00) WB transient,
 *                          0b10RW WT non-transient, 0b11RW WB non-transient; R = bit 1, W = bit 0.
 *
 * XS of a Normal byte decoded nibble-wise is 0 when both halves are Write-Back, else 1.
 */

import {
  DEVICE_TYPE_NAMES,
  MEMATTR_WB,
  MEMATTR_WT,
  MEMHINT_NO,
  MEMHINT_RA,
  MEMHINT_RWA,
  MEMTYPE_DEVICE,
  TAG_ALLOCATION,
  TAG_UNTAGGED,
  attrsWords,
  deviceAttrs,
  halfWords,
  hintsOf,
  memTypeSummary,
  ncHalf,
  normalAttrs,
  type MemAttrHints,
  type MemoryAttributes,
} from "./attrs.js";
import { checkInt, checkObject } from "../pgtable/args.js";

/** The features that change what a stage-1 byte means. */
export interface S1Features {
  /** FEAT_XS implemented (0b0000dd01, 0x40 and 0xA0 are valid, XS is reported). */
  xs: boolean;
  /** FEAT_MTE2 implemented (0xF0 is Tagged Normal memory). */
  mte2: boolean;
}

/** MAIR_ATTR_* values Linux uses (arch/arm64/include/asm/sysreg.h), with their names. */
export const LINUX_MAIR_ATTRS: ReadonlyArray<readonly [number, string]> = [
  [0x00, "MAIR_ATTR_DEVICE_nGnRnE"],
  [0x04, "MAIR_ATTR_DEVICE_nGnRE"],
  [0x0c, "MAIR_ATTR_DEVICE_GRE (older kernels)"],
  [0x44, "MAIR_ATTR_NORMAL_NC"],
  [0xbb, "MAIR_ATTR_NORMAL_WT (older kernels)"],
  [0xf0, "MAIR_ATTR_NORMAL_TAGGED"],
  [0xff, "MAIR_ATTR_NORMAL"],
];

/** The Linux MAIR_ATTR_* macro that writes this Attr byte, or null. */
export function linuxMairName(attr: number): string | null {
  checkInt(attr, "attr", 0, 255, "a MAIR Attr byte");
  for (const [v, n] of LINUX_MAIR_ATTRS) if (v === attr) return n.replace(/ \(.*\)$/, "");
  return null;
}

/**
 * ASL S1ConstrainUnpredictableRESMAIR: is this Attr byte reserved (so the PE
 * uses the attributes of some valid encoding, Unpredictable_RESMAIR)?
 */
export function s1AttrReserved(attr: number, f: S1Features): boolean {
  if ((attr & 0xf0) === 0) {
    if (attr & 0b10) return true; // 0b0000dd1x
    if (attr & 0b01) return !f.xs; // 0b0000dd01: FEAT_XS Device with XS = 0
    return false;
  }
  if ((attr & 0x0f) === 0) {
    if (attr === 0x40 || attr === 0xa0) return !f.xs;
    if (attr === 0xf0) return !f.mte2;
    return true; // outer cacheable/NC with an inner nibble of 0000
  }
  return false;
}

/** All valid (non-reserved) Attr bytes for these features, ascending. */
export function validS1Attrs(f: S1Features): number[] {
  const out: number[] = [];
  for (let a = 0; a < 256; a++) if (!s1AttrReserved(a, f)) out.push(a);
  return out;
}

/** ASL DecodeDevice: the dd bits to a DeviceType (the encodings coincide). */
export function decodeDevice(dd: number): number {
  return dd & 3;
}

/**
 * ASL DecodeLDFAttr: one MAIR nibble (outer Attr[7:4] or inner Attr[3:0]) of
 * Normal memory. The ASL leaves `transient` UNKNOWN when the hints are "No
 * allocate"; the only such nibbles outside reserved bytes are 0b1000/0b1100,
 * whose bit 3 already says non-transient, so s2pt holds false.
 */
export function decodeLDFAttr(nibble: number): MemAttrHints {
  const n = nibble & 0xf;
  if (n === 0b0100) return ncHalf();
  const attrs = n & 0b0100 ? MEMATTR_WB : MEMATTR_WT; // x0xx WT, x1xx WB
  const hints = n & 0b11;
  const transient = hints !== MEMHINT_NO && (n & 0b1000) === 0;
  return hintsOf(attrs, hints, transient);
}

/**
 * ASL S1DecodeMemAttrs for a valid (non-reserved) byte; `sh` is the decoded
 * descriptor shareability (0 NSH, 2 OSH, 3 ISH). MTX = 0, so nothing is
 * Canonically Tagged. Throws on a reserved byte: the caller chooses what it
 * stands for (combine.ts enumerates every valid byte).
 */
export function s1DecodeMemAttrs(attr: number, sh: number, f: S1Features): MemoryAttributes {
  if (s1AttrReserved(attr, f)) throw new Error(`s1DecodeMemAttrs: 0x${attr.toString(16)} is reserved`);
  if ((attr & 0xf0) === 0) return deviceAttrs(decodeDevice(attr >> 2), sh, attr & 1 ? 0 : 1);
  if (attr === 0x40) return normalAttrs(ncHalf(), ncHalf(), sh, 0);
  if (attr === 0xa0) {
    const wtRa = hintsOf(MEMATTR_WT, MEMHINT_RA, false);
    return normalAttrs(wtRa, wtRa, sh, 0);
  }
  if (attr === 0xf0) {
    const wbRwa = hintsOf(MEMATTR_WB, MEMHINT_RWA, false);
    const m = normalAttrs(wbRwa, wbRwa, sh, 0);
    m.tags = TAG_ALLOCATION;
    return m;
  }
  const outer = decodeLDFAttr(attr >> 4);
  const inner = decodeLDFAttr(attr);
  const m = normalAttrs(outer, inner, sh, inner.attrs === MEMATTR_WB && outer.attrs === MEMATTR_WB ? 0 : 1);
  m.tags = TAG_UNTAGGED;
  return m;
}

/** A stage-1 Attr byte explained. */
export interface MairAttrDescription {
  attr: number;
  reserved: boolean;
  /** Why it is reserved, or which feature gives it its meaning. */
  note: string | null;
  /** Plain words. */
  text: string;
  /** Device-nGnRE, Normal-WB, ..., or "reserved". */
  short: string;
  /** Linux MAIR_ATTR_* name, if any. */
  linux: string | null;
  /** The decoded record (shareability NSH placeholder); null when reserved. */
  attrs: MemoryAttributes | null;
}

function reservedWhy(attr: number): string {
  if ((attr & 0xf0) === 0) {
    if (attr & 0b10) return "Attr 0b0000dd1x is reserved";
    return "Attr 0b0000dd01 is the FEAT_XS Device form (XS = 0); reserved without FEAT_XS";
  }
  if (attr === 0x40 || attr === 0xa0) return `0x${attr.toString(16)} is a FEAT_XS encoding (XS = 0); reserved without FEAT_XS`;
  if (attr === 0xf0) return "0xF0 is Tagged Normal memory (FEAT_MTE2); reserved without FEAT_MTE2";
  return "an inner nibble of 0b0000 under a non-zero outer nibble is reserved";
}

/** Decode a stage-1 Attr byte into words (ASL S1DecodeMemAttrs). */
export function describeMairAttr(attr: number, f: S1Features): MairAttrDescription {
  checkInt(attr, "attr", 0, 255, "a MAIR Attr byte");
  checkObject(f, "f");
  const linux = linuxMairName(attr);
  if (s1AttrReserved(attr, f)) {
    return {
      attr,
      reserved: true,
      note: reservedWhy(attr),
      text: `reserved (${reservedWhy(attr)}): CONSTRAINED UNPREDICTABLE, the access gets the attributes of some valid encoding (S1ConstrainUnpredictableRESMAIR, Unpredictable_RESMAIR)`,
      short: "reserved",
      linux,
      attrs: null,
    };
  }
  const m = s1DecodeMemAttrs(attr, 0, f);
  let note: string | null = null;
  if ((attr & 0xf0) === 0 && attr & 1) note = "FEAT_XS Device form: XS = 0";
  else if (attr === 0x40 || attr === 0xa0) note = "FEAT_XS whole-byte encoding: XS = 0";
  else if (attr === 0xf0) note = "FEAT_MTE2 Tagged memory";
  let text: string;
  if (m.memtype === MEMTYPE_DEVICE) {
    text = `Device-${DEVICE_TYPE_NAMES[m.device]}${f.xs ? `, XS=${m.xs}` : ""}`;
  } else if (attr === 0x40 || attr === 0xa0 || attr === 0xf0) {
    text = attrsWords(m, { xs: f.xs, withSh: false });
  } else {
    text = `Normal, outer ${halfWords(m.outer)} (Attr[7:4] = 0b${(attr >> 4).toString(2).padStart(4, "0")}), inner ${halfWords(m.inner)} (Attr[3:0] = 0b${(attr & 15).toString(2).padStart(4, "0")})${f.xs ? `, XS=${m.xs}` : ""}`;
  }
  return { attr, reserved: false, note, text, short: memTypeSummary(m), linux, attrs: m };
}
