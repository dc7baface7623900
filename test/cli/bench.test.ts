// s2pt bench as a user runs it: the text table, the JSON and CSV shapes, --compare against separate
// runs, --plot (an SVG written whole, with its title and description), progress only on a terminal,
// and the kernel's refusals and -ENOMEM as answers (exit 1), not crashes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { conformanceDir, repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "s2pt-bench-"));

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, "bench", ...args], { encoding: "utf8", input, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What JSON.parse gives: the CLI's printed JSON, poked at field by field under expect(). */
type Json = ReturnType<typeof JSON.parse>;

function json(args: string[]): { status: number | null; doc: Record<string, unknown> & { configs: Array<Record<string, unknown>> } } {
  const r = run([...args, "--json"]);
  expect(r.stderr).toBe("");
  return { status: r.status, doc: JSON.parse(r.stdout) };
}

/** A CSV line split into cells (quoted cells may hold commas and doubled quotes). */
function csvCells(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

describe("s2pt bench: output", () => {
  it("the text table: the workload, the geometry, the phases, one column per configuration, the model's time and the kernel's counts", () => {
    const r = run(["teardown", "--size", "2m", "--compare", "fwb,tlb-range", "--reps", "2"]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    const t = r.stdout;
    expect(t).toMatch(/^s2pt bench teardown: 2 MiB of guest RAM faulted in by 4K pages \(set-up\), then its memslot unmapped/);
    expect(t).toMatch(/^4K granule, 40-bit IPA \(start level 1, 2 root pages\), 48-bit PA; at most 65,536 table pages \(256 MiB\)$/m);
    expect(t).toMatch(/^set-up: user_mem_abort\(\) -> kvm_pgtable_stage2_map\(\)/m);
    expect(t).toMatch(/^timed: kvm_arch_flush_shadow_memslot\(\) -> kvm_stage2_unmap_range\(\)/m);
    expect(t).toMatch(/^ +FWB off, TLBIRANGE off +FWB off, TLBIRANGE on +FWB on, TLBIRANGE off +FWB on, TLBIRANGE on$/m);
    expect(t).toMatch(/^model: CPU ns per 4K page \(median\) +[\d.,]+ +[\d.,]+ +[\d.,]+ +[\d.,]+$/m);
    // The NOTES.md example: 512 TLBIs at level 3 and one per table page freed, deferred only with FWB and TLBIRANGE.
    expect(t).toMatch(/^ {2}TTL level 3 +512 +512 +512 +0$/m);
    expect(t).toMatch(/^ {2}table entries \(TTL unknown\) +2 +2 +2 +2$/m);
    expect(t).toMatch(/^TLBI range \(__kvm_tlb_flush_vmid_range\) +0 +0 +0 +1$/m);
    expect(t).toMatch(/^ {2}bytes +2,097,152 \(2 MiB\) +2,097,152 \(2 MiB\) +0 +0$/m);
    expect(t).toMatch(/^time: 2 timed runs after 1 warm-up, each on a fresh table, CPU time of the process/m);
  });
  it("--json: the workload, the geometry, the timing, and per configuration its switches, timing and counts (per phase too)", () => {
    const { status, doc } = json(["dirty-log", "--size", "4m", "--eager-split", "2m", "--reps", "2", "--warmup", "0"]);
    expect(status).toBe(0);
    expect(Object.keys(doc)).toEqual(["workload", "geometry", "timing", "compare", "configs"]);
    expect(doc.workload).toMatchObject({
      pattern: "dirty-log",
      unit: "dirtied page",
      units: 1024,
      size: "0x400000",
      page_size: "0x200000",
      ipa: "0x40000000",
      pa: "0x80000000",
      order: "seq",
      seed: 1,
    });
    expect((doc.workload as { phases: unknown[] }).phases).toEqual([
      { title: expect.stringMatching(/^user_mem_abort\(\) -> kvm_pgtable_stage2_map\(\)/), timed: false, calls: 2 },
      { title: expect.stringMatching(/^kvm_mmu_wp_memory_region\(\)/), timed: true, calls: 1 },
      { title: expect.stringMatching(/^kvm_mmu_split_memory_region\(\)/), timed: true, calls: 1 },
      { title: expect.stringMatching(/kvm_pgtable_stage2_relax_perms\(\)/), timed: true, calls: 1024 },
    ]);
    expect(doc.geometry).toEqual({ granule: 4096, ia_bits: 40, pa_bits: 48, start_level: 1, pgd_pages: 2, max_table_pages: 65536 });
    expect(doc.timing).toMatchObject({ reps: 2, warmup: 0 });
    expect(doc.configs).toHaveLength(1);
    const c = doc.configs[0] as Record<string, Json>;
    expect(Object.keys(c)).toEqual(["label", "config", "prot", "refusal", "error", "timing", "counts", "phases", "rets"]);
    expect(c.config).toEqual({ granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false, dic: false, eager_split: "0x200000" });
    expect(c.prot).toBe("R|W");
    expect(c.timing.cpu_ns).toHaveLength(2);
    expect(c.timing.ns_per_unit.min).toBeLessThanOrEqual(Number(c.timing.ns_per_unit.median));
    expect(c.counts).toEqual({
      calls: { kvm_pgtable_stage2_wrprotect: 1, kvm_pgtable_stage2_split: 2, kvm_pgtable_stage2_relax_perms: 1024 },
      tlbi: {
        ipa: { "level_-1": 0, level_0: 0, level_1: 0, level_2: 2, level_3: 0, ttl_unknown: 0, total: 2 },
        ipa_nsh: { "level_-1": 0, level_0: 0, level_1: 0, level_2: 0, level_3: 1024, ttl_unknown: 0, total: 1024 },
        range: { ops: 0, pages: 0 },
        vmid: 1,
        total: 1027,
        from_mmu: { vmid: 1, range_ops: 0, range_pages: 0 },
      },
      dcache: { ops: 0, bytes: 0, host_bytes: 0 },
      icache: { ops: 0, bytes: 0, host_bytes: 0 },
      table_pages: { start: 3, allocated: 2, freed: 0, peak: 5, end: 5 },
      descriptor_stores: 3078,
      break_before_make: 2,
      memcache: { pages: 2, max_per_call: 1 },
    });
    expect(c.phases.map((p: { calls: number }) => p.calls)).toEqual([1, 1, 1024]);
    expect(c.rets).toBeNull();
  });
  it("--csv: a header and one row per configuration, the same figures as --json", () => {
    const r = run(["thp", "--size", "64m", "--compare", "fwb", "--reps", "0", "--csv"]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    const head = csvCells(lines[0]);
    expect(head.slice(0, 9)).toEqual(["config", "fwb", "tlb_range", "lpa2", "dic", "eager_split", "status", "unit", "units"]);
    expect(head).toContain("dcache_bytes");
    expect(head).not.toContain("ns_per_unit_median");
    const rows = lines.slice(1).map(csvCells);
    for (const row of rows) expect(row).toHaveLength(head.length);
    const col = (row: string[], k: string): string => row[head.indexOf(k)];
    expect(
      rows.map((x) => [col(x, "config"), col(x, "fwb"), col(x, "status"), col(x, "calls_map"), col(x, "dcache_bytes"), col(x, "dcache_host_bytes")]),
    ).toEqual([
      ["FWB off", "false", "ok", "32", String(64 << 20), String(64 << 20)],
      ["FWB on", "true", "ok", "32", String(64 << 20), "0"],
    ]);
  });
  it("--compare rows are the separate runs with those switches", () => {
    const both = json(["mmu-notifier", "--size", "64m", "--ranges", "16", "--compare", "fwb,tlb-range", "--reps", "0"]).doc;
    expect(both.configs.map((c) => c.label)).toEqual(["FWB off, TLBIRANGE off", "FWB off, TLBIRANGE on", "FWB on, TLBIRANGE off", "FWB on, TLBIRANGE on"]);
    let i = 0;
    for (const fwb of ["--no-fwb", "--fwb"]) {
      for (const range of ["--no-tlb-range", "--tlb-range"]) {
        const one = json(["mmu-notifier", "--size", "64m", "--ranges", "16", fwb, range, "--reps", "0"]).doc.configs[0];
        expect(one.config).toEqual(both.configs[i].config);
        expect(one.counts).toEqual(both.configs[i].counts);
        expect(one.phases).toEqual(both.configs[i].phases);
        i++;
      }
    }
  });
  it("a scenario file (or standard input), repeated on a fresh table; its switches changed with --compare", () => {
    const f = join(conformanceDir, "scenarios", "unmap-tlbrange-deferred.json");
    const { status, doc } = json([f, "--compare", "tlb-range", "--reps", "2"]);
    expect(status).toBe(0);
    expect(doc.workload).toMatchObject({ pattern: "scenario", unit: "op", size: null });
    const c = doc.configs as Array<Record<string, Json>>;
    expect(c.map((x): unknown => x.config.tlb_range)).toEqual([false, true]);
    // With FWB (the scenario's) and TLBIRANGE the leaf TLBIs of the unmap are deferred to range TLBIs.
    expect(c[1].counts.tlbi.range.ops).toBeGreaterThan(0);
    expect(c[0].counts.tlbi.range.ops).toBe(0);
    const stdin = run(["-", "--reps", "0", "--json"], readFileSync(f, "utf8"));
    expect(stdin.status).toBe(0);
    expect(JSON.parse(stdin.stdout).configs[0].counts).toEqual(c[1].counts);
  });
});

describe("s2pt bench: the kernel's no, and the page budget", () => {
  it("a cacheable BAR without FWB: refused as mainline KVM refuses the memslot, with the reason; exit 1", () => {
    const r = run(["vfio-bar", "--size", "64g", "--bar", "cacheable", "--dic", "--compare", "fwb", "--reps", "0"]);
    expect([r.status, r.stderr]).toEqual([1, ""]);
    expect(r.stdout).toMatch(/^calls: kvm_pgtable_stage2_map +refused \(-EINVAL\) +64$/m);
    expect(r.stdout).toMatch(
      /^FWB off: refused: kvm_arch_prepare_memory_region\(\) returns -EINVAL: a cacheable VM_PFNMAP VMA \(MT_NORMAL\) needs kvm_supports_cacheable_pfnmap\(\) \(FWB off, DIC 1\): a BAR's pfns have no kernel mapping/m,
    );
    expect(r.stdout).toMatch(/^ {2}bytes the host cleans \(none with FWB\) +- +0$/m);
  });
  it("more table memory than the budget: the fault that cannot allocate returns -ENOMEM; the run says where and stops; exit 1", () => {
    const r = run(["fault-in", "--size", "2g", "--max-table-pages", "500", "--reps", "0"]);
    expect([r.status, r.stderr]).toEqual([1, ""]);
    expect(r.stdout).toMatch(
      /^FWB on, TLBIRANGE off: stopped: kvm_pgtable_stage2_map\(0x[0-9a-f]+, 0x1000, 0x[0-9a-f]+, \.\.\.\) returned -ENOMEM at call [\d,]+ of 524,288 of the timed phase: the stage-2 tables reached the page budget, 500 table pages \(2000 KiB; --max-table-pages\): zalloc_page\(\) returned NULL/m,
    );
    const j = json(["fault-in", "--size", "2g", "--max-table-pages", "500", "--reps", "3"]);
    expect(j.status).toBe(1);
    const c = j.doc.configs[0] as Record<string, Json>;
    expect(c.error).toMatchObject({ ret: -12, errno: "-ENOMEM", timed: true, calls: 524288 });
    expect(c.counts.table_pages.end).toBe(500);
    expect(c.timing).toBeNull();
  });
  it("the same runs with the default budget are answers (exit 0)", () => {
    expect(run(["fault-in", "--size", "2g", "--reps", "0"]).status).toBe(0);
  });
});

describe("s2pt bench --plot", () => {
  /** Well-formed XML, checked by hand: every tag closed in order. */
  function wellFormed(svg: string): boolean {
    const stack: string[] = [];
    for (const m of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
      if (m[1]) {
        if (stack.pop() !== m[2]) return false;
      } else if (!m[3]) stack.push(m[2]);
    }
    return stack.length === 0;
  }
  it("writes an accessible bar chart of the configurations (title, description with every value, labelled axes), whole", () => {
    const out = join(dir, "teardown.svg");
    writeFileSync(out, "an old file");
    const r = run(["teardown", "--size", "2m", "--fwb", "--compare", "tlb-range", "--reps", "1", "--plot", out]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    const svg = readFileSync(out, "utf8");
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(wellFormed(svg)).toBe(true);
    expect(svg).toMatch(/role="img" aria-labelledby="chart-title chart-desc"/);
    expect(svg).toContain('<title id="chart-title">s2pt bench teardown: tlb-range compared</title>');
    const desc = /<desc id="chart-desc">([^<]*)<\/desc>/.exec(svg)?.[1] ?? "";
    expect(desc).toMatch(
      /TLB invalidations \(TLBI operations\): TLBIRANGE off: by IPA 514, by IPA, local 0, range 0, whole VMID 0; TLBIRANGE on: by IPA 2, by IPA, local 0, range 1, whole VMID 0\./,
    );
    expect(desc).toMatch(/Model time per 4K page \(CPU ns per 4K page\): TLBIRANGE off: [\d.,]+ \([\d.,]+ to [\d.,]+\)/);
    for (const t of [
      "Model time per 4K page",
      "TLB invalidations",
      "Cache maintenance pgtable.c asks for",
      "Stage-2 table pages",
      "Descriptor stores",
      "Break-before-make of a valid entry",
    ])
      expect(svg).toContain(`>${t}</text>`);
    expect(svg).toContain(">CPU ns per 4K page</text>");
    // Every bar says what it is.
    expect(svg).toMatch(/<rect [^>]*><title>TLBIRANGE on: range 1<\/title><\/rect>/);
    // Written through a temporary file renamed over the old one: nothing else left behind.
    expect(readdirSync(dir).filter((f) => f.includes("teardown"))).toEqual(["teardown.svg"]);
  });
  it("a refused configuration has no bars, and says so under its axis", () => {
    const out = join(dir, "bar.svg");
    const r = run(["vfio-bar", "--size", "4g", "--bar", "cacheable", "--dic", "--compare", "fwb", "--reps", "0", "--plot", out]);
    expect(r.status).toBe(1);
    const svg = readFileSync(out, "utf8");
    // The category label in two lines under each axis.
    expect(svg).toMatch(/>FWB off<\/text>\n<text [^>]*>refused<\/text>/);
    expect(svg).not.toMatch(/<title>FWB off, refused: /);
  });
  it("a path that is a directory or a device is refused before anything runs (exit 2)", () => {
    for (const p of [dir, "/dev/null"]) {
      const r = run(["thp", "--plot", p]);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^s2pt: --plot: [^\n]*\n$/);
    }
  });
});

describe("s2pt bench: progress", () => {
  it("none when stderr is not a terminal (a pipe), nor in-process", () => {
    const r = run(["fault-in", "--size", "256m", "--reps", "1"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(runCli(["bench", "fault-in", "--size", "64m", "--reps", "1"]).stderr).toBe("");
  });
  const script = spawnSync("script", ["--version"], { encoding: "utf8" });
  it.skipIf(script.status !== 0)("a bar redrawn in place on a terminal (script(1) gives the process one), then erased; stdout unchanged", () => {
    const out = join(dir, "progress.txt");
    const cmd = `"${process.execPath}" "${bin}" bench fault-in --size 256m --reps 2 > "${out}"`;
    const r = spawnSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    // What script saw of the terminal: only stderr (stdout went to the file).
    const ESC = String.fromCharCode(0x1b);
    expect(r.stdout).toMatch(new RegExp(`\\r${ESC}\\[K|\\rs2pt bench \\[[#.]{24}\\] +\\d+% +(counting [\\d,]+/[\\d,]+ calls|timed runs \\d/\\d)${ESC}\\[K`));
    expect(r.stdout).toMatch(/\rs2pt bench \[/);
    expect(r.stdout.endsWith("\r\x1b[K")).toBe(true);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, "utf8")).toMatch(/^s2pt bench fault-in: 256 MiB/);
  });
});
