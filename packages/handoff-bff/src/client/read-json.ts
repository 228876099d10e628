import { isJsonType, mediaTypeOf } from "../lib/media-type.js";
import { ProblemError } from "./problem-error.js";

/**
 * Reads a JSON response body, or throws:
 * - a `ProblemError` (with the problem+json `code`, `status`, `detail`) when the status is not
 *   2xx (a 304 included: handle it first if you send `If-None-Match`);
 * - a `TypeError` when a 2xx response is not JSON (an HTML page from a redirect to sign-in,
 *   say), instead of a `SyntaxError` from deep inside `response.json()`.
 *
 * 204, 205 and empty bodies give `undefined`. `T` is not checked: validate untrusted shapes.
 *
 * @example
 * ```ts
 * const response = await api(`/api/proxy/api/tasks/${id}`);
 * const task = await readJson<Task>(response);
 * const etag = response.headers.get("etag"); // send back as If-Match
 * ```
 */
export async function readJson<T = unknown>(response: Response): Promise<T> {
  if (!response.ok) throw await ProblemError.fromResponse(response);
  if (response.status === 204 || response.status === 205 || response.body === null) {
    return undefined as T;
  }
  const type = mediaTypeOf(response.headers);
  if (!isJsonType(type)) {
    await response.body.cancel().catch(() => {});
    throw new TypeError(
      `Expected a JSON response, got ${type ?? "no Content-Type"} (status ${response.status}).`,
    );
  }
  const text = await response.text();
  return (text === "" ? undefined : JSON.parse(text)) as T;
}
