/**
 * A raw stage-2 descriptor stored at (ipa, level): s2pt's model-only
 * `set_pte` (docs/raw-descriptors-and-at.md). Not a kernel entry point:
 * pgtable.c never writes a descriptor it did not compose, and this is how a
 * scenario gets the ones it never writes (a MemAttr Linux does not use, SH
 * Non-shareable, the Contiguous bit, DBM, an output address beyond
 * VTCR_EL2.PS, an invalid entry with software bits, ...). The walker, get_leaf,
 * the dump and the kernel's operations then meet it like any other entry.
 *
 * The store is direct, as another agent writing the table's memory would
 * make it: no break-before-make, no TLBI, no CMO (KVM would make every leaf
 * change through stage2_make_pte() after a break and its TLBI). The page
 * reference counts follow the kernel's rule (stage2_pte_is_counted: a
 * non-zero entry holds a reference on its table page), so that the kernel's
 * operations (unmap, split, the free walker) find the table as they expect.
 *
 * Tables above the entry are made as the architecture needs them and exactly
 * as kvm_init_table_pte() writes them (VALID | TABLE | the next table's
 * address, no other bit): a zeroed table page per missing level, taken
 * from the table's store (not the kernel's memory cache: this is not a
 * kernel op), one reference on the parent page for its new entry.
 *
 * Refused (an ArgumentError naming the argument, before anything changes):
 *   ipa     outside the IPA space, or not aligned to the level's entry size
 *   level   above the start level, or beyond 3
 *   pte     a table descriptor (bits[1:0] = 0b11 above level 3: its address
 *           would have to be a table page of the store; s2pt makes tables),
 *           a block (bits[1:0] = 0b01) where the granule has none
 *           (AArch64_BlockDescSupported false: the walk would read it as
 *           invalid, which an invalid entry already expresses), a
 *           Contiguous leaf whose output address disagrees with the IPA in
 *           the bits the contiguous run spans (ASL StageOA then takes those
 *           bits from the IPA: s2pt's walk, which reads a leaf alone, would
 *           give another PA)
 *   the path  a block or a non-zero invalid entry (an owner annotation) above
 *           `level` covers ipa, or the entry at `level` is a table (its
 *           subtree would be orphaned: unmap it first)
 *
 * The table's store hook (KvmPgtable.storeHook) sees every store, before it
 * is made; unlike the kernel's operations, set_pte keeps no undo journal, so a
 * hook that throws leaves the tables made before that store in place (`s2pt
 * check`, whose hooks judge the kernel's operations, refuses set_pte).
 *
 * Every other bit pattern is stored as given: reserved MemAttr encodings,
 * SH = 0b01, RES0 bits (the walk ignores them as the ASL does; `s2pt
 * decode` names them), an output address beyond the PA size (the walk
 * reports an Address size fault).
 */

import { KVM_PGTABLE_LAST_LEVEL, PTE_TYPE_LO, PTE_VALID_LO, S2_CONT_HI, initTablePteLo, physToPteHi, pteToPhys } from "./descriptor.js";
import { blockDescSupported } from "./geometry.js";
import { KvmPgtable } from "./pgtable.js";
import { ArgumentError, checkBigU64, checkInstance, checkInt, checkOneOf, checkU64 } from "./args.js";
import { hex, hexHalves } from "./u64.js";

/**
 * log2 of the entries in a contiguous run (ASL ContiguousSize, 64-bit
 * descriptors): 4K 4 (16 entries), 16K 5 at level 2 and 7 at level 3, 64K 5.
 */
export function contiguousBits(granule: number, level: number): number {
  checkOneOf(granule, "granule", [4096, 16384, 65536]);
  checkInt(level, "level", -1, 3, "a level (-1..3)");
  if (granule === 4096) return 4;
  if (granule === 16384) return level === 2 ? 5 : 7;
  return 5;
}

/** What setRawPte() did: the tables it created (level, IPA of the first byte they map) and the entry as it was. */
export interface RawPteResult {
  /** The tables created above the entry, outermost first. */
  tables: Array<{ level: number; ipa: string }>;
  /** The descriptor the entry held before. */
  old: string;
}

/**
 * Store descriptor `pte` at the entry that translates `ipa` at `level`,
 * creating the tables above it (see the module comment for what is refused).
 */
