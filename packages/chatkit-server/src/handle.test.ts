import { describe, expect, it } from "vitest";
import { memoryStore } from "./memory/index.js";
import { createChatKitServer } from "./server.js";

const server = createChatKitServer({
  store: memoryStore(),
  respond: async function* () {
    yield "Hi.";
  },
});

const post = (body: string, headers: Record<string, string> = {}) =>
  new Request("http://localhost/chatkit", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

const input = (text: string) => ({
  content: [{ type: "input_text", text }],
  attachments: [],
  inference_options: {},
});

describe("handle(request, context)", () => {
  it("streams a streaming request as text/event-stream that nothing may buffer", async () => {
    const response = await server.handle(
      post(JSON.stringify({ type: "threads.create", params: { input: input("hello") } })),
      { userId: "alice" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const text = await response.text();
    expect(text.startsWith('data: {"type":"thread.created"')).toBe(true);
    expect(text.endsWith("\n\n")).toBe(true);
    expect(text).toContain('"delta":"Hi."');
  });

  it("answers a JSON request with JSON, no-store, nulls left out", async () => {
    const response = await server.handle(
      post(JSON.stringify({ type: "threads.list", params: { after: null } })),
      { userId: "nobody" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe('{"data":[],"has_more":false}');
  });

  it.each([
    ["malformed JSON", "{ not json", 400, "ERR_BAD_REQUEST"],
    ["an array", "[]", 400, "ERR_BAD_REQUEST"],
    ["null", "null", 400, "ERR_BAD_REQUEST"],
    ["an empty body", "", 400, "ERR_BAD_REQUEST"],
    ["no type", "{}", 400, "ERR_CHATKIT_UNKNOWN_REQUEST"],
    ["an unknown type", '{"type":"threads.explode"}', 400, "ERR_CHATKIT_UNKNOWN_REQUEST"],
    ["a prototype key as type", '{"type":"__proto__"}', 400, "ERR_CHATKIT_UNKNOWN_REQUEST"],
    ["no params", '{"type":"threads.get_by_id"}', 422, "ERR_VALIDATION"],
    ["params of the wrong type", '{"type":"threads.list","params":[1]}', 422, "ERR_VALIDATION"],
    ["an unknown thread", '{"type":"items.list","params":{"thread_id":"x"}}', 404, "ERR_NOT_FOUND"],
  ])("answers %s with a %i problem+json, never a 500", async (_name, body, status, code) => {
    const response = await server.handle(post(body), { userId: "alice" });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ status, code });
  });

  it("answers invalid UTF-8 with 400, another media type with 415, a large body with 413, GET with 405", async () => {
    const bytes = new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    expect((await server.handle(bytes, { userId: "a" })).status).toBe(400);
    const form = post("type=threads.list", { "content-type": "application/x-www-form-urlencoded" });
    expect((await server.handle(form, { userId: "a" })).status).toBe(415);
    const big = post(JSON.stringify({ type: "threads.list", pad: "x".repeat(70_000) }));
    const tooLarge = await server.handle(big, { userId: "a" });
    expect([tooLarge.status, (await tooLarge.json()).code]).toEqual([413, "ERR_PAYLOAD_TOO_LARGE"]);
    const get = await server.handle(new Request("http://localhost/"), { userId: "a" });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it("shows another user nothing, and answers their thread ids as unknown", async () => {
    const created = await server.handle(
      post(JSON.stringify({ type: "threads.create", params: { input: input("mine") } })),
      { userId: "carol" },
    );
    const threadId = JSON.parse((await created.text()).split("\n\n")[0]!.slice(6)).thread.id;
    const list = await server.handle(post('{"type":"threads.list","params":{}}'), {
      userId: "dave",
    });
    expect((await list.json()).data).toEqual([]);
    const get = await server.handle(
      post(JSON.stringify({ type: "threads.get_by_id", params: { thread_id: threadId } })),
      { userId: "dave" },
    );
    expect(get.status).toBe(404);
    const sameUserOtherTenant = await server.handle(
      post(JSON.stringify({ type: "threads.get_by_id", params: { thread_id: threadId } })),
      { userId: "carol", tenantId: "other" },
    );
    expect(sameUserOtherTenant.status).toBe(404);
  });
});
