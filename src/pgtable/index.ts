/**
 * `s2pt/pgtable`: the kernel's model. A stage-2 page table exactly as Linux
 * KVM/arm64 6.18.25 (arch/arm64/kvm/hyp/pgtable.c) builds it, with every
 * operation of its kvm_pgtable_stage2_* API, the maintenance each asks for,
 * the descriptor bits, the geometry (kvm_get_vtcr(), kvm_pgd_pages()) and
 * the kernel's debugfs dump.
 *
 * Conventions, the same at every entry of the package: an address or a size
 * is a `number`, a non-negative integer below 2^53 (every IPA and PA has at
 * most 52 bits); a 64-bit value that is not such an address (a descriptor,
 * a register, a guest VA) is a `bigint`. Results are returned, never left in
 * fields, and are JSON-safe: addresses, sizes and 64-bit values in them are
 * "0x" hex strings as the kernel prints them. A value the kernel's C API
 * could not receive is refused with an ArgumentError naming the argument,
 * before anything changes. Batch APIs (GetLeafBatch) take caller-owned
 * typed arrays and say so.
 *
 * @module s2pt/pgtable
 */

export { KvmPgtable, type GetLeafResult, type StoreHook } from "./pgtable.js";
export { PhysMemory } from "./physmem.js";
export type { WalkTables } from "./walkgen.js";
export { TableMemoryError, type StorageOptions } from "./storage.js";
export {
  GRANULES,
  stage2Geometry,
  ipaLimit,
  granuleName,
  type Granule,
  type Stage2Config,
  type Geometry,
  type LevelInfo,
  type VtcrFields,
} from "./geometry.js";
export { encodeLeaf, protRefusal, type LeafEncodeSpec, type EncodeLeafResult } from "./leaf.js";
export { GetLeafBatch, GETLEAF_LANES, type GetLeafBatchOptions } from "./getleaf.js";
export { MaintenanceLog, EVENT_NAMES, MAX_TLBI_RANGE_PAGES, DEFAULT_LOG_RECORDS, type EventJson } from "./events.js";
export { ptdump, type PtdumpOptions } from "./ptdump.js";
export { MAX_OP_LEAVES, type LeafBound, type LeafBoundKind } from "./limits.js";
export { ArgumentError, ADDRESS_LIMIT } from "./args.js";
export { setRawPte, contiguousBits, type RawPteResult } from "./rawpte.js";
export { InputError, parseU64, parseByteSize, hex } from "./u64.js";
export {
  PROT_X,
  PROT_W,
  PROT_R,
  PROT_DEVICE,
  PROT_NORMAL_NC,
  PROT_SW0,
  PROT_SW1,
  PROT_SW2,
  PROT_SW3,
  PROT_SW,
  PROT_RW,
  PROT_RWX,
  PROT_NAMES,
  WALK_LEAF,
  WALK_TABLE_PRE,
  WALK_TABLE_POST,
  WALK_SHARED,
  WALK_HANDLE_FAULT,
  WALK_SKIP_BBM_TLBI,
  WALK_SKIP_CMO,
  WALK_FLAG_NAMES,
  EPERM,
  ENOENT,
  E2BIG,
  ENOEXEC,
  EAGAIN,
  ENOMEM,
  EFAULT,
  EINVAL,
  ERANGE,
  ERRNO_NAMES,
  MT_S2_NORMAL,
  MT_S2_NORMAL_NC,
  MT_S2_DEVICE_nGnRE,
  MT_S2_NORMAL_NOTAGACCESS,
  MT_S2_FWB_NORMAL,
  MT_S2_FWB_NORMAL_NC,
  MT_S2_FWB_DEVICE_nGnRE,
  MT_S2_FWB_NORMAL_NOTAGACCESS,
  MT_S2_FWB_AS_S1,
  KVM_PGTABLE_FIRST_LEVEL,
  KVM_PGTABLE_LAST_LEVEL,
  KVM_MAX_OWNER_ID,
} from "./descriptor.js";
