import { replayTable } from "../../scenario/replay.js";
import { InputError } from "../../pgtable/u64.js";
import { formatWalkReport, walkIpa64, walkReportJson, type Stage1Attrs } from "../../walker/describe.js";
import { SH_ISH, SH_SHORT } from "../../mair/attrs.js";
import { formatCombine } from "./combine.js";
import { S2Walker } from "../../walker/translate.js";
import { builtGuest, guestOf, nestedWalker } from "../../stage1/guest.js";
import { formatNestedReport, nestedReportJson, walkVa } from "../../stage1/describe.js";
import { indent } from "../options.js";
import { inputLabel, loadScenario, naming } from "../scenarios.js";
import { IMAGE_OPTIONS, imageGuest, imageSummary, imageTables, loadImage, refuseImageOptions, refuseStage1Registers } from "../images.js";
import { NestedWalker } from "../../stage1/walk.js";
import type { CommandArgs, CommandSpec } from "../spec.js";

/**
 * s2pt walk <scenario> --ipa <hex>: the hardware's stage-2 walk of one IPA over the table the scenario builds;
 * --va <hex>: the guest's two-stage translation of a VA (the scenario's guest section).
 */
export const walkCommand: CommandSpec = {
  name: "walk",
  describe:
    "walk one IPA through a stage-2 table as the hardware does (--ipa), or translate a guest VA through the guest's stage-1 tables and stage 2 (--va): every level read, then the PA and memory type, or the fault with its syndrome; the table is a replayed scenario's, or any table in a memory image with its registers (--image, --vttbr, --vtcr)",
  operands: [
    { name: "scenario", describe: "a scenario JSON file (FORMAT.md), or - (standard input); none with --image", value: { kind: "path" }, optional: true },
  ],
  options: {
    ipa: { type: "string", value: { kind: "u64" }, describe: "the IPA, 0x-prefixed hex (any 64-bit value; beyond the IPA size it faults)" },
    va: {
      type: "string",
      value: { kind: "u64" },
      describe: "a guest VA, 0x-prefixed hex (any 64-bit value): the two-stage translation through the scenario's guest section (docs/two-stage.md)",
    },
    access: {
      type: "string",
      value: { kind: "access" },
      default: "r",
      describe: "r (read), w (write) or x (exec, an instruction fetch); read, write, exec also",
    },
    el: {
      type: "string",
      value: { kind: "int", min: 0, max: 1 },
      default: "1",
      describe: "Exception level of the access: 0 or 1 (chooses XN[1:0] with --xnx)",
    },
    ha: { type: "boolean", default: true, describe: "VTCR_EL2.HA: hardware sets AF (KVM's setting); --no-ha: an AF = 0 leaf takes an Access flag fault" },
    hd: { type: "boolean", default: false, describe: "VTCR_EL2.HD: with HA, a write to a DBM leaf sets S2AP[1] instead of faulting (KVM never sets HD)" },
    xnx: { type: "boolean", default: false, describe: "FEAT_XNX: descriptor bits 54:53 are XN[1:0] by EL (Linux 6.18.25 writes only bit 54)" },
    "s1-attr": {
      type: "string",
      value: { kind: "mair" },
      describe:
        "stage-1 MAIR_EL1 Attr byte (0x00..0xff, or a name: normal, wc, device-ngnre, ...): also print the memory type the access gets, stage 1 combined with the leaf per the Arm ASL",
    },
    "s1-sh": { type: "string", value: { kind: "sh" }, describe: "stage-1 SH with --s1-attr: 0 (nsh), 2 (osh), 3 (ish, the default)" },
    json: { type: "boolean", default: false, describe: "machine-readable output" },
    ...IMAGE_OPTIONS,
  },
  examples: [
    ["walk test/fixtures/shared/conformance/scenarios/map-page-inside-block.json --ipa 0x40001234", "a data read through a 4K page"],
    [
      "walk test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json --ipa 0x40000000 --access x",
      "an instruction fetch from an XN page: Permission fault",
    ],
    [
      "walk test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json --ipa 0x40000000 --s1-attr 0x44 --s1-sh 3",
      "and the memory type a guest Normal-NC mapping gets over it",
    ],
    [
      "walk examples/guest-framebuffer-nc.json --va 0xffffffc000001040 --access w",
      "a guest framebuffer write: VA -> IPA -> PA and its memory type (Normal-NC)",
    ],
    [
      "walk --image examples/images/4k.json --vttbr 0x1000080000000 --vtcr 0x80023558 --ipa 0x40201234 --access w",
      "a stage-2 walk over a memory image (JSON pages), the registers given as raw values",
    ],
  ],
  run: (a, ctx) => {
    const path = a.operand<string>("scenario");
    const ipa = a.value<bigint>("ipa");
    const va = a.value<bigint>("va");
    if (ipa !== undefined && va !== undefined)
      throw new InputError("--ipa and --va: give one, not both (--ipa walks stage 2 alone, --va translates a guest VA through both stages)");
    if (ipa === undefined && va === undefined)
      throw new InputError("--ipa: missing: give --ipa <IPA> (a stage-2 walk) or --va <VA> (the guest's two-stage translation), 0x-prefixed hex");
    const access = a.value<number>("access") as number;
    const el = a.value<number>("el") as number;
    const s1 = stage1Opts(a);
    if (va !== undefined && s1 !== undefined) throw new InputError("--s1-attr: not with --va (the guest's stage-1 leaf gives the attributes)");
    const imagePath = a.value<string>("image");
    if (imagePath !== undefined) {
      const mem = loadImage(ctx, imagePath, a.value<bigint>("base"));
      if (path !== undefined) throw new InputError(`${inputLabel(path)}: a scenario and --image: give one (the tables come from one or the other)`);
      for (const o of ["ha", "hd"]) if (a.has(o)) throw new InputError(`--${o}: with --image, VTCR_EL2.HA and HD come from --vtcr`);
      if (va === undefined) refuseStage1Registers(a);
      const g = va === undefined ? null : imageGuest(a);
      if (va !== undefined && g !== null && !g.stage2) {
        // HCR_EL2.VM = 0: stage 1 alone, its tables read at their IPAs as PAs; PAMax from --pa-bits (default 48).
        const paMax = a.value<number>("pa-bits") ?? 48;
        const nw = new NestedWalker(null, mem, g.cfg, paMax);
        const rep = walkVa(nw, va, access, el);
        const notes = [...g.notes, ...(a.has("pa-bits") ? [] : ["PAMax 48 bits (--pa-bits gives the PE's PA size)"])];
        const head = imageSummary(imagePath, mem, null);
        if (a.flag("json")) ctx.print(JSON.stringify({ ...nestedReportJson(rep), notes }, null, 2));
        else ctx.print(`${head}\n${formatNestedReport(nw, rep, formatCombine)}\n${noteLines(notes)}`);
        return;
      }
      const tables = imageTables(a, mem);
      const walker = new S2Walker(tables, { ha: tables.params.ha, hd: tables.params.hd, xnx: a.flag("xnx") });
      const head = imageSummary(imagePath, mem, tables);
      if (va !== undefined && g !== null) {
        if (g.fwb !== tables.params.fwb) throw new Error("HCR_EL2.FWB read twice differently");
        const nw = new NestedWalker(walker, mem, g.cfg);
        const rep = walkVa(nw, va, access, el);
        const notes = [...tables.params.notes, ...g.notes];
        if (a.flag("json")) ctx.print(JSON.stringify({ ...nestedReportJson(rep), notes }, null, 2));
        else ctx.print(`${head}\n${formatNestedReport(nw, rep, formatCombine)}\n${noteLines(notes)}`);
        return;
      }
      if (ipa === undefined) return;
      const report = walkIpa64(walker, ipa, access, el, s1);
      if (a.flag("json")) ctx.print(JSON.stringify({ ...walkReportJson(report), notes: tables.params.notes }, null, 2));
      else ctx.print(`${head}\n${ipaText(walker, report, s1)}\n${noteLines(tables.params.notes)}`);
      return;
    }
    refuseImageOptions(a);
    if (path === undefined) throw new InputError("scenario: missing: give a scenario file (or - for standard input), or --image with its registers");
    const scn = loadScenario(ctx, path);
    const label = inputLabel(path);
    if (va !== undefined && scn.guest === null) throw new InputError(`${label}: --va needs a scenario with a 'guest' section (docs/two-stage.md)`);
    // Whatever the replay, the guest builder or the walk refuses is about this scenario: name the file.
    naming(label, () => {
      const pgt = replayTable(scn);
      const walker = new S2Walker(pgt, { ha: a.flag("ha"), hd: a.flag("hd"), xnx: a.flag("xnx") });
      if (va !== undefined) {
        const g = builtGuest(pgt) ?? guestOf(pgt, scn.guest, "the guest tables (written after the scenario's ops)");
        const nw = nestedWalker(g, walker);
        const rep = walkVa(nw, va, access, el);
        ctx.print(a.flag("json") ? JSON.stringify(nestedReportJson(rep), null, 2) : formatNestedReport(nw, rep, formatCombine));
        return;
      }
      if (ipa === undefined) return;
      const report = walkIpa64(walker, ipa, access, el, s1);
      if (a.flag("json")) {
        ctx.print(JSON.stringify(walkReportJson(report), null, 2));
        return;
      }
      ctx.print(ipaText(walker, report, s1));
    });
  },
};

