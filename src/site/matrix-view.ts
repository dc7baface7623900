/**
 * The combine matrix of the docs page, without the DOM: a row per stage-1
 * memory type a guest can ask for (its MAIR Attr byte), a column per stage-2
 * MemAttr[3:0], FWB off or on; each cell the PAR_EL1.ATTR / SH that
 * combineTable() (src/mair/combine.ts, the Arm ASL rules) holds for it, -1
 * where the architecture leaves it open, and the type that ATTR byte encodes
 * (PAR_EL1.ATTR is in MAIR format). Each cell also carries combineS1S2()'s
 * explained result, from which the rules panel reads which rule decided it.
 * The second matrix is the shareability of the selected cell for every
 * stage-1 SH by every stage-2 SH, from the same table.
 */

import { SH_SHORT, DEVICE_TYPE_NAMES, MEMATTR_NC, MEMATTR_WB, MEMATTR_WT, MEMTYPE_DEVICE } from "../mair/attrs.js";
import { combineIndex, combineS1S2, combineTable, type CombineResult } from "../mair/combine.js";
import { describeMairAttr, linuxMairName } from "../mair/mair.js";
import { describeS2MemAttr } from "../mair/s2memattr.js";
import { InputError, parseSmallNumber } from "../pgtable/u64.js";

/** The features the matrix assumes: FEAT_XS off, FEAT_MTE2 on, data accesses, HCR_EL2 and SCTLR_EL1 as Linux runs (combineTable's defaults). */
const FEATURES = { xs: false, mte2: true } as const;

/**
 * The matrix rows: one stage-1 MAIR Attr byte per memory type a guest can
 * ask for. Device in the four strengths; Normal Non-cacheable; Write-Through
 * and Write-Back with their allocation hints (read-allocate only,
 * read+write-allocate, transient); the two mixed halves; Tagged.
 */
export const MATRIX_S1_ROWS: readonly number[] = [0x00, 0x04, 0x08, 0x0c, 0x44, 0xaa, 0xbb, 0xee, 0xff, 0x77, 0x4f, 0xf4, 0xf0];

/** The columns: every stage-2 MemAttr[3:0]. */
export const MATRIX_S2_COLS: readonly number[] = Array.from({ length: 16 }, (_, i) => i);

/** The shareability matrix's rows and columns, in the order the page shows them. */
export const SH_ORDER: readonly number[] = [0, 1, 2, 3];

/** What a cell's colour stands for: the resulting memory type, or open. */
export type TypeClass =
  "device-ngnrne" | "device-ngnre" | "device-ngre" | "device-gre" | "normal-nc" | "normal-wt" | "normal-wb" | "normal-mixed" | "tagged" | "open";

/** Every class with its words, for the legend (the order of strictness, Device-nGnRnE first). */
export const TYPE_CLASSES: ReadonlyArray<readonly [TypeClass, string]> = [
  ["device-ngnrne", "Device-nGnRnE"],
  ["device-ngnre", "Device-nGnRE"],
  ["device-ngre", "Device-nGRE"],
  ["device-gre", "Device-GRE"],
  ["normal-nc", "Normal Non-cacheable"],
  ["normal-wt", "Normal Write-Through"],
  ["normal-wb", "Normal Write-Back"],
  ["normal-mixed", "Normal, inner and outer differ"],
  ["tagged", "Normal Write-Back, Allocation Tagged (MTE)"],
  ["open", "open: the architecture permits more than one type"],
];

export interface MatrixForm {
  fwb: boolean;
  /** The SH both matrices' main cells assume: "0", "2", "3" (Linux writes 3 at both stages). */
  s1Sh: string;
  s2Sh: string;
  /** The selected cell: stage-1 Attr byte and stage-2 MemAttr (0x-prefixed hex). */
  s1: string;
  s2: string;
}

