import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The vendored copy of ../shared (test/fixtures/shared). */
export const fixtures = join(repoRoot, "test", "fixtures", "shared");
export const conformanceDir = join(fixtures, "conformance");

/** The live ../shared, if this machine has it. */
export function liveShared(): string | null {
  const p = process.env.S2PT_SHARED ?? resolve(repoRoot, "..", "shared");
  return existsSync(p) ? p : null;
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
