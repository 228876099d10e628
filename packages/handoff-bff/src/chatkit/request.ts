import { ChatKitInvalidRequestError, RequestBodyError, RequestTooLargeError } from "../errors.js";
import { isJsonType, mediaTypeOf } from "../lib/media-type.js";

/** A refresh body holds one client secret; nothing legitimate comes near this size. */
const MAX_REFRESH_BODY = 16 * 1024;

/** Client secrets are short (`ek_…`); a longer value is not one this server issued. */
const MAX_SECRET_LENGTH = 4096;

/**
 * The origin the client addressed, from `Host` (or `X-Forwarded-*` when trusted), as the proxy
 * computes it for its `Origin` check: a `Request`'s URL is built by the framework from its
 * own hostname, and a cross-site page cannot choose the `Host` its victim's browser sends.
 */
export function ownOrigin(request: Request, url: URL, trustForwarded: boolean): string {
  const headers = request.headers;
  const host =
    (trustForwarded && firstValue(headers.get("x-forwarded-host"))) ||
    headers.get("host") ||
    url.host;
  const proto =
    (trustForwarded && firstValue(headers.get("x-forwarded-proto"))) || url.protocol.slice(0, -1);
  return `${proto}://${host}`;
}

function firstValue(list: string | null): string | null {
  return list === null ? null : list.split(",")[0]?.trim() || null;
}

/**
 * Reads `{ "currentClientSecret": "…" }`. The body must be declared JSON: a cross-site HTML
 * form cannot send `application/json` (Fetch's CORS-safelisted request headers), which backs
 * up the CSRF check.
 */
export async function readCurrentSecret(request: Request): Promise<string> {
  if (!isJsonType(mediaTypeOf(request.headers))) {
    throw new ChatKitInvalidRequestError("The body must be application/json.");
  }
  const text = await readBounded(request, MAX_REFRESH_BODY);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ChatKitInvalidRequestError("The body is not valid JSON.");
  }
  const secret = (body as { currentClientSecret?: unknown } | null)?.currentClientSecret;
  if (typeof secret !== "string" || secret === "" || secret.length > MAX_SECRET_LENGTH) {
    throw new ChatKitInvalidRequestError(
      'The body must be { "currentClientSecret": "<the client secret to replace>" }.',
    );
  }
  return secret;
}

async function readBounded(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) throw new RequestTooLargeError(limit);
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw new RequestTooLargeError(limit);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof RequestTooLargeError) throw error;
    throw new RequestBodyError(error);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
