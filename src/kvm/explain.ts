/**
 * `s2pt explain`: the whole chain for one guest memory fault, per era
 *
 *   VMA + pfn + CPU + fault --user_mem_abort() policy (policy.ts)--> kvm_pgtable_prot or errno
 *     --stage2_set_prot_attr() + kvm_init_valid_leaf_pte() (s2pt's encoder)--> the leaf descriptor
 *     --combined with the guest's stage-1 MAIR byte (src/mair/combine.ts, the ASL)--> the effective type
 *     --> the hazards (hazards.ts)
 *
 * The descriptor is built by s2pt's encoder for a stated example PA and level
 * (a 4K page at level 3 unless told otherwise), never by hand.
 */

import { combineS1S2, type CombineResult } from "../mair/combine.js";
import { SH_SHORT } from "../mair/attrs.js";
import { describeMairAttr } from "../mair/mair.js";
import { describeS2MemAttr } from "../mair/s2memattr.js";
import { S2_MEMATTR_LO, S2_MEMATTR_SHIFT, S2_SH_IS, S2_SH_LO, S2_SH_SHIFT } from "../pgtable/descriptor.js";
import { protNames } from "../walker/decode.js";
import { granuleName, kvmGranuleShift, pageShiftOf, type Granule } from "../pgtable/geometry.js";
import { encodeLeafChecked } from "../pgtable/leaf.js";
import { hex } from "../pgtable/u64.js";
import { guestMacro, type GuestChoice } from "./guest.js";
import { guestHazards, hazardString, policyHazards, type EffectiveClass, type Hazard } from "./hazards.js";
import {
  ERA_IDS,
  checkEra,
  checkPolicyInputs,
  eraInfo,
  errnoName,
  userMemAbortPolicy,
  type Era,
  type EraInfo,
  type PolicyInputs,
  type PolicyResult,
} from "./policy.js";
import { ArgumentError, checkBool, checkInt, checkObject, checkOneOf, checkU64, shown } from "../pgtable/args.js";
import { describeVma } from "./vma.js";

/** The example leaf an explanation writes: its format, PA (a number below 2^53) and level, and the guest's stage-1 choice. */
export interface ExplainOptions {
  granule: Granule;
  lpa2: boolean;
  /** Example output address of the leaf: a number below 2^53. */
  pa: number;
  /** Leaf level (3 = a page). */
  level: number;
  /** The guest's stage-1 choice, if given. */
  guest: GuestChoice | null;
}

/** The PA of the example leaf when none is given. */
export const DEFAULT_EXAMPLE_PA = 0x80000000;

/** The guest CPU as the combine sees it: combineS1S2()'s defaults (no FEAT_XS, FEAT_MTE2), a data access. */
const GUEST_S1_FEATURES = { xs: false, mte2: true };

/** A leaf as the explanation shows it: the descriptor (hex) and its unsigned 32-bit halves. */
export interface ExplainedLeaf {
  pte: string;
  lo: number;
  hi: number;
}

/** What KVM does in one era: the policy's decisions, the leaf it writes, the combine with the guest's choice, the hazards. */
export interface EraExplanation {
  era: EraInfo;
  policy: PolicyResult;
  /** The leaf KVM writes in this era (hex, and its halves), or null when it refuses. */
  leaf: ExplainedLeaf | null;
  /** Stage-2 MemAttr[3:0] of the leaf. */
  s2MemAttr: number | null;
  /** Stage-2 shareability: descriptor bits 9:8, or VTCR_EL2.SH0 (Inner) with LPA2. */
  s2Sh: number | null;
  combine: CombineResult | null;
  effective: EffectiveClass | null;
  hazards: Hazard[];
  notes: string[];
}

/** Classify a combine result for the hazard rules (every / some permitted outcome). */
export function classifyEffective(r: CombineResult): EffectiveClass {
  const types = r.outcomes.map((o) => o.memtype);
  const isDev = (t: string): boolean => t.startsWith("Device");
  const isWb = (t: string): boolean => t === "Normal-WB";
  return {
    memtype: r.memtype,
    allDevice: types.every(isDev),
    someDevice: types.some(isDev),
    allNotWriteBack: types.every((t) => !isWb(t)),
    someNotWriteBack: types.some((t) => !isWb(t)),
  };
}

