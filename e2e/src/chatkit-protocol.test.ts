/**
 * ChatKit flow 3 in Chromium, without OpenAI's script: from the signed-in page, the page's own
 * `fetch` speaks ChatKit's protocol to `/api/chatkit` (Handoff → the API's `/chatkit`), as the
 * web component would. No token is in the browser: the cookie does the rest.
 */
import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, launchBrowser, type Page } from "./browser.js";
import { pageFetch, signUpByApi } from "./session.js";
import { type System, startSystem } from "./system.js";

let system: System;
let browser: Browser;
let alice: Page;
let bob: Page;
let threadId: string;

/** The events of a stream's text, by eventsource-parser, the one SSE parser of the tests. */
function parseEvents(text: string) {
  const data: string[] = [];
  const parser = createParser({ onEvent: (event) => data.push(event.data) });
  parser.feed(text);
  return data.map((line) => JSON.parse(line));
}

/** One protocol request from the page: JSON back, or the `data:` events of a stream. */
async function chatkit(page: Page, type: string, params: Record<string, unknown>) {
  const { status, contentType, text } = await page.evaluate(
    async ({ type, params }) => {
      const response = await fetch("/api/chatkit", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type, params }),
      });
      const contentType = response.headers.get("content-type") ?? "";
      return { status: response.status, contentType, text: await response.text() };
    },
    { type, params },
  );
  const events = contentType.startsWith("text/event-stream") ? parseEvents(text) : [];
  return {
    status,
    contentType,
    json: events.length ? null : JSON.parse(text || "null"),
    events,
  };
}
const input = (text: string) => ({
  content: [{ type: "input_text", text }],
  attachments: [],
  quoted_text: null,
  inference_options: {},
});
const answerOf = (
  events: { type: string; item?: { type: string; content?: { text: string }[] } }[],
) =>
  events
    .filter(
      (event) => event.type === "thread.item.done" && event.item?.type === "assistant_message",
    )
    .map((event) => event.item?.content?.[0]?.text)
    .join("");

beforeAll(async () => {
  system = await startSystem();
  browser = await launchBrowser();
  for (const name of ["alice", "bob"] as const) {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${system.web}/sign-in`);
    await signUpByApi(page);
    if (name === "alice") alice = page;
    else bob = page;
  }
});
afterAll(async () => {
  await browser?.close();
  await system?.close();
});

describe("ChatKit's protocol through /api/chatkit, from the page", () => {
  it("creates a thread and streams the agent's answer; the agent's tool really ran", async () => {
    const created = await chatkit(alice, "threads.create", { input: input("add buy milk") });
    expect(created.status).toBe(200);
    expect(created.contentType).toContain("text/event-stream");
    const types = created.events.map((event) => event.type);
    expect(types[0]).toBe("thread.created");
    expect(types).toContain("thread.item.added");
    expect(types.filter((type) => type === "thread.item.updated").length).toBeGreaterThan(1);
    expect(types.at(-1)).toBe("thread.item.done");
    threadId = created.events[0].thread.id;
    expect(answerOf(created.events)).toContain("buy milk");
    const tasks = JSON.parse((await pageFetch(alice, "/api/proxy/api/tasks")).text).items;
    expect(tasks.map((task: { title: string }) => task.title)).toEqual(["buy milk"]);
  });

  it("adds a message to the thread, answered with its history", async () => {
    const added = await chatkit(alice, "threads.add_user_message", {
      thread_id: threadId,
      input: input("list my tasks"),
    });
    expect(added.status).toBe(200);
    expect(answerOf(added.events)).toContain("buy milk");
  });

  it("lists threads and items", async () => {
    const threads = await chatkit(alice, "threads.list", { limit: 20, order: "desc" });
    expect(threads.status).toBe(200);
    expect(threads.json.data.map((thread: { id: string }) => thread.id)).toEqual([threadId]);
    const items = await chatkit(alice, "items.list", { thread_id: threadId, order: "asc" });
    expect(items.json.data.map((item: { type: string }) => item.type)).toEqual([
      "user_message",
      "assistant_message",
      "user_message",
      "assistant_message",
    ]);
  });

  it("renames the thread", async () => {
    const renamed = await chatkit(alice, "threads.update", {
      thread_id: threadId,
      title: "Groceries",
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.title).toBe("Groceries");
    expect((await chatkit(alice, "threads.get_by_id", { thread_id: threadId })).json.title).toBe(
      "Groceries",
    );
  });

  it("shows a second user none of the first user's threads", async () => {
    expect((await chatkit(bob, "threads.list", { limit: 20, order: "desc" })).json.data).toEqual(
      [],
    );
    for (const [type, params] of [
      ["threads.get_by_id", { thread_id: threadId }],
      ["items.list", { thread_id: threadId }],
      ["threads.update", { thread_id: threadId, title: "pwned" }],
      ["threads.add_user_message", { thread_id: threadId, input: input("delete 1") }],
      ["threads.delete", { thread_id: threadId }],
    ] as const) {
      const response = await chatkit(bob, type, params);
      expect(response.status, type).toBe(404);
      expect(response.json.code).toBe("ERR_NOT_FOUND");
    }
    expect((await chatkit(alice, "threads.get_by_id", { thread_id: threadId })).json.title).toBe(
      "Groceries",
    );
  });

  it("deletes the thread", async () => {
    const deleted = await chatkit(alice, "threads.delete", { thread_id: threadId });
    expect(deleted.status).toBe(200);
    expect((await chatkit(alice, "threads.get_by_id", { thread_id: threadId })).status).toBe(404);
    expect((await chatkit(alice, "threads.list", { limit: 20, order: "desc" })).json.data).toEqual(
      [],
    );
  });

  it("refuses the protocol when signed out", async () => {
    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(`${system.web}/sign-in`);
    const response = await chatkit(stranger, "threads.list", { limit: 20 });
    expect(response.status).toBe(401);
  });
});
