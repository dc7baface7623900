/**
 * `s2pt/regs`: the system registers, one definition of every field (the
 * Arm ARM's names and bit ranges), shared by every encoder and decoder in
 * s2pt, and a decoder per register: ESR_ELx (every exception class), the
 * fault status codes, HPFAR_EL2, FAR_ELx, PAR_EL1, VTCR_EL2, VTTBR_EL2,
 * MAIR_ELx, TCR_EL1, SCTLR_EL1, HCR_EL2, ID_AA64MMFR0/1/2_EL1.
 *
 * A register value is a `bigint` (0..2^64-1); a decode is a JSON-safe
 * DecodedRegister (every value a hex string), with a RES0 bit set or a RES1
 * bit clear reported as a problem. `s2pt reg` prints these; s2pt/kvm's
 * decodeRegister() picks the decoder by name.
 *
 * @module s2pt/regs
 */

export { type FieldDef, type FieldKind, type Layout, type DecodedRegister, type DecodedRegField } from "./field.js";
export { formatRegister } from "./format.js";
export { ESR, ABT, DABT_ISS2, SYS64, SERR, EC_TABLE, EC_CODES, ecInfo, decodeEsr, type EcInfo } from "./esr.js";
export { FSC_TABLE, fscInfo, type FscInfo, type FscKind } from "./fsc.js";
export { HPFAR, HPFAR_LAYOUT, decodeHpfar } from "./hpfar.js";
export { FAR, decodeFar } from "./far.js";
export { PAR, PAR_SUCCESS_LAYOUT, PAR_FAULT_LAYOUT, decodePar } from "./par.js";
export { VTCR, VTCR_LAYOUT, decodeVtcr } from "./vtcr.js";
export { VTTBR, VTTBR_LAYOUT, decodeVttbr } from "./vttbr.js";
export { MAIR_ATTR, decodeMair } from "./mair.js";
export { TCR, TCR_LAYOUT, decodeTcrRegister } from "./tcr.js";
export { SCTLR, SCTLR_LAYOUT, decodeSctlr } from "./sctlr.js";
export { HCR, HCR_LAYOUT, decodeHcr } from "./hcr.js";
export { MMFR0, MMFR1, MMFR2, MMFR0_LAYOUT, MMFR1_LAYOUT, MMFR2_LAYOUT, decodeMmfr0, decodeMmfr1, decodeMmfr2 } from "./idregs.js";
export { PARANGE_BITS } from "./pa-size.js";
