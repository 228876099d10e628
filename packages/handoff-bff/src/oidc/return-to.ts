import { InvalidReturnToError } from "../errors.js";

/** Control characters and the backslash, which browsers read as `/` in a URL (WHATWG URL). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/**
 * The path a sign-in returns to: a path of the app itself, or `InvalidReturnToError`. An open
 * redirect (CWE-601) would send a freshly signed-in user to a page of the attacker's choosing:
 * `//evil.example` and `/\evil.example` are network-path references (RFC 3986 §4.2, and WHATWG
 * URL turns `\` into `/`), absolute URLs name another site, and a percent-encoded copy of
 * either may be decoded once more by a framework on the way. So the value must start with one
 * `/`, hold no backslash or control character, and stay so once percent-decoded; it is then
 * resolved against the app's origin and must land there.
 */
export function safeReturnTo(value: string, appOrigin: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    throw new InvalidReturnToError();
  }
  for (const candidate of [value, decoded]) {
    if (!candidate.startsWith("/") || candidate.startsWith("//") || UNSAFE.test(candidate)) {
      throw new InvalidReturnToError();
    }
  }
  const resolved = new URL(value, appOrigin);
  if (resolved.origin !== appOrigin) throw new InvalidReturnToError();
  return resolved.pathname + resolved.search + resolved.hash;
}
