// The decision trail of user_mem_abort() per era, step by step: each step
// names the kernel function and the decision kernel-reference.md section 6.1
// gives for these inputs (kvm_is_device_pfn = !pfn_is_map_memory; v1's
// mapping_type() from vm_page_prot; v6.9's VM_ALLOW_ANY_UNCACHED; mainline's
// kvm_arch_prepare_memory_region, kvm_vma_is_cacheable, s2_force_noncacheable,
// kvm_supports_cacheable_pfnmap; PROT_X up front with CTR_EL0.DIC). Every
// expected value is written out, none is read back from the model.
import { describe, expect, it } from "vitest";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";
import { ERA_IDS, eraInfo, errnoName, kvmArchPrepareMemoryRegion, parseEras, userMemAbortPolicy, type Era, type PolicyInputs } from "../../src/kvm/policy.js";
import { InputError } from "../../src/pgtable/u64.js";

const BASE: PolicyInputs = { vma: "anon", pgprot: "cacheable", allowAnyUncached: false, pfnRam: true, fwb: true, dic: false, access: "read" };
const run = (era: Parameters<typeof userMemAbortPolicy>[0], p: Partial<PolicyInputs>) => userMemAbortPolicy(era, { ...BASE, ...p });

const RAM = "pfn_is_map_memory(pfn) is true (kernel-mapped RAM)";
const NOT_RAM = "pfn_is_map_memory(pfn) is false (not kernel-mapped RAM)";
const RW = (access: string, x = false): { fn: string; text: string } => ({
  fn: "user_mem_abort()",
  text: `${access} fault: KVM_PGTABLE_PROT_R | W (writable memslot and host page)${x ? " | X (exec fault)" : ""}`,
});
const NO_DIC = {
  fn: "user_mem_abort()",
  text: "no CTR_EL0.DIC: not executable until an instruction fetch faults (relax_perms then adds X with an icache invalidation)",
};
const DIC = { fn: "user_mem_abort()", text: "cacheable and CTR_EL0.DIC: KVM_PGTABLE_PROT_X granted up front (no icache invalidation is ever needed)" };
const PABT = "kvm_handle_guest_abort() injects a prefetch abort into the guest (kvm_inject_pabt)";

describe("era pre: kvm_is_device_pfn() alone", () => {
  it("RAM, read, no DIC: R|W, not executable yet", () => {
    expect(run("pre", {})).toEqual({
      ok: true,
      era: "pre",
      prot: PROT_R | PROT_W,
      encodeProt: PROT_R | PROT_W,
      nonCacheable: false,
      steps: [{ fn: "kvm_is_device_pfn()", text: `${RAM}: memory; the VMA's pgprot and flags are not consulted` }, RW("read"), NO_DIC],
      notes: [],
    });
  });
  it("RAM, exec fault: X from the fault; with DIC: X up front", () => {
    const x = run("pre", { access: "exec" });
    expect(x.ok && [x.prot, x.steps.slice(1)]).toEqual([PROT_R | PROT_W | PROT_X, [RW("exec", true)]]);
    const d = run("pre", { access: "write", dic: true });
    expect(d.ok && [d.prot, d.steps.slice(1)]).toEqual([PROT_R | PROT_W | PROT_X, [RW("write"), DIC]]);
  });
  it("a device pfn: DEVICE, never executable; an exec fault on it is -ENOEXEC", () => {
    expect(run("pre", { vma: "pfnmap", pgprot: "cacheable", pfnRam: false, dic: true })).toEqual({
      ok: true,
      era: "pre",
      prot: PROT_R | PROT_W | PROT_DEVICE,
      encodeProt: PROT_R | PROT_W | PROT_DEVICE,
      nonCacheable: true,
      steps: [
        { fn: "kvm_is_device_pfn()", text: `${NOT_RAM}: device; the VMA's pgprot and flags are not consulted` },
        RW("read"),
        { fn: "user_mem_abort()", text: "device: KVM_PGTABLE_PROT_DEVICE (Device-nGnRE, never executable)" },
      ],
      notes: [],
    });
    expect(run("pre", { vma: "pfnmap", pfnRam: false, access: "exec" })).toEqual({
      ok: false,
      era: "pre",
      errno: -8,
      where: "user_mem_abort()",
      why: "an exec fault on a device pfn",
      effect: PABT,
      prot: null,
      steps: [{ fn: "kvm_is_device_pfn()", text: `${NOT_RAM}: device; the VMA's pgprot and flags are not consulted` }],
      notes: [],
    });
  });
});

