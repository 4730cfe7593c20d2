/**
 * The sign-in limits, checked before the backend hears of an attempt. Three limits (settings.ts), checked
 * in order and stopping at the first that refuses, so an attempt refused for its address does not also
 * use up the account's ceiling (which would let one address lock a stranger's account):
 *   address → account-address → account.
 * Every attempt is counted *before* the backend is called, so concurrent guesses cannot all slip past a
 * counter that only learns of failures afterwards; a success clears its account-address counter, so that
 * counter measures failures in practice.
 *
 * Keys are keyed hashes (keyed-hash.ts) of the normalised identifier (identifier.ts) and of the address's
 * bucket (an IPv4 address, an IPv6 /64: client-address.ts); nothing in clear reaches the store or a log.
 *
 * When the shared store fails, each limit falls back to this instance's memory counters (same rules)
 * for the rest of that attempt — neither open nor closed. Closed would make a store outage a sign-in
 * outage for everybody, and an attacker who can exhaust the store's quota could cause one; open would
 * give that same attacker unlimited guesses. Local counters keep a guesser at (instances × limit) and
 * let everyone else in. SECURITY.md weighs this.
 */
import type { Clock } from "../clock";
import { describeError } from "../errors";
import type { AttemptLimiter, AttemptVerdict, LimitRule } from "./attempt-limiter";
import { addressBucket } from "./client-address";
import { normalizeIdentifier } from "./identifier";
import type { KeyedHash } from "./keyed-hash";
import { createMemoryAttemptLimiter } from "../../stores/memory-limiter";
import { LIMIT_NAMES, type LimitName, type SignInSettings } from "./settings";

export interface SignInAttempt {
  /** As typed; normalised here for the counters only. */
  readonly identifier: string;
  /** The person's canonical address (clientAddress()), or null when unknown. */
  readonly address: string | null;
}

/** What to do with one attempt: go on to the backend (and report a success), or refuse it for a while. */
export type SignInCheck =
  | { readonly kind: "allowed"; succeeded(): Promise<void> }
  | { readonly kind: "limited"; readonly limit: LimitName; readonly retryAfterMs: number };

export interface SignInLimits {
  check(attempt: SignInAttempt): Promise<SignInCheck>;
}

/** One line per limited attempt and per store failure; hashes are cut to 12 hex characters for the log. */
export type SignInEvent =
  | {
      readonly event: "signin-limited";
      readonly limit: LimitName;
      readonly retryAfterSeconds: number;
      readonly account: string;
      readonly address: string | null;
      readonly counters: "shared" | "local";
    }
  | {
      readonly event: "signin-store-failed";
      readonly limit: LimitName;
      readonly action: "local-counters";
      readonly detail: string;
    };

export interface SignInLimitsOptions {
  readonly settings: SignInSettings;
  /** The shared limiter for a limit (the configured store's); called once per limit at creation. */
  readonly sharedLimiter: (name: LimitName, rule: LimitRule) => AttemptLimiter;
  /** True when sharedLimiter is this isolate's memory already (no fallback needed). */
  readonly sharedIsLocal: boolean;
  readonly hash: KeyedHash;
  readonly clock: Clock;
  readonly onEvent: (event: SignInEvent) => void;
}

const LOGGED_HASH_CHARS = 12;

export function createSignInLimits(options: SignInLimitsOptions): SignInLimits {
  const { settings, hash, onEvent } = options;
  const active = LIMIT_NAMES.flatMap((name) => {
    const rule = settings.limits[name];
    if (rule === null) return [];
    const shared = options.sharedLimiter(name, rule);
    const local = options.sharedIsLocal ? shared : createMemoryAttemptLimiter(rule, options.clock);
    return [{ name, shared, local }];
  });

  return {
    async check(attempt) {
      const account = await hash.of("account", normalizeIdentifier(attempt.identifier));
      const address = attempt.address === null ? null : await hash.of("address", addressBucket(attempt.address));
      const keyOf = (name: LimitName): string | null =>
        name === "account" ? account : address === null ? null : name === "address" ? address : `${account}.${address}`;

      let storeFailed = false;
      let clearAccountAddress: (() => Promise<void>) | undefined;
      for (const { name, shared, local } of active) {
        const key = keyOf(name);
        if (key === null) continue;
        let limiter = storeFailed ? local : shared;
        let verdict: AttemptVerdict;
        try {
          verdict = await limiter.take(key);
        } catch (error) {
          // One failure is enough for this attempt: the next limits go local at once instead of waiting out the store again.
          storeFailed = true;
          onEvent({
            event: "signin-store-failed",
            limit: name,
            action: "local-counters",
            detail: describeError(error),
          });
          limiter = local;
          verdict = await local.take(key);
        }
        if (!verdict.allowed) {
          onEvent({
            event: "signin-limited",
            limit: name,
            retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000),
            account: account.slice(0, LOGGED_HASH_CHARS),
            address: address?.slice(0, LOGGED_HASH_CHARS) ?? null,
            counters: limiter === shared && !options.sharedIsLocal ? "shared" : "local",
          });
          return { kind: "limited", limit: name, retryAfterMs: verdict.retryAfterMs };
        }
        if (name === "account-address") {
          const used = limiter;
          clearAccountAddress = () => used.clear(key);
        }
      }
      return {
        kind: "allowed",
        async succeeded() {
          // Best effort: a counter that could not be cleared only runs out with its window.
          await clearAccountAddress?.().catch((error: unknown) =>
            onEvent({
              event: "signin-store-failed",
              limit: "account-address",
              action: "local-counters",
              detail: `clearing after a success: ${describeError(error)}`,
            }),
          );
        },
      };
    },
  };
}

/** Whole minutes to tell the person (at least 1). */
export function retryAfterMinutes(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 60_000));
}

/** What an operator is told once at start-up about the limits in force (empty when all is as expected). */
export function signInLimitsNotes(settings: SignInSettings): string[] {
  const notes: string[] = [];
  const on = LIMIT_NAMES.filter((name) => settings.limits[name] !== null);
  if (on.length === 0)
    return [
      "[session] sign-in limits: all turned off (SIGNIN_LIMITS / SIGNIN_*_LIMIT); the backend alone must stop password guessing",
    ];
  if (settings.clientAddress === undefined && on.some((name) => name !== "account")) {
    notes.push(
      "[session] sign-in limits: SIGNIN_CLIENT_IP_HEADER is not set, so the person's address is unknown: no per-address limits, only the per-account ceiling" +
        (settings.limits.account ? ` (${describeRule(settings.limits.account)})` : " (turned off too)") +
        ', and the backend is not told who signs in. Set it to the header your platform or proxy writes (docs/CONFIGURATION.md, "Sign-in limits").',
    );
  }
  return notes;
}

function describeRule(rule: LimitRule): string {
  return `${rule.max} attempts per ${rule.windowMs % 60_000 === 0 ? `${rule.windowMs / 60_000} min` : `${rule.windowMs / 1000} s`}`;
}
