// Nothing the CLI accepts may exhaust the heap (issue 15): the scenarios of
// the issue, each a few hundred bytes, run through `s2pt` as a process with
// a 512 MiB V8 heap. Each must end with a clean result (exit 0) or a
// one-line refusal naming what crossed a bound (exit 2); never a "FATAL
// ERROR ... heap out of memory", a stack trace, or a hang (the process is
// killed after 180 s, far beyond the few seconds each takes: a hang guard,
// not a speed measurement). docs/reliability.md, "Resource bounds", has the
// bounds and how they were measured.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_CHECK_WORK, MAX_DUMP_RECORDS, MAX_EVENT_RECORDS, MAX_SCENARIO_WORK } from "../../src/scenario/limits.js";
import { MAX_GUEST_LEAVES } from "../../src/stage1/builder.js";
import { MAX_OP_LEAVES } from "../../src/pgtable/limits.js";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");
const dir = mkdtempSync(join(tmpdir(), "s2pt-bounds-"));

const CFG = { granule: 4096, ia_bits: 48, pa_bits: 48, lpa2: false, fwb: true, tlb_range: false };
const GIB4 = "0x100000000";
/** 4 GiB as 4K pages: the PA is one page off, so no block fits (2^20 leaves, MAX_OP_LEAVES). */
const map4g = (ipa: number) => ({ op: "map", ipa: "0x" + ipa.toString(16), size: GIB4, pa: "0x" + (ipa + 0x1000).toString(16), prot: "R|W", flags: "" });

function scenario(name: string, doc: Record<string, unknown>): string {
  const f = join(dir, `${name}.json`);
  writeFileSync(f, JSON.stringify(doc));
  return f;
}

