/**
 * The workloads `s2pt bench` runs: named patterns of guest memory activity,
 * each as the sequence of calls KVM's mmu.c makes into pgtable.c for it
 * (arch/arm64/kvm/mmu.c @7a9479eb, kernel-reference.md sections 5 and 6),
 * or a FORMAT.md scenario's ops.
 *
 *   fault-in      N bytes of guest RAM, one write fault per mapping (a page, or a block the host maps with):
 *                 user_mem_abort() -> kvm_pgtable_stage2_map(), in IPA order or a random order
 *   thp           fault-in by PMD_SIZE blocks (2 MiB with 4K pages): transparent_hugepage_adjust()
 *   hugetlb-1g    fault-in by 1 GiB blocks (PUD_SIZE; 4K granule only)
 *   teardown      fault-in (set-up), then the memslot unmapped: kvm_stage2_unmap_range(), which
 *                 stage2_apply_range() cuts at every kvm_granule_size(KVM_PGTABLE_MIN_BLOCK_LEVEL) boundary
 *   dirty-log     fault-in (set-up), then dirty logging enabled on the memslot: kvm_mmu_wp_memory_region()
 *                 (write-protect, then kvm_flush_remote_tlbs_memslot()), with KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE
 *                 kvm_mmu_split_memory_region(), then one write fault per dirtied page: relax_perms() on a
 *                 page, or a map() of the page where a block still covers it (logging forces PAGE_SIZE)
 *   mmu-notifier  fault-in (set-up), then host invalidations of random ranges: kvm_unmap_gfn_range()
 *   vfio-bar      a VM_PFNMAP BAR faulted in by its largest aligned mapping (get_vma_page_shift()), with the
 *                 memory type user_mem_abort() gives it (src/kvm policy, mainline): Normal-NC with
 *                 VM_ALLOW_ANY_UNCACHED, Device without, Normal when cacheable (FWB and DIC, else refused)
 *
 * What the patterns leave out is said in docs/bench-your-workload.md.
 */

import { WALK_HANDLE_FAULT, WALK_SHARED } from "../pgtable/descriptor.js";
import type { Geometry } from "../pgtable/geometry.js";
import type { Scenario } from "../scenario/types.js";
import { InputError, binarySizeText, hex, showInput } from "../pgtable/u64.js";
import { protNames } from "../walker/decode.js";
import { userMemAbortPolicy, type PolicyInputs } from "../kvm/policy.js";
import { blockSizes, checkBenchConfigs, checkEagerSplitChunk, configGeometry, type BenchConfig } from "./config.js";
import { checkInstance, checkInt, checkObject, checkOneOf } from "../pgtable/args.js";
import { checkScenarioArg } from "../scenario/args.js";
import { kernelFnOfOp } from "./counts.js";

/** The workload patterns, each a sequence of mmu.c's calls into pgtable.c (docs/bench-your-workload.md). */
export const PATTERNS = ["fault-in", "thp", "hugetlb-1g", "teardown", "dirty-log", "mmu-notifier", "vfio-bar"] as const;
/** One of PATTERNS. */
export type PatternName = (typeof PATTERNS)[number];

/** vfio-bar: how the host maps the BAR (the VMA's memory type and VM_ALLOW_ANY_UNCACHED). */
export const BAR_TYPES = ["nc", "device", "cacheable"] as const;
/** One of BAR_TYPES. */
export type BarType = (typeof BAR_TYPES)[number];

/** The order a pattern touches its pages in: ascending, or a seeded random permutation (--order). */
export type Order = "seq" | "random";

/** A pattern and its parameters (null: the pattern's default). */
export interface PatternParams {
  pattern: PatternName;
  /** Bytes of guest memory (or of the BAR). */
  size: number;
  /** Bytes each fault maps (fault-in, vfio-bar), or the mapping the memory is faulted in with (teardown, dirty-log, mmu-notifier). */
  pageSize: number | null;
  /** The order of the faults (and of the dirtied pages). */
  order: Order;
  /** Seed of the random orders and ranges (xorshift32). */
  seed: number;
  ipa: number | null;
  pa: number | null;
  /** dirty-log: percent of the memory's pages written (1..100), chosen at random. */
  dirty: number;
  /** mmu-notifier: how many ranges, and their size. */
  ranges: number;
  rangeSize: number;
  /** vfio-bar. */
  bar: BarType;
}

