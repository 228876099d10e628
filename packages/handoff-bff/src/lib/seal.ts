import { base64url, calculateJwkThumbprint, EncryptJWT, type JWTPayload, jwtDecrypt } from "jose";
import { hkdfSha256 } from "./hkdf.js";

/** Seals JSON into a compact JWE and opens it again; `null` for anything it did not seal. */
export interface Sealer {
  seal(payload: JWTPayload, maxAgeSeconds: number): Promise<string>;
  unseal(token: string): Promise<JWTPayload | null>;
}

interface Key {
  key: Uint8Array;
  kid: string;
}

/**
 * Sealed cookies as jose JWE `dir` + `A256GCM` (authenticated encryption: a changed byte fails
 * to open). Each secret is stretched with HKDF-SHA-256 (RFC 5869), `purpose` as salt and info,
 * so that one secret gives unrelated keys per cookie kind. The first secret seals; all open
 * (rotation), picked by `kid`, the key's JWK thumbprint (RFC 7638). `exp` is always set and
 * checked.
 */
export function sealer(secrets: readonly string[], purpose: string): Sealer {
  let keys: Promise<Key[]> | undefined;
  const keysOf = (): Promise<Key[]> => {
    keys ??= Promise.all(secrets.map((secret) => derive(secret, purpose)));
    // A failed derivation is the runtime's fault; try again next time rather than cache it.
    keys.catch(() => {
      keys = undefined;
    });
    return keys;
  };
  return {
    async seal(payload, maxAgeSeconds) {
      const [current] = await keysOf();
      if (current === undefined) throw new Error("sealer: no secret");
      return new EncryptJWT(payload)
        .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid: current.kid })
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + Math.ceil(maxAgeSeconds))
        .encrypt(current.key);
    },
    async unseal(token) {
      const all = await keysOf();
      try {
        const { payload } = await jwtDecrypt(
          token,
          ({ kid }) => {
            const match = all.find((candidate) => candidate.kid === kid);
            if (match === undefined) throw new Error("no matching secret");
            return match.key;
          },
          {
            keyManagementAlgorithms: ["dir"],
            contentEncryptionAlgorithms: ["A256GCM"],
            requiredClaims: ["exp"],
          },
        );
        return payload;
      } catch {
        return null; // tampered, foreign, expired or not a JWE: no session
      }
    },
  };
}

async function derive(secret: string, purpose: string): Promise<Key> {
  const key = await hkdfSha256(secret, purpose, `handoff-bff sealed cookie (${purpose})`, 32);
  const kid = await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) });
  return { key, kid };
}
