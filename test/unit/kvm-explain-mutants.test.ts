// src/kvm/{vma,guest,hazards,explain}.ts: the chain `s2pt explain` shows for
// one guest memory fault, against kernel-reference.md section 6.1 (the
// user_mem_abort() decision table per era, kvm_vma_is_cacheable(), the MT_*
// indices of a pgprot), section 1.4 (the worked leaves: Device-nGnRE 0x7C7,
// Normal-NC 0x7D7, Normal without FWB 0x7FF, XN = bit 54) and section 5.6
// (which leaves get a dcache clean or an icache invalidation). The hazard
// rules are the table at the top of src/kvm/hazards.ts, each checked on
// inputs where it must fire and where it must not. Written for the surviving
// mutants of `npm run mutate` (issue 23).
import { describe, expect, it } from "vitest";
import { classifyEffective, explainEra, explainEras, explanationJson, formatExplain, type ExplainOptions } from "../../src/kvm/explain.js";
import { GUEST_ATTR_NAMES, guestMacro, parseGuestAttr, parseSh } from "../../src/kvm/guest.js";
import { guestHazards, hazardString, policyHazards } from "../../src/kvm/hazards.js";
import type { Era, PolicyInputs } from "../../src/kvm/policy.js";
import {
  MT_DEVICE_nGnRE,
  MT_DEVICE_nGnRnE,
  MT_NORMAL,
  MT_NORMAL_NC,
  MT_NORMAL_TAGGED,
  PGPROTS,
  VMA_KIND_INFO,
  checkVmaInputs,
  describeVma,
  kvmVmaIsCacheable,
  parsePgprot,
  parseVmaKind,
  pfnHasLinearMap,
  pgprotInfo,
  vmaInputs,
  vmaPfnmapOrMixed,
} from "../../src/kvm/vma.js";
import { InputError } from "../../src/pgtable/u64.js";
import { ArgumentError } from "../../src/pgtable/args.js";
import { combineS1S2 } from "../../src/mair/combine.js";

/** A BAR of a vfio-pci device: VM_PFNMAP, pgprot_device(), an MMIO pfn; a CPU without FWB and DIC; a read fault. */
const BAR: PolicyInputs = { vma: "pfnmap", pgprot: "device", allowAnyUncached: false, pfnRam: false, fwb: false, dic: false, access: "read" };
const ANON: PolicyInputs = { ...BAR, vma: "anon", pgprot: "cacheable", pfnRam: true };
const NC_GUEST: ExplainOptions = { granule: 4096, lpa2: false, pa: 0x8000_0000, level: 3, guest: { attr: 0x44, sh: 3 } };
const NO_GUEST: ExplainOptions = { ...NC_GUEST, guest: null };

const ids = (era: Era, p: PolicyInputs, o: ExplainOptions = NC_GUEST): string[] => explainEra(era, p, o).hazards.map((h) => h.id);

