"use client";

import { useEffect, useId, useMemo, useState, useSyncExternalStore } from "react";
import type { TaskStore } from "@/lib/tasks/store";
import type { Task } from "@/lib/tasks/types";
import { AddTaskForm } from "./add-task-form";
import styles from "./dashboard.module.css";
import { type Filter, FilterTabs } from "./filter-tabs";
import { LiveIndicator } from "./live-indicator";
import { TaskItem } from "./task-item";
import type { LiveStatus } from "./use-live-tasks";

const EMPTY: Record<Filter, string> = {
  all: "No tasks yet. Add one above, or ask the agent.",
  open: "Nothing open. Well done!",
  done: "No finished tasks yet.",
};

/** The task list: add form, filter tabs, the tasks, and notices about changes. */
export function TaskBoard({ store, live }: { store: TaskStore; live: LiveStatus }) {
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const [filter, setFilter] = useState<Filter>("all");
  const panelId = useId();
  const counts = useMemo(() => countByStatus(snapshot.tasks), [snapshot.tasks]);
  const visible = snapshot.tasks.filter((task) => filter === "all" || task.status === filter);

  // Notices clear themselves: news after 8 s, errors after 15 s (or with their × button).
  const notice = snapshot.notice;
  useEffect(() => {
    if (notice === null) return;
    const delay = notice.tone === "info" ? 8_000 : 15_000;
    const timer = setTimeout(() => store.dismissNotice(notice.id), delay);
    return () => clearTimeout(timer);
  }, [notice, store]);

  return (
    <section className={styles.panel} aria-labelledby="tasks-heading">
      <header className={styles.panelHeader}>
        <h2 id="tasks-heading">Tasks</h2>
        <p className={styles.muted} data-testid="task-count">
          {counts.open} open · {counts.done} done
        </p>
        <LiveIndicator status={live} />
      </header>

      <AddTaskForm onAdd={(title) => store.add(title)} />

      <div role="status" aria-live="polite" className={styles.noticeSlot}>
        {snapshot.notice && (
          <p
            className={snapshot.notice.tone === "error" ? styles.noticeError : styles.notice}
            data-testid="task-notice"
            data-tone={snapshot.notice.tone}
          >
            <span>{snapshot.notice.text}</span>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss message"
              onClick={() => store.dismissNotice()}
            >
              ×
            </button>
          </p>
        )}
      </div>

      <FilterTabs value={filter} onChange={setFilter} counts={counts} controls={panelId} />

      <div id={panelId} role="tabpanel" aria-labelledby={`filter-${filter}`} tabIndex={-1}>
        {snapshot.phase === "loading" && (
          <p className={styles.placeholder} data-testid="tasks-loading">
            Loading tasks…
          </p>
        )}
        {snapshot.phase === "failed" && (
          <div className={styles.placeholder} role="alert" data-testid="tasks-error">
            <p>Couldn't load your tasks: {snapshot.loadError}</p>
            <button
              type="button"
              className="button"
              data-testid="tasks-retry"
              onClick={() => void store.refresh()}
            >
              Try again
            </button>
          </div>
        )}
        {snapshot.phase === "ready" && visible.length === 0 && (
          <p className={styles.placeholder} data-testid="tasks-empty">
            {EMPTY[filter]}
          </p>
        )}
        {visible.length > 0 && (
          <ul className={styles.list} aria-label="Tasks" data-testid="task-list">
            {visible.map((task) => (
              <TaskItem
                key={task.id}
                task={task}
                pending={snapshot.pending.has(task.id)}
                store={store}
              />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function countByStatus(tasks: readonly Task[]): Record<Filter, number> {
  let done = 0;
  for (const task of tasks) if (task.status === "done") done++;
  return { all: tasks.length, open: tasks.length - done, done };
}
