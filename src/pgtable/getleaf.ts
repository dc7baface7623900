/**
 * kvm_pgtable_get_leaf() for many IPAs at once: the descriptor that
 * translates each IPA (or the entry that stops the walk) and its level,
 * exactly as KvmPgtable.getLeafFast() answers them one at a time.
 *
 * kvm_pgtable_get_leaf(pgt, addr, &pte, &level) walks one page with
 * leaf_walker as its only (LEAF) visitor: it descends every table entry and
 * stops at the first entry that is not a table (invalid, a block, an
 * annotation, or any last-level entry), which ends the one-page range. This
 * module runs that descent as a kernel compiled for the table's geometry
 * (src/pgtable/walkgen.ts), LANES IPAs in lockstep so that their descriptor
 * loads overlap, and adds up the results inside the kernel when only their
 * sum is wanted (checksum(): sol.c's walk_random_1m checksum, the sum of
 * descriptor + level).
 *
 * What the kernel does itself: an IPA that is an integer in [0, 2^ia_bits)
 * (anything else is left to getLeaf(), with its argument checks and its
 * -ERANGE), descended through table entries whose next page the table store
 * holds (below its bump pointer; an entry pointing elsewhere is left to
 * getLeaf() too, which reads what it reads there: that check keeps the
 * kernel's own reads inside the store, it changes no answer). The next-page
 * computation is KvmPgtable's kvm_pte_follow() (address bits
 * [pageShift + 31 : pageShift] less the store's base, modulo 2^32), so on
 * every input the kernel takes it reads the same entries as getLeaf().
 * test/property/walk-batch.property.test.ts compares the two, and the
 * generic kvm_pgtable_walk() path (fastPaths off), on random tables of every
 * geometry, scribbled ones included.
 */

import { KVM_PGTABLE_LAST_LEVEL, PTE_TYPE_LO, PTE_VALID_LO } from "./descriptor.js";
import { KvmPgtable } from "./pgtable.js";
import type { TableStore } from "./storage.js";
import { ArgumentError, checkInstance, checkObject, shown } from "./args.js";
import {
  SUM_SPAN,
  addSum64,
  emitFlatLoad,
  emitFlatRootLoad,
  emitLoad,
  emitNextPage,
  flatArena,
  ipaBits,
  memoryArgument,
  rootTable,
  storeMemory,
  type TableMemory,
} from "./walkgen.js";

/** IPAs walked in lockstep (measured: docs/benchmarks.md, "before/after per change"). */
export const GETLEAF_LANES = 16;

/** What one() returns for an IPA the kernel leaves to getLeaf() (not a level: levels are -1..3). */
const NOT_MINE = -100;

/** Called by the kernel for IPA k, which getLeaf() must answer. */
interface KernelHost {
  slowSum(k: number, acc: Float64Array): void;
  slowInto(k: number, outLo: Uint32Array, outHi: Uint32Array, outLevel: Int32Array): void;
}

type MemoryArg = readonly Int32Array[];

/** GetLeafKernel.leafOver()'s leafIn: GetLeafBatch.leaf() of batch `o` (`out` checked by leaf()). */
type LeafFn = (a: number, out: Uint32Array, o: GetLeafBatch) => number;
/** The same, the halves into the batch's resLo and resHi (GetLeafBatch.leafAt()). */
type LeafAtFn = (a: number, o: GetLeafBatch) => number;

/**
 * The compiled kernel. sum() and into() run the lockstep groups from `from`
 * while every lane of a group is in range and descends through table entries
 * to the last level, and return where they stopped: `to` minus less than a
 * group, or the start of a group they did not take. laneSum() and laneInto()
 * do one IPA, any case (host.slowSum / host.slowInto for what getLeaf() must
 * answer).
 */
interface GetLeafKernel {
  /** acc[0] += Σ low halves + levels, acc[1] += Σ high halves of the groups it takes. */
  sum(mem: MemoryArg, bump: number, ipas: Float64Array, from: number, to: number, acc: Float64Array): number;
  into(mem: MemoryArg, bump: number, ipas: Float64Array, from: number, to: number, outLo: Uint32Array, outHi: Uint32Array, outLevel: Int32Array): number;
  /**
   * GetLeafBatch.leaf() and leafAt() of one IPA (any value) over the flat
   * arena `flat` of `store`, `pgt`'s (see leafOverSource()): they answer
   * every call, through the batch's leafSlow() / leafAtSlow() for what the
   * arena does not answer (when `flat` is no longer the store's arena, among
   * others). `flat` (at least two words), `store` and `pgt` are constants of
   * the functions.
   */
  leafOver(flat: Int32Array, store: TableStore, pgt: KvmPgtable): { leafIn: LeafFn; leafAtIn: LeafAtFn };
  /** sum() and into() over the store's flat arena (TableStore.flatten(): flatPages >= bump). */
  sumFlat(flat: Int32Array, bump: number, ipas: Float64Array, from: number, to: number, acc: Float64Array): number;
  intoFlat(flat: Int32Array, bump: number, ipas: Float64Array, from: number, to: number, outLo: Uint32Array, outHi: Uint32Array, outLevel: Int32Array): number;
  laneSum(mem: MemoryArg, bump: number, ipas: Float64Array, k: number, acc: Float64Array, host: KernelHost): void;
  laneInto(mem: MemoryArg, bump: number, ipas: Float64Array, k: number, outLo: Uint32Array, outHi: Uint32Array, outLevel: Int32Array, host: KernelHost): void;
}

