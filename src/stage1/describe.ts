/**
 * One two-stage translation told in full: every stage-1 level (the entry's
 * IPA, the stage-2 walk that translates it, the PA it is read at, the
 * descriptor decoded), then the IPA, the stage-2 walk of the IPA, the PA,
 * and the memory type with the combine's explanation, or the fault with the
 * registers it sets. The API edge: the report is a plain JSON-safe object
 * (addresses, sizes and 64-bit values as "0x" hex strings), built after the
 * walk; the walk itself is NestedWalker's, traced.
 */

import { decodeS1Descriptor } from "./decode.js";
import { AP_NAMES, SH1_NAMES, S1_PXN_HI, S1_UXN_HI, S1_NG_LO, S1_AF_LO } from "./descriptor.js";
import { granuleName } from "../pgtable/geometry.js";
import { hex, joinU64 } from "../pgtable/u64.js";
import { SH_SHORT } from "../mair/attrs.js";
import { describeMairAttr } from "../mair/mair.js";
import type { CombineResult } from "../mair/combine.js";
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
} from "../walker/fault.js";
import { combinedJson, formatWalkReport, walkReportJson, walkReportOf, type WalkReport } from "../walker/describe.js";
import { encodeTcr, mairValue, regionWords, type RegionGeometry } from "./config.js";
import { s1FaultReport, type S1FaultReport } from "./fault.js";
import { nestedMemType } from "./guest.js";
import {
  MAX_S1_STEPS,
  S1_HW_AF,
  S1_HW_DIRTY,
  S1_PERM_R,
  S1_PERM_W,
  S1_PERM_X,
  S1_TRACE_STRIDE,
  S2_FOR_OUTPUT,
  S2_FOR_TABLE,
  S2_FOR_UPDATE,
  STAGE_1,
  NestedWalker,
} from "./walk.js";
import { checkBigU64, checkInstance, checkOneOf } from "../pgtable/args.js";
import { checkFunction, checkObject, checkShape } from "../pgtable/args.js";
import type { S2Walker } from "../walker/translate.js";

/** One level of the stage-1 walk: the entry's IPA, its stage-2 walk, the descriptor read. */
export interface S1StepReport {
  /** The stage-1 level. */
  level: number;
  /** IPA of the table (hex). */
  tableIpa: string;
  /** The entry's index. */
  index: number;
  /** The entry's IPA (hex). */
  entryIpa: string;
  /** The stage-2 walk of the entry's IPA (a read, AccessType_TTW); null with stage 2 off (the PA is the IPA). */
  s2: WalkReport | null;
  /** Where the entry was read (hex; null when stage 2 faulted). */
  entryPa: string | null;
  /** The descriptor read (hex), or null. */
  descriptor: string | null;
  /** decodeS1Descriptor's summary of it, or null. */
  summary: string | null;
}

/** The stage-1 leaf the walk ended at, and what it grants. */
export interface S1LeafReport {
  /** Its level. */
  level: number;
  /** A page (level 3) or a block. */
  kind: "page" | "block";
  /** Bytes it maps (hex). */
  size: string;
  /** The descriptor (hex). */
  descriptor: string;
  /** AttrIndx[2:0]. */
  attrIndx: number;
  /** MAIR_EL1.Attr<AttrIndx>. */
  mairAttr: number;
  /** That byte in words. */
  mairText: string;
  /** SH[1:0]. */
  sh: number;
  /** AP[2:1]. */
  ap: number;
  /** AP in words. */
  apText: string;
  /** The Access flag. */
  af: boolean;
  /** nG. */
  ng: boolean;
  /** PXN. */
  pxn: boolean;
  /** UXN. */
  uxn: boolean;
  /** APTable collected from the table descriptors. */
  apTable: number;
  /** PXNTable collected from the table descriptors. */
  pxnTable: boolean;
  /** UXNTable collected from the table descriptors. */
  uxnTable: boolean;
  /** What stage 1 grants an access at the report's EL (after APTable, XN tables, implied PXN, WXN): read. */
  read: boolean;
  /** ... write. */
  write: boolean;
  /** ... execute. */
  execute: boolean;
}

