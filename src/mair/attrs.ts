/**
 * The ASL's MemoryAttributes record (shared/functions/memory/MemoryAttributes)
 * as s2pt holds it, with the ASL's own encodings so that the combine code can
 * be read side by side with the pseudocode.
 *
 *   MemType      Device | Normal
 *   DeviceType   0 nGnRnE, 1 nGnRE, 2 nGRE, 3 GRE   (= the dd bits of MAIR 0b0000dd00 and of
 *                                                    stage-2 MemAttr 0b00dd; a lower value is
 *                                                    more restrictive, so S2CombineS1Device is min)
 *   MemAttr      0b00 NC, 0b10 WT, 0b11 WB          (ASL MemAttr_NC / MemAttr_WT / MemAttr_WB)
 *   MemHint      0b00 No, 0b01 WA, 0b10 RA, 0b11 RWA (= the RW bits of a MAIR nibble)
 *   Shareability 0 NSH, 2 OSH, 3 ISH                (= the SH[1:0] encoding and PAR_EL1.SH)
 *   MemTagType   Untagged | AllocationTagged | CanonicallyTagged
 *   xs           the XS attribute bit (FEAT_XS), 0 or 1
 */

import { InputError } from "../pgtable/u64.js";

/** MemoryAttributes.memtype: Device memory. */
export const MEMTYPE_DEVICE = 0;
/** MemoryAttributes.memtype: Normal memory. */
export const MEMTYPE_NORMAL = 1;

/** Device type nGnRnE. */
export const DEVICE_nGnRnE = 0;
/** Device type nGnRE. */
export const DEVICE_nGnRE = 1;
/** Device type nGRE. */
export const DEVICE_nGRE = 2;
/** Device type GRE. */
export const DEVICE_GRE = 3;
/** The Device types' names by DEVICE_* value. */
export const DEVICE_TYPE_NAMES = ["nGnRnE", "nGnRE", "nGRE", "GRE"] as const;

/** Cacheability: Non-cacheable. */
export const MEMATTR_NC = 0b00;
/** Cacheability: Write-Through. */
export const MEMATTR_WT = 0b10;
/** Cacheability: Write-Back. */
export const MEMATTR_WB = 0b11;

/** Allocation hint: no allocate. */
export const MEMHINT_NO = 0b00;
/** Allocation hint: write-allocate. */
export const MEMHINT_WA = 0b01;
/** Allocation hint: read-allocate. */
export const MEMHINT_RA = 0b10;
/** Allocation hint: read- and write-allocate. */
export const MEMHINT_RWA = 0b11;

/** Shareability: Non-shareable (0b00). */
export const SH_NSH = 0;
export const SH_RESERVED = 1;
/** Shareability: Outer Shareable (0b10). */
export const SH_OSH = 2;
/** Shareability: Inner Shareable (0b11). */
export const SH_ISH = 3;

/**
 * Shareability as a person writes it: 0 or nsh, 2 or osh, 3 or ish. The
 * reserved 0b01 is refused unless `allowReserved` (then the combine reports
 * what the architecture permits for it).
 */
export function parseShareability(text: string, what: string, allowReserved = false): number {
  const t = text.trim().toLowerCase();
  const named: Record<string, number> = { nsh: SH_NSH, osh: SH_OSH, ish: SH_ISH, "0": SH_NSH, "2": SH_OSH, "3": SH_ISH };
  if (Object.prototype.hasOwnProperty.call(named, t)) return named[t];
  if (t === "1" || t === "0b01") {
    if (allowReserved) return SH_RESERVED;
    throw new InputError(`${what}: SH 0b01 is reserved (CONSTRAINED UNPREDICTABLE); give 0 (NSH), 2 (OSH) or 3 (ISH)`);
  }
  if (/^[0-9]+$/.test(t)) throw new InputError(`${what}: ${t} is not 0, 2 or 3`);
  throw new InputError(`${what}: '${text}' is not 0, 2, 3 (or nsh, osh, ish)`);
}

/** MemTagType: untagged. */
export const TAG_UNTAGGED = 0;
/** MemTagType: allocation tagged (FEAT_MTE2). */
export const TAG_ALLOCATION = 1;
/** MemTagType: canonically tagged. */
export const TAG_CANONICAL = 2;

/** ASL MemAttrHints: cacheability, allocation hints and the transient hint of one half. */
export interface MemAttrHints {
  attrs: number;
  hints: number;
  transient: boolean;
}

/** ASL MemoryAttributes. `device` is meaningful for Device memory, inner/outer for Normal. */
export interface MemoryAttributes {
  memtype: number;
  device: number;
  inner: MemAttrHints;
  outer: MemAttrHints;
  shareability: number;
  tags: number;
  notagaccess: boolean;
  xs: number;
}

export function hintsOf(attrs: number, hints: number, transient: boolean): MemAttrHints {
  return { attrs, hints, transient };
}

/** A Non-cacheable half: the ASL leaves hints/transient UNKNOWN for NC; s2pt holds No/false. */
export function ncHalf(): MemAttrHints {
  return { attrs: MEMATTR_NC, hints: MEMHINT_NO, transient: false };
}

