import { decodeJwt } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeAuth, withCookie } from "../../test/better-auth.js";
import { errorCode } from "../errors.js";
import { memoryRevocation } from "../revocation/memory-revocation.js";
import { betterAuthToken } from "./better-auth.js";

// Only `Date` is faked: Better Auth, jose and the cache all read the clock through it, while
// promises and I/O run as usual.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("betterAuthToken", () => {
  it("returns the session's JWT, which verifies against the instance's JWKS", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    const token = await betterAuthToken(app.auth)(withCookie(`theme=dark; ${cookie}`));
    expect(typeof token).toBe("string");
    const claims = await app.verify(token as string);
    expect(claims).toMatchObject({
      email: "ada@example.com",
      tenant_id: "tenant_ada",
      aud: "https://api.taskflow.example",
    });
    expect(claims.sub).toMatch(/^\w+$/);
  });

  it("serves the next request from its cache, without calling Better Auth at all", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    const source = betterAuthToken(app.counted);
    const first = await source(withCookie(cookie));
    const dbBefore = app.dbCalls.length;
    const second = await source(withCookie(cookie));
    const third = await source(withCookie(`other=1; ${cookie}`));
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(app.getTokenCalls).toBe(1);
    expect(app.dbCalls.length).toBe(dbBefore); // no session lookup, no signing key read
  });

  it("fetches a new JWT once fewer than refreshBeforeSeconds remain before exp", async () => {
    const app = makeAuth(); // the JWT plugin's default lifetime: 15 minutes
    const cookie = await app.signUp("ada");
    const source = betterAuthToken(app.counted, { refreshBeforeSeconds: 60 });
    const first = (await source(withCookie(cookie))) as string;
    const exp = decodeJwt(first).exp as number;

    vi.setSystemTime(exp * 1000 - 61_000);
    expect(await source(withCookie(cookie))).toBe(first);
    expect(app.getTokenCalls).toBe(1);

    vi.setSystemTime(exp * 1000 - 59_000);
    const second = (await source(withCookie(cookie))) as string;
    expect(app.getTokenCalls).toBe(2);
    expect(second).not.toBe(first);
    expect(decodeJwt(second).exp).toBeGreaterThan(exp);
    expect(await app.verify(second)).toMatchObject({ email: "ada@example.com" });
  });

  it("serves a JWT no longer than maxCacheSeconds", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    const source = betterAuthToken(app.counted, { maxCacheSeconds: 30 });
    await source(withCookie(cookie));
    vi.advanceTimersByTime(29_000);
    await source(withCookie(cookie));
    expect(app.getTokenCalls).toBe(1);
    vi.advanceTimersByTime(2_000);
    await source(withCookie(cookie));
    expect(app.getTokenCalls).toBe(2);
  });

  it("does not cache a JWT that would already be due for refresh", async () => {
    const app = makeAuth({ expirationTime: "30s" });
    const cookie = await app.signUp("ada");
    const source = betterAuthToken(app.counted, { refreshBeforeSeconds: 60 });
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
    expect(app.getTokenCalls).toBe(2);
  });

  it("shares one fetch among concurrent requests of a session", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    const source = betterAuthToken(app.counted);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source(withCookie(cookie))));
    expect(new Set(tokens).size).toBe(1);
    expect(app.getTokenCalls).toBe(1);
  });

  it("keeps sessions apart: other users and other sessions of one user", async () => {
    const app = makeAuth();
    const ada = await app.signUp("ada");
    const bob = await app.signUp("bob");
    const adaAgain = await app.signIn("ada");
    const source = betterAuthToken(app.counted);
    const [adaToken, bobToken, adaAgainToken] = await Promise.all(
      [ada, bob, adaAgain].map((cookie) => source(withCookie(cookie))),
    );
    expect(app.getTokenCalls).toBe(3);
    expect((await app.verify(adaToken as string)).email).toBe("ada@example.com");
    expect((await app.verify(bobToken as string)).email).toBe("bob@example.com");
    expect((await app.verify(adaAgainToken as string)).email).toBe("ada@example.com");
    expect(await source(withCookie(bob))).toBe(bobToken);
    expect(await source(withCookie(ada))).toBe(adaToken);
  });

  it("resolves to null without a session cookie, without calling Better Auth", async () => {
    const app = makeAuth();
    const source = betterAuthToken(app.counted);
    expect(await source(withCookie(null))).toBeNull();
    expect(await source(withCookie("theme=dark"))).toBeNull();
    expect(await source(withCookie("better-auth.session_token="))).toBeNull();
    expect(app.getTokenCalls).toBe(0);
  });

  it("resolves to null for a cookie Better Auth does not accept", async () => {
    const app = makeAuth();
    const source = betterAuthToken(app.counted);
    expect(await source(withCookie("better-auth.session_token=bogus"))).toBeNull();
    expect(await source(withCookie("better-auth.session_token=abc.def"))).toBeNull();
    expect(app.getTokenCalls).toBe(2);
  });

  it("resolves to null once the session is signed out (its cookie gone or replayed)", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    await app.auth.api.signOut({ headers: new Headers({ cookie }) });
    expect(await betterAuthToken(app.auth)(withCookie(cookie))).toBeNull();
  });

  it("serves a session revoked elsewhere until its cached JWT is replaced", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    const source = betterAuthToken(app.counted, { maxCacheSeconds: 60 });
    const token = await source(withCookie(cookie));
    await app.auth.api.revokeSessions({ headers: new Headers({ cookie }) });
    // The documented window: the cache does not know of the revocation…
    expect(await source(withCookie(cookie))).toBe(token);
    // …until the entry is due, when Better Auth finds no session.
    vi.advanceTimersByTime(61_000);
    expect(await source(withCookie(cookie))).toBeNull();
  });

  it("holds at most maxEntries sessions, dropping the least recently used", async () => {
    const app = makeAuth();
    const [a, b, c] = [await app.signUp("a"), await app.signUp("b"), await app.signUp("c")];
    const source = betterAuthToken(app.counted, { maxEntries: 2 });
    await source(withCookie(a));
    await source(withCookie(b));
    await source(withCookie(a)); // a is now the most recently used
    await source(withCookie(c)); // evicts b
    expect(app.getTokenCalls).toBe(3);
    await source(withCookie(a));
    await source(withCookie(c));
    expect(app.getTokenCalls).toBe(3);
    await source(withCookie(b));
    expect(app.getTokenCalls).toBe(4);
  });

  it("rejects without details when Better Auth fails, and retries next time", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    app.failing.add("jwks"); // the signing key cannot be read
    const source = betterAuthToken(app.auth);
    const failure = await source(withCookie(cookie)).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toBe("betterAuthToken: Better Auth could not issue a token");
    expect(failure?.message).not.toContain("hunter2");
    app.failing.clear();
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
  });

  it("resolves to null when the session lookup itself fails: Better Auth reports no session", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    app.failing.add("session");
    expect(await betterAuthToken(app.auth)(withCookie(cookie))).toBeNull();
  });

  it("reads the session cookie's name from the instance (__Secure- on https)", async () => {
    const app = makeAuth({ baseURL: "https://app.example" });
    const cookie = await app.signUp("ada");
    expect(cookie.startsWith("__Secure-better-auth.session_token=")).toBe(true);
    const source = betterAuthToken(app.auth);
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
    const plain = cookie.replace("__Secure-", "");
    expect(await betterAuthToken(app.counted)(withCookie(plain))).toBeNull();
    expect(app.getTokenCalls).toBe(0);
  });

  it("uses cookieName when given", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("ada");
    const renamed = cookie.replace("better-auth.session_token", "sid");
    const source = betterAuthToken(
      { api: app.counted.api },
      { cookieName: "better-auth.session_token" },
    );
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
    expect(await source(withCookie(renamed))).toBeNull();
  });

  it("refuses unusable options at creation", () => {
    const app = makeAuth();
    const codeOf = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return errorCode(error);
      }
      return undefined;
    };
    const invalid = "ERR_INVALID_CONFIG";
    expect(codeOf(() => betterAuthToken({} as never))).toBe(invalid);
    expect(codeOf(() => betterAuthToken({ api: app.counted.api }))).toBe(invalid);
    expect(codeOf(() => betterAuthToken(app.auth, { refreshBeforeSeconds: -1 }))).toBe(invalid);
    expect(codeOf(() => betterAuthToken(app.auth, { maxCacheSeconds: 0 }))).toBe(invalid);
    expect(codeOf(() => betterAuthToken(app.auth, { maxEntries: 0.5 }))).toBe(invalid);
    expect(codeOf(() => betterAuthToken(app.auth, { cookieName: "a b" }))).toBe(invalid);
  });
});

