/**
 * What KVM does with a guest's stage-2 abort: the path through
 * kvm_handle_guest_abort() (arch/arm64/kvm/mmu.c), from the registers the
 * hardware left (ESR_EL2, FAR_EL2, HPFAR_EL2) to the outcome, each decision
 * with the kernel function that makes it; and, with the stage-2 table the
 * guest faulted on, the walk of the faulting IPA, the pgtable op KVM issues
 * (map, relax_perms or mkyoung) replayed on the model, and the leaf and the
 * TLBI/CMO events it leaves.
 *
 * Sources: mmu.c @7a9479eb (the 6.17/6.18-era copy, kernel-reference.md
 * section 6; read in full): kvm_handle_guest_abort(), user_mem_abort(),
 * handle_access_fault(), kvm_handle_guest_sea(); kvm_emulate.h
 * (kvm_is_write_fault(), kvm_vcpu_trap_is_exec_fault(), kvm_vcpu_abt_issea(),
 * kvm_vcpu_trap_get_perm_fault_granule()); asm/esr.h (esr_fsc_is_*());
 * hyp/include/hyp/fault.h (__get_fault_info(): where the IPA comes from).
 * io_mem_abort() (mmio.c) is described from the 6.x patches that touch it
 * (the NISV exit, KVM_EXIT_MMIO); mmio.c itself was not read at 6.18.
 *
 *   kvm_handle_guest_abort()
 *     kvm_vcpu_abt_issea()             SEA/ECC (also on a table walk) -> kvm_handle_guest_sea(): APEI or an SError
 *     kvm_vcpu_get_fault_ipa()         HPFAR_EL2.FIPA << 12
 *     translation fault beyond the
 *       host IPA limit                 kvm_inject_size_fault()
 *       VM's IPA size                  kvm_inject_sea() (before 6.18: kvm_inject_pabt()/kvm_inject_dabt())
 *     FSC not translation/permission/access flag -> -EFAULT ("Unsupported FSC")
 *     gfn_to_hva_memslot_prot(), kvm_is_write_fault()
 *     no memslot, or a write to a read-only one:
 *       instruction abort              -ENOEXEC -> kvm_inject_sea_iabt()
 *       S1PTW                          kvm_inject_sea_dabt()
 *       cache maintenance, no memslot  kvm_incr_pc(): the instruction is skipped
 *       otherwise                      io_mem_abort(): KVM_EXIT_MMIO, KVM_EXIT_ARM_NISV or -ENOSYS
 *     access flag fault                handle_access_fault(): kvm_pgtable_stage2_mkyoung()
 *     otherwise                        user_mem_abort(): relax_perms or map (policy.ts per era)
 *
 * Per era (src/kvm/policy.ts ERAS): the memory type is the era's policy; the
 * abort path differs in the injection functions (pre/v1/v6.9 inject with
 * kvm_inject_pabt()/kvm_inject_dabt() and an SError with kvm_inject_vabt(),
 * mainline with kvm_inject_sea_*()/kvm_inject_serror(); the guest sees a
 * synchronous External abort or an SError either way) and in how the FSC is
 * classified (pre and v1: (esr & 0x3C) == FSC_FAULT/PERM/ACCESS; v6.9 and
 * later: esr_fsc_is_*(), which also takes the level -1 Translation fault).
 * The replay runs Linux 6.18.25's pgtable.c (s2pt's model) for every era.
 *
 * Not modelled: nested virtualization (the shadow stage 2), protected VMs,
 * MTE tag sanitisation, mmu_invalidate_retry() races, HWPOISON, guest_memfd,
 * memcache allocation failures.
 */

import { EAGAIN, EFAULT, ENOEXEC, ERANGE, ERRNO_NAMES, PROT_W, WALK_HANDLE_FAULT, WALK_SHARED } from "../pgtable/descriptor.js";
import { decodeS2Descriptor, protNames } from "../walker/decode.js";
import { EV_DCACHE, EV_ICACHE, eventJson, type EventJson } from "../pgtable/events.js";
import { granuleName, kvmGranuleShift, pageShiftOf, type Granule } from "../pgtable/geometry.js";
import type { KvmPgtable } from "../pgtable/pgtable.js";
import { InputError, hex, joinU64, parseByteSize } from "../pgtable/u64.js";
import { ABT, EC_CODES, ESR, ecInfo } from "../regs/esr.js";
import { farPageOffset } from "../regs/far.js";
import { fieldNum } from "../regs/field.js";
import { fscInfo, type FscInfo } from "../regs/fsc.js";
import { HPFAR, hpfarIpa } from "../regs/hpfar.js";
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_ACCESS_FLAG, FAULT_NONE, FAULT_PERMISSION } from "../walker/fault.js";
import { formatWalkReport, walkIpa64, walkReportJson, type WalkReport } from "../walker/describe.js";
import { S2Walker } from "../walker/translate.js";
import { eraInfo, userMemAbortPolicy, type CpuInputs, type Era, type FaultAccess, type PolicyInputs } from "./policy.js";
import { describeVma, type VmaInputs } from "./vma.js";
import { ArgumentError, checkBigU64, checkBool, checkFunction, checkInstance, checkObject, checkString, shown } from "../pgtable/args.js";
import { checkEra } from "./policy.js";

/** -ENOSYS: io_mem_abort() without an instruction syndrome (not in descriptor.ts's errno table, which is pgtable.c's). */
export const ENOSYS = 38;

/** "-EFAULT", "-ENOSYS", ... */
export function errName(errno: number): string {
  return `-${ERRNO_NAMES[-errno] ?? (-errno === ENOSYS ? "ENOSYS" : String(-errno))}`;
}

// ---- inputs -------------------------------------------------------------------------------

/** The registers of the abort, as a crash log or the kvm_guest_fault trace gives them. */
export interface AbortRegs {
  esr: bigint;
  /** FAR_EL2: the guest VA (null: not given). */
  far: bigint | null;
  /** HPFAR_EL2, or KVM's copy vcpu->arch.fault.hpfar_el2 (null: not given). */
  hpfar: bigint | null;
  /** The page-aligned fault IPA, as the kvm_guest_fault trace prints it (instead of hpfar): a logged 64-bit value, like the registers. */
  ipa: bigint | null;
}

/** The memslot the IPA lies in: writable, read-only (KVM_MEM_READONLY), or none (MMIO). */
export type MemslotKind = "rw" | "ro" | "none";

