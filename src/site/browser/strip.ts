/**
 * The 64-bit strip of a descriptor: two rows of 32 bits (63..32, 31..0),
 * each bit coloured by the field that owns it and the fields named under
 * them. Used by the decoder and by each level of a drawn walk; the bits and
 * their owners are descriptorView()'s (src/walker/decode.ts).
 */

import type { BitSpan, DescriptorView } from "../descriptor-view.js";
import { h } from "./dom.js";

/** Field colours cycle through this many classes (site.css .f0 .. .f11). */
export const PALETTE = 12;

export function colourClass(field: number): string {
  return field < 0 ? "fnone" : `f${field % PALETTE}`;
}

/**
 * A field name wider than its bits (about three letters a bit at the strip's
 * narrowest) is written vertically, whole, rather than cut.
 */
export function labelVertical(name: string, bits: number): boolean {
  return name.length > 3 * bits;
}

/** The strip as two tables; `caption` names it for screen readers. */
export function drawStrip(v: DescriptorView, caption: string): HTMLElement[] {
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
              class: `bit ${colourClass(c.field)}${c.value ? " one" : ""}`,
              "data-bit": c.bit,
              "data-value": c.value,
              "data-field": c.field < 0 ? "" : d.fields[c.field].name,
              title: `bit ${c.bit} = ${c.value}${c.field < 0 ? "" : `: ${d.fields[c.field].name}`}`,
            },
            String(c.value),
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
            { colspan: width, class: `${colourClass(s.field)}${labelVertical(name, width) ? " vert" : ""}`, "data-label": name || undefined },
            name ? h("span", {}, name) : "",
          );
        }),
      ),
    );
  });
}
