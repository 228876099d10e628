"use client";

import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { type AssistantTurn, describeTool } from "@/lib/agent/chat";
import { describeHealth } from "@/lib/agent/health";
import styles from "./agent.module.css";
import { useAgentChat } from "./use-agent-chat";
import { useAgentHealth } from "./use-agent-health";

const SUGGESTIONS = ["add buy milk", "list my tasks", "help"];

/** The API's limit on a chat message (docs/api/agent.md). */
const MESSAGE_MAX = 4_000;

/** Chat with the task agent: availability, the streamed conversation, tool activity. */
export function AgentPanel({ onTasksChanged }: { onTasksChanged: () => void }) {
  const { health, recheck } = useAgentHealth();
  const { turns, streaming, send, stop, reset } = useAgentChat({
    onTasksChanged,
    onFailure: recheck,
  });
  const [message, setMessage] = useState("");
  const log = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  // Sending is allowed while the first check runs; only a known outage blocks it.
  const available = health.state !== "unavailable";

  // Follow the answer as it grows, unless the user scrolled up to read.
  const lastText = turns.at(-1);
  useEffect(() => {
    const element = log.current;
    if (element === null || lastText === undefined) return;
    const nearBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
    if (nearBottom || lastText.role === "user") element.scrollTop = element.scrollHeight;
  }, [lastText]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = message.trim();
    if (text === "" || streaming || !available) return;
    setMessage("");
    void send(text);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter starts a new line, as in most chat products.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };

  return (
    <section className={styles.panel} aria-labelledby="agent-heading" data-testid="agent-panel">
      <header className={styles.header}>
        <h2 id="agent-heading">Agent</h2>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            reset();
            input.current?.focus();
          }}
          disabled={turns.length === 0}
          data-testid="agent-new-chat"
        >
          New chat
        </button>
      </header>

      <div className={styles.statusRow}>
        <p
          role="status"
          className={styles.status}
          data-state={health.state}
          data-testid="agent-status"
        >
          <span className={styles.dot} aria-hidden="true" />
          {describeHealth(health)}
        </p>
        {health.state === "unavailable" && (
          <button
            type="button"
            className="button button-quiet"
            onClick={recheck}
            data-testid="agent-recheck"
          >
            Check again
          </button>
        )}
      </div>

      <div
        ref={log}
        className={styles.log}
        role="log"
        aria-label="Conversation with the agent"
        aria-busy={streaming}
        data-testid="agent-log"
      >
        {turns.length === 0 ? (
          <div className={styles.intro}>
            <p>Ask the agent to add, find, complete or delete tasks. Try:</p>
            <ul className={styles.suggestions}>
              {SUGGESTIONS.map((suggestion) => (
                <li key={suggestion}>
                  <button
                    type="button"
                    className={styles.suggestion}
                    onClick={() => {
                      setMessage(suggestion);
                      input.current?.focus();
                    }}
                    data-testid="agent-suggestion"
                  >
                    {suggestion}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : (
          turns.map((turn) =>
            turn.role === "user" ? (
              <p key={turn.id} className={styles.question} data-testid="chat-question">
                <span className="visually-hidden">You: </span>
                {turn.text}
              </p>
            ) : (
              <Answer key={turn.id} turn={turn} />
            ),
          )
        )}
      </div>

      <form className={styles.composer} onSubmit={submit}>
        <label htmlFor="agent-message" className="visually-hidden">
          Message the agent
        </label>
        <textarea
          id="agent-message"
          ref={input}
          className={`input ${styles.message}`}
          rows={2}
          maxLength={MESSAGE_MAX}
          placeholder={available ? "Message the agent…" : "The agent is unavailable"}
          value={message}
          onChange={(event) => setMessage(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby="agent-hint"
          data-testid="agent-input"
        />
        <p id="agent-hint" className="visually-hidden">
          Enter sends; Shift+Enter starts a new line.
        </p>
        {streaming ? (
          <button type="button" className="button" onClick={stop} data-testid="agent-stop">
            Stop
          </button>
        ) : (
          <button
            type="submit"
            className="button button-primary"
            disabled={!available || message.trim() === ""}
            data-testid="agent-send"
          >
            Send
          </button>
        )}
      </form>
    </section>
  );
}

function Answer({ turn }: { turn: AssistantTurn }) {
  return (
    <div className={styles.answer} data-testid="chat-answer" data-state={turn.state}>
      <span className="visually-hidden">Agent: </span>
      {turn.tools.length > 0 && (
        <ul className={styles.tools} aria-label="Tool activity">
          {turn.tools.map((tool) => (
            <li
              key={tool.id}
              className={styles.tool}
              data-state={tool.state}
              data-testid="tool-activity"
            >
              {describeTool(tool)}
            </li>
          ))}
        </ul>
      )}
      {(turn.text !== "" || turn.state === "streaming") && (
        <p className={styles.answerText} data-testid="chat-answer-text">
          {turn.text}
          {turn.state === "streaming" && <span className={styles.caret} aria-hidden="true" />}
        </p>
      )}
      {turn.state === "failed" && (
        <p className={styles.error} role="alert" data-testid="chat-error">
          {turn.error}
        </p>
      )}
      {turn.state === "stopped" && <p className={styles.muted}>Stopped.</p>}
    </div>
  );
}
