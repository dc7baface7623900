/**
 * Guest physical memory, sparse: only the pages something was written to
 * exist (in practice the pages that hold the guest's stage-1 tables).
 * Keyed by 4K physical frame whatever the granules, so that a stage-1 table
 * page of 16K or 64K may sit on stage-2 pages of any size, scattered or not:
 * the walk reads each descriptor at the PA stage 2 gives for its own IPA.
 * Memory nobody wrote reads as zero (an invalid descriptor).
 *
 * Reads and writes are of naturally aligned 64-bit little-endian words, as
 * 32-bit halves (SCTLR_EL1.EE = 0: no big-endian walks). No allocation on a
 * read.
 */

import { InputError, hex } from "../pgtable/u64.js";

const FRAME = 4096;
const WORDS = FRAME / 4;

/** The guest's physical memory as the guest builder writes it: sparse 4K frames of 64-bit words. */
export class GuestMemory {
  private readonly frames = new Map<number, Uint32Array>();
  /** @internal The last read64(): bits 31:0 and 63:32. */
  lo = 0;
  /** @internal */
  hi = 0;

  /** @internal Read the 64-bit word at `pa` (8-byte aligned) into lo/hi. */
  read64(pa: number): void {
    const f = this.frames.get(Math.floor(pa / FRAME));
    if (f === undefined) {
      this.lo = 0;
      this.hi = 0;
      return;
    }
    const w = ((pa >>> 0) & (FRAME - 1)) >>> 2;
    this.lo = f[w];
    this.hi = f[w + 1];
  }

  /** @internal Write the 64-bit word at `pa` (8-byte aligned). */
  write64(pa: number, lo: number, hi: number): void {
    if (!(pa >= 0 && pa < 2 ** 52) || Math.floor(pa / 8) * 8 !== pa) throw new InputError(`guest memory: ${hex(pa)} is not an 8-byte aligned PA below 2^52`);
    const key = Math.floor(pa / FRAME);
    let f = this.frames.get(key);
    if (f === undefined) {
      f = new Uint32Array(WORDS);
      this.frames.set(key, f);
    }
    const w = ((pa >>> 0) & (FRAME - 1)) >>> 2;
    f[w] = lo >>> 0;
    f[w + 1] = hi >>> 0;
  }

  /** The 64-bit word at `pa`, as a BigInt (for reports). */
  peek(pa: number): bigint {
    this.read64(pa);
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /** How many 4K frames hold data. */
  get frameCount(): number {
    return this.frames.size;
  }
}
