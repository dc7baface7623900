/**
 * One walk, told in full: every descriptor the hardware reads (table
 * address, index, descriptor decoded), then the output address and the
 * leaf's stage-2 attributes, or the fault with its ESR_EL2 syndrome and
 * HPFAR_EL2. This is the API edge: the report is a plain JSON-safe object
 * (every address, size and 64-bit value a "0x" hex string; levels, indices
 * and fields of 32 bits or fewer numbers), built after the walk; the walk
 * itself is the walker's (with its trace switched on, which sends it down
 * the complete path, walk(), rather than the batch fast path).
 */

import { decodeS2Descriptor } from "./decode.js";
import { granuleName } from "../pgtable/geometry.js";
import { hex, joinU64 } from "../pgtable/u64.js";
import { leafKind, s2LeafAttrs, type S2LeafAttrs } from "./attrs.js";
import {
  ACCESS_EXEC,
  ACCESS_NAMES,
  ACCESS_READ,
  ACCESS_WRITE,
  FAULT_EXTERNAL_WALK,
  FAULT_NONE,
  faultReport,
  type AccessName,
  type S2FaultReport,
} from "./fault.js";
import { HW_SET_AF, HW_SET_DIRTY, S2Walker } from "./translate.js";
import { checkBigU64, checkInstance, checkInt, checkObject, checkOneOf, checkShape, checkU64 } from "../pgtable/args.js";
import { combineWithLeaf, vtcrSh0, type CombineControls } from "./memtype.js";
import type { CombineResult } from "../mair/combine.js";
import { SH_SHORT } from "../mair/attrs.js";

/** One descriptor the walk read. */
export interface WalkStep {
  /** The level it was read at. */
  level: number;
  /** PA of the table page read (hex). */
  tablePa: string;
  /** Which of the concatenated root pages it is (start level only), else null. */
  rootPage: number | null;
  /** The entry's index in the table. */
  index: number;
  /** PA of the descriptor: tablePa + 8 * index (hex). */
  entryPa: string;
  /** The descriptor read (hex). */
  descriptor: string;
  /** decodeS2Descriptor's one-line summary at this level. */
  summary: string;
}

/** A walk that translated: the output address and the leaf's stage-2 attributes. */
export interface WalkSuccess {
  /** The output address (hex). */
  pa: string;
  /** The leaf's level. */
  level: number;
  /** A page (level 3) or a block. */
  kind: "page" | "block";
  /** Size one leaf at this level maps (hex). */
  size: string;
  /** The leaf as it is in memory after the walk (with any hardware update), hex. */
  descriptor: string;
  /** The leaf's stage-2 attributes, field by field. */
  attrs: S2LeafAttrs;
  /** What the hardware wrote: "AF" (VTCR_EL2.HA), "dirty" (S2AP[1] through DBM, VTCR_EL2.HD). */
  hwUpdates: string[];
}

/** The walk's fault: the syndrome, and the descriptor that faulted (hex; null beyond the IPA space). */
export type WalkFault = S2FaultReport & {
  descriptor: string | null;
  /** An external abort on the walk (a memory image): the PA of the descriptor the walk could not read. */
  abortPa?: string;
};

/** One stage-2 walk told in full (walkIpa): JSON-safe. */
export interface WalkReport {
  /** The IPA walked (hex). */
  ipa: string;
  /** The access: "r", "w" or "x". */
  access: AccessName;
  /** The Exception level of the access. */
  el: number;
  /** VTCR_EL2.HA of the walk. */
  ha: boolean;
  /** VTCR_EL2.HD of the walk. */
  hd: boolean;
  /** FEAT_XNX: XN[1:0] by EL. */
  xnx: boolean;
  /** Every descriptor read, in order. */
  steps: WalkStep[];
  /** The translation, or null after a fault. */
  result: WalkSuccess | null;
  /** The fault, or null. */
  fault: WalkFault | null;
  /** The stage-1 attributes given to walkIpa, and their combine with the leaf (null after a fault). */
  stage1: { attr: number; sh: number } | null;
  /** The combine of those with the leaf, or null. */
  combined: CombineResult | null;
}

