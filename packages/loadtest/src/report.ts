/**
 * What a person reads at the end: the summary table on the terminal, and the self-contained HTML report
 * (inline SVG charts, no scripts, no external files). Pure: a summary and samples in, text out.
 */
import { renderLatencyChart, renderStormChart, type TimelineChart } from "./chart";
import type { RunSummary } from "./summary";
import type { Sample } from "./types";

/** Milliseconds for a table: one decimal below 10 ms, whole above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "–";
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}

/** A plain-text table with aligned columns; `align` has one l or r per column. */
export function textTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: string): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (align[i] === "r" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

/** The end-of-run summary for the terminal. */
export function renderSummaryText(summary: RunSummary): string {
  const out: string[] = [];
  out.push(summary.sentence, "");
  const share = (count: number) =>
    summary.requests === 0 ? "–" : `${((count / summary.requests) * 100).toFixed(1)} %`;
  out.push(
    textTable(
      ["", "count", "share"],
      [
        ["requests", String(summary.requests), ""],
        ["served", String(summary.served), share(summary.served)],
        ["signed out (401 / to sign-in)", String(summary.signedOutResponses), share(summary.signedOutResponses)],
        ["unavailable (503)", String(summary.unavailable), share(summary.unavailable)],
        ["failed", String(summary.failed), share(summary.failed)],
        ["accounts signed in", String(summary.accounts), `of ${summary.accountsGiven}`],
        ["accounts that lost their session", String(summary.signedOut), ""],
      ],
      "lrr",
    ),
    "",
  );
  out.push(
    textTable(
      ["latency (ms)", "n", "p50", "p95", "p99", "max"],
      [
        [
          "all answered",
          String(summary.latency.count),
          ms(summary.latency.p50),
          ms(summary.latency.p95),
          ms(summary.latency.p99),
          ms(summary.latency.max),
        ],
        ...summary.latencyByOutcome
          .filter((row) => row.outcome !== "none")
          .map((row) => [
            row.outcome,
            String(row.count),
            ms(row.client.p50),
            ms(row.client.p95),
            ms(row.client.p99),
            ms(row.client.max),
          ]),
      ],
      "lrrrrr",
    ),
    "",
  );
  const failures = Object.entries(summary.failures).sort(([, a], [, b]) => b - a);
  if (failures.length > 0)
    out.push(
      textTable(
        ["not served, by reason", "requests"],
        failures.slice(0, 12).map(([reason, n]) => [reason, String(n)]),
        "lr",
      ),
      "",
    );
  out.push(
    textTable(
      ["threshold", "actual", "result"],
      summary.thresholds.map((threshold) => [
        threshold.expression + (threshold.isDefault ? " (default)" : ""),
        threshold.actual === null ? "n/a" : String(round(threshold.actual)),
        threshold.holds ? "holds" : "FAILED",
      ]),
      "lrl",
    ),
  );
  if (summary.backend) {
    out.push(
      "",
      textTable(
        ["backend counter", "during the run"],
        Object.entries(summary.backend.delta).map(([name, n]) => [name, String(n)]),
        "lr",
      ),
    );
  }
  out.push("", summary.pass ? "PASS" : "FAIL");
  return out.join("\n");
}

/** The timeline chart of a run: a storm's first wave, or the whole of a browse run in one-second buckets. */
export function timelineChart(
  summary: RunSummary,
  samples: readonly Sample[],
): { chart: TimelineChart; bucketMs: number } {
  if (summary.scenario === "storm") {
    const first = samples.filter((sample) => sample.expiry === 1);
    return {
      chart: {
        title: `Session refresh storm: ${summary.tabs} tab${summary.tabs === 1 ? "" : "s"} × ${summary.accounts} account${summary.accounts === 1 ? "" : "s"} over ${summary.targets.length} target${summary.targets.length === 1 ? "" : "s"}, first expiry`,
        panels: [
          {
            label: summary.targets.join(", "),
            samples: first,
            note: `${first.filter((sample) => !sample.ok).length} of ${first.length} requests not served`,
          },
        ],
      },
      bucketMs: 50,
    };
  }
  const bucketMs = summary.durationMs > 120_000 ? 5_000 : 1_000;
  return {
    chart: {
      title: `Browsing: ${summary.tabs} tab${summary.tabs === 1 ? "" : "s"} × ${summary.accounts} account${summary.accounts === 1 ? "" : "s"} over ${summary.targets.length} target${summary.targets.length === 1 ? "" : "s"}`,
      subtitle: `Requests completed per ${bucketMs / 1000} s, by Server-Timing outcome`,
      xLabel: "ms since the run started",
      panels: [
        {
          label: summary.targets.join(", "),
          samples,
          note: `${samples.filter((sample) => !sample.ok).length} of ${samples.length} requests not served`,
        },
      ],
    },
    bucketMs,
  };
}

export function renderHtmlReport(summary: RunSummary, samples: readonly Sample[]): string {
  const { chart, bucketMs } = timelineChart(summary, samples);
  const timeline = renderStormChart(chart, bucketMs);
  const latency = renderLatencyChart(
    "Client latency by Server-Timing outcome (requests that worked)",
    summary.latencyByOutcome,
  );
  const text = renderSummaryText(summary);
  const refreshed =
    summary.refreshedPerExpiry === null
      ? "<p>The app reports no <code>Server-Timing: session</code> outcomes, so refreshes per expiry could not be counted.</p>"
      : `<table><thead><tr><th>account</th><th><code>refreshed</code> outcomes per expiry</th></tr></thead><tbody>${summary.refreshedPerExpiry
          .map(
            (row, account) =>
              `<tr><td>${account + 1}</td><td>${row.map((value) => (value === null ? "–" : String(value))).join(", ") || "–"}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Session refresh load test, ${escape(summary.startedAt)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1000px; color: #111; padding: 0 1rem; }
.verdict { font-size: 1.25rem; padding: .75rem 1rem; border-radius: 6px; background: ${summary.pass ? "#e6f4ea" : "#fde8e8"}; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: 13px; white-space: pre-wrap; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; }
svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>Session refresh load test</h1>
<p class="verdict"><strong>${summary.pass ? "PASS" : "FAIL"}</strong>: ${escape(summary.sentence)}</p>
<p>${escape(summary.scenario)} against ${summary.targets.map(escape).join(", ")}, from ${escape(summary.startedAt)} to ${escape(summary.finishedAt)}.</p>
<h2>Requests over time</h2>
${timeline}
<h2>Latency</h2>
${latency}
<h2>Summary</h2>
<pre>${escape(text)}</pre>
<h2>Refreshes per account and expiry</h2>
${refreshed}
</body>
</html>
`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
