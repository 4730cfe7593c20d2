/**
 * The readers every block of the settings uses (settings.ts and the per-concern readers beside it): each
 * returns a usable value and, for a bad one, adds a SettingProblem naming the variable to `problems`, so the
 * parser can report every bad setting in one CONFIG_INVALID error.
 */
import type { SettingProblem } from "./setting-problem";

/** The environment as the caller hands it in (process.env, a Worker's bindings). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A trimmed value, or undefined when unset or blank. */
export type ReadText = (name: string) => string | undefined;

export function textReader(env: Env): ReadText {
  return (name) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
}

export function url(name: string, value: string, problems: SettingProblem[]): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http(s)");
    return value;
  } catch {
    problems.push({ setting: name, message: `${name} is not an http(s) URL: ${JSON.stringify(value)}` });
    return value;
  }
}

/** A base URL other paths are appended to: the one place its trailing slashes are taken off. */
export function baseUrl(name: string, value: string, problems: SettingProblem[]): string {
  return url(name, value, problems).replace(/\/+$/, "");
}

export function path(name: string, value: string, problems: SettingProblem[]): string {
  if (!value.startsWith("/") || value.startsWith("//"))
    problems.push({ setting: name, message: `${name} must be a path starting with one "/": ${JSON.stringify(value)}` });
  return value;
}

export function optionalPath(name: string, value: string | undefined, problems: SettingProblem[]): string | undefined {
  return value === undefined ? undefined : path(name, value, problems);
}

export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  problems: SettingProblem[],
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ setting: name, message: `${name} must be one of ${allowed.join(", ")}: ${JSON.stringify(value)}` });
  return fallback;
}

export function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  problems: SettingProblem[],
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    problems.push({
      setting: name,
      message: `${name} must be a whole number from ${min} to ${max}: ${JSON.stringify(value)}`,
    });
    return fallback;
  }
  return parsed;
}
