import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinBrain } from "../agent/builtin.js";
import type { Scope, Task } from "../tasks/model.js";
import { type AgentTestApi, connectMcp as connect, startAgentTestApi } from "../testing/agent.js";

let api: AgentTestApi;
let mallory: Client;
let victim: Task;
const alice: Scope = { tenantId: "tenant_a", userId: "alice" };

beforeAll(async () => {
  api = await startAgentTestApi(createBuiltinBrain());
  victim = await api.db.store.create(alice, { title: "Payroll", notes: "secret" });
  mallory = await connect(api.url, await api.token("tenant_b", "mallory"));
});
afterAll(async () => {
  await mallory?.close();
  await api?.close();
});

const call = async (name: string, args: Record<string, unknown>) =>
  (await mallory.callTool({ name, arguments: args })) as CallToolResult;

describe("tenant isolation through MCP", () => {
  it.each([
    ["get_task", {}],
    ["update_task", { title: "pwned" }],
    ["complete_task", {}],
    ["reopen_task", {}],
    ["delete_task", {}],
  ])(
    "%s on another tenant's task, by id or number, is ERR_NOT_FOUND, as for no task at all",
    async (name, extra) => {
      for (const ref of [{ id: victim.id }, { number: victim.number }]) {
        const result = await call(name, { ...ref, ...extra });
        expect(result.isError).toBe(true);
        expect(result.structuredContent).toMatchObject({ error: { code: "ERR_NOT_FOUND" } });
        expect(JSON.stringify(result)).not.toContain("Payroll");
      }
      const unknown = await call(name, { id: crypto.randomUUID(), ...extra });
      expect((await call(name, { id: victim.id, ...extra })).structuredContent).toEqual(
        unknown.structuredContent,
      );
      expect(await api.db.store.get(alice, victim.id)).toEqual(victim);
    },
  );

  it("lists and finds nothing of another tenant", async () => {
    expect((await call("list_tasks", {})).structuredContent).toEqual({
      items: [],
      nextCursor: null,
    });
    expect((await call("find_tasks", { title: "Payroll" })).structuredContent).toEqual({
      items: [],
    });
  });

  it("gives a task made through MCP to the caller's tenant, numbered there", async () => {
    const added = await call("add_task", { title: "Payroll" });
    expect(added.structuredContent).toMatchObject({ task: { number: 1, createdBy: "mallory" } });
    expect((await api.db.store.list(alice)).items).toEqual([victim]);
  });
});

describe("caching of MCP answers", () => {
  const post = async (body: unknown, token?: string) =>
    fetch(new URL("/mcp", api.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });

  it("keeps a tool's answer out of shared caches (private, no-cache), and stores no refusal", async () => {
    const token = await api.token(alice.tenantId, alice.userId);
    const listed = await post(
      {
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "list_tasks", arguments: {} },
      },
      token,
    );
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain("Payroll");
    expect(listed.headers.get("cache-control")).toBe("private, no-cache");

    const anonymous = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("cache-control")).toBe("no-store");
    const get = await fetch(new URL("/mcp", api.url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get("cache-control")).toBe("no-store");
  });
});
