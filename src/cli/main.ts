#!/usr/bin/env node
/**
 * The s2pt command line. Every command runs in-process through runCli(),
 * which collects output and never calls process.exit(); the process then
 * writes it with write(2) on fds 1 and 2 (a large output piped to another
 * program arrives whole) and sets process.exitCode.
 *
 * Output errors: a reader that stops early (EPIPE, `s2pt ... | head`) is not
 * an error of ours; any other error writing stdout (ENOSPC on /dev/full,
 * EIO) is one line on stderr and exit 1. An error writing stderr is
 * ignored: the exit code still says what happened (2 for a refusal).
 */

import { realpathSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { fileURLToPath } from "node:url";
import { readArgv } from "./args.js";
import { COMMANDS } from "./commands/index.js";
import { helpText } from "./help.js";
import { CliContext, EXIT_MISMATCH, type CliOutput, type ProgressSink, type StdinReader } from "./io.js";

export const VERSION = "0.1.0";

export interface RunOptions {
  /** Standard input for `-` (default: this process's fd 0). */
  stdin?: StdinReader;
  /** Where long commands show their progress (default: nowhere). */
  progress?: ProgressSink;
}

/** Run the CLI on `argv` (without the node and script names); returns what it printed and its exit code. */
export function runCli(argv: readonly string[], opts: RunOptions = {}): CliOutput {
  const ctx = new CliContext(opts.stdin, opts.progress ?? null);
  ctx.guard(() => {
    const inv = readArgv(argv, COMMANDS);
    if (inv.kind === "version") ctx.print(VERSION);
    else if (inv.kind === "help") ctx.print(helpText(COMMANDS, inv.command, VERSION));
    else inv.command.run(inv.args, ctx);
  });
  return ctx.result();
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

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Write all of `text` to `fd`; returns the error code that stopped it, or null. */
export function writeAllFd(fd: number, text: string): string | null {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "EIO";
      // A non-blocking pipe that is full: wait for the reader.
      if (code === "EAGAIN") {
        pause(2);
        continue;
      }
      return code;
    }
  }
  return null;
}

/** Write what a run produced; returns the exit code. */
export function emit(res: CliOutput): number {
  let code = res.code;
  let stderr = res.stderr;
  if (res.stdout) {
    const err = writeAllFd(1, res.stdout);
    if (err !== null && err !== "EPIPE") {
      stderr += `s2pt: cannot write the output to standard output: ${err}\n`;
      if (code === 0) code = EXIT_MISMATCH;
    }
  }
  if (stderr) writeAllFd(2, stderr);
  return code;
}

/**
 * Progress on this process's stderr, only when it is a terminal: a line
 * redrawn in place (carriage return, erase to the end of the line), at most
 * ten times a second, erased when done. A pipe or a file never gets it.
 */
export function terminalProgress(fd = 2): ProgressSink | undefined {
  if (!isatty(fd)) return undefined;
  let last = 0;
  let shown = false;
  return {
    show(text: string): void {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      writeAllFd(fd, `\r${text}\x1b[K`);
    },
    done(): void {
      if (shown) writeAllFd(fd, "\r\x1b[K");
      shown = false;
      last = 0;
    },
  };
}

if (isMain()) {
  process.exitCode = emit(runCli(process.argv.slice(2), { progress: terminalProgress() }));
}
