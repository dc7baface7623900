// Source of truth: the Arm ASL (rems-project/sail-arm arm-v9.4-a v8_base.sail:
// EncodeLDFSC, IPAValid, AArch64_FaultSyndrome, AArch64_S2Walk,
// AArch64_S2Translate, AArch64_S2DirectBasePermissions,
// AArch64_S2ApplyOutputPerms, AArch64_BlockDescSupported) and the tables of
// ../shared/reference/arch-attributes.md sections 4 and 5. Every expected
// value is a literal or a rule written out here, not computed by the walker.
import { InputError } from "../../src/pgtable/u64.js";
import { describe, expect, it } from "vitest";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { type Stage2Config } from "../../src/pgtable/geometry.js";
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
} from "../../src/walker/fault.js";
import { FAULT_STATUS, HW_SET_AF, HW_SET_DIRTY, S2Walker, type WalkerOptions } from "../../src/walker/translate.js";

const CFG4K: Stage2Config = { granule: 4096, iaBits: 40, paBits: 48, lpa2: false, fwb: true, tlbRange: false };

/** The entry a walk of `ipa` reads at `level` (found with the walker's trace). */
function entryAt(pgt: KvmPgtable, ipa: number, level: number): { page: number; index: number } {
  const w = new S2Walker(pgt, { ha: false });
  w.tracing = true;
  w.translate(ipa, ACCESS_READ, 1);
  for (let s = 0; s < w.traceLen; s++) {
    if (w.trace[s * 5] === level) return { page: w.trace[s * 5 + 1], index: w.trace[s * 5 + 2] };
  }
  throw new Error(`the walk of ${ipa.toString(16)} reads nothing at level ${level}`);
}

/** Overwrite a descriptor in the table (what a buggy or hostile hypervisor could write). */
function poke(pgt: KvmPgtable, at: { page: number; index: number }, value: bigint): void {
  const chunk = pgt.store.chunkOf(at.page);
  const off = pgt.store.pageOffset(at.page) + 2 * at.index;
  chunk[off] = Number(value & 0xffffffffn);
  chunk[off + 1] = Number(value >> 32n);
}

function peek(pgt: KvmPgtable, at: { page: number; index: number }): bigint {
  const chunk = pgt.store.chunkOf(at.page);
  const off = pgt.store.pageOffset(at.page) + 2 * at.index;
  return (BigInt(chunk[off + 1] >>> 0) << 32n) | BigInt(chunk[off] >>> 0);
}

/** One translation through the complete walk and through the batch fast path; they must agree. */
function walk(pgt: KvmPgtable, opts: WalkerOptions, ipa: number, access: number, el = 1): { r: number; level: number; pa: number; wnr: boolean; hw: number } {
  const full = new S2Walker(pgt, opts);
  full.tracing = true;
  const r = full.translate(ipa, access, el);
  const out = { r, level: full.level, pa: full.pa, wnr: full.faultWrite, hw: full.hwUpdate };
  if (out.hw === 0) {
    // Only when the walk changed nothing can the same walk be repeated.
    const fast = new S2Walker(pgt, opts);
    const pa = new Float64Array(1);
    const st = new Int32Array(1);
    fast.translateBatch(new Float64Array([ipa]), 1, access, el, pa, st);
    expect(st[0]).toBe(r === FAULT_NONE ? out.level : FAULT_STATUS | encodeLDFSC(r, out.level));
    if (r === FAULT_NONE) expect(pa[0]).toBe(out.pa);
  }
  return out;
}

