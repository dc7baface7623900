/**
 * The package.json that `npm pack` / `npm publish` ship, without `scripts`.
 *
 * In the git checkout, `prepare` builds dist/ so that `npm ci` leaves a
 * working `npx s2pt`. A published package.json that kept it would show every
 * consumer a build script that cannot run (no tsconfig, no sources in the
 * tarball), and none of the other scripts (test, bench, docs, fuzz) can run
 * from the tarball either. So `prepack` runs `strip` after the build and
 * `postpack` runs `restore`:
 *
 *   strip    package.json -> package.json.prepack (the bytes as they were),
 *            then package.json without `scripts` (written beside and renamed,
 *            so a reader never sees half a file)
 *   restore  package.json.prepack -> package.json (nothing to do without it)
 *
 * npm reads the manifest it runs `postpack` from before `prepack`, so the
 * restore runs even though the file it reads no longer lists it. A
 * package.json.prepack left by an interrupted pack makes `strip` refuse
 * rather than overwrite the only copy of the real manifest.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// dist/tools/pack-manifest.js -> the repository root
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const manifest = join(root, "package.json");
const backup = join(root, "package.json.prepack");

function strip(): void {
  if (existsSync(backup)) {
    throw new Error(
      `${backup} exists (left by an interrupted npm pack): check it is the real package.json, then run \`node dist/tools/pack-manifest.js restore\``,
    );
  }
  const text = readFileSync(manifest, "utf8");
  const pkg = JSON.parse(text) as Record<string, unknown>;
  delete pkg.scripts;
  writeFileSync(backup, text);
  const tmp = `${manifest}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(pkg, null, 2)}\n`);
  renameSync(tmp, manifest);
}

function restore(): void {
  if (existsSync(backup)) renameSync(backup, manifest);
}

const cmd = process.argv[2];
try {
  if (cmd === "strip") strip();
  else if (cmd === "restore") restore();
  else throw new Error(`usage: pack-manifest strip|restore (got ${cmd ?? "nothing"})`);
} catch (e) {
  console.error(`pack-manifest: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
