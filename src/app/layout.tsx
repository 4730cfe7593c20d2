import type { ReactNode } from "react";
import { SessionProviders } from "./session-providers";
import "./globals.css";

export const metadata = { title: "Edge session refresh", description: "next-auth v4 sessions refreshed once per expiry at the edge" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SessionProviders>{children}</SessionProviders>
      </body>
    </html>
  );
}
