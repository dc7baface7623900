/**
 * The stage-2 memory-type policy of user_mem_abort() (arch/arm64/kvm/mmu.c),
 * per kernel era: which kvm_pgtable_prot a guest memory fault gets, or which
 * error the kernel returns, as a function of the VMA, the pfn, the CPU and the
 * fault. docs/kvm-memory-types.md is generated from this module.
 *
 *   era       kernel                              RAM pfn       non-RAM, VMA non-cacheable      non-RAM, VMA cacheable
 *   pre       <= v6.8 (mmu.c @1c53a1ae)           Normal +X(DIC) DEVICE                         DEVICE (VMA ignored)
 *   v1        2023-09 series v1 (not merged)      type from the VMA: non-cacheable -> DEVICE, written as MemAttr NORMAL_NC;
 *                                                 cacheable -> Normal +X(DIC); no FWB and no linear map -> -EINVAL
 *   v6.9      8c47ce3e1d2c                        Normal +X(DIC) UC ? NORMAL_NC : DEVICE           same
 *   mainline  6.17.y (mmu.c @7a9479eb)            Normal +X(DIC) PFNMAP/MIXEDMAP: UC ? NORMAL_NC   PFNMAP/MIXEDMAP: -EFAULT unless
 *                                                                : DEVICE; else Normal +X(DIC)    kvm_supports_cacheable_pfnmap()
 *
 * (RAM = pfn_is_map_memory(pfn); UC = VM_ALLOW_ANY_UNCACHED; +X(DIC) = X
 * granted without an exec fault when CTR_EL0.DIC = 1.) Sources and details:
 * kernel-reference.md section 6 and the patch copies named in ERAS.
 *
 * Exec faults: an instruction fetch from memory the era maps non-cacheable
 * returns -ENOEXEC, and kvm_handle_guest_abort() injects an abort into the
 * guest; except in v1, whose -ENOEXEC test is the pfn's (kvm_is_device_pfn())
 * while its type follows the VMA, so RAM in a non-cacheable PFNMAP VMA reaches
 * the map as DEVICE|X, written NORMAL_NC|X, which stage2_set_prot_attr()
 * refuses (-EINVAL). Device and Normal-NC mappings never carry X.
 *
 * Modelled: a translation fault on an unmapped IPA of a normal (non-nested,
 * non-protected, non-MTE) VM, with a writable memslot and an already-writable
 * host page, without dirty logging; the result is the prot passed to
 * kvm_pgtable_stage2_map(). Not modelled: the mapping size (THP, hugetlb,
 * get_vma_page_shift), relax_perms on permission faults, NV, MTE, pKVM.
 */

import { EFAULT, EINVAL, ENOEXEC, ERRNO_NAMES, PROT_DEVICE, PROT_NORMAL_NC, PROT_R, PROT_W, PROT_X, stage2SetProtAttr } from "../pgtable/descriptor.js";
import { protRefusal } from "../pgtable/leaf.js";
import { checkBool, checkObject, checkOneOf } from "../pgtable/args.js";
import { protNames } from "../walker/decode.js";
import { InputError, showInput } from "../pgtable/u64.js";
import { checkVmaInputs, kvmVmaIsCacheable, pfnHasLinearMap, pgprotInfo, vmaPfnmapOrMixed, type VmaInputs } from "./vma.js";
import { checkString } from "../pgtable/args.js";

// ---- eras ------------------------------------------------------------------------

/** A kernel era of the stage-2 memory-type policy: before the series (pre), its v1, v6.9, mainline. */
export type Era = "pre" | "v1" | "v6.9" | "mainline";

/** An era: its id, title and the kernel it describes. */
export interface EraInfo {
  id: Era;
  /** One line: which kernel this is. */
  title: string;
  /** Where the rule comes from (commits, patch copies), as cited in kernel-reference.md section 6. */
  sources: string;
  /** The rule in one sentence. */
  rule: string;
}

