// Every panel's state in the URL hash, in Chromium: change a panel as a
// reader would, take the address bar's URL, open it in a fresh page, and the
// panel is back as it was (its controls and what it shows), in view. Plus a
// teacher's hand-written link, and a hash changed on an open page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { combineS1S2 } from "../../src/mair/combine.js";
import { combineCli, decodeCli, eraCli, matrixCli, registerCli, walkCli } from "../../src/site/cli-view.js";
import { DEFAULT_REGISTER_FORM } from "../../src/site/register-view.js";
import { DEFAULT_COMBINE_FORM } from "../../src/site/combine-view.js";
import { DEFAULT_DESCRIPTOR_FORM } from "../../src/site/descriptor-view.js";
import { DEFAULT_ERA_FORM } from "../../src/site/era-view.js";
import { DEFAULT_MATRIX_FORM } from "../../src/site/matrix-view.js";
import { DEFAULT_WALK_FORM } from "../../src/site/walk-view.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";
import { launch, openPage, pageFileUrl, setInputs, type Browser } from "./harness.js";

let b: Browser;

beforeAll(async () => {
  b = await launch();
});

afterAll(async () => {
  await b?.close();
});

/** What a panel shows: every control's value, and the text of what it drew. */
async function snapshot(p: Page, section: string, out: string): Promise<unknown> {
  return p.evaluate(
    ([sec, o]) => {
      const s = document.getElementById(sec)!;
      const controls = Array.from(s.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea")).map((el) => [
        el.id,
        el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value,
      ]);
      const pressed = Array.from(s.querySelectorAll("[aria-pressed='true']")).map((el) => el.getAttribute("data-rule") ?? el.getAttribute("data-key"));
      return { controls, pressed, out: document.querySelector<HTMLElement>(o)?.innerText ?? null };
    },
    [section, out] as const,
  );
}

interface PanelCase {
  panel: string;
  /** What the snapshot reads as the panel's output. */
  out: string;
  act: (p: Page) => Promise<void>;
}

const CASES: PanelCase[] = [
  {
    panel: "matrix",
    out: "#mx-out",
    act: async (p) => {
      await setInputs(p, { "mx-fwb": false, "mx-s2-sh": "2" });
      await p.focus("#mx-table button.cell[data-key='0xff,0xc']");
    },
  },
  {
    panel: "rules",
    out: "#rules-groups",
    act: async (p) => {
      await p.click("#rules button.rule[data-rule='on-nc']");
    },
  },
  {
    panel: "combine",
    out: "#cmb-out",
    act: async (p) => {
      await p.click("#cmb-more > summary");
      await setInputs(p, { "cmb-s1": "0x44", "cmb-s1-sh": "2", "cmb-fwb": false, "cmb-xs": true, "cmb-sctlr-c": false });
      await p.check("#cmb-mode-prot");
      await setInputs(p, { "cmb-prot": "R|W|NORMAL_NC" });
    },
  },
  {
    panel: "walk",
    out: "#wk-out",
    act: async (p) => {
      await setInputs(p, { "wk-scenario": "guest-s1ptw-fault" });
      await setInputs(p, { "wk-access": "w", "wk-el": "0" });
    },
  },
  {
    panel: "walk",
    out: "#wk-out",
    act: async (p) => {
      // A pasted scenario travels in the URL too.
      await setInputs(p, { "wk-scenario": "paste" });
      await p.fill(
        "#wk-paste",
        JSON.stringify({
          name: "pasted",
          config: { granule: 16384, ia_bits: 36, pa_bits: 48, lpa2: false, fwb: false, tlb_range: false },
          ops: [{ op: "map", ipa: "0x40000000", size: "0x4000", pa: "0x80000000", prot: "R|W", flags: "" }],
        }),
      );
      await p.check("#wk-mode-ipa");
      await setInputs(p, { "wk-addr": "0x40000010", "wk-s1-attr": "0x44" });
    },
  },
  {
    panel: "eras",
    out: "#era-out",
    act: async (p) => {
      await setInputs(p, { "era-vma": "anon", "era-fwb": false, "era-guest": "normal-nc", "era-access": "write" });
    },
  },
  {
    panel: "decoder",
    out: "#desc-out",
    act: async (p) => {
      await setInputs(p, { "desc-granule": "16k", "desc-lpa2": true, "desc-level": "2", "desc-fwb": false, "desc-value": "0x8000002000749" });
    },
  },
  {
    panel: "registers",
    out: "#reg-out",
    act: async (p) => {
      await setInputs(p, { "reg-name": "VTCR_EL2", "reg-value": "0x802a3558", "reg-xs": true });
    },
  },
  {
    panel: "registers",
    out: "#reg-out",
    act: async (p) => {
      // A value with a problem, through an example button.
      await p.getByRole("button", { name: "ESR_EL2: a RES0 bit set" }).click();
    },
  },
  {
    panel: "glossary",
    out: "#gl-list",
    act: async (p) => {
      await setInputs(p, { "gl-filter": "shareab" });
    },
  },
];

