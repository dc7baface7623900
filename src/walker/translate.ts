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
 * The tables are a KvmPgtable's or a memory image's (ImageTables, image.ts):
 * the same walk over either (src/pgtable/walkgen.ts, the memory seam). A
 * table page an image does not hold is a synchronous External abort on the
 * walk (FetchDescriptor -> HandleExternalTTWAbort), at the level of the
 * descriptor the walk was reading.
 *
 * Not modelled, because no KVM-built table reaches them: the Contiguous-bit
 * and FEAT_BBM nT translation faults (IMPLEMENTATION DEFINED), other external
 * aborts on the walk, FEAT_S2PIE/S2POE/THE, FEAT_D128, alignment faults, and the
 * CONSTRAINED UNPREDICTABLE choices s2pt makes for you: an instruction fetch
 * from stage-2 Device memory is not a Permission fault
 * (Unpredictable_INSTRDEVICE), and HA does not set AF on an access that takes
 * a Permission fault (Unpredictable_AFUPDATE).
 *
 * Two paths, one answer. walk() below is the complete walk, written to
 * follow the ASL. The common case (a walk through valid tables to a leaf
 * that grants the access with nothing to update) also has a fast path,
 * generated per table geometry (kernel.ts), which gives up on everything
 * else; the tests compare the two on every conformance table and on random
 * tables of every geometry.
 *
 * Hot path: no allocation, no BigInt, no closure per walk. Addresses are
 * exact doubles (IPA and PA below 2^53), descriptors two 32-bit halves read
 * straight from the TableStore arena (only bit operations touch them, so the
 * arena may hold them signed or unsigned; what the walker reports is
 * unsigned). Results go into fields of
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
  S2_MEMATTR_SHIFT,
  S2_XNX_HI,
  S2_XN_HI,
} from "../pgtable/descriptor.js";
import { KvmPgtable } from "../pgtable/pgtable.js";
import { ArgumentError, checkBool, checkInstance, checkInt, checkObject, optBool, shown } from "../pgtable/args.js";
import type { WalkStore, WalkTables } from "../pgtable/walkgen.js";
import { TableMemoryError, tableOutsideStore } from "../pgtable/storage.js";
import { ImageTables } from "./image.js";
import {
  ACCESS_READ,
  ACCESS_EXEC,
  ACCESS_WRITE,
  FAULT_ACCESS_FLAG,
  FAULT_ADDRESS_SIZE,
  FAULT_EXTERNAL_WALK,
  FAULT_NONE,
  FAULT_PERMISSION,
  FAULT_TRANSLATION,
  encodeLDFSC,
} from "./fault.js";
import { blockDescSupported } from "../pgtable/geometry.js";
import { SUM_SPAN, addSum64, flatArena } from "../pgtable/walkgen.js";
import { buildKernel, type DescriptorWords, type WalkKernel } from "./kernel.js";
import { PERM_R, permNeeded, s2PermBits } from "./perms.js";

/** The flat arena's stand-in where a store has none (never read: the flat kernels run only when flatArena() holds). */
const NO_FLAT = new Int32Array(0);

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
  /** Use the generated fast path (default true; false: every walk is the complete walk). */
  fast?: boolean;
}

export { blockDescSupported };

/** translateBatch status: a fault is FAULT_STATUS | FSC; a success is the leaf level (0..3). */
export const FAULT_STATUS = 0x100;

/** Hardware updates the last walk made (hwUpdate bits). */
export const HW_SET_AF = 1;
/** S2Walker's hardware update: S2AP[1] set on a write through a DBM leaf (VTCR_EL2.HD). */
export const HW_SET_DIRTY = 2;

/** Words per trace step: level, page, index, lo, hi. */
const TRACE_STRIDE = 5;
/** Most descriptors a walk reads (levels -1..3). */
const MAX_STEPS = 5;

/**
 * The hardware's stage-2 walk over a KvmPgtable (AArch64.S2Walk,
 * AArch64.S2CheckPermissions, the hardware AF and dirty updates of
 * AArch64.S2Translate), with VTCR_EL2.HA/HD and FEAT_XNX as given. One per
 * table; reuse it. walkIpa() tells one walk in full; translateBatch() and
 * translateBatchSum() walk many through caller-owned typed arrays.
 */
