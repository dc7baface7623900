/**
 * docs/combine.md, generated from the combine code (npm run docs): the result
 * tables for the attribute values Linux uses, worked traces, and where QEMU's
 * implementation differs from the architecture. Every ATTR/SH value on the
 * page is computed by combine.ts; the QEMU values are quoted from the
 * reference notes (arch-attributes.md sections 6 and 8), which name the QEMU
 * commit they were read from.
 */

import { SH_SHORT } from "../../src/mair/attrs.js";
import { combineS1S2, type CombineOptions, type CombineResult } from "../../src/mair/combine.js";
import { LINUX_MAIR_ATTRS } from "../../src/mair/mair.js";
import { linuxS2MemAttrName } from "../../src/mair/s2memattr.js";

const ISH = 3;

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}
function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

/** A table cell: "0xff ISH" plus the memory type, or what is open. */
function cell(r: CombineResult): string {
  const a = r.attr >= 0 ? hex2(r.attr) : `open: ${r.permitted.attr.map(hex2).join(" / ")}`;
  const s = r.sh >= 0 ? SH_SHORT[r.sh] : `SH ${r.permitted.sh.map((x) => SH_SHORT[x]).join(" or ")} (${r.open.sh.map((o) => (o.id === "IMPDEF_S1_SH" ? "IMPDEF" : o.id)).join(", ")})`;
  const t = r.attr >= 0 ? ` ${r.memtype}${r.tagged ? " Tagged" : ""}` : "";
  return `${a} ${s}${t}`;
}

const S2_NOFWB = [0xf, 0x5, 0x1, 0x4];
const S2_FWB = [0x6, 0x5, 0x1, 0x7, 0xe];

/** MemAttr names that Linux 6.18.25 does not have (kernel-reference.md section 2.2): marked † in the tables. */
const NOT_618 = new Set(["MT_S2_NORMAL_NOTAGACCESS", "MT_S2_FWB_NORMAL_NOTAGACCESS", "MT_S2_FWB_AS_S1"]);

function linuxTable(fwb: boolean, xs: boolean): string[] {
  const cols = fwb ? S2_FWB : S2_NOFWB;
  const out = [
    row(["stage-1 MAIR Attr", ...cols.map((m) => `${linuxS2MemAttrName(m, fwb) ?? "?"} (0x${m.toString(16)})${NOT_618.has(linuxS2MemAttrName(m, fwb) ?? "") ? " †" : ""}`)]),
    row(["---", ...cols.map(() => "---")]),
  ];
  for (const [a, name] of LINUX_MAIR_ATTRS) {
    out.push(row([`${hex2(a)} ${name}`, ...cols.map((m) => cell(combineS1S2(a, ISH, m, ISH, { fwb, xs })))]));
  }
  return out;
}

function trace(title: string, s1: number, s2: number, o: CombineOptions): string[] {
  const r = combineS1S2(s1, ISH, s2, ISH, o);
  const out = [`### ${title}`, "", `\`s2pt combine --s1 ${hex2(s1)} --s2 0x${s2.toString(16)}${o.fwb ? "" : " --no-fwb"}${o.xs ? " --xs" : ""}\``, ""];
  r.steps.forEach((s, i) => out.push(`${i + 1}. **${s.asl}**: ${s.rule.replace(/\|/g, "\\|")} -> \`${s.result}\``));
  out.push("");
  if (r.attr >= 0 && r.sh >= 0) out.push(`Result: ${r.description}; PAR_EL1.ATTR = ${hex2(r.attr)}, PAR_EL1.SH = ${SH_SHORT[r.sh]}.`);
  else {
    out.push(`Result: ${r.description}. Permitted outcomes:`, "");
    for (const o2 of r.outcomes) out.push(`- ATTR ${hex2(o2.attr)}, SH ${SH_SHORT[o2.sh]}${o2.choices.length ? ` when ${o2.choices[0]}` : ""}`);
    out.push("", `Open because: ${[...r.open.attr, ...r.open.sh].map((x) => `${x.text} (${x.asl})`).filter((x, i, all) => all.indexOf(x) === i).join("; ")}.`);
  }
  out.push("");
  return out;
}

