/**
 * The shapes of a parsed scenario (../shared/conformance/FORMAT.md plus
 * s2pt's extensions) and of the results its operations give. Types only:
 * the parser (format.ts), the op table (ops.ts) and the replay engine
 * (replay.ts) all read them from here, so none of them imports another for
 * its types.
 */

import type { Stage2Config } from "../pgtable/geometry.js";
import type { EventJson } from "../pgtable/events.js";
import type { GuestSpec } from "../stage1/spec.js";

/**
 * How a field of an operation is written in a scenario file, and what it
 * becomes (format.ts FIELD_KINDS parses and writes each kind):
 *
 *   addr    "0x..." below 2^52           -> number (an IPA, PA or size)
 *   va      "0x..." below 2^64           -> bigint (a guest virtual address)
 *   prot    "R|W|X|DEVICE|..."           -> PROT_* bits
 *   flags   "SHARED|HANDLE_FAULT|..."    -> WALK_* bits
 *   owner   0..255                       -> number
 *   bool    true / false                 -> boolean
 *   access  "r" | "w" | "x" (and words)  -> "r" | "w" | "x"
 *   el      0 | 1                        -> number
 *   attr    0..255 (a MAIR Attr byte)    -> number, -1 when absent
 *   sh      0, 2, 3                      -> number, -1 when absent
 */
export type FieldKind = "addr" | "va" | "prot" | "flags" | "owner" | "bool" | "access" | "el" | "attr" | "sh";

/**
 * A parsed operation: `op` names its entry in the op table (ops.ts
 * OP_SPECS); the other fields hold what the op's entry lists, the rest
 * their defaults. Addresses and sizes are numbers below 2^52; names are
 * already bits.
 */
export interface ScenarioOp {
  /** The operation's name, a key of OP_SPECS. */
  op: string;
  /** The IPA the operation starts at. */
  ipa: number;
  /** The size of its range, bytes. */
  size: number;
  /** The PA of a map. */
  pa: number;
  /** KVM_PGTABLE_PROT_* bits (map, relax_perms). */
  prot: number;
  /** KVM_PGTABLE_WALK_* bits (map, mkyoung, relax_perms). */
  flags: number;
  /** The owner id of set_owner. */
  owner: number;
  /** test_clear_young's mkold. */
  mkold: boolean;
  /** A guest VA (translate_va), 64 bits. */
  va: bigint;
  /** The access of a model-only translation: "r", "w" or "x". */
  access: string;
  /** The Exception level of that access (0 or 1). */
  el: number;
  /** A stage-1 MAIR Attr byte, or -1. */
  attr: number;
  /** A stage-1 SH, or -1. */
  sh: number;
}

/** The fields of an operation, by name (everything of ScenarioOp but its name). */
export type OpFieldName = Exclude<keyof ScenarioOp, "op">;

/** A whole parsed scenario. */
export interface Scenario {
  /** The scenario's name ("" when the file gives none). */
  name: string;
  /** The stage-2 configuration (granule, IPA and PA size, LPA2, FWB, TLBIRANGE). */
  config: Stage2Config;
  /** Table pages in the memory cache at the start of each op; Infinity when absent. */
  memcache: number;
  /** The operations, in order. */
  ops: ScenarioOp[];
  /**
   * s2pt extension (config `max_table_pages`): most table pages the host may
   * hold at once, root pages included; an allocation beyond it fails like an
   * empty memory cache (-ENOMEM). Undefined: the scenario default (limits.ts).
   */
  maxTablePages?: number;
  /** The guest's stage-1 setup (an s2pt extension, docs/two-stage.md), or null. */
  guest: GuestSpec | null;
}

/** Counts per kind name (event kinds of EVENT_NAMES, or dump kinds), only the non-zero ones. */
export type KindCounts = Record<string, number>;

/** A kernel op's result in FORMAT.md's form: ret, pte/level (get_leaf) or young (test_clear_young), its events. */
export interface OpResult {
  /** 0 or the kernel's negative errno. */
  ret: number;
  /** get_leaf: the descriptor found, hex. */
  pte?: string;
  /** get_leaf: the level it was found at. */
  level?: number;
  /** test_clear_young: whether the range was young. */
  young?: boolean;
  /** The TLB and cache maintenance the op asked for, in order. */
  events: EventJson[];
  /**
   * Present only when some of this op's events are not in `events`: how
   * many of each kind were left out (the result's record limit,
   * MAX_EVENT_RECORDS; `events` then holds the first ones, in order).
   */
  events_not_recorded?: KindCounts;
  [extra: string]: unknown;
}

/** The result of a model-only op: its own fields (docs/walker.md for `translate`), no ret or events. */
export interface ModelOpResult {
  [field: string]: unknown;
}

/** A kernel op's outcome before its events are turned into records: ret and the op's extra fields. */
export interface ExecResult {
  /** 0 or the kernel's negative errno. */
  ret: number;
  /** get_leaf: the descriptor, hex. */
  pte?: string;
  /** get_leaf: its level. */
  level?: number;
  /** test_clear_young: the answer. */
  young?: boolean;
}
