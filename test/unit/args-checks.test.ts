// The argument checks every public entry shares (src/pgtable/args.ts), on
// values written out by hand: the rule of docs/reliability.md "The library's
// arguments" (addresses and sizes are numbers below 2^53, 64-bit values are
// bigints in 0..2^64-1) and the messages, which
// name the argument and show the value as given.
import { describe, expect, it } from "vitest";
import {
  ADDRESS_LIMIT,
  ArgumentError,
  addrOk,
  checkBigU64,
  checkBits,
  checkBool,
  checkFunction,
  checkInstance,
  checkInt,
  checkArray,
  checkObject,
  checkOneOf,
  checkString,
  checkU64,
  optBool,
  shown,
} from "../../src/pgtable/args.js";
import { InputError } from "../../src/pgtable/u64.js";

/** The ArgumentError a check throws: its argument, its detail, and its message "arg: detail". */
function refusal(check: () => unknown): { arg: string; detail: string } {
  try {
    check();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e).toBeInstanceOf(InputError);
    const a = e as ArgumentError;
    expect(a.message).toBe(`${a.arg}: ${a.detail}`);
    return { arg: a.arg, detail: a.detail };
  }
  throw new Error("accepted");
}

describe("shown: a value as the caller gave it", () => {
  it("each kind of value", () => {
    expect(shown("abc")).toBe('"abc"');
    expect(shown(5n)).toBe("5n");
    expect(shown(-0)).toBe("-0");
    expect(shown(0)).toBe("0");
    expect(shown(1.5)).toBe("1.5");
    expect(shown(NaN)).toBe("NaN");
    expect(shown(null)).toBe("null");
    expect(shown(undefined)).toBe("undefined");
    expect(shown(true)).toBe("true");
    expect(shown(() => 1)).toBe("a function");
    expect(shown(Symbol("x"))).toBe("a symbol");
    expect(shown([1, 2])).toBe("an array");
    expect(shown({ a: 1 })).toBe("an object");
  });

  it("cuts what is longer than 60 characters to 57 and '...'", () => {
    const s58 = "x".repeat(58); // shown with its quotes: 60 characters, kept
    expect(shown(s58)).toBe(`"${s58}"`);
    const s59 = "x".repeat(59); // 61 characters: cut
    expect(shown(s59)).toBe(`"${"x".repeat(56)}...`);
  });
});

describe("addresses and sizes: numbers, non-negative integers below 2^53", () => {
  it("addrOk and checkU64 at the edges", () => {
    expect(ADDRESS_LIMIT).toBe(9007199254740992);
    for (const ok of [0, 1, 0x40000000, 2 ** 52, 2 ** 53 - 1]) {
      expect(addrOk(ok)).toBe(true);
      expect(checkU64(ok, "addr")).toBe(ok);
    }
    for (const bad of [-1, 2 ** 53, 1.5, NaN, Infinity, "0x1000", 4096n, null]) expect(addrOk(bad)).toBe(false);
    expect(refusal(() => checkU64(2 ** 53, "size"))).toEqual({
      arg: "size",
      detail: "9007199254740992 is not a u64 below 2^53 (addresses and sizes are numbers: non-negative integers below 2^53)",
    });
    expect(refusal(() => checkU64(-4096, "addr")).detail).toMatch(/^-4096 is not a u64 below 2\^53/);
  });
});