/** A stage-2 fault of the two-stage translation: the syndrome, FAR_EL2 (the VA) and the faulting IPA (hex). */
export type NestedS2Fault = S2FaultReport & { stage: 2; far: string; ipa: string; s1Level: number; onUpdate: boolean };

/** The fault of a two-stage translation: stage 1's (to EL1) or stage 2's (to EL2). */
export type NestedFault = S1FaultReport | NestedS2Fault;

/** One two-stage translation told in full (walkVa): JSON-safe. */
export interface NestedReport {
  /** The VA translated (hex). */
  va: string;
  /** The access: "r", "w" or "x". */
  access: AccessName;
  /** The Exception level of the access. */
  el: number;
  /** Stage 1 on (SCTLR_EL1.M = 1 and HCR_EL2.DC = 0). */
  s1Enabled: boolean;
  /** Why stage 1 is on or off. */
  s1Why: string;
  /** The TTBR region of the VA, or null with stage 1 off. */
  region: 0 | 1 | null;
  /** That region's walk geometry, or null. */
  geometry: RegionGeometry | null;
  /** The IPA of its root table (hex), or null. */
  tableBase: string | null;
  /** The stage-1 output size, bits, or null. */
  oaBits: number | null;
  /** Every stage-1 level walked. */
  steps: S1StepReport[];
  /** The stage-1 leaf, or null. */
  leaf: S1LeafReport | null;
  /** The IPA stage 1 gave (hex), or null. */
  ipa: string | null;
  /** The stage-2 walk of the output IPA. */
  final: WalkReport | null;
  /** The stage-2 walk of the leaf entry's IPA for a hardware update (TCR_EL1.HA/HD), and what was updated. */
  update: WalkReport | null;
  /** What the hardware updated in the stage-1 leaf. */
  hwUpdates: string[];
  /** The PA (hex), or null after a fault. */
  pa: string | null;
  /** The stage-1 attributes handed to the combine: the MAIR Attr byte, or null. */
  s1Attr: number | null;
  /** ... the SH, or null. */
  s1Sh: number | null;
  /** ... and where they come from. */
  s1AttrFrom: string | null;
  /** The memory type the access gets (the combine), or null. */
  memtype: CombineResult | null;
  /** The fault, or null. */
  fault: NestedFault | null;
}

/**
 * Translate a guest virtual address through both stages for an access
 * (ACCESS_READ, ACCESS_WRITE or ACCESS_EXEC) at EL `el` (0 or 1), recording
 * everything. `va` is a 64-bit value (a bigint: bits 63:52 select the TTBR
 * region and may carry a tag).
 */
