import { afterEach, describe, expect, it } from "vitest";
import {
  API_KEY,
  APP,
  appPost,
  type ChatKitStandIn,
  startChatKitStandIn,
  userFromCookie,
  WORKFLOW_ID,
} from "../../test/chatkit-stand-in.js";
import { startUpstream, type TestServer } from "../../test/helpers.js";
import type { LogEvent } from "../proxy/log.js";
import { createChatKitSessions } from "./create-chatkit-sessions.js";
import type { ChatKitSessions, ChatKitSessionsOptions } from "./types.js";

describe("ChatKit sessions: security", () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function setup(extra: Partial<ChatKitSessionsOptions> = {}) {
    const api: ChatKitStandIn = await startChatKitStandIn({
      apiKey: API_KEY,
      workflowId: WORKFLOW_ID,
    });
    servers.push(api);
    const events: LogEvent[] = [];
    const sessions = createChatKitSessions({
      apiKey: API_KEY,
      workflowId: WORKFLOW_ID,
      apiBase: api.url,
      user: userFromCookie,
      logger: (event) => events.push(event),
      ...extra,
    });
    return { api, sessions, events };
  }

  async function secretOf(sessions: ChatKitSessions, as: "alice" | "bob"): Promise<string> {
    const response = await sessions.start(appPost("/api/chatkit/start", { as }));
    expect(response.status).toBe(200);
    return ((await response.json()) as { client_secret: string }).client_secret;
  }

  const refreshWith = (as: "alice" | "bob", secret: string) =>
    appPost("/api/chatkit/refresh", { as, json: { currentClientSecret: secret } });

  it("takes the user from the session only: the browser's body and query cannot choose it", async () => {
    const { api, sessions } = await setup();
    const request = new Request(`${APP}/api/chatkit/start?user=user_bob`, {
      method: "POST",
      headers: {
        origin: APP,
        "sec-fetch-site": "same-origin",
        cookie: "sid=sid-alice",
        "content-type": "application/json",
      },
      body: JSON.stringify({ user: "user_bob", workflow: { id: "wf_evil" }, rate_limits: {} }),
    });
    expect((await sessions.start(request)).status).toBe(200);
    expect(JSON.parse(String(api.seen[0]?.body))).toEqual({
      workflow: { id: WORKFLOW_ID },
      user: "user_alice",
    });
  });

  it("answers only client_secret and expires_at: not the session id, user or configuration", async () => {
    const { sessions } = await setup();
    const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
    expect(Object.keys(await response.json()).sort()).toEqual(["client_secret", "expires_at"]);
  });

  it("refuses a refresh with another user's secret: 403, nothing minted, nothing cancelled", async () => {
    const { api, sessions } = await setup();
    const alices = await secretOf(sessions, "alice");

    const response = await sessions.refresh(refreshWith("bob", alices));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ERR_CHATKIT_SECRET_MISMATCH" });
    expect(api.creates()).toHaveLength(1);
    expect(api.cancelled).toEqual([]);
    expect(api.seen.filter((seen) => seen.url.endsWith("/cancel"))).toEqual([]);

    // Alice's secret is untouched: she can still exchange it.
    expect((await sessions.refresh(refreshWith("alice", alices))).status).toBe(200);
  });

  it("refuses a refresh with a secret it never issued: 403, nothing minted", async () => {
    const { api, sessions } = await setup();
    const response = await sessions.refresh(refreshWith("alice", "ek_made_up_by_the_browser"));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ERR_CHATKIT_SECRET_MISMATCH" });
    expect(api.seen).toEqual([]);
  });

  it("answers an unknown secret and another user's secret alike (no oracle)", async () => {
    const { sessions } = await setup();
    const alices = await secretOf(sessions, "alice");
    const foreign = await sessions.refresh(refreshWith("bob", alices));
    const unknown = await sessions.refresh(refreshWith("bob", "ek_unknown"));
    const strip = ({ requestId: _, ...rest }: Record<string, unknown>) => rest;
    expect(foreign.status).toBe(unknown.status);
    expect(strip(await foreign.json())).toEqual(strip(await unknown.json()));
  });

  it.each([
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }, "ERR_CSRF_CROSS_SITE"],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }, "ERR_CSRF_CROSS_SITE"],
    [
      "a foreign Origin",
      { origin: "https://evil.test", "sec-fetch-site": "" },
      "ERR_CSRF_ORIGIN_MISMATCH",
    ],
    ["Origin: null", { origin: "null", "sec-fetch-site": "" }, "ERR_CSRF_ORIGIN_MISMATCH"],
  ])("refuses a cross-site start (%s): 403 and nothing minted", async (_name, headers, code) => {
    const { api, sessions } = await setup();
    const clean = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ""));
    const request = appPost("/api/chatkit/start", { as: "alice", headers: clean });
    if (headers["sec-fetch-site"] === "") request.headers.delete("sec-fetch-site");
    const response = await sessions.start(request);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code });
    expect(api.seen).toEqual([]);
  });

  it("refuses a cross-site refresh: 403, nothing minted or cancelled", async () => {
    const { api, sessions } = await setup();
    const alices = await secretOf(sessions, "alice");
    const request = appPost("/api/chatkit/refresh", {
      as: "alice",
      json: { currentClientSecret: alices },
      headers: { "sec-fetch-site": "cross-site", origin: "https://evil.test" },
    });
    const response = await sessions.refresh(request);
    expect(response.status).toBe(403);
    expect(api.creates()).toHaveLength(1);
    expect(api.cancelled).toEqual([]);
  });

  it("requires the anti-CSRF header when csrf.requireHeader is set", async () => {
    const { api, sessions } = await setup({ csrf: { requireHeader: "x-csrf" } });
    const without = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
    expect(without.status).toBe(403);
    expect(await without.json()).toMatchObject({ code: "ERR_CSRF_HEADER_MISSING" });
    expect(api.seen).toEqual([]);
    const withHeader = await sessions.start(
      appPost("/api/chatkit/start", { as: "alice", headers: { "x-csrf": "1" } }),
    );
    expect(withHeader.status).toBe(200);
  });

  it("never sends the API key anywhere but apiBase: redirects are not followed", async () => {
    const elsewhere = await startUpstream();
    servers.push(elsewhere);
    const api = await startChatKitStandIn({
      apiKey: API_KEY,
      workflowId: WORKFLOW_ID,
      redirectTo: `${elsewhere.url}/v1/chatkit/sessions`,
    });
    servers.push(api);
    api.createMode = "redirect";
    const sessions = createChatKitSessions({
      apiKey: API_KEY,
      workflowId: WORKFLOW_ID,
      apiBase: api.url,
      user: userFromCookie,
    });
    const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
    expect(response.status).toBe(502);
    expect(elsewhere.seen).toEqual([]);
  });

  it("never puts the API key in a response or a log line, whatever happens", async () => {
    const { api, sessions, events } = await setup({ timeout: 200 });
    const texts: string[] = [];
    const record = async (response: Response) => {
      texts.push(JSON.stringify([...response.headers]), await response.text());
    };
    const alices = await secretOf(sessions, "alice");
    await record(await sessions.refresh(refreshWith("alice", alices)));
    await record(await sessions.refresh(refreshWith("bob", "ek_unknown")));
    await record(await sessions.start(appPost("/api/chatkit/start")));
    for (const mode of [401, 429, 500, "malformed", "redirect", "hang"] as const) {
      api.createMode = mode;
      await record(await sessions.start(appPost("/api/chatkit/start", { as: "alice" })));
    }
    api.createMode = "ok";
    api.cancelMode = 401;
    const bobs = await secretOf(sessions, "bob");
    await record(await sessions.refresh(refreshWith("bob", bobs)));

    const everything = texts.join("\n") + JSON.stringify(events);
    expect(events.length).toBeGreaterThan(10);
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain(API_KEY.slice(0, 8));
    expect(everything).not.toContain("Bearer");
    // Nor the user ids ChatKit is scoped by, nor any client secret.
    expect(JSON.stringify(events)).not.toMatch(/user_alice|user_bob|ek_/);
  });
});
