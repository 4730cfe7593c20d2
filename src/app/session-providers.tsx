"use client";
/** next-auth's SessionProvider for client components (useSession, signIn, signOut). */
import { SessionProvider } from "next-auth/react";
import type { ReactNode } from "react";

export function SessionProviders({ children }: { children: ReactNode }) {
  return <SessionProvider>{children}</SessionProvider>;
}
