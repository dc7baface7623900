/**
 * The walk's fast path, generated for one table geometry.
 *
 * Why generated: see src/pgtable/walkgen.ts (geometry values as literals,
 * several IPAs in lockstep so that their descriptor loads overlap; the
 * table memory read through walkgen's seam). Once per S2Walker this module
 * writes the common case as JavaScript source and compiles it with `new
 * Function`; the source contains no input data (S2Walker.kernelSource shows
 * it). The batch walks LANES IPAs in lockstep, in a loop with no call in it
 * that stops at the first group it does not take; batchSum() adds the
 * results up inside that loop, for callers that want only their sum.
 *
 * What it does is deliberately narrow: a walk through valid table
 * descriptors to a page, or a block where the granule has blocks, that
 * allows the access with nothing to update (VALID and AF set, S2AP grants
 * the access, XN clear for a fetch), with the output address inside
 * VTCR_EL2.PS. For anything else it reports "not mine" (status -1) and
 * S2Walker.walk(), the complete walk, decides. The tests compare the two on
 * every conformance table and on random tables of every geometry.
 *
 * Arithmetic: the IPA arrives as a double and is split once into int32
 * halves (il = IPA[31:0], ih = IPA[52:32]); every index, table step and mask
 * is then 32-bit integer work. A table descriptor's next page is computed
 * modulo 2^32 as ((lo >>> PAGE_SHIFT) | (hi << (32 - PAGE_SHIFT))) - base,
 * which is exact because the address bits outside that 32-bit window must
 * equal the table store's (the "guard" test) and the result must be an
 * allocated page; a descriptor failing either is not a KVM table and is left
 * to walk(). Only the output address becomes a double.
 */

import {
  ADDR_51_48_LO,
  ADDR_51_48_SHIFT,
  ADDR_51_50_LPA2_LO,
  ADDR_51_50_LPA2_SHIFT,
  KVM_PGTABLE_LAST_LEVEL,
  PTE_TYPE_LO,
  PTE_VALID_LO,
  S2AP_R_LO,
  S2AP_W_LO,
  S2_AF_LO,
  S2_XNX_HI,
  S2_XN_HI,
} from "../pgtable/descriptor.js";
import { blockDescSupported } from "../pgtable/geometry.js";
import {
  emitFlatLoad,
  emitFlatRootLoad,
  emitLoad,
  emitNextPage,
  guard,
  i32,
  ipaBits,
  rootTable,
  storeMemory,
  type TableMemory,
  type WalkTables,
} from "../pgtable/walkgen.js";

/**
 * The table store's arena words, read and written by index: a Uint32Array or an
 * Int32Array (the kernel and the walker use only bit operations on them).
 */
export interface DescriptorWords {
  [index: number]: number;
  readonly length: number;
}

/**
 * IPAs walked in lockstep by the batch kernel. Measured on the bench's
 * walk_random_1m_hw (docs/benchmarks.md, "before/after per change"): 16
 * lanes beat 8 and 4 (more descriptor loads in flight per group).
 */
export const LANES = 16;

/**
 * batch(chunks, bump, ipas, n, outPa, outStatus, needLo, forbidHi): for each
 * k, outPa[k] = PA and outStatus[k] = leaf level, or outStatus[k] = -1 when
 * the fast path does not apply; returns how many are -1.
 * batchSum(chunks, bump, ipas, from, to, needLo, forbidHi, acc): from `from`,
 * the lockstep groups whose every lane the fast path takes, adding
 * Σ PA[31:0] + level into acc[0] and Σ PA[63:32] into acc[1]; returns where
 * it stopped (`to` less than a group, or the first group it did not take).
 * lane(chunks, bump, ipas, k, needLo, forbidHi, out): IPA k alone, the leaf
 * level with out[0] = PA, or -1 (out of range, or not the fast path's).
 * one(chunks, bump, il, ih, needLo, forbidHi, out): for an IPA below the IPA
 * size given as int32 halves, the leaf level with out[0] = PA and out[1],
 * out[2] = the leaf descriptor's halves, or -1.
 */
export interface WalkKernel {
  batch(
    chunks: readonly (DescriptorWords | undefined)[],
    bump: number,
    ipas: Float64Array,
    n: number,
    outPa: Float64Array,
    outStatus: Int32Array,
    needLo: number,
    forbidHi: number,
  ): number;
  batchSum(
    chunks: readonly (DescriptorWords | undefined)[],
    bump: number,
    ipas: Float64Array,
    from: number,
    to: number,
    needLo: number,
    forbidHi: number,
    acc: Float64Array,
  ): number;
  lane(
    chunks: readonly (DescriptorWords | undefined)[],
    bump: number,
    ipas: Float64Array,
    k: number,
    needLo: number,
    forbidHi: number,
    out: Float64Array,
  ): number;
  one(chunks: readonly (DescriptorWords | undefined)[], bump: number, il: number, ih: number, needLo: number, forbidHi: number, out: Float64Array): number;
  /**
   * batch() and batchSum() over the table store's flat arena (flatPages >=
   * bump: TableStore.flatten()); null for a memory without one (an image).
   */
  batchFlat:
    | ((
        flat: Int32Array,
        chunks: readonly (DescriptorWords | undefined)[],
        bump: number,
        ipas: Float64Array,
        n: number,
        outPa: Float64Array,
        outStatus: Int32Array,
        needLo: number,
        forbidHi: number,
      ) => number)
    | null;
  batchSumFlat:
    ((flat: Int32Array, bump: number, ipas: Float64Array, from: number, to: number, needLo: number, forbidHi: number, acc: Float64Array) => number) | null;
  lanes: number;
  /** The source it was compiled from (written again on each read). */
  readonly source: string;
}

