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