describe("fault status codes (ASL EncodeLDFSC; arch-attributes.md section 5)", () => {
  it("levels 0..3", () => {
    // [type, level, code] as the table lists them: 0b0000LL, 0b0001LL, 0b0010LL, 0b0011LL.
    const rows: Array<[number, number, number]> = [
      [FAULT_ADDRESS_SIZE, 0, 0x00],
      [FAULT_ADDRESS_SIZE, 1, 0x01],
      [FAULT_ADDRESS_SIZE, 2, 0x02],
      [FAULT_ADDRESS_SIZE, 3, 0x03],
      [FAULT_TRANSLATION, 0, 0x04],
      [FAULT_TRANSLATION, 1, 0x05],
      [FAULT_TRANSLATION, 2, 0x06],
      [FAULT_TRANSLATION, 3, 0x07],
      [FAULT_ACCESS_FLAG, 0, 0x08],
      [FAULT_ACCESS_FLAG, 1, 0x09],
      [FAULT_ACCESS_FLAG, 2, 0x0a],
      [FAULT_ACCESS_FLAG, 3, 0x0b],
      [FAULT_PERMISSION, 0, 0x0c],
      [FAULT_PERMISSION, 1, 0x0d],
      [FAULT_PERMISSION, 2, 0x0e],
      [FAULT_PERMISSION, 3, 0x0f],
    ];
    for (const [type, level, code] of rows) {
      expect(encodeLDFSC(type, level)).toBe(code);
      const d = { type: -1, level: -9 };
      decodeLDFSC(code, d);
      expect(d).toEqual({ type, level });
    }
  });
  it("level -1 (FEAT_LPA2) and -2 (FEAT_D128): 0x29 / 0x2B and 0x2C / 0x2A, none for Access flag or Permission", () => {
    // EncodeLDFSC: level -1 Address size 0b101001, Translation 0b101011; level -2 0b101100, 0b101010.
    // (Linux's ESR_ELx_FSC_ADDRSZ_nL(-1) is 0x25: it disagrees with the ASL; see docs/walker.md.)
    expect(encodeLDFSC(FAULT_ADDRESS_SIZE, -1)).toBe(0x29);
    expect(encodeLDFSC(FAULT_TRANSLATION, -1)).toBe(0x2b);
    expect(encodeLDFSC(FAULT_ADDRESS_SIZE, -2)).toBe(0x2c);
    expect(encodeLDFSC(FAULT_TRANSLATION, -2)).toBe(0x2a);
    expect(encodeLDFSC(FAULT_ACCESS_FLAG, -1)).toBe(-1);
    expect(encodeLDFSC(FAULT_PERMISSION, -1)).toBe(-1);
    expect(encodeLDFSC(FAULT_TRANSLATION, 4)).toBe(-1);
    for (const [code, type, level] of [
      [0x29, FAULT_ADDRESS_SIZE, -1],
      [0x2b, FAULT_TRANSLATION, -1],
      [0x2c, FAULT_ADDRESS_SIZE, -2],
      [0x2a, FAULT_TRANSLATION, -2],
    ]) {
      const d = { type: -1, level: -9 };
      decodeLDFSC(code, d);
      expect(d).toEqual({ type, level });
    }
  });
});

