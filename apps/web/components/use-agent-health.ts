"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { type AgentHealth, checkHealth } from "@/lib/agent/health";
import { API_DOWN_EVENT } from "@/lib/http";

/** How often health is asked while the agent is unavailable: it shows as back within seconds. */
const RETRY_MS = 3_000;
/** … and while it is available, to notice that the API went away before the user does. */
const CONFIRM_MS = 10_000;

/**
 * The agent's availability from `GET /api/agent/health`, asked on mount, every 3 s while
 * unavailable, every 10 s while available, and at once when the window gets focus, the tab
 * becomes visible, or another request found the API down.
 */
export function useAgentHealth(): { health: AgentHealth; recheck: () => void } {
  const [health, setHealth] = useState<AgentHealth>({ state: "checking" });
  const run = useRef<() => void>(() => {});

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: AbortController | null = null;
    const check = async () => {
      clearTimeout(timer);
      current?.abort();
      const controller = new AbortController();
      current = controller;
      let next: AgentHealth;
      try {
        next = await checkHealth(controller.signal);
      } catch {
        return; // superseded by a newer check, or unmounted
      }
      if (controller.signal.aborted) return;
      setHealth(next);
      timer = setTimeout(check, next.state === "available" ? CONFIRM_MS : RETRY_MS);
    };
    run.current = () => void check();
    const onVisible = () => {
      if (document.visibilityState === "visible") void check();
    };
    void check();
    const onDemand = run.current;
    window.addEventListener("focus", onDemand);
    window.addEventListener(API_DOWN_EVENT, onDemand);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.removeEventListener("focus", onDemand);
      window.removeEventListener(API_DOWN_EVENT, onDemand);
      document.removeEventListener("visibilitychange", onVisible);
      clearTimeout(timer);
      current?.abort();
    };
  }, []);

  const recheck = useCallback(() => run.current(), []);
  return { health, recheck };
}
