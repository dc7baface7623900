/**
 * The guest's stage-1 choice for the page: a MAIR_EL1 Attr byte, given as
 * a number (decimal, 0x hex or 0b binary) or as one of the attributes Linux programs into MAIR_EL1
 * (arch/arm64/include/asm/sysreg.h MAIR_ATTR_*; DEVICE_GRE and NORMAL_WT from
 * older kernels), and its stage-1 shareability.
 *
 *   name(s)                                   byte   Linux
 *   device-ngnrne                             0x00   MAIR_ATTR_DEVICE_nGnRnE (ioremap_np, pgprot_noncached)
 *   device-ngnre, device                      0x04   MAIR_ATTR_DEVICE_nGnRE (ioremap)
 *   device-gre                                0x0c   MAIR_ATTR_DEVICE_GRE (older kernels)
 *   normal-nc, nc, wc                         0x44   MAIR_ATTR_NORMAL_NC (ioremap_wc, pgprot_writecombine)
 *   normal-wt, wt                             0xbb   MAIR_ATTR_NORMAL_WT (older kernels)
 *   normal-tagged, tagged                     0xf0   MAIR_ATTR_NORMAL_TAGGED (PROT_MTE)
 *   normal, normal-wb, wb                     0xff   MAIR_ATTR_NORMAL (RAM, ioremap_cache)
 * The MAIR_ATTR_* macro names are accepted too (case-insensitive).
 */

import { linuxMairName } from "../mair/mair.js";
import { InputError, parseSmallNumber, showInput } from "../pgtable/u64.js";
import { parseShareability } from "../mair/attrs.js";

/** A name for a guest MAIR Attr byte (normal, wc, device-ngnre, ...). */
export interface GuestAttrName {
  names: readonly string[];
  attr: number;
  /** What a Linux guest uses it for. */
  use: string;
}

/** Command-line names of the MAIR_ATTR_* bytes (the bytes and macro names are src/mair/mair.ts LINUX_MAIR_ATTRS). */
export const GUEST_ATTR_NAMES: readonly GuestAttrName[] = [
  { names: ["device-ngnrne"], attr: 0x00, use: "ioremap_np(), pgprot_noncached()" },
  { names: ["device-ngnre", "device"], attr: 0x04, use: "ioremap()" },
  { names: ["device-gre"], attr: 0x0c, use: "older kernels" },
  { names: ["normal-nc", "nc", "wc"], attr: 0x44, use: "ioremap_wc(), pgprot_writecombine()" },
  { names: ["normal-wt", "wt"], attr: 0xbb, use: "older kernels" },
  { names: ["normal-tagged", "tagged"], attr: 0xf0, use: "PROT_MTE" },
  { names: ["normal", "normal-wb", "wb"], attr: 0xff, use: "RAM, ioremap_cache()" },
];

/** The guest's stage-1 choice: its MAIR Attr byte and SH. */
export interface GuestChoice {
  /** MAIR Attr byte. */
  attr: number;
  /** Stage-1 SH: 0 NSH, 2 OSH, 3 ISH. */
  sh: number;
}

/** The MAIR_ATTR_* macro of a byte Linux uses, else null. */
export function guestMacro(attr: number): string | null {
  return linuxMairName(attr);
}

/** Parse --guest: a name above, a MAIR_ATTR_* macro, or a byte as a small number (u64.ts: decimal, 0x hex or 0b binary). */
export function parseGuestAttr(text: string, what = "--guest"): number {
  const t = text.trim();
  const low = t.toLowerCase();
  for (const g of GUEST_ATTR_NAMES) if (g.names.includes(low) || guestMacro(g.attr)?.toLowerCase() === low) return g.attr;
  if (/^-?[0-9]/.test(t)) {
    const v = parseSmallNumber(t, what, Infinity);
    if (v > 0xff) throw new InputError(`${what}: ${t} is not a MAIR Attr byte (0x00..0xff)`);
    return v;
  }
  throw new InputError(
    `${what}: '${showInput(text)}' is neither a MAIR Attr byte (0x00..0xff, decimal or 0b binary) nor one of ${GUEST_ATTR_NAMES.map((g) => g.names.join("/")).join(", ")}`,
  );
}

/** Parse --guest-sh: 0/nsh, 2/osh, 3/ish (1 is reserved). */
export function parseSh(text: string, what = "--guest-sh"): number {
  return parseShareability(text, what);
}
