/**
 * CLI plumbing shared by every command: output collected as text (so that
 * a command can be run in-process by the tests and so nothing is written
 * half-way), one-line errors, and input files read safely.
 *
 * Input files: only regular files (or "-", standard input) are read, at
 * most MAX_INPUT_FILE_BYTES each and MAX_INPUT_RUN_BYTES for a whole run.
 * A path is opened O_NONBLOCK and checked with fstat() before any read, so
 * a FIFO or a device is refused at once instead of blocking or streaming
 * forever; every filesystem error becomes one line naming the path.
 */

import { closeSync, fstatSync, fsyncSync, openSync, opendirSync, readSync, renameSync, statSync, unlinkSync, writeSync, constants, type Stats } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError, escapeControl } from "../pgtable/u64.js";

/** What one CLI invocation produced. */
export interface CliOutput {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Exit codes, the same for every command (README "Exit codes"):
 *   0  the answer is printed (a walk that faults and a replayed op that returns an errno are answers too)
 *   1  the answer is no: a replay --expected mismatch, a broken invariant (check), a decode --expect
 *      difference, a kernel refusal (encode's -EINVAL, explain's errno in any era shown, fault's
 *      KVM_RUN errno in any era shown);
 *      also: the output could not be written (ENOSPC, EIO...)
 *   2  bad input: the command line, an input file, a scenario
 *   70 internal error: a bug in s2pt
 */
export const EXIT_OK = 0;
export const EXIT_MISMATCH = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** Largest input file (scenario, expected result, standard input): 16 MiB. */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;
/** Most input bytes one run reads (a directory of scenarios and their expected results): 64 MiB. */
export const MAX_INPUT_RUN_BYTES = 64 * 1024 * 1024;
/** Most .json files one scenario directory may hold. */
export const MAX_DIR_FILES = 10_000;

/** A live progress line: show(text) redraws it, done() clears it. */
export interface ProgressSink {
  show(text: string): void;
  done(): void;
}

/** Where standard input comes from (the tests give their own). */
export type StdinReader = () => Uint8Array;

export class CliContext {
  private out: string[] = [];
  private err: string[] = [];
  code = EXIT_OK;
  /** Input bytes read so far in this run. */
  inputBytes = 0;
  stdinUsed = false;

  /** Set by fail(): later output is dropped, so a refused run prints nothing on stdout. */
  private failed = false;

  readonly stdin: StdinReader;
  /**
   * Where a long command shows its progress as it goes (a line redrawn in
   * place), or null: the process's stderr when it is a terminal (main.ts),
   * never when run in-process or into a pipe or file.
   */
  readonly progress: ProgressSink | null;

  constructor(stdin: StdinReader = readStdinFd, progress: ProgressSink | null = null) {
    this.stdin = stdin;
    this.progress = progress;
  }

  print(text: string): void {
    if (this.failed) return;
    this.out.push(text.endsWith("\n") ? text : text + "\n");
  }
  warn(text: string): void {
    this.err.push(text.endsWith("\n") ? text : text + "\n");
  }
  /** Refuse the invocation: one line on stderr, nothing on stdout. */
  fail(message: string, code = EXIT_USAGE): void {
    this.out = [];
    if (!this.failed) this.err.push(`s2pt: ${oneLine(message)}\n`);
    this.failed = true;
    this.code = code;
  }
  result(): CliOutput {
    return { stdout: this.out.join(""), stderr: this.err.join(""), code: this.code };
  }
  /** Run a command body, turning InputError into a one-line refusal and anything else into a one-line internal error. */
  guard(body: () => void): void {
    try {
      body();
    } catch (e) {
      if (e instanceof InputError) this.fail(e.message);
      else if (e instanceof OutputError) this.fail(e.message, EXIT_MISMATCH);
      else if (e instanceof RangeError && /Invalid array length|allocation failed|Array buffer allocation|Invalid string length/.test(e.message)) {
        this.fail(`out of memory: ${e.message}`);
      } else {
        const msg = e instanceof Error ? e.message : String(e);
        if (process.env.S2PT_DEBUG && e instanceof Error && e.stack) this.warn(e.stack);
        this.fail(`internal error: ${msg} (please report it; S2PT_DEBUG=1 shows the stack)`, EXIT_INTERNAL);
      }
    }
  }
}

/** A message on one line: control characters (a newline in a file name or a value) escaped, not obeyed. */
export function oneLine(s: string): string {
  return escapeControl(s.trim());
}

/** A path as a message shows it: control characters escaped, a very long one cut in the middle. */
export function showPath(path: string): string {
  const p = escapeControl(path);
  return p.length > 160 ? `${p.slice(0, 60)}...${p.slice(-97)}` : p;
}

/** A filesystem error as the rest of a one-line message about `path`. */
function fsWhy(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "ENOTDIR":
      return "no such file (a component of the path is not a directory)";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ELOOP":
      return "too many levels of symbolic links (a symlink loop)";
    case "ENAMETOOLONG":
      return "the path is too long";
    case "ENXIO":
      return "is a socket or a device with nothing behind it, not a regular file";
    case "EISDIR":
      return "is a directory";
    case "EMFILE":
    case "ENFILE":
      return "cannot be opened: too many open files";
    default:
      return `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})`;
  }
}

