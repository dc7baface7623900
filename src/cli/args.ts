/**
 * The command-line reader: argv -> the command and its values, strictly.
 *
 *   s2pt <command> [operands] [options]       options and operands in any order; the operands in their declared order
 *   --name value, --name=value                a string option; an empty value is refused
 *   --flag, --no-flag, --flag=true|false      a boolean option; any other value is refused
 *   --                                        the end of options (POSIX): everything after it is an operand
 *   -h, --help, --version                     help, anywhere before "--"
 *
 * An option given twice, an unknown option, a missing or extra operand is
 * refused with one line naming it; first, a word in an operand's place that
 * is another command's input (OperandSpec.misplaced: a register name given
 * to decode) is refused with a pointer to that command. A word that looks
 * like a negative number ("-1", "-0x10") is an operand or a value, never an
 * option. Values are then
 * read by their kind (spec.ts), in the order given, then the operands in
 * theirs, through the one parser of each kind, before the command runs.
 */

import { parseGranule, PARANGE_BITS } from "../pgtable/geometry.js";
import { PROT_NAMES } from "../pgtable/descriptor.js";
import { PROT_PREFIX, parseAccess, parseNames, parseS2MemAttr } from "../scenario/names.js";
import { InputError, parseSmallNumber, parseU64, showInput } from "../pgtable/u64.js";
import { parseShareability } from "../mair/attrs.js";
import { parseGuestAttr } from "../kvm/guest.js";
import type { CommandArgs, CommandSpec, OperandSpec, OptionSpec, Value, ValueKind } from "./spec.js";

/** Longest value an option other than a path takes: anything longer is refused before it is echoed anywhere. */
export const MAX_VALUE_LENGTH = 256;

export type Invocation = { kind: "help"; command: CommandSpec | null } | { kind: "version" } | { kind: "run"; command: CommandSpec; args: ParsedArgs };

export type { Value };

/** The values of one invocation, read and checked. */
export class ParsedArgs implements CommandArgs {
  readonly command: CommandSpec;
  /** Option name -> the text given (strings) or the boolean. */
  private readonly given: ReadonlyMap<string, string | boolean>;
  private readonly values: ReadonlyMap<string, Value>;
  /** Operand name -> the text given and its value (absent: an optional operand left out, or a noOperands option given). */
  private readonly operandTexts: ReadonlyMap<string, string>;
  private readonly operandValues: ReadonlyMap<string, Value>;

  constructor(
    command: CommandSpec,
    given: ReadonlyMap<string, string | boolean>,
    values: ReadonlyMap<string, Value>,
    operandTexts: ReadonlyMap<string, string>,
    operandValues: ReadonlyMap<string, Value>,
  ) {
    this.command = command;
    this.given = given;
    this.values = values;
    this.operandTexts = operandTexts;
    this.operandValues = operandValues;
  }

  /** An operand's value, read by its kind; undefined when it was not given. */
  operand<T extends Value>(name: string): T | undefined {
    this.operandSpec(name);
    return this.operandValues.get(name) as T | undefined;
  }
  /** An operand as typed; undefined when it was not given. */
  operandText(name: string): string | undefined {
    this.operandSpec(name);
    return this.operandTexts.get(name);
  }
  private operandSpec(name: string): OperandSpec {
    const s = (this.command.operands ?? []).find((o) => o.name === name);
    if (s === undefined) throw new Error(`s2pt ${this.command.name}: no operand <${name}> is declared`);
    return s;
  }

  /** Whether the option was given on the command line. */
  has(name: string): boolean {
    this.spec(name);
    return this.given.has(name);
  }
  /** The text given for a string option (undefined when absent). */
  text(name: string): string | undefined {
    const v = this.given.get(name);
    this.spec(name);
    return typeof v === "string" ? v : undefined;
  }
  /** A boolean option: as given, else its default. */
  flag(name: string): boolean {
    const s = this.spec(name);
    const v = this.given.get(name);
    if (typeof v === "boolean") return v;
    return s.default === true;
  }
  /** A string option's value, read by its kind (or its default's); undefined when absent without a default. */
  value<T extends Value>(name: string): T | undefined {
    this.spec(name);
    return this.values.get(name) as T | undefined;
  }
  private spec(name: string): OptionSpec {
    const s = this.command.options[name];
    if (s === undefined) throw new Error(`s2pt ${this.command.name}: no option --${name} is declared`);
    return s;
  }
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length];
}