function eraNotes(era: Era, p: PolicyInputs): string[] {
  const notes: string[] = [];
  if ((era === "pre" || era === "v1") && p.allowAnyUncached)
    notes.push("VM_ALLOW_ANY_UNCACHED does not exist in this era (added in v6.9): the flag plays no part");
  if (era === "v1" && !p.fwb && !p.pfnRam && p.vma === "file") {
    notes.push("v1's no-FWB check passes for ZONE_DEVICE memory behind a file VMA: it has struct pages in the linear map (a modelling assumption)");
  }
  return notes;
}

/** The chain for one era. Throws InputError for a level or PA the encoder cannot use. */
/** An ExplainOptions argument: granule, lpa2, the example PA and level, and the guest's choice (ArgumentError otherwise; encodeLeafChecked judges PA and level against each other). */
export function checkExplainOptions(o: unknown, arg = "o"): ExplainOptions {
  const x = checkObject(o, arg);
  checkOneOf(x.granule, `${arg}.granule`, [4096, 16384, 65536] as const);
  checkBool(x.lpa2, `${arg}.lpa2`);
  checkU64(x.pa, `${arg}.pa`);
  checkInt(x.level, `${arg}.level`, -1, 3, "a level");
  if (x.guest !== null) {
    const g = checkObject(x.guest, `${arg}.guest`);
    checkInt(g.attr, `${arg}.guest.attr`, 0, 255, "a MAIR Attr byte");
    checkOneOf(g.sh, `${arg}.guest.sh`, [0, 2, 3] as const);
  }
  return x as unknown as ExplainOptions;
}