/** Guest write-combining (Normal-NC) over KVM's Normal-NC with FWB: the case the 2023 series is about. */
export const DEFAULT_MATRIX_FORM: MatrixForm = { fwb: true, s1Sh: "3", s2Sh: "3", s1: "0x44", s2: "0x5" };

export const MATRIX_CHOICES = { s1Sh: ["0", "2", "3"], s2Sh: ["0", "2", "3"] } as const;

export interface MatrixCell {
  s1: number;
  s2: number;
  /** combineTable's PAR_EL1.ATTR and SH; -1: open. */
  attr: number;
  sh: number;
  cls: TypeClass;
  /** The type in a few letters ("nGnRE", "NC", "WB", "oWB/iNC", "WB Tagged", "open"). */
  label: string;
  /** "ISH", or "SH open". */
  shLabel: string;
  /** Which column the architecture leaves open. */
  open: "none" | "attr" | "sh" | "both";
  /** The explained result (rules, steps, permitted outcomes). */
  result: CombineResult;
}

export interface MatrixRow {
  s1: number;
  /** "0x44 Normal-NC", with the Linux name when there is one. */
  head: string;
  linux: string | null;
  /** describeMairAttr's words. */
  text: string;
  cells: MatrixCell[];
}

export interface MatrixColumn {
  s2: number;
  /** "0x5", "0b0101". */
  head: string;
  bits: string;
  /** describeS2MemAttr's short name for this FWB setting, and the Linux macro. */
  short: string;
  linux: string | null;
  text: string;
}

export interface ShCell {
  s1Sh: number;
  s2Sh: number;
  sh: number;
  label: string;
  cls: "sh-nsh" | "sh-osh" | "sh-ish" | "sh-open";
  result: CombineResult;
}

export interface MatrixView {
  fwb: boolean;
  s1Sh: number;
  s2Sh: number;
  columns: MatrixColumn[];
  rows: MatrixRow[];
  /** The selected cell (for the shareability matrix, the steps, the CLI line). */
  selected: MatrixCell;
  /** Rows: stage-1 SH (SH_ORDER); columns: stage-2 SH. */
  sh: ShCell[][];
}

export type MatrixViewResult = { ok: true; view: MatrixView } | { ok: false; error: string };

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

/** The memory type a PAR_EL1.ATTR byte encodes (MAIR format), as a colour class; -1 (open) is "open". */
export function typeClassOfPar(attr: number): TypeClass {
  if (attr < 0) return "open";
  const d = describeMairAttr(attr, FEATURES);
  const m = d.attrs;
  if (m === null) throw new RangeError(`PAR_EL1.ATTR ${hex2(attr)} is not a valid MAIR encoding`);
  if (m.memtype === MEMTYPE_DEVICE) return (["device-ngnrne", "device-ngnre", "device-ngre", "device-gre"] as const)[m.device];
  if (attr === 0xf0) return "tagged";
  if (m.inner.attrs !== m.outer.attrs) return "normal-mixed";
  return m.inner.attrs === MEMATTR_NC ? "normal-nc" : m.inner.attrs === MEMATTR_WT ? "normal-wt" : "normal-wb";
}

/** The few letters a cell shows for a PAR_EL1.ATTR byte. */
export function typeLabelOfPar(attr: number): string {
  if (attr < 0) return "open";
  const d = describeMairAttr(attr, FEATURES);
  const m = d.attrs;
  if (m === null) return "?";
  if (m.memtype === MEMTYPE_DEVICE) return DEVICE_TYPE_NAMES[m.device];
  const c = (a: number): string => (a === MEMATTR_WB ? "WB" : a === MEMATTR_WT ? "WT" : "NC");
  if (attr === 0xf0) return "WB Tagged";
  return m.inner.attrs === m.outer.attrs ? c(m.inner.attrs) : `o${c(m.outer.attrs)}/i${c(m.inner.attrs)}`;
}

function openOf(attr: number, sh: number): MatrixCell["open"] {
  return attr < 0 ? (sh < 0 ? "both" : "attr") : sh < 0 ? "sh" : "none";
}