function suggest(word: string, known: readonly string[]): string {
  const near = known.filter((k) => distance(word, k) <= Math.max(1, Math.floor(k.length / 4)) || (word.length >= 3 && (k.includes(word) || word.includes(k))));
  return near.length ? ` (did you mean ${near.join(" or ")}?)` : "";
}

const NEGATIVE_NUMBER = /^-[0-9.]/;

/** Read argv against the commands. Throws an InputError (a usage error) on anything it refuses. */
export function readArgv(argv: readonly string[], commands: readonly CommandSpec[]): Invocation {
  const end = argv.indexOf("--");
  const before = end < 0 ? argv : argv.slice(0, end);
  const after = end < 0 ? [] : argv.slice(end + 1);
  const isHelp = (a: string): boolean => a === "--help" || a === "-h";

  // The command: the first word (or, after a leading "--", the first operand). Options come after it.
  const first = before[0];
  if (first !== undefined && first.startsWith("-") && !NEGATIVE_NUMBER.test(first)) {
    if (isHelp(first)) return { kind: "help", command: null };
    if (first === "--version") return { kind: "version" };
    throw new InputError(`'${showInput(first)}': options come after the command (s2pt <command> [options]; s2pt --help lists the commands)`);
  }
  const name = first ?? after[0];
  const rest = first !== undefined ? before.slice(1) : [];
  const trailing = first !== undefined ? after : after.slice(1);
  if (name === undefined) throw new InputError("name a command (s2pt --help lists them)");
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    throw new InputError(
      `unknown command '${showInput(name)}'${suggest(
        name,
        commands.map((c) => c.name),
      )} (commands: ${commands.map((c) => c.name).join(", ")})`,
    );
  }
  if (rest.some(isHelp)) return { kind: "help", command };
  if (rest.includes("--version")) return { kind: "version" };

  const given = new Map<string, string | boolean>();
  const order: string[] = [];
  const optionNames = Object.keys(command.options);
  const own = (n: string): OptionSpec | undefined => (Object.prototype.hasOwnProperty.call(command.options, n) ? command.options[n] : undefined);
  const where = `s2pt ${command.name} --help`;
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith("-") || NEGATIVE_NUMBER.test(a) || a === "-") {
      words.push(a);
      continue;
    }
    if (!a.startsWith("--")) throw new InputError(`${command.name}: unknown option '${showInput(a)}' (${where} lists the options)`);
    const eq = a.indexOf("=");
    const raw = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    let opt = raw;
    let negated = false;
    if (own(opt) === undefined && opt.startsWith("no-") && own(opt.slice(3))?.type === "boolean") {
      opt = opt.slice(3);
      negated = true;
    }
    const spec = own(opt);
    if (spec === undefined) {
      const base =
        raw.startsWith("no-") && own(raw.slice(3))
          ? ` (--${raw.slice(3)} takes a value; only a boolean option has a --no- form)`
          : suggest(raw, optionNames).replace(
              /(did you mean )(.*)\?/,
              (_m, p: string, list: string) =>
                `${p}${list
                  .split(" or ")
                  .map((n) => `--${n}`)
                  .join(" or ")}?`,
            );
      throw new InputError(`${command.name}: unknown option '--${showInput(raw)}'${base} (${where} lists the options)`);
    }
    if (given.has(opt)) throw new InputError(`--${opt}: given more than once`);
    if (spec.type === "boolean") {
      if (negated) {
        if (inline !== undefined) throw new InputError(`--no-${opt}: takes no value (write --no-${opt}, or --${opt}=false)`);
        given.set(opt, false);
      } else if (inline === undefined) given.set(opt, true);
      else if (inline === "true" || inline === "false") given.set(opt, inline === "true");
      else throw new InputError(`--${opt}: '${showInput(inline)}' is not true or false (write --${opt}, --no-${opt} or --${opt}=true|false)`);
    } else {
      let v = inline;
      if (v === undefined) {
        const next = rest[i + 1];
        if (next === undefined || (next.startsWith("--") && next.length > 2)) throw new InputError(`--${opt}: needs a value`);
        v = next;
        i++;
      }
      if (v.trim() === "") throw new InputError(`--${opt}: needs a value (got an empty one)`);
      given.set(opt, v);
    }
    order.push(opt);
  }
  const operands = [...words, ...trailing];

  const flags = (n: string): boolean => {
    const v = given.get(n);
    return typeof v === "boolean" ? v : command.options[n]?.default === true;
  };

  // The operands: a word that belongs elsewhere first, then their count.
  const specs = command.operands ?? [];
  for (let i = 0; i < Math.min(specs.length, operands.length); i++) {
    const m = specs[i].misplaced?.(operands[i]);
    if (m !== undefined) throw new InputError(m);
  }
  const usage = operandUsage(specs);
  const extraHint = (w: string): string => (w === "true" || w === "false" ? ": a boolean option takes its value as --name=true|false" : "");
  if (specs.length === 0 && operands.length > 0) {
    const prev = operands[0];
    throw new InputError(`${command.name}: unexpected argument '${showInput(prev)}' (${command.name} takes options only${extraHint(prev)}; see ${where})`);
  }
  const alone = optionNames.find((n) => command.options[n].noOperands === true && flags(n));
  if (alone !== undefined && operands.length > 0) {
    throw new InputError(
      `--${alone}: takes no argument ('${showInput(operands[0])}' given: s2pt ${command.name} --${alone}, or s2pt ${command.name} ${usage})`,
    );
  }
  if (operands.length > specs.length) {
    const extra = operands[specs.length];
    throw new InputError(
      `${command.name}: unexpected argument '${showInput(extra)}' (${command.name} takes ${specs.length === 1 ? "one " : ""}${usage}${extraHint(extra)}; see ${where})`,
    );
  }
  const missing = alone !== undefined ? [] : specs.slice(operands.length).filter((o) => !o.optional);
  if (missing.length > 0)
    throw new InputError(`${command.name}: missing its argument${missing.length > 1 ? "s" : ""} ${missing.map((o) => `<${o.name}>`).join(" ")} (see ${where})`);

  // Values, read by kind in the order given; then the operands in theirs; then what is required.
  const values = new Map<string, Value>();
  for (const o of order) {
    const spec = command.options[o];
    const text = given.get(o);
    if (spec.type === "string" && typeof text === "string") values.set(o, readValue(text, `--${o}`, spec.value ?? { kind: "path" }, flags));
  }
  const operandTexts = new Map<string, string>();
  const operandValues = new Map<string, Value>();
  operands.forEach((text, i) => {
    operandTexts.set(specs[i].name, text);
    operandValues.set(specs[i].name, readValue(text, specs[i].name, specs[i].value, flags));
  });
  const required = optionNames.filter((n) => command.options[n].required && !given.has(n));
  if (required.length) throw new InputError(`${required.map((n) => `--${n}`).join(", ")}: required (see ${where})`);
  for (const n of optionNames) {
    const spec = command.options[n];
    if (spec.type === "string" && !given.has(n) && typeof spec.default === "string")
      values.set(n, readValue(spec.default, `--${n}`, spec.value ?? { kind: "path" }, flags));
  }
  return { kind: "run", command, args: new ParsedArgs(command, given, values, operandTexts, operandValues) };
}