/**
 * QEMU target/arm/ptw.c (9c2ff9cd) against the ASL: the categories of
 * arch-attributes.md sections 6 and 8, each with the section-8 example. The
 * QEMU values are the reference's; the ASL column is computed here.
 */
const QEMU_DIFFS: ReadonlyArray<{ code: string; what: string; input: [number, number, number, number, number]; qemu: string; rows: string }> = [
  { code: "D1", what: "FEAT_XS Device bytes 0b0000dd01 are misread by the device combine", input: [0x01, 0, 0x1, 0, 0], qemu: "0x04", rows: "378" },
  { code: "D2", what: "S1 Device-nGRE/GRE over S2 Normal inner-NC is upgraded to nGnRE (raw nibble combine)", input: [0x08, 0, 0x5, 0, 0], qemu: "0x04", rows: "54" },
  { code: "D3", what: "S1 Normal with inner nibble 0x4/0x8/0x0 changes the S2 device type", input: [0x14, 0, 0x2, 0, 0], qemu: "0x04", rows: "459" },
  { code: "F2", what: "FWB, S2 Device over S1 Device: QEMU takes the S2 type, the ASL the more restrictive", input: [0x00, 0, 0x1, 0, 1], qemu: "0x04", rows: "108" },
  { code: "N1", what: "S1 WB-transient over S2 WT: QEMU drops the transient hint", input: [0x15, 0, 0x6, 0, 0], qemu: "0x49", rows: "2,349" },
  { code: "N2", what: "S1 0xA0 combined nibble-wise (inner 0000 leaks)", input: [0xa0, 0, 0x6, 0, 0], qemu: "0x40", rows: "18" },
  { code: "F3", what: "FWB force-WB decodes 0xA0 nibble-wise (inner -> RWA)", input: [0xa0, 0, 0x6, 0, 1], qemu: "0xef", rows: "9" },
  { code: "S1", what: "a Normal NC/NC XS=0 result (0x40) is not forced Outer Shareable", input: [0x40, 0, 0x4, 0, 0], qemu: "0x40 NSH", rows: "40" },
  { code: "X1", what: "XS is not modelled: the ASL reports 0b0000dd01 / 0x40 / 0xA0 where XS = 0", input: [0xff, 3, 0x1, 3, 0], qemu: "0x04", rows: "4,959" },
  { code: "X2", what: "the ASL's PAR encoding reports XS=0 WT/WT (outer RA) as 0xA0, dropping the inner hints", input: [0xe5, 0, 0xa, 0, 0], qemu: "0xa9", rows: "45" },
  { code: "F1", what: "FWB MemAttr[3] = 1 (8..15): QEMU forces Device-nGnRnE; the ASL ignores the RES0 bit", input: [0x00, 0, 0xe, 2, 1], qemu: "0x00 OSH", rows: "15,278" },
  { code: "F4", what: "FWB MemAttr 0b100: QEMU forces Device-nGnRnE; the ASL treats it as 0b101 (Arm ARM: reserved)", input: [0x04, 0, 0x4, 0, 1], qemu: "0x00", rows: "2,106" },
  { code: "U1", what: "reserved S1 bytes are passed through raw (a PE reports some valid encoding)", input: [0x02, 0, 0x5, 0, 1], qemu: "0x02", rows: "1,372" },
  { code: "U0", what: "the ASL leaves the row open and QEMU's value is one permitted outcome (not a bug)", input: [0x00, 0, 0x6, 0, 1], qemu: "0xff NSH", rows: "9,972" },
];

