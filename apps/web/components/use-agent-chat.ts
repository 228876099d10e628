"use client";

import { streamEvents } from "handoff-bff/client";
import { useCallback, useRef, useState } from "react";
import { type AssistantTurn, applyEvent, type Turn } from "@/lib/agent/chat";
import { describeError, statusOf } from "@/lib/errors";
import { api, JSON_HEADERS } from "@/lib/http";

/**
 * The conversation with the agent: `send` posts a message to `/api/agent/chat` and streams
 * the answer into the last turn, event by event; `onTasksChanged` runs as soon as a tool
 * reports `changed: true`, while the answer is still streaming.
 */
export function useAgentChat(options: { onTasksChanged: () => void; onFailure: () => void }) {
  const [turns, setTurns] = useState<readonly Turn[]>([]);
  const [streaming, setStreaming] = useState(false);
  const sessionId = useRef<string | null>(null);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const { onTasksChanged, onFailure } = options;

  const send = useCallback(
    async (message: string) => {
      if (controller.current !== null) return;
      const abort = new AbortController();
      controller.current = abort;
      setStreaming(true);
      let turn: AssistantTurn = {
        id: nextId.current + 1,
        role: "assistant",
        text: "",
        tools: [],
        state: "streaming",
      };
      const question: Turn = { id: nextId.current, role: "user", text: message };
      nextId.current += 2;
      setTurns((all) => [...all, question, turn]);
      const show = (next: AssistantTurn) => {
        turn = next;
        setTurns((all) => all.map((item) => (item.id === next.id ? next : item)));
      };

      try {
        for await (const { event, data } of await ask(message, sessionId, abort.signal)) {
          const applied = applyEvent(turn, event, data);
          if (applied.turn !== turn) show(applied.turn);
          if (applied.effect.sessionId !== undefined) sessionId.current = applied.effect.sessionId;
          if (applied.effect.tasksChanged) onTasksChanged();
        }
        if (turn.state === "streaming") {
          show({ ...turn, state: "failed", error: "The answer was cut off. Try again." });
        }
      } catch (error) {
        if (abort.signal.aborted) {
          show({ ...turn, state: "stopped" });
        } else {
          show({
            ...turn,
            state: "failed",
            error: `The agent could not answer: ${describeError(error)}`,
          });
          onFailure();
        }
      } finally {
        controller.current = null;
        setStreaming(false);
      }
    },
    [onTasksChanged, onFailure],
  );

  const stop = useCallback(() => controller.current?.abort(), []);
  const reset = useCallback(() => {
    controller.current?.abort();
    sessionId.current = null;
    setTurns([]);
  }, []);

  return { turns, streaming, send, stop, reset };
}

/**
 * Posts the message. A conversation the API no longer knows (404: it restarted, or the session
 * expired) is refused before anything ran, so the message is sent once more in a new one.
 */
async function ask(message: string, sessionId: { current: string | null }, signal: AbortSignal) {
  for (;;) {
    const events = await streamEvents("/api/agent/chat", {
      fetch: api,
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ message, sessionId: sessionId.current }),
      signal,
    });
    try {
      const first = await events.next();
      return prepend(first, events);
    } catch (error) {
      if (statusOf(error) !== 404 || sessionId.current === null) throw error;
      sessionId.current = null;
    }
  }
}

/** The stream again, with its first (already read) event in front. */
async function* prepend<T>(
  first: IteratorResult<T, undefined>,
  rest: AsyncIterator<T, undefined>,
): AsyncGenerator<T, undefined> {
  try {
    if (first.done) return undefined;
    yield first.value;
    for (;;) {
      const next = await rest.next();
      if (next.done) return undefined;
      yield next.value;
    }
  } finally {
    await rest.return?.(); // leaving early releases the connection
  }
}
