/**
 * Entry point of the docs page (docs/site/index.html). esbuild bundles this
 * file and the src/ modules it imports into docs/site/app.js as an IIFE, so
 * the page runs from file:// and from any static server, offline.
 */

import { combinePanel, render as renderCombine } from "./combine-panel.js";
import { descriptorPanel, render as renderDescriptor } from "./descriptor-panel.js";
import { eraPanel, render as renderEras } from "./era-panel.js";
import { byId, fill, h } from "./dom.js";

function start(): void {
  const panels = [combinePanel(), eraPanel(), descriptorPanel()];
  fill(byId("app"), ...panels);
  fill(
    byId("nav"),
    h("ul", {}, ...panels.map((p) => h("li", {}, h("a", { href: `#${p.id}` }, p.querySelector("h2")?.textContent ?? p.id)))),
  );
  renderCombine();
  renderEras();
  renderDescriptor();
  document.documentElement.dataset.ready = "1";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
