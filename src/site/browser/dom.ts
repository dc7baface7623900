/** A few DOM helpers for the docs page (no framework: the page is small and must load from file://). */

import { termById, termSegments } from "../glossary.js";
import type { CliLine } from "../cli-view.js";

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

// ---- glossary terms ---------------------------------------------------------------

/**
 * Text with the glossary's terms marked: each term's first appearance in
 * `seen`'s block becomes a link to its glossary entry, described by the
 * entry's definition (aria-describedby) and shown as a popover on hover and
 * focus (the page's #term-tip, see main.ts).
 */
export function termText(text: string, seen: Set<string> = new Set()): Node[] {
  return termSegments(text, seen).map((s) => {
    if (typeof s === "string") return document.createTextNode(s);
    const t = termById(s.id);
    return h("a", { class: "term", href: `#g-${s.id}`, "data-term": s.id, "aria-describedby": `gd-${s.id}`, "data-def": t?.def }, s.text);
  });
}

/** A paragraph of prose with its terms marked. */
export function prose(tag: "p" | "span" | "li" | "div", attrs: Record<string, string | undefined>, ...parts: Array<string | Node>): HTMLElement {
  const seen = new Set<string>();
  const el = h(tag, attrs);
  for (const p of parts) {
    if (typeof p === "string") el.append(...termText(p, seen));
    else el.append(p);
  }
  return el;
}

// ---- "copy the CLI command" ---------------------------------------------------------

/** The command line box of a panel: the `npx s2pt ...` line shown, a copy button, a note, a status. */
export function cliBox(prefix: string): HTMLElement {
  const text = h("code", { id: `${prefix}-cli`, class: "cli-text" });
  const status = h("span", { id: `${prefix}-cli-status`, class: "cli-status", role: "status" });
  const button = h("button", { type: "button", id: `${prefix}-cli-copy`, class: "cli-copy" }, "Copy the CLI command");
  button.addEventListener("click", () => void copyText(text.textContent ?? "", text, status));
  return h(
    "div",
    { class: "cli", role: "group", "aria-label": "the same on the command line" },
    h("span", { class: "label" }, "Command line: "),
    text,
    " ",
    button,
    " ",
    status,
    h("div", { id: `${prefix}-cli-note`, class: "hint" }),
  );
}

/** Show a panel's CLI line (or why there is none). */
export function showCli(prefix: string, line: CliLine): void {
  byId(`${prefix}-cli`).textContent = line.text;
  byId<HTMLButtonElement>(`${prefix}-cli-copy`).disabled = line.argv === null;
  byId(`${prefix}-cli-note`).textContent = line.note ?? "";
  byId(`${prefix}-cli-status`).textContent = "";
}

async function copyText(text: string, el: HTMLElement, status: HTMLElement): Promise<void> {
  if (text === "") return;
  try {
    if (!navigator.clipboard) throw new Error("no clipboard");
    await navigator.clipboard.writeText(text);
    status.textContent = "copied";
    return;
  } catch {
    // No clipboard access (an insecure context, a refused permission): select the line instead.
  }
  const range = document.createRange();
  range.selectNodeContents(el);
  const sel = window.getSelection();
  sel?.removeAllRanges();
  sel?.addRange(range);
  // The fallback where navigator.clipboard is refused: deprecated, and still the only synchronous copy browsers keep.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  status.textContent = document.execCommand("copy") ? "copied" : "selected: press Ctrl+C to copy";
}
