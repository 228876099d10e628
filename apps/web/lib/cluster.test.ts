import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  API_KEY,
  appPost,
  startChatKitStandIn,
  WORKFLOW_ID,
} from "../../../packages/handoff-bff/test/chatkit-stand-in";
import { sessionKeyOf } from "./auth-revocation";
import { appChatKitSessions } from "./chatkit";
import { newUser, ORIGIN, signUp } from "./testing/auth";
import { eventually, type Instance, startCluster } from "./testing/cluster";

// Two instances of the app over one database and one Redis, as behind a load balancer.
const cluster = await startCluster(inject("redisUrl"), { AUTH_RATE_LIMIT_PER_ACCOUNT: "3" });
let a: Instance;
let b: Instance;
beforeAll(async () => {
  a = await cluster.start();
  b = await cluster.start();
});
afterAll(() => cluster.close());

const post = (path: string, cookie: string, body?: unknown) =>
  new Request(`${ORIGIN}/api/auth${path}`, {
    method: "POST",
    headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });

async function signIn(instance: Instance, user: { email: string; password: string }) {
  const response = await instance.runtime.auth.handler(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    }),
  );
  const set = response.headers
    .getSetCookie()
    .find((c) => c.startsWith("better-auth.session_token="));
  return { response, cookie: set?.split(";")[0] ?? "" };
}

describe("sign-out across instances", () => {
  it("refuses a cookie signed out on A at once on A, and within a second on B", async () => {
    const { cookie } = await signUp(a.runtime.auth);
    expect((await a.get(cookie)).status).toBe(200);
    expect((await b.get(cookie)).status).toBe(200); // B now holds the JWT in its cache
    const out = await a.runtime.auth.handler(post("/sign-out", cookie));
    expect(out.status).toBe(200);
    expect((await a.get(cookie)).status).toBe(401);
    await eventually(async () => (await b.get(cookie)).status === 401);
  });

  it("revokes on the sign-out server action's path too (auth.api.signOut)", async () => {
    const { cookie } = await signUp(a.runtime.auth);
    expect((await b.get(cookie)).status).toBe(200);
    await a.runtime.auth.api.signOut({ headers: new Headers({ cookie }) });
    await eventually(async () => (await b.get(cookie)).status === 401);
  });

  it("revokes the other sessions ended by /revoke-other-sessions, on every instance", async () => {
    const { cookie: first, user } = await signUp(a.runtime.auth);
    const { cookie: second } = await signIn(b, user);
    expect((await b.get(second)).status).toBe(200);
    expect((await a.get(second)).status).toBe(200);
    const revoked = await a.runtime.auth.handler(post("/revoke-other-sessions", first));
    expect(revoked.status).toBe(200);
    expect((await a.get(second)).status).toBe(401);
    await eventually(async () => (await b.get(second)).status === 401);
    expect((await b.get(first)).status).toBe(200);
  });

  it("names a session by the same key from its token as the token source does from its cookie", async () => {
    const { response, cookie } = await signUp(a.runtime.auth);
    const { token } = (await response.json()) as { token: string };
    const request = new Request(ORIGIN, { headers: { cookie } });
    expect(await sessionKeyOf(token, cluster.config.secret)).toBe(
      await a.runtime.token.sessionKey(request),
    );
  });
});

describe("rate limits across instances", () => {
  it("lets 40 of 60 requests of one session through, spread over A and B (limit 40)", async () => {
    const { cookie } = await signUp(a.runtime.auth);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) statuses.push((await (i % 2 ? b : a).get(cookie)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
  });

  it("counts sign-in attempts of one account on every instance together", async () => {
    const { user } = await signUp(a.runtime.auth, newUser("Grace"));
    const wrong = { ...user, password: "wrong password" };
    const statuses: number[] = [];
    for (const instance of [a, b, a, b])
      statuses.push((await signIn(instance, wrong)).response.status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const right = await signIn(b, user);
    expect(right.response.status).toBe(429);
    expect(((await right.response.json()) as { code?: string }).code).toBe("ERR_RATE_LIMITED");
  });
});

describe("ChatKit flow 1 across instances", () => {
  it("refreshes on B a client secret started on A", async () => {
    const api = await startChatKitStandIn({ apiKey: API_KEY, workflowId: WORKFLOW_ID });
    try {
      const env = {
        OPENAI_API_KEY: API_KEY,
        CHATKIT_WORKFLOW_ID: WORKFLOW_ID,
        CHATKIT_API_BASE: api.url,
      };
      const onA = appChatKitSessions(env, async () => a.runtime);
      const onB = appChatKitSessions(env, async () => b.runtime);
      const { cookie } = await signUp(a.runtime.auth);
      const as = (path: string, json?: unknown) =>
        appPost(path, { headers: { cookie }, ...(json === undefined ? {} : { json }) });
      const started = await onA.start(as("/api/chatkit/start"));
      expect(started.status).toBe(200);
      const { client_secret } = (await started.json()) as { client_secret: string };
      const refreshed = await onB.refresh(
        as("/api/chatkit/refresh", { currentClientSecret: client_secret }),
      );
      expect(refreshed.status).toBe(200);
      // Exchanged once: the same secret again, on A, is refused.
      const again = await onA.refresh(
        as("/api/chatkit/refresh", { currentClientSecret: client_secret }),
      );
      expect(again.status).toBe(403);
      expect(api.violations).toEqual([]);
    } finally {
      await api.close();
    }
  });
});
