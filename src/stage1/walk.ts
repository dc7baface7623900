/**
 * The two-stage translation of a guest virtual address, as the hardware
 * does it for an EL1&0 access with stage 2 enabled (ASL AArch64_FullTranslate):
 *
 *   AArch64_S1Translate   stage 1 disabled (SCTLR_EL1.M = 0, or HCR_EL2.DC = 1:
 *                         AArch64_S1Enabled) -> AArch64_S1DisabledOutput: IPA = VA,
 *                         an Address size fault (level 0) if VA[addrtop:PAMax] != 0;
 *                         else: VA beyond the region's size (AArch64_VAIsOutOfRange)
 *                         -> Translation fault, level 0
 *   AArch64_S1Walk        TCR_EL1.EPDn = 1 -> Translation fault, level 0;
 *                         the root table address beyond the stage-1 output size
 *                         (AArch64_OAOutOfRange) -> Address size fault, level 0;
 *                         then per level: the entry's IPA is translated by
 *                         stage 2 first (AArch64_S2Translate, AccessType_TTW): a
 *                         stage-2 fault there is reported as such, with S1PTW = 1,
 *                         the stage-2 walk's level and the entry's IPA in
 *                         HPFAR_EL2; the entry is read at the PA stage 2 gives;
 *                         invalid, or a block where the granule has none
 *                         (AArch64_DecodeDescriptorType) -> Translation fault at
 *                         the level; a table whose next entry address is beyond
 *                         the output size -> Address size fault at the table
 *                         descriptor's level; hierarchical APTable/PXNTable/
 *                         UXNTable gathered unless TCR_EL1.HPDn
 *                         (AArch64_S1ApplyTablePerms); at the leaf: output
 *                         address beyond the output size -> Address size fault,
 *                         AF = 0 -> Access flag fault when TCR_EL1.HA = 0
 *   AArch64_S1CheckPermissions   AP[2:1], APTable, PXN/UXN (+ PXNTable/UXNTable),
 *                         EL0-writable implies PXN, SCTLR_EL1.WXN
 *                         (AArch64_S1DirectBasePermissions) -> Permission fault
 *                         at the leaf's level (a stage-1 fault, to EL1)
 *   AArch64_S1Translate   hardware updates, only without a fault: TCR_EL1.HA sets AF,
 *                         HA + HD with DBM on a write clears AP[2] (a DBM leaf
 *                         counts as writable, AArch64_S1ApplyOutputPerms); the
 *                         update is a write to the entry's IPA, translated by
 *                         stage 2 first (CreateAccDescTTEUpdate): a stage-2
 *                         fault there has S1PTW = 1 and the original access's
 *                         WnR (the fault record AArch64_S1Translate hands to
 *                         AArch64_S2Translate was set by NoFault(accdesc) from
 *                         the access; v8.5: AArch64.SecondStageWalk(..., iswrite,
 *                         ..., hwupdatewalk)), so a read whose AF update faults
 *                         reports WnR 0
 *   AArch64_S2Translate   the output IPA for the access itself -> the PA, or a
 *                         stage-2 fault with S1PTW = 0
 *
 * The memory type is not computed here: the stage-1 Attr byte (MAIR_EL1
 * byte AttrIndx) and SH, or what AArch64_S1DisabledOutput gives, are left in
 * s1Attr/s1Sh for src/mair's combine with the stage-2 leaf (memtype.ts).
 *
 * Not modelled: FEAT_LPA2 / LVA / TTST / D128 / PAN / S1PIE / S1POE / E0PD / MTE tags /
 * TBID, the Contiguous bit and FEAT_BBM nT faults (IMPLEMENTATION DEFINED),
 * alignment faults, external aborts other than a memory image's missing
 * bytes (FAULT_EXTERNAL_WALK), TLBs. CONSTRAINED UNPREDICTABLE
 * choices: an instruction fetch from stage-1 Device memory is not a
 * Permission fault (Unpredictable_INSTRDEVICE), as at stage 2.
 *
 * No BigInt and no allocation per walk: the VA comes in as two 32-bit
 * halves; results are fields of this object.
 */

