// set_pte, the guest's raw descriptors and s2pt at, with the CLI as a real
// process (the built dist/src/cli/main.js): the answers on the example, then
// bad input, each refused with exit 2, one line on stderr naming the field,
// nothing on stdout, no stack trace. Expected PAR_EL1 values are worked by
// hand in test/architecture/raw-descriptors-at.test.ts's way:
// ATTR << 56 | PA | 0x800 (NSE, RES1) | SH << 7 on success;
// S << 9 | PTW << 8 | 0x800 | FST << 1 | 1 on a fault.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot, "dist", "src", "cli", "main.js");
const EX = join(repoRoot, "examples", "at-raw-descriptors.json");
const tmp = mkdtempSync(join(tmpdir(), "s2pt-rawat-"));
let n = 0;

function run(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 20_000 });
}
function file(doc: unknown): string {
  const p = join(tmp, `s${n++}.json`);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}
function refused(r: SpawnSyncReturns<string>, msg: RegExp): void {
  expect(r.error).toBeUndefined();
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/^s2pt: [^\n]+\n$/);
  expect(r.stderr).toMatch(msg);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const CONFIG = { granule: 4096, ia_bits: 40, pa_bits: 48, lpa2: false, fwb: false, tlb_range: false };
const POOL = { op: "map", ipa: "0x40000000", size: "0x10000", pa: "0x80000000", prot: "R|W", flags: "" };
const GUEST = { tcr: { t0sz: 25, tg0: 4096, ips: 40 }, mair: "0x000000000044ff04", table_pool: { ipa: "0x40000000", size: "0x10000" } };
const scn = (ops: unknown[], guest: unknown = GUEST): string => file({ name: "t", config: CONFIG, ops: [POOL, ...ops], guest });

