// @ts-check
import { PHASE_PRODUCTION_SERVER } from "next/constants.js";

/**
 * `next start` refuses to run without NEXTAUTH_SECRET: a production server with the dev fallback secret
 * would accept cookies anyone can forge. (The runtime settings check says the same on first request, for
 * platforms that never run `next start`.)
 */
export default function config(phase) {
  if (phase === PHASE_PRODUCTION_SERVER && !process.env.NEXTAUTH_SECRET?.trim()) {
    console.error(
      "\nNEXTAUTH_SECRET is not set. Set it before `npm start` (e.g. NEXTAUTH_SECRET=$(openssl rand -base64 32)).\n",
    );
    process.exit(1);
  }
  /** @type {import('next').NextConfig} */
  const nextConfig = {
    reactStrictMode: true,
    poweredByHeader: false,
    // Several builds side by side (tests, the load test's baseline) each get their own output folder.
    distDir: process.env.NEXT_DIST_DIR || ".next",
    // Static security headers for every path, the ones the middleware does not match (next-auth's routes,
    // static files) included. The CSP (per-request nonce) and HSTS (runtime NEXTAUTH_URL) come from the
    // middleware: src/next/security-headers.ts.
    async headers() {
      return [
        {
          source: "/:path*",
          headers: [
            { key: "X-Content-Type-Options", value: "nosniff" },
            { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          ],
        },
      ];
    },
  };
  return nextConfig;
}
