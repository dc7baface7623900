// The docs page's URL hash (src/site/url-state.ts): a form to text and back,
// only what differs from the defaults, anchors, and values that do not fit.
import { describe, expect, it } from "vitest";
import { decodeForm, decodeHash, encodeForm, encodeHash, parseFlag } from "../../src/site/url-state.js";
import { DEFAULT_COMBINE_FORM, type CombineForm } from "../../src/site/combine-view.js";
import { DEFAULT_WALK_FORM } from "../../src/site/walk-view.js";

describe("a form in the hash", () => {
  it("writes only what differs from the defaults, checkboxes as 1/0", () => {
    const f: CombineForm = { ...DEFAULT_COMBINE_FORM, s1: "0x44", s2: "0x5", fwb: false, sctlrC: false };
    expect(encodeForm(f, DEFAULT_COMBINE_FORM)).toEqual({ s1: "0x44", s2: "0x5", fwb: "0", sctlrC: "0" });
    expect(encodeForm(DEFAULT_COMBINE_FORM, DEFAULT_COMBINE_FORM)).toEqual({});
  });

  it("reads back to the same form", () => {
    const f: CombineForm = { ...DEFAULT_COMBINE_FORM, s1: "0x44", s1Sh: "1", s2Mode: "prot", prot: "R|W|NORMAL_NC", xs: true, fwb: false };
    expect(decodeForm(encodeForm(f, DEFAULT_COMBINE_FORM), DEFAULT_COMBINE_FORM)).toEqual(f);
  });

  it("a control the state does not name keeps its default; unknown keys and unreadable flags are ignored", () => {
    expect(decodeForm({ s1: "0x04", nonsense: "1", fwb: "maybe" }, DEFAULT_COMBINE_FORM)).toEqual({ ...DEFAULT_COMBINE_FORM, s1: "0x04" });
  });

  it("a value outside a control's choices is ignored", () => {
    expect(decodeForm({ s2Mode: "bogus", s1Sh: "7" }, DEFAULT_COMBINE_FORM, { s2Mode: ["memattr", "prot"], s1Sh: ["0", "1", "2", "3"] })).toEqual(
      DEFAULT_COMBINE_FORM,
    );
  });

  it("reads flags the way people write them", () => {
    expect(["1", "true", "on", "yes", "0", "false", "off", "no", "2", ""].map(parseFlag)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      null,
      null,
    ]);
  });
});

describe("the hash", () => {
  it("round-trips a view and several panels, pasted text with newlines and quotes included", () => {
    const paste = '{\n  "name": "x & y",\n  "ops": []\n}';
    const hash = encodeHash("walk", [
      ["combine", { s1: "0x44", fwb: "1" }],
      ["walk", { scenario: "paste", paste, addr: "0x40000000" }],
      ["decode", {}],
    ]);
    expect(hash.startsWith("#view=walk&combine.s1=0x44&combine.fwb=1&walk.scenario=paste&walk.paste=")).toBe(true);
    const st = decodeHash(hash);
    expect(st.view).toBe("walk");
    expect(st.panels.get("combine")).toEqual({ s1: "0x44", fwb: "1" });
    expect(st.panels.get("walk")).toEqual({ scenario: "paste", paste, addr: "0x40000000" });
    expect(st.panels.has("decode")).toBe(false);
    expect(decodeForm(st.panels.get("walk") ?? {}, DEFAULT_WALK_FORM)).toEqual({ ...DEFAULT_WALK_FORM, scenario: "paste", paste, addr: "0x40000000" });
  });

  it("an untouched page has no hash; an anchor is a view", () => {
    expect(encodeHash(null, [["combine", {}]])).toBe("");
    expect(decodeHash("")).toEqual({ view: null, panels: new Map() });
    expect(decodeHash("#combine")).toEqual({ view: "combine", panels: new Map() });
    expect(decodeHash("#view=rules&nodot=1&.x=2")).toEqual({ view: "rules", panels: new Map() });
  });
});
