import type { Argv } from "yargs";
import type { CliContext } from "../io.js";
import { granuleName, stage2Geometry, ipaLimit, type Geometry } from "../../pgtable/geometry.js";
import { hex } from "../../pgtable/u64.js";
import { flag, granuleOpt, intOpt, type Args } from "../options.js";

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
      value: hex(g.vtcr.value),
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
    `  VTCR_EL2: T0SZ=${g.vtcr.t0sz} SL0=${g.vtcr.sl0} SL2=${g.vtcr.sl2} TG0=0b${g.vtcr.tg0.toString(2).padStart(2, "0")} PS=${g.vtcr.ps} DS=${g.vtcr.ds}  (${hex(g.vtcr.value)} with HA and 16-bit VMIDs)`,
    `  level  IPA bits  entries           leaf (KVM_PGTABLE_MIN_BLOCK_LEVEL=${g.minBlockLevel})`,
  ];
  for (const l of g.levelInfo) {
    const entries = l.entries === l.usedEntries ? String(l.entries) : `${l.usedEntries} of ${l.entries}`;
    lines.push(`  ${String(l.level).padStart(5)}  ${`${l.ipaBitHi}:${l.ipaBitLo}`.padEnd(8)}  ${entries.padEnd(16)}  ${l.leafAllowed ? (l.level === 3 ? `page ${sizeName(l.leafSize)}` : `block ${sizeName(l.leafSize)}`) : "tables only"}`);
  }
  return lines.join("\n");
}

/** s2pt geometry: levels, start level, root pages and VTCR_EL2 fields. */
export function geometryCommand(y: Argv, ctx: CliContext): Argv {
  return y.command(
    "geometry",
    "stage-2 geometry as kvm_get_vtcr() and kvm_pgd_pages() derive it",
    (b) =>
      b
        .option("granule", { type: "string", requiresArg: true, describe: "4k, 16k or 64k", default: "4k" })
        .option("ia-bits", { type: "string", requiresArg: true, describe: "IPA size, 32..52 (all sizes KVM accepts when left out)" })
        .option("pa-bits", { type: "string", requiresArg: true, describe: "host PA size (default 48, 52 when --ia-bits is above 48)" })
        .option("lpa2", { type: "boolean", default: false, describe: "FEAT_LPA2 (52-bit IPA/PA with 4K/16K)" })
        .option("json", { type: "boolean", default: false, describe: "machine-readable output" })
        .example("$0 geometry --granule 4k --ia-bits 40", "start level 1, 2 root pages"),
    (args: Args) =>
      ctx.guard(() => {
        const granule = granuleOpt(args);
        const lpa2 = flag(args, "lpa2");
        const ia = intOpt(args, "ia-bits", 0, 64);
        const pa = intOpt(args, "pa-bits", 0, 64);
        let geoms: Geometry[];
        if (ia !== undefined) {
          geoms = [stage2Geometry({ granule, iaBits: ia, paBits: pa, lpa2 })];
        } else {
          const paBits = pa ?? (lpa2 || granule === 65536 ? 52 : 48);
          const top = ipaLimit(granule, paBits, lpa2);
          geoms = [];
          for (let i = 32; i <= top; i++) geoms.push(stage2Geometry({ granule, iaBits: i, paBits, lpa2 }));
        }
        if (flag(args, "json")) ctx.print(JSON.stringify(ia !== undefined ? geometryJson(geoms[0]) : geoms.map(geometryJson), null, 2));
        else ctx.print(geoms.map(formatGeometry).join("\n\n"));
      }),
  );
}