/** Stage-1 attributes to combine with the leaf the walk finds (the MAIR_EL1 Attr byte and the stage-1 SH). */
export interface Stage1Attrs {
  attr: number;
  sh: number;
  /** HCR_EL2 / SCTLR_EL1 controls of the combine; FWB is the table's, the instruction fetch the access's. */
  controls?: CombineControls;
}

/**
 * The descriptors a traced walk read (S2Walker.trace / traceLen, or a copy of
 * them), as steps with PAs and decoded descriptors.
 */
export function traceSteps(walker: S2Walker, t: ArrayLike<number>, len: number): WalkStep[] {
  const pgt = walker.pgt;
  const g = pgt.geom;
  const steps: WalkStep[] = [];
  for (let s = 0; s < len; s++) {
    const level = t[s * 5];
    const page = t[s * 5 + 1];
    const index = t[s * 5 + 2];
    const lo = t[s * 5 + 3];
    const hi = t[s * 5 + 4];
    const descriptor = joinU64(lo, hi);
    const tablePa = walker.tablePa(page);
    const d = decodeS2Descriptor(descriptor, { granule: g.granule, level, lpa2: g.lpa2, fwb: pgt.fwb, paBits: g.paBits });
    steps.push({
      level,
      tablePa: hex(tablePa),
      rootPage: level === g.startLevel ? page - pgt.pgd : null,
      index,
      entryPa: hex(tablePa + 8 * index),
      descriptor: hex(descriptor),
      summary: d.summary,
    });
  }
  return steps;
}

/**
 * Walk `ipa` for an access (ACCESS_READ, ACCESS_WRITE or ACCESS_EXEC) at EL
 * `el` (0 or 1), as the hardware walks it, recording every step; with `s1`,
 * also the memory type the access gets when stage 1 gives that MAIR Attr
 * byte and SH (combineWithLeaf, src/mair's rules). `ipa` is an address (a
 * number below 2^53); beyond the IPA space the walk faults, as the hardware's.
 */
export function walkIpa(walker: S2Walker, ipa: number, access: number, el: number, s1?: Stage1Attrs): WalkReport {
  checkU64(ipa, "ipa");
  return walkIpa64(walker, BigInt(ipa), access, el, s1);
}

/**
 * @internal
 * walkIpa() of any 64-bit value (the CLI's --ipa, an IPA from a crash
 * log): beyond 2^53 it is beyond every IPA space, and the report shows it
 * exactly.
 */
export function walkIpa64(walker: S2Walker, ipa: bigint, access: number, el: number, s1?: Stage1Attrs): WalkReport {
  checkInstance(walker, "walker", S2Walker, "an S2Walker");
  checkBigU64(ipa, "ipa");
  checkOneOf(access, "access", [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC]);
  checkOneOf(el, "el", [0, 1]);
  if (s1 !== undefined) {
    const o = checkObject(s1, "s1");
    checkInt(o.attr, "s1.attr", 0, 255, "a MAIR Attr byte");
    checkOneOf(o.sh, "s1.sh", [0, 2, 3]);
    if (o.controls !== undefined) checkObject(o.controls, "s1.controls");
  }
  walker.tracing = true;
  let r: number;
  try {
    // Beyond 2^53 the double is inexact, but it is beyond every IPA size, which is all the walk looks at.
    r = walker.translate(Number(ipa), access, el);
  } finally {
    walker.tracing = false;
  }
  return walkReportOf(walker, ipa, access, el, r, s1);
}

/**
 * @internal
 * The report of the walk the walker has just done (with tracing on), built
 * from its result fields: `r` is what translate() returned, `ipa` the IPA it
 * was given. `s1ptw`: the walk translated a stage-1 table entry (a fault is
 * then reported with ESR_EL2.S1PTW = 1).
 */