describe("small values", () => {
  it("checkInt: an integer within min..max, named by `what`", () => {
    expect(checkInt(-1, "level", -1, 3)).toBe(-1);
    expect(checkInt(3, "level", -1, 3)).toBe(3);
    expect(refusal(() => checkInt(4, "level", -1, 3))).toEqual({ arg: "level", detail: "4 is not an integer in -1..3" });
    expect(refusal(() => checkInt(-2, "level", -1, 3))).toEqual({ arg: "level", detail: "-2 is not an integer in -1..3" });
    expect(refusal(() => checkInt(1.5, "level", -1, 3)).detail).toBe("1.5 is not an integer in -1..3");
    expect(refusal(() => checkInt("1", "s1Attr", 0, 0xff, "a MAIR Attr byte"))).toEqual({ arg: "s1Attr", detail: '"1" is not a MAIR Attr byte in 0..255' });
  });

  it("checkBits: an unsigned 32-bit set with no unknown bit", () => {
    expect(checkBits(0, "flags", 0b101, "A|C")).toBe(0);
    expect(checkBits(0b101, "flags", 0b101, "A|C")).toBe(0b101);
    expect(refusal(() => checkBits(0b111, "flags", 0b101, "A|C"))).toEqual({ arg: "flags", detail: "7 has bits outside the known ones (0x2; known: A|C)" });
    expect(refusal(() => checkBits(0xffffffff, "flags", 0xffff, "low")).detail).toBe("4294967295 has bits outside the known ones (0xffff0000; known: low)");
    expect(refusal(() => checkBits(2 ** 32, "flags", 0b101, "A|C")).detail).toBe("4294967296 is not a bit set of A|C (an unsigned integer)");
    expect(refusal(() => checkBits(-1, "flags", 0b101, "A|C")).detail).toBe("-1 is not a bit set of A|C (an unsigned integer)");
    expect(refusal(() => checkBits(0.5, "flags", 0b101, "A|C")).detail).toBe("0.5 is not a bit set of A|C (an unsigned integer)");
    expect(refusal(() => checkBits("1", "flags", 0b101, "A|C")).detail).toBe('"1" is not a bit set of A|C (an unsigned integer)');
  });

  it("checkBool and optBool: a boolean, never a truthy value", () => {
    expect(checkBool(false, "fwb")).toBe(false);
    expect(refusal(() => checkBool("no", "fwb"))).toEqual({ arg: "fwb", detail: '"no" is not a boolean (true or false)' });
    expect(refusal(() => checkBool(1, "fwb")).detail).toBe("1 is not a boolean (true or false)");
    expect(optBool(undefined, "xs", true)).toBe(true);
    expect(optBool(undefined, "xs", false)).toBe(false);
    expect(optBool(false, "xs", true)).toBe(false);
    expect(refusal(() => optBool(null, "xs", true))).toEqual({ arg: "xs", detail: "null is not a boolean (true or false)" });
  });
});

describe("64-bit values: bigints in 0..2^64-1", () => {
  it("checkBigU64 at the edges", () => {
    expect(checkBigU64(0n, "v")).toBe(0n);
    expect(checkBigU64(0xffffffffffffffffn, "v")).toBe(0xffffffffffffffffn);
    expect(refusal(() => checkBigU64(1n << 64n, "esr"))).toEqual({
      arg: "esr",
      detail: "18446744073709551616n is not a 64-bit unsigned value (a bigint in 0..2^64-1)",
    });
    expect(refusal(() => checkBigU64(-1n, "esr")).detail).toBe("-1n is not a 64-bit unsigned value (a bigint in 0..2^64-1)");
    expect(refusal(() => checkBigU64(5, "esr")).detail).toBe("5 is not a 64-bit unsigned value (a bigint in 0..2^64-1)");
  });
});

describe("kinds of argument", () => {
  class Thing {
    readonly kind = "thing";
  }
  it("string, function, object, one of, instance", () => {
    expect(checkString("", "name")).toBe("");
    expect(refusal(() => checkString(5, "name"))).toEqual({ arg: "name", detail: "5 is not a string" });
    const fn = (): number => 1;
    expect(checkFunction(fn, "hook")).toBe(fn);
    expect(refusal(() => checkFunction({}, "hook"))).toEqual({ arg: "hook", detail: "an object is not a function" });
    const obj = { a: 1 };
    expect(checkObject(obj, "opts")).toBe(obj);
    expect(refusal(() => checkObject(null, "opts"))).toEqual({ arg: "opts", detail: "null is not an object" });
    expect(refusal(() => checkObject([], "opts"))).toEqual({ arg: "opts", detail: "an array is not an object" });
    expect(refusal(() => checkObject("x", "opts"))).toEqual({ arg: "opts", detail: '"x" is not an object' });
    const arr = [1];
    expect(checkArray(arr, "configs")).toBe(arr);
    expect(refusal(() => checkArray({ length: 1 }, "configs"))).toEqual({ arg: "configs", detail: "an object is not an array" });
    expect(checkOneOf(16384, "granule", [4096, 16384, 65536])).toBe(16384);
    expect(refusal(() => checkOneOf("4K", "granule", [4096, 16384, 65536]))).toEqual({ arg: "granule", detail: '"4K" is not one of 4096, 16384, 65536' });
    const t = new Thing();
    expect(checkInstance(t, "pgt", Thing, "a Thing")).toBe(t);
    expect(refusal(() => checkInstance({}, "pgt", Thing, "a Thing"))).toEqual({ arg: "pgt", detail: "an object is not a Thing" });
  });
});
