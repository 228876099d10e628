/**
 * Values the Vitest global setup hands to test files (`provide` / `inject`), typed. Imported by
 * both sides, so the declaration is in every program that uses either.
 */

/** An admin URL of the test PostgreSQL, or why there is none. */
export type TestPostgres = { url: string } | { url: null; problem: string };

declare module "vitest" {
  export interface ProvidedContext {
    testPostgres: TestPostgres;
    /** A Redis every test file may share (`TEST_REDIS_URL`, else a throwaway redis-server). */
    redisUrl: string;
  }
}
