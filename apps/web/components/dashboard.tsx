"use client";

import { useCallback, useEffect, useState } from "react";
import { tasksApi } from "@/lib/tasks/api";
import { TaskStore } from "@/lib/tasks/store";
import { AgentPanel } from "./agent-panel";
import styles from "./dashboard.module.css";
import { TaskBoard } from "./task-board";
import { useLiveTasks } from "./use-live-tasks";

/**
 * The signed-in page: tasks on the left, the agent beside them (below, on narrow screens).
 * `live`: whether the server relays WebSockets (the front door), so the list follows changes
 * made elsewhere as they happen; without it, it catches up when the window gets focus.
 */
export function Dashboard({ live }: { live: boolean }) {
  const [store] = useState(() => new TaskStore(tasksApi));
  const liveStatus = useLiveTasks(store, live);
  useEffect(() => {
    void store.refresh();
    // Another tab or device may have changed tasks while this one was in the background.
    const onFocus = () => void store.refresh();
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [store]);
  const refreshTasks = useCallback(() => void store.refresh(), [store]);
  return (
    <main id="main" className={styles.layout}>
      <TaskBoard store={store} live={liveStatus} />
      <AgentPanel onTasksChanged={refreshTasks} />
    </main>
  );
}
