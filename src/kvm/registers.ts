/**
 * The registers `s2pt reg` decodes: names, short forms, and for each the
 * field-by-field decoder of src/regs plus what the other layers add where a
 * field's meaning is theirs:
 *
 *   MAIR_EL1, PAR_EL1.ATTR   the Attr byte in words (src/mair describeMairAttr)
 *   VTCR_EL2                 the stage-2 geometry it implies (src/pgtable stage2Geometry,
 *                            as `s2pt geometry` prints it), and whether kvm_get_vtcr()
 *                            would write this value
 *   TCR_EL1, SCTLR_EL1,      the fields s2pt's two-stage walker models, as a scenario's
 *   HCR_EL2                  `guest` section takes them (src/stage1/config.ts)
 *
 * Everything returned is JSON-safe except `geometry` (a Geometry, rendered by
 * the caller with the geometry command's own code).
 */

import { describeMairAttr, type S1Features } from "../mair/mair.js";
import { stage2Geometry, type Geometry } from "../pgtable/geometry.js";
import { InputError, hex, showInput } from "../pgtable/u64.js";
import { decodeEsr } from "../regs/esr.js";
import { decodeFar } from "../regs/far.js";
import { fieldNum, type DecodedRegister } from "../regs/field.js";
import { decodeHpfar } from "../regs/hpfar.js";
import { decodeMmfr0, decodeMmfr1, decodeMmfr2 } from "../regs/idregs.js";
import { decodeMair } from "../regs/mair.js";
import { PARANGE_BITS } from "../regs/pa-size.js";
import { decodePar } from "../regs/par.js";
import { decodeSctlr } from "../regs/sctlr.js";
import { decodeHcr } from "../regs/hcr.js";
import { decodeTcrRegister } from "../regs/tcr.js";
import { VTCR, decodeVtcr, vtcrGranule } from "../regs/vtcr.js";
import { decodeVttbr } from "../regs/vttbr.js";
import { decodeTcr, hcrFieldsOf, regionGeometry, regionWords, sctlrFieldsOf } from "../stage1/config.js";
import { checkBigU64, checkBool, checkKnownKeys, checkObject, checkString } from "../pgtable/args.js";

/** What changes a decode: the stage-1 features that decide whether a MAIR byte is reserved. */
export interface RegisterOptions {
  /** FEAT_XS (0x40, 0xA0 and the Device dd01 forms are valid). Default false. */
  xs?: boolean;
}

/** A register decoded, and what s2pt adds (the geometry a VTCR_EL2 implies). */
export interface RegisterDecode {
  decoded: DecodedRegister;
  /** Register-specific results beyond the fields (JSON-safe). */
  extra: Record<string, unknown>;
  /** The same as text lines. */
  extraLines: string[];
  /** VTCR_EL2: the geometry it implies, when KVM could have built it. */
  geometry: Geometry | null;
}

/** A register `s2pt reg` decodes: its names and its decoder. */
export interface RegisterInfo {
  name: string;
  /** Short forms, lower case. */
  aliases: readonly string[];
  title: string;
  /** Decode a value of the register. */
  decode: (value: bigint, o: RegisterOptions) => RegisterDecode;
}

function plain(decoded: DecodedRegister): RegisterDecode {
  return { decoded, extra: {}, extraLines: [], geometry: null };
}

function s1Features(o: RegisterOptions): S1Features {
  // The guest CPU as `s2pt explain` assumes it: FEAT_MTE2 present, FEAT_XS as told.
  return { xs: o.xs === true, mte2: true };
}

function attrWords(attr: number, o: RegisterOptions): { text: string; reserved: boolean } {
  const d = describeMairAttr(attr, s1Features(o));
  const name = `${d.short}${d.linux ? ` (${d.linux})` : ""}`;
  return { text: d.reserved ? d.text : d.text === d.short ? name : `${name}: ${d.text}`, reserved: d.reserved };
}

