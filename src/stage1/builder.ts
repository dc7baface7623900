/**
 * Writes the guest's stage-1 tables into guest memory, as the guest kernel
 * would: table pages come from the scenario's table pool (IPAs), and every
 * descriptor is stored at the PA the stage-2 table maps its IPA to *when the
 * tables are written* (found with kvm_pgtable_get_leaf, the kernel's software
 * walk, so stage-2 permissions and AF play no part, as for a hypervisor
 * writing guest memory). An IPA of the pool that stage 2 does not map then
 * is refused: the builder has nowhere to write. Unmapping a table page at
 * stage 2 afterwards leaves its content in memory, and the next walk through
 * it takes a stage-2 fault with S1PTW = 1 (docs/two-stage.md).
 *
 * Leaves: the largest level the alignment of VA, IPA and the remaining size
 * allows (where the granule has blocks: AArch64_BlockDescSupported), or the
 * mapping's `level`. A mapping that runs into an existing leaf or table is
 * refused (the guest tables are built once, not updated).
 *
 * Bounds: before anything is written, the leaves
 * every mapping asks for are counted, and more than MAX_GUEST_LEAVES in all
 * is refused, naming the mapping that crosses the limit; the table pages the
 * builder places count, with the stage-2 table's own pages, against the
 * scenario's table memory (the store's cap).
 */

import { PTE_TYPE_LO, PTE_VALID_LO, pteToPhys } from "../pgtable/descriptor.js";
import { encodeS1Leaf, encodeS1Table, s1DescAddress } from "./descriptor.js";
import { InputError, alignDown, hex, isAligned } from "../pgtable/u64.js";
import { sizeText } from "../pgtable/limits.js";
import { KvmPgtable } from "../pgtable/pgtable.js";
import { checkInstance, checkObject, shown, ArgumentError } from "../pgtable/args.js";
import { blockDescSupported } from "../pgtable/geometry.js";
import { regionGeometry, ttbrTableBase, type GuestConfig, type RegionGeometry } from "./config.js";
import { GuestMemory } from "./memory.js";
import type { GuestMapping, GuestSpec } from "./spec.js";

/** Most stage-1 leaves the guest builder writes for one guest (a scenario's). */
export const MAX_GUEST_LEAVES = 2 ** 20;

/** A table page the builder placed. */
export interface BuiltTable {
  region: 0 | 1;
  level: number;
  ipa: number;
  /** The PA stage 2 gave its first byte when it was written. */
  pa: number;
}

/** A guest built over a stage-2 table: its registers (TTBRs filled in), memory and the table pages placed. */
export interface BuiltGuest {
  /** The registers, TTBR0/1 filled in (the root tables the builder allocated, where none was given). */
  config: GuestConfig;
  mem: GuestMemory;
  tables: BuiltTable[];
}

class Builder {
  readonly mem = new GuestMemory();
  readonly tables: BuiltTable[] = [];
  private poolNext: number;
  private readonly poolEnd: number;
  private readonly word = [0, 0];
  private readonly pgt: KvmPgtable;
  private readonly spec: GuestSpec;
  private readonly where: string;

  constructor(pgt: KvmPgtable, spec: GuestSpec, where: string) {
    this.pgt = pgt;
    this.spec = spec;
    this.where = where;
    this.poolNext = spec.pool ? spec.pool.ipa : 0;
    this.poolEnd = spec.pool ? spec.pool.ipa + spec.pool.size : 0;
  }

  /** The PA stage 2 maps `ipa` to now (kvm_pgtable_get_leaf), or an InputError. */
  stage2Pa(ipa: number, what: string): number {
    const pgt = this.pgt;
    const iaLimit = 2 ** pgt.geom.iaBits;
    if (ipa >= iaLimit || pgt.getLeafFast(ipa) !== 0 || (pgt.leafLo & PTE_VALID_LO) === 0) {
      throw new InputError(
        `${this.where}: ${what} at IPA ${hex(ipa)} is not mapped at stage 2 when the guest tables are written (map it before the first translate_va)`,
      );
    }
    const size = pgt.granuleSize(pgt.leafLevel);
    return alignDown(pteToPhys(pgt.fmt, pgt.leafLo, pgt.leafHi), size) + (ipa - alignDown(ipa, size));
  }

