import { replayTable } from "../../scenario/replay.js";
import { InputError } from "../../pgtable/u64.js";
import { AT_INSNS, parseAtInsn } from "../../scenario/names.js";
import { S2Walker } from "../../walker/translate.js";
import { builtGuest, guestOf, nestedWalker } from "../../stage1/guest.js";
import { atInstruction, type AtResult } from "../../stage1/at.js";
import { registerByName } from "../../kvm/registers.js";
import { formatRegister } from "../../regs/format.js";
import { inputLabel, loadScenario, naming } from "../scenarios.js";
import type { CommandSpec } from "../spec.js";

/** The text form: what the instruction did, then PAR_EL1 field by field (`s2pt reg par`'s decoder). */
function formatAt(r: AtResult): string {
  const head = `AT ${r.insn} ${r.va}, executed at EL${r.from_el}, after the scenario's ops`;
  if (r.exception) {
    const e = r.exception;
    return [
      head,
      `  the stage-1 table walk took a stage-2 ${e.type.replace("_", " ")} fault (level ${e.level}): an AT S1E1* at EL1 takes it, to EL2,`,
      "  instead of reporting it in PAR_EL1 (the Arm ARM's exceptions to reporting a fault in PAR_EL1); PAR_EL1 is not written",
      `  ESR_EL2 ${e.esr_el2} (S1PTW = 1, CM = 1, WnR = 1), HPFAR_EL2 ${e.hpfar ?? "UNKNOWN"}`,
    ].join("\n");
  }
  const lines = [head];
  if (r.f === 0) {
    lines.push(`  ${r.insn.startsWith("S12") ? "PA" : "IPA (stage 1 only)"} ${r.oa}, ${r.memtype}`);
    if (r.par === null && r.permitted) {
      lines.push(
        `  PAR_EL1 has no single value: the architecture leaves ${r.attr === null ? "ATTR" : ""}${r.attr === null && r.sh === null ? " and " : ""}${r.sh === null ? "SH" : ""} open`,
      );
      lines.push(`  permitted ATTR ${r.permitted.attr.join(", ")}; permitted SH ${r.permitted.sh.join(", ")} (0 NSH, 2 OSH, 3 ISH)`);
      return lines.join("\n");
    }
    lines.push("  PAR_EL1.NS is UNKNOWN for a Non-secure translation regime: s2pt writes 0");
  } else if (r.fault) {
    lines.push(
      `  aborted: a stage-${r.fault.stage} ${r.fault.type.replace("_", " ")} fault, level ${r.fault.level}${r.ptw === 1 ? ", on the stage-1 table walk (PTW)" : ""}`,
    );
  }
  const par = BigInt(r.par as string);
  lines.push("", formatRegister(registerByName("PAR_EL1").decode(par, { xs: false }).decoded));
  return lines.join("\n");
}

/** s2pt at <insn> <scenario> --va <hex>: an AT instruction on the scenario's guest, and the PAR_EL1 it leaves. */
export const atCommand: CommandSpec = {
  name: "at",
  describe:
    "replay a scenario, then run an address translation instruction on its guest (AT S1E1R/W: stage 1 only, the IPA; AT S12E1R/W: both stages, the PA) and print the PAR_EL1 it leaves, field by field, as the architecture encodes it",
  operands: [
    {
      name: "insn",
      describe: `the AT instruction: ${AT_INSNS.join(", ")} (case-insensitive)`,
      value: { kind: "word", words: AT_INSNS.map((i) => i.toLowerCase()), parse: parseAtInsn },
    },
    { name: "scenario", describe: "a scenario JSON file with a 'guest' section (docs/two-stage.md), or - (standard input)", value: { kind: "path" } },
  ],
  options: {
    va: { type: "string", value: { kind: "u64" }, required: true, describe: "the guest VA, 0x-prefixed hex (any 64-bit value)" },
    "from-el": {
      type: "string",
      value: { kind: "int", min: 1, max: 2 },
      default: "2",
      describe: "the EL the instruction runs at: 2 (the hypervisor, as KVM's __translate_far_to_hpfar) or 1 (the guest; S1E1R/W only)",
    },
    json: { type: "boolean", default: false, describe: "machine-readable output" },
  },
  examples: [
    ["at S12E1R examples/at-raw-descriptors.json --va 0x1000", "stage 1 and stage 2: the PA and the combined attributes in PAR_EL1"],
    ["at S1E1R examples/at-raw-descriptors.json --va 0x1000", "stage 1 only: the IPA and the stage-1 attributes"],
    ["at S1E1R examples/at-raw-descriptors.json --va 0x2000", "a stage-1 Address size fault: PAR_EL1.F = 1, FST 0x03"],
  ],
  run: (a, ctx) => {
    const insn = a.operand<string>("insn") as string;
    const path = a.operand<string>("scenario") as string;
    const va = a.value<bigint>("va") as bigint;
    const fromEl = a.value<number>("from-el") as number;
    if (fromEl === 1 && insn.startsWith("S12"))
      throw new InputError(
        `--from-el: AT ${insn} is UNDEFINED at EL1 (an EL2 instruction; EL1 reaches it only through nested virtualization): give --from-el 2`,
      );
    const scn = loadScenario(ctx, path);
    const label = inputLabel(path);
    if (scn.guest === null) throw new InputError(`${label}: AT needs a scenario with a 'guest' section (the guest's stage-1 setup, docs/two-stage.md)`);
    naming(label, () => {
      const pgt = replayTable(scn);
      const g = builtGuest(pgt) ?? guestOf(pgt, scn.guest, "the guest tables (written after the scenario's ops)");
      const r = atInstruction(nestedWalker(g, new S2Walker(pgt)), insn, va, fromEl);
      ctx.print(a.flag("json") ? JSON.stringify(r, null, 2) : formatAt(r));
    });
  },
};
