/**
 * Combine matrix panel: every stage-1 memory type by every stage-2 MemAttr,
 * FWB off or on, each cell coloured by the resulting type and saying it in
 * words (open cells hatched and marked "open"); the shareability of the
 * selected cell for every pair of SH fields. A cell is a button: focus
 * selects it (arrow keys move between cells), a click or Enter opens its
 * steps in the combine panel. The numbers are combineTable()'s, via
 * ../matrix-view.ts; this file only draws them.
 */

import { SH_SHORT } from "../../mair/attrs.js";
import { matrixCli } from "../cli-view.js";
import {
  DEFAULT_MATRIX_FORM,
  MATRIX_CHOICES,
  SH_ORDER,
  TYPE_CLASSES,
  matrixView,
  shHead,
  type MatrixCell,
  type MatrixForm,
  type MatrixView,
} from "../matrix-view.js";
import { cellKey, shKey } from "../rules-view.js";
import { showCombine } from "./combine-panel.js";
import { byId, checkbox, checked, cliBox, fill, h, prose, select, showCli, showResult, valueOf } from "./dom.js";
import { formPanel, stateChanged, type Panel } from "./panel.js";

const SH_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ["3", "0b11 ISH (what Linux writes)"],
  ["2", "0b10 OSH"],
  ["0", "0b00 NSH"],
];

let view: MatrixView | null = null;
/** The FWB and SH the table was last built for ("" before the first build). */
let built = "";
let selected = { s1: 0x44, s2: 0x5 };

/** The matrix as drawn (the rules panel reads its cells). */
export function currentMatrix(): MatrixView | null {
  return view;
}

function hex2(v: number): string {
  return "0x" + v.toString(16).padStart(2, "0");
}

function build(): HTMLElement {
  const d = DEFAULT_MATRIX_FORM;
  const section = h(
    "section",
    { id: "matrix", "aria-labelledby": "matrix-title" },
    h("h2", { id: "matrix-title", "data-short": "Combine matrix" }, "The combine at a glance: every stage-1 type over every stage-2 MemAttr"),
    prose(
      "p",
      {},
      "Rows: the memory type the guest asks for, a MAIR_EL1 attribute byte picked by the stage-1 descriptor's AttrIndx. Columns: the 16 values of the stage-2 descriptor's MemAttr, which KVM writes. ",
      "Each cell is the type the access finally gets (PAR_EL1.ATTR, written in words) and its shareability. Turn FWB on and off to see stage 2 switch from combining with stage 1 (the stricter wins) to overriding it. ",
      "Hatched cells marked open are where the architecture allows more than one answer. Select a cell for its shareability below; click it (or press Enter) for its steps.",
    ),
    h(
      "form",
      { id: "mx-form", class: "inputs" },
      checkbox("mx-fwb", "FWB (HCR_EL2.FWB = 1)", d.fwb, "on: stage 2 overrides; off: the stages combine"),
      select("mx-s1-sh", "Stage-1 SH", SH_OPTIONS, d.s1Sh),
      select("mx-s2-sh", "Stage-2 SH", SH_OPTIONS, d.s2Sh),
    ),
    h(
      "ul",
      { class: "legend", "aria-label": "what the cells' colours mean" },
      ...TYPE_CLASSES.map(([cls, words]) => h("li", {}, h("span", { class: `swatch t-${cls}`, "aria-hidden": "true" }), words)),
    ),
    h("p", { id: "mx-error", class: "error", role: "alert", hidden: true }),
    h(
      "div",
      { id: "mx-out" },
      h("div", { class: "matrix-wrap" }, h("table", { id: "mx-table", class: "matrix" })),
      h("p", { class: "hint", id: "mx-linux" }),
      h("div", { id: "mx-selected", class: "result", "aria-live": "polite" }),
      h("h3", { id: "mx-sh-title" }, "Shareability of the selected combination"),
      prose("p", { class: "hint" }, "PAR_EL1.SH for every stage-1 SH (rows) by every stage-2 SH (columns), the selected types kept. SH 0b01 is reserved."),
      h("table", { id: "mx-sh", class: "matrix sh-matrix" }),
    ),
    cliBox("mx"),
  );
  section.querySelector("#mx-table")?.addEventListener("keydown", (e) => onKey(e as KeyboardEvent));
  section.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
  section.querySelector("form")?.addEventListener("change", () => {
    render();
    stateChanged("matrix");
  });
  return section;
}

function readForm(): MatrixForm {
  return { fwb: checked("mx-fwb"), s1Sh: valueOf("mx-s1-sh"), s2Sh: valueOf("mx-s2-sh"), s1: hex2(selected.s1), s2: `0x${selected.s2.toString(16)}` };
}

