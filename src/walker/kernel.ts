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
} from "../pgtable/descriptor.js";
import { blockDescSupported } from "../pgtable/geometry.js";
import { emitFlatLoad, emitFlatRootLoad, emitLoad, emitNextPage, guard, i32, ipaBits, rootTable, storeMemory, type WalkTables } from "../pgtable/walkgen.js";

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
