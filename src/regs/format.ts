/**
 * A decoded register as text, one field per line (the layout of s2pt's
 * descriptor decoder): bits, name, value, meaning, and "!" with the problem
 * for a RES0/RES1 violation or a reserved encoding.
 */

import type { DecodedRegister } from "./field.js";
import { ArgumentError, checkObject, shown } from "../pgtable/args.js";

/** A decoded register as text, one field per line (what `s2pt reg` prints). */
export function formatRegister(d: DecodedRegister): string {
  const o = checkObject(d, "d");
  if (typeof o.register !== "string" || !Array.isArray(o.fields) || o.fields.length === 0 || !Array.isArray(o.notes) || !Array.isArray(o.problems))
    throw new ArgumentError("d", `${shown(d)} is not a DecodedRegister (a decode function of s2pt/regs makes one)`);
  const lines = [`${d.register} = ${d.value}  ${d.summary}`];
  const bw = Math.max(...d.fields.map((f) => f.bits.length)) + 2;
  const nw = Math.max(...d.fields.map((f) => f.name.length));
  const vw = Math.max(...d.fields.map((f) => f.value.length));
  for (const f of d.fields) {
    lines.push(`  ${`[${f.bits}]`.padEnd(bw)}  ${f.name.padEnd(nw)}  ${f.value.padEnd(vw)}  ${f.meaning}`);
    if (f.problem) lines.push(`  ${" ".repeat(bw)}  ${" ".repeat(nw)}  ${" ".repeat(vw)}  ! ${f.problem}`);
  }
  for (const n of d.notes) lines.push(`  note: ${n}`);
  if (d.problems.length) lines.push(`  ${d.problems.length} problem${d.problems.length > 1 ? "s" : ""}: ${d.problems.join("; ")}`);
  return lines.join("\n");
}
