/**
 * ChatKit flow 1 in the dashboard: `/api/chatkit/start` and `/refresh` mint client secrets for
 * the signed-in Better Auth user through the ChatKit Sessions API — here a local stand-in that
 * checks the documented headers and body (the same one the library's tests use). Also the
 * ChatKit page itself, which cannot load OpenAI's component here and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  type ChatKitStandIn,
  startChatKitStandIn,
  WORKFLOW_ID,
} from "../../packages/handoff-bff/test/chatkit-stand-in.js";
import {
  type Browser,
  type BrowserContext,
  launchBrowser,
  type Page,
  screenshot,
} from "./browser.js";
import { pageFetch, signUpByApi } from "./session.js";
import { type System, startSystem } from "./system.js";

let standIn: ChatKitStandIn;
let system: System;
let browser: Browser;
let alice: Page;
let bob: Page;

async function signedIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${system.web}/sign-in`);
  await signUpByApi(page);
  return page;
}
const userId = async (page: Page) =>
  JSON.parse((await pageFetch(page, "/api/proxy/api/me")).text).userId as string;

beforeAll(async () => {
  standIn = await startChatKitStandIn({ apiKey: API_KEY, workflowId: WORKFLOW_ID });
  system = await startSystem({
    webEnv: {
      OPENAI_API_KEY: API_KEY,
      CHATKIT_WORKFLOW_ID: WORKFLOW_ID,
      CHATKIT_API_BASE: standIn.url,
    },
  });
  browser = await launchBrowser();
  alice = await signedIn(await browser.newContext());
  bob = await signedIn(await browser.newContext());
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
  await standIn?.close();
});

describe("ChatKit flow 1 (client secrets) in the dashboard", () => {
  it("answers 401 when signed out, and mints nothing", async () => {
    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(`${system.web}/sign-in`);
    const response = await pageFetch(stranger, "/api/chatkit/start", { method: "POST", body: {} });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text).code).toBe("ERR_UNAUTHENTICATED");
    expect(standIn.creates()).toHaveLength(0);
  });

  it("mints a secret for the session's user, whatever the browser claims", async () => {
    const response = await pageFetch(alice, "/api/chatkit/start", {
      method: "POST",
      body: { user: "someone-else", workflow: { id: "wf_other" } },
    });
    expect(response.status).toBe(200);
    const answer = JSON.parse(response.text);
    expect(Object.keys(answer).sort()).toEqual(["client_secret", "expires_at"]);
    const [seen] = standIn.creates();
    expect(seen?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen?.headers["openai-beta"]).toBe("chatkit_beta=v1");
    expect(JSON.parse(seen?.body.toString() ?? "")).toEqual({
      workflow: { id: WORKFLOW_ID },
      user: await userId(alice),
    });
    expect(standIn.violations).toEqual([]);
    expect(response.text).not.toContain(API_KEY);
  });

  it("refreshes for the same user and cancels the old session", async () => {
    const first = JSON.parse(
      (await pageFetch(alice, "/api/chatkit/start", { method: "POST", body: {} })).text,
    );
    const oldSession = [...standIn.sessions.values()].find(
      (s) => s.client_secret === first.client_secret,
    );
    const refreshed = await pageFetch(alice, "/api/chatkit/refresh", {
      method: "POST",
      body: { currentClientSecret: first.client_secret },
    });
    expect(refreshed.status).toBe(200);
    expect(JSON.parse(refreshed.text).client_secret).not.toBe(first.client_secret);
    expect(standIn.cancelled).toContain(oldSession?.id);
  });

  it("refuses another user's secret with 403 and mints nothing", async () => {
    const secret = JSON.parse(
      (await pageFetch(alice, "/api/chatkit/start", { method: "POST", body: {} })).text,
    );
    const before = standIn.creates().length;
    const cancelled = standIn.cancelled.length;
    const stolen = await pageFetch(bob, "/api/chatkit/refresh", {
      method: "POST",
      body: { currentClientSecret: secret.client_secret },
    });
    expect(stolen.status).toBe(403);
    expect(JSON.parse(stolen.text).code).toBe("ERR_CHATKIT_SECRET_MISMATCH");
    expect(standIn.creates()).toHaveLength(before);
    expect(standIn.cancelled).toHaveLength(cancelled);
  });
});

describe("the ChatKit page without OpenAI's CDN", () => {
  it("says plainly that ChatKit cannot load, and offers the agent instead", async () => {
    // Hermetic: the CDN is refused whatever this machine's network would do.
    await alice.context().route("https://cdn.platform.openai.com/**", (route) => route.abort());
    await alice.goto(`${system.web}/chatkit`);
    const status = alice.getByTestId("chatkit-status");
    await expect
      .poll(() => status.getAttribute("data-state"), { timeout: 15_000 })
      .toBe("unavailable");
    expect(await status.textContent()).toContain("could not be loaded");
    expect(await alice.getByTestId("chatkit-flow-client-secret").isEnabled()).toBe(true);
    expect(await alice.getByTestId("chatkit-flow-direct-token").isEnabled()).toBe(false);
    // Flow 3 is the default and the recommended one; the hosted-workflow flows are legacy
    // (Agent Builder shut down on 2026-11-30), even when configured, as flow 1 is here.
    expect(await alice.getByTestId("chatkit-flow-custom-backend").isChecked()).toBe(true);
    const label = (flow: string) => alice.getByTestId(`chatkit-flow-label-${flow}`);
    expect(await label("custom-backend").textContent()).toContain("recommended");
    expect(await label("custom-backend").getAttribute("data-legacy")).toBe("false");
    for (const flow of ["client-secret", "direct-token"]) {
      expect(await label(flow).textContent()).toContain("legacy");
      expect(await label(flow).getAttribute("data-legacy")).toBe("true");
    }
    expect(await alice.getByTestId("chatkit-retirement").textContent()).toContain(
      "transition window",
    );
    await expect
      .poll(() => alice.getByTestId("agent-status").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("available");
    await screenshot(alice, "chatkit");
  });
});
