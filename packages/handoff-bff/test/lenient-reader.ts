/**
 * How a lenient upstream (Tomcat, Jetty, Spring, and apps that decode again on their own) may
 * read a request path: percent-decoded any number of times, a malformed escape kept as it is,
 * overlong UTF-8 accepted, `;parameters` dropped from each segment (before or after decoding),
 * `\` taken for `/`, empty segments merged, dot segments resolved (RFC 3986 §5.2.4). A decoded
 * `?` or `#` may end the path, for a reader that parses the decoded path again.
 *
 * Returns every reading, so that a test can require all of them to stay under a base path.
 */
export function lenientReadings(target: string): string[] {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  const layers = [path];
  for (let round = 0; round < 12; round++) {
    const next = decodeOnce(layers.at(-1) as string);
    if (next === layers.at(-1)) break;
    layers.push(next);
  }
  const readings = new Set<string>();
  for (const layer of layers) {
    readings.add(resolve(layer, false));
    readings.add(resolve(layer, true));
  }
  // Tomcat's order: parameters removed from the raw path, then decoding.
  let stripped = stripParameters(path);
  for (let round = 0; round < 12; round++) {
    readings.add(resolve(stripped, false));
    const next = decodeOnce(stripped);
    if (next === stripped) break;
    stripped = next;
  }
  return [...readings];
}

/** Whether `path` is `base` or below it, segment by segment. */
export function isUnder(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

/** One round of decoding: valid escapes decoded, malformed ones kept, bytes read as UTF-8 leniently. */
function decodeOnce(path: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const hex = path.slice(i + 1, i + 3);
    if (path[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(path.charCodeAt(i));
    }
  }
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    const next = bytes[i + 1];
    // Two-byte sequences, overlong ones included (`%c0%ae` → "."), as old decoders accepted.
    if (byte >= 0xc0 && byte < 0xe0 && next !== undefined && (next & 0xc0) === 0x80) {
      out += String.fromCharCode(((byte & 0x1f) << 6) | (next & 0x3f));
      i++;
    } else {
      out += String.fromCharCode(byte);
    }
  }
  return out;
}

function stripParameters(path: string): string {
  return path
    .split("/")
    .map((segment) => segment.split(";")[0])
    .join("/");
}

function resolve(path: string, endsAtQuery: boolean): string {
  let read = path.replaceAll("\\", "/");
  if (endsAtQuery) read = read.split(/[?#]/)[0] as string;
  const out: string[] = [];
  for (const raw of read.split("/")) {
    const segment = raw.split(";")[0] as string;
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `/${out.join("/")}`;
}

/** Pieces of hostile paths: dot segments in every disguise, parameters, escapes good and bad. */
const ATOMS = [
  "..",
  ".",
  ";x",
  ";",
  ";a=b",
  "%2e",
  "%2E",
  "%252e",
  "%252E",
  "%25252e",
  ".%2e",
  "%2e.",
  "%25",
  "%2525",
  "%zz",
  "%25zz",
  "%2",
  "%",
  "%2f",
  "%2F",
  "%252f",
  "%5c",
  "%5C",
  "%255c",
  "\\",
  "%3b",
  "%3B",
  "%253b",
  "%3f",
  "%23",
  "%c0%ae",
  "%25c0%25ae",
  "%C0%AE",
  "a",
  "tasks",
  "api",
  "v1",
];

/**
 * `count` distinct paths (each starting with `/`) built from {@link ATOMS}, reproducibly from
 * `seed` (mulberry32, as in the canary test), so that a failure can be replayed exactly.
 */
export function generatedPaths(count: number, seed: number): string[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = () => ATOMS[Math.floor(random() * ATOMS.length)] as string;
  const paths = new Set<string>();
  while (paths.size < count) {
    const segments: string[] = [];
    const length = 1 + Math.floor(random() * 5);
    for (let i = 0; i < length; i++) {
      const atoms = 1 + Math.floor(random() * 3);
      let segment = "";
      for (let j = 0; j < atoms; j++) segment += pick();
      segments.push(segment);
    }
    paths.add(`/${segments.join("/")}`);
  }
  return [...paths];
}