/** Source of the get_leaf kernel for a table (exported for inspection and tests). */
export function getLeafKernelSource(pgt: KvmPgtable, lanes = GETLEAF_LANES): string {
  const g = pgt.geom;
  const mem = storeMemory(pgt.store);
  const start = g.startLevel;
  const stride = g.pageShift - 3;
  const idxMask = g.ptrsPerPte - 1;
  const rootShift = g.shifts[start + 1];
  const ipaLimit = 2 ** g.iaBits;
  const TABLE = PTE_VALID_LO | PTE_TYPE_LO;
  const LAST = KVM_PGTABLE_LAST_LEVEL;
  // The IPA's high half is needed where an index below the root has bits above 31.
  let needIh = false;
  for (let level = start + 1; level <= LAST; level++) if (g.shifts[level + 1] + stride > 32) needIh = true;
  const root = rootTable(mem, "mem", "root", pgt.pgd, g.pgdPages);
  const halves = (v: string): string => `const il${v} = a${v} | 0${needIh ? `, ih${v} = (a${v} * 2.3283064365386963e-10) | 0` : ""};`;
  // The start level's index over all the root pages: IPA[ia-1 : shift(start)] = floor(a / 2^shift), a < 2^ia_bits.
  const rootIndex = (v: string): string => `(a${v} * ${2 ** -rootShift}) | 0`;
  const levelIdx = (v: string, level: number): string => ipaBits(`il${v}`, `ih${v}`, g.shifts[level + 1], stride);
  const loadRoot = (v: string): string =>
    root !== null
      ? root.load(`r${v}`, `x${v}`, `y${v}`)
      : emitLoad(mem, "mem", `(${pgt.pgd} + (r${v} >>> ${stride}))`, `(r${v} & ${idxMask})`, `x${v}`, `y${v}`);
  const inRange = (v: string): string => `a${v} >= 0 && a${v} < ${ipaLimit} && Math.floor(a${v}) === a${v}`;

  const src: string[] = [];
  src.push(`"use strict";`);
  src.push(`// s2pt kvm_pgtable_get_leaf kernel: ${g.granule} granule, ${g.iaBits}-bit IPA, start level ${start}, ${lanes} lanes`);
  // one(): a single IPA in range, every level; returns the level (descriptor in out) or NOT_MINE.
  src.push(`function one(mem, bump, a, out) {`);
  if (root !== null) src.push(`  ${root.decl}`);
  src.push(`  ${halves("")}`);
  src.push(`  const r = ${rootIndex("")};`);
  src.push(`  let x = 0, y = 0, p = 0;`);
  src.push(`  ${loadRoot("")}`);
  for (let level = start; level <= LAST; level++) {
    if (level > start) src.push(`  ${emitLoad(mem, "mem", "p", levelIdx("", level), "x", "y")}`);
    if (level < LAST) {
      src.push(`  if ((x & ${TABLE}) !== ${TABLE}) { out[0] = x >>> 0; out[1] = y >>> 0; return ${level}; }`);
      src.push(`  p = ${emitNextPage(mem, "x", "y")};`);
      src.push(`  if ((p >>> 0) >= bump) return ${NOT_MINE};`);
    } else {
      src.push(`  out[0] = x >>> 0; out[1] = y >>> 0; return ${LAST};`);
    }
  }
  src.push(`}`);
  src.push(...leafOverSource(pgt));
  src.push(`const ONE = new Float64Array(2);`);
  // Lane by lane, for a group the lockstep path does not take.
  src.push(`function laneSum(mem, bump, ipas, k, acc, host) {`);
  src.push(`  const a = ipas[k];`);
  src.push(`  const level = ${inRange("")} ? one(mem, bump, a, ONE) : ${NOT_MINE};`);
  src.push(`  if (level === ${NOT_MINE}) { host.slowSum(k, acc); return; }`);
  src.push(`  acc[0] += ONE[0] + level; acc[1] += ONE[1];`);
  src.push(`}`);
  src.push(`function laneInto(mem, bump, ipas, k, outLo, outHi, outLevel, host) {`);
  src.push(`  const a = ipas[k];`);
  src.push(`  const level = ${inRange("")} ? one(mem, bump, a, ONE) : ${NOT_MINE};`);
  src.push(`  if (level === ${NOT_MINE}) { host.slowInto(k, outLo, outHi, outLevel); return; }`);
  src.push(`  outLo[k] = ONE[0]; outHi[k] = ONE[1]; outLevel[k] = level;`);
  src.push(`}`);

  // The lockstep body: `lanes` IPAs all in range, all through table entries down to the last level.
  const L = [...Array(lanes).keys()];
  const each = (f: (v: number) => string, sep = "\n"): string => L.map(f).join(sep);
  // flat: the descriptors read from the store's flat arena `mem` (an Int32Array holding every page below bump).
  const body = (bail: string, flat: boolean): string[] => {
    const b: string[] = [];
    b.push(each((v) => `    const a${v} = ipas[k + ${v}];`));
    b.push(`    if (!(${each((v) => inRange(String(v)), " && ")})) ${bail}`);
    b.push(each((v) => `    ${halves(String(v))} const r${v} = ${rootIndex(String(v))}; let x${v} = 0, y${v} = 0;`));
    b.push(each((v) => `    ${flat ? emitFlatRootLoad(mem, "mem", pgt.pgd, `r${v}`, `x${v}`, `y${v}`) : loadRoot(String(v))}`));
    for (let level = start + 1; level <= LAST; level++) {
      const quick = flat ? quickFollow(mem) : null;
      if (quick !== null) {
        // As followFlat(): the page is x >>> pageShift where y's bits above it are the store's.
        b.push(each((v) => `    const p${v}_${level} = x${v} >>> ${mem.pageShift};`));
        const ok = (v: number): string => `(x${v} & ${TABLE}) === ${TABLE} && (y${v} & ${quick.mask}) === ${quick.want} && p${v}_${level} < bump`;
        b.push(`    if (!(${each(ok, " && ")})) ${bail}`);
      } else {
        b.push(each((v) => `    const p${v}_${level} = ${emitNextPage(mem, `x${v}`, `y${v}`)};`));
        b.push(`    if (!(${each((v) => `(x${v} & ${TABLE}) === ${TABLE} && (p${v}_${level} >>> 0) < bump`, " && ")})) ${bail}`);
      }
      const idx = (v: number): string => levelIdx(String(v), level);
      b.push(each((v) => `    ${(flat ? emitFlatLoad : emitLoad)(mem, "mem", `p${v}_${level}`, idx(v), `x${v}`, `y${v}`)}`));
    }
    return b;
  };
  // sum() and into() stop at the first group they do not take and return its
  // index (the caller does that group lane by lane and calls again): no call
  // in the lockstep loop, so V8 compiles it as one tight loop.
  // The sums go to acc at the end of every group, not after the loop: V8
  // compiles a long first call on-stack while it is still in the loop, with
  // no type feedback yet for code after it, and leaves that compiled code
  // (deoptimising at its exit on every later call) in place.
  const lean = leanSumFlatSource(pgt, lanes);
  if (lean !== null) src.push(...lean);
  for (const flat of [false, true]) {
    const suffix = flat ? "Flat" : "";
    // sumFlat: the lean one where it applies (it takes the same groups and sums the same words).
    src.push(`function sum${suffix}${flat && lean !== null ? "Old" : ""}(mem, bump, ipas, from, to, acc) {`);
    if (root !== null && !flat) src.push(`  ${root.decl}`);
    src.push(`  let lo = acc[0], hi = acc[1], k = from;`);
    src.push(`  for (; k + ${lanes} <= to; k += ${lanes}) {`);
    src.push(...body(`break;`, flat));
    // Every lane found a last-level entry: its level is LAST.
    src.push(`    lo += ${lanes * LAST};`);
    src.push(each((v) => `    lo += x${v} >>> 0; hi += y${v} >>> 0;`));
    src.push(`    acc[0] = lo; acc[1] = hi;`);
    src.push(`  }`);
    src.push(`  return k;`);
    src.push(`}`);
    src.push(`function into${suffix}(mem, bump, ipas, from, to, outLo, outHi, outLevel) {`);
    if (root !== null && !flat) src.push(`  ${root.decl}`);
    src.push(`  let k = from;`);
    src.push(`  for (; k + ${lanes} <= to; k += ${lanes}) {`);
    src.push(...body(`break;`, flat));
    src.push(each((v) => `    outLo[k + ${v}] = x${v}; outHi[k + ${v}] = y${v}; outLevel[k + ${v}] = ${LAST};`));
    src.push(`  }`);
    src.push(`  return k;`);
    src.push(`}`);
  }
  src.push(`return { sum, into, sumFlat, intoFlat, leafOver, laneSum, laneInto };`);
  return src.join("\n");
}

