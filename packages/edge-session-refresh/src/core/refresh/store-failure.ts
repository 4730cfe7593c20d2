/** What a lock-store failure means, as a code: the store's own SessionError code, else "unreachable". */
import { isSessionError, type SessionErrorCode } from "../errors";

/**
 * Stores throw SessionError with a STORE_* code; anything else (a client bug, a network error a store
 * did not classify) means the store could not be asked, which is what STORE_UNREACHABLE says.
 */
export function storeFailureCode(error: unknown): SessionErrorCode {
  return isSessionError(error) ? error.code : "STORE_UNREACHABLE";
}
