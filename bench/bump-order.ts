/**
 * Free table pages handed out in ascending page order, as sol.c's pool hands
 * them out after pool_reset() (every page free, the bump pointer back at 0,
 * the roots taken first): so that a workload on a "fresh" s2pt table touches
 * the same pages in the same order as sol.c, and both measure the same memory
 * layout. Without this a reused store hands out its free pages in the order
 * the last unmap freed them (a LIFO free stack): the map4k_scatter_64k
 * tables would sit at other offsets of the arena than sol's.
 *
 * Only the store's public kernel operations are used (zalloc_page /
 * put_page): take every free page, then put them back from the highest to
 * the lowest, so that the free stack pops them lowest first. put_page zeroes
 * a page it frees (already zero here) and allocation statistics count the
 * round trip; the set-up is untimed.
 */

import type { TableStore } from "../src/pgtable/storage.js";

/** Reorder the store's free pages so that zallocPage() hands them out in ascending page order. */
export function freePagesInBumpOrder(store: TableStore): void {
  const free = store.bump - store.inUse;
  if (free <= 0) return;
  const saved = store.memcache;
  store.memcache = Infinity;
  try {
    const bump = store.bump;
    const pages = new Int32Array(free);
    for (let i = 0; i < free; i++) {
      const p = store.zallocPage();
      // With `free` pages on the free stack, none of these can come from the bump pointer.
      if (p < 0 || store.bump !== bump) throw new Error(`freePagesInBumpOrder: page ${i} of ${free} free pages not on the free stack`);
      pages[i] = p;
    }
    pages.sort();
    for (let i = free - 1; i >= 0; i--) store.putPage(pages[i]);
  } finally {
    store.memcache = saved;
  }
}