/**
 * Source of leafOver(mem, store, pgt) (GetLeafKernel.leafOver): leafAtIn(a,
 * o) and leafIn(a, out, o), kvm_pgtable_get_leaf() of one IPA `a` (any
 * value) over the table store's flat arena `mem`, made for one GetLeafBatch
 * `o` at a time by its slow path. Everything that does not change per call
 * is a constant of the function, so that V8, inlining it into a caller's
 * loop, embeds it instead of loading it: the geometry as literals; `mem`,
 * `store` and `pgt` (bindings of the closure that are never assigned: the
 * arena's data pointer and length, the store's and table's addresses); the
 * high halves read from `hiw`, a view of `mem` one word on (a descriptor's
 * high half is hiw[w] where its low half is mem[w]: no w + 1).
 *
 * Per call, what leafAt() used to check before calling it (the arena is
 * still the store's `flat`, the table is not destroyed, no operation is
 * calling a store hook; the store's walkWords, min(bump, flatPages) <<
 * WS, bounds the word indices read below the root), then the descent:
 * the start level's entry, then while the entry is a table descriptor as
 * KVM writes one into the store (kvm_init_table_pte(): the table's PA,
 * valid, table, no other bit; where the store's base has its low 32 bits
 * clear, quickFollow()), the next level's entry at word (x >>> 2) + 2 *
 * index: the page << WS, below walkWords exactly when the page is below
 * bump and inside the arena (a store based at 2^31, 32-bit PAs, follows every table descriptor
 * through emitNextPage() instead). Any other table descriptor, an IPA
 * getLeaf() refuses or answers -ERANGE for, and a table page beyond bump
 * go to o.leafAtSlow() / o.leafSlow(), that is getLeaf(), which reads what
 * it reads there. One exit writes the result, so that a caller inlining the
 * function reads the halves it just stored without loading them.
 */
