/**
 * Entry point of the docs page (docs/site/index.html). esbuild bundles this
 * file and the src/ modules it imports into docs/site/app.js as an IIFE, so
 * the page runs from file:// and from any static server, offline.
 *
 * The page is its panels (PANELS: one line each, in page order); this file
 * builds them, the navigation, the glossary terms' popover, and keeps every
 * panel's state in the URL hash (../url-state.ts): a link opens the page as
 * it was, and the reader's changes rewrite the hash in place.
 */

import { decodeHash, encodeHash } from "../url-state.js";
import { combinePanel } from "./combine-panel.js";
import { descriptorPanel } from "./descriptor-panel.js";
import { byId, fill, h, termText } from "./dom.js";
import { eraPanel } from "./era-panel.js";
import { glossaryPanel } from "./glossary-panel.js";
import { matrixPanel } from "./matrix-panel.js";
import { onStateChange, reveal, type Panel } from "./panel.js";
import { registerPanel } from "./register-panel.js";
import { rulesPanel } from "./rules-panel.js";
import { walkPanel } from "./walk-panel.js";

const PANELS: readonly Panel[] = [matrixPanel, rulesPanel, combinePanel, walkPanel, eraPanel, descriptorPanel, registerPanel, glossaryPanel];

/** The panel the reader was last in (the hash's `view`). */
let view: string | null = null;

function writeHash(v: string | null): void {
  if (v) view = v;
  const hash = encodeHash(
    view,
    PANELS.map((p) => [p.key, p.getState()] as const),
  );
  history.replaceState(null, "", hash === "" ? location.pathname + location.search : hash);
}

/** Set every panel from a hash (a panel it does not name goes back to its defaults) and show its view. */
function applyHash(hash: string): void {
  const st = decodeHash(hash);
  for (const p of PANELS) p.setState(st.panels.get(p.key) ?? {});
  view = st.view;
  const target = view ? document.getElementById(view) : null;
  if (target) target.scrollIntoView({ block: "start" });
}

function sectionOf(el: Element): string | null {
  return el.closest("section")?.id ?? null;
}

/** In-page links move to their target without replacing the hash (which holds the state). */
function onLinkClick(e: MouseEvent): void {
  const a = e.target instanceof Element ? e.target.closest<HTMLAnchorElement>("a[href^='#']") : null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
  if (!target) return;
  e.preventDefault();
  // A glossary entry the filter hides: clear the filter first.
  if (target.hidden && target.closest("#glossary")) glossaryPanel.setState({});
  reveal(target);
  writeHash(sectionOf(target));
}

/** The popover of a marked term: its glossary line, on hover and on focus; Escape closes it. */
function termPopover(): void {
  const tip = h("div", { id: "term-tip", role: "tooltip", hidden: true });
  // Inside <main>, so all content is in a landmark; absolutely placed against the page.
  byId("app").append(tip);
  const show = (a: HTMLElement): void => {
    fill(tip, h("strong", {}, `${a.textContent ?? ""}: `), a.dataset.def ?? "");
    tip.hidden = false;
    const r = a.getBoundingClientRect();
    const left = Math.max(8, Math.min(r.left, document.documentElement.clientWidth - tip.offsetWidth - 8));
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${r.bottom + window.scrollY + 6}px`;
  };
  const hide = (): void => {
    tip.hidden = true;
  };
  const term = (t: EventTarget | null): HTMLElement | null => (t instanceof Element ? t.closest<HTMLElement>("a.term") : null);
  document.addEventListener("mouseover", (e) => {
    const a = term(e.target);
    if (a) show(a);
  });
  document.addEventListener("mouseout", (e) => {
    if (term(e.target)) hide();
  });
  document.addEventListener("focusin", (e) => {
    const a = term(e.target);
    if (a) show(a);
    else hide();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hide();
  });
}

/** Mark the glossary terms in a static block of index.html. */
function markTerms(el: HTMLElement): void {
  const seen = new Set<string>();
  for (const n of Array.from(el.childNodes)) if (n.nodeType === Node.TEXT_NODE) n.replaceWith(...termText(n.textContent ?? "", seen));
}

function start(): void {
  fill(byId("app"), ...PANELS.map((p) => p.build()));
  fill(
    byId("nav"),
    h(
      "ul",
      {},
      ...PANELS.map((p) =>
        h("li", {}, h("a", { href: `#${p.id}` }, byId(p.id).querySelector("h2")?.dataset.short ?? byId(p.id).querySelector("h2")?.textContent ?? p.id)),
      ),
    ),
  );
  const intro = document.getElementById("intro");
  if (intro) markTerms(intro);
  termPopover();
  document.addEventListener("click", onLinkClick);
  applyHash(location.hash);
  onStateChange(writeHash);
  // A link pasted into the address bar of an open page, or Back and Forward.
  window.addEventListener("hashchange", () => applyHash(location.hash));
  document.documentElement.dataset.ready = "1";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
