import styles from "./dashboard.module.css";
import type { LiveStatus } from "./use-live-tasks";

const LABEL: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  offline: "Offline, reconnecting…",
  off: "Live updates off",
};

const TITLE: Record<LiveStatus, string> = {
  connecting: "Connecting to live updates",
  live: "Changes made elsewhere appear here as they happen",
  offline: "Live updates are interrupted; the list may be behind until they are back",
  off: "This server does not relay live updates: the list refreshes when you come back to the tab",
};

/** A small dot and word beside the task count: whether changes made elsewhere show up live. */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span
      className={styles.live}
      data-testid="live-status"
      data-state={status}
      title={TITLE[status]}
    >
      <span className={styles.liveDot} aria-hidden="true" />
      {LABEL[status]}
    </span>
  );
}
