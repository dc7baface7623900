// The number rule (README "Conventions, the same for every command"; FORMAT.md:
// 64-bit numbers are 0x-prefixed hex) and the 64-bit helpers of
// src/pgtable/u64.ts, on values written out by hand. The CLI tests exercise
// these parsers through a process; these call them directly, so that a
// change to a form accepted, a form refused or a message is caught here.
import { describe, expect, it } from "vitest";
import {
  InputError,
  alignDown,
  escapeControl,
  hex,
  hexHalves,
  hi32,
  isAligned,
  joinU64,
  lo32,
  parseHexText,
  parseSmallNumber,
  parseU64,
  showInput,
} from "../../src/pgtable/u64.js";

/** The message parse() throws, and that it is an InputError. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("parseU64: 0x-prefixed hex below 2^64", () => {
  it("reads 0x and 0X, either case of digit, with the whitespace around ignored", () => {
    expect(parseU64("0x0", "v")).toBe(0n);
    expect(parseU64("0X1F", "v")).toBe(31n);
    expect(parseU64("0xAbC", "v")).toBe(0xabcn);
    expect(parseU64("  0x40001000\t", "v")).toBe(0x40001000n);
    expect(parseU64("0xffffffffffffffff", "v")).toBe(18446744073709551615n);
  });

  it("refuses 2^64, decimal, bare hex, a sign, an underscore, an empty string, naming the input", () => {
    expect(refusal(() => parseU64("0x10000000000000000", "--ipa"))).toBe("--ipa: '0x10000000000000000' does not fit in 64 bits");
    expect(refusal(() => parseU64("40001000", "--pa"))).toBe("--pa: '40001000' is not a 0x-prefixed hex number");
    expect(refusal(() => parseU64("", "desc"))).toBe("desc: '' is not a 0x-prefixed hex number");
    expect(refusal(() => parseU64("0x1_000", "desc"))).toBe("desc: '0x1_000' is not a 0x-prefixed hex number");
    expect(refusal(() => parseU64("+0x1", "desc"))).toBe("desc: '+0x1' is not a 0x-prefixed hex number");
    expect(refusal(() => parseU64("-0x1", "desc"))).toBe("desc: '-0x1' is negative");
    expect(refusal(() => parseU64(" -0X1", "desc"))).toBe("desc: ' -0X1' is negative");
    expect(refusal(() => parseU64("-5", "desc"))).toBe("desc: '-5' is negative");
    // A minus sign inside the text is no sign: the text is just not hex.
    expect(refusal(() => parseU64("0x1-5", "desc"))).toBe("desc: '0x1-5' is not a 0x-prefixed hex number");
    // "-x" is no number at all: not called negative.
    expect(refusal(() => parseU64("-x", "desc"))).toBe("desc: '-x' is not a 0x-prefixed hex number");
  });

  it("refuses a value that is not a string, naming the input (or 'text' when the name is not a string either)", () => {
    expect(refusal(() => parseU64(5 as never, "--va"))).toBe("--va: expected a 0x-prefixed hex string, got number");
    expect(refusal(() => parseU64(5n as never, 7 as never))).toBe("text: expected a 0x-prefixed hex string, got bigint");
  });
});

describe("parseSmallNumber: decimal, 0x hex or 0b binary, range-checked", () => {
  it("reads each form", () => {
    expect(parseSmallNumber("0", "n", 0xff)).toBe(0);
    expect(parseSmallNumber("12", "n", 0xff)).toBe(12);
    expect(parseSmallNumber(" 255 ", "n", 0xff)).toBe(255);
    expect(parseSmallNumber("0x1f", "n", 0xff)).toBe(31);
    expect(parseSmallNumber("0XFF", "n", 0xff)).toBe(255);
    expect(parseSmallNumber("0b101", "n", 0xff)).toBe(5);
    expect(parseSmallNumber("0B11", "n", 0xff)).toBe(3);
  });

  it("takes a minus sign only where the range goes below 0", () => {
    expect(parseSmallNumber("-1", "--level", 3, { min: -1 })).toBe(-1);
    expect(refusal(() => parseSmallNumber("-1", "--el", 2))).toBe("--el: '-1' is negative");
    expect(refusal(() => parseSmallNumber("-0x1", "--s2", 0xf))).toBe("--s2: '-0x1' is negative");
    expect(refusal(() => parseSmallNumber("-0b1", "--s2", 0xf))).toBe("--s2: '-0b1' is negative");
    // A negative that is no number of any form is not called negative.
    expect(refusal(() => parseSmallNumber("-z", "--s2", 0xf))).toBe("--s2: '-z' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    expect(refusal(() => parseSmallNumber("-12", "--s2", 0xf))).toBe("--s2: '-12' is negative");
    expect(refusal(() => parseSmallNumber("-0x12", "--s2", 0xf))).toBe("--s2: '-0x12' is negative");
    expect(refusal(() => parseSmallNumber("-0b11", "--s2", 0xf))).toBe("--s2: '-0b11' is negative");
    // A minus sign that is not in front, or a number followed by more, is not a negative number.
    expect(refusal(() => parseSmallNumber("1-2", "--s2", 0xf))).toBe("--s2: '1-2' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    expect(refusal(() => parseSmallNumber("-1z", "--s2", 0xf))).toBe("--s2: '-1z' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    // Below min: out of range, with the range in decimal.
    expect(refusal(() => parseSmallNumber("-2", "--level", 3, { min: -1 }))).toBe("--level: -2 is out of range (-1..3)");
  });

  it("refuses a decimal with a leading 0 (octal in C), saying why", () => {
    expect(refusal(() => parseSmallNumber("010", "--s1", 0xff))).toBe(
      "--s1: '010' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary) (a leading 0 would make it octal in C: write it without)",
    );
    expect(refusal(() => parseSmallNumber("-07", "--level", 3, { min: -1 }))).toBe(
      "--level: '-07' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary) (a leading 0 would make it octal in C: write it without)",
    );
    expect(refusal(() => parseSmallNumber("1.5", "--s1", 0xff))).toBe("--s1: '1.5' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    // A leading 0 only counts when the whole text is digits after it.
    expect(refusal(() => parseSmallNumber("x010", "--s1", 0xff))).toBe("--s1: 'x010' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    expect(refusal(() => parseSmallNumber("010x", "--s1", 0xff))).toBe("--s1: '010x' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
  });

  it("takes the whole text or nothing: a number followed by other characters is refused", () => {
    expect(refusal(() => parseSmallNumber("0x1g", "--s1", 0xff))).toBe("--s1: '0x1g' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    expect(refusal(() => parseSmallNumber("0b12", "--s1", 0xff))).toBe("--s1: '0b12' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    expect(refusal(() => parseSmallNumber("12a", "--s1", 0xff))).toBe("--s1: '12a' is not a number (decimal, 0x-prefixed hex or 0b-prefixed binary)");
    expect(refusal(() => parseSmallNumber("gf", "Attr", 0xff, { bareHex: true }))).toBe("Attr: 'gf' is not hex (0x-prefixed or bare)");
  });

  it("shows the range of a field's mask in hex and a count or a small range in decimal", () => {
    expect(refusal(() => parseSmallNumber("0x100", "--s1", 0xff))).toBe("--s1: 0x100 is out of range (0..0xff)");
    expect(refusal(() => parseSmallNumber("16", "--s2", 0xf))).toBe("--s2: 16 is out of range (0..0xf)");
    expect(refusal(() => parseSmallNumber("64", "f", 63))).toBe("f: 64 is out of range (0..0x3f)");
    // 7 is a mask, but below 0xf: decimal.
    expect(refusal(() => parseSmallNumber("8", "f", 7))).toBe("f: 8 is out of range (0..7)");
    // 52 is no mask.
    expect(refusal(() => parseSmallNumber(" 53 ", "--ia-bits", 52, { min: 32 }))).toBe("--ia-bits: 53 is out of range (32..52)");
    expect(refusal(() => parseSmallNumber("31", "--ia-bits", 52, { min: 32 }))).toBe("--ia-bits: 31 is out of range (32..52)");
    expect(parseSmallNumber("32", "--ia-bits", 52, { min: 32 })).toBe(32);
    expect(parseSmallNumber("52", "--ia-bits", 52, { min: 32 })).toBe(52);
  });

  it("the docs page's forms: hex only, and bare hex", () => {
    expect(parseSmallNumber("0x44", "Attr", 0xff, { hexOnly: true })).toBe(0x44);
    expect(refusal(() => parseSmallNumber("44", "Attr", 0xff, { hexOnly: true }))).toBe("Attr: '44' is not 0x-prefixed hex");
    expect(refusal(() => parseSmallNumber("0b1", "Attr", 0xff, { hexOnly: true }))).toBe("Attr: '0b1' is not 0x-prefixed hex");
    // hexOnly has no octal remark: "010" is simply not 0x-prefixed.
    expect(refusal(() => parseSmallNumber("010", "Attr", 0xff, { hexOnly: true }))).toBe("Attr: '010' is not 0x-prefixed hex");
    expect(parseSmallNumber("ff", "Attr", 0xff, { bareHex: true })).toBe(255);
    expect(parseSmallNumber("10", "Attr", 0xff, { bareHex: true })).toBe(16);
    expect(refusal(() => parseSmallNumber("fg", "Attr", 0xff, { bareHex: true, hexOnly: true }))).toBe("Attr: 'fg' is not hex (0x-prefixed or bare)");
  });
});

describe("parseHexText: the docs page's 64-bit boxes", () => {
  it("takes bare hex digits only when asked", () => {
    expect(parseHexText(" 40000705 ", "d", true)).toBe(0x40000705n);
    expect(parseHexText("0x40000705", "d", true)).toBe(0x40000705n);
    expect(parseHexText("0x40000705", "d", false)).toBe(0x40000705n);
    expect(refusal(() => parseHexText("40000705", "d", false))).toBe("d: '40000705' is not a 0x-prefixed hex number");
    expect(refusal(() => parseHexText("10000000000000000", "d", true))).toBe("d: '0x10000000000000000' does not fit in 64 bits");
  });
});

describe("showInput and escapeControl: input echoed in a message", () => {
  it("cuts at 80 characters (or max) and says how long the input was", () => {
    const s80 = "a".repeat(80);
    expect(showInput(s80)).toBe(s80);
    expect(showInput(s80 + "b")).toBe(`${s80}... (81 characters)`);
    expect(showInput("abcdef", 3)).toBe("abc... (6 characters)");
    expect(showInput("abc", 3)).toBe("abc");
  });

  it("escapes C0, DEL, C1, the line and paragraph separators and the bidirectional controls, nothing else", () => {
    expect(escapeControl("a\nb\rc\td")).toBe("a\\nb\\rc\\td");
    expect(escapeControl("\u0000\u001b\u001f \u007f\u0080\u009f\u00a0")).toBe("\\x00\\x1b\\x1f \\x7f\\x80\\x9f\u00a0");
    expect(escapeControl("\u2028\u2029")).toBe("\\u2028\\u2029");
    expect(escapeControl("\u200d\u200e\u200f\u2010")).toBe("\u200d\\u200e\\u200f\u2010");
    expect(escapeControl("\u2029\u202a\u202e\u202f")).toBe("\\u2029\\u202a\\u202e\u202f");
    expect(escapeControl("\u2065\u2066\u2069\u206a")).toBe("\u2065\\u2066\\u2069\u206a");
    expect(showInput("0x1\n")).toBe("0x1\\n");
  });
});

describe("64-bit values as halves and addresses as doubles", () => {
  it("joinU64 puts hi above lo, each taken as unsigned", () => {
    expect(joinU64(0x1000, 0x1)).toBe(0x100001000n);
    expect(joinU64(0xffffffff, 0xffffffff)).toBe(0xffffffffffffffffn);
    expect(joinU64(-1, 0)).toBe(0xffffffffn);
    expect(joinU64(0, -1)).toBe(0xffffffff00000000n);
  });

  it("hex is FORMAT.md's form: 0x, lower case, no leading zeros", () => {
    expect(hex(0)).toBe("0x0");
    expect(hex(0n)).toBe("0x0");
    expect(hex(0xabc)).toBe("0xabc");
    expect(hex(0xffffffffffffffffn)).toBe("0xffffffffffffffff");
    expect(hexHalves(0x40000705, 0x00600000)).toBe("0x60000040000705");
    expect(refusal(() => hex("1" as never))).toBe("v: expected a number or a bigint, got string");
  });

  it("lo32 and hi32 split an address below 2^53 exactly", () => {
    const a = 2 ** 52 + 2 ** 33 + 0x80000007; // bits 52, 33, 31, 2:0
    expect(lo32(a)).toBe(0x80000007);
    expect(hi32(a)).toBe(0x100002);
    expect(hi32(0xffffffff)).toBe(0);
    expect(hi32(2 ** 32)).toBe(1);
  });

  it("alignDown and isAligned for power-of-two sizes, above 2^32 too", () => {
    expect(alignDown(0x12345, 0x1000)).toBe(0x12000);
    expect(alignDown(0x12000, 0x1000)).toBe(0x12000);
    expect(alignDown(2 ** 52 + 0x3fffffff, 0x40000000)).toBe(2 ** 52);
    expect(isAligned(0x200000, 0x200000)).toBe(true);
    expect(isAligned(0x201000, 0x200000)).toBe(false);
    expect(isAligned(0, 0x1000)).toBe(true);
    expect(isAligned(2 ** 52 + 0x1000, 0x1000)).toBe(true);
  });
});