/** The VM and host around the fault. */
export interface AbortConfig {
  /** The host's PAGE_SIZE, which is KVM's stage-2 granule. */
  granule: Granule;
  /** The VM's IPA size (VTCR_EL2.T0SZ = 64 - iaBits). */
  iaBits: number;
  /** get_kvm_ipa_limit(): the host's PARange, clamped (geometry.ts ipaLimit()). */
  ipaLimit: number;
  /** The IPA lies in a writable memslot, a read-only one (KVM_MEM_READONLY), or in none (MMIO). */
  memslot: MemslotKind;
  /** Dirty logging on the memslot (KVM_MEM_LOG_DIRTY_PAGES). */
  dirtyLog: boolean;
  /** The VMM enabled KVM_CAP_ARM_NISV_TO_USER. */
  nisvToUser: boolean;
  /** The memslot's VMA and the pfn behind the IPA (vma.ts). */
  host: VmaInputs;
  cpu: CpuInputs;
  /**
   * vma_pagesize when the host maps the page as a block (THP, hugetlb, a
   * PFNMAP block: get_vma_page_shift() / transparent_hugepage_adjust()),
   * bytes; null: PAGE_SIZE.
   */
  mapSize: number | null;
  /** The host PA backing the faulting page, a number below 2^53 (null: the table's leaf, or an example address). */
  pa: number | null;
}

// ---- results ------------------------------------------------------------------------------

/** One decision of the abort path: the kernel function that makes it, and what it decides. */
export interface AbortStep {
  /** The kernel function that makes the decision. */
  fn: string;
  text: string;
}

/** The leaf a table holds for an IPA (its output address and level), or null. */
export type LeafLookup = (ipa: bigint) => { pa: bigint; level: number } | null;

/** How the abort ends: the guest resumes, takes an injected abort, exits to the VMM, KVM_RUN fails, the instruction is skipped, or an SEA is handled. */
export type OutcomeKind = "resume" | "inject" | "exit" | "error" | "skip" | "sea";

/** How the abort ends, in words, with the function that decides it. */
export interface AbortOutcome {
  kind: OutcomeKind;
  /** The kernel function that decides it. */
  fn: string;
  /** What happens, in words. */
  text: string;
  /** For kind "error": the negative errno KVM_RUN returns. */
  errno?: number;
}

/** The pgtable op KVM issues (kvm_pgtable_stage2_*), with its arguments. */
export interface KvmOp {
  op: "map" | "relax_perms" | "mkyoung";
  ipa: number;
  size: number;
  pa: number;
  prot: number;
  flags: number;
  /** Where the PA came from. */
  paFrom: string;
}

/** kvm_handle_guest_abort() for one era: every decision and the outcome (JSON-safe). */
export interface AbortPath {
  era: Era;
  eraTitle: string;
  /** fault_ipa as KVM computes it (page aligned, hex), or null when the path does not need it. */
  ipa: string | null;
  ipaFrom: string | null;
  steps: AbortStep[];
  outcome: AbortOutcome;
  op: KvmOp | null;
  notes: string[];
}

/** The syndrome's facts that the path uses. */
export interface AbortFacts {
  ec: number;
  isIabt: boolean;
  fsc: number;
  fi: FscInfo | null;
  s1ptw: boolean;
  wnr: boolean;
  isv: boolean;
  cm: boolean;
  fnv: boolean;
  /** kvm_is_write_fault() */
  writeFault: boolean;
  /** kvm_vcpu_trap_is_exec_fault() */
  execFault: boolean;
}

/** An AbortRegs argument: ESR_EL2 a 64-bit value, FAR_EL2, HPFAR_EL2 and the trace's IPA each one or null. */
function checkAbortRegs(v: unknown): AbortRegs {
  const r = checkObject(v, "regs");
  checkBigU64(r.esr, "regs.esr");
  for (const k of ["far", "hpfar", "ipa"] as const) if (r[k] !== null) checkBigU64(r[k], `regs.${k}`);
  return v as AbortRegs;
}

// ---- the syndrome ---------------------------------------------------------------------------

/**
 * Check that ESR_EL2 is an abort kvm_handle_guest_abort() handles (EC 0x20
 * or 0x24, from the guest) and read what the path needs; an InputError
 * naming the EC otherwise.
 */
export function abortFacts(esr: bigint): AbortFacts {
  checkBigU64(esr, "esr");
  const ec = fieldNum(esr, ESR.EC);
  if (ec !== EC_CODES.IABT_LOW && ec !== EC_CODES.DABT_LOW) {
    const info = ecInfo(ec);
    const ecText = `EC 0x${ec.toString(16).padStart(2, "0")} (${info ? info.title : "unallocated"})`;
    let why: string;
    if (ec === EC_CODES.IABT_CUR || ec === EC_CODES.DABT_CUR)
      why = "an abort taken from EL2 itself (the hypervisor's own fault), which kvm_handle_guest_abort() never sees";
    else if (info?.kvm) why = `not an abort from the guest: KVM handles it in ${info.kvm}`;
    else why = "not an abort from the guest: kvm_handle_guest_abort() handles EC 0x20 and 0x24 only";
    throw new InputError(`--esr: ${hex(esr)} has ${ecText}, ${why} (s2pt reg esr ${hex(esr)} decodes it)`);
  }
  const isIabt = ec === EC_CODES.IABT_LOW;
  const fsc = fieldNum(esr, ABT.DFSC);
  const fi = fscInfo(fsc);
  const s1ptw = fieldNum(esr, ABT.S1PTW) === 1;
  const wnr = !isIabt && fieldNum(esr, ABT.WNR) === 1;
  const perm = fi?.kind === "permission";
  // kvm_is_write_fault(): an S1PTW fault is a write only when it is a Permission fault (the hardware
  // updating AF/DBM in the guest's table); an instruction abort never; a data abort by WnR.
  const writeFault = s1ptw ? perm : isIabt ? false : wnr;
  return {
    ec,
    isIabt,
    fsc,
    fi,
    s1ptw,
    wnr,
    isv: !isIabt && fieldNum(esr, ABT.ISV) === 1,
    cm: !isIabt && fieldNum(esr, ABT.CM) === 1,
    fnv: fieldNum(esr, ABT.FNV) === 1,
    writeFault,
    execFault: isIabt && !s1ptw,
  };
}

/** kvm_vcpu_abt_issea(): EXTABT, SEA on a table walk (levels -1..3), SECC, SECC on a table walk. */
function abtIsSea(fsc: number): boolean {
  return fsc === 0x10 || (fsc >= 0x13 && fsc <= 0x17) || fsc === 0x18 || (fsc >= 0x1b && fsc <= 0x1f);
}

type FscClass = "translation" | "permission" | "access_flag" | "other";

/**
 * How the era classifies the FSC: esr_fsc_is_translation_fault() etc.
 * (v6.9 and later: exact codes, levels 0..3 plus the level -1 Translation
 * fault) or the older (esr & ESR_ELx_FSC_TYPE) == FSC_FAULT/PERM/ACCESS.
 */
function classifyFsc(era: Era, fsc: number): FscClass {
  if (era === "pre" || era === "v1") {
    const t = fsc & 0x3c;
    return t === 0x04 ? "translation" : t === 0x0c ? "permission" : t === 0x08 ? "access_flag" : "other";
  }
  if ((fsc >= 0x04 && fsc <= 0x07) || fsc === 0x2b) return "translation";
  if (fsc >= 0x0c && fsc <= 0x0f) return "permission";
  if (fsc >= 0x08 && fsc <= 0x0b) return "access_flag";
  return "other";
}

