/**
 * The `translate_va` model op of `s2pt replay` (an s2pt extension, not a
 * kernel entry point; docs/two-stage.md):
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
 *
 * Importing this module registers the op (src/index.ts and the CLI import it).
 */

import type { KvmPgtable } from "../pgtable/pgtable.js";
import { registerModelOp, type ModelOpResult } from "../pgtable/replay.js";
import type { Scenario, ScenarioOp } from "../pgtable/scenario.js";
import { hex } from "../pgtable/u64.js";
import { ACCESS_NAMES, FAULT_NAMES, FAULT_NONE, encodeLDFSC, faultEsr, hpfarOf, ipaValid } from "../walker/fault.js";
import { replayWalker } from "../walker/op.js";
import { s1FaultReport } from "./fault.js";
import { guestOf, nestedMemType, nestedWalker } from "./guest.js";
import { STAGE_1, type NestedWalker } from "./walk.js";

const walkers = new WeakMap<KvmPgtable, NestedWalker>();

/** The nested walker a replay uses for a table (built with the guest on first use). */
export function replayNestedWalker(pgt: KvmPgtable, scn: Scenario, where: string): NestedWalker {
  let w = walkers.get(pgt);
  if (w === undefined) {
    w = nestedWalker(guestOf(pgt, scn.guest, where), replayWalker(pgt));
    walkers.set(pgt, w);
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
      s2_level: w.s2.level,
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

registerModelOp((pgt, op, scn) => (op.op === "translate_va" ? runTranslateVaOp(pgt, op, scn) : undefined));
