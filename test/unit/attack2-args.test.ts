// The second red-team pass over the library's arguments (issue 15: "the library checks its arguments
// before touching state"): each call below once threw a TypeError or a plain Error from inside, took a
// value unchecked (a NaN record limit acted as no limit) or answered ("{\n}" for an empty result). Each
// is now an InputError (an ArgumentError naming the argument) on one line, with the message written here.
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/pgtable/u64.js";
import { RecordBudget, formatResult, opToJson, parseScenarioText, replay, type Scenario } from "../../src/scenario/index.js";
import { combinedJson, formatDecoded, walkReportJson } from "../../src/walker/index.js";
import { encodeTcr, nestedReportJson, nestedWalker, regionGeometry } from "../../src/stage1/index.js";

/** `f` throws an InputError whose one-line message is exactly `msg`. */
function refuses(f: () => unknown, msg: string): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, "no refusal: it answered").not.toBeNull();
  expect(err, String(err)).toBeInstanceOf(InputError);
  expect((err as Error).message).toBe(msg);
}

const SCN = parseScenarioText(
  JSON.stringify({
    name: "a2",
    config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false },
    ops: [{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R|W", flags: "" }],
  }),
);

describe("replay's options and RecordBudget", () => {
  it("a records option that is not a RecordBudget", () => {
    refuses(() => replay(SCN, { records: 5 as unknown as RecordBudget }), "opts.records: 5 is not a RecordBudget");
  });
  it("record limits that are not whole numbers", () => {
    refuses(() => new RecordBudget(NaN), "events: NaN is not a whole number of records in 0..2147483647");
    refuses(() => new RecordBudget(-1), "events: -1 is not a whole number of records in 0..2147483647");
    refuses(() => new RecordBudget(5, "x" as unknown as number), 'dump: "x" is not a whole number of records in 0..2147483647');
    refuses(() => replay(SCN, { eventRecords: NaN }), "opts.eventRecords: NaN is not a whole number of records in 0..2147483647");
  });
  it("an unknown option, and limits beside a shared budget", () => {
    refuses(() => replay(SCN, { record: 5 } as never), "opts.record: is not a field of opts (its fields: workBudget, eventRecords, dumpRecords, records)");
    refuses(
      () => replay(SCN, { records: new RecordBudget(), dumpRecords: 3 }),
      "opts.dumpRecords: changes nothing with opts.records (the shared budget's own limits apply)",
    );
  });
  it("formatResult of something replay() did not make", () => {
    refuses(() => formatResult({}), "r.name: undefined is not a string (replay() makes this argument)");
    const { result } = replay(SCN);
    expect(formatResult(result).startsWith('{\n  "name": "a2",')).toBe(true);
  });
});

describe("a scenario op built by hand", () => {
  it("a bigint where the op table's field is an address", () => {
    const scn: Scenario = { ...SCN, ops: [{ ...SCN.ops[0], ipa: 0x40000000n as unknown as number }] };
    refuses(() => replay(scn), "scn.ops[0].ipa: 1073741824n is not an address (a number, a non-negative integer below 2^53) (the map op's ipa)");
  });
  it("a field of each other kind", () => {
    const at = (o: Record<string, unknown>): Scenario => ({ ...SCN, ops: [{ ...SCN.ops[0], ...o }] });
    refuses(() => replay(at({ prot: "R" })), 'scn.ops[0].prot: "R" is not a number of KVM_PGTABLE_PROT_* bits (the map op\'s prot)');
    refuses(() => replay(at({ op: "test_clear_young", mkold: 1 })), "scn.ops[0].mkold: 1 is not a boolean (the test_clear_young op's mkold)");
    refuses(() => replay(at({ op: "set_pte", pte: 5 })), "scn.ops[0].pte: 5 is not a bigint 0..2^64-1 (the set_pte op's pte)");
    refuses(() => replay(at({ op: "set_pte", pte: 0n, level: 4 })), "scn.ops[0].level: 4 is not a level, an integer -1..3 (the set_pte op's level)");
    refuses(() => replay(at({ op: "translate", access: "rw" })), 'scn.ops[0].access: "rw" is not an access, "r", "w" or "x" (the translate op\'s access)');
  });
});

describe("opToJson", () => {
  it("refuses an op that is not of the op table, or lacks its fields", () => {
    refuses(() => opToJson({} as never), "op: an object is not an op of the op table (parseScenario() makes them)");
    refuses(() => opToJson({ op: "map" } as never), "op.ipa: undefined is not an address (a number, a non-negative integer below 2^53) (the map op's ipa)");
    expect(opToJson(SCN.ops[0])).toEqual({ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R|W", flags: "" });
  });
});

describe("the walker's formatters", () => {
  it("refuse an object their maker did not make", () => {
    refuses(() => combinedJson({} as never), "c.attr: undefined is not a number (combine() makes this argument)");
    refuses(() => formatDecoded({} as never), "d.value: undefined is not a string (decodeS2Descriptor() makes this argument)");
    refuses(() => walkReportJson({} as never), "r.ipa: undefined is not a string (walkIpa() or walkOnImage() makes this argument)");
  });
});

describe("stage 1", () => {
  it("encodeTcr and regionGeometry check the TCR fields", () => {
    refuses(() => encodeTcr({} as never), "t.t0sz: undefined is outside 16..39 (VA sizes of 25 to 48 bits; FEAT_LVA and FEAT_TTST are not modelled)");
    refuses(() => regionGeometry(null as never, null as never), "t: null is not an object");
  });
  it("nestedReportJson and nestedWalker", () => {
    refuses(() => nestedReportJson({} as never), "r.va: undefined is not a string (walkVa() makes this argument)");
    refuses(() => nestedWalker(null as never, null as never), "g: null is not an object");
  });
});
