import { imageOfScenario, imageToJson } from "../../scenario/image.js";
import { builtGuest, guestOf } from "../../stage1/guest.js";
import { replayTable } from "../../scenario/replay.js";
import { inputLabel, loadScenario, naming } from "../scenarios.js";
import type { CommandSpec } from "../spec.js";

/**
 * s2pt image <scenario>: the scenario's final stage-2 table (and its
 * guest's stage-1 tables) as a memory image in JSON pages on standard
 * output; --registers: the register values that walk it instead
 * (docs/memory-images.md).
 */
export const imageCommand: CommandSpec = {
  name: "image",
  describe:
    "replay a scenario and print its final stage-2 table, and its guest's stage-1 tables, as a memory image (JSON pages, one 4K page a line); --registers prints the register values that walk it with `s2pt walk --image`",
  operands: [{ name: "scenario", describe: "a scenario JSON file (FORMAT.md), or - (standard input)", value: { kind: "path" } }],
  options: {
    registers: {
      type: "boolean",
      default: false,
      describe:
        "print the registers that walk the image (VTTBR_EL2, VTCR_EL2, HCR_EL2, and the guest's TTBR0/1_EL1, TCR_EL1, MAIR_EL1, SCTLR_EL1) instead of the image",
    },
    json: { type: "boolean", default: false, describe: "with --registers: the registers as a JSON object (the image is JSON already)" },
  },
  examples: [
    ["image test/fixtures/shared/conformance/scenarios/map-page-inside-block.json", "the final table as JSON pages (redirect it into a file for walk --image)"],
    [
      "image test/fixtures/shared/conformance/scenarios/map-page-inside-block.json --registers",
      "the VTTBR_EL2, VTCR_EL2 and HCR_EL2 that walk it, and the command line",
    ],
    ["image examples/guest-framebuffer-nc.json --registers", "stage 2 and the guest's stage-1 tables in one image: the guest's registers too"],
  ],
  run: (a, ctx) => {
    const path = a.operand<string>("scenario") as string;
    const scn = loadScenario(ctx, path);
    const img = naming(inputLabel(path), () => {
      const pgt = replayTable(scn);
      const guest = scn.guest === null ? null : (builtGuest(pgt) ?? guestOf(pgt, scn.guest, "the guest tables (written after the scenario's ops)"));
      return imageOfScenario(pgt, guest);
    });
    if (!a.flag("registers")) {
      ctx.print(imageToJson(img.mem));
      return;
    }
    const r = img.registers;
    if (a.flag("json")) {
      ctx.print(JSON.stringify(r, null, 2));
      return;
    }
    const s2 = `--vttbr ${r.vttbr} --vtcr ${r.vtcr} --hcr ${r.hcr}`;
    const lines = [`VTTBR_EL2 ${r.vttbr}`, `VTCR_EL2  ${r.vtcr}`, `HCR_EL2   ${r.hcr}`];
    if (r.tcr !== undefined) lines.push(`TTBR0_EL1 ${r.ttbr0}`, `TTBR1_EL1 ${r.ttbr1}`, `TCR_EL1   ${r.tcr}`, `MAIR_EL1  ${r.mair}`, `SCTLR_EL1 ${r.sctlr}`);
    lines.push(`walk it (the image saved as IMAGE.json): s2pt walk --image IMAGE.json ${s2} --ipa <IPA>`);
    if (r.tcr !== undefined)
      lines.push(
        `  or a guest VA: s2pt walk --image IMAGE.json ${s2} --ttbr0 ${r.ttbr0} --ttbr1 ${r.ttbr1} --tcr ${r.tcr} --mair ${r.mair} --sctlr ${r.sctlr} --va <VA>`,
      );
    ctx.print(lines.join("\n"));
  },
};