export function walkVa(w: NestedWalker, va: bigint, access: number, el: number): NestedReport {
  checkInstance(w, "w", NestedWalker, "a NestedWalker");
  checkBigU64(va, "va");
  checkOneOf(access, "access", [0, 1, 2]);
  checkOneOf(el, "el", [0, 1]);
  const s2reports: Array<{ kind: number; rep: WalkReport }> = [];
  w.tracing = true;
  const s2 = w.s2;
  // Stage 2 off: no stage-2 walks to report.
  w.s2Hook =
    s2 === null
      ? null
      : (ipa, _s1Level, r, kind) => {
          const ttw = kind !== S2_FOR_OUTPUT;
          const acc = kind === S2_FOR_TABLE ? ACCESS_READ : kind === S2_FOR_UPDATE ? ACCESS_WRITE : access;
          s2reports.push({ kind, rep: walkReportOf(s2, BigInt(ipa), acc, ttw ? 1 : el, r, undefined, ttw) });
        };
  let r: number;
  try {
    r = w.translate(Number(va & 0xffffffffn), Number(va >> 32n), access, el);
  } finally {
    w.tracing = false;
    w.s2Hook = null;
  }
  const tableReports = s2reports.filter((x) => x.kind === S2_FOR_TABLE).map((x) => x.rep);
  const updateReport = s2reports.find((x) => x.kind === S2_FOR_UPDATE)?.rep ?? null;
  const finalReport = s2reports.find((x) => x.kind === S2_FOR_OUTPUT)?.rep ?? null;
  const region = w.s1Enabled ? (w.region as 0 | 1) : null;
  const geometry = region === null ? null : w.regions[region];
  const steps: S1StepReport[] = [];
  for (let s = 0; s < Math.min(w.traceLen, MAX_S1_STEPS); s++) {
    const t = w.trace;
    const at = s * S1_TRACE_STRIDE;
    const level = t[at];
    const ok = t[at + 7] === FAULT_NONE;
    // The last entry of a walk that took a stage-1 external abort: stage 2 gave its PA, the read failed.
    const unread = s === w.traceLen - 1 && r === FAULT_EXTERNAL_WALK && w.faultStage === STAGE_1;
    const descriptor = ok && !unread ? joinU64(t[at + 5], t[at + 6]) : null;
    steps.push({
      level,
      tableIpa: hex(t[at + 1]),
      index: t[at + 2],
      entryIpa: hex(t[at + 3]),
      s2: s2 === null ? null : tableReports[s],
      entryPa: ok ? hex(t[at + 4]) : null,
      descriptor: descriptor === null ? null : hex(descriptor),
      summary:
        descriptor === null || geometry === null
          ? null
          : decodeS1Descriptor(descriptor, { granule: geometry.granule, level, mair: w.cfg.mair, lpa64: w.lpa64 }).summary,
    });
  }
  const rep: NestedReport = {
    va: hex(va),
    access: ACCESS_NAMES[access],
    el,
    s1Enabled: w.s1Enabled,
    s1Why: w.cfg.hcr.dc
      ? "HCR_EL2.DC = 1: stage 1 behaves as disabled (AArch64_S1Enabled)"
      : w.cfg.sctlr.m
        ? "SCTLR_EL1.M = 1"
        : "SCTLR_EL1.M = 0: stage 1 disabled (AArch64_S1Enabled)",
    region,
    geometry,
    tableBase: region === null ? null : hex(w.tableBase[region]),
    oaBits: region === null ? null : w.oaBits[region],
    steps,
    leaf: null,
    ipa: null,
    final: finalReport,
    update: updateReport,
    hwUpdates: [...(w.hwUpdate & S1_HW_AF ? ["AF"] : []), ...(w.hwUpdate & S1_HW_DIRTY ? ["dirty (AP[2] cleared)"] : [])],
    pa: null,
    s1Attr: null,
    s1Sh: null,
    s1AttrFrom: null,
    memtype: null,
    fault: null,
  };
  if (w.s1Enabled && w.attrIndx >= 0 && geometry !== null) {
    const lo = w.leafLo;
    const hi = w.leafHi;
    const ap = (lo >>> 6) & 3;
    rep.leaf = {
      level: w.leafLevel,
      kind: w.leafLevel === 3 ? "page" : "block",
      size: hex(2 ** geometry.shifts[w.leafLevel]),
      descriptor: hex(joinU64(lo, hi)),
      attrIndx: w.attrIndx,
      mairAttr: w.s1Attr,
      mairText: describeMairAttr(w.s1Attr, { xs: false, mte2: true }).text,
      sh: w.s1Sh,
      ap,
      apText: AP_NAMES[ap],
      af: (lo & S1_AF_LO) !== 0,
      ng: (lo & S1_NG_LO) !== 0,
      pxn: (hi & S1_PXN_HI) !== 0,
      uxn: (hi & S1_UXN_HI) !== 0,
      apTable: w.apTable,
      pxnTable: w.pxnTable,
      uxnTable: w.uxnTable,
      read: (w.s1Perms & S1_PERM_R) !== 0,
      write: (w.s1Perms & S1_PERM_W) !== 0,
      execute: (w.s1Perms & S1_PERM_X) !== 0,
    };
  }
  // Stage 1 produced an IPA unless it faulted, or stage 2 faulted on one of its table reads.
  const s1Done = r === FAULT_NONE || (w.faultStage !== STAGE_1 && !w.s1ptw);
  if (s1Done) {
    rep.ipa = hex(w.ipa);
    rep.s1Attr = w.s1Attr;
    rep.s1Sh = w.s1Sh;
    rep.s1AttrFrom = w.s1Enabled
      ? `MAIR_EL1.Attr${w.attrIndx} (AttrIndx ${w.attrIndx} of the stage-1 leaf), SH from the leaf`
      : w.cfg.hcr.dc
        ? "HCR_EL2.DC = 1: AArch64_S1DisabledOutput gives Normal Write-Back, Non-shareable (the combine's DC rule)"
        : access === ACCESS_EXEC
          ? `AArch64_S1DisabledOutput for an instruction fetch: Normal ${w.cfg.sctlr.i ? "Write-Through Read-Allocate (SCTLR_EL1.I = 1), as MAIR byte 0xaa" : "Non-cacheable (SCTLR_EL1.I = 0), as MAIR byte 0x44"}, Outer Shareable`
          : "AArch64_S1DisabledOutput for a data access: Device-nGnRnE, Outer Shareable (as MAIR byte 0x00)";
  }
  if (r === FAULT_NONE) {
    rep.pa = hex(w.pa);
    // Stage 2 off: the memory type is stage 1's alone (s1Attr, s1Sh), nothing to combine.
    rep.memtype = s2 === null ? null : nestedMemType(w, access);
  } else if (w.faultStage === STAGE_1) {
    rep.fault = s1FaultReport(w.faultType, w.faultLevel, access, el, w.faultWrite, va);
  } else {
    // The syndrome is the access's (EC by instruction fetch or data, WnR: src/stage1/fault.ts), with S1PTW.
    const f = faultReport(w.faultType, w.faultLevel, access, w.faultWrite, BigInt(w.faultIpa), w.s1ptw);
    rep.fault = { ...f, stage: 2, far: hex(va), ipa: hex(w.faultIpa), s1Level: w.s1Level, onUpdate: updateReport?.fault != null };
  }
  return rep;
}

