import { afterEach, describe, expect, inject, it } from "vitest";
import { createChatKitSessions } from "../src/chatkit/index.js";
import { redisChatKitSessionStore } from "../src/redis/index.js";
import {
  API_KEY,
  appPost,
  type ChatKitStandIn,
  startChatKitStandIn,
  userFromCookie,
  WORKFLOW_ID,
} from "./chatkit-stand-in.js";
import { redisClients, uniquePrefix } from "./redis-clients.js";

const clients = redisClients(inject("redisUrl"));
let api: ChatKitStandIn | undefined;
afterEach(async () => {
  await clients.closeAll();
  await api?.close();
  api = undefined;
});

/** Two instances of the app: each its own Redis client, one shared Redis. */
async function twoInstances() {
  api = await startChatKitStandIn({ apiKey: API_KEY, workflowId: WORKFLOW_ID });
  const prefix = uniquePrefix("chatkit");
  const make = async () =>
    createChatKitSessions({
      apiKey: API_KEY,
      workflowId: WORKFLOW_ID,
      apiBase: api?.url,
      user: userFromCookie,
      store: redisChatKitSessionStore({ client: await clients.connect(), prefix }),
    });
  return { api, a: await make(), b: await make() };
}

const refreshOf = (secret: string) =>
  appPost("/api/chatkit/refresh", { as: "alice", json: { currentClientSecret: secret } });

describe("redisChatKitSessionStore", () => {
  it("lets a refresh that lands on another instance find the session", async () => {
    const { api, a, b } = await twoInstances();
    const started = await (await a.start(appPost("/api/chatkit/start", { as: "alice" }))).json();
    const refreshed = await b.refresh(refreshOf(started.client_secret));
    expect(refreshed.status).toBe(200);
    expect(api.cancelled).toEqual(["cksess_1"]);
    const bob = await b.refresh(
      appPost("/api/chatkit/refresh", { as: "bob", json: { currentClientSecret: "ek_unknown" } }),
    );
    expect((await bob.json()).code).toBe("ERR_CHATKIT_SECRET_MISMATCH");
  });

  it("exchanges a secret once: two concurrent refreshes on two instances mint one session", async () => {
    const { api, a, b } = await twoInstances();
    const started = await (await a.start(appPost("/api/chatkit/start", { as: "alice" }))).json();
    const answers = await Promise.all([
      a.refresh(refreshOf(started.client_secret)),
      b.refresh(refreshOf(started.client_secret)),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 403]);
    const refused = answers.find((answer) => answer.status === 403);
    expect((await (refused as Response).json()).code).toBe("ERR_CHATKIT_SECRET_MISMATCH");
    expect(api.creates()).toHaveLength(2); // the start, and one refresh
    expect(api.cancelled).toEqual(["cksess_1"]);
  });

  it("keeps the secret of another user: a stranger's refresh does not consume it", async () => {
    const { a, b } = await twoInstances();
    const started = await (await a.start(appPost("/api/chatkit/start", { as: "alice" }))).json();
    const stranger = await b.refresh(
      appPost("/api/chatkit/refresh", {
        as: "bob",
        json: { currentClientSecret: started.client_secret },
      }),
    );
    expect(stranger.status).toBe(403);
    expect((await a.refresh(refreshOf(started.client_secret))).status).toBe(200);
  });
});