import { PTE_TYPE_LO, PTE_VALID_LO } from "../pgtable/descriptor.js";
import {
  S1_DBM_HI,
  APTABLE_NO_EL0,
  APTABLE_NO_WRITE,
  S1_AF_LO,
  S1_AP_EL0_LO,
  S1_AP_RO_LO,
  S1_APTABLE_HI,
  S1_APTABLE_SHIFT_HI,
  S1_ATTRINDX_LO,
  S1_ATTRINDX_SHIFT,
  S1_PXNTABLE_HI,
  S1_PXN_HI,
  S1_SH_LO,
  S1_SH_SHIFT,
  S1_UXNTABLE_HI,
  S1_UXN_HI,
  s1DescAddress,
} from "./descriptor.js";
import { blockDescSupported } from "../pgtable/geometry.js";
import {
  ACCESS_EXEC,
  ACCESS_WRITE,
  FAULT_ACCESS_FLAG,
  FAULT_ADDRESS_SIZE,
  FAULT_EXTERNAL_WALK,
  FAULT_NONE,
  FAULT_PERMISSION,
  FAULT_TRANSLATION,
} from "../walker/fault.js";
import { S2Walker } from "../walker/translate.js";
import { checkTcr, regionGeometry, s1OutputBits, ttbrTableBase, type GuestConfig, type RegionGeometry } from "./config.js";
import { PhysMemory } from "../pgtable/physmem.js";
import { ArgumentError, checkBigU64, checkInstance, checkInt, checkObject, shown } from "../pgtable/args.js";

/** Which stage a fault belongs to. */
export const STAGE_NONE = 0;
export const STAGE_1 = 1;
export const STAGE_2 = 2;

/** Stage-1 permission bits (s1Perms). */
export const S1_PERM_R = 1;
export const S1_PERM_W = 2;
export const S1_PERM_X = 4;

/** Most stage-1 levels a walk reads (0..3). */
export const MAX_S1_STEPS = 4;
/** Words per stage-1 trace step: level, table IPA, index, entry IPA, entry PA (-1: none), lo, hi, stage-2 result. */
export const S1_TRACE_STRIDE = 8;

/** Stage-1 memory attributes of a disabled stage 1 (AArch64_S1DisabledOutput), as a MAIR byte. */
const DISABLED_DATA_ATTR = 0x00; // Device-nGnRnE
const DISABLED_IFETCH_WT_ATTR = 0xaa; // Normal, Inner/Outer Write-Through, Read-Allocate, non-transient
const DISABLED_IFETCH_NC_ATTR = 0x44; // Normal Non-cacheable
const SH_OSH = 2;

/** Hardware updates of the stage-1 leaf (hwUpdate bits). */
export const S1_HW_AF = 1;
export const S1_HW_DIRTY = 2;

/** What a stage-2 translation of the nested walk was for (S2WalkHook). */
export const S2_FOR_TABLE = 0;
export const S2_FOR_OUTPUT = 1;
export const S2_FOR_UPDATE = 2;

/** Called after each stage-2 translation of a walk (tracing only): the IPA, the stage-1 level, translate()'s result, S2_FOR_*. */
export type S2WalkHook = (ipa: number, s1Level: number, result: number, kind: number) => void;

/**
 * The two-stage walk of a guest VA: the guest's stage 1 (AArch64.S1Translate) over guest memory, every table read and the output IPA translated by an S2Walker. One per guest; walkVa() tells one translation in full.
 */
