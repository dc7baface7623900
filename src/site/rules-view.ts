/**
 * The rules in one screen, without the DOM: the few rules of the Arm ASL that
 * produce the combine matrix, each with the cells it decides. The words of a
 * rule are the page's; which cells it decides is not: a rule is recognised in
 * the rule trace combineS1S2() (src/mair/combine.ts) gives for a cell (the
 * ASL function a step mirrors and what it did), or in the reasons it gives
 * for an open column. test/site tests that the type rules of each FWB
 * setting share the matrix out exactly, cell by cell.
 */

import type { CombineResult, CombineStep } from "../mair/combine.js";
import type { MatrixView } from "./matrix-view.js";

export interface Rule {
  id: string;
  /** When it applies: FWB off, FWB on, or both. */
  fwb: "off" | "on" | "both";
  /** What the rule is about: the memory type, the Tagged attribute, or the shareability. */
  topic: "type" | "tag" | "sh";
  /** The rule in a sentence. */
  text: string;
  /** The ASL function(s) it is. */
  asl: string;
  decides(r: CombineResult): boolean;
}

function step(r: CombineResult, asl: string, prefix = ""): CombineStep | undefined {
  return r.steps.find((s) => s.asl === asl && s.rule.startsWith(prefix));
}

const FWB = "AArch64.S2ApplyFWBMemAttrs";

/** SH is one value, forced to OSH by the type (EncodePARAttrs / PAREncodeShareability says so). */
function shForced(r: CombineResult): boolean {
  const par = r.steps[r.steps.length - 1];
  return r.sh >= 0 && par !== undefined && par.rule.includes("forced to OSH");
}

