// The API reference (docs/api) must be what TypeDoc makes of the code now
// (run `npm run docs:api`), and TypeDoc must find a doc comment on every
// public export (typedoc.json: validation.notDocumented, warnings are errors).
// TypeDoc runs once, as a process, into a scratch directory (about 10-20 s:
// the one slow test of this file, kept out of the global setup so that a
// focused `npx vitest run` of another file never pays for it).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./helpers.js";

const committed = join(repoRoot, "docs", "api");
let out = "";
let run: { status: number | null; stdout: string; stderr: string };

function files(dir: string): string[] {
  const all: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else all.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return all.sort();
}

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "s2pt-api-"));
  const typedoc = join(repoRoot, "node_modules", "typedoc", "bin", "typedoc");
  run = spawnSync(process.execPath, [typedoc, "--out", join(out, "api")], { cwd: repoRoot, encoding: "utf8" });
}, 120_000);

afterAll(() => {
  if (out !== "") rmSync(out, { recursive: true, force: true });
});

describe("docs/api: the API reference generated from the types", () => {
  it("TypeDoc runs clean: every public export documented, every referenced type exported, no broken link", () => {
    expect(run.stdout + run.stderr, "typedoc's warnings").not.toMatch(/warning|error/i);
    expect(run.status).toBe(0);
  });
  it("is up to date (run npm run docs:api)", () => {
    const fresh = files(join(out, "api"));
    expect(fresh.length).toBeGreaterThan(8);
    expect(files(committed), "docs/api's files").toEqual(fresh);
    for (const f of fresh)
      expect(readFileSync(join(committed, f), "utf8"), `docs/api/${f} is out of date: run npm run docs:api`).toBe(readFileSync(join(out, "api", f), "utf8"));
  });
  it("has a page per subpath export of package.json, and the root", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const index = readFileSync(join(committed, "README.md"), "utf8");
    for (const k of Object.keys(pkg.exports).filter((e) => e !== "./package.json")) {
      const name = k === "." ? "s2pt" : `s2pt/${k.slice(2)}`;
      expect(index, name).toContain(`[${name}]`);
    }
  });
});
