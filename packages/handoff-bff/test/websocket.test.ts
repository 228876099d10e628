import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { cookieToken, memoryRevocation, type TokenSource } from "../src/index.node.js";
import { COOKIE, rawExchange, type TestServer, TOKEN } from "./helpers.js";
import {
  closed,
  MOUNT,
  nextMessage,
  openClient,
  Refused,
  startWsProxy,
  startWsUpstream,
  WS_VIAS,
  type WsUpstream,
} from "./ws-world.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function world(
  via: (typeof WS_VIAS)[number],
  options: { token?: TokenSource; websocket?: object; base?: string } = {},
  onConnection?: Parameters<typeof startWsUpstream>[0],
  deflate = false,
): Promise<{
  upstream: WsUpstream;
  proxy: TestServer;
  wsUrl: string;
  fallbackUpgrades: string[];
  clientSockets: import("node:stream").Duplex[];
}> {
  const upstream = await startWsUpstream(onConnection, { perMessageDeflate: deflate });
  const { server, fallbackUpgrades, clientSockets } = await startWsProxy(via, {
    upstream: `${upstream.url}${options.base ?? ""}`,
    token: options.token ?? cookieToken("auth_token"),
    websocket: options.websocket ?? true,
  });
  cleanups.push(
    () => server.close(),
    () => upstream.close(),
  );
  return {
    upstream,
    proxy: server,
    wsUrl: server.url.replace("http", "ws"),
    fallbackUpgrades,
    clientSockets,
  };
}

const withCookie = { headers: { cookie: COOKIE } };

