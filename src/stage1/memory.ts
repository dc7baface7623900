/**
 * Guest physical memory, sparse: only the pages something was written to
 * exist (in practice the pages that hold the guest's stage-1 tables).
 * Keyed by 4K physical frame whatever the granules, so that a stage-1 table
 * page of 16K or 64K may sit on stage-2 pages of any size, scattered or not:
 * the walk reads each descriptor at the PA stage 2 gives for its own IPA.
 * Memory nobody wrote reads as zero (an invalid descriptor).
 *
 * It is src/pgtable/physmem.ts's PhysMemory, the memory every walk reads,
 * in its guest-builder form (not an image: no external aborts). Reads and
 * writes are of naturally aligned 64-bit little-endian words, as 32-bit
 * halves (SCTLR_EL1.EE = 0: no big-endian walks). No allocation on a read.
 */

import { PhysMemory } from "../pgtable/physmem.js";

/** The guest's physical memory as the guest builder writes it: sparse 4K frames of 64-bit words. */
export class GuestMemory extends PhysMemory {
  constructor() {
    super(false);
  }
}

export { PhysMemory };
