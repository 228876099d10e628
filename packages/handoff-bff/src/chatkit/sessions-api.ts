import type { FetchLike } from "../client/create-fetch.js";
import {
  ChatKitUpstreamError,
  HandoffError,
  UpstreamFailedError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from "../errors.js";
import { UNREACHABLE_CODES } from "../lib/unreachable.js";

/** What the handlers use of a session the API issued. */
export interface MintedSession {
  id: string;
  clientSecret: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A client of the two ChatKit Sessions API operations this flow needs. */
export interface SessionsApi {
  /** `POST /v1/chatkit/sessions` with the configured workflow and options for `user`. */
  create(user: string): Promise<MintedSession>;
  /** `POST /v1/chatkit/sessions/{id}/cancel`: the secret stops working. */
  cancel(sessionId: string): Promise<void>;
}

export interface SessionsApiConfig {
  /** The resolved base, without a trailing slash. */
  apiBase: string;
  apiKey: string;
  workflowId: string;
  /** `expires_after`, `rate_limits`, `chatkit_configuration`, when configured. */
  extras: Record<string, unknown>;
  timeout: number;
  fetch: FetchLike | undefined;
}

/** Short identifiers from an OpenAI error body (`invalid_api_key`), safe to log. */
const IDENTIFIER = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * The Sessions API over `fetch`. Every call carries the API key, so redirects are not
 * followed: the key goes to `apiBase` and nowhere else (a 3xx is an upstream error).
 */
export function sessionsApi(config: SessionsApiConfig): SessionsApi {
  const endpoint = `${config.apiBase}/v1/chatkit/sessions`;
  const headers = {
    authorization: `Bearer ${config.apiKey}`,
    // Required by every ChatKit endpoint while the API is in beta (openai-node sends it too).
    "openai-beta": "chatkit_beta=v1",
    accept: "application/json",
  };

  async function call(url: string, body: string | null): Promise<unknown> {
    const send = config.fetch ?? fetch;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new UpstreamTimeoutError(config.timeout)),
      config.timeout,
    );
    try {
      const response = await send(url, {
        method: "POST",
        headers: body === null ? headers : { ...headers, "content-type": "application/json" },
        body,
        redirect: "manual",
        signal: controller.signal,
      });
      const text = await response.text();
      if (response.status < 200 || response.status > 299) {
        throw new ChatKitUpstreamError(response.status, upstreamCause(response, text));
      }
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new ChatKitUpstreamError(response.status, error);
      }
    } catch (error) {
      throw asUpstreamError(error, controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async create(user) {
      const body = { workflow: { id: config.workflowId }, user, ...config.extras };
      const session = await call(endpoint, JSON.stringify(body));
      return mintedSession(session);
    },
    async cancel(sessionId) {
      await call(`${endpoint}/${encodeURIComponent(sessionId)}/cancel`, null);
    },
  };
}

function mintedSession(value: unknown): MintedSession {
  const { id, client_secret, expires_at } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof id !== "string" ||
    id === "" ||
    typeof client_secret !== "string" ||
    client_secret === "" ||
    typeof expires_at !== "number" ||
    !Number.isFinite(expires_at)
  ) {
    throw new ChatKitUpstreamError(
      200,
      new TypeError("the session lacks id, client_secret or expires_at"),
    );
  }
  return { id, clientSecret: client_secret, expiresAt: expires_at };
}

/**
 * A loggable description of an error answer: the status, OpenAI's `error.type` and
 * `error.code` when they are plain identifiers, and its request id. Never `error.message`,
 * which for a wrong key quotes part of the key.
 */
function upstreamCause(response: Response, text: string): Error {
  const parts: string[] = [];
  try {
    const error = (JSON.parse(text) as { error?: Record<string, unknown> }).error ?? {};
    for (const value of [error.type, error.code]) {
      if (typeof value === "string" && IDENTIFIER.test(value)) parts.push(value);
    }
  } catch {
    // Not JSON: the status says enough.
  }
  const requestId = response.headers.get("x-request-id");
  if (requestId !== null && IDENTIFIER.test(requestId)) parts.push(`request ${requestId}`);
  return new Error(
    `Sessions API answered ${response.status}${parts.length ? ` (${parts.join(", ")})` : ""}`,
  );
}

function asUpstreamError(error: unknown, signal: AbortSignal): HandoffError {
  if (error instanceof HandoffError) return error;
  if (signal.aborted && signal.reason instanceof HandoffError) return signal.reason;
  const code = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
    return new UpstreamUnreachableError(error);
  }
  return new UpstreamFailedError(error);
}
