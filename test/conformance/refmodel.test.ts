// Source of truth: the kernel's own results (expected/*.json). The reference
// model of src/reliability (the independent oracle of the property tests and
// the fuzzer) must predict every return value, every get_leaf answer and the
// final table of each conformance scenario, without going through pgtable.ts.
import { describe, expect, it } from "vitest";
import { pteFormat } from "../../src/pgtable/descriptor.js";
import type { DumpEntry } from "../../src/scenario/replay.js";
import { parseScenarioText } from "../../src/scenario/format.js";
import { compareDumpEntries, leafMismatch } from "../../src/reliability/checked.js";
import { RefModel } from "../../src/reliability/refmodel.js";
import { conformanceDir, readJson, readText, scenarioNames } from "../helpers.js";

interface ExpectedOp {
  ret: number;
  pte?: string;
  level?: number;
  young?: boolean;
}
interface Expected {
  ops: ExpectedOp[];
  dump: DumpEntry[];
  root_refcounts: number[];
}

describe("the reference model predicts the kernel's results", () => {
  it.each(scenarioNames())("%s", (file) => {
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", file));
    const exp = readJson<Expected>(conformanceDir, "expected", file);
    const fmt = pteFormat(scn.config.granule, scn.config.lpa2);
    // The default host cap: 1 GiB of table pages (no scenario comes near it).
    const model = new RefModel(scn.config, scn.memcache, 2 ** 30 / scn.config.granule);
    scn.ops.forEach((op, i) => {
      const p = model.apply(op);
      const e = exp.ops[i];
      expect(p.ret, `ops[${i}] ${op.op} ret`).toBe(e.ret);
      if (e.young !== undefined) expect(p.young, `ops[${i}] young`).toBe(e.young);
      if (op.op === "get_leaf" && e.ret === 0) {
        expect(p.level, `ops[${i}] get_leaf level`).toBe(e.level);
        const v = BigInt(e.pte as string);
        if (p.leaf) expect(leafMismatch(fmt, scn.config.fwb, Number(v & 0xffffffffn), Number(v >> 32n), e.level as number, p.leaf)).toBeNull();
        else expect(v, `ops[${i}] get_leaf of an entry the model has empty`).toBe(0n);
      }
    });
    expect(compareDumpEntries(exp.dump, exp.root_refcounts, fmt, scn.config.fwb, model)).toBeNull();
    expect(model.selfCheck()).toBeNull();
  });
});
