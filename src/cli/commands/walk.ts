import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { replay } from "../../pgtable/replay.js";
import { InputError } from "../../pgtable/u64.js";
import { ACCESS_NAMES } from "../../walker/fault.js";
import { formatWalkReport, walkIpa, walkReportJson, type Stage1Attrs } from "../../walker/describe.js";
import { SH_SHORT } from "../../mair/attrs.js";
import { formatCombine, parseField, shOpt } from "./combine.js";
import { S2Walker } from "../../walker/translate.js";
import { flag, hexOpt, str, type Args } from "../options.js";
import { loadScenario } from "./replay.js";

/** s2pt walk <scenario> --ipa <hex>: the hardware's stage-2 walk of one IPA over the table the scenario builds. */
export function walkCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "walk <scenario>",
    "replay a scenario, then walk one IPA through the final table as the hardware does: every level read, then the PA or the fault with its ESR_EL2 syndrome and HPFAR_EL2",
    (b) =>
      b
        .positional("scenario", { type: "string", describe: "a scenario JSON file (FORMAT.md)" })
        .option("ipa", { type: "string", describe: "the IPA, 0x-prefixed hex (any 64-bit value; beyond the IPA size it faults)" })
        .option("access", { type: "string", default: "r", describe: "r (data read), w (data write) or x (instruction fetch)" })
        .option("el", { type: "string", default: "1", describe: "Exception level of the access: 0 or 1 (chooses XN[1:0] with --xnx)" })
        .option("ha", { type: "boolean", default: true, describe: "VTCR_EL2.HA: hardware sets AF (KVM's setting); --no-ha: an AF = 0 leaf takes an Access flag fault" })
        .option("hd", { type: "boolean", default: false, describe: "VTCR_EL2.HD: with HA, a write to a DBM leaf sets S2AP[1] instead of faulting (KVM never sets HD)" })
        .option("xnx", { type: "boolean", default: false, describe: "FEAT_XNX: descriptor bits 54:53 are XN[1:0] by EL (Linux 6.18.25 writes only bit 54)" })
        .option("s1-attr", { type: "string", describe: "stage-1 MAIR_EL1 Attr byte (0x00..0xff): also print the memory type the access gets, stage 1 combined with the leaf per the Arm ASL" })
        .option("s1-sh", { type: "string", describe: "stage-1 SH with --s1-attr: 0 (NSH), 2 (OSH), 3 (ISH, the default)" })
        .option("json", { type: "boolean", default: false, describe: "machine-readable output" })
        .example("$0 walk test/fixtures/shared/conformance/scenarios/map-page-inside-block.json --ipa 0x40001234", "a data read through a 4K page")
        .example("$0 walk test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json --ipa 0x40000000 --access x", "an instruction fetch from an XN page: Permission fault")
        .example("$0 walk test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json --ipa 0x40000000 --s1-attr 0x44 --s1-sh 3", "and the memory type a guest Normal-NC mapping gets over it"),
    (args: Args) =>
      ctx.guard(() => {
        const path = str(args, "scenario");
        if (path === undefined) throw new InputError("scenario: missing");
        const ipa = hexOpt(args, "ipa");
        if (ipa === undefined) throw new InputError("--ipa: missing (the IPA to translate, 0x-prefixed hex)");
        const accessName = str(args, "access") ?? "r";
        const access = (ACCESS_NAMES as readonly string[]).indexOf(accessName);
        if (access < 0) throw new InputError(`--access: '${accessName}' is not r (read), w (write) or x (execute)`);
        const elText = str(args, "el") ?? "1";
        if (elText !== "0" && elText !== "1") throw new InputError(`--el: '${elText}' is not 0 or 1 (a stage-2 walk translates EL0 and EL1 accesses)`);
        const s1 = stage1Opts(args);
        const scn = loadScenario(path);
        const { pgt } = replay(scn);
        const walker = new S2Walker(pgt, { ha: args.ha !== false, hd: flag(args, "hd"), xnx: flag(args, "xnx") });
        const report = walkIpa(walker, ipa, access, Number(elText), s1);
        if (flag(args, "json")) {
          ctx.print(JSON.stringify(walkReportJson(report), null, 2));
          return;
        }
        let text = formatWalkReport(walker, report);
        if (s1) {
          text += `\n\nstage 1 MAIR Attr 0x${s1.attr.toString(16).padStart(2, "0")}, SH ${SH_SHORT[s1.sh]} combined with this leaf (src/mair, the Arm ASL):\n`;
          text += report.combined ? indent(formatCombine(report.combined)) : "  none: the walk faulted, so the access has no memory type";
        }
        ctx.print(text);
      }),
  );
}

/** --s1-attr / --s1-sh, or undefined when neither is given. */
function stage1Opts(args: Args): Stage1Attrs | undefined {
  const attr = str(args, "s1-attr");
  const sh = str(args, "s1-sh");
  if (attr === undefined) {
    if (sh !== undefined) throw new InputError("--s1-sh needs --s1-attr (the stage-1 MAIR Attr byte)");
    return undefined;
  }
  return { attr: parseField(attr, "--s1-attr", 0xff), sh: shOpt(args, "s1-sh") };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : "  " + l))
    .join("\n");
}
