/**
 * The stage-2 page-table operations of arch/arm64/kvm/hyp/pgtable.c
 * (Linux 6.18.25, gregkh/linux 735d394779c9), over typed-array storage.
 *
 * Structure mirrors the kernel: one generic walker (kvm_pgtable_walk ->
 * _kvm_pgtable_walk -> __kvm_pgtable_walk -> __kvm_pgtable_visit) that owns
 * iteration and calls a visitor for TABLE_PRE / LEAF / TABLE_POST visits, and
 * one small visitor per operation that owns policy.
 *
 * Hot-path representation (no allocation per entry or per walk):
 *   - a descriptor is two 32-bit halves, read from the Int32Array arena and
 *     handled as signed int32 (bit operations only; `>>> 0` at the API edge);
 *   - addresses are exact doubles (< 2^53; the API edge keeps them < 2^52);
 *   - the kernel's stack-allocated structs (kvm_pgtable_walk_data,
 *     kvm_pgtable_visit_ctx, stage2_map_data, stage2_attr_data, ...) live in
 *     this object: small integers (levels, page indices, offsets, flags) as
 *     fields, descriptor halves in an Int32Array (`w`) and addresses in a
 *     Float64Array (`d`), so that no store ever boxes a number;
 *   - the kernel's recursion is an explicit stack (walkTable), and the
 *     visitor is chosen with a switch on a small integer, not a closure.
 */

import {
  E2BIG,
  EAGAIN,
  EINVAL,
  ENOMEM,
  ERANGE,
  INVALID_PTE_LOCKED_LO,
  KVM_MAX_OWNER_ID,
  KVM_PGTABLE_LAST_LEVEL,
  LEAF_ATTR_HI,
  LEAF_ATTR_LO,
  PROT_R,
  PROT_W,
  PROT_X,
  PTE_TYPE_LO,
  PTE_VALID_LO,
  S2AP_R_LO,
  S2AP_W_LO,
  S2_AF_LO,
  S2_MEMATTR_LO,
  S2_MEMATTR_SHIFT,
  S2_PERMS_HI,
  S2_PERMS_LO,
  S2_XN_HI,
  SW_HI,
  TLBI_TTL_UNKNOWN,
  WALK_HANDLE_FAULT,
  WALK_LEAF,
  WALK_SHARED,
  WALK_SKIP_BBM_TLBI,
  WALK_SKIP_CMO,
  WALK_TABLE_POST,
  WALK_TABLE_PRE,
  ADDR_51_48_LO,
  ADDR_51_48_SHIFT,
  ADDR_51_50_LPA2_LO,
  ADDR_51_50_LPA2_SHIFT,
  INVALID_PTE_OWNER_SHIFT,
  physToPteHi,
  physToPteLo,
  pteToPhys,
  s2MemAttrNormal,
  stage2PteProt,
  stage2SetProtAttr,
  type PteFormat,
} from "./descriptor.js";
import { EV_DCACHE, EV_ICACHE, EV_TLBI_IPA, EV_TLBI_IPA_NSH, EV_TLBI_RANGE, EV_TLBI_VMID, MAX_TLBI_RANGE_PAGES, MaintenanceLog } from "./events.js";
import { stage2Geometry, type Geometry, type Stage2Config } from "./geometry.js";
import { TableMemoryError, TableStore, tableOutsideStore, type StorageOptions } from "./storage.js";
import { TWO_32, alignDown, hexHalves, isAligned } from "./u64.js";
import { PROT_KNOWN, PROT_KNOWN_NAMES, WALK_FLAGS_KNOWN, WALK_FLAGS_KNOWN_NAMES } from "./descriptor.js";
import { ArgumentError, checkBits, checkBool, checkInstance, checkInt, checkObject, checkU64, shown, ADDRESS_LIMIT } from "./args.js";
import { MAX_OP_LEAVES, checkLeafBound, leafBoundNeeded } from "./limits.js";
import { compileMapPageMiss, type MapPageMissFn } from "./mapgen.js";

const TWO_48 = 2 ** 48;
const INV_TWO_32 = 2 ** -32;

/** Valid and type bits both set: a table entry (below the last level). */
const TABLE_BITS = PTE_VALID_LO | PTE_TYPE_LO;

// Which visitor a walk calls (struct kvm_pgtable_walker::cb).
const CB_LEAF = 1; // leaf_walker (kvm_pgtable_get_leaf)
const CB_MAP = 2; // stage2_map_walker
const CB_UNMAP = 3; // stage2_unmap_walker
const CB_ATTR = 4; // stage2_attr_walker
const CB_AGE = 5; // stage2_age_walker
const CB_FLUSH = 6; // stage2_flush_walker
const CB_SPLIT = 7; // stage2_split_walker
const CB_FREE = 8; // stage2_free_walker (destroy)

// Slots of `d` (Float64Array): the addresses of the walk.
const D_START = 0; // kvm_pgtable_walk_data::start (= ctx->start)
const D_ADDR = 1; // kvm_pgtable_walk_data::addr
const D_END = 2; // kvm_pgtable_walk_data::end (= ctx->end)
const D_CTX_ADDR = 3; // kvm_pgtable_visit_ctx::addr
const D_PHYS = 4; // stage2_map_data::phys

// Slots of `w` (Int32Array): descriptor halves, as signed int32.
const W_OLD_LO = 0; // kvm_pgtable_visit_ctx::old
const W_OLD_HI = 1;
const W_ATTR_LO = 2; // stage2_map_data::attr
const W_ATTR_HI = 3;
const W_SET_LO = 4; // stage2_attr_data::attr_set
const W_SET_HI = 5;
const W_CLR_LO = 6; // stage2_attr_data::attr_clr
const W_CLR_HI = 7;
const W_LEAF_LO = 8; // leaf_walk_data::pte (of the last walk)
const W_LEAF_HI = 9;

/** mapOnePageFast() leaves the map to the generic walker (not an errno: errnos are negative). */
const MAP_FAST_DECLINED = 1;
// mapPage() writes these as literals (a module constant costs a load and a check of its temporal
// dead zone at every use); they are checked against their definitions here, once.
if (
  MAP_FAST_DECLINED !== 1 ||
  TABLE_BITS !== 3 ||
  KVM_PGTABLE_LAST_LEVEL !== 3 ||
  WALK_SHARED !== 8 ||
  INVALID_PTE_LOCKED_LO !== 1024 ||
  WALK_SKIP_CMO !== 64 ||
  EV_DCACHE !== 5 ||
  EV_ICACHE !== 6
) {
  throw new Error("pgtable.ts: mapPage()'s literals no longer match their constants");
}

/**
 * Called with every descriptor store, before the store is made, for
 * invariant checkers (break-before-make). Not set on hot paths. A hook that
 * throws aborts the operation: everything the operation changed is rolled
 * back (descriptors, page counts, allocations, the memory cache, its events
 * and warnings) and the exception propagates; the table is as before the call.
 */
export type StoreHook = (page: number, index: number, oldLo: number, oldHi: number, newLo: number, newHi: number) => void;

/** KVM_INVALID_PTE_OWNER_MASK is bits 9:2: owner ids 0..255 (the C type is u8). */
const OWNER_ID_MAX = 255;

// Operations atomic() runs (and their names, for messages).
const OP_MAP = 0;
const OP_SET_OWNER = 1;
const OP_UNMAP = 2;
const OP_WRPROTECT = 3;
const OP_MKYOUNG = 4;
const OP_TEST_CLEAR_YOUNG = 5;
const OP_RELAX_PERMS = 6;
const OP_FLUSH = 7;
const OP_SPLIT = 8;
const OP_CREATE_UNLINKED = 9;
const OP_NAMES = ["map", "setOwner", "unmap", "wrprotect", "mkyoung", "testClearYoung", "relaxPerms", "flush", "split", "createUnlinked"] as const;

/**
 * The kernel's stack-allocated walk state (kvm_pgtable_walk_data, the visit
 * context, the walker's frames; see the file header): held only while an
 * operation runs, so one set serves every table. Operations never run user
 * code in the middle (the store hook is the only way in, and an operation
 * run with a hook walks on its table's own set: atomic()), so no two walks
 * share a set at once. Per-table state that outlives an operation (the
 * last get_leaf result, the prot's attributes) lives in the table's fields.
 */
class WalkScratch {
  /** Addresses of the walk (D_* slots). */
  readonly d = new Float64Array(8);
  /** Descriptor halves of the walk (W_* slots). */
  readonly w = new Int32Array(16);
  // The walker's explicit stack (see walkTable): one frame per table entry being descended.
  readonly fPage = new Int32Array(16);
  readonly fIdx = new Int32Array(16);
  readonly fAddr = new Float64Array(16);
  readonly fOldLo = new Int32Array(16);
  readonly fOldHi = new Int32Array(16);
}
const SHARED_SCRATCH = new WalkScratch();
/** stage2_set_prot_attr()'s output, read at once by its callers. */
const ATTR_SCRATCH = new Uint32Array(2);
/** An empty word array (a chunk slot before the first visit, an empty undo journal). */
const NO_WORDS = new Int32Array(0);

/**
 * The constants of a geometry and FWB setting, derived once and shared by the
 * tables that have them (a table of two root pages would otherwise carry
 * a few hundred bytes of its own).
 */
class TableConsts {
  // The fields without a value are `declare`d: the constructor defines them, so V8 sees a number (or
  // an object of one class) from the first store. A class field declared without a value is defined
  // as undefined first (ES2022 class fields), which leaves it a tagged field of any type: each load then
  // tests for a Smi or a heap number, or checks the object's map (issue 20, part 5: about 45
  // instructions of the 341 per map4k_1g page).
  /** 2^pa_bits: the host PA range. */
  declare readonly paLimit: number;
  /** min(2^pa_bits, 2^48): the PAs mapPage() takes (a leaf needs only the main OA field). */
  declare readonly fastPaLimit: number;
  /**
   * 2^(ia_bits - 32) and min(2^pa_bits, 2^48) / 2^32 (ia_bits and pa_bits are
   * 32 at least): map()'s one-page test compares an address's high half with
   * them unsigned, so one comparison refuses a negative half and one at or
   * beyond the limit.
   */
  declare readonly iaHiLimit: number;
  declare readonly paHiLimit: number;
  /** The walk flags no kernel flag has (~WALK_FLAGS_KNOWN), here: a module constant costs a load and a check at each use. */
  declare readonly flagsUnknown: number;
  /** A map, set_owner or split of more bytes than this may exceed MAX_OP_LEAVES leaves (limits.ts). */
  declare readonly leafCheckSize: number;
  /** kvm_granule_size(level) and its inverse (exact: powers of two), indexed by level + 1. */
  declare readonly gran: Float64Array;
  declare readonly invGran: Float64Array;
  /** 1 / PAGE_SIZE. */
  declare readonly invPage: number;
  /** PTRS_PER_PTE - 1. */
  declare readonly idxMask: number;
  declare readonly minBlockLevel: number;
  /** The largest leaf a walk from the start level can write (a block at max(start level, minBlockLevel)): its size and inverse. */
  declare readonly topLeaf: number;
  declare readonly invTopLeaf: number;
  /** MemAttr of Normal write-back memory (with or without FWB), in the low half. */
  declare readonly normalMemattrLo: number;
  // Table descriptors -> page index (kvm_pte_follow): the OA fields of the format and the arena's base.
  declare readonly oaLo: number;
  declare readonly oaHi: number;
  declare readonly highOa: number;
  /** The table store's basePa; its high half; its low half in pages. */
  declare readonly basePa: number;
  declare readonly baseHi: number;
  declare readonly baseLoPages: number;
  declare readonly pageShift: number;
  /** kvm_granule_shift(level), indexed by level + 1; the bits of an index (PAGE_SHIFT - 3); the shift of a last-level table's span. */
  declare readonly shifts: Int32Array;
  declare readonly stride: number;
  declare readonly startLevel: number;
  declare readonly l3Shift: number;
  /** 32 - l3Shift: where the IPA's high half goes in a last-level region number. */
  declare readonly l3HiShift: number;
  /** 32 - PAGE_SHIFT: a high-half address bit's weight in pages. */
  declare readonly hiToPage: number;
  /**
   * The last prot a table of these constants set up for map (-1: none) and
   * stage2_set_prot_attr()'s attributes for it (low, high half): a pure
   * function of prot, FWB and LPA2, which these constants fix, so a fresh
   * table's first map need not work them out again.
   */
  declare attrProt: number;
  declare attrLo: number;
  declare attrHi: number;
  /** mapPageMiss compiled for these constants (mapgen.ts), once a table of them first needs it. */
  declare mapMiss: MapPageMissFn | null;

  constructor(geom: Geometry, gran: Float64Array, invGran: Float64Array, shifts: Int32Array, fwb: boolean) {
    const page = geom.granule;
    this.invPage = 1 / page;
    this.paLimit = 2 ** geom.paBits;
    this.fastPaLimit = Math.min(this.paLimit, TWO_48);
    // Shifts, not 2 ** x: small integers, so the fields stay Smis (a power's result is a double).
    this.iaHiLimit = 1 << (geom.iaBits - 32);
    this.paHiLimit = 1 << (Math.min(geom.paBits, 48) - 32);
    this.flagsUnknown = ~WALK_FLAGS_KNOWN;
    this.leafCheckSize = (MAX_OP_LEAVES - 1) * page;
    this.idxMask = geom.ptrsPerPte - 1;
    this.minBlockLevel = geom.minBlockLevel;
    const top = geom.startLevel > geom.minBlockLevel ? geom.startLevel : geom.minBlockLevel;
    this.topLeaf = gran[top + 1];
    this.invTopLeaf = invGran[top + 1];
    this.normalMemattrLo = s2MemAttrNormal(fwb) << S2_MEMATTR_SHIFT;
    this.gran = gran;
    this.invGran = invGran;
    this.oaLo = geom.format.addrLo | 0;
    this.oaHi = geom.format.addrHi;
    this.highOa = geom.format.highOa;
    // The table store's layout (storage.ts): table pages from 2^(min(pa_bits, 48) - 1) up.
    this.basePa = 2 ** (Math.min(geom.paBits, 48) - 1);
    this.baseHi = Math.floor(this.basePa / TWO_32) | 0;
    this.baseLoPages = ((this.basePa % TWO_32) / page) | 0;
    this.pageShift = geom.pageShift;
    this.shifts = shifts;
    this.stride = this.pageShift - 3;
    this.l3Shift = shifts[KVM_PGTABLE_LAST_LEVEL];
    this.l3HiShift = 32 - this.l3Shift;
    this.hiToPage = 32 - this.pageShift;
    this.attrProt = -1;
    this.attrLo = 0;
    this.attrHi = 0;
    this.startLevel = geom.startLevel;
    this.mapMiss = null;
  }

  /** mapPageMiss for these constants; the store's layout is a function of the granule, so the same for every table of them. */
  compileMapMiss(store: TableStore): MapPageMissFn {
    const f = compileMapPageMiss({
      startLevel: this.startLevel,
      shifts: this.shifts,
      stride: this.stride,
      pageShift: this.pageShift,
      oaLo: this.oaLo,
      oaHi: this.oaHi,
      highOa: this.highOa,
      addr5148Lo: ADDR_51_48_LO,
      addr5148Shift: ADDR_51_48_SHIFT,
      addr5150Lo: ADDR_51_50_LPA2_LO,
      addr5150Shift: ADDR_51_50_LPA2_SHIFT,
      baseHi: this.baseHi,
      baseLoPages: this.baseLoPages,
      hiToPage: this.hiToPage,
      l3Shift: this.l3Shift,
      l3HiShift: this.l3HiShift,
      chunkShift: store.chunkShift,
      chunkMask: store.chunkMask,
      wordsShift: store.wordsShift,
    });
    this.mapMiss = f;
    return f;
  }
}

