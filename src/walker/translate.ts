/**
 * The hardware's stage-2 walk over the tables a KvmPgtable built: IPA -> PA
 * for one access, or the fault the PE would take. This is the architecture's
 * walk (ASL AArch64_S2Translate -> AArch64_S2Walk -> AArch64_S2CheckPermissions),
 * not the kernel's software walker: it reads descriptors as a PE does, and it
 * writes to the tables only where the hardware would (VTCR_EL2.HA / HD).
 *
 * Order of checks (ASL):
 *   AArch64_S2Translate  IPA beyond the IPA size (AArch64_IPAIsOutOfRange:
 *                        IPA[55:64-T0SZ] != 0) -> Translation fault, level 0
 *   AArch64_S2Walk       from the start level (VTCR_EL2.SL0, concatenated
 *                        root tables indexed by IPA[ia-1 : shift(start)]):
 *                        invalid descriptor, or a block where the granule has
 *                        no blocks (AArch64_DecodeDescriptorType,
 *                        AArch64_BlockDescSupported; bits 1:0 = 01 at level 3)
 *                        -> Translation fault at that level;
 *                        table address beyond VTCR_EL2.PS (AArch64_OAOutOfRange)
 *                        -> Address size fault at the level of the table
 *                        descriptor; at the leaf: output address beyond PS ->
 *                        Address size fault, then AF = 0 with HA = 0 -> Access
 *                        flag fault
 *   AArch64_S2CheckPermissions   only when no fault so far -> Permission fault
 *   AArch64_S2Translate  hardware updates, only without a fault: HA sets AF;
 *                        HA + HD with DBM on a write sets S2AP[1] (dirty)
 *
 * Not modelled, because no KVM-built table reaches them: the Contiguous-bit
 * and FEAT_BBM nT translation faults (IMPLEMENTATION DEFINED), external aborts
 * on the walk, FEAT_S2PIE/S2POE/THE, FEAT_D128, alignment faults, and the
 * CONSTRAINED UNPREDICTABLE choices s2pt makes for you: an instruction fetch
 * from stage-2 Device memory is not a Permission fault
 * (Unpredictable_INSTRDEVICE), and HA does not set AF on an access that takes
 * a Permission fault (Unpredictable_AFUPDATE).
 *
 * Hot path: no allocation, no BigInt, no closure per walk. Addresses are
 * exact doubles (IPA and PA below 2^53), descriptors two unsigned 32-bit
 * halves read straight from the TableStore arena. Results go into fields of
 * this object (translate) or into caller-owned typed arrays (translateBatch).
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
  S2_DBM_HI,
  S2_XNX_HI,
  S2_XN_HI,
} from "../pgtable/descriptor.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import type { TableStore } from "../pgtable/storage.js";
import { ACCESS_READ, ACCESS_EXEC, ACCESS_WRITE, FAULT_ACCESS_FLAG, FAULT_ADDRESS_SIZE, FAULT_NONE, FAULT_PERMISSION, FAULT_TRANSLATION, encodeLDFSC } from "./fault.js";
import { permNeeded, s2PermBits } from "./perms.js";

/** The walk's configuration beyond the table's Stage2Config. */
export interface WalkerOptions {
  /**
   * VTCR_EL2.HA, hardware Access flag update. Default true: KVM sets it
   * (kvm_get_vtcr, unless built without CONFIG_ARM64_HW_AFDBM or on a CPU
   * with the AC03_CPU_38 erratum), so a leaf with AF = 0 is made young by the
   * hardware. false: such an access takes an Access flag fault (and KVM's
   * handler calls kvm_pgtable_stage2_mkyoung).
   */
  ha?: boolean;
  /** VTCR_EL2.HD, hardware dirty state through DBM (effective only with HA). Default false: KVM never sets it. */
  hd?: boolean;
  /**
   * FEAT_XNX: descriptor bits 54:53 are XN[1:0], by EL. Default false: bit 53
   * is RES0 and ignored (Linux 6.18.25 writes only bit 54).
   */
  xnx?: boolean;
}

/** translateBatch status: a fault is FAULT_STATUS | FSC; a success is the leaf level (0..3). */
export const FAULT_STATUS = 0x100;

/** Hardware updates the last walk made (hwUpdate bits). */
export const HW_SET_AF = 1;
export const HW_SET_DIRTY = 2;

