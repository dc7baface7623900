/**
 * The walk's fast path, generated for one table geometry.
 *
 * Why generated: V8 makes a walk with the geometry in variables (shift
 * counts, masks, the root page, the table-page base) about twice as slow as
 * the same walk with those values as literals, and a walk one IPA at a time
 * leaves the CPU waiting on one cache miss after another. So, once per
 * S2Walker, this module writes the common case as JavaScript source with
 * every geometry value a literal, walking four IPAs in lockstep (their
 * descriptor loads overlap), and compiles it with `new Function`. The source
 * contains no input data: only numbers derived from the Stage2Config and the
 * table store's fixed layout (S2Walker.kernelSource shows it).
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

import { ADDR_51_48_LO, ADDR_51_48_SHIFT, ADDR_51_50_LPA2_LO, ADDR_51_50_LPA2_SHIFT, KVM_PGTABLE_LAST_LEVEL, PTE_TYPE_LO, PTE_VALID_LO } from "../pgtable/descriptor.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { blockDescSupported } from "../pgtable/geometry.js";

/**
 * The table store's arena words, read and written by index: a Uint32Array or an
 * Int32Array (the kernel and the walker use only bit operations on them).
 */
export interface DescriptorWords {
  [index: number]: number;
  readonly length: number;
}

/** IPAs walked in lockstep by the batch kernel. */
export const LANES = 4;

/**
 * batch(chunks, bump, ipas, n, outPa, outStatus, needLo, forbidHi): for each
 * k, outPa[k] = PA and outStatus[k] = leaf level, or outStatus[k] = -1 when
 * the fast path does not apply; returns how many are -1.
 * one(chunks, bump, il, ih, needLo, forbidHi, out): for an IPA below the IPA
 * size given as int32 halves, the leaf level with out[0] = PA and out[1],
 * out[2] = the leaf descriptor's halves, or -1.
 */
export interface WalkKernel {
  batch(chunks: readonly DescriptorWords[], bump: number, ipas: Float64Array, n: number, outPa: Float64Array, outStatus: Int32Array, needLo: number, forbidHi: number): number;
  one(chunks: readonly DescriptorWords[], bump: number, il: number, ih: number, needLo: number, forbidHi: number, out: Float64Array): number;
  source: string;
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
  rootBits: number;
  chunkShift: number;
  chunkMask: number;
  wordsShift: number;
  addrLo: number;
  addrHi: number;
  /** 0 none, 1 = 64K OA[51:48] in bits 15:12, 2 = FEAT_LPA2 OA[51:50] in bits 9:8. */
  highOa: number;
  basePa: number;
  blocks: readonly boolean[];
}

function geometryOf(pgt: KvmPgtable): KernelGeometry {
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
    rootBits: g.iaBits - g.shifts[g.startLevel + 1],
    chunkShift: pgt.store.chunkShift,
    chunkMask: pgt.store.chunkMask,
    wordsShift: pgt.store.wordsShift,
    addrLo: pgt.fmt.addrLo | 0,
    addrHi: pgt.fmt.addrHi,
    highOa: pgt.fmt.highOa,
    basePa: pgt.store.basePa,
    blocks,
  };
}

/** A literal for a 32-bit mask, written as the int32 JavaScript's bit operators produce. */
function i32(v: number): string {
  return String(v | 0);
}

/** IPA bits [shift + bits - 1 : shift] of (il, ih) as an int32 expression. */
function ipaBits(il: string, ih: string, shift: number, bits: number): string {
  const mask = bits >= 32 ? -1 : (1 << bits) - 1;
  if (shift >= 32) return `((${ih} >>> ${shift - 32}) & ${i32(mask)})`;
  if (shift + bits <= 32) return `((${il} >>> ${shift}) & ${i32(mask)})`;
  return `(((${il} >>> ${shift}) | (${ih} << ${32 - shift})) & ${i32(mask)})`;
}

