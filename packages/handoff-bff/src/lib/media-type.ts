/**
 * The media type of a `Content-Type` header without its parameters, lowercased:
 * `"Text/Event-Stream; charset=utf-8"` → `"text/event-stream"` (RFC 9110 §8.3.1: type and
 * subtype are case-insensitive). `null` when the header is absent.
 */
export function mediaTypeOf(headers: Headers): string | null {
  const value = headers.get("content-type");
  if (value === null) return null;
  const semicolon = value.indexOf(";");
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** `application/json`, `application/problem+json` and any other `+json` type (RFC 6839 §3.1). */
export function isJsonType(type: string | null): boolean {
  return type !== null && (type === "application/json" || type.endsWith("+json"));
}