/** The operands as a usage line writes them: <name> for a required one, [<name>] for an optional one. */
export function operandUsage(specs: readonly OperandSpec[]): string {
  return specs.map((o) => (o.optional ? `[<${o.name}>]` : `<${o.name}>`)).join(" ");
}

/** Read one value by its kind; `what` names it in a refusal. */
export function readValue(text: string, what: string, v: ValueKind, flag: (name: string) => boolean): Value {
  if (v.kind !== "path" && text.length > MAX_VALUE_LENGTH) throw new InputError(`${what}: '${showInput(text)}' is too long for a value`);
  switch (v.kind) {
    case "u64":
      return parseU64(text, what);
    case "int":
      return parseSmallNumber(text, what, v.max, { min: v.min });
    case "parange": {
      const n = parseSmallNumber(text, what, 52, { min: 32 });
      if (!(PARANGE_BITS as readonly number[]).includes(n))
        throw new InputError(`${what}: ${showInput(text.trim())} is not a PARange size (${PARANGE_BITS.join(", ")})`);
      return n;
    }
    case "mair":
      return parseGuestAttr(text, what);
    case "memattr":
      return parseS2MemAttr(text, what, flag("fwb"));
    case "sh":
      return parseShareability(text, what);
    case "access":
      return parseAccess(text, what);
    case "granule":
      return parseGranule(text, what);
    case "prot":
      return parseNames(text, what, PROT_NAMES, "prot", PROT_PREFIX);
    case "word": {
      if (v.parse) return v.parse(text, what) as Value;
      const t = text.trim().toLowerCase();
      if (!v.words.includes(t)) throw new InputError(`${what}: '${showInput(text)}' is not one of ${v.words.join(", ")}`);
      return t;
    }
    case "path":
      return text;
  }
}
