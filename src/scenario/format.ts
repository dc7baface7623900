/**
 * Scenario files (../shared/conformance/FORMAT.md): strict parsing and
 * validation. Every refusal is an InputError whose message names the JSON
 * path (`ops[3].ipa`) and says why; nothing is half-accepted.
 *
 * The operations of FORMAT.md are the kernel's contract. s2pt adds
 * model-only operations (marked `model: true` in the op table, ops.ts),
 * documented in docs/walker.md and docs/two-stage.md. Which fields an op
 * takes is the op table's; how each kind of field is read and written is
 * FIELD_KINDS' below.
 */

import { GRANULES, stage2Geometry, type Granule, type Stage2Config } from "../pgtable/geometry.js";
import { PROT_NAMES, WALK_FLAG_NAMES } from "../pgtable/descriptor.js";
import { InputError, showInput } from "../pgtable/u64.js";
import { checkKeys, isPlainObject, parseBool, parseHexField, parseInt32, parseU64Field, typeName, withRawNumbers } from "./jsonfields.js";
import { ACCESS_WORDS, PROT_PREFIX, WALK_FLAG_PREFIX, parseAccess, parseAtInsn, parseNames } from "./names.js";
import { readJson } from "./jsontext.js";
import { parseGuest } from "./guest.js";
import { OP_SPECS } from "./ops.js";
import type { FieldKind, OpFieldName, Scenario, ScenarioOp } from "./types.js";
import { checkString } from "../pgtable/args.js";
import { checkOpArg, checkScenarioArg } from "./args.js";

export { parseHexField };

export { parseNames };

export function parseProt(v: unknown, path: string): number {
  return parseNames(v, path, PROT_NAMES, "prot", PROT_PREFIX);
}

export function parseWalkFlags(v: unknown, path: string): number {
  return parseNames(v, path, WALK_FLAG_NAMES, "walk flag", WALK_FLAG_PREFIX);
}

const CONFIG_KEYS = ["granule", "ia_bits", "pa_bits", "lpa2", "fwb", "tlb_range", "memcache", "max_table_pages"] as const;

