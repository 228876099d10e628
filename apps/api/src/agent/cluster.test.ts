import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerOf, readAllEvents, readEvents } from "../testing/agent.js";
import { startTestCluster, type TestCluster } from "../testing/cluster.js";
import { DATABASE_KINDS } from "../testing/db.js";
import type { Brain } from "./brain.js";
import { createBuiltinBrain } from "./builtin.js";

/** A brain that answers "thinking" and returns only once `release()` is called. */
function heldBrain() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const brain: Brain = {
    kind: "builtin",
    async run({ emit }) {
      emit({ type: "delta", data: { text: "thinking" } });
      await released;
      return { finishReason: "stop", messages: [{ role: "assistant", content: "thinking" }] };
    },
  };
  return { brain, release: () => release() };
}

/** Behind a round-robin balancer: two API instances, one database, no sticky sessions. */
describe.each(DATABASE_KINDS)("agent conversations across two API instances (%s)", (kind) => {
  let cluster: TestCluster;
  const held = heldBrain();

  beforeAll(async () => {
    // A and B answer with the built-in brain; C's answer waits for the test.
    cluster = await startTestCluster(kind, [
      createBuiltinBrain(),
      createBuiltinBrain(),
      held.brain,
    ]);
  }, 60_000);
  afterAll(() => cluster?.close());

  it("continues on instance B a conversation started on instance A, with its history", async () => {
    const [a, b] = cluster.instances as [
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
    ];
    const token = await cluster.token("tenant_cluster", "ada");
    for (const title of ["buy milk", "buy milk"]) {
      await cluster.db.store.create({ tenantId: "tenant_cluster", userId: "ada" }, { title });
    }
    const asked = await readAllEvents(await a.chat(token, { message: "complete buy milk" }));
    expect(answerOf(asked)).toMatch(/^Several tasks are called/);
    const sessionId = asked[0]?.type === "session" ? asked[0].data.sessionId : "";

    // Only the history (the question A asked) makes a bare "2" mean "complete #2".
    const answered = await readAllEvents(await b.chat(token, { message: "2", sessionId }));
    expect(answered[0]).toEqual({ type: "session", data: { sessionId } });
    expect(answerOf(answered)).toBe("Completed task #2: buy milk.");
    expect(
      (await cluster.db.store.get({ tenantId: "tenant_cluster", userId: "ada" }, await idOf(2)))
        ?.status,
    ).toBe("done");
  });

  it("answers another user's session id with 404 on the other instance too", async () => {
    const [a, b] = cluster.instances as [
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
    ];
    const events = await readAllEvents(
      await a.chat(await cluster.token("tenant_cluster", "ada"), { message: "help" }),
    );
    const sessionId = events[0]?.type === "session" ? events[0].data.sessionId : "";
    const bob = await b.chat(await cluster.token("tenant_cluster", "bob"), {
      message: "help",
      sessionId,
    });
    expect(bob.status).toBe(404);
    expect(await bob.json()).toMatchObject({ code: "ERR_NOT_FOUND" });
  });

  it("refuses with 409 on instance B a session whose chat is still streaming on instance C", async () => {
    const [, b, c] = cluster.instances as (typeof cluster.instances)[0][];
    const token = await cluster.token("tenant_cluster", "cy");
    const running = await c!.chat(token, { message: "help" });
    const events = readEvents(running);
    const first = (await events.next()).value;
    const sessionId = first?.type === "session" ? first.data.sessionId : "";
    expect((await events.next()).value).toEqual({ type: "delta", data: { text: "thinking" } });

    const busy = await b!.chat(token, { message: "help", sessionId });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ code: "ERR_SESSION_BUSY" });

    held.release();
    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest.at(-1)).toEqual({ type: "done", data: { sessionId, finishReason: "stop" } });
    // Released before `done` was sent: the next message is answered at once, anywhere.
    const next = await readAllEvents(await b!.chat(token, { message: "help", sessionId }));
    expect(next.at(-1)?.type).toBe("done");
  });

  it("lets a session go once the lease of an instance that died mid-chat lapses", async () => {
    const [a, b] = cluster.instances as [
      (typeof cluster.instances)[0],
      (typeof cluster.instances)[0],
    ];
    const token = await cluster.token("tenant_cluster", "dee");
    const started = await readAllEvents(await a.chat(token, { message: "help" }));
    const sessionId = started[0]?.type === "session" ? started[0].data.sessionId : "";
    // What a crashed instance leaves behind: a lease nobody renews or releases.
    await cluster.db.db.execute(
      sql`update agent_sessions set busy_until = now() + interval '400 milliseconds',
          lease_id = ${crypto.randomUUID()} where id = ${sessionId}`,
    );
    expect((await b.chat(token, { message: "help", sessionId })).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await readAllEvents(await b.chat(token, { message: "help", sessionId }));
    expect(after.at(-1)).toEqual({ type: "done", data: { sessionId, finishReason: "stop" } });
  });

  async function idOf(number: number): Promise<string> {
    const page = await cluster.db.store.list({ tenantId: "tenant_cluster", userId: "ada" }, {});
    const task = page.items.find((item) => item.number === number);
    if (task === undefined) throw new Error(`no task #${number}`);
    return task.id;
  }
});
