/**
 * `--backend-stats URL`: a JSON object of counters read before and after the run (GET, the run's headers
 * sent), its numeric fields flattened (`{"backend":{"refreshes":3}}` → `backend.refreshes`) and diffed.
 * The reference backend's `GET /__stats` is one such JSON; README.md ("Backend counters") documents it.
 */

export async function readCounters(
  url: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<Record<string, number>> {
  const response = await fetch(url, {
    headers: { ...headers, accept: "application/json" },
    signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
  });
  if (!response.ok) throw new Error(`--backend-stats ${url} answered ${response.status}`);
  return flattenCounters(await response.json());
}

/** Numeric fields of a JSON value, nested objects joined with dots; everything else left out. */
export function flattenCounters(value: unknown, prefix = ""): Record<string, number> {
  const counters: Record<string, number> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return counters;
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof field === "number" && Number.isFinite(field)) counters[name] = field;
    else Object.assign(counters, flattenCounters(field, name));
  }
  return counters;
}

export function diffCounters(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) if (name in before) delta[name] = value - before[name]!;
  return delta;
}