/** What every table of one geometry shares: the geometry (frozen) and its constants as typed arrays. */
interface GeometryConsts {
  geom: Geometry;
  /** kvm_granule_size(level) and its inverse (exact: powers of two), indexed by level + 1. */
  gran: Float64Array;
  invGran: Float64Array;
  /** kvm_granule_shift(level), indexed by level + 1. */
  shifts: Int32Array;
  /** The table's `config` (frozen), indexed by fwb + 2 * tlbRange. */
  configs: readonly Stage2Config[];
  /** The table's constants, indexed by fwb. */
  k: readonly TableConsts[];
}
const geometries = new Map<string, GeometryConsts>();

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/**
 * stage2Geometry(config), shared by the tables of one geometry (at most one
 * entry per valid geometry, a few hundred in all): a table of two root pages
 * would otherwise carry a kilobyte of geometry of its own.
 */
function geometryOf(c: Stage2Config): GeometryConsts {
  const key =
    typeof c.granule === "number" && typeof c.iaBits === "number" && typeof c.paBits === "number" && typeof c.lpa2 === "boolean"
      ? `${c.granule}/${c.iaBits}/${c.paBits}/${c.lpa2}`
      : null;
  const hit = key === null ? undefined : geometries.get(key);
  if (hit !== undefined) return hit;
  const geom = deepFreeze(stage2Geometry(c));
  const gran = new Float64Array(5);
  const invGran = new Float64Array(5);
  for (let l = -1; l <= 3; l++) {
    gran[l + 1] = 2 ** geom.shifts[l + 1];
    invGran[l + 1] = 2 ** -geom.shifts[l + 1];
  }
  const configs: Stage2Config[] = [];
  for (let k = 0; k < 4; k++)
    configs.push(
      Object.freeze({ granule: geom.granule, iaBits: geom.iaBits, paBits: geom.paBits, lpa2: geom.lpa2, fwb: (k & 1) !== 0, tlbRange: (k & 2) !== 0 }),
    );
  const shifts = Int32Array.from(geom.shifts);
  const k = [new TableConsts(geom, gran, invGran, shifts, false), new TableConsts(geom, gran, invGran, shifts, true)];
  const consts: GeometryConsts = { geom, gran, invGran, shifts, configs, k };
  if (key !== null) geometries.set(key, consts);
  return consts;
}

/**
 * blockRun()'s loop for mapBlocks(): from word `off` of `tbl`, while the
 * entry is empty (both halves 0) and fewer than `cnt` are done, store the
 * block leaf (pLo | attrLo, pHi | attrHi) and step the OA by `gi` (the
 * block size, which divides 2^32: the low half carries into the high
 * half). Returns the number stored. A small function of its own, so that
 * V8 keeps its few values in registers.
 */
function fillBlocks(tbl: Int32Array, off: number, cnt: number, pLo: number, pHi: number, attrLo: number, attrHi: number, shift: number, oaHi: number): number {
  // The arguments as int32 locals, once: V8 then tests no argument's tag inside the loops. Offsets
  // stay far below 2^31: `| 0` spares V8 an overflow check at each step. The block size is passed
  // as its shift (an argument of 2^30 would be a boxed number).
  const aLo = attrLo | 0;
  const aHi = attrHi | 0;
  const gi = (1 << shift) | 0;
  const mask = oaHi | 0;
  const stop = (off + (cnt << 1)) | 0;
  let o = off | 0;
  pLo |= 0;
  pHi |= 0;
  // Four entries a time round while there are four and all are empty (each
  // time round costs V8 a check of tbl and a reload of its length and base),
  // then one by one up to the first entry that is not empty.
  while (
    o < ((stop - 6) | 0) &&
    (tbl[o] | tbl[(o + 1) | 0] | tbl[(o + 2) | 0] | tbl[(o + 3) | 0] | tbl[(o + 4) | 0] | tbl[(o + 5) | 0] | tbl[(o + 6) | 0] | tbl[(o + 7) | 0]) === 0
  ) {
    tbl[o] = pLo | aLo;
    tbl[(o + 1) | 0] = pHi | aHi;
    pLo = (pLo + gi) | 0;
    if (pLo === 0) pHi = (pHi + 1) & mask;
    tbl[(o + 2) | 0] = pLo | aLo;
    tbl[(o + 3) | 0] = pHi | aHi;
    pLo = (pLo + gi) | 0;
    if (pLo === 0) pHi = (pHi + 1) & mask;
    tbl[(o + 4) | 0] = pLo | aLo;
    tbl[(o + 5) | 0] = pHi | aHi;
    pLo = (pLo + gi) | 0;
    if (pLo === 0) pHi = (pHi + 1) & mask;
    tbl[(o + 6) | 0] = pLo | aLo;
    tbl[(o + 7) | 0] = pHi | aHi;
    pLo = (pLo + gi) | 0;
    if (pLo === 0) pHi = (pHi + 1) & mask;
    o = (o + 8) | 0;
  }
  while (o < stop && (tbl[o] | tbl[(o + 1) | 0]) === 0) {
    tbl[o] = pLo | aLo;
    tbl[(o + 1) | 0] = pHi | aHi;
    o = (o + 2) | 0;
    pLo = (pLo + gi) | 0;
    if (pLo === 0) pHi = (pHi + 1) & mask;
  }
  return (o - off) >> 1;
}

/** An address or size given as a number: a non-negative integer below 2^53 (args.ts ADDRESS_LIMIT; the test every entry point starts with). */
function u64ok(x: number): boolean {
  return typeof x === "number" && x >= 0 && x < ADDRESS_LIMIT && Math.floor(x) === x;
}

// The undo journal of an operation run with a store hook (rollback()): entries of J_WORDS int32.
const J_WORDS = 4;
const J_STORE = 1; // page, entry index; the old halves follow in jOld
const J_GET = 2; // page: get_page()
const J_PUT = 3; // page, index into jPages of its words if the put freed it (else -1)
const J_TAKE = 4; // page, grew, fromCache: zalloc_page()

/** The result of getLeaf() (kvm_pgtable_get_leaf()): the kernel's return value, and the entry it found. */
export interface GetLeafResult {
  /** 0, or the kernel's negative errno (-ERANGE beyond the IPA space, -EINVAL after destroy()). */
  ret: number;
  /** The descriptor found (an empty entry is "0x0"), hex as FORMAT.md writes it; null unless ret is 0. */
  pte: string | null;
  /** The level it was found at; null unless ret is 0. */
  level: number | null;
}

/**
 * A stage-2 page table exactly as Linux KVM/arm64 (6.18.25,
 * arch/arm64/kvm/hyp/pgtable.c) builds it: every operation of the kernel's
 * kvm_pgtable_stage2_* API, bit for bit, with its refcounts, its
 * break-before-make and every TLB and cache maintenance it asks for
 * (`log`). Addresses and sizes are numbers below 2^53; an operation returns
 * 0 or the kernel's negative errno, and refuses (ArgumentError, before it
 * changes anything) a value the kernel's C API could not receive.
 */
export class KvmPgtable {
  // `declare`d fields: defined by the constructor, so V8 keeps them as numbers / objects of one class (see TableConsts in pgtable.ts).
  /** The configuration the table was built with. */
  declare readonly config: Stage2Config;
  /** Its geometry (start level, root pages, VTCR_EL2), as kvm_get_vtcr() and kvm_pgd_pages() give it. */
  declare readonly geom: Geometry;
  /** @internal The descriptor format (masks of the output address). */
  declare readonly fmt: PteFormat;
  /** @internal The table pages. */
  declare readonly store: TableStore;
  /** The TLB and cache maintenance the operations asked for, in order. */
  declare readonly log: MaintenanceLog;
  /** The constants of the table's geometry and FWB setting (shared by every such table: see TableConsts). */
  declare private readonly k: TableConsts;
  /** Kernel WARN_ON()s that fired (the conformance oracle had none). */
  readonly warnings: string[] = [];
  /** FEAT_S2FWB in use (the table was not built with KVM_PGTABLE_S2_NOFWB). */
  declare readonly fwb: boolean;
  /** FEAT_TLBIRANGE: invalidations of ranges as range TLBIs. */
  declare readonly tlbRange: boolean;
  /** 2^ia_bits: the first IPA beyond the IPA space. */
  declare readonly iaLimit: number;
  /** The level the walk starts at. */
  declare readonly startLevel: number;
  /** Entries per table page (PTRS_PER_PTE). */
  declare readonly ptrsPerPte: number;
  /** The granule, bytes (PAGE_SIZE). */
  declare readonly pageSize: number;
  /** @internal First root page (pgt->pgd); the pgdPages root pages are contiguous from it. */
  declare readonly pgd: number;
  /** The store hook (storeHook), read on every store of the slow paths. */
  private hook: StoreHook | null = null;
  /**
   * Whether the store hook may throw (default true): operations run with a
   * hook then journal their changes so that a throw rolls them back. A hook
   * that never throws (the break-before-make checker of `s2pt check`, which
   * collects its findings) may set this false to spare the journal's time and
   * memory; a throw from it then leaves the operation half done.
   *
   * @internal
   */
  hookMayThrow = true;
  /** Set by destroy(): pgt->pgd is NULL, every walk returns -EINVAL (after its -ERANGE check). */
  private destroyedFlag = false;
  /** Depth of public operations running with a store hook (a hook may not start another, nor change the hook). */
  private opDepth = 0;
  /** Set by exec() for the one call it makes to an operation that keeps its body in its public method (map). */
  private execDirect = false;
  // The undo journal (only while an operation runs with a store hook).
  private journaling = false;
  private jr: Int32Array = NO_WORDS;
  private jOld: Int32Array = NO_WORDS;
  private jn = 0;
  private jPages: Int32Array[] = [];
  private jLogCounts: Float64Array | null = null;
  /**
   * Fast paths on: consecutive leaf visits of unmap, the attribute walker,
   * aging, flush and map handled in one loop (leafRun), the one-page map
   * through existing tables, a new leaf in an empty entry without the
   * break-before-make call chain, a map of start-level blocks into empty
   * entries without the walker (mapBlocks), get_leaf as a plain descent.
   * Off, every visit goes through the generic per-entry callback; the
   * results are identical (test/property/fastpath.test.ts,
   * map-blocks.property.test.ts and the fuzzer's checked runs).
   *
   * @internal
   */
  get fastPaths(): boolean {
    return this.fastOn;
  }
  /** @internal Switch the fast paths on or off (the results are the same either way). */
  set fastPaths(on: boolean) {
    this.fastOn = checkBool(on, "fastPaths");
    this.updateFastMap();
  }
  private fastOn = true;
  /**
   * @internal Entries were written behind the operations' back (set_pte,
   * src/pgtable/rawpte.ts): forget the one-page map's cached last-level
   * table (l3Key), whose way down may have changed.
   */
  tablesWritten(): void {
    this.l3Key = -1;
  }
  /** fastPaths, no store hook, not destroyed: map() may take its one-page path (mapPage). */
  private fastMap = true;
  /**
   * 2^(ia_bits - 32) (k.iaHiLimit) while fastMap holds and attrProt is a
   * prot, else 0: map()'s one-page test compares the IPA's high half with it
   * (unsigned), so that one comparison also says whether the path is open (a
   * boolean field would be tested as any value's truth), and a prot equal to
   * attrProt's -1 before the first map never takes it.
   */
  private fastIaHi = 0;
  private updateFastMap(): void {
    this.fastMap = this.fastOn && this.hook === null && !this.destroyedFlag;
    this.fastIaHi = this.fastMap && this.attrProt >= 0 ? this.k.iaHiLimit : 0;
  }

  /** Addresses of the walk (D_* slots). */
  private d: Float64Array = SHARED_SCRATCH.d;
  /** Descriptor halves of the walk (W_* slots). */
  private w: Int32Array = SHARED_SCRATCH.w;

  // struct kvm_pgtable_walker
  private wCb = 0;
  private wFlags = 0;
  // struct kvm_pgtable_visit_ctx: ptep = word cOff of cTbl (table page cPage)
  private cTbl: Int32Array = NO_WORDS;
  private cOff = 0;
  private cPage = 0;
  private cLevel = 0;
  // struct stage2_map_data
  private mOwnerId = 0;
  private mForcePte = false;
  private mAnnotation = false;
  // struct stage2_attr_data::level, leaf_walk_data::level, stage2_age_data
  private aLevel = 0;
  private lLevel = 0;
  private gMkold = false;
  private gYoung = false;
  private readonly attrScratch = ATTR_SCRATCH;
  /** The prot whose attributes protAttrLo/Hi hold (-1, no prot, until the first map: a Smi field, one integer comparison in map()). */
  private attrProt = -1;
  /** stage2_set_prot_attr(attrProt): the attributes of a leaf, low and high half. */
  private protAttrLo = 0;
  private protAttrHi = 0;
  /** A page leaf's descriptor bits of attrProt (everything but the OA), and its CMOs: 1 dcache, 2 icache. */
  private pageLeafLo = 0;
  private pageLeafHi = 0;
  private pageLeafCmos = 0;
  /**
   * The one-page map's last-level table (mapPage): the table that maps the
   * last-level-table-sized region `l3Key` (IPA >> the shift of the level
   * above the last), as found when the arena's store.chunkGen was
   * `l3ChunkGen`: its chunk, the page's word offset in it, the page. The
   * way to it is table entries only, and l3Key is reset (-1, no region)
   * whenever a table entry may have changed: at every store of the generic
   * paths (setPte), at each table mapPage() makes, at a rollback. The run
   * loops and the fast leaf of an empty entry leave it: they stop at table
   * entries and write leaves into empty entries or over leaves, never into
   * an entry on such a way. Tables written behind the model's back (not
   * through its operations) are not seen.
   */
  private l3Key = -1;
  private l3ChunkGen = -1;
  private l3Tbl: Int32Array = new Int32Array(0);
  private l3Off = 0;
  private l3Page = 0;
  // The walker's explicit stack (see walkTable): one frame per table entry being descended.
  private fPage: Int32Array = SHARED_SCRATCH.fPage;
  private fIdx: Int32Array = SHARED_SCRATCH.fIdx;
  private fAddr: Float64Array = SHARED_SCRATCH.fAddr;
  private fOldLo: Int32Array = SHARED_SCRATCH.fOldLo;
  private fOldHi: Int32Array = SHARED_SCRATCH.fOldHi;
  /** This table's own walk scratch, for operations run with a store hook (see WalkScratch). */
  private ownScratch: WalkScratch | null = null;
  private sp = 0;
  // The entry descend() reached.
  private dTbl: Int32Array = NO_WORDS;
  private dOff = 0;
  private dPage = 0;
  private dLevel = 0;
  /** What a run visitor's last entry returned (0, or a value that stops the walk). */
  private runRet = 0;
  /** runEntries(): the aligned address of the run's first entry. */
  private runFirst = 0;

  /** @internal Level of the entry the last successful getLeafFast() found. */
  leafLevel = 0;
  /** kvm_pgtable_get_leaf()'s *ptep of the last successful getLeafFast(), as int32 halves. */
  private resLo = 0;
  private resHi = 0;

