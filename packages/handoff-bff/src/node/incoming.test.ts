import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenOn, rawExchange, startRawUpstream, type TestServer } from "../../test/helpers.js";
import { createProxy } from "../index.node.js";
import type { HandoffProxy } from "../proxy/create-proxy.js";
import { toNodeListener } from "./listener.js";

// The Node path builds no `Request` or `Response`; these cases hold it to the bytes that the
// path through `handle` (a wrapper proxy, which has no Node path) puts on both wires.

let upstream: TestServer;
let fast: TestServer;
let viaHandle: TestServer;

beforeAll(async () => {
  upstream = await startRawUpstream((_req, res) => {
    res.writeHead(200, [
      "Vary",
      "accept",
      "Set-Cookie",
      "a=1",
      "X-Pad",
      "  padded\t",
      "vary",
      "origin",
      "Set-Cookie",
      "b=2",
      "Content-Length",
      "2",
    ]);
    res.end("ok");
  });
  const proxy = createProxy({
    upstream: upstream.url,
    mount: "/api",
    token: () => "t0ken",
    setCookie: "pass",
  });
  const wrapper: HandoffProxy = {
    mount: "/api",
    handle: (request, context) => proxy.handle(request, context),
  };
  fast = await listenOn(http.createServer(toNodeListener(proxy)));
  viaHandle = await listenOn(http.createServer(toNodeListener(wrapper)));
});
afterAll(async () => {
  await Promise.all([upstream.close(), fast.close(), viaHandle.close()]);
});

const withoutDate = (raw: string) => raw.replace(/^date: .*\r\n/im, "");

describe("the Node path without a Request", () => {
  it("sends the upstream the headers and answers the client the bytes that handle does", async () => {
    const request = [
      "GET /api/x/%41?b=1&a=%20 HTTP/1.1",
      "Host: app.example",
      "X-Request-Id: req-1",
      "Accept: a",
      "accept: b",
      "Cookie: x=1",
      "Cookie: y=2",
      "X-Trail: value ",
      "Connection: close",
      "",
      "",
    ].join("\r\n");
    const answers = [];
    for (const server of [fast, viaHandle]) {
      answers.push(withoutDate(await rawExchange(server.port, request)));
    }
    expect(answers[0]).toContain("set-cookie: a=1\r\nset-cookie: b=2");
    expect(answers[0]).toContain("vary: accept, origin");
    expect(answers[0]).toBe(answers[1]);
    const [one, two] = upstream.seen.slice(-2);
    expect(one?.url).toBe("/x/%41?b=1&a=%20");
    expect(one?.rawHeaders.filter((_, i) => i % 2 === 0)).toEqual(
      two?.rawHeaders.filter((_, i) => i % 2 === 0),
    );
    expect(one?.headers).toEqual(two?.headers);
  });

  it("refuses what new Request refuses, as handle's path does", async () => {
    const bad = "GET /api/x HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n";
    for (const server of [fast, viaHandle]) {
      const raw = await rawExchange(server.port, bad);
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).toContain("ERR_AMBIGUOUS_PATH");
    }
  });
});
