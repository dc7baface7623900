/**
 * Combine panel: a guest MAIR attribute and a stage-2 MemAttr (or a KVM prot),
 * FWB on or off; both inputs decoded, every rule step, and the effective
 * memory type, or, where the architecture does not fix one, the reasons and
 * the permitted outcomes. All answers are combineS1S2() (src/mair/combine.ts)
 * via ../combine-view.ts; this file only draws them.
 */

import { configWords, type CombineStep } from "../../mair/combine.js";
import { describeS2MemAttr } from "../../mair/s2memattr.js";
import { DEFAULT_COMBINE_FORM, NAMED_S1_ATTRS, combineView, hexByte, shWords, type CombineForm, type CombineView } from "../combine-view.js";
import { combineCli } from "../cli-view.js";
import { byId, checkbox, checked, cliBox, fill, h, prose, select, showCli, termText, textInput, valueOf, showResult } from "./dom.js";
import { formPanel, reveal, stateChanged, type Panel } from "./panel.js";

const SH_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ["3", "0b11 Inner Shareable"],
  ["2", "0b10 Outer Shareable"],
  ["0", "0b00 Non-shareable"],
  ["1", "0b01 reserved"],
];

/** Worked examples: [label, form changes]. */
const EXAMPLES: ReadonlyArray<readonly [string, Partial<CombineForm>]> = [
  ["guest Normal WB over stage-2 Device, no FWB", { s1: "0xff", s1Sh: "3", s2Mode: "memattr", s2: "0x1", s2Sh: "3", fwb: false }],
  ["guest Device over KVM's R|W, FWB", { s1: "0x04", s1Sh: "3", s2Mode: "prot", prot: "R|W", fwb: true }],
  ["guest Device over FWB forced WB", { s1: "0x00", s1Sh: "3", s2Mode: "memattr", s2: "0x6", s2Sh: "3", fwb: true }],
  ["guest NC over KVM's R|W|NORMAL_NC, no FWB", { s1: "0x44", s1Sh: "3", s2Mode: "prot", prot: "R|W|NORMAL_NC", fwb: false }],
  ["reserved stage-2 inner cacheability", { s1: "0xff", s1Sh: "3", s2Mode: "memattr", s2: "0xc", s2Sh: "3", fwb: false }],
  ["reserved stage-1 SH 0b01", { s1: "0xff", s1Sh: "1", s2Mode: "memattr", s2: "0xf", s2Sh: "0", fwb: false }],
  ["reserved MAIR byte 0x02, FWB forced WB", { s1: "0x02", s1Sh: "3", s2Mode: "memattr", s2: "0x6", s2Sh: "3", fwb: true }],
];

const CONTROLS: ReadonlyArray<readonly [keyof CombineForm, string, string]> = [
  ["mte2", "cmb-mte2", "FEAT_MTE2 (0xF0 is Tagged)"],
  ["ifetch", "cmb-ifetch", "instruction fetch (not a data access)"],
  ["hcrCD", "cmb-hcr-cd", "HCR_EL2.CD = 1"],
  ["hcrID", "cmb-hcr-id", "HCR_EL2.ID = 1"],
  ["hcrDC", "cmb-hcr-dc", "HCR_EL2.DC = 1"],
  ["hcrDCT", "cmb-hcr-dct", "HCR_EL2.DCT = 1"],
  ["sctlrC", "cmb-sctlr-c", "SCTLR_EL1.C = 1"],
  ["sctlrI", "cmb-sctlr-i", "SCTLR_EL1.I = 1"],
];

function s2Options(fwb: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let v = 0; v < 16; v++) {
    const d = describeS2MemAttr(v, fwb);
    out.push([`0x${v.toString(16)}`, `0x${v.toString(16)} (0b${v.toString(2).padStart(4, "0")}) ${d.short}${d.linux ? ` - ${d.linux}` : ""}`]);
  }
  return out;
}

