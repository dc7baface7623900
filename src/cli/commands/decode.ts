import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { checkDecodeFormat, decodeS2Descriptor, formatDecoded } from "../../pgtable/decode.js";
import { PARANGE_BITS } from "../../pgtable/geometry.js";
import { InputError } from "../../pgtable/u64.js";
import { flag, granuleOpt, intOpt, parseHexText, str, withFormatOptions, type Args } from "../options.js";
import { decodeS1Descriptor } from "../../pgtable/s1descriptor.js";
import { mairBytes } from "../../stage1/config.js";
import { findRegister } from "../../kvm/registers.js";

/** s2pt decode <descriptor>: every field of a stage-2 descriptor (or, with --stage1, of a guest's stage-1 descriptor). */
export function decodeCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "decode <descriptor> [value]",
    "decode a 64-bit stage-2 descriptor field by field (--stage1: a stage-1 descriptor of the guest's tables)",
    (b) =>
      withFormatOptions(b)
        .positional("descriptor", { type: "string", describe: "the descriptor, hex (0x-prefixed or bare hex digits)" })
        .positional("value", { type: "string", describe: "(none; a register's value goes to s2pt reg <NAME> <value>)" })
        .option("level", { type: "string", requiresArg: true, describe: "level the descriptor was read at (-1..3): tells a table from a page" })
        .option("pa-bits", { type: "string", requiresArg: true, describe: "host PA size, for the address-size check (default 48, or 52 when the format carries 52 bits)" })
        .option("stage1", { type: "boolean", default: false, describe: "read it as a stage-1 (VMSAv8-64 EL1&0) descriptor: AttrIndx, AP, SH, PXN/UXN, table attributes" })
        .option("mair", { type: "string", requiresArg: true, describe: "with --stage1: MAIR_EL1 (0x-prefixed), to name the AttrIndx byte" })
        .example("$0 decode 0x400000800007db --level 3", "a 4K R|W page with FWB")
        .example("$0 decode 0x6000001000170b --stage1 --level 3 --mair 0x000000040044f0ff", "a guest's Normal-NC page, PXN and UXN")
        .example("$0 decode 0x400000800007ff --level 3 --no-fwb", "the same page without FWB"),
    (args: Args) =>
      ctx.guard(() => {
        const text = str(args, "descriptor");
        if (text === undefined) throw new InputError("descriptor: missing");
        const reg = findRegister(text);
        if (reg || str(args, "value") !== undefined) throw new InputError(reg ? `descriptor: '${text}' is a register name: s2pt reg ${reg.name} <value> decodes registers` : `decode: one descriptor only ('${str(args, "value")}' is extra)`);
        const value = parseHexText(text, "descriptor", true);
        const granule = granuleOpt(args);
        const mairText = str(args, "mair");
        if (flag(args, "stage1")) {
          if (flag(args, "lpa2")) throw new InputError("--lpa2: stage-1 FEAT_LPA2 descriptors (TCR_EL1.DS) are not modelled");
          const l1 = intOpt(args, "level", 0, 3);
          const mair = mairText === undefined ? undefined : mairBytes(parseHexText(mairText, "--mair", false));
          const d = decodeS1Descriptor(value, { granule, level: l1, mair });
          ctx.print(flag(args, "json") ? JSON.stringify(d, null, 2) : formatDecoded(d));
          return;
        }
        if (mairText !== undefined) throw new InputError("--mair: only with --stage1 (a stage-2 descriptor has no AttrIndx)");
        const lpa2 = flag(args, "lpa2");
        const level = intOpt(args, "level", -1, 3);
        checkDecodeFormat({ granule, lpa2, level });
        const paBits = intOpt(args, "pa-bits", 32, 52);
        if (paBits !== undefined && !(PARANGE_BITS as readonly number[]).includes(paBits)) {
          throw new InputError(`--pa-bits: ${paBits} is not a PARange size (${PARANGE_BITS.join(", ")})`);
        }
        const d = decodeS2Descriptor(value, { granule, level, lpa2, fwb: args.fwb !== false, paBits });
        ctx.print(flag(args, "json") ? JSON.stringify(d, null, 2) : formatDecoded(d));
      }),
  );
}
