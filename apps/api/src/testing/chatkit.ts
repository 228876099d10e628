/**
 * Test fixture for the ChatKit tests: requests shaped as the ChatKit web component sends them,
 * and a reader for its event stream (`data: <json>` blocks). Not imported by application code.
 */
import type { ThreadStreamEvent } from "handoff-chatkit";
import type { Client, Json, JsonResponse } from "./api.js";
import { parseSse } from "./sse.js";

/** `POST /chatkit` with a JSON body, as the holder of `client`'s token. */
export function postChatKit(client: Client, body: unknown): Promise<JsonResponse> {
  return client("/chatkit", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The `input` of `threads.create` and `threads.add_user_message`, as the composer sends it. */
export function userInput(text: string): Json {
  return {
    content: [{ type: "input_text", text }],
    attachments: [],
    quoted_text: null,
    inference_options: { tool_choice: null, model: null },
  };
}

/**
 * Reads a ChatKit event stream to its end. Each event is one `data:` line then a blank line;
 * anything else in the stream (an event name, an id, a comment, a cut-off event) fails the test.
 *
 * @example
 * ```ts
 * const events = await readChatKitEvents(await postChatKit(alice, { type: "threads.create", params: { input: userInput("hi") } }));
 * ```
 */
export async function readChatKitEvents(response: Response): Promise<ThreadStreamEvent[]> {
  return parseSse(await response.text(), { strict: true }).map(({ event, id, data }) => {
    if (event !== undefined || id !== undefined || data.includes("\n")) {
      throw new Error(`Not a single data line: ${JSON.stringify({ event, id, data })}`);
    }
    return JSON.parse(data) as ThreadStreamEvent;
  });
}

/** The event types in order, with the update type for `thread.item.updated`. */
export function eventTypes(events: readonly ThreadStreamEvent[]): string[] {
  return events.map((event) =>
    event.type === "thread.item.updated"
      ? `thread.item.updated:${event.update.type}`
      : event.type === "thread.item.added" || event.type === "thread.item.done"
        ? `${event.type}:${event.item.type}`
        : event.type,
  );
}

/** Creates a thread with `text` and reads its stream; returns the events and the thread id. */
export async function createThread(
  client: Client,
  text: string,
): Promise<{ threadId: string; events: ThreadStreamEvent[] }> {
  const response = await postChatKit(client, {
    type: "threads.create",
    params: { input: userInput(text) },
  });
  if (response.status !== 200) throw new Error(`threads.create: ${await response.text()}`);
  const events = await readChatKitEvents(response);
  const created = events.find((event) => event.type === "thread.created");
  if (created === undefined) throw new Error("No thread.created event.");
  return { threadId: created.thread.id, events };
}
