// On globalThis: server.mjs starts the front door through instrumentation.ts's bundle, and the
// page reads this from its own; both run in one process.
const KEY = Symbol.for("taskflow.web.front-door.serving");
const flags = globalThis as { [KEY]?: true };

/** Called once the front door serves this process's proxies (lib/front-door.ts). */
export function markServedByFrontDoor(): void {
  flags[KEY] = true;
}

/**
 * Whether the dashboard's live updates can work here: only the front door (server.mjs) relays
 * WebSockets; a route handler cannot upgrade (`next start`, serverless). Without it the page
 * opens no socket at all and says "live updates off", rather than retrying one that cannot
 * succeed.
 *
 * @example
 * ```tsx
 * <Dashboard live={liveUpdatesAvailable()} />
 * ```
 */
export function liveUpdatesAvailable(): boolean {
  return flags[KEY] === true;
}
