// s2pt check: replay with every invariant after every op.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { OP_CHECKERS } from "../../src/reliability/checked.js";
import { conformanceDir, repoRoot } from "../helpers.js";

describe("s2pt check", () => {
  it("every conformance scenario keeps every invariant (deep: the whole dump after every op)", () => {
    const r = runCli(["check", join(conformanceDir, "scenarios"), "--deep"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("69 of 69 scenarios kept every invariant");
    // map-skip-bbm-tlbi leaves its TLBI to the caller: one, reported as such.
    expect(r.stdout).toMatch(/ok {7}map-skip-bbm-tlbi: 2 ops, \d+ entries broken, 0 in-place changes, 1 TLBIs left to the caller/);
  });
  it("the fuzzer's regressions, ending with destroy", () => {
    const r = runCli(["check", join(repoRoot, "test", "regressions"), "--destroy"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ of \d+ scenarios kept every invariant/);
  });
  it("a broken invariant: FAILED with the op, the check and what differs, exit 1", () => {
    OP_CHECKERS.push({ name: "test checker", check: (ctx) => (ctx.index === 1 ? `refused op ${ctx.op.op}` : null) });
    try {
      const r = runCli(["check", join(conformanceDir, "scenarios", "map-page-inside-block.json")]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe(
        "FAILED   map-page-inside-block (" + join(conformanceDir, "scenarios", "map-page-inside-block.json") + "): ops[1]: test checker: refused op map\n",
      );
    } finally {
      OP_CHECKERS.pop();
    }
  });
});
