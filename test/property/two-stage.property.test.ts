// Properties of the two-stage translation (fast-check):
//  1. With an identity stage 1 (VA == IPA, every access permitted, any
//     attributes) or stage 1 disabled, the nested walk agrees with the
//     stage-2 walk of the same address: the same PA and stage-2 leaf, or the
//     same fault type at the same level, reported as a stage-2 fault on the
//     output IPA (S1PTW = 0). Random stage-2 tables (maps of every size and
//     prot, unmaps, aged leaves) over every granule pairing.
//  2. A fault always carries its level: whatever is scribbled into the guest's
//     tables, every fault has a level its fault status code encodes, and a
//     stage-2 fault is exactly the fault the stage-2 walk alone gives for the
//     IPA it names (the table entry's with S1PTW = 1, the output's without).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import type { Granule, Stage2Config } from "../../src/pgtable/geometry.js";
import { ACCESS_READ, FAULT_NONE, decodeLDFSC, encodeLDFSC } from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import { parseGuest } from "../../src/scenario/guest.js";
import { buildGuest } from "../../src/stage1/builder.js";
import { NestedWalker, STAGE_1, STAGE_2 } from "../../src/stage1/walk.js";
import { walkVa } from "../../src/stage1/describe.js";
import { regionGeometry } from "../../src/stage1/config.js";
import { decodeS1Descriptor } from "../../src/stage1/decode.js";
import { reencodeFields } from "../../src/walker/decode.js";
import { LINUX_MAIR } from "../helpers-guest.js";
import { PROPERTY_SEED, SEED_TAG, propertyRuns } from "./seed.js";

const RANGE = 0x40000000; // the identity-mapped IPA range [1G, 2G)
const POOL = 0x20000000; // the guest's table pool, 1M, never touched by the random ops
const GRANULES: Granule[] = [4096, 16384, 65536];
const PROTS = [PROT_R, PROT_R | PROT_W, PROT_R | PROT_W | PROT_X, PROT_X, PROT_W, 0, PROT_R | PROT_DEVICE, PROT_R | PROT_W | PROT_NORMAL_NC];

interface World {
  pgt: KvmPgtable;
  nested: NestedWalker;
  direct: S2Walker;
  tables: Array<{ pa: number; ipa: number; granule: number; level: number }>;
  s1Granule: Granule;
  /** The ranges the random ops touched, [ipa, size]: probes aim there. */
  hot: Array<[number, number]>;
}

const opArb = fc.record({
  kind: fc.constantFrom("map", "map", "map", "unmap", "mkold"),
  at: fc.integer({ min: 0, max: 0xffff }),
  pages: fc.integer({ min: 1, max: 8 }),
  block: fc.boolean(),
  pa: fc.integer({ min: 1, max: 0xfff }),
  prot: fc.constantFrom(...PROTS),
});

const worldArb = fc.record({
  s2Granule: fc.constantFrom(...GRANULES),
  s1Granule: fc.constantFrom(...GRANULES),
  fwb: fc.boolean(),
  attrIndx: fc.integer({ min: 0, max: 7 }),
  sh: fc.constantFrom(0, 2, 3),
  s1Enabled: fc.boolean(),
  ops: fc.array(opArb, { minLength: 1, maxLength: 24 }),
});

/** Stage 2 with random operations in [1G, 2G), the pool mapped; stage 1 identity over [1G, 2G). */
function makeWorld(w: typeof worldArb extends fc.Arbitrary<infer T> ? T : never): World {
  const cfg: Stage2Config = { granule: w.s2Granule, iaBits: 40, paBits: 48, lpa2: false, fwb: w.fwb, tlbRange: false };
  const pgt = new KvmPgtable(cfg);
  pgt.log.record = false;
  expect(pgt.map(POOL, 0x100000, 0x7ff00000, PROT_R | PROT_W, 0)).toBe(0);
  const g = w.s2Granule;
  const block = g === 4096 ? 0x200000 : g === 16384 ? 0x2000000 : 0x20000000;
  const hot: Array<[number, number]> = [];
  for (const op of w.ops) {
    const ipa = RANGE + ((op.at * g) % RANGE);
    const size = op.block ? block : op.pages * g;
    const base = op.block ? Math.floor(ipa / block) * block : ipa;
    if (base + size > 2 * RANGE) continue;
    hot.push([base, size]);
    if (op.kind === "map") pgt.map(base, size, 0x100000000 + op.pa * block, op.prot, 0);
    else if (op.kind === "unmap") pgt.unmap(base, size);
    else pgt.testClearYoung(base, size, true);
  }
  const guest = parseGuest(
    {
      tcr: { t0sz: 24, tg0: w.s1Granule, ips: 40 },
      mair: LINUX_MAIR,
      sctlr: { m: w.s1Enabled },
      table_pool: { ipa: `0x${POOL.toString(16)}`, size: "0x100000" },
      mappings: [{ va: `0x${RANGE.toString(16)}`, size: `0x${RANGE.toString(16)}`, ipa: `0x${RANGE.toString(16)}`, attrindx: w.attrIndx, ap: 0, sh: w.sh }],
    },
    "guest",
    cfg,
  );
  const built = buildGuest(pgt, guest, "property");
  // HA off in both walkers: nothing is written, so the two walks see the same tables.
  const nested = new NestedWalker(new S2Walker(pgt, { ha: false }), built.mem, built.config);
  return {
    pgt,
    nested,
    direct: new S2Walker(pgt, { ha: false }),
    tables: built.tables.map((t) => ({ pa: t.pa, ipa: t.ipa, granule: w.s1Granule, level: t.level })),
    s1Granule: w.s1Granule,
    hot,
  };
}

