/**
 * Era comparison panel: the `s2pt explain` chain (VMA and pfn -> the
 * user_mem_abort() policy -> prot -> leaf -> combined with the guest ->
 * hazards) for every kernel era side by side, with what changed from one era
 * to the next marked. All answers are explainEras() (src/kvm/explain.ts) via
 * ../era-view.ts; this file only draws them.
 */

import { ERAS } from "../../kvm/policy.js";
import { GUEST_ATTR_NAMES, guestMacro } from "../../kvm/guest.js";
import { PGPROTS, VMA_KIND_INFO } from "../../kvm/vma.js";
import { protNames } from "../../walker/decode.js";
import { DEFAULT_ERA_FORM, driverVma, eraView, type EraColumn, type EraFacts, type EraForm, type EraView } from "../era-view.js";
import { eraCli } from "../cli-view.js";
import { showDescriptor } from "./descriptor-panel.js";
import { byId, checkbox, checked, cliBox, fill, h, prose, select, showCli, termText, valueOf, showResult } from "./dom.js";
import { formPanel, stateChanged, type Panel } from "./panel.js";

const EXAMPLES: ReadonlyArray<readonly [string, Partial<EraForm>]> = [
  ["vfio-pci GPU BAR, guest write-combining", { vma: "pfnmap", pgprot: "noncached", allowAnyUncached: true, pfn: "", guest: "normal-nc", fwb: true }],
  ["cacheable device memory, no FWB", { vma: "pfnmap", pgprot: "cacheable", allowAnyUncached: false, pfn: "", guest: "", fwb: false }],
  ["guest uncached alias of RAM, no FWB", { vma: "anon", pgprot: "", allowAnyUncached: false, pfn: "", guest: "normal-nc", fwb: false }],
  ["instruction fetch from a device BAR", { vma: "pfnmap", pgprot: "device", allowAnyUncached: true, pfn: "", guest: "normal", access: "exec", fwb: true }],
];

/** The rows of the comparison: [fact, label]. */
const ROWS: ReadonlyArray<readonly [keyof EraFacts, string]> = [
  ["outcome", "prot passed to kvm_pgtable_stage2_map(), or the error"],
  ["descriptor", "leaf descriptor (4K page, PA 0x80000000)"],
  ["memattr", "stage-2 MemAttr"],
  ["effective", "guest + stage 2 -> effective type"],
  ["hazards", "hazards"],
];

