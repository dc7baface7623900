// The walk panel without a browser (src/site/walk-view.ts): every bundled
// scenario replays and walks as `s2pt walk` does (checked against walkIpa /
// walkVa run here), the address bits are split per level, the descriptor
// reads are counted. Counts, bit ranges and syndromes worked by hand.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replay } from "../../src/scenario/replay.js";
import { parseScenarioText } from "../../src/scenario/format.js";
import { walkIpa } from "../../src/walker/describe.js";
import { S2Walker } from "../../src/walker/translate.js";
import { walkVa } from "../../src/stage1/describe.js";
import { guestOf, nestedWalker } from "../../src/stage1/guest.js";
import { BUNDLED_SCENARIOS, PASTED, bundledScenario } from "../../src/site/scenarios.js";
import {
  DEFAULT_WALK_FORM,
  MAX_PASTE_CHARS,
  combineLink,
  parseWalkScenario,
  scenarioAddresses,
  walkView,
  type WalkForm,
  type WalkView,
} from "../../src/site/walk-view.js";
import { repoRoot } from "../helpers.js";

const text = (id: string): string => readFileSync(join(repoRoot, bundledScenario(id)!.path), "utf8");

function walk(id: string, f: Partial<WalkForm>): WalkView {
  const r = walkView({ ...DEFAULT_WALK_FORM, scenario: id, ...f }, id === PASTED ? (f.paste ?? "") : text(id));
  if (!r.ok) throw new Error(r.error);
  return r.view;
}

const ACCESS = { r: 0, w: 1, x: 2 } as const;

describe("every bundled scenario walks as s2pt walk does", () => {
  const cases = BUNDLED_SCENARIOS.flatMap((b) =>
    scenarioAddresses(parseWalkScenario(text(b.id), false)).map((s) => [`${b.id} ${s.mode} ${s.addr} ${s.access}`, b.id, s] as const),
  );

  it("names the addresses its ops and guest mappings use", () => {
    expect(cases.length).toBeGreaterThanOrEqual(BUNDLED_SCENARIOS.length);
    for (const b of BUNDLED_SCENARIOS)
      expect(
        cases.some((c) => c[1] === b.id),
        b.id,
      ).toBe(true);
  });

  it.each(cases)("%s", (_name, id, s) => {
    const v = walk(id, { mode: s.mode, addr: s.addr, access: s.access });
    const scn = parseScenarioText(text(id));
    const { pgt } = replay(scn);
    const w = new S2Walker(pgt, { ha: true, hd: false, xnx: false });
    if (s.mode === "ipa") {
      const r = walkIpa(w, Number(s.addr), ACCESS[s.access], 1);
      expect(v.ipa?.levels.map((l) => [l.level, l.descriptor])).toEqual(r.steps.map((x) => [x.level, x.descriptor]));
      expect(v.reads).toBe(r.steps.length);
      expect(v.ipa?.result?.[0]).toBe(r.result ? `PA ${r.result.pa}: level-${r.result.level} ${r.result.kind} of ${r.result.size} bytes` : undefined);
      expect(v.ipa?.fault?.rows.find((x) => x.name === "ESR_EL2")?.value).toBe(r.fault ? `0x${r.fault.esr.toString(16)}` : undefined);
      // The level segments are the geometry's index bits, top down, then the offset.
      const segs = v.ipa?.segments ?? [];
      expect(segs.reduce((n, x) => n + x.hi - x.lo + 1, 0)).toBe(Math.max(pgt.geom.iaBits, BigInt(s.addr).toString(2).length));
      for (const l of v.ipa?.levels ?? []) {
        const info = pgt.geom.levelInfo.find((x) => x.level === l.level)!;
        const seg = segs.find((x) => x.kind === "level" && x.level === l.level)!;
        expect([seg.hi, seg.lo]).toEqual([info.ipaBitHi, info.ipaBitLo]);
      }
    } else {
      const nw = nestedWalker(guestOf(pgt, scn.guest, "test"), w);
      const r = walkVa(nw, BigInt(s.addr), ACCESS[s.access], 1);
      const s2 = r.steps.reduce((n, x) => n + (x.s2 === null ? NaN : x.s2.steps.length), 0) + (r.final?.steps.length ?? 0);
      const s1 = r.steps.filter((x) => x.descriptor !== null).length;
      expect([v.va?.reads.s2, v.va?.reads.s1, v.reads]).toEqual([s2, s1, s2 + s1]);
      expect(v.va?.rows.filter((x) => x.kind === "s1").map((x) => x.s1Level)).toEqual(r.steps.map((x) => x.level));
      expect(v.va?.rows.reduce((n, x) => n + (x.kind === "update" ? 0 : x.reads), 0)).toBe(v.reads);
      expect(v.reads).toBeLessThanOrEqual(v.va?.reads.max ?? 0);
      expect(v.va?.memtype?.attr).toBe(r.memtype?.attr);
    }
  });
});

