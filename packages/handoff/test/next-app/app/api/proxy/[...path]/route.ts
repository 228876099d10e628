import { cookieToken, createProxy } from "handoff";
import { toNextHandlers } from "handoff/next";

// The three lines of the README, as a user writes them.
const proxy = createProxy({
  upstream: process.env.FIXTURE_UPSTREAM ?? "http://127.0.0.1:9",
  mount: "/api/proxy",
  token: cookieToken("auth_token"),
  timeout: { headers: 5_000, idle: 5_000 },
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(proxy);
