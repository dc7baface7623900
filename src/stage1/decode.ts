/**
 * Any 64-bit value read as a stage-1 descriptor, field by field (the bits
 * are descriptor.ts's; the stage-2 decode, whose shapes this
 * shares, is src/walker/decode.ts).
 */

import { PTE_TYPE_LO, PTE_VALID_LO } from "../pgtable/descriptor.js";
import { granuleName, pageShiftOf, type Granule } from "../pgtable/geometry.js";
import {
  AP_NAMES,
  S1_AF_LO,
  S1_AP_LO,
  S1_AP_SHIFT,
  S1_APTABLE_HI,
  S1_APTABLE_SHIFT_HI,
  S1_ATTRINDX_LO,
  S1_ATTRINDX_SHIFT,
  S1_CONT_HI,
  S1_DBM_HI,
  S1_GP_HI,
  S1_NG_LO,
  S1_NS_LO,
  S1_OA_51_48_LO,
  S1_PBHA_HI,
  S1_PBHA_SHIFT_HI,
  S1_PXN_HI,
  S1_PXNTABLE_HI,
  S1_SH_LO,
  S1_SH_SHIFT,
  S1_SW_HI,
  S1_SW_SHIFT_HI,
  S1_UXN_HI,
  S1_UXNTABLE_HI,
  SH1_NAMES,
  s1DescAddress,
  s1LevelShift,
} from "./descriptor.js";
import { alignDown, hex, hexHalves } from "../pgtable/u64.js";
import { addUncoveredBits, type DecodedDescriptor, type DecodedField, type DescriptorKind } from "../walker/decode.js";
import { checkBigU64, checkObject, checkOneOf } from "../pgtable/args.js";
import { GRANULES } from "../pgtable/geometry.js";

/** How to read a stage-1 descriptor. */
export interface S1DecodeOptions {
  /** The stage-1 granule of the table it was read from. */
  granule: Granule;
  /** Level the descriptor was read at; without it a table and a page cannot be told apart. */
  level?: number;
  /** MAIR_EL1 as eight bytes (Attr0 first), to name the AttrIndx entry. */
  mair?: ArrayLike<number>;
  /** 64K granule: bits 15:12 are OA[51:48] (FEAT_LPA); default false. */
  lpa64?: boolean;
}

function bitRange(h: number, l: number): string {
  return h === l ? String(h) : `${h}:${l}`;
}

