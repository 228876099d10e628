import { isHandoffError } from "handoff-bff";

/**
 * Better Auth answers sign-up, sign-in and get-session with the session token in the JSON body
 * (`token`, `session.token`). The session lives in an httpOnly cookie so that no script can
 * read it; a body that page scripts can read must not hold it either. The JWT plugin's
 * `set-auth-jwt` header is turned off in lib/auth.ts and dropped here as well, with the bearer
 * plugin's `set-auth-token`, should either ever be enabled.
 */
const TOKEN_HEADERS = ["set-auth-jwt", "set-auth-token"];

/** The response without session tokens: JSON bodies lose every `token` member. */
export async function withoutTokens(response: Response): Promise<Response> {
  const headers = new Headers(response.headers);
  for (const name of TOKEN_HEADERS) headers.delete(name);
  const type = headers.get("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type) || response.body === null) {
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
  headers.delete("content-length");
  return new Response(JSON.stringify(dropTokens(body)), {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** A copy of a JSON value without any member named `token`, at any depth. */
export function dropTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropTokens);
  if (typeof value !== "object" || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key !== "token") copy[key] = dropTokens(member);
  }
  return copy;
}

/**
 * Better Auth renders every error it is thrown as `application/json`, also the 429 (and, with
 * Redis down, the 503 `ERR_STORE_UNAVAILABLE`) of lib/auth-limits.ts, whose body is already a
 * problem document (RFC 9457). This gives it its media type back; other answers pass unchanged.
 */
export async function withProblemType(response: Response): Promise<Response> {
  if (
    (response.status !== 429 && response.status !== 503) ||
    !/^application\/json\b/i.test(response.headers.get("content-type") ?? "")
  ) {
    return response;
  }
  const text = await response.text();
  const headers = new Headers(response.headers);
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    // not ours: pass it on as it came
  }
  if (code === "ERR_RATE_LIMITED" || code === "ERR_STORE_UNAVAILABLE") {
    headers.set("content-type", "application/problem+json");
    headers.set("cache-control", "no-store");
  }
  return new Response(text, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Better Auth's answer to a request, as the route sends it: without tokens, problems labelled.
 * A Handoff error thrown through Better Auth (its own limiter on a Redis store that cannot
 * count: 503 `ERR_STORE_UNAVAILABLE`) is rendered as its problem document instead of a 500.
 *
 * @example
 * ```ts
 * export const POST = async (request: Request) => authResponse(await getAuth(), request);
 * ```
 */
export async function authResponse(
  auth: { handler(request: Request): Promise<Response> },
  request: Request,
): Promise<Response> {
  let response: Response;
  try {
    response = await auth.handler(request);
  } catch (error) {
    if (isHandoffError(error)) return error.toResponse();
    throw error;
  }
  return withProblemType(await withoutTokens(response));
}
