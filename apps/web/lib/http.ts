import { createFetch } from "handoff-bff/client";

/** Dispatched on `window` when the proxy answers that the API is down (502, 503, 504). */
export const API_DOWN_EVENT = "taskflow:api-down";

/** `createFetch`'s own, without the API-down event: for the health checks themselves. */
export const send = createFetch({
  // The session ended (signed out here or in another tab, or expired): go to sign-in.
  onUnauthorized: () => {
    if (window.location.pathname !== "/sign-in") window.location.assign("/sign-in");
  },
});

/**
 * The browser's `fetch` for the app's own routes (`/api/proxy`, `/api/agent`), from
 * `handoff-bff/client`: cookies for this origin only, 401 → sign-in. A failure that says the API
 * is down also tells the agent panel, which then checks at once instead of at its next poll.
 */
export const api: typeof send = async (input, init) => {
  const response = await send(input, init);
  if (response.status >= 502 && response.status <= 504) {
    window.dispatchEvent(new Event(API_DOWN_EVENT));
  }
  return response;
};

export const JSON_HEADERS = { "content-type": "application/json" };
