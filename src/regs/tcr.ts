/**
 * TCR_EL1, the Translation Control Register of the EL1&0 regime: the
 * guest's stage-1 walk (Arm ARM D24.2, TCR_EL1; Linux arch/arm64/tools/sysreg).
 *
 *   63:62 RES0  61 MTX1  60 MTX0  59 DS  58 TCMA1  57 TCMA0  56 E0PD1  55 E0PD0
 *   54 NFD1  53 NFD0  52 TBID1  51 TBID0  50:47 HWU162..HWU159  46:43 HWU062..HWU059
 *   42 HPD1  41 HPD0  40 HD  39 HA  38 TBI1  37 TBI0  36 AS  35 RES0  34:32 IPS
 *   31:30 TG1  29:28 SH1  27:26 ORGN1  25:24 IRGN1  23 EPD1  22 A1  21:16 T1SZ
 *   15:14 TG0  13:12 SH0  11:10 ORGN0  9:8 IRGN0  7 EPD0  6 RES0  5:0 T0SZ
 *
 * src/stage1/config.ts reads and writes the fields s2pt models through these
 * definitions (decodeTcr, encodeTcr).
 */

import { hex } from "../pgtable/u64.js";
import { bit, checkLayout, decodeFields, field, fieldNum, res0, type DecodedRegister, type Layout } from "./field.js";
import { paSizeWords } from "./pa-size.js";
import { WALK_CACHEABILITY, WALK_SHAREABILITY } from "./walk-attrs.js";
import { checkBigU64 } from "../pgtable/args.js";

/** TCR_EL1's fields. */
export const TCR = {
  RES0_63_62: res0(63, 62),
  MTX1: bit("MTX1", 61, "Extended memory tag checking for TTBR1 addresses (FEAT_MTE_NO_ADDRESS_TAGS / FEAT_MTE_CANONICAL_TAGS)", {
    feature: "FEAT_MTE_NO_ADDRESS_TAGS",
  }),
  MTX0: bit("MTX0", 60, "Extended memory tag checking for TTBR0 addresses", { feature: "FEAT_MTE_NO_ADDRESS_TAGS" }),
  DS: bit("DS", 59, "52-bit VA and OA with 4K and 16K granules: the FEAT_LPA2 descriptor format", { feature: "FEAT_LPA2" }),
  TCMA1: bit("TCMA1", 58, "Unchecked accesses for TTBR1 addresses with tag 0b1111 (FEAT_MTE2)", { feature: "FEAT_MTE2" }),
  TCMA0: bit("TCMA0", 57, "Unchecked accesses for TTBR0 addresses with tag 0b0000 (FEAT_MTE2)", { feature: "FEAT_MTE2" }),
  E0PD1: bit("E0PD1", 56, "EL0 accesses to TTBR1 addresses fault (FEAT_E0PD)", { feature: "FEAT_E0PD" }),
  E0PD0: bit("E0PD0", 55, "EL0 accesses to TTBR0 addresses fault (FEAT_E0PD)", { feature: "FEAT_E0PD" }),
  NFD1: bit("NFD1", 54, "Non-fault translation table walk disable for TTBR1 (FEAT_SVE)", { feature: "FEAT_SVE" }),
  NFD0: bit("NFD0", 53, "Non-fault translation table walk disable for TTBR0 (FEAT_SVE)", { feature: "FEAT_SVE" }),
  TBID1: bit("TBID1", 52, "top byte ignored for TTBR1 data accesses only (FEAT_PAuth)", { feature: "FEAT_PAuth" }),
  TBID0: bit("TBID0", 51, "top byte ignored for TTBR0 data accesses only (FEAT_PAuth)", { feature: "FEAT_PAuth" }),
  HWU1: field("HWU162..HWU159", 50, 47, "hardware use of TTBR1 descriptor bits 62:59 (FEAT_HPDS2)", { feature: "FEAT_HPDS2" }),
  HWU0: field("HWU062..HWU059", 46, 43, "hardware use of TTBR0 descriptor bits 62:59 (FEAT_HPDS2)", { feature: "FEAT_HPDS2" }),
  HPD1: bit("HPD1", 42, "Hierarchical Permission Disable for TTBR1 (FEAT_HPDS)", { feature: "FEAT_HPDS" }),
  HPD0: bit("HPD0", 41, "Hierarchical Permission Disable for TTBR0 (FEAT_HPDS)", { feature: "FEAT_HPDS" }),
  HD: bit("HD", 40, "hardware management of dirty state (FEAT_HAFDBS)", { feature: "FEAT_HAFDBS" }),
  HA: bit("HA", 39, "hardware Access flag update (FEAT_HAFDBS)", { feature: "FEAT_HAFDBS" }),
  TBI1: bit("TBI1", 38, "Top Byte Ignored for TTBR1 addresses"),
  TBI0: bit("TBI0", 37, "Top Byte Ignored for TTBR0 addresses"),
  AS: bit("AS", 36, "ASID size", { values: { 0: "8-bit ASID", 1: "16-bit ASID" } }),
  RES0_35: res0(35),
  IPS: field("IPS", 34, 32, "Intermediate Physical address Size: the stage-1 output size"),
  TG1: field("TG1", 31, 30, "granule size for TTBR1", { values: { 0: "reserved", 1: "16K", 2: "4K", 3: "64K" } }),
  SH1: field("SH1", 29, 28, "shareability of TTBR1 table walks", { values: WALK_SHAREABILITY }),
  ORGN1: field("ORGN1", 27, 26, "outer cacheability of TTBR1 table walks", { values: WALK_CACHEABILITY }),
  IRGN1: field("IRGN1", 25, 24, "inner cacheability of TTBR1 table walks", { values: WALK_CACHEABILITY }),
  EPD1: bit("EPD1", 23, "1: a TTBR1 walk takes a Translation fault (level 0)"),
  A1: bit("A1", 22, "which TTBR holds the ASID", { values: { 0: "TTBR0_EL1.ASID", 1: "TTBR1_EL1.ASID" } }),
  T1SZ: field("T1SZ", 21, 16, "the TTBR1 region is 2^(64 - T1SZ) bytes"),
  TG0: field("TG0", 15, 14, "granule size for TTBR0", { values: { 0: "4K", 1: "64K", 2: "16K", 3: "reserved" } }),
  SH0: field("SH0", 13, 12, "shareability of TTBR0 table walks", { values: WALK_SHAREABILITY }),
  ORGN0: field("ORGN0", 11, 10, "outer cacheability of TTBR0 table walks", { values: WALK_CACHEABILITY }),
  IRGN0: field("IRGN0", 9, 8, "inner cacheability of TTBR0 table walks", { values: WALK_CACHEABILITY }),
  EPD0: bit("EPD0", 7, "1: a TTBR0 walk takes a Translation fault (level 0)"),
  RES0_6: res0(6),
  T0SZ: field("T0SZ", 5, 0, "the TTBR0 region is 2^(64 - T0SZ) bytes"),
} as const;

