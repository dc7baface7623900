/**
 * Hazards of a stage-2 mapping decision, in plain words: what the policy of
 * an era, the leaf KVM writes and (when the guest's stage-1 choice is known)
 * the effective memory type imply. Each hazard is produced only by a rule
 * that fires for the inputs; none is a general warning.
 *
 *   id                       fires when                                                       source of the rule
 *   exec-noexec              user_mem_abort() returns -ENOEXEC                                 policy.ts (every era)
 *   exec-refused-by-map      stage2_set_prot_attr() refuses DEVICE|X / NORMAL_NC|X (-EINVAL)   policy.ts (v1)
 *   cacheable-pfnmap-refused cacheable PFNMAP/MIXEDMAP without kvm_supports_cacheable_pfnmap() policy.ts (mainline)
 *   no-linear-map            v1 without FWB, a pfn with no linear-map alias (-EINVAL)          policy.ts (v1)
 *   dcache-cmo               the leaf is cacheable (stage2_pte_cacheable) and FWB is off        pgtable.c map, clean_dcache_guest_page
 *   icache-inval             the leaf is executable (stage2_pte_executable) and DIC is 0        pgtable.c map, invalidate_icache_guest_page
 *   cacheable-alias          the VMA is non-cacheable but stage 2 is Normal (cacheable)        policy.ts + the leaf
 *   uncached-alias           host memory is cacheable, the guest's effective type is not WB    the combine (needs the guest's MAIR byte)
 *   wc-lost                  the guest maps Normal-NC (write-combining) and gets Device        the combine (needs the guest's MAIR byte)
 */

import { pteCacheable, pteExecutable, EFAULT, EINVAL, ENOEXEC } from "../pgtable/descriptor.js";
import type { PolicyInputs, PolicyResult } from "./policy.js";
import { kvmVmaIsCacheable, pgprotInfo } from "./vma.js";

/** A hazard's id. */
export type HazardId =
  | "exec-noexec"
  | "exec-refused-by-map"
  | "cacheable-pfnmap-refused"
  | "no-linear-map"
  | "dcache-cmo"
  | "icache-inval"
  | "cacheable-alias"
  | "uncached-alias"
  | "wc-lost";

/** A hazard of a memory-type choice: its id, what happens and why. */
export interface Hazard {
  id: HazardId;
  text: string;
}

/** "id: sentence", the form the CLI prints and --json lists. */
export function hazardString(h: Hazard): string {
  return `${h.id}: ${h.text}`;
}

/** One line per hazard kind, for the generated docs. */
export const HAZARD_GLOSSARY: ReadonlyArray<{ id: HazardId; mechanism: string; needsGuest?: boolean }> = [
  {
    id: "uncached-alias",
    mechanism:
      "The host maps the memory cacheable (a cacheable VMA, or RAM in the kernel's linear map) while the guest's effective type is Non-cacheable, Write-Through or Device: two aliases with mismatched attributes, so the guest can read stale data held in the caches and dirty lines can later overwrite its writes, unless cache maintenance (CMOs) keeps them coherent.",
    needsGuest: true,
  },
  {
    id: "cacheable-alias",
    mechanism:
      "The VMA maps the memory non-cacheable (Normal-NC or Device) but stage 2 maps it Normal, so the guest may cache what the VMM accesses uncached: the VMM can miss the guest's writes still in the caches.",
  },
  {
    id: "wc-lost",
    mechanism:
      "The guest asks for a Normal-NC (write-combining) mapping, but stage 2 is Device-nGnRE and Device wins the combine: no write gathering, no speculation, and unaligned accesses fault. The series' motivation: GPU and NIC BARs mapped with ioremap_wc() in the guest.",
    needsGuest: true,
  },
  {
    id: "dcache-cmo",
    mechanism:
      "Without FEAT_S2FWB the guest may access the page non-cacheable, so KVM cleans and invalidates it to the Point of Coherency on every fault that maps it cacheable (dcache_clean_inval_poc() via the kernel linear map); with FWB stage 2 forces Write-Back and the clean is skipped.",
  },
  {
    id: "icache-inval",
    mechanism:
      "The mapping is executable and CTR_EL0.DIC is 0: KVM invalidates the instruction cache to the Point of Unification for it (icache_inval_pou()). With DIC, KVM grants X up front and never needs to.",
  },
  {
    id: "exec-noexec",
    mechanism:
      "An instruction fetch from memory KVM maps non-cacheable (Device or Normal-NC) is refused: user_mem_abort() returns -ENOEXEC and the guest gets an abort on the fetch.",
  },
  {
    id: "exec-refused-by-map",
    mechanism:
      "The fault asks for a non-cacheable executable mapping (DEVICE|X or NORMAL_NC|X), which stage2_set_prot_attr() refuses with -EINVAL; the fault fails back to the VMM.",
  },
  {
    id: "cacheable-pfnmap-refused",
    mechanism:
      "A cacheable VM_PFNMAP/VM_MIXEDMAP VMA over memory that is not kernel-mapped RAM has no kernel alias for cache maintenance; mainline allows it only with FWB and DIC (kvm_supports_cacheable_pfnmap()), else the memslot (-EINVAL) or the fault (-EFAULT) is refused.",
  },
  {
    id: "no-linear-map",
    mechanism:
      "v1 only: without FWB, KVM's cache maintenance needs the page's linear-map alias, so a pfn without a struct page (MMIO) made the fault fail with -EINVAL, for Device mappings too.",
  },
];

