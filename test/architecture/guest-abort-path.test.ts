// kvm_handle_guest_abort() as src/kvm/abort.ts models it, branch by branch,
// against kernel-reference.md section 7 ("kvm_handle_guest_abort [mmu.c
// 7a9479eb]": SEA -> kvm_handle_guest_sea; a Translation fault beyond the IPA
// limit -> an Address size fault injected, beyond the VM's IPA size -> an SEA
// with FAR[11:0]; an FSC that is not Translation/Permission/Access flag ->
// -EFAULT; no memslot or a write to a read-only one: instruction abort -> SEA
// on the fetch, S1 walk -> SEA data abort, cache maintenance -> skip, else
// MMIO; Access flag -> mkyoung; else user_mem_abort) and section 6 (prot,
// sizes, relax_perms or map, flags HANDLE_FAULT | SHARED = BIT(4) | BIT(3)).
// Every syndrome is put together by hand from its fields (section 7: EC
// 31:26, IL 25, ISV 24, SAS 23:22, SRT 20:16, SF 15, CM 8, S1PTW 7, WnR 6,
// FSC 5:0): a Data Abort from a lower EL is EC 0x24 | IL = 0x92000000, an
// Instruction Abort EC 0x20 | IL = 0x82000000.
import { describe, expect, it } from "vitest";
import {
  abortFacts,
  abortInputLines,
  abortPathJson,
  checkAbortConfig,
  errName,
  faultAccess,
  formatAbortPath,
  hpfarValidFor,
  kvmHandleGuestAbort,
  parseMapSize,
  replayAbort,
  tableLeafAt,
  type AbortConfig,
  type AbortRegs,
} from "../../src/kvm/abort.js";
import { KvmPgtable } from "../../src/pgtable/pgtable.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../../src/walker/fault.js";
import type { Era } from "../../src/kvm/policy.js";
import { InputError } from "../../src/pgtable/u64.js";

const DABT = 0x92000000n;
const IABT = 0x82000000n;
const WNR = 1n << 6n;
const S1PTW = 1n << 7n;
const CM = 1n << 8n;
const ISV = 1n << 24n;
const R = 4;
const W = 2;
const X = 1;
const HANDLE_FAULT_SHARED = 0x18;

/** HPFAR_EL2 for an IPA: FIPA [43:4] = IPA[51:12]. */
const hpfar = (ipa: bigint): bigint => (ipa >> 12n) << 4n;

const RAM: AbortConfig = {
  granule: 4096,
  iaBits: 40,
  ipaLimit: 44,
  memslot: "rw",
  dirtyLog: false,
  nisvToUser: false,
  host: { vma: "anon", pgprot: "cacheable", allowAnyUncached: false, pfnRam: true },
  cpu: { fwb: true, dic: false },
  mapSize: null,
  pa: null,
};

function regs(esr: bigint, ipa: bigint | null, far: bigint | null = null): AbortRegs {
  return { esr, far, hpfar: ipa === null ? null : hpfar(ipa), ipa: null };
}

function path(esr: bigint, ipa: bigint | null, c: Partial<AbortConfig> = {}, era: Era = "mainline", far: bigint | null = null) {
  return kvmHandleGuestAbort(era, regs(esr, ipa, far), { ...RAM, ...c });
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  return "accepted";
}

describe("the syndrome (abortFacts)", () => {
  it("only EC 0x20 and 0x24 reach kvm_handle_guest_abort()", () => {
    // EC 0x25 (Data Abort from the same EL): 0x25 << 26 | IL = 0x96000000.
    expect(message(() => abortFacts(0x96000007n))).toBe(
      "--esr: 0x96000007 has EC 0x25 (Data Abort exception taken without a change in Exception level), an abort taken from EL2 itself (the hypervisor's own fault), which kvm_handle_guest_abort() never sees (s2pt reg esr 0x96000007 decodes it)",
    );
    // EC 0x21 (Instruction Abort from the same EL).
    expect(message(() => abortFacts(0x86000007n))).toMatch(/^--esr: 0x86000007 has EC 0x21 .*, an abort taken from EL2 itself/);
    expect(message(() => abortFacts(-1n as never))).toMatch(/^esr: -1n is not a 64-bit/);
    // EC 0x16 (HVC64): KVM handles it elsewhere.
    expect(message(() => abortFacts(0x5a000000n))).toMatch(
      /^--esr: 0x5a000000 has EC 0x16 \(.*\), not an abort from the guest: KVM handles it in handle_hvc\(\)/,
    );
    // EC 0x3f is unallocated.
    expect(message(() => abortFacts(0xfe000000n))).toBe(
      "--esr: 0xfe000000 has EC 0x3f (unallocated), not an abort from the guest: kvm_handle_guest_abort() handles EC 0x20 and 0x24 only (s2pt reg esr 0xfe000000 decodes it)",
    );
  });

  it("kvm_is_write_fault(): WnR for a data abort, never for an instruction abort, for S1PTW only a Permission fault", () => {
    const f = (esr: bigint) => {
      const x = abortFacts(esr);
      return [x.writeFault, x.execFault];
    };
    expect(f(DABT | 0x07n)).toEqual([false, false]);
    expect(f(DABT | WNR | 0x07n)).toEqual([true, false]);
    // Bit 6 of an instruction abort's ISS is RES0: not read as WnR.
    expect(f(IABT | WNR | 0x07n)).toEqual([false, true]);
    // S1PTW with WnR: a Translation fault on the walk is a read (the walk reads the table)...
    expect(f(DABT | S1PTW | WNR | 0x07n)).toEqual([false, false]);
    // ...a Permission fault on the walk is a write (the hardware updating AF/DBM), WnR or not.
    expect(f(DABT | S1PTW | 0x0fn)).toEqual([true, false]);
    // An instruction abort on the walk is no exec fault.
    expect(f(IABT | S1PTW | 0x07n)).toEqual([false, false]);
    const x = abortFacts(DABT | ISV | CM | (1n << 10n) | 0x07n);
    expect([x.isv, x.cm, x.fnv, x.fsc, x.isIabt, x.ec]).toEqual([true, true, true, 7, false, 0x24]);
    const i = abortFacts(IABT | ISV | CM | 0x07n);
    expect([i.isv, i.cm, i.isIabt]).toEqual([false, false, true]);
  });

  it("HPFAR_EL2 is valid for Translation, Access flag, Address size, and a Permission fault on a stage-1 walk (arch-attributes.md 5)", () => {
    expect(hpfarValidFor(abortFacts(DABT | 0x07n))).toBe(true);
    expect(hpfarValidFor(abortFacts(DABT | 0x0bn))).toBe(true);
    expect(hpfarValidFor(abortFacts(DABT | 0x01n))).toBe(true);
    expect(hpfarValidFor(abortFacts(DABT | 0x0fn))).toBe(false);
    expect(hpfarValidFor(abortFacts(DABT | S1PTW | 0x0fn))).toBe(true);
    expect(hpfarValidFor(abortFacts(DABT | 0x10n))).toBe(false);
  });
});

