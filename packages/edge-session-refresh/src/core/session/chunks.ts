/**
 * next-auth v4's cookie names and chunking. A JWE longer than CHUNK_SIZE is split into `<name>.0`,
 * `<name>.1`, … and read back by sorting on the numeric suffix; when fewer chunks are written than the
 * browser holds, the stale ones must be expired or they would be glued onto the new value.
 */

export const SESSION_COOKIE_NAME = "next-auth.session-token";
export const SECURE_COOKIE_PREFIX = "__Secure-";
/** next-auth v4: 4096 bytes allowed per cookie minus 163 estimated for name and attributes. */
export const CHUNK_SIZE = 4096 - 163;
/** More chunks than this is not a session next-auth would write; refuse rather than allocate. */
const MAX_CHUNKS = 32;

/** next-auth's session cookie name: `__Secure-next-auth.session-token` on https, `next-auth.session-token` otherwise. */
export function sessionCookieName(secure: boolean): string {
  return secure ? `${SECURE_COOKIE_PREFIX}${SESSION_COOKIE_NAME}` : SESSION_COOKIE_NAME;
}

/** The names this session cookie occupies in a cookie jar: the plain name and any `<name>.<n>` chunk. */
export function sessionCookieNamesIn(names: Iterable<string>, name: string): string[] {
  const found: string[] = [];
  for (const candidate of names) {
    if (candidate === name || chunkIndex(candidate, name) !== null) found.push(candidate);
  }
  return found;
}

/**
 * The session JWE from a cookie jar, joined like next-auth does (numeric suffix order), or null when
 * absent. A set with a missing chunk still joins; the JWE then fails to decrypt, which is the answer.
 */
export function joinSessionCookie(jar: ReadonlyMap<string, string>, name: string): string | null {
  const whole = jar.get(name);
  const parts: Array<[number, string]> = [];
  for (const [candidate, value] of jar) {
    const index = chunkIndex(candidate, name);
    if (index !== null) parts.push([index, value]);
  }
  if (parts.length === 0) return whole ? whole : null;
  if (parts.length > MAX_CHUNKS) return null;
  parts.sort((a, b) => a[0] - b[0]);
  // next-auth counts an unsuffixed cookie as index 0 alongside chunks; we keep that order for interop.
  const ordered = whole ? [whole, ...parts.map(([, value]) => value)] : parts.map(([, value]) => value);
  const joined = ordered.join("");
  return joined.length > 0 ? joined : null;
}

/** Splits a JWE into the cookies next-auth would write: one cookie when it fits, else numbered chunks. */
export function chunkSessionCookie(name: string, value: string): Array<{ name: string; value: string }> {
  const count = Math.ceil(value.length / CHUNK_SIZE);
  if (count <= 1) return [{ name, value }];
  const chunks: Array<{ name: string; value: string }> = [];
  for (let i = 0; i < count; i++) {
    chunks.push({ name: `${name}.${i}`, value: value.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE) });
  }
  return chunks;
}

function chunkIndex(candidate: string, name: string): number | null {
  if (candidate.length <= name.length + 1 || !candidate.startsWith(name) || candidate[name.length] !== ".") return null;
  const suffix = candidate.slice(name.length + 1);
  if (!/^\d{1,4}$/.test(suffix)) return null;
  return Number(suffix);
}
