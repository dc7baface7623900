/**
 * The stage-1 + stage-2 memory attribute combine, exactly as the Arm ASL does
 * it for an AArch64 EL1&0 access with stage 2 enabled:
 *
 *   stage 1   S1DecodeMemAttrs (reserved bytes: S1ConstrainUnpredictableRESMAIR)
 *             AArch64.S1Translate tail: instruction fetch / SCTLR_EL1.C=0 -> Normal NC;
 *             IMPLEMENTATION DEFINED "Apply effective shareability at stage 1"
 *             (HCR_EL2.DC=1: AArch64.S1DisabledOutput instead)
 *   stage 2   FWB=0: S2DecodeMemAttrs / S2DecodeCacheability
 *             FWB=1: AArch64.S2ApplyFWBMemAttrs (already a combine)
 *             AArch64.S2Translate: HCR_EL2.CD / instruction fetch -> Normal NC
 *   combine   FWB=0: S2CombineS1MemAttrs (S2CombineS1Device, S2CombineS1AttrHints,
 *             S2MemTagType, S2CombineS1Shareability, XS, EffectiveShareability)
 *   report    EncodePARAttrs, PAREncodeShareability
 *
 * Where the architecture does not fix one answer the code never picks one: the
 * choices (a reserved MAIR byte -> every valid byte; a reserved stage-2 inner
 * cacheability -> NC/WT/WB; SH 0b01 -> NSH/OSH/ISH; the IMPLEMENTATION DEFINED
 * stage-1 effective shareability -> both; SCTLR_EL1.C=0 on Tagged memory ->
 * tag kept or dropped) are enumerated and a column whose outcomes differ is
 * reported open (-1), with the reasons and the permitted outcomes.
 *
 * Two entry points: combineS1S2() explains one combination (every step, every
 * permitted outcome); combineAttrSh()/combineTable() answer from a typed-array
 * table that the same rules fill on first use, for hot paths.
 */

import {
  MEMATTR_NC,
  MEMATTR_WB,
  MEMATTR_WT,
  MEMHINT_RWA,
  MEMTYPE_DEVICE,
  MEMTYPE_NORMAL,
  SH_ISH,
  SH_NSH,
  SH_OSH,
  SH_SHORT,
  TAG_ALLOCATION,
  TAG_UNTAGGED,
  DEVICE_TYPE_NAMES,
  attrsShort,
  attrsWords,
  cacheShort,
  cloneAttrs,
  hintsOf,
  memTypeSummary,
  ncHalf,
  normalNCMemAttr,
  type MemAttrHints,
  type MemoryAttributes,
} from "./attrs.js";
import { describeMairAttr, s1AttrReserved, s1DecodeMemAttrs, validS1Attrs, type S1Features } from "./mair.js";
import { describeS2MemAttr, s2DecodeMemAttrs, s2InnerReserved } from "./s2memattr.js";
import { encodePARAttrs, parEncodeShareability } from "./par.js";
import { InputError } from "../pgtable/u64.js";
import { checkBool, checkInt, checkObject } from "../pgtable/args.js";

// ---- options --------------------------------------------------------------------

/** The controls of a combine: FWB, the features, the HCR_EL2 and SCTLR_EL1 bits that change the rules, and whether the access is an instruction fetch. */
export interface CombineOptions {
  /** HCR_EL2.FWB (FEAT_S2FWB in use). */
  fwb: boolean;
  /** FEAT_XS implemented; default false. */
  xs?: boolean;
  /** FEAT_MTE2 implemented; default true. */
  mte2?: boolean;
  /** HCR_EL2.CD = 1: stage-2 data accesses to Normal memory are Non-cacheable; default false. */
  hcrCD?: boolean;
  /** HCR_EL2.DC = 1: stage 1 disabled, its output Normal WB (default cacheable); default false. */
  hcrDC?: boolean;
  /** HCR_EL2.DCT = 1 (with DC: the default-cacheable output is Tagged); default false. */
  hcrDCT?: boolean;
  /** SCTLR_EL1.C; default true. C = 0 makes stage-1 Normal data accesses Non-cacheable. */
  sctlrC?: boolean;
  /** An instruction fetch instead of a data access; default false. */
  ifetch?: boolean;
  /** HCR_EL2.ID = 1: stage-2 instruction fetches are Non-cacheable; default false. */
  hcrID?: boolean;
  /** SCTLR_EL1.I; default true. I = 0 makes stage-1 instruction fetches Non-cacheable. */
  sctlrI?: boolean;
}

/** CombineOptions with every default filled in. */
export interface CombineConfig extends S1Features {
  fwb: boolean;
  hcrCD: boolean;
  hcrDC: boolean;
  hcrDCT: boolean;
  sctlrC: boolean;
  ifetch: boolean;
  hcrID: boolean;
  sctlrI: boolean;
}

export function resolveOptions(o: CombineOptions): CombineConfig {
  return {
    fwb: o.fwb,
    xs: o.xs ?? false,
    mte2: o.mte2 ?? true,
    hcrCD: o.hcrCD ?? false,
    hcrDC: o.hcrDC ?? false,
    hcrDCT: o.hcrDCT ?? false,
    sctlrC: o.sctlrC ?? true,
    ifetch: o.ifetch ?? false,
    hcrID: o.hcrID ?? false,
    sctlrI: o.sctlrI ?? true,
  };
}

/** The non-default controls in words, for output headers. */
export function configWords(c: CombineConfig): string {
  const parts = [
    `FWB=${c.fwb ? 1 : 0}`,
    `FEAT_XS ${c.xs ? "on" : "off"}`,
    `FEAT_MTE2 ${c.mte2 ? "on" : "off"}`,
    c.ifetch ? "instruction fetch" : "data access",
  ];
  if (c.hcrCD) parts.push("HCR_EL2.CD=1");
  if (c.hcrDC) parts.push(`HCR_EL2.DC=1${c.hcrDCT ? " DCT=1" : ""}`);
  if (!c.sctlrC) parts.push("SCTLR_EL1.C=0");
  if (c.hcrID) parts.push("HCR_EL2.ID=1");
  if (!c.sctlrI) parts.push("SCTLR_EL1.I=0");
  return parts.join(", ");
}

// ---- one fully determined case ----------------------------------------------------

/** One rule applied: the ASL function it mirrors, what it did, and the record after it. */
export interface CombineStep {
  asl: string;
  rule: string;
  result: string;
}

