/**
 * Quick walk throughput check (not a test, not the benchmark suite): random
 * walks over a 1 GiB mapping of 4K pages, the workload of sol.c's
 * walk_random_1m (4K granule, 40-bit IPA, 262144 pages mapped one map() call
 * each at IPA 0x40000000 -> PA 0x80000000, R|W; 1,000,000 IPAs drawn with
 * xorshift64 from the same seed as sol.c). Prints ns per walk and walks per
 * second for translate() one at a time and for translateBatch().
 *
 *   npx tsc -p tsconfig.json && node dist/bench/walk-quick.js [--reps N]
 */

import { KvmPgtable } from "../src/pgtable/pgtable.js";
import { PROT_R, PROT_W } from "../src/pgtable/descriptor.js";
import { ACCESS_READ } from "../src/walker/fault.js";
import { S2Walker } from "../src/walker/translate.js";

const N4K = 262144;
const BASE_IPA = 0x40000000;
const BASE_PA = 0x80000000;
const N_WALK = 1000000;

function parseReps(): number {
  const i = process.argv.indexOf("--reps");
  if (i < 0) return 7;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 99) {
    console.error("walk-quick: --reps takes an integer 1..99");
    process.exit(2);
  }
  return n;
}

function main(): void {
  const reps = parseReps();
  const pgt = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });
  pgt.log.record = false;
  for (let i = 0; i < N4K; i++) {
    const r = pgt.map(BASE_IPA + i * 4096, 4096, BASE_PA + i * 4096, PROT_R | PROT_W, 0);
    if (r !== 0) throw new Error(`map ${i}: ${r}`);
  }
  // sol.c gen_inputs(): xorshift64 (13, 7, 17) from 0x2545F4914F6CDD1D.
  const ipas = new Float64Array(N_WALK);
  let s = 0x2545f4914f6cdd1dn;
  const M = (1n << 64n) - 1n;
  let want = 0;
  for (let k = 0; k < N_WALK; k++) {
    s ^= (s << 13n) & M;
    s ^= s >> 7n;
    s ^= (s << 17n) & M;
    const i = Number(s & BigInt(N4K - 1));
    ipas[k] = BASE_IPA + i * 4096;
    want += BASE_PA + i * 4096 + 3;
  }
  // ha: false so that the walk never writes (every leaf has AF = 1 anyway).
  const w = new S2Walker(pgt, { ha: false });
  const outPa = new Float64Array(N_WALK);
  const outStatus = new Int32Array(N_WALK);

  // The timed part writes every result to outPa / outStatus; the checksum is taken after the clock stops.
  const single = (): void => {
    for (let k = 0; k < N_WALK; k++) {
      if (w.translate(ipas[k], ACCESS_READ, 1) !== 0) throw new Error("fault");
      outPa[k] = w.pa;
      outStatus[k] = w.level;
    }
  };
  const batch = (): void => {
    if (w.translateBatch(ipas, N_WALK, ACCESS_READ, 1, outPa, outStatus) !== 0) throw new Error("fault");
  };
  const checksum = (): number => {
    let sum = 0;
    for (let k = 0; k < N_WALK; k++) sum += outPa[k] + outStatus[k];
    return sum;
  };
  // Wall-clock time, and the process's CPU time (user + system), which a
  // machine shared with other work inflates less.
  const time = (name: string, fn: () => void): void => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < reps + 2; r++) {
      outPa.fill(0);
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      fn();
      const t1 = process.hrtime.bigint();
      const c = process.cpuUsage(c0);
      const sum = checksum();
      if (sum !== want) throw new Error(`${name}: checksum ${sum}, want ${want}`);
      if (r >= 2) {
        // two warm-up runs
        wall.push(Number(t1 - t0) / N_WALK);
        cpu.push(((c.user + c.system) * 1000) / N_WALK);
      }
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const w = med(wall);
    const c = med(cpu);
    console.log(
      `${name.padEnd(8)} wall: median ${w.toFixed(2)} ns/walk (min ${Math.min(...wall).toFixed(2)}), ${(1e3 / w).toFixed(1)} M walks/s;` +
        ` cpu: median ${c.toFixed(2)} ns/walk (min ${Math.min(...cpu).toFixed(2)}), ${(1e3 / c).toFixed(1)} M walks/s`,
    );
  };
  console.log(`walk_random_1m: ${N_WALK} random walks over 1 GiB of 4K pages (${N4K} leaves), node ${process.version}, ${reps} reps`);
  time("batch", batch);
  time("single", single);
}

main();
