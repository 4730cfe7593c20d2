/**
 * What the lock store is allowed to see. Keys are an HMAC of the refresh token, values are AES-GCM
 * sealed with the key name as additional data (a value cannot be moved to another token's key). Both
 * keys are derived from the session secret with their own HKDF info, so a read of Redis leaks no token
 * and a stranger cannot plant a successor.
 */
import { decodeBase64url, encodeBase64url } from "../base64url";
import { SessionError } from "../errors";
import { hkdfSha256 } from "../session/keys";
import type { BackendTokens } from "../session/claims";
import type { RefreshKeys } from "./lock-store";

export const KEY_NAMES_INFO = "edge-session-refresh v1: lock-store key names";
export const VALUE_SEALING_INFO = "edge-session-refresh v1: lock-store values";
export const KEY_PREFIX = "esr:v1";
const IV_BYTES = 12;

/** What a leader leaves behind for everyone else holding the same refresh token. */
export type SealedOutcome =
  | { readonly kind: "refreshed"; readonly tokens: BackendTokens }
  | { readonly kind: "rejected" };

export interface Sealer {
  keysFor(refreshToken: string): Promise<RefreshKeys>;
  seal(successorKey: string, outcome: SealedOutcome): Promise<string>;
  /** Throws SessionError("STORE_VALUE_INVALID") for anything not sealed by us for this key. */
  unseal(successorKey: string, sealed: string): Promise<SealedOutcome>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function createSealer(secret: string): Sealer {
  const keys = deriveKeys(secret);

  return {
    async keysFor(refreshToken) {
      const { names } = await keys;
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", names, encoder.encode(refreshToken)));
      const id = encodeBase64url(mac);
      return { lock: `${KEY_PREFIX}:lock:${id}`, successor: `${KEY_PREFIX}:successor:${id}` };
    },

    async seal(successorKey, outcome) {
      const { values } = await keys;
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ciphertext = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(successorKey) },
        values,
        encoder.encode(JSON.stringify(outcome)),
      );
      return `${encodeBase64url(iv)}.${encodeBase64url(new Uint8Array(ciphertext))}`;
    },

    async unseal(successorKey, sealed) {
      const { values } = await keys;
      try {
        const [ivText, ciphertextText, extra] = sealed.split(".");
        const iv = decodeBase64url(ivText ?? "");
        const ciphertext = decodeBase64url(ciphertextText ?? "");
        if (iv === null || ciphertext === null || ciphertextText === undefined || extra !== undefined) throw new Error("not two base64url parts");
        const plaintext = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: iv as BufferSource, additionalData: encoder.encode(successorKey) },
          values,
          ciphertext as BufferSource,
        );
        return validOutcome(JSON.parse(decoder.decode(plaintext)));
      } catch (error) {
        throw new SessionError("STORE_VALUE_INVALID", "a lock-store value failed authentication", { cause: error });
      }
    },
  };
}

async function deriveKeys(secret: string): Promise<{ names: CryptoKey; values: CryptoKey }> {
  const ikm = encoder.encode(secret);
  const none = new Uint8Array(0);
  const [namesBits, valuesBits] = await Promise.all([
    hkdfSha256(ikm, none, encoder.encode(KEY_NAMES_INFO), 32),
    hkdfSha256(ikm, none, encoder.encode(VALUE_SEALING_INFO), 32),
  ]);
  return {
    names: await crypto.subtle.importKey("raw", namesBits, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
    values: await crypto.subtle.importKey("raw", valuesBits, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]),
  };
}

function validOutcome(value: unknown): SealedOutcome {
  if (typeof value === "object" && value !== null) {
    const outcome = value as { kind?: unknown; tokens?: Partial<BackendTokens> };
    if (outcome.kind === "rejected") return { kind: "rejected" };
    const tokens = outcome.tokens;
    if (
      outcome.kind === "refreshed" && tokens &&
      typeof tokens.accessToken === "string" && typeof tokens.refreshToken === "string" &&
      typeof tokens.accessTokenExpires === "number"
    ) {
      return { kind: "refreshed", tokens: tokens as BackendTokens };
    }
  }
  throw new Error("not a sealed outcome");
}
