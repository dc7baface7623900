/**
 * The fault status code of an abort: ESR_ELx.ISS.DFSC / IFSC [5:0] (and
 * PAR_EL1.FST), one table for the encoder (ASL EncodeLDFSC, used by the
 * walker) and the decoder (`s2pt reg esr`).
 *
 * From the Arm ARM's ESR_ELx DFSC/IFSC encodings and the ASL EncodeLDFSC
 * (rems-project/sail-arm arm-v9.4-a v8_base.sail):
 *
 *   code        fault                                                        level
 *   0b0000LL    Address size fault                                           0..3
 *   0b101001    Address size fault                                           -1 (FEAT_LPA2)
 *   0b101100    Address size fault                                           -2 (FEAT_D128)
 *   0b0001LL    Translation fault                                            0..3
 *   0b101011    Translation fault                                            -1 (FEAT_LPA2)
 *   0b101010    Translation fault                                            -2 (FEAT_D128)
 *   0b0010LL    Access flag fault                                            0..3 (0: FEAT_LPA2)
 *   0b0011LL    Permission fault                                             0..3 (0: FEAT_LPA2)
 *   0b010000    Synchronous External abort, not on a table walk or hardware update
 *   0b010001    Synchronous Tag Check Fault (FEAT_MTE2; data aborts)
 *   0b010010    Synchronous External abort on a table walk or hardware update   -2 (FEAT_D128)
 *   0b010011    Synchronous External abort on a table walk or hardware update   -1 (FEAT_LPA2)
 *   0b0101LL    Synchronous External abort on a table walk or hardware update   0..3
 *   0b011000    Synchronous parity or ECC error, not on a table walk (without FEAT_RAS)
 *   0b011011    Synchronous parity or ECC error on a table walk                 -1 (without FEAT_RAS)
 *   0b0111LL    Synchronous parity or ECC error on a table walk                 0..3 (without FEAT_RAS)
 *   0b100001    Alignment fault (data aborts)
 *   0b100010    Granule Protection Fault on a table walk or hardware update     -2 (FEAT_RME, FEAT_D128)
 *   0b100011    Granule Protection Fault on a table walk or hardware update     -1 (FEAT_RME, FEAT_LPA2)
 *   0b1001LL    Granule Protection Fault on a table walk or hardware update     0..3 (FEAT_RME)
 *   0b101000    Granule Protection Fault, not on a table walk (FEAT_RME)
 *   0b110000    TLB conflict abort
 *   0b110001    Unsupported atomic hardware update fault (FEAT_HAFDBS; data aborts)
 *   0b110100    IMPLEMENTATION DEFINED fault (Lockdown)
 *   0b110101    IMPLEMENTATION DEFINED fault (Unsupported Exclusive or Atomic access; data aborts)
 *   other       reserved
 *
 * The level -1 Address size code is 0b101001 (0x29). The 6.18-era kernel's
 * ESR_ELx_FSC_ADDRSZ_nL(-1) gives 0x25 instead, which is a Granule Protection
 * Fault at level 1: a kernel bug, fixed upstream by b877075d0baa ("arm64:
 * Correct value returned by ESR_ELx_FSC_ADDRSZ_nL()"), after 6.18.25
 * (kernel-reference.md section 7).
 */

import { checkInt } from "../pgtable/args.js";

/** What a fault status code reports. */
export type FscKind =
  | "address_size"
  | "translation"
  | "access_flag"
  | "permission"
  | "sea"
  | "sea_ttw"
  | "tag_check"
  | "ecc"
  | "ecc_ttw"
  | "alignment"
  | "gpf_ttw"
  | "gpf"
  | "tlb_conflict"
  | "atomic_hw_update"
  | "impdef_lockdown"
  | "impdef_exclusive";

/** One fault status code: its kind, level and name. */
export interface FscInfo {
  code: number;
  kind: FscKind;
  /** Table level for the codes that have one (-2..3), else null. */
  level: number | null;
  /** The Arm ARM's words, with the level. */
  title: string;
  /** The feature that defines the code. */
  feature?: string;
  /** Only a Data Abort reports this code (not an Instruction Abort). */
  dataOnly?: boolean;
}

const KIND_TITLES: Readonly<Record<FscKind, string>> = {
  address_size: "Address size fault",
  translation: "Translation fault",
  access_flag: "Access flag fault",
  permission: "Permission fault",
  sea: "Synchronous External abort, not on a translation table walk or hardware update of a translation table",
  sea_ttw: "Synchronous External abort on a translation table walk or hardware update of a translation table",
  tag_check: "Synchronous Tag Check Fault",
  ecc: "Synchronous parity or ECC error on a memory access, not on a translation table walk",
  ecc_ttw: "Synchronous parity or ECC error on a memory access on a translation table walk or hardware update",
  alignment: "Alignment fault",
  gpf_ttw: "Granule Protection Fault on a translation table walk or hardware update of a translation table",
  gpf: "Granule Protection Fault, not on a translation table walk or hardware update",
  tlb_conflict: "TLB conflict abort",
  atomic_hw_update: "Unsupported atomic hardware update fault",
  impdef_lockdown: "IMPLEMENTATION DEFINED fault (Lockdown)",
  impdef_exclusive: "IMPLEMENTATION DEFINED fault (Unsupported Exclusive or Atomic access)",
};

/**
 * The codes of the four stage-2 walk faults (the walker's encoder and the
 * decoder both use these): levels 0..3 are BASE | level; -1 and -2 have
 * their own codes.
 */