/** The numbers the kernel is specialised on. */
interface KernelGeometry {
  startLevel: number;
  pageShift: number;
  stride: number;
  idxMask: number;
  /** kvm_granule_shift(level), indexed by level + 1. */
  shifts: readonly number[];
  iaBits: number;
  paBits: number;
  pgd: number;
  pgdPages: number;
  addrLo: number;
  addrHi: number;
  /** 0 none, 1 = 64K OA[51:48] in bits 15:12, 2 = FEAT_LPA2 OA[51:50] in bits 9:8. */
  highOa: number;
  blocks: readonly boolean[];
}

function geometryOf(pgt: WalkTables): KernelGeometry {
  const g = pgt.geom;
  const blocks: boolean[] = [];
  for (let l = -1; l <= 3; l++) blocks.push(blockDescSupported(g.granule, g.lpa2, g.paBits, l));
  return {
    startLevel: g.startLevel,
    pageShift: g.pageShift,
    stride: g.pageShift - 3,
    idxMask: g.ptrsPerPte - 1,
    shifts: g.shifts,
    iaBits: g.iaBits,
    paBits: g.paBits,
    pgd: pgt.pgd,
    pgdPages: g.pgdPages,
    addrLo: pgt.fmt.addrLo | 0,
    addrHi: pgt.fmt.addrHi,
    highOa: pgt.fmt.highOa,
    blocks,
  };
}

