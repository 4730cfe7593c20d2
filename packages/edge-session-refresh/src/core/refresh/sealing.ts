/**
 * What the lock store is allowed to see. A key name is an HKDF of the refresh token, a value is AES-GCM
 * sealed under another HKDF of the same token, bound to the token's id (sealedValueContext) as additional
 * data. So a read of Redis yields neither tokens nor anything decryptable without the token, nobody without the token can plant
 * a successor for it, and — the point of deriving from the token rather than the session secret — every
 * instance agrees on keys and values whatever NEXTAUTH_SECRET it runs with, so a secret rotation during a
 * rolling deploy keeps one lock per refresh token (SECURITY.md).
 */
import { decodeBase64url, encodeBase64url } from "../base64url";
import { SessionError } from "../errors";
import type { BackendTokens } from "../backend/tokens";
import { asSessionClaims } from "../session/claims";
import { hkdfSha256 } from "../session/keys";
import { BoundedMap } from "../support/bounded-map";
import { isJsonObject } from "../support/json";
import type { RefreshKeys } from "./lock-store";
import { keyNames, sealedValueContext } from "../../stores/redis-scripts";

export const KEY_NAMES_INFO = "edge-session-refresh v2: lock-store key name";
export const VALUE_SEALING_INFO = "edge-session-refresh v2: lock-store value";
const IV_BYTES = 12;
const ID_BYTES = 24;
/** Derived keys kept per isolate: a storm asks for the same few tokens many times. */
const DERIVED_KEYS_CACHED = 1024;

/** What a leader leaves behind for everyone else holding the same refresh token. */
export type SealedOutcome =
  | {
      readonly kind: "refreshed";
      readonly tokens: BackendTokens;
      /** How long the leader took from its claim's answer to its settle: waiters elsewhere time their re-claim by it (latency.ts). */
      readonly refreshMs?: number;
    }
  | { readonly kind: "rejected" }
  /** The backend did not answer usefully just now: others back off instead of calling it too. */
  | { readonly kind: "unavailable"; readonly detail: string };

export interface SealingKeys extends RefreshKeys {
  readonly sealing: CryptoKey;
}

export interface Sealer {
  keysFor(refreshToken: string): Promise<SealingKeys>;
  seal(keys: SealingKeys, outcome: SealedOutcome): Promise<string>;
  /** Throws SessionError("STORE_VALUE_INVALID") for anything not sealed for this token. */
  unseal(keys: SealingKeys, sealed: string): Promise<SealedOutcome>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function createSealer(): Sealer {
  const derived = new BoundedMap<string, Promise<SealingKeys>>(DERIVED_KEYS_CACHED);

  return {
    keysFor(refreshToken) {
      let keys = derived.get(refreshToken);
      if (keys === undefined) {
        keys = deriveKeys(refreshToken);
        derived.set(refreshToken, keys);
      }
      return keys;
    },

    async seal(keys, outcome) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ciphertext = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(sealedValueContext(keys.id)) },
        keys.sealing,
        encoder.encode(JSON.stringify(outcome)),
      );
      return `${encodeBase64url(iv)}.${encodeBase64url(new Uint8Array(ciphertext))}`;
    },

    async unseal(keys, sealed) {
      try {
        const [ivText, ciphertextText, extra] = sealed.split(".");
        const iv = decodeBase64url(ivText ?? "");
        const ciphertext = decodeBase64url(ciphertextText ?? "");
        if (iv === null || ciphertext === null || ciphertextText === undefined || extra !== undefined)
          throw new Error("not two base64url parts");
        const plaintext = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: iv as BufferSource, additionalData: encoder.encode(sealedValueContext(keys.id)) },
          keys.sealing,
          ciphertext as BufferSource,
        );
        return validOutcome(JSON.parse(decoder.decode(plaintext)));
      } catch (error) {
        throw new SessionError("STORE_VALUE_INVALID", "a lock-store value failed authentication", { cause: error });
      }
    },
  };
}

async function deriveKeys(refreshToken: string): Promise<SealingKeys> {
  const ikm = encoder.encode(refreshToken);
  const none = new Uint8Array(0);
  const [idBits, sealingBits] = await Promise.all([
    hkdfSha256(ikm, none, encoder.encode(KEY_NAMES_INFO), ID_BYTES),
    hkdfSha256(ikm, none, encoder.encode(VALUE_SEALING_INFO), 32),
  ]);
  const sealing = await crypto.subtle.importKey("raw", sealingBits, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  return { ...keyNames(encodeBase64url(new Uint8Array(idBits))), sealing };
}

function validOutcome(value: unknown): SealedOutcome {
  if (isJsonObject(value)) {
    if (value.kind === "rejected") return { kind: "rejected" };
    if (value.kind === "unavailable")
      return { kind: "unavailable", detail: typeof value.detail === "string" ? value.detail : "backend unavailable" };
    const tokens = isJsonObject(value.tokens) ? asSessionClaims(value.tokens) : null;
    if (value.kind === "refreshed" && tokens !== null) {
      const refreshMs =
        typeof value.refreshMs === "number" && Number.isFinite(value.refreshMs) && value.refreshMs >= 0
          ? value.refreshMs
          : undefined;
      return refreshMs === undefined ? { kind: "refreshed", tokens } : { kind: "refreshed", tokens, refreshMs };
    }
  }
  throw new Error("not a sealed outcome");
}