/** Every CONSTRAINED UNPREDICTABLE / IMPLEMENTATION DEFINED choice, made. */
interface Choice {
  /** The valid stage-1 byte used (the input itself unless it is reserved). */
  s1Byte: number;
  /** Decoded stage-1 SH (0, 2, 3). */
  s1Sh: number;
  /** MEMATTR_* a reserved stage-2 inner cacheability stands for, -1 if not reserved. */
  s2Inner: number;
  /** Decoded stage-2 SH (0, 2, 3). */
  s2Sh: number;
  /** IMPLEMENTATION DEFINED "Apply effective shareability at stage 1". */
  effShS1: boolean;
  /** SCTLR_EL1.C = 0 on Tagged memory: Unpredictable_S1CTAGGED keeps the tag. */
  keepTag: boolean;
}

/** Where the ASL functions record their steps (null: they record none). */
export type Steps = CombineStep[] | null;

function push(steps: Steps, asl: string, rule: string, m: MemoryAttributes | string, xs: boolean): void {
  if (steps) steps.push({ asl, rule, result: typeof m === "string" ? m : attrsShort(m, { xs, withSh: true }) });
}

/** ASL EffectiveShareability: Device and Normal Inner-NC Outer-NC are Outer Shareable. */
export function effectiveShareability(m: MemoryAttributes): number {
  if (m.memtype === MEMTYPE_DEVICE || (m.inner.attrs === MEMATTR_NC && m.outer.attrs === MEMATTR_NC)) return SH_OSH;
  return m.shareability;
}

/** ASL S2CombineS1Shareability: the wider of the two (OSH > ISH > NSH). */
export function s2CombineS1Shareability(s1: number, s2: number): number {
  if (s1 === SH_OSH || s2 === SH_OSH) return SH_OSH;
  if (s1 === SH_ISH || s2 === SH_ISH) return SH_ISH;
  return SH_NSH;
}

/** ASL S2CombineS1Device: the more restrictive type (nGnRnE > nGnRE > nGRE > GRE). */
export function s2CombineS1Device(s1: number, s2: number): number {
  return Math.min(s1, s2);
}

/**
 * ASL S2CombineS1AttrHints: the weaker cacheability (NC < WT < WB); a cacheable
 * result takes stage 1's allocation and transient hints (stage 2 has none).
 */
export function s2CombineS1AttrHints(s1: MemAttrHints, s2: MemAttrHints): MemAttrHints {
  let attrs: number;
  if (s1.attrs === MEMATTR_NC || s2.attrs === MEMATTR_NC) attrs = MEMATTR_NC;
  else if (s1.attrs === MEMATTR_WT || s2.attrs === MEMATTR_WT) attrs = MEMATTR_WT;
  else attrs = MEMATTR_WB;
  if (attrs === MEMATTR_NC) return ncHalf();
  return hintsOf(attrs, s1.hints, s1.transient);
}

function isWbRwaNonTransient(h: MemAttrHints): boolean {
  return h.attrs === MEMATTR_WB && h.hints === MEMHINT_RWA && !h.transient;
}

/**
 * ASL S2MemTagType: Allocation Tagged survives only if stage 1 asked for it and
 * the result is Normal Inner+Outer WB RWA non-transient; otherwise stage 1's
 * (untagged or canonical) type, and a Tagged request becomes Untagged.
 */
export function s2MemTagType(m: MemoryAttributes, s1Tags: number, mte2: boolean): number {
  if (!mte2) return TAG_UNTAGGED;
  if (s1Tags === TAG_ALLOCATION && m.memtype === MEMTYPE_NORMAL && isWbRwaNonTransient(m.inner) && isWbRwaNonTransient(m.outer)) return TAG_ALLOCATION;
  if (s1Tags !== TAG_ALLOCATION) return s1Tags;
  return TAG_UNTAGGED;
}

function tagWords(t: number): string {
  return t === TAG_ALLOCATION ? "Allocation Tagged" : t === TAG_UNTAGGED ? "Untagged" : "Canonically Tagged";
}

/** ASL S2CombineS1MemAttrs (HCR_EL2.FWB = 0), s2aarch64 = TRUE, FEAT_MTE_PERM not implemented. */
export function s2CombineS1MemAttrs(s1: MemoryAttributes, s2: MemoryAttributes, cfg: S1Features, steps: Steps = null): MemoryAttributes {
  let m: MemoryAttributes;
  if (s1.memtype === MEMTYPE_DEVICE && s2.memtype === MEMTYPE_DEVICE) {
    m = cloneAttrs(s1);
    m.device = s2CombineS1Device(s1.device, s2.device);
    m.tags = TAG_UNTAGGED;
    push(
      steps,
      "S2CombineS1Device",
      `both stages Device: the more restrictive type wins (nGnRnE > nGnRE > nGRE > GRE): ${DEVICE_TYPE_NAMES[s1.device]} and ${DEVICE_TYPE_NAMES[s2.device]} give ${DEVICE_TYPE_NAMES[m.device]}`,
      `Device-${DEVICE_TYPE_NAMES[m.device]}`,
      cfg.xs,
    );
  } else if (s1.memtype === MEMTYPE_DEVICE) {
    m = cloneAttrs(s1);
    push(
      steps,
      "S2CombineS1MemAttrs",
      `stage 1 Device, stage 2 Normal: the stage-1 attributes are kept (Device-${DEVICE_TYPE_NAMES[s1.device]})`,
      `Device-${DEVICE_TYPE_NAMES[m.device]}`,
      cfg.xs,
    );
  } else if (s2.memtype === MEMTYPE_DEVICE) {
    m = cloneAttrs(s2);
    push(
      steps,
      "S2CombineS1MemAttrs",
      `stage 1 Normal, stage 2 Device: the stage-2 attributes are taken (Device-${DEVICE_TYPE_NAMES[s2.device]}); the Normal side never affects the device type`,
      `Device-${DEVICE_TYPE_NAMES[m.device]}`,
      cfg.xs,
    );
  } else {
    m = cloneAttrs(s1);
    m.inner = s2CombineS1AttrHints(s1.inner, s2.inner);
    m.outer = s2CombineS1AttrHints(s1.outer, s2.outer);
    if (steps) {
      const half = (name: string, a: MemAttrHints, b: MemAttrHints, r: MemAttrHints): string =>
        `${name} ${cacheShort(a.attrs)} + ${cacheShort(b.attrs)} -> ${cacheShort(r.attrs)}${r.attrs !== MEMATTR_NC ? " (stage-1 hints kept)" : ""}`;
      push(
        steps,
        "S2CombineS1AttrHints",
        `both Normal: each half takes the weaker cacheability (NC < WT < WB), hints and transient from stage 1: ${half("outer", s1.outer, s2.outer, m.outer)}; ${half("inner", s1.inner, s2.inner, m.inner)}`,
        memTypeSummary(m),
        cfg.xs,
      );
    }
  }
  m.tags = s2MemTagType(m, s1.tags, cfg.mte2);
  if (steps && (s1.tags !== TAG_UNTAGGED || m.tags !== TAG_UNTAGGED)) {
    push(
      steps,
      "S2MemTagType",
      `stage 1 ${tagWords(s1.tags)}: the result is ${tagWords(m.tags)}${s1.tags === TAG_ALLOCATION && m.tags !== TAG_ALLOCATION ? " (Tagged needs a Normal Inner+Outer WB RWA non-transient result)" : ""}`,
      tagWords(m.tags),
      cfg.xs,
    );
  }
  m.notagaccess = false; // FEAT_MTE_PERM not implemented
  m.shareability = s2CombineS1Shareability(s1.shareability, s2.shareability);
  push(
    steps,
    "S2CombineS1Shareability",
    `${SH_SHORT[s1.shareability]} (stage 1) with ${SH_SHORT[s2.shareability]} (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH`,
    SH_SHORT[m.shareability],
    cfg.xs,
  );
  if (m.memtype === MEMTYPE_NORMAL && m.inner.attrs === MEMATTR_WB && m.outer.attrs === MEMATTR_WB) {
    m.xs = 0;
    if (cfg.xs) push(steps, "S2CombineS1MemAttrs", "XS: the result is Normal Inner+Outer Write-Back, so XS = 0", "XS=0", cfg.xs);
  } else {
    m.xs = s2.xs & s1.xs;
    if (cfg.xs) push(steps, "S2CombineS1MemAttrs", `XS = stage-2 XS AND stage-1 XS = ${s2.xs} AND ${s1.xs} = ${m.xs}`, `XS=${m.xs}`, cfg.xs);
  }
  const before = m.shareability;
  m.shareability = effectiveShareability(m);
  push(
    steps,
    "EffectiveShareability",
    before === m.shareability
      ? `${SH_SHORT[before]} stays (only Device and Normal NC/NC are forced to OSH)`
      : `${m.memtype === MEMTYPE_DEVICE ? "Device" : "Normal Inner+Outer Non-cacheable"} is always Outer Shareable: ${SH_SHORT[before]} -> OSH`,
    m,
    cfg.xs,
  );
  return m;
}

