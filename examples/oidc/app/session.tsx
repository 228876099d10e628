"use client";

import { useCallback, useEffect, useState } from "react";

/** The ID token's claims, as `/auth/user` answers them (never a token). */
type Claims = { sub: string; email?: string; name?: string; iss?: string };
type Task = { id: string; title: string; status: string };
type State = { kind: "loading" } | { kind: "signed-out" } | { kind: "signed-in"; user: Claims };

export function Session() {
  const [state, setState] = useState<State>({ kind: "loading" });
  const signedOut = useCallback(() => setState({ kind: "signed-out" }), []);

  useEffect(() => {
    fetch("/auth/user").then(async (response) => {
      if (response.ok) setState({ kind: "signed-in", user: (await response.json()) as Claims });
      else signedOut();
    }, signedOut);
  }, [signedOut]);

  if (state.kind === "loading") return <p className="muted">Loading…</p>;
  if (state.kind === "signed-out") {
    return (
      <section className="card" data-testid="signed-out">
        <p>You are signed out.</p>
        <a className="button" href="/auth/login" data-testid="sign-in">
          Sign in
        </a>
      </section>
    );
  }
  const { user } = state;
  return (
    <>
      <section className="card" data-testid="signed-in">
        <dl>
          <dt>Name</dt>
          <dd data-testid="user-name">{user.name ?? "—"}</dd>
          <dt>Email</dt>
          <dd data-testid="user-email">{user.email ?? "—"}</dd>
          <dt>Subject</dt>
          <dd data-testid="user-sub">{user.sub}</dd>
          <dt>Issuer</dt>
          <dd>{user.iss ?? "—"}</dd>
        </dl>
        {/* A form POST from this origin: the logout route is CSRF-checked. */}
        <form method="post" action="/auth/logout">
          <button type="submit" className="secondary" data-testid="sign-out">
            Sign out
          </button>
        </form>
      </section>
      <Tasks onSignedOut={signedOut} />
    </>
  );
}

function Tasks({ onSignedOut }: { onSignedOut: () => void }) {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [title, setTitle] = useState("");
  const [error, setError] = useState("");

  /** A call to the TaskFlow API through the proxy; a 401 means the session has ended. */
  const api = useCallback(
    async (path: string, init?: RequestInit) => {
      const response = await fetch(`/api/proxy/api/${path}`, init);
      if (response.status === 401) onSignedOut();
      if (!response.ok) throw new Error(`The API answered ${response.status}.`);
      return response.json() as Promise<unknown>;
    },
    [onSignedOut],
  );
  const load = useCallback(async () => {
    try {
      setTasks(((await api("tasks")) as { items: Task[] }).items);
      setError("");
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const add = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await api("tasks", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title }),
      });
      setTitle("");
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section>
      <h2>Your TaskFlow tasks</h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {tasks === null ? (
        <p className="muted">Loading tasks…</p>
      ) : tasks.length === 0 ? (
        <p className="muted" data-testid="no-tasks">
          No tasks yet.
        </p>
      ) : (
        <ul className="tasks" data-testid="tasks">
          {tasks.map((task) => (
            <li key={task.id} data-testid="task">
              {task.title}
            </li>
          ))}
        </ul>
      )}
      <form className="row" onSubmit={add}>
        <input
          type="text"
          aria-label="New task"
          placeholder="A new task"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          data-testid="new-task"
          required
        />
        <button type="submit" data-testid="add-task">
          Add
        </button>
      </form>
    </section>
  );
}