describe("syndrome and HPFAR_EL2 (AArch64_FaultSyndrome, IPAValid)", () => {
  it("ESR_EL2 values, worked by hand: EC << 26 | IL << 25 | WnR << 6 | xFSC", () => {
    // 0x24 << 26 = 0x90000000, IL = 0x02000000, WnR = 0x40.
    expect(faultEsr(FAULT_TRANSLATION, 3, ACCESS_READ, false)).toBe(0x92000007);
    expect(faultEsr(FAULT_TRANSLATION, 3, ACCESS_WRITE, true)).toBe(0x92000047);
    expect(faultEsr(FAULT_PERMISSION, 2, ACCESS_WRITE, true)).toBe(0x9200004e);
    expect(faultEsr(FAULT_ACCESS_FLAG, 1, ACCESS_READ, false)).toBe(0x92000009);
    expect(faultEsr(FAULT_ADDRESS_SIZE, 0, ACCESS_READ, false)).toBe(0x92000000);
    expect(faultEsr(FAULT_ADDRESS_SIZE, -1, ACCESS_READ, false)).toBe(0x92000029);
    // Instruction abort from a lower EL: 0x20 << 26 = 0x80000000; no WnR on the instruction side.
    expect(faultEsr(FAULT_TRANSLATION, 3, ACCESS_EXEC, false)).toBe(0x82000007);
    expect(faultEsr(FAULT_PERMISSION, 3, ACCESS_EXEC, true)).toBe(0x8200000f);
    expect(faultIss(FAULT_PERMISSION, 1, ACCESS_WRITE, true)).toBe(0x4d);
  });
  it("IPAValid: Translation, Address size and Access flag faults report the IPA; a Permission fault on the final access does not", () => {
    expect(ipaValid(FAULT_TRANSLATION)).toBe(true);
    expect(ipaValid(FAULT_ADDRESS_SIZE)).toBe(true);
    expect(ipaValid(FAULT_ACCESS_FLAG)).toBe(true);
    expect(ipaValid(FAULT_PERMISSION)).toBe(false);
    // During a stage-1 table walk (S1PTW) a Permission fault does report it.
    expect(ipaValid(FAULT_PERMISSION, true)).toBe(true);
    expect(ipaValid(FAULT_NONE)).toBe(false);
  });
  it("HPFAR_EL2.FIPA [43:4] = IPA[51:12]", () => {
    expect(hpfarOf(0x40001234n)).toBe(0x400010n);
    expect(hpfarOf(0xfffffffff000n)).toBe(0xfffffffff0n);
    expect(hpfarOf(0xf123456789abcn)).toBe(0xf1234567890n);
    expect(hpfarOf(0x10000000001000n)).toBe(0x10n); // IPA[52] is not reported
    // KVM: ipa = (HPFAR & HPFAR_MASK) << 8.
    expect(ipaFromHpfar(0xf1234567890n)).toBe(0xf123456789000n);
  });
  it("a fault report puts it together", () => {
    const f = faultReport(FAULT_PERMISSION, 3, ACCESS_WRITE, true, 0x40001234n);
    expect(f).toMatchObject({ type: "permission", fsc: 0x0f, ec: 0x24, esr: 0x9200004f, wnr: true, hpfarValid: false, hpfar: null });
    const t = faultReport(FAULT_TRANSLATION, 2, ACCESS_EXEC, false, 0x40201000n);
    expect(t).toMatchObject({ type: "translation", fsc: 0x06, ec: 0x20, esr: 0x82000006, wnr: false, hpfarValid: true, hpfar: "0x402010" });
  });
});