export function walkReportOf(walker: S2Walker, ipa: bigint, access: number, el: number, r: number, s1?: Stage1Attrs, s1ptw = false): WalkReport {
  const pgt = walker.pgt;
  const g = pgt.geom;
  const steps = traceSteps(walker, walker.trace, walker.traceLen);
  const report: WalkReport = {
    ipa: hex(ipa),
    access: ACCESS_NAMES[access],
    el,
    ha: walker.ha,
    hd: walker.hd,
    xnx: walker.xnx,
    steps,
    result: null,
    fault: null,
    stage1: s1 ? { attr: s1.attr, sh: s1.sh } : null,
    combined: null,
  };
  if (r === FAULT_NONE) {
    const lo = walker.descLo;
    const hi = walker.descHi;
    const hw: string[] = [];
    if (walker.hwUpdate & HW_SET_AF) hw.push("AF");
    if (walker.hwUpdate & HW_SET_DIRTY) hw.push("dirty");
    report.result = {
      pa: hex(walker.pa),
      level: walker.level,
      kind: leafKind(lo, walker.level),
      size: hex(pgt.granuleSize(walker.level)),
      descriptor: hex(joinU64(lo, hi)),
      attrs: s2LeafAttrs(lo, hi, {
        fwb: pgt.fwb,
        lpa2: g.lpa2,
        vtcrSh0: vtcrSh0(g),
        xnx: walker.xnx,
        hwDirty: walker.ha && walker.hd,
      }),
      hwUpdates: hw,
    };
    if (s1) report.combined = combineWithLeaf(report.result.attrs, s1.attr, s1.sh, access, s1.controls);
  } else {
    report.fault = {
      ...faultReport(r, walker.level, access, walker.faultWrite, ipa, s1ptw),
      descriptor: walker.descPage >= 0 ? hex(joinU64(walker.descLo, walker.descHi)) : null,
      ...(r === FAULT_EXTERNAL_WALK ? { abortPa: hex(walker.abortPa) } : {}),
    };
  }
  return report;
}

const ACCESS_WORDS = ["data read", "data write", "instruction fetch"];

function bits2(v: number): string {
  return "0b" + v.toString(2).padStart(2, "0");
}