function leafOverSource(pgt: KvmPgtable): string[] {
  const g = pgt.geom;
  const mem = storeMemory(pgt.store);
  const PS = g.pageShift;
  const WS = mem.wordsShift;
  const start = g.startLevel;
  const LAST = KVM_PGTABLE_LAST_LEVEL;
  const stride = PS - 3;
  const m2 = 2 * (g.ptrsPerPte - 1);
  const TABLE = PTE_VALID_LO | PTE_TYPE_LO;
  const rootShift = g.shifts[start + 1];
  // tMode: every index is bits of t = IPA[PS + 30 : PS] = floor(IPA / 2^PS), exact for an integer IPA below 2^ia_bits.
  const tMode = g.iaBits - PS <= 31;
  let needIh = false;
  for (let level = start + 1; level <= LAST; level++) if (g.shifts[level + 1] + stride > 32) needIh = true;
  const quick = WS === PS - 2 ? quickFollow(mem) : null;
  const idx2 = (level: number): string => {
    const s = g.shifts[level + 1];
    if (tMode) return s === PS ? `((t << 1) & ${m2})` : `((t >>> ${s - PS - 1}) & ${m2})`;
    if (s + stride <= 32) return `((il >>> ${s - 1}) & ${m2})`;
    return `(${ipaBits("il", "ih", s, stride)} << 1)`;
  };
  // Twice the start level's index over the concatenated root pages (IPA[ia-1 : rootShift]; the IPA is in range).
  const root2 = tMode ? (rootShift === PS ? `(t << 1)` : `((t >>> ${rootShift - PS - 1}) & -2)`) : `(((a * ${2 ** -rootShift}) | 0) << 1)`;
  const base = pgt.pgd << WS;
  const body = (slow: string, exit: string): string[] => {
    const b: string[] = [];
    // Any value may come in (a BigInt, a Symbol, an object): only a number is compared, the rest goes to getLeaf()'s checks.
    b.push(`    if (!(typeof a === "number" && a >= 0 && a < ${2 ** g.iaBits} && Math.floor(a) === a)) return ${slow};`);
    b.push(`    if (store.flat !== mem || pgt.operationRunning || pgt.destroyed === true) return ${slow};`);
    // Word indices below bw are in pages below bump and inside mem (TableStore.walkWords).
    b.push(`    const bw = store.walkWords;`);
    if (tMode) b.push(`    const t = (a * ${2 ** -PS}) | 0;`);
    else b.push(`    const il = a | 0${needIh ? `, ih = (a * 2.3283064365386963e-10) | 0` : ""};`);
    if (quick === null) b.push(`    const bump = bw >> ${WS};`);
    b.push(`    let w = ${base === 0 ? "" : `${base} + `}${root2};`);
    b.push(`    let x = mem[w], y = hiw[w], level = ${start};`);
    let indent = "    ";
    for (let level = start + 1; level <= LAST; level++) {
      if (quick !== null) {
        // A table descriptor as KVM writes one into the store (kvm_init_table_pte(): the table's PA, valid, table,
        // nothing else): its word index is x >>> 2 (the page << WS, the low bits clear), below bw exactly when
        // the page is below bump. Any other table descriptor goes to getLeaf() (below).
        b.push(`${indent}const d${level} = (x - ${TABLE}) | 0;`);
        b.push(`${indent}if ((d${level} & ${2 ** PS - 1}) === 0 && y === ${quick.high}) {`);
        indent += "  ";
        b.push(`${indent}w = (d${level} >>> 2) + ${idx2(level)};`);
        b.push(`${indent}if (!(w < bw)) return ${slow};`);
      } else {
        b.push(`${indent}if ((x & ${TABLE}) === ${TABLE}) {`);
        indent += "  ";
        b.push(`${indent}const p = ${emitNextPage(mem, "x", "y")};`);
        b.push(`${indent}if ((p >>> 0) >= bump) return ${slow};`);
        b.push(`${indent}w = (p << ${WS}) + ${idx2(level)};`);
      }
      b.push(`${indent}x = mem[w]; y = hiw[w]; level = ${level};`);
    }
    for (let level = LAST; level > start; level--) {
      indent = indent.slice(2);
      b.push(quick !== null ? `${indent}} else if ((x & ${TABLE}) === ${TABLE}) return ${slow};` : `${indent}}`);
    }
    b.push(`    ${exit}`);
    b.push(`    return level;`);
    return b;
  };
  const src: string[] = [];
  src.push(`function leafOver(mem, store, pgt) {`);
  src.push(`  const hiw = new Int32Array(mem.buffer, mem.byteOffset + 4, mem.length - 1);`);
  src.push(`  function leafAtIn(a, o) {`);
  src.push(...body(`o.leafAtSlow(a)`, `o.resLo = x; o.resHi = y;`));
  src.push(`  }`);
  src.push(`  function leafIn(a, out, o) {`);
  src.push(...body(`o.leafSlow(a, out)`, `out[0] = x; out[1] = y;`));
  src.push(`  }`);
  src.push(`  return { leafIn, leafAtIn };`);
  src.push(`}`);
  return src;
}

