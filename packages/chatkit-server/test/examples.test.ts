import { describe, expect, it, vi } from "vitest";

// The examples' authentication, as a test double: the bearer value is the user id.
vi.mock("../examples/auth.js", () => ({
  currentUser: async (request: Request) => {
    const token = request.headers.get("authorization")?.replace(/^Bearer /, "");
    return token ? { id: token } : null;
  },
}));

const { POST } = await import("../examples/next-route.js");
const { app } = await import("../examples/hono.js");

const body = (type: string, params: object) => JSON.stringify({ type, params, metadata: {} });
const input = {
  content: [{ type: "input_text", text: "hello" }],
  attachments: [],
  inference_options: {},
};

function events(text: string) {
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => JSON.parse(block.slice("data: ".length)));
}

describe("the README's Next.js route handler", () => {
  const request = (payload: string, user?: string) =>
    new Request("http://localhost/api/chatkit", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(user === undefined ? {} : { authorization: `Bearer ${user}` }),
      },
      body: payload,
    });

  it("creates a thread and streams the answer, then lists it for its user only", async () => {
    const response = await POST(request(body("threads.create", { input }), "ada"));
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const all = events(await response.text());
    expect(all.at(-1)).toMatchObject({
      type: "thread.item.done",
      item: { type: "assistant_message", content: [{ text: "You said: hello" }] },
    });
    const mine = await POST(request(body("threads.list", {}), "ada"));
    expect((await mine.json()).data).toHaveLength(1);
    const theirs = await POST(request(body("threads.list", {}), "bob"));
    expect((await theirs.json()).data).toEqual([]);
  });

  it("answers 401 without a user, and a malformed body with 400", async () => {
    expect((await POST(request(body("threads.list", {})))).status).toBe(401);
    expect((await POST(request("{", "ada"))).status).toBe(400);
  });
});

describe("the README's Hono app", () => {
  const post = (payload: string, user = "ada") =>
    app.request("/chatkit", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user}` },
      body: payload,
    });

  it("streams progress, a title and the answer; the thread is then listed", async () => {
    const response = await post(body("threads.create", { input }));
    expect(response.status).toBe(200);
    const types = events(await response.text()).map((event) => event.type);
    expect(types.slice(0, 5)).toEqual([
      "thread.created",
      "thread.item.done",
      "stream_options",
      "progress_update",
      "thread.updated",
    ]);
    expect(types.at(-1)).toBe("thread.item.done");
    const list = await (await post(body("threads.list", {}))).json();
    expect(list.data.map((thread: { title: string }) => thread.title)).toEqual(["A new chat"]);
  });

  it("answers an unknown request type with 400 problem+json", async () => {
    const response = await post(body("threads.explode", {}));
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe("ERR_CHATKIT_UNKNOWN_REQUEST");
  });
});
