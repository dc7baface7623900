import { writeFileSync } from "node:fs";
import { InputError, hex } from "../../pgtable/u64.js";
import { imageOfScenario, imageToBinary, imageToJson } from "../../scenario/image.js";
import { builtGuest, guestOf } from "../../stage1/guest.js";
import { replayTable } from "../../scenario/replay.js";
import { showPath } from "../io.js";
import { inputLabel, loadScenario, naming } from "../scenarios.js";
import type { CommandSpec } from "../spec.js";

/** Write the image file; a path that cannot be written is refused naming it. */
function writeOut(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "EIO";
    throw new InputError(`--out ${showPath(path)}: cannot write it (${code})`);
  }
}

/**
 * s2pt image <scenario> --out FILE: the scenario's final stage-2 table (and
 * its guest's stage-1 tables) as a memory image, with the register values
 * that walk it (docs/memory-images.md).
 */
export const imageCommand: CommandSpec = {
  name: "image",
  describe:
    "replay a scenario and write its final stage-2 table, and its guest's stage-1 tables, as a memory image (JSON pages or a raw binary), then print the register values that walk it with `s2pt walk --image`",
  operands: [{ name: "scenario", describe: "a scenario JSON file (FORMAT.md), or - (standard input)", value: { kind: "path" } }],
  options: {
    out: { type: "string", value: { kind: "path" }, required: true, describe: "the image file to write (replaced if it exists)" },
    format: {
      type: "string",
      value: { kind: "word", words: ["json", "bin"] },
      default: "json",
      describe: "json: JSON pages, one 4K page a line; bin: raw little-endian bytes from the lowest page to the highest (at most 16 MiB; --base is printed)",
    },
    json: { type: "boolean", default: false, describe: "print the file, its format, its base and the registers as JSON" },
  },
  examples: [
    [
      "image test/fixtures/shared/conformance/scenarios/map-page-inside-block.json --out /tmp/s2.json",
      "the final table as JSON pages, and the VTTBR_EL2 / VTCR_EL2 / HCR_EL2 that walk it",
    ],
    ["image examples/guest-framebuffer-nc.json --out /tmp/guest.json", "stage 2 and the guest's stage-1 tables in one image, with the guest's registers"],
  ],
  run: (a, ctx) => {
    const path = a.operand<string>("scenario") as string;
    const out = a.value<string>("out") as string;
    const format = a.value<string>("format") as string;
    const scn = loadScenario(ctx, path);
    const img = naming(inputLabel(path), () => {
      const pgt = replayTable(scn);
      const guest = scn.guest === null ? null : (builtGuest(pgt) ?? guestOf(pgt, scn.guest, "the guest tables (written after the scenario's ops)"));
      return imageOfScenario(pgt, guest);
    });
    let base: number | null = null;
    if (format === "bin") {
      const bin = imageToBinary(img.mem);
      base = bin.base;
      writeOut(out, bin.bytes);
    } else writeOut(out, imageToJson(img.mem));
    const r = img.registers;
    if (a.flag("json")) {
      ctx.print(JSON.stringify({ file: out, format, base: base === null ? null : hex(base), frames: img.mem.frameCount, registers: r }, null, 2));
      return;
    }
    const file = showPath(out);
    const img2 = `--image ${file}${base === null ? "" : ` --base ${hex(base)}`}`;
    const s2 = `--vttbr ${r.vttbr} --vtcr ${r.vtcr} --hcr ${r.hcr}`;
    const lines = [
      `wrote ${file}: ${format === "bin" ? `a raw little-endian image from PA ${hex(base ?? 0)}` : "JSON pages"}, ${img.mem.frameCount} 4K frames`,
      `  VTTBR_EL2 ${r.vttbr}  VTCR_EL2 ${r.vtcr}  HCR_EL2 ${r.hcr}`,
    ];
    if (r.tcr !== undefined) lines.push(`  TTBR0_EL1 ${r.ttbr0}  TTBR1_EL1 ${r.ttbr1}  TCR_EL1 ${r.tcr}  MAIR_EL1 ${r.mair}  SCTLR_EL1 ${r.sctlr}`);
    lines.push("walk it:", `  s2pt walk ${img2} ${s2} --ipa <IPA>`);
    if (r.tcr !== undefined)
      lines.push(`  s2pt walk ${img2} ${s2} --ttbr0 ${r.ttbr0} --ttbr1 ${r.ttbr1} --tcr ${r.tcr} --mair ${r.mair} --sctlr ${r.sctlr} --va <VA>`);
    ctx.print(lines.join("\n"));
  },
};