export class NestedWalker {
  /**
   * The stage-2 walker every stage-1 table read and the output IPA go
   * through; null when stage 2 is off (HCR_EL2.VM = 0 and DC = 0: the IPA is
   * the PA, AArch64.FullTranslate without AArch64.S2Translate).
   */
  readonly s2: S2Walker | null;
  /** The guest's memory, holding its stage-1 tables (a GuestMemory, or a memory image). */
  readonly mem: PhysMemory;
  /** The guest's stage-1 registers. */
  readonly cfg: GuestConfig;
  /** The two regions' geometry (TTBR0, TTBR1). */
  readonly regions: readonly [RegionGeometry, RegionGeometry];
  /** Root table IPAs (AArch64_S1TTBaseAddress). */
  readonly tableBase: readonly [number, number];
  /** Stage-1 output (IPA) size in bits, per region (granule-dependent cap). */
  readonly oaBits: readonly [number, number];
  /** The PE's PA size (AArch64_PAMax): the host PARange of the stage-2 table. */
  readonly paMax: number;
  /** 64K granule descriptors carry OA[51:48] in bits 15:12 (FEAT_LPA, PAMax = 52). */
  readonly lpa64: boolean;
  /** AArch64_S1Enabled for EL1&0: SCTLR_EL1.M = 1 and HCR_EL2.DC = 0. */
  readonly s1Enabled: boolean;
  // Per region: the bits [addrtop : iaBits] of a VA as masks on its halves (AArch64_VAIsOutOfRange).
  private readonly rangeLo: Int32Array = new Int32Array(2);
  private readonly rangeHi: Int32Array = new Int32Array(2);
  // Powers of two the walk divides by, precomputed (`2 ** n` with a variable n is a slow call):
  // the size one entry maps per region and level (index region * 4 + level), 2^iasize and 2^oasize per region.
  private readonly levelSize: Float64Array = new Float64Array(8);
  private readonly iaSpan: Float64Array = new Float64Array(2);
  private readonly oaLimit: Float64Array = new Float64Array(2);
  // Stage 1 disabled: VA[addrtop : PAMax] as masks (AArch64_S1DisabledOutput).
  private readonly offLo: Int32Array = new Int32Array(2);
  private readonly offHi: Int32Array = new Int32Array(2);

  // ---- result of the last translate() (the fast internal form: the public one is walkVa()'s report) ----
  /** @internal STAGE_NONE on success, else the stage of the fault. */
  faultStage = 0;
  /** @internal FAULT_* (FAULT_NONE on success). */
  faultType = 0;
  /** @internal The fault's level: of the stage-1 walk (stage 1) or of the stage-2 walk (stage 2). */
  faultLevel = 0;
  /** @internal The stage-2 fault was on the translation of a stage-1 table entry (ESR_EL2.S1PTW). */
  s1ptw = false;
  /** @internal For a stage-2 fault: the IPA stage 2 could not translate (the entry's IPA with S1PTW, else the output IPA). */
  faultIpa = 0;
  /** @internal The stage-1 level being walked when the fault came (the leaf's level for a final stage-2 fault). */
  s1Level = 0;
  /** @internal The access was a write (WnR). */
  faultWrite = false;
  /** @internal TTBR region of the VA (bit 55), -1 when stage 1 is disabled. */
  region = -1;
  /** @internal Output of stage 1 and of stage 2. */
  ipa = 0;
  /** @internal */
  pa = 0;
  /** @internal The stage-1 leaf (lo, hi) and its level; lo = hi = 0 when stage 1 is disabled. */
  leafLo = 0;
  /** @internal */
  leafHi = 0;
  /** @internal */
  leafLevel = 0;
  /** @internal Stage-1 permissions granted to the access's EL (S1_PERM_*), after the hierarchical ones and WXN. */
  s1Perms = 0;
  /** @internal APTable / PXNTable / UXNTable gathered on the way down. */
  apTable = 0;
  /** @internal */
  pxnTable = false;
  /** @internal */
  uxnTable = false;
  /** @internal The stage-1 memory attributes for the combine: MAIR byte and SH (see AArch64_S1DisabledOutput when disabled). */
  s1Attr = 0;
  /** @internal */
  s1Sh = 0;
  /** @internal AttrIndx of the leaf (-1 when stage 1 is disabled). */
  attrIndx = -1;
  /** @internal The IPA of the stage-1 leaf entry. */
  leafEntryIpa = 0;
  /** @internal S1_HW_AF | S1_HW_DIRTY: what the hardware wrote to the stage-1 leaf (leafLo is the value after). */
  hwUpdate = 0;
  /**
   * @internal
   * Stage 1 only (AArch64.AT with TranslationStage_1, AT S1E1R/W): the walk
   * stops at the output IPA, which is not translated by stage 2 (pa = ipa);
   * the stage-1 table walk still goes through stage 2, as it does for an AT.
   */
  s1Only = false;

