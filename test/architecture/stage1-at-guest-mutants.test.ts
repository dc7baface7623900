// src/stage1/at.ts and guest.ts: AT S1E1R/W and S12E1R/W and the PAR_EL1
// they leave (Arm ARM PAR_EL1, 64-bit format: F = 0: ATTR[63:56], PA[47:12],
// NSE bit 11 = 1, SH[8:7]; F = 1: FST[6:1], PTW bit 8, S bit 9, bit 11 RES1;
// the Arm ARM's "Exceptions to reporting the fault in PAR_EL1": an AT S1E1*
// at EL1 whose stage-1 walk takes a stage-2 fault takes it to EL2 with
// S1PTW = 1, CM = 1, WnR = 1), the attributes per arch-attributes.md 1-3
// (SH 0b01 is reserved: CONSTRAINED UNPREDICTABLE; a MAIR byte with an
// inner half 0b0000 and a non-Device outer half is reserved), and HPFAR_EL2
// valid for a stage-2 Permission fault on a stage-1 table walk (ASL
// IPAValid: every stage-2 fault but a Permission fault on the final access).
// The guest of test/helpers-guest.ts: 4K, 39-bit VA, its table pool at IPA
// 0x40000000 (PA 0x80010000), Linux's MAIR_EL1 (Attr0 0xff, Attr2 0x44,
// Attr3 0x00). Written for the surviving mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { guestJson, setup, S2_4K } from "../helpers-guest.js";
import { atInstruction, parFaultValue } from "../../src/stage1/at.js";
import { builtGuest, guestOf, nestedMemType, nestedWalker } from "../../src/stage1/guest.js";
import { NestedWalker } from "../../src/stage1/walk.js";
import { GuestMemory } from "../../src/stage1/memory.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { S2Walker } from "../../src/walker/translate.js";
import { parseGuest } from "../../src/scenario/guest.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { InputError } from "../../src/pgtable/u64.js";
import { ACCESS_READ } from "../../src/walker/fault.js";

// VA 0x1000 -> IPA 0x50000000 (one page), stage 2 maps it at PA 0x90000000.
const MAP: Array<[number, number, number, string]> = [[0x50000000, 0x1000, 0x90000000, "R|W"]];
const one = (m: Record<string, unknown> = {}, g: Record<string, unknown> = {}): Record<string, unknown> =>
  guestJson({ mappings: [{ va: "0x1000", size: "0x1000", ipa: "0x50000000", attrindx: 0, ...m }], ...g });

describe("AT: PAR_EL1 on success", () => {
  it("SH 0 (Non-shareable) is reported as 0, not as open; no permitted list", () => {
    const s = setup(one({ sh: 0 }), MAP);
    // S1E1R: ATTR 0xff, IPA 0x50000000, NSE, SH 0: 0xff00000050000800.
    expect(atInstruction(s.nw, "S1E1R", 0x1000n, 1)).toEqual({
      insn: "S1E1R",
      va: "0x1000",
      from_el: 1,
      par: "0xff00000050000800",
      f: 0,
      oa: "0x50000000",
      attr: "0xff",
      sh: 0,
      ns: 0,
      memtype: expect.any(String),
    });
    // The walker is left in two-stage mode: the next plain translate reaches the PA.
    expect(s.nw.s1Only).toBe(false);
    expect(s.nw.translate(0x1000, 0, ACCESS_READ, 1)).toBe(0);
    expect(s.nw.pa).toBe(0x90000000);
  });

  it("Device-nGnRnE (MAIR 0x00, ATTR 0): reported, no permitted list", () => {
    const s = setup(one({ attrindx: 3 }), MAP);
    // Device is Outer Shareable whatever the descriptor: 0x00 << 56 | 0x50000000 | 0x800 | 2 << 7 = 0x50000900.
    const r = atInstruction(s.nw, "S1E1R", 0x1000n, 1);
    expect(r).toMatchObject({ par: "0x50000900", attr: "0x00", sh: 2 });
    expect(r.permitted).toBeUndefined();
  });

  it("SH 0b01 (reserved): ATTR given, SH open, so no single PAR_EL1 value; the permitted SH values listed", () => {
    const s = setup(one({ sh: 1 }), MAP);
    const r = atInstruction(s.nw, "S1E1R", 0x1000n, 1);
    expect(r.par).toBeNull();
    expect(r.attr).toBe("0xff");
    expect(r.sh).toBeNull();
    expect(r.permitted?.attr).toEqual(["0xff"]);
    expect(r.permitted?.sh.length).toBeGreaterThan(1);
  });

  it("a reserved MAIR byte (0x40: outer Non-cacheable, inner 0b0000): ATTR open; with SH OSH every outcome is OSH, so SH is given", () => {
    // PAREncodeShareability: Device and Non-cacheable results report OSH, the others the descriptor's SH (here OSH too).
    const s = setup(one({ sh: 2 }, { mair: "0x40" }), MAP);
    const r = atInstruction(s.nw, "S1E1R", 0x1000n, 1);
    expect(r.par).toBeNull();
    expect(r.attr).toBeNull();
    expect(r.sh).toBe(2);
    expect(r.permitted?.attr.length).toBeGreaterThan(1);
    expect(r.permitted?.sh).toEqual([2]);
  });
});

