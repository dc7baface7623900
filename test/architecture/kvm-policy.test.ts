// The mmu.c memory-type policy per era against kernel-reference.md section 6.1
// (the decision table) and the patch copies it cites. Each test names the
// kernel function and era it checks. Expected prots are the table's words;
// expected descriptors are hand-computed from section 1.4's worked leaves for
// PA 0x80000000, a 4K page at level 3:
//   Normal R|W, FWB       0x0040_0000_8000_07DB    Normal R|W, no FWB      0x0040_0000_8000_07FF
//   Normal R|W|X, FWB     0x0000_0000_8000_07DB    Normal R|W|X, no FWB    0x0000_0000_8000_07FF
//   Device-nGnRE R|W      0x0040_0000_8000_07C7    Normal-NC R|W           0x0040_0000_8000_07D7
// (0x40_0000_0000_0000 is XN, bit 54; 0x7DB = V|page|MemAttr 6<<2|R|W|SH 3<<8|AF,
//  0x7FF has MemAttr 0xF, 0x7C7 MemAttr 1, 0x7D7 MemAttr 5.)
import { describe, expect, it } from "vitest";
import { explainEra, type ExplainOptions } from "../../src/kvm/explain.js";
import { kvmSupportsCacheablePfnmap, userMemAbortPolicy, type Era, type PolicyInputs } from "../../src/kvm/policy.js";
import { protNames } from "../../src/walker/decode.js";
import { PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X } from "../../src/pgtable/descriptor.js";

const NORMAL_RW_FWB = "0x400000800007db";
const NORMAL_RW_NOFWB = "0x400000800007ff";
const NORMAL_RWX_FWB = "0x800007db";
const NORMAL_RWX_NOFWB = "0x800007ff";
const DEVICE_RW = "0x400000800007c7";
const NC_RW = "0x400000800007d7";

const BASE: PolicyInputs = { vma: "anon", pgprot: "cacheable", allowAnyUncached: false, pfnRam: true, fwb: true, dic: false, access: "read" };
const OPTS: ExplainOptions = { granule: 4096, lpa2: false, pa: 0x80000000, level: 3, guest: null };

const RAM_ANON: Partial<PolicyInputs> = {};
const IO_DEVICE: Partial<PolicyInputs> = { vma: "pfnmap", pgprot: "device", pfnRam: false };
const IO_NONCACHED_UC: Partial<PolicyInputs> = { vma: "pfnmap", pgprot: "noncached", allowAnyUncached: true, pfnRam: false };
const IO_WC: Partial<PolicyInputs> = { vma: "pfnmap", pgprot: "wc", pfnRam: false };
const IO_CACHEABLE: Partial<PolicyInputs> = { vma: "pfnmap", pgprot: "cacheable", pfnRam: false };
const MIXED_IO_CACHEABLE: Partial<PolicyInputs> = { vma: "mixedmap", pgprot: "cacheable", pfnRam: false };
const MIXED_IO_DEVICE: Partial<PolicyInputs> = { vma: "mixedmap", pgprot: "device", pfnRam: false };
const FILE_ZONE_DEVICE: Partial<PolicyInputs> = { vma: "file", pgprot: "cacheable", pfnRam: false };
const PFNMAP_RAM_WC: Partial<PolicyInputs> = { vma: "pfnmap", pgprot: "wc", pfnRam: true };
const PFNMAP_RAM_CACHEABLE: Partial<PolicyInputs> = { vma: "pfnmap", pgprot: "cacheable", pfnRam: true };

type Expect = { prot: string; descriptor: string } | { errno: number; where: RegExp };

function check(era: Era, inputs: Partial<PolicyInputs>, e: Expect): void {
  const p = { ...BASE, ...inputs };
  const x = explainEra(era, p, OPTS);
  if ("prot" in e) {
    expect(x.policy.ok, JSON.stringify(x.policy)).toBe(true);
    if (!x.policy.ok) return;
    expect(protNames(x.policy.prot)).toBe(e.prot);
    expect(x.leaf && x.leaf.pte).toBe(e.descriptor);
  } else {
    expect(x.policy.ok).toBe(false);
    if (x.policy.ok) return;
    expect(x.policy.errno).toBe(e.errno);
    expect(x.policy.where).toMatch(e.where);
    expect(x.leaf).toBeNull();
  }
}

