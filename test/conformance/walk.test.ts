// Source of truth: the kernel's own results (test/fixtures/shared/conformance/expected).
// The hardware walk over each table the model builds must agree with what
// Linux 6.18.25's pgtable.c reported:
//  - every page and block in the kernel's final dump translates to the output
//    address its descriptor holds (every page of a block would be too many:
//    the first, the last and a spread of pages in between, at odd offsets);
//  - every IPA the kernel's kvm_pgtable_get_leaf() reported as not mapped
//    (pte 0 or an invalid annotation) takes a Translation fault at exactly the
//    level get_leaf stopped at, at that point of the scenario; an IPA it
//    refused with -ERANGE is beyond the IPA size (Translation fault, level 0,
//    per ASL AArch64_S2Translate / AArch64_IPAIsOutOfRange); a valid leaf it
//    returned translates through that leaf.
// The output address is read from the kernel's descriptor by the rules of
// kernel-reference.md 1.2 written out here with BigInt, independently of
// src/pgtable/descriptor.ts.
import { describe, expect, it } from "vitest";
import { runOp } from "../../src/scenario/replay.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { parseScenarioText } from "../../src/scenario/format.js";
import { type Scenario } from "../../src/scenario/types.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_ACCESS_FLAG, FAULT_NONE, FAULT_PERMISSION, FAULT_TRANSLATION } from "../../src/walker/fault.js";
import { FAULT_STATUS, S2Walker } from "../../src/walker/translate.js";
import { conformanceDir, readJson, readText, scenarioNames } from "../helpers.js";

interface DumpEntry {
  level: number;
  ipa: string;
  kind: string;
  pte: string;
}
interface Expected {
  ops: Array<{ ret: number; pte?: string; level?: number }>;
  dump: DumpEntry[];
}

const GENMASK = (h: number, l: number): bigint => ((1n << BigInt(h + 1)) - 1n) & ~((1n << BigInt(l)) - 1n);

/** kvm_pte_to_phys per kernel-reference.md 1.2, then aligned to the leaf size (the bits below it are RES0 in a block). */
function leafOa(pte: bigint, scn: Scenario, level: number): bigint {
  const ps = Math.log2(scn.config.granule);
  let oa: bigint;
  if (scn.config.lpa2) oa = (pte & GENMASK(49, ps)) | (((pte >> 8n) & 3n) << 50n);
  else if (ps === 16) oa = (pte & GENMASK(47, 16)) | (((pte >> 12n) & 0xfn) << 48n);
  else oa = pte & GENMASK(47, ps);
  return oa & ~(leafSize(scn, level) - 1n);
}

/** kvm_granule_size(level) = 2^((PAGE_SHIFT - 3) * (4 - level) + 3). */
function leafSize(scn: Scenario, level: number): bigint {
  const ps = Math.log2(scn.config.granule);
  return 1n << BigInt((ps - 3) * (4 - level) + 3);
}

/** An access the leaf allows (S2AP bit 6 read, bit 7 write, bit 54 XN), or -1 for none. */
function allowedAccess(pte: bigint): number {
  if (pte & (1n << 6n)) return ACCESS_READ;
  if (pte & (1n << 7n)) return ACCESS_WRITE;
  if (!(pte & (1n << 54n))) return ACCESS_EXEC;
  return -1;
}

/** The offsets within a leaf to try: first and last page, a spread in between, odd byte offsets. */
function offsets(size: bigint, granule: number): bigint[] {
  const pages = size / BigInt(granule);
  const picks = new Set<bigint>([0n, pages - 1n, pages / 2n, pages / 3n, (pages * 7n) / 8n, 1n % pages]);
  const out: bigint[] = [];
  let salt = 0x5a5n;
  for (const p of picks) {
    out.push(p * BigInt(granule) + (salt % BigInt(granule)));
    salt = (salt * 2654435761n + 12345n) & 0xffffn;
  }
  return out;
}

/** A check on the walker, the same one through translate() and through the batch. */
function walkBoth(w: S2Walker, ipa: number, access: number): { r: number; pa: number; level: number; status: number; batchPa: number } {
  const outPa = new Float64Array(1);
  const outStatus = new Int32Array(1);
  w.tracing = true; // the complete walk
  const r = w.translate(ipa, access, 1);
  const pa = w.pa;
  const level = w.level;
  w.tracing = false; // the batch fast path where it applies
  w.translateBatch(new Float64Array([ipa]), 1, access, 1, outPa, outStatus);
  return { r, pa, level, status: outStatus[0], batchPa: outPa[0] };
}

