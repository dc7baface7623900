/**
 * Walk panel: a scenario (bundled, or pasted), an address and an access; the
 * walk drawn. An IPA: stage 2 level by level (the table read, the IPA bits
 * that index it, the descriptor's bit strip), then the PA and memory type or
 * the fault and its syndrome. A guest VA: the classic two-stage grid, each
 * stage-1 table entry's IPA itself walked through stage 2, the descriptor
 * reads counted, an S1PTW fault shown in the row where it happens. The walks
 * are walkIpa() / walkVa() over the replayed scenario, via ../walk-view.ts.
 */

import { LINUX_MAIR_ATTRS } from "../../mair/mair.js";
import { walkCli } from "../cli-view.js";
import { BUNDLED_SCENARIOS, PASTED } from "../scenarios.js";
import {
  DEFAULT_WALK_FORM,
  WALK_CHOICES,
  combineLink,
  parseWalkScenario,
  scenarioAddresses,
  walkView,
  type AddrSegment,
  type AddrSuggestion,
  type FaultView,
  type GridRow,
  type S2WalkView,
  type WalkForm,
  type WalkView,
} from "../walk-view.js";
import { showCombine } from "./combine-panel.js";
import { canonicalRegister } from "../register-view.js";
import { showRegister } from "./register-panel.js";
import { byId, cliBox, fill, h, prose, select, showCli, showResult, termText, textInput, valueOf } from "./dom.js";
import { formPanel, stateChanged, type Panel } from "./panel.js";
import { drawStrip } from "./strip.js";

/** The bundled scenarios' texts, put in by tools/build-site.ts (esbuild `define`). */
declare const __S2PT_SCENARIOS__: Readonly<Record<string, string>>;

function bundledText(id: string): string {
  return __S2PT_SCENARIOS__[id] ?? "";
}

const ACCESS_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ["r", "r: data read"],
  ["w", "w: data write"],
  ["x", "x: instruction fetch"],
];

let suggestions: AddrSuggestion[] = [];

function build(): HTMLElement {
  const d = DEFAULT_WALK_FORM;
  const scenarios: Array<[string, string]> = [...BUNDLED_SCENARIOS.map((s) => [s.id, s.title] as [string, string]), [PASTED, "paste a scenario (JSON)"]];
  const paste = h("textarea", { id: "wk-paste", name: "wk-paste", rows: 10, cols: 80, spellcheck: "false", "aria-describedby": "wk-paste-hint" });
  const section = h(
    "section",
    { id: "walk", "aria-labelledby": "walk-title" },
    h("h2", { id: "walk-title", "data-short": "A walk" }, "A walk, drawn"),
    prose(
      "p",
      {},
      "Pick a scenario: s2pt replays its operations through the kernel's stage-2 code, then walks an address through the tables they built, as the MMU does. ",
      "An IPA goes through stage 2 alone, level by level. A guest VA goes through the guest's stage-1 tables, and every stage-1 table entry is itself at an IPA that stage 2 must translate first: that is why a nested walk reads so many descriptors, up to 24 for four levels by four.",
    ),
    h(
      "form",
      { id: "wk-form", class: "inputs" },
      h(
        "fieldset",
        {},
        h("legend", {}, "Scenario"),
        select("wk-scenario", "Scenario", scenarios, d.scenario),
        h(
          "div",
          { class: "field wide", id: "wk-paste-field", hidden: true },
          h("label", { for: "wk-paste" }, "Scenario JSON"),
          paste,
          h("span", { class: "hint", id: "wk-paste-hint" }, "FORMAT.md, with a guest section for VAs (docs/two-stage.md); the page replays up to 64 ops"),
        ),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "Address and access"),
        h(
          "div",
          { class: "field", role: "radiogroup", "aria-label": "what to walk" },
          h("span", { class: "label" }, "Walk"),
          h("label", {}, h("input", { type: "radio", name: "wk-mode", id: "wk-mode-va", value: "va", checked: d.mode === "va" }), " a guest VA (both stages)"),
          h("label", {}, h("input", { type: "radio", name: "wk-mode", id: "wk-mode-ipa", value: "ipa", checked: d.mode === "ipa" }), " an IPA (stage 2)"),
        ),
        select("wk-suggest", "Addresses in the scenario", [["", "(type one)"]], ""),
        textInput("wk-addr", "Address (hex)", d.addr, "0x-prefixed"),
        select("wk-access", "Access", ACCESS_OPTIONS, d.access),
        select(
          "wk-el",
          "From",
          [
            ["1", "EL1 (the guest kernel)"],
            ["0", "EL0 (guest user space)"],
          ],
          d.el,
        ),
        select(
          "wk-s1-attr",
          "Stage-1 attribute (IPA walks)",
          [
            ["", "none"],
            ...LINUX_MAIR_ATTRS.map(([v, n]) => [`0x${v.toString(16).padStart(2, "0")}`, `0x${v.toString(16).padStart(2, "0")} ${n}`] as [string, string]),
          ],
          d.s1Attr,
        ),
        select(
          "wk-s1-sh",
          "Stage-1 SH",
          [
            ["3", "ISH"],
            ["2", "OSH"],
            ["0", "NSH"],
          ],
          d.s1Sh,
        ),
      ),
    ),
    h("p", { id: "wk-error", class: "error", role: "alert", hidden: true }),
    h(
      "div",
      { id: "wk-out", "aria-live": "polite" },
      h("p", { id: "wk-scn", class: "meta" }),
      h("details", { id: "wk-ops" }, h("summary", { id: "wk-ops-summary" }, "The scenario's operations, replayed"), h("div", { id: "wk-ops-body" })),
      h("p", { id: "wk-reads", class: "summary" }),
      h("div", { id: "wk-nested" }),
      h("h3", { id: "wk-levels-title" }, "Stage 2, level by level"),
      h("div", { id: "wk-ipa-bits", class: "addr-bits" }),
      h("ol", { id: "wk-levels", class: "levels" }),
      h("div", { id: "wk-outcome" }),
      h("div", { id: "wk-memtype" }),
      h("details", {}, h("summary", {}, "The same walk as s2pt walk prints it"), h("pre", { id: "wk-text", class: "cli-out" })),
    ),
    cliBox("wk"),
  );
  section.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
  section.querySelector("form")?.addEventListener("change", (e) => onChange(e.target));
  section.querySelector("form")?.addEventListener("input", (e) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) onChange(e.target);
  });
  return section;
}