/** VTCR_EL2: the fields, then the geometry stage2Geometry() gives for them and whether kvm_get_vtcr() writes this value. */
function decodeVtcrFull(value: bigint): RegisterDecode {
  const decoded = decodeVtcr(value);
  const granule = vtcrGranule(fieldNum(value, VTCR.TG0));
  const iaBits = 64 - fieldNum(value, VTCR.T0SZ);
  const paBits = (PARANGE_BITS as readonly number[])[fieldNum(value, VTCR.PS)];
  const lpa2 = fieldNum(value, VTCR.DS) === 1;
  const extraLines: string[] = [];
  const extra: Record<string, unknown> = {};
  let geometry: Geometry | null = null;
  if (granule === null || paBits === undefined) {
    extra.geometry_error = granule === null ? "TG0 = 0b11 is reserved" : "PS is not a PA size KVM uses";
  } else {
    try {
      geometry = stage2Geometry({ granule, iaBits, paBits, lpa2 });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      extra.geometry_error = `KVM would not build this stage 2: ${e.message}`;
    }
  }
  if (geometry) {
    const differences: string[] = [];
    if (geometry.vtcr.sl0 !== fieldNum(value, VTCR.SL0))
      differences.push(
        `SL0 is ${fieldNum(value, VTCR.SL0)}, kvm_get_vtcr() writes ${geometry.vtcr.sl0} for a ${iaBits}-bit IPA (start level ${geometry.startLevel})`,
      );
    const kvm = BigInt(geometry.vtcr.value);
    // HA and VS depend on the CPU (HAFDBS, VMIDBits); the rest is fixed by the geometry.
    const cpuDependent = (1n << BigInt(VTCR.HA.lo)) | (1n << BigInt(VTCR.VS.lo));
    if ((kvm & ~cpuDependent) !== (value & ~cpuDependent))
      differences.push(
        `kvm_get_vtcr() writes ${hex(kvm)} for this geometry (with HA and 16-bit VMIDs); the bits that differ: ${hex((kvm ^ value) & ~cpuDependent)}`,
      );
    extra.kvm_vtcr = hex(kvm);
    extra.kvm_differences = differences;
    extraLines.push(
      differences.length
        ? `not the value kvm_get_vtcr() writes: ${differences.join("; ")}`
        : `this is the value kvm_get_vtcr() writes for this geometry (HA and VS follow the CPU: ${hex(kvm)} with both set)`,
    );
  } else {
    extraLines.push(String(extra.geometry_error));
  }
  return { decoded, extra, extraLines, geometry };
}

function decodeTcrFull(value: bigint): RegisterDecode {
  const decoded = decodeTcrRegister(value);
  try {
    const t = decodeTcr(value, "TCR_EL1");
    const lines = [regionWords(regionGeometry(t, 0)), regionWords(regionGeometry(t, 1))];
    const guest = {
      t0sz: t.t0sz,
      t1sz: t.t1sz,
      tg0: t.tg0,
      tg1: t.tg1,
      ips: t.ips,
      epd0: t.epd0,
      epd1: t.epd1,
      tbi0: t.tbi0,
      tbi1: t.tbi1,
      hpd0: t.hpd0,
      hpd1: t.hpd1,
      ha: t.ha,
      hd: t.hd,
    };
    return {
      decoded,
      extra: { regions: lines, guest_tcr: guest },
      extraLines: [...lines, `as a scenario's guest.tcr: "${hex(value)}" (s2pt's stage-1 walker models every field it reads)`],
      geometry: null,
    };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { decoded, extra: { not_modelled: e.message }, extraLines: [`s2pt's stage-1 walker refuses it: ${e.message}`], geometry: null };
  }
}

function decodeSctlrFull(value: bigint): RegisterDecode {
  const s = sctlrFieldsOf(value);
  return { decoded: decodeSctlr(value), extra: { guest_sctlr: s }, extraLines: [`as a scenario's guest.sctlr: ${JSON.stringify(s)}`], geometry: null };
}

function decodeHcrFull(value: bigint): RegisterDecode {
  const h = hcrFieldsOf(value);
  const lines = [`as a scenario's guest.hcr: ${JSON.stringify(h)}`];
  if (h.dct && !h.dc) lines.push("DCT without DC has no effect (a scenario refuses it)");
  return { decoded: decodeHcr(value), extra: { guest_hcr: h }, extraLines: lines, geometry: null };
}

