import Link from "next/link";
import { currentSession } from "@/next";

export const dynamic = "force-dynamic";

export default async function Home() {
  const session = await currentSession();
  return (
    <main>
      <h1>Edge session refresh</h1>
      <p>next-auth v4 sessions in front of a custom backend, refreshed once per expiry however many tabs are open.</p>
      {session ? <Link href="/dashboard">Go to your dashboard</Link> : <Link href="/login">Sign in</Link>}
    </main>
  );
}
