/**
 * Key derivation for next-auth v4's session cookie: HKDF-SHA256 over the secret, salt "" and a fixed info
 * string, 32 bytes, used directly as the A256GCM content key. next-auth derives it on every call; we derive
 * once per secret and keep the CryptoKey, which is most of what makes our decode cheaper than getToken.
 */
import { BoundedMap } from "../support/bounded-map";

/** next-auth v4's HKDF info string. With a salt it becomes `${ENCRYPTION_INFO} (${salt})`. */
export const ENCRYPTION_INFO = "NextAuth.js Generated Encryption Key";
const DERIVED_KEY_BYTES = 32;
/** Secrets in use at once are the current one plus a few previous ones; more means a bug, not traffic. */
const MAX_CACHED_KEYS = 16;

const encoder = new TextEncoder();
const cache = new BoundedMap<string, Promise<CryptoKey>>(MAX_CACHED_KEYS);

/** The AES-256-GCM key that next-auth v4 would derive from `secret` (and optional `salt`). */
export function sessionEncryptionKey(secret: string, salt = ""): Promise<CryptoKey> {
  const cacheKey = `${salt.length}:${salt}:${secret}`;
  let key = cache.get(cacheKey);
  if (key === undefined) {
    // Registered before the first await, so concurrent first requests share one derivation.
    key = deriveKey(secret, salt);
    cache.set(cacheKey, key);
    key.catch(() => cache.delete(cacheKey));
  }
  return key;
}

async function deriveKey(secret: string, salt: string): Promise<CryptoKey> {
  const info = salt ? `${ENCRYPTION_INFO} (${salt})` : ENCRYPTION_INFO;
  const bits = await hkdfSha256(encoder.encode(secret), encoder.encode(salt), encoder.encode(info), DERIVED_KEY_BYTES);
  return crypto.subtle.importKey("raw", bits, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

/** HKDF-SHA256 with Web Crypto; shared by the cookie key and the lock store's keys. */
export async function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<ArrayBuffer> {
  const material = await crypto.subtle.importKey("raw", ikm as BufferSource, "HKDF", false, ["deriveBits"]);
  return crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: salt as BufferSource, info: info as BufferSource },
    material,
    length * 8,
  );
}