/** A stage-2 walk's text, with the combine when stage-1 attributes were given. */
function ipaText(walker: S2Walker, report: ReturnType<typeof walkIpa64>, s1: Stage1Attrs | undefined): string {
  let text = formatWalkReport(walker, report);
  if (s1) {
    text += `\n\nstage 1 MAIR Attr 0x${s1.attr.toString(16).padStart(2, "0")}, SH ${SH_SHORT[s1.sh]} combined with this leaf (src/mair, the Arm ASL):\n`;
    text += report.combined ? indent(formatCombine(report.combined)) : "  none: the walk faulted, so the access has no memory type";
  }
  return text;
}

/** The registers' notes (read, not modelled) as text lines. */
function noteLines(notes: readonly string[]): string {
  return notes.map((n) => `note: ${n}`).join("\n");
}

/** --s1-attr / --s1-sh, or undefined when neither is given. */
function stage1Opts(a: CommandArgs): Stage1Attrs | undefined {
  const attr = a.value<number>("s1-attr");
  if (attr === undefined) {
    if (a.has("s1-sh")) throw new InputError("--s1-sh needs --s1-attr (the stage-1 MAIR Attr byte)");
    return undefined;
  }
  return { attr, sh: a.value<number>("s1-sh") ?? SH_ISH };
}