function build(): HTMLElement {
  const d = DEFAULT_ERA_FORM;
  const guestOptions: Array<[string, string]> = [
    ["", "not given"],
    ...GUEST_ATTR_NAMES.map(
      (g) => [g.names[0], `0x${g.attr.toString(16).padStart(2, "0")} ${guestMacro(g.attr) ?? g.names[0]} (${g.use})`] as [string, string],
    ),
  ];
  const section = h(
    "section",
    { id: "eras", "aria-labelledby": "eras-title" },
    h("h2", { id: "eras-title", "data-short": "Eras" }, "How KVM picks the stage-2 memory type, era by era"),
    prose(
      "p",
      {},
      "A guest touches memory behind a host VMA; ",
      h("code", {}, "user_mem_abort()"),
      " picks the prot, ",
      h("code", {}, "stage2_set_prot_attr()"),
      " writes the leaf, and the guest's own MAIR attribute combines with it. The answer changed with the write-combining and cacheable-IO series; here are the eras side by side, as ",
      h("code", {}, "s2pt explain"),
      " prints them. Cells that changed from the era to their left are marked.",
    ),
    h(
      "form",
      { id: "era-form", class: "inputs" },
      h(
        "fieldset",
        {},
        h("legend", {}, "Host"),
        select(
          "era-vma",
          "VMA",
          VMA_KIND_INFO.map((v) => [v.kind, `${v.kind}${v.flags !== "-" ? ` (${v.flags})` : ""}`] as [string, string]),
          d.vma,
        ),
        select(
          "era-pgprot",
          "vm_page_prot",
          [["", "default (device)"], ...PGPROTS.map((p) => [p.name, `${p.name}: ${p.mtName}, ${p.helper}`] as [string, string])],
          d.pgprot,
        ),
        select(
          "era-pfn",
          "pfn",
          [
            ["", "default for the VMA"],
            ["ram", "RAM (pfn_is_map_memory)"],
            ["io", "IO (not memblock RAM)"],
          ],
          d.pfn,
        ),
        checkbox("era-allow-any-uncached", "VM_ALLOW_ANY_UNCACHED", d.allowAnyUncached, "vfio-pci BAR mmaps (v6.9+)"),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "CPU and fault"),
        checkbox("era-fwb", "FWB (FEAT_S2FWB)", d.fwb),
        checkbox("era-dic", "CTR_EL0.DIC", d.dic),
        select(
          "era-access",
          "Faulting access",
          [
            ["read", "read"],
            ["write", "write"],
            ["exec", "instruction fetch"],
          ],
          d.access,
        ),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, "Guest"),
        select("era-guest", "Guest stage-1 attribute", guestOptions, d.guest),
        select(
          "era-guest-sh",
          "Guest SH",
          [
            ["3", "0b11 Inner Shareable"],
            ["2", "0b10 Outer Shareable"],
            ["0", "0b00 Non-shareable"],
          ],
          d.guestSh,
        ),
      ),
    ),
    h(
      "div",
      { class: "examples", role: "group", "aria-label": "example situations" },
      "Examples: ",
      ...EXAMPLES.map(([label], i) => h("button", { type: "button", "data-era-example": i }, label)),
    ),
    h("p", { id: "era-error", class: "error", role: "alert", hidden: true }),
    h(
      "div",
      { id: "era-out", "aria-live": "polite" },
      h("p", { class: "meta" }, "VMA: ", h("span", { id: "era-vma-words" })),
      h("div", { class: "strip" }, h("table", { id: "era-table", class: "fields eras" })),
      h("div", { id: "era-details", class: "era-cards" }),
    ),
    cliBox("era"),
  );
  section.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
  const changed = (): void => {
    render();
    stateChanged("eras");
  };
  section.addEventListener("input", changed);
  section.addEventListener("change", changed);
  section.querySelectorAll<HTMLButtonElement>("button[data-era-example]").forEach((b) =>
    b.addEventListener("click", () => {
      // An example is a whole situation: what it does not name goes back to the defaults.
      setForm({ ...DEFAULT_ERA_FORM, ...EXAMPLES[Number(b.dataset.eraExample)][1] });
      changed();
    }),
  );
  return section;
}

function setForm(f: EraForm): void {
  byId<HTMLSelectElement>("era-vma").value = f.vma;
  byId<HTMLSelectElement>("era-pgprot").value = f.pgprot;
  byId<HTMLSelectElement>("era-pfn").value = f.pfn;
  byId<HTMLInputElement>("era-allow-any-uncached").checked = f.allowAnyUncached;
  byId<HTMLInputElement>("era-fwb").checked = f.fwb;
  byId<HTMLInputElement>("era-dic").checked = f.dic;
  byId<HTMLSelectElement>("era-access").value = f.access;
  byId<HTMLSelectElement>("era-guest").value = f.guest;
  byId<HTMLSelectElement>("era-guest-sh").value = f.guestSh;
}

function readForm(): EraForm {
  const vma = valueOf("era-vma");
  const driver = driverVma(vma);
  return {
    vma,
    // anon and file VMAs are always cacheable and never carry VM_ALLOW_ANY_UNCACHED: those inputs are disabled, not sent.
    pgprot: driver ? valueOf("era-pgprot") : "",
    allowAnyUncached: driver && checked("era-allow-any-uncached"),
    pfn: valueOf("era-pfn"),
    dic: checked("era-dic"),
    access: valueOf("era-access"),
    fwb: checked("era-fwb"),
    guest: valueOf("era-guest"),
    guestSh: valueOf("era-guest-sh"),
  };
}

/** Redraw the panel from the form. */
function render(): void {
  const driver = driverVma(valueOf("era-vma"));
  byId<HTMLSelectElement>("era-pgprot").disabled = !driver;
  byId<HTMLInputElement>("era-allow-any-uncached").disabled = !driver;
  byId<HTMLSelectElement>("era-guest-sh").disabled = valueOf("era-guest") === "";
  const f = readForm();
  showResult("era-error", "era-out", eraView(f), draw);
  showCli("era", eraCli(f));
}

