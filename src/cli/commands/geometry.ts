import { granuleName, stage2Geometry, ipaLimit, type Geometry, type Granule } from "../../pgtable/geometry.js";
import { InputError } from "../../pgtable/u64.js";
import { checkLpa2, checkPaBits } from "../options.js";
import type { CommandSpec } from "../spec.js";

function sizeName(bytes: number): string {
  const units = ["B", "K", "M", "G", "T", "P", "E"];
  let u = 0;
  while (bytes >= 1024 && bytes % 1024 === 0 && u < units.length - 1) {
    bytes /= 1024;
    u++;
  }
  return `${bytes}${units[u]}`;
}

export function geometryJson(g: Geometry): Record<string, unknown> {
  return {
    granule: g.granule,
    ia_bits: g.iaBits,
    pa_bits: g.paBits,
    lpa2: g.lpa2,
    levels: g.levels,
    start_level: g.startLevel,
    pgd_pages: g.pgdPages,
    pgd_bytes: g.pgdPages * g.granule,
    min_block_level: g.minBlockLevel,
    vtcr: {
      t0sz: g.vtcr.t0sz,
      sl0: g.vtcr.sl0,
      sl2: g.vtcr.sl2,
      tg0: g.vtcr.tg0,
      ps: g.vtcr.ps,
      ds: g.vtcr.ds,
      value: g.vtcr.value,
    },
    level_info: g.levelInfo.map((l) => ({
      level: l.level,
      shift: l.shift,
      ipa_bits: `${l.ipaBitHi}:${l.ipaBitLo}`,
      entries: l.entries,
      used_entries: l.usedEntries,
      leaf: l.leafAllowed ? sizeName(l.leafSize) : null,
    })),
  };
}

export function formatGeometry(g: Geometry): string {
  const lines = [
    `${granuleName(g.granule)} granule, ${g.iaBits}-bit IPA, ${g.paBits}-bit PA${g.lpa2 ? ", FEAT_LPA2" : ""}`,
    `  levels ${g.levels}, start level ${g.startLevel}, ${g.pgdPages} concatenated root page${g.pgdPages > 1 ? "s" : ""} (${sizeName(g.pgdPages * g.granule)} PGD)`,
    `  VTCR_EL2: T0SZ=${g.vtcr.t0sz} SL0=${g.vtcr.sl0} SL2=${g.vtcr.sl2} TG0=0b${g.vtcr.tg0.toString(2).padStart(2, "0")} PS=${g.vtcr.ps} DS=${g.vtcr.ds}  (${g.vtcr.value} with HA and 16-bit VMIDs)`,
    `  level  IPA bits  entries           leaf (KVM_PGTABLE_MIN_BLOCK_LEVEL=${g.minBlockLevel})`,
  ];
  for (const l of g.levelInfo) {
    const entries = l.entries === l.usedEntries ? String(l.entries) : `${l.usedEntries} of ${l.entries}`;
    lines.push(
      `  ${String(l.level).padStart(5)}  ${`${l.ipaBitHi}:${l.ipaBitLo}`.padEnd(8)}  ${entries.padEnd(16)}  ${l.leafAllowed ? (l.level === 3 ? `page ${sizeName(l.leafSize)}` : `block ${sizeName(l.leafSize)}`) : "tables only"}`,
    );
  }
  return lines.join("\n");
}

/** A geometry refusal said with the option names (stage2Geometry names the FORMAT.md config fields). */
function optionWords(e: unknown): unknown {
  if (!(e instanceof InputError)) return e;
  const m = e.message
    .replace(/^ia_bits:/, "--ia-bits:")
    .replace(/^pa_bits:/, "--pa-bits:")
    .replace(/^lpa2:/, "--lpa2:")
    .replace(/\(set lpa2\)/, "(--lpa2)")
    .replace(/\(pa_bits (\d+)\)/, "(--pa-bits $1)");
  return new InputError(m);
}

/** s2pt geometry: levels, start level, root pages and VTCR_EL2 fields. */
export const geometryCommand: CommandSpec = {
  name: "geometry",
  describe: "stage-2 geometry as kvm_get_vtcr() and kvm_pgd_pages() derive it",
  options: {
    granule: { type: "string", value: { kind: "granule" }, describe: "4k, 16k or 64k", default: "4k" },
    "ia-bits": {
      type: "string",
      value: { kind: "int", min: 32, max: 52 },
      describe: "IPA size, 32..52 (ARM64_MIN_PARANGE_BITS to 52), at most the IPA limit of the granule and PA size; every size KVM accepts when left out",
    },
    "pa-bits": {
      type: "string",
      value: { kind: "parange" },
      describe: "host PA size, a PARange size: 32, 36, 40, 42, 44, 48, 52 (52 needs --lpa2 or a 64K granule); default 48, or 52 when --ia-bits is above 48",
    },
    lpa2: { type: "boolean", default: false, describe: "FEAT_LPA2 (52-bit IPA/PA with 4K/16K)" },
    json: { type: "boolean", default: false, describe: "machine-readable output" },
  },
  examples: [
    ["geometry --granule 4k --ia-bits 40", "start level 1, 2 root pages"],
    ["geometry --granule 16k --ia-bits 52 --lpa2", "start level 0, FEAT_LPA2"],
  ],
  run: (a, ctx) => {
    const granule = a.value<Granule>("granule") as Granule;
    const lpa2 = a.flag("lpa2");
    const ia = a.value<number>("ia-bits");
    const pa = a.value<number>("pa-bits");
    checkLpa2(granule, lpa2);
    checkPaBits(pa, granule, lpa2);
    let geoms: Geometry[];
    try {
      if (ia !== undefined) {
        geoms = [stage2Geometry({ granule, iaBits: ia, paBits: pa, lpa2 })];
      } else {
        const paBits = pa ?? (lpa2 || granule === 65536 ? 52 : 48);
        const top = ipaLimit(granule, paBits, lpa2);
        geoms = [];
        for (let i = 32; i <= top; i++) geoms.push(stage2Geometry({ granule, iaBits: i, paBits, lpa2 }));
      }
    } catch (e) {
      throw optionWords(e);
    }
    if (a.flag("json")) ctx.print(JSON.stringify(ia !== undefined ? geometryJson(geoms[0]) : geoms.map(geometryJson), null, 2));
    else ctx.print(geoms.map(formatGeometry).join("\n\n"));
  },
};
