/**
 * Argument checks of the scenario layer's public entries (src/pgtable/args.ts
 * has the generic ones): a Scenario, as parseScenario() makes it, and a work
 * budget.
 */

import { ArgumentError, checkObject, shown } from "../pgtable/args.js";
import type { Scenario } from "./types.js";
import { OP_SPECS } from "./ops.js";

/** A Scenario argument (parseScenario() or parseScenarioText() makes one): an object with a config and an array of ops. */
export function checkScenarioArg(v: unknown, arg = "scn"): Scenario {
  const o = checkObject(v, arg);
  if (typeof o.config !== "object" || o.config === null || !Array.isArray(o.ops) || typeof o.name !== "string") {
    throw new ArgumentError(arg, `${shown(v)} is not a Scenario (parseScenario() or parseScenarioText() makes one)`);
  }
  // Each op an object whose kind is the op table's own entry: a hole, an unknown kind or a prototype name
  // ("toString", "__proto__") would otherwise reach the runner as a TypeError.
  const ops = o.ops as unknown[];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const kind: unknown = typeof op === "object" && op !== null ? (op as Record<string, unknown>).op : undefined;
    if (typeof kind !== "string" || !Object.prototype.hasOwnProperty.call(OP_SPECS, kind))
      throw new ArgumentError(
        `${arg}.ops[${i}]`,
        `${shown(op)} is not an op of the op table (parseScenario() makes them)${typeof kind === "string" ? `: unknown op ${shown(kind)}` : ""}`,
      );
  }
  return v as Scenario;
}

/** A work budget: a non-negative number of table entries (Infinity: unbounded). */
export function checkWorkBudget(v: unknown, arg: string): number {
  if (typeof v === "number" && v >= 0) return v;
  throw new ArgumentError(arg, `${shown(v)} is not a work budget (a non-negative number of table entries, or Infinity)`);
}
