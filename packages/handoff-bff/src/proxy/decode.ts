import { UnsupportedEncodingError } from "../errors.js";
import type { UpstreamResponse } from "./transport.js";

/** Codings `DecompressionStream` decodes in every runtime Handoff supports (Compression §5). */
const FORMATS: Record<string, CompressionFormat> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
};

/**
 * For runtimes that drop `Content-Encoding` (see `HandleContext.dropsContentEncoding`):
 * decodes a body the upstream compressed although it was asked for `identity`, and removes
 * the headers that described the encoded form. A coding it cannot decode (`br`, `zstd`) is
 * refused with 502 rather than handed on as bytes no header explains.
 */
export function decodeForRuntime(response: UpstreamResponse): void {
  const coding = response.headers.find(([name]) => name === "content-encoding")?.[1];
  if (coding === undefined) return;
  const normalized = coding.trim().toLowerCase();
  if (normalized === "identity" || normalized === "") return;
  const format = FORMATS[normalized];
  if (format === undefined) throw new UnsupportedEncodingError();
  response.headers = response.headers.filter(
    ([name]) => name !== "content-encoding" && name !== "content-length",
  );
  if (response.body === null) return;
  const encoded =
    response.body instanceof ReadableStream ? response.body : new Response(response.body).body;
  // DecompressionStream is typed as taking any BufferSource; the stream holds Uint8Arrays.
  const decoder = new DecompressionStream(format) as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
  response.body = encoded?.pipeThrough(decoder) ?? null;
}
