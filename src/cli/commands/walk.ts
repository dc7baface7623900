import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { InputError } from "../../pgtable/u64.js";
import { ACCESS_NAMES } from "../../walker/fault.js";
import { formatWalkReport, walkIpa, walkReportJson, type Stage1Attrs } from "../../walker/describe.js";
import { SH_SHORT } from "../../mair/attrs.js";
import { formatCombine, parseField, shOpt } from "./combine.js";
import { S2Walker } from "../../walker/translate.js";
import { flag, hexOpt, str, type Args } from "../options.js";
import { loadScenario, replayTableFile } from "./replay.js";
import { builtGuest, guestOf, nestedWalker } from "../../stage1/guest.js";
import { formatNestedReport, nestedReportJson, walkVa } from "../../stage1/describe.js";
import "../../stage1/op.js";

/**
 * s2pt walk <scenario> --ipa <hex>: the hardware's stage-2 walk of one IPA over the table the scenario builds;
 * --va <hex>: the guest's two-stage translation of a VA (the scenario's guest section).
 */
export function walkCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "walk <scenario>",
    "replay a scenario, then walk one IPA through the final table as the hardware does (--ipa), or translate a guest VA through the guest's stage-1 tables and stage 2 (--va): every level read, then the PA and memory type, or the fault with its syndrome",
    (b) =>
      b
        .positional("scenario", { type: "string", describe: "a scenario JSON file (FORMAT.md)" })
        .option("ipa", { type: "string", describe: "the IPA, 0x-prefixed hex (any 64-bit value; beyond the IPA size it faults)" })
        .option("va", { type: "string", describe: "a guest VA, 0x-prefixed hex (any 64-bit value): the two-stage translation through the scenario's guest section (docs/two-stage.md)" })
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
        .example("$0 walk test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json --ipa 0x40000000 --s1-attr 0x44 --s1-sh 3", "and the memory type a guest Normal-NC mapping gets over it")
        .example("$0 walk examples/guest-framebuffer-nc.json --va 0xffff000010000000 --access w", "a guest framebuffer write: VA -> IPA -> PA and its memory type"),
    (args: Args) =>
      ctx.guard(() => {
        const path = str(args, "scenario");
        if (path === undefined) throw new InputError("scenario: missing");
        const ipa = hexOpt(args, "ipa");
        const va = hexOpt(args, "va");
        if (ipa !== undefined && va !== undefined) throw new InputError("--ipa and --va: give one, not both (--ipa walks stage 2 alone, --va translates a guest VA through both stages)");
        if (ipa === undefined && va === undefined) throw new InputError("--ipa: missing: give --ipa <IPA> (a stage-2 walk) or --va <VA> (the guest's two-stage translation), 0x-prefixed hex");
        const accessName = str(args, "access") ?? "r";
        const access = (ACCESS_NAMES as readonly string[]).indexOf(accessName);
        if (access < 0) throw new InputError(`--access: '${accessName}' is not r (read), w (write) or x (execute)`);
        const elText = str(args, "el") ?? "1";
        if (elText !== "0" && elText !== "1") throw new InputError(`--el: '${elText}' is not 0 or 1 (a stage-2 walk translates EL0 and EL1 accesses)`);
        const s1 = stage1Opts(args);
        if (va !== undefined && s1 !== undefined) throw new InputError("--s1-attr: not with --va (the guest's stage-1 leaf gives the attributes)");
        const scn = loadScenario(path);
        if (va !== undefined && scn.guest === null) throw new InputError(`${path}: --va needs a scenario with a 'guest' section (docs/two-stage.md)`);
        const pgt = replayTableFile(path, scn);
        const walker = new S2Walker(pgt, { ha: args.ha !== false, hd: flag(args, "hd"), xnx: flag(args, "xnx") });
        if (va !== undefined) {
          const g = builtGuest(pgt) ?? guestOf(pgt, scn.guest, `${path}: the guest tables (written after the scenario's ops)`);
          const nw = nestedWalker(g, walker);
          const rep = walkVa(nw, va, access, Number(elText));
          ctx.print(flag(args, "json") ? JSON.stringify(nestedReportJson(rep), null, 2) : formatNestedReport(nw, rep, formatCombine));
          return;
        }
        if (ipa === undefined) return;
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