/** Bit level + 1 of the levels where a descriptor with bits 1:0 = 11 is a page, not a table: level 3. */
const LEAF_PAGE_LEVELS = 1 << (KVM_PGTABLE_LAST_LEVEL + 1);

/** Words per trace step: level, page, index, lo, hi. */
const TRACE_STRIDE = 5;
/** Most descriptors a walk reads (levels -1..3). */
const MAX_STEPS = 5;

export class S2Walker {
  readonly pgt: KvmPgtable;
  readonly ha: boolean = true;
  readonly hd: boolean = false;
  readonly xnx: boolean = false;

  // ---- configuration, fixed at construction ------------------------------------
  private readonly store: TableStore;
  /** 2^ia_bits: the IPA size VTCR_EL2.T0SZ gives. */
  private readonly iaLimit: number = 0;
  /** 2^(pa_bits - PAGE_SHIFT): the output size VTCR_EL2.PS gives (KVM writes the host PARange), in pages. */
  private readonly oaPageLimit: number = 0;
  /** 2^(pa_bits - 32): the same limit on bits 63:32 of an output address. */
  private readonly oaHiLimit: number = 0;
  private readonly startLevel: number = 0;
  /** kvm_granule_shift(start level). */
  private readonly startShift: number = 0;
  private readonly pgd: number = 0;
  private readonly pageShift: number = 0;
  /** PAGE_SHIFT - 3: IPA bits resolved per level (and log2 of PTRS_PER_PTE). */
  private readonly stride: number = 0;
  private readonly idxMask: number = 0;
  /** Bit level + 1 set: AArch64_BlockDescSupported(level) (never level 3, where bits 1:0 = 01 is invalid). */
  private readonly blockLevels: number = 0;
  private readonly addrLo: number = 0;
  private readonly addrHi: number = 0;
  private readonly highOa: number = 0;
  /** 2^(32 - PAGE_SHIFT): turns descriptor bits 63:32 into a page number. */
  private readonly hiPageScale: number = 0;
  /** basePa >> PAGE_SHIFT: the page number of table page 0. */
  private readonly basePage: number = 0;
  private readonly chunkShift: number = 0;
  private readonly chunkMask: number = 0;
  private readonly wordsShift: number = 0;
  /** HA and HD both set: DBM makes a leaf writable and a write sets S2AP[1]. */
  private readonly hwDirty: boolean = false;
  /** VALID | TYPE | the bits 31:0 that hold output-address bits above 47 (64K: 15:12; FEAT_LPA2: 9:8). */
  private readonly tableMask: number = 0;
  /** Output-address bits above 47 in bits 31:0: (lo >>> highOaShift) & highOaMask, times highOaScale. */
  private readonly highOaShift: number = 0;
  private readonly highOaMask: number = 0;
  private readonly highOaScale: number = 0;
  /** 2^ia_bits and 2^pa_bits. */
  private readonly oaLimit: number = 0;
  /** 2^-kvm_granule_shift(start level), and 2^(PAGE_SHIFT - 3), the factor from one level's to the next. */
  private readonly startInv: number = 0;
  private readonly strideScale: number = 0;

  // ---- result of the last translate() ---------------------------------------------
  /** Output address (success). */
  pa = 0;
  /** Level of the leaf (success) or of the fault. */
  level = 0;
  /** FAULT_* of the last walk (FAULT_NONE on success). */
  faultType = 0;
  /** WnR as the fault reports it: the access was a write. */
  faultWrite = false;
  /** The leaf descriptor (success) or the descriptor that faulted, as in memory after any hardware update. */
  descLo = 0;
  descHi = 0;
  /** Where that descriptor is: table page and index (-1 when the walk read none). */
  descPage = -1;
  descIndex = -1;
  /** HW_SET_AF | HW_SET_DIRTY: what the hardware wrote to the descriptor. */
  hwUpdate = 0;

  // ---- one-element batch for translate() --------------------------------------------
  private readonly one = new Float64Array(1);
  private readonly onePa = new Float64Array(1);
  private readonly oneStatus = new Int32Array(1);

  // ---- optional trace of every descriptor read (CLI, tests) --------------------------
  tracing = false;
  traceLen = 0;
  readonly trace = new Float64Array(MAX_STEPS * TRACE_STRIDE);