/** Every register `s2pt reg` decodes. */
export const REGISTERS: readonly RegisterInfo[] = [
  { name: "ESR_EL2", aliases: ["esr"], title: "Exception Syndrome Register (EL2)", decode: (v) => plain(decodeEsr(v, 2)) },
  { name: "ESR_EL1", aliases: [], title: "Exception Syndrome Register (EL1)", decode: (v) => plain(decodeEsr(v, 1)) },
  { name: "HPFAR_EL2", aliases: ["hpfar"], title: "Hypervisor IPA Fault Address Register", decode: (v) => plain(decodeHpfar(v)) },
  { name: "FAR_EL2", aliases: ["far"], title: "Fault Address Register (EL2)", decode: (v) => plain(decodeFar(v, 2)) },
  { name: "FAR_EL1", aliases: [], title: "Fault Address Register (EL1)", decode: (v) => plain(decodeFar(v, 1)) },
  { name: "PAR_EL1", aliases: ["par"], title: "Physical Address Register", decode: (v, o) => plain(decodePar(v, (a) => attrWords(a, o).text)) },
  { name: "VTCR_EL2", aliases: ["vtcr"], title: "Virtualization Translation Control Register", decode: (v) => decodeVtcrFull(v) },
  { name: "VTTBR_EL2", aliases: ["vttbr"], title: "Virtualization Translation Table Base Register", decode: (v) => plain(decodeVttbr(v)) },
  { name: "MAIR_EL1", aliases: ["mair"], title: "Memory Attribute Indirection Register (EL1)", decode: (v, o) => plain(decodeMair(v, (a) => attrWords(a, o))) },
  { name: "TCR_EL1", aliases: ["tcr"], title: "Translation Control Register (EL1)", decode: (v) => decodeTcrFull(v) },
  { name: "SCTLR_EL1", aliases: ["sctlr"], title: "System Control Register (EL1)", decode: (v) => decodeSctlrFull(v) },
  { name: "HCR_EL2", aliases: ["hcr"], title: "Hypervisor Configuration Register", decode: (v) => decodeHcrFull(v) },
  { name: "ID_AA64MMFR0_EL1", aliases: ["mmfr0"], title: "AArch64 Memory Model Feature Register 0", decode: (v) => plain(decodeMmfr0(v)) },
  { name: "ID_AA64MMFR1_EL1", aliases: ["mmfr1"], title: "AArch64 Memory Model Feature Register 1", decode: (v) => plain(decodeMmfr1(v)) },
  { name: "ID_AA64MMFR2_EL1", aliases: ["mmfr2"], title: "AArch64 Memory Model Feature Register 2", decode: (v) => plain(decodeMmfr2(v)) },
];

/** The register a name stands for (case-insensitive; the full name or a short form), or null. */
export function findRegister(name: string): RegisterInfo | null {
  checkString(name, "name");
  const t = name.trim().toLowerCase();
  return REGISTERS.find((r) => r.name.toLowerCase() === t || r.aliases.includes(t)) ?? null;
}

function editDistance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

/** The known name nearest to `name` (edit distance over full names and short forms), or null when none is close. */
export function nearestRegister(name: string): string | null {
  checkString(name, "name");
  const t = name.trim().toLowerCase();
  // No name is near one this long (a distance within a third of its length needs a register name of 16+ characters):
  // the quadratic edit distance of a megabyte-long name is not worth its seconds.
  if (t.length > 48) return null;
  let best: { name: string; d: number } | null = null;
  for (const r of REGISTERS) {
    for (const cand of [r.name.toLowerCase(), ...r.aliases]) {
      const d = editDistance(t, cand);
      if (!best || d < best.d) best = { name: r.name, d };
    }
  }
  if (!best) return null;
  return best.d <= Math.max(2, Math.floor(t.length / 3)) ? best.name : null;
}

/** Look a register up by name; an InputError naming the input (and the nearest name) when it is unknown. */
export function registerByName(name: string, what = "register"): RegisterInfo {
  checkString(name, "name");
  checkString(what, "what");
  const r = findRegister(name);
  if (r) return r;
  const near = nearestRegister(name);
  throw new InputError(`${what}: '${showInput(name)}' is not a register s2pt decodes${near ? `; did you mean ${near}?` : ""} (s2pt reg --list names them)`);
}

/** Decode `value` as register `name` (see registerByName for the errors). */
export function decodeRegister(name: string, value: bigint, o: RegisterOptions = {}): RegisterDecode {
  checkString(name, "name");
  checkBigU64(value, "value");
  checkKnownKeys(checkObject(o, "o"), "o", ["xs"]);
  if (o.xs !== undefined) checkBool(o.xs, "o.xs");
  return registerByName(name).decode(value, o);
}
