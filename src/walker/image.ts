/**
 * Stage-2 tables that live in a memory image, walked by the same S2Walker
 * as the tables KvmPgtable builds (one walker, two sources of memory: see
 * src/pgtable/walkgen.ts's seam).
 *
 * The registers come in as raw values and are read the way the architecture
 * reads them, each field through its one definition in src/regs:
 *
 *   AArch64.S2TTWParams       VTCR_EL2.{T0SZ, SL0, SL2, TG0, PS, DS, HA, HD,
 *                             VS, SH0, IRGN0, ORGN0} and HCR_EL2.FWB
 *   AArch64.S2StartLevel      the start level of (TG0, SL0, SL2, DS):
 *                             src/regs/vtcr.ts vtcrStartLevel()
 *   AArch64.S2InvalidSL       an SL0 encoding reserved for the granule (4K
 *                             SL0 = 0b11 needs FEAT_TTST, not modelled)
 *   AArch64.S2InconsistentSL  the IPA size must be one the start level can
 *                             resolve: iasize in [sl_min, sl_min + stride - 1
 *                             + 4], sl_min = levels * stride + granulebits + 1
 *                             (levels = 3 - start level): at least one bit
 *                             for the start level, at most a full table plus
 *                             16 concatenated ones
 *   AArch64.S2MinTxSZ / AArch64.MaxTxSZ   T0SZ in [64 - 52 or 48, 39]
 *   AArch64.PhysicalAddressSize   the output size: PS, at most PAMax, and at
 *                             most 48 bits for 4K/16K without DS
 *   AArch64.S2TTBaseAddress   the root table's address: VTTBR_EL2.BADDR, with
 *                             BADDR[5:2] = PA[51:48] when the output size is
 *                             52 bits, aligned down to the root table's size
 *                             (the concatenated tables together, at least 64
 *                             bytes with 52-bit addresses); the bits it drops
 *                             are RES0, and s2pt refuses them set
 *
 * What the hardware does with values those functions reject is not a walk
 * result but a broken configuration (every access faults at level 0, or the
 * outcome is CONSTRAINED UNPREDICTABLE): s2pt refuses them as bad input, one
 * line naming the register, the field and what the hardware would do, so a
 * mistyped register is never walked to a silent wrong answer.
 */

import { InputError, hex } from "../pgtable/u64.js";
import { ArgumentError, checkBigU64, checkBool, checkInstance, checkInt, checkObject } from "../pgtable/args.js";
import { GRANULES, s2WalkGeometry, type Geometry, type Granule } from "../pgtable/geometry.js";
import { pteFormat, type PteFormat } from "../pgtable/descriptor.js";
import { PhysMemory } from "../pgtable/physmem.js";
import type { WalkStore, WalkTables } from "../pgtable/walkgen.js";
import { fieldNum, type FieldDef } from "../regs/field.js";
import { PARANGE_BITS } from "../regs/pa-size.js";
import { VTCR, vtcrGranule, vtcrStartLevel } from "../regs/vtcr.js";
import { VTTBR, vttbrBaseAddress } from "../regs/vttbr.js";

/** The stage-2 walk a VTTBR_EL2 / VTCR_EL2 pair (and HCR_EL2.FWB) defines: AArch64.S2TTWParams. JSON-safe. */
export interface S2WalkParams {
  granule: Granule;
  /** 64 - T0SZ. */
  iaBits: number;
  /** The output size the walk checks addresses against (AArch64.PhysicalAddressSize). */
  paBits: number;
  /** PAMax, the PE's implemented PA size. */
  paMax: number;
  /** VTCR_EL2.DS: FEAT_LPA2 descriptors. */
  ds: boolean;
  startLevel: number;
  /** The root table's PA (AArch64.S2TTBaseAddress). */
  baddr: number;
  vmid: number;
  cnp: boolean;
  ha: boolean;
  hd: boolean;
  fwb: boolean;
  geom: Geometry;
  /** What s2pt read but does not model, and what the hardware does there, one line each. */
  notes: string[];
}

