import { EXIT_MISMATCH } from "../io.js";
import { decodeS2Descriptor, formatDecoded, protNames } from "../../walker/decode.js";
import type { Granule } from "../../pgtable/geometry.js";
import { encodeLeafChecked } from "../../pgtable/leaf.js";
import { checkPaBits } from "../options.js";
import { FORMAT_OPTIONS, type CommandSpec } from "../spec.js";

/** s2pt encode --pa --level --prot: the leaf kvm_pgtable_stage2_map() writes. */
export const encodeCommand: CommandSpec = {
  name: "encode",
  describe: "build the leaf descriptor the kernel writes for (pa, level, prot); exit 1 when stage2_set_prot_attr() refuses the prot",
  options: {
    ...FORMAT_OPTIONS,
    pa: { type: "string", value: { kind: "u64" }, required: true, describe: "output address, 0x-prefixed hex, aligned to the level's block size" },
    level: { type: "string", value: { kind: "int", min: -1, max: 3 }, required: true, describe: "leaf level (KVM_PGTABLE_MIN_BLOCK_LEVEL..3)" },
    prot: {
      type: "string",
      value: { kind: "prot" },
      required: true,
      describe: "kvm_pgtable_prot names joined by '|': R, W, X, DEVICE, NORMAL_NC, SW0..SW3 (or KVM_PGTABLE_PROT_R ...)",
    },
    "pa-bits": {
      type: "string",
      value: { kind: "parange" },
      describe: "host PA size, a PARange size (32, 36, 40, 42, 44, 48, 52; default 48, or 52 for --lpa2 or a 64K granule)",
    },
  },
  examples: [
    ["encode --pa 0x80000000 --level 3 --prot 'R|W'", "0x400000800007db"],
    ["encode --pa 0x80000000 --level 2 --prot 'R|W|X' --no-fwb", "a 2 MiB block without FWB"],
  ],
  run: (a, ctx) => {
    const pa = a.value<bigint>("pa") as bigint;
    const level = a.value<number>("level") as number;
    const prot = a.value<number>("prot") as number;
    const granule = a.value<Granule>("granule") as Granule;
    const lpa2 = a.flag("lpa2");
    const fwb = a.flag("fwb");
    const paBits = a.value<number>("pa-bits");
    checkPaBits(paBits, granule, lpa2);
    const r = encodeLeafChecked({ granule, lpa2, fwb, paBits }, pa, level, prot);
    if (typeof r === "string") {
      // The kernel refuses this prot: its errno, explained, and exit 1 (README: exit codes).
      ctx.fail(r, EXIT_MISMATCH);
      return;
    }
    const d = decodeS2Descriptor(r.value, { granule, level, lpa2, fwb, paBits });
    if (a.flag("json")) ctx.print(JSON.stringify({ descriptor: d.value, level, prot: protNames(prot), decoded: d }, null, 2));
    else ctx.print(`${d.value}\n${formatDecoded(d)}`);
  },
};
