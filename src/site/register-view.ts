/**
 * The register decoder panel of the docs page, without the DOM: a register
 * name and a value in, `s2pt reg`'s answer out, plus which field owns each
 * of the 64 bits (for the bit strip) and which bits break a RES0 or RES1
 * rule. No field is defined here: the names, bit ranges, meanings and
 * problems are src/regs' decoders as src/kvm/registers.ts (the catalogue
 * `s2pt reg` uses) puts them together, and VTCR_EL2's geometry is
 * stage2Geometry()'s, as `s2pt reg VTCR_EL2` prints it.
 */

import { REGISTERS, findRegister, registerByName, type RegisterDecode } from "../kvm/registers.js";
import { granuleName, stage2Geometry, type Geometry } from "../pgtable/geometry.js";
import { sizeText } from "../pgtable/limits.js";
import { InputError, parseU64, showInput } from "../pgtable/u64.js";
import type { DecodedRegister, DecodedRegField } from "../regs/field.js";
import type { BitSpan } from "./descriptor-view.js";

/** The panel's inputs, as the form holds them. */
export interface RegisterForm {
  /** The register: its Arm ARM name or a short form, any case, as `s2pt reg` takes it. */
  name: string;
  /** The value: 0x-prefixed hex, as `s2pt reg` takes it. */
  value: string;
  /** FEAT_XS (`s2pt reg --xs`): MAIR bytes 0x40, 0xA0 and Device dd01 are valid. */
  xs: boolean;
}

/** A stage-2 Data Abort from the guest with a valid instruction syndrome: the CLI's first `reg` example. */
export const DEFAULT_REGISTER_FORM: RegisterForm = { name: "ESR_EL2", value: "0x93c08007", xs: false };

/** A register the picker offers: the catalogue's name, short forms and title. */
export interface RegisterChoice {
  name: string;
  aliases: readonly string[];
  title: string;
  /** "ESR_EL2 (esr): Exception Syndrome Register (EL2)". */
  label: string;
}

/** Every register `s2pt reg --list` names, in its order. */
export const REGISTER_CHOICES: readonly RegisterChoice[] = REGISTERS.map((r) => ({
  name: r.name,
  aliases: r.aliases,
  title: r.title,
  label: `${r.name}${r.aliases.length ? ` (${r.aliases.join(", ")})` : ""}: ${r.title}`,
}));

/** The catalogue name a form's register stands for (esr -> ESR_EL2), or null for a name `s2pt reg` does not take. */
export function canonicalRegister(name: string): string | null {
  return findRegister(name)?.name ?? null;
}

/** One bit of the strip: its value, the field that owns it, and the rule it breaks (a RES0 bit set, a RES1 bit clear). */
export interface RegBitCell {
  bit: number;
  value: 0 | 1;
  /** Index into the decoded fields. */
  field: number;
  /** Set when this bit breaks its field's rule, in words. */
  problem?: string;
}

/** One line of the geometry table: a level of the walk VTCR_EL2 implies. */
export interface GeometryLevelRow {
  level: number;
  /** "39:30". */
  ipaBits: string;
  entries: number;
  usedEntries: number;
  /** "block 1 GiB", "page 4 KiB" or "tables only". */
  leaf: string;
  /** Bytes a leaf at this level maps, or null when KVM maps no leaf here. */
  leafSize: number | null;
}

/** The stage 2 a VTCR_EL2 value describes, as `s2pt geometry` lays it out. */
export interface GeometryView {
  /** "4K granule, 40-bit IPA, 40-bit PA". */
  title: string;
  /** "3 levels, start level 1, 2 concatenated root pages (8 KiB PGD)". */
  shape: string;
  /** The VTCR_EL2 fields kvm_get_vtcr() writes for this geometry. */
  vtcr: string;
  geometry: Geometry;
  levels: GeometryLevelRow[];
  /** `s2pt geometry` for the same stage 2 (the arguments after `s2pt`). */
  argv: string[];
}

export interface RegisterView {
  /** The catalogue's name (ESR_EL2 for esr). */
  name: string;
  title: string;
  decoded: DecodedRegister;
  /** Bits 63 down to 0. */
  bits: RegBitCell[];
  /** Runs of adjacent bits owned by one field, 63 down to 0. */
  spans: BitSpan[];
  /** What s2pt makes of the value beyond its fields (kvm_get_vtcr()'s value, the stage-1 regions, a scenario's guest section). */
  extraLines: string[];
  /** VTCR_EL2: the stage 2 it implies, when KVM could have built it. */
  geometry: GeometryView | null;
}

export type RegisterResult = { ok: true; view: RegisterView } | { ok: false; error: string };

/**
 * The value, read the way `s2pt reg` reads it (parseU64: 0x-prefixed hex,
 * at most 64 bits). Bare hex digits are refused as the CLI refuses them
 * (in a crash log they may be decimal or hex), with the 0x form to type.
 */
export function parseRegisterValue(text: string): bigint {
  const t = text.trim();
  if (t === "") throw new InputError("value: type the register's value, 0x-prefixed hex (0x93c08007)");
  try {
    return parseU64(text, "value");
  } catch (e) {
    if (e instanceof InputError && /^[0-9a-fA-F]+$/.test(t)) throw new InputError(`${e.message}: if it is hex, write 0x${showInput(t)}`);
    throw e;
  }
}