function modern(era: Era): boolean {
  return era === "mainline";
}

// ---- where the IPA comes from --------------------------------------------------------------

/**
 * __hpfar_valid() (hyp/include/hyp/fault.h, R_FKLWR): HPFAR_EL2 holds the
 * IPA for Translation, Access flag and Address size faults and for a
 * Permission fault on a stage-1 table walk; otherwise KVM translates FAR_EL2
 * with AT S1E1R (__translate_far_to_hpfar()).
 */
export function hpfarValidFor(f: AbortFacts): boolean {
  const k = f.fi?.kind;
  if (k === "translation" || k === "access_flag" || k === "address_size") return true;
  return f.s1ptw && k === "permission";
}

function faultIpa(regs: AbortRegs, f: AbortFacts): { ipa: bigint; from: string } | null {
  const atNote = hpfarValidFor(f)
    ? "HPFAR_EL2 is valid for this fault (__hpfar_valid())"
    : "HPFAR_EL2 is UNKNOWN for a Permission fault on the final access: the hypervisor's __get_fault_info() translated FAR_EL2 with AT S1E1R (__translate_far_to_hpfar()), and this is taken as that result";
  if (regs.hpfar !== null) return { ipa: hpfarIpa(regs.hpfar), from: `HPFAR_EL2 ${hex(regs.hpfar)}: FIPA << 12; ${atNote}` };
  if (regs.ipa !== null) return { ipa: regs.ipa & ~0xfffn, from: `the kvm_guest_fault trace's ipa ${hex(regs.ipa)}` };
  return null;
}

// ---- the path -------------------------------------------------------------------------------

function injectAbortFn(era: Era, iabt: boolean): string {
  return modern(era) ? (iabt ? "kvm_inject_sea_iabt()" : "kvm_inject_sea_dabt()") : iabt ? "kvm_inject_pabt()" : "kvm_inject_dabt()";
}

function accessName(f: AbortFacts): FaultAccess {
  return f.execFault ? "exec" : f.writeFault ? "write" : "read";
}

/** The host mapping sizes by their usual names (4K/16K/64K pages, their PMD and PUD blocks). */
export const MAP_SIZE_WORDS: readonly string[] = ["4k", "16k", "64k", "2m", "32m", "512m", "1g"];

/**
 * A host mapping size as a person writes it: a count of KiB, MiB or GiB
 * (4k, 2m, 1g; case-insensitive) or a byte count, 0x-prefixed hex like every
 * 64-bit value. Whether KVM maps with it depends on the granule: checkAbortConfig().
 */
export function parseMapSize(text: string, what = "--map-size"): number {
  return parseByteSize(text, what, "mapping size", 2 ** 40);
}

/** Check the inputs that do not depend on the syndrome; InputError naming the option. */
export function checkAbortConfig(c: AbortConfig): void {
  if (!Number.isInteger(c.iaBits) || c.iaBits < 32 || c.iaBits > 52) throw new InputError(`--ia-bits: ${c.iaBits} is outside 32..52`);
  if (c.iaBits > c.ipaLimit) throw new InputError(`--ia-bits: ${c.iaBits} exceeds the host's IPA limit of ${c.ipaLimit} bits (--pa-bits)`);
  if (c.mapSize !== null) {
    // PAGE_SIZE, PMD_SIZE (a level-2 block) and, with 4K pages, PUD_SIZE (level 1): KVM_PGTABLE_MIN_BLOCK_LEVEL.
    const pageShift = pageShiftOf(c.granule);
    const allowed = (c.granule === 4096 ? [3, 2, 1] : [3, 2]).map((l) => 2 ** kvmGranuleShift(pageShift, l));
    if (!allowed.includes(c.mapSize)) {
      throw new InputError(
        `--map-size: ${hex(c.mapSize)} is not a size KVM maps with a ${granuleName(c.granule)} granule (${allowed.map((s) => hex(s)).join(", ")}: PAGE_SIZE, PMD_SIZE${c.granule === 4096 ? ", PUD_SIZE" : ""})`,
      );
    }
  }
  if (c.pa !== null && (BigInt(c.pa) & BigInt(c.granule - 1)) !== 0n)
    throw new InputError(`--pa: ${hex(c.pa)} is not aligned to the ${granuleName(c.granule)} page`);
}

/**
 * kvm_handle_guest_abort() for one era: the decisions and the outcome (the
 * op KVM issues, when it issues one). `leafAt` finds the leaf a given
 * table holds at an IPA (the default PA of a map: the page already mapped
 * there).
 */