  // ---- trace (tracing on: every stage-1 entry read, and a hook after every stage-2 walk) ----
  /** @internal */
  tracing = false;
  /** @internal */
  s2Hook: S2WalkHook | null = null;
  /** @internal */
  traceLen = 0;
  /** @internal */
  readonly trace = new Float64Array(MAX_S1_STEPS * S1_TRACE_STRIDE);

  /**
   * A nested walker: the guest's stage 1 (registers `cfg`, tables in `mem`)
   * over the stage-2 walker `s2`, or with stage 2 off (`s2` null: the PE's
   * PA size `paMax` then bounds the stage-1 output).
   */
  constructor(s2: S2Walker | null, mem: PhysMemory, cfg: GuestConfig, paMax?: number) {
    if (s2 !== null) checkInstance(s2, "s2", S2Walker, "an S2Walker (or null: stage 2 off)");
    else checkInt(paMax, "paMax", 32, 52, "the PE's PA size (stage 2 off)");
    checkInstance(mem, "mem", PhysMemory, "a GuestMemory or a memory image (PhysMemory)");
    const c = checkObject(cfg, "cfg");
    checkObject(c.tcr, "cfg.tcr");
    checkObject(c.sctlr, "cfg.sctlr");
    checkObject(c.hcr, "cfg.hcr");
    if (!(c.mair instanceof Uint8Array || Array.isArray(c.mair)) || (c.mair as ArrayLike<number>).length !== 8)
      throw new ArgumentError("cfg.mair", `${shown(c.mair)} is not the 8 MAIR_EL1 Attr bytes`);
    checkBigU64(c.ttbr0, "cfg.ttbr0");
    checkBigU64(c.ttbr1, "cfg.ttbr1");
    checkTcr(cfg.tcr, "cfg.tcr");
    this.s2 = s2;
    this.mem = mem;
    this.cfg = cfg;
    this.paMax = s2 !== null ? s2.pgt.geom.paBits : (paMax as number);
    this.lpa64 = this.paMax >= 52;
    const r0 = regionGeometry(cfg.tcr, 0);
    const r1 = regionGeometry(cfg.tcr, 1);
    this.regions = [r0, r1];
    this.oaBits = [s1OutputBits(cfg.tcr.ips, r0.granule, this.paMax), s1OutputBits(cfg.tcr.ips, r1.granule, this.paMax)];
    this.tableBase = [ttbrTableBase(cfg.ttbr0, r0, cfg.tcr.ips, this.paMax), ttbrTableBase(cfg.ttbr1, r1, cfg.tcr.ips, this.paMax)];
    this.s1Enabled = cfg.sctlr.m && !cfg.hcr.dc;
    for (const r of [r0, r1]) {
      for (let l = 0; l < 4; l++) this.levelSize[r.region * 4 + l] = 2 ** r.shifts[l];
      this.iaSpan[r.region] = 2 ** r.iaBits;
      this.oaLimit[r.region] = 2 ** this.oaBits[r.region];
      const top = r.tbi ? 55 : 63;
      this.rangeLo[r.region] = bitMask(r.iaBits, top, 0);
      this.rangeHi[r.region] = bitMask(r.iaBits, top, 32);
      this.offLo[r.region] = bitMask(this.paMax, top, 0);
      this.offHi[r.region] = bitMask(this.paMax, top, 32);
    }
  }

