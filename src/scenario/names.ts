/**
 * The names a person (or a scenario file) uses for prots, walk flags,
 * MemAttr values and access kinds: one vocabulary for every command and the
 * scenario reader. Names are case-insensitive; the kernel's own macro names
 * are accepted next to the short ones.
 *
 *   prot      R, W, X, DEVICE, NORMAL_NC, SW0..SW3, or KVM_PGTABLE_PROT_R ...  joined by '|'
 *   flags     SHARED, HANDLE_FAULT, SKIP_BBM_TLBI, SKIP_CMO, or KVM_PGTABLE_WALK_SHARED ...
 *   MemAttr   a small number 0..0xf, or MT_S2_NORMAL, MT_S2_NORMAL_NC, MT_S2_DEVICE_nGnRE (FWB off)
 *             and MT_S2_FWB_NORMAL, MT_S2_FWB_NORMAL_NC, MT_S2_FWB_DEVICE_nGnRE (FWB on)
 *   access    r / read, w / write, x / exec / execute (an instruction fetch)
 */

import { MT_S2_DEVICE_nGnRE, MT_S2_FWB_DEVICE_nGnRE, MT_S2_FWB_NORMAL, MT_S2_FWB_NORMAL_NC, MT_S2_NORMAL, MT_S2_NORMAL_NC } from "../pgtable/descriptor.js";
import { typeName } from "./jsonfields.js";
import { InputError, parseSmallNumber, showInput } from "../pgtable/u64.js";

/**
 * `R|W|X`-style names joined by `|`; "" is none. `prefix` is the kernel's
 * macro prefix also accepted before each name (KVM_PGTABLE_PROT_).
 */
export function parseNames(v: unknown, path: string, table: ReadonlyArray<readonly [string, number]>, what: string, prefix = ""): number {
  if (typeof v !== "string") throw new InputError(`${path}: expected a string of ${what} names joined by '|', got ${typeName(v)}`);
  if (v === "") return 0;
  let bits = 0;
  for (const part of v.split("|")) {
    let name = part.trim().toUpperCase();
    if (prefix && name.startsWith(prefix)) name = name.slice(prefix.length);
    const hit = table.find(([n]) => n === name);
    if (!hit) throw new InputError(`${path}: unknown ${what} name '${showInput(part.trim())}' (known: ${table.map(([n]) => n).join(", ")})`);
    bits |= hit[1];
  }
  return bits >>> 0;
}

export const PROT_PREFIX = "KVM_PGTABLE_PROT_";
export const WALK_FLAG_PREFIX = "KVM_PGTABLE_WALK_";

/** The stage-2 MemAttr values Linux 6.18 writes, by their asm/memory.h names, and the FWB mode each belongs to. */
export const S2_MEMATTR_NAMES: ReadonlyArray<readonly [string, number, boolean]> = [
  ["MT_S2_NORMAL", MT_S2_NORMAL, false],
  ["MT_S2_NORMAL_NC", MT_S2_NORMAL_NC, false],
  ["MT_S2_DEVICE_nGnRE", MT_S2_DEVICE_nGnRE, false],
  ["MT_S2_FWB_NORMAL", MT_S2_FWB_NORMAL, true],
  ["MT_S2_FWB_NORMAL_NC", MT_S2_FWB_NORMAL_NC, true],
  ["MT_S2_FWB_DEVICE_nGnRE", MT_S2_FWB_DEVICE_nGnRE, true],
];

/**
 * A stage-2 MemAttr[3:0]: a small number, or an MT_S2_* / MT_S2_FWB_* name.
 * A name of the other FWB mode is refused: MT_S2_NORMAL (0xf) read with FWB
 * on is not Normal Write-Back.
 */
export function parseS2MemAttr(text: string, what: string, fwb: boolean): number {
  const t = text.trim();
  if (/^MT_/i.test(t)) {
    const hit = S2_MEMATTR_NAMES.find(([n]) => n.toUpperCase() === t.toUpperCase());
    if (!hit) throw new InputError(`${what}: unknown MemAttr name '${showInput(t)}' (known: ${S2_MEMATTR_NAMES.map(([n]) => n).join(", ")})`);
    const [name, value, fwbName] = hit;
    if (fwbName !== fwb) {
      const other = S2_MEMATTR_NAMES.find(([n, , f]) => f === fwb && n.replace("MT_S2_FWB_", "MT_S2_") === name.replace("MT_S2_FWB_", "MT_S2_"));
      throw new InputError(
        `${what}: ${name} (0x${value.toString(16)}) is the MemAttr Linux writes with FWB ${fwbName ? "on" : "off"}; with FWB ${fwb ? "on" : "off"} it writes ${other?.[0]} (0x${other?.[1].toString(16)})${fwb ? " (or give --no-fwb)" : " (or drop --no-fwb)"}`,
      );
    }
    return value;
  }
  return parseSmallNumber(t, what, 0xf);
}

/** Access kinds in the walker's order (ACCESS_READ 0, ACCESS_WRITE 1, ACCESS_EXEC 2): the short name first. */
export const ACCESS_WORDS: ReadonlyArray<readonly string[]> = [
  ["r", "read"],
  ["w", "write"],
  ["x", "exec", "execute"],
];

/** An access kind: 0 read, 1 write, 2 instruction fetch. */
export function parseAccess(v: unknown, what: string): number {
  if (typeof v !== "string") throw new InputError(`${what}: expected "r", "w" or "x" (or read, write, exec), got ${typeName(v)}`);
  const t = v.trim().toLowerCase();
  const k = ACCESS_WORDS.findIndex((w) => w.includes(t));
  if (k < 0) throw new InputError(`${what}: '${showInput(v)}' is not r (read), w (write) or x (execute)`);
  return k;
}