/**
 * ASL AArch64.S2ApplyFWBMemAttrs (HCR_EL2.FWB = 1): stage 2 overrides rather
 * than combines. MemAttr[3] is RES0 without FEAT_MTE_PERM and only [2:0] is
 * looked at; 0b100 takes the 0b101 arm. FnXS = 0.
 */
export function s2ApplyFWBMemAttrs(s1: MemoryAttributes, memattr: number, s2Sh: number, cfg: S1Features, steps: Steps = null): MemoryAttributes {
  const low = memattr & 0b111;
  let m: MemoryAttributes;
  if ((low & 0b100) === 0) {
    const s2dev = low & 3;
    m = normalNCMemAttr();
    m.memtype = MEMTYPE_DEVICE;
    m.device = s1.memtype === MEMTYPE_DEVICE ? s2CombineS1Device(s1.device, s2dev) : s2dev;
    m.xs = s1.xs;
    push(
      steps,
      "AArch64.S2ApplyFWBMemAttrs",
      s1.memtype === MEMTYPE_DEVICE
        ? `MemAttr[2] = 0: stage 2 forces Device-${DEVICE_TYPE_NAMES[s2dev]}; stage 1 is Device-${DEVICE_TYPE_NAMES[s1.device]}, so the more restrictive (S2CombineS1Device) wins: ${DEVICE_TYPE_NAMES[m.device]}; XS from stage 1`
        : `MemAttr[2] = 0: stage 2 forces Device-${DEVICE_TYPE_NAMES[s2dev]} over stage-1 Normal memory; XS from stage 1`,
      `Device-${DEVICE_TYPE_NAMES[m.device]}`,
      cfg.xs,
    );
  } else if ((low & 3) === 0b11) {
    m = cloneAttrs(s1);
    push(steps, "AArch64.S2ApplyFWBMemAttrs", "MemAttr[2:0] = 0b111: the stage-1 attributes are used unchanged", memTypeSummary(m), cfg.xs);
  } else if ((low & 3) === 0b10) {
    const keepIn = s1.memtype === MEMTYPE_NORMAL && s1.inner.attrs !== MEMATTR_NC;
    const keepOut = s1.memtype === MEMTYPE_NORMAL && s1.outer.attrs !== MEMATTR_NC;
    m = normalNCMemAttr();
    m.inner = keepIn ? hintsOf(MEMATTR_WB, s1.inner.hints, s1.inner.transient) : hintsOf(MEMATTR_WB, MEMHINT_RWA, false);
    m.outer = keepOut ? hintsOf(MEMATTR_WB, s1.outer.hints, s1.outer.transient) : hintsOf(MEMATTR_WB, MEMHINT_RWA, false);
    m.xs = 0;
    const why = (keep: boolean): string =>
      keep ? "stage-1 hints kept (stage 1 is cacheable there)" : "RWA non-transient (stage 1 is Device or Non-cacheable there)";
    push(
      steps,
      "AArch64.S2ApplyFWBMemAttrs",
      `MemAttr[2:0] = 0b110: Normal Write-Back forced; outer ${why(keepOut)}, inner ${why(keepIn)}; XS = 0`,
      memTypeSummary(m),
      cfg.xs,
    );
  } else {
    const reserved = low === 0b100 ? "MemAttr[2:0] = 0b100 (reserved in the Arm ARM text; the ASL takes the 0b101 arm): " : "MemAttr[2:0] = 0b101: ";
    if (s1.memtype === MEMTYPE_DEVICE) {
      m = cloneAttrs(s1);
      push(
        steps,
        "AArch64.S2ApplyFWBMemAttrs",
        `${reserved}Non-cacheable unless stage 1 is Device; stage 1 is Device-${DEVICE_TYPE_NAMES[s1.device]}, so stage 1 is kept`,
        memTypeSummary(m),
        cfg.xs,
      );
    } else {
      m = normalNCMemAttr();
      m.xs = s1.xs;
      push(
        steps,
        "AArch64.S2ApplyFWBMemAttrs",
        `${reserved}stage 1 is Normal, so the result is Normal Inner+Outer Non-cacheable; XS from stage 1`,
        memTypeSummary(m),
        cfg.xs,
      );
    }
  }
  m.shareability = s2CombineS1Shareability(s1.shareability, s2Sh);
  push(
    steps,
    "S2CombineS1Shareability",
    `${SH_SHORT[s1.shareability]} (stage 1) with ${SH_SHORT[s2Sh]} (stage 2): OSH if either is OSH, else ISH if either is ISH, else NSH`,
    SH_SHORT[m.shareability],
    cfg.xs,
  );
  const tags = s2MemTagType(m, s1.tags, cfg.mte2);
  if (steps && (s1.tags !== TAG_UNTAGGED || m.tags !== TAG_UNTAGGED)) {
    push(
      steps,
      "S2MemTagType",
      `stage 1 ${tagWords(s1.tags)}: the result is ${tagWords(tags)}${s1.tags === TAG_ALLOCATION && tags !== TAG_ALLOCATION ? " (Tagged needs a Normal Inner+Outer WB RWA non-transient result)" : ""}`,
      tagWords(tags),
      cfg.xs,
    );
  }
  m.tags = tags;
  m.notagaccess = false; // FEAT_MTE_PERM not implemented
  const before = m.shareability;
  m.shareability = effectiveShareability(m);
  push(
    steps,
    "EffectiveShareability",
    before === m.shareability
      ? `${SH_SHORT[before]} stays (only Device and Normal NC/NC are forced to OSH)`
      : `${m.memtype === MEMTYPE_DEVICE ? "Device" : "Normal Inner+Outer Non-cacheable"} is always Outer Shareable: ${SH_SHORT[before]} -> OSH`,
    m,
    cfg.xs,
  );
  return m;
}

