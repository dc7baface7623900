// Generated documentation must match the code that generates it (run `npm run docs`).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_PAGES } from "../tools/docs/pages.js";
import { repoRoot } from "./helpers.js";

describe("generated docs are up to date", () => {
  it.each(GENERATED_PAGES.map((p) => [p.path, p] as const))("%s", (path, page) => {
    const file = join(repoRoot, path);
    expect(existsSync(file), `${path} is missing: run npm run docs`).toBe(true);
    expect(readFileSync(file, "utf8"), `${path} is out of date: run npm run docs`).toBe(page.render());
  });
});
