/**
 * A combine (combineS1S2's CombineResult) as text: the inputs, every rule
 * step with the ASL function it mirrors, the result as PAR_EL1.ATTR/SH, and
 * for an open result the reasons and every permitted outcome. Used by
 * s2pt combine, s2pt walk and the generated documentation.
 */

import { configWords, type CombineResult } from "./combine.js";
import { SH_NAMES, SH_SHORT } from "./attrs.js";
import { linuxMairName } from "./mair.js";
import { parFields } from "./par.js";
import { ArgumentError, checkObject, shown } from "../pgtable/args.js";

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

/** The text form of one combine. */
export function formatCombine(r: CombineResult): string {
  const o = checkObject(r, "r");
  const isObj = (v: unknown): boolean => typeof v === "object" && v !== null;
  if (!isObj(o.s1) || !isObj(o.s2) || !isObj(o.config) || !Array.isArray(o.steps) || !Array.isArray(o.outcomes))
    throw new ArgumentError("r", `${shown(r)} is not a CombineResult (combineS1S2() makes one)`);
  const out: string[] = [];
  const s1name = linuxMairName(r.s1.attr);
  out.push(`stage 1   MAIR Attr ${hex2(r.s1.attr)}${s1name ? ` (${s1name})` : ""}: ${r.s1.text}; SH ${SH_SHORT[r.s1.sh]}`);
  out.push(
    `stage 2   MemAttr 0x${r.s2.memattr.toString(16)} (FWB ${r.config.fwb ? "on" : "off"}${r.s2.linux ? `, ${r.s2.linux}` : ""}): ${r.s2.text}; SH ${SH_SHORT[r.s2.sh]}`,
  );
  out.push(`config    ${configWords(r.config)}`);
  out.push("");
  const single = r.outcomes.length === 1;
  out.push(single ? "steps" : `steps (for the first permitted outcome; ${r.outcomes.length} in all, below)`);
  r.steps.forEach((s, i) => {
    out.push(`  ${String(i + 1).padStart(2)}. ${s.asl}: ${s.rule}`);
    out.push(`      -> ${s.result}`);
  });
  out.push("");
  if (r.attr >= 0 && r.sh >= 0) {
    out.push(`result    ${r.description}`);
    out.push(`          ${r.memtype}; ${parFields(r.attr, r.sh)}`);
  } else {
    out.push(`result    ${r.description}`);
    out.push(`          ATTR ${r.attr >= 0 ? hex2(r.attr) : `open (-1): permitted ${r.permitted.attr.map(hex2).join(", ")}`}`);
    for (const why of r.open.attr) out.push(`            because ${why.text} [${why.asl}]`);
    out.push(
      `          SH   ${r.sh >= 0 ? `0b${r.sh.toString(2).padStart(2, "0")} (${SH_NAMES[r.sh]})` : `open (-1): permitted ${r.permitted.sh.map((s) => SH_SHORT[s]).join(", ")}`}`,
    );
    for (const why of r.open.sh) out.push(`            because ${why.text} [${why.asl}]`);
    out.push("");
    out.push(`permitted outcomes (${r.outcomes.length})`);
    for (const o of r.outcomes) {
      out.push(
        `  ATTR ${hex2(o.attr)} SH ${SH_SHORT[o.sh]}  ${o.description}${o.choices.length ? `  <- ${o.choices.slice(0, 3).join("; ")}${o.count > 3 ? `; ... (${o.count} choice combinations)` : ""}` : ""}`,
      );
    }
    if (r.outcomes.length <= 4) {
      for (const o of r.outcomes.slice(1)) {
        out.push("", `steps for ATTR ${hex2(o.attr)} SH ${SH_SHORT[o.sh]} (${o.choices[0] ?? ""})`);
        o.steps.forEach((s, i) => {
          out.push(`  ${String(i + 1).padStart(2)}. ${s.asl}: ${s.rule}`);
          out.push(`      -> ${s.result}`);
        });
      }
    }
  }
  for (const n of r.notes) out.push(`note      ${n}`);
  return out.join("\n");
}
