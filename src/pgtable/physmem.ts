/**
 * Physical memory as the table walks read it: sparse 4 KiB frames of 64-bit
 * little-endian words, keyed by PA / 4096 whatever the granules (a 16K or 64K
 * table page is 4 or 16 frames; stage 1 and stage 2 may use different
 * granules over the same memory).
 *
 * Two kinds, one class:
 *   - the guest's memory as the guest builder writes it (src/stage1,
 *     GuestMemory): memory nobody wrote reads as zero, an invalid descriptor;
 *   - a memory image (a dump, or what `s2pt image` writes): only the bytes
 *     the image holds exist (`image` true). A walk that reads a descriptor
 *     outside them gets a synchronous External abort on the walk, as the
 *     hardware does when its read of a translation table returns an error
 *     (ASL AArch64.S1Walk / AArch64.S2Walk -> FetchDescriptor ->
 *     HandleExternalTTWAbort: Fault_SyncExternalOnWalk at the level of the
 *     descriptor read).
 *
 * Reads and writes are of naturally aligned 64-bit words, as two 32-bit
 * halves (SCTLR_ELx.EE = 0 and VTCR/TCR walks little-endian: no big-endian
 * walks). Frames are Int32Array: the stage-2 walker reads table pages as
 * typed arrays of int32 halves (src/pgtable/walkgen.ts's memory seam), and
 * pageWords() hands it a view that shares the frames' bytes, so a hardware
 * update the stage-2 walk makes is what a later read sees. No allocation on
 * a read.
 */

import { InputError, hex } from "./u64.js";
import { checkBool } from "./args.js";

/** Bytes per frame: the smallest granule. */
export const FRAME_BYTES = 4096;
const FRAME_WORDS = FRAME_BYTES / 4;
/** Most frames a memory holds: 2^24 (64 GiB), far beyond any input (the CLI reads at most 64 MiB a run). */
export const MAX_FRAMES = 1 << 24;

/** Sparse physical memory: 4K frames of 64-bit words (see the header). */
export class PhysMemory {
  private readonly frames = new Map<number, Int32Array>();
  /** A memory image: a read outside the frames it holds is an external abort, not zero. */
  readonly image: boolean;
  /** @internal The last read64(): bits 31:0 and 63:32, unsigned. */
  lo = 0;
  /** @internal */
  hi = 0;

  /** A sparse memory; `image`: a memory image, where bytes it does not hold are an external abort to a walk. */
  constructor(image = false) {
    if (typeof image !== "boolean") checkBool(image, "image");
    this.image = image;
  }

  /** @internal Read the 64-bit word at `pa` (8-byte aligned) into lo/hi; false when no frame holds it (lo = hi = 0). */
  read64(pa: number): boolean {
    const f = this.frames.get(Math.floor(pa / FRAME_BYTES));
    if (f === undefined) {
      this.lo = 0;
      this.hi = 0;
      return false;
    }
    const w = ((pa >>> 0) & (FRAME_BYTES - 1)) >>> 2;
    this.lo = f[w] >>> 0;
    this.hi = f[w + 1] >>> 0;
    return true;
  }

  /** @internal Write the 64-bit word at `pa` (8-byte aligned), creating its frame (zeroed) if need be. */
  write64(pa: number, lo: number, hi: number): void {
    if (!(pa >= 0 && pa < 2 ** 52) || Math.floor(pa / 8) * 8 !== pa) throw new InputError(`physical memory: ${hex(pa)} is not an 8-byte aligned PA below 2^52`);
    const key = Math.floor(pa / FRAME_BYTES);
    let f = this.frames.get(key);
    if (f === undefined) {
      if (this.frames.size >= MAX_FRAMES) throw new InputError(`physical memory: more than ${MAX_FRAMES} 4K frames`);
      f = new Int32Array(FRAME_WORDS);
      this.frames.set(key, f);
    }
    const w = ((pa >>> 0) & (FRAME_BYTES - 1)) >>> 2;
    f[w] = lo | 0;
    f[w + 1] = hi | 0;
  }

  /** The 64-bit word at `pa`, as a BigInt (0 where no frame holds it). */
  peek(pa: number): bigint {
    this.read64(pa);
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** Whether a frame holds the byte at `pa`. */
  holds(pa: number): boolean {
    return this.frames.has(Math.floor(pa / FRAME_BYTES));
  }

  /** How many 4K frames hold data. */
  get frameCount(): number {
    return this.frames.size;
  }

  /** The frames' PAs, ascending. */
  framePas(): number[] {
    return [...this.frames.keys()].sort((a, b) => a - b).map((k) => k * FRAME_BYTES);
  }

  /**
   * @internal Add the words of `words` (Int32Array, a whole number of frames)
   * at the frame-aligned `pa`, sharing its buffer (no copy). A frame already
   * held is refused.
   */
  addFrames(pa: number, words: Int32Array): void {
    const n = words.length / FRAME_WORDS;
    if (!(pa >= 0 && pa % FRAME_BYTES === 0 && Number.isInteger(n) && pa + n * FRAME_BYTES <= 2 ** 52))
      throw new InputError(`physical memory: ${hex(pa)} + ${words.length * 4} bytes is not whole 4K frames below 2^52`);
    if (this.frames.size + n > MAX_FRAMES) throw new InputError(`physical memory: more than ${MAX_FRAMES} 4K frames`);
    const key0 = pa / FRAME_BYTES;
    for (let i = 0; i < n; i++)
      if (this.frames.has(key0 + i)) throw new InputError(`physical memory: the 4K frame at ${hex(pa + i * FRAME_BYTES)} is given twice`);
    for (let i = 0; i < n; i++) this.frames.set(key0 + i, words.subarray(i * FRAME_WORDS, (i + 1) * FRAME_WORDS));
  }

  /**
   * @internal The words of the `granule`-sized page at the granule-aligned
   * `pa` as one Int32Array that shares the frames' bytes, or null when a
   * frame of it is missing. Frames that are not already consecutive in one
   * buffer are moved into a new page array (the frames then view it), so
   * every later read and write through either sees the same words.
   */
  pageWords(pa: number, granule: number): Int32Array | null {
    const n = granule / FRAME_BYTES;
    const key0 = Math.floor(pa / FRAME_BYTES);
    const first = this.frames.get(key0);
    if (first === undefined) return null;
    if (n === 1) return first;
    let together = true;
    for (let i = 1; i < n; i++) {
      const f = this.frames.get(key0 + i);
      if (f === undefined) return null;
      if (f.buffer !== first.buffer || f.byteOffset !== first.byteOffset + i * FRAME_BYTES) together = false;
    }
    if (together && first.byteOffset + granule <= first.buffer.byteLength) return new Int32Array(first.buffer, first.byteOffset, granule / 4);
    const page = new Int32Array(granule / 4);
    for (let i = 0; i < n; i++) {
      const f = this.frames.get(key0 + i) as Int32Array;
      page.set(f, i * FRAME_WORDS);
      this.frames.set(key0 + i, page.subarray(i * FRAME_WORDS, (i + 1) * FRAME_WORDS));
    }
    return page;
  }
}