describe("kvm_handle_guest_abort(): before the memslot", () => {
  it("a synchronous External abort or ECC error, also on a walk, goes to kvm_handle_guest_sea() and needs no IPA", () => {
    // EXTABT 0x10, SEA on a walk 0x13 (level -1) .. 0x17, SECC 0x18, SECC on a walk 0x1b .. 0x1f.
    for (const fsc of [0x10, 0x13, 0x14, 0x17, 0x18, 0x1b, 0x1f]) {
      const p = path(DABT | BigInt(fsc), null);
      expect(p.outcome.kind, `FSC ${fsc}`).toBe("sea");
      expect(p.outcome.fn).toBe("kvm_handle_guest_sea()");
      expect(p.ipa).toBeNull();
    }
    expect(path(DABT | 0x10n, null).outcome.text).toMatch(/^kvm_handle_guest_sea\(\): APEI .* kvm_inject_serror\(\)/);
    expect(path(DABT | 0x10n, null, {}, "v6.9").outcome.text).toMatch(/kvm_inject_vabt\(\)/);
    // 0x11 (tag check), 0x12 (SEA on a level -2 walk, FEAT_D128), 0x19, 0x1a are not in kvm_vcpu_abt_issea(): an unsupported FSC.
    for (const fsc of [0x11, 0x12, 0x19, 0x1a]) expect(path(DABT | BigInt(fsc), 0x40000000n).outcome.errno, `FSC ${fsc}`).toBe(-14);
  });

  it("no IPA given: HPFAR_EL2 is needed, with the reason for a Permission fault", () => {
    expect(message(() => path(DABT | 0x07n, null))).toBe(
      "--hpfar: required: kvm_handle_guest_abort() needs the fault IPA (HPFAR_EL2, or --ipa from the kvm_guest_fault trace)",
    );
    expect(message(() => path(DABT | 0x0fn, null))).toMatch(/^--hpfar: required: for a Permission fault on the final access HPFAR_EL2 is UNKNOWN/);
  });

  it("the IPA: HPFAR_EL2's FIPA << 12, or the trace's page-aligned ipa", () => {
    expect(path(DABT | 0x07n, 0x40001000n).ipa).toBe("0x40001000");
    const p = kvmHandleGuestAbort("mainline", { esr: DABT | 0x07n, far: null, hpfar: null, ipa: 0x40001234n }, RAM);
    expect(p.ipa).toBe("0x40001000");
    expect(p.ipaFrom).toBe("the kvm_guest_fault trace's ipa 0x40001234");
  });

  it("a Translation fault at or beyond the IPA limit (2^44): an Address size fault at level 0 is injected", () => {
    const p = path(DABT | 0x07n, 1n << 44n);
    expect(p.outcome).toEqual({
      kind: "inject",
      fn: "kvm_inject_size_fault()",
      text: "the guest takes a data abort with an Address size fault at level 0 (FSC 0x00)",
    });
    expect(path(IABT | 0x07n, 1n << 44n).outcome.text).toBe("the guest takes an instruction abort with an Address size fault at level 0 (FSC 0x00)");
    // Just below the limit and beyond the VM's 40 bits: an SEA with the page offset from FAR.
    const q = path(DABT | 0x07n, (1n << 44n) - 0x1000n, {}, "mainline", 0xffff000012345678n);
    expect(q.outcome).toEqual({
      kind: "inject",
      fn: "kvm_inject_sea()",
      text: "the guest takes a synchronous External abort on the data access (address 0xffffffff678: fault_ipa | FAR_EL2[11:0])",
    });
  });

  it("a Translation fault between the VM's IPA size (2^40) and the limit: an SEA, by era", () => {
    expect(path(DABT | 0x07n, 1n << 40n).outcome.fn).toBe("kvm_inject_sea()");
    expect(path(DABT | 0x07n, 1n << 40n).outcome.text).toBe(
      "the guest takes a synchronous External abort on the data access (address 0x10000000000: fault_ipa | FAR_EL2[11:0])",
    );
    expect(path(DABT | 0x07n, 1n << 40n, {}, "v6.9").outcome.fn).toBe("kvm_inject_dabt()");
    expect(path(IABT | 0x07n, 1n << 40n, {}, "pre").outcome.fn).toBe("kvm_inject_pabt()");
    expect(path(IABT | 0x07n, 1n << 40n).outcome.text).toMatch(/on the instruction fetch/);
    // One page below 2^40 is inside the VM: an ordinary fault, mapped.
    expect(path(DABT | 0x07n, (1n << 40n) - 0x1000n).op?.op).toBe("map");
    // A Permission fault beyond the IPA size is not tested against it.
    expect(path(DABT | WNR | 0x0fn, 1n << 44n).outcome.kind).toBe("resume");
  });

  it("an FSC that is not Translation, Permission or Access flag: -EFAULT", () => {
    const p = path(DABT | 0x00n, 0x40000000n); // Address size, level 0
    expect(p.outcome).toEqual({ kind: "error", fn: "kvm_handle_guest_abort()", text: "KVM_RUN returns -EFAULT to the VMM", errno: -14 });
    // The level -1 Translation fault (0x2B): classified from v6.9; older eras test FSC & 0x3C (0x28): unsupported.
    expect(path(DABT | 0x2bn, 0x40000000n).outcome.kind).toBe("resume");
    expect(path(DABT | 0x2bn, 0x40000000n, {}, "v6.9").outcome.kind).toBe("resume");
    const pre = path(DABT | 0x2bn, 0x40000000n, {}, "pre");
    expect(pre.outcome.errno).toBe(-14);
    expect(pre.notes[0]).toMatch(/^the level -1 Translation fault \(FEAT_LPA2\) is classified only from v6.9/);
    expect(path(DABT | 0x00n, 0x40000000n).notes).toEqual([]);
    // The older classification takes any level of a type: 0x0b & 0x3c = 0x08, Access flag.
    expect(path(DABT | 0x0bn, 0x40000000n, {}, "pre").op?.op).toBe("mkyoung");
    expect(path(DABT | 0x0fn, 0x40000000n, {}, "v1").outcome.kind).toBe("resume");
  });
});

describe("kvm_handle_guest_abort(): outside RAM", () => {
  const MMIO = 0x9000000n;
  const FAR = 0xffff800012340010n;

  it("an instruction fetch: an SEA on the fetch, by era", () => {
    expect(path(IABT | 0x07n, MMIO, { memslot: "none" }).outcome).toEqual({
      kind: "inject",
      fn: "kvm_inject_sea_iabt()",
      text: "the guest takes a synchronous External abort on the instruction fetch at FAR_EL2 (not given)",
    });
    expect(path(IABT | 0x07n, MMIO, { memslot: "none" }, "v6.9", FAR).outcome).toMatchObject({
      fn: "kvm_inject_pabt()",
      text: "the guest takes a synchronous External abort on the instruction fetch at FAR_EL2 0xffff800012340010",
    });
  });

  it("a stage-1 walk: an SEA data abort", () => {
    expect(path(DABT | S1PTW | 0x07n, MMIO, { memslot: "none" }).outcome).toEqual({
      kind: "inject",
      fn: "kvm_inject_sea_dabt()",
      text: "the guest takes a synchronous External abort (data abort) at FAR_EL2 (not given)",
    });
    expect(path(DABT | S1PTW | 0x07n, MMIO, { memslot: "none" }, "pre").outcome.fn).toBe("kvm_inject_dabt()");
  });

  it("cache maintenance outside any memslot: the instruction is skipped (but a write to a read-only slot is MMIO)", () => {
    expect(path(DABT | CM | 0x07n, MMIO, { memslot: "none" }).outcome).toEqual({
      kind: "skip",
      fn: "kvm_incr_pc()",
      text: "the instruction is skipped and the guest resumes",
    });
    expect(path(DABT | CM | WNR | 0x07n, 0x40000000n, { memslot: "ro" }).outcome.errno).toBe(-38);
  });

  it("no instruction syndrome: -ENOSYS, or KVM_EXIT_ARM_NISV when the VMM asked for it", () => {
    const p = path(DABT | WNR | 0x07n, MMIO, { memslot: "none" });
    expect(p.outcome.kind).toBe("error");
    expect(p.outcome.errno).toBe(-38);
    expect(p.notes).toEqual(["a VMM can opt in to KVM_EXIT_ARM_NISV with KVM_CAP_ARM_NISV_TO_USER (--nisv-to-user)"]);
    // esr_iss: ISS bits 8:0 without S1PTW (bit 7): WnR 0x40 | FSC 0x07 = 0x47.
    expect(path(DABT | WNR | 0x07n, MMIO, { memslot: "none", nisvToUser: true }, "mainline", FAR).outcome).toEqual({
      kind: "exit",
      fn: "io_mem_abort()",
      text: "KVM_EXIT_ARM_NISV to the VMM (KVM_CAP_ARM_NISV_TO_USER): esr_iss 0x47 (CM, WnR and FSC only), fault_ipa 0x9000010",
    });
  });

  it("an instruction syndrome: KVM_EXIT_MMIO with the length, direction and register", () => {
    // LDR X0: ISV, SAS 0b11 (8 bytes) = 0xc00000, SRT 0, SF 0x8000: 0x93c08007.
    const ld = path(DABT | ISV | (3n << 22n) | (1n << 15n) | 0x07n, MMIO, { memslot: "none" }, "mainline", FAR);
    expect(ld.outcome).toEqual({
      kind: "exit",
      fn: "io_mem_abort()",
      text: "otherwise KVM_EXIT_MMIO to the VMM: phys_addr 0x9000010, len 8, is_write 0; the VMM emulates the device, and on the next KVM_RUN kvm_handle_mmio_return() writes X0 and advances the PC",
    });
    expect(ld.steps.map((s) => s.fn).slice(-2)).toEqual(["io_mem_abort()", "kvm_io_bus_read()"]);
    expect(ld.steps.at(-2)?.text).toBe("ISV = 1: a 8-byte read into X0 (kvm_vcpu_dabt_iswrite(), kvm_vcpu_dabt_get_as(), kvm_vcpu_dabt_get_rd())");
    // STR W1: SAS 0b10 (4 bytes), SRT 1, SF 0, WnR.
    const st = path(DABT | ISV | (2n << 22n) | (1n << 16n) | WNR | 0x07n, MMIO, { memslot: "none" });
    expect(st.outcome.text).toBe(
      "otherwise KVM_EXIT_MMIO to the VMM: phys_addr 0x9000000, len 4, is_write 1; the VMM emulates the device, and on the next KVM_RUN kvm_handle_mmio_return() advances the PC",
    );
    expect(st.steps.at(-2)?.text).toMatch(/^ISV = 1: a 4-byte write of W1 /);
    expect(st.steps.at(-1)?.fn).toBe("kvm_io_bus_write()");
    // LDRSH W2: SAS 0b01 (2 bytes), SSE (bit 21), SRT 2.
    const sx = path(DABT | ISV | (1n << 22n) | (1n << 21n) | (2n << 16n) | 0x07n, MMIO, { memslot: "none" });
    expect(sx.steps.at(-2)?.text).toMatch(/^ISV = 1: a 2-byte read into W2 \(sign-extended\) /);
  });
});