export const eraPanel: Panel = formPanel({
  id: "eras",
  key: "eras",
  build,
  render,
  // The controls as they are (a disabled pgprot keeps its value), so a link restores them exactly.
  read: () => ({ ...readForm(), pgprot: valueOf("era-pgprot"), allowAnyUncached: checked("era-allow-any-uncached") }),
  write: setForm,
  defaults: DEFAULT_ERA_FORM,
  choices: { access: ["read", "write", "exec"], pfn: ["", "ram", "io"], guestSh: ["0", "2", "3"] },
});

function cell(c: EraColumn, k: keyof EraFacts): HTMLElement {
  const changed = c.changed.has(k);
  return h(
    "td",
    {
      "data-era": c.x.era.id,
      "data-row": k,
      class: changed ? "differs" : undefined,
      "data-hazards": k === "hazards" ? c.x.hazards.map((z) => z.id).join(" ") : undefined,
    },
    k === "descriptor" && c.x.leaf ? h("code", {}, c.facts[k]) : c.facts[k],
    changed ? h("span", { class: "changed" }, " (changed)") : null,
    k === "descriptor" && c.x.leaf ? decodeButton(c) : null,
  );
}

/** Open the leaf in the descriptor decoder, read with this FWB setting. */
function decodeButton(c: EraColumn): HTMLElement {
  const b = h(
    "button",
    { type: "button", class: "decode", "data-decode": c.x.era.id, "aria-label": `decode the ${c.x.era.id} leaf ${c.facts.descriptor}` },
    "decode",
  );
  b.addEventListener("click", () => showDescriptor({ value: c.facts.descriptor, granule: "4k", level: "3", lpa2: false, fwb: checked("era-fwb"), paBits: "" }));
  return b;
}

function draw(v: EraView): void {
  byId("era-vma-words").textContent = v.vmaWords;
  const rows = ROWS.filter(([k]) => k !== "effective" || v.guest);
  fill(
    byId("era-table"),
    h("caption", {}, "Eras side by side (left to right: oldest to newest)"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, h("span", { class: "sr-only" }, "fact")),
        ...v.columns.map((c) => h("th", { scope: "col", "data-era": c.x.era.id }, h("strong", {}, c.x.era.id), h("div", { class: "hint" }, c.x.era.title))),
      ),
    ),
    h("tbody", {}, ...rows.map(([k, label]) => h("tr", { "data-row": k }, h("th", { scope: "row" }, label), ...v.columns.map((c) => cell(c, k))))),
  );
  fill(
    byId("era-details"),
    ...v.columns.map((c) => {
      const pol = c.x.policy;
      const era = ERAS.find((e) => e.id === c.x.era.id);
      return h(
        "div",
        { class: "card", "data-era": c.x.era.id },
        h("h3", {}, `${c.x.era.id}: ${c.x.era.title}`),
        h("p", { class: "hint" }, era?.rule ?? ""),
        h("ol", { class: "policy-steps" }, ...pol.steps.map((s) => h("li", {}, h("code", {}, s.fn), ": ", s.text))),
        pol.ok
          ? null
          : h(
              "p",
              { class: "error-detail" },
              h("strong", {}, `${c.facts.outcome}: `),
              pol.why,
              `. ${pol.effect}`,
              pol.prot !== null ? ` (prot ${protNames(pol.prot)}, refused)` : "",
            ),
        c.x.combine && (c.x.combine.attr < 0 || c.x.combine.sh < 0)
          ? h(
              "div",
              { class: "open" },
              h("strong", {}, "Open: "),
              c.x.combine.description,
              h("ul", {}, ...[...c.x.combine.open.attr, ...c.x.combine.open.sh].map((o) => h("li", { "data-id": o.id }, o.text))),
            )
          : null,
        c.x.hazards.length
          ? h("ul", { class: "hazards" }, ...c.x.hazards.map((z) => h("li", { "data-id": z.id }, h("strong", {}, z.id), ": ", ...termText(z.text))))
          : h("p", {}, "no hazards"),
        c.x.notes.length ? h("ul", { class: "notes" }, ...c.x.notes.map((n) => h("li", {}, n))) : null,
        h("p", { class: "hint" }, "source: ", c.x.era.sources),
      );
    }),
  );
}
