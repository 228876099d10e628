/**
 * The whole pattern in a real browser: sign up, manage tasks through the proxy, talk to the
 * agent while the list follows along, and prove that no script on the page could ever read the
 * session token or the backend JWT.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Browser,
  type BrowserContext,
  launchBrowser,
  type Page,
  recordResponses,
  screenshot,
  scriptVisibleStorage,
} from "./browser.js";
import { newUser, pageFetch } from "./session.js";
import { type System, startSystem } from "./system.js";

let system: System;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let recorder: ReturnType<typeof recordResponses>;
const storageSnapshots: string[] = [];
const user = newUser("Grace");

/** A JWT anywhere: three base64url parts, the first two JSON objects (`{"` → `eyJ`). */
const JWT = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/;

beforeAll(async () => {
  // A slow-typing built-in agent, so the answer is still streaming when the list updates.
  system = await startSystem({ apiEnv: { AGENT_WORD_DELAY_MS: "250" } });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  recorder = recordResponses(context);
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

const task = (title: string) =>
  page
    .getByTestId("task-item")
    .filter({ has: page.getByTestId("task-title").getByText(title, { exact: true }) });
const snapshotStorage = async () => storageSnapshots.push(await scriptVisibleStorage(page));
const apiTasks = async () => {
  const response = await pageFetch(page, "/api/proxy/api/tasks");
  expect(response.status).toBe(200);
  return JSON.parse(response.text).items as { title: string; notes: string; status: string }[];
};

describe("the dashboard, in Chromium", () => {
  it("signs a new user up and opens their workspace", async () => {
    await page.goto(`${system.web}/sign-up`);
    await page.getByTestId("name").fill(user.name);
    await page.getByTestId("email").fill(user.email);
    await page.getByTestId("password").fill(user.password);
    await screenshot(page, "sign-up");
    await page.getByTestId("auth-submit").click();
    await page.waitForURL(`${system.web}/`);
    await expect.poll(() => page.getByTestId("user-email").textContent()).toBe(user.email);
    await expect.poll(() => page.getByTestId("workspace-name").textContent()).toContain("Grace");
    await snapshotStorage();
  });

  it("adds a task through the proxy", async () => {
    await page.getByTestId("new-task-title").fill("Buy milk");
    await page.getByTestId("add-task").click();
    await task("Buy milk").waitFor();
    await expect.poll(() => task("Buy milk").getAttribute("data-pending")).not.toBe("true");
    expect(await apiTasks()).toMatchObject([{ title: "Buy milk", status: "open" }]);
  });

  it("edits its title and notes", async () => {
    await task("Buy milk").getByTestId("edit-task").click();
    await page.getByTestId("edit-title").fill("Buy oat milk");
    await page.getByTestId("edit-notes").fill("2 litres");
    await page.getByTestId("save-task").click();
    await task("Buy oat milk").waitFor();
    await expect
      .poll(async () => (await apiTasks())[0])
      .toMatchObject({
        title: "Buy oat milk",
        notes: "2 litres",
      });
  });

  it("completes it, and the filters follow", async () => {
    await task("Buy oat milk").getByTestId("task-toggle").click();
    await expect.poll(() => task("Buy oat milk").getAttribute("data-status")).toBe("done");
    await expect.poll(async () => (await apiTasks())[0]?.status).toBe("done");
    await page.getByTestId("filter-open").click();
    await expect.poll(() => task("Buy oat milk").count()).toBe(0);
    await page.getByTestId("filter-done").click();
    await expect.poll(() => task("Buy oat milk").count()).toBe(1);
    await page.getByTestId("filter-all").click();
    await snapshotStorage();
  });

  it("deletes it", async () => {
    await task("Buy oat milk").getByTestId("delete-task").click();
    await expect.poll(() => task("Buy oat milk").count()).toBe(0);
    await expect.poll(apiTasks).toEqual([]);
  });

  it("asks the agent to add a task and sees the list update while the answer streams", async () => {
    await expect
      .poll(() => page.getByTestId("agent-status").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("available");
    await page.getByTestId("agent-input").fill("add call mum");
    await page.getByTestId("agent-send").click();
    await task("call mum").waitFor({ timeout: 10_000 });
    // The task is in the list, and the answer has not finished typing yet.
    const answer = page.getByTestId("chat-answer").last();
    expect(await answer.getAttribute("data-state")).toBe("streaming");
    await expect.poll(() => answer.getAttribute("data-state"), { timeout: 15_000 }).toBe("done");
    expect(await answer.getByTestId("chat-answer-text").textContent()).toContain("call mum");
    expect(await answer.getByTestId("tool-activity").first().textContent()).toContain("add_task");
    expect(await apiTasks()).toMatchObject([{ title: "call mum", status: "open" }]);
    await screenshot(page, "dashboard");
    await snapshotStorage();
  });

  it("never lets page scripts see the session token or the backend JWT", async () => {
    await recorder.settle();
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name.endsWith("session_token"));
    expect(session, JSON.stringify(cookies.map((c) => c.name))).toBeDefined();
    expect(session?.httpOnly).toBe(true);
    const token = session?.value.split(".")[0] as string; // the token, without its signature
    expect(token.length).toBeGreaterThan(16);
    expect(recorder.responses.length).toBeGreaterThan(10);

    for (const snapshot of storageSnapshots) {
      expect(snapshot).not.toContain(token);
      expect(snapshot).not.toMatch(JWT);
    }
    expect(await page.evaluate(() => document.cookie)).toBe("");
    for (const response of recorder.responses) {
      const visible = `${JSON.stringify(response.headers)}\n${response.body}`;
      expect(visible, response.url).not.toContain(token);
      expect(visible, response.url).not.toContain(encodeURIComponent(token));
      expect(visible, response.url).not.toMatch(JWT);
    }
    // Better Auth's token endpoint, which would hand the JWT to any same-origin script, is off.
    const tokenEndpoint = await pageFetch(page, "/api/auth/token");
    expect(tokenEndpoint.status).toBe(404);
    expect(tokenEndpoint.text).not.toMatch(JWT);
    // Nor do the servers log them.
    expect(system.output()).not.toContain(token);
    expect(system.output()).not.toMatch(JWT);
  });

  it("goes to sign-in when the session is gone, and the proxy answers 401", async () => {
    await context.clearCookies();
    const refused = await pageFetch(page, "/api/proxy/api/tasks");
    expect(refused.status).toBe(401);
    await page.getByTestId("new-task-title").fill("Too late");
    await page.getByTestId("add-task").click();
    await page.waitForURL(`${system.web}/sign-in**`);
    await screenshot(page, "sign-in");
  });

  it("signs back in and signs out with the button", async () => {
    await page.getByTestId("email").fill(user.email);
    await page.getByTestId("password").fill(user.password);
    await page.getByTestId("auth-submit").click();
    await page.waitForURL(`${system.web}/`);
    await task("call mum").waitFor();
    await page.getByTestId("sign-out").click();
    await page.waitForURL(`${system.web}/sign-in**`);
    expect((await pageFetch(page, "/api/proxy/api/tasks")).status).toBe(401);
  });
});
