// The CLI tests that spawn `s2pt` run the built dist/: build it first so they
// never test a stale build. `tsc -b` (as `npm run build`, `prepare` and
// `prepack` do) rebuilds only when a source is newer than the last build, so
// the pack test's `npm pack` never rewrites dist/ under the other tests.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./helpers.js";

export default function setup(): void {
  execFileSync(process.execPath, [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-b", join(repoRoot, "tsconfig.json")], {
    stdio: "inherit",
  });
}
