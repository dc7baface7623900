import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The vendored copy of ../shared (test/fixtures/shared). */
export const fixtures = join(repoRoot, "test", "fixtures", "shared");
export const conformanceDir = join(fixtures, "conformance");

/**
 * The live ../shared, if this machine has it: $S2PT_SHARED when set, else
 * ../shared beside the checkout. `dir` is null on a plain clone, with the
 * reason a test prints when it skips. An S2PT_SHARED that does not hold
 * conformance/ is an error, not a skip: the caller asked for the comparison.
 */
export function liveShared(): { dir: string; reason: "" } | { dir: null; reason: string } {
  const env = process.env.S2PT_SHARED;
  if (env !== undefined && env !== "") {
    if (!existsSync(join(env, "conformance"))) throw new Error(`S2PT_SHARED=${env}: no conformance/ directory there`);
    return { dir: env, reason: "" };
  }
  const p = resolve(repoRoot, "..", "shared");
  if (existsSync(join(p, "conformance"))) return { dir: p, reason: "" };
  return { dir: null, reason: `no ${p}/conformance beside the checkout and S2PT_SHARED unset; the vendored copy is used as is` };
}

export function scenarioNames(): string[] {
  return readdirSync(join(conformanceDir, "scenarios"))
    .filter((f) => f.endsWith(".json"))
    .sort();
}

export function readText(...parts: string[]): string {
  return readFileSync(join(...parts), "utf8");
}

export function readJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readText(...parts)) as T;
}
