/**
 * Vitest global setup (`globalSetup: ["@handoff/db-kit/testing/postgres-global"]`): makes a
 * PostgreSQL available to the database tests, once per run. `TEST_DATABASE_URL` when set (CI
 * sets it to Debian's cluster); otherwise a throwaway cluster started here and deleted at the
 * end. Without either, the PostgreSQL tests fail (they are never skipped), each with a message
 * that says how to provide one; the other tests still run. Test files reach it through
 * `testPostgresUrl()` and `createPostgresDatabase()` of `@handoff/db-kit/testing`.
 */
import type { TestProject } from "vitest/node";
import { type Cluster, startCluster } from "./postgres-cluster.js";
import type { TestPostgres } from "./provided.js";

export { type Cluster, HOW_TO_PROVIDE_POSTGRES, startCluster } from "./postgres-cluster.js";

export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const provide = (value: TestPostgres) => project.provide("testPostgres", value);
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (url) {
    provide({ url });
    return undefined;
  }
  let cluster: Cluster;
  try {
    cluster = await startCluster();
  } catch (error) {
    provide({ url: null, problem: (error as Error).message });
    return undefined;
  }
  provide({ url: cluster.url });
  return () => cluster.stop();
}