export const RULES: readonly Rule[] = [
  {
    id: "off-device-device",
    fwb: "off",
    topic: "type",
    text: "Both stages Device: the more restrictive Device type wins (nGnRnE > nGnRE > nGRE > GRE).",
    asl: "S2CombineS1Device",
    decides: (r) => step(r, "S2CombineS1Device") !== undefined,
  },
  {
    id: "off-s1-device",
    fwb: "off",
    topic: "type",
    text: "Stage 1 Device, stage 2 Normal: the access is stage 1's Device type.",
    asl: "S2CombineS1MemAttrs",
    decides: (r) => step(r, "S2CombineS1MemAttrs", "stage 1 Device, stage 2 Normal") !== undefined,
  },
  {
    id: "off-s2-device",
    fwb: "off",
    topic: "type",
    text: "Stage 1 Normal, stage 2 Device: the access is stage 2's Device type, whatever the guest asked for.",
    asl: "S2CombineS1MemAttrs",
    decides: (r) => step(r, "S2CombineS1MemAttrs", "stage 1 Normal, stage 2 Device") !== undefined,
  },
  {
    id: "off-normal",
    fwb: "off",
    topic: "type",
    text: "Both Normal: each half (inner, outer) takes the weaker cacheability, NC < WT < WB; allocation hints come from stage 1.",
    asl: "S2CombineS1AttrHints",
    decides: (r) => step(r, "S2CombineS1AttrHints") !== undefined,
  },
  {
    id: "off-reserved-inner",
    fwb: "off",
    topic: "type",
    text: "A stage-2 MemAttr whose inner half is 0b00 (0x4, 0x8, 0xc) is reserved: it acts as NC, WT or WB, so the result is open unless stage 1 is Device or its inner half Non-cacheable.",
    asl: "S2DecodeCacheability (Unpredictable_S2RESMEMATTR)",
    decides: (r) => r.open.attr.some((o) => o.id === "S2RESMEMATTR"),
  },
  {
    id: "on-device",
    fwb: "on",
    topic: "type",
    text: "MemAttr[2] = 0: Device is forced, its type from MemAttr[1:0]; a stricter stage-1 Device type still wins.",
    asl: FWB,
    decides: (r) => step(r, FWB, "MemAttr[2] = 0") !== undefined,
  },
  {
    id: "on-nc",
    fwb: "on",
    topic: "type",
    text: "MemAttr[2:0] = 0b101: Normal Non-cacheable, unless stage 1 is Device, which stays (0b100, reserved in the Arm ARM text, acts the same in the ASL).",
    asl: FWB,
    decides: (r) => step(r, FWB, "MemAttr[2:0] = 0b101") !== undefined || step(r, FWB, "MemAttr[2:0] = 0b100") !== undefined,
  },
  {
    id: "on-wb",
    fwb: "on",
    topic: "type",
    text: "MemAttr[2:0] = 0b110: Normal Write-Back is forced, whatever stage 1 says (KVM's MT_S2_FWB_NORMAL for RAM).",
    asl: FWB,
    decides: (r) => step(r, FWB, "MemAttr[2:0] = 0b110") !== undefined,
  },
  {
    id: "on-as-s1",
    fwb: "on",
    topic: "type",
    text: "MemAttr[2:0] = 0b111: stage 1's attributes are used unchanged.",
    asl: FWB,
    decides: (r) => step(r, FWB, "MemAttr[2:0] = 0b111") !== undefined,
  },
  {
    id: "on-bit3",
    fwb: "on",
    topic: "type",
    text: "MemAttr[3] is RES0 without FEAT_MTE_PERM and ignored: columns 0x8 to 0xf repeat 0x0 to 0x7.",
    asl: FWB,
    decides: (r) => r.notes.some((n) => n.includes("MemAttr[3] is RES0")),
  },
  {
    id: "tag",
    fwb: "both",
    topic: "tag",
    text: "Tagged (MTE) survives only if the result is Normal, inner and outer Write-Back read+write-allocate non-transient; otherwise it is lost.",
    asl: "S2MemTagType",
    decides: (r) => step(r, "S2MemTagType") !== undefined,
  },
  {
    id: "sh-wider",
    fwb: "both",
    topic: "sh",
    text: "Shareability: the wider of the two stages', OSH > ISH > NSH.",
    asl: "S2CombineS1Shareability",
    decides: (r) => r.sh >= 0 && !shForced(r),
  },
  {
    id: "sh-forced-osh",
    fwb: "both",
    topic: "sh",
    text: "Device memory, and Normal memory Non-cacheable inside and out, is always Outer Shareable, whatever the descriptors say.",
    asl: "EffectiveShareability",
    decides: shForced,
  },
  {
    id: "sh-impdef",
    fwb: "both",
    topic: "sh",
    text: "Whether stage 1 hands stage 2 its descriptor's SH or its effective SH (OSH for Device and NC) is IMPLEMENTATION DEFINED: where they differ, SH is open.",
    asl: "AArch64.S1Translate",
    decides: (r) => r.open.sh.some((o) => o.id === "IMPDEF_S1_SH"),
  },
  {
    id: "sh-reserved",
    fwb: "both",
    topic: "sh",
    text: "SH 0b01 is reserved: it acts as NSH, OSH or ISH, so SH is open unless the type forces OSH.",
    asl: "DecodeShareability (Unpredictable_Shareability)",
    decides: (r) => r.open.sh.some((o) => o.id === "S1SH" || o.id === "S2SH"),
  },
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/** Whether a rule applies with this FWB setting. */
export function ruleApplies(rule: Rule, fwb: boolean): boolean {
  return rule.fwb === "both" || (rule.fwb === "on") === fwb;
}

/** Key of a combine-matrix cell ("0x44,0x5") and of a shareability-matrix cell ("sh:3,2"). */
export function cellKey(s1: number, s2: number): string {
  return `0x${s1.toString(16).padStart(2, "0")},0x${s2.toString(16)}`;
}
export function shKey(s1Sh: number, s2Sh: number): string {
  return `sh:${s1Sh},${s2Sh}`;
}

/** The cells of both matrices a rule decides (none when it does not apply with the matrix's FWB setting). */
export function ruleCells(rule: Rule, v: MatrixView): { main: string[]; sh: string[] } {
  if (!ruleApplies(rule, v.fwb)) return { main: [], sh: [] };
  const main: string[] = [];
  for (const row of v.rows) for (const c of row.cells) if (rule.decides(c.result)) main.push(cellKey(c.s1, c.s2));
  const sh: string[] = [];
  for (const row of v.sh) for (const c of row) if (rule.decides(c.result)) sh.push(shKey(c.s1Sh, c.s2Sh));
  return { main, sh };
}

export interface RulesForm {
  /** The rule pinned (its cells stay highlighted), or "". */
  rule: string;
}

export const DEFAULT_RULES_FORM: RulesForm = { rule: "" };
