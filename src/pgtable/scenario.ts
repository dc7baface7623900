/**
 * Scenario files (../shared/conformance/FORMAT.md): strict parsing and
 * validation. Every refusal is an InputError whose message names the JSON
 * path (`ops[3].ipa`) and says why; nothing is half-accepted.
 *
 * The operations of FORMAT.md are the kernel's contract. s2pt adds
 * model-only operations (marked `model: true` in OP_SPECS) documented in
 * docs/scenarios.md.
 */

import { GRANULES, stage2Geometry, type Granule, type Stage2Config } from "./geometry.js";
import { PROT_NAMES, WALK_FLAG_NAMES } from "./descriptor.js";
import { InputError, showInput } from "./u64.js";
import { checkKeys, isPlainObject, parseBool, parseHexField, parseInt32, parseU64Field, typeName, withRawNumbers } from "./jsonfields.js";
import { ACCESS_WORDS, PROT_PREFIX, WALK_FLAG_PREFIX, parseAccess, parseNames } from "./names.js";
import { readJson } from "./jsontext.js";
import { parseGuest, type GuestSpec } from "../stage1/scenario.js";

export { parseHexField };

export type FieldType = "addr" | "va" | "prot" | "flags" | "owner" | "bool" | "access" | "el" | "attr" | "sh";

export interface OpSpec {
  /** Field name -> type, in the order FORMAT.md lists them. */
  readonly fields: Readonly<Record<string, FieldType>>;
  /** Fields that may be left out. */
  readonly optional?: readonly string[];
  /** Not a kernel entry point: an s2pt extension. */
  readonly model?: boolean;
}

/** The operations a scenario may hold, and their fields. */
export const OP_SPECS: Readonly<Record<string, OpSpec>> = {
  map: { fields: { ipa: "addr", size: "addr", pa: "addr", prot: "prot", flags: "flags" } },
  unmap: { fields: { ipa: "addr", size: "addr" } },
  wrprotect: { fields: { ipa: "addr", size: "addr" } },
  mkyoung: { fields: { ipa: "addr", flags: "flags" } },
  test_clear_young: { fields: { ipa: "addr", size: "addr", mkold: "bool" } },
  relax_perms: { fields: { ipa: "addr", prot: "prot", flags: "flags" } },
  flush: { fields: { ipa: "addr", size: "addr" } },
  split: { fields: { ipa: "addr", size: "addr" } },
  set_owner: { fields: { ipa: "addr", size: "addr", owner: "owner" } },
  get_leaf: { fields: { ipa: "addr" } },
  // s2pt model op (src/walker/op.ts): the hardware's translation of ipa for one access.
  translate: { fields: { ipa: "addr", access: "access", el: "el" }, optional: ["el"], model: true },
  // s2pt model op (src/stage1/op.ts): the two-stage translation of a guest VA (needs a `guest` section).
  translate_va: { fields: { va: "va", access: "access", el: "el" }, optional: ["el"], model: true },
};

/** A parsed operation: numbers are exact doubles (< 2^52), names already turned into bits. */
export interface ScenarioOp {
  op: string;
  ipa: number;
  size: number;
  pa: number;
  prot: number;
  flags: number;
  owner: number;
  mkold: boolean;
  /** Model-only fields (translate, translate_va): the VA (64 bits), access kind, EL, stage-1 attributes. */
  va: bigint;
  access: string;
  el: number;
  attr: number;
  sh: number;
}

export interface Scenario {
  name: string;
  config: Stage2Config;
  /** Table pages in the memory cache at the start of each op; Infinity when absent. */
  memcache: number;
  ops: ScenarioOp[];
  /**
   * s2pt extension (config `max_table_pages`): most table pages the host may
   * hold at once, root pages included; an allocation beyond it fails like an
   * empty memory cache (-ENOMEM). Undefined: the store's default (1 GiB of tables).
   */
  maxTablePages?: number;
  /** The guest's stage-1 setup (an s2pt extension, docs/two-stage.md), or null. */
  guest: GuestSpec | null;
}

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

function emptyOp(op: string): ScenarioOp {
  return { op, ipa: 0, size: 0, pa: 0, prot: 0, flags: 0, owner: 0, mkold: false, va: 0n, access: "r", el: 1, attr: -1, sh: -1 };
}