/** Any 64-bit value read as a stage-1 descriptor, field by field. */
export function decodeS1Descriptor(value: bigint, opts: S1DecodeOptions): DecodedDescriptor {
  checkBigU64(value, "value");
  checkObject(opts, "opts");
  checkOneOf(opts.granule, "opts.granule", GRANULES);
  const lo = Number(value & 0xffffffffn);
  const hi = Number((value >> 32n) & 0xffffffffn);
  const pageShift = pageShiftOf(opts.granule);
  const level = opts.level ?? null;
  const lpa64 = opts.lpa64 ?? false;
  const fields: DecodedField[] = [];
  const notes: string[] = [];
  const add = (name: string, hiBit: number, loBit: number, v: number | bigint, meaning: string): void => {
    const raw = (value >> BigInt(loBit)) & ((1n << BigInt(hiBit - loBit + 1)) - 1n);
    fields.push({ name, bits: bitRange(hiBit, loBit), value: hex(v), raw: hex(raw), meaning });
  };
  const out = (kind: DescriptorKind, summary: string, oa: string | null): DecodedDescriptor => {
    addUncoveredBits(value, fields, "RES0 or ignored in this kind of entry");
    return { value: hexHalves(lo, hi), prot: null, kind, summary, level, granule: granuleName(opts.granule), oa, fields, notes };
  };

  add("VALID", 0, 0, lo & PTE_VALID_LO, lo & PTE_VALID_LO ? "valid" : "invalid: a walk that reads it takes a Translation fault");
  if (!(lo & PTE_VALID_LO))
    return out(
      lo === 0 && hi === 0 ? "empty" : "invalid",
      lo === 0 && hi === 0 ? "empty entry (0): invalid" : "invalid entry (bit 0 clear; the other bits are ignored)",
      null,
    );

  const typeBit = (lo & PTE_TYPE_LO) >>> 1;
  let kind: DescriptorKind;
  if (typeBit) kind = level === null ? "table-or-page" : level === 3 ? "page" : "table";
  else kind = level === 3 ? "reserved" : "block";
  add(
    "TYPE",
    1,
    1,
    typeBit,
    typeBit
      ? level === null
        ? "table (levels 0-2) or page (level 3)"
        : level === 3
          ? "page"
          : "table"
      : level === 3
        ? "reserved at level 3: invalid"
        : "block (invalid where the granule has no blocks at this level)",
  );
  const addr = s1DescAddress(lo, hi, pageShift, lpa64);

  if (kind === "table") {
    add("next-level table", 47, pageShift, addr, `table address ${hex(addr)}`);
    if (pageShift === 16 && lpa64) add("OA[51:48]", 15, 12, (lo & S1_OA_51_48_LO) >>> 12, "table address bits 51:48 (64K granule, FEAT_LPA)");
    const pxnT = (hi & S1_PXNTABLE_HI) !== 0;
    const uxnT = (hi & S1_UXNTABLE_HI) !== 0;
    const apT = (hi & S1_APTABLE_HI) >>> S1_APTABLE_SHIFT_HI;
    add("PXNTable", 59, 59, pxnT ? 1 : 0, pxnT ? "no execution at EL1 below this table" : "no restriction");
    add("UXNTable", 60, 60, uxnT ? 1 : 0, uxnT ? "no execution at EL0 below this table" : "no restriction");
    add("APTable", 62, 61, apT, ["no restriction", "no EL0 access below", "no write access below", "no EL0 access and no write access below"][apT]);
    add("NSTable", 63, 63, (hi >>> 31) & 1, "Secure state only (ignored for Non-secure accesses)");
    return out("table", `table descriptor -> next-level table at ${hex(addr)}`, hex(addr));
  }

  const attrIndx = (lo & S1_ATTRINDX_LO) >>> S1_ATTRINDX_SHIFT;
  const mairByte = opts.mair ? opts.mair[attrIndx] : null;
  add("AttrIndx", 4, 2, attrIndx, `MAIR_EL1.Attr${attrIndx}${mairByte !== null ? ` = 0x${mairByte.toString(16).padStart(2, "0")}` : ""}`);
  add("NS", 5, 5, (lo & S1_NS_LO) >>> 5, "Secure state only (ignored for Non-secure accesses)");
  const ap = (lo & S1_AP_LO) >>> S1_AP_SHIFT;
  add("AP[2:1]", 7, 6, ap, AP_NAMES[ap]);
  const sh = (lo & S1_SH_LO) >>> S1_SH_SHIFT;
  add("SH", 9, 8, sh, SH1_NAMES[sh]);
  add("AF", 10, 10, (lo & S1_AF_LO) >>> 10, lo & S1_AF_LO ? "accessed" : "not accessed: an access takes a stage-1 Access flag fault (TCR_EL1.HA = 0)");
  add("nG", 11, 11, (lo & S1_NG_LO) >>> 11, lo & S1_NG_LO ? "not global (tagged with the ASID)" : "global");
  if (pageShift === 16 && lpa64) add("OA[51:48]", 15, 12, (lo & S1_OA_51_48_LO) >>> 12, "output address bits 51:48 (64K granule, FEAT_LPA)");
  const leafShift = level === null ? pageShift : s1LevelShift(pageShift, level);
  const oa = alignDown(addr, 2 ** leafShift);
  add("OA", 47, leafShift, oa, `output address ${hex(oa)}${level !== null ? ` (${kind === "block" ? "block" : "page"} of ${hex(2 ** leafShift)} bytes)` : ""}`);
  if (oa !== addr) notes.push(`output-address bits below the block size are set (${hex(addr - oa)}): ignored (AArch64_LeafBase)`);
  add("GP", 50, 50, (hi & S1_GP_HI) >>> 18, hi & S1_GP_HI ? "guarded page (FEAT_BTI)" : "not guarded");
  add("DBM", 51, 51, (hi & S1_DBM_HI) >>> 19, hi & S1_DBM_HI ? "dirty bit modifier (effective with TCR_EL1.HA and HD)" : "no dirty bit modifier");
  add("Contiguous", 52, 52, (hi & S1_CONT_HI) >>> 20, hi & S1_CONT_HI ? "contiguous hint" : "no contiguous hint");
  const pxn = (hi & S1_PXN_HI) !== 0;
  const uxn = (hi & S1_UXN_HI) !== 0;
  add("PXN", 53, 53, pxn ? 1 : 0, pxn ? "no execution at EL1" : "EL1 may execute (unless EL0 may write: AArch64_S1DirectBasePermissions makes that PXN)");
  add("UXN", 54, 54, uxn ? 1 : 0, uxn ? "no execution at EL0" : "EL0 may execute");
  const sw = (hi & S1_SW_HI) >>> S1_SW_SHIFT_HI;
  if (sw) add("SW", 58, 55, sw, "software bits (ignored by the hardware)");
  const pbha = (hi & S1_PBHA_HI) >>> S1_PBHA_SHIFT_HI;
  if (pbha) add("PBHA", 62, 59, pbha, "page-based hardware attributes (FEAT_HPDS2) or ignored");

  let summary: string;
  if (kind === "page") summary = `page -> ${hex(oa)}`;
  else if (kind === "block") summary = level !== null ? `level-${level} block (${hex(2 ** leafShift)} bytes) -> ${hex(oa)}` : `block -> ${hex(oa)}`;
  else if (kind === "reserved") summary = "reserved encoding at level 3 (bit 1 clear): the walk takes a Translation fault";
  else summary = `table or page: as a page -> ${hex(oa)}`;
  summary += `, AttrIndx ${attrIndx}${mairByte !== null ? ` (0x${mairByte.toString(16).padStart(2, "0")})` : ""}, AP ${ap.toString(2).padStart(2, "0")}, SH ${["NSH", "SH=01", "OSH", "ISH"][sh]}${lo & S1_AF_LO ? ", AF" : ", AF clear"}${pxn ? ", PXN" : ""}${uxn ? ", UXN" : ""}`;
  return out(kind, summary, hex(oa));
}
