/**
 * Running the built CLI (dist/src/cli/main.js) as a process, the way a
 * reader runs it, for the pages whose examples are its output. The docs
 * generators never import src/cli.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the first directory up from here that holds package.json and src/cli. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "src", "cli"))) return dir;
    dir = dirname(dir);
  }
  throw new Error("docs: the repository root (package.json, src/cli) not found above " + fileURLToPath(import.meta.url));
}

/** Run `s2pt <args>` in the repository root; the output, or an Error naming the command when it does not exit `code` or writes to stderr. */
export function s2pt(args: readonly string[], code = 0): string {
  const root = repoRoot();
  const bin = join(root, "dist", "src", "cli", "main.js");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npm run build)`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== code || r.stderr !== "") throw new Error(`s2pt ${args.join(" ")} exited ${r.status} (expected ${code}): ${r.stderr}`);
  return r.stdout.trimEnd();
}

/** An argument as a reader would type it in a shell. */
export function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./:=,-]+$/.test(a) ? a : `'${a}'`;
}
