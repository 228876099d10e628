import { describe, expect, it } from "vitest";
import {
  cookieOf,
  forceExpiry,
  get,
  refreshes,
  refused,
  shareRevocation,
  signIn,
  world,
} from "./oidc-world.js";
import { eventually } from "./redis-clients.js";

describe("handoff-bff/oidc against oidc-provider", () => {
  it.each(["cookie", "redis"] as const)(
    "signs in with the code flow and PKCE, and answers the ID token's claims, never a token (%s sessions)",
    async (mode) => {
      const w = await world(mode);
      expect(await signIn(w, "ada", "/tasks?open=1#top")).toBe(`${w.origin}/tasks?open=1#top`);
      const jar = w.browser.cookies(w.origin);
      expect([...jar.keys()]).toEqual(["handoff.session"]);
      const user = await get(w, "/auth/user");
      expect(user.status).toBe(200);
      expect(user.body).toMatchObject({
        sub: "ada",
        email: "ada@example.com",
        iss: w.provider.issuer,
      });
      expect(JSON.stringify(user.body)).not.toMatch(/token/i);
      if (mode === "redis") expect(jar.get("handoff.session")).toMatch(/^[\w-]{43}$/);
    },
  );

  it("sets the session cookie HttpOnly, SameSite=Lax, Path=/, and clears the login transaction", async () => {
    const w = await world("cookie");
    w.provider.user = "ada";
    const start = await w.browser.fetch(`${w.origin}/auth/login`);
    const tx = start.headers.getSetCookie()[0] as string;
    expect(tx).toMatch(/^handoff\.tx=.+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/);
    const location = new URL(start.headers.get("location") as string);
    expect(location.searchParams.get("code_challenge_method")).toBe("S256");
    expect(location.searchParams.get("state")).toBeTruthy();
    expect(location.searchParams.get("nonce")).toBeTruthy();
    const callback = await w.browser.follow(location.href, `${w.origin}/auth/callback`);
    const done = await w.browser.fetch(callback);
    const set = done.headers.getSetCookie();
    expect(set).toContain("handoff.tx=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    expect(set.find((line) => line.startsWith("handoff.session="))).toMatch(
      /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/,
    );
  });

  it("sends the access token to the upstream, and never to the browser", async () => {
    const w = await world("cookie");
    await signIn(w);
    const response = await fetch(`${w.origin}/api/me`, { headers: { cookie: cookieOf(w) } });
    const body = await response.text();
    expect(response.status).toBe(200);
    const authorization = String(w.upstream.seen.at(-1)?.headers.authorization);
    expect(authorization).toMatch(/^Bearer \S{20,}$/);
    expect(w.upstream.seen.at(-1)?.headers.cookie).toBeUndefined();
    const token = authorization.slice(7);
    expect(body).not.toContain(token);
    expect(JSON.stringify([...response.headers])).not.toContain(token);
  });

  it("answers 401 ERR_UNAUTHENTICATED without a session, upstream untouched", async () => {
    const w = await world("cookie");
    const before = w.upstream.seen.length;
    expect((await get(w, "/api/me", 0, "")).body.code).toBe("ERR_UNAUTHENTICATED");
    expect((await get(w, "/auth/user", 0, "")).status).toBe(401);
    expect(w.upstream.seen.length).toBe(before);
  });

  it("refreshes an expiring token once for 50 concurrent requests in one process, and saves the rotation", async () => {
    const w = await world("cookie");
    w.provider.accessTtl = 61; // within the default 60 s skew one second from now
    await signIn(w);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    w.provider.accessTtl = 62; // outside the skew for 2 s: the next cycle needs no new sign-in
    const cookie = cookieOf(w);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${w.origin}/api/me`, { headers: { cookie } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(refreshes(w)).toBe(1);
    const tokens = new Set(w.upstream.seen.map((seen) => seen.headers.authorization));
    expect(tokens.size).toBe(1);
    // Every answer carries the rotated session; the browser keeps the last.
    for (const answer of answers) {
      expect(
        answer.headers.getSetCookie().some((line) => line.startsWith("handoff.session=")),
      ).toBe(true);
      expect(answer.headers.get("cache-control")).toBe("private, no-store");
    }
    w.browser.store(w.origin, answers[49] as Response);
    expect(cookieOf(w)).not.toBe(cookie);

    // The next refresh uses the rotated refresh token: oidc-provider would revoke the grant
    // for a reused one.
    const rotated = cookieOf(w);
    await forceExpiry(w);
    expect((await get(w, "/api/me", 0, rotated)).status).toBe(200);
    expect(refreshes(w)).toBe(2);
  });

  it("ends the session when the refresh token was already used elsewhere: 401 ERR_SESSION_EXPIRED, cookie cleared", async () => {
    const w = await world("cookie", 2);
    w.provider.accessTtl = 61;
    await signIn(w);
    const old = cookieOf(w);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await get(w, "/api/me", 0, old)).status).toBe(200);
    // Instance B never saw the rotation (cookie mode is best-effort across instances): its
    // refresh reuses the spent token, and the provider refuses it.
    const second = await get(w, "/api/me", 1, old);
    expect(second.status).toBe(401);
    expect(second.body.code).toBe("ERR_SESSION_EXPIRED");
    expect(second.response.headers.getSetCookie()).toContain(
      "handoff.session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
    );
  });

  it.each(["cookie", "redis"] as const)(
    "ends the session when the grant is revoked at the provider (invalid_grant): 401 ERR_SESSION_EXPIRED (%s sessions)",
    async (mode) => {
      const w = await world(mode);
      w.provider.accessTtl = 61;
      await signIn(w, "grace");
      for (const id of w.provider.grants.get("grace") ?? []) {
        await (await w.provider.provider.Grant.find(id))?.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const before = w.upstream.seen.length;
      const answer = await get(w, "/api/me");
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe("ERR_SESSION_EXPIRED");
      expect(answer.response.headers.getSetCookie()).toContain(
        "handoff.session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
      );
      expect(w.upstream.seen.length).toBe(before);
      // The session is gone: the same cookie is refused again, without another refresh.
      const calls = refreshes(w);
      expect((await get(w, "/api/me")).status).toBe(401);
      expect(refreshes(w)).toBe(calls);
    },
  );

  it("refreshes exactly once across two instances sharing Redis, for 50 concurrent requests on each", async () => {
    const w = await world("redis", 2);
    w.provider.accessTtl = 61;
    await signIn(w);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    w.provider.accessTtl = 62;
    const cookie = cookieOf(w);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${w.apps[i % 2]?.url}/api/me`, { headers: { cookie } }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(refreshes(w)).toBe(1);
    expect(new Set(w.upstream.seen.map((seen) => seen.headers.authorization)).size).toBe(1);
    // Server-side: the cookie (an id) does not change; the rotation is in Redis.
    expect(answers.every((r) => r.headers.getSetCookie().length === 0)).toBe(true);
    await forceExpiry(w);
    expect((await get(w, "/api/me", 1)).status).toBe(200);
    expect(refreshes(w)).toBe(2);
  });

  it("retries an idempotent request once with a refreshed token when the upstream says invalid_token", async () => {
    const w = await world("cookie");
    await signIn(w);
    expect((await get(w, "/api/me")).status).toBe(200);
    const first = String(w.upstream.seen.at(-1)?.headers.authorization).slice(7);
    refused.add(first);
    try {
      const seen = w.upstream.seen.length;
      const retried = await fetch(`${w.origin}/api/me`, {
        method: "PUT",
        body: "x",
        headers: { cookie: cookieOf(w) },
      });
      expect(retried.status).toBe(200);
      expect(w.upstream.seen.length).toBe(seen + 2);
      expect(w.upstream.seen.at(-1)?.headers.authorization).not.toBe(`Bearer ${first}`);
      expect(w.upstream.seen.at(-1)?.body.toString()).toBe("x");
      expect(refreshes(w)).toBe(1);
      // POST is not repeated: the 401 is passed on.
      refused.add(String(w.upstream.seen.at(-1)?.headers.authorization).slice(7));
      const post = await fetch(`${w.origin}/api/me`, {
        method: "POST",
        body: "y",
        headers: { cookie: cookieOf(w) },
      });
      expect(post.status).toBe(401);
      expect(refreshes(w)).toBe(1);
    } finally {
      refused.clear();
    }
  });

  it.each(["cookie", "redis"] as const)(
    "logs out (RP-initiated): POST only, CSRF-checked, session ended, redirect to end_session (%s sessions)",
    async (mode) => {
      const w = await world(mode);
      await signIn(w);
      const cookie = cookieOf(w);
      expect((await fetch(`${w.origin}/auth/logout`, { headers: { cookie } })).status).toBe(405);
      const crossSite = await fetch(`${w.origin}/auth/logout`, {
        method: "POST",
        headers: { cookie, "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      });
      expect(crossSite.status).toBe(403);
      expect((await get(w, "/auth/user", 0, cookie)).status).toBe(200);
      const out = await fetch(`${w.origin}/auth/logout`, {
        method: "POST",
        headers: { cookie, origin: w.origin, "sec-fetch-site": "same-origin" },
        redirect: "manual",
      });
      expect(out.status).toBe(303);
      const location = new URL(out.headers.get("location") as string);
      expect(location.origin + location.pathname).toBe(`${w.provider.issuer}/session/end`);
      expect(location.searchParams.get("id_token_hint")).toMatch(/^ey/);
      expect(location.searchParams.get("post_logout_redirect_uri")).toBe(`${w.origin}/signed-out`);
      expect(out.headers.getSetCookie()).toContain(
        "handoff.session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
      );
      // A copy of the old cookie no longer works either.
      const again = await get(w, "/auth/user", 0, cookie);
      expect(again.status).toBe(401);
    },
  );

  it.each(["cookie", "redis"] as const)(
    "ends the session on both instances within a second when the provider sends a back-channel logout (%s sessions)",
    async (mode) => {
      const w = await world(mode, 2);
      if (mode === "cookie") await shareRevocation(w);
      await signIn(w, "heidi");
      const cookie = cookieOf(w);
      expect((await get(w, "/auth/user", 0, cookie)).status).toBe(200);
      expect((await get(w, "/auth/user", 1, cookie)).status).toBe(200);
      // The user signs out at the provider: it posts a logout token to the app (instance A).
      const end = await w.browser.fetch(`${w.provider.issuer}/session/end`);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(await end.text())?.[1] as string;
      const started = Date.now();
      const confirm = await w.browser.fetch(`${w.provider.issuer}/session/end/confirm`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ xsrf, logout: "yes" }).toString(),
      });
      expect(confirm.status).toBe(303);
      expect(w.provider.backchannel).toEqual({ ok: 1, failed: 0 });
      await eventually(async () => (await get(w, "/auth/user", 1, cookie)).status === 401, 1000);
      // Ended (cookie mode), or already deleted from Redis by the instance that saw it first.
      expect(["ERR_SESSION_EXPIRED", "ERR_UNAUTHENTICATED"]).toContain(
        (await get(w, "/auth/user", 0, cookie)).body.code,
      );
      expect((await get(w, "/api/me", 1, cookie)).status).toBe(401);
      expect(Date.now() - started).toBeLessThan(1000 + 500);
      // A new sign-in of the same user works.
      await signIn(w, "heidi");
      expect((await get(w, "/auth/user", 1)).status).toBe(200);
    },
  );
});
