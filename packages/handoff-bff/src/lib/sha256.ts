import { base64url } from "jose";

const encoder = new TextEncoder();

/**
 * SHA-256 of a UTF-8 string, base64url, through Web Crypto (any Fetch-API runtime). Used to key
 * caches and counters by a credential without keeping the credential itself in memory or in a
 * shared store.
 */
export async function sha256Base64url(text: string): Promise<string> {
  return base64url.encode(
    new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))),
  );
}