/** Hazards from the policy outcome and the leaf (no guest stage 1 needed). */
export function policyHazards(p: PolicyInputs, pol: PolicyResult, leaf: { lo: number; hi: number } | null): Hazard[] {
  const out: Hazard[] = [];
  if (!pol.ok) {
    if (pol.errno === -ENOEXEC) {
      out.push({
        id: "exec-noexec",
        text: `instruction fetches from memory this era maps non-cacheable (Device or Normal-NC) are refused: the guest gets an abort on the fetch, not a mapping`,
      });
    } else if (pol.errno === -EINVAL && pol.where.startsWith("kvm_pgtable_stage2_map")) {
      out.push({
        id: "exec-refused-by-map",
        text: `the exec fault asks for a non-cacheable executable mapping, which stage2_set_prot_attr() refuses (-EINVAL): KVM_RUN fails with -EINVAL instead of the guest getting an abort`,
      });
    } else if (pol.where === "kvm_arch_prepare_memory_region()" || pol.errno === -EFAULT) {
      const atSlot = pol.where === "kvm_arch_prepare_memory_region()";
      out.push({
        id: "cacheable-pfnmap-refused",
        text: atSlot
          ? `cacheable VM_PFNMAP memory is refused at memslot creation without FWB and DIC: kvm_arch_prepare_memory_region() returns -EINVAL`
          : `the cacheable ${p.vma === "mixedmap" ? "VM_MIXEDMAP" : "VM_PFNMAP"} pfn has no kernel mapping for cache maintenance and the CPU lacks FWB and DIC: user_mem_abort() returns -EFAULT (KVM_RUN fails)`,
      });
    } else if (pol.errno === -EINVAL && pol.era === "v1") {
      out.push({
        id: "no-linear-map",
        text: `without FWB, v1 needs a linear-map alias of the pfn for cache maintenance and an MMIO pfn has none: user_mem_abort() returns -EINVAL, for a Device mapping too`,
      });
    }
    return out;
  }
  if (!leaf) return out;
  const s2Cacheable = pteCacheable(leaf.lo, p.fwb);
  if (s2Cacheable && !kvmVmaIsCacheable(p.pgprot)) {
    out.push({
      id: "cacheable-alias",
      text: `the VMA maps this ${p.pfnRam ? "RAM" : "memory"} ${pgprotInfo(p.pgprot).type} (${pgprotInfo(p.pgprot).helper}) but stage 2 maps it Normal${p.fwb ? " (FWB: forced Write-Back)" : ""}: the guest can cache memory the VMM accesses uncached`,
    });
  }
  if (s2Cacheable && !p.fwb) {
    out.push({
      id: "dcache-cmo",
      text: "no FWB: KVM cleans and invalidates the page to PoC on this fault (dcache_clean_inval_poc), because the guest may map it non-cacheable",
    });
  }
  if (pteExecutable(leaf.lo, leaf.hi) && !p.dic) {
    out.push({ id: "icache-inval", text: "the mapping is executable and CTR_EL0.DIC is 0: KVM invalidates the icache to PoU for it (icache_inval_pou)" });
  }
  return out;
}

/** The guest's effective type, classified (from the combine of its MAIR byte with the leaf). */
export interface EffectiveClass {
  /** Memory-type summary from the combine, e.g. "Device-nGnRE", "Normal-NC" (alternatives joined by " | " when open). */
  memtype: string;
  /** Every / some permitted outcome is Device. */
  allDevice: boolean;
  someDevice: boolean;
  /** Every / some permitted outcome is not Normal inner and outer Write-Back. */
  allNotWriteBack: boolean;
  someNotWriteBack: boolean;
}

/** Hazards that need the guest's stage-1 choice and the effective type. */
export function guestHazards(p: PolicyInputs, guest: { label: string; nc: boolean }, eff: EffectiveClass): Hazard[] {
  const out: Hazard[] = [];
  const hostCacheable = kvmVmaIsCacheable(p.pgprot) || p.pfnRam;
  if (hostCacheable && eff.someNotWriteBack) {
    const host = kvmVmaIsCacheable(p.pgprot) ? "the VMA maps it cacheable" : "the kernel's linear map holds it cacheable";
    out.push({
      id: "uncached-alias",
      text: `${host} but the guest's effective type ${eff.allNotWriteBack ? "is" : "may be"} ${eff.memtype}: an uncached alias of cacheable memory (stale data and lost writes without cache maintenance)`,
    });
  }
  if (guest.nc && eff.someDevice) {
    out.push({
      id: "wc-lost",
      text: `the guest maps it ${guest.label}, i.e. write-combining, but stage 2 is Device, so the effective type ${eff.allDevice ? "is" : "may be"} ${eff.memtype}: no write gathering, and unaligned accesses fault`,
    });
  }
  return out;
}
