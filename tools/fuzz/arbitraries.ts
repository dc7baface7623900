/**
 * fast-check generators for random stage-2 scenarios: a random configuration
 * (granule, ia_bits, pa_bits, lpa2, fwb, tlb_range, sometimes a memory cache
 * and a host cap on table pages) and a random sequence of every operation
 * over random ranges from one page to 1 GiB, random prot and flags.
 *
 * The raw values are small integers that do not depend on the configuration
 * (slots, exponents, selectors), and `concretize()` turns them into a
 * FORMAT.md scenario. So fast-check can shrink each value and drop ops
 * independently, and every shrunk case is still a valid scenario.
 *
 * Operations land in a 4 GiB IPA window (at 0, in the middle or at the top of
 * the IPA space, where ranges may cross 2^ia_bits and get -ERANGE), at
 * addresses aligned to their size or only to a page, so that blocks, pages,
 * tables and annotations keep meeting each other. One op in seven moves its
 * IPA, size or PA off the page grid by a few bytes, which the kernel rounds
 * (start down, end up, PA down).
 */

import fc from "fast-check";
import {
  PROT_DEVICE,
  PROT_NORMAL_NC,
  PROT_R,
  PROT_SW0,
  PROT_SW1,
  PROT_SW2,
  PROT_SW3,
  PROT_W,
  PROT_X,
  WALK_HANDLE_FAULT,
  WALK_SHARED,
  WALK_SKIP_BBM_TLBI,
  WALK_SKIP_CMO,
} from "../../src/pgtable/descriptor.js";
import { PARANGE_BITS, stage2Geometry, type Granule, type Stage2Config } from "../../src/pgtable/geometry.js";
import type { Scenario, ScenarioOp } from "../../src/scenario/types.js";

export const OP_KINDS = ["map", "unmap", "wrprotect", "mkyoung", "test_clear_young", "relax_perms", "flush", "split", "set_owner", "get_leaf"] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** One operation, configuration-independent. */
export interface RawOp {
  kind: OpKind;
  /** Position in the window, in units of the alignment. */
  slot: number;
  /** log2(size / page), clipped to 1 GiB. */
  sizeExp: number;
  /** size = mul * 2^sizeExp pages (0: an empty range). */
  mul: number;
  /** IPA aligned to the size (else to one page only). */
  aligned: boolean;
  /** PA congruent to the IPA modulo the size (blocks possible; else pages). */
  paAligned: boolean;
  paSlot: number;
  /** R, W, X, SW0..SW3 as bits 0..6. */
  perm: number;
  /** 0 Normal, 1 DEVICE, 2 NORMAL_NC, 3 DEVICE|NORMAL_NC (refused). */
  mem: number;
  /** SHARED, HANDLE_FAULT, SKIP_BBM_TLBI, SKIP_CMO as bits 0..3. */
  flags: number;
  owner: number;
  mkold: boolean;
  /** 0: at the top of the IPA space (-ERANGE likely). */
  far: number;
  /**
   * k > 0: reuse the range of the k-th most recent map before this op (a
   * remap with other prot or flags, or an op on memory that is mapped).
   */
  again: number;
  /**
   * Unaligned arguments (NOTES.md 11: they round, they are not errors): bit 0
   * puts a sub-page offset on the IPA, bit 1 on the size, bit 2 on the PA.
   */
  subpage: number;
  /** The offset: 1 + offset % (page - 1) bytes. */
  offset: number;
}

export interface RawConfig {
  granule: Granule;
  lpa2: boolean;
  iaSel: number;
  paSel: number;
  fwb: boolean;
  tlbRange: boolean;
  /** undefined: unlimited memory cache. */
  memcache: number | undefined;
  /** undefined: the default cap; else this many table pages beyond the roots. */
  capExtra: number | undefined;
  /** 0: window at IPA 0, 1: in the middle, 2: at the top. */
  window: number;
  /** PA window high in the PA space (exercises OA[51:48] / OA[51:50]). */
  highPa: boolean;
}

export interface RawScenario {
  config: RawConfig;
  ops: RawOp[];
  /** End with destroy() on the table as it is instead of unmapping everything. */
  destroyWithoutUnmap: boolean;
  sampleSeed: number;
}

const weighted = <T>(...pairs: Array<[number, fc.Arbitrary<T>]>): fc.Arbitrary<T> => fc.oneof(...pairs.map(([weight, arbitrary]) => ({ weight, arbitrary })));

export const rawConfigArb: fc.Arbitrary<RawConfig> = fc.record({
  granule: fc.constantFrom<Granule>(4096, 16384, 65536),
  lpa2: fc.boolean(),
  iaSel: fc.nat(20),
  paSel: fc.nat(6),
  fwb: fc.boolean(),
  tlbRange: fc.boolean(),
  memcache: weighted<number | undefined>([6, fc.constant(undefined)], [2, fc.nat(3)], [1, fc.nat(600)]),
  capExtra: weighted<number | undefined>([8, fc.constant(undefined)], [1, fc.nat(40)]),
  window: fc.nat(2),
  highPa: fc.boolean(),
});