function text(f: WalkForm): string {
  return f.scenario === PASTED ? f.paste : bundledText(f.scenario);
}

/** A new scenario: walk the first address it names. */
function onChange(target: EventTarget | null): void {
  const id = target instanceof HTMLElement ? target.id : "";
  if (id === "wk-scenario" || id === "wk-paste") {
    const f = readForm();
    try {
      const s = scenarioAddresses(parseWalkScenario(text(f), f.scenario === PASTED))[0];
      if (s) setAddress(s);
    } catch {
      // The walk below reports what is wrong with the scenario.
    }
  } else if (id === "wk-suggest") {
    const s = suggestions[Number(valueOf("wk-suggest"))];
    if (s) setAddress(s);
  }
  render();
  stateChanged("walk");
}

function setAddress(s: AddrSuggestion): void {
  byId<HTMLInputElement>(s.mode === "va" ? "wk-mode-va" : "wk-mode-ipa").checked = true;
  byId<HTMLInputElement>("wk-addr").value = s.addr;
  byId<HTMLSelectElement>("wk-access").value = s.access;
}

function readForm(): WalkForm {
  return {
    scenario: valueOf("wk-scenario"),
    paste: byId<HTMLTextAreaElement>("wk-paste").value,
    mode: byId<HTMLInputElement>("wk-mode-ipa").checked ? "ipa" : "va",
    addr: valueOf("wk-addr"),
    access: valueOf("wk-access"),
    el: valueOf("wk-el"),
    s1Attr: valueOf("wk-s1-attr"),
    s1Sh: valueOf("wk-s1-sh"),
  };
}

function setForm(f: WalkForm): void {
  byId<HTMLSelectElement>("wk-scenario").value = f.scenario;
  byId<HTMLTextAreaElement>("wk-paste").value = f.paste;
  byId<HTMLInputElement>("wk-mode-va").checked = f.mode === "va";
  byId<HTMLInputElement>("wk-mode-ipa").checked = f.mode === "ipa";
  byId<HTMLInputElement>("wk-addr").value = f.addr;
  byId<HTMLSelectElement>("wk-access").value = f.access;
  byId<HTMLSelectElement>("wk-el").value = f.el;
  byId<HTMLSelectElement>("wk-s1-attr").value = f.s1Attr;
  byId<HTMLSelectElement>("wk-s1-sh").value = f.s1Sh;
}

