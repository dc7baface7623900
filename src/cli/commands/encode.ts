import type { Argv } from "yargs";
import { EXIT_MISMATCH, type CliContext } from "../io.js";
import { decodeS2Descriptor, formatDecoded } from "../../pgtable/decode.js";
import { encodeLeafChecked } from "../../pgtable/leaf.js";
import { InputError } from "../../pgtable/u64.js";
import { flag, granuleOpt, hexOpt, intOpt, protOpt, str, withFormatOptions, type Args } from "../options.js";

/** s2pt encode --pa --level --prot: the leaf kvm_pgtable_stage2_map() writes. */
export function encodeCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "encode",
    "build the leaf descriptor the kernel writes for (pa, level, prot)",
    (b) =>
      withFormatOptions(b)
        .option("pa", { type: "string", requiresArg: true, describe: "output address, 0x-prefixed hex, aligned to the level's block size", demandOption: true })
        .option("level", { type: "string", requiresArg: true, describe: "leaf level (KVM_PGTABLE_MIN_BLOCK_LEVEL..3)", demandOption: true })
        .option("prot", { type: "string", requiresArg: true, describe: "kvm_pgtable_prot names joined by '|': R, W, X, DEVICE, NORMAL_NC, SW0..SW3", demandOption: true })
        .option("pa-bits", { type: "string", requiresArg: true, describe: "host PA size (default 48, or 52 for --lpa2 or a 64K granule)" })
        .example("$0 encode --pa 0x80000000 --level 3 --prot 'R|W'", "0x400000800007db")
        .example("$0 encode --pa 0x80000000 --level 2 --prot 'R|W|X' --no-fwb", "a 2 MiB block without FWB"),
    (args: Args) =>
      ctx.guard(() => {
        const pa = hexOpt(args, "pa");
        const level = intOpt(args, "level", -1, 3);
        const prot = protOpt(args, "prot");
        if (pa === undefined || level === undefined || prot === undefined || str(args, "prot") === undefined) {
          throw new InputError("--pa, --level and --prot are required");
        }
        const granule = granuleOpt(args);
        const lpa2 = flag(args, "lpa2");
        const fwb = args.fwb !== false;
        const paBits = intOpt(args, "pa-bits", 32, 52);
        const r = encodeLeafChecked({ granule, lpa2, fwb, paBits }, pa, level, prot);
        if (typeof r === "string") {
          // The kernel refuses this prot: its errno, explained, and a non-zero exit.
          ctx.fail(r, EXIT_MISMATCH);
          return;
        }
        const d = decodeS2Descriptor(r.value, { granule, level, lpa2, fwb, paBits });
        if (flag(args, "json")) {
          ctx.print(JSON.stringify({ descriptor: d.value, level, prot: str(args, "prot"), decoded: d }, null, 2));
        } else {
          ctx.print(`${d.value}\n${formatDecoded(d)}`);
        }
      }),
  );
}
