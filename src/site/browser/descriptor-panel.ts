/**
 * Descriptor decoder panel: paste a 64-bit value, see every field with its
 * bits highlighted on a 64-bit strip. The decoding is src/walker/decode.ts
 * (via ../descriptor-view.ts); this file only draws it.
 */

import { PROT_DEVICE, PROT_R, PROT_RW, PROT_RWX, PROT_W, PROT_X, encodeLeafFast } from "../../pgtable/descriptor.js";
import { PARANGE_BITS } from "../../pgtable/geometry.js";
import { hex } from "../../pgtable/u64.js";
import { DEFAULT_DESCRIPTOR_FORM, descriptorView, type DescriptorForm, type DescriptorView } from "../descriptor-view.js";
import { decodeCli } from "../cli-view.js";
import { byId, checkbox, checked, cliBox, fill, h, prose, select, showCli, textInput, valueOf, showResult } from "./dom.js";
import { formPanel, redrawOnChange, reveal, stateChanged, type Panel } from "./panel.js";
import { colourClass, drawStrip, outlineOnHover } from "./strip.js";

interface Example {
  label: string;
  form: DescriptorForm;
}

/** Examples; the leaves are built by the model (encodeLeafFast is the leaf kvm_pgtable_stage2_map() writes), not typed in. */
function examples(): Example[] {
  const leaf = (granule: 4096 | 16384 | 65536, lpa2: boolean, fwb: boolean, pa: number, level: number, prot: number): string => {
    const e = encodeLeafFast({ granule, lpa2, fwb }, pa, level, prot);
    if (typeof e === "number") throw new Error(`example refused: ${e}`);
    return hex(e.value);
  };
  const form = (value: string, granule: string, level: number | "", lpa2: boolean, fwb: boolean): DescriptorForm => ({
    value,
    granule,
    level: String(level),
    lpa2,
    fwb,
    paBits: "",
  });
  return [
    { label: "4K page R|W, FWB", form: form(leaf(4096, false, true, 0x80000000, 3, PROT_RW), "4k", 3, false, true) },
    { label: "2M block R|W|X, no FWB", form: form(leaf(4096, false, false, 0x80000000, 2, PROT_RWX), "4k", 2, false, false) },
    { label: "device page R|W", form: form(leaf(4096, false, true, 0x9000000, 3, PROT_R | PROT_W | PROT_DEVICE), "4k", 3, false, true) },
    { label: "16K LPA2 32M block, 52-bit PA", form: form(leaf(16384, true, true, 0x8000002000000, 2, PROT_R | PROT_X), "16k", 2, true, true) },
    { label: "64K page, PA above 48 bits", form: form(leaf(65536, false, true, 0xa000000010000, 3, PROT_R), "64k", 3, false, true) },
    { label: "table descriptor", form: form("0x40001003", "4k", 1, false, true) },
    { label: "owner annotation", form: form("0x4", "4k", "", false, true) },
  ];
}

function build(): HTMLElement {
  const ex = examples();
  const levels: Array<[string, string]> = [
    ["", "not known"],
    ["-1", "-1"],
    ["0", "0"],
    ["1", "1"],
    ["2", "2"],
    ["3", "3"],
  ];
  const d = DEFAULT_DESCRIPTOR_FORM;
  const section = h(
    "section",
    { id: "decoder", "aria-labelledby": "decoder-title" },
    h("h2", { id: "decoder-title", "data-short": "Decoder" }, "Descriptor decoder"),
    prose(
      "p",
      {},
      "Paste a 64-bit stage-2 descriptor. Each field is read the way ",
      h("code", {}, "s2pt decode"),
      " reads it, and its bits are coloured on the strip and named under it. Without the level a table and a page look the same (bit 1 set).",
    ),
    h(
      "form",
      { id: "desc-form", class: "inputs" },
      textInput("desc-value", "Descriptor (hex)", d.value, "0x-prefixed or bare hex, up to 64 bits"),
      select(
        "desc-granule",
        "Granule",
        [
          ["4k", "4K"],
          ["16k", "16K"],
          ["64k", "64K"],
        ],
        d.granule,
      ),
      select("desc-level", "Level", levels, d.level),
      select("desc-pa-bits", "Host PA bits", [["", "default"], ...PARANGE_BITS.map((b) => [String(b), String(b)] as [string, string])], d.paBits),
      checkbox("desc-lpa2", "FEAT_LPA2 format", d.lpa2),
      checkbox("desc-fwb", "FWB (FEAT_S2FWB)", d.fwb, "changes how MemAttr reads"),
    ),
    h(
      "div",
      { class: "examples", role: "group", "aria-label": "example descriptors" },
      "Examples: ",
      ...ex.map((e, i) => h("button", { type: "button", "data-example": i }, e.label)),
    ),
    h("p", { id: "desc-error", class: "error", role: "alert", hidden: true }),
    h(
      "div",
      { id: "desc-out", "aria-live": "polite" },
      h("p", { class: "summary" }, h("strong", {}, "Reads as: "), h("span", { id: "desc-summary" })),
      h(
        "p",
        { class: "meta" },
        "kind ",
        h("code", { id: "desc-kind" }),
        " · prot ",
        h("code", { id: "desc-prot" }),
        " · value ",
        h("code", { id: "desc-norm" }),
      ),
      h("div", { id: "desc-strip", class: "strip" }),
      h(
        "table",
        { id: "desc-fields", class: "fields" },
        h("caption", {}, "Fields"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "field"),
            h("th", { scope: "col" }, "bits"),
            h("th", { scope: "col" }, "value"),
            h("th", { scope: "col" }, "meaning"),
          ),
        ),
        h("tbody", {}),
      ),
      h("ul", { id: "desc-notes", class: "notes" }),
    ),
    cliBox("desc"),
  );
  section.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
  const changed = (): void => {
    render();
    stateChanged("decoder");
  };
  section.addEventListener("input", changed);
  section.addEventListener("change", changed);
  section.querySelectorAll<HTMLButtonElement>("button[data-example]").forEach((b) =>
    b.addEventListener("click", () => {
      showDescriptor(ex[Number(b.dataset.example)].form);
    }),
  );
  return section;
}

