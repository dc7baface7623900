import { combineS1S2, combineTable, combineTableRows, configWords, type CombineOptions } from "../../mair/combine.js";
import { InputError } from "../../pgtable/u64.js";
import { formatCombine } from "../../mair/format.js";
import type { CommandArgs, CommandSpec } from "../spec.js";

export { formatCombine };

const TABLE_FIELDS = ["s1_attr", "s1_sh", "s2_memattr", "s2_sh", "fwb", "attr", "sh"] as const;

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

function attrCell(v: number): string {
  return v < 0 ? "open" : hex2(v);
}

/** The whole table as text: json (the reference vectors' shape), csv or md. */
export function formatTable(opts: Omit<CombineOptions, "fwb">, format: string): string {
  const t = combineTable(opts);
  const rows: string[] = [];
  if (format === "json") {
    for (const r of combineTableRows(t)) rows.push(`[${r.join(",")}]`);
    return `{"fields":${JSON.stringify(TABLE_FIELDS)},"rows":[${rows.join(",")}]}`;
  }
  if (format === "csv") {
    rows.push(TABLE_FIELDS.join(","));
    for (const r of combineTableRows(t)) rows.push(r.join(","));
    return rows.join("\n");
  }
  rows.push(`<!-- s2pt combine --table: ${configWords({ ...t.config, fwb: false }).replace(/^FWB=0, /, "")}; -1 = open -->`);
  rows.push(`| ${TABLE_FIELDS.join(" | ")} |`, `|${TABLE_FIELDS.map(() => " --- |").join("")}`);
  for (const r of combineTableRows(t))
    rows.push(`| ${hex2(r[0])} | ${r[1]} | 0x${r[2].toString(16)} | ${r[3]} | ${r[4]} | ${attrCell(r[5])} | ${r[6] < 0 ? "open" : r[6]} |`);
  return rows.join("\n");
}

function controls(a: CommandArgs): Omit<CombineOptions, "fwb"> {
  return {
    xs: a.flag("xs"),
    mte2: a.flag("mte2"),
    hcrCD: a.flag("hcr-cd"),
    hcrDC: a.flag("hcr-dc"),
    hcrDCT: a.flag("hcr-dct"),
    sctlrC: a.flag("sctlr-c"),
    ifetch: a.flag("ifetch"),
    hcrID: a.flag("hcr-id"),
    sctlrI: a.flag("sctlr-i"),
  };
}

/** s2pt combine: the stage-1 + stage-2 attribute combine, per the Arm ASL. */
export const combineCommand: CommandSpec = {
  name: "combine",
  describe: "combine a stage-1 MAIR Attr byte with a stage-2 MemAttr (FWB on or off) per the Arm ASL, step by step",
  options: {
    s1: {
      type: "string",
      value: { kind: "mair" },
      describe:
        "stage-1 MAIR Attr byte, 0x00..0xff, or a name: normal (wb), normal-nc (nc, wc), normal-wt, normal-tagged, device-ngnrne, device-ngnre, device-gre, MAIR_ATTR_*",
    },
    s2: {
      type: "string",
      value: { kind: "memattr" },
      describe:
        "stage-2 descriptor MemAttr[3:0], 0x0..0xf, or MT_S2_NORMAL, MT_S2_NORMAL_NC, MT_S2_DEVICE_nGnRE (--no-fwb) / MT_S2_FWB_NORMAL, MT_S2_FWB_NORMAL_NC, MT_S2_FWB_DEVICE_nGnRE (FWB)",
    },
    "s1-sh": { type: "string", value: { kind: "sh" }, describe: "stage-1 SH: 0 (nsh), 2 (osh), 3 (ish)", default: "3" },
    "s2-sh": { type: "string", value: { kind: "sh" }, describe: "stage-2 SH: 0 (nsh), 2 (osh), 3 (ish)", default: "3" },
    fwb: { type: "boolean", describe: "HCR_EL2.FWB = 1 (FEAT_S2FWB); --no-fwb for FWB = 0", default: true },
    xs: { type: "boolean", describe: "FEAT_XS implemented (XS reported)", default: false },
    mte2: { type: "boolean", describe: "FEAT_MTE2 implemented (--no-mte2: 0xF0 is reserved)", default: true },
    "hcr-cd": { type: "boolean", describe: "HCR_EL2.CD = 1 (stage-2 data accesses Non-cacheable)", default: false },
    "hcr-dc": { type: "boolean", describe: "HCR_EL2.DC = 1 (stage 1 disabled, default cacheable)", default: false },
    "hcr-dct": { type: "boolean", describe: "HCR_EL2.DCT = 1 (with --hcr-dc: Tagged)", default: false },
    "sctlr-c": { type: "boolean", describe: "SCTLR_EL1.C (--no-sctlr-c: stage-1 data Non-cacheable)", default: true },
    ifetch: { type: "boolean", describe: "an instruction fetch instead of a data access", default: false },
    "hcr-id": { type: "boolean", describe: "HCR_EL2.ID = 1 (stage-2 instruction fetches Non-cacheable)", default: false },
    "sctlr-i": { type: "boolean", describe: "SCTLR_EL1.I (--no-sctlr-i: stage-1 fetches Non-cacheable)", default: true },
    json: { type: "boolean", describe: "machine-readable output (one combine)", default: false },
    table: { type: "boolean", describe: "print all 73,728 rows (s1 attr x s1 SH x s2 MemAttr x s2 SH x FWB)", default: false },
    format: { type: "string", value: { kind: "word", words: ["json", "csv", "md"] }, describe: "with --table: json (the default), csv or md" },
  },
  examples: [
    ["combine --s1 0xff --s2 0x1 --no-fwb", "Normal WB guest mapping over a stage-2 Device-nGnRE mapping"],
    ["combine --s1 normal --s2 MT_S2_DEVICE_nGnRE --no-fwb", "the same, by name"],
    ["combine --s1 0x00 --s2 0x6", "FWB forces Write-Back; the shareability is IMPLEMENTATION DEFINED"],
    ["combine --table --format csv", "the whole table as CSV"],
  ],
  run: (a, ctx) => {
    const ctl = controls(a);
    if (a.flag("table")) {
      for (const n of ["s1", "s2", "json", "s1-sh", "s2-sh", "fwb"]) {
        if (a.has(n)) throw new InputError(`--table prints every row: it takes no --${n}`);
      }
      ctx.print(formatTable(ctl, a.value<string>("format") ?? "json"));
      return;
    }
    if (a.has("format")) throw new InputError("--format: only with --table (it chooses the table's format; --json gives one combine as JSON)");
    const attr = a.value<number>("s1");
    const memattr = a.value<number>("s2");
    if (attr === undefined || memattr === undefined) throw new InputError("--s1 <attr byte> and --s2 <memattr> are required (or --table)");
    const r = combineS1S2(attr, a.value<number>("s1-sh") as number, memattr, a.value<number>("s2-sh") as number, { ...ctl, fwb: a.flag("fwb") });
    if (a.flag("json")) ctx.print(JSON.stringify(r, null, 2));
    else ctx.print(formatCombine(r));
  },
};