const ACCESS_WORDS = ["data read", "data write", "instruction fetch"];

function indentLines(text: string, by: string): string[] {
  return text.split("\n").map((l) => (l === "" ? l : by + l));
}

/** The stage-2 part of a WalkReport (its level lines and result, not the syndrome: the fault's own lines give it), indented. */
function s2Lines(s2: S2Walker, r: WalkReport, by: string): string[] {
  const lines = formatWalkReport(s2, r)
    .split("\n")
    .slice(2)
    .filter((l) => !/^ {2}(ESR_EL2|HPFAR_EL2) /.test(l));
  return indentLines(lines.join("\n"), by);
}

/** The report as text (what `s2pt walk --va` prints). `combineText` formats the memory-type explanation (the CLI passes its formatCombine). */
export function formatNestedReport(w: NestedWalker, r: NestedReport, combineText: (c: CombineResult) => string): string {
  checkInstance(w, "w", NestedWalker, "a NestedWalker");
  checkObject(r, "r");
  checkFunction(combineText, "combineText");
  const cfg = w.cfg;
  const s2 = w.s2;
  const access = ACCESS_NAMES.indexOf(r.access);
  const L: string[] = [];
  L.push(`VA ${r.va}, ${ACCESS_WORDS[access]} at EL${r.el}`);
  L.push(
    `  guest: SCTLR_EL1 M ${b(cfg.sctlr.m)} C ${b(cfg.sctlr.c)} I ${b(cfg.sctlr.i)} WXN ${b(cfg.sctlr.wxn)}; HCR_EL2 DC ${b(cfg.hcr.dc)} DCT ${b(cfg.hcr.dct)} CD ${b(cfg.hcr.cd)} ID ${b(cfg.hcr.id)} PTW ${b(cfg.hcr.ptw)}${s2 === null ? ", VM 0" : ` FWB ${b(s2.pgt.fwb)}`}`,
  );
  L.push(`         TCR_EL1 ${hex(encodeTcr(cfg.tcr))}, MAIR_EL1 ${hex(mairValue(cfg.mair))}, TTBR0_EL1 ${hex(cfg.ttbr0)}, TTBR1_EL1 ${hex(cfg.ttbr1)}`);
  if (s2 === null) L.push(`  stage 2: off (HCR_EL2.VM 0): the PA is the IPA; PAMax ${w.paMax}-bit`);
  else {
    const g2 = s2.pgt.geom;
    L.push(`  stage 2: ${granuleName(g2.granule)} granule, ${g2.iaBits}-bit IPA, start level ${g2.startLevel}, PS ${g2.paBits}-bit; VTCR_EL2.HA ${b(s2.ha)}`);
  }
  if (!r.s1Enabled) {
    L.push(`stage 1 disabled (${r.s1Why}): IPA = VA (AArch64_S1DisabledOutput)`);
  } else if (r.geometry !== null) {
    L.push(`stage 1: ${regionWords(r.geometry)}; root table at IPA ${r.tableBase ?? "0x0"}; output size ${r.oaBits}-bit (TCR_EL1.IPS ${cfg.tcr.ips})`);
  }
  for (const s of r.steps) {
    L.push(`  level ${s.level}: table IPA ${s.tableIpa} [${s.index}] @ IPA ${s.entryIpa}`);
    if (s.s2 === null || s2 === null) L.push("    stage 2 off: the entry's PA is its IPA");
    else {
      L.push(`    stage 2 of the entry's IPA (a table-walk read):`);
      L.push(...s2Lines(s2, s.s2, "    "));
    }
    if (s.descriptor !== null) L.push(`    read at PA ${s.entryPa ?? "0x0"}: ${s.descriptor}  ${s.summary ?? ""}`);
    else if (s.entryPa !== null) L.push(`    read at PA ${s.entryPa}: failed, the image does not hold it`);
  }
  if (r.leaf) {
    const lf = r.leaf;
    L.push(
      `  leaf: level-${lf.level} ${lf.kind} of ${lf.size} bytes; AttrIndx ${lf.attrIndx} -> MAIR_EL1.Attr${lf.attrIndx} = 0x${lf.mairAttr.toString(16).padStart(2, "0")} (${lf.mairText}); SH ${SH_SHORT[lf.sh]}`,
    );
    const tbl =
      lf.apTable || lf.pxnTable || lf.uxnTable
        ? `; from the tables: APTable ${lf.apTable.toString(2).padStart(2, "0")}${lf.pxnTable ? ", PXNTable" : ""}${lf.uxnTable ? ", UXNTable" : ""}`
        : "";
    L.push(
      `        AP ${lf.ap.toString(2).padStart(2, "0")} (${lf.apText}), PXN ${b(lf.pxn)}, UXN ${b(lf.uxn)}, AF ${b(lf.af)}, nG ${b(lf.ng)}${tbl}${cfg.sctlr.wxn ? ", SCTLR_EL1.WXN" : ""}: EL${r.el} read ${yn(lf.read)}, write ${yn(lf.write)}, execute ${yn(lf.execute)}`,
    );
  }
  if (r.update) {
    L.push(`  hardware update of the leaf (TCR_EL1.HA${cfg.tcr.hd ? "/HD" : ""}): a write to its entry at IPA ${r.update.ipa}, translated by stage 2 first:`);
    if (s2 !== null) L.push(...s2Lines(s2, r.update, "    "));
    if (r.hwUpdates.length) L.push(`    the hardware set ${r.hwUpdates.join(" and ")}: leaf now ${r.leaf?.descriptor ?? "0x0"}`);
  }
  if (r.ipa !== null) {
    L.push(`IPA ${r.ipa}`);
    if (r.s1AttrFrom) L.push(`  stage-1 attributes: 0x${(r.s1Attr ?? 0).toString(16).padStart(2, "0")}, SH ${SH_SHORT[r.s1Sh ?? 0]}: ${r.s1AttrFrom}`);
  }
  if (r.final) {
    L.push(`  stage 2 of the IPA (the ${ACCESS_WORDS[access]} itself):`);
    if (s2 !== null) L.push(...s2Lines(s2, r.final, "  "));
  }
  if (r.pa !== null && r.memtype) {
    L.push(`PA ${r.pa}`);
    L.push("", "memory type (stage 1 combined with the stage-2 leaf, src/mair per the Arm ASL):");
    L.push(...indentLines(combineText(r.memtype), "  "));
  } else if (r.pa !== null && s2 === null) {
    L.push(`PA ${r.pa}`);
    L.push(
      "",
      `memory type: stage 1's alone (stage 2 off): MAIR Attr 0x${(r.s1Attr ?? 0).toString(16).padStart(2, "0")} (${describeMairAttr(r.s1Attr ?? 0, { xs: false, mte2: true }).text}), SH ${SH_SHORT[r.s1Sh ?? 0]}` +
        ((access === ACCESS_EXEC ? !cfg.sctlr.i : !cfg.sctlr.c)
          ? `; SCTLR_EL1.${access === ACCESS_EXEC ? "I" : "C"} = 0 makes a Normal ${access === ACCESS_EXEC ? "instruction fetch" : "data access"} Non-cacheable`
          : ""),
    );
  } else if (r.fault) {
    L.push(...faultLines(r.fault, access));
  }
  return L.join("\n");
}