/** Source text of the kernel for this geometry (exported for inspection and tests). */
export function kernelSource(pgt: WalkTables, lanes = LANES): string {
  const k = geometryOf(pgt);
  if (k.startLevel < 0 || k.startLevel > KVM_PGTABLE_LAST_LEVEL) throw new RangeError(`no kernel for start level ${k.startLevel}`);
  const mem = storeMemory(pgt.store);
  const PS = k.pageShift;
  const LAST = KVM_PGTABLE_LAST_LEVEL;
  const TABLE = PTE_VALID_LO | PTE_TYPE_LO;
  const tableMask = TABLE | (k.highOa === 1 ? ADDR_51_48_LO : k.highOa === 2 ? ADDR_51_50_LPA2_LO : 0);
  // Address bits above the 32-bit page-number window, in the high half: they must be the table store's.
  const g = guard(mem, k.addrHi);
  const hiLimit = 2 ** (k.paBits - 32);
  const ipaLimit = 2 ** k.iaBits;
  const rootShift = k.shifts[k.startLevel + 1];
  const highOa =
    k.highOa === 1
      ? ` | (((x & ${ADDR_51_48_LO}) >>> ${ADDR_51_48_SHIFT}) << 16)`
      : k.highOa === 2
        ? ` | (((x & ${ADDR_51_50_LPA2_LO}) >>> ${ADDR_51_50_LPA2_SHIFT}) << 18)`
        : "";
  // The lockstep groups need the IPA's high half only where an index below the root has bits above 31.
  let needIh = false;
  for (let level = k.startLevel + 1; level <= LAST; level++) if (k.shifts[level + 1] + k.stride > 32) needIh = true;
  const root = rootTable(mem, "chunks", "root", k.pgd, k.pgdPages);

  // The start level's index over all the root pages: IPA[ia-1 : shift(start)].
  const rootIdxBits = (v: string): string => ipaBits(`il${v}`, `ih${v}`, rootShift, k.iaBits - rootShift);
  const levelIdx = (v: string, level: number): string => ipaBits(`il${v}`, `ih${v}`, k.shifts[level + 1], k.stride);
  const loadRoot = (v: string, r: string): string =>
    root !== null ? root.load(r, `x${v}`, `y${v}`) : emitLoad(mem, "chunks", `(${k.pgd} + (${r} >>> ${k.stride}))`, `(${r} & ${k.idxMask})`, `x${v}`, `y${v}`);
  const isTable = (v: string): string => `(x${v} & ${tableMask}) === ${TABLE} && (y${v} & ${i32(g.mask)}) === ${i32(g.value)}`;
  /** The leaf at `level` in (x, y): returns from `one` with its level, or -1. */
  const leafPa = (level: number): string => {
    const s = k.shifts[level + 1];
    const typeOk = level === LAST ? `(x & ${PTE_TYPE_LO}) !== 0` : k.blocks[level + 1] ? `(x & ${PTE_TYPE_LO}) === 0` : "false";
    let lo: string;
    let hi: string;
    if (s < 32) {
      const below = s === 0 ? 0 : -1 >>> (32 - s);
      lo = `(((x & ${i32(k.addrLo & ~below)}) | (il & ${i32(below)})) >>> 0)`;
      hi = `((y & ${k.addrHi})${highOa})`;
    } else {
      const below = s === 32 ? 0 : -1 >>> (64 - s);
      lo = `(il >>> 0)`;
      hi = `((y & ${i32(k.addrHi & ~below)}) | (ih & ${i32(below)})${highOa})`;
    }
    return (
      `if ((x & needLo) !== needLo || (y & forbidHi) !== 0 || !(${typeOk})) return -1;\n` +
      `    const hi = ${hi};\n` +
      `    if (hi >= ${hiLimit}) return -1;\n` +
      `    out[0] = hi * 4294967296 + ${lo};\n` +
      `    out[1] = x >>> 0;\n` +
      `    out[2] = y >>> 0;\n` +
      `    return ${level};`
    );
  };

  const src: string[] = [];
  src.push(`"use strict";`);
  src.push(
    `// s2pt stage-2 walk kernel: ${pgt.geom.granule} granule, ${k.iaBits}-bit IPA, start level ${k.startLevel}, ${k.paBits}-bit PA${pgt.geom.lpa2 ? ", LPA2" : ""}, ${lanes} lanes`,
  );
  // one(): a single IPA, levels unrolled.
  // The IPA arrives split (il = IPA[31:0], ih = IPA[52:32], as int32) and
  // already checked against the IPA size: small integers cross the call unboxed.
  src.push(`function one(chunks, bump, il, ih, needLo, forbidHi, out) {`);
  if (root !== null) src.push(`  ${root.decl}`);
  src.push(`  const r = ${rootIdxBits("")};`);
  src.push(`  let p = 0, x = 0, y = 0;`);
  src.push(`  ${loadRoot("", "r")}`);
  for (let level = k.startLevel; level <= LAST; level++) {
    if (level > k.startLevel) src.push(`  ${emitLoad(mem, "chunks", "p", levelIdx("", level), "x", "y")}`);
    if (level < LAST) {
      src.push(`  if (${isTable("")}) {`);
      src.push(`    const n = ${emitNextPage(mem, "x", "y")};`);
      src.push(`    if ((n >>> 0) >= bump) return -1;`);
      src.push(`    p = n;`);
      src.push(`  } else {`);
      src.push(`    ${leafPa(level)}`);
      src.push(`  }`);
    } else {
      src.push(`  ${leafPa(level)}`);
    }
  }
  src.push(`}`);
  // lane(): one IPA of an array, any value (the range check, then one()).
  src.push(`function lane(chunks, bump, ipas, k, needLo, forbidHi, out) {`);
  src.push(`  const a = ipas[k];`);
  src.push(`  if (!(a >= 0 && a < ${ipaLimit})) return -1;`);
  src.push(`  return one(chunks, bump, a | 0, (a * 2.3283064365386963e-10) | 0, needLo, forbidHi, out);`);
  src.push(`}`);

  // The lockstep groups: `lanes` IPAs, every one of them on a table walk down
  // to a level-3 page that allows the access with nothing to update. The
  // loop holds no call: it stops at the first group that does anything else
  // and returns its index (batch() does that group lane by lane).
  const L = [...Array(lanes).keys()];
  const each = (f: (v: number) => string, sep = "\n"): string => L.map(f).join(sep);
  const below = -1 >>> (32 - PS);
  // The flat variants (batchFlat, batchSumFlat) read the table store's flat arena `chunks` (an Int32Array).
  const hasFlat = typeof pgt.store.flatten === "function";
  const bodyOf = (flat: boolean): string[] => {
    const body: string[] = [];
    body.push(each((v) => `    const a${v} = ipas[k + ${v}];`));
    body.push(`    if (!(${each((v) => `a${v} >= 0 && a${v} < ${ipaLimit}`, " && ")})) break;`);
    // Root index = floor(IPA / 2^shift(start)): exact for 0 <= IPA < 2^ia_bits.
    body.push(
      each(
        (v) =>
          `    const il${v} = a${v} | 0${needIh ? `, ih${v} = (a${v} * 2.3283064365386963e-10) | 0` : ""}; const r${v} = (a${v} * ${2 ** -rootShift}) | 0; let x${v} = 0, y${v} = 0;`,
      ),
    );
    body.push(each((v) => `    ${flat ? emitFlatRootLoad(mem, "chunks", k.pgd, `r${v}`, `x${v}`, `y${v}`) : loadRoot(String(v), `r${v}`)}`));
    for (let level = k.startLevel + 1; level <= LAST; level++) {
      body.push(each((v) => `    const p${v}_${level} = ${emitNextPage(mem, `x${v}`, `y${v}`)};`));
      body.push(`    if (!(${each((v) => `${isTable(String(v))} && (p${v}_${level} >>> 0) < bump`, " && ")})) break;`);
      body.push(each((v) => `    ${(flat ? emitFlatLoad : emitLoad)(mem, "chunks", `p${v}_${level}`, levelIdx(String(v), level), `x${v}`, `y${v}`)}`));
    }
    // Level-3 pages that allow the access, output address inside PS.
    body.push(`    if (!(${each((v) => `(x${v} & needLo) === needLo && (y${v} & forbidHi) === 0 && (x${v} & ${PTE_TYPE_LO}) !== 0`, " && ")})) break;`);
    body.push(each((v) => `    const h${v} = ((y${v} & ${k.addrHi})${highOa.replace(/\bx\b/g, `x${v}`)});`));
    // The output size check (hi < 2^(PS - 32)), emitted only where an output address can reach it.
    const maxHi = k.addrHi | (k.highOa === 1 ? 0xf << 16 : k.highOa === 2 ? 0x3 << 18 : 0);
    if (maxHi >= hiLimit) body.push(`    if (!(${each((v) => `h${v} < ${hiLimit}`, " && ")})) break;`);
    return body;
  };
  const paLo = (v: number): string => `(((x${v} & ${i32(k.addrLo)}) | (il${v} & ${i32(below)})) >>> 0)`;

  src.push(`const ONE = new Float64Array(3);`);
  for (const flat of hasFlat ? [false, true] : [false]) {
    const suffix = flat ? "Flat" : "";
    const body = bodyOf(flat);
    src.push(`function groups${suffix}(chunks, bump, ipas, from, to, outPa, outStatus, needLo, forbidHi) {`);
    if (root !== null && !flat) src.push(`  ${root.decl}`);
    src.push(`  let k = from;`);
    src.push(`  for (; k + ${lanes} <= to; k += ${lanes}) {`);
    src.push(...body);
    src.push(each((v) => `    outPa[k + ${v}] = h${v} * 4294967296 + ${paLo(v)}; outStatus[k + ${v}] = ${LAST};`));
    src.push(`  }`);
    src.push(`  return k;`);
    src.push(`}`);
    // The sums go to acc at the end of every group, not after the loop (see
    // src/pgtable/getleaf.ts: code after a long first loop has no type feedback
    // when V8 compiles it on-stack, and deoptimises there on every call).
    const lean = flat ? leanSumFlat(k, mem, lanes) : null;
    if (lean !== null) src.push(...lean);
    else {
      src.push(`function batchSum${suffix}(chunks, bump, ipas, from, to, needLo, forbidHi, acc) {`);
      if (root !== null && !flat) src.push(`  ${root.decl}`);
      src.push(`  let lo = acc[0], hi = acc[1], k = from;`);
      src.push(`  for (; k + ${lanes} <= to; k += ${lanes}) {`);
      src.push(...body);
      src.push(`    lo += ${lanes * LAST};`);
      src.push(each((v) => `    lo += ${paLo(v)}; hi += h${v};`));
      src.push(`    acc[0] = lo; acc[1] = hi;`);
      src.push(`  }`);
      src.push(`  return k;`);
      src.push(`}`);
    }
    // The flat batch does the groups over the arena, the rest lane by lane over the chunks (the same words).
    src.push(`function batch${suffix}(${flat ? "flat, chunks" : "chunks"}, bump, ipas, n, outPa, outStatus, needLo, forbidHi) {`);
    src.push(`  let slow = 0, k = 0;`);
    src.push(`  for (;;) {`);
    src.push(`    k = groups${suffix}(${flat ? "flat" : "chunks"}, bump, ipas, k, n, outPa, outStatus, needLo, forbidHi);`);
    src.push(`    const end = Math.min(k + ${lanes}, n);`);
    src.push(`    for (; k < end; k++) {`);
    src.push(`      const level = lane(chunks, bump, ipas, k, needLo, forbidHi, ONE);`);
    src.push(`      outStatus[k] = level;`);
    src.push(`      if (level >= 0) outPa[k] = ONE[0];`);
    src.push(`      else slow++;`);
    src.push(`    }`);
    src.push(`    if (k >= n) return slow;`);
    src.push(`  }`);
    src.push(`}`);
  }
  src.push(`return { one, lane, batch, batchSum${hasFlat ? ", batchFlat, batchSumFlat" : ""} };`);
  return src.join("\n");
}

