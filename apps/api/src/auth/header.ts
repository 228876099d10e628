import { TokenInvalidError, TokenMissingError } from "../errors.js";

/**
 * RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`, where
 * `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
 * Exactly one token: a second one, a comma (two merged `Authorization` fields) or a tab makes
 * the credential malformed rather than "the first token wins".
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Well above any real JWT (Better Auth's are < 1 KiB); refuse bigger ones before decoding. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Extracts the token from an `Authorization` header value.
 *
 * - No header, an empty one, or another scheme (`Basic …`) → {@link TokenMissingError}: there is
 *   no bearer credential, and RFC 6750 §3.1 asks for a challenge without an error code then.
 * - The scheme is matched case-insensitively (RFC 9110 §11.1, formerly RFC 7235 §2.1), followed
 *   by one or more spaces (RFC 6750 §2.1 `1*SP`); surrounding whitespace is not part of a field
 *   value (RFC 9110 §5.5) and is ignored.
 * - `Bearer` with no token, two tokens, or characters outside b64token → {@link TokenInvalidError}.
 *   RFC 6750 §3.1 would allow 400 `invalid_request` for a malformed credential, but one answer
 *   (401 `invalid_token`) for every unusable credential is what clients act on: get a new token.
 *
 * @example
 * ```ts
 * bearerToken("Bearer eyJhbGciOi…"); // "eyJhbGciOi…"
 * bearerToken(null); // throws ERR_TOKEN_MISSING
 * ```
 */
export function bearerToken(authorization: string | null | undefined): string {
  const value = authorization?.replace(/^[ \t]+|[ \t]+$/g, "") ?? "";
  if (value === "") throw new TokenMissingError();

  const end = value.search(/[ \t]/);
  const scheme = end === -1 ? value : value.slice(0, end);
  if (scheme.toLowerCase() !== "bearer") throw new TokenMissingError();

  const rest = end === -1 ? "" : value.slice(end);
  const token = rest.replace(/^ +/, "");
  if (token === rest || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
    // The cause is for logs, so it describes the credential's shape, never its content.
    throw new TokenInvalidError(new Error(MALFORMED));
  }
  return token;
}

const MALFORMED = "The Authorization header is not `Bearer` 1*SP b64token (RFC 6750 §2.1).";