  /**
   * __kvm_pgtable_stage2_init() for a guest: flags 0 (or KVM_PGTABLE_S2_NOFWB
   * when `fwb` is false), no force_pte_cb. Throws InputError for a geometry
   * the kernel refuses. `log` receives the maintenance events (pass one in to
   * reuse its capacity across tables).
   */
  constructor(config: Stage2Config, storage: StorageOptions = {}, log: MaintenanceLog = new MaintenanceLog()) {
    const c = checkObject(config, "config");
    checkBool(c.fwb, "config.fwb");
    checkBool(c.tlbRange, "config.tlbRange");
    checkBool(c.lpa2, "config.lpa2");
    if (c.paBits === undefined) throw new ArgumentError("config.paBits", "missing (the host PA size: 32, 36, 40, 42, 44, 48 or 52)");
    this.log = checkInstance(log, "log", MaintenanceLog, "a MaintenanceLog");
    const gc = geometryOf(config);
    this.geom = gc.geom;
    this.config = gc.configs[(config.fwb ? 1 : 0) + (config.tlbRange ? 2 : 0)];
    this.fmt = this.geom.format;
    this.fwb = config.fwb;
    this.tlbRange = config.tlbRange;
    this.iaLimit = 2 ** config.iaBits;
    this.startLevel = this.geom.startLevel;
    this.ptrsPerPte = this.geom.ptrsPerPte;
    this.pageSize = this.geom.granule;

    this.k = gc.k[config.fwb ? 1 : 0];
    this.store = new TableStore(config.granule, config.paBits, storage);
    if (this.store.maxPages < this.geom.pgdPages) {
      throw new ArgumentError(
        "storage.maxPages",
        `${shown(storage.maxPages)} cannot hold the ${this.geom.pgdPages} root pages of this geometry (kvm_init_stage2_mmu would fail with -ENOMEM)`,
      );
    }
    if (this.store.basePa !== this.k.basePa) throw new Error("KvmPgtable: the table store's base PA is not the one its constants assume");
    this.pgd = this.store.zallocPagesExact(this.geom.pgdPages);
  }

  // ------------------------------------------------------------------------------
  // Descriptor access
  // ------------------------------------------------------------------------------

  /**
   * kvm_pte_follow(): the table page a table descriptor points at. Table
   * pages live below 2^48, so only the main OA field carries their address;
   * the 64K and LPA2 high OA fields are honoured all the same.
   */
  private follow(lo: number, hi: number): number {
    let hiPart = hi & this.k.oaHi;
    if (this.k.highOa === 1) hiPart += ((lo & ADDR_51_48_LO) >>> ADDR_51_48_SHIFT) << 16;
    else if (this.k.highOa === 2) hiPart += ((lo & ADDR_51_50_LPA2_LO) >>> ADDR_51_50_LPA2_SHIFT) << 18;
    // (PA - basePa) >> PAGE_SHIFT in 32-bit integers: page indices stay far below 2^31.
    return (((hiPart - this.k.baseHi) << this.k.hiToPage) + ((lo & this.k.oaLo) >>> this.k.pageShift) - this.k.baseLoPages) | 0;
  }

  /**
   * follow() where the walk goes on into the child table (reads it, counts
   * it, frees it): the page must be one the store handed out (below its bump
   * pointer), else TableMemoryError (see storage.ts). A page the store freed
   * since is zeroed memory of the store, read as such.
   */
  private followTable(lo: number, hi: number): number {
    const page = this.follow(lo, hi);
    // (follow() works modulo 2^32 pages, as every generated walk does: getleaf.ts, walker/kernel.ts.)
    if (page >>> 0 >= this.store.bump) this.badTablePointer(lo, hi);
    return page;
  }

  private badTablePointer(lo: number, hi: number): never {
    throw new TableMemoryError(tableOutsideStore(lo, hi, this.store.pagePa(0), this.store.pagePa(this.store.bump)));
  }

  /** Store a descriptor into the visited entry (WRITE_ONCE / smp_store_release). */
  private setPte(lo: number, hi: number): void {
    const t = this.cTbl;
    const o = this.cOff;
    const hook = this.hook;
    // Any store of the slow paths may change an entry on the way to mapPage()'s cached table.
    this.l3Key = -1;
    if (hook !== null) {
      const index = (o - this.store.pageOffset(this.cPage)) >>> 1;
      // The hook sees the store before it is made: if it throws, this store never happened.
      hook(this.cPage, index, t[o] >>> 0, t[o + 1] >>> 0, lo >>> 0, hi >>> 0);
      if (this.journaling) this.journal(J_STORE, this.cPage, index, 0, t[o], t[o + 1]);
    }
    t[o] = lo;
    t[o + 1] = hi;
  }

  // mm_ops->get_page() / put_page() / zalloc_page() of the slow paths,
  // journaled while an operation runs with a store hook (the fast paths run
  // only without one and call the store directly).

  private getPage(page: number): void {
    if (this.journaling) this.journal(J_GET, page, 0, 0, 0, 0);
    this.store.getPage(page);
  }

  private putPage(page: number): void {
    if (this.journaling) {
      // A put that frees the page zeroes it: keep its words for the undo.
      let saved = -1;
      if (this.store.pageCount(page) === 1) {
        saved = this.jPages.length;
        this.jPages.push(this.store.copyPage(page));
      }
      this.journal(J_PUT, page, saved, 0, 0, 0);
    }
    this.store.putPage(page);
  }

  private zallocPage(): number {
    const store = this.store;
    const fromCache = store.memcacheIsLimited;
    const page = store.zallocPage();
    if (this.journaling && page >= 0) this.journal(J_TAKE, page, store.lastTakeGrew ? 1 : 0, fromCache ? 1 : 0, 0, 0);
    return page;
  }

  private journal(kind: number, page: number, a: number, b: number, oldLo: number, oldHi: number): void {
    const n = this.jn;
    if ((n + 1) * J_WORDS > this.jr.length) {
      const next = new Int32Array(Math.max(1024, this.jr.length * 2));
      next.set(this.jr);
      this.jr = next;
      const old = new Int32Array(next.length / 2);
      old.set(this.jOld);
      this.jOld = old;
    }
    const at = n * J_WORDS;
    this.jr[at] = kind;
    this.jr[at + 1] = page;
    this.jr[at + 2] = a;
    this.jr[at + 3] = b;
    this.jOld[n * 2] = oldLo;
    this.jOld[n * 2 + 1] = oldHi;
    this.jn = n + 1;
  }

  private warn(what: string): void {
    this.warnings.push(what);
  }

  // ------------------------------------------------------------------------------
  // The generic walker
  // ------------------------------------------------------------------------------

  /** kvm_pgtable_walk_continue(). */
  private walkContinue(r: number): boolean {
    if (r === -EAGAIN) return (this.wFlags & WALK_HANDLE_FAULT) === 0;
    return r === 0;
  }

  /**
   * kvm_pgtable_walk(pgt, addr, size, walker): the start rounds down to a
   * page, the end (rounded-down start + size) rounds up.
   */
  private walk(addr: number, size: number, cb: number, flags: number): number {
    const d = this.d;
    const page = this.pageSize;
    const inv = this.k.invPage;
    const start = Math.floor(addr * inv) * page;
    d[D_START] = start;
    d[D_ADDR] = start;
    d[D_END] = Math.ceil((start + size) * inv) * page;
    this.wCb = cb;
    this.wFlags = flags;
    // A top-level walk (walk() is never nested: a walk inside a visit calls walkTable() on its own
    // frames): the explicit stack starts empty, whatever an earlier walk that threw left on it
    // (a TableMemoryError from deep in a walk leaves its frames pushed; without this, the next
    // walks' frames would sit higher each time until they run past the 16 slots and read garbage).
    this.sp = 0;
    return this.walkPgd();
  }

  /** _kvm_pgtable_walk(): range check, then each concatenated root page in turn. */
  private walkPgd(): number {
    const d = this.d;
    const limit = this.iaLimit;
    if (d[D_ADDR] > limit || d[D_END] > limit) return -ERANGE;
    // if (!pgt->pgd) return -EINVAL: the table was destroyed.
    if (this.destroyedFlag) return -EINVAL;
    // kvm_pgd_page_idx(): (addr & (BIT(ia_bits) - 1)) >> kvm_granule_shift(start_level - 1);
    // addr <= limit here, and addr == limit walks nothing.
    let idx = (d[D_ADDR] * this.k.invGran[this.startLevel]) | 0;
    let ret = 0;
    for (; d[D_ADDR] < d[D_END]; ++idx) {
      ret = this.walkTable(this.pgd + idx, this.startLevel);
      if (ret) break;
    }
    return ret;
  }

  /**
   * __kvm_pgtable_walk(page, level) with every nested __kvm_pgtable_visit()
   * and __kvm_pgtable_walk() below it, done iteratively: the recursion of the
   * kernel becomes an explicit stack of visited table entries (frames), so
   * that the whole walk, callbacks included, is one loop the JIT can
   * optimise as a unit. The order of visits, the re-reads after callbacks,
   * the address bookkeeping and the -EAGAIN handling
   * (kvm_pgtable_walk_continue) are the kernel's, step for step.
   *
   * A frame holds what the kernel keeps on its stack for a table entry whose
   * child is being walked: the entry (page, index), the value re-read after
   * the PRE/LEAF callback, and ctx.addr as it was when the entry was visited
   * (the TABLE_POST callback sees those). Walks nested in a callback
   * (create_unlinked during split) push their frames above the caller's.
   */
  private walkTable(startPage: number, startLevel: number): number {
    if (startLevel < -1 || startLevel > KVM_PGTABLE_LAST_LEVEL) {
      this.warn(`__kvm_pgtable_walk at level ${startLevel}`);
      return -EINVAL;
    }
    const store = this.store;
    const chunks = store.chunks;
    const chunkShift = store.chunkShift;
    const chunkMask = store.chunkMask;
    const wordsShift = store.wordsShift;
    const ptrs = this.ptrsPerPte;
    const idxMask = this.k.idxMask;
    const gran = this.k.gran;
    const invGran = this.k.invGran;
    const flags = this.wFlags;
    const d = this.d;
    const w = this.w;
    const fPage = this.fPage;
    const fIdx = this.fIdx;
    const fAddr = this.fAddr;
    const fOldLo = this.fOldLo;
    const fOldHi = this.fOldHi;
    const base = this.sp;
    const runs =
      this.fastOn &&
      this.hook === null &&
      (this.wCb === CB_UNMAP || this.wCb === CB_ATTR || this.wCb === CB_AGE || this.wCb === CB_FLUSH || this.wCb === CB_MAP);

    let page = startPage;
    let level = startLevel;
    let tbl = chunks[page >>> chunkShift];
    let pageOff = (page & chunkMask) << wordsShift;
    let idx = (d[D_ADDR] * invGran[level + 1]) & idxMask;
    // `ret` is the result of the table walk at the current level: 0, or a
    // value kvm_pgtable_walk_continue() says stops the walk.
    let ret = 0;

    for (;;) {
      if (idx < ptrs && d[D_ADDR] < d[D_END]) {
        // __kvm_pgtable_visit()
        const off = pageOff + (idx << 1);
        let oldLo = tbl[off];
        let table = level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS;
        if (!table && runs) {
          // A run of consecutive leaf visits, handled by the operation's run
          // visitor in one loop (see leafRun); it declines what it does not handle.
          const n = this.leafRun(tbl, pageOff, idx, level, page);
          const rr = this.runRet;
          if (n !== 0 || rr !== 0) {
            idx += n;
            if (rr === 0) continue;
            ret = rr;
            idx = ptrs;
            continue;
          }
        }
        let r = 0;
        if (table ? (flags & WALK_TABLE_PRE) !== 0 : (flags & WALK_LEAF) !== 0) {
          this.cTbl = tbl;
          this.cOff = off;
          this.cPage = page;
          this.cLevel = level;
          w[W_OLD_LO] = oldLo;
          w[W_OLD_HI] = tbl[off + 1];
          d[D_CTX_ADDR] = d[D_ADDR];
          r = this.callback(table ? WALK_TABLE_PRE : WALK_LEAF);
          // A callback that allocated may have moved the first chunk (store.chunkGen).
          tbl = chunks[page >>> chunkShift];
          // Re-read the entry, so that the walk descends into a table a callback installed.
          oldLo = tbl[off];
          table = level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS;
        }
        if (this.walkContinue(r)) {
          if (!table) {
            const g = gran[level + 1];
            d[D_ADDR] = Math.floor(d[D_ADDR] * invGran[level + 1]) * g + g;
            idx++;
            continue;
          }
          // Descend: push the frame, walk the child table at level + 1.
          const sp = this.sp++;
          const oldHi = tbl[off + 1];
          fPage[sp] = page;
          fIdx[sp] = idx;
          fAddr[sp] = d[D_ADDR];
          fOldLo[sp] = oldLo;
          fOldHi[sp] = oldHi;
          page = this.followTable(oldLo, oldHi);
          level++;
          tbl = chunks[page >>> chunkShift];
          pageOff = (page & chunkMask) << wordsShift;
          idx = (d[D_ADDR] * invGran[level + 1]) & idxMask;
          continue;
        }
        // The visit's result stops this table's walk.
        ret = r;
      }
      // This table's walk is over (end of the page, end of the range, or
      // `ret` stops it). Return to the entry that pointed at it.
      if (this.sp === base) break;
      const sp = --this.sp;
      page = fPage[sp];
      idx = fIdx[sp];
      level--;
      tbl = chunks[page >>> chunkShift];
      pageOff = (page & chunkMask) << wordsShift;
      // Rest of __kvm_pgtable_visit() for the parent entry: TABLE_POST.
      let r = ret;
      if (this.walkContinue(r) && (flags & WALK_TABLE_POST) !== 0) {
        this.cTbl = tbl;
        this.cOff = pageOff + (idx << 1);
        this.cPage = page;
        this.cLevel = level;
        w[W_OLD_LO] = fOldLo[sp];
        w[W_OLD_HI] = fOldHi[sp];
        d[D_CTX_ADDR] = fAddr[sp];
        r = this.callback(WALK_TABLE_POST);
        tbl = chunks[page >>> chunkShift];
      }
      if (this.walkContinue(r)) {
        ret = 0;
        idx++;
      } else {
        ret = r;
        idx = ptrs; // stop this level too
      }
    }
    return ret;
  }

  /** walker->cb(ctx, visit). */
  private callback(visit: number): number {
    switch (this.wCb) {
      case CB_MAP:
        return visit === WALK_TABLE_PRE ? this.stage2MapWalkTablePre() : visit === WALK_LEAF ? this.stage2MapWalkLeaf() : -EINVAL;
      case CB_LEAF:
        // leaf_walker()
        this.w[W_LEAF_LO] = this.w[W_OLD_LO];
        this.w[W_LEAF_HI] = this.w[W_OLD_HI];
        this.lLevel = this.cLevel;
        return 0;
      case CB_UNMAP:
        return this.stage2UnmapWalker();
      case CB_ATTR:
        return this.stage2AttrWalker();
      case CB_AGE:
        return this.stage2AgeWalker();
      case CB_FLUSH:
        return this.stage2FlushWalker();
      case CB_SPLIT:
        return this.stage2SplitWalker();
      case CB_FREE:
        return this.stage2FreeWalker();
      default:
        return -EINVAL;
    }
  }

  // ------------------------------------------------------------------------------
  // Run visitors: many leaf visits in one loop
  // ------------------------------------------------------------------------------

  /**
   * Handle the non-table entries from `idx` on, as the generic walker would
   * visit them one by one (LEAF callback, then the address moves to the next
   * entry), until a table entry, the end of the page or the end of the range.
   * Returns the number of entries consumed and sets runRet: 0, or the result
   * of an entry whose visit stops the walk (that entry is not counted, and
   * the address stays on it, as in __kvm_pgtable_visit). Returning 0 with
   * runRet 0 declines: the generic path visits the entry.
   *
   * Each operation that has a run form has its own loop (the visitor inlined,
   * its configuration hoisted out of the loop): unmap, the attribute walker,
   * aging, flush and map.
   */
  private leafRun(tbl: Int32Array, pageOff: number, idx: number, level: number, page: number): number {
    this.runRet = 0;
    switch (this.wCb) {
      case CB_UNMAP:
        return this.unmapRun(tbl, pageOff, idx, level, page);
      case CB_ATTR:
        return this.attrRun(tbl, pageOff, idx, level);
      case CB_MAP:
        return this.mapRun(tbl, pageOff, idx, level, page);
      case CB_AGE:
      case CB_FLUSH:
        return this.ageFlushRun(tbl, pageOff, idx, level);
      default:
        return 0;
    }
  }

