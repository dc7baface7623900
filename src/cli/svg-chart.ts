/**
 * Bar charts as plain SVG, written by s2pt (no charting dependency: the
 * charts are a handful of rectangles and labels, and a library would add a
 * DOM or canvas dependency to a command-line tool for that). Small
 * multiples: one panel per figure, the same categories (configurations)
 * along every x axis, each panel with its own labelled y axis from 0, bars
 * grouped or stacked by series, a value label on every bar and an optional
 * min-max whisker.
 *
 * Accessibility: the root is role="img" with a <title> and a <desc> that
 * states every value in words; each bar has its own <title> (a tooltip in a
 * browser); series colours are the Okabe-Ito palette (distinguishable with
 * the common colour-vision deficiencies) with a legend, and every text is at
 * least 11px, dark on white.
 */

/** Okabe & Ito's colour-blind-safe palette (without its yellow, too light on white). */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"];

export interface Series {
  name: string;
  /** One value per category (null: no value, nothing drawn). */
  values: ReadonlyArray<number | null>;
  /** Optional whisker per category (lowest, highest). */
  ranges?: ReadonlyArray<readonly [number, number] | null>;
}

export interface Panel {
  title: string;
  /** The y axis' label (its unit). */
  yLabel: string;
  series: readonly Series[];
  stacked?: boolean;
  /** The values are counts: whole-number ticks only. */
  integer?: boolean;
  /** The values are bytes: ticks at powers of two (256MiB, 512MiB, 1GiB). */
  binary?: boolean;
  /** How a value is written on a bar and on the axis. */
  format: (v: number) => string;
}

export interface Chart {
  title: string;
  /** Sentences under the title (wrapped, at most four lines). */
  subtitle: string;
  categories: readonly string[];
  panels: readonly Panel[];
}

/** Escape text for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

/** A "nice" axis top and step: 1, 2, 2.5 or 5 times a power of ten, about four steps (whole steps for counts). */
export function niceAxis(max: number, integer = false, binary = false): { top: number; step: number } {
  if (!(max > 0)) return integer || binary ? { top: 1, step: 1 } : { top: 1, step: 0.25 };
  if (binary) {
    const raw = max / 4;
    let step = 2 ** Math.floor(Math.log2(raw));
    if (step < raw) step *= 2;
    step = Math.max(1, step);
    return { top: Math.ceil(max / step - 1e-9) * step, step };
  }
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) as number;
  if (integer) step = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / step - 1e-9) * step, step };
}

/** 16.8M, 1.2k, 64Gi for bytes: a short axis label. */
export function shortNumber(v: number, binary = false): string {
  const base = binary ? 1024 : 1000;
  const units = binary ? ["", "Ki", "Mi", "Gi", "Ti", "Pi"] : ["", "k", "M", "G", "T", "P"];
  let u = 0;
  let x = v;
  while (Math.abs(x) >= base && u < units.length - 1) {
    x /= base;
    u++;
  }
  const t = Number.isInteger(x) ? String(x) : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  return `${t}${units[u]}`;
}

