import { basename } from "node:path";
import type { Argv } from "yargs";
import { EXIT_MISMATCH, type CliContext } from "../io.js";
import { checkScenario, InvariantViolation } from "../../reliability/checked.js";
import { InputError } from "../../pgtable/u64.js";
import { flag, str, type Args } from "../options.js";
import { loadScenario, scenarioFiles } from "./replay.js";

/** s2pt check <scenario | dir>: replay with every invariant checked after every op (docs/reliability.md). */
export function checkCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "check <scenario>",
    "replay a scenario (or a directory of them) checking every invariant after every op: refcounts, reachability, leaks, descriptor bits, break-before-make, and agreement with the reference model",
    (b) =>
      b
        .positional("scenario", { type: "string", describe: "a scenario JSON file, or a directory of them" })
        .option("deep", { type: "boolean", default: false, describe: "the whole-table checks after every op (default: while the table is small, then on a schedule linear in the work)" })
        .option("destroy", { type: "boolean", default: false, describe: "end with kvm_pgtable_stage2_destroy() on the table as it is, instead of unmapping everything first" })
        .example("$0 check test/regressions", "every fuzzer regression")
        .example("$0 check ../shared/conformance/scenarios --deep", "every conformance scenario"),
    (args: Args) =>
      ctx.guard(() => {
        const path = str(args, "scenario");
        if (path === undefined) throw new InputError("scenario: missing");
        const { files, dir } = scenarioFiles(path);
        // Parse everything first: a malformed file refuses the whole run.
        const scenarios = files.map((f) => ({ file: f, scn: loadScenario(f) }));
        let bad = 0;
        for (const { file, scn } of scenarios) {
          const name = scn.name || basename(file);
          try {
            const s = checkScenario(scn, { deep: flag(args, "deep"), destroyWithoutUnmap: flag(args, "destroy") });
            ctx.print(
              `ok       ${name}: ${s.ops} ops, ${s.breaks} entries broken, ${s.inPlace} in-place changes, ` +
                `${s.callerOwed} TLBIs left to the caller (SKIP_BBM_TLBI), at most ${s.maxTables} table pages; every invariant held`,
            );
          } catch (e) {
            if (e instanceof InputError) throw new InputError(`${file}: ${e.message}`);
            if (!(e instanceof InvariantViolation)) throw e;
            bad++;
            ctx.print(`FAILED   ${name} (${file}): ${e.message}`);
          }
        }
        if (dir) ctx.print(`${scenarios.length - bad} of ${scenarios.length} scenarios kept every invariant`);
        if (bad) ctx.code = EXIT_MISMATCH;
      }),
  );
}
