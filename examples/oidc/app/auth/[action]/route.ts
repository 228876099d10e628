import { authRoute } from "../../../lib/auth";

// /auth/login, /auth/callback, POST /auth/logout, POST /auth/backchannel-logout, GET /auth/user:
// handoff-bff/oidc dispatches on the last path segment.
export const GET = authRoute("GET");
export const HEAD = authRoute("HEAD");
export const POST = authRoute("POST");
