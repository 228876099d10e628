import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Browser,
  type BrowserContext,
  launchBrowser,
  type Page,
  recordResponses,
} from "./browser.js";
import { pageFetch, signUpByApi } from "./session.js";
import { type System, startSystem } from "./system.js";

let system: System;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let evil: Server;
let evilOrigin: string;
let recorder: ReturnType<typeof recordResponses>;

/** The attacker's pages, on another port of the same host: same site, another origin. */
function evilPages(web: string): Record<string, string> {
  return {
    "/form": `<!doctype html><title>form</title>
      <form method="POST" action="${web}/api/proxy/api/tasks" enctype="text/plain">
        <input name='{"title":"pwned by a form","x":"' value='"}'>
      </form>
      <script>document.forms[0].submit()</script>`,
    "/fetch": `<!doctype html><title>fetch</title><script>
      Promise.all([
        fetch("${web}/api/proxy/api/tasks", { method: "POST", mode: "no-cors", credentials: "include",
          headers: { "content-type": "text/plain" }, body: '{"title":"pwned by fetch"}' }),
        fetch("${web}/api/agent/chat", { method: "POST", mode: "no-cors", credentials: "include",
          headers: { "content-type": "text/plain" }, body: '{"message":"add pwned by the agent"}' }),
      ]).finally(() => { document.title = "done"; });
    </script>`,
  };
}

beforeAll(async () => {
  system = await startSystem();
  browser = await launchBrowser();
  context = await browser.newContext();
  recorder = recordResponses(context);
  page = await context.newPage();
  await page.goto(`${system.web}/sign-in`);
  await signUpByApi(page);
  const pages = evilPages(system.web);
  evil = createServer((request, response) => {
    const html = pages[request.url ?? ""];
    response.writeHead(html === undefined ? 404 : 200, { "content-type": "text/html" });
    response.end(html ?? "");
  });
  await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
  evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await system?.close();
});

const titles = async () => {
  const listing = await pageFetch(page, "/api/proxy/api/tasks");
  expect(listing.status).toBe(200);
  return (JSON.parse(listing.text).items as { title: string }[]).map((task) => task.title);
};

describe("a page on another origin, with the user's cookies", () => {
  it("the user's own page can create a task (the control)", async () => {
    const created = await pageFetch(page, "/api/proxy/api/tasks", {
      method: "POST",
      body: { title: "Legit" },
    });
    expect(created.status).toBe(201);
    expect(await titles()).toEqual(["Legit"]);
  });

  it("cannot create a task by posting a form", async () => {
    const attack = await context.newPage();
    const answered = attack.waitForResponse((r) => r.url().endsWith("/api/proxy/api/tasks"));
    await attack.goto(`${evilOrigin}/form`);
    const response = await answered;
    expect(response.status()).toBe(403);
    expect(await titles()).toEqual(["Legit"]);
    await attack.close();
  });

  it("cannot create a task or drive the agent with fetch", async () => {
    const attack = await context.newPage();
    const proxied = attack.waitForResponse((r) => r.url().endsWith("/api/proxy/api/tasks"));
    const agent = attack.waitForResponse((r) => r.url().endsWith("/api/agent/chat"));
    await attack.goto(`${evilOrigin}/fetch`);
    expect((await proxied).status()).toBe(403);
    expect((await agent).status()).toBe(403);
    await attack.waitForFunction(() => document.title === "done");
    expect(await titles()).toEqual(["Legit"]);
    await attack.close();
  });

  it("sent the cookies (same site: only the port differs), so the refusal is the proxy's CSRF check", async () => {
    await recorder.settle();
    const refused = recorder.responses.filter((r) => r.status === 403);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const response of refused) {
      // no-cors answers are opaque, and the browser does not report their request headers
      // either: the status is what there is to check.
      if (response.opaque) continue;
      expect(response.sentCookie, response.url).toBe(true);
      expect(response.headers["content-type"]).toBe("application/problem+json");
      expect(JSON.parse(response.body).code).toBe("ERR_CSRF_CROSS_SITE");
    }
    expect(refused.filter((response) => !response.opaque)).toHaveLength(1);
  });
});

describe("signed out", () => {
  it("every proxy route answers 401 problem+json", async () => {
    const anonymous = await browser.newContext();
    const stranger = await anonymous.newPage();
    await stranger.goto(`${system.web}/sign-in`);
    for (const path of ["/api/proxy/api/tasks", "/api/agent/health", "/api/proxy/api/me"]) {
      const response = await pageFetch(stranger, path);
      expect(response.status, path).toBe(401);
      expect(response.type).toBe("application/problem+json");
      expect(JSON.parse(response.text).code).toBe("ERR_UNAUTHENTICATED");
    }
    const post = await pageFetch(stranger, "/api/agent/chat", {
      method: "POST",
      body: { message: "help" },
    });
    expect(post.status).toBe(401);
    await anonymous.close();
  });

  it("the dashboard sends the browser to sign-in", async () => {
    const anonymous = await browser.newContext();
    const stranger = await anonymous.newPage();
    await stranger.goto(`${system.web}/`);
    expect(new URL(stranger.url()).pathname).toBe("/sign-in");
    await anonymous.close();
  });
});
