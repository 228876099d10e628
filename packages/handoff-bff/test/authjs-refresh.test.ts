import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { decode, encode } from "@auth/core/jwt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type AuthjsRefreshOptions,
  type AuthjsTokenOptions,
  authjsToken,
  errors,
} from "../src/index.js";
import { FLAVOURS, makeProxy, startUpstream, type TestServer } from "./helpers.js";

const SECRET = "current-secret-0123456789abcdef0123456789";
const OLD_SECRET = "previous-secret-fedcba9876543210fedcba98";
const SECURE = "__Secure-authjs.session-token";
const PLAIN = "authjs.session-token";
const now = () => Math.floor(Date.now() / 1000);

interface Cookie {
  name: string;
  value: string;
}

// Chunks cut by Auth.js's own SessionStore (not exported by @auth/core), as the browser has them.
const jwtPath = createRequire(import.meta.url).resolve("@auth/core/jwt");
const { SessionStore } = (await import(
  pathToFileURL(jwtPath.replace(/jwt\.js$/, "lib/utils/cookie.js")).href
)) as {
  SessionStore: new (
    option: { name: string; options: object },
    cookies: Record<string, string>,
    logger: { debug(): void },
  ) => { chunk(value: string, options: object): Cookie[] };
};

const chunk = (name: string, value: string): Cookie[] =>
  new SessionStore({ name, options: {} }, {}, { debug() {} }).chunk(value, {});

/** A session as Auth.js's `jwt` callback would store it, its backend token due in `dueIn` s. */
async function session(
  dueIn: number,
  options: { name?: string; secret?: string; extra?: Record<string, unknown> } = {},
): Promise<{ cookies: Cookie[]; header: string; exp: number }> {
  const name = options.name ?? SECURE;
  const value = await encode({
    salt: name,
    secret: options.secret ?? SECRET,
    token: {
      name: "Ada",
      email: "ada@example.com",
      backendToken: "old-token",
      backendTokenExpiresAt: now() + dueIn,
      backendRefreshToken: "refresh-1",
      ...options.extra,
    },
  });
  const cookies = chunk(name, value);
  const header = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const exp = (await decode({ token: value, salt: name, secret: options.secret ?? SECRET }))?.exp;
  return { cookies, header, exp: exp as number };
}

/** The Set-Cookie values of a response, split into the cookies set and those expired. */
function setCookies(response: Response) {
  const written = new Map<string, { value: string; attributes: string }>();
  const expired: string[] = [];
  for (const line of response.headers.getSetCookie()) {
    const [pair = "", ...rest] = line.split("; ");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const attributes = rest.join("; ");
    if (/Max-Age=0(?:;|$)/.test(attributes)) expired.push(name);
    else written.set(name, { value: pair.slice(eq + 1), attributes });
  }
  return { written, expired };
}

/** Reassembles the written session cookie (whole or chunked) and decodes it with Auth.js. */
async function decodeWritten(
  response: Response,
  name = SECURE,
  secret: string | string[] = SECRET,
) {
  const { written } = setCookies(response);
  let value = written.get(name)?.value ?? "";
  for (let index = 0; written.has(`${name}.${index}`); index++) {
    value += written.get(`${name}.${index}`)?.value;
  }
  return decode({ token: value, salt: name, secret });
}

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());
afterEach(() => {
  upstream.seen.length = 0;
  vi.useRealTimers();
});

const newToken = (n = 2) => ({
  accessToken: `new-token-${n}`,
  expiresAt: now() + 3600,
  refreshToken: `refresh-${n}`,
});

function proxyWith(
  refresh: Partial<AuthjsRefreshOptions>,
  options: Partial<AuthjsTokenOptions> = {},
  flavour: (typeof FLAVOURS)[number] = "node",
  target = upstream.url,
) {
  const calls: unknown[] = [];
  const proxy = makeProxy(flavour, {
    upstream: target,
    mount: "/api/proxy",
    token: authjsToken({
      secret: SECRET,
      ...options,
      refresh: {
        refresh: async (input) => {
          calls.push(input);
          await new Promise((resolve) => setTimeout(resolve, 50));
          return newToken();
        },
        ...refresh,
      },
    }),
  });
  const get = (cookie: string) =>
    proxy.handle(new Request("https://app.example/api/proxy/me", { headers: { cookie } }));
  return { calls, get };
}