describe("hand-worked walks", () => {
  it("four levels by four: 16 stage-2 reads for the stage-1 tables, 4 stage-1 reads, 4 for the output IPA: 24", () => {
    const v = walk("guest-4x4", { mode: "va", addr: "0x765432101040", access: "r" });
    expect(v.va?.reads).toEqual({ s2: 20, s1: 4, total: 24, update: 0, n: 4, m: 4, max: 24 });
    expect(v.va?.rows.map((r) => [r.kind, r.s1Level, r.reads])).toEqual([
      ["s1", 0, 5],
      ["s1", 1, 5],
      ["s1", 2, 5],
      ["s1", 3, 5],
      ["output", null, 4],
    ]);
    // VA 0x765432101040 with 48-bit VAs: L0 = bits 47:39 = 0xec, L1 = 38:30 = 0x150, L2 = 29:21 = 0x190, L3 = 20:12 = 0x101, offset 0x40.
    expect(v.va?.segments.map((s) => [s.kind, s.level, s.hi, s.lo, s.value])).toEqual([
      ["upper", null, 63, 48, "0x0"],
      ["level", 0, 47, 39, "0xec"],
      ["level", 1, 38, 30, "0x150"],
      ["level", 2, 29, 21, "0x190"],
      ["level", 3, 20, 12, "0x101"],
      ["offset", null, 11, 0, "0x40"],
    ]);
    expect(v.va?.rows[0].label).toBe("stage-1 level 0: table at IPA 0x40000000, entry [236]");
    expect(v.va?.detail?.walk.levels.map((l) => l.level)).toEqual([0, 1, 2, 3]);
    expect(v.va?.memtype?.attr).toBe(0xff);
  });

  it("the framebuffer write: 3 stage-1 levels over 2M stage-2 blocks (2 reads each), Normal-NC", () => {
    const v = walk("guest-framebuffer-nc", { mode: "va", addr: "0xffffffc000001040", access: "w" });
    expect(v.va?.reads).toEqual({ s2: 8, s1: 3, total: 11, update: 0, n: 3, m: 3, max: 15 });
    expect([v.va?.memtype?.memtype, v.va?.memtype?.attr, v.va?.memtype?.sh]).toEqual(["Normal-NC", 0x44, 2]);
    // The combine panel opens on the same inputs: MAIR byte 0x44 over MemAttr 0x5 (MT_S2_FWB_NORMAL_NC), FWB.
    const link = combineLink(v.va!.memtype!);
    expect([link.s1, link.s2, link.s1Sh, link.s2Sh, link.fwb, link.ifetch]).toEqual(["0x44", "0x5", "3", "3", true, false]);
  });

  it("S1PTW: the guest's level-3 table page is unmapped at stage 2, a Translation fault, level 3, on the walk", () => {
    const v = walk("guest-s1ptw-fault", { mode: "va", addr: "0xffffff8000001000", access: "w" });
    const f = v.va!.fault!;
    expect([f.stage, f.title, f.level]).toEqual([2, "Translation fault", 3]);
    const reg = Object.fromEntries(f.rows.map((r) => [r.name, r.value]));
    // EC 0x24 << 26 | IL << 25 | S1PTW << 7 | WnR << 6 (the access's) | DFSC 0b000111 = 0x920000c7.
    expect(reg).toMatchObject({ ESR_EL2: "0x920000c7", EC: "0x24", S1PTW: "1", WnR: "1", DFSC: "0x7", HPFAR_EL2: "0x400020", FAR_EL2: "0xffffff8000001000" });
    // The fault is in the row of the stage-1 level-3 entry, at stage-2 level 3; nothing is read after it.
    const rows = v.va!.rows;
    expect(rows.map((r) => [r.kind, r.s1Level, r.s2Fault])).toEqual([
      ["s1", 1, false],
      ["s1", 2, false],
      ["s1", 3, true],
    ]);
    expect(rows[2].cells.map((c) => (c ? [c.level, c.fault] : null))).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(rows[2].read).toBeNull();
    // The walk drawn level by level is the one that faulted: of the level-3 entry's IPA, table 0x40002000 + 8 * 1.
    expect(v.va?.detail?.walk.report.ipa).toBe("0x40002008");
  });

  it("a 4K page in a broken 2M block: level bits 39:30, 29:21, 20:12 and a 12-bit offset", () => {
    const v = walk("map-page-inside-block", { mode: "ipa", addr: "0x40001234", access: "r" });
    expect(v.ipa?.segments.map((s) => [s.kind, s.level, s.hi, s.lo, s.value])).toEqual([
      ["level", 1, 39, 30, "0x1"],
      ["level", 2, 29, 21, "0x0"],
      ["level", 3, 20, 12, "0x1"],
      ["offset", null, 11, 0, "0x234"],
    ]);
    // 40-bit IPA with 4K pages: start level 1 over two concatenated root tables; bit 39 picks the table.
    expect(v.ipa?.segments[0].label).toBe("level 1 index (bits 39:39 pick one of 2 concatenated root tables)");
    expect(v.ipa?.levels.map((l) => l.rootPage)).toEqual([0, null, null]);
    expect(v.ipa?.result?.[0]).toBe("PA 0x90000234: level-3 page of 0x1000 bytes");
    // Each level's descriptor comes with its bit strip (the decoder's reading).
    expect(v.ipa?.levels[2].strip?.decoded.summary).toMatch(/^page -> 0x90000000/);
  });

  it("an instruction fetch from an XN page: Permission fault, HPFAR_EL2 UNKNOWN", () => {
    const v = walk("map-page-4k-rw", { mode: "ipa", addr: "0x40000000", access: "x" });
    const reg = Object.fromEntries(v.ipa!.fault!.rows.map((r) => [r.name, r.value]));
    // EC 0x20 << 26 | IL | IFSC 0b001111 (Permission, level 3) = 0x8200000f; no WnR for an instruction abort.
    expect(reg).toMatchObject({ ESR_EL2: "0x8200000f", EC: "0x20", IFSC: "0xf", HPFAR_EL2: "UNKNOWN" });
    expect(reg.WnR).toBeUndefined();
    expect(v.ipa?.levels.at(-1)?.fault).toBe(true);
  });

  it("a stage-1 attribute combined with the IPA walk's leaf, as --s1-attr", () => {
    const v = walk("map-page-4k-rw", { mode: "ipa", addr: "0x40000000", access: "r", s1Attr: "0x44", s1Sh: "3" });
    expect([v.ipa?.report.combined?.memtype, v.ipa?.report.combined?.attr]).toEqual(["Normal-WB", 0xff]);
  });
});

