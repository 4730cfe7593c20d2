/** The one test for "a JSON object" (not null, not an array), shared by every reader of untrusted JSON. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