  constructor(pgt: KvmPgtable, opts: WalkerOptions = {}) {
    this.pgt = pgt;
    this.ha = opts.ha ?? true;
    this.hd = opts.hd ?? false;
    this.xnx = opts.xnx ?? false;
    this.hwDirty = this.ha && this.hd;
    const g = pgt.geom;
    const f = pgt.fmt;
    this.store = pgt.store;
    this.iaLimit = 2 ** g.iaBits;
    this.oaPageLimit = 2 ** (g.paBits - g.pageShift);
    this.oaHiLimit = 2 ** (g.paBits - 32);
    this.startLevel = g.startLevel;
    this.startShift = g.shifts[g.startLevel + 1];
    this.pgd = pgt.pgd;
    this.pageShift = g.pageShift;
    this.stride = g.pageShift - 3;
    this.idxMask = g.ptrsPerPte - 1;
    let blocks = 0;
    for (let l = -1; l <= 3; l++) if (blockDescSupported(g.granule, g.lpa2, g.paBits, l)) blocks |= 1 << (l + 1);
    this.blockLevels = blocks;
    this.addrLo = f.addrLo | 0;
    this.addrHi = f.addrHi;
    this.highOa = f.highOa;
    this.tableMask = PTE_VALID_LO | PTE_TYPE_LO | (f.highOa === 1 ? ADDR_51_48_LO : f.highOa === 2 ? ADDR_51_50_LPA2_LO : 0);
    this.highOaShift = f.highOa === 2 ? ADDR_51_50_LPA2_SHIFT : ADDR_51_48_SHIFT;
    this.highOaMask = f.highOa === 1 ? ADDR_51_48_LO >>> ADDR_51_48_SHIFT : f.highOa === 2 ? ADDR_51_50_LPA2_LO >>> ADDR_51_50_LPA2_SHIFT : 0;
    this.highOaScale = f.highOa === 2 ? 2 ** 50 : 2 ** 48;
    this.oaLimit = 2 ** g.paBits;
    this.startInv = 2 ** -this.startShift;
    this.strideScale = 2 ** this.stride;
    this.hiPageScale = 2 ** (32 - g.pageShift);
    this.basePage = this.store.basePa / g.granule;
    this.chunkShift = this.store.chunkShift;
    this.chunkMask = this.store.chunkMask;
    this.wordsShift = this.store.wordsShift;
  }

  /**
   * Translate `ipa` for an access (ACCESS_READ / ACCESS_WRITE / ACCESS_EXEC)
   * at EL `el` (0 or 1). Returns FAULT_NONE (0) with pa and level set, or the
   * FAULT_* taken, with level and faultWrite set. `ipa` is an integer-valued
   * double; anything at or beyond 2^ia_bits (or negative) is out of range.
   */
  translate(ipa: number, access: number, el: number): number {
    this.one[0] = ipa;
    this.translateBatch(this.one, 1, access, el, this.onePa, this.oneStatus);
    return this.faultType;
  }

