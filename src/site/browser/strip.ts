/**
 * The 64-bit strip of a descriptor or a register: two rows of 32 bits
 * (63..32, 31..0), each bit coloured by the field that owns it and the
 * fields named under them. Used by the descriptor decoder, by each level of
 * a drawn walk and by the register decoder; the bits and their owners are
 * the views' (descriptorView(): src/walker/decode.ts; registerView():
 * src/regs). A register's RES0 and RES1 fields are drawn in one neutral
 * colour, and a bit that breaks its rule is marked "!" and says so.
 */

import type { BitSpan } from "../descriptor-view.js";
import { h } from "./dom.js";

/** Field colours cycle through this many classes (site.css .f0 .. .f11). */
export const PALETTE = 12;

/** One bit: its value, its field (-1: none), and the rule it breaks, in words, if any. */
export interface StripCell {
  bit: number;
  value: 0 | 1;
  field: number;
  problem?: string;
}

/** What a strip draws: bits 63 down to 0 and the fields they index (a register's have a kind: RES0, RES1, ...). */
export interface StripView {
  bits: readonly StripCell[];
  decoded: { fields: ReadonlyArray<{ name: string; kind?: string }> };
}

export function colourClass(field: number): string {
  return field < 0 ? "fnone" : `f${field % PALETTE}`;
}

/** A field's colour on a strip and in a table's swatch: a register's reserved bits share one. */
export function fieldClass(v: StripView, field: number): string {
  const k = field < 0 ? undefined : v.decoded.fields[field].kind;
  return k === "res0" || k === "res1" ? "fres" : colourClass(field);
}

/**
 * A field name wider than its bits (about three letters a bit at the strip's
 * narrowest) is written vertically, whole, rather than cut.
 */
export function labelVertical(name: string, bits: number): boolean {
  return name.length > 3 * bits;
}

/** The strip as two tables; `caption` names it for screen readers. */
export function drawStrip(v: StripView, caption: string): HTMLElement[] {
  const d = v.decoded;
  const halves = [v.bits.slice(0, 32), v.bits.slice(32)];
  return halves.map((half, i) => {
    const hiBit = half[0].bit;
    const spans: BitSpan[] = [];
    for (const c of half) {
      const last = spans[spans.length - 1];
      if (last && last.field === c.field) last.lo = c.bit;
      else spans.push({ field: c.field, hi: c.bit, lo: c.bit });
    }
    return h(
      "table",
      { class: "bits", "data-half": i },
      h("caption", { class: "sr-only" }, `${caption}, bits ${hiBit} to ${hiBit - 31}`),
      h("tr", { class: "num", "aria-hidden": "true" }, ...half.map((c) => h("td", {}, String(c.bit)))),
      h(
        "tr",
        { class: "val" },
        ...half.map((c) =>
          h(
            "td",
            {
              class: `bit ${fieldClass(v, c.field)}${c.value ? " one" : ""}${c.problem ? " bad" : ""}`,
              "data-bit": c.bit,
              "data-value": c.value,
              "data-field": c.field < 0 ? "" : d.fields[c.field].name,
              "data-index": c.field,
              "data-problem": c.problem,
              title: `bit ${c.bit} = ${c.value}${c.field < 0 ? "" : `: ${d.fields[c.field].name}`}${c.problem ? `, ${c.problem}` : ""}`,
            },
            String(c.value),
            // Not colour alone: the mark, and the words for a screen reader.
            c.problem ? h("span", { class: "bad-mark", "aria-hidden": "true" }, "!") : null,
            c.problem ? h("span", { class: "sr-only" }, ` (${c.problem})`) : null,
          ),
        ),
      ),
      h(
        "tr",
        { class: "lab" },
        ...spans.map((s) => {
          const name = s.field < 0 ? "" : d.fields[s.field].name;
          const width = s.hi - s.lo + 1;
          return h(
            "td",
            {
              colspan: width,
              class: `${fieldClass(v, s.field)}${labelVertical(name, width) ? " vert" : ""}`,
              "data-label": name || undefined,
              "data-index": s.field,
            },
            name ? h("span", {}, name) : "",
          );
        }),
      ),
    );
  });
}

/**
 * Hover or focus a field's row (a `tr` with `data-index`, the field's index)
 * and its bits are outlined on the strip. Each row outlines and clears only
 * its own bits, so leaving one row with the mouse keeps the outline of the
 * row that has the keyboard focus. The rows become focusable.
 */
export function outlineOnHover(rows: Element, strip: Element): void {
  rows.querySelectorAll<HTMLTableRowElement>("tr[data-index]").forEach((row) => {
    const on = (yes: boolean): void => {
      strip.querySelectorAll<HTMLElement>(`td.bit[data-index="${row.dataset.index ?? ""}"]`).forEach((c) => c.classList.toggle("hl", yes));
    };
    row.tabIndex = 0;
    row.addEventListener("mouseenter", () => on(true));
    row.addEventListener("mouseleave", () => on(false));
    row.addEventListener("focus", () => on(true));
    row.addEventListener("blur", () => on(false));
  });
}
