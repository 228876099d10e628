/**
 * The agent's wire schemas, in zod: the same objects validate requests (422 naming the field)
 * and generate `/openapi.json`, so the document cannot drift from what is enforced.
 */
import { z } from "@hono/zod-openapi";

/** The longest chat message, in characters. */
export const MESSAGE_MAX = 4000;

/** The longest session id accepted; ours are UUIDs, so anything longer is not one of them. */
export const SESSION_ID_MAX = 128;

/**
 * `POST /v1/agent/chat`. Unknown fields are refused, as on the REST API: a typo must not go
 * unnoticed.
 */
export const ChatBodySchema = z
  .strictObject({
    message: z
      .string({ error: (issue) => (issue.input === undefined ? "Required." : "Must be a string.") })
      .trim()
      .min(1, "Must not be empty.")
      .max(MESSAGE_MAX, `Must be at most ${MESSAGE_MAX} characters.`)
      .openapi({
        description: `1 to ${MESSAGE_MAX} characters; surrounding space is trimmed.`,
        example: "Add a task: buy milk",
      }),
    sessionId: z
      .string({ error: "Must be a string." })
      .max(SESSION_ID_MAX, "Is not a session id.")
      .nullish()
      .openapi({
        description: "From `POST /v1/agent/session` or a `session` event; omit to start one.",
      }),
  })
  .openapi("AgentChatBody");

/** `GET /v1/agent/health`. */
export const AgentHealthSchema = z
  .object({
    status: z.literal("ok"),
    brain: z.enum(["builtin", "openai"]),
    model: z.string().optional().openapi({ description: "The model, for the `openai` brain." }),
  })
  .openapi("AgentHealth");

/** `POST /v1/agent/session`. */
export const AgentSessionSchema = z
  .object({
    sessionId: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .openapi("AgentSessionCreated");
