/**
 * Break-before-make checker: watches every descriptor store of a live table
 * (KvmPgtable.storeHook) and the maintenance the operation asked for
 * (pgt.log), and reports any update the architecture does not allow.
 *
 * The rule (Arm ARM DDI 0487, D8 "The AArch64 Virtual Memory System
 * Architecture", "Using break-before-make when updating translation table
 * entries"): a valid entry is changed into a different valid entry only by
 *   1. writing an invalid entry, 2. invalidating the TLB entries for the old
 *   translation (TLBI, with the DSB the hyp helpers include), 3. writing the
 *   new entry,
 * unless the change is one the architecture allows on a live entry. The
 * changes this checker accepts in place, between two valid leaves of the
 * same level, are exactly those of the bits:
 *   S2AP[1:0] (bits 7:6) and XN (bit 54): permissions;
 *   AF (bit 10): the Access flag;
 *   SW (bits 58:55): ignored by the hardware walk.
 * A change of output address, MemAttr, SH, the page/block/table type (a
 * change of block size) or any other bit needs the full sequence. (The same
 * set google/aarch64-paging's Stage2Attributes::is_bbm_safe allows.) KVM
 * makes in-place changes in exactly these paths (kernel-reference.md §5):
 * wrprotect (clear S2AP.W), relax_perms (set S2AP bits, clear XN), mkyoung
 * (set AF), test_clear_young with mkold (clear AF), and a non-SHARED map that
 * changes only SW bits. Removing a permission in place is allowed but takes
 * effect only after the caller's TLBI; that is the callers' contract
 * (wrprotect/test_clear_young ask for none, NOTES.md item 13) and not checked.
 *
 * What counts as the TLBI of step 2 for an entry of level L covering [a, b):
 *   - tlbi_vmid (everything of the VMID);
 *   - tlbi_range(x, n pages) overlapping [a, b) (for a leaf or an empty
 *     table), or containing [a, b) (for a table with a live subtree);
 *   - tlbi_ipa(x, ttl) with x in [a, b): for a leaf when ttl is L or
 *     TLBI_TTL_UNKNOWN (a wrong TTL hint may leave the entry cached); for a
 *     table whose subtree holds nothing, when ttl is TLBI_TTL_UNKNOWN (the
 *     walk-cache entry); never for a table with a live subtree (one address
 *     does not reach the cached leaves of the others).
 *   A TLBI by address anywhere inside a block counts for the whole block, as
 *   the kernel itself relies on (map-page-inside-block: tlbi_ipa at the
 *   unaligned walk address, level 2). tlbi_ipa_nsh is local to one CPU and
 *   never counts.
 *
 * SKIP_BBM_TLBI: with it pgtable.c still writes the invalid (LOCKED) entry
 * but leaves the TLBI to its caller. A new entry made while the old one is
 * still un-invalidated is then not a pgtable.c defect but an obligation of
 * the caller (which must flush before the old translation can matter); the
 * checker counts these as `callerOwed` and the driver plays the caller's
 * flush at the end of the op. Stores into a table not yet linked into the
 * live tree (kvm_pgtable_stage2_create_unlinked) are not live: no rule
 * applies until the table is linked (by a BBM of its own).
 *
 * At the end of an op every entry the op invalidated must have had its TLBI
 * (deferred unmap TLBIs come after the walk, so this is checked at the end),
 * else a stale translation would outlive the op.
 */

import { PTE_VALID_LO, S2AP_R_LO, S2AP_W_LO, S2_AF_LO, S2_XN_HI, SW_HI, TLBI_TTL_UNKNOWN, WALK_SKIP_BBM_TLBI } from "../pgtable/descriptor.js";
import { hexHalves } from "../pgtable/u64.js";
import { EV_TLBI_IPA, EV_TLBI_RANGE, EV_TLBI_VMID } from "../pgtable/events.js";
import type { MaintenanceLog } from "../pgtable/events.js";
import { KvmPgtable } from "../pgtable/pgtable.js";
import { checkInstance } from "../pgtable/args.js";

/** The bits a live valid leaf may change without break-before-make. */
export const BBM_SAFE_LO = S2AP_R_LO | S2AP_W_LO | S2_AF_LO;
/** The same, bits 63:32. */
export const BBM_SAFE_HI = (S2_XN_HI | SW_HI) >>> 0;

