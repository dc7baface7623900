/**
 * VTCR_EL2, the Virtualization Translation Control Register: how stage 2 of
 * the EL1&0 regime walks (Arm ARM D24.2, VTCR_EL2; Linux's
 * arch/arm64/tools/sysreg VTCR_EL2 and asm/kvm_arm.h).
 *
 *   63:46 RES0     45 HDBSS   44 HAFT   43:42 RES0   41 TL0   40 GCSH   39 RES0
 *   38 D128        37 S2POE   36 S2PIE  35 TL1       34 AssuredOnly     33 SL2
 *   32 DS          31 RES1    30 NSA    29 NSW       28:25 HWU62..HWU59
 *   24:23 RES0     22 HD      21 HA     20 RES0      19 VS   18:16 PS   15:14 TG0
 *   13:12 SH0      11:10 ORGN0          9:8 IRGN0    7:6 SL0            5:0 T0SZ
 *
 * kvm_get_vtcr() (src/pgtable/geometry.ts) composes its value from these
 * fields; the decoder reads them back.
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldNum, res0, res1, type DecodedRegister, type Layout } from "./field.js";
import { paSizeWords } from "./pa-size.js";
import { WALK_CACHEABILITY, WALK_SHAREABILITY } from "./walk-attrs.js";
import { checkBigU64 } from "../pgtable/args.js";

/** VTCR_EL2's fields. */
export const VTCR = {
  RES0_63_46: res0(63, 46),
  HDBSS: bit("HDBSS", 45, "hardware dirty state tracking structure enabled (FEAT_HDBSS)", { feature: "FEAT_HDBSS" }),
  HAFT: bit("HAFT", 44, "hardware managed Access flag for table descriptors (FEAT_HAFT)", { feature: "FEAT_HAFT" }),
  RES0_43_42: res0(43, 42),
  TL0: bit("TL0", 41, "TopLevel0 permission attribute check enable (FEAT_THE)", { feature: "FEAT_THE" }),
  GCSH: bit("GCSH", 40, "Guarded Control Stack hardening (FEAT_GCS)", { feature: "FEAT_GCS" }),
  RES0_39: res0(39),
  D128: bit("D128", 38, "128-bit descriptors, VMSAv9-128 (FEAT_D128)", { feature: "FEAT_D128" }),
  S2POE: bit("S2POE", 37, "stage-2 permission overlay enable (FEAT_S2POE)", { feature: "FEAT_S2POE" }),
  S2PIE: bit("S2PIE", 36, "stage-2 indirect permissions enable (FEAT_S2PIE)", { feature: "FEAT_S2PIE" }),
  TL1: bit("TL1", 35, "TopLevel1 permission attribute check enable (FEAT_THE)", { feature: "FEAT_THE" }),
  ASSUREDONLY: bit("AssuredOnly", 34, "AssuredOnly attribute check enable (FEAT_THE)", { feature: "FEAT_THE" }),
  SL2: bit("SL2", 33, "starting level extension: with DS = 1, 4K and SL0 = 0b00, the walk starts at level -1 (FEAT_LPA2)", { feature: "FEAT_LPA2" }),
  DS: bit("DS", 32, "52-bit output and input with 4K and 16K granules: the FEAT_LPA2 descriptor format", { feature: "FEAT_LPA2" }),
  RES1_31: res1(31),
  NSA: bit("NSA", 30, "Non-secure stage-2 translation output address space (Secure EL2 only)"),
  NSW: bit("NSW", 29, "Non-secure stage-2 translation table address space (Secure EL2 only)"),
  HWU: field("HWU62..HWU59", 28, 25, "hardware use of descriptor bits 62:59 (FEAT_HPDS2)", { feature: "FEAT_HPDS2" }),
  RES0_24_23: res0(24, 23),
  HD: bit("HD", 22, "hardware management of dirty state (FEAT_HAFDBS)"),
  HA: bit("HA", 21, "hardware Access flag update (FEAT_HAFDBS)"),
  RES0_20: res0(20),
  VS: bit("VS", 19, "VMID size", { values: { 0: "8-bit VMID (VTTBR_EL2[55:48])", 1: "16-bit VMID (VTTBR_EL2[63:48])" } }),
  PS: field("PS", 18, 16, "Physical address Size of the stage-2 output"),
  TG0: field("TG0", 15, 14, "Granule size", { values: { 0: "4K", 1: "64K", 2: "16K", 3: "reserved" } }),
  SH0: field("SH0", 13, 12, "Shareability of the stage-2 table walks", { values: WALK_SHAREABILITY }),
  ORGN0: field("ORGN0", 11, 10, "Outer cacheability of the stage-2 table walks", { values: WALK_CACHEABILITY }),
  IRGN0: field("IRGN0", 9, 8, "Inner cacheability of the stage-2 table walks", { values: WALK_CACHEABILITY }),
  SL0: field("SL0", 7, 6, "Starting level of the stage-2 walk (with TG0, DS and SL2)"),
  T0SZ: field("T0SZ", 5, 0, "the IPA size is 2^(64 - T0SZ) bytes"),
} as const;

