/**
 * A deliberately simple reference model of what a stage-2 table holds,
 * written from the kernel's documented semantics (kernel-reference.md §4-5,
 * conformance NOTES.md) and NOT from pgtable.ts: no descriptors, no walker,
 * no refcount arithmetic. It is what the property tests and the fuzzer
 * compare the model of pgtable.c against after every operation.
 *
 * State
 *   leaves  Map from (level, first IPA) to a RefLeaf: a block, a page, or an
 *           owner annotation (an invalid level-3 entry). A page's translation
 *           is the leaf of the one level whose slot contains it.
 *   tables  Set of (level, first IPA) of every table page below the roots;
 *           `level` is the level of its entries, its span gran(level - 1).
 *   counts  Map from a table (or root page) to how many of its entries are
 *           non-zero: maintained by the four mutators only, it predicts
 *           page_count() - 1 (NOTES.md item 1) without reading the table.
 *
 * Semantics encoded (each op method names its kernel entry point):
 *   - the walk range: start = ALIGN_DOWN(addr, PAGE_SIZE), end = PAGE_ALIGN(start + size);
 *     start or end beyond 2^ia_bits -> -ERANGE, nothing done (NOTES 11);
 *   - map puts each leaf at the shallowest level whose size fits and to
 *     which IPA and PA are aligned (kvm_block_mapping_supported); a block on
 *     the way down is replaced by a new empty table and the rest of the block
 *     is gone (NOTES 6); a leaf over a table frees the whole subtree (NOTES 5);
 *     the same leaf, or one differing only in S2AP/XN, is left alone and
 *     gives -EAGAIN, which stops the map only under HANDLE_FAULT (NOTES 2);
 *   - a table page is taken from the memory cache and the host cap for each
 *     new table, in walk order; none left -> -ENOMEM where it happens,
 *     nothing undone, a block that needed the table stays (NOTES 15);
 *   - unmap removes every leaf or annotation touching the range (whole
 *     blocks, NOTES 7) and frees the tables it visits that end up empty;
 *   - split rebuilds a block as pages with the same PA, R/W/X and SW bits,
 *     Normal memory and AF set (NOTES 8), counting cache pages first;
 *   - set_owner forces page granularity (NOTES 9); owner 0 clears;
 *   - wrprotect clears W, relax_perms adds R/W/X, mkyoung sets AF,
 *     test_clear_young reports and clears AF, on valid leaves only.
 */

import { KVM_MAX_OWNER_ID, PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_SW, PROT_W, PROT_X, SW_SHIFT_HI, WALK_HANDLE_FAULT } from "../pgtable/descriptor.js";
import { stage2Geometry, type Stage2Config } from "../pgtable/geometry.js";

// errnos as the kernel returns them (negated)
const EAGAIN = -11;
const ENOMEM = -12;
const EINVAL = -22;
const ERANGE = -34;

/** A leaf's memory type in the model: Normal. */
export const MEM_NORMAL = 0;
/** ... Device. */
export const MEM_DEVICE = 1;
/** ... Normal-NC. */
export const MEM_NORMAL_NC = 2;
/** A leaf's memory type in the model. */
export type MemKind = typeof MEM_NORMAL | typeof MEM_DEVICE | typeof MEM_NORMAL_NC;

/** One leaf: a valid block or page (owner 0), or an owner annotation (owner > 0, no translation). */
export interface RefLeaf {
  level: number;
  /** First IPA, aligned to the leaf's size. */
  ipa: number;
  owner: number;
  /** Output address of the first byte. */
  pa: number;
  r: boolean;
  w: boolean;
  x: boolean;
  mem: MemKind;
  af: boolean;
  /** SW0..SW3 as bits 0..3. */
  sw: number;
}

/** What the model predicts an operation returns. */
export interface RefResult {
  ret: number;
  /** test_clear_young's bool. */
  young?: boolean;
  /** get_leaf: the leaf found (null: an empty entry) and the level of the entry. */
  leaf?: RefLeaf | null;
  level?: number;
  /** Kernel WARN_ON()s the op fires (test_clear_young over a bad range). */
  warnings: number;
}

/** An operation in the scenario's terms (numbers already parsed). */
export interface RefOp {
  op: string;
  ipa: number;
  size: number;
  pa: number;
  prot: number;
  flags: number;
  owner: number;
  mkold: boolean;
}

/**
 * A deliberately simple reference model of the table (a map of leaves, written from the kernel's documented semantics): what each op should do, what get_leaf, the dump and the walk should find.
 */
