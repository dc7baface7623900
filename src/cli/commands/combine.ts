import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import {
  combineS1S2,
  combineTable,
  combineTableRows,
  configWords,
  type CombineOptions,
} from "../../mair/combine.js";
import { InputError, parseSmallNumber } from "../../pgtable/u64.js";
import { SH_ISH, parseShareability } from "../../mair/attrs.js";
import { formatCombine } from "../../mair/format.js";
import { flag, str, type Args } from "../options.js";

export { formatCombine };

const TABLE_FIELDS = ["s1_attr", "s1_sh", "s2_memattr", "s2_sh", "fwb", "attr", "sh"] as const;

/** A small unsigned field: 0x-prefixed hex, 0b-prefixed binary or decimal, at most `max`. */
export function parseField(text: string, what: string, max: number): number {
  return parseSmallNumber(text, what, max);
}

/** --s1-sh / --s2-sh: 0 (NSH), 2 (OSH) or 3 (ISH); inner shareable when absent. */
export function shOpt(args: Args, name: string): number {
  const s = str(args, name);
  return s === undefined ? SH_ISH : parseShareability(s, `--${name}`);
}

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
  for (const r of combineTableRows(t)) rows.push(`| ${hex2(r[0])} | ${r[1]} | 0x${r[2].toString(16)} | ${r[3]} | ${r[4]} | ${attrCell(r[5])} | ${r[6] < 0 ? "open" : r[6]} |`);
  return rows.join("\n");
}

function controls(args: Args): Omit<CombineOptions, "fwb"> {
  return {
    xs: flag(args, "xs"),
    mte2: args.mte2 !== false,
    hcrCD: flag(args, "hcr-cd"),
    hcrDC: flag(args, "hcr-dc"),
    hcrDCT: flag(args, "hcr-dct"),
    sctlrC: args["sctlr-c"] !== false,
    ifetch: flag(args, "ifetch"),
    hcrID: flag(args, "hcr-id"),
    sctlrI: args["sctlr-i"] !== false,
  };
}

/** s2pt combine: the stage-1 + stage-2 attribute combine, per the Arm ASL. */
export function combineCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "combine",
    "combine a stage-1 MAIR Attr byte with a stage-2 MemAttr (FWB on or off) per the Arm ASL, step by step",
    (b) =>
      b
        .option("s1", { type: "string", describe: "stage-1 MAIR Attr byte, 0x00..0xff" })
        .option("s2", { type: "string", describe: "stage-2 descriptor MemAttr[3:0], 0x0..0xf" })
        .option("s1-sh", { type: "string", describe: "stage-1 SH: 0 (NSH), 2 (OSH), 3 (ISH)", default: "3" })
        .option("s2-sh", { type: "string", describe: "stage-2 SH: 0 (NSH), 2 (OSH), 3 (ISH)", default: "3" })
        .option("fwb", { type: "boolean", describe: "HCR_EL2.FWB = 1 (FEAT_S2FWB); --no-fwb for FWB = 0", default: true })
        .option("xs", { type: "boolean", describe: "FEAT_XS implemented (XS reported)", default: false })
        .option("mte2", { type: "boolean", describe: "FEAT_MTE2 implemented (--no-mte2: 0xF0 is reserved)", default: true })
        .option("hcr-cd", { type: "boolean", describe: "HCR_EL2.CD = 1 (stage-2 data accesses Non-cacheable)", default: false })
        .option("hcr-dc", { type: "boolean", describe: "HCR_EL2.DC = 1 (stage 1 disabled, default cacheable)", default: false })
        .option("hcr-dct", { type: "boolean", describe: "HCR_EL2.DCT = 1 (with --hcr-dc: Tagged)", default: false })
        .option("sctlr-c", { type: "boolean", describe: "SCTLR_EL1.C (--no-sctlr-c: stage-1 data Non-cacheable)", default: true })
        .option("ifetch", { type: "boolean", describe: "an instruction fetch instead of a data access", default: false })
        .option("hcr-id", { type: "boolean", describe: "HCR_EL2.ID = 1 (stage-2 instruction fetches Non-cacheable)", default: false })
        .option("sctlr-i", { type: "boolean", describe: "SCTLR_EL1.I (--no-sctlr-i: stage-1 fetches Non-cacheable)", default: true })
        .option("json", { type: "boolean", describe: "machine-readable output (one combine)", default: false })
        .option("table", { type: "boolean", describe: "print all 73,728 rows (s1 attr x s1 SH x s2 MemAttr x s2 SH x FWB)", default: false })
        .option("format", { type: "string", describe: "--table output: json, csv or md", default: "json" })
        .example("$0 combine --s1 0xff --s2 0x1 --no-fwb", "Normal WB guest mapping over a stage-2 Device-nGnRE mapping")
        .example("$0 combine --s1 0x00 --s2 0x6", "FWB forces Write-Back; the shareability is IMPLEMENTATION DEFINED")
        .example("$0 combine --table --format csv > combine.csv", "the whole table"),
    (args: Args) =>
      ctx.guard(() => {
        const ctl = controls(args);
        if (flag(args, "table")) {
          for (const n of ["s1", "s2", "json"]) {
            if (args[n] !== undefined && args[n] !== false) throw new InputError(`--table prints every row: it takes no --${n}`);
          }
          const format = (str(args, "format") ?? "json").toLowerCase();
          if (format !== "json" && format !== "csv" && format !== "md") throw new InputError(`--format: '${str(args, "format")}' is not json, csv or md`);
          ctx.print(formatTable(ctl, format));
          return;
        }
        const s1 = str(args, "s1");
        const s2 = str(args, "s2");
        if (s1 === undefined || s2 === undefined) throw new InputError("--s1 <attr byte> and --s2 <memattr> are required (or --table)");
        const attr = parseField(s1, "--s1", 0xff);
        const memattr = parseField(s2, "--s2", 0xf);
        const s1Sh = shOpt(args, "s1-sh");
        const s2Sh = shOpt(args, "s2-sh");
        const r = combineS1S2(attr, s1Sh, memattr, s2Sh, { ...ctl, fwb: args.fwb !== false });
        if (flag(args, "json")) ctx.print(JSON.stringify(r, null, 2));
        else ctx.print(formatCombine(r));
      }),
  );
}