/** Whether changing a valid leaf `old` into valid leaf `new` at the same level needs no break-before-make. */
export function bbmSafe(oldLo: number, oldHi: number, newLo: number, newHi: number): boolean {
  return ((oldLo ^ newLo) & ~BBM_SAFE_LO) === 0 && ((oldHi ^ newHi) & ~BBM_SAFE_HI) === 0;
}

const KIND_LEAF = 0;
/** A table entry whose subtree held nothing non-zero: only its walk-cache entry can be stale. */
const KIND_TABLE = 1;
/** A table entry with a live subtree: every cached translation in its span can be stale. */
const KIND_SUBTREE = 2;

interface Stale {
  level: number;
  start: number;
  end: number;
  kind: number;
  /** Log index of the first event that may invalidate it. */
  logPos: number;
  owedToCaller: boolean;
}

/** An event as the checker reads it (kind as in events.ts). */
export interface TlbiEvent {
  kind: number;
  a: number;
  b: number;
}

/** What the break-before-make checker saw: breaks, in-place changes by kind, TLBIs owed. */
export interface BbmStats {
  /** Valid entries broken (made invalid) in live tables. */
  breaks: number;
  /** Allowed in-place changes of valid leaves, per kind. */
  inPlacePerms: number;
  inPlaceAf: number;
  inPlaceSw: number;
  /** New entries made before the TLBI that SKIP_BBM_TLBI left to the caller. */
  callerOwed: number;
}

/**
 * The break-before-make checker: it watches every descriptor store of a table (its store hook) and the op's TLBIs, and reports a live-to-live change the architecture forbids, or a break not invalidated.
 */
export class BbmChecker {
  private pgt: KvmPgtable | null = null;
  /** parent page * PTRS_PER_PTE + index of the table entry that links each non-root table page. */
  private link = new Map<number, number>();
  private stale: Stale[] = [];
  private opFlags = 0;
  private violations: string[] = [];
  readonly stats: BbmStats = { breaks: 0, inPlacePerms: 0, inPlaceAf: 0, inPlaceSw: 0, callerOwed: 0 };

  /** Install the store hook on `pgt` (which must be freshly built, or call resync()). */
  attach(pgt: KvmPgtable): void {
    checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
    this.pgt = pgt;
    pgt.storeHook = (page, index, oldLo, oldHi, newLo, newHi) => this.onStore(page, index, oldLo, oldHi, newLo, newHi);
    // The checker collects what it finds and never throws: the table need not journal for it.
    pgt.hookMayThrow = false;
    this.resync();
  }

  /** Stop watching the table (its store hook is cleared). */
  detach(): void {
    if (this.pgt) {
      this.pgt.storeHook = null;
      this.pgt.hookMayThrow = true;
    }
    this.pgt = null;
  }

  /** Learn where every table page of the live tree is linked (after attaching to a table that already holds some). */
  resync(): void {
    const pgt = this.pgt;
    if (!pgt) return;
    this.link.clear();
    for (let r = 0; r < pgt.geom.pgdPages; r++) this.learnSubtree(pgt.pgd + r, pgt.geom.startLevel);
  }

  private learnSubtree(page: number, level: number): void {
    const pgt = this.pgt as KvmPgtable;
    if (level >= 3) return;
    for (let i = 0; i < pgt.geom.ptrsPerPte; i++) {
      const lo = pgt.entryLo(page, i);
      if (!pgt.isTable(lo, level)) continue;
      const child = pgt.childPage(lo, pgt.entryHi(page, i));
      this.link.set(child, page * pgt.geom.ptrsPerPte + i);
      this.learnSubtree(child, level + 1);
    }
  }

  /**
   * Level and first IPA of the entries of `page` if it is linked into the
   * live tree now (each link on the way up still holds a table entry that
   * points at the page below), else null.
   */
  private locate(page: number): { level: number; base: number } | null {
    const pgt = this.pgt as KvmPgtable;
    const g = pgt.geom;
    if (page >= pgt.pgd && page < pgt.pgd + g.pgdPages) {
      return { level: g.startLevel, base: (page - pgt.pgd) * pgt.granuleSize(g.startLevel) * g.ptrsPerPte };
    }
    const at = this.link.get(page);
    if (at === undefined) return null;
    const parent = Math.floor(at / g.ptrsPerPte);
    const idx = at - parent * g.ptrsPerPte;
    const up = this.locate(parent);
    if (up === null) return null;
    const lo = pgt.entryLo(parent, idx);
    if (!pgt.isTable(lo, up.level) || pgt.childPage(lo, pgt.entryHi(parent, idx)) !== page) return null;
    return { level: up.level + 1, base: up.base + idx * pgt.granuleSize(up.level) };
  }