function build(): HTMLElement {
  const d = DEFAULT_COMBINE_FORM;
  const named: Array<[string, string]> = [
    ...NAMED_S1_ATTRS.map(([v, n]) => [hexByte(v), `${hexByte(v)} ${n}`] as [string, string]),
    ["", "another byte (type it)"],
  ];
  const section = h(
    "section",
    { id: "combine", "aria-labelledby": "combine-title" },
    h("h2", { id: "combine-title", "data-short": "Step by step" }, "Stage-1 + stage-2 memory attribute combine"),
    prose(
      "p",
      {},
      "The guest's stage-1 MAIR attribute meets the hypervisor's stage-2 MemAttr. With FWB off (HCR_EL2.FWB = 0) the two are combined, the stricter winning; with FWB on, stage 2 can override stage 1. ",
      "Each step below is one function of the Arm ASL, as ",
      h("code", {}, "s2pt combine"),
      " prints it. Where the architecture allows more than one answer (IMPLEMENTATION DEFINED or CONSTRAINED UNPREDICTABLE) the page says so and lists them. A cell of the matrix above opens here.",
    ),
    h(
      "form",
      { id: "cmb-form", class: "inputs" },
      h(
        "fieldset",
        {},
        h("legend", {}, "Stage 1 (the guest's MAIR_EL1 attribute)"),
        select("cmb-s1-named", "Linux attribute", named, d.s1),
        textInput("cmb-s1", "Attr byte (hex)", d.s1),
        select("cmb-s1-sh", "Stage-1 SH", SH_OPTIONS, d.s1Sh),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "Stage 2 (what KVM writes)"),
        h(
          "div",
          { class: "field", role: "radiogroup", "aria-label": "stage-2 input" },
          h("span", { class: "label" }, "Give"),
          h(
            "label",
            {},
            h("input", { type: "radio", name: "cmb-mode", id: "cmb-mode-memattr", value: "memattr", checked: d.s2Mode === "memattr" }),
            " a MemAttr",
          ),
          h("label", {}, h("input", { type: "radio", name: "cmb-mode", id: "cmb-mode-prot", value: "prot", checked: d.s2Mode === "prot" }), " a KVM prot"),
        ),
        select("cmb-s2", "MemAttr[3:0]", s2Options(d.fwb), d.s2),
        select("cmb-s2-sh", "Stage-2 SH", SH_OPTIONS, d.s2Sh),
        textInput("cmb-prot", "KVM prot", d.prot, "R, W, X, DEVICE, NORMAL_NC joined by |"),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "Controls"),
        checkbox("cmb-fwb", "FWB (HCR_EL2.FWB)", d.fwb),
        checkbox("cmb-xs", "FEAT_XS", d.xs),
        h(
          "details",
          { id: "cmb-more" },
          h("summary", {}, "More controls (features, HCR_EL2, SCTLR_EL1, access kind)"),
          h("div", { class: "grid" }, ...CONTROLS.map(([k, id, label]) => checkbox(id, label, d[k] as boolean))),
        ),
      ),
    ),
    h(
      "div",
      { class: "examples", role: "group", "aria-label": "example combinations" },
      "Examples: ",
      ...EXAMPLES.map(([label], i) => h("button", { type: "button", "data-cmb-example": i }, label)),
    ),
    h("p", { id: "cmb-error", class: "error", role: "alert", hidden: true }),
    h(
      "div",
      { id: "cmb-out", "aria-live": "polite" },
      h(
        "div",
        { class: "cols" },
        h("div", { class: "card" }, h("h3", {}, "Stage 1 decoded"), h("p", { id: "cmb-s1-text" })),
        h("div", { class: "card" }, h("h3", {}, "Stage 2 decoded"), h("p", { id: "cmb-s2-from" }), h("p", { id: "cmb-s2-text" })),
      ),
      h("p", { class: "meta" }, "configuration: ", h("span", { id: "cmb-config" })),
      h("div", { id: "cmb-result" }),
      h("h3", { id: "cmb-steps-title" }, "Rule steps"),
      h("ol", { id: "cmb-steps", class: "steps" }),
      h("div", { id: "cmb-outcomes-box" }),
      h("ul", { id: "cmb-notes", class: "notes" }),
    ),
    cliBox("cmb"),
  );
  section.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
  section.addEventListener("input", (e) => onInput(e.target));
  section.addEventListener("change", (e) => onInput(e.target));
  section.querySelectorAll<HTMLButtonElement>("button[data-cmb-example]").forEach((b) =>
    b.addEventListener("click", () => {
      // An example is a whole scenario: the controls it does not name go back to their defaults.
      setForm({ ...DEFAULT_COMBINE_FORM, ...EXAMPLES[Number(b.dataset.cmbExample)][1] });
      render();
      stateChanged("combine");
    }),
  );
  return section;
}

/** Open a combination here (the matrix's cells do): the form set to it, every other control its default, the steps in view. */
export function showCombine(f: Partial<CombineForm>): void {
  setForm({ ...DEFAULT_COMBINE_FORM, ...f });
  render();
  stateChanged("combine");
  reveal(byId("combine"), byId("cmb-result"));
}