  /**
   * @internal
   * Translate the VA given as halves (vaLo = VA[31:0], vaHi = VA[63:32],
   * unsigned) for an access (ACCESS_READ / WRITE / EXEC) at EL `el` (0 or 1).
   * Returns FAULT_NONE with ipa, pa and the attributes set, or the FAULT_*
   * with faultStage, faultLevel, s1ptw, faultIpa set.
   */
  translate(vaLo: number, vaHi: number, access: number, el: number): number {
    // Once per call: the VA's two unsigned 32-bit halves, an access kind, an EL.
    if (!(
      typeof vaLo === "number" &&
      vaLo >>> 0 === vaLo &&
      typeof vaHi === "number" &&
      vaHi >>> 0 === vaHi &&
      (access === 0 || access === 1 || access === 2) &&
      (el === 0 || el === 1)
    )) {
      badTranslateArgs(vaLo, vaHi, access, el);
    }
    this.faultStage = STAGE_NONE;
    this.faultType = FAULT_NONE;
    this.faultLevel = 0;
    this.s1ptw = false;
    this.faultIpa = 0;
    this.s1Level = 0;
    this.faultWrite = access === ACCESS_WRITE;
    this.leafLo = 0;
    this.leafHi = 0;
    this.leafLevel = 0;
    this.attrIndx = -1;
    this.apTable = 0;
    this.pxnTable = false;
    this.uxnTable = false;
    this.s1Perms = S1_PERM_R | S1_PERM_W | S1_PERM_X;
    this.hwUpdate = 0;
    if (this.tracing) this.traceLen = 0;
    const region = (vaHi >>> 23) & 1; // VA[55] (AArch64_GetVARange)
    if (!this.s1Enabled) return this.disabled(vaLo, vaHi, region, access, el);
    this.region = region;
    const r = this.regions[region];
    // AArch64_VAIsOutOfRange: VA[addrtop : iasize] all zeros (TTBR0) or all ones (TTBR1).
    const want = region === 0 ? 0 : -1;
    if ((vaLo & this.rangeLo[region]) !== (want & this.rangeLo[region]) || (vaHi & this.rangeHi[region]) !== (want & this.rangeHi[region])) {
      return this.s1Fault(FAULT_TRANSLATION, 0);
    }
    // AArch64_S1Walk: EPDn.
    if (r.epd) return this.s1Fault(FAULT_TRANSLATION, 0);
    // The VA bits the walk indexes with, VA[iasize-1:0], as an exact double (iasize <= 48).
    const ia = this.iaSpan[region];
    const vaFull = (vaHi & 0xffff) * 4294967296 + (vaLo >>> 0);
    const va = vaFull - Math.floor(vaFull / ia) * ia;
    const oaLimit = this.oaLimit[region];
    const sizes = this.levelSize;
    const at = region * 4;
    let level = r.startLevel;
    let table = this.tableBase[region];
    let index = Math.floor(va / sizes[at + level]) & (r.rootEntries - 1);
    // The start-level entry address beyond the output size: Address size fault, level 0.
    if (table + index * 8 >= oaLimit) return this.s1Fault(FAULT_ADDRESS_SIZE, 0);
    const ptw = this.cfg.hcr.ptw;
    const s2 = this.s2;
    for (;;) {
      const entryIpa = table + index * 8;
      let entryPa = entryIpa;
      if (s2 !== null) {
        // AArch64_S2Translate of the table entry (AccessType_TTW).
        if (this.tracing) s2.tracing = true;
        const s2r = s2.translateS1Walk(entryIpa, ptw);
        if (this.tracing) {
          s2.tracing = false;
          this.record(level, table, index, entryIpa, s2r === FAULT_NONE ? s2.pa : -1, s2r);
          if (this.s2Hook !== null) this.s2Hook(entryIpa, level, s2r, S2_FOR_TABLE);
        }
        if (s2r !== FAULT_NONE) {
          this.s1Level = level;
          return this.s2Fault(s2r, s2.level, entryIpa, true);
        }
        entryPa = s2.pa;
      } else if (this.tracing) this.record(level, table, index, entryIpa, entryPa, FAULT_NONE);
      // A memory image that does not hold the entry: the walk's read fails (FetchDescriptor -> HandleExternalTTWAbort).
      if (!this.mem.read64(entryPa) && this.mem.image) return this.s1Fault(FAULT_EXTERNAL_WALK, level);
      const lo = this.mem.lo;
      const hi = this.mem.hi;
      if (this.tracing) this.recordDesc(lo, hi);
      // AArch64_DecodeDescriptorType.
      if ((lo & PTE_VALID_LO) === 0) return this.s1Fault(FAULT_TRANSLATION, level);
      if ((lo & PTE_TYPE_LO) !== 0 && level !== 3) {
        // Table: AArch64_S1NextWalkStateTable (hierarchical permissions unless HPD).
        if (!r.hpd) {
          this.apTable |= (hi & S1_APTABLE_HI) >>> S1_APTABLE_SHIFT_HI;
          if (hi & S1_PXNTABLE_HI) this.pxnTable = true;
          if (hi & S1_UXNTABLE_HI) this.uxnTable = true;
        }
        table = s1DescAddress(lo, hi, r.pageShift, this.lpa64);
        level++;
        index = Math.floor(va / sizes[at + level]) & ((1 << r.stride) - 1);
        // The next entry's address beyond the output size: Address size fault at this (the table descriptor's) level.
        if (table + index * 8 >= oaLimit) return this.s1Fault(FAULT_ADDRESS_SIZE, level - 1);
        continue;
      }
      if ((lo & PTE_TYPE_LO) === 0 && !blockDescSupported(r.granule, false, this.paMax, level)) return this.s1Fault(FAULT_TRANSLATION, level);
      // Leaf: AArch64_LeafBase + StageOA.
      const size = sizes[at + level];
      const base = s1DescAddress(lo, hi, r.pageShift, this.lpa64);
      const oa = Math.floor(base / size) * size + (va - Math.floor(va / size) * size);
      this.leafLo = lo >>> 0;
      this.leafHi = hi >>> 0;
      this.leafLevel = level;
      this.leafEntryIpa = entryIpa;
      this.attrIndx = (lo & S1_ATTRINDX_LO) >>> S1_ATTRINDX_SHIFT;
      this.s1Attr = this.cfg.mair[this.attrIndx];
      this.s1Sh = (lo & S1_SH_LO) >>> S1_SH_SHIFT;
      if (oa >= oaLimit) return this.s1Fault(FAULT_ADDRESS_SIZE, level);
      const tcr = this.cfg.tcr;
      if ((lo & S1_AF_LO) === 0 && !tcr.ha) return this.s1Fault(FAULT_ACCESS_FLAG, level);
      this.s1Perms = this.s1Permissions(lo, hi, el);
      const need = access === ACCESS_EXEC ? S1_PERM_X : access === ACCESS_WRITE ? S1_PERM_W : S1_PERM_R;
      if ((this.s1Perms & need) === 0) return this.s1Fault(FAULT_PERMISSION, level);
      // AArch64_S1Translate: the hardware updates of an access that did not fault.
      let newLo = lo;
      if (tcr.ha && (lo & S1_AF_LO) === 0) newLo |= S1_AF_LO;
      if (tcr.ha && tcr.hd && (hi & S1_DBM_HI) !== 0 && access === ACCESS_WRITE) newLo &= ~S1_AP_RO_LO;
      if (newLo !== lo && s2 === null) {
        // Stage 2 off: the update writes the entry at its PA.
        this.mem.write64(entryPa, newLo, hi);
        this.hwUpdate = ((newLo ^ lo) & S1_AF_LO ? S1_HW_AF : 0) | ((newLo ^ lo) & S1_AP_RO_LO ? S1_HW_DIRTY : 0);
        this.leafLo = newLo >>> 0;
      } else if (newLo !== lo && s2 !== null) {
        // The update writes the entry: stage 2 translates its IPA for a write first.
        if (this.tracing) s2.tracing = true;
        const u = s2.translateS1Walk(entryIpa, ptw, true);
        if (this.tracing) {
          s2.tracing = false;
          if (this.s2Hook !== null) this.s2Hook(entryIpa, level, u, S2_FOR_UPDATE);
        }
        if (u !== FAULT_NONE) {
          // WnR stays the access's (faultWrite, set at the start of the walk):
          // the walk is checked as a write, but the fault record is the access's.
          this.s1Level = level;
          return this.s2Fault(u, s2.level, entryIpa, true);
        }
        this.mem.write64(s2.pa, newLo, hi);
        this.hwUpdate = ((newLo ^ lo) & S1_AF_LO ? S1_HW_AF : 0) | ((newLo ^ lo) & S1_AP_RO_LO ? S1_HW_DIRTY : 0);
        this.leafLo = newLo >>> 0;
      }
      this.ipa = oa;
      this.s1Level = level;
      return this.stage2(access, el, level);
    }
  }