function setForm(f: MatrixForm): void {
  byId<HTMLInputElement>("mx-fwb").checked = f.fwb;
  byId<HTMLSelectElement>("mx-s1-sh").value = f.s1Sh;
  byId<HTMLSelectElement>("mx-s2-sh").value = f.s2Sh;
  const s1 = parseInt(f.s1, 16);
  const s2 = parseInt(f.s2, 16);
  if (Number.isInteger(s1) && s1 >= 0 && s1 <= 0xff && Number.isInteger(s2) && s2 >= 0 && s2 <= 0xf) selected = { s1, s2 };
}

/** Switch FWB (the rules panel does, for a rule of the other setting). */
export function setMatrixFwb(fwb: boolean): void {
  byId<HTMLInputElement>("mx-fwb").checked = fwb;
  render();
  stateChanged("matrix");
}

function render(): void {
  const f = readForm();
  const r = matrixView(f);
  showResult("mx-error", "mx-out", r, (v) => {
    view = v;
    const key = `${v.fwb} ${v.s1Sh} ${v.s2Sh}`;
    if (key !== built) {
      drawTable(v);
      built = key;
    }
    drawSelection(v);
  });
  showCli("mx", matrixCli(f));
  document.dispatchEvent(new CustomEvent("s2pt:matrix"));
}

function cellWords(c: MatrixCell): string {
  if (c.open === "none") return `${c.label}, ${c.shLabel}`;
  if (c.open === "sh") return `${c.label}, shareability open (${c.result.permitted.sh.map((s) => SH_SHORT[s]).join(" or ")})`;
  return `open: ${c.result.memtype.split(" | ").join(" or ")}`;
}

