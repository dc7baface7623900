/**
 * The `translate` model op of `s2pt replay` (an s2pt extension, not a kernel
 * entry point; documented in docs/walker.md):
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
 * Importing this module registers the op (src/cli/commands/replay.ts and
 * src/index.ts import it).
 */

import type { KvmPgtable } from "../pgtable/pgtable.js";
import { registerModelOp, type ModelOpResult } from "../pgtable/replay.js";
import type { ScenarioOp } from "../pgtable/scenario.js";
import { hex } from "../pgtable/u64.js";
import { ACCESS_NAMES, FAULT_NAMES, FAULT_NONE, encodeLDFSC, hpfarOf, ipaValid } from "./fault.js";
import { S2Walker } from "./translate.js";

const walkers = new WeakMap<KvmPgtable, S2Walker>();

/** The walker a replay uses for a table (one per table, default options). */
export function replayWalker(pgt: KvmPgtable): S2Walker {
  let w = walkers.get(pgt);
  if (w === undefined) {
    w = new S2Walker(pgt);
    walkers.set(pgt, w);
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

registerModelOp((pgt, op) => (op.op === "translate" ? runTranslateOp(pgt, op) : undefined));
