// The package as an npm user gets it: `npm pack` in the checkout, the tarball
// installed into a scratch project, then the `s2pt` bin and one library call
// from there. Source of truth: what package.json promises (bin, exports,
// files, license) and the 4K R|W descriptor of ../shared/bench/README.md
// ("A 4K R|W mapping of PA 0x80000000 is 0x00400000800007ff").
//
// Offline: the scratch project is installed with `npm ci --offline` from a
// lockfile made of the tarball and the runtime entries of this repository's
// package-lock.json (yargs and what it needs), whose tarballs the checkout's
// own `npm ci` left in npm's cache. Nothing is fetched.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJson, repoRoot } from "../helpers.js";

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}
interface LockEntry {
  dev?: boolean;
  [k: string]: unknown;
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const quiet = ["--no-audit", "--no-fund", "--loglevel=error"];

let work = "";
let project = "";
let packed: PackResult;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "s2pt-pack-"));
  packed = (JSON.parse(run(npm, ["pack", "--pack-destination", work, "--json", ...quiet], repoRoot)) as PackResult[])[0];
  const tarball = join(work, packed.filename);

  // The scratch project: the tarball as its one dependency, and a lockfile
  // that pins it and yargs' tree exactly as this repository's lockfile does.
  project = join(work, "project");
  mkdirSync(project);
  const manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as Record<string, unknown>;
  const spec = `file:../${packed.filename}`;
  const pkg = { name: "s2pt-pack-test", version: "0.0.0", private: true, type: "module", dependencies: { s2pt: spec } };
  const repoLock = readJson<{ packages: Record<string, LockEntry> }>(repoRoot, "package-lock.json");
  const packages: Record<string, unknown> = {
    "": { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies },
    "node_modules/s2pt": {
      version: manifest.version,
      resolved: spec,
      integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path !== "" && !entry.dev) packages[path] = entry;
  }
  writeFileSync(join(project, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(
    join(project, "package-lock.json"),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
  );
  run(npm, ["ci", "--offline", ...quiet], project);
}, 120_000);

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships the library, the CLI, LICENSE and README; not the site, source maps or build-only files", () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ["LICENSE", "README.md", "package.json", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js"]) expect(paths).toContain(p);
    expect(paths.filter((p) => p.startsWith("dist/src/site/"))).toEqual([]);
    expect(paths.filter((p) => p.endsWith(".map"))).toEqual([]);
    expect(paths.filter((p) => !p.startsWith("dist/src/") && !["LICENSE", "README.md", "package.json"].includes(p))).toEqual([]);
  });

  it("leaves the checkout's package.json as it was", () => {
    expect(existsSync(join(repoRoot, "package.json.prepack"))).toBe(false);
    expect(readJson<{ scripts?: Record<string, string> }>(repoRoot, "package.json").scripts?.prepare).toBeDefined();
  });
});

describe("installed from the tarball", () => {
  it("its package.json has no scripts (no install-time build for consumers) and says where it comes from", () => {
    const installed = readJson<Record<string, unknown>>(project, "node_modules", "s2pt", "package.json");
    expect(installed.scripts).toBeUndefined();
    expect(installed.license).toBe("MIT");
    expect(installed).toHaveProperty("repository.url");
    expect(installed).toHaveProperty("bugs.url");
    expect(installed).toHaveProperty("homepage");
    expect(readFileSync(join(project, "node_modules", "s2pt", "LICENSE"), "utf8")).toMatch(/^MIT License/);
  });

  it("the s2pt bin runs: encode a 4K R|W page, FWB off", () => {
    const out = run(
      join(project, "node_modules", ".bin", "s2pt"),
      ["encode", "--pa", "0x80000000", "--level", "3", "--prot", "R|W", "--no-fwb", "--json"],
      project,
    );
    expect(BigInt((JSON.parse(out) as { descriptor: string }).descriptor)).toBe(0x00400000800007ffn);
  });

  it("the library: import s2pt, map that page with KvmPgtable, read it back with getLeaf", () => {
    const script = [
      'import { KvmPgtable, PROT_R, PROT_W } from "s2pt";',
      "const p = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false });",
      "const rc = [p.map(0x80000000, 4096, 0x80000000, PROT_R | PROT_W, 0), p.getLeaf(0x80000000)];",
      "console.log(JSON.stringify({ rc, level: p.leafLevel, desc: ((BigInt(p.leafHi) << 32n) | BigInt(p.leafLo)).toString(16) }));",
    ].join("\n");
    const out = JSON.parse(run(process.execPath, ["--input-type=module", "-e", script], project)) as { rc: number[]; level: number; desc: string };
    expect(out).toEqual({ rc: [0, 0], level: 3, desc: "400000800007ff" });
  });

  it("exports only the library: the CLI and site modules are not importable by path", () => {
    const script = 'import("s2pt/dist/src/cli/main.js").then(() => console.log("imported"), (e) => console.log(e.code));';
    expect(run(process.execPath, ["--input-type=module", "-e", script], project).trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