  /**
   * Translate `n` IPAs for one kind of access: outPa[k] = PA and
   * outStatus[k] = leaf level on success; outPa[k] = -1 and
   * outStatus[k] = FAULT_STATUS | FSC on a fault (the ESR_EL2 DFSC / IFSC,
   * which names the fault and its level). Returns the number of faults.
   * After the call, the fields (pa, level, faultType, ...) describe the last
   * IPA's walk.
   *
   * The loop body is the common case only, inline, with every parameter in
   * a local: a walk through valid tables to a leaf that allows the access
   * without any fault or hardware update (VALID and AF set, S2AP grants the
   * access directly, XN clear for a fetch). Anything else (a fault, an AF or
   * dirty-state update, an unusual descriptor, tracing) goes to walk(), the
   * complete walk. Every success the fast path reports is one walk() reports
   * (the tests compare the two on every conformance table).
   * Its arithmetic is on doubles: ipa * 2^-shift is exact, and ToInt32 (the
   * `&`) truncates it, which for a non-negative value is the floor.
   */
  translateBatch(ipas: Float64Array, n: number, access: number, el: number, outPa: Float64Array, outStatus: Int32Array): number {
    const chunks = this.store.chunks;
    const bump = this.store.bump;
    const limit = this.iaLimit;
    const oaLimit = this.oaLimit;
    const fastPath = !this.tracing;
    const startLevel = this.startLevel;
    const startInv = this.startInv;
    const strideScale = this.strideScale;
    const pgd = this.pgd;
    const stride = this.stride;
    const idxMask = this.idxMask;
    const chunkShift = this.chunkShift;
    const chunkMask = this.chunkMask;
    const wordsShift = this.wordsShift;
    const tableMask = this.tableMask;
    const addrLo = this.addrLo;
    const addrHi = this.addrHi;
    const hiPageScale = this.hiPageScale;
    const pageShift = this.pageShift;
    const basePage = this.basePage;
    const blockLevels = this.blockLevels;
    const highOaShift = this.highOaShift;
    const highOaMask = this.highOaMask;
    const highOaScale = this.highOaScale;
    // Descriptor bits a leaf must have (VALID, AF, S2AP[0] for a read, S2AP[1]
    // for a write) and bits it must not have (XN, both XN[1:0] bits with
    // FEAT_XNX, for a fetch) for the fast path.
    const needLo = PTE_VALID_LO | S2_AF_LO | (access === ACCESS_READ ? S2AP_R_LO : access === ACCESS_WRITE ? S2AP_W_LO : 0);
    const forbidHi = access !== ACCESS_EXEC ? 0 : this.xnx ? S2_XNX_HI : S2_XN_HI;
    let faults = 0;
    for (let k = 0; k < n; k++) {
      const ipa = ipas[k];
      const inRange = ipa >= 0 && ipa < limit;
      if (inRange && fastPath) {
        let inv = startInv;
        let level = startLevel;
        // AArch64_S2SLTTEntryAddress: the start level's index runs over all the concatenated root tables.
        const rootIdx = (ipa * inv) | 0;
        let page = pgd + (rootIdx >>> stride);
        let index = rootIdx & idxMask;
        let lo: number;
        let hi: number;
        for (;;) {
          const chunk = chunks[page >>> chunkShift];
          const off = ((page & chunkMask) << wordsShift) + (index << 1);
          lo = chunk[off];
          hi = chunk[off + 1];
          // Not a table, or one with output-address bits above 47 (no table page of this store has them).
          if ((lo & tableMask) !== (PTE_VALID_LO | PTE_TYPE_LO) || level === KVM_PGTABLE_LAST_LEVEL) break;
          const next = (hi & addrHi) * hiPageScale + ((lo & addrLo) >>> pageShift) - basePage;
          if (!(next >= 0 && next < bump)) {
            lo = 0; // leaves the fast path below
            break;
          }
          page = next | 0;
          level++;
          inv *= strideScale;
          index = (ipa * inv) & idxMask;
        }
        // A page, or a block where the granule has blocks, that allows the access.
        if ((lo & needLo) === needLo && (hi & forbidHi) === 0 && ((((lo & PTE_TYPE_LO) !== 0 ? LEAF_PAGE_LEVELS : blockLevels) >>> (level + 1)) & 1) !== 0) {
          // AArch64_LeafBase (OA bits at and above the leaf size) + StageOA (the bits below it from the IPA).
          const size = 1 / inv;
          const oa = (hi & addrHi) * 4294967296 + ((lo & addrLo) >>> 0) + ((lo >>> highOaShift) & highOaMask) * highOaScale;
          const pa = Math.floor(oa * inv) * size + (ipa - Math.floor(ipa * inv) * size);
          if (pa < oaLimit) {
            outPa[k] = pa;
            outStatus[k] = level;
            if (k === n - 1) this.fastResult(pa, level, page, index, lo, hi);
            continue;
          }
        }
      }
      const r = inRange ? this.walk(ipa | 0, (ipa * 2.3283064365386963e-10) | 0, access, el) : this.outOfRange(access);
      if (r === FAULT_NONE) {
        outPa[k] = this.pa;
        outStatus[k] = this.level;
      } else {
        outPa[k] = -1;
        outStatus[k] = FAULT_STATUS | encodeLDFSC(r, this.level);
        faults++;
      }
    }
    return faults;
  }

  /** The PA of a table page (for reports). */
  tablePa(page: number): number {
    return this.store.pagePa(page);
  }

