import type { HandoffProxy } from "../proxy/create-proxy.js";

/** A proxy and the path prefix it owns. */
export interface Mounted<P extends HandoffProxy = HandoffProxy> {
  mount: string;
  proxy: P;
}

/** How many layers of percent-encoding are peeled when looking for a mount in disguise. */
const MAX_DECODE_ROUNDS = 8;

/** A percent-escape of an ASCII byte: the only ones that can spell a mount's characters. */
const ASCII_ESCAPE = /%[0-7][0-9A-Fa-f]/g;

/** Anything a router may normalise: escapes, backslashes, empty or dot segments. */
const NORMALISABLE = /[%\\#]|\/\/|(?:^|\/)\.\.?(?:\/|$)/;

/**
 * The proxy whose mount the raw path is under: exactly the mount, or the mount and `/…`
 * (`/api/proxyx` is not under `/api/proxy`). `mounted` is sorted longest mount first, so a
 * nested mount wins over its parent.
 */
export function mountOf<P extends HandoffProxy>(
  path: string,
  mounted: readonly Mounted<P>[],
): Mounted<P> | undefined {
  for (const entry of mounted) {
    if (isUnder(path, entry.mount)) return entry;
  }
  return undefined;
}

/**
 * Whether a path outside every mount would land under one once a router decoded it, turned
 * `\` into `/`, collapsed `//` or resolved dot segments (`/api/%70roxy/x`, `/x/../api/proxy`,
 * `/api/proxy%2Fx`). Such a path belongs to neither side for certain, so the front door
 * refuses it rather than let the framework behind it read it as the proxy's (CVE-2021-41773
 * shows what a second reading of a path does).
 */
export function disguisedMount(path: string, mounted: readonly Mounted[]): boolean {
  if (!NORMALISABLE.test(path)) return false;
  let decoded = path;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    if (readings(decoded).some((path) => mountOf(path, mounted))) return true;
    const next = decoded.replace(ASCII_ESCAPE, (sequence) =>
      String.fromCharCode(Number.parseInt(sequence.slice(1), 16)),
    );
    if (next === decoded) return false;
    decoded = next;
  }
  // Still changing after every round: no honest path is encoded that often.
  return true;
}

/**
 * The ways a router may read a path: control characters gone (the WHATWG URL parser removes
 * tabs and newlines anywhere, other controls at the ends), cut at `?` or `#` (a decoded `%3F` ends the path for a second parser), backslashes as
 * slashes, dot segments resolved (RFC 3986 §5.2.4) with empty segments kept (as URL parsers
 * do) or merged first (as nginx's `merge_slashes` does): `/a//../b` is `/a/b` or `/b`.
 */
function readings(raw: string): string[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const path = raw.replace(/[\u0000-\u001f\u007f]/g, "");
  const end = path.search(/[?#]/);
  const segments = (end === -1 ? path : path.slice(0, end)).replaceAll("\\", "/").split("/");
  return [resolve(segments), resolve(segments.filter((segment) => segment !== ""))];
}

function resolve(segments: readonly string[]): string {
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `/${out.filter((segment, i) => segment !== "" || i === out.length - 1).join("/")}`;
}

function isUnder(path: string, mount: string): boolean {
  return (
    path.startsWith(mount) && (path.length === mount.length || path.charCodeAt(mount.length) === 47)
  );
}
