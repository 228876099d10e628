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
 * that decodes twice turns `%252e%252e` into `..`. `%2F` itself is data and stays encoded; it
 * is dangerous only next to a dot segment (`%2F..%2F`), which the decoded check catches.
 */
const MAX_DECODE_ROUNDS = 4;

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
 * percent-encoded or double-encoded), backslashes, control characters, empty segments and
 * malformed escapes. Such paths are how path-traversal and request-smuggling tricks reach a
 * backend (see CVE-2021-41773, where `.%2e/` escaped the document root), so they never leave.
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
  let decoded = rest;
  for (let round = 0; round < MAX_DECODE_ROUNDS && decoded.includes("%"); round++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      // A stray "%" that is not an escape is data after the first round ("100%25" → "100%").
      if (round === 0) throw new AmbiguousPathError("has a malformed percent-escape");
      break;
    }
    if (next === decoded) break;
    decoded = next;
    if (decoded.includes("\\")) throw new AmbiguousPathError("contains an encoded backslash");
    if (CONTROL.test(decoded)) {
      throw new AmbiguousPathError("contains an encoded control character");
    }
    if (hasDotSegment(decoded)) throw new AmbiguousPathError("contains an encoded dot segment");
  }
  if (hasDotSegment(rest)) throw new AmbiguousPathError("contains a dot segment");
}

function hasDotSegment(path: string): boolean {
  for (const segment of path.split("/")) {
    if (segment === "." || segment === "..") return true;
  }
  return false;
}

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