/** Keep the named-attribute picker and the byte box in step, and the MemAttr labels in step with FWB. */
function onInput(target: EventTarget | null): void {
  const id = target instanceof HTMLElement ? target.id : "";
  if (id === "cmb-s1-named") {
    const v = valueOf("cmb-s1-named");
    if (v !== "") byId<HTMLInputElement>("cmb-s1").value = v;
  }
  render();
  stateChanged("combine");
}

function setForm(f: CombineForm): void {
  byId<HTMLInputElement>("cmb-s1").value = f.s1;
  byId<HTMLSelectElement>("cmb-s1-sh").value = f.s1Sh;
  byId<HTMLInputElement>("cmb-mode-memattr").checked = f.s2Mode === "memattr";
  byId<HTMLInputElement>("cmb-mode-prot").checked = f.s2Mode === "prot";
  byId<HTMLSelectElement>("cmb-s2").value = f.s2;
  byId<HTMLSelectElement>("cmb-s2-sh").value = f.s2Sh;
  byId<HTMLInputElement>("cmb-prot").value = f.prot;
  byId<HTMLInputElement>("cmb-fwb").checked = f.fwb;
  byId<HTMLInputElement>("cmb-xs").checked = f.xs;
  for (const [k, id] of CONTROLS) byId<HTMLInputElement>(id).checked = f[k] as boolean;
}

function readForm(): CombineForm {
  const f: CombineForm = {
    ...DEFAULT_COMBINE_FORM,
    s1: valueOf("cmb-s1"),
    s1Sh: valueOf("cmb-s1-sh"),
    s2Mode: checked("cmb-mode-prot") ? "prot" : "memattr",
    s2: valueOf("cmb-s2"),
    s2Sh: valueOf("cmb-s2-sh"),
    prot: valueOf("cmb-prot"),
    fwb: checked("cmb-fwb"),
    xs: checked("cmb-xs"),
  };
  for (const [k, id] of CONTROLS) (f[k] as boolean) = checked(id);
  return f;
}

/** Redraw the panel from the form. */
function render(): void {
  const f = readForm();
  // The inputs that do not apply are disabled, not hidden, so the form does not jump.
  byId<HTMLSelectElement>("cmb-s2").disabled = f.s2Mode !== "memattr";
  byId<HTMLSelectElement>("cmb-s2-sh").disabled = f.s2Mode !== "memattr";
  byId<HTMLInputElement>("cmb-prot").disabled = f.s2Mode !== "prot";
  // MemAttr reads differently with FWB: relabel the options.
  const s2 = byId<HTMLSelectElement>("cmb-s2");
  s2Options(f.fwb).forEach(([, label], i) => {
    if (s2.options[i].textContent !== label) s2.options[i].textContent = label;
  });
  // The named picker follows the byte box.
  const named = byId<HTMLSelectElement>("cmb-s1-named");
  const typed = f.s1
    .trim()
    .toLowerCase()
    .replace(/^(0x)?/, "0x")
    .replace(/^0x([0-9a-f])$/, "0x0$1");
  named.value = [...named.options].some((o) => o.value === typed) ? typed : "";

  showResult("cmb-error", "cmb-out", combineView(f), draw);
  showCli("cmb", combineCli(f));
}

const SH_VALUES = ["0", "1", "2", "3"];
const CHOICES = { s1Sh: SH_VALUES, s2Sh: SH_VALUES, s2Mode: ["memattr", "prot"], s2: Array.from({ length: 16 }, (_, i) => `0x${i.toString(16)}`) };

export const combinePanel: Panel = formPanel({
  id: "combine",
  key: "combine",
  build,
  render,
  read: readForm,
  write: setForm,
  defaults: DEFAULT_COMBINE_FORM,
  choices: CHOICES,
});

/** The rule trace; each glossary term is marked once in the list. */
function stepItems(steps: CombineStep[], seen: Set<string> = new Set()): HTMLElement[] {
  return steps.map((s) =>
    h(
      "li",
      { "data-asl": s.asl },
      h("div", { class: "asl" }, s.asl),
      h("div", { class: "rule" }, ...termText(s.rule, seen)),
      h("div", { class: "res" }, "→ ", s.result),
    ),
  );
}