function drawTable(v: MatrixView): void {
  const table = byId("mx-table");
  fill(
    table,
    h("caption", {}, `The type each access gets, FWB ${v.fwb ? "on" : "off"}, stage-1 SH ${SH_SHORT[v.s1Sh]}, stage-2 SH ${SH_SHORT[v.s2Sh]}`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", class: "corner" }, "stage 1 ↓ · stage-2 MemAttr →"),
        ...v.columns.map((c) =>
          h(
            "th",
            { scope: "col", "data-s2": c.head, title: `${c.bits}: ${c.text}${c.linux ? ` (${c.linux})` : ""}` },
            h("div", { class: "col-hex" }, c.head),
            h("div", { class: "hint" }, c.bits),
            h("div", { class: "col-short" }, c.short),
            c.linux ? h("div", { class: "linux-mark" }, "Linux") : null,
          ),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...v.rows.map((row, ri) =>
        h(
          "tr",
          { "data-s1": hex2(row.s1) },
          h("th", { scope: "row", title: row.text }, h("span", { class: "row-head" }, row.head), row.linux ? h("div", { class: "hint" }, row.linux) : null),
          ...row.cells.map((c, ci) =>
            h(
              "td",
              {},
              h(
                "button",
                {
                  type: "button",
                  class: `cell t-${c.cls}${c.open !== "none" ? " open" : ""}`,
                  "data-s1": hex2(c.s1),
                  "data-s2": `0x${c.s2.toString(16)}`,
                  "data-key": cellKey(c.s1, c.s2),
                  "data-attr": c.attr,
                  "data-sh": c.sh,
                  "data-cls": c.cls,
                  "data-open": c.open,
                  "data-r": ri,
                  "data-c": ci,
                  tabindex: -1,
                  // The visible words first (WCAG 2.5.3, label in name), then what the cell is.
                  "aria-label": `${c.label} ${c.shLabel}: stage 1 ${row.head} over stage-2 MemAttr ${v.columns[ci].head} ${v.columns[ci].short}, ${cellWords(c)}`,
                },
                h("span", { class: "ty" }, c.label),
                " ",
                h("span", { class: "shv" }, c.shLabel),
              ),
            ),
          ),
        ),
      ),
    ),
  );
  const linux = v.columns.filter((c) => c.linux).map((c) => `${c.head} ${c.linux}`);
  byId("mx-linux").textContent =
    `Columns marked Linux are what KVM writes with FWB ${v.fwb ? "on" : "off"}: ${linux.join(", ")}. Row heads name Linux's MAIR_ATTR_* bytes.`;
  table.querySelectorAll<HTMLButtonElement>("button.cell").forEach((b) => {
    b.addEventListener("focus", () => select1(b, false));
    b.addEventListener("click", () => select1(b, true));
  });
}

/** Select a cell (focus), and with `open` show its steps in the combine panel. */
function select1(b: HTMLButtonElement, open: boolean): void {
  const s1 = parseInt(b.dataset.s1 ?? "", 16);
  const s2 = parseInt(b.dataset.s2 ?? "", 16);
  if (s1 !== selected.s1 || s2 !== selected.s2) {
    selected = { s1, s2 };
    render();
    stateChanged("matrix");
  }
  if (open && view)
    showCombine({ s1: hex2(s1), s1Sh: String(view.s1Sh), s2Mode: "memattr", s2: `0x${s2.toString(16)}`, s2Sh: String(view.s2Sh), fwb: view.fwb });
}

/** Arrow keys, Home and End move between cells (one tab stop for the whole grid). */
function onKey(e: KeyboardEvent): void {
  const b = e.target instanceof HTMLButtonElement && e.target.classList.contains("cell") ? e.target : null;
  if (!b || !view) return;
  let r = Number(b.dataset.r);
  let c = Number(b.dataset.c);
  const rows = view.rows.length;
  const cols = view.columns.length;
  switch (e.key) {
    case "ArrowRight":
      c = Math.min(cols - 1, c + 1);
      break;
    case "ArrowLeft":
      c = Math.max(0, c - 1);
      break;
    case "ArrowDown":
      r = Math.min(rows - 1, r + 1);
      break;
    case "ArrowUp":
      r = Math.max(0, r - 1);
      break;
    case "Home":
      c = 0;
      break;
    case "End":
      c = cols - 1;
      break;
    default:
      return;
  }
  e.preventDefault();
  byId("mx-table").querySelector<HTMLButtonElement>(`button.cell[data-r='${r}'][data-c='${c}']`)?.focus();
}

function drawSelection(v: MatrixView): void {
  const sel = v.selected;
  const cells = [...byId("mx-table").querySelectorAll<HTMLButtonElement>("button.cell")];
  const key = cellKey(sel.s1, sel.s2);
  const inTable = cells.some((b) => b.dataset.key === key);
  cells.forEach((b, i) => {
    const on = b.dataset.key === key;
    // One tab stop for the grid: the selected cell, or the first when the selection is not a row of it.
    b.tabIndex = on || (!inTable && i === 0) ? 0 : -1;
    b.classList.toggle("selected", on);
    b.setAttribute("aria-pressed", on ? "true" : "false");
  });
  const row = v.rows.find((r) => r.s1 === sel.s1);
  const col = v.columns[sel.s2];
  const steps = h("button", { type: "button", id: "mx-open-steps" }, "Show the steps");
  steps.addEventListener("click", () =>
    showCombine({ s1: hex2(sel.s1), s1Sh: String(v.s1Sh), s2Mode: "memattr", s2: `0x${sel.s2.toString(16)}`, s2Sh: String(v.s2Sh), fwb: v.fwb }),
  );
  fill(
    byId("mx-selected"),
    h("strong", {}, "Selected: "),
    `stage 1 ${row ? row.head : `${hex2(sel.s1)} (not a row of the matrix)`} over stage-2 MemAttr ${col.head} (${col.short}${col.linux ? `, ${col.linux}` : ""}), FWB ${v.fwb ? "on" : "off"}: `,
    h("span", { id: "mx-selected-result" }, sel.result.description),
    sel.attr >= 0 ? ` (PAR_EL1.ATTR ${hex2(sel.attr)})` : "",
    " ",
    steps,
  );
  fill(
    byId("mx-sh"),
    h("caption", {}, `PAR_EL1.SH of stage 1 ${hex2(sel.s1)} over MemAttr ${col.head}, FWB ${v.fwb ? "on" : "off"}`),
    h(
      "thead",
      {},
      h("tr", {}, h("th", { scope: "col", class: "corner" }, "stage-1 SH ↓ · stage-2 SH →"), ...SH_ORDER.map((s) => h("th", { scope: "col" }, shHead(s)))),
    ),
    h(
      "tbody",
      {},
      ...v.sh.map((row, i) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, shHead(SH_ORDER[i])),
          ...row.map((c) =>
            h(
              "td",
              {
                class: `shcell ${c.cls}${c.sh < 0 ? " open" : ""}`,
                "data-key": shKey(c.s1Sh, c.s2Sh),
                "data-sh": c.sh,
                "data-s1sh": c.s1Sh,
                "data-s2sh": c.s2Sh,
              },
              c.sh < 0 ? `open: ${c.result.permitted.sh.map((s) => SH_SHORT[s]).join(" or ")}` : c.label,
            ),
          ),
        ),
      ),
    ),
  );
}

/** Outline the cells a rule decides (null: none). */
export function highlightCells(keys: { main: readonly string[]; sh: readonly string[] } | null): void {
  const main = new Set(keys?.main ?? []);
  const sh = new Set(keys?.sh ?? []);
  document.querySelectorAll<HTMLElement>("#mx-table button.cell").forEach((b) => b.classList.toggle("hl", main.has(b.dataset.key ?? "")));
  document.querySelectorAll<HTMLElement>("#mx-sh td.shcell").forEach((td) => td.classList.toggle("hl", sh.has(td.dataset.key ?? "")));
}

export const matrixPanel: Panel = formPanel({
  id: "matrix",
  key: "matrix",
  build,
  render,
  read: readForm,
  write: setForm,
  defaults: DEFAULT_MATRIX_FORM,
  choices: MATRIX_CHOICES,
});