describe("kvm_handle_guest_abort(): RAM", () => {
  const IPA = 0x40201000n;

  it("an Access flag fault: mkyoung on the fault IPA under the read lock", () => {
    const p = path(DABT | 0x0bn, IPA);
    expect(p.outcome.kind).toBe("resume");
    expect(p.outcome.fn).toBe("handle_access_fault()");
    expect(p.op).toEqual({ op: "mkyoung", ipa: 0x40201000, size: 1, pa: 0, prot: 0, flags: HANDLE_FAULT_SHARED, paFrom: "-" });
  });

  it("a Translation fault: map(PAGE_SIZE) with R and W (a writable slot), X only on an exec fault", () => {
    const p = path(DABT | 0x07n, IPA);
    expect(p.outcome.fn).toBe("user_mem_abort()");
    expect(p.op).toEqual({
      op: "map",
      ipa: 0x40201000,
      size: 0x1000,
      pa: 0x80000000,
      prot: R | W,
      flags: HANDLE_FAULT_SHARED,
      paFrom: "an example address (--pa gives the host page)",
    });
    expect(path(IABT | 0x07n, IPA).op?.prot).toBe(R | W | X);
    // A read-only slot: no W.
    expect(path(DABT | 0x07n, IPA, { memslot: "ro" }).op?.prot).toBe(R);
    // Dirty logging: a read fault maps without W, a write fault with it.
    expect(path(DABT | 0x07n, IPA, { dirtyLog: true }).op?.prot).toBe(R);
    expect(path(DABT | WNR | 0x07n, IPA, { dirtyLog: true }).op?.prot).toBe(R | W);
  });

  it("the host's block size: the IPA and PA aligned down to it; dirty logging forces pages", () => {
    const p = path(DABT | 0x07n, IPA, { mapSize: 0x200000, pa: 0x80201000 });
    expect(p.op).toMatchObject({ op: "map", ipa: 0x40200000, size: 0x200000, pa: 0x80200000, paFrom: "--pa 0x80201000 aligned down to 0x200000" });
    expect(path(DABT | 0x07n, IPA, { pa: 0x80201000 }).op).toMatchObject({ ipa: 0x40201000, size: 0x1000, pa: 0x80201000, paFrom: "--pa 0x80201000" });
    expect(path(DABT | 0x07n, IPA, { mapSize: 0x200000, dirtyLog: true }).op).toMatchObject({ ipa: 0x40201000, size: 0x1000 });
  });

  it("the PA from the leaf the table holds: the leaf's base plus the IPA's offset within it", () => {
    // A level-2 block (2 MiB) at 0x90000000 for the IPA's block: 0x90000000 + (0x40201000 & 0x1fffff) = 0x90001000.
    const leafAt = (ipa: bigint) => (ipa >> 21n === 0x40201000n >> 21n ? { pa: 0x90000000n, level: 2 } : null);
    const p = kvmHandleGuestAbort("mainline", regs(DABT | 0x07n, IPA), RAM, leafAt);
    expect(p.op).toMatchObject({ pa: 0x90001000, paFrom: "the leaf the table already holds for this IPA" });
    expect(kvmHandleGuestAbort("mainline", regs(DABT | 0x07n, 0x80000000n), RAM, leafAt).op?.pa).toBe(0x80000000);
  });

  it("a Permission fault: relax_perms when the mapping size is the fault granule, else a new leaf", () => {
    // Level 3: fault_granule 4K.
    const p3 = path(DABT | WNR | 0x0fn, IPA);
    expect(p3.op).toMatchObject({ op: "relax_perms", ipa: 0x40201000, size: 0x1000, prot: R | W, flags: HANDLE_FAULT_SHARED });
    expect(p3.outcome.text).toBe("0 (1 to the run loop): the guest resumes and retries the access");
    // Level 2: fault_granule 2M; vma_pagesize becomes it; relax_perms on the (unaligned) fault IPA.
    const p2 = path(DABT | WNR | 0x0en, IPA);
    expect(p2.op).toMatchObject({ op: "relax_perms", ipa: 0x40201000, size: 0x200000 });
    // Level 2 with dirty logging (force_pte): a page, so a map, not relax_perms.
    const d2 = path(DABT | WNR | 0x0en, IPA, { dirtyLog: true });
    expect(d2.op).toMatchObject({ op: "map", ipa: 0x40201000, size: 0x1000 });
    expect(d2.steps.find((s) => s.fn === "kvm_pgtable_stage2_map()")?.text).toMatch(
      /\(a Permission fault whose mapping size changes: a new leaf, not relax_perms\)$/,
    );
    // Level 1 with the host's 2M block: sizes differ, a map of 2M.
    expect(path(DABT | WNR | 0x0dn, IPA, { mapSize: 0x200000 }).op).toMatchObject({ op: "map", ipa: 0x40200000, size: 0x200000 });
  });

  it("the era's policy refuses: a cacheable PFNMAP without FWB and DIC is -EINVAL; -ENOEXEC becomes an SEA on the fetch", () => {
    // Section 6.1 (d) extras: kvm_arch_prepare_memory_region() rejects a cacheable VM_PFNMAP VMA without
    // kvm_supports_cacheable_pfnmap() (FWB and DIC), so the memslot never exists.
    const pfnmap = { vma: "pfnmap", pgprot: "cacheable", allowAnyUncached: false, pfnRam: false } as const;
    const e = path(DABT | 0x07n, IPA, { host: pfnmap, cpu: { fwb: false, dic: false } });
    expect(e.outcome.kind).toBe("error");
    expect(e.outcome.errno).toBe(-22);
    expect(e.outcome.fn).toBe("kvm_arch_prepare_memory_region()");
    expect(e.outcome.text).toMatch(/^-EINVAL: /);
    const nc = { vma: "pfnmap", pgprot: "noncached", allowAnyUncached: true, pfnRam: false } as const;
    const x = path(IABT | 0x07n, IPA, { host: nc }, "mainline", 0xffff000000001000n);
    expect(x.outcome.kind).toBe("inject");
    expect(x.outcome.fn).toBe("kvm_inject_sea_iabt()");
    expect(x.outcome.text).toMatch(/the guest takes a synchronous External abort on the instruction fetch at 0xffff000000001000$/);
    // A data access to the same memory is mapped Normal-NC, without X.
    expect(path(DABT | 0x07n, IPA, { host: nc }).op?.prot).toBe(R | W | 0x10);
  });
});