function draw(v: CombineView): void {
  const r = v.result;
  fill(
    byId("cmb-s1-text"),
    h("strong", {}, `Attr ${hexByte(r.s1.attr)}${v.s1Linux ? ` (${v.s1Linux})` : ""}`),
    r.s1.reserved ? h("span", { class: "badge open-badge" }, " reserved") : null,
    ": ",
    r.s1.text,
    `; SH ${shWords(r.s1.sh)}`,
  );
  fill(
    byId("cmb-s2-from"),
    v.fromProt
      ? h(
          "span",
          {},
          "stage2_set_prot_attr(",
          h("code", {}, v.fromProt.prot || "0"),
          `) writes attribute bits ${v.fromProt.attrLo}: MemAttr 0x${v.fromProt.memattr.toString(16)}, SH ${shWords(v.fromProt.sh)}`,
        )
      : null,
  );
  byId("cmb-s2-from").hidden = !v.fromProt;
  fill(
    byId("cmb-s2-text"),
    h(
      "strong",
      {},
      `MemAttr 0x${r.s2.memattr.toString(16)} (0b${r.s2.memattr.toString(2).padStart(4, "0")}), FWB ${r.config.fwb ? "on" : "off"}${r.s2.linux ? ` (${r.s2.linux})` : ""}`,
    ),
    r.s2.reserved ? h("span", { class: "badge open-badge" }, " reserved") : null,
    ": ",
    r.s2.text,
    `; SH ${shWords(r.s2.sh)}`,
  );
  byId("cmb-config").textContent = configWords(r.config);

  const res = byId("cmb-result");
  const open = r.attr < 0 || r.sh < 0;
  res.className = open ? "open" : "result";
  res.dataset.open = open ? "1" : "0";
  if (!open) {
    fill(
      res,
      h("div", {}, h("strong", {}, "Effective memory type: "), h("span", { id: "cmb-memtype" }, r.memtype)),
      h("div", { id: "cmb-description" }, r.description),
      h(
        "div",
        { class: "mono" },
        "PAR_EL1: ATTR ",
        h("code", { id: "cmb-attr" }, hexByte(r.attr)),
        ", SH ",
        h("code", { id: "cmb-sh" }, shWords(r.sh)),
        " — ",
        h("span", { id: "cmb-par" }, v.par ?? ""),
      ),
    );
  } else {
    const column = (name: string, id: string, value: string, permitted: string[], reasons: typeof r.open.attr): HTMLElement =>
      h(
        "div",
        { class: "open-col" },
        h("div", {}, h("strong", {}, `${name}: `), h("code", { id }, value), permitted.length > 1 ? ` — permitted: ${permitted.join(", ")}` : ""),
        reasons.length
          ? h("ul", { class: "reasons" }, ...reasons.map((x) => h("li", { "data-id": x.id }, x.text, " ", h("span", { class: "asl" }, `[${x.asl}]`))))
          : null,
      );
    fill(
      res,
      h("div", {}, h("strong", {}, "Open: the architecture does not fix one answer here. "), h("span", { id: "cmb-description" }, r.description)),
      h("div", {}, "memory types: ", h("span", { id: "cmb-memtype" }, r.memtype)),
      column("PAR_EL1.ATTR", "cmb-attr", r.attr < 0 ? "open" : hexByte(r.attr), r.permitted.attr.map(hexByte), r.open.attr),
      column("PAR_EL1.SH", "cmb-sh", r.sh < 0 ? "open" : shWords(r.sh), r.permitted.sh.map(shWords), r.open.sh),
    );
  }

  byId("cmb-steps-title").textContent =
    r.outcomes.length > 1 ? `Rule steps (for the first permitted outcome; ${r.outcomes.length} outcomes below)` : "Rule steps";
  fill(byId("cmb-steps"), ...stepItems(r.steps));
  fill(
    byId("cmb-outcomes-box"),
    r.outcomes.length > 1
      ? h(
          "details",
          // Every permitted outcome is listed; a long list (a reserved MAIR byte permits hundreds) starts folded.
          { open: r.outcomes.length <= 8 },
          h("summary", {}, h("h3", { class: "inline" }, `Permitted outcomes (${r.outcomes.length})`)),
          h(
            "ul",
            { id: "cmb-outcomes", class: "outcomes" },
            ...r.outcomes.map((o) =>
              h(
                "li",
                { "data-attr": o.attr, "data-sh": o.sh },
                h("strong", {}, `ATTR ${hexByte(o.attr)}, SH ${shWords(o.sh)}`),
                `: ${o.description}`,
                o.choices.length
                  ? h("div", { class: "hint" }, `when: ${o.choices.join("; ")}${o.count > o.choices.length ? ` (${o.count} choice combinations in all)` : ""}`)
                  : null,
                h("details", {}, h("summary", {}, "steps"), h("ol", { class: "steps" }, ...stepItems(o.steps))),
              ),
            ),
          ),
        )
      : null,
  );
  fill(byId("cmb-notes"), ...r.notes.map((n) => h("li", {}, n)));
}