describe("s2pt at on examples/at-raw-descriptors.json", () => {
  it("AT S12E1R: the PA and the combined attributes (guest WB over the raw stage-2 WT/WT, SH NSH page)", () => {
    // VA 0x1000 -> IPA 0x50000000 (MAIR Attr1 0xff, SH ISH) -> PA 0x90000000, MemAttr 0b1010 WT/WT: 0xbb, ISH.
    const r = run(["at", "S12E1R", EX, "--va", "0x1000", "--json"]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(JSON.parse(r.stdout)).toEqual({
      insn: "S12E1R",
      va: "0x1000",
      from_el: 2,
      par: "0xbb00000090000980",
      f: 0,
      oa: "0x90000000",
      attr: "0xbb",
      sh: 3,
      ns: 0,
      memtype: "Normal-WT",
    });
  });
  it("AT S1E1R on the same tables: the IPA and the stage-1 attributes; the text form decodes PAR_EL1", () => {
    const r = run(["at", "s1e1r", EX, "--va", "0x1000"]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("AT S1E1R 0x1000, executed at EL2");
    expect(r.stdout).toContain("IPA (stage 1 only) 0x50000000, Normal-WB");
    expect(r.stdout).toContain("PAR_EL1 = 0xff00000050000980");
  });
  it("AT S1E1W through the APTable = 0b10 table: a stage-1 Permission fault, level 3 (F = 1, FST 0x0f)", () => {
    const r = run(["at", "S1E1W", EX, "--va", "0x40000000", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ par: "0x81f", f: 1, fst: "0x0f", s: 0, ptw: 0 });
  });
  it("s2pt walk and s2pt dump read the raw entries like any other", () => {
    const w = run(["walk", EX, "--ipa", "0x50000123"]);
    expect(w.status, w.stderr).toBe(0);
    expect(w.stdout).toContain("0x90000123");
    // The ptdump line of the raw page: S2AP RW, XN, AF, and MemAttr 0b1010 read with FWB off: Normal-WT.
    const d = run(["dump", EX]);
    expect(d.status, d.stderr).toBe(0);
    expect(d.stdout).toContain("0x0000000050000000-0x0000000050001000           4K 3   R W NX AF       Normal-WT");
  });
});

describe("bad input for set_pte, the guest's descriptors and AT: exit 2, one line naming the field", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["set_pte level out of range", ["replay", scn([{ op: "set_pte", ipa: "0x50000000", level: 5, pte: "0x0" }])], /ops\[1\]\.level: 5 is outside -1\.\.3/],
    [
      "set_pte level above the start level",
      ["replay", scn([{ op: "set_pte", ipa: "0x0", level: 0, pte: "0x0" }])],
      /ops\[1\]\.level \(set_pte\): 0 is above the start level 1/,
    ],
    [
      "set_pte unaligned ipa",
      ["replay", scn([{ op: "set_pte", ipa: "0x50000800", level: 3, pte: "0x0" }])],
      /ops\[1\]\.ipa \(set_pte\): 0x50000800 is not aligned to the level-3 entry size 0x1000/,
    ],
    [
      "set_pte ipa beyond the IPA space",
      ["replay", scn([{ op: "set_pte", ipa: "0x10000000000", level: 3, pte: "0x0" }])],
      /ops\[1\]\.ipa \(set_pte\): .*40-bit IPA/,
    ],
    ["set_pte descriptor not 0x-hex", ["replay", scn([{ op: "set_pte", ipa: "0x50000000", level: 3, pte: "12345" }])], /ops\[1\]\.pte: /],
    ["set_pte descriptor over 64 bits", ["replay", scn([{ op: "set_pte", ipa: "0x50000000", level: 3, pte: "0x10000000000000000" }])], /ops\[1\]\.pte: /],
    [
      "set_pte descriptor as a JSON number",
      ["replay", scn([{ op: "set_pte", ipa: "0x50000000", level: 3, pte: 1 }])],
      /ops\[1\]\.pte: expected a 0x-prefixed hex string/,
    ],
    [
      "set_pte block at level 3",
      ["replay", scn([{ op: "set_pte", ipa: "0x50000000", level: 3, pte: "0x90000401" }])],
      /ops\[1\]\.pte \(set_pte\): 0x90000401 is a block descriptor .* at level 3/,
    ],
    [
      "set_pte table descriptor",
      ["replay", scn([{ op: "set_pte", ipa: "0x40000000", level: 1, pte: "0x80000003" }])],
      /ops\[1\]\.pte \(set_pte\): 0x80000003 is a table descriptor/,
    ],
    [
      "set_pte Contiguous leaf not in its run",
      ["replay", scn([{ op: "set_pte", ipa: "0x50003000", level: 3, pte: "0x100000900004c3" }])],
      /ops\[1\]\.pte \(set_pte\): .*Contiguous bit .* entry 0 of its 0x10000 run but the IPA is entry 3/,
    ],
    [
      "set_pte under a block",
      [
        "replay",
        scn([
          { op: "set_pte", ipa: "0x80000000", level: 2, pte: "0x900004c1" },
          { op: "set_pte", ipa: "0x80001000", level: 3, pte: "0x0" },
        ]),
      ],
      /ops\[2\]\.ipa \(set_pte\): 0x80001000 is covered by the level-2 block/,
    ],
    ["at: unknown instruction", ["replay", scn([{ op: "at", insn: "S1E2R", va: "0x1000" }])], /ops\[1\]\.insn: 'S1E2R' is not an AT instruction s2pt models/],
    ["at: VA over 64 bits", ["replay", scn([{ op: "at", insn: "S1E1R", va: "0x1ffffffffffffffff" }])], /ops\[1\]\.va: /],
    [
      "at: S12E1R from EL1",
      ["replay", scn([{ op: "at", insn: "S12E1R", va: "0x1000", from_el: 1 }])],
      /ops\[1\]\.from_el \(at\): AT S12E1R at EL1 is UNDEFINED/,
    ],
    ["at: from_el 3", ["replay", scn([{ op: "at", insn: "S1E1R", va: "0x1000", from_el: 3 }])], /ops\[1\]\.from_el: 3 is outside 1\.\.2/],
    [
      "at without a guest section",
      ["replay", file({ name: "t", config: CONFIG, ops: [{ op: "at", insn: "S1E1R", va: "0x1000" }] })],
      /ops\[0\]: at needs a top-level 'guest' section/,
    ],
    [
      "guest descriptor VA beyond the TTBR0 range",
      ["replay", scn([], { ...GUEST, descriptors: [{ va: "0x8000000000", level: 3, pte: "0x0" }] })],
      /guest\.descriptors\[0\]\.va: 0x8000000000 is outside the TTBR0 region 0x0\.\.0x7fffffffff/,
    ],
    [
      "guest descriptor VA not aligned to its level",
      ["replay", scn([], { ...GUEST, descriptors: [{ va: "0x1000", level: 2, pte: "0x0" }] })],
      /guest\.descriptors\[0\]\.va: 0x1000 is not aligned to the level-2 entry size 0x200000/,
    ],
    [
      "guest descriptor above the start level",
      ["replay", scn([], { ...GUEST, descriptors: [{ va: "0x0", level: 0, pte: "0x0" }] })],
      /guest\.descriptors\[0\]\.level: 0 is above the TTBR0 start level 1/,
    ],
    [
      "guest descriptor: a block at level 3",
      ["replay", scn([], { ...GUEST, descriptors: [{ va: "0x1000", level: 3, pte: "0x50000401" }] })],
      /guest\.descriptors\[0\]\.pte: 0x50000401 is a block descriptor/,
    ],
    [
      "guest descriptor: an unknown field",
      ["replay", scn([], { ...GUEST, descriptors: [{ va: "0x1000", level: 3, pte: "0x0", attr: 1 }] })],
      /guest\.descriptors\[0\]: unknown field 'attr'/,
    ],
    [
      "guest descriptor: a Contiguous page not in its run",
      // OA 0x50000000 is entry 0 of its 16-page run, VA 0x3000 entry 3.
      ["replay", scn([{ op: "at", insn: "S1E1R", va: "0x3000" }], { ...GUEST, descriptors: [{ va: "0x3000", level: 3, pte: "0x10000050000443" }] })],
      /guest\.descriptors\[0\]\.pte: .*Contiguous bit .* entry 0 of its 16-entry run but the VA is entry 3/,
    ],
    [
      "guest descriptor: the same entry twice",
      [
        "replay",
        scn([{ op: "at", insn: "S1E1R", va: "0x3000" }], {
          ...GUEST,
          descriptors: [
            { va: "0x3000", level: 3, pte: "0x50003443" },
            { va: "0x3000", level: 3, pte: "0x0" },
          ],
        }),
      ],
      /guest\.descriptors\[1\]: the level-3 entry for VA 0x3000 already holds 0x50003443/,
    ],
    ["s2pt check refuses set_pte", ["check", scn([{ op: "set_pte", ipa: "0x50000000", level: 3, pte: "0x0" }])], /ops\[1\] \(set_pte\): s2pt check compares/],
    ["s2pt at: unknown instruction", ["at", "S1E0R", EX, "--va", "0x1000"], /insn: 'S1E0R' is not an AT instruction/],
    ["s2pt at: --va missing", ["at", "S1E1R", EX], /--va/],
    ["s2pt at: --va not 0x-hex", ["at", "S1E1R", EX, "--va", "4096"], /--va: /],
    ["s2pt at: S12E1W from EL1", ["at", "S12E1W", EX, "--va", "0x1000", "--from-el", "1"], /--from-el: AT S12E1W is UNDEFINED at EL1/],
    [
      "s2pt at: a scenario without a guest",
      ["at", "S1E1R", join(repoRoot, "test", "fixtures", "shared", "conformance", "scenarios", "map-page-4k-rw.json"), "--va", "0x1000"],
      /AT needs a scenario with a 'guest' section/,
    ],
  ];
  for (const [what, args, msg] of cases) it(what, () => refused(run(args), msg));
});
