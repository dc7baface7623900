// Source of truth: the results Linux 6.18.25's pgtable.c produced for each
// shared scenario (test/fixtures/shared/conformance/expected). The model must
// reproduce every one exactly: return codes, events, tables, refcounts.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatResult, replay } from "../../src/scenario/replay.js";
import { parseScenarioText } from "../../src/scenario/format.js";
import { conformanceDir, readText, scenarioNames } from "../helpers.js";

describe("conformance: replay reproduces the kernel's results", () => {
  it.each(scenarioNames())("%s", (file) => {
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", file));
    const expectedText = readText(conformanceDir, "expected", file);
    const { result, pgt } = replay(scn);
    // Deep equality first (the readable diff), then the exact bytes of the file.
    expect(result).toEqual(JSON.parse(expectedText));
    expect(formatResult(result)).toBe(expectedText);
    // The kernel build that produced these results fired no WARN_ON.
    expect(pgt.warnings).toEqual([]);
  });

  it("covers all 69 shared scenarios", () => {
    expect(scenarioNames().length).toBe(69);
    expect(join(conformanceDir, "scenarios")).toContain("fixtures");
  });
});
