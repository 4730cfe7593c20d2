/** Personal answers (a session's API errors, the backend proxy's answers): never stored by a shared cache, nor by the browser's. */
export const PRIVATE_NO_STORE = "private, no-store";