/**
 * The quick test of a table descriptor (x, y) whose next page the walk
 * takes as x >>> pageShift: emitNextPage() and its page, where the store's
 * basePa has its low 32 bits clear (every PA size but 32 bits). The page is
 * x >>> pageShift whenever y's bits that emitNextPage() shifts in (PA bits
 * [63 - pageShift : 32]) are basePa's, and then both give the same page; a
 * descriptor whose bits there differ bails (getLeaf() answers it, reading
 * what it reads), which emitNextPage() would also do unless the store held
 * 2^(32 - pageShift) pages or more. The same answers, one shift less on the
 * walk's critical path (y no longer feeds the next index). Returns y's bits
 * to test (mask) and basePa's there (want); null where basePa's low 32 bits
 * are not clear.
 */
function quickFollow(mem: TableMemory): { mask: number; want: number; high: number } | null {
  if (mem.basePa % 2 ** 32 !== 0) return null;
  const mask = 2 ** (32 - mem.pageShift) - 1;
  return { mask, want: Math.floor(mem.basePa / 2 ** 32) & mask, high: Math.floor(mem.basePa / 2 ** 32) };
}

/**
 * Source of a sumFlat() (GetLeafKernel.sumFlat) that takes exactly the groups
 * the lockstep sumFlat takes (every lane an integer IPA in [0, 2^ia_bits),
 * every table descriptor on its way passing quickFollow()'s test with its
 * next page below bump, so that every lane ends at a last-level entry) and
 * adds the same words, with less work a walk (as src/walker/kernel.ts's
 * leanSumFlat for the hardware walk's sum):
 *   - a root cache: the start level's descriptor, read and checked as before
 *     when a lane's IPA is outside the range it last read maps, is kept for
 *     the call as that range [cLo, cHi) and the first word of the next
 *     table (the table memory does not change during a call: a get_leaf
 *     writes nothing), so that an IPA inside the range needs two compares
 *     (and the integer check) instead of the range check, the root index
 *     and the root descriptor's load and checks; an IPA inside it is inside
 *     the IPA space;
 *   - the checks of the table descriptors below the root gathered over the
 *     group (an AND of the low halves for the valid and table bits, an OR of
 *     the high halves' differences from the store's base) and tested once at
 *     the group's end: a lane that fails one walks on through words of the
 *     arena (each next page still checked below bump before it is read, so
 *     every load stays inside the arena; nothing is written) and the group
 *     is then not taken, as before;
 *   - IPA[31:0] alone (a | 0) where it holds every index below the root;
 *   - a descriptor's high half read as hiw[o], a view of the arena one word
 *     on, where its low half is flat[o].
 * Null where it does not apply (the store's base with low 32 bits set, a
 * page not 2^(pageShift - 2) words, or a start level that is the last).
 */