const PANEL_W = 460;
const PANEL_H = 270;
const PLOT_L = 78; // room for the y tick labels and the axis label
const PLOT_R = 16;
const PLOT_T = 58; // the panel title and its legend
const PLOT_B = 58; // the category labels (two lines)
const COLS = 2;
/** Characters of a subtitle line. */
const WRAP = 140;

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? " " + attrs : ""}>${xmlEscape(s)}</text>`;
}

/** A category label in at most two lines, split at ", ". */
function categoryLines(c: string): string[] {
  const parts = c.split(", ");
  if (parts.length <= 1) return [c];
  const half = Math.ceil(parts.length / 2);
  return [parts.slice(0, half).join(", "), parts.slice(half).join(", ")];
}

function panelSvg(p: Panel, categories: readonly string[], ox: number, oy: number, id: string): string {
  const out: string[] = [];
  const plotW = PANEL_W - PLOT_L - PLOT_R;
  const plotH = PANEL_H - PLOT_T - PLOT_B;
  const x0 = ox + PLOT_L;
  const y0 = oy + PLOT_T + plotH; // the zero line
  // The axis must hold the highest bar (or stack), and whisker.
  let max = 0;
  categories.forEach((_, ci) => {
    let stack = 0;
    for (const s of p.series) {
      const v = s.values[ci] ?? 0;
      if (p.stacked) stack += v;
      else max = Math.max(max, v, s.ranges?.[ci]?.[1] ?? 0);
    }
    max = Math.max(max, stack);
  });
  const { top, step } = niceAxis(max, p.integer === true, p.binary === true);
  const y = (v: number): number => y0 - (v / top) * plotH;
  out.push(`<g id="${id}" role="group" aria-label="${xmlEscape(p.title)}">`);
  out.push(text(ox + PANEL_W / 2, oy + 20, p.title, 'class="pt" text-anchor="middle"'));
  // Legend (for more than one series).
  if (p.series.length > 1) {
    let lx = ox + PLOT_L;
    p.series.forEach((s, si) => {
      out.push(`<rect x="${lx}" y="${oy + 31}" width="11" height="11" fill="${PALETTE[si % PALETTE.length]}"/>`);
      out.push(text(lx + 15, oy + 41, s.name, 'class="lg"'));
      lx += 22 + s.name.length * 6.2;
    });
  }
  // Axes, grid and ticks.
  for (let t = 0; t <= top + step / 2; t += step) {
    const yy = y(t);
    out.push(`<line x1="${x0}" y1="${yy.toFixed(1)}" x2="${x0 + plotW}" y2="${yy.toFixed(1)}" class="${t === 0 ? "ax" : "gr"}"/>`);
    out.push(text(x0 - 6, yy + 4, shortAxis(p, t), 'class="tk" text-anchor="end"'));
  }
  out.push(`<line x1="${x0}" y1="${oy + PLOT_T}" x2="${x0}" y2="${y0}" class="ax"/>`);
  out.push(
    text(
      ox + 14,
      oy + PLOT_T + plotH / 2,
      p.yLabel,
      `class="yl" text-anchor="middle" transform="rotate(-90 ${ox + 14} ${(oy + PLOT_T + plotH / 2).toFixed(1)})"`,
    ),
  );
  // Bars.
  const band = plotW / categories.length;
  const groupW = band * 0.7;
  const nBars = p.stacked ? 1 : p.series.length;
  const barW = groupW / nBars;
  categories.forEach((cat, ci) => {
    const gx = x0 + ci * band + (band - groupW) / 2;
    let stack = 0;
    p.series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || v === undefined) return;
      const bx = p.stacked ? gx : gx + si * barW;
      const from = p.stacked ? stack : 0;
      const yTop = y(from + v);
      const h = Math.max(0, y(from) - yTop);
      const label = `${cat}: ${s.name} ${p.format(v)}`;
      out.push(
        `<rect x="${bx.toFixed(1)}" y="${yTop.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${xmlEscape(label)}</title></rect>`,
      );
      const r = s.ranges?.[ci];
      if (r) {
        const cx = bx + (barW - 2) / 2;
        out.push(`<line x1="${cx.toFixed(1)}" y1="${y(r[0]).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${y(r[1]).toFixed(1)}" class="wk"/>`);
        for (const e of r)
          out.push(`<line x1="${(cx - 5).toFixed(1)}" y1="${y(e).toFixed(1)}" x2="${(cx + 5).toFixed(1)}" y2="${y(e).toFixed(1)}" class="wk"/>`);
      }
      if (!p.stacked) out.push(text(bx + (barW - 2) / 2, Math.min(yTop, r ? y(r[1]) : yTop) - 4, p.format(v), 'class="vl" text-anchor="middle"'));
      stack += v;
    });
    if (p.stacked) out.push(text(gx + groupW / 2, y(stack) - 4, p.format(stack), 'class="vl" text-anchor="middle"'));
    categoryLines(cat).forEach((line, li) => out.push(text(gx + groupW / 2, y0 + 18 + li * 14, line, 'class="ct" text-anchor="middle"')));
  });
  out.push("</g>");
  return out.join("\n");
}

function shortAxis(p: Panel, t: number): string {
  const s = p.format(t);
  // Axis ticks stay short: a long formatted value (bytes with a size) is cut to its number.
  return s.length > 10 ? shortNumber(t, /B$|iB\)?$/.test(s)) : s;
}

/** The chart's values in words, for <desc>. */
function describe(c: Chart): string {
  const parts = [c.subtitle];
  for (const p of c.panels) {
    const rows = c.categories.map((cat, ci) => {
      const vals = p.series.map((s) => {
        const v = s.values[ci];
        const r = s.ranges?.[ci];
        return v === null || v === undefined
          ? null
          : `${p.series.length > 1 ? s.name + " " : ""}${p.format(v)}${r ? ` (${p.format(r[0])} to ${p.format(r[1])})` : ""}`;
      });
      return `${cat}: ${vals.filter((x) => x !== null).join(", ") || "no value"}`;
    });
    parts.push(`${p.title} (${p.yLabel}): ${rows.join("; ")}.`);
  }
  return parts.join(" ");
}

/** The whole chart as an SVG document. */
export function chartSvg(c: Chart): string {
  const rows = Math.ceil(c.panels.length / COLS);
  const width = COLS * PANEL_W + 20;
  const sub = wrap(c.subtitle, WRAP);
  const head = 40 + sub.length * 15;
  const height = head + rows * PANEL_H + 10;
  const body = c.panels.map((p, i) => panelSvg(p, c.categories, 10 + (i % COLS) * PANEL_W, head + Math.floor(i / COLS) * PANEL_H, `panel-${i + 1}`));
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">`,
    `<title id="chart-title">${xmlEscape(c.title)}</title>`,
    `<desc id="chart-desc">${xmlEscape(describe(c))}</desc>`,
    "<style>",
    ".hd{font-size:16px;font-weight:bold;fill:#111}.sb{font-size:12px;fill:#333}.pt{font-size:13px;font-weight:bold;fill:#111}",
    ".lg,.tk,.ct,.vl{font-size:11px;fill:#222}.yl{font-size:12px;fill:#222}.ax{stroke:#444;stroke-width:1}.gr{stroke:#ddd;stroke-width:1}.wk{stroke:#111;stroke-width:1.5}",
    "</style>",
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(10, 26, c.title, 'class="hd"'),
    ...sub.map((l, i) => text(10, 46 + i * 15, l, 'class="sb"')),
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** Words into lines of at most `width` characters. */
function wrap(s: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const w of s.split(" ")) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.slice(0, 4);
}
