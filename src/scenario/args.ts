/**
 * Argument checks of the scenario layer's public entries (src/pgtable/args.ts
 * has the generic ones): a Scenario, as parseScenario() makes it, and a work
 * budget.
 */

import { ArgumentError, addrOk, checkObject, shown } from "../pgtable/args.js";
import { AT_INSNS } from "./names.js";
import type { FieldKind, Scenario } from "./types.js";
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
  for (let i = 0; i < ops.length; i++) checkOpArg(ops[i], `${arg}.ops[${i}]`);
  return v as Scenario;
}

/** A ScenarioOp argument: an object whose `op` is an entry of the op table, with that entry's fields of their kinds' types. */
export function checkOpArg(op: unknown, arg: string): void {
  const kind: unknown = typeof op === "object" && op !== null ? (op as Record<string, unknown>).op : undefined;
  if (typeof kind !== "string" || !Object.prototype.hasOwnProperty.call(OP_SPECS, kind))
    throw new ArgumentError(
      arg,
      `${shown(op)} is not an op of the op table (parseScenario() makes them)${typeof kind === "string" ? `: unknown op ${shown(kind)}` : ""}`,
    );
  checkOpFields(op as Record<string, unknown>, kind, arg);
}

/** A work budget: a non-negative number of table entries (Infinity: unbounded). */
export function checkWorkBudget(v: unknown, arg: string): number {
  if (typeof v === "number" && v >= 0) return v;
  throw new ArgumentError(arg, `${shown(v)} is not a work budget (a non-negative number of table entries, or Infinity)`);
}

/** Whether `v` is an integer min..max. */
function intIn(v: unknown, min: number, max: number): boolean {
  return typeof v === "number" && v >= min && v <= max && Math.floor(v) === v;
}

/** Whether `v` is a bigint 0..2^64-1. */
function u64(v: unknown): boolean {
  return typeof v === "bigint" && v >= 0n && v <= 0xffff_ffff_ffff_ffffn;
}

/**
 * What a parsed op holds in a field of each kind (types.ts FieldKind, as format.ts FIELD_KINDS parses it),
 * and the words for a refusal. prot and flags bits are the library's to check (map() refuses an unknown bit).
 */
const FIELD_VALUE: Readonly<Record<FieldKind, readonly [(v: unknown) => boolean, string]>> = {
  addr: [addrOk, "an address (a number, a non-negative integer below 2^53)"],
  va: [u64, "a bigint 0..2^64-1"],
  desc: [u64, "a bigint 0..2^64-1"],
  prot: [(v) => intIn(v, 0, 0xffff_ffff), "a number of KVM_PGTABLE_PROT_* bits"],
  flags: [(v) => intIn(v, 0, 0xffff_ffff), "a number of KVM_PGTABLE_WALK_* bits"],
  owner: [(v) => intIn(v, 0, 255), "an owner id, an integer 0..255"],
  bool: [(v) => typeof v === "boolean", "a boolean"],
  access: [(v) => v === "r" || v === "w" || v === "x", 'an access, "r", "w" or "x"'],
  el: [(v) => intIn(v, 0, 1), "an Exception level, 0 or 1"],
  attr: [(v) => intIn(v, -1, 255), "a MAIR Attr byte 0..255, or -1"],
  sh: [(v) => v === -1 || v === 0 || v === 2 || v === 3, "a shareability 0, 2 or 3, or -1"],
  level: [(v) => intIn(v, -1, 3), "a level, an integer -1..3"],
  insn: [(v) => (AT_INSNS as readonly unknown[]).includes(v), `an AT instruction (${AT_INSNS.join(", ")})`],
  at_el: [(v) => intIn(v, 1, 2), "an Exception level, 1 or 2"],
};

/**
 * The fields an op of kind `kind` takes (the op table's), each of its kind's type: an op built by hand
 * ({ ...op, ipa: 0x40000000n }) would otherwise run and fail inside ("Cannot mix BigInt and other types").
 * Refused by `scn.ops[i].field`. Once per op, before the replay runs: no cost per table entry.
 */
function checkOpFields(op: Record<string, unknown>, kind: string, at: string): void {
  const fields = OP_SPECS[kind].fields as Readonly<Record<string, FieldKind>>;
  for (const f in fields) {
    const [ok, what] = FIELD_VALUE[fields[f]];
    if (!ok(op[f])) throw new ArgumentError(`${at}.${f}`, `${shown(op[f])} is not ${what} (the ${kind} op's ${f})`);
  }
}
