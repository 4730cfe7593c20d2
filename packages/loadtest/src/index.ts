/**
 * The programmatic entry of edge-session-refresh-loadtest: the engine the CLI runs, for tools of your own
 * (the repository's `npm run loadtest` runs its local stack on it). The CLI is the bin; `main` runs it.
 */
export { accountFromEnv, accountsFromCsv, parseCsv, IDENTIFIER_ENV, PASSWORD_ENV } from "./accounts";
export { diffCounters, flattenCounters, readCounters } from "./backend-stats";
export { REFRESH_AHEAD_HEADER, runBrowse, sleep, type BrowseOptions, type BrowseRun } from "./browse";
export {
  BUCKET_MS,
  bucketize,
  niceStep,
  renderLatencyChart,
  renderStormChart,
  SERIES,
  seriesKey,
  type TimelineChart,
} from "./chart";
export { isLocal, parseCli, SIGN_OUT_FLAG, UsageError, USAGE, type CliOptions } from "./cli";
export { cookieHeader, hasSessionCookie, parseSetCookie, storeCookies, type CookieJar } from "./cookies";
export { createProgress, type Progress } from "./progress";
export {
  judge,
  openConnections,
  parseServerTiming,
  send,
  type Judging,
  type RequestOptions,
  type RequestPlan,
  type Sent,
} from "./request";
export { ms, renderHtmlReport, renderSummaryText, textTable } from "./report";
export { main, type CliIo } from "./run";
export { sessionDueAt, sessionTimes, signIn, SignInError, type NextAuthLocation, type SessionTimes } from "./sign-in";
export { countBy, latencyByOutcome, percentile, summarize } from "./stats";
export {
  mapLimit,
  runStorm,
  type SessionSource,
  type StormOptions,
  type StormRun,
  type StormWave,
  type WaveHooks,
} from "./storm";
export { sentence, summarizeRun, type BackendCounters, type RunSummary, type SummaryInput } from "./summary";
export {
  DEFAULT_THRESHOLDS,
  evaluate,
  METRICS,
  parseThreshold,
  withDefaults,
  type Metric,
  type Threshold,
  type ThresholdResult,
} from "./thresholds";
export {
  OUTCOMES,
  VERDICTS,
  type Account,
  type LatencySummary,
  type Outcome,
  type OutcomeLatency,
  type Phase,
  type Sample,
  type Verdict,
} from "./types";
