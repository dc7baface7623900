/**
 * The host side of a guest memory fault: the VMA the memslot's HVA lands in
 * and the page frame behind it, as user_mem_abort() (arch/arm64/kvm/mmu.c)
 * sees them.
 *
 *   VMA kind   vm_flags                 what backs it                    pfn_is_map_memory(pfn)
 *   anon       (none of the two)        anonymous pages                  always (RAM)
 *   file       (none of the two)        page cache pages (RAM), or       RAM: yes
 *                                       ZONE_DEVICE memory (fsdax on     io: no (struct pages and a
 *                                       pmem, CXL)                       linear-map alias, not memblock)
 *   pfnmap     VM_PFNMAP                remap_pfn_range(): MMIO BARs     io: no (MMIO, no struct page)
 *                                       (vfio-pci), /dev/mem, RAM        ram: yes
 *   mixedmap   VM_MIXEDMAP              vm_insert_page()/_mixed()        as pfnmap
 *
 * vm_page_prot's AttrIndx selects the host stage-1 memory type (MT_* of
 * asm/memory.h, an index into MAIR_EL1, not a MAIR byte):
 *
 *   --pgprot     MAIR index                Linux helper                    kvm_vma_is_cacheable()
 *   cacheable    MT_NORMAL (0)             PAGE_SHARED and friends         true
 *   tagged       MT_NORMAL_TAGGED (1)      PROT_MTE                        true
 *   wc, nc       MT_NORMAL_NC (2)          pgprot_writecombine()           false
 *   noncached    MT_DEVICE_nGnRnE (3)      pgprot_noncached() (vfio-pci)   false
 *   device       MT_DEVICE_nGnRE (4)       pgprot_device()                 false
 *
 * Note that on arm64 pgprot_noncached() is Device-nGnRnE, not Normal-NC;
 * "nc" here is the Normal-NC type pgprot_writecombine() gives.
 */

import { InputError } from "../pgtable/u64.js";
import { ArgumentError, checkBool, checkObject, checkOneOf, shown } from "../pgtable/args.js";

/** Linux host stage-1 memory type indices (asm/memory.h MT_*), the AttrIndx of a pgprot. */
export const MT_NORMAL = 0;
export const MT_NORMAL_TAGGED = 1;
export const MT_NORMAL_NC = 2;
export const MT_DEVICE_nGnRnE = 3;
export const MT_DEVICE_nGnRE = 4;

/** The kind of host VMA backing a memslot: anonymous, file, VM_PFNMAP, VM_MIXEDMAP. */
export type VmaKind = "anon" | "file" | "pfnmap" | "mixedmap";
export const VMA_KINDS: readonly VmaKind[] = ["anon", "file", "pfnmap", "mixedmap"];

/** A VMA kind in words. */
export interface VmaKindInfo {
  kind: VmaKind;
  flags: string;
  /** What backs it, and what --pfn io means for it. */
  backing: string;
}

/** Every VMA kind in words. */
export const VMA_KIND_INFO: readonly VmaKindInfo[] = [
  { kind: "anon", flags: "-", backing: "anonymous pages: always RAM (--pfn io is refused); pgprot always cacheable" },
  {
    kind: "file",
    flags: "-",
    backing:
      "page cache (RAM); --pfn io: ZONE_DEVICE memory such as fsdax on persistent memory or CXL (struct pages and a linear-map alias, but not memblock RAM); pgprot always cacheable",
  },
  {
    kind: "pfnmap",
    flags: "VM_PFNMAP",
    backing: "remap_pfn_range(): --pfn io is MMIO without struct page (a PCI BAR through vfio-pci); --pfn ram is RAM remapped by a driver or /dev/mem",
  },
  { kind: "mixedmap", flags: "VM_MIXEDMAP", backing: "vm_insert_page()/vmf_insert_mixed(): as pfnmap; no memslot-time check in mainline" },
];

/** The VMA's page protection (pgprot): cacheable, write-combine, non-cacheable, device. */
export type VmaPgprot = "cacheable" | "tagged" | "wc" | "noncached" | "device";

/** A pgprot: its MAIR attribute and what it means. */
export interface PgprotInfo {
  name: VmaPgprot;
  /** Other spellings accepted on the command line. */
  aliases: readonly string[];
  /** MT_* index in vm_page_prot's AttrIndx. */
  mtIndex: number;
  mtName: string;
  /** The Linux helper that produces it. */
  helper: string;
  /** Short memory type, for tables. */
  type: string;
}