export class S2Walker {
  /** The tables walked: a KvmPgtable's, or a memory image's (ImageTables, src/walker/image.ts). */
  readonly pgt: WalkTables;
  /** VTCR_EL2.HA: the hardware sets AF (KVM's setting, the default). */
  readonly ha: boolean = true;
  /** VTCR_EL2.HD: with HA, a write through a DBM leaf sets S2AP[1] instead of faulting. */
  readonly hd: boolean = false;
  /** FEAT_XNX: descriptor bits 54:53 are XN[1:0], by EL. */
  readonly xnx: boolean = false;

  // ---- configuration, fixed at construction (numbers initialised as numbers, so V8 keeps them unboxed) ----
  private readonly store: WalkStore;
  /** The tables are a memory image's: a table page it does not hold is an external abort on the walk. */
  private readonly image: boolean = false;
  private readonly imageTables: ImageTables | null = null;
  /** The generated fast path, or null (fast: false, or no code generation allowed). */
  private readonly kernel: WalkKernel | null;
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
  /**
   * Descriptor bits 31:0 that are all zero in a leaf stage 2 maps as Device:
   * MemAttr[3:2] with FWB off (S2DecodeMemAttrs), MemAttr[2] with FWB on
   * (AArch64_S2ApplyFWBMemAttrs).
   */
  private readonly deviceMaskLo: number = 0;
  /** Set for the duration of translateS1Walk() with HCR_EL2.PTW = 1. */
  private ptwDevice = false;
  /** PERM_R while translateS1Walk() updates a stage-1 descriptor (a table-walk write also needs read). */
  private ttwAlsoNeed = 0;
  /** Fast-path output of translate(): PA, descriptor low and high halves. */
  private readonly fastOut = new Float64Array(3);
  /** translateBatchSum()'s partial sums (low, high halves). */
  private readonly sumPart = new Float64Array(2);

  // ---- result of the last translate() (the fast internal form: the public one is walkIpa()'s report) ----
  /** @internal Output address (success). */
  pa = 0;
  /** @internal Level of the leaf (success) or of the fault. */
  level = 0;
  /** @internal FAULT_* of the last walk (FAULT_NONE on success). */
  faultType = 0;
  /** @internal WnR as the fault reports it: the access was a write. */
  faultWrite = false;
  /** @internal The leaf descriptor (success) or the descriptor that faulted, as in memory after any hardware update. */
  descLo = 0;
  /** @internal */
  descHi = 0;
  /**
   * @internal
   * Where that descriptor is, table page and index: set by the complete walk
   * (always when tracing); -1 after a fast-path success or when the walk read
   * no descriptor.
   */
  descPage = -1;
  /** @internal */
  descIndex = -1;
  /** @internal HW_SET_AF | HW_SET_DIRTY: what the hardware wrote to the descriptor. */
  hwUpdate = 0;
  /** @internal After an external abort on the walk (FAULT_EXTERNAL_WALK): the PA of the descriptor the walk could not read. */
  abortPa = -1;

  // ---- optional trace of every descriptor read (CLI, tests): sends every walk down the complete path ----
  /** @internal */
  tracing = false;
  /** @internal */
  traceLen = 0;
  /** @internal */
  readonly trace = new Float64Array(MAX_STEPS * TRACE_STRIDE);

