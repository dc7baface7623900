// Properties of set_pte (src/pgtable/rawpte.ts), with random raw stage-2
// descriptors (any bits setRawPte accepts: every MemAttr, SH, S2AP, AF, DBM,
// XN, software bits, output addresses inside and beyond the PA size, invalid
// entries with bits) mixed with the kernel's own operations:
//  1. the table keeps every structural invariant the checker of `s2pt check`
//     knows (src/reliability/invariants.ts: each table page's count is 1 + its
//     non-zero entries, every page reached once, no leak, table descriptors as
//     kvm_init_table_pte() writes them, no block where the granule has none),
//     after every op. The checker's KVM-shape findings about a leaf's or an
//     invalid entry's own bits (bits KVM never writes, an OA beyond the PA
//     range or with bits below the leaf size, an invalid entry that is no
//     owner annotation) are what set_pte is for, and are not counted;
//  2. the walker's generated fast path and its complete walk give the same
//     answer for every raw entry and every access;
//  3. unmapping everything afterwards leaves only the root pages.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_R, PROT_W } from "../../src/pgtable/descriptor.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { setRawPte } from "../../src/pgtable/rawpte.js";
import { S2Walker } from "../../src/walker/translate.js";
import { checkTables } from "../../src/reliability/invariants.js";
import { PROPERTY_SEED, SEED_TAG, propertyRuns } from "./seed.js";

const CFG = { granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: false, tlbRange: false } as const;
const BASE = 0x40000000;

type Step = { kind: "raw"; page: number; level: 2 | 3; lo: number; hi: number } | { kind: "map" | "unmap"; page: number; pages: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("raw" as const),
    page: fc.integer({ min: 0, max: 2047 }),
    level: fc.constantFrom(2 as const, 3 as const),
    lo: fc.integer({ min: 0, max: 0xffffffff }),
    hi: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc.record({ kind: fc.constantFrom("map" as const, "unmap" as const), page: fc.integer({ min: 0, max: 2047 }), pages: fc.integer({ min: 1, max: 600 }) }),
);

function rawOf(s: Extract<Step, { kind: "raw" }>): { ipa: number; pte: bigint } {
  const size = s.level === 2 ? 0x200000 : 0x1000;
  const ipa = Math.floor((BASE + s.page * 0x1000) / size) * size;
  // Keep the Contiguous bit (52) off: a misplaced one is refused, which the refusal test below covers.
  const hi = (s.hi & ~(1 << 20)) >>> 0;
  return { ipa, pte: (BigInt(hi) << 32n) | BigInt(s.lo >>> 0) };
}

/** The checker's findings about a raw entry's own bits, which set_pte stores on purpose. */
const RAW_SHAPE = /has bits KVM never writes|is not aligned to its size|-bit PA range|is neither empty nor an owner annotation|owner annotation above level 3/;

function structural(pgt: KvmPgtable): string[] {
  return checkTables(pgt, false, 64).violations.filter((v) => !RAW_SHAPE.test(v));
}

describe("set_pte among the kernel's operations", () => {
  it(`keeps the table's invariants; fast and complete walks agree; unmapping all leaves the roots${SEED_TAG}`, () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const pgt = new KvmPgtable(CFG);
        for (const s of steps) {
          if (s.kind === "raw") {
            const { ipa, pte } = rawOf(s);
            try {
              setRawPte(pgt, ipa, s.level, pte);
            } catch (e) {
              // Refusals are ArgumentErrors, made before anything changes.
              expect(e).toBeInstanceOf(ArgumentError);
            }
          } else if (s.kind === "map") {
            pgt.map(BASE + s.page * 0x1000, s.pages * 0x1000, 0x80000000 + s.page * 0x1000, PROT_R | PROT_W, 0);
          } else {
            pgt.unmap(BASE + s.page * 0x1000, s.pages * 0x1000);
          }
          expect(structural(pgt)).toEqual([]);
        }
        const fast = new S2Walker(pgt, { ha: false });
        const slow = new S2Walker(pgt, { ha: false, fast: false });
        for (const s of steps) {
          if (s.kind !== "raw") continue;
          const ipa = rawOf(s).ipa + 0x123;
          for (const access of [0, 1, 2]) {
            const a = fast.translate(ipa, access, 1);
            const b = slow.translate(ipa, access, 1);
            expect([a, fast.level, a === 0 ? fast.pa : -1]).toEqual([b, slow.level, b === 0 ? slow.pa : -1]);
          }
        }
        pgt.unmap(0, 2 ** 40);
        expect(checkTables(pgt).violations).toEqual([]);
        expect(pgt.store.inUse).toBe(pgt.geom.pgdPages);
      }),
      { seed: PROPERTY_SEED, numRuns: propertyRuns(150) },
    );
  });
});
