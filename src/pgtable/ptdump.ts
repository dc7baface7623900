/**
 * The stage-2 table in the line format of the kernel's debugfs dump
 * (arch/arm64/kvm/ptdump.c, `stage2_page_tables`, with arm64 mm/ptdump.c
 * note_page()), plus a memory-type column the kernel's dump lacks.
 *
 * note_page() is called for every non-table entry of a LEAF walk over
 * [0, 2^ia_bits), empty ones included, with prot = pte & (OR of the column
 * masks). A change of prot or level closes a run and prints it:
 *   "0x%016lx-0x%016lx   " start, end
 *   "%9lu%c %s"           size in K, divided by 1024 while it divides evenly (units KMGTPE); level name "0".."3"
 *   " <col>" per column   only when the run's prot is non-zero: the set string if (prot & mask) == val, else the clear one
 *
 * Columns (ptdump.c as in 6.18, verified: 6.18 carries 8673e5b22e1e "KVM:
 * arm64: ptdump: Don't test PTE_VALID alongside other attributes", v2 of the
 * Aug 2025 "KVM: arm64: ptdump: Fix exec attribute printing", merged in the
 * KVM/arm64 6.18 pull; no mask is qualified by PTE_VALID any more):
 *   mask VALID -> " " / "F";  S2AP_R -> "R" / " ";  S2AP_W -> "W" / " ";
 *   XN -> "NX" / "x ";  AF -> "AF" / "  ";  bits 1:0 == 0b01 -> "BLK" / "   "
 *
 * The kernel's show function never flushes the last run (it stops at the end
 * of the walk without a final note_page), so its output omits it; s2pt prints
 * it unless `kernelExact` is set.
 *
 * The memory-type column names what a leaf's MemAttr means: that meaning is
 * src/mair's (s2memattr.ts), a layer above this one, so the caller passes
 * the namer in (`memTypeName`; the CLI's dump passes
 * s2MemAttrShortName). This module knows only the bits, and the kernel's own
 * annotations of invalid entries (locked, owner).
 */

import {
  INVALID_PTE_LOCKED_LO,
  INVALID_PTE_OWNER_LO,
  INVALID_PTE_OWNER_SHIFT,
  PTE_TYPE_LO,
  PTE_VALID_LO,
  S2AP_R_LO,
  S2AP_W_LO,
  S2_AF_LO,
  S2_MEMATTR_LO,
  S2_MEMATTR_SHIFT,
  S2_XN_HI,
} from "./descriptor.js";
import { KvmPgtable } from "./pgtable.js";
import { checkBool, checkFunction, checkInstance, checkObject } from "./args.js";

interface Column {
  maskLo: number;
  maskHi: number;
  valLo: number;
  valHi: number;
  set: string;
  clear: string;
}

const COLUMNS: readonly Column[] = [
  { maskLo: PTE_VALID_LO, maskHi: 0, valLo: PTE_VALID_LO, valHi: 0, set: " ", clear: "F" },
  { maskLo: S2AP_R_LO, maskHi: 0, valLo: S2AP_R_LO, valHi: 0, set: "R", clear: " " },
  { maskLo: S2AP_W_LO, maskHi: 0, valLo: S2AP_W_LO, valHi: 0, set: "W", clear: " " },
  { maskLo: 0, maskHi: S2_XN_HI, valLo: 0, valHi: S2_XN_HI, set: "NX", clear: "x " },
  { maskLo: S2_AF_LO, maskHi: 0, valLo: S2_AF_LO, valHi: 0, set: "AF", clear: "  " },
  { maskLo: PTE_VALID_LO | PTE_TYPE_LO, maskHi: 0, valLo: PTE_VALID_LO, valHi: 0, set: "BLK", clear: "   " },
];

const MASK_LO = COLUMNS.reduce((m, c) => m | c.maskLo, 0);
const MASK_HI = COLUMNS.reduce((m, c) => m | c.maskHi, 0);
const UNITS = "KMGTPE";

/** How to print the dump. */
export interface PtdumpOptions {
  /** Reproduce the kernel's output exactly: no memory-type column, the last run left out. */
  kernelExact?: boolean;
  /**
   * The memory-type column: the name of a valid leaf's MemAttr (bits 5:2)
   * read with FWB on or off, e.g. "Normal-WB". Without it (or with
   * kernelExact) there is no memory-type column.
   */
  memTypeName?: (memAttr: number, fwb: boolean) => string;
}

function hex16(x: number): string {
  return "0x" + x.toString(16).padStart(16, "0");
}

function sizeText(bytes: number): string {
  let delta = Math.floor(bytes / 1024);
  let u = 0;
  while (delta % 1024 === 0 && u < UNITS.length - 1) {
    delta /= 1024;
    u++;
  }
  return `${String(delta).padStart(9)}${UNITS[u]}`;
}