/** The parameters a pattern runs with when the caller gives none (s2pt bench's defaults). */
export const DEFAULT_PARAMS: Omit<PatternParams, "pattern"> = {
  size: 2 ** 30,
  pageSize: null,
  order: "seq",
  seed: 1,
  ipa: null,
  pa: null,
  dirty: 100,
  ranges: 512,
  rangeSize: 2 ** 21,
  bar: "nc",
};

/** Most mmu.c-level calls (faults, dirtied pages, ranges) one pass of a workload makes: 2^25, 128 GiB of 4K pages. */
export const MAX_BENCH_CALLS = 2 ** 25;
/** Largest --size: 2^52 bytes, the largest IPA space. */
export const MAX_BENCH_SIZE = 2 ** 52;
/** Most --ranges. */
export const MAX_RANGES = 2 ** 20;

/** Guest RAM's default IPA (QEMU virt's RAM base) and host PA. */
export const DEFAULT_RAM_IPA = 0x40000000;
export const DEFAULT_RAM_PA = 0x80000000;

/** What a phase does: the mmu.c path its calls come from. */
export type PhaseKind = "fault" | "relax" | "unmap" | "wp" | "split" | "scenario";

/** One stretch of a workload: `calls` calls of one mmu.c path. */
export interface Phase {
  readonly kind: PhaseKind;
  /** What it mirrors, in the kernel's function names. */
  readonly title: string;
  /** Part of the timed work (else set-up, run untimed and not counted). */
  readonly timed: boolean;
  readonly calls: number;
  /** Call i's IPA: base + offsets[i], else base + (order ? order[i] : i) * step. */
  readonly base: number;
  readonly step: number;
  readonly order: Uint32Array | null;
  readonly offsets: Float64Array | null;
  /** Bytes each call covers (a fault's mapping size, a range's size). */
  readonly size: number;
  /** A map's PA is its IPA + paDelta. */
  readonly paDelta: number;
  readonly prot: number;
  readonly flags: number;
  /** split: KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE. */
  readonly chunk: number;
}

/** The kernel refuses the workload in this configuration (src/kvm's policy). */
export interface Refusal {
  errno: number;
  where: string;
  why: string;
}

/** A workload for one configuration. */
export interface Workload {
  readonly config: BenchConfig;
  readonly geometry: Geometry;
  readonly phases: readonly Phase[];
  /** The scenario whose kernel ops the "scenario" phase runs. */
  readonly scenario: Scenario | null;
  /** Indices of the scenario ops that are kernel calls (s2pt's model ops, translate and translate_va, are not run). */
  readonly scenarioOps: readonly number[];
  /** The prot the faults map with, or null. */
  readonly prot: number | null;
  readonly refusal: Refusal | null;
}

/** What a workload is, for every configuration: the unit its time is given per, and a description. */
export interface WorkloadSpec {
  readonly pattern: PatternName | "scenario";
  readonly params: PatternParams | null;
  /** One line: what runs. */
  readonly summary: string;
  /** The unit ns are given per ("4K page", "2M block", "dirtied page", "range", "op") and how many there are. */
  readonly unit: string;
  readonly units: number;
  /** The mapping size the memory is faulted in with (null for a scenario). */
  readonly pageSize: number | null;
  readonly ipa: number | null;
  readonly pa: number | null;
  /** A workload per configuration, in the order given. */
  readonly workloads: readonly Workload[];
}

/** The specs planPattern() and planScenario() made: runBench() runs only these (a hand-made or altered spec could run anything). */
const PLANNED = new WeakSet<WorkloadSpec>();

/** Freeze a spec (its workloads and phases; the typed arrays of offsets stay as they are) and remember it as planned. */
function planned(spec: WorkloadSpec): WorkloadSpec {
  for (const w of spec.workloads) {
    for (const p of w.phases) Object.freeze(p);
    Object.freeze(w.phases);
    Object.freeze(w.scenarioOps);
    Object.freeze(w);
  }
  Object.freeze(spec.workloads);
  Object.freeze(spec);
  PLANNED.add(spec);
  return spec;
}

/** Whether `spec` is one planPattern() or planScenario() made. */
export function isPlannedSpec(spec: unknown): spec is WorkloadSpec {
  return typeof spec === "object" && spec !== null && PLANNED.has(spec as WorkloadSpec);
}

