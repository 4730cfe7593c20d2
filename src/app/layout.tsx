import type { ReactNode } from "react";
import { sessionRuntime } from "edge-session-refresh/next";
import { SessionProviders } from "./session-providers";
import "./globals.css";

export const metadata = {
  title: "Edge session refresh",
  description: "next-auth v4 sessions refreshed once per expiry at the edge",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SessionProviders refreshSkewSeconds={refreshSkewSeconds()}>{children}</SessionProviders>
      </body>
    </html>
  );
}

/** The server's SESSION_REFRESH_SKEW_SECONDS for the background refresh; none (and no refresh ahead) when the settings are broken. */
function refreshSkewSeconds(): number | undefined {
  try {
    return sessionRuntime().settings.refreshSkewMs / 1000;
  } catch {
    return undefined;
  }
}