describe("era v1: mapping_type() from vm_page_prot; DEVICE written as NORMAL_NC", () => {
  it("a non-cacheable VMA over MMIO with FWB: DEVICE, encoded as NORMAL_NC", () => {
    expect(run("v1", { vma: "pfnmap", pgprot: "device", pfnRam: false })).toEqual({
      ok: true,
      era: "v1",
      prot: PROT_R | PROT_W | PROT_DEVICE,
      encodeProt: PROT_R | PROT_W | PROT_NORMAL_NC,
      nonCacheable: true,
      steps: [
        { fn: "mapping_type()", text: "vm_page_prot is MT_DEVICE_nGnRE: non-cacheable, so KVM_PGTABLE_PROT_DEVICE" },
        { fn: "kvm_is_device_pfn()", text: `${NOT_RAM}; v1 still uses it for the exec check` },
        { fn: "user_mem_abort()", text: "read fault: R | W | DEVICE" },
        { fn: "stage2_set_prot_attr() (v1 2/2)", text: "KVM_PGTABLE_PROT_DEVICE is written as MemAttr NORMAL_NC (MT_S2_NORMAL_NC / MT_S2_FWB_NORMAL_NC)" },
      ],
      notes: [],
    });
  });
  it("a cacheable VMA with DIC: X up front; without FWB accepted for RAM", () => {
    const r = run("v1", { dic: true, fwb: false, access: "write" });
    expect(r).toEqual({
      ok: true,
      era: "v1",
      prot: PROT_R | PROT_W | PROT_X,
      encodeProt: PROT_R | PROT_W | PROT_X,
      nonCacheable: false,
      steps: [
        { fn: "mapping_type()", text: "vm_page_prot is MT_NORMAL: cacheable, so Normal" },
        { fn: "kvm_is_device_pfn()", text: `${RAM}; v1 still uses it for the exec check` },
        { fn: "user_mem_abort()", text: "write fault: R | W | X (cacheable and CTR_EL0.DIC)" },
        { fn: "user_mem_abort() (v1 1/2)", text: "no FWB: accepted because the pfn has a struct page in the linear map" },
      ],
      notes: [],
    });
    const x = run("v1", { access: "exec" });
    expect(x.ok && x.steps[2]).toEqual({ fn: "user_mem_abort()", text: "exec fault: R | W | X" });
  });
  it("without FWB, MMIO is -EINVAL; an exec fault on a device pfn -ENOEXEC; DEVICE|X refused by the map", () => {
    const e = run("v1", { vma: "pfnmap", pgprot: "cacheable", pfnRam: false, fwb: false });
    expect(e.ok).toBe(false);
    if (!e.ok) {
      expect([e.errno, e.where, e.prot, e.effect]).toEqual([
        -22,
        "user_mem_abort() (v1 1/2)",
        null,
        "user_mem_abort() fails the fault: KVM_RUN returns -EINVAL to the VMM",
      ]);
      expect(e.why).toBe(
        "without FWB KVM cleans guest pages to PoC through the kernel's linear map, and this pfn has no struct page mapped there (pfn_valid() fails)",
      );
    }
    const n = run("v1", { vma: "pfnmap", pfnRam: false, access: "exec" });
    expect(!n.ok && [n.errno, n.why, n.effect]).toEqual([-8, "an exec fault on a device pfn (v1 kept this check)", PABT]);
    // RAM in a write-combine VMA, exec fault: R|W|X|DEVICE, written NORMAL_NC|X: refused by stage2_set_prot_attr().
    const m = run("v1", { vma: "pfnmap", pgprot: "wc", pfnRam: true, access: "exec" });
    expect(m).toMatchObject({
      ok: false,
      errno: -22,
      where: "kvm_pgtable_stage2_map() -> stage2_set_prot_attr()",
      why: "prot R|W|X|DEVICE: device memory is never mapped executable",
      effect: "user_mem_abort() fails the fault: KVM_RUN returns -EINVAL to the VMM",
      prot: PROT_R | PROT_W | PROT_X | PROT_DEVICE,
    });
  });
});