const kindArb: fc.Arbitrary<OpKind> = weighted<OpKind>(
  [30, fc.constant("map")],
  [12, fc.constant("unmap")],
  [6, fc.constant("wrprotect")],
  [4, fc.constant("mkyoung")],
  [5, fc.constant("test_clear_young")],
  [6, fc.constant("relax_perms")],
  [3, fc.constant("flush")],
  [8, fc.constant("split")],
  [5, fc.constant("set_owner")],
  [6, fc.constant("get_leaf")],
);

export const rawOpArb: fc.Arbitrary<RawOp> = fc.record({
  kind: kindArb,
  slot: fc.nat(4095),
  sizeExp: fc.nat(18),
  mul: weighted([12, fc.constant(1)], [4, fc.integer({ min: 2, max: 3 })], [1, fc.constant(0)]),
  aligned: weighted([4, fc.constant(true)], [1, fc.constant(false)]),
  paAligned: weighted([4, fc.constant(true)], [1, fc.constant(false)]),
  paSlot: fc.nat(4095),
  perm: fc.nat(127),
  mem: weighted([16, fc.constant(0)], [2, fc.constant(1)], [2, fc.constant(2)], [1, fc.constant(3)]),
  flags: weighted([6, fc.constant(0)], [2, fc.nat(15)]),
  owner: weighted([6, fc.nat(1)], [1, fc.constant(2)]),
  mkold: fc.boolean(),
  far: fc.nat(15),
  again: weighted([3, fc.constant(0)], [2, fc.integer({ min: 1, max: 3 })]),
  subpage: weighted([6, fc.constant(0)], [1, fc.integer({ min: 1, max: 7 })]),
  offset: fc.nat(65535),
});

export function rawScenarioArb(maxOps: number): fc.Arbitrary<RawScenario> {
  return fc.record({
    config: rawConfigArb,
    ops: fc.array(rawOpArb, { minLength: 1, maxLength: maxOps, size: "max" }),
    destroyWithoutUnmap: weighted([5, fc.constant(false)], [1, fc.constant(true)]),
    sampleSeed: fc.nat(),
  });
}

/** The configuration a raw one stands for (always one KVM accepts). */
export function concretizeConfig(c: RawConfig): Stage2Config {
  const lpa2 = c.lpa2 && c.granule !== 65536;
  const maxIa = lpa2 || c.granule === 65536 ? 52 : 48;
  const iaBits = 32 + (c.iaSel % (maxIa - 32 + 1));
  const pas = PARANGE_BITS.filter((p) => p >= iaBits && (p <= 48 || lpa2 || c.granule === 65536));
  const paBits = pas[c.paSel % pas.length];
  return { granule: c.granule, iaBits, paBits, lpa2, fwb: c.fwb, tlbRange: c.tlbRange };
}

const PERM_BITS = [PROT_R, PROT_W, PROT_X, PROT_SW0, PROT_SW1, PROT_SW2, PROT_SW3];
const MEM_BITS = [0, PROT_DEVICE, PROT_NORMAL_NC, PROT_DEVICE | PROT_NORMAL_NC];
const FLAG_BITS = [WALK_SHARED, WALK_HANDLE_FAULT, WALK_SKIP_BBM_TLBI, WALK_SKIP_CMO];

function bitsOf(v: number, table: readonly number[]): number {
  let out = 0;
  table.forEach((b, i) => {
    if ((v >>> i) & 1) out |= b;
  });
  return out >>> 0;
}

const WINDOW = 2 ** 32;
const PA_WINDOW = 2 ** 30;
const GIB = 2 ** 30;

