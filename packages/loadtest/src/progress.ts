/**
 * The progress line on stderr: on a terminal one line rewritten in place (throttled), elsewhere (CI logs)
 * one line per finished step, or nothing at all when `quietWhenNotTty` (the CLI's choice). The report
 * itself goes to stdout.
 */

const REDRAW_EVERY_MS = 100;

export interface Progress {
  /** Where we are, e.g. "[3/16] locked 200 tabs × 3 inst × 1 user". */
  setScope(scope: string): void;
  /** What is happening inside the scope, e.g. "wave 2/3 storm 120/200"; shown on terminals only. */
  status(text: string): void;
  /** A line that stays: setup steps, a finished scenario. */
  line(text: string): void;
  /** Clears the live line before the report is printed. */
  end(): void;
}

export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
  quietWhenNotTty = false,
): Progress {
  const live = stream.isTTY === true;
  const startedAt = now();
  let scope = "";
  let lastDraw = 0;
  let shown = false;

  const elapsed = () => `${Math.round((now() - startedAt) / 1000)}s`;
  const clear = () => {
    if (live && shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  const draw = (text: string, force: boolean) => {
    if (!live || scope === "") return;
    const time = now();
    if (!force && time - lastDraw < REDRAW_EVERY_MS) return;
    lastDraw = time;
    const full = `${elapsed()} ${scope}${text ? `: ${text}` : ""}`;
    const width = Math.max(20, (stream.columns || 100) - 1);
    stream.write(`\r\x1b[2K${full.length > width ? `${full.slice(0, width - 1)}…` : full}`);
    shown = true;
  };

  return {
    setScope(next) {
      scope = next;
      draw("", true);
    },
    status(text) {
      draw(text, false);
    },
    line(text) {
      if (!live && quietWhenNotTty) return;
      clear();
      stream.write(`${elapsed()} ${text}\n`);
      draw("", true);
    },
    end() {
      clear();
    },
  };
}
