// src/stage1/describe.ts: the two-stage report of a stage-2 external abort on
// a walk, taken to EL2. examples/images/4k.json holds the stage-2 root
// (VTTBR_EL2 0x1000080000000: root PA 0x80000000; VTCR_EL2 0x80023558: 4K,
// T0SZ 24 (40-bit IPA), start level 1, PS 40 bits) whose entry [3]
// (IPA 0xc0000000-0xffffffff) is 0x90000003: a table at PA 0x90000000, which
// the image does not hold. A stage-2 walk of any IPA there reads its level-2
// entry at 0x90000000 + 8 * IPA[29:21] and fails (ASL FetchDescriptor ->
// HandleExternalTTWAbort): a synchronous external abort on the walk, level 2,
// xFSC 0b010110 = 0x16. Taken to EL2 from EL1: ESR_EL2 EC 0x24 (Data Abort from
// a lower Exception level), IL (bit 25), S1PTW (bit 7) when the access was
// the stage-1 walk's own read; HPFAR_EL2 is UNKNOWN (ASL IPAValid holds only
// for Translation, Access flag and Address size faults). The guest's stage-1
// root is at IPA 0x40003000 (PA 0x80004000); the tests add one entry to it.
// Written for the last two surviving mutants of src/stage1/describe.ts
// (issue 23); every value worked by hand from the image's words above.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { imageFromJson } from "../../src/scenario/image.js";
import { ImageTables, s2WalkParams } from "../../src/walker/image.js";
import { S2Walker } from "../../src/walker/translate.js";
import { ACCESS_READ } from "../../src/walker/fault.js";
import { guestConfigFromRegisters } from "../../src/stage1/image.js";
import { NestedWalker } from "../../src/stage1/walk.js";
import { formatNestedReport, walkVa } from "../../src/stage1/describe.js";
import { repoRoot } from "../helpers.js";

const IMAGE = readFileSync(join(repoRoot, "examples", "images", "4k.json"), "utf8");
// TCR_EL1 0x280990019: T0SZ 25 (39-bit VA, start level 1), EPD1, TG1 4K, IPS 40 bits; SCTLR_EL1.M; HCR_EL2.VM.
const CFG = guestConfigFromRegisters({ ttbr0: 0x40003000n, ttbr1: 0n, tcr: 0x280990019n, mair: 0xffn, sctlr: 0x1n, hcr: 0x1n }).cfg;

/** The image with stage-1 root entry [index] (at PA 0x80004000 + 8 * index) set to `desc`. */
function nested(index: number, desc: number): NestedWalker {
  const mem = imageFromJson(IMAGE);
  mem.write64(0x80004000 + 8 * index, desc, 0);
  const p = s2WalkParams({ vttbr: 0x1000080000000n, vtcr: 0x80023558n, fwb: false });
  return new NestedWalker(new S2Walker(new ImageTables(mem, p), { ha: p.ha, hd: p.hd }), mem, CFG);
}

describe("a stage-2 external abort on the walk, told as taken to EL2 with HPFAR_EL2 UNKNOWN", () => {
  it("the final access: VA 0xc0000123 -> (stage-1 1G block 0xc0000701) IPA 0xc0000123, whose stage-2 level-2 entry at PA 0x90000000 cannot be read", () => {
    // Root [3] (VA 0xc0000000): a 1G block, AF 0x400, SH ISH 0x300, AttrIndx 0: 0xc0000701.
    const nw = nested(3, 0xc0000701);
    const r = walkVa(nw, 0xc0000123n, ACCESS_READ, 1);
    expect([r.fault?.stage, r.fault?.type, r.fault?.level, r.fault?.fsc]).toEqual([2, "external_abort_walk", 2, 0x16]);
    // The stage-1 walk itself succeeded: its one entry was read (at PA 0x80004018) and gave the IPA.
    expect(r.steps.map((s) => [s.level, s.entryIpa, s.entryPa, s.descriptor])).toEqual([[1, "0x40003018", "0x80004018", "0xc0000701"]]);
    expect(r.ipa).toBe("0xc0000123");
    const L = formatNestedReport(nw, r, () => "").split("\n");
    // ESR_EL2 = 0x24 << 26 | IL 0x2000000 | DFSC 0x16 = 0x92000016; S1PTW 0: the access's own stage-2 walk.
    expect(L).toContain("  ESR_EL2 0x92000016: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 0, WnR 0, DFSC 0x16; FAR_EL2 0xc0000123");
    expect(L).toContain("  HPFAR_EL2 UNKNOWN: not valid for an external abort (ASL IPAValid)");
    expect(L.some((l) => l.startsWith("  HPFAR_EL2 0x"))).toBe(false);
  });

  it("the stage-1 walk's read: VA 0x100000000 -> root [4] a table at IPA 0xc0000000, whose stage-2 walk fails at level 2: S1PTW 1", () => {
    // Root [4] (VA 0x100000000): a table descriptor (0b11) to IPA 0xc0000000.
    const nw = nested(4, 0xc0000003);
    const r = walkVa(nw, 0x100000000n, ACCESS_READ, 1);
    expect([r.fault?.stage, r.fault?.type, r.fault?.level, r.fault?.fsc]).toEqual([2, "external_abort_walk", 2, 0x16]);
    // The level-2 entry's IPA is 0xc0000000 + 8 * VA[29:21] = 0xc0000000; stage 2 never gave it a PA, so it was never
    // read: no PA and no descriptor for it (the root entry before it was read).
    expect(r.steps.map((s) => [s.level, s.entryIpa, s.entryPa, s.descriptor])).toEqual([
      [1, "0x40003020", "0x80004020", "0xc0000003"],
      [2, "0xc0000000", null, null],
    ]);
    const L = formatNestedReport(nw, r, () => "").split("\n");
    // ESR_EL2 = 0x92000016 | S1PTW 0x80 = 0x92000096 (WnR 0: the walk's read).
    expect(L).toContain("  ESR_EL2 0x92000096: EC 0x24 (Data Abort from a lower Exception level), IL 1, ISV 0, S1PTW 1, WnR 0, DFSC 0x16; FAR_EL2 0x100000000");
    expect(L).toContain("  HPFAR_EL2 UNKNOWN: not valid for an external abort (ASL IPAValid)");
  });
});
