"use client";

import { type FormEvent, useRef, useState } from "react";
import styles from "./dashboard.module.css";

/** The API's limit on titles (docs/api/tasks.md). */
export const TITLE_MAX = 200;

/** A one-line form that adds a task; the field clears at once (the add is optimistic). */
export function AddTaskForm({ onAdd }: { onAdd: (title: string) => Promise<void> }) {
  const [title, setTitle] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = title.trim();
    if (trimmed === "") return input.current?.focus();
    setTitle("");
    void onAdd(trimmed);
    input.current?.focus();
  };
  return (
    <form className={styles.addForm} onSubmit={submit} aria-label="Add a task">
      <label htmlFor="new-task-title" className="visually-hidden">
        New task
      </label>
      <input
        id="new-task-title"
        ref={input}
        className="input"
        name="title"
        placeholder="What needs doing?"
        autoComplete="off"
        maxLength={TITLE_MAX}
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        data-testid="new-task-title"
      />
      <button type="submit" className="button button-primary" data-testid="add-task">
        Add task
      </button>
    </form>
  );
}