export function kvmHandleGuestAbort(era: Era, regs: AbortRegs, c: AbortConfig, leafAt: LeafLookup | null = null): AbortPath {
  checkEra(era);
  checkAbortRegs(regs);
  checkObject(c, "c");
  if (leafAt !== null) checkFunction(leafAt, "leafAt");
  const f = abortFacts(regs.esr);
  const info = eraInfo(era);
  const steps: AbortStep[] = [];
  const notes: string[] = [];
  const done = (outcome: AbortOutcome, ipa: bigint | null = null, ipaFrom: string | null = null, op: KvmOp | null = null): AbortPath => ({
    era,
    eraTitle: info.title,
    ipa: ipa === null ? null : hex(ipa),
    ipaFrom,
    steps,
    outcome,
    op,
    notes,
  });
  const far = regs.far;
  const farText = far === null ? "FAR_EL2 (not given)" : `FAR_EL2 ${hex(far)}`;
  steps.push({
    fn: "handle_exit()",
    text: `EC 0x${f.ec.toString(16)} (${f.isIabt ? "Instruction" : "Data"} Abort from a lower EL): arm_exit_handlers[] calls kvm_handle_guest_abort()`,
  });

  // 1. External aborts.
  if (abtIsSea(f.fsc)) {
    steps.push({ fn: "kvm_vcpu_abt_issea()", text: `FSC 0x${f.fsc.toString(16)} (${f.fi?.title ?? "?"}) is a synchronous External abort or ECC error` });
    const text = modern(era)
      ? "kvm_handle_guest_sea(): APEI (firmware-first RAS, apei_claim_sea()) may claim it and handle the error on the host (the guest resumes); otherwise kvm_inject_serror() makes the guest take an SError (later trees add a VMM opt-in, KVM_CAP_ARM_SEA_TO_USER and KVM_EXIT_ARM_SEA, before the SError: not modelled, the release that has it not verified)"
      : "kvm_handle_guest_sea(fault_ipa, esr): APEI may claim it; otherwise kvm_inject_vabt() makes the guest take a virtual SError";
    return done({ kind: "sea", fn: "kvm_handle_guest_sea()", text });
  }

  // 2. The fault IPA.
  const fi = faultIpa(regs, f);
  if (fi === null) {
    throw new InputError(
      hpfarValidFor(f)
        ? "--hpfar: required: kvm_handle_guest_abort() needs the fault IPA (HPFAR_EL2, or --ipa from the kvm_guest_fault trace)"
        : "--hpfar: required: for a Permission fault on the final access HPFAR_EL2 is UNKNOWN and KVM computes the IPA with AT S1E1R on FAR_EL2; give that IPA (--ipa from the kvm_guest_fault trace, or --hpfar)",
    );
  }
  const ipa = fi.ipa;
  steps.push({ fn: "kvm_vcpu_get_fault_ipa()", text: `fault_ipa ${hex(ipa)} from ${fi.from}` });
  const cls = classifyFsc(era, f.fsc);

  // 3. Translation faults outside the IPA space.
  if (cls === "translation") {
    if (ipa >= 1n << BigInt(c.ipaLimit)) {
      steps.push({
        fn: "kvm_handle_guest_abort()",
        text: `a Translation fault at ${hex(ipa)}, beyond the sanitised PARange (the IPA limit, ${c.ipaLimit} bits)`,
      });
      return done(
        {
          kind: "inject",
          fn: "kvm_inject_size_fault()",
          text: `the guest takes ${f.isIabt ? "an instruction" : "a data"} abort with an Address size fault at level 0 (FSC 0x00)`,
        },
        ipa,
        fi.from,
      );
    }
    if (ipa >= 1n << BigInt(c.iaBits)) {
      const addr = ipa | (far === null ? 0n : farPageOffset(far));
      steps.push({
        fn: "kvm_handle_guest_abort()",
        text: `a Translation fault at ${hex(ipa)}: between the VM's IPA size (${c.iaBits} bits, VTCR_EL2_IPA) and the PARange`,
      });
      return done(
        {
          kind: "inject",
          fn: modern(era) ? "kvm_inject_sea()" : injectAbortFn(era, f.isIabt),
          text: `the guest takes a synchronous External abort on the ${f.isIabt ? "instruction fetch" : "data access"} (address ${hex(addr)}: fault_ipa | FAR_EL2[11:0])`,
        },
        ipa,
        fi.from,
      );
    }
  }

  steps.push({ fn: "trace_kvm_guest_fault()", text: `ipa ${hex(ipa)}, esr ${hex(regs.esr)}, hxfar ${far === null ? "?" : hex(far)}` });

  // 4. Only translation, permission and access flag faults are handled.
  if (cls === "other") {
    steps.push({
      fn: modern(era) ? "esr_fsc_is_translation_fault() / _permission_fault() / _access_flag_fault()" : "kvm_vcpu_trap_get_fault_type()",
      text: `FSC 0x${f.fsc.toString(16)} (${f.fi?.title ?? "reserved"}) is none of them: kvm_err("Unsupported FSC: EC=%#x xFSC=%#lx ESR_EL2=%#lx")`,
    });
    if (f.fsc === 0x2b && !modern(era) && era !== "v6.9")
      notes.push(
        "the level -1 Translation fault (FEAT_LPA2) is classified only from v6.9 (esr_fsc_is_translation_fault()); KVM of this era never configured LPA2 stage 2",
      );
    return done({ kind: "error", fn: "kvm_handle_guest_abort()", text: "KVM_RUN returns -EFAULT to the VMM", errno: -EFAULT }, ipa, fi.from);
  }
  steps.push({
    fn: modern(era) ? `esr_fsc_is_${cls}_fault()` : "kvm_vcpu_trap_get_fault_type()",
    text: f.fi?.title ?? cls,
  });

  // 5. The memslot.
  const gfn = ipa >> BigInt(pageShiftOf(c.granule));
  const noSlot = c.memslot === "none";
  const writable = c.memslot === "rw";
  steps.push({
    fn: "gfn_to_hva_memslot_prot()",
    text: noSlot
      ? `gfn ${hex(gfn)} is in no memslot: kvm_is_error_hva()`
      : `gfn ${hex(gfn)} is in a ${writable ? "writable" : "read-only (KVM_MEM_READONLY)"} memslot; its backing: ${describeVma(c.host)}`,
  });
  steps.push({
    fn: "kvm_is_write_fault()",
    text: f.s1ptw
      ? `S1PTW: a write only for a Permission fault (the hardware updating AF/DBM in the guest's table): ${f.writeFault ? "write" : "read"}`
      : f.isIabt
        ? "an instruction abort: not a write"
        : `WnR = ${f.wnr ? 1 : 0}: ${f.writeFault ? "write" : "read"}`,
  });
  if (noSlot || (f.writeFault && !writable)) {
    steps.push({ fn: "kvm_handle_guest_abort()", text: noSlot ? "no memslot: the IPA is not guest RAM" : "a write to a read-only memslot" });
    if (f.isIabt) {
      steps.push({
        fn: "kvm_handle_guest_abort()",
        text: "an instruction fetch from there: -ENOEXEC (the guest put its instructions where it should not; userspace has no syndrome to act on)",
      });
      return done(
        { kind: "inject", fn: injectAbortFn(era, true), text: `the guest takes a synchronous External abort on the instruction fetch at ${farText}` },
        ipa,
        fi.from,
      );
    }
    if (f.s1ptw) {
      steps.push({
        fn: "kvm_vcpu_abt_iss1tw()",
        text: "the guest's stage-1 table walk reads there (its page tables are outside RAM, or need a hardware AF/DBM update in a read-only memslot)",
      });
      return done(
        { kind: "inject", fn: injectAbortFn(era, false), text: `the guest takes a synchronous External abort (data abort) at ${farText}` },
        ipa,
        fi.from,
      );
    }
    if (noSlot && f.cm) {
      steps.push({ fn: "kvm_vcpu_dabt_is_cm()", text: "a cache maintenance instruction outside any memslot: KVM assumes the guest is being cautious" });
      return done({ kind: "skip", fn: "kvm_incr_pc()", text: "the instruction is skipped and the guest resumes" }, ipa, fi.from);
    }
    const mmio = ipa | (far === null ? 0n : farPageOffset(far));
    steps.push({
      fn: "kvm_handle_guest_abort()",
      text: `fault_ipa |= FAR_EL2[11:0]: ${hex(mmio)}${far === null ? " (FAR_EL2 not given: offset 0 assumed)" : ""}`,
    });
    return ioMemAbort(regs, f, c, mmio, ipa, fi.from, steps, notes, era, info.title);
  }

  // 6. Access flag faults.
  if (cls === "access_flag") {
    const level = f.fsc & 3;
    steps.push({
      fn: "handle_access_fault()",
      text: `trace_kvm_access_fault(); under the read lock, kvm_pgtable_stage2_mkyoung(fault_ipa, HANDLE_FAULT | SHARED) sets AF in the level-${level} leaf`,
    });
    notes.push(
      "an Access flag fault reaches KVM only when VTCR_EL2.HA = 0 (KVM sets HA unless built without CONFIG_ARM64_HW_AFDBM or on a CPU with the AC03_CPU_38 erratum)",
    );
    const op: KvmOp = { op: "mkyoung", ipa: Number(ipa), size: 1, pa: 0, prot: 0, flags: WALK_HANDLE_FAULT | WALK_SHARED, paFrom: "-" };
    return done({ kind: "resume", fn: "handle_access_fault()", text: "the leaf is young again; the guest resumes and retries the access" }, ipa, fi.from, op);
  }

  // 7. user_mem_abort().
  return userMemAbort(era, regs, f, c, ipa, fi.from, cls === "permission", steps, notes, info.title, leafAt ? leafAt(ipa) : null);
}