  /**
   * Entries a run from `idx` may visit: the first always (the walk is inside
   * the range), then each whose (aligned) address is below the end, up to the
   * end of the page. Sets runFirst to the first entry's aligned address.
   */
  private runEntries(idx: number, level: number): number {
    const d = this.d;
    const g = this.k.gran[level + 1];
    const base = Math.floor(d[D_ADDR] * this.k.invGran[level + 1]) * g;
    this.runFirst = base;
    const left = this.ptrsPerPte - idx;
    const inRange = Math.ceil((d[D_END] - base) * this.k.invGran[level + 1]);
    return inRange < left ? (inRange < 1 ? 1 : inRange) : left;
  }

  /**
   * stage2_unmap_walker() with stage2_unmap_put_pte() over a run of leaf
   * entries. Per entry the kernel clears it, puts the table page's reference
   * and, for a valid leaf, issues a TLBI by IPA (unless deferred) and cleans
   * a Normal leaf's memory to PoC (without FWB). Here: the entries are
   * cleared in one loop, the page's count drops once by the number cleared,
   * and the events go to the log as runs (pairs of TLBI + dcache at
   * consecutive IPAs and PAs), exactly the events the kernel issues in its
   * order. Should the count reach 0 inside the run (a table whose count is
   * lower than its entries: a scribbled table), the run stops before that
   * entry and the generic visit frees the page as put_page() does.
   */
  private unmapRun(tbl: Int32Array, pageOff: number, idx: number, level: number, page: number): number {
    // Module constants as locals: an imported binding is re-read (and hole-checked) on every use.
    const VALID = PTE_VALID_LO;
    const TABLE = TABLE_BITS;
    const MEMATTR = S2_MEMATTR_LO;
    const HI_WEIGHT = TWO_32;
    const d = this.d;
    const log = this.log;
    const refcount = this.store.refcount;
    const oaLo = this.k.oaLo;
    const oaHi = this.k.oaHi;
    const fmt = this.fmt;
    const g = this.k.gran[level + 1];
    const cnt = this.runEntries(idx, level);
    const base = this.runFirst;
    const last = level === KVM_PGTABLE_LAST_LEVEL;
    const normal = this.k.normalMemattrLo;
    // The inner loop below compares the OA as int32 halves: only the main OA field, a block of at most 2^30.
    const halves = this.k.highOa === 0 && g <= 2 ** 30;
    // What the inner loop compares of the low half: the bits that decide the events (valid, memory type),
    // the type bit (a table never continues a run of leaves) and the OA.
    const same = VALID | PTE_TYPE_LO | MEMATTR | oaLo;
    // The events of a valid leaf: 1 the TLBI (unless deferred: FEAT_TLBIRANGE and FWB), 2 the dcache (Normal, no FWB).
    const tlbi = this.unmapDeferTlbFlush() ? 0 : 1;
    const flushOnUnmap = !this.fwb;
    const rc0 = refcount[page];
    let cleared = 0;
    // The current run of leaves with the same events at consecutive addresses.
    let rn = 0;
    let rPat = 0;
    let rAddr = 0;
    let rPa = 0;
    let nextPa = -1;
    let k = 0;
    let off = pageOff + (idx << 1);
    while (k < cnt) {
      const lo = tbl[off];
      const hi = tbl[off + 1];
      if ((lo | hi) === 0) {
        // An empty entry: no visit work, and the next leaf is not at the run's next address.
        nextPa = -1;
        k++;
        off += 2;
        continue;
      }
      if (!last && (lo & TABLE) === TABLE) break;
      // put_page() of the entry that would take the page's count to 0: the generic visit's.
      if (cleared + 1 === rc0) break;
      tbl[off] = 0;
      tbl[off + 1] = 0;
      cleared++;
      k++;
      off += 2;
      if ((lo & VALID) === 0) {
        nextPa = -1;
        continue;
      }
      const pat = tlbi | (flushOnUnmap && (lo & MEMATTR) === normal ? 2 : 0);
      const pa = halves ? (hi & oaHi) * HI_WEIGHT + ((lo & oaLo) >>> 0) : pteToPhys(fmt, lo, hi);
      if (pa === nextPa && pat === rPat) {
        rn++;
      } else {
        if (rn !== 0) this.unmapRunEvents(log, rPat, rAddr, rPa, g, level, rn);
        rn = 1;
        rPat = pat;
        // ctx->addr: the walk's own address for the first entry (it may be unaligned above the last level).
        rAddr = k === 1 ? d[D_ADDR] : base + (k - 1) * g;
        rPa = pa;
      }
      nextPa = pa + g;
      if (halves) {
        // The leaves that follow with the same bits and the next OA: cleared in a tight loop.
        const gi = g | 0;
        let want = ((lo & same) + gi) | 0;
        let wantHi = hi & oaHi;
        if ((want & oaLo) === 0) wantHi = (wantHi + 1) | 0;
        let most = cnt - k;
        if (most > rc0 - 1 - cleared) most = rc0 - 1 - cleared;
        const from = off;
        const stop = off + (most << 1);
        let o = off;
        while (o < stop) {
          if ((tbl[o] & same) !== want || (tbl[o + 1] & oaHi) !== wantHi) break;
          tbl[o] = 0;
          tbl[o + 1] = 0;
          o += 2;
          want = (want + gi) | 0;
          if ((want & oaLo) === 0) wantHi = (wantHi + 1) | 0;
        }
        const m = (o - from) >> 1;
        if (m !== 0) {
          rn += m;
          cleared += m;
          k += m;
          off = o;
          nextPa += m * g;
        }
      }
    }
    if (rn !== 0) this.unmapRunEvents(log, rPat, rAddr, rPa, g, level, rn);
    if (cleared !== 0) refcount[page] = rc0 - cleared;
    if (k !== 0) d[D_ADDR] = base + k * g;
    return k;
  }

  /** The events of rn consecutive leaves cleared by unmapRun(), pattern `pat`. */
  private unmapRunEvents(log: MaintenanceLog, pat: number, addr: number, pa: number, g: number, level: number, rn: number): void {
    if (pat === 3) {
      if (rn === 1 || addr !== Math.floor(addr / g) * g) {
        // An unaligned first address (the walk's start inside a block) is not on the run's stride.
        log.push(EV_TLBI_IPA, addr, level);
        log.push(EV_DCACHE, pa, g);
        if (rn > 1) log.pushPairs(EV_TLBI_IPA, Math.floor(addr / g) * g + g, level, g, EV_DCACHE, pa + g, g, g, rn - 1);
      } else {
        log.pushPairs(EV_TLBI_IPA, addr, level, g, EV_DCACHE, pa, g, g, rn);
      }
    } else if (pat === 1) {
      if (rn === 1 || addr !== Math.floor(addr / g) * g) {
        log.push(EV_TLBI_IPA, addr, level);
        if (rn > 1) log.pushRun(EV_TLBI_IPA, Math.floor(addr / g) * g + g, level, g, rn - 1);
      } else {
        log.pushRun(EV_TLBI_IPA, addr, level, g, rn);
      }
    } else if (pat === 2) {
      log.pushRun(EV_DCACHE, pa, g, g, rn);
    }
  }

  /**
   * stage2_attr_walker() over a run of leaf entries: an invalid entry is
   * -EAGAIN (which stops the walk under WALK_HANDLE_FAULT, else is passed
   * over); a valid leaf gets (old & ~clr) | set, stored only when it
   * changes, with an icache invalidation before it becomes executable.
   * When only the low half can change (wrprotect, mkyoung) the loop reads
   * and writes that word alone.
   */
  private attrRun(tbl: Int32Array, pageOff: number, idx: number, level: number): number {
    const VALID = PTE_VALID_LO;
    const TABLE = TABLE_BITS;
    const XN = S2_XN_HI;
    const w = this.w;
    const setLo = w[W_SET_LO];
    const setHi = w[W_SET_HI];
    const clrLo = w[W_CLR_LO];
    const clrHi = w[W_CLR_HI];
    const stopOnEagain = (this.wFlags & WALK_HANDLE_FAULT) !== 0;
    const cnt = this.runEntries(idx, level);
    const base = this.runFirst;
    const g = this.k.gran[level + 1];
    // A table entry ends the run (it is valid, with the type bit; above the last level only).
    const tableBits = level === KVM_PGTABLE_LAST_LEVEL ? 0 : TABLE;
    let k = 0;
    let valid = 0;
    let off = pageOff + (idx << 1);
    if (setHi === 0 && clrHi === 0) {
      // The high half (XN among it) never changes: no icache invalidation, one word read and written.
      const keep = ~clrLo;
      const last = tableBits === 0;
      while (k < cnt) {
        if (last) {
          // At the last level every valid entry is a leaf: the run of them in a tight loop.
          const from = off;
          const stop = off + ((cnt - k) << 1);
          while (off < stop) {
            const lo = tbl[off];
            if ((lo & VALID) === 0) break;
            const newLo = (lo & keep) | setLo;
            if (newLo !== lo) tbl[off] = newLo;
            off += 2;
          }
          if (off !== from) {
            valid = 1;
            k += (off - from) >> 1;
            if (k >= cnt) break;
          }
        }
        const lo = tbl[off];
        if ((lo & VALID) === 0) {
          if (stopOnEagain) {
            this.runRet = -EAGAIN;
            break;
          }
        } else {
          if ((lo & tableBits) === TABLE) break;
          valid = 1;
          const newLo = (lo & keep) | setLo;
          if (newLo !== lo) tbl[off] = newLo;
        }
        k++;
        off += 2;
      }
    } else {
      for (; k < cnt; k++, off += 2) {
        const lo = tbl[off];
        if ((lo & VALID) === 0) {
          if (stopOnEagain) {
            this.runRet = -EAGAIN;
            break;
          }
          continue;
        }
        if ((lo & tableBits) === TABLE) break;
        valid = 1;
        const hi = tbl[off + 1];
        const newLo = (lo & ~clrLo) | setLo;
        const newHi = (hi & ~clrHi) | setHi;
        if (newLo !== lo || newHi !== hi) {
          if ((newHi & XN) === 0 && (hi & XN) !== 0) this.log.push(EV_ICACHE, pteToPhys(this.fmt, newLo, newHi), g);
          tbl[off] = newLo;
          tbl[off + 1] = newHi;
        }
      }
    }
    if (valid !== 0) this.aLevel = level;
    if (k !== 0) this.d[D_ADDR] = base + k * g;
    return k;
  }

  /** stage2_age_walker() or stage2_flush_walker() over a run of leaf entries. */
  private ageFlushRun(tbl: Int32Array, pageOff: number, idx: number, level: number): number {
    const VALID = PTE_VALID_LO;
    const TABLE = TABLE_BITS;
    const AF = S2_AF_LO;
    const MEMATTR = S2_MEMATTR_LO;
    const cnt = this.runEntries(idx, level);
    const base = this.runFirst;
    const g = this.k.gran[level + 1];
    const tableBits = level === KVM_PGTABLE_LAST_LEVEL ? 0 : TABLE;
    const normal = this.k.normalMemattrLo;
    const age = this.wCb === CB_AGE;
    const mkold = this.gMkold;
    let k = 0;
    let off = pageOff + (idx << 1);
    for (; k < cnt; k++, off += 2) {
      const lo = tbl[off];
      if ((lo & tableBits) === TABLE) break;
      if ((lo & VALID) === 0) continue;
      if (age) {
        if ((lo & AF) !== 0) {
          this.gYoung = true;
          if (mkold) tbl[off] = lo & ~AF;
        }
      } else if ((lo & MEMATTR) === normal) {
        this.log.push(EV_DCACHE, pteToPhys(this.fmt, lo, tbl[off + 1]), g);
      }
    }
    if (k !== 0) this.d[D_ADDR] = base + k * g;
    return k;
  }

  /**
   * stage2_map_walk_leaf() over a run of entries. First the common case in
   * one loop (blockRun: empty entries that each get a valid leaf of the
   * entry's full size), then, entry by entry, stage2_map_walker_try_leaf()
   * with the visit context set; an entry that needs a new table (-E2BIG) is
   * left to the generic visit.
   */
  private mapRun(tbl: Int32Array, pageOff: number, idx: number, level: number, page: number): number {
    const d = this.d;
    const w = this.w;
    let i = idx + this.blockRun(tbl, pageOff, idx, level, page);
    this.cTbl = tbl;
    this.cPage = page;
    this.cLevel = level;
    const g = this.k.gran[level + 1];
    const inv = this.k.invGran[level + 1];
    const end = d[D_END];
    const ptrs = this.ptrsPerPte;
    let addr = d[D_ADDR];
    for (; i < ptrs && addr < end; i++) {
      const off = pageOff + (i << 1);
      const lo = tbl[off];
      if (level !== KVM_PGTABLE_LAST_LEVEL && (lo & TABLE_BITS) === TABLE_BITS) break;
      this.cOff = off;
      w[W_OLD_LO] = lo;
      w[W_OLD_HI] = tbl[off + 1];
      d[D_CTX_ADDR] = addr;
      const r = this.stage2MapWalkerTryLeaf();
      if (r === -E2BIG) break;
      if (!this.walkContinue(r)) {
        this.runRet = r;
        break;
      }
      // Only the first entry's address may be unaligned (the walk's start).
      addr = Math.floor(addr * inv) * g + g;
    }
    d[D_ADDR] = addr;
    return i - idx;
  }

  /**
   * stage2_map_walker_try_leaf() for a run of empty entries, each getting a
   * valid leaf of the entry's size (a block, or pages at the last level):
   * the leaf is allowed (kvm_block_mapping_supported: the block fits in the
   * range and the IPA and PA are aligned to it), the old entry is empty, so
   * stage2_try_break_pte() stores the LOCKED marker and issues nothing,
   * then the CMOs (dcache for Normal memory, icache when executable, unless
   * WALK_SKIP_CMO), get_page and the leaf. Here the page's count rises once
   * for the run, the events go to the log as a run, and the LOCKED marker,
   * which the leaf overwrites before anything could read it, is stored only
   * in a shared walk. Stops at the first entry that is not such a case.
   */
  private blockRun(tbl: Int32Array, pageOff: number, idx: number, level: number, page: number): number {
    if (this.mAnnotation || (this.mForcePte && level !== KVM_PGTABLE_LAST_LEVEL) || level < this.k.minBlockLevel) return 0;
    const d = this.d;
    const g = this.k.gran[level + 1];
    const inv = this.k.invGran[level + 1];
    const addr = d[D_ADDR];
    const phys = d[D_PHYS] + (addr - d[D_START]);
    // Aligned in IPA and PA, below the 48-bit OA field's reach (the leaf needs only its main OA field).
    if (Math.floor(addr * inv) * g !== addr || Math.floor(phys * inv) * g !== phys || phys >= TWO_48) return 0;
    let cnt = Math.floor((d[D_END] - addr) * inv);
    const left = this.ptrsPerPte - idx;
    if (cnt > left) cnt = left;
    const paRoom = Math.floor((TWO_48 - phys) * inv);
    if (cnt > paRoom) cnt = paRoom;
    if (cnt <= 0) return 0;
    const w = this.w;
    const attrLo = (w[W_ATTR_LO] & LEAF_ATTR_LO) | (level === KVM_PGTABLE_LAST_LEVEL ? PTE_TYPE_LO : 0) | PTE_VALID_LO;
    const attrHi = w[W_ATTR_HI] & LEAF_ATTR_HI;
    const oaLo = this.k.oaLo;
    const oaHi = this.k.oaHi;
    const shared = (this.wFlags & WALK_SHARED) !== 0;
    // g divides 2^32 (blocks are at most 1 GiB): the OA's low half steps by g and carries into the high half.
    const gi = g | 0;
    let pLo = phys & oaLo;
    let pHi = (phys * INV_TWO_32) & oaHi;
    let k = 0;
    let off = pageOff + (idx << 1);
    for (; k < cnt; k++, off += 2) {
      if ((tbl[off] | tbl[off + 1]) !== 0) break;
      if (shared) tbl[off] = INVALID_PTE_LOCKED_LO;
      tbl[off] = pLo | attrLo;
      tbl[off + 1] = pHi | attrHi;
      pLo = (pLo + gi) | 0;
      if (pLo === 0) pHi = (pHi + 1) & oaHi;
    }
    if (k === 0) return 0;
    this.store.refcount[page] += k;
    if ((this.wFlags & WALK_SKIP_CMO) === 0) {
      const dc = (attrLo & S2_MEMATTR_LO) === this.k.normalMemattrLo;
      const ic = (attrHi & S2_XN_HI) === 0;
      if (dc && ic) this.log.pushPairs(EV_DCACHE, phys, g, g, EV_ICACHE, phys, g, g, k);
      else if (dc) this.log.pushRun(EV_DCACHE, phys, g, g, k);
      else if (ic) this.log.pushRun(EV_ICACHE, phys, g, g, k);
    }
    d[D_ADDR] = addr + k * g;
    return k;
  }

