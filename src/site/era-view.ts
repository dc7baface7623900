/**
 * The era comparison panel of the docs page, without the DOM: the same inputs
 * as `s2pt explain` in, explainEras() (src/kvm/explain.ts) out for every era,
 * plus which facts changed from one era to the next. The policy, the leaf,
 * the combine and the hazards are all src/kvm's; nothing is decided here.
 */

import { DEFAULT_EXAMPLE_PA, explainEras, type EraExplanation, type ExplainOptions } from "../kvm/explain.js";
import { parseGuestAttr, parseSh } from "../kvm/guest.js";
import { ERA_IDS, errnoName, type PolicyInputs } from "../kvm/policy.js";
import { describeVma, parsePgprot, parseVmaKind, vmaInputs, vmaPfnmapOrMixed } from "../kvm/vma.js";
import { describeS2MemAttr } from "../mair/s2memattr.js";
import { SH_SHORT } from "../mair/attrs.js";
import { protNames } from "../walker/decode.js";
import { InputError } from "../pgtable/u64.js";

export interface EraForm {
  /** anon, file, pfnmap, mixedmap. */
  vma: string;
  /** "" (the default for the VMA) or a --pgprot name; only for pfnmap/mixedmap. */
  pgprot: string;
  allowAnyUncached: boolean;
  /** "" (the default for the VMA), "ram" or "io". */
  pfn: string;
  dic: boolean;
  access: string;
  fwb: boolean;
  /** "" (no guest) or a guest attribute name, MAIR_ATTR_* macro or 0x-prefixed byte. */
  guest: string;
  /** "0", "2", "3". */
  guestSh: string;
}

export const DEFAULT_ERA_FORM: EraForm = {
  vma: "pfnmap",
  pgprot: "noncached",
  allowAnyUncached: true,
  pfn: "",
  dic: false,
  access: "read",
  fwb: true,
  guest: "normal-nc",
  guestSh: "3",
};

/** The facts compared across eras, one string each (what the page shows in a row). */
export interface EraFacts {
  /** The prot user_mem_abort() maps with, or the error and where it comes from. */
  outcome: string;
  descriptor: string;
  memattr: string;
  effective: string;
  hazards: string;
}

export interface EraColumn {
  x: EraExplanation;
  facts: EraFacts;
  /** Which facts differ from the previous era's (none for the first). */
  changed: Set<keyof EraFacts>;
}

export interface EraView {
  vmaWords: string;
  /** An attribute name or byte was given. */
  guest: boolean;
  columns: EraColumn[];
  /** Whether any two eras differ at all. */
  anyChange: boolean;
}

export type EraViewResult = { ok: true; view: EraView } | { ok: false; error: string };

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

export function eraFacts(x: EraExplanation, fwb: boolean): EraFacts {
  const pol = x.policy;
  const outcome = pol.ok
    ? `${protNames(pol.prot)}${pol.encodeProt !== pol.prot ? ` (written as ${protNames(pol.encodeProt)})` : ""}`
    : `${errnoName(pol.errno)} from ${pol.where}`;
  let memattr = "-";
  if (x.s2MemAttr !== null) {
    const d = describeS2MemAttr(x.s2MemAttr, fwb);
    memattr = `0x${x.s2MemAttr.toString(16)} ${d.short}${d.linux ? ` (${d.linux})` : ""}${x.s2Sh !== null ? `, SH ${SH_SHORT[x.s2Sh]}` : ""}`;
  }
  let effective = "-";
  if (x.combine) {
    const c = x.combine;
    effective = `${c.memtype}: PAR_EL1.ATTR ${c.attr >= 0 ? hex2(c.attr) : "open"}, SH ${c.sh >= 0 ? SH_SHORT[c.sh] : "open"}`;
  }
  return {
    outcome,
    descriptor: x.leaf ? x.leaf.pte : "-",
    memattr,
    effective,
    hazards: x.hazards.map((h) => h.id).join(", ") || "none",
  };
}

export function eraView(f: EraForm): EraViewResult {
  try {
    const vma = parseVmaKind(f.vma, "VMA");
    const pgprot = f.pgprot === "" ? undefined : parsePgprot(f.pgprot, "pgprot");
    let pfn: "ram" | "io" | undefined;
    if (f.pfn === "ram" || f.pfn === "io") pfn = f.pfn;
    else if (f.pfn !== "") throw new InputError(`pfn: '${f.pfn}' is not ram or io`);
    if (f.access !== "read" && f.access !== "write" && f.access !== "exec") throw new InputError(`access: '${f.access}' is not read, write or exec`);
    const v = vmaInputs(vma, pgprot, f.allowAnyUncached, pfn);
    const p: PolicyInputs = { ...v, fwb: f.fwb, dic: f.dic, access: f.access };
    const o: ExplainOptions = {
      granule: 4096,
      lpa2: false,
      pa: DEFAULT_EXAMPLE_PA,
      level: 3,
      guest: f.guest.trim() === "" ? null : { attr: parseGuestAttr(f.guest, "guest"), sh: parseSh(f.guestSh, "guest SH") },
    };
    const xs = explainEras(ERA_IDS, p, o);
    const columns: EraColumn[] = [];
    for (const x of xs) {
      const facts = eraFacts(x, p.fwb);
      const prev = columns[columns.length - 1];
      const changed = new Set<keyof EraFacts>();
      if (prev) for (const k of Object.keys(facts) as Array<keyof EraFacts>) if (facts[k] !== prev.facts[k]) changed.add(k);
      columns.push({ x, facts, changed });
    }
    return { ok: true, view: { vmaWords: describeVma(p), guest: o.guest !== null, columns, anyChange: columns.some((c) => c.changed.size > 0) } };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Whether the VMA kind takes a pgprot and VM_ALLOW_ANY_UNCACHED (the others are always cacheable). */
export function driverVma(vma: string): boolean {
  try {
    return vmaPfnmapOrMixed(parseVmaKind(vma));
  } catch {
    return false;
  }
}
