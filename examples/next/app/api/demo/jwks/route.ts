import { publicJwks } from "../keys";

// The public keys the API verifies the demo's JWTs with (its AUTH_JWKS_URL).
export function GET() {
  return Response.json(publicJwks(), { headers: { "cache-control": "public, max-age=300" } });
}
