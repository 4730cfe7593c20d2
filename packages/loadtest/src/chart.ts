/**
 * The timeline chart, as a hand-written SVG (no dependencies): requests completed per bucket, stacked by
 * Server-Timing outcome (failed requests in red whatever their outcome), one panel per run on a shared x
 * and y scale, with a storm wave's phases marked; and the latency chart (percentiles per outcome). Pure:
 * samples in, SVG text out. BENCHMARKS.md embeds the storm charts the repository's load test draws with it.
 */
import type { OutcomeLatency, Sample } from "./types";

/** A chart of one storm wave (or a whole browse run): one panel per run drawn side by side. */
export interface TimelineChart {
  readonly title: string;
  /** Under the title; defaults to what the bars are. */
  readonly subtitle?: string;
  readonly panels: ReadonlyArray<{
    readonly label: string;
    readonly samples: readonly Sample[];
    readonly note: string;
  }>;
  /** What x measures, e.g. "ms since the storm started". */
  readonly xLabel?: string;
}

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

export function renderStormChart(storm: TimelineChart, bucketMs = BUCKET_MS): string {
  const endMs = Math.max(bucketMs, ...storm.panels.flatMap((panel) => panel.samples.map((sample) => sample.endMs)));
  const buckets = Math.ceil(endMs / bucketMs);
  const xMax = buckets * bucketMs;
  const perPanel = storm.panels.map((panel) => bucketize(panel.samples, bucketMs, buckets));
  const yTop = Math.max(
    1,
    ...perPanel.flatMap((counts) =>
      Array.from({ length: buckets }, (_, i) => SERIES.reduce((sum, s) => sum + counts[s.key]![i]!, 0)),
    ),
  );
  const yStep = niceStep(yTop, 4);
  const yMax = Math.ceil(yTop / yStep) * yStep;
  const xStep = niceStep(xMax, 10);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const height =
    MARGIN.top + storm.panels.length * PANEL_HEIGHT + (storm.panels.length - 1) * MARGIN.gap + MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + (ms / xMax) * plotWidth;
  const xLabel = storm.xLabel ?? "ms since the storm started";

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="${FONT}" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="16" font-weight="600">${escape(storm.title)}</text>`,
    `<text x="${MARGIN.left}" y="44" fill="#444">${escape(storm.subtitle ?? `Requests completed per ${bucketMs} ms, by Server-Timing outcome; x = ${xLabel}`)}</text>`,
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
      `<text x="${MARGIN.left}" y="${top - 8}" font-size="13" font-weight="600">${escape(panel.label)}</text>`,
    );
    parts.push(
      `<text x="${WIDTH - MARGIN.right}" y="${top - 8}" text-anchor="end" fill="#444">${escape(panel.note)}</text>`,
    );
    // Grid and y axis.
    for (let value = 0; value <= yMax; value += yStep) {
      parts.push(
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${round(y(value))}" y2="${round(y(value))}" stroke="${value === 0 ? "#333" : "#e5e5e5"}"/>`,
      );
      parts.push(
        `<text x="${MARGIN.left - 6}" y="${round(y(value)) + 4}" text-anchor="end" fill="#444">${value}</text>`,
      );
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
    parts.push(
      `<text x="${WIDTH - MARGIN.right}" y="${bottom + 34}" text-anchor="end" fill="#444">${escape(xLabel)}</text>`,
    );
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

const LATENCY_PERCENTILES = [
  { key: "p50", color: "#56B4E9" },
  { key: "p95", color: "#0072B2" },
  { key: "p99", color: "#000000" },
] as const;

/** Client latency per outcome: one row per outcome, bars for p50, p95 and p99 on a shared ms axis. */
export function renderLatencyChart(title: string, rows: readonly OutcomeLatency[]): string {
  const rowHeight = 34;
  const top = 70;
  const height = top + Math.max(1, rows.length) * rowHeight + 50;
  const left = 150;
  const plotWidth = WIDTH - left - MARGIN.right;
  const top99 = Math.max(1, ...rows.map((row) => (Number.isFinite(row.client.p99) ? row.client.p99 : 0)));
  const step = niceStep(top99, 8);
  const xMax = Math.ceil(top99 / step) * step;
  const x = (ms: number) => left + (ms / xMax) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="${FONT}" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="600">${escape(title)}</text>`,
  ];
  LATENCY_PERCENTILES.forEach((percentile, i) => {
    parts.push(
      `<rect x="${left + i * 90}" y="38" width="12" height="12" fill="${percentile.color}"/>`,
      `<text x="${left + i * 90 + 18}" y="48">${percentile.key}</text>`,
    );
  });
  if (rows.length === 0)
    parts.push(
      `<text x="${left}" y="${top + 20}" fill="#444">No request worked, so there is no latency to show.</text>`,
    );
  rows.forEach((row, r) => {
    const y = top + r * rowHeight;
    parts.push(
      `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escape(`${row.outcome} (${row.count})`)}</text>`,
    );
    LATENCY_PERCENTILES.forEach((percentile, i) => {
      const value = row.client[percentile.key];
      if (!Number.isFinite(value)) return;
      parts.push(
        `<rect x="${left}" y="${y + 2 + i * 9}" width="${round(Math.max(1, x(value) - left))}" height="8" fill="${percentile.color}"><title>${row.outcome} ${percentile.key}: ${Math.round(value)} ms</title></rect>`,
      );
    });
  });
  const bottom = top + Math.max(1, rows.length) * rowHeight;
  for (let ms = 0; rows.length > 0 && ms <= xMax; ms = round(ms + step)) {
    parts.push(`<line x1="${round(x(ms))}" x2="${round(x(ms))}" y1="${top - 4}" y2="${bottom}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${round(x(ms))}" y="${bottom + 16}" text-anchor="middle" fill="#444">${ms}</text>`);
  }
  parts.push(
    `<text x="${WIDTH - MARGIN.right}" y="${bottom + 34}" text-anchor="end" fill="#444">client latency, ms</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}