  // ------------------------------------------------------------------------------
  // Break-before-make primitives and TLB maintenance
  // ------------------------------------------------------------------------------

  /** kvm_tlb_flush_vmid_range(mmu, addr, size). */
  private tlbFlushVmidRange(addr: number, size: number): void {
    if (!this.tlbRange) {
      this.log.push(EV_TLBI_VMID, 0, 0);
      return;
    }
    let pages = Math.floor(size * this.k.invPage);
    while (pages > 0) {
      const n = pages < MAX_TLBI_RANGE_PAGES ? pages : MAX_TLBI_RANGE_PAGES;
      this.log.push(EV_TLBI_RANGE, addr, n);
      addr += n * this.pageSize;
      pages -= n;
    }
  }

  /** stage2_try_break_pte(ctx, mmu): the first half of break-before-make. */
  private stage2TryBreakPte(): boolean {
    const oldLo = this.w[W_OLD_LO];
    const oldHi = this.w[W_OLD_HI];
    if ((oldLo & PTE_VALID_LO) === 0 && (oldLo & INVALID_PTE_LOCKED_LO) !== 0) {
      if (!(this.wFlags & WALK_SHARED)) this.warn("stage2_try_break_pte on a locked entry outside a shared walk");
      return false;
    }
    // stage2_try_set_pte(ctx, KVM_INVALID_PTE_LOCKED): the model has no
    // concurrent walker, so the compare-and-swap of a SHARED walk always succeeds.
    this.setPte(INVALID_PTE_LOCKED_LO, 0);
    if (!(this.wFlags & WALK_SKIP_BBM_TLBI)) {
      const level = this.cLevel;
      if (level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS) {
        const size = this.k.gran[level + 1];
        this.tlbFlushVmidRange(alignDown(this.d[D_CTX_ADDR], size), size);
      } else if (oldLo & PTE_VALID_LO) {
        this.log.push(EV_TLBI_IPA, this.d[D_CTX_ADDR], level);
      }
    }
    if ((oldLo | oldHi) !== 0) this.putPage(this.cPage);
    return true;
  }

  /** stage2_make_pte(ctx, new): the second half of break-before-make. */
  private stage2MakePte(newLo: number, newHi: number): void {
    const now = this.cTbl[this.cOff];
    if ((now & PTE_VALID_LO) !== 0 || (now & INVALID_PTE_LOCKED_LO) === 0) this.warn("stage2_make_pte on an entry that is not locked");
    if ((newLo | newHi) !== 0) this.getPage(this.cPage);
    this.setPte(newLo, newHi);
  }

  // ------------------------------------------------------------------------------
  // map / set_owner / create_unlinked: stage2_map_walker
  // ------------------------------------------------------------------------------

  /** kvm_block_mapping_supported(ctx, phys). */
  private blockMappingSupported(phys: number): boolean {
    const level = this.cLevel;
    if (level < this.k.minBlockLevel) return false;
    const g = this.k.gran[level + 1];
    const inv = this.k.invGran[level + 1];
    const addr = this.d[D_CTX_ADDR];
    if (g > this.d[D_END] - addr) return false;
    if (Math.floor(phys * inv) * g !== phys) return false;
    return Math.floor(addr * inv) * g === addr;
  }

  /** stage2_leaf_mapping_allowed(ctx, data). */
  private stage2LeafMappingAllowed(): boolean {
    if (this.mForcePte && this.cLevel < KVM_PGTABLE_LAST_LEVEL) return false;
    if (this.mAnnotation) return true;
    return this.blockMappingSupported(this.d[D_PHYS] + (this.d[D_CTX_ADDR] - this.d[D_START]));
  }

  /**
   * stage2_map_walker_try_leaf() for an empty entry and a valid leaf, with no
   * store hook: an invalid old entry always needs the update and is never a
   * software-bits change; stage2_try_break_pte() writes the LOCKED marker
   * and, for an empty entry, neither invalidates nor drops a reference; then
   * the CMOs (`pa` is the leaf's output address, `size` its granule);
   * stage2_make_pte() takes the reference and stores the leaf.
   */
  private makeLeafInEmpty(tbl: Int32Array, off: number, page: number, newLo: number, newHi: number, pa: number, size: number, flags: number): void {
    tbl[off] = INVALID_PTE_LOCKED_LO;
    if ((flags & WALK_SKIP_CMO) === 0) {
      if ((newLo & S2_MEMATTR_LO) === this.k.normalMemattrLo) this.log.push(EV_DCACHE, pa, size);
      if ((newHi & S2_XN_HI) === 0) this.log.push(EV_ICACHE, pa, size);
    }
    this.store.getPage(page);
    tbl[off] = newLo;
    tbl[off + 1] = newHi;
  }

  /** stage2_map_walker_try_leaf(ctx, data). */
  private stage2MapWalkerTryLeaf(): number {
    if (!this.stage2LeafMappingAllowed()) return -E2BIG;
    const w = this.w;
    const level = this.cLevel;
    const oldLo = w[W_OLD_LO];
    const oldHi = w[W_OLD_HI];
    let newLo: number;
    let newHi: number;
    if (!this.mAnnotation) {
      // kvm_init_valid_leaf_pte(phys, data->attr, level)
      const phys = this.d[D_PHYS] + (this.d[D_CTX_ADDR] - this.d[D_START]);
      const type = level === KVM_PGTABLE_LAST_LEVEL ? PTE_TYPE_LO : 0;
      // kvm_phys_to_pte(): below 2^48 only the main OA field is needed.
      const oaLo = phys < TWO_48 ? phys & this.k.oaLo : physToPteLo(this.fmt, phys);
      const oaHi = phys < TWO_48 ? (phys * INV_TWO_32) & this.k.oaHi : physToPteHi(this.fmt, phys);
      newLo = oaLo | (w[W_ATTR_LO] & LEAF_ATTR_LO) | type | PTE_VALID_LO;
      newHi = oaHi | (w[W_ATTR_HI] & LEAF_ATTR_HI);
    } else {
      // kvm_init_invalid_leaf_owner(owner_id)
      newLo = this.mOwnerId << INVALID_PTE_OWNER_SHIFT;
      newHi = 0;
    }

    if ((oldLo | oldHi) === 0 && (newLo & PTE_VALID_LO) !== 0 && this.fastOn && this.hook === null && !this.mAnnotation) {
      const phys = this.d[D_PHYS] + (this.d[D_CTX_ADDR] - this.d[D_START]);
      if (phys < TWO_48) {
        this.makeLeafInEmpty(this.cTbl, this.cOff, this.cPage, newLo, newHi, phys, this.k.gran[level + 1], this.wFlags);
        return 0;
      }
    }

    // stage2_pte_needs_update(): an identical leaf, or one that differs only
    // in S2AP/XN, is left for relax_perms on the next fault.
    if ((oldLo & newLo & PTE_VALID_LO) !== 0 && ((oldLo ^ newLo) & ~S2_PERMS_LO) === 0 && ((oldHi ^ newHi) & ~S2_PERMS_HI) === 0) {
      return -EAGAIN;
    }

    // Only software bits change, outside a shared walk: store in place.
    if (!(this.wFlags & WALK_SHARED) && oldLo === newLo && ((oldHi ^ newHi) & ~SW_HI) === 0) {
      const oldCounted = (oldLo | oldHi) !== 0;
      const newCounted = (newLo | newHi) !== 0;
      if (oldCounted !== newCounted) {
        if (oldCounted) this.putPage(this.cPage);
        else this.getPage(this.cPage);
      }
      this.setPte(newLo, newHi);
      return 0;
    }

    if (!this.stage2TryBreakPte()) return -EAGAIN;

    // CMOs before the new entry is visible (Device and Normal-NC never get them).
    if (!(this.wFlags & WALK_SKIP_CMO) && (newLo & PTE_VALID_LO) !== 0) {
      const g = this.k.gran[level + 1];
      if ((newLo & S2_MEMATTR_LO) === this.k.normalMemattrLo) this.log.push(EV_DCACHE, pteToPhys(this.fmt, newLo, newHi), g);
      if ((newHi & S2_XN_HI) === 0) this.log.push(EV_ICACHE, pteToPhys(this.fmt, newLo, newHi), g);
    }
    this.stage2MakePte(newLo, newHi);
    return 0;
  }

  /** stage2_map_walk_table_pre(): a block replacing a whole table. */
  private stage2MapWalkTablePre(): number {
    if (!this.stage2LeafMappingAllowed()) return 0;
    const child = this.followTable(this.w[W_OLD_LO], this.w[W_OLD_HI]);
    const ret = this.stage2MapWalkerTryLeaf();
    if (ret) return ret;
    // mm_ops->free_unlinked_table(): the host defers it through RCU; the
    // detached subtree is released without any maintenance.
    this.stage2FreeUnlinked(child, this.cLevel);
    return 0;
  }

  /** stage2_map_walk_leaf(): a leaf, or a new table to descend into. */
  private stage2MapWalkLeaf(): number {
    const ret = this.stage2MapWalkerTryLeaf();
    if (ret !== -E2BIG) return ret;
    if (this.cLevel === KVM_PGTABLE_LAST_LEVEL) {
      this.warn("stage2_map_walk_leaf at the last level");
      return -EINVAL;
    }
    const child = this.zallocPage();
    if (child < 0) return -ENOMEM;
    // The allocation may have moved the first chunk: the visited entry's array again.
    this.cTbl = this.store.chunkOf(this.cPage);
    if (!this.stage2TryBreakPte()) {
      this.putPage(child);
      return -EAGAIN;
    }
    this.stage2MakePte(this.tablePteLo(child), this.tablePteHi(child));
    return 0;
  }

  /** kvm_init_table_pte(childp), low half. */
  private tablePteLo(child: number): number {
    return physToPteLo(this.fmt, this.store.pagePa(child)) | PTE_TYPE_LO | PTE_VALID_LO;
  }
  private tablePteHi(child: number): number {
    return physToPteHi(this.fmt, this.store.pagePa(child));
  }

  // ------------------------------------------------------------------------------
  // unmap
  // ------------------------------------------------------------------------------

  /** stage2_unmap_walker() with stage2_unmap_put_pte(). */
  private stage2UnmapWalker(): number {
    const oldLo = this.w[W_OLD_LO];
    const oldHi = this.w[W_OLD_HI];
    const level = this.cLevel;
    if (!(oldLo & PTE_VALID_LO)) {
      if ((oldLo | oldHi) !== 0) {
        this.setPte(0, 0);
        this.putPage(this.cPage);
      }
      return 0;
    }
    let child = -1;
    let needFlush = false;
    const isTable = level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS;
    if (isTable) {
      child = this.followTable(oldLo, oldHi);
      if (this.store.pageCount(child) !== 1) return 0;
    } else if ((oldLo & S2_MEMATTR_LO) === this.k.normalMemattrLo) {
      needFlush = !this.fwb;
    }
    // stage2_unmap_put_pte()
    this.setPte(0, 0);
    if (isTable) this.log.push(EV_TLBI_IPA, this.d[D_CTX_ADDR], TLBI_TTL_UNKNOWN);
    else if (!this.unmapDeferTlbFlush()) this.log.push(EV_TLBI_IPA, this.d[D_CTX_ADDR], level);
    this.putPage(this.cPage);

    if (needFlush) this.log.push(EV_DCACHE, pteToPhys(this.fmt, oldLo, oldHi), this.k.gran[level + 1]);
    if (child >= 0) this.putPage(child);
    return 0;
  }

  /** stage2_unmap_defer_tlb_flush(): FEAT_TLBIRANGE and FWB. */
  private unmapDeferTlbFlush(): boolean {
    return this.tlbRange && this.fwb;
  }

  // ------------------------------------------------------------------------------
  // leaf attribute updates, aging, flush
  // ------------------------------------------------------------------------------

  /** stage2_attr_walker(). */
  private stage2AttrWalker(): number {
    const w = this.w;
    const oldLo = w[W_OLD_LO];
    const oldHi = w[W_OLD_HI];
    if (!(oldLo & PTE_VALID_LO)) return -EAGAIN;
    this.aLevel = this.cLevel;
    const newLo = (oldLo & ~w[W_CLR_LO]) | w[W_SET_LO];
    const newHi = (oldHi & ~w[W_CLR_HI]) | w[W_SET_HI];
    if (newLo !== oldLo || newHi !== oldHi) {
      // Invalidate the icache before the entry becomes executable.
      if ((newHi & S2_XN_HI) === 0 && (oldHi & S2_XN_HI) !== 0) {
        this.log.push(EV_ICACHE, pteToPhys(this.fmt, newLo, newHi), this.k.gran[this.cLevel + 1]);
      }
      this.setPte(newLo, newHi);
    }
    return 0;
  }

  /**
   * stage2_update_leaf_attrs(): returns the walk's result; aLevel holds the
   * level of the last valid leaf (the kernel also records its old value for
   * `orig_pte`, which no 6.18.25 caller asks for).
   */
  private stage2UpdateLeafAttrs(addr: number, size: number, setLo: number, setHi: number, clrLo: number, clrHi: number, flags: number): number {
    const w = this.w;
    w[W_SET_LO] = setLo & LEAF_ATTR_LO;
    w[W_SET_HI] = setHi & LEAF_ATTR_HI;
    w[W_CLR_LO] = clrLo & LEAF_ATTR_LO;
    w[W_CLR_HI] = clrHi & LEAF_ATTR_HI;
    this.aLevel = 0;
    return this.walk(addr, size, CB_ATTR, flags | WALK_LEAF);
  }

  /** stage2_age_walker(). */
  private stage2AgeWalker(): number {
    const oldLo = this.w[W_OLD_LO];
    const newLo = oldLo & ~S2_AF_LO;
    if (!(oldLo & PTE_VALID_LO) || newLo === oldLo) return 0;
    this.gYoung = true;
    if (this.gMkold) this.setPte(newLo, this.w[W_OLD_HI]);
    return 0;
  }

  /** stage2_flush_walker(). */
  private stage2FlushWalker(): number {
    const lo = this.w[W_OLD_LO];
    if (!(lo & PTE_VALID_LO) || (lo & S2_MEMATTR_LO) !== this.k.normalMemattrLo) return 0;
    this.log.push(EV_DCACHE, pteToPhys(this.fmt, lo, this.w[W_OLD_HI]), this.k.gran[this.cLevel + 1]);
    return 0;
  }

