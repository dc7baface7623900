/**
 * The walk panel of the docs page, without the DOM: a scenario's text, an
 * address and an access in; the scenario replayed (src/scenario/replay.ts),
 * then the walk `s2pt walk` does out: walkIpa() (src/walker/describe.ts) for
 * an IPA, walkVa() (src/stage1/describe.ts) for a guest VA. This file only
 * arranges the reports for drawing: which address bits index which level,
 * the descriptor of each level as a bit strip (descriptorView), the nested
 * walk as the classic grid (a row per stage-1 level, a column per stage-2
 * level), and the descriptor reads counted. Nothing here walks a table.
 */

import { granuleName, type Geometry } from "../pgtable/geometry.js";
import { replay } from "../scenario/replay.js";
import { opToJson, parseScenarioText } from "../scenario/format.js";
import { type Scenario } from "../scenario/types.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import type { WalkTables } from "../pgtable/walkgen.js";
import { InputError, hex, parseHexText, parseSmallNumber } from "../pgtable/u64.js";
import { parseShareability } from "../mair/attrs.js";
import type { CombineResult } from "../mair/combine.js";
import { formatCombine } from "../mair/format.js";
import { ACCESS_EXEC, ACCESS_NAMES, type AccessName } from "../walker/fault.js";
import { formatWalkReport, walkIpa64, type WalkReport } from "../walker/describe.js";
import { S2Walker } from "../walker/translate.js";
import type { RegionGeometry } from "../stage1/config.js";
import { formatNestedReport, walkVa, type NestedFault, type NestedReport } from "../stage1/describe.js";
import { builtGuest, guestOf, nestedWalker } from "../stage1/guest.js";
import type { CombineForm } from "./combine-view.js";
import { descriptorView, type DescriptorView } from "./descriptor-view.js";
import { PASTED } from "./scenarios.js";

/** The panel's inputs, as the form holds them. */
export interface WalkForm {
  /** A bundled scenario's id, or PASTED. */
  scenario: string;
  /** The pasted scenario's text (scenario = PASTED). */
  paste: string;
  /** "ipa": a stage-2 walk; "va": the guest's two-stage translation. */
  mode: string;
  /** The IPA or VA, 0x-prefixed hex (as `s2pt walk --ipa/--va` takes it). */
  addr: string;
  /** r, w or x. */
  access: string;
  /** "0" or "1". */
  el: string;
  /** IPA walks: a stage-1 MAIR Attr byte to combine with the leaf ("" for none), as --s1-attr. */
  s1Attr: string;
  /** With s1Attr: the stage-1 SH, as --s1-sh. */
  s1Sh: string;
}

export const DEFAULT_WALK_FORM: WalkForm = {
  scenario: "guest-framebuffer-nc",
  paste: "",
  mode: "va",
  addr: "0xffffffc000001040",
  access: "w",
  el: "1",
  s1Attr: "",
  s1Sh: "3",
};

export const WALK_CHOICES = {
  mode: ["ipa", "va"],
  access: ["r", "w", "x"],
  el: ["0", "1"],
  s1Sh: ["0", "2", "3"],
} as const;

/** A pasted scenario is small: the page replays it on every change. */
export const MAX_PASTE_CHARS = 32 * 1024;
export const MAX_PASTE_OPS = 64;

/** A run of address bits with one job: a level's index, the offset, or bits no level reads. */
export interface AddrSegment {
  kind: "level" | "offset" | "rest" | "upper";
  /** The level this segment indexes (kind "level"). */
  level: number | null;
  hi: number;
  lo: number;
  /** The bits' value, hex. */
  value: string;
  /** What the bits do, in words. */
  label: string;
}

/** One level of a stage-2 walk, drawn. */
export interface LevelView {
  level: number;
  /** PA of the table page read, hex; and which concatenated root page it is (start level, more than one root page). */
  table: string;
  rootPage: number | null;
  index: number;
  /** PA of the entry: table + 8 * index. */
  entry: string;
  descriptor: string;
  summary: string;
  /** The descriptor as the decoder reads it (its bit strip). */
  strip: DescriptorView | null;
  /** The walk faulted on this level's descriptor. */
  fault: boolean;
}

