import { afterEach, describe, expect, it } from "vitest";
import { cookieToken } from "../src/index.node.js";
import { COOKIE } from "./helpers.js";
import { MOUNT, openClient, Refused, startWsProxy, startWsUpstream, WS_VIAS } from "./ws-world.js";

// Cross-site WebSocket hijacking: a browser attaches cookies to a cross-site WebSocket
// handshake and no CORS applies, so the handshake's Origin is the only defence (RFC 6455 §10.2).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function world(via: (typeof WS_VIAS)[number], csrf?: { allowedOrigins: string[] }) {
  const canary = await startWsUpstream();
  const { server } = await startWsProxy(via, {
    upstream: canary.url,
    token: cookieToken("auth_token"),
    websocket: true,
    ...(csrf ? { csrf } : {}),
  });
  cleanups.push(
    () => server.close(),
    () => canary.close(),
  );
  return { canary, url: `${server.url.replace("http", "ws")}${MOUNT}/feed` };
}

async function refusal(promise: Promise<unknown>): Promise<[number, string]> {
  const error = await promise.then(
    () => new Error("opened"),
    (e: unknown) => e,
  );
  if (!(error instanceof Refused)) throw error;
  return [error.status, error.code];
}

describe.each(WS_VIAS)("WebSocket handshakes through %s", (via) => {
  it("refuses a cross-site Origin with 403, and the upstream receives no connection", async () => {
    const { canary, url } = await world(via);
    const answer = await refusal(
      openClient(url, { headers: { cookie: COOKIE }, origin: "https://evil.example" }),
    );
    expect(answer).toEqual([403, "ERR_CSRF_ORIGIN_MISMATCH"]);
    expect(canary.connections).toBe(0);
  });

  it("refuses a handshake without Origin with 403: every browser sends one", async () => {
    const { canary, url } = await world(via);
    const answer = await refusal(openClient(url, { headers: { cookie: COOKIE }, origin: null }));
    expect(answer).toEqual([403, "ERR_CSRF_ORIGIN_MISMATCH"]);
    expect(canary.connections).toBe(0);
  });

  it("refuses Sec-Fetch-Site: same-site with 403 ERR_CSRF_CROSS_SITE", async () => {
    const { canary, url } = await world(via);
    const answer = await refusal(
      openClient(url, { headers: { cookie: COOKIE, "sec-fetch-site": "same-site" } }),
    );
    expect(answer).toEqual([403, "ERR_CSRF_CROSS_SITE"]);
    expect(canary.connections).toBe(0);
  });

  it("refuses a handshake without a session with 401 ERR_UNAUTHENTICATED", async () => {
    const { canary, url } = await world(via);
    expect(await refusal(openClient(url))).toEqual([401, "ERR_UNAUTHENTICATED"]);
    expect(canary.connections).toBe(0);
  });

  it("accepts an Origin listed in csrf.allowedOrigins, and only that one", async () => {
    const { url } = await world(via, { allowedOrigins: ["https://app.example.com"] });
    const client = await openClient(url, {
      headers: { cookie: COOKIE },
      origin: "https://app.example.com",
    });
    client.close();
    const own = await refusal(openClient(url, { headers: { cookie: COOKIE } }));
    expect(own).toEqual([403, "ERR_CSRF_ORIGIN_MISMATCH"]);
  });
});
