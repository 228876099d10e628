import { type Database, openDatabase } from "@handoff/db-kit";
import { afterAll, beforeAll } from "vitest";
import { createAuth } from "../auth";
import { readConfig } from "../config";
import { webMigrations } from "../db/migrations";

export const ORIGIN = "http://127.0.0.1:3000";

/**
 * Better Auth over a fresh in-memory PGlite, migrated as at start-up, for one test file.
 * Requests go through `auth.handler`, as the route does. `env` adds to the environment
 * (`BETTER_AUTH_URL`, `TRUSTED_PROXY_COUNT`, …); attempts are counted in a fresh store.
 */
export function authUnderTest(env: Record<string, string> = {}) {
  const state = {} as { auth: ReturnType<typeof createAuth>; database: Database };
  beforeAll(async () => {
    const config = readConfig({
      BETTER_AUTH_SECRET: "test-secret-".padEnd(40, "x"),
      BETTER_AUTH_URL: ORIGIN,
      ...env,
    });
    state.database = await openDatabase(
      { kind: "pglite", dataDir: null },
      { migrations: webMigrations() },
    );
    state.auth = createAuth(config, state.database.db);
  });
  afterAll(() => state.database?.close());
  return state;
}

/** A new user's sign-up fields, unique per call. */
export function newUser(name = "Ada") {
  return {
    name,
    email: `${name.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.test`,
    password: "correct horse",
  };
}

/**
 * Signs a user up through the HTTP endpoint; returns the response and the Cookie header.
 * `origin` is the app's (`BETTER_AUTH_URL`).
 */
export async function signUp(
  auth: ReturnType<typeof createAuth>,
  user = newUser(),
  origin = ORIGIN,
) {
  const response = await auth.handler(
    new Request(`${origin}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify(user),
    }),
  );
  const set = response.headers
    .getSetCookie()
    .find((cookie) => /^(?:__Host-)?better-auth\.session_token=/.test(cookie));
  if (response.status !== 200 || set === undefined) {
    throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  }
  const cookie = set.split(";")[0] as string;
  return { response, cookie, user };
}
