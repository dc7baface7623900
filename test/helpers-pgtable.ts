// Helpers shared by the tests of the library's refusals (args.ts's rule: a bad
// argument is refused with an ArgumentError naming it, before any state changes).
import { expect } from "vitest";
import { ArgumentError } from "../src/pgtable/args.js";
import type { KvmPgtable } from "../src/pgtable/pgtable.js";

/** `f` throws an ArgumentError that names `arg`. */
export function refused(f: () => unknown, arg: string): void {
  let e: unknown = null;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(ArgumentError);
  expect((e as ArgumentError).arg).toBe(arg);
}

/** Every word of the table's arena, its page counts and the events so far: what a refused call must leave as it was. */
export function tableState(t: KvmPgtable): string {
  const words = t.store.chunks.map((c) => Array.from(c).join(",")).join(";");
  return `${words}|${Array.from(t.store.refcount.subarray(0, t.store.bump)).join(",")}|${t.log.length}|${t.store.inUse}`;
}
