/**
 * The client's address as the app can trust it, for per-address limits (the proxies' and
 * sign-in's alike), or `null` when no address can be trusted.
 *
 * Under the front door (server.mjs) the proxies are told the socket's peer address (`peer`);
 * Next.js route handlers and server actions get no socket address. Next sets
 * `X-Forwarded-For` to the peer only when the request has none (`??=` in its base server), so
 * under a bare `next start` the header is whatever the client wrote. Each reverse proxy in
 * front appends the address it saw; with `trustedProxyCount` proxies, the entry that many
 * places from the right was written by the outermost one, and it is the client's. Entries
 * further left are the client's own text (RFC 7239 §8.1 says the same of `Forwarded`).
 *
 * - `trustedProxyCount` 0: the peer's address when there is a socket (`peer`), else `null`,
 *   whatever the header says.
 * - fewer entries than proxies (the request did not pass through all of them): `null`. With no
 *   header at all, the peer stands for it, as Next makes it: a request straight to the app is
 *   counted by its real address, as under `next start`.
 *
 * IPv6 addresses are reduced to their /64, as one host usually holds a whole /64 (RFC 6177)
 * and could otherwise take a fresh address per attempt; IPv4-mapped IPv6 becomes IPv4.
 *
 * @example
 * ```ts
 * // TRUSTED_PROXY_COUNT=1, nginx in front: "forged, 203.0.113.7" → "203.0.113.7"
 * const address = trustedClientAddress(request.headers, 1);
 * ```
 */
export function trustedClientAddress(
  headers: Headers,
  trustedProxyCount: number,
  peer?: string,
): string | null {
  if (trustedProxyCount < 1) return peer ? addressKey(peer) : null;
  // The header as Next would have it: the peer when the request brought none (its `??=`).
  const header = headers.get("x-forwarded-for") ?? peer ?? "";
  const entries = header.split(",").map((entry) => entry.trim());
  if (entries.length === 1 && entries[0] === "") return null;
  const entry = entries[entries.length - trustedProxyCount];
  return entry === undefined || entry === "" ? null : addressKey(entry);
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** IPv4 as is; IPv6 (also `[v6]:port`) to its /64 or, when IPv4-mapped, to the IPv4. */
function addressKey(entry: string): string {
  let value = entry.toLowerCase();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    value = value.slice(1, end === -1 ? undefined : end);
  } else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.indexOf(":"));
  value = value.split("%")[0] ?? value;
  if (IPV4.test(value) || !value.includes(":")) return value;
  const mapped = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped?.[1] !== undefined) return mapped[1];
  const [head = "", tail] = value.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
