/**
 * The guest's stage-1 configuration (EL1&0 regime, AArch64): the TCR_EL1
 * fields that shape the walk, MAIR_EL1, TTBR0/1_EL1, the SCTLR_EL1 and
 * HCR_EL2 bits that change the outcome, and the walk geometry they give.
 *
 * TCR_EL1 (64-bit; the fields s2pt reads):
 *
 *   bits   field  use
 *   5:0    T0SZ   VA size of the TTBR0 region: 64 - T0SZ bits
 *   7      EPD0   1: a TTBR0 walk takes a Translation fault at level 0
 *   9:8    IRGN0  } cacheability and shareability of the walk's own reads:
 *   11:10  ORGN0  } read, not modelled (the table reads' memory type is not reported)
 *   13:12  SH0    }
 *   15:14  TG0    granule: 00 4K, 01 64K, 10 16K (11 reserved)
 *   21:16  T1SZ   VA size of the TTBR1 region
 *   22     A1     which TTBR holds the ASID: not modelled (no TLB)
 *   23     EPD1
 *   25:24  IRGN1, 27:26 ORGN1, 29:28 SH1: as for TTBR0
 *   31:30  TG1    granule: 01 16K, 10 4K, 11 64K (00 reserved)
 *   34:32  IPS    output (IPA) size: 000 32, 001 36, 010 40, 011 42, 100 44, 101 48, 110 52 bits
 *   36     AS     ASID size: not modelled
 *   37     TBI0   top byte ignored for TTBR0 addresses (also for instruction fetches: TBID0 = 0)
 *   38     TBI1
 *   39     HA     hardware Access flag update: a leaf with AF = 0 is updated (AF set) instead of faulting
 *   40     HD     hardware dirty state: with HA, a write to a DBM = 1 leaf clears AP[2] instead of faulting
 *   41     HPD0   1: the hierarchical permissions of TTBR0 table descriptors are ignored
 *   42     HPD1
 *   51, 52 TBID0/1, 55, 56 E0PD0/1, 59 DS, 60, 61 MTX0/1: refused (not modelled)
 *
 * The field positions are src/regs's (tcr.ts, sctlr.ts, hcr.ts, mair.ts), the
 * definitions `s2pt reg` decodes with.
 *
 * Geometry (ASL AArch64_S1StartLevel, AArch64_S1TTBaseAddress): with
 * granulebits = log2(granule) and stride = granulebits - 3, the walk starts
 * at level 3 - (iasize - 1 - granulebits) DIV stride, iasize = 64 - TxSZ;
 * there is no concatenation at stage 1: the root table has
 * 2^(iasize - shift(start)) entries and is aligned to its own size (at
 * least 8 bytes). TxSZ is taken in 16..39 (no FEAT_LVA, FEAT_LPA2, FEAT_TTST).
 */

import { InputError, hex } from "../pgtable/u64.js";
import { granuleName, pageShiftOf, type Granule } from "../pgtable/geometry.js";
import { s1LevelShift } from "./descriptor.js";
import { fieldNum, fieldPrep, type FieldDef } from "../regs/field.js";
import { HCR } from "../regs/hcr.js";
import { mairAttr, mairFromBytes } from "../regs/mair.js";
import { PARANGE_BITS } from "../regs/pa-size.js";
import { SCTLR } from "../regs/sctlr.js";
import { TCR, TCR_TG0, TCR_TG1 } from "../regs/tcr.js";
import { ArgumentError, checkBigU64, checkInt, checkObject, checkOneOf, checkString, shown } from "../pgtable/args.js";
import { GRANULES } from "../pgtable/geometry.js";

/** The TCR_EL1 fields the stage-1 walk reads (sizes in bits, granules in bytes). */
export interface TcrFields {
  t0sz: number;
  t1sz: number;
  tg0: Granule;
  tg1: Granule;
  /** IPS as a size in bits (32, 36, 40, 42, 44, 48, 52). */
  ips: number;
  epd0: boolean;
  epd1: boolean;
  tbi0: boolean;
  tbi1: boolean;
  hpd0: boolean;
  hpd1: boolean;
  /** Hardware Access flag update (FEAT_HAFDBS). */
  ha: boolean;
  /** Hardware dirty state (with HA; FEAT_HAFDBS). */
  hd: boolean;
}

