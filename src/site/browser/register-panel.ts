/**
 * Register decoder panel: choose a register, paste its value, see every
 * field (bit range, the Arm ARM's name, value, meaning) with its bits on the
 * 64-bit strip, RES0/RES1 violations and reserved encodings said in words,
 * and for VTCR_EL2 the stage 2 it implies. The decoding is `s2pt reg`'s
 * (src/regs through src/kvm/registers.ts, via ../register-view.ts); this
 * file only draws it.
 */

import { cliLine, registerCli } from "../cli-view.js";
import {
  DEFAULT_REGISTER_FORM,
  REGISTER_CHOICES,
  canonicalRegister,
  registerExamples,
  registerView,
  type RegisterForm,
  type RegisterView,
} from "../register-view.js";
import { byId, checkbox, checked, cliBox, fill, h, prose, select, showCli, showResult, termText, textInput, valueOf } from "./dom.js";
import { formPanel, redrawOnChange, reveal, stateChanged, type Panel } from "./panel.js";
import { drawStrip, fieldClass, outlineOnHover } from "./strip.js";

function build(): HTMLElement {
  const ex = registerExamples();
  const d = DEFAULT_REGISTER_FORM;
  const section = h(
    "section",
    { id: "registers", "aria-labelledby": "registers-title" },
    h("h2", { id: "registers-title", "data-short": "Registers" }, "Register decoder"),
    prose(
      "p",
      {},
      "Paste a system register's value from a crash log, a kvm_guest_fault trace line or a register dump: ESR_EL2, HPFAR_EL2, PAR_EL1, VTCR_EL2, VTTBR_EL2, MAIR_EL1, TCR_EL1, SCTLR_EL1, HCR_EL2 or ID_AA64MMFR0_EL1 and its siblings. ",
      "Each field is read the way ",
      h("code", {}, "s2pt reg"),
      " reads it, with the Arm ARM's names, and its bits are coloured on the strip. RES0 bits that are set and RES1 bits that are clear are flagged, and so are reserved encodings. For VTCR_EL2 the page also draws the stage-2 geometry the value implies.",
    ),
    h(
      "form",
      { id: "reg-form", class: "inputs" },
      select(
        "reg-name",
        "Register",
        REGISTER_CHOICES.map((r) => [r.name, r.label] as const),
        d.name,
      ),
      textInput("reg-value", "Value (hex)", d.value, "0x-prefixed hex, up to 64 bits, as s2pt reg takes it"),
      checkbox("reg-xs", "FEAT_XS", d.xs, "MAIR_EL1 and PAR_EL1: the bytes 0x40, 0xA0 and Device dd01 are valid"),
    ),
    h(
      "div",
      { class: "examples", role: "group", "aria-label": "example register values" },
      "Examples: ",
      ...ex.map((e, i) => h("button", { type: "button", "data-example": i }, `${e.form.name}: ${e.label}`)),
    ),
    h("p", { id: "reg-error", class: "error", role: "alert", hidden: true }),
    h(
      "div",
      { id: "reg-out", "aria-live": "polite" },
      h("p", { class: "summary" }, h("strong", {}, "Reads as: "), h("span", { id: "reg-summary" })),
      h("p", { class: "meta" }, h("span", { id: "reg-title" }), " · value ", h("code", { id: "reg-norm" })),
      h("div", { id: "reg-problems", class: "problems" }),
      h("div", { id: "reg-strip", class: "strip" }),
      h(
        "table",
        { id: "reg-fields", class: "fields" },
        h("caption", {}, "Fields, highest bits first"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "bits"),
            h("th", { scope: "col" }, "field"),
            h("th", { scope: "col" }, "value"),
            h("th", { scope: "col" }, "meaning"),
          ),
        ),
        h("tbody", {}),
      ),
      h("ul", { id: "reg-notes", class: "notes" }),
      h("div", { id: "reg-extra" }),
      h("div", { id: "reg-geometry" }),
    ),
    cliBox("reg"),
  );
  section.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
  const changed = (): void => {
    render();
    stateChanged("registers");
  };
  section.querySelector("form")?.addEventListener("input", changed);
  section.querySelector("form")?.addEventListener("change", changed);
  section.querySelectorAll<HTMLButtonElement>("button[data-example]").forEach((b) =>
    b.addEventListener("click", () => {
      setForm(ex[Number(b.dataset.example)].form);
      changed();
    }),
  );
  return section;
}

/** Show a register value in the decoder (the walk's fault registers use this) and bring the panel into view. */
export function showRegister(f: RegisterForm): void {
  setForm(f);
  render();
  stateChanged("registers");
  reveal(byId("registers"), byId("reg-value"));
}