/** Probes: [which touched range (or -1: anywhere in `span`), offset, access]. */
const probeArb = (span: number) =>
  fc.array(fc.tuple(fc.integer({ min: -1, max: 23 }), fc.integer({ min: 0, max: span - 1 }), fc.constantFrom(0, 1, 2)), { minLength: 16, maxLength: 48 });

/**
 * A probe: with `which` < 0, `off` itself (anywhere in the span); otherwise
 * inside a range the random ops touched, or, when none of them landed in the
 * window (every op ran past 2G and was skipped), inside the window [1G, 2G)
 * that stage 1 maps: never a raw offset below 1G, which the identity stage 1
 * does not map (seed 1889358148, issue 23).
 */
function probeAddr(world: World, which: number, off: number): number {
  if (which < 0) return off;
  if (world.hot.length === 0) return RANGE + (off % RANGE);
  const [base, size] = world.hot[which % world.hot.length];
  return base + (off % size);
}

function tr(nw: NestedWalker, va: number, access: number): number {
  return nw.translate(va >>> 0, Math.floor(va / 2 ** 32) >>> 0, access, 1);
}

describe("two-stage translation properties", () => {
  const identityAgrees = (w: Parameters<typeof makeWorld>[0], probes: Array<[number, number, number]>): void => {
    const world = makeWorld(w);
    for (const [which, off, access] of probes) {
      const ipa = which < 0 ? RANGE + off : probeAddr(world, which, off);
      expect(ipa, "the probe is inside the identity-mapped window").toBeGreaterThanOrEqual(RANGE);
      expect(ipa).toBeLessThan(2 * RANGE);
      const d = world.direct.translate(ipa, access, 1);
      const n = tr(world.nested, ipa, access);
      const nw = world.nested;
      expect(n, `ipa ${ipa.toString(16)} access ${access}`).toBe(d);
      expect(nw.ipa).toBe(ipa);
      if (d === FAULT_NONE) {
        expect([nw.pa, nw.s2?.descLo, nw.s2?.descHi, nw.s2?.level]).toEqual([world.direct.pa, world.direct.descLo, world.direct.descHi, world.direct.level]);
      } else {
        expect([nw.faultStage, nw.s1ptw, nw.faultLevel, nw.faultIpa]).toEqual([STAGE_2, false, world.direct.level, ipa]);
      }
    }
  };

  it(`an identity stage 1 (or stage 1 off) agrees with the stage-2 walk: same PA and leaf, or the same fault at the same level${SEED_TAG}`, () => {
    fc.assert(fc.property(worldArb, probeArb(RANGE), identityAgrees), { numRuns: propertyRuns(60), seed: PROPERTY_SEED });
  });

  // Regression, issue 23: with this seed fast-check's 45th case has one map
  // (64K pages, at 16378 * 64K + 1G, 7 pages) that runs past 2G and is
  // skipped, so no op lands in the window; the probe used to fall back to the
  // raw offset 0, which the identity stage 1 does not map (a stage-1 fault
  // where the test expects the stage-2 walk's answer).
  it("regression: seed 1889358148, no op lands in the window, the probe stays inside it", () => {
    fc.assert(fc.property(worldArb, probeArb(RANGE), identityAgrees), { numRuns: 60, seed: 1889358148 });
    // The shrunk counterexample itself, as fast-check printed it.
    identityAgrees(
      {
        s2Granule: 65536,
        s1Granule: 4096,
        fwb: false,
        attrIndx: 0,
        sh: 0,
        s1Enabled: true,
        ops: [{ kind: "map", at: 16378, pages: 7, block: false, pa: 1, prot: 4 }],
      },
      Array.from({ length: 16 }, (): [number, number, number] => [0, 0, 0]),
    );
  });

  it(`a fault always carries its level, and a stage-2 fault is the stage-2 walk's own fault for the IPA it names${SEED_TAG}`, () => {
    const descArb = fc.oneof(
      { arbitrary: fc.constant(0n), weight: 1 },
      { arbitrary: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), weight: 1 },
      // A table or page pointing into the pool, the identity range, or anywhere below 2^48.
      {
        arbitrary: fc
          .tuple(fc.constantFrom(POOL, RANGE, 0), fc.integer({ min: 0, max: 0x3ffff }), fc.constantFrom(0b11n, 0b01n), fc.bigInt({ min: 0n, max: 0xffn }))
          .map(([base, off, type, attrs]) => BigInt(base + off * 0x1000) | type | (attrs << 2n) | (1n << 10n)),
        weight: 3,
      },
    );
    fc.assert(
      fc.property(
        worldArb,
        fc.array(fc.tuple(fc.nat(), fc.nat(), descArb), { minLength: 1, maxLength: 6 }),
        probeArb(2 ** 40),
        fc.array(fc.nat(), { maxLength: 2 }),
        (w, scribbles, probes, holes) => {
          const world = makeWorld(w);
          const mem = world.nested.mem;
          const geo = regionGeometry(world.nested.cfg.tcr, 0);
          for (const [t, p, v] of scribbles) {
            // Into the entry some probe's VA uses at that table's level, so that walks meet it.
            const tbl = world.tables[t % world.tables.length];
            const [which, off] = probes[p % probes.length];
            const mask = tbl.level === geo.startLevel ? geo.rootEntries - 1 : tbl.granule / 8 - 1;
            const index = Math.floor(probeAddr(world, which, off) / 2 ** geo.shifts[tbl.level]) & mask;
            mem.write64(tbl.pa + index * 8, Number(v & 0xffffffffn), Number(v >> 32n));
          }
          // Holes in the stage-2 mapping of the guest's tables: walks through them take S1PTW faults.
          for (const h of holes) {
            const tbl = world.tables[h % world.tables.length];
            world.pgt.unmap(tbl.ipa, w.s2Granule);
          }
          const nw = world.nested;
          for (const [which, off, access] of probes) {
            const va = probeAddr(world, which, off);
            const r = tr(nw, va, access);
            if (r === FAULT_NONE) {
              expect(world.direct.translate(nw.ipa, access, 1)).toBe(FAULT_NONE);
              expect(world.direct.pa).toBe(nw.pa);
              continue;
            }
            expect([STAGE_1, STAGE_2]).toContain(nw.faultStage);
            const fsc = encodeLDFSC(r, nw.faultLevel);
            expect(fsc, `fault ${r} at level ${nw.faultLevel}`).toBeGreaterThanOrEqual(0);
            const back = { type: 0, level: 0 };
            decodeLDFSC(fsc, back);
            expect([back.type, back.level]).toEqual([r, nw.faultLevel]);
            if (nw.faultStage === STAGE_1) {
              expect(nw.faultLevel).toBeGreaterThanOrEqual(0);
              expect(nw.faultLevel).toBeLessThanOrEqual(3);
            } else {
              // The stage-2 walk alone, for the IPA the fault names: a table read (S1PTW) or the access itself.
              const d = world.direct.translate(nw.faultIpa, nw.s1ptw ? ACCESS_READ : access, 1);
              expect([d, world.direct.level]).toEqual([r, nw.faultLevel]);
            }
          }
          // The report (walkVa) keeps the level too, and its FSC says the same.
          const [which, off, access] = probes[0];
          const rep = walkVa(nw, BigInt(probeAddr(world, which, off)), access, 1);
          if (rep.fault) {
            const back = { type: 0, level: 0 };
            decodeLDFSC(rep.fault.fsc, back);
            expect(back.level).toBe(rep.fault.level);
          }
        },
      ),
      { numRuns: propertyRuns(60), seed: PROPERTY_SEED },
    );
  });

  it(`the stage-1 decoder accounts for every bit: its fields put back together give the value${SEED_TAG}`, () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom<Granule>(...GRANULES), fc.integer({ min: 0, max: 3 }), (v, granule, level) => {
        const d = decodeS1Descriptor(v, { granule, level });
        expect(reencodeFields(d)).toBe(v);
      }),
      { numRuns: propertyRuns(2000), seed: PROPERTY_SEED },
    );
  });
});
