/**
 * The dashboard's Handoff routes limit each session: over the limit, 429 problem+json with
 * Retry-After, and the API is not reached. The limit is lowered for the test
 * (`RATE_LIMIT_PER_SESSION`, requests per minute; the default is 300).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, type Page } from "./browser.js";
import { pageFetch, signUpByApi } from "./session.js";
import { type System, startSystem } from "./system.js";

let system: System;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  system = await startSystem({ webEnv: { RATE_LIMIT_PER_SESSION: "5" } });
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${system.web}/sign-in`);
  await signUpByApi(page);
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

describe("the per-session rate limit", () => {
  it("answers 429 with Retry-After once a session exceeds it, across both routes", async () => {
    const statuses: number[] = [];
    for (const path of ["/api/proxy/api/tasks", "/api/agent/health", "/api/proxy/api/me"]) {
      statuses.push((await pageFetch(page, path)).status, (await pageFetch(page, path)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await page.evaluate(async () => {
      const response = await fetch("/api/proxy/api/tasks");
      return {
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        body: await response.json(),
      };
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.code).toBe("ERR_RATE_LIMITED");
  });

  it("counts each session on its own", async () => {
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${system.web}/sign-in`);
    await signUpByApi(other);
    expect((await pageFetch(other, "/api/proxy/api/tasks")).status).toBe(200);
  });
});