  /**
   * A walker of `pgt` (a KvmPgtable, or a memory image's ImageTables) with
   * VTCR_EL2.HA/HD and FEAT_XNX as `opts` say (default: HA on, HD off, XNX
   * off, as KVM runs).
   */
  constructor(pgt: KvmPgtable | ImageTables, opts: WalkerOptions = {}) {
    // Arguments (args.ts): a live table, and options of their types.
    if (!(pgt instanceof ImageTables)) checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable or ImageTables");
    if (pgt.destroyed) throw new ArgumentError("pgt", "the table is destroyed: there is no stage-2 table for VTTBR_EL2 to point at");
    const o = checkObject(opts, "opts");
    for (const k of Object.keys(o))
      if (k !== "ha" && k !== "hd" && k !== "xnx" && k !== "fast") throw new ArgumentError(`opts.${k}`, "unknown option (known: ha, hd, xnx, fast)");
    this.pgt = pgt;
    this.ha = optBool(o.ha, "opts.ha", true);
    this.hd = optBool(o.hd, "opts.hd", false);
    this.xnx = optBool(o.xnx, "opts.xnx", false);
    optBool(o.fast, "opts.fast", true);
    this.hwDirty = this.ha && this.hd;
    this.deviceMaskLo = pgt.fwb ? 0b100 << S2_MEMATTR_SHIFT : 0b1100 << S2_MEMATTR_SHIFT;
    const g = pgt.geom;
    const f = pgt.fmt;
    this.store = pgt.store;
    this.image = pgt instanceof ImageTables;
    this.imageTables = pgt instanceof ImageTables ? pgt : null;
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
    this.hiPageScale = 2 ** (32 - g.pageShift);
    this.basePage = this.store.basePa / g.granule;
    this.chunkShift = this.store.chunkShift;
    this.chunkMask = this.store.chunkMask;
    this.wordsShift = this.store.wordsShift;
    // An image's fast walk only where every page it may reach is held (ImageTables.dense).
    this.kernel = opts.fast === false || (pgt instanceof ImageTables && !pgt.dense) ? null : buildKernel(pgt);
  }

  /** @internal The generated fast path's source, or null (for inspection). */
  get kernelSource(): string | null {
    return this.kernel === null ? null : this.kernel.source;
  }

  /**
   * @internal
   * Translate `ipa` for an access (ACCESS_READ / ACCESS_WRITE / ACCESS_EXEC)
   * at EL `el` (0 or 1). Returns FAULT_NONE (0) with pa and level set, or the
   * FAULT_* taken, with level and faultWrite set. `ipa` is a number:
   * anything at or beyond 2^ia_bits (or negative, or NaN) is out of range
   * (a Translation fault at level 0); inside the IPA space it must be an
   * integer (ArgumentError otherwise), as must access and el.
   */
  translate(ipa: number, access: number, el: number): number {
    // Once per call: an IPA given as a number (at or beyond 2^ia_bits, or
    // negative or NaN, it is out of range: a Translation fault at level 0;
    // inside the IPA space it must be an integer), an access kind, an EL; a
    // table that is not destroyed.
    if (
      !(typeof ipa === "number" && (access === 0 || access === 1 || access === 2) && (el === 0 || el === 1)) ||
      this.pgt.destroyed ||
      (ipa >= 0 && ipa < this.iaLimit && Math.floor(ipa) !== ipa)
    ) {
      this.badArgs(ipa, access, el);
    }
    const kernel = this.kernel;
    if (kernel !== null && !this.tracing && ipa >= 0 && ipa < this.iaLimit) {
      const out = this.fastOut;
      const level = kernel.one(
        this.store.chunks,
        this.store.bump,
        ipa | 0,
        (ipa * 2.3283064365386963e-10) | 0,
        needLo(access),
        forbidHi(access, this.xnx),
        out,
      );
      if (level >= 0) {
        this.pa = out[0];
        this.level = level;
        this.faultType = FAULT_NONE;
        this.faultWrite = false;
        this.hwUpdate = 0;
        this.descLo = out[1];
        this.descHi = out[2];
        this.descPage = -1;
        this.descIndex = -1;
        return FAULT_NONE;
      }
    }
    return this.complete(ipa, access, el);
  }

