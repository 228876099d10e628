"use client";

import { useEffect, useState } from "react";
import { send } from "@/lib/http";
import { followTasks, type LiveState } from "@/lib/tasks/live";
import type { TaskStore } from "@/lib/tasks/store";

/** The feed's state, or `off` where there is none (no front door: no WebSocket to the API). */
export type LiveStatus = LiveState | "off";

/**
 * Keeps the task list live: follows `GET /api/tasks/live` through the front door while
 * mounted and `enabled`, applying each change to `store` (its ETag logic skips the page's own
 * changes) and reloading the list on `resync`. A socket closed with 4401 asks the session once:
 * gone → sign-in (`send`'s 401 handling); only the socket's JWT expired → a new socket.
 */
export function useLiveTasks(store: TaskStore, enabled: boolean): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>(enabled ? "connecting" : "off");
  useEffect(() => {
    if (!enabled || typeof WebSocket === "undefined") {
      setStatus("off");
      return;
    }
    return followTasks({
      onEvent: (event) => void store.apply(event),
      onResync: () => void store.refresh(),
      onState: setStatus,
      checkSession: async () =>
        (await send("/api/proxy/api/me", { cache: "no-store" })).status !== 401,
    });
  }, [store, enabled]);
  return status;
}
