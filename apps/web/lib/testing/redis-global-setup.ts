import type { TestProject } from "vitest/node";
import { startRedisServer } from "./redis-server";

declare module "vitest" {
  export interface ProvidedContext {
    /** A Redis the test files share (`TEST_REDIS_URL`, else a throwaway redis-server). */
    redisUrl: string;
  }
}

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