describe("vma.ts: the host VMA as user_mem_abort() sees it", () => {
  it("MT_* indices are asm/memory.h's, and kvm_vma_is_cacheable() is false exactly for NORMAL_NC, DEVICE_nGnRnE, DEVICE_nGnRE", () => {
    expect([MT_NORMAL, MT_NORMAL_TAGGED, MT_NORMAL_NC, MT_DEVICE_nGnRnE, MT_DEVICE_nGnRE]).toEqual([0, 1, 2, 3, 4]);
    expect(PGPROTS.map((p) => [p.name, p.mtIndex, p.mtName])).toEqual([
      ["cacheable", 0, "MT_NORMAL"],
      ["tagged", 1, "MT_NORMAL_TAGGED"],
      ["wc", 2, "MT_NORMAL_NC"],
      ["noncached", 3, "MT_DEVICE_nGnRnE"],
      ["device", 4, "MT_DEVICE_nGnRE"],
    ]);
    expect(PGPROTS.map((p) => kvmVmaIsCacheable(p.name))).toEqual([true, true, false, false, false]);
    expect(pgprotInfo("noncached").helper).toMatch(/pgprot_noncached/);
    expect(pgprotInfo("wc").helper).toBe("pgprot_writecombine()");
    expect(() => pgprotInfo("bogus" as never)).toThrow(ArgumentError);
    expect(() => pgprotInfo("bogus" as never)).toThrow(/pgprot: "bogus" is not one of cacheable, tagged, wc, noncached, device/);
  });
  it("VM_PFNMAP / VM_MIXEDMAP and the linear-map alias", () => {
    expect(VMA_KIND_INFO.map((k) => [k.kind, k.flags])).toEqual([
      ["anon", "-"],
      ["file", "-"],
      ["pfnmap", "VM_PFNMAP"],
      ["mixedmap", "VM_MIXEDMAP"],
    ]);
    expect(["anon", "file", "pfnmap", "mixedmap"].map((k) => vmaPfnmapOrMixed(k as never))).toEqual([false, false, true, true]);
    expect(pfnHasLinearMap({ ...BAR, pfnRam: true })).toBe(true);
    expect(pfnHasLinearMap({ ...BAR, vma: "file" })).toBe(true);
    expect(pfnHasLinearMap(BAR)).toBe(false);
    expect(pfnHasLinearMap({ ...BAR, vma: "mixedmap" })).toBe(false);
  });
  it("describeVma names the flags, the MT index, the helper and what the pfn is", () => {
    expect(describeVma(BAR)).toBe(
      "pfnmap VMA (VM_PFNMAP), pgprot device (MT_DEVICE_nGnRE, pgprot_device()), pfn is IO (not pfn_is_map_memory, no struct page)",
    );
    expect(describeVma({ ...BAR, vma: "mixedmap", allowAnyUncached: true, pgprot: "wc" })).toBe(
      "mixedmap VMA (VM_MIXEDMAP), pgprot wc (MT_NORMAL_NC, pgprot_writecombine()), VM_ALLOW_ANY_UNCACHED, pfn is IO (not pfn_is_map_memory, no struct page)",
    );
    expect(describeVma(ANON)).toBe("anon VMA, pgprot cacheable (MT_NORMAL, PAGE_SHARED, a normal mmap), pfn is RAM (pfn_is_map_memory)");
    expect(describeVma({ ...ANON, vma: "file", pfnRam: false })).toMatch(/^file VMA, .*pfn is not memblock RAM \(ZONE_DEVICE: fsdax, CXL\)$/);
  });
  it("parsePgprot and parseVmaKind take names and aliases, any case, with spaces around", () => {
    expect(parsePgprot(" WB ")).toBe("cacheable");
    expect(parsePgprot("normal")).toBe("cacheable");
    expect(parsePgprot("writecombine")).toBe("wc");
    expect(parsePgprot("Normal-NC")).toBe("wc");
    expect(parsePgprot("device-ngnrne")).toBe("noncached");
    expect(parsePgprot("device-ngnre")).toBe("device");
    expect(parsePgprot("tagged")).toBe("tagged");
    expect(() => parsePgprot("uc")).toThrow(InputError);
    expect(() => parsePgprot("uc", "pgprot")).toThrow(
      /^pgprot: 'uc' is not one of cacheable\/normal\/wb, tagged, wc\/nc\/normal-nc\/writecombine, noncached\/device-ngnrne, device\/device-ngnre$/,
    );
    expect(parseVmaKind(" PFNMAP ")).toBe("pfnmap");
    expect(() => parseVmaKind("shm")).toThrow(/^--vma: 'shm' is not one of anon, file, pfnmap, mixedmap$/);
    expect(() => parsePgprot("x")).toThrow(/^--pgprot: /);
  });
  it("vmaInputs: defaults by VMA kind, and the combinations no kernel VMA has", () => {
    expect(vmaInputs("pfnmap", undefined, false, undefined)).toEqual({ vma: "pfnmap", pgprot: "device", allowAnyUncached: false, pfnRam: false });
    expect(vmaInputs("mixedmap", "wc", true, "ram")).toEqual({ vma: "mixedmap", pgprot: "wc", allowAnyUncached: true, pfnRam: true });
    expect(vmaInputs("anon", undefined, false, undefined)).toEqual({ vma: "anon", pgprot: "cacheable", allowAnyUncached: false, pfnRam: true });
    expect(vmaInputs("file", undefined, false, "io")).toEqual({ vma: "file", pgprot: "cacheable", allowAnyUncached: false, pfnRam: false });
    expect(() => vmaInputs("anon", "wc", false, undefined)).toThrow(/^--pgprot: an anon VMA is always mapped cacheable \(anonymous memory\)/);
    expect(() => vmaInputs("file", "device", false, undefined)).toThrow(/^--pgprot: a file VMA is always mapped cacheable \(page cache or fsdax\)/);
    expect(() => vmaInputs("anon", undefined, true, undefined)).toThrow(/^--allow-any-uncached: .* never on an anon VMA$/);
    expect(() => vmaInputs("file", undefined, true, undefined)).toThrow(/never on a file VMA$/);
    expect(() => vmaInputs("anon", undefined, false, "io")).toThrow(/^--pfn io: an anonymous VMA is backed by RAM pages only/);
    expect(() => vmaInputs("file", undefined, false, "bad" as never)).toThrow(ArgumentError);
    expect(() => vmaInputs("file", "bad" as never, false, undefined)).toThrow(ArgumentError);
    expect(() => vmaInputs("file", undefined, 1 as never, undefined)).toThrow(ArgumentError);
  });
  it("checkVmaInputs names the bad field under the argument's name", () => {
    const ok = { vma: "file", pgprot: "wc", allowAnyUncached: false, pfnRam: true };
    expect(checkVmaInputs(ok)).toBe(ok);
    for (const [k, v] of [
      ["vma", "x"],
      ["pgprot", "x"],
      ["allowAnyUncached", 0],
      ["pfnRam", "yes"],
    ] as const) {
      expect(() => checkVmaInputs({ ...ok, [k]: v }, "q")).toThrow(new RegExp(`^q\\.${k}: `));
    }
    expect(() => checkVmaInputs({ ...ok, vma: 1 })).toThrow(/^v\.vma: /);
  });
});