  /** Whether the subtree below table page `page` (entries at `level`) holds any non-zero entry. */
  private subtreeLive(page: number): boolean {
    const pgt = this.pgt as KvmPgtable;
    for (let i = 0; i < pgt.geom.ptrsPerPte; i++) if ((pgt.entryLo(page, i) | pgt.entryHi(page, i)) !== 0) return true;
    return false;
  }

  /**
   * Drop the oldest pending entries whose TLBI the log already holds (the
   * common case: the TLBI follows the break at once), so that the pending
   * list stays short over a large op; what is covered is settled either way.
   */
  private prune(): void {
    const pgt = this.pgt as KvmPgtable;
    const log = pgt.log;
    const ev: TlbiEvent = { kind: 0, a: 0, b: 0 };
    let k = 0;
    for (; k < this.stale.length; k++) {
      const s = this.stale[k];
      // Each event is looked at once for the entry at the head (headScan
      // remembers how far), so that an entry whose TLBI never comes
      // (SKIP_BBM_TLBI, a deferred range TLBI) costs nothing per later break.
      let i = Math.max(s.logPos, k === 0 ? this.headScan : 0);
      let ok = false;
      for (; i < log.length && !ok; i++) {
        ev.kind = log.kindAt(i);
        ev.a = log.aAt(i);
        ev.b = log.bAt(i);
        ok = covers(s, ev, pgt.geom.granule);
      }
      if (!ok) {
        // Entry k becomes the head: it has been checked up to i.
        this.headScan = i;
        break;
      }
      this.headScan = 0;
    }
    if (k > 0) this.stale.splice(0, k);
  }

  /** Log position up to which the head of `stale` has been checked by prune(). */
  private headScan = 0;

  /** An operation with these walk flags starts (SKIP_BBM_TLBI leaves its TLBIs to the caller). */
  beginOp(flags: number): void {
    this.opFlags = flags;
    this.violations = [];
  }

  private onStore(page: number, index: number, oldLo: number, oldHi: number, newLo: number, newHi: number): void {
    if (oldLo === newLo && oldHi === newHi) return;
    const loc = this.locate(page);
    if (loc === null) return; // not linked into the live tree yet (create_unlinked)
    const pgt = this.pgt as KvmPgtable;
    const level = loc.level;
    const gran = pgt.granuleSize(level);
    const start = loc.base + index * gran;
    const end = start + gran;
    const oldValid = (oldLo & PTE_VALID_LO) !== 0;
    const newValid = (newLo & PTE_VALID_LO) !== 0;
    const oldTable = pgt.isTable(oldLo, level);
    const newTable = pgt.isTable(newLo, level);
    const where = `level ${level} entry for IPA 0x${start.toString(16)}`;

    if (newTable) {
      // Learn the new link, and those of a subtree built unlinked (split).
      const child = pgt.childPage(newLo, newHi);
      this.link.set(child, page * pgt.geom.ptrsPerPte + index);
      this.learnSubtree(child, level + 1);
    }

    if (oldValid && newValid) {
      if (oldTable || newTable) {
        this.violations.push(
          `${where}: valid ${oldTable ? "table" : "leaf"} replaced by a valid ${newTable ? "table" : "leaf"} without an invalid entry in between`,
        );
      } else if (!bbmSafe(oldLo, oldHi, newLo, newHi)) {
        this.violations.push(
          `${where}: valid leaf ${hex64(oldLo, oldHi)} replaced in place by ${hex64(newLo, newHi)}: bits ${changedBits(oldLo, oldHi, newLo, newHi)} need break-before-make`,
        );
      } else {
        if (((oldLo ^ newLo) & (S2AP_R_LO | S2AP_W_LO)) !== 0 || ((oldHi ^ newHi) & S2_XN_HI) !== 0) this.stats.inPlacePerms++;
        if (((oldLo ^ newLo) & S2_AF_LO) !== 0) this.stats.inPlaceAf++;
        if (((oldHi ^ newHi) & SW_HI) !== 0) this.stats.inPlaceSw++;
      }
      return;
    }
    if (oldValid) {
      this.stats.breaks++;
      let kind = KIND_LEAF;
      if (oldTable) kind = this.subtreeLive(pgt.childPage(oldLo, oldHi)) ? KIND_SUBTREE : KIND_TABLE;
      this.prune();
      this.stale.push({ level, start, end, kind, logPos: pgt.log.length, owedToCaller: (this.opFlags & WALK_SKIP_BBM_TLBI) !== 0 });
      return;
    }
    if (newValid) {
      // Making a valid entry: every old translation it overlaps must be invalidated by now.
      const log = pgt.log;
      this.headScan = 0;
      this.stale = this.stale.filter((s) => {
        if (s.end <= start || s.start >= end) return true;
        for (let i = s.logPos; i < log.length; i++) if (covers(s, { kind: log.kindAt(i), a: log.aAt(i), b: log.bAt(i) }, pgt.geom.granule)) return false;
        if (s.owedToCaller) {
          // SKIP_BBM_TLBI: the caller owes the TLBI (counted once, then taken as done).
          this.stats.callerOwed++;
          return false;
        }
        this.violations.push(
          `${where}: made valid (${newTable ? "table" : hex64(newLo, newHi)}) while the level ${s.level} ${kindName(s.kind)} at 0x${s.start.toString(16)} it replaces has had no TLB invalidation`,
        );
        return false;
      });
    }
  }

