// The encoders and the decoders share one definition of every field (src/regs):
// what the walker, kvm_get_vtcr(), the guest configuration and PAR_EL1 write
// decodes back to the same fields. The syndrome round trip covers every fault
// type at every level the ASL encodes (EncodeLDFSC: -2..3), every access, with
// and without S1PTW; and real walks over a table that fault.
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_R } from "../../src/pgtable/descriptor.js";
import { stage2Geometry, type Granule, type Stage2Config } from "../../src/pgtable/geometry.js";
import { decodeEsr, EC_CODES } from "../../src/regs/esr.js";
import { decodeHpfar } from "../../src/regs/hpfar.js";
import { decodePar } from "../../src/regs/par.js";
import { decodeVtcr } from "../../src/regs/vtcr.js";
import { decodeTcrRegister } from "../../src/regs/tcr.js";
import { decodeMair } from "../../src/regs/mair.js";
import { decodeRegister } from "../../src/kvm/registers.js";
import { fscInfo } from "../../src/regs/fsc.js";
import { parValue } from "../../src/mair/par.js";
import { encodeTcr, mairValue } from "../../src/stage1/config.js";
import { s1FaultReport } from "../../src/stage1/fault.js";
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  FAULT_ACCESS_FLAG,
  FAULT_ADDRESS_SIZE,
  FAULT_NAMES,
  FAULT_PERMISSION,
  FAULT_TRANSLATION,
  encodeLDFSC,
  faultEsr,
  faultReport,
  hpfarOf,
} from "../../src/walker/fault.js";
import { S2Walker } from "../../src/walker/translate.js";
import type { DecodedRegister } from "../../src/regs/field.js";

function field(d: DecodedRegister, name: string): string {
  const x = d.fields.find((y) => y.name === name);
  if (!x) throw new Error(`no ${name}`);
  return x.value;
}

describe("every syndrome the walker encodes decodes back to the same fields", () => {
  const types = [FAULT_TRANSLATION, FAULT_ACCESS_FLAG, FAULT_PERMISSION, FAULT_ADDRESS_SIZE];
  const cases: Array<[string, number, number, number, boolean]> = [];
  for (const t of types) {
    for (let level = -2; level <= 3; level++) {
      if (encodeLDFSC(t, level) < 0) continue; // the ASL has no code (an Access flag or Permission fault below level 0)
      for (const access of [ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC]) {
        for (const s1ptw of [false, true])
          cases.push([`${FAULT_NAMES[t]} L${level} ${["r", "w", "x"][access]}${s1ptw ? " S1PTW" : ""}`, t, level, access, s1ptw]);
      }
    }
  }
  it("covers the 4 types at levels -2..3 where the ASL encodes them (2 + 2 + 4 + 4 + 4 + 4 codes)", () => {
    // Address size and Translation at -2..3 (6 each), Access flag and Permission at 0..3 (4 each): 20 codes x 3 accesses x 2.
    expect(cases.length).toBe(20 * 3 * 2);
  });
  it.each(cases)("%s", (_n, t, level, access, s1ptw) => {
    const write = access === ACCESS_WRITE;
    const esr = faultEsr(t, level, access, write, s1ptw);
    const d = decodeEsr(BigInt(esr), 2);
    expect(d.problems).toEqual([]);
    const iabt = access === ACCESS_EXEC;
    expect(Number(field(d, "EC"))).toBe(iabt ? EC_CODES.IABT_LOW : EC_CODES.DABT_LOW);
    expect(field(d, "IL")).toBe("0x1");
    expect(Number(field(d, "S1PTW"))).toBe(s1ptw ? 1 : 0);
    if (!iabt) {
      expect(field(d, "ISV")).toBe("0x0");
      expect(Number(field(d, "WnR"))).toBe(write ? 1 : 0);
    }
    const fsc = Number(field(d, iabt ? "IFSC" : "DFSC"));
    expect(fsc).toBe(encodeLDFSC(t, level));
    const fi = fscInfo(fsc);
    expect(fi?.kind).toBe(FAULT_NAMES[t]);
    expect(fi?.level).toBe(level);
    // The report the walker builds says the same.
    const r = faultReport(t, level, access, write, 0x40001000n, s1ptw);
    expect(r.esr).toBe(esr);
  });
  it("HPFAR_EL2: hpfarOf() decodes back to the IPA's page (up to 52 bits)", () => {
    for (const ipa of [0n, 0x40001234n, 0xfffffffff000n, 0xf123456789abcn, 0x1000n]) {
      const d = decodeHpfar(hpfarOf(ipa));
      expect(d.summary).toBe(`faulting IPA page 0x${(ipa & ~0xfffn).toString(16)}`);
      expect(d.problems).toEqual([]);
    }
  });
  it("ESR_EL1 of the guest's stage-1 faults (src/stage1/fault.ts) decodes back: EC by EL, FSC, WnR", () => {
    for (const [el, access, ec] of [
      [1, ACCESS_WRITE, EC_CODES.DABT_CUR],
      [0, ACCESS_READ, EC_CODES.DABT_LOW],
      [1, ACCESS_EXEC, EC_CODES.IABT_CUR],
      [0, ACCESS_EXEC, EC_CODES.IABT_LOW],
    ] as const) {
      const r = s1FaultReport(FAULT_PERMISSION, 2, access, el, access === ACCESS_WRITE, 0x1234n);
      const d = decodeEsr(BigInt(r.esr), 1);
      expect(Number(field(d, "EC"))).toBe(ec);
      expect(Number(field(d, access === ACCESS_EXEC ? "IFSC" : "DFSC"))).toBe(0b001110);
      if (access !== ACCESS_EXEC) expect(Number(field(d, "WnR"))).toBe(access === ACCESS_WRITE ? 1 : 0);
    }
  });
});