/**
 * The (needLo, forbidHi) pairs the lean flat sum is compiled for with both as
 * literals: a read, a write, a fetch without and with FEAT_XNX (S2Walker's
 * needLo() and forbidHi()). Any other pair runs the same walk with them as
 * arguments.
 */
const SUM_ACCESSES: ReadonlyArray<readonly [string, number, number]> = [
  ["Read", PTE_VALID_LO | S2_AF_LO | S2AP_R_LO, 0],
  ["Write", PTE_VALID_LO | S2_AF_LO | S2AP_W_LO, 0],
  ["Exec", PTE_VALID_LO | S2_AF_LO, S2_XN_HI],
  ["ExecXnx", PTE_VALID_LO | S2_AF_LO, S2_XNX_HI],
];

/**
 * batchSumFlat() written lean, where the table memory allows it (else null):
 * the same groups, the same answers, fewer instructions a walk. Differences
 * from bodyOf(true) + the sums, each giving the same result on every input:
 *   - a table descriptor's next page is x >>> PAGE_SHIFT, taken only where
 *     y's bits 31 - PAGE_SHIFT .. 0 (PA bits 63 - PAGE_SHIFT .. 32) are the
 *     store's base's, whose low 32 bits are zero (as getleaf.ts's
 *     quickFollow): a subset of what emitNextPage() + guard() take, with the
 *     same page; the page's first word is then (x >>> 2) masked to the page,
 *     and page < bump is that word index below bump's;
 *   - the lanes' upper levels one lane after the other (they share a few
 *     table pages, which stay in cache; the leaves are the random loads), so
 *     only each lane's leaf word index lives across the group's leaf loads;
 *   - the start level's descriptor read once for a run of lanes in the IPA
 *     range it maps (a one-entry cache, [cLo, cHi) -> cb, kept across the
 *     groups of a call: the table memory does not change during one),
 *     checked when read; an IPA inside that range is inside the IPA space;
 *   - the high halves of the table descriptors in the page the cached root
 *     descriptor names left unread once that page is found clean (a scan of
 *     its entries once it has served its entries / lanes groups in a row: no
 *     table descriptor there has address bits above the page-number window
 *     other than the store's); another root entry sends the group back to
 *     the variant that reads them;
 *   - the checks of the table descriptors below the root and of the leaves
 *     accumulated over the group (an AND of the words for bits that must be
 *     set, an OR for bits that must be clear) and tested once at its end: a
 *     lane that fails one walks on through words of the arena (each page
 *     still checked below bump before it is read, so every load stays
 *     inside the arena, and nothing is written) and the group ends there, as
 *     it ended at the lane before;
 *   - the leaf check with the access's needLo | PTE_TYPE (a page at level 3)
 *     and forbidHi as literals (SUM_ACCESSES);
 *   - the sums in int32 per group: PA[31:0] = (x >>> PAGE_SHIFT) << PAGE_SHIFT
 *     | IPA[PAGE_SHIFT - 1 : 0], so Σ PA[31:0] = 2^PAGE_SHIFT Σ (x >>> PAGE_SHIFT)
 *     + Σ IPA[PAGE_SHIFT - 1 : 0], each a small integer sum;
 *   - a descriptor's high half read as hiw[o], a view of the arena one word
 *     on, where its low half is flat[o] (no o | 1 to compute);
 *   - an IPA that is not an integer ends the group (translate() refuses it
 *     with an ArgumentError; the lockstep groups used to truncate it).
 */
