// Source of truth: every descriptor the kernel wrote in the expected results.
// Each decodes into fields that put back together give the same 64 bits, and
// every leaf is rebuilt by the leaf encoder from its decoded (pa, level, prot).
import { describe, expect, it } from "vitest";
import { decodeS2Descriptor, protOfLeaf, reencodeFields } from "../../src/walker/decode.js";
import { S2_AF_LO, encodeLeafFast } from "../../src/pgtable/descriptor.js";
import { parseScenarioText } from "../../src/scenario/format.js";
import { hexHalves } from "../../src/pgtable/u64.js";
import { conformanceDir, readJson, readText, scenarioNames } from "../helpers.js";

interface Dumped {
  level: number;
  ipa: string;
  kind: string;
  pte: string;
}
interface Expected {
  ops: Array<{ pte?: string; level?: number }>;
  dump: Dumped[];
}

function leavesOf(file: string): Array<{ pte: string; level: number; kind: string }> {
  const e = readJson<Expected>(conformanceDir, "expected", file);
  const out: Array<{ pte: string; level: number; kind: string }> = [];
  for (const d of e.dump) out.push({ pte: d.pte, level: d.level, kind: d.kind });
  for (const o of e.ops) if (o.pte !== undefined && o.level !== undefined && o.pte !== "0x0") out.push({ pte: o.pte, level: o.level, kind: "" });
  return out;
}

describe("conformance: every expected descriptor decodes and re-encodes", () => {
  let leavesChecked = 0;
  it.each(scenarioNames())("%s", (file) => {
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", file));
    const c = scn.config;
    for (const { pte, level, kind } of leavesOf(file)) {
      const value = BigInt(pte);
      const d = decodeS2Descriptor(value, { granule: c.granule, level, lpa2: c.lpa2, fwb: c.fwb, paBits: c.paBits });
      expect(reencodeFields(d), `${pte} fields`).toBe(value);
      expect(d.value).toBe(pte);
      if (kind) expect(d.kind === "owner" || d.kind === "empty" ? "invalid" : d.kind).toBe(kind);
      if (d.kind !== "page" && d.kind !== "block") continue;
      leavesChecked++;
      // The leaf encoder rebuilds it from (pa, level, prot); AF is the one bit
      // no prot carries (test_clear_young clears it).
      const lo = Number(value & 0xffffffffn);
      const hi = Number(value >> 32n);
      const prot = protOfLeaf(lo, hi, c.fwb);
      expect(prot, `${pte} has a MemAttr KVM writes`).toBeGreaterThanOrEqual(0);
      const enc = encodeLeafFast({ granule: c.granule, lpa2: c.lpa2, fwb: c.fwb }, Number(BigInt(d.oa!)), level, prot);
      if (typeof enc === "number") throw new Error(`encodeLeafFast refused ${pte}: ${enc}`);
      const encLo = lo & S2_AF_LO ? enc.lo : enc.lo & ~S2_AF_LO;
      expect(hexHalves(encLo >>> 0, enc.hi)).toBe(pte);
    }
  });

  it("rebuilt thousands of kernel-written leaves", () => {
    // 512 + 2048 split pages and the rest: a run that silently skipped them would fail here.
    expect(leavesChecked).toBeGreaterThan(3000);
  });
});