/** The memory-type column: what the run's descriptors say, read per FWB. */
function memTypeText(lo: number, fwb: boolean, name: (memAttr: number, fwb: boolean) => string): string {
  if (lo & PTE_VALID_LO) return name((lo & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT, fwb);
  if (lo & INVALID_PTE_LOCKED_LO) return "locked";
  const owner = (lo & INVALID_PTE_OWNER_LO) >>> INVALID_PTE_OWNER_SHIFT;
  return owner ? `owner ${owner}` : "";
}

/** One line of the dump: a run of entries with the same level, attributes and memory type. */
export interface PtdumpRun {
  start: number;
  end: number;
  level: number;
  /** The run's descriptor bits in the columns' masks (low and high half); 0 and 0 for empty entries. */
  protLo: number;
  protHi: number;
  /** s2pt's memory-type column ("" for empty entries, without memTypeName, or with kernelExact). */
  memtype: string;
}

/** ptdump()'s arguments: a table, and options of their types. */
function checkPtdumpArgs(pgt: unknown, opts: unknown): void {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  const o = checkObject(opts, "opts");
  if (o.kernelExact !== undefined) checkBool(o.kernelExact, "opts.kernelExact");
  if (o.memTypeName !== undefined) checkFunction(o.memTypeName, "opts.memTypeName");
}

/** The runs note_page() would print, in order (the last one only without kernelExact, as the kernel never flushes it). */
export function ptdumpRuns(pgt: KvmPgtable, opts: PtdumpOptions = {}): PtdumpRun[] {
  const exact = opts.kernelExact === true;
  const namer = exact ? undefined : opts.memTypeName;
  const g = pgt.geom;
  const runs: PtdumpRun[] = [];
  // The run being accumulated (note_page's pg_state).
  let runLevel = -1;
  let runLo = 0; // prot, low half
  let runHi = 0; // prot, high half
  let runKey = ""; // what separates runs in s2pt's dump: prot and memory type
  let runType = "";
  let runStart = 0;

  const close = (addr: number): void => {
    runs.push({ start: runStart, end: addr, level: runLevel, protLo: runLo, protHi: runHi, memtype: exact ? "" : runType });
  };

  const note = (addr: number, level: number, lo: number, hi: number): void => {
    const pLo = lo & MASK_LO;
    const pHi = hi & MASK_HI;
    const type = namer === undefined ? "" : memTypeText(lo, pgt.fwb, namer);
    const key = `${pLo}:${pHi}:${type}`;
    if (runLevel === -1) {
      runLevel = level;
    } else if (key === runKey && level === runLevel) {
      return;
    } else {
      close(addr);
    }
    runLevel = level;
    runLo = pLo;
    runHi = pHi;
    runKey = key;
    runType = type;
    runStart = addr;
  };

  const visit = (page: number, level: number, base: number): void => {
    const gran = pgt.granuleSize(level);
    for (let i = 0; i < g.ptrsPerPte; i++) {
      const addr = base + i * gran;
      if (addr >= pgt.iaLimit) return;
      const lo = pgt.entryLo(page, i);
      const hi = pgt.entryHi(page, i);
      if (pgt.isTable(lo, level)) visit(pgt.childPage(lo, hi), level + 1, addr);
      else note(addr, level, lo, hi);
    }
  };
  const rootSpan = pgt.granuleSize(g.startLevel) * g.ptrsPerPte;
  for (let r = 0; r < g.pgdPages; r++) visit(pgt.pgd + r, g.startLevel, r * rootSpan);
  if (!exact && runLevel !== -1) close(pgt.iaLimit);
  return runs;
}

/** The columns of a run, as the kernel prints them ([] for a run of empty entries). */
export function ptdumpColumns(run: PtdumpRun): string[] {
  if (run.protLo === 0 && run.protHi === 0) return [];
  return COLUMNS.map((c) => ((run.protLo & c.maskLo) === c.valLo && (run.protHi & c.maskHi) === c.valHi ? c.set : c.clear));
}

/** The dump as text: the kernel's header line, then one line per run. */
export function ptdump(pgt: KvmPgtable, opts: PtdumpOptions = {}): string {
  checkPtdumpArgs(pgt, opts);
  const lines: string[] = ["---[ Guest IPA ]---"];
  for (const run of ptdumpRuns(pgt, opts)) {
    let line = `${hex16(run.start)}-${hex16(run.end)}   ${sizeText(run.end - run.start)} ${run.level}`;
    for (const c of ptdumpColumns(run)) line += " " + c;
    if (run.memtype) line += `   ${run.memtype}`;
    lines.push(line);
  }
  return lines.join("\n") + "\n";
}