function faultLines(f: NestedFault, access: number): string[] {
  const dabt = access !== ACCESS_EXEC;
  const xfsc = dabt ? "DFSC" : "IFSC";
  const ecWords = (ec: number): string =>
    `${ec === 0x24 || ec === 0x25 ? "Data Abort" : "Instruction Abort"} ${ec === 0x21 || ec === 0x25 ? "without a change of Exception level" : "from a lower Exception level"}`;
  const external =
    f.type === "external_abort_walk"
      ? [
          "  the walk's read of the entry failed: the image holds no memory at its PA (ASL FetchDescriptor -> HandleExternalTTWAbort); ESR.EA is IMPLEMENTATION DEFINED (0 here)",
        ]
      : [];
  if (f.stage === 1) {
    return [
      `stage-1 ${f.title}, level ${f.level}: taken to EL1 (the guest handles it)`,
      `  ESR_EL1 ${hex(f.esr)}: EC ${hex(f.ec)} (${ecWords(f.ec)}), IL 1, ISV 0${dabt ? `, WnR ${b(f.wnr)}` : ""}, ${xfsc} ${hex(f.fsc)}; FAR_EL1 ${f.far}`,
      ...external,
    ];
  }
  return [
    `stage-2 ${f.title}, level ${f.level}${f.s1ptw ? `, on the stage-1 table walk (${f.onUpdate ? "the hardware update of " : ""}the level-${f.s1Level} entry at IPA ${f.ipa})` : ` on the IPA ${f.ipa}`}: taken to EL2 (the hypervisor handles it)`,
    `  ESR_EL2 ${hex(f.esr)}: EC ${hex(f.ec)} (${ecWords(f.ec)}), IL 1, ISV 0, S1PTW ${b(f.s1ptw)}${dabt ? `, WnR ${b(f.wnr)}` : ""}, ${xfsc} ${hex(f.fsc)}; FAR_EL2 ${f.far}`,
    f.hpfarValid && f.hpfar !== null
      ? `  HPFAR_EL2 ${f.hpfar} (FIPA = IPA[51:12] = ${hex(BigInt(f.hpfar) >> 4n)})`
      : external.length
        ? "  HPFAR_EL2 UNKNOWN: not valid for an external abort (ASL IPAValid)"
        : "  HPFAR_EL2 UNKNOWN: not valid for a stage-2 Permission fault on the final access (ASL IPAValid)",
    ...external,
  ];
}

