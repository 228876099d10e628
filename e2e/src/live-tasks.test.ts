/**
 * Live tasks in a real browser: the dashboard follows `GET /api/tasks/live` over a WebSocket
 * that Handoff's front door relays with the session's JWT. Two tabs of one user see each other's
 * changes (and the agent's) without a reload; a page on another origin cannot open the socket;
 * no token reaches the page, frames included; signing out in one tab closes the other's socket
 * with 4401 and sends that tab to sign-in.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Browser,
  type BrowserContext,
  launchBrowser,
  type Page,
  recordResponses,
  scriptVisibleStorage,
} from "./browser.js";
import { newUser } from "./session.js";
import { type System, startSystem } from "./system.js";

let system: System;
let browser: Browser;
let context: BrowserContext;
let tabA: Page;
let tabB: Page;
let evil: Server;
let evilOrigin: string;
let recorder: ReturnType<typeof recordResponses>;
const user = newUser("Linus");

/** A JWT anywhere: three base64url parts, the first two JSON objects (`{"` → `eyJ`). */
const JWT = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/;
const LIVE = "/api/proxy/api/tasks/live";

/** Every WebSocket the pages opened: its URL, the frames both ways, and how it closed. */
const sockets: { url: string; frames: string[]; page: Page }[] = [];
/** `ws-close <code> <url>` lines, logged by the init script below (they survive navigation). */
const closes: { page: Page; code: number; url: string }[] = [];

beforeAll(async () => {
  system = await startSystem();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  // The page's WebSocket close codes, which Playwright does not report: said on the console.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener("close", (event) => {
          console.log(`ws-close ${event.code} ${this.url}`);
        });
      }
    };
  });
  context.on("page", (page) => {
    page.on("console", (message) => {
      const match = /^ws-close (\d+) (\S+)$/.exec(message.text());
      if (match) closes.push({ page, code: Number(match[1]), url: match[2] as string });
    });
    page.on("websocket", (socket) => {
      const entry = { url: socket.url(), frames: [] as string[], page };
      sockets.push(entry);
      socket.on("framereceived", (frame) => entry.frames.push(String(frame.payload)));
      socket.on("framesent", (frame) => entry.frames.push(String(frame.payload)));
    });
  });
  recorder = recordResponses(context);
  tabA = await context.newPage();
  await tabA.goto(`${system.web}/sign-up`);
  await tabA.getByTestId("name").fill(user.name);
  await tabA.getByTestId("email").fill(user.email);
  await tabA.getByTestId("password").fill(user.password);
  await tabA.getByTestId("auth-submit").click();
  await tabA.waitForURL(`${system.web}/`);
  tabB = await context.newPage();
  await tabB.goto(`${system.web}/`);

  const attack = `<!doctype html><title>open</title><script>
    let opened = false;
    const socket = new WebSocket("${system.web.replace("http", "ws")}${LIVE}");
    socket.onopen = () => { opened = true; };
    socket.onclose = (event) => { document.title = "closed " + opened + " " + event.code; };
  </script>`;
  evil = createServer((request, response) => {
    const found = request.url === "/ws";
    response.writeHead(found ? 200 : 404, { "content-type": "text/html" });
    response.end(found ? attack : "");
  });
  await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
  evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await system?.close();
});

const task = (page: Page, title: string) =>
  page
    .getByTestId("task-item")
    .filter({ has: page.getByTestId("task-title").getByText(title, { exact: true }) });
const liveState = (page: Page) => page.getByTestId("live-status").getAttribute("data-state");
const waitLive = (page: Page) =>
  expect.poll(() => liveState(page), { timeout: 15_000 }).toBe("live");

