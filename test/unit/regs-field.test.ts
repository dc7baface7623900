// src/regs/field.ts, the one definition of a register field that every
// encoder and decoder shares, on a made-up 8-bit register laid out by hand:
//   R[7] RES1, R[6:5] RES0, R[4] IMPLEMENTATION DEFINED, R[3:2] MODE (values
//   named), R[1] EN, R[0] RES0.
// The rules are the Arm ARM's for RES0 (software writes 0) and RES1 (software
// writes 1); the texts are the ones `s2pt reg` prints.
import { describe, expect, it } from "vitest";
import {
  bit,
  checkLayout,
  decodeFields,
  featureNote,
  field,
  fieldLiteral,
  fieldMask,
  fieldPrep,
  impdef,
  mask32,
  res0,
  res1,
  type Layout,
} from "../../src/regs/field.js";

const MODE = field("MODE", 3, 2, "the mode", { values: { 0: "off", 2: "fast" }, feature: "FEAT_X" });
const EN = bit("EN", 1, "enable");
const R: Layout = { register: "R", width: 8, fields: [res1(7), res0(6, 5), impdef(4), MODE, EN, res0(0)] };

describe("field definitions", () => {
  it("field, bit, res0, res1, impdef: kind, name and default text", () => {
    expect(MODE).toEqual({ name: "MODE", hi: 3, lo: 2, kind: "field", doc: "the mode", values: { 0: "off", 2: "fast" }, feature: "FEAT_X" });
    expect(EN).toEqual({ name: "EN", hi: 1, lo: 1, kind: "field", doc: "enable" });
    expect(res0(6, 5)).toEqual({ name: "RES0", hi: 6, lo: 5, kind: "res0", doc: "Reserved, RES0" });
    expect(res0(0)).toMatchObject({ hi: 0, lo: 0 });
    expect(res1(7)).toEqual({ name: "RES1", hi: 7, lo: 7, kind: "res1", doc: "Reserved, RES1" });
    expect(impdef(4)).toEqual({ name: "IMPLEMENTATION DEFINED", hi: 4, lo: 4, kind: "impdef", doc: "IMPLEMENTATION DEFINED" });
  });

  it("a bit range must run from hi down to lo, within bits 127:0", () => {
    expect(() => field("X", 3, 4, "d")).toThrow(new Error("field X: bad bit range 3:4"));
    expect(() => field("X", 3, -1, "d")).toThrow(new Error("field X: bad bit range 3:-1"));
    expect(() => field("X", 128, 0, "d")).toThrow(new Error("field X: bad bit range 128:0"));
    expect(field("X", 127, 127, "d").hi).toBe(127);
    expect(field("X", 0, 0, "d")).toEqual({ name: "X", hi: 0, lo: 0, kind: "field", doc: "d" });
  });

  it("fieldPrep places a value that fits and refuses one that does not", () => {
    expect(fieldPrep(MODE, 3)).toBe(0b1100n);
    expect(fieldPrep(MODE, 0n)).toBe(0n);
    expect(() => fieldPrep(MODE, 4)).toThrow(new RangeError("MODE[3:2]: 4 does not fit in 2 bits"));
    expect(() => fieldPrep(MODE, -1)).toThrow(new RangeError("MODE[3:2]: -1 does not fit in 2 bits"));
    expect(fieldMask(MODE)).toBe(0b1100n);
  });

  it("mask32: the mask of a field below bit 32, refused above", () => {
    expect(mask32(field("T", 31, 28, "d"))).toBe(0xf0000000);
    expect(() => mask32(field("U", 32, 32, "d"))).toThrow(new RangeError("U[32:32] is not within bits 31:0"));
  });

  it("featureNote names the feature, or nothing", () => {
    expect(featureNote(MODE)).toBe(" (FEAT_X)");
    expect(featureNote(EN)).toBe("");
  });
});

