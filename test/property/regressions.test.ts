// Every scenario in test/regressions (failures the fuzzer found, saved as
// `npm run fuzz` wrote them) replays with every invariant checked after
// every op. Dropping a file there is all it takes to add a regression test.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenarioText } from "../../src/scenario/format.js";
import { checkScenario } from "../../src/reliability/checked.js";
import { readText, repoRoot } from "../helpers.js";

const dir = join(repoRoot, "test", "regressions");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("fuzzer regressions replay with every invariant", () => {
  it("the folder holds the fuzzer's findings", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)("%s", (file) => {
    const scn = parseScenarioText(readText(dir, file));
    for (const destroyWithoutUnmap of [false, true]) {
      const s = checkScenario(scn, { deep: true, destroyWithoutUnmap });
      expect(s.ops).toBe(scn.ops.length);
    }
  });
});
