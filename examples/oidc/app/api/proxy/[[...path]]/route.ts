import { proxyRoute } from "../../../../lib/auth";

// Every method goes to API_URL with the session's access token; the browser never sees it.
export const GET = proxyRoute("GET");
export const HEAD = proxyRoute("HEAD");
export const POST = proxyRoute("POST");
export const PUT = proxyRoute("PUT");
export const PATCH = proxyRoute("PATCH");
export const DELETE = proxyRoute("DELETE");
export const OPTIONS = proxyRoute("OPTIONS");
