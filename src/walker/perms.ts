/**
 * Stage-2 access permissions of a leaf descriptor, as the architecture
 * computes them (ASL AArch64_S2ApplyOutputPerms, AArch64_S2DirectBasePermissions,
 * AArch64_S2CheckPermissions; FEAT_S2PIE, FEAT_S2POE and FEAT_THE off).
 *
 *   S2AP[1:0] (bits 7:6)   00 none   01 read   10 write   11 read + write
 *   DBM (bit 51)           with VTCR_EL2.HA = HD = 1: S2AP[1] counts as set
 *                          (a write is allowed and sets it: the dirty state)
 *   XN[1:0] (bits 54:53)   with FEAT_XNX (bit 53 = XNX):
 *                            00 EL1 and EL0 execute   01 EL0 only (EL1 XN)
 *                            10 neither               11 EL1 only (EL0 XN)
 *                          without FEAT_XNX bit 53 is RES0 and ignored: bit 54
 *                          alone is XN for both Exception levels
 *
 * What an access needs (AArch64_S2CheckPermissions, AArch64 EL1&0 regime):
 * a data read needs read, a data write needs write, an instruction fetch
 * needs execute for the EL of the access. An instruction fetch does not also
 * need read at stage 2 (the ASL checks only x for AccessType_IFETCH).
 */

import { S2AP_R_LO, S2AP_W_LO, S2_DBM_HI, S2_XNX_HI, S2_XNX_SHIFT_HI, S2_XN_HI } from "../pgtable/descriptor.js";
import { ACCESS_EXEC, ACCESS_READ } from "./fault.js";

/** Permission bits returned by s2PermBits. */
export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_X = 4;

/**
 * The stage-2 permissions a leaf grants to an access at `el` (0 or 1):
 * PERM_R | PERM_W | PERM_X. `xnx`: FEAT_XNX implemented; `hwDirty`:
 * VTCR_EL2.HA and HD both set (DBM makes the page writable).
 */
export function s2PermBits(lo: number, hi: number, el: number, xnx: boolean, hwDirty: boolean): number {
  let p = 0;
  if (lo & S2AP_R_LO) p |= PERM_R;
  if (lo & S2AP_W_LO || (hwDirty && hi & S2_DBM_HI)) p |= PERM_W;
  if (xnx) {
    // AArch64_S2DirectBasePermissions: (s2xn, s2xnx) -> (px, ux).
    const xn = (hi & S2_XNX_HI) >>> S2_XNX_SHIFT_HI;
    if (xn === 0 || (el === 0 ? xn === 1 : xn === 3)) p |= PERM_X;
  } else if ((hi & S2_XN_HI) === 0) {
    p |= PERM_X;
  }
  return p;
}

/** The permission bit an access needs. */
export function permNeeded(access: number): number {
  return access === ACCESS_READ ? PERM_R : access === ACCESS_EXEC ? PERM_X : PERM_W;
}