function b(x: boolean): string {
  return x ? "1" : "0";
}
function yn(x: boolean): string {
  return x ? "yes" : "no";
}

/** The report in the layout `s2pt walk --va --json` prints (snake_case keys, the CLI's documented form). */
export function nestedReportJson(r: NestedReport): Record<string, unknown> {
  // The fields read below, by type ({} was a TypeError from inside); the stage-2 reports and the combine are checked by their own formatters.
  const maker = "walkVa()";
  const o = checkShape(
    r,
    "r",
    {
      va: "string",
      access: "string",
      el: "number",
      s1Enabled: "boolean",
      steps: "array",
      leaf: "object?",
      final: "object?",
      update: "object?",
      memtype: "object?",
      fault: "object?",
      hwUpdates: "array",
    },
    maker,
  );
  if (o.region !== null) checkOneOf(o.region, "r.region", [0, 1]);
  (o.steps as unknown[]).forEach((s, i) => checkShape(s, `r.steps[${i}]`, { level: "number", s2: "object?" }, maker));
  if (o.leaf !== null) checkShape(o.leaf, "r.leaf", { mairAttr: "number", sh: "number" }, maker);
  if (o.fault !== null) checkShape(o.fault, "r.fault", { stage: "number", fsc: "number", ec: "number", esr: "number" }, maker);
  const f = r.fault;
  return {
    va: r.va,
    access: r.access,
    el: r.el,
    stage1: {
      enabled: r.s1Enabled,
      why: r.s1Why,
      region: r.region === null ? null : `TTBR${r.region}`,
      granule: r.geometry ? r.geometry.granule : null,
      start_level: r.geometry ? r.geometry.startLevel : null,
      table: r.tableBase,
      output_bits: r.oaBits,
      steps: r.steps.map((s) => ({
        level: s.level,
        table_ipa: s.tableIpa,
        index: s.index,
        entry_ipa: s.entryIpa,
        s2: s.s2 === null ? null : walkReportJson(s.s2),
        entry_pa: s.entryPa,
        descriptor: s.descriptor,
        summary: s.summary,
      })),
      leaf: r.leaf
        ? {
            level: r.leaf.level,
            kind: r.leaf.kind,
            size: r.leaf.size,
            descriptor: r.leaf.descriptor,
            attrindx: r.leaf.attrIndx,
            mair_attr: "0x" + r.leaf.mairAttr.toString(16).padStart(2, "0"),
            sh: r.leaf.sh,
            sh_name: SH1_NAMES[r.leaf.sh],
            ap: r.leaf.ap,
            af: r.leaf.af,
            ng: r.leaf.ng,
            pxn: r.leaf.pxn,
            uxn: r.leaf.uxn,
            ap_table: r.leaf.apTable,
            pxn_table: r.leaf.pxnTable,
            uxn_table: r.leaf.uxnTable,
            read: r.leaf.read,
            write: r.leaf.write,
            execute: r.leaf.execute,
          }
        : null,
    },
    ipa: r.ipa,
    s1_attr: r.s1Attr === null ? null : "0x" + r.s1Attr.toString(16).padStart(2, "0"),
    s1_sh: r.s1Sh,
    s1_attr_from: r.s1AttrFrom,
    s2: r.final ? walkReportJson(r.final) : null,
    update: r.update ? { s2: walkReportJson(r.update), hw_updates: r.hwUpdates } : null,
    pa: r.pa,
    memtype: r.memtype ? combinedJson(r.memtype) : null,
    fault: f
      ? f.stage === 1
        ? { stage: 1, type: f.type, level: f.level, fsc: hex(f.fsc), ec: hex(f.ec), esr_el1: hex(f.esr), wnr: f.wnr, far_el1: f.far }
        : {
            stage: 2,
            type: f.type,
            level: f.level,
            s1ptw: f.s1ptw,
            on_update: f.onUpdate,
            s1_level: f.s1Level,
            ipa: f.ipa,
            fsc: hex(f.fsc),
            ec: hex(f.ec),
            esr_el2: hex(f.esr),
            wnr: f.wnr,
            hpfar_valid: f.hpfarValid,
            hpfar_el2: f.hpfar,
            far_el2: f.far,
          }
      : null,
  };
}
