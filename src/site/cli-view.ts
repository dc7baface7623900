/**
 * "Copy the CLI command": the `npx s2pt ...` line that prints what a panel
 * shows, without the DOM. Each line is built from the panel's validated view
 * (the same numbers the page drew), in the most conservative forms the CLI
 * takes: 0x-prefixed hex, --fwb / --no-fwb always spelled out, --access
 * r|w|x, option=value for a value that starts with "-". test/site checks
 * every line by running it through the CLI (runCli) and comparing its answer
 * with the page's.
 */

import { combineView, hexByte, type CombineForm } from "./combine-view.js";
import { descriptorView, type DescriptorForm } from "./descriptor-view.js";
import { driverVma, eraView, type EraForm } from "./era-view.js";
import { bundledScenario, PASTED } from "./scenarios.js";
import { walkView, type WalkForm } from "./walk-view.js";
import { matrixView, type MatrixForm } from "./matrix-view.js";
import { registerView, type RegisterForm } from "./register-view.js";
import { EC_CODES, ESR } from "../regs/esr.js";
import { fieldNum } from "../regs/field.js";

export interface CliLine {
  /** The arguments after `s2pt`, or null when the CLI cannot say it (note says why). */
  argv: string[] | null;
  /** "npx s2pt combine --s1 0x44 ...", or "" with no argv. */
  text: string;
  /** What the reader should know (a file to save first, an input the CLI takes another way). */
  note: string | null;
}

