/**
 * Comparing a replay result with an expected result file: the first
 * divergence, said readably (op index, field, expected vs got, and both
 * descriptors decoded field by field).
 */

import { decodeS2Descriptor, type DecodedDescriptor } from "./decode.js";
import type { ReplayResult } from "./replay.js";
import type { Scenario } from "./scenario.js";
import { hex } from "./u64.js";

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  return v === undefined ? "(absent)" : JSON.stringify(v);
}

function decodeSideBySide(expected: unknown, got: unknown, scn: Scenario, level: number | undefined): string[] {
  const out: string[] = [];
  const one = (label: string, v: unknown): void => {
    if (typeof v !== "string" || !/^0x[0-9a-f]+$/i.test(v)) return;
    let d: DecodedDescriptor;
    try {
      d = decodeS2Descriptor(BigInt(v), { granule: scn.config.granule, level, lpa2: scn.config.lpa2, fwb: scn.config.fwb, paBits: scn.config.paBits });
    } catch {
      return;
    }
    out.push(`  ${label} ${d.value}: ${d.summary}`);
    for (const f of d.fields) out.push(`      ${f.name} [${f.bits}] = ${f.value}  ${f.meaning}`);
  };
  one("expected", expected);
  one("got     ", got);
  // Name the fields that differ.
  if (typeof expected === "string" && typeof got === "string" && /^0x/.test(expected) && /^0x/.test(got)) {
    const x = BigInt(expected) ^ BigInt(got);
    if (x !== 0n) {
      const bits: number[] = [];
      for (let i = 0; i < 64; i++) if ((x >> BigInt(i)) & 1n) bits.push(i);
      out.push(`  differing bits: ${bits.join(", ")} (xor ${hex(x)})`);
    }
  }
  return out;
}

function opLabel(scn: Scenario, i: number): string {
  const op = scn.ops[i];
  if (!op) return `ops[${i}]`;
  return `ops[${i}] (${op.op} ipa=${hex(op.ipa)}${op.op !== "get_leaf" && op.op !== "mkyoung" && op.op !== "relax_perms" ? ` size=${hex(op.size)}` : ""})`;
}

/** The first divergence between an expected result and the model's, or null when they are equal. */
export function firstDivergence(expected: unknown, got: ReplayResult, scn: Scenario): string | null {
  if (typeof expected !== "object" || expected === null || Array.isArray(expected)) {
    return "the expected file does not hold a result object";
  }
  const e = expected as Record<string, unknown>;
  const lines: string[] = [];
  const done = (): string => lines.join("\n");

  for (const key of ["name", "derived"] as const) {
    if (!same(e[key], got[key])) {
      lines.push(`${key}: expected ${show(e[key])}, got ${show(got[key])}`);
      return done();
    }
  }
  const eops = Array.isArray(e.ops) ? e.ops : [];
  if (eops.length !== got.ops.length) {
    lines.push(`ops: expected ${eops.length} results, got ${got.ops.length}`);
    return done();
  }
  for (let i = 0; i < eops.length; i++) {
    const eo = eops[i] as Record<string, unknown>;
    const go = got.ops[i] as Record<string, unknown>;
    if (same(eo, go)) continue;
    const keys = [...new Set([...Object.keys(eo ?? {}), ...Object.keys(go)])];
    for (const k of keys) {
      if (k === "events" && Array.isArray(eo.events) && Array.isArray(go.events)) {
        const ee = eo.events as unknown[];
        const ge = go.events as unknown[];
        const n = Math.max(ee.length, ge.length);
        for (let j = 0; j < n; j++) {
          if (!same(ee[j], ge[j])) {
            lines.push(`${opLabel(scn, i)}.events[${j}]: expected ${show(ee[j])}, got ${show(ge[j])} (${ee.length} events expected, ${ge.length} got)`);
            return done();
          }
        }
      }
      if (!same(eo?.[k], go[k])) {
        lines.push(`${opLabel(scn, i)}.${k}: expected ${show(eo?.[k])}, got ${show(go[k])}`);
        if (k === "pte") lines.push(...decodeSideBySide(eo?.[k], go[k], scn, typeof go.level === "number" ? go.level : undefined));
        return done();
      }
    }
  }
  const edump = Array.isArray(e.dump) ? (e.dump as Record<string, unknown>[]) : [];
  const n = Math.max(edump.length, got.dump.length);
  for (let j = 0; j < n; j++) {
    const ed = edump[j];
    const gd = got.dump[j] as unknown as Record<string, unknown> | undefined;
    if (same(ed, gd)) continue;
    lines.push(`dump[${j}]: expected ${show(ed)}, got ${show(gd)} (${edump.length} entries expected, ${got.dump.length} got)`);
    if (ed && gd && ed.pte !== gd.pte) lines.push(...decodeSideBySide(ed.pte, gd.pte, scn, typeof gd.level === "number" ? gd.level : undefined));
    return done();
  }
  if (!same(e.root_refcounts, got.root_refcounts)) {
    lines.push(`root_refcounts: expected ${show(e.root_refcounts)}, got ${show(got.root_refcounts)}`);
    return done();
  }
  for (const k of Object.keys(e)) {
    if (!same(e[k], (got as unknown as Record<string, unknown>)[k])) {
      lines.push(`${k}: expected ${show(e[k])}, got ${show((got as unknown as Record<string, unknown>)[k])}`);
      return done();
    }
  }
  return null;
}
