/**
 * The session the codec's tests encode and decode, one fixture for every side that checks the codec: the
 * unit and property tests beside it, and edge-tests/portable.test.ts, which runs the same cases in workerd
 * (through test-support/package-internals.ts). Identity plus the backend's tokens, as the jwt callback
 * leaves them; the expiry is far in the future so no case depends on the clock.
 */
import { CHUNK_SIZE } from "../chunks";

export const SESSION_CLAIMS = {
  sub: "user-1",
  name: "Ada",
  email: "ada@example.com",
  accessToken: "a".repeat(40),
  refreshToken: "r".repeat(40),
  accessTokenExpires: 1_900_000_000_000,
};

/** The same session with an access token big enough that next-auth splits its cookie into three chunks. */
export const BIG_SESSION_CLAIMS = { ...SESSION_CLAIMS, accessToken: "x".repeat(CHUNK_SIZE * 2) };