  read(tableIpa: number, index: number): [number, number] {
    this.mem.read64(this.stage2Pa(tableIpa + index * 8, "a stage-1 table page"));
    return [this.mem.lo, this.mem.hi];
  }

  write(tableIpa: number, index: number, lo: number, hi: number): void {
    this.mem.write64(this.stage2Pa(tableIpa + index * 8, "a stage-1 table page"), lo, hi);
  }

  /** Bytes of guest table pages placed so far. */
  private tableBytes = 0;

  /** A zeroed table page from the pool. */
  allocTable(g: RegionGeometry, level: number, why: string): number {
    // The guest's table pages live in host memory like the stage-2 table's: one budget for both.
    const store = this.pgt.store;
    const budget = store.maxPages * store.granule;
    if (this.tableBytes + g.granule + store.inUse * store.granule > budget) {
      throw new InputError(
        `${this.where}: the guest's table pages (${this.tables.length} placed, ${sizeText(this.tableBytes)}) and the stage-2 table's (${store.inUse}, ${sizeText(store.inUse * store.granule)}) ` +
          `would pass the scenario's table memory of ${sizeText(budget)} (needed for ${why})`,
      );
    }
    const ipa = this.poolNext;
    if (ipa + g.granule > this.poolEnd) {
      throw new InputError(
        `${this.where}: the table pool (${this.spec.pool ? `${hex(this.spec.pool.ipa)}, ${hex(this.spec.pool.size)} bytes` : "none"}) is exhausted after ${this.tables.length} table pages (needed for ${why})`,
      );
    }
    this.poolNext += g.granule;
    this.tableBytes += g.granule;
    const pa = this.stage2Pa(ipa, "a table-pool page");
    for (let i = 0; i < g.granule / 8; i++) this.write(ipa, i, 0, 0);
    this.tables.push({ region: g.region, level, ipa, pa });
    return ipa;
  }

  /** Map one mapping, leaf by leaf, under the root table at `root`. */
  map(m: GuestMapping, g: RegionGeometry, root: number, paMax: number): void {
    const vaBase = Number(m.va & ((1n << BigInt(g.iaBits)) - 1n));
    for (let off = 0; off < m.size;) {
      const va = vaBase + off;
      const ipa = m.ipa + off;
      const level = leafLevelAt(m, g, paMax, va, ipa, m.size - off);
      this.install(m, g, root, va, ipa, level);
      off += 2 ** g.shifts[level];
    }
  }

  private install(m: GuestMapping, g: RegionGeometry, root: number, va: number, ipa: number, leafLevel: number): void {
    let table = root;
    for (let level = g.startLevel; ; level++) {
      const mask = level === g.startLevel ? g.rootEntries - 1 : (1 << g.stride) - 1;
      const index = Math.floor(va / 2 ** g.shifts[level]) & mask;
      const [lo, hi] = this.read(table, index);
      if (level === leafLevel) {
        if (lo & PTE_VALID_LO) throw new InputError(`${m.path}: VA ${hex(va)} is already mapped by the guest tables (level ${level})`);
        encodeS1Leaf(g.granule, { oa: ipa, level, attrIndx: m.attrIndx, ap: m.ap, sh: m.sh, af: m.af, ng: m.ng, pxn: m.pxn, uxn: m.uxn }, this.word);
        this.write(table, index, this.word[0], this.word[1]);
        return;
      }
      if (lo & PTE_VALID_LO) {
        if ((lo & PTE_TYPE_LO) === 0) throw new InputError(`${m.path}: VA ${hex(va)} falls in a level-${level} block an earlier mapping wrote`);
        table = s1DescAddress(lo, hi, g.pageShift, this.pgt.geom.paBits >= 52);
        continue;
      }
      const next = this.allocTable(g, level + 1, `${m.path} at level ${level + 1}`);
      encodeS1Table(g.granule, next, {}, this.word);
      this.write(table, index, this.word[0], this.word[1]);
      table = next;
    }
  }
}

/**
 * The level of the leaf the builder writes at (va, ipa) with `left` bytes
 * of the mapping to go: the mapping's own level, or the largest the
 * alignment of VA, IPA and the remaining size allows where the granule has
 * blocks (AArch64_BlockDescSupported).
 */
