// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven
// by playwright-core (which never downloads a browser), a fresh profile each
// run, and every request the page makes recorded, so a test can check that
// the page loads nothing but its own files.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { repoRoot } from "../helpers.js";

export const siteDir = join(repoRoot, "docs", "site");
/** Where screenshots go: artifacts/ (git-ignored), or S2PT_ARTIFACTS (CI points it out of its scratch clone). */
export const artifactsDir = process.env.S2PT_ARTIFACTS ?? join(repoRoot, "artifacts");
export const pageFileUrl = pathToFileURL(join(siteDir, "index.html")).href;

/** The system browser; S2PT_CHROMIUM overrides the path. */
export function chromiumPath(): string {
  const p = process.env.S2PT_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(p)) {
    throw new Error(`no Chromium at ${p}: install Debian's chromium package (apt-get install chromium) or set S2PT_CHROMIUM`);
  }
  return p;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "s2pt-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  return {
    context,
    page,
    requests,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Open the page and wait until app.js has drawn it. */
export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector("html[data-ready='1']", { timeout: 15_000 });
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png" };

/** A minimal static file server for docs/site on 127.0.0.1 (any static server must do). */
export async function serveSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(siteDir, path === sep || path === "/" ? "index.html" : path);
    if (!file.startsWith(siteDir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** Save a screenshot under artifacts/ (git-ignored); returns its path. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, name);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Set form inputs the way a person would: type into text boxes, pick options, tick boxes. */
export async function setInputs(page: Page, inputs: Record<string, string | boolean>): Promise<void> {
  for (const [id, v] of Object.entries(inputs)) {
    const sel = `#${id}`;
    if (typeof v === "boolean") await page.setChecked(sel, v);
    else if ((await page.locator(sel).evaluate((el) => el.tagName)) === "SELECT") await page.selectOption(sel, v);
    else await page.fill(sel, v);
  }
}
