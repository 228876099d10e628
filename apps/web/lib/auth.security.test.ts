import { betterAuthToken } from "handoff-bff";
import { describe, expect, it } from "vitest";
import { withoutTokens } from "./auth-response";
import { authUnderTest, ORIGIN, signUp } from "./testing/auth";

const state = authUnderTest();

/** As the route serves Better Auth: app/api/auth/[...all]/route.ts. */
const route = async (request: Request) => withoutTokens(await state.auth.handler(request));

/** Everything of a response that page scripts can read: status, headers but Set-Cookie, body. */
async function readable(response: Response): Promise<string> {
  const headers = [...response.headers].filter(([name]) => name !== "set-cookie");
  return `${response.status} ${JSON.stringify(headers)} ${await response.text()}`;
}

describe("what page scripts can read of /api/auth", () => {
  it("never holds the session token or the API's JWT", async () => {
    const user = {
      name: "Eve",
      email: `eve-${Date.now()}@example.test`,
      password: "correct horse",
    };
    const seen: string[] = [];
    const signUpResponse = await route(
      new Request(`${ORIGIN}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { origin: ORIGIN, "content-type": "application/json" },
        body: JSON.stringify(user),
      }),
    );
    const cookie = signUpResponse.headers
      .getSetCookie()
      .find((value) => value.startsWith("better-auth.session_token="))
      ?.split(";")[0] as string;
    seen.push(await readable(signUpResponse));
    const sessionToken = decodeURIComponent(cookie.split("=")[1] as string).split(".")[0] as string;
    const jwt = (await betterAuthToken(state.auth)(
      new Request(`${ORIGIN}/`, { headers: { cookie } }),
    )) as string;
    expect(sessionToken.length).toBeGreaterThan(16);
    expect(jwt.split(".")).toHaveLength(3);

    const asUser = (path: string, init: RequestInit = {}) =>
      route(
        new Request(`${ORIGIN}/api/auth${path}`, {
          ...init,
          headers: { origin: ORIGIN, cookie, "content-type": "application/json", ...init.headers },
        }),
      );
    const signIn = { email: user.email, password: user.password };
    for (const response of [
      await asUser("/get-session"),
      await asUser("/list-sessions"),
      await asUser("/token"),
      await asUser("/jwks"),
      await asUser("/sign-in/email", { method: "POST", body: JSON.stringify(signIn) }),
    ]) {
      seen.push(await readable(response));
    }
    for (const text of seen) {
      expect(text).not.toContain(sessionToken);
      expect(text).not.toContain(jwt);
      expect(text).not.toMatch(/set-auth-jwt|set-auth-token/i);
    }
  });

  it("answers 404 for GET /api/auth/token, which would hand the JWT to any script", async () => {
    const { cookie } = await signUp(state.auth);
    const response = await route(
      new Request(`${ORIGIN}/api/auth/token`, { headers: { cookie, origin: ORIGIN } }),
    );
    expect(response.status).toBe(404);
  });

  it("still issues the JWT on the server (auth.api.getToken is not an HTTP route)", async () => {
    const { cookie } = await signUp(state.auth);
    const { token } = await state.auth.api.getToken({ headers: new Headers({ cookie }) });
    expect(token.split(".")).toHaveLength(3);
  });
});
