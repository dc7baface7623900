// The vitest configuration StrykerJS runs (stryker.config.mjs): the suite less
// the tests that cannot judge a mutant, so that a mutant counts as killed only
// when an independent test catches it (issue 23). Property tests run a tenth
// of their cases here (S2PT_PROPERTY_RUNS=fast, test/property/seed.ts).
//  - test/docs.test.ts compares generated docs with the code that generates
//    them: it detects a change, it does not judge whether the change is right.
//  - test/browser needs Chromium; test/site.test.ts, test/guide.test.ts and
//    test/property/fuzz-cli.test.ts build or spawn code outside the process,
//    which never sees the mutant (so neither is the global tsc build
//    needed); test/fixtures.test.ts
//    compares file copies.
//  - test/property/fastpath.test.ts and walker-fastpath.test.ts compare the
//    model's fast paths with its own generic walker (not an independent
//    source), test/unit/bench-* test the benchmark harness, and test/cli is
//    the CLI's rendering: the core's score comes from the core's tests.
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// S2PT_MUTATE_TESTS=glob,glob: a focused set of test files instead of the
// whole suite (docs/reliability.md, "Mutation testing": how the src/pgtable
// rows were measured, where a survivor costs a minute of the whole suite).
// The score is then a lower bound: the files left out could only kill more.
const focus = (process.env.S2PT_MUTATE_TESTS ?? "").split(",").filter((s) => s !== "");

// The slow table and property files last: Stryker stops a mutant's run at the
// first failing test, so the fast hand-worked tests get the first chance.
const SLOW = [
  "combine.test.ts",
  "combine-lookup.test.ts",
  "combine.property.test.ts",
  "scenarios.property.test.ts",
  "two-stage.property.test.ts",
  "walk-memtype.test.ts",
];
// The hand-worked `*-mutants.test.ts` files after everything else when a
// focused set holds them (S2PT_MUTATE_TESTS below), so that a mutant only they
// kill is reported as killed by them.
class FastFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const slow = (f: TestSpecification): number =>
      f.moduleId.endsWith("-mutants.test.ts") && focus.length > 0 ? 2 : SLOW.some((s) => f.moduleId.endsWith(`/${s}`)) ? 1 : 0;
    return [...files].sort((a, b) => slow(a) - slow(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: focus.length > 0 ? focus : ["test/**/*.test.ts"],
    exclude: [
      "test/browser/**",
      "test/docs.test.ts",
      "test/site.test.ts",
      "test/guide.test.ts",
      "test/fixtures.test.ts",
      "test/property/fuzz-cli.test.ts",
      "test/property/fastpath.test.ts",
      "test/property/walker-fastpath.test.ts",
      "test/unit/bench-*.test.ts",
      "test/cli/**",
      // S2PT_MUTATE_NO_TABLE=1: without the 73,728-row combine table and the
      // combine properties, which rebuild the table through every instrumented
      // mair function (minutes per mutant on a shared machine). The score is
      // then a lower bound: those tests could only kill more.
      ...(process.env.S2PT_MUTATE_NO_TABLE ? ["test/architecture/combine.test.ts", "test/property/combine.property.test.ts"] : []),
    ],
    // Instrumented code on a shared machine is slow: room for it.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Property tests run a tenth of their cases (same fixed seed): see test/property/seed.ts.
    env: { S2PT_PROPERTY_RUNS: "fast" },
    sequence: { sequencer: FastFirst },
  },
});
