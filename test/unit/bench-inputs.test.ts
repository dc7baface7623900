// Source of truth: ../shared/bench/README.md ("Random inputs") and sol.c's
// gen_inputs(): the xorshift64 definition, the seeds, and the fingerprints sol
// prints in config.inputs (sum of walk IPAs 0x5b8e286771000, sum of scatter
// IPAs 0x40265592095000 mod 2^64, scatter table count 58448, first three
// scatter IPAs 0x3f34dad000, 0x26e6076000, 0x5906136000). No timing here: the
// benchmarks themselves never run in npm test.
import { describe, expect, it } from "vitest";
import { SOL_FINGERPRINTS, SCATTER_SEED, WALK_SEED, XorShift64, scatterInputs, walkInputs } from "../../bench/inputs.js";
import { walkChecksum } from "../../bench/workloads.js";
import { realTablePages } from "../../bench/scaling.js";
import { stage2Geometry } from "../../src/pgtable/geometry.js";

const M64 = (1n << 64n) - 1n;

/** xorshift64 exactly as sol.c writes it, in 64-bit BigInt arithmetic. */
function* xorshiftBig(seed: bigint): Generator<bigint> {
  let x = seed;
  for (;;) {
    x ^= (x << 13n) & M64;
    x ^= x >> 7n;
    x ^= (x << 17n) & M64;
    yield x;
  }
}

describe("bench inputs reproduce sol.c's", () => {
  it("the 32-bit-halves xorshift64 equals the 64-bit one, step for step", () => {
    for (const seed of [WALK_SEED, SCATTER_SEED, 1n, 0x8000000000000000n]) {
      const fast = new XorShift64(seed);
      const ref = xorshiftBig(seed);
      let bad = 0;
      for (let k = 0; k < 10_000; k++) {
        const want = ref.next().value as bigint;
        if (fast.next() !== Number(want & 0xffffffffn) || fast.value !== want) bad++;
      }
      expect(bad).toBe(0);
    }
  });

  it("walk_random_1m: 1,000,000 IPAs summing to sol's fingerprint, pages of [1 GiB, 2 GiB)", () => {
    const w = walkInputs();
    expect(w.ipas.length).toBe(1_000_000);
    expect(w.ipaSum).toBe(SOL_FINGERPRINTS.walkIpaSum);
    expect(w.ipaSum).toBe(0x5b8e286771000n);
    let bad = 0;
    for (let k = 0; k < w.ipas.length; k++) {
      const ipa = w.ipas[k];
      if (ipa % 4096 !== 0 || ipa < 0x40000000 || ipa >= 0x80000000 || ipa !== 0x40000000 + w.pages[k] * 4096) bad++;
    }
    expect(bad).toBe(0);
  });

  it("map4k_scatter_64k: 65,536 distinct pages, sol's sum, table count and first IPAs", () => {
    const s = scatterInputs();
    expect(s.ipas.length).toBe(65536);
    expect(s.ipaSum).toBe(0x40265592095000n);
    expect(s.tables).toBe(58448);
    expect(Array.from(s.ipas.slice(0, 3))).toEqual([0x3f34dad000, 0x26e6076000, 0x5906136000]);
    expect(Array.from(s.ipas.slice(0, 3))).toEqual(SOL_FINGERPRINTS.scatterFirstIpas);
    expect(new Set(s.ipas).size).toBe(65536);
    let bad = 0;
    for (const ipa of s.ipas) if (ipa % 4096 !== 0 || ipa < 0 || ipa >= 512 * 2 ** 30) bad++;
    expect(bad).toBe(0);
  });

  it("the walk checksum is the sum of (descriptor + level 3) over the walks, mod 2^64", () => {
    const w = walkInputs();
    // Each walk finds the page R|W descriptor 0x00400000000007ff (no FWB) or
    // 0x00400000000007db (FWB) with its PA 0x80000000 + i * 4K, at level 3.
    for (const [fwb, attrs] of [
      [false, 0x00400000000007ffn],
      [true, 0x00400000000007dbn],
    ] as const) {
      let want = 0n;
      for (const i of w.pages) want += (attrs | (0x80000000n + BigInt(i) * 4096n)) + 3n;
      expect(walkChecksum(w, fwb)).toBe(want & M64);
    }
  });
});

describe("real table pages of a 4K-page mapping (4K granule, 40-bit IPA: 2 root pages, levels 1..3)", () => {
  const geom = stage2Geometry({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false });
  it("counts the root pages, one level-2 table per GiB and one level-3 table per 2 MiB touched", () => {
    // 1 GiB at 1 GiB: 2 + 1 + 512 (sol.c: "refcounts of all 515 pages").
    expect(realTablePages(geom, 0x40000000, 2 ** 30)).toBe(515);
    // 64 GiB at 1 GiB: 2 + 64 + 64 * 512.
    expect(realTablePages(geom, 0x40000000, 64 * 2 ** 30)).toBe(2 + 64 + 32768);
    // Two pages straddling a 2 MiB boundary inside one GiB: 2 + 1 + 2.
    expect(realTablePages(geom, 0x1ff000, 0x2000)).toBe(5);
    // Two pages straddling a 1 GiB boundary: 2 + 2 + 2.
    expect(realTablePages(geom, 0x3ffff000, 0x2000)).toBe(6);
  });
});
