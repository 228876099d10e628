const encoder = new TextEncoder();

/**
 * HKDF with SHA-256 (RFC 5869) over UTF-8 strings, through Web Crypto so it runs in any
 * Fetch-API runtime. Same output as `hkdf("sha256", ikm, salt, info, length)` from
 * `@panva/hkdf`, which Auth.js uses to derive its session key.
 */
export async function hkdfSha256(
  ikm: string,
  salt: string,
  info: string,
  length: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(ikm), "HKDF", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(salt), info: encoder.encode(info) },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}
