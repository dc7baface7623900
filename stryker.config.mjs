// StrykerJS: mutation testing of the model's core (`npm run mutate`, issue 23;
// docs/reliability.md, "Mutation testing"). Not part of `npm test`: a full run
// takes tens of minutes. The machine is shared, so run it per file or per
// directory, e.g.
//   npm run mutate -- --mutate src/pgtable/descriptor.ts
// With `incremental`, a rerun tests only the mutants whose code or covering
// tests changed since the last run (reports/stryker-incremental.json).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  // The suite without the tests that cannot judge a mutant (stryker.vitest.config.ts).
  vitest: { configFile: "stryker.vitest.config.ts" },
  // The TypeScript checker drops mutants that do not type-check (CompileError)
  // before any test runs. It takes one of the two concurrency slots, so on a
  // busy machine S2PT_MUTATE_FAST=1 runs without it: two test runners, and a
  // mutant that does not type-check is run anyway (it is then killed or
  // survives like any other; the survivors listed in docs/reliability.md were
  // checked by hand).
  checkers: process.env.S2PT_MUTATE_FAST ? [] : ["typescript"],
  tsconfigFile: "tsconfig.json",
  coverageAnalysis: "perTest",
  // The core, lowest layers first (the layers of test/layers.test.ts below the
  // CLI and the site): the kernel's model, register fields, attribute meaning
  // and combine, the walkers, KVM's policy and the scenario format. The docs
  // generators live in tools/docs/ and render pages; the CLI and the site
  // render too; both are checked by their own tests.
  mutate: [
    "src/pgtable/**/*.ts",
    "src/regs/**/*.ts",
    "src/mair/**/*.ts",
    "src/walker/**/*.ts",
    "src/stage1/**/*.ts",
    "src/kvm/**/*.ts",
    "src/scenario/**/*.ts",
  ],
  // Module-level constants (the bit-field definitions) are static mutants:
  // each needs the whole suite (about a minute here) and every conformance
  // vector depends on them. They are reported as ignored, not run.
  ignoreStatic: true,
  // Two cores, shared: at most two test processes.
  concurrency: 2,
  timeoutMS: 10000,
  // The first, unmutated run of the whole suite with coverage, on a busy machine.
  dryRunTimeoutMinutes: 30,
  timeoutFactor: 1.5,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["dist", "coverage", "artifacts", "reports", "docs/site/app.js"],
  thresholds: { high: 90, low: 80, break: null },
};
