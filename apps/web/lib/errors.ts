/**
 * Helpers for errors thrown by `handoff-bff/client` (`ProblemError`: `status`, `code`, `detail`)
 * and by `fetch` itself, read by shape so that tests can throw plain objects.
 */

/** The HTTP status an error carries, if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status } = error as { status?: unknown };
  return typeof status === "number" ? status : undefined;
}

/**
 * A sentence for people: the problem's `detail` (or `title`) when the server sent one, a
 * plain explanation when the network failed.
 */
export function describeError(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const { detail, title, message, name } = error as Record<string, unknown>;
    if (typeof detail === "string" && detail !== "") return detail;
    if (name === "TypeError" || name === "AbortError") {
      return "the server could not be reached. Check your connection and try again.";
    }
    if (typeof title === "string" && title !== "") return title;
    if (typeof message === "string" && message !== "") return message;
  }
  return "something went wrong.";
}