/** Every pgprot, by name. */
export const PGPROTS: readonly PgprotInfo[] = [
  { name: "cacheable", aliases: ["normal", "wb"], mtIndex: MT_NORMAL, mtName: "MT_NORMAL", helper: "PAGE_SHARED, a normal mmap", type: "Normal-WB" },
  { name: "tagged", aliases: [], mtIndex: MT_NORMAL_TAGGED, mtName: "MT_NORMAL_TAGGED", helper: "PROT_MTE", type: "Normal-WB tagged" },
  {
    name: "wc",
    aliases: ["nc", "normal-nc", "writecombine"],
    mtIndex: MT_NORMAL_NC,
    mtName: "MT_NORMAL_NC",
    helper: "pgprot_writecombine()",
    type: "Normal-NC",
  },
  {
    name: "noncached",
    aliases: ["device-ngnrne"],
    mtIndex: MT_DEVICE_nGnRnE,
    mtName: "MT_DEVICE_nGnRnE",
    helper: "pgprot_noncached(), as vfio-pci maps BARs",
    type: "Device-nGnRnE",
  },
  { name: "device", aliases: ["device-ngnre"], mtIndex: MT_DEVICE_nGnRE, mtName: "MT_DEVICE_nGnRE", helper: "pgprot_device()", type: "Device-nGnRE" },
];

export function pgprotInfo(p: VmaPgprot): PgprotInfo {
  const i = PGPROTS.find((x) => x.name === p);
  if (!i) throw new ArgumentError("pgprot", `${shown(p)} is not one of ${PGPROTS.map((x) => x.name).join(", ")}`);
  return i;
}

/** A VmaInputs argument (or the VMA fields of a PolicyInputs): every field of its type (ArgumentError otherwise). */
export function checkVmaInputs(v: unknown, arg = "v"): VmaInputs {
  const o = checkObject(v, arg);
  checkOneOf(o.vma, `${arg}.vma`, VMA_KINDS);
  checkOneOf(
    o.pgprot,
    `${arg}.pgprot`,
    PGPROTS.map((x) => x.name),
  );
  checkBool(o.allowAnyUncached, `${arg}.allowAnyUncached`);
  checkBool(o.pfnRam, `${arg}.pfnRam`);
  return o as unknown as VmaInputs;
}

/**
 * kvm_vma_is_cacheable() (mainline mmu.c): false for MT_NORMAL_NC,
 * MT_DEVICE_nGnRnE and MT_DEVICE_nGnRE, true for anything else. The v1
 * series' mapping_type() test picked out the same three indices.
 */
export function kvmVmaIsCacheable(p: VmaPgprot): boolean {
  const mt = pgprotInfo(p).mtIndex;
  return !(mt === MT_NORMAL_NC || mt === MT_DEVICE_nGnRnE || mt === MT_DEVICE_nGnRE);
}

/** The VMA, the page behind the faulting address, and how the guest touched it. */
export interface VmaInputs {
  vma: VmaKind;
  /** vm_page_prot's memory type (anon and file VMAs are always "cacheable"). */
  pgprot: VmaPgprot;
  /** VM_ALLOW_ANY_UNCACHED in vm_flags (vfio-pci sets it on BAR mmaps, v6.9+). */
  allowAnyUncached: boolean;
  /** pfn_is_map_memory(pfn): the pfn is memblock RAM in the kernel's linear map. */
  pfnRam: boolean;
}

/** VM_PFNMAP or VM_MIXEDMAP in vm_flags. */
export function vmaPfnmapOrMixed(k: VmaKind): boolean {
  return k === "pfnmap" || k === "mixedmap";
}

/**
 * Whether the page has a struct page whose linear-map address is the one
 * kvm_host_va() computes (the v1 series' "pfn_valid(pfn) &&
 * page_to_virt(pfn_to_page(pfn)) == kvm_host_va(PFN_PHYS(pfn))"): RAM has;
 * ZONE_DEVICE memory behind a file VMA (fsdax, CXL) has; an MMIO pfn in a
 * PFNMAP/MIXEDMAP VMA has no struct page. A modelling assumption stated in
 * docs/kvm-memory-types.md.
 */
