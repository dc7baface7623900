/**
 * Any 64-bit value read as a stage-2 descriptor, field by field, the way a
 * kernel engineer reads a PTE. Field positions come from descriptor.ts only.
 */

import {
  ADDR_51_48_LO,
  ADDR_51_50_LPA2_LO,
  INVALID_PTE_LOCKED_LO,
  INVALID_PTE_OWNER_LO,
  INVALID_PTE_OWNER_SHIFT,
  KVM_PGTABLE_LAST_LEVEL,
  PTE_TYPE_LO,
  PTE_VALID_LO,
  S2AP_R_LO,
  S2AP_W_LO,
  S2_AF_LO,
  S2_CONT_HI,
  S2_DBM_HI,
  S2_FNXS_LO,
  S2_MEMATTR_LO,
  S2_MEMATTR_SHIFT,
  S2_PBHA_HI,
  S2_PBHA_SHIFT_HI,
  S2_SH_LO,
  S2_SH_SHIFT,
  S2_XNX_HI,
  S2_XNX_SHIFT_HI,
  S2_XN_HI,
  SW_HI,
  SW_SHIFT_HI,
  PROT_DEVICE,
  PROT_KNOWN,
  PROT_KNOWN_NAMES,
  PROT_NAMES,
  PROT_NORMAL_NC,
  pteFormat,
  pteToPhys,
  s2MemAttrDevice,
  s2MemAttrNormal,
  s2MemAttrNormalNC,
  stage2PteProt,
} from "../pgtable/descriptor.js";
import { describeS2MemAttr } from "../mair/s2memattr.js";
import { InputError, TWO_64_BIG, alignDown, hex, hexHalves, joinU64 } from "../pgtable/u64.js";
import type { Granule } from "../pgtable/geometry.js";
import { GRANULES, PARANGE_BITS, blockDescSupported, granuleName, kvmGranuleShift, pageShiftOf } from "../pgtable/geometry.js";
import { encodeLeafChecked } from "../pgtable/leaf.js";
import { checkU64 } from "../pgtable/args.js";
import { checkBits, checkObject, checkShape, checkString } from "../pgtable/args.js";

/** How to read a stage-2 descriptor: its format, and the level it was read at. */
export interface DecodeOptions {
  granule: Granule;
  /** Level the descriptor was read at; without it a table and a page cannot be told apart. */
  level?: number;
  lpa2: boolean;
  fwb: boolean;
  /** PA size of the host (default 48, or 52 when the format carries 52 bits). */
  paBits?: number;
}

/** One field of a decoded descriptor. */
export interface DecodedField {
  name: string;
  /** "5:2" or "10". */
  bits: string;
  /** The field's value, hex: its bits shifted down, except for addresses, which are shown as the address. */
  value: string;
  /** The field's bits exactly as they sit in the descriptor, shifted down to bit 0 (hex). */
  raw: string;
  meaning: string;
  /** A second reading of bits another field already covers (e.g. XN[1:0] over XN): left out when re-encoding. */
  view?: boolean;
}

/** What a descriptor is, as decodeS2Descriptor reads it. */
export type DescriptorKind = "empty" | "invalid" | "owner" | "locked" | "table" | "block" | "page" | "table-or-page" | "reserved";

/** A 64-bit value read as a descriptor, field by field: JSON-safe. */
export interface DecodedDescriptor {
  value: string;
  /** For a leaf: the kvm_pgtable_prot that stage2_set_prot_attr() turns into these attributes (names joined by '|'). */
  prot: string | null;
  kind: DescriptorKind;
  summary: string;
  level: number | null;
  granule: string;
  /** Output address (leaves) or next-level table address, hex. */
  oa: string | null;
  fields: DecodedField[];
  /** Things a reader should notice: RES0 bits set, OA beyond the PA range, ... */
  notes: string[];
}

const SH_NAMES = ["Non-shareable", "reserved (CONSTRAINED UNPREDICTABLE)", "Outer Shareable", "Inner Shareable"];

function bitRange(hi: number, lo: number): string {
  return hi === lo ? String(hi) : `${hi}:${lo}`;
}

