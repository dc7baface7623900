// Every function and class the package exports (each subpath's index.ts)
// checks its arguments (src/pgtable/args.ts, issue 15): given values that
// cannot be arguments of anything (a Symbol, a function), each refuses them
// with an InputError (an ArgumentError, naming the argument) in one line,
// never a TypeError from deep inside, never an answer.
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/pgtable/u64.js";
import * as kvm from "../../src/kvm/index.js";
import * as mair from "../../src/mair/index.js";
import * as pgtable from "../../src/pgtable/index.js";
import * as regs from "../../src/regs/index.js";
import * as reliability from "../../src/reliability/index.js";
import * as scenario from "../../src/scenario/index.js";
import * as stage1 from "../../src/stage1/index.js";
import * as walker from "../../src/walker/index.js";
import * as workload from "../../src/workload/index.js";

const PARTS: Record<string, Record<string, unknown>> = { pgtable, regs, mair, walker, stage1, kvm, scenario, reliability, workload };

/** Exports that take no argument at all, or only optional ones (a default is used): nothing to refuse. */
const NO_ARGUMENTS = new Set([
  "ArgumentError",
  "InputError",
  "TableMemoryError",
  "InvariantViolation",
  "GuestMemory",
  "MaintenanceLog",
  "RecordBudget",
  "BbmChecker",
]);

const BAD: ReadonlyArray<[string, unknown]> = [
  ["a Symbol", Symbol("not an argument")],
  ["a function", () => 0],
];

function exportsOf(mod: Record<string, unknown>): Array<[string, (...a: unknown[]) => unknown]> {
  return Object.entries(mod).filter((e): e is [string, (...a: unknown[]) => unknown] => typeof e[1] === "function");
}

function isClass(f: unknown): boolean {
  return typeof f === "function" && /^class\b/.test(Function.prototype.toString.call(f));
}

const cases: Array<[string, string, unknown, (...a: unknown[]) => unknown]> = [];
for (const [part, mod] of Object.entries(PARTS)) {
  for (const [name, f] of exportsOf(mod)) {
    if (NO_ARGUMENTS.has(name)) continue;
    for (const [what, v] of BAD) cases.push([`s2pt/${part} ${name}(${what}, ...)`, name, v, f]);
  }
}

describe("every exported function and class refuses arguments that cannot be its own, with an InputError", () => {
  it("covers the exports (at least 80 calls)", () => expect(cases.length).toBeGreaterThanOrEqual(80));
  it.each(cases)("%s", (_label, _name, v, f) => {
    const args = Array.from({ length: Math.max(1, f.length) }, () => v);
    let err: unknown = null;
    try {
      if (isClass(f)) new (f as unknown as new (...a: unknown[]) => unknown)(...args);
      else f(...args);
    } catch (e) {
      err = e;
    }
    expect(err, "no refusal: it answered").not.toBeNull();
    expect(err, String(err)).toBeInstanceOf(InputError);
    expect((err as Error).message).not.toContain("\n");
  });
});