/** VTCR_EL2, every bit. */
export const VTCR_LAYOUT: Layout = {
  register: "VTCR_EL2",
  width: 64,
  fields: [
    VTCR.RES0_63_46,
    VTCR.HDBSS,
    VTCR.HAFT,
    VTCR.RES0_43_42,
    VTCR.TL0,
    VTCR.GCSH,
    VTCR.RES0_39,
    VTCR.D128,
    VTCR.S2POE,
    VTCR.S2PIE,
    VTCR.TL1,
    VTCR.ASSUREDONLY,
    VTCR.SL2,
    VTCR.DS,
    VTCR.RES1_31,
    VTCR.NSA,
    VTCR.NSW,
    VTCR.HWU,
    VTCR.RES0_24_23,
    VTCR.HD,
    VTCR.HA,
    VTCR.RES0_20,
    VTCR.VS,
    VTCR.PS,
    VTCR.TG0,
    VTCR.SH0,
    VTCR.ORGN0,
    VTCR.IRGN0,
    VTCR.SL0,
    VTCR.T0SZ,
  ],
};
checkLayout(VTCR_LAYOUT);

/** TG0 encodings of the three granules (VTCR_EL2_TG0_4K/16K/64K). */
export const VTCR_TG0_4K = 0;
export const VTCR_TG0_64K = 1;
export const VTCR_TG0_16K = 2;

/** Granule bytes of a TG0 encoding, or null for the reserved 0b11. */
export function vtcrGranule(tg0: number): 4096 | 16384 | 65536 | null {
  return tg0 === VTCR_TG0_4K ? 4096 : tg0 === VTCR_TG0_16K ? 16384 : tg0 === VTCR_TG0_64K ? 65536 : null;
}

/**
 * The stage-2 starting level of (TG0, SL0, SL2, DS) (Arm ARM, VTCR_EL2.SL0;
 * ASL AArch64_S2StartLevel), or null for a reserved combination.
 *   4K:       SL0 00 -> 2 (-1 with DS = 1 and SL2 = 1), 01 -> 1, 10 -> 0, 11 -> 3 (FEAT_TTST)
 *   16K, 64K: SL0 00 -> 3, 01 -> 2, 10 -> 1, 11 -> 0 (16K with DS = 1 only)
 */
export function vtcrStartLevel(tg0: number, sl0: number, sl2: number, ds: number): number | null {
  if (tg0 === VTCR_TG0_4K) {
    if (sl2 && ds) return sl0 === 0 ? -1 : null;
    return [2, 1, 0, 3][sl0];
  }
  if (tg0 === VTCR_TG0_16K || tg0 === VTCR_TG0_64K) {
    if (sl2) return null;
    if (sl0 === 3) return tg0 === VTCR_TG0_16K && ds ? 0 : null;
    return [3, 2, 1][sl0];
  }
  return null;
}

/** Decode a VTCR_EL2 value field by field (the geometry it implies is src/kvm/registers.ts's). */
export function decodeVtcr(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const tg0 = fieldNum(value, VTCR.TG0);
  const sl0 = fieldNum(value, VTCR.SL0);
  const sl2 = fieldNum(value, VTCR.SL2);
  const ds = fieldNum(value, VTCR.DS);
  const t0sz = fieldNum(value, VTCR.T0SZ);
  const start = vtcrStartLevel(tg0, sl0, sl2, ds);
  const { fields, problems } = decodeFields(VTCR_LAYOUT, value, (f, v) => {
    const n = Number(v);
    if (f === VTCR.T0SZ) return { meaning: `${n}: ${64 - n}-bit IPA space (${hex(2n ** BigInt(64 - n))} bytes)` };
    if (f === VTCR.PS) return paSizeWords(n);
    if (f === VTCR.TG0 && n === 3) return { meaning: "0b11 reserved", problem: "TG0 = 0b11 is reserved" };
    if (f === VTCR.SH0 && n === 1) return { meaning: "0b01 reserved", problem: "SH0 = 0b01 is reserved" };
    if (f === VTCR.SL0) {
      if (start === null)
        return {
          meaning: `0b${n.toString(2).padStart(2, "0")}: reserved for TG0 ${VTCR.TG0.values?.[tg0]}${ds ? ", DS = 1" : ""}${sl2 ? ", SL2 = 1" : ""}`,
          problem: "a reserved starting level (a Translation fault at level 0 on every walk)",
        };
      return { meaning: `0b${n.toString(2).padStart(2, "0")}: the walk starts at level ${start}${start === 3 ? " (FEAT_TTST)" : ""}` };
    }
    if (f === VTCR.HA)
      return {
        meaning: n
          ? "1: the hardware sets AF (KVM sets it when built with CONFIG_ARM64_HW_AFDBM)"
          : "0: an access to a leaf with AF = 0 takes an Access flag fault (KVM: handle_access_fault())",
      };
    if (f === VTCR.HD) return { meaning: n ? "1: hardware dirty state through DBM (KVM never sets it)" : "0: no hardware dirty state" };
    if (f === VTCR.DS)
      return {
        meaning: n ? "1: FEAT_LPA2 descriptors (OA[51:50] in bits 9:8, shareability from SH0)" : "0: 48-bit descriptors (52 bits only with 64K and FEAT_LPA)",
      };
    return undefined;
  });
  const g = vtcrGranule(tg0);
  const summary = `${g === null ? "reserved granule" : `${g / 1024}K granule`}, ${64 - t0sz}-bit IPA, start level ${start ?? "reserved"}, PS ${paSizeWords(fieldNum(value, VTCR.PS)).bits ?? "?"}-bit output${ds ? ", DS (FEAT_LPA2)" : ""}${fieldNum(value, VTCR.VS) ? ", 16-bit VMID" : ", 8-bit VMID"}`;
  return { register: "VTCR_EL2", value: hex(value), width: 64, summary, fields, notes: [], problems };
}
