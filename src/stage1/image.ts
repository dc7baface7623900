/**
 * The guest's stage-1 registers as raw values, for a two-stage walk over a
 * memory image (s2pt walk --image --va): TTBR0_EL1, TTBR1_EL1, TCR_EL1,
 * MAIR_EL1, SCTLR_EL1 and HCR_EL2, read as ASL AArch64.S1TTWParams reads
 * them for the EL1&0 regime, each field through its one definition in
 * src/regs (through config.ts's decodeTcr, sctlrFieldsOf, hcrFieldsOf,
 * mairBytes).
 *
 *   TCR_EL1     T0SZ/T1SZ (16..39: no FEAT_LVA, FEAT_TTST), TG0/TG1, IPS,
 *               EPD0/1, TBI0/1, HPD0/1, HA, HD: the walk; A1, AS, IRGNn,
 *               ORGNn, SHn: noted (ASIDs and the walk's own memory type: no
 *               TLB, no caches); TBID0/1, E0PD0/1, DS, MTX0/1: refused (not
 *               modelled); RES0 bits, TG0 = 0b11, TG1 = 0b00, IPS = 0b111:
 *               refused (reserved)
 *   TTBRn_EL1   BADDR (AArch64.S1TTBaseAddress: the root table aligned to its
 *               size; lower bits set are RES0 and refused), ASID and CnP noted
 *   MAIR_EL1    the eight Attr bytes (a reserved encoding is the combine's to
 *               report: its permitted outcomes)
 *   SCTLR_EL1   M, C, I, WXN; EE = 1 (big-endian walks) refused
 *   HCR_EL2     VM (with DC: stage 2 on or off), TGE = 0 (TGE = 1 is
 *               refused: the EL1&0 regime is not in use), FWB (the stage-2
 *               leaf's MemAttr), DC, DCT, CD, ID, PTW
 */

import { InputError, hex } from "../pgtable/u64.js";
import { checkBigU64, checkObject } from "../pgtable/args.js";
import { fieldNum, type FieldDef } from "../regs/field.js";
import { HCR } from "../regs/hcr.js";
import { SCTLR } from "../regs/sctlr.js";
import { TCR } from "../regs/tcr.js";
import { checkTcr, decodeTcr, hcrFieldsOf, mairBytes, regionGeometry, sctlrFieldsOf, type GuestConfig } from "./config.js";

/** The stage-1 registers as raw 64-bit values. */
export interface S1Registers {
  ttbr0: bigint;
  ttbr1: bigint;
  tcr: bigint;
  mair: bigint;
  sctlr: bigint;
  hcr: bigint;
}

/** What the registers give: the guest's configuration, HCR_EL2.FWB for stage 2, and what was read but not modelled. */
export interface S1FromRegisters {
  cfg: GuestConfig;
  /** HCR_EL2.FWB. */
  fwb: boolean;
  /** Stage 2 on: HCR_EL2.VM = 1, or DC = 1 (which behaves as VM = 1). */
  stage2: boolean;
  notes: string[];
}

const TCR_RES0: readonly FieldDef[] = [TCR.RES0_63_62, TCR.RES0_35, TCR.RES0_6];

/** Read the stage-1 registers (see the header); InputError naming the register and field for what s2pt refuses. */
export function guestConfigFromRegisters(regs: S1Registers): S1FromRegisters {
  const r = checkObject(regs, "regs");
  const tcr = checkBigU64(r.tcr, "regs.tcr");
  const ttbr0 = checkBigU64(r.ttbr0, "regs.ttbr0");
  const ttbr1 = checkBigU64(r.ttbr1, "regs.ttbr1");
  const mair = checkBigU64(r.mair, "regs.mair");
  const sctlr = checkBigU64(r.sctlr, "regs.sctlr");
  const hcr = checkBigU64(r.hcr, "regs.hcr");
  const notes: string[] = [];
  const what = `TCR_EL1 ${hex(tcr)}`;
  for (const d of TCR_RES0) if (fieldNum(tcr, d) !== 0) throw new InputError(`${what}: bits ${d.hi === d.lo ? d.lo : `${d.hi}:${d.lo}`} are RES0 and set`);
  const t = decodeTcr(tcr, what);
  checkTcr(t, what);
  notes.push(
    `TCR_EL1 A1 ${fieldNum(tcr, TCR.A1)}, AS ${fieldNum(tcr, TCR.AS)}, SH0/IRGN0/ORGN0 ${fieldNum(tcr, TCR.SH0)}/${fieldNum(tcr, TCR.IRGN0)}/${fieldNum(tcr, TCR.ORGN0)}, SH1/IRGN1/ORGN1 ${fieldNum(tcr, TCR.SH1)}/${fieldNum(tcr, TCR.IRGN1)}/${fieldNum(tcr, TCR.ORGN1)}: ASIDs and the walk's own memory type, not modelled (no TLB, no caches)`,
  );
  if (fieldNum(sctlr, SCTLR.EE) !== 0) throw new InputError(`SCTLR_EL1 ${hex(sctlr)}: EE = 1 (big-endian translation table walks) is not modelled`);
  if (fieldNum(hcr, HCR.TGE) !== 0)
    throw new InputError(`HCR_EL2 ${hex(hcr)}: TGE = 1: the EL1&0 regime is not in use (EL0 runs under EL2's regime); s2pt walks the guest's EL1&0 regime`);
  // HCR_EL2.DC = 1 makes the PE behave as if VM were 1 (for all purposes but reading it back).
  const stage2 = fieldNum(hcr, HCR.VM) === 1 || fieldNum(hcr, HCR.DC) === 1;
  if (!stage2) notes.push("HCR_EL2.VM = 0: stage 2 off, the PA is the IPA (VTTBR_EL2, VTCR_EL2 and HCR_EL2.FWB/CD/ID/PTW not used)");
  else if (fieldNum(hcr, HCR.VM) === 0) notes.push("HCR_EL2.VM = 0 with DC = 1: the PE behaves as if VM were 1");
  // The root tables: AArch64.S1TTBaseAddress aligns BADDR to the root table's size; the bits below it are RES0.
  for (const [n, v] of [
    [0, ttbr0],
    [1, ttbr1],
  ] as const) {
    const g = regionGeometry(t, n);
    const align = 2n ** BigInt(Math.max(g.rootTableLog2, 3));
    const baddr = v & 0x0000_ffff_ffff_fffen;
    if (baddr % align !== 0n)
      throw new InputError(
        `TTBR${n}_EL1 ${hex(v)}: BADDR ${hex(baddr)} is not aligned to the ${align}-byte root table (TCR_EL1.T${n}SZ ${n === 0 ? t.t0sz : t.t1sz}, ${g.granule / 1024}K granule): its low bits are RES0 (the PE would ignore them: AArch64.S1TTBaseAddress aligns BADDR down)`,
      );
    if (v >> 48n !== 0n || (v & 1n) !== 0n) notes.push(`TTBR${n}_EL1 ASID ${hex(v >> 48n)}, CnP ${v & 1n}: TLB tags, not modelled`);
  }
  const h = hcrFieldsOf(hcr);
  return {
    cfg: { tcr: t, mair: mairBytes(mair), ttbr0, ttbr1, sctlr: sctlrFieldsOf(sctlr), hcr: h },
    fwb: fieldNum(hcr, HCR.FWB) === 1,
    stage2,
    notes,
  };
}