describe("betterAuthToken's revoke", () => {
  it("drops the session's cached JWT at once, and refuses it a new one while it is remembered", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("revoked");
    const source = betterAuthToken(app.counted, { revocation: memoryRevocation() });
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
    await source.revoke(withCookie(cookie));
    expect(await source(withCookie(cookie))).toBeNull();
    expect(app.getTokenCalls).toBe(1);
  });

  it("without a revocation store, drops the cached JWT of this instance only", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("local");
    const source = betterAuthToken(app.counted);
    await source(withCookie(cookie));
    await source.revoke((await source.sessionKey(withCookie(cookie))) as string);
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
    expect(app.getTokenCalls).toBe(2);
  });

  it("serves nothing while the revocation store is not live: 503 ERR_REVOCATION_UNAVAILABLE", async () => {
    const app = makeAuth();
    const cookie = await app.signUp("dark");
    let live = true;
    const revocation = { ...memoryRevocation(), isLive: () => live };
    const source = betterAuthToken(app.counted, { revocation });
    await source(withCookie(cookie));
    live = false;
    await expect(source(withCookie(cookie))).rejects.toMatchObject({
      code: "ERR_REVOCATION_UNAVAILABLE",
      status: 503,
    });
    live = true;
    expect(await source(withCookie(cookie))).toEqual(expect.any(String));
  });
});
