/**
 * Rules panel: the few rules that make the combine matrix, in one screen.
 * Hovering or focusing a rule outlines the cells it decides, in the matrix
 * and in the small copy of it beside the rules; pressing it keeps them
 * outlined (and, for a rule of the other FWB setting, switches the matrix).
 * Which cells a rule decides is ../rules-view.ts's reading of each cell's
 * rule trace; this file only draws it.
 */

import { TYPE_CLASSES, type MatrixView } from "../matrix-view.js";
import { DEFAULT_RULES_FORM, RULES, cellKey, ruleApplies, ruleById, ruleCells, type Rule } from "../rules-view.js";
import { byId, fill, h, prose } from "./dom.js";
import { currentMatrix, highlightCells, setMatrixFwb } from "./matrix-panel.js";
import { formPanel, stateChanged, type Panel } from "./panel.js";

const GROUPS: ReadonlyArray<readonly [Rule["fwb"], string]> = [
  ["off", "FWB off: the two stages combine, the stricter wins"],
  ["on", "FWB on: stage 2 overrides stage 1"],
  ["both", "With or without FWB: Tagged and shareability"],
];

/** The rule whose cells stay outlined ("" for none). */
let pinned = "";
/** The rule under the pointer or the focus, if any. */
let hovered = "";

function build(): HTMLElement {
  const section = h(
    "section",
    { id: "rules", "aria-labelledby": "rules-title" },
    h("h2", { id: "rules-title", "data-short": "Rules" }, "The rules in one screen"),
    prose(
      "p",
      {},
      "These few rules of the Arm ASL make the whole matrix above. Hover over a rule or focus it: the cells it decides are outlined and dotted, here and in the matrix. Press it to keep them outlined; a rule of the other FWB setting switches the matrix first.",
    ),
    h("div", { class: "rules-layout" }, h("div", { id: "rules-groups", class: "rule-groups" }), h("div", { id: "rules-map", class: "minimap-box" })),
  );
  document.addEventListener("s2pt:matrix", () => render());
  return section;
}

function show(id: string): void {
  const v = currentMatrix();
  const rule = ruleById(id);
  const keys = v && rule ? ruleCells(rule, v) : null;
  highlightCells(keys);
  const main = new Set(keys?.main ?? []);
  document.querySelectorAll<HTMLElement>("#rules-map .mini").forEach((c) => c.classList.toggle("hl", main.has(c.dataset.key ?? "")));
  document.querySelectorAll<HTMLElement>("#rules-groups button.rule").forEach((b) => b.classList.toggle("active", b.dataset.rule === id));
}

function restore(): void {
  show(hovered || pinned);
}

function ruleButton(rule: Rule, v: MatrixView): HTMLElement {
  const applies = ruleApplies(rule, v.fwb);
  const cells = ruleCells(rule, v);
  const total = v.rows.length * v.columns.length;
  const count =
    rule.topic === "sh"
      ? `decides ${cells.main.length} of ${total} cells, ${cells.sh.length} of 16 in the shareability matrix`
      : `decides ${cells.main.length} of ${total} cells`;
  const b = h(
    "button",
    {
      type: "button",
      class: `rule${applies ? "" : " other"}`,
      "data-rule": rule.id,
      "aria-pressed": pinned === rule.id ? "true" : "false",
      "data-count": cells.main.length,
      "data-sh-count": cells.sh.length,
    },
    // Plain text: a button holds no links (the terms are marked in the prose around it).
    h("span", { class: "rule-text" }, rule.text),
    h("span", { class: "rule-meta" }, h("code", {}, rule.asl), " · ", applies ? count : `applies with FWB ${rule.fwb}: press to switch the matrix`),
  );
  const enter = (): void => {
    hovered = rule.id;
    restore();
  };
  const leave = (): void => {
    hovered = "";
    restore();
  };
  b.addEventListener("mouseenter", enter);
  b.addEventListener("focus", enter);
  b.addEventListener("mouseleave", leave);
  b.addEventListener("blur", leave);
  b.addEventListener("click", () => {
    const m = currentMatrix();
    if (m && !ruleApplies(rule, m.fwb)) {
      pinned = rule.id;
      setMatrixFwb(!m.fwb);
    } else {
      pinned = pinned === rule.id ? "" : rule.id;
      render();
    }
    stateChanged("rules");
  });
  return b;
}

function render(): void {
  const v = currentMatrix();
  if (!v) return;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.rule : undefined;
  fill(
    byId("rules-groups"),
    ...GROUPS.map(([g, title]) =>
      h(
        "div",
        { class: "rule-group", role: "group", "aria-labelledby": `rules-g-${g}` },
        h("h3", { id: `rules-g-${g}` }, title),
        ...RULES.filter((r) => r.fwb === g).map((r) => ruleButton(r, v)),
      ),
    ),
  );
  // Redrawing replaced the buttons: give the focus back to the same rule.
  if (focused) byId("rules-groups").querySelector<HTMLElement>(`button.rule[data-rule='${focused}']`)?.focus();
  const cls = new Map(TYPE_CLASSES);
  fill(
    byId("rules-map"),
    h("p", { class: "hint", id: "rules-map-title" }, `The matrix, small (FWB ${v.fwb ? "on" : "off"}); a dot marks a cell the rule decides.`),
    h(
      "div",
      { class: "minimap", "aria-hidden": "true", style: `grid-template-columns: repeat(${v.columns.length}, 0.8rem)` },
      ...v.rows.flatMap((row) => row.cells.map((c) => h("div", { class: `mini t-${c.cls}`, "data-key": cellKey(c.s1, c.s2), title: cls.get(c.cls) ?? "" }))),
    ),
  );
  restore();
}

export const rulesPanel: Panel = formPanel({
  id: "rules",
  key: "rules",
  build,
  render,
  read: () => ({ rule: pinned }),
  write: (f) => {
    pinned = f.rule;
  },
  defaults: DEFAULT_RULES_FORM,
  choices: { rule: ["", ...RULES.map((r) => r.id)] },
});
