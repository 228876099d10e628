import { cookieToken, createProxy } from "handoff-bff";
import { toNextHandlers } from "handoff-bff/next";

const proxy = createProxy({
  upstream: process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:8100",
  mount: "/api/proxy",
  token: cookieToken("auth_token"),
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(proxy);
