/**
 * Password guessing against the real `next start`, as an outside review found it: one account,
 * a fresh `X-Forwarded-For` on every attempt (a bare `next start` passes the client's own
 * header on). Sign-in and sign-up are limited per account (10 attempts per 15 minutes), over
 * Better Auth's HTTP endpoints and through the sign-in form's server action alike; a correct
 * password during the lockout signs nobody in. Plain HTTP from Node, then Chromium for the form.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser } from "./browser.js";
import { newUser } from "./session.js";
import { type System, startSystem } from "./system.js";

let system: System;
let browser: Browser;
let addresses = 0;

beforeAll(async () => {
  system = await startSystem();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

/** A POST to Better Auth's endpoint with a new `X-Forwarded-For` each time. */
function post(path: "/sign-in/email" | "/sign-up/email", body: Record<string, string>) {
  addresses += 1;
  return fetch(`${system.web}/api/auth${path}`, {
    method: "POST",
    headers: {
      origin: system.web,
      "content-type": "application/json",
      "x-forwarded-for": `198.18.${(addresses >> 8) & 255}.${addresses & 255}`,
    },
    body: JSON.stringify(body),
    redirect: "manual",
  });
}

const sessionCookies = (response: Response) =>
  response.headers.getSetCookie().filter((cookie) => cookie.includes("session_token="));

async function expectLimited(response: Response) {
  expect(response.status).toBe(429);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(sessionCookies(response)).toEqual([]);
  expect(((await response.json()) as { code: string }).code).toBe("ERR_RATE_LIMITED");
}

describe("password guessing against next start, one account, a fresh X-Forwarded-For each time", () => {
  const victim = newUser("Victim");

  it("answers 429 once the account's limit is used up, not 401 forty times", async () => {
    const signedUp = await post("/sign-up/email", victim);
    expect(signedUp.status).toBe(200);
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let attempt = 0; attempt < 40; attempt++) {
      const response = await post("/sign-in/email", {
        email: victim.email,
        password: `guess-${attempt}`,
      });
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
      else await response.body?.cancel();
    }
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(30).fill(429)]);
    await expectLimited(limited as Response);
  });

  it("still answers 429 to the right password, and sets no session cookie", async () => {
    await expectLimited(
      await post("/sign-in/email", { email: victim.email, password: victim.password }),
    );
  });

  it("refuses the sign-in form too (its server action): no session, still on the sign-in page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${system.web}/sign-in`);
    await page.getByTestId("email").fill(victim.email);
    await page.getByTestId("password").fill(victim.password);
    await page.getByTestId("auth-submit").click();
    const error = page.getByTestId("auth-error");
    await error.waitFor();
    expect(await error.textContent()).toContain("Too many attempts");
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    const cookies = await context.cookies();
    expect(cookies.filter((cookie) => cookie.name.includes("session_token"))).toEqual([]);
    await context.close();
  });
});

describe("sign-up floods for one email against next start", () => {
  it("answers 429 once the email's limit is used up, and the valid sign-up that follows creates nothing", async () => {
    const target = newUser("Target");
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      const response = await post("/sign-up/email", { ...target, password: "short" });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([...Array(10).fill(400), ...Array(30).fill(429)]);
    await expectLimited(await post("/sign-up/email", target));
    const signIn = await post("/sign-in/email", { email: target.email, password: target.password });
    expect(signIn.status).toBe(401);
    expect(sessionCookies(signIn)).toEqual([]);
  });
});
