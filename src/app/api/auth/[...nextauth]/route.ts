/** next-auth v4's routes (csrf, callback/credentials, session, signout, …) with our options. */
import NextAuth from "next-auth";
import { authOptions } from "@/auth/options";

export const dynamic = "force-dynamic";

type Handler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

// The options come from the isolate's runtime on the first request, so a bad setting is reported when a
// request needs it rather than at build time.
const handler: Handler = (request, context) => (NextAuth(authOptions()) as Handler)(request, context);

export { handler as GET, handler as POST };
