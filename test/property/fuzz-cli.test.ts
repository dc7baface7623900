// The campaign driver (npm run fuzz), as a process: a few seeds run clean and
// report the seed range and op count; bad arguments are refused in one line.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

const fuzz = join(repoRoot, "dist", "tools", "fuzz.js");

describe("npm run fuzz", () => {
  it("--seed 7 --runs 3: seeds 7..9, op count, exit 0", () => {
    const r = spawnSync(process.execPath, [fuzz, "--seed", "7", "--runs", "3", "--max-ops", "10"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^fuzz: seed 7, up to 10 ops per scenario, 3 seeds$/m);
    expect(r.stdout).toMatch(/^done in \d+ s: seeds 7\.\.9 \| 3 scenarios, \d+ ops .*no invariant broken$/m);
  });
  it.each([
    [["--seconds", "x"], /--seconds needs a whole number, got 'x'/],
    [["--seed"], /--seed needs a whole number, got nothing/],
    [["--frob"], /unknown argument '--frob'/],
  ])("%j is refused", (argv, msg) => {
    const r = spawnSync(process.execPath, [fuzz, ...argv], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toMatch(msg);
  });
});