function ioMemAbort(
  regs: AbortRegs,
  f: AbortFacts,
  c: AbortConfig,
  mmio: bigint,
  ipa: bigint,
  ipaFrom: string,
  steps: AbortStep[],
  notes: string[],
  era: Era,
  eraTitle: string,
): AbortPath {
  const done = (outcome: AbortOutcome): AbortPath => ({ era, eraTitle, ipa: hex(ipa), ipaFrom, steps, outcome, op: null, notes });
  if (!f.isv) {
    steps.push({
      fn: "io_mem_abort()",
      text: "ISV = 0: no instruction syndrome (a load/store pair, a post-indexed or SIMD access, ...): KVM cannot emulate the access; trace_kvm_mmio_nisv()",
    });
    if (c.nisvToUser) {
      return done({
        kind: "exit",
        fn: "io_mem_abort()",
        text: `KVM_EXIT_ARM_NISV to the VMM (KVM_CAP_ARM_NISV_TO_USER): esr_iss ${hex(regs.esr & 0x1ffn & ~0x80n)} (CM, WnR and FSC only), fault_ipa ${hex(mmio)}`,
      });
    }
    notes.push("a VMM can opt in to KVM_EXIT_ARM_NISV with KVM_CAP_ARM_NISV_TO_USER (--nisv-to-user)");
    return done({
      kind: "error",
      fn: "io_mem_abort()",
      text: 'kvm_pr_unimpl("Data abort outside memslots with no valid syndrome info"): KVM_RUN returns -ENOSYS (QEMU: "kvm run failed Function not implemented")',
      errno: -ENOSYS,
    });
  }
  const sas = fieldNum(regs.esr, ABT.SAS);
  const len = 1 << sas;
  const rt = fieldNum(regs.esr, ABT.SRT);
  const sf = fieldNum(regs.esr, ABT.SF) === 1;
  const reg = `${sf ? "X" : "W"}${rt}`;
  steps.push({
    fn: "io_mem_abort()",
    text: `ISV = 1: a ${len}-byte ${f.wnr ? `write of ${reg}` : `read into ${reg}${fieldNum(regs.esr, ABT.SSE) ? " (sign-extended)" : ""}`} (kvm_vcpu_dabt_iswrite(), kvm_vcpu_dabt_get_as(), kvm_vcpu_dabt_get_rd())`,
  });
  steps.push({
    fn: f.wnr ? "kvm_io_bus_write()" : "kvm_io_bus_read()",
    text: `KVM_MMIO_BUS at ${hex(mmio)}: an in-kernel device (the vGIC's distributor/redistributors, an ioeventfd) completes it and the PC advances`,
  });
  return done({
    kind: "exit",
    fn: "io_mem_abort()",
    text: `otherwise KVM_EXIT_MMIO to the VMM: phys_addr ${hex(mmio)}, len ${len}, is_write ${f.wnr ? 1 : 0}; the VMM emulates the device, and on the next KVM_RUN kvm_handle_mmio_return() ${f.wnr ? "" : `writes ${reg} and `}advances the PC`,
  });
}

