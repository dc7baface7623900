// Build what the browser test loads, exactly as `npm run site` does: the
// type checks (tsconfig.json, tsconfig.site.json) and the esbuild bundle.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { buildSite } from "../../tools/build-site.js";
import { repoRoot } from "../helpers.js";

export default async function setup(): Promise<void> {
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  for (const cfg of ["tsconfig.json", "tsconfig.site.json"]) {
    execFileSync(process.execPath, [tsc, "-p", join(repoRoot, cfg)], { stdio: "inherit" });
  }
  await buildSite(repoRoot);
}
