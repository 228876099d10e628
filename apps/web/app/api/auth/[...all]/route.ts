import { toNextJsHandler } from "better-auth/next-js";
import { authResponse } from "@/lib/auth-response";
import { getAuth } from "@/lib/runtime";

// Better Auth's endpoints: sign-up/in/out for API clients (the pages use server actions), and
// GET /api/auth/jwks, the public keys the API verifies JWTs with. Session tokens are taken out
// of every answer, and GET /api/auth/token is disabled (lib/auth.ts). Sign-in and sign-up are
// limited per account by a Better Auth hook (lib/auth-limits.ts), which answers 429 problem+json;
// sign-out revokes the session's JWT on every instance first (lib/auth-revocation.ts).
export const { GET, POST, PATCH, PUT, DELETE } = toNextJsHandler(async (request: Request) =>
  authResponse(await getAuth(), request),
);