/** A WebSocket handshake from Node, as any client could send it; resolves with the answer. */
function rawUpgrade(headers: Record<string, string>): Promise<string> {
  const { hostname, port } = new URL(system.web);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = [
        `GET ${LIVE} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
    });
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
      // A 101 keeps the socket open: its head is all there is to read.
      if (answer.startsWith("HTTP/1.1 101") && answer.includes("\r\n\r\n")) socket.destroy();
    });
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer to the upgrade")));
  });
}

const cookieHeader = async () =>
  (await context.cookies(system.web)).map(({ name, value }) => `${name}=${value}`).join("; ");

describe("live tasks, two tabs of one user in Chromium", () => {
  it("shows a task added in tab B in tab A, without a reload", async () => {
    await waitLive(tabA);
    await waitLive(tabB);
    await tabA.evaluate(() => Object.assign(window, { notReloaded: true }));
    await tabB.getByTestId("new-task-title").fill("Written in tab B");
    await tabB.getByTestId("add-task").click();
    await task(tabA, "Written in tab B").waitFor({ timeout: 10_000 });
    expect(await tabA.evaluate(() => "notReloaded" in window)).toBe(true);
    expect(
      sockets.some(
        (s) => s.page === tabA && s.url === `${system.web.replace("http", "ws")}${LIVE}`,
      ),
    ).toBe(true);
  });

  it("follows a change and a deletion made in tab B", async () => {
    await task(tabB, "Written in tab B").getByTestId("task-toggle").click();
    await expect
      .poll(() => task(tabA, "Written in tab B").getAttribute("data-status"), { timeout: 10_000 })
      .toBe("done");
    await task(tabB, "Written in tab B").getByTestId("delete-task").click();
    await expect.poll(() => task(tabA, "Written in tab B").count(), { timeout: 10_000 }).toBe(0);
    expect(await tabA.evaluate(() => "notReloaded" in window)).toBe(true);
  });

  it("shows a task the agent adds (asked in tab B) in tab A", async () => {
    await expect
      .poll(() => tabB.getByTestId("agent-status").getAttribute("data-state"), { timeout: 15_000 })
      .toBe("available");
    await tabB.getByTestId("agent-input").fill("add water the plants");
    await tabB.getByTestId("agent-send").click();
    await task(tabA, "water the plants").waitFor({ timeout: 15_000 });
    expect(await tabA.evaluate(() => "notReloaded" in window)).toBe(true);
  });
});

describe("a page on another origin (same site, another port), with the user's cookies", () => {
  it("cannot open the feed: the socket closes without ever opening", async () => {
    const attack = await context.newPage();
    await attack.goto(`${evilOrigin}/ws`);
    await attack.waitForFunction(() => document.title.startsWith("closed"), null, {
      timeout: 10_000,
    });
    expect(await attack.title()).toBe("closed false 1006");
    const theirs = sockets.filter((socket) => socket.page === attack);
    expect(theirs).toHaveLength(1);
    expect(theirs[0]?.frames).toEqual([]);
    await attack.close();
  });

  it("is answered 403 by the proxy, while the same handshake from the app's origin gets 101", async () => {
    const cookie = await cookieHeader();
    expect(cookie).toMatch(/session_token=/);
    const refused = await rawUpgrade({ Origin: evilOrigin, Cookie: cookie });
    expect(refused).toMatch(/^HTTP\/1\.1 403 /);
    expect(refused).toContain("application/problem+json");
    expect(refused).toContain("ERR_CSRF_ORIGIN_MISMATCH");
    const noOrigin = await rawUpgrade({ Cookie: cookie });
    expect(noOrigin).toMatch(/^HTTP\/1\.1 403 /);
    const anonymous = await rawUpgrade({ Origin: system.web });
    expect(anonymous).toMatch(/^HTTP\/1\.1 401 /);
    const own = await rawUpgrade({ Origin: system.web, Cookie: cookie });
    expect(own).toMatch(/^HTTP\/1\.1 101 /);
    expect(own.toLowerCase()).toContain("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=");
  });
});

describe("secrets", () => {
  it("never lets page scripts see the session token or the backend JWT, WebSocket frames included", async () => {
    await recorder.settle();
    const session = (await context.cookies()).find((c) => c.name.endsWith("session_token"));
    expect(session?.httpOnly).toBe(true);
    const token = session?.value.split(".")[0] as string;
    expect(token.length).toBeGreaterThan(16);

    const ours = sockets.filter((socket) => socket.page === tabA || socket.page === tabB);
    expect(ours.length).toBeGreaterThanOrEqual(2);
    const frames = ours.flatMap((socket) => socket.frames);
    expect(frames.some((frame) => frame.includes('"type":"task.created"'))).toBe(true);
    for (const socket of ours) {
      expect(new URL(socket.url).pathname).toBe(LIVE);
      expect(new URL(socket.url).search).toMatch(/^(\?after=\d+)?$/);
    }
    for (const visible of [
      ...frames,
      ...ours.map((socket) => socket.url),
      await scriptVisibleStorage(tabA),
      await scriptVisibleStorage(tabB),
      ...recorder.responses.map((r) => `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`),
    ]) {
      expect(visible).not.toContain(token);
      expect(visible).not.toContain(encodeURIComponent(token));
      expect(visible).not.toMatch(JWT);
    }
    expect(await tabA.evaluate(() => document.cookie)).toBe("");
    expect(system.output()).not.toContain(token);
    expect(system.output()).not.toMatch(JWT);
  });
});

describe("signing out", () => {
  it("in tab B closes tab A's socket with 4401, and tab A goes to sign-in", async () => {
    await waitLive(tabA);
    await tabB.getByTestId("sign-out").click();
    await tabB.waitForURL(`${system.web}/sign-in**`);
    await tabA.waitForURL(`${system.web}/sign-in**`, { timeout: 15_000 });
    expect(closes.filter((close) => close.page === tabA).map((close) => close.code)).toContain(
      4401,
    );
  });
});
