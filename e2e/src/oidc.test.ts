/**
 * The OpenID Connect example (examples/oidc) as `npm run start:oidc` runs it: the built Next.js
 * app, the development provider and the TaskFlow API, started by scripts/start-oidc.mjs on free
 * ports. Chromium signs in on the provider's page, uses the API through the proxy, and signs out
 * both ways; no token ever reaches the page.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { pageFetch } from "./session.js";

const root = new URL("../..", import.meta.url).pathname;
/** A JWT anywhere: three base64url parts, the first two JSON objects (`{"` → `eyJ`). */
const JWT = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/;
/** The development provider's demo user (examples/oidc/README.md). */
const DEMO = { email: "demo@example.test", password: "handoff-demo" };

let script: ChildProcess;
let output = "";
let data: string;
let app: string;
let issuer: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let recorder: ReturnType<typeof recordResponses>;
const storageSnapshots: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Stops the script (it stops its three servers), by its own process group at the last resort. */
async function stopScript(): Promise<void> {
  if (script === undefined || script.exitCode !== null || script.signalCode !== null) return;
  const exited = new Promise((resolve) => script.once("exit", resolve));
  script.kill("SIGTERM");
  const timer = setTimeout(() => {
    if (script.pid !== undefined) process.kill(-script.pid, "SIGKILL");
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), "handoff-oidc-e2e-"));
  const [port, providerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  app = `http://127.0.0.1:${port}`;
  issuer = `http://127.0.0.1:${providerPort}`;
  script = spawn(process.execPath, ["scripts/start-oidc.mjs"], {
    cwd: root,
    // Its own process group, so that nothing it started can outlive a failed run.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      PORT: String(port),
      OIDC_DEV_PORT: String(providerPort),
      API_PORT: String(apiPort),
      DATA_DIR: data,
      // Within the default 60 s refresh skew 2 s after issue: the refresh test needs no long wait.
      OIDC_DEV_ACCESS_TTL: "62",
    },
  });
  script.stdout?.on("data", (chunk) => (output += chunk));
  script.stderr?.on("data", (chunk) => (output += chunk));
  const started = new Promise<void>((resolve, reject) => {
    script.stdout?.on("data", () => {
      if (output.includes("Handoff OIDC example:")) resolve();
    });
    script.once("exit", (code) => reject(new Error(`start-oidc exited (${code}):\n${output}`)));
  });
  await started;
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1024, height: 760 } });
  recorder = recordResponses(context);
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await stopScript();
  if (data !== undefined) rmSync(data, { recursive: true, force: true });
});

const snapshotStorage = async () => storageSnapshots.push(await scriptVisibleStorage(page));

