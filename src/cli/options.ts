/**
 * Checks the commands share that depend on more than one option (args.ts
 * reads each value alone): a PA size against the descriptor format; and an
 * address option as the library takes it.
 */

import { granuleName, type Granule } from "../pgtable/geometry.js";
import { InputError, hex } from "../pgtable/u64.js";
import type { CommandArgs } from "./spec.js";

/**
 * An address option (`--pa`): the 64-bit value typed, as the library takes
 * addresses, a number below 2^53 (src/pgtable/args.ts); a larger one is no
 * IPA or PA (they have at most 52 bits) and is refused, naming the option.
 */
export function addressOption(a: CommandArgs, name: string): number | undefined {
  const v = a.value<bigint>(name);
  if (v === undefined) return undefined;
  if (v >= 1n << 53n) throw new InputError(`--${name}: ${hex(v)} is beyond 2^53: no IPA or PA has more than 52 bits`);
  return Number(v);
}

/**
 * A host PA size the descriptor format can carry (Arm ARM
 * ID_AA64MMFR0_EL1.PARange; kernel-reference.md section 3): 52 bits needs
 * FEAT_LPA2 with a 4K or 16K granule (64K carries OA[51:48] in bits 15:12,
 * FEAT_LPA); KVM clamps PARange to 48 otherwise.
 */
export function checkPaBits(paBits: number | undefined, granule: Granule, lpa2: boolean, what = "--pa-bits"): void {
  if (paBits === 52 && granule !== 65536 && !lpa2) {
    throw new InputError(`${what}: 52-bit PAs with a ${granuleName(granule)} granule need FEAT_LPA2 (--lpa2); without it KVM clamps PARange to 48`);
  }
}

/** FEAT_LPA2 exists for the 4K and 16K granules only. */
export function checkLpa2(granule: Granule, lpa2: boolean): void {
  if (lpa2 && granule === 65536) throw new InputError("--lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only (64K reaches 52 bits with FEAT_LPA)");
}

/** Indent every non-empty line by two spaces. */
export function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : "  " + l))
    .join("\n");
}