/** Explain one era: user_mem_abort()'s decisions, the leaf, the combine with the guest's choice, the hazards. */
export function explainEra(era: Era, p: PolicyInputs, o: ExplainOptions): EraExplanation {
  checkExplainOptions(o);
  const policy = userMemAbortPolicy(era, p);
  const notes = [...policy.notes, ...eraNotes(era, p)];
  let leaf: ExplainedLeaf | null = null;
  let s2MemAttr: number | null = null;
  let s2Sh: number | null = null;
  let combine: CombineResult | null = null;
  let effective: EffectiveClass | null = null;
  if (policy.ok) {
    const r = encodeLeafChecked({ granule: o.granule, lpa2: o.lpa2, fwb: p.fwb }, BigInt(o.pa), o.level, policy.encodeProt);
    if (typeof r === "string") throw new Error(`the encoder refused a prot the policy accepted: ${r}`);
    leaf = { pte: hex(r.value), lo: r.lo, hi: r.hi };
    s2MemAttr = (r.lo & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT;
    // With LPA2 bits 9:8 are OA[51:50]; the shareability is VTCR_EL2.SH0, which KVM sets to Inner (VTCR_EL2_FLAGS).
    s2Sh = o.lpa2 ? S2_SH_IS : (r.lo & S2_SH_LO) >>> S2_SH_SHIFT;
    if (o.guest) {
      combine = combineS1S2(o.guest.attr, o.guest.sh, s2MemAttr, s2Sh, { fwb: p.fwb });
      effective = classifyEffective(combine);
    }
  }
  const hazards = policyHazards(p, policy, leaf);
  if (o.guest && effective) {
    const g = o.guest.attr;
    const d = describeMairAttr(g, GUEST_S1_FEATURES);
    const label = `${d.short} (${guestMacro(g) ?? `MAIR ${hex2(g)}`})`;
    hazards.push(...guestHazards(p, { label, nc: d.short === "Normal-NC" }, effective));
  }
  return { era: eraInfo(era), policy, leaf, s2MemAttr, s2Sh, combine, effective, hazards, notes };
}

/** explainEra() for several eras, in order. */
export function explainEras(eras: readonly Era[], p: PolicyInputs, o: ExplainOptions): EraExplanation[] {
  const list: unknown = eras;
  if (!Array.isArray(list)) throw new ArgumentError("eras", `${shown(list)} is not an array of eras`);
  // Every argument, even for no era; an index loop, so that a hole of a sparse array is refused, not skipped.
  if (list.length > ERA_IDS.length) throw new ArgumentError("eras", `holds ${list.length} eras; there are ${ERA_IDS.length}`);
  for (let i = 0; i < list.length; i++) checkEra(list[i], `eras[${i}]`);
  checkPolicyInputs(p);
  checkExplainOptions(o);
  return eras.map((e) => explainEra(e, p, o));
}

// ---- output ---------------------------------------------------------------------------------

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

function leafWhere(o: ExplainOptions): string {
  const size = 1n << BigInt(kvmGranuleShift(pageShiftOf(o.granule), o.level));
  const what = o.level === 3 ? `${granuleName(o.granule)} page` : `${hex(size)} block`;
  return `${what} at level ${o.level}, PA ${hex(o.pa)}${o.lpa2 ? ", FEAT_LPA2" : ""}`;
}

function memattrWords(x: EraExplanation, fwb: boolean): string {
  if (x.s2MemAttr === null) return "-";
  const d = describeS2MemAttr(x.s2MemAttr, fwb);
  return `0x${x.s2MemAttr.toString(16)} ${d.short}${d.linux ? ` (${d.linux})` : ""}`;
}

function combinedShort(c: CombineResult): string {
  const attr = c.attr >= 0 ? hex2(c.attr) : "open";
  const sh = c.sh >= 0 ? SH_SHORT[c.sh] : "SH open";
  return `${attr} ${sh} ${c.memtype}`;
}

/** The JSON object of one era (a list of these is `s2pt explain --json`). */
export function explanationJson(x: EraExplanation, p: PolicyInputs, o: ExplainOptions): Record<string, unknown> {
  checkObject(x, "x");
  checkObject(p, "p");
  checkExplainOptions(o);
  const pol = x.policy;
  const out: Record<string, unknown> = {
    era: x.era.id,
    title: x.era.title,
    prot: pol.ok ? protNames(pol.prot) : null,
    error: pol.ok ? null : { errno: pol.errno, name: errnoName(pol.errno).slice(1), where: pol.where, why: pol.why, effect: pol.effect },
    descriptor: x.leaf ? x.leaf.pte : null,
    s2_memattr:
      x.s2MemAttr === null
        ? null
        : (() => {
            const d = describeS2MemAttr(x.s2MemAttr, p.fwb);
            return { value: `0x${x.s2MemAttr.toString(16)}`, type: d.short, linux: d.linux };
          })(),
    s2_sh: x.s2Sh,
  };
  if (o.guest) {
    out.combined = x.combine ? { attr: x.combine.attr, sh: x.combine.sh, memtype: x.combine.memtype, description: x.combine.description } : null;
  }
  out.hazards = x.hazards.map(hazardString);
  out.steps = pol.steps.map((s) => `${s.fn}: ${s.text}`);
  out.notes = x.notes;
  return out;
}

function inputLines(p: PolicyInputs, o: ExplainOptions): string[] {
  const lines = [
    `VMA     ${describeVma(p)}`,
    `fault   ${p.access}; FWB ${p.fwb ? "on" : "off"}, CTR_EL0.DIC ${p.dic ? 1 : 0}`,
    `leaf    ${leafWhere(o)} (an example address)`,
  ];
  if (o.guest) {
    const d = describeMairAttr(o.guest.attr, GUEST_S1_FEATURES);
    const m = guestMacro(o.guest.attr);
    lines.push(`guest   stage-1 MAIR ${hex2(o.guest.attr)}${m ? ` (${m})` : ""}: ${d.reserved ? d.text : d.short}; SH ${SH_SHORT[o.guest.sh]}`);
  } else {
    lines.push("guest   not given (--guest <MAIR byte> adds the effective type and the hazards that depend on it)");
  }
  return lines;
}

function formatOne(x: EraExplanation, p: PolicyInputs, lpa2: boolean): string[] {
  const pol = x.policy;
  const out = [`era ${x.era.id}: ${x.era.title}`, `  source   ${x.era.sources}`];
  pol.steps.forEach((s, i) => out.push(`  ${i === 0 ? "policy" : "      "}   ${s.fn}: ${s.text}`));
  if (!pol.ok) {
    out.push(`  error    ${errnoName(pol.errno)} (${pol.errno}) from ${pol.where}: ${pol.why}`);
    out.push(`           ${pol.effect}`);
    if (pol.prot !== null) out.push(`  prot     ${protNames(pol.prot)} (refused)`);
  } else {
    out.push(`  prot     ${protNames(pol.prot)}${pol.encodeProt !== pol.prot ? ` (written as ${protNames(pol.encodeProt)} would be in 6.18.25)` : ""}`);
    if (x.leaf)
      out.push(
        `  leaf     ${x.leaf.pte}  MemAttr ${memattrWords(x, p.fwb)}, SH ${x.s2Sh === null ? "-" : SH_SHORT[x.s2Sh]}${lpa2 ? " (VTCR_EL2.SH0: with LPA2 bits 9:8 are OA[51:50])" : ""}`,
      );
    if (x.combine)
      out.push(
        `  guest    ${x.combine.attr >= 0 ? hex2(x.combine.attr) : "ATTR open"} ${x.combine.sh >= 0 ? SH_SHORT[x.combine.sh] : "SH open"}: ${x.combine.description}`,
      );
  }
  out.push(`  hazards  ${x.hazards.length ? "" : "none"}`.trimEnd());
  for (const h of x.hazards) out.push(`    - ${hazardString(h)}`);
  for (const n of x.notes) out.push(`  note     ${n}`);
  return out;
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + " ".repeat(w - s.length);
}

/** Text output: the inputs, then one era in full, or all eras as a compact table with the hazards below. */
export function formatExplain(xs: readonly EraExplanation[], p: PolicyInputs, o: ExplainOptions): string {
  const list: unknown = xs;
  if (!Array.isArray(list) || list.length === 0)
    throw new ArgumentError("xs", `${shown(list)} is not a non-empty array of EraExplanations (explainEras() makes one)`);
  for (let i = 0; i < list.length; i++) {
    const x = checkObject(list[i], `xs[${i}]`);
    if (typeof x.era !== "object" || x.era === null || typeof x.policy !== "object" || x.policy === null || !Array.isArray(x.hazards))
      throw new ArgumentError(`xs[${i}]`, `${shown(x)} is not an EraExplanation (explainEra() makes one)`);
  }
  checkPolicyInputs(p);
  checkExplainOptions(o);
  const out = inputLines(p, o);
  out.push("");
  if (xs.length === 1) return [...out, ...formatOne(xs[0], p, o.lpa2)].join("\n");
  const head = ["era", "prot", "descriptor", "S2 MemAttr", ...(o.guest ? ["guest -> effective"] : []), "hazards"];
  const rows = xs.map((x) => {
    const pol = x.policy;
    const cells = [
      x.era.id,
      pol.ok ? `${protNames(pol.prot)}${pol.encodeProt !== pol.prot ? " (written NC)" : ""}` : `${errnoName(pol.errno)} (${pol.where.replace(/ -> .*/, "")})`,
      x.leaf ? x.leaf.pte : "-",
      memattrWords(x, p.fwb),
    ];
    if (o.guest) cells.push(x.combine ? combinedShort(x.combine) : "-");
    cells.push(x.hazards.length ? x.hazards.map((h) => h.id).join(", ") : "-");
    return cells;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]))).join("  ");
  out.push(line(head));
  for (const r of rows) out.push(line(r));
  out.push("");
  for (const x of xs) {
    const pol = x.policy;
    out.push(`${x.era.id}: ${x.era.title}`);
    if (!pol.ok) out.push(`  ${errnoName(pol.errno)} from ${pol.where}: ${pol.why}; ${pol.effect}`);
    for (const h of x.hazards) out.push(`  - ${hazardString(h)}`);
    for (const n of x.notes) out.push(`  note: ${n}`);
  }
  return out.join("\n");
}
