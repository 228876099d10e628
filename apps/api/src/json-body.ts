import type { MiddlewareHandler } from "hono";
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "./errors.js";

/** `application/json`, `application/merge-patch+json` and other `+json` types (RFC 6839 §3.1). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/** Enough for a task with 10,000 characters of notes, each up to 4 UTF-8 bytes, and its JSON. */
const JSON_BODY_LIMIT = 64 * 1024;

/**
 * Guards a JSON route before validation: the body must be declared JSON (else 415, rather than
 * being read as `{}` and answered "title: Required."), at most `limit` bytes counted as it
 * streams in (else 413, whatever `Content-Length` claims), valid UTF-8 JSON (else 400), and a
 * JSON object (else 400). The text is left in Hono's body cache for the zod validator.
 *
 * @example
 * ```ts
 * app.use("/api/tasks/*", jsonBody());
 * ```
 */
export function jsonBody(limit = JSON_BODY_LIMIT): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    if (method !== "POST" && method !== "PATCH" && method !== "PUT") return next();
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (!JSON_MEDIA_TYPE.test(mediaType)) throw new UnsupportedMediaTypeError();
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > limit) throw new PayloadTooLargeError(limit);

    const text = await readText(c.req.raw, limit);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new BadRequestError("The body is not valid JSON.");
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new BadRequestError("The body must be a JSON object.");
    }
    // Hono caches body promises (its type says values); the validator's `json()` reads this.
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
    return next();
  };
}

async function readText(request: Request, limit: number): Promise<string> {
  if (request.body === null) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  try {
    // fatal: invalid UTF-8 is refused, never replaced with U+FFFD and stored (data loss).
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new BadRequestError("The body is not valid UTF-8.");
  }
}