/** Every era, oldest first. */
export const ERAS: readonly EraInfo[] = [
  {
    id: "pre",
    title: "before the series (up to v6.8)",
    sources: "mmu.c user_mem_abort() @1c53a1ae (~v5.14), unchanged in this respect up to v6.8",
    rule: "the type follows the pfn: kernel-mapped RAM (pfn_is_map_memory) is Normal, anything else KVM_PGTABLE_PROT_DEVICE; the VMA is not looked at",
  },
  {
    id: "v1",
    title: "the series as first posted (v1, 2023-09-07, A. Agrawal; not merged)",
    sources:
      "[PATCH v1 1/2] KVM: arm64: determine memory type from VMA; [PATCH v1 2/2] KVM: arm64: allow the VM to select DEVICE_* and NORMAL_NC for IO memory (as quoted in the reviews by C. Marinas 2023-10-05 and W. Deacon 2023-10-12)",
    rule: "the type follows the VMA: a non-cacheable pgprot gives KVM_PGTABLE_PROT_DEVICE, which v1 2/2 writes as MemAttr NORMAL_NC so the guest's stage 1 decides; a cacheable VMA is Normal whatever the pfn; without FWB a pfn with no linear-map alias is refused (-EINVAL)",
  },
  {
    id: "v6.9",
    title: "as merged in v6.9",
    sources: "8c47ce3e1d2c (mmu.c: IO as Normal-NC for VM_ALLOW_ANY_UNCACHED), c034ec84e879 (pgtable.c: KVM_PGTABLE_PROT_NORMAL_NC)",
    rule: "non-RAM pfns are Device unless the VMA has VM_ALLOW_ANY_UNCACHED (set by vfio-pci), which makes them Normal-NC; RAM is Normal",
  },
  {
    id: "mainline",
    title: "mainline today (6.17/6.18 era)",
    sources: "mmu.c @7a9479eb: gregkh/linux's rolling-stable branch as pushed on 2025-10-19 (6.17.y), the only stored copy of this era; taken to hold for 6.18",
    rule: "non-RAM pfns in VM_PFNMAP/VM_MIXEDMAP VMAs follow the VMA: non-cacheable -> Device or (VM_ALLOW_ANY_UNCACHED) Normal-NC; cacheable -> Normal only when kvm_supports_cacheable_pfnmap() (FWB and DIC), else -EFAULT, and the memslot is refused up front for VM_PFNMAP",
  },
];

/** The eras' ids. */
export const ERA_IDS: readonly Era[] = ERAS.map((e) => e.id);

export function eraInfo(e: Era): EraInfo {
  const i = ERAS.find((x) => x.id === e);
  if (!i) throw new Error(`unknown era ${e}`);
  return i;
}

/** Parse --era: one era, or "all". */
export function parseEras(text: string, what = "--era"): Era[] {
  checkString(text, "text");
  checkString(what, "what");
  const t = text.trim().toLowerCase();
  if (t === "all") return [...ERA_IDS];
  const alias: Record<string, Era> = { pre: "pre", v1: "v1", "v6.9": "v6.9", "6.9": "v6.9", mainline: "mainline" };
  // An own key only: "constructor" or "__proto__" would find Object.prototype's.
  const e = Object.prototype.hasOwnProperty.call(alias, t) ? alias[t] : undefined;
  if (e === undefined) throw new InputError(`${what}: '${showInput(text)}' is not one of ${ERA_IDS.join(", ")}, all`);
  return [e];
}

// ---- inputs and result -------------------------------------------------------------------

/** The access that faulted: read, write or exec. */
export type FaultAccess = "read" | "write" | "exec";
export const FAULT_ACCESSES: readonly FaultAccess[] = ["read", "write", "exec"];

/** The CPU features the policy reads: FEAT_S2FWB, CTR_EL0.DIC. */
export interface CpuInputs {
  /** FEAT_S2FWB in use (ARM64_HAS_STAGE2_FWB; a normal guest's stage 2 has no NOFWB flag). */
  fwb: boolean;
  /** CTR_EL0.DIC (ARM64_HAS_CACHE_DIC): no icache invalidation needed for instruction/data coherence. */
  dic: boolean;
}

export interface PolicyInputs extends VmaInputs, CpuInputs {
  /** The faulting access: data read, data write, or instruction fetch (kvm_vcpu_trap_is_exec_fault). */
  access: FaultAccess;
}

/** One decision, with the kernel function that makes it. */
export interface PolicyStep {
  fn: string;
  text: string;
}

interface PolicyCommon {
  era: Era;
  steps: PolicyStep[];
  /** Caveats that apply to this outcome (assumptions the kernel sources read do not settle). */
  notes: string[];
}

