/**
 * Readiness, as a load balancer asks for it (`GET /ready`): an instance takes requests while it
 * is not draining and its database answers. Liveness (`GET /health`) is the process alone: a
 * balancer that restarted instances whenever the shared database hiccuped would restart them all.
 */

/** Why an instance is not ready; logged, never answered. */
type NotReadyReason = "draining" | "database";

/** The answer of {@link Readiness.check}. */
type ReadinessState =
  | { readonly ready: true }
  | { readonly ready: false; readonly reason: NotReadyReason; readonly error?: unknown };

/** Whether this instance should get traffic, and the switch that says it no longer should. */
export interface Readiness {
  check(): Promise<ReadinessState>;
  /** From now on, not ready: the process is shutting down (SIGTERM). */
  drain(): void;
}

/** Options for {@link createReadiness}. */
export interface ReadinessOptions {
  /** Resolves when the database answers a trivial query (`Database.ping`). */
  ping(): Promise<void>;
  /**
   * How long the ping may take. Short, so that the answer comes before the balancer's own check
   * timeout (HAProxy's defaults to its 2 s check interval) and a slow database reads as not ready.
   * @default 1_000
   */
  timeoutMs?: number;
}

/**
 * Readiness over a database ping with a timeout, and a drain switch.
 *
 * @example
 * ```ts
 * const readiness = createReadiness({ ping: database.ping });
 * const app = createApp({ ...options, readiness });
 * onShutdownSignal(() => { readiness.drain(); return server.shutdown(); });
 * ```
 */
export function createReadiness(options: ReadinessOptions): Readiness {
  const { ping, timeoutMs = 1_000 } = options;
  let draining = false;
  return {
    drain() {
      draining = true;
    },
    async check() {
      if (draining) return { ready: false, reason: "draining" };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`The database did not answer within ${timeoutMs} ms.`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([ping(), late]);
      } catch (error) {
        return { ready: false, reason: "database", error };
      } finally {
        clearTimeout(timer);
      }
      // A drain that began while the ping ran wins.
      return draining ? { ready: false, reason: "draining" } : { ready: true };
    },
  };
}
