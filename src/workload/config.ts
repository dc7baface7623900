/**
 * The configurations a workload runs under: the stage-2 table's (granule,
 * IPA and PA size, FEAT_LPA2, FEAT_S2FWB, FEAT_TLBIRANGE), the CPU's
 * CTR_EL0.DIC, and KVM's eager-split chunk (KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE);
 * and `--compare`, which runs the same workload under every combination of
 * the named switches.
 */

import { stage2Geometry, type Geometry, type Stage2Config } from "../pgtable/geometry.js";
import { InputError, binarySizeText, showInput } from "../pgtable/u64.js";
import { ArgumentError, checkArray, checkBool, checkInt, checkObject, checkOneOf, checkString, shown } from "../pgtable/args.js";

/** A configuration a workload runs under. */
export interface BenchConfig extends Stage2Config {
  /**
   * CTR_EL0.DIC (ARM64_HAS_CACHE_DIC): user_mem_abort() grants X to
   * cacheable memory up front (mmu.c), and kvm_supports_cacheable_pfnmap()
   * needs it with FWB.
   */
  dic: boolean;
  /** KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE (mmu->split_page_chunk_size): 0, the kernel's default, is off. */
  eagerSplit: number;
}

/** The switches --compare can vary, each over off and on. */
export const COMPARE_DIMS = ["fwb", "tlb-range", "lpa2", "dic", "eager-split"] as const;
/** One switch --compare can vary (a name of COMPARE_DIMS). */
export type CompareDim = (typeof COMPARE_DIMS)[number];

/** Most switches one --compare names: 2^3 configurations side by side. */
export const MAX_COMPARE_DIMS = 3;

/** Most configurations one workload runs side by side: every combination of MAX_COMPARE_DIMS switches. */
export const MAX_CONFIGS = 2 ** MAX_COMPARE_DIMS;

/**
 * --compare: switches joined by commas (fwb,tlb-range), each once, at most
 * MAX_COMPARE_DIMS of them.
 */
export function parseCompare(text: string, what = "--compare"): CompareDim[] {
  checkString(what, "what");
  checkString(text, what);
  const out: CompareDim[] = [];
  for (const raw of text.split(",")) {
    const w = raw.trim().toLowerCase();
    const dim = COMPARE_DIMS.find((d) => d === w);
    if (dim === undefined) {
      throw new InputError(`${what}: '${showInput(raw.trim())}' is not a switch to compare (${COMPARE_DIMS.join(", ")}; joined by commas, e.g. fwb,tlb-range)`);
    }
    if (out.includes(dim)) throw new InputError(`${what}: '${dim}' is named twice`);
    out.push(dim);
  }
  if (out.length > MAX_COMPARE_DIMS)
    throw new InputError(`${what}: ${out.length} switches give ${2 ** out.length} configurations; compare at most ${MAX_COMPARE_DIMS} at once`);
  return out;
}

/**
 * Every combination of the compared switches over `base`, the first switch
 * varying slowest and off before on (so the first column is the baseline).
 * `eagerChunk` is the chunk eager-split takes when on.
 */
export function expandConfigs(base: BenchConfig, dims: readonly CompareDim[], eagerChunk: number): BenchConfig[] {
  checkBenchConfig(base, "base");
  checkDims(dims, "dims");
  checkInt(eagerChunk, "eagerChunk", 0, 2 ** 52);
  const out: BenchConfig[] = [];
  const n = dims.length;
  for (let m = 0; m < 2 ** n; m++) {
    const c: BenchConfig = { ...base };
    dims.forEach((d, i) => {
      const on = ((m >> (n - 1 - i)) & 1) === 1;
      switch (d) {
        case "fwb":
          c.fwb = on;
          break;
        case "tlb-range":
          c.tlbRange = on;
          break;
        case "lpa2":
          c.lpa2 = on;
          break;
        case "dic":
          c.dic = on;
          break;
        case "eager-split":
          c.eagerSplit = on ? eagerChunk : 0;
          break;
      }
    });
    out.push(c);
  }
  return out;
}

/** A configuration as a column heading: the compared switches only (all of them when none is compared). */
export function configLabel(c: BenchConfig, dims: readonly CompareDim[]): string {
  checkBenchConfig(c, "c");
  checkDims(dims, "dims");
  const shown: readonly CompareDim[] = dims.length > 0 ? dims : ["fwb", "tlb-range"];
  return shown
    .map((d) => {
      switch (d) {
        case "fwb":
          return `FWB ${c.fwb ? "on" : "off"}`;
        case "tlb-range":
          return `TLBIRANGE ${c.tlbRange ? "on" : "off"}`;
        case "lpa2":
          return `LPA2 ${c.lpa2 ? "on" : "off"}`;
        case "dic":
          return `DIC ${c.dic ? "1" : "0"}`;
        case "eager-split":
          return c.eagerSplit ? `eager split ${binarySizeText(c.eagerSplit).replace(" ", "")}` : "eager split off";
      }
    })
    .join(", ");
}

