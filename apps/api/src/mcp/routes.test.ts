import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinBrain } from "../agent/builtin.js";
import { type AgentTestApi, connectMcp as connect, startAgentTestApi } from "../testing/agent.js";

let api: AgentTestApi;
let token: string;
const scope = { tenantId: "tenant_a", userId: "ada" };

beforeAll(async () => {
  api = await startAgentTestApi(createBuiltinBrain());
  token = await api.token(scope.tenantId, scope.userId);
});
afterAll(() => api?.close());

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

describe("the MCP server over Streamable HTTP", () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(api.url, token);
  });
  afterAll(() => client?.close());

  it("initializes and lists the task tools, marking those that change data", async () => {
    expect(client.getServerVersion()).toMatchObject({ name: "taskflow" });
    const { tools } = await client.listTools();
    const hints = Object.fromEntries(
      tools.map((tool) => [
        tool.name,
        [tool.annotations?.readOnlyHint, tool.annotations?.destructiveHint],
      ]),
    );
    expect(hints).toEqual({
      list_tasks: [true, undefined],
      get_task: [true, undefined],
      find_tasks: [true, undefined],
      add_task: [false, false],
      update_task: [false, true],
      complete_task: [false, false],
      reopen_task: [false, false],
      delete_task: [false, true],
    });
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe("object");
    }
  });

  it("adds, lists, completes, reopens, updates and deletes a task, with structured and text results", async () => {
    const added = await call(client, "add_task", { title: "  Buy milk  ", notes: "2 litres" });
    expect(added.isError).toBeUndefined();
    expect(added.structuredContent).toMatchObject({
      task: {
        number: 1,
        title: "Buy milk",
        notes: "2 litres",
        status: "open",
        createdBy: "ada",
        version: 1,
      },
    });
    expect(added.content).toEqual([
      { type: "text", text: JSON.stringify(added.structuredContent) },
    ]);
    const id = (added.structuredContent as { task: { id: string } }).task.id;

    const listed = await call(client, "list_tasks", { status: "open" });
    expect(listed.structuredContent).toMatchObject({ items: [{ id }], nextCursor: null });

    const done = await call(client, "complete_task", { number: 1 });
    expect(done.structuredContent).toMatchObject({ task: { id, status: "done", version: 2 } });
    expect((await api.db.store.get(scope, id)).status).toBe("done");
    expect((await call(client, "list_tasks", { status: "open" })).structuredContent).toEqual({
      items: [],
      nextCursor: null,
    });
    expect((await call(client, "reopen_task", { id })).structuredContent).toMatchObject({
      task: { status: "open" },
    });

    const updated = await call(client, "update_task", { id, title: "Buy oat milk", notes: "" });
    expect(updated.structuredContent).toMatchObject({ task: { title: "Buy oat milk", notes: "" } });
    expect(
      (await call(client, "find_tasks", { title: "BUY OAT MILK" })).structuredContent,
    ).toMatchObject({
      items: [{ id }],
    });

    const deleted = await call(client, "delete_task", { number: 1 });
    expect(deleted.structuredContent).toMatchObject({ task: { id, title: "Buy oat milk" } });
    await expect(api.db.store.get(scope, id)).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    const gone = await call(client, "get_task", { id });
    expect(gone).toMatchObject({
      isError: true,
      structuredContent: { error: { code: "ERR_NOT_FOUND", message: "No task has this id." } },
      content: [{ type: "text", text: "ERR_NOT_FOUND: No task has this id." }],
    });
  });

  it("answers bad arguments with tool errors, never protocol errors, and stores nothing", async () => {
    const empty = await call(client, "add_task", { title: "   " });
    expect(empty.isError).toBe(true);
    expect(JSON.stringify(empty.content)).toContain("Must not be empty.");
    const both = await call(client, "get_task", { id: "x", number: 1 });
    expect(both.structuredContent).toMatchObject({ error: { code: "ERR_VALIDATION" } });
    const neither = await call(client, "complete_task", {});
    expect(neither.structuredContent).toMatchObject({ error: { code: "ERR_VALIDATION" } });
    const nothing = await call(client, "update_task", { number: 1 });
    expect(nothing.structuredContent).toMatchObject({ error: { code: "ERR_VALIDATION" } });
    const cursor = await call(client, "list_tasks", { cursor: "not-a-cursor" });
    expect(cursor.structuredContent).toMatchObject({ error: { code: "ERR_VALIDATION" } });
    const control = await call(client, "add_task", { title: "two\nlines" });
    expect(control.isError).toBe(true);
    expect((await api.db.store.list(scope)).items).toEqual([]);
  });
});

describe("the /mcp endpoint", () => {
  const post = (headers: Record<string, string>, body: string) =>
    fetch(new URL("/mcp", api.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body,
    });
  const initialize = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  });

  it("refuses a request without a token: 401 problem+json with a Bearer challenge", async () => {
    const response = await post({}, initialize);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="taskflow"');
    expect(await response.json()).toMatchObject({ code: "ERR_TOKEN_MISSING" });
  });

  it("makes the SDK client fail to connect without a token", async () => {
    const client = new Client({ name: "anonymous", version: "1" });
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL("/mcp", api.url))),
    ).rejects.toThrow();
  });

  it("answers an initialize with JSON and no session id (stateless)", async () => {
    const response = await post({ authorization: `Bearer ${token}` }, initialize);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect(await response.json()).toMatchObject({
      jsonrpc: "2.0",
      id: 1,
      result: { serverInfo: { name: "taskflow" } },
    });
  });

  it("answers a tools/call without a prior initialize (stateless), as the docs' curl example does", async () => {
    const response = await post(
      { authorization: `Bearer ${token}`, "mcp-protocol-version": "2025-06-18" },
      JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "list_tasks", arguments: { status: "open" } },
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: 7,
      result: { structuredContent: { items: expect.any(Array), nextCursor: null } },
    });
  });

  it.each(["GET", "DELETE", "PUT"])(
    "answers %s with 405 problem+json, Allow: POST",
    async (method) => {
      const response = await fetch(new URL("/mcp", api.url), {
        method,
        headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ code: "ERR_METHOD_NOT_ALLOWED" });
    },
  );

  it("answers a body that is not JSON-RPC with a JSON-RPC error, not a crash", async () => {
    const broken = await post({ authorization: `Bearer ${token}` }, "{not json");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
    const huge = await post(
      { authorization: `Bearer ${token}` },
      JSON.stringify({ pad: "x".repeat(300_000) }),
    );
    expect(huge.status).toBe(413);
  });
});
