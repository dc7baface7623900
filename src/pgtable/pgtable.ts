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
 *   - a descriptor is read as two unsigned 32-bit halves from the arena;
 *   - addresses are exact doubles (< 2^53; the API edge keeps them < 2^52);
 *   - the kernel's stack-allocated structs (kvm_pgtable_walk_data,
 *     kvm_pgtable_visit_ctx, stage2_map_data, stage2_attr_data, ...) are
 *     fields of this object, set before each callback; a walk nested inside a
 *     callback (create_unlinked during split) saves and restores them;
 *   - the visitor is chosen with a switch on a small integer, not a closure.
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
  LEAF_ATTR_HI,
  LEAF_ATTR_LO,
  initInvalidLeafOwnerLo,
  initTablePteLo,
  initValidLeafPteHi,
  initValidLeafPteLo,
  physToPteHi,
  pteCacheable,
  pteExecutable,
  pteIsLocked,
  pteToPhys,
  s2MemAttrNormal,
  stage2PteProt,
  stage2SetProtAttr,
  type PteFormat,
} from "./descriptor.js";
import { EV_DCACHE, EV_ICACHE, EV_TLBI_IPA, EV_TLBI_IPA_NSH, EV_TLBI_RANGE, EV_TLBI_VMID, MAX_TLBI_RANGE_PAGES, MaintenanceLog } from "./events.js";
import { stage2Geometry, type Geometry, type Stage2Config } from "./geometry.js";
import { TableStore, type StorageOptions } from "./storage.js";
import { alignDown, isAligned } from "./u64.js";

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

/** Called with every descriptor store, for invariant checkers (break-before-make). Not set on hot paths. */
export type StoreHook = (page: number, index: number, oldLo: number, oldHi: number, newLo: number, newHi: number) => void;

export class KvmPgtable {
  readonly config: Stage2Config;
  readonly geom: Geometry;
  readonly fmt: PteFormat;
  readonly store: TableStore;
  readonly log = new MaintenanceLog();
  /** Kernel WARN_ON()s that fired (the conformance oracle had none). */
  readonly warnings: string[] = [];
  readonly fwb: boolean;
  readonly tlbRange: boolean;
  readonly iaLimit: number;
  readonly startLevel: number;
  readonly ptrsPerPte: number;
  readonly pageSize: number;
  /** First root page (pgt->pgd); the pgdPages root pages are contiguous from it. */
  readonly pgd: number;
  /** Optional observer of every descriptor store (tests and the fuzzer). */
  storeHook: StoreHook | null = null;

  /** kvm_granule_size(level), indexed by level + 1. */
  private readonly gran: Float64Array;
  /** 1 / kvm_granule_size(level) (exact: a power of two), indexed by level + 1. */
  private readonly invGran: Float64Array;
  /** Index into gran/invGran of the last level (one page). */
  private readonly pageLevel = KVM_PGTABLE_LAST_LEVEL + 1;
  private readonly idxMask: number;
  private readonly minBlockLevel: number;
  private readonly normalMemattrLo: number;

  // struct kvm_pgtable_walk_data
  private wStart = 0;
  private wAddr = 0;
  private wEnd = 0;
  // struct kvm_pgtable_walker
  private wCb = 0;
  private wFlags = 0;
  // struct kvm_pgtable_visit_ctx (ptep = entry `cIdx` of page `cPage`)
  private cTbl: Uint32Array = new Uint32Array(0);
  private cOff = 0;
  private cPage = 0;
  private cOldLo = 0;
  private cOldHi = 0;
  private cAddr = 0;
  private cLevel = 0;
  // struct stage2_map_data
  private mPhys = 0;
  private mAttrLo = 0;
  private mAttrHi = 0;
  private mOwnerId = 0;
  private mForcePte = false;
  private mAnnotation = false;
  // struct stage2_attr_data
  private aSetLo = 0;
  private aSetHi = 0;
  private aClrLo = 0;
  private aClrHi = 0;
  private aLevel = 0;
  // struct stage2_age_data
  private gMkold = false;
  private gYoung = false;
  // struct leaf_walk_data
  private lPteLo = 0;
  private lPteHi = 0;
  private lLevel = 0;
  private readonly attrScratch = new Uint32Array(2);

