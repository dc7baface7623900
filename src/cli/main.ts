#!/usr/bin/env node
/**
 * The s2pt command line. Every command runs in-process through runCli(), which
 * collects output and never calls process.exit(): a large output piped to
 * another program arrives whole (the exit code is set with process.exitCode).
 */

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import type { Argv } from "yargs";
import { COMMANDS } from "./commands/index.js";
import { CliContext, EXIT_USAGE, oneLine, type CliOutput } from "./io.js";

const VERSION = "0.1.0";

/**
 * A negative hex value ("-0x10") would reach yargs as a cluster of short
 * flags (-0 -x -1 -0); refuse it by name first. Returns the refusal, or null.
 */
function negativeHexArg(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (!/^-0[xX]/.test(argv[i])) continue;
    const prev = i > 0 ? argv[i - 1] : "";
    const what = /^--[a-z]/.test(prev) && !prev.includes("=") ? `${prev}: ` : "";
    return `${what}'${argv[i]}' is negative: addresses, sizes and descriptors are unsigned`;
  }
  return null;
}

/** yargs' own refusals, said with the option or command they are about. */
function yargsMessage(msg: string, argv: readonly string[]): string {
  const cmd = argv.find((a) => !a.startsWith("-")) ?? "";
  let m = /^Not enough arguments following: (.+)$/.exec(msg);
  if (m) return `--${m[1]}: needs a value`;
  m = /^Missing required arguments?: (.+)$/.exec(msg);
  if (m) return `${m[1].split(", ").map((o) => `--${o}`).join(", ")}: required (see s2pt ${cmd} --help)`;
  m = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(msg);
  if (m && cmd) return `${cmd}: missing its argument (got ${m[1]}, needs ${m[2]}; see s2pt ${cmd} --help)`;
  return msg;
}

/** Run the CLI on `argv` (without the node and script names); returns what it printed and its exit code. */
export function runCli(argv: readonly string[]): CliOutput {
  const ctx = new CliContext();
  const negative = negativeHexArg(argv);
  if (negative !== null) {
    ctx.fail(negative, EXIT_USAGE);
    return ctx.result();
  }
  let parser: Argv = yargs([...argv])
    .scriptName("s2pt")
    .usage("s2pt <command> [options]\n\nA bit-exact model of the Arm stage-2 MMU as Linux KVM/arm64 builds and uses it.")
    .version(VERSION)
    .help()
    .alias("h", "help")
    .strict()
    .demandCommand(1, "name a command (s2pt --help lists them)")
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg: string | null, err: Error | undefined) => {
      ctx.fail(yargsMessage(msg ?? (err ? err.message : "invalid arguments"), argv), EXIT_USAGE);
    });
  for (const c of COMMANDS) parser = c(parser, ctx);
  let helpOut = "";
  try {
    parser.parse([...argv], {}, (_err: Error | undefined, _args: unknown, output: string) => {
      if (output) helpOut = output;
    });
  } catch (e) {
    ctx.fail(oneLine(e instanceof Error ? e.message : String(e)));
  }
  const res = ctx.result();
  if (helpOut && res.code === 0) res.stdout = helpOut.endsWith("\n") ? helpOut : helpOut + "\n";
  if (res.code !== 0 && helpOut && !res.stderr) res.stderr = `s2pt: ${oneLine(helpOut)}\n`;
  return res;
}

function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // A reader that stops early (`s2pt combine --table | head`) closes the pipe: that is not an error of ours.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
  const res = runCli(process.argv.slice(2));
  if (res.stdout) process.stdout.write(res.stdout);
  if (res.stderr) process.stderr.write(res.stderr);
  process.exitCode = res.code;
}
