import { AmbiguousPathError, NotMountedError } from "../errors.js";

/** The upstream, parsed once at creation. */
export interface Upstream {
  /** `scheme://host[:port]`, as `URL.origin` writes it. */
  origin: string;
  /** The base path with no trailing slash: `""` or `"/v1/agent"`. */
  basePath: string;
}

/**
 * How many times a path is percent-decoded while looking for hidden dot segments: an upstream
 * that decodes twice turns `%252e%252e` into `..`. A path still changing after this many rounds
 * is refused: no legitimate path is encoded eight times over. `%2F` itself is data and stays
 * encoded; it is dangerous only next to a dot segment (`%2F..%2F`), which the decoded check
 * catches.
 */
const MAX_DECODE_ROUNDS = 8;

/** A percent-escape of an ASCII byte (`%00`–`%7F`): only these can spell `.`, `/`, `\`, `;`. */
const ASCII_ESCAPE = /%[0-7][0-9A-Fa-f]/g;

/**
 * Overlong UTF-8 for an ASCII byte (RFC 3629 §3 forbids it), which lenient decoders have read
 * as `.`, `/` or `\` (`%c0%ae`: CVE-2008-2938 in Tomcat).
 */
const OVERLONG = /%c[01]%[89ab][0-9a-f]/i;

/** C0 controls, DEL: never legitimate in a path, and read differently by different parsers. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Characters RFC 3986 §3.3 does not allow raw in a path, which parsers treat differently
 * (`#` ends it for some, spaces split request lines, non-ASCII depends on the charset).
 */
const UNENCODED = /[\s#"<>`{}\u0080-\uffff]/;

/**
 * Finds the part of the raw request path under the mount, or throws.
 *
 * `rawPath` is the path exactly as the runtime received it (`URL.pathname`, still
 * percent-encoded). Returns the rest of the path (`""` or starting with `/`).
 */
export function pathUnderMount(rawPath: string, mount: string): string {
  if (mount === "") return rawPath;
  if (!rawPath.startsWith(mount)) throw new NotMountedError();
  const rest = rawPath.slice(mount.length);
  if (rest !== "" && !rest.startsWith("/")) throw new NotMountedError();
  return rest;
}

/**
 * Refuses a path that an upstream could read in a way other than ours: dot segments (literal,
 * percent-encoded or encoded several times, also behind `;parameters`), backslashes, control
 * characters, empty segments and malformed escapes. Such paths are how path-traversal and
 * request-smuggling tricks reach a backend (see CVE-2021-41773, where `.%2e/` escaped the
 * document root), so they never leave.
 */
export function assertUnambiguous(rest: string): void {
  if (rest.includes("\\")) throw new AmbiguousPathError("contains a backslash");
  if (CONTROL.test(rest)) throw new AmbiguousPathError("contains a control character");
  if (UNENCODED.test(rest)) {
    throw new AmbiguousPathError("contains a character that must be percent-encoded");
  }
  // An empty segment ("//") is collapsed by some servers and not by others; a single trailing
  // slash is kept, since "/tasks/" and "/tasks" may be different resources.
  const body = rest.endsWith("/") ? rest.slice(0, -1) : rest;
  if (body.includes("//")) throw new AmbiguousPathError("contains an empty segment");
  if (hasDotSegment(rest)) throw new AmbiguousPathError("contains a dot segment");
  if (!rest.includes("%")) return;
  // What we forward must itself be well-formed (RFC 3986 §2.1): a stray "%" is read
  // differently by each server. Only the first layer: after it, "100%25" is the data "100%".
  try {
    decodeURIComponent(rest);
  } catch {
    throw new AmbiguousPathError("has a malformed percent-escape");
  }
  // Then every layer an upstream might decode, as a lenient one would: what decodes is
  // decoded, a malformed escape ("%zz") stays as it is and decoding goes on past it.
  let decoded = rest;
  for (let round = 0; decoded.includes("%"); round++) {
    if (OVERLONG.test(decoded)) throw new AmbiguousPathError("contains overlong UTF-8");
    const next = decoded.replace(ASCII_ESCAPE, decodeEscape);
    if (next === decoded) return;
    if (round === MAX_DECODE_ROUNDS) {
      throw new AmbiguousPathError("is percent-encoded too many times");
    }
    decoded = next;
    if (decoded.includes("\\")) throw new AmbiguousPathError("contains an encoded backslash");
    if (CONTROL.test(decoded)) {
      throw new AmbiguousPathError("contains an encoded control character");
    }
    if (hasDotSegment(decoded)) throw new AmbiguousPathError("contains an encoded dot segment");
  }
}

function decodeEscape(sequence: string): string {
  return String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
}

/**
 * Whether a segment is `.` or `..` once its parameters are cut off. Tomcat, Jetty and Spring
 * drop `;params` from each segment before resolving dot segments (RFC 3986 §3.3 allows `;` in
 * a segment), so `..;x` climbs there; a reader that decodes and parses again ends the path at
 * `?` or `#`, so `..%3F` climbs there too.
 */
function hasDotSegment(path: string): boolean {
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf("/", start);
    if (end === -1) end = path.length;
    let stop = start;
    while (stop < end) {
      const char = path.charCodeAt(stop);
      if (char === SEMICOLON || char === QUESTION || char === HASH) break;
      stop++;
    }
    const length = stop - start;
    if (
      (length === 1 || length === 2) &&
      path.charCodeAt(start) === DOT &&
      (length === 1 || path.charCodeAt(start + 1) === DOT)
    ) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

const DOT = 0x2e;
const SEMICOLON = 0x3b;
const QUESTION = 0x3f;
const HASH = 0x23;

/**
 * Builds the upstream URL by string concatenation onto the fixed origin (never by resolving
 * the path against it: `new URL("//evil.example", base)` would change host). Then checks the
 * result once more, so that the token can only ever go to the configured origin.
 */
export function targetUrl(upstream: Upstream, rest: string, search: string): Target {
  const joined = upstream.basePath + rest;
  const path = (joined === "" ? "/" : joined) + search;
  const url = upstream.origin + path;
  if (new URL(url).origin !== upstream.origin) {
    throw new AmbiguousPathError("would leave the upstream origin");
  }
  return { url, origin: upstream.origin, path };
}

/** Where a request goes: the whole URL, and its origin and request-line path apart. */
export interface Target {
  url: string;
  origin: string;
  path: string;
}