  /** The fields after a fast-path success (walk() sets them itself). */
  private fastResult(pa: number, level: number, page: number, index: number, lo: number, hi: number): void {
    this.pa = pa;
    this.level = level;
    this.faultType = FAULT_NONE;
    this.faultWrite = false;
    this.hwUpdate = 0;
    this.descPage = page;
    this.descIndex = index;
    this.descLo = lo >>> 0;
    this.descHi = hi >>> 0;
  }

  /**
   * The walk proper (AArch64_S2Walk + AArch64_S2CheckPermissions + the
   * hardware updates of AArch64_S2Translate) for an in-range IPA given as
   * int32 halves (ipaLo = IPA[31:0], ipaHi = IPA[52:32]). All arithmetic is
   * on 32-bit halves; only the final PA becomes a double.
   */
  private walk(ipaLo: number, ipaHi: number, access: number, el: number): number {
    const chunks = this.store.chunks;
    const chunkShift = this.chunkShift;
    const chunkMask = this.chunkMask;
    const wordsShift = this.wordsShift;
    const stride = this.stride;
    const idxMask = this.idxMask;
    const addrLo = this.addrLo;
    const addrHi = this.addrHi;
    const tracing = this.tracing;
    if (tracing) this.traceLen = 0;
    this.hwUpdate = 0;
    let level = this.startLevel;
    // shift = kvm_granule_shift(level): the lowest IPA bit this level resolves.
    let shift = this.startShift;
    // AArch64_S2SLTTEntryAddress: the start level's index runs over all the
    // concatenated root tables (IPA[ia-1 : shift]; the IPA is in range).
    const rootIdx = shift >= 32 ? ipaHi >>> (shift - 32) : (ipaLo >>> shift) | (ipaHi << (32 - shift));
    let page = this.pgd + (rootIdx >>> stride);
    let index = rootIdx & idxMask;
    for (;;) {
      const chunk = chunks[page >>> chunkShift];
      const off = ((page & chunkMask) << wordsShift) + (index << 1);
      const lo = chunk[off];
      const hi = chunk[off + 1];
      if (tracing) this.record(level, page, index, lo, hi);
      // AArch64_DecodeDescriptorType.
      if ((lo & PTE_VALID_LO) === 0) return this.faultAt(FAULT_TRANSLATION, level, access, page, index, lo, hi);
      if ((lo & PTE_TYPE_LO) !== 0 && level !== KVM_PGTABLE_LAST_LEVEL) {
        // Table: AArch64_NextTableBase as a page number, AArch64_OAOutOfRange on it.
        let next = (hi & addrHi) * this.hiPageScale + ((lo & addrLo) >>> this.pageShift);
        if (this.highOa === 1) next += ((lo & ADDR_51_48_LO) >>> ADDR_51_48_SHIFT) * 2 ** (48 - this.pageShift);
        else if (this.highOa === 2) next += ((lo & ADDR_51_50_LPA2_LO) >>> ADDR_51_50_LPA2_SHIFT) * 2 ** (50 - this.pageShift);
        if (next >= this.oaPageLimit) return this.faultAt(FAULT_ADDRESS_SIZE, level, access, page, index, lo, hi);
        next -= this.basePage;
        if (!(next >= 0 && next < this.store.bump)) throw new Error(`level-${level} table descriptor points outside the table store`);
        page = next | 0;
        level++;
        shift -= stride;
        index = (shift >= 32 ? ipaHi >>> (shift - 32) : (ipaLo >>> shift) | (ipaHi << (32 - shift))) & idxMask;
        continue;
      }
      if ((lo & PTE_TYPE_LO) === 0 && ((this.blockLevels >>> (level + 1)) & 1) === 0) {
        return this.faultAt(FAULT_TRANSLATION, level, access, page, index, lo, hi);
      }

      // Leaf: AArch64_LeafBase (descriptor OA bits at and above the leaf
      // size) + StageOA (the bits below it from the IPA).
      let paLo: number;
      let paHi: number;
      if (shift < 32) {
        const below = -1 >>> (32 - shift);
        paLo = ((lo & addrLo & ~below) | (ipaLo & below)) >>> 0;
        paHi = hi & addrHi;
      } else {
        const below = shift === 32 ? 0 : -1 >>> (64 - shift);
        paLo = ipaLo >>> 0;
        paHi = (hi & addrHi & ~below) | (ipaHi & below);
      }
      if (this.highOa === 1) paHi |= ((lo & ADDR_51_48_LO) >>> ADDR_51_48_SHIFT) << 16;
      else if (this.highOa === 2) paHi |= ((lo & ADDR_51_50_LPA2_LO) >>> ADDR_51_50_LPA2_SHIFT) << 18;
      // Then the checks in ASL order: output address size, Access flag, permissions.
      if (paHi >= this.oaHiLimit) return this.faultAt(FAULT_ADDRESS_SIZE, level, access, page, index, lo, hi);
      if ((lo & S2_AF_LO) === 0 && !this.ha) return this.faultAt(FAULT_ACCESS_FLAG, level, access, page, index, lo, hi);
      if ((s2PermBits(lo, hi, el, this.xnx, this.hwDirty) & permNeeded(access)) === 0) {
        return this.faultAt(FAULT_PERMISSION, level, access, page, index, lo, hi);
      }

      // AArch64_S2Translate: hardware updates of a translation that did not fault.
      let newLo = lo;
      if ((lo & S2_AF_LO) === 0 && this.ha) newLo |= S2_AF_LO;
      if (access === ACCESS_WRITE && (lo & S2AP_W_LO) === 0 && this.hwDirty && (hi & S2_DBM_HI) !== 0) newLo |= S2AP_W_LO;
      if (newLo !== lo) this.hwWrite(chunk, off, page, index, lo, hi, newLo >>> 0);
      this.pa = paHi * 4294967296 + paLo;
      this.level = level;
      this.faultType = FAULT_NONE;
      this.faultWrite = false;
      this.descPage = page;
      this.descIndex = index;
      this.descLo = newLo >>> 0;
      this.descHi = hi;
      return FAULT_NONE;
    }
  }

