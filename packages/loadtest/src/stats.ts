/**
 * Percentiles and per-outcome latency summaries. Pure functions over samples, so the report and its test
 * need no running app.
 */
import { OUTCOMES, type LatencySummary, type Outcome, type OutcomeLatency, type Sample } from "./types";

/**
 * The nearest-rank percentile of ascending `sorted` values (p in 0..100): the smallest value with at
 * least p % of the values at or below it. Nearest-rank never interpolates, so a p99 is a latency that
 * some request really had. NaN for no values.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}

/** Latency of the requests that worked, per Server-Timing outcome, in OUTCOMES order; empty outcomes left out. */
export function latencyByOutcome(samples: readonly Sample[]): OutcomeLatency[] {
  const groups = new Map<Outcome, Sample[]>();
  for (const sample of samples) {
    if (!sample.ok) continue;
    const group = groups.get(sample.outcome);
    if (group) group.push(sample);
    else groups.set(sample.outcome, [sample]);
  }
  return OUTCOMES.filter((outcome) => groups.has(outcome)).map((outcome) => {
    const group = groups.get(outcome)!;
    return {
      outcome,
      count: group.length,
      client: summarize(group.map((sample) => sample.endMs - sample.startMs)),
      middleware: summarize(group.flatMap((sample) => (sample.middlewareMs === null ? [] : [sample.middlewareMs]))),
    };
  });
}

/** Counts of `key(item)` over items, keys in first-seen order. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item);
    if (name !== undefined) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