/** The address picker lists what the scenario names; the controls that do not apply are disabled. */
function syncControls(f: WalkForm): void {
  byId("wk-paste-field").hidden = f.scenario !== PASTED;
  let guest = false;
  try {
    const scn = parseWalkScenario(text(f), f.scenario === PASTED);
    suggestions = scenarioAddresses(scn);
    guest = scn.guest !== null;
  } catch {
    suggestions = [];
  }
  const pick = byId<HTMLSelectElement>("wk-suggest");
  const at = suggestions.findIndex((s) => s.mode === f.mode && s.addr === f.addr.trim().toLowerCase() && s.access === f.access);
  fill(
    pick,
    h("option", { value: "" }, "(type one)"),
    ...suggestions.map((s, i) => h("option", { value: String(i) }, `${s.mode === "va" ? "VA" : "IPA"} ${s.addr}, ${s.access}: ${s.label}`)),
  );
  pick.value = at < 0 ? "" : String(at);
  byId<HTMLInputElement>("wk-mode-va").disabled = !guest && f.mode !== "va";
  byId<HTMLSelectElement>("wk-s1-attr").disabled = f.mode !== "ipa";
  byId<HTMLSelectElement>("wk-s1-sh").disabled = f.mode !== "ipa" || f.s1Attr === "";
}

function render(): void {
  const f = readForm();
  syncControls(f);
  const t = text(f);
  showResult("wk-error", "wk-out", walkView(f, t), draw);
  showCli("wk", walkCli(f, t));
}

// ---- drawing --------------------------------------------------------------------------

function bitsText(seg: AddrSegment): string {
  const n = seg.hi - seg.lo + 1;
  return BigInt(seg.value).toString(2).padStart(n, "0");
}

function segClass(s: AddrSegment): string {
  return s.kind === "level" ? `seg lv${s.level}` : `seg ${s.kind}`;
}

/** An address as its bits, one box per job (a level's index, the offset), each labelled. */
function addrBits(addr: string, segs: AddrSegment[], what: string): HTMLElement {
  return h(
    "div",
    { class: "addr", role: "group", "aria-label": `${what} ${addr}, bit by bit` },
    h("div", { class: "addr-head" }, h("strong", {}, `${what} `), h("code", {}, addr)),
    h(
      "div",
      { class: "segs" },
      ...segs.map((s) =>
        h(
          "div",
          {
            class: segClass(s),
            style: `flex-grow: ${s.hi - s.lo + 1}`,
            "data-kind": s.kind,
            "data-level": s.level ?? undefined,
            "data-hi": s.hi,
            "data-lo": s.lo,
          },
          h(
            "div",
            { class: "seg-label" },
            s.kind === "level" ? `L${s.level}` : s.kind === "offset" ? "offset" : s.kind === "upper" ? "top" : "rest",
            h("span", { class: "hint" }, ` ${s.hi}:${s.lo}`),
          ),
          h("div", { class: "seg-bits" }, bitsText(s)),
          h("div", { class: "seg-value" }, s.value),
          h("div", { class: "sr-only" }, s.label),
        ),
      ),
    ),
    h(
      "ul",
      { class: "seg-words hint" },
      ...segs.map((s) => h("li", {}, h("span", { class: `${segClass(s)} dot`, "aria-hidden": "true" }), `bits ${s.hi}:${s.lo} = ${s.value}: ${s.label}`)),
    ),
  );
}

/** A whole register of the fault (ESR, FAR, HPFAR): open it in the register decoder, field by field. */
function regButton(name: string, value: string): HTMLElement | null {
  const reg = canonicalRegister(name);
  if (reg === null || !/^0x[0-9a-f]+$/.test(value)) return null;
  const b = h("button", { type: "button", class: "decode", "data-decode-reg": reg, "aria-label": `decode ${reg} ${value} in the register decoder` }, "decode");
  b.addEventListener("click", () => showRegister({ name: reg, value, xs: false }));
  return b;
}