  /** The hardware's atomic update of a leaf (AF, or S2AP[1] through DBM): the only store a walk makes. */
  private hwWrite(chunk: Uint32Array, off: number, page: number, index: number, lo: number, hi: number, newLo: number): void {
    this.hwUpdate = ((newLo ^ lo) & S2_AF_LO ? HW_SET_AF : 0) | ((newLo ^ lo) & S2AP_W_LO ? HW_SET_DIRTY : 0);
    chunk[off] = newLo;
    const hook = this.pgt.storeHook;
    if (hook !== null) hook(page, index, lo, hi, newLo, hi);
  }

  private outOfRange(access: number): number {
    if (this.tracing) this.traceLen = 0;
    this.hwUpdate = 0;
    return this.faultAt(FAULT_TRANSLATION, 0, access, -1, -1, 0, 0);
  }

  private faultAt(type: number, level: number, access: number, page: number, index: number, lo: number, hi: number): number {
    this.faultType = type;
    this.level = level;
    this.descPage = page;
    this.descIndex = index;
    this.descLo = lo;
    this.descHi = hi;
    // fault.write: the access was a write (the Permission fault of a read
    // reports write = 0, of a write 1: the same thing for single accesses).
    this.faultWrite = access === ACCESS_WRITE;
    return type;
  }

  private record(level: number, page: number, index: number, lo: number, hi: number): void {
    if (this.traceLen >= MAX_STEPS) return;
    const t = this.trace;
    const at = this.traceLen * TRACE_STRIDE;
    t[at] = level;
    t[at + 1] = page;
    t[at + 2] = index;
    t[at + 3] = lo;
    t[at + 4] = hi;
    this.traceLen++;
  }
}

/**
 * AArch64_BlockDescSupported for 64-bit descriptors: 4K blocks at levels 1
 * and 2 (level 0 too with DS = 1), 16K at level 2 (level 1 with DS = 1), 64K at
 * level 2 (level 1 when the PE supports 52-bit PAs: PAMax >= 52, taken here
 * as the table's pa_bits, the PARange KVM writes to VTCR_EL2.PS). Never at
 * level -1 or 3 (a level-3 descriptor with bit 1 clear is invalid).
 */
export function blockDescSupported(granule: number, ds: boolean, paMax: number, level: number): boolean {
  if (granule === 4096) return level === 1 || level === 2 || (level === 0 && ds);
  if (granule === 16384) return level === 2 || (level === 1 && ds);
  return level === 2 || (level === 1 && paMax >= 52);
}
