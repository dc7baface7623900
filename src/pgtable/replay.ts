/**
 * Replaying a scenario (FORMAT.md) on the model and producing its result in
 * the exact form of the kernel's expected files.
 */

import { KVM_PGTABLE_LAST_LEVEL, PTE_TYPE_LO, PTE_VALID_LO, ADDR_51_48_LO, ADDR_51_50_LPA2_LO } from "./descriptor.js";
import type { EventJson } from "./events.js";
import { checkOpWork } from "./limits.js";
import { KvmPgtable } from "./pgtable.js";
import type { Scenario, ScenarioOp } from "./scenario.js";
import { hex, hexHalves } from "./u64.js";

/** The pgtable.c whose behaviour the model reproduces (and the conformance oracle). */
export const ORACLE = "linux 6.18.25 (gregkh/linux 735d394779c92a6f31bf050233082d6e09355b09)";

export interface OpResult {
  ret: number;
  pte?: string;
  level?: number;
  young?: boolean;
  events: EventJson[];
  [extra: string]: unknown;
}

export interface DumpEntry {
  level: number;
  ipa: string;
  kind: "table" | "block" | "page" | "invalid";
  pte: string;
  refcount: number | null;
}

export interface ReplayResult {
  name: string;
  oracle: string;
  derived: { start_level: number; pgd_pages: number };
  ops: Array<OpResult | ModelOpResult>;
  dump: DumpEntry[];
  root_refcounts: number[];
}

/** The result of a model-only op: its own fields (docs/walker.md for `translate`), no ret or events. */
export interface ModelOpResult {
  [field: string]: unknown;
}

/**
 * A hook for operations s2pt adds to FORMAT.md (model-only ops such as
 * `translate`): returns the op's result, or undefined if it does not know
 * the op.
 */
export type ModelOpRunner = (pgt: KvmPgtable, op: ScenarioOp, scn: Scenario) => OpResult | ModelOpResult | undefined;
const modelOps: ModelOpRunner[] = [];
export function registerModelOp(runner: ModelOpRunner): void {
  modelOps.push(runner);
}

/** Run one kernel operation; events are those the operation recorded. */
export function runOp(pgt: KvmPgtable, op: ScenarioOp, scn: Scenario): OpResult | ModelOpResult {
  const log = pgt.log;
  const first = log.length;
  pgt.store.memcache = scn.memcache;
  let ret = 0;
  const res: OpResult = { ret: 0, events: [] };
  switch (op.op) {
    case "map":
      ret = pgt.map(op.ipa, op.size, op.pa, op.prot, op.flags);
      break;
    case "unmap":
      ret = pgt.unmap(op.ipa, op.size);
      break;
    case "wrprotect":
      ret = pgt.wrprotect(op.ipa, op.size);
      break;
    case "mkyoung":
      pgt.mkyoung(op.ipa, op.flags);
      break;
    case "test_clear_young":
      res.young = pgt.testClearYoung(op.ipa, op.size, op.mkold);
      break;
    case "relax_perms":
      ret = pgt.relaxPerms(op.ipa, op.prot, op.flags);
      break;
    case "flush":
      ret = pgt.flush(op.ipa, op.size);
      break;
    case "split":
      ret = pgt.split(op.ipa, op.size);
      break;
    case "set_owner":
      ret = pgt.setOwner(op.ipa, op.size, op.owner);
      break;
    case "get_leaf":
      ret = pgt.getLeaf(op.ipa);
      if (ret === 0) {
        res.pte = hexHalves(pgt.leafLo, pgt.leafHi);
        res.level = pgt.leafLevel;
      }
      break;
    default: {
      for (const runner of modelOps) {
        const r = runner(pgt, op, scn);
        if (r !== undefined) return r;
      }
      throw new Error(`no runner for operation '${op.op}'`);
    }
  }
  res.ret = ret;
  // Keep FORMAT.md's key order: ret, pte/level or young, events.
  const events = log.toJson(first, log.length);
  log.length = first;
  if (res.pte !== undefined) return { ret, pte: res.pte, level: res.level, events };
  if (res.young !== undefined) return { ret, young: res.young, events };
  return { ret, events };
}

