/**
 * Two model-only ops of a scenario (s2pt extensions, not kernel entry
 * points; docs/raw-descriptors-and-at.md), with their entries in the op
 * table (ops.ts):
 *
 *   { "op": "set_pte", "ipa": "0x...", "level": 3, "pte": "0x..." }
 *
 * stores a raw stage-2 descriptor at the entry that translates ipa at level
 * (src/pgtable/rawpte.ts: the tables above it made as kvm_init_table_pte()
 * writes them, no events). Result: { "old": "0x...", "tables": [ { "level", "ipa" } ] },
 * the entry's previous value and the tables it created.
 *
 *   { "op": "at", "insn": "S1E1R" | "S1E1W" | "S12E1R" | "S12E1W", "va": "0x...", "from_el": 1 | 2 }
 *
 * runs an AT instruction on the guest (the scenario's `guest` section;
 * src/stage1/at.ts), from EL2 unless from_el says 1. Result: PAR_EL1 and its
 * fields (src/stage1/at.ts AtResult), e.g.
 *
 *   {"insn": "S12E1R", "va": "0x...", "from_el": 2, "par": "0x...", "f": 0, "oa": "0x...", "attr": "0x44", "sh": 2, "ns": 0, "memtype": "Normal-NC"}
 *   {"insn": "S1E1R", "va": "0x...", "from_el": 2, "par": "0x...", "f": 1, "fst": "0x07", "s": 1, "ptw": 1, "fault": {"stage": 2, "type": "translation", "level": 3}}
 */

import type { KvmPgtable } from "../pgtable/pgtable.js";
import { setRawPte } from "../pgtable/rawpte.js";
import { atInstruction } from "../stage1/at.js";
import { replayNestedWalker } from "./translate.js";
import type { ModelOpResult, Scenario, ScenarioOp } from "./types.js";

/** Run one set_pte op. */
export function runSetPteOp(pgt: KvmPgtable, op: ScenarioOp): ModelOpResult {
  const r = setRawPte(pgt, op.ipa, op.level, op.pte);
  return { old: r.old, tables: r.tables };
}

/** Run one at op. */
export function runAtOp(pgt: KvmPgtable, op: ScenarioOp, scn: Scenario): ModelOpResult {
  const i = scn.ops.indexOf(op);
  const w = replayNestedWalker(pgt, scn, i >= 0 ? `ops[${i}] at` : "at");
  return { ...atInstruction(w, op.insn, op.va, op.from_el) };
}
