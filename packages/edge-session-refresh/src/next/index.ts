/**
 * The Next.js adapter (the only layer that imports next/*). Its public surface is public.ts, the future
 * `edge-session-refresh/next`; this barrel is the same surface, so `@/next` never offers more.
 */
export * from "./public";