export function pfnHasLinearMap(v: VmaInputs): boolean {
  return v.pfnRam || v.vma === "file";
}

/** One line naming the VMA and pfn, for output. */
export function describeVma(v: VmaInputs): string {
  const p = pgprotInfo(v.pgprot);
  const flags = v.vma === "pfnmap" ? "VM_PFNMAP" : v.vma === "mixedmap" ? "VM_MIXEDMAP" : null;
  const parts = [`${v.vma} VMA${flags ? ` (${flags})` : ""}`, `pgprot ${v.pgprot} (${p.mtName}, ${p.helper})`];
  if (v.allowAnyUncached) parts.push("VM_ALLOW_ANY_UNCACHED");
  parts.push(
    v.pfnRam
      ? "pfn is RAM (pfn_is_map_memory)"
      : v.vma === "file"
        ? "pfn is not memblock RAM (ZONE_DEVICE: fsdax, CXL)"
        : "pfn is IO (not pfn_is_map_memory, no struct page)",
  );
  return parts.join(", ");
}

/** Parse --pgprot (names and aliases, case-insensitive). */
export function parsePgprot(text: string, what = "--pgprot"): VmaPgprot {
  const t = text.trim().toLowerCase();
  for (const p of PGPROTS) if (p.name === t || p.aliases.includes(t)) return p.name;
  throw new InputError(`${what}: '${text}' is not one of ${PGPROTS.map((p) => [p.name, ...p.aliases].join("/")).join(", ")}`);
}

/** Parse --vma. */
export function parseVmaKind(text: string, what = "--vma"): VmaKind {
  const t = text.trim().toLowerCase() as VmaKind;
  if (VMA_KINDS.includes(t)) return t;
  throw new InputError(`${what}: '${text}' is not one of ${VMA_KINDS.join(", ")}`);
}

/**
 * Build the VMA inputs from what the user gave, refusing combinations no
 * kernel VMA has: an anon or file VMA with a --pgprot (their pgprot is always
 * cacheable) or VM_ALLOW_ANY_UNCACHED (set only by drivers on PFNMAP BAR
 * mmaps), an anon VMA over a non-RAM pfn. Defaults: pgprot device for
 * pfnmap/mixedmap, cacheable otherwise; pfn io for pfnmap/mixedmap, RAM otherwise.
 */
export function vmaInputs(vma: VmaKind, pgprot: VmaPgprot | undefined, allowAnyUncached: boolean, pfn: "ram" | "io" | undefined): VmaInputs {
  checkOneOf(vma, "vma", VMA_KINDS);
  if (pgprot !== undefined)
    checkOneOf(
      pgprot,
      "pgprot",
      PGPROTS.map((x) => x.name),
    );
  checkBool(allowAnyUncached, "allowAnyUncached");
  if (pfn !== undefined) checkOneOf(pfn, "pfn", ["ram", "io"] as const);
  const driverVma = vmaPfnmapOrMixed(vma);
  if (!driverVma && pgprot !== undefined) {
    throw new InputError(
      `--pgprot: ${vma === "anon" ? "an" : "a"} ${vma} VMA is always mapped cacheable (${vma === "anon" ? "anonymous memory" : "page cache or fsdax"}); a pgprot is chosen by drivers for VM_PFNMAP/VM_MIXEDMAP VMAs (--vma pfnmap or mixedmap)`,
    );
  }
  if (!driverVma && allowAnyUncached) {
    throw new InputError(
      `--allow-any-uncached: VM_ALLOW_ANY_UNCACHED is set by drivers (vfio-pci) on VM_PFNMAP BAR mappings, never on ${vma === "anon" ? "an" : "a"} ${vma} VMA`,
    );
  }
  if (vma === "anon" && pfn === "io") {
    throw new InputError(
      "--pfn io: an anonymous VMA is backed by RAM pages only; IO memory reaches a VMA through VM_PFNMAP or VM_MIXEDMAP (--vma pfnmap or mixedmap)",
    );
  }
  const pfnRam = pfn === undefined ? !driverVma : pfn === "ram";
  // A driver VMA without --pgprot: pgprot_device(), the common case for MMIO.
  return { vma, pgprot: pgprot ?? (driverVma ? "device" : "cacheable"), allowAnyUncached, pfnRam };
}
