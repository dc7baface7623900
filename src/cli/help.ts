/**
 * `s2pt --help` and `s2pt <command> --help`, rendered by yargs from the
 * command declarations (spec.ts). yargs only renders here: args.ts reads
 * the command line. No wrapping (an example can be copied whole), no
 * camelCase aliases.
 */

import yargs from "yargs";
import type { Argv } from "yargs";
import type { CommandSpec } from "./spec.js";

export const USAGE = "s2pt <command> [options]\n\nA bit-exact model of the Arm stage-2 MMU as Linux KVM/arm64 builds and uses it.";

/** The help text of one command, or of the whole CLI (command null). */
export function helpText(commands: readonly CommandSpec[], command: CommandSpec | null, version: string): string {
  let y: Argv = yargs([]).scriptName("s2pt").parserConfiguration({ "camel-case-expansion": false }).usage(USAGE);
  y = command === null ? y.version(version) : y.version(false);
  y = y.help().alias("h", "help").wrap(null).exitProcess(false);
  if (command === null) {
    y = y.epilogue(
      "Numbers: 64-bit values (addresses, descriptors, register values) are 0x-prefixed hex; small numbers (levels, bit counts, MAIR bytes, MemAttr) are decimal, 0x hex or 0b binary.\n" +
        "Exit codes: 0 the answer is printed, 1 the answer is no (a mismatch, a broken invariant, a kernel refusal) or the output could not be written, 2 bad input, 70 internal error.",
    );
  }
  for (const c of commands) {
    // yargs' command syntax: <name> for a required positional, [name] for an optional one.
    const ops = c.operands ?? [];
    const usage = [c.name, ...ops.map((op) => (op.optional ? `[${op.name}]` : `<${op.name}>`))].join(" ");
    y = y.command(usage, c.describe, (b: Argv) => {
      let o = b;
      for (const op of ops) o = o.positional(op.name, { type: "string", describe: op.describe });
      for (const [name, s] of Object.entries(c.options)) {
        o = o.option(name, {
          type: s.type,
          describe: s.describe,
          ...(s.default !== undefined ? { default: s.default } : {}),
          ...(s.required ? { demandOption: true } : {}),
        });
      }
      for (const [cmd, what] of c.examples) o = o.example(`$0 ${cmd}`, what);
      return o;
    });
  }
  let out = "";
  // yargs renders the help synchronously through the callback; the promise parse() also returns is not needed.
  void y.parse(command === null ? ["--help"] : [command.name, "--help"], {}, (_e: Error | undefined, _a: unknown, o: string) => {
    out = o;
  });
  return out.endsWith("\n") ? out : out + "\n";
}
