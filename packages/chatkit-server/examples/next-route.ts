// app/api/chatkit/route.ts — a Next.js App Router route handler.
import { createChatKitServer, memoryStore } from "handoff-chatkit";
import { currentUser } from "./auth.js";

const server = createChatKitServer({
  store: memoryStore(),
  respond: async function* ({ input }) {
    const text = input?.content.map((part) => part.text).join("") ?? "";
    yield "You said: ";
    yield text;
  },
});

export async function POST(request: Request): Promise<Response> {
  const user = await currentUser(request);
  if (user === null) return Response.json({ error: "Sign in first." }, { status: 401 });
  return server.handle(request, { userId: user.id });
}