export const FSC_ADDRSZ_L0 = 0b000000;
export const FSC_ADDRSZ_LM1 = 0b101001;
export const FSC_ADDRSZ_LM2 = 0b101100;
export const FSC_TRANS_L0 = 0b000100;
export const FSC_TRANS_LM1 = 0b101011;
export const FSC_TRANS_LM2 = 0b101010;
export const FSC_ACCESS_L0 = 0b001000;
export const FSC_PERM_L0 = 0b001100;
/** ESR_ELx.xFSC[1:0] is the level for the BASE | level codes (ESR_ELx_FSC_LEVEL). */
export const FSC_LEVEL_MASK = 0b11;

/**
 * ASL EncodeLDFSC(statuscode, level) for every kind that carries a level:
 * the code, or -1 where the ASL has no encoding (Unreachable).
 */
export function ldfscCode(kind: FscKind, level: number): number {
  if ((level | 0) !== level || level < -2 || level > 3) return -1;
  switch (kind) {
    case "address_size":
      return level >= 0 ? FSC_ADDRSZ_L0 | level : level === -1 ? FSC_ADDRSZ_LM1 : FSC_ADDRSZ_LM2;
    case "translation":
      return level >= 0 ? FSC_TRANS_L0 | level : level === -1 ? FSC_TRANS_LM1 : FSC_TRANS_LM2;
    case "access_flag":
      return level >= 0 ? FSC_ACCESS_L0 | level : -1;
    case "permission":
      return level >= 0 ? FSC_PERM_L0 | level : -1;
    case "sea_ttw":
      return level >= 0 ? 0b010100 | level : level === -1 ? 0b010011 : 0b010010;
    case "ecc_ttw":
      return level >= 0 ? 0b011100 | level : level === -1 ? 0b011011 : -1;
    case "gpf_ttw":
      return level >= 0 ? 0b100100 | level : level === -1 ? 0b100011 : 0b100010;
    default:
      return -1;
  }
}

const LEVELLED: ReadonlyArray<FscKind> = ["address_size", "translation", "access_flag", "permission", "sea_ttw", "ecc_ttw", "gpf_ttw"];

function levelFeature(kind: FscKind, level: number): string | undefined {
  const base = kind === "gpf_ttw" ? "FEAT_RME" : kind === "ecc_ttw" ? "without FEAT_RAS" : undefined;
  const lv =
    level === -2 ? "FEAT_D128" : level === -1 ? "FEAT_LPA2" : level === 0 && (kind === "access_flag" || kind === "permission") ? "FEAT_LPA2" : undefined;
  if (base && lv) return `${base}, ${lv}`;
  return base ?? lv;
}

/** Every defined code, ascending. */
export const FSC_TABLE: readonly FscInfo[] = (() => {
  const out: FscInfo[] = [];
  for (const kind of LEVELLED) {
    for (let level = -2; level <= 3; level++) {
      const code = ldfscCode(kind, level);
      if (code < 0) continue;
      const feature = levelFeature(kind, level);
      out.push({ code, kind, level, title: `${KIND_TITLES[kind]}, level ${level}`, ...(feature ? { feature } : {}) });
    }
  }
  const fixed: Array<[number, FscKind, string | undefined, boolean]> = [
    [0b010000, "sea", undefined, false],
    [0b010001, "tag_check", "FEAT_MTE2", true],
    [0b011000, "ecc", "without FEAT_RAS", false],
    [0b100001, "alignment", undefined, true],
    [0b101000, "gpf", "FEAT_RME", false],
    [0b110000, "tlb_conflict", undefined, false],
    [0b110001, "atomic_hw_update", "FEAT_HAFDBS", true],
    [0b110100, "impdef_lockdown", undefined, false],
    [0b110101, "impdef_exclusive", undefined, true],
  ];
  for (const [code, kind, feature, dataOnly] of fixed) {
    out.push({ code, kind, level: null, title: KIND_TITLES[kind], ...(feature ? { feature } : {}), ...(dataOnly ? { dataOnly } : {}) });
  }
  return out.sort((a, b) => a.code - b.code);
})();

const BY_CODE: ReadonlyArray<FscInfo | undefined> = (() => {
  const t: Array<FscInfo | undefined> = Array.from({ length: 64 }, () => undefined);
  for (const i of FSC_TABLE) t[i.code] = i;
  return t;
})();

/** The code's meaning, or null for a reserved code. */
export function fscInfo(code: number): FscInfo | null {
  checkInt(code, "code", 0, 0x3f, "a fault status code (6 bits)");
  return BY_CODE[code & 0x3f] ?? null;
}

/** Words for a code as a DFSC (data) or IFSC (instruction) value; reserved ones say so. */
export function fscWords(code: number, data: boolean): { meaning: string; problem?: string } {
  const i = fscInfo(code);
  const lit = `0b${(code & 0x3f).toString(2).padStart(6, "0")}`;
  if (!i) return { meaning: `${lit}: reserved`, problem: `fault status code ${lit} is reserved` };
  if (i.dataOnly && !data) return { meaning: `${lit}: ${i.title} (defined for a Data Abort only)`, problem: `${lit} is not an IFSC encoding` };
  let m = `${lit}: ${i.title}${i.feature ? ` (${i.feature})` : ""}`;
  if (code === 0b100101)
    m +=
      "; note: the 6.18-era kernel's ESR_ELx_FSC_ADDRSZ_nL(-1) wrongly gives this code for an Address size fault at level -1 (architecturally 0b101001; fixed upstream by b877075d0baa)";
  return { meaning: m };
}