describe("era v6.9: VM_ALLOW_ANY_UNCACHED", () => {
  it("a device pfn with and without VM_ALLOW_ANY_UNCACHED", () => {
    const nc = run("v6.9", { vma: "pfnmap", pgprot: "noncached", pfnRam: false, allowAnyUncached: true });
    expect(nc.ok && [nc.prot, nc.nonCacheable, nc.steps]).toEqual([
      PROT_R | PROT_W | PROT_NORMAL_NC,
      true,
      [
        { fn: "kvm_is_device_pfn()", text: `${NOT_RAM}: device; the VMA's pgprot is not consulted` },
        RW("read"),
        { fn: "user_mem_abort()", text: "device and VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_NORMAL_NC (the guest's stage 1 picks Device or Normal-NC)" },
      ],
    ]);
    const dev = run("v6.9", { vma: "pfnmap", pgprot: "noncached", pfnRam: false });
    expect(dev.ok && [dev.prot, dev.steps[2]]).toEqual([
      PROT_R | PROT_W | PROT_DEVICE,
      { fn: "user_mem_abort()", text: "device without VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_DEVICE" },
    ]);
    const ram = run("v6.9", { dic: true });
    expect(ram.ok && [ram.prot, ram.nonCacheable, ram.steps]).toEqual([
      PROT_R | PROT_W | PROT_X,
      false,
      [{ fn: "kvm_is_device_pfn()", text: `${RAM}: memory; the VMA's pgprot is not consulted` }, RW("read"), DIC],
    ]);
    const x = run("v6.9", { vma: "pfnmap", pfnRam: false, allowAnyUncached: true, access: "exec" });
    expect(!x.ok && [x.errno, x.why, x.effect, x.steps.length]).toEqual([-8, "an exec fault on a device pfn", PABT, 1]);
  });
});