describe("inputs", () => {
  it("errName", () => {
    expect(errName(-14)).toBe("-EFAULT");
    expect(errName(-38)).toBe("-ENOSYS");
    expect(errName(-8)).toBe("-ENOEXEC");
    expect(errName(-999)).toBe("-999");
  });

  it("parseMapSize: 4k, 2m, 1g or a 0x byte count, 1 byte .. 1 TiB", () => {
    expect(parseMapSize("4k")).toBe(4096);
    expect(parseMapSize(" 2M ")).toBe(0x200000);
    expect(parseMapSize("1g")).toBe(0x40000000);
    expect(parseMapSize("1234567k")).toBe(1234567 * 1024);
    expect(parseMapSize("0x10000")).toBe(0x10000);
    expect(parseMapSize("0X1")).toBe(1);
    expect(parseMapSize("0x10000000000")).toBe(2 ** 40);
    const bad = "is not a mapping size (4k, 2m, 1g, ... or a 0x-prefixed byte count)";
    expect(message(() => parseMapSize("2x"))).toBe(`--map-size: '2x' ${bad}`);
    expect(message(() => parseMapSize("02m", "size"))).toBe(`size: '02m' ${bad}`);
    expect(message(() => parseMapSize("12345678k"))).toBe(`--map-size: '12345678k' ${bad}`);
    expect(message(() => parseMapSize("2mb"))).toBe(`--map-size: '2mb' ${bad}`);
    expect(message(() => parseMapSize("x2m"))).toBe(`--map-size: 'x2m' ${bad}`);
    expect(message(() => parseMapSize("4096"))).toBe(`--map-size: '4096' ${bad}`);
    expect(message(() => parseMapSize("0x0"))).toBe("--map-size: 0x0 is not a mapping size (1 byte .. 1 TiB)");
    expect(message(() => parseMapSize("0x10000000001"))).toBe("--map-size: 0x10000000001 is not a mapping size (1 byte .. 1 TiB)");
  });

  it("checkAbortConfig: the IPA size, the map size for the granule, the PA's alignment", () => {
    expect(() => checkAbortConfig(RAM)).not.toThrow();
    expect(message(() => checkAbortConfig({ ...RAM, iaBits: 31 }))).toBe("--ia-bits: 31 is outside 32..52");
    expect(message(() => checkAbortConfig({ ...RAM, iaBits: 53, ipaLimit: 52 }))).toBe("--ia-bits: 53 is outside 32..52");
    expect(message(() => checkAbortConfig({ ...RAM, iaBits: 40.5 }))).toBe("--ia-bits: 40.5 is outside 32..52");
    expect(() => checkAbortConfig({ ...RAM, iaBits: 32 })).not.toThrow();
    expect(() => checkAbortConfig({ ...RAM, iaBits: 44 })).not.toThrow();
    expect(message(() => checkAbortConfig({ ...RAM, iaBits: 45 }))).toBe("--ia-bits: 45 exceeds the host's IPA limit of 44 bits (--pa-bits)");
    for (const s of [0x1000, 0x200000, 0x40000000]) expect(() => checkAbortConfig({ ...RAM, mapSize: s })).not.toThrow();
    expect(message(() => checkAbortConfig({ ...RAM, mapSize: 0x10000 }))).toBe(
      "--map-size: 0x10000 is not a size KVM maps with a 4K granule (0x1000, 0x200000, 0x40000000: PAGE_SIZE, PMD_SIZE, PUD_SIZE)",
    );
    // 16K: 16K pages and 32M blocks only (no PUD blocks: KVM_PGTABLE_MIN_BLOCK_LEVEL is 2).
    expect(() => checkAbortConfig({ ...RAM, granule: 16384, mapSize: 0x2000000 })).not.toThrow();
    expect(message(() => checkAbortConfig({ ...RAM, granule: 16384, mapSize: 0x1000000000 }))).toBe(
      "--map-size: 0x1000000000 is not a size KVM maps with a 16K granule (0x4000, 0x2000000: PAGE_SIZE, PMD_SIZE)",
    );
    expect(message(() => checkAbortConfig({ ...RAM, pa: 0x80000800 }))).toBe("--pa: 0x80000800 is not aligned to the 4K page");
    expect(() => checkAbortConfig({ ...RAM, granule: 65536, pa: 0x80010000 })).not.toThrow();
    expect(message(() => checkAbortConfig({ ...RAM, granule: 65536, pa: 0x80001000 }))).toBe("--pa: 0x80001000 is not aligned to the 64K page");
  });

  it("kvmHandleGuestAbort checks its arguments", () => {
    expect(message(() => kvmHandleGuestAbort("mainline", { esr: 1, far: null, hpfar: null, ipa: null } as never, RAM))).toMatch(
      /^regs\.esr: 1 is not a 64-bit/,
    );
    expect(message(() => kvmHandleGuestAbort("mainline", { esr: DABT, far: 5, hpfar: null, ipa: null } as never, RAM))).toMatch(/^regs\.far: 5 is not/);
    expect(message(() => kvmHandleGuestAbort("mainline", { esr: DABT, far: null, hpfar: -1n, ipa: null }, RAM))).toMatch(/^regs\.hpfar: -1n is not/);
    expect(message(() => kvmHandleGuestAbort("mainline", { esr: DABT, far: null, hpfar: null, ipa: "0x1" } as never, RAM))).toMatch(/^regs\.ipa: "0x1" is not/);
    expect(message(() => kvmHandleGuestAbort("mainline", null as never, RAM))).toBe("regs: null is not an object");
    expect(message(() => kvmHandleGuestAbort("mainline", regs(DABT | 0x07n, IPA0), null as never))).toBe("c: null is not an object");
    expect(message(() => kvmHandleGuestAbort("mainline", regs(DABT | 0x07n, IPA0), RAM, 5 as never))).toBe("leafAt: 5 is not a function");
  });
});

const IPA0 = 0x40000000n;