describe("guest.ts: the guest's stage-1 MAIR byte", () => {
  it("names and MAIR_ATTR_* macros give asm/sysreg.h's bytes", () => {
    expect(GUEST_ATTR_NAMES.map((g) => g.attr)).toEqual([0x00, 0x04, 0x0c, 0x44, 0xbb, 0xf0, 0xff]);
    expect(parseGuestAttr("wc")).toBe(0x44);
    expect(parseGuestAttr(" Device ")).toBe(0x04);
    expect(parseGuestAttr("device-ngnrne")).toBe(0x00);
    expect(parseGuestAttr("normal-wt")).toBe(0xbb);
    expect(parseGuestAttr("tagged")).toBe(0xf0);
    expect(parseGuestAttr("MAIR_ATTR_NORMAL_NC")).toBe(0x44);
    expect(parseGuestAttr("mair_attr_normal")).toBe(0xff);
    expect(guestMacro(0x04)).toBe("MAIR_ATTR_DEVICE_nGnRE");
    expect(guestMacro(0x12)).toBeNull();
  });
  it("a byte as a number: 0x hex, decimal or 0b binary, at most 0xff", () => {
    expect(parseGuestAttr("0x4")).toBe(4);
    expect(parseGuestAttr("68")).toBe(0x44);
    expect(parseGuestAttr("0b11111111")).toBe(0xff);
    expect(() => parseGuestAttr("0x100")).toThrow(/^--guest: 0x100 is not a MAIR Attr byte \(0x00\.\.0xff\)$/);
    expect(() => parseGuestAttr("256", "g")).toThrow(/^g: 256 is not a MAIR Attr byte/);
    expect(() => parseGuestAttr("-1")).toThrow(InputError);
    expect(() => parseGuestAttr("wb2")).toThrow(
      /^--guest: 'wb2' is neither a MAIR Attr byte \(0x00\.\.0xff, decimal or 0b binary\) nor one of device-ngnrne, device-ngnre\/device,/,
    );
  });
  it("parseSh: 0/nsh, 2/osh, 3/ish; 1 is reserved", () => {
    expect(parseSh("ish")).toBe(3);
    expect(parseSh("2")).toBe(2);
    expect(() => parseSh("1")).toThrow(/--guest-sh/);
  });
});

