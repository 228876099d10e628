import type { CsrfCheck } from "../csrf/check.js";
import { SessionExpiredError } from "../errors.js";
import type { OidcOptions, ResolvedOidcOptions } from "./options.js";
import type { ProviderConfig } from "./provider.js";
import type { SessionRevocation } from "./revocation.js";
import type { ReadSession, Sessions } from "./sessions.js";

/** What every route of one `createOidc` shares. */
export interface OidcContext {
  options: OidcOptions;
  resolved: ResolvedOidcOptions;
  config: ProviderConfig;
  sessions: Sessions;
  revocation: SessionRevocation;
  csrf: CsrfCheck | null;
}

/**
 * The request's live session, or `null`. A cookie that cannot be read (tampered, expired,
 * sealed with a secret no longer known) is no session, and is cleared; a revoked session is
 * ended and answered 401 `ERR_SESSION_EXPIRED`. `Set-Cookie` values go to `cookies`.
 */
export async function activeSession(
  context: OidcContext,
  request: Request,
  cookies: string[],
): Promise<ReadSession | null> {
  const { sessions } = context;
  const read = await sessions.read(request);
  if (read === null) {
    if (sessions.present(request)) {
      cookies.push(...(await sessions.end(request, null)));
    }
    return null;
  }
  if (await context.revocation.isRevoked(read)) {
    throw new SessionExpiredError(undefined, await sessions.end(request, read.key));
  }
  return read;
}