/**
 * The block sizes KVM maps with this geometry (kvm_supported_block_sizes():
 * the granule of each level from KVM_PGTABLE_MIN_BLOCK_LEVEL to 3), largest
 * first: 1 GiB, 2 MiB, 4 KiB with 4K pages; 32 MiB, 16 KiB; 512 MiB, 64 KiB.
 */
export function blockSizes(g: Geometry): number[] {
  const out: number[] = [];
  for (let l = g.minBlockLevel; l <= 3; l++) out.push(2 ** g.shifts[l + 1]);
  return out;
}

/**
 * kvm_vm_ioctl_enable_cap(KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE): 0 or a size
 * kvm_is_block_size_supported() accepts (a block size of this geometry,
 * PAGE_SIZE included); any other value is the ioctl's -EINVAL.
 */
export function checkEagerSplitChunk(chunk: number, g: Geometry, what = "--eager-split"): void {
  if (chunk === 0) return;
  const sizes = blockSizes(g);
  if (!sizes.includes(chunk)) {
    throw new InputError(
      `${what}: ${binarySizeText(chunk)} is not a chunk size KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE accepts with a ${g.granule / 1024}K granule ` +
        `(kvm_is_block_size_supported(): ${sizes.map(binarySizeText).join(", ")})`,
    );
  }
}

/**
 * The geometry of a configuration: stage2Geometry()'s, whose refusals name
 * FORMAT.md's config fields (the CLI says them with its option names).
 */
export function configGeometry(c: BenchConfig): Geometry {
  return stage2Geometry(c);
}

// Argument checks of the public entries (src/pgtable/args.ts, issue 15): a caller's wrong value is refused by
// name before anything runs. The deep checks (a chunk KVM refuses, a size beyond the IPA space) stay where they
// are said with the CLI's option names.

/** A BenchConfig: a Stage2Config's fields (KvmPgtable checks them again) plus dic and eagerSplit. */
export function checkBenchConfig(v: unknown, arg: string): BenchConfig {
  const c = checkObject(v, arg);
  checkOneOf(c.granule, `${arg}.granule`, [4096, 16384, 65536]);
  checkInt(c.iaBits, `${arg}.iaBits`, 16, 52);
  checkInt(c.paBits, `${arg}.paBits`, 32, 52);
  checkBool(c.lpa2, `${arg}.lpa2`);
  checkBool(c.fwb, `${arg}.fwb`);
  checkBool(c.tlbRange, `${arg}.tlbRange`);
  checkBool(c.dic, `${arg}.dic`);
  checkInt(c.eagerSplit, `${arg}.eagerSplit`, 0, 2 ** 52);
  return v as BenchConfig;
}

/** A non-empty list of BenchConfigs. */
export function checkBenchConfigs(v: unknown, arg: string): readonly BenchConfig[] {
  const a = checkArray(v, arg);
  if (a.length === 0) throw new ArgumentError(arg, "is empty (give at least one configuration)");
  if (a.length > MAX_CONFIGS)
    throw new ArgumentError(arg, `holds ${a.length} configurations; at most ${MAX_CONFIGS} run side by side (${MAX_COMPARE_DIMS} compared switches)`);
  // An index loop, not forEach: a hole of a sparse array is refused, not skipped.
  for (let i = 0; i < a.length; i++) checkBenchConfig(a[i], `${arg}[${i}]`);
  return v as readonly BenchConfig[];
}

/** --compare's dimensions, each a name of COMPARE_DIMS. */
export function checkDims(v: unknown, arg: string): readonly CompareDim[] {
  const a = checkArray(v, arg);
  // As parseCompare(): each switch once, at most MAX_COMPARE_DIMS (2^n configurations).
  if (a.length > MAX_COMPARE_DIMS) throw new ArgumentError(arg, `holds ${a.length} switches; compare at most ${MAX_COMPARE_DIMS} at once`);
  for (let i = 0; i < a.length; i++) {
    checkOneOf(a[i], `${arg}[${i}]`, COMPARE_DIMS);
    if (a.indexOf(a[i]) !== i) throw new ArgumentError(`${arg}[${i}]`, `${shown(a[i])} is named twice`);
  }
  return v as readonly CompareDim[];
}
