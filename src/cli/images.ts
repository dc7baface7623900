/**
 * Memory images on the command line (docs/memory-images.md): `--image FILE`
 * with `--base 0xPA` for a raw little-endian binary, without it for JSON
 * pages; the registers as raw values (`--vttbr --vtcr [--hcr] [--pa-bits]`,
 * and for a guest VA `--tcr --mair --sctlr [--ttbr0] [--ttbr1]`). Files are
 * read as every input file is (io.ts: regular files only, 16 MiB each,
 * 64 MiB a run); every refusal is one line naming the file, option or
 * register field.
 */

import { InputError, hex } from "../pgtable/u64.js";
import type { PhysMemory } from "../pgtable/physmem.js";
import { fieldNum } from "../regs/field.js";
import { HCR } from "../regs/hcr.js";
import { imageFromBinary, imageFromJson } from "../scenario/image.js";
import { guestConfigFromRegisters, type S1FromRegisters } from "../stage1/image.js";
import { ImageTables, s2WalkParams } from "../walker/image.js";
import { bytesAsText, looksLikeText, readFileBytes, showPath, type CliContext } from "./io.js";
import { naming } from "./scenarios.js";
import type { CommandArgs, OptionSpec } from "./spec.js";

const u64 = { kind: "u64" } as const;

/** The options of a walk over a memory image (walk, fault). */
export const IMAGE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  image: {
    type: "string",
    value: { kind: "path" },
    describe: "walk the tables in a memory image instead of a scenario's: JSON pages, or a raw little-endian binary with --base (docs/memory-images.md)",
  },
  base: { type: "string", value: u64, describe: "with --image: the PA of the raw binary image's first byte, 0x-prefixed hex, 4K aligned" },
  vttbr: { type: "string", value: u64, describe: "with --image: VTTBR_EL2 (BADDR, VMID, CnP), 0x-prefixed hex" },
  vtcr: { type: "string", value: u64, describe: "with --image: VTCR_EL2 (T0SZ, SL0, SL2, TG0, PS, DS, HA, HD, VS, ...), 0x-prefixed hex" },
  hcr: { type: "string", value: u64, describe: "with --image: HCR_EL2 (VM, FWB, DC, DCT, CD, ID, PTW), 0x-prefixed hex (default 0x1: VM, no FWB)" },
  "pa-bits": {
    type: "string",
    value: { kind: "parange" },
    describe: "with --image: the PE's implemented PA size, PAMax (default: the size VTCR_EL2.PS gives)",
  },
  ttbr0: { type: "string", value: u64, describe: "with --image --va: TTBR0_EL1 (default 0x0)" },
  ttbr1: { type: "string", value: u64, describe: "with --image --va: TTBR1_EL1 (default 0x0)" },
  tcr: { type: "string", value: u64, describe: "with --image --va: TCR_EL1" },
  mair: { type: "string", value: u64, describe: "with --image --va: MAIR_EL1" },
  sctlr: { type: "string", value: u64, describe: "with --image --va: SCTLR_EL1 (M, C, I, WXN)" },
};

const STAGE2_ONLY = ["base", "vttbr", "vtcr", "hcr", "pa-bits"];
const STAGE1_ONLY = ["ttbr0", "ttbr1", "tcr", "mair", "sctlr"];

/** Refuse image options given without --image. */
export function refuseImageOptions(a: CommandArgs): void {
  for (const o of [...STAGE2_ONLY, ...STAGE1_ONLY]) if (a.has(o)) throw new InputError(`--${o}: only with --image (a memory image's registers)`);
}

/** Read --image (and --base): a raw binary with --base, JSON pages without. */
export function loadImage(ctx: CliContext, path: string, base: bigint | undefined): PhysMemory {
  if (path === "-") throw new InputError("--image: give a file (standard input is for scenarios)");
  const label = showPath(path);
  const bytes = readFileBytes(ctx, path);
  if (base !== undefined) {
    if (base >= 2n ** 52n) throw new InputError(`--base ${hex(base)}: beyond the 52-bit PA space`);
    // Table pages hold zero bytes; a file with none that opens with '{' is JSON pages given a --base by mistake.
    if (looksLikeText(bytes) && /^\s*\{/.test(new TextDecoder().decode(bytes.subarray(0, 64))))
      throw new InputError(`${label}: is JSON pages (text), not a raw image: give it without --base (its keys are the PAs)`);
    return imageFromBinary(bytes, Number(base), label);
  }
  if (!looksLikeText(bytes))
    throw new InputError(`${label}: is binary: a raw image needs --base (the PA of its first byte); without it the image is JSON pages`);
  const text = bytesAsText(bytes, label);
  return naming(label, () => imageFromJson(text));
}

/** The stage-2 registers (--vttbr, --vtcr, --hcr, --pa-bits) over an image: its tables, with the notes on what was read but not modelled. */
export function imageTables(a: CommandArgs, mem: PhysMemory): ImageTables {
  const vttbr = a.value<bigint>("vttbr");
  const vtcr = a.value<bigint>("vtcr");
  if (vttbr === undefined) throw new InputError("--vttbr: missing: a walk over --image needs VTTBR_EL2 and VTCR_EL2 (0x-prefixed hex)");
  if (vtcr === undefined) throw new InputError("--vtcr: missing: a walk over --image needs VTTBR_EL2 and VTCR_EL2 (0x-prefixed hex)");
  const hcr = a.value<bigint>("hcr") ?? 1n;
  const paMax = a.value<number>("pa-bits");
  const params = s2WalkParams({ vttbr, vtcr, fwb: fieldNum(hcr, HCR.FWB) === 1, ...(paMax !== undefined ? { paMax } : {}) });
  return new ImageTables(mem, params);
}

/** The stage-1 registers (--ttbr0/1, --tcr, --mair, --sctlr, --hcr) for a guest VA over an image. */
export function imageGuest(a: CommandArgs): S1FromRegisters {
  for (const o of ["tcr", "mair", "sctlr"]) {
    if (!a.has(o))
      throw new InputError(`--${o}: missing: --va over --image needs the guest's TCR_EL1, MAIR_EL1 and SCTLR_EL1 (TTBR0/1_EL1 default to 0x0, HCR_EL2 to 0x1)`);
  }
  return guestConfigFromRegisters({
    ttbr0: a.value<bigint>("ttbr0") ?? 0n,
    ttbr1: a.value<bigint>("ttbr1") ?? 0n,
    tcr: a.value<bigint>("tcr") as bigint,
    mair: a.value<bigint>("mair") as bigint,
    sctlr: a.value<bigint>("sctlr") as bigint,
    hcr: a.value<bigint>("hcr") ?? 1n,
  });
}

/** Refuse the stage-1 registers where the walk has no stage 1 (--ipa). */
export function refuseStage1Registers(a: CommandArgs): void {
  for (const o of STAGE1_ONLY) if (a.has(o)) throw new InputError(`--${o}: only with --va (a guest VA's stage-1 registers)`);
}

/** One line describing an image's stage-2 view: its frames and where the walk starts. */
export function imageSummary(path: string, mem: PhysMemory, t: ImageTables | null): string {
  const pas = mem.framePas();
  const first = pas[0];
  const last = pas[pas.length - 1] + 4096;
  const where =
    t === null
      ? "stage 2 off"
      : `stage-2 root table at ${hex(t.params.baddr)}${t.holdsPage(t.params.baddr) ? "" : " (not in the image: every walk takes an external abort)"}`;
  return `image ${showPath(path)}: ${pas.length} 4K frames in ${hex(first)}..${hex(last)}; ${where}`;
}