/** The final table: every non-zero descriptor in walk order (FORMAT.md `dump`). */
export function dumpTable(pgt: KvmPgtable): DumpEntry[] {
  const out: DumpEntry[] = [];
  const g = pgt.geom;
  const f = pgt.fmt;
  // The output-address bits a table descriptor carries, zeroed in the dump.
  const oaLo = (f.addrLo | (f.highOa === 1 ? ADDR_51_48_LO : 0) | (f.highOa === 2 ? ADDR_51_50_LPA2_LO : 0)) >>> 0;
  const oaHi = f.addrHi;
  const visit = (page: number, level: number, baseIpa: number): void => {
    const gran = pgt.granuleSize(level);
    for (let i = 0; i < g.ptrsPerPte; i++) {
      const lo = pgt.entryLo(page, i);
      const hi = pgt.entryHi(page, i);
      if ((lo | hi) === 0) continue;
      const ipa = baseIpa + i * gran;
      if (pgt.isTable(lo, level)) {
        const child = pgt.childPage(lo, hi);
        out.push({
          level,
          ipa: hex(ipa),
          kind: "table",
          pte: hexHalves((lo & ~oaLo) >>> 0, (hi & ~oaHi) >>> 0),
          refcount: pgt.store.pageCount(child),
        });
        visit(child, level + 1, ipa);
      } else {
        let kind: DumpEntry["kind"];
        if (!(lo & PTE_VALID_LO)) kind = "invalid";
        else if (level === KVM_PGTABLE_LAST_LEVEL) kind = "page";
        else kind = lo & PTE_TYPE_LO ? "table" : "block";
        out.push({ level, ipa: hex(ipa), kind, pte: hexHalves(lo, hi), refcount: null });
      }
    }
  };
  const rootSpan = pgt.granuleSize(g.startLevel) * g.ptrsPerPte;
  for (let r = 0; r < g.pgdPages; r++) visit(pgt.pgd + r, g.startLevel, r * rootSpan);
  return out;
}

export function rootRefcounts(pgt: KvmPgtable): number[] {
  const out: number[] = [];
  for (let r = 0; r < pgt.geom.pgdPages; r++) out.push(pgt.store.pageCount(pgt.pgd + r));
  return out;
}

/** The table a scenario starts from (its storage cap, when the scenario sets one). */
export function newScenarioTable(scn: Scenario): KvmPgtable {
  return new KvmPgtable(scn.config, scn.maxTablePages === undefined ? {} : { maxPages: scn.maxTablePages });
}

/**
 * Run op `index` of a scenario after checking that it fits s2pt's per-op
 * work limit (limits.ts): an op too large to run is refused with an
 * InputError naming it, before anything is written.
 */
export function runScenarioOp(pgt: KvmPgtable, scn: Scenario, index: number): OpResult | ModelOpResult {
  const op = scn.ops[index];
  checkOpWork(pgt, op, scn.memcache, `ops[${index}] (${op.op})`);
  return runOp(pgt, op, scn);
}

/** Build the table for a scenario and run its operations. */
export function replay(scn: Scenario): { result: ReplayResult; pgt: KvmPgtable } {
  const pgt = newScenarioTable(scn);
  const ops = scn.ops.map((_, i) => runScenarioOp(pgt, scn, i));
  const result: ReplayResult = {
    name: scn.name,
    oracle: ORACLE,
    derived: { start_level: pgt.geom.startLevel, pgd_pages: pgt.geom.pgdPages },
    ops,
    dump: dumpTable(pgt),
    root_refcounts: rootRefcounts(pgt),
  };
  return { result, pgt };
}

/** JSON.stringify on one line with ", " and ": " (the layout of the expected files). */
export function inlineJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(inlineJson).join(", ") + "]";
  return "{" + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ": " + inlineJson(x)).join(", ") + "}";
}

/** A result as text, laid out like the kernel's expected files (one op or dump entry per line). */
export function formatResult(r: ReplayResult | Record<string, unknown>): string {
  const lines: string[] = ["{"];
  const entries = Object.entries(r);
  entries.forEach(([k, v], i) => {
    const comma = i < entries.length - 1 ? "," : "";
    if (Array.isArray(v) && (k === "ops" || k === "dump")) {
      lines.push(`  ${JSON.stringify(k)}: [`);
      v.forEach((x, j) => lines.push(`    ${inlineJson(x)}${j < v.length - 1 ? "," : ""}`));
      lines.push(`  ]${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(k)}: ${inlineJson(v)}${comma}`);
    }
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}
