import { RequestBodyError, RequestTooLargeError } from "../errors.js";
import type { Bytes } from "./transport.js";

/** Bodies up to this size with a declared length are read whole and sent in one write. */
const SMALL_BODY = 64 * 1024;

/** Methods whose requests carry no body that a proxy should forward (RFC 9110 §9.3.1–2). */
const BODYLESS = new Set(["GET", "HEAD"]);

/** Methods for which clients declare an empty body as `Content-Length: 0`. */
const EMPTY_IS_DECLARED = new Set(["POST", "PUT", "PATCH"]);

export interface OutgoingBody {
  body: Bytes | ReadableStream<Uint8Array> | null;
  length: number | null;
}

/**
 * Prepares the request body for the upstream within `limit` bytes:
 * - declared length over the limit → 413 before any upstream contact;
 * - declared and small → read whole (bounded by the limit, so memory stays bounded);
 * - declared and large → streamed as is (the runtime enforces the declared length);
 * - chunked → streamed through a counter that fails the stream with 413 past the limit,
 *   which aborts the upstream request mid-body.
 */
export function outgoingBody(
  incoming: { request(): Request },
  method: string,
  limit: number,
): OutgoingBody | Promise<OutgoingBody> {
  if (BODYLESS.has(method)) return { body: null, length: null };
  const request = incoming.request();
  const declaredHeader = request.headers.get("content-length");
  const declared = declaredHeader === null ? null : Number(declaredHeader);
  if (declared !== null && (!Number.isSafeInteger(declared) || declared < 0)) {
    throw new RequestBodyError(new Error("invalid Content-Length"));
  }
  if (declared !== null && declared > limit) throw new RequestTooLargeError(limit);
  if (request.body === null) {
    return { body: null, length: EMPTY_IS_DECLARED.has(method) || declared === 0 ? 0 : null };
  }
  if (declared !== null && declared <= SMALL_BODY) {
    return request.arrayBuffer().then(
      (buffer) => ({ body: new Uint8Array(buffer), length: buffer.byteLength }),
      (error: unknown) => {
        throw new RequestBodyError(error);
      },
    );
  }
  if (declared !== null) return { body: request.body, length: declared };
  return { body: request.body.pipeThrough(byteLimit(limit)), length: null };
}

function byteLimit(limit: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) controller.error(new RequestTooLargeError(limit));
      else controller.enqueue(chunk);
    },
  });
}
