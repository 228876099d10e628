import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors.js";

/** `application/json` and `+json` types (RFC 6839 §3.1). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/**
 * Reads a request's body as the JSON object a ChatKit request is: declared JSON (else 415),
 * at most `limit` bytes counted as it streams in (else 413, whatever `Content-Length` claims),
 * valid UTF-8 (else 400, never replaced with U+FFFD and stored) and a JSON object (else 400).
 */
export async function readJsonBody(request: Request, limit: number): Promise<object> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (!JSON_MEDIA_TYPE.test(mediaType)) throw new UnsupportedMediaTypeError();
  if (Number(request.headers.get("content-length") ?? "0") > limit) {
    throw new PayloadTooLargeError(limit);
  }
  const bytes = new Uint8Array(await readAtMost(request, limit));
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError("The body is not valid UTF-8.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError("The body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BadRequestError("The body must be a JSON object.");
  }
  return value;
}

async function readAtMost(request: Request, limit: number): Promise<ArrayBuffer> {
  const body = new Uint8Array(limit);
  let size = 0;
  if (request.body === null) return body.buffer.slice(0, 0);
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > limit) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(limit);
    }
    body.set(value, size);
    size += value.byteLength;
  }
  return body.buffer.slice(0, size);
}