  /** Result of the last successful getLeaf(): the descriptor halves and level. */
  leafLo = 0;
  leafHi = 0;
  leafLevel = 0;

  /**
   * __kvm_pgtable_stage2_init() for a guest: flags 0 (or KVM_PGTABLE_S2_NOFWB
   * when `fwb` is false), no force_pte_cb. Throws InputError for a geometry
   * the kernel refuses.
   */
  constructor(config: Stage2Config, storage: StorageOptions = {}) {
    this.config = { ...config };
    this.geom = stage2Geometry(config);
    this.fmt = this.geom.format;
    this.fwb = config.fwb;
    this.tlbRange = config.tlbRange;
    this.iaLimit = 2 ** config.iaBits;
    this.startLevel = this.geom.startLevel;
    this.ptrsPerPte = this.geom.ptrsPerPte;
    this.pageSize = this.geom.granule;
    this.idxMask = this.ptrsPerPte - 1;
    this.minBlockLevel = this.geom.minBlockLevel;
    this.normalMemattrLo = s2MemAttrNormal(this.fwb) << S2_MEMATTR_SHIFT;
    this.gran = new Float64Array(5);
    this.invGran = new Float64Array(5);
    for (let l = -1; l <= 3; l++) {
      this.gran[l + 1] = 2 ** this.geom.shifts[l + 1];
      this.invGran[l + 1] = 2 ** -this.geom.shifts[l + 1];
    }
    this.store = new TableStore(config.granule, config.paBits, storage);
    this.pgd = this.store.zallocPagesExact(this.geom.pgdPages);
  }

  // ------------------------------------------------------------------------------
  // Descriptor access
  // ------------------------------------------------------------------------------

  /** The page a table descriptor points at (kvm_pte_follow). */
  private follow(lo: number, hi: number): number {
    return (pteToPhys(this.fmt, lo, hi) - this.store.basePa) / this.pageSize;
  }

  /** Store a descriptor into the visited entry (WRITE_ONCE / smp_store_release). */
  private setPte(lo: number, hi: number): void {
    if (this.storeHook !== null) {
      const t = this.cTbl;
      const o = this.cOff;
      this.storeHook(this.cPage, (o - this.store.pageOffset(this.cPage)) >>> 1, t[o], t[o + 1], lo, hi);
    }
    this.cTbl[this.cOff] = lo;
    this.cTbl[this.cOff + 1] = hi;
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
    const page = this.pageSize;
    const inv = this.invGran[this.pageLevel];
    const start = Math.floor(addr * inv) * page;
    const end = Math.ceil((start + size) * inv) * page;
    this.wStart = start;
    this.wAddr = start;
    this.wEnd = end;
    this.wCb = cb;
    this.wFlags = flags;
    return this.walkPgd();
  }

  /** _kvm_pgtable_walk(): range check, then each concatenated root page in turn. */
  private walkPgd(): number {
    const limit = this.iaLimit;
    if (this.wAddr > limit || this.wEnd > limit) return -ERANGE;
    // kvm_pgd_page_idx(): (addr & (BIT(ia_bits) - 1)) >> kvm_granule_shift(start_level - 1);
    // addr <= limit here, and addr == limit walks nothing.
    let idx = Math.floor(this.wAddr * this.invGran[this.startLevel]);
    let ret = 0;
    for (; this.wAddr < this.wEnd; ++idx) {
      ret = this.walkTable(this.pgd + idx, this.startLevel);
      if (ret) break;
    }
    return ret;
  }

  /** __kvm_pgtable_walk(): the entries of one table page from the current address on. */
  private walkTable(page: number, level: number): number {
    if (level < -1 || level > KVM_PGTABLE_LAST_LEVEL) {
      this.warn(`__kvm_pgtable_walk at level ${level}`);
      return -EINVAL;
    }
    const store = this.store;
    const tbl = store.chunkOf(page);
    const base = store.pageOffset(page);
    const ptrs = this.ptrsPerPte;
    let ret = 0;
    // kvm_pgtable_idx(): (addr >> kvm_granule_shift(level)) & (PTRS_PER_PTE - 1)
    for (let idx = Math.floor(this.wAddr * this.invGran[level + 1]) & this.idxMask; idx < ptrs; ++idx) {
      if (this.wAddr >= this.wEnd) break;
      ret = this.visit(tbl, base + (idx << 1), page, level);
      if (ret) break;
    }
    return ret;
  }

