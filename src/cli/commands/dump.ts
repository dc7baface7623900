import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { ptdump } from "../../pgtable/ptdump.js";
import { InputError } from "../../pgtable/u64.js";
import { flag, str, type Args } from "../options.js";
import { loadScenario, replayTableFile } from "./replay.js";

/** s2pt dump <scenario>: the final table in the kernel's ptdump line format. */
export function dumpCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "dump <scenario>",
    "replay a scenario and print the final table as the kernel's stage2_page_tables debugfs file does, with a memory-type column",
    (b) =>
      b
        .positional("scenario", { type: "string", describe: "a scenario JSON file" })
        .option("kernel", { type: "boolean", default: false, describe: "exactly the kernel's output: no memory-type column, and the last run left out as the kernel does" })
        .example("$0 dump ../shared/conformance/scenarios/map-page-inside-block.json", ""),
    (args: Args) =>
      ctx.guard(() => {
        const path = str(args, "scenario");
        if (path === undefined) throw new InputError("scenario: missing");
        const pgt = replayTableFile(path, loadScenario(path));
        ctx.print(ptdump(pgt, { kernelExact: flag(args, "kernel") }));
      }),
  );
}