/** The FORMAT.md scenario a raw one stands for. */
export function concretize(raw: RawScenario, name = "fuzz"): Scenario {
  const config = concretizeConfig(raw.config);
  const geom = stage2Geometry(config);
  const page = config.granule;
  const pageShift = geom.pageShift;
  const limit = 2 ** config.iaBits;
  const windowBase = [0, limit / 2, limit - WINDOW][raw.config.window];
  const paBase = raw.config.highPa && config.paBits > 32 ? 2 ** config.paBits - 2 * GIB : 2 ** 31;
  const maps: ScenarioOp[] = [];
  const ops: ScenarioOp[] = raw.ops.map((r) => {
    // Ops that write one entry per page stay small: a misaligned PA makes
    // pages, set_owner always does.
    const pagesOnly = !r.paAligned || r.kind === "set_owner";
    const exp = Math.min(pageShift + Math.min(r.sizeExp, pagesOnly ? 9 : 18), 30);
    const unit = 2 ** exp;
    const size = r.mul * unit;
    const align = r.aligned ? unit : page;
    let ipa = windowBase + ((r.slot * align) % WINDOW);
    if (r.far === 0) ipa = r.slot % 2 === 0 || config.iaBits === 52 ? limit - page * (1 + (r.slot % 4)) : limit;
    // A PA congruent to the IPA modulo the size allows blocks wherever the
    // IPA is aligned; otherwise any page. Kept inside the PA range.
    const ipaMod = ipa - Math.floor(ipa / unit) * unit;
    let pa = paBase + (r.paAligned ? ((r.paSlot * unit) % PA_WINDOW) + ipaMod : (r.paSlot * page) % PA_WINDOW);
    const paLimit = 2 ** config.paBits;
    if (pa + size > paLimit) {
      const mod = r.paAligned ? ipaMod : 0;
      pa = Math.max(0, Math.floor((paLimit - size - mod) / unit) * unit + mod);
    }
    // relax_perms refuses SW bits (-EINVAL): ask for them only now and then.
    const perm = r.kind === "relax_perms" && r.perm >>> 3 !== 15 ? r.perm & 7 : r.perm;
    // Sub-page offsets. The IPA stays below 2^ia_bits (one op at the very top
    // stays beyond it), and the size grows only where the rounded-up range
    // still ends inside the PA space. No unaligned size for an unmap with FWB
    // and TLBIRANGE: its deferred kvm_tlb_flush_vmid_range(addr, size) covers
    // size >> PAGE_SHIFT pages only, a caller contract mmu.c keeps and the
    // break-before-make checker rightly reports (docs/reliability.md).
    const off = 1 + (r.offset % (page - 1));
    const deferredRangeTlbi = r.kind === "unmap" && config.fwb && config.tlbRange;
    let jipa = ipa;
    let jsize = size;
    if (r.subpage & 1 && ipa + off < limit) jipa = ipa + off;
    if (r.subpage & 2 && !deferredRangeTlbi && pa + size + 2 * page <= paLimit) jsize = size + off;
    if (r.subpage & 4) pa += off;
    let range = { ipa: jipa, size: jsize, pa };
    const earlier = r.again > 0 ? maps[maps.length - r.again] : undefined;
    if (earlier) {
      range = { ipa: earlier.ipa, size: earlier.size, pa: earlier.pa };
      // A one-page op lands on a page of the earlier range.
      if (r.kind === "mkyoung" || r.kind === "relax_perms" || r.kind === "get_leaf") {
        range.ipa = earlier.ipa + page * (r.slot % Math.max(1, Math.floor(earlier.size / page)));
        // Stay expressible in a scenario file (FORMAT.md values below 2^52 in s2pt).
        if (range.ipa >= 2 ** 52) range.ipa = earlier.ipa;
      }
    }
    // An unmap of an earlier map's range keeps the contract too: the size
    // rounds up to whole pages, which clears the same pages.
    if (deferredRangeTlbi) range.size = Math.ceil(range.size / page) * page;
    const op: ScenarioOp = {
      op: r.kind,
      ipa: range.ipa,
      size: r.kind === "mkyoung" || r.kind === "relax_perms" || r.kind === "get_leaf" ? 0 : range.size,
      pa: r.kind === "map" ? range.pa : 0,
      prot: r.kind === "map" ? bitsOf(perm, PERM_BITS) | MEM_BITS[r.mem] : r.kind === "relax_perms" ? bitsOf(perm, PERM_BITS) : 0,
      flags: r.kind === "map" || r.kind === "mkyoung" || r.kind === "relax_perms" ? bitsOf(r.flags, FLAG_BITS) : 0,
      owner: r.kind === "set_owner" ? r.owner : 0,
      mkold: r.kind === "test_clear_young" ? r.mkold : false,
      va: 0n,
      access: "r",
      el: 1,
      attr: -1,
      sh: -1,
    };
    // Half the remaps keep the memory type and SW bits and change only R/W/X:
    // the "permissions only" path (-EAGAIN, left for relax_perms).
    if (r.kind === "map" && earlier && ((r.perm >>> 3) & 1) === 0)
      op.prot = ((earlier.prot & ~(PROT_R | PROT_W | PROT_X)) | bitsOf(r.perm & 7, PERM_BITS)) >>> 0;
    if (r.kind === "map") maps.push(op);
    return op;
  });
  const scn: Scenario = {
    name,
    config,
    memcache: raw.config.memcache ?? Infinity,
    ops,
    guest: null,
  };
  if (raw.config.capExtra !== undefined) scn.maxTablePages = geom.pgdPages + raw.config.capExtra;
  return scn;
}
