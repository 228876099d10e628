import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeAuth, withCookie } from "../../test/better-auth.js";
import {
  FLAVOURS,
  nodeRequest,
  startProxy,
  startUpstream,
  type TestServer,
} from "../../test/helpers.js";
import { betterAuthToken } from "./better-auth.js";

const NAME = "better-auth.session_token";
const cookieValue = (cookie: string) => cookie.slice(cookie.indexOf("=") + 1);

describe("betterAuthToken security", () => {
  it("refuses two session cookies, whatever the order, without asking Better Auth about either", async () => {
    const app = makeAuth();
    const victim = await app.signUp("victim");
    const attacker = await app.signUp("attacker");
    const source = betterAuthToken(app.counted);
    const victimSub = (await app.verify((await source(withCookie(victim))) as string)).sub;
    const attackerSub = (await app.verify((await source(withCookie(attacker))) as string)).sub;
    const calls = app.getTokenCalls;

    // A sibling subdomain can toss a second cookie of the same name into the victim's jar,
    // with a longer Path so that the browser sends it first. Both sessions are cached by now:
    // neither may be served.
    for (const order of [`${attacker}; ${victim}`, `${victim}; theme=dark; ${attacker}`]) {
      await expect(source(withCookie(order))).rejects.toMatchObject({
        code: "ERR_AMBIGUOUS_SESSION_COOKIE",
        status: 401,
      });
    }
    expect(app.getTokenCalls).toBe(calls);
    // Each cookie alone still gets its own session's JWT.
    expect((await app.verify((await source(withCookie(attacker))) as string)).sub).toBe(
      attackerSub,
    );
    expect((await app.verify((await source(withCookie(victim))) as string)).sub).toBe(victimSub);
  });

  it("does not serve a cached JWT to a cookie with the right session token but a forged signature", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    const source = betterAuthToken(app.auth);
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
    const [token] = cookieValue(cookie).split(".");
    expect(
      await source(withCookie(`${NAME}=${token}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D`)),
    ).toBeNull();
    expect(await source(withCookie(`${NAME}=${token}`))).toBeNull();
  });

  it("needs Better Auth told to keep the JWT off HTTP, which leaves the token source working", async () => {
    const browserGets = async (app: ReturnType<typeof makeAuth>, cookie: string) => {
      const headers = { cookie, origin: "http://localhost:3000" };
      const token = await app.auth.handler(
        new Request("http://localhost:3000/api/auth/token", { headers }),
      );
      const session = await app.auth.handler(
        new Request("http://localhost:3000/api/auth/get-session", { headers }),
      );
      return { token: token.status, header: session.headers.get("set-auth-jwt") };
    };
    // Better Auth's defaults hand the JWT to any script of the page: this is why the docs
    // tell apps to turn both off.
    const open = makeAuth({ jwtOffHttp: false });
    expect(await browserGets(open, await open.signUp("ada"))).toEqual({
      token: 200,
      header: expect.stringMatching(/^ey/),
    });
    const closed = makeAuth();
    const cookie = await closed.signUp("ada");
    expect(await browserGets(closed, cookie)).toEqual({ token: 404, header: null });
    const jwt = await betterAuthToken(closed.auth)(withCookie(cookie));
    expect(await closed.verify(jwt as string)).toMatchObject({ email: "ada@example.com" });
  });

  it("refuses an instance that serves the JWT to the browser, unless told to allow it", () => {
    const open = makeAuth({ jwtOffHttp: false });
    expect(() => betterAuthToken(open.auth)).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_CONFIG",
        message: expect.stringContaining(
          'disabledPaths: ["/token"] and jwt({ disableSettingJwtHeader: true })',
        ),
      }),
    );
    expect(() => betterAuthToken(open.auth, { allowBrowserJwt: true })).not.toThrow();
  });

  describe.each(FLAVOURS)("through the proxy (%s transport)", (flavour) => {
    const app = makeAuth();
    let upstream: TestServer;
    let proxy: TestServer;
    beforeAll(async () => {
      upstream = await startUpstream();
      proxy = await startProxy(flavour, {
        upstream: upstream.url,
        mount: "/api/proxy",
        token: betterAuthToken(app.auth),
      });
    });
    afterAll(async () => {
      await proxy.close();
      await upstream.close();
    });

    it("sends the JWT upstream only: never the cookie, never back to the browser", async () => {
      const cookie = await app.signUp(`ada-${flavour}`);
      const response = await nodeRequest(`${proxy.url}/api/proxy/me`, { headers: { cookie } });
      expect(response.status).toBe(200);
      const seen = upstream.seen.at(-1);
      const authorization = String(seen?.headers.authorization);
      expect(authorization).toMatch(/^Bearer ey/);
      const jwt = authorization.slice("Bearer ".length);
      expect(await app.verify(jwt)).toMatchObject({ email: `ada-${flavour}@example.com` });
      expect(seen?.headers.cookie).toBeUndefined();
      expect(JSON.stringify(response.headers)).not.toContain(jwt);
      expect(response.body.toString()).not.toContain(jwt);
    });

    it("answers 401 without a session and 500 ERR_TOKEN_SOURCE when Better Auth fails, upstream untouched", async () => {
      const cookie = await app.signUp(`bob-${flavour}`);
      const before = upstream.seen.length;
      const anonymous = await nodeRequest(`${proxy.url}/api/proxy/me`);
      expect(anonymous.status).toBe(401);
      expect(JSON.parse(anonymous.body.toString()).code).toBe("ERR_UNAUTHENTICATED");
      app.failing.add("jwks");
      try {
        const failed = await nodeRequest(`${proxy.url}/api/proxy/me`, { headers: { cookie } });
        expect(failed.status).toBe(500);
        const text = failed.body.toString();
        expect(JSON.parse(text).code).toBe("ERR_TOKEN_SOURCE");
        expect(text).not.toContain("hunter2");
        expect(text).not.toContain("ECONNREFUSED");
      } finally {
        app.failing.clear();
      }
      expect(upstream.seen.length).toBe(before);
    });
  });
});