/** The SCTLR_EL1 bits that change a translation or its memory type. */
export interface SctlrFields {
  /** Stage 1 enabled. */
  m: boolean;
  /** Data cacheability: C = 0 makes stage-1 Normal data accesses Non-cacheable. */
  c: boolean;
  /** Instruction cacheability: I = 0 makes stage-1 instruction fetches Non-cacheable. */
  i: boolean;
  /** Write implies execute-never. */
  wxn: boolean;
}

/** The HCR_EL2 bits that change the outcome (VM = 1 and TGE = 0 always; FWB is the stage-2 table's). */
export interface HcrFields {
  /** Default cacheable: stage 1 behaves as disabled, its output Normal WB. */
  dc: boolean;
  /** With DC: the default-cacheable output is Tagged. */
  dct: boolean;
  /** Stage-2 data accesses to Normal memory are Non-cacheable. */
  cd: boolean;
  /** Stage-2 instruction fetches are Non-cacheable. */
  id: boolean;
  /** A stage-1 table walk that stage 2 maps as Device takes a stage-2 Permission fault. */
  ptw: boolean;
}

/** The guest's stage-1 registers: TCR_EL1, MAIR_EL1 (eight Attr bytes), TTBR0/1_EL1, SCTLR_EL1 and HCR_EL2 bits. */
export interface GuestConfig {
  tcr: TcrFields;
  /** MAIR_EL1 as eight bytes, Attr0 first. */
  mair: Uint8Array;
  /** TTBR0_EL1 and TTBR1_EL1 (BADDR in bits 47:1, ASID in 63:48, CnP bit 0). */
  ttbr0: bigint;
  ttbr1: bigint;
  sctlr: SctlrFields;
  hcr: HcrFields;
}

/** TCR_EL1.IPS encodings (the PARange table). */
export const IPS_BITS = PARANGE_BITS;
export const MIN_TXSZ = 16;
export const MAX_TXSZ = 39;

// ---- TCR_EL1 as a register value ------------------------------------------------------

const TG0_ENC: Record<number, Granule | undefined> = { [TCR_TG0[4096]]: 4096, [TCR_TG0[65536]]: 65536, [TCR_TG0[16384]]: 16384 };
const TG1_ENC: Record<number, Granule | undefined> = { [TCR_TG1[16384]]: 16384, [TCR_TG1[4096]]: 4096, [TCR_TG1[65536]]: 65536 };

/** Fields s2pt refuses when set in a raw TCR_EL1 (they change the walk and are not modelled). */
const REFUSED_TCR: readonly FieldDef[] = [TCR.TBID0, TCR.TBID1, TCR.E0PD0, TCR.E0PD1, TCR.DS, TCR.MTX0, TCR.MTX1];

function flagOf(v: bigint, f: FieldDef): boolean {
  return fieldNum(v, f) === 1;
}

/** Decode a TCR_EL1 value into the fields s2pt models; InputError (naming `what`) for what it does not. */
export function decodeTcr(v: bigint, what: string): TcrFields {
  checkBigU64(v, "v");
  checkString(what, "what");
  for (const f of REFUSED_TCR) {
    if (fieldNum(v, f)) throw new InputError(`${what}: bit ${f.lo}, ${f.name}${f === TCR.DS ? " (FEAT_LPA2)" : ""}, is set: s2pt does not model it`);
  }
  const tg0 = TG0_ENC[fieldNum(v, TCR.TG0)];
  if (tg0 === undefined) throw new InputError(`${what}: TG0 = 0b11 is reserved`);
  const tg1 = TG1_ENC[fieldNum(v, TCR.TG1)];
  if (tg1 === undefined) throw new InputError(`${what}: TG1 = 0b00 is reserved`);
  const ipsEnc = fieldNum(v, TCR.IPS);
  if (ipsEnc > 6) throw new InputError(`${what}: IPS = 0b111 is reserved`);
  return {
    t0sz: fieldNum(v, TCR.T0SZ),
    t1sz: fieldNum(v, TCR.T1SZ),
    tg0,
    tg1,
    ips: IPS_BITS[ipsEnc],
    epd0: flagOf(v, TCR.EPD0),
    epd1: flagOf(v, TCR.EPD1),
    tbi0: flagOf(v, TCR.TBI0),
    tbi1: flagOf(v, TCR.TBI1),
    hpd0: flagOf(v, TCR.HPD0),
    hpd1: flagOf(v, TCR.HPD1),
    ha: flagOf(v, TCR.HA),
    hd: flagOf(v, TCR.HD),
  };
}

