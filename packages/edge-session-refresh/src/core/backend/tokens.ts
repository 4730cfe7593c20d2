/** The backend's tokens as the app keeps them, in the encrypted session cookie and in the lock store. */
export interface BackendTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds on OUR clock (the backend's stated lifetime anchored to the local time of receipt). */
  readonly accessTokenExpires: number;
  /** When the app received the access token (epoch ms): bounds the refresh skew for short-lived tokens. */
  readonly accessTokenReceivedAt?: number;
}
