// The fast paths (run visitors, the one-page map) must be the generic
// walker exactly: the same random operation sequences on two tables, one
// with fast paths and one without, give the same returns, events, tables
// and refcounts after every operation. Source of truth: the generic walker,
// itself checked against the kernel's results by the conformance tests.
import fc from "fast-check";
import { describe, it } from "vitest";
import { expect } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { dumpTable, rootRefcounts } from "../../src/scenario/replay.js";
import type { Stage2Config } from "../../src/pgtable/geometry.js";
import { PROPERTY_SEED, SEED_TAG, propertyRuns } from "./seed.js";
import {
  PROT_DEVICE,
  PROT_NORMAL_NC,
  PROT_R,
  PROT_SW0,
  PROT_W,
  PROT_X,
  WALK_HANDLE_FAULT,
  WALK_SHARED,
  WALK_SKIP_BBM_TLBI,
  WALK_SKIP_CMO,
} from "../../src/pgtable/descriptor.js";

const configs: Stage2Config[] = [
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false },
  { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: true },
  { granule: 16384, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false },
  { granule: 65536, iaBits: 42, paBits: 48, lpa2: false, fwb: false, tlbRange: true },
  { granule: 4096, iaBits: 52, paBits: 52, lpa2: true, fwb: true, tlbRange: false },
];

type Op = { kind: number; off: number; len: number; pa: number; prot: number; flags: number; other: number };

const protBits = [PROT_R, PROT_W, PROT_X, PROT_DEVICE, PROT_NORMAL_NC, PROT_SW0];
const flagBits = [WALK_SHARED, WALK_HANDLE_FAULT, WALK_SKIP_BBM_TLBI, WALK_SKIP_CMO];
const opArb = fc.record({
  kind: fc.integer({ min: 0, max: 11 }),
  off: fc.integer({ min: 0, max: 1023 }),
  len: fc.integer({ min: 0, max: 600 }),
  pa: fc.integer({ min: 0, max: 4095 }),
  prot: fc.subarray(protBits).map((a) => a.reduce((x, y) => x | y, 0)),
  flags: fc.subarray(flagBits).map((a) => a.reduce((x, y) => x | y, 0)),
  other: fc.integer({ min: 0, max: 2 }),
});

/** Apply one op; addresses are multiples of `unit` (a page, or a level-2 block for bigger ranges) inside a window. */
function apply(pgt: KvmPgtable, op: Op, unit: number, base: number): unknown {
  const ipa = base + op.off * unit;
  const size = op.len * unit;
  const pa = 0x80000000 + op.pa * unit;
  pgt.store.memcache = op.other === 2 ? 1 : Infinity;
  switch (op.kind) {
    case 0:
    case 1:
      return pgt.map(ipa, size, pa, op.prot, op.flags);
    case 2:
      return pgt.unmap(ipa, size);
    case 3:
      return pgt.wrprotect(ipa, size);
    case 4:
      pgt.mkyoung(ipa, op.flags);
      return 0;
    case 5:
      return pgt.testClearYoung(ipa, size, op.other === 1);
    case 6:
      return pgt.relaxPerms(ipa, op.prot, op.flags);
    case 7:
      return pgt.flush(ipa, size);
    case 8:
      return pgt.split(ipa, size);
    case 9:
      return pgt.setOwner(ipa, size, op.other & 1);
    default: {
      // kvm_pgtable_get_leaf(), at the op's address or one of its pages inside.
      const at = ipa + (op.pa % Math.max(1, op.len)) * pgt.pageSize;
      const r = pgt.getLeafFast(op.other === 1 ? 2 ** pgt.config.iaBits + at : at);
      return [r, pgt.leafLo, pgt.leafHi, pgt.leafLevel];
    }
  }
}

function sameStore(a: KvmPgtable, b: KvmPgtable): boolean {
  if (a.store.bump !== b.store.bump || a.store.chunks.length !== b.store.chunks.length) return false;
  for (let i = 0; i < a.store.chunks.length; i++) {
    if (Buffer.compare(Buffer.from(a.store.chunks[i].buffer), Buffer.from(b.store.chunks[i].buffer)) !== 0) return false;
  }
  return Buffer.compare(Buffer.from(a.store.refcount.buffer), Buffer.from(b.store.refcount.buffer)) === 0;
}

describe(`property: fast paths = generic walker${SEED_TAG}`, () => {
  for (const cfg of configs) {
    it(`granule ${cfg.granule} ia ${cfg.iaBits} fwb ${cfg.fwb} tlb_range ${cfg.tlbRange} lpa2 ${cfg.lpa2}`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), fc.boolean(), (ops, big) => {
          const fast = new KvmPgtable(cfg);
          const slow = new KvmPgtable(cfg);
          slow.fastPaths = false;
          const unit = big ? fast.granuleSize(3) * 64 : fast.granuleSize(3);
          const base = 0x40000000;
          for (const op of ops) {
            const a = apply(fast, op, unit, base);
            const b = apply(slow, op, unit, base);
            expect(a).toEqual(b);
            expect(fast.log.toJson()).toEqual(slow.log.toJson());
            fast.log.clear();
            slow.log.clear();
            // Both tables allocate and free pages in the same order, so their
            // arenas and refcounts are equal word for word.
            expect(sameStore(fast, slow)).toBe(true);
            expect(fast.warnings).toEqual(slow.warnings);
          }
          expect(dumpTable(fast)).toEqual(dumpTable(slow));
          expect(rootRefcounts(fast)).toEqual(rootRefcounts(slow));
        }),
        { numRuns: propertyRuns(60), seed: PROPERTY_SEED },
      );
    });
  }
});