function leanSumFlatSource(pgt: KvmPgtable, lanes: number): string[] | null {
  const g = pgt.geom;
  const mem = storeMemory(pgt.store);
  const PS = g.pageShift;
  const WS = mem.wordsShift;
  const start = g.startLevel;
  const LAST = KVM_PGTABLE_LAST_LEVEL;
  const stride = PS - 3;
  const quick = quickFollow(mem);
  if (quick === null || WS !== PS - 2 || start >= LAST || start < 0) return null;
  const TABLE = PTE_VALID_LO | PTE_TYPE_LO;
  const rootShift = g.shifts[start + 1];
  const ipaLimit = 2 ** g.iaBits;
  const m2 = 2 * (g.ptrsPerPte - 1);
  let needIh = false;
  for (let level = start + 1; level <= LAST; level++) if (g.shifts[level + 1] + stride > 32) needIh = true;
  // Pages beyond which every page x >>> PS can name is below bump (the word index stays an int32).
  const cap = 2 ** (32 - PS);
  const pageWords = -(2 ** WS) | 0;
  const base = pgt.pgd << WS;
  const midLevels = start + 1 < LAST;
  // Twice the index at `level`: the word of its descriptor's low half in the page.
  const idx2 = (v: number, level: number): string => {
    const s = g.shifts[level + 1];
    if (s + stride <= 32) return `((il${v} >>> ${s - 1}) & ${m2})`;
    return `(${ipaBits(`il${v}`, `ih${v}`, s, stride)} << 1)`;
  };
  const out: string[] = [];
  out.push(`function sumLean(flat, hiw, bump, ipas, from, to, acc) {`);
  out.push(`  const bw = (bump < ${cap} ? bump : ${cap}) * ${2 ** WS};`);
  out.push(`  let lo = acc[0], hi = acc[1], k = from;`);
  out.push(`  let cLo = Infinity, cHi = 0, cb = 0;`);
  out.push(`  for (; k + ${lanes} <= to; k += ${lanes}) {`);
  if (midLevels) out.push(`    let gx = -1, gy = 0;`);
  for (let v = 0; v < lanes; v++) {
    out.push(`    const a${v} = ipas[(k + ${v}) | 0];`);
    out.push(`    if (!(a${v} >= cLo && a${v} < cHi)) {`);
    out.push(`      if (!(a${v} >= 0 && a${v} < ${ipaLimit})) break;`);
    // The start level's index (truncation is the floor here: a fraction ends the group just below).
    out.push(`      const r = (a${v} * ${2 ** -rootShift}) | 0, o = ${base === 0 ? "" : `${base} + `}(r << 1), x = flat[o];`);
    out.push(`      if (!((x & ${TABLE}) === ${TABLE} && (hiw[o] & ${quick.mask}) === ${quick.want})) break;`);
    // The page's first word: below bw exactly when the page is below bump (bw is a whole number of pages).
    out.push(`      const b = (x >>> 2) & ${pageWords};`);
    out.push(`      if (!(b < bw)) break;`);
    out.push(`      cLo = r * ${2 ** rootShift}; cHi = cLo + ${2 ** rootShift}; cb = b;`);
    out.push(`    }`);
    out.push(`    if (Math.floor(a${v}) !== a${v}) break;`);
    out.push(`    const il${v} = a${v} | 0;${needIh ? ` const ih${v} = (a${v} * 2.3283064365386963e-10) | 0;` : ""}`);
    let page = "cb";
    for (let level = start + 1; level < LAST; level++) {
      const p = `p${v}_${level}`;
      out.push(`    const o${v}_${level} = ${page} | ${idx2(v, level)}, x${v}_${level} = flat[o${v}_${level}];`);
      out.push(`    gx &= x${v}_${level}; gy |= hiw[o${v}_${level}] ^ ${quick.want};`);
      out.push(`    const ${p} = (x${v}_${level} >>> 2) & ${pageWords};`);
      out.push(`    if (!(${p} < bw)) break;`);
      page = p;
    }
    out.push(`    const o${v} = ${page} | ${idx2(v, LAST)};`);
  }
  // The last level, lockstep: every lane's entry, whatever it is, is its get_leaf answer at level LAST.
  for (let v = 0; v < lanes; v++) out.push(`    const xl${v} = flat[o${v}], yl${v} = hiw[o${v}];`);
  if (midLevels) out.push(`    if (!((gx & ${TABLE}) === ${TABLE} && (gy & ${quick.mask}) === 0)) break;`);
  out.push(`    lo += ${lanes * LAST};`);
  for (let v = 0; v < lanes; v++) out.push(`    lo += xl${v} >>> 0; hi += yl${v} >>> 0;`);
  out.push(`    acc[0] = lo; acc[1] = hi;`);
  out.push(`  }`);
  out.push(`  return k;`);
  out.push(`}`);
  // hiw: the flat arena seen one word on, made once per arena (weakly held: it keeps no old arena alive).
  out.push(`const HI_WORDS = new WeakMap();`);
  out.push(`function sumFlat(flat, bump, ipas, from, to, acc) {`);
  out.push(`  if (flat.length < 2) return from;`);
  out.push(`  let hiw = HI_WORDS.get(flat);`);
  out.push(`  if (hiw === undefined) { hiw = new Int32Array(flat.buffer, flat.byteOffset + 4, flat.length - 1); HI_WORDS.set(flat, hiw); }`);
  out.push(`  return sumLean(flat, hiw, bump, ipas, from, to, acc);`);
  out.push(`}`);
  return out;
}

/** Compile the kernel, or null where the engine forbids code generation. */
function buildGetLeafKernel(pgt: KvmPgtable, lanes: number): GetLeafKernel | null {
  try {
    // The kernel is JavaScript generated for this table's geometry (getLeafKernelSource): code generation is the point.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
    return new Function(getLeafKernelSource(pgt, lanes))() as GetLeafKernel;
  } catch (e) {
    if (e instanceof EvalError) return null; // e.g. a Content-Security-Policy without unsafe-eval
    throw e;
  }
}

/** leafIn() before the slow path has made one for the store's arena: getLeaf(). */
function slowLeaf(a: number, out: Uint32Array, o: GetLeafBatch): number {
  return o.leafSlow(a, out);
}

/** leafAtIn() before the slow path has made one for the store's arena: getLeaf(). */
function slowLeafAt(a: number, o: GetLeafBatch): number {
  return o.leafAtSlow(a);
}

/** How a GetLeafBatch runs. */
export interface GetLeafBatchOptions {
  /** false: no generated kernel, every IPA through KvmPgtable.getLeafFast() (for comparison). */
  fast?: boolean;
  /** IPAs per lockstep group (default GETLEAF_LANES). */
  lanes?: number;
}

