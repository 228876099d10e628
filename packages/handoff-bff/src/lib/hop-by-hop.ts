/**
 * Hop-by-hop header fields: meaningful for one connection only, so a proxy must not forward
 * them (RFC 9110 §7.6.1). `keep-alive`, `proxy-connection`, `transfer-encoding`, `te`,
 * `trailer` and `upgrade` are listed there or in RFC 9112; `proxy-authenticate` and
 * `proxy-authorization` are addressed to the proxy itself (RFC 9110 §11.7).
 */
export const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * The names listed in a `Connection` header, lower-cased: RFC 9110 §7.6.1 requires a proxy to
 * remove each of them too before forwarding.
 */
export function connectionListed(headers: {
  get(name: string): string | null;
}): Set<string> | null {
  return listedNames(headers.get("connection"));
}

/** {@link connectionListed} for header pairs, where `Connection` may occur more than once. */
export function connectionListedIn(pairs: ReadonlyArray<[string, string]>): Set<string> | null {
  let value: string | null = null;
  for (const [name, v] of pairs) if (name === "connection") value = value ? `${value}, ${v}` : v;
  return listedNames(value);
}

function listedNames(value: string | null): Set<string> | null {
  if (!value) return null;
  const names = new Set<string>();
  for (const part of value.split(",")) {
    const name = part.trim().toLowerCase();
    if (name !== "") names.add(name);
  }
  return names;
}