function faultBox(f: FaultView): HTMLElement {
  return h(
    "div",
    { class: "fault", id: "wk-fault", "data-stage": f.stage, "data-level": f.level },
    h("h4", {}, `✖ ${f.title}, level ${f.level} (stage ${f.stage})`),
    prose("p", {}, f.where),
    h(
      "table",
      { class: "fields" },
      h("caption", { class: "sr-only" }, "the fault's registers"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "register or field"), h("th", { scope: "col" }, "value"), h("th", { scope: "col" }, "meaning"))),
      h(
        "tbody",
        {},
        ...f.rows.map((r) =>
          h(
            "tr",
            { "data-name": r.name },
            h("th", { scope: "row" }, ...termText(r.name)),
            h("td", {}, h("code", {}, r.value), regButton(r.name, r.value)),
            h("td", {}, r.meaning),
          ),
        ),
      ),
    ),
  );
}

function drawLevels(w: S2WalkView): void {
  const g = w.report;
  fill(byId("wk-ipa-bits"), addrBits(g.ipa, w.segments, "IPA"));
  fill(
    byId("wk-levels"),
    ...w.levels.map((l) => {
      const seg = w.segments.find((s) => s.kind === "level" && s.level === l.level);
      return h(
        "li",
        { class: `level${l.fault ? " faulted" : ""}`, "data-level": l.level },
        h(
          "div",
          { class: "level-head" },
          h("span", { class: `badge-level lv${l.level}` }, `Level ${l.level}`),
          ` table at PA ${l.table}${l.rootPage !== null ? ` (root table ${l.rootPage})` : ""}, index ${l.index}${seg ? ` (IPA bits ${seg.hi}:${seg.lo})` : ""}, entry at PA ${l.entry}`,
        ),
        h(
          "div",
          { class: "level-desc" },
          h("code", {}, l.descriptor),
          " ",
          l.summary,
          l.fault ? h("strong", { class: "fault-mark" }, " ✖ the walk faults here") : null,
        ),
        l.strip ? h("div", { class: "strip" }, ...drawStrip(l.strip, `level ${l.level} descriptor ${l.descriptor}`)) : null,
      );
    }),
  );
  const out = byId("wk-outcome");
  if (w.result) fill(out, h("div", { class: "result", id: "wk-result" }, ...w.result.map((line, i) => h("div", { class: i === 0 ? "pa" : "mono" }, line))));
  else if (w.fault) fill(out, faultBox(w.fault));
  else fill(out);
}

function gridRow(r: GridRow, levels: number[]): HTMLElement {
  return h(
    "tr",
    { "data-kind": r.kind, "data-s1-level": r.s1Level ?? undefined, "data-reads": r.reads, class: r.s2Fault ? "faulted" : undefined },
    h("th", { scope: "row" }, h("div", {}, r.label), h("div", { class: "hint" }, `IPA ${r.ipa} · ${r.reads} read${r.reads === 1 ? "" : "s"}`)),
    ...r.cells.map((c, i) =>
      c
        ? h(
            "td",
            { class: `gcell lv${levels[i]}${c.fault ? " fault" : ""}`, "data-level": c.level },
            h("div", {}, `table ${c.table} [${c.index}]`),
            h("div", { class: "hint" }, c.summary),
            c.fault ? h("strong", { class: "fault-mark" }, r.kind === "output" ? "✖ stage-2 fault" : "✖ stage-2 fault: S1PTW") : null,
          )
        : h("td", { class: "gcell empty" }, h("span", { class: "sr-only" }, "not read")),
    ),
    h(
      "td",
      { class: "gread" },
      r.read
        ? r.read.descriptor !== null
          ? h("div", {}, `stage-1 entry read at PA ${r.read.pa}: `, h("code", {}, r.read.descriptor), h("div", { class: "hint" }, r.read.summary ?? ""))
          : h("div", {}, `the access goes to PA ${r.read.pa}`)
        : h("div", { class: "hint" }, r.s2Fault ? "not read: stage 2 faulted" : r.kind === "update" ? "the update writes the entry" : "not read"),
    ),
  );
}

function drawNested(v: WalkView): void {
  const box = byId("wk-nested");
  const va = v.va;
  if (!va) {
    fill(box);
    return;
  }
  const rep = va.report;
  fill(
    box,
    h("h3", {}, "The two-stage walk"),
    va.segments.length ? addrBits(rep.va, va.segments, "VA") : prose("p", {}, rep.s1Why),
    h(
      "div",
      { class: "grid-wrap" },
      h(
        "table",
        { id: "wk-grid", class: "nested" },
        h("caption", {}, "A row per IPA stage 2 translates: each stage-1 table entry's, then the output IPA; a column per stage-2 level"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "IPA translated"),
            ...va.s2Levels.map((l) => h("th", { scope: "col", class: `lv${l}` }, `stage-2 level ${l}`)),
            h("th", { scope: "col" }, "then"),
          ),
        ),
        h("tbody", {}, ...va.rows.map((r) => gridRow(r, va.s2Levels))),
      ),
    ),
  );
}

