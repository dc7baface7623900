import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { REGISTERS, registerByName } from "../../kvm/registers.js";
import { formatRegister } from "../../regs/format.js";
import { InputError } from "../../pgtable/u64.js";
import { flag, parseHexText, str, type Args } from "../options.js";
import { formatGeometry, geometryJson } from "./geometry.js";

function listText(): string {
  const w = Math.max(...REGISTERS.map((r) => r.name.length));
  return REGISTERS.map((r) => `${r.name.padEnd(w)}  ${(r.aliases.length ? r.aliases.join(", ") : "-").padEnd(6)}  ${r.title}`).join("\n");
}

/** s2pt reg <NAME> <value>: a system register field by field (src/regs), with what KVM and s2pt make of it. */
export function regCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "reg [name] [value]",
    "decode a system register value field by field with the Arm ARM's names (ESR_EL2/EL1, HPFAR_EL2, FAR, PAR_EL1, VTCR_EL2, VTTBR_EL2, MAIR_EL1, TCR_EL1, SCTLR_EL1, HCR_EL2, ID_AA64MMFR0/1/2_EL1); RES0/RES1 violations flagged",
    (b) =>
      b
        .positional("name", { type: "string", describe: "register name, case-insensitive (esr = ESR_EL2; s2pt reg --list)" })
        .positional("value", { type: "string", describe: "the value, hex (0x-prefixed or bare hex digits, as a crash log prints it)" })
        .option("list", { type: "boolean", default: false, describe: "list the registers and their short names" })
        .option("xs", { type: "boolean", default: false, describe: "FEAT_XS: MAIR bytes 0x40, 0xA0 and Device dd01 are valid (reserved without it)" })
        .option("json", { type: "boolean", default: false, describe: "machine-readable output" })
        .example("$0 reg esr 0x93c08007", "a stage-2 Data Abort: fields, fault status code and level")
        .example("$0 reg VTCR_EL2 0x800a3558", "the fields and the stage-2 geometry they imply")
        .example("$0 reg mair 0x000000040044f0ff", "the eight attributes, named")
        .example("$0 reg --list", "the registers s2pt decodes"),
    (args: Args) =>
      ctx.guard(() => {
        const name = str(args, "name");
        const text = str(args, "value");
        if (flag(args, "list")) {
          if (name !== undefined) throw new InputError("--list: takes no register name (s2pt reg --list, or s2pt reg <NAME> <value>)");
          if (flag(args, "json")) ctx.print(JSON.stringify(REGISTERS.map((r) => ({ name: r.name, aliases: r.aliases, title: r.title })), null, 2));
          else ctx.print(listText());
          return;
        }
        if (name === undefined) throw new InputError("reg: give a register name and a value, e.g. s2pt reg esr 0x93c08007 (s2pt reg --list names the registers)");
        const reg = registerByName(name);
        if (text === undefined) throw new InputError(`${reg.name}: missing its value (s2pt reg ${reg.name} <value>)`);
        const value = parseHexText(text, reg.name, true);
        const r = reg.decode(value, { xs: flag(args, "xs") });
        if (flag(args, "json")) {
          const out: Record<string, unknown> = { ...r.decoded, ...r.extra };
          if (r.geometry) out.geometry = geometryJson(r.geometry);
          ctx.print(JSON.stringify(out, null, 2));
          return;
        }
        let out = formatRegister(r.decoded);
        for (const l of r.extraLines) out += `\n  ${l}`;
        if (r.geometry) out += `\n\nthe stage 2 it describes (as s2pt geometry prints it):\n${formatGeometry(r.geometry)}`;
        ctx.print(out);
      }),
  );
}
