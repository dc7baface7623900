/**
 * FAR_EL2 and FAR_EL1, the Fault Address Registers: the faulting virtual
 * address of a synchronous Instruction or Data Abort, PC alignment fault or
 * Watchpoint (Arm ARM D23.2, FAR_ELx). One 64-bit field.
 *
 * For a guest's stage-2 abort FAR_EL2 holds the guest's VA (the address the
 * instruction used, not the table entry's address for an S1PTW fault) unless
 * ESR_EL2.FnV = 1. KVM uses FAR_EL2[11:0] as the page offset of an MMIO
 * access (the IPA from HPFAR_EL2 is page aligned) and as the address of the
 * aborts it injects back into the guest.
 */

import { hex } from "../pgtable/u64.js";
import { checkLayout, decodeFields, field, type DecodedRegister, type Layout } from "./field.js";
import { checkBigU64, checkOneOf } from "../pgtable/args.js";

/** FAR_ELx: the faulting virtual address (VA). */
export const FAR = {
  VA: field("VA", 63, 0, "Faulting virtual address"),
} as const;

export function farLayout(el: 1 | 2): Layout {
  const l: Layout = { register: `FAR_EL${el}`, width: 64, fields: [FAR.VA] };
  checkLayout(l);
  return l;
}

/** The page offset KVM adds to an MMIO IPA: FAR[11:0] (kvm_handle_guest_abort(), io_mem_abort()). */
export function farPageOffset(far: bigint): bigint {
  return far & 0xfffn;
}

/** FAR_EL1 or FAR_EL2 decoded: the VA, its TTBR region and page offset. */
export function decodeFar(value: bigint, el: 1 | 2 = 2): DecodedRegister {
  checkBigU64(value, "value");
  checkOneOf(el, "el", [1, 2]);
  const region = (value >> 55n) & 1n ? "TTBR1 (upper) region" : "TTBR0 (lower) region";
  const { fields, problems } = decodeFields(farLayout(el), value, () => ({
    meaning: `${hex(value)}: a ${region} VA by bit 55; page offset [11:0] = ${hex(farPageOffset(value))}`,
  }));
  return {
    register: `FAR_EL${el}`,
    value: hex(value),
    width: 64,
    summary: `faulting VA ${hex(value)} (${region}, offset ${hex(farPageOffset(value))} in a 4K page)`,
    fields,
    notes: [
      "valid only when ESR_ELx.FnV = 0; with TBI enabled the top byte may hold a tag",
      el === 2
        ? "KVM: FAR_EL2[11:0] completes the page-aligned IPA of an MMIO access (io_mem_abort()) and addresses the aborts KVM injects"
        : "the guest's own fault address (EL1)",
    ],
    problems,
  };
}