function userMemAbort(
  era: Era,
  regs: AbortRegs,
  f: AbortFacts,
  c: AbortConfig,
  faultIpaIn: bigint,
  ipaFrom: string,
  perm: boolean,
  steps: AbortStep[],
  notes: string[],
  eraTitle: string,
  tableLeaf: { pa: bigint; level: number } | null,
): AbortPath {
  const pageSize = c.granule;
  const pageShift = pageShiftOf(c.granule);
  const level = f.fsc & 3;
  const faultGranule = perm ? 2 ** kvmGranuleShift(pageShift, level) : 0;
  let faultIpa = faultIpaIn;
  const done = (outcome: AbortOutcome, op: KvmOp | null = null): AbortPath => ({ era, eraTitle, ipa: hex(faultIpaIn), ipaFrom, steps, outcome, op, notes });
  if (perm) steps.push({ fn: "kvm_vcpu_trap_get_perm_fault_granule()", text: `a Permission fault at level ${level}: fault_granule ${hex(faultGranule)}` });
  steps.push({
    fn: "user_mem_abort()",
    text: `write_fault ${f.writeFault ? 1 : 0} (kvm_is_write_fault()), exec_fault ${f.execFault ? 1 : 0} (kvm_vcpu_trap_is_exec_fault(): an instruction abort not on a table walk)`,
  });

  // The mapping size.
  const forcePte = c.dirtyLog;
  let vmaPagesize = forcePte ? pageSize : (c.mapSize ?? pageSize);
  if (forcePte) steps.push({ fn: "user_mem_abort()", text: "dirty logging (memslot_is_logging()): force_pte, PAGE_SIZE mappings" });
  else if (c.mapSize !== null)
    steps.push({ fn: "get_vma_page_shift() / transparent_hugepage_adjust()", text: `the host maps it with ${hex(vmaPagesize)} (--map-size)` });

  // The memory type, per era (policy.ts).
  const p: PolicyInputs = { ...c.host, ...c.cpu, access: accessName(f) };
  const pol = userMemAbortPolicy(era, p);
  for (const s of pol.steps) steps.push({ fn: s.fn, text: s.text });
  notes.push(...pol.notes);
  if (!pol.ok) {
    if (pol.errno === -ENOEXEC) {
      return done({
        kind: "inject",
        fn: injectAbortFn(era, true),
        text: `user_mem_abort() returns -ENOEXEC (${pol.why}): the guest takes a synchronous External abort on the instruction fetch at ${regs.far === null ? "FAR_EL2" : hex(regs.far)}`,
      });
    }
    return done({ kind: "error", fn: pol.where, text: `${errName(pol.errno)}: ${pol.why}; ${pol.effect}`, errno: pol.errno });
  }
  const forceNc = pol.nonCacheable;
  let prot = pol.prot;
  if (c.memslot === "ro" && prot & PROT_W) {
    prot &= ~PROT_W;
    steps.push({ fn: "__kvm_faultin_pfn()", text: "a read-only memslot: writable = false, no KVM_PGTABLE_PROT_W" });
  } else if (c.dirtyLog && !f.writeFault && !forceNc && prot & PROT_W) {
    prot &= ~PROT_W;
    steps.push({
      fn: "user_mem_abort()",
      text: "dirty logging and a read fault: writable = false (mapped writable only on a write fault, which marks the page dirty)",
    });
  }
  if (f.writeFault && c.dirtyLog) steps.push({ fn: "mark_page_dirty_in_slot()", text: "the page is marked dirty once the fault is handled" });

  // The size: a permission fault on a block relaxes the block; THP may upgrade a page.
  if (vmaPagesize === pageSize && !(forcePte || forceNc) && perm && faultGranule > pageSize) {
    vmaPagesize = faultGranule;
    steps.push({ fn: "user_mem_abort()", text: `a Permission fault on a ${hex(faultGranule)} block: vma_pagesize = fault_granule` });
  }
  if (vmaPagesize > pageSize) faultIpa &= ~BigInt(vmaPagesize - 1);

  // The PA.
  let pa: bigint;
  let paFrom: string;
  if (c.pa !== null) {
    pa = BigInt(c.pa) & ~BigInt(vmaPagesize - 1);
    paFrom = `--pa ${hex(c.pa)}${pa !== BigInt(c.pa) ? ` aligned down to ${hex(vmaPagesize)}` : ""}`;
  } else if (tableLeaf !== null) {
    const leafSize = 2n ** BigInt(kvmGranuleShift(pageShift, tableLeaf.level));
    pa = (tableLeaf.pa & ~(leafSize - 1n)) + (faultIpa & (leafSize - 1n) & ~BigInt(vmaPagesize - 1));
    paFrom = "the leaf the table already holds for this IPA";
  } else {
    pa = 0x80000000n;
    paFrom = "an example address (--pa gives the host page)";
  }

  const flags = WALK_HANDLE_FAULT | WALK_SHARED;
  if (perm && vmaPagesize === faultGranule) {
    steps.push({
      fn: "kvm_pgtable_stage2_relax_perms()",
      text: `a Permission fault and vma_pagesize == fault_granule: relax_perms(${hex(faultIpaIn)}, ${protNames(prot)}, HANDLE_FAULT | SHARED) adds the missing permissions to the existing leaf`,
    });
    const op: KvmOp = { op: "relax_perms", ipa: Number(faultIpaIn), size: faultGranule, pa: Number(pa), prot, flags, paFrom };
    return done({ kind: "resume", fn: "user_mem_abort()", text: "0 (1 to the run loop): the guest resumes and retries the access" }, op);
  }
  steps.push({
    fn: "kvm_pgtable_stage2_map()",
    text: `map(${hex(faultIpa)}, ${hex(vmaPagesize)}, ${hex(pa)}, ${protNames(prot)}, memcache, HANDLE_FAULT | SHARED)${perm ? " (a Permission fault whose mapping size changes: a new leaf, not relax_perms)" : ""}`,
  });
  const op: KvmOp = { op: "map", ipa: Number(faultIpa), size: vmaPagesize, pa: Number(pa), prot, flags, paFrom };
  return done(
    {
      kind: "resume",
      fn: "user_mem_abort()",
      text: "0 (1 to the run loop; -EAGAIN from a racing vCPU also becomes 0): the guest resumes and retries the access",
    },
    op,
  );
}

// ---- the table ------------------------------------------------------------------------------

/**
 * Where the stage-2 table the guest faulted on comes from: a scenario's
 * final table (FORMAT.md), and later a memory image. Each load() returns a
 * fresh copy (each era's op is replayed on its own).
 */
export interface TableSource {
  /** Where the table comes from, for output. */
  describe: string;
  /** A fresh copy of the table. */
  load(): KvmPgtable;
}

/** A walk of the faulting IPA, and whether it takes the fault the ESR reports. */
export interface WalkSummary {
  report: WalkReport;
  /** Text of the walk (formatWalkReport). */
  text: string;
  /** Does the walk's fault agree with the ESR (type and level), or not; null if the walk succeeds. */
  agrees: boolean | null;
  why: string;
}

/** The op of an abort path replayed on a table: the walk before and after, the op's result and events. */
export interface AbortReplay {
  table: string;
  /** The table's FWB and the CPU's DIC (whether mmu.c's CMO callbacks do anything). */
  fwb: boolean;
  dic: boolean;
  before: WalkSummary;
  op: { op: KvmOp; ret: number; retName: string; events: EventJson[]; dcache: boolean; icache: boolean } | null;
  /** What the reader should notice about the op's effect. */
  notes: string[];
  /** The leaf at the faulting IPA after the op (null: none), decoded. */
  leafAfter: { level: number; descriptor: string; summary: string } | null;
  after: WalkSummary | null;
  /** The table is a memory image's: walked, the op not replayed (no kernel state to replay it on). */
  image?: boolean;
}

/** The access the walk repeats: the instruction fetch, the data access, or the table walk's read (write for a hardware update). */
export function faultAccess(f: AbortFacts): number {
  if (f.s1ptw) return f.wnr ? ACCESS_WRITE : ACCESS_READ;
  if (f.isIabt) return ACCESS_EXEC;
  return f.wnr ? ACCESS_WRITE : ACCESS_READ;
}

function walkSummary(w: S2Walker, ipa: bigint, f: AbortFacts): WalkSummary {
  const report = walkIpa64(w, ipa, faultAccess(f), 1);
  const text = formatWalkReport(w, report);
  if (!report.fault) return { report, text, agrees: null, why: "the access succeeds on this table" };
  const wantType = f.fi?.kind;
  const gotType = report.fault.type;
  const agrees = wantType === gotType && f.fi?.level === report.fault.level;
  return {
    report,
    text,
    agrees,
    why: agrees
      ? `the walk takes the fault the ESR reports (${report.fault.title}, level ${report.fault.level})`
      : `the walk takes a ${report.fault.title} at level ${report.fault.level}, the ESR reports ${f.fi ? f.fi.title : "another fault"}`,
  };
}

/** The leaf the table holds for `ipa` (kvm_pgtable_get_leaf), or null. */
export function tableLeafAt(pgt: KvmPgtable, ipa: bigint): { pa: bigint; level: number; lo: number; hi: number } | null {
  if (ipa >= 1n << BigInt(pgt.geom.iaBits)) return null;
  const r = pgt.getLeafFast(Number(ipa));
  if (r !== 0 || !(pgt.leafLo & 1)) return null;
  const d = decodeS2Descriptor(joinU64(pgt.leafLo, pgt.leafHi), { granule: pgt.geom.granule, level: pgt.leafLevel, lpa2: pgt.geom.lpa2, fwb: pgt.fwb });
  if (d.oa === null || (d.kind !== "block" && d.kind !== "page")) return null;
  return { pa: BigInt(d.oa), level: pgt.leafLevel, lo: pgt.leafLo, hi: pgt.leafHi };
}

