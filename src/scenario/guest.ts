/**
 * The `guest` section of a scenario (an s2pt extension; docs/two-stage.md):
 * the guest's stage-1 registers and the mappings its tables hold, read into
 * the GuestSpec the guest builder takes (src/stage1/spec.ts). Parsed
 * strictly: an unknown field, a missing one or a value out of range is an
 * InputError naming its JSON path.
 *
 *   "guest": {
 *     "tcr":   { "t0sz": 25, "tg0": 4096, "ips": 40, ... } or "0x<TCR_EL1>",
 *     "mair":  "0x<MAIR_EL1>",
 *     "sctlr": { "m": true, "c": true, "i": true, "wxn": false },             (optional)
 *     "hcr":   { "dc": false, "dct": false, "cd": false, "id": false, "ptw": false }, (optional)
 *     "ttbr0": "0x...", "ttbr1": "0x...",        (optional: else the builder's root table, or 0)
 *     "table_pool": { "ipa": "0x...", "size": "0x..." },  (IPAs the builder puts table pages at)
 *     "mappings": [ { "va", "size", "ipa", "attrindx", "ap", "sh", "af", "pxn", "uxn", "ng", "level" } ]
 *   }
 */

import { InputError, hex, isAligned } from "../pgtable/u64.js";
import { GRANULES, blockDescSupported, granuleName, type Granule, type Stage2Config } from "../pgtable/geometry.js";
import {
  checkTcr,
  decodeTcr,
  mairBytes,
  regionGeometry,
  s1OutputBits,
  type GuestConfig,
  type HcrFields,
  type SctlrFields,
  type TcrFields,
} from "../stage1/config.js";
import type { GuestMapping, GuestSpec } from "../stage1/spec.js";
import { checkKeys, isPlainObject, parseBool, parseHexField, parseInt32, parseU64Field, typeName } from "./jsonfields.js";
import { checkObject, checkString } from "../pgtable/args.js";

const TCR_KEYS = ["t0sz", "t1sz", "tg0", "tg1", "ips", "epd0", "epd1", "tbi0", "tbi1", "hpd0", "hpd1", "ha", "hd"] as const;
const SCTLR_KEYS = ["m", "c", "i", "wxn"] as const;
const HCR_KEYS = ["dc", "dct", "cd", "id", "ptw"] as const;
const GUEST_KEYS = ["tcr", "mair", "sctlr", "hcr", "ttbr0", "ttbr1", "table_pool", "mappings"] as const;
const MAPPING_KEYS = ["va", "size", "ipa", "attrindx", "ap", "sh", "af", "pxn", "uxn", "ng", "level"] as const;

function parseGranuleField(v: unknown, path: string): Granule {
  if (typeof v !== "number" || !(GRANULES as readonly number[]).includes(v))
    throw new InputError(`${path}: expected 4096, 16384 or 65536, got ${typeof v === "number" ? v : typeName(v)}`);
  return v as Granule;
}

function optBool(o: Record<string, unknown>, k: string, path: string, dflt: boolean): boolean {
  return o[k] === undefined ? dflt : parseBool(o[k], `${path}.${k}`);
}

function parseTcr(v: unknown, path: string): TcrFields {
  let t: TcrFields;
  if (typeof v === "string") {
    t = decodeTcr(parseU64Field(v, path), path);
  } else {
    if (!isPlainObject(v)) throw new InputError(`${path}: expected an object of fields or a 0x-prefixed TCR_EL1 value, got ${typeName(v)}`);
    checkKeys(v, path, TCR_KEYS, ["t0sz", "tg0", "ips"]);
    const t0sz = parseInt32(v.t0sz, `${path}.t0sz`, 0, 63);
    const tg0 = parseGranuleField(v.tg0, `${path}.tg0`);
    t = {
      t0sz,
      // TTBR1 defaults to the TTBR0 region's shape (documented).
      t1sz: v.t1sz === undefined ? t0sz : parseInt32(v.t1sz, `${path}.t1sz`, 0, 63),
      tg0,
      tg1: v.tg1 === undefined ? tg0 : parseGranuleField(v.tg1, `${path}.tg1`),
      ips: parseInt32(v.ips, `${path}.ips`, 0, 64),
      epd0: optBool(v, "epd0", path, false),
      epd1: optBool(v, "epd1", path, false),
      tbi0: optBool(v, "tbi0", path, false),
      tbi1: optBool(v, "tbi1", path, false),
      hpd0: optBool(v, "hpd0", path, false),
      hpd1: optBool(v, "hpd1", path, false),
      ha: optBool(v, "ha", path, false),
      hd: optBool(v, "hd", path, false),
    };
  }
  checkTcr(t, path);
  return t;
}

