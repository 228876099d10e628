/**
 * Small builders for the events a responder yields most, so that a responder reads as what it
 * does: `yield progress("Searching")`, `yield clientEffect("tasks.changed", { id })`.
 */
import type { EventOf, IconName, JsonObject } from "./types.js";

/**
 * A `progress_update`: the web component shows it while the turn is working.
 *
 * @example
 * ```ts
 * yield progress("Adding a task", { icon: "plus" });
 * ```
 */
export function progress(
  text: string,
  options: { icon?: IconName } = {},
): EventOf<"progress_update"> {
  return {
    type: "progress_update",
    text,
    ...(options.icon === undefined ? {} : { icon: options.icon }),
  };
}

/**
 * A `client_effect`: the page's `onEffect` handler receives `name` and `data` (to reload a list,
 * say); nothing is stored.
 *
 * @example
 * ```ts
 * yield clientEffect("tasks.changed", { tool: "add_task" });
 * ```
 */
export function clientEffect(name: string, data: JsonObject = {}): EventOf<"client_effect"> {
  return { type: "client_effect", name, data };
}

/**
 * A `notice`: a banner in the thread (Markdown), not stored.
 *
 * @example
 * ```ts
 * yield notice("The model is slow today.", { level: "warning" });
 * ```
 */
export function notice(
  message: string,
  options: { level?: "info" | "warning" | "danger"; title?: string } = {},
): EventOf<"notice"> {
  return {
    type: "notice",
    level: options.level ?? "info",
    message,
    ...(options.title === undefined ? {} : { title: options.title }),
  };
}

/**
 * An `error` event with the sentence to show (code `custom`). The stream goes on after it;
 * throw a `ChatKitStreamError` instead to end the turn with it.
 *
 * @example
 * ```ts
 * yield errorEvent("That file is too large.", { allowRetry: false });
 * ```
 */
export function errorEvent(
  message: string,
  options: { allowRetry?: boolean } = {},
): EventOf<"error"> {
  return { type: "error", code: "custom", message, allow_retry: options.allowRetry ?? false };
}
