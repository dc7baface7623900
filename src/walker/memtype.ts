/**
 * The memory type an access really gets once the walk has found its stage-2
 * leaf: the stage-1 attributes (the MAIR_EL1 Attr byte the guest's AttrIndx
 * selects, and the stage-1 SH) combined with the leaf's MemAttr and SH by
 * the rules of src/mair (ASL S2CombineS1MemAttrs / AArch64.S2ApplyFWBMemAttrs,
 * with the table's HCR_EL2.FWB). Nothing here re-implements a rule: the
 * explained form calls combineS1S2(), the cheap form reads combineTable().
 *
 * An instruction fetch uses the combine's instruction-fetch option (ASL
 * AArch64.S1Translate: a fetch from stage-1 Device memory is Normal NC;
 * AArch64.S2Translate: a fetch from stage-2 Device memory is Normal NC).
 */

import { S2_MEMATTR_LO, S2_MEMATTR_SHIFT, S2_SH_LO, S2_SH_SHIFT } from "../pgtable/descriptor.js";
import type { Geometry } from "../pgtable/geometry.js";
import { combineIndex, combineS1S2, combineTable, type CombineOptions, type CombineResult, type CombineTable } from "../mair/combine.js";
import { InputError } from "../pgtable/u64.js";
import { ACCESS_EXEC } from "./fault.js";
import type { S2LeafAttrs } from "./attrs.js";
import type { S2Walker } from "./translate.js";

/** The controls of the combine other than FWB (the table's) and the instruction fetch (the access's). */
export type CombineControls = Omit<CombineOptions, "fwb" | "ifetch">;

/** VTCR_EL2.SH0 as KVM programs it (bits 13:12 of the geometry's VTCR_EL2 value). */
export function vtcrSh0(g: Geometry): number {
  return Number((BigInt(g.vtcr.value) >> 12n) & 3n);
}

/**
 * The stage-2 SH of a leaf: descriptor bits 9:8, or VTCR_EL2.SH0 when
 * FEAT_LPA2 (VTCR_EL2.DS = 1) puts OA[51:50] there (ASL
 * AArch64_S2NextWalkStateLeaf: `s2_sh = if ds then walkparams.sh else descriptor[9:8]`).
 */
export function s2LeafSh(lo: number, g: Geometry): number {
  return g.lpa2 ? vtcrSh0(g) : (lo & S2_SH_LO) >>> S2_SH_SHIFT;
}

function checkStage1(s1Attr: number, s1Sh: number): void {
  if (!(Number.isInteger(s1Attr) && s1Attr >= 0 && s1Attr <= 0xff)) throw new InputError(`stage-1 Attr ${s1Attr} is not a byte (0..0xff)`);
  if (!(Number.isInteger(s1Sh) && s1Sh >= 0 && s1Sh <= 3)) throw new InputError(`stage-1 SH ${s1Sh} is not 2 bits (0..3)`);
}

/**
 * The combined memory type, explained step by step, of a stage-1 Attr byte
 * and SH over a leaf the walk reported (walkIpa's `result.attrs`).
 */
export function combineWithLeaf(attrs: S2LeafAttrs, s1Attr: number, s1Sh: number, access: number, controls: CombineControls = {}): CombineResult {
  checkStage1(s1Attr, s1Sh);
  return combineS1S2(s1Attr, s1Sh, attrs.memAttr, attrs.sh, { ...controls, fwb: attrs.fwb, ifetch: access === ACCESS_EXEC });
}

let dataTable: CombineTable | null = null;
let fetchTable: CombineTable | null = null;

/** The combine table of the default controls, for a data access or an instruction fetch. */
function defaultTable(ifetch: boolean): CombineTable {
  if (ifetch) return (fetchTable ??= combineTable({ ifetch: true }));
  return (dataTable ??= combineTable({}));
}

/**
 * The same, cheaply, for the leaf of the walker's last successful translate():
 * PAR_EL1.ATTR in out[0] and PAR_EL1.SH in out[1], -1 where the architecture
 * leaves a column open (see combineS1S2 for why). The table for the
 * configuration is built on first use (combineTable) and cached; after that
 * nothing is allocated. Call it only after a translate() that returned
 * FAULT_NONE.
 */
export function combinedOfLastWalk(w: S2Walker, s1Attr: number, s1Sh: number, access: number, out: Int32Array | number[], controls?: CombineControls): void {
  const g = w.pgt.geom;
  const memAttr = (w.descLo & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT;
  const ifetch = access === ACCESS_EXEC;
  const t = controls === undefined ? defaultTable(ifetch) : combineTable({ ...controls, ifetch });
  const i = combineIndex(s1Attr, s1Sh, memAttr, s2LeafSh(w.descLo, g), w.pgt.fwb);
  out[0] = t.attr[i];
  out[1] = t.sh[i];
}