  // ------------------------------------------------------------------------------
  // split and create_unlinked
  // ------------------------------------------------------------------------------

  /** stage2_block_get_nr_page_tables(level). */
  private blockGetNrPageTables(level: number): number {
    switch (level) {
      case 1:
        return this.ptrsPerPte + 1;
      case 2:
        return 1;
      case 3:
        return 0;
      default:
        this.warn(`stage2_block_get_nr_page_tables(${level})`);
        return -EINVAL;
    }
  }

  /** stage2_split_walker(): the memory cache is mmu->split_page_cache (the store's memcache). */
  private stage2SplitWalker(): number {
    const level = this.cLevel;
    const oldLo = this.w[W_OLD_LO];
    const oldHi = this.w[W_OLD_HI];
    if (level === KVM_PGTABLE_LAST_LEVEL) return 0;
    if (!(oldLo & PTE_VALID_LO)) return 0;
    let nrPages = this.blockGetNrPageTables(level);
    if (nrPages < 0) return nrPages;
    let forcePte: boolean;
    if (this.store.memcache >= nrPages) {
      forcePte = true;
    } else {
      forcePte = false;
      nrPages = 1;
    }
    if (this.store.memcache < nrPages) return -ENOMEM;
    const phys = pteToPhys(this.fmt, oldLo, oldHi);
    const prot = stage2PteProt(oldLo >>> 0, oldHi >>> 0);
    const child = this.createUnlinkedTable(phys, level, prot, forcePte);
    // Its allocations may have moved the first chunk: the visited entry's array again.
    this.cTbl = this.store.chunkOf(this.cPage);
    if (child < 0) return child;
    if (!this.stage2TryBreakPte()) {
      this.stage2FreeUnlinked(child, level);
      return -EAGAIN;
    }
    this.stage2MakePte(this.tablePteLo(child), this.tablePteHi(child));
    return 0;
  }

  /**
   * @internal
   * kvm_pgtable_stage2_create_unlinked(pgt, phys, level, prot, mc, force_pte):
   * a detached table mapping gran(level) bytes at `phys`, built by the map
   * walker with SKIP_BBM_TLBI | SKIP_CMO. Returns the page, or a negative errno.
   * Runs as a walk nested in the caller's callback, so it saves and restores
   * the walk and visit state around itself.
   */
  private createUnlinkedTable(phys: number, level: number, prot: number, forcePte: boolean): number {
    const gran = this.k.gran[level + 1];
    if (!isAligned(phys, gran)) return -EINVAL;
    const attr = this.attrScratch;
    const r = stage2SetProtAttr(prot, this.fwb, this.fmt.lpa2, attr);
    if (r) return r;
    const table = this.zallocPage();
    if (table < 0) return -ENOMEM;

    // Save the enclosing walk (kvm_pgtable_walk_data, walker, visit ctx).
    const d = this.d;
    const w = this.w;
    const sd = d.slice();
    const sw = w.slice();
    const sCb = this.wCb,
      sFlags = this.wFlags;
    const sTbl = this.cTbl,
      sOff = this.cOff,
      sPage = this.cPage,
      sLevel = this.cLevel;
    const sForce = this.mForcePte,
      sAnnotation = this.mAnnotation,
      sOwner = this.mOwnerId;

    d[D_PHYS] = phys;
    w[W_ATTR_LO] = attr[0];
    w[W_ATTR_HI] = attr[1];
    this.mForcePte = forcePte;
    this.mAnnotation = false;
    this.mOwnerId = 0;
    d[D_START] = 0;
    d[D_ADDR] = 0;
    d[D_END] = gran;
    this.wCb = CB_MAP;
    this.wFlags = WALK_LEAF | WALK_SKIP_BBM_TLBI | WALK_SKIP_CMO;
    const ret = this.walkTable(table, level + 1);

    d.set(sd);
    w.set(sw);
    this.wCb = sCb;
    this.wFlags = sFlags;
    this.cTbl = sTbl;
    this.cOff = sOff;
    this.cPage = sPage;
    this.cLevel = sLevel;
    this.mForcePte = sForce;
    this.mAnnotation = sAnnotation;
    this.mOwnerId = sOwner;

    if (ret) {
      this.stage2FreeUnlinked(table, level);
      return ret;
    }
    return table;
  }

  // ------------------------------------------------------------------------------
  // freeing detached tables and the whole table
  // ------------------------------------------------------------------------------

  /** stage2_free_walker() as used by destroy: drop the references of every counted entry. */
  private stage2FreeWalker(): number {
    const lo = this.w[W_OLD_LO];
    const hi = this.w[W_OLD_HI];
    if ((lo | hi) === 0) return 0;
    this.putPage(this.cPage);
    if (this.cLevel !== KVM_PGTABLE_LAST_LEVEL && (lo & TABLE_BITS) === TABLE_BITS) this.putPage(this.followTable(lo, hi));
    return 0;
  }

  /**
   * kvm_pgtable_stage2_free_unlinked(mm_ops, pgtable, level): the free walker
   * over the whole detached table at level + 1 (LEAF | TABLE_POST, so children
   * first), then the table's own last reference. Done as a direct recursion:
   * the range [0, gran(level)) covers every entry, so the walk's address
   * bookkeeping adds nothing.
   */
  private stage2FreeUnlinked(table: number, level: number): void {
    const store = this.store;
    const tbl = store.chunkOf(table);
    const base = store.pageOffset(table);
    const childLevel = level + 1;
    for (let i = 0; i < this.ptrsPerPte; i++) {
      const lo = tbl[base + 2 * i];
      const hi = tbl[base + 2 * i + 1];
      if ((lo | hi) === 0) continue;
      if (childLevel !== KVM_PGTABLE_LAST_LEVEL && (lo & TABLE_BITS) === TABLE_BITS) {
        // The TABLE_POST visit: put_page(ptep), then put_page(childp) (the
        // recursion ends with the child's last reference).
        this.stage2FreeUnlinked(this.followTable(lo, hi), childLevel);
      }
      this.putPage(table);
    }
    if (store.pageCount(table) !== 1) this.warn(`kvm_pgtable_stage2_free_unlinked: page_count ${store.pageCount(table)} != 1`);
    this.putPage(table);
  }

  // ------------------------------------------------------------------------------
  // The entry points (kvm_pgtable_stage2_*)
  // ------------------------------------------------------------------------------

  // Each public entry point checks its arguments first (args.ts: a value the
  // kernel's C API can receive gets the kernel's answer, anything else is an
  // ArgumentError naming the argument), once per call, before any state is
  // touched; then runs the operation, atomically when a store hook is set.

  /**
   * The store hook (see StoreHook): called before every descriptor store of
   * the slow paths; null, the default, lets the fast paths run. It may read
   * the table (entryLo, ...), not start another operation or change the hook.
   */
  get storeHook(): StoreHook | null {
    return this.hook;
  }
  /** Set or clear (null) the store hook. */
  set storeHook(h: StoreHook | null) {
    if (h !== null && typeof h !== "function") throw new ArgumentError("storeHook", `${shown(h)} is not a function or null`);
    this.checkNotInHook("storeHook");
    this.hook = h;
    this.updateFastMap();
  }

  /**
   * @internal Whether an operation is calling its store hook: the table's
   * arena must not move then (the walks' TableStore.flatten() waits).
   */
  get operationRunning(): boolean {
    return this.opDepth > 0;
  }

  private checkNotInHook(what: string): void {
    if (this.opDepth > 0)
      throw new Error(`KvmPgtable.${what}: called from inside a store hook while an operation runs (a hook may read the table, not change it)`);
  }

  /**
   * Run operation `op` with the store hook set: every change is journaled,
   * and if anything (the hook) throws, the journal is undone in reverse
   * order and the exception propagates. The journal costs nothing without a
   * hook: the fast paths, which never call one, do not journal.
   */
  private atomic(op: number, a: number, b: number, c: number, d: number, e: number): number {
    this.checkNotInHook(OP_NAMES[op]);
    const log = this.log;
    const logLen = log.length;
    const counts = (this.jLogCounts ??= new Float64Array(8));
    counts.set(log.notRecorded);
    const warnLen = this.warnings.length;
    this.jn = 0;
    this.jPages.length = 0;
    this.journaling = this.hookMayThrow;
    this.opDepth++;
    // The hook may run another table's operations: this one walks on scratch of its own.
    this.useScratch((this.ownScratch ??= new WalkScratch()));
    try {
      return this.exec(op, a, b, c, d, e);
    } catch (err) {
      this.journaling = false;
      this.rollback(logLen, warnLen);
      throw err;
    } finally {
      this.journaling = false;
      this.opDepth--;
      this.jn = 0;
      this.jPages.length = 0;
      this.useScratch(SHARED_SCRATCH);
    }
  }

  /** Walk on `s` (the shared scratch, or the table's own while a hooked operation runs). */
  private useScratch(s: WalkScratch): void {
    this.d = s.d;
    this.w = s.w;
    this.fPage = s.fPage;
    this.fIdx = s.fIdx;
    this.fAddr = s.fAddr;
    this.fOldLo = s.fOldLo;
    this.fOldHi = s.fOldHi;
  }

  private exec(op: number, a: number, b: number, c: number, d: number, e: number): number {
    switch (op) {
      case OP_MAP:
        this.execDirect = true;
        return this.mapAny(a, b, c, d, e);
      case OP_SET_OWNER:
        return this.doSetOwner(a, b, c);
      case OP_UNMAP:
        return this.doUnmap(a, b);
      case OP_WRPROTECT:
        return this.doWrprotect(a, b);
      case OP_MKYOUNG:
        return this.doMkyoung(a, b);
      case OP_TEST_CLEAR_YOUNG:
        return this.doTestClearYoung(a, b, c !== 0);
      case OP_RELAX_PERMS:
        return this.doRelaxPerms(a, b, c);
      case OP_FLUSH:
        return this.doFlush(a, b);
      case OP_SPLIT:
        return this.doSplit(a, b);
      case OP_CREATE_UNLINKED:
        return this.createUnlinkedTable(a, b, c, d !== 0);
      default:
        throw new Error(`KvmPgtable: no operation ${op}`);
    }
  }

  /** Undo the journal of the operation that threw (see atomic()). */
  private rollback(logLen: number, warnLen: number): void {
    const store = this.store;
    const jr = this.jr;
    const jo = this.jOld;
    for (let n = this.jn - 1; n >= 0; n--) {
      const at = n * J_WORDS;
      const page = jr[at + 1];
      switch (jr[at]) {
        case J_STORE: {
          const t = store.chunkOf(page);
          const off = store.pageOffset(page) + 2 * jr[at + 2];
          t[off] = jo[n * 2];
          t[off + 1] = jo[n * 2 + 1];
          break;
        }
        case J_GET:
          store.refcount[page]--;
          break;
        case J_PUT:
          if (jr[at + 2] >= 0) store.unFree(page, this.jPages[jr[at + 2]]);
          else store.refcount[page]++;
          break;
        case J_TAKE:
          store.unTake(page, jr[at + 2] === 1, jr[at + 3] === 1);
          break;
      }
    }
    this.jn = 0;
    this.l3Key = -1;
    this.log.length = logLen;
    if (this.jLogCounts !== null) this.log.notRecorded.set(this.jLogCounts);
    this.warnings.length = warnLen;
    // The walker's explicit stack, left where the exception found it.
    this.sp = 0;
  }

  /**
   * addr and size of a range op, when the one-line test at the entry failed:
   * numbers below 2^53 (args.ts: the address convention), so a range never
   * wraps past 2^64; a start beyond the IPA space is the kernel's -ERANGE
   * whatever the size.
   */
  private checkRangeArgs(addr: number, size: number): void {
    checkU64(addr, "addr");
    checkU64(size, "size");
  }

  /**
   * The PA range check of map: the first page it maps must be a host PA
   * (below 2^pa_bits). Only when the map would write a leaf: an empty range
   * or one beyond the IPA space maps nothing (the kernel returns 0 or
   * -ERANGE). Pages further on are the kernel's business: kvm_phys_to_pte()
   * writes what it is given (an OA beyond PS faults with an Address size
   * fault on the walk; beyond the descriptor's OA field it is masked).
   */
  private checkMapPa(addr: number, size: number, phys: number): void {
    const page = this.pageSize;
    const start = alignDown(addr, page);
    const end = Math.ceil((start + size) / page) * page;
    if (end <= start || start > this.iaLimit || end > this.iaLimit) return;
    throw new ArgumentError("phys", `${shown(phys)} is beyond the ${this.geom.paBits}-bit PA range (no host page has that address)`);
  }

  /**
   * kvm_pgtable_stage2_map(pgt, addr, size, phys, prot, mc, flags). The
   * memory cache is the store's (`store.memcache`). Returns 0 or a negative
   * errno. addr, size, phys: numbers below 2^53 (a range beyond 2^ia_bits is
   * -ERANGE); phys must be a host PA
   * (below 2^pa_bits) when a leaf is written; prot: PROT_* bits (a combination
   * stage2_set_prot_attr() refuses is -EINVAL); flags: WALK_* bits. An op
   * that could write more than MAX_OP_LEAVES leaves is refused (limits.ts).
   */
  map(addr: number, size: number, phys: number, prot: number, flags: number): number {
    // The fault path's one-page map first, its checks in one test: the prot
    // is the last one (already checked, its attributes kept), the IPA an
    // integer below 2^ia_bits and the PA one below min(2^pa_bits, 2^48), both
    // seen as int32 halves (lo, bits 52:32) that give them back exactly, with
    // a high half from 0 to below the limit's (one unsigned comparison each;
    // the IPA's limit, fastIaHi, is 0 while the path is closed), known flags.
    // map() stays small enough for V8 to inline into a caller's loop, and
    // mapPage() takes the halves, so no address is boxed.
    if (prot === this.attrProt && size === this.pageSize && typeof addr === "number" && typeof phys === "number" && typeof flags === "number") {
      const aLo = addr | 0;
      const aHi = (addr * 2.3283064365386963e-10) | 0;
      const pLo = phys | 0;
      const pHi = (phys * 2.3283064365386963e-10) | 0;
      const k = this.k;
      if (
        aHi * 4294967296 + (aLo >>> 0) === addr &&
        aHi >>> 0 < this.fastIaHi &&
        pHi * 4294967296 + (pLo >>> 0) === phys &&
        pHi >>> 0 < k.paHiLimit &&
        flags >>> 0 === flags &&
        (flags & k.flagsUnknown) === 0
      ) {
        const r = this.mapPage(aLo, aHi, pLo, pHi, flags);
        if (r !== MAP_FAST_DECLINED) return r;
      }
    }
    return this.mapAny(addr, size, phys, prot, flags);
  }

  /** map() in general: its arguments checked, atomically with a store hook, then the walk. */
  private mapAny(addr: number, size: number, phys: number, prot: number, flags: number): number {
    if (!this.mapArgsOk(addr, size, phys, prot, flags)) this.checkMapArgs(addr, size, phys, prot, flags);
    // With a hook: atomically (atomic() calls back here, and the body runs).
    if (this.hook !== null && this.viaAtomic()) return this.atomic(OP_MAP, addr, size, phys, prot, flags);
    // stage2_set_prot_attr(): a pure function of prot (and FWB/LPA2), so the
    // last prot's attributes are kept.
    if (prot !== this.attrProt) {
      const r = this.setProtAttr(prot);
      if (r) return r;
    }
    if (size === this.pageSize && addr < this.iaLimit && phys < TWO_48 && this.fastMap) {
      const r = this.mapPage(addr | 0, (addr * INV_TWO_32) | 0, phys | 0, (phys * INV_TWO_32) | 0, flags);
      if (r !== MAP_FAST_DECLINED) return r;
    }
    if (size > this.pageSize && this.fastMap && (flags & WALK_SHARED) === 0) {
      const r = this.mapBlocks(addr, size, phys, flags);
      if (r !== MAP_FAST_DECLINED) return r;
    }
    return this.mapWalk(addr, size, phys, flags);
  }

