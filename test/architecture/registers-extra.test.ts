// What src/kvm/registers.ts adds to the field decoders: whether a VTCR_EL2 is
// the value kvm_get_vtcr() writes (kernel-reference.md 3.3: VTCR_EL2_FLAGS =
// SH0 3 << 12 | ORGN0 1 << 10 | IRGN0 1 << 8, TG0, PS, T0SZ = 64 - IPA bits,
// SL0, HA bit 21, VS bit 19 with 16-bit VMIDs, RES1 bit 31), what a TCR_EL1
// or HCR_EL2 means to a scenario's guest section, and the register names.
// Every value is worked out by hand in the comment beside it.
import { describe, expect, it } from "vitest";
import { decodeRegister, findRegister, nearestRegister, registerByName } from "../../src/kvm/registers.js";
import { InputError } from "../../src/pgtable/u64.js";

// 4K, 40-bit IPA, PS 0b010 (40 bits), start level 1 (SL0 0b01): T0SZ 24 = 0x18, SL0 0x40,
// 0x3500 flags, TG0 0, PS 0x20000, VS 0x80000, HA 0x200000, RES1 0x80000000 -> 0x802a3558.
const KVM_4K_40 = 0x802a3558n;

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  return "accepted";
}

describe("VTCR_EL2: is it the value kvm_get_vtcr() writes?", () => {
  it("KVM's own value", () => {
    const r = decodeRegister("vtcr", KVM_4K_40);
    expect(r.extra).toEqual({ kvm_vtcr: "0x802a3558", kvm_differences: [] });
    expect(r.extraLines).toEqual(["this is the value kvm_get_vtcr() writes for this geometry (HA and VS follow the CPU: 0x802a3558 with both set)"]);
  });

  it("without HA and VS (a CPU without HAFDBS or 16-bit VMIDs): still KVM's value", () => {
    // 0x802a3558 - HA 0x200000 - VS 0x80000 = 0x80023558.
    const r = decodeRegister("vtcr", 0x80023558n);
    expect(r.extra.kvm_differences).toEqual([]);
    expect(r.extra.kvm_vtcr).toBe("0x802a3558");
  });

  it("HD set (bit 22): a bit KVM never writes", () => {
    const r = decodeRegister("vtcr", KVM_4K_40 | (1n << 22n));
    const why = "kvm_get_vtcr() writes 0x802a3558 for this geometry (with HA and 16-bit VMIDs); the bits that differ: 0x400000";
    expect(r.extra.kvm_differences).toEqual([why]);
    expect(r.extraLines).toEqual([`not the value kvm_get_vtcr() writes: ${why}`]);
  });

  it("SL0 0b10 for a 40-bit IPA: start level 0, which KVM never writes for 40 bits (3.4: 1/2/1)", () => {
    // SL0 bits 7:6 = 10 -> 0x80 instead of 0x40: 0x802a3598; the bits that differ: 0x40 ^ 0x80 = 0xc0.
    const r = decodeRegister("vtcr", 0x802a3598n);
    expect(r.extra.kvm_differences).toEqual([
      "SL0 is 2, kvm_get_vtcr() writes 1 for a 40-bit IPA (start level 1)",
      "kvm_get_vtcr() writes 0x802a3558 for this geometry (with HA and 16-bit VMIDs); the bits that differ: 0xc0",
    ]);
    expect(r.extraLines).toEqual([
      "not the value kvm_get_vtcr() writes: SL0 is 2, kvm_get_vtcr() writes 1 for a 40-bit IPA (start level 1); kvm_get_vtcr() writes 0x802a3558 for this geometry (with HA and 16-bit VMIDs); the bits that differ: 0xc0",
    ]);
  });

  it("no geometry: PS 0b111 (56 bits, FEAT_D128) is no PA size KVM uses", () => {
    // PS bits 18:16 = 111: 0x802a3558 - 0x20000 + 0x70000 = 0x802f3558.
    const r = decodeRegister("vtcr", 0x802f3558n);
    expect(r.geometry).toBeNull();
    expect(r.extra).toEqual({ geometry_error: "PS is not a PA size KVM uses" });
    expect(r.extraLines).toEqual(["PS is not a PA size KVM uses"]);
  });

  it("no geometry: TG0 0b11 is reserved", () => {
    // TG0 bits 15:14 = 11: 0x802a3558 | 0xc000 = 0x802af558.
    expect(decodeRegister("vtcr", 0x802af558n).extraLines).toEqual(["TG0 = 0b11 is reserved"]);
  });

  it("no geometry: a 30-bit IPA (T0SZ 34) is below KVM's minimum of 32 bits", () => {
    // T0SZ 34 = 0x22: 0x802a3540 | 0x22 = 0x802a3562.
    const r = decodeRegister("vtcr", 0x802a3562n);
    expect(r.geometry).toBeNull();
    expect(r.extraLines).toEqual([
      "KVM would not build this stage 2: ia_bits: 30 is outside 32..52 (KVM refuses an IPA size below ARM64_MIN_PARANGE_BITS = 32)",
    ]);
  });
});

