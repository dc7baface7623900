// The hand-written docs say only what is true: every `$ npx s2pt ...` line in
// a ```console block of docs/guide.md runs, and the output shown under it is
// an excerpt of what it prints ("..." skips lines); the library snippet
// type-checks against the built package and prints what the guide says it
// prints; every relative link in docs/README.md and docs/guide.md resolves,
// and docs/README.md links every generated reference page.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli/main.js";
import { GENERATED_PAGES } from "../tools/docs/pages.js";
import { repoRoot } from "./helpers.js";

const guidePath = join(repoRoot, "docs", "guide.md");
const guide = readFileSync(guidePath, "utf8");

interface Fence {
  lang: string;
  body: string[];
  line: number;
}

function fences(md: string): Fence[] {
  const out: Fence[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w*)\s*$/.exec(lines[i]);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]);
    out.push({ lang: m[1], body, line: start + 1 });
  }
  return out;
}

/** Split a command line the way a POSIX shell would for the simple cases the guide uses (single quotes, no expansion). */
function shellWords(s: string): string[] {
  // A reader pastes these into a shell: an unquoted | > < ; & would not reach s2pt.
  if (/[|<>;&]/.test(s.replace(/'[^']*'|"[^"]*"/g, ""))) throw new Error(`'${s}': quote shell metacharacters`);
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

interface Example {
  command: string;
  args: string[];
  expected: string[];
  line: number;
}

function consoleExamples(): Example[] {
  const out: Example[] = [];
  for (const f of fences(guide).filter((x) => x.lang === "console")) {
    let cur: Example | null = null;
    f.body.forEach((l, i) => {
      if (l.startsWith("$ ")) {
        const words = shellWords(l.slice(2));
        if (words[0] !== "npx" || words[1] !== "s2pt") throw new Error(`guide.md:${f.line + i + 1}: console examples run 'npx s2pt ...', not '${l}'`);
        cur = { command: l.slice(2), args: words.slice(2), expected: [], line: f.line + i + 1 };
        out.push(cur);
      } else if (cur) cur.expected.push(l);
      else throw new Error(`guide.md:${f.line + i + 1}: output before any command`);
    });
  }
  return out;
}

/** The expected lines, in groups separated by "...", each group a contiguous run of the actual output, in order. */
function excerptMismatch(actual: string[], expected: string[]): string | null {
  const groups: string[][] = [[]];
  for (const l of expected) {
    if (l.trim() === "...") groups.push([]);
    else groups[groups.length - 1].push(l.trimEnd());
  }
  let at = 0;
  for (const g of groups.filter((x) => x.length > 0)) {
    let found = -1;
    for (let i = at; i + g.length <= actual.length && found < 0; i++) {
      if (g.every((l, k) => actual[i + k].trimEnd() === l)) found = i;
    }
    if (found < 0) return `not found in order:\n${g.join("\n")}`;
    at = found + g.length;
  }
  return null;
}

describe("docs/guide.md: every command shown works and prints what is shown", () => {
  const examples = consoleExamples();
  it("has examples", () => expect(examples.length).toBeGreaterThanOrEqual(6));
  it.each(examples.map((e) => [`guide.md:${e.line} ${e.command}`, e] as const))("%s", (_n, e) => {
    // The in-process CLI is the same code as the binary; paths are relative to the repository root, like the reader's.
    expect(resolve(process.cwd())).toBe(resolve(repoRoot));
    const r = runCli(e.args);
    expect(r.stderr, e.command).toBe("");
    expect(r.code, e.command).toBe(0);
    const problem = excerptMismatch(r.stdout.split("\n"), e.expected);
    expect(problem, `${e.command}\n--- actual ---\n${r.stdout}`).toBeNull();
  });
});

describe("docs/guide.md: the library snippet", () => {
  const blocks = fences(guide);
  const tsIndex = blocks.findIndex((b) => b.lang === "ts");
  const ts = blocks[tsIndex];
  const shown = blocks[tsIndex + 1];

  it("is followed by its output", () => {
    expect(ts, "a ```ts block").toBeDefined();
    expect(shown?.lang).toBe("text");
  });

  it("type-checks against the built package and prints exactly the output shown", () => {
    // Inside the package (dist/ is git-ignored), so `import ... from "s2pt"` is the package's self-reference:
    // its "exports" (dist/src/index.js and .d.ts), exactly what a user of the published package gets.
    const dir = join(repoRoot, "dist", "guide-snippet");
    mkdirSync(dir, { recursive: true });
    const tsFile = join(dir, "snippet.ts");
    writeFileSync(tsFile, ts.body.join("\n") + "\n");
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    execFileSync(
      process.execPath,
      [
        tsc,
        "--noEmit",
        "--strict",
        "--target",
        "es2022",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--types",
        "node",
        "--skipLibCheck",
        tsFile,
      ],
      { cwd: repoRoot, stdio: "pipe" },
    );
    const js = join(dir, "snippet.mjs");
    writeFileSync(js, transformSync(ts.body.join("\n"), { loader: "ts", format: "esm" }).code);
    const r = spawnSync(process.execPath, [js], { cwd: repoRoot, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(shown.body.join("\n") + "\n");
  });
});

describe("hand-written docs link only to files that exist", () => {
  const pages = ["docs/README.md", "docs/guide.md"];
  it.each(pages)("%s", (page) => {
    const text = readFileSync(join(repoRoot, page), "utf8");
    const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(existsSync(resolve(dirname(join(repoRoot, page)), l)), `${page} links ${l}`).toBe(true);
  });

  it("docs/README.md links every generated reference page", () => {
    const text = readFileSync(join(repoRoot, "docs", "README.md"), "utf8");
    for (const p of GENERATED_PAGES) {
      const rel = p.path.replace(/^docs\//, "");
      expect(text, `docs/README.md does not link ${rel}`).toContain(`](${rel})`);
    }
  });
});