/** user_mem_abort() reaches kvm_pgtable_stage2_map() and the map is accepted. */
export interface PolicyMap extends PolicyCommon {
  ok: true;
  /** The prot user_mem_abort() passes to kvm_pgtable_stage2_map(). */
  prot: number;
  /**
   * The prot that makes s2pt's encoder (Linux 6.18.25's stage2_set_prot_attr)
   * write the bits this era's stage2_set_prot_attr wrote for `prot`. Equal
   * to prot except in v1, whose 2/2 patch wrote KVM_PGTABLE_PROT_DEVICE as
   * MemAttr NORMAL_NC: there DEVICE becomes NORMAL_NC (same MemAttr, same
   * refusal of X).
   */
  encodeProt: number;
  /** The era decided the memory must not be cacheable at stage 2 (device / s2_force_noncacheable / v1's non-cacheable VMA). */
  nonCacheable: boolean;
}

/** The kernel refuses: at memslot creation, in the fault path, or in the map. */
export interface PolicyError extends PolicyCommon {
  ok: false;
  /** Negative errno, as the kernel returns it. */
  errno: number;
  /** The kernel function that returns it. */
  where: string;
  /** Why, in words. */
  why: string;
  /** What the guest or the VMM sees. */
  effect: string;
  /** The prot user_mem_abort() had built when the map refused it (null before that point). */
  prot: number | null;
}

/** What user_mem_abort() decides: a map (its prot) or an error. */
export type PolicyResult = PolicyMap | PolicyError;

export function errnoName(errno: number): string {
  return `-${ERRNO_NAMES[-errno] ?? String(-errno)}`;
}

// ---- the kernel's predicates ------------------------------------------------------------------

/** kvm_is_device_pfn() of eras pre..v6.9: !pfn_is_map_memory(pfn). */
export function kvmIsDevicePfn(v: VmaInputs): boolean {
  checkVmaInputs(v);
  return !v.pfnRam;
}

/**
 * kvm_supports_cacheable_pfnmap(), an inline in asm/kvm_mmu.h: the system
 * capabilities ARM64_HAS_STAGE2_FWB and ARM64_HAS_CACHE_DIC (kernel-reference.md
 * section 6.1, read in a post-6.18 mainline copy). Cacheable PFNMAP pfns may
 * have no kernel mapping to do cache maintenance through, so both are needed.
 */
export function kvmSupportsCacheablePfnmap(cpu: CpuInputs): boolean {
  const c = checkObject(cpu, "cpu");
  return checkBool(c.fwb, "cpu.fwb") && checkBool(c.dic, "cpu.dic");
}

/**
 * kvm_arch_prepare_memory_region() (mainline): a VM_PFNMAP VMA that is
 * cacheable is refused without kvm_supports_cacheable_pfnmap(). Earlier
 * eras had no such check (dirty logging and MTE refusals are not modelled).
 */
/** An era argument: one of ERA_IDS (ArgumentError otherwise). */
export function checkEra(era: unknown, arg = "era"): Era {
  return checkOneOf(era, arg, ERA_IDS);
}

/** A PolicyInputs argument: the VMA (vma.ts checkVmaInputs), the CPU's two booleans and the access. */
export function checkPolicyInputs(p: unknown, arg = "p"): PolicyInputs {
  const o = checkObject(p, arg);
  checkVmaInputs(o, arg);
  checkBool(o.fwb, `${arg}.fwb`);
  checkBool(o.dic, `${arg}.dic`);
  checkOneOf(o.access, `${arg}.access`, FAULT_ACCESSES);
  return o as unknown as PolicyInputs;
}

/** kvm_arch_prepare_memory_region()'s check of a VMA for a memslot in an era: null, or the error. */
export function kvmArchPrepareMemoryRegion(era: Era, p: PolicyInputs): { errno: number; why: string } | null {
  checkEra(era);
  checkPolicyInputs(p);
  if (era !== "mainline") return null;
  if (p.vma === "pfnmap" && kvmVmaIsCacheable(p.pgprot) && !kvmSupportsCacheablePfnmap(p)) {
    return {
      errno: -EINVAL,
      why: `a cacheable VM_PFNMAP VMA (${pgprotInfo(p.pgprot).mtName}) needs kvm_supports_cacheable_pfnmap() (FWB ${p.fwb ? "on" : "off"}, DIC ${p.dic ? "1" : "0"})`,
    };
  }
  return null;
}