function leanSumFlat(k: KernelGeometry, mem: TableMemory, lanes: number): string[] | null {
  const PS = k.pageShift;
  const WS = mem.wordsShift;
  const LAST = KVM_PGTABLE_LAST_LEVEL;
  const below = 2 ** PS - 1;
  // The page's words at page << WS, and x >>> PS the page: the store's base has its low 32 bits clear.
  if (mem.basePa % 2 ** 32 !== 0 || WS !== PS - 2 || ((k.addrLo & ~below) | 0) !== (~below | 0) || lanes > 64) return null;
  const qMask = 2 ** (32 - PS) - 1;
  const qWant = Math.floor(mem.basePa / 2 ** 32) & qMask;
  const TABLE = PTE_VALID_LO | PTE_TYPE_LO;
  const tableMask = TABLE | (k.highOa === 1 ? ADDR_51_48_LO : k.highOa === 2 ? ADDR_51_50_LPA2_LO : 0);
  const hiLimit = 2 ** (k.paBits - 32);
  const ipaLimit = 2 ** k.iaBits;
  const rootShift = k.shifts[k.startLevel + 1];
  let needIh = false;
  for (let level = k.startLevel + 1; level <= LAST; level++) if (k.shifts[level + 1] + k.stride > 32) needIh = true;
  // Pages per bump beyond which every page x >>> PS can name is below bump (the word index stays an int32).
  const cap = 2 ** (32 - PS);
  const pageWords = -(2 ** WS) | 0;
  const base = k.pgd << WS;
  // Where every index below the root is in IPA[31:0] (no ih): il = IPA[31:0] alone (one conversion, no multiply,
  // and the in-page bits summed from it; measured on walk_random_1m_hw: 71.5 -> 67.0 instructions a walk against t).
  // Else the page number of the IPA: t = IPA[PS + 30 : PS] = floor(IPA / 2^PS), exact and non-negative for an integer
  // IPA below 2^ia_bits when ia_bits - PS <= 31 (every index is then bits of t, and no IPA[31:0] is needed).
  // Else il = IPA[31:0] and ih = IPA[52:32] as in the other kernels.
  const tMode = needIh && k.iaBits - PS <= 31 && lanes * 2 ** k.iaBits <= 2 ** 53;
  // Σ IPA[PS - 1 : 0] over a group in tMode: Σ IPA - 2^PS Σ t, taken modulo M = 2^(PS + 7) > lanes * 2^PS (the
  // sum itself is below that): Σ IPA modulo M from the exact double sum, Σ t modulo 2^7 from an int32 sum that may wrap.
  const M = 2 ** (PS + 7);
  // Twice the index at `level` (the word of its descriptor's low half in the page).
  const idx2 = (v: number, level: number): string => {
    const s = k.shifts[level + 1];
    const m = 2 * k.idxMask;
    if (tMode) return s === PS ? `((t${v} << 1) & ${m})` : `((t${v} >>> ${s - PS - 1}) & ${m})`;
    if (s + k.stride <= 32) return `((il${v} >>> ${s - 1}) & ${m})`;
    return `(${ipaBits(`il${v}`, `ih${v}`, s, k.stride)} << 1)`;
  };
  // Twice the start level's index over the concatenated root pages, IPA[ia-1 : rootShift] (no mask: the IPA is in range).
  const root2 = (v: number): string => {
    if (tMode) return rootShift === PS ? `(t${v} << 1)` : `((t${v} >>> ${rootShift - PS - 1}) & -2)`;
    return k.iaBits <= 32 ? `(((il${v} >>> ${rootShift}) & ${i32(2 ** (k.iaBits - rootShift) - 1)}) << 1)` : `(((a${v} * ${2 ** -rootShift}) | 0) << 1)`;
  };
  const highOa = (v: number): string =>
    k.highOa === 1
      ? ` | (((x${v} & ${ADDR_51_48_LO}) >>> ${ADDR_51_48_SHIFT}) << 16)`
      : k.highOa === 2
        ? ` | (((x${v} & ${ADDR_51_50_LPA2_LO}) >>> ${ADDR_51_50_LPA2_SHIFT}) << 18)`
        : "";
  const maxHi = k.addrHi | (k.highOa === 1 ? 0xf << 16 : k.highOa === 2 ? 0x3 << 18 : 0);
  const cached = k.startLevel < LAST;
  // The table checks of the levels below the root, accumulated over the group and tested once at its end (see above):
  // with no OA bits in the low half, every table descriptor has TABLE's bits set (an AND); else none has a bit of
  // tableMask other than TABLE's (an OR of x ^ TABLE).
  const tableAnd = tableMask === TABLE;
  const midLevels = cached && k.startLevel + 1 < LAST;
  // Groups on one cached page before its scan (its entries / lanes: a scan's cost spread over as many walks).
  const scanAfter = Math.max(1, Math.ceil((k.idxMask + 1) / lanes));
  const L = [...Array(lanes).keys()];
  const out: string[] = [];
  for (const [name, nl, fh] of [...SUM_ACCESSES, ["Any", -1, -1] as const]) {
    const need = nl < 0 ? "needL" : String(nl | PTE_TYPE_LO);
    const forbid = nl < 0 ? "forbidHi" : fh !== 0 ? String(fh) : null;
    out.push(`function sumFlat${name}(flat, hiw, bump, ipas, from, to, needLo, forbidHi, acc) {`);
    out.push(`  const bw = (bump < ${cap} ? bump : ${cap}) * ${2 ** WS};`);
    if (nl < 0) out.push(`  const needL = needLo | ${PTE_TYPE_LO};`);
    out.push(`  let lo = acc[0], hi = acc[1], k = from;`);
    // The root cache: the IPA range the start-level descriptor last read maps ([cLo, cHi)) and the first word of the
    // table page that descriptor names (cb), checked as a table in the store when it was read (the table memory does
    // not change during a call). `clean`: cb's page has no table descriptor with address bits above the page-number
    // window other than the store's (scanned once the same page has served `scanAfter` groups in a row, so that a
    // scan of its entries costs at most about a word per walk), so that its descriptors' high halves need no reading.
    if (cached) out.push(`  let cLo = Infinity, cHi = 0, cb = 0${midLevels ? ", clean = false, seen = -1, same = 0" : ""};`);
    out.push(`  for (; k + ${lanes} <= to; ) {`);
    // The upper levels, lane by lane: each lane's IPA, its in-page bits into the sums, its walk down to o<v>, the word of its leaf.
    out.push(tMode ? `    let sa = 0, st = 0;` : `    let si = 0;`);
    if (midLevels) out.push(`    let gx = ${tableAnd ? -1 : 0}, gy = 0;`);
    const laneLines = (v: number, cleanPage: boolean): string[] => {
      const o: string[] = [];
      // k + v as an int32 (| 0): no overflow check (k + v is below the array's length).
      o.push(`const a${v} = ipas[(k + ${v}) | 0];`);
      if (cached) {
        // Inside the root cache's range: inside the IPA space, and the start level's descriptor is the cached one.
        o.push(`if (!(a${v} >= cLo && a${v} < cHi)) {`);
        if (cleanPage) {
          // Another root entry: the group again, with the checks of every high half.
          o.push(`  clean = false;`);
          o.push(`  continue;`);
        } else {
          o.push(`  if (!(a${v} >= 0 && a${v} < ${ipaLimit})) break;`);
          // The start level's index (truncation is the floor here: a fraction ends the group just below).
          o.push(`  const r = (a${v} * ${2 ** -rootShift}) | 0, o = ${base === 0 ? "" : `${base} + `}(r << 1), x = flat[o];`);
          o.push(`  if (!((x & ${tableMask}) === ${TABLE} && (hiw[o] & ${qMask}) === ${qWant})) break;`);
          // The page's first word: below bw exactly when the page is below bump (bw is a whole number of pages).
          o.push(`  const b = (x >>> 2) & ${pageWords};`);
          o.push(`  if (!(b < bw)) break;`);
          o.push(`  cLo = r * ${2 ** rootShift}; cHi = cLo + ${2 ** rootShift}; cb = b;`);
        }
        o.push(`}`);
        o.push(`if (Math.floor(a${v}) !== a${v}) break;`);
      } else {
        o.push(`if (!(a${v} >= 0 && a${v} < ${ipaLimit} && Math.floor(a${v}) === a${v})) break;`);
      }
      if (tMode) {
        o.push(`const t${v} = (a${v} * ${2 ** -PS}) | 0;`);
        o.push(`sa += a${v}; st = (st + t${v}) | 0;`);
      } else {
        o.push(`const il${v} = a${v} | 0;${needIh ? ` const ih${v} = (a${v} * 2.3283064365386963e-10) | 0;` : ""}`);
        o.push(`si = (si + (il${v} & ${below})) | 0;`);
      }
      if (!cached) {
        o.push(`const o${v} = ${base === 0 ? "" : `${base} + `}${root2(v)};`);
        return o;
      }
      let page = "cb";
      for (let level = k.startLevel + 1; level < LAST; level++) {
        // A table descriptor below the root: its checks into gx and gy, its page's first word below bw (so that
        // every load stays inside the arena); a lane that fails a check walks on through words of the arena and
        // the group ends at its last check. In a clean page, a table descriptor's high half is the store's.
        const p = `p${v}_${level}`;
        o.push(`const o${v}_${level} = ${page} | ${idx2(v, level)}, x${v}_${level} = flat[o${v}_${level}];`);
        if (!(cleanPage && page === "cb")) o.push(`gy |= hiw[o${v}_${level}] ^ ${qWant};`);
        o.push(`gx ${tableAnd ? "&=" : "|="} x${v}_${level}${tableAnd ? "" : ` ^ ${TABLE}`};`);
        o.push(`const ${p} = (x${v}_${level} >>> 2) & ${pageWords};`);
        o.push(`if (!(${p} < bw)) break;`);
        page = p;
      }
      o.push(`const o${v} = ${page} | ${idx2(v, LAST)};`);
      return o;
    };
    const indent = (lines: string[], n: number): string[] => lines.map((line) => " ".repeat(n) + line);
    if (midLevels) {
      // The o<v> of the two variants, declared for the leaves.
      out.push(`    let ${L.map((v) => `o${v} = 0`).join(", ")};`);
      const variant = (cleanPage: boolean): string[] => L.flatMap((v) => laneLines(v, cleanPage).map((line) => line.replace(`const o${v} = `, `o${v} = `)));
      out.push(`    if (clean) {`);
      out.push(...indent(variant(true), 6));
      out.push(`    } else {`);
      out.push(...indent(variant(false), 6));
      out.push(`    }`);
    } else {
      for (const v of L) out.push(...indent(laneLines(v, false), 4));
    }
    // The leaves, lockstep: every lane's load issued before any is used, each folded at once into the group's
    // checks (gl: bits every leaf has; gh: bits any has) and sums, so that only the leaves' word indexes stay live.
    const ohNeeded = maxHi >= hiLimit;
    out.push(`    let gl = -1, sx = 0, sh = 0${forbid !== null ? ", gh = 0" : ""}${ohNeeded ? ", oh = 0" : ""};`);
    for (const v of L) {
      out.push(`    const xl${v} = flat[o${v}], yl${v} = hiw[o${v}];`);
      out.push(`    gl &= xl${v};${forbid !== null ? ` gh |= yl${v};` : ""} sx = (sx + (xl${v} >>> ${PS})) | 0;`);
      const h = `(yl${v} & ${k.addrHi})${highOa(v).replace(/\bx(\d+)/g, "xl$1")}`;
      out.push(ohNeeded ? `    const h${v} = ${h}; sh = (sh + h${v}) | 0; oh |= h${v};` : `    sh = (sh + ${h}) | 0;`);
    }
    // The group's checks: leaves that allow the access (and, where an output address can reach it, below the
    // output size: hiLimit is a power of two, so every h is below it exactly when their OR is), the tables below the root.
    const checks = [`(gl & ${need}) === ${need}`];
    if (forbid !== null) checks.push(`(gh & ${forbid}) === 0`);
    if (ohNeeded) checks.push(`oh < ${hiLimit}`);
    if (midLevels) checks.push(tableAnd ? `(gx & ${TABLE}) === ${TABLE}` : `(gx & ${tableMask}) === 0`, `(gy & ${qMask}) === 0`);
    out.push(`    if (!(${checks.join(" && ")})) break;`);
    if (tMode) {
      // Σ IPA[PS - 1 : 0] = (Σ IPA - 2^PS Σ t) mod M (see M).
      out.push(`    const si = (((sa - Math.floor(sa * ${1 / M}) * ${M}) | 0) - ((st & 127) << ${PS})) & ${M - 1};`);
    }
    out.push(`    lo += sx * ${2 ** PS} + si + ${lanes * LAST}; hi += sh;`);
    out.push(`    acc[0] = lo; acc[1] = hi;`);
    if (midLevels) {
      // The same page for scanAfter groups in a row: scan it once (a page found not clean is not scanned again
      // while it stays the cached one: same goes past scanAfter).
      out.push(`    if (!clean) {`);
      out.push(`      if (cb !== seen) { seen = cb; same = 0; }`);
      out.push(`      else if (++same === ${scanAfter}) {`);
      out.push(`        clean = true;`);
      out.push(`        for (let i = cb, e = cb + ${2 * (k.idxMask + 1)}; i < e; i += 2) {`);
      out.push(`          if ((flat[i] & ${tableMask}) === ${TABLE} && (hiw[i] & ${qMask}) !== ${qWant}) { clean = false; break; }`);
      out.push(`        }`);
      out.push(`      }`);
      out.push(`    }`);
    }
    out.push(`    k += ${lanes};`);
    out.push(`  }`);
    out.push(`  return k;`);
    out.push(`}`);
  }
  // hiw: the flat arena seen one word on, so that a descriptor's high half is hiw[o] where its low half is flat[o]
  // (no o | 1 to compute): the same memory, a view made once per arena (weakly held: it keeps no old arena alive).
  out.push(`const HI_WORDS = new WeakMap();`);
  out.push(`function batchSumFlat(flat, bump, ipas, from, to, needLo, forbidHi, acc) {`);
  out.push(`  if (flat.length < 2) return from;`);
  out.push(`  let hiw = HI_WORDS.get(flat);`);
  out.push(`  if (hiw === undefined) { hiw = new Int32Array(flat.buffer, flat.byteOffset + 4, flat.length - 1); HI_WORDS.set(flat, hiw); }`);
  for (const [name, nl, fh] of SUM_ACCESSES) {
    out.push(`  if (needLo === ${nl} && forbidHi === ${fh}) return sumFlat${name}(flat, hiw, bump, ipas, from, to, needLo, forbidHi, acc);`);
  }
  out.push(`  return sumFlatAny(flat, hiw, bump, ipas, from, to, needLo, forbidHi, acc);`);
  out.push(`}`);
  return out;
}