/** The stage-1 output (ipa.memattrs) for one choice. */
function stage1(s1Attr: number, ch: Choice, cfg: CombineConfig, steps: Steps): MemoryAttributes {
  if (cfg.hcrDC) {
    // ASL AArch64.S1DisabledOutput, HCR_EL2.DC = 1 branch (tested before the instruction-fetch
    // one): WB RWA non-transient both halves, NSH, Tagged if DCT (Canonical if MTX), XS = 0; no
    // effective-shareability step (read in a Sail-generated rendering of the v9.4 ASL).
    const wb = hintsOf(MEMATTR_WB, MEMHINT_RWA, false);
    const m = normalNCMemAttr();
    m.inner = { ...wb };
    m.outer = { ...wb };
    m.shareability = SH_NSH;
    m.tags = cfg.hcrDCT && cfg.mte2 ? TAG_ALLOCATION : TAG_UNTAGGED;
    m.xs = 0;
    push(
      steps,
      "AArch64.S1DisabledOutput",
      `HCR_EL2.DC = 1: stage 1 is disabled and the MAIR byte is not used; its output is Normal Inner+Outer WB RWA non-transient, Non-shareable${cfg.hcrDCT ? ", Tagged (HCR_EL2.DCT = 1)" : ""}, XS = 0`,
      m,
      cfg.xs,
    );
    return m;
  }
  const walk = s1DecodeMemAttrs(ch.s1Byte, ch.s1Sh, cfg);
  if (steps) {
    const d = describeMairAttr(ch.s1Byte, cfg);
    const pre =
      ch.s1Byte !== s1Attr ? `reserved byte 0x${hex2(s1Attr)} taken as 0x${hex2(ch.s1Byte)} (one permitted choice, S1ConstrainUnpredictableRESMAIR): ` : "";
    push(steps, "S1DecodeMemAttrs", `${pre}MAIR Attr 0x${hex2(ch.s1Byte)} = ${d.text}; SH ${SH_SHORT[ch.s1Sh]}`, walk, cfg.xs);
  }
  let m: MemoryAttributes;
  if (cfg.ifetch && (walk.memtype === MEMTYPE_DEVICE || !cfg.sctlrI)) {
    m = normalNCMemAttr();
    m.xs = walk.xs;
    push(
      steps,
      "AArch64.S1Translate",
      `instruction fetch from ${walk.memtype === MEMTYPE_DEVICE ? "stage-1 Device memory" : "stage 1 with SCTLR_EL1.I = 0"}: treated as Normal Non-cacheable (XS kept)`,
      m,
      cfg.xs,
    );
  } else if (!cfg.ifetch && !cfg.sctlrC && walk.memtype === MEMTYPE_NORMAL) {
    m = normalNCMemAttr();
    m.xs = walk.xs;
    // The ASL: "The effect of SCTLR_ELx.C when '0' is Constrained UNPREDICTABLE on the Tagged
    // attribute", then `if FEAT_MTE2 && Tagged && !ConstrainUnpredictableBool(Unpredictable_S1CTAGGED)
    // then tags = Untagged`. Read literally the tag is always lost (NormalNCMemAttr() already set
    // Untagged), which makes the CONSTRAINED UNPREDICTABLE choice dead; s2pt follows the stated
    // intent and reports both outcomes (kept / dropped) as permitted.
    const tagged = cfg.mte2 && walk.tags === TAG_ALLOCATION;
    if (tagged && ch.keepTag) m.tags = TAG_ALLOCATION;
    push(
      steps,
      "AArch64.S1Translate",
      `SCTLR_EL1.C = 0: a Normal data access is treated as Normal Non-cacheable (XS kept)${tagged ? `; Tagged is CONSTRAINED UNPREDICTABLE (Unpredictable_S1CTAGGED), here ${ch.keepTag ? "kept" : "dropped"}` : ""}`,
      m,
      cfg.xs,
    );
  } else {
    m = cloneAttrs(walk);
  }
  // "Shareability value of stage 1 translation subject to stage 2 is IMPLEMENTATION DEFINED
  // to be either effective value or descriptor value" (AArch64.S1Translate).
  const eff = effectiveShareability(m);
  m.shareability = ch.effShS1 ? eff : walk.shareability;
  push(
    steps,
    "AArch64.S1Translate",
    eff === walk.shareability
      ? `stage-1 shareability ${SH_SHORT[walk.shareability]} (IMPLEMENTATION DEFINED "Apply effective shareability at stage 1" makes no difference here)`
      : `IMPLEMENTATION DEFINED "Apply effective shareability at stage 1": ${ch.effShS1 ? `applied, ${SH_SHORT[walk.shareability]} -> ${SH_SHORT[eff]}` : `not applied, the descriptor's ${SH_SHORT[walk.shareability]} goes to stage 2`} (the other choice gives ${SH_SHORT[ch.effShS1 ? walk.shareability : eff]})`,
    m,
    cfg.xs,
  );
  return m;
}

