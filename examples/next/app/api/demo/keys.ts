import { importJWK, type JWK, SignJWT } from "jose";

/**
 * The demo's signing key: an Ed25519 private JWK (with `kid`) in `DEMO_SIGNING_KEY`, which the
 * root `npm start` generates into `.data/dev-secrets.json` on first run. Without it the demo
 * falls back to an opaque random token (what the Next.js tests' echo upstream expects).
 */
function signingJwk(): (JWK & { kid: string }) | null {
  const text = process.env.DEMO_SIGNING_KEY;
  if (text === undefined || text === "") return null;
  const jwk = JSON.parse(text) as JWK;
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.kid !== "string") {
    throw new Error("DEMO_SIGNING_KEY must be an Ed25519 private JWK with a kid.");
  }
  return jwk as JWK & { kid: string };
}

/** The public half, as the JWKS publishes it: never `d`. */
export function publicJwks(): { keys: JWK[] } {
  const jwk = signingJwk();
  if (jwk === null) return { keys: [] };
  const { kty, crv, x, kid } = jwk;
  return { keys: [{ kty, crv, x, kid, alg: "EdDSA", use: "sig" }] };
}

/** The issuer the API checks (`AUTH_ISSUER`). */
const ISSUER = process.env.DEMO_ISSUER ?? "http://127.0.0.1:3000";
/** The audience the API checks (`AUTH_AUDIENCE`). */
const AUDIENCE = process.env.DEMO_AUDIENCE ?? "taskflow-api";

/**
 * A short-lived EdDSA JWT for the demo user of the demo tenant, or a random opaque token when no
 * key is configured. Stands in for a real sign-in; the reference dashboard uses Better Auth.
 */
export async function demoToken(): Promise<{ token: string; maxAge: number }> {
  const jwk = signingJwk();
  if (jwk === null) return { token: `demo_${crypto.randomUUID()}`, maxAge: 3600 };
  const key = await importJWK(jwk, "EdDSA");
  const token = await new SignJWT({ tenant_id: "demo", email: "demo@example.test" })
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject("demo-user")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(key);
  return { token, maxAge: 3600 };
}