export class RefModel {
  readonly page: number;
  readonly startLevel: number;
  readonly pgdPages: number;
  readonly ptrs: number;
  readonly iaLimit: number;
  /** Shallowest level a leaf may sit at: max(start level, KVM_PGTABLE_MIN_BLOCK_LEVEL). */
  readonly topLeafLevel: number;
  readonly fwb: boolean;
  /** Host cap on table pages (roots included) and the per-op memory cache size. */
  readonly maxPages: number;
  readonly memcache: number;
  /** kvm_granule_size(level), indexed by level + 1. */
  private readonly grans: readonly number[];

  readonly leaves = new Map<number, RefLeaf>();
  readonly tables = new Set<number>();
  /** Non-zero entries per table key; root page r under key rootKey(r). */
  readonly counts = new Map<number, number>();
  /** Cache pages left in the current op. */
  private cacheLeft = 0;

  constructor(config: Stage2Config, memcache: number, maxPages: number) {
    const g = stage2Geometry(config);
    this.page = g.granule;
    this.startLevel = g.startLevel;
    this.pgdPages = g.pgdPages;
    this.ptrs = g.ptrsPerPte;
    this.iaLimit = 2 ** config.iaBits;
    this.topLeafLevel = Math.max(g.startLevel, g.minBlockLevel);
    this.grans = g.shifts.map((sh) => 2 ** sh);
    this.fwb = config.fwb;
    this.maxPages = maxPages;
    this.memcache = memcache;
  }

  // ---------------------------------------------------------------------------
  // keys and the four mutators
  // ---------------------------------------------------------------------------