function parseSctlr(v: unknown, path: string): SctlrFields {
  if (v === undefined) return { m: true, c: true, i: true, wxn: false };
  if (!isPlainObject(v)) throw new InputError(`${path}: expected an object, got ${typeName(v)}`);
  checkKeys(v, path, SCTLR_KEYS, []);
  return { m: optBool(v, "m", path, true), c: optBool(v, "c", path, true), i: optBool(v, "i", path, true), wxn: optBool(v, "wxn", path, false) };
}

function parseHcr(v: unknown, path: string): HcrFields {
  if (v === undefined) return { dc: false, dct: false, cd: false, id: false, ptw: false };
  if (!isPlainObject(v)) throw new InputError(`${path}: expected an object, got ${typeName(v)}`);
  checkKeys(v, path, HCR_KEYS, []);
  const h = {
    dc: optBool(v, "dc", path, false),
    dct: optBool(v, "dct", path, false),
    cd: optBool(v, "cd", path, false),
    id: optBool(v, "id", path, false),
    ptw: optBool(v, "ptw", path, false),
  };
  if (h.dct && !h.dc) throw new InputError(`${path}.dct: HCR_EL2.DCT has an effect only with DC = 1`);
  return h;
}

/**
 * Parse and check the `guest` section against the stage-2 configuration
 * (PAMax = its pa_bits; mapping IPAs must fit the stage-1 output size).
 */
export function parseGuest(v: unknown, path: string, s2: Stage2Config): GuestSpec {
  checkString(path, "path");
  checkObject(s2, "s2");
  if (!isPlainObject(v)) throw new InputError(`${path}: expected an object, got ${typeName(v)}`);
  checkKeys(v, path, GUEST_KEYS, ["tcr", "mair"]);
  const tcr = parseTcr(v.tcr, `${path}.tcr`);
  const mair = mairBytes(parseU64Field(v.mair, `${path}.mair`));
  const config: GuestConfig = {
    tcr,
    mair,
    ttbr0: v.ttbr0 === undefined ? 0n : parseU64Field(v.ttbr0, `${path}.ttbr0`),
    ttbr1: v.ttbr1 === undefined ? 0n : parseU64Field(v.ttbr1, `${path}.ttbr1`),
    sctlr: parseSctlr(v.sctlr, `${path}.sctlr`),
    hcr: parseHcr(v.hcr, `${path}.hcr`),
  };
  let pool: GuestSpec["pool"] = null;
  if (v.table_pool !== undefined) {
    const pp = `${path}.table_pool`;
    if (!isPlainObject(v.table_pool)) throw new InputError(`${pp}: expected an object, got ${typeName(v.table_pool)}`);
    checkKeys(v.table_pool, pp, ["ipa", "size"], ["ipa", "size"]);
    const ipa = parseHexField(v.table_pool.ipa, `${pp}.ipa`);
    const size = parseHexField(v.table_pool.size, `${pp}.size`);
    const align = Math.max(tcr.tg0, tcr.tg1);
    if (!isAligned(ipa, align) || !isAligned(size, align) || size === 0)
      throw new InputError(`${pp}: ipa and size must be non-zero multiples of ${granuleName(align as Granule)} (the stage-1 granule)`);
    pool = { ipa, size };
  }
  const mappings: GuestMapping[] = [];
  if (v.mappings !== undefined) {
    if (!Array.isArray(v.mappings)) throw new InputError(`${path}.mappings: expected an array, got ${typeName(v.mappings)}`);
    v.mappings.forEach((m, i) => mappings.push(parseMapping(m, `${path}.mappings[${i}]`, tcr, s2)));
  }
  if (mappings.length > 0 && pool === null) throw new InputError(`${path}: mappings need a table_pool (the IPAs the builder puts the guest's table pages at)`);
  return { config, ttbr0Given: v.ttbr0 !== undefined, ttbr1Given: v.ttbr1 !== undefined, pool, mappings };
}

