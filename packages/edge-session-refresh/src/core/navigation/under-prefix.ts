/** The path prefix rule the middleware's routes and the backend proxy's allow- and deny-lists share. */

/** The path is the prefix itself or below it (`/dashboard`, `/dashboard/x`; not `/dashboards`). */
export function underPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}
