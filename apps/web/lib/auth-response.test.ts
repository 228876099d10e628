import { describe, expect, it } from "vitest";
import { dropTokens, withoutTokens, withProblemType } from "./auth-response";

describe("withoutTokens", () => {
  it("removes the session token from a sign-up answer and keeps the cookie", async () => {
    const headers = new Headers({ "content-type": "application/json", "content-length": "99" });
    headers.append("set-cookie", "better-auth.session_token=abc.sig; HttpOnly");
    headers.append("set-cookie", "other=1");
    const response = await withoutTokens(
      new Response(JSON.stringify({ token: "abc", user: { id: "u1", email: "a@b.c" } }), {
        status: 200,
        headers,
      }),
    );
    expect(await response.json()).toEqual({ user: { id: "u1", email: "a@b.c" } });
    expect(response.headers.getSetCookie()).toEqual([
      "better-auth.session_token=abc.sig; HttpOnly",
      "other=1",
    ]);
    expect(response.headers.get("content-length")).toBeNull();
  });

  it("removes session.token from get-session and from session lists", () => {
    expect(dropTokens({ session: { id: "s", token: "abc" }, user: {} })).toEqual({
      session: { id: "s" },
      user: {},
    });
    expect(
      dropTokens([
        { token: "a", id: 1 },
        { token: "b", id: 2 },
      ]),
    ).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("drops JWT headers a plugin could add", async () => {
    const response = await withoutTokens(
      new Response(null, {
        status: 204,
        headers: { "set-auth-jwt": "eyJ.x.y", "set-auth-token": "t" },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.has("set-auth-jwt")).toBe(false);
    expect(response.headers.has("set-auth-token")).toBe(false);
  });

  it("passes other bodies through untouched", async () => {
    const response = await withoutTokens(
      new Response("token", { status: 404, headers: { "content-type": "text/plain" } }),
    );
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("token");
  });
});

describe("withProblemType", () => {
  it("labels the sign-in limiter's 429 application/problem+json, keeping body and Retry-After", async () => {
    const body = JSON.stringify({
      status: 429,
      code: "ERR_RATE_LIMITED",
      title: "Too many requests",
    });
    const response = await withProblemType(
      new Response(body, {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": "42" },
      }),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("42");
    expect(await response.text()).toBe(body);
  });

  it("leaves Better Auth's own 429 and every other answer as they are", async () => {
    const own = await withProblemType(
      Response.json({ message: "Too many requests. Please try again later." }, { status: 429 }),
    );
    expect(own.headers.get("content-type")).toBe("application/json");
    const ok = new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    expect(await withProblemType(ok)).toBe(ok);
  });
});
