/**
 * Reads a cookie that may have been split into chunks `name.0`, `name.1`, …, as Auth.js does
 * when a session outgrows one cookie (`SessionStore` in @auth/core lib/utils/cookie.js: chunks
 * of 3,936 characters, reassembled by index, whatever order the browser sends them in).
 *
 * The unchunked `name` wins when present: Auth.js expires every old chunk whenever it rewrites
 * the session, so both forms are only seen together in a stale jar. Chunks are read from
 * `name.0` up to the first missing index; a gap leaves a truncated value that fails to decrypt,
 * as Auth.js's own join would. Returns `null` when neither form is present or the value is empty.
 */
export function readChunkedCookie(
  cookies: ReadonlyMap<string, string>,
  name: string,
): string | null {
  const whole = cookies.get(name);
  if (whole !== undefined && whole !== "") return whole;
  let value = "";
  for (let index = 0; ; index++) {
    const chunk = cookies.get(`${name}.${index}`);
    if (chunk === undefined || chunk === "") break;
    value += chunk;
  }
  return value === "" ? null : value;
}