describe("TCR_EL1, SCTLR_EL1, HCR_EL2 as a scenario's guest section", () => {
  it("a TCR_EL1 the stage-1 walker refuses: 0 has TG1 = 0b00, which is reserved", () => {
    const r = decodeRegister("tcr", 0n);
    expect(r.extra).toEqual({ not_modelled: "TCR_EL1: TG1 = 0b00 is reserved" });
    expect(r.extraLines).toEqual(["s2pt's stage-1 walker refuses it: TCR_EL1: TG1 = 0b00 is reserved"]);
    expect(r.geometry).toBeNull();
  });

  it("a TCR_EL1 it takes: T0SZ = T1SZ = 25, TG0 4K, TG1 4K (0b10), IPS 0b101 (48 bits)", () => {
    // T0SZ 25 = 0x19, T1SZ 25 << 16 = 0x190000, TG1 0b10 << 30 = 0x80000000, IPS 0b101 << 32.
    const v = 0x5_8019_0019n;
    const r = decodeRegister("tcr", v);
    expect(r.extra.guest_tcr).toEqual({
      t0sz: 25,
      t1sz: 25,
      tg0: 4096,
      tg1: 4096,
      ips: 48,
      epd0: false,
      epd1: false,
      tbi0: false,
      tbi1: false,
      hpd0: false,
      hpd1: false,
      ha: false,
      hd: false,
    });
    expect(r.extraLines.at(-1)).toBe("as a scenario's guest.tcr: \"0x580190019\" (s2pt's stage-1 walker models every field it reads)");
    expect(r.extraLines).toHaveLength(3);
  });

  it("HCR_EL2: DCT (bit 57) without DC (bit 12) has no effect; with DC it does", () => {
    const dct = decodeRegister("hcr", 1n << 57n);
    expect(dct.extra.guest_hcr).toEqual({ dc: false, dct: true, cd: false, id: false, ptw: false });
    expect(dct.extraLines).toEqual([
      'as a scenario\'s guest.hcr: {"dc":false,"dct":true,"cd":false,"id":false,"ptw":false}',
      "DCT without DC has no effect (a scenario refuses it)",
    ]);
    expect(decodeRegister("hcr", (1n << 57n) | (1n << 12n)).extraLines).toEqual([
      'as a scenario\'s guest.hcr: {"dc":true,"dct":true,"cd":false,"id":false,"ptw":false}',
    ]);
  });

  it("SCTLR_EL1: M (bit 0), C (bit 2), I (bit 12), WXN (bit 19)", () => {
    const r = decodeRegister("sctlr", (1n << 0n) | (1n << 19n));
    expect(r.extraLines).toEqual(['as a scenario\'s guest.sctlr: {"m":true,"c":false,"i":false,"wxn":true}']);
  });

  it("MAIR_EL1 and PAR_EL1.ATTR: the byte in words; FEAT_XS decides whether 0x40 is reserved", () => {
    // Attr0 = 0x40 (bits 7:0): Normal NC with XS = 0 under FEAT_XS, reserved without it (arch-attributes.md 1.2, 1.3).
    const f = (xs: boolean) => decodeRegister("mair", 0x40n, { xs }).decoded.fields.find((x) => x.name === "Attr0")!;
    expect(f(false).problem).toBeDefined();
    expect(f(true).problem).toBeUndefined();
    expect(f(true).meaning).toMatch(/^0x40: Normal-NC/);
    // Attr1 = 0x00: Device-nGnRnE, whose text is its short name: no ": text" repeated.
    expect(decodeRegister("mair", 0x40n).decoded.fields.find((x) => x.name === "Attr1")!.meaning).toBe("0x00: Device-nGnRnE (MAIR_ATTR_DEVICE_nGnRnE)");
    // A byte with a Linux name and a longer text: "short (NAME): text" (arch-attributes.md 1.2, 1.4).
    const fields = decodeRegister("mair", 0x77ffn).decoded.fields;
    expect(fields.find((x) => x.name === "Attr0")!.meaning).toBe(
      "0xff: Normal-WB (MAIR_ATTR_NORMAL): Normal, outer Write-Back Read+Write-Allocate non-transient (Attr[7:4] = 0b1111), inner Write-Back Read+Write-Allocate non-transient (Attr[3:0] = 0b1111)",
    );
    // 0x77 (WB transient) has no Linux name: no brackets.
    expect(fields.find((x) => x.name === "Attr1")!.meaning).toBe(
      "0x77: Normal-WB: Normal, outer Write-Back Read+Write-Allocate transient (Attr[7:4] = 0b0111), inner Write-Back Read+Write-Allocate transient (Attr[3:0] = 0b0111)",
    );
    // PAR_EL1 with F = 0 and ATTR 0x40 (bits 63:56): the same words, with FEAT_XS.
    const par = decodeRegister("par", 0x40n << 56n, { xs: true }).decoded.fields.find((x) => x.name === "ATTR")!;
    expect(par.meaning).toMatch(/Normal-NC/);
  });
});

