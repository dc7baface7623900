// The vendored ground truth must be the workplace's, byte for byte.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtures, liveShared } from "./helpers.js";

const live = liveShared();

describe.runIf(live !== null)("test/fixtures/shared is a copy of ../shared", () => {
  const pairs: Array<[string, string]> = [];
  for (const sub of ["scenarios", "expected"]) {
    for (const f of readdirSync(join(live!, "conformance", sub))) pairs.push([join("conformance", sub, f), f]);
  }
  pairs.push([join("conformance", "FORMAT.md"), "FORMAT.md"], [join("conformance", "NOTES.md"), "NOTES.md"]);
  pairs.push([join("reference", "combine-sample.json"), ""], [join("reference", "combine-sample-noxs.json"), ""]);
  it.each(pairs.map(([p]) => p))("%s", (p) => {
    expect(readFileSync(join(fixtures, p), "utf8")).toBe(readFileSync(join(live!, p), "utf8"));
  });
  it("no scenario is missing from the copy", () => {
    for (const sub of ["scenarios", "expected"]) {
      expect(readdirSync(join(fixtures, "conformance", sub)).sort()).toEqual(readdirSync(join(live!, "conformance", sub)).sort());
    }
  });
});
