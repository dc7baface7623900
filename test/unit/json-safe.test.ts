// The results of the package's public calls are JSON-safe (README, "How the
// parts fit"): JSON.stringify takes each (no bigint anywhere in it, which
// would throw) and JSON.parse gives back an equal value (nothing a JSON round
// trip loses: no undefined member, no function, no typed array, no NaN). The
// WalkReport of the old API held bigints and JSON.stringify threw on it.
import { describe, expect, it } from "vitest";
import { KvmPgtable, PROT_R, PROT_W, encodeLeaf, stage2Geometry } from "../../src/pgtable/index.js";
import { ACCESS_READ, ACCESS_WRITE, S2Walker, decodeS2Descriptor, leafVerdict, walkIpa } from "../../src/walker/index.js";
import { combineS1S2, describeMairAttr, describeS2MemAttr } from "../../src/mair/index.js";
import { decodeEsr, decodePar, decodeVtcr } from "../../src/regs/index.js";
import { decodeRegister, explainEras, kvmHandleGuestAbort, replayAbort, type AbortConfig } from "../../src/kvm/index.js";
import { parseScenarioText, replay } from "../../src/scenario/index.js";
import { checkScenario } from "../../src/reliability/index.js";
import { builtGuest, guestOf, nestedWalker, walkVa, decodeS1Descriptor } from "../../src/stage1/index.js";
import { readText, conformanceDir, repoRoot } from "../helpers.js";
import { join } from "node:path";

const CFG = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: false, tlbRange: false } as const;

/** JSON.stringify takes `v`, and the round trip gives it back whole. */
function jsonSafe(v: unknown): void {
  const text = JSON.stringify(v);
  expect(typeof text).toBe("string");
  expect(JSON.parse(text)).toStrictEqual(v);
}

function table(): KvmPgtable {
  const p = new KvmPgtable(CFG);
  expect(p.map(0x40000000, 0x200000, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
  return p;
}

describe("every kind of result is JSON-safe", () => {
  it("s2pt/pgtable: getLeaf, encodeLeaf, stage2Geometry, the events", () => {
    const p = table();
    jsonSafe(p.getLeaf(0x40001000));
    jsonSafe(p.getLeaf(2 ** 52));
    jsonSafe(encodeLeaf(CFG, 0x80000000, 3, PROT_R | PROT_W));
    jsonSafe(encodeLeaf(CFG, 0x80000000, 3, 0x1f));
    jsonSafe(stage2Geometry({ granule: 16384, iaBits: 47, paBits: 48, lpa2: false }));
    jsonSafe(p.log.toJson());
  });
  it("s2pt/walker: a walk that translates, one that faults, one with the combine; a decode and a verdict", () => {
    const w = new S2Walker(table());
    jsonSafe(walkIpa(w, 0x40001234, ACCESS_WRITE, 1));
    jsonSafe(walkIpa(w, 0x90000000, ACCESS_READ, 0));
    jsonSafe(walkIpa(w, 2 ** 52, ACCESS_READ, 1));
    jsonSafe(walkIpa(w, 0x40001234, ACCESS_READ, 1, { attr: 0x44, sh: 3 }));
    jsonSafe(decodeS2Descriptor(0x400000800007dbn, { granule: 4096, level: 3, lpa2: false, fwb: true }));
    jsonSafe(leafVerdict(0x480000800007dbn, PROT_R | PROT_W, { granule: 4096, level: 3, lpa2: false, fwb: true }));
  });
  it("s2pt/mair and s2pt/regs: a combine with open columns, attribute descriptions, register decodes", () => {
    jsonSafe(combineS1S2(0x00, 3, 0x6, 3, { fwb: true }));
    jsonSafe(combineS1S2(0x80, 3, 0xf, 3, { fwb: false, xs: true }));
    jsonSafe(describeMairAttr(0x44, { xs: false, mte2: true }));
    jsonSafe(describeS2MemAttr(0x4, true));
    jsonSafe(decodeEsr(0x92000047n));
    jsonSafe(decodePar(0xb0fn));
    jsonSafe(decodeVtcr(0x802a3558n));
    jsonSafe(decodeRegister("VTCR_EL2", 0x802a3558n).decoded);
  });
  it("s2pt/stage1: a two-stage walk that translates and one that takes an S1PTW fault; a stage-1 decode", () => {
    for (const [file, va] of [
      ["guest-framebuffer-nc.json", 0xffffffc000001040n],
      ["guest-s1ptw-fault.json", 0xffffff8000001000n],
    ] as const) {
      const scn = parseScenarioText(readText(repoRoot, "examples", file));
      const { pgt } = replay(scn);
      const nw = nestedWalker(builtGuest(pgt) ?? guestOf(pgt, scn.guest, "test"), new S2Walker(pgt));
      jsonSafe(walkVa(nw, va, ACCESS_WRITE, 1));
    }
    jsonSafe(decodeS1Descriptor(0x0040000080000f43n, { granule: 4096, level: 3 }));
  });
  it("s2pt/kvm: explanations per era, an abort path and its replay", () => {
    const p = { vma: "pfnmap", pgprot: "noncached", allowAnyUncached: true, pfnRam: false, fwb: true, dic: false, access: "read" } as const;
    jsonSafe(explainEras(["pre", "v1", "v6.9", "mainline"], p, { granule: 4096, lpa2: false, pa: 0x80000000, level: 3, guest: { attr: 0x44, sh: 3 } }));
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", "map-page-4k-rw.json"));
    const c: AbortConfig = {
      granule: 4096,
      iaBits: scn.config.iaBits,
      ipaLimit: 48,
      memslot: "rw",
      dirtyLog: false,
      nisvToUser: false,
      host: { vma: "anon", pgprot: "cacheable", allowAnyUncached: false, pfnRam: true },
      cpu: { fwb: scn.config.fwb, dic: false },
      mapSize: null,
      pa: 0x80001000,
    };
    const regs = { esr: 0x92000047n, far: null, hpfar: 0x400010n, ipa: null };
    const path = kvmHandleGuestAbort("mainline", regs, c);
    jsonSafe(path);
    jsonSafe(replayAbort(path, regs, { describe: join("scenarios", "map-page-4k-rw.json"), load: () => replay(scn).pgt }, true));
  });
  it("s2pt/scenario and s2pt/reliability: a replay result, a checked run's summary", () => {
    const scn = parseScenarioText(readText(conformanceDir, "scenarios", "map-page-inside-block.json"));
    jsonSafe(replay(scn).result);
    jsonSafe(checkScenario(scn));
  });
});