// ---- user_mem_abort() per era --------------------------------------------------------------------

const MEMSLOT_EFFECT = "KVM_SET_USER_MEMORY_REGION fails: the VMM cannot register this memory as a memslot at all";
const RUN_EFFECT = (errno: number): string => `user_mem_abort() fails the fault: KVM_RUN returns ${errnoName(errno)} to the VMM`;
function enoexecEffect(era: Era): string {
  return era === "mainline"
    ? "kvm_handle_guest_abort() injects a synchronous external abort on the instruction fetch (kvm_inject_sea_iabt)"
    : "kvm_handle_guest_abort() injects a prefetch abort into the guest (kvm_inject_pabt)";
}

function pfnWords(p: VmaInputs): string {
  return p.pfnRam ? "pfn_is_map_memory(pfn) is true (kernel-mapped RAM)" : "pfn_is_map_memory(pfn) is false (not kernel-mapped RAM)";
}

function accessProt(p: PolicyInputs, steps: PolicyStep[]): number {
  // The fault maps R, plus W (writable memslot and host page assumed), plus X on an exec fault.
  let prot = PROT_R | PROT_W;
  if (p.access === "exec") prot |= PROT_X;
  steps.push({
    fn: "user_mem_abort()",
    text: `${p.access} fault: KVM_PGTABLE_PROT_R | W (writable memslot and host page)${p.access === "exec" ? " | X (exec fault)" : ""}`,
  });
  return prot;
}

function dicX(p: PolicyInputs, prot: number, steps: PolicyStep[]): number {
  if (p.dic) {
    steps.push({ fn: "user_mem_abort()", text: "cacheable and CTR_EL0.DIC: KVM_PGTABLE_PROT_X granted up front (no icache invalidation is ever needed)" });
    return prot | PROT_X;
  }
  if (p.access !== "exec")
    steps.push({
      fn: "user_mem_abort()",
      text: "no CTR_EL0.DIC: not executable until an instruction fetch faults (relax_perms then adds X with an icache invalidation)",
    });
  return prot;
}

function enoexec(era: Era, why: string, steps: PolicyStep[], notes: string[]): PolicyError {
  return { ok: false, era, errno: -ENOEXEC, where: "user_mem_abort()", why, effect: enoexecEffect(era), prot: null, steps, notes };
}

/** The map: stage2_set_prot_attr() refuses DEVICE|X and NORMAL_NC|X (and, in v1, DEVICE|X written as NC|X). */
function finish(era: Era, prot: number, encodeProt: number, nonCacheable: boolean, p: PolicyInputs, steps: PolicyStep[], notes: string[]): PolicyResult {
  const attr = [0, 0];
  const r = stage2SetProtAttr(encodeProt, p.fwb, false, attr);
  if (r) {
    return {
      ok: false,
      era,
      errno: r,
      where: "kvm_pgtable_stage2_map() -> stage2_set_prot_attr()",
      why: `prot ${protNames(prot)}: ${protRefusal(prot) ?? protRefusal(encodeProt) ?? "refused"}`,
      effect: RUN_EFFECT(r),
      prot,
      steps,
      notes,
    };
  }
  return { ok: true, era, prot, encodeProt, nonCacheable, steps, notes };
}

/** Era "pre" (<= v6.8): device = !pfn_is_map_memory(pfn); the VMA plays no part. */
function userMemAbortPre(p: PolicyInputs): PolicyResult {
  const steps: PolicyStep[] = [];
  const notes: string[] = [];
  const device = kvmIsDevicePfn(p);
  steps.push({ fn: "kvm_is_device_pfn()", text: `${pfnWords(p)}: ${device ? "device" : "memory"}; the VMA's pgprot and flags are not consulted` });
  if (p.access === "exec" && device) return enoexec("pre", "an exec fault on a device pfn", steps, notes);
  let prot = accessProt(p, steps);
  if (device) {
    prot |= PROT_DEVICE;
    steps.push({ fn: "user_mem_abort()", text: "device: KVM_PGTABLE_PROT_DEVICE (Device-nGnRE, never executable)" });
  } else {
    prot = dicX(p, prot, steps);
  }
  return finish("pre", prot, prot, device, p, steps, notes);
}

