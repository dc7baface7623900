/**
 * The walker against the reference model: after every op of a checked run,
 * the hardware's stage-2 walk (src/walker, S2Walker) of a read at EL1, at
 * every sampled IPA, must give what the deliberately simple reference model
 * (refmodel.ts, written from the kernel's documented semantics) says the
 * tables hold, by the architecture's rules:
 *
 *   IPA at or beyond 2^ia_bits           Translation fault, level 0 (AArch64_IPAIsOutOfRange)
 *   empty entry or owner annotation      Translation fault at the entry's level
 *   leaf, OA at or beyond 2^pa_bits      Address size fault at the leaf's level
 *   leaf, AF clear (walker with HA off)  Access flag fault at the leaf's level
 *   leaf without S2AP read               Permission fault at the leaf's level
 *   otherwise                            the leaf's PA + offset, at the leaf's level
 *
 * The model is itself compared with kvm_pgtable_get_leaf() and the dump by
 * the other checkers, so walker, get_leaf, dump and model all agree.
 * The walker runs with VTCR_EL2.HA off, so it never writes to the tables.
 */

import type { KvmPgtable } from "../pgtable/pgtable.js";
import { ACCESS_READ, FAULT_ACCESS_FLAG, FAULT_ADDRESS_SIZE, FAULT_NAMES, FAULT_NONE, FAULT_PERMISSION, FAULT_TRANSLATION } from "../walker/fault.js";
import { S2Walker } from "../walker/translate.js";
import type { OpCheckContext, OpChecker } from "./checker.js";

const walkers = new WeakMap<KvmPgtable, S2Walker>();

function walkerFor(pgt: KvmPgtable): S2Walker {
  let w = walkers.get(pgt);
  if (w === undefined) {
    w = new S2Walker(pgt, { ha: false });
    walkers.set(pgt, w);
  }
  return w;
}

function hx(n: number): string {
  return "0x" + n.toString(16);
}

/** What the architecture says a read at `ipa` gets, from the model: [fault, level, pa]. */
function expected(ctx: OpCheckContext, ipa: number): [number, number, number] {
  const g = ctx.pgt.geom;
  if (ipa >= 2 ** g.iaBits) return [FAULT_TRANSLATION, 0, 0];
  const r = ctx.model.lookup(ipa);
  const level = r.level ?? 0;
  const leaf = r.leaf ?? null;
  if (leaf === null || leaf.owner !== 0 || r.ret !== 0) return [FAULT_TRANSLATION, level, 0];
  const pa = leaf.pa + (ipa - leaf.ipa);
  if (leaf.pa >= 2 ** g.paBits) return [FAULT_ADDRESS_SIZE, level, 0];
  if (!leaf.af) return [FAULT_ACCESS_FLAG, level, 0];
  if (!leaf.r) return [FAULT_PERMISSION, level, 0];
  return [FAULT_NONE, level, pa];
}

/** The walker against the reference model at every sampled IPA (one of checked.ts's OP_CHECKERS). */
export const walkerChecker: OpChecker = {
  name: "walker agrees with the reference model",
  check(ctx: OpCheckContext): string | null {
    const w = walkerFor(ctx.pgt);
    for (const ipa of ctx.samples) {
      if (ipa < 0) continue;
      const [fault, level, pa] = expected(ctx, ipa);
      const got = w.translate(ipa, ACCESS_READ, 1);
      if (got !== fault || w.level !== level || (fault === FAULT_NONE && w.pa !== pa)) {
        const want = fault === FAULT_NONE ? `PA ${hx(pa)} at level ${level}` : `${FAULT_NAMES[fault]} fault at level ${level}`;
        const seen = got === FAULT_NONE ? `PA ${hx(w.pa)} at level ${w.level}` : `${FAULT_NAMES[got]} fault at level ${w.level}`;
        return `read of IPA ${hx(ipa)}: the model says ${want}, the walker ${seen}`;
      }
    }
    return null;
  },
};
