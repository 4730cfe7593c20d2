import { describe, expect, it } from "vitest";
import {
  TIMELINE_MAX_TABS,
  TIMELINE_PREFIX,
  appendEntry,
  clearTimeline,
  mergeTimeline,
  outcomeFromServerTiming,
  parseTimeline,
  readTimelineRaw,
  storeEntry,
  type TimelineEntry,
  type TimelineStorage,
} from "./timeline";

const entry = (id: string, at: number, outcome = "valid"): TimelineEntry => ({
  id,
  outcome,
  durationMs: 1,
  at,
  source: "page",
});

function memoryStorage(): TimelineStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    get length() {
      return map.size;
    },
    key: (index: number) => [...map.keys()][index] ?? null,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}

describe("session timeline", () => {
  it("adds newest first, once per id, capped", () => {
    let list: TimelineEntry[] = [];
    for (let i = 0; i < 50; i += 1) list = appendEntry(list, entry(`r${i}`, 1000 + i), 40);
    expect(list).toHaveLength(40);
    expect(list[0]!.id).toBe("r49");
    expect(list.at(-1)!.id).toBe("r10");
    expect(appendEntry(list, entry("r49", 5000, "refreshed"), 40)).toEqual(list);
  });

  it("survives garbage in storage and keeps only well-formed entries", () => {
    expect(parseTimeline("{nope")).toEqual([]);
    expect(parseTimeline('{"a":1}')).toEqual([]);
    expect(parseTimeline(JSON.stringify([entry("a", 1), { id: 3 }, null]))).toEqual([entry("a", 1)]);
    expect(mergeTimeline("garbage")).toEqual([]);
  });

  it("merges what every tab wrote under its own key, without one tab overwriting another", () => {
    const storage = memoryStorage();
    storage.setItem("unrelated", "x");
    storeEntry(storage, "tab-a", entry("a1", 1));
    storeEntry(storage, "tab-b", entry("b1", 2, "refreshed"));
    storeEntry(storage, "tab-a", entry("a2", 3, "joined"));
    storeEntry(storage, "tab-a", entry("a2", 3, "joined"));
    expect(mergeTimeline(readTimelineRaw(storage)).map((e) => `${e.id}:${e.outcome}`)).toEqual([
      "a2:joined",
      "b1:refreshed",
      "a1:valid",
    ]);
    // The raw snapshot is stable while nothing changes.
    expect(readTimelineRaw(storage)).toBe(readTimelineRaw(storage));
    clearTimeline(storage);
    expect(mergeTimeline(readTimelineRaw(storage))).toEqual([]);
    expect(storage.getItem("unrelated")).toBe("x");
  });

  it("keeps at most TIMELINE_MAX_TABS tab keys, dropping the stalest", () => {
    const storage = memoryStorage();
    for (let i = 0; i < TIMELINE_MAX_TABS + 5; i += 1)
      storeEntry(storage, `tab-${String(i).padStart(2, "0")}`, entry(`e${i}`, 100 + i));
    const keys = [...storage.map.keys()].filter((key) => key.startsWith(TIMELINE_PREFIX));
    expect(keys).toHaveLength(TIMELINE_MAX_TABS);
    expect(keys).not.toContain(`${TIMELINE_PREFIX}tab-00`);
    expect(keys).toContain(`${TIMELINE_PREFIX}tab-${TIMELINE_MAX_TABS + 4}`);
  });

  it("reads the middleware's Server-Timing entry", () => {
    expect(
      outcomeFromServerTiming([
        { name: "db", description: "", duration: 3 },
        { name: "session", description: "joined", duration: 4.5 },
      ]),
    ).toEqual({ outcome: "joined", durationMs: 4.5 });
    expect(outcomeFromServerTiming([{ name: "db", description: "x", duration: 3 }])).toBeNull();
  });
});
