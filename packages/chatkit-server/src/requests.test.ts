import { describe, expect, it } from "vitest";
import { isStreamingRequest, messageText, parseRequest, REQUEST_TYPES } from "./requests.js";

/** The input the composer sends: every field chatkit-python's `UserMessageInput` declares. */
const composed = {
  content: [
    { type: "input_text", text: "Remind " },
    { type: "input_tag", id: "u1", text: "ada", data: {}, group: null, interactive: false },
  ],
  attachments: [],
  quoted_text: null,
  inference_options: { tool_choice: null, model: null },
};

/** One body per request type, as chatkit-python's `model_dump_json()` writes them. */
const BODIES = {
  "threads.create": { params: { input: composed } },
  "threads.add_user_message": { params: { input: composed, thread_id: "thr_1" } },
  "threads.add_client_tool_output": { params: { thread_id: "thr_1", result: { ok: true } } },
  "threads.retry_after_item": { params: { thread_id: "thr_1", item_id: "msg_1" } },
  "threads.custom_action": {
    params: { thread_id: "thr_1", item_id: null, action: { type: "save", payload: { a: 1 } } },
  },
  "threads.get_by_id": { params: { thread_id: "thr_1" } },
  "threads.list": { params: { limit: 20, order: "desc", after: null } },
  "items.list": { params: { thread_id: "thr_1", limit: null, order: "asc", after: "msg_1" } },
  "items.feedback": { params: { thread_id: "thr_1", item_ids: ["msg_1"], kind: "negative" } },
  "attachments.create": { params: { name: "a.png", size: 3, mime_type: "image/png" } },
  "attachments.delete": { params: { attachment_id: "atc_1" } },
  "threads.update": { params: { thread_id: "thr_1", title: "Groceries" } },
  "threads.delete": { params: { thread_id: "thr_1" } },
};

describe("parseRequest", () => {
  it.each(REQUEST_TYPES)("reads %s as chatkit-python writes it", (type) => {
    const body = { type, metadata: { source: "test" }, ...BODIES[type] };
    const request = parseRequest(body);
    expect(request).toEqual(body);
    expect(isStreamingRequest(request)).toBe(REQUEST_TYPES.indexOf(type) < 5);
  });

  it("fills chatkit-python's defaults and ignores fields it does not know", () => {
    expect(parseRequest({ type: "threads.list", params: {}, extra: 1 })).toEqual({
      type: "threads.list",
      params: { order: "desc" },
      metadata: {},
    });
    expect(
      parseRequest({
        type: "threads.create",
        params: { input: { ...composed, content: [{ type: "input_text", text: "hi", x: 1 }] } },
      }),
    ).toMatchObject({ params: { input: { content: [{ type: "input_text", text: "hi" }] } } });
  });

  it("refuses an unknown type with ERR_CHATKIT_UNKNOWN_REQUEST", () => {
    for (const body of [{ type: "threads.sync" }, {}, null, { type: "toString" }]) {
      expect(() => parseRequest(body)).toThrow(
        expect.objectContaining({ code: "ERR_CHATKIT_UNKNOWN_REQUEST", status: 400 }),
      );
    }
  });

  it("refuses bad params with ERR_VALIDATION naming every field", () => {
    expect(() =>
      parseRequest({
        type: "threads.add_user_message",
        params: { input: { content: [{ type: "input_image" }] } },
      }),
    ).toThrow(
      expect.objectContaining({
        code: "ERR_VALIDATION",
        errors: [
          { field: "params.input.content.0.type", message: expect.any(String) },
          { field: "params.input.attachments", message: "Required." },
          { field: "params.input.inference_options", message: "Required." },
          { field: "params.thread_id", message: "Required." },
        ],
      }),
    );
  });
});

describe("messageText", () => {
  it("joins text parts and renders tags as @mentions", () => {
    expect(messageText(composed.content as never)).toBe("Remind @ada");
  });
});
