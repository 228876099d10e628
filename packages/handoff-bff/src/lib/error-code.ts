/**
 * Reads the `code` of any error-like value: a Handoff error from any copy, a `ProblemError`
 * from `handoff-bff/client` (whose code may be the upstream's own), or a Node.js system error.
 * Typed `string`, since it is not limited to Handoff's codes; `isHandoffError` narrows to
 * `HandoffErrorCode`.
 *
 * @example
 * ```ts
 * import { errorCode } from "handoff-bff/client"; // also `errors.errorCode` from "handoff-bff"
 *
 * if (errorCode(error) === "ERR_UNAUTHENTICATED") location.assign("/sign-in");
 * ```
 */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}