/** The registers of a stage-2 walk over an image. */
export interface S2Registers {
  vttbr: bigint;
  vtcr: bigint;
  /** HCR_EL2.FWB (FEAT_S2FWB): how a leaf's MemAttr reads. */
  fwb: boolean;
  /** PAMax, the implemented PA size in bits (a PARange size); default: the size VTCR_EL2.PS gives (KVM writes the host's PARange there). */
  paMax?: number;
}

/** VTCR_EL2 fields of features s2pt does not model: set, the walk would differ from the one s2pt does. */
const UNMODELLED_VTCR: readonly FieldDef[] = [VTCR.D128, VTCR.S2POE, VTCR.S2PIE, VTCR.TL0, VTCR.TL1, VTCR.ASSUREDONLY, VTCR.HAFT, VTCR.HDBSS];
/** VTCR_EL2 fields read and noted, with no effect on s2pt's walk. */
const NOTED_VTCR: readonly FieldDef[] = [VTCR.NSA, VTCR.NSW, VTCR.HWU, VTCR.GCSH];

function bin(v: number, width: number): string {
  return `0b${v.toString(2).padStart(width, "0")}`;
}

/**
 * Read VTTBR_EL2, VTCR_EL2 and HCR_EL2.FWB as AArch64.S2TTWParams does (see
 * the header); InputError naming the register and field for a value the
 * architecture reserves, calls inconsistent, or leaves CONSTRAINED
 * UNPREDICTABLE, or that s2pt does not model.
 */