/**
 * kvm_pgtable_get_leaf() over arrays of IPAs, for one KvmPgtable, as fast
 * as a generated lockstep kernel makes it: a batch API, whose IPAs and
 * outputs are caller-owned typed arrays (Float64Array IPAs, the descriptors
 * as Uint32Array halves, the levels or return codes as an Int32Array),
 * answering exactly as KvmPgtable.getLeaf() does one IPA at a time.
 */
export class GetLeafBatch {
  // `declare`d fields: defined by the constructor, so V8 keeps them as numbers / objects of one class (see TableConsts in pgtable.ts).
  declare private readonly pgt: KvmPgtable;
  declare private readonly kernel: GetLeafKernel | null;
  declare private readonly lanes: number;
  private readonly part = new Float64Array(2);
  private failed = 0;
  private ipas: Float64Array = new Float64Array(0);
  declare private readonly store: TableStore;
  /** The flat arena leafIn() and leafAtIn() were made for (a constant of them; they check it is still the store's). */
  private leafArena: Int32Array | null = null;
  private leafIn: LeafFn = slowLeaf;
  private leafAtIn: LeafAtFn = slowLeafAt;
  /** @internal The descriptor leafAt() found, as int32 halves (written by the generated leafAtIn()). */
  resLo = 0;
  /** @internal See resLo. */
  resHi = 0;

  /** A batch over `pgt` (opts.lanes: IPAs per lockstep group; opts.fast false: no generated kernel). */
  constructor(pgt: KvmPgtable, opts: GetLeafBatchOptions = {}) {
    checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
    checkObject(opts, "opts");
    this.pgt = pgt;
    this.store = pgt.store;
    const lanes = opts.lanes ?? GETLEAF_LANES;
    if (!(Number.isInteger(lanes) && lanes >= 1 && lanes <= 64)) throw new RangeError(`GetLeafBatch: lanes ${lanes} is not an integer in 1..64`);
    this.lanes = lanes;
    this.kernel = opts.fast === false ? null : buildGetLeafKernel(pgt, lanes);
  }

  /** @internal The generated kernel's source, or null (for inspection). */
  get kernelSource(): string | null {
    return this.kernel === null ? null : getLeafKernelSource(this.pgt, this.lanes);
  }