/** A word as a POSIX shell reads it: bare when it is safe, else single-quoted. */
export function shellWord(w: string): string {
  if (w !== "" && /^[A-Za-z0-9_./:=,@%+-]+$/.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}

export function cliLine(argv: string[] | null, note: string | null = null): CliLine {
  return { argv, text: argv ? `npx s2pt ${argv.map(shellWord).join(" ")}` : "", note };
}

const NO_LINE = (why: string): CliLine => cliLine(null, why);

/** s2pt combine for the combine panel. */
export function combineCli(f: CombineForm): CliLine {
  const r = combineView(f);
  if (!r.ok) return NO_LINE("fix the input first");
  const res = r.view.result;
  if (res.s1.sh === 1 || res.s2.sh === 1) return NO_LINE("the CLI takes SH 0 (NSH), 2 (OSH) or 3 (ISH): the reserved 0b01 is on this page only");
  const argv = ["combine", "--s1", hexByte(res.s1.attr), "--s2", `0x${res.s2.memattr.toString(16)}`];
  if (res.s1.sh !== 3) argv.push("--s1-sh", String(res.s1.sh));
  if (res.s2.sh !== 3) argv.push("--s2-sh", String(res.s2.sh));
  argv.push(f.fwb ? "--fwb" : "--no-fwb");
  if (f.xs) argv.push("--xs");
  if (!f.mte2) argv.push("--no-mte2");
  if (f.hcrCD) argv.push("--hcr-cd");
  if (f.hcrDC) argv.push("--hcr-dc");
  if (f.hcrDCT) argv.push("--hcr-dct");
  if (!f.sctlrC) argv.push("--no-sctlr-c");
  if (f.ifetch) argv.push("--ifetch");
  if (f.hcrID) argv.push("--hcr-id");
  if (!f.sctlrI) argv.push("--no-sctlr-i");
  const p = r.view.fromProt;
  return cliLine(argv, p ? `the CLI takes the MemAttr: stage2_set_prot_attr(${p.prot}) writes MemAttr 0x${p.memattr.toString(16)}, SH ${p.sh}` : null);
}

/** s2pt combine for the matrix's selected cell. */
export function matrixCli(f: MatrixForm): CliLine {
  const r = matrixView(f);
  if (!r.ok) return NO_LINE("fix the input first");
  const v = r.view;
  const argv = ["combine", "--s1", hexByte(v.selected.s1), "--s2", `0x${v.selected.s2.toString(16)}`];
  if (v.s1Sh !== 3) argv.push("--s1-sh", String(v.s1Sh));
  if (v.s2Sh !== 3) argv.push("--s2-sh", String(v.s2Sh));
  argv.push(v.fwb ? "--fwb" : "--no-fwb");
  return cliLine(argv, "the selected cell; the whole table: npx s2pt combine --table --format csv");
}

/** s2pt walk for the walk panel; `text` is the scenario's text (for a pasted one). */
export function walkCli(f: WalkForm, text: string): CliLine {
  const r = walkView(f, text);
  if (!r.ok) return NO_LINE("fix the input first");
  const b = f.scenario === PASTED ? undefined : bundledScenario(f.scenario);
  const path = b ? b.path : "scenario.json";
  const v = r.view;
  const addr = v.mode === "ipa" ? (v.ipa?.report.ipa ?? "0x0") : (v.va?.report.va ?? "0x0");
  const argv = ["walk", path, v.mode === "ipa" ? "--ipa" : "--va", addr, "--access", f.access];
  if (f.el !== "1") argv.push("--el", f.el);
  const s1 = v.ipa?.report.stage1;
  if (s1) argv.push("--s1-attr", hexByte(s1.attr), "--s1-sh", String(s1.sh));
  return cliLine(argv, b ? null : "save the pasted scenario as scenario.json first");
}

/** s2pt explain for the era panel. */
export function eraCli(f: EraForm): CliLine {
  const r = eraView(f);
  if (!r.ok) return NO_LINE("fix the input first");
  const argv = ["explain", "--vma", f.vma];
  if (driverVma(f.vma)) {
    if (f.pgprot !== "") argv.push("--pgprot", f.pgprot);
    if (f.allowAnyUncached) argv.push("--allow-any-uncached");
  }
  if (f.pfn !== "") argv.push("--pfn", f.pfn);
  if (f.dic) argv.push("--dic");
  if (f.access !== "read") argv.push("--access", f.access);
  argv.push(f.fwb ? "--fwb" : "--no-fwb");
  if (f.guest.trim() !== "") {
    argv.push("--guest", f.guest.trim());
    if (f.guestSh !== "3") argv.push("--guest-sh", f.guestSh);
  }
  return cliLine(argv);
}

/** s2pt decode for the decoder panel. */
export function decodeCli(f: DescriptorForm): CliLine {
  const r = descriptorView(f);
  if (!r.ok) return NO_LINE("fix the input first");
  const argv = ["decode", r.view.decoded.value];
  if (f.granule !== "4k") argv.push("--granule", f.granule);
  // "--level=-1": a value starting with "-" must not read as an option.
  if (f.level !== "") argv.push(f.level.startsWith("-") ? `--level=${f.level}` : "--level", ...(f.level.startsWith("-") ? [] : [f.level]));
  if (f.lpa2) argv.push("--lpa2");
  argv.push(f.fwb ? "--fwb" : "--no-fwb");
  if (f.paBits !== "") argv.push("--pa-bits", f.paBits);
  return cliLine(argv);
}

/**
 * s2pt reg for the register panel: the catalogue's name (ESR_EL2 for esr) and
 * the value as the page read it; for an abort taken from the guest, the note
 * gives the `s2pt fault` line that says what KVM does with it.
 */
export function registerCli(f: RegisterForm): CliLine {
  const r = registerView(f);
  if (!r.ok) return NO_LINE("fix the input first");
  const argv = ["reg", r.view.name, r.view.decoded.value];
  if (f.xs) argv.push("--xs");
  const ec = fieldNum(BigInt(r.view.decoded.value), ESR.EC);
  const guestAbort = r.view.name === "ESR_EL2" && (ec === EC_CODES.DABT_LOW || ec === EC_CODES.IABT_LOW);
  return cliLine(argv, guestAbort ? `what KVM does with this abort: npx s2pt fault --esr ${r.view.decoded.value} --hpfar <HPFAR_EL2>` : null);
}
