import { toNextJsHandler } from "better-auth/next-js";
import { withoutTokens } from "@/lib/auth-response";
import { getAuth } from "@/lib/runtime";

// Better Auth's endpoints: sign-up/in/out for API clients (the pages use server actions), and
// GET /api/auth/jwks, the public keys the API verifies JWTs with. Session tokens are taken out
// of every answer, and GET /api/auth/token is disabled (lib/auth.ts).
export const { GET, POST, PATCH, PUT, DELETE } = toNextJsHandler(async (request: Request) =>
  withoutTokens(await (await getAuth()).handler(request)),
);
