/**
 * What a panel of the docs page is. main.ts lists the panels (one line each)
 * and does the rest: the navigation, the URL hash (each panel's state under
 * its key), the term popovers. A new panel is one file exporting a Panel and
 * one line in main.ts's PANELS.
 */

import { decodeForm, encodeForm, type FormShape, type PanelState } from "../url-state.js";

export interface Panel {
  /** The section's id: the navigation's anchor and the hash's `view`. */
  id: string;
  /** The prefix of this panel's controls in the hash ("combine.s1=0x44"). */
  key: string;
  /** Build the section (once, before any other call). */
  build(): HTMLElement;
  /** Redraw from the controls. */
  render(): void;
  /** The controls that differ from the defaults, for the hash. */
  getState(): PanelState;
  /** Set every control from a state (a control it does not name: its default), then redraw. */
  setState(s: PanelState): void;
}

/** A panel whose state is a form: `read` its controls, `write` them; the hash holds what differs from `defaults`. */
export interface FormPanelSpec<F extends FormShape<F>> {
  id: string;
  key: string;
  build(): HTMLElement;
  render(): void;
  read(): F;
  write(f: F): void;
  defaults: F;
  /** The values a select or radio control can take (another value in a link is ignored). */
  choices?: Partial<Record<keyof F, readonly string[]>>;
}

export function formPanel<F extends FormShape<F>>(o: FormPanelSpec<F>): Panel {
  return {
    id: o.id,
    key: o.key,
    build: () => o.build(),
    render: () => {
      o.render();
    },
    getState: () => encodeForm(o.read(), o.defaults),
    setState(s: PanelState): void {
      o.write(decodeForm(s, o.defaults, o.choices));
      o.render();
    },
  };
}

type Listener = (view: string | null) => void;
let listener: Listener | null = null;

/** main.ts: be told when a panel's state changes (to write the hash). */
export function onStateChange(l: Listener): void {
  listener = l;
}

/** A panel's controls changed by the reader (not by setState): `view` is the panel they are in. */
export function stateChanged(view: string | null): void {
  listener?.(view);
}

/** Bring a panel (or an element in it) into view and move the focus there. */
export function reveal(el: HTMLElement, focus: HTMLElement = el): void {
  el.scrollIntoView({ block: "start" });
  if (!focus.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(focus.tagName)) focus.setAttribute("tabindex", "-1");
  focus.focus({ preventScroll: true });
}

/**
 * A panel's render that redraws only when the form changed. A text box
 * fires `change` when it loses the focus, after the `input` events that
 * already drew its value: redrawing then would replace the rows the focus is
 * moving to (Tab from the value to a field row) and drop the focus.
 */
export function redrawOnChange<F>(read: () => F, draw: (f: F) => void): () => void {
  let drawn: string | null = null;
  return () => {
    const f = read();
    const key = JSON.stringify(f);
    if (key === drawn) return;
    drawn = key;
    draw(f);
  };
}
