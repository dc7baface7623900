// The vendored ground truth must be the workplace's, byte for byte.
//
// test/fixtures/shared is what every other test reads, so a plain clone with
// nothing beside it runs the whole suite. Only this comparison needs the live
// copy: it runs when ../shared (or $S2PT_SHARED) is there, and is reported as
// skipped, with the reason, when it is not.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtures, liveShared } from "./helpers.js";

const live = liveShared();

if (live.dir === null) {
  // The default reporter does not list skipped tests by name: say it once.
  console.info(`live comparison with ../shared skipped: ${live.reason}`);
  describe("test/fixtures/shared is a copy of ../shared", () => {
    it.skip(`skipped: ${live.reason}`, () => {});
  });
} else {
  const dir = live.dir;
  describe(`test/fixtures/shared is a copy of ${dir}`, () => {
    const pairs: string[] = [];
    for (const sub of ["scenarios", "expected"]) {
      for (const f of readdirSync(join(dir, "conformance", sub))) pairs.push(join("conformance", sub, f));
    }
    pairs.push(join("conformance", "FORMAT.md"), join("conformance", "NOTES.md"));
    pairs.push(join("reference", "combine-sample.json"), join("reference", "combine-sample-noxs.json"));
    it.each(pairs)("%s", (p) => {
      expect(readFileSync(join(fixtures, p), "utf8")).toBe(readFileSync(join(dir, p), "utf8"));
    });
    it("no scenario is missing from the copy", () => {
      for (const sub of ["scenarios", "expected"]) {
        expect(readdirSync(join(fixtures, "conformance", sub)).sort()).toEqual(readdirSync(join(dir, "conformance", sub)).sort());
      }
    });
  });
}
