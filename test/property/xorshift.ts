// The property tests' random source: Marsaglia's xorshift64 (13, 7, 17), the
// generator sol.c uses too, from a fixed seed so that every run of `npm test`
// draws the same cases. One definition for every property test that takes a
// BigInt seed (test/property/seed.ts gives the suite's seed).
const M64 = (1n << 64n) - 1n;

/** A deterministic stream from `seed`: `next()` in [0, 1) (52 random bits), `below(n)` an integer in [0, n), `pick` an element, `chance(p)` true with probability p. */
export interface Xorshift {
  next(): number;
  below(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function xorshift64(seed: bigint): Xorshift {
  let x = seed;
  const next = (): number => {
    x ^= (x << 13n) & M64;
    x ^= x >> 7n;
    x ^= (x << 17n) & M64;
    return Number(x & 0xfffffffffffffn) / 2 ** 52;
  };
  return { next, below: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)], chance: (p) => next() < p };
}