describe("era mainline: kvm_vma_is_cacheable(), s2_force_noncacheable, kvm_supports_cacheable_pfnmap()", () => {
  it("a cacheable VM_PFNMAP memslot without FWB+DIC is refused at KVM_SET_USER_MEMORY_REGION", () => {
    const why = "a cacheable VM_PFNMAP VMA (MT_NORMAL) needs kvm_supports_cacheable_pfnmap() (FWB on, DIC 0)";
    expect(run("mainline", { vma: "pfnmap", pgprot: "cacheable", pfnRam: false })).toEqual({
      ok: false,
      era: "mainline",
      errno: -22,
      where: "kvm_arch_prepare_memory_region()",
      why,
      effect: "KVM_SET_USER_MEMORY_REGION fails: the VMM cannot register this memory as a memslot at all",
      prot: null,
      steps: [{ fn: "kvm_arch_prepare_memory_region()", text: why }],
      // kvm_supports_cacheable_pfnmap() is verified (kernel-reference.md section 6): no caveat note.
      notes: [],
    });
    expect(kvmArchPrepareMemoryRegion("mainline", { ...BASE, vma: "pfnmap", fwb: false, dic: true })?.why).toBe(
      "a cacheable VM_PFNMAP VMA (MT_NORMAL) needs kvm_supports_cacheable_pfnmap() (FWB off, DIC 1)",
    );
    for (const era of ["pre", "v1", "v6.9"] as const) expect(kvmArchPrepareMemoryRegion(era, { ...BASE, vma: "pfnmap", fwb: false })).toBeNull();
    expect(kvmArchPrepareMemoryRegion("mainline", { ...BASE, vma: "pfnmap", pgprot: "wc" })).toBeNull();
    expect(kvmArchPrepareMemoryRegion("mainline", { ...BASE, vma: "mixedmap", fwb: false })).toBeNull();
  });

  it("cacheable PFNMAP MMIO with FWB and DIC: mapped cacheable, X up front", () => {
    expect(run("mainline", { vma: "pfnmap", pgprot: "cacheable", pfnRam: false, dic: true })).toEqual({
      ok: true,
      era: "mainline",
      prot: PROT_R | PROT_W | PROT_X,
      encodeProt: PROT_R | PROT_W | PROT_X,
      nonCacheable: false,
      steps: [
        { fn: "kvm_arch_prepare_memory_region()", text: "VM_PFNMAP memslot accepted (cacheable, and kvm_supports_cacheable_pfnmap())" },
        { fn: "kvm_vma_is_cacheable()", text: "vm_page_prot is MT_NORMAL: cacheable" },
        { fn: "user_mem_abort()", text: `${NOT_RAM} in a cacheable pfnmap VMA, and kvm_supports_cacheable_pfnmap(): mapped cacheable` },
        RW("read"),
        DIC,
      ],
      // kvm_supports_cacheable_pfnmap() is verified (kernel-reference.md section 6): no caveat note.
      notes: [],
    });
  });

  it("cacheable MIXEDMAP MMIO without FWB+DIC: -EFAULT in the fault path", () => {
    const why =
      "a cacheable VM_MIXEDMAP pfn that is not kernel-mapped RAM has no kernel VA for cache maintenance, so it needs kvm_supports_cacheable_pfnmap() (FWB off, DIC 1)";
    expect(run("mainline", { vma: "mixedmap", pgprot: "cacheable", pfnRam: false, fwb: false, dic: true })).toEqual({
      ok: false,
      era: "mainline",
      errno: -14,
      where: "user_mem_abort()",
      why,
      effect: "user_mem_abort() fails the fault: KVM_RUN returns -EFAULT to the VMM",
      prot: null,
      steps: [
        { fn: "kvm_vma_is_cacheable()", text: "vm_page_prot is MT_NORMAL: cacheable" },
        { fn: "user_mem_abort()", text: why },
      ],
      // kvm_supports_cacheable_pfnmap() is verified (kernel-reference.md section 6): no caveat note.
      notes: [],
    });
    const p = run("mainline", { vma: "pfnmap", pgprot: "tagged", pfnRam: false, fwb: true, dic: false });
    expect(!p.ok && [p.where, p.errno]).toEqual(["kvm_arch_prepare_memory_region()", -22]);
  });

  it("a non-cacheable PFNMAP over MMIO: s2_force_noncacheable, DEVICE or NORMAL_NC; an exec fault -ENOEXEC (an SEA)", () => {
    const d = run("mainline", { vma: "pfnmap", pgprot: "wc", pfnRam: false, dic: true });
    expect(d).toEqual({
      ok: true,
      era: "mainline",
      prot: PROT_R | PROT_W | PROT_DEVICE,
      encodeProt: PROT_R | PROT_W | PROT_DEVICE,
      nonCacheable: true,
      steps: [
        { fn: "kvm_arch_prepare_memory_region()", text: "VM_PFNMAP memslot accepted (not cacheable)" },
        { fn: "kvm_vma_is_cacheable()", text: "vm_page_prot is MT_NORMAL_NC: not cacheable" },
        { fn: "user_mem_abort()", text: `${NOT_RAM} in a non-cacheable pfnmap VMA: s2_force_noncacheable` },
        RW("read"),
        { fn: "user_mem_abort()", text: "no VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_DEVICE" },
      ],
      notes: [],
    });
    const nc = run("mainline", { vma: "mixedmap", pgprot: "noncached", pfnRam: false, allowAnyUncached: true });
    expect(nc.ok && [nc.prot, nc.steps.at(-1)]).toEqual([
      PROT_R | PROT_W | PROT_NORMAL_NC,
      { fn: "user_mem_abort()", text: "VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_NORMAL_NC (the guest's stage 1 picks Device or Normal-NC)" },
    ]);
    const x = run("mainline", { vma: "pfnmap", pgprot: "device", pfnRam: false, access: "exec" });
    expect(!x.ok && [x.errno, x.where, x.why, x.effect]).toEqual([
      -8,
      "user_mem_abort()",
      "an exec fault on memory forced non-cacheable (s2_force_noncacheable)",
      "kvm_handle_guest_abort() injects a synchronous external abort on the instruction fetch (kvm_inject_sea_iabt)",
    ]);
  });

  it("RAM: mapped as memory whatever the VMA says, and anonymous memory as memory", () => {
    const w = run("mainline", { vma: "pfnmap", pgprot: "wc", pfnRam: true });
    expect(w.ok && [w.prot, w.nonCacheable, w.steps.slice(1, 3)]).toEqual([
      PROT_R | PROT_W,
      false,
      [
        { fn: "kvm_vma_is_cacheable()", text: "vm_page_prot is MT_NORMAL_NC: not cacheable" },
        { fn: "user_mem_abort()", text: `${RAM}: mapped as memory whatever the VMA's pgprot` },
      ],
    ]);
    const a = run("mainline", {});
    expect(a.ok && a.steps).toEqual([
      { fn: "kvm_vma_is_cacheable()", text: "vm_page_prot is MT_NORMAL: cacheable" },
      { fn: "user_mem_abort()", text: `${RAM}; not VM_PFNMAP/VM_MIXEDMAP: mapped as memory` },
      RW("read"),
      NO_DIC,
    ]);
    // A cacheable PFNMAP over RAM with FWB and DIC: mapped, no refusal and (verified) no caveat note.
    const c = run("mainline", { vma: "pfnmap", pgprot: "cacheable", pfnRam: true, dic: true });
    expect(c.ok && c.notes).toEqual([]);
  });
});