function parseMapping(v: unknown, path: string, tcr: TcrFields, s2: Stage2Config): GuestMapping {
  if (!isPlainObject(v)) throw new InputError(`${path}: expected an object, got ${typeName(v)}`);
  checkKeys(v, path, MAPPING_KEYS, ["va", "size", "ipa", "attrindx"]);
  const m: GuestMapping = {
    path,
    va: parseU64Field(v.va, `${path}.va`),
    size: parseHexField(v.size, `${path}.size`),
    ipa: parseHexField(v.ipa, `${path}.ipa`),
    attrIndx: parseInt32(v.attrindx, `${path}.attrindx`, 0, 7),
    ap: v.ap === undefined ? 0 : parseInt32(v.ap, `${path}.ap`, 0, 3),
    sh: v.sh === undefined ? 3 : parseInt32(v.sh, `${path}.sh`, 0, 3),
    af: optBool(v, "af", path, true),
    pxn: optBool(v, "pxn", path, false),
    uxn: optBool(v, "uxn", path, false),
    ng: optBool(v, "ng", path, false),
    level: v.level === undefined ? -1 : parseInt32(v.level, `${path}.level`, 0, 3),
  };
  const region = Number((m.va >> 55n) & 1n) as 0 | 1;
  const g = regionGeometry(tcr, region);
  const span = 1n << BigInt(g.iaBits);
  const lowest = region === 0 ? 0n : (1n << 64n) - span;
  const end = m.va + BigInt(m.size);
  if (m.size === 0) throw new InputError(`${path}.size: 0 (a mapping maps at least one page)`);
  if (m.va < lowest || end > lowest + span) {
    throw new InputError(
      `${path}: VA ${hex(m.va)}..${hex(end - 1n)} is outside the TTBR${region} region ${hex(lowest)}..${hex(lowest + span - 1n)} (${g.iaBits}-bit VAs; T${region}SZ ${g.txsz})`,
    );
  }
  if (m.va % BigInt(g.granule) !== 0n || !isAligned(m.size, g.granule) || !isAligned(m.ipa, g.granule)) {
    throw new InputError(`${path}: va, size and ipa must be multiples of the TTBR${region} granule (${granuleName(g.granule)})`);
  }
  const oaBits = s1OutputBits(tcr.ips, g.granule, s2.paBits);
  if (m.ipa + m.size > 2 ** oaBits)
    throw new InputError(
      `${path}: IPA ${hex(m.ipa)}..${hex(m.ipa + m.size - 1)} is beyond the ${oaBits}-bit stage-1 output size (TCR_EL1.IPS ${tcr.ips}, PAMax ${s2.paBits})`,
    );
  if (m.level >= 0) {
    const l = m.level;
    if (l < g.startLevel) throw new InputError(`${path}.level: ${l} is above the TTBR${region} start level ${g.startLevel}`);
    if (l < 3 && !blockDescSupported(g.granule, false, s2.paBits, l))
      throw new InputError(`${path}.level: the ${granuleName(g.granule)} granule has no blocks at level ${l}`);
    const sz = 2 ** g.shifts[l];
    if (m.va % BigInt(sz) !== 0n || !isAligned(m.ipa, sz) || !isAligned(m.size, sz))
      throw new InputError(`${path}.level: va, size and ipa must be multiples of ${hex(sz)} for level-${l} ${l === 3 ? "pages" : "blocks"}`);
  }
  return m;
}
