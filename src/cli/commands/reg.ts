import { REGISTERS, registerByName } from "../../kvm/registers.js";
import { formatRegister } from "../../regs/format.js";
import type { CommandSpec } from "../spec.js";
import { formatGeometry, geometryJson } from "./geometry.js";

function listText(): string {
  const w = Math.max(...REGISTERS.map((r) => r.name.length));
  return REGISTERS.map((r) => `${r.name.padEnd(w)}  ${(r.aliases.length ? r.aliases.join(", ") : "-").padEnd(6)}  ${r.title}`).join("\n");
}

/** Every name `reg` takes for a register: the Arm ARM name and the short forms. */
const REGISTER_WORDS: readonly string[] = REGISTERS.flatMap((r) => [r.name.toLowerCase(), ...r.aliases]);

/** s2pt reg <register> <value>: a system register field by field (src/regs), with what KVM and s2pt make of it. */
export const regCommand: CommandSpec = {
  name: "reg",
  describe:
    "decode a system register value field by field with the Arm ARM's names (ESR_EL2/EL1, HPFAR_EL2, FAR, PAR_EL1, VTCR_EL2, VTTBR_EL2, MAIR_EL1, TCR_EL1, SCTLR_EL1, HCR_EL2, ID_AA64MMFR0/1/2_EL1); RES0/RES1 violations flagged",
  operands: [
    {
      name: "register",
      describe: "the register's name, case-insensitive: ESR_EL2 or its short name esr, ... (s2pt reg --list)",
      // The canonical name (ESR_EL2 for esr); run() looks the decoder up by it.
      value: { kind: "word", words: REGISTER_WORDS, parse: (t, w) => registerByName(t, w).name },
    },
    {
      name: "value",
      describe: "the register's value: 64 bits, 0x-prefixed hex like every 64-bit value (a crash log's bare digits take a 0x)",
      value: { kind: "u64" },
    },
  ],
  options: {
    list: { type: "boolean", default: false, noOperands: true, describe: "list the registers and their short names (takes no <register> <value>)" },
    xs: { type: "boolean", default: false, describe: "FEAT_XS: MAIR bytes 0x40, 0xA0 and Device dd01 are valid (reserved without it)" },
    json: { type: "boolean", default: false, describe: "machine-readable output" },
  },
  examples: [
    ["reg esr 0x93c08007", "a stage-2 Data Abort: fields, fault status code and level"],
    ["reg VTCR_EL2 0x802a3558", "the fields and the stage-2 geometry they imply"],
    ["reg mair 0x000000040044f0ff", "the eight attributes, named"],
    ["reg --list", "the registers s2pt decodes"],
  ],
  run: (a, ctx) => {
    const json = a.flag("json");
    if (a.flag("list")) {
      if (json)
        ctx.print(
          JSON.stringify(
            REGISTERS.map((r) => ({ name: r.name, aliases: r.aliases, title: r.title })),
            null,
            2,
          ),
        );
      else ctx.print(listText());
      return;
    }
    const reg = registerByName(a.operand<string>("register") as string);
    const r = reg.decode(a.operand<bigint>("value") as bigint, { xs: a.flag("xs") });
    if (json) {
      const out: Record<string, unknown> = { ...r.decoded, ...r.extra };
      if (r.geometry) out.geometry = geometryJson(r.geometry);
      ctx.print(JSON.stringify(out, null, 2));
      return;
    }
    let out = formatRegister(r.decoded);
    for (const l of r.extraLines) out += `\n  ${l}`;
    if (r.geometry) out += `\n\nthe stage 2 it describes (as s2pt geometry prints it):\n${formatGeometry(r.geometry)}`;
    ctx.print(out);
  },
};