const bearers = () => upstream.seen.map((seen) => seen.headers.authorization);

describe.each(FLAVOURS)("authjsToken's refresh through the %s transport", (flavour) => {
  it("refreshes once for 20 concurrent requests and writes the new session to every response", async () => {
    const { calls, get } = proxyWith({}, {}, flavour);
    const old = await session(30);
    const responses = await Promise.all(Array.from({ length: 20 }, () => get(old.header)));

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      refreshToken: "refresh-1",
      token: { backendToken: "old-token", email: "ada@example.com" },
    });
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(bearers()).toEqual(Array(20).fill("Bearer new-token-2"));
    for (const response of responses) {
      const payload = await decodeWritten(response);
      expect(payload).toMatchObject({
        name: "Ada",
        email: "ada@example.com",
        backendToken: "new-token-2",
        backendRefreshToken: "refresh-2",
        // The sign-in is not lengthened: the session keeps its `exp`.
        exp: old.exp,
      });
      expect(payload?.backendTokenExpiresAt).toBeGreaterThan(now() + 3500);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
    }
  });
});

describe("authjsToken's refresh", () => {
  it("forwards a token that is not yet due without refreshing it or setting a cookie", async () => {
    const { calls, get } = proxyWith({});
    const response = await get((await session(3600)).header);
    expect(response.status).toBe(200);
    expect(calls).toHaveLength(0);
    expect(bearers()).toEqual(["Bearer old-token"]);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("refreshes only within skewSeconds of the expiry", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const { calls, get } = proxyWith({ skewSeconds: 120 });
    const { header } = await session(180);
    expect((await get(header)).headers.getSetCookie()).toEqual([]);
    vi.setSystemTime(Date.now() + 59_000);
    expect((await get(header)).headers.getSetCookie()).toEqual([]);
    vi.setSystemTime(Date.now() + 2_000);
    expect((await get(header)).headers.getSetCookie()).not.toEqual([]);
    expect(calls).toHaveLength(1);
    expect(bearers()).toEqual(["Bearer old-token", "Bearer old-token", "Bearer new-token-2"]);
  });

  it("sets the cookie as Auth.js does: HttpOnly, SameSite=Lax, Path=/, Secure for __Secure-, Max-Age to exp", async () => {
    for (const name of [SECURE, PLAIN]) {
      const old = await session(0, { name });
      const response = await proxyWith({}).get(old.header);
      const written = setCookies(response).written.get(name);
      const attributes = written?.attributes.split("; ") ?? [];
      expect(attributes).toEqual(expect.arrayContaining(["Path=/", "HttpOnly", "SameSite=Lax"]));
      expect(attributes.includes("Secure")).toBe(name === SECURE);
      const maxAge = Number(attributes.find((a) => a.startsWith("Max-Age="))?.slice(8));
      expect(Math.abs(maxAge - (old.exp - now()))).toBeLessThanOrEqual(2);
      expect(await decodeWritten(response, name)).toMatchObject({ backendToken: "new-token-2" });
    }
  });

  it("writes a session that outgrows one cookie back in chunks Auth.js reassembles", async () => {
    const old = await session(0, { extra: { profile: "p".repeat(6000) } });
    const names = old.cookies.map((c) => c.name);
    expect(names).toEqual([`${SECURE}.0`, `${SECURE}.1`, `${SECURE}.2`]);
    const response = await proxyWith({}).get(old.header);
    const { written, expired } = setCookies(response);
    expect([...written.keys()]).toEqual(names);
    expect(expired).toEqual([]);
    // Cut where Auth.js's own SessionStore cuts the same value.
    const joined = [...written.values()].map((c) => c.value).join("");
    expect([...written.values()].map((c) => c.value)).toEqual(
      chunk(SECURE, joined).map((c) => c.value),
    );
    expect(await decodeWritten(response)).toMatchObject({
      backendToken: "new-token-2",
      profile: "p".repeat(6000),
    });
  });

  it("expires the chunks a session that shrank no longer needs", async () => {
    const old = await session(0, { extra: { backendToken: "t".repeat(9000) } });
    const names = old.cookies.map((c) => c.name);
    expect(names.length).toBeGreaterThan(2);
    const response = await proxyWith({}).get(old.header);
    const { written, expired } = setCookies(response);
    expect([...written.keys()]).toEqual([SECURE]);
    expect(expired.sort()).toEqual(names);
    expect(await decodeWritten(response)).toMatchObject({ backendToken: "new-token-2" });
  });

  it("expires the unchunked cookie when the session grows into chunks", async () => {
    const old = await session(0);
    const big = { ...newToken(), accessToken: "n".repeat(9000) };
    const response = await proxyWith({ refresh: async () => big }).get(old.header);
    const { written, expired } = setCookies(response);
    expect([...written.keys()]).toEqual(
      Array.from({ length: written.size }, (_, index) => `${SECURE}.${index}`),
    );
    expect(written.size).toBeGreaterThan(2);
    expect(expired).toEqual([SECURE]);
    expect(await decodeWritten(response)).toMatchObject({ backendToken: big.accessToken });
  });

  it.each([
    ["throws", async () => Promise.reject(new Error("invalid_grant"))],
    ["resolves to null", async () => null],
    ["resolves to { error }", async () => ({ error: "RefreshTokenError" })],
  ])(
    "answers 401 ERR_SESSION_EXPIRED and expires every chunk when the refresh %s; the upstream is not called",
    async (_label, refresh) => {
      const old = await session(0, { extra: { profile: "p".repeat(6000) } });
      const response = await proxyWith({ refresh }).get(old.header);
      expect(response.status).toBe(401);
      expect((await response.json()).code).toBe("ERR_SESSION_EXPIRED");
      const { written, expired } = setCookies(response);
      expect(written.size).toBe(0);
      expect(expired).toEqual(expect.arrayContaining([`${SECURE}.0`, `${SECURE}.1`]));
      expect(upstream.seen).toHaveLength(0);
    },
  );

  it("does not log the refresh function's error, which may quote the refresh token", async () => {
    const events: unknown[] = [];
    const proxy = makeProxy("node", {
      upstream: upstream.url,
      token: authjsToken({
        secret: SECRET,
        refresh: { refresh: async () => Promise.reject(new Error("refused refresh-1")) },
      }),
      logger: (event) => events.push(event),
    });
    const { header } = await session(0);
    const response = await proxy.handle(
      new Request("https://app.example/x", { headers: { cookie: header } }),
    );
    expect(response.status).toBe(401);
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).toContain("ERR_SESSION_EXPIRED");
    expect(JSON.stringify(events)).not.toContain("refresh-1");
  });

  it("shares a failed refresh between concurrent requests and tries again afterwards", async () => {
    let calls = 0;
    const { get } = proxyWith({
      refresh: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw new Error("invalid_grant");
      },
    });
    const { header } = await session(0);
    const statuses = await Promise.all(Array.from({ length: 5 }, () => get(header)));
    expect(statuses.map((r) => r.status)).toEqual(Array(5).fill(401));
    expect(calls).toBe(1);
    await get(header);
    expect(calls).toBe(2);
  });

  it("reuses a finished refresh for a request that still carries the old cookie", async () => {
    const { calls, get } = proxyWith({});
    const { header } = await session(0);
    await get(header);
    const late = await get(header);
    expect(calls).toHaveLength(1);
    expect(await decodeWritten(late)).toMatchObject({ backendToken: "new-token-2" });
    expect(bearers()).toEqual(["Bearer new-token-2", "Bearer new-token-2"]);
  });

  it("keeps the refresh token when the refresh returns none", async () => {
    const { accessToken, expiresAt } = newToken();
    const response = await proxyWith({ refresh: async () => ({ accessToken, expiresAt }) }).get(
      (await session(0)).header,
    );
    expect(await decodeWritten(response)).toMatchObject({
      backendToken: accessToken,
      backendRefreshToken: "refresh-1",
    });
  });

  it("reads and writes the claims named by the options", async () => {
    const old = await session(0, {
      extra: { accessToken: "old-access", accessExpires: now(), rt: "rt-1" },
    });
    const { calls, get } = proxyWith(
      { expiresAtClaim: "accessExpires", refreshTokenClaim: "rt" },
      { claim: "accessToken" },
    );
    const response = await get(old.header);
    expect(calls[0]).toMatchObject({ refreshToken: "rt-1" });
    expect(await decodeWritten(response)).toMatchObject({
      accessToken: "new-token-2",
      rt: "refresh-2",
      backendToken: "old-token",
    });
  });

  it("never refreshes a session without an expiry claim", async () => {
    const old = await session(0, { extra: { backendTokenExpiresAt: undefined } });
    const { calls, get } = proxyWith({});
    expect((await get(old.header)).status).toBe(200);
    expect(calls).toHaveLength(0);
  });

  it("re-encodes a session made with a rotated-out secret with the current one", async () => {
    const old = await session(0, { secret: OLD_SECRET });
    const response = await proxyWith({}, { secret: [SECRET, OLD_SECRET] }).get(old.header);
    expect(response.status).toBe(200);
    expect(await decodeWritten(response, SECURE, SECRET)).toMatchObject({
      backendToken: "new-token-2",
    });
    await expect(decodeWritten(response, SECURE, OLD_SECRET)).rejects.toThrow();
  });

  it("sends the new session even when the upstream then fails", async () => {
    const closed = await startUpstream();
    await closed.close();
    const response = await proxyWith({}, {}, "node", closed.url).get((await session(0)).header);
    expect(response.status).toBe(502);
    expect(await decodeWritten(response)).toMatchObject({ backendToken: "new-token-2" });
  });

  it("answers 500 ERR_TOKEN_SOURCE and keeps the cookie when the refresh resolves to nonsense", async () => {
    for (const result of [
      { accessToken: "", expiresAt: now() + 60 },
      { accessToken: "a\r\nb", expiresAt: now() + 60 },
      { accessToken: "ok", expiresAt: now() - 1 },
      { accessToken: "ok", expiresAt: "soon" },
    ]) {
      const response = await proxyWith({
        refresh: async () => result as never,
      }).get((await session(0)).header);
      expect(response.status).toBe(500);
      expect((await response.json()).code).toBe("ERR_TOKEN_SOURCE");
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it("writes the cookie with the attributes given in cookieOptions", async () => {
    const old = await session(0, { name: "app.session" });
    const response = await proxyWith(
      { cookieOptions: { domain: "app.example", path: "/", sameSite: "strict", secure: true } },
      { cookieName: "app.session" },
    ).get(old.header);
    const attributes = setCookies(response).written.get("app.session")?.attributes.split("; ");
    expect(attributes).toEqual(
      expect.arrayContaining(["Domain=app.example", "Secure", "SameSite=Strict"]),
    );
  });

  it.each([
    ["a refresh that is not a function", { refresh: "yes" }],
    ["a negative skewSeconds", { skewSeconds: -1 }],
    ["an empty expiresAtClaim", { expiresAtClaim: "" }],
    ["a cookie domain with a semicolon", { cookieOptions: { domain: "a;b" } }],
    ["an unknown sameSite", { cookieOptions: { sameSite: "lenient" } }],
  ])("refuses %s with ERR_INVALID_CONFIG", (_label, refresh) => {
    const create = () =>
      authjsToken({
        secret: SECRET,
        refresh: { refresh: async () => null, ...refresh } as unknown as AuthjsRefreshOptions,
      });
    expect(create).toThrow();
    try {
      create();
    } catch (error) {
      expect(errors.errorCode(error)).toBe("ERR_INVALID_CONFIG");
    }
  });
});