describe("registers s2pt adds nothing to", () => {
  it("ESR_EL2, HPFAR_EL2, FAR_EL2, VTTBR_EL2, the ID registers: the fields only", () => {
    for (const name of ["esr", "hpfar", "far", "vttbr", "mmfr0", "mmfr1", "mmfr2", "ESR_EL1", "FAR_EL1", "par", "mair"]) {
      const r = decodeRegister(name, 0x92000047n);
      expect([r.extra, r.extraLines, r.geometry], name).toEqual([{}, [], null]);
    }
  });
});

describe("register names", () => {
  it("an unknown name: the nearest known one when it is close, none otherwise", () => {
    expect(message(() => registerByName("esr_el3"))).toBe(
      "register: 'esr_el3' is not a register s2pt decodes; did you mean ESR_EL2? (s2pt reg --list names them)",
    );
    expect(message(() => registerByName("qwertyuiop", "--reg"))).toBe("--reg: 'qwertyuiop' is not a register s2pt decodes (s2pt reg --list names them)");
    // "esrxy" is 2 edits from "esr": close enough for a short name (at most max(2, 5 / 3) edits).
    expect(nearestRegister("esrxy")).toBe("ESR_EL2");
    expect(nearestRegister("  vttbr_el3  ")).toBe("VTTBR_EL2");
    // "esrqqq" is 3 edits from "esr": too far for a 6-character name (2).
    expect(nearestRegister("esrqqq")).toBeNull();
    expect(findRegister("  ESR ")?.name).toBe("ESR_EL2");
  });

  it("decodeRegister checks its arguments", () => {
    expect(message(() => decodeRegister(5 as never, 0n))).toBe("name: 5 is not a string");
    expect(message(() => decodeRegister("esr", 5 as never))).toBe("value: 5 is not a 64-bit unsigned value (a bigint in 0..2^64-1)");
    expect(message(() => decodeRegister("esr", 0n, null as never))).toBe("o: null is not an object");
    expect(message(() => registerByName("esr", 5 as never))).toBe("what: 5 is not a string");
    expect(message(() => nearestRegister(5 as never))).toBe("name: 5 is not a string");
    expect(message(() => findRegister(5 as never))).toBe("name: 5 is not a string");
    expect(message(() => registerByName(5 as never))).toBe("name: 5 is not a string");
  });
});
