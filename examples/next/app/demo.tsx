"use client";

import { useState } from "react";

const json = { "content-type": "application/json" };

export function Demo() {
  const [output, setOutput] = useState("");
  const [title, setTitle] = useState("buy milk");
  const [message, setMessage] = useState("list my tasks");
  const show = (label: string, status: number, text: string) =>
    setOutput(`${label}: ${status}\n${text}\ndocument.cookie: ${JSON.stringify(document.cookie)}`);
  const run = async (label: string, action: () => Promise<Response>) => {
    const response = await action();
    show(label, response.status, await response.text());
  };
  // The agent answers text/event-stream: show the events as they arrive.
  const ask = async () => {
    const response = await fetch("/api/proxy/v1/agent/chat", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ message }),
    });
    let text = "";
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      text += chunk.value;
      show("POST /api/proxy/v1/agent/chat", response.status, text);
    }
  };
  return (
    <section style={{ display: "grid", gap: "0.75rem" }}>
      <div>
        <button
          type="button"
          onClick={() => run("sign in", () => fetch("/api/demo/session", { method: "POST" }))}
        >
          Sign in (demo)
        </button>{" "}
        <button
          type="button"
          onClick={() => run("GET /api/proxy/api/me", () => fetch("/api/proxy/api/me"))}
        >
          Who am I?
        </button>{" "}
        <button
          type="button"
          onClick={() => run("sign out", () => fetch("/api/demo/session", { method: "DELETE" }))}
        >
          Sign out
        </button>
      </div>
      <div>
        <input aria-label="Task title" value={title} onChange={(e) => setTitle(e.target.value)} />{" "}
        <button
          type="button"
          onClick={() =>
            run("POST /api/proxy/api/tasks", () =>
              fetch("/api/proxy/api/tasks", {
                method: "POST",
                headers: json,
                body: JSON.stringify({ title }),
              }),
            )
          }
        >
          Add a task
        </button>{" "}
        <button
          type="button"
          onClick={() => run("GET /api/proxy/api/tasks", () => fetch("/api/proxy/api/tasks"))}
        >
          List tasks
        </button>
      </div>
      <div>
        <input
          aria-label="Message to the agent"
          value={message}
          onChange={(e) => setMessage(e.target.value)}
        />{" "}
        <button type="button" onClick={ask}>
          Ask the agent
        </button>
      </div>
      <pre style={{ background: "#f4f4f5", padding: "1rem", whiteSpace: "pre-wrap" }}>{output}</pre>
    </section>
  );
}
