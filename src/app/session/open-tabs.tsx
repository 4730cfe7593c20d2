"use client";
/** Opens N tabs on protected pages at once, so one refresh can be seen serving all of them. */
import { useId, useState } from "react";

const MAX_TABS = 24;

export function OpenTabs() {
  const countId = useId();
  const targetId = useId();
  const [count, setCount] = useState(6);
  const [target, setTarget] = useState<"/session" | "/dashboard">("/session");
  const [result, setResult] = useState<string | null>(null);

  function openAll() {
    const n = Math.min(MAX_TABS, Math.max(1, Math.floor(count)));
    let opened = 0;
    // All in this one click: a browser allows pop-ups only during the user's gesture. Each tab gets its own
    // URL, so the browser's HTTP cache does not queue them behind one another.
    for (let i = 1; i <= n; i += 1) {
      if (window.open(`${target}?tab=${i}`, "_blank") !== null) opened += 1;
    }
    setResult(
      opened === n
        ? `Opened ${n} tabs.`
        : `Opened ${opened} of ${n} tabs: allow pop-ups for this site to open the rest.`,
    );
  }

  return (
    <div className="open-tabs">
      <div className="field field--inline">
        <label htmlFor={countId}>Tabs</label>
        <input
          id={countId}
          data-testid="tab-count"
          type="number"
          min={1}
          max={MAX_TABS}
          value={count}
          onChange={(event) => setCount(Number(event.target.value) || 1)}
        />
      </div>
      <div className="field field--inline">
        <label htmlFor={targetId}>Page</label>
        <select
          id={targetId}
          data-testid="tab-target"
          value={target}
          onChange={(event) => setTarget(event.target.value === "/dashboard" ? "/dashboard" : "/session")}
        >
          <option value="/session">Live session</option>
          <option value="/dashboard">Dashboard</option>
        </select>
      </div>
      <button type="button" className="button button--primary" data-testid="open-tabs" onClick={openAll}>
        Open {Math.min(MAX_TABS, Math.max(1, Math.floor(count)))} tabs
      </button>
      {result ? (
        <p className="muted small" role="status" data-testid="open-tabs-result">
          {result}
        </p>
      ) : null}
    </div>
  );
}
