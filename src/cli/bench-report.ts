/**
 * `s2pt bench` output: the text table (one column per configuration), the
 * JSON document and the CSV rows, all from one list of metrics, so that
 * every figure the table shows is in the JSON and the CSV under one name.
 */

import { binarySizeText, hex } from "../pgtable/u64.js";
import { errnoName } from "../kvm/policy.js";
import { configLabel, type CompareDim } from "../workload/config.js";
import { KERNEL_FNS, type Counts } from "../workload/counts.js";
import { stat } from "../workload/clock.js";
import { protText } from "../workload/patterns.js";
import type { BenchResult, ConfigResult } from "../workload/run.js";

/** Integers with thousands separators. */
export function intText(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A figure with three significant digits (1.23, 12.3, 1,234). */
export function figText(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  if (x >= 1000) return intText(x);
  if (x < 1) return String(Number(x.toPrecision(3)));
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** A rate: 62.1 M, 850 k. */
export function rateText(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1e9) return `${figText(x / 1e9)} G`;
  if (x >= 1e6) return `${figText(x / 1e6)} M`;
  if (x >= 1e3) return `${figText(x / 1e3)} k`;
  return figText(x);
}

/** Bytes: the count, and its binary size when it is a whole one (68,719,476,736 (64 GiB)). */
export function bytesText(b: number): string {
  if (b === 0) return "0";
  const s = binarySizeText(b);
  return /bytes?$/.test(s) ? intText(b) : `${intText(b)} (${s})`;
}

/** Below this CPU time a timed window says little (process.cpuUsage() counts microseconds). */
const SHORT_WINDOW_NS = 1e6;

/** One metric: a row of the table, a CSV column, a number of the JSON. */
export interface Metric {
  /** CSV column and JSON path. */
  key: string;
  /** The row's label in the text table ("  " in front: a detail of the row above). */
  label: string;
  get: (r: ConfigResult) => number | null;
  format: (v: number) => string;
  /** Shown in the text table only when some configuration has a non-zero value. */
  hideZero?: boolean;
}

const LEVELS = [-1, 0, 1, 2, 3];

function counts(r: ConfigResult): Counts | null {
  return r.counts;
}

/** The metrics, in the table's order. `unit`: what time is given per. */
export function metrics(res: BenchResult): Metric[] {
  const unit = res.spec.unit;
  const c = (f: (x: Counts) => number) => (r: ConfigResult) => {
    const x = counts(r);
    return x === null ? null : f(x);
  };
  const m: Metric[] = [];
  if (res.reps > 0) {
    m.push(
      { key: "ns_per_unit_median", label: `model: CPU ns per ${unit} (median)`, get: (r) => r.timing?.nsPerUnit.median ?? null, format: figText },
      { key: "ns_per_unit_min", label: "  lowest", get: (r) => r.timing?.nsPerUnit.min ?? null, format: figText },
      { key: "ns_per_unit_max", label: "  highest", get: (r) => r.timing?.nsPerUnit.max ?? null, format: figText },
      { key: "units_per_second", label: `  ${unit}s per CPU second`, get: (r) => r.timing?.unitsPerSecond ?? null, format: rateText },
      { key: "calls_per_second", label: "  kernel calls per CPU second", get: (r) => r.timing?.callsPerSecond ?? null, format: rateText },
      { key: "cpu_share", label: "  CPU / wall time", get: (r) => r.timing?.cpuShare ?? null, format: (v) => `${Math.round(v * 100)}%` },
    );
  }
  for (const fn of KERNEL_FNS) {
    m.push({
      key: `calls_${fn.replace(/^kvm_pgtable_(stage2_)?/, "")}`,
      label: `calls: ${fn}`,
      get: c((x) => x.calls[fn] ?? 0),
      format: intText,
      hideZero: true,
    });
  }
  m.push({ key: "tlbi_ipa", label: "TLBI by IPA (__kvm_tlb_flush_vmid_ipa)", get: c((x) => x.tlbiIpa.total), format: intText });
  for (const l of LEVELS)
    m.push({ key: `tlbi_ipa_level_${l < 0 ? "m1" : l}`, label: `  TTL level ${l}`, get: c((x) => x.tlbiIpa.byLevel[l + 1]), format: intText, hideZero: true });
  m.push({ key: "tlbi_ipa_ttl_unknown", label: "  table entries (TTL unknown)", get: c((x) => x.tlbiIpa.ttlUnknown), format: intText, hideZero: true });
  m.push({ key: "tlbi_ipa_nsh", label: "TLBI by IPA, local (relax_perms: _nsh)", get: c((x) => x.tlbiIpaNsh.total), format: intText });
  for (const l of LEVELS)
    m.push({
      key: `tlbi_ipa_nsh_level_${l < 0 ? "m1" : l}`,
      label: `  TTL level ${l}`,
      get: c((x) => x.tlbiIpaNsh.byLevel[l + 1]),
      format: intText,
      hideZero: true,
    });
  m.push(
    { key: "tlbi_range", label: "TLBI range (__kvm_tlb_flush_vmid_range)", get: c((x) => x.tlbiRange.ops), format: intText },
    { key: "tlbi_range_pages", label: "  pages they cover", get: c((x) => x.tlbiRange.pages), format: intText, hideZero: true },
    { key: "tlbi_vmid", label: "TLBI whole VMID (__kvm_tlb_flush_vmid)", get: c((x) => x.tlbiVmid), format: intText },
    { key: "tlbi_total", label: "TLBI, all kinds", get: c((x) => x.tlbiTotal), format: intText },
    {
      key: "tlbi_from_mmu",
      label: "  of which issued by mmu.c after a walk",
      get: c((x) => x.mmuTlbi.vmid + x.mmuTlbi.rangeOps),
      format: intText,
      hideZero: true,
    },
    { key: "dcache_ops", label: "dcache clean+inval to PoC asked by pgtable.c", get: c((x) => x.dcache.ops), format: intText },
    { key: "dcache_bytes", label: "  bytes", get: c((x) => x.dcache.bytes), format: bytesText },
    { key: "dcache_host_bytes", label: "  bytes the host cleans (none with FWB)", get: c((x) => x.dcache.hostBytes), format: bytesText },
    { key: "icache_ops", label: "icache invalidate to PoU asked by pgtable.c", get: c((x) => x.icache.ops), format: intText },
    { key: "icache_bytes", label: "  bytes", get: c((x) => x.icache.bytes), format: bytesText },
    { key: "icache_host_bytes", label: "  bytes the host invalidates (none with DIC)", get: c((x) => x.icache.hostBytes), format: bytesText },
    { key: "table_pages_start", label: "table pages at the start", get: c((x) => x.tablePages.start), format: intText },
    { key: "table_pages_allocated", label: "  allocated", get: c((x) => x.tablePages.allocated), format: intText },
    { key: "table_pages_freed", label: "  freed", get: c((x) => x.tablePages.freed), format: intText },
    { key: "table_pages_peak", label: "  most in use at once", get: c((x) => x.tablePages.peak), format: intText },
    { key: "table_pages_end", label: "  at the end", get: c((x) => x.tablePages.end), format: intText },
    { key: "descriptor_stores", label: "descriptor stores", get: c((x) => x.descriptorStores), format: intText },
    { key: "break_before_make", label: "break-before-make of a valid entry", get: c((x) => x.breakBeforeMake), format: intText },
    { key: "memcache_pages", label: "memory-cache pages taken", get: c((x) => x.memcache.pages), format: intText },
    { key: "memcache_max_per_call", label: "  most in one call", get: c((x) => x.memcache.maxPerCall), format: intText },
  );
  // The same per unit (per page, block, dirtied page, range or op).
  const per = (f: (x: Counts) => number) => c((x) => (res.spec.units > 0 ? f(x) / res.spec.units : 0));
  m.push(
    { key: "per_unit_tlbi", label: `per ${unit}: TLBIs`, get: per((x) => x.tlbiTotal), format: figText },
    { key: "per_unit_descriptor_stores", label: "  descriptor stores", get: per((x) => x.descriptorStores), format: figText },
    { key: "per_unit_dcache_bytes", label: "  dcache bytes asked", get: per((x) => x.dcache.bytes), format: figText },
    { key: "per_unit_table_pages", label: "  table pages allocated", get: per((x) => x.tablePages.allocated), format: figText },
  );
  return m;
}

function geometryLine(res: BenchResult): string {
  const w = res.spec.workloads[0];
  const g = w.geometry;
  const pages =
    res.spec.pattern === "scenario"
      ? "the scenario's table-page budget"
      : `at most ${intText(res.maxTablePages)} table pages (${binarySizeText(res.maxTablePages * g.granule)})`;
  return `${g.granule / 1024}K granule, ${g.iaBits}-bit IPA (start level ${g.startLevel}, ${g.pgdPages} root page${g.pgdPages > 1 ? "s" : ""}), ${g.paBits}-bit PA${g.lpa2 ? ", FEAT_LPA2" : ""}; ${pages}`;
}

function clockLine(res: BenchResult): string {
  if (res.reps === 0) return "counts only (--reps 0): no timed run";
  return `time: ${res.reps} timed run${res.reps > 1 ? "s" : ""} after ${res.warmup} warm-up, each on a fresh table, CPU time of the process (process.cpuUsage), node ${process.version}`;
}

/**
 * The phases, in order, each once; one that not every configuration runs
 * (eager splitting compared) names the configurations that do.
 */
function phaseLines(res: BenchResult, dims: readonly CompareDim[]): string[] {
  const ws = res.spec.workloads.filter((w) => w.refusal === null);
  const seen: string[] = [];
  for (const w of ws) for (const p of w.phases) if (!seen.includes(`${p.timed}|${p.title}`)) seen.push(`${p.timed}|${p.title}`);
  return seen.map((key) => {
    const [timed, title] = [key.startsWith("true|"), key.slice(key.indexOf("|") + 1)];
    const runs = ws.filter((w) => w.phases.some((p) => p.title === title));
    const only = runs.length < ws.length ? ` [${runs.map((w) => configLabel(w.config, dims)).join("; ")}]` : "";
    return `${timed ? "timed" : "set-up"}${only}: ${title}`;
  });
}

/** Every switch of the configurations: its value, or "off / on" when compared. */
export function switchesText(res: BenchResult, dims: readonly CompareDim[]): string {
  const c = res.results[0].config;
  const cmp = (d: CompareDim, text: string): string => (dims.includes(d) ? `${text.replace(/ (on|off|0|1)$/, "")} compared` : text);
  const parts = [
    cmp("fwb", `FEAT_S2FWB ${c.fwb ? "on" : "off"}`),
    cmp("tlb-range", `FEAT_TLBIRANGE ${c.tlbRange ? "on" : "off"}`),
    cmp("lpa2", `FEAT_LPA2 ${c.lpa2 ? "on" : "off"}`),
    cmp("dic", `CTR_EL0.DIC ${c.dic ? "1" : "0"}`),
  ];
  if (res.spec.pattern === "dirty-log")
    parts.push(dims.includes("eager-split") ? "eager split compared" : c.eagerSplit ? `eager split ${binarySizeText(c.eagerSplit)}` : "eager split off");
  return parts.join(", ");
}

/** A cell that is not a figure: why the configuration has none (on the first row only). */
function statusCell(r: ConfigResult): string | null {
  if (r.refusal !== null) return `refused (${errnoName(r.refusal.errno)})`;
  return null;
}

/** The text table. */
export function formatBench(res: BenchResult, dims: readonly CompareDim[]): string {
  const out: string[] = [];
  const spec = res.spec;
  out.push(`s2pt bench ${spec.pattern}: ${spec.summary}`);
  out.push(geometryLine(res));
  for (const line of phaseLines(res, dims)) out.push(line);
  out.push(`switches: ${switchesText(res, dims)}`);
  const prots = [...new Set(res.results.map((r) => protText(r.prot)).filter((p): p is string => p !== null))];
  if (prots.length > 0) out.push(`prot: ${prots.join(" / ")} (user_mem_abort(), mainline policy, a write fault; walk flags HANDLE_FAULT|SHARED)`);
  out.push("");
  const heads = res.results.map((r) => configLabel(r.config, dims));
  const ms = metrics(res).filter((m) => !m.hideZero || res.results.some((r) => (m.get(r) ?? 0) !== 0));
  const rows: string[][] = ms.map((m, mi) => [
    m.label,
    ...res.results.map((r) => (mi === 0 ? statusCell(r) : null) ?? (m.get(r) === null ? "-" : m.format(m.get(r) as number))),
  ]);
  const labelW = Math.max(...ms.map((m) => m.label.length));
  const colW = res.results.map((_, i) => Math.max(heads[i].length, ...rows.map((row) => row[i + 1].length)));
  out.push(["".padEnd(labelW), ...heads.map((h, i) => h.padStart(colW[i]))].join("   ").trimEnd());
  for (const row of rows) out.push([row[0].padEnd(labelW), ...row.slice(1).map((cell, i) => cell.padStart(colW[i]))].join("   ").trimEnd());
  out.push("");
  res.results.forEach((r, i) => {
    if (r.refusal !== null) out.push(`${heads[i]}: refused: ${r.refusal.where} returns ${errnoName(r.refusal.errno)}: ${r.refusal.why}`);
    if (r.error !== null) {
      const e = r.error;
      out.push(
        `${heads[i]}: stopped: ${e.op} returned ${e.errno} at call ${intText(e.call + 1)} of ${intText(e.calls)} of the ${e.timed ? "timed" : "set-up"} phase: ${e.why}${e.timed ? " (the counts are those up to it; no timed run)" : ""}`,
      );
    }
    if (r.rets !== null && Object.keys(r.rets).length > 0)
      out.push(
        `${heads[i]}: ops that returned an errno: ${Object.entries(r.rets)
          .map(([k, v]) => `${k} x ${intText(v)}`)
          .join(", ")}`,
      );
  });
  out.push(clockLine(res));
  const short = res.results.filter((r) => r.timing !== null && stat(r.timing.cpuNs).median < SHORT_WINDOW_NS).map((r) => configLabel(r.config, dims));
  if (short.length > 0) {
    out.push(
      `note: the timed part took under 1 ms of CPU time (${short.join("; ")}): its time figures are mostly the clock's 1 us resolution and warm-up; time a larger --size`,
    );
  }
  out.push("counts: exact, from one counting pass of the same calls (docs/bench-your-workload.md says what each one counts)");
  return out.join("\n");
}

function countsJson(x: Counts): Record<string, unknown> {
  const tlbi = (t: Counts["tlbiIpa"]): Record<string, number> => {
    const o: Record<string, number> = {};
    LEVELS.forEach((l) => (o[`level_${l}`] = t.byLevel[l + 1]));
    o.ttl_unknown = t.ttlUnknown;
    o.total = t.total;
    return o;
  };
  return {
    calls: x.calls,
    tlbi: {
      ipa: tlbi(x.tlbiIpa),
      ipa_nsh: tlbi(x.tlbiIpaNsh),
      range: { ops: x.tlbiRange.ops, pages: x.tlbiRange.pages },
      vmid: x.tlbiVmid,
      total: x.tlbiTotal,
      from_mmu: { vmid: x.mmuTlbi.vmid, range_ops: x.mmuTlbi.rangeOps, range_pages: x.mmuTlbi.rangePages },
    },
    dcache: { ops: x.dcache.ops, bytes: x.dcache.bytes, host_bytes: x.dcache.hostBytes },
    icache: { ops: x.icache.ops, bytes: x.icache.bytes, host_bytes: x.icache.hostBytes },
    table_pages: x.tablePages,
    descriptor_stores: x.descriptorStores,
    break_before_make: x.breakBeforeMake,
    memcache: { pages: x.memcache.pages, max_per_call: x.memcache.maxPerCall },
  };
}

function configJson(r: ConfigResult, dims: readonly CompareDim[]): Record<string, unknown> {
  const c = r.config;
  return {
    label: configLabel(c, dims),
    config: {
      granule: c.granule,
      ia_bits: c.iaBits,
      pa_bits: c.paBits,
      lpa2: c.lpa2,
      fwb: c.fwb,
      tlb_range: c.tlbRange,
      dic: c.dic,
      eager_split: c.eagerSplit === 0 ? null : hex(c.eagerSplit),
    },
    prot: protText(r.prot),
    refusal: r.refusal === null ? null : { errno: r.refusal.errno, where: r.refusal.where, why: r.refusal.why },
    error:
      r.error === null
        ? null
        : {
            phase: r.error.phaseTitle,
            timed: r.error.timed,
            call: r.error.call,
            calls: r.error.calls,
            op: r.error.op,
            ret: r.error.ret,
            errno: r.error.errno,
            why: r.error.why,
          },
    timing:
      r.timing === null
        ? null
        : {
            reps: r.timing.reps,
            warmup: r.timing.warmup,
            ns_per_unit: r.timing.nsPerUnit,
            units_per_second: r.timing.unitsPerSecond,
            calls_per_second: r.timing.callsPerSecond,
            cpu_share: r.timing.cpuShare,
            cpu_ns: r.timing.cpuNs,
            wall_ns: r.timing.wallNs,
          },
    counts: r.counts === null ? null : countsJson(r.counts),
    phases: r.phases.map((p) => ({ title: p.title, calls: p.calls, counts: countsJson(p.counts) })),
    rets: r.rets,
  };
}

/** The JSON document. */
export function benchJson(res: BenchResult, dims: readonly CompareDim[]): Record<string, unknown> {
  const s = res.spec;
  const w = s.workloads[0];
  const g = w.geometry;
  const p = s.params;
  return {
    workload: {
      pattern: s.pattern,
      summary: s.summary,
      unit: s.unit,
      units: s.units,
      size: p === null ? null : hex(p.size),
      page_size: s.pageSize === null ? null : hex(s.pageSize),
      ipa: s.ipa === null ? null : hex(s.ipa),
      pa: s.pa === null ? null : hex(s.pa),
      order: p?.order ?? null,
      seed: p?.seed ?? null,
      phases: (s.workloads.find((x) => x.refusal === null) ?? w).phases.map((x) => ({ title: x.title, timed: x.timed, calls: x.calls })),
    },
    geometry: {
      granule: g.granule,
      ia_bits: g.iaBits,
      pa_bits: g.paBits,
      start_level: g.startLevel,
      pgd_pages: g.pgdPages,
      max_table_pages: s.pattern === "scenario" ? null : res.maxTablePages,
    },
    timing: {
      reps: res.reps,
      warmup: res.warmup,
      clock: res.reps > 0 ? "process.cpuUsage (CPU time of the process), process.hrtime (wall)" : null,
      node: process.version,
    },
    compare: dims,
    configs: res.results.map((r) => configJson(r, dims)),
  };
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV: a header, then one row per configuration (every metric, the switches, the status). */
export function benchCsv(res: BenchResult, dims: readonly CompareDim[]): string {
  const ms = metrics(res);
  const head = ["config", "fwb", "tlb_range", "lpa2", "dic", "eager_split", "status", "unit", "units", ...ms.map((m) => m.key), "why"];
  const lines = [head.join(",")];
  for (const r of res.results) {
    const c = r.config;
    const status = r.refusal !== null ? "refused" : r.error !== null ? "stopped" : "ok";
    const why = r.refusal !== null ? `${r.refusal.where}: ${r.refusal.why}` : r.error !== null ? `${r.error.op} returned ${r.error.errno}: ${r.error.why}` : "";
    const cells = [
      configLabel(c, dims),
      String(c.fwb),
      String(c.tlbRange),
      String(c.lpa2),
      String(c.dic),
      c.eagerSplit === 0 ? "" : hex(c.eagerSplit),
      status,
      res.spec.unit,
      String(res.spec.units),
      ...ms.map((m) => {
        const v = m.get(r);
        return v === null ? "" : String(v);
      }),
      why,
    ];
    lines.push(cells.map(csvCell).join(","));
  }
  return lines.join("\n");
}