/** Era "v1" (2023-09 v1): the type from the VMA's pgprot; DEVICE written as MemAttr NORMAL_NC. */
function userMemAbortV1(p: PolicyInputs): PolicyResult {
  const steps: PolicyStep[] = [];
  const notes: string[] = [];
  const device = kvmIsDevicePfn(p);
  const vmaNonCacheable = !kvmVmaIsCacheable(p.pgprot);
  const pi = pgprotInfo(p.pgprot);
  steps.push({
    fn: "mapping_type()",
    text: `vm_page_prot is ${pi.mtName}: ${vmaNonCacheable ? "non-cacheable, so KVM_PGTABLE_PROT_DEVICE" : "cacheable, so Normal"}`,
  });
  steps.push({ fn: "kvm_is_device_pfn()", text: `${pfnWords(p)}; v1 still uses it for the exec check` });
  if (p.access === "exec" && device) return enoexec("v1", "an exec fault on a device pfn (v1 kept this check)", steps, notes);
  let prot = PROT_R;
  if (vmaNonCacheable) prot |= PROT_DEVICE;
  else if (p.dic) prot |= PROT_X;
  prot |= PROT_W;
  if (p.access === "exec") prot |= PROT_X;
  steps.push({
    fn: "user_mem_abort()",
    text: `${p.access} fault: R | W${p.access === "exec" ? " | X" : ""}${vmaNonCacheable ? " | DEVICE" : p.dic ? " | X (cacheable and CTR_EL0.DIC)" : ""}`,
  });
  if (!p.fwb && !pfnHasLinearMap(p)) {
    return {
      ok: false,
      era: "v1",
      errno: -EINVAL,
      where: "user_mem_abort() (v1 1/2)",
      why: "without FWB KVM cleans guest pages to PoC through the kernel's linear map, and this pfn has no struct page mapped there (pfn_valid() fails)",
      effect: RUN_EFFECT(-EINVAL),
      prot: null,
      steps,
      notes,
    };
  }
  if (!p.fwb) steps.push({ fn: "user_mem_abort() (v1 1/2)", text: "no FWB: accepted because the pfn has a struct page in the linear map" });
  let encodeProt = prot;
  if (prot & PROT_DEVICE) {
    encodeProt = (prot & ~PROT_DEVICE) | PROT_NORMAL_NC;
    steps.push({
      fn: "stage2_set_prot_attr() (v1 2/2)",
      text: "KVM_PGTABLE_PROT_DEVICE is written as MemAttr NORMAL_NC (MT_S2_NORMAL_NC / MT_S2_FWB_NORMAL_NC)",
    });
  }
  return finish("v1", prot, encodeProt, vmaNonCacheable, p, steps, notes);
}

/** Era "v6.9" (8c47ce3e1d2c): device = !pfn_is_map_memory(pfn); Normal-NC with VM_ALLOW_ANY_UNCACHED. */
function userMemAbortV69(p: PolicyInputs): PolicyResult {
  const steps: PolicyStep[] = [];
  const notes: string[] = [];
  const device = kvmIsDevicePfn(p);
  steps.push({ fn: "kvm_is_device_pfn()", text: `${pfnWords(p)}: ${device ? "device" : "memory"}; the VMA's pgprot is not consulted` });
  if (p.access === "exec" && device) return enoexec("v6.9", "an exec fault on a device pfn", steps, notes);
  let prot = accessProt(p, steps);
  if (device) {
    if (p.allowAnyUncached) {
      prot |= PROT_NORMAL_NC;
      steps.push({
        fn: "user_mem_abort()",
        text: "device and VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_NORMAL_NC (the guest's stage 1 picks Device or Normal-NC)",
      });
    } else {
      prot |= PROT_DEVICE;
      steps.push({ fn: "user_mem_abort()", text: "device without VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_DEVICE" });
    }
  } else {
    prot = dicX(p, prot, steps);
  }
  return finish("v6.9", prot, prot, device, p, steps, notes);
}

