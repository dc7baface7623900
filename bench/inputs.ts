/**
 * The random inputs of the benchmarks, generated exactly as ../shared/bench/sol.c
 * generates them (gen_inputs), so that s2pt and the C baseline do the same work.
 *
 *   xorshift64 (Marsaglia, shifts 13, 7, 17), state advanced before each use:
 *     x ^= x << 13; x ^= x >> 7; x ^= x << 17          (64-bit, unsigned)
 *   walk_random_1m     seed 0x2545F4914F6CDD1D; walk k: page i = x & 262143,
 *                      IPA 0x40000000 + i * 4K (repeats allowed)
 *   map4k_scatter_64k  seed 0x9E3779B97F4A7C15; page p = x & (2^27 - 1), IPA p * 4K;
 *                      a page already drawn is skipped, until 65,536 distinct
 *                      pages are in hand, in draw order
 *
 * The generator runs at set-up, never timed. The 64-bit state is kept as two
 * unsigned 32-bit halves (exact, and far cheaper than BigInt for the 1M+ steps);
 * test/unit/bench-inputs.test.ts checks it against a BigInt xorshift64 and
 * against the fingerprints sol.c prints in its `config.inputs`.
 */

/** The fingerprints sol.c prints in `config.inputs` (../shared/bench/README.md). */
export const SOL_FINGERPRINTS = {
  walkIpaSum: 0x5b8e286771000n,
  scatterIpaSum: 0x40265592095000n,
  scatterTables: 58448,
  scatterFirstIpas: [0x3f34dad000, 0x26e6076000, 0x5906136000],
} as const;

export const PAGE_SIZE = 4096;
/** 1 GiB of 4K pages (sol.c N4K). */
export const N4K = 262144;
/** map4k_1g / walk / wrprotect / unmap: IPA and PA of page 0 (BASE_IPA, BASE_PA). */
export const BASE_IPA = 0x40000000;
export const BASE_PA = 0x80000000;
export const N_WALK = 1_000_000;
export const N_SCAT = 65536;
/** map4k_scatter_64k draws pages in [0, 512 GiB): 2^27 4K pages (SCAT_PAGES). */
export const SCAT_PAGES = 2 ** 27;
export const WALK_SEED = 0x2545f4914f6cdd1dn;
export const SCATTER_SEED = 0x9e3779b97f4a7c15n;

/** Marsaglia xorshift64 (13, 7, 17) over two unsigned 32-bit halves. */
export class XorShift64 {
  hi: number;
  lo: number;

  constructor(seed: bigint) {
    this.hi = Number((seed >> 32n) & 0xffffffffn);
    this.lo = Number(seed & 0xffffffffn);
  }

  /** Advance the state; the low half of the new state (callers mask it). */
  next(): number {
    let hi = this.hi;
    let lo = this.lo;
    // x ^= x << 13
    hi = (hi ^ ((hi << 13) | (lo >>> 19))) >>> 0;
    lo = (lo ^ (lo << 13)) >>> 0;
    // x ^= x >> 7
    lo = (lo ^ ((lo >>> 7) | (hi << 25))) >>> 0;
    hi = (hi ^ (hi >>> 7)) >>> 0;
    // x ^= x << 17
    hi = (hi ^ ((hi << 17) | (lo >>> 15))) >>> 0;
    lo = (lo ^ (lo << 17)) >>> 0;
    this.hi = hi;
    this.lo = lo;
    return lo;
  }

  /** The state as a BigInt (tests). */
  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }
}

export interface WalkInputs {
  /** The IPA of each walk, in order. */
  ipas: Float64Array;
  /** The page index i of each walk (IPA = BASE_IPA + i * 4K). */
  pages: Int32Array;
  /** Sum of all walk IPAs (sol.c walk_ipa_sum). */
  ipaSum: bigint;
}

/** walk_random_1m's IPAs (sol.c gen_inputs, first loop). */
export function walkInputs(n = N_WALK): WalkInputs {
  const rng = new XorShift64(WALK_SEED);
  const ipas = new Float64Array(n);
  const pages = new Int32Array(n);
  let sum = 0; // < 1M * 2^31 < 2^53: exact
  for (let k = 0; k < n; k++) {
    const i = rng.next() & (N4K - 1);
    pages[k] = i;
    ipas[k] = BASE_IPA + i * PAGE_SIZE;
    sum += ipas[k];
  }
  return { ipas, pages, ipaSum: BigInt(sum) };
}

export interface ScatterInputs {
  /** Distinct page-aligned IPAs in [0, 512 GiB), in draw order; the k-th maps PA BASE_PA + k * 4K. */
  ipas: Float64Array;
  /** Sum of all IPAs mod 2^64 (sol.c scat_ipa_sum). */
  ipaSum: bigint;
  /** Table pages the mapping needs besides the 2 root pages: distinct 1G regions + distinct 2M regions. */
  tables: number;
}

/** map4k_scatter_64k's IPAs (sol.c gen_inputs, second loop). */
export function scatterInputs(n = N_SCAT): ScatterInputs {
  const rng = new XorShift64(SCATTER_SEED);
  const seen = new Uint8Array(SCAT_PAGES / 8);
  const seen2m = new Uint8Array(SCAT_PAGES / 512 / 8);
  const seen1g = new Uint8Array(SCAT_PAGES / 262144 / 8);
  const ipas = new Float64Array(n);
  let pfnSum = 0; // < 65536 * 2^27 = 2^43: exact
  let tables = 0;
  for (let k = 0; k < n;) {
    const pfn = rng.next() & (SCAT_PAGES - 1);
    if (seen[pfn >>> 3] & (1 << (pfn & 7))) continue; // duplicate page: draw again
    seen[pfn >>> 3] |= 1 << (pfn & 7);
    const m = pfn >>> 9;
    const g = pfn >>> 18;
    if (!(seen2m[m >>> 3] & (1 << (m & 7)))) {
      seen2m[m >>> 3] |= 1 << (m & 7);
      tables++;
    }
    if (!(seen1g[g >>> 3] & (1 << (g & 7)))) {
      seen1g[g >>> 3] |= 1 << (g & 7);
      tables++;
    }
    ipas[k++] = pfn * PAGE_SIZE;
    pfnSum += pfn;
  }
  return { ipas, ipaSum: (BigInt(pfnSum) * BigInt(PAGE_SIZE)) & 0xffffffffffffffffn, tables };
}
