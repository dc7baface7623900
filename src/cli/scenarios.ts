/**
 * Scenario files for the commands that replay them: read (io.ts: regular
 * files or "-" only, bounded), parsed, and every refusal named with the file.
 */

import { replay, replayTable, type RecordBudget } from "../scenario/replay.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { parseScenarioText } from "../scenario/format.js";
import { type Scenario } from "../scenario/types.js";
import { InputError, escapeControl } from "../pgtable/u64.js";
import { inputKind, jsonFilesIn, readTextFile, showPath, type CliContext } from "./io.js";

/** How a message names an input: its path, or "standard input" for "-". */
export function inputLabel(path: string): string {
  return path === "-" ? "standard input" : showPath(path);
}

/** Run `body`; an InputError it throws is said with `label` in front (once). */
export function naming<T>(label: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof InputError && !e.message.startsWith(`${label}:`)) throw new InputError(`${label}: ${e.message}`);
    throw e;
  }
}

/** Read and parse a scenario file; errors name the file. */
export function loadScenario(ctx: CliContext, path: string): Scenario {
  const text = readTextFile(ctx, path);
  return naming(inputLabel(path), () => parseScenarioText(text));
}

/** Replay a scenario read from `path`; a refused op is an InputError naming the file. `records`: a record budget shared over a run. */
export function replayFile(path: string, scn: Scenario, records?: RecordBudget): ReturnType<typeof replay> {
  return naming(inputLabel(path), () => replay(scn, { records }));
}

/** Build the final table of a scenario read from `path`, without its result (dump, walk); a refused op is an InputError naming the file. */
export function replayTableFile(path: string, scn: Scenario): KvmPgtable {
  return naming(inputLabel(path), () => replayTable(scn));
}

/** The scenario files a path names: itself (a file or "-"), or the .json files of a directory. */
export function scenarioFiles(path: string): { files: string[]; dir: boolean } {
  const kind = inputKind(path);
  return kind === "dir" ? { files: jsonFilesIn(path), dir: true } : { files: [path], dir: false };
}

/** A scenario's name as an output line shows it: control characters escaped, cut at 80 characters. */
export function scenarioName(scn: Scenario, path: string): string {
  const n = scn.name || (path === "-" ? "standard input" : (path.split("/").pop() ?? path));
  return escapeControl(n.length > 80 ? n.slice(0, 80) + "..." : n);
}