  /**
   * map() of a range that is a run of blocks at the start level inside one
   * root page (IPA, size and PA multiples of the start level's block; no
   * store hook, not SHARED, below 2^ia_bits, the PAs below 2^48): what
   * kvm_pgtable_walk() with stage2_map_walker does for each of those
   * entries in turn while it is empty (a LEAF visit; the block is allowed,
   * stage2_try_break_pte() stores the LOCKED marker and issues nothing, the
   * CMOs, get_page and the leaf: see blockRun), in one loop with no walker
   * in between. At the first entry that is not empty the rest of the range
   * goes to the generic walk (mapWalk), from that entry on with the PA it
   * would have had: the kernel's walk uses its start only for that PA
   * (stage2_map_walker_phys_addr), so this is the same walk. Declines
   * (before any change) what it does not handle.
   */
  private mapBlocks(addr: number, size: number, phys: number, flags: number): number {
    const k = this.k;
    const level = this.startLevel;
    // Blocks at the start level only (a level above the first with blocks would need tables).
    if (level < k.minBlockLevel) return MAP_FAST_DECLINED;
    const g = k.topLeaf;
    const inv = k.invTopLeaf;
    // Entry numbers at the start level (exact: g is a power of two); addr + size within the IPA space keeps them small.
    const first = addr * inv;
    const cnt = size * inv;
    if (Math.floor(first) !== first || Math.floor(cnt) !== cnt || Math.floor(phys * inv) * g !== phys || addr + size > this.iaLimit || phys + size > TWO_48) {
      return MAP_FAST_DECLINED;
    }
    const idx = first & k.idxMask;
    if (idx + cnt > this.ptrsPerPte) return MAP_FAST_DECLINED;
    const page = this.pgd + (first >> k.stride);
    const store = this.store;
    const tbl = store.chunks[page >>> store.chunkShift];
    const off = ((page & store.chunkMask) << store.wordsShift) + (idx << 1);
    // kvm_init_valid_leaf_pte(phys, attr, level): a block (type bit clear: the start level is never the last).
    const attrLo = (this.protAttrLo & LEAF_ATTR_LO) | PTE_VALID_LO;
    const attrHi = this.protAttrHi & LEAF_ATTR_HI;
    const n = fillBlocks(tbl, off, cnt, phys & k.oaLo, (phys * INV_TWO_32) & k.oaHi, attrLo, attrHi, k.shifts[level + 1], k.oaHi);
    if (n !== 0) {
      store.refcount[page] += n;
      if ((flags & WALK_SKIP_CMO) === 0) {
        const dc = (attrLo & S2_MEMATTR_LO) === k.normalMemattrLo;
        const ic = (attrHi & S2_XN_HI) === 0;
        if (dc && ic) this.log.pushPairs(EV_DCACHE, phys, g, g, EV_ICACHE, phys, g, g, n);
        else if (dc) this.log.pushRun(EV_DCACHE, phys, g, g, n);
        else if (ic) this.log.pushRun(EV_ICACHE, phys, g, g, n);
      }
      if (n === cnt) return 0;
    }
    const done = n * g;
    return this.mapWalk(addr + done, size - done, phys + done, flags);
  }

  /** stage2_set_prot_attr(prot) for map(): the attributes kept for the next call; returns its errno (0). */
  private setProtAttr(prot: number): number {
    const k = this.k;
    let lo = k.attrLo;
    let hi = k.attrHi;
    if (prot !== k.attrProt) {
      const attr = this.attrScratch;
      const r = stage2SetProtAttr(prot, this.fwb, this.fmt.lpa2, attr);
      if (r) return r;
      lo = attr[0] | 0;
      hi = attr[1] | 0;
      k.attrProt = prot;
      k.attrLo = lo;
      k.attrHi = hi;
    }
    this.attrProt = prot;
    this.updateFastMap();
    this.protAttrLo = lo;
    this.protAttrHi = hi;
    this.pageLeafLo = (lo & LEAF_ATTR_LO) | PTE_TYPE_LO | PTE_VALID_LO;
    this.pageLeafHi = hi & LEAF_ATTR_HI;
    this.pageLeafCmos = ((this.pageLeafLo & S2_MEMATTR_LO) === this.k.normalMemattrLo ? 1 : 0) | ((this.pageLeafHi & S2_XN_HI) === 0 ? 2 : 0);
    return 0;
  }

  /** map() through kvm_pgtable_walk() (with the one-page fast path of mapOnePageFast for a leaf over an entry in use). */
  private mapWalk(addr: number, size: number, phys: number, flags: number): number {
    this.d[D_PHYS] = alignDown(phys, this.pageSize);
    this.w[W_ATTR_LO] = this.protAttrLo;
    this.w[W_ATTR_HI] = this.protAttrHi;
    this.mOwnerId = 0;
    this.mForcePte = false;
    this.mAnnotation = false;
    const walkFlags = flags | WALK_TABLE_PRE | WALK_LEAF;
    // mapOnePageFast() takes a range of one page only (a larger size always spans more).
    if (size <= this.pageSize && this.fastOn && this.hook === null && !this.destroyedFlag) {
      const r = this.mapOnePageFast(addr, size, walkFlags);
      if (r !== MAP_FAST_DECLINED) return r;
    }
    return this.walk(addr, size, CB_MAP, walkFlags);
  }

  /** map()'s arguments are the common case: addresses below 2^53, known prot and flag bits, a host PA, at most MAX_OP_LEAVES pages or blocks only (blocksOnly). */
  private mapArgsOk(addr: number, size: number, phys: number, prot: number, flags: number): boolean {
    return (
      u64ok(addr) &&
      u64ok(size) &&
      u64ok(phys) &&
      prot >>> 0 === prot &&
      (prot & ~PROT_KNOWN) === 0 &&
      flags >>> 0 === flags &&
      (flags & ~WALK_FLAGS_KNOWN) === 0 &&
      phys < this.k.paLimit &&
      (size <= this.k.leafCheckSize || this.blocksOnly(addr, size, phys))
    );
  }

  /** map()'s arguments one by one (throws the ArgumentError or the work-limit refusal; returns when they are fine). */
  private checkMapArgs(addr: number, size: number, phys: number, prot: number, flags: number): void {
    if (!(u64ok(addr) && u64ok(size) && u64ok(phys))) {
      this.checkRangeArgs(addr, size);
      checkU64(phys, "phys");
    }
    if (prot >>> 0 !== prot || (prot & ~PROT_KNOWN) !== 0) checkBits(prot, "prot", PROT_KNOWN, PROT_KNOWN_NAMES);
    if (flags >>> 0 !== flags || (flags & ~WALK_FLAGS_KNOWN) !== 0) checkBits(flags, "flags", WALK_FLAGS_KNOWN, WALK_FLAGS_KNOWN_NAMES);
    if (phys >= this.k.paLimit) this.checkMapPa(addr, size, phys);
    if (size > this.k.leafCheckSize && !this.blocksOnly(addr, size, phys) && leafBoundNeeded(this, addr, size))
      checkLeafBound(this, "map", addr, size, phys, prot, 0, "map");
  }

  /**
   * A map the leaf bound need not be worked out for: IPA, size and PA are
   * multiples of the largest block the table takes (at the first level that
   * has blocks), so that every step of the walk maps such a block, and there
   * are at most MAX_OP_LEAVES of them (limits.ts would find the same bound).
   */
  private blocksOnly(addr: number, size: number, phys: number): boolean {
    const g = this.k.topLeaf;
    const inv = this.k.invTopLeaf;
    // IS_ALIGNED by a multiply (g is a power of two: exact), no division.
    return Math.floor(addr * inv) * g === addr && Math.floor(size * inv) * g === size && Math.floor(phys * inv) * g === phys && size * inv <= MAX_OP_LEAVES;
  }

  /**
   * With a hook set, whether this call must go through atomic(): yes, unless
   * atomic() (exec()) is the caller, which it says with execDirect.
   */
  private viaAtomic(): boolean {
    if (!this.execDirect) return true;
    this.execDirect = false;
    return false;
  }

  /**
   * kvm_pgtable_stage2_set_owner(pgt, addr, size, mc, owner_id). owner_id is
   * the kernel's u8 (0..255, the width of KVM_INVALID_PTE_OWNER_MASK); above
   * KVM_MAX_OWNER_ID the kernel returns -EINVAL.
   */
  setOwner(addr: number, size: number, ownerId: number): number {
    if (!(u64ok(addr) && u64ok(size))) this.checkRangeArgs(addr, size);
    checkInt(ownerId, "ownerId", 0, OWNER_ID_MAX, "an owner id (u8: bits 9:2 of an invalid entry)");
    if (size > this.k.leafCheckSize && leafBoundNeeded(this, addr, size)) checkLeafBound(this, "set_owner", addr, size, 0, 0, ownerId, "setOwner");
    if (this.hook === null) return this.doSetOwner(addr, size, ownerId);
    return this.atomic(OP_SET_OWNER, addr, size, ownerId, 0, 0);
  }

  /** kvm_pgtable_stage2_unmap(pgt, addr, size). */
  unmap(addr: number, size: number): number {
    if (!(u64ok(addr) && u64ok(size))) this.checkRangeArgs(addr, size);
    // The deferred TLBI (FWB and TLBIRANGE) covers size >> PAGE_SHIFT pages in
    // MAX_TLBI_RANGE_PAGES steps whatever the walk did: bounded like a leaf count.
    if (size >= 2 ** 53 && this.unmapDeferTlbFlush()) checkLeafBound(this, "unmap", addr, size, 0, 0, 0, "unmap");
    if (this.hook === null) return this.doUnmap(addr, size);
    return this.atomic(OP_UNMAP, addr, size, 0, 0, 0);
  }

  /** kvm_pgtable_stage2_wrprotect(pgt, addr, size). */
  wrprotect(addr: number, size: number): number {
    if (!(u64ok(addr) && u64ok(size))) this.checkRangeArgs(addr, size);
    if (this.hook === null) return this.doWrprotect(addr, size);
    return this.atomic(OP_WRPROTECT, addr, size, 0, 0, 0);
  }

  /** kvm_pgtable_stage2_mkyoung(pgt, addr, flags): void in this kernel. */
  mkyoung(addr: number, flags: number): void {
    if (!u64ok(addr)) checkU64(addr, "addr");
    if (flags >>> 0 !== flags || (flags & ~WALK_FLAGS_KNOWN) !== 0) checkBits(flags, "flags", WALK_FLAGS_KNOWN, WALK_FLAGS_KNOWN_NAMES);
    if (this.hook === null) this.doMkyoung(addr, flags);
    else this.atomic(OP_MKYOUNG, addr, flags, 0, 0, 0);
  }

  /** kvm_pgtable_stage2_test_clear_young(pgt, addr, size, mkold). */
  testClearYoung(addr: number, size: number, mkold: boolean): boolean {
    if (!(u64ok(addr) && u64ok(size))) this.checkRangeArgs(addr, size);
    if (typeof mkold !== "boolean") checkBool(mkold, "mkold");
    if (this.hook === null) return this.doTestClearYoung(addr, size, mkold) !== 0;
    return this.atomic(OP_TEST_CLEAR_YOUNG, addr, size, mkold ? 1 : 0, 0, 0) !== 0;
  }

  /**
   * kvm_pgtable_stage2_relax_perms(pgt, addr, prot, flags): prot PROT_* bits
   * (SW bits: the kernel's -EINVAL), flags WALK_* bits.
   */
  relaxPerms(addr: number, prot: number, flags: number): number {
    if (!u64ok(addr)) checkU64(addr, "addr");
    if (prot >>> 0 !== prot || (prot & ~PROT_KNOWN) !== 0) checkBits(prot, "prot", PROT_KNOWN, PROT_KNOWN_NAMES);
    if (flags >>> 0 !== flags || (flags & ~WALK_FLAGS_KNOWN) !== 0) checkBits(flags, "flags", WALK_FLAGS_KNOWN, WALK_FLAGS_KNOWN_NAMES);
    if (this.hook === null) return this.doRelaxPerms(addr, prot, flags);
    return this.atomic(OP_RELAX_PERMS, addr, prot, flags, 0, 0);
  }

  /** kvm_pgtable_stage2_flush(pgt, addr, size). */
  flush(addr: number, size: number): number {
    if (!(u64ok(addr) && u64ok(size))) this.checkRangeArgs(addr, size);
    if (this.hook === null) return this.doFlush(addr, size);
    return this.atomic(OP_FLUSH, addr, size, 0, 0, 0);
  }

  /** kvm_pgtable_stage2_split(pgt, addr, size, mc): mc is the store's memory cache. */
  split(addr: number, size: number): number {
    if (!(u64ok(addr) && u64ok(size))) this.checkRangeArgs(addr, size);
    if (size > this.k.leafCheckSize && leafBoundNeeded(this, addr, size)) checkLeafBound(this, "split", addr, size, 0, 0, 0, "split");
    if (this.hook === null) return this.doSplit(addr, size);
    return this.atomic(OP_SPLIT, addr, size, 0, 0, 0);
  }

  /**
   * kvm_pgtable_stage2_create_unlinked(pgt, phys, level, prot, mc, force_pte):
   * a detached table mapping kvm_granule_size(level) bytes at `phys`, for a
   * block at `level` (KVM_PGTABLE_MIN_BLOCK_LEVEL..2). Returns the table page,
   * or a negative errno (-EINVAL for a phys not aligned to the level, or a
   * prot stage2_set_prot_attr() refuses; -ENOMEM).
   */
  createUnlinked(phys: number, level: number, prot: number, forcePte: boolean): number {
    checkU64(phys, "phys");
    checkInt(level, "level", this.k.minBlockLevel, KVM_PGTABLE_LAST_LEVEL - 1, "a block level");
    checkBits(prot, "prot", PROT_KNOWN, PROT_KNOWN_NAMES);
    checkBool(forcePte, "forcePte");
    if (phys >= this.k.paLimit) throw new ArgumentError("phys", `${shown(phys)} is beyond the ${this.geom.paBits}-bit PA range`);
    if (this.hook === null) return this.createUnlinkedTable(phys, level, prot, forcePte);
    return this.atomic(OP_CREATE_UNLINKED, phys, level, prot, forcePte ? 1 : 0, 0);
  }

  /**
   * kvm_pgtable_stage2_map() of one page (size == PAGE_SIZE, the IPA inside
   * the IPA space, the PA below 2^48), the fault path's case, in the order
   * the generic walk does it. For a one-page range no entry above the last
   * level can take a leaf (kvm_block_mapping_supported(): the range is
   * smaller than the entry), so the walk descends every table entry; an
   * empty entry on the way gets a new table (stage2_map_walk_leaf(): the
   * leaf is -E2BIG, zalloc_page() from the memory cache or -ENOMEM, then
   * break-before-make over an empty entry: the LOCKED marker, no TLBI, no
   * CMO, get_page and the table descriptor); the last-level entry, when
   * empty, gets the leaf (stage2_map_walker_try_leaf(): LOCKED, the dcache
   * clean of Normal memory and the icache invalidation of an executable
   * page unless WALK_SKIP_CMO, get_page, the leaf). Anything else (an upper
   * entry that is neither a table nor empty, a last-level entry in use) is
   * declined before any state changes, for the generic path.
   *
   * Addresses come as int32 halves: lo = the low 32 bits, hi = bits 52:32.
   * The last-level table is kept between calls (l3Key, see there), so a run
   * of maps through the same table reads one entry each. The LOCKED marker,
   * which the next store overwrites before anything could read it (no store
   * hook on this path), is stored only in a shared walk.
   */
  private mapPage(aLo: number, aHi: number, pLo: number, pHi: number, flags: number): number {
    const k = this.k;
    // The region one last-level table maps: IPA >> (pageShift + bits per level), below 2^31 for IPAs below 2^52.
    if (((aLo >>> k.l3Shift) | (aHi << k.l3HiShift)) !== this.l3Key || this.store.chunkGen !== this.l3ChunkGen) {
      return this.mapPageMiss(aLo, aHi, pLo, pHi, flags);
    }
    const tbl = this.l3Tbl;
    const off = this.l3Off + (((aLo >>> k.pageShift) & k.idxMask) << 1);
    if ((tbl[off] | tbl[off + 1]) !== 0) return 1; // MAP_FAST_DECLINED
    this.mapPageLeaf(tbl, off, this.l3Page, pLo, pHi, flags);
    return 0;
  }