/** The report as text (what `s2pt walk --ipa` prints), one line per level, then the result or the fault. */
export function formatWalkReport(w: S2Walker, r: WalkReport): string {
  checkInstance(w, "w", S2Walker, "an S2Walker");
  checkObject(r, "r");
  const g = w.pgt.geom;
  const access = ACCESS_NAMES.indexOf(r.access);
  const lines: string[] = [];
  lines.push(`IPA ${r.ipa}, ${ACCESS_WORDS[access]} at EL${r.el}`);
  lines.push(
    `  stage 2: ${granuleName(g.granule)} granule, ${g.iaBits}-bit IPA (T0SZ ${g.vtcr.t0sz}), start level ${g.startLevel}` +
      `${g.pgdPages > 1 ? ` (${g.pgdPages} concatenated root tables)` : ""}, PS ${g.paBits}-bit${g.lpa2 ? ", DS 1 (FEAT_LPA2)" : ""}, FWB ${w.pgt.fwb ? 1 : 0}` +
      `, HA ${r.ha ? 1 : 0}, HD ${r.hd ? 1 : 0}, FEAT_XNX ${r.xnx ? "on" : "off"}`,
  );
  for (const s of r.steps) {
    const root = s.rootPage !== null && g.pgdPages > 1 ? ` (root ${s.rootPage})` : "";
    lines.push(`  level ${s.level}: table ${s.tablePa}${root} [${s.index}] @ ${s.entryPa} = ${s.descriptor}  ${s.summary}`);
  }
  if (r.result) {
    const x = r.result;
    const a = x.attrs;
    lines.push(
      `PA ${x.pa}: level-${x.level} ${x.kind} of ${x.size} bytes${x.hwUpdates.length ? `; the hardware set ${x.hwUpdates.join(" and ")} (leaf now ${x.descriptor})` : ""}`,
    );
    lines.push(`  MemAttr ${hex(a.memAttr)} (FWB ${a.fwb ? "on" : "off"}): ${a.memAttrText}${a.memAttrLinux ? `, ${a.memAttrLinux}` : ""}`);
    lines.push(`  SH ${bits2(a.sh)} ${a.shName}${a.shFrom === "VTCR_EL2.SH0" ? " (VTCR_EL2.SH0: FEAT_LPA2 descriptors carry OA[51:50] in bits 9:8)" : ""}`);
    lines.push(
      `  S2AP ${bits2(a.s2ap)}, XN ${r.xnx ? `[1:0] ${bits2(a.xn)}` : (a.xn >> 1).toString()}, AF ${a.af ? 1 : 0}, DBM ${a.dbm ? 1 : 0}: ` +
        `read ${a.read ? "yes" : "no"}, write ${a.write ? "yes" : "no"}, execute EL0 ${a.execEl0 ? "yes" : "no"}, EL1 ${a.execEl1 ? "yes" : "no"}`,
    );
  } else if (r.fault) {
    const f = r.fault;
    const dabt = access !== ACCESS_EXEC;
    const why =
      f.descriptor !== null
        ? ` (descriptor ${f.descriptor})`
        : f.abortPa !== undefined
          ? ` (the walk's read of the descriptor at PA ${f.abortPa} failed: the image does not hold that table page; ASL FetchDescriptor -> HandleExternalTTWAbort)`
          : " (the IPA is beyond the IPA size: AArch64_IPAIsOutOfRange)";
    lines.push(`${f.title}, level ${f.level}: ${dabt ? "DFSC" : "IFSC"} ${hex(f.fsc)}${why}`);
    lines.push(
      `  ESR_EL2 ${hex(f.esr)}: EC ${hex(f.ec)} (${dabt ? "Data Abort" : "Instruction Abort"} from a lower Exception level), IL 1, ` +
        `ISV 0, S1PTW ${f.s1ptw ? 1 : 0}${dabt ? `, WnR ${f.wnr ? 1 : 0}` : ""}, ${dabt ? "DFSC" : "IFSC"} ${hex(f.fsc)}`,
    );
    lines.push(
      f.hpfarValid && f.hpfar !== null
        ? `  HPFAR_EL2 ${f.hpfar} (FIPA = IPA[51:12] = ${hex(BigInt(f.hpfar) >> 4n)})`
        : f.abortPa !== undefined
          ? "  HPFAR_EL2 UNKNOWN: not valid for an external abort (ASL IPAValid); ESR_EL2.EA is IMPLEMENTATION DEFINED (s2pt gives 0)"
          : "  HPFAR_EL2 UNKNOWN: not valid for a stage-2 Permission fault on the final access (ASL IPAValid); KVM translates FAR_EL2 instead",
    );
  }
  return lines.join("\n");
}