export function parseOp(v: unknown, path: string): ScenarioOp {
  if (!isPlainObject(v)) throw new InputError(`${path}: expected an object, got ${typeName(v)}`);
  const name = v.op;
  if (typeof name !== "string") throw new InputError(`${path}.op: expected an operation name, got ${typeName(name)}`);
  if (!Object.prototype.hasOwnProperty.call(OP_SPECS, name)) {
    throw new InputError(`${path}.op: unknown operation '${showInput(name)}' (known: ${Object.keys(OP_SPECS).join(", ")})`);
  }
  const spec = OP_SPECS[name];
  const fields = Object.keys(spec.fields);
  const optional = spec.optional ?? [];
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
  for (const f of fields) {
    if (!Object.prototype.hasOwnProperty.call(v, f)) continue;
    const fp = `${path}.${f}`;
    const val = v[f];
    switch (spec.fields[f]) {
      case "addr": {
        const n = parseHexField(val, fp);
        if (f === "ipa") op.ipa = n;
        else if (f === "size") op.size = n;
        else op.pa = n;
        break;
      }
      case "va":
        op.va = parseU64Field(val, fp);
        break;
      case "prot":
        op.prot = parseProt(val, fp);
        break;
      case "flags":
        op.flags = parseWalkFlags(val, fp);
        break;
      case "owner":
        op.owner = parseInt32(val, fp, 0, 255);
        break;
      case "bool":
        op.mkold = parseBool(val, fp);
        break;
      case "access":
        op.access = ACCESS_WORDS[parseAccess(val, fp)][0];
        break;
      case "el":
        op.el = parseInt32(val, fp, 0, 1);
        break;
      case "attr":
        op.attr = parseInt32(val, fp, 0, 255);
        break;
      case "sh":
        op.sh = parseInt32(val, fp, 0, 3);
        if (op.sh === 1) throw new InputError(`${fp}: 1 is a reserved shareability encoding (use 0, 2 or 3)`);
        break;
    }
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
    if (op.op === "translate_va" && guest === null)
      throw new InputError(`ops[${i}]: translate_va needs a top-level 'guest' section (the guest's stage-1 setup)`);
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

function hexField(n: number): string {
  return "0x" + n.toString(16);
}

/** One operation as FORMAT.md writes it (fields in OP_SPECS order). */
export function opToJson(op: ScenarioOp): Record<string, unknown> {
  const spec = OP_SPECS[op.op];
  if (spec === undefined) throw new Error(`opToJson: unknown operation '${op.op}'`);
  const out: Record<string, unknown> = { op: op.op };
  for (const [f, type] of Object.entries(spec.fields)) {
    switch (type) {
      case "addr":
        out[f] = hexField(f === "ipa" ? op.ipa : f === "size" ? op.size : op.pa);
        break;
      case "prot":
        out[f] = formatNames(op.prot, PROT_NAMES);
        break;
      case "flags":
        out[f] = formatNames(op.flags, WALK_FLAG_NAMES);
        break;
      case "owner":
        out[f] = op.owner;
        break;
      case "bool":
        out[f] = op.mkold;
        break;
      case "va":
        out[f] = "0x" + op.va.toString(16);
        break;
      case "access":
        out[f] = op.access;
        break;
      case "el":
        out[f] = op.el;
        break;
      case "attr":
        if (op.attr >= 0) out[f] = op.attr;
        break;
      case "sh":
        if (op.sh >= 0) out[f] = op.sh;
        break;
    }
  }
  return out;
}

/** A scenario as a FORMAT.md JSON document (with s2pt's `max_table_pages` when set; a `guest` section is not written: the fuzzer makes none). */
export function scenarioToJson(scn: Scenario): Record<string, unknown> {
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
  const j = scenarioToJson(scn);
  const ops = (j.ops as unknown[]).map((o) => "    " + JSON.stringify(o));
  return `{\n  "name": ${JSON.stringify(j.name)},\n  "config": ${JSON.stringify(j.config)},\n  "ops": [\n${ops.join(",\n")}\n  ]\n}\n`;
}