/** Show a descriptor in the decoder (the era panel's "decode" buttons use this) and bring the panel into view. */
export function showDescriptor(f: DescriptorForm): void {
  setForm(f);
  render();
  stateChanged("decoder");
  reveal(byId("decoder"), byId("desc-value"));
}

function setForm(f: DescriptorForm): void {
  byId<HTMLInputElement>("desc-value").value = f.value;
  byId<HTMLSelectElement>("desc-granule").value = f.granule;
  byId<HTMLSelectElement>("desc-level").value = f.level;
  byId<HTMLSelectElement>("desc-pa-bits").value = f.paBits;
  byId<HTMLInputElement>("desc-lpa2").checked = f.lpa2;
  byId<HTMLInputElement>("desc-fwb").checked = f.fwb;
}

function readForm(): DescriptorForm {
  return {
    value: valueOf("desc-value"),
    granule: valueOf("desc-granule"),
    level: valueOf("desc-level"),
    lpa2: checked("desc-lpa2"),
    fwb: checked("desc-fwb"),
    paBits: valueOf("desc-pa-bits"),
  };
}

/** Redraw the panel from the form (when it changed: a redraw would drop the focus on a field row). */
const render = redrawOnChange(readForm, (f: DescriptorForm): void => {
  showResult("desc-error", "desc-out", descriptorView(f), drawView);
  showCli("desc", decodeCli(f));
});

const CHOICES = { granule: ["4k", "16k", "64k"], level: ["", "-1", "0", "1", "2", "3"], paBits: ["", ...PARANGE_BITS.map(String)] };

export const descriptorPanel: Panel = formPanel({
  id: "decoder",
  key: "decode",
  build,
  render,
  read: readForm,
  write: setForm,
  defaults: DEFAULT_DESCRIPTOR_FORM,
  choices: CHOICES,
});

function drawView(v: DescriptorView): void {
  const d = v.decoded;
  byId("desc-summary").textContent = d.summary;
  byId("desc-kind").textContent = d.kind;
  byId("desc-prot").textContent = d.prot === null ? "none (not a leaf KVM writes)" : d.prot === "" ? "0 (no access)" : d.prot;
  byId("desc-norm").textContent = d.value;

  // The strip, as two rows of 32 bits (63..32, 31..0).
  const strip = byId("desc-strip");
  fill(strip, ...drawStrip(v, "the descriptor"));

  const tbody = byId("desc-fields").querySelector("tbody");
  if (!tbody) return;
  fill(
    tbody,
    ...d.fields.map((f, i) =>
      h(
        "tr",
        { "data-field-name": f.name, "data-index": i, class: f.view ? "view" : undefined },
        h("th", { scope: "row", class: "f-name" }, h("span", { class: `swatch ${f.view ? "fnone" : colourClass(i)}`, "aria-hidden": "true" }), f.name),
        h("td", { class: "f-bits" }, f.bits),
        h("td", { class: "f-value" }, h("code", {}, f.value)),
        h("td", { class: "f-meaning" }, f.meaning + (f.view ? " (another reading of bits shown above)" : "")),
      ),
    ),
  );
  // Hover or focus a field row: outline its bits on the strip.
  outlineOnHover(tbody, strip);
  fill(byId("desc-notes"), ...d.notes.map((n) => h("li", {}, n)));
}