describe("the URL round trip, panel by panel", () => {
  it.each(CASES.map((c, i) => [`${c.panel} ${i}`, c] as const))("%s", async (_n, c) => {
    const p1 = await b.context.newPage();
    const p2 = await b.context.newPage();
    try {
      await openPage(p1, pageFileUrl);
      const before = await snapshot(p1, c.panel, c.out);
      await c.act(p1);
      const url = await p1.evaluate(() => location.href);
      expect(url.startsWith(`${pageFileUrl}#`), url).toBe(true);
      expect(new URLSearchParams(new URL(url).hash.slice(1)).get("view")).toBe(c.panel);
      const after = await snapshot(p1, c.panel, c.out);
      expect(after).not.toEqual(before);
      await openPage(p2, url);
      expect(await snapshot(p2, c.panel, c.out)).toEqual(after);
      // The page opens on the panel (at the top of the window, or as near as the page's end allows).
      expect(
        await p2.evaluate((id) => {
          const top = document.getElementById(id)!.getBoundingClientRect().top;
          return top > -5 && (top < 5 || Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight);
        }, c.panel),
      ).toBe(true);
      // And the reopened page writes back the same hash once touched.
      expect(await p2.evaluate(() => location.hash)).toBe(new URL(url).hash);
    } finally {
      await p1.close();
      await p2.close();
    }
  });

  it("an untouched page has no hash; defaults are not written", async () => {
    const p = await b.context.newPage();
    try {
      await openPage(p, pageFileUrl);
      expect(await p.evaluate(() => location.hash)).toBe("");
      await setInputs(p, { "cmb-fwb": false });
      expect(await p.evaluate(() => location.hash)).toBe("#view=combine&combine.fwb=0");
      await setInputs(p, { "cmb-fwb": true });
      expect(await p.evaluate(() => location.hash)).toBe("#view=combine");
    } finally {
      await p.close();
    }
  });
});

describe("copy the CLI command", () => {
  it("every panel shows its npx s2pt line, and the button puts exactly that on the clipboard", async () => {
    const p = await b.context.newPage();
    try {
      // Record what the page hands the clipboard (reading it back needs a permission a file:// page does not get).
      await p.addInitScript(() => {
        const w = window as unknown as { copied: string[] };
        w.copied = [];
        const write = navigator.clipboard.writeText.bind(navigator.clipboard);
        navigator.clipboard.writeText = (t: string) => {
          w.copied.push(t);
          return write(t);
        };
      });
      await openPage(p, pageFileUrl);
      const fb = readFileSync(join(repoRoot, "examples", "guest-framebuffer-nc.json"), "utf8");
      const want: Array<[string, string]> = [
        ["mx", matrixCli(DEFAULT_MATRIX_FORM).text],
        ["cmb", combineCli(DEFAULT_COMBINE_FORM).text],
        ["wk", walkCli(DEFAULT_WALK_FORM, fb).text],
        ["era", eraCli(DEFAULT_ERA_FORM).text],
        ["desc", decodeCli(DEFAULT_DESCRIPTOR_FORM).text],
        ["reg", registerCli(DEFAULT_REGISTER_FORM).text],
      ];
      expect(want.map(([, t]) => t)).toEqual([
        "npx s2pt combine --s1 0x44 --s2 0x5 --fwb",
        "npx s2pt combine --s1 0xff --s2 0x1 --fwb",
        "npx s2pt walk examples/guest-framebuffer-nc.json --va 0xffffffc000001040 --access w",
        "npx s2pt explain --vma pfnmap --pgprot noncached --allow-any-uncached --fwb --guest normal-nc",
        "npx s2pt decode 0x400000800007db --level 3 --fwb",
        "npx s2pt reg ESR_EL2 0x93c08007",
      ]);
      for (const [prefix, text] of want) {
        expect(await p.textContent(`#${prefix}-cli`), prefix).toBe(text);
        await p.click(`#${prefix}-cli-copy`);
        await p.waitForFunction((id) => document.getElementById(id)?.textContent !== "", `${prefix}-cli-status`);
        expect(await p.textContent(`#${prefix}-cli-status`)).toBe("copied");
      }
      expect(await p.evaluate(() => (window as unknown as { copied: string[] }).copied)).toEqual(want.map(([, t]) => t));
    } finally {
      await p.close();
    }
  });
});

