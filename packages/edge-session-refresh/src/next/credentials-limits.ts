/**
 * The sign-in limits around every Credentials provider's authorize(), however it is written:
 * `credentialsFromBackend()`, a hand-written function returning `withBackendTokens(…)` (MIGRATING.md's "keep
 * your own fetch"), or one that never passes next-auth's `req` on. withSessionRefresh() puts this wrapper on
 * each provider with `type === "credentials"`. The limits are checked before the app's authorize runs, and
 * its outcome is recorded after (a user clears the account-address counter; null or a throw leaves the
 * attempt counted).
 *
 * next-auth 4.24's CredentialsProvider() returns `{ type: "credentials", authorize: () => null, options }`
 * and its parseProviders merges `options` over the rest, so the authorize it calls is `options.authorize`
 * when present: both are replaced. It calls `authorize(credentials, { query, body, headers, method })`.
 */
import type { Provider } from "next-auth/providers/index";
import { clientAddress, type RequestHeaders } from "../core/signin/client-address";
import { retryAfterMinutes, type SignInLimits } from "../core/signin/sign-in-limits";
import type { SignInSettings } from "../core/signin/settings";
import { configurationError, configurationErrorMessage, logConfigurationError } from "./configuration-error";

/** What withSessionRefresh's second argument may say about the limits (`signIn`). */
export interface CredentialsLimitsOptions {
  /**
   * The credentials field that names the account. Default: what `credentialsFromBackend({ identifierField })`
   * says when it is the provider's authorize, else the first field of the provider's `credentials` that is
   * not a password (`type: "password"` or a name containing "password"), else `identifier`.
   */
  readonly identifierField?: string;
  /** The message thrown when a limit refuses the attempt (default "Too many attempts; try again in N minutes."). */
  readonly limitedMessage?: (minutes: number) => string;
}

export interface CredentialsLimitsDependencies {
  readonly limits: () => SignInLimits;
  readonly settings: () => SignInSettings;
  readonly defaultLimitedMessage: (minutes: number) => string;
}

type Authorize = (credentials: Record<string, string> | undefined, request?: unknown) => unknown;

/** What credentialsFromBackend() tells the wrapper about itself (its field and its message). */
export interface LimitedAuthorizeSpec {
  readonly identifierField: string;
  readonly limitedMessage?: (minutes: number) => string;
}

const SPEC = Symbol.for("edge-session-refresh.credentials-limits");

/** Marks an authorize() as credentialsFromBackend's, so the wrapper uses its identifier field and message. */
export function describeLimitedAuthorize<F extends (...args: never[]) => unknown>(
  authorize: F,
  spec: LimitedAuthorizeSpec,
): F {
  Object.defineProperty(authorize, SPEC, { value: spec });
  return authorize;
}

/**
 * The credentials and request objects of attempts this wrapper has already checked: credentialsFromBackend()
 * called from inside a wrapped authorize (with either object passed on) skips its own check, so an attempt
 * is counted once.
 */
const checked = new WeakSet<object>();

export function alreadyChecked(credentials: unknown, request: unknown): boolean {
  return (
    (typeof credentials === "object" && credentials !== null && checked.has(credentials)) ||
    (typeof request === "object" && request !== null && checked.has(request))
  );
}

/** next-auth's own form fields, never an identifier. */
const NEXT_AUTH_FIELDS = new Set(["csrfToken", "callbackUrl", "json", "redirect"]);

/** The providers, each Credentials one with its authorize wrapped; the others untouched. */
export function withCredentialsLimits(
  providers: readonly Provider[],
  options: CredentialsLimitsOptions,
  deps: CredentialsLimitsDependencies,
): Provider[] {
  return providers.map((provider) =>
    provider.type === "credentials" ? limitedProvider(provider, options, deps) : provider,
  );
}

function limitedProvider(
  provider: Provider,
  options: CredentialsLimitsOptions,
  deps: CredentialsLimitsDependencies,
): Provider {
  const record = provider as unknown as {
    authorize?: Authorize;
    credentials?: Record<string, unknown>;
    options?: Record<string, unknown>;
  };
  const own = (record.options?.authorize as Authorize | undefined) ?? record.authorize;
  if (typeof own !== "function") return provider; // next-auth reports a missing authorize itself.
  const spec = (own as unknown as Record<symbol, LimitedAuthorizeSpec | undefined>)[SPEC];
  const declared = { ...record.credentials, ...(record.options?.credentials as Record<string, unknown> | undefined) };
  // Fixed when the provider says (its options, credentialsFromBackend's, the declared fields); else read from each attempt's own fields.
  const identifierField =
    options.identifierField ?? spec?.identifierField ?? firstIdentifierField(Object.keys(declared), declared);
  const limitedMessage = spec?.limitedMessage ?? options.limitedMessage ?? deps.defaultLimitedMessage;

  const authorize = async function limitedAuthorize(
    credentials: Record<string, string> | undefined,
    request?: unknown,
  ) {
    const identifier = identifierOf(
      credentials,
      identifierField ?? firstIdentifierField(Object.keys(credentials ?? {}), {}) ?? "identifier",
    );
    // Nothing names an account: nothing to guess against; the app's authorize refuses it its own way.
    if (identifier === "") return own(credentials, request);
    const headers = (request as { headers?: RequestHeaders } | undefined)?.headers;
    const address = clientAddress(headers, deps.settings().clientAddress);
    const check = await limitsOf(deps).check({ identifier, address });
    if (check.kind === "limited") throw new Error(limitedMessage(retryAfterMinutes(check.retryAfterMs)));
    if (credentials) checked.add(credentials);
    if (typeof request === "object" && request !== null) checked.add(request);
    const user = await own(credentials, request);
    if (user) await check.succeeded();
    return user;
  };
  Object.defineProperty(authorize, SPEC, {
    value: { identifierField: identifierField ?? "identifier", limitedMessage } satisfies LimitedAuthorizeSpec,
  });
  return {
    ...provider,
    authorize,
    ...(record.options ? { options: { ...record.options, authorize } } : {}),
  } as unknown as Provider;
}

/** The isolate's limits; a configuration error (the lock store's settings) is refused naming the settings. */
function limitsOf(deps: CredentialsLimitsDependencies): SignInLimits {
  try {
    return deps.limits();
  } catch (error) {
    const configuration = configurationError(error);
    if (configuration === undefined) throw error;
    logConfigurationError(configuration);
    throw new Error(configurationErrorMessage(configuration));
  }
}

/** The first field that is neither a password nor one of next-auth's own, in the order given. */
function firstIdentifierField(names: readonly string[], declared: Record<string, unknown>): string | undefined {
  return names.find((name) => !isPasswordField(name, declared[name]));
}

function isPasswordField(name: string, config: unknown): boolean {
  const type = typeof config === "object" && config !== null ? (config as { type?: unknown }).type : undefined;
  return type === "password" || /pass(?:word|wd)?$|password/i.test(name) || NEXT_AUTH_FIELDS.has(name);
}

function identifierOf(credentials: Record<string, string> | undefined, field: string): string {
  const value = credentials?.[field];
  return typeof value === "string" ? value.trim() : "";
}