/** One fully determined combination: the final MemoryAttributes. */
function combineCase(s1Attr: number, s2MemAttr: number, ch: Choice, cfg: CombineConfig, steps: Steps): MemoryAttributes {
  const s1 = stage1(s1Attr, ch, cfg, steps);
  let walk: MemoryAttributes;
  if (!cfg.fwb) {
    walk = s2DecodeMemAttrs(s2MemAttr, ch.s2Sh, ch.s2Inner);
    if (steps) {
      const d = describeS2MemAttr(s2MemAttr, false);
      const pick =
        ch.s2Inner >= 0
          ? `; the reserved inner half taken as ${cacheShort(ch.s2Inner)} (one permitted choice, S2DecodeCacheability, Unpredictable_S2RESMEMATTR)`
          : "";
      push(
        steps,
        "S2DecodeMemAttrs",
        `MemAttr 0b${s2MemAttr.toString(2).padStart(4, "0")} = ${d.text}${pick}; SH ${SH_SHORT[ch.s2Sh]}; stage 2 has no allocation hints`,
        walk,
        cfg.xs,
      );
    }
  } else {
    walk = s2ApplyFWBMemAttrs(s1, s2MemAttr, ch.s2Sh, cfg, steps);
  }
  const toNC = (cfg.ifetch && (walk.memtype === MEMTYPE_DEVICE || cfg.hcrID)) || (!cfg.ifetch && walk.memtype === MEMTYPE_NORMAL && cfg.hcrCD);
  if (toNC) {
    const xs = walk.xs;
    const why = cfg.ifetch
      ? walk.memtype === MEMTYPE_DEVICE
        ? "an instruction fetch from stage-2 Device memory (which may instead be a Permission fault, Unpredictable_INSTRDEVICE)"
        : "HCR_EL2.ID = 1"
      : "HCR_EL2.CD = 1 on Normal memory";
    walk = normalNCMemAttr();
    walk.xs = xs;
    push(
      steps,
      "AArch64.S2Translate",
      `${why}: the stage-2 attributes are treated as Normal Non-cacheable, Outer Shareable, Untagged (NormalNCMemAttr, XS kept)${cfg.fwb ? "; with FWB this replaces the already-combined result" : ""}`,
      walk,
      cfg.xs,
    );
  }
  if (!cfg.fwb) return s2CombineS1MemAttrs(s1, walk, cfg, steps);
  return walk;
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, "0");
}

// ---- enumeration of the open choices ------------------------------------------------

const SH_CHOICES = [SH_NSH, SH_OSH, SH_ISH];
const CACHE_CHOICES = [MEMATTR_NC, MEMATTR_WT, MEMATTR_WB];
const validCache = new Map<string, number[]>();

function validBytes(cfg: S1Features): number[] {
  const k = `${cfg.xs ? 1 : 0}${cfg.mte2 ? 1 : 0}`;
  let v = validCache.get(k);
  if (!v) validCache.set(k, (v = validS1Attrs(cfg)));
  return v;
}

/** The option lists of every choice for these inputs (one element when the input is determined). */
function choiceLists(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, cfg: CombineConfig) {
  const s1Reserved = !cfg.hcrDC && s1AttrReserved(s1Attr, cfg);
  return {
    s1Byte: s1Reserved ? validBytes(cfg) : [s1Attr],
    s1Sh: s1Sh === 1 && !cfg.hcrDC ? SH_CHOICES : [s1Sh === 1 ? SH_NSH : s1Sh],
    s2Inner: !cfg.fwb && s2InnerReserved(s2MemAttr) ? CACHE_CHOICES : [-1],
    s2Sh: s2Sh === 1 ? SH_CHOICES : [s2Sh],
    effShS1: cfg.hcrDC ? [false] : [false, true],
    keepTag: !cfg.hcrDC && !cfg.ifetch && !cfg.sctlrC && cfg.mte2 ? [false, true] : [true],
  };
}

type ChoiceLists = ReturnType<typeof choiceLists>;

function* cases(l: ChoiceLists): Generator<Choice> {
  for (const s1Byte of l.s1Byte)
    for (const s1Sh of l.s1Sh)
      for (const s2Inner of l.s2Inner)
        for (const s2Sh of l.s2Sh) for (const effShS1 of l.effShS1) for (const keepTag of l.keepTag) yield { s1Byte, s1Sh, s2Inner, s2Sh, effShS1, keepTag };
}

// ---- the explained result ---------------------------------------------------------------

/** Why a column is open. */
export interface OpenReason {
  /** Short id: RESMAIR, S2RESMEMATTR, S1SH, S2SH, IMPDEF_S1_SH, S1CTAGGED. */
  id: string;
  /** The ASL function and the UNPREDICTABLE / IMPLEMENTATION DEFINED name. */
  asl: string;
  text: string;
}

/** One permitted outcome of an open combination. */
export interface CombineOutcome {
  attr: number;
  sh: number;
  memtype: string;
  description: string;
  /** The choices that lead here (the first few, in words). */
  choices: string[];
  /** How many enumerated choice combinations lead here. */
  count: number;
  /** The rule trace of the first of them. */
  steps: CombineStep[];
}

/**
 * One combination explained (combineS1S2): the inputs in words, every rule step with its ASL function, the result as PAR_EL1.ATTR/SH (-1 where open), the reasons and every permitted outcome. JSON-safe.
 */
export interface CombineResult {
  /** PAR_EL1.ATTR byte of the result, or -1 when the architecture leaves it open. */
  attr: number;
  /** 0 NSH, 2 OSH, 3 ISH, or -1 when open. */
  sh: number;
  /** Memory-type summary: "Device-nGnRE", "Normal-WB", "Normal-NC", "Normal-oNC/iWT"; alternatives joined by " | " when open. */
  memtype: string;
  /** The result in plain words. */
  description: string;
  /** Tagged (Allocation Tagged) result; null when open. */
  tagged: boolean | null;
  /** XS attribute of the result (reported with FEAT_XS); null when open. */
  xs: number | null;
  /** The inputs decoded. */
  s1: { attr: number; sh: number; text: string; reserved: boolean };
  s2: { memattr: number; sh: number; text: string; reserved: boolean; linux: string | null };
  /** The rule trace (for an open result: the trace of the first permitted outcome). */
  steps: CombineStep[];
  /** Per open column: the reasons and the permitted values. */
  open: { attr: OpenReason[]; sh: OpenReason[] };
  /** Permitted values of each column (one value when determined). */
  permitted: { attr: number[]; sh: number[] };
  /** Every distinct permitted (attr, sh) outcome with the choices that lead to it. */
  outcomes: CombineOutcome[];
  /** Remarks that do not make a column open (e.g. FWB MemAttr 0b100 is reserved in the Arm ARM text). */
  notes: string[];
  config: CombineConfig;
}