export function setRawPte(pgt: KvmPgtable, ipa: number, level: number, pte: bigint): RawPteResult {
  checkInstance(pgt, "pgt", KvmPgtable, "a KvmPgtable");
  if (pgt.destroyed) throw new ArgumentError("pgt", "the table is destroyed");
  checkU64(ipa, "ipa");
  checkBigU64(pte, "pte");
  const g = pgt.geom;
  checkInt(level, "level", -1, 3, "a level (-1..3)");
  if (level < g.startLevel) throw new ArgumentError("level", `${level} is above the start level ${g.startLevel} of this geometry (VTCR_EL2.SL0)`);
  if (ipa >= pgt.iaLimit) throw new ArgumentError("ipa", `${hex(ipa)} is beyond the ${g.iaBits}-bit IPA space (VTCR_EL2.T0SZ = ${64 - g.iaBits})`);
  const size = pgt.granuleSize(level);
  if (ipa % size !== 0) throw new ArgumentError("ipa", `${hex(ipa)} is not aligned to the level-${level} entry size ${hex(size)}`);
  const lo = Number(pte & 0xffffffffn) >>> 0;
  const hi = Number(pte >> 32n) >>> 0;
  if (lo & PTE_VALID_LO) {
    if (lo & PTE_TYPE_LO && level !== KVM_PGTABLE_LAST_LEVEL) {
      throw new ArgumentError(
        "pte",
        `${hex(pte)} is a table descriptor (bits[1:0] = 0b11 at level ${level}): set_pte stores leaves and invalid entries, and makes the tables above them itself`,
      );
    }
    if (!(lo & PTE_TYPE_LO) && !blockDescSupported(g.granule, g.lpa2, g.paBits, level)) {
      throw new ArgumentError(
        "pte",
        `${hex(pte)} is a block descriptor (bits[1:0] = 0b01) at level ${level}, where the ${g.granule / 1024}K granule has no blocks (the walk would read it as invalid: store an invalid entry instead)`,
      );
    }
    if (hi & S2_CONT_HI) {
      const span = size * 2 ** contiguousBits(g.granule, level);
      const oaIn = Math.floor(pteToPhys(pgt.fmt, lo, hi) / size) % (span / size);
      const ipaIn = Math.floor(ipa / size) % (span / size);
      if (oaIn !== ipaIn) {
        throw new ArgumentError(
          "pte",
          `${hex(pte)} has the Contiguous bit with an output address that is entry ${oaIn} of its ${hex(span)} run but the IPA is entry ${ipaIn}: ASL StageOA takes those bits from the IPA, so this leaf is not one of a consistent contiguous run`,
        );
      }
    }
  }

  // Find the entry, checking the path (nothing is written until it is known to be clear).
  const store = pgt.store;
  let page = pgt.pgd;
  let l = g.startLevel;
  const rootSpan = pgt.granuleSize(g.startLevel) * g.ptrsPerPte;
  page += Math.floor(ipa / rootSpan);
  const idx = (lvl: number): number => Math.floor(ipa / pgt.granuleSize(lvl)) % g.ptrsPerPte;
  for (; l < level; l++) {
    const i = idx(l);
    const elo = pgt.entryLo(page, i);
    const ehi = pgt.entryHi(page, i);
    if (pgt.isTable(elo, l)) {
      page = pgt.childPage(elo, ehi);
      continue;
    }
    if ((elo | ehi) !== 0) {
      throw new ArgumentError(
        "ipa",
        `${hex(ipa)} is covered by the level-${l} ${elo & PTE_VALID_LO ? "block" : "invalid entry"} ${hexHalves(elo, ehi)}: set_pte makes tables only in empty entries (unmap it first)`,
      );
    }
    break;
  }
  if (l === level) {
    const i = idx(l);
    const elo = pgt.entryLo(page, i);
    if (pgt.isTable(elo, l)) {
      throw new ArgumentError("ipa", `${hex(ipa)}: the level-${l} entry is a table (a subtree of mappings): set_pte would orphan it (unmap it first)`);
    }
  }
  // Room for the tables still missing: the store's cap (max_table_pages), not the memory cache.
  const missing = level - l;
  if (missing > 0 && store.inUse + missing > store.maxPages) {
    throw new ArgumentError("ipa", `the ${missing} table page(s) set_pte needs above level ${level} would pass the table's cap of ${store.maxPages} pages`);
  }

  const tables: RawPteResult["tables"] = [];
  const savedCache = store.memcache;
  store.memcache = Infinity;
  try {
    for (; l < level; l++) {
      const child = store.zallocPage();
      if (child < 0) throw new ArgumentError("ipa", `no table page left for level ${l + 1} (the table's cap of ${store.maxPages} pages)`);
      const i = idx(l);
      writeEntry(pgt, page, i, initTablePteLo(pgt.fmt, store.pagePa(child)), physToPteHi(pgt.fmt, store.pagePa(child)));
      tables.push({ level: l + 1, ipa: hex(Math.floor(ipa / pgt.granuleSize(l)) * pgt.granuleSize(l)) });
      page = child;
    }
  } finally {
    store.memcache = savedCache;
  }
  const i = idx(level);
  const old = hexHalves(pgt.entryLo(page, i), pgt.entryHi(page, i));
  writeEntry(pgt, page, i, lo, hi);
  return { tables, old };
}

/** One store, with the kernel's reference rule: a non-zero entry holds a reference on its table page. */
function writeEntry(pgt: KvmPgtable, page: number, index: number, lo: number, hi: number): void {
  // The one-page map caches the way to a last-level table; a store made here is not one of its operations.
  pgt.tablesWritten();
  const store = pgt.store;
  const oldLo = pgt.entryLo(page, index);
  const oldHi = pgt.entryHi(page, index);
  const hook = pgt.storeHook;
  if (hook !== null) hook(page, index, oldLo, oldHi, lo >>> 0, hi >>> 0);
  const oldCounted = (oldLo | oldHi) !== 0;
  const newCounted = (lo | hi) !== 0;
  if (newCounted && !oldCounted) store.getPage(page);
  const chunk = store.chunkOf(page);
  const off = store.pageOffset(page) + 2 * index;
  chunk[off] = lo | 0;
  chunk[off + 1] = hi | 0;
  if (oldCounted && !newCounted) store.putPage(page);
}