  private range(what: string, ipas: Float64Array, from: number, to: number, ...outs: ArrayLike<number>[]): void {
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= ipas.length)) {
      throw new RangeError(`${what}: [${from}, ${to}) is not a range of the ${ipas.length} IPAs`);
    }
    for (const o of outs) if (o.length < to) throw new RangeError(`${what}: an output array of ${o.length} is shorter than ${to}`);
  }

  /**
   * kvm_pgtable_get_leaf() of one IPA, C-like: the descriptor's halves go
   * into the caller's `out` (out[0] the low 32 bits, out[1] the high 32
   * bits), and the value returned is the entry's level (-1..3) when get_leaf
   * succeeds, else the kernel's (negative) return code, below -1, with both
   * halves 0: `leaves()` for a single IPA, and `KvmPgtable.getLeaf()`'s
   * answer without a result object. `out` must be a Uint32Array of at least
   * two elements (ArgumentError otherwise); `addr` is checked as
   * getLeaf() checks it (ArgumentError for anything but an integer in
   * [0, 2^64)). The common case (an integer IPA inside the IPA space,
   * descending through table entries the store holds) runs in the generated
   * kernel, over the store's flat arena; everything else, and a table that
   * is destroyed or inside a store hook's call, goes to getLeaf().
   */
  leaf(addr: number, out: Uint32Array): number {
    if (!(out instanceof Uint32Array && out.length >= 2)) this.badOut(out);
    return this.leafIn(addr, out, this);
  }

  /**
   * kvm_pgtable_get_leaf() of one IPA, the descriptor left in the batch: as
   * leaf(), with the halves read afterwards from `leafLo` and `leafHi` (until
   * the next leafAt()) instead of an array the caller passes, so there is no
   * `out` to check and the halves need not go through memory: the fastest
   * one-call get_leaf. `addr` is checked as getLeaf() checks it.
   */
  leafAt(addr: number): number {
    return this.leafAtIn(addr, this);
  }

  /** The descriptor the last leafAt() found, low 32 bits (0 when it returned an error). */
  get leafLo(): number {
    return this.resLo >>> 0;
  }

  /** The descriptor the last leafAt() found, high 32 bits (0 when it returned an error). */
  get leafHi(): number {
    return this.resHi >>> 0;
  }

  /** @internal leaf() off its common case: leafAtSlow(), the halves copied into out. */
  leafSlow(addr: number, out: Uint32Array): number {
    const level = this.leafAtSlow(addr);
    out[0] = this.resLo;
    out[1] = this.resHi;
    return level;
  }

  /**
   * @internal leafAt() off its common case, getLeafFast()'s answer; first,
   * where the arena may be made flat and is not the one leafAtIn() and
   * leafIn() were made for, they are made for it (the next call takes them).
   */
  leafAtSlow(addr: number): number {
    const pgt = this.pgt;
    const kern = this.kernel;
    if (kern !== null && !pgt.destroyed && flatArena(pgt)) {
      const store = this.store;
      if (store.flat !== this.leafArena && store.flat.length >= 2) {
        const f = kern.leafOver(store.flat, store, pgt);
        this.leafIn = f.leafIn;
        this.leafAtIn = f.leafAtIn;
        this.leafArena = store.flat;
      }
    }
    const r = pgt.getLeafFast(addr);
    if (r !== 0) {
      this.resLo = 0;
      this.resHi = 0;
      return r;
    }
    this.resLo = pgt.leafLo | 0;
    this.resHi = pgt.leafHi | 0;
    return pgt.leafLevel;
  }

  private badOut(out: unknown): never {
    throw new ArgumentError("out", `${shown(out)} is not a Uint32Array of at least 2 elements (the descriptor's halves)`);
  }

  /**
   * get_leaf of ipas[k] for k in [from, to): outLo[k], outHi[k] = the
   * descriptor's halves, outLevel[k] = its level; where get_leaf fails,
   * outLevel[k] = its (negative) return code, below -1, and the halves 0.
   * Returns how many failed.
   */
  leaves(ipas: Float64Array, from: number, to: number, outLo: Uint32Array, outHi: Uint32Array, outLevel: Int32Array): number {
    this.range("GetLeafBatch.leaves", ipas, from, to, outLo, outHi, outLevel);
    this.failed = 0;
    this.ipas = ipas;
    // A destroyed table: getLeaf()'s -EINVAL for every IPA (the kernel would read the freed, zeroed root).
    const kern = this.pgt.destroyed ? null : this.kernel;
    if (kern === null) {
      for (let i = from; i < to; i++) this.slowInto(i, outLo, outHi, outLevel);
      return this.failed;
    }
    const store = this.pgt.store;
    const flat = flatArena(this.pgt);
    const mem = memoryArgument(store);
    const bump = store.bump;
    const lanes = this.lanes;
    let k = from;
    for (;;) {
      k = flat ? kern.intoFlat(store.flat, bump, ipas, k, to, outLo, outHi, outLevel) : kern.into(mem, bump, ipas, k, to, outLo, outHi, outLevel);
      // The rest (less than a group), or a group the lockstep path did not take: lane by lane.
      const end = Math.min(k + lanes, to);
      for (; k < end; k++) kern.laneInto(mem, bump, ipas, k, outLo, outHi, outLevel, this);
      if (k >= to) return this.failed;
    }
  }

  /**
   * Adds Σ (descriptor + level) over the IPAs of [from, to) whose get_leaf
   * succeeds into acc, modulo 2^64, as sol.c's walk checksum: acc[0] the low
   * 32 bits, acc[1] the high 32 bits (each kept in [0, 2^32)). Returns how
   * many failed (they add nothing).
   */
  checksum(ipas: Float64Array, from: number, to: number, acc: Float64Array): number {
    this.range("GetLeafBatch.checksum", ipas, from, to);
    if (acc.length < 2) throw new RangeError("GetLeafBatch.checksum: acc needs 2 elements");
    this.failed = 0;
    this.ipas = ipas;
    const part = this.part;
    const kern = this.pgt.destroyed ? null : this.kernel;
    const store = this.pgt.store;
    for (let s = from; s < to; s += SUM_SPAN) {
      const e = Math.min(to, s + SUM_SPAN);
      part[0] = 0;
      part[1] = 0;
      if (kern === null) for (let i = s; i < e; i++) this.slowSum(i, part);
      else {
        // The lane path below goes through getLeafFast() at worst, which allocates nothing: the arena stays as it is.
        const flat = flatArena(this.pgt);
        const mem = memoryArgument(store);
        const lanes = this.lanes;
        for (let i = s; ;) {
          i = flat ? kern.sumFlat(store.flat, store.bump, ipas, i, e, part) : kern.sum(mem, store.bump, ipas, i, e, part);
          const end = Math.min(i + lanes, e);
          for (; i < end; i++) kern.laneSum(mem, store.bump, ipas, i, part, this);
          if (i >= e) break;
        }
      }
      // part[0] can be negative: a level -1 entry of 0.
      addSum64(acc, part);
    }
    return this.failed;
  }

  /** @internal KernelHost: IPA k through getLeafFast(), into the sums. */
  slowSum(k: number, acc: Float64Array): void {
    const p = this.pgt;
    if (p.getLeafFast(this.ipas[k]) !== 0) {
      this.failed++;
      return;
    }
    acc[0] += p.leafLo + p.leafLevel;
    acc[1] += p.leafHi;
  }

  /** @internal KernelHost: IPA k through getLeafFast(), into the arrays. */
  slowInto(k: number, outLo: Uint32Array, outHi: Uint32Array, outLevel: Int32Array): void {
    const p = this.pgt;
    const r = p.getLeafFast(this.ipas[k]);
    if (r !== 0) {
      this.failed++;
      outLo[k] = 0;
      outHi[k] = 0;
      outLevel[k] = r;
      return;
    }
    outLo[k] = p.leafLo;
    outHi[k] = p.leafHi;
    outLevel[k] = p.leafLevel;
  }
}