  /**
   * mapPage() when its last-level table is not the cached one: the way down
   * to the last-level table of IPA (aLo, aHi) through table entries, making
   * a table in each empty entry (see mapPage), which it then caches (l3Key),
   * then the leaf. Returns as mapPage(): 0, MAP_FAST_DECLINED when an entry
   * on the way is neither a table nor empty or the last-level entry is in
   * use (nothing changed), or -ENOMEM when the memory cache runs dry (the
   * tables made so far stay, as in the kernel). Compiled per geometry
   * (mapgen.ts), once for all the tables of these constants; out of line, so
   * that mapPage() and map() stay small enough to be inlined into a caller's
   * loop, where the addresses need not be boxed.
   */
  private mapPageMiss(aLo: number, aHi: number, pLo: number, pHi: number, flags: number): number {
    const k = this.k;
    const f = k.mapMiss ?? k.compileMapMiss(this.store);
    return f(this, aLo, aHi, pLo, pHi, flags);
  }

  /**
   * stage2_map_walker_try_leaf() for mapPage(): the page leaf of attrProt
   * at PA (pLo, pHi) into the empty entry at `off` of last-level table `page`.
   */
  private mapPageLeaf(tbl: Int32Array, off: number, page: number, pLo: number, pHi: number, flags: number): void {
    const oaLo = pLo & this.k.oaLo;
    const oaHi = pHi & this.k.oaHi;
    // The kernel's order is: LOCKED, the CMOs, get_page, the leaf. Nothing reads the entry in between
    // (no store hook here), so the leaf is stored first: the store's miss on a new table's page then
    // overlaps with the rest.
    if ((flags & 8) !== 0) tbl[off] = 1024; // WALK_SHARED: INVALID_PTE_LOCKED_LO
    tbl[off] = oaLo | this.pageLeafLo;
    tbl[off + 1] = oaHi | this.pageLeafHi;
    this.store.refcount[page]++;
    const cmos = (flags & 64) === 0 ? this.pageLeafCmos : 0; // WALK_SKIP_CMO
    if (cmos !== 0) {
      const pa = (oaLo >>> 0) + oaHi * 4294967296;
      const log = this.log;
      // push(), its common case inlined here (extendRun: the page continues the run of dcache cleans).
      if ((cmos & 1) !== 0 && !log.extendRun(5, pa, this.pageSize)) log.pushOther(5, pa, this.pageSize); // EV_DCACHE
      if ((cmos & 2) !== 0) log.push(6, pa, this.pageSize); // EV_ICACHE
    }
  }

  /**
   * The fault path's common case, a map of one page whose upper levels are
   * all tables, without the generic walker's visit machinery. It is the
   * generic walk exactly: for a one-page range no upper level can hold a
   * leaf (kvm_block_mapping_supported: the entry's granule exceeds the
   * range), so each TABLE_PRE visit returns 0 and the walk descends; the
   * last-level entry gets the same LEAF visit (stage2_map_walker). Anything
   * else (a range over one page, an upper entry that is not a table, an
   * address beyond the IPA space) is declined before any state changes.
   */
  private mapOnePageFast(addr: number, size: number, flags: number): number {
    const d = this.d;
    const page = this.pageSize;
    const inv = this.k.invPage;
    const start = Math.floor(addr * inv) * page;
    const end = Math.ceil((start + size) * inv) * page;
    if (end - start !== page || end > this.iaLimit) return MAP_FAST_DECLINED;
    this.descend(start);
    // An upper entry that is not a table needs the generic walk (a new table, a block to break).
    if (this.dLevel !== KVM_PGTABLE_LAST_LEVEL) return MAP_FAST_DECLINED;
    const tbl = this.dTbl;
    const off = this.dOff;
    const tblPage = this.dPage;
    const phys = d[D_PHYS];
    if ((tbl[off] | tbl[off + 1]) === 0 && phys < TWO_48) {
      // An empty last-level entry, the fault path's usual case: the page is
      // always allowed (stage2_leaf_mapping_allowed at the last level).
      const w = this.w;
      const newLo = (phys & this.k.oaLo) | (w[W_ATTR_LO] & LEAF_ATTR_LO) | PTE_TYPE_LO | PTE_VALID_LO;
      const newHi = ((phys * INV_TWO_32) & this.k.oaHi) | (w[W_ATTR_HI] & LEAF_ATTR_HI);
      this.makeLeafInEmpty(tbl, off, tblPage, newLo, newHi, phys, page, flags);
      d[D_START] = start;
      d[D_ADDR] = end;
      d[D_END] = end;
      return 0;
    }
    d[D_START] = start;
    d[D_ADDR] = start;
    d[D_END] = end;
    d[D_CTX_ADDR] = start;
    this.wCb = CB_MAP;
    this.wFlags = flags;
    this.cTbl = tbl;
    this.cOff = off;
    this.cPage = tblPage;
    this.cLevel = KVM_PGTABLE_LAST_LEVEL;
    this.w[W_OLD_LO] = tbl[off];
    this.w[W_OLD_HI] = tbl[off + 1];
    const r = this.stage2MapWalkLeaf();
    // __kvm_pgtable_visit(): past the entry on success or an ignored -EAGAIN.
    if (this.walkContinue(r)) {
      d[D_ADDR] = end;
      return 0;
    }
    return r;
  }

  /**
   * From the root down through table entries to the entry that maps `addr`
   * (the last level, or the first entry that is not a table): sets dTbl /
   * dOff / dPage / dLevel to it. The fast paths' descent: for a one-page
   * range, this is the order in which the generic walk reaches that entry.
   */
  private descend(addr: number): void {
    const store = this.store;
    const chunks = store.chunks;
    const chunkShift = store.chunkShift;
    const chunkMask = store.chunkMask;
    const wordsShift = store.wordsShift;
    const invGran = this.k.invGran;
    const idxMask = this.k.idxMask;
    let level = this.startLevel;
    // kvm_pgd_page_idx() then kvm_pgtable_idx() at each level.
    let page = this.pgd + ((addr * invGran[level]) | 0);
    for (;;) {
      const tbl = chunks[page >>> chunkShift];
      const off = ((page & chunkMask) << wordsShift) + (((addr * invGran[level + 1]) & idxMask) << 1);
      const lo = tbl[off];
      if (level === KVM_PGTABLE_LAST_LEVEL || (lo & TABLE_BITS) !== TABLE_BITS) {
        this.dTbl = tbl;
        this.dOff = off;
        this.dPage = page;
        this.dLevel = level;
        return;
      }
      page = this.followTable(lo, tbl[off + 1]);
      level++;
    }
  }

  private doSetOwner(addr: number, size: number, ownerId: number): number {
    if (ownerId > KVM_MAX_OWNER_ID) return -EINVAL;
    this.d[D_PHYS] = 0;
    this.w[W_ATTR_LO] = 0;
    this.w[W_ATTR_HI] = 0;
    this.mOwnerId = ownerId;
    this.mForcePte = true;
    this.mAnnotation = true;
    return this.walk(addr, size, CB_MAP, WALK_TABLE_PRE | WALK_LEAF);
  }

  private doUnmap(addr: number, size: number): number {
    const ret = this.walk(addr, size, CB_UNMAP, WALK_LEAF | WALK_TABLE_POST);
    // The deferred TLB invalidation covers the range as passed.
    if (this.unmapDeferTlbFlush()) this.tlbFlushVmidRange(addr, size);
    return ret;
  }

  private doWrprotect(addr: number, size: number): number {
    return this.stage2UpdateLeafAttrs(addr, size, 0, 0, S2AP_W_LO, 0, 0);
  }

  private doMkyoung(addr: number, flags: number): number {
    this.stage2UpdateLeafAttrs(addr, 1, S2_AF_LO, 0, 0, 0, flags);
    return 0;
  }

  private doTestClearYoung(addr: number, size: number, mkold: boolean): number {
    this.gMkold = mkold;
    this.gYoung = false;
    const r = this.walk(addr, size, CB_AGE, WALK_LEAF);
    if (r) this.warn(`kvm_pgtable_stage2_test_clear_young: walk returned ${r}`);
    return this.gYoung ? 1 : 0;
  }

  private doRelaxPerms(addr: number, prot: number, flags: number): number {
    if (prot & SW_HI) return -EINVAL;
    let setLo = 0;
    let clrHi = 0;
    if (prot & PROT_R) setLo |= S2AP_R_LO;
    if (prot & PROT_W) setLo |= S2AP_W_LO;
    if (prot & PROT_X) clrHi |= S2_XN_HI;
    const ret = this.stage2UpdateLeafAttrs(addr, 1, setLo, 0, 0, clrHi, flags);
    // `level` is written only when the walk returned 0; on -EAGAIN the
    // kernel passes its own uninitialised local (0 in the conformance build).
    if (ret === 0) this.log.push(EV_TLBI_IPA_NSH, addr, this.aLevel);
    else if (ret === -EAGAIN) this.log.push(EV_TLBI_IPA_NSH, addr, 0);
    return ret;
  }

  private doFlush(addr: number, size: number): number {
    if (this.fwb) return 0;
    return this.walk(addr, size, CB_FLUSH, WALK_LEAF);
  }

  private doSplit(addr: number, size: number): number {
    return this.walk(addr, size, CB_SPLIT, WALK_LEAF);
  }

  /**
   * kvm_pgtable_get_leaf(pgt, addr, &pte, &level): the leaf (or the empty
   * or invalid entry) the kernel's software walk finds for `addr`, and its
   * level; ret is the kernel's return value.
   */
  getLeaf(addr: number): GetLeafResult {
    const ret = this.getLeafFast(addr);
    if (ret !== 0) return { ret, pte: null, level: null };
    return { ret, pte: hexHalves(this.leafLo, this.leafHi), level: this.leafLevel };
  }

  /**
   * @internal
   * getLeaf() for hot loops: returns the kernel's value, and on success (0)
   * leaves the entry in leafLo/leafHi/leafLevel (no allocation).
   */
  getLeafFast(addr: number): number {
    if (!u64ok(addr)) checkU64(addr, "addr");
    if (this.opDepth > 0) this.checkNotInHook("getLeaf");
    if (this.fastOn && addr < this.iaLimit && !this.destroyedFlag) {
      // The walk of one page with only LEAF visits descends every table entry
      // (no callback for them) and calls leaf_walker() on the first non-table
      // entry, which ends the range: a plain descent is that walk exactly.
      this.descend(addr);
      this.resLo = this.dTbl[this.dOff] | 0;
      this.resHi = this.dTbl[this.dOff + 1] | 0;
      this.leafLevel = this.dLevel;
      return 0;
    }
    const ret = this.walk(addr, this.pageSize, CB_LEAF, WALK_LEAF);
    if (!ret) {
      this.resLo = this.w[W_LEAF_LO];
      this.resHi = this.w[W_LEAF_HI];
      this.leafLevel = this.lLevel;
    }
    return ret;
  }

  /** @internal The descriptor the last successful getLeafFast() found, low half (unsigned). */
  get leafLo(): number {
    return this.resLo >>> 0;
  }
  /** @internal The descriptor the last successful getLeafFast() found, high half (unsigned). */
  get leafHi(): number {
    return this.resHi >>> 0;
  }

  /**
   * kvm_pgtable_stage2_destroy(): drop every reference with the free walker,
   * then free the PGD pages. Afterwards the store holds no page.
   */
  destroy(): void {
    if (this.destroyedFlag) throw new ArgumentError("this", "the table is already destroyed (kvm_pgtable_stage2_destroy() would free a NULL pgd)");
    this.checkNotInHook("destroy");
    const r = this.walk(0, this.iaLimit, CB_FREE, WALK_LEAF | WALK_TABLE_POST);
    if (r) this.warn(`kvm_pgtable_stage2_destroy: walk returned ${r}`);
    for (let i = 0; i < this.geom.pgdPages; i++) {
      while (this.store.pageCount(this.pgd + i) > 0) this.store.putPage(this.pgd + i);
    }
    this.destroyedFlag = true;
    this.updateFastMap();
  }

  /** Whether destroy() ran: pgt->pgd is NULL, and every operation's walk returns -EINVAL. */
  get destroyed(): boolean {
    return this.destroyedFlag;
  }

  // ------------------------------------------------------------------------------
  // Read-only views (dump, checks)
  // ------------------------------------------------------------------------------

  /** @internal The descriptor halves (unsigned) of entry `index` of table page `page`. */
  entryLo(page: number, index: number): number {
    if (!this.entryOk(page, index)) this.badEntry(page, index);
    return this.store.chunkOf(page)[this.store.pageOffset(page) + 2 * index] >>> 0;
  }
  /** @internal The high half of entryLo()'s entry. */
  entryHi(page: number, index: number): number {
    if (!this.entryOk(page, index)) this.badEntry(page, index);
    return this.store.chunkOf(page)[this.store.pageOffset(page) + 2 * index + 1] >>> 0;
  }
  /** @internal The table page a table descriptor points at (lo, hi: its unsigned halves); TableMemoryError when it is not one of the store's. */
  childPage(lo: number, hi: number): number {
    if (!(typeof lo === "number" && lo >>> 0 === lo && typeof hi === "number" && hi >>> 0 === hi)) {
      throw new ArgumentError(lo >>> 0 === lo ? "hi" : "lo", `${shown(lo >>> 0 === lo ? hi : lo)} is not an unsigned 32-bit half of a descriptor`);
    }
    return this.followTable(lo | 0, hi | 0);
  }
  /** kvm_granule_size(level): the bytes one entry at `level` (-1..3) maps. */
  granuleSize(level: number): number {
    if (!(typeof level === "number" && level >= -1 && level <= 3 && (level | 0) === level)) checkInt(level, "level", -1, 3);
    return this.k.gran[level + 1];
  }
  /** @internal Whether a (lo) descriptor at `level` is a table entry (kvm_pte_table). */
  isTable(lo: number, level: number): boolean {
    if (!(typeof level === "number" && level >= -1 && level <= 3 && (level | 0) === level)) checkInt(level, "level", -1, 3);
    return level !== KVM_PGTABLE_LAST_LEVEL && (lo & TABLE_BITS) === TABLE_BITS;
  }

  /** A page of the store (allocated or free: a free page reads as zeros) and an index inside it. */
  private entryOk(page: number, index: number): boolean {
    return (
      typeof page === "number" &&
      typeof index === "number" &&
      (index | 0) === index &&
      index >= 0 &&
      index < this.ptrsPerPte &&
      (page | 0) === page &&
      page >= 0 &&
      page < this.store.bump
    );
  }
  private badEntry(page: number, index: number): never {
    if (!(typeof index === "number" && (index | 0) === index && index >= 0 && index < this.ptrsPerPte))
      throw new ArgumentError("index", `${shown(index)} is not an entry index in 0..${this.ptrsPerPte - 1}`);
    throw new ArgumentError("page", `${shown(page)} is not a page of the table's store (0..${this.store.bump - 1})`);
  }
}