function checkInputs(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number): void {
  const intIn = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (!intIn(s1Attr, 0, 0xff)) throw new InputError(`stage-1 Attr ${s1Attr} is not a byte (0..0xff)`);
  if (!intIn(s2MemAttr, 0, 0xf)) throw new InputError(`stage-2 MemAttr ${s2MemAttr} is not 4 bits (0..0xf)`);
  if (!intIn(s1Sh, 0, 3)) throw new InputError(`stage-1 SH ${s1Sh} is not 2 bits (0..3)`);
  if (!intIn(s2Sh, 0, 3)) throw new InputError(`stage-2 SH ${s2Sh} is not 2 bits (0..3)`);
}

const REASONS: Record<string, (ctx: { s1Attr: number; s2MemAttr: number; cfg: CombineConfig }) => OpenReason> = {
  s1Byte: ({ s1Attr, cfg }) => ({
    id: "RESMAIR",
    asl: "S1ConstrainUnpredictableRESMAIR / Unpredictable_RESMAIR",
    text: `stage-1 Attr 0x${hex2(s1Attr)} is reserved (${describeMairAttr(s1Attr, cfg).note}): the access gets the attributes of some valid encoding, and software cannot rely on which`,
  }),
  s1Sh: () => ({
    id: "S1SH",
    asl: "DecodeShareability / Unpredictable_Shareability",
    text: "stage-1 SH 0b01 is reserved: it behaves as one of Non-shareable, Inner or Outer Shareable",
  }),
  s2Inner: ({ s2MemAttr }) => ({
    id: "S2RESMEMATTR",
    asl: "S2DecodeCacheability / Unpredictable_S2RESMEMATTR",
    text: `stage-2 MemAttr 0b${s2MemAttr.toString(2).padStart(4, "0")} has the reserved inner cacheability 0b00: it is one of Non-cacheable, Write-Through or Write-Back`,
  }),
  s2Sh: () => ({
    id: "S2SH",
    asl: "DecodeShareability / Unpredictable_Shareability",
    text: "stage-2 SH 0b01 is reserved: it behaves as one of Non-shareable, Inner or Outer Shareable",
  }),
  effShS1: () => ({
    id: "IMPDEF_S1_SH",
    asl: 'AArch64.S1Translate / IMPLEMENTATION DEFINED "Apply effective shareability at stage 1"',
    text: "whether stage 1 hands stage 2 its descriptor shareability or its effective shareability (OSH for Device and Normal NC/NC) is IMPLEMENTATION DEFINED",
  }),
  keepTag: () => ({
    id: "S1CTAGGED",
    asl: "AArch64.S1Translate / Unpredictable_S1CTAGGED",
    text: "with SCTLR_EL1.C = 0 it is CONSTRAINED UNPREDICTABLE whether Tagged memory stays Tagged",
  }),
};

function choiceWords(ch: Choice, l: ChoiceLists, s1Attr: number): string {
  const parts: string[] = [];
  if (l.s1Byte.length > 1) parts.push(`0x${hex2(s1Attr)} as 0x${hex2(ch.s1Byte)}`);
  if (l.s1Sh.length > 1) parts.push(`S1 SH as ${SH_SHORT[ch.s1Sh]}`);
  if (l.s2Inner.length > 1) parts.push(`S2 inner as ${cacheShort(ch.s2Inner)}`);
  if (l.s2Sh.length > 1) parts.push(`S2 SH as ${SH_SHORT[ch.s2Sh]}`);
  if (l.effShS1.length > 1) parts.push(`effective SH at stage 1 ${ch.effShS1 ? "applied" : "not applied"}`);
  if (l.keepTag.length > 1) parts.push(`tag ${ch.keepTag ? "kept" : "dropped"}`);
  return parts.join(", ");
}

/**
 * Combine a stage-1 MAIR Attr byte and SH with a stage-2 MemAttr and SH, per
 * the ASL, and explain it. SH 0b01 (reserved) is accepted and enumerated.
 * Throws InputError for out-of-range inputs.
 */