/** From the signed-out page: the provider's sign-in form, then back to the app. */
async function signIn(): Promise<void> {
  await page.getByTestId("sign-in").click();
  await page.waitForURL(`${issuer}/interaction/**`);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app}/`);
  await expect.poll(() => page.getByTestId("user-email").textContent()).toBe(DEMO.email);
}

describe("the OpenID Connect example, in Chromium", () => {
  it("signs in on the development provider's page and shows who is signed in", async () => {
    await page.goto(app);
    await page.getByTestId("signed-out").waitFor();
    expect((await pageFetch(page, "/auth/user")).status).toBe(401);
    await page.getByTestId("sign-in").click();
    await page.waitForURL(`${issuer}/interaction/**`);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong");
    await screenshot(page, "oidc-sign-in");
    await page.getByLabel("Password").fill(DEMO.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${app}/`);
    await expect.poll(() => page.getByTestId("user-email").textContent()).toBe(DEMO.email);
    expect(await page.getByTestId("user-name").textContent()).toBe("Demo User");
    expect(await page.getByTestId("user-sub").textContent()).toBe("demo-user");
    const user = await pageFetch(page, "/auth/user");
    expect(user.status).toBe(200);
    expect(JSON.parse(user.text)).toMatchObject({ sub: "demo-user", iss: issuer });
    await snapshotStorage();
  });

  it("lists and adds TaskFlow tasks through the proxy, which the API accepts for the demo tenant", async () => {
    await page.getByTestId("no-tasks").waitFor();
    await page.getByTestId("new-task").fill("Read the OIDC docs");
    await page.getByTestId("add-task").click();
    await expect
      .poll(() => page.getByTestId("task").allTextContents())
      .toEqual(["Read the OIDC docs"]);
    const me = await pageFetch(page, "/api/proxy/api/me");
    expect(me.status).toBe(200);
    expect(JSON.parse(me.text)).toMatchObject({ userId: "demo-user", tenantId: "demo" });
    await screenshot(page, "oidc-signed-in");
    await snapshotStorage();
  });

  it("refreshes the access token as it nears expiry, with the rotated refresh token", async () => {
    const refreshes = () => output.match(/token refresh_token → 200/g)?.length ?? 0;
    const before = refreshes();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await page.reload();
    await expect
      .poll(() => page.getByTestId("task").allTextContents())
      .toEqual(["Read the OIDC docs"]);
    expect(refreshes()).toBe(before + 1);
    // The rotated refresh token works: the old one would be refused (and end the session).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await pageFetch(page, "/api/proxy/api/tasks")).status).toBe(200);
    expect(refreshes()).toBe(before + 2);
    expect(output).not.toMatch(/refresh_token → 400/);
    await snapshotStorage();
  });

  it("never lets a token reach the page: responses, document.cookie, storage, logs", async () => {
    await recorder.settle();
    const cookies = await context.cookies(app);
    const session = cookies.find((cookie) => cookie.name === "handoff.session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    expect(await page.evaluate(() => document.cookie)).toBe("");
    for (const snapshot of storageSnapshots) expect(snapshot).not.toMatch(JWT);
    const ours = recorder.responses.filter((response) => response.url.startsWith(app));
    expect(ours.length).toBeGreaterThan(5);
    for (const response of recorder.responses) {
      expect(`${JSON.stringify(response.headers)}\n${response.body}`, response.url).not.toMatch(
        JWT,
      );
    }
    expect(output).not.toMatch(JWT);
  });

  it("signs out at the provider (RP-initiated); then /auth/user and the proxy answer 401", async () => {
    const copy = (await context.cookies(app)).filter((c) => c.name.startsWith("handoff.session"));
    await page.getByTestId("sign-out").click();
    await page.waitForURL(`${issuer}/session/end**`);
    await page.getByRole("button", { name: "Yes, sign me out" }).click();
    await page.waitForURL(`${app}/`);
    await page.getByTestId("signed-out").waitFor();
    expect((await pageFetch(page, "/auth/user")).status).toBe(401);
    expect((await pageFetch(page, "/api/proxy/api/tasks")).status).toBe(401);
    // A copy of the old session cookie is refused too: sign-out revoked the session.
    await context.addCookies(copy);
    const replay = await pageFetch(page, "/auth/user");
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.text).code).toBe("ERR_SESSION_EXPIRED");
  });

  it("ends the session when the provider sends a back-channel logout", async () => {
    await page.goto(app);
    await signIn();
    expect((await pageFetch(page, "/api/proxy/api/tasks")).status).toBe(200);
    // The user signs out at the provider itself, in another tab: the app is not involved.
    const provider = await context.newPage();
    await provider.goto(`${issuer}/session/end`);
    await provider.getByRole("button", { name: "Yes, sign me out" }).click();
    await provider.getByText("You are signed out.").waitFor();
    await provider.close();
    await expect.poll(() => output).toContain("back-channel logout delivered");
    expect((await pageFetch(page, "/auth/user")).status).toBe(401);
    expect((await pageFetch(page, "/api/proxy/api/tasks")).status).toBe(401);
    await page.reload();
    await page.getByTestId("signed-out").waitFor();
  });
});