const ENOEXEC = -8;
const EFAULT = -14;
const EINVAL = -22;

describe("era pre (<= v6.8): user_mem_abort() keys on kvm_is_device_pfn() = !pfn_is_map_memory()", () => {
  it("user_mem_abort() [pre]: RAM pfn -> Normal, no X without DIC", () => check("pre", RAM_ANON, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [pre]: RAM pfn -> Normal +X(DIC)", () => check("pre", { dic: true }, { prot: "R|W|X", descriptor: NORMAL_RWX_FWB }));
  it("user_mem_abort() [pre]: RAM pfn without FWB -> MT_S2_NORMAL", () => check("pre", { fwb: false }, { prot: "R|W", descriptor: NORMAL_RW_NOFWB }));
  it("user_mem_abort() [pre]: non-RAM, VMA non-cacheable -> DEVICE (nGnRE, XN)", () => check("pre", IO_DEVICE, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [pre]: non-RAM, VM_ALLOW_ANY_UNCACHED does not exist yet -> DEVICE", () =>
    check("pre", IO_NONCACHED_UC, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [pre]: non-RAM, VMA cacheable -> DEVICE (VMA ignored)", () => check("pre", IO_CACHEABLE, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [pre]: DEVICE takes no +X(DIC)", () => check("pre", { ...IO_DEVICE, dic: true }, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [pre]: RAM pfn in a write-combine PFNMAP VMA -> Normal (VMA ignored)", () =>
    check("pre", PFNMAP_RAM_WC, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [pre]: exec fault on a device pfn -> -ENOEXEC", () =>
    check("pre", { ...IO_CACHEABLE, access: "exec" }, { errno: ENOEXEC, where: /^user_mem_abort\(\)$/ }));
  it("user_mem_abort() [pre]: exec fault on RAM -> R|W|X", () => check("pre", { access: "exec" }, { prot: "R|W|X", descriptor: NORMAL_RWX_FWB }));
});

describe("era v1 (2023-09 v1): the type follows the VMA's pgprot (mapping_type()); PROT_DEVICE written as MemAttr NORMAL_NC (v1 2/2)", () => {
  it("user_mem_abort() [v1]: RAM pfn, cacheable VMA -> Normal", () => check("v1", RAM_ANON, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [v1]: cacheable VMA -> Normal +X(DIC)", () => check("v1", { dic: true }, { prot: "R|W|X", descriptor: NORMAL_RWX_FWB }));
  it("user_mem_abort() + stage2_set_prot_attr() [v1]: non-RAM, VMA non-cacheable -> DEVICE, written as MemAttr NORMAL_NC (5)", () =>
    check("v1", IO_DEVICE, { prot: "R|W|DEVICE", descriptor: NC_RW }));
  it("user_mem_abort() [v1]: write-combine VMA (MT_NORMAL_NC) -> DEVICE -> MemAttr NORMAL_NC", () =>
    check("v1", IO_WC, { prot: "R|W|DEVICE", descriptor: NC_RW }));
  it("user_mem_abort() [v1]: a non-cacheable VMA gets no +X(DIC)", () => check("v1", { ...IO_DEVICE, dic: true }, { prot: "R|W|DEVICE", descriptor: NC_RW }));
  it("user_mem_abort() [v1]: non-RAM, VMA cacheable -> Normal cacheable (with FWB)", () =>
    check("v1", IO_CACHEABLE, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [v1]: RAM pfn in a non-cacheable VMA -> the same rule: DEVICE -> MemAttr NORMAL_NC", () =>
    check("v1", PFNMAP_RAM_WC, { prot: "R|W|DEVICE", descriptor: NC_RW }));
  it("user_mem_abort() [v1]: without FWB, an MMIO pfn (no pfn_valid) in a cacheable VMA -> -EINVAL", () =>
    check("v1", { ...IO_CACHEABLE, fwb: false }, { errno: EINVAL, where: /^user_mem_abort\(\) \(v1 1\/2\)$/ }));
  it("user_mem_abort() [v1]: without FWB the -EINVAL check refuses an MMIO pfn in a non-cacheable VMA too", () =>
    check("v1", { ...IO_DEVICE, fwb: false }, { errno: EINVAL, where: /^user_mem_abort\(\) \(v1 1\/2\)$/ }));
  it("user_mem_abort() [v1]: without FWB, RAM (pfn_valid, linear map) is accepted -> MT_S2_NORMAL", () =>
    check("v1", { fwb: false }, { prot: "R|W", descriptor: NORMAL_RW_NOFWB }));
  it("user_mem_abort() [v1]: without FWB, ZONE_DEVICE memory behind a file VMA (struct pages in the linear map) is accepted", () =>
    check("v1", { ...FILE_ZONE_DEVICE, fwb: false }, { prot: "R|W", descriptor: NORMAL_RW_NOFWB }));
  it("user_mem_abort() [v1]: exec fault on a device pfn -> -ENOEXEC (v1 kept the pfn-based check)", () =>
    check("v1", { ...IO_CACHEABLE, access: "exec" }, { errno: ENOEXEC, where: /^user_mem_abort\(\)$/ }));
  it("stage2_set_prot_attr() [v1]: exec fault on RAM in a non-cacheable VMA -> DEVICE|X -> -EINVAL from the map", () =>
    check("v1", { ...PFNMAP_RAM_WC, access: "exec" }, { errno: EINVAL, where: /stage2_set_prot_attr/ }));
});

describe("era v6.9 (8c47ce3e1d2c): device = !pfn_is_map_memory(); VM_ALLOW_ANY_UNCACHED -> NORMAL_NC", () => {
  it("user_mem_abort() [v6.9]: RAM pfn -> Normal", () => check("v6.9", RAM_ANON, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [v6.9]: RAM pfn -> Normal +X(DIC)", () => check("v6.9", { dic: true }, { prot: "R|W|X", descriptor: NORMAL_RWX_FWB }));
  it("user_mem_abort() [v6.9]: non-RAM, VMA non-cacheable, no UC -> DEVICE", () => check("v6.9", IO_DEVICE, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [v6.9]: non-RAM, VMA non-cacheable, UC -> NORMAL_NC", () =>
    check("v6.9", IO_NONCACHED_UC, { prot: "R|W|NORMAL_NC", descriptor: NC_RW }));
  it("user_mem_abort() [v6.9]: non-RAM, VMA cacheable -> same as non-cacheable (DEVICE)", () =>
    check("v6.9", IO_CACHEABLE, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [v6.9]: non-RAM, VMA cacheable with UC -> same as non-cacheable (NORMAL_NC)", () =>
    check("v6.9", { ...IO_CACHEABLE, allowAnyUncached: true }, { prot: "R|W|NORMAL_NC", descriptor: NC_RW }));
  it("user_mem_abort() [v6.9]: Normal-NC is the same MemAttr (5) without FWB", () =>
    check("v6.9", { ...IO_NONCACHED_UC, fwb: false }, { prot: "R|W|NORMAL_NC", descriptor: NC_RW }));
  it("user_mem_abort() [v6.9]: exec fault on a device pfn -> -ENOEXEC (also with UC)", () =>
    check("v6.9", { ...IO_NONCACHED_UC, access: "exec" }, { errno: ENOEXEC, where: /^user_mem_abort\(\)$/ }));
});

describe("era mainline (mmu.c @7a9479eb): kvm_vma_is_cacheable(), s2_force_noncacheable, kvm_supports_cacheable_pfnmap()", () => {
  it("user_mem_abort() [mainline]: RAM pfn -> Normal", () => check("mainline", RAM_ANON, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [mainline]: RAM pfn -> Normal +X(DIC), no FWB", () =>
    check("mainline", { dic: true, fwb: false }, { prot: "R|W|X", descriptor: NORMAL_RWX_NOFWB }));
  it("user_mem_abort() [mainline]: non-RAM PFNMAP, VMA non-cacheable -> s2_force_noncacheable -> DEVICE", () =>
    check("mainline", IO_DEVICE, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [mainline]: non-RAM PFNMAP, VMA non-cacheable, UC -> NORMAL_NC", () =>
    check("mainline", IO_NONCACHED_UC, { prot: "R|W|NORMAL_NC", descriptor: NC_RW }));
  it("user_mem_abort() [mainline]: non-RAM MIXEDMAP, VMA non-cacheable -> DEVICE, no X even with DIC", () =>
    check("mainline", { ...MIXED_IO_DEVICE, dic: true }, { prot: "R|W|DEVICE", descriptor: DEVICE_RW }));
  it("user_mem_abort() [mainline]: forced non-cacheable + exec fault -> -ENOEXEC", () =>
    check("mainline", { ...IO_WC, access: "exec" }, { errno: ENOEXEC, where: /^user_mem_abort\(\)$/ }));
  it("user_mem_abort() [mainline]: non-RAM, VMA non-cacheable but neither PFNMAP nor MIXEDMAP -> Normal +X(DIC) (policy level; no real VMA of this shape is accepted by the CLI)", () =>
    check("mainline", { vma: "file", pgprot: "wc", pfnRam: false, dic: true }, { prot: "R|W|X", descriptor: NORMAL_RWX_FWB }));
  it("kvm_arch_prepare_memory_region() [mainline]: cacheable VM_PFNMAP without kvm_supports_cacheable_pfnmap() (FWB, no DIC) -> -EINVAL", () =>
    check("mainline", IO_CACHEABLE, { errno: EINVAL, where: /^kvm_arch_prepare_memory_region\(\)$/ }));
  it("kvm_arch_prepare_memory_region() [mainline]: cacheable VM_PFNMAP without FWB -> -EINVAL", () =>
    check("mainline", { ...IO_CACHEABLE, fwb: false, dic: true }, { errno: EINVAL, where: /^kvm_arch_prepare_memory_region\(\)$/ }));
  it("kvm_arch_prepare_memory_region() [mainline]: the memslot check ignores the pfn: cacheable VM_PFNMAP over RAM without support -> -EINVAL", () =>
    check("mainline", PFNMAP_RAM_CACHEABLE, { errno: EINVAL, where: /^kvm_arch_prepare_memory_region\(\)$/ }));
  it("user_mem_abort() [mainline]: cacheable VM_MIXEDMAP non-RAM without kvm_supports_cacheable_pfnmap() -> -EFAULT (no memslot check for MIXEDMAP)", () =>
    check("mainline", MIXED_IO_CACHEABLE, { errno: EFAULT, where: /^user_mem_abort\(\)$/ }));
  it("user_mem_abort() [mainline]: cacheable PFNMAP non-RAM with FWB and DIC -> Normal +X(DIC)", () =>
    check("mainline", { ...IO_CACHEABLE, dic: true }, { prot: "R|W|X", descriptor: NORMAL_RWX_FWB }));
  it("user_mem_abort() [mainline]: cacheable PFNMAP non-RAM with FWB and DIC allows exec faults", () =>
    check("mainline", { ...IO_CACHEABLE, dic: true, access: "exec" }, { prot: "R|W|X", descriptor: NORMAL_RWX_FWB }));
  it("user_mem_abort() [mainline]: non-RAM file VMA (not PFNMAP/MIXEDMAP) -> Normal", () =>
    check("mainline", FILE_ZONE_DEVICE, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [mainline]: RAM pfn in a write-combine PFNMAP VMA -> Normal (only non-RAM pfns are forced)", () =>
    check("mainline", PFNMAP_RAM_WC, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
  it("user_mem_abort() [mainline]: write fault -> R|W (and a write fault never carries X)", () =>
    check("mainline", { access: "write" }, { prot: "R|W", descriptor: NORMAL_RW_FWB }));
});

describe("policy outcome details", () => {
  it("the -ENOEXEC effect: prefetch abort before mainline, SEA on the instruction fetch in mainline (kvm_handle_guest_abort)", () => {
    const pre = userMemAbortPolicy("pre", { ...BASE, ...IO_DEVICE, access: "exec" });
    const ml = userMemAbortPolicy("mainline", { ...BASE, ...IO_DEVICE, access: "exec" });
    expect(!pre.ok && pre.effect).toMatch(/kvm_inject_pabt/);
    expect(!ml.ok && ml.effect).toMatch(/kvm_inject_sea_iabt/);
  });
  it("kvm_supports_cacheable_pfnmap() is FWB && DIC (kvm_mmu.h, verified: kernel-reference.md 6.1), so its outcomes carry no caveat", () => {
    expect([false, true].flatMap((fwb) => [false, true].map((dic) => kvmSupportsCacheablePfnmap({ fwb, dic })))).toEqual([false, false, false, true]);
    expect(userMemAbortPolicy("mainline", { ...BASE, ...MIXED_IO_CACHEABLE }).notes).toEqual([]);
    expect(userMemAbortPolicy("mainline", { ...BASE, ...IO_DEVICE }).notes).toEqual([]);
  });
  it("v1 keeps PROT_DEVICE in the prot and writes it as NORMAL_NC (encodeProt)", () => {
    const r = userMemAbortPolicy("v1", { ...BASE, ...IO_DEVICE });
    expect(r.ok && [protNames(r.prot), protNames(r.encodeProt)]).toEqual(["R|W|DEVICE", "R|W|NORMAL_NC"]);
  });
});

// Hazards. Combine results used here are the worked examples of
// arch-attributes.md section 3.5 (ISH on both stages): S1 0x44 + S2 1 -> 0x04 OSH;
// S1 0x44 + S2 5 -> 0x44 OSH; S1 0x44 + S2 0xF (no FWB) -> 0x44 OSH;
// S1 0xFF + S2 6 (FWB) -> 0xFF ISH; S1 0x44 + S2 6 (FWB) -> 0xFF, SH IMPDEF (open);
// S1 0xFF + S2 0x1 -> 0x04 OSH (0x05 with FEAT_XS; the combine here runs without it).
describe("hazards", () => {
  const ids = (era: Era, inputs: Partial<PolicyInputs>, guest: number | null): string[] =>
    explainEra(era, { ...BASE, ...inputs }, { ...OPTS, guest: guest === null ? null : { attr: guest, sh: 3 } }).hazards.map((h) => h.id);
  const combined = (era: Era, inputs: Partial<PolicyInputs>, guest: number): [number, number] | null => {
    const c = explainEra(era, { ...BASE, ...inputs }, { ...OPTS, guest: { attr: guest, sh: 3 } }).combine;
    return c ? [c.attr, c.sh] : null;
  };

  it("the GPU BAR case: guest ioremap_wc (0x44) over DEVICE (pre) -> effective Device-nGnRE 0x04 OSH: wc-lost", () => {
    expect(combined("pre", IO_NONCACHED_UC, 0x44)).toEqual([0x04, 2]);
    expect(ids("pre", IO_NONCACHED_UC, 0x44)).toEqual(["wc-lost"]);
  });
  it("the GPU BAR case: guest 0x44 over NORMAL_NC (v6.9 with UC) -> 0x44 OSH, no hazard", () => {
    expect(combined("v6.9", IO_NONCACHED_UC, 0x44)).toEqual([0x44, 2]);
    expect(ids("v6.9", IO_NONCACHED_UC, 0x44)).toEqual([]);
  });
  it("a guest Device mapping over NORMAL_NC stays Device: no wc-lost (the guest asked for Device)", () => {
    expect(ids("v6.9", IO_NONCACHED_UC, 0x04)).toEqual([]);
  });
  it("RAM without FWB, guest Normal-NC: uncached alias (0x44 OSH) and the dcache clean on the fault", () => {
    expect(combined("mainline", { fwb: false }, 0x44)).toEqual([0x44, 2]);
    expect(ids("mainline", { fwb: false }, 0x44)).toEqual(["dcache-cmo", "uncached-alias"]);
  });
  it("RAM with FWB, guest Normal-NC: FWB forces Write-Back (0xFF, SH IMPLEMENTATION DEFINED = open), so no alias and no clean", () => {
    expect(combined("mainline", {}, 0x44)).toEqual([0xff, -1]);
    expect(combined("mainline", {}, 0xff)).toEqual([0xff, 3]);
    expect(ids("mainline", {}, 0x44)).toEqual([]);
  });
  it("cacheable IO mapped Device (pre): uncached alias for a guest WB mapping", () => {
    expect(combined("pre", IO_CACHEABLE, 0xff)).toEqual([0x04, 2]);
    expect(ids("pre", IO_CACHEABLE, 0xff)).toEqual(["uncached-alias"]);
  });
  it("exec fault, no DIC, Normal -> icache-inval; with DIC no icache hazard", () => {
    expect(ids("mainline", { access: "exec" }, null)).toEqual(["icache-inval"]);
    expect(ids("mainline", { access: "exec", dic: true }, null)).toEqual([]);
  });
  it("RAM in a write-combine PFNMAP mapped Normal: cacheable-alias", () => {
    expect(ids("mainline", PFNMAP_RAM_WC, null)).toEqual(["cacheable-alias"]);
  });
  it("errors map to their hazard", () => {
    expect(ids("mainline", { ...IO_DEVICE, access: "exec" }, null)).toEqual(["exec-noexec"]);
    expect(ids("mainline", IO_CACHEABLE, null)).toEqual(["cacheable-pfnmap-refused"]);
    expect(ids("mainline", MIXED_IO_CACHEABLE, null)).toEqual(["cacheable-pfnmap-refused"]);
    expect(ids("v1", { ...IO_DEVICE, fwb: false }, null)).toEqual(["no-linear-map"]);
    expect(ids("v1", { ...PFNMAP_RAM_WC, access: "exec" }, null)).toEqual(["exec-refused-by-map"]);
  });
  it("no guest given: no combine, and no guest-dependent hazard", () => {
    const x = explainEra("pre", { ...BASE, ...IO_NONCACHED_UC }, OPTS);
    expect(x.combine).toBeNull();
    expect(x.hazards).toEqual([]);
  });
});

// Invariants kernel-reference.md section 6.1 states for every era ("Exec rules: Device/NC never get X",
// "-ENOEXEC on an exec fault" for memory forced non-cacheable), checked over every input combination.
describe("every input combination, every era", () => {
  const vmas = [
    { vma: "anon", pgprots: ["cacheable"], ucs: [false], pfns: [true] },
    { vma: "file", pgprots: ["cacheable"], ucs: [false], pfns: [true, false] },
    { vma: "pfnmap", pgprots: ["cacheable", "tagged", "wc", "noncached", "device"], ucs: [false, true], pfns: [true, false] },
    { vma: "mixedmap", pgprots: ["cacheable", "tagged", "wc", "noncached", "device"], ucs: [false, true], pfns: [true, false] },
  ] as const;
  const all: PolicyInputs[] = [];
  for (const v of vmas)
    for (const pgprot of v.pgprots)
      for (const allowAnyUncached of v.ucs)
        for (const pfnRam of v.pfns)
          for (const fwb of [false, true])
            for (const dic of [false, true])
              for (const access of ["read", "write", "exec"] as const) all.push({ vma: v.vma, pgprot, allowAnyUncached, pfnRam, fwb, dic, access });

  it(`covers ${all.length} combinations x 4 eras x 4 guest bytes without an internal error`, () => {
    let n = 0;
    for (const p of all)
      for (const era of ["pre", "v1", "v6.9", "mainline"] as const)
        for (const g of [0x00, 0x44, 0xbb, 0xff]) {
          const x = explainEra(era, p, { ...OPTS, guest: { attr: g, sh: 3 } });
          n++;
          if (!x.policy.ok) {
            expect(x.leaf).toBeNull();
            continue;
          }
          const prot = x.policy.encodeProt;
          // Device and Normal-NC leaves never carry X; X only from an exec fault or DIC.
          const nonCacheable = prot & (PROT_DEVICE | PROT_NORMAL_NC);
          if (nonCacheable) expect(prot & PROT_X).toBe(0);
          if (prot & PROT_X) expect(p.access === "exec" || p.dic).toBe(true);
          // R|W always (writable memslot and host page assumed).
          expect(prot & (PROT_R | PROT_W)).toBe(PROT_R | PROT_W);
          expect(x.leaf).not.toBeNull();
          expect(x.combine).not.toBeNull();
          // An exec fault that maps succeeded only on memory mapped cacheable.
          if (p.access === "exec") expect(nonCacheable).toBe(0);
        }
    expect(n).toBe(all.length * 16);
  });
});
