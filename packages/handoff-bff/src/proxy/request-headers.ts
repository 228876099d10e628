import { connectionListed, HOP_BY_HOP } from "../lib/hop-by-hop.js";
import type { HeaderReader } from "./incoming.js";

/**
 * Request headers the proxy never forwards, beyond the hop-by-hop ones:
 * - `cookie`: the session is the proxy's business; the upstream gets the bearer token only.
 * - `authorization`: a client-chosen credential must not reach the upstream beside ours.
 * - `host`: the transport sets the upstream's own.
 * - `forwarded`, `x-forwarded-*`, `x-real-ip`: forgeable by the client; the proxy writes its
 *   own (RFC 7239 §8.1 warns that earlier values cannot be trusted).
 * - `content-length`: the transport sets it from the body it really sends.
 * - `expect`: `100-continue` is negotiated per connection by the transport.
 */
const NEVER_FORWARDED = new Set([
  "cookie",
  "authorization",
  "host",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-forwarded-port",
  "x-forwarded-prefix",
  "x-real-ip",
  "content-length",
  "expect",
]);

/**
 * Headers a framework adds to the incoming request for its own routing. Next.js marks its
 * internal ones with these prefixes; they describe the web app, not the client's request.
 */
const FRAMEWORK_PREFIXES = ["x-middleware-", "x-invoke-", "x-nextjs-", "next-router-"];

/** A pattern for acceptable incoming request ids: short, printable, no separators. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** How the client addressed the proxy. */
export interface PublicSite {
  host: string;
  proto: string;
  /** `proto://host`, compared with the `Origin` header. */
  origin: string;
}

export interface ForwardContext {
  token: string;
  requestId: string;
  /** The proxy's own host and scheme as the client used them, for X-Forwarded-Host/Proto. */
  site: PublicSite;
  /** The peer's address, when the adapter knows it. */
  clientAddress: string | undefined;
  trustForwarded: boolean;
}

/** Picks the request id: the client's when it is well-formed, else a new UUID. */
export function requestIdOf(incoming: HeaderReader): string {
  const given = incoming.get("x-request-id");
  return given !== null && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

/**
 * Builds the upstream request headers: every end-to-end header of the client's request
 * (Accept, Accept-Language, Accept-Encoding, If-*, Range, Content-Type, X-*, traceparent…),
 * less the hop-by-hop and never-forwarded ones, plus the bearer token and X-Forwarded-*.
 */
export function upstreamRequestHeaders(
  incoming: HeaderReader,
  context: ForwardContext,
): Record<string, string> {
  const listed = connectionListed(incoming);
  const out: Record<string, string> = {};
  for (const [name, value] of incoming) {
    if (HOP_BY_HOP.has(name) || NEVER_FORWARDED.has(name)) continue;
    if (listed?.has(name)) continue;
    if (FRAMEWORK_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    out[name] = value;
  }
  out.authorization = `Bearer ${context.token}`;
  out["x-request-id"] = context.requestId;

  const chain = [
    context.trustForwarded ? incoming.get("x-forwarded-for") : null,
    context.clientAddress,
  ];
  const forwardedFor = chain.filter((part) => part).join(", ");
  if (forwardedFor !== "") out["x-forwarded-for"] = forwardedFor;
  out["x-forwarded-host"] = context.site.host;
  out["x-forwarded-proto"] = context.site.proto;
  return out;
}
