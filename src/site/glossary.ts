/**
 * The glossary of the docs page: every term the page uses, in one sentence
 * each, and the words that name it in the page's text (the panels' prose and
 * the model's own step, fault and hazard texts), so the page can mark a term
 * where it appears and show its definition there (a popover) and in the list.
 * Pure data and a tokenizer; no DOM.
 */

export interface Term {
  /** Anchor id (g-<id>) and hash value. */
  id: string;
  /** The term as the list heads it. */
  term: string;
  /** One sentence. */
  def: string;
  /** Words in running text that name the term (matched whole, case-sensitive); none for words too common to mark everywhere (the list still has them). */
  aliases: readonly string[];
}

export const GLOSSARY: readonly Term[] = [
  {
    id: "stage1",
    term: "stage 1",
    def: "The guest's own translation, from VA to IPA, through tables the guest OS writes, with memory types from its MAIR_EL1.",
    aliases: [],
  },
  {
    id: "stage2",
    term: "stage 2",
    def: "The hypervisor's translation, from IPA to PA, through tables KVM writes (kvm_pgtable) and the guest can neither see nor change.",
    aliases: [],
  },
  { id: "va", term: "VA", def: "Virtual Address: the address a guest program uses; stage 1 translates it to an IPA.", aliases: ["VA", "VAs"] },
  {
    id: "ipa",
    term: "IPA",
    def: "Intermediate Physical Address: what the guest takes for a physical address; stage 2 translates it to a PA.",
    aliases: ["IPA", "IPAs"],
  },
  { id: "pa", term: "PA", def: "Physical Address: the address the memory system sees, after both stages.", aliases: ["PA", "PAs"] },
  {
    id: "descriptor",
    term: "descriptor",
    def: "A 64-bit translation-table entry: invalid, a table (pointing at the next level), a block or a page (both giving an output address and attributes).",
    aliases: [],
  },
  {
    id: "level",
    term: "level",
    def: "One step of a walk: a table at each level is indexed by a slice of the address bits, from the start level down to level 3.",
    aliases: [],
  },
  {
    id: "granule",
    term: "granule",
    def: "The translation granule, 4K, 16K or 64K: the page size, and so the size of every table and the address bits each level takes.",
    aliases: ["granule"],
  },
  {
    id: "mair",
    term: "MAIR_EL1",
    def: "Memory Attribute Indirection Register: eight attribute bytes, of which a stage-1 descriptor's AttrIndx picks the one that gives the memory type the guest asks for.",
    aliases: ["MAIR_EL1", "MAIR"],
  },
  {
    id: "attrindx",
    term: "AttrIndx",
    def: "Bits 4:2 of a stage-1 leaf descriptor: which of the eight MAIR_EL1 attribute bytes gives the page its memory type.",
    aliases: ["AttrIndx"],
  },
  {
    id: "memattr",
    term: "MemAttr",
    def: "Bits 5:2 of a stage-2 leaf descriptor: the memory type the hypervisor gives the page, read one way with FWB and another without.",
    aliases: ["MemAttr"],
  },
  {
    id: "fwb",
    term: "FWB",
    def: "Forced Write-Back (FEAT_S2FWB, HCR_EL2.FWB = 1): the stage-2 MemAttr overrides stage 1, and can force Write-Back, instead of being combined with it so that the stricter wins.",
    aliases: ["FWB", "FEAT_S2FWB"],
  },
  {
    id: "device",
    term: "Device-nGnRE",
    def: "The Device memory types, never cached or speculated: G (Gathering), R (Reordering) and E (Early write acknowledgement) are each allowed, or not with n; Device-nGnRnE is the strictest, Device-GRE the loosest.",
    aliases: ["Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE", "nGnRnE", "nGnRE", "nGRE"],
  },
  {
    id: "normal-nc",
    term: "Normal-NC",
    def: "Normal Non-cacheable memory: never cached, but accesses may be gathered, reordered and speculated, which is what write-combining (Linux ioremap_wc) needs.",
    aliases: ["Normal-NC", "Non-cacheable", "write-combining"],
  },
  {
    id: "wb-wt",
    term: "WB / WT",
    def: "Write-Back and Write-Through: cacheable Normal memory; a WB write stays in the cache until evicted, a WT write also goes to memory at once.",
    aliases: ["Write-Back", "Write-Through", "WB", "WT"],
  },
  {
    id: "sh",
    term: "ISH / OSH / NSH",
    def: "Shareability, Inner Shareable, Outer Shareable or Non-shareable: which observers the hardware keeps an access coherent with (Linux maps RAM ISH; Device and Non-cacheable memory is always OSH).",
    aliases: ["ISH", "OSH", "NSH", "Inner Shareable", "Outer Shareable", "Non-shareable"],
  },
  {
    id: "tagged",
    term: "Tagged",
    def: "Allocation Tagged memory (MAIR byte 0xF0, FEAT_MTE2): Normal Write-Back memory that carries Memory Tagging Extension tags.",
    aliases: ["Tagged", "MTE"],
  },
  {
    id: "par",
    term: "PAR_EL1",
    def: "Physical Address Register: where an AT instruction reports a translation; its ATTR (in MAIR format) and SH fields are how this page states the memory type an access gets.",
    aliases: ["PAR_EL1"],
  },
  {
    id: "esr",
    term: "ESR_EL2 / ESR_EL1",
    def: "Exception Syndrome Register: its EC says what was taken (here a Data or Instruction Abort) and its ISS the details: fault status code, WnR, S1PTW.",
    aliases: ["ESR_EL2", "ESR_EL1", "ESR"],
  },
  {
    id: "hpfar",
    term: "HPFAR_EL2",
    def: "Hypervisor IPA Fault Address Register: the faulting IPA's page number (IPA[51:12]) on a stage-2 fault, so KVM knows which guest page to map.",
    aliases: ["HPFAR_EL2", "HPFAR"],
  },
  { id: "far", term: "FAR_EL2 / FAR_EL1", def: "Fault Address Register: the virtual address whose access faulted.", aliases: ["FAR_EL2", "FAR_EL1"] },
  {
    id: "fsc",
    term: "DFSC / IFSC",
    def: "Data or Instruction Fault Status Code (ESR bits 5:0): the kind of fault, Translation, Access flag, Permission or Address size, and the level it happened at.",
    aliases: ["DFSC", "IFSC"],
  },
  {
    id: "ec-iss",
    term: "EC / ISS",
    def: "The two parts of an ESR_ELx syndrome: EC (Exception Class, bits 31:26) says what kind of exception was taken, and ISS (Instruction Specific Syndrome, bits 24:0, with ISS2 in bits 55:32) gives its details, laid out per EC.",
    aliases: ["EC", "ISS", "ISS2"],
  },
  {
    id: "vtcr",
    term: "VTCR_EL2",
    def: "Virtualization Translation Control Register: the shape of a VM's stage 2, its granule (TG0), IPA size (T0SZ), start level (SL0), output size (PS) and walk cacheability, as KVM's kvm_get_vtcr() sets them.",
    aliases: ["VTCR_EL2", "VTCR"],
  },
  {
    id: "vttbr",
    term: "VTTBR_EL2",
    def: "Virtualization Translation Table Base Register: the PA of a VM's stage-2 root table (BADDR) and its VMID, the tag that keeps each VM's TLB entries apart.",
    aliases: ["VTTBR_EL2", "VTTBR", "VMID"],
  },
  {
    id: "tcr",
    term: "TCR_EL1",
    def: "Translation Control Register (EL1): the guest's stage-1 shape, for each half of the VA space its size (T0SZ, T1SZ), granule (TG0, TG1) and walk attributes, and its output size (IPS).",
    aliases: ["TCR_EL1"],
  },
  {
    id: "sctlr",
    term: "SCTLR_EL1",
    def: "System Control Register (EL1): among much else, whether the guest's stage 1 is on (M), whether its data and instruction accesses may be cached (C, I) and whether writable memory is never executable (WXN).",
    aliases: ["SCTLR_EL1"],
  },
  // No alias: running text writes HCR_EL2.FWB for the FWB bit, which is the FWB term's.
  {
    id: "hcr",
    term: "HCR_EL2",
    def: "Hypervisor Configuration Register: what the hypervisor traps and how its guests run, among it stage 2 on (VM), FWB, and the DC, CD and ID bits that override the guest's memory types.",
    aliases: [],
  },
  {
    id: "idregs",
    term: "ID_AA64MMFR0/1/2_EL1",
    def: "The AArch64 Memory Model Feature Registers: read-only, they say what the CPU's MMU implements (PA size, granules per stage, hardware Access flag and dirty state, FWB, TTL and more), and KVM reads them to build stage 2.",
    aliases: ["ID_AA64MMFR0_EL1", "ID_AA64MMFR1_EL1", "ID_AA64MMFR2_EL1"],
  },
  {
    id: "res0",
    term: "RES0 / RES1",
    def: "Reserved bits that software must write as 0 (RES0) or as 1 (RES1), so that a later version of the architecture can give them a meaning; a value that breaks the rule is not one the architecture defines.",
    aliases: ["RES0", "RES1"],
  },
  {
    id: "s1ptw",
    term: "S1PTW",
    def: "ESR_EL2 bit 7: the stage-2 fault happened while translating the IPA of one of the guest's own stage-1 table entries during its walk, not on the access itself.",
    aliases: ["S1PTW"],
  },
  {
    id: "af",
    term: "AF",
    def: "Access Flag (descriptor bit 10): set once the page has been used; with hardware management (VTCR_EL2.HA, TCR_EL1.HA) the walk sets it, else an access to it faults.",
    aliases: ["AF"],
  },
  {
    id: "bbm",
    term: "BBM",
    def: "Break-before-make: to change a live mapping's address, size or type, first write an invalid entry and invalidate the TLBs, then write the new entry, so no CPU ever holds both translations.",
    aliases: ["BBM", "break-before-make"],
  },
  {
    id: "tlbi",
    term: "TLBI",
    def: "TLB Invalidate: the instruction that drops cached translations (by IPA, by range or for the whole VMID) after a stage-2 entry changes.",
    aliases: ["TLBI", "tlbi"],
  },
  {
    id: "cmo",
    term: "CMO",
    def: "Cache maintenance operation: a clean and/or invalidate of the cache lines of an address range, such as DC CIVAC, which cleans and invalidates them to the PoC.",
    aliases: ["CMO", "CMOs", "cache maintenance"],
  },
  {
    id: "poc",
    term: "PoC",
    def: "Point of Coherency: where every observer (CPUs and non-coherent DMA alike) sees the same copy of memory; cleaning to the PoC makes memory up to date for uncached readers.",
    aliases: ["PoC", "Point of Coherency"],
  },
  {
    id: "pou",
    term: "PoU",
    def: "Point of Unification: where a CPU's instruction and data caches see the same copy, so newly written code can be fetched.",
    aliases: ["PoU"],
  },
  {
    id: "impdef",
    term: "IMPLEMENTATION DEFINED",
    def: "The architecture lets each CPU design choose, and the choice must be documented; portable software has to cope with every choice.",
    aliases: ["IMPLEMENTATION DEFINED"],
  },
  {
    id: "unpred",
    term: "CONSTRAINED UNPREDICTABLE",
    def: "The architecture permits a small set of behaviours and does not say which one happens; the page lists every permitted one.",
    aliases: ["CONSTRAINED UNPREDICTABLE"],
  },
  {
    id: "vma",
    term: "VMA",
    def: "A host virtual memory area (vm_area_struct): the host mapping behind a guest memory slot, whose flags and page protection tell KVM how to map stage 2.",
    aliases: ["VMA"],
  },
  {
    id: "prot",
    term: "KVM prot",
    def: "The KVM_PGTABLE_PROT_* bits KVM passes to kvm_pgtable_stage2_map(): R, W, X and the memory type (none for Normal, DEVICE, NORMAL_NC).",
    aliases: ["KVM prot"],
  },
];

