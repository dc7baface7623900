/** A few DOM helpers for the docs page (no framework: the page is small and must load from file://). */

type Attrs = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/** Create an element: h("td", { class: "x", "data-bit": 3 }, "text", child). Boolean attributes are set when true. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

/** Replace an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`docs page: no element #${id}`);
  return el as T;
}

/** A labelled <select>; options are [value, label] pairs. */
export function select(id: string, label: string, options: ReadonlyArray<readonly [string, string]>, value: string): HTMLElement {
  const sel = h("select", { id, name: id });
  for (const [v, text] of options) sel.append(h("option", { value: v, selected: v === value }, text));
  return h("div", { class: "field" }, h("label", { for: id }, label), sel);
}

/** A labelled checkbox. */
export function checkbox(id: string, label: string, checked: boolean, hint?: string): HTMLElement {
  return h(
    "div",
    { class: "field check" },
    h("input", { type: "checkbox", id, name: id, checked, "aria-describedby": hint ? `${id}-hint` : undefined }),
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null,
  );
}

/** A labelled text input. */
export function textInput(id: string, label: string, value: string, hint?: string): HTMLElement {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { type: "text", id, name: id, value, spellcheck: "false", autocomplete: "off", "aria-describedby": hint ? `${id}-hint` : undefined }),
    hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null,
  );
}

export function valueOf(id: string): string {
  return byId<HTMLInputElement | HTMLSelectElement>(id).value;
}

export function checked(id: string): boolean {
  return byId<HTMLInputElement>(id).checked;
}

/**
 * Show a view's result: on an error, its one-line message in `errId` and the
 * output hidden; else the message cleared and `draw` filling `outId`.
 */
export function showResult<V>(errId: string, outId: string, r: { ok: true; view: V } | { ok: false; error: string }, draw: (view: V) => void): void {
  const err = byId(errId);
  const out = byId(outId);
  if (!r.ok) {
    err.textContent = r.error;
    err.hidden = false;
    out.hidden = true;
    return;
  }
  err.hidden = true;
  err.textContent = "";
  out.hidden = false;
  draw(r.view);
}