const EIGHT_MAPS = scenario("eight-maps", {
  name: "eight maps of 4 GiB as 4K pages",
  config: CFG,
  ops: Array.from({ length: 8 }, (_, i) => map4g(i * 2 ** 32)),
});
const MAP_UNMAP = scenario("map-unmap", {
  name: "100 x (map + unmap) of 4 GiB",
  config: CFG,
  ops: Array.from({ length: 100 }, () => [map4g(0), { op: "unmap", ipa: "0x0", size: GIB4 }]).flat(),
});
const MAP_FLUSH = scenario("map-flush", {
  name: "a 4 GiB map, then 30 flushes, FWB off",
  config: { ...CFG, fwb: false },
  ops: [map4g(0), ...Array.from({ length: 30 }, () => ({ op: "flush", ipa: "0x0", size: GIB4 }))],
});
const GUEST = scenario("guest", {
  name: "one 512 GiB stage-1 mapping forced to level 3",
  config: { ...CFG, ia_bits: 40 },
  ops: [
    { op: "map", ipa: "0x40000000", size: "0x40000000", pa: "0x80000000", prot: "R|W", flags: "" },
    { op: "translate_va", va: "0x0", access: "r" },
  ],
  guest: {
    tcr: { t0sz: 25, tg0: 4096, ips: 40 },
    mair: "0xff",
    table_pool: { ipa: "0x40000000", size: "0x40000000" },
    mappings: [{ va: "0x0", size: "0x8000000000", ipa: "0x0", attrindx: 0, level: 3 }],
  },
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function s2pt(...argv: string[]): Run {
  const r = spawnSync(process.execPath, ["--max-old-space-size=512", bin, ...argv], { encoding: "utf8", timeout: 180_000, maxBuffer: 64 * 2 ** 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2 and exactly one line on stderr, `s2pt: <file>: <what>: <why>`, nothing on stdout. */
function expectRefusal(r: Run, file: string, what: RegExp): void {
  expect(r.stderr).not.toMatch(/FATAL ERROR|heap out of memory|\n\s+at /);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.endsWith("\n")).toBe(true);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr.startsWith(`s2pt: ${file}: `)).toBe(true);
  expect(r.stderr).toMatch(what);
}

function expectClean(r: Run): void {
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

const budget = (op: string, limit: number): RegExp =>
  new RegExp(`${op.replace(/[[\]()]/g, "\\$&")}: the scenario's work budget is spent: .* beyond s2pt's limit of ${limit} per (checked )?scenario`);

describe("the issue's scenarios under a 512 MiB heap", () => {
  it("the bounds are the documented numbers", () => {
    expect([MAX_OP_LEAVES, MAX_SCENARIO_WORK, MAX_CHECK_WORK, MAX_EVENT_RECORDS, MAX_DUMP_RECORDS, MAX_GUEST_LEAVES]).toEqual([
      2 ** 20,
      2 ** 24,
      2 ** 20,
      2 ** 16,
      2 ** 16,
      2 ** 20,
    ]);
  });

  it("replay, eight maps of 4 GiB as 4K pages: a clean result that keeps 2^16 event records and 2^16 dump entries, and says what it left out", () => {
    const r = s2pt("replay", EIGHT_MAPS);
    expectClean(r);
    const res = JSON.parse(r.stdout) as {
      ops: Array<{ ret: number; events: unknown[]; events_not_recorded?: Record<string, number> }>;
      dump: unknown[];
      not_recorded: { events: Record<string, number>; dump: Record<string, number>; record_limits: { events: number; dump: number } };
    };
    expect(res.ops.map((o) => o.ret)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // One dcache per page (R|W Normal memory): 2^23 in all, the first 2^16 kept, in order.
    const kept = res.ops.reduce((n, o) => n + o.events.length, 0);
    expect(kept).toBe(MAX_EVENT_RECORDS);
    expect(res.ops[0].events[0]).toEqual(["dcache", "0x1000", "0x1000"]);
    expect(res.ops[0].events_not_recorded).toEqual({ dcache: 2 ** 20 - MAX_EVENT_RECORDS });
    expect(res.ops[7]).toEqual({ ret: 0, events: [], events_not_recorded: { dcache: 2 ** 20 } });
    expect(res.not_recorded.events).toEqual({ dcache: 8 * 2 ** 20 - MAX_EVENT_RECORDS });
    expect(res.dump.length).toBe(MAX_DUMP_RECORDS);
    expect(res.not_recorded.record_limits).toEqual({ events: MAX_EVENT_RECORDS, dump: MAX_DUMP_RECORDS });
    // 8 x 2^20 pages; the first 2^16 - (tables before them) are in the dump.
    const pagesLeft = res.not_recorded.dump.page;
    const pagesKept = res.dump.filter((d) => (d as { kind: string }).kind === "page").length;
    expect(pagesKept + pagesLeft).toBe(8 * 2 ** 20);
  });

  it("dump of the same: the final table, no replay result built", () => {
    const r = s2pt("dump", EIGHT_MAPS);
    expectClean(r);
    // One run of R/W pages from 0 to 32 GiB (the kernel's line format).
    expect(r.stdout).toMatch(/^0x0000000000000000-0x0000000800000000 +32G 3/m);
  });

  it("replay, 100 x (map + unmap) of 4 GiB: refused at the op that crosses the scenario's work budget (the 17th)", () => {
    expectRefusal(s2pt("replay", MAP_UNMAP), MAP_UNMAP, budget("ops[16] (map)", MAX_SCENARIO_WORK));
  });

  it("replay, a 4 GiB map then 30 flushes, FWB off: refused at the 16th flush", () => {
    expectRefusal(s2pt("replay", MAP_FLUSH), MAP_FLUSH, budget("ops[16] (flush)", MAX_SCENARIO_WORK));
  });

  it("walk and check of the same: refused the same way (check's budget is smaller: its reference model costs an object per leaf)", () => {
    expectRefusal(s2pt("walk", MAP_FLUSH, "--ipa", "0x1000"), MAP_FLUSH, budget("ops[16] (flush)", MAX_SCENARIO_WORK));
    expectRefusal(s2pt("check", MAP_FLUSH), MAP_FLUSH, budget("ops[1] (flush)", MAX_CHECK_WORK));
  });

  it("the guest section with one 512 GiB mapping at level 3: refused before the builder writes anything", () => {
    const why = /ops\[1\] translate_va: guest\.mappings\[0\] asks for 134217728 stage-1 leaves .*writes at most 1048576 per scenario/;
    expectRefusal(s2pt("replay", GUEST), GUEST, why);
    expectRefusal(s2pt("walk", GUEST, "--va", "0x0"), GUEST, /guest\.mappings\[0\] asks for 134217728 stage-1 leaves/);
  });
});
