import { InvalidConfigError } from "../errors.js";
import { memorySessionStore } from "./memory-session-store.js";
import type { ChatKitSessionStore, ChatKitSessionsOptions } from "./types.js";

const DEFAULT_API_BASE = "https://api.openai.com";

/** The options, checked once at creation so that a misconfigured app fails at start-up. */
export interface ResolvedOptions {
  apiBase: string;
  apiKey: string;
  workflowId: string;
  extras: Record<string, unknown>;
  store: ChatKitSessionStore;
  refreshGraceSeconds: number;
  trustForwarded: boolean;
  timeout: number;
}

/** A value that would split a header line (or end it early) must never reach one. */
const HEADER_BREAKING = /[\r\n\0]/;

export function resolveOptions(options: ChatKitSessionsOptions): ResolvedOptions {
  const fail = (message: string) => new InvalidConfigError(`createChatKitSessions: ${message}`);
  const { apiKey, workflowId } = options ?? {};
  // The messages name the variable, never its value.
  if (typeof apiKey !== "string" || apiKey.trim() === "" || HEADER_BREAKING.test(apiKey)) {
    throw fail("apiKey (OPENAI_API_KEY) must be a non-empty string on one line");
  }
  if (typeof workflowId !== "string" || workflowId.trim() === "") {
    throw fail("workflowId (CHATKIT_WORKFLOW_ID) must be a non-empty string");
  }
  if (typeof options.user !== "function") throw fail("user must be a function");

  const extras: Record<string, unknown> = {};
  const { expiresAfter, rateLimits, chatkitConfiguration } = options;
  if (expiresAfter !== undefined) {
    if (expiresAfter?.anchor !== "created_at" || !positiveInteger(expiresAfter.seconds)) {
      throw fail('expiresAfter must be { anchor: "created_at", seconds: <positive integer> }');
    }
    extras.expires_after = { anchor: "created_at", seconds: expiresAfter.seconds };
  }
  if (rateLimits !== undefined) {
    const perMinute = rateLimits?.max_requests_per_1_minute;
    if (
      typeof rateLimits !== "object" ||
      (perMinute !== undefined && !positiveInteger(perMinute))
    ) {
      throw fail("rateLimits.max_requests_per_1_minute must be a positive integer");
    }
    extras.rate_limits = rateLimits;
  }
  if (chatkitConfiguration !== undefined) {
    if (typeof chatkitConfiguration !== "object" || chatkitConfiguration === null) {
      throw fail("chatkitConfiguration must be an object");
    }
    extras.chatkit_configuration = chatkitConfiguration;
  }

  const store = options.store ?? memorySessionStore();
  for (const method of ["get", "set", "delete"] as const) {
    if (typeof store?.[method] !== "function") throw fail(`store must have a ${method}() method`);
  }
  const refreshGraceSeconds = options.refreshGraceSeconds ?? 3600;
  if (!Number.isFinite(refreshGraceSeconds) || refreshGraceSeconds < 0) {
    throw fail("refreshGraceSeconds must be a number of seconds, 0 or more");
  }
  const timeout = options.timeout ?? 10_000;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw fail("timeout must be a positive number of milliseconds");
  }
  return {
    apiBase: apiBaseOf(options.apiBase ?? DEFAULT_API_BASE, fail),
    apiKey,
    workflowId,
    extras,
    store,
    refreshGraceSeconds,
    trustForwarded: options.trustForwarded ?? false,
    timeout,
  };
}

/** An http(s) URL, with an optional base path, without query, fragment or credentials. */
function apiBaseOf(value: string, fail: (message: string) => Error): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail("apiBase (CHATKIT_API_BASE) is not a URL");
  }
  if (
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.username !== "" ||
    url.password !== "" ||
    url.search !== "" ||
    url.hash !== ""
  ) {
    throw fail("apiBase (CHATKIT_API_BASE) must be an http(s) origin with an optional path");
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

function positiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}
