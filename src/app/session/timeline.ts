/**
 * This browser's history of session outcomes, kept in localStorage so every tab of the origin adds to
 * and sees the same list: page loads (the outcome the middleware forwarded to the page) and background
 * fetches that passed the middleware (useSession's /api/auth/session, the backend proxy), read from
 * their Server-Timing entries. Capped; the newest first.
 *
 * Each tab writes only its own key (`<prefix><tab id>`) and readers merge them: tabs loading at the same
 * moment would otherwise overwrite each other's read-modify-write of one shared list. The number of tab
 * keys is capped too, the stalest dropped first.
 */

export const TIMELINE_PREFIX = "edge-session.timeline.v1:";
export const TIMELINE_CAP = 40;
export const TIMELINE_MAX_TABS = 24;

export type TimelineStorage = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

export interface TimelineEntry {
  /** Unique per request: a page render's id, or a resource timing entry's URL and start time. */
  readonly id: string;
  readonly outcome: string;
  readonly durationMs: number | null;
  /** Epoch milliseconds. */
  readonly at: number;
  /** "page", "page · tab 3", "session refetch", "backend proxy". */
  readonly source: string;
}

export function parseTimeline(raw: string | null): TimelineEntry[] {
  if (raw === null) return [];
  try {
    const value = JSON.parse(raw) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (entry): entry is TimelineEntry =>
        typeof entry === "object" &&
        entry !== null &&
        typeof entry.id === "string" &&
        typeof entry.outcome === "string" &&
        typeof entry.at === "number" &&
        typeof entry.source === "string" &&
        (entry.durationMs === null || typeof entry.durationMs === "number"),
    );
  } catch {
    return [];
  }
}

/** The list with `entry` added (newest first, by time), unless its id is already there; at most `cap` long. */
export function appendEntry(list: readonly TimelineEntry[], entry: TimelineEntry, cap = TIMELINE_CAP): TimelineEntry[] {
  if (list.some((existing) => existing.id === entry.id)) return [...list];
  return [entry, ...list].sort((a, b) => b.at - a.at).slice(0, cap);
}

/** The session outcome in a resource timing entry's Server-Timing (`session;desc="joined";dur=3`), or null. */
export function outcomeFromServerTiming(
  entries: ReadonlyArray<{ name: string; description: string; duration: number }>,
): { outcome: string; durationMs: number } | null {
  const entry = entries.find((candidate) => candidate.name === "session" && /^[a-z]+$/.test(candidate.description));
  return entry ? { outcome: entry.description, durationMs: entry.duration } : null;
}

function timelineKeys(storage: TimelineStorage): string[] {
  const keys: string[] = [];
  for (let index = 0; index < storage.length; index += 1) {
    const key = storage.key(index);
    if (key !== null && key.startsWith(TIMELINE_PREFIX)) keys.push(key);
  }
  return keys.sort();
}

/** Every tab's stored entries as one raw string: stable while nothing changes (a snapshot for React). */
export function readTimelineRaw(storage: TimelineStorage): string {
  return JSON.stringify(timelineKeys(storage).map((key) => storage.getItem(key) ?? "[]"));
}

/** The merged timeline from readTimelineRaw's string: newest first, once per id, capped. */
export function mergeTimeline(raw: string): TimelineEntry[] {
  let parts: unknown;
  try {
    parts = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parts)) return [];
  let merged: TimelineEntry[] = [];
  for (const part of parts) {
    if (typeof part !== "string") continue;
    for (const entry of parseTimeline(part)) merged = appendEntry(merged, entry);
  }
  return merged;
}

/** Adds an entry under this tab's key; false when storage is unavailable. */
export function storeEntry(storage: TimelineStorage, tabId: string, entry: TimelineEntry): boolean {
  try {
    const key = `${TIMELINE_PREFIX}${tabId}`;
    storage.setItem(key, JSON.stringify(appendEntry(parseTimeline(storage.getItem(key)), entry)));
    const keys = timelineKeys(storage);
    if (keys.length > TIMELINE_MAX_TABS) {
      const newest = (k: string) => parseTimeline(storage.getItem(k))[0]?.at ?? 0;
      const stalest = keys.filter((k) => k !== key).sort((a, b) => newest(a) - newest(b));
      for (const k of stalest.slice(0, keys.length - TIMELINE_MAX_TABS)) storage.removeItem(k);
    }
    return true;
  } catch {
    return false;
  }
}

export function clearTimeline(storage: TimelineStorage): void {
  for (const key of timelineKeys(storage)) storage.removeItem(key);
}