export function s2WalkParams(regs: S2Registers): S2WalkParams {
  const r = checkObject(regs, "regs");
  const vttbr = checkBigU64(r.vttbr, "regs.vttbr");
  const vtcr = checkBigU64(r.vtcr, "regs.vtcr");
  const fwb = checkBool(r.fwb, "regs.fwb");
  const paMaxIn = r.paMax === undefined ? undefined : checkInt(r.paMax, "regs.paMax", 32, 52, "a PA size in bits");
  const notes: string[] = [];
  const f = (d: FieldDef): number => fieldNum(vtcr, d);

  // RES0 and RES1 (VTCR_EL2: 63:46, 43:42, 39, 24:23, 20 RES0; 31 RES1).
  for (const d of [VTCR.RES0_63_46, VTCR.RES0_43_42, VTCR.RES0_39, VTCR.RES0_24_23, VTCR.RES0_20]) {
    if (f(d) !== 0) throw new InputError(`VTCR_EL2 ${hex(vtcr)}: bits ${d.hi === d.lo ? d.lo : `${d.hi}:${d.lo}`} are RES0 and set`);
  }
  if (f(VTCR.RES1_31) !== 1) notes.push("VTCR_EL2 bit 31 is RES1 and clear (no effect on the walk; software should write 1)");
  for (const d of UNMODELLED_VTCR) {
    if (f(d) !== 0) throw new InputError(`VTCR_EL2 ${hex(vtcr)}: ${d.name} (bit ${d.lo}, ${d.feature ?? "a feature"}) is set: s2pt does not model it`);
  }
  for (const d of NOTED_VTCR) if (f(d) !== 0) notes.push(`VTCR_EL2.${d.name} = ${f(d)}: ${d.doc}: not modelled, no effect on a Non-secure walk here`);

  // TG0 (AArch64.S2DecodeTG0): 0b11 is reserved.
  const tg0 = f(VTCR.TG0);
  const granule = vtcrGranule(tg0);
  if (granule === null) throw new InputError(`VTCR_EL2 ${hex(vtcr)}: TG0 = 0b11 is reserved (4K 0b00, 64K 0b01, 16K 0b10)`);
  const pageShift = Math.log2(granule);
  const stride = pageShift - 3;

  // DS: FEAT_LPA2 descriptors, for the 4K and 16K granules only.
  let ds = f(VTCR.DS) === 1;
  if (ds && granule === 65536) {
    notes.push("VTCR_EL2.DS = 1 with the 64K granule: DS applies to the 4K and 16K granules only, ignored");
    ds = false;
  }

  // PS and PAMax (AArch64.PhysicalAddressSize: the smaller of PS and PAMax, at most 48 bits for 4K/16K without DS).
  const psEnc = f(VTCR.PS);
  if (psEnc > 6) throw new InputError(`VTCR_EL2 ${hex(vtcr)}: PS = 0b111 is reserved without FEAT_D128 (0b000 32 bits .. 0b110 52 bits)`);
  const psBits: number = PARANGE_BITS[psEnc];
  const paMax = paMaxIn ?? psBits;
  if (!(PARANGE_BITS as readonly number[]).includes(paMax))
    throw new ArgumentError("regs.paMax", `${paMax} is not a PARange size (${PARANGE_BITS.join(", ")})`);
  if (psBits > paMax)
    throw new InputError(
      `VTCR_EL2 ${hex(vtcr)}: PS = ${bin(psEnc, 3)} (${psBits} bits) is beyond the implemented PA size (${paMax} bits): the PE would use ${paMax} (AArch64.PhysicalAddressSize); give the PE's PA size, or PS <= ${paMax}`,
    );
  let paBits = psBits;
  if (paBits > 48 && granule !== 65536 && !ds) {
    notes.push(`VTCR_EL2.PS gives ${paBits} bits, but 4K and 16K descriptors without DS carry 48: the output size is 48 bits (AArch64.PhysicalAddressSize)`);
    paBits = 48;
  }

  // T0SZ (AArch64.S2MinTxSZ, AArch64.MaxTxSZ; FEAT_TTST not modelled).
  const t0sz = f(VTCR.T0SZ);
  const iaMax = ds || (granule === 65536 && paMax >= 52) ? 52 : 48;
  if (t0sz < 64 - iaMax || t0sz > 39) {
    throw new InputError(
      `VTCR_EL2 ${hex(vtcr)}: T0SZ = ${t0sz} (a ${64 - t0sz}-bit IPA) is outside ${64 - iaMax}..39 for the ${granule / 1024}K granule${ds ? " with DS" : ""}: CONSTRAINED UNPREDICTABLE (the PE uses the nearest limit or faults every walk); s2pt does not guess`,
    );
  }
  const iaBits = 64 - t0sz;

  // The start level (AArch64.S2StartLevel) and its legality (AArch64.S2InvalidSL, AArch64.S2InconsistentSL).
  const sl0 = f(VTCR.SL0);
  const sl2 = f(VTCR.SL2);
  if (sl2 && !(ds && granule === 4096))
    throw new InputError(`VTCR_EL2 ${hex(vtcr)}: SL2 = 1 needs the 4K granule with DS = 1 (FEAT_LPA2); here it is reserved`);
  const start = vtcrStartLevel(tg0, sl0, sl2, ds ? 1 : 0);
  if (start === null || (granule === 4096 && sl0 === 3)) {
    throw new InputError(
      `VTCR_EL2 ${hex(vtcr)}: SL0 = ${bin(sl0, 2)}${sl2 ? " with SL2 = 1" : ""} is reserved for the ${granule / 1024}K granule${ds ? " with DS = 1" : ""}${granule === 4096 && sl0 === 3 ? " without FEAT_TTST (not modelled)" : ""}: every walk takes a stage-2 Translation fault at level 0 (AArch64.S2InvalidSL)`,
    );
  }
  const levels = 3 - start;
  const slMin = levels * stride + pageShift + 1;
  const slMax = slMin + (stride - 1) + 4;
  if (iaBits < slMin || iaBits > slMax) {
    throw new InputError(
      `VTCR_EL2 ${hex(vtcr)}: SL0 = ${bin(sl0, 2)} (start level ${start}) is inconsistent with T0SZ = ${t0sz} (a ${iaBits}-bit IPA) and the ${granule / 1024}K granule: level ${start} resolves ${slMin}..${slMax}-bit IPAs; every walk takes a stage-2 Translation fault at level 0 (AArch64.S2InconsistentSL)`,
    );
  }

  // VTTBR_EL2: BADDR (AArch64.S2TTBaseAddress), VMID, CnP.
  const pa52 = paBits === 52;
  const baddr = Number(vttbrBaseAddress(vttbr, pa52));
  // The root table: 2^(iasize - shift(start)) entries of 8 bytes, at least 64 bytes with 52-bit addresses.
  const rootLog2 = Math.max(iaBits - (levels * stride + pageShift) + 3, pa52 ? 6 : 3);
  if (baddr % 2 ** rootLog2 !== 0) {
    throw new InputError(
      `VTTBR_EL2 ${hex(vttbr)}: BADDR ${hex(baddr)} is not aligned to the ${2 ** rootLog2}-byte root table${2 ** rootLog2 > granule ? "s (concatenated)" : ""}: its bits below ${rootLog2} are RES0 (the PE would ignore them: AArch64.S2TTBaseAddress aligns BADDR down to ${hex(baddr - (baddr % 2 ** rootLog2))})`,
    );
  }
  if (baddr % granule !== 0) {
    throw new InputError(
      `VTTBR_EL2 ${hex(vttbr)}: BADDR ${hex(baddr)} puts the ${2 ** rootLog2}-byte root table inside a ${granule / 1024}K page: the architecture allows it, s2pt walks root tables that start on a granule boundary`,
    );
  }
  if (baddr >= 2 ** paBits) {
    throw new InputError(
      `VTTBR_EL2 ${hex(vttbr)}: BADDR ${hex(baddr)} is beyond the ${paBits}-bit output size: every walk takes a stage-2 Address size fault (AArch64.S2Walk, AArch64.OAOutOfRange)`,
    );
  }
  const vs = f(VTCR.VS);
  const vmid = fieldNum(vttbr, VTTBR.VMID);
  if (!vs && vmid > 0xff) notes.push(`VTTBR_EL2.VMID = ${hex(vmid)} with 8-bit VMIDs (VTCR_EL2.VS = 0): VMID[15:8] is not used`);
  const cnp = fieldNum(vttbr, VTTBR.CNP) === 1;
  notes.push(
    `VTTBR_EL2.VMID ${vs ? vmid : vmid & 0xff}${cnp ? ", CnP 1" : ""}; VTCR_EL2.SH0/IRGN0/ORGN0 ${bin(f(VTCR.SH0), 2)}/${bin(f(VTCR.IRGN0), 2)}/${bin(f(VTCR.ORGN0), 2)}: the walk's own memory type and the TLB tags, not modelled (no TLB, no caches)`,
  );
  const geom = s2WalkGeometry({
    granule,
    iaBits,
    paBits,
    lpa2: ds,
    startLevel: start,
    vtcr: { t0sz, sl0, sl2, tg0, ps: psEnc, ds: ds ? 1 : 0, value: hex(vtcr) },
  });
  return { granule, iaBits, paBits, paMax, ds, startLevel: start, baddr, vmid, cnp, ha: f(VTCR.HA) === 1, hd: f(VTCR.HD) === 1, fwb, geom, notes };
}

