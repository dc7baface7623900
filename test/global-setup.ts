// The CLI tests that spawn `s2pt` run the built dist/: build it first so they
// never test a stale build.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./helpers.js";

export default function setup(): void {
  execFileSync(process.execPath, [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", join(repoRoot, "tsconfig.json")], {
    stdio: "inherit",
  });
}
