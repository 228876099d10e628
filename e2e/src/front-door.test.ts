/**
 * apps/web starts through Handoff's front door (server.mjs), not `next start`: a proxied
 * request reaches the upstream as the client sent it, with the socket's address. Under the
 * route handlers Next re-serialises the query and the proxy knows no address to forward.
 * A stub upstream on 127.0.0.1 stands in for the API and records what arrives.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newUser } from "./session.js";
import { type System, startSystem } from "./system.js";

interface Seen {
  url: string | undefined;
  forwardedFor: string | undefined;
  authorization: string | undefined;
}

let system: System;
let upstream: Server;
let seen: Seen[] = [];
let cookie = "";

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({
      url: req.url,
      forwardedFor: req.headers["x-forwarded-for"] as string | undefined,
      authorization: req.headers.authorization,
    });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const api = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  system = await startSystem({ webEnv: { API_URL: api } });
  const signedUp = await fetch(`${system.web}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: system.web },
    body: JSON.stringify(newUser()),
  });
  expect(signedUp.status).toBe(200);
  cookie = signedUp.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
});
afterAll(async () => {
  await system?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

/** A GET with the request-target written exactly as given (fetch would parse it first). */
function rawGet(target: string, headers: Record<string, string>): Promise<number> {
  const { hostname, port } = new URL(system.web);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path: target, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    })
      .on("error", reject)
      .end();
  });
}

describe("the front door before Next", () => {
  it("forwards the raw query byte for byte and the socket's address as X-Forwarded-For", async () => {
    seen = [];
    const status = await rawGet("/api/proxy/echo?a=%7e&b=+", {
      cookie,
      // The client's own claim: the front door forwards the socket's address instead.
      "x-forwarded-for": "203.0.113.9",
    });
    expect(status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("/echo?a=%7e&b=+");
    expect(seen[0]?.forwardedFor).toBe("127.0.0.1");
    expect(seen[0]?.authorization).toMatch(/^Bearer ey/);
  });
});
