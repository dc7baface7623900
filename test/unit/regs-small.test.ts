// Small register helpers against the Arm ARM: the PARange/PS/IPS encoding
// (0b000 32 bits ... 0b110 52 bits, 0b111 56 bits with FEAT_D128), FAR_ELx
// (bit 55 selects the TTBR region; KVM uses FAR[11:0] as the page offset of
// an MMIO IPA), and the register text layout. Sizes: 2^32 B = 4 GB, 2^36 =
// 64 GB, 2^40 = 1 TB, 2^42 = 4 TB, 2^44 = 16 TB, 2^48 = 256 TB, 2^52 = 4096 TB.
import { describe, expect, it } from "vitest";
import { PARANGE_BITS, paSizeWords } from "../../src/regs/pa-size.js";
import { decodeFar, farLayout, farPageOffset } from "../../src/regs/far.js";
import { formatRegister } from "../../src/regs/format.js";
import type { DecodedRegister } from "../../src/regs/field.js";

describe("paSizeWords", () => {
  it("every encoding", () => {
    expect(PARANGE_BITS).toEqual([32, 36, 40, 42, 44, 48, 52]);
    expect([0, 1, 2, 3, 4, 5, 6].map((e) => paSizeWords(e))).toEqual([
      { bits: 32, meaning: "0b000: 32 bits (4 GB)" },
      { bits: 36, meaning: "0b001: 36 bits (64 GB)" },
      { bits: 40, meaning: "0b010: 40 bits (1 TB)" },
      { bits: 42, meaning: "0b011: 42 bits (4 TB)" },
      { bits: 44, meaning: "0b100: 44 bits (16 TB)" },
      { bits: 48, meaning: "0b101: 48 bits (256 TB)" },
      { bits: 52, meaning: "0b110: 52 bits (4096 TB), FEAT_LPA / FEAT_LPA2" },
    ]);
    expect(paSizeWords(7)).toEqual({ bits: null, meaning: "0b111: 56 bits (FEAT_D128)" });
    expect(paSizeWords(8)).toEqual({ bits: null, meaning: "8: reserved", problem: "8 is not a PA size encoding" });
  });
});

describe("FAR_ELx", () => {
  it("bit 55 set: a TTBR1 VA; FAR[11:0] is the page offset; FAR_EL2 notes KVM's use", () => {
    expect(farPageOffset(0xffff_8000_1234_5678n)).toBe(0x678n);
    const d = decodeFar(0xffff_8000_1234_5678n);
    expect(d).toMatchObject({ register: "FAR_EL2", value: "0xffff800012345678", width: 64, problems: [] });
    expect(d.summary).toBe("faulting VA 0xffff800012345678 (TTBR1 (upper) region, offset 0x678 in a 4K page)");
    expect(d.fields.map((f) => [f.name, f.bits, f.value, f.meaning])).toEqual([
      ["VA", "63:0", "0xffff800012345678", "0xffff800012345678: a TTBR1 (upper) region VA by bit 55; page offset [11:0] = 0x678"],
    ]);
    expect(d.notes).toEqual([
      "valid only when ESR_ELx.FnV = 0; with TBI enabled the top byte may hold a tag",
      "KVM: FAR_EL2[11:0] completes the page-aligned IPA of an MMIO access (io_mem_abort()) and addresses the aborts KVM injects",
    ]);
  });
  it("bit 55 clear: a TTBR0 VA; FAR_EL1 is the guest's own", () => {
    const d = decodeFar(0x1234n, 1);
    expect(d.register).toBe("FAR_EL1");
    expect(d.summary).toBe("faulting VA 0x1234 (TTBR0 (lower) region, offset 0x234 in a 4K page)");
    expect(d.notes[1]).toBe("the guest's own fault address (EL1)");
    expect(farLayout(1)).toMatchObject({ register: "FAR_EL1", width: 64 });
    // Bit 55 alone decides, not bit 63.
    expect(decodeFar(0x0080_0000_0000_0000n).summary).toMatch(/TTBR1 \(upper\) region/);
    expect(decodeFar(0x8000_0000_0000_0000n).summary).toMatch(/TTBR0 \(lower\) region/);
    expect(() => decodeFar(-1n)).toThrow(/^value: /);
    expect(() => decodeFar(0n, 3 as never)).toThrow(/^el: /);
  });
});

describe("formatRegister", () => {
  const field = (name: string, bits: string, value: string, meaning: string, problem?: string): DecodedRegister["fields"][number] => ({
    name,
    bits,
    hi: 0,
    lo: 0,
    kind: "field",
    value,
    meaning,
    ...(problem ? { problem } : {}),
  });
  it("one line per field, columns padded to the widest entry, a problem line under its field, notes, the problem count", () => {
    const d: DecodedRegister = {
      register: "X_EL2",
      value: "0x5",
      width: 64,
      summary: "an example",
      fields: [field("A", "63:32", "0x0", "high half"), field("LONGNAME", "3", "1", "a bit", "RES0 bit set"), field("B", "2:0", "0x5", "low")],
      notes: ["first note"],
      problems: ["LONGNAME[3]: RES0 bit set", "another"],
    };
    expect(formatRegister(d).split("\n")).toEqual([
      "X_EL2 = 0x5  an example",
      "  [63:32]  A         0x0  high half",
      "  [3]      LONGNAME  1    a bit",
      // 2 + [bits] column (7) + 2 + name column (8) + 2 + value column (3) + 2 = 26 spaces.
      "                          ! RES0 bit set",
      "  [2:0]    B         0x5  low",
      "  note: first note",
      "  2 problems: LONGNAME[3]: RES0 bit set; another",
    ]);
    expect(
      formatRegister({ ...d, problems: ["one"] })
        .split("\n")
        .at(-1),
    ).toBe("  1 problem: one");
    expect(formatRegister({ ...d, notes: [], problems: [] }).split("\n").length).toBe(5);
  });
  it("refuses what is not a DecodedRegister", () => {
    const ok: DecodedRegister = { register: "R", value: "0x0", width: 8, summary: "", fields: [field("F", "7:0", "0x0", "m")], notes: [], problems: [] };
    expect(() => formatRegister(ok)).not.toThrow();
    for (const bad of [
      { ...ok, register: 1 },
      { ...ok, fields: [] },
      { ...ok, fields: "x" },
      { ...ok, notes: null },
      { ...ok, problems: {} },
    ])
      expect(() => formatRegister(bad as never)).toThrow("is not a DecodedRegister (a decode function of s2pt/regs makes one)");
    expect(() => formatRegister(null as never)).toThrow(/^d: /);
  });
});