/** One row of a fault's registers: the register or field, its value, what it says. */
export interface FaultRow {
  name: string;
  value: string;
  meaning: string;
}

export interface FaultView {
  stage: 1 | 2;
  title: string;
  level: number;
  /** Where it is taken and why. */
  where: string;
  rows: FaultRow[];
}

/** A stage-2 walk, drawn level by level. */
export interface S2WalkView {
  report: WalkReport;
  /** The IPA's bits, top down. */
  segments: AddrSegment[];
  levels: LevelView[];
  /** The PA and the leaf's attributes, as `s2pt walk` prints them (null after a fault). */
  result: string[] | null;
  fault: FaultView | null;
}

/** A stage-2 table-walk read in the nested grid. */
export interface GridCell {
  level: number;
  table: string;
  index: number;
  entry: string;
  descriptor: string;
  summary: string;
  fault: boolean;
}

/** A row of the nested grid: one IPA translated by stage 2, then (a stage-1 row) the stage-1 entry read at the PA it gave. */
export interface GridRow {
  kind: "s1" | "output" | "update";
  /** The stage-1 level (s1 rows; the leaf's level for the update row). */
  s1Level: number | null;
  /** The IPA stage 2 translates in this row. */
  ipa: string;
  /** Words for the row head. */
  label: string;
  /** One cell per stage-2 level column (null: not read). */
  cells: Array<GridCell | null>;
  /** The stage-2 walk of this row faulted (an S1PTW fault on an s1 or update row). */
  s2Fault: boolean;
  /** The stage-1 descriptor read (s1 rows), or the PA the access goes to (output row). */
  read: { pa: string; descriptor: string | null; summary: string | null } | null;
  /** Descriptor reads in this row (stage-2 reads, plus the stage-1 entry for an s1 row). */
  reads: number;
}

export interface ReadCount {
  /** Stage-2 descriptor reads (every row's stage-2 walk, the update's excluded). */
  s2: number;
  /** Stage-1 descriptor reads. */
  s1: number;
  total: number;
  /** Stage-2 reads of the hardware update's walk (not in total). */
  update: number;
  /** Stage-1 and stage-2 levels of these geometries, and the worst case n*m + n + m. */
  n: number;
  m: number;
  max: number;
}

export interface VaWalkView {
  report: NestedReport;
  /** The stage-2 levels, one grid column each. */
  s2Levels: number[];
  rows: GridRow[];
  /** The VA's bits, top down (stage 1 on). */
  segments: AddrSegment[];
  /** The stage-2 walk drawn level by level: of the output IPA, or the one that faulted (an S1PTW fault). */
  detail: { what: string; walk: S2WalkView } | null;
  reads: ReadCount;
  fault: FaultView | null;
  memtype: CombineResult | null;
}

export interface ScenarioSummary {
  name: string;
  /** The stage-2 geometry in words. */
  geometry: string;
  guest: boolean;
  /** Each op and what the replay returned (kernel events included). */
  ops: Array<{ op: string; result: string }>;
}

export interface WalkView {
  scenario: ScenarioSummary;
  mode: "ipa" | "va";
  ipa: S2WalkView | null;
  va: VaWalkView | null;
  /** Descriptor reads of the walk shown (an IPA walk: its levels). */
  reads: number;
  /** `s2pt walk`'s text for the same walk. */
  cliText: string;
}

export type WalkViewResult = { ok: true; view: WalkView } | { ok: false; error: string };

/** An address the scenario itself uses, for the picker. */
export interface AddrSuggestion {
  mode: "ipa" | "va";
  addr: string;
  access: AccessName;
  label: string;
}

const GRANULE_FORM: Record<number, string> = { 4096: "4k", 16384: "16k", 65536: "64k" };