  /**
   * AArch64_S1DirectBasePermissions for the EL1&0 regime (FEAT_PAN, S1PIE and
   * S1POE not in use), then AArch64_S1ComputePermissions' WXN.
   */
  private s1Permissions(lo: number, hi: number, el: number): number {
    const el0 = (lo & S1_AP_EL0_LO) !== 0;
    // AArch64_S1ApplyOutputPerms: with HA and HD, DBM makes the leaf writable (AP[2] taken as 0).
    const tcr = this.cfg.tcr;
    const ro = (lo & S1_AP_RO_LO) !== 0 && !(tcr.ha && tcr.hd && (hi & S1_DBM_HI) !== 0);
    let pw = !ro;
    let ur = el0;
    let uw = el0 && !ro;
    if (this.apTable & APTABLE_NO_EL0) {
      ur = false;
      uw = false;
    }
    if (this.apTable & APTABLE_NO_WRITE) {
      pw = false;
      uw = false;
    }
    // EL0-writable memory is never executable at EL1.
    const px = !((hi & S1_PXN_HI) !== 0 || this.pxnTable || uw);
    const ux = !((hi & S1_UXN_HI) !== 0 || this.uxnTable);
    const r = el === 0 ? ur : true;
    const w = el === 0 ? uw : pw;
    let x = el === 0 ? ux : px;
    if (this.cfg.sctlr.wxn && w && x) x = false;
    return (r ? S1_PERM_R : 0) | (w ? S1_PERM_W : 0) | (x ? S1_PERM_X : 0);
  }

