import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { decodeS2Descriptor, formatDecoded } from "../../pgtable/decode.js";
import { PARANGE_BITS } from "../../pgtable/geometry.js";
import { InputError } from "../../pgtable/u64.js";
import { flag, granuleOpt, intOpt, parseHexText, str, withFormatOptions, type Args } from "../options.js";

/** s2pt decode <descriptor>: every field of a stage-2 descriptor. */
export function decodeCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "decode <descriptor>",
    "decode a 64-bit stage-2 descriptor field by field",
    (b) =>
      withFormatOptions(b)
        .positional("descriptor", { type: "string", describe: "the descriptor, hex (0x-prefixed or bare hex digits)" })
        .option("level", { type: "string", requiresArg: true, describe: "level the descriptor was read at (-1..3): tells a table from a page" })
        .option("pa-bits", { type: "string", requiresArg: true, describe: "host PA size, for the address-size check (default 48, or 52 when the format carries 52 bits)" })
        .example("$0 decode 0x400000800007db --level 3", "a 4K R|W page with FWB")
        .example("$0 decode 0x400000800007ff --level 3 --no-fwb", "the same page without FWB"),
    (args: Args) =>
      ctx.guard(() => {
        const text = str(args, "descriptor");
        if (text === undefined) throw new InputError("descriptor: missing");
        const value = parseHexText(text, "descriptor", true);
        const granule = granuleOpt(args);
        const lpa2 = flag(args, "lpa2");
        if (lpa2 && granule === 65536) throw new InputError("--lpa2: FEAT_LPA2 descriptors exist for 4K and 16K granules only");
        const level = intOpt(args, "level", -1, 3);
        if (level === -1 && !(lpa2 && granule === 4096)) throw new InputError("--level: level -1 exists only with a 4K granule and FEAT_LPA2");
        // 64K tables have levels 1..3 only (kvm_granule_shift(0) = 55 would index bits above 52).
        if (level === 0 && granule === 65536) throw new InputError("--level: a 64K granule has no level 0 (its tables are levels 1..3)");
        const paBits = intOpt(args, "pa-bits", 32, 52);
        if (paBits !== undefined && !(PARANGE_BITS as readonly number[]).includes(paBits)) {
          throw new InputError(`--pa-bits: ${paBits} is not a PARange size (${PARANGE_BITS.join(", ")})`);
        }
        const d = decodeS2Descriptor(value, { granule, level, lpa2, fwb: args.fwb !== false, paBits });
        ctx.print(flag(args, "json") ? JSON.stringify(d, null, 2) : formatDecoded(d));
      }),
  );
}