/** Era "mainline" (mmu.c @7a9479eb): s2_force_noncacheable / kvm_vma_is_cacheable / kvm_supports_cacheable_pfnmap. */
function userMemAbortMainline(p: PolicyInputs): PolicyResult {
  const steps: PolicyStep[] = [];
  const notes: string[] = [];
  const cacheable = kvmVmaIsCacheable(p.pgprot);
  const pi = pgprotInfo(p.pgprot);
  const slot = kvmArchPrepareMemoryRegion("mainline", p);
  if (slot) {
    steps.push({ fn: "kvm_arch_prepare_memory_region()", text: slot.why });
    return {
      ok: false,
      era: "mainline",
      errno: slot.errno,
      where: "kvm_arch_prepare_memory_region()",
      why: slot.why,
      effect: MEMSLOT_EFFECT,
      prot: null,
      steps,
      notes,
    };
  }
  if (p.vma === "pfnmap")
    steps.push({
      fn: "kvm_arch_prepare_memory_region()",
      text: `VM_PFNMAP memslot accepted (${cacheable ? "cacheable, and kvm_supports_cacheable_pfnmap()" : "not cacheable"})`,
    });
  steps.push({ fn: "kvm_vma_is_cacheable()", text: `vm_page_prot is ${pi.mtName}: ${cacheable ? "cacheable" : "not cacheable"}` });
  let forceNc = false;
  if (vmaPfnmapOrMixed(p.vma) && !p.pfnRam) {
    if (cacheable) {
      if (!kvmSupportsCacheablePfnmap(p)) {
        const why = `a cacheable ${p.vma === "pfnmap" ? "VM_PFNMAP" : "VM_MIXEDMAP"} pfn that is not kernel-mapped RAM has no kernel VA for cache maintenance, so it needs kvm_supports_cacheable_pfnmap() (FWB ${p.fwb ? "on" : "off"}, DIC ${p.dic ? "1" : "0"})`;
        steps.push({ fn: "user_mem_abort()", text: why });
        return { ok: false, era: "mainline", errno: -EFAULT, where: "user_mem_abort()", why, effect: RUN_EFFECT(-EFAULT), prot: null, steps, notes };
      }
      steps.push({ fn: "user_mem_abort()", text: `${pfnWords(p)} in a cacheable ${p.vma} VMA, and kvm_supports_cacheable_pfnmap(): mapped cacheable` });
    } else {
      forceNc = true;
      steps.push({ fn: "user_mem_abort()", text: `${pfnWords(p)} in a non-cacheable ${p.vma} VMA: s2_force_noncacheable` });
    }
  } else {
    steps.push({
      fn: "user_mem_abort()",
      text: vmaPfnmapOrMixed(p.vma)
        ? `${pfnWords(p)}: mapped as memory whatever the VMA's pgprot`
        : `${pfnWords(p)}; not VM_PFNMAP/VM_MIXEDMAP: mapped as memory`,
    });
  }
  if (p.access === "exec" && forceNc) return enoexec("mainline", "an exec fault on memory forced non-cacheable (s2_force_noncacheable)", steps, notes);
  let prot = accessProt(p, steps);
  if (forceNc) {
    if (p.allowAnyUncached) {
      prot |= PROT_NORMAL_NC;
      steps.push({ fn: "user_mem_abort()", text: "VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_NORMAL_NC (the guest's stage 1 picks Device or Normal-NC)" });
    } else {
      prot |= PROT_DEVICE;
      steps.push({ fn: "user_mem_abort()", text: "no VM_ALLOW_ANY_UNCACHED: KVM_PGTABLE_PROT_DEVICE" });
    }
  } else {
    prot = dicX(p, prot, steps);
  }
  return finish("mainline", prot, prot, forceNc, p, steps, notes);
}

/**
 * The memory-type policy of `era` for one fault: the prot user_mem_abort()
 * hands kvm_pgtable_stage2_map(), or the error the kernel returns (from
 * kvm_arch_prepare_memory_region(), user_mem_abort() or the map).
 */
export function userMemAbortPolicy(era: Era, p: PolicyInputs): PolicyResult {
  checkEra(era);
  checkPolicyInputs(p);
  switch (era) {
    case "pre":
      return userMemAbortPre(p);
    case "v1":
      return userMemAbortV1(p);
    case "v6.9":
      return userMemAbortV69(p);
    case "mainline":
      return userMemAbortMainline(p);
  }
}