  /**
   * End of an op: `events` are the maintenance events the op produced, in
   * order (the log from the op's first event). Returns the violations of the
   * op; afterwards nothing is pending (SKIP_BBM_TLBI obligations are
   * discharged as the caller's flush).
   */
  endOp(events: TlbiEvent[], firstLogPos: number): string[] {
    return this.finishOp(events.length, (i) => events[i], firstLogPos);
  }

  /** endOp() reading the op's events straight from the table's log, from position `firstLogPos` on (no event objects). */
  endOpFromLog(log: MaintenanceLog, firstLogPos: number): string[] {
    const ev: TlbiEvent = { kind: 0, a: 0, b: 0 };
    const at = (i: number): TlbiEvent => {
      const j = firstLogPos + i;
      ev.kind = log.kindAt(j);
      ev.a = log.aAt(j);
      ev.b = log.bAt(j);
      return ev;
    };
    return this.finishOp(log.length - firstLogPos, at, firstLogPos);
  }

  private finishOp(n: number, at: (i: number) => TlbiEvent, firstLogPos: number): string[] {
    const pgt = this.pgt as KvmPgtable;
    for (const s of this.stale) {
      let ok = false;
      for (let i = Math.max(0, s.logPos - firstLogPos); i < n && !ok; i++) ok = covers(s, at(i), pgt.geom.granule);
      if (ok) continue;
      if (s.owedToCaller) {
        this.stats.callerOwed++;
        continue;
      }
      this.violations.push(
        `the level ${s.level} ${kindName(s.kind)} for IPA 0x${s.start.toString(16)} was made invalid but its TLB entries were never invalidated`,
      );
    }
    this.stale = [];
    this.headScan = 0;
    const v = this.violations;
    this.violations = [];
    return v;
  }
}

/** Whether one maintenance event invalidates the stale translation `s` (see the module comment). */
function covers(s: Stale, ev: TlbiEvent, page: number): boolean {
  switch (ev.kind) {
    case EV_TLBI_VMID:
      return true;
    case EV_TLBI_RANGE: {
      // The hardware takes the base address in pages (addr >> PAGE_SHIFT).
      const a = Math.floor(ev.a / page) * page;
      const b = a + ev.b * page;
      if (s.kind === KIND_SUBTREE) return a <= s.start && b >= s.end;
      return a < s.end && b > s.start;
    }
    case EV_TLBI_IPA:
      if (ev.a < s.start || ev.a >= s.end) return false;
      if (s.kind === KIND_LEAF) return ev.b === s.level || ev.b === TLBI_TTL_UNKNOWN;
      if (s.kind === KIND_TABLE) return ev.b === TLBI_TTL_UNKNOWN;
      return false;
    default:
      return false;
  }
}

function kindName(kind: number): string {
  return kind === KIND_LEAF ? "leaf" : kind === KIND_TABLE ? "table entry" : "table entry (with a live subtree)";
}

function hex64(lo: number, hi: number): string {
  return hexHalves(lo >>> 0, hi >>> 0);
}

function changedBits(oldLo: number, oldHi: number, newLo: number, newHi: number): string {
  const bits: number[] = [];
  const dl = (oldLo ^ newLo) & ~BBM_SAFE_LO;
  const dh = (oldHi ^ newHi) & ~BBM_SAFE_HI;
  for (let i = 0; i < 32; i++) if ((dl >>> i) & 1) bits.push(i);
  for (let i = 0; i < 32; i++) if ((dh >>> i) & 1) bits.push(i + 32);
  return bits.join(",");
}
