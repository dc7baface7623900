/**
 * The docs page's state in the URL hash, without the DOM: every panel's form
 * as a flat record of strings, under the panel's key, plus which panel is in
 * view. Only values that differ from a panel's defaults are written, so the
 * link of an untouched page is just the page, and a teacher's link reads:
 *
 *   #view=combine&combine.s1=0x44&combine.s2=0x5&combine.fwb=1
 *
 * A bare "#combine" (the navigation's anchors, or an old link) is the same as
 * "#view=combine". Unknown keys are ignored; a value that does not fit its
 * control falls back to the default when the panel reads it (decodeForm).
 */

/** A form as the panels hold it: every control a string or a checkbox. */
export type FlatForm = Record<string, string | boolean>;

/** Any form interface whose controls are strings and checkboxes. */
export type FormShape<F> = { [K in keyof F]: string | boolean };

/** A panel's part of the hash: control name -> text. */
export type PanelState = Record<string, string>;

/** The controls of `f` that differ from `defaults`, as text (checkboxes "1" / "0"). */
export function encodeForm<F extends FormShape<F>>(f: F, defaults: F): PanelState {
  const out: PanelState = {};
  for (const k of Object.keys(defaults) as Array<keyof F & string>) {
    const v = f[k];
    if (v === defaults[k]) continue;
    out[k] = typeof v === "boolean" ? (v ? "1" : "0") : v;
  }
  return out;
}

/** Read a checkbox back: "1"/"true"/"on" and "0"/"false"/"off"; anything else is null (not given). */
export function parseFlag(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (t === "1" || t === "true" || t === "on" || t === "yes") return true;
  if (t === "0" || t === "false" || t === "off" || t === "no") return false;
  return null;
}

/**
 * A form from its hash text: each control the state names takes that value
 * (a checkbox only from a flag it can read), every other control its
 * default. `choices` limits a control to a set of values (a select, a radio):
 * another value there is ignored.
 */
export function decodeForm<F extends FormShape<F>>(s: PanelState, defaults: F, choices: Partial<Record<keyof F, readonly string[]>> = {}): F {
  const out: FlatForm = { ...defaults };
  for (const k of Object.keys(defaults) as Array<keyof F & string>) {
    if (!Object.prototype.hasOwnProperty.call(s, k)) continue;
    const text = s[k];
    if (typeof defaults[k] === "boolean") {
      const b = parseFlag(text);
      if (b !== null) out[k] = b;
      continue;
    }
    const allowed = choices[k];
    if (allowed && !allowed.includes(text)) continue;
    out[k] = text;
  }
  return out as F;
}

export interface HashState {
  /** The panel in view (its section id), or null. */
  view: string | null;
  /** Panel key -> its controls. */
  panels: Map<string, PanelState>;
}

/** The hash (with its leading "#", or "" for nothing to say) of a view and the panels' states. */
export function encodeHash(view: string | null, panels: ReadonlyArray<readonly [string, PanelState]>): string {
  const p = new URLSearchParams();
  if (view) p.set("view", view);
  for (const [key, state] of panels) for (const [k, v] of Object.entries(state)) p.set(`${key}.${k}`, v);
  const s = p.toString();
  return s === "" ? "" : `#${s}`;
}

/** Read a hash back (with or without its "#"). */
export function decodeHash(hash: string): HashState {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  const panels = new Map<string, PanelState>();
  if (text === "") return { view: null, panels };
  // "#combine": an anchor, not a state.
  if (!text.includes("=")) return { view: decodeURIComponent(text), panels };
  const p = new URLSearchParams(text);
  let view: string | null = null;
  for (const [k, v] of p) {
    if (k === "view") {
      view = v;
      continue;
    }
    const dot = k.indexOf(".");
    if (dot <= 0) continue;
    const key = k.slice(0, dot);
    let st = panels.get(key);
    if (!st) panels.set(key, (st = {}));
    st[k.slice(dot + 1)] = v;
  }
  return { view, panels };
}