  /** __kvm_pgtable_visit(). */
  private visit(tbl: Uint32Array, off: number, page: number, level: number): number {
    const flags = this.wFlags;
    let oldLo = tbl[off];
    let oldHi = tbl[off + 1];
    const addr = this.wAddr;
    let table = level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS;
    let ret = 0;
    let reload = false;

    if (table && (flags & WALK_TABLE_PRE) !== 0) {
      this.setCtx(tbl, off, page, oldLo, oldHi, addr, level);
      ret = this.callback(WALK_TABLE_PRE);
      reload = true;
    }
    if (!table && (flags & WALK_LEAF) !== 0) {
      this.setCtx(tbl, off, page, oldLo, oldHi, addr, level);
      ret = this.callback(WALK_LEAF);
      reload = true;
    }
    // Re-read the entry so that the walk descends into a table a callback installed.
    if (reload) {
      oldLo = tbl[off];
      oldHi = tbl[off + 1];
      table = level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS;
    }
    if (this.walkContinue(ret)) {
      if (!table) {
        const gran = this.gran[level + 1];
        this.wAddr = Math.floor(this.wAddr * this.invGran[level + 1]) * gran + gran;
      } else {
        ret = this.walkTable(this.follow(oldLo, oldHi), level + 1);
        if (this.walkContinue(ret) && (flags & WALK_TABLE_POST) !== 0) {
          this.setCtx(tbl, off, page, oldLo, oldHi, addr, level);
          ret = this.callback(WALK_TABLE_POST);
        }
      }
    }
    return this.walkContinue(ret) ? 0 : ret;
  }

  private setCtx(tbl: Uint32Array, off: number, page: number, oldLo: number, oldHi: number, addr: number, level: number): void {
    this.cTbl = tbl;
    this.cOff = off;
    this.cPage = page;
    this.cOldLo = oldLo;
    this.cOldHi = oldHi;
    this.cAddr = addr;
    this.cLevel = level;
  }