export function combineS1S2(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, opts: CombineOptions): CombineResult {
  checkObject(opts, "opts");
  checkInputs(s1Attr, s1Sh, s2MemAttr, s2Sh);
  const cfg = resolveOptions(opts);
  const l = choiceLists(s1Attr, s1Sh, s2MemAttr, s2Sh, cfg);
  const all: Array<{ ch: Choice; attr: number; sh: number; m: MemoryAttributes }> = [];
  for (const ch of cases(l)) {
    const m = combineCase(s1Attr, s2MemAttr, ch, cfg, null);
    all.push({ ch, attr: encodePARAttrs(m, cfg.xs), sh: parEncodeShareability(m), m });
  }
  const attrs = [...new Set(all.map((c) => c.attr))].sort((a, b) => a - b);
  const shs = [...new Set(all.map((c) => c.sh))].sort((a, b) => a - b);

  // Which choice dimensions change which column: two cases that differ in that dimension only.
  const dims = (Object.keys(l) as Array<keyof ChoiceLists>).filter((d) => l[d].length > 1);
  const responsible = (col: "attr" | "sh"): OpenReason[] => {
    const out: OpenReason[] = [];
    for (const d of dims) {
      const groups = new Map<string, number>();
      let differs = false;
      for (const c of all) {
        const key = (Object.keys(c.ch) as Array<keyof Choice>).map((k) => (k === d ? "*" : String(c.ch[k]))).join(",");
        const prev = groups.get(key);
        if (prev === undefined) groups.set(key, c[col]);
        else if (prev !== c[col]) {
          differs = true;
          break;
        }
      }
      if (differs) out.push(REASONS[d]({ s1Attr, s2MemAttr, cfg }));
    }
    return out;
  };

  // Distinct outcomes.
  const byKey = new Map<string, { first: (typeof all)[number]; list: (typeof all)[number][] }>();
  for (const c of all) {
    const k = `${c.attr},${c.sh}`;
    const e = byKey.get(k);
    if (e) e.list.push(c);
    else byKey.set(k, { first: c, list: [c] });
  }
  const outcomes: CombineOutcome[] = [...byKey.values()]
    .sort((a, b) => a.first.attr - b.first.attr || a.first.sh - b.first.sh)
    .map(({ first, list }) => {
      const steps: CombineStep[] = [];
      combineCase(s1Attr, s2MemAttr, first.ch, cfg, steps);
      steps.push(parStep(first.m, first.attr, first.sh, cfg));
      const words = list
        .slice(0, 8)
        .map((c) => choiceWords(c.ch, l, s1Attr))
        .filter((w) => w !== "");
      if (list.length > 8 && words.length) words.push(`... (${list.length} choice combinations in all)`);
      return {
        attr: first.attr,
        sh: first.sh,
        memtype: memTypeSummary(first.m),
        description: describeFinal(first.m, first.sh, cfg),
        choices: words,
        count: list.length,
        steps,
      };
    });

  const attrOpen = attrs.length > 1;
  const shOpen = shs.length > 1;
  const memtypes = [...new Set(outcomes.map((o) => o.memtype))];
  const d1 = describeMairAttr(s1Attr, cfg);
  const d2 = describeS2MemAttr(s2MemAttr, cfg.fwb);
  const notes: string[] = [];
  if (cfg.fwb && (s2MemAttr & 0b111) === 0b100)
    notes.push(
      "FWB MemAttr[2:0] = 0b100 is reserved in the Arm ARM text; s2pt follows the ASL, which gives it the 0b101 behaviour (QEMU forces Device-nGnRnE, KVM at.c keeps stage 1)",
    );
  if (cfg.fwb && s2MemAttr & 0b1000) notes.push("FWB MemAttr[3] is RES0 without FEAT_MTE_PERM; the ASL ignores it (QEMU forces Device-nGnRnE for 8..15)");
  if (cfg.hcrDC) notes.push("HCR_EL2.DC = 1: the stage-1 Attr byte and SH are not used");
  const single = outcomes.length === 1 ? all[0].m : null;
  let description: string;
  if (outcomes.length === 1) description = outcomes[0].description;
  else if (!attrOpen) description = `${outcomes[0].description.replace(/, [^,]*$/, "")}; shareability open: ${shs.map((s) => SH_SHORT[s]).join(" or ")}`;
  else
    description = `open: one of ${outcomes.length <= 6 ? outcomes.map((o) => `${o.memtype} (0x${hex2(o.attr)} ${SH_SHORT[o.sh]})`).join(", ") : `${attrs.length} ATTR values (${memtypes.join(", ")})`}`;
  return {
    attr: attrOpen ? -1 : attrs[0],
    sh: shOpen ? -1 : shs[0],
    memtype: memtypes.join(" | "),
    description,
    tagged: attrOpen ? null : all[0].m.tags === TAG_ALLOCATION,
    xs: single ? single.xs : attrOpen ? null : all[0].m.xs,
    s1: { attr: s1Attr, sh: s1Sh, text: cfg.hcrDC ? `${d1.text} (not used: HCR_EL2.DC = 1)` : d1.text, reserved: d1.reserved && !cfg.hcrDC },
    s2: { memattr: s2MemAttr, sh: s2Sh, text: d2.text, reserved: d2.reserved, linux: d2.linux },
    steps: outcomes[0].steps,
    open: { attr: attrOpen ? responsible("attr") : [], sh: shOpen ? responsible("sh") : [] },
    permitted: { attr: attrs, sh: shs },
    outcomes,
    notes,
    config: cfg,
  };
}

function describeFinal(m: MemoryAttributes, sh: number, cfg: CombineConfig): string {
  return attrsWords({ ...m, shareability: sh }, { xs: cfg.xs, withSh: true });
}

function parStep(m: MemoryAttributes, attr: number, sh: number, cfg: CombineConfig): CombineStep {
  const why: string[] = [];
  if (m.tags === TAG_ALLOCATION) why.push("Allocation Tagged reports 0xF0");
  else if (m.memtype === MEMTYPE_DEVICE)
    why.push(`Device 0b0000dd0x with dd = ${m.device.toString(2).padStart(2, "0")}${cfg.xs ? `, bit 0 = NOT XS = ${m.xs ? 0 : 1}` : ""}`);
  else if (cfg.xs && m.xs === 0 && (attr === 0x40 || attr === 0xa0))
    why.push(`XS = 0 ${attr === 0x40 ? "Normal NC/NC reports 0x40" : "WT/WT with outer RA non-transient reports 0xA0 (inner hints not reported)"}`);
  else why.push("one MAIR nibble per half (outer [7:4], inner [3:0])");
  return {
    asl: "EncodePARAttrs / PAREncodeShareability",
    rule: `${why.join("; ")}; SH ${m.memtype === MEMTYPE_DEVICE || (m.inner.attrs === MEMATTR_NC && m.outer.attrs === MEMATTR_NC) ? "forced to OSH (Device / Normal NC-NC)" : SH_SHORT[sh]}`,
    result: `ATTR 0x${hex2(attr)}, SH 0b${sh.toString(2).padStart(2, "0")} (${SH_SHORT[sh]})`,
  };
}

// ---- the table (hot path) -----------------------------------------------------------------

/** The table lookups' arguments in one test (no allocation): bytes, SH values, a MemAttr, booleans. */
function combineArgsOk(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, fwb: boolean, xs: boolean): boolean {
  return (
    typeof s1Attr === "number" &&
    typeof s1Sh === "number" &&
    typeof s2MemAttr === "number" &&
    typeof s2Sh === "number" &&
    s1Attr >>> 0 === s1Attr &&
    s1Attr <= 0xff &&
    s1Sh >>> 0 === s1Sh &&
    s1Sh <= 3 &&
    s2MemAttr >>> 0 === s2MemAttr &&
    s2MemAttr <= 0xf &&
    s2Sh >>> 0 === s2Sh &&
    s2Sh <= 3 &&
    typeof fwb === "boolean" &&
    typeof xs === "boolean"
  );
}

/** The ArgumentError for the table lookups' arguments (out of line). */
function badCombineArgs(s1Attr: unknown, s1Sh: unknown, s2MemAttr: unknown, s2Sh: unknown, fwb: unknown, xs: unknown): never {
  checkInt(s1Attr, "s1Attr", 0, 0xff, "a MAIR Attr byte");
  checkInt(s1Sh, "s1Sh", 0, 3, "an SH value");
  checkInt(s2MemAttr, "s2MemAttr", 0, 0xf, "a stage-2 MemAttr");
  checkInt(s2Sh, "s2Sh", 0, 3, "an SH value");
  checkBool(fwb, "fwb");
  checkBool(xs, "xs");
  throw new Error("badCombineArgs: the arguments passed");
}

/** Index of a row: fwb varies fastest, then s2 SH, s2 MemAttr, s1 SH, s1 Attr (the --table order). */
export function combineIndex(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, fwb: boolean | number): number {
  return ((((s1Attr & 0xff) * 4 + (s1Sh & 3)) * 16 + (s2MemAttr & 0xf)) * 4 + (s2Sh & 3)) * 2 + (fwb ? 1 : 0);
}

