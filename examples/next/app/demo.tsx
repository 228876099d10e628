"use client";

import { useState } from "react";

export function Demo() {
  const [output, setOutput] = useState("");
  const run = async (label: string, action: () => Promise<Response>) => {
    const response = await action();
    const text = await response.text();
    setOutput(
      `${label}: ${response.status}\n${text}\ndocument.cookie: ${JSON.stringify(document.cookie)}`,
    );
  };
  return (
    <section>
      <button
        type="button"
        onClick={() => run("sign in", () => fetch("/api/demo/session", { method: "POST" }))}
      >
        Sign in (demo)
      </button>{" "}
      <button
        type="button"
        onClick={() => run("GET /api/proxy/tasks?x=1", () => fetch("/api/proxy/tasks?x=1"))}
      >
        Call the backend through Handoff
      </button>{" "}
      <button
        type="button"
        onClick={() => run("sign out", () => fetch("/api/demo/session", { method: "DELETE" }))}
      >
        Sign out
      </button>
      <pre style={{ background: "#f4f4f5", padding: "1rem", whiteSpace: "pre-wrap" }}>{output}</pre>
    </section>
  );
}
