import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  API_KEY,
  appPost,
  type ChatKitStandIn,
  startChatKitStandIn,
  userFromCookie,
  WORKFLOW_ID,
} from "../../test/chatkit-stand-in.js";
import { errorCode } from "../errors.js";
import type { LogEvent } from "../proxy/log.js";
import { createChatKitSessions } from "./create-chatkit-sessions.js";
import { memorySessionStore } from "./memory-session-store.js";
import type { ChatKitSessionStore, ChatKitSessionsOptions } from "./types.js";

describe("createChatKitSessions", () => {
  let standIn: ChatKitStandIn | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await standIn?.close();
    standIn = undefined;
  });

  async function setup(extra: Partial<ChatKitSessionsOptions> = {}) {
    standIn = await startChatKitStandIn({ apiKey: API_KEY, workflowId: WORKFLOW_ID });
    const events: LogEvent[] = [];
    const sessions = createChatKitSessions({
      apiKey: API_KEY,
      workflowId: WORKFLOW_ID,
      apiBase: standIn.url,
      user: userFromCookie,
      logger: (event) => events.push(event),
      ...extra,
    });
    return { api: standIn, sessions, events };
  }

  async function started(sessions: { start(r: Request): Promise<Response> }, as: "alice" | "bob") {
    const response = await sessions.start(appPost("/api/chatkit/start", { as }));
    expect(response.status).toBe(200);
    return (await response.json()) as { client_secret: string; expires_at: number };
  }

  describe("start", () => {
    it("mints a session for the signed-in user with the documented headers and body", async () => {
      const { api, sessions } = await setup();
      const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(response.headers.get("cache-control")).toBe("no-store");
      const session = api.sessions.get("cksess_1");
      expect(await response.json()).toEqual({
        client_secret: session?.client_secret,
        expires_at: session?.expires_at,
      });
      expect(api.violations).toEqual([]);
      expect(api.seen).toHaveLength(1);
      const [seen] = api.seen;
      expect(seen?.method).toBe("POST");
      expect(seen?.url).toBe("/v1/chatkit/sessions");
      expect(seen?.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(seen?.headers["openai-beta"]).toBe("chatkit_beta=v1");
      expect(seen?.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(String(seen?.body))).toEqual({
        workflow: { id: WORKFLOW_ID },
        user: "user_alice",
      });
    });

    it("passes expires_after, rate_limits and chatkit_configuration in their documented shapes", async () => {
      const chatkitConfiguration = {
        automatic_thread_titling: { enabled: false },
        file_upload: { enabled: true, max_file_size: 16, max_files: 3 },
        history: { enabled: true, recent_threads: 20 },
      };
      const { api, sessions } = await setup({
        expiresAfter: { anchor: "created_at", seconds: 900 },
        rateLimits: { max_requests_per_1_minute: 30 },
        chatkitConfiguration,
      });
      const before = Math.floor(Date.now() / 1000);
      const { expires_at } = await started(sessions, "bob");

      expect(JSON.parse(String(api.seen[0]?.body))).toEqual({
        workflow: { id: WORKFLOW_ID },
        user: "user_bob",
        expires_after: { anchor: "created_at", seconds: 900 },
        rate_limits: { max_requests_per_1_minute: 30 },
        chatkit_configuration: chatkitConfiguration,
      });
      expect(expires_at).toBeGreaterThanOrEqual(before + 900);
    });

    it("answers 401 to a signed-out request, and the Sessions API sees nothing", async () => {
      const { api, sessions } = await setup();
      const response = await sessions.start(appPost("/api/chatkit/start"));

      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ code: "ERR_UNAUTHENTICATED" });
      expect(api.seen).toEqual([]);
    });

    it("keeps the base path of apiBase (an API gateway)", async () => {
      const { api, sessions } = await setup();
      const gateway = createChatKitSessions({
        apiKey: API_KEY,
        workflowId: WORKFLOW_ID,
        apiBase: `${api.url}/openai/`,
        user: userFromCookie,
      });
      void sessions;
      await started(gateway, "alice");
      expect(api.seen[0]?.url).toBe("/openai/v1/chatkit/sessions");
    });

    it("refuses other methods with 405 and Allow: POST", async () => {
      const { api, sessions } = await setup();
      const response = await sessions.start(new Request("http://app.test/api/chatkit/start"));
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(api.seen).toEqual([]);
    });

    it("answers 500 ERR_INTERNAL when user() throws, without logging its message", async () => {
      const { api, sessions, events } = await setup({
        user: () => {
          throw new Error("session lookup failed for cookie sid-alice");
        },
      });
      const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: "ERR_INTERNAL" });
      expect(api.seen).toEqual([]);
      expect(JSON.stringify(events)).not.toContain("sid-alice");
    });

    it("cancels a session it could not remember, and answers 500", async () => {
      const failing: ChatKitSessionStore = {
        get: () => undefined,
        set: () => Promise.reject(new Error("store down")),
        delete: () => {},
      };
      const { api, sessions } = await setup({ store: failing });
      const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: "ERR_INTERNAL" });
      await vi.waitFor(() => expect(api.cancelled).toEqual(["cksess_1"]));
    });

    it("limits minting per user with rateLimit.perSession", async () => {
      const { api, sessions } = await setup({
        rateLimit: { perSession: { limit: 2, windowSeconds: 60 } },
      });
      await started(sessions, "alice");
      await started(sessions, "alice");
      const third = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
      expect(third.status).toBe(429);
      expect(await third.json()).toMatchObject({ code: "ERR_RATE_LIMITED" });
      await started(sessions, "bob");
      expect(api.creates()).toHaveLength(3);
    });
  });

  describe("refresh", () => {
    it("mints a new session for the same user, then cancels the old one", async () => {
      const { api, sessions, events } = await setup();
      const first = await started(sessions, "alice");

      const response = await sessions.refresh(
        appPost("/api/chatkit/refresh", {
          as: "alice",
          json: { currentClientSecret: first.client_secret },
        }),
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const second = (await response.json()) as { client_secret: string; expires_at: number };
      expect(second.client_secret).toBe(api.sessions.get("cksess_2")?.client_secret);
      expect(second.client_secret).not.toBe(first.client_secret);
      expect(api.cancelled).toEqual(["cksess_1"]);
      expect(api.sessions.get("cksess_1")?.status).toBe("cancelled");
      expect(api.violations).toEqual([]);
      expect(api.seen.map((seen) => seen.url)).toEqual([
        "/v1/chatkit/sessions",
        "/v1/chatkit/sessions",
        "/v1/chatkit/sessions/cksess_1/cancel",
      ]);
      const cancel = api.seen[2];
      expect(cancel?.method).toBe("POST");
      expect(cancel?.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(cancel?.headers["openai-beta"]).toBe("chatkit_beta=v1");
      expect(JSON.parse(String(api.seen[1]?.body))).toEqual({
        workflow: { id: WORKFLOW_ID },
        user: "user_alice",
      });
      expect(events.map((event) => event.msg)).toEqual([
        "ChatKit session started",
        "ChatKit session refreshed",
      ]);
    });

    it("exchanges each secret once: the old secret cannot be refreshed again", async () => {
      const { api, sessions } = await setup();
      const first = await started(sessions, "alice");
      const body = { as: "alice" as const, json: { currentClientSecret: first.client_secret } };
      expect((await sessions.refresh(appPost("/api/chatkit/refresh", body))).status).toBe(200);

      const again = await sessions.refresh(appPost("/api/chatkit/refresh", body));
      expect(again.status).toBe(403);
      expect(await again.json()).toMatchObject({ code: "ERR_CHATKIT_SECRET_MISMATCH" });
      expect(api.creates()).toHaveLength(2);
    });

    it("still answers the new secret when cancelling the old one fails, and logs a warning", async () => {
      const { api, sessions, events } = await setup();
      const first = await started(sessions, "alice");
      api.cancelMode = 500;

      const response = await sessions.refresh(
        appPost("/api/chatkit/refresh", {
          as: "alice",
          json: { currentClientSecret: first.client_secret },
        }),
      );
      expect(response.status).toBe(200);
      expect((await response.json()).client_secret).toBe(
        api.sessions.get("cksess_2")?.client_secret,
      );
      expect(api.cancelled).toEqual([]);
      expect(events).toContainEqual(
        expect.objectContaining({ level: "warn", code: "ERR_CHATKIT_UPSTREAM" }),
      );
    });

    it("cancels nothing when minting fails: the current secret keeps working", async () => {
      const { api, sessions } = await setup();
      const first = await started(sessions, "alice");
      const request = () =>
        appPost("/api/chatkit/refresh", {
          as: "alice",
          json: { currentClientSecret: first.client_secret },
        });
      api.createMode = 500;

      const failed = await sessions.refresh(request());
      expect(failed.status).toBe(502);
      expect(await failed.json()).toMatchObject({
        code: "ERR_CHATKIT_UPSTREAM",
        upstreamStatus: 500,
      });
      expect(api.cancelled).toEqual([]);

      api.createMode = "ok";
      expect((await sessions.refresh(request())).status).toBe(200);
      expect(api.cancelled).toEqual(["cksess_1"]);
    });

    it("refreshes an expired secret within the grace period without cancelling it", async () => {
      const { api, sessions } = await setup({
        expiresAfter: { anchor: "created_at", seconds: 60 },
        refreshGraceSeconds: 300,
      });
      const first = await started(sessions, "alice");
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 120_000 });

      const response = await sessions.refresh(
        appPost("/api/chatkit/refresh", {
          as: "alice",
          json: { currentClientSecret: first.client_secret },
        }),
      );
      expect(response.status).toBe(200);
      expect(api.cancelled).toEqual([]);
      expect(api.seen.filter((seen) => seen.url.endsWith("/cancel"))).toEqual([]);
    });

    it("refuses a secret expired beyond the grace period", async () => {
      const { api, sessions } = await setup({
        expiresAfter: { anchor: "created_at", seconds: 60 },
        refreshGraceSeconds: 300,
      });
      const first = await started(sessions, "alice");
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 361_000 });

      const response = await sessions.refresh(
        appPost("/api/chatkit/refresh", {
          as: "alice",
          json: { currentClientSecret: first.client_secret },
        }),
      );
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: "ERR_CHATKIT_SECRET_MISMATCH" });
      expect(api.creates()).toHaveLength(1);
    });

    it("answers 400 to a body that is not { currentClientSecret }", async () => {
      const { api, sessions } = await setup();
      const cases: Request[] = [
        appPost("/api/chatkit/refresh", { as: "alice" }),
        appPost("/api/chatkit/refresh", { as: "alice", json: { secret: "ek_1" } }),
        appPost("/api/chatkit/refresh", { as: "alice", json: { currentClientSecret: 1 } }),
        appPost("/api/chatkit/refresh", { as: "alice", json: ["ek_1"] }),
        new Request("http://app.test/api/chatkit/refresh", {
          method: "POST",
          headers: { cookie: "sid=sid-alice", "content-type": "application/json" },
          body: "{not json",
        }),
        new Request("http://app.test/api/chatkit/refresh", {
          method: "POST",
          headers: { cookie: "sid=sid-alice", "content-type": "text/plain" },
          body: JSON.stringify({ currentClientSecret: "ek_1" }),
        }),
      ];
      for (const request of cases) {
        const response = await sessions.refresh(request);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ code: "ERR_CHATKIT_INVALID_REQUEST" });
      }
      expect(api.seen).toEqual([]);
    });

    it("answers 413 to a body over 16 KiB", async () => {
      const { api, sessions } = await setup();
      const response = await sessions.refresh(
        appPost("/api/chatkit/refresh", {
          as: "alice",
          json: { currentClientSecret: "x".repeat(20_000) },
        }),
      );
      expect(response.status).toBe(413);
      expect(api.seen).toEqual([]);
    });

    it("answers 401 to a signed-out refresh before reading the body", async () => {
      const { api, sessions } = await setup();
      const response = await sessions.refresh(
        appPost("/api/chatkit/refresh", { json: { currentClientSecret: "ek_whatever" } }),
      );
      expect(response.status).toBe(401);
      expect(api.seen).toEqual([]);
    });
  });

  describe("upstream failures", () => {
    it.each([
      [401, 401],
      [429, 429],
      [500, 500],
      ["malformed", 200],
      ["redirect", 307],
    ] as const)(
      "answers 502 ERR_CHATKIT_UPSTREAM when the API answers %s",
      async (mode, status) => {
        const { api, sessions } = await setup();
        api.createMode = mode;
        const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
        expect(response.status).toBe(502);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        const body = await response.json();
        expect(body).toMatchObject({ code: "ERR_CHATKIT_UPSTREAM", upstreamStatus: status });
        expect(JSON.stringify(body)).not.toMatch(/Incorrect API key|boom|cksess/);
      },
    );

    it("logs OpenAI's error type and code, never its message", async () => {
      const { api, sessions, events } = await setup();
      api.createMode = 401;
      await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
      expect(events).toEqual([
        expect.objectContaining({
          level: "warn",
          status: 502,
          code: "ERR_CHATKIT_UPSTREAM",
          cause: expect.stringContaining("invalid_request_error, invalid_api_key"),
        }),
      ]);
      expect(JSON.stringify(events)).not.toContain("Incorrect API key");
      expect(JSON.stringify(events)).not.toContain(API_KEY.slice(0, 8));
    });

    it("answers 504 ERR_UPSTREAM_TIMEOUT when the API does not answer in time", async () => {
      const { api, sessions } = await setup({ timeout: 200 });
      api.createMode = "hang";
      const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ code: "ERR_UPSTREAM_TIMEOUT" });
    });

    it("answers 502 ERR_UPSTREAM_UNREACHABLE when nothing listens", async () => {
      const port = await closedPort();
      const sessions = createChatKitSessions({
        apiKey: API_KEY,
        workflowId: WORKFLOW_ID,
        apiBase: `http://127.0.0.1:${port}`,
        user: userFromCookie,
      });
      const response = await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ code: "ERR_UPSTREAM_UNREACHABLE" });
    });
  });

  describe("options", () => {
    const base = { apiKey: API_KEY, workflowId: WORKFLOW_ID, user: userFromCookie };
    it.each([
      ["an empty apiKey", { apiKey: "" }],
      ["an apiKey on two lines", { apiKey: `${API_KEY}\nx: y` }],
      ["an empty workflowId", { workflowId: " " }],
      ["no user function", { user: undefined }],
      ["an apiBase that is not http(s)", { apiBase: "ftp://api.openai.com" }],
      ["an apiBase with a query", { apiBase: "https://api.openai.com/?x=1" }],
      ["expiresAfter as a number", { expiresAfter: 600 }],
      ["a zero rate limit", { rateLimits: { max_requests_per_1_minute: 0 } }],
      ["a store without delete()", { store: { get() {}, set() {} } }],
      ["a negative timeout", { timeout: -1 }],
    ])("refuses %s at creation, without repeating the key", (_name, override) => {
      let thrown: unknown;
      try {
        createChatKitSessions({ ...base, ...override } as unknown as ChatKitSessionsOptions);
      } catch (error) {
        thrown = error;
      }
      expect(errorCode(thrown)).toBe("ERR_INVALID_CONFIG");
      expect(String((thrown as Error).message)).not.toContain(API_KEY);
    });

    it("defaults apiBase to https://api.openai.com", async () => {
      const urls: string[] = [];
      const sessions = createChatKitSessions({
        ...base,
        store: memorySessionStore(),
        fetch: async (input) => {
          urls.push(String(input));
          return new Response("{}", { status: 500 });
        },
      });
      await sessions.start(appPost("/api/chatkit/start", { as: "alice" }));
      expect(urls).toEqual(["https://api.openai.com/v1/chatkit/sessions"]);
    });
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = http.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