/**
 * Pages either side of the root table numbered by arithmetic (the window);
 * the rest are looked up. Page numbers stay int32 in the walks: a window of
 * at most 2^30 pages plus at most 2^24 frames beyond it.
 */
const WINDOW_PAGES = 2 ** 29;

/**
 * The stage-2 tables of a memory image, as the walker reads them (a
 * WalkTables: src/pgtable/walkgen.ts). Table page p is the granule-sized page
 * at basePa + p * granule, a view of the image's frames (a hardware update
 * of AF or dirty state by the walk writes the image), for the pages within
 * 2^29 pages of the root table; pages further away are looked up by PA
 * (farPage). A page the image does not wholly hold is a hole, and a walk
 * that needs it takes a synchronous External abort on the walk.
 */
export class ImageTables implements WalkTables {
  readonly geom: Geometry;
  readonly fmt: PteFormat;
  readonly fwb: boolean;
  readonly pgd: number;
  readonly store: WalkStore;
  readonly destroyed = false;
  readonly storeHook = null;
  /** The registers' walk. */
  readonly params: S2WalkParams;
  /** The image. */
  readonly mem: PhysMemory;
  /** Every page of the window is held, the root pages among them: the generated fast walk applies. */
  readonly dense: boolean;
  /** Held pages beyond the window: PA >> pageShift -> page number. */
  private readonly far = new Map<number, number>();

