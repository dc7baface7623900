// A stage-1 fault taken to EL1 (HCR_EL2.TGE = 0), as the Arm ARM's ESR_ELx
// description gives it: EC 0x25 / 0x21 for a Data / Instruction Abort taken
// without a change of Exception level (an access at EL1), 0x24 / 0x20 from a
// lower level (EL0); IL (bit 25) = 1; ISV = 0; WnR (bit 6) for a data write
// only; DFSC/IFSC = EncodeLDFSC (0b0001LL Translation, 0b0010LL Access flag,
// 0b0011LL Permission, 0b0000LL Address size); FAR_EL1 = the VA. Every
// syndrome is assembled by hand in the comment above it.
import { describe, expect, it } from "vitest";
import { s1AbortEc, s1FaultReport } from "../../src/stage1/fault.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_ACCESS_FLAG, FAULT_ADDRESS_SIZE, FAULT_PERMISSION, FAULT_TRANSLATION } from "../../src/walker/fault.js";

describe("s1AbortEc", () => {
  it("EL1 data 0x25, EL1 fetch 0x21, EL0 data 0x24, EL0 fetch 0x20", () => {
    expect(s1AbortEc(ACCESS_READ, 1)).toBe(0x25);
    expect(s1AbortEc(ACCESS_WRITE, 1)).toBe(0x25);
    expect(s1AbortEc(ACCESS_EXEC, 1)).toBe(0x21);
    expect(s1AbortEc(ACCESS_READ, 0)).toBe(0x24);
    expect(s1AbortEc(ACCESS_WRITE, 0)).toBe(0x24);
    expect(s1AbortEc(ACCESS_EXEC, 0)).toBe(0x20);
  });
});

describe("s1FaultReport", () => {
  it("a data write at EL1, Translation fault level 2: DFSC 0x06, WnR: ISS 0x46, ESR_EL1 0x96000046", () => {
    // 0x25 << 26 = 0x94000000, | IL 0x02000000 = 0x96000000, | WnR 0x40 | 0x06.
    expect(s1FaultReport(FAULT_TRANSLATION, 2, ACCESS_WRITE, 1, true, 0xffff_0000_1234_5678n)).toEqual({
      stage: 1,
      type: "translation",
      title: "Translation fault",
      level: 2,
      fsc: 0x06,
      ec: 0x25,
      iss: 0x46,
      esr: 0x9600_0046,
      wnr: true,
      far: "0xffff000012345678",
    });
  });
  it("an instruction fetch at EL0, Permission fault level 3: IFSC 0x0f, no WnR even for a 'write': ESR_EL1 0x8200000f", () => {
    // 0x20 << 26 = 0x80000000 | IL | 0x0f.
    expect(s1FaultReport(FAULT_PERMISSION, 3, ACCESS_EXEC, 0, true, 0x40_0000n)).toMatchObject({
      type: "permission",
      title: "Permission fault",
      fsc: 0x0f,
      ec: 0x20,
      iss: 0x0f,
      esr: 0x8200_000f,
      wnr: false,
      far: "0x400000",
    });
  });
  it("a data read at EL0, Access flag fault level 1 (DFSC 0x09): ESR_EL1 0x92000009; a fetch at EL1, Address size level 0: 0x86000000", () => {
    expect(s1FaultReport(FAULT_ACCESS_FLAG, 1, ACCESS_READ, 0, false, 0n)).toMatchObject({
      type: "access_flag",
      fsc: 0x09,
      ec: 0x24,
      esr: 0x9200_0009,
      wnr: false,
      far: "0x0",
    });
    expect(s1FaultReport(FAULT_ADDRESS_SIZE, 0, ACCESS_EXEC, 1, false, 0n)).toMatchObject({ type: "address_size", fsc: 0x00, ec: 0x21, esr: 0x8600_0000 });
  });
  it("'no fault' and an unknown type are refused", () => {
    expect(() => s1FaultReport(0, 3, ACCESS_READ, 1, false, 0n)).toThrow(RangeError);
    expect(() => s1FaultReport(0, 3, ACCESS_READ, 1, false, 0n)).toThrow("not a fault: 0");
    expect(() => s1FaultReport(42, 3, ACCESS_READ, 1, false, 0n)).toThrow("not a fault: 42");
  });
});