export function deviceAttrs(device: number, shareability: number, xs: number): MemoryAttributes {
  return { memtype: MEMTYPE_DEVICE, device, inner: ncHalf(), outer: ncHalf(), shareability, tags: TAG_UNTAGGED, notagaccess: false, xs };
}

export function normalAttrs(outer: MemAttrHints, inner: MemAttrHints, shareability: number, xs: number): MemoryAttributes {
  return { memtype: MEMTYPE_NORMAL, device: 0, inner: { ...inner }, outer: { ...outer }, shareability, tags: TAG_UNTAGGED, notagaccess: false, xs };
}

export function cloneAttrs(m: MemoryAttributes): MemoryAttributes {
  return { ...m, inner: { ...m.inner }, outer: { ...m.outer } };
}

/** ASL NormalNCMemAttr(): Normal Inner/Outer Non-cacheable, Outer Shareable, Untagged. */
export function normalNCMemAttr(): MemoryAttributes {
  return { memtype: MEMTYPE_NORMAL, device: 0, inner: ncHalf(), outer: ncHalf(), shareability: SH_OSH, tags: TAG_UNTAGGED, notagaccess: false, xs: 0 };
}

// ---- names --------------------------------------------------------------------

/** The shareabilities' names, by SH value. */
export const SH_NAMES: Readonly<Record<number, string>> = { 0: "Non-shareable", 1: "reserved", 2: "Outer Shareable", 3: "Inner Shareable" };
/** The shareabilities' short names (NSH, OSH, ISH), by SH value. */
export const SH_SHORT: Readonly<Record<number, string>> = { 0: "NSH", 1: "SH=0b01", 2: "OSH", 3: "ISH" };

export function cacheShort(attrs: number): string {
  return attrs === MEMATTR_WB ? "WB" : attrs === MEMATTR_WT ? "WT" : "NC";
}
export function cacheName(attrs: number): string {
  return attrs === MEMATTR_WB ? "Write-Back" : attrs === MEMATTR_WT ? "Write-Through" : "Non-cacheable";
}
export function hintName(hints: number): string {
  return ["no allocate", "Write-Allocate", "Read-Allocate", "Read+Write-Allocate"][hints & 3];
}
export function hintShort(hints: number): string {
  return ["no-alloc", "WA", "RA", "RWA"][hints & 3];
}

/** One half in words: "Write-Back Read+Write-Allocate non-transient", "Non-cacheable". */
export function halfWords(h: MemAttrHints): string {
  if (h.attrs === MEMATTR_NC) return "Non-cacheable";
  return `${cacheName(h.attrs)} ${hintName(h.hints)}${h.transient ? " transient" : " non-transient"}`;
}
function halfShort(h: MemAttrHints): string {
  if (h.attrs === MEMATTR_NC) return "NC";
  return `${cacheShort(h.attrs)}-${hintShort(h.hints)}${h.transient ? "-transient" : ""}`;
}

/** Memory-type summary: "Device-nGnRE", "Normal-WB", "Normal-NC", "Normal-oNC/iWT". */
export function memTypeSummary(m: MemoryAttributes): string {
  if (m.memtype === MEMTYPE_DEVICE) return `Device-${DEVICE_TYPE_NAMES[m.device]}`;
  if (m.inner.attrs === m.outer.attrs) return `Normal-${cacheShort(m.inner.attrs)}`;
  return `Normal-o${cacheShort(m.outer.attrs)}/i${cacheShort(m.inner.attrs)}`;
}

/** The whole record in plain words (shareability included when `withSh`). */
export function attrsWords(m: MemoryAttributes, opts: { xs: boolean; withSh: boolean }): string {
  const parts: string[] = [];
  if (m.memtype === MEMTYPE_DEVICE) {
    parts.push(`Device-${DEVICE_TYPE_NAMES[m.device]}`);
  } else if (m.inner.attrs === m.outer.attrs && m.inner.hints === m.outer.hints && m.inner.transient === m.outer.transient) {
    parts.push(`Normal, inner and outer ${halfWords(m.inner)}`);
  } else {
    parts.push(`Normal, outer ${halfWords(m.outer)}, inner ${halfWords(m.inner)}`);
  }
  if (m.tags === TAG_ALLOCATION) parts.push("Allocation Tagged");
  else if (m.tags === TAG_CANONICAL) parts.push("Canonically Tagged");
  if (opts.xs) parts.push(`XS=${m.xs}`);
  if (opts.withSh) parts.push(SH_NAMES[m.shareability] ?? "?");
  return parts.join(", ");
}

/** A compact record for steps: "Normal o:WB-RWA i:WT-RA, XS=0, ISH". */
export function attrsShort(m: MemoryAttributes, opts: { xs: boolean; withSh: boolean }): string {
  let s: string;
  if (m.memtype === MEMTYPE_DEVICE) s = `Device-${DEVICE_TYPE_NAMES[m.device]}`;
  else s = `Normal o:${halfShort(m.outer)} i:${halfShort(m.inner)}`;
  if (m.tags === TAG_ALLOCATION) s += " Tagged";
  if (opts.xs) s += ` XS=${m.xs}`;
  if (opts.withSh) s += ` ${SH_SHORT[m.shareability]}`;
  return s;
}