/**
 * The leaf a memory image's walker finds for `ipa` (the kvm_pgtable_get_leaf()
 * of abort paths over an image): the valid leaf a read walks to, also when the
 * read takes a Permission or Access flag fault on it; null otherwise.
 */
export function imageLeafAt(w: S2Walker, ipa: bigint): { pa: bigint; level: number; lo: number; hi: number } | null {
  checkInstance(w, "w", S2Walker, "an S2Walker");
  checkBigU64(ipa, "ipa");
  if (ipa >= 1n << BigInt(w.pgt.geom.iaBits)) return null;
  const r = w.translate(Number(ipa), ACCESS_READ, 1);
  if (!(r === FAULT_NONE || r === FAULT_PERMISSION || r === FAULT_ACCESS_FLAG)) return null;
  const g = w.pgt.geom;
  const d = decodeS2Descriptor(joinU64(w.descLo, w.descHi), { granule: g.granule, level: w.level, lpa2: g.lpa2, fwb: w.pgt.fwb, paBits: g.paBits });
  if (d.oa === null || (d.kind !== "block" && d.kind !== "page")) return null;
  return { pa: BigInt(d.oa), level: w.level, lo: w.descLo, hi: w.descHi };
}

/** The walk of the faulting IPA over a memory image (`describe` names it); the op KVM would issue is not replayed. */
export function walkAbortOnImage(path: AbortPath, regs: AbortRegs, walker: S2Walker, describe: string, dic = false): AbortReplay {
  checkObject(path, "path");
  checkAbortRegs(regs);
  checkInstance(walker, "walker", S2Walker, "an S2Walker");
  checkString(describe, "describe");
  checkBool(dic, "dic");
  const f = abortFacts(regs.esr);
  if (path.ipa === null) throw new Error("walkAbortOnImage: the path has no fault IPA");
  const faultIpa = BigInt(path.ipa);
  const walkAddr = !f.s1ptw && regs.far !== null ? faultIpa | farPageOffset(regs.far) : faultIpa;
  const notes = path.op ? ["not replayed: a memory image holds the tables but none of the kernel's state (refcounts, memory cache) to run the op on"] : [];
  return { table: describe, fwb: walker.pgt.fwb, dic, before: walkSummary(walker, walkAddr, f), op: null, notes, leafAfter: null, after: null, image: true };
}

/** The walk of the faulting IPA, the op replayed on a fresh copy of the table, and the walk again. */
export function replayAbort(path: AbortPath, regs: AbortRegs, src: TableSource, ha: boolean, dic = false): AbortReplay {
  checkObject(path, "path");
  checkAbortRegs(regs);
  checkFunction(checkObject(src, "src").load, "src.load");
  checkBool(ha, "ha");
  checkBool(dic, "dic");
  const f = abortFacts(regs.esr);
  const pgt = src.load();
  if (path.ipa === null) throw new Error("replayAbort: the path has no fault IPA");
  const faultIpa = BigInt(path.ipa);
  const walkAddr = !f.s1ptw && regs.far !== null ? faultIpa | farPageOffset(regs.far) : faultIpa;
  // An Access flag fault means VTCR_EL2.HA = 0; otherwise the walker runs as KVM configures it.
  const walker = new S2Walker(pgt, { ha: f.fi?.kind === "access_flag" ? false : ha });
  const before = walkSummary(walker, walkAddr, f);
  const leafBefore = tableLeafAt(pgt, faultIpa);
  const notes: string[] = [];
  let op: AbortReplay["op"] = null;
  if (path.op) {
    const o = path.op;
    const log = pgt.log;
    const first = log.length;
    // user_mem_abort() tops the memcache up to kvm_mmu_cache_min_pages() (levels - 1) before a map.
    pgt.store.memcache = Math.max(pgt.store.memcache, pgt.geom.levels - 1);
    let ret = 0;
    // A fault IPA beyond the IPA space (a hand-given --ipa/--hpfar: no memslot is there on a real VM) is the
    // kernel's -ERANGE from _kvm_pgtable_walk() (mkyoung ignores it), not a call: at or above 2^53 it is not
    // an address the library takes (it was refused as "addr: 18446744073709548000 ...").
    if (faultIpa >= 1n << BigInt(pgt.geom.iaBits)) ret = o.op === "mkyoung" ? 0 : -ERANGE;
    else if (o.op === "map") ret = pgt.map(o.ipa, o.size, o.pa, o.prot, o.flags);
    else if (o.op === "relax_perms") ret = pgt.relaxPerms(o.ipa, o.prot, o.flags);
    else pgt.mkyoung(o.ipa, o.flags);
    const events: EventJson[] = [];
    let dcache = false;
    let icache = false;
    for (let i = first; i < log.length; i++) {
      const k = log.kindAt(i);
      if (k === EV_DCACHE) dcache = true;
      if (k === EV_ICACHE) icache = true;
      events.push(eventJson(k, log.aAt(i), log.bAt(i)));
    }
    log.length = first;
    const retName = ret === 0 ? "0" : `${errName(ret)}${ret === -EAGAIN ? " (user_mem_abort() turns it into 0)" : ""}`;
    op = { op: o, ret, retName, events, dcache, icache };
    if (o.op === "map" && leafBefore) {
      const blockSize = 2 ** kvmGranuleShift(pgt.geom.pageShift, leafBefore.level);
      if (blockSize > o.size) {
        notes.push(
          `the map replaced the level-${leafBefore.level} block with a table holding this ${hex(o.size)} leaf only: pgtable.c does not split the block, so the rest of the ${hex(blockSize)} block is unmapped and faults again (KVM's eager split, kvm_mmu_split_huge_pages(), avoids that when dirty logging starts)`,
        );
      }
    }
  }
  const leaf = tableLeafAt(pgt, faultIpa);
  const leafAfter = leaf
    ? (() => {
        const v = joinU64(leaf.lo, leaf.hi);
        const d = decodeS2Descriptor(v, { granule: pgt.geom.granule, level: leaf.level, lpa2: pgt.geom.lpa2, fwb: pgt.fwb });
        return { level: leaf.level, descriptor: hex(v), summary: d.summary };
      })()
    : null;
  const after = path.op ? walkSummary(new S2Walker(pgt, { ha }), walkAddr, f) : null;
  return { table: src.describe, fwb: pgt.fwb, dic, before, op, notes, leafAfter, after };
}

// ---- output ---------------------------------------------------------------------------------

export function opText(o: KvmOp): string {
  if (o.op === "mkyoung") return `kvm_pgtable_stage2_mkyoung(${hex(o.ipa)}, HANDLE_FAULT|SHARED)`;
  if (o.op === "relax_perms") return `kvm_pgtable_stage2_relax_perms(${hex(o.ipa)}, ${protNames(o.prot)}, HANDLE_FAULT|SHARED)`;
  return `kvm_pgtable_stage2_map(${hex(o.ipa)}, ${hex(o.size)}, ${hex(o.pa)}, ${protNames(o.prot)}, HANDLE_FAULT|SHARED)`;
}

