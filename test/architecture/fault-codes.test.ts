// Source of truth: arch-attributes.md section 5 (ASL EncodeLDFSC, IPAValid,
// AArch64_FaultSyndrome) with every code written out in binary. Complements
// faults.test.ts: the whole 6-bit code space, not only the codes the walker
// produces, and every field of a fault report.
import { describe, expect, it } from "vitest";
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  FAULT_ACCESS_FLAG,
  FAULT_ADDRESS_SIZE,
  FAULT_NONE,
  FAULT_PERMISSION,
  FAULT_TRANSLATION,
  decodeLDFSC,
  encodeLDFSC,
  faultEsr,
  faultIss,
  faultReport,
  hpfarOf,
  ipaFromHpfar,
  ipaValid,
  FAULT_EXTERNAL_WALK,
} from "../../src/walker/fault.js";

const FAULTS = [FAULT_TRANSLATION, FAULT_ACCESS_FLAG, FAULT_PERMISSION, FAULT_ADDRESS_SIZE];

describe("EncodeLDFSC / its inverse over the whole code space", () => {
  it("each of the 64 six-bit codes decodes to what the table names, anything else to no fault", () => {
    // The table (section 5): 0b0000LL Address size, 0b0001LL Translation,
    // 0b0010LL Access flag, 0b0011LL Permission (levels 0..3); level -1
    // 0b101001 Address size and 0b101011 Translation; level -2 0b101100 and
    // 0b101010. Every other code (external aborts, alignment, TLB conflict,
    // ...) is none of the four.
    const named = new Map<number, [number, number]>([
      [0b000000, [FAULT_ADDRESS_SIZE, 0]],
      [0b000001, [FAULT_ADDRESS_SIZE, 1]],
      [0b000010, [FAULT_ADDRESS_SIZE, 2]],
      [0b000011, [FAULT_ADDRESS_SIZE, 3]],
      [0b000100, [FAULT_TRANSLATION, 0]],
      [0b000101, [FAULT_TRANSLATION, 1]],
      [0b000110, [FAULT_TRANSLATION, 2]],
      [0b000111, [FAULT_TRANSLATION, 3]],
      [0b001000, [FAULT_ACCESS_FLAG, 0]],
      [0b001001, [FAULT_ACCESS_FLAG, 1]],
      [0b001010, [FAULT_ACCESS_FLAG, 2]],
      [0b001011, [FAULT_ACCESS_FLAG, 3]],
      [0b001100, [FAULT_PERMISSION, 0]],
      [0b001101, [FAULT_PERMISSION, 1]],
      [0b001110, [FAULT_PERMISSION, 2]],
      [0b001111, [FAULT_PERMISSION, 3]],
      [0b101001, [FAULT_ADDRESS_SIZE, -1]],
      [0b101011, [FAULT_TRANSLATION, -1]],
      [0b101100, [FAULT_ADDRESS_SIZE, -2]],
      [0b101010, [FAULT_TRANSLATION, -2]],
    ]);
    for (let code = -2; code < 70; code++) {
      const d = { type: 99, level: 99 };
      decodeLDFSC(code, d);
      const [type, level] = named.get(code) ?? [FAULT_NONE, 0];
      expect(d, `code ${code}`).toEqual({ type, level });
    }
    // 0x10 (synchronous external abort, not on a walk) and 0x21 (alignment) are real codes of other faults.
    for (const code of [0x10, 0x13, 0x14, 0x21, 0x30, 0x31]) expect(named.has(code)).toBe(false);
  });

  it("no code for a level the ASL calls Unreachable, or for what is not one of the four faults", () => {
    for (const t of FAULTS) {
      for (const level of [-3, 4, 0.5, 2.5, Number.NaN]) expect(encodeLDFSC(t, level), `type ${t} level ${level}`).toBe(-1);
    }
    // Access flag and Permission faults exist at levels 0..3 only.
    for (const level of [-2, -1]) {
      expect(encodeLDFSC(FAULT_ACCESS_FLAG, level)).toBe(-1);
      expect(encodeLDFSC(FAULT_PERMISSION, level)).toBe(-1);
    }
    for (const level of [-2, -1, 0, 1, 2, 3]) {
      expect(encodeLDFSC(FAULT_NONE, level)).toBe(-1);
      // 5 is FAULT_EXTERNAL_WALK (a memory image's walk): 0b0101LL, 0b010011 at level -1, 0b010010 at -2; 6 is no fault.
      expect(encodeLDFSC(FAULT_EXTERNAL_WALK, level)).toBe(level === -1 ? 0b010011 : level === -2 ? 0b010010 : 0b010100 | level);
      expect(encodeLDFSC(6, level)).toBe(-1);
    }
  });
});