describe("the path replayed on a table (replayAbort) and printed", () => {
  // 4K, 40-bit IPA, FWB: a 2 MiB R-only block at IPA 0x40200000 -> PA 0x80200000. Its descriptor
  // (kernel-reference.md 1.1): valid 0x1, FWB MemAttr 6 << 2 = 0x18, S2AP R 0x40, SH ISH 0x300, AF 0x400,
  // XN bit 54, OA 0x80200000: 0x0040000080200759; with W (0x80) added: 0x00400000802007d9.
  const mk = (): KvmPgtable => {
    const p = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
    expect(p.map(0x40200000, 0x200000, 0x80200000, R, 0)).toBe(0);
    return p;
  };
  const src = { describe: "a test table", load: mk };
  const leafAt = (ipa: bigint) => {
    const l = tableLeafAt(mk(), ipa);
    return l && { pa: l.pa, level: l.level };
  };

  it("a write to the R-only block: a level-2 Permission fault, relax_perms adds W, one TLBI of the IPA at level 2", () => {
    // WnR, FSC 0x0e (Permission, level 2); FAR's page offset 0x234.
    const rg: AbortRegs = { esr: DABT | WNR | 0x0en, far: 0xffff000000001234n, hpfar: hpfar(0x40201000n), ipa: null };
    const p = kvmHandleGuestAbort("mainline", rg, RAM, leafAt);
    // vma_pagesize is the 2M fault granule: the PA is the block's base, 0x80200000.
    expect(p.op).toMatchObject({ op: "relax_perms", ipa: 0x40201000, size: 0x200000, pa: 0x80200000, prot: R | W });
    const r = replayAbort(p, rg, src, true);
    expect(r.table).toBe("a test table");
    expect([r.fwb, r.dic]).toEqual([true, false]);
    expect(r.before.agrees).toBe(true);
    expect(r.before.why).toBe("the walk takes the fault the ESR reports (Permission fault, level 2)");
    expect(r.op).toMatchObject({ ret: 0, retName: "0", dcache: false, icache: false });
    // relax_perms invalidates the IPA's TLB entry, non-shareable, at the leaf's level (kernel-reference.md 5.3).
    expect(r.op?.events).toEqual([["tlbi_ipa_nsh", "0x40201000", 2]]);
    expect(r.leafAfter).toMatchObject({ level: 2, descriptor: "0x400000802007d9" });
    // The access again: 0x80200000 + (0x40201234 - 0x40200000).
    expect(r.after?.report.result?.pa).toBe("0x80201234");
    expect(r.notes).toEqual([]);

    const lines = formatAbortPath(p, r).split("\n");
    expect(lines[0]).toBe("era mainline: mainline today (6.17/6.18 era)");
    expect(lines).toContain("  => user_mem_abort(): 0 (1 to the run loop): the guest resumes and retries the access");
    expect(lines).toContain("  op: kvm_pgtable_stage2_relax_perms(0x40201000, R|W, HANDLE_FAULT|SHARED)");
    expect(lines).toContain("  the walk of the faulting IPA on a test table:");
    expect(lines).toContain("    the walk takes the fault the ESR reports (Permission fault, level 2)");
    expect(lines).toContain("  kvm_pgtable_stage2_relax_perms(0x40201000, R|W, HANDLE_FAULT|SHARED) on the model (Linux 6.18.25 pgtable.c): ret 0");
    expect(lines).toContain('    events: ["tlbi_ipa_nsh","0x40201000",2]');
    expect(lines.find((l) => l.startsWith("    leaf now: "))).toMatch(
      /^ {4}leaf now: 0x400000802007d9 at level 2: level-2 block \(0x200000 bytes\) -> 0x80200000/,
    );
    expect(lines).toContain("    the access again: PA 0x80201234 (level-2 block)");

    const j = abortPathJson(p, r);
    expect(j.op).toEqual({ op: "relax_perms", ipa: "0x40201000", flags: "HANDLE_FAULT|SHARED", prot: "R|W" });
    expect(j.outcome).toEqual({ kind: "resume", fn: "user_mem_abort()", text: "0 (1 to the run loop): the guest resumes and retries the access" });
    expect((j.replay as Record<string, unknown>).op).toEqual({ ret: 0, events: [["tlbi_ipa_nsh", "0x40201000", 2]] });
    expect(((j.replay as Record<string, unknown>).after as Record<string, unknown>).fault).toBeNull();
    expect(j.fault_ipa).toBe("0x40201000");

    expect(abortInputLines(rg, RAM).slice(0, 3)).toEqual([
      "ESR_EL2 0x9200004e: Data Abort from the guest, Permission fault, level 2, WnR 1, ISV 0",
      "FAR_EL2 0xffff000000001234; HPFAR_EL2 0x402010",
      "VM: 4K pages, 40-bit IPA (host IPA limit 44); memslot writable; FWB on, CTR_EL0.DIC 0",
    ]);
    expect(abortInputLines(rg, RAM)[3]).toMatch(/^host: anon VMA/);
  });

  it("a page mapped inside the block: the rest of the block is unmapped (no split), a new leaf to clean; an exec fault invalidates the icache", () => {
    // A Translation fault at level 3 reported inside the block (the ESR disagrees with the table: it is
    // a block at level 2); map of a 4K page R|W|X from an instruction fetch, PA given.
    const rg: AbortRegs = { esr: IABT | 0x07n, far: null, hpfar: hpfar(0x40201000n), ipa: null };
    const p = kvmHandleGuestAbort("mainline", rg, { ...RAM, pa: 0x90000000 });
    expect(p.op).toMatchObject({ op: "map", ipa: 0x40201000, size: 0x1000, pa: 0x90000000, prot: R | W | X });
    const r = replayAbort(p, rg, src, true);
    expect(r.before.agrees).toBe(false);
    expect(r.before.why).toMatch(/^the walk takes a Permission fault at level 2, the ESR reports Translation fault, level 3$/);
    expect(r.notes).toEqual([
      "the map replaced the level-2 block with a table holding this 0x1000 leaf only: pgtable.c does not split the block, so the rest of the 0x200000 block is unmapped and faults again (KVM's eager split, kvm_mmu_split_huge_pages(), avoids that when dirty logging starts)",
    ]);
    expect(r.op).toMatchObject({ ret: 0, dcache: true, icache: true });
    expect(r.leafAfter).toMatchObject({ level: 3 });
    const lines = formatAbortPath(p, r).split("\n");
    expect(lines.some((l) => l.startsWith("    ! the walk takes a Permission fault at level 2"))).toBe(true);
    expect(lines).toContain(
      "    (dcache: pgtable.c asks for a clean to PoC of every new cacheable leaf; mmu.c's clean_dcache_guest_page() does it only without FWB: FWB is on, a no-op)",
    );
    expect(lines).toContain("    (icache: the leaf became executable; invalidate_icache_guest_page() invalidates to PoU)");
    expect(lines).toContain("  op: kvm_pgtable_stage2_map(0x40201000, 0x1000, 0x90000000, R|W|X, HANDLE_FAULT|SHARED)  (PA from --pa 0x90000000)");
    expect(lines.some((l) => l.startsWith("    note: the map replaced the level-2 block"))).toBe(true);
    expect(lines).toContain("    the access again: PA 0x90000000 (level-3 page)");
    expect(formatAbortPath(p, { ...r, dic: true }).split("\n")).toContain(
      "    (icache: the leaf became executable; invalidate_icache_guest_page() invalidates to PoU (CTR_EL0.DIC: a no-op))",
    );
    expect(formatAbortPath(p, { ...r, fwb: false }).split("\n")).toContain(
      "    (dcache: pgtable.c asks for a clean to PoC of every new cacheable leaf; mmu.c's clean_dcache_guest_page() does it only without FWB)",
    );
    const j = abortPathJson(p, r);
    expect(j.op).toEqual({
      op: "map",
      ipa: "0x40201000",
      flags: "HANDLE_FAULT|SHARED",
      size: "0x1000",
      pa: "0x90000000",
      pa_from: "--pa 0x90000000",
      prot: "R|W|X",
    });
    expect(abortInputLines(rg, RAM)[0]).toBe("ESR_EL2 0x82000007: Instruction Abort from the guest, Translation fault, level 3, ISV 0");
  });

  it("an Access flag fault: mkyoung; an error path: no op, the errno in brackets and in the JSON", () => {
    const rg: AbortRegs = { esr: DABT | 0x0bn, far: null, hpfar: hpfar(0x40200000n), ipa: null };
    const p = kvmHandleGuestAbort("mainline", rg, RAM);
    const r = replayAbort(p, rg, src, true);
    expect(formatAbortPath(p, null).split("\n")).toContain("  op: kvm_pgtable_stage2_mkyoung(0x40200000, HANDLE_FAULT|SHARED)");
    expect(abortPathJson(p, null).op).toEqual({ op: "mkyoung", ipa: "0x40200000", flags: "HANDLE_FAULT|SHARED" });
    expect(abortPathJson(p, null).replay).toBeNull();
    expect(r.op?.ret).toBe(0);
    expect(formatAbortPath(p, r).split("\n")).toContain("    events: none");
    const e = path(DABT | 0x00n, 0x40000000n);
    expect(formatAbortPath(e, null).split("\n")).toContain("  => kvm_handle_guest_abort(): KVM_RUN returns -EFAULT to the VMM [-EFAULT]");
    expect(abortPathJson(e, null).outcome).toEqual({
      kind: "error",
      fn: "kvm_handle_guest_abort()",
      text: "KVM_RUN returns -EFAULT to the VMM",
      errno: -14,
      name: "EFAULT",
    });
    const re = replayAbort(e, regs(DABT | 0x00n, 0x40000000n), src, true);
    expect([re.op, re.after]).toEqual([null, null]);
    expect(
      formatAbortPath(e, re)
        .split("\n")
        .some((l) => l.startsWith("    the access again")),
    ).toBe(false);
  });

  it("the inputs in words: FnV, the trace's IPA, NS, a read-only slot with dirty logging and a host block", () => {
    const rg: AbortRegs = { esr: DABT | S1PTW | CM | (1n << 10n) | 0x07n, far: null, hpfar: null, ipa: 0x40001234n };
    expect(abortInputLines(rg, { ...RAM, memslot: "ro", dirtyLog: true, mapSize: 0x200000, cpu: { fwb: false, dic: true } })).toEqual([
      // 0x92000000 | FnV 0x400 | CM 0x100 | S1PTW 0x80 | FSC 0x07.
      "ESR_EL2 0x92000587: Data Abort from the guest, Translation fault, level 3, WnR 0, S1PTW 1, ISV 0, CM 1",
      "FAR_EL2 not given (FnV = 1: not valid); HPFAR_EL2 not given (ipa 0x40001234)",
      "VM: 4K pages, 40-bit IPA (host IPA limit 44); memslot read-only, dirty logging; FWB off, CTR_EL0.DIC 1",
      expect.stringMatching(/^host: anon VMA.*; mapped with 0x200000$/),
    ]);
    const ns: AbortRegs = { esr: DABT | 0x07n, far: null, hpfar: (1n << 63n) | 0x400010n, ipa: null };
    expect(abortInputLines(ns, { ...RAM, memslot: "none" })).toEqual([
      "ESR_EL2 0x92000007: Data Abort from the guest, Translation fault, level 3, WnR 0, ISV 0",
      "FAR_EL2 not given; HPFAR_EL2 0x8000000000400010 (NS: KVM's valid marker)",
      "VM: 4K pages, 40-bit IPA (host IPA limit 44); memslot none (MMIO); FWB on, CTR_EL0.DIC 0",
    ]);
    expect(abortInputLines({ ...ns, hpfar: null }, RAM)[1]).toBe("FAR_EL2 not given; HPFAR_EL2 not given");
    // A reserved FSC is named by its code.
    expect(abortInputLines({ ...ns, esr: DABT | ISV | 0x3fn }, RAM)[0]).toMatch(/^ESR_EL2 0x9300003f: Data Abort from the guest, .*, WnR 0, ISV 1$/);
  });

  it("the access the walk repeats: the fetch, the data access, or the table walk's read (write for a hardware update)", () => {
    expect(faultAccess(abortFacts(IABT | 0x07n))).toBe(ACCESS_EXEC);
    expect(faultAccess(abortFacts(DABT | WNR | 0x07n))).toBe(ACCESS_WRITE);
    expect(faultAccess(abortFacts(DABT | 0x07n))).toBe(ACCESS_READ);
    expect(faultAccess(abortFacts(IABT | S1PTW | 0x07n))).toBe(ACCESS_READ);
    expect(faultAccess(abortFacts(DABT | S1PTW | WNR | 0x0fn))).toBe(ACCESS_WRITE);
  });

  it("tableLeafAt: the leaf for an IPA, none beyond the IPA space or where nothing is mapped", () => {
    const t = mk();
    expect(tableLeafAt(t, 0x40212345n)).toMatchObject({ pa: 0x80200000n, level: 2, lo: 0x80200759, hi: 0x400000 });
    expect(tableLeafAt(t, 0x40000000n)).toBeNull();
    expect(tableLeafAt(t, 1n << 40n)).toBeNull();
  });

  it("replayAbort checks its arguments", () => {
    const rg = regs(DABT | 0x0bn, 0x40200000n);
    const p = kvmHandleGuestAbort("mainline", rg, RAM);
    expect(message(() => replayAbort(null as never, rg, src, true))).toBe("path: null is not an object");
    expect(message(() => replayAbort(p, rg, { describe: "x" } as never, true))).toBe("src.load: undefined is not a function");
    expect(message(() => replayAbort(p, rg, null as never, true))).toBe("src: null is not an object");
    expect(message(() => replayAbort(p, rg, src, 1 as never))).toBe("ha: 1 is not a boolean (true or false)");
    expect(message(() => replayAbort(p, rg, src, true, 0 as never))).toBe("dic: 0 is not a boolean (true or false)");
    expect(message(() => formatAbortPath(null as never, null))).toBe("p: null is not an object");
    expect(message(() => formatAbortPath(p, 5 as never))).toBe("r: 5 is not an object");
    expect(message(() => abortPathJson(null as never, null))).toBe("p: null is not an object");
    expect(message(() => abortPathJson(p, 5 as never))).toBe("r: 5 is not an object");
  });
});

