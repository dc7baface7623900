import { basename, join } from "node:path";
import { EXIT_MISMATCH, inputKind, readTextFile } from "../io.js";
import { firstDivergence, readExpectedText } from "../../scenario/compare.js";
import { RecordBudget, formatResult } from "../../scenario/replay.js";
import { InputError } from "../../pgtable/u64.js";
import { inputLabel, loadScenario, naming, replayFile, scenarioFiles, scenarioName } from "../scenarios.js";
import type { CommandSpec } from "../spec.js";

/** s2pt replay <scenario | dir | -> [--expected <file | dir>]. */
export const replayCommand: CommandSpec = {
  name: "replay",
  describe: "replay a scenario (FORMAT.md) and print its result, or compare it with an expected result (exit 1 on a mismatch)",
  operands: [{ name: "scenario", describe: "a scenario JSON file, a directory of them, or - (standard input)", value: { kind: "path" } }],
  options: {
    expected: {
      type: "string",
      value: { kind: "path" },
      describe: "expected result file (or directory, matched by file name): exit 1 on the first divergence",
    },
    json: { type: "boolean", default: false, describe: "with --expected: the comparison as JSON (without it the result is JSON already)" },
  },
  examples: [
    ["replay test/fixtures/shared/conformance/scenarios/map-page-4k-rw.json", "print the result JSON"],
    [
      "replay test/fixtures/shared/conformance/scenarios --expected test/fixtures/shared/conformance/expected",
      "check every scenario against the kernel's results",
    ],
    ["replay - < examples/guest-framebuffer-nc.json", "a scenario on standard input"],
  ],
  run: (a, ctx) => {
    const path = a.operand<string>("scenario") as string;
    const expected = a.value<string>("expected");
    const json = a.flag("json");
    const { files, dir } = scenarioFiles(path);
    // Parse everything first: a malformed file refuses the whole run, nothing is half-replayed.
    const scenarios = files.map((f) => ({ file: f, scn: loadScenario(ctx, f) }));
    if (expected === undefined) {
      // One record budget for the whole run, each result kept only as its text: the
      // output of a directory is bounded as one result's is (docs/reliability.md).
      const records = new RecordBudget();
      const texts = scenarios.map(({ file, scn }) => formatResult(replayFile(file, scn, records).result));
      if (!dir) ctx.print(texts[0]);
      else ctx.print("[\n" + texts.map((t) => t.trimEnd()).join(",\n") + "\n]");
      return;
    }
    const expDir = inputKind(expected) === "dir";
    if (dir && !expDir) throw new InputError(`--expected: ${inputLabel(expected)} must be a directory when the scenario is one`);
    if (!dir && expDir && path === "-")
      throw new InputError("--expected: a directory is matched by file name, and standard input has none: give the expected file");
    // Read and check every expected file before replaying anything.
    const pairs = scenarios.map(({ file, scn }) => {
      const expFile = expDir ? join(expected, basename(file)) : expected;
      const text = readTextFile(ctx, expFile);
      const exp = naming(inputLabel(expFile), () => readExpectedText(text));
      return { file, scn, expFile, exp };
    });
    let bad = 0;
    const rows: Array<Record<string, unknown>> = [];
    for (const { file, scn, expFile, exp } of pairs) {
      const { result } = replayFile(file, scn);
      const div = naming(inputLabel(expFile), () => firstDivergence(exp, result, scn));
      const name = scenarioName(scn, file);
      rows.push({ scenario: file, expected: expFile, name: scn.name, identical: div === null, divergence: div });
      if (div === null) {
        if (!json) ctx.print(`ok       ${name}: ${result.ops.length} ops, ${result.dump.length} dump entries, identical`);
      } else {
        bad++;
        if (!json) ctx.print(`MISMATCH ${name} (${inputLabel(file)} vs ${inputLabel(expFile)}):\n  ${div.split("\n").join("\n  ")}`);
        if (!json && result.not_recorded)
          ctx.print(`  (s2pt kept only part of this result as records: ${JSON.stringify(result.not_recorded)}; docs/reliability.md, "Resource bounds")`);
      }
    }
    if (json) ctx.print(JSON.stringify({ scenarios: rows, identical: scenarios.length - bad, total: scenarios.length }, null, 2));
    else if (scenarios.length > 1) ctx.print(`${scenarios.length - bad} of ${scenarios.length} scenarios identical`);
    if (bad) ctx.code = EXIT_MISMATCH;
  },
};
