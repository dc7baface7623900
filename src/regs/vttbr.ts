/**
 * VTTBR_EL2, the Virtualization Translation Table Base Register (Arm ARM
 * D24.2, VTTBR_EL2): the stage-2 root table and the VMID.
 *
 *   63:48 VMID (VTCR_EL2.VS = 0: 8-bit VMID in 55:48, 63:56 RES0)
 *   47:1  BADDR: the root table's PA; with a 52-bit output (64K + FEAT_LPA
 *         or FEAT_LPA2 with VTCR_EL2.DS = 1) BADDR[5:2] hold PA[51:48] and
 *         the table is at least 64-byte aligned
 *   0     CnP (FEAT_TTCNP): the entries may be shared with other PEs' TLBs
 *
 * KVM writes kvm_get_vttbr(): pgd_phys through phys_to_ttbr() | VMID << 48
 * | CnP when every CPU has it (kvm_cpu_has_cnp()).
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldNum, type DecodedRegister, type Layout } from "./field.js";
import { checkBigU64 } from "../pgtable/args.js";

/** VTTBR_EL2's fields: BADDR, CnP, VMID. */
export const VTTBR = {
  VMID: field("VMID", 63, 48, "the VMID of the translation (8-bit VMIDs use bits 55:48 with VTCR_EL2.VS = 0)"),
  BADDR: field("BADDR", 47, 1, "stage-2 root table base address (with 52-bit output addresses BADDR[5:2] are PA[51:48])"),
  CNP: bit("CnP", 0, "Common not Private: the table entries may be shared with other PEs in the Inner Shareable domain (FEAT_TTCNP)", {
    feature: "FEAT_TTCNP",
  }),
} as const;

/** VTTBR_EL2, every bit. */
export const VTTBR_LAYOUT: Layout = { register: "VTTBR_EL2", width: 64, fields: [VTTBR.VMID, VTTBR.BADDR, VTTBR.CNP] };
checkLayout(VTTBR_LAYOUT);

/** The root table's PA: BADDR as a 48-bit address, or with bits 5:2 moved to 51:48 (phys_to_ttbr() undone) when `pa52`. */
export function vttbrBaseAddress(value: bigint, pa52: boolean): bigint {
  const baddr = value & 0x0000_ffff_ffff_fffen;
  if (!pa52) return baddr;
  return (baddr & 0x0000_ffff_ffff_ffc0n) | (((baddr >> 2n) & 0xfn) << 48n);
}

/** VTTBR_EL2 decoded field by field. */
export function decodeVttbr(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const vmid = fieldNum(value, VTTBR.VMID);
  const base48 = vttbrBaseAddress(value, false);
  const low = Number(value & 0x3cn);
  const { fields, problems } = decodeFields(VTTBR_LAYOUT, value, (f, v) => {
    const n = Number(v);
    if (f === VTTBR.VMID) return { meaning: `${n}${n > 0xff ? " (needs 16-bit VMIDs, VTCR_EL2.VS = 1)" : ""}` };
    if (f === VTTBR.BADDR) {
      return {
        meaning: low
          ? `root table at PA ${hex(base48)} with a 48-bit output, or ${hex(vttbrBaseAddress(value, true))} with a 52-bit output (bits 5:2 are PA[51:48])`
          : `root table at PA ${hex(base48)}`,
      };
    }
    if (f === VTTBR.CNP) return { meaning: n ? "1: shared (KVM sets it when every CPU has FEAT_TTCNP)" : "0: private" };
    return undefined;
  });
  return {
    register: "VTTBR_EL2",
    value: hex(value),
    width: 64,
    summary: `VMID ${vmid}, stage-2 root table at ${hex(base48)}${fieldNum(value, VTTBR.CNP) ? ", CnP" : ""}`,
    fields,
    notes: ["the root table must be aligned to its size (with concatenated root tables, to the whole PGD): low BADDR bits below that alignment are RES0"],
    problems,
  };
}
