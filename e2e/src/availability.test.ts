/**
 * The agent panel tells the truth about the API: "unavailable" with a reason while the API is
 * stopped, the rest of the page still usable, and "available" again once the API is back,
 * without a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, type Page, screenshot } from "./browser.js";
import { signUpByApi } from "./session.js";
import { type System, startSystem } from "./system.js";

let system: System;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  system = await startSystem();
  browser = await launchBrowser();
  page = await (await browser.newContext()).newPage();
  await page.goto(`${system.web}/sign-in`);
  await signUpByApi(page);
  await page.goto(`${system.web}/`);
  // Marks this document: a reload would lose it.
  await page.evaluate(() => {
    (window as unknown as { e2eMarker: number }).e2eMarker = 42;
  });
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

const status = () => page.getByTestId("agent-status");
const state = () => status().getAttribute("data-state");

describe("the agent panel when the API stops and comes back", () => {
  it("shows the agent as available while the API runs", async () => {
    await expect.poll(state, { timeout: 15_000 }).toBe("available");
  });

  it("says unavailable, with the reason, once the API is stopped", async () => {
    await system.stopApi();
    await expect.poll(state, { timeout: 20_000 }).toBe("unavailable");
    const text = (await status().textContent()) ?? "";
    expect(text.toLowerCase()).toContain("unavailable");
    expect(text.length).toBeGreaterThan("Agent: unavailable".length + 5); // a reason follows
    await screenshot(page, "agent-unavailable");
  });

  it("keeps the rest of the page working", async () => {
    await page.getByTestId("filter-done").click();
    expect(await page.getByTestId("filter-done").getAttribute("aria-selected")).toBe("true");
    await page.getByTestId("new-task-title").fill("While the API is down");
    await page.getByTestId("add-task").click();
    // The add fails visibly (no API), the page stays, and nothing pretends to have been saved.
    await page.getByTestId("task-notice").waitFor({ timeout: 10_000 });
    await page.getByTestId("filter-all").click();
    await expect
      .poll(() =>
        page.getByTestId("task-item").filter({ hasText: "While the API is down" }).count(),
      )
      .toBe(0);
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await page.getByTestId("user-email").isVisible()).toBe(true);
  });

  it("is available again once the API is back, without a reload", async () => {
    await system.startApi();
    await expect.poll(state, { timeout: 20_000 }).toBe("available");
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker)).toBe(
      42,
    );
    await page.getByTestId("agent-input").fill("add back online");
    await page.getByTestId("agent-send").click();
    await page
      .getByTestId("task-item")
      .filter({ hasText: "back online" })
      .waitFor({ timeout: 15_000 });
  });
});
