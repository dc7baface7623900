/**
 * The physical-address-size encoding shared by ID_AA64MMFR0_EL1.PARange,
 * VTCR_EL2.PS, TCR_EL1.IPS and TCR_EL2.PS (Arm ARM: 0b000 32 bits ... 0b110
 * 52 bits with FEAT_LPA / FEAT_LPA2; 0b111 56 bits with FEAT_D128).
 */

/** Bits of PA (or IPA) for encodings 0..6. */
export const PARANGE_BITS = [32, 36, 40, 42, 44, 48, 52] as const;

/** Words for an encoding: "40 bits (1 TB)", or reserved. */
export function paSizeWords(enc: number): { bits: number | null; meaning: string; problem?: string } {
  const bits = (PARANGE_BITS as readonly number[])[enc];
  if (bits !== undefined) {
    const tb = 2 ** (bits - 40);
    const size = bits >= 40 ? `${tb} TB` : `${2 ** (bits - 30)} GB`;
    return { bits, meaning: `0b${enc.toString(2).padStart(3, "0")}: ${bits} bits (${size})${bits === 52 ? ", FEAT_LPA / FEAT_LPA2" : ""}` };
  }
  if (enc === 7) return { bits: null, meaning: "0b111: 56 bits (FEAT_D128)" };
  return { bits: null, meaning: `${enc}: reserved`, problem: `${enc} is not a PA size encoding` };
}
