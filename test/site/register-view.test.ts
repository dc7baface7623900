// The register panel without a browser (src/site/register-view.ts): the
// values test/architecture/registers.test.ts works out from the Arm ARM's
// register descriptions, their fields and bits written out by hand here
// again (bit ranges, values, which bits break RES0/RES1), not taken from the
// decoder under test; the picker offers every register `s2pt reg --list`
// knows; bad input is one line naming the input, as the CLI says it.
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import {
  DEFAULT_REGISTER_FORM,
  REGISTER_CHOICES,
  canonicalRegister,
  parseRegisterValue,
  registerExamples,
  registerView,
  type RegisterForm,
  type RegisterView,
} from "../../src/site/register-view.js";

function reg(name: string, value: string, xs = false): RegisterView {
  const r = registerView({ name, value, xs });
  if (!r.ok) throw new Error(r.error);
  return r.view;
}

/** [bits, name, value] of every field the view lists. */
function fields(v: RegisterView): Array<[string, string, string]> {
  return v.decoded.fields.map((f) => [f.bits, f.name, f.value]);
}

/** The strip's bit values, 63 down to 0, as a string of 0s and 1s. */
function bitString(v: RegisterView): string {
  return v.bits.map((c) => c.value).join("");
}

/** The field named on the strip for a bit. */
function ownerOf(v: RegisterView, bit: number): string {
  const c = v.bits.find((x) => x.bit === bit)!;
  return v.decoded.fields[c.field].name;
}

/** The bits the strip flags, high to low. */
function flagged(v: RegisterView): number[] {
  return v.bits.filter((c) => c.problem !== undefined).map((c) => c.bit);
}