function leafLevelAt(m: GuestMapping, g: RegionGeometry, paMax: number, va: number, ipa: number, left: number): number {
  if (m.level >= 0) return m.level;
  let level = g.startLevel;
  for (; level < 3; level++) {
    const sz = 2 ** g.shifts[level];
    if (blockDescSupported(g.granule, false, paMax, level) && isAligned(va, sz) && isAligned(ipa, sz) && left >= sz) break;
  }
  return level;
}

/**
 * Refuse, before anything is written, mappings that ask for more than
 * MAX_GUEST_LEAVES stage-1 leaves in all: counted as the builder would
 * write them, runs of equal leaves in one step, so this is quick however
 * large the mappings are.
 */
function checkGuestWork(spec: GuestSpec, cfg: GuestConfig, paMax: number, where: string): void {
  let total = 0;
  for (const m of spec.mappings) {
    const region = Number((m.va >> 55n) & 1n) as 0 | 1;
    const g = regionGeometry(cfg.tcr, region);
    const vaBase = Number(m.va & ((1n << BigInt(g.iaBits)) - 1n));
    let n = 0;
    if (m.level >= 0) n = m.size / 2 ** g.shifts[m.level];
    else {
      for (let off = 0; off < m.size && total + n <= MAX_GUEST_LEAVES;) {
        const level = leafLevelAt(m, g, paMax, vaBase + off, m.ipa + off, m.size - off);
        const sz = 2 ** g.shifts[level];
        // Leaves of this size repeat to the next boundary of the level above (or the end).
        const upper = level > g.startLevel ? 2 ** g.shifts[level - 1] : Infinity;
        const va = vaBase + off;
        const stop = Math.min(m.size - off, Number.isFinite(upper) ? alignDown(va, upper) + upper - va : Infinity);
        const k = Math.max(1, Math.floor(stop / sz));
        n += k;
        off += k * sz;
      }
    }
    total += n;
    if (total > MAX_GUEST_LEAVES) {
      throw new InputError(
        `${where}: ${m.path} asks for ${n} stage-1 leaves${m.level >= 0 ? ` (level ${m.level}, ${sizeText(2 ** g.shifts[m.level])} each, over ${sizeText(m.size)})` : ""}; ` +
          `s2pt's guest builder writes at most ${MAX_GUEST_LEAVES} per scenario (docs/reliability.md, "Resource bounds")`,
      );
    }
  }
}

/**
 * Build the guest's tables over the stage-2 table as it is now. `where`
 * names the point of the scenario, for messages. Refuses (InputError) a
 * guest over the builder's bounds before writing anything.
 */
export function buildGuest(pgt: KvmPgtable, spec: GuestSpec, where: string): BuiltGuest {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  checkObject(spec, "spec");
  if (!Array.isArray(spec.mappings) || typeof spec.config !== "object" || spec.config === null)
    throw new ArgumentError("spec", `${shown(spec)} is not a GuestSpec (parseGuest() makes one)`);
  if (typeof where !== "string") throw new ArgumentError("where", `${shown(where)} is not a string`);
  if (pgt.destroyed) throw new ArgumentError("pgt", "the table is destroyed");
  const b = new Builder(pgt, spec, where);
  const cfg: GuestConfig = { ...spec.config, mair: spec.config.mair.slice(), tcr: { ...spec.config.tcr } };
  const paMax = pgt.geom.paBits;
  checkGuestWork(spec, cfg, paMax, where);
  const given = [spec.ttbr0Given, spec.ttbr1Given];
  const roots: [number, number] = [0, 0];
  for (const region of [0, 1] as const) {
    const g = regionGeometry(cfg.tcr, region);
    const mine = spec.mappings.filter((m) => Number((m.va >> 55n) & 1n) === region);
    if (given[region]) {
      roots[region] = ttbrTableBase(region === 0 ? cfg.ttbr0 : cfg.ttbr1, g, cfg.tcr.ips, paMax);
    } else if (mine.length > 0) {
      roots[region] = b.allocTable(g, g.startLevel, `the TTBR${region} root table`);
      if (region === 0) cfg.ttbr0 = BigInt(roots[0]);
      else cfg.ttbr1 = BigInt(roots[1]);
    }
    for (const m of mine) b.map(m, g, roots[region], paMax);
  }
  return { config: cfg, mem: b.mem, tables: b.tables };
}
