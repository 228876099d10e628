/**
 * Next.js runs `register()` once as the server starts (`next start`, `next dev`), before it
 * serves a request. It sets umask 0077, so whatever this process creates (PGlite's files, the
 * lock, Next's caches) is its owner's alone, however `next start` was launched: by
 * scripts/start.mjs, by the e2e tests, or by hand from a shell with umask 0022. The database
 * layer (@handoff/db-kit) sets explicit modes as well.
 */
export function register(): void {
  // The Edge runtime has no file system and no umask.
  if (process.env.NEXT_RUNTIME === "nodejs") process.umask(0o077);
}