describe("a pasted scenario, and bad input", () => {
  const small = JSON.stringify({
    name: "pasted",
    config: { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: false, tlb_range: false },
    ops: [{ op: "map", ipa: "0x40000000", size: "0x1000", pa: "0x80000000", prot: "R|W|DEVICE", flags: "" }],
  });

  it("walks a pasted scenario", () => {
    const v = walk(PASTED, { paste: small, mode: "ipa", addr: "0x40000000", access: "w" });
    expect(v.reads).toBe(3);
    expect(v.ipa?.result?.[1]).toMatch(/^MemAttr 0x1 \(FWB off\): Device-nGnRE/);
    expect(v.scenario.ops).toHaveLength(1);
  });

  it.each([
    ["an empty paste", { scenario: PASTED, paste: "" }, "", "pasted scenario: empty: paste a scenario JSON object (FORMAT.md)"],
    ["a paste that is not JSON", { scenario: PASTED, paste: "{" }, "", "pasted scenario: not valid JSON: "],
    [
      "a paste too long",
      { scenario: PASTED, paste: "x".repeat(MAX_PASTE_CHARS + 1) },
      "",
      `pasted scenario: ${MAX_PASTE_CHARS + 1} characters; the page replays at most ${MAX_PASTE_CHARS}`,
    ],
    [
      "a VA without a guest",
      { scenario: "map-page-4k-rw", mode: "va", addr: "0x1000" },
      "map-page-4k-rw",
      "map-page-4k-rw: a VA needs a scenario with a 'guest' section",
    ],
    ["bare hex", { scenario: "map-page-4k-rw", mode: "ipa", addr: "40000000" }, "map-page-4k-rw", "IPA: '40000000' is not"],
    [
      "an unknown access",
      { scenario: "map-page-4k-rw", mode: "ipa", addr: "0x1", access: "q" },
      "map-page-4k-rw",
      "access: 'q' is not r (read), w (write) or x (execute)",
    ],
    ["EL2", { scenario: "map-page-4k-rw", mode: "ipa", addr: "0x1", el: "2" }, "map-page-4k-rw", "EL: '2' is not 0 or 1"],
    [
      "a stage-1 byte too large",
      { scenario: "map-page-4k-rw", mode: "ipa", addr: "0x1", s1Attr: "0x100" },
      "map-page-4k-rw",
      "stage-1 MAIR Attr: 0x100 is out of range (0..0xff)",
    ],
  ] as const)("%s is refused in one line", (_name, f, id, message) => {
    const r = walkView({ ...DEFAULT_WALK_FORM, ...f }, id === "" ? ((f as { paste?: string }).paste ?? "") : text(id));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.startsWith(message), r.error).toBe(true);
      expect(r.error).not.toContain("\n");
    }
  });

  it("an address beyond the IPA size is walked, and faults as the hardware does", () => {
    const v = walk("map-page-4k-rw", { mode: "ipa", addr: "0x10000000000", access: "r" });
    expect(v.reads).toBe(0);
    expect(v.ipa?.fault?.title).toBe("Translation fault");
    expect(v.ipa?.segments.map((s) => s.kind)).toEqual(["upper", "rest"]);
  });
});
