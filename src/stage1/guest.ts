/**
 * A guest: its stage-1 tables built over a stage-2 table, and the nested
 * walker over both. One per stage-2 table (a replay), built the first time
 * something translates a VA (the first translate_va op, or s2pt walk --va
 * after the replay when no op did).
 */

import { KvmPgtable } from "../pgtable/pgtable.js";
import { InputError } from "../pgtable/u64.js";
import { combineS1S2, type CombineOptions, type CombineResult } from "../mair/combine.js";
import { S2_MEMATTR_LO, S2_MEMATTR_SHIFT } from "../pgtable/descriptor.js";
import { ACCESS_EXEC } from "../walker/fault.js";
import { s2LeafSh } from "../walker/memtype.js";
import type { S2Walker } from "../walker/translate.js";
import { buildGuest, type BuiltGuest } from "./builder.js";
import type { GuestConfig } from "./config.js";
import type { GuestSpec } from "./spec.js";
import { NestedWalker } from "./walk.js";
import { ArgumentError, checkInstance, checkShape } from "../pgtable/args.js";

const built = new WeakMap<KvmPgtable, BuiltGuest>();

/** The guest built over `pgt`, building it now if nothing has (`where` names the point of the scenario, for messages). */
export function guestOf(pgt: KvmPgtable, spec: GuestSpec | null, where: string): BuiltGuest {
  const have = built.get(pgt);
  if (have !== undefined) return have;
  if (spec === null) throw new InputError(`${where}: the scenario has no 'guest' section (the guest's stage-1 setup)`);
  const g = buildGuest(pgt, spec, where);
  built.set(pgt, g);
  return g;
}

/** The guest already built over `pgt`, if any. */
export function builtGuest(pgt: KvmPgtable): BuiltGuest | undefined {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  return built.get(pgt);
}

/** A nested walker over a built guest and a stage-2 walker of its table. */
export function nestedWalker(g: BuiltGuest, s2: S2Walker): NestedWalker {
  // The walker checks s2, mem and the config; g itself first (null was a TypeError reading 'mem').
  checkShape(g, "g", { mem: "object", config: "object" }, "buildGuest() or builtGuest()");
  return new NestedWalker(s2, g.mem, g.config);
}

/** The combine's controls for this guest and access (FWB: the stage-2 table's). */
export function guestCombineOptions(cfg: GuestConfig, fwb: boolean, access: number): CombineOptions {
  return {
    fwb,
    ifetch: access === ACCESS_EXEC,
    hcrCD: cfg.hcr.cd,
    hcrDC: cfg.hcr.dc,
    hcrDCT: cfg.hcr.dct,
    hcrID: cfg.hcr.id,
    sctlrC: cfg.sctlr.c,
    sctlrI: cfg.sctlr.i,
  };
}

/**
 * The memory type of the last successful nested translate(), explained:
 * the stage-1 attributes it left (MAIR byte of AttrIndx and SH, or what a
 * disabled stage 1 gives) combined with its stage-2 leaf by src/mair.
 */
export function nestedMemType(w: NestedWalker, access: number): CombineResult {
  const s2 = stage2Of(w);
  const memAttr = (s2.descLo & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT;
  return combineS1S2(w.s1Attr, w.s1Sh, memAttr, s2LeafSh(s2.descLo, s2.pgt.geom), guestCombineOptions(w.cfg, s2.pgt.fwb, access));
}

/** The walker's stage 2; with stage 2 off there is no combine (the memory type is stage 1's alone: s1Attr, s1Sh). */
function stage2Of(w: NestedWalker): S2Walker {
  if (w.s2 === null) throw new ArgumentError("w", "stage 2 is off (HCR_EL2.VM = 0): the memory type is stage 1's alone, nothing to combine");
  return w.s2;
}