describe("the walk: which fault, at which level (AArch64_S2Translate, AArch64_S2Walk)", () => {
  const mapped = (cfg: Stage2Config = CFG4K, prot = PROT_R | PROT_W): KvmPgtable => {
    const pgt = new KvmPgtable(cfg);
    expect(pgt.map(0x40000000, 0x1000, 0x80000000, prot, 0)).toBe(0);
    expect(pgt.map(0x40200000, 0x200000, 0x80200000, prot, 0)).toBe(0); // a 2M block
    return pgt;
  };

  it("an IPA beyond the IPA size takes a Translation fault at level 0 (AArch64_IPAIsOutOfRange), HPFAR valid", () => {
    const pgt = mapped();
    for (const ipa of [2 ** 40, 2 ** 40 + 0x1000, 2 ** 52 - 1]) {
      const x = walk(pgt, {}, ipa, ACCESS_READ);
      expect([x.r, x.level]).toEqual([FAULT_TRANSLATION, 0]);
    }
    const w = new S2Walker(pgt);
    expect(w.translate(-1, ACCESS_READ, 1)).toBe(FAULT_TRANSLATION);
    expect(w.translate(Number.NaN, ACCESS_READ, 1)).toBe(FAULT_TRANSLATION);
    expect(() => w.translateBatch(new Float64Array(2), 3, ACCESS_READ, 1, new Float64Array(3), new Int32Array(3))).toThrow(InputError);
  });

  it("an invalid entry: Translation fault at its level", () => {
    const pgt = mapped();
    expect(walk(pgt, {}, 0x80000000, ACCESS_READ)).toMatchObject({ r: FAULT_TRANSLATION, level: 1 }); // empty level-1 entry
    expect(walk(pgt, {}, 0x40400000, ACCESS_READ)).toMatchObject({ r: FAULT_TRANSLATION, level: 2 });
    expect(walk(pgt, {}, 0x40001000, ACCESS_WRITE)).toMatchObject({ r: FAULT_TRANSLATION, level: 3, wnr: true });
  });

  it("blocks only where the granule has them (AArch64_BlockDescSupported); bits 1:0 = 01 at level 3 is invalid", () => {
    const pgt = mapped();
    // Level 3: a page descriptor with the type bit cleared.
    const l3 = entryAt(pgt, 0x40000000, 3);
    poke(pgt, l3, peek(pgt, l3) & ~2n);
    expect(walk(pgt, {}, 0x40000000, ACCESS_READ)).toMatchObject({ r: FAULT_TRANSLATION, level: 3 });
    // 4K, 48-bit IPA: start level 0, where a block needs DS = 1.
    const p48 = new KvmPgtable({ ...CFG4K, iaBits: 48 });
    expect(p48.map(0x8000000000, 0x1000, 0x80000000, PROT_R, 0)).toBe(0);
    const l0 = entryAt(p48, 0x8000000000, 0);
    poke(p48, l0, 0x80000000_0000n | 0x441n); // a level-0 "block" (bits 1:0 = 01, AF, S2AP read)
    expect(walk(p48, {}, 0x8000000000, ACCESS_READ)).toMatchObject({ r: FAULT_TRANSLATION, level: 0 });
    // 4K with FEAT_LPA2 (DS = 1), 52-bit IPA: a 512 GiB level-0 block translates.
    const p52 = new KvmPgtable({ ...CFG4K, iaBits: 52, paBits: 52, lpa2: true });
    expect(p52.map(0x8000000000, 0x1000, 0x80000000, PROT_R, 0)).toBe(0);
    const b0 = entryAt(p52, 0x8000000000, 0);
    poke(p52, b0, 0x10000000000n | 0x441n); // OA 1 TiB
    expect(walk(p52, {}, 0x8000000000 + 0x123456789, ACCESS_READ)).toMatchObject({ r: FAULT_NONE, level: 0, pa: 0x10000000000 + 0x123456789 });
    // 64K: level-1 blocks (4 TiB) exist only with 52-bit PAs.
    const p64 = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 48, lpa2: false, fwb: true, tlbRange: false });
    expect(p64.map(0x40000000000, 0x10000, 0x80000000, PROT_R, 0)).toBe(0);
    const b1 = entryAt(p64, 0x40000000000, 1);
    poke(p64, b1, 0x40000000000n | 0x441n);
    expect(walk(p64, {}, 0x40000000000, ACCESS_READ)).toMatchObject({ r: FAULT_TRANSLATION, level: 1 });
    const p64b = new KvmPgtable({ granule: 65536, iaBits: 48, paBits: 52, lpa2: false, fwb: true, tlbRange: false });
    expect(p64b.map(0x40000000000, 0x10000, 0x80000000, PROT_R, 0)).toBe(0);
    const b1b = entryAt(p64b, 0x40000000000, 1);
    poke(p64b, b1b, 0x40000000000n | (0x3n << 12n) | 0x441n); // OA 0x3_0400_0000_0000: bits 51:48 in 15:12
    expect(walk(p64b, {}, 0x40000012345, ACCESS_READ)).toMatchObject({ r: FAULT_NONE, level: 1, pa: 0x3040000012345 });
  });

  it("output address beyond VTCR_EL2.PS: Address size fault at the leaf's level; a table address beyond it: at the table descriptor's level", () => {
    const pgt = mapped({ ...CFG4K, iaBits: 36, paBits: 40 });
    const leaf = entryAt(pgt, 0x40000000, 3);
    poke(pgt, leaf, peek(pgt, leaf) | (1n << 40n)); // OA bit 40
    expect(walk(pgt, {}, 0x40000000, ACCESS_READ)).toMatchObject({ r: FAULT_ADDRESS_SIZE, level: 3 });
    const blk = entryAt(pgt, 0x40200000, 2);
    poke(pgt, blk, peek(pgt, blk) | (1n << 45n));
    expect(walk(pgt, {}, 0x40200000, ACCESS_READ)).toMatchObject({ r: FAULT_ADDRESS_SIZE, level: 2 });
    const tbl = entryAt(pgt, 0x40000000, 2);
    poke(pgt, tbl, peek(pgt, tbl) | (1n << 47n)); // next-level table at an address beyond 2^40
    expect(walk(pgt, {}, 0x40000000, ACCESS_READ)).toMatchObject({ r: FAULT_ADDRESS_SIZE, level: 2 });
    // The output address check comes before the Access flag and permission checks.
    poke(pgt, leaf, (peek(pgt, leaf) & ~0x4c0n) | (1n << 40n));
    poke(pgt, tbl, peek(pgt, tbl) & ~(1n << 47n));
    expect(walk(pgt, { ha: false }, 0x40000000, ACCESS_WRITE)).toMatchObject({ r: FAULT_ADDRESS_SIZE, level: 3 });
  });

  it("the Access flag check comes before the permission check", () => {
    const pgt = mapped();
    const leaf = entryAt(pgt, 0x40000000, 3);
    poke(pgt, leaf, peek(pgt, leaf) & ~0x4c0n); // AF clear, no S2AP
    expect(walk(pgt, { ha: false }, 0x40000000, ACCESS_READ)).toMatchObject({ r: FAULT_ACCESS_FLAG, level: 3 });
    // With HA the AF check passes; the permission fault remains and AF stays clear (Unpredictable_AFUPDATE: s2pt does not set it).
    expect(walk(pgt, { ha: true }, 0x40000000, ACCESS_READ)).toMatchObject({ r: FAULT_PERMISSION, level: 3 });
    expect(peek(pgt, leaf) & 0x400n).toBe(0n);
  });
});