/** Source text of the kernel for this geometry (exported for inspection and tests). */
export function kernelSource(pgt: KvmPgtable, lanes = LANES): string {
  const k = geometryOf(pgt);
  if (k.startLevel < 0 || k.startLevel > KVM_PGTABLE_LAST_LEVEL) throw new RangeError(`no kernel for start level ${k.startLevel}`);
  const PS = k.pageShift;
  const TABLE = PTE_VALID_LO | PTE_TYPE_LO;
  const tableMask = TABLE | (k.highOa === 1 ? ADDR_51_48_LO : k.highOa === 2 ? ADDR_51_50_LPA2_LO : 0);
  // Address bits above the 32-bit page-number window, in the high half: they must be the table store's.
  const guardMask = k.addrHi & ~((1 << PS) - 1);
  const guardVal = Math.floor(k.basePa / 4294967296) & guardMask;
  const baseLo = (k.basePa / 2 ** PS) % 4294967296 | 0;
  const hiLimit = 2 ** (k.paBits - 32);
  const ipaLimit = 2 ** k.iaBits;
  const highOa = k.highOa === 1 ? ` | (((x & ${ADDR_51_48_LO}) >>> ${ADDR_51_48_SHIFT}) << 16)` : k.highOa === 2 ? ` | (((x & ${ADDR_51_50_LPA2_LO}) >>> ${ADDR_51_50_LPA2_SHIFT}) << 18)` : "";

  const rootIdx = (v: string): string => ipaBits(`il${v}`, `ih${v}`, k.shifts[k.startLevel + 1], k.rootBits);
  const levelIdx = (v: string, level: number): string => ipaBits(`il${v}`, `ih${v}`, k.shifts[level + 1], k.stride);
  const load = (v: string, idx: string): string =>
    `{ const c = chunks[p${v} >>> ${k.chunkShift}]; const o = ((p${v} & ${k.chunkMask}) << ${k.wordsShift}) + (${idx} << 1); x${v} = c[o]; y${v} = c[o + 1]; }`;
  const isTable = (v: string): string => `(x${v} & ${tableMask}) === ${TABLE} && (y${v} & ${i32(guardMask)}) === ${i32(guardVal)}`;
  const nextPage = (v: string): string => `((((x${v} >>> ${PS}) | (y${v} << ${32 - PS})) - ${baseLo}) | 0)`;
  /** The leaf at `level` in (x, y): returns from `one` with its level, or -1. */
  const leafPa = (level: number): string => {
    const s = k.shifts[level + 1];
    const typeOk = level === KVM_PGTABLE_LAST_LEVEL ? `(x & ${PTE_TYPE_LO}) !== 0` : k.blocks[level + 1] ? `(x & ${PTE_TYPE_LO}) === 0` : "false";
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
  src.push(`// s2pt stage-2 walk kernel: ${pgt.geom.granule} granule, ${k.iaBits}-bit IPA, start level ${k.startLevel}, ${k.paBits}-bit PA${pgt.geom.lpa2 ? ", LPA2" : ""}`);
  // one(): a single IPA, levels unrolled.
  // The IPA arrives split (il = IPA[31:0], ih = IPA[52:32], as int32) and
  // already checked against the IPA size: small integers cross the call unboxed.
  src.push(`function one(chunks, bump, il, ih, needLo, forbidHi, out) {`);
  src.push(`  const r = ${rootIdx("")};`);
  src.push(`  let p = ${k.pgd} + (r >>> ${k.stride}), x = 0, y = 0;`);
  for (let level = k.startLevel; level <= KVM_PGTABLE_LAST_LEVEL; level++) {
    const idx = level === k.startLevel ? `(r & ${k.idxMask})` : levelIdx("", level);
    src.push(`  ${load("", idx)}`);
    if (level < KVM_PGTABLE_LAST_LEVEL) {
      src.push(`  if (${isTable("")}) {`);
      src.push(`    const n = ${nextPage("")};`);
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

  // batch(): groups of `lanes` IPAs walked in lockstep while every one of them
  // is on a table walk down to a level-3 page; a group that does anything
  // else is done lane by lane with one().
  const L = [...Array(lanes).keys()];
  const each = (f: (v: number) => string, sep = "\n"): string => L.map(f).join(sep);
  src.push(`const ONE = new Float64Array(3);`);
  src.push(`function single(chunks, bump, ipas, k, outPa, outStatus, needLo, forbidHi) {`);
  src.push(`  const a = ipas[k];`);
  src.push(`  if (!(a >= 0 && a < ${ipaLimit})) { outStatus[k] = -1; return 1; }`);
  src.push(`  const level = one(chunks, bump, a | 0, (a * 2.3283064365386963e-10) | 0, needLo, forbidHi, ONE);`);
  src.push(`  outStatus[k] = level;`);
  src.push(`  if (level >= 0) { outPa[k] = ONE[0]; return 0; }`);
  src.push(`  return 1;`);
  src.push(`}`);
  src.push(`function batch(chunks, bump, ipas, n, outPa, outStatus, needLo, forbidHi) {`);
  src.push(`  let slow = 0;`);
  src.push(`  let k = 0;`);
  src.push(`  group: for (; k + ${lanes} <= n; k += ${lanes}) {`);
  src.push(each((v) => `    const a${v} = ipas[k + ${v}];`));
  src.push(`    if (!(${each((v) => `a${v} >= 0 && a${v} < ${ipaLimit}`, " && ")})) {`);
  src.push(`      for (let j = 0; j < ${lanes}; j++) slow += single(chunks, bump, ipas, k + j, outPa, outStatus, needLo, forbidHi);`);
  src.push(`      continue group;`);
  src.push(`    }`);
  src.push(each((v) => `    const il${v} = a${v} | 0, ih${v} = (a${v} * 2.3283064365386963e-10) | 0;`));
  src.push(each((v) => `    const r${v} = ${rootIdx(String(v))};`));
  src.push(each((v) => `    let p${v} = ${k.pgd} + (r${v} >>> ${k.stride}), x${v} = 0, y${v} = 0;`));
  for (let level = k.startLevel; level <= KVM_PGTABLE_LAST_LEVEL; level++) {
    src.push(each((v) => `    ${load(String(v), level === k.startLevel ? `(r${v} & ${k.idxMask})` : levelIdx(String(v), level))}`));
    if (level < KVM_PGTABLE_LAST_LEVEL) {
      src.push(each((v) => `    const n${level + 1}_${v} = ${nextPage(String(v))};`));
      src.push(`    if (!(${each((v) => `${isTable(String(v))} && (n${level + 1}_${v} >>> 0) < bump`, " && ")})) {`);
      src.push(`      for (let j = 0; j < ${lanes}; j++) slow += single(chunks, bump, ipas, k + j, outPa, outStatus, needLo, forbidHi);`);
      src.push(`      continue group;`);
      src.push(`    }`);
      src.push(each((v) => `    p${v} = n${level + 1}_${v};`));
    }
  }
  // Level-3 pages that allow the access.
  const below = -1 >>> (32 - PS);
  src.push(`    if (!(${each((v) => `(x${v} & needLo) === needLo && (y${v} & forbidHi) === 0 && (x${v} & ${PTE_TYPE_LO}) !== 0`, " && ")})) {`);
  src.push(`      for (let j = 0; j < ${lanes}; j++) slow += single(chunks, bump, ipas, k + j, outPa, outStatus, needLo, forbidHi);`);
  src.push(`      continue group;`);
  src.push(`    }`);
  for (const v of L) {
    const hi = `((y${v} & ${k.addrHi})${highOa.replace(/\bx\b/g, `x${v}`)})`;
    src.push(`    const h${v} = ${hi};`);
  }
  src.push(`    if (!(${each((v) => `h${v} < ${hiLimit}`, " && ")})) {`);
  src.push(`      for (let j = 0; j < ${lanes}; j++) slow += single(chunks, bump, ipas, k + j, outPa, outStatus, needLo, forbidHi);`);
  src.push(`      continue group;`);
  src.push(`    }`);
  src.push(each((v) => `    outPa[k + ${v}] = h${v} * 4294967296 + (((x${v} & ${i32(k.addrLo)}) | (il${v} & ${i32(below)})) >>> 0); outStatus[k + ${v}] = ${KVM_PGTABLE_LAST_LEVEL};`));
  src.push(`  }`);
  src.push(`  for (; k < n; k++) slow += single(chunks, bump, ipas, k, outPa, outStatus, needLo, forbidHi);`);
  src.push(`  return slow;`);
  src.push(`}`);
  src.push(`return { one, batch };`);
  return src.join("\n");
}

/** Compile the kernel for a table, or return null where the engine forbids code generation. */
export function buildKernel(pgt: KvmPgtable, lanes = LANES): WalkKernel | null {
  if (pgt.geom.startLevel < 0) return null; // no KVM geometry starts at level -1; the complete walk handles it
  const source = kernelSource(pgt, lanes);
  let made: { one: WalkKernel["one"]; batch: WalkKernel["batch"] };
  try {
    made = new Function(source)() as { one: WalkKernel["one"]; batch: WalkKernel["batch"] };
  } catch (e) {
    if (e instanceof EvalError) return null; // e.g. a Content-Security-Policy without unsafe-eval
    throw e;
  }
  return { one: made.one, batch: made.batch, source };
}
