/**
 * What a command is, declared once: its operands, its options with the kind
 * of value each takes, its examples and its body. The argument reader
 * (args.ts), the help (help.ts) and the bad-input test matrix
 * (test/cli/bad-input.test.ts) all work from these declarations, so an
 * option cannot be added without being parsed strictly, documented and
 * tested.
 */

import type { CliContext } from "./io.js";

/**
 * The kind of value an option or operand takes; args.ts has one parser per
 * kind (the numbers through src/pgtable/u64.ts, the names through
 * src/scenario/names.ts).
 */
export type ValueKind =
  /** A 64-bit value: 0x/0X hex (addresses, descriptors, register values). */
  | { kind: "u64" }
  /** A small number (decimal, 0x hex, 0b binary) within min..max. */
  | { kind: "int"; min: number; max: number }
  /** A host PA size: one of the ID_AA64MMFR0_EL1.PARange sizes. */
  | { kind: "parange" }
  /** A MAIR_EL1 Attr byte: a small number 0..0xff or a MAIR_ATTR_* name (normal, wc, device-ngnre, ...). */
  | { kind: "mair" }
  /** A stage-2 MemAttr[3:0]: a small number 0..0xf or an MT_S2_* / MT_S2_FWB_* name (per --fwb). */
  | { kind: "memattr" }
  /** A shareability: 0 / nsh, 2 / osh, 3 / ish. */
  | { kind: "sh" }
  /** An access: r / read, w / write, x / exec / execute. */
  | { kind: "access" }
  /** A translation granule: 4k, 16k, 64k (or 4096, 16384, 65536). */
  | { kind: "granule" }
  /** kvm_pgtable_prot names joined by '|' (R, W, X, DEVICE, NORMAL_NC, SW0..SW3, or KVM_PGTABLE_PROT_*). */
  | { kind: "prot" }
  /** One word of a list; `parse` is the model's own parser of it. */
  | { kind: "word"; words: readonly string[]; parse?: (text: string, what: string) => unknown }
  /** A file or directory path ("-" for standard input where the command says so). */
  | { kind: "path" };

/** A value read by its kind. */
export type Value = bigint | number | string | boolean | readonly string[];

/** What a command's body gets: its operands and options, read and checked (args.ts ParsedArgs). */
export interface CommandArgs {
  /** An operand's value, read by its kind; undefined when it was not given. */
  operand<T extends Value>(name: string): T | undefined;
  /** An operand as typed; undefined when it was not given. */
  operandText(name: string): string | undefined;
  /** Whether the option was given on the command line. */
  has(name: string): boolean;
  /** The text given for a string option (undefined when absent). */
  text(name: string): string | undefined;
  /** A boolean option: as given, else its default. */
  flag(name: string): boolean;
  /** A string option's value, read by its kind (or its default's); undefined when absent without a default. */
  value<T extends Value>(name: string): T | undefined;
}

export interface OptionSpec {
  type: "boolean" | "string";
  describe: string;
  /** Shown in the help; the value when the option is absent (booleans default to false). */
  default?: boolean | string;
  /** For string options: what the value is. */
  value?: ValueKind;
  required?: boolean;
  /**
   * A boolean that, when true, is the whole request and takes no operands
   * (`reg --list`): the operands are then neither required nor accepted.
   */
  noOperands?: boolean;
}

export interface OperandSpec {
  /** Names it in the usage line (<name>) and in a refusal of its value ("name: ..."). */
  name: string;
  describe: string;
  value: ValueKind;
  /** May be left out; optional operands come after the required ones. */
  optional?: boolean;
  /**
   * A word that is not this operand but another command's input (decode: a
   * register name where a descriptor is expected): the one-line refusal
   * that says where it goes. Asked before the operands are counted.
   */
  misplaced?: (text: string) => string | undefined;
}

export interface CommandSpec {
  name: string;
  describe: string;
  /** The operands, in the order they are given (none: the command takes options only). */
  operands?: readonly OperandSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  /** [command line after "s2pt ", what it shows]. */
  examples: ReadonlyArray<readonly [string, string]>;
  run: (args: CommandArgs, ctx: CliContext) => void;
}

/** Options every command that reads or builds stage-2 descriptors shares. */
export const FORMAT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  granule: { type: "string", value: { kind: "granule" }, describe: "translation granule: 4k, 16k or 64k", default: "4k" },
  lpa2: { type: "boolean", describe: "FEAT_LPA2 descriptor format (52-bit OA with 4K/16K)", default: false },
  fwb: { type: "boolean", describe: "FEAT_S2FWB in use (--no-fwb: KVM_PGTABLE_S2_NOFWB)", default: true },
  json: { type: "boolean", describe: "machine-readable output", default: false },
};
