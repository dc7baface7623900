/**
 * The combine panel of the docs page, without the DOM: a form's values in,
 * combineS1S2()'s explained answer out (src/mair/combine.ts, the ASL rules).
 * The stage-2 side is either a raw MemAttr and SH, or a KVM prot turned into
 * the descriptor's MemAttr and SH by stage2_set_prot_attr() (descriptor.ts).
 * Nothing here decides a memory type.
 */

import { combineS1S2, type CombineOptions, type CombineResult } from "../mair/combine.js";
import { SH_SHORT, parseShareability } from "../mair/attrs.js";
import { LINUX_MAIR_ATTRS, linuxMairName } from "../mair/mair.js";
import { parFields } from "../mair/par.js";
import { PROT_NAMES, S2_MEMATTR_LO, S2_MEMATTR_SHIFT, S2_SH_LO, S2_SH_SHIFT, stage2SetProtAttr } from "../pgtable/descriptor.js";
import { protRefusal } from "../pgtable/leaf.js";
import { parseProt } from "../scenario/format.js";
import { InputError, hex, parseSmallNumber } from "../pgtable/u64.js";

export interface CombineForm {
  /** Stage-1 MAIR Attr byte as typed: 0x-prefixed or bare hex. */
  s1: string;
  /** "0", "1" (reserved), "2", "3". */
  s1Sh: string;
  /** Stage 2 from a raw MemAttr + SH, or from a KVM prot via stage2_set_prot_attr(). */
  s2Mode: "memattr" | "prot";
  /** Stage-2 MemAttr, hex "0x0".."0xf" (memattr mode). */
  s2: string;
  /** Stage-2 SH "0".."3" (memattr mode). */
  s2Sh: string;
  /** KVM prot names joined by '|' (prot mode), e.g. "R|W|DEVICE". */
  prot: string;
  fwb: boolean;
  xs: boolean;
  mte2: boolean;
  hcrCD: boolean;
  hcrDC: boolean;
  hcrDCT: boolean;
  sctlrC: boolean;
  ifetch: boolean;
  hcrID: boolean;
  sctlrI: boolean;
}

export const DEFAULT_COMBINE_FORM: CombineForm = {
  s1: "0xff",
  s1Sh: "3",
  s2Mode: "memattr",
  s2: "0x1",
  s2Sh: "3",
  prot: "R|W",
  fwb: true,
  xs: false,
  mte2: true,
  hcrCD: false,
  hcrDC: false,
  hcrDCT: false,
  sctlrC: true,
  ifetch: false,
  hcrID: false,
  sctlrI: true,
};

/** Where the stage-2 MemAttr and SH came from when they came from a prot. */
export interface ProtSource {
  prot: string;
  /** The attribute bits stage2_set_prot_attr() writes (low half), hex. */
  attrLo: string;
  memattr: number;
  sh: number;
}

export interface CombineView {
  result: CombineResult;
  /** Linux MAIR_ATTR_* name of the stage-1 byte, if any. */
  s1Linux: string | null;
  fromProt: ProtSource | null;
  /** PAR_EL1 fields of a determined result; null when open. */
  par: string | null;
}

export type CombineViewResult = { ok: true; view: CombineView } | { ok: false; error: string };

/** Linux's named stage-1 attributes (MAIR_ATTR_*), for the picker. */
export const NAMED_S1_ATTRS = LINUX_MAIR_ATTRS;

/** A byte as the page writes it: 0x-prefixed, two digits. */
export function hexByte(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

function parseByte(text: string, what: string, max: number): number {
  return parseSmallNumber(text, what, max, { hexOnly: true, bareHex: true });
}

function parseSh(text: string, what: string): number {
  // The page shows what the architecture permits for the reserved 0b01.
  return parseShareability(text, what, true);
}

/** The CombineOptions of a form (every control the ASL combine takes). */
export function combineOptions(f: CombineForm): CombineOptions {
  return {
    fwb: f.fwb,
    xs: f.xs,
    mte2: f.mte2,
    hcrCD: f.hcrCD,
    hcrDC: f.hcrDC,
    hcrDCT: f.hcrDCT,
    sctlrC: f.sctlrC,
    ifetch: f.ifetch,
    hcrID: f.hcrID,
    sctlrI: f.sctlrI,
  };
}

/** Stage-2 MemAttr and SH of a KVM prot: what stage2_set_prot_attr() writes into the leaf (non-LPA2 format, so SH is in the descriptor). */
export function protToS2(protText: string, fwb: boolean): ProtSource {
  const prot = parseProt(protText, "KVM prot");
  const attr = [0, 0];
  const r = stage2SetProtAttr(prot, fwb, false, attr);
  if (r) throw new InputError(`KVM prot ${protText}: stage2_set_prot_attr() returns -EINVAL (${r}): ${protRefusal(prot) ?? "refused"}`);
  return {
    prot: PROT_NAMES.filter(([, b]) => (prot & b) !== 0)
      .map(([n]) => n)
      .join("|"),
    attrLo: hex(attr[0]),
    memattr: (attr[0] & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT,
    sh: (attr[0] & S2_SH_LO) >>> S2_SH_SHIFT,
  };
}

export function combineView(f: CombineForm): CombineViewResult {
  try {
    const s1 = parseByte(f.s1, "stage-1 MAIR Attr", 0xff);
    const s1Sh = parseSh(f.s1Sh, "stage-1 SH");
    let s2: number;
    let s2Sh: number;
    let fromProt: ProtSource | null = null;
    if (f.s2Mode === "prot") {
      fromProt = protToS2(f.prot, f.fwb);
      s2 = fromProt.memattr;
      s2Sh = fromProt.sh;
    } else {
      s2 = parseByte(f.s2, "stage-2 MemAttr", 0xf);
      s2Sh = parseSh(f.s2Sh, "stage-2 SH");
    }
    const result = combineS1S2(s1, s1Sh, s2, s2Sh, combineOptions(f));
    const par = result.attr >= 0 && result.sh >= 0 ? parFields(result.attr, result.sh) : null;
    return { ok: true, view: { result, s1Linux: linuxMairName(s1), fromProt, par } };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}

/** SH as the page writes it: "ISH (0b11)". */
export function shWords(sh: number): string {
  return `${SH_SHORT[sh]} (0b${sh.toString(2).padStart(2, "0")})`;
}
