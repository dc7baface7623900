/**
 * `s2pt/workload`: the model behind `s2pt bench`. A workload is a pattern
 * of mmu.c's calls into pgtable.c (fault-in, THP, hugetlb 1 GiB, teardown,
 * dirty logging with eager split, an MMU notifier, a VFIO BAR under
 * src/kvm's memory-type policy) or a scenario's ops; runBench() makes an
 * exact counting pass (TLBIs by kind and level, cache maintenance, table
 * pages, descriptor stores, break-before-make) and timed runs of the same
 * calls on the public KvmPgtable API.
 *
 * @module s2pt/workload
 */

export {
  planPattern,
  planScenario,
  permutation,
  XorShift32,
  PATTERNS,
  BAR_TYPES,
  DEFAULT_PARAMS,
  MAX_BENCH_CALLS,
  type PatternParams,
  type PatternName,
  type WorkloadSpec,
  type Workload,
  type Phase,
  type Refusal,
  type Order,
  type PhaseKind,
  type BarType,
} from "./patterns.js";
export {
  runBench,
  MAX_REPS,
  MAX_BENCH_RUN_CALLS,
  MAX_BENCH_RUN_WORK,
  type BenchRequest,
  type BenchResult,
  type ConfigResult,
  type RunHooks,
  type Progress,
  type RunError,
  type Timing,
  type PhaseResult,
} from "./run.js";
export { expandConfigs, parseCompare, configLabel, COMPARE_DIMS, type BenchConfig, type CompareDim } from "./config.js";
export { KERNEL_FNS, type Counts, type TlbiByIpa } from "./counts.js";
export type { Stat } from "./clock.js";