describe("hazards.ts and explain.ts: each era's decision for a fault (kernel-reference 6.1)", () => {
  it("a Device BAR, read, no FWB: Device-nGnRE 0x7C7 with XN in every era but v1 (no linear-map alias: -EINVAL); a Normal-NC guest loses write-combining", () => {
    for (const era of ["pre", "v6.9", "mainline"] as const) {
      const x = explainEra(era, BAR, NC_GUEST);
      expect(x.leaf?.pte).toBe("0x400000800007c7");
      expect([x.leaf?.lo, x.leaf?.hi]).toEqual([0x8000_07c7, 0x0040_0000]);
      expect(x.s2MemAttr).toBe(1);
      expect(x.s2Sh).toBe(3);
      expect(x.effective?.allDevice).toBe(true);
      expect(x.hazards.map(hazardString)).toEqual([
        "wc-lost: the guest maps it Normal-NC (MAIR_ATTR_NORMAL_NC), i.e. write-combining, but stage 2 is Device, so the effective type is Device-nGnRE: no write gathering, and unaligned accesses fault",
      ]);
    }
    const v1 = explainEra("v1", BAR, NC_GUEST);
    expect(v1.policy.ok).toBe(false);
    expect(v1.leaf).toBeNull();
    expect(v1.combine).toBeNull();
    expect(v1.hazards.map((h) => h.id)).toEqual(["no-linear-map"]);
    expect(v1.hazards[0].text).toMatch(/user_mem_abort\(\) returns -EINVAL, for a Device mapping too/);
    // A Device guest keeps Device: nothing is lost.
    expect(ids("mainline", BAR, { ...NC_GUEST, guest: { attr: 0x04, sh: 3 } })).toEqual([]);
  });
  it("VM_ALLOW_ANY_UNCACHED: Normal-NC 0x7D7 from v6.9 on; before, the flag is noted as absent", () => {
    const p = { ...BAR, allowAnyUncached: true };
    expect(explainEra("v6.9", p, NC_GUEST).leaf?.pte).toBe("0x400000800007d7");
    expect(ids("mainline", p)).toEqual([]);
    const pre = explainEra("pre", p, NC_GUEST);
    expect(pre.leaf?.pte).toBe("0x400000800007c7");
    expect(pre.notes).toContain("VM_ALLOW_ANY_UNCACHED does not exist in this era (added in v6.9): the flag plays no part");
    expect(explainEra("v1", p, NC_GUEST).notes).toContain("VM_ALLOW_ANY_UNCACHED does not exist in this era (added in v6.9): the flag plays no part");
    expect(explainEra("v6.9", p, NC_GUEST).notes).toEqual([]);
  });
  it("an exec fault on Device memory: -ENOEXEC, the exec-noexec hazard, no leaf", () => {
    for (const era of ["pre", "v1", "v6.9", "mainline"] as const) {
      const x = explainEra(era, { ...BAR, access: "exec" }, NC_GUEST);
      expect(x.policy.ok).toBe(false);
      expect(x.hazards.map((h) => h.id)).toEqual(["exec-noexec"]);
      expect(x.hazards[0].text).toMatch(/^instruction fetches from memory this era maps non-cacheable/);
    }
  });
  it("a cacheable PFNMAP of IO memory without FWB and DIC: refused at the memslot in mainline; a MIXEDMAP one at the fault with -EFAULT", () => {
    const pfn = explainEra("mainline", { ...BAR, pgprot: "cacheable" }, NC_GUEST);
    expect(pfn.hazards.map(hazardString)).toEqual([
      "cacheable-pfnmap-refused: cacheable VM_PFNMAP memory is refused at memslot creation without FWB and DIC: kvm_arch_prepare_memory_region() returns -EINVAL",
    ]);
    const mixed = explainEra("mainline", { ...BAR, vma: "mixedmap", pgprot: "cacheable" }, NC_GUEST);
    expect(mixed.hazards.map(hazardString)).toEqual([
      "cacheable-pfnmap-refused: the cacheable VM_MIXEDMAP pfn has no kernel mapping for cache maintenance and the CPU lacks FWB and DIC: user_mem_abort() returns -EFAULT (KVM_RUN fails)",
    ]);
    // Before mainline the VMA's cacheability does not matter: Device, and an uncached alias of the cacheable VMA.
    const pre = explainEra("pre", { ...BAR, pgprot: "cacheable" }, NC_GUEST);
    expect(pre.hazards.map((h) => h.id)).toEqual(["uncached-alias", "wc-lost"]);
    expect(pre.hazards[0].text).toBe(
      "the VMA maps it cacheable but the guest's effective type is Device-nGnRE: an uncached alias of cacheable memory (stale data and lost writes without cache maintenance)",
    );
  });
  it("anonymous RAM without FWB: Normal 0x7FF; the dcache clean; the icache invalidation for an exec fault without DIC only", () => {
    const read = explainEra("mainline", ANON, NO_GUEST);
    expect(read.leaf?.pte).toBe("0x400000800007ff");
    expect(read.hazards.map((h) => h.id)).toEqual(["dcache-cmo"]);
    const exec = explainEra("mainline", { ...ANON, access: "exec" }, NO_GUEST);
    expect(exec.leaf?.pte).toBe("0x800007ff");
    expect(exec.hazards.map((h) => h.id)).toEqual(["dcache-cmo", "icache-inval"]);
    expect(ids("mainline", { ...ANON, access: "exec", dic: true }, NO_GUEST)).toEqual(["dcache-cmo"]);
    // FWB: Normal is MemAttr 6 (0x7DB), no clean.
    const fwb = explainEra("mainline", { ...ANON, fwb: true }, NO_GUEST);
    expect(fwb.leaf?.pte).toBe("0x400000800007db");
    expect(fwb.hazards).toEqual([]);
    // A Normal-NC guest over cacheable RAM: an uncached alias, which the VMA's cacheability names.
    const nc = explainEra("mainline", ANON, NC_GUEST);
    expect(nc.hazards.map((h) => h.id)).toEqual(["dcache-cmo", "uncached-alias"]);
    expect(nc.hazards[1].text).toMatch(/^the VMA maps it cacheable but the guest's effective type is Normal-NC:/);
  });
  it("a write-combine VMA over RAM: stage 2 Normal, a cacheable alias (pre, v6.9, mainline); v1 writes Normal-NC", () => {
    const p = { ...BAR, pgprot: "wc" as const, pfnRam: true };
    const pre = explainEra("pre", p, NO_GUEST);
    expect(pre.hazards.map((h) => h.id)).toEqual(["cacheable-alias", "dcache-cmo"]);
    expect(pre.hazards[0].text).toBe(
      "the VMA maps this RAM Normal-NC (pgprot_writecombine()) but stage 2 maps it Normal: the guest can cache memory the VMM accesses uncached",
    );
    const fwb = explainEra("mainline", { ...p, fwb: true }, NO_GUEST);
    expect(fwb.hazards.map(hazardString)).toEqual([
      "cacheable-alias: the VMA maps this RAM Normal-NC (pgprot_writecombine()) but stage 2 maps it Normal (FWB: forced Write-Back): the guest can cache memory the VMM accesses uncached",
    ]);
    expect(explainEra("v1", p, NO_GUEST).leaf?.pte).toBe("0x400000800007d7");
    // The linear map holds RAM cacheable whatever the VMA: a Device guest's alias of it.
    const g = explainEra("v1", p, { ...NC_GUEST, guest: { attr: 0x04, sh: 3 } });
    expect(g.hazards.map(hazardString)).toEqual([
      "uncached-alias: the kernel's linear map holds it cacheable but the guest's effective type is Device-nGnRE: an uncached alias of cacheable memory (stale data and lost writes without cache maintenance)",
    ]);
  });
  it("fsdax behind a file VMA in v1 without FWB: Normal, with the modelling note", () => {
    const x = explainEra("v1", { ...ANON, vma: "file", pfnRam: false }, NO_GUEST);
    expect(x.leaf?.pte).toBe("0x400000800007ff");
    expect(x.notes).toEqual([
      "v1's no-FWB check passes for ZONE_DEVICE memory behind a file VMA: it has struct pages in the linear map (a modelling assumption)",
    ]);
    expect(explainEra("v1", { ...ANON, vma: "file", pfnRam: false, fwb: true }, NO_GUEST).notes).toEqual([]);
    expect(explainEra("v1", { ...ANON, vma: "file", pfnRam: true }, NO_GUEST).notes).toEqual([]);
  });
  it("with LPA2 the stage-2 shareability is VTCR_EL2.SH0 (Inner), bits 9:8 being OA[51:50]", () => {
    const x = explainEra("mainline", ANON, { ...NO_GUEST, lpa2: true, pa: 2 ** 50 });
    expect(x.s2Sh).toBe(3);
    // Normal without FWB (0x3C), S2AP R|W (0xC0), AF, page, valid = 0x4FF, no SH; PA[51:50] = 1 in bits 9:8; XN.
    expect(x.leaf?.pte).toBe("0x400000000005ff");
  });
});

describe("the hazard rules one by one (policyHazards, guestHazards, classifyEffective)", () => {
  it("an open combine outcome: 'may be' where only some outcomes are Device or not Write-Back", () => {
    const eff = { memtype: "Device-nGnRE | Normal-NC", allDevice: false, someDevice: true, allNotWriteBack: true, someNotWriteBack: true };
    const hz = guestHazards(ANON, { label: "Normal-NC (x)", nc: true }, eff);
    expect(hz.map((h) => h.id)).toEqual(["uncached-alias", "wc-lost"]);
    expect(hz[0].text).toMatch(/effective type is Device-nGnRE \| Normal-NC/);
    expect(hz[1].text).toMatch(/so the effective type may be Device-nGnRE \| Normal-NC/);
    const some = guestHazards(ANON, { label: "x", nc: false }, { ...eff, allNotWriteBack: false });
    expect(some.map((h) => h.text)).toEqual([expect.stringMatching(/effective type may be /)]);
    expect(guestHazards(BAR, { label: "x", nc: false }, eff)).toEqual([]);
    expect(
      guestHazards(ANON, { label: "x", nc: true }, { ...eff, someDevice: false, allDevice: false, someNotWriteBack: false, allNotWriteBack: false }),
    ).toEqual([]);
  });
  it("classifyEffective reads every and some outcome of a combine", () => {
    // S1 Normal-NC over S2 Device-nGnRE: Device. S1 Write-Back over S2 Normal WB: Write-Back.
    expect(classifyEffective(combineS1S2(0x44, 3, 0x1, 3, { fwb: false }))).toEqual({
      memtype: "Device-nGnRE",
      allDevice: true,
      someDevice: true,
      allNotWriteBack: true,
      someNotWriteBack: true,
    });
    expect(classifyEffective(combineS1S2(0xff, 3, 0xf, 3, { fwb: false }))).toEqual({
      memtype: "Normal-WB",
      allDevice: false,
      someDevice: false,
      allNotWriteBack: false,
      someNotWriteBack: false,
    });
    const nc = classifyEffective(combineS1S2(0x44, 3, 0xf, 3, { fwb: false }));
    expect([nc.allDevice, nc.someDevice, nc.allNotWriteBack, nc.someNotWriteBack]).toEqual([false, false, true, true]);
  });
  it("policyHazards: a refused map with no rule of its own gives none; no leaf gives none", () => {
    const pol = explainEra("mainline", ANON, NO_GUEST).policy;
    expect(policyHazards(ANON, pol, null)).toEqual([]);
    expect(policyHazards(ANON, { ...pol, ok: false, errno: -12, where: "x", why: "", effect: "", prot: null } as never, null)).toEqual([]);
    const v1 = explainEra("v1", BAR, NO_GUEST).policy;
    expect(policyHazards(BAR, { ...v1, era: "v6.9" } as never, null)).toEqual([]);
  });
});

describe("explain.ts: arguments, JSON and text", () => {
  it("explainEras checks every argument, even for no era", () => {
    expect(explainEras([], ANON, NO_GUEST)).toEqual([]);
    expect(() => explainEras("pre" as never, ANON, NO_GUEST)).toThrow(/^eras: "pre" is not an array of eras/);
    expect(() => explainEras(["pre", "v1", "v6.9", "mainline", "pre"], ANON, NO_GUEST)).toThrow(/^eras: holds 5 eras; there are 4/);
    expect(() => explainEras(["pre", "x" as never], ANON, NO_GUEST)).toThrow(/^eras\[1\]: /);
    expect(() => explainEras([], { ...ANON, fwb: 1 } as never, NO_GUEST)).toThrow(ArgumentError);
    expect(() => explainEras([], ANON, { ...NO_GUEST, level: 4 })).toThrow(/^o\.level: /);
    expect(() => explainEras([], ANON, { ...NO_GUEST, granule: 8192 as never })).toThrow(/^o\.granule: /);
    expect(() => explainEras([], ANON, { ...NO_GUEST, lpa2: "no" as never })).toThrow(/^o\.lpa2: /);
    expect(() => explainEras([], ANON, { ...NO_GUEST, pa: -1 })).toThrow(/^o\.pa: /);
    expect(() => explainEras([], ANON, { ...NO_GUEST, guest: { attr: 256, sh: 3 } })).toThrow(/^o\.guest\.attr: /);
    expect(() => explainEras([], ANON, { ...NO_GUEST, guest: { attr: 0, sh: 1 } })).toThrow(/^o\.guest\.sh: /);
    expect(() => explainEras([], ANON, { ...NO_GUEST, guest: 3 as never })).toThrow(/^o\.guest: /);
    expect(explainEras(["v1", "pre"], ANON, NO_GUEST).map((x) => x.era.id)).toEqual(["v1", "pre"]);
  });
  it("explanationJson: the prot, the error, the descriptor, MemAttr and SH, the combine only with a guest", () => {
    const x = explainEra("mainline", BAR, NC_GUEST);
    const j = explanationJson(x, BAR, NC_GUEST);
    expect(j.era).toBe("mainline");
    expect(j.prot).toBe("R|W|DEVICE");
    expect(j.error).toBeNull();
    expect(j.descriptor).toBe("0x400000800007c7");
    expect(j.s2_memattr).toEqual({ value: "0x1", type: "Device-nGnRE", linux: "MT_S2_DEVICE_nGnRE" });
    expect(j.s2_sh).toBe(3);
    expect(j.combined).toEqual({ attr: x.combine?.attr, sh: x.combine?.sh, memtype: "Device-nGnRE", description: x.combine?.description });
    expect(j.hazards).toEqual([hazardString(x.hazards[0])]);
    expect((j.steps as string[]).length).toBe(x.policy.steps.length);
    expect((j.steps as string[])[0]).toBe(`${x.policy.steps[0].fn}: ${x.policy.steps[0].text}`);
    expect("combined" in explanationJson(x, BAR, NO_GUEST)).toBe(false);
    const bad = explainEra("v1", BAR, NO_GUEST);
    const jb = explanationJson(bad, BAR, NO_GUEST);
    expect(jb.prot).toBeNull();
    expect(jb.descriptor).toBeNull();
    expect(jb.s2_memattr).toBeNull();
    expect(jb.error).toMatchObject({ errno: -22, name: "EINVAL", where: "user_mem_abort() (v1 1/2)" });
    expect(() => explanationJson(null as never, BAR, NO_GUEST)).toThrow(/^x: /);
    expect(() => explanationJson(x, null as never, NO_GUEST)).toThrow(/^p: /);
  });
  it("formatExplain: one era in full", () => {
    const x = explainEra("mainline", BAR, NC_GUEST);
    const text = formatExplain([x], BAR, NC_GUEST).split("\n");
    expect(text[0]).toBe(`VMA     ${describeVma(BAR)}`);
    expect(text[1]).toBe("fault   read; FWB off, CTR_EL0.DIC 0");
    expect(text[2]).toBe("leaf    4K page at level 3, PA 0x80000000 (an example address)");
    expect(text[3]).toBe("guest   stage-1 MAIR 0x44 (MAIR_ATTR_NORMAL_NC): Normal-NC; SH ISH");
    expect(text[4]).toBe("");
    expect(text[5]).toBe(`era mainline: ${x.era.title}`);
    expect(text).toContain("  prot     R|W|DEVICE");
    expect(text).toContain("  leaf     0x400000800007c7  MemAttr 0x1 Device-nGnRE (MT_S2_DEVICE_nGnRE), SH ISH");
    expect(text).toContain("  hazards");
    expect(text).toContain(`    - ${hazardString(x.hazards[0])}`);
    const none = formatExplain(
      [explainEra("mainline", { ...ANON, fwb: true }, NO_GUEST)],
      { ...ANON, fwb: true },
      { ...NO_GUEST, lpa2: true, level: 2, pa: 0x4000_0000 },
    );
    expect(none).toMatch(/\n {2}hazards {2}none(\n|$)/);
    expect(none).toMatch(/^leaf {4}0x200000 block at level 2, PA 0x40000000, FEAT_LPA2 \(an example address\)$/m);
    expect(none).toMatch(/^guest {3}not given \(--guest <MAIR byte> adds/m);
    expect(none).toMatch(/^fault {3}read; FWB on, CTR_EL0\.DIC 0$/m);
    const err = formatExplain([explainEra("v1", BAR, NO_GUEST)], BAR, NO_GUEST);
    expect(err).toMatch(/^ {2}error {4}-EINVAL \(-22\) from user_mem_abort\(\) \(v1 1\/2\): /m);
  });
  it("formatExplain: several eras as a table, then each era's error and hazards", () => {
    const xs = explainEras(["pre", "v1"], BAR, NC_GUEST);
    const lines = formatExplain(xs, BAR, NC_GUEST).split("\n");
    const head = lines.findIndex((l) => l.startsWith("era "));
    expect(lines[head]).toMatch(/^era +prot +descriptor +S2 MemAttr +guest -> effective +hazards$/);
    expect(lines[head + 1]).toMatch(/^pre +R\|W\|DEVICE +0x400000800007c7 +0x1 Device-nGnRE \(MT_S2_DEVICE_nGnRE\) +0x\w\w \w+ Device-nGnRE +wc-lost$/);
    expect(lines[head + 2]).toMatch(/^v1 +-EINVAL \(user_mem_abort\(\) \(v1 1\/2\)\) +- +- +- +no-linear-map$/);
    expect(lines).toContain("  - " + hazardString(xs[0].hazards[0]));
    expect(lines.some((l) => l.startsWith("  -EINVAL from user_mem_abort() (v1 1/2): "))).toBe(true);
    expect(() => formatExplain([], BAR, NC_GUEST)).toThrow(/^xs: an array is not a non-empty array of EraExplanations/);
    expect(() => formatExplain([{}] as never, BAR, NC_GUEST)).toThrow(/^xs\[0\]: .* is not an EraExplanation/);
    expect(() => formatExplain([{ ...xs[0], hazards: null }] as never, BAR, NC_GUEST)).toThrow(/^xs\[0\]: /);
    expect(() => formatExplain([{ ...xs[0], policy: null }] as never, BAR, NC_GUEST)).toThrow(/^xs\[0\]: /);
    expect(() => formatExplain([{ ...xs[0], era: null }] as never, BAR, NC_GUEST)).toThrow(/^xs\[0\]: /);
  });
});
