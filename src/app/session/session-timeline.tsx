"use client";
/**
 * This browser's session history (timeline.ts beside this file): the page's own outcome on each
 * load or "Check again", and every /api/auth/session or /api/backend fetch that took part in a refresh,
 * from its Server-Timing. Shared by all tabs through localStorage and updated live as they add to it.
 */
import { useEffect, useMemo, useSyncExternalStore } from "react";
import {
  TIMELINE_PREFIX,
  clearTimeline,
  mergeTimeline,
  outcomeFromServerTiming,
  readTimelineRaw,
  storeEntry,
  type TimelineEntry,
} from "./timeline";

const localListeners = new Set<() => void>();

function subscribe(onChange: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key.startsWith(TIMELINE_PREFIX)) onChange();
  };
  localListeners.add(onChange);
  window.addEventListener("storage", onStorage);
  return () => {
    localListeners.delete(onChange);
    window.removeEventListener("storage", onStorage);
  };
}

function readRaw(): string | null {
  try {
    return readTimelineRaw(window.localStorage);
  } catch {
    return null;
  }
}

/** This tab's id, kept across its reloads (sessionStorage is per tab). */
function tabId(): string {
  try {
    const existing = window.sessionStorage.getItem("edge-session.tab-id");
    if (existing) return existing;
    const id = crypto.randomUUID();
    window.sessionStorage.setItem("edge-session.tab-id", id);
    return id;
  } catch {
    return "tab";
  }
}

function notify(): void {
  for (const listener of localListeners) listener();
}

function record(entry: TimelineEntry): void {
  try {
    if (storeEntry(window.localStorage, tabId(), entry)) notify();
  } catch {
    // No storage (disabled, quota): the history simply stays empty.
  }
}

function clear(): void {
  try {
    clearTimeline(window.localStorage);
  } catch {
    return;
  }
  notify();
}

const REFRESH_OUTCOMES = new Set(["refreshed", "joined", "replayed", "rejected", "unavailable"]);

const FETCH_SOURCES: ReadonlyArray<[RegExp, string]> = [
  [/^\/api\/auth\/session$/, "session refetch"],
  [/^\/api\/backend\//, "backend proxy"],
];

export function SessionTimeline({ entry }: { entry: TimelineEntry | null }) {
  const raw = useSyncExternalStore(subscribe, readRaw, () => null);
  const list = useMemo(() => (raw === null ? [] : mergeTimeline(raw)), [raw]);

  useEffect(() => {
    if (entry) record(entry);
  }, [entry]);

  useEffect(() => {
    if (typeof PerformanceObserver === "undefined") return;
    const observer = new PerformanceObserver((entries) => {
      for (const timing of entries.getEntries() as PerformanceResourceTiming[]) {
        const url = new URL(timing.name);
        if (url.origin !== window.location.origin) continue;
        const source = FETCH_SOURCES.find(([pattern]) => pattern.test(url.pathname))?.[1];
        const found = source ? outcomeFromServerTiming(timing.serverTiming ?? []) : null;
        // A background fetch is listed when it took part in a refresh; "valid" ones (most of them) are noise here.
        if (!source || !found || !REFRESH_OUTCOMES.has(found.outcome)) continue;
        const at = Math.round(performance.timeOrigin + timing.responseEnd);
        record({
          id: `${timing.name}@${Math.round(performance.timeOrigin + timing.startTime)}`,
          outcome: found.outcome,
          durationMs: found.durationMs,
          at,
          source,
        });
      }
    });
    try {
      observer.observe({ type: "resource", buffered: true });
    } catch {
      return;
    }
    return () => observer.disconnect();
  }, []);

  if (list.length === 0) {
    return (
      <p className="muted small" data-testid="timeline-empty">
        Nothing recorded in this browser yet.
      </p>
    );
  }
  const refreshed = list.filter((item) => item.outcome === "refreshed").length;
  return (
    <div className="timeline-wrap">
      <div className="timeline__summary">
        <p className="muted small">
          {list.length} {list.length === 1 ? "request" : "requests"} recorded,{" "}
          <strong data-testid="timeline-refreshed">{refreshed}</strong> of them led a refresh. Newest first.
        </p>
        <button type="button" className="button button--ghost button--small" onClick={clear}>
          Clear
        </button>
      </div>
      <ol className="timeline" data-testid="timeline">
        {list.map((item) => (
          <li key={item.id} className="timeline__item" data-outcome={item.outcome}>
            <time className="timeline__time" dateTime={new Date(item.at).toISOString()}>
              {formatClock(item.at)}
            </time>
            <span className={`badge badge--${item.outcome}`}>{item.outcome}</span>
            <span className="timeline__source">{item.source}</span>
            <span className="timeline__dur">{item.durationMs !== null ? `${item.durationMs.toFixed(1)} ms` : ""}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

function formatClock(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