describe("IPAValid (section 5: HPFAR_EL2 holds the IPA)", () => {
  it("final access: Translation, Address size, Access flag; on a stage-1 walk (S1PTW): those and Permission", () => {
    const rows: Array<[number, boolean, boolean]> = [
      [FAULT_NONE, false, false],
      [FAULT_NONE, true, false],
      [FAULT_TRANSLATION, false, true],
      [FAULT_TRANSLATION, true, true],
      [FAULT_ACCESS_FLAG, false, true],
      [FAULT_ACCESS_FLAG, true, true],
      [FAULT_ADDRESS_SIZE, false, true],
      [FAULT_ADDRESS_SIZE, true, true],
      [FAULT_PERMISSION, false, false],
      [FAULT_PERMISSION, true, true],
      [5, false, false],
      [5, true, false],
    ];
    for (const [t, s1ptw, valid] of rows) expect(ipaValid(t, s1ptw), `type ${t} s1ptw ${s1ptw}`).toBe(valid);
  });

  it("the IPA is HPFAR_EL2.FIPA [47:4] << 12 (arch-attributes.md section 5; KVM's FIELD_GET(HPFAR_EL2_FIPA) << 12)", () => {
    // Bits 3:0 and 63:48 are not FIPA: 0xffff_0000_0000_000f has none of it.
    expect(ipaFromHpfar(0xffff00000000000fn)).toBe(0n);
    // Bits 47:44 are FIPA too (IPA[55:52], FEAT_D128; RES0 without it): 0x0000_f000_0000_0000 -> IPA 0xf0_0000_0000_0000.
    expect(ipaFromHpfar(0x0000f00000000000n)).toBe(0xf0000000000000n);
    // FIPA all ones, [47:4] = 0xffff_ffff_fff0: IPA 0xff_ffff_ffff_f000.
    expect(ipaFromHpfar(0xffffffffffffffffn)).toBe(0xfffffffffff000n);
    expect(ipaFromHpfar(0x10n)).toBe(0x1000n);
    // IPA[11:0] is not in HPFAR; IPA[51:12] is.
    expect(hpfarOf(0xfffn)).toBe(0n);
    expect(hpfarOf(0xfffffffffffffffffn)).toBe(0xffffffffff0n); // 40 ones at [43:4]
  });
});

describe("ESR_EL2 ISS bits (AArch64_FaultSyndrome)", () => {
  it("S1PTW is bit 7, WnR bit 6 (data side only), xFSC bits 5:0; ISV 0", () => {
    // Translation level 1 on a stage-1 walk for a write: 0b1_1_000101 = 0xc5.
    expect(faultIss(FAULT_TRANSLATION, 1, ACCESS_WRITE, true, true)).toBe(0xc5);
    // The same for a read: 0b1_0_000101 = 0x85.
    expect(faultIss(FAULT_TRANSLATION, 1, ACCESS_READ, false, true)).toBe(0x85);
    // An instruction fetch's walk: no WnR even if asked.
    expect(faultIss(FAULT_ACCESS_FLAG, 2, ACCESS_EXEC, true, true)).toBe(0x8a);
    // ESR = 0x24 << 26 | IL (bit 25) | ISS: 0x90000000 | 0x02000000 | 0xc5.
    expect(faultEsr(FAULT_TRANSLATION, 1, ACCESS_WRITE, true, true)).toBe(0x920000c5);
    // Level -1 Translation on an instruction side walk: 0x80000000 | 0x02000000 | 0x80 | 0x2b.
    expect(faultEsr(FAULT_TRANSLATION, -1, ACCESS_EXEC, false, true)).toBe(0x820000ab);
  });

  it("a fault with no status code is refused with the fault and level named", () => {
    expect(() => faultIss(FAULT_PERMISSION, -1, ACCESS_READ, false)).toThrow(new RangeError("no fault status code for permission at level -1"));
    expect(() => faultIss(FAULT_ACCESS_FLAG, 4, ACCESS_READ, false)).toThrow("no fault status code for access_flag at level 4");
    expect(() => faultIss(7, 1, ACCESS_READ, false)).toThrow("no fault status code for 7 at level 1");
  });
});

describe("a fault report, every field", () => {
  it("Access flag at level 2 on a stage-1 walk, for a write: HPFAR names the table's IPA", () => {
    expect(faultReport(FAULT_ACCESS_FLAG, 2, ACCESS_WRITE, true, 0x4020_1ff8n, true)).toEqual({
      type: "access_flag",
      title: "Access flag fault",
      level: 2,
      fsc: 0b001010,
      ec: 0x24,
      iss: 0b1100_1010, // S1PTW | WnR | 0b001010
      esr: 0x920000ca,
      wnr: true,
      s1ptw: true,
      isv: false,
      hpfarValid: true,
      hpfar: "0x402010", // IPA[51:12] = 0x40201 in bits [43:4]
    });
  });

  it("Address size at level -1, instruction fetch; Permission on a walk reports HPFAR, on the access it does not", () => {
    expect(faultReport(FAULT_ADDRESS_SIZE, -1, ACCESS_EXEC, false, 0x1_0000_0000_0000n)).toEqual({
      type: "address_size",
      title: "Address size fault",
      level: -1,
      fsc: 0x29,
      ec: 0x20,
      iss: 0x29,
      esr: 0x82000029,
      wnr: false,
      s1ptw: false,
      isv: false,
      hpfarValid: true,
      hpfar: "0x10000000000", // IPA 2^48: IPA[51:12] = 2^36, placed at bit 4: 2^40
    });
    expect(faultReport(FAULT_PERMISSION, 3, ACCESS_READ, false, 0x5000n, true)).toMatchObject({
      title: "Permission fault",
      fsc: 0x0f,
      iss: 0x8f,
      hpfarValid: true,
      hpfar: "0x50",
    });
    expect(faultReport(FAULT_PERMISSION, 3, ACCESS_READ, false, 0x5000n)).toMatchObject({ iss: 0x0f, hpfarValid: false, hpfar: null });
    expect(faultReport(FAULT_TRANSLATION, 0, ACCESS_READ, false, 0n).title).toBe("Translation fault");
  });

  it("no report for what is not a fault", () => {
    expect(() => faultReport(FAULT_NONE, 3, ACCESS_READ, false, 0n)).toThrow(new RangeError("not a fault: 0"));
    expect(() => faultReport(9, 3, ACCESS_READ, false, 0n)).toThrow("not a fault: 9");
  });
});