describe("the register picker", () => {
  it("offers every register s2pt reg --list knows, with its short forms, in its order", () => {
    const r = runCli(["reg", "--list", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as Array<{ name: string; aliases: string[]; title: string }>;
    expect(REGISTER_CHOICES.map((c) => [c.name, [...c.aliases], c.title])).toEqual(cli.map((c) => [c.name, c.aliases, c.title]));
    expect(REGISTER_CHOICES.find((c) => c.name === "ESR_EL2")?.label).toBe("ESR_EL2 (esr): Exception Syndrome Register (EL2)");
    expect(REGISTER_CHOICES.find((c) => c.name === "ESR_EL1")?.label).toBe("ESR_EL1: Exception Syndrome Register (EL1)");
  });

  it("takes a name as the CLI does: any case, or a short form", () => {
    expect(["esr", "ESR_EL2", "Esr_El2"].map(canonicalRegister)).toEqual(["ESR_EL2", "ESR_EL2", "ESR_EL2"]);
    expect(canonicalRegister("mmfr2")).toBe("ID_AA64MMFR2_EL1");
    expect(canonicalRegister("esr_el3")).toBeNull();
    expect(reg("vtcr", "0x802a3558").name).toBe("VTCR_EL2");
  });
});

describe("hand-checked values (Arm ARM register descriptions; the same values as test/architecture/registers.test.ts)", () => {
  it("ESR_EL2 0x93c08007: a stage-2 Data Abort, LDR X0 from an MMIO page", () => {
    // 1001 0011 1100 0000 1000 0000 0000 0111, bits 63:32 all 0.
    // EC [31:26] 100100 = 0x24 DABT_LOW; IL [25] 1; ISV [24] 1; SAS [23:22] 11; SSE [21] 0; SRT [20:16] 00000;
    // SF [15] 1; AR [14] 0; VNCR [13] 0; LST [12:11] 00; FnV [10] 0; EA [9] 0; CM [8] 0; S1PTW [7] 0; WnR [6] 0; DFSC [5:0] 000111.
    const v = reg("esr", "0x93c08007");
    expect(bitString(v)).toBe("0".repeat(32) + "10010011110000001000000000000111");
    expect(fields(v).filter(([bits]) => Number(bits.split(":")[0]) < 32)).toEqual([
      ["31:26", "EC", "0x24"],
      ["25", "IL", "0x1"],
      ["24", "ISV", "0x1"],
      ["23:22", "SAS", "0x3"],
      ["21", "SSE", "0x0"],
      ["20:16", "SRT", "0x0"],
      ["15", "SF", "0x1"],
      ["14", "AR", "0x0"],
      ["13", "VNCR", "0x0"],
      ["12:11", "LST", "0x0"],
      ["10", "FnV", "0x0"],
      ["9", "EA", "0x0"],
      ["8", "CM", "0x0"],
      ["7", "S1PTW", "0x0"],
      ["6", "WnR", "0x0"],
      ["5:0", "DFSC", "0x7"],
    ]);
    expect(v.decoded.fields.find((f) => f.name === "DFSC")?.meaning).toMatch(/Translation fault, level 3/);
    expect([31, 26, 25, 24, 23, 20, 16, 15, 7, 6, 5, 0].map((b) => ownerOf(v, b))).toEqual([
      "EC",
      "EC",
      "IL",
      "ISV",
      "SAS",
      "SRT",
      "SRT",
      "SF",
      "S1PTW",
      "WnR",
      "DFSC",
      "DFSC",
    ]);
    expect(v.decoded.problems).toEqual([]);
    expect(flagged(v)).toEqual([]);
    expect(v.geometry).toBeNull();
  });

  it("ESR_EL2 0x92000047: no instruction syndrome, so bits 23:14 are not SAS..AR", () => {
    // EC 100100, IL 1, ISV [24] 0; ISS[23:22] RES0; WnR [6] 1 (0x40); DFSC 000111.
    const v = reg("ESR_EL2", "0x92000047");
    expect(fields(v).find(([, n]) => n === "ISV")).toEqual(["24", "ISV", "0x0"]);
    expect(fields(v).find(([b]) => b === "23:22")).toEqual(["23:22", "RES0", "0x0"]);
    expect(v.decoded.fields.some((f) => f.name === "SAS")).toBe(false);
    expect(fields(v).find(([, n]) => n === "WnR")).toEqual(["6", "WnR", "0x1"]);
  });

  it("VTCR_EL2 0x802a3558, and the 4K 40-bit stage 2 it implies (kernel-reference.md 3.4: start level 1, 2 root pages)", () => {
    // 1000 0000 0010 1010 0011 0101 0101 1000: RES1 [31] 1; HA [21] 1; VS [19] 1; PS [18:16] 010 (40 bits);
    // TG0 [15:14] 00 (4K); SH0 [13:12] 11; ORGN0 [11:10] 01; IRGN0 [9:8] 01; SL0 [7:6] 01; T0SZ [5:0] 011000 = 24.
    const v = reg("VTCR_EL2", "0x802a3558");
    expect(bitString(v).slice(32)).toBe("10000000001010100011010101011000");
    const want: Array<[string, string, string]> = [
      ["31", "RES1", "0x1"],
      ["21", "HA", "0x1"],
      ["19", "VS", "0x1"],
      ["18:16", "PS", "0x2"],
      ["15:14", "TG0", "0x0"],
      ["13:12", "SH0", "0x3"],
      ["11:10", "ORGN0", "0x1"],
      ["9:8", "IRGN0", "0x1"],
      ["7:6", "SL0", "0x1"],
      ["5:0", "T0SZ", "0x18"],
    ];
    for (const w of want) expect(fields(v), w.join(" ")).toContainEqual(w);
    expect(v.decoded.problems).toEqual([]);
    // 64 - 24 = 40-bit IPA; 4K: level 3 takes IPA bits 20:12, level 2 29:21, level 1 the rest, 39:30 (10 bits:
    // 2 concatenated 512-entry tables). Leaves: 1G blocks at level 1, 2M at 2, 4K pages at 3.
    const g = v.geometry!;
    expect(g.title).toBe("4K granule, 40-bit IPA, 40-bit PA");
    expect([g.geometry.startLevel, g.geometry.pgdPages]).toEqual([1, 2]);
    expect(g.levels.map((l) => [l.level, l.ipaBits, l.entries, l.leafSize])).toEqual([
      [1, "39:30", 1024, 2 ** 30],
      [2, "29:21", 512, 2 ** 21],
      [3, "20:12", 512, 2 ** 12],
    ]);
    expect(g.shape).toBe("3 levels, start level 1, 2 concatenated root pages (8 KiB PGD)");
    expect(g.argv).toEqual(["geometry", "--granule", "4k", "--ia-bits", "40", "--pa-bits", "40"]);
    expect(v.extraLines.join()).toMatch(/this is the value kvm_get_vtcr\(\) writes/);
  });

  it("VTCR_EL2 0x802db590: 16K, 48-bit IPA, start level 1 with 2 root pages, no level-1 blocks", () => {
    // T0SZ 16 (0x10): 48-bit IPA; SL0 [7:6] 10; TG0 [15:14] 10 = 16K; PS [18:16] 101 = 48 bits.
    // 16K: level 3 takes bits 24:14, level 2 35:25, level 1 47:36 (12 bits: 2 concatenated 2048-entry tables).
    const v = reg("vtcr", "0x802db590");
    expect(fields(v)).toContainEqual(["15:14", "TG0", "0x2"]);
    expect(v.geometry?.levels.map((l) => [l.level, l.ipaBits, l.entries, l.leaf])).toEqual([
      [1, "47:36", 4096, "tables only"],
      [2, "35:25", 2048, "block 32 MiB"],
      [3, "24:14", 2048, "page 16 KiB"],
    ]);
  });

  it("HPFAR_EL2 0x400010: FIPA [47:4] = 0x40001, the page at IPA 0x40001000", () => {
    // 0x400010 = 0100 0000 0000 0000 0001 0000: bit 22 and bit 4 set; FIPA = 0x400010 >> 4 = 0x40001.
    const v = reg("hpfar", "0x400010");
    expect(fields(v)).toEqual([
      ["63", "NS", "0x0"],
      ["62:48", "RES0", "0x0"],
      ["47:4", "FIPA", "0x40001"],
      ["3:0", "RES0", "0x0"],
    ]);
    expect(v.bits.filter((c) => c.value === 1).map((c) => [c.bit, ownerOf(v, c.bit)])).toEqual([
      [22, "FIPA"],
      [4, "FIPA"],
    ]);
    expect(v.decoded.summary).toBe("faulting IPA page 0x40001000");
  });

  it("MAIR_EL1 0x000000040044f0ff: Linux's attributes, Attr<n> at bits 8n+7:8n", () => {
    // Attr0 0xff Normal WB, Attr1 0xf0 Tagged, Attr2 0x44 Normal-NC, Attr3 0x00 Device-nGnRnE, Attr4 0x04 Device-nGnRE.
    const v = reg("mair", "0x000000040044f0ff");
    expect(fields(v)).toEqual([
      ["63:56", "Attr7", "0x0"],
      ["55:48", "Attr6", "0x0"],
      ["47:40", "Attr5", "0x0"],
      ["39:32", "Attr4", "0x4"],
      ["31:24", "Attr3", "0x0"],
      ["23:16", "Attr2", "0x44"],
      ["15:8", "Attr1", "0xf0"],
      ["7:0", "Attr0", "0xff"],
    ]);
    expect(v.decoded.fields.find((f) => f.name === "Attr2")?.meaning).toMatch(/^0x44: Normal-NC \(MAIR_ATTR_NORMAL_NC\)/);
  });

  it("PAR_EL1 0xb0f: F = 1, a stage-2 fault on the stage-1 walk, Translation level 3", () => {
    // 1011 0000 1111: RES1 [11] 1, [10] 0, S [9] 1, PTW [8] 1, [7] 0, FST [6:1] 000111, F [0] 1.
    const v = reg("PAR_EL1", "0xb0f");
    for (const w of [
      ["11", "RES1", "0x1"],
      ["9", "S", "0x1"],
      ["8", "PTW", "0x1"],
      ["6:1", "FST", "0x7"],
      ["0", "F", "0x1"],
    ] as Array<[string, string, string]>)
      expect(fields(v)).toContainEqual(w);
    expect(v.decoded.summary).toBe("aborted at stage 2 on the stage-1 table walk (PTW): Translation fault, level 3");
  });

  it("every bit is owned by exactly one field, and the strip's bits are the value", () => {
    const values = ["0x0", "0xffffffffffffffff", "0x5555555555555555", "0x93c08007", "0x802a3558"];
    for (const c of REGISTER_CHOICES) {
      for (const value of values) {
        const v = reg(c.name, value);
        expect(v.bits.map((b) => b.bit)).toEqual(Array.from({ length: 64 }, (_, i) => 63 - i));
        expect(
          v.bits.every((b) => b.field >= 0),
          `${c.name} ${value}`,
        ).toBe(true);
        expect(BigInt(`0b${bitString(v)}`), `${c.name} ${value}`).toBe(BigInt(value));
        // The spans cover the bits in runs, one per field run.
        expect(v.spans.reduce((n, s) => n + s.hi - s.lo + 1, 0)).toBe(64);
      }
    }
  });
});

describe("RES0/RES1 violations and reserved encodings, flagged on the bits that break the rule", () => {
  it("ESR_EL2 0x92800007: ISV 0 with bit 23 set, ISS[23:22] are RES0 (bit 22 is clear, so only 23 is flagged)", () => {
    const v = reg("esr", "0x92800007");
    expect(flagged(v)).toEqual([23]);
    expect(v.bits.find((c) => c.bit === 23)?.problem).toBe("RES0 bit set: must be 0");
    expect(v.decoded.problems.join()).toMatch(/RES0\[23:22\]: RES0 bits set \(0b10\)/);
  });

  it("ESR_EL2 0x0100000092000047: bit 56 set, ESR[63:56] are RES0", () => {
    expect(flagged(reg("esr", "0x0100000092000047"))).toEqual([56]);
  });

  it("VTCR_EL2 0x002a3558: RES1 bit 31 clear", () => {
    const v = reg("vtcr", "0x002a3558");
    expect(flagged(v)).toEqual([31]);
    expect(v.bits.find((c) => c.bit === 31)?.problem).toBe("RES1 bit clear: must be 1");
  });

  it("VTCR_EL2 0x802af558: TG0 = 0b11 (bits 15:14) is reserved, both bits flagged, and no geometry", () => {
    // 0xf558: TG0 [15:14] 11. SL0 [7:6] 01 is read per granule (level 1 for 4K, 2 for 16K and 64K): with no
    // granule it names no start level, so it is flagged too.
    const v = reg("vtcr", "0x802af558");
    expect(flagged(v)).toEqual([15, 14, 7, 6]);
    expect(v.bits.find((c) => c.bit === 15)?.problem).toMatch(/TG0 = 0b11 is reserved/);
    expect(v.geometry).toBeNull();
    expect(v.extraLines).toEqual(["TG0 = 0b11 is reserved"]);
  });

  it("ESR_EL2 0x80000006: an Instruction Abort with IL (bit 25) clear, IL is RES1 for the class", () => {
    const v = reg("esr", "0x80000006");
    expect(flagged(v)).toEqual([25]);
  });

  it("MAIR_EL1 0x40: a reserved byte without FEAT_XS, valid with it", () => {
    expect(flagged(reg("mair", "0x40"))).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(flagged(reg("mair", "0x40", true))).toEqual([]);
  });
});

describe("bad input: one line naming the input, as the CLI says it", () => {
  const bad = (f: Partial<RegisterForm>): string => {
    const r = registerView({ ...DEFAULT_REGISTER_FORM, ...f });
    if (r.ok) throw new Error(`accepted ${JSON.stringify(f)}`);
    expect(r.error).not.toContain("\n");
    return r.error;
  };

  it("a value that is not 0x-prefixed hex, too wide, negative or empty", () => {
    expect(bad({ value: "93c08007" })).toBe("value: '93c08007' is not a 0x-prefixed hex number: if it is hex, write 0x93c08007");
    expect(bad({ value: "0xzz" })).toBe("value: '0xzz' is not a 0x-prefixed hex number");
    expect(bad({ value: "0x10000000000000000" })).toBe("value: '0x10000000000000000' does not fit in 64 bits");
    expect(bad({ value: "-0x1" })).toBe("value: '-0x1' is negative");
    expect(bad({ value: "  " })).toBe("value: type the register's value, 0x-prefixed hex (0x93c08007)");
  });

  it("the CLI refuses the same values with the same words", () => {
    for (const value of ["93c08007", "0xzz", "0x10000000000000000"]) {
      const r = runCli(["reg", "esr", value]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(bad({ value })).toContain(r.stderr.trim().replace(/^s2pt: /, ""));
    }
  });

  it("an unknown register (from a link) names the nearest", () => {
    expect(bad({ name: "esr_el3" })).toBe("register: 'esr_el3' is not a register s2pt decodes; did you mean ESR_EL2? (s2pt reg --list names them)");
    expect(bad({ name: "" })).toMatch(/^register: choose a register/);
  });

  it("parseRegisterValue reads what the CLI reads", () => {
    expect(parseRegisterValue(" 0X93C08007 ")).toBe(0x93c08007n);
    expect(parseRegisterValue("0xffffffffffffffff")).toBe(0xffffffffffffffffn);
  });
});

describe("the examples", () => {
  it("each decodes, names a register the picker has, and all but the RES0 one are clean", () => {
    const ex = registerExamples();
    expect(new Set(ex.map((e) => e.form.name)).size).toBeGreaterThanOrEqual(6);
    for (const e of ex) {
      const v = reg(e.form.name, e.form.value);
      expect(REGISTER_CHOICES.map((c) => c.name)).toContain(e.form.name);
      expect(v.decoded.problems.length > 0, e.label).toBe(/RES0/.test(e.label));
    }
    // KVM's VTCR_EL2 for a 4K, 40-bit IPA (built by stage2Geometry, the code of kvm_get_vtcr()): the hand-checked value.
    expect(ex.find((e) => e.form.name === "VTCR_EL2")?.form.value).toBe("0x802a3558");
  });
});