  constructor(mem: PhysMemory, params: S2WalkParams) {
    checkInstance(mem, "mem", PhysMemory, "a PhysMemory");
    checkObject(params, "params");
    checkObject(params.geom, "params.geom");
    const g = params.geom;
    if (!(GRANULES as readonly number[]).includes(g.granule)) throw new ArgumentError("params.geom", "is not a Geometry");
    this.mem = mem;
    this.params = params;
    this.geom = g;
    this.fmt = pteFormat(g.granule, g.lpa2);
    this.fwb = params.fwb;
    const G = g.granule;
    const pages = new Set<number>();
    for (const pa of mem.framePas()) pages.add(Math.floor(pa / G));
    // The window: the held pages within 2^29 pages of the root table, numbered from the lowest
    // (page = (PA - basePa) >> pageShift, the walks' arithmetic); every other held page is "far",
    // numbered after the window and found through farPage() (the complete walk only).
    const rootFirst = params.baddr / G;
    let lo = rootFirst;
    let hi = rootFirst + g.pgdPages - 1;
    const near: number[] = [];
    const far: number[] = [];
    for (const p of [...pages].sort((a, b) => a - b)) {
      if (Math.abs(p - rootFirst) < WINDOW_PAGES) {
        near.push(p);
        if (p < lo) lo = p;
        if (p > hi) hi = p;
      } else far.push(p);
    }
    const chunks: (Int32Array | undefined)[] = [];
    let held = 0;
    for (const p of near) {
      const w = mem.pageWords(p * G, G);
      if (w === null) continue;
      chunks[p - lo] = w;
      held++;
    }
    const bump = hi - lo + 1;
    const basePa = lo * G;
    const farPas: number[] = [];
    for (const p of far) {
      const w = mem.pageWords(p * G, G);
      if (w === null) continue;
      this.far.set(p, bump + farPas.length);
      chunks[bump + farPas.length] = w;
      farPas.push(p * G);
    }
    this.dense = held === bump;
    this.pgd = rootFirst - lo;
    this.store = {
      chunks,
      bump,
      basePa,
      granule: G,
      pageShift: g.pageShift,
      chunkShift: 0,
      chunkMask: 0,
      wordsShift: g.pageShift - 2,
      pagePa: (page: number) => (page < bump ? basePa + page * G : farPas[page - bump]),
    };
  }

  /** @internal The page number of a held page outside the window, by its PA >> pageShift; -1 when the image does not hold it. */
  farPage(paPage: number): number {
    return this.far.get(paPage) ?? -1;
  }

  /** The bytes one entry at `level` maps. */
  granuleSize(level: number): number {
    return 2 ** this.geom.shifts[level + 1];
  }

  /** Whether the image holds the whole table page at `pa` (granule-aligned). */
  holdsPage(pa: number): boolean {
    const p = Math.floor(pa / this.geom.granule) - this.store.basePa / this.geom.granule;
    return (p >= 0 && p < this.store.bump && this.store.chunks[p] !== undefined) || this.far.has(p + this.store.basePa / this.geom.granule);
  }
}
