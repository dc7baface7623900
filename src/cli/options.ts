/**
 * Option parsing shared by the commands. yargs is told every value is a
 * string (it would otherwise turn "0x10" into 16 and lose bits above 2^53);
 * the parsers here check and convert them, naming the option on error.
 */

import type { Argv } from "yargs";
import { parseGranule, type Granule } from "../pgtable/geometry.js";
import { parseNames } from "../pgtable/scenario.js";
import { PROT_NAMES } from "../pgtable/descriptor.js";
import { InputError, parseHexText } from "../pgtable/u64.js";

export type Args = Record<string, unknown>;

/** A string option as given (yargs may hand over an array when an option is repeated). */
export function str(args: Args, name: string): string | undefined {
  const v = args[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new InputError(`--${name}: given more than once`);
  if (typeof v === "boolean") throw new InputError(`--${name}: needs a value`);
  return String(v);
}

export function flag(args: Args, name: string): boolean {
  const v = args[name];
  if (Array.isArray(v)) throw new InputError(`--${name}: given more than once`);
  return v === true;
}

export function granuleOpt(args: Args): Granule {
  return parseGranule(str(args, "granule") ?? "4k", "--granule");
}

/** An integer option within [lo, hi]. */
export function intOpt(args: Args, name: string, lo: number, hi: number): number | undefined {
  const s = str(args, name);
  if (s === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(s.trim())) throw new InputError(`--${name}: '${s}' is not an integer`);
  const n = Number(s);
  if (n < lo || n > hi) throw new InputError(`--${name}: ${n} is outside ${lo}..${hi}`);
  return n;
}

/** One of `allowed` (case-insensitive), or undefined when not given. */
export function choiceOpt<T extends string>(args: Args, name: string, allowed: readonly T[]): T | undefined {
  const s = str(args, name);
  if (s === undefined) return undefined;
  const t = s.trim().toLowerCase() as T;
  if (!allowed.includes(t)) throw new InputError(`--${name}: '${s}' is not one of ${allowed.join(", ")}`);
  return t;
}

/** A hex value (0x-prefixed, or bare hex digits when `bareHex`) below 2^64. */
export function hexOpt(args: Args, name: string, bareHex = false): bigint | undefined {
  const s = str(args, name);
  if (s === undefined) return undefined;
  return parseHexText(s, `--${name}`, bareHex);
}

export { parseHexText };

export function protOpt(args: Args, name = "prot"): number | undefined {
  const s = str(args, name);
  if (s === undefined) return undefined;
  return parseNames(s, `--${name}`, PROT_NAMES, "prot");
}

/** Options every command that reads or builds descriptors shares. */
export function withFormatOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option("granule", { type: "string", requiresArg: true, describe: "translation granule: 4k, 16k or 64k", default: "4k" })
    .option("lpa2", { type: "boolean", describe: "FEAT_LPA2 descriptor format (52-bit OA with 4K/16K)", default: false })
    .option("fwb", { type: "boolean", describe: "FEAT_S2FWB in use (--no-fwb: KVM_PGTABLE_S2_NOFWB)", default: true })
    .option("json", { type: "boolean", describe: "machine-readable output", default: false }) as Argv<T>;
}
