import { EXIT_MISMATCH } from "../io.js";
import { checkScenario, InvariantViolation } from "../../reliability/checked.js";
import { InputError, escapeControl } from "../../pgtable/u64.js";
import { inputLabel, loadScenario, scenarioFiles, scenarioName } from "../scenarios.js";
import type { CommandSpec } from "../spec.js";

/** s2pt check <scenario | dir | ->: replay with every invariant checked after every op (docs/reliability.md). */
export const checkCommand: CommandSpec = {
  name: "check",
  describe:
    "replay a scenario (or a directory of them) checking every invariant after every op: refcounts, reachability, leaks, descriptor bits, break-before-make, and agreement with the reference model (exit 1 when one breaks)",
  operands: [{ name: "scenario", describe: "a scenario JSON file, a directory of them, or - (standard input)", value: { kind: "path" } }],
  options: {
    deep: {
      type: "boolean",
      default: false,
      describe: "the whole-table checks after every op (default: while the table is small, then on a schedule linear in the work)",
    },
    destroy: {
      type: "boolean",
      default: false,
      describe: "end with kvm_pgtable_stage2_destroy() on the table as it is, instead of unmapping everything first",
    },
    json: { type: "boolean", default: false, describe: "machine-readable output: per scenario its file, name, ok, the counts, or the violation" },
  },
  examples: [
    ["check test/regressions", "every fuzzer regression"],
    ["check test/fixtures/shared/conformance/scenarios --deep", "every conformance scenario, the whole dump compared after every op"],
  ],
  run: (a, ctx) => {
    const path = a.operand<string>("scenario") as string;
    const json = a.flag("json");
    const { files, dir } = scenarioFiles(path);
    // Parse everything first: a malformed file refuses the whole run.
    const scenarios = files.map((f) => ({ file: f, scn: loadScenario(ctx, f) }));
    let bad = 0;
    const rows: Array<Record<string, unknown>> = [];
    for (const { file, scn } of scenarios) {
      const name = scenarioName(scn, file);
      try {
        const s = checkScenario(scn, { deep: a.flag("deep"), destroyWithoutUnmap: a.flag("destroy") });
        rows.push({
          scenario: file,
          name: scn.name,
          ok: true,
          ops: s.ops,
          breaks: s.breaks,
          in_place: s.inPlace,
          caller_owed_tlbis: s.callerOwed,
          max_table_pages: s.maxTables,
          violation: null,
        });
        if (!json) {
          ctx.print(
            `ok       ${name}: ${s.ops} ops, ${s.breaks} entries broken, ${s.inPlace} in-place changes, ` +
              `${s.callerOwed} TLBIs left to the caller (SKIP_BBM_TLBI), at most ${s.maxTables} table pages; every invariant held`,
          );
        }
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`${inputLabel(file)}: ${e.message}`);
        if (!(e instanceof InvariantViolation)) throw e;
        bad++;
        rows.push({ scenario: file, name: scn.name, ok: false, violation: e.message });
        if (!json) ctx.print(`FAILED   ${name} (${inputLabel(file)}): ${escapeControl(e.message)}`);
      }
    }
    if (json) ctx.print(JSON.stringify({ scenarios: rows, ok: scenarios.length - bad, total: scenarios.length }, null, 2));
    else if (dir) ctx.print(`${scenarios.length - bad} of ${scenarios.length} scenarios kept every invariant`);
    if (bad) ctx.code = EXIT_MISMATCH;
  },
};