describe("checkLayout: every bit in exactly one field", () => {
  it("a layout that covers each bit once passes", () => expect(() => checkLayout(R)).not.toThrow());
  it("a field beyond the register's width", () => {
    expect(() => checkLayout({ register: "R", width: 8, fields: [bit("X", 8, "d"), ...R.fields] })).toThrow(new Error("R.X[8] is beyond bit 7"));
  });
  it("two fields over the same bit", () => {
    expect(() => checkLayout({ register: "R", width: 8, fields: [...R.fields, field("B", 3, 0, "d")] })).toThrow(new Error("R.B[3:0] overlaps another field"));
  });
  it("bits no field covers, all of them named", () => {
    expect(() => checkLayout({ register: "R", width: 8, fields: [res1(7), impdef(4), MODE, EN] })).toThrow(new Error("R: bits 0, 5, 6 belong to no field"));
  });
});

describe("decodeFields", () => {
  it("fieldLiteral: a bit as 0/1, up to 8 bits in binary as wide as the field, wider in hex", () => {
    expect(fieldLiteral(EN, 1n)).toBe("1");
    expect(fieldLiteral(MODE, 1n)).toBe("0b01");
    expect(fieldLiteral(field("B", 7, 0, "d"), 5n)).toBe("0b00000101");
    expect(fieldLiteral(field("W", 8, 0, "d"), 5n)).toBe("0x5");
  });

  it("a value that keeps every rule: RES1 set, RES0 clear, names from the field's values, IMPDEF by its doc", () => {
    // 0b1000_1010: RES1 1, RES0 00, IMPDEF 0, MODE 0b10 (fast), EN 1, RES0 0.
    const d = decodeFields(R, 0x8an);
    expect(d.problems).toEqual([]);
    expect(d.fields.map((f) => [f.name, f.bits, f.value, f.meaning, f.kind])).toEqual([
      ["RES1", "7", "0x1", "Reserved, RES1", "res1"],
      ["RES0", "6:5", "0x0", "Reserved, RES0", "res0"],
      ["IMPLEMENTATION DEFINED", "4", "0x0", "IMPLEMENTATION DEFINED", "impdef"],
      ["MODE", "3:2", "0x2", "fast", "field"],
      ["EN", "1", "0x1", "1", "field"],
      ["RES0", "0", "0x0", "Reserved, RES0", "res0"],
    ]);
    expect(d.fields.every((f) => f.problem === undefined)).toBe(true);
  });

  it("RES0 set and RES1 clear are problems, worded for one bit or several", () => {
    // 0b0100_0101: RES1 0 (clear), RES0[6:5] 0b10, MODE 0b01 (no name: binary), RES0[0] 1.
    const d = decodeFields(R, 0x45n);
    expect(d.problems).toEqual([
      "RES1[7]: RES1 bit clear (0): software must write 1",
      "RES0[6:5]: RES0 bits set (0b10): software must write 0, the value is not one the architecture defines",
      "RES0[0]: RES0 bit set (1): software must write 0, the value is not one the architecture defines",
    ]);
    expect(d.fields[3].meaning).toBe("0b01");
    const two = decodeFields({ register: "Q", width: 2, fields: [res1(1, 0)] }, 1n);
    expect(two.problems).toEqual(["RES1[1:0]: RES1 bits clear (0b01): software must write 1"]);
  });

  it("a decoder's words override the names and may report a problem", () => {
    const d = decodeFields(R, 0x8an, (f, v) => (f.name === "MODE" ? { meaning: `mode ${v}`, problem: "not this one" } : undefined));
    expect(d.fields[3]).toMatchObject({ meaning: "mode 2", problem: "not this one" });
    expect(d.problems).toEqual(["MODE[3:2]: not this one"]);
    // Words for the IMPDEF bit replace its doc.
    expect(decodeFields(R, 0x80n, (f) => (f.kind === "impdef" ? { meaning: "ours" } : undefined)).fields[2].meaning).toBe("ours");
  });
});
