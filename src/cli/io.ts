/**
 * CLI plumbing shared by every command: output collected as text (so that
 * a command can be run in-process by the tests and so nothing is written
 * half-way), one-line errors, files read with errors naming them.
 */

import { readFileSync, statSync } from "node:fs";
import { InputError } from "../pgtable/u64.js";

/** What one CLI invocation produced. */
export interface CliOutput {
  stdout: string;
  stderr: string;
  code: number;
}

/** Exit codes: 0 ok, 1 a check failed (a mismatch), 2 bad input, 70 internal error. */
export const EXIT_OK = 0;
export const EXIT_MISMATCH = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

export class CliContext {
  private out: string[] = [];
  private err: string[] = [];
  code = EXIT_OK;

  /** Set by fail(): later output is dropped, so a refused run prints nothing on stdout. */
  private failed = false;

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
      else if (e instanceof RangeError && /Invalid array length|allocation failed|Array buffer allocation/.test(e.message)) {
        this.fail(`out of memory: ${e.message}`);
      } else {
        const msg = e instanceof Error ? e.message : String(e);
        if (process.env.S2PT_DEBUG && e instanceof Error && e.stack) this.warn(e.stack);
        this.fail(`internal error: ${msg} (please report it; S2PT_DEBUG=1 shows the stack)`, EXIT_INTERNAL);
      }
    }
  }
}

export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}

/** Read a text file; a missing, unreadable or binary file is an InputError naming it. */
export function readTextFile(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(`${path}: no such file`);
  }
  if (st.isDirectory()) throw new InputError(`${path}: is a directory`);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  if (buf.includes(0)) throw new InputError(`${path}: is a binary file, not JSON text`);
  const text = buf.toString("utf8");
  if (text.includes("\uFFFD")) throw new InputError(`${path}: is not UTF-8 text`);
  return text;
}
