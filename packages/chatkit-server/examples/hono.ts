// A Hono app: the same server behind `app.post`.

import { createChatKitServer, memoryStore, progress } from "handoff-chatkit";
import { Hono } from "hono";
import { currentUser } from "./auth.js";

const server = createChatKitServer({
  store: memoryStore(),
  respond: async function* ({ thread, input }) {
    // Saved and announced (`thread.updated`) after the next event.
    if (!thread.title && input !== null) thread.title = "A new chat";
    yield progress("Thinking", { icon: "sparkle" });
    yield "Hello from Hono.";
  },
});

export const app = new Hono();

app.post("/chatkit", async (c) => {
  const user = await currentUser(c.req.raw);
  if (user === null) return c.json({ error: "Sign in first." }, 401);
  return server.handle(c.req.raw, { userId: user.id });
});
