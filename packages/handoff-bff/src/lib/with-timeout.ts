/**
 * Settles as `promise` does, or rejects with a `TimeoutError` after `ms`, whichever comes
 * first. For calls to a shared store, which must never hold a request: a node-redis client
 * queues commands while disconnected (unless `disableOfflineQueue`), and its promise would
 * wait for the reconnection.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${what} did not answer within ${ms} ms`);
      error.name = "TimeoutError";
      reject(error);
    }, ms);
  });
  // A late rejection of the command itself must not be reported as unhandled.
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