/** Parse and check a scenario `config` (the geometry must be one the kernel accepts). */
export function parseConfig(v: unknown, path = "config"): { config: Stage2Config; memcache: number; maxTablePages?: number } {
  if (!isPlainObject(v)) throw new InputError(`${path}: expected an object, got ${typeName(v)}`);
  checkKeys(v, path, CONFIG_KEYS, ["granule", "ia_bits", "pa_bits", "lpa2", "fwb", "tlb_range"]);
  const g = v.granule;
  if (typeof g !== "number" || !(GRANULES as readonly number[]).includes(g)) {
    throw new InputError(`${path}.granule: expected 4096, 16384 or 65536, got ${typeof g === "number" ? g : typeName(g)}`);
  }
  const config: Stage2Config = {
    granule: g as Granule,
    iaBits: parseInt32(v.ia_bits, `${path}.ia_bits`, 0, 64),
    paBits: parseInt32(v.pa_bits, `${path}.pa_bits`, 0, 64),
    lpa2: parseBool(v.lpa2, `${path}.lpa2`),
    fwb: parseBool(v.fwb, `${path}.fwb`),
    tlbRange: parseBool(v.tlb_range, `${path}.tlb_range`),
  };
  const memcache = v.memcache === undefined ? Infinity : parseInt32(v.memcache, `${path}.memcache`, 0, 1 << 30);
  let pgdPages: number;
  try {
    pgdPages = stage2Geometry(config).pgdPages;
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}.${e.message}`);
    throw e;
  }
  if (v.max_table_pages === undefined) return { config, memcache };
  const maxTablePages = parseInt32(v.max_table_pages, `${path}.max_table_pages`, 1, 1 << 30);
  if (maxTablePages < pgdPages) {
    throw new InputError(
      `${path}.max_table_pages: ${maxTablePages} cannot hold the ${pgdPages} root pages this geometry needs (kvm_init_stage2_mmu would fail)`,
    );
  }
  return { config, memcache, maxTablePages };
}

/** How one kind of field is read from a scenario file (`parse`, refusals naming `path`) and written back (`write`; undefined: left out). */
export interface FieldKindSpec {
  /** Read the field's JSON value (an InputError naming `path` when it is not one). */
  parse(v: unknown, path: string): unknown;
  /** The field's JSON value (undefined: left out). */
  write(x: unknown): unknown;
}

/** Every kind of field an operation may take (types.ts FieldKind). */
export const FIELD_KINDS: Readonly<Record<FieldKind, FieldKindSpec>> = {
  addr: { parse: parseHexField, write: (x) => "0x" + (x as number).toString(16) },
  va: { parse: parseU64Field, write: (x) => "0x" + (x as bigint).toString(16) },
  prot: { parse: (v, p) => parseProt(v, p), write: (x) => formatNames(x as number, PROT_NAMES) },
  flags: { parse: (v, p) => parseWalkFlags(v, p), write: (x) => formatNames(x as number, WALK_FLAG_NAMES) },
  owner: { parse: (v, p) => parseInt32(v, p, 0, 255), write: (x) => x },
  bool: { parse: parseBool, write: (x) => x },
  access: { parse: (v, p) => ACCESS_WORDS[parseAccess(v, p)][0], write: (x) => x },
  el: { parse: (v, p) => parseInt32(v, p, 0, 1), write: (x) => x },
  attr: { parse: (v, p) => parseInt32(v, p, 0, 255), write: (x) => ((x as number) >= 0 ? x : undefined) },
  sh: {
    parse: (v, p) => {
      const sh = parseInt32(v, p, 0, 3);
      if (sh === 1) throw new InputError(`${p}: 1 is a reserved shareability encoding (use 0, 2 or 3)`);
      return sh;
    },
    write: (x) => ((x as number) >= 0 ? x : undefined),
  },
  level: { parse: (v, p) => parseInt32(v, p, -1, 3), write: (x) => x },
  desc: { parse: parseU64Field, write: (x) => "0x" + (x as bigint).toString(16) },
  insn: { parse: parseAtInsn, write: (x) => x },
  at_el: { parse: (v, p) => parseInt32(v, p, 1, 2), write: (x) => x },
};

/** An operation named `op` with every field at its default (what a scenario file leaves out). */
export function emptyOp(op: string): ScenarioOp {
  return {
    op,
    ipa: 0,
    size: 0,
    pa: 0,
    prot: 0,
    flags: 0,
    owner: 0,
    mkold: false,
    va: 0n,
    access: "r",
    el: 1,
    attr: -1,
    sh: -1,
    level: 0,
    pte: 0n,
    insn: "S1E1R",
    from_el: 2,
  };
}

export function parseOp(v: unknown, path: string): ScenarioOp {
  if (!isPlainObject(v)) throw new InputError(`${path}: expected an object, got ${typeName(v)}`);
  const name = v.op;
  if (typeof name !== "string") throw new InputError(`${path}.op: expected an operation name, got ${typeName(name)}`);
  if (!Object.prototype.hasOwnProperty.call(OP_SPECS, name)) {
    throw new InputError(`${path}.op: unknown operation '${showInput(name)}' (known: ${Object.keys(OP_SPECS).join(", ")})`);
  }
  const spec = OP_SPECS[name];
  const fields = Object.keys(spec.fields) as OpFieldName[];
  const optional: readonly OpFieldName[] = spec.optional ?? [];
  checkKeys(
    v,
    path,
    ["op", ...fields],
    fields.filter((f) => !optional.includes(f)),
  );
  const op = emptyOp(name);
  // An ipa + size that passes 2^64 has no meaning for the kernel (its end
  // would wrap); say so before the 52-bit limit of either field.
  if (typeof v.ipa === "string" && typeof v.size === "string" && spec.fields.ipa === "addr" && spec.fields.size === "addr") {
    const ipa = parseU64Field(v.ipa, `${path}.ipa`);
    const size = parseU64Field(v.size, `${path}.size`);
    if (ipa + size > 1n << 64n) {
      throw new InputError(`${path}: ipa ${v.ipa} + size ${v.size} wraps past 2^64 (the range must end at or below 2^64)`);
    }
  }
  const slots = op as unknown as Record<OpFieldName, unknown>;
  for (const f of fields) {
    if (!Object.prototype.hasOwnProperty.call(v, f)) continue;
    slots[f] = FIELD_KINDS[spec.fields[f] as FieldKind].parse(v[f], `${path}.${f}`);
  }
  return op;
}

/** Parse a whole scenario document (already JSON-decoded). */
export function parseScenario(doc: unknown): Scenario {
  if (!isPlainObject(doc)) throw new InputError(`top level: expected an object, got ${typeName(doc)}`);
  checkKeys(doc, "top level", ["name", "config", "ops", "guest"], ["config", "ops"]);
  const name = doc.name === undefined ? "" : doc.name;
  if (typeof name !== "string") throw new InputError(`name: expected a string, got ${typeName(name)}`);
  const { config, memcache, maxTablePages } = parseConfig(doc.config);
  if (!Array.isArray(doc.ops)) throw new InputError(`ops: expected an array, got ${typeName(doc.ops)}`);
  const ops = doc.ops.map((o, i) => parseOp(o, `ops[${i}]`));
  const guest = doc.guest === undefined ? null : parseGuest(doc.guest, "guest", config);
  ops.forEach((op, i) => {
    if (OP_SPECS[op.op].guest === true && guest === null)
      throw new InputError(`ops[${i}]: ${op.op} needs a top-level 'guest' section (the guest's stage-1 setup)`);
  });
  const scn: Scenario = { name, config, memcache, ops, guest };
  if (maxTablePages !== undefined) scn.maxTablePages = maxTablePages;
  return scn;
}

