import { ptdump, ptdumpColumns, ptdumpRuns, type PtdumpRun } from "../../pgtable/ptdump.js";
import { hex } from "../../pgtable/u64.js";
import { s2MemAttrShortName } from "../../mair/s2memattr.js";
import { loadScenario, replayTableFile } from "../scenarios.js";
import type { CommandSpec } from "../spec.js";

/**
 * One ptdump line as JSON: the IPA range, its level, the kernel's columns
 * as booleans (null for a run of entries with none of the column bits,
 * where the kernel prints no columns) and s2pt's memory type.
 */
function runJson(r: PtdumpRun, kernel: boolean): Record<string, unknown> {
  const cols = ptdumpColumns(r);
  const out: Record<string, unknown> = {
    start: hex(r.start),
    end: hex(r.end),
    size: hex(r.end - r.start),
    level: r.level,
    attrs:
      cols.length === 0
        ? null
        : { valid: cols[0] === " ", r: cols[1] === "R", w: cols[2] === "W", x: cols[3] !== "NX", af: cols[4] === "AF", block: cols[5] === "BLK" },
  };
  if (!kernel) out.memtype = r.memtype === "" ? null : r.memtype;
  return out;
}

/** s2pt dump <scenario>: the final table in the kernel's ptdump line format. */
export const dumpCommand: CommandSpec = {
  name: "dump",
  describe: "replay a scenario and print the final table as the kernel's stage2_page_tables debugfs file does, with a memory-type column",
  operands: [{ name: "scenario", describe: "a scenario JSON file, or - (standard input)", value: { kind: "path" } }],
  options: {
    kernel: { type: "boolean", default: false, describe: "exactly the kernel's output: no memory-type column, and the last run left out as the kernel does" },
    json: {
      type: "boolean",
      default: false,
      describe: "the same lines as JSON: start, end, size, level, attrs {valid, r, w, x, af, block} (null where the kernel prints no columns), memtype",
    },
  },
  examples: [
    [
      "dump test/fixtures/shared/conformance/scenarios/map-page-inside-block.json",
      "a 4K page mapped inside a 2 MiB block: the block gives way to a table holding only the new page; one line per run of equal entries",
    ],
    ["dump test/fixtures/shared/conformance/scenarios/map-page-inside-block.json --kernel", "byte for byte what the kernel's debugfs file prints"],
  ],
  run: (a, ctx) => {
    const path = a.operand<string>("scenario") as string;
    const pgt = replayTableFile(path, loadScenario(ctx, path));
    const kernel = a.flag("kernel");
    const opts = { kernelExact: kernel, memTypeName: s2MemAttrShortName };
    if (a.flag("json"))
      ctx.print(
        JSON.stringify(
          ptdumpRuns(pgt, opts).map((r) => runJson(r, kernel)),
          null,
          2,
        ),
      );
    else ctx.print(ptdump(pgt, opts));
  },
};