describe("the walker's faults on a real table decode to the fault the walk took", () => {
  const cfg: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };
  const pgt = new KvmPgtable(cfg);
  pgt.store.memcache = 8;
  pgt.map(0x40000000, 0x1000, 0x80000000, PROT_R, 0); // read-only page
  const w = new S2Walker(pgt, { ha: true });
  const cases: Array<[string, number, number, string, number]> = [
    ["a write to a read-only page: Permission fault, level 3", 0x40000000, ACCESS_WRITE, "permission", 3],
    ["an instruction fetch from an XN page: Permission fault, level 3", 0x40000000, ACCESS_EXEC, "permission", 3],
    ["a read of an empty level-3 entry: Translation fault, level 3", 0x40001000, ACCESS_READ, "translation", 3],
    ["a read under an empty level-1 entry: Translation fault, level 1", 0x80000000, ACCESS_READ, "translation", 1],
    [
      "a read beyond the 40-bit IPA space: Translation fault, level 0 (ASL AArch64_S2Translate: AArch64_IPAIsOutOfRange reports level 0)",
      2 ** 41,
      ACCESS_READ,
      "translation",
      0,
    ],
  ];
  it.each(cases)("%s", (_n, ipa, access, kind, level) => {
    const r = w.translate(ipa, access, 1);
    const rep = faultReport(r, w.level, access, w.faultWrite, BigInt(ipa));
    const d = decodeEsr(BigInt(rep.esr), 2);
    const fi = fscInfo(Number(field(d, access === ACCESS_EXEC ? "IFSC" : "DFSC")));
    expect([fi?.kind, fi?.level]).toEqual([kind, level]);
    if (rep.hpfar !== null) expect(decodeHpfar(BigInt(rep.hpfar)).summary).toBe(`faulting IPA page 0x${(ipa - (ipa % 4096)).toString(16)}`);
    else expect(kind).toBe("permission"); // HPFAR_EL2 is UNKNOWN for a Permission fault on the final access
  });
});

describe("kvm_get_vtcr()'s value decodes to the geometry it was built from", () => {
  const geoms: Array<[Granule, number, number, boolean]> = [
    [4096, 32, 48, false],
    [4096, 40, 48, false],
    [4096, 48, 48, false],
    [4096, 52, 52, true],
    [16384, 36, 48, false],
    [16384, 47, 48, false],
    [16384, 52, 52, true],
    [65536, 42, 48, false],
    [65536, 52, 52, false],
  ];
  it.each(geoms)("%i granule, %i-bit IPA, %i-bit PA, LPA2 %s", (granule, iaBits, paBits, lpa2) => {
    const g = stage2Geometry({ granule, iaBits, paBits, lpa2 });
    const d = decodeVtcr(BigInt(g.vtcr.value));
    expect(d.problems).toEqual([]);
    expect(Number(field(d, "T0SZ"))).toBe(g.vtcr.t0sz);
    expect(Number(field(d, "SL0"))).toBe(g.vtcr.sl0);
    expect(Number(field(d, "TG0"))).toBe(g.vtcr.tg0);
    expect(Number(field(d, "PS"))).toBe(g.vtcr.ps);
    expect(Number(field(d, "DS"))).toBe(g.vtcr.ds);
    // The register decoder's geometry is stage2Geometry()'s, and the value is kvm_get_vtcr()'s.
    const r = decodeRegister("VTCR_EL2", BigInt(g.vtcr.value));
    expect(r.geometry?.startLevel).toBe(g.startLevel);
    expect(r.geometry?.pgdPages).toBe(g.pgdPages);
    expect(r.extra.kvm_differences).toEqual([]);
  });
});

describe("the guest's TCR_EL1, MAIR_EL1 and PAR_EL1 encoders decode back", () => {
  it("encodeTcr()", () => {
    const t = {
      t0sz: 25,
      t1sz: 30,
      tg0: 65536 as const,
      tg1: 16384 as const,
      ips: 44,
      epd0: false,
      epd1: true,
      tbi0: true,
      tbi1: false,
      hpd0: true,
      hpd1: false,
      ha: true,
      hd: false,
    };
    const d = decodeTcrRegister(encodeTcr(t));
    expect([field(d, "T0SZ"), field(d, "T1SZ"), field(d, "TG0"), field(d, "TG1"), field(d, "IPS")]).toEqual(["0x19", "0x1e", "0x1", "0x1", "0x4"]);
    expect([field(d, "EPD1"), field(d, "TBI0"), field(d, "HPD0"), field(d, "HA"), field(d, "HD")]).toEqual(["0x1", "0x1", "0x1", "0x1", "0x0"]);
  });
  it("mairValue()", () => {
    const d = decodeMair(mairValue([0xff, 0xf0, 0x44, 0x00, 0x04, 0xbb, 0x0c, 0xaa]), () => ({ text: "", reserved: false }));
    expect(d.fields.map((x) => x.value)).toEqual(["0xaa", "0xc", "0xbb", "0x4", "0x0", "0x44", "0xf0", "0xff"]);
  });
  it("parValue() (ATTR and SH as EncodePARAttrs and PAREncodeShareability give them)", () => {
    const d = decodePar(parValue(0x44, 2, 0xf000080001000));
    expect(d.problems).toEqual([]);
    expect(d.summary).toBe("PA 0xf000080001000, ATTR 0x44, Outer Shareable");
  });
});