describe.each(WS_VIAS)("WebSockets through %s", (via) => {
  it("relays messages both ways, with the subprotocol the upstream chose", async () => {
    const { wsUrl } = await world(via);
    const client = await openClient(`${wsUrl}${MOUNT}/feed`, {
      ...withCookie,
      protocols: ["chat.v1", "chat.v2"],
    });
    expect(client.protocol).toBe("chat.v2");
    client.send("hello");
    expect(await nextMessage(client)).toBe("hello");
    client.send(Buffer.from([0, 1, 255]));
    expect(await nextMessage(client)).toBe(Buffer.from([0, 1, 255]).toString());
    client.close();
  });

  it("opens the upstream's socket at its base path with Authorization: Bearer, and no Cookie", async () => {
    const { wsUrl, upstream } = await world(via, { base: "/v1" });
    const client = await openClient(`${wsUrl}${MOUNT}/feed?room=a%20b`, {
      headers: { cookie: COOKIE, authorization: "Bearer chosen-by-the-client" },
      protocols: ["chat.v2"],
    });
    const seen = upstream.handshakes.at(-1);
    expect(seen?.url).toBe("/v1/feed?room=a%20b");
    expect(seen?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers["sec-websocket-protocol"]).toBe("chat.v2");
    expect(seen?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    client.close();
  });

  it("negotiates permessage-deflate end to end", async () => {
    const { wsUrl, upstream } = await world(via, {}, undefined, true);
    const client = await openClient(`${wsUrl}${MOUNT}/feed`, {
      ...withCookie,
      perMessageDeflate: true,
    });
    expect(client.extensions).toContain("permessage-deflate");
    expect(upstream.handshakes.at(-1)?.headers["sec-websocket-extensions"]).toContain(
      "permessage-deflate",
    );
    client.send("a".repeat(10_000));
    expect(await nextMessage(client)).toBe("a".repeat(10_000));
    client.close();
  });

  it("passes the upstream's close code to the client, and the client's to the upstream", async () => {
    const upstreamCloses: number[] = [];
    const { wsUrl } = await world(via, {}, (socket) => {
      socket.on("close", (code) => upstreamCloses.push(code));
      socket.on("message", (data) => {
        if (data.toString() === "bye") socket.close(4000, "bye");
      });
    });
    const first = await openClient(`${wsUrl}${MOUNT}/a`, withCookie);
    first.send("bye");
    expect(await closed(first)).toEqual({ code: 4000, reason: "bye" });
    const second = await openClient(`${wsUrl}${MOUNT}/b`, withCookie);
    const done = closed(second);
    second.close(4100, "done");
    await done;
    await expect.poll(() => upstreamCloses).toEqual([4000, 4100]);
  });

  it("pauses the upstream while the client does not read, holding little in the proxy", async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    let sender: WebSocket | undefined;
    const { wsUrl, clientSockets } = await world(
      via,
      { websocket: { maxMessageBytes: 128 * 1024 } },
      (socket) => {
        sender = socket;
        for (let i = 0; i < 800; i++) socket.send(chunk);
      },
    );
    const client = await openClient(`${wsUrl}${MOUNT}/firehose`, withCookie);
    client.pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // 50 MiB offered; the kernel's buffers hold some, the upstream's own queue the rest.
    expect(sender?.bufferedAmount).toBeGreaterThan(8 * 1024 * 1024);
    expect(clientSockets.at(-1)?.writableLength).toBeLessThan(1024 * 1024);
    let received = 0;
    const all = new Promise<void>((resolve) =>
      client.on("message", () => {
        if (++received === 800) resolve();
      }),
    );
    client.resume();
    await all;
    client.close();
  });

  it("closes an idle socket with 1001 on both sides", async () => {
    const upstreamCloses: number[] = [];
    const { wsUrl } = await world(via, { websocket: { idleTimeout: 300 } }, (socket) =>
      socket.on("close", (code) => upstreamCloses.push(code)),
    );
    const client = await openClient(`${wsUrl}${MOUNT}/quiet`, withCookie);
    const started = Date.now();
    expect((await closed(client)).code).toBe(1001);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expect.poll(() => upstreamCloses).toEqual([1001]);
  });

  it("closes with 1009 a message over maxMessageBytes, before any of it reaches the upstream", async () => {
    const upstreamCloses: number[] = [];
    const messages: string[] = [];
    const { wsUrl } = await world(via, { websocket: { maxMessageBytes: 1024 } }, (socket) => {
      socket.on("message", (data) => messages.push(data.toString()));
      socket.on("close", (code) => upstreamCloses.push(code));
    });
    const client = await openClient(`${wsUrl}${MOUNT}/feed`, withCookie);
    client.send("x".repeat(1024));
    client.send("y".repeat(1025));
    expect((await closed(client)).code).toBe(1009);
    await expect.poll(() => upstreamCloses).toEqual([1009]);
    expect(messages).toEqual(["x".repeat(1024)]);
  });

  it("closes with 4401 within a second of the session's revocation", async () => {
    const revocation = memoryRevocation();
    const token = Object.assign(cookieToken("auth_token"), {
      sessionKey: () => "session-1",
      revocation,
    });
    const { wsUrl } = await world(via, { token });
    const client = await openClient(`${wsUrl}${MOUNT}/feed`, withCookie);
    const started = Date.now();
    await revocation.revoke("session-1");
    expect(await closed(client)).toEqual({ code: 4401, reason: "session ended" });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("closes with 4401 when a recheck finds the session gone", async () => {
    let signedIn = true;
    const { wsUrl } = await world(via, {
      token: () => (signedIn ? TOKEN : null),
      websocket: { recheckInterval: 100 },
    });
    const client = await openClient(`${wsUrl}${MOUNT}/feed`, withCookie);
    signedIn = false;
    expect((await closed(client)).code).toBe(4401);
  });

  it("closes with 4401 when the JWT it was opened with expires", async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const exp = Math.floor(Date.now() / 1000) + 1;
    const jwt = `${part({ alg: "HS256" })}.${part({ sub: "u1", exp })}.c2ln`;
    const { wsUrl } = await world(via, { token: () => jwt, websocket: { recheckInterval: false } });
    const client = await openClient(`${wsUrl}${MOUNT}/feed`, withCookie);
    expect(await closed(client)).toEqual({ code: 4401, reason: "token expired" });
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
  });

  it("refuses an ambiguous path with 400 ERR_AMBIGUOUS_PATH, as for HTTP", async () => {
    const { wsUrl, upstream } = await world(via);
    const refusal = await openClient(`${wsUrl}${MOUNT}/a/..;/b`, withCookie).catch((e) => e);
    expect(refusal).toBeInstanceOf(Refused);
    expect([refusal.status, refusal.code]).toEqual([400, "ERR_AMBIGUOUS_PATH"]);
    expect(upstream.connections).toBe(0);
  });

  it("answers 502 ERR_UPSTREAM_FAILED when the upstream refuses the upgrade", async () => {
    const { wsUrl } = await world(via, { base: "/reject" });
    const refusal = await openClient(`${wsUrl}${MOUNT}/feed`, withCookie).catch((e) => e);
    expect([refusal.status, refusal.code]).toEqual([502, "ERR_UPSTREAM_FAILED"]);
  });
});

describe("WebSockets through createFrontDoor", () => {
  it("hands a WebSocket outside the mount to the fallback's upgrade handler", async () => {
    const { proxy, upstream, fallbackUpgrades } = await world("createFrontDoor");
    const answer = await rawExchange(
      proxy.port,
      `GET /_next/webpack-hmr HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 101 /);
    expect(fallbackUpgrades).toEqual(["/_next/webpack-hmr"]);
    expect(upstream.connections).toBe(0);
  });
});
