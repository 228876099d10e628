/**
 * Vitest global setup (`globalSetup: ["@handoff/db-kit/testing/redis-global"]`): one Redis for
 * the whole run, read by test files with `inject("redisUrl")` (typed in provided.ts).
 */
import type { TestProject } from "vitest/node";
import "./provided.js";
import { startRedisServer } from "./redis-server.js";

/** One redis-server for the whole run, unless `TEST_REDIS_URL` names one. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const given = process.env.TEST_REDIS_URL;
  if (given) {
    project.provide("redisUrl", given);
    return;
  }
  const server = await startRedisServer();
  project.provide("redisUrl", server.url);
  return () => server.stop();
}