/** Bit n of a (lo, hi) pair. */
function bit(lo: number, hi: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

/**
 * Refuse a descriptor format that does not exist: FEAT_LPA2 descriptors with a
 * 64K granule, or level -1 without 4K + FEAT_LPA2 (the only 5-level layout).
 * `names` says how the caller names the two inputs in its messages.
 */
export function checkDecodeFormat(
  o: { granule: Granule; lpa2: boolean; level?: number | undefined },
  names: { lpa2: string; level: string } = { lpa2: "--lpa2", level: "--level" },
): void {
  if (o.lpa2 && o.granule === 65536) throw new InputError(`${names.lpa2}: FEAT_LPA2 descriptors exist for 4K and 16K granules only`);
  if (o.level === -1 && !(o.lpa2 && o.granule === 4096)) throw new InputError(`${names.level}: level -1 exists only with a 4K granule and FEAT_LPA2`);
  // 64K tables have levels 1..3 only (kvm_granule_shift(0) = 55 would index bits above 52).
  if (o.level === 0 && o.granule === 65536) throw new InputError(`${names.level}: a 64K granule has no level 0 (its tables are levels 1..3)`);
}

/**
 * Append an "other" field holding every bit of `value` that no field covers
 * (so that a decode accounts for all 64 bits), with `why` after the bit list.
 */
export function addUncoveredBits(value: bigint, fields: DecodedField[], why: string): void {
  let covered = 0n;
  for (const fld of fields) {
    const [h, l] = fld.bits.split(":").map(Number);
    const lowBit = l ?? h;
    covered |= ((1n << BigInt(h - lowBit + 1)) - 1n) << BigInt(lowBit);
  }
  const rest = value & ~covered;
  if (rest === 0n) return;
  const bits: number[] = [];
  for (let i = 0; i < 64; i++) if ((rest >> BigInt(i)) & 1n) bits.push(i);
  fields.push({ name: "other", bits: "63:0", value: hex(rest), raw: hex(rest), meaning: `bit${bits.length > 1 ? "s" : ""} ${bits.join(", ")}: ${why}` });
}

/** Refuse what decodeS2Descriptor cannot read: a value outside 0..2^64-1, an unknown granule, level or PA size. */
function checkDecodeArgs(value: bigint, opts: DecodeOptions): void {
  if (typeof value !== "bigint") throw new InputError(`decodeS2Descriptor: value: expected a bigint, got ${typeof value}`);
  if (value < 0n || value >= TWO_64_BIG)
    throw new InputError(
      `decodeS2Descriptor: value: ${value < 0n ? "-" : ""}${hex(value < 0n ? -value : value)} is not a 64-bit descriptor (0..0xffffffffffffffff)`,
    );
  if (!(GRANULES as readonly unknown[]).includes(opts.granule))
    throw new InputError(`decodeS2Descriptor: granule: ${String(opts.granule)} is not 4096, 16384 or 65536`);
  if (opts.level !== undefined && !(Number.isInteger(opts.level) && opts.level >= -1 && opts.level <= 3)) {
    throw new InputError(`decodeS2Descriptor: level: ${String(opts.level)} is not a level (-1..3)`);
  }
  if (opts.paBits !== undefined && !(PARANGE_BITS as readonly unknown[]).includes(opts.paBits)) {
    throw new InputError(`decodeS2Descriptor: paBits: ${String(opts.paBits)} is not a PARange size (${PARANGE_BITS.join(", ")})`);
  }
}

/**
 * The bits a stage-2 leaf written by kvm_pgtable_stage2_map() can have
 * (stage2_set_prot_attr() and kvm_init_valid_leaf_pte()): VALID, TYPE,
 * MemAttr, S2AP, SH (not with LPA2), AF, the output address, XN (bit 54
 * only in 6.18.25) and the software bits. Low and high halves.
 */
export function kvmLeafBits(f: ReturnType<typeof pteFormat>): { lo: number; hi: number } {
  let lo = PTE_VALID_LO | PTE_TYPE_LO | S2_MEMATTR_LO | S2AP_R_LO | S2AP_W_LO | S2_AF_LO | f.addrLo;
  if (!f.lpa2) lo |= S2_SH_LO;
  if (f.highOa === 1) lo |= ADDR_51_48_LO;
  if (f.highOa === 2) lo |= ADDR_51_50_LPA2_LO;
  return { lo: lo >>> 0, hi: (f.addrHi | S2_XN_HI | SW_HI) >>> 0 };
}

/** Notes for the bits of a leaf that KVM never writes, each named by the field that holds it. */
function strayLeafBitNotes(lo: number, hi: number, f: ReturnType<typeof pteFormat>, fields: readonly DecodedField[]): string[] {
  const m = kvmLeafBits(f);
  const strayLo = (lo & ~m.lo) >>> 0;
  const strayHi = (hi & ~m.hi) >>> 0;
  const notes: string[] = [];
  for (let b = 0; b < 64; b++) {
    if (!(b < 32 ? (strayLo >>> b) & 1 : (strayHi >>> (b - 32)) & 1)) continue;
    const fld = fields.find((x) => !x.view && x.name !== "other" && fieldCovers(x, b)) ?? fields.find((x) => x.view && fieldCovers(x, b));
    const name = fld ? fld.name : "no field in this format";
    notes.push(`bit ${b} (${name}) is set: kvm_pgtable_stage2_map() never writes it in a leaf`);
  }
  return notes;
}

function fieldCovers(f: DecodedField, b: number): boolean {
  const [h, l] = f.bits.split(":").map(Number);
  return b <= h && b >= (l ?? h);
}

/** Decode a 64-bit value as a stage-2 descriptor. */
export function decodeS2Descriptor(value: bigint, opts: DecodeOptions): DecodedDescriptor {
  checkDecodeArgs(value, opts);
  const lo = Number(value & 0xffffffffn);
  const hi = Number((value >> 32n) & 0xffffffffn);
  const f = pteFormat(opts.granule, opts.lpa2);
  const pageShift = pageShiftOf(opts.granule);
  const level = opts.level ?? null;
  const paBits = opts.paBits ?? (f.oaLimit > 2 ** 48 ? 52 : 48);
  const fields: DecodedField[] = [];
  const notes: string[] = [];
  const out = (kind: DescriptorKind, summary: string, oa: string | null, prot: string | null = null): DecodedDescriptor => {
    // Whatever no field covers is shown too, so that every bit is accounted for.
    addUncoveredBits(value, fields, "no meaning in this kind of entry as KVM writes it");
    return { value: hexHalves(lo, hi), prot, kind, summary, level, granule: granuleName(opts.granule), oa, fields, notes };
  };
  const add = (name: string, hiBit: number, loBit: number, v: number | bigint, meaning: string, view = false): void => {
    const raw = (value >> BigInt(loBit)) & ((1n << BigInt(hiBit - loBit + 1)) - 1n);
    const fld: DecodedField = { name, bits: bitRange(hiBit, loBit), value: hex(v), raw: hex(raw), meaning };
    if (view) fld.view = true;
    fields.push(fld);
  };

  add("VALID", 0, 0, lo & PTE_VALID_LO, lo & PTE_VALID_LO ? "valid" : "invalid: the hardware ignores every other bit");

  if (!(lo & PTE_VALID_LO)) {
    if (lo === 0 && hi === 0) return out("empty", "empty entry (0): not counted in the table page's refcount", null);
    if (lo & INVALID_PTE_LOCKED_LO) {
      add("KVM_INVALID_PTE_LOCKED", 10, 10, 1, "break-before-make in progress (stage2_try_break_pte wrote it; stage2_make_pte replaces it)");
      return out("locked", "invalid, locked by a walker doing break-before-make (KVM_INVALID_PTE_LOCKED)", null);
    }
    const owner = (lo & INVALID_PTE_OWNER_LO) >>> INVALID_PTE_OWNER_SHIFT;
    const rest = (lo & ~(INVALID_PTE_OWNER_LO | PTE_VALID_LO)) >>> 0 || hi;
    if (owner !== 0) {
      add("KVM_INVALID_PTE_OWNER_MASK", 9, 2, owner, `owner id ${owner} (kvm_pgtable_stage2_set_owner annotation; counted in the refcount)`);
      if (rest) notes.push("bits outside the owner field are set: KVM never writes such an invalid entry");
      return out("owner", `invalid, owner annotation: owner id ${owner}`, null);
    }
    notes.push("KVM never writes this invalid value (not empty, no owner id, not locked)");
    return out("invalid", "invalid entry with ignored bits set (counted in the refcount: stage2_pte_is_counted is pte != 0)", null);
  }

  const typeBit = (lo & PTE_TYPE_LO) >>> 1;
  let kind: DescriptorKind;
  if (typeBit) kind = level === null ? "table-or-page" : level === KVM_PGTABLE_LAST_LEVEL ? "page" : "table";
  else kind = level === KVM_PGTABLE_LAST_LEVEL ? "reserved" : "block";
  add(
    "TYPE",
    1,
    1,
    typeBit,
    typeBit
      ? level === null
        ? "table (levels 0-2) or page (level 3): give the level to tell them apart"
        : level === KVM_PGTABLE_LAST_LEVEL
          ? "page (KVM_PTE_TYPE_PAGE)"
          : "table (KVM_PTE_TYPE_TABLE)"
      : level === KVM_PGTABLE_LAST_LEVEL
        ? "reserved at level 3 (the hardware treats it as invalid)"
        : "block (KVM_PTE_TYPE_BLOCK)",
  );

  const pa = pteToPhys(f, lo, hi);
  if (kind === "table") {
    add("next-level table", f.lpa2 ? 49 : 47, pageShift, pa, `table address ${hex(pa)} (kvm_pte_to_phys; the dump zeroes it because the allocator chose it)`);
    if (f.highOa === 1) add("OA[51:48]", 15, 12, (lo & ADDR_51_48_LO) >>> 12, "table address bits 51:48 (64K granule)");
    if (f.highOa === 2) add("OA[51:50]", 9, 8, (lo & ADDR_51_50_LPA2_LO) >>> 8, "table address bits 51:50 (FEAT_LPA2)");
    const ignoredLo = (lo & ~(f.addrLo | PTE_VALID_LO | PTE_TYPE_LO | (f.highOa === 1 ? ADDR_51_48_LO : 0) | (f.highOa === 2 ? ADDR_51_50_LPA2_LO : 0))) >>> 0;
    const ignoredHi = (hi & ~f.addrHi) >>> 0;
    if (ignoredLo || ignoredHi) {
      notes.push(
        `bits ${hex(joinU64(ignoredLo, ignoredHi))} are set: kvm_init_table_pte() writes only the address, TYPE and VALID (no hierarchical attributes at stage 2)`,
      );
    }
    if (pa >= 2 ** paBits) notes.push(`the table address is beyond the ${paBits}-bit PA range: the walk takes an Address size fault`);
    return out("table", `table descriptor -> next-level table at ${hex(pa)}`, hex(pa));
  }

  // Leaf (or table-or-page): attributes.
  const memattr = (lo & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT;
  const mt = describeS2MemAttr(memattr, opts.fwb);
  add("MemAttr", 5, 2, memattr, `${mt.text}${mt.linux ? `, ${mt.linux}` : ""} (read with FWB ${opts.fwb ? "on" : "off"})`);
  const r = (lo & S2AP_R_LO) !== 0;
  const w = (lo & S2AP_W_LO) !== 0;
  add("S2AP", 7, 6, (lo & (S2AP_R_LO | S2AP_W_LO)) >>> 6, `${r ? "read" : "no read"}, ${w ? "write" : "no write"} (S2AP_R bit 6, S2AP_W bit 7)`);
  if (!f.lpa2) {
    const sh = (lo & S2_SH_LO) >>> S2_SH_SHIFT;
    add("SH", 9, 8, sh, SH_NAMES[sh]);
  } else {
    add("OA[51:50]", 9, 8, (lo & ADDR_51_50_LPA2_LO) >>> 8, "output address bits 51:50 (FEAT_LPA2: shareability comes from VTCR_EL2.SH0)");
  }
  add("AF", 10, 10, (lo & S2_AF_LO) >>> 10, lo & S2_AF_LO ? "accessed" : "not accessed: an access takes an Access flag fault unless VTCR_EL2.HA is set");
  add("FnXS", 11, 11, (lo & S2_FNXS_LO) >>> 11, lo & S2_FNXS_LO ? "XS attribute forced to 0 (FEAT_XS)" : "XS from the memory type (KVM never sets FnXS)");
  if (f.highOa === 1) add("OA[51:48]", 15, 12, (lo & ADDR_51_48_LO) >>> 12, "output address bits 51:48 (64K granule, FEAT_LPA)");

  let leafShift = pageShift;
  if (level !== null) leafShift = kvmGranuleShift(pageShift, level);
  const leafSize = 2 ** leafShift;
  const oaPa = alignDown(pa, leafSize);
  add(
    "OA",
    f.lpa2 ? 49 : 47,
    leafShift,
    oaPa,
    `output address ${hex(oaPa)}${level !== null ? ` (${kind === "block" ? "block" : "page"} of ${hex(leafSize)} bytes)` : ""}`,
  );
  if (pa !== oaPa) notes.push(`output-address bits below the ${kind} size are set (${hex(pa - oaPa)}): RES0 in a block descriptor`);
  if (oaPa >= 2 ** paBits) notes.push(`the output address is beyond the ${paBits}-bit PA range: an access takes an Address size fault`);

  add(
    "DBM",
    51,
    51,
    bit(lo, hi, 51),
    hi & S2_DBM_HI
      ? "dirty bit modifier set (with VTCR_EL2.HD a write sets S2AP[1] instead of faulting)"
      : "no dirty bit modifier (KVM's stage 2 never sets it)",
  );
  add("Contiguous", 52, 52, bit(lo, hi, 52), hi & S2_CONT_HI ? "contiguous hint set" : "no contiguous hint (KVM's stage 2 never sets it)");
  const xnx = (hi & S2_XNX_HI) >>> S2_XNX_SHIFT_HI;
  add("XN", 54, 54, (hi & S2_XN_HI) >>> 22, hi & S2_XN_HI ? "execute never (KVM_PTE_LEAF_ATTR_HI_S2_XN)" : "executable");
  add(
    "XN[1:0] (FEAT_XNX)",
    54,
    53,
    xnx,
    ["EL0 and EL1 may execute", "EL0 may execute, EL1 may not (PXN)", "no execution at any EL", "EL1 may execute, EL0 may not (UXN)"][xnx] +
      " (the FEAT_XNX reading; Linux 6.18.25 writes only bit 54)",
    true,
  );
  const sw = (hi & SW_HI) >>> SW_SHIFT_HI;
  add(
    "SW",
    58,
    55,
    sw,
    sw
      ? `software bits ${[0, 1, 2, 3]
          .filter((i) => sw & (1 << i))
          .map((i) => `SW${i}`)
          .join("|")} (KVM_PGTABLE_PROT_SW*)`
      : "no software bits",
  );
  const pbha = (hi & S2_PBHA_HI) >>> S2_PBHA_SHIFT_HI;
  if (pbha) add("PBHA", 62, 59, pbha, "page-based hardware attributes (FEAT_HPDS2); KVM never sets them");
  notes.push(...strayLeafBitNotes(lo, hi, f, fields));

  let summary: string;
  if (kind === "page") summary = `page -> ${hex(oaPa)}`;
  else if (kind === "block" && level !== null && !blockDescSupported(opts.granule, f.lpa2, paBits, level)) {
    summary = `block descriptor at level ${level}, where a ${granuleName(opts.granule)} granule${f.lpa2 ? " with FEAT_LPA2" : ""} has no blocks: the walk takes a Translation fault`;
    notes.push(`AArch64_BlockDescSupported: no block at level ${level} for this granule and PA size`);
  } else if (kind === "block")
    summary = level !== null ? `level-${level} block (${hex(2 ** leafShift)} bytes) -> ${hex(oaPa)}` : `block -> ${hex(oaPa)} (give the level for its size)`;
  else if (kind === "reserved") summary = "reserved encoding at level 3 (bit 1 clear): the hardware takes a Translation fault";
  else summary = `table or page: as a page -> ${hex(oaPa)}`;
  summary += `, ${mt.short}, ${r ? "R" : "-"}${w ? "W" : "-"}${hi & S2_XN_HI ? "-" : "X"}${lo & S2_AF_LO ? ", AF" : ", AF clear"}`;
  return out(kind, summary, hex(oaPa), protNames(protOfLeaf(lo, hi, opts.fwb)));
}

/**
 * The kvm_pgtable_prot a valid leaf encodes: stage2_set_prot_attr() read
 * backwards (R, W, X from S2AP and XN; DEVICE or NORMAL_NC from MemAttr;
 * SW bits). -1 when MemAttr is none of the three values KVM writes.
 */
export function protOfLeaf(lo: number, hi: number, fwb: boolean): number {
  let prot = stage2PteProt(lo, hi);
  const memattr = (lo & S2_MEMATTR_LO) >>> S2_MEMATTR_SHIFT;
  if (memattr === s2MemAttrDevice(fwb)) prot |= PROT_DEVICE;
  else if (memattr === s2MemAttrNormalNC(fwb)) prot |= PROT_NORMAL_NC;
  else if (memattr !== s2MemAttrNormal(fwb)) return -1;
  return prot >>> 0;
}

/** A prot as FORMAT.md names it ("" for none); null for -1. */
export function protNames(prot: number): string | null {
  if (prot !== -1) checkBits(prot, "prot", PROT_KNOWN, PROT_KNOWN_NAMES);
  if (prot < 0) return null;
  return PROT_NAMES.filter(([, bit]) => (prot & bit) !== 0)
    .map(([n]) => n)
    .join("|");
}

/** Put a decoded descriptor's fields back together (the inverse of decodeS2Descriptor, for checking it). */
export function reencodeFields(d: DecodedDescriptor): bigint {
  let v = 0n;
  for (const f of d.fields) {
    if (f.view) continue;
    const lo = Number(f.bits.split(":").pop());
    v |= BigInt(f.raw) << BigInt(lo);
  }
  return v;
}

/** Decoded descriptor as text, one field per line, then the prot (for a leaf) and the notes. */
export function formatDecoded(d: DecodedDescriptor): string {
  // The fields read below, by type ({} was a TypeError from inside).
  const maker = "decodeS2Descriptor()";
  const o = checkShape(d, "d", { value: "string", summary: "string", granule: "string", kind: "string", fields: "array", notes: "array" }, maker);
  (o.fields as unknown[]).forEach((f, i) => checkShape(f, `d.fields[${i}]`, { name: "string", bits: "string", value: "string", meaning: "string" }, maker));
  const lines = [`${d.value}  ${d.summary}`, `  granule ${d.granule}${d.level !== null ? `, level ${d.level}` : ""}`];
  const w = Math.max(...d.fields.map((x) => x.name.length));
  const bw = Math.max(...d.fields.map((x) => x.bits.length));
  const vw = Math.max(...d.fields.map((x) => x.value.length));
  for (const fld of d.fields) lines.push(`  ${fld.name.padEnd(w)}  [${fld.bits}]${" ".repeat(bw - fld.bits.length)}  ${fld.value.padEnd(vw)}  ${fld.meaning}`);
  if (d.prot !== null) lines.push(`  prot ${d.prot === "" ? '"" (none)' : d.prot}  (the kvm_pgtable_prot stage2_set_prot_attr() turns into these attributes)`);
  else if (d.kind === "page" || d.kind === "block" || d.kind === "table-or-page")
    lines.push("  prot none: MemAttr is not a value stage2_set_prot_attr() writes");
  for (const n of d.notes) lines.push(`  note: ${n}`);
  return lines.join("\n");
}

/** One field in which a descriptor differs from the leaf pgtable.c writes. */
export interface LeafDifference {
  field: string;
  bits: string;
  /** The field in the descriptor given, and in the kernel's leaf (raw, hex). */
  got: string;
  expected: string;
  gotMeaning: string;
  expectedMeaning: string;
}

/** Whether a descriptor is exactly the leaf pgtable.c writes, and each field in which it differs (leafVerdict). */
export interface LeafVerdict {
  /** The leaf kvm_pgtable_stage2_map() writes for (pa, level, prot), or null when the kernel refuses the prot. */
  expected: string | null;
  /** The kernel's refusal (stage2_set_prot_attr()'s -EINVAL), or null. */
  refusal: string | null;
  pa: string;
  level: number;
  prot: string;
  identical: boolean;
  differences: LeafDifference[];
}

/**
 * Is `value` exactly the leaf pgtable.c writes for `prot` at `level` (with
 * PA `paArg`, a number below 2^53, by default the descriptor's own output
 * address)? The kernel's
 * leaf comes from the one encoder (leaf.ts encodeLeafChecked); the two are
 * compared field by field as decodeS2Descriptor names them.
 */
export function leafVerdict(value: bigint, prot: number, opts: DecodeOptions & { level: number }, paArg?: number): LeafVerdict {
  checkDecodeArgs(value, opts);
  const pa = paArg === undefined ? undefined : BigInt(checkU64(paArg, "pa"));
  const lo = Number(value & 0xffffffffn);
  const hi = Number((value >> 32n) & 0xffffffffn);
  const f = pteFormat(opts.granule, opts.lpa2);
  const leafSize = 2 ** kvmGranuleShift(pageShiftOf(opts.granule), opts.level);
  const oa = BigInt(alignDown(pteToPhys(f, lo, hi), leafSize));
  const usePa = pa ?? oa;
  const protText = protNames(prot) ?? "";
  const base = { pa: hex(usePa), level: opts.level, prot: protText };
  const enc = encodeLeafChecked({ granule: opts.granule, lpa2: opts.lpa2, fwb: opts.fwb, paBits: opts.paBits }, usePa, opts.level, prot);
  if (typeof enc === "string") return { ...base, expected: null, refusal: enc, identical: false, differences: [] };
  const want = joinU64(enc.lo, enc.hi);
  if (want === value) return { ...base, expected: hex(want), refusal: null, identical: true, differences: [] };
  const got = decodeS2Descriptor(value, opts);
  const exp = decodeS2Descriptor(want, opts);
  const differences: LeafDifference[] = [];
  // Compare bit by bit, then report each differing field once (the fields of both decodes, without the views).
  const x = value ^ want;
  const seen = new Set<string>();
  for (let b = 0; b < 64; b++) {
    if (!((x >> BigInt(b)) & 1n)) continue;
    const fg = got.fields.find((q) => !q.view && q.name !== "other" && fieldCovers(q, b));
    const fe = exp.fields.find((q) => !q.view && q.name !== "other" && fieldCovers(q, b));
    const fld = fg ?? fe;
    const key = fld ? `${fld.name}[${fld.bits}]` : `bit ${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (fld) {
      const [h, l] = fld.bits.split(":").map(Number);
      const loBit = BigInt(l ?? h);
      const mask = (1n << BigInt(h - Number(loBit) + 1)) - 1n;
      // The field's value as decode shows it (an address for OA), else its raw bits.
      differences.push({
        field: fld.name,
        bits: fld.bits,
        got: fg?.name === fld.name && fg.bits === fld.bits ? fg.value : hex((value >> loBit) & mask),
        expected: fe?.name === fld.name && fe.bits === fld.bits ? fe.value : hex((want >> loBit) & mask),
        gotMeaning: fg?.meaning ?? "(not a field of this descriptor)",
        expectedMeaning: fe?.meaning ?? "(not a field of the kernel's leaf)",
      });
    } else {
      differences.push({
        field: `bit ${b}`,
        bits: String(b),
        got: hex((value >> BigInt(b)) & 1n),
        expected: "0x0",
        gotMeaning: "no field in this format",
        expectedMeaning: "pgtable.c never sets it",
      });
    }
  }
  return { ...base, expected: hex(want), refusal: null, identical: false, differences };
}

/** A verdict as text: one line, or the differing fields one per line. */
export function formatLeafVerdict(v: LeafVerdict, given: string): string {
  checkObject(v, "v");
  checkString(given, "given");
  const what = `prot ${v.prot === "" ? '""' : v.prot} at level ${v.level}, PA ${v.pa}`;
  if (v.refusal !== null) return `verdict: pgtable.c writes no leaf for ${what}: ${v.refusal}`;
  if (v.identical) return `verdict: ${given} is exactly the leaf pgtable.c writes for ${what}`;
  const lines = [`verdict: ${given} differs from ${v.expected}, the leaf pgtable.c writes for ${what}:`];
  for (const d of v.differences) {
    let hint = "";
    if (d.field === "AF" && d.got === "0x0") hint = " (a new leaf has AF set; kvm_pgtable_stage2_test_clear_young() clears it later)";
    lines.push(`  ${d.field} [${d.bits}]: here ${d.got} (${d.gotMeaning}); pgtable.c writes ${d.expected} (${d.expectedMeaning})${hint}`);
  }
  return lines.join("\n");
}
