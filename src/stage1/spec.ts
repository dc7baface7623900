/**
 * What the guest builder (builder.ts) is asked to build: the guest's
 * stage-1 registers and the mappings its tables hold. A scenario's `guest`
 * section (src/scenario/guest.ts parses it) is one of these; the builder
 * does not care where it came from.
 */

import type { GuestConfig } from "./config.js";

/** One stage-1 mapping the builder writes. */
export interface GuestMapping {
  /** Where the mapping was given (a JSON path), for messages. */
  path: string;
  /** The first VA (64 bits: bits 63:55 select the TTBR region). */
  va: bigint;
  /** Bytes mapped, a multiple of the region's granule. */
  size: number;
  /** The IPA the first VA maps to. */
  ipa: number;
  /** AttrIndx[2:0]: which MAIR_EL1 Attr<n> byte gives the memory type. */
  attrIndx: number;
  /** AP[2:1]. */
  ap: number;
  /** SH[1:0]. */
  sh: number;
  /** The Access flag of the leaves. */
  af: boolean;
  /** PXN of the leaves. */
  pxn: boolean;
  /** UXN of the leaves. */
  uxn: boolean;
  /** nG of the leaves. */
  ng: boolean;
  /** Leaf level to use, or -1: the largest the alignment allows. */
  level: number;
}

/** The guest's stage-1 setup: registers, where its table pages go, and its mappings. */
export interface GuestSpec {
  /** The registers; ttbr0/ttbr1 are 0 where not given (the builder fills them). */
  config: GuestConfig;
  /** TTBR0_EL1 was given (the builder then places no root table for it). */
  ttbr0Given: boolean;
  /** TTBR1_EL1 was given. */
  ttbr1Given: boolean;
  /** The IPAs the builder puts table pages at, or null when there are no mappings. */
  pool: { ipa: number; size: number } | null;
  /** The mappings, in order. */
  mappings: GuestMapping[];
}
