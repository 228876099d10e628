import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieToken } from "../src/index.js";
import {
  COOKIE,
  FLAVOURS,
  rawExchange,
  startProxy,
  startUpstream,
  type TestServer,
} from "./helpers.js";
import { generatedPaths, isUnder, lenientReadings } from "./lenient-reader.js";

const BASE = "/v1/agent";

/** Whether any lenient reading of an upstream request-target leaves the base path. */
const leavesBase = (target: string) => lenientReadings(target).some((read) => !isUnder(read, BASE));

describe.each(FLAVOURS)("a mount's base path through the %s transport", (flavour) => {
  let upstream: TestServer;
  let proxy: TestServer;

  beforeAll(async () => {
    upstream = await startUpstream();
    proxy = await startProxy(flavour, {
      upstream: `${upstream.url}${BASE}`,
      mount: "/api/agent",
      token: cookieToken("auth_token"),
    });
  });
  afterAll(async () => {
    await Promise.all([proxy.close(), upstream.close()]);
  });

  /** Raw bytes: an HTTP client library would normalise the path before sending it. */
  const send = async (target: string) => {
    const response = await rawExchange(
      proxy.port,
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${COOKIE}\r\nConnection: close\r\n\r\n`,
    );
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
    const code = /"code":"([A-Z_]+)"/.exec(response)?.[1];
    return { status, code };
  };

  it.each([
    ["`;` parameters on dot segments", "/api/agent/..;/..;/api/tasks"],
    ["parameters with a value", "/api/agent/..;jsessionid=1/..;x/api/tasks"],
    ["encoded dots with parameters", "/api/agent/%2e%2e;/%2E%2e;/api/tasks"],
    ["a single dot with parameters", "/api/agent/.;/..;/api/tasks"],
    ["an encoded semicolon", "/api/agent/..%3b/..%3B/api/tasks"],
    [
      "a double-encoded path ending in a malformed escape",
      "/api/agent/%252e%252e/%252e%252e/x/%25zz",
    ],
    [
      "a malformed escape before the double-encoded dots",
      "/api/agent/%25zz/%252e%252e/%252e%252e/x",
    ],
  ])("refuses %s with 400 ERR_AMBIGUOUS_PATH and forwards nothing", async (_name, target) => {
    const upstreamPath = BASE + target.slice("/api/agent".length);
    // The attack is real: a lenient upstream would read this request outside the base path.
    expect(leavesBase(upstreamPath)).toBe(true);
    const before = upstream.seen.length;
    expect(await send(target)).toEqual({ status: 400, code: "ERR_AMBIGUOUS_PATH" });
    expect(upstream.seen.length).toBe(before);
  });

  it("forwards no generated path that a lenient upstream reads outside the base path", async () => {
    const paths = generatedPaths(1500, flavour === "node" ? 9111 : 3986);
    const queue = paths.map((path) => `/api/agent${path}`);
    const answers = new Map<string, { status: number; code: string | undefined }>();
    const before = upstream.seen.length;
    const worker = async () => {
      for (let target = queue.pop(); target !== undefined; target = queue.pop()) {
        answers.set(target, await send(target));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    const forwarded = upstream.seen.slice(before);
    for (const seen of forwarded) {
      expect([seen.url, lenientReadings(seen.url).filter((read) => !isUnder(read, BASE))]).toEqual([
        seen.url,
        [],
      ]);
    }
    let escaping = 0;
    for (const path of paths) {
      const answer = answers.get(`/api/agent${path}`);
      if (!leavesBase(BASE + path)) continue;
      escaping++;
      expect([path, answer?.status]).toEqual([path, 400]);
      expect(answer?.code).toBe("ERR_AMBIGUOUS_PATH");
    }
    // Both kinds were generated, so neither loop above ran empty.
    expect(escaping).toBeGreaterThan(150);
    expect(forwarded.length).toBeGreaterThan(100);
    expect([...answers.values()].filter((answer) => answer.status === 200)).toHaveLength(
      forwarded.length,
    );
  });
});