/** A link may name the register as the CLI takes it (esr, Vtcr_El2); the picker holds the catalogue's name. */
function setForm(f: RegisterForm): void {
  byId<HTMLSelectElement>("reg-name").value = canonicalRegister(f.name) ?? DEFAULT_REGISTER_FORM.name;
  byId<HTMLInputElement>("reg-value").value = f.value;
  byId<HTMLInputElement>("reg-xs").checked = f.xs;
}

function readForm(): RegisterForm {
  return { name: valueOf("reg-name"), value: valueOf("reg-value"), xs: checked("reg-xs") };
}

const render = redrawOnChange(readForm, (f: RegisterForm): void => {
  showResult("reg-error", "reg-out", registerView(f), drawView);
  showCli("reg", registerCli(f));
});

export const registerPanel: Panel = formPanel({ id: "registers", key: "reg", build, render, read: readForm, write: setForm, defaults: DEFAULT_REGISTER_FORM });

function drawView(v: RegisterView): void {
  const d = v.decoded;
  byId("reg-summary").textContent = d.summary;
  fill(byId("reg-title"), ...termText(`${v.name}, ${v.title}`));
  byId("reg-norm").textContent = d.value;

  fill(
    byId("reg-problems"),
    d.problems.length
      ? h(
          "div",
          { class: "problem-box" },
          h("strong", {}, `⚠ ${d.problems.length} problem${d.problems.length > 1 ? "s" : ""}: the value breaks the architecture's rules`),
          h("ul", {}, ...d.problems.map((p) => h("li", {}, p))),
        )
      : h("p", { class: "hint", id: "reg-no-problem" }, "No RES0 bit set, no RES1 bit clear, no reserved encoding."),
  );

  const strip = byId("reg-strip");
  fill(strip, ...drawStrip(v, v.name));

  const tbody = byId("reg-fields").querySelector("tbody");
  if (!tbody) return;
  fill(
    tbody,
    ...d.fields.map((f, i) =>
      h(
        "tr",
        { "data-field-name": f.name, "data-index": i, "data-kind": f.kind, class: f.problem ? "bad" : undefined },
        h("td", { class: "f-bits" }, f.bits),
        h("th", { scope: "row", class: "f-name" }, h("span", { class: `swatch ${fieldClass(v, i)}`, "aria-hidden": "true" }), f.name),
        h("td", { class: "f-value" }, h("code", {}, f.value)),
        h("td", { class: "f-meaning" }, f.meaning, f.problem ? h("div", { class: "f-problem" }, h("strong", {}, "⚠ problem: "), f.problem) : null),
      ),
    ),
  );
  // Hover or focus a field row: its bits are outlined (by index: a register has several RES0 fields).
  outlineOnHover(tbody, strip);
  fill(byId("reg-notes"), ...d.notes.map((n) => h("li", {}, ...termText(n))));
  fill(
    byId("reg-extra"),
    v.extraLines.length ? h("div", {}, h("h3", {}, "What s2pt makes of it"), h("ul", { class: "extra" }, ...v.extraLines.map((l) => h("li", {}, l)))) : null,
  );
  drawGeometry(v);
}

/** VTCR_EL2: the stage 2 it describes, as `s2pt geometry` lays it out. */
function drawGeometry(v: RegisterView): void {
  const g = v.geometry;
  fill(
    byId("reg-geometry"),
    g
      ? h(
          "div",
          { class: "card geometry" },
          h("h3", {}, "The stage 2 it describes"),
          h("p", { id: "reg-geo-title" }, h("strong", {}, g.title)),
          h("p", { id: "reg-geo-shape" }, g.shape),
          h("p", { class: "meta" }, "kvm_get_vtcr() for it: ", h("code", {}, g.vtcr)),
          h(
            "table",
            { id: "reg-geo-levels", class: "fields" },
            h("caption", {}, "The walk, level by level"),
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { scope: "col" }, "level"),
                h("th", { scope: "col" }, "IPA bits"),
                h("th", { scope: "col" }, "entries"),
                h("th", { scope: "col" }, "leaf"),
              ),
            ),
            h(
              "tbody",
              {},
              ...g.levels.map((l) =>
                h(
                  "tr",
                  { "data-level": l.level },
                  h("th", { scope: "row" }, String(l.level)),
                  h("td", {}, l.ipaBits),
                  h("td", {}, l.entries === l.usedEntries ? String(l.entries) : `${l.usedEntries} of ${l.entries}`),
                  h("td", {}, l.leaf),
                ),
              ),
            ),
          ),
          h("p", { class: "hint" }, "The same on the command line: ", h("code", { id: "reg-geo-cli" }, cliLine(g.argv).text)),
        )
      : null,
  );
}
