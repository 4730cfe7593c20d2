/**
 * The storm chart, as a hand-written SVG (no dependencies): requests completed per 50 ms bucket, stacked
 * by Server-Timing outcome (failed requests in red whatever their outcome), one panel per mode on a shared
 * x and y scale, with the wave's phases marked. Pure: samples in, SVG text out.
 */
import type { ChartStorm, Sample } from "./types";
import { scenarioLabel } from "./types";

export const BUCKET_MS = 50;

/** Stacking order, bottom up, and colours (colour-blind-safe Okabe–Ito hues, red kept for failure). */
export const SERIES: ReadonlyArray<{ readonly key: string; readonly label: string; readonly color: string }> = [
  { key: "refreshed", label: "refreshed (led the refresh)", color: "#E69F00" },
  { key: "joined", label: "joined (waited for it)", color: "#0072B2" },
  { key: "replayed", label: "replayed (late, from the grace window)", color: "#CC79A7" },
  { key: "valid", label: "valid (fresh cookie)", color: "#009E73" },
  { key: "other", label: "other outcome, worked", color: "#999999" },
  { key: "failed", label: "failed (signed out, 401, 5xx, timeout)", color: "#D7191C" },
];

const WIDTH = 960;
const PANEL_HEIGHT = 230;
const MARGIN = { left: 64, right: 24, top: 112, bottom: 46, gap: 64 };
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

export function seriesKey(sample: Sample): string {
  if (!sample.ok) return "failed";
  return SERIES.some((series) => series.key === sample.outcome) ? sample.outcome : "other";
}

/** Completions per bucket and series: `counts[series][bucket]`. Buckets start at 0 ms. */
export function bucketize(samples: readonly Sample[], bucketMs: number, buckets: number): Record<string, number[]> {
  const counts: Record<string, number[]> = {};
  for (const series of SERIES) counts[series.key] = new Array<number>(buckets).fill(0);
  for (const sample of samples) {
    const index = Math.min(buckets - 1, Math.max(0, Math.floor(sample.endMs / bucketMs)));
    counts[seriesKey(sample)]![index]! += 1;
  }
  return counts;
}

/** A round axis step (1, 2 or 5 × 10^k) giving about `ticks` ticks up to `max`. */
export function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

export function renderStormChart(storm: ChartStorm, bucketMs = BUCKET_MS): string {
  const endMs = Math.max(bucketMs, ...storm.panels.flatMap((panel) => panel.samples.map((sample) => sample.endMs)));
  const buckets = Math.ceil(endMs / bucketMs);
  const xMax = buckets * bucketMs;
  const perPanel = storm.panels.map((panel) => bucketize(panel.samples, bucketMs, buckets));
  const yTop = Math.max(1, ...perPanel.flatMap((counts) => Array.from({ length: buckets }, (_, i) => SERIES.reduce((sum, s) => sum + counts[s.key]![i]!, 0))));
  const yStep = niceStep(yTop, 4);
  const yMax = Math.ceil(yTop / yStep) * yStep;
  const xStep = niceStep(xMax, 10);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const height = MARGIN.top + storm.panels.length * PANEL_HEIGHT + (storm.panels.length - 1) * MARGIN.gap + MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + (ms / xMax) * plotWidth;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="${FONT}" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="600">${escape(`Session refresh storm: ${scenarioLabel(storm.scenario)}, first expiry`)}</text>`,
    `<text x="${MARGIN.left}" y="44" fill="#444">${escape(`Requests completed per ${bucketMs} ms, by Server-Timing outcome; x = ms since the storm started`)}</text>`,
  );
  // Legend, in two rows of three.
  SERIES.forEach((series, i) => {
    const lx = MARGIN.left + (i % 3) * 290;
    const ly = 62 + Math.floor(i / 3) * 20;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${series.color}"/>`,
      `<text x="${lx + 18}" y="${ly + 10}">${escape(series.label)}</text>`,
    );
  });

  storm.panels.forEach((panel, p) => {
    const top = MARGIN.top + p * (PANEL_HEIGHT + MARGIN.gap) + 22;
    const bottom = top + PANEL_HEIGHT - 22;
    const y = (value: number) => bottom - (value / yMax) * (bottom - top);
    const counts = perPanel[p]!;
    parts.push(
      `<text x="${MARGIN.left}" y="${top - 8}" font-size="13" font-weight="600">${escape(panel.mode === "locked" ? "Ours: Redis lock + successor cache" : "Baseline: no lock (next-auth's refresh-in-the-jwt-callback recipe)")}</text>`,
    );
    parts.push(`<text x="${WIDTH - MARGIN.right}" y="${top - 8}" text-anchor="end" fill="#444">${escape(panel.note)}</text>`);
    // Grid and y axis.
    for (let value = 0; value <= yMax; value += yStep) {
      parts.push(
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round(y(value))}" y2="${round(y(value))}" stroke="${value === 0 ? "#333" : "#e5e5e5"}"/>`,
      );
      parts.push(`<text x="${MARGIN.left - 6}" y="${round(y(value)) + 4}" text-anchor="end" fill="#444">${value}</text>`);
    }
    parts.push(
      `<text transform="translate(${MARGIN.left - 44} ${round((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" fill="#444">${escape(`requests / ${bucketMs} ms`)}</text>`,
    );
    // Stacked bars.
    const barWidth = Math.max(1, (plotWidth / buckets) * 0.86);
    for (let i = 0; i < buckets; i++) {
      let stacked = 0;
      for (const series of SERIES) {
        const n = counts[series.key]![i]!;
        if (n === 0) continue;
        const y0 = y(stacked);
        const y1 = y(stacked + n);
        parts.push(
          `<rect x="${round(x(i * bucketMs))}" y="${round(y1)}" width="${round(barWidth)}" height="${round(Math.max(0.5, y0 - y1))}" fill="${series.color}"><title>${i * bucketMs}–${(i + 1) * bucketMs} ms: ${n} ${series.key}</title></rect>`,
        );
        stacked += n;
      }
    }
    // Phase markers: where the late requests and the follow-up started; labels step down when close.
    let lastLabelEnd = -Infinity;
    let labelRow = 0;
    for (const phase of ["late", "follow-up"] as const) {
      const starts = panel.samples.filter((sample) => sample.phase === phase).map((sample) => sample.startMs);
      if (starts.length === 0) continue;
      const at = round(x(Math.min(...starts)));
      labelRow = at < lastLabelEnd ? labelRow + 1 : 0;
      lastLabelEnd = at + 8 + phase.length * 7 + 12;
      parts.push(`<line x1="${at}" x2="${at}" y1="${top}" y2="${bottom}" stroke="#555" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${at + 4}" y="${top + 12 + labelRow * 15}" fill="#333">${phase} →</text>`);
    }
    // X axis.
    for (let ms = 0; ms <= xMax; ms += xStep) {
      parts.push(`<line x1="${round(x(ms))}" x2="${round(x(ms))}" y1="${bottom}" y2="${bottom + 4}" stroke="#333"/>`);
      parts.push(`<text x="${round(x(ms))}" y="${bottom + 17}" text-anchor="middle" fill="#444">${ms}</text>`);
    }
    parts.push(`<text x="${WIDTH - MARGIN.right}" y="${bottom + 34}" text-anchor="end" fill="#444">ms since the storm started</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
