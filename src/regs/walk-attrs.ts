/**
 * The table-walk attribute encodings that TCR_EL1 (IRGNn, ORGNn, SHn) and
 * VTCR_EL2 (IRGN0, ORGN0, SH0) share (Arm ARM: TCR_EL1 and VTCR_EL2 field
 * descriptions, the same four values in each).
 */

/** IRGN / ORGN: the cacheability of the memory the walk reads tables from. */
export const WALK_CACHEABILITY = {
  0: "Normal Non-cacheable",
  1: "Normal Write-Back Read-Allocate Write-Allocate Cacheable",
  2: "Normal Write-Through Read-Allocate No Write-Allocate Cacheable",
  3: "Normal Write-Back Read-Allocate No Write-Allocate Cacheable",
} as const;

/** SH: the shareability of the table walk's accesses. */
export const WALK_SHAREABILITY = { 0: "Non-shareable", 1: "reserved", 2: "Outer Shareable", 3: "Inner Shareable" } as const;
