import { betterAuthToken } from "handoff-bff";
import { describe, expect, it } from "vitest";
import { authUnderTest, newUser, ORIGIN, signUp } from "./testing/auth";

const HTTPS_ORIGIN = "https://app.example";

/** Set-Cookie's attributes, lower-cased names: `{ path: "/", secure: "", … }`. */
function attributes(setCookie: string): Record<string, string> {
  const [, ...parts] = setCookie.split(";");
  return Object.fromEntries(
    parts.map((part) => {
      const [name = "", ...value] = part.trim().split("=");
      return [name.toLowerCase(), value.join("=")];
    }),
  );
}

describe("the session cookie over https (BETTER_AUTH_URL https://app.example)", () => {
  const state = authUnderTest({ BETTER_AUTH_URL: HTTPS_ORIGIN });

  async function signIn(user: { email: string; password: string }) {
    return state.auth.handler(
      new Request(`${HTTPS_ORIGIN}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { origin: HTTPS_ORIGIN, "content-type": "application/json" },
        body: JSON.stringify({ email: user.email, password: user.password }),
      }),
    );
  }

  it("is set on sign-in as __Host-better-auth.session_token; Secure; Path=/ with no Domain", async () => {
    const { user } = await signUp(state.auth, newUser(), HTTPS_ORIGIN);
    const response = await signIn(user);
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((cookie) =>
      cookie.startsWith("__Host-better-auth.session_token="),
    );
    expect(session).toBeDefined();
    expect(attributes(session as string)).toMatchObject({ path: "/", secure: "", httponly: "" });
    expect(attributes(session as string)).not.toHaveProperty("domain");
    // Every cookie Better Auth sets is __Host-: none can be shadowed from a sibling subdomain.
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^__Host-better-auth\./);
      expect(attributes(cookie)).not.toHaveProperty("domain");
    }
  });

  it("is recognised: get-session finds the user and betterAuthToken issues the API's JWT", async () => {
    const { cookie, user } = await signUp(state.auth, newUser(), HTTPS_ORIGIN);
    expect(cookie).toMatch(/^__Host-better-auth\.session_token=/);
    const response = await state.auth.handler(
      new Request(`${HTTPS_ORIGIN}/api/auth/get-session`, { headers: { cookie } }),
    );
    expect(((await response.json()) as { user: { email: string } }).user.email).toBe(user.email);
    const session = await state.auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user.email).toBe(user.email);
    const jwt = await betterAuthToken(state.auth)(
      new Request(`${HTTPS_ORIGIN}/api/proxy/api/tasks`, { headers: { cookie } }),
    );
    expect(jwt?.split(".")).toHaveLength(3);
  });

  it("is not recognised under another name: the value alone does not sign anyone in", async () => {
    const { cookie } = await signUp(state.auth, newUser(), HTTPS_ORIGIN);
    const value = cookie.slice(cookie.indexOf("=") + 1);
    for (const name of ["better-auth.session_token", "__Secure-better-auth.session_token"]) {
      const headers = new Headers({ cookie: `${name}=${value}` });
      expect(await state.auth.api.getSession({ headers })).toBeNull();
      expect(
        await betterAuthToken(state.auth)(new Request(`${HTTPS_ORIGIN}/`, { headers })),
      ).toBeNull();
    }
  });
});

describe("the session cookie over http (127.0.0.1, development and tests)", () => {
  const state = authUnderTest();

  it("keeps its name better-auth.session_token, without Secure, which http cannot set", async () => {
    const { response, cookie } = await signUp(state.auth, newUser(), ORIGIN);
    expect(cookie).toMatch(/^better-auth\.session_token=/);
    const session = response.headers
      .getSetCookie()
      .find((value) => value.startsWith("better-auth.session_token=")) as string;
    expect(attributes(session)).toMatchObject({ path: "/", httponly: "" });
    expect(attributes(session)).not.toHaveProperty("secure");
    expect(
      await betterAuthToken(state.auth)(new Request(`${ORIGIN}/`, { headers: { cookie } })),
    ).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
