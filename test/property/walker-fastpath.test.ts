// Property: the walker's generated fast path (src/walker/kernel.ts) and its
// complete walk (S2Walker.walk, checked against the kernel's results and the
// ASL in test/conformance/walk.test.ts and test/architecture/faults.test.ts)
// give the same answer for every IPA, access and EL, on random tables of
// every geometry: tables KVM builds (pages, blocks, every prot, aged and
// split leaves) and the same tables with random descriptors scribbled over
// them (invalid, reserved, DBM, XN[1:0], output addresses out of range,
// table descriptors pointing anywhere). Deterministic: a seeded xorshift.
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Granule, Stage2Config } from "../../src/pgtable/geometry.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NONE, encodeLDFSC } from "../../src/walker/fault.js";
import { FAULT_STATUS, S2Walker } from "../../src/walker/translate.js";
import { buildKernel, type DescriptorWords } from "../../src/walker/kernel.js";

let seed = 0x9e3779b97f4a7c15n;
function rnd(): number {
  seed ^= (seed << 13n) & 0xffffffffffffffffn;
  seed ^= seed >> 7n;
  seed ^= (seed << 17n) & 0xffffffffffffffffn;
  return Number(seed & 0xfffffffffffffn) / 2 ** 52;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const below = (n: number): number => Math.floor(rnd() * n);

const GEOMETRIES: Array<[Granule, number, number, boolean]> = [
  [4096, 32, 40, false],
  [4096, 36, 48, false],
  [4096, 40, 48, false],
  [4096, 44, 48, false],
  [4096, 48, 48, false],
  [4096, 52, 52, true],
  [16384, 36, 48, false],
  [16384, 40, 48, false],
  [16384, 47, 48, false],
  [16384, 52, 52, true],
  [65536, 40, 48, false],
  [65536, 44, 48, false],
  [65536, 48, 52, false],
  [65536, 52, 52, false],
];

describe("the fast path and the complete walk agree", () => {
  it.each(GEOMETRIES)("%i granule, %i-bit IPA, %i-bit PA, LPA2 %s", (granule, iaBits, paBits, lpa2) => {
    const cfg: Stage2Config = { granule, iaBits, paBits, lpa2, fwb: rnd() < 0.5, tlbRange: false };
    const pgt = new KvmPgtable(cfg);
    pgt.log.record = false;
    const g = pgt.geom;
    const blockSize = 2 ** g.shifts[g.minBlockLevel + 1 + (granule === 4096 ? 1 : 0)]; // 2M, 32M or 512M
    const prots = [PROT_R, PROT_R | PROT_W, PROT_R | PROT_W | PROT_X, PROT_X, PROT_W, 0, PROT_R | PROT_DEVICE, PROT_R | PROT_W | PROT_NORMAL_NC];
    const spanBlocks = Math.min(64, 2 ** (iaBits - Math.log2(blockSize)) - 1);
    const ipas: number[] = [];
    for (let i = 0; i < 40; i++) {
      const base = below(spanBlocks) * blockSize;
      const pa = (below(2 ** Math.min(paBits - Math.log2(blockSize) - 1, 20)) + 1) * blockSize;
      const whole = rnd() < 0.3;
      const size = whole ? blockSize : granule * (1 + below(4));
      const ipa = whole ? base : base + below(blockSize / granule - 4) * granule;
      expect(pgt.map(ipa, size, pa, pick(prots), 0)).toBeLessThanOrEqual(0);
      ipas.push(ipa);
    }
    pgt.testClearYoung(0, Math.ceil(spanBlocks / 4) * blockSize, true); // age a quarter of the range
    pgt.split(0, blockSize * 4);

    const check = (label: string, kvmBuilt: boolean): number => {
      let faults = 0;
      const probes: number[] = [];
      for (const ipa of ipas) for (let j = 0; j < 4; j++) probes.push(ipa + below(blockSize));
      for (let j = 0; j < 16; j++) probes.push(below(2 ** iaBits));
      probes.push(2 ** iaBits, 2 ** iaBits + granule, 2 ** 52 - 1, -granule, Number.NaN);
      // A scribbled table descriptor may point outside the table store: the complete walk
      // refuses that with an Error (the model has no memory there), and so must the fast path.
      const outside = (f: () => unknown): boolean => {
        try {
          f();
          return false;
        } catch (e) {
          if (e instanceof Error && /outside the table store/.test(e.message)) return true;
          throw e;
        }
      };
      const probe = new S2Walker(pgt, { ha: false, fast: false });
      const usable = probes.filter((ipa) => !outside(() => probe.translate(ipa, ACCESS_READ, 1)));
      for (const ipa of probes) {
        if (usable.includes(ipa)) continue;
        expect(
          outside(() => new S2Walker(pgt, { ha: false }).translate(ipa, ACCESS_READ, 1)),
          `${label} ${ipa}`,
        ).toBe(true);
      }
      while (usable.length % 4 !== 3) usable.push(below(spanBlocks * blockSize)); // a tail the 4-lane groups do not cover
      const input = new Float64Array(usable.filter((ipa) => !outside(() => probe.translate(ipa, ACCESS_READ, 1))));
      for (const xnx of [false, true]) {
        for (const access of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC]) {
          for (const el of [0, 1]) {
            const fast = new S2Walker(pgt, { ha: false, xnx });
            expect(fast.kernelSource).not.toBeNull();
            const full = new S2Walker(pgt, { ha: false, xnx, fast: false });
            const outPa = new Float64Array(input.length);
            const outSt = new Int32Array(input.length);
            const nf = fast.translateBatch(input, input.length, access, el, outPa, outSt);
            let counted = 0;
            input.forEach((ipa, k) => {
              const r = full.translate(ipa, access, el);
              const want = r === FAULT_NONE ? [full.level, full.pa] : [FAULT_STATUS | encodeLDFSC(r, full.level), -1];
              const ctx = `${label} ipa ${ipa} access ${access} el ${el} xnx ${xnx}`;
              expect([outSt[k], outPa[k]], ctx).toEqual(want);
              // One at a time, too.
              const r1 = fast.translate(ipa, access, el);
              expect([r1, fast.level, r1 === FAULT_NONE ? fast.pa : -1], ctx).toEqual([r, full.level, r === FAULT_NONE ? full.pa : -1]);
              if (r !== FAULT_NONE) counted++;
            });
            expect(nf).toBe(counted);
            faults += counted;
            // How much the generated kernel itself answered: on a table KVM built, every
            // success (nothing to update with HA off) is a fast-path success.
            if (access === ACCESS_READ && !xnx) {
              const kernel = buildKernel(pgt);
              if (kernel === null) throw new Error("no kernel");
              const st = new Int32Array(input.length);
              kernel.batch(pgt.store.chunks, pgt.store.bump, input, input.length, new Float64Array(input.length), st, 0x441, 0);
              const fastOk = st.filter((v) => v >= 0).length;
              const fullOk = input.length - counted;
              if (kvmBuilt) {
                expect(fastOk, label).toBe(fullOk);
                expect(fullOk, label).toBeGreaterThan(0);
              } else {
                expect(fastOk, label).toBeLessThanOrEqual(fullOk);
              }
            }
          }
        }
      }
      return faults;
    };

    const faultsClean = check("KVM table", true);

    // Targeted edits of the leaves and root entries the probes walk through.
    const at = (ipa: number, level: number | "leaf"): { chunk: DescriptorWords; off: number; level: number } | null => {
      const w = new S2Walker(pgt, { ha: false, fast: false });
      w.tracing = true;
      try {
        w.translate(ipa, ACCESS_READ, 1);
      } catch {
        return null;
      }
      const step = level === "leaf" ? w.traceLen - 1 : [...Array(w.traceLen).keys()].find((s) => w.trace[s * 5] === level);
      if (step === undefined || step < 0) return null;
      const page = w.trace[step * 5 + 1];
      return { chunk: pgt.store.chunkOf(page), off: pgt.store.pageOffset(page) + 2 * w.trace[step * 5 + 2], level: w.trace[step * 5] };
    };
    ipas.forEach((ipa, n) => {
      const e = at(ipa, "leaf");
      if (e === null || (e.chunk[e.off] & 1) === 0) return;
      switch (n % 7) {
        case 0:
          e.chunk[e.off] ^= 2;
          break; // page -> reserved (level 3) or block -> table
        case 1:
          e.chunk[e.off + 1] |= 1 << 19;
          e.chunk[e.off] &= ~(1 << 7);
          break; // DBM, read-only
        case 2:
          e.chunk[e.off + 1] = ((e.chunk[e.off + 1] & ~(3 << 21)) | (1 << 21)) >>> 0;
          break; // XN[1:0] = 01
        case 3:
          e.chunk[e.off] &= ~(1 << 10);
          break; // AF clear
        case 4:
          e.chunk[e.off + 1] |= 1 << (paBits - 32 < 16 ? paBits - 32 : 15);
          break; // OA beyond pa_bits (where the format can hold it)
        case 5:
          e.chunk[e.off] = (e.chunk[e.off] & ~0xc0) >>> 0;
          break; // S2AP none
        default:
          e.chunk[e.off] = (e.chunk[e.off] | (3 << 6)) >>> 0; // S2AP read-write
      }
    });
    ipas.slice(0, 4).forEach((ipa) => {
      const e = at(ipa, g.startLevel);
      if (e === null) return;
      // A block descriptor at the start level (AF, S2AP read, OA 0): supported there or not, per granule and DS.
      e.chunk[e.off] = 0x441;
      e.chunk[e.off + 1] = 0;
    });
    check("edited leaves", false);
    // Scribble: random descriptors over random entries of the tables.
    const store = pgt.store;
    let scribbled = 0;
    for (let page = 0; page < store.bump; page++) {
      if (!store.isAllocated(page)) continue;
      for (let n = 0; n < 6; n++) {
        const i = below(g.ptrsPerPte);
        const chunk = store.chunkOf(page);
        const off = store.pageOffset(page) + 2 * i;
        if (chunk[off] === 0 && chunk[off + 1] === 0 && rnd() < 0.7) continue;
        const kind = below(6);
        if (kind === 0)
          chunk[off] ^= 1 << below(12); // flip a low attribute bit (valid, type, S2AP, AF, SH, ...)
        else if (kind === 1)
          chunk[off + 1] ^= 1 << below(32); // flip a high bit (OA, DBM, XN, SW, ...)
        else if (kind === 2)
          chunk[off] = (chunk[off] ^ (1 << (12 + below(20)))) >>> 0; // OA bits 31:12
        else if (kind === 3)
          chunk[off + 1] = (chunk[off + 1] | (3 << 21)) >>> 0; // XN[1:0] = 11
        else if (kind === 4)
          chunk[off + 1] = (chunk[off + 1] | (1 << 19)) >>> 0; // DBM
        else chunk[off] = (rnd() * 2 ** 32) >>> 0;
        scribbled++;
      }
    }
    expect(scribbled).toBeGreaterThan(0);
    const faultsScribbled = check("scribbled table", false);
    expect(faultsClean).toBeGreaterThan(0);
    expect(faultsScribbled).toBeGreaterThan(0);
  });
});