describe("errno names", () => {
  it("-ENAME, or the number when Linux's name is not known here", () => {
    expect([errnoName(-22), errnoName(-14), errnoName(-8), errnoName(-12), errnoName(-99)]).toEqual(["-EINVAL", "-EFAULT", "-ENOEXEC", "-ENOMEM", "-99"]);
  });
});

describe("every result names its era; notes only where the mainline note applies", () => {
  it("era fields of maps and refusals", () => {
    const v1x = run("v1", { vma: "pfnmap", pfnRam: false, access: "exec" });
    const v69x = run("v6.9", { vma: "pfnmap", pfnRam: false, access: "exec" });
    const v69 = run("v6.9", { vma: "pfnmap", pfnRam: false });
    expect([v1x.era, v69x.era, v69.era, v69.notes]).toEqual(["v1", "v6.9", "v6.9", []]);
    expect(run("mainline", {}).notes).toEqual([]);
    expect(run("mainline", { vma: "mixedmap", pgprot: "cacheable", pfnRam: true }).notes).toEqual([]);
  });
});

describe("eras by name", () => {
  it("parseEras: one era (with its aliases), or all; anything else named in the error", () => {
    expect(parseEras("all")).toEqual(["pre", "v1", "v6.9", "mainline"]);
    expect(parseEras(" ALL ")).toEqual([...ERA_IDS]);
    expect(["pre", "V1", "v6.9", "6.9", "Mainline"].map((t) => parseEras(t)[0])).toEqual(["pre", "v1", "v6.9", "v6.9", "mainline"]);
    expect(() => parseEras("v6.8")).toThrow(new InputError("--era: 'v6.8' is not one of pre, v1, v6.9, mainline, all"));
    expect(() => parseEras("", "era")).toThrow(new InputError("era: '' is not one of pre, v1, v6.9, mainline, all"));
  });
  it("eraInfo", () => {
    expect(eraInfo("v6.9").title).toBe("as merged in v6.9");
    expect(eraInfo("pre").id).toBe("pre");
    expect(() => eraInfo("v7" as Era)).toThrow("unknown era v7");
  });
});