/** Parse a scenario's text, with the page's size limits for pasted ones. */
export function parseWalkScenario(text: string, pasted: boolean): Scenario {
  if (pasted) {
    if (text.trim() === "") throw new InputError("pasted scenario: empty: paste a scenario JSON object (FORMAT.md)");
    if (text.length > MAX_PASTE_CHARS)
      throw new InputError(`pasted scenario: ${text.length} characters; the page replays at most ${MAX_PASTE_CHARS} (run larger ones with npx s2pt walk)`);
  }
  let scn: Scenario;
  try {
    scn = parseScenarioText(text);
  } catch (e) {
    if (e instanceof InputError && pasted) throw new InputError(`pasted scenario: ${e.message}`);
    throw e;
  }
  if (pasted && scn.ops.length > MAX_PASTE_OPS) throw new InputError(`pasted scenario: ${scn.ops.length} ops; the page replays at most ${MAX_PASTE_OPS}`);
  return scn;
}

/** The addresses a scenario's ops and guest mappings name, VAs first: what a student would walk. */
export function scenarioAddresses(scn: Scenario): AddrSuggestion[] {
  const out: AddrSuggestion[] = [];
  const seen = new Set<string>();
  const add = (s: AddrSuggestion): void => {
    const k = `${s.mode} ${s.addr} ${s.access}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(s);
  };
  scn.ops.forEach((op, i) => {
    if (op.op === "translate_va") add({ mode: "va", addr: hex(op.va), access: op.access as AccessName, label: `ops[${i}] translate_va` });
  });
  scn.guest?.mappings.forEach((m, i) => add({ mode: "va", addr: hex(m.va), access: "r", label: `guest mapping ${i}` }));
  scn.ops.forEach((op, i) => {
    if (op.op === "translate") add({ mode: "ipa", addr: hex(op.ipa), access: op.access as AccessName, label: `ops[${i}] translate` });
    else if (op.op === "get_leaf") add({ mode: "ipa", addr: hex(op.ipa), access: "r", label: `ops[${i}] get_leaf` });
    else if (op.op === "map") add({ mode: "ipa", addr: hex(op.ipa), access: "r", label: `ops[${i}] map` });
  });
  return out;
}

function bitsOf(v: bigint, hi: number, lo: number): bigint {
  return (v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
}

function bitLength(v: bigint): number {
  return v === 0n ? 1 : v.toString(2).length;
}

function sizeWords(log2: number): string {
  if (log2 >= 30) return `${2 ** (log2 - 30)}G`;
  if (log2 >= 20) return `${2 ** (log2 - 20)}M`;
  return `${2 ** (log2 - 10)}K`;
}

/**
 * The IPA's bits as the stage-2 walk uses them: each level's index (the
 * start level's run also picks the concatenated root page), then the offset
 * in the leaf, or the bits below a fault that no level reached.
 */
export function ipaSegments(geom: Geometry, ipa: bigint, r: WalkReport): AddrSegment[] {
  const out: AddrSegment[] = [];
  const top = Math.max(geom.iaBits, bitLength(ipa)) - 1;
  if (top >= geom.iaBits)
    out.push({
      kind: "upper",
      level: null,
      hi: top,
      lo: geom.iaBits,
      value: hex(bitsOf(ipa, top, geom.iaBits)),
      label: `above the ${geom.iaBits}-bit IPA size: must be 0`,
    });
  const reached = r.result ? r.result.level : r.steps.length ? r.steps[r.steps.length - 1].level : null;
  let low = geom.iaBits;
  if (reached !== null) {
    for (const li of geom.levelInfo) {
      if (li.level > reached) break;
      const entryBits = geom.pageShift - 3;
      const roots =
        li.level === geom.startLevel && geom.pgdPages > 1
          ? ` (bits ${li.ipaBitHi}:${li.shift + entryBits} pick one of ${geom.pgdPages} concatenated root tables)`
          : "";
      out.push({
        kind: "level",
        level: li.level,
        hi: li.ipaBitHi,
        lo: li.ipaBitLo,
        value: hex(bitsOf(ipa, li.ipaBitHi, li.ipaBitLo)),
        label: `level ${li.level} index${roots}`,
      });
      low = li.ipaBitLo;
    }
  }
  if (low > 0) {
    const leaf = r.result !== null;
    const what = leaf
      ? `offset in the ${sizeWords(low)} ${r.result?.kind}`
      : reached === null
        ? "not translated (no level read)"
        : "not translated (the walk faulted above)";
    out.push({ kind: leaf ? "offset" : "rest", level: null, hi: low - 1, lo: 0, value: hex(bitsOf(ipa, low - 1, 0)), label: what });
  }
  return out;
}

/** The VA's bits as the stage-1 walk uses them: the region select, each level's index, the offset. */
export function vaSegments(g: RegionGeometry, va: bigint, rep: NestedReport): AddrSegment[] {
  const out: AddrSegment[] = [];
  out.push({
    kind: "upper",
    level: null,
    hi: 63,
    lo: g.iaBits,
    value: hex(bitsOf(va, 63, g.iaBits)),
    label: `TTBR${g.region} region: all ${g.region ? "ones" : "zeros"} above the ${g.iaBits}-bit VA size`,
  });
  const reached = rep.leaf ? rep.leaf.level : rep.steps.length ? rep.steps[rep.steps.length - 1].level : null;
  let low = g.iaBits;
  if (reached !== null) {
    for (let l = g.startLevel; l <= reached; l++) {
      const hi = l === g.startLevel ? g.iaBits - 1 : g.shifts[l] + g.stride - 1;
      out.push({ kind: "level", level: l, hi, lo: g.shifts[l], value: hex(bitsOf(va, hi, g.shifts[l])), label: `level ${l} index` });
      low = g.shifts[l];
    }
  }
  if (low > 0) {
    const leaf = rep.leaf !== null;
    out.push({
      kind: leaf ? "offset" : "rest",
      level: null,
      hi: low - 1,
      lo: 0,
      value: hex(bitsOf(va, low - 1, 0)),
      label: leaf ? `offset in the ${sizeWords(low)} ${rep.leaf?.kind}` : "not translated (the walk stopped above)",
    });
  }
  return out;
}

const EC_WORDS: Record<number, string> = {
  0x20: "Instruction Abort from a lower Exception level",
  0x21: "Instruction Abort without a change of Exception level",
  0x24: "Data Abort from a lower Exception level",
  0x25: "Data Abort without a change of Exception level",
};

/** A fault's registers, field by field (the fields src/walker/fault.ts and src/stage1/fault.ts put together). */
export function faultView(f: NestedFault | (WalkReport["fault"] & object), access: number, nested: boolean): FaultView {
  const dabt = access !== ACCESS_EXEC;
  const xfsc = dabt ? "DFSC" : "IFSC";
  const rows: FaultRow[] = [];
  const stage: 1 | 2 = "stage" in f && f.stage === 1 ? 1 : 2;
  const esrName = stage === 1 ? "ESR_EL1" : "ESR_EL2";
  rows.push({ name: esrName, value: hex(f.esr), meaning: `the syndrome: EC, IL, ISS` });
  rows.push({ name: "EC", value: hex(f.ec), meaning: EC_WORDS[f.ec] ?? "" });
  rows.push({ name: "IL", value: "1", meaning: "a 32-bit instruction" });
  rows.push({ name: "ISV", value: "0", meaning: "no instruction syndrome (a walk fault)" });
  if (stage === 2 && "s1ptw" in f) {
    rows.push({
      name: "S1PTW",
      value: f.s1ptw ? "1" : "0",
      meaning: f.s1ptw
        ? "stage 2 faulted while translating a stage-1 table entry's IPA (the guest's walk), not the access itself"
        : "the fault is on the access's own IPA",
    });
  }
  if (dabt) rows.push({ name: "WnR", value: f.wnr ? "1" : "0", meaning: f.wnr ? "write" : "read" });
  rows.push({ name: xfsc, value: hex(f.fsc), meaning: `${f.title}, level ${f.level}` });
  let where: string;
  if (stage === 1) {
    const far = "far" in f ? f.far : "0x0";
    rows.push({ name: "FAR_EL1", value: far, meaning: "the faulting VA" });
    where = "a stage-1 fault: taken to EL1, the guest's own page-fault handler sees it; the hypervisor is not involved";
  } else {
    const g = f as WalkReport["fault"] & object & { far?: string; ipa?: string; s1ptw: boolean };
    if (nested && g.far !== undefined) rows.push({ name: "FAR_EL2", value: g.far, meaning: "the faulting VA" });
    rows.push(
      g.hpfarValid && g.hpfar !== null
        ? { name: "HPFAR_EL2", value: g.hpfar, meaning: `FIPA = IPA[51:12] = ${hex(BigInt(g.hpfar) >> 4n)}: the faulting IPA's page, for KVM's fault handler` }
        : {
            name: "HPFAR_EL2",
            value: "UNKNOWN",
            meaning: "not valid for a stage-2 Permission fault on the access itself (ASL IPAValid): KVM translates FAR_EL2 instead",
          },
    );
    where = g.s1ptw
      ? "a stage-2 fault on the guest's stage-1 walk: taken to EL2, KVM handles it (user_mem_abort)"
      : "a stage-2 fault: taken to EL2, KVM handles it (kvm_handle_guest_abort)";
  }
  return { stage, title: f.title, level: f.level, where, rows };
}

function levelViews(pgt: WalkTables, r: WalkReport): LevelView[] {
  const g = pgt.geom;
  const faultAt = r.fault && r.steps.length ? r.steps.length - 1 : -1;
  return r.steps.map((s, i) => {
    const strip = descriptorView({
      value: s.descriptor,
      granule: GRANULE_FORM[g.granule],
      level: String(s.level),
      lpa2: g.lpa2,
      fwb: pgt.fwb,
      paBits: String(g.paBits),
    });
    return {
      level: s.level,
      table: s.tablePa,
      rootPage: g.pgdPages > 1 ? s.rootPage : null,
      index: s.index,
      entry: s.entryPa,
      descriptor: s.descriptor,
      summary: s.summary,
      strip: strip.ok ? strip.view : null,
      fault: i === faultAt,
    };
  });
}

/** The result lines `s2pt walk` prints after the levels (PA, MemAttr, SH, permissions). */
function resultLines(walker: S2Walker, r: WalkReport): string[] | null {
  if (!r.result) return null;
  const lines = formatWalkReport(walker, r).split("\n");
  const at = lines.findIndex((l) => l.startsWith("PA "));
  return at < 0 ? null : lines.slice(at).map((l) => l.trim());
}

function s2WalkView(walker: S2Walker, r: WalkReport, nested: boolean): S2WalkView {
  return {
    report: r,
    segments: ipaSegments(walker.pgt.geom, BigInt(r.ipa), r),
    levels: levelViews(walker.pgt, r),
    result: resultLines(walker, r),
    fault: r.fault ? faultView(r.fault, ACCESS_NAMES.indexOf(r.access), nested) : null,
  };
}

function cells(levels: number[], r: WalkReport): { cells: Array<GridCell | null>; fault: boolean } {
  const out: Array<GridCell | null> = levels.map(() => null);
  const last = r.steps.length - 1;
  r.steps.forEach((s, i) => {
    out[levels.indexOf(s.level)] = {
      level: s.level,
      table: s.tablePa,
      index: s.index,
      entry: s.entryPa,
      descriptor: s.descriptor,
      summary: s.summary,
      fault: r.fault !== null && i === last,
    };
  });
  return { cells: out, fault: r.fault !== null };
}

function scenarioSummary(scn: Scenario, pgt: KvmPgtable, results: ReadonlyArray<unknown>): ScenarioSummary {
  const g = pgt.geom;
  const roots = g.pgdPages > 1 ? `, ${g.pgdPages} concatenated root tables` : "";
  return {
    name: scn.name,
    geometry: `${granuleName(g.granule)} granule, ${g.iaBits}-bit IPA, ${g.levels} levels from level ${g.startLevel}${roots}, ${g.paBits}-bit PA${g.lpa2 ? ", FEAT_LPA2" : ""}, FWB ${pgt.fwb ? "on" : "off"}`,
    guest: scn.guest !== null,
    ops: scn.ops.map((op, i) => ({ op: JSON.stringify(opToJson(op)), result: JSON.stringify(results[i]) })),
  };
}

function access(form: WalkForm): number {
  const a = (ACCESS_NAMES as readonly string[]).indexOf(form.access);
  if (a < 0) throw new InputError(`access: '${form.access}' is not r (read), w (write) or x (execute)`);
  return a;
}

/** Walk what the form says over the scenario `text` (the bundled file's text, or the pasted one). */
export function walkView(form: WalkForm, text: string): WalkViewResult {
  try {
    const scn = parseWalkScenario(text, form.scenario === PASTED);
    if (form.mode !== "ipa" && form.mode !== "va") throw new InputError(`mode: '${form.mode}' is not ipa or va`);
    const what = form.mode === "ipa" ? "IPA" : "VA";
    if (form.addr.trim() === "") throw new InputError(`${what}: type an address (0x-prefixed hex)`);
    const addr = parseHexText(form.addr, what, false);
    const acc = access(form);
    if (form.el !== "0" && form.el !== "1") throw new InputError(`EL: '${form.el}' is not 0 or 1 (a stage-2 walk translates EL0 and EL1 accesses)`);
    const el = Number(form.el);
    if (form.mode === "va" && scn.guest === null)
      throw new InputError(`${scn.name}: a VA needs a scenario with a 'guest' section (docs/two-stage.md); walk an IPA instead`);
    const s1 =
      form.mode === "ipa" && form.s1Attr.trim() !== ""
        ? { attr: parseSmallNumber(form.s1Attr, "stage-1 MAIR Attr", 0xff, { hexOnly: true }), sh: parseShareability(form.s1Sh, "stage-1 SH") }
        : undefined;
    const { result, pgt } = replay(scn);
    const summary = scenarioSummary(scn, pgt, result.ops);
    // The walker `s2pt walk` builds: VTCR_EL2.HA = 1, HD = 0, FEAT_XNX off (the CLI's defaults).
    const walker = new S2Walker(pgt, { ha: true, hd: false, xnx: false });
    if (form.mode === "ipa") {
      const r = walkIpa64(walker, addr, acc, el, s1);
      let cliText = formatWalkReport(walker, r);
      if (r.combined) cliText += `\n\n${formatCombine(r.combined)}`;
      return { ok: true, view: { scenario: summary, mode: "ipa", ipa: s2WalkView(walker, r, false), va: null, reads: r.steps.length, cliText } };
    }
    const g = builtGuest(pgt) ?? guestOf(pgt, scn.guest, `${scn.name}: the guest tables (written after the scenario's ops)`);
    const nw = nestedWalker(g, walker);
    const rep = walkVa(nw, addr, acc, el);
    const va = vaWalkView(pgt, walker, rep);
    return { ok: true, view: { scenario: summary, mode: "va", ipa: null, va, reads: va.reads.total, cliText: formatNestedReport(nw, rep, formatCombine) } };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}

function detailWalk(walker: S2Walker, rep: NestedReport): VaWalkView["detail"] {
  if (rep.final) return { what: `the output IPA ${rep.final.ipa} (the access itself)`, walk: s2WalkView(walker, rep.final, true) };
  const f = rep.fault;
  if (f && f.stage === 2 && f.s1ptw) {
    const r = f.onUpdate ? rep.update : rep.steps[rep.steps.length - 1]?.s2;
    if (r)
      return {
        what: `the IPA ${r.ipa} of the stage-1 level-${f.s1Level} entry${f.onUpdate ? " (its hardware update)" : ""}, where the S1PTW fault is`,
        walk: s2WalkView(walker, r, true),
      };
  }
  return null;
}

/** The combine panel's form for a walk's combine: the same inputs and controls. */
export function combineLink(c: CombineResult): Partial<CombineForm> {
  const k = c.config;
  return {
    s1: `0x${c.s1.attr.toString(16).padStart(2, "0")}`,
    s1Sh: String(c.s1.sh),
    s2Mode: "memattr",
    s2: `0x${c.s2.memattr.toString(16)}`,
    s2Sh: String(c.s2.sh),
    fwb: k.fwb,
    xs: k.xs,
    mte2: k.mte2,
    hcrCD: k.hcrCD,
    hcrDC: k.hcrDC,
    hcrDCT: k.hcrDCT,
    sctlrC: k.sctlrC,
    ifetch: k.ifetch,
    hcrID: k.hcrID,
    sctlrI: k.sctlrI,
  };
}

function vaWalkView(pgt: KvmPgtable, walker: S2Walker, rep: NestedReport): VaWalkView {
  const g2 = pgt.geom;
  const s2Levels = g2.levelInfo.map((l) => l.level);
  const rows: GridRow[] = [];
  let s2 = 0;
  let s1 = 0;
  for (const s of rep.steps) {
    // The page walks scenarios' tables: stage 2 is always on there.
    if (s.s2 === null) throw new Error("vaWalkView: a stage-1 step without its stage-2 walk");
    const c = cells(s2Levels, s.s2);
    const read = s.descriptor !== null ? { pa: s.entryPa ?? "0x0", descriptor: s.descriptor, summary: s.summary } : null;
    rows.push({
      kind: "s1",
      s1Level: s.level,
      ipa: s.entryIpa,
      label: `stage-1 level ${s.level}: table at IPA ${s.tableIpa}, entry [${s.index}]`,
      cells: c.cells,
      s2Fault: c.fault,
      read,
      reads: s.s2.steps.length + (read ? 1 : 0),
    });
    s2 += s.s2.steps.length;
    if (read) s1++;
  }
  if (rep.final) {
    const c = cells(s2Levels, rep.final);
    rows.push({
      kind: "output",
      s1Level: null,
      ipa: rep.final.ipa,
      label: rep.s1Enabled ? "the output IPA (the access itself)" : "IPA = VA (stage 1 disabled)",
      cells: c.cells,
      s2Fault: c.fault,
      read: rep.pa !== null ? { pa: rep.pa, descriptor: null, summary: null } : null,
      reads: rep.final.steps.length,
    });
    s2 += rep.final.steps.length;
  }
  let update = 0;
  if (rep.update) {
    const c = cells(s2Levels, rep.update);
    rows.push({
      kind: "update",
      s1Level: rep.leaf?.level ?? null,
      ipa: rep.update.ipa,
      label: `hardware update of the stage-1 leaf (${rep.hwUpdates.join(", ") || "faulted"}): a write to its entry`,
      cells: c.cells,
      s2Fault: c.fault,
      read: null,
      reads: rep.update.steps.length,
    });
    update = rep.update.steps.length;
  }
  const n = rep.geometry ? 4 - rep.geometry.startLevel : 0;
  const m = g2.levels;
  const access = ACCESS_NAMES.indexOf(rep.access);
  return {
    report: rep,
    s2Levels,
    rows,
    segments: rep.geometry ? vaSegments(rep.geometry, BigInt(rep.va), rep) : [],
    detail: detailWalk(walker, rep),
    reads: { s2, s1, total: s2 + s1, update, n, m, max: n * m + n + m },
    fault: rep.fault ? faultView(rep.fault, access, true) : null,
    memtype: rep.memtype,
  };
}
