/**
 * The model-only ops of a scenario (s2pt extensions, not kernel entry
 * points): what the hardware does with the table at that point of the
 * replay. Their entries are in the op table (ops.ts).
 *
 * `translate` (docs/walker.md):
 *
 *   { "op": "translate", "ipa": "0x...", "access": "r" | "w" | "x", "el": 0 | 1 }
 *
 * `el` may be left out (EL1). The table is walked as the hardware walks it,
 * with the walker's defaults (VTCR_EL2.HA = 1 as KVM programs it, HD = 0,
 * FEAT_XNX off). The result is { "pa": "0x...", "level": n } or
 * { "fault": { "type", "level", "dfsc", "hpfar" } }, hpfar being null when
 * the architecture leaves HPFAR_EL2 UNKNOWN (a Permission fault).
 * With HA = 1 a translation of a leaf whose AF is clear sets AF in the
 * table, as the hardware does, and the final dump shows it.
 *
 * `translate_va` (docs/two-stage.md):
 *
 *   { "op": "translate_va", "va": "0x...", "access": "r" | "w" | "x", "el": 0 | 1 }
 *
 * It needs the scenario's `guest` section. The first translate_va writes the
 * guest's stage-1 tables (through the stage-2 table as it is at that point);
 * later ops reuse them. The stage-2 walks use the replay's walker (VTCR_EL2.HA
 * = 1 as KVM programs it: a walk that reads through a stage-2 leaf with AF
 * clear sets it, as the translate op does). Results:
 *
 *   {"ipa": "0x...", "pa": "0x...", "s1_level": 3, "s2_level": 3, "attr": "0x44", "sh": 2, "memtype": "Normal-NC"}
 *   {"fault": {"stage": 1, "type": "permission", "level": 3, "fsc": "0xf", "esr_el1": "0x9600004f"}}
 *   {"fault": {"stage": 2, "type": "translation", "level": 3, "s1ptw": true, "fsc": "0x7", "esr_el2": "0x92000087", "hpfar": "0x408010"}}
 *
 * s1_level is null when stage 1 is disabled; attr (PAR_EL1.ATTR) and sh
 * (PAR_EL1.SH) are null where the architecture leaves them open.
 */

import type { KvmPgtable } from "../pgtable/pgtable.js";
import { hex } from "../pgtable/u64.js";
import { ACCESS_NAMES, FAULT_NAMES, FAULT_NONE, encodeLDFSC, faultEsr, hpfarOf, ipaValid } from "../walker/fault.js";
import { S2Walker } from "../walker/translate.js";
import { s1FaultReport } from "../stage1/fault.js";
import { guestOf, nestedMemType, nestedWalker } from "../stage1/guest.js";
import { STAGE_1, type NestedWalker } from "../stage1/walk.js";
import type { ModelOpResult, Scenario, ScenarioOp } from "./types.js";

const s2Walkers = new WeakMap<KvmPgtable, S2Walker>();

/** The walker a replay uses for a table (one per table, default options). */
export function replayWalker(pgt: KvmPgtable): S2Walker {
  let w = s2Walkers.get(pgt);
  if (w === undefined) {
    w = new S2Walker(pgt);
    s2Walkers.set(pgt, w);
  }
  return w;
}

/** Run one translate op. */
export function runTranslateOp(pgt: KvmPgtable, op: ScenarioOp): ModelOpResult {
  const w = replayWalker(pgt);
  const access = (ACCESS_NAMES as readonly string[]).indexOf(op.access);
  if (access < 0) throw new Error(`translate: access '${op.access}'`);
  const r = w.translate(op.ipa, access, op.el);
  if (r === FAULT_NONE) return { pa: hex(w.pa), level: w.level };
  return {
    fault: {
      type: FAULT_NAMES[r],
      level: w.level,
      dfsc: hex(encodeLDFSC(r, w.level)),
      hpfar: ipaValid(r) ? hex(hpfarOf(BigInt(op.ipa))) : null,
    },
  };
}

const nestedWalkers = new WeakMap<KvmPgtable, NestedWalker>();

/** The nested walker a replay uses for a table (built with the guest on first use). */
export function replayNestedWalker(pgt: KvmPgtable, scn: Scenario, where: string): NestedWalker {
  let w = nestedWalkers.get(pgt);
  if (w === undefined) {
    w = nestedWalker(guestOf(pgt, scn.guest, where), replayWalker(pgt));
    nestedWalkers.set(pgt, w);
  }
  return w;
}

/** Run one translate_va op. */
export function runTranslateVaOp(pgt: KvmPgtable, op: ScenarioOp, scn: Scenario): ModelOpResult {
  const i = scn.ops.indexOf(op);
  const where = i >= 0 ? `ops[${i}] translate_va` : "translate_va";
  const w = replayNestedWalker(pgt, scn, where);
  const access = (ACCESS_NAMES as readonly string[]).indexOf(op.access);
  if (access < 0) throw new Error(`translate_va: access '${op.access}'`);
  const r = w.translate(Number(op.va & 0xffffffffn), Number(op.va >> 32n), access, op.el);
  if (r === FAULT_NONE) {
    const m = nestedMemType(w, access);
    return {
      ipa: hex(w.ipa),
      pa: hex(w.pa),
      s1_level: w.s1Enabled ? w.leafLevel : null,
      s2_level: w.s2 === null ? null : w.s2.level,
      attr: m.attr < 0 ? null : "0x" + m.attr.toString(16).padStart(2, "0"),
      sh: m.sh < 0 ? null : m.sh,
      memtype: m.memtype,
    };
  }
  if (w.faultStage === STAGE_1) {
    const f = s1FaultReport(w.faultType, w.faultLevel, access, op.el, w.faultWrite, op.va);
    return { fault: { stage: 1, type: f.type, level: f.level, fsc: hex(f.fsc), esr_el1: hex(f.esr) } };
  }
  return {
    fault: {
      stage: 2,
      type: FAULT_NAMES[r],
      level: w.faultLevel,
      s1ptw: w.s1ptw,
      fsc: hex(encodeLDFSC(r, w.faultLevel)),
      esr_el2: hex(faultEsr(r, w.faultLevel, access, w.faultWrite, w.s1ptw)),
      hpfar: ipaValid(r, w.s1ptw) ? hex(hpfarOf(BigInt(w.faultIpa))) : null,
    },
  };
}