describe("links a teacher writes", () => {
  it("guest write-combining over KVM's Normal-NC with FWB", async () => {
    const p = await b.context.newPage();
    try {
      await openPage(p, `${pageFileUrl}#view=combine&combine.s1=0x44&combine.s2=0x5&combine.fwb=1`);
      const r = combineS1S2(0x44, 3, 0x5, 3, { fwb: true });
      expect(await p.textContent("#cmb-memtype")).toBe("Normal-NC");
      expect(await p.textContent("#cmb-description")).toBe(r.description);
      expect(await p.textContent("#cmb-cli")).toBe("npx s2pt combine --s1 0x44 --s2 0x5 --fwb");
      expect(await p.evaluate(() => Math.abs(document.getElementById("combine")!.getBoundingClientRect().top) < 5)).toBe(true);
    } finally {
      await p.close();
    }
  });

  it("a link to a panel by its anchor, and values that do not fit are ignored", async () => {
    const p = await b.context.newPage();
    try {
      await openPage(p, `${pageFileUrl}#walk`);
      expect(await p.evaluate(() => Math.abs(document.getElementById("walk")!.getBoundingClientRect().top) < 5)).toBe(true);
      await openPage(p, `${pageFileUrl}#view=matrix&matrix.s1Sh=7&matrix.fwb=banana&walk.scenario=nope&walk.access=q`);
      expect(await p.inputValue("#mx-s1-sh")).toBe("3");
      expect(await p.isChecked("#mx-fwb")).toBe(true);
      expect(await p.inputValue("#wk-scenario")).toBe("guest-framebuffer-nc");
      expect(await p.inputValue("#wk-access")).toBe("w");
    } finally {
      await p.close();
    }
  });

  it("a register by any name the CLI takes (esr, Vtcr_El2); an unknown one is ignored", async () => {
    const p = await b.context.newPage();
    try {
      await openPage(p, `${pageFileUrl}#view=registers&reg.name=esr&reg.value=0x92800007`);
      expect(await p.inputValue("#reg-name")).toBe("ESR_EL2");
      expect(await p.textContent("#reg-problems li")).toMatch(/^RES0\[23:22\]/);
      expect(await p.textContent("#reg-cli")).toBe("npx s2pt reg ESR_EL2 0x92800007");
      expect(await p.evaluate(() => Math.abs(document.getElementById("registers")!.getBoundingClientRect().top) < 5)).toBe(true);
      await openPage(p, `${pageFileUrl}#view=registers&reg.name=Vtcr_El2&reg.value=0x802a3558`);
      expect(await p.inputValue("#reg-name")).toBe("VTCR_EL2");
      expect(await p.textContent("#reg-geo-title")).toBe("4K granule, 40-bit IPA, 40-bit PA");
      await openPage(p, `${pageFileUrl}#view=registers&reg.name=nope&reg.value=0x5a000000&reg.xs=maybe`);
      expect(await p.inputValue("#reg-name")).toBe("ESR_EL2");
      expect(await p.isChecked("#reg-xs")).toBe(false);
      expect(await p.textContent("#reg-summary")).toBe("HVC #0 in AArch64 state");
    } finally {
      await p.close();
    }
  });

  it("a new hash on an open page (a pasted link, Back) sets the panels", async () => {
    const p = await b.context.newPage();
    try {
      await openPage(p, pageFileUrl);
      await p.evaluate(() => {
        location.hash = "#view=decoder&decode.value=0x40001003&decode.level=1";
      });
      await p.waitForFunction(() => (document.getElementById("desc-value") as HTMLInputElement).value === "0x40001003");
      expect(await p.textContent("#desc-kind")).toBe("table");
    } finally {
      await p.close();
    }
  });

  it("logged no error", () => {
    expect(b.errors).toEqual([]);
  });
});
