/**
 * Test accounts: a CSV with a header row naming `identifier` and `password` (other columns ignored;
 * RFC 4180 quoting: fields in double quotes may hold commas, quotes doubled, line breaks), or one account
 * from the environment (LOADTEST_IDENTIFIER, LOADTEST_PASSWORD), so secrets never need the command line.
 */
import type { Account } from "./types";

export const IDENTIFIER_ENV = "LOADTEST_IDENTIFIER";
export const PASSWORD_ENV = "LOADTEST_PASSWORD";

/** Rows of fields; a trailing empty line is not a row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === "") quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((cells) => cells.some((cell) => cell.trim() !== ""));
}

/** The accounts of a CSV's text, or the problems with it (all of them). */
export function accountsFromCsv(text: string): { accounts: Account[] } | { problems: string[] } {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) return { problems: ["the accounts file is empty"] };
  const names = header.map((name) => name.trim().toLowerCase());
  const identifierColumn = names.indexOf("identifier");
  const passwordColumn = names.indexOf("password");
  const problems: string[] = [];
  if (identifierColumn < 0 || passwordColumn < 0) {
    problems.push(
      `the accounts file's header row must name the columns identifier and password (found: ${header.join(", ")})`,
    );
    return { problems };
  }
  const accounts: Account[] = [];
  rows.forEach((row, index) => {
    const identifier = row[identifierColumn]?.trim() ?? "";
    const password = row[passwordColumn] ?? "";
    if (identifier === "" || password === "")
      problems.push(`accounts file row ${index + 2}: identifier and password must both be set`);
    else accounts.push({ identifier, password });
  });
  if (problems.length === 0 && accounts.length === 0) problems.push("the accounts file lists no account");
  return problems.length > 0 ? { problems } : { accounts };
}

/** The one account of LOADTEST_IDENTIFIER and LOADTEST_PASSWORD, or null when either is unset. */
export function accountFromEnv(env: Readonly<Record<string, string | undefined>>): Account | null {
  const identifier = env[IDENTIFIER_ENV]?.trim();
  const password = env[PASSWORD_ENV];
  return identifier && password ? { identifier, password } : null;
}
