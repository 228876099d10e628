import { isAPIError } from "better-auth/api";
import { describe, expect, it } from "vitest";
import { withoutTokens, withProblemType } from "./auth-response";
import { authUnderTest, newUser, ORIGIN, signUp } from "./testing/auth";

type State = ReturnType<typeof authUnderTest>;

/** As the route serves Better Auth: app/api/auth/[...all]/route.ts. */
const route = async (state: State, request: Request) =>
  withProblemType(await withoutTokens(await state.auth.handler(request)));

let addresses = 0;
/** A different X-Forwarded-For on every call, as an attacker rotating addresses sends. */
const freshAddress = () => `198.18.${(++addresses >> 8) & 255}.${addresses & 255}`;

function post(
  state: State,
  path: "/sign-in/email" | "/sign-up/email",
  body: Record<string, string>,
  forwardedFor = freshAddress(),
) {
  return route(
    state,
    new Request(`${ORIGIN}/api/auth${path}`, {
      method: "POST",
      headers: {
        origin: ORIGIN,
        "content-type": "application/json",
        "x-forwarded-for": forwardedFor,
      },
      body: JSON.stringify(body),
    }),
  );
}

const sessionCookies = (response: Response) =>
  response.headers.getSetCookie().filter((cookie) => cookie.includes("session_token="));

async function expectRefused(response: Response, policy: string) {
  expect(response.status).toBe(429);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(response.headers.get("ratelimit-policy")).toMatch(new RegExp(`^"${policy}";`));
  expect(sessionCookies(response)).toEqual([]);
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED" });
  return retryAfter;
}

describe("password guessing, TRUSTED_PROXY_COUNT unset (a bare next start)", () => {
  const state = authUnderTest();

  it("answers 429 ERR_RATE_LIMITED after 10 wrong passwords for one account, each from a fresh X-Forwarded-For", async () => {
    const { user } = await signUp(state.auth);
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const response = await post(state, "/sign-in/email", {
        email: user.email,
        password: `wrong-${attempt}`,
      });
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
    }
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(30).fill(429)]);
    const retryAfter = await expectRefused(refused as Response, "sign-in-account");
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it("refuses the right password during the lockout and sets no session cookie", async () => {
    const { user } = await signUp(state.auth);
    for (let attempt = 0; attempt < 10; attempt++) {
      await post(state, "/sign-in/email", { email: user.email, password: "wrong password" });
    }
    const right = await post(state, "/sign-in/email", {
      email: user.email,
      password: user.password,
    });
    await expectRefused(right, "sign-in-account");
  });

  it("counts one account whatever the case and the spaces around its email", async () => {
    const { user } = await signUp(state.auth);
    const variants = [user.email.toUpperCase(), ` ${user.email} `, user.email.replace("a", "A")];
    for (let attempt = 0; attempt < 10; attempt++) {
      const response = await post(state, "/sign-in/email", {
        email: variants[attempt % variants.length] as string,
        password: "wrong password",
      });
      expect(response.status).not.toBe(429);
    }
    await expectRefused(
      await post(state, "/sign-in/email", { email: user.email, password: user.password }),
      "sign-in-account",
    );
  });

  it("counts auth.api.signInEmail (the sign-in form's server action) on the same account", async () => {
    const { user } = await signUp(state.auth);
    for (let attempt = 0; attempt < 5; attempt++) {
      await post(state, "/sign-in/email", { email: user.email, password: "wrong password" });
      await state.auth.api
        .signInEmail({
          body: { email: user.email, password: "wrong password" },
          headers: new Headers({ "x-forwarded-for": freshAddress() }),
        })
        .catch(() => {});
    }
    const error = await state.auth.api
      .signInEmail({
        body: { email: user.email, password: user.password },
        headers: new Headers({ "x-forwarded-for": freshAddress() }),
      })
      .then(
        () => null,
        (caught: unknown) => caught,
      );
    expect(isAPIError(error)).toBe(true);
    const refusal = error as { statusCode: number; body: { code: string }; headers: unknown };
    expect(refusal.statusCode).toBe(429);
    expect(refusal.body.code).toBe("ERR_RATE_LIMITED");
    expect(Number(new Headers(refusal.headers as HeadersInit).get("retry-after"))).toBeGreaterThan(
      0,
    );
    await expectRefused(
      await post(state, "/sign-in/email", { email: user.email, password: user.password }),
      "sign-in-account",
    );
  });

  it("leaves other accounts open while one is locked out", async () => {
    const locked = await signUp(state.auth);
    const other = await signUp(state.auth);
    for (let attempt = 0; attempt < 11; attempt++) {
      await post(state, "/sign-in/email", { email: locked.user.email, password: "wrong" });
    }
    const response = await post(state, "/sign-in/email", {
      email: other.user.email,
      password: other.user.password,
    });
    expect(response.status).toBe(200);
    expect(sessionCookies(response)).toHaveLength(1);
  });

  it("answers 429 after 10 sign-ups for one email, each from a fresh X-Forwarded-For, and creates no account", async () => {
    const user = newUser("Mallory");
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      // Too short: refused by Better Auth, so nothing is created while the flood runs.
      const response = await post(state, "/sign-up/email", { ...user, password: "short" });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([...Array(10).fill(400), ...Array(30).fill(429)]);
    await expectRefused(await post(state, "/sign-up/email", user), "sign-up-account");
    const signIn = await post(state, "/sign-in/email", {
      email: user.email,
      password: user.password,
    });
    expect(signIn.status).toBe(401);
  });

  it("does not key anything on X-Forwarded-For: a client cannot use up another address's attempts", async () => {
    const victim = "203.0.113.7";
    for (let attempt = 0; attempt < 40; attempt++) {
      const response = await post(
        state,
        "/sign-in/email",
        { email: `nobody-${attempt}@example.test`, password: "wrong password" },
        victim,
      );
      expect(response.status).toBe(401);
    }
    const { user } = await signUp(state.auth);
    const response = await post(
      state,
      "/sign-in/email",
      { email: user.email, password: user.password },
      victim,
    );
    expect(response.status).toBe(200);
  });
});

describe("password guessing behind one trusted proxy (TRUSTED_PROXY_COUNT=1)", () => {
  const state = authUnderTest({ TRUSTED_PROXY_COUNT: "1", AUTH_RATE_LIMIT_PER_IP: "5" });

  it("counts the address the proxy appended, whatever the client wrote to its left", async () => {
    const client = "192.0.2.44";
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      // A new account each time, so only the per-address limit can stop this.
      const response = await post(
        state,
        "/sign-in/email",
        { email: `target-${attempt}@example.test`, password: "wrong password" },
        `${freshAddress()}, ${client}`,
      );
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    await expectRefused(refused as Response, "sign-in-ip");
    const neighbour = await post(
      state,
      "/sign-in/email",
      { email: "someone@example.test", password: "wrong password" },
      "192.0.2.45",
    );
    expect(neighbour.status).toBe(401);
  });
});