/** The TCR_EL1 value of these fields (the fields s2pt does not model are 0). */
export function encodeTcr(t: TcrFields): bigint {
  checkTcr(t, "t");
  const b = (x: boolean): number => (x ? 1 : 0);
  return (
    fieldPrep(TCR.T0SZ, t.t0sz) |
    fieldPrep(TCR.EPD0, b(t.epd0)) |
    fieldPrep(TCR.TG0, TCR_TG0[t.tg0]) |
    fieldPrep(TCR.T1SZ, t.t1sz) |
    fieldPrep(TCR.EPD1, b(t.epd1)) |
    fieldPrep(TCR.TG1, TCR_TG1[t.tg1]) |
    fieldPrep(TCR.IPS, IPS_BITS.indexOf(t.ips as (typeof IPS_BITS)[number])) |
    fieldPrep(TCR.TBI0, b(t.tbi0)) |
    fieldPrep(TCR.TBI1, b(t.tbi1)) |
    fieldPrep(TCR.HA, b(t.ha)) |
    fieldPrep(TCR.HD, b(t.hd)) |
    fieldPrep(TCR.HPD0, b(t.hpd0)) |
    fieldPrep(TCR.HPD1, b(t.hpd1))
  );
}

/** The SCTLR_EL1 bits s2pt models, read from a register value. */
export function sctlrFieldsOf(v: bigint): SctlrFields {
  return { m: flagOf(v, SCTLR.M), c: flagOf(v, SCTLR.C), i: flagOf(v, SCTLR.I), wxn: flagOf(v, SCTLR.WXN) };
}

/** The HCR_EL2 bits s2pt models, read from a register value. */
export function hcrFieldsOf(v: bigint): HcrFields {
  return { dc: flagOf(v, HCR.DC), dct: flagOf(v, HCR.DCT), cd: flagOf(v, HCR.CD), id: flagOf(v, HCR.ID), ptw: flagOf(v, HCR.PTW) };
}

/** Check the fields (TxSZ range, IPS value); InputError naming `what`. */
export function checkTcr(t: TcrFields, what: string): void {
  checkObject(t, "t");
  checkString(what, "what");
  for (const [name, v] of [
    ["t0sz", t.t0sz],
    ["t1sz", t.t1sz],
  ] as const) {
    if (!(Number.isInteger(v) && v >= MIN_TXSZ && v <= MAX_TXSZ)) {
      throw new InputError(`${what}.${name}: ${v} is outside ${MIN_TXSZ}..${MAX_TXSZ} (VA sizes of 25 to 48 bits; FEAT_LVA and FEAT_TTST are not modelled)`);
    }
  }
  if (!(IPS_BITS as readonly number[]).includes(t.ips)) throw new InputError(`${what}.ips: ${shown(t.ips)} is not an IPS size (${IPS_BITS.join(", ")})`);
  // The granules and the flags too: a missing one was a TypeError (or "Cannot convert undefined to a BigInt") from inside.
  for (const name of ["tg0", "tg1"] as const) {
    if (!(GRANULES as readonly unknown[]).includes(t[name])) throw new InputError(`${what}.${name}: ${shown(t[name])} is not a granule (4096, 16384 or 65536)`);
  }
  for (const name of ["epd0", "epd1", "tbi0", "tbi1", "hpd0", "hpd1", "ha", "hd"] as const) {
    if (typeof t[name] !== "boolean") throw new InputError(`${what}.${name}: ${shown(t[name])} is not a boolean`);
  }
}

// ---- geometry --------------------------------------------------------------------------

/** The walk of one VA region (TTBR0 or TTBR1). */
export interface RegionGeometry {
  region: 0 | 1;
  granule: Granule;
  pageShift: number;
  /** Index bits per level: pageShift - 3. */
  stride: number;
  txsz: number;
  /** The VA bits translated: 64 - TxSZ. */
  iaBits: number;
  startLevel: number;
  /** log2 of the size one entry maps, indexed by level (0..3; entries below the start level unused). */
  shifts: number[];
  /** Entries in the root table: 2^(iaBits - shift(startLevel)). */
  rootEntries: number;
  /** log2 of the root table's size in bytes (its alignment). */
  rootTableLog2: number;
  epd: boolean;
  tbi: boolean;
  hpd: boolean;
}