  /**
   * Translate `n` IPAs for one kind of access: outPa[k] = PA and
   * outStatus[k] = leaf level on success; outPa[k] = -1 and
   * outStatus[k] = FAULT_STATUS | FSC on a fault (the ESR_EL2 DFSC / IFSC,
   * which names the fault and its level). Returns the number of faults.
   * A batch API: the arrays are the caller's (allocated once, reused), the
   * IPAs doubles (exact below 2^53; anything beyond the IPA space faults).
   */
  translateBatch(ipas: Float64Array, n: number, access: number, el: number, outPa: Float64Array, outStatus: Int32Array): number {
    // Once per call, not per IPA: the arrays and counts. The IPAs themselves
    // are taken as the walk takes doubles (NaN and negative ones fault as out
    // of range; a fraction is truncated) so that a batch costs nothing per entry.
    checkInstance(ipas, "ipas", Float64Array, "a Float64Array");
    checkInstance(outPa, "outPa", Float64Array, "a Float64Array");
    checkInstance(outStatus, "outStatus", Int32Array, "an Int32Array");
    if (!(access === 0 || access === 1 || access === 2) || !(el === 0 || el === 1) || this.pgt.destroyed) this.badArgs(0, access, el);
    if (!(typeof n === "number" && Math.floor(n) === n && n >= 0)) throw new ArgumentError("n", `${shown(n)} is not a count (a non-negative integer)`);
    if (!(n <= ipas.length && n <= outPa.length && n <= outStatus.length)) {
      throw new ArgumentError("n", `${n} exceeds an array (ipas ${ipas.length}, outPa ${outPa.length}, outStatus ${outStatus.length})`);
    }
    const kernel = this.kernel;
    if (kernel !== null && !this.tracing) {
      // The fast path marks what it leaves to the complete walk with status -1.
      const store = this.store;
      const slow =
        kernel.batchFlat !== null && flatArena(this.pgt)
          ? kernel.batchFlat(store.flat ?? NO_FLAT, store.chunks, store.bump, ipas, n, outPa, outStatus, needLo(access), forbidHi(access, this.xnx))
          : kernel.batch(store.chunks, store.bump, ipas, n, outPa, outStatus, needLo(access), forbidHi(access, this.xnx));
      if (slow === 0) return 0;
      let faults = 0;
      for (let k = 0; k < n; k++) if (outStatus[k] === -1) faults += this.completeInto(ipas[k], access, el, outPa, outStatus, k);
      return faults;
    }
    let faults = 0;
    for (let k = 0; k < n; k++) faults += this.completeInto(ipas[k], access, el, outPa, outStatus, k);
    return faults;
  }

