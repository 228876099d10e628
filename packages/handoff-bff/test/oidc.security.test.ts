import { describe, expect, it } from "vitest";
import { errorCode } from "../src/errors.js";
import { sealer } from "../src/lib/seal.js";
import { createOidc } from "../src/oidc/index.js";
import { CLIENT_ID } from "./oidc-provider.js";
import { cookieOf, get, SECRET, signIn, world } from "./oidc-world.js";

const APP = "https://app.example";
const offline = () =>
  createOidc({
    issuer: "https://id.example",
    clientId: "app",
    redirectUri: `${APP}/auth/callback`,
    appOrigin: APP,
    session: { secret: SECRET },
  });

describe("handoff-bff/oidc security", () => {
  it.each([
    "//evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/\tevil",
    "/%0d%0aSet-Cookie:x=1",
    "",
  ])("refuses returnTo %j with 400 ERR_OIDC_INVALID_RETURN_TO", async (returnTo) => {
    const response = await offline().handle(
      new Request(`${APP}/auth/login?returnTo=${encodeURIComponent(returnTo)}`),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe("ERR_OIDC_INVALID_RETURN_TO");
  });

  it("uses __Host- cookies with Secure on an https origin, and refuses a __Host- name on http", () => {
    expect(() =>
      createOidc({
        issuer: "https://id.example",
        clientId: "app",
        redirectUri: "http://app.example/auth/callback",
        appOrigin: "http://app.example",
        session: { secret: SECRET, cookieName: "__Host-s" },
      }),
    ).toThrow(expect.objectContaining({ code: "ERR_INVALID_CONFIG" }));
  });

  it.each([
    [
      "an http issuer that is not loopback",
      { issuer: "http://id.example", allowInsecureRequests: true },
    ],
    ["a loopback http issuer without allowInsecureRequests", { issuer: "http://127.0.0.1:9" }],
    ["a short session secret", { session: { secret: "short" } }],
    ["a refresh lock with cookie sessions", { refresh: { lock: { acquire: async () => null } } }],
  ])("refuses %s with ERR_INVALID_CONFIG", (_label, change) => {
    const make = () =>
      createOidc({
        issuer: "https://id.example",
        clientId: "app",
        redirectUri: `${APP}/auth/callback`,
        appOrigin: APP,
        session: { secret: SECRET },
        ...change,
      });
    expect(make).toThrow();
    try {
      make();
    } catch (error) {
      expect(errorCode(error)).toBe("ERR_INVALID_CONFIG");
      expect(String(error)).not.toContain(SECRET);
    }
  });

  it("answers a callback without its transaction, with a foreign state or none, 400 ERR_OIDC_STATE_MISMATCH", async () => {
    const oidc = offline();
    const login = await oidc.handle(new Request(`${APP}/auth/login`));
    expect(login.status).toBe(503); // no provider here: discovery fails cleanly
    const tx = await sealer([SECRET], "__Host-handoff.tx transaction").seal(
      { state: "s1", nonce: "n", verifier: "v", returnTo: "/" },
      600,
    );
    for (const [query, cookie] of [
      ["?code=c&state=s1", ""],
      ["?code=c&state=other", `__Host-handoff.tx=${tx}`],
      ["?code=c", `__Host-handoff.tx=${tx}`],
      ["?code=c&state=s1", "__Host-handoff.tx=tampered"],
    ] as const) {
      const response = await oidc.handle(
        new Request(`${APP}/auth/callback${query}`, { headers: { cookie } }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe("ERR_OIDC_STATE_MISMATCH");
      expect(response.headers.getSetCookie()[0]).toMatch(
        /^__Host-handoff\.tx=; .*Secure; Max-Age=0$/,
      );
    }
  });

  it("refuses a replayed authorization code: the provider refuses it (ERR_OIDC_CALLBACK_FAILED)", async () => {
    const w = await world("cookie");
    w.provider.user = "ada";
    const start = await w.browser.fetch(`${w.origin}/auth/login`);
    const callback = await w.browser.follow(
      start.headers.get("location") as string,
      `${w.origin}/auth/callback`,
    );
    const cookie = cookieOf(w);
    const first = await fetch(callback, { headers: { cookie }, redirect: "manual" });
    expect(first.status).toBe(303);
    const replay = await fetch(callback, { headers: { cookie }, redirect: "manual" });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({
      code: "ERR_OIDC_CALLBACK_FAILED",
      error: "invalid_grant",
    });
  });

  it.each([
    ["a PKCE verifier", { verifier: "x".repeat(43) }, "invalid_grant"],
    ["a nonce", { nonce: "not-the-nonce" }, "invalid_response"],
  ])(
    "refuses a callback whose %s does not match the login (ERR_OIDC_CALLBACK_FAILED)",
    async (_label, change, error) => {
      const w = await world("cookie");
      w.provider.user = "ada";
      const start = await w.browser.fetch(`${w.origin}/auth/login`);
      const callback = await w.browser.follow(
        start.headers.get("location") as string,
        `${w.origin}/auth/callback`,
      );
      const seal = sealer([SECRET], "handoff.tx transaction");
      const original = await seal.unseal(w.browser.cookies(w.origin).get("handoff.tx") as string);
      const forged = await seal.seal({ ...original, ...change }, 600);
      const response = await fetch(callback, {
        headers: { cookie: `handoff.tx=${forged}` },
        redirect: "manual",
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "ERR_OIDC_CALLBACK_FAILED", error });
    },
  );

  it.each(["cookie", "redis"] as const)(
    "treats a tampered session cookie as no session: 401, never 500, cookie cleared (%s sessions)",
    async (mode) => {
      const w = await world(mode);
      await signIn(w);
      const value = w.browser.cookies(w.origin).get("handoff.session") as string;
      const flipped =
        value.slice(0, -6) + (value.slice(-6, -5) === "A" ? "B" : "A") + value.slice(-5);
      for (const path of ["/auth/user", "/api/me"]) {
        const answer = await get(w, path, 0, `handoff.session=${flipped}`);
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe("ERR_UNAUTHENTICATED");
        expect(answer.response.headers.getSetCookie()).toContain(
          "handoff.session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
        );
      }
      expect((await get(w, "/auth/user", 0, "handoff.session=garbage")).status).toBe(401);
    },
  );

  it("refuses a session cookie sent twice: 401 ERR_AMBIGUOUS_SESSION_COOKIE", async () => {
    const w = await world("cookie");
    await signIn(w);
    const cookie = cookieOf(w);
    for (const path of ["/auth/user", "/api/me"]) {
      const answer = await get(w, path, 0, `${cookie}; ${cookie}`);
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe("ERR_AMBIGUOUS_SESSION_COOKIE");
    }
  });

  describe("back-channel logout tokens (Back-Channel Logout 1.0 §2.6)", () => {
    const EVENT = { "http://schemas.openid.net/event/backchannel-logout": {} };
    const post = (url: string, token: string) =>
      fetch(`${url}/auth/backchannel-logout`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });

    it("accepts a valid token once, ends its sid's session, and refuses its replay", async () => {
      const w = await world("cookie");
      await signIn(w);
      const user = (await get(w, "/auth/user")).body as { sid: string; sub: string };
      const claims = {
        iss: w.provider.issuer,
        aud: CLIENT_ID,
        iat: Math.floor(Date.now() / 1000),
        jti: "jti-1",
        sid: user.sid,
        events: EVENT,
      };
      const token = await w.provider.sign(claims);
      expect((await post(w.origin, token)).status).toBe(200);
      expect((await get(w, "/auth/user")).body.code).toBe("ERR_SESSION_EXPIRED");
      const replay = await post(w.origin, token);
      expect(replay.status).toBe(400);
      expect((await replay.json()).code).toBe("ERR_OIDC_LOGOUT_TOKEN_INVALID");
    });

    it.each([
      ["a foreign audience", { aud: "someone-else" }],
      ["a foreign issuer", { iss: "https://evil.example" }],
      ["a nonce", { nonce: "n" }],
      ["no events claim", { events: undefined }],
      ["the wrong event", { events: { "https://example.com/other": {} } }],
      ["neither sub nor sid", { sid: undefined, sub: undefined }],
      ["no jti", { jti: undefined }],
      ["an iat an hour old", { iat: Math.floor(Date.now() / 1000) - 3600 }],
    ])("refuses a token with %s: 400 ERR_OIDC_LOGOUT_TOKEN_INVALID", async (_label, change) => {
      const w = await world("cookie");
      const claims: Record<string, unknown> = {
        iss: w.provider.issuer,
        aud: CLIENT_ID,
        iat: Math.floor(Date.now() / 1000),
        jti: `jti-${Math.random()}`,
        sub: "ada",
        sid: "sid-1",
        events: EVENT,
        ...change,
      };
      for (const key of Object.keys(claims)) if (claims[key] === undefined) delete claims[key];
      const response = await post(w.origin, await w.provider.sign(claims));
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe("ERR_OIDC_LOGOUT_TOKEN_INVALID");
    });

    it("refuses a token not signed by the provider, and a request without one", async () => {
      const w = await world("cookie");
      const [header, payload] = (
        await w.provider.sign({
          iss: w.provider.issuer,
          aud: CLIENT_ID,
          iat: 1,
          jti: "j",
          sub: "a",
          events: EVENT,
        })
      ).split(".");
      for (const token of [`${header}.${payload}.AAAA`, "not-a-jwt"]) {
        expect((await post(w.origin, token)).status).toBe(400);
      }
      const empty = await fetch(`${w.origin}/auth/backchannel-logout`, { method: "POST" });
      expect(empty.status).toBe(400);
    });
  });
});
