/** `edge-session-refresh/testing`: helpers for your own tests (runtime-neutral, like the core). */
export { mintSessionCookie, type MintOptions, type MintedSession } from "./session-cookie";
