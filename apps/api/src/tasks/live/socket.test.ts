import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Json } from "../../testing/api.js";
import { startTestCluster, type TestCluster } from "../../testing/cluster.js";
import { DATABASE_KINDS } from "../../testing/db.js";
import { connectLive, type LiveClient } from "../../testing/websocket.js";

describe.each(DATABASE_KINDS)("GET /api/tasks/live across two API instances (%s)", (kind) => {
  let cluster: TestCluster;
  const instance = (i: 0 | 1) => cluster.instances[i]!;
  const rest = async (i: 0 | 1, token: string, path: string, method: string, body?: unknown) =>
    fetch(new URL(path, instance(i).url), {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const live = async (i: 0 | 1, token: string, after?: string): Promise<LiveClient> => {
    const path = after === undefined ? "/api/tasks/live" : `/api/tasks/live?after=${after}`;
    const client = await connectLive(instance(i).url, path, token);
    if ("status" in client) throw new Error(`refused: ${client.status} ${client.body}`);
    return client;
  };

  beforeAll(async () => {
    cluster = await startTestCluster(kind);
  }, 60_000);
  afterAll(() => cluster?.close());

  it("sends ready with the tenant's latest seq to a caller with a token", async () => {
    const socket = await live(0, await cluster.token("ws_ready"));
    expect(await socket.next()).toEqual({ type: "ready", seq: 0 });
    socket.ws.close();
  });

  it("delivers a change made through REST on instance A to a socket on instance B within a second", async () => {
    const token = await cluster.token("ws_fanout");
    const socket = await live(1, token);
    expect((await socket.next()).type).toBe("ready");
    const started = performance.now();
    const created: Json = await (await rest(0, token, "/api/tasks", "POST", { title: "x" })).json();
    expect(await socket.next(1_000)).toEqual({
      type: "task.created",
      id: created.id,
      etag: '"1"',
      seq: 1,
    });
    expect(performance.now() - started).toBeLessThan(1_000);
    await rest(0, token, `/api/tasks/${created.id}`, "DELETE");
    expect(await socket.next()).toMatchObject({ type: "task.deleted", id: created.id, seq: 2 });
    socket.ws.close();
  });

  it("sends a tenant's socket nothing of another tenant's changes", async () => {
    const [ours, theirs] = [await cluster.token("ws_one"), await cluster.token("ws_two")];
    const socket = await live(1, ours);
    expect((await socket.next()).type).toBe("ready");
    await rest(0, theirs, "/api/tasks", "POST", { title: "not yours" });
    const mine: Json = await (await rest(0, ours, "/api/tasks", "POST", { title: "mine" })).json();
    // Frames are in order: had the other tenant's change been sent, it would come first.
    expect(await socket.next()).toMatchObject({ type: "task.created", id: mine.id, seq: 1 });
    socket.ws.close();
  });

  it("resumes after ?after= on another instance with exactly the changes missed", async () => {
    const token = await cluster.token("ws_resume");
    for (const title of ["seen", "missed 1", "missed 2"]) {
      await rest(0, token, "/api/tasks", "POST", { title });
    }
    const socket = await live(1, token, "1");
    expect(await socket.next()).toMatchObject({ type: "task.created", seq: 2 });
    expect(await socket.next()).toMatchObject({ type: "task.created", seq: 3 });
    expect(await socket.next()).toEqual({ type: "ready", seq: 3 });
    socket.ws.close();
  });

  it("sends resync for an ?after= that is not a sequence number, then ready", async () => {
    const token = await cluster.token("ws_cursor");
    await rest(0, token, "/api/tasks", "POST", { title: "a" });
    const socket = await live(0, token, "abc");
    expect(await socket.next()).toEqual({ type: "resync", reason: "cursor", seq: 1 });
    expect(await socket.next()).toEqual({ type: "ready", seq: 1 });
    socket.ws.close();
  });

  it("closes with 1001 when the instance drains, and refuses new sockets with 503", async () => {
    const token = await cluster.token("ws_drain");
    const socket = await live(0, token);
    expect((await socket.next()).type).toBe("ready");
    await cluster.drain(0);
    expect(await socket.closed()).toBe(1001);
    const refused = await connectLive(instance(0).url, "/api/tasks/live", token);
    expect(refused).toMatchObject({ status: 503 });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({ code: "ERR_NOT_READY" });
  });
});
