/**
 * Next.js runs `register()` once as the server starts (`next start`, `next dev`, and
 * `app.prepare()` in server.mjs), before it serves a request. It sets umask 0077, so whatever
 * this process creates (PGlite's files, the lock, Next's caches) is its owner's alone, however
 * the server was launched: by scripts/start.mjs, by the e2e tests, or by hand from a shell with
 * umask 0022. The database layer (@handoff/db-kit) sets explicit modes as well.
 *
 * On SIGTERM, `/api/ready` answers 503 from then on, so that a load balancer stops sending new
 * requests while the server drains the open ones. The listener only flips a flag: the server's
 * own SIGTERM handler (Next's under `next start`, server.mjs's under the front door) closes the
 * server and exits. With `NEXT_MANUAL_SIG_HANDLE` set, neither installs one, and neither does
 * this: a lone listener would keep the process alive.
 *
 * It also leaves server.mjs the way to the front door's proxies (lib/front-door.ts): a function
 * on `globalThis`, as server.mjs is not bundled by Next and this is. It loads nothing until
 * called, so `next start` and the route handlers pay nothing for it.
 */
export async function register(): Promise<void> {
  // The Edge runtime has no file system, no umask and no signals; Next drops this block there.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    process.umask(0o077);
    if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
      const { markDraining } = await import("./lib/readiness");
      process.once("SIGTERM", markDraining);
    }
    (globalThis as Record<symbol, unknown>)[Symbol.for("taskflow.web.front-door")] = async () =>
      (await import("./lib/front-door")).startFrontDoor();
  }
}