/** Compile the kernel for a table, or return null where the engine forbids code generation. */
export function buildKernel(pgt: WalkTables, lanes = LANES): WalkKernel | null {
  if (pgt.geom.startLevel < 0) return null; // no KVM geometry starts at level -1; the complete walk handles it
  const source = kernelSource(pgt, lanes);
  let made: Pick<WalkKernel, "one" | "lane" | "batch" | "batchSum"> & Partial<Pick<WalkKernel, "batchFlat" | "batchSumFlat">>;
  try {
    // The walk kernel is JavaScript generated for this table's geometry (kernelSource): code generation is the point.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
    made = new Function(source)() as Pick<WalkKernel, "one" | "lane" | "batch" | "batchSum"> & Partial<Pick<WalkKernel, "batchFlat" | "batchSumFlat">>;
  } catch (e) {
    if (e instanceof EvalError) return null; // e.g. a Content-Security-Policy without unsafe-eval
    throw e;
  }
  return {
    one: made.one,
    lane: made.lane,
    batch: made.batch,
    batchSum: made.batchSum,
    batchFlat: made.batchFlat ?? null,
    batchSumFlat: made.batchSumFlat ?? null,
    lanes,
    // Written again when asked for: a walker does not hold the tens of kilobytes of text (the engine keeps its own copy).
    get source(): string {
      return kernelSource(pgt, lanes);
    },
  };
}