describe("the decisions in the kernel's order (section 7), each with the fact it decides on", () => {
  type Want = Array<[string, RegExp]>;
  const steps = (esr: bigint, ipa: bigint | null, c: Partial<AbortConfig> = {}, era: Era = "mainline"): Array<[string, string]> =>
    path(esr, ipa, c, era).steps.map((s) => [s.fn, s.text]);
  const check = (got: Array<[string, string]>, want: Want): void => {
    expect(got.map(([fn]) => fn)).toEqual(want.map(([fn]) => fn));
    want.forEach(([, re], i) => expect(got[i][1], got[i][0]).toMatch(re));
  };
  const EXIT_D: [string, RegExp] = ["handle_exit()", /^EC 0x24 \(Data Abort from a lower EL\): arm_exit_handlers\[\] calls kvm_handle_guest_abort\(\)$/];
  const EXIT_I: [string, RegExp] = ["handle_exit()", /^EC 0x20 \(Instruction Abort from a lower EL\): /];
  const IPA_MMIO: [string, RegExp] = [
    "kvm_vcpu_get_fault_ipa()",
    /^fault_ipa 0x9000000 from HPFAR_EL2 0x90000: FIPA << 12; HPFAR_EL2 is valid for this fault \(__hpfar_valid\(\)\)$/,
  ];
  const T3: [string, RegExp] = ["esr_fsc_is_translation_fault()", /^Translation fault, level 3$/];
  const NOSLOT: [string, RegExp] = ["gfn_to_hva_memslot_prot()", /^gfn 0x9000 is in no memslot: kvm_is_error_hva\(\)$/];

  it("an SEA: the FSC named", () => {
    check(steps(DABT | 0x10n, null), [
      EXIT_D,
      ["kvm_vcpu_abt_issea()", /^FSC 0x10 \(Synchronous External abort, .*\) is a synchronous External abort or ECC error$/],
    ]);
  });

  it("beyond the IPA limit", () => {
    check(steps(DABT | 0x07n, 1n << 44n), [
      EXIT_D,
      ["kvm_vcpu_get_fault_ipa()", /^fault_ipa 0x100000000000 from HPFAR_EL2 0x1000000000: /],
      ["kvm_handle_guest_abort()", /^a Translation fault at 0x100000000000, beyond the sanitised PARange \(the IPA limit, 44 bits\)$/],
    ]);
    check(steps(DABT | 0x07n, 1n << 40n), [
      EXIT_D,
      ["kvm_vcpu_get_fault_ipa()", /^fault_ipa 0x10000000000 /],
      ["kvm_handle_guest_abort()", /^a Translation fault at 0x10000000000: between the VM's IPA size \(40 bits, VTCR_EL2_IPA\) and the PARange$/],
    ]);
  });

  it("an unsupported FSC, by era", () => {
    check(steps(DABT | 0x00n, 0x40000000n), [
      EXIT_D,
      ["kvm_vcpu_get_fault_ipa()", /^fault_ipa 0x40000000 /],
      ["trace_kvm_guest_fault()", /^ipa 0x40000000, esr 0x92000000, hxfar \?$/],
      [
        "esr_fsc_is_translation_fault() / _permission_fault() / _access_flag_fault()",
        /^FSC 0x0 \(Address size fault, level 0\) is none of them: kvm_err\("Unsupported FSC/,
      ],
    ]);
    expect(steps(DABT | 0x00n, 0x40000000n, {}, "pre")[3][0]).toBe("kvm_vcpu_trap_get_fault_type()");
    expect(steps(DABT | 0x07n, 0x40000000n, {}, "v1")[3][0]).toBe("kvm_vcpu_trap_get_fault_type()");
  });

  it("no memslot: MMIO, an instruction fetch, a stage-1 walk", () => {
    const mmioHead: Want = [
      EXIT_D,
      IPA_MMIO,
      ["trace_kvm_guest_fault()", /^ipa 0x9000000, esr 0x92000007, hxfar \?$/],
      T3,
      NOSLOT,
      ["kvm_is_write_fault()", /^WnR = 0: read$/],
      ["kvm_handle_guest_abort()", /^no memslot: the IPA is not guest RAM$/],
    ];
    check(steps(DABT | 0x07n, 0x9000000n, { memslot: "none" }), [
      ...mmioHead,
      ["kvm_handle_guest_abort()", /^fault_ipa \|= FAR_EL2\[11:0\]: 0x9000000 \(FAR_EL2 not given: offset 0 assumed\)$/],
      ["io_mem_abort()", /^ISV = 0: no instruction syndrome .*: KVM cannot emulate the access; trace_kvm_mmio_nisv\(\)$/],
    ]);
    check(steps(IABT | 0x07n, 0x9000000n, { memslot: "none" }), [
      EXIT_I,
      IPA_MMIO,
      ["trace_kvm_guest_fault()", /^ipa 0x9000000, esr 0x82000007, hxfar \?$/],
      T3,
      NOSLOT,
      ["kvm_is_write_fault()", /^an instruction abort: not a write$/],
      ["kvm_handle_guest_abort()", /^no memslot/],
      ["kvm_handle_guest_abort()", /^an instruction fetch from there: -ENOEXEC /],
    ]);
    check(steps(DABT | S1PTW | 0x07n, 0x9000000n, { memslot: "none" }), [
      EXIT_D,
      IPA_MMIO,
      ["trace_kvm_guest_fault()", /esr 0x92000087/],
      T3,
      NOSLOT,
      ["kvm_is_write_fault()", /^S1PTW: a write only for a Permission fault \(the hardware updating AF\/DBM in the guest's table\): read$/],
      ["kvm_handle_guest_abort()", /^no memslot/],
      ["kvm_vcpu_abt_iss1tw()", /^the guest's stage-1 table walk reads there /],
    ]);
    check(steps(DABT | CM | 0x07n, 0x9000000n, { memslot: "none" }).slice(-1), [
      ["kvm_vcpu_dabt_is_cm()", /^a cache maintenance instruction outside any memslot/],
    ]);
  });

  it("a write to a read-only slot, dirty logging, a host block, a Permission fault's granule, mkyoung", () => {
    const ro = steps(DABT | WNR | 0x0en, 0x40201000n, { dirtyLog: true, mapSize: 0x200000, memslot: "ro" });
    expect(ro[1][1]).toMatch(/^fault_ipa 0x40201000 from HPFAR_EL2 0x402010: FIPA << 12; HPFAR_EL2 is UNKNOWN for a Permission fault on the final access: /);
    expect(ro[3]).toEqual(["esr_fsc_is_permission_fault()", "Permission fault, level 2"]);
    expect(ro[4][1]).toMatch(/^gfn 0x40201 is in a read-only \(KVM_MEM_READONLY\) memslot; its backing: anon VMA/);
    expect(ro[5]).toEqual(["kvm_is_write_fault()", "WnR = 1: write"]);
    expect(ro[6]).toEqual(["kvm_handle_guest_abort()", "a write to a read-only memslot"]);
    const rw = steps(DABT | WNR | 0x0fn, 0x40201000n, { dirtyLog: true });
    expect(rw[4][1]).toMatch(/^gfn 0x40201 is in a writable memslot; its backing: /);
    expect(rw.slice(6, 9)).toEqual([
      ["kvm_vcpu_trap_get_perm_fault_granule()", "a Permission fault at level 3: fault_granule 0x1000"],
      ["user_mem_abort()", "write_fault 1 (kvm_is_write_fault()), exec_fault 0 (kvm_vcpu_trap_is_exec_fault(): an instruction abort not on a table walk)"],
      ["user_mem_abort()", "dirty logging (memslot_is_logging()): force_pte, PAGE_SIZE mappings"],
    ]);
    expect(rw.at(-2)).toEqual(["mark_page_dirty_in_slot()", "the page is marked dirty once the fault is handled"]);
    expect(rw.at(-1)).toEqual([
      "kvm_pgtable_stage2_relax_perms()",
      "a Permission fault and vma_pagesize == fault_granule: relax_perms(0x40201000, R|W, HANDLE_FAULT | SHARED) adds the missing permissions to the existing leaf",
    ]);
    const blk = steps(IABT | 0x07n, 0x40201000n, { mapSize: 0x200000 });
    expect(blk[7]).toEqual(["get_vma_page_shift() / transparent_hugepage_adjust()", "the host maps it with 0x200000 (--map-size)"]);
    expect(blk.at(-1)).toEqual(["kvm_pgtable_stage2_map()", "map(0x40200000, 0x200000, 0x80000000, R|W|X, memcache, HANDLE_FAULT | SHARED)"]);
    expect(blk[6]).toEqual(["user_mem_abort()", expect.stringMatching(/^write_fault 0 \(kvm_is_write_fault\(\)\), exec_fault 1 /)]);
    const rd = steps(DABT | 0x07n, 0x40201000n, { memslot: "ro" });
    expect(rd).toContainEqual(["__kvm_faultin_pfn()", "a read-only memslot: writable = false, no KVM_PGTABLE_PROT_W"]);
    expect(steps(DABT | 0x07n, 0x40201000n, { dirtyLog: true })).toContainEqual([
      "user_mem_abort()",
      "dirty logging and a read fault: writable = false (mapped writable only on a write fault, which marks the page dirty)",
    ]);
    const p2 = steps(DABT | WNR | 0x0en, 0x40201000n);
    expect(p2).toContainEqual(["user_mem_abort()", "a Permission fault on a 0x200000 block: vma_pagesize = fault_granule"]);
    const af = path(DABT | 0x0bn, 0x40201000n);
    expect(af.steps.at(-1)).toEqual({
      fn: "handle_access_fault()",
      text: "trace_kvm_access_fault(); under the read lock, kvm_pgtable_stage2_mkyoung(fault_ipa, HANDLE_FAULT | SHARED) sets AF in the level-3 leaf",
    });
    expect(af.notes).toEqual([expect.stringMatching(/^an Access flag fault reaches KVM only when VTCR_EL2.HA = 0 /)]);
    expect(af.outcome.text).toBe("the leaf is young again; the guest resumes and retries the access");
    expect(path(DABT | 0x07n, 0x40201000n).outcome.text).toBe(
      "0 (1 to the run loop; -EAGAIN from a racing vCPU also becomes 0): the guest resumes and retries the access",
    );
  });

  it("replay details: a path without an IPA cannot be replayed; a table that already allows the access; a fault at another level", () => {
    const sea = path(DABT | 0x10n, null);
    expect(() =>
      replayAbort(
        sea,
        regs(DABT | 0x10n, null),
        { describe: "t", load: () => new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: true, tlbRange: false }) },
        true,
      ),
    ).toThrow("replayAbort: the path has no fault IPA");
    const rwTable = (): KvmPgtable => {
      const p = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
      expect(p.map(0x40200000, 0x200000, 0x80200000, R | W, 0)).toBe(0);
      return p;
    };
    const rg = regs(DABT | WNR | 0x0en, 0x40201000n);
    const ok = replayAbort(kvmHandleGuestAbort("mainline", rg, RAM), rg, { describe: "rw", load: rwTable }, true);
    expect([ok.before.agrees, ok.before.why]).toEqual([null, "the access succeeds on this table"]);
    // A level-3 Translation fault reported where the table has nothing below level 1: same type, another level.
    const tr = regs(DABT | 0x07n, 0x1000n);
    const far = replayAbort(kvmHandleGuestAbort("mainline", tr, RAM), tr, { describe: "rw", load: rwTable }, true);
    expect(far.before.agrees).toBe(false);
    expect(far.before.why).toMatch(/^the walk takes a Translation fault at level 1, the ESR reports Translation fault, level 3$/);
    // A 2M map over the 2M block replaces it whole: no note.
    const whole = kvmHandleGuestAbort("mainline", regs(DABT | 0x06n, 0x40200000n), { ...RAM, mapSize: 0x200000 });
    expect(whole.op).toMatchObject({ op: "map", size: 0x200000 });
    expect(replayAbort(whole, regs(DABT | 0x06n, 0x40200000n), { describe: "rw", load: rwTable }, true).notes).toEqual([]);
    // mkyoung on a block: no note either.
    const af = regs(DABT | 0x0an, 0x40200000n);
    expect(replayAbort(kvmHandleGuestAbort("mainline", af, RAM), af, { describe: "rw", load: rwTable }, true).notes).toEqual([]);
  });

  it("the printed path: every step on its own line, the walk indented under a blank line; the JSON's steps and walk", () => {
    const mk = (): KvmPgtable => {
      const p = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
      expect(p.map(0x40200000, 0x200000, 0x80200000, R, 0)).toBe(0);
      return p;
    };
    const rg: AbortRegs = { esr: DABT | WNR | 0x0en, far: 0xffff000000001234n, hpfar: hpfar(0x40201000n), ipa: null };
    const p = kvmHandleGuestAbort("mainline", rg, RAM);
    const r = replayAbort(p, rg, { describe: "t", load: mk }, true);
    const lines = formatAbortPath(p, r).split("\n");
    expect(lines[1]).toBe("  handle_exit(): EC 0x24 (Data Abort from a lower EL): arm_exit_handlers[] calls kvm_handle_guest_abort()");
    const at = lines.indexOf("  the walk of the faulting IPA on t:");
    expect(lines[at - 1]).toBe("");
    expect(lines[at + 1]).toBe("    IPA 0x40201234, data write at EL1");
    const j = abortPathJson(p, r);
    expect((j.steps as string[])[0]).toBe("handle_exit(): EC 0x24 (Data Abort from a lower EL): arm_exit_handlers[] calls kvm_handle_guest_abort()");
    expect((j.replay as { before: Record<string, unknown> }).before).toMatchObject({
      agrees_with_esr: true,
      why: "the walk takes the fault the ESR reports (Permission fault, level 2)",
      walk: { ipa: "0x40201234", access: "w" },
    });
  });
});

describe("the edges of each decision", () => {
  it("level 0 of each fault type is classified too (esr_fsc_is_*(): levels 0..3)", () => {
    expect(path(DABT | 0x04n, 0x40000000n).op?.op).toBe("map");
    expect(path(DABT | WNR | 0x0cn, 0x40000000n).outcome.kind).toBe("resume");
    expect(path(DABT | WNR | 0x0cn, 0x40000000n).steps[3].fn).toBe("esr_fsc_is_permission_fault()");
    expect(path(DABT | 0x08n, 0x40000000n).op?.op).toBe("mkyoung");
    expect(path(DABT | 0x08n, 0x40000000n).steps[3]).toEqual({ fn: "esr_fsc_is_access_flag_fault()", text: "Access flag fault, level 0" });
  });

  it("the older eras: (esr & 0x3C) classifies; v1 too; a Permission fault still relaxes", () => {
    expect(path(DABT | 0x2bn, 0x40000000n, {}, "v1").outcome.errno).toBe(-14);
    expect(path(DABT | WNR | 0x0fn, 0x40000000n, {}, "pre").op?.op).toBe("relax_perms");
    expect(path(DABT | WNR | 0x0fn, 0x40000000n, {}, "v1").op?.op).toBe("relax_perms");
    expect(path(DABT | 0x00n, 0x40000000n, {}, "pre").notes).toEqual([]);
  });

  it("a reserved FSC (0x19) is named as reserved", () => {
    const p = path(DABT | 0x19n, 0x40000000n);
    expect(p.outcome.errno).toBe(-14);
    expect(p.steps.at(-1)?.text).toMatch(/^FSC 0x19 \(reserved\) is none of them/);
    expect(abortInputLines(regs(DABT | 0x19n, 0x40000000n), RAM)[0]).toBe("ESR_EL2 0x92000019: Data Abort from the guest, reserved FSC 0x19, WnR 0, ISV 0");
  });

  it("an EC below 0x10 is printed with two digits", () => {
    // EC 0x01 (WFx) << 26 | IL = 0x06000000.
    expect(message(() => abortFacts(0x06000000n))).toMatch(/^--esr: 0x6000000 has EC 0x01 \(/);
  });

  it("HPFAR_EL2 is not valid for an External abort on a stage-1 walk", () => {
    expect(hpfarValidFor(abortFacts(DABT | S1PTW | 0x14n))).toBe(false);
  });

  it("parseMapSize takes the whole text; checkAbortConfig takes a 52-bit IPA", () => {
    const bad = "is not a mapping size (4k, 2m, 1g, ... or a 0x-prefixed byte count)";
    expect(message(() => parseMapSize("x0x10"))).toBe(`--map-size: 'x0x10' ${bad}`);
    expect(message(() => parseMapSize("0x10z"))).toBe(`--map-size: '0x10z' ${bad}`);
    expect(() => checkAbortConfig({ ...RAM, iaBits: 52, ipaLimit: 52 })).not.toThrow();
  });

  it("the trace shows FAR; the MMIO address takes FAR's page offset; the in-kernel bus is tried first", () => {
    const far = 0xffff800012340010n;
    const p = path(DABT | ISV | 0x07n, 0x9000000n, { memslot: "none" }, "mainline", far);
    expect(p.steps[2].text).toBe("ipa 0x9000000, esr 0x93000007, hxfar 0xffff800012340010");
    expect(p.steps).toContainEqual({ fn: "kvm_handle_guest_abort()", text: "fault_ipa |= FAR_EL2[11:0]: 0x9000010" });
    expect(p.steps.at(-1)?.text).toMatch(/^KVM_MMIO_BUS at 0x9000010: an in-kernel device /);
    expect(path(DABT | 0x07n, 0x9000000n, { memslot: "none" }).outcome).toEqual({
      kind: "error",
      fn: "io_mem_abort()",
      text: 'kvm_pr_unimpl("Data abort outside memslots with no valid syndrome info"): KVM_RUN returns -ENOSYS (QEMU: "kvm run failed Function not implemented")',
      errno: -38,
    });
  });

  it("user_mem_abort()'s optional steps appear only when they apply", () => {
    const fns = (p: ReturnType<typeof path>) => p.steps.map((s) => s.fn);
    const plain = path(DABT | 0x07n, 0x40201000n);
    expect(fns(plain)).not.toContain("get_vma_page_shift() / transparent_hugepage_adjust()");
    expect(fns(plain)).toContain("kvm_vma_is_cacheable()");
    expect(fns(path(DABT | WNR | 0x07n, 0x40201000n))).not.toContain("mark_page_dirty_in_slot()");
    expect(fns(path(DABT | 0x07n, 0x40201000n, { dirtyLog: true }))).not.toContain("mark_page_dirty_in_slot()");
    expect(path(DABT | WNR | 0x0fn, 0x40201000n).steps.some((s) => /vma_pagesize = fault_granule$/.test(s.text))).toBe(false);
    // An S1PTW Permission fault on RAM is a write.
    expect(path(DABT | S1PTW | 0x0fn, 0x40201000n).steps).toContainEqual({
      fn: "kvm_is_write_fault()",
      text: "S1PTW: a write only for a Permission fault (the hardware updating AF/DBM in the guest's table): write",
    });
    // -ENOEXEC without FAR.
    const nc = { vma: "pfnmap", pgprot: "noncached", allowAnyUncached: true, pfnRam: false } as const;
    expect(path(IABT | 0x07n, 0x40201000n, { host: nc }).outcome.text).toMatch(
      /the guest takes a synchronous External abort on the instruction fetch at FAR_EL2$/,
    );
  });

  it("the replay: HA off for an Access flag fault, a second map of the same leaf is -EAGAIN, types that disagree at the same level", () => {
    const young = (): KvmPgtable => {
      const p = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
      expect(p.map(0x40200000, 0x200000, 0x80200000, R | W, 0)).toBe(0);
      return p;
    };
    const old = (): KvmPgtable => {
      const p = young();
      p.testClearYoung(0x40200000, 0x200000, true);
      return p;
    };
    // The leaf's AF is clear: with HA the walk would set it and succeed; an Access flag fault means HA = 0.
    const af = regs(DABT | 0x0an, 0x40200000n);
    const r = replayAbort(kvmHandleGuestAbort("mainline", af, RAM), af, { describe: "old", load: old }, true);
    expect(r.before.agrees).toBe(true);
    expect(r.before.why).toBe("the walk takes the fault the ESR reports (Access flag fault, level 2)");
    const text = formatAbortPath(kvmHandleGuestAbort("mainline", af, RAM), r).split("\n");
    expect(text).toContain(
      "  note: an Access flag fault reaches KVM only when VTCR_EL2.HA = 0 (KVM sets HA unless built without CONFIG_ARM64_HW_AFDBM or on a CPU with the AC03_CPU_38 erratum)",
    );
    expect(text.some((l) => l.startsWith("    (dcache:") || l.startsWith("    (icache:"))).toBe(false);
    // Mapping the same 2M R|W leaf again: stage2_map_walker_try_leaf() finds nothing to change, -EAGAIN.
    const tr = regs(DABT | 0x06n, 0x40200000n);
    const same = kvmHandleGuestAbort("mainline", tr, { ...RAM, mapSize: 0x200000, pa: 0x80200000 });
    const ra = replayAbort(same, tr, { describe: "young", load: young }, true);
    expect(ra.op?.ret).toBe(-11);
    expect(ra.op?.retName).toBe("-EAGAIN (user_mem_abort() turns it into 0)");
    // A Permission fault at level 2 reported where the walk takes a Translation fault at level 2.
    const pm = regs(DABT | WNR | 0x0en, 0x40400000n);
    const rp = replayAbort(kvmHandleGuestAbort("mainline", pm, RAM), pm, { describe: "young", load: young }, true);
    expect(rp.before.agrees).toBe(false);
    // mkyoung where nothing is mapped: no leaf after, and the access still faults.
    const none = regs(DABT | 0x0bn, 0x1000n);
    const pn = kvmHandleGuestAbort("mainline", none, RAM);
    const rn = replayAbort(pn, none, { describe: "young", load: young }, true);
    const lines = formatAbortPath(pn, rn).split("\n");
    expect(lines).toContain("    leaf now: none");
    expect(lines.find((l) => l.startsWith("    the access again: "))).toMatch(/^ {4}the access again: Translation fault, level 1$/);
    // A reserved FSC: the walk's fault is compared with "another fault".
    const rs = regs(DABT | 0x19n, 0x1000n);
    const rr = replayAbort(kvmHandleGuestAbort("mainline", rs, RAM), rs, { describe: "young", load: young }, true);
    expect(rr.before.why).toMatch(/^the walk takes a Translation fault at level 1, the ESR reports another fault$/);
  });

  it("events are listed comma-separated; the host line ends where it should", () => {
    const mk = (): KvmPgtable => {
      const p = new KvmPgtable({ granule: 4096, iaBits: 40, paBits: 40, lpa2: false, fwb: true, tlbRange: false });
      expect(p.map(0x40200000, 0x200000, 0x80200000, R, 0)).toBe(0);
      return p;
    };
    const rg: AbortRegs = { esr: IABT | 0x07n, far: null, hpfar: hpfar(0x40201000n), ipa: null };
    const p = kvmHandleGuestAbort("mainline", rg, { ...RAM, pa: 0x90000000 });
    const r = replayAbort(p, rg, { describe: "t", load: mk }, true);
    expect(r.op!.events.length).toBeGreaterThan(1);
    expect(formatAbortPath(p, r).split("\n")).toContain(`    events: ${r.op!.events.map((e) => JSON.stringify(e)).join(", ")}`);
    expect(abortInputLines(rg, RAM)[3]).toMatch(/^host: anon VMA.*\(pfn_is_map_memory\)$/);
  });
});
