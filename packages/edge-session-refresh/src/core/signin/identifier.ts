/**
 * One account, one counter: `Alice@Example.com ` and `alice@example.com` are the same identifier to the
 * limits. Unicode NFKC first (full-width letters, ligatures and compatibility forms become their plain
 * letters), then surrounding white space, then case. Only the limits use this form: the backend still
 * receives what the person typed (trimmed), since it alone knows how it compares identifiers.
 */

/** Identifiers longer than this (after normalising) are cut before hashing: the key stays small either way. */
const MAX_IDENTIFIER_CHARS = 512;

export function normalizeIdentifier(identifier: string): string {
  return identifier.normalize("NFKC").trim().toLowerCase().slice(0, MAX_IDENTIFIER_CHARS);
}
