/**
 * The agent's errors. `SessionBusyError` is answered as a 409; the model errors travel as the
 * `error` event of a stream already under way, with the status they would have had.
 */
import { ApiError } from "../errors.js";

/** 409: one chat at a time keeps a session's history in order; a second is refused, not queued. */
export class SessionBusyError extends ApiError {
  constructor() {
    super(
      "ERR_SESSION_BUSY",
      409,
      "Session busy",
      "This agent session is still answering a previous message. Wait for its `done` event.",
    );
  }
}

/**
 * 502: the provider refused our key; its message can echo the key, so it stays in `cause`,
 * unlogged.
 */
export class AgentModelAuthError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_MODEL_AUTH",
      502,
      "Model provider refused the credentials",
      "The agent's model provider refused its credentials. An operator must fix OPENAI_API_KEY.",
      { cause },
    );
  }
}

/** 503: the provider still answered 429 after the SDK's retries. */
export class AgentModelRateLimitedError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_MODEL_RATE_LIMITED",
      503,
      "Model provider rate limit",
      "The agent's model provider is rate-limiting requests. Try again in a minute.",
      { cause },
    );
  }
}

/** 503: the provider was unreachable, timed out or failed (5xx) after the SDK's retries. */
export class AgentModelUnavailableError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_MODEL_UNAVAILABLE",
      503,
      "Model provider unavailable",
      "The agent's model provider did not answer. Try again shortly.",
      { cause },
    );
  }
}

/** 500, any other agent failure: a fixed detail, the cause logged with the request id. */
export class AgentFailedError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_FAILED",
      500,
      "Agent failed",
      "The agent could not answer this message. Quote the request id when reporting it.",
      { cause },
    );
  }
}