/** AArch64_S1StartLevel and the root-table size of AArch64_S1TTBaseAddress. */
export function regionGeometry(t: TcrFields, region: 0 | 1): RegionGeometry {
  checkTcr(t, "t");
  checkOneOf(region, "region", [0, 1]);
  const granule = region === 0 ? t.tg0 : t.tg1;
  const txsz = region === 0 ? t.t0sz : t.t1sz;
  const pageShift = pageShiftOf(granule);
  const stride = pageShift - 3;
  const iaBits = 64 - txsz;
  const startLevel = 3 - Math.floor((iaBits - 1 - pageShift) / stride);
  const shifts = [0, 1, 2, 3].map((l) => s1LevelShift(pageShift, l));
  const rootBits = iaBits - shifts[startLevel];
  return {
    region,
    granule,
    pageShift,
    stride,
    txsz,
    iaBits,
    startLevel,
    shifts,
    rootEntries: 2 ** rootBits,
    rootTableLog2: rootBits + 3,
    epd: region === 0 ? t.epd0 : t.epd1,
    tbi: region === 0 ? t.tbi0 : t.tbi1,
    hpd: region === 0 ? t.hpd0 : t.hpd1,
  };
}

/**
 * The stage-1 output size (ASL AArch64_PhysicalAddressSize): IPS, capped at
 * the PE's PA size (PAMax, here the host's PARange that the stage-2 table is
 * built for) and at 48 bits unless the 64K granule with FEAT_LPA (PAMax 52)
 * can express 52-bit addresses.
 */
export function s1OutputBits(ips: number, granule: Granule, paMax: number): number {
  checkInt(ips, "ips", 0, 64, "a size in bits");
  checkOneOf(granule, "granule", GRANULES);
  checkInt(paMax, "paMax", 0, 64, "a size in bits");
  const maxPs = granule === 65536 && paMax >= 52 ? Math.min(52, paMax) : Math.min(48, paMax);
  return Math.min(ips, maxPs);
}

/**
 * AArch64_S1TTBaseAddress: the root table's address from TTBRn_EL1
 * (BADDR[47:1], aligned down to the root table's size; with the 64K granule,
 * IPS = 52 and FEAT_LPA, bits 5:2 are address bits 51:48 and the alignment
 * is at least 64 bytes).
 */
export function ttbrTableBase(ttbr: bigint, g: RegionGeometry, ips: number, paMax: number): number {
  let base = ttbr & 0x0000fffffffffffen;
  let log2 = g.rootTableLog2;
  if (g.granule === 65536 && ips === 52 && paMax >= 52) {
    log2 = Math.max(log2, 6);
    base = (ttbr & 0x0000ffffffffffc0n) | (((ttbr >> 2n) & 0xfn) << 48n);
  }
  const mask = (1n << BigInt(log2)) - 1n;
  return Number(base & ~mask);
}

/** MAIR_EL1 as a register value. */
export function mairValue(mair: ArrayLike<number>): bigint {
  if (!((mair instanceof Uint8Array || Array.isArray(mair)) && mair.length === 8))
    throw new ArgumentError("mair", `${shown(mair)} is not the 8 MAIR Attr bytes`);
  return mairFromBytes(mair);
}

/** MAIR_EL1 as its eight Attr bytes, Attr0 first. */
export function mairBytes(v: bigint): Uint8Array {
  checkBigU64(v, "v");
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = mairAttr(v, i);
  return out;
}

/** One line describing a region's walk. */
export function regionWords(g: RegionGeometry): string {
  return `TTBR${g.region}: ${granuleName(g.granule)} granule, ${g.iaBits}-bit VA (T${g.region}SZ ${g.txsz}), start level ${g.startLevel} (${g.rootEntries} root entries)${g.epd ? `, EPD${g.region} = 1` : ""}${g.tbi ? `, TBI${g.region}` : ""}${g.hpd ? `, HPD${g.region}` : ""}`;
}

export { hex };