describe("conformance: the hardware walk agrees with the kernel's tables", () => {
  it.each(scenarioNames())("%s", (file) => {
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", file));
    const exp = readJson<Expected>(conformanceDir, "expected", file);
    const pgt = new KvmPgtable(scn.config);
    const w = new S2Walker(pgt, { ha: false });
    let checkedInvalid = 0;
    // Replay op by op; at each get_leaf, walk the same IPA at that moment.
    scn.ops.forEach((op, i) => {
      runOp(pgt, op, scn);
      if (op.op !== "get_leaf") return;
      const e = exp.ops[i];
      const ctx = `ops[${i}] get_leaf ${op.ipa.toString(16)}`;
      if (e.ret !== 0) {
        expect(e.ret, ctx).toBe(-34); // -ERANGE: beyond 2^ia_bits
        const b = walkBoth(w, op.ipa, ACCESS_READ);
        expect([b.r, b.level], ctx).toEqual([FAULT_TRANSLATION, 0]);
        expect(b.status, ctx).toBe(FAULT_STATUS | 0x04);
        return;
      }
      const pte = BigInt(e.pte as string);
      const level = e.level as number;
      if ((pte & 1n) === 0n) {
        for (const access of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC]) {
          const b = walkBoth(w, op.ipa, access);
          expect([b.r, b.level], ctx).toEqual([FAULT_TRANSLATION, level]);
          expect(b.status, ctx).toBe(FAULT_STATUS | (0x04 + level));
        }
        checkedInvalid++;
        return;
      }
      const access = allowedAccess(pte);
      const b = walkBoth(w, op.ipa, access < 0 ? ACCESS_READ : access);
      if (access < 0) {
        expect([b.r, b.level], ctx).toEqual([FAULT_PERMISSION, level]);
      } else if (!(pte & (1n << 10n))) {
        expect([b.r, b.level], ctx).toEqual([FAULT_ACCESS_FLAG, level]);
      } else {
        const want = leafOa(pte, scn, level) + (BigInt(op.ipa) & (leafSize(scn, level) - 1n));
        expect([b.r, b.level, BigInt(b.pa)], ctx).toEqual([FAULT_NONE, level, want]);
        expect([b.status, BigInt(b.batchPa)], ctx).toEqual([level, want]);
      }
    });

    // The final table: every leaf the kernel dumped.
    let leaves = 0;
    for (const d of exp.dump) {
      if (d.kind !== "page" && d.kind !== "block") continue;
      const pte = BigInt(d.pte);
      const size = leafSize(scn, d.level);
      const base = BigInt(d.ipa);
      const access = allowedAccess(pte);
      for (const off of offsets(size, scn.config.granule)) {
        const ipa = base + off;
        const ctx = `${d.kind} at ${d.ipa} (level ${d.level}, pte ${d.pte}) + ${off.toString(16)}`;
        const b = walkBoth(w, Number(ipa), access < 0 ? ACCESS_READ : access);
        if (access < 0) {
          expect([b.r, b.level], ctx).toEqual([FAULT_PERMISSION, d.level]);
          continue;
        }
        if (!(pte & (1n << 10n))) {
          expect([b.r, b.level], ctx).toEqual([FAULT_ACCESS_FLAG, d.level]);
          continue;
        }
        const want = leafOa(pte, scn, d.level) + off;
        expect([b.r, b.level, BigInt(b.pa)], ctx).toEqual([FAULT_NONE, d.level, want]);
        expect([b.status, BigInt(b.batchPa)], ctx).toEqual([d.level, want]);
      }
      leaves++;
    }
    // With VTCR_EL2.HA (KVM's setting) an AF = 0 leaf translates and the hardware sets AF.
    const young = new S2Walker(pgt);
    for (const d of exp.dump) {
      if ((d.kind !== "page" && d.kind !== "block") || BigInt(d.pte) & (1n << 10n)) continue;
      const pte = BigInt(d.pte);
      const access = allowedAccess(pte);
      if (access < 0) continue;
      expect(young.translate(Number(BigInt(d.ipa)), access, 1), d.ipa).toBe(FAULT_NONE);
      expect(BigInt(young.pa), d.ipa).toBe(leafOa(pte, scn, d.level));
      expect(young.descLo & (1 << 10), d.ipa).toBe(1 << 10);
    }
    expect(leaves + checkedInvalid + scn.ops.length).toBeGreaterThan(0);
  });

  it("the scenarios exercise every kind of check", () => {
    // Counted over the kernel's results, so that the test above cannot pass vacuously.
    let invalid = 0;
    let erange = 0;
    let blocks = 0;
    let pages = 0;
    let afClear = 0;
    for (const file of scenarioNames()) {
      const exp = readJson<Expected>(conformanceDir, "expected", file);
      const scn = parseScenarioText(readText(conformanceDir, "scenarios", file));
      scn.ops.forEach((op, i) => {
        if (op.op !== "get_leaf") return;
        if (exp.ops[i].ret !== 0) erange++;
        else if ((BigInt(exp.ops[i].pte as string) & 1n) === 0n) invalid++;
      });
      for (const d of exp.dump) {
        if (d.kind === "block") blocks++;
        if (d.kind === "page") pages++;
        if ((d.kind === "page" || d.kind === "block") && !(BigInt(d.pte) & (1n << 10n))) afClear++;
      }
    }
    expect(invalid).toBeGreaterThanOrEqual(10);
    expect(erange).toBeGreaterThanOrEqual(1);
    expect(blocks).toBeGreaterThanOrEqual(20);
    expect(pages).toBeGreaterThanOrEqual(100);
    expect(afClear).toBeGreaterThanOrEqual(1);
  });
});
