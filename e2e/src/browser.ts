/**
 * Debian's Chromium driven by playwright-core (no downloaded browser), plus a recorder of every
 * response a page receives: the evidence for the "no token reaches page scripts" tests.
 */
import { mkdirSync } from "node:fs";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type Response,
} from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOTS = new URL("../screenshots/", import.meta.url).pathname;

/**
 * Launches headless Chromium with the flags this machine needs (no sandbox as root, no
 * background networking: the network is closed and Chromium would retry its services).
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A response as page scripts could have seen it: URL, status, readable headers, body. */
export interface Recorded {
  url: string;
  status: number;
  /** Every header except Set-Cookie, which the Fetch standard hides from scripts. */
  headers: Record<string, string>;
  body: string;
  /** Whether the request carried a Cookie header (the browser's decision, not the page's). */
  sentCookie: boolean;
  /** Whether the response is opaque to the page (a no-cors request): no headers, no body. */
  opaque: boolean;
}

/**
 * Records every response the pages of `context` receive, bodies included (streams once they
 * end). Call `settle()` before reading, so late bodies are in.
 */
export function recordResponses(context: BrowserContext): {
  responses: Recorded[];
  settle(): Promise<void>;
} {
  const responses: Recorded[] = [];
  const pending: Promise<void>[] = [];
  const record = async (response: Response) => {
    let headers: Record<string, string>;
    let sentCookie: boolean;
    try {
      headers = { ...(await response.allHeaders()) };
      sentCookie = (await response.request().allHeaders()).cookie !== undefined;
    } catch {
      return; // the page closed while this response arrived: nothing reached a script
    }
    delete headers["set-cookie"];
    let body = "";
    try {
      body = (await response.body()).toString("utf8");
    } catch {
      // Redirects and aborted requests have no body.
    }
    const opaque = Object.keys(headers).length === 0;
    responses.push({
      url: response.url(),
      status: response.status(),
      headers,
      body,
      sentCookie,
      opaque,
    });
  };
  context.on("response", (response) => {
    pending.push(record(response));
  });
  return { responses, settle: async () => void (await Promise.allSettled(pending)) };
}

/** Saves a full-page screenshot under e2e/screenshots/ (ignored by git). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** What page scripts can read of storage: document.cookie, localStorage, sessionStorage. */
export function scriptVisibleStorage(page: Page): Promise<string> {
  return page.evaluate(() => {
    const dump = (storage: Storage) =>
      Array.from({ length: storage.length }, (_, i) => {
        const key = storage.key(i) ?? "";
        return `${key}=${storage.getItem(key)}`;
      }).join("\n");
    return [document.cookie, dump(localStorage), dump(sessionStorage)].join("\n");
  });
}

export type { Browser, BrowserContext, Page };
