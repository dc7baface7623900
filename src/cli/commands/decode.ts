import { EXIT_MISMATCH } from "../io.js";
import { checkDecodeFormat, decodeS2Descriptor, formatDecoded, formatLeafVerdict, leafVerdict } from "../../walker/decode.js";
import type { Granule } from "../../pgtable/geometry.js";
import { InputError, showInput } from "../../pgtable/u64.js";
import { findRegister } from "../../kvm/registers.js";
import { decodeS1Descriptor } from "../../stage1/decode.js";
import { mairBytes } from "../../stage1/config.js";
import { addressOption, checkPaBits } from "../options.js";
import { FORMAT_OPTIONS, type CommandSpec } from "../spec.js";

/** s2pt decode <descriptor>: every field of a stage-2 descriptor (or, with --stage1, of a guest's stage-1 descriptor); --expect: a verdict. */
export const decodeCommand: CommandSpec = {
  name: "decode",
  describe:
    "decode a 64-bit stage-2 descriptor field by field (--stage1: a stage-1 descriptor of the guest's tables); --expect: is it exactly the leaf pgtable.c writes for a prot?",
  operands: [
    {
      name: "descriptor",
      describe: "the descriptor: a 64-bit value, 0x-prefixed hex (a register's value goes to s2pt reg <register> <value>)",
      value: { kind: "u64" },
      // `s2pt decode esr 0x93c08007`: a register where a descriptor is expected.
      misplaced: (text) => {
        const reg = findRegister(text);
        return reg ? `descriptor: '${showInput(text)}' is a register name: s2pt reg ${reg.name} <value> decodes registers` : undefined;
      },
    },
  ],
  options: {
    ...FORMAT_OPTIONS,
    level: { type: "string", value: { kind: "int", min: -1, max: 3 }, describe: "level the descriptor was read at (-1..3): tells a table from a page" },
    "pa-bits": {
      type: "string",
      value: { kind: "parange" },
      describe: "host PA size, a PARange size (32, 36, 40, 42, 44, 48, 52): for the address-size check (default 48, or 52 when the format carries 52 bits)",
    },
    stage1: { type: "boolean", default: false, describe: "read it as a stage-1 (VMSAv8-64 EL1&0) descriptor: AttrIndx, AP, SH, PXN/UXN, table attributes" },
    mair: { type: "string", value: { kind: "u64" }, describe: "with --stage1: MAIR_EL1 (0x-prefixed hex), to name the AttrIndx byte" },
    expect: {
      type: "string",
      value: { kind: "prot" },
      describe:
        "a kvm_pgtable_prot ('R|W', KVM_PGTABLE_PROT_* names too): say whether the descriptor is exactly the leaf pgtable.c writes for it at --level (exit 1 and the differing fields when not)",
    },
    pa: { type: "string", value: { kind: "u64" }, describe: "with --expect: the PA of that leaf (default: the descriptor's own output address)" },
  },
  examples: [
    ["decode 0x400000800007db --level 3", "a 4K R|W page with FWB"],
    ["decode 0x400000800007ff --level 3 --no-fwb", "the same page without FWB"],
    ["decode 0x400000800007db --level 3 --expect 'R|W'", "verdict: exactly what pgtable.c writes for R|W"],
    ["decode 0x480000800007db --level 3 --expect 'R|W' --pa 0x80000000", "verdict: DBM (bit 51) differs"],
    ["decode 0x6000001000170b --stage1 --level 3 --mair 0x000000040044f0ff", "a guest's Normal-NC page, PXN and UXN"],
  ],
  run: (a, ctx) => {
    const value = a.operand<bigint>("descriptor") as bigint;
    const granule = a.value<Granule>("granule") as Granule;
    const lpa2 = a.flag("lpa2");
    const level = a.value<number>("level");
    const json = a.flag("json");
    if (a.flag("stage1")) {
      if (lpa2) throw new InputError("--lpa2: stage-1 FEAT_LPA2 descriptors (TCR_EL1.DS) are not modelled");
      for (const n of ["expect", "pa", "pa-bits"]) if (a.has(n)) throw new InputError(`--${n}: not with --stage1 (it is about stage-2 leaves)`);
      if (level !== undefined && level < 0)
        throw new InputError(
          `--level: ${a.text("level")} is out of range (0..3): a stage-1 walk of the EL1&0 regime starts at level 0 or below only with FEAT_LPA2`,
        );
      const mair = a.value<bigint>("mair");
      const d = decodeS1Descriptor(value, { granule, level, mair: mair === undefined ? undefined : mairBytes(mair) });
      ctx.print(json ? JSON.stringify(d, null, 2) : formatDecoded(d));
      return;
    }
    if (a.has("mair")) throw new InputError("--mair: only with --stage1 (a stage-2 descriptor has no AttrIndx)");
    checkDecodeFormat({ granule, lpa2, level });
    const paBits = a.value<number>("pa-bits");
    checkPaBits(paBits, granule, lpa2);
    const opts = { granule, level, lpa2, fwb: a.flag("fwb"), paBits };
    const d = decodeS2Descriptor(value, opts);
    const prot = a.value<number>("expect");
    if (prot === undefined) {
      if (a.has("pa")) throw new InputError("--pa: only with --expect (the PA of the leaf to compare with)");
      ctx.print(json ? JSON.stringify(d, null, 2) : formatDecoded(d));
      return;
    }
    if (level === undefined) throw new InputError("--expect: needs --level (the leaf pgtable.c writes depends on it: a page at level 3, a block above)");
    const v = leafVerdict(value, prot, { ...opts, level }, addressOption(a, "pa"));
    ctx.print(json ? JSON.stringify({ ...d, verdict: v }, null, 2) : `${formatDecoded(d)}\n${formatLeafVerdict(v, d.value)}`);
    if (!v.identical) ctx.code = EXIT_MISMATCH;
  },
};
