import type { Runtime } from "./runtime";

/** How long each check may take: a health checker polls every few seconds. */
const CHECK_MS = 1000;

// On globalThis: instrumentation.ts and the route are bundled apart, and share this flag.
const DRAINING = Symbol.for("taskflow.web.draining");
const flags = globalThis as { [DRAINING]?: boolean };

/**
 * Marks the instance as stopping (`SIGTERM`, instrumentation.ts): `/api/ready` answers 503 from
 * then on, so that a load balancer's health check takes it out while Next drains.
 */
export function markDraining(): void {
  flags[DRAINING] = true;
}

/**
 * `GET /api/ready`: 200 when the runtime is up, the database answers a ping and, with
 * `REDIS_URL`, Redis answers `PING`, each within a second; else 503 problem+json
 * `ERR_NOT_READY`, which says nothing of which check failed or why (the log says that).
 *
 * @example
 * ```ts
 * export const GET = () => readiness(getRuntime);
 * ```
 */
export async function readiness(runtime: () => Promise<Runtime>): Promise<Response> {
  if (flags[DRAINING] === true) return notReady();
  try {
    const { database, redis } = await within(runtime(), "start");
    await Promise.all([
      within(database.ping(), "database"),
      redis === null ? undefined : within(redis.client.ping(), "redis"),
    ]);
  } catch (error) {
    console.error(`not ready: ${(error as Error).message}`);
    return notReady();
  }
  return Response.json({ status: "ready" }, { headers: { "cache-control": "no-store" } });
}

function notReady(): Response {
  return Response.json(
    {
      type: "https://handoff.dev/errors/ERR_NOT_READY",
      title: "Not ready",
      status: 503,
      code: "ERR_NOT_READY",
    },
    {
      status: 503,
      headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
    },
  );
}

/** `promise`, or a rejection naming `what` after a second. Errors keep only their name. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${CHECK_MS} ms`)),
      CHECK_MS,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } catch (error) {
    if ((error as Error).message.startsWith(`${what}:`)) throw error;
    throw new Error(`${what}: ${(error as Error).name ?? "error"}`);
  } finally {
    clearTimeout(timer);
  }
}