export function termById(id: string): Term | undefined {
  return GLOSSARY.find((t) => t.id === id);
}

/** A piece of text: plain, or a glossary term as written. */
export type Segment = string | { id: string; text: string };

const ALIASES: Array<[string, string]> = GLOSSARY.flatMap((t) => t.aliases.map((a) => [a, t.id] as [string, string])).sort((a, b) => b[0].length - a[0].length);
const ALIAS_ID = new Map(ALIASES);
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const TERM_RE = new RegExp(`(?<![A-Za-z0-9_.-])(${ALIASES.map(([a]) => escape(a)).join("|")})(?![A-Za-z0-9_-])`, "g");

/**
 * Split `text` into plain runs and glossary terms. A term already in `seen`
 * stays plain (the page marks a term once per block of text); the terms
 * marked are added to `seen`.
 */
export function termSegments(text: string, seen: Set<string> = new Set()): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const m of text.matchAll(TERM_RE)) {
    const id = ALIAS_ID.get(m[1]);
    if (id === undefined || seen.has(id) || m.index === undefined) continue;
    seen.add(id);
    if (m.index > at) out.push(text.slice(at, m.index));
    out.push({ id, text: m[1] });
    at = m.index + m[1].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

export interface GlossaryForm {
  /** Narrow the list to terms whose name or definition contains this. */
  filter: string;
}

export const DEFAULT_GLOSSARY_FORM: GlossaryForm = { filter: "" };

/** The terms the filter keeps, in the list's order. */
export function filterGlossary(filter: string): Term[] {
  const f = filter.trim().toLowerCase();
  if (f === "") return [...GLOSSARY];
  return GLOSSARY.filter((t) => t.term.toLowerCase().includes(f) || t.def.toLowerCase().includes(f) || t.aliases.some((a) => a.toLowerCase().includes(f)));
}