/** TCR_EL1, every bit. */
export const TCR_LAYOUT: Layout = {
  register: "TCR_EL1",
  width: 64,
  fields: [
    TCR.RES0_63_62,
    TCR.MTX1,
    TCR.MTX0,
    TCR.DS,
    TCR.TCMA1,
    TCR.TCMA0,
    TCR.E0PD1,
    TCR.E0PD0,
    TCR.NFD1,
    TCR.NFD0,
    TCR.TBID1,
    TCR.TBID0,
    TCR.HWU1,
    TCR.HWU0,
    TCR.HPD1,
    TCR.HPD0,
    TCR.HD,
    TCR.HA,
    TCR.TBI1,
    TCR.TBI0,
    TCR.AS,
    TCR.RES0_35,
    TCR.IPS,
    TCR.TG1,
    TCR.SH1,
    TCR.ORGN1,
    TCR.IRGN1,
    TCR.EPD1,
    TCR.A1,
    TCR.T1SZ,
    TCR.TG0,
    TCR.SH0,
    TCR.ORGN0,
    TCR.IRGN0,
    TCR.EPD0,
    TCR.RES0_6,
    TCR.T0SZ,
  ],
};
checkLayout(TCR_LAYOUT);

/** TG0 and TG1 encodings of each granule (they differ: TG1 0b10 is 4K). */
export const TCR_TG0 = { 4096: 0, 65536: 1, 16384: 2 } as const;
export const TCR_TG1 = { 16384: 1, 4096: 2, 65536: 3 } as const;

/** TCR_EL1 decoded field by field (the register; s2pt/stage1's decodeTcr reads it into TcrFields). */
export function decodeTcrRegister(value: bigint): DecodedRegister {
  checkBigU64(value, "value");
  const { fields, problems } = decodeFields(TCR_LAYOUT, value, (f, v) => {
    const n = Number(v);
    if (f === TCR.T0SZ || f === TCR.T1SZ) return { meaning: `${n}: ${64 - n}-bit VA region` };
    if (f === TCR.IPS) return paSizeWords(n);
    if ((f === TCR.TG0 && n === 3) || (f === TCR.TG1 && n === 0))
      return { meaning: `0b${n.toString(2).padStart(2, "0")} reserved`, problem: `${f.name} = 0b${n.toString(2).padStart(2, "0")} is reserved` };
    if ((f === TCR.SH0 || f === TCR.SH1) && n === 1) return { meaning: "0b01 reserved", problem: `${f.name} = 0b01 is reserved` };
    if (f === TCR.HA) return { meaning: n ? "1: the hardware sets AF in stage-1 descriptors" : "0: AF = 0 takes an Access flag fault to EL1" };
    if (f === TCR.HD) return { meaning: n ? "1: with HA, hardware dirty state through DBM" : "0" };
    return undefined;
  });
  const t0 = fieldNum(value, TCR.T0SZ);
  const t1 = fieldNum(value, TCR.T1SZ);
  const g0 = TCR.TG0.values?.[fieldNum(value, TCR.TG0)];
  const g1 = TCR.TG1.values?.[fieldNum(value, TCR.TG1)];
  const ips = paSizeWords(fieldNum(value, TCR.IPS)).bits;
  return {
    register: "TCR_EL1",
    value: hex(value),
    width: 64,
    summary: `TTBR0: ${64 - t0}-bit VA, ${g0}${fieldNum(value, TCR.EPD0) ? " (walks disabled)" : ""}; TTBR1: ${64 - t1}-bit VA, ${g1}${fieldNum(value, TCR.EPD1) ? " (walks disabled)" : ""}; IPS ${ips ?? "?"} bits`,
    fields,
    notes: [],
    problems,
  };
}