/** Marsaglia's xorshift32 (13, 17, 5): the random orders and ranges, reproducible from --seed. */
export class XorShift32 {
  private s: number;
  constructor(seed: number) {
    checkInt(seed, "seed", 0, 2 ** 32 - 1);
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** The next 32-bit value of the sequence, as an unsigned number. */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** An integer in 0..n-1 (1 <= n <= 2^32). */
  below(n: number): number {
    checkInt(n, "n", 1, 2 ** 32);
    return Math.floor((this.next() / 4294967296) * n);
  }
}

/** 0..n-1 shuffled (Fisher-Yates). */
export function permutation(n: number, rng: XorShift32): Uint32Array {
  checkInt(n, "n", 0, MAX_BENCH_CALLS);
  checkInstance(rng, "rng", XorShift32, "an XorShift32");
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

function sizeWords(bytes: number): string {
  return binarySizeText(bytes);
}

/** "4K page", "2M block", "1G block". */
export function mappingName(size: number, g: Geometry): string {
  const short = binarySizeText(size)
    .replace(/ (.)iB$/, "$1")
    .replace(/ bytes?$/, "B");
  return `${short} ${size === g.granule ? "page" : "block"}`;
}

/** The fault path's walk flags (user_mem_abort()). */
export const FAULT_FLAGS = WALK_HANDLE_FAULT | WALK_SHARED;

function phase(p: Partial<Phase> & Pick<Phase, "kind" | "title" | "timed" | "calls">): Phase {
  return { base: 0, step: 0, order: null, offsets: null, size: 0, paDelta: 0, prot: 0, flags: 0, chunk: 0, ...p };
}

/** The prot a write fault on this memory gets, or the kernel's refusal (src/kvm policy, mainline). */
function faultPolicy(c: BenchConfig, vma: PolicyInputs["vma"], bar: BarType | null): { prot: number } | { refusal: Refusal } {
  const p: PolicyInputs = {
    vma,
    pgprot: bar === "cacheable" || bar === null ? "cacheable" : "noncached",
    allowAnyUncached: bar === "nc",
    pfnRam: bar === null,
    fwb: c.fwb,
    dic: c.dic,
    access: "write",
  };
  const r = userMemAbortPolicy("mainline", p);
  if (r.ok) return { prot: r.prot };
  const why =
    bar === "cacheable"
      ? `${r.why}: a BAR's pfns have no kernel mapping, and every map of cacheable memory asks the host to clean it to PoC (without FWB clean_dcache_guest_page() does, through the kernel's mapping) and to invalidate the I-cache (without DIC, by address)`
      : r.why;
  return { refusal: { errno: r.errno, where: r.where, why } };
}

/** PMD_SIZE: the level-2 block (2 MiB, 32 MiB, 512 MiB). */
function pmdSize(g: Geometry): number {
  return 2 ** g.shifts[3];
}

/** Check a workload's range against the geometry; refusals name the option. */
function checkRange(g: Geometry, size: number, ipa: number, pa: number, page: number, pageWhat: string): void {
  const pageText = binarySizeText(page);
  if (size % page !== 0) throw new InputError(`--size: ${sizeWords(size)} is not a whole number of ${pageText} mappings (${pageWhat})`);
  if (ipa % page !== 0) throw new InputError(`--ipa: ${hex(ipa)} is not aligned to the ${pageText} mapping size (${pageWhat})`);
  if (pa % page !== 0) throw new InputError(`--pa: ${hex(pa)} is not aligned to the ${pageText} mapping size (${pageWhat})`);
  const iaLimit = 2 ** g.iaBits;
  if (ipa >= iaLimit) throw new InputError(`--ipa: ${hex(ipa)} is beyond the ${g.iaBits}-bit IPA space (--ia-bits)`);
  if (ipa + size > iaLimit) {
    throw new InputError(
      `--size: ${sizeWords(size)} from IPA ${hex(ipa)} ends at ${hex(ipa + size)}, beyond the ${g.iaBits}-bit IPA space (${sizeWords(iaLimit)}; --ia-bits, --ipa)`,
    );
  }
  const paLimit = 2 ** g.paBits;
  if (pa + size > paLimit)
    throw new InputError(`--pa: ${sizeWords(size)} from PA ${hex(pa)} ends at ${hex(pa + size)}, beyond the ${g.paBits}-bit PA range (--pa-bits)`);
}

function checkCalls(n: number, what: string, why: string): void {
  if (n > MAX_BENCH_CALLS)
    throw new InputError(`${what}: ${why} is ${n} calls; s2pt bench runs at most ${MAX_BENCH_CALLS} per pass (docs/reliability.md, "Resource bounds")`);
}

/** The mapping size of a pattern: its own (thp, hugetlb-1g), --page-size, or its default. */
function mappingSize(params: PatternParams, g: Geometry): number {
  const sizes = blockSizes(g);
  const gran = g.granule / 1024;
  switch (params.pattern) {
    case "thp":
      return pmdSize(g);
    case "hugetlb-1g":
      if (g.minBlockLevel !== 1) {
        throw new InputError(
          `hugetlb-1g: a ${gran}K granule has no 1 GiB block (KVM_PGTABLE_MIN_BLOCK_LEVEL is 2: its largest block is ${binarySizeText(sizes[0])}, which user_mem_abort() uses for a larger hugetlb page); use fault-in --page-size ${binarySizeText(sizes[0]).replace(" MiB", "m")}`,
        );
      }
      return 2 ** 30;
    default: {
      const ps = params.pageSize ?? (params.pattern === "dirty-log" ? pmdSize(g) : params.pattern === "vfio-bar" ? sizes[0] : g.granule);
      if (!sizes.includes(ps)) {
        throw new InputError(
          `--page-size: ${binarySizeText(ps)} is not a size KVM maps with a ${gran}K granule (${sizes.map(binarySizeText).join(", ")}: ${g.minBlockLevel === 1 ? "PUD_SIZE, " : ""}PMD_SIZE, PAGE_SIZE)`,
        );
      }
      return ps;
    }
  }
}

/**
 * A pattern's workload in each configuration. Bad input (a size beyond the
 * IPA space, a mapping the geometry cannot hold, more calls than a pass may
 * make) is an InputError naming the option; a configuration the kernel
 * refuses (cacheable PFNMAP without FWB and DIC) is a workload with a refusal.
 */
export function planPattern(params: PatternParams, configs: readonly BenchConfig[]): WorkloadSpec {
  checkPatternParams(params, "params");
  checkBenchConfigs(configs, "configs");
  const geoms = configs.map(configGeometry);
  const g = geoms[0];
  for (const c of configs) checkEagerSplitChunk(c.eagerSplit, configGeometry(c));
  const pat = params.pattern;
  const page = mappingSize(params, g);
  const pageWhat = pat === "thp" ? "thp maps PMD_SIZE blocks" : pat === "hugetlb-1g" ? "hugetlb-1g maps 1 GiB blocks" : "--page-size";
  const bar = pat === "vfio-bar";
  const ipa = params.ipa ?? (bar ? 2 ** (g.iaBits - 1) : DEFAULT_RAM_IPA);
  const pa = params.pa ?? (bar ? 2 ** (g.paBits - 2) : DEFAULT_RAM_PA);
  const size = params.size;
  checkRange(g, size, ipa, pa, page, pageWhat);
  const faults = size / page;
  const mapName = mappingName(page, g);
  checkCalls(faults, "--size", `${sizeWords(size)} of ${mapName}s`);
  const rng = new XorShift32(params.seed);
  // The faults' order, shared by every configuration.
  const faultOrder = params.order === "random" && pat !== "dirty-log" ? permutation(faults, rng) : null;
  const faultIn = (timed: boolean, prot: number): Phase =>
    phase({
      kind: "fault",
      title: `user_mem_abort() -> kvm_pgtable_stage2_map(): one write fault per ${mapName}${faultOrder && timed ? ", in a random order" : ""}`,
      timed,
      calls: faults,
      base: ipa,
      step: page,
      order: timed ? faultOrder : null,
      size: page,
      paDelta: pa - ipa,
      prot,
      flags: FAULT_FLAGS,
    });

  // Pattern-specific inputs, shared by every configuration.
  let dirtyPages: Uint32Array | null = null;
  let rangeOffsets: Float64Array | null = null;
  let unit = mapName;
  let units = faults;
  let summary = "";
  const where = `IPA ${hex(ipa)} -> PA ${hex(pa)}`;
  switch (pat) {
    case "fault-in":
    case "thp":
    case "hugetlb-1g":
      summary = `${sizeWords(size)} of guest RAM faulted in by ${mapName}s${params.order === "random" ? " in a random order" : ""}, ${where}`;
      break;
    case "teardown":
      summary = `${sizeWords(size)} of guest RAM faulted in by ${mapName}s (set-up), then its memslot unmapped (kvm_stage2_unmap_range), ${where}`;
      break;
    case "dirty-log": {
      const pages = size / g.granule;
      const n = Math.ceil((pages * params.dirty) / 100);
      checkCalls(n, "--dirty", `${params.dirty}% of ${pages} pages`);
      if (params.dirty < 100 || params.order === "random") {
        const perm = permutation(pages, rng);
        dirtyPages = perm.slice(0, n);
        if (params.order === "seq") dirtyPages.sort();
      }
      unit = "dirtied page";
      units = n;
      summary =
        `${sizeWords(size)} of guest RAM faulted in by ${mapName}s (set-up), then dirty logging: write-protect, ` +
        `then one write fault on each of ${n} ${g.granule / 1024}K pages (${params.dirty}%${params.order === "random" ? ", a random order" : ""}), ${where}`;
      break;
    }
    case "mmu-notifier": {
      const rs = params.rangeSize;
      if (rs % g.granule !== 0) throw new InputError(`--range-size: ${sizeWords(rs)} is not a whole number of ${g.granule / 1024}K pages`);
      if (rs > size) throw new InputError(`--range-size: ${sizeWords(rs)} is larger than the memory (--size ${sizeWords(size)})`);
      const slots = (size - rs) / g.granule + 1;
      rangeOffsets = new Float64Array(params.ranges);
      for (let i = 0; i < params.ranges; i++) rangeOffsets[i] = rng.below(slots) * g.granule;
      unit = "range";
      units = params.ranges;
      summary = `${sizeWords(size)} of guest RAM faulted in by ${mapName}s (set-up), then ${params.ranges} host invalidations (kvm_unmap_gfn_range) of ${sizeWords(rs)} at random ${g.granule / 1024}K-aligned offsets, ${where}`;
      break;
    }
    case "vfio-bar":
      summary = `a ${sizeWords(size)} VM_PFNMAP BAR (${params.bar === "nc" ? "pgprot_noncached, VM_ALLOW_ANY_UNCACHED" : params.bar === "device" ? "pgprot_noncached, no VM_ALLOW_ANY_UNCACHED" : "cacheable"}) faulted in by ${mapName}s${params.order === "random" ? " in a random order" : ""}, ${where}`;
      break;
  }

  const workloads = configs.map((config, ci): Workload => {
    const geometry = geoms[ci];
    const policy = faultPolicy(config, bar ? "pfnmap" : "anon", bar ? params.bar : null);
    if ("refusal" in policy) return { config, geometry, phases: [], scenario: null, scenarioOps: [], prot: null, refusal: policy.refusal };
    const prot = policy.prot;
    const phases: Phase[] = [];
    switch (pat) {
      case "fault-in":
      case "thp":
      case "hugetlb-1g":
      case "vfio-bar":
        phases.push(faultIn(true, prot));
        break;
      case "teardown":
        phases.push(faultIn(false, prot));
        phases.push(
          phase({
            kind: "unmap",
            title: `kvm_arch_flush_shadow_memslot() -> kvm_stage2_unmap_range(): kvm_pgtable_stage2_unmap per ${binarySizeText(2 ** geometry.shifts[geometry.minBlockLevel + 1])} (stage2_apply_range)`,
            timed: true,
            calls: 1,
            base: ipa,
            size,
          }),
        );
        break;
      case "dirty-log": {
        phases.push(faultIn(false, prot));
        const apply = binarySizeText(2 ** geometry.shifts[geometry.minBlockLevel + 1]);
        phases.push(
          phase({
            kind: "wp",
            title: `kvm_mmu_wp_memory_region(): kvm_pgtable_stage2_wrprotect per ${apply} (stage2_apply_range), then kvm_flush_remote_tlbs_memslot()`,
            timed: true,
            calls: 1,
            base: ipa,
            size,
          }),
        );
        if (config.eagerSplit) {
          phases.push(
            phase({
              kind: "split",
              title: `kvm_mmu_split_memory_region() -> kvm_mmu_split_huge_pages(): kvm_pgtable_stage2_split per ${binarySizeText(config.eagerSplit)} chunk`,
              timed: true,
              calls: 1,
              base: ipa,
              size,
              chunk: config.eagerSplit,
            }),
          );
        }
        // Logging forces PAGE_SIZE (force_pte): a write fault on a page is a permission fault at level 3,
        // relax_perms(); where a block still covers the page (no eager split), fault_granule differs from
        // PAGE_SIZE and the fault maps the page, breaking the block (the first time) or filling its table.
        const onPages = page === geometry.granule || config.eagerSplit !== 0;
        // Dirty logging maps a write fault R|W (|X with DIC); relax_perms() takes the same prot.
        const n = units;
        phases.push(
          phase({
            kind: onPages ? "relax" : "fault",
            title: onPages
              ? `user_mem_abort() -> kvm_pgtable_stage2_relax_perms(): one write (permission) fault per dirtied ${geometry.granule / 1024}K page`
              : `user_mem_abort() -> kvm_pgtable_stage2_map(): one write fault per dirtied ${geometry.granule / 1024}K page (logging forces PAGE_SIZE; the first in a block breaks it)`,
            timed: true,
            calls: n,
            base: ipa,
            step: geometry.granule,
            order: dirtyPages,
            size: geometry.granule,
            paDelta: pa - ipa,
            prot,
            flags: FAULT_FLAGS,
          }),
        );
        break;
      }
      case "mmu-notifier":
        phases.push(faultIn(false, prot));
        phases.push(
          phase({
            kind: "unmap",
            title: `kvm_unmap_gfn_range() -> kvm_pgtable_stage2_unmap per ${binarySizeText(2 ** geometry.shifts[geometry.minBlockLevel + 1])} (stage2_apply_range), ${params.ranges} ranges`,
            timed: true,
            calls: params.ranges,
            base: ipa,
            offsets: rangeOffsets,
            size: params.rangeSize,
          }),
        );
        break;
    }
    return { config, geometry, phases, scenario: null, scenarioOps: [], prot, refusal: null };
  });
  return planned({ pattern: pat, params, summary, unit, units, pageSize: page, ipa, pa, workloads });
}

/**
 * A scenario's kernel ops, repeated on a fresh table, in each configuration
 * (the scenario's own config with the compared switches changed).
 */
export function planScenario(scn: Scenario, configs: readonly BenchConfig[]): WorkloadSpec {
  checkScenarioArg(scn, "scn");
  checkBenchConfigs(configs, "configs");
  const ops: number[] = [];
  scn.ops.forEach((op, i) => {
    if (kernelFnOfOp(op.op) >= 0) ops.push(i);
  });
  const skipped = scn.ops.length - ops.length;
  // Nothing to count or time: a time "per op" over no op would be the clock's noise.
  if (ops.length === 0) throw new InputError("ops: no kernel op (map, unmap, ...) to benchmark");
  const workloads = configs.map((config): Workload => {
    const geometry = configGeometry(config);
    const sc: Scenario = {
      ...scn,
      config: { granule: config.granule, iaBits: config.iaBits, paBits: config.paBits, lpa2: config.lpa2, fwb: config.fwb, tlbRange: config.tlbRange },
    };
    return {
      config,
      geometry,
      phases: [phase({ kind: "scenario", title: `the scenario's ${ops.length} kernel ops, in order`, timed: true, calls: ops.length })],
      scenario: sc,
      scenarioOps: ops,
      prot: null,
      refusal: null,
    };
  });
  const name = scn.name ? `scenario '${showInput(scn.name, 60)}'` : "the scenario";
  return planned({
    pattern: "scenario",
    params: null,
    summary: `${name}: ${ops.length} kernel ops on a fresh table${skipped ? ` (${skipped} s2pt model ops, translate/translate_va, not run: they are the hardware's walk, not KVM's work)` : ""}`,
    unit: "op",
    units: ops.length,
    pageSize: null,
    ipa: null,
    pa: null,
    workloads,
  });
}

/** A prot as names (R|W), for output. */
export function protText(prot: number | null): string | null {
  return prot === null ? null : protNames(prot);
}

const orNull = (v: unknown, arg: string): void => {
  if (v !== null) checkInt(v, arg, 0, 2 ** 53 - 1);
};

/** A pattern's parameters, field by field (src/pgtable/args.ts, issue 15). */
function checkPatternParams(v: unknown, arg: string): PatternParams {
  const p = checkObject(v, arg);
  checkOneOf(p.pattern, `${arg}.pattern`, PATTERNS);
  checkInt(p.size, `${arg}.size`, 1, 2 ** 53 - 1);
  orNull(p.pageSize, `${arg}.pageSize`);
  checkOneOf(p.order, `${arg}.order`, ["seq", "random"]);
  checkInt(p.seed, `${arg}.seed`, 0, 2 ** 32 - 1);
  orNull(p.ipa, `${arg}.ipa`);
  orNull(p.pa, `${arg}.pa`);
  checkInt(p.dirty, `${arg}.dirty`, 1, 100);
  checkInt(p.ranges, `${arg}.ranges`, 1, MAX_RANGES);
  checkInt(p.rangeSize, `${arg}.rangeSize`, 1, 2 ** 53 - 1);
  checkOneOf(p.bar, `${arg}.bar`, BAR_TYPES);
  return v as PatternParams;
}
