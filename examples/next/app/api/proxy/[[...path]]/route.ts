import { cookieToken, createProxy } from "handoff-bff";
import { toNextHandlers } from "handoff-bff/next";

// The three lines of the README, as a user writes them. The upstream is the demo echo
// service (upstream.mjs) unless UPSTREAM_URL names another.
const proxy = createProxy({
  upstream: process.env.UPSTREAM_URL ?? "http://127.0.0.1:8000",
  mount: "/api/proxy",
  token: cookieToken("auth_token"),
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(proxy);