/** The report in the layout `s2pt walk --ipa --json` prints (snake_case keys, the CLI's documented form). */
export function walkReportJson(r: WalkReport): Record<string, unknown> {
  checkWalkReport(r);
  return {
    ipa: r.ipa,
    access: r.access,
    el: r.el,
    vtcr: { ha: r.ha ? 1 : 0, hd: r.hd ? 1 : 0 },
    feat_xnx: r.xnx,
    steps: r.steps.map((s) => ({
      level: s.level,
      table: s.tablePa,
      root_page: s.rootPage,
      index: s.index,
      entry: s.entryPa,
      descriptor: s.descriptor,
      summary: s.summary,
    })),
    result: r.result
      ? {
          pa: r.result.pa,
          level: r.result.level,
          kind: r.result.kind,
          size: r.result.size,
          descriptor: r.result.descriptor,
          hw_updates: r.result.hwUpdates,
          s2: {
            memattr: hex(r.result.attrs.memAttr),
            fwb: r.result.attrs.fwb,
            memattr_meaning: r.result.attrs.memAttrText,
            memattr_linux: r.result.attrs.memAttrLinux,
            sh: r.result.attrs.sh,
            sh_from: r.result.attrs.shFrom,
            s2ap: r.result.attrs.s2ap,
            xn: r.result.attrs.xn,
            af: r.result.attrs.af,
            dbm: r.result.attrs.dbm,
            read: r.result.attrs.read,
            write: r.result.attrs.write,
            exec_el0: r.result.attrs.execEl0,
            exec_el1: r.result.attrs.execEl1,
          },
        }
      : null,
    fault: r.fault
      ? {
          type: r.fault.type,
          level: r.fault.level,
          fsc: hex(r.fault.fsc),
          ec: hex(r.fault.ec),
          iss: hex(r.fault.iss),
          esr_el2: hex(r.fault.esr),
          wnr: r.fault.wnr,
          s1ptw: r.fault.s1ptw,
          isv: false,
          hpfar_valid: r.fault.hpfarValid,
          hpfar_el2: r.fault.hpfar,
          descriptor: r.fault.descriptor,
          ...(r.fault.abortPa !== undefined ? { abort_pa: r.fault.abortPa } : {}),
        }
      : null,
    ...(r.stage1 ? { stage1: { attr: hex2(r.stage1.attr), sh: r.stage1.sh }, combined: r.combined ? combinedJson(r.combined) : null } : {}),
  };
}

const MAKER = "walkIpa() or walkOnImage()";

/** A WalkReport as walkIpa() makes it: the fields walkReportJson reads, by type (a {} was a TypeError from inside). */
function checkWalkReport(r: unknown): void {
  const o = checkShape(r, "r", { ipa: "string", access: "string", el: "number", steps: "array", result: "object?", fault: "object?" }, MAKER);
  (o.steps as unknown[]).forEach((s, i) => checkShape(s, `r.steps[${i}]`, { level: "number", summary: "string" }, MAKER));
  if (o.result !== null) checkShape(o.result, "r.result", { pa: "string", attrs: "object" }, MAKER);
  if (o.fault !== null) checkShape(o.fault, "r.fault", { type: "string", fsc: "number", ec: "number", iss: "number", esr: "number" }, MAKER);
  if (o.stage1 && o.combined) checkCombineResult(o.combined, "r.combined");
}

/** A CombineResult as combine() makes it: the fields combinedJson reads. */
function checkCombineResult(c: unknown, arg: string): void {
  const maker = "combine()";
  const o = checkShape(c, arg, { attr: "number", sh: "number", open: "object", permitted: "object", config: "object", steps: "array", notes: "array" }, maker);
  checkShape(o.open, `${arg}.open`, { attr: "array", sh: "array" }, maker);
  checkShape(o.permitted, `${arg}.permitted`, { attr: "array", sh: "array" }, maker);
}

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

/**
 * A combine as the walk's JSON gives it: attr (PAR_EL1.ATTR, hex) and sh
 * (PAR_EL1.SH) or null where the architecture leaves the column open, with
 * why, the permitted values, and the steps (ASL function, rule, result).
 */
export function combinedJson(c: CombineResult): Record<string, unknown> {
  checkCombineResult(c, "c");
  return {
    attr: c.attr < 0 ? null : hex2(c.attr),
    sh: c.sh < 0 ? null : c.sh,
    sh_name: c.sh < 0 ? null : SH_SHORT[c.sh],
    memtype: c.memtype,
    description: c.description,
    open: { attr: c.open.attr.map((o) => o.id), sh: c.open.sh.map((o) => o.id) },
    permitted: { attr: c.permitted.attr.map(hex2), sh: c.permitted.sh },
    fwb: c.config.fwb,
    ifetch: c.config.ifetch,
    steps: c.steps,
    notes: c.notes,
  };
}
