/**
 * Glossary panel: every term the page uses, one sentence each, with a
 * filter. Each entry's definition is what a marked term elsewhere on the
 * page is described by (aria-describedby) and shows in its popover; filtered
 * out entries are hidden, not removed, so those references always resolve.
 */

import { DEFAULT_GLOSSARY_FORM, GLOSSARY, filterGlossary } from "../glossary.js";
import { byId, h, textInput } from "./dom.js";
import { formPanel, stateChanged, type Panel } from "./panel.js";

function build(): HTMLElement {
  const section = h(
    "section",
    { id: "glossary", "aria-labelledby": "glossary-title" },
    h("h2", { id: "glossary-title", "data-short": "Glossary" }, "Glossary"),
    h(
      "p",
      {},
      "Every term the page uses. Where a term is marked (dotted underline) elsewhere on the page, hovering over it or focusing it shows its line from here, and following it comes here.",
    ),
    h("form", { id: "gl-form", class: "inputs" }, textInput("gl-filter", "Filter the terms", "", "a word of the term or of its definition")),
    h("p", { id: "gl-count", class: "hint", role: "status" }),
    h(
      "dl",
      { id: "gl-list", class: "glossary" },
      ...GLOSSARY.flatMap((t) => [
        h("dt", { id: `g-${t.id}`, "data-term": t.id, tabindex: -1 }, t.term),
        h("dd", { id: `gd-${t.id}`, "data-term": t.id }, t.def),
      ]),
    ),
  );
  section.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
  section.querySelector("form")?.addEventListener("input", () => {
    render();
    stateChanged("glossary");
  });
  return section;
}

function render(): void {
  const keep = new Set(filterGlossary(byId<HTMLInputElement>("gl-filter").value).map((t) => t.id));
  document.querySelectorAll<HTMLElement>("#gl-list [data-term]").forEach((el) => {
    el.hidden = !keep.has(el.dataset.term ?? "");
  });
  byId("gl-count").textContent = keep.size === GLOSSARY.length ? `${GLOSSARY.length} terms` : `${keep.size} of ${GLOSSARY.length} terms`;
}

export const glossaryPanel: Panel = formPanel({
  id: "glossary",
  key: "glossary",
  build,
  render,
  read: () => ({ filter: byId<HTMLInputElement>("gl-filter").value }),
  write: (f) => {
    byId<HTMLInputElement>("gl-filter").value = f.filter;
  },
  defaults: DEFAULT_GLOSSARY_FORM,
});
