"use client";

import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from "react";
import { type TaskStore, TEMP_ID_PREFIX } from "@/lib/tasks/store";
import type { Task } from "@/lib/tasks/types";
import { TITLE_MAX } from "./add-task-form";
import styles from "./dashboard.module.css";

/** The API's limit on notes (docs/api/tasks.md). */
const NOTES_MAX = 10_000;

/** One task: checkbox to complete, title and notes, inline edit, delete. */
export function TaskItem({
  task,
  pending,
  store,
}: {
  task: Task;
  pending: boolean;
  store: TaskStore;
}) {
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const saving = task.id.startsWith(TEMP_ID_PREFIX);
  const done = task.status === "done";

  const close = () => {
    returnFocus.current = true;
    setEditing(false);
  };
  // Back to the Edit button once the form is gone, so keyboard users keep their place.
  useEffect(() => {
    if (editing || !returnFocus.current) return;
    returnFocus.current = false;
    editButton.current?.focus();
  }, [editing]);

  return (
    <li
      className={styles.item}
      data-testid="task-item"
      data-task-id={task.id}
      data-status={task.status}
      data-pending={pending || undefined}
      aria-busy={pending || undefined}
    >
      <input
        type="checkbox"
        className={styles.checkbox}
        checked={done}
        disabled={saving}
        onChange={() => void store.toggle(task.id)}
        aria-label={`Complete ${task.title}`}
        data-testid="task-toggle"
      />
      {editing ? (
        <EditForm
          task={task}
          onCancel={close}
          onSave={(changes) => {
            void store.update(task.id, changes);
            close();
          }}
        />
      ) : (
        <div className={styles.itemBody}>
          <p className={done ? styles.titleDone : styles.title}>
            {task.number > 0 && <span className={styles.number}>#{task.number}</span>}
            <span data-testid="task-title">{task.title}</span>
          </p>
          {task.notes !== "" && (
            <p className={styles.notes} data-testid="task-notes">
              {task.notes}
            </p>
          )}
          {saving && <p className={styles.muted}>Saving…</p>}
        </div>
      )}
      {!editing && (
        <div className={styles.itemActions}>
          <button
            ref={editButton}
            type="button"
            className="button button-quiet"
            disabled={saving}
            onClick={() => setEditing(true)}
            aria-label={`Edit ${task.title}`}
            data-testid="edit-task"
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-quiet button-danger"
            disabled={saving}
            onClick={() => void store.remove(task.id)}
            aria-label={`Delete ${task.title}`}
            data-testid="delete-task"
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

function EditForm({
  task,
  onSave,
  onCancel,
}: {
  task: Task;
  onSave: (changes: { title?: string; notes?: string }) => void;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(task.title);
  const [notes, setNotes] = useState(task.notes);
  const titleInput = useRef<HTMLInputElement>(null);
  useEffect(() => titleInput.current?.select(), []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = title.trim();
    if (trimmed === "") return titleInput.current?.focus();
    const changes: { title?: string; notes?: string } = {};
    if (trimmed !== task.title) changes.title = trimmed;
    if (notes !== task.notes) changes.notes = notes;
    if (Object.keys(changes).length === 0) return onCancel();
    onSave(changes);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    }
  };

  return (
    <form
      className={styles.editForm}
      onSubmit={submit}
      onKeyDown={onKeyDown}
      aria-label={`Edit ${task.title}`}
      data-testid="edit-form"
    >
      <label className={styles.field}>
        <span>Title</span>
        <input
          ref={titleInput}
          className="input"
          value={title}
          maxLength={TITLE_MAX}
          required
          onChange={(event) => setTitle(event.target.value)}
          data-testid="edit-title"
        />
      </label>
      <label className={styles.field}>
        <span>Notes</span>
        <textarea
          className="input"
          rows={3}
          value={notes}
          maxLength={NOTES_MAX}
          onChange={(event) => setNotes(event.target.value)}
          data-testid="edit-notes"
        />
      </label>
      <div className={styles.editActions}>
        <button type="submit" className="button button-primary" data-testid="save-task">
          Save
        </button>
        <button type="button" className="button" onClick={onCancel} data-testid="cancel-edit">
          Cancel
        </button>
      </div>
    </form>
  );
}