/**
 * Parse scenario text (jsontext.ts: a duplicate key is refused, numbers are
 * echoed as written); every refusal is a one-line InputError.
 */
export function parseScenarioText(text: string): Scenario {
  checkString(text, "text");
  if (text.trim() === "") throw new InputError("empty file: expected a scenario JSON object");
  if (text.charCodeAt(0) === 0xfeff)
    throw new InputError("starts with a byte-order mark (U+FEFF), which JSON does not allow: save the file as UTF-8 without a BOM");
  const doc = readJson(text);
  return withRawNumbers(doc.rawNumbers, () => parseScenario(doc.value));
}

// ------------------------------------------------------------------------------
// Writing scenarios (the inverse of the parser): the fuzzer turns a failing
// case into a file that parseScenarioText reads back to the same Scenario.
// ------------------------------------------------------------------------------

/** Bits as `|`-joined names in the table's order ("" for none). */
export function formatNames(bits: number, table: ReadonlyArray<readonly [string, number]>): string {
  return table
    .filter(([, b]) => (bits & b) !== 0)
    .map(([n]) => n)
    .join("|");
}

/** One operation as FORMAT.md writes it (fields in OP_SPECS order). */
export function opToJson(op: ScenarioOp): Record<string, unknown> {
  checkOpArg(op, "op");
  const spec = OP_SPECS[op.op];
  const out: Record<string, unknown> = { op: op.op };
  const slots = op as unknown as Record<OpFieldName, unknown>;
  for (const [f, kind] of Object.entries(spec.fields) as Array<[OpFieldName, FieldKind]>) {
    const x = FIELD_KINDS[kind].write(slots[f]);
    if (x !== undefined) out[f] = x;
  }
  return out;
}

/** A scenario as a FORMAT.md JSON document (with s2pt's `max_table_pages` when set; a `guest` section is not written: the fuzzer makes none). */
export function scenarioToJson(scn: Scenario): Record<string, unknown> {
  checkScenarioArg(scn);
  const c = scn.config;
  const config: Record<string, unknown> = {
    granule: c.granule,
    ia_bits: c.iaBits,
    pa_bits: c.paBits,
    lpa2: c.lpa2,
    fwb: c.fwb,
    tlb_range: c.tlbRange,
  };
  if (Number.isFinite(scn.memcache)) config.memcache = scn.memcache;
  if (scn.maxTablePages !== undefined) config.max_table_pages = scn.maxTablePages;
  return { name: scn.name, config, ops: scn.ops.map(opToJson) };
}

/** A scenario as text: one op per line, like the conformance files. */
export function formatScenario(scn: Scenario): string {
  checkScenarioArg(scn);
  const j = scenarioToJson(scn);
  const ops = (j.ops as unknown[]).map((o) => "    " + JSON.stringify(o));
  return `{\n  "name": ${JSON.stringify(j.name)},\n  "config": ${JSON.stringify(j.config)},\n  "ops": [\n${ops.join(",\n")}\n  ]\n}\n`;
}