  /** AArch64_S1DisabledOutput, then stage 2. */
  private disabled(vaLo: number, vaHi: number, region: number, access: number, el: number): number {
    this.region = -1;
    if ((vaLo & this.offLo[region]) !== 0 || (vaHi & this.offHi[region]) !== 0) return this.s1Fault(FAULT_ADDRESS_SIZE, 0);
    this.ipa = (vaHi & 0xfffff) * 4294967296 + (vaLo >>> 0);
    this.s1Perms = S1_PERM_R | S1_PERM_W | S1_PERM_X;
    if (this.cfg.hcr.dc) {
      // Normal WB, Non-shareable: the combine's HCR_EL2.DC option replaces these (they are not used).
      this.s1Attr = 0xff;
      this.s1Sh = 0;
    } else if (access === ACCESS_EXEC) {
      this.s1Attr = this.cfg.sctlr.i ? DISABLED_IFETCH_WT_ATTR : DISABLED_IFETCH_NC_ATTR;
      this.s1Sh = SH_OSH;
    } else {
      this.s1Attr = DISABLED_DATA_ATTR;
      this.s1Sh = SH_OSH;
    }
    return this.stage2(access, el, 0);
  }

  /** AArch64_S2Translate of the output IPA for the access itself (not for a stage-1-only walk: AT S1E1*). */
  private stage2(access: number, el: number, s1Level: number): number {
    if (this.s1Only) {
      this.pa = this.ipa;
      return FAULT_NONE;
    }
    const s2 = this.s2;
    if (s2 === null) {
      // Stage 2 off: the PA is the IPA.
      this.pa = this.ipa;
      return FAULT_NONE;
    }
    if (this.tracing) s2.tracing = true;
    const r = s2.translate(this.ipa, access, el);
    if (this.tracing) {
      s2.tracing = false;
      if (this.s2Hook !== null) this.s2Hook(this.ipa, s1Level, r, S2_FOR_OUTPUT);
    }
    if (r !== FAULT_NONE) return this.s2Fault(r, s2.level, this.ipa, false);
    this.pa = s2.pa;
    return FAULT_NONE;
  }