/** One cell: the table's numbers, and the explained result beside them. */
export function matrixCell(s1: number, s1Sh: number, s2: number, s2Sh: number, fwb: boolean): MatrixCell {
  const t = combineTable(FEATURES);
  const i = combineIndex(s1, s1Sh, s2, s2Sh, fwb);
  const attr = t.attr[i];
  const sh = t.sh[i];
  return {
    s1,
    s2,
    attr,
    sh,
    cls: typeClassOfPar(attr),
    label: typeLabelOfPar(attr),
    shLabel: sh < 0 ? "SH open" : SH_SHORT[sh],
    open: openOf(attr, sh),
    result: combineS1S2(s1, s1Sh, s2, s2Sh, { fwb, ...FEATURES }),
  };
}

function shClass(sh: number): ShCell["cls"] {
  return sh < 0 ? "sh-open" : sh === 0 ? "sh-nsh" : sh === 2 ? "sh-osh" : "sh-ish";
}

function parseSh(text: string, what: string): number {
  if (text !== "0" && text !== "2" && text !== "3") throw new InputError(`${what}: '${text}' is not 0 (NSH), 2 (OSH) or 3 (ISH)`);
  return Number(text);
}

/** The rows for one FWB and SH setting; the same every time, so computed once (moving the selection redraws no cell). */
const rowsCache = new Map<string, readonly MatrixRow[]>();

function matrixRows(fwb: boolean, s1Sh: number, s2Sh: number): MatrixRow[] {
  const key = `${fwb} ${s1Sh} ${s2Sh}`;
  let rows = rowsCache.get(key);
  if (!rows) {
    rows = MATRIX_S1_ROWS.map((a) => {
      const d = describeMairAttr(a, FEATURES);
      const linux = linuxMairName(a);
      return {
        s1: a,
        head: `${hex2(a)} ${a === 0xf0 ? "Normal-WB Tagged" : d.short}`,
        linux,
        text: d.text,
        cells: MATRIX_S2_COLS.map((m) => matrixCell(a, s1Sh, m, s2Sh, fwb)),
      };
    });
    rowsCache.set(key, rows);
  }
  return [...rows];
}

export function matrixView(f: MatrixForm): MatrixViewResult {
  try {
    const s1Sh = parseSh(f.s1Sh, "stage-1 SH");
    const s2Sh = parseSh(f.s2Sh, "stage-2 SH");
    const s1 = parseSmallNumber(f.s1, "selected stage-1 Attr", 0xff, { hexOnly: true });
    const s2 = parseSmallNumber(f.s2, "selected stage-2 MemAttr", 0xf, { hexOnly: true });
    const columns: MatrixColumn[] = MATRIX_S2_COLS.map((m) => {
      const d = describeS2MemAttr(m, f.fwb);
      return { s2: m, head: `0x${m.toString(16)}`, bits: `0b${m.toString(2).padStart(4, "0")}`, short: d.short, linux: d.linux, text: d.text };
    });
    const rows = matrixRows(f.fwb, s1Sh, s2Sh);
    const selected = matrixCell(s1, s1Sh, s2, s2Sh, f.fwb);
    const sh = SH_ORDER.map((x) =>
      SH_ORDER.map((y) => {
        const c = matrixCell(s1, x, s2, y, f.fwb);
        return { s1Sh: x, s2Sh: y, sh: c.sh, label: c.sh < 0 ? "open" : SH_SHORT[c.sh], cls: shClass(c.sh), result: c.result };
      }),
    );
    return { ok: true, view: { fwb: f.fwb, s1Sh, s2Sh, columns, rows, selected, sh } };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}

/** An SH value as the shareability matrix heads it: "0b01 (reserved)", "ISH (0b11)". */
export function shHead(sh: number): string {
  return sh === 1 ? "0b01 (reserved)" : `${SH_SHORT[sh]} (0b${sh.toString(2).padStart(2, "0")})`;
}