/** Which bits of a decoded field break the architecture's rules, and how, in words. */
function badBits(f: DecodedRegField, value: bigint): Map<number, string> {
  const out = new Map<number, string>();
  if (f.problem === undefined) return out;
  for (let b = f.lo; b <= f.hi; b++) {
    const one = (value >> BigInt(b)) & 1n;
    if (f.kind === "res0") {
      if (one) out.set(b, "RES0 bit set: must be 0");
    } else if (f.kind === "res1") {
      if (!one) out.set(b, "RES1 bit clear: must be 1");
    } else {
      // A reserved encoding (or a RES1 rule of a value field, such as ESR.IL): the whole field.
      out.set(b, f.problem);
    }
  }
  return out;
}

function geometryView(g: Geometry): GeometryView {
  return {
    title: `${granuleName(g.granule)} granule, ${g.iaBits}-bit IPA, ${g.paBits}-bit PA${g.lpa2 ? ", FEAT_LPA2" : ""}`,
    shape: `${g.levels} levels, start level ${g.startLevel}, ${g.pgdPages} concatenated root page${g.pgdPages > 1 ? "s" : ""} (${sizeText(g.pgdPages * g.granule)} PGD)`,
    vtcr: `T0SZ=${g.vtcr.t0sz} SL0=${g.vtcr.sl0} SL2=${g.vtcr.sl2} TG0=0b${g.vtcr.tg0.toString(2).padStart(2, "0")} PS=${g.vtcr.ps} DS=${g.vtcr.ds} (${g.vtcr.value} with HA and 16-bit VMIDs)`,
    geometry: g,
    levels: g.levelInfo.map((l) => ({
      level: l.level,
      ipaBits: `${l.ipaBitHi}:${l.ipaBitLo}`,
      entries: l.entries,
      usedEntries: l.usedEntries,
      leaf: l.leafAllowed ? `${l.level === 3 ? "page" : "block"} ${sizeText(l.leafSize)}` : "tables only",
      leafSize: l.leafAllowed ? l.leafSize : null,
    })),
    argv: [
      "geometry",
      "--granule",
      granuleName(g.granule).toLowerCase(),
      "--ia-bits",
      String(g.iaBits),
      "--pa-bits",
      String(g.paBits),
      ...(g.lpa2 ? ["--lpa2"] : []),
    ],
  };
}

function view(name: string, title: string, value: bigint, r: RegisterDecode): RegisterView {
  const d = r.decoded;
  const owner = new Array<number>(64).fill(-1);
  const problem = new Map<number, string>();
  d.fields.forEach((f, i) => {
    for (let b = f.lo; b <= f.hi; b++) owner[b] = i;
    for (const [b, p] of badBits(f, value)) problem.set(b, p);
  });
  const bits: RegBitCell[] = [];
  const spans: BitSpan[] = [];
  for (let b = 63; b >= 0; b--) {
    const cell: RegBitCell = { bit: b, value: (value >> BigInt(b)) & 1n ? 1 : 0, field: owner[b] };
    const p = problem.get(b);
    if (p !== undefined) cell.problem = p;
    bits.push(cell);
    const last = spans[spans.length - 1];
    if (last && last.field === owner[b]) last.lo = b;
    else spans.push({ field: owner[b], hi: b, lo: b });
  }
  return { name, title, decoded: d, bits, spans, extraLines: r.extraLines, geometry: r.geometry ? geometryView(r.geometry) : null };
}

/** Decode the form's value as its register, as `s2pt reg <NAME> <value> [--xs]` does. */
export function registerView(form: RegisterForm): RegisterResult {
  try {
    if (form.name.trim() === "") throw new InputError("register: choose a register (s2pt reg --list names them)");
    const reg = registerByName(form.name);
    const value = parseRegisterValue(form.value);
    return { ok: true, view: view(reg.name, reg.title, value, reg.decode(value, { xs: form.xs })) };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}

/** A value a reader might paste, with what it is. */
export interface RegisterExample {
  label: string;
  form: RegisterForm;
}

/**
 * The panel's examples: register values as a crash log, a trace line or a
 * dump gives them (the test/architecture/registers.test.ts values, worked
 * there bit by bit), and KVM's own VTCR_EL2 for its default 40-bit IPA.
 */
export function registerExamples(): RegisterExample[] {
  // kvm_get_vtcr() for a 4K granule, 40-bit IPA (KVM's default) and a 40-bit PA.
  const kvmVtcr = stage2Geometry({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false }).vtcr.value;
  const ex = (label: string, name: string, value: string): RegisterExample => ({ label, form: { name, value, xs: false } });
  return [
    ex("stage-2 Data Abort, MMIO load to X0", "ESR_EL2", "0x93c08007"),
    ex("Access flag fault on the guest's walk (S1PTW)", "ESR_EL2", "0x9200008b"),
    ex("the fault's IPA page", "HPFAR_EL2", "0x400010"),
    ex("KVM's VTCR_EL2, 4K, 40-bit IPA", "VTCR_EL2", kvmVtcr),
    ex("Linux's MAIR_EL1", "MAIR_EL1", "0x000000040044f0ff"),
    ex("AT: stage-2 fault on the walk", "PAR_EL1", "0xb0f"),
    ex("KVM's HCR_EL2 (VHE, FWB)", "HCR_EL2", "0x400c807c663f"),
    ex("a RES0 bit set", "ESR_EL2", "0x92800007"),
  ];
}