describe("permissions for every S2AP and XN (AArch64_S2DirectBasePermissions, AArch64_S2CheckPermissions)", () => {
  // arch-attributes.md section 4: S2AP[0] read, S2AP[1] write; FEAT_XNX XN[1:0]:
  // 00 EL0 and EL1 execute, 01 EL0 only, 10 neither, 11 EL1 only.
  // Without FEAT_XNX bit 53 is ignored and bit 54 alone is XN. A fetch needs only x.
  const xnxExec = [
    [true, true],
    [true, false],
    [false, false],
    [false, true],
  ]; // [EL0, EL1] per XN[1:0]
  for (const xnx of [false, true]) {
    it(`FEAT_XNX ${xnx ? "on" : "off"}`, () => {
      const pgt = new KvmPgtable(CFG4K);
      expect(pgt.map(0x40000000, 0x1000, 0x80000000, PROT_R | PROT_W | PROT_X, 0)).toBe(0);
      const leaf = entryAt(pgt, 0x40000000, 3);
      const base = peek(pgt, leaf) & ~((3n << 6n) | (3n << 53n));
      let cases = 0;
      for (let s2ap = 0; s2ap < 4; s2ap++) {
        for (let xn = 0; xn < 4; xn++) {
          poke(pgt, leaf, base | (BigInt(s2ap) << 6n) | (BigInt(xn) << 53n));
          for (const el of [0, 1]) {
            const want = {
              r: (s2ap & 1) !== 0,
              w: (s2ap & 2) !== 0,
              x: xnx ? xnxExec[xn][el] : (xn & 2) === 0,
            };
            const ctx = `S2AP ${s2ap} XN ${xn} EL${el}`;
            for (const [access, ok] of [
              [ACCESS_READ, want.r],
              [ACCESS_WRITE, want.w],
              [ACCESS_EXEC, want.x],
            ] as const) {
              const x = walk(pgt, { xnx, ha: false }, 0x40000123, access, el);
              if (ok) expect([x.r, x.pa], ctx).toEqual([FAULT_NONE, 0x80000123]);
              else expect([x.r, x.level, x.wnr], ctx).toEqual([FAULT_PERMISSION, 3, access === ACCESS_WRITE]);
              cases++;
            }
          }
        }
      }
      expect(cases).toBe(4 * 4 * 2 * 3);
    });
  }
});