  /**
   * Translate ipas[from..to) for one kind of access, as translate() one after
   * the other (hardware updates included), keeping only the sum: adds
   * Σ (PA + level) over the IPAs that translate into acc, modulo 2^64
   * (acc[0] the low 32 bits, acc[1] the high 32 bits, each kept in
   * [0, 2^32)). Returns how many fault (they add nothing). The generated
   * kernel adds the common case up inside its lockstep loop, so a caller
   * that needs only a fingerprint of many walks (the benchmark's checksum)
   * pays for no per-IPA output. The result fields are not defined after it.
   */
  translateBatchSum(ipas: Float64Array, from: number, to: number, access: number, el: number, acc: Float64Array): number {
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= ipas.length)) {
      throw new RangeError(`translateBatchSum: [${from}, ${to}) is not a range of the ${ipas.length} IPAs`);
    }
    if (acc.length < 2) throw new RangeError("translateBatchSum: acc needs 2 elements");
    const part = this.sumPart;
    const kernel = this.tracing ? null : this.kernel;
    const nl = needLo(access);
    const fh = forbidHi(access, this.xnx);
    let faults = 0;
    for (let s = from; s < to; s += SUM_SPAN) {
      const e = Math.min(to, s + SUM_SPAN);
      part[0] = 0;
      part[1] = 0;
      if (kernel === null) {
        for (let i = s; i < e; i++) faults += this.sumOne(ipas[i], access, el, part);
      } else {
        for (let i = s; ;) {
          // The lockstep groups, then the group they stopped at (or the tail) one IPA at a time. The arena
          // is asked for again at every call: sumOne()'s hardware updates call the store hook, which may change the table.
          i =
            kernel.batchSumFlat !== null && flatArena(this.pgt)
              ? kernel.batchSumFlat(this.store.flat ?? NO_FLAT, this.store.bump, ipas, i, e, nl, fh, part)
              : kernel.batchSum(this.store.chunks, this.store.bump, ipas, i, e, nl, fh, part);
          const end = Math.min(i + kernel.lanes, e);
          for (; i < end; i++) faults += this.sumOne(ipas[i], access, el, part);
          if (i >= e) break;
        }
      }
      addSum64(acc, part);
    }
    return faults;
  }

  /** translate() into a batch's sums; 1 for a fault. */
  private sumOne(ipa: number, access: number, el: number, part: Float64Array): number {
    if (this.translate(ipa, access, el) !== FAULT_NONE) return 1;
    const pa = this.pa;
    const hi = Math.floor(pa / 4294967296);
    part[0] += pa - hi * 4294967296 + this.level;
    part[1] += hi;
    return 0;
  }

  /**
   * Translate the IPA of a stage-1 translation table entry for the guest's
   * stage-1 walk (ASL AArch64_S1Walk -> AArch64_S2Translate with
   * AccessType_TTW): a read, whatever the EL, that needs stage-2 read
   * permission (AArch64_S2CheckPermissions uses r_mmu for a table walk), and
   * with HCR_EL2.PTW = 1 takes a Permission fault where stage 2 maps the
   * table as Device. With PTW = 0 a Device mapping is walked as Normal
   * Non-cacheable (AArch64_S2Translate), which changes no result here.
   * `write`: the translation of a hardware update of the descriptor
   * (TCR_EL1.HA/HD, CreateAccDescTTEUpdate), which needs read and write.
   * Results as for translate(); a fault here is one with S1PTW = 1.
   */
  /** @internal */
  translateS1Walk(ipa: number, ptw: boolean, write = false): number {
    if (typeof ptw !== "boolean") checkBool(ptw, "ptw");
    if (typeof write !== "boolean") checkBool(write, "write");
    if (typeof ipa !== "number" || this.pgt.destroyed || (ipa >= 0 && ipa < this.iaLimit && Math.floor(ipa) !== ipa)) this.badArgs(ipa, ACCESS_READ, 1);
    if (!ptw && !write) return this.translate(ipa, ACCESS_READ, 1);
    this.ptwDevice = ptw;
    // A hardware update of the descriptor (AccessType_TTW, write): the ASL checks r_mmu, then w_mmu.
    this.ttwAlsoNeed = write ? PERM_R : 0;
    try {
      return this.complete(ipa, write ? ACCESS_WRITE : ACCESS_READ, 1);
    } finally {
      this.ptwDevice = false;
      this.ttwAlsoNeed = 0;
    }
  }

  /** @internal The PA of a table page (for reports). */
  tablePa(page: number): number {
    checkInt(page, "page", 0, (this.image ? this.store.chunks.length : this.store.bump) - 1, "a table page");
    return this.store.pagePa(page);
  }

  /** The ArgumentError for translate()'s arguments (out of line: the check itself is one test). */
  private badArgs(ipa: unknown, access: unknown, el: unknown): never {
    if (this.pgt.destroyed) throw new ArgumentError("this", "the walker's table is destroyed");
    if (typeof ipa !== "number" || (ipa >= 0 && ipa < this.iaLimit && Math.floor(ipa) !== ipa))
      throw new ArgumentError("ipa", `${shown(ipa)} is not an IPA (a number: an integer inside the IPA space, anything outside it faults)`);
    if (!(access === 0 || access === 1 || access === 2))
      throw new ArgumentError("access", `${shown(access)} is not ACCESS_READ (0), ACCESS_WRITE (1) or ACCESS_EXEC (2)`);
    throw new ArgumentError("el", `${shown(el)} is not an EL a stage-2 walk translates (0 or 1)`);
  }

  /** The complete walk of one IPA, any value. */
  private complete(ipa: number, access: number, el: number): number {
    // AArch64_S2Translate: AArch64_IPAIsOutOfRange -> Translation fault, level 0.
    if (!(ipa >= 0 && ipa < this.iaLimit)) return this.outOfRange(access);
    // The IPA as two int32 halves: small integers cross calls unboxed.
    return this.walk(ipa | 0, (ipa * 2.3283064365386963e-10) | 0, access, el);
  }

  /** complete() into a batch's outputs; 1 for a fault. */
  private completeInto(ipa: number, access: number, el: number, outPa: Float64Array, outStatus: Int32Array, k: number): number {
    const r = this.complete(ipa, access, el);
    if (r === FAULT_NONE) {
      outPa[k] = this.pa;
      outStatus[k] = this.level;
      return 0;
    }
    outPa[k] = -1;
    outStatus[k] = FAULT_STATUS | encodeLDFSC(r, this.level);
    return 1;
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
      // Only an image has holes: FetchDescriptor's read fails (HandleExternalTTWAbort).
      if (chunk === undefined) return this.externalAbort(level, access, this.store.pagePa(page) + index * 8);
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
        if (!(next >= 0 && next < this.store.bump)) {
          // Beyond an image's window: its far pages, else the walk's read of the next level's descriptor fails.
          const far = this.imageTables === null ? -1 : this.imageTables.farPage(next + this.basePage);
          if (far >= 0) next = far;
          else if (this.image) {
            const i =
              ((shift - stride >= 32 ? ipaHi >>> (shift - stride - 32) : (ipaLo >>> (shift - stride)) | (ipaHi << (32 - shift + stride))) & idxMask) >>> 0;
            return this.externalAbort(level + 1, access, (next + this.basePage) * 2 ** this.pageShift + i * 8);
          } else throw new TableMemoryError(tableOutsideStore(lo, hi, this.store.pagePa(0), this.store.pagePa(this.store.bump)));
        }
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
      // AArch64_S2CheckPermissions, AccessType_TTW: HCR_EL2.PTW = 1 makes a table walk that
      // stage 2 maps as Device a Permission fault (checked before the read permission).
      if (this.ptwDevice && (lo & this.deviceMaskLo) === 0) return this.faultAt(FAULT_PERMISSION, level, access, page, index, lo, hi);
      const need = permNeeded(access) | this.ttwAlsoNeed;
      if ((s2PermBits(lo, hi, el, this.xnx, this.hwDirty) & need) !== need) {
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
      this.descHi = hi >>> 0;
      return FAULT_NONE;
    }
  }

  /**
   * The hardware's atomic update of a leaf (AF, or S2AP[1] through DBM): the
   * only store a walk makes. The table's store hook sees it before it is
   * made (as every store of KvmPgtable): a hook that throws vetoes it, and
   * the table is left as it was.
   */
  private hwWrite(chunk: DescriptorWords, off: number, page: number, index: number, lo: number, hi: number, newLo: number): void {
    const hook = this.pgt.storeHook;
    // The hook sees unsigned halves, whatever the arena's element type.
    if (hook !== null) hook(page, index, lo >>> 0, hi >>> 0, newLo >>> 0, hi >>> 0);
    this.hwUpdate = ((newLo ^ lo) & S2_AF_LO ? HW_SET_AF : 0) | ((newLo ^ lo) & S2AP_W_LO ? HW_SET_DIRTY : 0);
    // The page's chunk again after a hook: a hook's own batch walk may have made the arena flat (TableStore.flatten()).
    (hook === null ? chunk : (this.store.chunks[page >>> this.chunkShift] ?? chunk))[off] = newLo;
  }

  /** The walk's read of the descriptor at `pa` failed: the image does not hold it (see FAULT_EXTERNAL_WALK). */
  private externalAbort(level: number, access: number, pa: number): number {
    this.abortPa = pa;
    return this.faultAt(FAULT_EXTERNAL_WALK, level, access, -1, -1, 0, 0);
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
    this.descLo = lo >>> 0;
    this.descHi = hi >>> 0;
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
 * Descriptor bits 31:0 a leaf must have for the fast path: VALID, AF, and
 * S2AP[0] for a read, S2AP[1] for a write.
 */
function needLo(access: number): number {
  return PTE_VALID_LO | S2_AF_LO | (access === ACCESS_READ ? S2AP_R_LO : access === ACCESS_WRITE ? S2AP_W_LO : 0);
}

/** Descriptor bits 63:32 a leaf must not have for the fast path: XN for a fetch (both XN[1:0] bits with FEAT_XNX). */
function forbidHi(access: number, xnx: boolean): number {
  if (access !== ACCESS_EXEC) return 0;
  return xnx ? S2_XNX_HI : S2_XN_HI;
}
