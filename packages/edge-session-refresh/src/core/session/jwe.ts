/**
 * The hot path of every request: decrypting next-auth's compact JWE. jose's jwtDecrypt is general (any
 * alg/enc, crit headers, key import) and spends more time on that than on AES-GCM itself. next-auth v4
 * always writes the same protected header, so for exactly that header we decrypt with Web Crypto
 * directly: split, base64url-decode, one AES-GCM call with the header as additional data, JSON.parse.
 * Any other header (extra fields, another encoding) returns `undefined` so the caller falls back to jose.
 */
import { decodeBase64url } from "../base64url";
import { isJsonObject } from "../support/json";

/** base64url(JSON.stringify({ alg: "dir", enc: "A256GCM" })), which is what next-auth's encode emits. */
export const NEXT_AUTH_PROTECTED_HEADER = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0";
const IV_BYTES = 12;
const TAG_BYTES = 16;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const headerBytes = encoder.encode(NEXT_AUTH_PROTECTED_HEADER);

/**
 * The decrypted claims, `null` when this key cannot open it (wrong key, tampered, malformed), or
 * `undefined` when the token is not in next-auth's exact form and the general path should decide.
 */
export async function decryptNextAuthJwe(
  jwe: string,
  key: CryptoKey,
): Promise<Record<string, unknown> | null | undefined> {
  const parts = jwe.split(".");
  if (parts.length !== 5 || parts[0] !== NEXT_AUTH_PROTECTED_HEADER || parts[1] !== "") return undefined;
  const iv = decodeBase64url(parts[2]!);
  const ciphertext = decodeBase64url(parts[3]!);
  const tag = decodeBase64url(parts[4]!);
  if (iv === null || ciphertext === null || tag === null || iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    return null;

  const sealed = new Uint8Array(ciphertext.length + TAG_BYTES);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: iv as BufferSource, additionalData: headerBytes, tagLength: TAG_BYTES * 8 },
      key,
      sealed,
    );
  } catch {
    return null;
  }
  try {
    const payload: unknown = JSON.parse(decoder.decode(plaintext));
    return isJsonObject(payload) ? payload : null;
  } catch {
    return null;
  }
}
