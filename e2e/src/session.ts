import type { Page } from "./browser.js";

/** A new user's credentials, unique per call. */
export function newUser(name = "Ada") {
  const id = Math.random().toString(36).slice(2, 10);
  return { name, email: `${name.toLowerCase()}-${id}@example.test`, password: `pw-${id}-Secret!` };
}

/** Calls the app from inside the page, as its own scripts would (same origin, cookies). */
export function pageFetch(
  page: Page,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; type: string; text: string }> {
  return page.evaluate(
    async ({ path, method, body }) => {
      const response = await fetch(path, {
        method: method ?? "GET",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return {
        status: response.status,
        type: response.headers.get("content-type") ?? "",
        text: await response.text(),
      };
    },
    { path, method: init.method, body: init.body },
  );
}

/** Signs a new user up through Better Auth's endpoint, from the page (no UI involved). */
export async function signUpByApi(page: Page, user = newUser()): Promise<typeof user> {
  const response = await pageFetch(page, "/api/auth/sign-up/email", { method: "POST", body: user });
  if (response.status !== 200)
    throw new Error(`sign-up failed: ${response.status} ${response.text}`);
  return user;
}
