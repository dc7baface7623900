// The package as an npm user gets it: `npm pack` in the checkout, the tarball
// installed into a scratch project, then the `s2pt` bin and, from a strict
// TypeScript ESM consumer, one real call through every subpath export. Source of truth: what package.json promises (bin, exports,
// files, license) and the 4K R|W descriptor of ../shared/bench/README.md
// ("A 4K R|W mapping of PA 0x80000000 is 0x00400000800007ff").
//
// Offline: the scratch project is installed with `npm ci --offline` from a
// lockfile made of the tarball and the runtime entries of this repository's
// package-lock.json (yargs and what it needs), whose tarballs the checkout's
// own `npm ci` left in npm's cache. Nothing is fetched.
import { execFileSync, spawnSync } from "node:child_process";
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

/** The consumer: one real call through each export of package.json. */
const CONSUMER = `import { KvmPgtable, PROT_R, PROT_W, decodeS2Descriptor } from "s2pt";
import { stage2Geometry, encodeLeaf, ENOMEM } from "s2pt/pgtable";
import { decodeEsr } from "s2pt/regs";
import { combineS1S2 } from "s2pt/mair";
import { S2Walker, walkIpa, ACCESS_WRITE } from "s2pt/walker";
import { decodeS1Descriptor } from "s2pt/stage1";
import { decodeRegister, explainEra } from "s2pt/kvm";
import { parseScenarioText, replay } from "s2pt/scenario";
import { checkScenario } from "s2pt/reliability";

const cfg = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false } as const;
const pgt = new KvmPgtable(cfg);
const out: Record<string, unknown> = {};
out.map = pgt.map(0x80000000, 4096, 0x80000000, PROT_R | PROT_W, 0);
const leaf = pgt.getLeaf(0x80000000);
out.leaf = leaf;
out.decode = leaf.pte === null ? null : decodeS2Descriptor(BigInt(leaf.pte), { granule: 4096, level: 3, lpa2: false, fwb: false }).summary;
out.geometry = stage2Geometry(cfg).vtcr.value;
out.encode = encodeLeaf({ granule: 4096, lpa2: false, fwb: false }, 0x80000000, 3, PROT_R | PROT_W);
out.enomem = ENOMEM;
out.esr = decodeEsr(0x92000047n).summary;
const c = combineS1S2(0x44, 3, 0x5, 3, { fwb: false });
out.combine = [c.attr, c.sh, c.memtype];
out.walk = JSON.parse(JSON.stringify(walkIpa(new S2Walker(pgt), 0x80000010, ACCESS_WRITE, 1).result?.pa));
out.s1 = decodeS1Descriptor(0x0040000080000f43n, { granule: 4096, level: 3 }).summary;
out.reg = decodeRegister("esr", 0x92000047n, {}).decoded.register;
out.explain = explainEra("mainline", { vma: "anon", pgprot: "cacheable", allowAnyUncached: false, pfnRam: true, fwb: true, dic: false, access: "read" }, { granule: 4096, lpa2: false, pa: 0x80000000, level: 3, guest: null }).leaf?.pte;
const scn = parseScenarioText(JSON.stringify({ name: "one page", config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: false, tlb_range: false }, ops: [{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R|W", flags: "" }] }));
out.replay = replay(scn).result.ops[0];
out.check = checkScenario(scn).ops;
console.log(JSON.stringify(out));
`;
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
    for (const part of ["pgtable", "regs", "mair", "walker", "stage1", "kvm", "scenario", "reliability"]) {
      expect(paths).toContain(`dist/src/${part}/index.js`);
      expect(paths).toContain(`dist/src/${part}/index.d.ts`);
    }
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

  it("the library: every subpath export, from an ESM consumer in strict TypeScript (moduleResolution nodenext), type-checked by this repository's tsc, one real call through each", () => {
    // The consumer's own tsconfig: strict, NodeNext, no skipLibCheck (the
    // package's .d.ts files are checked too), no @types/node (the library's
    // types must not need Node's).
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022", "DOM"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        types: [],
        outDir: "out",
      },
      files: ["consumer.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
    writeFileSync(join(project, "consumer.ts"), CONSUMER);
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", join(project, "tsconfig.json")], { cwd: project, encoding: "utf8" });
    expect(r.stdout + r.stderr, "tsc on the consumer").toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(run(process.execPath, [join(project, "out", "consumer.js")], project)) as Record<string, unknown>;
    expect(out).toEqual({
      // s2pt: the 4K R|W page of ../shared/bench/README.md, read back and decoded
      map: 0,
      leaf: { ret: 0, pte: "0x400000800007ff", level: 3 },
      decode: "page -> 0x80000000, Normal-WB, RW-, AF",
      // s2pt/pgtable: kvm_get_vtcr() for 4K, 40-bit IPA, 48-bit PA: RES1 bit 31 | HA | VS | PS 0b101 | TG0 4K |
      // SH0 ISH | ORGN0/IRGN0 WBWA | SL0 1 | T0SZ 24 (test/architecture/geometry.test.ts works it out)
      geometry: "0x802d3558",
      encode: { ret: 0, pte: "0x400000800007ff", refusal: null },
      enomem: 12,
      // s2pt/regs: EC 0x24, DFSC 0x07, WnR 1
      esr: "Data Abort from a lower EL: Translation fault, level 3, write",
      // s2pt/mair: guest Normal-NC over stage-2 Normal-NC, FWB off: 0x44 Outer Shareable
      combine: [0x44, 2, "Normal-NC"],
      // s2pt/walker: the page walked, JSON-safe (a string survives JSON.stringify)
      walk: "0x80000010",
      // s2pt/stage1: a stage-1 page descriptor, AttrIndx 0, AF, UXN
      s1: expect.stringMatching(/^page -> 0x80000000, AttrIndx 0/),
      // s2pt/kvm: ESR_EL2 by name; the leaf mainline writes for anonymous RAM with FWB (MT_S2_FWB_NORMAL, R|W),
      // the descriptor of the README's first decode example
      reg: "ESR_EL2",
      explain: "0x400000800007db",
      // s2pt/scenario: the map replayed, as FORMAT.md writes the result (FWB off: the new cacheable leaf is cleaned to PoC)
      replay: { ret: 0, events: [["dcache", "0x80000000", "0x1000"]] },
      // s2pt/reliability: the same scenario with every invariant checked
      check: 1,
    });
  });

  it("exports only the library: the CLI and site modules are not importable by path", () => {
    const script = 'import("s2pt/dist/src/cli/main.js").then(() => console.log("imported"), (e) => console.log(e.code));';
    expect(run(process.execPath, ["--input-type=module", "-e", script], project).trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });
});
