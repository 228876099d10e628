/**
 * The cluster when parts of it fail: an instance killed (`kill -9`) while requests flow, Redis
 * stopped and started again. Also ChatKit client secrets, whose bindings live in Redis: started
 * on one web instance, refreshed on the other. The OpenAI Sessions API is the stand-in the
 * library's tests and e2e/src/chatkit-secrets.test.ts use.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  type ChatKitStandIn,
  startChatKitStandIn,
  WORKFLOW_ID,
} from "../../packages/handoff-bff/test/chatkit-stand-in.js";
import {
  type Answer,
  type CallOptions,
  type Cluster,
  call,
  codeOf,
  cookieOf,
  startCluster,
} from "./cluster.js";
import { newUser } from "./session.js";

let standIn: ChatKitStandIn;
let cluster: Cluster;

beforeAll(async () => {
  standIn = await startChatKitStandIn({ apiKey: API_KEY, workflowId: WORKFLOW_ID });
  cluster = await startCluster({
    RATE_LIMIT_PER_SESSION: "100000",
    RATE_LIMIT_PER_IP: "100000",
    OPENAI_API_KEY: API_KEY,
    CHATKIT_WORKFLOW_ID: WORKFLOW_ID,
    CHATKIT_API_BASE: standIn.url,
  });
});
afterAll(async () => {
  await cluster?.close();
  await standIn?.close();
});

const at = (origin: string, path: string, options: Omit<CallOptions, "publicOrigin"> = {}) =>
  call(origin, path, { ...options, publicOrigin: cluster.web });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signUp(origin: string) {
  const answer = await at(origin, "/api/auth/sign-up/email", { method: "POST", body: newUser() });
  expect(answer.status, answer.text).toBe(200);
  return cookieOf(answer);
}

describe("ChatKit client secrets across web instances", () => {
  it("refreshes on one instance a secret started on the other", async () => {
    const [one, two] = cluster.webs as [string, string];
    const cookie = await signUp(cluster.web);
    const started = await at(one, "/api/chatkit/start", { method: "POST", body: {}, cookie });
    expect(started.status, started.text).toBe(200);
    const first = JSON.parse(started.text) as { client_secret: string };
    const oldSession = [...standIn.sessions.values()].find(
      (session) => session.client_secret === first.client_secret,
    );
    const refreshed = await at(two, "/api/chatkit/refresh", {
      method: "POST",
      body: { currentClientSecret: first.client_secret },
      cookie,
    });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(JSON.parse(refreshed.text).client_secret).not.toBe(first.client_secret);
    expect(standIn.cancelled).toContain(oldSession?.id);
    expect(standIn.violations).toEqual([]);
  });
});

interface Sent {
  kind: string;
  startedAt: number;
  answer: Answer;
  title?: string;
}

describe("an instance killed while requests flow", () => {
  it("answers every request, recovers within seconds, and loses no acknowledged task", async () => {
    const cookie = await signUp(cluster.web);
    const sent: Sent[] = [];
    const t0 = Date.now();
    let running = true;
    let n = 0;
    // Four clients: tasks created through the web balancer, the API's health through its own.
    const client = async (kind: "create" | "list" | "api") => {
      while (running) {
        const startedAt = Date.now() - t0;
        if (kind === "create") {
          const title = `flow ${n++}`;
          const answer = await at(cluster.web, "/api/proxy/api/tasks", {
            method: "POST",
            body: { title },
            cookie,
          });
          sent.push({ kind, startedAt, answer, title });
        } else if (kind === "list") {
          sent.push({
            kind,
            startedAt,
            answer: await at(cluster.web, "/api/proxy/api/tasks", { cookie }),
          });
        } else {
          sent.push({ kind, startedAt, answer: await at(cluster.api, "/health") });
        }
        await pause(20);
      }
    };
    const clients = Promise.all([
      client("create"),
      client("create"),
      client("list"),
      client("api"),
    ]);
    await pause(3_000);
    const killedApiAt = Date.now() - t0;
    await cluster.kill("api-1", "SIGKILL");
    await pause(6_000);
    const lastKill = Date.now() - t0;
    await cluster.kill("web-1", "SIGKILL");
    await pause(12_000);
    running = false;
    await clients;
    // Both back (SIGHUP to the script) before anything is asserted, for the next test.
    await cluster.restart("api-1");
    for (const url of [`${cluster.apis[0]}/health`, `${cluster.webs[0]}/api/auth/jwks`]) {
      for (let i = 0; i < 120 && (await at(url, "")).status !== 200; i++) await pause(250);
    }

    expect(sent.length).toBeGreaterThan(50);
    // No request hung: none ran into the 10 s client timeout.
    const hung = sent.filter((s) => s.answer.error === "timeout");
    expect(hung.map((s) => `${s.kind} at ${s.startedAt} ms`)).toEqual([]);
    // Every request got an HTTP answer, except a POST that was in flight on the instance that
    // died: its outcome is unknown (the task may have been committed), so the balancer may not
    // retry it elsewhere, and HAProxy closes the client's connection as the instance did
    // (RFC 9110 §9.2.2: only idempotent requests may be retried). Such a POST failed loudly,
    // and only around a kill.
    const kills = [killedApiAt, lastKill];
    const unanswered = sent.filter(
      (s) =>
        s.answer.status === 0 &&
        !(s.kind === "create" && kills.some((k) => Math.abs(s.startedAt - k) < 2_000)),
    );
    expect(unanswered.map((s) => `${s.kind} at ${s.startedAt} ms: ${s.answer.error}`)).toEqual([]);
    // A few seconds after the last kill, everything succeeds again.
    const late = sent.filter((s) => s.startedAt > lastKill + 5_000);
    expect(late.length).toBeGreaterThan(10);
    expect(late.filter((s) => s.answer.status >= 300).map((s) => s.answer.status)).toEqual([]);
    // Every task acknowledged with 201 is there.
    const acknowledged = sent.filter((s) => s.answer.status === 201).map((s) => s.title);
    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await at(cluster.web, `/api/proxy/api/tasks?limit=100${query}`, { cookie });
      expect(page.status, page.text).toBe(200);
      const body = JSON.parse(page.text) as {
        items: { title: string }[];
        nextCursor: string | null;
      };
      titles.push(...body.items.map((task) => task.title));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(acknowledged.filter((title) => !titles.includes(title as string))).toEqual([]);

    expect(cluster.output()).toMatch(/api-1 \(pid \d+\) exited unexpectedly \(SIGKILL\)/);
    expect(cluster.output()).toMatch(/web-1 \(pid \d+\) exited unexpectedly \(SIGKILL\)/);
  });
});

describe("Redis stopped, then started again", () => {
  it("refuses with 503 ERR_STORE_UNAVAILABLE while it is down (limits fail closed), then recovers", async () => {
    const cookie = await signUp(cluster.web);
    expect((await at(cluster.web, "/api/proxy/api/tasks", { cookie })).status).toBe(200);
    await cluster.kill("redis", "SIGTERM");
    // Long enough for HAProxy's checks (1 s apart, 2 failures) to find no web instance ready:
    // the balancer must still let the instances answer with their problem code.
    await pause(3_500);
    const answers: [string, Answer][] = [];
    for (const origin of [...cluster.webs, cluster.web]) {
      for (const path of ["/api/proxy/api/tasks", "/api/agent/health"]) {
        answers.push([`${origin}${path}`, await at(origin, path, { cookie })]);
      }
    }
    await cluster.restart("redis");
    for (const [where, refused] of answers) {
      expect(refused.status, `${where}: ${refused.error ?? refused.text}`).toBe(503);
      // docs/errors.md: the rate limit is checked first, and its store did not answer.
      expect(codeOf(refused)).toBe("ERR_STORE_UNAVAILABLE");
      expect(refused.headers["retry-after"]).toBe("1");
    }
    // Each instance reconnects on its own (node-redis backs off between attempts, then the
    // revocation subscription resynchronises): every one serves again within seconds.
    for (const origin of [cluster.web, ...cluster.webs]) {
      let recovered: Answer | undefined;
      for (let i = 0; i < 40; i++) {
        recovered = await at(origin, "/api/proxy/api/tasks", { cookie });
        if (recovered.status === 200) break;
        await pause(250);
      }
      expect(recovered?.status, `${origin}: ${recovered?.text}`).toBe(200);
    }
  });
});
