// src/pgtable/args.ts's two checks of objects: checkKnownKeys (an options
// object holds only the fields its type names) and checkShape (a result
// object handed back to a formatter has its fields' types), on objects and
// messages written out by hand (docs/reliability.md, "The library's
// arguments": the error names the argument, here `arg.field`, and shows the
// value as given). Written for the surviving mutants of `npm run mutate`
// (issue 23).
import { describe, expect, it } from "vitest";
import { ArgumentError, checkBits, checkKnownKeys, checkShape } from "../../src/pgtable/args.js";

function refusal(check: () => unknown): { arg: string; detail: string; message: string } {
  try {
    check();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentError);
    const a = e as ArgumentError;
    return { arg: a.arg, detail: a.detail, message: a.message };
  }
  throw new Error("accepted");
}

describe("checkKnownKeys", () => {
  it("accepts the known fields, any subset of them, and none", () => {
    expect(() => {
      checkKnownKeys({ xs: true }, "o", ["xs", "fwb"]);
      checkKnownKeys({}, "o", ["xs"]);
      checkKnownKeys({ fwb: 1, xs: 2 }, "o", ["xs", "fwb"]);
    }).not.toThrow();
  });
  it("names the first unknown field and lists the known ones", () => {
    expect(refusal(() => checkKnownKeys({ xs: true, XS: true }, "opts", ["xs", "fwb"]))).toEqual({
      arg: "opts.XS",
      detail: "is not a field of opts (its fields: xs, fwb)",
      message: "opts.XS: is not a field of opts (its fields: xs, fwb)",
    });
  });
  it("cuts a field name longer than 40 characters to 37 and '...'", () => {
    const k40 = "k".repeat(40);
    expect(refusal(() => checkKnownKeys({ [k40]: 1 }, "o", ["xs"])).arg).toBe(`o.${k40}`);
    const k41 = "k".repeat(41);
    expect(refusal(() => checkKnownKeys({ [k41]: 1 }, "o", ["xs"])).arg).toBe(`o.${"k".repeat(37)}...`);
  });
});

describe("checkShape", () => {
  const shape = { name: "string", n: "number", on: "boolean", v: "bigint", list: "array", obj: "object", opt: "object?" } as const;
  const good = (): Record<string, unknown> => ({ name: "a", n: 1, on: false, v: 0n, list: [], obj: {}, opt: null });
  it("accepts an object whose fields have the shape's types, and returns it", () => {
    const o = good();
    expect(checkShape(o, "r", shape, "walk()")).toBe(o);
    const o2 = { ...good(), opt: { a: 1 }, extra: "kept" };
    expect(checkShape(o2, "r", shape, "walk()")).toBe(o2);
    // An array is an object for "object" and "object?".
    expect(checkShape({ ...good(), obj: [], opt: [] }, "r", shape, "walk()")).toBeTruthy();
  });
  it("refuses what is not an object, before any field", () => {
    expect(refusal(() => checkShape(null, "r", shape, "walk()"))).toEqual({ arg: "r", detail: "null is not an object", message: "r: null is not an object" });
    expect(refusal(() => checkShape([1], "r", shape, "walk()")).detail).toBe("an array is not an object");
  });
  it("names the field, what it is and what makes the argument", () => {
    const cases: [string, unknown, string][] = [
      ["name", 5, "5 is not a string (walk() makes this argument)"],
      ["n", "1", '"1" is not a number (walk() makes this argument)'],
      ["on", 0, "0 is not a boolean (walk() makes this argument)"],
      ["v", 0, "0 is not a bigint (walk() makes this argument)"],
      ["list", {}, "an object is not an array (walk() makes this argument)"],
      ["obj", null, "null is not an object (walk() makes this argument)"],
      ["obj", "x", '"x" is not an object (walk() makes this argument)'],
      ["opt", undefined, "undefined is not an object or null (walk() makes this argument)"],
      ["opt", 1, "1 is not an object or null (walk() makes this argument)"],
    ];
    for (const [field, value, detail] of cases) {
      const o = { ...good(), [field]: value };
      expect(refusal(() => checkShape(o, "r", shape, "walk()"))).toEqual({ arg: `r.${field}`, detail, message: `r.${field}: ${detail}` });
    }
    // A missing field is undefined.
    const rest = good();
    delete rest.name;
    expect(refusal(() => checkShape(rest, "d", shape, "decode()"))).toEqual({
      arg: "d.name",
      detail: "undefined is not a string (decode() makes this argument)",
      message: "d.name: undefined is not a string (decode() makes this argument)",
    });
  });
});

describe("checkBits at the ends of the u32 range", () => {
  it("all 32 bits known: 0xffffffff is a bit set; -2^32 (whose int32 bits are 0) and -2^32 + 5 are not", () => {
    expect(checkBits(0xffffffff, "flags", 0xffffffff, "all")).toBe(0xffffffff);
    expect(refusal(() => checkBits(-4294967296, "flags", 0b101, "A|C")).detail).toBe("-4294967296 is not a bit set of A|C (an unsigned integer)");
    expect(refusal(() => checkBits(-4294967291, "flags", 0b101, "A|C")).detail).toBe("-4294967291 is not a bit set of A|C (an unsigned integer)");
  });
});