export function opJson(o: KvmOp): Record<string, unknown> {
  const out: Record<string, unknown> = { op: o.op, ipa: hex(o.ipa), flags: "HANDLE_FAULT|SHARED" };
  if (o.op === "map") Object.assign(out, { size: hex(o.size), pa: hex(o.pa), pa_from: o.paFrom, prot: protNames(o.prot) });
  if (o.op === "relax_perms") out.prot = protNames(o.prot);
  return out;
}

/** An AbortPath argument as kvmHandleGuestAbort() makes it (its steps, outcome and notes read below), and an AbortReplay or null. */
function checkAbortPathArgs(p: unknown, r: unknown): void {
  const o = checkObject(p, "p");
  checkEra(o.era, "p.era");
  if (!Array.isArray(o.steps) || !Array.isArray(o.notes) || typeof o.outcome !== "object" || o.outcome === null)
    throw new ArgumentError("p", `${shown(p)} is not an AbortPath (kvmHandleGuestAbort() makes one)`);
  if (r === null) return;
  const x = checkObject(r, "r");
  if (typeof x.before !== "object" || x.before === null || !Array.isArray(x.notes))
    throw new ArgumentError("r", `${shown(r)} is not an AbortReplay (replayAbort() makes one), nor null`);
}

/** An abort path as `s2pt fault --json` prints it. */
export function abortPathJson(p: AbortPath, r: AbortReplay | null): Record<string, unknown> {
  checkAbortPathArgs(p, r);
  return {
    era: p.era,
    title: p.eraTitle,
    fault_ipa: p.ipa,
    ipa_from: p.ipaFrom,
    steps: p.steps.map((s) => `${s.fn}: ${s.text}`),
    outcome: {
      kind: p.outcome.kind,
      fn: p.outcome.fn,
      text: p.outcome.text,
      ...(p.outcome.errno !== undefined ? { errno: p.outcome.errno, name: errName(p.outcome.errno).slice(1) } : {}),
    },
    op: p.op ? opJson(p.op) : null,
    replay: r
      ? {
          table: r.table,
          before: { walk: walkReportJson(r.before.report), agrees_with_esr: r.before.agrees, why: r.before.why },
          op: r.op ? { ret: r.op.ret, events: r.op.events } : null,
          leaf_after: r.leafAfter,
          after: r.after ? { walk: walkReportJson(r.after.report), fault: r.after.report.fault?.type ?? null } : null,
          notes: r.notes,
        }
      : null,
    notes: p.notes,
  };
}

function indent(s: string, by = "    "): string {
  return s
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");
}

/** One era's path as text (the replay, when given, under it). */
export function formatAbortPath(p: AbortPath, r: AbortReplay | null): string {
  checkAbortPathArgs(p, r);
  const out = [`era ${p.era}: ${p.eraTitle}`];
  for (const s of p.steps) out.push(`  ${s.fn}: ${s.text}`);
  const errno = p.outcome.errno !== undefined ? ` [${errName(p.outcome.errno)}]` : "";
  out.push(`  => ${p.outcome.fn}: ${p.outcome.text}${errno}`);
  if (p.op) out.push(`  op: ${opText(p.op)}${p.op.op === "map" ? `  (PA from ${p.op.paFrom})` : ""}`);
  if (r) {
    out.push("", `  the walk of the faulting IPA on ${r.table}:`, indent(r.before.text), `    ${r.before.agrees === false ? "! " : ""}${r.before.why}`);
    if (r.op) {
      out.push(`  ${opText(r.op.op)} on the model (Linux 6.18.25 pgtable.c): ret ${r.op.retName}`);
      out.push(`    events: ${r.op.events.length ? r.op.events.map((e) => JSON.stringify(e)).join(", ") : "none"}`);
      if (r.op.dcache)
        out.push(
          `    (dcache: pgtable.c asks for a clean to PoC of every new cacheable leaf; mmu.c's clean_dcache_guest_page() does it only without FWB${r.fwb ? ": FWB is on, a no-op" : ""})`,
        );
      if (r.op.icache)
        out.push(`    (icache: the leaf became executable; invalidate_icache_guest_page() invalidates to PoU${r.dic ? " (CTR_EL0.DIC: a no-op)" : ""})`);
    }
    for (const n of r.notes) out.push(`    note: ${n}`);
    if (!r.image) out.push(`    leaf now: ${r.leafAfter ? `${r.leafAfter.descriptor} at level ${r.leafAfter.level}: ${r.leafAfter.summary}` : "none"}`);
    if (r.after) {
      const a = r.after.report;
      out.push(
        `    the access again: ${a.result ? `PA ${a.result.pa} (level-${a.result.level} ${a.result.kind})` : a.fault ? `${a.fault.title}, level ${a.fault.level}` : "?"}`,
      );
    }
  }
  for (const n of p.notes) out.push(`  note: ${n}`);
  return out.join("\n");
}

/** The inputs in a few lines (the CLI prints them once, above the eras). */
export function abortInputLines(regs: AbortRegs, c: AbortConfig): string[] {
  const f = abortFacts(regs.esr);
  const lines = [
    `ESR_EL2 ${hex(regs.esr)}: ${f.isIabt ? "Instruction" : "Data"} Abort from the guest, ${f.fi ? f.fi.title : `reserved FSC 0x${f.fsc.toString(16)}`}${f.isIabt ? "" : f.wnr ? ", WnR 1" : ", WnR 0"}${f.s1ptw ? ", S1PTW 1" : ""}${f.isv ? ", ISV 1" : ", ISV 0"}${f.cm ? ", CM 1" : ""}`,
  ];
  lines.push(
    `FAR_EL2 ${regs.far === null ? "not given" : hex(regs.far)}${f.fnv ? " (FnV = 1: not valid)" : ""}; HPFAR_EL2 ${regs.hpfar === null ? (regs.ipa === null ? "not given" : `not given (ipa ${hex(regs.ipa)})`) : `${hex(regs.hpfar)}${fieldNum(regs.hpfar, HPFAR.NS) ? " (NS: KVM's valid marker)" : ""}`}`,
  );
  lines.push(
    `VM: ${granuleName(c.granule)} pages, ${c.iaBits}-bit IPA (host IPA limit ${c.ipaLimit}); memslot ${c.memslot === "none" ? "none (MMIO)" : c.memslot === "ro" ? "read-only" : "writable"}${c.dirtyLog ? ", dirty logging" : ""}; FWB ${c.cpu.fwb ? "on" : "off"}, CTR_EL0.DIC ${c.cpu.dic ? 1 : 0}`,
  );
  if (c.memslot !== "none") lines.push(`host: ${describeVma(c.host)}${c.mapSize !== null ? `; mapped with ${hex(c.mapSize)}` : ""}`);
  return lines;
}
