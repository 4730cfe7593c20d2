/**
 * The store never sees an identifier or an address in clear: each counter's key is an HMAC-SHA256 of it,
 * keyed with a key derived from NEXTAUTH_SECRET (HKDF, its own info string, so it is not the cookie key).
 * Without the secret, a dump of the store cannot be matched against a list of emails or addresses.
 *
 * Secret rotation: keys come from the current secret only. After a rotation every counter starts afresh,
 * which forgives at most one window of attempts (15 minutes by default); checking every previous secret
 * too would multiply store calls on every sign-in for that rare event.
 */

const HKDF_INFO = "edge-session-refresh sign-in limit keys";
/** 128 bits of the MAC: collisions between real identifiers stay out of reach, keys stay short. */
const KEY_HEX_CHARS = 32;

export interface KeyedHash {
  /** Hex of HMAC(derived key, `${kind}\0${value}`), KEY_HEX_CHARS long. */
  of(kind: string, value: string): Promise<string>;
}

export function createKeyedHash(secret: string): KeyedHash {
  const key = deriveKey(secret);
  // Failed derivation is remembered as a rejected promise and rethrown on every use: it cannot happen with Web Crypto.
  return {
    async of(kind, value) {
      const mac = await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(`${kind}\0${value}`));
      return [...new Uint8Array(mac)]
        .map((byte) => byte.toString(16).padStart(2, "0"))
        .join("")
        .slice(0, KEY_HEX_CHARS);
    },
  };
}

async function deriveKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode(HKDF_INFO) },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
}
