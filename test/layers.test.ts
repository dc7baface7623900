// The layers of src/ (README.md, "How the parts fit"), checked on the code:
// every import of every module of src/ (import, import type, export ... from,
// a side-effect import, a dynamic import()) is parsed with the TypeScript
// parser, each module is placed in its layer, and an arrow from a layer to
// one it may not import, or a cycle between modules, fails with the
// offending import named. The layers and the arrows they may have are data,
// here; the docs generators (tools/docs) are checked never to import the CLI.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers.js";

/** The layers, lowest first: the modules of each (a directory, or named files, matched first). */
const LAYERS: ReadonlyArray<{ name: string; files?: readonly string[]; dir?: string }> = [
  // 64-bit values and InputError; the argument checks every public entry shares.
  { name: "base", files: ["src/pgtable/u64.ts", "src/pgtable/args.ts"] },
  { name: "regs", dir: "src/regs" },
  { name: "pgtable", dir: "src/pgtable" },
  { name: "mair", dir: "src/mair" },
  { name: "walker", dir: "src/walker" },
  { name: "stage1", dir: "src/stage1" },
  { name: "kvm", dir: "src/kvm" },
  { name: "scenario", dir: "src/scenario" },
  { name: "reliability", dir: "src/reliability" },
  { name: "cli", dir: "src/cli" },
  { name: "site", dir: "src/site" },
  { name: "root", files: ["src/index.ts"] },
];

const MODEL = ["base", "regs", "pgtable", "mair", "walker", "stage1"];

/** Which layers each layer may import (its own always). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  base: [],
  regs: ["base"],
  pgtable: ["base", "regs"],
  mair: ["base", "regs", "pgtable"],
  walker: ["base", "regs", "pgtable", "mair"],
  stage1: ["base", "regs", "pgtable", "mair", "walker"],
  // Side by side above stage1: neither imports the other.
  kvm: [...MODEL],
  scenario: [...MODEL],
  // Beside scenario: checked replay is replay with checks, so it may import scenario (never the reverse).
  reliability: [...MODEL, "scenario"],
  cli: [...MODEL, "kvm", "scenario", "reliability"],
  site: [...MODEL, "kvm", "scenario"],
  root: [...MODEL, "kvm", "scenario", "reliability"],
};

function layerOf(file: string): string {
  for (const l of LAYERS) if (l.files?.includes(file)) return l.name;
  for (const l of LAYERS) if (l.dir !== undefined && file.startsWith(`${l.dir}/`)) return l.name;
  throw new Error(`${file}: in no layer of test/layers.test.ts (add its directory to LAYERS)`);
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(join(repoRoot, dir))) {
    const p = `${dir}/${n}`;
    if (statSync(join(repoRoot, p)).isDirectory()) out.push(...tsFiles(p));
    else if (n.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

/** Every module specifier a file imports, with its line, read by the TypeScript parser (comments and strings do not count). */
function importsOf(file: string): Array<{ spec: string; line: number }> {
  const text = readFileSync(join(repoRoot, file), "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: Array<{ spec: string; line: number }> = [];
  const add = (node: ts.Node, lit: ts.Expression | undefined): void => {
    if (lit !== undefined && ts.isStringLiteral(lit)) out.push({ spec: lit.text, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The repository path a relative specifier names (".js" read as the ".ts" it is compiled from); null for a package. */
function target(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  return relative(repoRoot, resolve(repoRoot, dirname(from), spec)).replace(/\.js$/, ".ts");
}

const files = tsFiles("src");
const edges = new Map<string, Array<{ to: string; line: number }>>();
for (const f of files) {
  edges.set(
    f,
    importsOf(f).flatMap(({ spec, line }) => {
      const to = target(f, spec);
      return to === null ? [] : [{ to, line }];
    }),
  );
}

describe("the layers of src/ (README.md, How the parts fit)", () => {
  it("places every module of src/ in a layer, and finds the imports (a sanity check of the parser)", () => {
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) layerOf(f);
    const n = [...edges.values()].reduce((a, e) => a + e.length, 0);
    expect(n).toBeGreaterThan(400);
  });

  it("every import resolves to a module of src/ (no import of a file outside it)", () => {
    for (const [f, es] of edges) for (const e of es) expect(files, `${f}:${e.line} imports ${e.to}`).toContain(e.to);
  });

  it("no arrow from a lower layer to a higher one: each layer imports only the layers below it that ALLOWED lists", () => {
    const bad: string[] = [];
    for (const [f, es] of edges) {
      const from = layerOf(f);
      for (const e of es) {
        const to = layerOf(e.to);
        if (to !== from && !ALLOWED[from].includes(to)) bad.push(`${f}:${e.line} (${from}) imports ${e.to} (${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("no cycle between modules (type-only imports count too)", () => {
    // Tarjan's strongly connected components over the module graph.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const strong = (v: string): void => {
      idx.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      on.add(v);
      for (const { to } of edges.get(v) ?? []) {
        if (!idx.has(to)) {
          strong(to);
          low.set(v, Math.min(low.get(v) ?? 0, low.get(to) ?? 0));
        } else if (on.has(to)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(to) ?? 0));
      }
      if (low.get(v) === idx.get(v)) {
        const c: string[] = [];
        let w: string | undefined;
        do {
          w = stack.pop();
          if (w !== undefined) {
            on.delete(w);
            c.push(w);
          }
        } while (w !== undefined && w !== v);
        if (c.length > 1) cycles.push(c.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) strong(f);
    expect(cycles).toEqual([]);
  });

  it("the layers as data agree: an allowed arrow points down, and no two layers may import each other", () => {
    const rank = new Map(LAYERS.map((l, i) => [l.name, i]));
    for (const [from, tos] of Object.entries(ALLOWED)) {
      for (const to of tos) {
        expect((rank.get(to) ?? 99) < (rank.get(from) ?? -1), `${from} -> ${to}`).toBe(true);
        expect(ALLOWED[to].includes(from), `${from} <-> ${to}`).toBe(false);
      }
    }
  });

  it("the model never imports the CLI, the site or the docs generators; the docs generators never import the CLI (they run it as a process)", () => {
    for (const [f, es] of edges) {
      if (layerOf(f) === "cli" || layerOf(f) === "site") continue;
      for (const e of es) expect(e.to.startsWith("src/cli/") || e.to.startsWith("src/site/"), `${f}:${e.line} imports ${e.to}`).toBe(false);
    }
    for (const f of tsFiles("tools/docs")) {
      for (const { spec, line } of importsOf(f)) expect(target(f, spec)?.startsWith("src/cli/") ?? false, `${f}:${line} imports ${spec}`).toBe(false);
    }
  });

  it("each subpath export of package.json is the index of one layer's directory", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { exports: Record<string, string | { default: string }> };
    for (const [k, v] of Object.entries(pkg.exports)) {
      if (k === "./package.json" || k === ".") continue;
      const js = typeof v === "string" ? v : v.default;
      const src = js.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts");
      expect(src, k).toBe(`src/${k.slice(2)}/index.ts`);
      expect(files).toContain(src);
    }
  });
});
