import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  API_KEY,
  type ChatKitStandIn,
  startChatKitStandIn,
  userFromCookie,
  WORKFLOW_ID,
} from "../../../test/chatkit-stand-in.js";
import { ProblemError } from "../../client/problem-error.js";
import type { CsrfOptions } from "../../csrf/check.js";
import { toNodeListener } from "../../node/listener.js";
import { createChatKitSessions } from "../create-chatkit-sessions.js";
import type { ChatKitSessions } from "../types.js";
import { createClientSecretGetter } from "./client-secret-getter.js";

/** The browser helper against the real handlers behind node:http, as the web app serves them. */
describe("createClientSecretGetter", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    vi.unstubAllGlobals();
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function setup(csrf: CsrfOptions = {}) {
    const api: ChatKitStandIn = await startChatKitStandIn({
      apiKey: API_KEY,
      workflowId: WORKFLOW_ID,
    });
    closers.push(api.close);
    const make = () =>
      createChatKitSessions({
        apiKey: API_KEY,
        workflowId: WORKFLOW_ID,
        apiBase: api.url,
        user: userFromCookie,
        csrf,
      });
    const app = { sessions: make() };
    const server = http.createServer(
      toNodeListener({
        handle: (request) => route(app.sessions, request),
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    // What a page of the app is: its origin (for the CSRF header) and a cookie jar of one.
    vi.stubGlobal("location", { origin });
    const browser = (sid: string | null) => (input: RequestInfo | URL) => {
      const request = input as Request; // createFetch always passes a Request
      if (sid !== null) request.headers.set("cookie", `sid=${sid}`);
      request.headers.set("origin", origin);
      request.headers.set("sec-fetch-site", "same-origin");
      return fetch(request);
    };
    const getter = (sid: string | null, extra = {}) =>
      createClientSecretGetter({
        startUrl: `${origin}/api/chatkit/start`,
        refreshUrl: `${origin}/api/chatkit/refresh`,
        fetch: browser(sid),
        ...extra,
      });
    return { api, app, make, getter };
  }

  it("starts a session with null, then refreshes it with the current secret", async () => {
    const { api, getter } = await setup();
    const getClientSecret = getter("sid-alice");

    const first = await getClientSecret(null);
    expect(first).toBe(api.sessions.get("cksess_1")?.client_secret);
    const second = await getClientSecret(first);
    expect(second).toBe(api.sessions.get("cksess_2")?.client_secret);
    expect(api.cancelled).toEqual(["cksess_1"]);
    expect(api.sessions.get("cksess_2")?.user).toBe("user_alice");
    expect(api.violations).toEqual([]);
  });

  it("rejects with ERR_UNAUTHENTICATED when signed out, after calling onUnauthorized", async () => {
    const { api, getter } = await setup();
    const onUnauthorized = vi.fn();
    const error = await getter(null, { onUnauthorized })(null).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).code).toBe("ERR_UNAUTHENTICATED");
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(api.seen).toEqual([]);
  });

  it("starts over when the server no longer knows the secret (a restart with a memory store)", async () => {
    const { api, app, make, getter } = await setup();
    const getClientSecret = getter("sid-alice");
    const first = await getClientSecret(null);
    app.sessions = make(); // the web app restarted: its memory store is empty

    const next = await getClientSecret(first);
    expect(next).toBe(api.sessions.get("cksess_2")?.client_secret);
    // Nothing is cancelled for a secret the server cannot vouch for.
    expect(api.cancelled).toEqual([]);
  });

  it("gives another user's secret no power: bob's refresh starts bob's own session", async () => {
    const { api, getter } = await setup();
    const alices = await getter("sid-alice")(null);
    const bobs = await getter("sid-bob")(alices);
    expect(bobs).toBe(api.sessions.get("cksess_2")?.client_secret);
    expect(api.sessions.get("cksess_2")?.user).toBe("user_bob");
    expect(api.cancelled).toEqual([]);
  });

  it("sends the anti-CSRF header that csrf.requireHeader asks for", async () => {
    const { getter } = await setup({ requireHeader: "x-csrf" });
    const error = await getter("sid-alice")(null).catch((thrown: unknown) => thrown);
    expect((error as ProblemError).code).toBe("ERR_CSRF_HEADER_MISSING");

    const getClientSecret = getter("sid-alice", { csrfHeader: true });
    const first = await getClientSecret(null);
    expect(await getClientSecret(first)).toMatch(/^ek_/);
  });

  it("rejects with the server's code when the Sessions API fails", async () => {
    const { api, getter } = await setup();
    api.createMode = 500;
    const error = await getter("sid-alice")(null).catch((thrown: unknown) => thrown);
    expect((error as ProblemError).code).toBe("ERR_CHATKIT_UPSTREAM");
    expect((error as ProblemError).status).toBe(502);
  });

  it("rejects a 2xx answer without a client_secret", async () => {
    const getClientSecret = createClientSecretGetter({
      fetch: async () => Response.json({ expires_at: 1 }),
      startUrl: "http://app.test/api/chatkit/start",
    });
    await expect(getClientSecret(null)).rejects.toThrow(TypeError);
  });

  it("posts to /api/chatkit/start and /api/chatkit/refresh by default", async () => {
    vi.stubGlobal("location", { origin: "http://app.test" });
    const seen: Array<{ url: string; method: string; body: string; credentials: string }> = [];
    const getClientSecret = createClientSecretGetter({
      fetch: async (input) => {
        const request = input as Request;
        seen.push({
          url: request.url,
          method: request.method,
          body: await request.text(),
          credentials: request.credentials,
        });
        return Response.json({ client_secret: "ek_next", expires_at: 1 });
      },
    });
    vi.stubGlobal("Request", requestWithBase("http://app.test"));
    await getClientSecret(null);
    await getClientSecret("ek_current");
    expect(seen).toEqual([
      {
        url: "http://app.test/api/chatkit/start",
        method: "POST",
        body: "",
        credentials: "same-origin",
      },
      {
        url: "http://app.test/api/chatkit/refresh",
        method: "POST",
        body: JSON.stringify({ currentClientSecret: "ek_current" }),
        credentials: "same-origin",
      },
    ]);
  });
});

function route(sessions: ChatKitSessions, request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/api/chatkit/start") return sessions.start(request);
  if (path === "/api/chatkit/refresh") return sessions.refresh(request);
  return Promise.resolve(new Response(null, { status: 404 }));
}

/** `Request` as a page has it: relative URLs resolve against the page's origin. */
function requestWithBase(origin: string): typeof Request {
  const Native = Request;
  return class extends Native {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, origin) : input, init);
    }
  } as typeof Request;
}