  private s1Fault(type: number, level: number): number {
    this.faultStage = STAGE_1;
    this.faultType = type;
    this.faultLevel = level;
    this.s1Level = level;
    return type;
  }

  private s2Fault(type: number, level: number, ipa: number, s1ptw: boolean): number {
    this.faultStage = STAGE_2;
    this.faultType = type;
    this.faultLevel = level;
    this.faultIpa = ipa;
    this.s1ptw = s1ptw;
    return type;
  }

  private record(level: number, table: number, index: number, entryIpa: number, entryPa: number, s2r: number): void {
    if (this.traceLen >= MAX_S1_STEPS) return;
    const t = this.trace;
    const at = this.traceLen * S1_TRACE_STRIDE;
    t[at] = level;
    t[at + 1] = table;
    t[at + 2] = index;
    t[at + 3] = entryIpa;
    t[at + 4] = entryPa;
    t[at + 5] = 0;
    t[at + 6] = 0;
    t[at + 7] = s2r;
    this.traceLen++;
  }

  private recordDesc(lo: number, hi: number): void {
    const at = (this.traceLen - 1) * S1_TRACE_STRIDE;
    this.trace[at + 5] = lo >>> 0;
    this.trace[at + 6] = hi >>> 0;
  }
}

/** Bits [top : from] of a 64-bit value, restricted to the 32-bit half starting at bit `base` (0 or 32). */
function bitMask(from: number, top: number, base: number): number {
  let m = 0;
  for (let b = Math.max(from, base); b <= Math.min(top, base + 31); b++) m |= 1 << (b - base);
  return m | 0;
}

/** The ArgumentError for NestedWalker.translate()'s arguments. */
function badTranslateArgs(vaLo: unknown, vaHi: unknown, access: unknown, el: unknown): never {
  if (!(typeof vaLo === "number" && vaLo >>> 0 === vaLo)) throw new ArgumentError("vaLo", `${shown(vaLo)} is not VA[31:0] (an unsigned 32-bit integer)`);
  if (!(typeof vaHi === "number" && vaHi >>> 0 === vaHi)) throw new ArgumentError("vaHi", `${shown(vaHi)} is not VA[63:32] (an unsigned 32-bit integer)`);
  if (!(access === 0 || access === 1 || access === 2))
    throw new ArgumentError("access", `${shown(access)} is not ACCESS_READ (0), ACCESS_WRITE (1) or ACCESS_EXEC (2)`);
  throw new ArgumentError("el", `${shown(el)} is not 0 or 1 (the EL1&0 regime)`);
}
