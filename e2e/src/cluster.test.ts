/**
 * The cluster (`npm run start:cluster`): two web and two API instances behind HAProxy, sharing
 * PostgreSQL and Redis. Whatever one instance knows, the other knows: sessions, tasks, limits,
 * sign-outs, agent conversations. Requests go to one instance directly (as the balancer would
 * forward them) or through the balancer, which round-robins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser } from "./browser.js";
import { type CallOptions, type Cluster, call, codeOf, cookieOf, startCluster } from "./cluster.js";
import { newUser, pageFetch } from "./session.js";

let cluster: Cluster;
let browser: Browser;

beforeAll(async () => {
  cluster = await startCluster({ RATE_LIMIT_PER_SESSION: "40" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await cluster?.close();
});

const at = (origin: string, path: string, options: Omit<CallOptions, "publicOrigin"> = {}) =>
  call(origin, path, { ...options, publicOrigin: cluster.web });

async function signUp(origin: string, user = newUser()) {
  const answer = await at(origin, "/api/auth/sign-up/email", { method: "POST", body: user });
  expect(answer.status, answer.text).toBe(200);
  return { user, cookie: cookieOf(answer) };
}

async function allTasks(origin: string, cookie: string) {
  const titles: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const page = await at(origin, `/api/proxy/api/tasks?limit=100${query}`, { cookie });
    expect(page.status, page.text).toBe(200);
    const body = JSON.parse(page.text) as { items: { title: string }[]; nextCursor: string | null };
    titles.push(...body.items.map((task) => task.title));
    cursor = body.nextCursor;
  } while (cursor !== null);
  return titles;
}

describe("sessions and data shared by the instances", () => {
  it("signs a user up on one web instance and finds them signed in on the other (Chromium)", async () => {
    const [one, two] = cluster.webs as [string, string];
    const { cookie } = await signUp(one);
    const me = await at(two, "/api/proxy/api/me", { cookie });
    expect(me.status, me.text).toBe(200);

    const context = await browser.newContext();
    await context.addCookies(
      cookie.split("; ").map((pair) => {
        const [name = "", ...value] = pair.split("=");
        return { name, value: value.join("="), url: two };
      }),
    );
    const page = await context.newPage();
    await page.goto(`${two}/`);
    await page.getByTestId("new-task-title").waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe("/");
    expect((await pageFetch(page, "/api/proxy/api/me")).status).toBe(200);
    await context.close();
  });

  it("lists 100 tasks created concurrently on both instances and the balancer, each once, from either", async () => {
    const [one, two] = cluster.webs as [string, string];
    // Four users of 25 tasks each: each stays under the per-session limit (40 a minute).
    const cookies = await Promise.all(
      [1, 2, 3, 4].map(async () => (await signUp(cluster.web)).cookie),
    );
    const targets = [one, two, cluster.web];
    const titles = Array.from({ length: 100 }, (_, i) => `task ${String(i).padStart(3, "0")}`);
    const created = await Promise.all(
      titles.map((title, i) =>
        at(targets[i % 3] as string, "/api/proxy/api/tasks", {
          method: "POST",
          body: { title },
          cookie: cookies[i % 4] as string,
        }),
      ),
    );
    const refused = created.find((answer) => answer.status !== 201);
    expect(refused?.text).toBeUndefined();
    for (const [u, cookie] of cookies.entries()) {
      const own = titles.filter((_, i) => i % 4 === u);
      for (const origin of targets) expect((await allTasks(origin, cookie)).sort()).toEqual(own);
    }
  });
});

describe("limits and sign-outs shared by the instances", () => {
  it("lets exactly 40 of one session's 60 requests through, spread over both instances", async () => {
    const { cookie } = await signUp(cluster.web);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        at(cluster.webs[i % 2] as string, "/api/proxy/api/me", { cookie }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    for (const refused of answers.filter((answer) => answer.status === 429)) {
      expect(codeOf(refused)).toBe("ERR_RATE_LIMITED");
    }
  });

  it("refuses a cookie on the other instance within a second of signing out on one", async () => {
    const [one, two] = cluster.webs as [string, string];
    const { cookie } = await signUp(one);
    // Both instances have served this session (and may hold its JWT) before the sign-out.
    expect((await at(one, "/api/proxy/api/me", { cookie })).status).toBe(200);
    expect((await at(two, "/api/proxy/api/me", { cookie })).status).toBe(200);
    const out = await at(one, "/api/auth/sign-out", { method: "POST", body: {}, cookie });
    expect(out.status, out.text).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const origin of [two, one, cluster.web]) {
      const refused = await at(origin, "/api/proxy/api/me", { cookie });
      expect(refused.status, `${origin}: ${refused.text}`).toBe(401);
    }
  });
});

describe("agent conversations shared by the API instances", () => {
  it("continues one conversation across API instances, message after message", async () => {
    const { cookie } = await signUp(cluster.web);
    const started = await at(cluster.web, "/api/agent/session", { method: "POST", cookie });
    expect(started.status, started.text).toBe(201);
    const { sessionId } = JSON.parse(started.text) as { sessionId: string };
    const mark = cluster.output().length;
    // The API balancer round-robins, so consecutive messages reach different API instances.
    for (const message of ["add buy milk", "add call Ada", "list my tasks", "add water plants"]) {
      const answer = await at(cluster.web, "/api/agent/chat", {
        method: "POST",
        body: { sessionId, message },
        cookie,
        timeoutMs: 30_000,
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.text).toContain("event: done");
      expect(answer.text).not.toContain("event: error");
      expect(answer.text).toContain(sessionId);
    }
    const served = cluster.output().slice(mark);
    const chatsOn = (api: string) =>
      served
        .split("\n")
        .filter((line) => line.startsWith(`[${api}]`) && line.includes("/v1/agent/chat"));
    expect(chatsOn("api-1").length).toBeGreaterThan(0);
    expect(chatsOn("api-2").length).toBeGreaterThan(0);
    const titles = await allTasks(cluster.web, cookie);
    expect(titles.sort()).toEqual(["buy milk", "call Ada", "water plants"]);
  });
});