function typeWhy(st: Stats): string {
  if (st.isFIFO()) return "is a FIFO (named pipe), not a regular file";
  if (st.isCharacterDevice()) return "is a character device, not a regular file";
  if (st.isBlockDevice()) return "is a block device, not a regular file";
  if (st.isSocket()) return "is a socket, not a regular file";
  return "is not a regular file";
}

/** Open a path without blocking (a FIFO with no writer, a device) and fstat it; errors name the path. */
function openChecked(path: string): { fd: number; st: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    throw new InputError(`${showPath(path)}: ${fsWhy(e)}`);
  }
  try {
    return { fd, st: fstatSync(fd) };
  } catch (e) {
    closeSync(fd);
    throw new InputError(`${showPath(path)}: ${fsWhy(e)}`);
  }
}

/** Sleep a little without spinning (a non-blocking standard input with nothing yet to read). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Read an fd to its end, refusing more than `cap` bytes. `label` names it. */
function readAll(fd: number, cap: number, label: string): Uint8Array {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
        pause(5);
        continue;
      }
      throw new InputError(`${label}: ${fsWhy(e)}`);
    }
    if (n === 0) break;
    total += n;
    if (total > cap) throw new InputError(`${label}: larger than ${cap / 1048576} MiB, the limit for an input file`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

/** Standard input of this process, read to its end (at most one input file's worth). */
export function readStdinFd(): Uint8Array {
  return readAll(0, MAX_INPUT_FILE_BYTES, "standard input");
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Bytes as text: NUL bytes or invalid UTF-8 refused (a valid U+FFFD is text like any other). */
function decodeText(bytes: Uint8Array, label: string): string {
  if (bytes.includes(0)) throw new InputError(`${label}: is a binary file, not JSON text`);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new InputError(`${label}: is not UTF-8 text`);
  }
}

/** Count bytes against the run's budget. */
function charge(ctx: CliContext, n: number, label: string): void {
  ctx.inputBytes += n;
  if (ctx.inputBytes > MAX_INPUT_RUN_BYTES) {
    throw new InputError(`${label}: the input files of this run pass ${MAX_INPUT_RUN_BYTES / 1048576} MiB in total, the limit for one run`);
  }
}

/** Read a text input file ("-": standard input); a missing, unreadable, non-regular, oversized or binary file is an InputError naming it. */
export function readTextFile(ctx: CliContext, path: string): string {
  if (path === "-") {
    if (ctx.stdinUsed) throw new InputError("-: standard input can be read only once");
    ctx.stdinUsed = true;
    const bytes = ctx.stdin();
    if (bytes.length > MAX_INPUT_FILE_BYTES)
      throw new InputError(`standard input: larger than ${MAX_INPUT_FILE_BYTES / 1048576} MiB, the limit for an input file`);
    charge(ctx, bytes.length, "standard input");
    return decodeText(bytes, "standard input");
  }
  const label = showPath(path);
  return decodeText(readFileBytes(ctx, path), label);
}

/** The bytes of a regular input file (not "-"): a missing, unreadable, non-regular or oversized file is an InputError naming it; counted against the run's budget. */
export function readFileBytes(ctx: CliContext, path: string): Uint8Array {
  const label = showPath(path);
  const { fd, st } = openChecked(path);
  try {
    if (st.isDirectory()) throw new InputError(`${label}: is a directory`);
    if (!st.isFile()) throw new InputError(`${label}: ${typeWhy(st)}`);
    if (st.size > MAX_INPUT_FILE_BYTES)
      throw new InputError(`${label}: ${st.size} bytes, larger than ${MAX_INPUT_FILE_BYTES / 1048576} MiB, the limit for an input file`);
    const bytes = readAll(fd, MAX_INPUT_FILE_BYTES, label);
    charge(ctx, bytes.length, label);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Whether bytes look like a text file (no NUL byte): a JSON image rather than a raw one. */
export function looksLikeText(bytes: Uint8Array): boolean {
  return !bytes.includes(0);
}

/** Bytes as text (see decodeText), for a file read with readFileBytes. */
export function bytesAsText(bytes: Uint8Array, label: string): string {
  return decodeText(bytes, label);
}

/** What a path names: a regular file, a directory, or standard input ("-"). */
export function inputKind(path: string): "file" | "dir" | "stdin" {
  if (path === "-") return "stdin";
  const { fd, st } = openChecked(path);
  closeSync(fd);
  if (st.isDirectory()) return "dir";
  if (!st.isFile()) throw new InputError(`${showPath(path)}: ${typeWhy(st)}`);
  return "file";
}

/** The .json files of a directory, sorted; errors (EACCES, a directory with none, too many) name it. */
export function jsonFilesIn(dir: string): string[] {
  const names: string[] = [];
  let d;
  try {
    d = opendirSync(dir);
  } catch (e) {
    throw new InputError(`${showPath(dir)}: ${fsWhy(e)}`);
  }
  try {
    for (;;) {
      let ent;
      try {
        ent = d.readSync();
      } catch (e) {
        throw new InputError(`${showPath(dir)}: ${fsWhy(e)}`);
      }
      if (ent === null) break;
      if (!ent.name.endsWith(".json")) continue;
      names.push(ent.name);
      if (names.length > MAX_DIR_FILES) throw new InputError(`${showPath(dir)}: holds more than ${MAX_DIR_FILES} .json files, the limit for one run`);
    }
  } finally {
    d.closeSync();
  }
  if (names.length === 0) throw new InputError(`${showPath(dir)}: holds no .json scenario`);
  return names.sort().map((f) => join(dir, f));
}

/**
 * A path the command will write a file to: refused now (an InputError
 * naming `what`) if it names an existing directory, FIFO, device or socket,
 * or if its directory does not exist or is not one. The file is written
 * later, whole, by writeFileAtomic.
 */
export function checkOutputPath(path: string, what: string): void {
  const label = showPath(path);
  // "-" names standard output elsewhere; here it would silently become a file named "-" in the current directory.
  if (path === "-")
    throw new InputError(
      `${what}: '-' is not a file name here (standard output holds the result): name the file, e.g. ${what} chart.svg (./- for a file named -)`,
    );
  let st: Stats | null = null;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new InputError(`${what}: ${label}: ${fsWhy(e)}`);
  }
  if (st !== null) {
    if (st.isDirectory()) throw new InputError(`${what}: ${label}: is a directory, not a file to write`);
    if (!st.isFile()) throw new InputError(`${what}: ${label}: ${typeWhy(st)}: s2pt writes only regular files`);
    return;
  }
  const dir = dirname(path);
  let d: Stats;
  try {
    d = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${what}: ${label}: ${code === "ENOENT" || code === "ENOTDIR" ? `no such directory (${showPath(dir)})` : fsWhy(e)}`);
  }
  if (!d.isDirectory()) throw new InputError(`${what}: ${label}: ${showPath(dir)} is not a directory`);
}

/**
 * Write `text` to `path` whole or not at all: into a temporary file beside
 * it, flushed, then renamed over it (a reader never sees half a file; a
 * symbolic link at `path` is replaced by the file, not followed). Throws an
 * Error with a one-line message naming `what` and the path.
 */
export function writeFileAtomic(path: string, text: string, what: string): void {
  checkOutputPath(path, what);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  } catch (e) {
    // Said as what failed: the file is written beside its path first (/proc/version: its directory takes no new file).
    throw new OutputError(`${what}: ${showPath(path)}: cannot be written: its directory takes no new file (${showPath(tmp)}: ${fsWhy(e)})`);
  }
  try {
    const buf = Buffer.from(text, "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was created, or it is gone already
    }
    throw new OutputError(`${what}: ${showPath(path)}: cannot be written: ${fsWhy(e)}`);
  }
}

/** A file the command was to write could not be written (ENOSPC, EACCES, ...): exit 1, like an unwritable standard output. */
export class OutputError extends Error {}
