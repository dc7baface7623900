import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { scenarioMaxPages } from "../../scenario/limits.js";
import { parseGranule, type Granule } from "../../pgtable/geometry.js";
import { InputError, parseByteSize, showInput } from "../../pgtable/u64.js";
import { COMPARE_DIMS, expandConfigs, parseCompare, type BenchConfig, type CompareDim } from "../../workload/config.js";
import {
  BAR_TYPES,
  DEFAULT_PARAMS,
  MAX_BENCH_SIZE,
  MAX_RANGES,
  PATTERNS,
  planPattern,
  planScenario,
  type BarType,
  type Order,
  type PatternName,
  type PatternParams,
  type WorkloadSpec,
} from "../../workload/patterns.js";
import { MAX_REPS, runBench, type BenchResult, type Progress } from "../../workload/run.js";
import { benchCsv, benchJson, bytesText, figText, formatBench, intText, switchesText } from "../bench-report.js";
import { EXIT_MISMATCH, writeFileAtomic, type CliContext } from "../io.js";
import { addressOption, checkLpa2, checkPaBits, optionWords } from "../options.js";
import { inputLabel, loadScenario, naming } from "../scenarios.js";
import type { CommandSpec } from "../spec.js";
import type { CommandArgs } from "../spec.js";
import { chartSvg, shortNumber, type Chart, type Panel } from "../svg-chart.js";
import { configLabel } from "../../workload/config.js";

/** The operand: a pattern's name, or a scenario file. */
type WorkloadArg = { pattern: PatternName } | { file: string };

/** The operand's value: a pattern's name (lower case), or the scenario file's path as given. */
function parseWorkload(text: string, what: string): string {
  const p = PATTERNS.find((x) => x === text.trim().toLowerCase());
  if (p !== undefined) return p;
  if (text === "-" || text.includes("/") || /\.json$/i.test(text)) return text;
  throw new InputError(
    `${what}: '${showInput(text)}' is not a pattern (${PATTERNS.join(", ")}) nor a scenario file (a path ending in .json, or - for standard input)`,
  );
}

const sizeValue = (noun: string, max: number) => ({ kind: "word" as const, words: [], parse: (t: string, w: string) => parseByteSize(t, w, noun, max) });

/** Which patterns each workload option applies to (a scenario takes none of them). */
const APPLIES: Readonly<Record<string, readonly PatternName[]>> = {
  size: PATTERNS,
  "page-size": ["fault-in", "teardown", "dirty-log", "mmu-notifier", "vfio-bar"],
  order: ["fault-in", "thp", "hugetlb-1g", "dirty-log", "vfio-bar"],
  seed: ["fault-in", "thp", "hugetlb-1g", "dirty-log", "mmu-notifier", "vfio-bar"],
  ipa: PATTERNS,
  pa: PATTERNS,
  dirty: ["dirty-log"],
  "eager-split": ["dirty-log"],
  ranges: ["mmu-notifier"],
  "range-size": ["mmu-notifier"],
  bar: ["vfio-bar"],
  "max-table-pages": PATTERNS,
  granule: PATTERNS,
  "ia-bits": PATTERNS,
  "pa-bits": PATTERNS,
};