/** docs/combine.md */
export function renderCombineDoc(): string {
  const out: string[] = [
    "# Stage-1 + stage-2 memory attribute combine",
    "",
    "Generated by `npm run docs` from `src/mair` (`combine.ts`, `mair.ts`, `s2memattr.ts`, `par.ts`); do not edit.",
    "Every ATTR/SH value here is computed by s2pt's transcription of the Arm ASL: `S1DecodeMemAttrs`,",
    "`S2DecodeMemAttrs`, `S2CombineS1MemAttrs`, `AArch64.S2ApplyFWBMemAttrs`, `S2CombineS1Shareability`,",
    "`EffectiveShareability`, `S2MemTagType`, `EncodePARAttrs`, `PAREncodeShareability`.",
    "",
    "Configuration (unless a heading says otherwise): EL1&0 data access with stage 2 enabled, HCR_EL2.{DC,CD,ID} = 0,",
    "SCTLR_EL1.{M,C} = 1, FEAT_MTE2 implemented, FEAT_MTE_PERM not, FnXS = 0, TCR_EL1.MTX = 0, and stage-1 and",
    "stage-2 SH both Inner Shareable (what Linux writes on both sides).",
    "",
    "A cell is `PAR_EL1.ATTR PAR_EL1.SH memory-type`. Where the architecture does not fix one answer the cell says",
    "`open` and lists the permitted values: s2pt enumerates every CONSTRAINED UNPREDICTABLE and IMPLEMENTATION",
    "DEFINED choice (a reserved MAIR byte, a reserved stage-2 cacheability, SH 0b01, whether stage 1 applies",
    "effective shareability) and never picks one. `s2pt combine --s1 <attr> --s2 <memattr>` explains any cell step by",
    "step; `s2pt combine --table` prints all 73,728 rows.",
    "",
    "## The rules in one page",
    "",
    "- **FWB = 0** (`S2CombineS1MemAttrs`): Device at either stage gives Device (both Device: the more restrictive,",
    "  nGnRnE > nGnRE > nGRE > GRE; one Device: that stage's type, the Normal side never changes it). Both Normal: each",
    "  half takes the weaker cacheability (NC < WT < WB) and keeps stage 1's allocation and transient hints.",
    "- **FWB = 1** (`AArch64.S2ApplyFWBMemAttrs`, MemAttr[2:0]; MemAttr[3] is RES0 without FEAT_MTE_PERM and ignored):",
    "  0b0dd Device dd (a stricter stage-1 Device type wins), 0b101 Normal NC unless stage 1 is Device,",
    "  0b110 Normal Write-Back forced (stage-1 hints kept per cacheable half, else RWA), 0b111 stage 1 unchanged,",
    "  0b100 reserved in the Arm ARM (the ASL takes the 0b101 arm).",
    "- **Shareability**: OSH if either stage is OSH, else ISH if either is ISH, else NSH; then Device and Normal",
    "  NC/NC are Outer Shareable (`EffectiveShareability`). Whether stage 1 hands stage 2 its descriptor SH or its",
    "  effective SH is IMPLEMENTATION DEFINED; it shows only with FWB 0b110 over stage-1 Device or NC/NC.",
    "- **Tags** (`S2MemTagType`): Tagged only if stage 1 is 0xF0 and the result is Normal Inner+Outer WB RWA",
    "  non-transient.",
    "- **XS** (FEAT_XS): 0 for a Normal WB/WB result, else stage-1 XS AND stage-2 XS (FWB: forced Device and NC keep",
    "  stage 1's, forced WB is 0). Reported only with FEAT_XS (`--xs`); s2pt's default is FEAT_XS off.",
    "",
  ];
  out.push(
    "The tables below cross the stage-1 MAIR bytes Linux uses with the stage-2 MemAttr values of `asm/memory.h`.",
    "Those marked † are not Linux 6.18.25's: `MT_S2_NORMAL_NOTAGACCESS` (0x4) and `MT_S2_FWB_NORMAL_NOTAGACCESS` (0xE)",
    "exist only in an MTE patch (FEAT_MTE_PERM) that was not merged, and `MT_S2_FWB_AS_S1` (7) came after 6.18 (pKVM's",
    "host stage 2, 2026). Linux 6.18.25's `pgtable.c` writes only `MT_S2_NORMAL`, `MT_S2_NORMAL_NC` and `MT_S2_DEVICE_nGnRE`",
    "(FWB off) or their `MT_S2_FWB_*` forms (FWB on).",
    "",
  );
  for (const xs of [false, true]) {
    out.push(`## Linux's attribute values, FEAT_XS ${xs ? "on" : "off"}`, "");
    out.push("### FWB off (`KVM_PGTABLE_S2_NOFWB`, `MT_S2_*`)", "", ...linuxTable(false, xs), "");
    out.push("### FWB on (FEAT_S2FWB, `MT_S2_FWB_*`)", "", ...linuxTable(true, xs), "");
  }
  out.push(
    "† `MT_S2_NORMAL_NOTAGACCESS` (0x4) and `MT_S2_FWB_NORMAL_NOTAGACCESS` (0xE), from the unmerged FEAT_MTE_PERM patch,",
    "mean NoTagAccess only with FEAT_MTE_PERM, which s2pt does not model: without it 0x4 (FWB off) has a reserved inner",
    "cacheability, and 0xE (FWB on) is 0x6. † `MT_S2_FWB_AS_S1` (7) is a post-6.18 value; the encoding itself (stage 1's",
    "attributes unchanged) is the architecture's.",
    "",
    "What this means for a guest: with FWB off, `MT_S2_NORMAL` lets the guest's stage-1 choice through, and",
    "`MT_S2_NORMAL_NC` turns a guest cacheable mapping into NC while leaving a guest Device mapping Device; with FWB",
    "on, `MT_S2_FWB_NORMAL` forces Write-Back whatever the guest says (so no cache maintenance is needed on a",
    "fault), and MemAttr 0b111 (`MT_S2_FWB_AS_S1` after 6.18) hands the guest's attributes through unchanged.",
    "",
    "## Worked traces",
    "",
    ...trace("Guest Normal WB over a stage-2 Device mapping (FWB off)", 0xff, 0x1, { fwb: false, xs: true }),
    ...trace("Guest WB-transient over stage-2 Write-Through (hints come from stage 1)", 0x77, 0xa, { fwb: false }),
    ...trace("Guest Device over MT_S2_FWB_NORMAL: the IMPLEMENTATION DEFINED shareability", 0x00, 0x6, { fwb: true }),
    ...trace("Guest Tagged memory over MT_S2_NORMAL_NC: the tag is dropped", 0xf0, 0x5, { fwb: false }),
    "## Where QEMU differs from the architecture",
    "",
    "For people validating QEMU's two-stage translation (`target/arm/ptw.c`: `combine_cacheattrs`,",
    "`combined_attrs_nofwb`, `combined_attrs_fwb`, `combine_cacheattr_nibble`) against s2pt. The categories, row",
    "counts and QEMU values are those of `arch-attributes.md` sections 6 and 8 (QEMU 9c2ff9cd, FEAT_XS on; 37,367 of",
    "73,728 rows differ, 3,415 of them substantive bugs: D1-D3, F2, N1, N2, F3, S1); the ASL column is s2pt's. Example input:",
    "`s1_attr, s1_sh, s2_memattr, s2_sh, fwb`.",
    "",
    row(["code", "what QEMU does", "example", "ASL (s2pt)", "QEMU", "rows"]),
    row(["---", "---", "---", "---", "---", "---"]),
  );
  for (const d of QEMU_DIFFS) {
    const [a, s1, m, s2, f] = d.input;
    const r = combineS1S2(a, s1, m, s2, { fwb: f === 1, xs: true });
    const asl = `${r.attr >= 0 ? hex2(r.attr) : "open"} ${r.sh >= 0 ? SH_SHORT[r.sh] : "SH open"}`;
    out.push(row([d.code, d.what, `${hex2(a)}, ${s1}, 0x${m.toString(16)}, ${s2}, ${f}`, asl, d.qemu, d.rows]));
  }
  out.push(
    "",
    "Also (section 6): QEMU applies HCR_EL2.CD only without FWB, does not reflect SCTLR_EL1.C in the attributes,",
    "and never applies effective shareability at stage 1 (one of the two IMPLEMENTATION DEFINED choices, so rows",
    "where that choice matters are `open` here, not wrong in QEMU). Tagged memory (0xF0) matches the ASL on every row.",
    "",
  );
  return out.join("\n");
}