function drawMemtype(v: WalkView): void {
  const c = v.va ? v.va.memtype : (v.ipa?.report.combined ?? null);
  const box = byId("wk-memtype");
  if (!c) {
    fill(box);
    return;
  }
  const open = c.attr < 0 || c.sh < 0;
  const steps = h("button", { type: "button", id: "wk-open-steps" }, "Show the steps in the combine panel");
  steps.addEventListener("click", () => showCombine(combineLink(c)));
  fill(
    box,
    h(
      "div",
      { class: open ? "open" : "result", id: "wk-memtype-box" },
      h("strong", {}, "Memory type: "),
      h("span", { id: "wk-memtype-words" }, c.description),
      c.attr >= 0 ? ` — PAR_EL1.ATTR 0x${c.attr.toString(16).padStart(2, "0")}` : " — open",
      h(
        "div",
        { class: "hint" },
        `stage-1 MAIR byte 0x${c.s1.attr.toString(16).padStart(2, "0")} combined with stage-2 MemAttr 0x${c.s2.memattr.toString(16)}, FWB ${c.config.fwb ? "on" : "off"} `,
        steps,
      ),
    ),
  );
}

function draw(v: WalkView): void {
  byId("wk-scn").textContent = `${v.scenario.name} — stage 2: ${v.scenario.geometry}`;
  byId("wk-ops-summary").textContent =
    `The scenario's ${v.scenario.ops.length} operations, replayed (what the kernel code returned and the TLB and cache maintenance it asked for)`;
  fill(
    byId("wk-ops-body"),
    prose(
      "p",
      { class: "hint" },
      "Events: tlbi_* is a TLBI, dcache a CMO (clean and invalidate to the PoC), icache an invalidate to the PoU. A change to a live entry is a BBM: the TLBI comes between writing the invalid entry and the new one.",
    ),
    h("ol", { class: "ops" }, ...v.scenario.ops.map((o) => h("li", {}, h("code", {}, o.op), h("div", {}, "→ ", h("code", {}, o.result))))),
  );
  const reads = byId("wk-reads");
  reads.dataset.reads = String(v.reads);
  if (v.va) {
    const r = v.va.reads;
    reads.textContent = `${r.total} descriptor reads: ${r.s2} by stage 2 and ${r.s1} by stage 1${r.update ? `, plus ${r.update} for the hardware update of the stage-1 leaf` : ""}. With ${r.n} stage-1 and ${r.m} stage-2 levels a walk that misses every TLB reads at most ${r.n}×${r.m} + ${r.n} + ${r.m} = ${r.max}.`;
  } else {
    reads.textContent = `${v.reads} descriptor read${v.reads === 1 ? "" : "s"}, one per level.`;
  }
  drawNested(v);
  const detail = v.va ? v.va.detail : v.ipa ? { what: "", walk: v.ipa } : null;
  byId("wk-levels-title").textContent = v.va
    ? detail
      ? `Stage 2 of ${detail.what}, level by level`
      : "Stage 2, level by level: no stage-2 walk to draw"
    : "Stage 2, level by level";
  if (detail) drawLevels(detail.walk);
  else {
    fill(byId("wk-ipa-bits"));
    fill(byId("wk-levels"));
    fill(byId("wk-outcome"));
  }
  // In a two-stage walk the fault is the whole walk's (its syndrome names the stage and S1PTW).
  if (v.va?.fault) fill(byId("wk-outcome"), faultBox(v.va.fault));
  drawMemtype(v);
  byId("wk-text").textContent = v.cliText;
}

export const walkPanel: Panel = formPanel({
  id: "walk",
  key: "walk",
  build,
  render,
  read: readForm,
  write: setForm,
  defaults: DEFAULT_WALK_FORM,
  choices: { ...WALK_CHOICES, scenario: [...BUNDLED_SCENARIOS.map((b) => b.id), PASTED] },
});