/** attr[i] / sh[i] for every combineIndex(); -1 where the architecture leaves the column open. */
export interface CombineTable {
  attr: Int16Array;
  sh: Int8Array;
  /** The configuration with `fwb` meaningless (both are in the table). */
  config: CombineConfig;
}

/** Rows of the combine table: 256 stage-1 Attr bytes x 4 SH x 16 MemAttr x 4 SH x FWB off/on. */
export const COMBINE_TABLE_SIZE = 256 * 4 * 16 * 4 * 2;

function tableKey(c: CombineConfig): string {
  return [c.xs, c.mte2, c.hcrCD, c.hcrDC, c.hcrDCT, c.sctlrC, c.ifetch, c.hcrID, c.sctlrI].map((b) => (b ? 1 : 0)).join("");
}

const tables = new Map<string, CombineTable>();

/**
 * The whole table for a configuration (SH 0b01 rows included), computed by the
 * rules on first use and cached. Rows with a valid stage-1 byte and SH in
 * {0,2,3} are computed by enumerating the remaining choices; a reserved byte
 * or SH 0b01 row is the union of the rows it may stand for (the choice sets are
 * a cross product, so the union of their outcomes is exact).
 */
export function combineTable(opts: Omit<CombineOptions, "fwb"> = {}): CombineTable {
  checkObject(opts, "opts");
  const cfg = resolveOptions({ ...opts, fwb: false });
  const key = tableKey(cfg);
  const hit = tables.get(key);
  if (hit) return hit;
  const attr = new Int16Array(COMBINE_TABLE_SIZE).fill(-2);
  const sh = new Int8Array(COMBINE_TABLE_SIZE).fill(-2);
  const valid = validBytes(cfg);
  const c0: CombineConfig = { ...cfg, fwb: false };
  const c1: CombineConfig = { ...cfg, fwb: true };
  // 1. determined stage-1 inputs
  for (const a of valid) {
    for (const s1Sh of SH_CHOICES) {
      for (let m = 0; m < 16; m++) {
        for (const s2Sh of SH_CHOICES) {
          for (let f = 0; f < 2; f++) {
            const c = f ? c1 : c0;
            const l = choiceLists(a, s1Sh, m, s2Sh, c);
            let va = -2;
            let vs = -2;
            for (const ch of cases(l)) {
              const r = combineCase(a, m, ch, c, null);
              const pa = encodePARAttrs(r, c.xs);
              const ps = parEncodeShareability(r);
              va = va === -2 || va === pa ? pa : -1;
              vs = vs === -2 || vs === ps ? ps : -1;
            }
            const i = combineIndex(a, s1Sh, m, s2Sh, f);
            attr[i] = va;
            sh[i] = vs;
          }
        }
      }
    }
  }
  // 2. reserved bytes and SH 0b01: unions
  const shOpts = (s: number): readonly number[] => (s === 1 ? SH_CHOICES : [s]);
  for (let a = 0; a < 256; a++) {
    const aOpts = cfg.hcrDC ? [valid[0]] : s1AttrReserved(a, cfg) ? valid : [a];
    for (let s1Sh = 0; s1Sh < 4; s1Sh++) {
      // With HCR_EL2.DC the stage-1 byte and SH are not used: any determined row stands for them.
      const s1ShOpts = cfg.hcrDC ? [SH_NSH] : shOpts(s1Sh);
      for (let m = 0; m < 16; m++) {
        for (let s2Sh = 0; s2Sh < 4; s2Sh++) {
          if (aOpts.length === 1 && aOpts[0] === a && s1Sh !== 1 && s2Sh !== 1 && !cfg.hcrDC) continue;
          for (let f = 0; f < 2; f++) {
            let va = -2;
            let vs = -2;
            for (const b of aOpts) {
              for (const x of s1ShOpts) {
                for (const y of shOpts(s2Sh)) {
                  const j = combineIndex(b, x, m, y, f);
                  const pa = attr[j];
                  const ps = sh[j];
                  va = va === -2 || va === pa ? pa : -1;
                  vs = vs === -2 || vs === ps ? ps : -1;
                }
              }
            }
            const i = combineIndex(a, s1Sh, m, s2Sh, f);
            attr[i] = va;
            sh[i] = vs;
          }
        }
      }
    }
  }
  const t: CombineTable = { attr, sh, config: cfg };
  tables.set(key, t);
  return t;
}

let defaultTables: [CombineTable | null, CombineTable | null] = [null, null];

function defaultTable(xs: boolean): CombineTable {
  const k = xs ? 1 : 0;
  let t = defaultTables[k];
  if (!t) {
    t = combineTable({ xs });
    defaultTables = k ? [defaultTables[0], t] : [t, defaultTables[1]];
  }
  return t;
}

/** PAR_EL1.ATTR of the combine (default configuration), -1 when open; no allocation after the first call. */
export function combineAttr(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, fwb: boolean, xs = false): number {
  if (!combineArgsOk(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb, xs)) badCombineArgs(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb, xs);
  return defaultTable(xs).attr[combineIndex(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb)];
}

/** PAR_EL1.SH of the combine (default configuration), -1 when open. */
export function combineSh(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, fwb: boolean, xs = false): number {
  if (!combineArgsOk(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb, xs)) badCombineArgs(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb, xs);
  return defaultTable(xs).sh[combineIndex(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb)];
}

/**
 * [attr, sh] of the combine in the default configuration (section 0 of the
 * reference; FEAT_XS per `xs`). Inputs are raw fields: each is masked to its
 * width (8, 2, 4, 2 bits). Allocates the returned pair; hot paths use
 * combineAttr/combineSh or combineTable() with combineIndex().
 */
export function combineAttrSh(s1Attr: number, s1Sh: number, s2MemAttr: number, s2Sh: number, fwb: boolean, xs = false): [number, number] {
  if (!combineArgsOk(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb, xs)) badCombineArgs(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb, xs);
  const t = defaultTable(xs);
  const i = combineIndex(s1Attr, s1Sh, s2MemAttr, s2Sh, fwb);
  return [t.attr[i], t.sh[i]];
}

/** The --table rows in order (s1 SH and s2 SH in 0, 2, 3; fwb fastest). */
export function* combineTableRows(t: CombineTable): Generator<[number, number, number, number, number, number, number]> {
  for (let a = 0; a < 256; a++)
    for (const s1Sh of SH_CHOICES)
      for (let m = 0; m < 16; m++)
        for (const s2Sh of SH_CHOICES)
          for (let f = 0; f < 2; f++) {
            const i = combineIndex(a, s1Sh, m, s2Sh, f);
            yield [a, s1Sh, m, s2Sh, f, t.attr[i], t.sh[i]];
          }
}