/** A full garbage collection for the runs' set-up (V8's gc(), exposed at run time), or none. */
function fullGc(): (() => void) | undefined {
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** A progress line: which configuration, what stage, a bar. */
function progressText(p: Progress, labels: readonly string[]): string {
  const frac = p.total > 0 ? p.done / p.total : 1;
  const width = 24;
  const fill = Math.round(frac * width);
  const bar = `[${"#".repeat(fill)}${".".repeat(width - fill)}]`;
  const what = p.stage === "count" ? `counting ${intText(p.done)}/${intText(p.total)} calls` : `timed runs ${p.done}/${p.total}`;
  return `s2pt bench ${bar} ${String(Math.round(frac * 100)).padStart(3)}%  ${p.configs > 1 ? `${p.config + 1}/${p.configs} ${labels[p.config]}: ` : ""}${what}`;
}

/** The configuration the switches give (before --compare). */
function baseConfig(a: CommandArgs, scn: { config: BenchConfig } | null, dims: readonly CompareDim[]): BenchConfig {
  for (const d of dims) {
    const flag = d === "eager-split" ? null : d;
    if (flag !== null && a.has(flag)) throw new InputError(`--${flag}: also named in --compare (--compare runs it both off and on)`);
  }
  if (scn !== null) {
    const c = { ...scn.config };
    if (a.has("fwb")) c.fwb = a.flag("fwb");
    if (a.has("tlb-range")) c.tlbRange = a.flag("tlb-range");
    if (a.has("lpa2")) c.lpa2 = a.flag("lpa2");
    c.dic = a.flag("dic");
    return c;
  }
  const granule = a.value<Granule>("granule") as Granule;
  const lpa2 = a.flag("lpa2") || dims.includes("lpa2");
  const iaBits = a.value<number>("ia-bits") as number;
  const paBits = a.value<number>("pa-bits") ?? (iaBits > 48 ? 52 : 48);
  checkLpa2(granule, lpa2);
  // The default PA size follows --ia-bits: a refusal of it names the option the user gave.
  checkPaBits(paBits, granule, lpa2, a.has("pa-bits") ? "--pa-bits" : `--ia-bits ${iaBits} (the PA size is then 52 bits)`);
  return {
    granule,
    iaBits,
    paBits,
    lpa2: a.flag("lpa2"),
    fwb: a.flag("fwb"),
    tlbRange: a.flag("tlb-range"),
    dic: a.flag("dic"),
    eagerSplit: dims.includes("eager-split") ? 0 : (a.value<number>("eager-split") ?? 0),
  };
}

/** The chart of a result: the model's time and the kernel's work, one bar per configuration. */
function benchChart(res: BenchResult, dims: readonly CompareDim[]): Chart {
  const rs = res.results;
  const cats = rs.map((r) => configLabel(r.config, dims) + (r.refusal !== null ? ", refused" : r.error !== null ? ", stopped" : ""));
  const c = <T>(f: (r: NonNullable<(typeof rs)[number]["counts"]>) => T) => rs.map((r) => (r.counts === null ? null : f(r.counts)));
  const bytes = (v: number): string => (v === 0 ? "0" : `${shortNumber(v, true)}B`);
  const panels: Panel[] = [];
  if (res.reps > 0) {
    panels.push({
      title: `Model time per ${res.spec.unit}`,
      yLabel: `CPU ns per ${res.spec.unit}`,
      series: [
        {
          name: "median",
          values: rs.map((r) => r.timing?.nsPerUnit.median ?? null),
          ranges: rs.map((r) => (r.timing ? ([r.timing.nsPerUnit.min, r.timing.nsPerUnit.max] as const) : null)),
        },
      ],
      format: figText,
    });
  }
  panels.push(
    {
      title: "TLB invalidations",
      yLabel: "TLBI operations",
      stacked: true,
      series: [
        { name: "by IPA", values: c((x) => x.tlbiIpa.total) },
        { name: "by IPA, local", values: c((x) => x.tlbiIpaNsh.total) },
        { name: "range", values: c((x) => x.tlbiRange.ops) },
        { name: "whole VMID", values: c((x) => x.tlbiVmid) },
      ],
      integer: true,
      format: (v) => shortNumber(v),
    },
    {
      title: "Cache maintenance pgtable.c asks for",
      yLabel: "bytes",
      series: [
        { name: "dcache clean+inval", values: c((x) => x.dcache.bytes) },
        { name: "icache inval", values: c((x) => x.icache.bytes) },
      ],
      binary: true,
      format: bytes,
    },
    {
      title: "Stage-2 table pages",
      yLabel: "table pages",
      series: [
        { name: "allocated", values: c((x) => x.tablePages.allocated) },
        { name: "freed", values: c((x) => x.tablePages.freed) },
        { name: "most in use", values: c((x) => x.tablePages.peak) },
      ],
      integer: true,
      format: (v) => shortNumber(v),
    },
    {
      title: "Descriptor stores",
      yLabel: "stores",
      series: [{ name: "stores", values: c((x) => x.descriptorStores) }],
      integer: true,
      format: (v) => shortNumber(v),
    },
    {
      title: "Break-before-make of a valid entry",
      yLabel: "sequences",
      series: [{ name: "break-before-make", values: c((x) => x.breakBeforeMake) }],
      integer: true,
      format: (v) => shortNumber(v),
    },
  );
  const g = res.spec.workloads[0].geometry;
  return {
    title: `s2pt bench ${res.spec.pattern}${dims.length ? `: ${dims.join(", ")} compared` : ""}`,
    subtitle:
      `${res.spec.summary}. ${g.granule / 1024}K granule, ${g.iaBits}-bit IPA; ${switchesText(res, dims)}. One bar (or group) per configuration. ` +
      `Counts are exact, from the model of Linux 6.18.25's pgtable.c driven as mmu.c drives it; ${res.reps > 0 ? `time is the model's CPU time per ${res.spec.unit}, median of ${res.reps} run${res.reps > 1 ? "s" : ""}, whiskers lowest to highest.` : "no timed run (--reps 0)."}`,
    categories: cats,
    panels,
  };
}

function summaryLine(res: BenchResult): string {
  const bad = res.results.filter((r) => r.refusal !== null || r.error !== null).length;
  return bad === 0 ? "" : `${bad} of ${res.results.length} configuration${res.results.length > 1 ? "s" : ""} refused or stopped`;
}

/** s2pt bench <pattern | scenario.json>. */
export const benchCommand: CommandSpec = {
  name: "bench",
  describe:
    "benchmark a workload (a pattern of guest memory activity, or a scenario's ops): the model's throughput, and the kernel's work for it counted exactly (TLBIs, cache maintenance, table pages, descriptor stores, break-before-make), per configuration side by side; exit 1 when the kernel refuses a configuration or a run stops (-ENOMEM)",
  operands: [
    {
      name: "workload",
      describe:
        "a pattern: fault-in, thp, hugetlb-1g, teardown, dirty-log, mmu-notifier, vfio-bar; or a scenario JSON file (FORMAT.md; - reads standard input)",
      value: { kind: "word", words: PATTERNS, parse: (t, w) => parseWorkload(t, w) },
    },
  ],
  options: {
    size: {
      type: "string",
      value: sizeValue("size", MAX_BENCH_SIZE),
      describe: "bytes of guest memory (or of the BAR): 4k, 2m, 64g, 1t, ... or a 0x-prefixed byte count",
      default: "1g",
    },
    "page-size": {
      type: "string",
      value: sizeValue("mapping size", 2 ** 42),
      describe:
        "the mapping each fault makes (fault-in, vfio-bar) or the memory is faulted in with (teardown, dirty-log, mmu-notifier): PAGE_SIZE, PMD_SIZE or PUD_SIZE, e.g. 4k, 2m, 1g; default the page (dirty-log: 2m, vfio-bar: the largest block)",
    },
    order: {
      type: "string",
      value: { kind: "word", words: ["seq", "random"] },
      describe: "the faults' (dirty-log: the writes') order: seq (ascending IPA) or random (--seed)",
      default: "seq",
    },
    seed: {
      type: "string",
      value: { kind: "int", min: 0, max: 0xffffffff },
      describe: "seed of the random orders, dirtied pages and ranges (xorshift32)",
      default: "1",
    },
    ipa: {
      type: "string",
      value: { kind: "u64" },
      describe: "the memory's first IPA, 0x-prefixed hex (default 0x40000000; vfio-bar: the middle of the IPA space)",
    },
    pa: {
      type: "string",
      value: { kind: "u64" },
      describe: "the host PA behind it, 0x-prefixed hex (default 0x80000000; vfio-bar: a quarter of the PA range)",
    },
    dirty: {
      type: "string",
      value: { kind: "int", min: 1, max: 100 },
      describe: "dirty-log: percent of the memory's pages written once each, chosen at random (--seed)",
      default: "100",
    },
    "eager-split": {
      type: "string",
      value: sizeValue("chunk size", 2 ** 42),
      describe: "dirty-log: KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE, a block size (4k, 2m, 1g with 4K pages); default off",
    },
    ranges: { type: "string", value: { kind: "int", min: 1, max: MAX_RANGES }, describe: "mmu-notifier: how many ranges are invalidated", default: "512" },
    "range-size": { type: "string", value: sizeValue("range size", MAX_BENCH_SIZE), describe: "mmu-notifier: the size of each range", default: "2m" },
    bar: {
      type: "string",
      value: { kind: "word", words: BAR_TYPES },
      describe:
        "vfio-bar: nc (vfio-pci: pgprot_noncached, VM_ALLOW_ANY_UNCACHED: Normal-NC), device (no VM_ALLOW_ANY_UNCACHED: Device), cacheable (a cacheable PFNMAP: needs FWB and DIC)",
      default: "nc",
    },
    granule: { type: "string", value: { kind: "granule" }, describe: "translation granule: 4k, 16k or 64k", default: "4k" },
    "ia-bits": { type: "string", value: { kind: "int", min: 32, max: 52 }, describe: "IPA size, 32..52 (KVM's default VM: 40)", default: "40" },
    "pa-bits": { type: "string", value: { kind: "parange" }, describe: "host PA size, a PARange size (default 48, or 52 above a 48-bit IPA)" },
    lpa2: { type: "boolean", describe: "FEAT_LPA2 descriptor format", default: false },
    fwb: { type: "boolean", describe: "FEAT_S2FWB (--no-fwb: KVM_PGTABLE_S2_NOFWB); a scenario: its config unless given", default: true },
    "tlb-range": { type: "boolean", describe: "FEAT_TLBIRANGE; a scenario: its config unless given", default: false },
    dic: { type: "boolean", describe: "CTR_EL0.DIC = 1: RAM faults get X up front (and icache invalidation by address is not needed)", default: false },
    compare: {
      type: "string",
      value: { kind: "word", words: COMPARE_DIMS, parse: (t, w) => parseCompare(t, w) },
      describe: "run every combination of these switches side by side, off then on: fwb, tlb-range, lpa2, dic, eager-split (joined by commas, at most 3)",
    },
    reps: { type: "string", value: { kind: "int", min: 0, max: MAX_REPS }, describe: "timed runs per configuration (0: the exact counts only)", default: "5" },
    warmup: { type: "string", value: { kind: "int", min: 0, max: MAX_REPS }, describe: "untimed runs before them", default: "1" },
    "max-table-pages": {
      type: "string",
      value: { kind: "int", min: 1, max: 65536 },
      describe: "the host memory for the VM's stage-2 tables, in table pages (default and most: 256 MiB of them); past it allocation fails with -ENOMEM",
    },
    json: { type: "boolean", describe: "the result as JSON", default: false },
    csv: { type: "boolean", describe: "the result as CSV: a header, one row per configuration", default: false },
    plot: {
      type: "string",
      value: { kind: "output" },
      describe: "also write a bar chart of the configurations to this SVG file (written whole, replacing a regular file)",
    },
  },
  examples: [
    ["bench fault-in --size 64m --page-size 4k --reps 3", "64 MiB faulted in by 4K pages: time and counts"],
    ["bench teardown --size 64m --fwb --compare tlb-range --reps 0", "the TLBIs FEAT_TLBIRANGE saves on a teardown, counts only"],
    ["bench dirty-log --size 64m --eager-split 2m --compare eager-split --reps 0", "dirty logging with and without eager page splitting"],
    ["bench vfio-bar --size 64g --bar cacheable --dic --compare fwb --reps 0", "a cacheable PFNMAP BAR: refused without FWB (exit 1)"],
    ["bench test/fixtures/shared/conformance/scenarios/unmap-16g-range-chunks.json --reps 3 --json", "a scenario repeated on a fresh table, as JSON"],
  ],
  run: (a, ctx) => runBenchCommand(a, ctx),
};

function runBenchCommand(a: CommandArgs, ctx: CliContext): void {
  const given = a.operand<string>("workload") as string;
  const named = PATTERNS.find((p) => p === given);
  const wl: WorkloadArg = named !== undefined ? { pattern: named } : { file: given };
  if (a.flag("json") && a.flag("csv")) throw new InputError("--csv: give --json or --csv, not both");
  const dims = a.value<CompareDim[]>("compare") ?? [];
  const pattern = "pattern" in wl ? wl.pattern : null;
  // Options that do not apply to this workload are refused, not ignored.
  for (const [opt, pats] of Object.entries(APPLIES)) {
    if (!a.has(opt)) continue;
    if (pattern === null) throw new InputError(`--${opt}: applies to a pattern, not to a scenario (the scenario's ops and config say it)`);
    if (!pats.includes(pattern)) throw new InputError(`--${opt}: does not apply to ${pattern} (it applies to ${pats.join(", ")})`);
  }
  // Options that would change nothing in this run are refused too, not silently ignored.
  if (a.has("warmup") && a.value<number>("reps") === 0) throw new InputError("--warmup: applies to timed runs, and --reps 0 asks for none");
  if (a.has("seed") && pattern !== null && pattern !== "mmu-notifier" && a.value<string>("order") === "seq") {
    if (pattern !== "dirty-log") throw new InputError(`--seed: applies to --order random (with --order seq ${pattern}'s faults go in IPA order)`);
    if (a.value<number>("dirty") === 100)
      throw new InputError("--seed: applies to dirty-log with --dirty below 100 (which pages) or --order random (which order)");
  }
  if (dims.includes("eager-split")) {
    if (pattern !== "dirty-log") throw new InputError("--compare: eager-split applies to dirty-log only");
    if (!a.has("eager-split")) throw new InputError("--compare: eager-split needs --eager-split <chunk size> (the chunk it compares with off)");
  }
  let spec: WorkloadSpec;
  let maxTablePages = 0;
  if ("file" in wl) {
    const scn = loadScenario(ctx, wl.file);
    const base = baseConfig(a, { config: { ...scn.config, dic: false, eagerSplit: 0 } }, dims);
    const configs = expandConfigs(base, dims, 0);
    spec = naming(inputLabel(wl.file), () => {
      try {
        return planScenario(scn, configs);
      } catch (e) {
        // The geometry is the scenario's config with the switches given: its fields named as the file names them
        // (--pa-bits does not apply to a scenario), and the switch that made it refused.
        if (!(e instanceof InputError) || !/^(ia_bits|pa_bits|lpa2):/.test(e.message)) throw e;
        const why = a.has("lpa2")
          ? ` (with --${a.flag("lpa2") ? "" : "no-"}lpa2)`
          : dims.includes("lpa2")
            ? " (in one of --compare lpa2's configurations)"
            : "";
        throw new InputError(`config.${e.message}${why}`);
      }
    });
  } else {
    const granule = parseGranule(a.value<Granule>("granule") as Granule, "--granule");
    const most = scenarioMaxPages(granule);
    maxTablePages = a.value<number>("max-table-pages") ?? most;
    if (maxTablePages > most)
      throw new InputError(
        `--max-table-pages: ${maxTablePages} is above s2pt's limit of ${most} table pages (${bytesText(most * granule)} of ${granule / 1024}K tables)`,
      );
    let base: BenchConfig;
    try {
      base = baseConfig(a, null, dims);
    } catch (e) {
      throw optionWords(e);
    }
    const configs = expandConfigs(base, dims, a.value<number>("eager-split") ?? 0);
    const params: PatternParams = {
      ...DEFAULT_PARAMS,
      pattern: wl.pattern,
      size: a.value<number>("size") as number,
      pageSize: a.value<number>("page-size") ?? null,
      order: a.value<string>("order") as Order,
      seed: a.value<number>("seed") as number,
      // Refused by name above 2^53, never rounded (a value near 2^64 became 18446744073709552000 as a number).
      ipa: addressOption(a, "ipa") ?? null,
      pa: addressOption(a, "pa") ?? null,
      dirty: a.value<number>("dirty") as number,
      ranges: a.value<number>("ranges") as number,
      rangeSize: a.value<number>("range-size") as number,
      bar: a.value<string>("bar") as BarType,
    };
    try {
      spec = planPattern(params, configs);
    } catch (e) {
      throw optionWords(e);
    }
    if (maxTablePages < spec.workloads[0].geometry.pgdPages) {
      throw new InputError(
        `--max-table-pages: ${maxTablePages} cannot hold the ${spec.workloads[0].geometry.pgdPages} root pages of this geometry (kvm_init_stage2_mmu would fail)`,
      );
    }
  }
  const reps = a.value<number>("reps") as number;
  const labels = spec.workloads.map((w) => configLabel(w.config, dims));
  const sink = ctx.progress;
  let res: BenchResult;
  try {
    res = runBench(
      { spec, maxTablePages, reps, warmup: reps === 0 ? 0 : (a.value<number>("warmup") as number) },
      { progress: sink === null ? undefined : (p) => sink.show(progressText(p, labels)), gc: reps > 0 ? fullGc() : undefined },
    );
  } finally {
    sink?.done();
  }
  const plot = a.value<string>("plot");
  if (plot !== undefined) writeFileAtomic(plot, chartSvg(benchChart(res, dims)), "--plot");
  if (a.flag("json")) ctx.print(JSON.stringify(benchJson(res, dims), null, 2));
  else if (a.flag("csv")) ctx.print(benchCsv(res, dims));
  else {
    ctx.print(formatBench(res, dims));
    const s = summaryLine(res);
    if (s) ctx.print(s);
  }
  if (res.results.some((r) => r.refusal !== null || r.error !== null)) ctx.code = EXIT_MISMATCH;
}
