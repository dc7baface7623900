import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Argv } from "yargs";
import { EXIT_MISMATCH, readTextFile, type CliContext } from "../io.js";
import { firstDivergence } from "../../pgtable/compare.js";
import { RecordBudget, formatResult, replay, replayTable } from "../../pgtable/replay.js";
import type { KvmPgtable } from "../../pgtable/pgtable.js";
import { parseScenarioText, type Scenario } from "../../pgtable/scenario.js";
import { InputError } from "../../pgtable/u64.js";
import { str, type Args } from "../options.js";
// Registers the `translate` model op (docs/walker.md) for every command that replays.
import "../../walker/op.js";
import "../../stage1/op.js";

/** Read and parse a scenario file; errors name the file. */
export function loadScenario(path: string): Scenario {
  const text = readTextFile(path);
  try {
    return parseScenarioText(text);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Replay a scenario read from `path`; a refused op is an InputError naming the file. `records`: a record budget shared over a run. */
export function replayFile(path: string, scn: Scenario, records?: RecordBudget): ReturnType<typeof replay> {
  try {
    return replay(scn, { records });
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Build the final table of a scenario read from `path`, without its result (dump, walk); a refused op is an InputError naming the file. */
export function replayTableFile(path: string, scn: Scenario): KvmPgtable {
  try {
    return replayTable(scn);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

function loadExpected(path: string): unknown {
  const text = readTextFile(path);
  if (text.trim() === "") throw new InputError(`${path}: empty file: expected a result JSON object`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function jsonFiles(dir: string): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) throw new InputError(`${dir}: holds no .json scenario`);
  return files.map((f) => join(dir, f));
}

/** The scenario files a path names: itself, or the .json files of a directory. */
export function scenarioFiles(path: string): { files: string[]; dir: boolean } {
  const dir = isDir(path);
  return { files: dir ? jsonFiles(path) : [path], dir };
}

/** s2pt replay <scenario | dir> [--expected <file | dir>]. */
export function replayCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "replay <scenario>",
    "replay a scenario (FORMAT.md) and print its result, or compare it with an expected result",
    (b) =>
      b
        .positional("scenario", { type: "string", describe: "a scenario JSON file, or a directory of them" })
        .option("expected", { type: "string", requiresArg: true, describe: "expected result file (or directory, matched by file name): exit 1 on the first divergence" })
        .example("$0 replay ../shared/conformance/scenarios/map-page-4k-rw.json", "print the result JSON")
        .example("$0 replay ../shared/conformance/scenarios --expected ../shared/conformance/expected", "check every scenario"),
    (args: Args) =>
      ctx.guard(() => {
        const path = str(args, "scenario");
        if (path === undefined) throw new InputError("scenario: missing");
        const expected = str(args, "expected");
        const { files, dir } = scenarioFiles(path);
        // Parse everything first: a malformed file refuses the whole run, nothing is half-replayed.
        const scenarios = files.map((f) => ({ file: f, scn: loadScenario(f) }));
        if (expected === undefined) {
          // One record budget for the whole run, each result kept only as its text: the
          // output of a directory is bounded as one result's is (docs/reliability.md).
          const records = new RecordBudget();
          const texts = scenarios.map(({ file, scn }) => formatResult(replayFile(file, scn, records).result));
          if (!dir) ctx.print(texts[0]);
          else ctx.print("[\n" + texts.map((t) => t.trimEnd()).join(",\n") + "\n]");
          return;
        }
        const expDir = isDir(expected);
        if (dir && !expDir) throw new InputError(`--expected: ${expected} must be a directory when the scenario is one`);
        let bad = 0;
        for (const { file, scn } of scenarios) {
          const expFile = expDir ? join(expected, basename(file)) : expected;
          const exp = loadExpected(expFile);
          const { result } = replayFile(file, scn);
          const div = firstDivergence(exp, result, scn);
          if (div === null) {
            ctx.print(`ok       ${scn.name || basename(file)}: ${result.ops.length} ops, ${result.dump.length} dump entries, identical`);
          } else {
            bad++;
            ctx.print(`MISMATCH ${scn.name || basename(file)} (${file} vs ${expFile}):\n  ${div.split("\n").join("\n  ")}`);
            if (result.not_recorded) ctx.print(`  (s2pt kept only part of this result as records: ${JSON.stringify(result.not_recorded)}; docs/reliability.md, "Resource bounds")`);
          }
        }
        if (scenarios.length > 1) ctx.print(`${scenarios.length - bad} of ${scenarios.length} scenarios identical`);
        if (bad) ctx.code = EXIT_MISMATCH;
      }),
  );
}