describe("hardware updates (VTCR_EL2.HA / HD, DBM; AArch64_S2Translate)", () => {
  const withLeaf = (bits: { set?: bigint; clear?: bigint }): { pgt: KvmPgtable; leaf: { page: number; index: number } } => {
    const pgt = new KvmPgtable(CFG4K);
    expect(pgt.map(0x40000000, 0x1000, 0x80000000, PROT_R | PROT_W, 0)).toBe(0);
    const leaf = entryAt(pgt, 0x40000000, 3);
    poke(pgt, leaf, (peek(pgt, leaf) & ~(bits.clear ?? 0n)) | (bits.set ?? 0n));
    return { pgt, leaf };
  };
  const AF = 1n << 10n;
  const W = 1n << 7n;
  const DBM = 1n << 51n;

  it("AF = 0: an Access flag fault without HA; with HA the hardware sets AF and the access succeeds", () => {
    const a = withLeaf({ clear: AF });
    expect(walk(a.pgt, { ha: false }, 0x40000000, ACCESS_READ)).toMatchObject({ r: FAULT_ACCESS_FLAG, level: 3 });
    expect(peek(a.pgt, a.leaf) & AF).toBe(0n);
    const x = walk(a.pgt, { ha: true }, 0x40000000, ACCESS_READ);
    expect(x).toMatchObject({ r: FAULT_NONE, hw: HW_SET_AF, pa: 0x80000000 });
    expect(peek(a.pgt, a.leaf) & AF).toBe(AF);
  });

  it("DBM with HA and HD: a write to a read-only page succeeds and sets S2AP[1] (the dirty state)", () => {
    const a = withLeaf({ clear: W, set: DBM });
    const x = walk(a.pgt, { ha: true, hd: true }, 0x40000000, ACCESS_WRITE);
    expect(x).toMatchObject({ r: FAULT_NONE, hw: HW_SET_DIRTY });
    expect(peek(a.pgt, a.leaf) & W).toBe(W);
    // A read leaves it clean.
    const b = withLeaf({ clear: W, set: DBM });
    expect(walk(b.pgt, { ha: true, hd: true }, 0x40000000, ACCESS_READ)).toMatchObject({ r: FAULT_NONE, hw: 0 });
    expect(peek(b.pgt, b.leaf) & W).toBe(0n);
    // AF clear as well: both are set in one update.
    const c = withLeaf({ clear: W | AF, set: DBM });
    expect(walk(c.pgt, { ha: true, hd: true }, 0x40000000, ACCESS_WRITE)).toMatchObject({ r: FAULT_NONE, hw: HW_SET_AF | HW_SET_DIRTY });
    expect(peek(c.pgt, c.leaf) & (W | AF)).toBe(W | AF);
  });

  it("DBM is ignored without HD, and HD is ignored without HA", () => {
    for (const opts of [
      { ha: true, hd: false },
      { ha: false, hd: true },
    ]) {
      const a = withLeaf({ clear: W, set: DBM });
      expect(walk(a.pgt, opts, 0x40000000, ACCESS_WRITE), JSON.stringify(opts)).toMatchObject({ r: FAULT_PERMISSION, level: 3, wnr: true });
      expect(peek(a.pgt, a.leaf) & W).toBe(0n);
    }
  });

  it("the walk writes nothing else, and only through the table's store hook when one is set", () => {
    const a = withLeaf({ clear: AF });
    const seen: number[][] = [];
    a.pgt.storeHook = (page, index, oldLo, oldHi, newLo, newHi) => seen.push([page, index, oldLo, oldHi, newLo, newHi]);
    const before = peek(a.pgt, a.leaf);
    new S2Walker(a.pgt).translate(0x40000000, ACCESS_READ, 1);
    expect(seen).toEqual([
      [a.leaf.page, a.leaf.index, Number(before & 0xffffffffn), Number(before >> 32n), Number((before | AF) & 0xffffffffn), Number(before >> 32n)],
    ]);
  });
});