  /** kvm_granule_size(level). */
  gran(level: number): number {
    return this.grans[level + 1];
  }
  private down(x: number, size: number): number {
    return Math.floor(x / size) * size;
  }
  /** The key of the leaf at `level` and `ipa`. */
  leafKey(level: number, ipa: number): number {
    return (ipa / this.page) * 4 + level;
  }
  /** A table page whose entries are at `level` and which covers [ipa, ipa + gran(level - 1)). */
  tableKey(level: number, ipa: number): number {
    return (ipa / this.page) * 8 + level + 1;
  }
  /** The key of root page `r`. */
  rootKey(r: number): number {
    return -1 - r;
  }
  /** The table (or root page) holding the entry at `level` for `ipa`. */
  parentKey(level: number, ipa: number): number {
    if (level === this.startLevel) return this.rootKey(Math.floor(ipa / (this.gran(level) * this.ptrs)));
    return this.tableKey(level, this.down(ipa, this.gran(level - 1)));
  }
  private bump(key: number, d: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + d);
  }
  private addLeaf(l: RefLeaf): void {
    const k = this.leafKey(l.level, l.ipa);
    if (!this.leaves.has(k)) this.bump(this.parentKey(l.level, l.ipa), 1);
    this.leaves.set(k, l);
  }
  private removeLeaf(l: RefLeaf): void {
    if (this.leaves.delete(this.leafKey(l.level, l.ipa))) this.bump(this.parentKey(l.level, l.ipa), -1);
  }
  private addTable(level: number, ipa: number): void {
    this.tables.add(this.tableKey(level, ipa));
    this.counts.set(this.tableKey(level, ipa), 0);
    this.bump(this.parentKey(level - 1, ipa), 1);
  }
  private removeTable(level: number, ipa: number): void {
    const k = this.tableKey(level, ipa);
    if (!this.tables.delete(k)) return;
    this.counts.delete(k);
    this.bump(this.parentKey(level - 1, ipa), -1);
  }
  /** Whether the model holds a table whose entries are at `level`, covering `ipa`. */
  hasTable(level: number, ipa: number): boolean {
    return this.tables.has(this.tableKey(level, ipa));
  }
  /** Table pages in use, roots included (the store's inUse). */
  pagesInUse(): number {
    return this.pgdPages + this.tables.size;
  }

  /** zalloc_page(mc): one page from the op's cache, within the host cap. */
  private alloc(): boolean {
    if (this.cacheLeft <= 0 || this.pagesInUse() >= this.maxPages) return false;
    this.cacheLeft--;
    return true;
  }

  // ---------------------------------------------------------------------------
  // queries
  // ---------------------------------------------------------------------------

  /** The leaf or annotation whose slot holds `ipa`, if any. */
  leafAt(ipa: number): RefLeaf | undefined {
    for (let l = this.topLeafLevel; l <= 3; l++) {
      const hit = this.leaves.get(this.leafKey(l, this.down(ipa, this.gran(l))));
      if (hit) return hit;
    }
    return undefined;
  }

  /** Leaves and annotations overlapping [s, e), lowest IPA first. */
  leavesIn(s: number, e: number): RefLeaf[] {
    if (s >= e) return [];
    let probes = 0;
    for (let l = this.topLeafLevel; l <= 3; l++) probes += Math.ceil(e / this.gran(l)) - Math.floor(s / this.gran(l));
    const out: RefLeaf[] = [];
    if (probes <= this.leaves.size * 2) {
      for (let l = this.topLeafLevel; l <= 3; l++) {
        const g = this.gran(l);
        for (let a = this.down(s, g); a < e; a += g) {
          const hit = this.leaves.get(this.leafKey(l, a));
          if (hit) out.push(hit);
        }
      }
    } else {
      for (const leaf of this.leaves.values()) if (leaf.ipa < e && leaf.ipa + this.gran(leaf.level) > s) out.push(leaf);
    }
    return out.sort((a, b) => a.ipa - b.ipa);
  }

  /** Tables overlapping [s, e) as [level, ipa], deepest level first. */
  tablesIn(s: number, e: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (s >= e) return out;
    // Probe the slots of the range when there are fewer of them than tables
    // (a small range over a big table), else scan the tables: either way
    // linear in the smaller, so a checked run stays linear in its work.
    let probes = 0;
    for (let l = this.startLevel + 1; l <= 3; l++) probes += Math.ceil(e / this.gran(l - 1)) - Math.floor(s / this.gran(l - 1));
    if (probes <= this.tables.size * 2) {
      for (let l = this.startLevel + 1; l <= 3; l++) {
        const g = this.gran(l - 1);
        for (let a = this.down(s, g); a < e; a += g) if (this.tables.has(this.tableKey(l, a))) out.push([l, a]);
      }
      return out.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    }
    for (const k of this.tables) {
      const level = (k % 8) - 1;
      const ipa = Math.floor(k / 8) * this.page;
      if (ipa < e && ipa + this.gran(level - 1) > s) out.push([level, ipa]);
    }
    return out.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  }

  /** kvm_pgtable_get_leaf(): the entry reached for `ipa` (no state change). */
  lookup(ipa: number): RefResult {
    const s = this.down(ipa, this.page);
    if (s + this.page > this.iaLimit) return { ret: ERANGE, warnings: 0 };
    let level = this.startLevel;
    while (level < 3 && this.hasTable(level + 1, this.down(s, this.gran(level)))) level++;
    const leaf = this.leaves.get(this.leafKey(level, this.down(s, this.gran(level)))) ?? null;
    return { ret: 0, leaf, level, warnings: 0 };
  }

  // ---------------------------------------------------------------------------
  // operations
  // ---------------------------------------------------------------------------

  /** Run one operation; returns what the kernel should return. */
  apply(op: RefOp): RefResult {
    this.cacheLeft = this.memcache;
    switch (op.op) {
      case "map":
        return { ret: this.map(op.ipa, op.size, op.pa, op.prot, op.flags), warnings: 0 };
      case "unmap":
        return { ret: this.unmap(op.ipa, op.size), warnings: 0 };
      case "wrprotect":
        return { ret: this.wrprotect(op.ipa, op.size), warnings: 0 };
      case "mkyoung":
        this.mkyoung(op.ipa);
        return { ret: 0, warnings: 0 };
      case "test_clear_young":
        return this.testClearYoung(op.ipa, op.size, op.mkold);
      case "relax_perms":
        return { ret: this.relaxPerms(op.ipa, op.prot, op.flags), warnings: 0 };
      case "flush":
        return { ret: this.fwb ? 0 : this.range(op.ipa, op.size) === null ? ERANGE : 0, warnings: 0 };
      case "split":
        return { ret: this.split(op.ipa, op.size), warnings: 0 };
      case "set_owner":
        return { ret: this.setOwner(op.ipa, op.size, op.owner), warnings: 0 };
      case "get_leaf":
        return this.lookup(op.ipa);
      default:
        throw new Error(`reference model: no semantics for operation '${op.op}'`);
    }
  }

  /** The walk range, or null for -ERANGE. */
  private range(addr: number, size: number): [number, number] | null {
    const s = this.down(addr, this.page);
    const e = Math.ceil((s + size) / this.page) * this.page;
    return s > this.iaLimit || e > this.iaLimit ? null : [s, e];
  }

  /**
   * Tables down to the entry at `level` for `a`, as the map walker makes them:
   * each missing table takes a cache page first; a block in the way is then
   * dropped whole. Returns 0 or -ENOMEM (the block, if any, untouched).
   */
  private ensurePath(a: number, level: number): number {
    for (let k = this.startLevel; k < level; k++) {
      const base = this.down(a, this.gran(k));
      if (this.hasTable(k + 1, base)) continue;
      if (!this.alloc()) return ENOMEM;
      const block = this.leaves.get(this.leafKey(k, base));
      if (block) this.removeLeaf(block);
      this.addTable(k + 1, base);
    }
    return 0;
  }

  /** Drop the subtree below the entry at (level, ipa): every table and leaf inside (free_unlinked_table). */
  private dropSubtree(level: number, ipa: number): void {
    const e = ipa + this.gran(level);
    for (const leaf of this.leavesIn(ipa, e)) if (leaf.level > level) this.removeLeaf(leaf);
    for (const [l, t] of this.tablesIn(ipa, e)) if (l > level) this.removeTable(l, t);
  }

  /** kvm_pgtable_stage2_map(). */
  map(addr: number, size: number, phys: number, prot: number, flags: number): number {
    // stage2_set_prot_attr(): one memory type, never executable Device or Normal-NC.
    const device = (prot & PROT_DEVICE) !== 0;
    const nc = (prot & PROT_NORMAL_NC) !== 0;
    const x = (prot & PROT_X) !== 0;
    if ((device && nc) || ((device || nc) && x)) return EINVAL;
    const r = this.range(addr, size);
    if (r === null) return ERANGE;
    const [s, e] = r;
    const mem: MemKind = device ? MEM_DEVICE : nc ? MEM_NORMAL_NC : MEM_NORMAL;
    const sw = (prot & PROT_SW) >>> SW_SHIFT_HI;
    let a = s;
    let pa = this.down(phys, this.page);
    while (a < e) {
      let level = 3;
      for (let l = this.topLeafLevel; l < 3; l++) {
        const g = this.gran(l);
        if (g <= e - a && this.down(a, g) === a && this.down(pa, g) === pa) {
          level = l;
          break;
        }
      }
      const ret = this.ensurePath(a, level);
      if (ret) return ret;
      if (level < 3 && this.hasTable(level + 1, a)) this.dropSubtree(level, a);
      const old = this.leaves.get(this.leafKey(level, a));
      // Same output, memory type, AF and SW bits: nothing to update (-EAGAIN).
      if (old && old.owner === 0 && old.pa === pa && old.mem === mem && old.af && old.sw === sw) {
        if (flags & WALK_HANDLE_FAULT) return EAGAIN;
      } else {
        this.addLeaf({ level, ipa: a, owner: 0, pa, r: (prot & PROT_R) !== 0, w: (prot & PROT_W) !== 0, x, mem, af: true, sw });
      }
      a += this.gran(level);
      pa += this.gran(level);
    }
    return 0;
  }

  /** kvm_pgtable_stage2_unmap(). */
  unmap(addr: number, size: number): number {
    const r = this.range(addr, size);
    if (r === null) return ERANGE;
    const [s, e] = r;
    for (const leaf of this.leavesIn(s, e)) this.removeLeaf(leaf);
    // Deepest first, so a table emptied by its children's removal goes too.
    for (const [l, t] of this.tablesIn(s, e)) if ((this.counts.get(this.tableKey(l, t)) ?? 0) === 0) this.removeTable(l, t);
    return 0;
  }

  /** kvm_pgtable_stage2_wrprotect(). */
  wrprotect(addr: number, size: number): number {
    const r = this.range(addr, size);
    if (r === null) return ERANGE;
    for (const leaf of this.leavesIn(r[0], r[1])) if (leaf.owner === 0) leaf.w = false;
    return 0;
  }

  /** kvm_pgtable_stage2_mkyoung(): one page. */
  mkyoung(addr: number): void {
    const r = this.range(addr, 1);
    if (r === null) return;
    const leaf = this.leafAt(r[0]);
    if (leaf && leaf.owner === 0) leaf.af = true;
  }

  /** kvm_pgtable_stage2_test_clear_young(); a failed walk is a WARN. */
  testClearYoung(addr: number, size: number, mkold: boolean): RefResult {
    const r = this.range(addr, size);
    if (r === null) return { ret: 0, young: false, warnings: 1 };
    let young = false;
    for (const leaf of this.leavesIn(r[0], r[1])) {
      if (leaf.owner !== 0 || !leaf.af) continue;
      young = true;
      if (mkold) leaf.af = false;
    }
    return { ret: 0, young, warnings: 0 };
  }

  /** kvm_pgtable_stage2_relax_perms(): one page. */
  relaxPerms(addr: number, prot: number, flags: number): number {
    if (prot & PROT_SW) return EINVAL;
    const r = this.range(addr, 1);
    if (r === null) return ERANGE;
    const leaf = this.leafAt(r[0]);
    if (!leaf || leaf.owner !== 0) return flags & WALK_HANDLE_FAULT ? EAGAIN : 0;
    if (prot & PROT_R) leaf.r = true;
    if (prot & PROT_W) leaf.w = true;
    if (prot & PROT_X) leaf.x = true;
    return 0;
  }

  /** kvm_pgtable_stage2_split(): blocks touching the range become pages while the cache lasts. */
  split(addr: number, size: number): number {
    const r = this.range(addr, size);
    if (r === null) return ERANGE;
    const [s, e] = r;
    const work = this.leavesIn(s, e).filter((l) => l.owner === 0 && l.level < 3);
    while (work.length > 0) {
      const b = work.shift() as RefLeaf;
      // stage2_block_get_nr_page_tables(): a full split of a level-1 block
      // needs a level-2 table and 512 level-3 tables; short of that, one page
      // for a table of level-2 blocks.
      let nr = b.level === 1 ? this.ptrs + 1 : 1;
      const force = this.cacheLeft >= nr;
      if (!force) nr = 1;
      if (this.cacheLeft < nr) return ENOMEM;
      // create_unlinked() fails (and frees what it built) when the host cap stops it.
      if (this.pagesInUse() + nr > this.maxPages) return ENOMEM;
      this.cacheLeft -= nr;
      const walkAddr = Math.max(s, b.ipa);
      this.removeLeaf(b);
      this.addTable(b.level + 1, b.ipa);
      const child = { owner: 0, r: b.r, w: b.w, x: b.x, sw: b.sw, mem: MEM_NORMAL as MemKind, af: true };
      const g = this.gran(b.level);
      if (force) {
        const pg = this.page;
        if (b.level + 1 < 3) for (let t = 0; t < g; t += this.gran(b.level + 1)) this.addTable(b.level + 2, b.ipa + t);
        for (let o = 0; o < g; o += pg) this.addLeaf({ ...child, level: 3, ipa: b.ipa + o, pa: b.pa + o });
      } else {
        // A table of blocks one level down; the walk then descends into it and
        // splits those of them that the range touches.
        const sub = this.gran(b.level + 1);
        const next: RefLeaf[] = [];
        for (let o = 0; o < g; o += sub) {
          const leaf: RefLeaf = { ...child, level: b.level + 1, ipa: b.ipa + o, pa: b.pa + o };
          this.addLeaf(leaf);
          if (leaf.ipa + sub > walkAddr && leaf.ipa < e) next.push(leaf);
        }
        work.unshift(...next);
      }
    }
    return 0;
  }

  /** kvm_pgtable_stage2_set_owner(): every page in range becomes an annotation (owner 0: empty). */
  setOwner(addr: number, size: number, owner: number): number {
    if (owner > KVM_MAX_OWNER_ID) return EINVAL;
    const r = this.range(addr, size);
    if (r === null) return ERANGE;
    for (let a = r[0]; a < r[1]; a += this.page) {
      const ret = this.ensurePath(a, 3);
      if (ret) return ret;
      const old = this.leaves.get(this.leafKey(3, a));
      if (owner === 0) {
        if (old) this.removeLeaf(old);
      } else {
        this.addLeaf({ level: 3, ipa: a, owner, pa: 0, r: false, w: false, x: false, mem: MEM_NORMAL, af: false, sw: 0 });
      }
    }
    return 0;
  }

  /** Self-consistency: no slot holds both a leaf and a table, every leaf and table hangs off a table. */
  selfCheck(): string | null {
    for (const leaf of this.leaves.values()) {
      if (leaf.level < 3 && this.hasTable(leaf.level + 1, leaf.ipa)) return `model: leaf and table both at level ${leaf.level} ${leaf.ipa.toString(16)}`;
      if (leaf.level > this.startLevel && !this.hasTable(leaf.level, this.down(leaf.ipa, this.gran(leaf.level - 1)))) {
        return `model: leaf at level ${leaf.level} 0x${leaf.ipa.toString(16)} has no table above it`;
      }
    }
    return null;
  }
}