  /** walker->cb(ctx, visit). */
  private callback(visit: number): number {
    switch (this.wCb) {
      case CB_MAP:
        return visit === WALK_TABLE_PRE ? this.stage2MapWalkTablePre() : visit === WALK_LEAF ? this.stage2MapWalkLeaf() : -EINVAL;
      case CB_LEAF:
        this.lPteLo = this.cOldLo;
        this.lPteHi = this.cOldHi;
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
  // Break-before-make primitives and TLB maintenance
  // ------------------------------------------------------------------------------

  /** kvm_tlb_flush_vmid_range(mmu, addr, size). */
  private tlbFlushVmidRange(addr: number, size: number): void {
    if (!this.tlbRange) {
      this.log.push(EV_TLBI_VMID, 0, 0);
      return;
    }
    let pages = Math.floor(size / this.pageSize);
    while (pages > 0) {
      const n = pages < MAX_TLBI_RANGE_PAGES ? pages : MAX_TLBI_RANGE_PAGES;
      this.log.push(EV_TLBI_RANGE, addr, n);
      addr += n * this.pageSize;
      pages -= n;
    }
  }

  /** stage2_try_break_pte(ctx, mmu): the first half of break-before-make. */
  private stage2TryBreakPte(): boolean {
    const oldLo = this.cOldLo;
    const oldHi = this.cOldHi;
    if (pteIsLocked(oldLo)) {
      if (!(this.wFlags & WALK_SHARED)) this.warn("stage2_try_break_pte on a locked entry outside a shared walk");
      return false;
    }
    // stage2_try_set_pte(ctx, KVM_INVALID_PTE_LOCKED): the model has no
    // concurrent walker, so the compare-and-swap of a SHARED walk always succeeds.
    this.setPte(INVALID_PTE_LOCKED_LO, 0);
    if (!(this.wFlags & WALK_SKIP_BBM_TLBI)) {
      const level = this.cLevel;
      if (level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS) {
        const size = this.gran[level + 1];
        this.tlbFlushVmidRange(alignDown(this.cAddr, size), size);
      } else if (oldLo & PTE_VALID_LO) {
        this.log.push(EV_TLBI_IPA, this.cAddr, level);
      }
    }
    if ((oldLo | oldHi) !== 0) this.store.putPage(this.cPage);
    return true;
  }

  /** stage2_make_pte(ctx, new): the second half of break-before-make. */
  private stage2MakePte(newLo: number, newHi: number): void {
    if (!pteIsLocked(this.cTbl[this.cOff])) this.warn("stage2_make_pte on an entry that is not locked");
    if ((newLo | newHi) !== 0) this.store.getPage(this.cPage);
    this.setPte(newLo, newHi);
  }

  // ------------------------------------------------------------------------------
  // map / set_owner / create_unlinked: stage2_map_walker
  // ------------------------------------------------------------------------------

  /** kvm_block_mapping_supported(ctx, phys). */
  private blockMappingSupported(phys: number): boolean {
    const level = this.cLevel;
    const gran = this.gran[level + 1];
    if (level < this.minBlockLevel) return false;
    if (gran > this.wEnd - this.cAddr) return false;
    if (!isAligned(phys, gran)) return false;
    return isAligned(this.cAddr, gran);
  }

  /** stage2_leaf_mapping_allowed(ctx, data). */
  private stage2LeafMappingAllowed(): boolean {
    if (this.mForcePte && this.cLevel < KVM_PGTABLE_LAST_LEVEL) return false;
    if (this.mAnnotation) return true;
    return this.blockMappingSupported(this.mPhys + (this.cAddr - this.wStart));
  }

  /** stage2_map_walker_try_leaf(ctx, data). */
  private stage2MapWalkerTryLeaf(): number {
    if (!this.stage2LeafMappingAllowed()) return -E2BIG;
    const level = this.cLevel;
    const oldLo = this.cOldLo;
    const oldHi = this.cOldHi;
    let newLo: number;
    let newHi: number;
    let phys = 0;
    if (!this.mAnnotation) {
      phys = this.mPhys + (this.cAddr - this.wStart);
      newLo = initValidLeafPteLo(this.fmt, phys, this.mAttrLo, level);
      newHi = initValidLeafPteHi(this.fmt, phys, this.mAttrHi);
    } else {
      newLo = initInvalidLeafOwnerLo(this.mOwnerId);
      newHi = 0;
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
        if (oldCounted) this.store.putPage(this.cPage);
        else this.store.getPage(this.cPage);
      }
      this.setPte(newLo, newHi);
      return 0;
    }

    if (!this.stage2TryBreakPte()) return -EAGAIN;

    // CMOs before the new entry is visible (Device and Normal-NC never get them).
    if (!(this.wFlags & WALK_SKIP_CMO)) {
      const gran = this.gran[level + 1];
      if ((newLo & PTE_VALID_LO) !== 0 && (newLo & S2_MEMATTR_LO) === this.normalMemattrLo) {
        this.log.push(EV_DCACHE, pteToPhys(this.fmt, newLo, newHi), gran);
      }
      if ((newLo & PTE_VALID_LO) !== 0 && (newHi & S2_XN_HI) === 0) {
        this.log.push(EV_ICACHE, pteToPhys(this.fmt, newLo, newHi), gran);
      }
    }
    this.stage2MakePte(newLo, newHi);
    return 0;
  }

  /** stage2_map_walk_table_pre(): a block replacing a whole table. */
  private stage2MapWalkTablePre(): number {
    const child = this.follow(this.cOldLo, this.cOldHi);
    if (!this.stage2LeafMappingAllowed()) return 0;
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
    const child = this.store.zallocPage();
    if (child < 0) return -ENOMEM;
    if (!this.stage2TryBreakPte()) {
      this.store.putPage(child);
      return -EAGAIN;
    }
    const pa = this.store.pagePa(child);
    this.stage2MakePte(initTablePteLo(this.fmt, pa), physToPteHi(this.fmt, pa));
    return 0;
  }

  // ------------------------------------------------------------------------------
  // unmap
  // ------------------------------------------------------------------------------

  /** stage2_unmap_walker() with stage2_unmap_put_pte(). */
  private stage2UnmapWalker(): number {
    const oldLo = this.cOldLo;
    const oldHi = this.cOldHi;
    const level = this.cLevel;
    if (!(oldLo & PTE_VALID_LO)) {
      if ((oldLo | oldHi) !== 0) {
        this.setPte(0, 0);
        this.store.putPage(this.cPage);
      }
      return 0;
    }
    let child = -1;
    let needFlush = false;
    const isTable = level !== KVM_PGTABLE_LAST_LEVEL && (oldLo & TABLE_BITS) === TABLE_BITS;
    if (isTable) {
      child = this.follow(oldLo, oldHi);
      if (this.store.pageCount(child) !== 1) return 0;
    } else if ((oldLo & S2_MEMATTR_LO) === this.normalMemattrLo) {
      needFlush = !this.fwb;
    }
    // stage2_unmap_put_pte()
    this.setPte(0, 0);
    if (isTable) this.log.push(EV_TLBI_IPA, this.cAddr, TLBI_TTL_UNKNOWN);
    else if (!this.unmapDeferTlbFlush()) this.log.push(EV_TLBI_IPA, this.cAddr, level);
    this.store.putPage(this.cPage);

    if (needFlush) this.log.push(EV_DCACHE, pteToPhys(this.fmt, oldLo, oldHi), this.gran[level + 1]);
    if (child >= 0) this.store.putPage(child);
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
    const oldLo = this.cOldLo;
    const oldHi = this.cOldHi;
    if (!(oldLo & PTE_VALID_LO)) return -EAGAIN;
    this.aLevel = this.cLevel;
    const newLo = ((oldLo & ~this.aClrLo) | this.aSetLo) >>> 0;
    const newHi = ((oldHi & ~this.aClrHi) | this.aSetHi) >>> 0;
    if (newLo !== oldLo || newHi !== oldHi) {
      // Invalidate the icache before the entry becomes executable.
      if (pteExecutable(newLo, newHi) && !pteExecutable(oldLo, oldHi)) {
        this.log.push(EV_ICACHE, pteToPhys(this.fmt, newLo, newHi), this.gran[this.cLevel + 1]);
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
    this.aSetLo = setLo & LEAF_ATTR_LO;
    this.aSetHi = (setHi & LEAF_ATTR_HI) >>> 0;
    this.aClrLo = clrLo & LEAF_ATTR_LO;
    this.aClrHi = (clrHi & LEAF_ATTR_HI) >>> 0;
    this.aLevel = 0;
    return this.walk(addr, size, CB_ATTR, flags | WALK_LEAF);
  }

  /** stage2_age_walker(). */
  private stage2AgeWalker(): number {
    const oldLo = this.cOldLo;
    const newLo = (oldLo & ~S2_AF_LO) >>> 0;
    if (!(oldLo & PTE_VALID_LO) || newLo === oldLo) return 0;
    this.gYoung = true;
    if (this.gMkold) this.setPte(newLo, this.cOldHi);
    return 0;
  }

  /** stage2_flush_walker(). */
  private stage2FlushWalker(): number {
    if (!pteCacheable(this.cOldLo, this.fwb)) return 0;
    this.log.push(EV_DCACHE, pteToPhys(this.fmt, this.cOldLo, this.cOldHi), this.gran[this.cLevel + 1]);
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
    const oldLo = this.cOldLo;
    const oldHi = this.cOldHi;
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
    const prot = stage2PteProt(oldLo, oldHi);
    const child = this.createUnlinked(phys, level, prot, forcePte);
    if (child < 0) return child;
    if (!this.stage2TryBreakPte()) {
      this.stage2FreeUnlinked(child, level);
      return -EAGAIN;
    }
    const pa = this.store.pagePa(child);
    this.stage2MakePte(initTablePteLo(this.fmt, pa), physToPteHi(this.fmt, pa));
    return 0;
  }

  /**
   * kvm_pgtable_stage2_create_unlinked(pgt, phys, level, prot, mc, force_pte):
   * a detached table mapping gran(level) bytes at `phys`, built by the map
   * walker with SKIP_BBM_TLBI | SKIP_CMO. Returns the page, or a negative errno.
   * Runs as a walk nested in the caller's callback, so it saves and restores
   * the walk and visit state around itself.
   */
  createUnlinked(phys: number, level: number, prot: number, forcePte: boolean): number {
    const gran = this.gran[level + 1];
    if (!isAligned(phys, gran)) return -EINVAL;
    const attr = this.attrScratch;
    const r = stage2SetProtAttr(prot, this.fwb, this.fmt.lpa2, attr);
    if (r) return r;
    const table = this.store.zallocPage();
    if (table < 0) return -ENOMEM;

    // Save the enclosing walk (kvm_pgtable_walk_data, walker, visit ctx).
    const sStart = this.wStart, sAddr = this.wAddr, sEnd = this.wEnd, sCb = this.wCb, sFlags = this.wFlags;
    const sTbl = this.cTbl, sOff = this.cOff, sPage = this.cPage, sOldLo = this.cOldLo, sOldHi = this.cOldHi;
    const sCAddr = this.cAddr, sLevel = this.cLevel;

    this.mPhys = phys;
    this.mAttrLo = attr[0];
    this.mAttrHi = attr[1];
    this.mForcePte = forcePte;
    this.mAnnotation = false;
    this.mOwnerId = 0;
    this.wStart = 0;
    this.wAddr = 0;
    this.wEnd = gran;
    this.wCb = CB_MAP;
    this.wFlags = WALK_LEAF | WALK_SKIP_BBM_TLBI | WALK_SKIP_CMO;
    const ret = this.walkTable(table, level + 1);

    this.wStart = sStart; this.wAddr = sAddr; this.wEnd = sEnd; this.wCb = sCb; this.wFlags = sFlags;
    this.cTbl = sTbl; this.cOff = sOff; this.cPage = sPage; this.cOldLo = sOldLo; this.cOldHi = sOldHi;
    this.cAddr = sCAddr; this.cLevel = sLevel;

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
    const lo = this.cOldLo;
    const hi = this.cOldHi;
    if ((lo | hi) === 0) return 0;
    this.store.putPage(this.cPage);
    if (this.cLevel !== KVM_PGTABLE_LAST_LEVEL && (lo & TABLE_BITS) === TABLE_BITS) this.store.putPage(this.follow(lo, hi));
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
        const child = this.follow(lo, hi);
        this.stage2FreeUnlinked(child, childLevel);
        // The recursion ends with the child's last reference dropped: mirror the POST visit's put_page(childp).
        store.putPage(table);
      } else {
        store.putPage(table);
      }
    }
    if (store.pageCount(table) !== 1) this.warn(`kvm_pgtable_stage2_free_unlinked: page_count ${store.pageCount(table)} != 1`);
    store.putPage(table);
  }

  // ------------------------------------------------------------------------------
  // The entry points (kvm_pgtable_stage2_*)
  // ------------------------------------------------------------------------------

  /**
   * kvm_pgtable_stage2_map(pgt, addr, size, phys, prot, mc, flags). The
   * memory cache is the store's (`store.memcache`). Returns 0 or a negative errno.
   */
  map(addr: number, size: number, phys: number, prot: number, flags: number): number {
    const attr = this.attrScratch;
    const r = stage2SetProtAttr(prot, this.fwb, this.fmt.lpa2, attr);
    if (r) return r;
    this.mPhys = alignDown(phys, this.pageSize);
    this.mAttrLo = attr[0];
    this.mAttrHi = attr[1];
    this.mOwnerId = 0;
    this.mForcePte = false;
    this.mAnnotation = false;
    return this.walk(addr, size, CB_MAP, flags | WALK_TABLE_PRE | WALK_LEAF);
  }

  /** kvm_pgtable_stage2_set_owner(pgt, addr, size, mc, owner_id). */
  setOwner(addr: number, size: number, ownerId: number): number {
    if (ownerId > KVM_MAX_OWNER_ID) return -EINVAL;
    this.mPhys = 0;
    this.mAttrLo = 0;
    this.mAttrHi = 0;
    this.mOwnerId = ownerId;
    this.mForcePte = true;
    this.mAnnotation = true;
    return this.walk(addr, size, CB_MAP, WALK_TABLE_PRE | WALK_LEAF);
  }

  /** kvm_pgtable_stage2_unmap(pgt, addr, size). */
  unmap(addr: number, size: number): number {
    const ret = this.walk(addr, size, CB_UNMAP, WALK_LEAF | WALK_TABLE_POST);
    // The deferred TLB invalidation covers the range as passed.
    if (this.unmapDeferTlbFlush()) this.tlbFlushVmidRange(addr, size);
    return ret;
  }

  /** kvm_pgtable_stage2_wrprotect(pgt, addr, size). */
  wrprotect(addr: number, size: number): number {
    return this.stage2UpdateLeafAttrs(addr, size, 0, 0, S2AP_W_LO, 0, 0);
  }

  /** kvm_pgtable_stage2_mkyoung(pgt, addr, flags): void in this kernel. */
  mkyoung(addr: number, flags: number): void {
    this.stage2UpdateLeafAttrs(addr, 1, S2_AF_LO, 0, 0, 0, flags);
  }

  /** kvm_pgtable_stage2_test_clear_young(pgt, addr, size, mkold). */
  testClearYoung(addr: number, size: number, mkold: boolean): boolean {
    this.gMkold = mkold;
    this.gYoung = false;
    const r = this.walk(addr, size, CB_AGE, WALK_LEAF);
    if (r) this.warn(`kvm_pgtable_stage2_test_clear_young: walk returned ${r}`);
    return this.gYoung;
  }

  /** kvm_pgtable_stage2_relax_perms(pgt, addr, prot, flags). */
  relaxPerms(addr: number, prot: number, flags: number): number {
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

  /** kvm_pgtable_stage2_flush(pgt, addr, size). */
  flush(addr: number, size: number): number {
    if (this.fwb) return 0;
    return this.walk(addr, size, CB_FLUSH, WALK_LEAF);
  }

  /** kvm_pgtable_stage2_split(pgt, addr, size, mc): mc is the store's memory cache. */
  split(addr: number, size: number): number {
    return this.walk(addr, size, CB_SPLIT, WALK_LEAF);
  }

  /**
   * kvm_pgtable_get_leaf(pgt, addr, &pte, &level): on success (0) the entry
   * is in leafLo/leafHi/leafLevel.
   */
  getLeaf(addr: number): number {
    const ret = this.walk(alignDown(addr, this.pageSize), this.pageSize, CB_LEAF, WALK_LEAF);
    if (!ret) {
      this.leafLo = this.lPteLo;
      this.leafHi = this.lPteHi;
      this.leafLevel = this.lLevel;
    }
    return ret;
  }

  /**
   * kvm_pgtable_stage2_destroy(): drop every reference with the free walker,
   * then free the PGD pages. Afterwards the store holds no page.
   */
  destroy(): void {
    const r = this.walk(0, this.iaLimit, CB_FREE, WALK_LEAF | WALK_TABLE_POST);
    if (r) this.warn(`kvm_pgtable_stage2_destroy: walk returned ${r}`);
    for (let i = 0; i < this.geom.pgdPages; i++) {
      while (this.store.pageCount(this.pgd + i) > 0) this.store.putPage(this.pgd + i);
    }
  }

  // ------------------------------------------------------------------------------
  // Read-only views (dump, checks)
  // ------------------------------------------------------------------------------

  /** The descriptor halves of entry `index` of table page `page`. */
  entryLo(page: number, index: number): number {
    return this.store.chunkOf(page)[this.store.pageOffset(page) + 2 * index];
  }
  entryHi(page: number, index: number): number {
    return this.store.chunkOf(page)[this.store.pageOffset(page) + 2 * index + 1];
  }
  /** The table page a table descriptor points at. */
  childPage(lo: number, hi: number): number {
    return this.follow(lo, hi);
  }
  /** kvm_granule_size(level). */
  granuleSize(level: number): number {
    return this.gran[level + 1];
  }
  /** Whether a (lo) descriptor at `level` is a table entry (kvm_pte_table). */
  isTable(lo: number, level: number): boolean {
    return level !== KVM_PGTABLE_LAST_LEVEL && (lo & TABLE_BITS) === TABLE_BITS;
  }
}