describe("AT: faults", () => {
  it("AT S1E1R at EL1 whose table walk takes a stage-2 Permission fault: to EL2, HPFAR_EL2 valid (a fault on the walk)", () => {
    // The pool mapped write-only: the walk's read of the root entry (IPA 0x40000000) is refused at stage 2, level 3.
    const s = setup(one(), MAP, {}, { poolProt: "W" });
    // ESR_EL2: EC 0x24 (0x90000000), IL (0x2000000), CM 0x100, S1PTW 0x80, WnR 0x40, DFSC Permission level 3 0x0f.
    expect(atInstruction(s.nw, "S1E1R", 0x1000n, 1)).toEqual({
      insn: "S1E1R",
      va: "0x1000",
      from_el: 1,
      par: null,
      f: null,
      exception: { to_el: 2, type: "permission", level: 3, s1ptw: true, esr_el2: "0x920001cf", hpfar: "0x400000" },
    });
    // At EL2 the same fault is reported in PAR_EL1: S 1, PTW 1, FST 0x0f: 0x200 | 0x100 | 0x800 | 0x1e | 1 = 0xb1f.
    expect(atInstruction(s.nw, "S1E1R", 0x1000n, 2)).toMatchObject({ par: "0xb1f", f: 1, fst: "0x0f", s: 1, ptw: 1 });
  });

  it("AT S12E1R at EL1 is UNDEFINED: refused, naming from_el", () => {
    const s = setup(one(), MAP);
    expect(() => atInstruction(s.nw, "S12E1R", 0x1000n, 1)).toThrow(ArgumentError);
    expect(() => atInstruction(s.nw, "S12E1W", 0x1000n, 1)).toThrow(/^from_el: AT S12E1W at EL1 is UNDEFINED \(trapped to EL2 only with nested virtualization/);
    expect(atInstruction(s.nw, "S12E1R", 0x1000n, 2)).toMatchObject({ f: 0, oa: "0x90000000" });
  });

  it("arguments refused by name", () => {
    const s = setup(one(), MAP);
    expect(() => atInstruction({} as never, "S1E1R", 0n, 1)).toThrow(/^w: .*a NestedWalker/);
    expect(() => atInstruction(s.nw, "S1E2R", 0n, 1)).toThrow(/^insn: /);
    expect(() => atInstruction(s.nw, "S1E1R", 1 as never, 1)).toThrow(/^va: /);
    expect(() => atInstruction(s.nw, "S1E1R", 0n, 3)).toThrow(/^fromEl: /);
    expect(() => parFaultValue(0x40, 0, 0)).toThrow(/^fst: .*a fault status code/);
    expect(() => parFaultValue(7, 2 as never, 0)).toThrow(/^s: /);
    expect(() => parFaultValue(7, 0, 2 as never)).toThrow(/^ptw: /);
    expect(parFaultValue(7, 1, 1)).toBe(0xb0fn);
  });
});

describe("guest.ts: one guest per stage-2 table, built once", () => {
  it("guestOf builds on the first call and returns the same guest after (even with no spec); none and no spec is refused", () => {
    const pgt = new KvmPgtable(S2_4K);
    expect(pgt.map(0x40000000, 0x10000, 0x80010000, 7, 0)).toBe(0);
    expect(() => guestOf(pgt, null, "at op 2")).toThrow(/^at op 2: the scenario has no 'guest' section \(the guest's stage-1 setup\)$/);
    expect(() => guestOf(pgt, null, "at op 2")).toThrow(InputError);
    expect(builtGuest(pgt)).toBeUndefined();
    const spec = parseGuest(one(), "guest", S2_4K);
    const g = guestOf(pgt, spec, "a");
    expect(builtGuest(pgt)).toBe(g);
    expect(guestOf(pgt, spec, "b")).toBe(g);
    expect(guestOf(pgt, null, "c")).toBe(g);
    expect(() => builtGuest({} as never)).toThrow(/^pgt: .*a KvmPgtable/);
  });

  it("nestedWalker checks the guest; nestedMemType needs stage 2", () => {
    const s = setup(one(), MAP);
    expect(() => nestedWalker({} as never, s.s2)).toThrow(/^g\.mem: .*buildGuest\(\) or builtGuest\(\)/);
    expect(() => nestedWalker({ mem: s.guest.mem } as never, s.s2)).toThrow(/^g\.config: /);
    expect(nestedWalker(s.guest, s.s2)).toBeInstanceOf(NestedWalker);
    const off = new NestedWalker(null, new GuestMemory(), s.guest.config, 48);
    expect(() => nestedMemType(off, ACCESS_READ)).toThrow(ArgumentError);
    expect(() => nestedMemType(off, ACCESS_READ)).toThrow(/^w: stage 2 is off \(HCR_EL2\.VM = 0\): the memory type is stage 1's alone, nothing to combine$/);
    expect(new S2Walker(s.pgt)).toBeInstanceOf(S2Walker);
  });
});
