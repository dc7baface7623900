/**
 * The property the tests and the fuzzer check: for a random configuration
 * and a random sequence of operations, every invariant of
 * src/reliability/checked.ts holds after every operation, unmapping
 * everything returns the storage to its initial state, and destroy frees
 * every page.
 */

import fc from "fast-check";
import { formatScenario } from "../../src/scenario/format.js";
import { type Scenario } from "../../src/scenario/types.js";
import { CheckedRun, type CheckedSummary } from "../../src/reliability/checked.js";
import { concretize, rawScenarioArb, type RawScenario } from "./arbitraries.js";

/** Run one raw scenario with every check; throws on a violation. */
export function runRaw(raw: RawScenario, name = "fuzz"): { scn: Scenario; summary: CheckedSummary } {
  const scn = concretize(raw, name);
  // The generated scenarios are bounded by construction (ranges up to 1 GiB, a bounded op count): no work budget.
  const summary = new CheckedRun(scn, { sampleSeed: raw.sampleSeed + 1, destroyWithoutUnmap: raw.destroyWithoutUnmap, workBudget: Infinity }).run();
  return { scn, summary };
}

/**
 * The property over scenarios of up to `maxOps` ops; `onRun` sees each run
 * that passed. A failure's message ends with the scenario in FORMAT.md form.
 */
export function scenarioProperty(maxOps: number, onRun?: (s: CheckedSummary, scn: Scenario) => void): fc.IPropertyWithHooks<[RawScenario]> {
  return fc.property(rawScenarioArb(maxOps), (raw) => {
    let result: { scn: Scenario; summary: CheckedSummary };
    try {
      result = runRaw(raw);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\nscenario (save it in test/regressions/ to keep it):\n${failureScenario(raw, "fuzz")}`, {
        cause: e,
      });
    }
    onRun?.(result.summary, result.scn);
  });
}

/** A failing raw scenario as a FORMAT.md file text, with the violation as its name. */
export function failureScenario(raw: RawScenario, name: string): string {
  return formatScenario(concretize(raw, name));
}
